//! Reaching a directory one component at a time: a symbolic link on the
//! way is followed only when it is trusted (see the crate documentation,
//! "Which links are followed"), and every step is taken relative to the
//! descriptor of the directory before it.

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags, Stat, CWD};
use rustix::io::Errno;

use crate::{Distrust, FsError, FsErrorKind, FsResult};

/// The most symbolic links followed on the way to one directory, as the
/// kernel allows in one path lookup.
pub const MAX_LINKS: usize = 40;

/// Flags of every directory open: a link is never followed by the kernel
/// (this module decides).
pub(crate) const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// A handle on a directory entry itself, not what it names: for a link,
/// to inspect and read it without following it.
const ENTRY_FLAGS: OFlags = OFlags::PATH.union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

/// Mode bits that let the group or others create entries.
const WRITABLE_BY_OTHERS: u32 = 0o022;

/// One step still to take.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// Into the entry with this name.
    Into(OsString),
    /// To the parent of the directory reached so far (`..` in a link's
    /// target): the real parent, whatever link led here.
    Up,
}

/// A link that was followed, and what was left to do after it: meeting
/// the same pair again means the links loop.
type Followed = ((u64, u64), Vec<Step>);

/// A walk in progress.
struct Walk {
    /// The directory reached so far.
    fd: OwnedFd,
    /// Where it really is (links resolved), for messages: absolute, or
    /// relative to the working directory.
    at: PathBuf,
    /// What is left, the next step last.
    todo: Vec<Step>,
    /// Mode of missing directories, when they are to be created.
    create: Option<u32>,
    followed: Vec<Followed>,
    /// The effective user: its links and directories are trusted like
    /// root's.
    euid: u32,
}

/// Opens the directory `path`: from `/` when it is absolute, else from the
/// working directory. A `..` in `path` itself is refused (`BadPath`).
pub(crate) fn open_path(path: &Path, create: Option<u32>) -> FsResult<OwnedFd> {
    let mut todo = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => todo.push(Step::Into(part.to_os_string())),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => {
                return Err(FsError::new(FsErrorKind::BadPath, path));
            }
        }
    }
    todo.reverse();
    let (start, at) = if path.is_absolute() {
        (open_root()?, PathBuf::from("/"))
    } else {
        let fd = rustix::fs::openat(CWD, ".", DIR_FLAGS, Mode::empty())
            .map_err(|e| FsError::io("open", Path::new("."), e))?;
        (fd, PathBuf::new())
    };
    Walk::new(start, at, todo, create).run()
}

/// Opens the directory `name` in the directory `parent` (at `at`).
pub(crate) fn open_child(
    parent: &OwnedFd,
    at: &Path,
    name: &OsStr,
    create: Option<u32>,
) -> FsResult<OwnedFd> {
    let fd = parent
        .try_clone()
        .map_err(|e| FsError::io_error("duplicate the descriptor of", at, e))?;
    Walk::new(
        fd,
        at.to_path_buf(),
        vec![Step::Into(name.to_os_string())],
        create,
    )
    .run()
}

fn open_root() -> FsResult<OwnedFd> {
    rustix::fs::openat(CWD, "/", DIR_FLAGS, Mode::empty())
        .map_err(|e| FsError::io("open", Path::new("/"), e))
}

impl Walk {
    fn new(fd: OwnedFd, at: PathBuf, todo: Vec<Step>, create: Option<u32>) -> Walk {
        Walk {
            fd,
            at,
            todo,
            create,
            followed: Vec::new(),
            euid: rustix::process::geteuid().as_raw(),
        }
    }

    fn run(mut self) -> FsResult<OwnedFd> {
        while let Some(step) = self.todo.pop() {
            match step {
                Step::Up => self.up()?,
                Step::Into(name) => self.enter(&name)?,
            }
        }
        Ok(self.fd)
    }

    /// To the real parent of the directory reached so far.
    fn up(&mut self) -> FsResult<()> {
        self.fd = rustix::fs::openat(&self.fd, "..", DIR_FLAGS, Mode::empty())
            .map_err(|e| FsError::io("open directory", &self.at.join(".."), e))?;
        let above_start = self.at.as_os_str().is_empty() || self.at.ends_with("..");
        if above_start {
            self.at.push("..");
        } else {
            // At `/` this does nothing: `/..` is `/`.
            self.at.pop();
        }
        Ok(())
    }

    /// Into `name`: a directory (created when missing and asked to), or a
    /// link that is followed if it is trusted.
    fn enter(&mut self, name: &OsStr) -> FsResult<()> {
        let at = self.at.join(name);
        let error = match rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => return self.arrive(fd, at),
            Err(Errno::NOENT) if self.create.is_some() => {
                let mode = self.create.unwrap_or(0o755);
                match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode)) {
                    // EEXIST: made meanwhile, or a link that dangles.
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(FsError::io("create directory", &at, e)),
                }
                match rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
                    Ok(fd) => return self.arrive(fd, at),
                    Err(e) => e,
                }
            }
            Err(e) => e,
        };
        // A link (ELOOP, or ENOTDIR on some kernels) or not a directory.
        if error != Errno::LOOP && error != Errno::NOTDIR {
            return Err(FsError::io("open directory", &at, error));
        }
        let Ok(entry) = rustix::fs::openat(&self.fd, name, ENTRY_FLAGS, Mode::empty()) else {
            return Err(FsError::io("open directory", &at, error));
        };
        let stat = rustix::fs::fstat(&entry).map_err(|e| FsError::io("inspect", &at, e))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
            return Err(FsError::new(FsErrorKind::NotADirectory, &at));
        }
        self.follow(&entry, &stat, at)
    }

    fn arrive(&mut self, fd: OwnedFd, at: PathBuf) -> FsResult<()> {
        self.fd = fd;
        self.at = at;
        Ok(())
    }

    /// Follows the link `entry` (at `at`, in the directory reached so far)
    /// when it is trusted: its target's steps come next.
    fn follow(&mut self, entry: &OwnedFd, link: &Stat, at: PathBuf) -> FsResult<()> {
        let target = rustix::fs::readlinkat(entry, "", Vec::new())
            .map(|t| OsString::from_vec(t.into_bytes()))
            .map_err(|e| FsError::io("read symbolic link", &at, e))?;
        let dir = rustix::fs::fstat(&self.fd).map_err(|e| FsError::io("inspect", &self.at, e))?;
        let reasons = self.distrust(&dir, link);
        if !reasons.is_empty() {
            let kind = FsErrorKind::UntrustedSymlink {
                target: target.into(),
                reasons,
            };
            return Err(FsError::new(kind, &at));
        }
        if self.followed.len() == MAX_LINKS {
            return Err(FsError::new(FsErrorKind::TooManySymlinks, &at));
        }
        let id = (link.st_dev, link.st_ino);
        if self
            .followed
            .iter()
            .any(|(i, rest)| *i == id && *rest == self.todo)
        {
            return Err(FsError::new(
                FsErrorKind::SymlinkLoop {
                    target: target.into(),
                },
                &at,
            ));
        }
        self.followed.push((id, self.todo.clone()));
        let bytes = target.as_bytes();
        if bytes.is_empty() {
            return Err(FsError::io("follow symbolic link", &at, Errno::NOENT));
        }
        if bytes.first() == Some(&b'/') {
            self.fd = open_root()?;
            self.at = PathBuf::from("/");
        }
        for part in bytes.split(|&b| b == b'/').rev() {
            match part {
                b"" | b"." => {}
                b".." => self.todo.push(Step::Up),
                name => self
                    .todo
                    .push(Step::Into(OsStr::from_bytes(name).to_os_string())),
            }
        }
        Ok(())
    }

    /// Why a link (`link`) in the directory reached so far (`dir`) is not
    /// trusted; nothing when it is: root or the effective user owns both,
    /// and neither the directory's group nor others can write it (a
    /// sticky world-writable directory such as `/tmp` included).
    fn distrust(&self, dir: &Stat, link: &Stat) -> Vec<Distrust> {
        let trusted = |uid: u32| uid == 0 || uid == self.euid;
        let mut reasons = Vec::new();
        if !trusted(link.st_uid) {
            reasons.push(Distrust::LinkOwner { uid: link.st_uid });
        }
        if !trusted(dir.st_uid) {
            reasons.push(Distrust::DirOwner {
                dir: self.at.clone(),
                uid: dir.st_uid,
            });
        }
        if dir.st_mode & WRITABLE_BY_OTHERS != 0 {
            reasons.push(Distrust::DirWritable {
                dir: self.at.clone(),
                mode: dir.st_mode & 0o7777,
            });
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::{symlink, PermissionsExt};

    use super::*;
    use crate::testing::ATTACKER_UID;
    use crate::{Dir, FsError};

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn mkdir(path: &Path, mode: u32) {
        fs::create_dir_all(path).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Gives `path` (not followed) to [`ATTACKER_UID`]: only root can.
    fn give_away(path: &Path) {
        assert!(
            rustix::process::geteuid().is_root(),
            "this test needs root, as bin/test runs it"
        );
        let nobody = rustix::fs::Uid::from_raw(ATTACKER_UID);
        rustix::fs::chownat(
            CWD,
            path,
            Some(nobody),
            None,
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )
        .unwrap();
    }

    fn untrusted(err: &FsError) -> &[Distrust] {
        match &err.kind {
            FsErrorKind::UntrustedSymlink { reasons, .. } => reasons,
            other => panic!("expected an untrusted link, got {other:?}: {err}"),
        }
    }

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_default()
    }

    /// A site like `/etc/pikt -> /srv/pikt`: the real tree and a private,
    /// root-owned 0755 directory holding the link.
    struct Site {
        t: tempfile::TempDir,
    }

    impl Site {
        fn new() -> Site {
            let t = tmp();
            mkdir(&t.path().join("srv/pikt/var/log"), 0o755);
            mkdir(&t.path().join("etc"), 0o755);
            Site { t }
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.t.path().join(rel)
        }
    }

    #[test]
    fn a_root_link_in_a_root_directory_is_followed_absolute_or_relative() {
        for target in [None, Some("../srv/pikt"), Some("./../srv//pikt/")] {
            let site = Site::new();
            let real = site.path("srv/pikt");
            let link = site.path("etc/pikt");
            match target {
                None => symlink(&real, &link).unwrap(),
                Some(rel) => symlink(rel, &link).unwrap(),
            }
            let log = Dir::open(&link.join("var/log")).unwrap();
            assert_eq!(log.path(), link.join("var/log"), "the path asked for");
            log.write_atomic("Urgent.log", b"line\n", 0o644).unwrap();
            assert_eq!(read(&real.join("var/log/Urgent.log")), "line\n");
            // Missing directories are made in the real tree.
            crate::replace_file(&link.join("var/history/Hist/x.hst"), b"h\n", 0o644).unwrap();
            assert_eq!(read(&real.join("var/history/Hist/x.hst")), "h\n");
            crate::append_line(&link.join("var/log/piktd.log"), "one", 0o644).unwrap();
            assert_eq!(read(&real.join("var/log/piktd.log")), "one\n");
            // The link itself, as the last component of a directory path.
            let dir = Dir::create(&link, 0o755).unwrap();
            assert!(dir.names().unwrap().contains(&"var".to_string()));
            assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        }
    }

    #[test]
    fn create_through_a_trusted_link_that_dangles_makes_its_target() {
        let t = tmp();
        symlink("srv/pikt", t.path().join("pikt")).unwrap();
        let dir = Dir::create(&t.path().join("pikt/var/log"), 0o750).unwrap();
        dir.write_atomic("a.log", b"x", 0o644).unwrap();
        assert_eq!(read(&t.path().join("srv/pikt/var/log/a.log")), "x");
        let err = Dir::open(&t.path().join("pikt/nope")).unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert_eq!(
            err.path,
            t.path().join("srv/pikt/nope"),
            "where it really is"
        );
    }

    #[test]
    fn a_chain_of_trusted_links_is_followed_and_subdir_follows_too() {
        let site = Site::new();
        // etc/pikt -> etc/alias (relative) -> /…/srv/link -> pikt (relative)
        symlink("alias", site.path("etc/pikt")).unwrap();
        symlink(site.path("srv/link"), site.path("etc/alias")).unwrap();
        symlink("pikt", site.path("srv/link")).unwrap();
        symlink("var", site.path("srv/pikt/data")).unwrap();
        crate::append_line(&site.path("etc/pikt/var/log/a.log"), "x", 0o644).unwrap();
        assert_eq!(read(&site.path("srv/pikt/var/log/a.log")), "x\n");
        let top = Dir::open(&site.path("etc/pikt")).unwrap();
        let data = top.subdir("data", None).unwrap();
        assert_eq!(data.path(), site.path("etc/pikt/data"));
        assert!(data.names().unwrap().contains(&"log".to_string()));
    }

    #[test]
    fn dot_dot_in_a_target_is_the_real_parent_not_a_lexical_step() {
        let t = tmp();
        mkdir(&t.path().join("deep/inner"), 0o755);
        mkdir(&t.path().join("deep/sibling"), 0o755);
        mkdir(&t.path().join("top/sibling"), 0o755);
        // top/alias -> ../deep/inner; deep/inner/up -> ../sibling.
        symlink("../deep/inner", t.path().join("top/alias")).unwrap();
        symlink("../sibling", t.path().join("deep/inner/up")).unwrap();
        let path = t.path().join("top/alias/up/f");
        crate::replace_file(&path, b"real parent\n", 0o644).unwrap();
        assert_eq!(read(&t.path().join("deep/sibling/f")), "real parent\n");
        assert!(!t.path().join("top/sibling/f").exists(), "lexical `..`");
        // `..` above `/` stays at `/`, as in the kernel.
        let up = "../".repeat(40);
        symlink(format!("{up}{}", t.path().display()), t.path().join("high")).unwrap();
        let dir = Dir::open(&t.path().join("high/deep")).unwrap();
        assert_eq!(dir.names().unwrap().len(), 2);
    }

    #[test]
    fn a_link_owned_by_another_user_is_refused_with_why_and_what_to_do() {
        let site = Site::new();
        let link = site.path("etc/pikt");
        symlink(site.path("srv/pikt"), &link).unwrap();
        give_away(&link);
        let err = Dir::create(&link.join("var/log"), 0o755).unwrap_err();
        assert_eq!(untrusted(&err), [Distrust::LinkOwner { uid: ATTACKER_UID }]);
        assert!(err.is_refusal());
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to follow symbolic link `{l}` (to `{t}`): it is owned by uid \
                 65534, not root, so another user could have planted it; name the real \
                 directory instead of the link, or, if the link is meant to be there, \
                 `chown -h root {l}`",
                l = link.display(),
                t = site.path("srv/pikt").display()
            )
        );
        let err = crate::append_line(&link.join("var/log/x.log"), "no", 0o644).unwrap_err();
        assert!(matches!(err.kind, FsErrorKind::UntrustedSymlink { .. }));
        assert!(!site.path("srv/pikt/var/log/x.log").exists());
    }

    #[test]
    fn a_link_in_a_directory_others_can_write_is_refused_sticky_or_not() {
        for (mode, who) in [
            (0o775, "its group"),
            (0o757, "others"),
            (0o1777, "its group and others"),
        ] {
            let site = Site::new();
            let link = site.path("etc/pikt");
            symlink(site.path("srv/pikt"), &link).unwrap();
            mkdir(&site.path("etc"), mode);
            let err = Dir::open(&link.join("var")).unwrap_err();
            assert_eq!(
                untrusted(&err),
                [Distrust::DirWritable {
                    dir: site.path("etc"),
                    mode
                }]
            );
            let text = err.to_string();
            let fact = format!(
                "the directory holding it, `{}`, is writable by {who} (mode {mode:04o}), so \
                 another user could have planted it",
                site.path("etc").display()
            );
            assert!(text.contains(&fact), "{text}");
            assert!(
                text.ends_with("keep it in a directory that root owns and no one else can write"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_link_in_a_directory_another_user_owns_is_refused_even_if_root_made_it() {
        let site = Site::new();
        let link = site.path("etc/pikt");
        symlink(site.path("srv/pikt"), &link).unwrap();
        give_away(&site.path("etc"));
        let err = Dir::open(&link).unwrap_err();
        assert_eq!(
            untrusted(&err),
            [Distrust::DirOwner {
                dir: site.path("etc"),
                uid: ATTACKER_UID
            }]
        );
        // Both wrong: every reason is given, and both fixes.
        give_away(&link);
        mkdir(&site.path("etc"), 0o777);
        let err = Dir::open(&link).unwrap_err();
        assert_eq!(untrusted(&err).len(), 3, "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "it is owned by uid 65534, not root, and the directory holding it, `{}`, \
                 is owned by uid 65534 and writable by its group and others (mode 0777)",
                site.path("etc").display()
            )),
            "{text}"
        );
        assert!(text.ends_with(&format!(
            "`chown -h root {}` and keep it in a directory that root owns and no one else can write",
            link.display()
        )));
    }

    #[test]
    fn an_untrusted_link_after_trusted_ones_is_refused_where_it_really_is() {
        let site = Site::new();
        symlink(site.path("srv/pikt"), site.path("etc/pikt")).unwrap();
        let outside = site.path("outside");
        mkdir(&outside, 0o755);
        let planted = site.path("srv/pikt/var/spool");
        symlink(&outside, &planted).unwrap();
        give_away(&planted);
        let err = crate::replace_file(&site.path("etc/pikt/var/spool/m"), b"x", 0o600).unwrap_err();
        assert_eq!(err.path, planted, "{err}");
        assert!(matches!(err.kind, FsErrorKind::UntrustedSymlink { .. }));
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    }

    #[test]
    fn loops_and_long_chains_are_refused() {
        let t = tmp();
        symlink("b", t.path().join("a")).unwrap();
        symlink("a", t.path().join("b")).unwrap();
        symlink("self", t.path().join("self")).unwrap();
        for name in ["a", "self"] {
            let err = Dir::create(&t.path().join(name).join("x"), 0o755).unwrap_err();
            assert!(
                matches!(err.kind, FsErrorKind::SymlinkLoop { .. }),
                "{name}: {err}"
            );
            assert!(err.to_string().contains("(a loop)"), "{err}");
        }
        // A loop that grows the path to walk is cut by the bound.
        symlink("grow/x", t.path().join("grow")).unwrap();
        let err = Dir::open(&t.path().join("grow")).unwrap_err();
        assert!(matches!(err.kind, FsErrorKind::TooManySymlinks), "{err}");
        // A chain of exactly MAX_LINKS links is followed; one more is not.
        mkdir(&t.path().join("end"), 0o755);
        let mut previous = "end".to_string();
        for i in 0..=MAX_LINKS {
            let name = format!("l{i}");
            symlink(&previous, t.path().join(&name)).unwrap();
            previous = name;
        }
        let longest = format!("l{}", MAX_LINKS - 1);
        assert!(Dir::open(&t.path().join(&longest)).is_ok());
        let err = Dir::open(&t.path().join(format!("l{MAX_LINKS}"))).unwrap_err();
        assert!(matches!(err.kind, FsErrorKind::TooManySymlinks), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to follow symbolic link `{}`: more than 40 symbolic links on \
                 the way (a loop?); name the real directory instead",
                t.path().join("l0").display()
            )
        );
    }

    #[test]
    fn a_file_name_is_never_followed_even_through_a_trusted_directory_link() {
        let site = Site::new();
        symlink(site.path("srv/pikt"), site.path("etc/pikt")).unwrap();
        let victim = site.path("victim");
        fs::write(&victim, "precious").unwrap();
        symlink(&victim, site.path("srv/pikt/var/log/a.log")).unwrap();
        let dir = Dir::open(&site.path("etc/pikt/var/log")).unwrap();
        for result in [
            dir.open_append("a.log", 0o644),
            dir.open_lock("a.log", 0o644),
        ] {
            assert!(matches!(result.unwrap_err().kind, FsErrorKind::Symlink));
        }
        fs::hard_link(&victim, site.path("srv/pikt/var/log/hard.log")).unwrap();
        let err = dir.open_append("hard.log", 0o644).unwrap_err();
        assert!(matches!(err.kind, FsErrorKind::HardLinked { links: 2 }));
        dir.write_atomic("a.log", b"new", 0o644).unwrap();
        assert_eq!(read(&victim), "precious");
        // A link to a file where a directory is expected.
        symlink(&victim, site.path("srv/pikt/file")).unwrap();
        let err = Dir::open(&site.path("etc/pikt/file")).unwrap_err();
        assert!(matches!(err.kind, FsErrorKind::NotADirectory), "{err}");
        assert_eq!(err.path, victim);
    }

    #[test]
    fn a_target_with_control_characters_is_shown_escaped() {
        let t = tmp();
        let link = t.path().join("l");
        symlink("/nowhere\x1b[2J\n", &link).unwrap();
        give_away(&link);
        let text = Dir::open(&link).unwrap_err().to_string();
        assert!(text.contains("(to `/nowhere\\x1b[2J\\x0a`)"), "{text}");
    }
}
