//! The daemon stepped on a manual clock with fake runs: every scheduling rule
//! (minutes, overlap, time limits, crashes, drift, test mode, reload, clock
//! jumps, restart, lock, stop) checked in simulated time, without sleeping.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_sched::testing::{Behaviour, FakeLauncher, LaunchLog, SharedBuffer};
use pikt_sched::{Clock, Console, Daemon, ManualClock, Settings, StartError, StopSignal};

const HOST: &str = "testhost";

/// A temporary installation, a manual clock and a daemon on them.
struct Harness {
    dir: tempfile::TempDir,
    clock: ManualClock,
    launches: LaunchLog,
    console: SharedBuffer,
    daemon: Option<Daemon<ManualClock>>,
}

/// 2026-11-24 (a Tuesday) at `h:m:s` UTC.
fn wall(h: i8, m: i8, s: i8) -> Timestamp {
    TimeZone::UTC
        .to_timestamp(date(2026, 11, 24).at(h, m, s, 0))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::new(dir);
    settings.host = HOST.to_owned();
    settings.zone = TimeZone::UTC;
    settings.run_timeout = Duration::from_secs(120);
    settings.kill_grace = Duration::from_secs(5);
    settings
}

impl Harness {
    fn new(conf: &str, rules: &[(&str, Behaviour)]) -> Harness {
        Harness::with(conf, rules, wall(10, 0, 30), |_| {})
    }

    fn with(
        conf: &str,
        rules: &[(&str, Behaviour)],
        start: Timestamp,
        tweak: impl FnOnce(&mut Settings),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        fs::create_dir_all(dir.path().join("etc")).unwrap_or_else(|e| panic!("etc: {e}"));
        if !conf.is_empty() {
            fs::write(dir.path().join("etc/piktd.conf"), conf)
                .unwrap_or_else(|e| panic!("conf: {e}"));
        }
        let clock = ManualClock::new(start);
        let mut harness = Harness {
            dir,
            clock,
            launches: LaunchLog::default(),
            console: SharedBuffer::default(),
            daemon: None,
        };
        harness.start(rules, tweak);
        harness
    }

    fn start(&mut self, rules: &[(&str, Behaviour)], tweak: impl FnOnce(&mut Settings)) {
        match self.try_start(rules, tweak) {
            Ok(daemon) => self.daemon = Some(daemon),
            Err(err) => panic!("daemon did not start: {err}"),
        }
    }

    fn try_start(
        &mut self,
        rules: &[(&str, Behaviour)],
        tweak: impl FnOnce(&mut Settings),
    ) -> Result<Daemon<ManualClock>, StartError> {
        let mut launcher = FakeLauncher::new(self.clock.clone());
        for (needle, behaviour) in rules {
            launcher = launcher.rule(needle, *behaviour);
        }
        self.launches = launcher.log();
        let mut settings = settings(self.dir.path());
        tweak(&mut settings);
        let console = Console {
            diagnostics: Box::new(self.console.clone()),
            log_copy: None,
        };
        Daemon::start(settings, self.clock.clone(), Box::new(launcher), console)
    }

    fn daemon(&mut self) -> &mut Daemon<ManualClock> {
        match self.daemon.as_mut() {
            Some(daemon) => daemon,
            None => panic!("no daemon"),
        }
    }

    /// Runs the daemon loop in simulated time until the wall clock reads
    /// `until`, ticking exactly where the real loop would wake.
    fn run_until(&mut self, until: Timestamp) {
        loop {
            let mut sleep = self.daemon().tick();
            // A run ending wakes the real daemon (SIGCHLD); do the same.
            if let Some(end) = self.launches.next_end() {
                sleep = sleep.min(end.saturating_sub(self.clock.elapsed()));
            }
            let now = self.clock.now();
            let left = Duration::try_from(until.duration_since(now)).unwrap_or(Duration::ZERO);
            if left.is_zero() {
                return;
            }
            self.clock.advance(sleep.min(left));
        }
    }

    fn stop(&mut self) {
        if let Some(daemon) = self.daemon.take() {
            daemon.shutdown("test");
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The log without the `Mon DD ` date and `host piktd[pid]: ` parts:
    /// `10:00:30 INFO launch ...` lines.
    fn log(&self) -> Vec<String> {
        let text = fs::read_to_string(self.path("var/log/piktd.log")).unwrap_or_default();
        let prefix = format!(" {HOST} piktd[{}]: ", std::process::id());
        text.lines()
            .map(|line| {
                let time = line.get(7..15).unwrap_or("");
                let rest = line.split_once(&prefix).map_or(line, |(_, r)| r);
                format!("{time} {rest}")
            })
            .collect()
    }

    fn log_with(&self, needle: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| l.contains(needle))
            .collect()
    }

    /// Launch times as seconds since the daemon started.
    fn launch_secs(&self) -> Vec<u64> {
        self.launches
            .launched()
            .iter()
            .map(|l| l.at.as_secs())
            .collect()
    }

    fn launched_commands(&self) -> Vec<String> {
        self.launches
            .launched()
            .iter()
            .map(|l| l.command.clone())
            .collect()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn runs_each_line_at_the_minutes_it_names_and_logs_launch_and_end() {
    let mut h = Harness::new("* * * * * pikt +A Every\n*/5 * * * * pikt +A Five\n", &[]);
    h.run_until(wall(10, 5, 30));
    // Started at 10:00:30: the current minute runs at once, then each boundary.
    let every: Vec<u64> = h
        .launches
        .launched()
        .iter()
        .filter(|l| l.command.ends_with("Every"))
        .map(|l| l.at.as_secs())
        .collect();
    assert_eq!(every, [0, 30, 90, 150, 210, 270]);
    let five: Vec<u64> = h
        .launches
        .launched()
        .iter()
        .filter(|l| l.command.ends_with("Five"))
        .map(|l| l.at.as_secs())
        .collect();
    assert_eq!(five, [0, 270]);
    assert_eq!(
        h.log_with("pid=1001"),
        [
            "10:00:30 INFO launch Every pid=1001 line 1 due 10:00: pikt +A Every",
            "10:00:31 INFO end Every pid=1001 exit 0 after 1.0s",
            "10:00:31 INFO output Every pid=1001: ran pikt +A Every",
        ]
    );
    assert_eq!(
        h.log_with("launch Five"),
        [
            "10:00:30 INFO launch Five pid=1002 line 2 due 10:00: pikt +A Five",
            "10:05:00 INFO launch Five pid=1008 line 2 due 10:05: pikt +A Five",
        ]
    );
}

#[test]
fn start_writes_the_alerts_file_and_logs_the_start() {
    let h = Harness::new(
        "0 8-17 * * 1-5 pikt +A Urgent\n0 * * * 0,6 pikt +A Urgent\n*/15 * * * * pikt +A Warning\n",
        &[],
    );
    assert_eq!(
        fs::read_to_string(h.path("etc/alerts")).ok().as_deref(),
        Some("Urgent\nWarning\n")
    );
    let log = h.log();
    assert!(log[0].starts_with("10:00:30 INFO start piktd "), "{log:?}");
    assert!(
        log[0].ends_with("time limit 120s, catch-up 60 minutes)"),
        "{log:?}"
    );
    assert!(
        log[1].ends_with("piktd.conf`: 3 line(s), 2 alert(s)"),
        "{log:?}"
    );
}

#[test]
fn a_run_still_going_makes_the_next_one_skip() {
    let slow = Behaviour::Exit {
        after: Duration::from_secs(100),
        code: 0,
    };
    let mut h = Harness::new("* * * * * pikt +A Slow\n", &[("Slow", slow)]);
    h.run_until(wall(10, 3, 30));
    // 10:00:30 start, runs until 10:02:10: 10:01 and 10:02 are skipped.
    assert_eq!(h.launch_secs(), [0, 150]);
    assert_eq!(
        h.log_with("skip"),
        [
            "10:01:00 WARNING skip Slow line 1 due 10:01: the previous run (pid 1001, started 10:00:30) is still going",
            "10:02:00 WARNING skip Slow line 1 due 10:02: the previous run (pid 1001, started 10:00:30) is still going",
        ]
    );
    assert_eq!(
        h.log_with("end Slow"),
        ["10:02:10 INFO end Slow pid=1001 exit 0 after 100s"]
    );
}

#[test]
fn a_hung_run_gets_sigterm_at_its_limit_then_sigkill() {
    let mut h = Harness::new(
        "0 * * * * pikt +A Hang\n",
        &[("Hang", Behaviour::HangIgnoringTerm)],
    );
    h.run_until(wall(10, 4, 0));
    assert_eq!(
        h.launches.signals(),
        [(1001, StopSignal::Term), (1001, StopSignal::Kill)]
    );
    assert_eq!(
        h.log_with("pid=1001"),
        [
            "10:00:30 INFO launch Hang pid=1001 line 1 due 10:00: pikt +A Hang",
            "10:02:30 ERROR timeout Hang pid=1001 line 1 still running after the 120s time limit: sending SIGTERM to its process group",
            "10:02:35 ERROR timeout Hang pid=1001 still running 5.0s after SIGTERM: sending SIGKILL to its process group",
            "10:02:35 WARNING end Hang pid=1001 signal 9 (SIGKILL) after 125s: stopped at the time limit",
            "10:02:35 INFO output Hang pid=1001: ran pikt +A Hang",
        ]
    );
    assert_eq!(h.daemon().active_runs(), 0);
}

#[test]
fn a_run_that_obeys_sigterm_is_not_killed() {
    let mut h = Harness::new("0 * * * * pikt +A Hang\n", &[("Hang", Behaviour::Hang)]);
    h.run_until(wall(10, 4, 0));
    assert_eq!(h.launches.signals(), [(1001, StopSignal::Term)]);
    assert_eq!(
        h.log_with("end Hang"),
        ["10:02:30 WARNING end Hang pid=1001 signal 15 (SIGTERM) after 120s: stopped at the time limit"]
    );
}

#[test]
fn the_wake_up_comes_at_the_next_deadline_not_a_poll() {
    let mut h = Harness::with(
        "0 * * * * pikt +A Hang\n",
        &[("Hang", Behaviour::Hang)],
        wall(10, 0, 30),
        |s| s.run_timeout = Duration::from_secs(10),
    );
    // Started at 10:00:30 with a 10 s limit: the limit comes before the minute.
    assert_eq!(h.daemon().tick(), Duration::from_secs(10));
    h.clock.advance(Duration::from_secs(10));
    // The run got SIGTERM; until it is reaped the next deadline is SIGKILL's.
    assert_eq!(h.daemon().tick(), Duration::from_secs(5));
    // Its end wakes the daemon (SIGCHLD); then only the 10:01 boundary is left.
    assert_eq!(h.daemon().tick(), Duration::from_secs(20));
    let mut idle = Harness::with("0 0 1 1 * pikt +A Yearly\n", &[], wall(10, 0, 0), |_| {});
    assert_eq!(idle.daemon().tick(), Duration::from_secs(60));
}

#[test]
fn a_crash_and_a_failed_start_are_logged_and_the_daemon_goes_on() {
    let crash = Behaviour::Crash {
        after: Duration::from_secs(2),
        signal: 11,
    };
    let mut h = Harness::new(
        "* * * * * pikt +A Crash\n* * * * * pikt +A Bad\n* * * * * pikt +A Fine\n",
        &[("Crash", crash), ("Bad", Behaviour::FailToStart)],
    );
    h.run_until(wall(10, 1, 30));
    assert_eq!(
        h.log_with("Crash pid=1001"),
        [
            "10:00:30 INFO launch Crash pid=1001 line 1 due 10:00: pikt +A Crash",
            "10:00:32 ERROR end Crash pid=1001 signal 11 (SIGSEGV), core dumped after 2.0s: the run crashed or was killed",
            "10:00:32 INFO output Crash pid=1001: ran pikt +A Crash",
        ]
    );
    assert_eq!(
        h.log_with("cannot start"),
        [
            "10:00:30 ERROR cannot start Bad line 2 due 10:00: no such shell",
            "10:01:00 ERROR cannot start Bad line 2 due 10:01: no such shell",
        ]
    );
    let fine = h
        .launched_commands()
        .iter()
        .filter(|c| c.ends_with("Fine"))
        .count();
    assert_eq!(fine, 2);
    let crashes = h
        .launched_commands()
        .iter()
        .filter(|c| c.ends_with("Crash"))
        .count();
    assert_eq!(crashes, 2, "the crashing alert runs again the next minute");
}

#[test]
fn drift_delays_the_start_by_the_host_and_alert_delay() {
    let delay = pikt_sched::drift::delay(HOST, "Drifty", 1);
    let mut h = Harness::with(
        "*/5 * * * * 1 pikt +A Drifty\n",
        &[],
        wall(10, 0, 0),
        |_| {},
    );
    h.run_until(wall(10, 7, 0));
    let d = delay.as_secs();
    assert_eq!(h.launch_secs(), [d, 300 + d]);
}

#[test]
fn a_run_waiting_for_its_drift_counts_as_still_going() {
    // Find a host whose 3-minute drift for this alert is over 90 s.
    let host = (0..1000)
        .map(|i| format!("host{i}"))
        .find(|h| pikt_sched::drift::delay(h, "Drifty", 3) > Duration::from_secs(90))
        .unwrap_or_default();
    let delay = pikt_sched::drift::delay(&host, "Drifty", 3).as_secs();
    let mut h = Harness::with("* * * * * 3 pikt +A Drifty\n", &[], wall(10, 0, 0), |s| {
        s.host = host.clone();
    });
    h.run_until(wall(10, 1, 30));
    let skips: Vec<String> = fs::read_to_string(h.path("var/log/piktd.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("skip Drifty"))
        .map(|l| l.split_once("WARNING ").map_or("", |(_, r)| r).to_owned())
        .collect();
    let left = delay - 60;
    let left = if left < 60 {
        format!("{left}.0s")
    } else {
        format!("{left}s")
    };
    assert_eq!(
        skips,
        [format!(
            "skip Drifty line 1 due 10:01: the previous run is still waiting for its drift delay (starts in {left})"
        )]
    );
}

#[test]
fn test_mode_logs_what_would_run_and_runs_nothing() {
    let mut h = Harness::with("* * * * * pikt -T +A Every\n", &[], wall(10, 0, 30), |s| {
        s.test_mode = true;
    });
    h.run_until(wall(10, 1, 30));
    assert!(h.launches.launched().is_empty());
    assert_eq!(
        h.log_with("would run"),
        [
            "10:00:30 INFO test Every line 1 due 10:00: would run: pikt -T +A Every",
            "10:01:00 INFO test Every line 1 due 10:01: would run: pikt -T +A Every",
        ]
    );
}

#[test]
fn reload_picks_up_the_new_conf_reports_bad_lines_and_keeps_running_runs() {
    let long = Behaviour::Exit {
        after: Duration::from_secs(90),
        code: 0,
    };
    let mut h = Harness::new("* * * * * pikt +A One\n", &[("One", long)]);
    h.run_until(wall(10, 0, 40));
    fs::write(
        h.path("etc/piktd.conf"),
        "* * * * * pikt +A Two\n* * * * 9 pikt +A Bad\n*/2 * * * * pikt +A Three\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    h.daemon().reload();
    assert_eq!(
        fs::read_to_string(h.path("etc/alerts")).ok().as_deref(),
        Some("Two\nThree\n")
    );
    assert_eq!(h.daemon().active_runs(), 1, "One keeps running");
    h.run_until(wall(10, 2, 30));
    // Nothing ran again for 10:00; Two from 10:01; Three at 10:02; One no more.
    assert_eq!(
        h.launched_commands(),
        ["pikt +A One", "pikt +A Two", "pikt +A Two", "pikt +A Three"]
    );
    assert_eq!(
        h.log_with("end One"),
        ["10:02:00 INFO end One pid=1001 exit 0 after 90s"]
    );
    let conf = h.path("etc/piktd.conf").display().to_string();
    assert_eq!(
        h.log_with("error:"),
        [format!(
            "10:00:40 ERROR {conf}:2:9: error: day-of-week `9` is out of range 0-7"
        )]
    );
    assert!(
        h.console
            .text()
            .contains("2 | * * * * 9 pikt +A Bad\n  |         ^\n"),
        "{}",
        h.console.text()
    );
}

#[test]
fn clock_set_back_never_reruns_a_minute() {
    let mut h = Harness::new("* * * * * pikt +A Every\n", &[]);
    h.run_until(wall(10, 0, 40));
    h.clock.set_wall(wall(9, 58, 10));
    h.run_until(wall(10, 1, 30));
    // 10:00 ran before the jump; 09:58..10:00 after it are not run again.
    assert_eq!(h.launches.launched().len(), 2);
    assert_eq!(
        h.log_with("clock"),
        ["09:58:10 WARNING clock is behind the last minute handled (2026-11-24 10:00): nothing runs until it has passed"]
    );
    assert_eq!(
        h.log_with("launch").last().map(String::as_str),
        Some("10:01:00 INFO launch Every pid=1002 line 1 due 10:01: pikt +A Every")
    );
}

#[test]
fn small_forward_jump_catches_up_once() {
    let mut h = Harness::new("* * * * * pikt +A Every\n10 * * * * pikt +A AtTen\n", &[]);
    h.run_until(wall(10, 0, 40));
    h.clock.set_wall(wall(10, 20, 30));
    h.run_until(wall(10, 20, 40));
    assert_eq!(
        h.log_with("10:20:30"),
        [
            "10:20:30 WARNING skip minutes 2026-11-24 10:01..2026-11-24 10:19 (19): the clock jumped forward or the host slept; each line due in them runs once now",
            "10:20:30 INFO launch Every pid=1002 line 1 due 10:20: pikt +A Every",
            "10:20:30 INFO launch AtTen pid=1003 line 2 due 10:10 (catch-up): pikt +A AtTen",
        ]
    );
}

#[test]
fn large_forward_jump_skips_and_says_so() {
    let mut h = Harness::new("* * * * * pikt +A Every\n10 * * * * pikt +A AtTen\n", &[]);
    h.run_until(wall(10, 0, 40));
    h.clock.set_wall(wall(12, 30, 30));
    h.run_until(wall(12, 30, 40));
    assert_eq!(
        h.log_with("12:30:30"),
        [
            "12:30:30 WARNING skip minutes 2026-11-24 10:01..2026-11-24 12:29 (149): the clock jumped forward or the host slept; more than the catch-up window of 60 minutes, so they are not caught up",
            "12:30:30 INFO launch Every pid=1002 line 1 due 12:30: pikt +A Every",
        ]
    );
}

#[test]
fn a_second_daemon_on_the_same_installation_is_refused() {
    let mut h = Harness::new("* * * * * pikt +A Every\n", &[]);
    match h.try_start(&[], |_| {}) {
        Err(err @ StartError::AlreadyRunning { .. }) => {
            assert_eq!(err.exit_code(), 3);
            let lock = h.path("etc/piktd.lock").display().to_string();
            assert_eq!(
                err.to_string(),
                format!(
                    "another piktd is running for this installation (pid {} holds `{lock}`)",
                    std::process::id()
                )
            );
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a second daemon started"),
    }
    // Once the first stops, the lock is free.
    h.stop();
    assert!(h.try_start(&[], |_| {}).is_ok());
}

#[test]
fn a_restart_in_the_same_minute_does_not_run_it_again() {
    let mut h = Harness::new("* * * * * pikt +A Every\n", &[]);
    h.run_until(wall(10, 0, 40));
    h.stop();
    h.clock.set_wall(wall(10, 0, 50));
    h.start(&[], |_| {});
    h.run_until(wall(10, 1, 10));
    assert_eq!(
        h.launch_secs().len(),
        1,
        "only the 10:01 run after the restart"
    );
    assert_eq!(
        fs::read_to_string(h.path("var/run/piktd.state"))
            .ok()
            .map(|t| t.trim().to_owned()),
        Some(pikt_sched::Minute::of(wall(10, 1, 0)).0.to_string())
    );
}

#[test]
fn stop_ends_runs_and_cancels_delays() {
    let mut h = Harness::new(
        "0 * * * * pikt +A Polite\n0 * * * * pikt +A Stubborn\n",
        &[
            ("Polite", Behaviour::Hang),
            ("Stubborn", Behaviour::HangIgnoringTerm),
        ],
    );
    h.run_until(wall(10, 0, 40));
    h.stop();
    assert_eq!(
        h.launches.signals(),
        [
            (1001, StopSignal::Term),
            (1002, StopSignal::Term),
            (1002, StopSignal::Kill)
        ]
    );
    let log = h.log();
    let tail: Vec<&str> = log.iter().rev().take(9).rev().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "10:00:40 INFO stop (test): 2 run(s) in progress, 0 waiting",
            "10:00:40 INFO stop Polite pid=1001: sending SIGTERM to its process group",
            "10:00:40 INFO stop Stubborn pid=1002: sending SIGTERM to its process group",
            "10:00:40 INFO end Polite pid=1001 signal 15 (SIGTERM) after 10.0s: stopped because piktd is stopping",
            "10:00:40 INFO output Polite pid=1001: ran pikt +A Polite",
            "10:00:45 INFO stop Stubborn pid=1002: sending SIGKILL to its process group",
            "10:00:45 INFO end Stubborn pid=1002 signal 9 (SIGKILL) after 15.0s: stopped because piktd is stopping",
            "10:00:45 INFO output Stubborn pid=1002: ran pikt +A Stubborn",
            "10:00:45 INFO stopped",
        ]
    );
}

#[test]
fn a_missing_conf_is_a_warning_and_a_later_reload_schedules() {
    let mut h = Harness::new("", &[]);
    assert_eq!(
        fs::read_to_string(h.path("etc/alerts")).ok().as_deref(),
        Some("")
    );
    assert_eq!(h.log_with("no piktd.conf").len(), 1);
    h.run_until(wall(10, 0, 50));
    fs::write(h.path("etc/piktd.conf"), "* * * * * pikt +A Late\n")
        .unwrap_or_else(|e| panic!("{e}"));
    h.daemon().reload();
    h.run_until(wall(10, 1, 10));
    assert_eq!(h.launched_commands(), ["pikt +A Late"]);
    assert_eq!(
        h.log_with("launch")[0],
        "10:01:00 INFO launch Late pid=1001 line 1 due 10:01: pikt +A Late"
    );
}

#[test]
fn two_timing_lines_of_one_alert_in_the_same_minute_make_one_run() {
    let mut h = Harness::with(
        "0 8-17 * * 1-5 pikt +A Urgent\n0 * * * * pikt +A Urgent\n",
        &[],
        wall(10, 0, 0),
        |s| s.debug = true,
    );
    h.run_until(wall(10, 0, 30));
    assert_eq!(h.launched_commands(), ["pikt +A Urgent"]);
    assert!(h.log_with("skip").is_empty());
    assert_eq!(
        h.log_with("same minute"),
        ["10:00:00 DEBUG Urgent: line 2 names the same minute again; one run"]
    );
}
