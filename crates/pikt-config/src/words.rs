//! Located words: the tokens of stanza bodies and option lines.
//!
//! Config bodies are line oriented and split on whitespace, except that a
//! double-quoted string is one word (PIKT strings cannot contain a double
//! quote, so there is no escape to handle). Every word keeps its span so a
//! model can point at exactly the value that is wrong.

use pikt_source::{Diagnostic, Span};

/// A word of a config line with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The text as written (quotes included for quoted words).
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

impl Word {
    /// True when the word is a double-quoted string.
    pub fn is_quoted(&self) -> bool {
        self.text.len() >= 2 && self.text.starts_with('"') && self.text.ends_with('"')
    }

    /// The text without surrounding double quotes (unchanged when unquoted).
    pub fn unquoted(&self) -> &str {
        if self.is_quoted() {
            self.text.get(1..self.text.len() - 1).unwrap_or("")
        } else {
            &self.text
        }
    }
}

/// Splits `text`, which starts at byte `base` of `span.file`, into words.
///
/// A double quote starts a quoted word that runs to the next double quote; an
/// unterminated quote is reported and the word runs to the end of the line.
pub fn split_words(text: &str, base: Span) -> (Vec<Word>, Vec<Diagnostic>) {
    let mut words = Vec::new();
    let mut diags = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_space(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        if bytes[i] == b'"' {
            match text[i + 1..].find('"') {
                Some(close) => i = i + 1 + close + 1,
                None => {
                    i = bytes.len();
                    diags.push(
                        Diagnostic::error("unterminated string", span_in(base, start, i))
                            .with_label("no closing `\"`"),
                    );
                }
            }
            // A quoted word ends at its closing quote even without a space.
        } else {
            while i < bytes.len() && !is_space(bytes[i]) {
                if bytes[i] == b'"' {
                    break;
                }
                i += 1;
            }
        }
        words.push(Word {
            text: text[start..i].to_string(),
            span: span_in(base, start, i),
        });
    }
    (words, diags)
}

/// A config line made of one or more written lines: a double-quoted value
/// may go on to the next line when its line ends with a backslash (PIKT's
/// LISA 2000 listing wraps a `mailcmd` this way). The backslash, the
/// newline and the next line's leading blanks are dropped, as in Pikt
/// strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalLine {
    /// The joined text.
    pub text: String,
    /// Where each written piece starts in `text`, and its span.
    pieces: Vec<(usize, Span)>,
}

impl LogicalLine {
    /// A line of one written piece.
    pub fn single(text: &str, span: Span) -> LogicalLine {
        LogicalLine {
            text: text.to_string(),
            pieces: vec![(0, span)],
        }
    }

    /// The span of the whole line (from its first to its last piece).
    pub fn span(&self) -> Span {
        let first = self.pieces.first().map_or(Span::default(), |p| p.1);
        let last = self.pieces.last().map_or(first, |p| p.1);
        first.to(last)
    }

    /// The written position of byte `offset` of the text.
    fn position(&self, offset: usize) -> (pikt_source::FileId, usize) {
        let index = self
            .pieces
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1);
        let (start, span) = self.pieces.get(index).copied().unwrap_or_default();
        (span.file, span.start as usize + (offset - start))
    }

    /// The words of the line, each with its written span.
    pub fn words(&self) -> (Vec<Word>, Vec<Diagnostic>) {
        let file = self.pieces.first().map_or(Span::default(), |p| p.1).file;
        let (mut words, mut diags) = split_words(&self.text, Span::new(file, 0, 0));
        let remap = |span: &mut Span| {
            let (start, end) = (span.start as usize, span.end as usize);
            let (file, from) = self.position(start);
            let to = if end > start {
                self.position(end - 1).1 + 1
            } else {
                from
            };
            *span = Span::new(file, from, to.max(from));
        };
        for word in &mut words {
            remap(&mut word.span);
        }
        for diag in &mut diags {
            if let Some(span) = &mut diag.span {
                remap(span);
            }
        }
        (words, diags)
    }
}

/// Joins written lines (text and span each) into [`LogicalLine`]s where a
/// line ends inside a double-quoted value with a backslash.
pub fn join_quoted_continuations<'a>(
    lines: impl IntoIterator<Item = (&'a str, Span)>,
) -> Vec<LogicalLine> {
    let mut out: Vec<LogicalLine> = Vec::new();
    let mut open = false;
    for (text, span) in lines {
        match out.last_mut() {
            Some(line) if open => {
                let trimmed = text.trim_start_matches([' ', '\t']);
                let skipped = text.len() - trimmed.len();
                let at = line.text.len();
                line.text.push_str(trimmed);
                let start = span.start as usize + skipped;
                line.pieces
                    .push((at, Span::new(span.file, start, span.end as usize)));
            }
            _ => out.push(LogicalLine::single(text, span)),
        }
        open = false;
        if let Some(line) = out.last_mut() {
            let body = line.text.trim_end_matches([' ', '\t', '\r']);
            let quotes = body.bytes().filter(|&b| b == b'"').count();
            if quotes % 2 == 1 && body.ends_with('\\') {
                let cut = body.len() - 1;
                line.text.truncate(cut);
                open = true;
            }
        }
    }
    out
}

/// The span of bytes `start..end` of a text that starts at `base.start`.
pub fn span_in(base: Span, start: usize, end: usize) -> Span {
    let origin = base.start as usize;
    Span::new(base.file, origin + start, origin + end)
}

/// True for the blanks that separate words (space and tab, plus a stray CR).
pub fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Parses a PIKT boolean spelling: `TRUE/true/YES/yes/ON/on/1` and
/// `FALSE/false/NO/no/OFF/off/0` (reference §1.5). Mixed case is accepted too.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// The candidate closest to `word` when it is plausibly a typo of it
/// (edit distance at most a third of the word, and at least 1).
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::FileId;

    fn base() -> Span {
        Span::new(FileId(0), 10, 10)
    }

    #[test]
    fn splits_on_blanks_and_keeps_quoted_strings_whole() {
        let (words, diags) = split_words("mailcmd  \"mailx -s 'x y'\" tail", base());
        assert!(diags.is_empty());
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["mailcmd", "\"mailx -s 'x y'\"", "tail"]);
        assert_eq!(words[1].span, Span::new(FileId(0), 19, 35));
        assert_eq!(words[1].unquoted(), "mailx -s 'x y'");
    }

    #[test]
    fn unterminated_quote_is_reported_at_the_quote() {
        let (words, diags) = split_words("path \"/etc/x", base());
        assert_eq!(words.len(), 2);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "unterminated string");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 15, 22)));
    }

    #[test]
    fn quoted_values_continue_after_a_backslash() {
        let file = FileId(0);
        let text = "mailcmd \"mailx -s 'PIKT Alert' \\\n\t\troot\" extra\nnext 1";
        let first = &text[..text.find('\n').unwrap()];
        let second_start = text.find('\n').unwrap() + 1;
        let third_start = text.rfind('\n').unwrap() + 1;
        let second = &text[second_start..third_start - 1];
        let third = &text[third_start..];
        let lines = join_quoted_continuations([
            (first, Span::new(file, 0, first.len())),
            (second, Span::new(file, second_start, third_start - 1)),
            (third, Span::new(file, third_start, text.len())),
        ]);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].text,
            "mailcmd \"mailx -s 'PIKT Alert' root\" extra"
        );
        let (words, diags) = lines[0].words();
        assert!(diags.is_empty());
        assert_eq!(words[1].unquoted(), "mailx -s 'PIKT Alert' root");
        // the value's span runs from its quote to its closing quote below
        assert_eq!(
            &text[words[1].span.start as usize..words[1].span.end as usize],
            "\"mailx -s 'PIKT Alert' \\\n\t\troot\""
        );
        assert_eq!(
            &text[words[2].span.start as usize..words[2].span.end as usize],
            "extra"
        );
        assert_eq!(lines[1].text, "next 1");
    }

    #[test]
    fn a_backslash_outside_quotes_does_not_join() {
        let lines = join_quoted_continuations([
            ("a \\", Span::new(FileId(0), 0, 3)),
            ("b", Span::new(FileId(0), 4, 5)),
        ]);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn booleans_accept_every_documented_spelling() {
        for t in ["TRUE", "true", "YES", "yes", "ON", "on", "1"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["FALSE", "false", "NO", "no", "OFF", "off", "0"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn suggestions_only_for_close_words() {
        assert_eq!(
            did_you_mean("mialcmd", ["mailcmd", "lpcmd"]),
            Some("mailcmd")
        );
        assert_eq!(did_you_mean("zzz", ["mailcmd", "lpcmd"]), None);
    }
}
