//! Everything the preprocessor does to the world goes through [`PreprocHost`].

use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

/// An error unless `meta` is a regular file's.
fn refuse_non_regular(meta: &std::fs::Metadata) -> io::Result<()> {
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    Err(io::Error::other(format!(
        "it is {what}; only regular files can be included"
    )))
}

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
    /// Reads a regular file. A FIFO, device, socket or directory is refused
    /// before it is opened (opening a FIFO would wait for a writer forever,
    /// reading `/dev/zero` would never end), and checked again on the open
    /// descriptor, which is opened without blocking.
    fn read_file(&self, path: &Path) -> io::Result<String> {
        refuse_non_regular(&std::fs::metadata(path)?)?;
        let nonblocking = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(i32::try_from(nonblocking.bits()).unwrap_or(0))
            .open(path)?;
        refuse_non_regular(&file.metadata()?)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_a_fifo_never_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let host = RealHost::default();
        for (path, what) in [
            (fifo.as_path(), "a FIFO"),
            (dir.path(), "a directory"),
            (Path::new("/dev/zero"), "a device"),
        ] {
            let err = host.read_file(path).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("it is {what}; only regular files can be included"),
                "{}",
                path.display()
            );
        }
        let file = dir.path().join("inc.cfg");
        std::fs::write(&file, "a\n").unwrap();
        let link = dir.path().join("link.cfg");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(
            host.read_file(&link).unwrap(),
            "a\n",
            "links to files are read"
        );
    }
}
