//! End-to-end tests of the real `piktd` binary.
//! A real piktd on a temporary PIKT_DIR runs an alert due every minute and one
//! that hangs: the first run comes at once, the hung one is killed at its
//! limit with its process group, the daemon stays alive, SIGHUP picks up a
//! changed piktd.conf, a second piktd is refused, and SIGTERM stops it
//! cleanly. Real time, about five seconds: no test waits for a minute.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pikt_sched::testing::{live_group_members, log_text, wait_for_log_line};
use rustix::process::{kill_process, Pid, Signal};

const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

/// Waits (at most 20 s) for a log line holding all of `needles`.
fn wait_for_line(dir: &Path, needles: &[&str]) -> String {
    wait_for_log_line(dir, needles, Duration::from_secs(20))
}

fn pid_in(line: &str) -> u32 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("pid="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

fn signal(child: &Child, signal: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    let sent = pid.map(|pid| kill_process(pid, signal));
    assert!(matches!(sent, Some(Ok(()))), "cannot signal piktd");
}

fn piktd(dir: &Path) -> Command {
    let mut command = Command::new(PIKTD);
    command
        .env("PIKT_DIR", dir)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Stops the daemon if an assertion failed half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn piktd_runs_kills_reloads_refuses_and_stops() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("etc"))?;
    fs::write(
        root.join("etc/piktd.conf"),
        "* * * * * echo tick >> ticks # +A Every\n* * * * * sleep 1000 # +A Hang\n",
    )?;
    let mut daemon = Running(piktd(root).args(["--timeout", "2"]).spawn()?);

    // The alert due every minute runs at once: the run due in the minute
    // piktd started in, not at the next minute.
    let start = wait_for_line(root, &["INFO start piktd"]);
    let first = wait_for_line(root, &["launch Every", "pid="]);
    let minute = start
        .split_whitespace()
        .nth(2)
        .and_then(|time| time.get(..5))
        .unwrap_or("?");
    assert!(
        first.contains(&format!(" due {minute}: ")),
        "{start}\n{first}"
    );
    wait_for_line(root, &["end Every", "exit 0"]);
    assert_eq!(fs::read_to_string(root.join("ticks"))?, "tick\n");
    assert_eq!(
        fs::read_to_string(root.join("etc/alerts"))?,
        "Every\nHang\n"
    );

    // The hung alert is stopped at its 2 s limit, with its process group:
    // launched, timed out, ended by the SIGTERM (no SIGKILL needed), in
    // that order, and nothing of its group is left.
    let hang_pid = pid_in(&wait_for_line(root, &["launch Hang"]));
    let timeout = wait_for_line(root, &["timeout Hang", "2.0s time limit"]);
    assert!(timeout.contains(&format!("pid={hang_pid}")), "{timeout}");
    let end = wait_for_line(root, &["end Hang", "stopped at the time limit"]);
    assert!(end.contains("signal 15 (SIGTERM)"), "{end}");
    let text = log_text(root);
    let at = |needle: &str| text.find(needle).unwrap_or(usize::MAX);
    assert!(
        at("launch Hang") < at("timeout Hang") && at("timeout Hang") < at("end Hang"),
        "{text}"
    );
    assert!(!text.contains("sending SIGKILL"), "{text}");
    assert_eq!(live_group_members(hang_pid), 0);

    // The daemon is still alive.
    assert!(
        daemon.0.try_wait()?.is_none(),
        "piktd died:\n{}",
        log_text(root)
    );

    // A second piktd on the same installation is refused with status 3.
    let second = piktd(root).output()?;
    assert_eq!(second.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.starts_with("piktd: error: another piktd is running for this installation (pid "),
        "{stderr}"
    );

    // SIGHUP rereads the changed piktd.conf.
    fs::write(root.join("etc/piktd.conf"), "*/5 * * * * pikt +A Fresh\n")?;
    signal(&daemon.0, Signal::HUP);
    wait_for_line(root, &["reload requested"]);
    wait_for_line(root, &["loaded", "1 line(s), 1 alert(s)"]);
    assert_eq!(fs::read_to_string(root.join("etc/alerts"))?, "Fresh\n");
    assert!(daemon.0.try_wait()?.is_none());

    // SIGTERM stops it cleanly.
    signal(&daemon.0, Signal::TERM);
    let status = daemon.0.wait()?;
    assert_eq!(status.code(), Some(0));
    let text = log_text(root);
    assert!(text.contains("INFO stop (SIGTERM)"), "{text}");
    assert!(text.trim_end().ends_with("INFO stopped"), "{text}");
    Ok(())
}

#[test]
fn piktd_check_reports_bad_lines_with_their_line_number() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    fs::create_dir_all(dir.path().join("etc"))?;
    fs::write(
        dir.path().join("etc/piktd.conf"),
        "*/15 * * * * pikt +A Warning\n0 25 * * * pikt +A Bad\n",
    )?;
    let out = piktd(dir.path()).arg("-z").output()?;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1     */15 * * * *"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.ends_with("Warning")),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let conf = dir.path().join("etc/piktd.conf").display().to_string();
    assert_eq!(
        stderr,
        format!(
            "error: hour `25` is out of range 0-23\n --> {conf}:2:3\n  |\n2 | 0 25 * * * pikt +A Bad\n  |   ^^\n  = help: use 0-23, `*`, lists, ranges or steps\n"
        )
    );
    Ok(())
}

#[test]
fn piktd_follows_pikt_conf_and_refuses_a_broken_one() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let elsewhere = dir.path().join("conf");
    fs::create_dir_all(dir.path().join("etc"))?;
    fs::create_dir_all(&elsewhere)?;
    fs::write(
        dir.path().join("etc/PIKT.conf"),
        format!("etcdir {}\npiktd_run_limit 90\n", elsewhere.display()),
    )?;
    // piktd.conf is read from PIKT.conf's etcdir, not from =piktdir/etc.
    fs::write(elsewhere.join("piktd.conf"), "30 4 * * * pikt +A Nightly\n")?;
    fs::write(dir.path().join("etc/piktd.conf"), "garbage\n")?;
    let out = piktd(dir.path()).arg("-z").output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Nightly"), "{stdout}");

    fs::write(dir.path().join("etc/PIKT.conf"), "piktd_run_limit soon\n")?;
    let out = piktd(dir.path()).arg("-z").output()?;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PIKT.conf` has errors"), "{stderr}");
    assert!(stderr.contains("piktd_run_limit soon"), "{stderr}");
    Ok(())
}

#[test]
fn piktd_usage_errors_exit_64() -> std::io::Result<()> {
    let out = Command::new(PIKTD).arg("-Q").output()?;
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("piktd: error: unknown flag `-Q`\nusage: piktd "),
        "{stderr}"
    );
    let out = Command::new(PIKTD).arg("-V").output()?;
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("piktd "));
    Ok(())
}

/// Plants what a `piktc --apply-bundle` killed between two renames leaves:
/// each `(target, new content)` staged as a temporary of a writer that is
/// gone, and the journal in `=lokdir` listing them. Nothing is in place.
fn plant_interrupted_switch(root: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    // A writer that no longer runs: a child already reaped.
    let mut gone = Command::new("true").spawn()?;
    gone.wait()?;
    let writer = gone.id();
    let mut journal = Vec::new();
    for (n, (target, content)) in files.iter().enumerate() {
        let target = root.join(target);
        let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
            continue;
        };
        let temp = format!(".{}.pikt-tmp-{writer}-1-{n}", name.to_string_lossy());
        fs::create_dir_all(dir)?;
        fs::write(dir.join(&temp), content)?;
        journal.extend_from_slice(target.as_os_str().as_encoded_bytes());
        journal.push(0);
        journal.extend_from_slice(temp.as_bytes());
        journal.push(0);
    }
    fs::create_dir_all(root.join("var/lock"))?;
    fs::write(root.join("var/lock/piktc-switch.journal"), journal)
}

/// Names in `dir` that are temporaries of an install.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".pikt-tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn piktd_finishes_an_interrupted_switch_before_it_runs_anything() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("etc"))?;
    // The old schedule runs nothing soon; the new one, half switched, runs
    // New every minute and needs its alert file, also still a temporary.
    fs::write(root.join("etc/piktd.conf"), "0 0 1 1 * pikt +A Old\n")?;
    plant_interrupted_switch(
        root,
        &[
            ("lib/alerts/New.alt", "NewChk\n"),
            (
                "etc/piktd.conf",
                "* * * * * cat lib/alerts/New.alt >> ran # +A New\n",
            ),
        ],
    )?;
    let journal = root.join("var/lock/piktc-switch.journal");
    let mut daemon = Running(piktd(root).spawn()?);

    wait_for_line(root, &["end New", "exit 0"]);
    // The first run found the new alert file in place.
    assert_eq!(fs::read_to_string(root.join("ran"))?, "NewChk\n");
    assert_eq!(fs::read_to_string(root.join("etc/alerts"))?, "New\n");
    assert!(!journal.exists(), "the journal is removed");
    assert_eq!(temporaries(&root.join("etc")), Vec::<String>::new());
    assert_eq!(temporaries(&root.join("lib/alerts")), Vec::<String>::new());
    let text = log_text(root);
    let finished = text
        .find("finished the switch of an install that was interrupted")
        .unwrap_or(usize::MAX);
    let loaded = text.find("INFO loaded").unwrap_or(0);
    let launched = text.find("launch New").unwrap_or(0);
    assert!(finished < loaded && loaded < launched, "{text}");
    assert!(text.contains("lib/alerts/New.alt`"), "{text}");

    // A reload finishes one too, before it rereads piktd.conf.
    plant_interrupted_switch(root, &[("etc/piktd.conf", "0 0 1 1 * pikt +A Fresh\n")])?;
    signal(&daemon.0, Signal::HUP);
    let reloaded = crate::support::poll_until(Duration::from_secs(20), || {
        let text = log_text(root);
        let after = &text[text.find("reload requested")?..];
        after.contains("INFO loaded").then(|| after.to_owned())
    });
    let after = reloaded.unwrap_or_else(|| panic!("no reload in:\n{}", log_text(root)));
    let finished = after.find("finished the switch").unwrap_or(usize::MAX);
    assert!(finished < after.find("INFO loaded").unwrap_or(0), "{after}");
    assert_eq!(fs::read_to_string(root.join("etc/alerts"))?, "Fresh\n");
    assert!(!journal.exists(), "the journal is removed");
    assert_eq!(temporaries(&root.join("etc")), Vec::<String>::new());
    let text = log_text(root);
    assert_eq!(
        text.matches("finished the switch of an install").count(),
        2,
        "{text}"
    );

    signal(&daemon.0, Signal::TERM);
    assert_eq!(daemon.0.wait()?.code(), Some(0));
    Ok(())
}
