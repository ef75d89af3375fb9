//! Test support: run the loader against a config tree that lives somewhere
//! other than the layout says.

use std::io;
use std::path::{Path, PathBuf};

use pikt_preproc::{CommandOutput, PreprocHost};

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

    fn run_pikt(&self, statements: &str) -> io::Result<()> {
        self.inner.run_pikt(statements)
    }
}
