//! The real implementations of the [`crate::host`] traits: `/bin/sh`, the
//! system clock, the file system, standard output/error, `/dev/log`.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Stdout, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::os::unix::net::UnixDatagram;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::fs::{Mode, OFlags};

use crate::host::{
    Clock, FileKind, FileStat, Fs, LogEntry, ReadPipe, SeekRead, Shell, Sinks, System, WritePipe,
};
use crate::native::NativeProcs;

/// Runs commands with `/bin/sh -c`, standard input from `/dev/null`.
#[derive(Default)]
pub struct RealShell {
    /// Variables added to every command's environment.
    pub env: Vec<(String, String)>,
    /// `ps`, `kill`, `pgrep` and `pkill` served without forking
    /// ([`crate::native`]); on unless `PIKT_NATIVE_PS=0`.
    pub native: NativeProcs,
    background: VecDeque<Child>,
    /// Where the output of `exec wait` and `#system` commands goes in an
    /// alert run (the alert log, reference §3.5); `None`: our own output.
    output_log: Option<crate::native::NativeLog>,
}

impl std::fmt::Debug for RealShell {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RealShell")
            .field("env", &self.env)
            .field("native", &self.native)
            .field("background", &self.background.len())
            .field("logs_output", &self.output_log.is_some())
            .finish()
    }
}

/// How much of one command's output is copied into the alert log.
const LOGGED_OUTPUT_LIMIT: usize = 64 * 1024;

impl RealShell {
    /// A shell that adds `env` to every command's environment.
    pub fn new(env: Vec<(String, String)>) -> RealShell {
        RealShell {
            env,
            native: NativeProcs::default(),
            background: VecDeque::new(),
            output_log: None,
        }
    }

    /// Copies the output of every `exec wait` / `#system` command into
    /// `log` (one `OUTPUT` entry per line, at most 64 KiB a command) instead
    /// of letting it reach our standard output and error: an alert run
    /// started by piktd has no terminal, and §3.5 puts command output in the
    /// alert's log.
    pub fn log_command_output(&mut self, log: crate::native::NativeLog) {
        self.output_log = Some(log);
    }

    /// Runs `command`, waits, and logs what it printed.
    fn run_logged(&mut self, command: &str) -> io::Result<i32> {
        let output = self.command(command).output()?;
        if let Some(log) = &mut self.output_log {
            for stream in [&output.stdout, &output.stderr] {
                let shown = &stream[..stream.len().min(LOGGED_OUTPUT_LIMIT)];
                for line in String::from_utf8_lossy(shown).lines() {
                    log(&LogEntry {
                        tag: "OUTPUT",
                        script: "",
                        text: line,
                        always_show: false,
                    });
                }
                if stream.len() > LOGGED_OUTPUT_LIMIT {
                    let text = format!(
                        "({} more bytes of output not logged)",
                        stream.len() - LOGGED_OUTPUT_LIMIT
                    );
                    log(&LogEntry {
                        tag: "OUTPUT",
                        script: "",
                        text: &text,
                        always_show: false,
                    });
                }
            }
        }
        Ok(status_code(output.status))
    }

    fn command(&self, command: &str) -> Command {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(command)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        cmd
    }

    /// Collects background commands that have finished (no zombies pile up).
    fn reap(&mut self) {
        self.background
            .retain_mut(|child| !matches!(child.try_wait(), Ok(Some(_)) | Err(_)));
    }
}

/// An exit status as a number: the code, or 128 + the signal.
fn status_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

impl Shell for RealShell {
    fn pretend(&mut self, command: &str) {
        self.native.pretend(command);
    }

    fn run(&mut self, command: &str) -> io::Result<i32> {
        if let Some(status) = self.run_native(command) {
            return status;
        }
        self.reap();
        if self.output_log.is_some() {
            return self.run_logged(command);
        }
        self.command(command).status().map(status_code)
    }

    fn spawn(&mut self, command: &str) -> io::Result<()> {
        if let Some(status) = self.run_native(command) {
            return status.map(|_| ());
        }
        self.reap();
        let child = self.command(command).spawn()?;
        self.background.push_back(child);
        Ok(())
    }

    fn capture(&mut self, command: &str) -> io::Result<String> {
        if let Some(output) = self.capture_native(command) {
            return output;
        }
        let output = self.command(command).stdout(Stdio::piped()).output()?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn read_pipe(&mut self, command: &str) -> io::Result<Box<dyn ReadPipe>> {
        if let Some(pipe) = self.read_native(command) {
            return pipe;
        }
        let mut child = self.command(command).stdout(Stdio::piped()).spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe to the command"))?;
        Ok(Box::new(ChildReader {
            reader: Some(BufReader::new(stdout)),
            child,
            feeder: None,
        }))
    }

    fn filter(&mut self, command: &str, input: Vec<u8>) -> io::Result<Box<dyn ReadPipe>> {
        let mut child = self
            .command(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe from the filter"))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no pipe to the filter"))?;
        // A thread feeds the filter so that neither side blocks the other.
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        Ok(Box::new(ChildReader {
            reader: Some(BufReader::new(stdout)),
            child,
            feeder: Some(feeder),
        }))
    }

    fn write_pipe(&mut self, command: &str) -> io::Result<Box<dyn WritePipe>> {
        let mut child = self.command(command).stdin(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take();
        Ok(Box::new(ChildWriter { stdin, child }))
    }
}

/// The standard output of a running command.
struct ChildReader {
    reader: Option<BufReader<ChildStdout>>,
    child: Child,
    feeder: Option<JoinHandle<()>>,
}

impl Read for ChildReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.reader {
            Some(r) => r.read(buf),
            None => Ok(0),
        }
    }
}

impl BufRead for ChildReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.reader {
            Some(r) => r.fill_buf(),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, amount: usize) {
        if let Some(r) = &mut self.reader {
            r.consume(amount);
        }
    }
}

impl ReadPipe for ChildReader {
    fn close(mut self: Box<Self>) -> io::Result<i32> {
        // Closing our end first lets a command still writing get SIGPIPE
        // instead of blocking forever.
        drop(self.reader.take());
        let status = self.child.wait()?;
        if let Some(feeder) = self.feeder.take() {
            let _ = feeder.join();
        }
        Ok(status_code(status))
    }
}

/// The standard input of a running command.
struct ChildWriter {
    stdin: Option<ChildStdin>,
    child: Child,
}

impl Write for ChildWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.stdin {
            Some(w) => w.write(buf),
            None => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.stdin {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl WritePipe for ChildWriter {
    fn close(mut self: Box<Self>) -> io::Result<i32> {
        drop(self.stdin.take());
        self.child.wait().map(status_code)
    }
}

/// The system clock, or a fixed time (`PIKT_NOW`) for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock {
    /// When set, `now()` always answers this.
    pub fixed_now: Option<i64>,
}

impl Clock for SystemClock {
    fn now(&mut self) -> i64 {
        self.fixed_now.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }

    fn sleep(&mut self, seconds: f64) {
        // A year is far more than any sensible pause; it bounds nonsense.
        let seconds = seconds.clamp(0.0, 365.0 * 86_400.0);
        std::thread::sleep(Duration::from_secs_f64(seconds));
    }
}

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
    }
}

impl Fs for RealFs {
    fn open_read(&mut self, path: &str) -> io::Result<Box<dyn BufRead>> {
        Ok(Box::new(BufReader::new(File::open(path)?)))
    }

    fn open_write(&mut self, path: &str, append: bool) -> io::Result<Box<dyn Write>> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .append(append)
            .truncate(!append)
            .mode(0o644)
            .open(path)?;
        Ok(Box::new(BufWriter::new(file)))
    }

    fn append_line(&mut self, path: &str, line: &str) -> io::Result<()> {
        let fd = rustix::fs::open(
            path,
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map_err(|e| {
            if e == rustix::io::Errno::LOOP {
                io::Error::other("it is a symbolic link")
            } else {
                io::Error::from(e)
            }
        })?;
        let mut record = Vec::with_capacity(line.len() + 1);
        record.extend_from_slice(line.as_bytes());
        record.push(b'\n');
        // One write per line: appends of whole lines do not interleave.
        File::from(fd).write_all(&record)
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

/// Where the alert log goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogTarget {
    /// No log file (standalone runs): entries marked `always_show`, and
    /// every entry in debug mode, go to standard error as
    /// `pikt: TAG: SCRIPT: TEXT`; run-time errors are left to the caller,
    /// which renders them.
    Stderr,
    /// A log file: `Mon dd hh:mm:ss host pikt[pid]: [TAG] SCRIPT: TEXT`
    /// (`[TAG] TEXT` for entries about the whole run). In debug mode each
    /// entry is also shown on standard error.
    File(PathBuf),
}

/// Standard output (buffered), standard error, the alert log, `/dev/log`.
pub struct StdSinks {
    out: BufWriter<Stdout>,
    /// Where log entries go.
    pub log: LogTarget,
    /// Debug mode: every log entry shown, statements traced.
    pub debug: bool,
    /// The syslog socket (normally `/dev/log`).
    pub syslog_path: PathBuf,
    /// Host name and pid for log-file lines.
    pub host: String,
    /// Process id for log-file lines.
    pub pid: u32,
    /// Fixed time for log-file lines (tests).
    pub fixed_now: Option<i64>,
    /// Time zone of log-file lines.
    pub time_zone: jiff::tz::TimeZone,
}

impl StdSinks {
    /// Sinks writing to this process's standard output and error.
    pub fn new(log: LogTarget, debug: bool) -> StdSinks {
        StdSinks {
            out: BufWriter::new(io::stdout()),
            log,
            debug,
            syslog_path: PathBuf::from("/dev/log"),
            host: String::new(),
            pid: std::process::id(),
            fixed_now: None,
            time_zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// The writer of the alert log, when entries go to a file: a copy that
    /// other parts of the run can log through (the native process
    /// commands' kills).
    pub fn log_file(&self) -> Option<LogFile> {
        match &self.log {
            LogTarget::File(path) => Some(LogFile {
                path: path.clone(),
                host: self.host.clone(),
                pid: self.pid,
                fixed_now: self.fixed_now,
                time_zone: self.time_zone.clone(),
                debug: self.debug,
            }),
            LogTarget::Stderr => None,
        }
    }
}

/// Writes alert-log lines: `Mon dd hh:mm:ss host pikt[pid]: [TAG] SCRIPT:
/// TEXT` (`[TAG] TEXT` for entries about the whole run), one `write` each.
#[derive(Clone, Debug)]
pub struct LogFile {
    /// The log file (`=logdir/ALERT.log`).
    pub path: PathBuf,
    /// The host name in each line.
    pub host: String,
    /// The process id in each line.
    pub pid: u32,
    /// Fixed time for the lines (tests).
    pub fixed_now: Option<i64>,
    /// Time zone of the lines.
    pub time_zone: jiff::tz::TimeZone,
    /// Also show each entry on standard error (`pikt -G`).
    pub debug: bool,
}

impl LogFile {
    /// Appends `entry`. An entry that cannot be written goes to standard
    /// error rather than nowhere.
    pub fn write(&self, entry: &LogEntry<'_>) {
        let about = if entry.script.is_empty() {
            String::new()
        } else {
            format!("{}: ", entry.script)
        };
        let line = format!(
            "{} {} pikt[{}]: [{}] {about}{}",
            self.stamp(),
            self.host,
            self.pid,
            entry.tag,
            entry.text
        );
        // Data in the entry cannot start a line or reach a terminal.
        let line = pikt_source::visible::escape_line(&line);
        if let Err(e) = pikt_fs::append_line(&self.path, &line, 0o644) {
            eprintln!(
                "pikt: cannot write log `{}` ({e}): {line}",
                self.path.display()
            );
        } else if self.debug {
            let shown = format!("{}: {about}{}", entry.tag, entry.text);
            eprintln!("pikt: {}", pikt_source::visible::escape_line(&shown));
        }
    }

    fn stamp(&self) -> String {
        let now = SystemClock {
            fixed_now: self.fixed_now,
        }
        .now();
        jiff::Timestamp::from_second(now).map_or_else(
            |_| "Jan  1 00:00:00".into(),
            |ts| {
                ts.to_zoned(self.time_zone.clone())
                    .strftime("%b %e %H:%M:%S")
                    .to_string()
            },
        )
    }
}

impl Sinks for StdSinks {
    fn stdout(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn syslog(&mut self, datagram: &str) -> io::Result<()> {
        let socket = UnixDatagram::unbound()?;
        socket.send_to(datagram.as_bytes(), &self.syslog_path)?;
        Ok(())
    }

    fn log(&mut self, entry: &LogEntry<'_>) {
        match &self.log {
            LogTarget::Stderr => {
                if entry.tag == "ERROR" || !(entry.always_show || self.debug) {
                    return;
                }
                let _ = self.out.flush();
                if entry.script.is_empty() {
                    eprintln!("pikt: {}: {}", entry.tag, entry.text);
                } else {
                    eprintln!("pikt: {}: {}: {}", entry.tag, entry.script, entry.text);
                }
            }
            LogTarget::File(_) => {
                if self.debug {
                    let _ = self.out.flush();
                }
                if let Some(file) = self.log_file() {
                    file.write(entry);
                }
            }
        }
    }

    fn trace(&mut self, line: &str) {
        let _ = self.out.flush();
        eprintln!("pikt: trace: {line}");
    }

    fn keeps_log(&self) -> bool {
        self.debug || matches!(self.log, LogTarget::File(_))
    }
}

/// Host name, environment, randomness and pid of this process.
#[derive(Clone, Debug)]
pub struct RealSystem {
    /// The host name reported.
    pub hostname: String,
    /// Variables seen before the process environment (script arguments).
    pub env: Vec<(String, String)>,
    random_state: u64,
}

impl RealSystem {
    /// `hostname` as the host name, `env` in front of the process environment.
    pub fn new(hostname: String, env: Vec<(String, String)>) -> RealSystem {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        RealSystem {
            hostname,
            env,
            random_state: seed | 1,
        }
    }

    /// The machine's host name (`uname -n`).
    pub fn system_hostname() -> String {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
}

impl System for RealSystem {
    fn hostname(&self) -> &str {
        &self.hostname
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(name).ok())
    }

    fn random(&mut self) -> f64 {
        // xorshift64*: plenty for `#rand()`, which is not for secrets.
        let mut x = self.random_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }

    fn pid(&self) -> u32 {
        std::process::id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_runs_captures_and_pipes() {
        let mut shell = RealShell::new(vec![("PIKT_T".into(), "v".into())]);
        assert_eq!(shell.run("exit 3").unwrap(), 3);
        assert_eq!(shell.capture("echo $PIKT_T").unwrap(), "v\n");
        let mut pipe = shell.read_pipe("printf 'a\\nb\\n'; exit 2").unwrap();
        let mut text = String::new();
        pipe.read_to_string(&mut text).unwrap();
        assert_eq!(text, "a\nb\n");
        assert_eq!(pipe.close().unwrap(), 2);
        let mut filtered = shell.filter("tr a-z A-Z", b"x\ny\n".to_vec()).unwrap();
        let mut text = String::new();
        filtered.read_to_string(&mut text).unwrap();
        assert_eq!(text, "X\nY\n");
        assert_eq!(filtered.close().unwrap(), 0);
    }

    #[test]
    fn closing_a_pipe_early_does_not_hang() {
        let mut shell = RealShell::default();
        let mut pipe = shell.read_pipe("yes").unwrap();
        let mut line = String::new();
        pipe.read_line(&mut line).unwrap();
        assert_eq!(line, "y\n");
        assert_eq!(pipe.close().unwrap(), 128 + 13);
    }

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
        assert_eq!(err.to_string(), "it is a symbolic link");
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
    fn syslog_datagram_reaches_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let socket_path = dir.path().join("log");
        let server = UnixDatagram::bind(&socket_path).unwrap();
        let mut sinks = StdSinks::new(LogTarget::Stderr, false);
        sinks.syslog_path = socket_path;
        sinks.syslog("<13>Jan  1 00:00:00 h pikt[1]: hi").unwrap();
        let mut buf = [0u8; 128];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<13>Jan  1 00:00:00 h pikt[1]: hi");
        sinks.syslog_path = dir.path().join("missing");
        assert!(sinks.syslog("x").is_err());
    }

    #[test]
    fn log_file_lines_are_syslog_style() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Urgent.log");
        let mut sinks = StdSinks::new(LogTarget::File(path.clone()), false);
        sinks.host = "moscow".into();
        sinks.pid = 42;
        sinks.fixed_now = Some(956_621_822);
        for (tag, script, text) in [
            ("INFO", "", "run started"),
            ("INFO", "ProcCountsChk", "exec: kill -9 7"),
            ("ERROR", "ProcCountsChk", "division by zero"),
        ] {
            sinks.log(&LogEntry {
                tag,
                script,
                text,
                always_show: false,
            });
        }
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "Apr 25 00:17:02 moscow pikt[42]: [INFO] run started\n\
             Apr 25 00:17:02 moscow pikt[42]: [INFO] ProcCountsChk: exec: kill -9 7\n\
             Apr 25 00:17:02 moscow pikt[42]: [ERROR] ProcCountsChk: division by zero\n"
        );
        assert!(sinks.keeps_log());
        // A copy of the writer appends to the same log in the same form.
        let copy = sinks.log_file().unwrap();
        copy.write(&LogEntry {
            tag: "KILL",
            script: "",
            text: "killed pid 7",
            always_show: true,
        });
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("Apr 25 00:17:02 moscow pikt[42]: [KILL] killed pid 7\n"));
        assert!(StdSinks::new(LogTarget::Stderr, false).log_file().is_none());
    }

    #[test]
    fn random_numbers_are_in_the_unit_interval() {
        let mut system = RealSystem::new("h".into(), Vec::new());
        for _ in 0..1000 {
            let r = system.random();
            assert!((0.0..1.0).contains(&r));
        }
        assert_eq!(system.hostname(), "h");
    }
}
