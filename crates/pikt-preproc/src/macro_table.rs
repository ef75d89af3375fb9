//! Macro definitions as pikt-config reads them from macros.cfg, plus the
//! predefined macros.

use std::collections::HashMap;
use std::path::Path;

use pikt_source::Span;

/// One macro: `name(params) body`.
///
/// `body` is the replacement text with the macros.cfg stanza's head removed:
/// if the head line holds text after the name and parameters, the body starts
/// at its first non-blank character; otherwise it starts at the beginning of
/// the first continuation line (indentation included). It runs to the end of
/// the stanza, without the final newline; inner lines keep their newlines and
/// indentation. `body_span` is where that text is in the *preprocessed*
/// macros.cfg: when `map.slice(body_span) == body` every byte of an expansion
/// maps exactly to macros.cfg, otherwise the whole expansion maps to
/// `body_span`. Predefined macros have no `body_span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    /// The name without `=`.
    pub name: String,
    /// Parameter names, in order (`kill_user_proc(P, U, M)` → `P`, `U`, `M`).
    pub params: Vec<String>,
    /// The replacement text.
    pub body: String,
    /// Where `body` is, for origins; `None` for predefined macros.
    pub body_span: Option<Span>,
    /// The macro's name in its stanza head, for "defined here" notes.
    pub name_span: Option<Span>,
}

impl MacroDef {
    /// A macro without parameters and without source location.
    pub fn simple(name: impl Into<String>, body: impl Into<String>) -> MacroDef {
        MacroDef {
            name: name.into(),
            params: Vec::new(),
            body: body.into(),
            body_span: None,
            name_span: None,
        }
    }
}

/// Why [`MacroTable::insert`] refused a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacroError {
    /// The name was already defined in macros.cfg (the first definition is kept).
    Duplicate {
        /// Where the first definition's name is, when known.
        previous: Option<Span>,
    },
    /// `piktdir` and `pikthostname` cannot be redefined.
    Predefined,
}

/// Predefined macros: each name with its path under `=piktdir` (empty for
/// `piktdir` itself; `pikthostname` is the host name, not a path).
/// All of them except [`FIXED_PREDEFINED`] may be redefined by macros.cfg.
pub const PREDEFINED: [(&str, &str); 15] = [
    ("piktdir", ""),
    ("pikthostname", ""),
    ("pikt", "bin/pikt"),
    ("bindir", "bin"),
    ("etcdir", "etc"),
    ("libdir", "lib"),
    ("vardir", "var"),
    ("cfgdir", "lib/configs"),
    ("prgdir", "lib/programs"),
    ("objdir", "lib/objects"),
    ("altdir", "lib/alerts"),
    ("hstdir", "var/history"),
    ("logdir", "var/log"),
    ("lokdir", "var/lock"),
    ("contribdir", "contrib"),
];

/// Predefined macros that macros.cfg may not redefine.
pub const FIXED_PREDEFINED: [&str; 2] = ["piktdir", "pikthostname"];

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    def: MacroDef,
    predefined: bool,
}

/// The macros known for one host: predefined ones plus macros.cfg's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MacroTable {
    entries: HashMap<String, Entry>,
    longest_name: usize,
}

impl MacroTable {
    /// An empty table (no predefined macros either).
    pub fn new() -> MacroTable {
        MacroTable::default()
    }

    /// A table holding the [`PREDEFINED`] macros for a PIKT tree rooted at
    /// `piktdir` and the target host `hostname`.
    pub fn with_predefined(piktdir: &Path, hostname: &str) -> MacroTable {
        let mut table = MacroTable::new();
        let root = piktdir.to_string_lossy();
        let root = root.trim_end_matches('/');
        for (name, sub) in PREDEFINED {
            let value = match name {
                "piktdir" => root.to_string(),
                "pikthostname" => hostname.to_string(),
                _ => format!("{root}/{sub}"),
            };
            table.put(MacroDef::simple(name, value), true);
        }
        table
    }

    /// Adds (or sets) a predefined macro that is not a path: piktc's own
    /// (`=piktnever`) and PIKT.conf's (`=ps` from `pscmd`). Like the others,
    /// macros.cfg may replace it.
    pub fn predefine(&mut self, name: &str, value: impl Into<String>) {
        self.put(MacroDef::simple(name, value), true);
    }

    /// Sets the value of a predefined macro (e.g. `objdir` from PIKT.conf).
    /// It stays predefined: macros.cfg may still replace it unless it is one
    /// of [`FIXED_PREDEFINED`]. Returns false (and changes nothing) when
    /// `name` is not predefined or was already replaced by macros.cfg.
    pub fn set_predefined(&mut self, name: &str, value: impl Into<String>) -> bool {
        match self.entries.get_mut(name) {
            Some(entry) if entry.predefined => {
                entry.def.body = value.into();
                true
            }
            _ => false,
        }
    }

    /// Adds a macros.cfg definition. A name already defined by macros.cfg, or
    /// one of [`FIXED_PREDEFINED`], is refused (and the table is unchanged);
    /// other predefined names are replaced.
    pub fn insert(&mut self, def: MacroDef) -> Result<(), MacroError> {
        match self.entries.get(&def.name) {
            Some(old) if !old.predefined => Err(MacroError::Duplicate {
                previous: old.def.name_span,
            }),
            Some(_) if FIXED_PREDEFINED.contains(&def.name.as_str()) => Err(MacroError::Predefined),
            _ => {
                self.put(def, false);
                Ok(())
            }
        }
    }

    fn put(&mut self, def: MacroDef, predefined: bool) {
        self.longest_name = self.longest_name.max(def.name.len());
        self.entries
            .insert(def.name.clone(), Entry { def, predefined });
    }

    /// The macro called `name`.
    pub fn get(&self, name: &str) -> Option<&MacroDef> {
        self.entries.get(name).map(|e| &e.def)
    }

    /// True when `name` is a predefined macro not replaced by macros.cfg.
    pub fn is_predefined(&self, name: &str) -> bool {
        self.entries.get(name).is_some_and(|e| e.predefined)
    }

    /// Number of macros.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no macros.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every macro, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &MacroDef> {
        self.entries.values().map(|e| &e.def)
    }

    /// Length of the longest macro name, to bound the longest-match search.
    pub(crate) fn longest_name(&self) -> usize {
        self.longest_name
    }
}
