//! What the scheduler itself costs: CPU time and memory of the daemon over a
//! simulated hour with 50 alerts.
//!
//! ```text
//! cargo run --release -p pikt-sched --example sched_cost            # all three modes
//! cargo run --release -p pikt-sched --example sched_cost -- real 120
//! cargo run --release -p pikt-sched --example sched_cost -- idle
//! ```
//!
//! * `real [FACTOR]`: the real daemon loop (`Daemon::run`) with real child
//!   processes (`/bin/sh -c 'true'`) on a clock running FACTOR times faster
//!   than real time (default 120: the hour takes 30 s). Counts every launch,
//!   end and log line: this is the daemon's whole cost per simulated hour.
//! * `idle [FACTOR]`: the same hour with 50 alerts that are never due (the
//!   daemon only wakes at each minute boundary): the idle cost.
//! * `fake`: 24 simulated hours stepped on a manual clock with fake runs: the
//!   scheduling logic alone, without process creation.
//!
//! CPU time is the main thread's (the daemon runs on it) from
//! `/proc/thread-self/schedstat` in nanoseconds, and children are not counted
//! (their time goes to the parent only once reaped, as `cutime`). Memory is
//! `VmHWM` (peak resident set) and `VmRSS` from `/proc/self/status`.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_sched::testing::FakeLauncher;
use pikt_sched::{
    Clock, Console, Daemon, ManualClock, ScaledClock, Settings, ShellLauncher, Wakeup,
};

const ALERTS: usize = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("all", String::as_str);
    let factor = args.get(1).and_then(|f| f.parse().ok()).unwrap_or(120);
    match mode {
        "fake" => fake_day(),
        "idle" => real_hour(factor, &idle_conf()),
        "real" => real_hour(factor, &busy_conf()),
        _ => each_in_its_own_process(factor),
    }
}

/// Runs the three modes one after the other, each in a fresh process so
/// that each peak RSS is its own.
fn each_in_its_own_process(factor: u32) -> Result<(), Box<dyn std::error::Error>> {
    let me = std::env::current_exe()?;
    for mode in ["fake", "idle", "real"] {
        let status = std::process::Command::new(&me)
            .args([mode, &factor.to_string()])
            .status()?;
        if !status.success() {
            return Err(format!("mode `{mode}` failed: {status}").into());
        }
    }
    Ok(())
}

/// 50 alerts as a site might have: 10 every minute, 15 every 5 minutes, 15
/// every 15 minutes, 10 hourly, spread over the minutes.
fn busy_conf() -> String {
    (0..ALERTS)
        .map(|i| {
            let timing = match i {
                0..=9 => "* * * * *".to_owned(),
                10..=24 => format!("{}-59/5 * * * *", i % 5),
                25..=39 => format!("{}-59/15 * * * *", i % 15),
                _ => format!("{} * * * *", (i * 7) % 60),
            };
            format!("{timing} true # +A Alert{i}\n")
        })
        .collect()
}

/// 50 alerts due once a year at midnight on 1 January.
fn idle_conf() -> String {
    (0..ALERTS)
        .map(|i| format!("0 0 1 1 * true # +A Alert{i}\n"))
        .collect()
}

fn settings(dir: &Path) -> Settings {
    let mut settings = Settings::new(dir);
    settings.zone = TimeZone::UTC;
    settings.host = "benchhost".to_owned();
    settings
}

fn start_time() -> Timestamp {
    // 2026-11-24 10:00:00 UTC.
    Timestamp::from_second(1_795_514_400).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn write_conf(dir: &Path, conf: &str) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("etc"))?;
    fs::write(dir.join("etc/piktd.conf"), conf)
}

fn real_hour(factor: u32, conf: &str) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write_conf(dir.path(), conf)?;
    let wakeup = Wakeup::new()?;
    let trigger = wakeup.trigger()?;
    let clock = ScaledClock::new(start_time(), factor);
    let real_hour = clock.real(Duration::from_secs(3600));
    let launcher = Box::new(ShellLauncher::new(dir.path()));
    let daemon = Daemon::start(settings(dir.path()), clock, launcher, Console::silent())?;
    let cpu_before = cpu_nanos();
    let wall = Instant::now();
    let timer = thread::spawn(move || {
        thread::sleep(real_hour);
        trigger.stop();
    });
    daemon.run(&wakeup);
    let _ = timer.join();
    let cpu = cpu_nanos().saturating_sub(cpu_before);
    let log = fs::read_to_string(dir.path().join("var/log/piktd.log"))?;
    let launches = log.lines().filter(|l| l.contains(" launch ")).count();
    let kind = if launches == 0 { "idle" } else { "real" };
    println!(
        "{kind}: 1 simulated hour, {ALERTS} alerts, factor {factor} ({:.1}s real): {launches} launches, \
         daemon CPU {:.3}s ({:.1} us/launch, {:.4}% of the simulated hour), {}",
        wall.elapsed().as_secs_f64(),
        secs(cpu),
        if launches > 0 { micros(cpu) / as_f64(launches) } else { 0.0 },
        100.0 * secs(cpu) / 3600.0,
        memory()
    );
    Ok(())
}

fn fake_day() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write_conf(dir.path(), &busy_conf())?;
    let clock = ManualClock::new(start_time());
    let launcher = FakeLauncher::new(clock.clone());
    let launches = launcher.log();
    let mut daemon = Daemon::start(
        settings(dir.path()),
        clock.clone(),
        Box::new(launcher),
        Console::silent(),
    )?;
    let cpu_before = cpu_nanos();
    let end = Duration::from_secs(24 * 3600);
    let mut ticks = 0u64;
    while clock.elapsed() < end {
        let mut sleep = daemon.tick();
        if let Some(next_end) = launches.next_end() {
            sleep = sleep.min(next_end.saturating_sub(clock.elapsed()));
        }
        clock.advance(sleep.max(Duration::from_millis(1)));
        ticks += 1;
    }
    let cpu = cpu_nanos().saturating_sub(cpu_before);
    let count = launches.launched().len();
    println!(
        "fake: 24 simulated hours, {ALERTS} alerts, no processes: {count} launches, {ticks} ticks, \
         CPU {:.3}s ({:.1} us/tick, {:.1} us/launch incl. log writes), {}",
        secs(cpu),
        micros(cpu) / as_f64(usize::try_from(ticks).unwrap_or(usize::MAX)),
        micros(cpu) / as_f64(count.max(1)),
        memory()
    );
    daemon.shutdown("bench done");
    Ok(())
}

/// CPU time of the calling thread, in nanoseconds.
fn cpu_nanos() -> u64 {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn memory() -> String {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    format!(
        "peak RSS {} KiB, RSS {} KiB",
        field("VmHWM:"),
        field("VmRSS:")
    )
}

fn secs(nanos: u64) -> f64 {
    micros(nanos) / 1e6
}

fn micros(nanos: u64) -> f64 {
    as_f64(usize::try_from(nanos / 1000).unwrap_or(usize::MAX))
}

fn as_f64(n: usize) -> f64 {
    u32::try_from(n).map_or(f64::from(u32::MAX), f64::from)
}
