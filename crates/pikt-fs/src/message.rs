//! How an [`FsError`] reads: what was refused or failed, where, and, for a
//! link that is not followed, why and what to do about it.

use std::borrow::Cow;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use pikt_source::visible::escape_bytes_line;

use crate::{plain_io_error, Distrust, FsError, FsErrorKind, MAX_LINKS};

/// A path as shown: control characters (a link's target is anyone's
/// choice) as `\xHH`.
fn shown(path: &Path) -> Cow<'_, str> {
    escape_bytes_line(path.as_os_str().as_bytes())
}

pub(crate) fn describe(error: &FsError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let path = shown(&error.path);
    match &error.kind {
        FsErrorKind::Symlink => write!(f, "refusing to write through symbolic link `{path}`"),
        FsErrorKind::UntrustedSymlink { target, reasons } => {
            write!(
                f,
                "refusing to follow symbolic link `{path}` (to `{}`): ",
                shown(target)
            )?;
            untrusted(f, &path, reasons)
        }
        FsErrorKind::SymlinkLoop { target } => write!(
            f,
            "refusing to follow symbolic link `{path}` (to `{}`): the links on the way \
             lead back to it (a loop); correct or remove the link",
            shown(target)
        ),
        FsErrorKind::TooManySymlinks => write!(
            f,
            "refusing to follow symbolic link `{path}`: more than {MAX_LINKS} symbolic \
             links on the way (a loop?); name the real directory instead"
        ),
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

/// Why the link at `link` is not trusted, and what to do.
fn untrusted(f: &mut fmt::Formatter<'_>, link: &str, reasons: &[Distrust]) -> fmt::Result {
    let trusted = trusted_owners();
    let mut facts = Vec::new();
    let mut dir_facts = Vec::new();
    let mut dir_path = None;
    for reason in reasons {
        match reason {
            Distrust::LinkOwner { uid } => {
                facts.push(format!("it is owned by uid {uid}, not {trusted}"));
            }
            Distrust::DirOwner { dir, uid } => {
                dir_path = Some(dir);
                dir_facts.push(format!("owned by uid {uid}"));
            }
            Distrust::DirWritable { dir, mode } => {
                dir_path = Some(dir);
                dir_facts.push(format!("writable by {} (mode {mode:04o})", writers(*mode)));
            }
        }
    }
    if let Some(dir) = dir_path {
        facts.push(format!(
            "the directory holding it, `{}`, is {}",
            shown(dir),
            dir_facts.join(" and ")
        ));
    }
    let mut fixes = Vec::new();
    if reasons
        .iter()
        .any(|r| matches!(r, Distrust::LinkOwner { .. }))
    {
        fixes.push(format!("`chown -h root {link}`"));
    }
    if dir_path.is_some() {
        fixes.push("keep it in a directory that root owns and no one else can write".into());
    }
    write!(
        f,
        "{}, so another user could have planted it; name the real directory \
         instead of the link, or, if the link is meant to be there, {}",
        facts.join(", and "),
        fixes.join(" and ")
    )
}

/// Who may own a followed link: root, and the user this process runs as.
fn trusted_owners() -> String {
    match rustix::process::geteuid().as_raw() {
        0 => "root".to_string(),
        euid => format!("root or uid {euid} (the user this runs as)"),
    }
}

/// Who, besides the owner, can write a directory with `mode`.
fn writers(mode: u32) -> &'static str {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "its group and others",
        (true, false) => "its group",
        _ => "others",
    }
}
