//! One piktd per installation: a held `flock`, not a pid file.
//!
//! The daemon opens `etc/piktd.lock` and takes an exclusive, non-blocking
//! `flock` on it for its whole life. The kernel drops the lock when the
//! process ends, however it ends (crash, `SIGKILL`, reboot), so the lock can
//! never go stale and never needs removing by hand. The pid written into the
//! file is only for people and error messages; nothing trusts it.
//!
//! The file is never deleted: deleting a lock file lets a second daemon lock
//! a fresh file of the same name while a third still holds the old one.
//!
//! piktd runs as root: the file is reached without following a planted
//! symbolic link (`pikt-fs`), must be a regular file with one link, and is only
//! truncated once the lock is held, so a link planted at its name (or at
//! its directory) is refused and nothing is truncated through it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it.
    Held {
        /// The lock file.
        path: PathBuf,
        /// The pid written in the file by the holder, if readable.
        holder: Option<u32>,
    },
    /// The file could not be opened or locked.
    Io {
        /// The lock file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

/// The held lock; dropping it (or ending the process) releases it.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// Takes the lock at `path` (creating the file) or says who holds it.
    pub fn acquire(path: &Path) -> Result<InstanceLock, LockError> {
        let io_error = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = open_lock_file(path, true).map_err(io_error)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                return Err(LockError::Held {
                    path: path.to_path_buf(),
                    holder: read_pid(&mut file),
                });
            }
            Err(errno) => return Err(io_error(errno.into())),
        }
        write_pid(&mut file).map_err(io_error)?;
        Ok(InstanceLock {
            _file: file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// True when some process holds the lock at `path` (for `piktc -s`: is piktd
/// running?). A missing file means not held.
pub fn is_held(path: &Path) -> io::Result<bool> {
    let file = match open_lock_file(path, false) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    match flock(&file, FlockOperation::NonBlockingLockShared) {
        Ok(()) => Ok(false),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(true),
        Err(errno) => Err(errno.into()),
    }
}

/// Opens the lock file without following links (creating it when
/// `create`); never truncates.
fn open_lock_file(path: &Path, create: bool) -> io::Result<File> {
    let (dir, name) = pikt_fs::Dir::containing(path)?;
    if !create && dir.read(name)?.is_none() {
        return Err(io::Error::from(io::ErrorKind::NotFound));
    }
    Ok(dir.open_lock(name, 0o644)?)
}

fn write_pid(file: &mut File) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(format!("{}\n", std::process::id()).as_bytes())
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_is_refused_until_the_first_is_dropped() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("piktd.lock");
        assert!(!is_held(&path)?);
        let first = InstanceLock::acquire(&path);
        assert!(first.is_ok());
        assert!(is_held(&path)?);
        match InstanceLock::acquire(&path) {
            Err(LockError::Held { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        assert!(!is_held(&path)?);
        assert!(
            InstanceLock::acquire(&path).is_ok(),
            "a dropped lock is free again"
        );
        Ok(())
    }

    #[test]
    fn a_leftover_file_is_not_a_lock() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("piktd.lock");
        std::fs::write(&path, "99999\n")?;
        assert!(!is_held(&path)?);
        assert!(InstanceLock::acquire(&path).is_ok());
        Ok(())
    }

    #[test]
    fn a_planted_link_is_refused_and_its_target_untouched() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let victim = dir.path().join("shadow");
        std::fs::write(&victim, "root:secret\n")?;
        let path = dir.path().join("piktd.lock");
        std::os::unix::fs::symlink(&victim, &path)?;
        match InstanceLock::acquire(&path) {
            Err(LockError::Io { source, .. }) => {
                assert!(source.to_string().contains("symbolic link"), "{source}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(is_held(&path).is_err(), "a link is not a lock file");
        std::fs::remove_file(&path)?;
        std::fs::hard_link(&victim, &path)?;
        assert!(InstanceLock::acquire(&path).is_err(), "nor a hard link");
        assert_eq!(std::fs::read_to_string(&victim)?, "root:secret\n");
        // A directory link a local user planted (a trusted one is followed).
        let linked_dir = dir.path().join("etc");
        pikt_fs::testing::plant_link(dir.path(), &linked_dir)?;
        assert!(InstanceLock::acquire(&linked_dir.join("other.lock")).is_err());
        assert!(!dir.path().join("other.lock").exists());
        Ok(())
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let result = InstanceLock::acquire(Path::new("/nonexistent-dir-for-piktd/piktd.lock"));
        assert!(matches!(result, Err(LockError::Io { .. })));
    }
}
