//! A script's input lines: from a command (`input proc`), a file
//! (`input file`) or the new part of a log file (`input logfile`), optionally
//! piped through a `filter` command.
//!
//! Lines are read as bytes into a buffer the reader keeps, then decoded
//! (invalid UTF-8 becomes U+FFFD), so reading a line allocates nothing once
//! the buffers have grown. The line ending (`\n` or `\r\n`) is removed.
//!
//! **Log files** (reference §4.3; decided, see `docs/runtime.md`): the history
//! store keeps the device and inode of the log and the offset just past the
//! last complete line read. On the next run:
//! - same file, not shorter than the offset: read from the offset;
//! - a different file (rotated by renaming) or a shorter one (truncated in
//!   place): the log was rotated. If the second string of `input logfile`
//!   names the rotated file and it is at least as long as the offset, its
//!   rest is read first (from the offset), then the new log from its start;
//! - no saved offset (first run): the whole log is read.
//!
//! A last line with no newline yet is left for the next run (it may still
//! be being written); in the rotated file it is read, as that file is done.

use std::io::{self, BufRead, SeekFrom};

use crate::history::LogOffset;
use crate::host::{Fs, ReadPipe, SeekRead, Shell};

/// One source of raw lines, in reading order.
enum Part {
    /// A plain file.
    File(Box<dyn BufRead>),
    /// A command's output; kept until [`Input::finish`] to collect its status.
    Pipe(Box<dyn ReadPipe>),
    /// The rest of a rotated log file.
    Rotated(Box<dyn SeekRead>),
    /// The current log file; complete lines only, counted into the offset.
    Log(Box<dyn SeekRead>),
}

/// Where a log file's reading stands.
#[derive(Clone, Copy, Debug)]
struct LogTrack {
    identity: (u64, u64),
    offset: u64,
}

/// The lines of one script's input.
pub struct Input {
    parts: Vec<Part>,
    current: usize,
    bytes: Vec<u8>,
    /// A line read ahead for `#eoi()`, with its log-offset advance.
    lookahead: Option<(String, u64)>,
    log: Option<LogTrack>,
}

impl Input {
    fn new(parts: Vec<Part>, log: Option<LogTrack>) -> Input {
        Input {
            parts,
            current: 0,
            bytes: Vec::new(),
            lookahead: None,
            log,
        }
    }

    /// The output lines of `command`.
    pub fn proc(shell: &mut dyn Shell, command: &str) -> io::Result<Input> {
        Ok(Input::new(
            vec![Part::Pipe(shell.read_pipe(command)?)],
            None,
        ))
    }

    /// The lines of the file at `path`.
    pub fn file(fs: &mut dyn Fs, path: &str) -> io::Result<Input> {
        Ok(Input::new(vec![Part::File(fs.open_read(path)?)], None))
    }

    /// The lines of the log at `path` added since `saved` (see the module
    /// documentation for rotation).
    pub fn logfile(
        fs: &mut dyn Fs,
        path: &str,
        rotated: Option<&str>,
        saved: Option<LogOffset>,
    ) -> io::Result<Input> {
        let (mut current, stat) = fs.open_seekable(path)?;
        let mut parts = Vec::new();
        let start = match saved {
            None => 0,
            Some(s) if s.identity == stat.identity && s.offset <= stat.len => s.offset,
            Some(s) => {
                if let Some(old) = rotated.and_then(|r| open_rotated(fs, r, s.offset)) {
                    parts.push(Part::Rotated(old));
                }
                0
            }
        };
        current.seek(SeekFrom::Start(start))?;
        parts.push(Part::Log(current));
        let track = LogTrack {
            identity: stat.identity,
            offset: start,
        };
        Ok(Input::new(parts, Some(track)))
    }

    /// The same lines piped through `filter` (all raw lines are read first;
    /// for a log file they all count as read).
    pub fn filtered(mut self, shell: &mut dyn Shell, filter: &str) -> io::Result<Input> {
        let mut all = Vec::new();
        let mut line = String::new();
        while let Some(advance) = self.read_raw(&mut line)? {
            if let Some(log) = &mut self.log {
                log.offset += advance;
            }
            all.extend_from_slice(line.as_bytes());
            all.push(b'\n');
        }
        let log = self.log;
        self.finish()?;
        let pipe = shell.filter(filter, all)?;
        Ok(Input::new(vec![Part::Pipe(pipe)], log))
    }

    /// Reads the next line into `line`; `false` at the end of the input.
    pub fn next_line(&mut self, line: &mut String) -> io::Result<bool> {
        let advance = match self.lookahead.take() {
            Some((text, advance)) => {
                line.clear();
                line.push_str(&text);
                advance
            }
            None => match self.read_raw(line)? {
                Some(advance) => advance,
                None => return Ok(false),
            },
        };
        if let Some(log) = &mut self.log {
            log.offset += advance;
        }
        Ok(true)
    }

    /// True when no line follows the last one returned (`#eoi()`).
    pub fn at_end(&mut self) -> io::Result<bool> {
        if self.lookahead.is_none() {
            let mut text = String::new();
            if let Some(advance) = self.read_raw(&mut text)? {
                self.lookahead = Some((text, advance));
            }
        }
        Ok(self.lookahead.is_none())
    }

    /// Closes every command; returns where a log file's reading stopped.
    /// A command that exited with a failure status is not an error (the
    /// status of `input proc` pipelines is that of their last command, and
    /// `grep` finding nothing is normal).
    pub fn finish(self) -> io::Result<Option<LogOffset>> {
        for part in self.parts {
            if let Part::Pipe(pipe) = part {
                pipe.close()?;
            }
        }
        Ok(self.log.map(|t| LogOffset {
            identity: t.identity,
            offset: t.offset,
        }))
    }

    /// The next raw line, decoded, with how far it moves a log offset;
    /// `None` at the end.
    fn read_raw(&mut self, line: &mut String) -> io::Result<Option<u64>> {
        loop {
            let Some(part) = self.parts.get_mut(self.current) else {
                return Ok(None);
            };
            self.bytes.clear();
            let (read, complete_only) = match part {
                Part::File(r) => (r.read_until(b'\n', &mut self.bytes)?, false),
                Part::Pipe(r) => (r.read_until(b'\n', &mut self.bytes)?, false),
                Part::Rotated(r) => (r.read_until(b'\n', &mut self.bytes)?, false),
                Part::Log(r) => (r.read_until(b'\n', &mut self.bytes)?, true),
            };
            let complete = self.bytes.last() == Some(&b'\n');
            if read == 0 || (complete_only && !complete) {
                self.current += 1;
                continue;
            }
            decode_line(&self.bytes, line);
            let advance = if complete_only { read as u64 } else { 0 };
            return Ok(Some(advance));
        }
    }
}

/// The rotated log positioned at `offset`, if it is there and long enough.
fn open_rotated(fs: &mut dyn Fs, path: &str, offset: u64) -> Option<Box<dyn SeekRead>> {
    let (mut old, stat) = fs.open_seekable(path).ok()?;
    if stat.len < offset {
        return None;
    }
    old.seek(SeekFrom::Start(offset)).ok()?;
    Some(old)
}

/// `bytes` without its line ending, as text, into `line`.
pub fn decode_line(bytes: &[u8], line: &mut String) {
    let mut end = bytes.len();
    if bytes.get(end.wrapping_sub(1)) == Some(&b'\n') {
        end -= 1;
        if bytes.get(end.wrapping_sub(1)) == Some(&b'\r') {
            end -= 1;
        }
    }
    line.clear();
    line.push_str(&String::from_utf8_lossy(
        bytes.get(..end).unwrap_or_default(),
    ));
}
