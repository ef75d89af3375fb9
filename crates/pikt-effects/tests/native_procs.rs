//! Scripts run through the real shell against real processes: the native
//! `ps` counts them, the native `kill` and `#killprocs` kill them, and every
//! victim is logged with its pid, user, command and start time.
//!
//! Every process signalled here is a child of this test, started from a copy
//! of `sleep` under a name no other process has (`pktnat_*`); each test uses
//! its own names, so tests running in parallel never see each other's
//! children. A guard kills whatever is left when a test ends.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pikt_effects::{RealFs, RealShell, SystemClock};
use pikt_lang::{parse_program, ParseMode};
use pikt_proc::{LinuxProcTable, ProcessTable};
use pikt_runtime::testing::{FakeSystem, RecordingSinks};
use pikt_runtime::{run, Host, RunConfig, ScriptToRun};
use pikt_source::{render, SourceMap};

/// Children of this test, killed and reaped when the guard goes.
struct Children {
    dir: tempfile::TempDir,
    kids: Vec<Child>,
}

impl Children {
    fn new() -> Children {
        Children {
            dir: tempfile::tempdir().expect("temporary directory"),
            kids: Vec::new(),
        }
    }

    /// A copy of `sleep` called `name`.
    fn program(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if !path.exists() {
            fs::copy("/bin/sleep", &path).expect("copy sleep");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        path
    }

    /// Starts `count` copies of `sleep 300` named `name`; their pids.
    fn start(&mut self, name: &str, count: usize) -> Vec<u32> {
        let program = self.program(name);
        (0..count)
            .map(|_| {
                let child = spawn_retrying(Command::new(&program).arg("300").stdin(Stdio::null()));
                let pid = child.id();
                self.kids.push(child);
                pid
            })
            .collect()
    }

    /// Starts a shell that waits for a line on its standard input, then
    /// becomes `name` (`exec`): same process, new command name.
    fn start_shell_becoming(&mut self, name: &str) -> u32 {
        let program = self.program(name);
        let script = format!("read line; exec {} 300", program.display());
        let child = spawn_retrying(
            Command::new("/bin/sh")
                .arg("-c")
                .arg(script)
                .stdin(Stdio::piped()),
        );
        let pid = child.id();
        self.kids.push(child);
        pid
    }

    fn child(&mut self, pid: u32) -> &mut Child {
        self.kids
            .iter_mut()
            .find(|child| child.id() == pid)
            .expect("a child of this test")
    }

    /// How the child ended: the signal that killed it.
    fn killed_by(&mut self, pid: u32) -> Option<i32> {
        self.child(pid).wait().expect("wait").signal()
    }

    fn alive(&mut self, pid: u32) -> bool {
        matches!(self.child(pid).try_wait(), Ok(None))
    }
}

/// Starts `command`, retrying while the kernel says "text file busy": a
/// program copied a moment ago can still be open for writing in a child
/// that another test thread is forking.
fn spawn_retrying(command: &mut Command) -> Child {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            spawned => return spawned.expect("start child"),
        }
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.kids {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// The real shell with native commands on and its log recorded as
/// `[TAG]! text` (`!` when always shown).
fn recording_shell(env: Vec<(String, String)>) -> (RealShell, Arc<Mutex<Vec<String>>>) {
    let mut shell = RealShell::new(env);
    shell.native.set_enabled(true);
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    shell.native.set_log(Box::new(move |entry| {
        let shown = if entry.always_show { "!" } else { "" };
        sink.lock()
            .unwrap()
            .push(format!("[{}]{shown} {}", entry.tag, entry.text));
    }));
    (shell, log)
}

struct Ran {
    stdout: String,
    log: Vec<String>,
}

/// Runs a standalone script with the real shell, clock and files; output
/// and alert log are recorded. Fails the test on any error.
fn run_script(shell: &mut RealShell, text: &str, config: &RunConfig) -> Ran {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", text);
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
    let errors: String = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| render(&map, d))
        .collect();
    assert!(errors.is_empty(), "parse errors:\n{errors}");
    let scripts: Vec<ScriptToRun<'_>> = program
        .scripts
        .iter()
        .map(|script| ScriptToRun { script, name: "T" })
        .collect();
    let mut clock = SystemClock::default();
    let mut fs = RealFs;
    let mut sinks = RecordingSinks::default();
    let mut system = FakeSystem::default();
    let mut host = Host {
        shell,
        clock: &mut clock,
        fs: &mut fs,
        sinks: &mut sinks,
        system: &mut system,
    };
    let report = run(&scripts, &map, config, &mut host);
    let errors: String = report.errors.iter().map(|d| render(&map, d)).collect();
    assert!(!report.failed(), "run failed:\n{errors}");
    Ran {
        stdout: sinks.stdout,
        log: sinks.log,
    }
}

/// The user this test runs as, as the native table names it.
fn own_user() -> String {
    let own = std::process::id();
    LinuxProcTable::new()
        .snapshot(false)
        .expect("snapshot")
        .into_iter()
        .find(|process| process.pid == own)
        .map(|process| process.user)
        .expect("this process in the table")
}

/// The log line of a victim, up to the start time, and the rest after it.
fn victim_line_parts(pid: u32, user: &str, comm: &str) -> (String, &'static str) {
    (
        format!("[KILL]! killed pid {pid} user {user} command {comm} started "),
        " (signal 9)",
    )
}

/// True when `line` logs `pid` as killed, with a `YYYY-MM-DD HH:MM:SS`
/// start time.
fn logs_victim(line: &str, pid: u32, user: &str, comm: &str) -> bool {
    let (head, tail) = victim_line_parts(pid, user, comm);
    let Some(started) = line
        .strip_prefix(&head)
        .and_then(|rest| rest.strip_suffix(tail))
    else {
        return false;
    };
    let shape: String = started
        .chars()
        .map(|ch| if ch.is_ascii_digit() { '9' } else { ch })
        .collect();
    shape == "9999-99-99 99:99:99"
}

/// Every `KILL` line names one of `pids`, and each of them has one. (A
/// kill loop may signal a victim again while it is still dying; each
/// signal is logged.)
fn assert_victims_logged(log: &[String], pids: &[u32], user: &str, comm: &str) {
    let kills: Vec<&String> = log.iter().filter(|l| l.starts_with("[KILL]")).collect();
    for line in &kills {
        assert!(
            pids.iter().any(|&pid| logs_victim(line, pid, user, comm)),
            "unexpected kill: {line}"
        );
    }
    for &pid in pids {
        assert!(
            kills.iter().any(|line| logs_victim(line, pid, user, comm)),
            "no victim line for {pid}: {log:#?}"
        );
    }
}

/// Polls `/proc/PID/comm` until it reads `name`.
fn wait_for_comm(pid: u32, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim_end() == name {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("pid {pid} never became `{name}`");
}

#[test]
fn native_ps_counts_and_killprocs_kills_every_copy() {
    let mut children = Children::new();
    let victims = children.start("pktnat_kp", 3);
    let keep = children.start("pktnat_kpkeep", 1);
    let user = own_user();
    let (mut shell, shell_log) = recording_shell(Vec::new());
    let script = format!(
        "init\n    input proc \"ps -eo user,comm\"\n    dat $user 1\n    dat $proc 2\nrule\n    if $proc eq \"pktnat_kp\"\n        set #n += 1\n    fi\nend\n    output \"counted \" . $text(#n)\n    set #k = #killprocs(\"{user}\", \"pktnat_kp\", 9)\n    output \"killed \" . $text(#k)\n"
    );
    let ran = run_script(&mut shell, &script, &RunConfig::default());
    assert_eq!(ran.stdout, "counted 3\nkilled 3\n");
    for &pid in &victims {
        assert_eq!(children.killed_by(pid), Some(9), "pid {pid}");
    }
    assert!(children.alive(keep[0]), "the other command was killed");
    assert_victims_logged(&shell_log.lock().unwrap(), &victims, &user, "pktnat_kp");
    assert!(
        ran.log.contains(&format!(
            "[KILL]! T: killprocs: signalled 3 processes of user {user} command pktnat_kp"
        )),
        "{:#?}",
        ran.log
    );
    // The input was read from the native table: its snapshot is remembered.
    assert!(shell.native.remembered() > 0);
}

#[test]
fn killprocs_in_test_mode_only_lists() {
    let mut children = Children::new();
    let mut pids = children.start("pktnat_dry", 2);
    pids.sort_unstable();
    let user = own_user();
    let (mut shell, shell_log) = recording_shell(Vec::new());
    let config = RunConfig {
        test_mode: true,
        ..RunConfig::default()
    };
    let script =
        format!("begin\n    output \"would \" . $text(#killall(\"{user}\", \"pktnat_dry\"))\n");
    let ran = run_script(&mut shell, &script, &config);
    assert_eq!(
        ran.stdout,
        format!(
            "kill: would signal 2 processes of {user} pktnat_dry (pids {} {})\nwould 2\n",
            pids[0], pids[1]
        )
    );
    assert!(children.alive(pids[0]) && children.alive(pids[1]));
    assert!(
        shell_log.lock().unwrap().is_empty(),
        "{:#?}",
        shell_log.lock().unwrap()
    );
}

#[test]
fn the_seed_kill_loop_runs_on_native_ps_and_kill() {
    let mut children = Children::new();
    let victims = children.start("pktnat_loop", 3);
    let keep = children.start("pktnat_loopkeep", 1);
    let user = own_user();
    let (mut shell, shell_log) = recording_shell(Vec::new());
    // kill_user_proc of the seed, expanded, with a bound on the rounds.
    let script = format!(
        "begin
    set #killcount = 1
    set #rounds = 0
    while #killcount > 0 && #rounds < 20
        set #killcount = 0
        set #rounds += 1
        do #popen(KILL, \"ps -eo pid,user,comm\", \"r\")
        while #read(KILL) > 0
            if #split($readline) != 3
                cont
            fi
            if $2 eq \"{user}\" && $3 eq \"pktnat_loop\"
                exec wait \"kill -9 $1\"
                set #killcount += 1
            fi
        endwhile
        do #pclose(KILL)
    endwhile
    output \"rounds \" . $text(#rounds)
"
    );
    let ran = run_script(&mut shell, &script, &RunConfig::default());
    // Round 1 kills all three; round 2 finds none (or, if a victim had not
    // finished dying yet, signals it again and round 3 finds none). The
    // victims are zombies until this test reaps them, and the native ps
    // leaves zombies out, so the loop does not spin on them as it would
    // with a real ps (it would stop at the bound of 20 rounds).
    let rounds: u32 = ran
        .stdout
        .strip_prefix("rounds ")
        .and_then(|n| n.trim_end().parse().ok())
        .expect("rounds N");
    assert!((2..=5).contains(&rounds), "{}", ran.stdout);
    for &pid in &victims {
        assert_eq!(children.killed_by(pid), Some(9), "pid {pid}");
    }
    assert!(children.alive(keep[0]));
    assert_victims_logged(&shell_log.lock().unwrap(), &victims, &user, "pktnat_loop");
}

#[test]
fn a_listed_pid_that_now_names_another_command_is_not_signalled() {
    let mut children = Children::new();
    let pid = children.start_shell_becoming("pktnat_exec2");
    wait_for_comm(pid, "sh");
    let (mut shell, shell_log) = recording_shell(Vec::new());
    run_script(
        &mut shell,
        "begin\n    set $x = $command(\"ps -eo pid,comm\")\n",
        &RunConfig::default(),
    );
    // The process the snapshot listed as `sh` execs another program.
    children
        .child(pid)
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"go\n")
        .expect("write");
    wait_for_comm(pid, "pktnat_exec2");
    let script = format!("begin\n    output \"status \" . $text(#system(\"kill -9 {pid}\"))\n");
    let ran = run_script(&mut shell, &script, &RunConfig::default());
    assert_eq!(ran.stdout, "status 1\n");
    assert!(children.alive(pid), "a process that changed was signalled");
    let log = shell_log.lock().unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    let expected_head = format!(
        "[WARNING]! kill: not signalled pid {pid}: it no longer names the process `ps` listed (pid {pid} user "
    );
    assert!(log[0].starts_with(&expected_head), "{log:#?}");
    assert!(log[0].contains(" command sh started "), "{log:#?}");
    assert!(
        log[0].contains(" command pktnat_exec2 started "),
        "{log:#?}"
    );
}

#[test]
fn a_listed_child_that_was_reaped_is_not_signalled() {
    let mut children = Children::new();
    let pid = children.start("pktnat_reap", 1)[0];
    let (mut shell, shell_log) = recording_shell(Vec::new());
    run_script(
        &mut shell,
        "begin\n    set $x = $command(\"ps -eo pid\")\n",
        &RunConfig::default(),
    );
    let child = children.child(pid);
    child.kill().expect("kill own child");
    child.wait().expect("reap own child");
    let script = format!("begin\n    output \"status \" . $text(#system(\"kill -9 {pid}\"))\n");
    let ran = run_script(&mut shell, &script, &RunConfig::default());
    assert_eq!(ran.stdout, "status 1\n");
    let log = shell_log.lock().unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    // Gone, or (if another process got the PID meanwhile) not that process.
    assert!(
        log[0].ends_with("had already exited") || log[0].contains("it no longer names"),
        "{log:#?}"
    );
    assert!(!log[0].starts_with("[KILL]"), "{log:#?}");
}

#[test]
fn a_pid_no_snapshot_listed_is_refused() {
    let mut children = Children::new();
    let pid = children.start("pktnat_unseen", 1)[0];
    let (mut shell, shell_log) = recording_shell(Vec::new());
    let script = format!("begin\n    output \"status \" . $text(#system(\"kill -9 {pid}\"))\n");
    let ran = run_script(&mut shell, &script, &RunConfig::default());
    assert_eq!(ran.stdout, "status 1\n");
    assert!(children.alive(pid));
    assert_eq!(
        *shell_log.lock().unwrap(),
        [format!("[WARNING]! kill: not signalled pid {pid}: no native `ps` of this run listed it, so it cannot be checked")]
    );
}

/// A directory whose `ps` prints `FAKE`: found first on `PATH`, so every
/// `ps` the shell runs is this one.
fn fake_ps_path(dir: &Path) -> Vec<(String, String)> {
    let fake = dir.join("bin");
    fs::create_dir_all(&fake).expect("mkdir");
    let ps = fake.join("ps");
    fs::write(&ps, "#!/bin/sh\necho FAKE\n").expect("write fake ps");
    fs::set_permissions(&ps, fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!("{}:/usr/bin:/bin", fake.display());
    vec![("PATH".to_string(), path)]
}

#[test]
fn supported_ps_never_runs_the_ps_program() {
    let mut children = Children::new();
    children.start("pktnat_pipe", 2);
    let (mut shell, _) = recording_shell(fake_ps_path(children.dir.path()));
    let script = "init
    input proc \"ps -eo user,comm | sed '1,1d' | grep -c -w pktnat_pipe\"
rule
    output \"pipeline \" . $inline
end
    output \"header \" . $command(\"ps -eo user,comm\")
    output \"other \" . $command(\"ps -ef\")
";
    let ran = run_script(&mut shell, script, &RunConfig::default());
    assert_eq!(
        ran.stdout,
        "pipeline 2\nheader USER     COMMAND\nother FAKE\n"
    );
}

#[test]
fn switched_off_every_ps_is_the_program() {
    let children = Children::new();
    let (mut shell, _) = recording_shell(fake_ps_path(children.dir.path()));
    shell.native.set_enabled(false);
    let ran = run_script(
        &mut shell,
        "begin\n    output $command(\"ps -eo user,comm\")\n",
        &RunConfig::default(),
    );
    assert_eq!(ran.stdout, "FAKE\n");
    assert_eq!(shell.native.remembered(), 0);
}
