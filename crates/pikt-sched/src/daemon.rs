//! The daemon: starting due runs, watching them, reloading, stopping.
//!
//! Life of a [`Daemon`]:
//!
//! 1. [`Daemon::start`] makes the directories it needs, takes the instance
//!    lock ([`crate::lock`]), opens `piktd.log`, finishes a configuration
//!    switch a killed piktc left half done, reads `piktd.conf`, writes
//!    `etc/alerts` and decides where the schedule resumes: at the current
//!    minute, unless the state file says runs were already started in it (a
//!    restart within the same minute starts nothing twice).
//! 2. [`Daemon::tick`] does everything that is due *now*, in this order:
//!    reap ended runs (logging exit status, duration and output), stop runs
//!    past their time limit (`SIGTERM` to the process group, `SIGKILL` after
//!    the grace period), start runs whose drift delay is over, and start the
//!    lines due in the minutes since the last tick ([`mod@crate::due`]). It
//!    returns how long the daemon may sleep: until the next minute boundary,
//!    the next time limit or the next drift delay, whichever is first — never
//!    a fixed poll, so an idle daemon wakes once a minute.
//! 3. [`Daemon::run`] loops: tick, sleep on the [`Wakeup`] (which signals and
//!    [`crate::Trigger`]s cut short), reload on `SIGHUP`, stop on `SIGTERM`.
//! 4. [`Daemon::reload`] finishes a half-done switch as at start, rereads
//!    `piktd.conf` and reopens the log. The minute
//!    bookkeeping, runs in progress and pending drift delays are kept, so a
//!    reload neither repeats nor loses a minute; a bad line is reported and
//!    left out while the others run.
//! 5. [`Daemon::shutdown`] cancels pending delays, sends `SIGTERM` to every
//!    run's process group, waits the grace period (for the whole group: an
//!    alert run may still be sending its mail after the shell that started
//!    it ended), sends `SIGKILL` to what is left, and logs each end.
//!
//! **No overlap.** A line that falls due while a run with the same key (its
//! alert name) is still going, or still waiting out its drift, is skipped and
//! the skip logged.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use pikt_source::{render, Diagnostic, SourceMap};

use crate::clock::Clock;
use crate::conf::Schedule;
use crate::drift;
use crate::due::{due, DueRun, Jump};
use crate::error::StartError;
use crate::files::{alerts_text, write_atomic, StateFile};
use crate::launcher::{Exit, Launcher, Run, StopSignal, OUTPUT_LIMIT};
use crate::lock::InstanceLock;
use crate::log::{DaemonLog, Level};
use crate::minute::Minute;
use crate::settings::Settings;
use crate::timing::CivilTiming;
use crate::wakeup::Wakeup;

/// Where the daemon writes besides its log: rendered `piktd.conf`
/// diagnostics, and (with `-G`) a copy of every log line.
pub struct Console {
    /// Receives each `piktd.conf` diagnostic, rendered with its source line.
    pub diagnostics: Box<dyn Write + Send>,
    /// Receives a copy of each log line, when set.
    pub log_copy: Option<Box<dyn Write + Send>>,
}

impl Console {
    /// Writes nowhere (tests, benchmarks).
    pub fn silent() -> Console {
        Console {
            diagnostics: Box::new(io::sink()),
            log_copy: None,
        }
    }
}

/// Why a run is being stopped by the daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StopReason {
    TimeLimit,
    Shutdown,
}

/// A run in progress.
struct ActiveRun {
    key: String,
    line: usize,
    run: Box<dyn Run>,
    pid: u32,
    started_at: Timestamp,
    started: Duration,
    deadline: Duration,
    term_sent: Option<Duration>,
    kill_sent: bool,
    stopping: Option<StopReason>,
}

impl ActiveRun {
    /// The next monotonic time at which the daemon must act on this run.
    fn next_action(&self, grace: Duration) -> Option<Duration> {
        match (self.term_sent, self.kill_sent) {
            (None, _) => Some(self.deadline),
            (Some(term), false) => Some(term.saturating_add(grace)),
            (Some(_), true) => None,
        }
    }
}

/// The minute a run is for, as shown in the log.
#[derive(Clone, Copy, Debug)]
struct DueLabel {
    minute: Minute,
    catch_up: bool,
}

/// A run waiting out its drift delay.
struct WaitingRun {
    key: String,
    line: usize,
    command: String,
    due: DueLabel,
    at: Duration,
}

/// The scheduler daemon for one installation.
pub struct Daemon<C: Clock> {
    settings: Settings,
    clock: C,
    launcher: Box<dyn Launcher>,
    log: DaemonLog,
    diagnostics: Box<dyn Write + Send>,
    _lock: InstanceLock,
    state: StateFile,
    schedule: Schedule,
    last: Minute,
    behind: bool,
    active: Vec<ActiveRun>,
    waiting: Vec<WaitingRun>,
}

impl<C: Clock> Daemon<C> {
    /// Starts the daemon (step 1 of the module docs). Fails when another
    /// piktd holds the installation's lock, or a directory or the log cannot
    /// be made; a missing or partly bad `piktd.conf` is logged, not fatal.
    pub fn start(
        settings: Settings,
        clock: C,
        launcher: Box<dyn Launcher>,
        console: Console,
    ) -> Result<Daemon<C>, StartError> {
        for path in [
            &settings.lock_path,
            &settings.log_path,
            &settings.state_path,
            &settings.alerts_path,
        ] {
            create_parent(path)?;
        }
        let lock = InstanceLock::acquire(&settings.lock_path)?;
        let log = DaemonLog::open(
            &settings.log_path,
            &settings.host,
            settings.zone.clone(),
            settings.debug,
            console.log_copy,
        )
        .map_err(|source| StartError::Io {
            action: "open the log",
            path: settings.log_path.clone(),
            source,
        })?;
        let state = StateFile::new(&settings.state_path);
        let mut daemon = Daemon {
            settings,
            clock,
            launcher,
            log,
            diagnostics: console.diagnostics,
            _lock: lock,
            state,
            schedule: Schedule::default(),
            last: Minute(i64::MIN),
            behind: false,
            active: Vec::new(),
            waiting: Vec::new(),
        };
        daemon.note(Level::Info, &daemon.start_message());
        daemon.load_conf();
        let now = Minute::of(daemon.clock.now());
        let remembered = daemon.state.load().unwrap_or(Minute(i64::MIN));
        daemon.last = Minute(now.0.saturating_sub(1)).max(remembered);
        Ok(daemon)
    }

    fn start_message(&self) -> String {
        let s = &self.settings;
        format!(
            "start piktd {} (piktdir `{}`, time limit {}, catch-up {} minutes{})",
            env!("CARGO_PKG_VERSION"),
            s.piktdir.display(),
            seconds(s.run_timeout),
            s.catch_up_minutes,
            if s.test_mode {
                ", test mode: nothing is run"
            } else {
                ""
            }
        )
    }

    /// The clock the daemon reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The schedule in force.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// How many runs are in progress.
    pub fn active_runs(&self) -> usize {
        self.active.len()
    }

    /// How many runs wait out a drift delay.
    pub fn waiting_runs(&self) -> usize {
        self.waiting.len()
    }

    /// The last minute handled.
    pub fn last_minute(&self) -> Minute {
        self.last
    }

    /// Does what is due now and returns how long (on the daemon's clock) it
    /// may sleep before the next tick (step 2 of the module docs).
    pub fn tick(&mut self) -> Duration {
        self.reap();
        self.enforce_time_limits();
        self.start_waiting_runs();
        self.start_due_runs();
        self.until_next_wake()
    }

    /// Ticks and sleeps until a stop is requested, reloading on request
    /// (step 3). Returns after [`Daemon::shutdown`].
    pub fn run(mut self, wakeup: &Wakeup) {
        loop {
            let sleep = self.tick();
            let requests = wakeup.wait(self.clock.real(sleep));
            if let Some(signal) = requests.stop {
                let why = match signal {
                    0 => "stop requested".to_owned(),
                    15 => "SIGTERM".to_owned(),
                    2 => "SIGINT".to_owned(),
                    other => format!("signal {other}"),
                };
                self.shutdown(&why);
                return;
            }
            if requests.reload {
                self.reload();
            }
        }
    }

    /// Rereads `piktd.conf` and reopens the log (step 4).
    pub fn reload(&mut self) {
        if let Err(err) = self.log.reopen() {
            let path = self.log.path().display().to_string();
            let _ = writeln!(self.diagnostics, "piktd: cannot reopen `{path}`: {err}");
        }
        self.note(Level::Info, "reload requested: rereading piktd.conf");
        self.load_conf();
        let keys: Vec<String> = self
            .schedule
            .lines
            .iter()
            .map(|line| line.key().to_owned())
            .collect();
        let (kept, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| keys.contains(&w.key));
        self.waiting = kept;
        for waiting in dropped {
            let message = format!(
                "cancel {} line {}: no longer in piktd.conf",
                waiting.key, waiting.line
            );
            self.note(Level::Info, &message);
        }
    }

    /// Stops every run and ends the daemon (step 5); `why` goes in the log.
    pub fn shutdown(mut self, why: &str) {
        let message = format!(
            "stop ({why}): {} run(s) in progress, {} waiting",
            self.active.len(),
            self.waiting.len()
        );
        self.note(Level::Info, &message);
        for waiting in std::mem::take(&mut self.waiting) {
            let message = format!(
                "cancel {} line {}: it was waiting for its drift delay",
                waiting.key, waiting.line
            );
            self.note(Level::Info, &message);
        }
        self.stop_all(StopSignal::Term);
        let mut kill_at = self
            .clock
            .elapsed()
            .saturating_add(self.settings.kill_grace);
        let mut killed = false;
        // Runs whose shell ended while what it started goes on (an alert
        // run sending the mail its scripts made): waited for within the
        // grace, never signalled (with its leader reaped, the group's id
        // could name another group by the time it is signalled).
        let mut lingering: Vec<(String, u32, Box<dyn Run>)> = Vec::new();
        loop {
            lingering.extend(self.reap());
            lingering.retain(|(_, _, run)| run.group_alive());
            if self.active.is_empty() && lingering.is_empty() {
                break;
            }
            if self.clock.elapsed() >= kill_at {
                if self.active.is_empty() || killed {
                    for (key, pid, _) in &lingering {
                        let message = format!(
                            "not waiting longer for the rest of {key} pid={pid}'s process group"
                        );
                        self.note(Level::Warning, &message);
                    }
                }
                if self.active.is_empty() {
                    break;
                }
                if killed {
                    let pids: Vec<String> = self.active.iter().map(|a| a.pid.to_string()).collect();
                    let message = format!("giving up on pid(s) {}: not reaped", pids.join(", "));
                    self.note(Level::Error, &message);
                    break;
                }
                self.stop_all(StopSignal::Kill);
                killed = true;
                kill_at = self
                    .clock
                    .elapsed()
                    .saturating_add(self.settings.kill_grace);
            }
            self.clock.sleep(Duration::from_millis(20));
        }
        self.note(Level::Info, "stopped");
    }

    fn stop_all(&mut self, signal: StopSignal) {
        let now = self.clock.now();
        let mono = self.clock.elapsed();
        let name = signal_word(signal);
        for active in &mut self.active {
            active.stopping = Some(active.stopping.unwrap_or(StopReason::Shutdown));
            active.term_sent = Some(active.term_sent.unwrap_or(mono));
            active.kill_sent |= signal == StopSignal::Kill;
            let result = active.run.signal_group(signal);
            let message = format!(
                "stop {} pid={}: sending {name} to its process group{}",
                active.key,
                active.pid,
                failure_suffix(&result)
            );
            self.log.write(now, Level::Info, &message);
        }
    }

    fn note(&mut self, level: Level, message: &str) {
        let now = self.clock.now();
        self.log.write(now, level, message);
    }

    /// Reads `piktd.conf`, reports its diagnostics, replaces the schedule and
    /// rewrites `etc/alerts`. An unreadable file keeps the current schedule.
    /// A configuration switch left half done is finished first, so the
    /// schedule and the alerts it runs are wholly the new version.
    fn load_conf(&mut self) {
        self.finish_interrupted_switch();
        let path = self.settings.conf_path.clone();
        // What it schedules runs as root: no link a user planted is followed.
        let text = match pikt_fs::read_text(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let message = format!(
                    "no piktd.conf at `{}`: nothing is scheduled until one is written and piktd gets SIGHUP",
                    path.display()
                );
                self.schedule = Schedule::default();
                self.write_alerts();
                self.note(Level::Warning, &message);
                return;
            }
            Err(err) => {
                let message = format!(
                    "cannot read `{}`: {err}; keeping the current schedule",
                    path.display()
                );
                self.note(Level::Error, &message);
                return;
            }
        };
        let mut map = SourceMap::new();
        let file = map.add(path.display().to_string(), text);
        let (schedule, diagnostics) = Schedule::parse(&map, file);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        for diagnostic in &diagnostics {
            self.report(&map, diagnostic);
        }
        let message = format!(
            "loaded `{}`: {} line(s), {} alert(s){}",
            path.display(),
            schedule.lines.len(),
            schedule.alerts().len(),
            if errors > 0 {
                format!(", {errors} bad line(s) left out")
            } else {
                String::new()
            }
        );
        self.schedule = schedule;
        // `etc/alerts` first: the "loaded" line says the new schedule is in
        // effect, and `piktc -s` (or a test) may read the list on seeing it.
        self.write_alerts();
        self.note(Level::Info, &message);
        self.log_schedule_for_debugging();
    }

    /// Finishes a switch that a killed `piktc` apply left half done (the one
    /// implementation, [`pikt_config::install::complete_interrupted_switch`]),
    /// and logs what it did. A failure is logged and the daemon goes on: a
    /// host with some files old and some new still runs its schedule, and
    /// the next piktc request or reload tries again.
    fn finish_interrupted_switch(&mut self) {
        let Some(dir) = self.settings.switch_journal_dir.clone() else {
            return;
        };
        match pikt_config::install::complete_interrupted_switch(&dir) {
            Ok(done) if done.is_empty() => {}
            Ok(done) => {
                let names: Vec<String> =
                    done.iter().map(|p| format!("`{}`", p.display())).collect();
                let message = format!(
                    "finished the switch of an install that was interrupted: {}",
                    names.join(", ")
                );
                self.note(Level::Warning, &message);
            }
            Err(err) => {
                let message = format!(
                    "cannot finish the switch of an interrupted install (journal in `{}`): {err}",
                    dir.display()
                );
                self.note(Level::Error, &message);
            }
        }
    }

    /// Logs a diagnostic as one line and renders it in full on the console.
    fn report(&mut self, map: &SourceMap, diagnostic: &Diagnostic) {
        let place = diagnostic.span.map(|span| {
            let file = map.get(span.file);
            let (line, col) = file.line_col(span.start);
            format!("{}:{line}:{col}: ", file.name)
        });
        let level = if diagnostic.is_error() {
            Level::Error
        } else {
            Level::Warning
        };
        let word = if diagnostic.is_error() {
            "error"
        } else {
            "warning"
        };
        let message = format!(
            "{}{word}: {}",
            place.unwrap_or_default(),
            diagnostic.message
        );
        self.note(level, &message);
        let _ = self
            .diagnostics
            .write_all(render(map, diagnostic).as_bytes());
    }

    fn log_schedule_for_debugging(&mut self) {
        if !self.log.debug_enabled() {
            return;
        }
        let now = self.clock.now();
        let civil = self.settings.zone.to_datetime(now);
        let lines: Vec<String> = self
            .schedule
            .lines
            .iter()
            .map(|line| {
                let next = line.timing().next_after(civil).map_or_else(
                    || "never".to_owned(),
                    |at| at.strftime("%Y-%m-%d %H:%M").to_string(),
                );
                format!(
                    "line {}: `{}` drift {} -> {} (next {next})",
                    line.line,
                    line.timing_text(),
                    line.drift_minutes(),
                    line.key()
                )
            })
            .collect();
        for line in lines {
            self.log.write(now, Level::Debug, &line);
        }
    }

    fn write_alerts(&mut self) {
        let text = alerts_text(&self.schedule.alerts());
        if let Err(err) = write_atomic(&self.settings.alerts_path, &text) {
            let message = format!(
                "cannot write `{}`: {err}",
                self.settings.alerts_path.display()
            );
            self.note(Level::Error, &message);
        }
    }

    /// Reaps every run that has ended and logs its end and output.
    /// Reaps the runs that ended and logs each end; returns them (key,
    /// pid, run), for a caller that waits for the rest of their groups.
    fn reap(&mut self) -> Vec<(String, u32, Box<dyn Run>)> {
        let mut ended = Vec::new();
        let mut index = 0;
        while index < self.active.len() {
            let outcome = self.active.get_mut(index).map(|a| a.run.try_wait());
            match outcome {
                Some(Ok(Some(exit))) => {
                    let active = self.active.remove(index);
                    let (key, pid) = (active.key.clone(), active.pid);
                    ended.push((key, pid, self.log_end(active, exit)));
                }
                Some(Err(err)) => {
                    let active = self.active.remove(index);
                    let message = format!("lost {} pid={}: {err}", active.key, active.pid);
                    self.note(Level::Error, &message);
                }
                _ => index += 1,
            }
        }
        ended
    }

    fn log_end(&mut self, mut active: ActiveRun, exit: Exit) -> Box<dyn Run> {
        let took = self.clock.elapsed().saturating_sub(active.started);
        let (level, why) = match (active.stopping, exit) {
            (Some(StopReason::TimeLimit), _) => (Level::Warning, ": stopped at the time limit"),
            (Some(StopReason::Shutdown), _) => (Level::Info, ": stopped because piktd is stopping"),
            (None, Exit::Code(0)) => (Level::Info, ""),
            (None, Exit::Code(_)) => (Level::Warning, ""),
            (None, Exit::Signal { .. }) => (Level::Error, ": the run crashed or was killed"),
        };
        let message = format!(
            "end {} pid={} {exit} after {}{why}",
            active.key,
            active.pid,
            seconds(took)
        );
        self.note(level, &message);
        let output = active.run.output();
        for text in output.text.lines().filter(|l| !l.trim().is_empty()) {
            let message = format!("output {} pid={}: {text}", active.key, active.pid);
            self.note(Level::Info, &message);
        }
        let limit = u64::try_from(OUTPUT_LIMIT).unwrap_or(u64::MAX);
        if output.total_bytes > limit {
            let message = format!(
                "output {} pid={}: [{} more bytes not shown]",
                active.key,
                active.pid,
                output.total_bytes - limit
            );
            self.note(Level::Info, &message);
        }
        active.run
    }

    /// Sends `SIGTERM` to runs past their limit and `SIGKILL` to those still
    /// going a grace period later.
    fn enforce_time_limits(&mut self) {
        let now = self.clock.now();
        let mono = self.clock.elapsed();
        let limit = seconds(self.settings.run_timeout);
        let grace = self.settings.kill_grace;
        for active in &mut self.active {
            let message = match (active.term_sent, active.kill_sent) {
                (None, _) if mono >= active.deadline => {
                    active.term_sent = Some(mono);
                    active.stopping = Some(StopReason::TimeLimit);
                    let result = active.run.signal_group(StopSignal::Term);
                    format!(
                        "timeout {} pid={} line {} still running after the {limit} time limit: sending SIGTERM to its process group{}",
                        active.key,
                        active.pid,
                        active.line,
                        failure_suffix(&result)
                    )
                }
                (Some(term), false) if mono >= term.saturating_add(grace) => {
                    active.kill_sent = true;
                    let result = active.run.signal_group(StopSignal::Kill);
                    format!(
                        "timeout {} pid={} still running {} after SIGTERM: sending SIGKILL to its process group{}",
                        active.key,
                        active.pid,
                        seconds(grace),
                        failure_suffix(&result)
                    )
                }
                _ => continue,
            };
            self.log.write(now, Level::Error, &message);
        }
    }

    fn start_waiting_runs(&mut self) {
        let mono = self.clock.elapsed();
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| w.at <= mono);
        self.waiting = waiting;
        for run in ready {
            self.launch(run.key, run.line, &run.command, run.due);
        }
    }

    /// Starts the lines due since the last minute handled.
    fn start_due_runs(&mut self) {
        let now = self.clock.now();
        let minute = Minute::of(now);
        let due = due(
            &self.schedule,
            &self.settings.zone,
            self.last,
            minute,
            self.settings.catch_up_minutes,
        );
        self.log_jump(due.jump);
        self.last = due.handled;
        let mut started = false;
        let mut keys_this_minute: Vec<String> = Vec::new();
        for run in &due.runs {
            let Some((key, number)) = self
                .schedule
                .lines
                .get(run.line)
                .map(|l| (l.key().to_owned(), l.line))
            else {
                continue;
            };
            if keys_this_minute.contains(&key) {
                // Several timing lines of one alert naming the same minute
                // make one run, not a run and an overlap warning.
                let message = format!("{key}: line {number} names the same minute again; one run");
                self.note(Level::Debug, &message);
                continue;
            }
            started |= self.start_line(run, now);
            keys_this_minute.push(key);
        }
        if started {
            if let Err(err) = self.state.store(self.last) {
                let message = format!(
                    "cannot write `{}`: {err}",
                    self.settings.state_path.display()
                );
                self.note(Level::Error, &message);
            }
        }
    }

    fn log_jump(&mut self, jump: Option<Jump>) {
        let message = match jump {
            Some(Jump::Behind { last }) => {
                if self.behind {
                    return;
                }
                self.behind = true;
                format!(
                    "clock is behind the last minute handled ({}): nothing runs until it has passed",
                    self.minute_text(last, true)
                )
            }
            Some(Jump::CaughtUp { first, last }) => format!(
                "skip minutes {}..{} ({}): the clock jumped forward or the host slept; each line due in them runs once now",
                self.minute_text(first, true),
                self.minute_text(last, true),
                last.minutes_since(first) + 1
            ),
            Some(Jump::Skipped { first, last }) => format!(
                "skip minutes {}..{} ({}): the clock jumped forward or the host slept; more than the catch-up window of {} minutes, so they are not caught up",
                self.minute_text(first, true),
                self.minute_text(last, true),
                last.minutes_since(first) + 1,
                self.settings.catch_up_minutes
            ),
            None => {
                self.behind = false;
                return;
            }
        };
        if !matches!(jump, Some(Jump::Behind { .. })) {
            self.behind = false;
        }
        self.note(Level::Warning, &message);
    }

    fn minute_text(&self, minute: Minute, with_date: bool) -> String {
        let format = if with_date { "%Y-%m-%d %H:%M" } else { "%H:%M" };
        minute
            .civil(&self.settings.zone)
            .strftime(format)
            .to_string()
    }

    fn due_text(&self, due: DueLabel) -> String {
        let minute = self.minute_text(due.minute, false);
        if due.catch_up {
            format!("{minute} (catch-up)")
        } else {
            minute
        }
    }

    /// Starts (or delays, or skips) one due line; true when a run was
    /// started or scheduled.
    fn start_line(&mut self, run: &DueRun, now: Timestamp) -> bool {
        let Some(line) = self.schedule.lines.get(run.line) else {
            return false;
        };
        let key = line.key().to_owned();
        let number = line.line;
        let command = line.command().to_owned();
        let due = DueLabel {
            minute: run.minute,
            catch_up: run.catch_up,
        };
        let into_minute = Duration::try_from(Minute::offset_of(now)).unwrap_or(Duration::ZERO);
        let delay = drift::delay(&self.settings.host, &key, line.drift_minutes())
            .saturating_sub(into_minute);
        if self.settings.test_mode {
            let after = if delay.is_zero() {
                String::new()
            } else {
                format!(" after a drift delay of {}", seconds(delay))
            };
            let message = format!(
                "test {key} line {number} due {}: would run{after}: {command}",
                self.due_text(due)
            );
            self.note(Level::Info, &message);
            return false;
        }
        if let Some(reason) = self.still_going(&key) {
            let message = format!(
                "skip {key} line {number} due {}: {reason}",
                self.due_text(due)
            );
            self.note(Level::Warning, &message);
            return false;
        }
        if delay.is_zero() {
            self.launch(key, number, &command, due);
        } else {
            let message = format!(
                "delay {key} line {number} due {}: drift delays the start by {}",
                self.due_text(due),
                seconds(delay)
            );
            self.note(Level::Debug, &message);
            self.waiting.push(WaitingRun {
                key,
                line: number,
                command,
                due,
                at: self.clock.elapsed().saturating_add(delay),
            });
        }
        true
    }

    /// Why a run for `key` may not start now, if it may not.
    fn still_going(&self, key: &str) -> Option<String> {
        if let Some(active) = self.active.iter().find(|a| a.key == key) {
            let started = active
                .started_at
                .to_zoned(self.settings.zone.clone())
                .strftime("%H:%M:%S")
                .to_string();
            return Some(format!(
                "the previous run (pid {}, started {started}) is still going",
                active.pid
            ));
        }
        let waiting = self.waiting.iter().find(|w| w.key == key)?;
        let in_time = waiting.at.saturating_sub(self.clock.elapsed());
        Some(format!(
            "the previous run is still waiting for its drift delay (starts in {})",
            seconds(in_time)
        ))
    }

    fn launch(&mut self, key: String, line: usize, command: &str, due: DueLabel) {
        let due_text = self.due_text(due);
        match self.launcher.launch(command) {
            Ok(run) => {
                let pid = run.pid();
                let message =
                    format!("launch {key} pid={pid} line {line} due {due_text}: {command}");
                self.note(Level::Info, &message);
                let started = self.clock.elapsed();
                self.active.push(ActiveRun {
                    key,
                    line,
                    run,
                    pid,
                    started_at: self.clock.now(),
                    started,
                    deadline: started.saturating_add(self.settings.run_timeout),
                    term_sent: None,
                    kill_sent: false,
                    stopping: None,
                });
            }
            Err(err) => {
                let message = format!("cannot start {key} line {line} due {due_text}: {err}");
                self.note(Level::Error, &message);
            }
        }
    }

    /// How long until the next minute boundary, time limit or drift delay.
    fn until_next_wake(&self) -> Duration {
        let now = self.clock.now();
        let mono = self.clock.elapsed();
        let boundary = Minute::of(now).next().start();
        let to_minute = Duration::try_from(boundary.duration_since(now))
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(60));
        let grace = self.settings.kill_grace;
        let runs = self.active.iter().filter_map(|a| a.next_action(grace));
        let delays = self.waiting.iter().map(|w| w.at);
        runs.chain(delays)
            .map(|at| at.saturating_sub(mono))
            .fold(to_minute, Duration::min)
            .max(Duration::from_millis(1))
    }
}

fn create_parent(path: &Path) -> Result<(), StartError> {
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    // No planted symbolic link is followed on the way (piktd runs as root).
    pikt_fs::Dir::create(dir, 0o755)
        .map(drop)
        .map_err(|source| StartError::Io {
            action: "create the directory",
            path: dir.to_path_buf(),
            source: source.into(),
        })
}

fn signal_word(signal: StopSignal) -> &'static str {
    match signal {
        StopSignal::Term => "SIGTERM",
        StopSignal::Kill => "SIGKILL",
    }
}

fn failure_suffix(result: &io::Result<()>) -> String {
    match result {
        Ok(()) => String::new(),
        Err(err) => format!(" (failed: {err})"),
    }
}

/// `1.5s`, `3600s`: seconds with a tenth when under a minute.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}s", duration.as_secs())
    }
}
