//! Run-time errors: what went wrong while a script ran, and where.
//!
//! A run-time error aborts the script it happens in (the run goes on with the
//! next script), is written to the alert log, and makes a one-shot `pikt`
//! exit with status 1. It is shown through the one diagnostic renderer
//! ([`pikt_source::render`]) like every parse error, with the script's name
//! added to the message.

use pikt_source::{Diagnostic, Span};

/// The result of anything that can fail while a script runs.
pub type RunResult<T> = Result<T, RunError>;

/// A run-time error at a place in the script.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// What went wrong.
    pub kind: RunErrorKind,
    /// The expression or statement that failed.
    pub span: Span,
}

/// Every kind of run-time error.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum RunErrorKind {
    /// `/` with a zero divisor.
    DivisionByZero,
    /// `%` with a zero divisor.
    ModuloByZero,
    /// An array index below zero.
    NegativeIndex {
        /// The index, as text.
        index: String,
    },
    /// A variable read before it was given a value.
    Unset {
        /// The variable with its sigil (`$user`).
        name: String,
    },
    /// An array element read before it was given a value.
    UnsetElement {
        /// The array with its sigil (`#lgcnt`).
        name: String,
        /// The key.
        key: String,
    },
    /// `%x` or `@x` read when no earlier value exists.
    NoEarlierValue {
        /// `%x` or `@x`.
        name: String,
    },
    /// A scalar used as an array (or the reverse).
    WrongShape {
        /// The variable.
        name: String,
        /// `an array` or `a scalar`.
        expected: &'static str,
    },
    /// An I/O function on a handle that is not open.
    HandleNotOpen {
        /// The handle's name.
        handle: String,
    },
    /// `#fopen`/`#popen` on a handle that is still open.
    HandleAlreadyOpen {
        /// The handle's name.
        handle: String,
    },
    /// Reading a handle opened for writing, or the reverse; closing a pipe
    /// with `#fclose` or a file with `#pclose`.
    HandleMisuse {
        /// The handle's name.
        handle: String,
        /// What was attempted (`read from`, `write to`, ...).
        action: &'static str,
        /// How it is open (`for writing`, `as a pipe`, ...).
        how: &'static str,
    },
    /// A mode other than `r`, `w` or `a`.
    BadMode {
        /// The mode given.
        mode: String,
    },
    /// A regular expression that does not compile.
    BadRegex {
        /// The pattern text.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// `set` on a `dat` variable.
    ReadOnly {
        /// The variable.
        name: String,
    },
    /// `break`/`continue` with no loop around it, `breakswitch` with no switch.
    FlowOutsideLoop {
        /// The keyword.
        keyword: &'static str,
    },
    /// `next`, `skip`, `redo`, `again`, `leave` or `last` outside a rule.
    FlowOutsideRules {
        /// The keyword.
        keyword: &'static str,
    },
    /// A shell command while running commands is switched off.
    CommandsDisabled {
        /// The command.
        command: String,
    },
    /// A value that cannot be passed to a shell command as data (a NUL
    /// byte, text in `$((...))`, a place where the shell expands nothing).
    DataInCommand {
        /// Why.
        reason: String,
    },
    /// An effect that failed (writing a log file, starting a command...).
    Io {
        /// What was being done (`cannot write log file `/x``).
        what: String,
        /// The system's reason.
        reason: String,
    },
    /// A built-in function refused its arguments.
    Function {
        /// Why, naming the function (`` `#sqrt` needs a number ... ``).
        message: String,
    },
    /// A value of the wrong kind where a handle or array is needed.
    NotAllowed {
        /// What was wrong.
        what: String,
    },
    /// The run took more operations or time than its limits allow.
    LimitExceeded {
        /// Which limit.
        limit: String,
    },
    /// Standard output was closed by its reader (EPIPE); the run stops
    /// quietly.
    StdoutClosed,
    /// The caller asked the run to stop ([`crate::Stop`]): the script ends
    /// here with its mail kept, and no later script runs.
    Stopped {
        /// Why (`SIGTERM`).
        reason: String,
    },
}

impl RunErrorKind {
    /// The message, lower case, names in backticks.
    pub fn message(&self) -> String {
        match self {
            RunErrorKind::DivisionByZero => "division by zero".into(),
            RunErrorKind::ModuloByZero => "modulo by zero".into(),
            RunErrorKind::NegativeIndex { index } => format!("negative array index `{index}`"),
            RunErrorKind::Unset { name } => format!("variable `{name}` has no value"),
            RunErrorKind::UnsetElement { name, key } => {
                format!("array element `{name}[{key}]` has no value")
            }
            RunErrorKind::NoEarlierValue { name } => format!("`{name}` has no value"),
            RunErrorKind::WrongShape { name, expected } => {
                format!("`{name}` is not {expected}")
            }
            RunErrorKind::HandleNotOpen { handle } => format!("handle `{handle}` is not open"),
            RunErrorKind::HandleAlreadyOpen { handle } => {
                format!("handle `{handle}` is already open")
            }
            RunErrorKind::HandleMisuse {
                handle,
                action,
                how,
            } => format!("cannot {action} handle `{handle}`: it is open {how}"),
            RunErrorKind::BadMode { mode } => {
                format!("unknown open mode `{mode}` (use `r`, `w` or `a`)")
            }
            RunErrorKind::BadRegex { pattern, reason } => {
                format!("invalid regular expression `{pattern}`: {reason}")
            }
            RunErrorKind::ReadOnly { name } => {
                format!("cannot assign to `{name}`: it is a `dat` variable")
            }
            RunErrorKind::FlowOutsideLoop { keyword } => {
                format!("`{keyword}` outside a loop")
            }
            RunErrorKind::FlowOutsideRules { keyword } => {
                format!("`{keyword}` outside a rule section")
            }
            RunErrorKind::CommandsDisabled { command } => {
                format!("running commands is disabled: `{command}`")
            }
            RunErrorKind::DataInCommand { reason } => {
                format!("cannot pass a value to the command: {reason}")
            }
            RunErrorKind::Io { what, reason } => format!("{what}: {reason}"),
            RunErrorKind::Function { message } => message.clone(),
            RunErrorKind::NotAllowed { what } => what.clone(),
            RunErrorKind::LimitExceeded { limit } => format!("{limit} exceeded"),
            RunErrorKind::StdoutClosed => "standard output was closed".into(),
            RunErrorKind::Stopped { reason } => format!("stopped by {reason}"),
        }
    }
}

impl RunError {
    /// An error of `kind` at `span`.
    pub fn new(kind: RunErrorKind, span: Span) -> RunError {
        RunError { kind, span }
    }

    /// The diagnostic shown to the user: the message, naming the script.
    pub fn to_diagnostic(&self, script: &str) -> Diagnostic {
        Diagnostic::error(
            format!("{} in script `{script}`", self.kind.message()),
            self.span,
        )
    }
}

#[cfg(test)]
mod tests {
    use pikt_source::{render, SourceMap};

    use super::*;

    #[test]
    fn renders_with_script_name_location_and_caret() {
        let mut map = SourceMap::new();
        let file = map.add("t.pikt", "begin\n  set #x = 1 / 0\n");
        let err = RunError::new(RunErrorKind::DivisionByZero, Span::new(file, 17, 22));
        assert_eq!(
            render(&map, &err.to_diagnostic("T")),
            "error: division by zero in script `T`\n --> t.pikt:2:12\n  |\n2 |   set #x = 1 / 0\n  |            ^^^^^\n"
        );
    }
}
