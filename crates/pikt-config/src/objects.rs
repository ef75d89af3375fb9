//! objects.cfg: object sets, line-oriented data for scripts (reference §1.9).
//!
//! Each stanza becomes `<objdir>/<Name>.obj` on the host. The lines are the
//! preprocessed body lines with the stanza indentation (the whole leading
//! whitespace run) stripped and trailing blanks trimmed; blank lines (for
//! example lines that held only a `//` comment) are dropped. Text on the
//! name line after the name is the first line of the set.

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::stanza::{dedup_stanzas, read_stanzas, StanzaRules};

/// One object set as rendered for a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSet {
    /// The set's name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The data lines, without newlines.
    pub lines: Vec<String>,
}

impl ObjectSet {
    /// The file content: every line followed by a newline.
    pub fn render(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The installed file name, `<Name>.obj`.
    pub fn file_name(&self) -> String {
        format!("{}.obj", self.name)
    }
}

/// The model of objects.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectsFile {
    /// The object sets in file order.
    pub sets: Vec<ObjectSet>,
}

impl ObjectsFile {
    /// Reads the preprocessed objects.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (ObjectsFile, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::PLAIN);
        let stanzas = dedup_stanzas(map, stanzas, "object set", &mut diags);
        let sets = stanzas
            .iter()
            .map(|s| ObjectSet {
                name: s.name.clone(),
                name_span: s.name_span,
                lines: s
                    .lines()
                    .map(|l| l.content().trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect(),
            })
            .collect();
        (ObjectsFile { sets }, diags)
    }

    /// The set called `name`.
    pub fn get(&self, name: &str) -> Option<&ObjectSet> {
        self.sets.iter().find(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_and_blank_lines_are_dropped() {
        let mut map = SourceMap::new();
        let id = map.add(
            "objects.cfg",
            "Names alice bob\n\t\tcarol dave\t\n\t\n\teve\nEmpty\n",
        );
        let (model, diags) = ObjectsFile::parse(&map, id);
        assert!(diags.is_empty());
        assert_eq!(model.sets[0].render(), "alice bob\ncarol dave\neve\n");
        assert_eq!(model.sets[0].file_name(), "Names.obj");
        assert_eq!(
            model.get("Empty").map(ObjectSet::render),
            Some(String::new())
        );
    }
}
