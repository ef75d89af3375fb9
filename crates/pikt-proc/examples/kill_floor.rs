//! The floor under the imapd storm bench (`bench/storm/`): the least work that
//! finds and kills every process of one uid and command, with none of the
//! checks of `kill_checked` and no alert run around it, so the time the
//! kernel itself needs to kill 2000 processes on this host can be set next to
//! pikt's.
//!
//! ```text
//! kill_floor scan UID COMM    walk /proc once: owner of /proc/PID, one read of
//!                             its stat; SIGKILL each live match through its
//!                             /proc/PID fd
//! kill_floor pids FILE        SIGKILL the pids listed in FILE (one a line)
//!                             with kill(2): no /proc at all
//! kill_floor pids2 FILE       the same from two threads, half each (it is no
//!                             faster: the victims' exits fill both CPUs)
//! kill_floor proc USER COMM   pikt-proc without pikt: a full snapshot, then
//!                             kill_matching_with starting from it, checks and
//!                             all (what the native `#killprocs` does after the
//!                             script's `ps`)
//! ```
//!
//! It prints how many it signalled and the microseconds it took on standard
//! error. Only `proc` is pikt's way: the others signal numbers they read
//! without re-checking them, exactly what `kill_checked` exists to avoid.

use std::process::ExitCode;
use std::time::Instant;

use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::process::{Pid, Signal};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let signalled = match args.as_slice() {
        [mode, uid, comm] if mode == "scan" => match uid.parse() {
            Ok(uid) => scan(uid, comm.as_bytes()),
            Err(_) => return usage(),
        },
        [mode, file] if mode == "pids" => listed(file),
        [mode, file] if mode == "pids2" => listed_in_two(file),
        [mode, user, comm] if mode == "proc" => checked(user, comm),
        _ => return usage(),
    };
    match signalled {
        Ok(count) => {
            eprintln!(
                "kill_floor: signalled {count} in {} us",
                started.elapsed().as_micros()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kill_floor: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: kill_floor scan UID COMM | kill_floor pids FILE | kill_floor pids2 FILE | kill_floor proc USER COMM"
    );
    ExitCode::from(2)
}

/// One pass over `/proc`: the owner first (no `stat` read for other users).
fn scan(uid: u32, comm: &[u8]) -> std::io::Result<usize> {
    let proc_dir = rustix::fs::open("/proc", OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())?;
    let mut buffer = vec![0u8; 4096];
    let mut count = 0;
    for entry in std::fs::read_dir("/proc")? {
        let Ok(entry) = entry else { continue };
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Ok(pid) = name.parse::<i32>() else {
            continue;
        };
        let Ok(stat) = rustix::fs::statat(&proc_dir, name.as_str(), AtFlags::empty()) else {
            continue;
        };
        if stat.st_uid != uid {
            continue;
        }
        let Ok(dir) = rustix::fs::openat(
            &proc_dir,
            name.as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            continue;
        };
        if is_live_match(&dir, comm, &mut buffer) && signal(&dir, pid) {
            count += 1;
        }
    }
    Ok(count)
}

/// Whether the process behind `dir` has command `comm` and is not a zombie.
fn is_live_match(dir: &OwnedFd, comm: &[u8], buffer: &mut [u8]) -> bool {
    let Ok(file) = rustix::fs::openat(dir, "stat", OFlags::RDONLY, Mode::empty()) else {
        return false;
    };
    let Ok(length) = rustix::io::read(&file, &mut *buffer) else {
        return false;
    };
    let text = buffer.get(..length).unwrap_or_default();
    let open = text.iter().position(|&byte| byte == b'(');
    let close = text.iter().rposition(|&byte| byte == b')');
    let (Some(open), Some(close)) = (open, close) else {
        return false;
    };
    let name = text.get(open + 1..close).unwrap_or_default();
    let state = text.get(close + 2).copied().unwrap_or(b'Z');
    name == comm && state != b'Z' && state != b'X'
}

fn signal(dir: &OwnedFd, pid: i32) -> bool {
    match rustix::process::pidfd_send_signal(dir, Signal::KILL) {
        Ok(()) => true,
        Err(_) => Pid::from_raw(pid)
            .is_some_and(|pid| rustix::process::kill_process(pid, Signal::KILL).is_ok()),
    }
}

/// `kill(2)` on each listed pid: the kernel's part alone.
fn listed(file: &str) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(file)?;
    let count = text
        .lines()
        .filter_map(|line| line.trim().parse::<i32>().ok())
        .filter_map(Pid::from_raw)
        .filter(|&pid| rustix::process::kill_process(pid, Signal::KILL).is_ok())
        .count();
    Ok(count)
}

/// `kill(2)` on each listed pid from two threads, half each.
fn listed_in_two(file: &str) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(file)?;
    let pids: Vec<Pid> = text
        .lines()
        .filter_map(|line| line.trim().parse::<i32>().ok())
        .filter_map(Pid::from_raw)
        .collect();
    let (first, second) = pids.split_at(pids.len() / 2);
    let kill_all = |pids: &[Pid]| {
        pids.iter()
            .filter(|&&pid| rustix::process::kill_process(pid, Signal::KILL).is_ok())
            .count()
    };
    Ok(std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, || kill_all(second));
        let mine = kill_all(first);
        match other.map(|handle| handle.join()) {
            Ok(Ok(count)) => mine + count,
            // No second thread: this one does its half too.
            Ok(Err(_)) | Err(_) => mine + kill_all(second),
        }
    }))
}

/// What the native `#killprocs` does after the script's `ps`, without pikt around
/// it: a full snapshot, then `kill_matching_with` starting from it.
fn checked(user: &str, comm: &str) -> std::io::Result<usize> {
    use pikt_proc::{kill_matching_with, CheckedSignaller, KillPolicy, KillRequest};
    use pikt_proc::{LinuxProcTable, ProcessTable};
    let started = Instant::now();
    let table = LinuxProcTable::new();
    let listed = table.snapshot(false)?;
    eprintln!(
        "kill_floor: snapshot in {} us",
        started.elapsed().as_micros()
    );
    let request = KillRequest {
        listed: Some(&listed),
        ..KillRequest::new(user, comm, Signal::KILL, 10)
    };
    let policy = KillPolicy::default();
    let report = kill_matching_with(&table, &CheckedSignaller::new(), &request, &policy);
    Ok(report.victims.len())
}
