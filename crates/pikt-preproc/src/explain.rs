//! The result of a run, and the `#if`/`#ifdef` branches behind each output
//! line (for `piktc explain`).

use pikt_source::{Diagnostic, FileId, Span};

/// Which family a [`Branch`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchKind {
    /// `#if`/`#elif`/`#else` (machine classes).
    If,
    /// `#ifdef`/`#ifndef`/`#elifdef`/`#elsedef` (defines).
    IfDef,
}

/// One enclosing conditional branch that was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// Which family.
    pub kind: BranchKind,
    /// The directive that selected the branch, e.g. `#else` or `#if mailserver`
    /// (trimmed, comments removed).
    pub directive: String,
    /// Where that directive is (in the original file).
    pub span: Span,
    /// The directive that opened the block, e.g. `#if mailserver`.
    pub opener: String,
    /// Where the opener is.
    pub opener_span: Span,
}

/// For each output line, the stack of branches (outermost first) that selected it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explain {
    pub(crate) stacks: Vec<Vec<Branch>>,
    pub(crate) line_stack: Vec<u32>,
}

impl Explain {
    /// Branches that selected 0-based output line `line`, outermost first
    /// (empty for lines outside any `#if`/`#ifdef`).
    pub fn branches(&self, line: usize) -> &[Branch] {
        self.line_stack
            .get(line)
            .and_then(|&i| self.stacks.get(i as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of output lines recorded.
    pub fn line_count(&self) -> usize {
        self.line_stack.len()
    }
}

/// What [`crate::preprocess`] returns.
#[derive(Clone, Debug)]
pub struct Preprocessed {
    /// The derived output file in the source map.
    pub file: FileId,
    /// Every error and warning, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Which branches selected each output line.
    pub explain: Explain,
}

impl Preprocessed {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
