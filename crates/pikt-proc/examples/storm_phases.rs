//! Times the phases of a native kill on a storm of this process's own children,
//! so the parts of `bench/storm/` that are pikt-proc's can be told apart:
//!
//! ```text
//! storm_phases [N]    (default 2000)
//! ```
//!
//! It starts N copies of `sleep` renamed `piktphase`, then prints, each on a
//! fresh storm: a full snapshot and one of this user only; `kill_matching` from
//! a fresh snapshot and from a listed one; the checked kill of each process
//! (`kill_checked_with`) alone; and a bare `kill(2)` of each pid, the floor.
//! Killed children stay zombies until the storm is reaped, which the timings
//! do not include ("gone" means dead, as in the bench). Run it as any user; it
//! signals only its own children.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pikt_proc::{
    kill_checked_with, kill_matching_with, CheckedSignaller, KillPolicy, KillRequest,
    LinuxProcTable, Process, ProcessTable, Protected, Signal, Signaller,
};

const NAME: &str = "piktphase";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size: usize = std::env::args()
        .nth(1)
        .map_or(Ok(2000), |text| text.parse())?;
    let folder = tempfile_dir()?;
    let program = folder.join(NAME);
    std::fs::copy("/bin/sleep", &program)?;
    let table = LinuxProcTable::new();
    let policy = KillPolicy {
        allow_root_targets: true,
        round_pause: Duration::from_millis(50),
    };

    let mut storm = Storm::start(&program, size)?;
    let user = storm.user(&table)?;
    time("snapshot, all users", || {
        table.snapshot(false).map(|all| all.len())
    });
    time("snapshot, one user", || {
        table.snapshot_of_user(&user).map(|own| own.len())
    });
    let request = KillRequest::new(&user, NAME, Signal::KILL, 10);
    time("kill_matching, fresh first round", || {
        let report = kill_matching_with(&table, &CheckedSignaller::new(), &request, &policy);
        Ok::<_, std::io::Error>(report.victims.len())
    });
    storm.reap();

    let mut storm = Storm::start(&program, size)?;
    let listed = table.snapshot(false)?;
    let from_list = KillRequest {
        listed: Some(&listed),
        ..request
    };
    time("kill_matching, listed first round", || {
        let report = kill_matching_with(&table, &CheckedSignaller::new(), &from_list, &policy);
        Ok::<_, std::io::Error>(report.victims.len())
    });
    storm.reap();

    let mut storm = Storm::start(&program, size)?;
    let targets = storm.processes(&table)?;
    time("kill_checked_with each, no exit watch", || {
        let protected = Protected::current();
        let killed = targets
            .iter()
            .filter(|target| kill_checked_with(target, Signal::KILL, &policy, &protected).is_ok())
            .count();
        Ok::<_, std::io::Error>(killed)
    });
    storm.reap();

    let mut storm = Storm::start(&program, size)?;
    let targets = storm.processes(&table)?;
    time("CheckedSignaller each, then wait for exits", || {
        let protected = Protected::current();
        let signaller = CheckedSignaller::new();
        let killed = targets
            .iter()
            .filter(|target| {
                signaller
                    .signal_watched(target, Signal::KILL, &policy, &protected)
                    .is_ok()
            })
            .count();
        signaller.wait_for_exits(Duration::from_secs(5));
        Ok::<_, std::io::Error>(killed)
    });
    storm.reap();

    let mut storm = Storm::start(&program, size)?;
    time("kill(2) each, the floor", || {
        let killed = storm
            .children
            .iter()
            .filter_map(|child| rustix::process::Pid::from_raw(i32::try_from(child.id()).ok()?))
            .filter(|&pid| rustix::process::kill_process(pid, Signal::KILL).is_ok())
            .count();
        Ok::<_, std::io::Error>(killed)
    });
    storm.reap();
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

fn time<E: std::fmt::Display>(label: &str, run: impl FnOnce() -> Result<usize, E>) {
    let started = Instant::now();
    let result = run();
    let elapsed = started.elapsed();
    let line = match result {
        Ok(count) => format!(
            "{label:45} {count:6} in {:8.1} ms",
            elapsed.as_secs_f64() * 1e3
        ),
        Err(error) => format!("{label:45} failed: {error}"),
    };
    // A closed standard output must not stop the run before its storms are reaped.
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    let folder = std::env::temp_dir().join(format!("piktphase-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    Ok(folder)
}

struct Storm {
    children: Vec<Child>,
}

impl Storm {
    /// N children, each shown in `/proc` under its new name before this returns.
    fn start(program: &PathBuf, size: usize) -> std::io::Result<Self> {
        let children = (0..size)
            .map(|_| {
                Command::new(program)
                    .arg("600")
                    .stdin(Stdio::null())
                    .spawn()
            })
            .collect::<std::io::Result<Vec<Child>>>()?;
        let storm = Self { children };
        let table = LinuxProcTable::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while storm.processes(&table)?.len() < size && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(storm)
    }

    fn processes(&self, table: &LinuxProcTable) -> std::io::Result<Vec<Process>> {
        let mut processes = table.snapshot(false)?;
        processes.retain(|process| process.comm == NAME && !process.is_dead());
        Ok(processes)
    }

    fn user(&self, table: &LinuxProcTable) -> std::io::Result<String> {
        let processes = self.processes(table)?;
        processes
            .first()
            .map(|process| process.user.clone())
            .ok_or_else(|| std::io::Error::other("the storm did not start"))
    }

    /// Kills what is left and reaps every child.
    fn reap(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
