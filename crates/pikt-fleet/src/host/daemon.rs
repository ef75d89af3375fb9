//! piktd on this host: `-k` stops it, `-r` stops it if it runs and starts
//! it again.
//!
//! * Which piktd: the process holding the `flock` on `=etcdir/piktd.lock`,
//!   found in `/proc/locks` by the lock file's device and inode (the pid
//!   written in the file is only a fallback: nothing trusts it).
//! * A piktd under systemd (its cgroup is a `.service` unit), or any
//!   piktd on a systemd host where `piktd.service` is loaded, is stopped
//!   and started with `systemctl`, so systemd keeps managing it.
//! * Otherwise piktd gets `SIGTERM` (it stops its runs and exits within
//!   seconds), and a new one is started as `=bindir/piktd --piktdir ROOT
//!   --host NAME` in a process group of its own, with every stream on
//!   `/dev/null` (it logs to piktd.log); success is the lock held again.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

use super::status::read_lock_pid;
use super::HostSide;
use crate::plan::DaemonAction;
use crate::report::DaemonResult;

/// How long piktd gets to stop (it gives its runs 5 s).
const STOP_WAIT: Duration = Duration::from_secs(15);
/// How long a new piktd gets to take its lock.
const START_WAIT: Duration = Duration::from_secs(10);
/// The unit name looked for on a systemd host.
const UNIT: &str = "piktd.service";

pub(super) fn act(action: DaemonAction, side: &HostSide, dry_run: bool) -> DaemonResult {
    let lock = side.site.piktd_files().lock;
    let before = holder(&lock, side);
    let unit = match before {
        Some(pid) => unit_of(pid),
        None => loaded_unit(),
    };
    let mut result = DaemonResult {
        action,
        before,
        after: before,
        how: String::new(),
        done: true,
        problem: None,
    };
    result.how = match (&unit, action) {
        (Some(unit), DaemonAction::Restart) => format!("systemctl restart {unit}"),
        (Some(unit), DaemonAction::Stop) => format!("systemctl stop {unit}"),
        (None, DaemonAction::Stop) => "SIGTERM".into(),
        (None, DaemonAction::Restart) if before.is_some() => "SIGTERM, then start".into(),
        (None, DaemonAction::Restart) => "start".into(),
    };
    if dry_run || (action == DaemonAction::Stop && before.is_none()) {
        return result;
    }
    let outcome = match (unit, action) {
        (Some(unit), _) => by_systemctl(&unit, action, &lock, side, before),
        (None, DaemonAction::Stop) => stop(before, &lock, side).map(|()| None),
        (None, DaemonAction::Restart) => {
            stop(before, &lock, side).and_then(|()| start(side, &lock).map(Some))
        }
    };
    match outcome {
        Ok(after) => result.after = after,
        Err(problem) => {
            result.done = false;
            result.after = holder(&lock, side);
            result.problem = Some(problem);
        }
    }
    result
}

/// The pid of the piktd holding `lock`, if one does.
fn holder(lock: &Path, side: &HostSide) -> Option<u32> {
    if !matches!((side.probe)(lock), Ok(true)) {
        return None;
    }
    lock_holder(lock).or_else(|| read_lock_pid(lock))
}

/// The pid holding an `flock` on `lock`, from `/proc/locks`.
fn lock_holder(lock: &Path) -> Option<u32> {
    let meta = std::fs::metadata(lock).ok()?;
    let dev = meta.dev();
    let id = format!(
        "{:02x}:{:02x}:{}",
        rustix::fs::major(dev),
        rustix::fs::minor(dev),
        meta.ino()
    );
    let table = std::fs::read_to_string("/proc/locks").ok()?;
    table.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        // `1: FLOCK ADVISORY WRITE 812 08:01:1234 0 EOF`; a waiter has `->`.
        (words.get(1) == Some(&"FLOCK") && words.get(5) == Some(&id.as_str()))
            .then(|| words.get(4)?.parse().ok())
            .flatten()
    })
}

/// The systemd service unit `pid` runs in, if any.
fn unit_of(pid: u32) -> Option<String> {
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    cgroup.lines().find_map(|line| {
        line.rsplit('/')
            .next()
            .filter(|name| name.ends_with(".service"))
            .map(str::to_string)
    })
}

/// `piktd.service`, when this host runs systemd and knows that unit.
fn loaded_unit() -> Option<String> {
    if !Path::new("/run/systemd/system").is_dir() {
        return None;
    }
    let out = Command::new("systemctl")
        .args(["show", "--property=LoadState", "--value", UNIT])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    (String::from_utf8_lossy(&out.stdout).trim() == "loaded").then(|| UNIT.to_string())
}

fn by_systemctl(
    unit: &str,
    action: DaemonAction,
    lock: &Path,
    side: &HostSide,
    before: Option<u32>,
) -> Result<Option<u32>, String> {
    let verb = match action {
        DaemonAction::Restart => "restart",
        DaemonAction::Stop => "stop",
    };
    let out = Command::new("systemctl")
        .args([verb, unit])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run systemctl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`systemctl {verb} {unit}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    match action {
        DaemonAction::Stop => Ok(None),
        DaemonAction::Restart => wait_for(START_WAIT, || {
            holder(lock, side).filter(|p| Some(*p) != before)
        })
        .map(Some)
        .ok_or_else(|| {
            format!(
                "piktd did not take its lock within {}s",
                START_WAIT.as_secs()
            )
        }),
    }
}

/// Stops the piktd `pid` (if any) with `SIGTERM` and waits for its lock.
fn stop(pid: Option<u32>, lock: &Path, side: &HostSide) -> Result<(), String> {
    let Some(pid) = pid else {
        return Ok(());
    };
    let target = i32::try_from(pid).ok().and_then(Pid::from_raw);
    if let Some(target) = target {
        kill_process(target, Signal::TERM)
            .map_err(|e| format!("cannot signal piktd (pid {pid}): {e}"))?;
    }
    wait_for(STOP_WAIT, || (holder(lock, side).is_none()).then_some(())).ok_or_else(|| {
        format!(
            "piktd (pid {pid}) did not stop within {}s",
            STOP_WAIT.as_secs()
        )
    })
}

/// Starts a piktd for this installation and waits for it to take its lock.
fn start(side: &HostSide, lock: &Path) -> Result<u32, String> {
    let binary = piktd_binary(side)?;
    let mut command = Command::new(&binary);
    command
        .arg("--piktdir")
        .arg(side.site.root())
        .current_dir(side.site.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    if let Ok(host) = side.site.host() {
        command.arg("--host").arg(host);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", binary.display()))?;
    let started = Instant::now();
    while started.elapsed() < START_WAIT {
        if let Some(pid) = holder(lock, side) {
            return Ok(pid);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "`{}` exited at once ({status}): see its log, or run `piktd -z`",
                binary.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "piktd did not take its lock within {}s",
        START_WAIT.as_secs()
    ))
}

/// `=bindir/piktd`, else the `piktd` beside the running program.
fn piktd_binary(side: &HostSide) -> Result<PathBuf, String> {
    let installed = side.site.layout.bindir.join("piktd");
    if installed.is_file() {
        return Ok(installed);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("piktd")))
        .filter(|p| p.is_file());
    beside.ok_or_else(|| {
        format!(
            "no piktd to start: `{}` does not exist",
            installed.display()
        )
    })
}

/// Polls `check` every 50 ms for at most `limit`.
fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let started = Instant::now();
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if started.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
