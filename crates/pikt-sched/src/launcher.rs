//! Starting alert runs as child processes, behind a trait.
//!
//! **Architecture invariant: piktd never runs script code in-process.** Each
//! run is `/bin/sh -c '<command>'` in a process group of its own (the child's
//! pid is the group id), with stdin from `/dev/null` and stdout and stderr
//! going to an unlinked temporary file. So:
//!
//! * a run that hangs is stopped by signalling its whole group — the shell,
//!   `pikt`, and whatever `pikt` started — never a stray process elsewhere;
//!   the group is only signalled while its leader is not yet reaped, so its
//!   id cannot have been reused;
//! * a run that writes a lot cannot block on a full pipe (a file never fills
//!   up the way a pipe does), and the daemon reads back only the first
//!   [`OUTPUT_LIMIT`] bytes for the log;
//! * the daemon's own descriptors (the lock, the log) are close-on-exec and
//!   never reach the child.
//!
//! [`ShellLauncher`] does this; [`crate::testing::FakeLauncher`] stands in for
//! it in unit tests.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use rustix::process::{kill_process_group, Pid, Signal};

/// How many bytes of a run's output are copied into `piktd.log`.
pub const OUTPUT_LIMIT: usize = 4096;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// A signal ended it.
    Signal {
        /// The signal number.
        signal: i32,
        /// Whether it left a core dump.
        core_dumped: bool,
    },
}

impl Exit {
    /// True for a normal exit with status 0.
    pub fn is_success(self) -> bool {
        self == Exit::Code(0)
    }

    fn from_status(status: ExitStatus) -> Exit {
        match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal {
                signal,
                core_dumped: status.core_dumped(),
            },
            (None, None) => Exit::Code(-1),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Exit::Code(code) => write!(f, "exit {code}"),
            Exit::Signal {
                signal,
                core_dumped,
            } => {
                write!(f, "signal {signal}")?;
                if let Some(name) = signal_name(signal) {
                    write!(f, " (SIG{name})")?;
                }
                if core_dumped {
                    write!(f, ", core dumped")?;
                }
                Ok(())
            }
        }
    }
}

fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        5 => "TRAP",
        6 => "ABRT",
        7 => "BUS",
        8 => "FPE",
        9 => "KILL",
        10 => "USR1",
        11 => "SEGV",
        12 => "USR2",
        13 => "PIPE",
        14 => "ALRM",
        15 => "TERM",
        24 => "XCPU",
        25 => "XFSZ",
        _ => return None,
    })
}

/// Which signal to send a run's process group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// `SIGTERM`: please stop.
    Term,
    /// `SIGKILL`: stop now.
    Kill,
}

/// The start of a run's output, as read back after it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// At most [`OUTPUT_LIMIT`] bytes, decoded lossily as UTF-8.
    pub text: String,
    /// How many bytes the run wrote in all.
    pub total_bytes: u64,
}

/// A started run.
pub trait Run: Send {
    /// The child's process id (also its process group id).
    fn pid(&self) -> u32;
    /// Reaps the child if it has ended (never blocks).
    fn try_wait(&mut self) -> io::Result<Option<Exit>>;
    /// Signals the child's whole process group.
    fn signal_group(&mut self, signal: StopSignal) -> io::Result<()>;
    /// The output the run wrote (call after it ended).
    fn output(&mut self) -> Output;
    /// True while a process of the child's group is still alive, asked
    /// without signalling it: the child may have been reaped while what it
    /// started (an alert run sending its mail) goes on. A run that cannot
    /// tell answers false.
    fn group_alive(&self) -> bool {
        false
    }
}

/// Something that starts runs.
pub trait Launcher: Send {
    /// Starts `command`.
    fn launch(&mut self, command: &str) -> io::Result<Box<dyn Run>>;
}

/// Starts runs as `/bin/sh -c <command>` in their own process group.
#[derive(Clone, Debug)]
pub struct ShellLauncher {
    shell: PathBuf,
    dir: PathBuf,
}

impl ShellLauncher {
    /// Runs commands with `/bin/sh`, in working directory `dir` (the
    /// installation's `PIKT_DIR`).
    pub fn new(dir: impl Into<PathBuf>) -> ShellLauncher {
        ShellLauncher {
            shell: PathBuf::from("/bin/sh"),
            dir: dir.into(),
        }
    }
}

impl Launcher for ShellLauncher {
    fn launch(&mut self, command: &str) -> io::Result<Box<dyn Run>> {
        let output = tempfile::tempfile()?;
        let child = Command::new(&self.shell)
            .arg("-c")
            .arg(command)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output.try_clone()?)
            .process_group(0)
            .spawn()?;
        Ok(Box::new(ShellRun {
            child,
            output,
            reaped: false,
        }))
    }
}

struct ShellRun {
    child: Child,
    output: File,
    reaped: bool,
}

impl Run for ShellRun {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn try_wait(&mut self) -> io::Result<Option<Exit>> {
        let status = self.child.try_wait()?;
        if status.is_some() {
            self.reaped = true;
        }
        Ok(status.map(Exit::from_status))
    }

    fn signal_group(&mut self, signal: StopSignal) -> io::Result<()> {
        if self.reaped {
            // The group id may belong to someone else by now.
            return Ok(());
        }
        let group = Pid::from_child(&self.child);
        let signal = match signal {
            StopSignal::Term => Signal::TERM,
            StopSignal::Kill => Signal::KILL,
        };
        kill_process_group(group, signal).map_err(io::Error::from)
    }

    fn group_alive(&self) -> bool {
        rustix::process::test_kill_process_group(Pid::from_child(&self.child)).is_ok()
    }

    fn output(&mut self) -> Output {
        read_output(&mut self.output)
    }
}

fn read_output(file: &mut File) -> Output {
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    let limit = u64::try_from(OUTPUT_LIMIT).unwrap_or(u64::MAX);
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.by_ref().take(limit).read_to_end(&mut bytes));
    if read.is_err() {
        bytes.clear();
    }
    // Each line as text, bytes that are not UTF-8 shown as `\xHH` (the
    // log escapes the rest).
    let text = bytes
        .split(|&b| b == b'\n')
        .map(pikt_source::visible::escape_bytes_line)
        .collect::<Vec<_>>()
        .join("\n");
    Output { text, total_bytes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(run: &mut dyn Run) -> Exit {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(exit)) = run.try_wait() {
                return exit;
            }
            assert!(Instant::now() < deadline, "child did not end");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn launch(command: &str) -> Box<dyn Run> {
        match ShellLauncher::new("/").launch(command) {
            Ok(run) => run,
            Err(err) => panic!("cannot start `{command}`: {err}"),
        }
    }

    #[test]
    fn captures_exit_status_and_both_output_streams() {
        let mut run = launch("echo out; echo err >&2; exit 3");
        assert_eq!(wait(run.as_mut()), Exit::Code(3));
        let output = run.output();
        assert_eq!(output.text, "out\nerr\n");
        assert_eq!(output.total_bytes, 8);
    }

    #[test]
    fn stdin_is_empty_and_cwd_is_the_given_dir() {
        let mut run = launch("pwd; cat; echo end");
        assert_eq!(wait(run.as_mut()), Exit::Code(0));
        assert_eq!(run.output().text, "/\nend\n");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_escapes() {
        let mut run = launch("printf 'ok\\377\\376\\nnext\\n'");
        assert!(wait(run.as_mut()).is_success());
        assert_eq!(run.output().text, "ok\\xff\\xfe\nnext\n");
    }

    #[test]
    fn output_is_bounded() {
        let mut run = launch("head -c 100000 /dev/zero | tr '\\0' x");
        assert!(wait(run.as_mut()).is_success());
        let output = run.output();
        assert_eq!(output.text.len(), OUTPUT_LIMIT);
        assert_eq!(output.total_bytes, 100_000);
    }

    #[test]
    fn killing_the_group_reaches_grandchildren() {
        // The shell starts a background sleep and waits for it: both are in
        // the group; killing the group ends both, so the shell's wait returns.
        let mut run = launch("sleep 1000 & echo started; wait");
        std::thread::sleep(Duration::from_millis(100));
        let pid = run.pid();
        assert!(run.signal_group(StopSignal::Kill).is_ok());
        let exit = wait(run.as_mut());
        assert_eq!(
            exit,
            Exit::Signal {
                signal: 9,
                core_dumped: false
            }
        );
        assert_eq!(exit.to_string(), "signal 9 (SIGKILL)");
        // No live process of the group is left.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(crate::testing::live_group_members(pid), 0, "group {pid}");
        // Signalling after the reap is a no-op, never a stray kill.
        assert!(run.signal_group(StopSignal::Kill).is_ok());
    }

    #[test]
    fn crash_is_reported_as_a_signal() {
        let mut run = launch("kill -SEGV $$");
        let exit = wait(run.as_mut());
        assert!(matches!(exit, Exit::Signal { signal: 11, .. }), "{exit:?}");
        assert!(exit.to_string().starts_with("signal 11 (SIGSEGV)"));
        assert!(!exit.is_success());
    }
}
