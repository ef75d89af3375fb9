use std::path::Path;

use super::*;

fn sh(text: &str) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(text).stdin(Stdio::null());
    command
}

/// True once `pid` is gone (or a zombie nobody reaps yet), within 5 s.
fn gone(pid: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => return true,
            Ok(stat) if stat.contains(") Z ") => return true,
            Ok(_) => thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

#[test]
fn status_and_both_outputs_come_back() {
    let finished = Run::new(Duration::from_secs(10), 1024)
        .capture_stdout()
        .capture_stderr()
        .run(&mut sh("echo out; echo err >&2; exit 3"))
        .unwrap();
    assert_eq!(finished.end, End::Exited(3));
    assert_eq!(finished.end.status_code(), Some(3));
    assert_eq!(finished.stdout, b"out\n");
    assert_eq!(finished.stderr, b"err\n");
    assert_eq!(finished.dropped(), 0);
}

#[test]
fn output_beyond_the_limit_is_counted_and_the_child_runs_on() {
    let finished = Run::new(Duration::from_secs(30), 1000)
        .capture_stdout()
        .run(&mut sh("head -c 5000 /dev/zero; exit 4"))
        .unwrap();
    assert_eq!(finished.end, End::Exited(4), "it ran to its end");
    assert_eq!(finished.stdout.len(), 1000);
    assert_eq!(finished.stdout_dropped, 4000);
}

#[test]
fn a_flood_stops_the_group_at_the_output_limit() {
    let started = Instant::now();
    let finished = Run::new(Duration::from_secs(60), 1 << 20)
        .at_output_limit(AtOutputLimit::Stop)
        .capture_stdout()
        .run(&mut sh("yes"))
        .unwrap();
    assert_eq!(finished.end, End::OutputLimit);
    assert_eq!(finished.stdout.len(), 1 << 20);
    assert!(finished.stdout_dropped > 0);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn stderr_has_its_own_limit_and_past_it_is_only_counted() {
    // Three MiB of complaints, a stdout under its (stopping) limit: the
    // command runs to its end, 64 KiB of its stderr is kept.
    let finished = Run::new(Duration::from_secs(60), 1 << 20)
        .at_output_limit(AtOutputLimit::Stop)
        .capture_stdout()
        .capture_stderr_up_to(64 << 10)
        .run(&mut sh("head -c 3145728 /dev/zero >&2; echo done; exit 5"))
        .unwrap();
    assert_eq!(finished.end, End::Exited(5));
    assert_eq!(finished.stdout, b"done\n");
    assert_eq!(finished.stderr.len(), 64 << 10);
    assert_eq!(finished.stderr_dropped, 3_145_728 - (64 << 10));
    assert_eq!(finished.stdout_dropped, 0);
}

#[test]
fn output_exactly_at_the_limit_is_not_a_flood() {
    let finished = Run::new(Duration::from_secs(10), 4)
        .at_output_limit(AtOutputLimit::Stop)
        .capture_stdout()
        .run(&mut sh("printf abcd"))
        .unwrap();
    assert_eq!(finished.end, End::Exited(0));
    assert_eq!(finished.stdout, b"abcd");
}

#[test]
fn at_the_time_limit_the_whole_group_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let started = Instant::now();
    let finished = Run::new(Duration::from_millis(300), 1024)
        .capture_stdout()
        .run(&mut sh(&format!(
            "sleep 30 & echo $! > '{}'; sleep 31",
            pid_file.display()
        )))
        .unwrap();
    assert_eq!(finished.end, End::TimedOut);
    assert_eq!(finished.end.status_code(), None);
    assert!(started.elapsed() < Duration::from_secs(10));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(gone(&pid), "the shell's child {pid} lives on");
}

#[test]
fn a_grace_sends_term_first_and_kill_to_a_group_that_ignores_it() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("term");
    let started = Instant::now();
    let finished = Run::new(Duration::from_millis(300), 1024)
        .kill_grace(Duration::from_millis(500))
        .run(
            sh(&format!(
                "trap 'touch {}' TERM; while :; do sleep 0.1; done",
                marker.display()
            ))
            .stderr(Stdio::null()),
        )
        .unwrap();
    assert_eq!(finished.end, End::TimedOut);
    assert!(Path::new(&marker).exists(), "SIGTERM came first");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn input_reaches_the_child_and_one_that_never_reads_is_still_bounded() {
    let finished = Run::new(Duration::from_secs(10), 1024)
        .input(b"fed\n".to_vec())
        .capture_stdout()
        .run(&mut sh("cat"))
        .unwrap();
    assert_eq!(finished.stdout, b"fed\n");
    let started = Instant::now();
    let finished = Run::new(Duration::from_millis(300), 1024)
        .input(vec![b'x'; 1 << 20])
        .run(&mut sh("sleep 30"))
        .unwrap();
    assert_eq!(finished.end, End::TimedOut);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_daemon_left_holding_the_output_does_not_hold_the_run() {
    let started = Instant::now();
    let finished = Run::new(Duration::from_secs(30), 1024)
        .capture_stdout()
        .run(&mut sh("setsid sleep 20 & echo started"))
        .unwrap();
    assert_eq!(finished.end, End::Exited(0));
    assert_eq!(finished.stdout, b"started\n");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_signal_from_elsewhere_is_reported_as_such() {
    let finished = Run::new(Duration::from_secs(10), 16)
        .run(&mut sh("kill -TERM $$"))
        .unwrap();
    assert_eq!(finished.end, End::Signalled(15));
    assert_eq!(finished.end.status_code(), Some(143));
    assert!(!finished.end.success());
}

#[test]
fn a_program_that_cannot_start_is_an_error() {
    let err = Run::new(Duration::from_secs(1), 16)
        .run(&mut Command::new("/nonexistent/program"))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
}
