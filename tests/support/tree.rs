//! A PIKT tree in a temporary directory and the real binaries run on it,
//! for the end-to-end tests of alert runs (`storm.rs`, `delivery.rs`,
//! `hostile.rs`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The `pikt` binary under test.
pub const PIKT: &str = env!("CARGO_BIN_EXE_pikt");
/// The `piktc` binary under test.
pub const PIKTC: &str = env!("CARGO_BIN_EXE_piktc");
/// The `piktd` binary under test.
pub const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

/// The host name every tree runs as.
pub const HOST: &str = "stormhost";

/// A PIKT tree in a temporary directory, and the binaries run on it.
pub struct Tree {
    dir: TempDir,
}

impl Tree {
    pub fn new() -> io::Result<Tree> {
        Ok(Tree {
            dir: tempfile::Builder::new().prefix("pikt-alert-").tempdir()?,
        })
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) -> io::Result<()> {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text)
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).unwrap_or_default()
    }

    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(self.root())
            .env("PIKT_DIR", self.root())
            .env("PIKT_HOST", HOST)
            .env("TZ", "UTC")
            .env_remove("PIKT_NOW")
            .env_remove("PIKT_SYSLOG");
        command
    }

    pub fn pikt(&self, args: &[&str]) -> io::Result<Output> {
        self.command(PIKT, args).output()
    }

    /// Runs piktc and fails the test when it does not succeed.
    pub fn piktc(&self, args: &[&str]) -> io::Result<()> {
        let out = self.command(PIKTC, args).output()?;
        assert!(
            out.status.success(),
            "piktc {args:?} failed:\n{}",
            text(&out.stderr)
        );
        Ok(())
    }

    pub fn alert_log(&self, alert: &str) -> String {
        self.read(&format!("var/log/{alert}.log"))
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails with everything the run printed unless it exited with `code`.
pub fn expect_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
