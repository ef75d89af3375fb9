//! A script's input lines: from a command (`input proc`), a file
//! (`input file`) or the new part of a log file (`input logfile`), optionally
//! piped through a `filter` command.
//!
//! Input is read in large chunks (128 KiB); each chunk's complete lines are
//! checked as UTF-8 once, as a whole, and handed out one by one after a
//! memchr for the newline, so reading a line neither decodes nor allocates
//! once the buffers have grown. Invalid UTF-8 becomes U+FFFD, line by line.
//! The line ending (`\n` or `\r\n`) is removed.
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

use std::io::{self, BufRead, Read, SeekFrom};

use crate::history::LogOffset;
use crate::host::{CommandUse, Fs, ReadPipe, SeekRead, Shell, ShellCommand};

/// How many bytes one read asks for: large reads keep the system calls
/// few, and the readers' own (8 KiB) buffers are bypassed.
const CHUNK: usize = 128 * 1024;

/// The most one read of a pipe asks for (a Linux pipe holds 64 KiB).
const PIPE_CHUNK: usize = 64 * 1024;

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

impl Part {
    fn reader(&mut self) -> &mut dyn Read {
        match self {
            Part::File(r) => r,
            Part::Pipe(r) => r,
            Part::Rotated(r) => r,
            Part::Log(r) => r,
        }
    }

    /// How the part is read.
    fn reading(&self) -> Reading {
        Reading {
            complete_only: matches!(self, Part::Log(_)),
            pipe: matches!(self, Part::Pipe(_)),
        }
    }
}

/// How a part is read.
#[derive(Clone, Copy, Debug)]
struct Reading {
    /// A last line without a newline is left unread (the current log).
    complete_only: bool,
    /// The part is a command's output: each read takes what is there, so
    /// lines are handled as the command writes them (a file read fills the
    /// whole chunk, as a file never makes a read wait).
    pipe: bool,
}

/// Lines read ahead from the current part.
///
/// Reads are large ([`CHUNK`]), and each read's complete lines are checked
/// as UTF-8 once, as a whole, and kept as one `String`: handing out a line
/// is then a memchr for its newline, with no per-line decoding. A read
/// that is not valid UTF-8 is kept as bytes and decoded line by line
/// (invalid sequences become U+FFFD), so that log offsets still count the
/// bytes of the file. Two allocations take turns, so reading allocates
/// nothing once they have grown.
#[derive(Default)]
struct LineBuffer {
    /// Lines read and not all handed out yet: complete lines, except at the
    /// end of the part, where a last line may lack its newline.
    lines: Lines,
    /// Where the next line in `lines` starts.
    start: usize,
    /// Bytes read after the last newline (the start of an unfinished line).
    pending: Vec<u8>,
    /// The part has no more bytes.
    eof: bool,
    /// Where a pipe is read into.
    scratch: Vec<u8>,
}

/// The text of [`LineBuffer::lines`].
enum Lines {
    /// Valid UTF-8 (the usual case).
    Text(String),
    /// Not valid UTF-8: decoded line by line.
    Bytes(Vec<u8>),
}

impl Default for Lines {
    fn default() -> Self {
        Lines::Text(String::new())
    }
}

impl Lines {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Lines::Text(text) => text.as_bytes(),
            Lines::Bytes(bytes) => bytes,
        }
    }

    /// Gives up the allocation, emptied, for the next read.
    fn take_allocation(&mut self) -> Vec<u8> {
        let mut bytes = match std::mem::take(self) {
            Lines::Text(text) => text.into_bytes(),
            Lines::Bytes(bytes) => bytes,
        };
        bytes.clear();
        bytes
    }

    /// Copies the line at `start..end` into `line`, without its line ending.
    fn copy_line(&self, start: usize, end: usize, line: &mut String) {
        match self {
            Lines::Text(text) => {
                line.clear();
                line.push_str(strip_line_end(text.get(start..end).unwrap_or_default()));
            }
            Lines::Bytes(bytes) => decode_line(bytes.get(start..end).unwrap_or_default(), line),
        }
    }
}

impl LineBuffer {
    /// Forgets what is left (the next part starts afresh).
    fn reset(&mut self) {
        self.lines.take_allocation();
        self.start = 0;
        self.pending.clear();
        self.eof = false;
    }

    /// The next line as a byte range of `lines`, including its newline (if
    /// any), reading from `reader` as needed; `None` at the end of the part.
    /// A last line without a newline is returned unless the part is read
    /// for complete lines only.
    fn next_line(
        &mut self,
        reader: &mut dyn Read,
        reading: Reading,
    ) -> io::Result<Option<(usize, usize)>> {
        loop {
            let bytes = self.lines.as_bytes();
            if let Some(rest) = bytes.get(self.start..).filter(|rest| !rest.is_empty()) {
                let end = memchr::memchr(b'\n', rest).map_or(bytes.len(), |at| self.start + at + 1);
                let line = (self.start, end);
                self.start = end;
                return Ok(Some(line));
            }
            if self.eof {
                return Ok(None);
            }
            self.refill(reader, reading)?;
        }
    }

    /// Replaces the handed-out lines with the next complete lines: the
    /// pending bytes and what follows them, up to the last newline read
    /// (at the end of the part, all of it, unless complete lines only).
    fn refill(&mut self, reader: &mut dyn Read, reading: Reading) -> io::Result<()> {
        let complete_only = reading.complete_only;
        let mut bytes = self.lines.take_allocation();
        bytes.append(&mut self.pending);
        self.start = 0;
        loop {
            let searched = bytes.len();
            self.eof = if reading.pipe {
                read_available(reader, &mut self.scratch, &mut bytes)? == 0
            } else {
                read_chunk(reader, &mut bytes)? < CHUNK
            };
            if self.eof && !complete_only {
                // All of it, a last line without a newline included.
                break;
            }
            let new = bytes.get(searched..).unwrap_or_default();
            if let Some(last) = memchr::memrchr(b'\n', new) {
                let cut = searched + last + 1;
                if !self.eof {
                    self.pending
                        .extend_from_slice(bytes.get(cut..).unwrap_or_default());
                }
                // At the end of a log, an unfinished last line is left for
                // the next run.
                bytes.truncate(cut);
                break;
            }
            if self.eof {
                bytes.clear();
                break;
            }
        }
        self.lines = match String::from_utf8(bytes) {
            Ok(text) => Lines::Text(text),
            Err(e) => Lines::Bytes(e.into_bytes()),
        };
        Ok(())
    }
}

/// Appends up to [`CHUNK`] bytes from `reader` to `bytes` (fewer only at
/// the end); returns how many.
fn read_chunk(reader: &mut dyn Read, bytes: &mut Vec<u8>) -> io::Result<usize> {
    let read = reader.take(CHUNK as u64).read_to_end(bytes)?;
    Ok(read)
}

/// Appends what one read gives (up to [`PIPE_CHUNK`] bytes) to `bytes`,
/// through `scratch` (made once, so that a command writing a little at a
/// time costs no more than what it writes); returns how many (0 at the end).
fn read_available(
    reader: &mut dyn Read,
    scratch: &mut Vec<u8>,
    bytes: &mut Vec<u8>,
) -> io::Result<usize> {
    if scratch.len() < PIPE_CHUNK {
        scratch.resize(PIPE_CHUNK, 0);
    }
    let read = loop {
        match reader.read(scratch) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other?,
        }
    };
    bytes.extend_from_slice(scratch.get(..read).unwrap_or_default());
    Ok(read)
}

/// The lines of one script's input.
pub struct Input {
    parts: Vec<Part>,
    current: usize,
    buffer: LineBuffer,
    /// The log-offset advance of a line read ahead for `#eoi()`, whose
    /// text is in `ahead`.
    lookahead: Option<u64>,
    ahead: String,
    log: Option<LogTrack>,
}

/// Where a log file's reading stands.
#[derive(Clone, Copy, Debug)]
struct LogTrack {
    identity: (u64, u64),
    offset: u64,
}

impl Input {
    fn new(parts: Vec<Part>, log: Option<LogTrack>) -> Input {
        Input {
            parts,
            current: 0,
            buffer: LineBuffer::default(),
            lookahead: None,
            ahead: String::new(),
            log,
        }
    }

    /// The output lines of `command`.
    pub fn proc(shell: &mut dyn Shell, command: &str) -> io::Result<Input> {
        Ok(Input::new(
            vec![Part::Pipe(shell.read_pipe(&ShellCommand::new(
                command,
                CommandUse::InputProc,
            ))?)],
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
        let pipe = shell.filter(&ShellCommand::new(filter, CommandUse::Filter), all)?;
        Ok(Input::new(vec![Part::Pipe(pipe)], log))
    }

    /// Reads the next line into `line`; `false` at the end of the input.
    pub fn next_line(&mut self, line: &mut String) -> io::Result<bool> {
        let advance = match self.lookahead.take() {
            Some(advance) => {
                std::mem::swap(line, &mut self.ahead);
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
            let mut ahead = std::mem::take(&mut self.ahead);
            let read = self.read_raw(&mut ahead);
            self.ahead = ahead;
            self.lookahead = read?;
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
            let reading = part.reading();
            let Some((start, end)) = self.buffer.next_line(part.reader(), reading)? else {
                self.current += 1;
                self.buffer.reset();
                continue;
            };
            self.buffer.lines.copy_line(start, end, line);
            let advance = if reading.complete_only {
                (end - start) as u64
            } else {
                0
            };
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

/// `text` without its line ending (`\n` or `\r\n`).
fn strip_line_end(text: &str) -> &str {
    match text.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => text,
    }
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
    let bytes = bytes.get(..end).unwrap_or_default();
    line.clear();
    match std::str::from_utf8(bytes) {
        Ok(text) => line.push_str(text),
        Err(_) => line.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line `LineBuffer` hands out for `data`, with its byte length,
    /// read as a file and as a pipe that gives a few bytes per read (which
    /// must agree).
    fn lines_of(data: &[u8], complete_only: bool) -> Vec<(String, usize)> {
        let as_file = lines_read(&mut io::Cursor::new(data.to_vec()), complete_only, false);
        for step in [3, 4096] {
            let mut pipe = Trickle {
                data: data.to_vec(),
                at: 0,
                step,
            };
            assert_eq!(lines_read(&mut pipe, complete_only, true), as_file);
        }
        as_file
    }

    fn lines_read(reader: &mut dyn Read, complete_only: bool, pipe: bool) -> Vec<(String, usize)> {
        let reading = Reading {
            complete_only,
            pipe,
        };
        let mut buffer = LineBuffer::default();
        let mut out = Vec::new();
        while let Some((start, end)) = buffer.next_line(reader, reading).unwrap() {
            let mut line = String::new();
            buffer.lines.copy_line(start, end, &mut line);
            out.push((line, end - start));
        }
        out
    }

    /// A pipe that gives at most `step` bytes per read.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let rest = &self.data[self.at..];
            let n = rest.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_pipe_line_is_handed_out_before_the_command_writes_more() {
        /// Gives one line, then fails as a read that would wait.
        struct OneLineThenWait(bool);
        impl Read for OneLineThenWait {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(io::Error::other("would wait"));
                }
                buf[..6].copy_from_slice(b"first\n");
                Ok(6)
            }
        }
        let reading = Reading {
            complete_only: false,
            pipe: true,
        };
        let mut buffer = LineBuffer::default();
        let mut reader = OneLineThenWait(false);
        let line = buffer.next_line(&mut reader, reading).unwrap();
        assert_eq!(line, Some((0, 6)));
        assert!(buffer.next_line(&mut reader, reading).is_err());
    }

    #[test]
    fn lines_split_across_reads_come_out_whole() {
        let mut data = String::new();
        let mut expected = Vec::new();
        for n in 0..40_000 {
            let line = format!("line {n} {}", "x".repeat(n % 23));
            data.push_str(&line);
            data.push('\n');
            expected.push(line);
        }
        assert!(data.len() > 3 * CHUNK);
        let got = lines_of(data.as_bytes(), false);
        assert_eq!(got.len(), expected.len());
        assert!(got.iter().zip(&expected).all(|((g, _), e)| g == e));
        let bytes: usize = got.iter().map(|(_, len)| len).sum();
        assert_eq!(bytes, data.len());
    }

    #[test]
    fn a_line_longer_than_a_read_is_one_line() {
        let long = "y".repeat(CHUNK * 2 + 17);
        let data = format!("a\n{long}\nb");
        let got: Vec<String> = lines_of(data.as_bytes(), false)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(got, ["a".to_string(), long, "b".to_string()]);
    }

    #[test]
    fn line_endings_are_removed_and_a_last_line_may_lack_one() {
        let got = lines_of(b"a b\r\n\r\n\nlast", false);
        let text: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(text, ["a b", "", "", "last"]);
        assert_eq!(
            got.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
            [5, 2, 1, 4]
        );
    }

    #[test]
    fn complete_only_leaves_an_unfinished_last_line() {
        let got = lines_of(b"one\ntwo\nthr", true);
        assert_eq!(got, [("one".to_string(), 4), ("two".to_string(), 4)]);
        assert!(lines_of(b"no newline yet", true).is_empty());
        let mut big = "z".repeat(CHUNK + 5).into_bytes();
        big.extend_from_slice(b"\npartial");
        let got = lines_of(&big, true);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, CHUNK + 6);
    }

    #[test]
    fn invalid_utf8_is_replaced_but_counted_as_read() {
        let got = lines_of(b"ok\nbad \xff\xfe here\n\xe2\x82\n", true);
        assert_eq!(
            got,
            [
                ("ok".to_string(), 3),
                ("bad \u{fffd}\u{fffd} here".to_string(), 12),
                ("\u{fffd}".to_string(), 3),
            ]
        );
    }
}
