//! Standard output and error, the alert log and `/dev/log`.
//!
//! The binary hands over the writers for standard output and error, so the
//! library decides nothing about where text goes, and tests read what
//! would have been shown.

use std::io::{self, BufWriter, Write};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use pikt_runtime::host::{Clock, LogEntry, Sinks, SyslogMessage};

use crate::clock::SystemClock;
use crate::syslog::format_datagram;

/// A writer for standard output or standard error.
pub type Stream = Box<dyn Write + Send>;

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
    out: BufWriter<Stream>,
    err: Stream,
    /// Where log entries go.
    pub log: LogTarget,
    /// Debug mode: every log entry shown, statements traced.
    pub debug: bool,
    /// The syslog socket (normally `/dev/log`).
    pub syslog_path: PathBuf,
    /// Host name for log-file lines.
    pub host: String,
    /// Process id for log-file lines and syslog messages.
    pub pid: u32,
    /// Fixed time for log-file lines and syslog messages (tests).
    pub fixed_now: Option<i64>,
    /// Time zone of log-file lines and syslog messages.
    pub time_zone: jiff::tz::TimeZone,
}

impl StdSinks {
    /// Sinks writing to `out` (standard output) and `err` (standard error).
    pub fn new(log: LogTarget, debug: bool, out: Stream, err: Stream) -> StdSinks {
        StdSinks {
            out: BufWriter::new(out),
            err,
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
    /// commands' kills, the output of commands).
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

    fn now(&self) -> i64 {
        SystemClock {
            fixed_now: self.fixed_now,
        }
        .now()
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
    /// Appends `entry`; in debug mode also shows it on `err`. An entry that
    /// cannot be written goes to `err` rather than nowhere.
    pub fn write(&self, entry: &LogEntry<'_>, err: &mut dyn Write) {
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
        // Standard error is the last resort: if it fails too, nothing is left.
        if let Err(e) = pikt_fs::append_line(&self.path, &line, 0o644) {
            let _ = writeln!(
                err,
                "pikt: cannot write log `{}` ({e}): {line}",
                self.path.display()
            );
        } else if self.debug {
            let shown = format!("{}: {about}{}", entry.tag, entry.text);
            let _ = writeln!(err, "pikt: {}", pikt_source::visible::escape_line(&shown));
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

    fn syslog(&mut self, message: &SyslogMessage<'_>) -> io::Result<()> {
        let datagram = format_datagram(
            message.level,
            self.now(),
            &self.time_zone,
            message.tag,
            self.pid,
            message.text,
        );
        let socket = UnixDatagram::unbound()?;
        socket.send_to(datagram.as_bytes(), &self.syslog_path)?;
        Ok(())
    }

    fn log(&mut self, entry: &LogEntry<'_>) {
        match &self.log {
            LogTarget::Stderr => {
                // Run errors are shown as diagnostics already; an ERROR
                // that does not stop the script (`<<ERR>>`) is shown here.
                let shown_elsewhere = entry.tag == "ERROR" && !entry.always_show;
                if shown_elsewhere || !(entry.always_show || self.debug) {
                    return;
                }
                let _ = self.out.flush();
                let _ = if entry.script.is_empty() {
                    writeln!(self.err, "pikt: {}: {}", entry.tag, entry.text)
                } else {
                    writeln!(
                        self.err,
                        "pikt: {}: {}: {}",
                        entry.tag, entry.script, entry.text
                    )
                };
            }
            LogTarget::File(_) => {
                if self.debug {
                    let _ = self.out.flush();
                }
                if let Some(file) = self.log_file() {
                    file.write(entry, &mut self.err);
                }
            }
        }
    }

    fn trace(&mut self, line: &str) {
        let _ = self.out.flush();
        let _ = writeln!(self.err, "pikt: trace: {line}");
    }

    fn keeps_log(&self) -> bool {
        self.debug || matches!(self.log, LogTarget::File(_))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::{Arc, Mutex};

    use pikt_lang::ast::Level;

    use super::*;

    /// A writer whose text the test reads afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    fn sinks(log: LogTarget, debug: bool) -> (StdSinks, Shared, Shared) {
        let (out, err) = (Shared::default(), Shared::default());
        let sinks = StdSinks::new(log, debug, Box::new(out.clone()), Box::new(err.clone()));
        (sinks, out, err)
    }

    fn entry<'a>(tag: &'a str, script: &'a str, text: &'a str, always: bool) -> LogEntry<'a> {
        LogEntry {
            tag,
            script,
            text,
            always_show: always,
        }
    }

    #[test]
    fn syslog_messages_reach_the_socket_formatted() {
        let dir = tempfile::tempdir().unwrap();
        let socket_path = dir.path().join("log");
        let server = UnixDatagram::bind(&socket_path).unwrap();
        let (mut sinks, _, _) = sinks(LogTarget::Stderr, false);
        sinks.syslog_path = socket_path;
        sinks.pid = 42;
        sinks.fixed_now = Some(956_621_822);
        let message = SyslogMessage {
            level: Level::Error,
            tag: "ProcCountsChk",
            text: "disk full",
        };
        sinks.syslog(&message).unwrap();
        let mut buf = [0u8; 128];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            b"<11>Apr 25 00:17:02 ProcCountsChk[42]: disk full"
        );
        sinks.syslog_path = dir.path().join("missing");
        assert!(sinks.syslog(&message).is_err());
    }

    #[test]
    fn standalone_entries_go_to_the_error_stream_when_worth_showing() {
        let (mut sinks, out, err) = sinks(LogTarget::Stderr, false);
        sinks.stdout("first\n").unwrap();
        sinks.log(&entry("INFO", "T", "not shown", false));
        sinks.log(&entry("ERROR", "T", "rendered by the caller", false));
        sinks.log(&entry("WARNING", "T", "shown", true));
        sinks.log(&entry("KILL", "", "killed pid 7", true));
        sinks.log(&entry("ERROR", "T", "<<ERR>> and going on", true));
        assert!(!sinks.keeps_log());
        // Standard output is flushed before an entry is shown.
        assert_eq!(out.text(), "first\n");
        assert_eq!(
            err.text(),
            "pikt: WARNING: T: shown\npikt: KILL: killed pid 7\npikt: ERROR: T: <<ERR>> and going on\n"
        );
        let (mut debug, _, err) = sinks_debug();
        debug.log(&entry("INFO", "T", "now shown", false));
        debug.trace("t.pikt:1:1: output 1");
        assert!(debug.keeps_log());
        assert_eq!(
            err.text(),
            "pikt: INFO: T: now shown\npikt: trace: t.pikt:1:1: output 1\n"
        );
    }

    fn sinks_debug() -> (StdSinks, Shared, Shared) {
        sinks(LogTarget::Stderr, true)
    }

    #[test]
    fn log_file_lines_are_syslog_style() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Urgent.log");
        let (mut sinks, _, err) = sinks(LogTarget::File(path.clone()), false);
        sinks.host = "moscow".into();
        sinks.pid = 42;
        sinks.fixed_now = Some(956_621_822);
        for (tag, script, text) in [
            ("INFO", "", "run started"),
            ("INFO", "ProcCountsChk", "exec: kill -9 7"),
            ("ERROR", "ProcCountsChk", "division by zero"),
        ] {
            sinks.log(&entry(tag, script, text, false));
        }
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "Apr 25 00:17:02 moscow pikt[42]: [INFO] run started\n\
             Apr 25 00:17:02 moscow pikt[42]: [INFO] ProcCountsChk: exec: kill -9 7\n\
             Apr 25 00:17:02 moscow pikt[42]: [ERROR] ProcCountsChk: division by zero\n"
        );
        assert!(sinks.keeps_log());
        assert_eq!(err.text(), "");
        // A copy of the writer appends to the same log in the same form.
        let copy = sinks.log_file().unwrap();
        let mut copy_err = Vec::new();
        copy.write(&entry("KILL", "", "killed pid 7", true), &mut copy_err);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("Apr 25 00:17:02 moscow pikt[42]: [KILL] killed pid 7\n"));
        assert!(copy_err.is_empty());
        assert!(sinks_debug().0.log_file().is_none());
    }

    #[test]
    fn a_log_that_cannot_be_written_falls_back_to_the_error_stream() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.log");
        let link = dir.path().join("Urgent.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (mut sinks, _, err) = sinks(LogTarget::File(link.clone()), true);
        sinks.host = "moscow".into();
        sinks.pid = 42;
        sinks.fixed_now = Some(956_621_822);
        sinks.log(&entry("WARNING", "T", "kept", true));
        assert!(!target.exists());
        assert_eq!(
            err.text(),
            format!(
                "pikt: cannot write log `{}` (refusing to write through symbolic link `{}`): Apr 25 00:17:02 moscow pikt[42]: [WARNING] T: kept\n",
                link.display(),
                link.display()
            )
        );
    }
}
