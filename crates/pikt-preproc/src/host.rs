//! Everything the preprocessor does to the world goes through [`PreprocHost`].

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

/// What a shell command produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Its standard output.
    pub stdout: String,
    /// True when it exited with status 0.
    pub success: bool,
}

/// The preprocessor's window on the world (tests use [`crate::testing::FakeHost`]).
pub trait PreprocHost {
    /// Reads a file for `#include`/`#verbatim`.
    fn read_file(&self, path: &Path) -> io::Result<String>;
    /// Runs `command` with `/bin/sh -c`, with `env` added to the environment,
    /// for `#include [..]`, `#verbatim [..]`, `#exec [..]` and `#setdef x = [..]`.
    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput>;
    /// Runs Pikt statements for `#piktexec`/`#pexec` (macros already expanded).
    fn run_pikt(&self, statements: &str) -> io::Result<()>;
}

/// The real world: `std::fs` and `/bin/sh -c`.
#[derive(Clone, Debug, Default)]
pub struct RealHost {
    /// The Pikt interpreter run for `#piktexec` (normally `=piktdir/bin/pikt`);
    /// it gets the statements on standard input. `None` makes `#piktexec` an
    /// error ("no Pikt interpreter configured").
    pub pikt_binary: Option<std::path::PathBuf>,
}

impl PreprocHost for RealHost {
    fn read_file(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput> {
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(command)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()?;
        Ok(CommandOutput {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            success: output.status.success(),
        })
    }

    fn run_pikt(&self, statements: &str) -> io::Result<()> {
        use std::io::Write as _;
        let Some(binary) = &self.pikt_binary else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no Pikt interpreter configured",
            ));
        };
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(statements.as_bytes())?;
        }
        let status = child.wait()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "`{}` exited with {status}",
                binary.display()
            )))
        }
    }
}
