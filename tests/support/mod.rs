//! Real services for the end-to-end tests: an SMTP server that receives alert
//! mail ([`smtp`]), a private rsyslogd ([`syslog`]), test users ([`users`]) and
//! storms of real processes to count and kill ([`storm`]).
//!
//! Every service is a real program started by the test (aiosmtpd, rsyslogd,
//! copies of `/bin/sleep`), stopped when its handle is dropped, and started under
//! `setpriv --pdeathsig`, so a test process that dies without unwinding (SIGKILL,
//! Ctrl-C) does not leave daemons behind. The recipes, and why each looks the way
//! it does, are in `docs/testing.md` ("Real services in end-to-end tests").
//!
//! A missing system package is an error naming the Debian package to install:
//! tests that need a service fail without it, they never skip.

pub mod hosts;
pub mod smtp;
pub mod storm;
pub mod syslog;
pub mod tree;
pub mod users;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use rustix::fs::{flock, FlockOperation};
use rustix::io::Errno;

/// Held while a test runs a storm of processes named `imapd`: the seed's
/// script counts (and kills) every `imapd` of its user on the machine.
pub const IMAPD_STORM_LOCK: &str = "/run/lock/pikt-test-imapd-storm.lock";

/// How often the `wait_*` helpers look again.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Where programs are looked for after `PATH`: daemons live in `sbin`, which a
/// non-login root shell may not have on its `PATH`.
const EXTRA_PROGRAM_DIRS: &[&str] = &["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/// Calls `probe` until it returns `Some`, every 10 ms, for at most `timeout`; the
/// last call comes at or after the deadline, so a zero timeout still probes once.
pub fn poll_until<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// An exclusive `flock(2)` on a file, held until the value is dropped. The lock
/// belongs to the open file, so it excludes other threads of this process as well
/// as other processes (parallel test binaries).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Takes the lock on `path` (created if missing, with its folder), waiting at
    /// most `timeout` for whoever holds it.
    pub fn acquire(path: &Path, timeout: Duration) -> io::Result<FileLock> {
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let locked = poll_until(timeout, || {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => Some(Ok(())),
                Err(Errno::WOULDBLOCK) => None,
                Err(error) => Some(Err(io::Error::from(error))),
            }
        });
        match locked {
            Some(Ok(())) => Ok(FileLock { _file: file }),
            Some(Err(error)) => Err(error),
            None => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "`{}` is still locked by another test after {timeout:?}",
                    path.display()
                ),
            )),
        }
    }
}

/// The path of `name` on `PATH` or in the usual `bin`/`sbin` folders.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(EXTRA_PROGRAM_DIRS.iter().map(PathBuf::from))
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}

/// [`find_program`], or an error that names the Debian package providing it.
pub fn require_program(name: &str, package: &str) -> io::Result<PathBuf> {
    find_program(name).ok_or_else(|| missing_package(&format!("`{name}`"), package))
}

/// The error for a missing system package: tests fail with it rather than skip.
pub fn missing_package(what: &str, package: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!(
            "{what} is missing: install the Debian package `{package}` \
             (`apt-get install {package}`; `.ci/run` installs it)"
        ),
    )
}

/// A command running `program` that the kernel kills when the thread calling
/// `spawn` ends (`setpriv --pdeathsig KILL`). Tests start and drop their services
/// on the test's own thread, so this only fires when the test process dies without
/// running the `Drop`s; a service must not outlive the thread that started it.
pub fn command_dying_with_thread(program: &Path) -> io::Result<Command> {
    let setpriv = require_program("setpriv", "util-linux")?;
    let mut command = Command::new(setpriv);
    command.args(["--pdeathsig", "KILL", "--"]).arg(program);
    Ok(command)
}

/// The text of a file for an error message, or a note that it cannot be read.
pub fn file_text(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => format!("(cannot read `{}`: {error})", path.display()),
    }
}

/// Whether process `pid` has an open file descriptor on the socket with inode
/// `inode` (`/proc/PID/fd/N` links read `socket:[INODE]`).
pub fn holds_socket(pid: u32, inode: u64) -> bool {
    let wanted = format!("socket:[{inode}]");
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok)
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .any(|target| target.as_os_str() == wanted.as_str())
}

/// The first process (pid and command name) holding the socket with `inode`.
pub fn socket_holder(inode: u64) -> Option<(u32, String)> {
    fs::read_dir("/proc")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| holds_socket(pid, inode))
        .map(|pid| {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (pid, comm.trim_end().to_owned())
        })
}
