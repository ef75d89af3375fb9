//! Test support: run the loader against a config tree that lives somewhere
//! other than the layout says, parse a text as a named file, and the
//! `piktd.conf` fixture that every reader of that file must handle alike.

use std::io;
use std::path::{Path, PathBuf};

use pikt_preproc::{CommandOutput, PreprocHost};
use pikt_source::{Diagnostic, FileId, SourceMap};

/// Adds `text` to a new [`SourceMap`] as file `name` and parses it with
/// `parse`; returns the map (to render diagnostics), the model and the
/// diagnostics.
pub fn parse_named<T>(
    name: &str,
    text: &str,
    parse: impl FnOnce(&SourceMap, FileId) -> (T, Vec<Diagnostic>),
) -> (SourceMap, T, Vec<Diagnostic>) {
    let mut map = SourceMap::new();
    let file = map.add(name, text);
    let (model, diags) = parse(&map, file);
    (map, model, diags)
}

/// A `piktd.conf` whose second line (alert `Two`) has a minute out of range
/// between two good lines (alerts `One` and `Three`).
pub const PIKTD_CONF_WITH_BAD_MINUTE: &str =
    "* * * * * pikt +A One\n61 * * * * pikt +A Two\n0 * * * * pikt +A Three\n";

/// The one diagnostic [`PIKTD_CONF_WITH_BAD_MINUTE`] gives, rendered.
pub const BAD_MINUTE_REPORT: &str = "error: minute `61` is out of range 0-59\n \
     --> piktd.conf:2:1\n  \
     |\n\
     2 | 61 * * * * pikt +A Two\n  \
     | ^^\n  \
     = help: use 0-59, `*`, lists, ranges or steps\n";

/// A [`PreprocHost`] that serves files under `virtual_dir` from
/// `real_dir`, and passes everything else to `inner`.
///
/// With it a test can load a fixture tree as if it were
/// `/pikt/lib/configs`, so that macros such as `=objdir` expand to paths
/// that do not depend on where the test runs.
#[derive(Clone, Debug)]
pub struct MountedHost<H> {
    /// The directory the loader asks for.
    pub virtual_dir: PathBuf,
    /// Where its files really are.
    pub real_dir: PathBuf,
    /// Everything else.
    pub inner: H,
}

impl<H: PreprocHost> MountedHost<H> {
    /// Serves `virtual_dir` from `real_dir`.
    pub fn new(
        virtual_dir: impl Into<PathBuf>,
        real_dir: impl Into<PathBuf>,
        inner: H,
    ) -> MountedHost<H> {
        MountedHost {
            virtual_dir: virtual_dir.into(),
            real_dir: real_dir.into(),
            inner,
        }
    }

    fn map(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.virtual_dir) {
            Ok(rest) => self.real_dir.join(rest),
            Err(_) => path.to_path_buf(),
        }
    }
}

impl<H: PreprocHost> PreprocHost for MountedHost<H> {
    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.inner.read_file(&self.map(path))
    }

    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput> {
        self.inner.run_command(command, env)
    }

    fn run_pikt(&self, statements: &str) -> io::Result<CommandOutput> {
        self.inner.run_pikt(statements)
    }
}
