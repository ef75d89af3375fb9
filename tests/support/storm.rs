//! Storms of real processes for PIKT to count and kill: `count` copies of
//! `/bin/sleep` named `comm` (say `imapd`), running as a test user.
//!
//! One shell started with `setpriv --reuid --regid --init-groups` forks them all
//! and prints their pids; it stays alive as their parent and `wait`s, so a
//! process killed by the test (or by PIKT) is reaped at once. Orphans would be
//! reparented to PID 1, which on the test machines reaps them only every second
//! or two, and a zombie still shows as `USER imapd` in `ps`.
//!
//! Processes are identified by pid *and* start time, so a pid reused after a
//! kill is never mistaken for (or signalled as) a storm process.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::process::{kill_process_group, pidfd_open, pidfd_send_signal, Pid, PidfdFlags, Signal};
use tempfile::TempDir;

use super::users::ensure_any_user;
use super::{file_text, poll_until, require_program};

/// How long the processes of [`Storm::start`] sleep: longer than any test.
const LONG_SLEEP_SECS: u32 = 600;
/// The program copied under the storm's name.
const SLEEP: &str = "/bin/sleep";
/// The longest name the kernel keeps in `comm` (`ps -o comm`); longer ones are cut.
const MAX_COMM_LEN: usize = 15;
/// The line the shell prints after the last pid.
const STARTED: &str = "started";
/// The time a storm may take to start: a base plus this much per process (1000
/// processes start in about 0.8 s on an idle 2-core machine).
const START_BASE: Duration = Duration::from_secs(10);
const START_PER_PROCESS: Duration = Duration::from_millis(10);
/// How long the shell may take to reap its killed children and exit.
const SHELL_EXIT_TIMEOUT: Duration = Duration::from_secs(10);
/// The shell's standard error, in the storm's folder.
const ERR_FILE: &str = "storm.err";

/// The storm's shell: `$1` the program, `$2` how many, `$3` seconds to sleep.
/// It leads a process group of its own holding only itself and its children, so
/// SIGTERM (sent by the kernel when the test's thread dies: `--pdeathsig`) kills
/// every process it started, even one forked an instant before.
const STORM_SCRIPT: &str = r#"trap 'kill -KILL 0' TERM
i=0
while [ "$i" -lt "$2" ]; do
    "$1" "$3" &
    echo "$!"
    i=$((i + 1))
done
echo started
wait
"#;

/// A running storm: every process, the shell that is their parent, and the
/// folder holding the program. Dropping it kills them all.
#[derive(Debug)]
pub struct Storm {
    shell: Option<Child>,
    processes: Vec<StormProcess>,
    comm: String,
    uid: u32,
    _dir: TempDir,
}

/// One process of a storm, as it was when it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StormProcess {
    pid: u32,
    /// Clock ticks since boot (`/proc/PID/stat` field 22): with the pid, unique.
    start_time: u64,
}

/// The fields of `/proc/PID/stat` a storm needs.
#[derive(Debug)]
struct ProcStat {
    comm: String,
    state: char,
    start_time: u64,
}

impl Storm {
    /// Starts `count` processes named `comm` as `user` (created if missing, see
    /// [`ensure_any_user`]), each sleeping 600 s, and waits until every one shows in
    /// `/proc` with that name and uid.
    pub fn start(user: &str, comm: &str, count: usize) -> io::Result<Storm> {
        Storm::start_for(user, comm, count, LONG_SLEEP_SECS)
    }

    /// [`Storm::start`] with processes that end by themselves after `seconds`.
    pub fn start_for(user: &str, comm: &str, count: usize, seconds: u32) -> io::Result<Storm> {
        check_comm(comm)?;
        let (uid, gid) = ensure_any_user(user)?;
        let dir = tempfile::Builder::new()
            .prefix("pikt-storm-")
            .tempdir_in("/tmp")?;
        // The user must be able to reach and run the program.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))?;
        let program = install_program(dir.path(), comm)?;
        let mut shell = spawn_shell(dir.path(), &program, (uid, gid), count, seconds)?;
        let timeout = START_BASE + START_PER_PROCESS.saturating_mul(saturating_u32(count));
        let started = Instant::now();
        let processes = shell
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("the storm shell has no stdout"))
            .and_then(|stdout| read_pids(stdout, count, timeout))
            .and_then(|pids| {
                let left = timeout.saturating_sub(started.elapsed());
                wait_visible(&pids, comm, uid, left)
            });
        match processes {
            Ok(processes) => Ok(Storm {
                shell: Some(shell),
                processes,
                comm: comm.to_owned(),
                uid,
                _dir: dir,
            }),
            Err(error) => {
                abort_shell(&mut shell);
                Err(io::Error::new(
                    error.kind(),
                    format!(
                        "storm of {count} `{comm}` as `{user}`: {error}\nshell stderr:\n{}",
                        file_text(&dir.path().join(ERR_FILE))
                    ),
                ))
            }
        }
    }

    /// Every pid of the storm, in start order (alive or not).
    pub fn pids(&self) -> Vec<u32> {
        self.processes.iter().map(|process| process.pid).collect()
    }

    /// The uid the processes run as.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The processes still alive: not zombies, still named `comm`, with the start
    /// time they had (so a reused pid does not count).
    pub fn alive(&self) -> Vec<u32> {
        self.processes
            .iter()
            .filter(|process| self.is_alive(process))
            .map(|process| process.pid)
            .collect()
    }

    /// Waits until at most `max` processes are alive and returns those; at the
    /// deadline it returns whatever is still alive, for the caller to assert on.
    pub fn wait_alive_at_most(&self, max: usize, timeout: Duration) -> Vec<u32> {
        poll_until(timeout, || {
            let alive = self.alive();
            (alive.len() <= max).then_some(alive)
        })
        .unwrap_or_else(|| self.alive())
    }

    /// SIGKILLs every process still alive, then waits for the shell to reap them
    /// and exit: afterwards none is left, not even as a zombie. Fails if some
    /// process survived.
    pub fn kill_all(&mut self) -> io::Result<()> {
        for process in &self.processes {
            if self.is_alive(process) {
                kill_if_same(process, &self.comm)?;
            }
        }
        if let Some(mut shell) = self.shell.take() {
            let exited = poll_until(SHELL_EXIT_TIMEOUT, || shell.try_wait().ok().flatten());
            if exited.is_none() {
                abort_shell(&mut shell);
            }
        }
        let left = self.alive();
        if left.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "storm processes still alive after SIGKILL: {left:?}"
            )))
        }
    }

    fn is_alive(&self, process: &StormProcess) -> bool {
        read_stat(process.pid).is_some_and(|stat| {
            stat.state != 'Z' && stat.start_time == process.start_time && stat.comm == self.comm
        })
    }
}

impl Drop for Storm {
    fn drop(&mut self) {
        let _ = self.kill_all();
    }
}

/// Refuses names the kernel would cut or that are not a plain file name.
fn check_comm(comm: &str) -> io::Result<()> {
    let plain = !comm.is_empty() && comm != "." && comm != ".." && !comm.contains(['/', '\0']);
    if plain && comm.len() <= MAX_COMM_LEN {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{comm}` cannot be a process name: use 1 to {MAX_COMM_LEN} bytes without `/`"),
        ))
    }
}

/// Copies `/bin/sleep` into `dir` as `comm`, readable and executable by all.
fn install_program(dir: &Path, comm: &str) -> io::Result<PathBuf> {
    let program = dir.join(comm);
    fs::copy(SLEEP, &program)?;
    fs::set_permissions(&program, fs::Permissions::from_mode(0o755))?;
    Ok(program)
}

/// Starts the storm's shell as `(uid, gid)` with the user's groups.
fn spawn_shell(
    dir: &Path,
    program: &Path,
    (uid, gid): (u32, u32),
    count: usize,
    seconds: u32,
) -> io::Result<Child> {
    let setpriv = require_program("setpriv", "util-linux")?;
    // Opened here as root: the user cannot write in the storm's folder.
    let errors = File::create(dir.join(ERR_FILE))?;
    Command::new(setpriv)
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={gid}"))
        .args(["--init-groups", "--pdeathsig", "TERM", "--"])
        .args(["/bin/sh", "-c", STORM_SCRIPT, "pikt-storm"])
        .arg(program)
        .arg(count.to_string())
        .arg(seconds.to_string())
        .current_dir(dir)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(errors)
        .spawn()
}

/// Reads the pids the shell prints until its `started` line, for at most
/// `timeout` (a reader thread, so a stuck shell cannot block the test).
fn read_pids(stdout: ChildStdout, count: usize, timeout: Duration) -> io::Result<Vec<u32>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let last = line.as_ref().map_or(true, |line| line == STARTED);
            if sender.send(line).is_err() || last {
                break;
            }
        }
    });
    let deadline = Instant::now() + timeout;
    let mut pids = Vec::with_capacity(count);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(Ok(line)) if line == STARTED => return check_pids(pids, count),
            Ok(Ok(line)) => pids.push(line.trim().parse().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the storm shell printed `{line}`, not a pid"),
                )
            })?),
            Ok(Err(error)) => return Err(error),
            Err(RecvTimeoutError::Timeout) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("only {} processes started within {timeout:?}", pids.len()),
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(io::Error::other(format!(
                    "the shell ended after starting {} processes",
                    pids.len()
                )))
            }
        }
    }
}

/// Checks that `count` distinct processes started: when `fork` fails (`ulimit
/// -u`), the shell repeats the previous pid.
fn check_pids(pids: Vec<u32>, count: usize) -> io::Result<Vec<u32>> {
    let mut distinct = pids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if pids.len() == count && distinct.len() == count {
        Ok(pids)
    } else {
        Err(io::Error::other(format!(
            "{} of {count} processes started (is `ulimit -u` too low?)",
            distinct.len()
        )))
    }
}

/// Waits until every pid runs the program as `uid` (after `fork` a child is
/// still named `sh` until it `exec`s), recording its start time. A process that
/// is gone or a zombie before that failed to start.
fn wait_visible(
    pids: &[u32],
    comm: &str,
    uid: u32,
    timeout: Duration,
) -> io::Result<Vec<StormProcess>> {
    let mut start_times: Vec<Option<u64>> = vec![None; pids.len()];
    let outcome = poll_until(timeout, || {
        for (pid, start_time) in pids.iter().zip(start_times.iter_mut()) {
            if start_time.is_some() {
                continue;
            }
            match read_stat(*pid) {
                None => return Some(Err(exited_early(*pid, "is gone"))),
                Some(stat) if stat.state == 'Z' => {
                    return Some(Err(exited_early(*pid, "is a zombie")))
                }
                Some(stat) if stat.comm == comm && owner(*pid) == Some(uid) => {
                    *start_time = Some(stat.start_time);
                }
                Some(_) => {}
            }
        }
        start_times.iter().all(Option::is_some).then_some(Ok(()))
    });
    match outcome {
        Some(Ok(())) => Ok(pids
            .iter()
            .zip(&start_times)
            .filter_map(|(&pid, start_time)| {
                Some(StormProcess {
                    pid,
                    start_time: (*start_time)?,
                })
            })
            .collect()),
        Some(Err(error)) => Err(error),
        None => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "{} of {} processes did not show as `{comm}` of uid {uid} within {timeout:?}",
                start_times.iter().filter(|time| time.is_none()).count(),
                pids.len()
            ),
        )),
    }
}

fn exited_early(pid: u32, how: &str) -> io::Error {
    io::Error::other(format!("process {pid} {how} before running the program"))
}

/// The uid owning `/proc/PID`: the process's effective uid, as `ps` shows it.
fn owner(pid: u32) -> Option<u32> {
    fs::metadata(format!("/proc/{pid}"))
        .ok()
        .map(|metadata| metadata.uid())
}

/// Name, state and start time from `/proc/PID/stat`: `PID (COMM) STATE PPID …`,
/// where COMM may hold spaces and parentheses, hence the last `)`.
fn read_stat(pid: u32) -> Option<ProcStat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    let mut fields = text.get(close + 1..)?.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // After the state (field 3), field 22 is the 19th further on.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some(ProcStat {
        comm,
        state,
        start_time,
    })
}

/// SIGKILLs `process` through a pidfd, after checking, with the pidfd held,
/// that the pid still belongs to it: a pid reused in between is left alone.
fn kill_if_same(process: &StormProcess, comm: &str) -> io::Result<()> {
    let Some(pid) = i32::try_from(process.pid).ok().and_then(Pid::from_raw) else {
        return Ok(());
    };
    let pidfd = match pidfd_open(pid, PidfdFlags::empty()) {
        Ok(pidfd) => pidfd,
        Err(Errno::SRCH) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let same = read_stat(process.pid)
        .is_some_and(|stat| stat.start_time == process.start_time && stat.comm == comm);
    if !same {
        return Ok(());
    }
    match pidfd_send_signal(&pidfd, Signal::KILL) {
        Ok(()) | Err(Errno::SRCH) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Stops a shell whose children are not all known (a start that failed half-way,
/// a shell that does not exit): SIGKILL to its whole process group. The group id
/// is the shell's pid, which cannot be reused before the shell is waited for.
fn abort_shell(shell: &mut Child) {
    if let Some(group) = i32::try_from(shell.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(group, Signal::KILL);
    }
    let _ = shell.kill();
    let _ = shell.wait();
}

fn saturating_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The storm self-tests' user, and a name no real test looks for, so PIKT
    /// runs in other tests of this binary never count or kill these processes.
    const USER: &str = "piktstormtst";
    const COMM: &str = "stormselftest";

    /// Whether `pid` is still in the process table as the storm process it was,
    /// zombie or not.
    fn still_listed(storm: &Storm, pid: u32) -> bool {
        let started = storm.processes.iter().find(|p| p.pid == pid);
        let stat = read_stat(pid);
        matches!((started, stat), (Some(p), Some(s)) if s.start_time == p.start_time)
    }

    #[test]
    fn storm_of_50_is_visible_and_killed_without_zombies() -> io::Result<()> {
        let mut storm = Storm::start(USER, COMM, 50)?;
        let pids = storm.pids();
        assert_eq!(pids.len(), 50);
        assert_eq!(storm.alive(), pids);
        let (uid, _) = ensure_any_user(USER)?;
        assert_eq!(storm.uid(), uid);
        for &pid in &pids {
            assert_eq!(owner(pid), Some(uid), "pid {pid}");
            let comm = fs::read_to_string(format!("/proc/{pid}/comm"))?;
            assert_eq!(comm, format!("{COMM}\n"));
        }
        storm.kill_all()?;
        assert!(storm.alive().is_empty());
        let listed: Vec<u32> = pids
            .iter()
            .copied()
            .filter(|&p| still_listed(&storm, p))
            .collect();
        assert!(listed.is_empty(), "left in /proc (zombies?): {listed:?}");
        storm.kill_all()
    }

    #[test]
    fn processes_killed_from_outside_are_reaped_at_once() -> io::Result<()> {
        let storm = Storm::start(USER, COMM, 10)?;
        let pids = storm.pids();
        let victims: Vec<String> = pids.iter().take(3).map(u32::to_string).collect();
        // The way PIKT's kill_user_proc does it: /bin/kill -9 PID.
        let status = Command::new("/bin/kill")
            .arg("-9")
            .args(&victims)
            .status()?;
        assert!(status.success());
        let alive = storm.wait_alive_at_most(7, Duration::from_secs(10));
        assert_eq!(alive, pids.get(3..).unwrap_or_default());
        // A zombie is not alive, but the shell reaps it within milliseconds.
        let reaped = poll_until(Duration::from_secs(5), || {
            (!pids.iter().take(3).any(|&p| still_listed(&storm, p))).then_some(())
        });
        assert!(reaped.is_some(), "a killed process is still a zombie");
        Ok(())
    }

    #[test]
    fn dropping_a_storm_kills_every_process() -> io::Result<()> {
        let storm = Storm::start(USER, COMM, 20)?;
        let started: Vec<StormProcess> = storm.processes.clone();
        drop(storm);
        let left: Vec<u32> = started
            .iter()
            .filter(|p| read_stat(p.pid).is_some_and(|s| s.start_time == p.start_time))
            .map(|p| p.pid)
            .collect();
        assert!(left.is_empty(), "{left:?}");
        Ok(())
    }

    #[test]
    fn a_short_storm_ends_by_itself() -> io::Result<()> {
        let storm = Storm::start_for(USER, COMM, 5, 1)?;
        assert_eq!(storm.alive().len(), 5);
        let alive = storm.wait_alive_at_most(0, Duration::from_secs(10));
        assert!(alive.is_empty(), "{alive:?}");
        Ok(())
    }

    #[test]
    fn storm_of_300_starts_and_dies() -> io::Result<()> {
        // How long it takes is printed, not asserted (bench/ measures speed).
        let started = Instant::now();
        let mut storm = Storm::start(USER, COMM, 300)?;
        eprintln!("storm of 300 started in {:?}", started.elapsed());
        assert_eq!(storm.alive().len(), 300);
        let killing = Instant::now();
        storm.kill_all()?;
        eprintln!("storm of 300 killed and reaped in {:?}", killing.elapsed());
        assert!(storm.alive().is_empty());
        Ok(())
    }

    #[test]
    fn storm_of_2000_starts_and_dies() -> io::Result<()> {
        let started = Instant::now();
        let mut storm = Storm::start(USER, COMM, 2000)?;
        eprintln!("storm of 2000 started in {:?}", started.elapsed());
        assert_eq!(storm.alive().len(), 2000);
        let killing = Instant::now();
        storm.kill_all()?;
        eprintln!("storm of 2000 killed and reaped in {:?}", killing.elapsed());
        assert!(storm.alive().is_empty());
        Ok(())
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["", "a/b", "..", "sixteen-chars-xx"] {
            let kind = Storm::start(USER, bad, 1).err().map(|e| e.kind());
            assert_eq!(kind, Some(io::ErrorKind::InvalidInput), "{bad:?}");
        }
        assert!(check_comm("fifteen-chars-x").is_ok());
    }

    #[test]
    fn stat_lines_with_odd_names_parse() {
        assert!(check_pids(vec![5, 6, 6], 3).is_err());
        assert_eq!(check_pids(vec![5, 6, 7], 3).ok(), Some(vec![5, 6, 7]));
        let own = read_stat(std::process::id());
        assert!(own.is_some_and(|stat| stat.state != 'Z' && stat.start_time > 0));
    }
}
