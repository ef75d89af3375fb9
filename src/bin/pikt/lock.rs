//! One run of an alert at a time: `pikt +A ALERT` (and `+S` in it) holds
//! `=lokdir/ALERT.lock` while it runs, so a run started by hand cannot
//! interleave with piktd's run of the same alert (history, the alert log,
//! the kills of its scripts). PIKT blocked such runs with a lock file and
//! gave `-U` ("urgent mode") to run regardless (1.19 developer notes on
//! urgent mode); pikt does the same, with a `flock` the kernel releases
//! however the run ends, so a lock can never go stale.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};
use rustix::io::Errno;

/// A held alert lock; released when dropped (or when the process ends).
pub struct AlertLock {
    _file: File,
}

/// Why a run may not start.
pub enum Blocked {
    /// Another run holds the lock.
    Busy {
        /// The lock file.
        path: PathBuf,
        /// The pid written in it, when it could be read.
        pid: Option<u32>,
    },
}

impl Blocked {
    /// The message for the user, naming `alert` and the way out.
    pub fn message(&self, alert: &str) -> String {
        match self {
            Blocked::Busy { path, pid } => {
                let holder = pid.map_or_else(String::new, |pid| format!("pid {pid} "));
                format!(
                    "another run of alert `{alert}` is in progress ({holder}holds `{}`); wait for it to end, or run with -U (urgent mode) to run regardless",
                    path.display()
                )
            }
        }
    }
}

/// Takes `=lokdir/ALERT.lock` without waiting. `Ok(None)` when the lock
/// cannot be used at all (no lock directory, a read-only tree): the run
/// goes on, and `warn` is told why (an alert run is never lost to a lock).
pub fn take(
    lokdir: &Path,
    alert: &str,
    warn: &mut dyn FnMut(&str),
) -> Result<Option<AlertLock>, Blocked> {
    let path = lokdir.join(format!("{alert}.lock"));
    let file = match open(lokdir, &path) {
        Ok(file) => file,
        Err(e) => {
            warn(&format!(
                "cannot use the lock `{}` ({e}); running without it",
                path.display()
            ));
            return Ok(None);
        }
    };
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {
            write_pid(&file);
            Ok(Some(AlertLock { _file: file }))
        }
        Err(Errno::WOULDBLOCK) => Err(Blocked::Busy {
            pid: read_pid(&file),
            path,
        }),
        Err(e) => {
            warn(&format!(
                "cannot lock `{}` ({e}); running without it",
                path.display()
            ));
            Ok(None)
        }
    }
}

/// Opens (creating it and its directory) the lock file, never through a
/// symbolic link; read-only when it exists but may not be written (a user
/// checking a root-owned tree with `pikt -T`).
fn open(lokdir: &Path, path: &Path) -> io::Result<File> {
    if let Err(e) = std::fs::create_dir_all(lokdir) {
        if !lokdir.is_dir() {
            return Err(e);
        }
    }
    let flags = libc_flags();
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(flags)
        .open(path)
    {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            OpenOptions::new().read(true).custom_flags(flags).open(path)
        }
        other => other,
    }
}

/// `O_NOFOLLOW | O_CLOEXEC`: a planted link is refused, and commands the
/// run starts do not inherit (and so do not hold) the lock.
fn libc_flags() -> i32 {
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC;
    i32::try_from(flags.bits()).unwrap_or_default()
}

/// Writes this process's pid into the lock, for the message of a run that
/// finds it taken (a read-only lock stays as it is).
fn write_pid(mut file: &File) {
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()));
}

fn read_pid(mut file: &File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_blocked_and_named_until_the_first_ends() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let lokdir = dir.path().join("var/lock");
        let mut warnings = Vec::new();
        let first = take(&lokdir, "Urgent", &mut |w| warnings.push(w.to_string()));
        assert!(matches!(first, Ok(Some(_))));
        let second = take(&lokdir, "Urgent", &mut |w| warnings.push(w.to_string()));
        let message = match second {
            Err(blocked) => blocked.message("Urgent"),
            Ok(_) => String::new(),
        };
        assert!(
            message.contains(&format!("pid {} holds", std::process::id())),
            "{message}"
        );
        assert!(message.contains("-U (urgent mode)"), "{message}");
        // Another alert is not blocked.
        assert!(matches!(take(&lokdir, "Warning", &mut |_| {}), Ok(Some(_))));
        drop(first);
        assert!(matches!(take(&lokdir, "Urgent", &mut |_| {}), Ok(Some(_))));
        assert!(warnings.is_empty(), "{warnings:?}");
        Ok(())
    }

    #[test]
    fn a_symbolic_link_as_the_lock_is_refused_and_the_run_goes_on() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep")?;
        std::os::unix::fs::symlink(&target, dir.path().join("Urgent.lock"))?;
        let mut warnings = Vec::new();
        let taken = take(dir.path(), "Urgent", &mut |w| warnings.push(w.to_string()));
        assert!(matches!(taken, Ok(None)));
        assert_eq!(std::fs::read_to_string(&target)?, "keep");
        assert!(warnings[0].contains("running without it"), "{warnings:?}");
        Ok(())
    }
}
