//! `ps`, `kill`, `pgrep` and `pkill` served in-process from the native
//! process table of `pikt-proc`, so that a process storm that exhausts the
//! PID space (every `fork` fails) cannot blind the monitor, and so that a
//! kill never hits a process that got a PID after the script read it.
//!
//! The interpreter is unchanged: [`crate::shell::RealShell`] asks
//! [`NativeProcs::serve`] first for every command, and only the exact forms
//! of [`command`] (documented there) are served; everything else goes to
//! `/bin/sh` as before. Tests of the interpreter with the fakes of
//! `pikt_runtime::testing` therefore never touch real processes.
//!
//! * A `ps` invocation is printed from one `/proc` snapshot, line for line
//!   as `ps` prints it (header included; zombies left out unless a `stat`
//!   or `state` column is asked for). As the first
//!   stage of a pipeline, only the rest of the pipeline is run by the shell.
//! * Every snapshot is remembered (PID → process, the most recent snapshot
//!   only). `kill PID` signals a PID only if that snapshot listed it, and
//!   then only the very process it listed: [`pikt_proc::kill_checked`]
//!   compares uid, command name and start time through a pidfd first. A PID
//!   no snapshot of this run listed is refused with a WARNING: it cannot be
//!   checked. Commands that list processes but are not served (`ps -ef`,
//!   `pidof`) still get a snapshot taken just before they run, so the PIDs
//!   they print can be killed safely.
//! * `pkill -x -u USER NAME` (what `#killprocs` runs) kills every live
//!   process of that user and command with [`pikt_proc::kill_matching_with`],
//!   round after round until none is left (at most [`MAX_KILL_ROUNDS`]); the
//!   first round starts from the most recent snapshot (the `ps` the script
//!   just counted from), checked entry by entry, the later ones from fresh
//!   snapshots.
//!
//! Every signalled process is logged as
//! `killed pid P user U command C started S (signal N)`, tag `KILL`, always
//! shown; refusals and identity mismatches are WARNINGs, always shown.

pub mod command;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Read, Write};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_proc::{
    kill_matching_with, needs_args, ps_lines_with, CheckedSignaller, KillError, KillMethod,
    KillOutcome, KillPolicy, KillRequest, LinuxProcTable, Process, ProcessTable, Protected, PsKind,
    PsOptions, Signal, Signaller, Victim,
};

pub use command::{
    lists_processes, recognize, KillCommand, MatchCommand, NativeCommand, PsCommand,
};

use pikt_runtime::host::{CommandUse, LogEntry, MemoryPipe, ReadPipe, ShellCommand};

use crate::shell::RealShell;

/// How many rounds a native `pkill` (and so `#killprocs`) signals at most:
/// each round snapshots the table and signals the matches still alive, so
/// processes forked meanwhile are caught by the next round.
pub const MAX_KILL_ROUNDS: u32 = 10;

/// How long a native `kill -9` waits at most for its processes to exit
/// (normally a few milliseconds; a process in uninterruptible sleep may take
/// longer, and is then left to the next listing).
const SIGKILL_SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

/// The environment variable that turns the native commands off (`0`, `no`,
/// `off` or `false`): every command then goes to `/bin/sh`.
pub const NATIVE_PS_ENV: &str = "PIKT_NATIVE_PS";

/// Where [`NativeProcs`] sends its log entries (victims, refusals).
pub type NativeLog = Box<dyn FnMut(&LogEntry<'_>) + Send>;

/// What a served command produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Served {
    /// The whole output of the command and its exit status.
    Output {
        /// Standard output.
        stdout: Vec<u8>,
        /// Exit status, as the real command would give it.
        status: i32,
    },
    /// A native first pipeline stage: `rest` must still run in `/bin/sh`
    /// with `stdout` on its standard input.
    Pipeline {
        /// The output of the native first stage.
        stdout: Vec<u8>,
        /// The rest of the pipeline.
        rest: String,
    },
}

/// The native process commands of one run, with the PID → process map of
/// the most recent snapshot.
pub struct NativeProcs {
    enabled: bool,
    table: Box<dyn ProcessTable + Send>,
    signaller: Box<dyn Signaller + Send>,
    seen: HashMap<u32, Process>,
    /// Processes a test-mode `kill` would have signalled, by (pid, start
    /// time): left out of later snapshots of the run ([`Self::pretend`]).
    pretended_dead: HashSet<(u32, u64)>,
    protected: Option<Protected>,
    ps_options: Option<PsOptions>,
    clock: Option<StartClock>,
    /// The zone of log lines' start times; `None` until the first one (this
    /// host's zone, read then, so a run that kills nothing never reads it).
    zone: Option<TimeZone>,
    log: NativeLog,
}

impl fmt::Debug for NativeProcs {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("NativeProcs")
            .field("enabled", &self.enabled)
            .field("seen", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl Default for NativeProcs {
    /// The real table and kill, on unless `PIKT_NATIVE_PS` says otherwise.
    fn default() -> Self {
        let mut native = Self::with_table(
            Box::new(LinuxProcTable::new()),
            Box::new(CheckedSignaller::new()),
        );
        native.ps_options = None;
        native.clock = None;
        native.zone = None;
        native.enabled = enabled_by(std::env::var(NATIVE_PS_ENV).ok().as_deref());
        native
    }
}

/// Whether the value of `PIKT_NATIVE_PS` leaves the native commands on.
pub fn enabled_by(value: Option<&str>) -> bool {
    !value.is_some_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "0" | "no" | "off" | "false"
        )
    })
}

impl NativeProcs {
    /// Native commands over another table and signaller (fakes in tests),
    /// switched on; PID columns 5 wide, start times in UTC counted from a
    /// boot at the epoch, log entries dropped until [`Self::set_log`].
    pub fn with_table(
        table: Box<dyn ProcessTable + Send>,
        signaller: Box<dyn Signaller + Send>,
    ) -> Self {
        NativeProcs {
            enabled: true,
            table,
            signaller,
            seen: HashMap::new(),
            pretended_dead: HashSet::new(),
            protected: None,
            ps_options: Some(PsOptions::default()),
            clock: Some(StartClock {
                boot_time: Some(0),
                ticks_per_second: 100,
            }),
            zone: Some(TimeZone::UTC),
            log: Box::new(|_| {}),
        }
    }

    /// Turns the native commands on or off (`RunConfig::native_ps`).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Whether commands are served natively.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Sends log entries (victims, refusals) to `log`: the run's alert log,
    /// or for runs with none [`shown_on`] standard error. The binary always
    /// sets one; until then entries are dropped.
    pub fn set_log(&mut self, log: NativeLog) {
        self.log = log;
    }

    /// How many processes the most recent snapshot recorded.
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }

    /// Serves `command` natively if it is one of the exact forms of
    /// [`command`]; `None` sends it to the shell. `pipelines` allows a
    /// [`Served::Pipeline`] answer (only where the caller reads the output).
    pub fn serve(&mut self, command: &str, pipelines: bool) -> Option<Served> {
        if !self.enabled {
            return None;
        }
        let served = match recognize(command) {
            Some(NativeCommand::Ps(ps)) if pipelines || ps.rest.is_none() => self.serve_ps(ps),
            Some(NativeCommand::Ps(_)) | None => None,
            Some(NativeCommand::Kill(kill)) => Some(self.serve_kill(&kill)),
            Some(NativeCommand::Pgrep(query)) => self.serve_pgrep(&query),
            Some(NativeCommand::Pkill(query)) => Some(self.serve_pkill(&query)),
        };
        if served.is_none() && lists_processes(command) {
            // The shell's `ps -ef` prints PIDs a script may kill next: record
            // who they are now, so the kill can check them.
            if let Ok(processes) = self.table.snapshot(false) {
                self.remember(processes);
            }
        }
        served
    }

    fn serve_ps(&mut self, ps: PsCommand) -> Option<Served> {
        let processes = self.snapshot(needs_args(&ps.fields))?;
        let mut options = self
            .ps_options
            .get_or_insert_with(PsOptions::for_this_host)
            .clone();
        // Zombies are dead and cannot be killed: left out, so that kill
        // loops and counts see only live processes, unless a state column
        // is asked for, where they show as `Z` (a zombie count needs them).
        options.include_zombies = ps
            .fields
            .iter()
            .any(|field| matches!(field.kind, PsKind::Stat | PsKind::State));
        let mut stdout = Vec::new();
        for line in ps_lines_with(&processes, &ps.fields, &options) {
            stdout.extend_from_slice(line.as_bytes());
            stdout.push(b'\n');
        }
        self.remember(processes);
        Some(match ps.rest {
            None => Served::Output { stdout, status: 0 },
            Some(rest) => Served::Pipeline { stdout, rest },
        })
    }

    /// `pgrep -x -u USER NAME`: the live matches' pids (never our own, as
    /// `pgrep` never lists itself), or their number with `-c`.
    fn serve_pgrep(&mut self, query: &MatchCommand) -> Option<Served> {
        let processes = self.snapshot(false)?;
        let own = std::process::id();
        let pids: Vec<u32> = processes
            .iter()
            .filter(|process| {
                !process.is_dead()
                    && process.pid != own
                    && process.user == query.user
                    && process.comm == query.comm
            })
            .map(|process| process.pid)
            .collect();
        self.remember(processes);
        let stdout = if query.count {
            format!("{}\n", pids.len())
        } else {
            pids.iter().map(|pid| format!("{pid}\n")).collect()
        };
        Some(Served::Output {
            stdout: stdout.into_bytes(),
            status: i32::from(pids.is_empty()),
        })
    }

    /// `kill [-SIG] PID...`: status 0 when every PID was signalled, else 1.
    fn serve_kill(&mut self, kill: &KillCommand) -> Served {
        let mut all_signalled = true;
        let mut done = HashSet::new();
        for &pid in &kill.pids {
            if done.insert(pid) {
                all_signalled &= self.kill_one(pid, kill.signal);
            }
        }
        if kill.signal == Signal::KILL {
            // SIGKILL cannot be caught, but the kernel finishes the process a
            // moment later: wait for that (a pidfd turns readable when its
            // process exits), so the script's next `ps` does not list a
            // process that is already dead and kill it a second time.
            self.signaller.wait_for_exits(SIGKILL_SETTLE);
        }
        Served::Output {
            stdout: Vec::new(),
            status: i32::from(!all_signalled),
        }
    }

    fn kill_one(&mut self, pid: u32, signal: Signal) -> bool {
        let Some(target) = self.seen.get(&pid).cloned() else {
            let text = format!(
                "kill: not signalled pid {pid}: no native `ps` of this run listed it, so it cannot be checked"
            );
            self.note("WARNING", &text, true);
            return false;
        };
        let protected = self.protected();
        let outcome = if signal == Signal::KILL {
            self.signaller
                .signal_watched(&target, signal, &kill_policy(), &protected)
        } else {
            self.signaller
                .signal(&target, signal, &kill_policy(), &protected)
        };
        let who = self.who(&Victim::from(&target));
        match outcome {
            Ok(KillOutcome::Signalled(method)) => {
                let how = match method {
                    KillMethod::PlainKill => ", plain kill(2): this kernel has no pidfd",
                    KillMethod::ProcDirFd | KillMethod::Pidfd => "",
                };
                let text = format!("killed {who} (signal {}{how})", signal.as_raw());
                self.note("KILL", &text, true);
                true
            }
            Ok(KillOutcome::AlreadyGone) => {
                self.note("INFO", &format!("kill: {who} had already exited"), false);
                false
            }
            Ok(KillOutcome::Recycled { found }) => {
                let now = self.start_text(found.start_time);
                let text = format!(
                    "kill: not signalled pid {pid}: it no longer names the process `ps` listed ({who}); now uid {} command {} started {now}",
                    found.uid, found.comm
                );
                self.note("WARNING", &text, true);
                false
            }
            Err(KillError::Refused(refusal)) => {
                let text = format!("kill: not signalled {who}: refused: {refusal}");
                self.note("WARNING", &text, true);
                false
            }
            Err(KillError::Io(error)) => {
                let text = format!("kill: cannot signal {who}: {error}");
                self.note("WARNING", &text, true);
                false
            }
        }
    }

    /// `pkill -x -u USER NAME`: every live match, round after round; prints
    /// the number signalled with `-c`; status 0 when one was signalled.
    fn serve_pkill(&mut self, query: &MatchCommand) -> Served {
        // The first round starts from the run's most recent snapshot (normally
        // the `ps` the script just counted from) instead of walking `/proc`
        // again: each entry is still checked through its pidfd, and the rounds
        // after it take fresh snapshots.
        let listed: Vec<Process> = self
            .seen
            .values()
            .filter(|process| process.user == query.user && process.comm == query.comm)
            .cloned()
            .collect();
        let request = KillRequest {
            listed: (!self.seen.is_empty()).then_some(listed.as_slice()),
            ..KillRequest::new(&query.user, &query.comm, query.signal, MAX_KILL_ROUNDS)
        };
        let report = kill_matching_with(
            self.table.as_ref(),
            self.signaller.as_ref(),
            &request,
            &kill_policy(),
        );
        for victim in &report.victims {
            let text = format!(
                "killed {} (signal {})",
                self.who(victim),
                query.signal.as_raw()
            );
            self.note("KILL", &text, true);
        }
        for refused in &report.refused {
            let text = format!(
                "pkill: not signalled {}: refused: {}",
                self.who(&refused.victim),
                refused.refusal
            );
            self.note("WARNING", &text, true);
        }
        for failed in &report.failed {
            let text = format!(
                "pkill: cannot signal {}: {}",
                self.who(&failed.victim),
                failed.error
            );
            self.note("WARNING", &text, true);
        }
        let given_up: HashSet<u32> = report
            .refused
            .iter()
            .map(|refused| refused.victim.pid)
            .chain(report.failed.iter().map(|failed| failed.victim.pid))
            .collect();
        let still_alive = report
            .remaining
            .iter()
            .filter(|victim| !given_up.contains(&victim.pid))
            .count();
        if let Some(error) = &report.snapshot_error {
            let text = format!("pkill: cannot read the process table: {error}");
            self.note("WARNING", &text, true);
        } else if still_alive > 0 {
            let text = format!(
                "pkill: {still_alive} processes of user {} command {} still alive after {} rounds",
                query.user, query.comm, report.rounds
            );
            self.note("WARNING", &text, true);
        }
        let stdout = if query.count {
            format!("{}\n", report.victims.len()).into_bytes()
        } else {
            Vec::new()
        };
        Served::Output {
            stdout,
            status: i32::from(report.victims.is_empty()),
        }
    }

    /// Test mode printed `command` instead of running it: if it is a native
    /// `kill` of processes the run listed, they count as dead from now on
    /// (left out of this run's later snapshots), as they would be had the
    /// kill run. Processes are matched by pid and start time, so a pid
    /// reused by a new process is not hidden.
    pub fn pretend(&mut self, command: &str) {
        if !self.enabled {
            return;
        }
        if let Some(NativeCommand::Kill(kill)) = recognize(command) {
            for pid in kill.pids {
                if let Some(process) = self.seen.get(&pid) {
                    self.pretended_dead.insert((pid, process.start_time));
                }
            }
        }
    }

    fn snapshot(&mut self, want_args: bool) -> Option<Vec<Process>> {
        match self.table.snapshot(want_args) {
            Ok(mut processes) => {
                if !self.pretended_dead.is_empty() {
                    processes.retain(|p| !self.pretended_dead.contains(&(p.pid, p.start_time)));
                }
                Some(processes)
            }
            Err(error) => {
                let text = format!(
                    "cannot read the process table natively ({error}); the command runs in the shell"
                );
                self.note("WARNING", &text, true);
                None
            }
        }
    }

    /// Makes `processes` the table that `kill PID` checks against: the most
    /// recent snapshot wins, older ones are forgotten (their processes are
    /// either still in it or gone).
    fn remember(&mut self, processes: Vec<Process>) {
        self.seen.clear();
        for mut process in processes.into_iter().filter(|p| !p.is_dead()) {
            process.args = None;
            self.seen.insert(process.pid, process);
        }
    }

    /// The processes no kill may hit (us, our parent and ancestors), taken at
    /// the first kill and again only when our parent changed: each `kill PID`
    /// of a loop would otherwise walk the chain of ancestors through `/proc`.
    /// A kept copy is safe (see [`Protected`]).
    fn protected(&mut self) -> Protected {
        match &self.protected {
            Some(protected) if protected.is_current() => protected.clone(),
            _ => self.protected.insert(Protected::current()).clone(),
        }
    }

    /// `pid P user U command C started S`, the identity a log line names.
    fn who(&mut self, victim: &Victim) -> String {
        format!(
            "pid {} user {} command {} started {}",
            victim.pid,
            victim.user,
            victim.comm,
            self.start_text(victim.start_time)
        )
    }

    fn start_text(&mut self, ticks: u64) -> String {
        let clock = *self.clock.get_or_insert_with(StartClock::of_this_host);
        let zone = self.zone.get_or_insert_with(crate::clock::local_time_zone);
        clock.describe(ticks, zone)
    }

    fn note(&mut self, tag: &str, text: &str, always_show: bool) {
        (self.log)(&LogEntry {
            tag,
            script: "",
            text,
            always_show,
        });
    }
}

/// The policy of native kills: the fixed refusals of `pikt-proc` (PID 1, this
/// process, its parent and ancestors, kernel threads) apply; root's
/// processes may be signalled, because the script named them (a PID it read,
/// or `root` as the user), as `kill` and `pkill` would.
fn kill_policy() -> KillPolicy {
    KillPolicy {
        allow_root_targets: true,
        ..KillPolicy::default()
    }
}

/// A log for runs with no log file: the entries marked `always_show` are
/// written to `err` (standard error) as `pikt: TAG: TEXT`.
pub fn shown_on(mut err: Box<dyn Write + Send>) -> NativeLog {
    Box::new(move |entry| {
        if entry.always_show {
            let _ = writeln!(err, "pikt: {}: {}", entry.tag, entry.text);
        }
    })
}

/// Turns start times (clock ticks since boot, as `/proc/PID/stat` gives
/// them) into wall-clock times for log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartClock {
    /// Boot time in seconds since the epoch (`btime` of `/proc/stat`).
    pub boot_time: Option<i64>,
    /// Clock ticks per second (`AT_CLKTCK`; 100 on every common Linux).
    pub ticks_per_second: u64,
}

impl StartClock {
    /// This host's boot time and tick rate.
    pub fn of_this_host() -> Self {
        let boot_time = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|stat| parse_boot_time(&stat));
        let ticks_per_second = std::fs::read("/proc/self/auxv")
            .ok()
            .and_then(|auxv| parse_clock_ticks(&auxv))
            .unwrap_or(100);
        StartClock {
            boot_time,
            ticks_per_second,
        }
    }

    /// `2026-05-03 14:02:11` in `zone`, or `N ticks after boot` when the
    /// boot time is unknown.
    pub fn describe(&self, ticks: u64, zone: &TimeZone) -> String {
        let seconds = i64::try_from(ticks / self.ticks_per_second.max(1)).unwrap_or(i64::MAX);
        self.boot_time
            .and_then(|boot| Timestamp::from_second(boot.saturating_add(seconds)).ok())
            .map_or_else(
                || format!("{ticks} ticks after boot"),
                |time| {
                    time.to_zoned(zone.clone())
                        .strftime("%Y-%m-%d %H:%M:%S")
                        .to_string()
                },
            )
    }
}

/// The `btime` line of `/proc/stat`.
fn parse_boot_time(stat: &str) -> Option<i64> {
    stat.lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|value| value.trim().parse().ok())
}

/// `AT_CLKTCK` from an auxiliary vector (`/proc/self/auxv`: pairs of native
/// words, ended by `AT_NULL`).
fn parse_clock_ticks(auxv: &[u8]) -> Option<u64> {
    const AT_NULL: u64 = 0;
    const AT_CLKTCK: u64 = 17;
    const WORD: usize = std::mem::size_of::<usize>();
    for pair in auxv.chunks_exact(2 * WORD) {
        let (key, value) = pair.split_at(WORD);
        let key = native_word(key)?;
        if key == AT_NULL {
            break;
        }
        if key == AT_CLKTCK {
            return native_word(value).filter(|&ticks| ticks > 0);
        }
    }
    None
}

fn native_word(bytes: &[u8]) -> Option<u64> {
    let word = usize::from_ne_bytes(bytes.try_into().ok()?);
    u64::try_from(word).ok()
}

/// The hooks of [`RealShell`]'s [`Shell`] methods: each asks the native
/// table first and falls back to `/bin/sh` when it answers `None`.
impl RealShell {
    /// `run`/`spawn`: the status of a native command, its output written to
    /// our standard output, where the command's own would have gone (a
    /// child inherits it).
    pub(crate) fn run_native(&mut self, command: &str) -> Option<io::Result<i32>> {
        match self.native.serve(command, false)? {
            Served::Output { stdout, status } => {
                let mut out = io::stdout().lock();
                Some(
                    out.write_all(&stdout)
                        .and_then(|()| out.flush())
                        .map(|()| status),
                )
            }
            Served::Pipeline { .. } => None,
        }
    }

    /// `read_pipe`: the output of a native command, or of the rest of a
    /// pipeline fed by a native first stage.
    pub(crate) fn read_native(&mut self, command: &str) -> Option<io::Result<Box<dyn ReadPipe>>> {
        match self.native.serve(command, true)? {
            Served::Output { stdout, status } => {
                Some(Ok(Box::new(MemoryPipe::new(stdout, status))))
            }
            Served::Pipeline { stdout, rest } => {
                Some(self.filter_text(&ShellCommand::new(&rest, CommandUse::InputProc), stdout))
            }
        }
    }

    /// `capture`: as [`RealShell::read_native`], read to the end.
    pub(crate) fn capture_native(&mut self, command: &str) -> Option<io::Result<String>> {
        let pipe = self.read_native(command)?;
        Some(pipe.and_then(|mut pipe| {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes)?;
            pipe.close()?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }))
    }
}

#[cfg(test)]
mod tests;
