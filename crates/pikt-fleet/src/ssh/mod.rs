//! Reaching other hosts through the system's OpenSSH client: the admin's
//! own ssh configuration, keys, agent and known_hosts, and sshd on the
//! hosts. No daemon or protocol of pikt's own: the master runs `ssh`
//! (`std::process::Command`), and the host's installed `piktc
//! --apply-bundle` applies what comes in on its standard input.
//!
//! Per host and run, the session's first command opens one master
//! connection (`ControlMaster=yes` with `ControlPersist`, its socket in a
//! private directory of the invoking user, mode 0700), every later command
//! of the session rides on it, and [`Session::close`] ends it (`ssh -O
//! exit`); a master left behind by a piktc that was killed exits after
//! [`MASTER_IDLE`] without clients.
//!
//! Every ssh command line carries:
//!
//! * `-F FILE` when a configuration file is named (`PIKT_SSH_CONFIG`,
//!   else PIKT.conf `ssh_config`); otherwise ssh reads the user's own;
//! * `BatchMode=yes`: nothing ever waits on a password or a question;
//! * `ConnectTimeout`, `ServerAliveInterval`/`ServerAliveCountMax`: a down
//!   or silent host is given up, and the host's own time limit kills the
//!   client in any case;
//! * `ClearAllForwardings=yes`, `ForwardAgent=no`, `ForwardX11=no`: no
//!   port forwardings of the user's configuration (they would clash
//!   between parallel sessions), and the admin's agent is never lent to
//!   the hosts;
//! * nothing about host keys: `StrictHostKeyChecking` and known_hosts are
//!   the admin's, never turned off or weakened here. A changed key fails
//!   the host with a message saying what to do ([`diagnose`]).
//!
//! The remote command is a list of words, each quoted ([`words`]); data
//! never becomes shell syntax on the host.

mod diagnose;
mod run;
pub mod words;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::digest::sha256_hex;
use crate::frame::{MAX_CONTENTS, MAX_MANIFEST};
use crate::interrupt::Interrupt;
use crate::transport::{HostError, HostErrorKind, Machine, Session, Transport};

use run::{Cut, Finished, Limits};

/// How long a host may take (connection, transfer, apply, answer) when
/// neither `--timeout` nor PIKT.conf `host_timeout` says.
pub const DEFAULT_HOST_TIMEOUT: Duration = Duration::from_secs(300);

/// The longest ssh waits for a connection (`ConnectTimeout`); shorter
/// when the host's own limit is.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Seconds between keep-alives on a connection (`ServerAliveInterval`),
/// and how many may go unanswered (`ServerAliveCountMax`).
const SERVER_ALIVE: (u64, u64) = (5, 3);

/// How long a master connection outlives its last client when nobody
/// ends it (`ControlPersist`): only a piktc killed without cleaning up
/// leaves one waiting.
pub const MASTER_IDLE: Duration = Duration::from_secs(60);

/// How long ending a master may take.
const CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// How ssh is run.
#[derive(Clone, Debug)]
pub struct SshSettings {
    /// The ssh client (`ssh`, found on `PATH`).
    pub program: PathBuf,
    /// `ssh -F FILE`; none: the invoking user's configuration.
    pub config: Option<PathBuf>,
    /// How long one host may take, connection included.
    pub host_timeout: Duration,
}

impl Default for SshSettings {
    fn default() -> SshSettings {
        SshSettings {
            program: PathBuf::from("ssh"),
            config: None,
            host_timeout: DEFAULT_HOST_TIMEOUT,
        }
    }
}

/// Other hosts, through OpenSSH.
pub struct Ssh {
    shared: Arc<Shared>,
}

struct Shared {
    settings: SshSettings,
    /// The private directory of the control sockets.
    control: tempfile::TempDir,
    /// Names the sockets.
    next: AtomicU64,
    interrupt: Interrupt,
}

impl Ssh {
    /// Ready to reach hosts with `settings`; cut by `interrupt`. Makes the
    /// private directory of the control sockets.
    pub fn new(settings: SshSettings, interrupt: Interrupt) -> io::Result<Ssh> {
        Ok(Ssh {
            shared: Arc::new(Shared {
                settings,
                control: control_dir()?,
                next: AtomicU64::new(0),
                interrupt,
            }),
        })
    }

    /// The directory holding the control sockets.
    pub fn control_dir(&self) -> &Path {
        self.shared.control.path()
    }
}

/// A directory only the invoking user can enter, for the control sockets
/// (a socket there lets whoever reaches it use the connection). Under
/// the temporary directory when its path is short and plain enough for a
/// socket path and an ssh option, else under `/tmp`.
fn control_dir() -> io::Result<tempfile::TempDir> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let temp = std::env::temp_dir();
    let text = temp.to_string_lossy();
    let plain =
        text.len() <= 60 && !text.contains(|c: char| c.is_whitespace() || "%\"'\\".contains(c));
    let parent = if plain { temp } else { PathBuf::from("/tmp") };
    let dir = tempfile::Builder::new()
        .prefix("piktc-ssh-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(parent)?;
    let meta = std::fs::symlink_metadata(dir.path())?;
    if !meta.is_dir()
        || meta.mode() & 0o077 != 0
        || meta.uid() != rustix::process::geteuid().as_raw()
    {
        return Err(io::Error::other(format!(
            "`{}` is not a private directory of this user",
            dir.path().display()
        )));
    }
    Ok(dir)
}

impl Transport for Ssh {
    fn connect(&self, host: &str, piktdir: &str) -> Result<Box<dyn Session>, HostError> {
        if !words::is_host_name(host) {
            return Err(HostError::new(
                HostErrorKind::Io,
                format!("`{host}` is not a host name ssh can be given"),
            ));
        }
        let n = self.shared.next.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(SshSession {
            shared: Arc::clone(&self.shared),
            host: host.to_string(),
            piktdir: piktdir.trim_end_matches('/').to_string(),
            socket: self.shared.control.path().join(n.to_string()),
            deadline: Instant::now() + self.shared.settings.host_timeout,
            started: false,
        }))
    }
}

/// One host's session: a master connection and the commands riding on it.
struct SshSession {
    shared: Arc<Shared>,
    host: String,
    piktdir: String,
    socket: PathBuf,
    deadline: Instant,
    /// The first command ran: it opened the master (which must be ended).
    started: bool,
}

impl SshSession {
    /// `ssh` with the options every command of this session carries.
    fn ssh(&self) -> Command {
        let settings = &self.shared.settings;
        let mut command = Command::new(&settings.program);
        if let Some(config) = &settings.config {
            command.arg("-F").arg(config);
        }
        let connect = settings.host_timeout.min(CONNECT_TIMEOUT).as_secs().max(1);
        let mut control_path = String::from("ControlPath=");
        control_path.push_str(&self.socket.to_string_lossy());
        command.args([
            "-T",
            "-o",
            "BatchMode=yes",
            "-o",
            &format!("ConnectTimeout={connect}"),
            "-o",
            &format!("ServerAliveInterval={}", SERVER_ALIVE.0),
            "-o",
            &format!("ServerAliveCountMax={}", SERVER_ALIVE.1),
            "-o",
            "ClearAllForwardings=yes",
            "-o",
            "ForwardAgent=no",
            "-o",
            "ForwardX11=no",
            "-o",
            "LogLevel=ERROR",
            "-o",
            &control_path,
        ]);
        command
    }

    fn limits(&self, stdout_limit: usize) -> Limits<'_> {
        Limits {
            deadline: self.deadline,
            interrupt: Some(&self.shared.interrupt),
            stdout_limit,
        }
    }

    fn seconds(&self) -> u64 {
        self.shared.settings.host_timeout.as_secs()
    }

    /// Runs `words` on the host (quoted, through the login shell) with
    /// `input` on its standard input.
    /// The first one opens the master connection, which stays in the
    /// background for the later ones.
    fn remote(
        &mut self,
        words: &[&str],
        input: Option<&[u8]>,
        stdout_limit: usize,
    ) -> (Result<Finished, Cut>, bool) {
        let mut command = self.ssh();
        if self.started {
            command.args(["-o", "ControlMaster=no"]);
        } else {
            command.args([
                "-o",
                "ControlMaster=yes",
                "-o",
                &format!("ControlPersist={}", MASTER_IDLE.as_secs()),
            ]);
            self.started = true;
        }
        command.args(["--", &self.host]);
        command.arg(words::command_line(words));
        run::run(command, input, &self.limits(stdout_limit))
    }

    /// The error for a client that ended unsuccessfully.
    fn client_failure(&self, finished: &Finished) -> HostError {
        match (finished.code, finished.signal) {
            (Some(255), _) => diagnose::ssh_failure(&self.host, &finished.stderr),
            (None, Some(signal)) => HostError::new(
                HostErrorKind::Io,
                format!(
                    "the ssh client for `{}` was ended by signal {signal}",
                    self.host
                ),
            ),
            (code, _) => {
                let mut message = format!(
                    "the command on `{}` failed (exit status {})",
                    self.host,
                    code.unwrap_or(-1)
                );
                let said = finished.stderr.trim();
                if !said.is_empty() {
                    let _ = write!(message, ": {said}");
                }
                HostError::new(HostErrorKind::Protocol, message)
            }
        }
    }

    /// The error for a client stopped `when`; `sent` tells whether the
    /// whole bundle had gone out.
    fn cut_error(&self, cut: Cut, when: &str, sent: bool) -> HostError {
        let after = if sent {
            "after the whole bundle was sent: the host may have applied it (every file is either old or new); run the same command again to see"
        } else {
            "before the whole bundle was sent: nothing changed there"
        };
        match cut {
            Cut::Deadline => HostError::new(
                HostErrorKind::TimedOut,
                format!(
                    "`{}` did not finish within its time limit of {}s {when}; the session was cut {after}",
                    self.host,
                    self.seconds()
                ),
            ),
            Cut::Interrupted => HostError::new(
                HostErrorKind::Interrupted,
                format!("interrupted {when}; the session with `{}` was cut {after}", self.host),
            ),
            Cut::Spawn(e) => HostError::new(
                HostErrorKind::Io,
                format!(
                    "cannot run `{}`: {e}",
                    self.shared.settings.program.display()
                ),
            ),
        }
    }

    /// Ends the master connection (best effort: a master nobody ends exits
    /// after [`MASTER_IDLE`]).
    fn end_master(&mut self) {
        if !self.started {
            return;
        }
        self.started = false;
        let mut command = self.ssh();
        command.args(["-O", "exit", "--", &self.host]);
        let limits = Limits {
            deadline: Instant::now() + CLOSE_LIMIT,
            interrupt: None,
            stdout_limit: STATUS_OUTPUT,
        };
        let _ = run::run(command, None, &limits);
    }
}

/// Bytes of standard output kept from commands that print a line or two.
const STATUS_OUTPUT: usize = 4096;

/// The longest report a host may send.
const REPORT_LIMIT: usize = (MAX_MANIFEST + MAX_CONTENTS) as usize + 256;

/// The start of every script run on a host: `$1` is the root; `bindir`
/// becomes the host's `=bindir`, as its own PIKT.conf says (`bindir DIR`,
/// read as PIKT.conf is: the rest of the line, a `//` comment after a
/// blank cut, surrounding quotes removed; the Debian package says
/// `/usr/bin`), else `ROOT/bin`.
macro_rules! find_bindir {
    () => {
        r#"root=$1
bindir=$root/bin
if [ -r "$root/etc/PIKT.conf" ]; then
    set_dir=$(sed -n '/^[[:space:]]*bindir[[:space:]]/{s|^[[:space:]]*bindir[[:space:]]*||;s|[[:space:]]//.*$||;s|[[:space:]]*$||;s|^"\(.*\)"$|\1|;p;q;}' "$root/etc/PIKT.conf")
    if [ -n "$set_dir" ]; then bindir=$set_dir; fi
fi
"#
    };
}

/// What the host runs to apply a bundle: `$1` is the root; the rest are
/// piktc's arguments. The host's own `=bindir/piktc`.
const RUN_PIKTC: &str = concat!(
    find_bindir!(),
    r#"shift
if [ -x "$bindir/piktc" ]; then exec "$bindir/piktc" "$@"; fi
echo "no $bindir/piktc" >&2
exit 127
"#
);

/// What the host runs to put piktc in place during a bootstrap: `$1` is
/// the root, `$2` the SHA-256 the master sent; the binary comes on
/// standard input. It is checked, shown to run on the host, and only then
/// renamed over `=bindir/piktc`; a cut leaves no half binary.
const INSTALL_PIKTC: &str = concat!(
    find_bindir!(),
    r#"set -eu
sum=$2
case $root in /*) ;; *) echo "the root $root is not an absolute path" >&2; exit 3 ;; esac
for d in "$root" "$bindir"; do
    if [ -L "$d" ]; then echo "refusing to write through the symbolic link $d" >&2; exit 3; fi
done
umask 022
mkdir -p -- "$bindir"
x=X # mktemp's template: six of them
tmp=$(mktemp "$bindir/.piktc.$x$x$x$x$x$x")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
got=$(sha256sum < "$tmp")
got=${got%% *}
if [ "$got" != "$sum" ]; then
    echo "piktc arrived incomplete or damaged (SHA-256 $got, sent $sum)" >&2; exit 3
fi
chmod 755 "$tmp"
if ! out=$("$tmp" --version 2>&1); then
    echo "the master's piktc does not run here: $out" >&2; exit 3
fi
mv -f -- "$tmp" "$bindir/piktc"
trap - EXIT
"#
);

impl Session for SshSession {
    fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError> {
        let piktdir = self.piktdir.clone();
        let words = [
            "sh",
            "-c",
            RUN_PIKTC,
            "sh",
            &piktdir,
            "--apply-bundle",
            "--piktdir",
            &piktdir,
        ];
        let (ended, sent) = self.remote(&words, Some(bundle), REPORT_LIMIT);
        let finished = ended.map_err(|cut| self.cut_error(cut, "while applying", sent))?;
        match finished.code {
            Some(0) if finished.stdout_dropped > 0 => Err(HostError::new(
                HostErrorKind::Protocol,
                format!("`{}` answered with more than a report can hold", self.host),
            )),
            Some(0) => Ok(finished.stdout),
            Some(126 | 127) => Err(HostError::new(
                HostErrorKind::Protocol,
                format!(
                    "pikt is not installed on `{}` ({}); bring the host in with `piktc --bootstrap +H {}`",
                    self.host,
                    finished.stderr.trim(),
                    self.host
                ),
            )),
            _ => Err(self.client_failure(&finished)),
        }
    }

    fn probe(&mut self) -> Result<Machine, HostError> {
        let (ended, _) = self.remote(&["uname", "-s", "-m"], None, STATUS_OUTPUT);
        let finished =
            ended.map_err(|cut| self.cut_error(cut, "while looking at the host", false))?;
        if finished.code != Some(0) {
            return Err(self.client_failure(&finished));
        }
        let text = String::from_utf8_lossy(&finished.stdout);
        match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            [system, arch] => Ok(Machine {
                system: (*system).to_string(),
                arch: (*arch).to_string(),
            }),
            _ => Err(HostError::new(
                HostErrorKind::Protocol,
                format!("`uname -s -m` on `{}` printed `{}`", self.host, text.trim()),
            )),
        }
    }

    fn install_piktc(&mut self, piktc: &[u8]) -> Result<(), HostError> {
        let sum = sha256_hex(piktc);
        let piktdir = self.piktdir.clone();
        let words = ["sh", "-c", INSTALL_PIKTC, "sh", &piktdir, &sum];
        let (ended, sent) = self.remote(&words, Some(piktc), STATUS_OUTPUT);
        let finished = ended.map_err(|cut| self.cut_error(cut, "while copying piktc", sent))?;
        match finished.code {
            Some(0) => Ok(()),
            Some(255) => Err(self.client_failure(&finished)),
            _ => Err(HostError::new(
                HostErrorKind::Protocol,
                format!(
                    "cannot put piktc on `{}`: {}",
                    self.host,
                    finished.stderr.trim()
                ),
            )),
        }
    }

    fn close(mut self: Box<Self>) -> Result<(), HostError> {
        self.end_master();
        Ok(())
    }
}

impl Drop for SshSession {
    fn drop(&mut self) {
        self.end_master();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_directory_is_private_and_goes_away() {
        use std::os::unix::fs::PermissionsExt;
        let ssh =
            Ssh::new(SshSettings::default(), Interrupt::new()).unwrap_or_else(|e| panic!("{e}"));
        let dir = ssh.control_dir().to_path_buf();
        let mode = std::fs::metadata(&dir)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o700);
        drop(ssh);
        assert!(!dir.exists());
    }

    #[test]
    fn a_destination_that_is_no_host_name_is_refused_before_ssh_runs() {
        let ssh = Ssh::new(
            SshSettings {
                program: PathBuf::from("/nonexistent/ssh"),
                ..SshSettings::default()
            },
            Interrupt::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let err = ssh
            .connect("-oProxyCommand=touch /tmp/x", "/etc/pikt")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert_eq!(
            err,
            "`-oProxyCommand=touch /tmp/x` is not a host name ssh can be given"
        );
        let err = ssh
            .connect("moscow", "/etc/pikt")
            .and_then(|mut session| session.exchange(b"bundle"))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(err.starts_with("cannot run `/nonexistent/ssh`"), "{err}");
    }

    #[test]
    fn the_bootstrap_script_checks_before_it_replaces() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("pikt");
        let run_script = |sum: &str, input: &[u8]| {
            let mut command = Command::new("/bin/sh");
            command
                .args(["-c", INSTALL_PIKTC, "sh"])
                .arg(&root)
                .arg(sum);
            let limits = Limits {
                deadline: Instant::now() + Duration::from_secs(20),
                interrupt: None,
                stdout_limit: 1024,
            };
            run::run(command, Some(input), &limits)
                .0
                .unwrap_or_else(|e| panic!("{e:?}"))
        };
        let fake = b"#!/bin/sh\necho piktc 9\n";
        let bad = run_script(&sha256_hex(b"other"), fake);
        assert_eq!(bad.code, Some(3));
        assert!(
            bad.stderr.contains("arrived incomplete or damaged"),
            "{}",
            bad.stderr
        );
        assert!(!root.join("bin/piktc").exists());
        let good = run_script(&sha256_hex(fake), fake);
        assert_eq!(good.code, Some(0), "{}", good.stderr);
        assert_eq!(
            std::fs::read(root.join("bin/piktc")).unwrap_or_default(),
            fake
        );
        let broken = b"#!/bin/sh\nexit 1\n";
        let refused = run_script(&sha256_hex(broken), broken);
        assert_eq!(refused.code, Some(3));
        assert!(
            refused.stderr.contains("does not run here"),
            "{}",
            refused.stderr
        );
        assert_eq!(
            std::fs::read(root.join("bin/piktc")).unwrap_or_default(),
            fake
        );
        let names: Vec<_> = std::fs::read_dir(root.join("bin"))
            .map(|r| r.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 1, "no temporaries left: {names:?}");

        // A host whose PIKT.conf moves bindir gets it there, and runs it
        // from there.
        std::fs::create_dir_all(root.join("etc")).unwrap_or_default();
        let moved = dir.path().join("usr bin");
        std::fs::write(
            root.join("etc/PIKT.conf"),
            format!(
                "// the package's\nbindir\t\"{}\"  // binaries\n",
                moved.display()
            ),
        )
        .unwrap_or_default();
        let good = run_script(&sha256_hex(fake), fake);
        assert_eq!(good.code, Some(0), "{}", good.stderr);
        assert_eq!(std::fs::read(moved.join("piktc")).unwrap_or_default(), fake);
    }

    #[test]
    fn the_host_runs_its_own_bindir_piktc() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path();
        let run = |args: &[&str]| {
            let mut command = Command::new("/bin/sh");
            command.args(["-c", RUN_PIKTC, "sh"]).arg(root).args(args);
            let limits = Limits {
                deadline: Instant::now() + Duration::from_secs(20),
                interrupt: None,
                stdout_limit: 1024,
            };
            run::run(command, None, &limits)
                .0
                .unwrap_or_else(|e| panic!("{e:?}"))
        };
        let missing = run(&["--apply-bundle"]);
        assert_eq!(missing.code, Some(127));
        assert_eq!(missing.stderr, format!("no {}/bin/piktc\n", root.display()));
        let write_piktc = |dir: &Path, name: &str| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir_all(dir).unwrap_or_default();
            let path = dir.join("piktc");
            std::fs::write(&path, format!("#!/bin/sh\necho {name} \"$@\"\n")).unwrap_or_default();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_default();
        };
        write_piktc(&root.join("bin"), "root-bin");
        assert_eq!(run(&["a b", "$c"]).stdout, b"root-bin a b $c\n");
        write_piktc(&root.join("sbin"), "moved");
        std::fs::create_dir_all(root.join("etc")).unwrap_or_default();
        std::fs::write(
            root.join("etc/PIKT.conf"),
            format!("  bindir {}/sbin\n", root.display()),
        )
        .unwrap_or_default();
        assert_eq!(run(&["x"]).stdout, b"moved x\n");
    }
}
