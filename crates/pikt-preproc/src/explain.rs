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
///
/// Stacks share their outer part: each recorded branch is a node pointing
/// at the branch around it, and each output line points at its innermost
/// node. So recording is linear in the number of directives and lines,
/// however deep the nesting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explain {
    /// Each node: the enclosing node, if any, and the branch.
    pub(crate) nodes: Vec<(Option<u32>, Branch)>,
    /// Each output line's innermost node ([`NO_NODE`] outside any block).
    pub(crate) line_node: Vec<u32>,
}

/// A line outside any `#if`/`#ifdef`.
pub(crate) const NO_NODE: u32 = u32::MAX;

impl Explain {
    /// Branches that selected 0-based output line `line`, outermost first
    /// (empty for lines outside any `#if`/`#ifdef`).
    pub fn branches(&self, line: usize) -> Vec<&Branch> {
        let mut stack = Vec::new();
        let mut next = self.line_node.get(line).copied().filter(|&n| n != NO_NODE);
        while let Some((parent, branch)) = next.and_then(|n| self.nodes.get(n as usize)) {
            stack.push(branch);
            next = *parent;
        }
        stack.reverse();
        stack
    }

    /// Number of output lines recorded.
    pub fn line_count(&self) -> usize {
        self.line_node.len()
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
