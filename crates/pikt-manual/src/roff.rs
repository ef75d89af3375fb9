//! A small writer of man-page roff in which every piece of text is
//! escaped, so no flag, help line or paragraph can change the page's
//! structure.
//!
//! Hand-written rather than the `roff` crate: that crate turns every `-`
//! into a minus sign (also in prose such as "per-host"), passes control
//! arguments through unescaped, and leaves non-ASCII characters to
//! preconv. Here:
//!
//! * a backslash becomes `\e`; a line that would start with `.` or `'`
//!   starts with `\&`; a control argument has its quotes as `\(dq` and is
//!   quoted when it holds a blank;
//! * in literal text (flags, code) every `-` is `\-` (an ASCII minus in a
//!   terminal, so a copied option works) and `'` and `` ` `` are `\(aq`
//!   and `\(ga`; in prose a `-` after a letter or digit stays a hyphen and
//!   any other `-` (`-T`, `--piktdir`) is `\-`;
//! * every non-ASCII character is `\[u` and its hex code point `]`
//!   (U+2014 is `\[u2014]`), so the page needs no
//!   preprocessor and renders the same in any locale.

use std::fmt::Write as _;

/// A font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Font {
    /// Roman (regular).
    Roman,
    /// Bold: literal text the user types.
    Bold,
    /// Italic: a value to replace.
    Italic,
    /// Bold italic.
    BoldItalic,
}

impl Font {
    /// The font with bold added.
    pub fn with_bold(self) -> Font {
        match self {
            Font::Roman | Font::Bold => Font::Bold,
            Font::Italic | Font::BoldItalic => Font::BoldItalic,
        }
    }

    /// The font with italic added.
    pub fn with_italic(self) -> Font {
        match self {
            Font::Roman | Font::Italic => Font::Italic,
            Font::Bold | Font::BoldItalic => Font::BoldItalic,
        }
    }

    fn escape(self) -> &'static str {
        match self {
            Font::Roman => r"\fR",
            Font::Bold => r"\fB",
            Font::Italic => r"\fI",
            Font::BoldItalic => r"\f(BI",
        }
    }
}

/// A piece of a text line in one font.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The text as the reader sees it.
    pub text: String,
    /// Its font.
    pub font: Font,
    /// Literal text (a flag, a command, code): every `-` is a minus.
    pub literal: bool,
}

impl Span {
    /// Prose in roman.
    pub fn prose(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            font: Font::Roman,
            literal: false,
        }
    }

    /// Literal text in bold (what the user types).
    pub fn code(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            font: Font::Bold,
            literal: true,
        }
    }

    /// A value name in italic (`DIR`, `ALERT...`).
    pub fn var(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            font: Font::Italic,
            literal: true,
        }
    }
}

/// `text` with backquoted parts as code, the rest as prose: the help lines
/// of the flag tables write commands as `` `exec: COMMAND` ``.
pub fn with_code(text: &str) -> Vec<Span> {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            if i % 2 == 1 {
                Span::code(part)
            } else {
                Span::prose(part)
            }
        })
        .collect()
}

/// A roff document being written.
#[derive(Clone, Debug, Default)]
pub struct Roff {
    out: String,
}

impl Roff {
    /// An empty document.
    pub fn new() -> Roff {
        Roff::default()
    }

    /// A comment line (`.\" text`).
    pub fn comment(&mut self, text: &str) -> &mut Roff {
        let _ = writeln!(self.out, r#".\" {}"#, one_line(text));
        self
    }

    /// A request or macro call with escaped arguments: `.TH PIKTC 1 ...`.
    pub fn control(&mut self, name: &str, args: &[&str]) -> &mut Roff {
        self.out.push('.');
        self.out.push_str(name);
        for arg in args {
            self.out.push(' ');
            self.out.push_str(&argument(arg));
        }
        self.out.push('\n');
        self
    }

    /// One text line made of `spans` (filled with the lines around it).
    /// Blanks are collapsed; a line with no text writes nothing.
    pub fn line(&mut self, spans: &[Span]) -> &mut Roff {
        let mut body = String::new();
        let mut font = Font::Roman;
        let mut previous: Option<char> = None;
        for span in spans {
            let text = collapse_blanks(&span.text, previous.is_none_or(char::is_whitespace));
            if text.is_empty() {
                continue;
            }
            if span.font != font {
                body.push_str(span.font.escape());
                font = span.font;
            }
            escape_into(&mut body, &text, span.literal, previous);
            previous = text.chars().last();
        }
        let body = body.trim_end();
        if body.is_empty() {
            return self;
        }
        self.start_text_line(body);
        self.out.push_str(body);
        if font != Font::Roman {
            self.out.push_str(Font::Roman.escape());
        }
        self.out.push('\n');
        self
    }

    /// One line of a no-fill block (`.nf` ... `.fi`): literal, blanks kept,
    /// tabs expanded to stops every eight columns.
    pub fn verbatim(&mut self, line: &str) -> &mut Roff {
        let expanded = expand_tabs(line);
        let mut body = String::new();
        escape_into(&mut body, expanded.trim_end(), true, None);
        self.start_text_line(&body);
        self.out.push_str(&body);
        self.out.push('\n');
        self
    }

    /// The document's text.
    pub fn finish(self) -> String {
        self.out
    }

    /// A text line must not start with a control character.
    fn start_text_line(&mut self, body: &str) {
        if body.starts_with('.') || body.starts_with('\'') {
            self.out.push_str(r"\&");
        }
    }
}

/// `text` on one line: newlines and tabs become blanks.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect()
}

/// Runs of blanks as one blank; leading blanks dropped when `at_start`.
fn collapse_blanks(text: &str, at_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = at_start;
    for c in text.chars() {
        if c.is_whitespace() {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out
}

/// Tabs to blanks, to the next multiple of eight columns.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let next = (column / 8 + 1) * 8;
            out.extend(std::iter::repeat_n(' ', next - column));
            column = next;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out
}

/// An escaped control argument, quoted when it holds a blank or is empty.
fn argument(arg: &str) -> String {
    let mut body = String::new();
    escape_into(&mut body, &one_line(arg), false, None);
    let body = body.replace('"', r"\(dq");
    if body.is_empty() || body.contains(' ') {
        format!("\"{body}\"")
    } else {
        body
    }
}

/// Appends `text` escaped. `before` is the character written just before
/// it (a `-` after a letter or digit is a hyphen in prose).
fn escape_into(out: &mut String, text: &str, literal: bool, before: Option<char>) {
    let mut previous = before;
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\e"),
            '-' if literal || !previous.is_some_and(char::is_alphanumeric) => {
                out.push_str(r"\-");
            }
            '\'' if literal => out.push_str(r"\(aq"),
            '`' => out.push_str(r"\(ga"),
            '\t' => out.push(' '),
            c if c.is_ascii_control() => {}
            c if !c.is_ascii() => {
                let _ = write!(out, r"\[u{:04X}]", u32::from(c));
            }
            c => out.push(c),
        }
        previous = Some(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(spans: &[Span]) -> String {
        let mut roff = Roff::new();
        roff.line(spans);
        roff.finish()
    }

    #[test]
    fn prose_keeps_hyphens_inside_words_and_escapes_option_dashes() {
        assert_eq!(
            line(&[Span::prose(
                "per-host runs: use -T or --piktdir (-D) or +|-A"
            )]),
            "per-host runs: use \\-T or \\-\\-piktdir (\\-D) or +|\\-A\n"
        );
    }

    #[test]
    fn literal_text_has_minus_signs_and_straight_quotes() {
        assert_eq!(
            line(&[Span::code("a-b 'x' `y`")]),
            "\\fBa\\-b \\(aqx\\(aq \\(gay\\(ga\\fR\n"
        );
    }

    #[test]
    fn a_line_never_starts_with_a_control_character() {
        assert_eq!(line(&[Span::prose(".SH evil")]), "\\&.SH evil\n");
        assert_eq!(line(&[Span::prose("'br")]), "\\&'br\n");
        assert_eq!(line(&[Span::prose("  .in 5")]), "\\&.in 5\n");
        let mut roff = Roff::new();
        roff.verbatim(".x").verbatim("'y");
        assert_eq!(roff.finish(), "\\&.x\n\\(aqy\n");
    }

    #[test]
    fn backslashes_and_non_ascii_are_escaped() {
        assert_eq!(
            line(&[Span::prose(r"a \fB b \\ — é 😀")]),
            "a \\efB b \\e\\e \\[u2014] \\[u00E9] \\[u1F600]\n"
        );
    }

    #[test]
    fn fonts_switch_only_when_they_change_and_end_roman() {
        assert_eq!(
            line(&[
                Span::code("-c"),
                Span::prose(", "),
                Span::code("--check"),
                Span::prose(" "),
                Span::var("DIR")
            ]),
            "\\fB\\-c\\fR, \\fB\\-\\-check\\fR \\fIDIR\\fR\n"
        );
    }

    #[test]
    fn blanks_collapse_and_empty_lines_vanish() {
        assert_eq!(line(&[Span::prose("a \n  b\t c  ")]), "a b c\n");
        assert_eq!(line(&[Span::prose("   ")]), "");
    }

    #[test]
    fn control_arguments_are_escaped_and_quoted() {
        let mut roff = Roff::new();
        roff.control("TH", &["PIKT-CONFIG", "5", "", "pikt 0.1.0", "a \"q\" \\"]);
        assert_eq!(
            roff.finish(),
            ".TH PIKT-CONFIG 5 \"\" \"pikt 0.1.0\" \"a \\(dqq\\(dq \\e\"\n"
        );
    }

    #[test]
    fn verbatim_lines_expand_tabs_and_keep_leading_blanks() {
        let mut roff = Roff::new();
        roff.verbatim("imapd\t\t10\t100").verbatim("    x -y");
        assert_eq!(roff.finish(), "imapd           10      100\n    x \\-y\n");
    }

    #[test]
    fn backquotes_mark_code() {
        assert_eq!(
            with_code("print `exec: CMD` for `-T`"),
            [
                Span::prose("print "),
                Span::code("exec: CMD"),
                Span::prose(" for "),
                Span::code("-T"),
            ]
        );
    }

    #[test]
    fn comments_stay_on_one_line() {
        let mut roff = Roff::new();
        roff.comment("generated\n.SH x");
        assert_eq!(roff.finish(), ".\\\" generated .SH x\n");
    }
}
