//! Tests of the kill's internals against real processes this test starts: each
//! fallback method on its own, and a handle that outlives its process.

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command};

use crate::kill::{kill_through, kill_verified, KillMethod, KillOutcome, ProcHandle};
use crate::table::{LinuxProcTable, Process, ProcessTable};
use crate::Signal;

/// Starts `sleep 300` and waits until it has exec'd (right after fork the child still
/// has the test binary's name, and an exec between check and signal is a mismatch).
fn spawn_sleep() -> Child {
    let mut child = Command::new("sleep")
        .arg("300")
        .spawn()
        .expect("spawn sleep");
    for _ in 0..1000 {
        if find(child.id()).comm == "sleep" {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("sleep never started");
}

fn find(pid: u32) -> Process {
    LinuxProcTable::new()
        .snapshot(false)
        .expect("snapshot")
        .into_iter()
        .find(|process| process.pid == pid)
        .expect("child in the snapshot")
}

fn assert_killed_by(child: &mut Child, signal: i32) {
    let status = child.wait().expect("wait");
    assert_eq!(status.signal(), Some(signal), "{status:?}");
}

#[test]
fn each_method_alone_signals_the_checked_process() {
    for method in [
        KillMethod::ProcDirFd,
        KillMethod::Pidfd,
        KillMethod::PlainKill,
    ] {
        let mut child = spawn_sleep();
        let target = find(child.id());
        let outcome = kill_verified(&target, Signal::KILL, &[method]).expect("kill");
        assert_eq!(outcome, KillOutcome::Signalled(method));
        assert_killed_by(&mut child, 9);
    }
}

#[test]
fn each_method_alone_refuses_a_recycled_pid() {
    for method in [
        KillMethod::ProcDirFd,
        KillMethod::Pidfd,
        KillMethod::PlainKill,
    ] {
        let mut child = spawn_sleep();
        let mut impostor = find(child.id());
        impostor.start_time = impostor.start_time.saturating_add(1);
        let outcome = kill_verified(&impostor, Signal::KILL, &[method]).expect("kill");
        assert!(
            matches!(outcome, KillOutcome::Recycled { .. }),
            "{method:?}: {outcome:?}"
        );
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "{method:?} signalled it"
        );
        child.kill().expect("cleanup");
        assert_killed_by(&mut child, 9);
    }
}

#[test]
fn a_handle_stays_with_its_process_after_it_is_reaped() {
    let mut child = spawn_sleep();
    let target = find(child.id());
    let handle = ProcHandle::open(target.pid).expect("open").expect("alive");
    child.kill().expect("kill");
    assert_killed_by(&mut child, 9);
    // Whatever now holds the PID (nothing, or a newcomer), the old handle must answer
    // "gone" and must not reach it.
    assert_eq!(
        rustix::process::pidfd_send_signal(handle.fd(), Signal::KILL),
        Err(rustix::io::Errno::SRCH)
    );
    let outcome =
        kill_through(&handle, &target, Signal::KILL, &[KillMethod::ProcDirFd]).expect("kill");
    assert_eq!(outcome, KillOutcome::AlreadyGone);
}

#[test]
fn a_zombie_counts_as_gone_and_is_not_signalled() {
    let mut child = spawn_sleep();
    let target = find(child.id());
    // Kill it behind the checked path's back but do not reap it yet: a zombie.
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(target.pid).expect("pid")).expect("pid"),
        Signal::KILL,
    )
    .expect("kill");
    wait_for_state(target.pid, 'Z');
    let outcome = kill_verified(&target, Signal::TERM, &[KillMethod::ProcDirFd]).expect("kill");
    assert_eq!(outcome, KillOutcome::AlreadyGone);
    assert_killed_by(&mut child, 9);
}

fn wait_for_state(pid: u32, state: char) {
    for _ in 0..500 {
        if find(pid).state == state {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("pid {pid} never reached state {state}");
}

#[test]
fn waiting_for_an_exit_sees_zombies_and_reaped_processes() {
    use std::time::{Duration, Instant};
    let mut child = spawn_sleep();
    let handle = ProcHandle::open(child.id()).expect("open").expect("alive");
    assert!(!handle.has_exited());
    let soon = Some(Instant::now() + Duration::from_millis(100));
    assert!(!handle.wait_for_exit(soon), "a live process times out");

    rustix::process::pidfd_send_signal(handle.fd(), Signal::KILL).expect("kill");
    let later = Some(Instant::now() + Duration::from_secs(20));
    assert!(handle.wait_for_exit(later), "a zombie has exited");
    assert!(handle.has_exited());
    assert_killed_by(&mut child, 9);
    assert!(handle.has_exited(), "reaped");
    assert!(handle.wait_for_exit(soon), "reaped: nothing to wait for");
}
