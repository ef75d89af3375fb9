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
//!
//! **Long lines** (decided, `docs/runtime.md`): a line longer than the
//! input line limit is cut there and the rest of it, up to its newline, is
//! skipped (log offsets still count every byte); the caller is told, and
//! warns. Cutting, not refusing, keeps a monitor reading a log in which
//! someone wrote one huge line. Text with no newline within
//! [`SKIP_FACTOR`] times the limit is not a text input (`/dev/zero`): an
//! error.

use std::io::{self, BufRead, Read, SeekFrom};

use crate::history::LogOffset;
use crate::host::{CommandUse, Fs, ReadPipe, SeekRead, Shell, ShellCommand};

/// How many bytes one read asks for: large reads keep the system calls
/// few, and the readers' own (8 KiB) buffers are bypassed.
const CHUNK: usize = 128 * 1024;

/// The most one read of a pipe asks for (a Linux pipe holds 64 KiB).
const PIPE_CHUNK: usize = 64 * 1024;

/// How many times the input line limit a line may run on, skipped,
/// before the input is taken for something that is not text.
pub const SKIP_FACTOR: u64 = 64;

/// The error for text with no newline in sight.
fn not_text(max_line: usize) -> io::Error {
    let bytes = (max_line as u64).saturating_mul(SKIP_FACTOR);
    let size = if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    };
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "a line runs on for more than {size} ({SKIP_FACTOR} times the input line limit) with no newline: not a text input"
        ),
    )
}

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
    /// The longest line handed out; longer ones are cut.
    max_line: usize,
    /// A line cut while it was read: where it ends in `lines` and how many
    /// bytes of it were skipped.
    cut: Option<(usize, u64)>,
}

impl Default for LineBuffer {
    fn default() -> Self {
        LineBuffer {
            lines: Lines::default(),
            start: 0,
            pending: Vec::new(),
            eof: false,
            scratch: Vec::new(),
            max_line: crate::config::Limits::DEFAULT_LINE,
            cut: None,
        }
    }
}

/// A line in [`LineBuffer::lines`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineAt {
    start: usize,
    /// One past its newline (if any).
    end: usize,
    /// Bytes of it that were skipped when it was cut while being read.
    skipped: u64,
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

    /// Copies the line at `start..end` into `line`, without its line
    /// ending, at most `max` bytes of it; true when it was cut.
    fn copy_capped(&self, start: usize, end: usize, max: usize, line: &mut String) -> bool {
        let body = self.as_bytes().get(start..end).unwrap_or_default();
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body.len() <= max {
            self.copy_line(start, end, line);
            return false;
        }
        decode_line(body.get(..max).unwrap_or_default(), line);
        true
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
    /// The next line, copied into `line`, when it lies complete in `lines`
    /// as text and needs no cutting (nearly every line): how many bytes it
    /// took, its line end included. `None` leaves everything else to
    /// [`LineBuffer::next_line`].
    #[inline]
    fn take_ready(&mut self, line: &mut String) -> Option<usize> {
        let Lines::Text(text) = &self.lines else {
            return None;
        };
        if self.cut.is_some() {
            return None;
        }
        let rest = text.as_bytes().get(self.start..)?;
        let at = memchr::memchr(b'\n', rest)?;
        let body = text.get(self.start..self.start + at)?;
        let body = body.strip_suffix('\r').unwrap_or(body);
        if body.len() > self.max_line {
            return None;
        }
        line.clear();
        line.push_str(body);
        let taken = at + 1;
        self.start += taken;
        Some(taken)
    }

    /// Forgets what is left (the next part starts afresh).
    fn reset(&mut self) {
        self.lines.take_allocation();
        self.start = 0;
        self.pending.clear();
        self.eof = false;
        self.cut = None;
    }

    /// The next line in `lines`, including its newline (if any), reading
    /// from `reader` as needed; `None` at the end of the part. A last line
    /// without a newline is returned unless the part is read for complete
    /// lines only.
    fn next_line(&mut self, reader: &mut dyn Read, reading: Reading) -> io::Result<Option<LineAt>> {
        loop {
            let bytes = self.lines.as_bytes();
            if let Some(rest) = bytes.get(self.start..).filter(|rest| !rest.is_empty()) {
                let end = memchr::memchr(b'\n', rest).map_or(bytes.len(), |at| self.start + at + 1);
                let skipped = match self.cut {
                    Some((cut_end, skipped)) if cut_end == end => skipped,
                    _ => 0,
                };
                let line = LineAt {
                    start: self.start,
                    end,
                    skipped,
                };
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
    /// (at the end of the part, all of it, unless complete lines only). An
    /// unfinished line that grows past the limit is cut
    /// ([`LineBuffer::cut_long_line`]).
    fn refill(&mut self, reader: &mut dyn Read, reading: Reading) -> io::Result<()> {
        let complete_only = reading.complete_only;
        let mut bytes = self.lines.take_allocation();
        bytes.append(&mut self.pending);
        self.start = 0;
        self.cut = None;
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
            // No newline yet: `bytes` is one unfinished line.
            if bytes.len() > self.max_line {
                self.cut_long_line(reader, reading, &mut bytes)?;
                break;
            }
        }
        self.lines = match String::from_utf8(bytes) {
            Ok(text) => Lines::Text(text),
            Err(e) => Lines::Bytes(e.into_bytes()),
        };
        Ok(())
    }

    /// `bytes`, an unfinished line, is longer than the limit: keeps its
    /// first `max_line` bytes and reads on, skipping the rest up to its
    /// newline (what follows it is kept for the next lines). At the end of
    /// the part the line is handed out as it is, or for complete lines only
    /// left unread.
    fn cut_long_line(
        &mut self,
        reader: &mut dyn Read,
        reading: Reading,
        bytes: &mut Vec<u8>,
    ) -> io::Result<()> {
        let mut skipped = (bytes.len() - self.max_line) as u64;
        bytes.truncate(self.max_line);
        let give_up = (self.max_line as u64).saturating_mul(SKIP_FACTOR);
        let mut chunk = Vec::new();
        loop {
            chunk.clear();
            let read = if reading.pipe {
                read_available(reader, &mut self.scratch, &mut chunk)?
            } else {
                read_chunk(reader, &mut chunk)?
            };
            if read == 0 {
                self.eof = true;
                if reading.complete_only {
                    bytes.clear();
                } else {
                    self.cut = Some((bytes.len(), skipped));
                }
                return Ok(());
            }
            if let Some(at) = memchr::memchr(b'\n', &chunk) {
                skipped += at as u64;
                bytes.push(b'\n');
                self.cut = Some((bytes.len(), skipped));
                // The complete lines after it are handed out next; what
                // follows the last newline waits for more, as in `refill`.
                let rest = chunk.get(at + 1..).unwrap_or_default();
                let complete = memchr::memrchr(b'\n', rest).map_or(0, |last| last + 1);
                bytes.extend_from_slice(rest.get(..complete).unwrap_or_default());
                self.pending
                    .extend_from_slice(rest.get(complete..).unwrap_or_default());
                return Ok(());
            }
            skipped += read as u64;
            if skipped > give_up {
                return Err(not_text(self.max_line));
            }
        }
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
    /// The line last read (or read ahead) was cut at the line limit.
    cut: bool,
    ahead_cut: bool,
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
            cut: false,
            ahead_cut: false,
        }
    }

    /// Cuts lines longer than `max_line` bytes (the default is
    /// [`crate::config::Limits::DEFAULT_LINE`]).
    pub fn limit_lines(&mut self, max_line: usize) {
        self.buffer.max_line = max_line.max(1);
    }

    /// True when the line last returned by [`Input::next_line`] was cut at
    /// the line limit.
    pub fn line_was_cut(&self) -> bool {
        self.cut
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
    /// for a log file they all count as read). More than `max_bytes` of
    /// them is an error rather than a run that holds all of it.
    pub fn filtered(
        mut self,
        shell: &mut dyn Shell,
        filter: &str,
        max_bytes: usize,
    ) -> io::Result<Input> {
        let mut all = Vec::new();
        let mut line = String::new();
        while let Some((advance, _)) = self.read_raw(&mut line)? {
            if let Some(log) = &mut self.log {
                log.offset += advance;
            }
            all.extend_from_slice(line.as_bytes());
            all.push(b'\n');
            if all.len() > max_bytes {
                return Err(io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    format!("the input for the filter is larger than {max_bytes} bytes (the memory limit)"),
                ));
            }
        }
        let log = self.log;
        let max_line = self.buffer.max_line;
        self.finish()?;
        let pipe = shell.filter(&ShellCommand::new(filter, CommandUse::Filter), all)?;
        let mut input = Input::new(vec![Part::Pipe(pipe)], log);
        input.limit_lines(max_line);
        Ok(input)
    }

    /// Reads the next line into `line`; `false` at the end of the input.
    pub fn next_line(&mut self, line: &mut String) -> io::Result<bool> {
        if self.lookahead.is_none() {
            // The common case, without the general path's detours: a
            // complete line already read.
            let log_part = match self.parts.get(self.current) {
                Some(part) => matches!(part, Part::Log(_)),
                None => return Ok(false),
            };
            if let Some(taken) = self.buffer.take_ready(line) {
                self.cut = false;
                if let (true, Some(log)) = (log_part, &mut self.log) {
                    log.offset += taken as u64;
                }
                return Ok(true);
            }
        }
        let advance = match self.lookahead.take() {
            Some(advance) => {
                std::mem::swap(line, &mut self.ahead);
                self.cut = self.ahead_cut;
                advance
            }
            None => match self.read_raw(line)? {
                Some((advance, cut)) => {
                    self.cut = cut;
                    advance
                }
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
            let read = read?;
            self.ahead_cut = read.is_some_and(|(_, cut)| cut);
            self.lookahead = read.map(|(advance, _)| advance);
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

    /// The next raw line, decoded, with how far it moves a log offset and
    /// whether it was cut at the line limit; `None` at the end.
    fn read_raw(&mut self, line: &mut String) -> io::Result<Option<(u64, bool)>> {
        loop {
            let Some(part) = self.parts.get_mut(self.current) else {
                return Ok(None);
            };
            let reading = part.reading();
            let Some(at) = self.buffer.next_line(part.reader(), reading)? else {
                self.current += 1;
                self.buffer.reset();
                continue;
            };
            let cut = self
                .buffer
                .lines
                .copy_capped(at.start, at.end, self.buffer.max_line, line)
                || at.skipped > 0;
            let advance = if reading.complete_only {
                (at.end - at.start) as u64 + at.skipped
            } else {
                0
            };
            return Ok(Some((advance, cut)));
        }
    }
}

/// Reads one line, through its newline, from `reader` into `bytes`
/// (appended), keeping at most `max` bytes of it and skipping the rest.
/// Returns the bytes read (0 at the end) and whether the line was cut.
/// A line that runs on for more than [`SKIP_FACTOR`] times `max` is an
/// error.
pub fn read_line_capped(
    reader: &mut dyn BufRead,
    bytes: &mut Vec<u8>,
    max: usize,
) -> io::Result<(usize, bool)> {
    let mut read = 0;
    let mut cut = false;
    let give_up = (max as u64).saturating_mul(SKIP_FACTOR);
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((read, cut));
        }
        let (take, complete) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        let room = max.saturating_sub(bytes.len());
        let kept = available.get(..take).unwrap_or_default();
        // The newline is kept even when the line was cut before it.
        let body = kept.strip_suffix(b"\n").unwrap_or(kept);
        cut |= body.len() > room;
        bytes.extend_from_slice(body.get(..body.len().min(room)).unwrap_or_default());
        if complete {
            bytes.push(b'\n');
        }
        reader.consume(take);
        read += take;
        if complete {
            return Ok((read, cut));
        }
        if read as u64 > give_up {
            return Err(not_text(max));
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
        while let Some(at) = buffer.next_line(reader, reading).unwrap() {
            let mut line = String::new();
            buffer.lines.copy_line(at.start, at.end, &mut line);
            out.push((line, at.end - at.start));
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
        assert_eq!(
            line,
            Some(LineAt {
                start: 0,
                end: 6,
                skipped: 0
            })
        );
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

    /// The lines of `data` read through an [`Input`] with lines limited to
    /// `max` bytes, with whether each was cut; read as a file and as a
    /// trickling pipe, which must agree.
    fn limited(data: &[u8], max: usize) -> Vec<(String, bool)> {
        let as_file = limited_from(Part::File(Box::new(io::Cursor::new(data.to_vec()))), max);
        let pipe = Trickle {
            data: data.to_vec(),
            at: 0,
            step: 7,
        };
        let as_pipe = limited_from(
            Part::Pipe(Box::new(TricklePipe(io::BufReader::new(pipe)))),
            max,
        );
        assert_eq!(as_pipe, as_file);
        as_file
    }

    fn limited_from(part: Part, max: usize) -> Vec<(String, bool)> {
        let mut input = Input::new(vec![part], None);
        input.limit_lines(max);
        let mut out = Vec::new();
        let mut line = String::new();
        while input.next_line(&mut line).unwrap() {
            out.push((line.clone(), input.line_was_cut()));
        }
        out
    }

    /// A pipe over a [`Trickle`].
    struct TricklePipe(io::BufReader<Trickle>);

    impl Read for TricklePipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl BufRead for TricklePipe {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            self.0.fill_buf()
        }

        fn consume(&mut self, amount: usize) {
            self.0.consume(amount);
        }
    }

    impl ReadPipe for TricklePipe {
        fn close(self: Box<Self>) -> io::Result<i32> {
            Ok(0)
        }
    }

    #[test]
    fn long_lines_are_cut_at_the_limit_and_the_rest_skipped() {
        let long = "y".repeat(300);
        let data = format!("short\n{long}\nnext\n{long}");
        assert_eq!(
            limited(data.as_bytes(), 100),
            [
                ("short".to_string(), false),
                ("y".repeat(100), true),
                ("next".to_string(), false),
                ("y".repeat(100), true),
            ]
        );
        // A line of exactly the limit (with `\r\n`) is whole.
        let exact = format!("{}\r\n", "z".repeat(100));
        assert_eq!(limited(exact.as_bytes(), 100), [("z".repeat(100), false)]);
        // Longer than a read: cut while reading, never held whole.
        let huge = format!("{}\nafter\n", "h".repeat(CHUNK * 3));
        assert_eq!(
            limited(huge.as_bytes(), 10_000),
            [("h".repeat(10_000), true), ("after".to_string(), false)]
        );
    }

    #[test]
    fn a_cut_log_line_still_moves_the_offset_past_it() {
        let long = "x".repeat(CHUNK * 2);
        let data = format!("{long}\nnext\nhalf");
        let mut input = Input::new(
            vec![Part::Log(Box::new(io::Cursor::new(
                data.clone().into_bytes(),
            )))],
            Some(LogTrack {
                identity: (1, 1),
                offset: 0,
            }),
        );
        input.limit_lines(8192);
        let mut line = String::new();
        assert!(input.next_line(&mut line).unwrap());
        assert_eq!((line.len(), input.line_was_cut()), (8192, true));
        assert!(input.next_line(&mut line).unwrap());
        assert_eq!((line.as_str(), input.line_was_cut()), ("next", false));
        assert!(!input.next_line(&mut line).unwrap());
        let offset = input.finish().unwrap().unwrap().offset;
        assert_eq!(offset as usize, long.len() + 1 + "next\n".len());
    }

    #[test]
    fn lines_handed_out_directly_move_the_log_offset_as_the_general_path_does() {
        let log = |bytes: &str| -> Box<dyn SeekRead> {
            Box::new(io::Cursor::new(bytes.to_string().into_bytes()))
        };
        let mut input = Input::new(
            vec![
                Part::Rotated(log("old1\nold2\n")),
                Part::Log(log("a\nbb\r\nccc\nlast")),
            ],
            Some(LogTrack {
                identity: (1, 1),
                offset: 0,
            }),
        );
        let mut lines = Vec::new();
        let mut line = String::new();
        loop {
            // `#eoi()` reads one line ahead between the others.
            let at_end = input.at_end().unwrap();
            if !input.next_line(&mut line).unwrap() {
                assert!(at_end);
                break;
            }
            lines.push(line.clone());
        }
        assert_eq!(lines, ["old1", "old2", "a", "bb", "ccc"]);
        // The rotated file's lines do not count; the unfinished last line
        // of the log is left for the next run.
        let offset = input.finish().unwrap().unwrap().offset;
        assert_eq!(offset as usize, "a\nbb\r\nccc\n".len());
    }

    #[test]
    fn text_with_no_newline_in_sight_is_an_error() {
        let zeros = io::repeat(0);
        let mut input = Input::new(vec![Part::File(Box::new(io::BufReader::new(zeros)))], None);
        input.limit_lines(1024);
        let mut line = String::new();
        let err = input.next_line(&mut line).unwrap_err();
        assert!(
            err.to_string()
                .contains("with no newline: not a text input"),
            "{err}"
        );
    }

    #[test]
    fn read_lines_are_capped_too() {
        let data = format!("{}\nok\n{}", "a".repeat(50), "b".repeat(50));
        let mut reader = io::Cursor::new(data.into_bytes());
        let mut got = Vec::new();
        loop {
            let mut bytes = Vec::new();
            let (read, cut) = read_line_capped(&mut reader, &mut bytes, 10).unwrap();
            if read == 0 {
                break;
            }
            got.push((String::from_utf8(bytes).unwrap(), cut, read));
        }
        assert_eq!(
            got,
            [
                (format!("{}\n", "a".repeat(10)), true, 51),
                ("ok\n".to_string(), false, 3),
                ("b".repeat(10), true, 50),
            ]
        );
        let mut zeros = io::BufReader::new(io::repeat(0));
        let mut bytes = Vec::new();
        assert!(read_line_capped(&mut zeros, &mut bytes, 16).is_err());
        assert_eq!(bytes.len(), 16);
    }
}
