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

use crate::{Diagnostic, Severity, SourceMap};

/// Renders `diag` as plain text (no colour), ending with a newline.
pub fn render(map: &SourceMap, diag: &Diagnostic) -> String {
    let mut out = String::new();
    let word = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{word}: {}", diag.message);
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
        let _ = writeln!(out, "{line} | {text}");
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
        let _ = writeln!(out, "{pad} = note: {note}");
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

/// Spaces up to column `col` (tabs kept, so the carets line up with the
/// source line), then one caret per character of the span on that line.
fn caret_line(text: &str, col: usize, span_len: usize) -> String {
    let mut line: String = text
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let rest: String = text.chars().skip(col - 1).collect();
    let mut width = 0;
    let mut bytes = 0;
    for c in rest.chars() {
        if bytes >= span_len {
            break;
        }
        bytes += c.len_utf8();
        width += 1;
    }
    line.push_str(&"^".repeat(width.max(1)));
    line
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
