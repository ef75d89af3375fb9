//! Machine-class expressions of `#if`/`#elif`.
//!
//! ```text
//! class := and { '|' and }          -- union
//! and   := unary { '&' unary }      -- intersection
//! unary := '!' unary | '(' class ')' | NAME
//! ```
//!
//! `!` binds tightest, then `&`, then `|`; both binary operators are
//! left-associative (a decision: PIKT's manual does not say). A NAME is true
//! when it names the host, an alias, its OS or a group containing it; an
//! unknown name is false. `||` and `&&` are errors with a hint.

use std::ops::Range;

use crate::scan::Cursor;
use crate::HostFacts;

/// Deepest nesting of `!` and `(` accepted, so that hostile input cannot
/// exhaust the stack.
const MAX_NESTING: usize = 256;

/// A malformed machine-class expression.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ClassError {
    /// Where (byte range in the directive line).
    pub range: Range<usize>,
    /// Lower-case message.
    pub message: String,
    /// Optional suggestion.
    pub help: Option<String>,
}

/// The value of an expression and the names it used that systems.cfg does
/// not know.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ClassValue {
    pub value: bool,
    pub unknown: Vec<Range<usize>>,
}

/// Evaluates the expression in `line[start..]` for `host`.
pub(crate) fn eval_class(
    line: &str,
    start: usize,
    host: &HostFacts,
) -> Result<ClassValue, ClassError> {
    let mut parser = ClassParser {
        c: Cursor::new(line, start),
        host,
        unknown: Vec::new(),
        depth: 0,
    };
    if parser.c.at_end() {
        return Err(ClassError {
            range: line.len()..line.len(),
            message: "missing machine class".into(),
            help: Some(
                "write a host, alias, group or OS name, e.g. `#if linux & !webserver`".into(),
            ),
        });
    }
    let value = parser.parse_class()?;
    if !parser.c.at_end() {
        return Err(parser.unexpected());
    }
    Ok(ClassValue {
        value,
        unknown: parser.unknown,
    })
}

struct ClassParser<'t, 'h> {
    c: Cursor<'t>,
    host: &'h HostFacts,
    unknown: Vec<Range<usize>>,
    depth: usize,
}

impl ClassParser<'_, '_> {
    /// class := and { '|' and }
    fn parse_class(&mut self) -> Result<bool, ClassError> {
        let mut value = self.parse_and()?;
        while self.accept_operator(b'|', "|", "union")? {
            let rhs = self.parse_and()?;
            value = value || rhs;
        }
        Ok(value)
    }

    /// and := unary { '&' unary }
    fn parse_and(&mut self) -> Result<bool, ClassError> {
        let mut value = self.parse_unary()?;
        while self.accept_operator(b'&', "&", "intersection")? {
            let rhs = self.parse_unary()?;
            value = value && rhs;
        }
        Ok(value)
    }

    /// unary := '!' unary | '(' class ')' | NAME
    fn parse_unary(&mut self) -> Result<bool, ClassError> {
        self.c.skip_blanks();
        let at = self.c.pos;
        if self.c.peek() == Some(b'!') || self.c.peek() == Some(b'(') {
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return Err(ClassError {
                    range: at..at + 1,
                    message: "machine class nested too deeply".into(),
                    help: None,
                });
            }
        }
        let value = if self.c.accept(b'!') {
            !self.parse_unary()?
        } else if self.c.accept(b'(') {
            let inner = self.parse_class()?;
            self.c.skip_blanks();
            if !self.c.accept(b')') {
                return Err(ClassError {
                    range: at..at + 1,
                    message: "unclosed `(` in machine class".into(),
                    help: Some("add the missing `)`".into()),
                });
            }
            inner
        } else if let Some(range) = self.c.name() {
            let name = self.c.text.get(range.clone()).unwrap_or("");
            if !self.host.is_known(name) {
                self.unknown.push(range);
            }
            return Ok(self.host.is_true(name));
        } else {
            return Err(self.expected_name());
        };
        self.depth = self.depth.saturating_sub(1);
        Ok(value)
    }

    /// Accepts a single `op`; `opop` (`||`, `&&`) is an error.
    fn accept_operator(&mut self, op: u8, spelling: &str, what: &str) -> Result<bool, ClassError> {
        self.c.skip_blanks();
        if self.c.peek() != Some(op) {
            return Ok(false);
        }
        let at = self.c.pos;
        if self.c.peek_at(1) == Some(op) {
            return Err(ClassError {
                range: at..at + 2,
                message: format!("`{spelling}{spelling}` is not a machine-class operator"),
                help: Some(format!("use a single `{spelling}` for {what}")),
            });
        }
        self.c.pos += 1;
        Ok(true)
    }

    fn expected_name(&mut self) -> ClassError {
        self.c.skip_blanks();
        let at = self.c.pos;
        if at >= self.c.text.len() {
            return ClassError {
                range: at..at,
                message: "expected a host, alias, group or OS name at end of machine class".into(),
                help: None,
            };
        }
        let mut err = self.unexpected();
        err.message = format!(
            "expected a host, alias, group or OS name, found `{}`",
            self.c.text.get(err.range.clone()).unwrap_or("")
        );
        err
    }

    /// An error for the character (or word) at the cursor.
    fn unexpected(&mut self) -> ClassError {
        self.c.skip_blanks();
        let at = self.c.pos;
        let mut end = at;
        let bytes = self.c.text.as_bytes();
        while bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            end += 1;
        }
        if end == at {
            end = self
                .c
                .text
                .get(at..)
                .and_then(|s| s.chars().next())
                .map_or(at, |ch| at + ch.len_utf8());
        }
        ClassError {
            range: at..end,
            message: format!(
                "unexpected `{}` in machine class",
                self.c.text.get(at..end).unwrap_or("")
            ),
            help: Some(
                "combine names with `|` (union), `&` (intersection), `!` (not) and `( )`".into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> HostFacts {
        let mut h = HostFacts::new("moscow", ["linux", "mailserver"]);
        h.known.insert("nisserver".into());
        h
    }

    fn eval(expr: &str) -> Result<bool, ClassError> {
        eval_class(expr, 0, &host()).map(|v| v.value)
    }

    #[test]
    fn names_operators_and_precedence() {
        assert_eq!(eval("moscow"), Ok(true));
        assert_eq!(eval("nisserver"), Ok(false));
        assert_eq!(eval("!nisserver"), Ok(true));
        assert_eq!(eval("nisserver | linux"), Ok(true));
        assert_eq!(eval("nisserver & linux"), Ok(false));
        // `&` binds tighter than `|`: true | (false & false).
        assert_eq!(eval("linux | nisserver & nisserver"), Ok(true));
        assert_eq!(eval("(linux | nisserver) & nisserver"), Ok(false));
        assert_eq!(eval("!(linux&mailserver)"), Ok(false));
        assert_eq!(eval("! ! linux"), Ok(true));
    }

    #[test]
    fn unknown_names_are_false_and_reported() {
        let v = eval_class("linux & nosuch", 0, &host()).unwrap();
        assert!(!v.value);
        assert_eq!(v.unknown, vec![8..14]);
    }

    #[test]
    fn double_operators_are_errors_with_help() {
        let e = eval("linux || moscow").unwrap_err();
        assert_eq!(e.range, 6..8);
        assert_eq!(e.message, "`||` is not a machine-class operator");
        assert_eq!(e.help.as_deref(), Some("use a single `|` for union"));
        assert_eq!(eval("a && b").unwrap_err().range, 2..4);
    }

    #[test]
    fn malformed_expressions() {
        assert_eq!(eval("").unwrap_err().message, "missing machine class");
        assert_eq!(
            eval("(linux").unwrap_err().message,
            "unclosed `(` in machine class"
        );
        assert_eq!(eval("linux moscow").unwrap_err().range, 6..12);
        assert_eq!(
            eval("linux | ").unwrap_err().message,
            "expected a host, alias, group or OS name at end of machine class"
        );
        assert_eq!(
            eval("linux | 4x").unwrap_err().message,
            "expected a host, alias, group or OS name, found `4x`"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let expr = "(".repeat(100_000);
        assert_eq!(
            eval(&expr).unwrap_err().message,
            "machine class nested too deeply"
        );
        let bangs = "!".repeat(100_000) + "linux";
        assert!(eval(&bangs).is_err());
    }
}
