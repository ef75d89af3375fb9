//! The define table: named boolean switches for `#ifdef` and friends.

use std::collections::BTreeMap;

/// Where the current value of a define came from; decides precedence.
///
/// From weakest to strongest: [`DefineSource::Builtin`] and
/// [`DefineSource::DefinesCfg`], then [`DefineSource::CommandLine`] (`piktc
/// +D`/`-D`/`-T`), then [`DefineSource::Directive`] (`#define`, `#undefine`,
/// `#setdef`, from the point where it appears onwards).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DefineSource {
    /// Predeclared by the preprocessor (`pikttest`).
    Builtin,
    /// A stanza of defines.cfg.
    DefinesCfg,
    /// The piktc command line.
    CommandLine,
    /// A `#define`/`#undefine`/`#setdef` directive.
    Directive,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    value: bool,
    source: DefineSource,
}

/// The declared defines and their values.
///
/// Referring to a define that is not declared here is an error. A fresh table
/// declares only the built-in `pikttest` (false).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Defines {
    entries: BTreeMap<String, Entry>,
}

impl Default for Defines {
    fn default() -> Defines {
        Defines::new()
    }
}

/// Name of the built-in define set by `piktc -T`.
pub const PIKTTEST: &str = "pikttest";

impl Defines {
    /// A table holding only the built-in `pikttest` = false.
    pub fn new() -> Defines {
        let mut entries = BTreeMap::new();
        entries.insert(
            PIKTTEST.to_string(),
            Entry {
                value: false,
                source: DefineSource::Builtin,
            },
        );
        Defines { entries }
    }

    /// Declares `name` from a defines.cfg stanza. A value given on the command
    /// line (or by a directive) is stronger and is kept.
    pub fn declare(&mut self, name: &str, value: bool) {
        self.set_with(name, value, DefineSource::DefinesCfg);
    }

    /// Sets `name` from the piktc command line (`+D name` = true, `-D name` =
    /// false, `-T` = `pikttest` true). Declares it if needed.
    pub fn set_command_line(&mut self, name: &str, value: bool) {
        self.set_with(name, value, DefineSource::CommandLine);
    }

    /// Sets `name` as a directive does (strongest). Declares it if needed.
    pub fn set_directive(&mut self, name: &str, value: bool) {
        self.set_with(name, value, DefineSource::Directive);
    }

    /// Sets `name` from `source` unless a stronger source already set it.
    pub fn set_with(&mut self, name: &str, value: bool, source: DefineSource) {
        match self.entries.get_mut(name) {
            Some(entry) if entry.source > source => {}
            Some(entry) => {
                entry.value = value;
                entry.source = source;
            }
            None => {
                self.entries
                    .insert(name.to_string(), Entry { value, source });
            }
        }
    }

    /// The value of `name`, or `None` when it is not declared.
    pub fn get(&self, name: &str) -> Option<bool> {
        self.entries.get(name).map(|e| e.value)
    }

    /// Where the value of `name` came from, or `None` when it is not declared.
    pub fn source(&self, name: &str) -> Option<DefineSource> {
        self.entries.get(name).map(|e| e.source)
    }

    /// True when `name` is declared.
    pub fn is_declared(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Every declared define with its value, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, bool)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e.value))
    }
}

/// Parses a define value spelling: `TRUE/YES/ON/1` and `FALSE/NO/OFF/0`,
/// in any letter case.
pub fn parse_bool(word: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "yes", "on", "1"];
    const FALSE: [&str; 4] = ["false", "no", "off", "0"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(word)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(word)) {
        Some(false)
    } else {
        None
    }
}
