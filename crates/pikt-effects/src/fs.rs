//! The file system, through `std::fs`; what pikt writes is opened through
//! `pikt-fs`, which follows no symbolic link.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use pikt_runtime::host::{FileKind, FileStat, Fs, SeekRead};

/// The file system, through `std::fs`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

fn file_stat(meta: &fs::Metadata) -> FileStat {
    let ft = meta.file_type();
    let kind = if ft.is_symlink() {
        FileKind::Symlink
    } else if ft.is_dir() {
        FileKind::Dir
    } else if ft.is_char_device() {
        FileKind::CharDevice
    } else if ft.is_block_device() {
        FileKind::BlockDevice
    } else if ft.is_fifo() {
        FileKind::Fifo
    } else if ft.is_socket() {
        FileKind::Socket
    } else {
        FileKind::File
    };
    FileStat {
        kind,
        len: meta.len(),
        identity: (meta.dev(), meta.ino()),
        modified: Some(meta.mtime()),
    }
}

impl Fs for RealFs {
    fn open_read(&mut self, path: &str) -> io::Result<Box<dyn BufRead>> {
        Ok(Box::new(BufReader::new(File::open(path)?)))
    }

    fn open_write(&mut self, path: &str, append: bool) -> io::Result<Box<dyn Write>> {
        // No link followed anywhere on the path; only a regular file.
        let file = pikt_fs::open_write(Path::new(path), append, 0o644)?;
        Ok(Box::new(BufWriter::new(file)))
    }

    fn append_line(&mut self, path: &str, line: &str) -> io::Result<()> {
        // One write per line, no link followed, only a regular file.
        Ok(pikt_fs::append_line(Path::new(path), line, 0o644)?)
    }

    fn stat(&mut self, path: &str, follow: bool) -> io::Result<FileStat> {
        let meta = if follow {
            fs::metadata(path)?
        } else {
            fs::symlink_metadata(path)?
        };
        Ok(file_stat(&meta))
    }

    fn open_seekable(&mut self, path: &str) -> io::Result<(Box<dyn SeekRead>, FileStat)> {
        let file = File::open(path)?;
        let stat = file_stat(&file.metadata()?);
        Ok((Box::new(BufReader::new(file)), stat))
    }

    fn read_state(&mut self, path: &Path) -> io::Result<Option<String>> {
        // Never through a planted link: history steers the script.
        let bytes = pikt_fs::read_file(path)?;
        Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    fn write_state(&mut self, path: &Path, contents: &str) -> io::Result<()> {
        // Atomic, no link followed, stale temporaries of killed runs removed.
        Ok(pikt_fs::replace_file(path, contents.as_bytes(), 0o644)?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn append_line_creates_appends_and_refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("x.log");
        let path = log.to_str().unwrap();
        RealFs.append_line(path, "one").unwrap();
        RealFs.append_line(path, "two").unwrap();
        assert_eq!(fs::read_to_string(&log).unwrap(), "one\ntwo\n");
        // Created 0644 (less whatever the umask removes): never executable
        // or writable by others.
        assert_eq!(fs::metadata(&log).unwrap().mode() & 0o777 & !0o644, 0);
        let link = dir.path().join("link.log");
        std::os::unix::fs::symlink(&log, &link).unwrap();
        let err = RealFs
            .append_line(link.to_str().unwrap(), "three")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to write through symbolic link `{}`",
                link.display()
            )
        );
    }

    #[test]
    fn fopen_writes_only_regular_files_reached_without_links() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        let path = file.to_str().unwrap();
        for (append, text) in [(true, "a\n"), (true, "b\n")] {
            RealFs
                .open_write(path, append)
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        assert_eq!(fs::read_to_string(&file).unwrap(), "a\nb\n");
        RealFs
            .open_write(path, false)
            .unwrap()
            .write_all(b"c\n")
            .unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "c\n");
        // A link at the file, or an untrusted link at a directory on the
        // way: refused, and the target untouched.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(RealFs.open_write(link.to_str().unwrap(), false).is_err());
        let linked_dir = dir.path().join("d");
        pikt_fs::testing::plant_link(dir.path(), &linked_dir).unwrap();
        assert!(RealFs
            .open_write(linked_dir.join("f").to_str().unwrap(), false)
            .is_err());
        assert_eq!(fs::read_to_string(&file).unwrap(), "c\n");
        // A named pipe is refused at once, not waited on.
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let started = std::time::Instant::now();
        for append in [true, false] {
            let err = RealFs
                .open_write(fifo.to_str().unwrap(), append)
                .err()
                .unwrap();
            assert!(err.to_string().contains("is not a regular file"), "{err}");
        }
        assert!(RealFs.append_line(fifo.to_str().unwrap(), "x").is_err());
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn state_files_are_replaced_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.hst");
        assert_eq!(RealFs.read_state(&path).unwrap(), None);
        RealFs.write_state(&path, "x").unwrap();
        RealFs.write_state(&path, "y").unwrap();
        assert_eq!(RealFs.read_state(&path).unwrap().as_deref(), Some("y"));
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn stat_tells_kinds_links_and_modification_times() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "abc").unwrap();
        File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(UNIX_EPOCH + Duration::from_secs(1_000_000_000))
            .unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let stat = RealFs.stat(file.to_str().unwrap(), true).unwrap();
        assert_eq!((stat.kind, stat.len), (FileKind::File, 3));
        assert_eq!(stat.modified, Some(1_000_000_000));
        let link = link.to_str().unwrap();
        assert_eq!(RealFs.stat(link, true).unwrap().kind, FileKind::File);
        assert_eq!(RealFs.stat(link, false).unwrap().kind, FileKind::Symlink);
        let dir_stat = RealFs.stat(dir.path().to_str().unwrap(), true).unwrap();
        assert_eq!(dir_stat.kind, FileKind::Dir);
        assert_eq!(
            RealFs.stat("/dev/null", true).unwrap().kind,
            FileKind::CharDevice
        );
    }
}
