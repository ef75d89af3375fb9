//! defines.cfg: named boolean switches for `#ifdef` (reference §1.5).
//!
//! ```text
//! <define>   TRUE|FALSE          (or yes/no, on/off, 1/0, any letter case)
//! <define>
//!            TRUE                (the value may sit on the next line)
//! ```
//!
//! The preprocessor already declares each define while it reads this file
//! (so that a later `#ifdef` in the same file can test it); this module reads
//! the same output for its own checks: a missing or bad value, extra words,
//! and duplicates.

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::stanza::{dedup_stanzas, read_stanzas, StanzaRules};
use crate::words::{parse_bool, split_words};

/// One define and its value for the host being loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefineEntry {
    /// The define's name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// Its value.
    pub value: bool,
}

/// The model of defines.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefinesFile {
    /// The defines in file order.
    pub entries: Vec<DefineEntry>,
}

impl DefinesFile {
    /// Reads the preprocessed defines.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (DefinesFile, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::PLAIN);
        let stanzas = dedup_stanzas(map, stanzas, "define", &mut diags);
        let mut entries = Vec::new();
        for stanza in &stanzas {
            let mut words = Vec::new();
            for line in stanza.lines() {
                let (w, d) = split_words(line.content(), line.content_span());
                words.extend(w);
                diags.extend(d);
            }
            let Some((value, extra)) = words.split_first() else {
                diags.push(
                    Diagnostic::error(
                        format!("define `{}` has no value", stanza.name),
                        stanza.name_span,
                    )
                    .with_help("give `TRUE` or `FALSE` after the name"),
                );
                continue;
            };
            if let Some(first_extra) = extra.first() {
                let last = extra.last().map_or(first_extra.span, |w| w.span);
                diags.push(
                    Diagnostic::error(
                        format!(
                            "unexpected text after the value of define `{}`",
                            stanza.name
                        ),
                        first_extra.span.to(last),
                    )
                    .with_help("a define stanza is a name and one value"),
                );
            }
            match parse_bool(&value.text) {
                Some(v) => entries.push(DefineEntry {
                    name: stanza.name.clone(),
                    name_span: stanza.name_span,
                    value: v,
                }),
                None => diags.push(
                    Diagnostic::error(format!("invalid define value `{}`", value.text), value.span)
                        .with_help("use `TRUE` or `FALSE` (also `yes`/`no`, `on`/`off`, `1`/`0`)"),
                ),
            }
        }
        (DefinesFile { entries }, diags)
    }

    /// The value of `name`, when defined here.
    pub fn get(&self, name: &str) -> Option<bool> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::parse_named;
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, DefinesFile, Vec<Diagnostic>) {
        parse_named("defines.cfg", text, DefinesFile::parse)
    }

    #[test]
    fn values_on_the_same_or_the_next_line() {
        let (_, model, diags) = parse("debug TRUE\nverbose\n\tno\ndoexec On\n");
        assert!(diags.is_empty());
        assert_eq!(model.get("debug"), Some(true));
        assert_eq!(model.get("verbose"), Some(false));
        assert_eq!(model.get("doexec"), Some(true));
    }

    #[test]
    fn bad_value_points_at_the_value() {
        let (map, model, diags) = parse("debug maybe\n");
        assert!(model.entries.is_empty());
        assert_eq!(
            render(&map, &diags[0]),
            "error: invalid define value `maybe`\n --> defines.cfg:1:7\n  |\n1 | debug maybe\n  |       ^^^^^\n  = help: use `TRUE` or `FALSE` (also `yes`/`no`, `on`/`off`, `1`/`0`)\n"
        );
    }

    #[test]
    fn missing_value_and_extra_words() {
        let (map, _, diags) = parse("lonely\ntwo TRUE FALSE x\n");
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].message, "define `lonely` has no value");
        assert_eq!(
            map.location(diags[1].span.unwrap_or_default()),
            "defines.cfg:2:10"
        );
        assert_eq!(map.slice(diags[1].span.unwrap_or_default()), "FALSE x");
    }

    #[test]
    fn duplicate_define_keeps_the_first() {
        let (_, model, diags) = parse("a TRUE\na FALSE\n");
        assert_eq!(model.get("a"), Some(true));
        assert_eq!(diags[0].message, "duplicate define `a`");
    }
}
