//! The real daemon loop with real child processes, on a clock that runs 60
//! times faster than real time (one minute per real second): a line due every
//! minute runs on time, a hanging one is killed at its limit with its whole
//! process group, the daemon stays alive, a reload picks up a changed
//! `piktd.conf`, a second daemon is refused, and a stop ends everything.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::Duration;

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_sched::testing::{live_group_members, log_text, wait_for_log_line};
use pikt_sched::{Console, Daemon, ScaledClock, Settings, ShellLauncher, StartError, Wakeup};

const FACTOR: u32 = 60;

fn start_time() -> Timestamp {
    TimeZone::UTC
        .to_timestamp(date(2026, 11, 24).at(10, 0, 30, 0))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn settings(dir: &Path) -> Settings {
    let mut settings = Settings::new(dir);
    settings.host = "loophost".to_owned();
    settings.zone = TimeZone::UTC;
    // 120 s and 5 s on the fast clock: 2 s and 83 ms of real time.
    settings.run_timeout = Duration::from_secs(120);
    settings.kill_grace = Duration::from_secs(5);
    settings
}

/// Waits (up to 30 s of real time) until the log has a line containing
/// every one of `needles`; returns that line.
fn wait_for_line(dir: &Path, needles: &[&str]) -> String {
    wait_for_log_line(dir, needles, Duration::from_secs(30))
}

/// True when the log line's time (`Nov 24 HH:MM:SS ...`) is in `from..to`
/// (simulated time; 20 simulated seconds are a third of a real second).
fn within(line: &str, from: &str, to: &str) -> bool {
    line.get(7..15)
        .is_some_and(|time| from <= time && time < to)
}

fn pid_in(line: &str) -> u32 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("pid="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_daemon_loop_with_real_children() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().to_path_buf();
    fs::create_dir_all(root.join("etc"))?;
    fs::write(
        root.join("etc/piktd.conf"),
        "* * * * * echo tick; echo tick >> ticks # +A Every\n\
         * * * * * sleep 1000 # +A Hang\n\
         0 * * * * head -c 5000 /dev/zero | tr '\\0' x # +A Big\n",
    )?;
    let wakeup = Wakeup::new()?;
    let trigger = wakeup.trigger()?;
    let clock = ScaledClock::new(start_time(), FACTOR);
    let daemon = Daemon::start(
        settings(&root),
        clock,
        Box::new(ShellLauncher::new(&root)),
        Console::silent(),
    )
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    let thread = thread::spawn(move || daemon.run(&wakeup));

    // The first run comes at once (10:00), the next at the 10:01 boundary.
    let first = wait_for_line(&root, &["launch Every", "due 10:00"]);
    assert!(within(&first, "10:00:30", "10:01:00"), "{first}");
    let second = wait_for_line(&root, &["launch Every", "due 10:01"]);
    assert!(within(&second, "10:01:00", "10:01:20"), "on time: {second}");
    wait_for_line(&root, &["output Every", ": tick"]);
    // Output is copied to the log up to 4096 bytes.
    let big = wait_for_line(&root, &["output Big", "more bytes not shown"]);
    assert!(big.ends_with(": [904 more bytes not shown]"), "{big}");

    // The hung run: skipped while it hangs, stopped at 120 s, group gone.
    let hang = wait_for_line(&root, &["launch Hang", "due 10:00"]);
    let hang_pid = pid_in(&hang);
    wait_for_line(
        &root,
        &["skip Hang", "due 10:01", &format!("pid {hang_pid}")],
    );
    let timeout = wait_for_line(&root, &["timeout Hang", &format!("pid={hang_pid}")]);
    assert!(
        within(&timeout, "10:02:30", "10:02:50"),
        "at its limit: {timeout}"
    );
    assert!(
        timeout.contains("still running after the 120s time limit"),
        "{timeout}"
    );
    let end = wait_for_line(&root, &["end Hang", &format!("pid={hang_pid}")]);
    assert!(end.contains("stopped at the time limit"), "{end}");
    assert_eq!(live_group_members(hang_pid), 0, "the hung group is gone");

    // The daemon is still alive: Every keeps running after the kill.
    wait_for_line(&root, &["launch Every", "due 10:04"]);
    let again = wait_for_line(&root, &["launch Hang", "due 10:03"]);
    assert_ne!(pid_in(&again), hang_pid);

    // A second daemon on the same installation is refused.
    let second_daemon = Daemon::start(
        settings(&root),
        ScaledClock::new(start_time(), FACTOR),
        Box::new(ShellLauncher::new(&root)),
        Console::silent(),
    );
    assert!(matches!(
        second_daemon,
        Err(StartError::AlreadyRunning { .. })
    ));

    // A reload picks up the changed piktd.conf.
    fs::write(
        root.join("etc/piktd.conf"),
        "* * * * * echo fresh >> fresh # +A Fresh\n",
    )?;
    trigger.reload();
    wait_for_line(&root, &["loaded", "1 line(s), 1 alert(s)"]);
    assert_eq!(fs::read_to_string(root.join("etc/alerts"))?, "Fresh\n");
    wait_for_line(&root, &["end Fresh", "exit 0"]);
    assert!(fs::read_to_string(root.join("fresh"))?.starts_with("fresh\n"));

    // A stop ends the daemon and its runs.
    trigger.stop();
    assert!(thread.join().is_ok());
    let text = log_text(&root);
    assert!(text.trim_end().ends_with("INFO stopped"), "{text}");
    let ticks = fs::read_to_string(root.join("ticks"))?;
    assert!(ticks.lines().count() >= 4, "{ticks}");
    // Every launch has its end.
    let launches = text.lines().filter(|l| l.contains(" launch ")).count();
    let ends = text.lines().filter(|l| l.contains(" end ")).count();
    assert_eq!(launches, ends, "{text}");
    Ok(())
}
