//! A real syslog: a private rsyslogd in the foreground with its own config, pid
//! file, socket and log file in a temporary folder.
//!
//! [`Syslog::start`] listens only on its own socket (`<tmp>/log.sock`), so any
//! number of tests can run one at a time. [`Syslog::start_on_dev_log`] also
//! serves the system socket `/dev/log`, which is global: it is claimed with a
//! process-wide mutex plus an `flock` on `/run/lock/pikt-test-devlog.lock`, so
//! only one test of any test binary serves it at a time. A `/dev/log` served by
//! a syslog daemon that is not ours is left alone and the start fails; a stale
//! one (nobody listening) is replaced.
//!
//! Every message is written as one line of the "plain" template:
//! `2026-11-24T02:34:09.020947+00:00 HOST TAG[PID]: MESSAGE`. The time is when
//! rsyslogd received it (imuxsock ignores the sender's time stamp), and a host
//! name in the message is not parsed: the RFC 3164 datagram
//! `<12>Nov 24 03:12:01 moscow pikt[7]: hi` is logged as `… HOST moscow pikt[7]: hi`,
//! as a stock rsyslog does for local sockets.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use rustix::process::{kill_process, Pid, Signal};
use tempfile::TempDir;

use super::{command_dying_with_thread, file_text, poll_until, require_program, FileLock};

/// The system socket that `syslog(3)`, `logger` and PIKT's `output syslog` write to.
pub const DEV_LOG: &str = "/dev/log";
/// The lock that makes serving `/dev/log` exclusive across test processes.
const DEV_LOG_LOCK: &str = "/run/lock/pikt-test-devlog.lock";
/// How long a test waits for others to release `/dev/log`.
const CLAIM_TIMEOUT: Duration = Duration::from_secs(300);
/// How long rsyslogd may take to open its sockets (about 20 ms when idle).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long rsyslogd may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// File names inside the temporary folder.
const CONF_FILE: &str = "rsyslog.conf";
const PID_FILE: &str = "rsyslogd.pid";
const OUT_FILE: &str = "rsyslogd.out";
const MESSAGES_FILE: &str = "messages";
const SOCKET_FILE: &str = "log.sock";

/// Serialises `/dev/log` between the tests of this process; the lock file does
/// the same between processes.
static DEV_LOG_MUTEX: Mutex<()> = Mutex::new(());

/// A running private rsyslogd; stopped when dropped. It cannot be sent to
/// another thread: it dies with the thread that started it (see
/// [`super::command_dying_with_thread`]), and the `/dev/log` claim is a mutex guard.
#[derive(Debug)]
pub struct Syslog {
    child: Option<Child>,
    dir: TempDir,
    dev_log: Option<DevLogClaim>,
}

/// The right to serve `/dev/log`, held from before it is checked until after it
/// is removed again.
#[derive(Debug)]
struct DevLogClaim {
    _lock: FileLock,
    _guard: MutexGuard<'static, ()>,
}

impl Syslog {
    /// Starts rsyslogd listening on its own socket ([`Syslog::socket`]) only.
    pub fn start() -> io::Result<Syslog> {
        launch(None)
    }

    /// Starts rsyslogd listening on its own socket and on `/dev/log`, waiting
    /// (at most 5 minutes) for other tests serving `/dev/log` to finish.
    pub fn start_on_dev_log() -> io::Result<Syslog> {
        start_claimed(claim_dev_log()?)
    }

    /// The private socket: `logger -u PATH`, or a datagram sent to it.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join(SOCKET_FILE)
    }

    /// The file rsyslogd writes every message to, one line each.
    pub fn messages_file(&self) -> PathBuf {
        self.dir.path().join(MESSAGES_FILE)
    }

    /// The lines logged so far (rsyslogd's own start message included).
    pub fn lines(&self) -> Vec<String> {
        fs::read(self.messages_file())
            .map(|bytes| {
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits for the first line containing `needle` and returns it; after
    /// `timeout` the error lists every line logged.
    pub fn wait_for_line(&self, needle: &str, timeout: Duration) -> io::Result<String> {
        let found = poll_until(timeout, || {
            self.lines().into_iter().find(|line| line.contains(needle))
        });
        found.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "no syslog line contains `{needle}` after {timeout:?}; the log holds:\n{}",
                    self.lines().join("\n")
                ),
            )
        })
    }

    /// Stops rsyslogd (SIGTERM so it flushes, SIGKILL if it lingers) and removes
    /// `/dev/log` if this syslog served it.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
            if let Some(pid) = pid {
                let _ = kill_process(pid, Signal::TERM);
            }
            let exited = poll_until(STOP_TIMEOUT, || child.try_wait().ok().flatten());
            if exited.is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if self.dev_log.take().is_some() {
            remove_our_dev_log();
        }
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Takes the process-wide mutex, then the lock file (waiting for both).
fn claim_dev_log() -> io::Result<DevLogClaim> {
    let guard = poll_until(CLAIM_TIMEOUT, || match DEV_LOG_MUTEX.try_lock() {
        Ok(guard) => Some(guard),
        // A test that panicked while serving /dev/log still cleaned up in Drop.
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    })
    .ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("another test of this binary still serves `{DEV_LOG}` after {CLAIM_TIMEOUT:?}"),
        )
    })?;
    let lock = FileLock::acquire(Path::new(DEV_LOG_LOCK), CLAIM_TIMEOUT)?;
    Ok(DevLogClaim {
        _lock: lock,
        _guard: guard,
    })
}

/// Starts on `/dev/log` once it is known to be free (a stale socket is removed).
fn start_claimed(claim: DevLogClaim) -> io::Result<Syslog> {
    free_dev_log(&claim)?;
    launch(Some(claim))
}

/// Makes sure nobody serves `/dev/log`: absent is fine, a stale socket or
/// dangling link is removed, a live one is an error that leaves it alone.
fn free_dev_log(_claim: &DevLogClaim) -> io::Result<()> {
    let path = Path::new(DEV_LOG);
    let kind = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata.file_type(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    if !kind.is_socket() && !kind.is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("`{DEV_LOG}` exists and is not a socket; a test will not replace it"),
        ));
    }
    match UnixDatagram::unbound()?.connect(path) {
        Ok(()) => Err(served_by_another(path)),
        Err(error) if is_stale(&error) => fs::remove_file(path),
        // A stream socket: some daemons serve /dev/log that way. It is alive.
        Err(error) if error.raw_os_error() == Some(rustix::io::Errno::PROTOTYPE.raw_os_error()) => {
            Err(served_by_another(path))
        }
        Err(error) => Err(io::Error::new(
            error.kind(),
            format!("cannot tell whether `{DEV_LOG}` is in use: {error}"),
        )),
    }
}

/// Whether connecting failed because nobody listens (or a link points nowhere).
fn is_stale(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
    )
}

/// The error for a `/dev/log` that another program serves, naming it if found.
fn served_by_another(path: &Path) -> io::Error {
    let holder = unix_socket_inode(path)
        .and_then(super::socket_holder)
        .map(|(pid, comm)| format!(" (pid {pid}, `{comm}`)"))
        .unwrap_or_default();
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "`{DEV_LOG}` is served by another syslog daemon{holder}; it is not ours, so it is \
             left running: stop it or run this test on a machine without one"
        ),
    )
}

/// The inode of the listening unix socket bound at `path`, from `/proc/net/unix`
/// (`Num RefCount Protocol Flags Type St Inode Path`).
fn unix_socket_inode(path: &Path) -> Option<u64> {
    let table = fs::read_to_string("/proc/net/unix").ok()?;
    let wanted = path.to_str()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(7) == Some(&wanted))
            .then(|| fields.get(6)?.parse().ok())
            .flatten()
    })
}

/// Removes `/dev/log` after our rsyslogd stopped, if rsyslogd left it behind.
fn remove_our_dev_log() {
    let path = Path::new(DEV_LOG);
    let is_socket = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket());
    if is_socket {
        let _ = fs::remove_file(path);
    }
}

/// Writes the config, starts rsyslogd and waits until its sockets accept datagrams.
fn launch(dev_log: Option<DevLogClaim>) -> io::Result<Syslog> {
    let rsyslogd = require_program("rsyslogd", "rsyslog")?;
    let dir = tempfile::Builder::new().prefix("pikt-syslog-").tempdir()?;
    let conf = dir.path().join(CONF_FILE);
    fs::write(&conf, config(dir.path(), dev_log.is_some()))?;
    let out = File::create(dir.path().join(OUT_FILE))?;
    let child = command_dying_with_thread(&rsyslogd)?
        .arg("-n")
        .arg("-f")
        .arg(&conf)
        .arg("-i")
        .arg(dir.path().join(PID_FILE))
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()?;
    let mut syslog = Syslog {
        child: Some(child),
        dir,
        dev_log,
    };
    syslog.wait_ready()?;
    Ok(syslog)
}

/// The rsyslog config: imuxsock on the private socket (and on `/dev/log` if
/// `on_dev_log`), no rate limiting (a storm logs one line per killed process),
/// every message to the messages file with the plain template.
fn config(dir: &Path, on_dev_log: bool) -> String {
    let dir = dir.display();
    let sys_sock = if on_dev_log { "on" } else { "off" };
    format!(
        r#"global(workDirectory="{dir}")
module(load="imuxsock" SysSock.Use="{sys_sock}" SysSock.Name="{DEV_LOG}" SysSock.RateLimit.Interval="0")
template(name="plain" type="string" string="%timestamp:::date-rfc3339% %$.host% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
set $.host = $hostname;
*.* action(type="omfile" file="{dir}/{MESSAGES_FILE}" template="plain")
input(type="imuxsock" Socket="{dir}/{SOCKET_FILE}" CreatePath="on" RateLimit.Interval="0")
"#
    )
}

impl Syslog {
    /// Waits until every socket this syslog serves accepts a connection.
    fn wait_ready(&mut self) -> io::Result<()> {
        let mut sockets = vec![self.socket()];
        if self.dev_log.is_some() {
            sockets.push(PathBuf::from(DEV_LOG));
        }
        let out = self.dir.path().join(OUT_FILE);
        let child = self
            .child
            .as_mut()
            .ok_or_else(|| io::Error::other("rsyslogd is not running"))?;
        let outcome = poll_until(START_TIMEOUT, || match child.try_wait() {
            Err(error) => Some(Err(error)),
            Ok(Some(status)) => Some(Err(io::Error::other(format!(
                "rsyslogd exited ({status}):\n{}",
                file_text(&out)
            )))),
            Ok(None) => sockets
                .iter()
                .all(|socket| accepts(socket))
                .then_some(Ok(())),
        });
        outcome.unwrap_or_else(|| {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "rsyslogd did not open {sockets:?} within {START_TIMEOUT:?}:\n{}",
                    file_text(&out)
                ),
            ))
        })
    }
}

/// Whether a datagram socket can connect to `socket`, i.e. someone listens.
fn accepts(socket: &Path) -> bool {
    UnixDatagram::unbound().is_ok_and(|client| client.connect(socket).is_ok())
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    /// A marker unique to one test in one run, so parallel tests never match
    /// each other's lines.
    fn marker(test: &str) -> String {
        format!(
            "{test}-{}-{:?}",
            std::process::id(),
            std::time::Instant::now()
        )
    }

    fn logger(args: &[&str]) -> io::Result<()> {
        let logger = require_program("logger", "bsdutils")?;
        let output = Command::new(logger)
            .arg("--socket-errors=on")
            .args(args)
            .output()?;
        assert!(
            output.status.success(),
            "logger {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    #[test]
    fn private_socket_logs_logger_and_rfc3164_datagrams() -> io::Result<()> {
        let syslog = Syslog::start()?;
        let socket = syslog.socket();
        let hello = marker("hello");
        logger(&["-u", &socket.to_string_lossy(), "-t", "pikttest", &hello])?;
        let message = marker("msg");
        UnixDatagram::unbound()?.send_to(
            format!("<12>Nov 24 03:12:01 host tag[1]: {message}").as_bytes(),
            &socket,
        )?;

        let from_logger = syslog.wait_for_line(&hello, Duration::from_secs(10))?;
        assert!(
            from_logger.ends_with(&format!(" pikttest: {hello}")),
            "{from_logger}"
        );
        let from_datagram = syslog.wait_for_line(&message, Duration::from_secs(10))?;
        assert!(
            from_datagram.ends_with(&format!(" host tag[1]: {message}")),
            "{from_datagram}"
        );
        // The plain template: an RFC 3339 time stamp first.
        let stamp = from_datagram.split(' ').next().unwrap_or_default();
        assert!(stamp.len() >= 25 && stamp.contains('T'), "{from_datagram}");
        Ok(())
    }

    #[test]
    fn a_missing_line_times_out_listing_the_log() -> io::Result<()> {
        let syslog = Syslog::start()?;
        let error = syslog
            .wait_for_line("never logged", Duration::from_millis(50))
            .err();
        let text = error.map(|e| (e.kind(), e.to_string()));
        assert!(
            text.as_ref()
                .is_some_and(|(kind, text)| *kind == io::ErrorKind::TimedOut
                    && text.starts_with("no syslog line contains `never logged` after 50ms")),
            "{text:?}"
        );
        Ok(())
    }

    #[test]
    fn dropping_stops_rsyslogd_and_removes_its_socket() -> io::Result<()> {
        let syslog = Syslog::start()?;
        let socket = syslog.socket();
        let pid = syslog.child.as_ref().map(Child::id).unwrap_or_default();
        drop(syslog);
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "pid {pid}");
        assert!(!accepts(&socket));
        Ok(())
    }

    /// Checks with `/dev/log` claimed that nobody serves it and it is gone.
    fn assert_dev_log_released() -> io::Result<()> {
        let _claim = claim_dev_log()?;
        assert!(!Path::new(DEV_LOG).exists(), "`{DEV_LOG}` left behind");
        Ok(())
    }

    #[test]
    fn dev_log_is_served_then_removed() -> io::Result<()> {
        let syslog = Syslog::start_on_dev_log()?;
        let via_dev_log = marker("devlog");
        logger(&["-t", "pikttest", "-p", "user.emerg", &via_dev_log])?;
        let line = syslog.wait_for_line(&via_dev_log, Duration::from_secs(10))?;
        assert!(
            line.ends_with(&format!(" pikttest: {via_dev_log}")),
            "{line}"
        );
        // The private socket works as well.
        let private = marker("private");
        logger(&[
            "-u",
            &syslog.socket().to_string_lossy(),
            "-t",
            "x",
            &private,
        ])?;
        syslog.wait_for_line(&private, Duration::from_secs(10))?;
        drop(syslog);
        assert_dev_log_released()
    }

    #[test]
    fn a_stale_dev_log_is_replaced() -> io::Result<()> {
        let claim = claim_dev_log()?;
        free_dev_log(&claim)?;
        drop(UnixDatagram::bind(DEV_LOG)?); // the file stays, nobody listens
        assert!(!accepts(Path::new(DEV_LOG)));
        let syslog = start_claimed(claim)?;
        let text = marker("stale");
        logger(&["-t", "pikttest", &text])?;
        syslog.wait_for_line(&text, Duration::from_secs(10))?;
        drop(syslog);
        assert_dev_log_released()
    }

    #[test]
    fn a_live_foreign_dev_log_is_left_alone() -> io::Result<()> {
        let claim = claim_dev_log()?;
        free_dev_log(&claim)?;
        let foreign = UnixDatagram::bind(DEV_LOG)?;
        let refused = free_dev_log(&claim).err();
        // The foreign socket still works and is ours to remove.
        let still_served = accepts(Path::new(DEV_LOG));
        drop(foreign);
        let _ = fs::remove_file(DEV_LOG);
        assert!(still_served);
        let (kind, text) = refused
            .map(|e| (e.kind(), e.to_string()))
            .unwrap_or((io::ErrorKind::Other, "started".to_owned()));
        assert_eq!(kind, io::ErrorKind::AddrInUse, "{text}");
        let holder = format!(" (pid {}, `", std::process::id());
        assert!(
            text.starts_with("`/dev/log` is served by another syslog daemon")
                && text.contains(&holder),
            "{text}"
        );
        Ok(())
    }

    #[test]
    fn config_uses_the_plain_template_and_the_private_socket() {
        let text = config(Path::new("/tmp/x"), false);
        assert!(text.contains(r#"Socket="/tmp/x/log.sock""#), "{text}");
        assert!(text.contains(r#"SysSock.Use="off""#), "{text}");
        assert!(
            text.contains(r#"file="/tmp/x/messages" template="plain""#),
            "{text}"
        );
        assert!(config(Path::new("/tmp/x"), true).contains(r#"SysSock.Use="on""#));
    }
}
