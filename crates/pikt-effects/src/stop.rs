//! Stopping a run's commands: what `pikt` does to the commands an alert
//! run is waiting on when the run is asked to stop (SIGTERM, SIGINT,
//! SIGHUP; `pikt_runtime::Stop`).
//!
//! The commands a script runs stay in pikt's own process group, so that
//! piktd's signal to the group reaches them and its SIGKILL leaves none
//! behind. A signal sent to pikt alone (`kill PID`, a terminal's hang-up)
//! does not reach them, and the run would wait for them; so the stop sends
//! its signal to every process descended from pikt as well: children of
//! children included, found in the process table by parent id, each
//! signalled through the checked kill (a recycled pid is never hit). A
//! command that detached itself (a double fork) is no longer a descendant
//! and is left alone, as it would be at the end of a normal run.

use std::collections::{HashMap, HashSet};
use std::io;

use pikt_proc::{
    kill_checked, KillOutcome, KillPolicy, LinuxProcTable, Process, ProcessTable, Signal,
};

/// Sends `signal` to every live process descended from process `of`
/// (not to `of` itself); returns how many were signalled.
pub fn signal_descendants(of: u32, signal: Signal) -> io::Result<usize> {
    let table = LinuxProcTable::new().snapshot(false)?;
    // The commands run as root when pikt does: root's processes are fair
    // game here, they are the run's own.
    let policy = KillPolicy {
        allow_root_targets: true,
        ..KillPolicy::default()
    };
    let signalled = descendants(&table, of)
        .into_iter()
        .filter(|process| {
            matches!(
                kill_checked(process, signal, &policy),
                Ok(KillOutcome::Signalled(_))
            )
        })
        .count();
    Ok(signalled)
}

/// The processes of `table` descended from `root`, nearest first.
fn descendants(table: &[Process], root: u32) -> Vec<&Process> {
    let mut children: HashMap<u32, Vec<&Process>> = HashMap::new();
    for process in table {
        children.entry(process.ppid).or_default().push(process);
    }
    let mut found = Vec::new();
    let mut seen = HashSet::from([root]);
    let mut next = vec![root];
    while let Some(parent) = next.pop() {
        for child in children.get(&parent).into_iter().flatten() {
            if seen.insert(child.pid) {
                found.push(*child);
                next.push(child.pid);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};

    use pikt_proc::testing::process;

    use super::*;

    #[test]
    fn descendants_are_found_through_every_generation_and_nothing_else() {
        let mut table = vec![
            process(10, "root", "pikt"),
            process(11, "root", "sh"),
            process(12, "root", "sleep"),
            process(13, "root", "other"),
            process(14, "root", "grandchild"),
        ];
        for (pid, ppid) in [(10, 1), (11, 10), (12, 11), (13, 1), (14, 12)] {
            if let Some(p) = table.iter_mut().find(|p| p.pid == pid) {
                p.ppid = ppid;
            }
        }
        let mut pids: Vec<u32> = descendants(&table, 10).iter().map(|p| p.pid).collect();
        pids.sort_unstable();
        assert_eq!(pids, [11, 12, 14]);
        assert!(descendants(&table, 13).is_empty());
    }

    #[test]
    fn a_real_command_below_a_shell_is_stopped_and_the_shell_goes_on() -> io::Result<()> {
        let mut shell = Command::new("/bin/sh")
            .args(["-c", "sleep 600; echo after $?"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let pid = shell.id();
        // Wait (bounded) for the shell to have started its `sleep`.
        let deadline = Instant::now() + Duration::from_secs(60);
        let table = LinuxProcTable::new();
        while !table
            .snapshot(false)?
            .iter()
            .any(|p| p.ppid == pid && p.comm == "sleep")
        {
            assert!(Instant::now() < deadline, "the shell never started sleep");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(signal_descendants(pid, Signal::TERM)?, 1);
        let mut stdout = shell
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe"))?;
        let (done, finished) = channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            let _ = done.send(text);
        });
        // A bound against a hang: the sleep ends on the signal, the shell
        // (not signalled) reports it and ends.
        let text = finished.recv_timeout(Duration::from_secs(60));
        let _ = shell.kill();
        let status = shell.wait()?;
        assert_eq!(text.as_deref(), Ok("after 143\n"));
        assert!(status.success());
        Ok(())
    }
}
