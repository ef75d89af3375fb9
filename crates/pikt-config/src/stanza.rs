//! The stanza reader shared by every config file (reference §1.2).
//!
//! A config file is a sequence of stanzas. A stanza starts with an identifier
//! in column 1; its body is the rest of that line (the *head*) and the
//! indented lines that follow. Blank lines separate stanzas but do not end
//! one: in programs.cfg a program may contain blank lines.
//!
//! The reader works on the *derived* text the preprocessor produced for one
//! host, so every span it makes resolves to the file and line the user wrote
//! through [`pikt_source::SourceMap::resolve`].
//!
//! Two body styles exist:
//!
//! * [`BodyStyle::Free`] (every file but programs.cfg and files.cfg): the
//!   amount of indentation is irrelevant; whitespace-only lines are dropped.
//! * [`BodyStyle::Exact`] (programs.cfg and files.cfg): everything after the
//!   *first* whitespace character of a body line is content, byte for byte;
//!   blank lines inside the body are kept, trailing ones are dropped.
//!
//! Errors (a bad identifier, an indented line before any stanza) are reported
//! and the reader recovers at the next column-1 line, so one run reports
//! every problem.

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::words::is_space;

/// How the body lines of a file are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyStyle {
    /// Indentation is irrelevant; whitespace-only lines are dropped.
    Free,
    /// Only the first whitespace character is indentation; the rest is content.
    Exact,
}

/// What a file allows in its stanza identifiers and bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StanzaRules {
    /// `/` is allowed in identifiers, which may then start with `/` (a full path).
    pub allow_slash: bool,
    /// A parameter list `(A, B)` may follow the identifier directly (macros.cfg).
    pub allow_params: bool,
    /// How body lines are read.
    pub style: BodyStyle,
}

impl StanzaRules {
    /// systems, defines, alerts, alarms and objects.
    pub const PLAIN: StanzaRules = StanzaRules {
        allow_slash: false,
        allow_params: false,
        style: BodyStyle::Free,
    };
    /// macros.cfg: `name(A, B)` heads.
    pub const MACROS: StanzaRules = StanzaRules {
        allow_slash: false,
        allow_params: true,
        style: BodyStyle::Free,
    };
    /// programs.cfg and files.cfg: path identifiers, exact bodies.
    pub const EXACT: StanzaRules = StanzaRules {
        allow_slash: true,
        allow_params: false,
        style: BodyStyle::Exact,
    };
}

/// One line of a stanza (its head or a body line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyLine {
    /// The whole line as written, without its newline.
    pub raw: String,
    /// The span of `raw`.
    pub span: Span,
    /// Bytes of `raw` that are indentation, not content.
    pub indent_len: usize,
}

impl BodyLine {
    /// The line without its indentation.
    pub fn content(&self) -> &str {
        self.raw.get(self.indent_len..).unwrap_or("")
    }

    /// The span of [`BodyLine::content`].
    pub fn content_span(&self) -> Span {
        Span::new(
            self.span.file,
            self.span.start as usize + self.indent_len,
            self.span.end as usize,
        )
    }

    /// True when the content is empty or only blanks.
    pub fn is_blank(&self) -> bool {
        self.content().bytes().all(is_space)
    }
}

/// A stanza: identifier, head (rest of the identifier line) and body lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stanza {
    /// The identifier.
    pub name: String,
    /// Where the identifier is written.
    pub name_span: Span,
    /// The rest of the identifier line after the identifier (`indent_len` 0).
    pub head: BodyLine,
    /// The indented lines that follow, in order.
    pub body: Vec<BodyLine>,
}

impl Stanza {
    /// The head (when it has content) followed by the body lines: every line
    /// of the stanza that can hold a value.
    pub fn lines(&self) -> impl Iterator<Item = &BodyLine> {
        std::iter::once(&self.head)
            .filter(|h| !h.is_blank())
            .chain(self.body.iter())
    }

    /// From the identifier to the end of the last body line.
    pub fn span(&self) -> Span {
        let end = self.body.last().map_or(self.head.span, |l| l.span);
        self.name_span.to(end)
    }
}

/// Reads every stanza of derived file `file`.
pub fn read_stanzas(
    map: &SourceMap,
    file: FileId,
    rules: StanzaRules,
) -> (Vec<Stanza>, Vec<Diagnostic>) {
    let mut reader = Reader {
        file,
        rules,
        stanzas: Vec::new(),
        diags: Vec::new(),
        skipping: false,
        stray_reported: false,
    };
    let text = &map.get(file).text;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let raw = line.strip_suffix('\n').unwrap_or(line);
        reader.line(raw, offset);
        offset += line.len();
    }
    reader.finish()
}

struct Reader {
    file: FileId,
    rules: StanzaRules,
    stanzas: Vec<Stanza>,
    diags: Vec<Diagnostic>,
    /// True after a bad identifier: its body lines are skipped silently.
    skipping: bool,
    /// Only the first indented line before any stanza is reported.
    stray_reported: bool,
}

impl Reader {
    fn line(&mut self, raw: &str, offset: usize) {
        let span = Span::new(self.file, offset, offset + raw.len());
        match raw.bytes().next() {
            None => self.blank_line(raw, span),
            Some(b) if is_space(b) => self.body_line(raw, span),
            Some(_) => self.head_line(raw, span),
        }
    }

    fn blank_line(&mut self, raw: &str, span: Span) {
        if self.rules.style == BodyStyle::Exact && !self.skipping {
            if let Some(stanza) = self.stanzas.last_mut() {
                stanza.body.push(BodyLine {
                    raw: raw.to_string(),
                    span,
                    indent_len: 0,
                });
            }
        }
    }

    fn body_line(&mut self, raw: &str, span: Span) {
        if self.skipping {
            return;
        }
        let indent_len = match self.rules.style {
            BodyStyle::Free => raw.len() - raw.trim_start_matches([' ', '\t', '\r']).len(),
            BodyStyle::Exact => 1,
        };
        let line = BodyLine {
            raw: raw.to_string(),
            span,
            indent_len,
        };
        if self.rules.style == BodyStyle::Free && line.is_blank() {
            return;
        }
        match self.stanzas.last_mut() {
            Some(stanza) => stanza.body.push(line),
            None if line.is_blank() => {}
            None => {
                if !self.stray_reported {
                    self.stray_reported = true;
                    self.diags.push(
                        Diagnostic::error("indented line before any stanza", line.content_span())
                            .with_help("a stanza starts with its identifier in column 1"),
                    );
                }
            }
        }
    }

    fn head_line(&mut self, raw: &str, span: Span) {
        self.trim_trailing_blank_lines();
        let ident_len = identifier_len(raw, self.rules);
        let after = raw.as_bytes().get(ident_len).copied();
        let ends_cleanly = match after {
            None => true,
            Some(b'(') => self.rules.allow_params,
            Some(b) => is_space(b),
        };
        if ident_len == 0 || !ends_cleanly {
            self.skipping = true;
            self.diags
                .push(bad_identifier(raw, span, ident_len, self.rules));
            return;
        }
        self.skipping = false;
        let start = span.start as usize;
        self.stanzas.push(Stanza {
            name: raw[..ident_len].to_string(),
            name_span: Span::new(self.file, start, start + ident_len),
            head: BodyLine {
                raw: raw[ident_len..].to_string(),
                span: Span::new(self.file, start + ident_len, span.end as usize),
                indent_len: 0,
            },
            body: Vec::new(),
        });
    }

    /// Blank lines at the end of a stanza separate it from the next one.
    fn trim_trailing_blank_lines(&mut self) {
        if let Some(stanza) = self.stanzas.last_mut() {
            while stanza
                .body
                .last()
                .is_some_and(|l| l.raw.bytes().all(is_space))
            {
                stanza.body.pop();
            }
        }
    }

    fn finish(mut self) -> (Vec<Stanza>, Vec<Diagnostic>) {
        self.trim_trailing_blank_lines();
        (self.stanzas, self.diags)
    }
}

/// Length in bytes of the identifier at the start of `raw` (0 when none).
fn identifier_len(raw: &str, rules: StanzaRules) -> usize {
    let bytes = raw.as_bytes();
    let starts_ok = match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() => true,
        Some(b'/') => rules.allow_slash,
        _ => false,
    };
    if !starts_ok {
        return 0;
    }
    bytes
        .iter()
        .position(|&b| !is_identifier_byte(b, rules.allow_slash))
        .unwrap_or(bytes.len())
}

/// Letters, digits, `-`, `_`, `.` (and `/` where allowed).
pub fn is_identifier_byte(b: u8, allow_slash: bool) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') || (allow_slash && b == b'/')
}

/// True when all of `text` is a valid identifier (reference §1.2).
pub fn is_identifier(text: &str) -> bool {
    text.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && text.bytes().all(|b| is_identifier_byte(b, false))
}

fn bad_identifier(raw: &str, span: Span, ident_len: usize, rules: StanzaRules) -> Diagnostic {
    let token_len = raw.bytes().position(is_space).unwrap_or(raw.len());
    let start = span.start as usize;
    let token = &raw[..token_len];
    let help = if rules.allow_slash {
        "identifiers start with a letter or `/` and contain letters, digits, `-`, `_`, `.` and `/`"
    } else {
        "identifiers start with a letter and contain letters, digits, `-`, `_` and `.`"
    };
    let diag = if ident_len == 0 {
        Diagnostic::error(
            format!("invalid stanza identifier `{token}`"),
            Span::new(span.file, start, start + token_len),
        )
    } else {
        let bad = raw[ident_len..].chars().next().unwrap_or(' ');
        Diagnostic::error(
            format!("invalid character `{bad}` in stanza identifier `{token}`"),
            Span::new(
                span.file,
                start + ident_len,
                start + ident_len + bad.len_utf8(),
            ),
        )
    };
    diag.with_help(help)
}

/// Reports every stanza whose identifier repeats an earlier one, and returns
/// the stanzas with the repeats removed (the first definition wins).
///
/// `what` names the domain for the message ("alarm", "object set", ...).
pub fn dedup_stanzas(
    map: &SourceMap,
    stanzas: Vec<Stanza>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Stanza> {
    let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(stanzas.len());
    for stanza in stanzas {
        if let Some(first) = seen.get(&stanza.name) {
            diags.push(duplicate(map, what, &stanza.name, stanza.name_span, *first));
        } else {
            seen.insert(stanza.name.clone(), stanza.name_span);
            kept.push(stanza);
        }
    }
    kept
}

/// "duplicate {what} `name`" at `again`, with a note locating `first`.
pub fn duplicate(map: &SourceMap, what: &str, name: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::error(format!("duplicate {what} `{name}`"), again)
        .with_label("defined again here")
        .with_note(format!("first defined at {}", map.location(first)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn read(text: &str, rules: StanzaRules) -> (SourceMap, Vec<Stanza>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let id = map.add("t.cfg", text);
        let (stanzas, diags) = read_stanzas(&map, id, rules);
        (map, stanzas, diags)
    }

    #[test]
    fn head_and_indented_body_form_one_stanza() {
        let (_, stanzas, diags) = read(
            "Urgent timing 0 * * * *\n\talarms A\n\n  B\nNext x\n",
            StanzaRules::PLAIN,
        );
        assert!(diags.is_empty());
        assert_eq!(stanzas.len(), 2);
        assert_eq!(stanzas[0].name, "Urgent");
        assert_eq!(stanzas[0].head.raw, " timing 0 * * * *");
        let body: Vec<&str> = stanzas[0].body.iter().map(BodyLine::content).collect();
        assert_eq!(body, ["alarms A", "B"]);
        assert_eq!(stanzas[1].name_span, Span::new(FileId(0), 39, 43));
    }

    #[test]
    fn exact_style_keeps_everything_after_the_first_blank() {
        let text = "/etc/motd\n\t  indented\n\n\tlast\n\n\nnext\n";
        let (_, stanzas, _) = read(text, StanzaRules::EXACT);
        assert_eq!(stanzas[0].name, "/etc/motd");
        let body: Vec<&str> = stanzas[0].body.iter().map(BodyLine::content).collect();
        assert_eq!(body, ["  indented", "", "last"]);
    }

    #[test]
    fn slash_is_an_identifier_error_outside_programs_and_files() {
        let (map, stanzas, diags) = read("a/b x\n\tbody\nok\n", StanzaRules::PLAIN);
        assert_eq!(stanzas.len(), 1, "the bad stanza is skipped with its body");
        assert_eq!(
            render(&map, &diags[0]),
            "error: invalid character `/` in stanza identifier `a/b`\n --> t.cfg:1:2\n  |\n1 | a/b x\n  |  ^\n  = help: identifiers start with a letter and contain letters, digits, `-`, `_` and `.`\n"
        );
    }

    #[test]
    fn identifier_must_start_with_a_letter() {
        let (map, _, diags) = read("9lives yes\n", StanzaRules::PLAIN);
        assert_eq!(diags.len(), 1);
        assert!(render(&map, &diags[0]).starts_with(
            "error: invalid stanza identifier `9lives`\n --> t.cfg:1:1\n  |\n1 | 9lives yes\n  | ^^^^^^\n"
        ));
    }

    #[test]
    fn params_may_follow_a_macro_name() {
        let (_, stanzas, diags) = read("kill(P, U) body\n", StanzaRules::MACROS);
        assert!(diags.is_empty());
        assert_eq!(stanzas[0].name, "kill");
        assert_eq!(stanzas[0].head.raw, "(P, U) body");
    }

    #[test]
    fn indented_line_before_any_stanza_is_reported_once() {
        let (map, stanzas, diags) = read("\tstray\n\tmore\nA x\n", StanzaRules::PLAIN);
        assert_eq!(stanzas.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(map.location(diags[0].span.unwrap_or_default()), "t.cfg:1:2");
    }

    #[test]
    fn duplicates_are_reported_with_the_first_location() {
        let (map, stanzas, _) = read("A 1\nB 2\nA 3\n", StanzaRules::PLAIN);
        let mut diags = Vec::new();
        let kept = dedup_stanzas(&map, stanzas, "define", &mut diags);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            render(&map, &diags[0]),
            "error: duplicate define `A`\n --> t.cfg:3:1\n  |\n3 | A 3\n  | ^ defined again here\n  = note: first defined at t.cfg:1:1\n"
        );
    }

    #[test]
    fn lines_skip_an_empty_head() {
        let (_, stanzas, _) = read("Obj\n\ta 1\n", StanzaRules::PLAIN);
        let lines: Vec<&str> = stanzas[0].lines().map(BodyLine::content).collect();
        assert_eq!(lines, ["a 1"]);
        assert_eq!(stanzas[0].span(), Span::new(FileId(0), 0, 8));
    }
}
