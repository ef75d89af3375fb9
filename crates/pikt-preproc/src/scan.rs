//! A small cursor over directive arguments, and the identifier rules.

use std::ops::Range;

/// A letter starts an identifier (hosts, groups, defines, macros).
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

/// Letters, digits, `-`, `_` and `.` continue one.
pub(crate) fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Blanks between directive words (`\r` so CRLF files behave).
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// A position in a directive line's text.
pub(crate) struct Cursor<'t> {
    pub text: &'t str,
    pub pos: usize,
}

/// Why a delimited argument could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unterminated {
    /// Where the opening delimiter is.
    pub open: usize,
}

impl<'t> Cursor<'t> {
    pub fn new(text: &'t str, pos: usize) -> Cursor<'t> {
        Cursor { text, pos }
    }

    pub fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + ahead).copied()
    }

    pub fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// True when only blanks are left.
    pub fn at_end(&mut self) -> bool {
        self.skip_blanks();
        self.pos >= self.text.len()
    }

    /// Consumes `b` if it is next.
    pub fn accept(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Reads an identifier at the cursor, if one starts here.
    pub fn name(&mut self) -> Option<Range<usize>> {
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some(start..self.pos)
    }

    /// Reads a run of non-blank characters.
    pub fn word(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        while self.peek().is_some_and(|b| !is_blank(b)) {
            self.pos += 1;
        }
        (self.pos > start).then_some(start..self.pos)
    }

    /// Reads `open ... close` and returns the range between the delimiters
    /// (the cursor must be on `open`). The text ends at the first `close`.
    pub fn delimited(&mut self, close: u8) -> Result<Range<usize>, Unterminated> {
        let open = self.pos;
        let inner = open + 1;
        let rest = self.text.as_bytes().get(inner..).unwrap_or(&[]);
        match memchr::memchr(close, rest) {
            Some(k) => {
                self.pos = inner + k + 1;
                Ok(inner..inner + k)
            }
            None => Err(Unterminated { open }),
        }
    }

    /// Reads `[ ... ]` where the command ends at the *last* `]` of the line,
    /// so commands may hold brackets themselves.
    pub fn bracketed(&mut self) -> Result<Range<usize>, Unterminated> {
        let open = self.pos;
        let inner = open + 1;
        let rest = self.text.as_bytes().get(inner..).unwrap_or(&[]);
        match memchr::memrchr(b']', rest) {
            Some(k) => {
                self.pos = inner + k + 1;
                Ok(inner..inner + k)
            }
            None => Err(Unterminated { open }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_command_ends_at_last_bracket() {
        let mut c = Cursor::new("[[ -f x ] && cat x] ", 0);
        assert_eq!(c.bracketed(), Ok(1..18));
        assert!(c.at_end());
    }

    #[test]
    fn names_follow_identifier_rules() {
        let mut c = Cursor::new("web-1.example_x|y", 0);
        assert_eq!(c.name(), Some(0..15));
        assert_eq!(Cursor::new("1abc", 0).name(), None);
    }

    #[test]
    fn unterminated_quote_reports_opening_position() {
        let mut c = Cursor::new("  \"abc", 2);
        assert_eq!(c.delimited(b'"'), Err(Unterminated { open: 2 }));
    }
}
