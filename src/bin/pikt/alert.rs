//! Alert runs: `pikt +A ALERT` and `pikt +S SCRIPT` on an installed PIKT
//! tree (docs/alerts.md).
//!
//! An alert run reads `=altdir/ALERT.alt` (the alert's scripts, installed by
//! `piktc -i`) and `=altdir/ALERT.cfg` (its settings), logs to
//! `=logdir/ALERT.log`, keeps history in `=hstdir/ALERT/`, runs the scripts
//! in order and sends one mail through [`crate::delivery`], which spools
//! what it cannot send. The interpreter itself is the same as for a
//! standalone run ([`crate::run_scripts`]).

use std::io;
use std::path::{Path, PathBuf};

use pikt_config::alerts::{Alert, AlertsFile};
use pikt_config::layout::{kernel_host_name, resolve_host, resolve_root, HOST_ENV, ROOT_ENV};
use pikt_config::pikt_conf::PiktConf;
use pikt_config::Layout;
use pikt_effects::{local_time_zone, LogTarget, StdSinks};
use pikt_lang::ast::{Program, Status};
use pikt_lang::{parse_program, ParseMode};
use pikt_runtime::host::LogEntry;
use pikt_runtime::run::mail_body;
use pikt_runtime::{Host, RunConfig, RunReport, ScriptToRun};
use pikt_source::{render, Diagnostic, SourceMap};

use crate::args::Args;
use crate::delivery::{Delivery, Route};
use crate::{
    make_sinks, print_stdout, run_scripts, Environment, EXIT_FAILED, EXIT_OK, EXIT_SCRIPT_ERRORS,
    EXIT_UNREADABLE, EXIT_USAGE,
};

/// The PIKT tree of this host: where things are, PIKT.conf, the host name.
pub struct Site {
    /// The directories.
    pub layout: Layout,
    /// PIKT.conf (empty when there is none).
    pub conf: PiktConf,
    /// This host's name as piktc knows it (`PIKT_HOST`, else the kernel's
    /// host name up to its first dot).
    pub host: String,
}

impl Site {
    /// The tree named by `PIKT_DIR` (default `/etc/pikt`), with PIKT.conf's
    /// directory overrides applied. A PIKT.conf with errors is refused.
    pub fn from_env() -> Result<Site, String> {
        let root = resolve_root(None, std::env::var_os(ROOT_ENV));
        let layout = Layout::new(root);
        let conf = PiktConf::read(&layout.pikt_conf())?;
        let layout = layout.with_overrides(&conf);
        let host = resolve_host(None, std::env::var(HOST_ENV).ok(), kernel_host_name())
            .ok_or("cannot tell this host's name: set `PIKT_HOST`")?;
        Ok(Site { layout, conf, host })
    }
}

/// The installed alert a run uses, and the one script to run, if any.
pub struct Target {
    /// The alert's name.
    pub alert: String,
    /// `=altdir/ALERT.alt`.
    pub path: PathBuf,
    /// `+S`: only this script.
    pub script: Option<String>,
}

/// Finds the alert file for `+A ALERT` and/or `+S SCRIPT`. A script given
/// alone must be in exactly one installed alert.
pub fn locate(site: &Site, alert: Option<&str>, script: Option<&str>) -> Result<Target, String> {
    let alert = match (alert, script) {
        (Some(alert), _) => alert.to_string(),
        (None, Some(script)) => alert_holding(&site.layout, script)?,
        (None, None) => return Err("name an alert (`+A`) or a script (`+S`)".into()),
    };
    let path = site.layout.alert_file(&alert);
    if !path.is_file() {
        return Err(format!(
            "alert `{alert}` is not installed: no `{}` (install it with `piktc -i +A {alert}`)",
            path.display()
        ));
    }
    Ok(Target {
        alert,
        path,
        script: script.map(str::to_string),
    })
}

/// The one installed alert whose `.alt` file holds `script`.
fn alert_holding(layout: &Layout, script: &str) -> Result<String, String> {
    let entries = std::fs::read_dir(&layout.altdir)
        .map_err(|e| format!("cannot list `{}`: {e}", layout.altdir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "alt"))
        .collect();
    files.sort();
    let holders: Vec<String> = files
        .iter()
        .filter(|path| alt_holds(path, script))
        .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    match holders.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "script `{script}` is in no installed alert (no `.alt` file in `{}` holds it)",
            layout.altdir.display()
        )),
        several => Err(format!(
            "script `{script}` is in alerts {}: choose one with `+A`",
            several
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether the alarm file at `path` defines a script called `script`.
fn alt_holds(path: &Path, script: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let mut map = SourceMap::new();
    let id = map.add(path.display().to_string(), String::from_utf8_lossy(&bytes));
    let (program, _) = parse_program(&map, id, ParseMode::Alarms);
    program
        .scripts
        .iter()
        .any(|s| s.name.as_ref().is_some_and(|n| n.name == script))
}

/// Reads `=altdir/ALERT.cfg`, the settings `piktc -i` installs with the
/// alert (docs/alerts.md); `None` when there is none (an alert installed
/// by hand: defaults apply).
fn read_settings(layout: &Layout, alert: &str) -> Result<Option<Alert>, String> {
    let path = layout.alert_settings_file(alert);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let mut map = SourceMap::new();
    let id = map.add(path.display().to_string(), text);
    let (file, diags) = AlertsFile::parse(&map, id);
    if diags.iter().any(Diagnostic::is_error) {
        let shown: String = diags.iter().map(|d| render(&map, d)).collect();
        return Err(format!("`{}` has errors\n{shown}", path.display()));
    }
    file.get(alert)
        .cloned()
        .map(Some)
        .ok_or_else(|| format!("`{}` holds no settings for alert `{alert}`", path.display()))
}

/// `pikt +A ALERT` / `pikt +S SCRIPT`: the whole run; returns the exit status.
pub fn run_installed(args: &Args, alert: Option<&str>, script: Option<&str>) -> u8 {
    let prepared = Site::from_env().and_then(|site| {
        let target = locate(&site, alert, script)?;
        let settings = read_settings(&site.layout, &target.alert)?;
        Ok((site, target, settings))
    });
    let (site, target, settings) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("pikt: error: {message}");
            return EXIT_UNREADABLE;
        }
    };
    let mut environment = match Environment::from_process() {
        Ok(environment) => environment,
        Err(message) => {
            eprintln!("pikt: error: {message}");
            return EXIT_USAGE;
        }
    };
    environment.host.clone_from(&site.host);
    environment.history_dir = Some(site.layout.hstdir.clone());
    let run = AlertRun {
        args,
        site: &site,
        target: &target,
        settings: settings.as_ref(),
        environment: &environment,
    };
    run.run()
}

/// Everything one alert run needs.
struct AlertRun<'a> {
    args: &'a Args,
    site: &'a Site,
    target: &'a Target,
    settings: Option<&'a Alert>,
    environment: &'a Environment,
}

impl AlertRun<'_> {
    fn run(&self) -> u8 {
        let status = self.settings.and_then(|s| s.status);
        let route = Route::choose(
            self.args.mail_cmd.as_deref(),
            self.settings.and_then(|s| s.mailcmd.as_deref()),
            &self.site.conf,
        );
        let config = self.config(status, &route);
        let mut sinks = self.open_log(&config);
        log(&mut sinks, "INFO", "", &self.started_text());
        let delivery = Delivery::new(
            &route,
            pikt_alert::Spool::new(self.site.layout.mail_spool(&self.target.alert)),
            &self.target.alert,
            &self.site.host,
            &self.site.conf,
        );
        let mut code = EXIT_OK;
        if !self.args.test_mode {
            let report = delivery.retry();
            code = code.max(log_delivery(&mut sinks, &report, &delivery, "spooled"));
        }
        code = code.max(self.run_alert_scripts(status, &config, &route, &delivery, &mut sinks));
        let ending = if code == EXIT_OK {
            "run ended normally".to_string()
        } else {
            format!("run ended abnormally (exit status {code})")
        };
        log(&mut sinks, "INFO", "", &ending);
        code
    }

    /// The run's settings: the alert's status and print command, the mail
    /// command (for `$mailcmd()`; the mail itself goes through
    /// [`Delivery`]), PIKT.conf's `verbose_log`, the tree's history
    /// directory.
    fn config(&self, status: Option<Status>, route: &Route) -> RunConfig {
        RunConfig {
            alert: Some(self.target.alert.clone()),
            test_mode: self.args.test_mode || status == Some(Status::Testing),
            debug: self.args.debug || status == Some(Status::Debugging),
            mail_cmd: match route {
                Route::Command(command) => Some(command.clone()),
                Route::Relay(_) | Route::Nowhere => None,
            },
            lp_cmd: self
                .args
                .lp_cmd
                .clone()
                .or_else(|| self.settings.and_then(|s| s.lpcmd.clone())),
            history_dir: Some(self.site.layout.hstdir.clone()),
            time_zone: local_time_zone(),
            verbose_log: self.site.conf.verbose_log(),
            native_ps: self.site.conf.flag("native_ps").unwrap_or(true),
            limits: crate::limits::limits_from(&self.site.conf),
            ..RunConfig::default()
        }
    }

    /// The alert log, `=logdir/ALERT.log` (its directory created).
    fn open_log(&self, config: &RunConfig) -> StdSinks {
        let path = self.site.layout.alert_log(&self.target.alert);
        if let Err(e) = std::fs::create_dir_all(&self.site.layout.logdir) {
            eprintln!(
                "pikt: warning: cannot create `{}`: {e}",
                self.site.layout.logdir.display()
            );
        }
        make_sinks(LogTarget::File(path), config, self.environment)
    }

    fn started_text(&self) -> String {
        let mut text = format!("run started: pikt {}", self.argv_text());
        if self.args.test_mode {
            text.push_str(" (test mode: no command runs, no mail is sent)");
        }
        text
    }

    fn argv_text(&self) -> String {
        let mut words = Vec::new();
        if self.args.test_mode {
            words.push("-T".to_string());
        }
        if self.args.debug {
            words.push("-G".to_string());
        }
        words.push(format!("+A {}", self.target.alert));
        if let Some(script) = &self.target.script {
            words.push(format!("+S {script}"));
        }
        words.join(" ")
    }

    /// Reads, parses and runs the alert's scripts and sends the mail.
    fn run_alert_scripts(
        &self,
        status: Option<Status>,
        config: &RunConfig,
        route: &Route,
        delivery: &Delivery,
        sinks: &mut StdSinks,
    ) -> u8 {
        match status {
            Some(Status::Inactive) => {
                if config.verbose_log {
                    log(sinks, "INFO", "", "alert is inactive, not run");
                }
                return EXIT_OK;
            }
            Some(Status::Suspended) => {
                log(sinks, "INFO", "", "alert is suspended, not run");
                return EXIT_OK;
            }
            _ => {}
        }
        let mut map = SourceMap::new();
        let mut program = match self.parse(&mut map, sinks) {
            Ok(program) => program,
            Err(code) => return code,
        };
        if let Err(message) = self.keep_chosen_script(&mut program) {
            eprintln!("pikt: error: {message}");
            log(sinks, "ERROR", "", &message);
            return EXIT_UNREADABLE;
        }
        if let Some(level) = self.settings.and_then(|s| s.level) {
            // The alert's level is the level of its scripts that name none.
            for script in &mut program.scripts {
                if script.init.level.is_none() {
                    script.init.level = Some((level, script.span));
                }
            }
        }
        let scripts = ScriptToRun::all_named(&program);
        let mut mail = |report: &RunReport, config: &RunConfig, host: &mut Host<'_>| {
            self.send_mail(report, config, route, delivery, host)
        };
        run_scripts(
            &scripts,
            &map,
            config,
            self.environment,
            &[],
            sinks,
            &mut mail,
        )
    }

    /// Parses the alert file; errors are shown, logged and end the run.
    fn parse(&self, map: &mut SourceMap, sinks: &mut StdSinks) -> Result<Program, u8> {
        let text = match std::fs::read(&self.target.path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                let message = format!("cannot read `{}`: {e}", self.target.path.display());
                eprintln!("pikt: error: {message}");
                log(sinks, "ERROR", "", &message);
                return Err(EXIT_UNREADABLE);
            }
        };
        let file = map.add(self.target.path.display().to_string(), text);
        let (program, diagnostics) = parse_program(map, file, ParseMode::Alarms);
        for diagnostic in &diagnostics {
            eprint!("{}", render(map, diagnostic));
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            let message = format!(
                "`{}` has {errors} error(s); nothing was run",
                self.target.path.display()
            );
            log(sinks, "ERROR", "", &message);
            return Err(EXIT_SCRIPT_ERRORS);
        }
        Ok(program)
    }

    /// With `+S`, drops every script but that one.
    fn keep_chosen_script(&self, program: &mut Program) -> Result<(), String> {
        let Some(wanted) = &self.target.script else {
            return Ok(());
        };
        program
            .scripts
            .retain(|s| s.name.as_ref().is_some_and(|n| &n.name == wanted));
        if program.scripts.is_empty() {
            return Err(format!(
                "alert `{}` has no script `{wanted}`",
                self.target.alert
            ));
        }
        Ok(())
    }

    /// The mail step of the run: printed in test mode, else delivered.
    fn send_mail(
        &self,
        report: &RunReport,
        config: &RunConfig,
        route: &Route,
        delivery: &Delivery,
        host: &mut Host<'_>,
    ) -> u8 {
        let Some(body) = mail_body(report, config, host) else {
            log(
                host.sinks,
                "INFO",
                "",
                "no alert mail: no script produced mail output",
            );
            return EXIT_OK;
        };
        if self.args.test_mode {
            log(
                host.sinks,
                "INFO",
                "",
                "test mode: the alert mail was printed, not sent",
            );
            let _ = host.sinks.flush();
            let note = format!(
                "--- test mode: this alert mail is not sent (it would go to {}) ---\n",
                route.describe()
            );
            return print_stdout(&format!("{note}{body}"));
        }
        log(
            host.sinks,
            "INFO",
            "",
            &format!("mail: sending the alert mail via {}", route.describe()),
        );
        let report = delivery.send(&body);
        log_delivery(host.sinks, &report, delivery, "new")
    }
}

/// Logs what a delivery attempt did; its exit status (1 when anything is
/// left undelivered).
fn log_delivery(
    sinks: &mut dyn pikt_runtime::host::Sinks,
    report: &pikt_alert::DeliveryReport,
    delivery: &Delivery,
    what: &str,
) -> u8 {
    if report.retried_ok > 0 {
        let text = format!(
            "mail: delivered {} spooled message(s) from an earlier run",
            report.retried_ok
        );
        log(sinks, "INFO", "", &text);
    }
    if report.delivered {
        log(sinks, "INFO", "", "mail: the alert mail was delivered");
    }
    for error in &report.errors {
        log(sinks, "ERROR", "", &format!("mail: {error}"));
        eprintln!("pikt: error: mail: {error}");
    }
    if report.still_spooled == 0 && report.errors.is_empty() {
        return EXIT_OK;
    }
    if report.still_spooled > 0 {
        let text = format!(
            "mail: {} message(s) wait in `{}` for the next run ({what} delivery failed)",
            report.still_spooled,
            delivery.spool_dir().display()
        );
        log(sinks, "WARNING", "", &text);
    }
    EXIT_FAILED
}

fn log(sinks: &mut dyn pikt_runtime::host::Sinks, tag: &str, script: &str, text: &str) {
    sinks.log(&LogEntry {
        tag,
        script,
        text,
        always_show: false,
    });
}
