//! `piktc -s` on a host: what piktd is doing, read from piktd's own files
//! where the host's [`Site`](pikt_config::Site) puts them (docs/piktd.md,
//! *Files*), so they are the very files piktd uses, however PIKT.conf
//! moves them:
//!
//! * `=etcdir/piktd.lock`: piktd holds an `flock` on it while it runs
//!   (tested with `pikt_sched::lock::is_held`, passed in as a
//!   [`PiktdProbe`] so unit tests can pretend).
//! * `=etcdir/piktd.conf`: the enabled alerts and their timing lines.
//! * `=etcdir/alerts`: the alerts piktd has active (written at start and
//!   reload).
//! * `=logdir/piktd.log`: each alert's last run (its `launch` and `end`
//!   lines) and the last line that names it.
//!
//! Nothing is written and no configuration is loaded: the status is what
//! piktd sees, not what the master's config would give.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use pikt_config::piktd_conf::{PiktdConf, Reader};
use pikt_config::PiktdFiles;
use pikt_source::SourceMap;

use crate::report::StatusResult;

/// Tells whether some process holds the lock file at the path (piktd runs).
/// A missing file means not held.
pub type PiktdProbe = fn(&Path) -> io::Result<bool>;

/// How much of the end of piktd.log is searched for runs. Each run logs about
/// three lines; 8 MiB holds days of runs of 50 alerts, and bounds the time and
/// memory `-s` takes on a log that is never rotated.
pub const LOG_TAIL_BYTES: u64 = 8 << 20;

/// Whether piktd runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PiktdState {
    /// The lock is held; the pid is the one written in the lock file.
    Running {
        /// The holder's pid, when the file tells it.
        pid: Option<u32>,
    },
    /// The lock is free or there is no lock file.
    NotRunning,
    /// The lock could not be tested; why.
    Unknown(String),
}

/// Tests the lock at `lock` with `probe` (a missing lock file means piktd
/// does not run: it creates the file when it starts).
pub fn piktd_state(lock: &Path, probe: PiktdProbe) -> PiktdState {
    if !lock.exists() {
        return PiktdState::NotRunning;
    }
    match probe(lock) {
        Ok(true) => PiktdState::Running {
            pid: read_lock_pid(lock),
        },
        Ok(false) => PiktdState::NotRunning,
        Err(e) => PiktdState::Unknown(format!("cannot test the lock `{}`: {e}", lock.display())),
    }
}

/// The pid piktd writes into its lock file, for people to read.
pub fn read_lock_pid(lock: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(lock)
        .ok()?
        .take(32)
        .read_to_string(&mut text)
        .ok()?;
    text.trim().parse().ok()
}

/// One enabled alert: its piktd.conf timing lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Enabled {
    name: String,
    /// `(line number, timing and drift as written)`.
    timings: Vec<(usize, String)>,
}

/// What `-s` collects: the text, and notes or errors about piktd's files.
#[derive(Default)]
struct Collected {
    text: String,
    messages: Vec<String>,
    failed: bool,
}

impl Collected {
    fn note(&mut self, message: String) {
        self.messages.push(format!("note: {message}"));
    }

    fn cannot_read(&mut self, path: &Path, e: &io::Error) {
        self.messages
            .push(format!("error: cannot read `{}`: {e}", path.display()));
        self.failed = true;
    }
}

/// `piktc -s [+A alert...]`: piktd's state, then for each selected alert (all
/// that piktd.conf or `etc/alerts` name when none is selected) its timing
/// lines, whether piktd has it active, and its last run in piktd.log.
///
/// A file that cannot be read (other than a missing one) is reported, the
/// rest is shown, and the result is marked failed.
pub fn show(files: &PiktdFiles, selection: &[(bool, String)], probe: PiktdProbe) -> StatusResult {
    let mut out = Collected::default();
    let state = piktd_state(&files.lock, probe);
    let enabled = read_enabled(files, &mut out);
    let active = read_lines(&files.alerts, &mut out);
    let mut known: Vec<String> = enabled.iter().map(|e| e.name.clone()).collect();
    for name in &active {
        if !known.contains(name) {
            known.push(name.clone());
        }
    }
    let names = select(selection, &known);
    let histories = match read_log_tail(&files.log, LOG_TAIL_BYTES) {
        Ok(text) => scan_log(text.as_deref().unwrap_or(""), &names),
        Err(e) => {
            out.cannot_read(&files.log, &e);
            vec![History::default(); names.len()]
        }
    };
    let _ = writeln!(out.text, "piktd: {}", describe_state(&state));
    if known.is_empty() && selection.is_empty() {
        let _ = writeln!(
            out.text,
            "no alerts: `{}` enables none and `{}` lists none",
            files.conf.display(),
            files.alerts.display()
        );
    }
    for (name, history) in names.iter().zip(&histories) {
        let timings = enabled
            .iter()
            .find(|e| &e.name == name)
            .map(|e| e.timings.as_slice())
            .unwrap_or_default();
        let is_active = active.contains(name);
        write_alert(&mut out.text, name, timings, is_active, &state, history);
    }
    StatusResult {
        text: out.text,
        messages: out.messages,
        failed: out.failed,
    }
}

fn describe_state(state: &PiktdState) -> String {
    match state {
        PiktdState::Running { pid: Some(pid) } => format!("running (pid {pid})"),
        PiktdState::Running { pid: None } => "running".to_string(),
        PiktdState::NotRunning => "not running".to_string(),
        PiktdState::Unknown(why) => format!("unknown ({why})"),
    }
}

/// The text of `path`; `None` when it does not exist.
fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The alerts piktd.conf enables, in the order of their first line, as piktd
/// reads it (lines it would leave out are counted in a note).
fn read_enabled(files: &PiktdFiles, out: &mut Collected) -> Vec<Enabled> {
    let text = match read_optional(&files.conf) {
        Ok(text) => text.unwrap_or_default(),
        Err(e) => {
            out.cannot_read(&files.conf, &e);
            return Vec::new();
        }
    };
    let mut map = SourceMap::new();
    let id = map.add(files.conf.display().to_string(), text);
    let (conf, diags) = PiktdConf::read(&map, id, Reader::Piktd);
    let bad = diags.iter().filter(|d| d.is_error()).count();
    if bad > 0 {
        out.note(format!(
            "`{}` has {bad} bad line(s) that piktd leaves out (`piktd -z` shows them)",
            files.conf.display()
        ));
    }
    let mut enabled: Vec<Enabled> = Vec::new();
    for entry in conf.entries() {
        let Some(alert) = entry.alert() else { continue };
        let line = entry.span().map_or(0, |s| map.get(id).line_col(s.start).0);
        let timing = (line, entry.spec().to_string());
        match enabled.iter_mut().find(|e| e.name == alert) {
            Some(e) => e.timings.push(timing),
            None => enabled.push(Enabled {
                name: alert.to_string(),
                timings: vec![timing],
            }),
        }
    }
    enabled
}

/// The non-blank lines of `path`, trimmed (none when it does not exist).
fn read_lines(path: &Path, out: &mut Collected) -> Vec<String> {
    match read_optional(path) {
        Ok(text) => text
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        Err(e) => {
            out.cannot_read(path, &e);
            Vec::new()
        }
    }
}

/// The alerts `selection` names, in `known` order, then the names piktd does
/// not know in command-line order. No `+A`/`-A` means every known alert.
fn select(selection: &[(bool, String)], known: &[String]) -> Vec<String> {
    if selection.is_empty() {
        return known.to_vec();
    }
    let mut chosen: Vec<String> = Vec::new();
    for (add, name) in selection {
        let names = if name == "all" {
            known.to_vec()
        } else {
            vec![name.clone()]
        };
        for name in names {
            if !add {
                chosen.retain(|n| *n != name);
            } else if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
    }
    // A stable sort keeps the command-line order of names piktd does not know.
    chosen.sort_by_key(|n| known.iter().position(|k| k == n).unwrap_or(usize::MAX));
    chosen
}

/// The last `max` bytes of the log, from its first whole line; `None` when
/// there is no log.
fn read_log_tail(path: &Path, max: u64) -> io::Result<Option<String>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let start = len.saturating_sub(max);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let whole = if start == 0 {
        &text[..]
    } else {
        text.split_once('\n').map_or("", |(_, rest)| rest)
    };
    Ok(Some(whole.to_string()))
}

/// One piktd.log line: `<stamp> <host> piktd[<pid>]: <LEVEL> <message>`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LogLine<'a> {
    stamp: &'a str,
    level: &'a str,
    message: &'a str,
}

fn parse_log_line(line: &str) -> Option<LogLine<'_>> {
    let (head, rest) = line.split_once(" piktd[")?;
    let (stamp, _host) = head.rsplit_once(' ')?;
    let (_pid, rest) = rest.split_once("]: ")?;
    let (level, message) = rest.split_once(' ')?;
    Some(LogLine {
        stamp,
        level,
        message,
    })
}

/// The events whose second word is the alert's name (docs/piktd.md).
const ALERT_EVENTS: &[&str] = &[
    "launch",
    "end",
    "output",
    "timeout",
    "lost",
    "skip",
    "test",
    "cancel",
    "cannot start",
];

/// The event of `message` and what follows the event word.
fn split_event(message: &str) -> Option<(&'static str, &str)> {
    ALERT_EVENTS.iter().find_map(|event| {
        let rest = message.strip_prefix(event)?.strip_prefix(' ')?;
        Some((*event, rest))
    })
}

/// What follows `alert` in `after_event`, when the line names that alert.
fn after_name<'a>(after_event: &'a str, alert: &str) -> Option<&'a str> {
    after_event.strip_prefix(alert)?.strip_prefix(' ')
}

/// `pid=4242 exit 0 after 2.1s` -> (4242, `exit 0 after 2.1s`).
fn split_pid(rest: &str) -> (Option<u32>, &str) {
    let Some(after) = rest.strip_prefix("pid=") else {
        return (None, rest);
    };
    let end = after
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after.len());
    let detail = after
        .get(end..)
        .unwrap_or("")
        .trim_start_matches([' ', ':']);
    (after.get(..end).and_then(|p| p.parse().ok()), detail)
}

/// A log line kept for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Logged {
    /// Its place in the tail, counted from the end (to tell two lines apart).
    index: usize,
    stamp: String,
    level: String,
    message: String,
    pid: Option<u32>,
    /// What follows `pid=N`.
    detail: String,
}

/// What piktd.log tells about one alert.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct History {
    /// The last `launch`.
    launch: Option<Logged>,
    /// The `end` of that run.
    end: Option<Logged>,
    /// The last line naming the alert (other than `output`).
    last: Option<Logged>,
}

/// Per alert of `names`, its last run and last line, reading `text` from its
/// end. Runs of one alert never overlap, so the last `end` seen before the
/// last `launch` is that run's end when the pids agree.
fn scan_log(text: &str, names: &[String]) -> Vec<History> {
    let mut histories = vec![History::default(); names.len()];
    let mut later_end: Vec<Option<Logged>> = vec![None; names.len()];
    let mut open = names.len();
    for (index, line) in text.lines().rev().enumerate() {
        if open == 0 {
            break;
        }
        let Some(parsed) = parse_log_line(line) else {
            continue;
        };
        if parsed.level == "DEBUG" {
            continue;
        }
        let Some((event, after_event)) = split_event(parsed.message) else {
            continue;
        };
        for ((name, history), pending) in names.iter().zip(&mut histories).zip(&mut later_end) {
            if history.launch.is_some() {
                continue;
            }
            let Some(rest) = after_name(after_event, name) else {
                continue;
            };
            let (pid, detail) = split_pid(rest);
            let logged = Logged {
                index,
                stamp: parsed.stamp.to_string(),
                level: parsed.level.to_string(),
                message: parsed.message.to_string(),
                pid,
                detail: detail.to_string(),
            };
            if event != "output" && history.last.is_none() {
                history.last = Some(logged.clone());
            }
            match event {
                "end" if pending.is_none() => *pending = Some(logged),
                "launch" => {
                    history.end = pending.take().filter(|e| e.pid == pid);
                    history.launch = Some(logged);
                    open -= 1;
                }
                _ => {}
            }
        }
    }
    histories
}

fn write_alert(
    s: &mut String,
    name: &str,
    timings: &[(usize, String)],
    is_active: bool,
    state: &PiktdState,
    history: &History,
) {
    let _ = writeln!(s, "alert {name}");
    if timings.is_empty() {
        let _ = writeln!(s, "  timing: none (no piktd.conf line)");
    }
    for (line, timing) in timings {
        let _ = writeln!(s, "  timing: {timing} (piktd.conf line {line})");
    }
    let _ = writeln!(
        s,
        "  active: {}",
        active_text(!timings.is_empty(), is_active, state)
    );
    let _ = writeln!(s, "  last run: {}", last_run_text(history, state));
    if let Some(last) = &history.last {
        let shown = [&history.launch, &history.end]
            .into_iter()
            .flatten()
            .any(|l| l.index == last.index);
        if !shown {
            let _ = writeln!(
                s,
                "  last event: {} {} {}",
                last.stamp, last.level, last.message
            );
        }
    }
}

/// Whether piktd has the alert (it is in `etc/alerts`), and when that
/// disagrees with piktd.conf, what brings piktd up to date.
fn active_text(enabled: bool, is_active: bool, state: &PiktdState) -> &'static str {
    let running = matches!(state, PiktdState::Running { .. });
    match (enabled, is_active, running) {
        (true, true, _) => "yes",
        (false, false, _) => "no (not in piktd.conf)",
        (true, false, true) => {
            "no: enabled since piktd last read piktd.conf (reload piktd: SIGHUP)"
        }
        (true, false, false) => {
            "no: enabled since piktd last read piktd.conf (it does when it starts)"
        }
        (false, true, true) => "yes, but no longer in piktd.conf (reload piktd: SIGHUP)",
        (false, true, false) => "when piktd last ran, but no longer in piktd.conf",
    }
}

fn last_run_text(history: &History, state: &PiktdState) -> String {
    let Some(launch) = &history.launch else {
        return "none logged".to_string();
    };
    let pid = launch
        .pid
        .map_or_else(String::new, |p| format!(" (pid {p})"));
    match &history.end {
        Some(end) => format!(
            "started {}{pid}, ended {}: {}",
            launch.stamp, end.stamp, end.detail
        ),
        None if matches!(state, PiktdState::Running { .. }) => {
            format!("started {}{pid}, still running", launch.stamp)
        }
        None => format!("started {}{pid}, no end logged", launch.stamp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_config::Site;

    const CONF: &str = "\
# two alerts
0-59/5 * * * * 2 /pikt/bin/pikt +A Urgent
0 * * * * /pikt/bin/pikt +A Warning
30 2 * * * /pikt/bin/pikt +A Warning
* * * * * /bin/true no alert here
";

    const LOG: &str = "\
Nov 24 09:00:00 web1 piktd[812]: INFO start piktd 0.1.0
Nov 24 10:00:00 web1 piktd[812]: INFO launch Warning pid=4200 line 3 due 10:00: /pikt/bin/pikt +A Warning
Nov 24 10:00:01 web1 piktd[812]: WARNING end Warning pid=4200 exit 1 after 1.0s
Nov 24 10:05:00 web1 piktd[812]: INFO launch Urgent pid=4242 line 2 due 10:05: /pikt/bin/pikt +A Urgent
Nov 24 10:05:02 web1 piktd[812]: INFO end Urgent pid=4242 exit 0 after 2.1s
Nov 24 10:05:02 web1 piktd[812]: INFO output Urgent pid=4242: checked 12 file systems
Nov 24 10:06:00 web1 piktd[812]: DEBUG schedule line 2 Urgent
Nov 24 11:00:00 web1 piktd[812]: INFO launch Warning pid=4300 line 3 due 11:00: /pikt/bin/pikt +A Warning
Nov 24 11:00:30 web1 piktd[812]: WARNING skip Warning line 4 due 11:00: the previous run (pid 4300, started 11:00:00) is still going
";

    fn tree(conf: &str, alerts: &str, log: &str) -> io::Result<tempfile::TempDir> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("etc"))?;
        std::fs::create_dir_all(dir.path().join("var/log"))?;
        std::fs::write(dir.path().join("etc/piktd.conf"), conf)?;
        std::fs::write(dir.path().join("etc/alerts"), alerts)?;
        std::fs::write(dir.path().join("var/log/piktd.log"), log)?;
        std::fs::write(dir.path().join("etc/piktd.lock"), "812\n")?;
        Ok(dir)
    }

    fn held(_: &Path) -> io::Result<bool> {
        Ok(true)
    }

    fn free(_: &Path) -> io::Result<bool> {
        Ok(false)
    }

    fn broken(_: &Path) -> io::Result<bool> {
        Err(io::Error::other("no locks here"))
    }

    fn alerts(names: &[(bool, &str)]) -> Vec<(bool, String)> {
        names
            .iter()
            .map(|(add, name)| (*add, (*name).to_string()))
            .collect()
    }

    fn files(root: &Path) -> PiktdFiles {
        Site::with_defaults(root, None).piktd_files()
    }

    fn status(root: &Path, selection: &[(bool, String)], probe: PiktdProbe) -> StatusResult {
        show(&files(root), selection, probe)
    }

    #[test]
    fn running_piktd_with_runs_in_the_log() -> io::Result<()> {
        let dir = tree(CONF, "Urgent\n", LOG)?;
        let out = status(dir.path(), &[], held);
        assert_eq!(
            out.text,
            "\
piktd: running (pid 812)
alert Urgent
  timing: 0-59/5 * * * * 2 (piktd.conf line 2)
  active: yes
  last run: started Nov 24 10:05:00 (pid 4242), ended Nov 24 10:05:02: exit 0 after 2.1s
alert Warning
  timing: 0 * * * * (piktd.conf line 3)
  timing: 30 2 * * * (piktd.conf line 4)
  active: no: enabled since piktd last read piktd.conf (reload piktd: SIGHUP)
  last run: started Nov 24 11:00:00 (pid 4300), still running
  last event: Nov 24 11:00:30 WARNING skip Warning line 4 due 11:00: the previous run (pid 4300, started 11:00:00) is still going
"
        );
        assert!(out.messages.is_empty());
        assert!(!out.failed);
        Ok(())
    }

    #[test]
    fn the_probe_decides_running_or_not() -> io::Result<()> {
        let dir = tree(CONF, "Urgent\nWarning\n", LOG)?;
        let selection = alerts(&[(true, "Warning")]);
        let running = status(dir.path(), &selection, held);
        let stopped = status(dir.path(), &selection, free);
        assert!(running.text.starts_with("piktd: running (pid 812)\n"));
        assert!(running
            .text
            .contains("last run: started Nov 24 11:00:00 (pid 4300), still running\n"));
        assert!(stopped.text.starts_with("piktd: not running\n"));
        assert!(stopped
            .text
            .contains("last run: started Nov 24 11:00:00 (pid 4300), no end logged\n"));
        let unknown = status(dir.path(), &selection, broken);
        let lock = dir.path().join("etc/piktd.lock");
        assert!(unknown.text.starts_with(&format!(
            "piktd: unknown (cannot test the lock `{}`: no locks here)\n",
            lock.display()
        )));
        Ok(())
    }

    #[test]
    fn no_lock_file_means_not_running_without_asking() -> io::Result<()> {
        let dir = tree("", "", "")?;
        std::fs::remove_file(dir.path().join("etc/piktd.lock"))?;
        let out = status(dir.path(), &[], held);
        let root = dir.path().display();
        assert_eq!(
            out.text,
            format!("piktd: not running\nno alerts: `{root}/etc/piktd.conf` enables none and `{root}/etc/alerts` lists none\n")
        );
        Ok(())
    }

    #[test]
    fn selection_keeps_piktd_order_and_shows_unknown_names() -> io::Result<()> {
        let dir = tree(CONF, "Gone\n", "")?;
        let out = status(
            dir.path(),
            &alerts(&[(true, "Nope"), (true, "all"), (false, "Urgent")]),
            free,
        );
        assert_eq!(
            out.text,
            "\
piktd: not running
alert Warning
  timing: 0 * * * * (piktd.conf line 3)
  timing: 30 2 * * * (piktd.conf line 4)
  active: no: enabled since piktd last read piktd.conf (it does when it starts)
  last run: none logged
alert Gone
  timing: none (no piktd.conf line)
  active: when piktd last ran, but no longer in piktd.conf
  last run: none logged
alert Nope
  timing: none (no piktd.conf line)
  active: no (not in piktd.conf)
  last run: none logged
"
        );
        Ok(())
    }

    #[test]
    fn bad_piktd_conf_lines_are_noted() -> io::Result<()> {
        let dir = tree("0 25 * * * /pikt/bin/pikt +A Late\n", "", "")?;
        let out = status(dir.path(), &[], free);
        assert_eq!(
            out.messages,
            [format!(
                "note: `{}/etc/piktd.conf` has 1 bad line(s) that piktd leaves out (`piktd -z` shows them)",
                dir.path().display()
            )]
        );
        assert!(!out.failed);
        Ok(())
    }

    #[test]
    fn an_unreadable_file_is_an_error_but_the_rest_is_shown() -> io::Result<()> {
        let dir = tree(CONF, "Urgent\n", "")?;
        let alerts_path = dir.path().join("etc/alerts");
        std::fs::remove_file(&alerts_path)?;
        std::fs::create_dir(&alerts_path)?;
        let out = status(dir.path(), &alerts(&[(true, "Urgent")]), free);
        assert!(out.text.contains("alert Urgent\n"), "{}", out.text);
        let expected = format!("error: cannot read `{}`: ", alerts_path.display());
        assert!(
            out.messages.iter().any(|m| m.starts_with(&expected)),
            "{:?}",
            out.messages
        );
        assert!(out.failed);
        Ok(())
    }

    #[test]
    fn log_tail_starts_at_a_whole_line() -> io::Result<()> {
        let dir = tree("", "", "first line\nsecond line\nthird\n")?;
        let tail = read_log_tail(&dir.path().join("var/log/piktd.log"), 15)?;
        assert_eq!(tail.as_deref(), Some("third\n"));
        assert_eq!(read_log_tail(&dir.path().join("none.log"), 15)?, None);
        Ok(())
    }

    #[test]
    fn log_lines_and_events_are_split() {
        let line = "Nov  4 10:05:02 web1 piktd[812]: WARNING end Urgent pid=4242 signal 15 (SIGTERM) after 3600s: stopped at the time limit";
        let parsed = parse_log_line(line);
        assert_eq!(
            parsed,
            Some(LogLine {
                stamp: "Nov  4 10:05:02",
                level: "WARNING",
                message:
                    "end Urgent pid=4242 signal 15 (SIGTERM) after 3600s: stopped at the time limit",
            })
        );
        assert_eq!(
            split_event("cannot start Urgent line 1 due 10:05: no /bin/sh"),
            Some(("cannot start", "Urgent line 1 due 10:05: no /bin/sh"))
        );
        assert_eq!(after_name("UrgentX pid=1 exit 0", "Urgent"), None);
        assert_eq!(split_pid("pid=4242: checked"), (Some(4242), "checked"));
        assert_eq!(split_pid("line 3 due"), (None, "line 3 due"));
        assert_eq!(parse_log_line("garbage"), None);
    }
}
