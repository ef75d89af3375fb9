//! The command lines of `pikt`, `piktc` and `piktd`, in one place.
//!
//! Each program has one table ([`tables::PIKT`], [`tables::PIKTC`],
//! [`tables::PIKTD`]) in which every flag is written once: its letter and
//! signs (`-c`, `+M`, `+A`/`-A`), long name, what it takes (nothing,
//! digits, one value, words up to the next option), the name of its value,
//! one line of help and a completion hint ([`spec`]). From the tables come
//! the tokens a program reads ([`tokenize`]), its `--help` ([`help`]), and
//! (outside this crate) its man page and shell completions.
//!
//! All three programs report a usage error the same way
//! ([`usage_error_text`]) and exit with [`EXIT_USAGE`].
//!
//! **Invariants:** no I/O; no program-specific decisions beyond the
//! tables (what a flag means is the program's business).

#![deny(missing_docs)]

pub mod help;
pub mod spec;
pub mod suggest;
pub mod tables;
pub mod tokenize;

use std::fmt;

pub use spec::{Arity, Complete, Flag, Operands, Signs, Spec, Support};
pub use tokenize::{tokenize, Given, Token};

/// The exit status of a usage error, the same for all three programs
/// (`EX_USAGE` of sysexits.h: it collides with no other status of theirs).
pub const EXIT_USAGE: u8 = 64;

/// A wrong command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError {
    /// What is wrong.
    pub message: String,
    /// What was probably meant.
    pub suggestion: Option<String>,
}

impl UsageError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> UsageError {
        UsageError {
            message: message.into(),
            suggestion: None,
        }
    }

    /// The error with "did you mean `suggestion`?".
    pub fn with_suggestion(self, suggestion: impl Into<String>) -> UsageError {
        UsageError {
            suggestion: Some(suggestion.into()),
            ..self
        }
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for UsageError {}

/// `PROGRAM: error: MESSAGE`, the first line of every error a program
/// prints itself (rendered diagnostics keep their own `error:` heading and
/// caret block).
pub fn error_line(program: &str, message: &str) -> String {
    format!("{program}: error: {message}\n")
}

/// What a program prints for a usage error: the error line, its first
/// synopsis line and where the full help is.
pub fn usage_error_text<Id: Copy + PartialEq>(spec: &Spec<Id>, error: &UsageError) -> String {
    let program = spec.program;
    let usage = spec.usage.first().copied().unwrap_or(program);
    format!(
        "{}usage: {usage}\n(see `{program} --help`)\n",
        error_line(program, &error.to_string())
    )
}
