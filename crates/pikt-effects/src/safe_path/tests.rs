//! These tests plant links owned by another user (`nobody`), which needs
//! root, as the end-to-end tests do.

use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use super::*;

/// The uid that owns the planted links.
const NOBODY: u32 = 65534;

/// Makes the link at `path` belong to `nobody`, as if nobody planted it.
fn plant(path: &Path) {
    rfs::chownat(
        CWD,
        path,
        Some(rustix::fs::Uid::from_raw(NOBODY)),
        None,
        AtFlags::SYMLINK_NOFOLLOW,
    )
    .expect("chown of a link (the tests run as root)");
}

fn write_line(path: &Path, how: WriteMode, text: &str) -> io::Result<()> {
    let fd = open_for_writing(path, how, 0o644)?;
    fs::File::from(fd).write_all(text.as_bytes())
}

#[test]
fn a_link_as_the_last_component_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shadow");
    fs::write(&target, "secret\n").unwrap();
    let link = dir.path().join("x.log");
    symlink(&target, &link).unwrap();
    for how in [WriteMode::Append, WriteMode::Truncate] {
        let err = write_line(&link, how, "owned\n").unwrap_err();
        assert_eq!(err.to_string(), "it is a symbolic link");
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "secret\n");
    assert_eq!(
        open_for_reading(&link).unwrap_err().to_string(),
        "it is a symbolic link"
    );
}

#[test]
fn only_files_and_character_devices_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    rfs::mknodat(CWD, &fifo, FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
    let started = Instant::now();
    let err = write_line(&fifo, WriteMode::Append, "x").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "it blocked");
    assert_eq!(err.to_string(), "it is a named pipe, not a regular file");
    let err = write_line(dir.path(), WriteMode::Append, "x").unwrap_err();
    assert!(
        err.to_string().contains("not a file") || err.to_string().contains("directory"),
        "{err}"
    );
    write_line(Path::new("/dev/null"), WriteMode::Truncate, "x").unwrap();
    // A file is created, appended to, and truncated when asked.
    let file = dir.path().join("f");
    write_line(&file, WriteMode::Append, "a\n").unwrap();
    write_line(&file, WriteMode::Append, "b\n").unwrap();
    assert_eq!(fs::read_to_string(&file).unwrap(), "a\nb\n");
    write_line(&file, WriteMode::Truncate, "c\n").unwrap();
    assert_eq!(fs::read_to_string(&file).unwrap(), "c\n");
}

#[test]
fn links_on_the_way_are_followed_only_when_root_owns_them() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    fs::create_dir(&real).unwrap();
    let trusted = dir.path().join("trusted");
    symlink(&real, &trusted).unwrap();
    write_line(&trusted.join("a.log"), WriteMode::Append, "ok\n").unwrap();
    assert_eq!(fs::read_to_string(real.join("a.log")).unwrap(), "ok\n");
    // A relative link, and `..` after it.
    let relative = dir.path().join("rel");
    symlink("real", &relative).unwrap();
    write_line(&relative.join("../real/b.log"), WriteMode::Append, "ok\n").unwrap();
    assert!(real.join("b.log").exists());

    let planted = dir.path().join("planted");
    symlink(&real, &planted).unwrap();
    plant(&planted);
    let err = write_line(&planted.join("c.log"), WriteMode::Append, "no\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`planted` on the way to `{}`: a symbolic link owned by uid 65534: not followed",
            planted.join("c.log").display()
        )
    );
    assert!(!real.join("c.log").exists());
    // A link loop ends.
    let a = dir.path().join("loop-a");
    symlink(dir.path().join("loop-b"), &a).unwrap();
    symlink(&a, dir.path().join("loop-b")).unwrap();
    assert!(write_line(&a.join("x"), WriteMode::Append, "x").is_err());
}

#[test]
fn replaced_files_never_go_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("var/history/Urgent/Chk.hst");
    replace_file(&history, b"one").unwrap();
    replace_file(&history, b"two").unwrap();
    assert_eq!(fs::read_to_string(&history).unwrap(), "two");
    let names: Vec<String> = fs::read_dir(history.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Chk.hst"]);

    // A planted alert directory.
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let planted = dir.path().join("var/history/Planted");
    symlink(&elsewhere, &planted).unwrap();
    plant(&planted);
    assert!(replace_file(&planted.join("Chk.hst"), b"x").is_err());
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn temporary_files_of_an_interrupted_write_are_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("Chk.hst");
    // A writer that died (no such process), one still running (this one),
    // and a file of another name.
    let dead = dir.path().join(".Chk.hst.tmp-999999999-0");
    let alive = dir
        .path()
        .join(format!(".Chk.hst.tmp-{}-7", std::process::id()));
    let other = dir.path().join(".Other.hst.tmp-999999999-0");
    for path in [&dead, &alive, &other] {
        fs::write(path, "torn").unwrap();
    }
    replace_file(&target, b"whole").unwrap();
    assert!(!dead.exists());
    assert!(alive.exists());
    assert!(other.exists());
    assert_eq!(fs::read_to_string(&target).unwrap(), "whole");
}
