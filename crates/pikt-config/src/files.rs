//! files.cfg: arbitrary system files, installed per host (reference §1.11).
//!
//! `path` is mandatory unless the name is itself a full path; the defaults
//! are mode `640`, uid 0, gid 0.

use pikt_source::{Diagnostic, FileId, SourceMap};

use crate::managed::{parse_managed, ManagedItem, ManagedRules};

/// Default permission bits of a managed file.
pub const DEFAULT_FILE_MODE: u32 = 0o640;

/// The model of files.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilesFile {
    /// The files in file order.
    pub files: Vec<ManagedItem>,
}

impl FilesFile {
    /// Reads the preprocessed files.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (FilesFile, Vec<Diagnostic>) {
        let rules = ManagedRules {
            what: "file",
            default_dir: None,
            default_mode: DEFAULT_FILE_MODE,
        };
        let (files, diags) = parse_managed(map, file, &rules);
        (FilesFile { files }, diags)
    }

    /// The file called `name`.
    pub fn get(&self, name: &str) -> Option<&ManagedItem> {
        self.files.iter().find(|f| f.name == name)
    }
}
