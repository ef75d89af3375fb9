//! programs.cfg: programs in any language, installed per host (reference §1.10).
//!
//! Decisions for what the reference leaves open: a program without `path`
//! goes to `<prgdir>/<name>` (a name may hold `/` to reach a subdirectory of
//! prgdir, or start with `/` to be a full path); the default mode is `755`
//! (a program is meant to be run), owner uid 0 and gid 0.

use std::path::Path;

use pikt_source::{Diagnostic, FileId, SourceMap};

use crate::managed::{parse_managed, ManagedItem, ManagedRules};

/// Default permission bits of a program.
pub const DEFAULT_PROGRAM_MODE: u32 = 0o755;

/// The model of programs.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramsFile {
    /// The programs in file order.
    pub programs: Vec<ManagedItem>,
}

impl ProgramsFile {
    /// Reads the preprocessed programs.cfg `file`; `prgdir` is where programs
    /// without a path go.
    pub fn parse(map: &SourceMap, file: FileId, prgdir: &Path) -> (ProgramsFile, Vec<Diagnostic>) {
        let rules = ManagedRules {
            what: "program",
            default_dir: Some(prgdir.to_path_buf()),
            default_mode: DEFAULT_PROGRAM_MODE,
        };
        let (programs, diags) = parse_managed(map, file, &rules);
        (ProgramsFile { programs }, diags)
    }

    /// The program called `name`.
    pub fn get(&self, name: &str) -> Option<&ManagedItem> {
        self.programs.iter().find(|p| p.name == name)
    }
}
