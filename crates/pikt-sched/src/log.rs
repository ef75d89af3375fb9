//! `piktd.log`: one line per event, syslog style.
//!
//! ```text
//! Nov 24 10:05:00 web1 piktd[812]: INFO launch Urgent pid=4242 line 3 due 10:05: /pikt/bin/pikt +A Urgent
//! ```
//!
//! Each line is written with a single `write` on a file opened for appending,
//! so lines from several writers never interleave. Before each line the
//! daemon checks that the name still names the file it holds, and reopens
//! it by name when it does not: log rotation (`/etc/logrotate.d/pikt`)
//! moves the file away and the next line starts the new one, no signal
//! and no copy needed (`SIGHUP` reopens it too). Failing to write the log
//! never stops the daemon. Timestamps come from the daemon's [`crate::Clock`]
//! and are shown in its time zone.
//!
//! The file is opened without following a symbolic link at its name, or one
//! on the way to it that someone else could have planted, and must be a regular file with one link (`pikt-fs`).
//! Messages carry data (the output of runs): control characters in them
//! are made visible (`pikt_source::visible`), so no line can be forged.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// How important a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Only written with `-G`.
    Debug,
    /// Normal events: start, launch, end.
    Info,
    /// Something skipped or odd: overlap, clock jump, non-zero exit.
    Warning,
    /// Something failed: time-out, crash, a bad `piktd.conf` line.
    Error,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// The daemon's log file, plus an optional copy of every line (stderr with `-G`).
pub struct DaemonLog {
    path: PathBuf,
    file: Option<File>,
    mirror: Option<Box<dyn Write + Send>>,
    prefix: String,
    zone: TimeZone,
    debug: bool,
}

impl DaemonLog {
    /// Opens (creating, mode 0644) `path` for appending. Lines carry `host`
    /// and this process's pid; `debug` enables [`Level::Debug`] lines.
    pub fn open(
        path: &Path,
        host: &str,
        zone: TimeZone,
        debug: bool,
        mirror: Option<Box<dyn Write + Send>>,
    ) -> io::Result<DaemonLog> {
        let file = open_append(path)?;
        Ok(DaemonLog {
            path: path.to_path_buf(),
            file: Some(file),
            mirror,
            prefix: format!("{host} piktd[{}]:", std::process::id()),
            zone,
            debug,
        })
    }

    /// Reopens the file at the same path (after rotation).
    pub fn reopen(&mut self) -> io::Result<()> {
        let file = open_append(&self.path);
        match file {
            Ok(file) => {
                self.file = Some(file);
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// The path of the log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when debug lines are written.
    pub fn debug_enabled(&self) -> bool {
        self.debug
    }

    /// Writes one line stamped `at`.
    pub fn write(&mut self, at: Timestamp, level: Level, message: &str) {
        if level == Level::Debug && !self.debug {
            return;
        }
        let stamp = at.to_zoned(self.zone.clone()).strftime("%b %e %H:%M:%S");
        let message = pikt_source::visible::escape_line(message);
        let line = format!("{stamp} {} {} {message}\n", self.prefix, level.word());
        self.follow_rotation();
        if let Some(file) = self.file.as_mut() {
            // One write call per line; a failed write is dropped on purpose:
            // the daemon must go on scheduling even on a full disk.
            let _ = file.write_all(line.as_bytes());
        }
        if let Some(mirror) = self.mirror.as_mut() {
            let _ = mirror.write_all(line.as_bytes());
        }
    }
}

impl DaemonLog {
    /// Reopens the file by name when the name no longer names the file
    /// held (moved away or removed by log rotation). When the reopen
    /// fails, lines keep going to the file held.
    fn follow_rotation(&mut self) {
        let moved = match (&self.file, std::fs::symlink_metadata(&self.path)) {
            (Some(file), Ok(now)) => file.metadata().map_or(true, |held| {
                (held.dev(), held.ino()) != (now.dev(), now.ino())
            }),
            _ => true,
        };
        if moved {
            if let Ok(file) = open_append(&self.path) {
                self.file = Some(file);
            }
        }
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    Ok(pikt_fs::open_write(path, true, 0o644)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_stamped_and_debug_is_filtered() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("piktd.log");
        let mut log = DaemonLog::open(&path, "web1", TimeZone::UTC, false, None)?;
        let at = Timestamp::from_second(1_795_514_400).unwrap_or(Timestamp::UNIX_EPOCH);
        log.write(at, Level::Info, "start");
        log.write(at, Level::Debug, "hidden");
        let text = std::fs::read_to_string(&path)?;
        let pid = std::process::id();
        assert_eq!(
            text,
            format!("Nov 24 10:00:00 web1 piktd[{pid}]: INFO start\n")
        );
        Ok(())
    }

    #[test]
    fn a_planted_link_is_refused_and_data_cannot_forge_lines() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let victim = dir.path().join("passwd");
        std::fs::write(&victim, "root:x:0:0\n")?;
        let path = dir.path().join("piktd.log");
        std::os::unix::fs::symlink(&victim, &path)?;
        let err = DaemonLog::open(&path, "h", TimeZone::UTC, false, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim)?, "root:x:0:0\n");
        std::fs::remove_file(&path)?;
        let mut log = DaemonLog::open(&path, "h", TimeZone::UTC, false, None)?;
        log.write(
            Timestamp::UNIX_EPOCH,
            Level::Info,
            "output x: evil\nJan  1 00:00:00 h piktd[1]: INFO forged\x1b[2J",
        );
        let text = std::fs::read_to_string(&path)?;
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("evil\\x0aJan"), "{text}");
        assert!(text.contains("forged\\x1b[2J"), "{text}");
        // Rotation replaced by a link: the reopen refuses it, nothing is
        // written through it.
        std::fs::rename(&path, dir.path().join("piktd.log.1"))?;
        std::os::unix::fs::symlink(&victim, &path)?;
        assert!(log.reopen().is_err());
        log.write(Timestamp::UNIX_EPOCH, Level::Info, "after the link");
        assert_eq!(std::fs::read_to_string(&victim)?, "root:x:0:0\n");
        Ok(())
    }

    #[test]
    fn a_log_moved_away_is_reopened_by_name_at_the_next_line() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("piktd.log");
        let rotated = dir.path().join("piktd.log.1");
        let mut log = DaemonLog::open(&path, "h", TimeZone::UTC, false, None)?;
        log.write(Timestamp::UNIX_EPOCH, Level::Info, "before");
        // logrotate's `create`: moved, and an empty file made in its place.
        std::fs::rename(&path, &rotated)?;
        std::fs::write(&path, "")?;
        log.write(Timestamp::UNIX_EPOCH, Level::Info, "after");
        // Removed outright (no `create`): made again.
        std::fs::rename(&path, dir.path().join("piktd.log.2"))?;
        log.write(Timestamp::UNIX_EPOCH, Level::Info, "again");
        let old = std::fs::read_to_string(&rotated)?;
        assert!(
            old.ends_with("INFO before\n") && !old.contains("after"),
            "{old}"
        );
        let middle = std::fs::read_to_string(dir.path().join("piktd.log.2"))?;
        assert!(middle.ends_with("INFO after\n"), "{middle}");
        let new = std::fs::read_to_string(&path)?;
        assert!(
            new.ends_with("INFO again\n") && !new.contains("after"),
            "{new}"
        );
        Ok(())
    }

    #[test]
    fn reopen_follows_rotation() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("piktd.log");
        let mut log = DaemonLog::open(&path, "h", TimeZone::UTC, true, None)?;
        log.write(Timestamp::UNIX_EPOCH, Level::Debug, "one");
        std::fs::rename(&path, dir.path().join("piktd.log.1"))?;
        log.reopen()?;
        log.write(Timestamp::UNIX_EPOCH, Level::Error, "two");
        let text = std::fs::read_to_string(&path)?;
        assert!(
            text.ends_with("ERROR two\n") && !text.contains("one"),
            "{text}"
        );
        let old = std::fs::read_to_string(dir.path().join("piktd.log.1"))?;
        assert!(old.ends_with("DEBUG one\n"), "{old}");
        Ok(())
    }
}
