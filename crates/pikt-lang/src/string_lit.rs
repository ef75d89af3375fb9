//! Decoding string literals: escapes, continuation lines and the places
//! where values are interpolated (`docs/language.md`, "Lexical").
//!
//! This module only *finds* the interpolated pieces, as byte ranges of the
//! source; the parser turns each into an expression, so the expressions carry
//! real spans inside the string. Rules:
//! - `\$` is `$`, `\#` is `#`, `\\` is `\`; a backslash before a newline joins
//!   the next line (backslash, newline and the next line's leading blanks go);
//!   any other backslash is kept as written;
//! - `$name`, `#name`, `$name[...]`, `#name[...]`, `$name(...)`,
//!   `#name(...)`, `$1`..., `$[...]` are interpolated; a `$` or `#` followed by
//!   anything else is literal text;
//! - `%name`, `%$name`, `%#name` are values from the previous run when the
//!   script has such a variable (settled by the resolver; otherwise the text
//!   stays as written), and `\%name` is the text `%name`;
//! - in literal strings (`init` statements, `case` labels) nothing is
//!   interpolated.

use pikt_source::{Diagnostic, FileId, Span};

use crate::ast::VarType;

/// One piece of a decoded string. Offsets are bytes of the whole source text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    /// Text copied as is (escapes already applied).
    Lit(String),
    /// `$name` / `#name`; `span` covers sigil and name.
    Var {
        /// The sigil's type.
        ty: VarType,
        /// The name without sigil.
        name: String,
        /// Sigil and name.
        span: Span,
    },
    /// `$name[...]` / `#name[...]`.
    Index {
        /// The sigil's type.
        ty: VarType,
        /// The name without sigil.
        name: String,
        /// Sigil and name.
        name_span: Span,
        /// Start and end of the index expression (inside the brackets).
        inner: (usize, usize),
        /// The whole `$name[...]`.
        span: Span,
    },
    /// `$name(...)` / `#name(...)`: start and end of the whole call.
    Call(usize, usize),
    /// `$12`.
    Field(String, Span),
    /// `$[...]`: start and end of the index expression, and the whole span.
    FieldExpr((usize, usize), Span),
    /// `%name`, `%$name`, `%#name`: the sigil if written, the name, and the
    /// whole span.
    History {
        /// `$` or `#` when written.
        ty: Option<VarType>,
        /// The name without sigils.
        name: String,
        /// `%`, sigil and name.
        span: Span,
    },
}

/// The pieces of one string literal and the problems found.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    /// The pieces in order; adjacent literal text is merged.
    pub pieces: Vec<Piece>,
    /// Unbalanced brackets in interpolations.
    pub errors: Vec<Diagnostic>,
}

/// Decodes the string token at `span` of `text`; `interpolate` is false for
/// literal strings.
pub(crate) fn decode(text: &str, span: Span, interpolate: bool) -> Decoded {
    let start = span.start as usize;
    let end = (span.end as usize).min(text.len());
    let terminated = end >= start + 2 && text.as_bytes().get(end - 1) == Some(&b'"');
    let content_end = if terminated { end - 1 } else { end };
    let mut decoder = Decoder {
        text,
        bytes: text.as_bytes(),
        file: span.file,
        end: content_end,
        pos: (start + 1).min(content_end),
        lit: String::new(),
        out: Decoded::default(),
        interpolate,
    };
    decoder.run();
    decoder.out
}

struct Decoder<'src> {
    text: &'src str,
    bytes: &'src [u8],
    file: FileId,
    end: usize,
    pos: usize,
    lit: String,
    out: Decoded,
    interpolate: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Decoder<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        if at < self.end {
            self.bytes.get(at).copied()
        } else {
            None
        }
    }

    fn run(&mut self) {
        let mut run_start = self.pos;
        while self.pos < self.end {
            let at = self.pos;
            let special = match self.bytes.get(at) {
                Some(b'\\') => true,
                Some(b'$' | b'#') => self.interpolate,
                Some(b'%') => self.interpolate && self.history_name_len(at + 1).is_some(),
                _ => false,
            };
            if !special {
                self.pos += 1;
                continue;
            }
            self.push_text(run_start, at);
            match self.bytes.get(at) {
                Some(b'\\') => self.escape(),
                Some(b'%') => self.history(at),
                _ => self.sigil(),
            }
            run_start = self.pos;
        }
        self.push_text(run_start, self.end);
        self.flush();
    }

    fn push_text(&mut self, from: usize, to: usize) {
        if let Some(text) = self.text.get(from..to) {
            self.lit.push_str(text);
        }
    }

    fn flush(&mut self) {
        if !self.lit.is_empty() {
            self.out
                .pieces
                .push(Piece::Lit(std::mem::take(&mut self.lit)));
        }
    }

    fn push_piece(&mut self, piece: Piece) {
        self.flush();
        self.out.pieces.push(piece);
    }

    /// At a backslash.
    fn escape(&mut self) {
        let at = self.pos;
        match (self.byte(at + 1), self.byte(at + 2)) {
            (Some(b'\n'), _) => self.continue_line(at + 2),
            (Some(b'\r'), Some(b'\n')) => self.continue_line(at + 3),
            (Some(b @ (b'$' | b'#' | b'\\')), _) => {
                self.lit.push(char::from(b));
                self.pos = at + 2;
            }
            (Some(b'%'), Some(b'$' | b'#')) if self.interpolate => {
                self.lit.push('%');
                self.pos = at + 2;
            }
            (Some(b'%'), Some(b)) if self.interpolate && b.is_ascii_alphabetic() => {
                self.lit.push('%');
                self.pos = at + 2;
            }
            _ => {
                self.lit.push('\\');
                self.pos = at + 1;
            }
        }
    }

    fn continue_line(&mut self, from: usize) {
        let mut at = from;
        while matches!(self.byte(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        self.pos = at;
    }

    fn span(&self, from: usize, to: usize) -> Span {
        Span::new(self.file, from, to)
    }

    /// At a `$` or `#` in an interpolating string.
    fn sigil(&mut self) {
        let at = self.pos;
        let dollar = self.bytes.get(at) == Some(&b'$');
        let ty = if dollar { VarType::Str } else { VarType::Num };
        match self.byte(at + 1) {
            Some(b) if b.is_ascii_alphabetic() => self.name(at, ty),
            Some(b) if dollar && b.is_ascii_digit() => {
                let mut stop = at + 1;
                while self.byte(stop).is_some_and(|b| b.is_ascii_digit()) {
                    stop += 1;
                }
                let digits = self.text.get(at + 1..stop).unwrap_or("").to_string();
                self.push_piece(Piece::Field(digits, self.span(at, stop)));
                self.pos = stop;
            }
            Some(b'[') if dollar => match self.matching(at + 1, b'[', b']') {
                Some(close) => {
                    self.push_piece(Piece::FieldExpr((at + 2, close), self.span(at, close + 1)));
                    self.pos = close + 1;
                }
                None => self.unclosed(at, at + 2, '['),
            },
            _ => {
                self.lit.push(if dollar { '$' } else { '#' });
                self.pos = at + 1;
            }
        }
    }

    /// The length of a history reference's text after its `%` at `from`
    /// (`name`, `$name` or `#name`), if one is there.
    fn history_name_len(&self, from: usize) -> Option<usize> {
        let sigil = usize::from(matches!(self.byte(from), Some(b'$' | b'#')));
        if !self.byte(from + sigil)?.is_ascii_alphabetic() {
            return None;
        }
        let mut stop = from + sigil;
        while self.byte(stop).is_some_and(is_name_byte) {
            stop += 1;
        }
        Some(stop - from)
    }

    /// `%name` at `at`.
    fn history(&mut self, at: usize) {
        let len = self.history_name_len(at + 1).unwrap_or(0);
        let stop = at + 1 + len;
        let (ty, name_start) = match self.byte(at + 1) {
            Some(b'$') => (Some(VarType::Str), at + 2),
            Some(b'#') => (Some(VarType::Num), at + 2),
            _ => (None, at + 1),
        };
        let name = self.text.get(name_start..stop).unwrap_or("").to_string();
        self.push_piece(Piece::History {
            ty,
            name,
            span: self.span(at, stop),
        });
        self.pos = stop;
    }

    /// `$name...` at `at`.
    fn name(&mut self, at: usize, ty: VarType) {
        let mut stop = at + 1;
        while self.byte(stop).is_some_and(is_name_byte) {
            stop += 1;
        }
        let name = self.text.get(at + 1..stop).unwrap_or("").to_string();
        let name_span = self.span(at, stop);
        match self.byte(stop) {
            Some(b'(') => match self.matching(stop, b'(', b')') {
                Some(close) => {
                    self.push_piece(Piece::Call(at, close + 1));
                    self.pos = close + 1;
                }
                None => self.unclosed(at, stop + 1, '('),
            },
            Some(b'[') => match self.matching(stop, b'[', b']') {
                Some(close) => {
                    self.push_piece(Piece::Index {
                        ty,
                        name,
                        name_span,
                        inner: (stop + 1, close),
                        span: self.span(at, close + 1),
                    });
                    self.pos = close + 1;
                }
                None => self.unclosed(at, stop + 1, '['),
            },
            _ => {
                self.push_piece(Piece::Var {
                    ty,
                    name,
                    span: name_span,
                });
                self.pos = stop;
            }
        }
    }

    /// The offset of the bracket closing the one at `open`, counting nesting.
    fn matching(&self, open: usize, opener: u8, closer: u8) -> Option<usize> {
        let mut depth = 0usize;
        let mut at = open;
        while let Some(b) = self.byte(at) {
            if b == opener {
                depth += 1;
            } else if b == closer {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(at);
                }
            }
            at += 1;
        }
        None
    }

    /// Reports an unbalanced bracket; the rest of the string is literal text.
    fn unclosed(&mut self, at: usize, open_end: usize, bracket: char) {
        let closer = if bracket == '(' { ')' } else { ']' };
        let diag = Diagnostic::error(
            format!("unclosed `{bracket}` in an interpolated string"),
            self.span(at, open_end),
        )
        .with_label(format!("no `{closer}` before the end of the string"))
        .with_help(format!(
            "write `\\{}` for a literal `{}`",
            self.text.get(at..at + 1).unwrap_or("$"),
            self.text.get(at..at + 1).unwrap_or("$")
        ));
        self.out.errors.push(diag);
        self.push_text(at, self.end);
        self.pos = self.end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(source: &str, interpolate: bool) -> Vec<Piece> {
        let span = Span::new(FileId(0), 0, source.len());
        let decoded = decode(source, span, interpolate);
        assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
        decoded.pieces
    }

    fn lit(s: &str) -> Piece {
        Piece::Lit(s.to_string())
    }

    #[test]
    fn escapes_and_kept_backslashes() {
        assert_eq!(
            pieces(r#""a\$b\#c\\d\.e\""#, true),
            vec![lit(r"a$b#c\d\.e\")]
        );
    }

    #[test]
    fn percent_names_are_history_pieces_and_can_be_escaped() {
        assert_eq!(
            pieces(r#""was %sum, %$s %#n \%x 100% %5""#, true),
            vec![
                lit("was "),
                Piece::History {
                    ty: None,
                    name: "sum".into(),
                    span: Span::new(FileId(0), 5, 9)
                },
                lit(", "),
                Piece::History {
                    ty: Some(VarType::Str),
                    name: "s".into(),
                    span: Span::new(FileId(0), 11, 14)
                },
                lit(" "),
                Piece::History {
                    ty: Some(VarType::Num),
                    name: "n".into(),
                    span: Span::new(FileId(0), 15, 18)
                },
                lit(" %x 100% %5"),
            ]
        );
        // literal strings have no history
        assert_eq!(pieces(r#""%x \%x""#, false), vec![lit(r"%x \%x")]);
    }

    #[test]
    fn continuation_drops_newline_and_leading_blanks() {
        assert_eq!(
            pieces("\"ps | \\\n\t\t    sort\"", false),
            vec![lit("ps | sort")]
        );
        assert_eq!(pieces("\"a\\\r\n  b\"", false), vec![lit("ab")]);
    }

    #[test]
    fn dollar_not_before_a_name_is_literal() {
        assert_eq!(
            pieces(r#""$pr$""#, true),
            vec![
                Piece::Var {
                    ty: VarType::Str,
                    name: "pr".into(),
                    span: Span::new(FileId(0), 1, 4)
                },
                lit("$")
            ]
        );
        assert_eq!(pieces(r##""# $ #1 $_""##, true), vec![lit("# $ #1 $_")]);
    }

    #[test]
    fn interpolations_are_located() {
        let source = r#""$a[$k] #f(#x, 2) $12 $[#i + 1]""#;
        let got = pieces(source, true);
        assert_eq!(
            got,
            vec![
                Piece::Index {
                    ty: VarType::Str,
                    name: "a".into(),
                    name_span: Span::new(FileId(0), 1, 3),
                    inner: (4, 6),
                    span: Span::new(FileId(0), 1, 7),
                },
                lit(" "),
                Piece::Call(8, 17),
                lit(" "),
                Piece::Field("12".into(), Span::new(FileId(0), 18, 21)),
                lit(" "),
                Piece::FieldExpr((24, 30), Span::new(FileId(0), 22, 31)),
            ]
        );
        assert_eq!(&source[8..17], "#f(#x, 2)");
    }

    #[test]
    fn literal_strings_do_not_interpolate() {
        assert_eq!(
            pieces(r#""awk '{print $1}' \$2""#, false),
            vec![lit("awk '{print $1}' $2")]
        );
    }

    #[test]
    fn unclosed_bracket_is_reported_and_kept_as_text() {
        let source = r#""x $f(1""#;
        let decoded = decode(source, Span::new(FileId(0), 0, source.len()), true);
        assert_eq!(decoded.pieces, vec![lit("x $f(1")]);
        assert_eq!(
            decoded.errors[0].message,
            "unclosed `(` in an interpolated string"
        );
        assert_eq!(decoded.errors[0].span, Some(Span::new(FileId(0), 3, 6)));
    }

    #[test]
    fn unterminated_string_decodes_to_the_line_end() {
        assert_eq!(pieces("\"abc", true), vec![lit("abc")]);
        assert_eq!(pieces("\"", true), vec![]);
    }
}
