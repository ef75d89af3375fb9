//! Everything the preprocessor does to the world goes through [`PreprocHost`].

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pikt_child::{AtOutputLimit, End, Run};

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
    /// Its standard output (`#piktexec`: none, it goes where ours goes).
    pub stdout: String,
    /// True when it exited with status 0.
    pub success: bool,
    /// Its exit status, when it exited.
    pub status: Option<i32>,
    /// What it wrote to standard error, bounded.
    pub stderr: Stderr,
}

/// What a command wrote to its standard error: the first
/// [`MAX_COMMAND_STDERR_BYTES`], and how many bytes more were dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stderr {
    /// The text kept (invalid UTF-8 replaced).
    pub text: String,
    /// Bytes written beyond what was kept.
    pub dropped: u64,
}

/// Most standard error kept of one preprocessor command (or `#piktexec`):
/// the rest is counted and said, not shown, so a command that complains
/// for ever cannot flood piktc's output.
pub const MAX_COMMAND_STDERR_BYTES: usize = 64 << 10;

/// The preprocessor's window on the world (tests use [`crate::testing::FakeHost`]).
pub trait PreprocHost {
    /// Reads a file for `#include`/`#verbatim`.
    fn read_file(&self, path: &Path) -> io::Result<String>;
    /// Runs `command` with `/bin/sh -c`, with `env` added to the environment,
    /// for `#include [..]`, `#verbatim [..]`, `#exec [..]` and `#setdef x = [..]`.
    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput>;
    /// Runs Pikt statements for `#piktexec`/`#pexec` (macros already
    /// expanded); its standard output is not captured (`stdout` is empty).
    fn run_pikt(&self, statements: &str) -> io::Result<CommandOutput>;
}

/// The real world: `std::fs` and `/bin/sh -c`, each command bounded
/// (`pikt-child`): in a process group of its own, killed as a whole at
/// [`RealHost::command_time_limit`] or once it printed more than
/// [`MAX_COMMAND_OUTPUT_BYTES`]; of its standard error the first
/// [`MAX_COMMAND_STDERR_BYTES`] are kept, the rest counted.
#[derive(Clone, Debug)]
pub struct RealHost {
    /// The Pikt interpreter run for `#piktexec` (normally `=piktdir/bin/pikt`);
    /// it gets the statements on standard input. `None` makes `#piktexec` an
    /// error ("no Pikt interpreter configured").
    pub pikt_binary: Option<std::path::PathBuf>,
    /// How long one command (or one `#piktexec`) may run.
    pub command_time_limit: Duration,
}

impl Default for RealHost {
    fn default() -> RealHost {
        RealHost {
            pikt_binary: None,
            command_time_limit: COMMAND_TIME_LIMIT,
        }
    }
}

/// How long one preprocessor command may run by default (PIKT.conf's
/// `preproc_command_limit` changes it for piktc).
pub const COMMAND_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Most standard output one preprocessor command may print: what it
/// prints becomes config text, and no file may grow by more than
/// [`crate::MAX_TOTAL_EXPANSION_BYTES`] anyway.
pub const MAX_COMMAND_OUTPUT_BYTES: usize = crate::MAX_TOTAL_EXPANSION_BYTES;

impl RealHost {
    /// Runs `command` within the bounds; an error (the diagnostic's text)
    /// when it was stopped at one.
    fn run_bounded(&self, command: &mut Command, run: Run) -> io::Result<pikt_child::Finished> {
        let finished = run
            .at_output_limit(AtOutputLimit::Stop)
            .capture_stderr_up_to(MAX_COMMAND_STDERR_BYTES)
            .run(command.stdin(Stdio::null()))?;
        match finished.end {
            End::TimedOut => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "it was still running after {} s and was killed with its process group",
                    self.command_time_limit.as_secs_f64()
                ),
            )),
            End::OutputLimit => Err(io::Error::other(format!(
                "it printed more than {MAX_COMMAND_OUTPUT_BYTES} bytes \
                 and was killed with its process group"
            ))),
            End::Exited(_) | End::Signalled(_) => Ok(finished),
        }
    }
}

impl PreprocHost for RealHost {
    /// Reads a regular file through `pikt-fs`: a symbolic link on the way
    /// (the file's own name included) is followed only when only root
    /// could have made it, so a link a user planted in the config tree is
    /// refused, while `/etc/pikt -> /srv/pikt` works. A FIFO, device,
    /// socket or directory is refused before it is opened (opening a FIFO
    /// would wait for a writer forever, reading `/dev/zero` would never
    /// end), and again on the descriptor, opened without blocking.
    fn read_file(&self, path: &Path) -> io::Result<String> {
        refuse_non_regular(&std::fs::metadata(path)?)?;
        pikt_fs::read_text(path)
    }

    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput> {
        let mut shell = Command::new("/bin/sh");
        shell
            .arg("-c")
            .arg(command)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let run = Run::new(self.command_time_limit, MAX_COMMAND_OUTPUT_BYTES).capture_stdout();
        let finished = self.run_bounded(&mut shell, run)?;
        Ok(output_of(&finished))
    }

    /// Runs the interpreter with the statements on its standard input; its
    /// standard output goes where ours goes (the interpreter bounds what a
    /// script prints), its standard error is kept like a command's, and
    /// the run is bounded in time like any command.
    fn run_pikt(&self, statements: &str) -> io::Result<CommandOutput> {
        let Some(binary) = &self.pikt_binary else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no Pikt interpreter configured",
            ));
        };
        let mut pikt = Command::new(binary);
        pikt.stdout(Stdio::inherit());
        let run = Run::new(self.command_time_limit, MAX_COMMAND_OUTPUT_BYTES)
            .input(statements.as_bytes().to_vec());
        let finished = self.run_bounded(&mut pikt, run)?;
        Ok(output_of(&finished))
    }
}

/// A bounded run's output as the preprocessor sees it.
fn output_of(finished: &pikt_child::Finished) -> CommandOutput {
    CommandOutput {
        stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
        success: finished.end.success(),
        status: finished.end.status_code(),
        stderr: Stderr {
            text: String::from_utf8_lossy(&finished.stderr).into_owned(),
            dropped: finished.stderr_dropped,
        },
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

    /// Preprocesses `input` (as `objects.cfg`) with the real host bounded
    /// at `limit`; the rendered diagnostics and how long it took.
    fn preprocess_real(input: &str, limit: Duration) -> (String, String, Duration) {
        let facts = crate::HostFacts::new("moscow", ["linux"]);
        let mut defines = crate::Defines::new();
        let mut map = pikt_source::SourceMap::new();
        let file = map.add("objects.cfg", input);
        let mut opts = crate::Options::new(&facts, &mut defines, crate::FileKind::Other, "/cfg");
        let host = RealHost {
            command_time_limit: limit,
            ..RealHost::default()
        };
        let started = std::time::Instant::now();
        let out = crate::preprocess(&mut map, file, &mut opts, &host);
        let took = started.elapsed();
        let errors = out
            .diagnostics
            .iter()
            .map(|d| pikt_source::render(&map, d))
            .collect();
        (map.get(out.file).text.clone(), errors, took)
    }

    #[test]
    fn a_command_past_the_time_limit_is_killed_with_a_clear_error() {
        let (_, errors, took) =
            preprocess_real("Obj\n#exec [sleep 1000]\n", Duration::from_millis(300));
        assert!(took < Duration::from_secs(20), "{took:?}");
        assert_eq!(
            errors,
            "error: cannot run `sleep 1000`: it was still running after 0.3 s \
             and was killed with its process group\n \
             --> objects.cfg:2:8\n  |\n2 | #exec [sleep 1000]\n  |        ^^^^^^^^^^\n  \
             = help: PIKT.conf's `preproc_command_limit` sets how many seconds \
             a preprocessor command may take\n"
        );
    }

    #[test]
    fn an_output_flood_is_killed_at_the_cap_with_a_clear_error() {
        let (text, errors, took) =
            preprocess_real("Obj\n#include [yes]\n", Duration::from_secs(60));
        assert!(took < Duration::from_secs(30), "{took:?}");
        assert_eq!(text, "Obj\n", "nothing of the flood is kept");
        assert!(
            errors.starts_with(&format!(
                "error: cannot run `yes`: it printed more than {MAX_COMMAND_OUTPUT_BYTES} \
                 bytes and was killed with its process group\n --> objects.cfg:2:11\n"
            )),
            "{errors}"
        );
        assert!(
            errors.contains("2 | #include [yes]\n  |           ^^^\n"),
            "{errors}"
        );
    }

    #[test]
    fn the_whole_group_of_a_command_is_killed_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let host = RealHost {
            command_time_limit: Duration::from_millis(300),
            ..RealHost::default()
        };
        let err = host
            .run_command(
                &format!("sleep 1000 & echo $! > '{}'; wait", pid_file.display()),
                &[],
            )
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
                Ok(stat) if !stat.contains(") Z ") => {
                    assert!(std::time::Instant::now() < deadline, "sleep {pid} lives on");
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => break,
            }
        }
    }

    /// An executable shell script in `dir` standing in for the interpreter.
    fn fake_pikt(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
        let path = dir.join("pikt");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        path
    }

    #[test]
    fn stderr_is_kept_up_to_its_cap_and_the_rest_counted() {
        let host = RealHost::default();
        let out = host
            .run_command("head -c 1000000 /dev/zero | tr '\\0' e >&2; echo out", &[])
            .unwrap();
        assert!(out.success);
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr.text.len(), MAX_COMMAND_STDERR_BYTES);
        assert_eq!(
            out.stderr.dropped,
            1_000_000 - MAX_COMMAND_STDERR_BYTES as u64
        );

        let dir = tempfile::tempdir().unwrap();
        let host = RealHost {
            pikt_binary: Some(fake_pikt(
                dir.path(),
                "head -c 200000 /dev/zero | tr '\\0' e >&2\nexit 2",
            )),
            ..RealHost::default()
        };
        let out = host.run_pikt("exit").unwrap();
        assert!(!out.success);
        assert_eq!(out.status, Some(2));
        assert_eq!(out.stderr.text.len(), MAX_COMMAND_STDERR_BYTES);
        assert_eq!(
            out.stderr.dropped,
            200_000 - MAX_COMMAND_STDERR_BYTES as u64
        );
    }

    #[test]
    fn piktexec_is_bounded_in_time_too() {
        let dir = tempfile::tempdir().unwrap();
        let host = RealHost {
            pikt_binary: Some(fake_pikt(dir.path(), "exec sleep 1000")),
            command_time_limit: Duration::from_millis(300),
        };
        let err = host.run_pikt("exit").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    }
}
