//! Small files piktd keeps: `etc/alerts` and its state file.
//!
//! Both are replaced atomically (a temporary file in the same directory, then
//! `rename`), so a reader never sees half a file and a crash never leaves one;
//! the directory is reached without following a planted symbolic link, and the
//! temporaries a killed daemon left are removed by the next write
//! (`pikt_fs::replace_file`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::minute::Minute;

/// Replaces `path` with `contents` atomically; the file gets mode 0644.
pub fn write_atomic(path: &Path, contents: &str) -> io::Result<()> {
    Ok(pikt_fs::replace_file(path, contents.as_bytes(), 0o644)?)
}

/// The text of `etc/alerts`: the active alert names, one a line, in the order
/// of their first `piktd.conf` line (what `piktc -s` reports).
pub fn alerts_text(names: &[&str]) -> String {
    names.iter().map(|name| format!("{name}\n")).collect()
}

/// Where piktd remembers the last minute in which it started something, so
/// that a restart within the same minute does not start it again.
///
/// The file holds the minute as a decimal number (minutes since the Unix
/// epoch) followed by a newline. A missing or unreadable file means "none".
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The state file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> StateFile {
        StateFile { path: path.into() }
    }

    /// The minute stored, if any.
    pub fn load(&self) -> Option<Minute> {
        let text = fs::read_to_string(&self.path).ok()?;
        text.trim().parse::<i64>().ok().map(Minute)
    }

    /// Stores `minute`.
    pub fn store(&self, minute: Minute) -> io::Result<()> {
        write_atomic(&self.path, &format!("{}\n", minute.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn state_round_trip_and_garbage() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let state = StateFile::new(dir.path().join("piktd.state"));
        assert_eq!(state.load(), None);
        state.store(Minute(29_925_360))?;
        assert_eq!(state.load(), Some(Minute(29_925_360)));
        fs::write(dir.path().join("piktd.state"), "garbage")?;
        assert_eq!(state.load(), None);
        Ok(())
    }

    #[test]
    fn atomic_write_replaces_and_sets_mode() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("alerts");
        write_atomic(&path, &alerts_text(&["Urgent", "Warning"]))?;
        write_atomic(&path, &alerts_text(&["Critical"]))?;
        assert_eq!(fs::read_to_string(&path)?, "Critical\n");
        assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o777, 0o644);
        assert_eq!(
            fs::read_dir(dir.path())?.count(),
            1,
            "no temporary left behind"
        );
        Ok(())
    }
}
