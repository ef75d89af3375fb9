//! Writing files as root without following planted links.
//!
//! pikt, piktc and piktd run as root and write into trees that other users
//! may be able to reach (a log directory, a spool, a history directory). A
//! symbolic link planted at the right name would turn a write into a write
//! somewhere else: truncating `/etc/shadow` through `etc/piktd.lock`,
//! appending to it through `var/log/piktd.log`. This crate is the one place
//! that writes such files, and it never follows a link that someone else
//! could have planted:
//!
//! * **Directories** are opened one component at a time from `/` (or from
//!   the working directory for a relative path) with
//!   `openat(O_NOFOLLOW | O_DIRECTORY)` ([`Dir::open`], [`Dir::create`]). A
//!   symbolic link on the way is followed only when it is *trusted* (below)
//!   and refused otherwise, and because every later operation is relative
//!   to the directory's descriptor, the directory cannot be swapped for a
//!   link between a check and a write.
//! * **Files** are opened with `O_NOFOLLOW`: a link at a file's own name is
//!   never followed, trusted or not. Appended, written and lock files must
//!   be regular files with a single link (a planted hard link is refused
//!   too), and a FIFO or device at the name is refused without blocking
//!   ([`Dir::open_append`], [`Dir::open_write`] for the files scripts write,
//!   [`Dir::open_lock`]).
//! * **Replacing** a file goes through a temporary file in the same
//!   directory, fsynced, renamed over the target, and the directory fsynced
//!   ([`Dir::write_atomic`], [`Dir::stage`]): a reader, or a crash at any
//!   point, sees the old file or the new one, never half of one.
//! * **Temporary names** are recognisable, `.NAME.pikt-tmp-PID-START-N`
//!   ([`temp`]), so the next run removes what an interrupted one left
//!   ([`Dir::remove_stale_temps`]: its writer, told apart by process id and
//!   start time, is gone) and never touches anything else.
//!
//! # Which links are followed
//!
//! Real sites reach their files through links that only root could have
//! made: `/etc/pikt -> /srv/pikt`, `/pikt -> /usr/local/pikt`,
//! `/var -> /data/var`. A link in a directory component is followed when
//! both hold, the rule of OpenSSH's `StrictModes` applied to links:
//!
//! * the link is owned by root or by the effective user, and
//! * the directory holding it is owned by root or by the effective user
//!   and is writable by neither its group nor others.
//!
//! Anything else could have been planted by someone else, and is refused
//! with [`FsErrorKind::UntrustedSymlink`], which says why (the link's
//! owner, or who owns or can write the directory holding it) and what to
//! do. A POSIX ACL that lets another user write the directory shows in the
//! group bits (its mask), so it makes the directory untrusted too.
//!
//! A sticky world-writable directory such as `/tmp` is *not* a trusted
//! place, even for a root-owned link. The kernel's `protected_symlinks`
//! follows such a link (its owner matches the directory's), because the
//! sticky bit keeps others from replacing it; we are stricter on purpose.
//! There, root owning a link does not mean root chose its target: root
//! programs make entries in `/tmp` on users' behalf (`tar` run as root
//! unpacks a user's archive with the owners written in it, links owned by
//! "root" pointing wherever the user likes), and anyone may take a name
//! before root does. No installation needs a link in `/tmp` to reach its
//! files, and one rule, "only root could have written here", is easier to
//! check by hand than the kernel's three.
//!
//! The target is read through the link's own descriptor (`O_PATH`,
//! `readlinkat`), never by name again. An absolute target is walked from
//! `/`, a relative one from the directory holding the link, component by
//! component under the same rule: `..` in a target is the real parent of
//! the directory reached so far (as the kernel resolves it), never a
//! lexical step back across a link. At most [`MAX_LINKS`] (40) links are
//! followed on the way to one directory, as in one kernel lookup, and
//! links that lead back to themselves are reported as a loop. A `..` in
//! the path a caller asks for (rather than in a link's target) is refused.

mod dir;
mod message;
pub mod temp;
pub mod testing;
mod walk;

pub use dir::{append_line, open_write, read_file, replace_file, Dir, Staged};
pub use walk::MAX_LINKS;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong, and where.
#[derive(Debug)]
#[non_exhaustive]
pub enum FsErrorKind {
    /// The file itself is a symbolic link (a file's name is never
    /// followed).
    Symlink,
    /// A symbolic link on the way to a directory is not trusted (see
    /// "Which links are followed"), so it was not followed.
    UntrustedSymlink {
        /// What the link points at, as written in it.
        target: PathBuf,
        /// Why it is not trusted: one reason or more.
        reasons: Vec<Distrust>,
    },
    /// Trusted links on the way lead back to one already followed, with
    /// the same path left to walk: they would be followed for ever.
    SymlinkLoop {
        /// What the link points at, as written in it.
        target: PathBuf,
    },
    /// More than [`MAX_LINKS`] links on the way to one directory.
    TooManySymlinks,
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

/// Why a symbolic link is not followed: someone other than root (or the
/// user the process runs as) could have made it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Distrust {
    /// The link belongs to another user.
    LinkOwner {
        /// Its owner.
        uid: u32,
    },
    /// The directory holding the link belongs to another user.
    DirOwner {
        /// The directory (where it really is).
        dir: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// The directory holding the link is writable by its group or by
    /// others (sticky or not).
    DirWritable {
        /// The directory (where it really is).
        dir: PathBuf,
        /// Its permission bits.
        mode: u32,
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
        message::describe(self, f)
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
