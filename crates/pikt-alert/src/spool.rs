//! Messages wait here until a relay (or the mail command) accepted them.
//!
//! Every new message is written here *before* its first delivery attempt
//! and removed only after it was accepted, so a run killed at any point of
//! delivery leaves it for the next run. One file per message, named by the
//! time it was spooled (`NANOS-PID-N.msg`) so that a sorted listing is
//! oldest first; each is written to a temporary name, fsynced and renamed
//! into place, and the directory fsynced, so a crash never leaves half a
//! message and a spooled message survives a power cut. The directory is
//! created private (0700) and reached without following a planted symbolic
//! link (`pikt-fs`); a file in it that is a link is not read.
//!
//! The spool also keeps a marker per alert run in progress
//! (`.run-PID-START`, the process's id and start time):
//! a run that is killed before it can say so (SIGKILL) leaves its marker,
//! and the next run reports it ([`Spool::interrupted_runs`]), so even that
//! loss is never silent.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use pikt_fs::Dir;

use crate::AlertMessage;

/// Mode of the spool directory (and of any missing parent it creates).
const DIR_MODE: u32 = 0o700;
/// Mode of a spooled message.
const FILE_MODE: u32 = 0o600;
/// Name prefix of run markers.
const RUN_MARKER: &str = ".run-";

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The on-disk spool of undelivered alert mail.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

/// A message in the spool.
#[derive(Debug, Clone)]
pub struct SpooledMessage {
    /// Its file.
    pub path: PathBuf,
    /// The message.
    pub message: AlertMessage,
}

/// A run that ended without removing its marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedRun {
    /// Its process id.
    pub pid: u32,
    /// What its marker says (when and how it started).
    pub started: String,
    /// The marker's name in the spool.
    marker: String,
}

impl Spool {
    /// A spool in `dir` (created on first use).
    pub fn new(dir: impl Into<PathBuf>) -> Spool {
        Spool { dir: dir.into() }
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory, created (0700) when missing.
    pub fn open(&self) -> io::Result<Dir> {
        Ok(Dir::create(&self.dir, DIR_MODE)?)
    }

    /// The directory if it exists.
    fn existing(&self) -> io::Result<Option<Dir>> {
        match Dir::open(&self.dir) {
            Ok(dir) => Ok(Some(dir)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores `message` durably (file and directory fsynced); returns it as
    /// spooled. Temporary files that interrupted writers left are removed
    /// first.
    pub fn add(&self, message: &AlertMessage) -> io::Result<SpooledMessage> {
        let dir = self.open()?;
        dir.remove_stale_temps()?;
        let stamp = jiff::Timestamp::now().as_nanosecond();
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let name = format!("{stamp:020}-{}-{n}.msg", std::process::id());
        dir.stage(&name, encode(message).as_bytes(), FILE_MODE, None)?
            .commit_new()?;
        Ok(SpooledMessage {
            path: dir.join(&name),
            message: message.clone(),
        })
    }

    /// Every spooled message, oldest first, and the files that could not be
    /// read back as messages (reported by the caller, never silently dropped;
    /// they stay in the spool for a human to look at).
    pub fn list(&self) -> io::Result<(Vec<SpooledMessage>, Vec<PathBuf>)> {
        let Some(dir) = self.existing()? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut names: Vec<String> = dir
            .names()?
            .into_iter()
            .filter(|n| n.ends_with(".msg") && !n.starts_with('.'))
            .collect();
        names.sort();
        let mut messages = Vec::new();
        let mut unreadable = Vec::new();
        for name in names {
            let path = dir.join(&name);
            let message = match dir.read(&name) {
                Ok(Some(bytes)) => std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|text| decode(text, &name)),
                Ok(None) => continue,
                Err(_) => None,
            };
            match message {
                Some(message) => messages.push(SpooledMessage { path, message }),
                None => unreadable.push(path),
            }
        }
        Ok((messages, unreadable))
    }

    /// Removes a delivered message (and syncs the directory, so it does not
    /// come back after a crash to be sent twice).
    pub fn remove(&self, item: &SpooledMessage) -> io::Result<()> {
        let dir = Dir::open(item.path.parent().unwrap_or(&self.dir))?;
        let name = item
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        dir.remove(name)?;
        dir.sync()?;
        Ok(())
    }

    /// Marks a run in progress: `.run-PID-START` holding `started`. Remove
    /// it with [`Spool::end_run`] when the run ends in any way it can report.
    pub fn begin_run(&self, started: &str) -> io::Result<PathBuf> {
        let dir = self.open()?;
        dir.remove_stale_temps()?;
        let name = marker_name();
        dir.write_atomic(&name, started.as_bytes(), FILE_MODE)?;
        Ok(dir.join(&name))
    }

    /// Removes the marker of a run that is reported now.
    pub fn forget_run(&self, run: &InterruptedRun) -> io::Result<()> {
        if let Some(dir) = self.existing()? {
            dir.remove(&run.marker)?;
        }
        Ok(())
    }

    /// Removes this process's run marker.
    pub fn end_run(&self) -> io::Result<()> {
        if let Some(dir) = self.existing()? {
            dir.remove(&marker_name())?;
        }
        Ok(())
    }

    /// The runs whose process is gone but whose marker is still here
    /// (killed without a chance to report). Each stays until
    /// [`Spool::forget_run`]: call that once it is reported, so a run killed
    /// while reporting leaves the report to the next one.
    pub fn interrupted_runs(&self) -> io::Result<Vec<InterruptedRun>> {
        let Some(dir) = self.existing()? else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for name in dir.names()? {
            let Some((pid, start)) = parse_marker(&name) else {
                continue;
            };
            if pikt_fs::temp::is_running(pid, start) {
                continue;
            }
            let started = dir
                .read(&name)
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .unwrap_or_default();
            found.push(InterruptedRun {
                pid,
                started,
                marker: name,
            });
        }
        found.sort_by_key(|r| r.pid);
        Ok(found)
    }
}

/// This process's run marker.
fn marker_name() -> String {
    let (pid, start) = pikt_fs::temp::this_process();
    format!("{RUN_MARKER}{pid}-{start}")
}

/// The process id and start time of a run marker's name.
fn parse_marker(name: &str) -> Option<(u32, u64)> {
    let (pid, start) = name.strip_prefix(RUN_MARKER)?.split_once('-')?;
    Some((pid.parse().ok()?, start.parse().ok()?))
}

/// The spool file: header lines (`Message-ID`, `Date`, `From`, `To`,
/// `Subject`; values on one line), a blank line, the body as it is.
fn encode(m: &AlertMessage) -> String {
    let one = |s: &str| s.replace(['\r', '\n'], " ");
    format!(
        "Message-ID: {}\nDate: {}\nFrom: {}\nTo: {}\nSubject: {}\n\n{}",
        one(&m.message_id),
        one(&m.date),
        one(&m.from),
        one(&m.to.join(" ")),
        one(&m.subject),
        m.body
    )
}

/// Reads a spool file back; a file without `Message-ID` (spooled by an
/// earlier version) gets one made from its name, the same on every retry.
fn decode(text: &str, name: &str) -> Option<AlertMessage> {
    let (head, body) = text.split_once("\n\n")?;
    let mut fields = [None, None, None, None, None];
    const KEYS: [&str; 5] = ["Message-ID", "Date", "From", "To", "Subject"];
    for line in head.lines() {
        let (key, value) = line
            .split_once(": ")
            .or_else(|| line.strip_suffix(':').map(|key| (key, "")))?;
        let slot = KEYS.iter().position(|k| *k == key)?;
        *fields.get_mut(slot)? = Some(value.to_string());
    }
    let [id, date, from, to, subject] = fields;
    let stem = name.strip_suffix(".msg").unwrap_or(name);
    Some(AlertMessage {
        message_id: id.unwrap_or_else(|| format!("pikt.spool.{stem}@localhost")),
        date: date.unwrap_or_default(),
        from: from?,
        to: to?.split_whitespace().map(str::to_string).collect(),
        subject: subject?,
        body: body.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn message(subject: &str) -> AlertMessage {
        AlertMessage::new(
            "p@h",
            vec!["a@b".into(), "c@d".into()],
            subject,
            "PIKT ALERT\n\nURGENT: X\n",
            "h",
        )
    }

    #[test]
    fn messages_round_trip_in_order_with_their_identity() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("s"));
        let sent: Vec<AlertMessage> = ["one", "two", "three"].iter().map(|s| message(s)).collect();
        for m in &sent {
            spool.add(m).unwrap();
        }
        let (items, bad) = spool.list().unwrap();
        assert!(bad.is_empty());
        let back: Vec<AlertMessage> = items.iter().map(|i| i.message.clone()).collect();
        assert_eq!(
            back, sent,
            "everything, Message-ID and date included, comes back"
        );
        let mode = fs::metadata(spool.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        spool.remove(&items[0]).unwrap();
        assert_eq!(spool.list().unwrap().0.len(), 2);
    }

    #[test]
    fn a_symlinked_spool_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("spool");
        pikt_fs::testing::plant_link(&elsewhere, &link).unwrap();
        let spool = Spool::new(link.join("Urgent"));
        let err = spool.add(&message("s")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(spool.list().is_err());
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn a_corrupt_or_linked_spool_file_is_reported_not_silently_lost() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("1.msg");
        fs::write(&bad, "garbage").unwrap();
        let secret = dir.path().join("secret");
        fs::write(&secret, "From: a\nTo: b\nSubject: c\n\nshadow\n").unwrap();
        let link = dir.path().join("2.msg");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let (messages, unreadable) = Spool::new(dir.path()).list().unwrap();
        assert!(messages.is_empty(), "a link is never read as a message");
        assert_eq!(unreadable, [bad, link]);
    }

    #[test]
    fn an_old_spool_file_gets_a_stable_message_id() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("0001-1.msg"),
            "From: p@h\nTo: a@b\nSubject: s\n\nbody\n",
        )
        .unwrap();
        let spool = Spool::new(dir.path());
        let first = spool.list().unwrap().0[0].message.clone();
        assert_eq!(first.message_id, "pikt.spool.0001-1@localhost");
        assert_eq!(spool.list().unwrap().0[0].message, first);
    }

    #[test]
    fn a_killed_run_leaves_a_marker_until_it_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("s"));
        spool.begin_run("Nov 24 10:00:00 pikt +A Urgent").unwrap();
        assert!(
            spool.interrupted_runs().unwrap().is_empty(),
            "this run is alive"
        );
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        fs::write(dir.path().join(format!("s/.run-{dead}-77")), "at 10:00\n").unwrap();
        // This process's id with another start time: a run gone long ago.
        let (me, started) = pikt_fs::temp::this_process();
        fs::write(
            dir.path().join(format!("s/.run-{me}-{}", started + 1)),
            "at 09:00\n",
        )
        .unwrap();
        let mut runs = spool.interrupted_runs().unwrap();
        runs.sort_by(|a, b| a.started.cmp(&b.started));
        let seen: Vec<(u32, &str)> = runs.iter().map(|r| (r.pid, r.started.as_str())).collect();
        assert_eq!(seen, [(me, "at 09:00"), (dead, "at 10:00")]);
        assert_eq!(
            spool.interrupted_runs().unwrap().len(),
            2,
            "kept until reported"
        );
        for run in &runs {
            spool.forget_run(run).unwrap();
        }
        assert!(spool.interrupted_runs().unwrap().is_empty());
        spool.end_run().unwrap();
        let left: Vec<_> = fs::read_dir(spool.dir()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
