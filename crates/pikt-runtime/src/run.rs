//! A run: several scripts in order (an alert's scripts, a file of scripts,
//! or one standalone script), their mail collected into one message.
//!
//! A run-time error stops the script it happens in; the run goes on with
//! the next script. `die` stops the whole run. History is stored for each
//! script that completed (or `quit`), never for one that failed or died.

use std::io::Write as _;

use pikt_lang::ast::{Level, Script, Status};
use pikt_source::{Diagnostic, SourceMap};

use crate::config::RunConfig;
use crate::error::RunErrorKind;
use crate::history::{history_path, History};
use crate::host::{Host, LogEntry};
use crate::interp::{Flow, Machine, Shared};
use crate::mail::{ctime, format_alert, ScriptMail};
use crate::syslog::level_name;

/// One script to run and the name it runs under (the script's own name, or
/// for a standalone script the file name without `.pkt`).
#[derive(Clone, Copy, Debug)]
pub struct ScriptToRun<'p> {
    /// The parsed script.
    pub script: &'p Script,
    /// Its name (`$alarm()`, mail heading, history file, messages).
    pub name: &'p str,
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
        if skipped(item, host) {
            continue;
        }
        let keeps_history = Machine::keeps_history(item.script);
        let path = config
            .history_dir
            .as_deref()
            .filter(|_| keeps_history)
            .map(|dir| history_path(dir, config.alert.as_deref(), item.name));
        let history = path
            .as_deref()
            .map(|p| load_history(p, item.name, host))
            .unwrap_or_default();
        let mut machine = Machine::new(
            item.script,
            item.name,
            map,
            config,
            host.reborrow(),
            shared,
            history,
        );
        let result = machine.run();
        let lines = match result {
            Ok(Flow::Die(message)) => {
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
        if report.died.is_some() || report.stdout_closed {
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

/// Skips `inactive` and `suspended` scripts (a suspended one is logged).
fn skipped(item: &ScriptToRun<'_>, host: &mut Host<'_>) -> bool {
    let status = item.script.init.status.map(|(s, _)| s);
    match status {
        Some(Status::Inactive) => true,
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
            level_name(level).to_uppercase()
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

/// Delivers the run's alert mail: piped to the mail command when one is
/// configured, else written to standard output. Returns whether there was
/// a message; the error is ready to show.
pub fn deliver_mail(
    report: &RunReport,
    config: &RunConfig,
    host: &mut Host<'_>,
) -> Result<bool, Diagnostic> {
    let date = ctime(host.clock.now(), &config.time_zone);
    let Some(text) = format_alert(&date, host.system.hostname(), &report.mail) else {
        return Ok(false);
    };
    let Some(command) = &config.mail_cmd else {
        host.sinks
            .stdout(&text)
            .and_then(|()| host.sinks.flush())
            .map_err(|e| {
                Diagnostic::error_unlocated(format!("cannot write the alert mail: {e}"))
            })?;
        return Ok(true);
    };
    if config.no_exec {
        return Err(Diagnostic::error_unlocated(format!(
            "running commands is disabled: mail command `{command}`"
        )));
    }
    let _ = host.sinks.flush();
    let failed = |e: std::io::Error| {
        Diagnostic::error_unlocated(format!("cannot send mail with `{command}`: {e}"))
    };
    let mut pipe = host.shell.write_pipe(command).map_err(failed)?;
    let written = pipe.write_all(text.as_bytes()).and_then(|()| pipe.flush());
    let status = pipe.close().map_err(failed)?;
    // A command that fails before reading its input also breaks the pipe;
    // its exit status says more than the broken pipe.
    if status != 0 {
        return Err(Diagnostic::error_unlocated(format!(
            "mail command `{command}` exited with status {status}"
        )));
    }
    written.map_err(failed)?;
    Ok(true)
}
