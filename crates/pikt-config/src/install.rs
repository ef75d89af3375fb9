//! Installing rendered files on the local host, safely.
//!
//! piktc runs as root and writes files named by config text, so this module
//! is careful in three ways:
//!
//! * **All or nothing before anything.** Every file of a plan is first
//!   written to a temporary file in its target directory (same filesystem,
//!   so the final `rename(2)` is atomic), with its mode (and owner, when
//!   running as root), and fsynced. Only when every file is staged are they
//!   renamed into place, each followed by an fsync of its directory. A
//!   failure while staging removes the temporaries and leaves every target
//!   untouched; a failure while renaming leaves each target either wholly old
//!   or wholly new.
//! * **No symlinks.** Paths are walked one component at a time from `/` with
//!   `openat(O_NOFOLLOW | O_DIRECTORY)`, so a symlink anywhere on the way is
//!   refused rather than followed, and a directory cannot be swapped for a
//!   symlink between a check and the write. Temporaries are created with
//!   `O_CREAT | O_EXCL | O_NOFOLLOW`; a symlink at the final name is
//!   replaced by the rename, never written through.
//! * **Ownership only as root.** `chown` is attempted only when the
//!   effective uid is 0; otherwise files belong to the installing user.
//!
//! Missing directories are created with mode 755.

use std::fmt;
use std::fs::File;
use std::io::{self, Write as _};
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use rustix::fs::{AtFlags, Gid, Mode, OFlags, Uid, CWD};
use rustix::io::Errno;

/// One file to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Where it goes (absolute).
    pub path: PathBuf,
    /// What it holds.
    pub content: Vec<u8>,
    /// Permission bits.
    pub mode: u32,
    /// Owner and group, applied when running as root.
    pub owner: Option<(u32, u32)>,
    /// What it is, for messages (`alert Urgent`, `object set ProcCounts`).
    pub what: String,
}

/// What went wrong while installing.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstallErrorKind {
    /// A path component is a symbolic link.
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A path component exists but is not a directory.
    NotADirectory {
        /// The component.
        path: PathBuf,
    },
    /// A path is not absolute or has `.`/`..` components.
    BadPath {
        /// The path.
        path: PathBuf,
    },
    /// A system call failed.
    Io {
        /// What was being done (`create`, `write`, `rename`, ...).
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// An installation failure.
#[derive(Debug)]
pub struct InstallError {
    /// What went wrong.
    pub kind: InstallErrorKind,
    /// Files already renamed into place before the failure.
    pub done: Vec<PathBuf>,
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            InstallErrorKind::Symlink { path } => {
                write!(
                    f,
                    "refusing to write through symbolic link `{}`",
                    path.display()
                )
            }
            InstallErrorKind::NotADirectory { path } => {
                write!(f, "`{}` is not a directory", path.display())
            }
            InstallErrorKind::BadPath { path } => {
                write!(f, "invalid target path `{}`", path.display())
            }
            InstallErrorKind::Io {
                action,
                path,
                source,
            } => {
                write!(
                    f,
                    "cannot {action} `{}`: {}",
                    path.display(),
                    crate::loader::plain_io_error(source)
                )
            }
        }
    }
}

impl std::error::Error for InstallError {}

impl InstallError {
    fn new(kind: InstallErrorKind) -> InstallError {
        InstallError {
            kind,
            done: Vec::new(),
        }
    }

    fn io(action: &'static str, path: &Path, errno: Errno) -> InstallError {
        InstallError::new(InstallErrorKind::Io {
            action,
            path: path.to_path_buf(),
            source: io::Error::from(errno),
        })
    }
}

/// Result alias for this module.
pub type InstallResult<T> = Result<T, InstallError>;

/// True when running as root (ownership is applied only then).
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A file written to a temporary name, not yet renamed into place.
struct Staged {
    dir: OwnedFd,
    temp: String,
    name: String,
    path: PathBuf,
}

/// Installs every file of `plan` (see the module documentation). Returns the
/// paths installed, in plan order.
pub fn install_files(plan: &[PlannedFile], chown: bool) -> InstallResult<Vec<PathBuf>> {
    stage_files(plan, chown)?.commit()
}

/// Every file of a plan written to a temporary name beside its target, none
/// renamed into place yet. [`StagedFiles::commit`] switches them; dropping
/// it instead removes the temporaries and leaves every target as it was.
pub struct StagedFiles {
    staged: Vec<Staged>,
    /// The first staged file not renamed into place.
    next: usize,
}

/// Stages every file of `plan`: the first half of [`install_files`]. A
/// failure removes what was staged and leaves every target untouched.
pub fn stage_files(plan: &[PlannedFile], chown: bool) -> InstallResult<StagedFiles> {
    let mut staged = StagedFiles {
        staged: Vec::with_capacity(plan.len()),
        next: 0,
    };
    for file in plan {
        staged.staged.push(stage(file, chown)?);
    }
    Ok(staged)
}

impl StagedFiles {
    /// Renames every staged file into place, in plan order, each followed by
    /// an fsync of its directory. On a failure the files already renamed are
    /// in the error's `done`; the rest stay as they were.
    pub fn commit(mut self) -> InstallResult<Vec<PathBuf>> {
        let mut done = Vec::with_capacity(self.staged.len());
        while let Some(s) = self.staged.get(self.next) {
            let committed = rustix::fs::renameat(&s.dir, s.temp.as_str(), &s.dir, s.name.as_str())
                .map_err(|e| InstallError::io("rename into", &s.path, e))
                .and_then(|()| {
                    rustix::fs::fsync(&s.dir)
                        .map_err(|e| InstallError::io("sync the directory of", &s.path, e))
                });
            if let Err(mut e) = committed {
                e.done = done;
                return Err(e);
            }
            done.push(s.path.clone());
            self.next += 1;
        }
        Ok(done)
    }
}

impl Drop for StagedFiles {
    fn drop(&mut self) {
        discard(self.staged.get(self.next..).unwrap_or(&[]));
    }
}

fn stage(file: &PlannedFile, chown: bool) -> InstallResult<Staged> {
    let (parent, name) = split_target(&file.path)?;
    let dir = open_dir(&parent, true)?;
    let (fd, temp) = create_temp(&dir, &name, &file.path)?;
    let staged = Staged {
        dir,
        temp,
        name,
        path: file.path.clone(),
    };
    let written = write_staged(fd, file, chown);
    if let Err(e) = written {
        discard(std::slice::from_ref(&staged));
        return Err(e);
    }
    Ok(staged)
}

fn write_staged(fd: OwnedFd, file: &PlannedFile, chown: bool) -> InstallResult<()> {
    let path = &file.path;
    if chown {
        if let Some((uid, gid)) = file.owner {
            rustix::fs::fchown(
                &fd,
                Some(Uid::from_raw_unchecked(uid)),
                Some(Gid::from_raw_unchecked(gid)),
            )
            .map_err(|e| InstallError::io("set the owner of", path, e))?;
        }
    }
    // chmod after chown: chown clears set-id bits.
    rustix::fs::fchmod(&fd, Mode::from_raw_mode(file.mode & 0o7777))
        .map_err(|e| InstallError::io("set the mode of", path, e))?;
    let mut f = File::from(fd);
    f.write_all(&file.content).map_err(|e| {
        InstallError::new(InstallErrorKind::Io {
            action: "write",
            path: path.clone(),
            source: e,
        })
    })?;
    f.sync_all().map_err(|e| {
        InstallError::new(InstallErrorKind::Io {
            action: "sync",
            path: path.clone(),
            source: e,
        })
    })
}

/// Removes the temporaries of `staged` (best effort: this runs on a path
/// that already failed).
fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = rustix::fs::unlinkat(&s.dir, s.temp.as_str(), AtFlags::empty());
    }
}

static TEMP_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Creates `.<name>.piktc-<pid>-<n>` exclusively in `dir`.
fn create_temp(dir: &OwnedFd, name: &str, path: &Path) -> InstallResult<(OwnedFd, String)> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    for _ in 0..100 {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = format!(".{name}.piktc-{}-{n}", std::process::id());
        match rustix::fs::openat(dir, temp.as_str(), flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => return Ok((fd, temp)),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(InstallError::io("create a temporary file for", path, e)),
        }
    }
    Err(InstallError::io(
        "create a temporary file for",
        path,
        Errno::EXIST,
    ))
}

/// The parent directory and the file name of an absolute, clean path.
fn split_target(path: &Path) -> InstallResult<(PathBuf, String)> {
    let bad = || {
        InstallError::new(InstallErrorKind::BadPath {
            path: path.to_path_buf(),
        })
    };
    if !is_clean_absolute(path) {
        return Err(bad());
    }
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(bad)?;
    let parent = path.parent().ok_or_else(bad)?;
    Ok((parent.to_path_buf(), name.to_string()))
}

fn is_clean_absolute(path: &Path) -> bool {
    path.is_absolute()
        && !path
            .as_os_str()
            .as_encoded_bytes()
            .split(|&b| b == b'/')
            .any(|c| c == b"." || c == b"..")
        && path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
}

/// Opens directory `dir` without following symlinks, creating missing
/// components (mode 755) when `create` is set.
fn open_dir(dir: &Path, create: bool) -> InstallResult<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut fd = rustix::fs::openat(CWD, "/", flags, Mode::empty())
        .map_err(|e| InstallError::io("open", Path::new("/"), e))?;
    let mut at = PathBuf::from("/");
    for component in dir.components() {
        let Component::Normal(part) = component else {
            continue;
        };
        at.push(part);
        fd = match rustix::fs::openat(&fd, part, flags, Mode::empty()) {
            Ok(next) => next,
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(&fd, part, Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(InstallError::io("create directory", &at, e)),
                }
                rustix::fs::openat(&fd, part, flags, Mode::empty())
                    .map_err(|e| classify(&fd, part, &at, e))?
            }
            Err(e) => return Err(classify(&fd, part, &at, e)),
        };
    }
    Ok(fd)
}

/// Turns an `openat` failure into a symlink / not-a-directory / I/O error.
fn classify(parent: &OwnedFd, part: &std::ffi::OsStr, at: &Path, e: Errno) -> InstallError {
    if e == Errno::LOOP || e == Errno::NOTDIR {
        if let Ok(stat) = rustix::fs::statat(parent, part, AtFlags::SYMLINK_NOFOLLOW) {
            let kind = rustix::fs::FileType::from_raw_mode(stat.st_mode);
            return InstallError::new(if kind == rustix::fs::FileType::Symlink {
                InstallErrorKind::Symlink {
                    path: at.to_path_buf(),
                }
            } else {
                InstallErrorKind::NotADirectory {
                    path: at.to_path_buf(),
                }
            });
        }
    }
    InstallError::io("open directory", at, e)
}

/// What [`remove_files`] did to one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The file was removed.
    Removed,
    /// There was nothing to remove.
    Absent,
}

/// Removes each path (never following symlinks on the way; a symlink at the
/// final name is removed itself). Missing files are not an error.
pub fn remove_files(paths: &[PathBuf]) -> InstallResult<Vec<(PathBuf, Removal)>> {
    let mut report = Vec::with_capacity(paths.len());
    for path in paths {
        let (parent, name) = split_target(path)?;
        let dir = match open_dir(&parent, false) {
            Ok(dir) => dir,
            Err(InstallError {
                kind: InstallErrorKind::Io { source, .. },
                ..
            }) if source.kind() == io::ErrorKind::NotFound => {
                report.push((path.clone(), Removal::Absent));
                continue;
            }
            Err(e) => return Err(e),
        };
        match rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::empty()) {
            Ok(()) => {
                rustix::fs::fsync(&dir)
                    .map_err(|e| InstallError::io("sync the directory of", path, e))?;
                report.push((path.clone(), Removal::Removed));
            }
            Err(Errno::NOENT) => report.push((path.clone(), Removal::Absent)),
            Err(e) => return Err(InstallError::io("remove", path, e)),
        }
    }
    Ok(report)
}

/// Reads `path` without following symlinks; `Ok(None)` when it does not exist.
pub fn read_file(path: &Path) -> InstallResult<Option<String>> {
    let (parent, name) = split_target(path)?;
    let dir = match open_dir(&parent, false) {
        Ok(dir) => dir,
        Err(InstallError {
            kind: InstallErrorKind::Io { source, .. },
            ..
        }) if source.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(&dir, name.as_str(), flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP) => {
            return Err(InstallError::new(InstallErrorKind::Symlink {
                path: path.to_path_buf(),
            }))
        }
        Err(e) => return Err(InstallError::io("open", path, e)),
    };
    let mut text = String::new();
    io::Read::read_to_string(&mut File::from(fd), &mut text).map_err(|e| {
        InstallError::new(InstallErrorKind::Io {
            action: "read",
            path: path.to_path_buf(),
            source: e,
        })
    })?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn planned(path: &Path, content: &str, mode: u32) -> PlannedFile {
        PlannedFile {
            path: path.to_path_buf(),
            content: content.as_bytes().to_vec(),
            mode,
            owner: None,
            what: "test".into(),
        }
    }

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
    }

    #[test]
    fn installs_with_mode_and_creates_directories() {
        let dir = tmp();
        let target = dir.path().join("lib/alerts/Urgent.alt");
        let done = install_files(&[planned(&target, "Chk\n", 0o640)], false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done, std::slice::from_ref(&target));
        assert_eq!(
            std::fs::read_to_string(&target).unwrap_or_default(),
            "Chk\n"
        );
        let mode = std::fs::metadata(&target)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0);
        assert_eq!(mode, 0o640);
        let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap_or(dir.path()))
            .map(|r| r.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(leftovers.len(), 1, "no temporaries left: {leftovers:?}");
    }

    #[test]
    fn staged_files_change_nothing_until_committed() {
        let dir = tmp();
        let target = dir.path().join("etc/motd");
        std::fs::create_dir_all(dir.path().join("etc")).unwrap_or_default();
        std::fs::write(&target, "old\n").unwrap_or_default();
        let names = || -> Vec<String> {
            std::fs::read_dir(dir.path().join("etc"))
                .map(|r| {
                    r.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let staged = stage_files(&[planned(&target, "new\n", 0o644)], false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names().len(), 2, "the target and one temporary");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap_or_default(),
            "old\n"
        );
        drop(staged);
        assert_eq!(names(), ["motd"], "dropping removes the temporary");
        let staged = stage_files(&[planned(&target, "new\n", 0o644)], false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(staged.commit().map(|d| d.len()).ok(), Some(1));
        assert_eq!(
            std::fs::read_to_string(&target).unwrap_or_default(),
            "new\n"
        );
        assert_eq!(names(), ["motd"]);
    }

    #[test]
    fn a_symlinked_directory_is_refused_and_nothing_is_written() {
        let dir = tmp();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap_or_default();
        symlink(&outside, dir.path().join("lib")).unwrap_or_default();
        let good = dir.path().join("etc/ok");
        let bad = dir.path().join("lib/x.obj");
        let err = install_files(
            &[planned(&good, "a\n", 0o644), planned(&bad, "b\n", 0o644)],
            false,
        )
        .err()
        .unwrap_or_else(|| panic!("installed through a symlink"));
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to write through symbolic link `{}`",
                dir.path().join("lib").display()
            )
        );
        assert!(
            !good.exists(),
            "staging failed, so nothing may be renamed into place"
        );
        assert_eq!(
            std::fs::read_dir(&outside)
                .map(Iterator::count)
                .unwrap_or(99),
            0
        );
        let etc: Vec<_> = std::fs::read_dir(dir.path().join("etc"))
            .map(|r| r.count())
            .into_iter()
            .collect();
        assert_eq!(etc, [0], "the staged temporary was removed");
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tmp();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious\n").unwrap_or_default();
        let target = dir.path().join("motd");
        symlink(&victim, &target).unwrap_or_default();
        install_files(&[planned(&target, "new\n", 0o644)], false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap_or_default(),
            "precious\n"
        );
        assert_eq!(
            std::fs::read_to_string(&target).unwrap_or_default(),
            "new\n"
        );
        assert!(!std::fs::symlink_metadata(&target)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(true));
    }

    #[test]
    fn a_file_in_the_way_of_a_directory() {
        let dir = tmp();
        std::fs::write(dir.path().join("lib"), "").unwrap_or_default();
        let err = install_files(&[planned(&dir.path().join("lib/x"), "", 0o644)], false)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(
            matches!(err.kind, InstallErrorKind::NotADirectory { .. }),
            "{err}"
        );
    }

    #[test]
    fn remove_and_read() {
        let dir = tmp();
        let a = dir.path().join("a");
        std::fs::write(&a, "x").unwrap_or_default();
        assert_eq!(read_file(&a).ok().flatten().as_deref(), Some("x"));
        assert_eq!(read_file(&dir.path().join("nope/b")).ok(), Some(None));
        let report =
            remove_files(&[a.clone(), dir.path().join("b")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            report,
            [
                (a.clone(), Removal::Removed),
                (dir.path().join("b"), Removal::Absent)
            ]
        );
        assert!(!a.exists());
    }

    #[test]
    fn relative_and_dotted_paths_are_refused() {
        for p in ["rel/x", "/a/../b", "/a/./b"] {
            let err = install_files(&[planned(Path::new(p), "", 0o644)], false).err();
            assert!(
                matches!(err.map(|e| e.kind), Some(InstallErrorKind::BadPath { .. })),
                "{p}"
            );
        }
    }
}
