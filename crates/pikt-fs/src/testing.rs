//! For tests: symbolic links planted the way a local attacker plants them.
//!
//! A link that root makes in a directory only root can write is trusted
//! and followed (see the crate documentation). A test that plants a link
//! as root to show that pikt refuses it must therefore plant it as an
//! attacker's: [`plant_link`]. Public so that every crate's tests and the
//! end-to-end tests plant links the same way.

use std::io;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use rustix::fs::{AtFlags, Gid, Uid, CWD};

/// The owner of planted links: `nobody`, a user that is neither root nor
/// anyone the tests run as.
pub const ATTACKER_UID: u32 = 65534;

/// Makes `link` a symbolic link to `target`, owned by [`ATTACKER_UID`]
/// when the test runs as root (as a local user's link would be). Without
/// root, which cannot give a file away, the directory holding the link is
/// made writable by others instead: the other way a link gets planted.
/// Either way the link is not trusted.
pub fn plant_link(target: &Path, link: &Path) -> io::Result<()> {
    symlink(target, link)?;
    if rustix::process::geteuid().is_root() {
        let nobody = Uid::from_raw(ATTACKER_UID);
        let group = Gid::from_raw(ATTACKER_UID);
        rustix::fs::chownat(
            CWD,
            link,
            Some(nobody),
            Some(group),
            AtFlags::SYMLINK_NOFOLLOW,
        )?;
        return Ok(());
    }
    let holder = match link.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mode = std::fs::metadata(holder)?.permissions().mode();
    std::fs::set_permissions(holder, std::fs::Permissions::from_mode(mode | 0o002))
}
