//! The table and the kill against real processes. Every process signalled here is one
//! this test started (`sleep`, or copies of it under names no other process has).

use std::collections::HashSet;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pikt_proc::{
    kill_checked, kill_checked_with, kill_matching, ps_lines_with, CheckedSignaller, KillError,
    KillMethod, KillOutcome, KillPolicy, LinuxProcTable, Process, ProcessTable, Protected,
    PsOptions, Refusal, Signal, Signaller,
};

/// Tests run as whatever user runs them; root must be allowed to hit its own children.
fn policy() -> KillPolicy {
    KillPolicy {
        allow_root_targets: true,
        round_pause: Duration::from_millis(50),
    }
}

fn snapshot(want_args: bool) -> Vec<Process> {
    LinuxProcTable::new().snapshot(want_args).expect("snapshot")
}

fn find(pid: u32) -> Option<Process> {
    snapshot(false)
        .into_iter()
        .find(|process| process.pid == pid)
}

/// Starts `program` and waits until it has exec'd and sleeps, so its entry shows the
/// program's own name (right after fork it still has the test binary's).
fn spawn(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Child {
    let program = Path::new(program.as_ref());
    let child = spawn_retrying(Command::new(program).args(args).stdin(Stdio::null()));
    let name = program
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let comm: String = name.chars().take(15).collect();
    wait_until(|| {
        find(child.id()).is_some_and(|process| process.comm == comm && process.state == 'S')
    });
    child
}

/// Spawns `command`, retrying while the kernel says "text file busy": another test
/// thread may fork while we still hold a freshly copied program open for writing, and
/// that child keeps the write descriptor until it execs.
fn spawn_retrying(command: &mut Command) -> Child {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(error) if error.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result.expect("spawn"),
        }
    }
}

/// A copy of `sleep` (or another program) under `name` in `dir`, so the test's children
/// have a command name nothing else on the host has.
fn renamed_copy(dir: &Path, original: &str, name: &str) -> PathBuf {
    let source = which(original);
    let copy = dir.join(name);
    std::fs::copy(&source, &copy).expect("copy program");
    copy
}

fn which(program: &str) -> PathBuf {
    ["/usr/bin", "/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.exists())
        .expect("program on the host")
}

fn assert_killed_by(child: &mut Child, signal: i32) {
    let status = child.wait().expect("wait");
    assert_eq!(status.signal(), Some(signal), "{status:?}");
}

#[test]
fn the_snapshot_describes_our_child_exactly() {
    let mut child = spawn("sleep", &["300", "1"]);
    let entries = snapshot(true);
    let me = entries
        .iter()
        .find(|process| process.pid == std::process::id())
        .expect("ourselves");
    let entry = entries
        .iter()
        .find(|process| process.pid == child.id())
        .expect("child");
    assert_eq!(entry.comm, "sleep");
    assert_eq!(entry.ppid, std::process::id());
    assert_eq!(entry.uid, me.uid);
    assert_eq!(entry.user, me.user);
    assert!(matches!(entry.state, 'S' | 'R'), "{}", entry.state);
    assert!(entry.start_time >= me.start_time);
    assert_eq!(entry.args.as_deref(), Some("sleep 300 1"));
    assert!(!entry.kernel_thread);
    // The stat name is the same text as /proc/PID/comm.
    let comm_file = std::fs::read_to_string(format!("/proc/{}/comm", child.id())).expect("comm");
    assert_eq!(comm_file.trim_end_matches('\n'), entry.comm);
    // Sorted by pid, no duplicates, PID 1 present, kernel threads marked.
    assert!(entries.windows(2).all(|pair| pair[0].pid < pair[1].pid));
    assert!(entries.iter().any(|process| process.pid == 1));
    assert!(entries
        .iter()
        .any(|process| process.kernel_thread && process.args.as_deref() == Some("")));
    child.kill().expect("cleanup");
    child.wait().expect("reap");
}

#[test]
fn args_are_read_only_when_asked() {
    assert!(snapshot(false).iter().all(|process| process.args.is_none()));
    assert!(snapshot(true).iter().all(|process| process.args.is_some()));
}

#[test]
fn snapshot_timing_of_this_host() {
    let table = LinuxProcTable::new();
    let runs = 20u32;
    let start = Instant::now();
    let mut count = 0usize;
    for _ in 0..runs {
        count = table.snapshot(false).expect("snapshot").len();
    }
    let per_snapshot = start.elapsed() / runs;
    let start = Instant::now();
    for _ in 0..runs {
        table.snapshot(true).expect("snapshot");
    }
    let with_args = start.elapsed() / runs;
    let per_process = per_snapshot.as_secs_f64() * 1e6 / count.max(1) as f64;
    eprintln!(
        "snapshot of {count} processes: {per_snapshot:?} ({per_process:.1} µs/process), with args {with_args:?}"
    );
    // Generous bound for a shared 2-core machine: `ps` takes about 4 ms here.
    assert!(
        per_snapshot < Duration::from_millis(500),
        "{per_snapshot:?}"
    );
}

#[test]
fn a_fake_proc_tree_skips_vanished_and_malformed_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let proc_root = dir.path().join("proc");
    let write = |entry: &str, file: &str, text: &[u8]| {
        let path = proc_root.join(entry);
        std::fs::create_dir_all(&path).expect("mkdir");
        std::fs::write(path.join(file), text).expect("write");
    };
    let stat = |pid: u32, comm: &str| {
        format!("{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0")
    };
    write("42", "stat", stat(42, "imapd (x)").as_bytes());
    write("42", "cmdline", b"/usr/sbin/imapd\0-d\0");
    write("7", "stat", stat(7, "sshd").as_bytes());
    write("7", "cmdline", b"");
    write("8", "stat", b"8 (broken");
    std::fs::create_dir_all(proc_root.join("9")).expect("vanished process: no stat");
    write("self", "stat", stat(1, "no").as_bytes());
    write("sys", "stat", stat(2, "no").as_bytes());
    let passwd = dir.path().join("passwd");
    let own_uid =
        std::fs::metadata(&proc_root).map(|meta| std::os::unix::fs::MetadataExt::uid(&meta));
    let own_uid = own_uid.expect("metadata");
    std::fs::write(
        &passwd,
        format!("averyveryverylongname:x:{own_uid}:0::/:/bin/sh\n"),
    )
    .expect("passwd");

    let table = LinuxProcTable::with_paths(&proc_root, &passwd);
    let entries = table.snapshot(true).expect("snapshot");
    let summary: Vec<(u32, &str, &str, Option<&str>)> = entries
        .iter()
        .map(|process| {
            (
                process.pid,
                process.user.as_str(),
                process.comm.as_str(),
                process.args.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (7, "averyveryverylongname", "sshd", Some("")),
            (
                42,
                "averyveryverylongname",
                "imapd (x)",
                Some("/usr/sbin/imapd -d")
            ),
        ]
    );
    // Without a passwd file, users show as numbers.
    let numeric = LinuxProcTable::with_paths(&proc_root, dir.path().join("missing"));
    let entries = numeric.snapshot(false).expect("snapshot");
    assert_eq!(
        entries.first().map(|process| process.user.clone()),
        Some(own_uid.to_string())
    );
    // A missing /proc is an error, not an empty table.
    let missing = LinuxProcTable::with_paths(dir.path().join("nope"), &passwd);
    assert!(missing.snapshot(false).is_err());
}

#[test]
fn ps_lines_match_real_ps_for_the_same_processes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let odd = renamed_copy(dir.path(), "sleep", "a b)x");
    let mut children = [spawn("sleep", &["300"]), spawn(&odd, &["300"])];
    let pids: Vec<u32> = children.iter().map(Child::id).chain([2]).collect();
    let fields_text = "user,uid,pid,ppid,comm,stat,state,args";
    let ps = Command::new("ps")
        .args(["-o", fields_text, "-p"])
        .arg(
            pids.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .output();
    let ps = match ps {
        Ok(output) => output,
        Err(error) => {
            eprintln!("skipped: cannot run `ps`: {error}");
            return;
        }
    };
    let expected = String::from_utf8(ps.stdout).expect("utf-8");
    let wanted: HashSet<u32> = pids.iter().copied().collect();
    let ours: Vec<Process> = snapshot(true)
        .into_iter()
        .filter(|process| wanted.contains(&process.pid))
        .collect();
    let fields = pikt_proc::parse_ps_args(&format!("-eo {fields_text}")).expect("fields");
    let actual = ps_lines_with(&ours, &fields, &PsOptions::for_this_host()).join("\n") + "\n";
    assert_eq!(actual, expected);
    for child in &mut children {
        child.kill().expect("cleanup");
        child.wait().expect("reap");
    }
}

#[test]
fn kill_checked_kills_our_children() {
    let mut children: Vec<Child> = (0..3).map(|_| spawn("sleep", &["300"])).collect();
    let entries = snapshot(false);
    for child in &mut children {
        let target = entries
            .iter()
            .find(|process| process.pid == child.id())
            .expect("child in snapshot");
        let outcome = kill_checked(target, Signal::KILL, &policy()).expect("kill");
        assert_eq!(outcome, KillOutcome::Signalled(KillMethod::ProcDirFd));
        assert_killed_by(child, 9);
        assert_eq!(
            find(target.pid).filter(|process| process.start_time == target.start_time),
            None
        );
    }
}

#[test]
fn a_stale_entry_never_signals_anything() {
    let mut child = spawn("sleep", &["300"]);
    let target = find(child.id()).expect("child");
    child.kill().expect("kill");
    assert_killed_by(&mut child, 9);
    // The PID may be free or already reused by anyone: a stale entry must not reach it.
    let outcome = kill_checked(&target, Signal::KILL, &policy()).expect("kill");
    assert_eq!(outcome, KillOutcome::AlreadyGone);
    let mut recycled = target.clone();
    recycled.start_time = recycled.start_time.saturating_add(12_345);
    let outcome = kill_checked(&recycled, Signal::KILL, &policy()).expect("kill");
    assert!(
        matches!(
            outcome,
            KillOutcome::AlreadyGone | KillOutcome::Recycled { .. }
        ),
        "{outcome:?}"
    );
}

#[test]
fn an_entry_that_differs_from_the_live_process_is_not_signalled() {
    let mut child = spawn("sleep", &["300"]);
    let live = find(child.id()).expect("child");
    let newer = Process {
        start_time: live.start_time.saturating_add(1),
        ..live.clone()
    };
    let renamed = Process {
        comm: "imapd".to_string(),
        ..live.clone()
    };
    let other_owner = Process {
        uid: live.uid.wrapping_add(1),
        ..live.clone()
    };
    for stale in [newer, renamed, other_owner] {
        match kill_checked(&stale, Signal::KILL, &policy()).expect("kill") {
            KillOutcome::Recycled { found } => {
                assert_eq!(
                    (found.uid, found.comm.as_str(), found.start_time),
                    (live.uid, "sleep", live.start_time)
                );
            }
            outcome => panic!("{outcome:?} for {stale:?}"),
        }
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "signalled a mismatch"
        );
    }
    child.kill().expect("cleanup");
    assert_killed_by(&mut child, 9);
}

#[test]
fn init_ourselves_and_our_parent_are_refused() {
    let entries = snapshot(false);
    let by_pid = |pid: u32| {
        entries
            .iter()
            .find(|process| process.pid == pid)
            .cloned()
            .expect("entry")
    };
    let parent = std::os::unix::process::parent_id();
    for (pid, refusal) in [
        (1, Refusal::Init),
        (std::process::id(), Refusal::Ourselves),
        (parent, Refusal::OurParent),
    ] {
        let target = by_pid(pid);
        match kill_checked(&target, Signal::KILL, &policy()) {
            Err(KillError::Refused(found)) => assert_eq!(found, refusal, "pid {pid}"),
            other => panic!("pid {pid}: {other:?}"),
        }
    }
    // Kernel threads are refused even when root targets are allowed.
    let kthread = entries
        .iter()
        .find(|process| process.kernel_thread)
        .cloned()
        .expect("kthread");
    assert!(matches!(
        kill_checked(&kthread, Signal::KILL, &policy()),
        Err(KillError::Refused(Refusal::KernelThread))
    ));
}

#[test]
fn root_children_are_refused_by_the_default_policy() {
    let mut child = spawn("sleep", &["300"]);
    let target = find(child.id()).expect("child");
    let result = kill_checked(&target, Signal::KILL, &KillPolicy::default());
    if target.uid == 0 {
        assert!(
            matches!(result, Err(KillError::Refused(Refusal::RootTarget))),
            "{result:?}"
        );
        assert!(child.try_wait().expect("try_wait").is_none());
        child.kill().expect("cleanup");
        assert_killed_by(&mut child, 9);
    } else {
        assert_eq!(
            result.expect("kill"),
            KillOutcome::Signalled(KillMethod::ProcDirFd)
        );
        assert_killed_by(&mut child, 9);
    }
}

#[test]
fn kill_matching_kills_every_match_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storm = renamed_copy(dir.path(), "sleep", "piktstormtest");
    let bystander = renamed_copy(dir.path(), "sleep", "piktstormkeep");
    let mut victims: Vec<Child> = (0..6).map(|_| spawn(&storm, &["300"])).collect();
    let mut keep = spawn(&bystander, &["300"]);
    let user = find(keep.id()).expect("bystander").user;

    let report = kill_matching(
        &LinuxProcTable::new(),
        &user,
        "piktstormtest",
        Signal::KILL,
        &policy(),
        5,
    );

    let expected: HashSet<u32> = victims.iter().map(Child::id).collect();
    let reported: HashSet<u32> = report.victims.iter().map(|victim| victim.pid).collect();
    assert_eq!(reported, expected);
    assert_eq!(report.victims.len(), 6, "each victim once");
    assert!(report
        .victims
        .iter()
        .all(|victim| victim.user == user && victim.comm == "piktstormtest"));
    assert!(report.all_gone(), "{report:?}");
    assert!(
        report.refused.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    // Our children stay zombies until we reap them: they must not count as alive.
    assert!(report.rounds >= 1);
    for child in &mut victims {
        assert_killed_by(child, 9);
    }
    assert!(
        keep.try_wait().expect("try_wait").is_none(),
        "the bystander was killed"
    );
    keep.kill().expect("cleanup");
    assert_killed_by(&mut keep, 9);
}

#[test]
fn kill_matching_catches_children_forked_during_a_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shell_dir = dir.path().join("shell");
    let sleep_dir = dir.path().join("sleep");
    std::fs::create_dir_all(&shell_dir).expect("mkdir");
    std::fs::create_dir_all(&sleep_dir).expect("mkdir");
    // A shell and a sleep under the same name: on SIGTERM the shell forks one more.
    let shell = renamed_copy(&shell_dir, "sh", "piktforktest");
    let sleeper = renamed_copy(&sleep_dir, "sleep", "piktforktest");
    let sleeper = sleeper.to_str().expect("utf-8 path");
    let script = format!(
        "trap '{sleeper} 300 & echo $! >&3; exit 0' TERM; {sleeper} 300 & echo $! >&3; wait"
    );
    let pid_file = dir.path().join("pids");
    let mut parent = spawn_retrying(
        Command::new(&shell)
            .args(["-c", &format!("exec 3>>'{}'; {script}", pid_file.display())])
            .stdin(Stdio::null()),
    );
    wait_until(|| std::fs::read_to_string(&pid_file).is_ok_and(|text| text.lines().count() == 1));
    let user = find(parent.id()).expect("parent").user;
    let slow = KillPolicy {
        allow_root_targets: true,
        round_pause: Duration::from_millis(400),
    };

    let report = kill_matching(
        &LinuxProcTable::new(),
        &user,
        "piktforktest",
        Signal::TERM,
        &slow,
        10,
    );

    let spawned: Vec<u32> = std::fs::read_to_string(&pid_file)
        .expect("pids")
        .lines()
        .filter_map(|line| line.parse().ok())
        .collect();
    assert_eq!(spawned.len(), 2, "the shell forked its second child");
    let reported: HashSet<u32> = report.victims.iter().map(|victim| victim.pid).collect();
    let expected: HashSet<u32> = spawned.iter().copied().chain([parent.id()]).collect();
    assert_eq!(reported, expected, "{report:?}");
    assert!(report.rounds >= 2, "{report:?}");
    assert!(report.all_gone(), "{report:?}");
    let status = parent.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "the shell ran its trap");
    for pid in spawned {
        wait_until(|| {
            find(pid).is_none_or(|process| process.is_dead() || process.comm != "piktforktest")
        });
    }
}

fn wait_until(mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn kill_matching_returns_as_soon_as_its_victims_have_exited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storm = renamed_copy(dir.path(), "sleep", "piktquickexit");
    let mut victims: Vec<Child> = (0..3).map(|_| spawn(&storm, &["300"])).collect();
    let user = find(victims[0].id()).expect("victim").user;
    // A pause this long would show: the round must end when the pidfds say the
    // victims exited (as zombies: we reap them only afterwards).
    let patient = KillPolicy {
        allow_root_targets: true,
        round_pause: Duration::from_secs(60),
    };

    let started = Instant::now();
    let report = kill_matching(
        &LinuxProcTable::new(),
        &user,
        "piktquickexit",
        Signal::KILL,
        &patient,
        5,
    );

    assert!(started.elapsed() < Duration::from_secs(20), "{report:?}");
    assert_eq!(report.victims.len(), 3);
    assert_eq!(report.rounds, 1, "{report:?}");
    assert!(report.all_gone(), "{report:?}");
    for child in &mut victims {
        assert_killed_by(child, 9);
    }
}

#[test]
fn a_watched_process_that_lives_on_is_waited_for_until_the_timeout() {
    let mut child = spawn("sleep", &["300"]);
    let target = find(child.id()).expect("child");
    let signaller = CheckedSignaller::new();
    let protected = Protected::current();
    // SIGCONT is delivered and changes nothing: the process does not exit.
    let outcome = signaller
        .signal_watched(&target, Signal::CONT, &policy(), &protected)
        .expect("signal");
    assert_eq!(outcome, KillOutcome::Signalled(KillMethod::ProcDirFd));

    let started = Instant::now();
    signaller.wait_for_exits(Duration::from_millis(300));
    let waited = started.elapsed();

    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    assert!(child.try_wait().expect("try_wait").is_none(), "still alive");
    // The wait forgot it: a second wait has nothing to wait for.
    let started = Instant::now();
    signaller.wait_for_exits(Duration::from_secs(60));
    assert!(started.elapsed() < Duration::from_secs(20));
    child.kill().expect("cleanup");
    assert_killed_by(&mut child, 9);
}

#[test]
fn a_kept_protected_set_refuses_like_a_fresh_one() {
    let protected = Protected::current();
    assert!(protected.is_current());
    let entries = snapshot(false);
    let parent = std::os::unix::process::parent_id();
    for (pid, refusal) in [
        (1, Refusal::Init),
        (std::process::id(), Refusal::Ourselves),
        (parent, Refusal::OurParent),
    ] {
        let target = entries
            .iter()
            .find(|process| process.pid == pid)
            .expect("entry");
        assert_eq!(
            protected.refusal(target, &policy()),
            Some(refusal),
            "pid {pid}"
        );
        assert!(matches!(
            kill_checked_with(target, Signal::KILL, &policy(), &protected),
            Err(KillError::Refused(found)) if found == refusal
        ));
    }
}

#[test]
fn a_snapshot_of_one_user_is_the_full_one_filtered() {
    let mut child = spawn("sleep", &["300"]);
    let user = find(child.id()).expect("child").user;
    let own = LinuxProcTable::new()
        .snapshot_of_user(&user)
        .expect("snapshot");
    assert!(own.iter().all(|process| process.user == user));
    assert!(own.iter().all(|process| process.args.is_none()));
    assert!(own.windows(2).all(|pair| pair[0].pid < pair[1].pid));
    let entry = own
        .iter()
        .find(|process| process.pid == child.id())
        .expect("our child");
    assert_eq!(Some(entry.clone()), find(child.id()));
    assert!(LinuxProcTable::new()
        .snapshot_of_user("no-such-user-here")
        .expect("snapshot")
        .is_empty());
    child.kill().expect("cleanup");
    assert_killed_by(&mut child, 9);
}

#[test]
fn a_large_fake_tree_is_read_whole_and_in_order() {
    // Large enough to be shared out among reader threads on a multi-core host;
    // every other entry vanished (no stat) and every tenth is malformed. In memory
    // where the host has it: 1200 directories on a busy disk take seconds.
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("tempdir");
    let proc_root = dir.path().join("proc");
    let mut expected = Vec::new();
    for pid in (1..=1200u32).rev() {
        let path = proc_root.join(pid.to_string());
        std::fs::create_dir_all(&path).expect("mkdir");
        if pid % 2 == 0 {
            continue;
        }
        let text = if pid % 10 == 5 {
            format!("{pid} (broken")
        } else {
            expected.push(pid);
            format!(
                "{pid} (w{pid}) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 {pid} 0 0\n"
            )
        };
        std::fs::write(path.join("stat"), text).expect("write");
    }
    expected.reverse();
    let passwd = dir.path().join("passwd");
    let own_uid = std::fs::metadata(&proc_root)
        .map(|meta| std::os::unix::fs::MetadataExt::uid(&meta))
        .expect("metadata");
    std::fs::write(&passwd, format!("stormer:x:{own_uid}:0::/:/bin/sh\n")).expect("passwd");
    let table = LinuxProcTable::with_paths(&proc_root, &passwd);

    let entries = table.snapshot(false).expect("snapshot");
    let pids: Vec<u32> = entries.iter().map(|process| process.pid).collect();
    assert_eq!(pids, expected);
    assert!(entries
        .iter()
        .all(|process| process.comm == format!("w{}", process.pid)
            && process.start_time == u64::from(process.pid)
            && process.user == "stormer"));
    assert_eq!(
        table.snapshot_of_user("stormer").expect("snapshot"),
        entries
    );
    assert!(table
        .snapshot_of_user("nobody-here")
        .expect("snapshot")
        .is_empty());
}
