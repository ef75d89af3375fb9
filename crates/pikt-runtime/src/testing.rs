//! Recording fakes of every [`crate::host`] trait, for tests of the
//! interpreter (here and in other crates): nothing touches the real shell,
//! clock, file system, syslog or standard output.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufRead, Cursor, Write};
use std::path::Path;
use std::rc::Rc;

use crate::host::{
    Clock, FileKind, FileStat, Fs, Host, LogEntry, MemoryPipe, ReadPipe, SeekRead, Shell,
    ShellCommand, Sinks, SyslogMessage, System, WritePipe,
};
use crate::stop::Stop;

/// One call made to a [`FakeShell`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellCall {
    /// `run` (exec wait, #system)
    Run(String),
    /// `spawn` (exec)
    Spawn(String),
    /// `capture` ($command)
    Capture(String),
    /// `read_pipe` (input proc, #popen "r")
    ReadPipe(String),
    /// `filter`: the command and its input
    Filter(String, String),
    /// `write_pipe` (#popen "w", output print, mail)
    WritePipe(String),
    /// `pretend`: test mode told the shell what it did not run.
    Pretend(String),
}

/// A shell that runs nothing: every command's output and status come from
/// [`FakeShell::outputs`] (empty output and status 0 when not listed; a
/// filter with no listed output passes its input through).
#[derive(Debug, Default)]
pub struct FakeShell {
    /// Canned standard output and exit status per command.
    pub outputs: HashMap<String, (String, i32)>,
    /// Every call, in order.
    pub calls: Vec<ShellCall>,
    /// Text written to write pipes: (command, text), shared with the pipes.
    pub written: Rc<RefCell<Vec<(String, String)>>>,
    /// Every command as the shell would run it: its text and the values it
    /// refers to (`PIKT_DATA_1`...). [`FakeShell::calls`] and
    /// [`FakeShell::outputs`] use the command as shown (values in place).
    pub raw: Vec<(String, Vec<String>)>,
}

impl FakeShell {
    /// Makes `command` print `stdout` and exit with `status`.
    pub fn answer(&mut self, command: &str, stdout: &str, status: i32) {
        self.outputs
            .insert(command.to_string(), (stdout.to_string(), status));
    }

    fn canned(&self, command: &str) -> (String, i32) {
        self.outputs.get(command).cloned().unwrap_or_default()
    }

    /// Records `command` as run, and returns it as shown.
    fn note<'c>(&mut self, command: &ShellCommand<'c>) -> &'c str {
        self.raw
            .push((command.text.to_string(), command.data.to_vec()));
        command.shown
    }
}

/// Records what is written; the text lands in [`FakeShell::written`] on close.
struct FakeWritePipe {
    command: String,
    text: Vec<u8>,
    sink: Rc<RefCell<Vec<(String, String)>>>,
}

impl Write for FakeWritePipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WritePipe for FakeWritePipe {
    fn close(self: Box<Self>) -> io::Result<i32> {
        let text = String::from_utf8_lossy(&self.text).into_owned();
        self.sink.borrow_mut().push((self.command, text));
        Ok(0)
    }
}

/// The signals the fake shell knows, by name and number (Linux numbering).
const FAKE_SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("KILL", 9),
    ("USR1", 10),
    ("USR2", 12),
    ("TERM", 15),
    ("CONT", 18),
    ("STOP", 19),
];

impl Shell for FakeShell {
    fn run(&mut self, command: &ShellCommand<'_>) -> io::Result<i32> {
        let command = self.note(command);
        self.calls.push(ShellCall::Run(command.into()));
        Ok(self.canned(command).1)
    }

    fn spawn(&mut self, command: &ShellCommand<'_>) -> io::Result<()> {
        let command = self.note(command);
        self.calls.push(ShellCall::Spawn(command.into()));
        Ok(())
    }

    fn capture(&mut self, command: &ShellCommand<'_>) -> io::Result<String> {
        let command = self.note(command);
        self.calls.push(ShellCall::Capture(command.into()));
        Ok(self.canned(command).0)
    }

    fn read_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn ReadPipe>> {
        let command = self.note(command);
        self.calls.push(ShellCall::ReadPipe(command.into()));
        let (text, status) = self.canned(command);
        Ok(Box::new(MemoryPipe::new(text.into_bytes(), status)))
    }

    fn filter(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>> {
        let command = self.note(command);
        let input = String::from_utf8_lossy(&input).into_owned();
        self.calls
            .push(ShellCall::Filter(command.into(), input.clone()));
        let (text, status) = self.outputs.get(command).cloned().unwrap_or((input, 0));
        Ok(Box::new(MemoryPipe::new(text.into_bytes(), status)))
    }

    fn write_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn WritePipe>> {
        let command = self.note(command);
        self.calls.push(ShellCall::WritePipe(command.into()));
        Ok(Box::new(FakeWritePipe {
            command: command.into(),
            text: Vec::new(),
            sink: Rc::clone(&self.written),
        }))
    }

    fn pretend(&mut self, command: &str) {
        self.calls.push(ShellCall::Pretend(command.into()));
    }

    fn signal_number(&self, name: &str) -> Option<i32> {
        let name = name.trim();
        if let Ok(number) = name.parse::<i32>() {
            return FAKE_SIGNALS
                .iter()
                .any(|&(_, n)| n == number)
                .then_some(number);
        }
        let upper = name.to_ascii_uppercase();
        let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
        FAKE_SIGNALS
            .iter()
            .find(|(signal, _)| *signal == bare)
            .map(|&(_, number)| number)
    }
}

/// A clock that stands still and records pauses instead of sleeping.
#[derive(Clone, Debug, Default)]
pub struct FakeClock {
    /// What `now()` answers.
    pub now: i64,
    /// Every pause, in seconds.
    pub sleeps: Vec<f64>,
    /// The processor time `cpu_time()` answers; it grows by `cpu_step` at
    /// each reading (a busy script, for the processor-time limit).
    pub cpu: std::time::Duration,
    /// See `cpu`.
    pub cpu_step: std::time::Duration,
}

impl Clock for FakeClock {
    fn now(&mut self) -> i64 {
        self.now
    }

    fn cpu_time(&mut self) -> Option<std::time::Duration> {
        self.cpu += self.cpu_step;
        Some(self.cpu)
    }

    fn sleep(&mut self, seconds: f64, _stop: &Stop) {
        self.sleeps.push(seconds);
    }
}

/// An in-memory file system. Files are shared with open writers, so what a
/// script writes is visible in [`FakeFs::files`] at once.
#[derive(Clone, Debug, Default)]
pub struct FakeFs {
    /// File contents by path.
    pub files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
    /// Paths that are directories.
    pub dirs: BTreeSet<String>,
    /// Paths that are symbolic links (to the file of the same contents).
    pub symlinks: BTreeSet<String>,
    /// Device and inode per path (default: device 1 and a hash of the path).
    pub identities: BTreeMap<String, (u64, u64)>,
    /// Modification times per path, in seconds since the epoch (default:
    /// none known).
    pub modified: BTreeMap<String, i64>,
    /// Paths that are neither files nor directories (devices, FIFOs,
    /// sockets): they exist, but hold nothing to read.
    pub special: BTreeMap<String, FileKind>,
}

impl FakeFs {
    /// Creates (or replaces) a file.
    pub fn put(&self, path: &str, contents: &str) {
        self.files
            .borrow_mut()
            .insert(path.to_string(), contents.as_bytes().to_vec());
    }

    /// The text of a file, if it exists.
    pub fn get(&self, path: &str) -> Option<String> {
        self.files
            .borrow()
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    fn identity(&self, path: &str) -> (u64, u64) {
        self.identities.get(path).copied().unwrap_or_else(|| {
            // FNV-1a of the path: stable, and different for different paths.
            let inode = path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            (1, inode)
        })
    }

    fn missing() -> io::Error {
        io::Error::new(io::ErrorKind::NotFound, "no such file or directory")
    }
}

/// A writer into a [`FakeFs`] file.
struct FakeFile {
    path: String,
    files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
}

impl Write for FakeFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.files
            .borrow_mut()
            .entry(self.path.clone())
            .or_default()
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Fs for FakeFs {
    fn open_read(&mut self, path: &str) -> io::Result<Box<dyn BufRead>> {
        let data = self.files.borrow().get(path).cloned();
        data.map(|d| Box::new(Cursor::new(d)) as Box<dyn BufRead>)
            .ok_or_else(Self::missing)
    }

    fn open_write(&mut self, path: &str, append: bool) -> io::Result<Box<dyn Write>> {
        if self.dirs.contains(path) {
            return Err(io::Error::other("is a directory"));
        }
        let mut files = self.files.borrow_mut();
        let entry = files.entry(path.to_string()).or_default();
        if !append {
            entry.clear();
        }
        Ok(Box::new(FakeFile {
            path: path.to_string(),
            files: Rc::clone(&self.files),
        }))
    }

    fn append_line(&mut self, path: &str, line: &str) -> io::Result<()> {
        if self.symlinks.contains(path) {
            return Err(io::Error::other("it is a symbolic link"));
        }
        if self.dirs.contains(path) {
            return Err(io::Error::other("is a directory"));
        }
        let mut files = self.files.borrow_mut();
        let entry = files.entry(path.to_string()).or_default();
        entry.extend_from_slice(line.as_bytes());
        entry.push(b'\n');
        Ok(())
    }

    fn stat(&mut self, path: &str, follow: bool) -> io::Result<FileStat> {
        let identity = self.identity(path);
        let modified = self.modified.get(path).copied();
        let special = self.special.get(path).copied();
        if let Some(kind) = special.or_else(|| self.dirs.contains(path).then_some(FileKind::Dir)) {
            return Ok(FileStat {
                kind,
                len: 0,
                identity,
                modified,
            });
        }
        let len = self
            .files
            .borrow()
            .get(path)
            .map(|d| d.len() as u64)
            .ok_or_else(Self::missing)?;
        let kind = if !follow && self.symlinks.contains(path) {
            FileKind::Symlink
        } else {
            FileKind::File
        };
        Ok(FileStat {
            kind,
            len,
            identity,
            modified,
        })
    }

    fn open_seekable(&mut self, path: &str) -> io::Result<(Box<dyn SeekRead>, FileStat)> {
        let stat = self.stat(path, true)?;
        let data = self.files.borrow().get(path).cloned().unwrap_or_default();
        Ok((Box::new(Cursor::new(data)), stat))
    }

    fn read_state(&mut self, path: &Path) -> io::Result<Option<String>> {
        Ok(self.get(&path.to_string_lossy()))
    }

    fn write_state(&mut self, path: &Path, contents: &str) -> io::Result<()> {
        self.put(&path.to_string_lossy(), contents);
        Ok(())
    }
}

/// Records everything written to standard output, syslog, the log and the
/// trace. Optionally fails syslog (as a missing `/dev/log` would).
#[derive(Clone, Debug, Default)]
pub struct RecordingSinks {
    /// Everything written to standard output.
    pub stdout: String,
    /// Syslog messages as `<level> tag: text`.
    pub syslog: Vec<String>,
    /// Log entries as `[TAG] script: text` (`!` after `]` when always shown).
    pub log: Vec<String>,
    /// Trace lines.
    pub trace: Vec<String>,
    /// How many times standard output was flushed.
    pub flushes: usize,
    /// Make `syslog` fail.
    pub syslog_fails: bool,
    /// Make `stdout` fail with a broken pipe.
    pub stdout_closed: bool,
}

impl Sinks for RecordingSinks {
    fn stdout(&mut self, text: &str) -> io::Result<()> {
        if self.stdout_closed {
            return Err(io::Error::from(io::ErrorKind::BrokenPipe));
        }
        self.stdout.push_str(text);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }

    fn syslog(&mut self, message: &SyslogMessage<'_>) -> io::Result<()> {
        if self.syslog_fails {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no such file or directory",
            ));
        }
        self.syslog.push(format!(
            "<{}> {}: {}",
            message.level.word(),
            message.tag,
            message.text
        ));
        Ok(())
    }

    fn log(&mut self, entry: &LogEntry<'_>) {
        let shown = if entry.always_show { "!" } else { "" };
        self.log.push(format!(
            "[{}]{shown} {}: {}",
            entry.tag, entry.script, entry.text
        ));
    }

    fn trace(&mut self, line: &str) {
        self.trace.push(line.to_string());
    }
}

/// A fixed host name, environment and pid, and a repeatable random sequence.
#[derive(Clone, Debug)]
pub struct FakeSystem {
    /// The host name.
    pub hostname: String,
    /// The environment.
    pub env: HashMap<String, String>,
    /// The pid.
    pub pid: u32,
    /// Random generator state.
    pub state: u64,
    /// The process table of `#pid(name)`: command name and pid.
    pub processes: Vec<(String, u32)>,
}

impl Default for FakeSystem {
    fn default() -> Self {
        FakeSystem {
            hostname: "testhost".into(),
            env: HashMap::new(),
            pid: 4242,
            state: 0x9E37_79B9_7F4A_7C15,
            processes: Vec::new(),
        }
    }
}

impl System for FakeSystem {
    fn hostname(&self) -> &str {
        &self.hostname
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn random(&mut self) -> f64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pid(&self) -> u32 {
        self.pid
    }

    fn pid_of(&mut self, name: &str) -> Option<u32> {
        self.processes
            .iter()
            .filter(|(comm, _)| comm == name)
            .map(|&(_, pid)| pid)
            .min()
    }
}

/// Every fake, owned together; [`TestHost::host`] lends them as a [`Host`].
#[derive(Debug, Default)]
pub struct TestHost {
    /// The shell.
    pub shell: FakeShell,
    /// The clock.
    pub clock: FakeClock,
    /// The file system.
    pub fs: FakeFs,
    /// The output sinks.
    pub sinks: RecordingSinks,
    /// Machine facts.
    pub system: FakeSystem,
}

impl TestHost {
    /// Fakes with the clock at `now`.
    pub fn at(now: i64) -> TestHost {
        TestHost {
            clock: FakeClock {
                now,
                ..FakeClock::default()
            },
            ..TestHost::default()
        }
    }

    /// The fakes as a [`Host`].
    pub fn host(&mut self) -> Host<'_> {
        Host {
            shell: &mut self.shell,
            clock: &mut self.clock,
            fs: &mut self.fs,
            sinks: &mut self.sinks,
            system: &mut self.system,
        }
    }
}
