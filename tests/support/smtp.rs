//! A real SMTP server that receives alert mail: `python3 -m aiosmtpd` with the
//! `Mailbox` handler, which stores every message as one file in a Maildir (with
//! `X-Peer`, `X-MailFrom` and `X-RcptTo` headers added for the envelope).
//!
//! Each [`SmtpSink`] has its own port on 127.0.0.1 and its own temporary
//! folder, so tests running in parallel never see each other's mail.
//!
//! [`SmtpSink::start_faulty`] runs the handler of `smtp_faults.py` instead,
//! a relay that can be told to refuse (4xx), drop the connection after the
//! data, or stall ([`Fault`]); [`SmtpSink::stop`] and [`SmtpSink::restart`]
//! make it down and up again on the same port.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

use super::{command_dying_with_thread, file_text, holds_socket, missing_package, poll_until};

/// The Debian package that provides the `aiosmtpd` module for the system python.
const AIOSMTPD_PACKAGE: &str = "python3-aiosmtpd";
/// Pythons tried in order: Debian's own first, because a `python3` earlier on
/// `PATH` (pyenv, a virtualenv) does not see Debian's packages.
const PYTHON_CANDIDATES: &[&str] = &["/usr/bin/python3", "python3"];
/// Ports tried before giving up: a port found free can be taken by someone else
/// before aiosmtpd binds it.
const START_ATTEMPTS: usize = 5;
/// How long one aiosmtpd may take to listen (about 0.25 s on an idle machine).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// aiosmtpd's standard output and error, in the sink's folder.
const LOG_FILE: &str = "smtp.log";
/// The `LISTEN` state in `/proc/net/tcp`.
const TCP_LISTEN: &str = "0A";
/// The control folder of a faulty sink (its `mode` and `events` files).
const CONTROL_DIR: &str = "control";

/// How a faulty relay treats the next messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Stores the message and answers 250.
    Accept,
    /// Answers 451 to the data, stores nothing.
    Refuse,
    /// Stores the message, then cuts the connection before answering.
    Drop,
    /// Never answers the data.
    Stall,
}

impl Fault {
    fn word(self) -> &'static str {
        match self {
            Fault::Accept => "accept",
            Fault::Refuse => "refuse",
            Fault::Drop => "drop",
            Fault::Stall => "stall",
        }
    }
}

/// Which aiosmtpd handler a sink runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Handler {
    Mailbox,
    Faulty,
}

/// A running aiosmtpd on `127.0.0.1:PORT` storing mail in its own Maildir;
/// killed when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
    handler: Handler,
}

impl SmtpSink {
    /// Starts aiosmtpd on a free port of 127.0.0.1 and waits (at most 20 s) until
    /// it accepts connections. Fails, naming the package, when `python3-aiosmtpd`
    /// is not installed.
    pub fn start() -> io::Result<SmtpSink> {
        SmtpSink::start_with(Handler::Mailbox)
    }

    /// Starts a relay whose behaviour [`SmtpSink::set_fault`] changes
    /// (accepting at first), recording every message it sees in
    /// [`SmtpSink::events`].
    pub fn start_faulty() -> io::Result<SmtpSink> {
        SmtpSink::start_with(Handler::Faulty)
    }

    fn start_with(handler: Handler) -> io::Result<SmtpSink> {
        let python = aiosmtpd_python()?;
        let dir = tempfile::Builder::new().prefix("pikt-smtp-").tempdir()?;
        fs::create_dir_all(dir.path().join(CONTROL_DIR))?;
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            match launch(&python, dir.path(), port, handler) {
                Ok(child) => {
                    return Ok(SmtpSink {
                        child: Some(child),
                        port,
                        dir,
                        handler,
                    })
                }
                Err(error) => failures.push(format!("port {port}: {error}")),
            }
        }
        Err(io::Error::other(format!(
            "aiosmtpd did not start in {START_ATTEMPTS} attempts:\n{}\naiosmtpd's output:\n{}",
            failures.join("\n"),
            file_text(&dir.path().join(LOG_FILE))
        )))
    }

    /// Starts the server again on the same port after [`SmtpSink::stop`],
    /// with the same Maildir (the relay was down, now it is up).
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        let python = aiosmtpd_python()?;
        let mut last = None;
        // The port was ours a moment ago; a lingering socket may hold it.
        for _ in 0..START_ATTEMPTS {
            match launch(&python, self.dir.path(), self.port, self.handler) {
                Ok(child) => {
                    self.child = Some(child);
                    return Ok(());
                }
                Err(error) => last = Some(error),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(last.unwrap_or_else(|| io::Error::other("aiosmtpd did not restart")))
    }

    /// How a faulty sink treats the messages from now on.
    pub fn set_fault(&self, fault: Fault) -> io::Result<()> {
        let control = self.dir.path().join(CONTROL_DIR);
        let temp = control.join("mode.new");
        fs::write(&temp, fault.word())?;
        fs::rename(temp, control.join("mode"))
    }

    /// Every message a faulty sink saw, in order: the mode it was in and
    /// the message's `Message-ID` header (`-` when it had none).
    pub fn events(&self) -> Vec<(String, String)> {
        fs::read_to_string(self.dir.path().join(CONTROL_DIR).join("events"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_once(' '))
            .map(|(mode, id)| (mode.to_owned(), id.to_owned()))
            .collect()
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, the address to send mail to.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The Maildir the messages are stored in (`new/` holds one file each).
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("Maildir")
    }

    /// What aiosmtpd printed, for failure messages.
    pub fn log(&self) -> String {
        file_text(&self.dir.path().join(LOG_FILE))
    }

    /// Every message received so far, raw (headers and body), oldest first:
    /// sorted by the files' modification time, then by name.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.maildir().join("new")) else {
            return Vec::new();
        };
        let mut files: Vec<(SystemTime, OsString, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let modified = entry.metadata().ok()?.modified().ok()?;
                Some((modified, entry.file_name(), entry.path()))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, _, path)| fs::read(path).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect()
    }

    /// Waits until at least `count` messages have arrived and returns them all;
    /// at the deadline it returns what is there, so the caller's assertion on
    /// the count (or contents) shows what did arrive.
    pub fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<String> {
        poll_until(timeout, || {
            let messages = self.messages();
            (messages.len() >= count).then_some(messages)
        })
        .unwrap_or_else(|| self.messages())
    }

    /// Kills the server and waits for it; the Maildir stays readable until the
    /// sink is dropped. Stopping twice is harmless.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The first python that can import `aiosmtpd`; looked up once per test binary.
fn aiosmtpd_python() -> io::Result<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_aiosmtpd_python(PYTHON_CANDIDATES))
        .clone()
        .map_err(|tried| {
            missing_package(
                &format!("the python module `aiosmtpd` (tried {tried})"),
                AIOSMTPD_PACKAGE,
            )
        })
}

/// The first of `candidates` that imports `aiosmtpd`, or the list tried.
fn find_aiosmtpd_python(candidates: &[&str]) -> Result<PathBuf, String> {
    candidates
        .iter()
        .find(|python| {
            Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
        .map(PathBuf::from)
        .ok_or_else(|| candidates.join(", "))
}

/// A port of 127.0.0.1 that is free now: the kernel picks it for a listener
/// that is closed again at once.
fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Starts aiosmtpd on `port` and waits until it listens there; kills it on failure.
fn launch(python: &Path, dir: &Path, port: u16, handler: Handler) -> io::Result<Child> {
    let log = File::options()
        .create(true)
        .append(true)
        .open(dir.join(LOG_FILE))?;
    let mut command = command_dying_with_thread(python)?;
    command
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"));
    match handler {
        Handler::Mailbox => {
            command
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(dir.join("Maildir"));
        }
        Handler::Faulty => {
            let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support");
            command
                .env("PYTHONPATH", support)
                .args(["-c", "smtp_faults.Faulty"])
                .arg(dir.join("Maildir"))
                .arg(dir.join(CONTROL_DIR));
        }
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    match wait_listening(&mut child, port) {
        Ok(()) => Ok(child),
        Err(error) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(error)
        }
    }
}

/// Waits until `child` itself listens on `port` and a connection succeeds. The
/// listener's owner is checked because when two tests race for one port, the
/// loser's connection attempts would otherwise reach the winner's server.
fn wait_listening(child: &mut Child, port: u16) -> io::Result<()> {
    let pid = child.id();
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let outcome = poll_until(START_TIMEOUT, || match child.try_wait() {
        Err(error) => Some(Err(error)),
        Ok(Some(status)) => Some(Err(io::Error::other(format!(
            "aiosmtpd exited ({status}) before listening"
        )))),
        Ok(None) => {
            let ours = listener_inodes(port)
                .into_iter()
                .any(|inode| holds_socket(pid, inode));
            let accepts = ours && TcpStream::connect_timeout(&address, START_TIMEOUT).is_ok();
            accepts.then_some(Ok(()))
        }
    });
    outcome.unwrap_or_else(|| {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("aiosmtpd did not listen within {START_TIMEOUT:?}"),
        ))
    })
}

/// The inodes of the IPv4 TCP sockets listening on `port`, from `/proc/net/tcp`
/// (`sl local_address rem_address st … inode`, addresses as hex `IP:PORT`).
fn listener_inodes(port: u16) -> Vec<u64> {
    let Ok(table) = fs::read_to_string("/proc/net/tcp") else {
        return Vec::new();
    };
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (_, port_hex) = fields.get(1)?.split_once(':')?;
            let listening = *fields.get(3)? == TCP_LISTEN;
            let same_port = u16::from_str_radix(port_hex, 16).ok()? == port;
            (listening && same_port).then(|| fields.get(9)?.parse().ok())?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends one message with python's smtplib, the way an MTA relays alert mail.
    fn send_with_smtplib(sink: &SmtpSink, subject: &str) -> io::Result<()> {
        let script = "import smtplib, sys\n\
             port, subject = int(sys.argv[1]), sys.argv[2]\n\
             body = 'From: pikt@testhost\\r\\nTo: admin@example.org\\r\\nSubject: ' + subject + '\\r\\n\\r\\n404 chico imapd\\r\\n'\n\
             with smtplib.SMTP('127.0.0.1', port, timeout=10) as s:\n    \
                 s.sendmail('pikt@testhost', ['admin@example.org'], body)\n";
        let status = Command::new(aiosmtpd_python()?)
            .args(["-c", script])
            .arg(sink.port().to_string())
            .arg(subject)
            .status()?;
        assert!(status.success(), "smtplib failed: {status}");
        Ok(())
    }

    #[test]
    fn sink_receives_mail_and_stops() -> io::Result<()> {
        let mut sink = SmtpSink::start()?;
        assert_eq!(sink.addr(), format!("127.0.0.1:{}", sink.port()));
        assert!(sink.messages().is_empty());

        send_with_smtplib(&sink, "PIKT ALERT first")?;
        send_with_smtplib(&sink, "PIKT ALERT second")?;
        let messages = sink.wait_for_messages(2, Duration::from_secs(10));
        assert_eq!(messages.len(), 2, "{messages:?}\n{}", sink.log());
        let first = messages.first().map_or("", String::as_str);
        assert!(first.contains("Subject: PIKT ALERT first"), "{first}");
        assert!(first.contains("X-MailFrom: pikt@testhost"), "{first}");
        assert!(first.contains("X-RcptTo: admin@example.org"), "{first}");
        assert!(first.contains("404 chico imapd"), "{first}");
        let second = messages.get(1).map_or("", String::as_str);
        assert!(second.contains("Subject: PIKT ALERT second"), "{second}");

        sink.stop();
        let refused = TcpStream::connect(sink.addr());
        assert!(refused.is_err(), "still listening after stop");
        assert_eq!(sink.messages().len(), 2, "mail is kept after stop");
        sink.stop();
        Ok(())
    }

    #[test]
    fn sinks_in_parallel_have_their_own_port_and_mail() -> io::Result<()> {
        let one = SmtpSink::start()?;
        let two = SmtpSink::start()?;
        assert_ne!(one.port(), two.port());
        send_with_smtplib(&two, "for two")?;
        assert_eq!(two.wait_for_messages(1, Duration::from_secs(10)).len(), 1);
        assert!(one.messages().is_empty());
        Ok(())
    }

    /// Sends one message with smtplib; `Err` carries what smtplib said.
    fn try_smtplib(sink: &SmtpSink, message_id: &str) -> io::Result<Result<(), String>> {
        let script = "import smtplib, sys\n\
             port, mid = int(sys.argv[1]), sys.argv[2]\n\
             body = 'From: p@h\\r\\nTo: a@b\\r\\nMessage-ID: ' + mid + '\\r\\n\\r\\nx\\r\\n'\n\
             try:\n    \
                 with smtplib.SMTP('127.0.0.1', port, timeout=2) as s:\n        \
                     s.sendmail('p@h', ['a@b'], body)\n\
             except Exception as e:\n    \
                 print(type(e).__name__, e); sys.exit(1)\n";
        let out = Command::new(aiosmtpd_python()?)
            .args(["-c", script])
            .arg(sink.port().to_string())
            .arg(message_id)
            .output()?;
        Ok(if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stdout).into_owned())
        })
    }

    #[test]
    fn a_faulty_sink_refuses_drops_stalls_and_goes_down() -> io::Result<()> {
        let mut sink = SmtpSink::start_faulty()?;
        assert_eq!(try_smtplib(&sink, "<1@t>")?, Ok(()));
        sink.set_fault(Fault::Refuse)?;
        let refused = try_smtplib(&sink, "<2@t>")?.unwrap_err();
        assert!(refused.contains("451"), "{refused}");
        sink.set_fault(Fault::Drop)?;
        let dropped = try_smtplib(&sink, "<3@t>")?.unwrap_err();
        assert!(dropped.contains("Disconnected"), "{dropped}");
        sink.set_fault(Fault::Stall)?;
        let stalled = try_smtplib(&sink, "<4@t>")?.unwrap_err();
        assert!(stalled.contains("timed out"), "{stalled}");
        let modes: Vec<(String, String)> = sink.events();
        let expected: Vec<(String, String)> = [
            ("accept", "<1@t>"),
            ("refuse", "<2@t>"),
            ("drop", "<3@t>"),
            ("stall", "<4@t>"),
        ]
        .iter()
        .map(|(m, i)| ((*m).to_owned(), (*i).to_owned()))
        .collect();
        assert_eq!(modes, expected);
        // Accepted and dropped messages were stored; refused and stalled not.
        assert_eq!(sink.wait_for_messages(2, Duration::from_secs(5)).len(), 2);
        sink.stop();
        assert!(try_smtplib(&sink, "<5@t>")?.is_err(), "down");
        sink.restart()?;
        sink.set_fault(Fault::Accept)?;
        assert_eq!(try_smtplib(&sink, "<6@t>")?, Ok(()));
        assert_eq!(sink.messages().len(), 3, "the Maildir survives the restart");
        Ok(())
    }

    #[test]
    fn dropping_the_sink_kills_the_server() -> io::Result<()> {
        let sink = SmtpSink::start()?;
        let pid = sink.child.as_ref().map(Child::id).unwrap_or_default();
        assert!(Path::new(&format!("/proc/{pid}")).exists());
        drop(sink);
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "pid {pid}");
        Ok(())
    }

    #[test]
    fn a_missing_aiosmtpd_names_the_package() {
        let tried = find_aiosmtpd_python(&["/nonexistent/python3"]);
        assert_eq!(tried, Err("/nonexistent/python3".to_owned()));
        let error = missing_package("the python module `aiosmtpd`", AIOSMTPD_PACKAGE);
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            error.to_string(),
            "the python module `aiosmtpd` is missing: install the Debian package \
             `python3-aiosmtpd` (`apt-get install python3-aiosmtpd`; `.ci/run` installs it)"
        );
    }
}
