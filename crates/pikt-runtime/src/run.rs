//! A run: several scripts in order (an alert's scripts, a file of scripts,
//! or one standalone script), their mail collected into one message.
//!
//! A run-time error stops the script it happens in; the run goes on with
//! the next script. `die` stops the whole run, and so does a stop the
//! caller requests ([`crate::stop`]): the script it finds running ends
//! there with its mail lines kept, no later script runs, and the mail says
//! the run was cut short ([`RunReport::stopped`]). History is stored for
//! each script that completed (or `quit`), never for one that failed, died
//! or was stopped.

use pikt_lang::ast::{Level, Program, Script, Status};
use pikt_source::{Diagnostic, SourceMap};

use crate::config::RunConfig;
use crate::error::{RunError, RunErrorKind};
use crate::guard::{GuardError, Guarded, Policy};
use crate::history::{history_path, History};
use crate::host::{CommandUse, Host, LogEntry, Shell, ShellCommand};
use crate::interp::{Flow, Machine, Shared};
use crate::mail::{ctime, cut_short_note, format_alert, ScriptMail};

/// One script to run and the name it runs under (the script's own name, or
/// for a standalone script the file name without `.pkt`).
#[derive(Clone, Copy, Debug)]
pub struct ScriptToRun<'p> {
    /// The parsed script.
    pub script: &'p Script,
    /// Its name (`$alarm()`, mail heading, history file, messages).
    pub name: &'p str,
}

impl<'p> ScriptToRun<'p> {
    /// True when the script reads or writes history (`%` variables, an
    /// `input logfile`'s offset): only then does a run need to know where
    /// history is kept, which costs a caller the PIKT.conf search.
    pub fn keeps_history(&self) -> bool {
        Machine::keeps_history(self.script)
    }

    /// Every script of an alarm file, each under the name on its name line.
    pub fn all_named(program: &'p Program) -> Vec<ScriptToRun<'p>> {
        Self::all_named_or(program, "")
    }

    /// [`ScriptToRun::all_named`], with the scripts that have no name line run
    /// under `unnamed` (the alarm's name, say).
    pub fn all_named_or(program: &'p Program, unnamed: &'p str) -> Vec<ScriptToRun<'p>> {
        program
            .scripts
            .iter()
            .map(|script| ScriptToRun {
                script,
                name: script.name.as_ref().map_or(unnamed, |n| n.name.as_str()),
            })
            .collect()
    }
}

/// What a run produced besides its direct output.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Mail lines per script (scripts with none included, with no lines).
    pub mail: Vec<ScriptMail>,
    /// Run-time errors, one per failed script, to be rendered by the caller.
    pub errors: Vec<Diagnostic>,
    /// Set when a script ran `die`: its message, if any.
    pub died: Option<Option<String>>,
    /// True when standard output was closed by its reader (the run stopped).
    pub stdout_closed: bool,
    /// Set when the caller's stop request ended the run early.
    pub stopped: Option<Stopped>,
}

/// How a stop request ([`crate::Stop`]) ended a run early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// Why the stop was requested (`SIGTERM`).
    pub reason: String,
    /// The script that was running, or the next one to run, when the
    /// request was seen.
    pub script: String,
    /// True when that script had begun: its lines so far are in the mail.
    pub began: bool,
}

impl RunReport {
    /// True when a script failed or died (`pikt` exits with status 1).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.died.is_some()
    }
}

/// Runs `scripts` in order.
pub fn run(
    scripts: &[ScriptToRun<'_>],
    map: &SourceMap,
    config: &RunConfig,
    host: &mut Host<'_>,
) -> RunReport {
    run_sharing(scripts, map, config, host, &mut Shared::default())
}

/// [`run`] with the run-wide state given (tests look at it afterwards).
pub(crate) fn run_sharing(
    scripts: &[ScriptToRun<'_>],
    map: &SourceMap,
    config: &RunConfig,
    host: &mut Host<'_>,
    shared: &mut Shared,
) -> RunReport {
    let mut report = RunReport::default();
    for item in scripts {
        if config.stop.is_requested() {
            report.stopped = Some(stopped_before(item, config, host));
            break;
        }
        if skipped(item, config, host) {
            continue;
        }
        let keeps_history = item.keeps_history();
        let path = config
            .history_dir
            .as_deref()
            .filter(|_| keeps_history)
            .map(|dir| history_path(dir, config.alert.as_deref(), item.name));
        let history = path
            .as_deref()
            .map(|p| load_history(p, item.name, host))
            .unwrap_or_default();
        // The machine sees the effects only through the guard.
        let guarded = Guarded::new(
            host.reborrow(),
            Policy::for_script(config, item.script),
            item.name,
        )
        .with_stop(&config.stop);
        // Static decisions are taken once, before the script runs.
        let plan = crate::plan::lower(item.script);
        let mut machine = Machine::new(*item, &plan, map, config, guarded, shared, history);
        let result = machine.run();
        let lines = match result {
            Ok(Flow::Die) => {
                let message = machine.die_message();
                let lines = machine.into_mail();
                let text = message
                    .as_deref()
                    .map_or("died".to_string(), |m| format!("died: {m}"));
                host.sinks.log(&LogEntry {
                    tag: "ERROR",
                    script: item.name,
                    text: &text,
                    always_show: false,
                });
                report.died = Some(message);
                lines
            }
            Ok(_) => {
                let (history, lines) = machine.into_history();
                if let Some(path) = &path {
                    save_history(path, &history, item.name, host);
                }
                lines
            }
            Err(e) if e.kind == RunErrorKind::StdoutClosed => {
                report.stdout_closed = true;
                machine.into_mail()
            }
            Err(RunError {
                kind: RunErrorKind::Stopped { reason },
                span,
            }) => {
                let lines = machine.into_mail();
                let text = format!(
                    "stopped by {reason} at {} before it finished: its mail so far is kept, no later script runs",
                    map.location(span)
                );
                host.sinks.log(&LogEntry {
                    tag: "WARNING",
                    script: item.name,
                    text: &text,
                    always_show: true,
                });
                report.stopped = Some(Stopped {
                    reason,
                    script: item.name.to_string(),
                    began: true,
                });
                lines
            }
            Err(e) => {
                let lines = machine.into_mail();
                let message = e.kind.message();
                host.sinks.log(&LogEntry {
                    tag: "ERROR",
                    script: item.name,
                    text: &message,
                    always_show: false,
                });
                report.errors.push(e.to_diagnostic(item.name));
                lines
            }
        };
        report.mail.push(script_mail(item, config, lines));
        if report.died.is_some() || report.stdout_closed || report.stopped.is_some() {
            break;
        }
    }
    if let Some(pipe) = shared.print.take() {
        if let Err(e) = pipe.close() {
            let text = format!("print command failed: {e}");
            host.sinks.log(&LogEntry {
                tag: "WARNING",
                script: "",
                text: &text,
                always_show: true,
            });
        }
    }
    report
}

/// The stop seen before `item` began; logged.
fn stopped_before(item: &ScriptToRun<'_>, config: &RunConfig, host: &mut Host<'_>) -> Stopped {
    let reason = config
        .stop
        .reason()
        .unwrap_or_else(|| "a stop request".into());
    let text = format!("stopped by {reason} before it began: not run");
    host.sinks.log(&LogEntry {
        tag: "WARNING",
        script: item.name,
        text: &text,
        always_show: true,
    });
    Stopped {
        reason,
        script: item.name.to_string(),
        began: false,
    }
}

/// Skips `inactive` and `suspended` scripts: a suspended one is always
/// logged, an inactive one only with `verbose_log` (reference §3.6).
fn skipped(item: &ScriptToRun<'_>, config: &RunConfig, host: &mut Host<'_>) -> bool {
    let status = item.script.init.status.map(|(s, _)| s);
    match status {
        Some(Status::Inactive) => {
            if config.verbose_log {
                host.sinks.log(&LogEntry {
                    tag: "INFO",
                    script: item.name,
                    text: "script is inactive, not run",
                    always_show: false,
                });
            }
            true
        }
        Some(Status::Suspended) => {
            host.sinks.log(&LogEntry {
                tag: "INFO",
                script: item.name,
                text: "script is suspended, not run",
                always_show: false,
            });
            true
        }
        _ => false,
    }
}

fn script_mail(item: &ScriptToRun<'_>, config: &RunConfig, lines: Vec<String>) -> ScriptMail {
    let heading = match &config.alert {
        Some(alert) => alert.to_uppercase(),
        None => {
            let level = item.script.init.level.map_or(Level::Notice, |(l, _)| l);
            level.word().to_uppercase()
        }
    };
    ScriptMail {
        heading,
        script: item.name.to_string(),
        task: item.script.init.task.as_ref().map(|(t, _)| t.clone()),
        lines,
    }
}

fn load_history(path: &std::path::Path, script: &str, host: &mut Host<'_>) -> History {
    let problem = match host.fs.read_state(path) {
        Ok(None) => return History::default(),
        Ok(Some(text)) => match History::parse(&text) {
            Ok(history) => return history,
            Err(reason) => reason,
        },
        Err(e) => e.to_string(),
    };
    let text = format!("ignoring history file `{}`: {problem}", path.display());
    host.sinks.log(&LogEntry {
        tag: "WARNING",
        script,
        text: &text,
        always_show: true,
    });
    History::default()
}

fn save_history(path: &std::path::Path, history: &History, script: &str, host: &mut Host<'_>) {
    if let Err(e) = host.fs.write_state(path, &history.serialize()) {
        let text = format!("cannot write history file `{}`: {e}", path.display());
        host.sinks.log(&LogEntry {
            tag: "WARNING",
            script,
            text: &text,
            always_show: true,
        });
    }
}

/// The run's alert mail in the seed's layout (dated now, in the run's time
/// zone, on this host), or `None` when no script produced a mail line. A
/// run a stop cut short ends its mail with a note saying so.
pub fn mail_body(report: &RunReport, config: &RunConfig, host: &mut Host<'_>) -> Option<String> {
    let date = ctime(host.clock.now(), &config.time_zone);
    let mut body = format_alert(&date, host.system.hostname(), &report.mail)?;
    if let Some(stopped) = &report.stopped {
        body.push('\n');
        body.push_str(&cut_short_note(stopped));
    }
    Some(body)
}

/// Delivers the run's alert mail: piped to the mail command when one is
/// configured, else written to standard output (as test mode does with it:
/// see [`crate::guard`]). Returns whether there was a message; the error is
/// ready to show. Alert runs (`pikt +A`) deliver through `pikt-alert`
/// instead, with a spool.
pub fn deliver_mail(
    report: &RunReport,
    config: &RunConfig,
    host: &mut Host<'_>,
) -> Result<bool, Diagnostic> {
    let Some(text) = mail_body(report, config, host) else {
        return Ok(false);
    };
    let Some(command) = config.mail_cmd.as_deref() else {
        host.sinks
            .stdout(&text)
            .and_then(|()| host.sinks.flush())
            .map_err(|e| {
                Diagnostic::error_unlocated(format!("cannot write the alert mail: {e}"))
            })?;
        return Ok(true);
    };
    let mut guarded = Guarded::new(host.reborrow(), Policy::of(config), "");
    let mail = ShellCommand::new(command, CommandUse::Mail);
    match guarded.send(&mail, text.as_bytes()) {
        Ok(0) => Ok(true),
        Ok(status) => Err(Diagnostic::error_unlocated(format!(
            "mail command `{command}` exited with status {status}"
        ))),
        Err(e) => Err(Diagnostic::error_unlocated(match GuardError::of(&e) {
            Some(GuardError::Refused { .. }) => {
                format!("running commands is disabled: mail command `{command}`")
            }
            Some(GuardError::Stdout(e)) => format!("cannot write the alert mail: {e}"),
            Some(GuardError::Stopped { reason }) => {
                format!("the alert mail was not sent: the run was stopped by {reason}")
            }
            None => format!("cannot send mail with `{command}`: {e}"),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestHost;
    use pikt_lang::{parse_program, ParseMode};

    const NOW: i64 = 956_621_822;

    /// Runs the alarm-file `text` under `config`; the report and the host.
    fn alarms(text: &str, config: &RunConfig) -> (RunReport, TestHost) {
        let mut map = SourceMap::new();
        let file = map.add("t.alt", text);
        let (program, diagnostics) = parse_program(&map, file, ParseMode::Alarms);
        assert!(!diagnostics.iter().any(Diagnostic::is_error));
        let scripts = ScriptToRun::all_named(&program);
        let mut host = TestHost::at(NOW);
        let report = run(&scripts, &map, config, &mut host.host());
        (report, host)
    }

    const TWO_SKIPPED: &str = "Off\n    init\n        status inactive\n    begin\n        output \"off\"\nLater\n    init\n        status suspended\n    begin\n        output \"later\"\nOn\n    begin\n        output \"on\"\n";

    #[test]
    fn inactive_scripts_are_logged_only_with_verbose_log() {
        let (_, quiet) = alarms(TWO_SKIPPED, &RunConfig::default());
        assert_eq!(quiet.sinks.stdout, "on\n");
        assert_eq!(
            quiet.sinks.log,
            ["[INFO] Later: script is suspended, not run"]
        );
        let verbose = RunConfig {
            verbose_log: true,
            ..RunConfig::default()
        };
        let (_, loud) = alarms(TWO_SKIPPED, &verbose);
        assert_eq!(loud.sinks.stdout, "on\n");
        assert_eq!(
            loud.sinks.log,
            [
                "[INFO] Off: script is inactive, not run",
                "[INFO] Later: script is suspended, not run"
            ]
        );
    }

    #[test]
    fn test_mode_prints_the_mail_instead_of_piping_it() {
        let config = RunConfig {
            mail_cmd: Some("mailx root".into()),
            alert: Some("Urgent".into()),
            test_mode: true,
            ..RunConfig::default()
        };
        let (report, mut host) = alarms("Chk\n    begin\n        output mail \"m\"\n", &config);
        assert_eq!(deliver_mail(&report, &config, &mut host.host()), Ok(true));
        assert!(host.shell.written.borrow().is_empty());
        assert_eq!(
            host.sinks.stdout,
            "PIKT ALERT Tue Apr 25 00:17:02 2000 testhost\n\nURGENT: Chk\n\n    m\n"
        );
    }
}
