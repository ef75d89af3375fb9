use crate::Span;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something worth knowing that does not stop anything.
    Warning,
    /// The input is wrong; the operation does not go ahead.
    Error,
}

/// One message for the user, located in source text when it can be.
///
/// Every stage (preprocessor, config reader, parser, interpreter) reports
/// problems as `Diagnostic`s, and [`crate::render`] is the only code that
/// turns them into text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Lower-case message, names in backticks.
    pub message: String,
    /// Where the problem is (possibly in a derived text; the renderer maps it back).
    pub span: Option<Span>,
    /// Short text printed beside the carets.
    pub label: Option<String>,
    /// Extra lines printed as `= note: ...`.
    pub notes: Vec<String>,
    /// A suggestion printed as `= help: ...`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Error, message, Some(span))
    }

    /// A warning at `span`.
    pub fn warning(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message, Some(span))
    }

    /// An error not tied to a place in the source (a missing file, say).
    pub fn error_unlocated(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message, None)
    }

    fn new(severity: Severity, message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            span,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// Adds the label printed beside the carets.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a `note:` line.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Adds a `help:` line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
