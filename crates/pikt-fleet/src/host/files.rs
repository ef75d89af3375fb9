//! Working out what each file of a plan becomes on this host: new, updated
//! or unchanged; which backups to write first (`-b`); what a restore
//! (`-B`) puts back; which files to delete are there. The result is the
//! list of files to stage, in the order they are switched: backups first,
//! then new contents.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use pikt_config::install::PlannedFile;

use super::HostSide;
use crate::plan::{HostPlan, ItemPath, DEFAULT_BACKUP_EXTENSION};
use crate::report::{FileChange, FileResult, RemovalResult, Report};

/// A file as it is on this host.
struct Existing {
    bytes: Vec<u8>,
    mode: u32,
    owner: (u32, u32),
    symlink: bool,
}

/// What is at `path`: nothing, a symbolic link (never followed), or a
/// regular file with its content.
fn existing(path: &Path) -> Result<Option<Existing>, String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot inspect `{}`: {}",
                path.display(),
                plain(&e)
            ))
        }
    };
    let owner = (meta.uid(), meta.gid());
    let mode = meta.permissions().mode() & 0o7777;
    if meta.file_type().is_symlink() {
        return Ok(Some(Existing {
            bytes: Vec::new(),
            mode,
            owner,
            symlink: true,
        }));
    }
    if !meta.is_file() {
        return Err(format!("`{}` is not a regular file", path.display()));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), plain(&e)))?;
    Ok(Some(Existing {
        bytes,
        mode,
        owner,
        symlink: false,
    }))
}

/// An I/O error without Rust's "(os error N)".
fn plain(e: &io::Error) -> String {
    pikt_config::loader::plain_io_error(e)
}

impl Existing {
    /// True when it already is `content` with `mode` (and `owner`, when
    /// owners are set).
    fn is(&self, content: &[u8], mode: u32, owner: Option<(u32, u32)>, chown: bool) -> bool {
        !self.symlink
            && self.bytes == content
            && self.mode == mode & 0o7777
            && (!chown || owner.is_none_or(|o| o == self.owner))
    }

    /// The backup of it at `path`, unless it is a symbolic link.
    fn backup(&self, path: PathBuf, what: &str) -> Option<PlannedFile> {
        (!self.symlink).then(|| PlannedFile {
            path,
            content: self.bytes.clone(),
            mode: self.mode,
            owner: Some(self.owner),
            what: format!("backup of {what}"),
        })
    }
}

/// The backup extension of this host (PIKT.conf `backup_extension`).
fn backup_extension(side: &HostSide) -> Result<String, String> {
    let ext = side
        .site
        .conf
        .get("backup_extension")
        .unwrap_or(DEFAULT_BACKUP_EXTENSION);
    if ext.is_empty() || ext.contains('/') {
        return Err(format!(
            "PIKT.conf `backup_extension {ext}` must be a file name ending without `/`"
        ));
    }
    Ok(ext.to_string())
}

fn with_extension(path: &str, ext: &str) -> PathBuf {
    PathBuf::from(format!("{path}{ext}"))
}

/// The files to stage for `plan`, in switch order, with what happens to
/// each recorded in `report`. The plan's contents are moved out.
pub(super) fn plan_writes(
    plan: &mut HostPlan,
    side: &HostSide,
    report: &mut Report,
) -> Vec<PlannedFile> {
    let ext = if plan.backup || !plan.restore.is_empty() {
        match backup_extension(side) {
            Ok(ext) => ext,
            Err(e) => {
                report.errors.push(e);
                return Vec::new();
            }
        }
    } else {
        String::new()
    };
    let mut backups = Vec::new();
    let mut writes = Vec::new();
    for file in &mut plan.files {
        let current = match existing(Path::new(&file.path)) {
            Ok(current) => current,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let content = std::mem::take(&mut file.content);
        let change = match &current {
            None => FileChange::New,
            Some(c) if c.is(&content, file.mode, file.owner, side.chown) => {
                if file.force {
                    FileChange::Rewritten
                } else {
                    FileChange::Unchanged
                }
            }
            Some(_) => FileChange::Updated,
        };
        if plan.backup && change == FileChange::Updated {
            backups.extend(
                current
                    .as_ref()
                    .and_then(|c| c.backup(with_extension(&file.path, &ext), &file.what)),
            );
        }
        if change != FileChange::Unchanged {
            writes.push(PlannedFile {
                path: PathBuf::from(&file.path),
                content,
                mode: file.mode,
                owner: file.owner,
                what: file.what.clone(),
            });
        }
        report.files.push(FileResult {
            path: file.path.clone(),
            what: file.what.clone(),
            change,
        });
    }
    for item in &plan.restore {
        match restore(item, &ext, side.chown) {
            Ok((change, write)) => {
                writes.extend(write);
                report.restored.push(FileResult {
                    path: item.path.clone(),
                    what: item.what.clone(),
                    change,
                });
            }
            Err(e) => report.errors.push(e),
        }
    }
    for item in &plan.removals {
        match existing(Path::new(&item.path)) {
            Ok(current) => {
                if plan.backup {
                    backups.extend(
                        current
                            .as_ref()
                            .and_then(|c| c.backup(with_extension(&item.path, &ext), &item.what)),
                    );
                }
                report.removals.push(RemovalResult {
                    path: item.path.clone(),
                    what: item.what.clone(),
                    present: current.is_some(),
                });
            }
            Err(e) => report.errors.push(e),
        }
    }
    report.backups = backups
        .iter()
        .map(|b| b.path.display().to_string())
        .collect();
    backups.extend(writes);
    backups
}

/// What restoring `item` from its backup does, and the file to write.
fn restore(
    item: &ItemPath,
    ext: &str,
    chown: bool,
) -> Result<(FileChange, Option<PlannedFile>), String> {
    let backup_path = with_extension(&item.path, ext);
    let Some(backup) = existing(&backup_path)?.filter(|b| !b.symlink) else {
        return Ok((FileChange::NoBackup, None));
    };
    let current = existing(Path::new(&item.path))?;
    if current.is_some_and(|c| c.is(&backup.bytes, backup.mode, Some(backup.owner), chown)) {
        return Ok((FileChange::Unchanged, None));
    }
    Ok((
        FileChange::Restored,
        Some(PlannedFile {
            path: PathBuf::from(&item.path),
            content: backup.bytes,
            mode: backup.mode,
            owner: Some(backup.owner),
            what: item.what.clone(),
        }),
    ))
}
