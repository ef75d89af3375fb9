//! Writing files as root without following planted links.
//!
//! pikt, piktc and piktd run as root and write into trees that other users
//! may be able to reach (a log directory, a spool, a history directory). A
//! symbolic link planted at the right name would turn a write into a write
//! somewhere else: truncating `/etc/shadow` through `etc/piktd.lock`,
//! appending to it through `var/log/piktd.log`. This crate is the one place
//! that writes such files, and it never follows a link:
//!
//! * **Directories** are opened one component at a time from `/` (or from
//!   the working directory for a relative path) with
//!   `openat(O_NOFOLLOW | O_DIRECTORY)` ([`Dir::open`], [`Dir::create`]). A
//!   symbolic link anywhere on the way is refused, and because every later
//!   operation is relative to the directory's descriptor, the directory
//!   cannot be swapped for a link between a check and a write.
//! * **Files** are opened with `O_NOFOLLOW`; appended files and lock files
//!   must be regular files with a single link (a planted hard link is
//!   refused too), and a FIFO or device at the name is refused without
//!   blocking ([`Dir::open_append`], [`Dir::open_lock`]).
//! * **Replacing** a file goes through a temporary file in the same
//!   directory, fsynced, renamed over the target, and the directory fsynced
//!   ([`Dir::write_atomic`], [`Dir::stage`]): a reader, or a crash at any
//!   point, sees the old file or the new one, never half of one.
//! * **Temporary names** are recognisable, `.NAME.pikt-tmp-PID-START-N`
//!   ([`temp`]), so the next run removes what an interrupted one left
//!   ([`Dir::remove_stale_temps`]: its writer, told apart by process id and
//!   start time, is gone) and never touches anything else.

mod dir;
pub mod temp;

pub use dir::{append_line, read_file, replace_file, Dir, Staged};

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong, and where.
#[derive(Debug)]
#[non_exhaustive]
pub enum FsErrorKind {
    /// A path component, or the file itself, is a symbolic link.
    Symlink,
    /// A path component exists but is not a directory.
    NotADirectory,
    /// The file exists but is not a regular file (a FIFO, a device, a
    /// directory, a socket).
    NotAFile,
    /// The file has more than one hard link.
    HardLinked {
        /// How many.
        links: u64,
    },
    /// The path has a `..` component, or no file name where one is needed.
    BadPath,
    /// A system call failed.
    Io {
        /// What was being done (`create`, `write`, `rename`, ...).
        action: &'static str,
        /// The error.
        source: io::Error,
    },
}

/// A refused or failed file operation.
#[derive(Debug)]
pub struct FsError {
    /// What went wrong.
    pub kind: FsErrorKind,
    /// The path it is about.
    pub path: PathBuf,
}

/// Result alias of this crate.
pub type FsResult<T> = Result<T, FsError>;

impl FsError {
    pub(crate) fn new(kind: FsErrorKind, path: &Path) -> FsError {
        FsError {
            kind,
            path: path.to_path_buf(),
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, errno: rustix::io::Errno) -> FsError {
        FsError::new(
            FsErrorKind::Io {
                action,
                source: io::Error::from(errno),
            },
            path,
        )
    }

    pub(crate) fn io_error(action: &'static str, path: &Path, source: io::Error) -> FsError {
        FsError::new(FsErrorKind::Io { action, source }, path)
    }

    /// True when the error is that something does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(&self.kind, FsErrorKind::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// True when the error is a refusal (link, wrong type, hard links, bad
    /// path) rather than a failed system call.
    pub fn is_refusal(&self) -> bool {
        !matches!(self.kind, FsErrorKind::Io { .. })
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            FsErrorKind::Symlink => write!(f, "refusing to write through symbolic link `{path}`"),
            FsErrorKind::NotADirectory => write!(f, "`{path}` is not a directory"),
            FsErrorKind::NotAFile => {
                write!(f, "`{path}` is not a regular file; refusing to use it")
            }
            FsErrorKind::HardLinked { links } => write!(
                f,
                "`{path}` has {links} hard links; refusing to write to it (a planted link?)"
            ),
            FsErrorKind::BadPath => write!(f, "invalid path `{path}`"),
            FsErrorKind::Io { action, source } => {
                write!(f, "cannot {action} `{path}`: {}", plain_io_error(source))
            }
        }
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            FsErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<FsError> for io::Error {
    fn from(error: FsError) -> io::Error {
        let kind = match &error.kind {
            FsErrorKind::Io { source, .. } => source.kind(),
            _ => io::ErrorKind::PermissionDenied,
        };
        io::Error::new(kind, error.to_string())
    }
}

/// An I/O error without Rust's "(os error N)" suffix.
pub fn plain_io_error(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}
