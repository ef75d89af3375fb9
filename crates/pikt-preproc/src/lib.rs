//! The PIKT config preprocessor.
//!
//! piktc runs every config file through this crate once per target host. It
//! strips `//` and `/* */` comments, follows `#include`/`#verbatim`, keeps the
//! text selected by `#if` (machine classes) and `#ifdef` (defines), runs the
//! process directives (`#exec`, `#piktexec`, `#set`, `#echo`, ...), and expands
//! `=macro` references. The user-facing rules, with every design decision, are
//! in `docs/preprocessor.md`.
//!
//! # How pikt-config drives it
//!
//! For one host, in PIKT's file order:
//!
//! 1. systems.cfg: `preprocess` with [`FileKind::Systems`], `macros: None`;
//!    pikt-config reads the hosts/aliases/members stanzas and builds the
//!    [`HostFacts`] of every host.
//! 2. defines.cfg: `preprocess` with [`FileKind::Defines`]. While it runs, the
//!    preprocessor itself declares every `name VALUE` stanza it emits into
//!    [`Options::defines`] (with [`Defines::declare`], so command-line `+D`/`-D`
//!    values keep winning), which is what lets a later `#ifdef` in the same
//!    file refer to it. pikt-config still parses the output for its own model
//!    and checks (duplicates, bad values).
//! 3. macros.cfg: `preprocess` with [`FileKind::Macros`], `macros: None` (the
//!    `#ifdef`s inside macro bodies are evaluated here, for this host). Then
//!    build a [`MacroTable`] ([`MacroTable::with_predefined`]) and
//!    [`MacroTable::insert`] one [`MacroDef`] per stanza, with `body` equal to
//!    the text of `body_span` in the preprocessed macros.cfg (see [`MacroDef`]).
//! 4. every other file: `preprocess` with its kind and `macros: Some(&table)`.
//!
//! Everything that touches the world (reading files, running commands, running
//! Pikt statements) goes through [`PreprocHost`]; tests use
//! [`testing::FakeHost`].
//!
//! **Invariants:** preprocessing never panics and never stops at the first
//! error (it recovers line by line); every byte of the output maps back to the
//! text the user wrote through the derived file's segments; time is linear in
//! the input plus the expansion output (bounded by limits).

#![deny(missing_docs)]

mod comments;
mod condition;
mod defines;
mod directive;
mod engine;
mod expand;
mod explain;
mod host;
mod host_facts;
mod macro_table;
mod options;
mod scan;
pub mod testing;
mod text;

#[cfg(test)]
mod tests;

pub use defines::parse_bool;
pub use defines::{DefineSource, Defines};
pub use expand::ALERT_MACROS;
pub use explain::{Branch, BranchKind, Explain, Preprocessed};
pub use host::{
    CommandOutput, PreprocHost, RealHost, Stderr, COMMAND_TIME_LIMIT, MAX_COMMAND_OUTPUT_BYTES,
    MAX_COMMAND_STDERR_BYTES,
};
pub use host_facts::HostFacts;
pub use macro_table::{MacroDef, MacroError, MacroTable, FIXED_PREDEFINED, PREDEFINED};
pub use options::{FileKind, Options};

use pikt_source::{FileId, SourceMap};

/// Nesting limit of `#if`/`#ifdef` blocks (PIKT: 64).
pub const MAX_CONDITION_DEPTH: usize = 64;
/// Nesting limit of `#include`/`#verbatim`.
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Nesting limit of macro expansion (a macro whose body uses a macro ...).
pub const MAX_MACRO_DEPTH: usize = 32;
/// Largest text one line may grow to through macro expansion, in bytes.
pub const MAX_EXPANSION_BYTES: usize = 1 << 20;
/// Most text macro expansion may add to one file's output, in bytes: the
/// output is at most the input plus this, however the macros multiply.
pub const MAX_TOTAL_EXPANSION_BYTES: usize = 16 << 20;
/// Most `#include`s and `#verbatim`s (files and commands) read for one file.
pub const MAX_INCLUDES: usize = 10_000;
/// Most diagnostics reported for one file; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 1000;
/// Most lines the argument list of one macro call may span.
pub const MAX_CALL_LINES: usize = 200;

/// Preprocesses `file` (already in `map`) for the host in `opts`.
///
/// Returns a derived file added to `map` whose text is the rendered output
/// and whose segments trace every byte back to the original file, line and
/// column (through includes and macro expansion), together with every
/// diagnostic found and the `#if`/`#ifdef` branches that selected each output
/// line. The output is produced even when there are errors (error lines are
/// dropped or passed through unexpanded); callers decide from
/// [`Preprocessed::has_errors`] whether to go on.
pub fn preprocess(
    map: &mut SourceMap,
    file: FileId,
    opts: &mut Options<'_>,
    host: &dyn PreprocHost,
) -> Preprocessed {
    engine::run(map, file, opts, host)
}
