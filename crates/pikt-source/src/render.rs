//! The one diagnostic renderer.
//!
//! Written by hand rather than with a reporting crate because every span is
//! first traced back through derived (preprocessed) texts, and what remains is
//! a few lines of formatting whose exact shape the tests pin:
//!
//! ```text
//! error: unknown statement `fo`
//!   --> alarms.cfg:12:9
//!    |
//! 12 |         fo bar
//!    |         ^^
//!    = note: in expansion of macro `=kill_user_proc`
//!    = help: statements start with a keyword such as `set` or `do`
//! ```

use std::fmt::Write as _;

use crate::visible::escape_line;

use crate::{Diagnostic, Severity, SourceMap};

/// Renders `diag` as plain text (no colour), ending with a newline.
pub fn render(map: &SourceMap, diag: &Diagnostic) -> String {
    let mut out = String::new();
    let word = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{word}: {}", escape_line(&diag.message));
    let mut notes: Vec<String> = Vec::new();
    let mut gutter = 1;
    if let Some(span) = diag.span {
        let resolved = map.resolve(span);
        notes.extend(resolved.notes);
        let file = map.get(resolved.span.file);
        let (line, col) = file.line_col(resolved.span.start);
        gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{line}:{col}", file.name);
        let text = file.line_text(line - 1);
        let _ = writeln!(out, "{pad} |");
        // A source line may hold anything (a `#verbatim` file, command
        // output): control characters are shown as escapes, carets follow.
        let _ = writeln!(out, "{line} | {}", escape_line(text));
        let carets = caret_line(text, col, resolved.span.len());
        match &diag.label {
            Some(label) => {
                let _ = writeln!(out, "{pad} | {carets} {label}");
            }
            None => {
                let _ = writeln!(out, "{pad} | {carets}");
            }
        }
    }
    notes.extend(diag.notes.iter().cloned());
    let pad = " ".repeat(gutter);
    for note in &notes {
        let _ = writeln!(out, "{pad} = note: {}", escape_line(note));
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "{pad} = help: {}", escape_line(help));
    }
    out
}

/// Spaces up to column `col` (tabs kept, so the carets line up with the
/// source line as shown), then one caret per column the span takes on that
/// line (an escaped control character takes four per byte).
fn caret_line(text: &str, col: usize, span_len: usize) -> String {
    let mut line = String::new();
    for c in text.chars().take(col - 1) {
        if c == '\t' {
            line.push('\t');
        } else {
            line.push_str(&" ".repeat(shown_width(c)));
        }
    }
    let mut width = 0;
    let mut bytes = 0;
    for c in text.chars().skip(col - 1) {
        if bytes >= span_len {
            break;
        }
        bytes += c.len_utf8();
        width += shown_width(c);
    }
    line.push_str(&"^".repeat(width.max(1)));
    line
}

/// How many columns `c` takes once escaped.
fn shown_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    escape_line(c.encode_utf8(&mut buf)).chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    #[test]
    fn renders_location_source_line_and_carets() {
        let mut map = SourceMap::new();
        let id = map.add("s.pikt", "begin\n\tfo bar\n");
        let diag = Diagnostic::error("unknown statement `fo`", Span::new(id, 7, 9))
            .with_help("start statements with a keyword");
        assert_eq!(
            render(&map, &diag),
            "error: unknown statement `fo`\n --> s.pikt:2:2\n  |\n2 | \tfo bar\n  | \t^^\n  = help: start statements with a keyword\n"
        );
    }

    #[test]
    fn control_characters_in_the_source_line_are_escaped_and_carets_follow() {
        let mut map = SourceMap::new();
        let id = map.add("f.cfg", "a\x1b[2Jb bad\n");
        let d = Diagnostic::error("bad \x1bthing", Span::new(id, 6, 9));
        assert_eq!(
            render(&map, &d),
            "error: bad \\x1bthing\n --> f.cfg:1:7\n  |\n1 | a\\x1b[2Jb bad\n  |          ^^^\n"
        );
        let d = Diagnostic::error("x", Span::new(id, 1, 2));
        assert!(
            render(&map, &d).ends_with("  |  ^^^^\n"),
            "{}",
            render(&map, &d)
        );
    }

    #[test]
    fn unlocated_diagnostic_is_one_line() {
        let map = SourceMap::new();
        let diag = Diagnostic::error_unlocated("cannot read `x`");
        assert_eq!(render(&map, &diag), "error: cannot read `x`\n");
    }

    #[test]
    fn empty_span_at_end_of_line_gets_one_caret() {
        let mut map = SourceMap::new();
        let id = map.add("s", "if #x\n");
        let diag = Diagnostic::error("missing `fi`", Span::new(id, 5, 5));
        assert!(render(&map, &diag).ends_with("1 | if #x\n  |      ^\n"));
    }
}
