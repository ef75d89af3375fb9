//! Results into text: what piktc prints for each host's [`HostResult`].
//! With one host, lines stand alone; with several, each host's output
//! starts with a `== HOST ==` line and each of its errors names it.

use std::fmt::Write as _;

use crate::digest::{checksum, sha256_hex};
use crate::fleet::{HostJob, HostOutcome, HostResult, MasterFile};
use crate::plan::{DaemonAction, DigestKind};
use crate::report::{
    CommandEnd, CommandResult, DaemonResult, FileChange, PiktdResult, ReadResult, ReadState, Report,
};
use crate::request::{exit, Operation, Outcome, Request};
use crate::text::unified_diff;
use crate::transport::HostErrorKind;

/// Who a host's messages are about: nobody to name with one host.
struct Voice<'a> {
    host: &'a str,
    many: bool,
}

impl Voice<'_> {
    fn say(&self, message: &str) -> String {
        if self.many {
            format!("{}: {message}", self.host)
        } else {
            message.to_string()
        }
    }

    fn fail(&self, out: &mut Outcome, message: &str) {
        out.fail(&self.say(message), exit::HOST_FAILED);
    }

    fn note(&self, out: &mut Outcome, message: &str) {
        out.note(&self.say(message));
    }
}

/// Renders every host's result of `request` after `out`.
pub fn results(
    request: &Request,
    results: &[(HostJob, HostResult)],
    many: bool,
    out: &mut Outcome,
) {
    let mut skipped: Vec<&str> = Vec::new();
    let mut skip_reason = "";
    for (job, result) in results {
        let voice = Voice {
            host: &result.host,
            many,
        };
        for line in &result.debug {
            out.raw_stderr(&format!("piktc: debug: {line}"));
        }
        match &result.outcome {
            HostOutcome::Skipped(why) => {
                skipped.push(&result.host);
                skip_reason = why;
            }
            HostOutcome::Failed(e) => voice.fail(out, &e.message),
            HostOutcome::Answered(report) => {
                if many {
                    let _ = writeln!(out.stdout, "== {} ==", result.host);
                }
                answered(request, job, report, &voice, out);
            }
        }
    }
    if !skipped.is_empty() {
        out.note(&format!(
            "skipped host(s) {}: {skip_reason}",
            skipped.join(", ")
        ));
        if out.exit == exit::OK {
            out.exit = exit::HOSTS_SKIPPED;
        }
    }
}

/// How `result` ended in a word (`ok`, `failed`, `unreachable`, `denied`,
/// `timed out`, `interrupted`, `skipped`), and what it did or why not.
pub fn outcome_words(result: &HostResult) -> (&'static str, String) {
    match &result.outcome {
        HostOutcome::Answered(report) if report.failed() => ("failed", report.summary()),
        HostOutcome::Answered(report) => ("ok", report.summary()),
        HostOutcome::Skipped(why) => ("skipped", why.clone()),
        HostOutcome::Failed(e) => match e.kind {
            HostErrorKind::Unreachable => ("unreachable", e.message.clone()),
            HostErrorKind::Denied => ("denied", e.message.clone()),
            HostErrorKind::TimedOut => ("timed out", e.message.clone()),
            HostErrorKind::Interrupted => ("interrupted", e.message.clone()),
            _ => ("failed", e.message.clone()),
        },
    }
}

/// The result table after a run on several hosts, on standard error: a
/// count, then one line per host in the run's order with its result and
/// what it did (with `verbose`, how long it took).
pub fn table(results: &[(HostJob, HostResult)], verbose: bool, out: &mut Outcome) {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut rows: Vec<(&str, &str, String, String)> = Vec::new();
    for (_, result) in results {
        let (word, detail) = outcome_words(result);
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
        let time = if verbose {
            format!("{:.1}s", result.elapsed.as_secs_f64())
        } else {
            String::new()
        };
        rows.push((&result.host, word, time, detail));
    }
    let counted: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
    out.separate();
    let _ = writeln!(
        out.stderr,
        "piktc: {} hosts: {}",
        results.len(),
        counted.join(", ")
    );
    let host_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let word_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let time_width = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    for (host, word, time, detail) in rows {
        let time = if time_width > 0 {
            format!("{time:>time_width$}  ")
        } else {
            String::new()
        };
        let _ = writeln!(
            out.stderr,
            "  {host:<host_width$}  {word:<word_width$}  {time}{detail}"
        );
    }
}

fn answered(
    request: &Request,
    job: &HostJob,
    report: &Report,
    voice: &Voice<'_>,
    out: &mut Outcome,
) {
    if let Some(why) = &report.refused {
        voice.fail(out, why);
        return;
    }
    if !report.layout.is_empty() {
        voice.fail(out, &report.summary());
        return;
    }
    for block in &report.diagnostics {
        out.block(block);
    }
    for error in &report.errors {
        voice.fail(out, error);
    }
    for note in &report.notes {
        voice.note(out, note);
    }
    match &request.operation {
        Operation::Change(_) => change(report, request.verbose, voice, out),
        Operation::Status => {
            if let Some(status) = &report.status {
                out.stdout.push_str(&status.text);
                for message in &status.messages {
                    match message.strip_prefix("error: ") {
                        Some(error) => voice.fail(out, error),
                        None => voice.note(out, message.strip_prefix("note: ").unwrap_or(message)),
                    }
                }
            }
        }
        Operation::Diff => diff(job, report, request.verbose, voice, out),
        Operation::View => view(report, voice, out),
        Operation::Checksum(kind) => checksums(job, report, *kind, voice, out),
        _ => {}
    }
}

/// Lines saying what a change did (with `-v`) or would do (`-n`); none
/// about files or piktd.conf for a change held back before its switch
/// completed (its errors say what is in place).
fn change(report: &Report, verbose: bool, voice: &Voice<'_>, out: &mut Outcome) {
    if report.held_back {
        return;
    }
    let dry = report.dry_run;
    let show = verbose || dry;
    let mut line = |text: String| {
        if show {
            let _ = writeln!(out.stdout, "{text}");
        }
    };
    for dir in &report.dirs {
        line(if dry {
            format!("would make directory {dir}")
        } else {
            format!("made directory {dir}")
        });
    }
    for backup in &report.backups {
        line(if dry {
            format!("would write backup {backup}")
        } else {
            format!("wrote backup {backup}")
        });
    }
    for file in &report.files {
        let verb = match (file.change, dry) {
            (FileChange::New, false) => "installed",
            (FileChange::New, true) => "would install",
            (FileChange::Updated, false) => "updated",
            (FileChange::Updated, true) => "would update",
            (FileChange::Rewritten, false) => "rewrote",
            (FileChange::Rewritten, true) => "would rewrite",
            _ => "unchanged",
        };
        line(format!("{verb} {} ({})", file.path, file.what));
    }
    let mut no_backup = Vec::new();
    for file in &report.restored {
        match (file.change, dry) {
            (FileChange::Restored, false) => {
                line(format!("restored {} ({})", file.path, file.what))
            }
            (FileChange::Restored, true) => {
                line(format!("would restore {} ({})", file.path, file.what));
            }
            (FileChange::NoBackup, _) => no_backup.push(format!("{} ({})", file.path, file.what)),
            _ => line(format!(
                "unchanged {} ({}): the same as its backup",
                file.path, file.what
            )),
        }
    }
    if let Some(piktd) = &report.piktd {
        piktd_lines(piktd, dry, &mut line);
    }
    for removal in &report.removals {
        line(match (removal.present, dry) {
            (true, false) => format!("deleted {}", removal.path),
            (true, true) => format!("would delete {}", removal.path),
            (false, _) => format!("not present {}", removal.path),
        });
    }
    for file in no_backup {
        voice.note(out, &format!("no backup to restore {file} from"));
    }
    if let Some(piktd) = &report.piktd {
        for alert in &piktd.no_timing {
            voice.note(
                out,
                &format!("alert `{alert}` has no timing; nothing to enable"),
            );
        }
    }
    for command in &report.commands {
        command_lines(command, verbose, voice, out);
    }
    if let Some(daemon) = &report.daemon {
        daemon_line(daemon, verbose || dry, dry, voice, out);
    }
}

fn piktd_lines(piktd: &PiktdResult, dry: bool, line: &mut impl FnMut(String)) {
    for (alert, n) in &piktd.enabled {
        let verb = if dry { "would enable" } else { "enabled" };
        line(format!("{verb} alert {alert} ({n} line(s))"));
    }
    for (alert, n) in &piktd.disabled {
        let verb = if dry { "would disable" } else { "disabled" };
        line(format!("{verb} alert {alert} ({n} line(s) removed)"));
    }
    if !piktd.changed {
        line(format!("unchanged {} (piktd.conf)", piktd.path));
    } else if dry {
        line(piktd.diff.trim_end_matches('\n').to_string());
    }
}

fn command_lines(command: &CommandResult, verbose: bool, voice: &Voice<'_>, out: &mut Outcome) {
    let shown = &command.command;
    match &command.end {
        CommandEnd::WouldRun => {
            let _ = writeln!(out.stdout, "would run {shown}");
            return;
        }
        CommandEnd::Started(pid) => {
            if verbose {
                let _ = writeln!(out.stdout, "started {shown} (pid {pid})");
            }
            return;
        }
        _ => {}
    }
    if verbose {
        let _ = writeln!(out.stdout, "ran {shown}");
    }
    out.stdout
        .push_str(&String::from_utf8_lossy(&command.stdout));
    if !command.stderr.is_empty() {
        out.raw_stderr(&String::from_utf8_lossy(&command.stderr));
    }
    if command.dropped > 0 {
        voice.note(
            out,
            &format!(
                "`{shown}`: {} more bytes of output not shown",
                command.dropped
            ),
        );
    }
    let problem = match &command.end {
        CommandEnd::Exited(0) => None,
        CommandEnd::Exited(code) => Some(format!("exited with status {code}")),
        CommandEnd::Signalled(signal) => Some(format!("was ended by signal {signal}")),
        CommandEnd::TimedOut(secs) => Some(format!("was stopped at its time limit of {secs}s")),
        CommandEnd::CannotStart(why) => Some(format!("could not start: {why}")),
        _ => None,
    };
    if let Some(problem) = problem {
        voice.fail(out, &format!("`{shown}` {problem}"));
    }
}

fn daemon_line(daemon: &DaemonResult, show: bool, dry: bool, voice: &Voice<'_>, out: &mut Outcome) {
    let pid = |p: Option<u32>| p.map_or_else(String::new, |p| format!(" (pid {p})"));
    if let Some(problem) = &daemon.problem {
        let what = match daemon.action {
            DaemonAction::Restart => "restart",
            DaemonAction::Stop => "stop",
        };
        voice.fail(out, &format!("cannot {what} piktd: {problem}"));
        return;
    }
    if !show {
        return;
    }
    let via = if daemon.how.starts_with("systemctl") {
        format!(" ({})", daemon.how)
    } else {
        String::new()
    };
    let text = match (daemon.action, daemon.before, dry) {
        (DaemonAction::Stop, None, _) => "piktd is not running".to_string(),
        (DaemonAction::Stop, before, true) => format!("would stop piktd{}{via}", pid(before)),
        (DaemonAction::Stop, before, false) => format!("stopped piktd{}{via}", pid(before)),
        (DaemonAction::Restart, None, true) => format!("would start piktd{via}"),
        (DaemonAction::Restart, before, true) => {
            format!("would restart piktd{}{via}", pid(before))
        }
        (DaemonAction::Restart, None, false) => {
            format!("started piktd{}{via}", pid(daemon.after))
        }
        (DaemonAction::Restart, Some(before), false) => format!(
            "restarted piktd: pid {before} stopped, {} started{via}",
            daemon
                .after
                .map_or_else(|| "a new one".to_string(), |p| format!("pid {p}"))
        ),
    };
    let _ = writeln!(out.stdout, "{}", voice.say(&text));
}

/// `-f`: each file that differs from the master's rendering, as a unified
/// diff; missing files and mode changes in words.
fn diff(job: &HostJob, report: &Report, verbose: bool, voice: &Voice<'_>, out: &mut Outcome) {
    let mut differences = 0;
    for read in &report.reads {
        if read.what == "piktd.conf" {
            differences += piktd_conf_diff(job, read, voice, out);
            continue;
        }
        let Some(master) = job.master_files.iter().find(|m| m.path == read.path) else {
            continue;
        };
        differences += file_diff(master, read, voice, out);
    }
    if differences == 0 && verbose {
        let _ = writeln!(out.stdout, "{}", voice.say("no differences"));
    }
}

fn file_diff(
    master: &MasterFile,
    read: &ReadResult,
    voice: &Voice<'_>,
    out: &mut Outcome,
) -> usize {
    match &read.state {
        ReadState::Missing => {
            let _ = writeln!(
                out.stdout,
                "{}",
                voice.say(&format!("not installed: {} ({})", read.path, read.what))
            );
            return 1;
        }
        ReadState::Error(why) => {
            voice.fail(out, &format!("cannot read `{}`: {why}", read.path));
            return 0;
        }
        ReadState::Found => {}
    }
    let mut differences = 0;
    if read.mode != master.mode & 0o7777 {
        let _ = writeln!(
            out.stdout,
            "{}",
            voice.say(&format!(
                "mode of {} ({}): {:o} installed, {:o} on the master",
                read.path, read.what, read.mode, master.mode
            ))
        );
        differences += 1;
    }
    if read.content != master.content {
        let installed = format!("{}:{} (installed)", voice.host, read.path);
        let rendered = format!("master:{} ({})", read.path, read.what);
        out.stdout.push_str(&unified_diff(
            &String::from_utf8_lossy(&read.content),
            &String::from_utf8_lossy(&master.content),
            &installed,
            &rendered,
        ));
        differences += 1;
    }
    differences
}

/// The selected alerts' lines in the host's piktd.conf against the
/// master's.
fn piktd_conf_diff(
    job: &HostJob,
    read: &ReadResult,
    voice: &Voice<'_>,
    out: &mut Outcome,
) -> usize {
    let installed_text = match &read.state {
        ReadState::Found => String::from_utf8_lossy(&read.content).into_owned(),
        ReadState::Missing => String::new(),
        ReadState::Error(why) => {
            voice.fail(out, &format!("cannot read `{}`: {why}", read.path));
            return 0;
        }
    };
    let installed = lines_by_alert(&read.path, &installed_text);
    let mut differences = 0;
    for (alert, lines) in &job.master_lines {
        let have: Vec<String> = installed
            .iter()
            .filter(|(a, _)| a == alert)
            .map(|(_, l)| l.clone())
            .collect();
        if have == *lines {
            continue;
        }
        differences += 1;
        let joined = |l: &[String]| l.iter().map(|s| format!("{s}\n")).collect::<String>();
        out.stdout.push_str(&unified_diff(
            &joined(&have),
            &joined(lines),
            &format!("{}:{} (alert {alert}, installed)", voice.host, read.path),
            &format!("master:{} (alert {alert})", read.path),
        ));
    }
    differences
}

/// Each line of a piktd.conf text with the alert it runs, as piktd reads
/// it (lines it leaves out are left out here too).
fn lines_by_alert(name: &str, text: &str) -> Vec<(String, String)> {
    let mut map = pikt_source::SourceMap::new();
    let id = map.add(name, text);
    let (conf, _) =
        pikt_config::piktd_conf::PiktdConf::read(&map, id, pikt_config::piktd_conf::Reader::Piktd);
    conf.entries()
        .filter_map(|e| e.alert().map(|a| (a.to_string(), e.render())))
        .collect()
}

/// `-w`: each file as the host has it.
fn view(report: &Report, voice: &Voice<'_>, out: &mut Outcome) {
    for read in &report.reads {
        match &read.state {
            ReadState::Found => {
                let _ = writeln!(
                    out.stdout,
                    "==> {}:{} ({}, mode {:o}) <==",
                    voice.host, read.path, read.what, read.mode
                );
                out.stdout.push_str(&String::from_utf8_lossy(&read.content));
            }
            ReadState::Missing => voice.note(
                out,
                &format!("not installed: {} ({})", read.path, read.what),
            ),
            ReadState::Error(why) => {
                voice.fail(out, &format!("cannot read `{}`: {why}", read.path))
            }
        }
    }
}

/// `-m#`: `DIGEST  PATH` per file, and how it compares with the master's.
/// `-m`/`-m#`: each file's checksum as `sha256sum` (`-m`) or `$checksum`
/// (`-m#`) prints it. Whether it is the master's is judged by the SHA-256
/// of both, whatever the level shown: a 16-bit sum alone cannot tell.
fn checksums(
    job: &HostJob,
    report: &Report,
    kind: DigestKind,
    voice: &Voice<'_>,
    out: &mut Outcome,
) {
    let gap = if kind == DigestKind::Sha256 {
        "  "
    } else {
        " "
    };
    for read in &report.reads {
        let master = job.master_files.iter().find(|m| m.path == read.path);
        let shown = format!("{}{gap}{}", read.digest, read.path);
        let text = match (&read.state, master) {
            (ReadState::Found, Some(m)) if sha256_hex(&m.content) == read.sha256 => {
                format!("{shown} (same as the master)")
            }
            (ReadState::Found, Some(m)) => {
                let theirs = checksum(kind, &m.content);
                let even = if theirs == read.digest {
                    ", though the contents differ"
                } else {
                    ""
                };
                format!("{shown} (differs: the master's is {theirs}{even})")
            }
            (ReadState::Found, None) => shown,
            (ReadState::Missing, _) => format!("-{gap}{} (not installed)", read.path),
            (ReadState::Error(why), _) => {
                voice.fail(out, &format!("cannot read `{}`: {why}", read.path));
                continue;
            }
        };
        let _ = writeln!(out.stdout, "{}", voice.say(&text));
    }
}

/// `-W`: each file as the master renders it for each host.
pub fn view_master(jobs: &[HostJob], many: bool, out: &mut Outcome) {
    for job in jobs {
        for file in &job.master_files {
            let for_host = if many {
                format!(", for {}", job.host)
            } else {
                String::new()
            };
            let _ = writeln!(
                out.stdout,
                "==> {} ({}, mode {:o}{for_host}) <==",
                file.path, file.what, file.mode
            );
            out.stdout.push_str(&String::from_utf8_lossy(&file.content));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::HostOutcome;
    use crate::plan::HostPlan;
    use crate::report::FileResult;
    use crate::request::{Change, Request};
    use crate::transport::HostError;

    fn job(host: &str) -> HostJob {
        HostJob {
            host: host.into(),
            plan: HostPlan::default(),
            master_files: Vec::new(),
            master_lines: Vec::new(),
            bootstrap: None,
        }
    }

    fn result(host: &str, outcome: HostOutcome) -> HostResult {
        HostResult {
            host: host.into(),
            outcome,
            debug: Vec::new(),
            elapsed: std::time::Duration::from_millis(1500),
        }
    }

    #[test]
    fn several_hosts_each_get_a_heading_and_their_errors_name_them() {
        let mut request = Request::new(Operation::Change(Change {
            install: true,
            ..Change::default()
        }));
        request.verbose = true;
        let installed = Report {
            host: "a".into(),
            files: vec![FileResult {
                path: "/p/motd".into(),
                what: "file motd".into(),
                change: FileChange::Unchanged,
            }],
            ..Report::default()
        };
        let failed = Report {
            host: "b".into(),
            errors: vec!["cannot rename into `/p/motd`: Read-only file system".into()],
            ..Report::default()
        };
        let results = vec![
            (
                job("a"),
                result("a", HostOutcome::Answered(Box::new(installed))),
            ),
            (
                job("b"),
                result("b", HostOutcome::Answered(Box::new(failed))),
            ),
            (
                job("c"),
                result(
                    "c",
                    HostOutcome::Failed(HostError::new(
                        HostErrorKind::TimedOut,
                        "no answer in 60s",
                    )),
                ),
            ),
            (
                job("d"),
                result("d", HostOutcome::Skipped("not reached yet".into())),
            ),
        ];
        let mut out = Outcome::default();
        super::results(&request, &results, true, &mut out);
        assert_eq!(
            out.stdout,
            "== a ==\nunchanged /p/motd (file motd)\n== b ==\n"
        );
        assert_eq!(
            out.stderr,
            "piktc: error: b: cannot rename into `/p/motd`: Read-only file system\n\
             piktc: error: c: no answer in 60s\n\
             piktc: note: skipped host(s) d: not reached yet\n"
        );
        assert_eq!(out.exit, exit::HOST_FAILED);

        let mut table_out = Outcome::default();
        table(&results, false, &mut table_out);
        assert_eq!(
            table_out.stderr,
            "piktc: 4 hosts: 1 ok, 1 failed, 1 timed out, 1 skipped\n\
             \x20 a  ok         1 unchanged\n\
             \x20 b  failed     cannot rename into `/p/motd`: Read-only file system\n\
             \x20 c  timed out  no answer in 60s\n\
             \x20 d  skipped    not reached yet\n"
        );
        let mut verbose = Outcome::default();
        table(&results[..1], true, &mut verbose);
        assert_eq!(
            verbose.stderr,
            "piktc: 1 hosts: 1 ok\n  a  ok  1.5s  1 unchanged\n"
        );
    }
}
