//! Installing rendered files on the local host, safely.
//!
//! piktc runs as root and writes files named by config text, so this module
//! is careful in four ways (the file handling itself is `pikt-fs`'s):
//!
//! * **All or nothing before anything.** Every file of a plan is first
//!   written to a temporary file in its target directory (same filesystem,
//!   so the final `rename(2)` is atomic), with its mode (and owner, when
//!   running as root). Only when every file is staged are they made durable
//!   (one `syncfs(2)` per filesystem, not an fsync per file: a host's 140
//!   files took 1.3 s of fsyncs on the test machine, which 50 hosts on one
//!   disk multiply), then renamed into place, and each directory renamed
//!   into is fsynced once. A failure while staging removes the temporaries
//!   and leaves every target untouched; a failure while renaming leaves each
//!   target either wholly old or wholly new.
//! * **No planted symlinks.** Paths are walked one component at a time
//!   from `/` with `openat(O_NOFOLLOW | O_DIRECTORY)`: a symlink on the way
//!   is followed only when only root could have made it (pikt-fs's rule),
//!   any other is refused, and a directory cannot be swapped for a symlink
//!   between a check and the write. Temporaries are created with
//!   `O_CREAT | O_EXCL | O_NOFOLLOW`; a symlink at the final name is
//!   replaced by the rename, never written through.
//! * **No leftovers.** Temporaries are named `.NAME.pikt-tmp-PID-N`; an
//!   install killed half-way leaves some, and the next install removes
//!   those of dead writers from every directory it writes to.
//! * **A switch killed half-way is finished, not left mixed.** Before the
//!   first rename, [`StagedFiles::commit_recorded`] writes the list of
//!   renames to come (a journal, itself written atomically); it is removed
//!   once every rename is done. A process killed between two renames (power
//!   cut, `kill -9`, OOM) leaves the journal, and the next install, before
//!   anything else, renames the temporaries still listed into place
//!   ([`complete_interrupted_switch`]): the host ends wholly new, and the
//!   window in which it is mixed ends at the next run, not never.
//! * **Ownership only as root.** `chown` is attempted only when the
//!   effective uid is 0; otherwise files belong to the installing user.
//!
//! Missing directories are created with mode 755.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use pikt_fs::{Dir, FsError, FsErrorKind, Staged};

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

/// An installation failure.
#[derive(Debug)]
pub struct InstallError {
    /// What went wrong (a refused link, a failed system call, ...).
    pub error: FsError,
    /// Files already renamed into place before the failure.
    pub done: Vec<PathBuf>,
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for InstallError {}

impl From<FsError> for InstallError {
    fn from(error: FsError) -> InstallError {
        InstallError {
            error,
            done: Vec::new(),
        }
    }
}

/// Result alias for this module.
pub type InstallResult<T> = Result<T, InstallError>;

/// True when running as root (ownership is applied only then).
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
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
}

/// Stages every file of `plan`: the first half of [`install_files`]. A
/// failure removes what was staged and leaves every target untouched. The
/// first time a directory is used, the temporaries that interrupted
/// installs left there are removed.
pub fn stage_files(plan: &[PlannedFile], chown: bool) -> InstallResult<StagedFiles> {
    let mut cleaned = BTreeSet::new();
    let mut staged = Vec::with_capacity(plan.len());
    let mut dirs = Vec::new();
    for file in plan {
        // On failure the staged files are dropped, which removes them.
        let (dir, file) = stage(file, chown, &mut cleaned)?;
        staged.push(file);
        dirs.push(dir);
    }
    // Every staged byte on disk before any rename: one sync per filesystem.
    let mut synced = BTreeSet::new();
    for dir in &dirs {
        if synced.insert(dir.id()?.0) {
            dir.sync_filesystem()?;
        }
    }
    Ok(StagedFiles { staged })
}

impl StagedFiles {
    /// Renames every staged file into place, in plan order, then fsyncs
    /// each directory renamed into, once. On a failure the files already
    /// renamed are in the error's `done` (their directories synced); the
    /// rest stay as they were.
    pub fn commit(self) -> InstallResult<Vec<PathBuf>> {
        let mut done = Vec::with_capacity(self.staged.len());
        let mut dirs: Vec<Dir> = Vec::new();
        let mut ids = BTreeSet::new();
        let mut failed = None;
        for s in self.staged {
            let path = s.path().to_path_buf();
            match s.commit_unsynced() {
                Ok(dir) => {
                    // A directory that cannot be told apart is synced anyway.
                    if dir.id().map_or(true, |id| ids.insert(id)) {
                        dirs.push(dir);
                    }
                    done.push(path);
                }
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        for dir in &dirs {
            if let Err(error) = dir.sync() {
                failed.get_or_insert(error);
            }
        }
        match failed {
            Some(error) => Err(InstallError { error, done }),
            None => Ok(done),
        }
    }
}

/// The journal's file name, in the directory given to
/// [`StagedFiles::commit_recorded`].
pub const SWITCH_JOURNAL: &str = "piktc-switch.journal";

impl StagedFiles {
    /// [`StagedFiles::commit`], recorded: the renames to come are written
    /// to `journal_dir/`[`SWITCH_JOURNAL`] first and the journal removed
    /// after the last one, so that a process killed in between has its
    /// switch finished by [`complete_interrupted_switch`].
    pub fn commit_recorded(self, journal_dir: &Path) -> InstallResult<Vec<PathBuf>> {
        let journal = Dir::create(journal_dir, 0o755)?;
        journal.write_atomic(SWITCH_JOURNAL, &self.journal(), 0o600)?;
        let result = self.commit();
        // After a failed rename the remaining temporaries are gone already
        // (dropped): nothing is left for the journal to finish.
        journal.remove(SWITCH_JOURNAL)?;
        result
    }

    /// One record per file: its target path and its temporary's name, each
    /// ended by a NUL (neither can contain one).
    fn journal(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for s in &self.staged {
            bytes.extend_from_slice(s.path().as_os_str().as_encoded_bytes());
            bytes.push(0);
            bytes.extend_from_slice(s.temp_name().as_bytes());
            bytes.push(0);
        }
        bytes
    }
}

/// Finishes a switch that a killed process left half done: renames every
/// temporary its journal in `journal_dir` lists and that is still there
/// into place, syncs, and removes the journal. Returns the files put in
/// place (none when no switch was interrupted). Records that do not name
/// a temporary of their own target are skipped, never acted on.
///
/// A journal whose writer (named in its temporaries) still runs in another
/// process is a switch in progress, not an interrupted one: it is left to
/// its writer. The host side of piktc and piktd (at start and reload) both
/// call this, and either may come while the other switches.
pub fn complete_interrupted_switch(journal_dir: &Path) -> InstallResult<Vec<PathBuf>> {
    let journal = match Dir::open(journal_dir) {
        Ok(dir) => dir,
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let Some(bytes) = journal.read(SWITCH_JOURNAL)? else {
        return Ok(Vec::new());
    };
    let fields: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    if fields.chunks_exact(2).any(written_by_another_live_process) {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    let mut dirs: Vec<Dir> = Vec::new();
    for record in fields.chunks_exact(2) {
        let (Ok(target), Ok(temp)) = (
            std::str::from_utf8(record[0]),
            std::str::from_utf8(record[1]),
        ) else {
            continue;
        };
        let Ok((parent, name)) = split_target(Path::new(target)) else {
            continue;
        };
        let dir = match Dir::open(&parent) {
            Ok(dir) => dir,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(InstallError { error: e, done }),
        };
        match dir.rename_temp_into(temp, &name) {
            Ok(true) => {
                done.push(PathBuf::from(target));
                dirs.push(dir);
            }
            Ok(false) => {}
            Err(e) if matches!(e.kind, FsErrorKind::BadPath) => {}
            Err(error) => return Err(InstallError { error, done }),
        }
    }
    for dir in &dirs {
        if let Err(error) = dir.sync() {
            return Err(InstallError { error, done });
        }
    }
    journal.remove(SWITCH_JOURNAL)?;
    Ok(done)
}

/// Whether a journal record's temporary belongs to a process other than
/// this one that still runs (a switch in progress).
fn written_by_another_live_process(record: &[&[u8]]) -> bool {
    let Some(name) = record.get(1).and_then(|t| std::str::from_utf8(t).ok()) else {
        return false;
    };
    pikt_fs::temp::parse_temp_name(name).is_some_and(|t| {
        (t.pid, t.start) != pikt_fs::temp::this_process()
            && pikt_fs::temp::is_running(t.pid, t.start)
    })
}

/// Removes the temporaries that interrupted installs left beside `targets`
/// (in their directories, when those exist), also where nothing is to be
/// written this time: the next install cleans up after a killed one even
/// when it finds every file unchanged. Returns the temporaries removed.
pub fn remove_stale_temps(targets: &[PathBuf]) -> InstallResult<Vec<PathBuf>> {
    let dirs: BTreeSet<PathBuf> = targets
        .iter()
        .filter_map(|t| split_target(t).ok())
        .map(|(parent, _)| parent)
        .collect();
    let mut removed = Vec::new();
    for parent in dirs {
        let dir = match Dir::open(&parent) {
            Ok(dir) => dir,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        removed.extend(
            dir.remove_stale_temps()?
                .into_iter()
                .map(|n| parent.join(n)),
        );
    }
    Ok(removed)
}

/// Stages one file; the first time a directory is used, the temporaries
/// that interrupted installs left there are removed.
fn stage(
    file: &PlannedFile,
    chown: bool,
    cleaned: &mut BTreeSet<PathBuf>,
) -> InstallResult<(Dir, Staged)> {
    let (parent, name) = split_target(&file.path)?;
    let dir = Dir::create(&parent, 0o755)?;
    if cleaned.insert(parent) {
        dir.remove_stale_temps()?;
    }
    let owner = if chown { file.owner } else { None };
    let staged = dir.stage_unsynced(&name, &file.content, file.mode, owner)?;
    Ok((dir, staged))
}

/// The parent directory and the file name of an absolute, clean path.
fn split_target(path: &Path) -> Result<(PathBuf, String), FsError> {
    let bad = || FsError {
        kind: FsErrorKind::BadPath,
        path: path.to_path_buf(),
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

/// What [`remove_files`] did to one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The file was removed.
    Removed,
    /// There was nothing to remove.
    Absent,
}

/// Opens the directory of `path` without following links; `None` when it
/// does not exist.
fn existing_dir(path: &Path) -> Result<Option<(Dir, String)>, FsError> {
    let (parent, name) = split_target(path)?;
    match Dir::open(&parent) {
        Ok(dir) => Ok(Some((dir, name))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes each path (following only trusted symlinks on the way; a symlink at the
/// final name is removed itself). Missing files are not an error.
pub fn remove_files(paths: &[PathBuf]) -> InstallResult<Vec<(PathBuf, Removal)>> {
    let mut report = Vec::with_capacity(paths.len());
    for path in paths {
        let removed = match existing_dir(path)? {
            Some((dir, name)) => {
                let removed = dir.remove(&name)?;
                if removed {
                    dir.sync()?;
                }
                removed
            }
            None => false,
        };
        let outcome = if removed {
            Removal::Removed
        } else {
            Removal::Absent
        };
        report.push((path.clone(), outcome));
    }
    Ok(report)
}

/// Reads `path` without following planted symlinks; `Ok(None)` when it does
/// not exist.
pub fn read_file(path: &Path) -> InstallResult<Option<String>> {
    let Some((dir, name)) = existing_dir(path)? else {
        return Ok(None);
    };
    Ok(dir
        .read(&name)?
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
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
    fn a_switch_killed_between_renames_is_finished_by_the_next_install() {
        let dir = tmp();
        let journal_dir = dir.path().join("var/lok");
        let targets: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|n| dir.path().join("lib/objects").join(n))
            .collect();
        let plan = |text: &str| -> Vec<PlannedFile> {
            targets.iter().map(|t| planned(t, text, 0o644)).collect()
        };
        install_files(&plan("old\n"), false).unwrap_or_else(|e| panic!("{e}"));
        let read = || -> Vec<String> {
            targets
                .iter()
                .map(|t| std::fs::read_to_string(t).unwrap_or_default())
                .collect()
        };
        // Record the switch, rename the first file, then "die": the rest
        // are neither renamed nor cleaned up (no destructor runs).
        let staged = stage_files(&plan("new\n"), false).unwrap_or_else(|e| panic!("{e}"));
        let journal = Dir::create(&journal_dir, 0o755).unwrap_or_else(|e| panic!("{e}"));
        journal
            .write_atomic(SWITCH_JOURNAL, &staged.journal(), 0o600)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut files = staged.staged.into_iter();
        if let Some(first) = files.next() {
            first.commit_unsynced().unwrap_or_else(|e| panic!("{e}"));
        }
        files.for_each(std::mem::forget);
        assert_eq!(read(), ["new\n", "old\n", "old\n"]);
        // A record that names another file's temporary is not acted on.
        let mut bytes = std::fs::read(journal_dir.join(SWITCH_JOURNAL)).unwrap_or_default();
        bytes.extend_from_slice(b"/etc/passwd\0.b.pikt-tmp-1-2-3\0");
        std::fs::write(journal_dir.join(SWITCH_JOURNAL), bytes).unwrap_or_default();

        let done = complete_interrupted_switch(&journal_dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done, targets[1..].to_vec());
        assert_eq!(read(), ["new\n", "new\n", "new\n"]);
        assert!(!journal_dir.join(SWITCH_JOURNAL).exists());
        let names = std::fs::read_dir(dir.path().join("lib/objects"))
            .map(|r| r.count())
            .unwrap_or(0);
        assert_eq!(names, 3, "no temporaries left");
        // Nothing pending: nothing done.
        assert_eq!(
            complete_interrupted_switch(&journal_dir)
                .map(|d| d.len())
                .ok(),
            Some(0)
        );
    }

    #[test]
    fn a_switch_whose_writer_still_runs_is_left_to_it() {
        let dir = tmp();
        let journal_dir = dir.path().join("lok");
        let target = dir.path().join("lib/x");
        std::fs::create_dir_all(dir.path().join("lib")).unwrap_or_default();
        std::fs::write(&target, "old\n").unwrap_or_default();
        // init (pid 1) runs for as long as the machine: a live writer.
        let start = pikt_fs::temp::start_time(1).unwrap_or(0);
        let temp = format!(".x.pikt-tmp-1-{start}-0");
        std::fs::write(dir.path().join("lib").join(&temp), "new\n").unwrap_or_default();
        let mut bytes = target.as_os_str().as_encoded_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(temp.as_bytes());
        bytes.push(0);
        std::fs::create_dir_all(&journal_dir).unwrap_or_default();
        std::fs::write(journal_dir.join(SWITCH_JOURNAL), bytes).unwrap_or_default();

        let done = complete_interrupted_switch(&journal_dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(done.is_empty());
        assert_eq!(
            std::fs::read_to_string(&target).unwrap_or_default(),
            "old\n"
        );
        assert!(journal_dir.join(SWITCH_JOURNAL).exists());
        assert!(dir.path().join("lib").join(&temp).exists());
    }

    #[test]
    fn a_recorded_commit_leaves_no_journal() {
        let dir = tmp();
        let target = dir.path().join("lib/x");
        let staged =
            stage_files(&[planned(&target, "x\n", 0o644)], false).unwrap_or_else(|e| panic!("{e}"));
        let done = staged
            .commit_recorded(&dir.path().join("lok"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done, [target]);
        assert!(!dir.path().join("lok").join(SWITCH_JOURNAL).exists());
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
        pikt_fs::testing::plant_link(&outside, &dir.path().join("lib")).unwrap_or_default();
        let good = dir.path().join("etc/ok");
        let bad = dir.path().join("lib/x.obj");
        let err = install_files(
            &[planned(&good, "a\n", 0o644), planned(&bad, "b\n", 0o644)],
            false,
        )
        .err()
        .unwrap_or_else(|| panic!("installed through a symlink"));
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "refusing to follow symbolic link `{}` (to `{}`): ",
                dir.path().join("lib").display(),
                outside.display()
            )),
            "{message}"
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
            matches!(err.error.kind, FsErrorKind::NotADirectory),
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
                matches!(err.map(|e| e.error.kind), Some(FsErrorKind::BadPath)),
                "{p}"
            );
        }
    }
}
