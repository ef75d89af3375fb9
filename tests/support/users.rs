//! System users for tests that act on other users' processes (the imapd storm).
//!
//! A user is created once with `useradd -M -s /usr/sbin/nologin NAME` (no home,
//! no login) and kept: later runs and other tests find it and reuse it. Creation
//! is serialised with a lock file, so tests and test binaries running at the same
//! time can ask for the same user.

use std::io;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::Duration;

use rustix::process::geteuid;

use super::{require_program, FileLock};

/// Held while a user is created, across every test process.
const USERADD_LOCK: &str = "/run/lock/pikt-test-useradd.lock";
/// How long to wait for another test creating a user.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);
/// `useradd` runs again when `/etc/passwd` is locked by someone else.
const USERADD_ATTEMPTS: u32 = 10;
/// `getent`'s status for "no such entry".
const GETENT_NOT_FOUND: i32 = 2;
/// `useradd`'s status for "user name already in use".
const USERADD_NAME_IN_USE: i32 = 9;
/// The longest user name `useradd` accepts.
const MAX_NAME_LEN: usize = 32;

/// The user's `(uid, gid)`, creating it first if it does not exist. Creating
/// needs root; without root a missing user is an error.
pub fn ensure_user(name: &str) -> io::Result<(u32, u32)> {
    check_name(name)?;
    ensure_checked(name, false)
}

/// [`ensure_user`] for any name `useradd --badname` takes (`x;>P`, `x$(>P)`:
/// names made to attack what uses them), refusing only what no user name
/// can hold.
pub fn ensure_any_user(name: &str) -> io::Result<(u32, u32)> {
    if check_name(name).is_ok() {
        return ensure_user(name);
    }
    let impossible = name.is_empty()
        || name.starts_with('-')
        || name.len() > MAX_NAME_LEN
        || name.contains([':', ',', '\n', '/', '\0']);
    if impossible {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{name}` cannot be a user name"),
        ));
    }
    ensure_checked(name, true)
}

/// Creates user `name` unless it exists (`badname`: with `--badname`).
fn ensure_checked(name: &str, badname: bool) -> io::Result<(u32, u32)> {
    if let Some(ids) = lookup_user(name)? {
        return Ok(ids);
    }
    if !geteuid().is_root() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("user `{name}` does not exist and only root can create it"),
        ));
    }
    let _lock = FileLock::acquire(Path::new(USERADD_LOCK), LOCK_TIMEOUT)?;
    // Another test may have created it while this one waited for the lock.
    if let Some(ids) = lookup_user(name)? {
        return Ok(ids);
    }
    useradd(name, badname)?;
    lookup_user(name)?.ok_or_else(|| {
        io::Error::other(format!(
            "`useradd {name}` succeeded but `getent passwd {name}` finds no user"
        ))
    })
}

/// The `(uid, gid)` of user `name` from `getent passwd`, or `None` if there is
/// no such user.
pub fn lookup_user(name: &str) -> io::Result<Option<(u32, u32)>> {
    let getent = require_program("getent", "libc-bin")?;
    let output = Command::new(getent)
        .args(["passwd", "--", name])
        .stdin(Stdio::null())
        .output()?;
    match output.status.code() {
        Some(0) => parse_passwd_line(&String::from_utf8_lossy(&output.stdout)).map(Some),
        Some(GETENT_NOT_FOUND) => Ok(None),
        _ => Err(io::Error::other(format!(
            "`getent passwd {name}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ))),
    }
}

/// Refuses names `useradd` would refuse or a shell could misread.
fn check_name(name: &str) -> io::Result<()> {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_');
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if starts_well && rest_ok && name.len() <= MAX_NAME_LEN {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{name}` is not a valid user name: use [a-z_][a-z0-9_-]*, at most {MAX_NAME_LEN} characters"),
        ))
    }
}

/// `(uid, gid)` from a passwd line `name:x:uid:gid:gecos:home:shell`.
fn parse_passwd_line(line: &str) -> io::Result<(u32, u32)> {
    let mut fields = line.trim_end().split(':').skip(2);
    let uid = fields.next().and_then(|field| field.parse().ok());
    let gid = fields.next().and_then(|field| field.parse().ok());
    uid.zip(gid).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "cannot read uid and gid from passwd line `{}`",
                line.trim_end()
            ),
        )
    })
}

/// Runs `useradd`, again while `/etc/passwd` is locked by a program outside our
/// lock file (another `useradd`, `vipw`).
fn useradd(name: &str, badname: bool) -> io::Result<()> {
    let useradd = require_program("useradd", "passwd")?;
    let mut attempt = 1;
    let badname = if badname { &["--badname"][..] } else { &[] };
    loop {
        let output = Command::new(&useradd)
            .args(["-M", "-s", "/usr/sbin/nologin"])
            .args(badname)
            .args(["--", name])
            .stdin(Stdio::null())
            .output()?;
        if output.status.success() || output.status.code() == Some(USERADD_NAME_IN_USE) {
            return Ok(());
        }
        if !passwd_was_locked(&output) || attempt >= USERADD_ATTEMPTS {
            return Err(io::Error::other(format!(
                "`useradd -M -s /usr/sbin/nologin {name}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            )));
        }
        attempt += 1;
        thread::sleep(Duration::from_millis(200));
    }
}

/// Whether `useradd` failed only because the password files were locked.
fn passwd_was_locked(output: &Output) -> bool {
    String::from_utf8_lossy(&output.stderr).contains("cannot lock")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// Held by the test that deletes its user, so no `ensure_user` runs meanwhile.
    fn delete_user(name: &str) -> io::Result<()> {
        let _lock = FileLock::acquire(Path::new(USERADD_LOCK), LOCK_TIMEOUT)?;
        let userdel = require_program("userdel", "passwd")?;
        // Status 6 is "no such user": already gone is fine.
        let status = Command::new(userdel).arg(name).status()?;
        assert!(
            matches!(status.code(), Some(0 | 6)),
            "userdel {name}: {status}"
        );
        Ok(())
    }

    #[test]
    fn ensure_user_twice_gives_the_same_ids() -> io::Result<()> {
        let first = ensure_user("piktusertst")?;
        let second = ensure_user("piktusertst")?;
        assert_eq!(first, second);
        assert_ne!(first.0, 0);
        assert_eq!(lookup_user("piktusertst")?, Some(first));
        let passwd = fs::read_to_string("/etc/passwd")?;
        let line = passwd
            .lines()
            .find(|line| line.starts_with("piktusertst:"))
            .unwrap_or_default();
        assert!(line.ends_with(":/usr/sbin/nologin"), "{line}");
        assert!(
            line.contains(&format!(":{}:{}:", first.0, first.1)),
            "{line}"
        );
        Ok(())
    }

    #[test]
    fn concurrent_creation_of_one_user_agrees() -> io::Result<()> {
        delete_user("piktconcurtst")?;
        assert_eq!(lookup_user("piktconcurtst")?, None);
        let results: Vec<io::Result<(u32, u32)>> = thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| ensure_user("piktconcurtst")))
                .collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|_| Err(io::Error::other("panicked")))
                })
                .collect()
        });
        let ids: Vec<(u32, u32)> = results.into_iter().collect::<io::Result<_>>()?;
        assert_eq!(ids.len(), 4);
        assert!(
            ids.windows(2).all(|pair| pair.first() == pair.get(1)),
            "{ids:?}"
        );
        assert_eq!(lookup_user("piktconcurtst")?, ids.first().copied());
        Ok(())
    }

    #[test]
    fn unknown_users_are_none_and_bad_names_are_refused() -> io::Result<()> {
        assert_eq!(lookup_user("piktnosuchuser")?, None);
        assert_eq!(lookup_user("root")?, Some((0, 0)));
        for bad in ["", "Root", "-x", "a b", "x;rm", &"a".repeat(33)] {
            let kind = ensure_user(bad).err().map(|error| error.kind());
            assert_eq!(kind, Some(io::ErrorKind::InvalidInput), "{bad:?}");
        }
        assert_eq!(
            check_name("a:b").map_err(|e| e.to_string()),
            Err(
                "`a:b` is not a valid user name: use [a-z_][a-z0-9_-]*, at most 32 characters"
                    .to_owned()
            )
        );
        Ok(())
    }

    #[test]
    fn passwd_lines_parse() {
        assert_eq!(
            parse_passwd_line("chico:x:1001:1002::/home/chico:/bin/sh\n").ok(),
            Some((1001, 1002))
        );
        assert!(parse_passwd_line("chico:x:oops").is_err());
    }
}
