//! Real hosts for the fleet tests: each its own network namespace with an
//! sshd, its own host key, host name (UTS namespace), process table (PID
//! namespace, sshd is its PID 1) and `/etc` (a mount namespace binds a copy
//! of the machine's `/etc` over it, whose `pikt` directory is the host's
//! `/etc/pikt`: the test reads and writes a host's installation directly
//! through [`TestHosts::root`]). The machine's own `/etc/pikt` is never
//! made, used or mounted on: a mount point there would vanish from the
//! hosts when another test (the Debian package's) removes it, and the
//! hosts would then write the machine's.
//!
//! ```text
//! test process (the master) ──ssh──▶ 10.213.47.11 ankara   (netns pkflt-ankara)
//!   bridge pkflt0 10.213.47.1  ──▶ 10.213.47.12 bergen   ...
//! ```
//!
//! * Started once per test process, by the first test that asks
//!   ([`hosts`]); tests take turns through a mutex (one fleet, shared).
//! * Across processes (two `cargo test` runs on one machine), a lock file
//!   ([`LOCK`]) serialises whole runs.
//! * Torn down at the end: a small reaper process waits for this process
//!   to end (its standard input is a pipe only we hold) and then removes
//!   the namespaces, the bridge and the files; it holds the lock until it
//!   is done. The sshd chains are started under `setpriv --pdeathsig KILL`
//!   from a keeper thread that lives as long as the process, so they die
//!   with it even when it is killed.
//! * A run that crashed without its reaper (a reboot, a `kill -9` of the
//!   reaper) leaves namespaces behind: the next start removes every
//!   namespace and link with our prefix first.
//!
//! The recipe, and why each step looks the way it does, is in
//! docs/testing.md ("Real hosts over ssh").

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

use rustix::fs::{flock, FlockOperation};
use rustix::process::{kill_process, Pid, Signal};

use super::{poll_until, require_program};

/// Every name we create starts with this.
const PREFIX: &str = "pkflt-";
/// The bridge the hosts hang off (the master's side).
const BRIDGE: &str = "pkflt0";
/// The first three bytes of every address.
const SUBNET: &str = "10.213.47";
/// Where the hosts' files live.
const BASE: &str = "/tmp/pikt-fleet-test";
/// Serialises whole test runs on one machine.
pub const LOCK: &str = "/run/lock/pikt-test-fleet.lock";
/// How long a run waits for another to finish.
const LOCK_WAIT: Duration = Duration::from_secs(900);
/// The hosts, in order: the master's systems.cfg lists them too.
pub const HOST_NAMES: [&str; 4] = ["ankara", "bergen", "cairo", "dakar"];
/// The master's name (its address is the bridge's).
pub const MASTER: &str = "pikt-master";

/// One host.
#[derive(Clone, Debug)]
pub struct HostInfo {
    /// Its name (systems.cfg, `hostname`, ssh_config).
    pub name: String,
    /// Its address.
    pub ip: String,
    /// Its own directory under [`BASE`].
    dir: PathBuf,
}

impl HostInfo {
    fn netns(&self) -> String {
        format!("{PREFIX}{}", self.name)
    }
}

/// The running hosts.
pub struct TestHosts {
    hosts: Vec<HostInfo>,
    keeper: Keeper,
    ssh_config: PathBuf,
    /// Keeps the reaper waiting until this process ends.
    _reaper: ChildStdin,
}

static HOSTS: OnceLock<Mutex<TestHosts>> = OnceLock::new();

/// The directory of the hosts' files (removed with them at the end).
pub fn base() -> PathBuf {
    PathBuf::from(BASE)
}

/// The hosts, started the first time; held until the guard is dropped.
pub fn hosts() -> MutexGuard<'static, TestHosts> {
    HOSTS
        .get_or_init(|| {
            Mutex::new(
                TestHosts::start().unwrap_or_else(|e| panic!("cannot start the test hosts: {e}")),
            )
        })
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TestHosts {
    fn start() -> io::Result<TestHosts> {
        for (program, package) in [
            ("sshd", "openssh-server"),
            ("ssh", "openssh-client"),
            ("ssh-keygen", "openssh-client"),
            ("ip", "iproute2"),
            ("unshare", "util-linux"),
            ("setpriv", "util-linux"),
        ] {
            require_program(program, package)?;
        }
        let lock = take_lock()?;
        remove_leftovers();
        let reaper = start_reaper(&lock)?;
        let base = Path::new(BASE);
        fs::create_dir_all(base)?;
        fs::set_permissions(base, fs::Permissions::from_mode(0o755))?;
        keygen(&base.join("id_ed25519"))?;
        fs::create_dir_all("/run/sshd")?;
        sh(&format!(
            "ip link add {BRIDGE} type bridge && ip addr add {SUBNET}.1/24 dev {BRIDGE} && ip link set {BRIDGE} up"
        ))?;
        let hosts: Vec<HostInfo> = HOST_NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| HostInfo {
                name: (*name).to_string(),
                ip: format!("{SUBNET}.{}", 11 + i),
                dir: base.join(name),
            })
            .collect();
        let mut known = String::new();
        for (i, host) in hosts.iter().enumerate() {
            prepare_host(host, &hosts)?;
            let _ = writeln!(
                known,
                "{},{} {}",
                host.name,
                host.ip,
                public_key(&host.dir)?
            );
            let ns = host.netns();
            sh(&format!(
                "ip netns add {ns} && ip link add {PREFIX}v{i} type veth peer name eth0 netns {ns} && \
                 ip link set {PREFIX}v{i} master {BRIDGE} up && \
                 ip -n {ns} addr add {}/24 dev eth0 && ip -n {ns} link set lo up && \
                 ip -n {ns} link set eth0 up && ip -n {ns} route add default via {SUBNET}.1",
                host.ip
            ))?;
        }
        fs::write(base.join("known_hosts"), known)?;
        let ssh_config = base.join("ssh_config");
        fs::write(&ssh_config, client_config(&hosts))?;
        let keeper = Keeper::spawn();
        let started = TestHosts {
            hosts,
            keeper,
            ssh_config,
            _reaper: reaper,
        };
        for host in &started.hosts {
            started.start_sshd(&host.name)?;
        }
        // The lock lives on in the reaper, which holds it until it has
        // cleaned up after this process.
        drop(lock);
        Ok(started)
    }

    fn host(&self, name: &str) -> &HostInfo {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no test host `{name}`"))
    }

    /// The directory that is `/etc/pikt` on `name`.
    pub fn root(&self, name: &str) -> PathBuf {
        self.host(name).dir.join("etc/pikt")
    }

    /// The ssh client configuration that reaches the hosts by name.
    pub fn ssh_config(&self) -> &Path {
        &self.ssh_config
    }

    /// Empties `name`'s `/etc/pikt`, stops every process on it but sshd,
    /// and (with `binaries`) puts the built `pikt`, `piktc` and `piktd`
    /// into its `bin`, as an installed host has them.
    pub fn reset(&self, name: &str, binaries: &[(&str, &Path)]) -> io::Result<()> {
        self.kill_all_but_sshd(name);
        // The directory itself stays: it is what the host's mount namespace
        // binds over /etc/pikt.
        let root = self.root(name);
        for entry in fs::read_dir(&root)? {
            let path = entry?.path();
            if path.is_dir() && !path.is_symlink() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755))?;
        if !binaries.is_empty() {
            fs::create_dir_all(root.join("bin"))?;
            for (program, built) in binaries {
                let target = root.join("bin").join(program);
                if fs::hard_link(built, &target).is_err() {
                    fs::copy(built, &target)?;
                }
            }
        }
        Ok(())
    }

    /// Every process in `name`'s network namespace but its unshare and
    /// sshd (piktd and whatever a test started there).
    fn kill_all_but_sshd(&self, name: &str) {
        let keep = self.keeper.pids(name);
        for pid in netns_pids(&self.host(name).netns()) {
            if !keep.contains(&pid) {
                if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
                    let _ = kill_process(pid, Signal::KILL);
                }
            }
        }
    }

    /// Starts `name`'s sshd (in fresh mount, UTS and PID namespaces inside
    /// its network namespace) and waits until it listens.
    pub fn start_sshd(&self, name: &str) -> io::Result<()> {
        let host = self.host(name).clone();
        self.keeper.start_host(&host)?;
        let address = format!("{}:22", host.ip);
        poll_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect_timeout(&address.parse().ok()?, Duration::from_millis(200))
                .ok()
        })
        .map(drop)
        .ok_or_else(|| {
            io::Error::other(format!(
                "sshd of `{name}` does not listen: {}",
                super::file_text(&host.dir.join("sshd.log"))
            ))
        })
    }

    /// Stops `name`'s sshd, and with it every process of the host (sshd is
    /// the PID namespace's first process). New connections are refused.
    pub fn stop_sshd(&self, name: &str) {
        self.keeper.stop(name);
    }

    /// Freezes (`SIGSTOP`) or thaws `name`'s sshd: connections are accepted
    /// by the kernel, but nobody answers.
    pub fn freeze_sshd(&self, name: &str, frozen: bool) {
        let signal = if frozen { Signal::STOP } else { Signal::CONT };
        if let Some(pid) = self
            .keeper
            .sshd_pid(name)
            .and_then(|p| Pid::from_raw(p as i32))
        {
            let _ = kill_process(pid, signal);
        }
    }

    /// Gives `name` a new host key (known_hosts keeps the old one), or its
    /// old one back, and restarts its sshd.
    pub fn change_host_key(&self, name: &str, changed: bool) -> io::Result<()> {
        let ssh = self.host(name).dir.join("ssh");
        let key = ssh.join("host_ed25519");
        let other = ssh.join("other_ed25519");
        if !other.exists() {
            keygen(&other)?;
        }
        let config = fs::read_to_string(ssh.join("sshd_config"))?;
        let (from, to) = if changed {
            (&key, &other)
        } else {
            (&other, &key)
        };
        let config = config.replace(
            &format!("HostKey {}", from.display()),
            &format!("HostKey {}", to.display()),
        );
        fs::write(ssh.join("sshd_config"), config)?;
        self.stop_sshd(name);
        self.start_sshd(name)
    }

    /// Runs `command` on `name` over ssh (for looking around, as root).
    pub fn ssh(&self, name: &str, command: &str) -> Output {
        Command::new("ssh")
            .arg("-F")
            .arg(&self.ssh_config)
            .args(["-o", "BatchMode=yes", name, command])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("ssh: {e}"))
    }
}

/// The exclusive lock of a whole run.
fn take_lock() -> io::Result<File> {
    if let Some(dir) = Path::new(LOCK).parent() {
        fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(LOCK)?;
    poll_until(LOCK_WAIT, || {
        flock(&file, FlockOperation::NonBlockingLockExclusive).ok()
    })
    .ok_or_else(|| io::Error::other(format!("`{LOCK}` is still held by another test run")))?;
    Ok(file)
}

/// The shell commands that remove everything a run made.
fn cleanup_script() -> String {
    format!(
        "for ns in $(ip netns list | awk '{{print $1}}' | grep '^{PREFIX}'); do \
           for p in $(ip netns pids \"$ns\"); do kill -9 \"$p\"; done; \
           ip netns del \"$ns\"; \
         done; \
         for l in $(ip -o link show | awk -F': ' '{{print $2}}' | cut -d@ -f1 | grep '^{PREFIX}'); do ip link del \"$l\"; done; \
         ip link del {BRIDGE}; \
         rm -rf {BASE}"
    )
}

/// Removes what a crashed run left (we hold the lock: nobody else is using it).
fn remove_leftovers() {
    let _ = Command::new("/bin/sh")
        .args(["-c", &cleanup_script()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Starts the process that cleans up when this one ends: it reads its
/// standard input (a pipe only we hold) until end of file, then removes
/// everything; the lock file is its standard output, so it holds the lock
/// until it is done.
fn start_reaper(lock: &File) -> io::Result<ChildStdin> {
    let script = format!("read -r _ ; {{ {} ; }} >/dev/null 2>&1", cleanup_script());
    let mut child = Command::new("/bin/sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(lock.try_clone()?))
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("the reaper has no standard input"))
}

fn sh(script: &str) -> io::Result<()> {
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "`{script}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    )))
}

fn keygen(path: &Path) -> io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "ssh-keygen for {} failed",
            path.display()
        )));
    }
    Ok(())
}

fn public_key(dir: &Path) -> io::Result<String> {
    let text = fs::read_to_string(dir.join("ssh/host_ed25519.pub"))?;
    Ok(text
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" "))
}

/// A host's directory: sshd's files and its `/etc`, a copy of the
/// machine's with an empty `pikt`, its own `hosts` and an empty
/// `resolv.conf` (no DNS in the namespace: look-ups fail at once instead
/// of timing out).
fn prepare_host(host: &HostInfo, all: &[HostInfo]) -> io::Result<()> {
    let ssh = host.dir.join("ssh");
    fs::create_dir_all(&ssh)?;
    let etc = host.dir.join("etc");
    let copied = Command::new("cp")
        .args(["-a", "/etc"])
        .arg(&etc)
        .stdin(Stdio::null())
        .status()?;
    if !copied.success() {
        return Err(io::Error::other(format!(
            "cannot copy /etc to {}",
            etc.display()
        )));
    }
    let root = etc.join("pikt");
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    fs::create_dir_all(&root)?;
    for dir in [&host.dir, &ssh, &etc, &root] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    }
    keygen(&ssh.join("host_ed25519"))?;
    let authorized = ssh.join("authorized_keys");
    fs::copy(Path::new(BASE).join("id_ed25519.pub"), &authorized)?;
    fs::set_permissions(&authorized, fs::Permissions::from_mode(0o600))?;
    let config = format!(
        "ListenAddress {ip}\nPort 22\nHostKey {key}\nPidFile none\nAuthorizedKeysFile {auth}\n\
         PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
         UsePAM no\nStrictModes no\nUseDNS no\nMaxStartups 100:30:200\nMaxSessions 50\nLogLevel ERROR\n",
        ip = host.ip,
        key = ssh.join("host_ed25519").display(),
        auth = authorized.display(),
    );
    fs::write(ssh.join("sshd_config"), config)?;
    let mut hosts = format!("127.0.0.1 localhost\n{SUBNET}.1 {MASTER}\n");
    for other in all {
        let _ = writeln!(hosts, "{} {}", other.ip, other.name);
    }
    for (name, text) in [("hosts", hosts.as_str()), ("resolv.conf", "")] {
        let path = etc.join(name);
        let _ = fs::remove_file(&path);
        fs::write(&path, text)?;
    }
    Ok(())
}

/// The master's ssh configuration for the hosts: names to addresses, our
/// key, our known_hosts; host-key checking as ssh's default leaves it.
fn client_config(hosts: &[HostInfo]) -> String {
    let mut text = String::new();
    for host in hosts {
        let _ = writeln!(text, "Host {}\n  HostName {}", host.name, host.ip);
    }
    let base = Path::new(BASE);
    let _ = write!(
        text,
        "Host *\n  User root\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
        base.join("id_ed25519").display(),
        base.join("known_hosts").display()
    );
    text
}

/// The pids in network namespace `ns` (as the root namespace numbers them).
fn netns_pids(ns: &str) -> Vec<u32> {
    Command::new("ip")
        .args(["netns", "pids", ns])
        .output()
        .map(|out| {
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The thread that starts every sshd chain, so that `--pdeathsig` (which
/// fires when the *thread* that started a process ends) fires only when
/// the whole test process does.
struct Keeper {
    tx: Mutex<mpsc::Sender<Order>>,
}

enum Order {
    Start(HostInfo, mpsc::Sender<io::Result<()>>),
    Stop(String, mpsc::Sender<()>),
    Pids(String, mpsc::Sender<(Option<u32>, Option<u32>)>),
}

impl Keeper {
    fn spawn() -> Keeper {
        let (tx, rx) = mpsc::channel::<Order>();
        thread::spawn(move || {
            let mut running: BTreeMap<String, Child> = BTreeMap::new();
            for order in rx {
                match order {
                    Order::Start(host, reply) => {
                        let started = spawn_sshd(&host).map(|child| {
                            running.insert(host.name.clone(), child);
                        });
                        let _ = reply.send(started);
                    }
                    Order::Stop(name, reply) => {
                        if let Some(mut child) = running.remove(&name) {
                            stop_chain(&mut child);
                        }
                        let _ = reply.send(());
                    }
                    Order::Pids(name, reply) => {
                        let pids = running
                            .get(&name)
                            .map(|c| (Some(c.id()), first_child(c.id())))
                            .unwrap_or((None, None));
                        let _ = reply.send(pids);
                    }
                }
            }
        });
        Keeper { tx: Mutex::new(tx) }
    }

    fn send(&self, order: Order) {
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(order);
        }
    }

    fn start_host(&self, host: &HostInfo) -> io::Result<()> {
        let (reply, answer) = mpsc::channel();
        self.send(Order::Start(host.clone(), reply));
        answer
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the keeper thread is gone")))
    }

    fn stop(&self, name: &str) {
        let (reply, answer) = mpsc::channel();
        self.send(Order::Stop(name.to_string(), reply));
        let _ = answer.recv();
    }

    /// The host's unshare and sshd.
    fn pids(&self, name: &str) -> Vec<u32> {
        let (reply, answer) = mpsc::channel();
        self.send(Order::Pids(name.to_string(), reply));
        let (unshare, sshd) = answer.recv().unwrap_or((None, None));
        unshare.into_iter().chain(sshd).collect()
    }

    fn sshd_pid(&self, name: &str) -> Option<u32> {
        let (reply, answer) = mpsc::channel();
        self.send(Order::Pids(name.to_string(), reply));
        answer.recv().ok().and_then(|(_, sshd)| sshd)
    }
}

/// `setpriv --pdeathsig KILL -- ip netns exec NS unshare ... sh -c '...;
/// exec sshd'`: the whole host, which dies with the keeper thread.
fn spawn_sshd(host: &HostInfo) -> io::Result<Child> {
    let dir = &host.dir;
    let script = format!(
        "hostname {name} && mount --bind {etc} /etc && exec /usr/sbin/sshd -D -e -f {config}",
        name = host.name,
        etc = dir.join("etc").display(),
        config = dir.join("ssh/sshd_config").display(),
    );
    let log = File::create(dir.join("sshd.log"))?;
    Command::new("setpriv")
        .args(["--pdeathsig", "KILL", "--", "ip", "netns", "exec"])
        .arg(host.netns())
        .args([
            "unshare",
            "--mount",
            "--uts",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            &script,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
}

/// The first child of `pid` (unshare's child: the host's PID 1, sshd).
fn first_child(pid: u32) -> Option<u32> {
    poll_until(Duration::from_secs(5), || {
        fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// Kills the host's PID 1 (the kernel then kills every process of its PID
/// namespace; `unshare --fork` itself ignores SIGTERM) and reaps unshare.
fn stop_chain(child: &mut Child) {
    if let Some(sshd) = first_child(child.id()).and_then(|p| Pid::from_raw(p as i32)) {
        let _ = kill_process(sshd, Signal::KILL);
    }
    let exited = poll_until(Duration::from_secs(5), || child.try_wait().ok().flatten());
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
}
