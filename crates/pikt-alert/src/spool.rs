//! Messages that could not be delivered wait here for the next run.
//!
//! One file per message, named by the time it was spooled so that a sorted
//! listing is oldest first. Each file is written to a temporary name in the
//! spool directory and renamed into place, so a crash never leaves half a
//! message; the directory is created private (0700) and must not be a
//! symbolic link.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::AlertMessage;

/// The on-disk spool of undelivered alert mail.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

/// A message read back from the spool.
#[derive(Debug, Clone)]
pub struct SpooledMessage {
    /// Its file.
    pub path: PathBuf,
    /// The message.
    pub message: AlertMessage,
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

    fn ensure_dir(&self) -> io::Result<()> {
        match fs::symlink_metadata(&self.dir) {
            Ok(meta) if meta.file_type().is_symlink() => Err(io::Error::other(format!(
                "`{}` is a symbolic link; refusing to spool through it",
                self.dir.display()
            ))),
            Ok(meta) if meta.is_dir() => Ok(()),
            Ok(_) => Err(io::Error::other(format!(
                "`{}` is not a directory",
                self.dir.display()
            ))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir),
            Err(e) => Err(e),
        }
    }

    /// Stores `message`; returns its file.
    pub fn add(&self, message: &AlertMessage) -> io::Result<PathBuf> {
        self.ensure_dir()?;
        let stamp = jiff::Timestamp::now().as_nanosecond();
        let name = format!("{stamp:020}-{}.msg", std::process::id());
        let path = self.dir.join(name);
        let mut tmp = tempfile::Builder::new()
            .prefix(".spool-")
            .tempfile_in(&self.dir)?;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
        tmp.write_all(encode(message).as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist_noclobber(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Every spooled message, oldest first, and the files that could not be
    /// read back as messages (reported by the caller, never silently dropped;
    /// they stay in the spool for a human to look at).
    pub fn list(&self) -> io::Result<(Vec<SpooledMessage>, Vec<PathBuf>)> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(e),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "msg"))
            .collect();
        paths.sort();
        let mut messages = Vec::new();
        let mut unreadable = Vec::new();
        for path in paths {
            match fs::read_to_string(&path)
                .ok()
                .and_then(|text| decode(&text))
            {
                Some(message) => messages.push(SpooledMessage { path, message }),
                None => unreadable.push(path),
            }
        }
        Ok((messages, unreadable))
    }

    /// Removes a delivered message.
    pub fn remove(&self, item: &SpooledMessage) -> io::Result<()> {
        fs::remove_file(&item.path)
    }
}

fn encode(m: &AlertMessage) -> String {
    let one = |s: &str| s.replace(['\r', '\n'], " ");
    format!(
        "From: {}\nTo: {}\nSubject: {}\n\n{}",
        one(&m.from),
        one(&m.to.join(" ")),
        one(&m.subject),
        m.body
    )
}

fn decode(text: &str) -> Option<AlertMessage> {
    let (head, body) = text.split_once("\n\n")?;
    let mut lines = head.lines();
    let from = lines.next()?.strip_prefix("From: ")?;
    let to = lines.next()?.strip_prefix("To: ")?;
    let subject = lines.next()?.strip_prefix("Subject: ")?;
    Some(AlertMessage {
        from: from.to_string(),
        to: to.split_whitespace().map(str::to_string).collect(),
        subject: subject.to_string(),
        body: body.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("s"));
        for subject in ["one", "two", "three"] {
            spool
                .add(&AlertMessage {
                    from: "p@h".into(),
                    to: vec!["a@b".into(), "c@d".into()],
                    subject: subject.into(),
                    body: "PIKT ALERT\n\nURGENT: X\n".into(),
                })
                .unwrap();
        }
        let (items, bad) = spool.list().unwrap();
        assert!(bad.is_empty());
        let subjects: Vec<&str> = items.iter().map(|i| i.message.subject.as_str()).collect();
        assert_eq!(subjects, ["one", "two", "three"]);
        assert_eq!(items[0].message.to, ["a@b", "c@d"]);
        assert_eq!(items[0].message.body, "PIKT ALERT\n\nURGENT: X\n");
        let mode = fs::metadata(spool.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_symlinked_spool_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("spool");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let spool = Spool::new(&link);
        let m = AlertMessage {
            from: "p@h".into(),
            to: vec![],
            subject: "s".into(),
            body: String::new(),
        };
        assert!(spool.add(&m).is_err());
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn a_corrupt_spool_file_is_reported_not_silently_lost() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("1.msg");
        fs::write(&bad, "garbage").unwrap();
        let (messages, unreadable) = Spool::new(dir.path()).list().unwrap();
        assert!(messages.is_empty());
        assert_eq!(unreadable, [bad]);
    }
}
