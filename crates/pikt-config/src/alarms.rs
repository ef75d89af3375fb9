//! alarms.cfg: the Pikt alarm scripts (reference §1.8).
//!
//! Each stanza is one script; its identifier is the script's name and its
//! body is Pikt script text (§4), which the language parser checks
//! ([`check_scripts`]). The rendered text of a script is what goes into the
//! `<Alert>.alt` files: the name line and the body lines as preprocessed for
//! the host, with blank lines dropped and trailing blanks trimmed.

use pikt_lang::ParseMode;
use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::alert_macros::{self, AlertContext};
use crate::alerts::Alert;
use crate::stanza::{dedup_stanzas, read_stanzas, Stanza, StanzaRules};

/// One alarm script as rendered for a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlarmScript {
    /// The script's name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole stanza in the preprocessed text.
    pub span: Span,
    /// The rendered text, ending with a newline.
    pub text: String,
}

/// The model of alarms.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlarmsFile {
    /// The preprocessed alarms.cfg, for the language parser.
    pub file: Option<FileId>,
    /// The scripts in file order.
    pub scripts: Vec<AlarmScript>,
}

impl AlarmsFile {
    /// Reads the preprocessed alarms.cfg `file` (stanzas only; see
    /// [`check_scripts`] for the script syntax).
    pub fn parse(map: &SourceMap, file: FileId) -> (AlarmsFile, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::PLAIN);
        let stanzas = dedup_stanzas(map, stanzas, "alarm", &mut diags);
        let scripts = stanzas.iter().map(render_script).collect();
        (
            AlarmsFile {
                file: Some(file),
                scripts,
            },
            diags,
        )
    }

    /// The script called `name`.
    pub fn get(&self, name: &str) -> Option<&AlarmScript> {
        self.scripts.iter().find(|s| s.name == name)
    }

    /// Every script name, in file order.
    pub fn names(&self) -> Vec<&str> {
        self.scripts.iter().map(|s| s.name.as_str()).collect()
    }

    /// The text of `alert`'s `.alt` file: its scripts in its order, with
    /// the alert macros filled in for it.
    pub fn alt_text(&self, alert: &Alert) -> String {
        let ctx = AlertContext::of(alert);
        alert
            .alarm_names()
            .filter_map(|name| self.get(name))
            .map(|script| alert_macros::fill(&script.text, &ctx))
            .collect()
    }
}

fn render_script(stanza: &Stanza) -> AlarmScript {
    let mut text = String::new();
    text.push_str(&stanza.name);
    text.push_str(stanza.head.raw.trim_end());
    text.push('\n');
    for line in &stanza.body {
        text.push_str(line.raw.trim_end());
        text.push('\n');
    }
    AlarmScript {
        name: stanza.name.clone(),
        name_span: stanza.name_span,
        span: stanza.span(),
        text,
    }
}

/// Parses the preprocessed alarms.cfg `file` with the Pikt language parser
/// and returns its diagnostics. This is the one place where pikt-config
/// calls pikt-lang. Scripts may run in any alert, so the alert macros read
/// as stand-ins of their length ([`alert_macros::fill_for_check`]).
pub fn check_scripts(map: &SourceMap, file: FileId) -> Vec<Diagnostic> {
    let text = alert_macros::fill_for_check(&map.get(file).text);
    let (_program, diags) = pikt_lang::parse_program_text(map, file, &text, ParseMode::Alarms);
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_render_without_blank_lines_or_trailing_blanks() {
        let mut map = SourceMap::new();
        let id = map.add(
            "alarms.cfg",
            "Chk\t\n\tinit\t\n\n\t\tstatus active  \n\nOther\n\tbegin\n",
        );
        let (model, diags) = AlarmsFile::parse(&map, id);
        assert!(diags.is_empty());
        assert_eq!(model.names(), ["Chk", "Other"]);
        assert_eq!(model.scripts[0].text, "Chk\n\tinit\n\t\tstatus active\n");
        assert_eq!(map.slice(model.scripts[1].span), "Other\n\tbegin");
    }

    #[test]
    fn duplicate_script_names_are_errors() {
        let mut map = SourceMap::new();
        let id = map.add("alarms.cfg", "A\n\tbegin\nA\n\tbegin\n");
        let (model, diags) = AlarmsFile::parse(&map, id);
        assert_eq!(model.scripts.len(), 1);
        assert_eq!(diags[0].message, "duplicate alarm `A`");
    }
}
