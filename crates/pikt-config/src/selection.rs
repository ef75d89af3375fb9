//! Item and host selections: piktc's `+A/-A`, `+S`, `+P`, `+F`, `+O` and
//! `+H/-H` lists (reference §3.1).
//!
//! A selection is applied in command-line order, starting from nothing:
//! `+X name` adds, `-X name` removes; `all` stands for every item of the
//! kind, and `=name` for the whitespace-separated names the macro `name`
//! expands to on the host (PIKT 1.17's item macros).

use pikt_preproc::MacroTable;

use crate::loader::{FileSet, HostConfig};

/// The kinds of items piktc handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// `+A`: alerts (their `.alt` files and piktd.conf lines).
    Alert,
    /// `+S`: single alarm scripts.
    Script,
    /// `+P`: programs.
    Program,
    /// `+F`: files.
    File,
    /// `+O`: object sets.
    Object,
}

impl ItemKind {
    /// All kinds, in piktc's listing order.
    pub const ALL: [ItemKind; 5] = [
        ItemKind::Alert,
        ItemKind::Script,
        ItemKind::Program,
        ItemKind::File,
        ItemKind::Object,
    ];

    /// The selector letter (`A`, `S`, `P`, `F`, `O`).
    pub fn letter(self) -> char {
        match self {
            ItemKind::Alert => 'A',
            ItemKind::Script => 'S',
            ItemKind::Program => 'P',
            ItemKind::File => 'F',
            ItemKind::Object => 'O',
        }
    }

    /// The kind of selector letter `c`.
    pub fn from_letter(c: char) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.letter() == c)
    }

    /// The noun used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::Alert => "alert",
            ItemKind::Script => "alarm script",
            ItemKind::Program => "program",
            ItemKind::File => "file",
            ItemKind::Object => "object set",
        }
    }

    /// Every item of this kind on the host, in config order.
    pub fn items(self, cfg: &HostConfig) -> Vec<String> {
        match self {
            ItemKind::Alert => cfg.alerts.alerts.iter().map(|a| a.name.clone()).collect(),
            ItemKind::Script => cfg.alarms.scripts.iter().map(|s| s.name.clone()).collect(),
            ItemKind::Program => cfg
                .programs
                .programs
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            ItemKind::File => cfg.files.files.iter().map(|f| f.name.clone()).collect(),
            ItemKind::Object => cfg.objects.sets.iter().map(|o| o.name.clone()).collect(),
        }
    }
}

/// One `+X name` or `-X name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// `+` (true) or `-`.
    pub add: bool,
    /// What kind of item.
    pub kind: ItemKind,
    /// A name, `all`, or `=macro`.
    pub name: String,
}

/// The item selectors of one command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemSelection {
    /// In command-line order.
    pub selectors: Vec<Selector>,
}

/// The items one host gets for a selection, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chosen {
    /// Alerts.
    pub alerts: Vec<String>,
    /// Alarm scripts.
    pub scripts: Vec<String>,
    /// Programs.
    pub programs: Vec<String>,
    /// Files.
    pub files: Vec<String>,
    /// Object sets.
    pub objects: Vec<String>,
    /// Names that are not items of their kind on this host: (kind, name).
    pub unknown: Vec<(ItemKind, String)>,
}

impl Chosen {
    /// The chosen names of `kind`.
    pub fn of(&self, kind: ItemKind) -> &[String] {
        match kind {
            ItemKind::Alert => &self.alerts,
            ItemKind::Script => &self.scripts,
            ItemKind::Program => &self.programs,
            ItemKind::File => &self.files,
            ItemKind::Object => &self.objects,
        }
    }

    fn slot(&mut self, kind: ItemKind) -> &mut Vec<String> {
        match kind {
            ItemKind::Alert => &mut self.alerts,
            ItemKind::Script => &mut self.scripts,
            ItemKind::Program => &mut self.programs,
            ItemKind::File => &mut self.files,
            ItemKind::Object => &mut self.objects,
        }
    }

    /// True when nothing was chosen.
    pub fn is_empty(&self) -> bool {
        ItemKind::ALL.into_iter().all(|k| self.of(k).is_empty())
    }
}

impl ItemSelection {
    /// True when no item selector was given.
    pub fn is_empty(&self) -> bool {
        self.selectors.is_empty()
    }

    /// True when a selector of `kind` was given.
    pub fn mentions(&self, kind: ItemKind) -> bool {
        self.selectors.iter().any(|s| s.kind == kind)
    }

    /// The files a load needs for this selection (every file when empty).
    pub fn files_needed(&self) -> FileSet {
        if self.is_empty() {
            return FileSet::ALL;
        }
        FileSet {
            alerts: self.mentions(ItemKind::Alert) || self.mentions(ItemKind::Script),
            programs: self.mentions(ItemKind::Program),
            files: self.mentions(ItemKind::File),
            objects: self.mentions(ItemKind::Object),
        }
    }

    /// The items chosen on the host of `cfg`. With `everything_if_empty`, an
    /// empty selection chooses every alert, program, file and object set.
    pub fn choose(&self, cfg: &HostConfig, everything_if_empty: bool) -> Chosen {
        let mut chosen = Chosen::default();
        if self.is_empty() && everything_if_empty {
            // Scripts are part of their alerts; they are shown alone only on request.
            for kind in ItemKind::ALL.into_iter().filter(|k| *k != ItemKind::Script) {
                *chosen.slot(kind) = kind.items(cfg);
            }
            return chosen;
        }
        for sel in &self.selectors {
            let all = sel.kind.items(cfg);
            for name in expand_name(&sel.name, &all, &cfg.macros) {
                if !all.contains(&name) {
                    chosen.unknown.push((sel.kind, name));
                    continue;
                }
                let slot = chosen.slot(sel.kind);
                if sel.add {
                    if !slot.contains(&name) {
                        slot.push(name);
                    }
                } else {
                    slot.retain(|n| *n != name);
                }
            }
        }
        // Keep config order whatever the command-line order was.
        for kind in ItemKind::ALL {
            let order = kind.items(cfg);
            chosen
                .slot(kind)
                .sort_by_key(|n| order.iter().position(|o| o == n));
        }
        chosen
    }
}

/// `all` -> every item; `=m` -> the words of macro `m`; else the name.
fn expand_name(name: &str, all: &[String], macros: &MacroTable) -> Vec<String> {
    if name == "all" {
        return all.to_vec();
    }
    if let Some(macro_name) = name.strip_prefix('=') {
        if let Some(def) = macros.get(macro_name) {
            return def.body.split_whitespace().map(str::to_string).collect();
        }
    }
    vec![name.to_string()]
}
