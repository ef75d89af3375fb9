//! macros.cfg: text substitutions (reference §1.6, §2.3).
//!
//! ```text
//! <name>            <replacement text...>
//! <name>(A, B, ...) <replacement text using (A), (B)...>
//!                   <more lines of the body...>
//! ```
//!
//! The body is one contiguous piece of the preprocessed text, so every byte
//! of an expansion maps back exactly to macros.cfg: it starts at the first
//! non-blank character after the name (and parameters) when the head line has
//! text, otherwise at the start of the first non-blank body line (indentation
//! included, so that the continuation lines of a multi-line expansion stay
//! indented inside a stanza), and it ends at the last non-blank character.
//!
//! Parameter names are identifiers (any length); a parameter list that is
//! empty, unclosed, or repeats a name is an error.

use pikt_preproc::MacroDef;
use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::stanza::{dedup_stanzas, is_identifier, read_stanzas, Stanza, StanzaRules};
use crate::words::{is_space, span_in};

/// The model of macros.cfg for one host: definitions in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MacrosFile {
    /// The macros, ready for [`pikt_preproc::MacroTable::insert`].
    pub defs: Vec<MacroDef>,
}

impl MacrosFile {
    /// Reads the preprocessed macros.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (MacrosFile, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::MACROS);
        let stanzas = dedup_stanzas(map, stanzas, "macro", &mut diags);
        let mut defs = Vec::new();
        for stanza in &stanzas {
            let (params, rest) = match parse_params(stanza) {
                Ok(found) => found,
                Err(diag) => {
                    diags.push(diag);
                    continue;
                }
            };
            let body_span = body_span(map, stanza, rest);
            defs.push(MacroDef {
                name: stanza.name.clone(),
                params,
                body: map.slice(body_span).to_string(),
                body_span: Some(body_span),
                name_span: Some(stanza.name_span),
            });
        }
        (MacrosFile { defs }, diags)
    }
}

/// Parses `(A, B)` at the start of the head. Returns the parameter names and
/// the byte offset in the head where the rest of the head starts.
fn parse_params(stanza: &Stanza) -> Result<(Vec<String>, usize), Diagnostic> {
    let head = &stanza.head.raw;
    if !head.starts_with('(') {
        return Ok((Vec::new(), 0));
    }
    let base = stanza.head.span;
    // The list holds names, commas and blanks up to its `)`; anything else
    // first (another `(`, a quote, the end of the line) means it is unclosed.
    let close = head
        .char_indices()
        .skip(1)
        .find(|&(_, c)| {
            !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | ' ' | '\t'))
        })
        .and_then(|(i, c)| (c == ')').then_some(i));
    let Some(close) = close else {
        return Err(Diagnostic::error(
            format!("unclosed parameter list of macro `{}`", stanza.name),
            span_in(base, 0, 1),
        )
        .with_label("this `(` has no matching `)`"));
    };
    let mut params: Vec<(String, Span)> = Vec::new();
    let mut at = 1;
    for piece in head[1..close].split(',') {
        let lead = piece.len() - piece.trim_start().len();
        let name = piece.trim();
        let span = span_in(base, at + lead, at + lead + name.len());
        at += piece.len() + 1;
        if name.is_empty() {
            return Err(Diagnostic::error(
                format!("empty parameter name in macro `{}`", stanza.name),
                span,
            )
            .with_help("parameters are names separated by commas, e.g. `(P, U)`"));
        }
        if !is_identifier(name) {
            return Err(Diagnostic::error(format!("invalid parameter name `{name}`"), span)
                .with_help("parameter names start with a letter and contain letters, digits, `-`, `_` and `.`"));
        }
        if let Some((_, first)) = params.iter().find(|(p, _)| p == name) {
            let first_col = first.start - base.start;
            return Err(Diagnostic::error(
                format!("duplicate parameter `{name}` in macro `{}`", stanza.name),
                span,
            )
            .with_label("repeated here")
            .with_note(format!(
                "first given as parameter at column {}",
                first_col as usize + stanza.name.len() + 1
            )));
        }
        params.push((name.to_string(), span));
    }
    Ok((params.into_iter().map(|(p, _)| p).collect(), close + 1))
}

/// The span of the body: see the module documentation.
fn body_span(map: &SourceMap, stanza: &Stanza, head_rest: usize) -> Span {
    let head = &stanza.head;
    let rest = head.raw.get(head_rest..).unwrap_or("");
    let lead = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
            .len();
    let start = if rest.bytes().all(is_space) {
        stanza
            .body
            .first()
            .map_or(head.span.end as usize, |l| l.span.start as usize)
    } else {
        head.span.start as usize + head_rest + lead
    };
    let end = stanza
        .body
        .last()
        .map_or(head.span.end as usize, |l| l.span.end as usize)
        .max(start);
    let text = map.get(head.span.file).text.get(start..end).unwrap_or("");
    let trimmed = text.trim_end_matches(|c: char| c.is_ascii_whitespace());
    Span::new(head.span.file, start, start + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, MacrosFile, Vec<Diagnostic>) {
        crate::testing::parse_named("macros.cfg", text, MacrosFile::parse)
    }

    #[test]
    fn simple_macro_body_is_the_trimmed_head() {
        let (map, model, diags) = parse("ps\t\tps -eo pid \t\nawk awk\n");
        assert!(diags.is_empty());
        assert_eq!(model.defs[0].name, "ps");
        assert_eq!(model.defs[0].body, "ps -eo pid");
        assert_eq!(
            map.slice(model.defs[0].body_span.unwrap_or_default()),
            "ps -eo pid"
        );
        assert_eq!(model.defs[1].body, "awk");
    }

    #[test]
    fn multi_line_body_keeps_indentation_of_continuation_lines() {
        let text =
            "kill(P, U)\t\n\t\t\n\tset #k = 1\n\tif (P) eq (U)\n\t\tcont\n\tfi\t\n\nnext x\n";
        let (_, model, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let def = &model.defs[0];
        assert_eq!(def.params, ["P", "U"]);
        assert_eq!(def.body, "\tset #k = 1\n\tif (P) eq (U)\n\t\tcont\n\tfi");
        assert_eq!(model.defs[1].body, "x");
    }

    #[test]
    fn head_text_and_continuation_lines_join() {
        let (_, model, _) = parse("m(A) first (A)\n\tsecond\n");
        assert_eq!(model.defs[0].body, "first (A)\n\tsecond");
    }

    #[test]
    fn macro_with_empty_body() {
        let (_, model, diags) = parse("nothing\nnext 1\n");
        assert!(diags.is_empty());
        assert_eq!(model.defs[0].body, "");
    }

    #[test]
    fn duplicate_parameter_is_an_error() {
        let (map, model, diags) = parse("m(A, B, A) x\n");
        assert!(model.defs.is_empty());
        assert_eq!(
            render(&map, &diags[0]),
            "error: duplicate parameter `A` in macro `m`\n --> macros.cfg:1:9\n  |\n1 | m(A, B, A) x\n  |         ^ repeated here\n  = note: first given as parameter at column 3\n"
        );
    }

    #[test]
    fn bad_and_empty_parameters() {
        let (map, _, diags) = parse("a(1x) y\nb(P,) y\nc(P y\n");
        assert_eq!(diags[0].message, "invalid parameter name `1x`");
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "macros.cfg:1:3"
        );
        assert_eq!(diags[1].message, "empty parameter name in macro `b`");
        assert_eq!(
            map.location(diags[1].span.unwrap_or_default()),
            "macros.cfg:2:5"
        );
        assert_eq!(diags[2].message, "unclosed parameter list of macro `c`");
        let (map, _, diags) = parse("kill(P, U\tkill (P) of (U)\n");
        assert_eq!(diags[0].message, "unclosed parameter list of macro `kill`");
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "macros.cfg:1:5"
        );
    }
}
