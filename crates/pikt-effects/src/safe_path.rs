//! Opening the files pikt writes without following a planted symbolic
//! link.
//!
//! pikt runs as root and writes where scripts and settings say: `output
//! log` files, `#fopen(..., "w"|"a")`, the alert log, history files (with
//! log-file offsets). Someone who can write in a directory on the way could
//! plant a symbolic link there so that root writes, truncates or chowns
//! another file. So every path pikt writes is walked one component at a
//! time, each directory opened relative to the one before (no component is
//! looked up twice, so nothing can be swapped between a check and a use):
//!
//! * a symbolic link among the **directories** on the way is followed only
//!   when root or the user pikt runs as owns it (such a link was put there
//!   by someone who could write the target anyway, as `/var/run` → `/run`
//!   is); a link anyone else owns is refused;
//! * the **last component** is never followed (`O_NOFOLLOW`), and must be a
//!   regular file or a character device (`/dev/null`): a FIFO someone
//!   planted would block the run, a directory or socket cannot be written;
//! * directories pikt creates itself (for history) are created in the
//!   directory just opened, with `mkdirat`.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path};

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, CWD};
use rustix::io::Errno;

/// How many symbolic links one walk follows at most (as the kernel).
const MAX_LINKS: u32 = 40;

/// The directory that holds `path`'s last component, opened (`O_PATH`),
/// and that component's name. With `create`, missing directories on the
/// way are created (mode 0755, less the umask).
pub fn open_parent(path: &Path, create: bool) -> io::Result<(OwnedFd, OsString)> {
    let mut queue: VecDeque<OsString> = VecDeque::new();
    let mut dir = start_of(path, &mut queue)?;
    let Some(last) = queue.pop_back() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` names no file", path.display()),
        ));
    };
    if last.as_bytes() == b".." || last.as_bytes() == b"." {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` names a directory, not a file", path.display()),
        ));
    }
    let mut links = 0;
    while let Some(name) = queue.pop_front() {
        match open_dir(&dir, &name) {
            Ok(next) => dir = next,
            Err(Errno::NOENT) if create => {
                match rfs::mkdirat(&dir, name.as_os_str(), Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                dir = open_dir(&dir, &name)?;
            }
            Err(Errno::LOOP | Errno::NOTDIR) => {
                let target = trusted_link(&dir, &name).map_err(|e| on_the_way(path, &name, e))?;
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("`{}`: too many symbolic links", path.display()),
                    ));
                }
                let target = Path::new(OsStr::from_bytes(&target));
                let mut rest = VecDeque::new();
                if target.is_absolute() {
                    dir = open_dir(&CWD, OsStr::new("/"))?;
                }
                for component in target.components() {
                    push_component(component, &mut rest);
                }
                rest.extend(queue);
                queue = rest;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((dir, last))
}

/// Where a walk of `path` starts, its components queued.
fn start_of(path: &Path, queue: &mut VecDeque<OsString>) -> io::Result<OwnedFd> {
    let start = if path.is_absolute() { "/" } else { "." };
    let dir = open_dir(&CWD, OsStr::new(start))?;
    for component in path.components() {
        push_component(component, queue);
    }
    Ok(dir)
}

fn push_component(component: Component<'_>, queue: &mut VecDeque<OsString>) {
    match component {
        Component::Normal(name) => queue.push_back(name.to_os_string()),
        Component::ParentDir => queue.push_back(OsString::from("..")),
        Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
    }
}

/// Opens the directory `name` in `dir`, not following a link.
fn open_dir(dir: &impl AsFd, name: &OsStr) -> Result<OwnedFd, Errno> {
    rfs::openat(
        dir,
        name,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// The target of the symbolic link `name` in `dir`, if root or the user
/// pikt runs as owns it.
fn trusted_link(dir: &impl AsFd, name: &OsStr) -> io::Result<Vec<u8>> {
    let stat = rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
        return Err(Errno::NOTDIR.into());
    }
    let me = rustix::process::geteuid().as_raw();
    if stat.st_uid != 0 && stat.st_uid != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("a symbolic link owned by uid {}: not followed", stat.st_uid),
        ));
    }
    Ok(rfs::readlinkat(dir, name, Vec::new())?.into_bytes())
}

/// An error about component `name` of `path`.
fn on_the_way(path: &Path, name: &OsStr, error: io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!(
            "`{}` on the way to `{}`: {error}",
            name.to_string_lossy(),
            path.display()
        ),
    )
}

/// How a file is opened for writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Appended to (`O_APPEND`), created when missing.
    Append,
    /// Emptied first, created when missing.
    Truncate,
}

/// Opens `path` for writing (see the module documentation): created with
/// `mode` when missing.
pub fn open_for_writing(path: &Path, how: WriteMode, mode: u32) -> io::Result<OwnedFd> {
    let (dir, name) = open_parent(path, false)?;
    let mut flags = OFlags::WRONLY
        | OFlags::CREATE
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | OFlags::NOCTTY
        | OFlags::NONBLOCK;
    if how == WriteMode::Append {
        flags |= OFlags::APPEND;
    }
    let fd = match rfs::openat(&dir, name.as_os_str(), flags, Mode::from_raw_mode(mode)) {
        Ok(fd) => fd,
        // A FIFO with no reader refuses a non-blocking writer.
        Err(Errno::NXIO) => {
            let kind = rfs::statat(&dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
                .map(|stat| FileType::from_raw_mode(stat.st_mode))?;
            return Err(not_a_file(kind));
        }
        Err(e) => return Err(last_component_error(e, path)),
    };
    let stat = rfs::fstat(&fd)?;
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => {
            if how == WriteMode::Truncate {
                rfs::ftruncate(&fd, 0)?;
            }
        }
        FileType::CharacterDevice => {}
        other => return Err(not_a_file(other)),
    }
    // Writes wait as usual once the file is known to be a file.
    rfs::fcntl_setfl(&fd, rfs::fcntl_getfl(&fd)? & !OFlags::NONBLOCK)?;
    Ok(fd)
}

/// Opens `path` for reading without following a link at its last
/// component (history files); `Ok(None)` when it does not exist.
pub fn open_for_reading(path: &Path) -> io::Result<Option<OwnedFd>> {
    let (dir, name) = match open_parent(path, false) {
        Ok(found) => found,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match rfs::openat(
        &dir,
        name.as_os_str(),
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    ) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(last_component_error(e, path)),
    }
}

/// The error for the last component, naming a link as such.
fn last_component_error(error: Errno, path: &Path) -> io::Error {
    if error == Errno::LOOP {
        io::Error::other("it is a symbolic link")
    } else {
        let _ = path;
        error.into()
    }
}

fn not_a_file(kind: FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", describe(kind)),
    )
}

fn describe(kind: FileType) -> &'static str {
    match kind {
        FileType::Directory => "a directory",
        FileType::Fifo => "a named pipe",
        FileType::Socket => "a socket",
        FileType::BlockDevice => "a block device",
        FileType::Symlink => "a symbolic link",
        _ => "not a plain file",
    }
}

/// Replaces the file `path` with `contents` atomically: written to a new
/// temporary file beside it (created with `O_EXCL`, never through a link),
/// synced, renamed over it; its directory is created when missing.
/// Temporary files that an interrupted earlier write of the same file left
/// (their writer is gone) are removed first.
pub fn replace_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let (dir, name) = open_parent(path, true)?;
    // `O_PATH` directories cannot be listed or written through; reopen it.
    let dir = rfs::openat(
        &dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    remove_stale_temporaries(&dir, &name);
    let (temp_name, temp) = create_temporary(&dir, &name)?;
    let written = write_all(&temp, contents)
        .and_then(|()| rfs::fsync(&temp).map_err(io::Error::from))
        .and_then(|()| {
            rfs::renameat(&dir, temp_name.as_os_str(), &dir, name.as_os_str())
                .map_err(io::Error::from)
        });
    if let Err(e) = written {
        let _ = rfs::unlinkat(&dir, temp_name.as_os_str(), AtFlags::empty());
        return Err(e);
    }
    let _ = rfs::fsync(&dir);
    Ok(())
}

/// `.NAME.tmp-PID-N`: the temporary files of `name`, by writer.
fn temporary_prefix(name: &OsStr) -> Vec<u8> {
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(name.as_bytes());
    prefix.extend_from_slice(b".tmp-");
    prefix
}

fn create_temporary(dir: &OwnedFd, name: &OsStr) -> io::Result<(OsString, OwnedFd)> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let mut temp = temporary_prefix(name);
        temp.extend_from_slice(format!("{pid}-{attempt}").as_bytes());
        let temp = OsString::from_vec(temp);
        match rfs::openat(
            dir,
            temp.as_os_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        ) {
            Ok(fd) => return Ok((temp, fd)),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary file name",
    ))
}

/// Removes `.NAME.tmp-PID-N` files whose writer `PID` no longer runs.
fn remove_stale_temporaries(dir: &OwnedFd, name: &OsStr) {
    let prefix = temporary_prefix(name);
    let Ok(listing) = rfs::Dir::read_from(dir) else {
        return;
    };
    for entry in listing.flatten() {
        let file = entry.file_name().to_bytes();
        let Some(rest) = file.strip_prefix(prefix.as_slice()) else {
            continue;
        };
        let writer = std::str::from_utf8(rest)
            .ok()
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok());
        let gone = match writer.and_then(rustix::process::Pid::from_raw) {
            Some(pid) => rustix::process::test_kill_process(pid) == Err(Errno::SRCH),
            None => true,
        };
        if gone {
            let _ = rfs::unlinkat(dir, entry.file_name(), AtFlags::empty());
        }
    }
}

fn write_all(fd: &OwnedFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
