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
use std::path::PathBuf;

use pikt_config::alerts::{Alert, AlertsFile};
use pikt_config::installed::{alert_scripts, installed_alerts};
use pikt_config::{Layout, Site, SiteEnv, SiteError};
use pikt_effects::{local_time_zone, LogTarget, StdSinks};
use pikt_lang::ast::{Program, Status};
use pikt_lang::{parse_program, ParseMode};
use pikt_runtime::host::LogEntry;
use pikt_runtime::run::mail_body;
use pikt_runtime::{Host, RunConfig, RunReport, ScriptToRun, Stop, Stopped};
use pikt_source::{render, Diagnostic, SourceMap};

use crate::args::Args;
use crate::delivery::{Delivery, Route};
use crate::interrupt::{self, Phase};
use crate::lock;
use crate::{
    make_sinks, print_stdout, run_scripts, Environment, EXIT_BUSY, EXIT_FAILED, EXIT_OK,
    EXIT_SCRIPT_ERRORS, EXIT_UNREADABLE, EXIT_USAGE,
};

/// The installation for `args` (`--piktdir`/`PIKT_DIR`, `--host`/
/// `PIKT_HOST`): an alert run needs this host's name.
pub fn open_site(args: &Args) -> Result<Site, String> {
    let site = Site::open(&args.site, &SiteEnv::from_process()).map_err(|e| e.to_string())?;
    site.host().map_err(|e| e.to_string())?;
    if !site.root().is_dir() {
        let root = site.root().to_path_buf();
        return Err(SiteError::NotInstalled {
            missing: root.clone(),
            root,
        }
        .to_string());
    }
    Ok(site)
}

/// This host's name (checked by [`open_site`]).
fn host_of(site: &Site) -> &str {
    site.host().unwrap_or_default()
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
/// alone must be in exactly one installed alert. A name that is not
/// installed gets the closest installed one as a suggestion.
pub fn locate(site: &Site, alert: Option<&str>, script: Option<&str>) -> Result<Target, String> {
    let alert = match (alert, script) {
        (Some(alert), _) => alert.to_string(),
        (None, Some(script)) => alert_holding(&site.layout, script)?,
        (None, None) => return Err("name an alert (`+A`) or a script (`+S`)".into()),
    };
    let path = site.layout.alert_file(&alert);
    if !path.is_file() {
        let installed = installed_alerts(&site.layout);
        return Err(format!(
            "alert `{alert}` is not installed on this host (no `{}`){}",
            path.display(),
            suggestion(
                &alert,
                installed.iter().map(|(name, _)| name.as_str()),
                "installed alerts",
                "no alerts are installed here"
            )
        ));
    }
    Ok(Target {
        alert,
        path,
        script: script.map(str::to_string),
    })
}

/// `; did you mean `X`?`, or the candidates under `heading` when none is
/// close, or `none` when there are none.
fn suggestion<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str> + Clone,
    heading: &str,
    none: &str,
) -> String {
    if let Some(close) = pikt_cli::suggest::did_you_mean(name, candidates.clone()) {
        return format!("; did you mean `{close}`?");
    }
    let all: Vec<&str> = candidates.collect();
    match all.len() {
        0 => format!("; {none}"),
        1..=20 => format!("; {heading}: {}", all.join(", ")),
        n => format!("; {heading}: {n} of them"),
    }
}

/// The one installed alert whose `.alt` file holds `script`.
fn alert_holding(layout: &Layout, script: &str) -> Result<String, String> {
    if !layout.altdir.is_dir() {
        return Err(format!(
            "script `{script}` is in no installed alert: `{}` does not exist",
            layout.altdir.display()
        ));
    }
    let alerts = installed_alerts(layout);
    let holders: Vec<&str> = alerts
        .iter()
        .filter(|(_, path)| !alert_scripts(path, Some(script)).is_empty())
        .map(|(name, _)| name.as_str())
        .collect();
    match holders.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => {
            let scripts: Vec<String> = alerts
                .iter()
                .flat_map(|(_, path)| alert_scripts(path, None))
                .collect();
            Err(format!(
                "script `{script}` is in no installed alert (no `.alt` file in `{}` holds it){}",
                layout.altdir.display(),
                suggestion(
                    script,
                    scripts.iter().map(String::as_str),
                    "installed scripts",
                    "no alerts are installed here"
                )
            ))
        }
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

/// Reads `=altdir/ALERT.cfg`, the settings `piktc -i` installs with the
/// alert (docs/alerts.md); `None` when there is none (an alert installed
/// by hand: defaults apply).
pub fn read_settings(layout: &Layout, alert: &str) -> Result<Option<Alert>, String> {
    let path = layout.alert_settings_file(alert);
    let text = match pikt_fs::read_text(&path) {
        Ok(text) => text,
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
    let prepared = open_site(args).and_then(|site| {
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
    // The alert's history directory is its site's (set below).
    let mut environment = match Environment::from_process(args, false) {
        Ok(environment) => environment,
        Err(message) => {
            eprintln!("pikt: error: {message}");
            return EXIT_USAGE;
        }
    };
    environment.host = host_of(&site).to_string();
    environment.history_dir = Some(site.layout.hstdir.clone());
    // One run of an alert at a time, unless urgent mode (-U) says otherwise.
    let _lock = if args.urgent {
        None
    } else {
        let mut warn = |text: &str| eprintln!("pikt: warning: {text}");
        match lock::take(&site.layout.lokdir, &target.alert, &mut warn) {
            Ok(lock) => lock,
            Err(message) => {
                eprintln!("pikt: error: {message}");
                return EXIT_BUSY;
            }
        }
    };
    let run = AlertRun {
        args,
        site: &site,
        target: &target,
        settings: settings.as_ref(),
        environment: &environment,
        stop: Stop::new(),
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
    /// Requested by the first SIGTERM, SIGINT or SIGHUP ([`interrupt`]).
    stop: Stop,
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
        let delivery = Delivery::new(
            &route,
            pikt_alert::Spool::new(self.site.layout.mail_spool(&self.target.alert)),
            &self.target.alert,
            host_of(self.site),
            &self.site.conf,
        );
        // The run's marker comes first: a run that logged its start and is
        // then killed is always reported by the next one.
        let begun = (!self.args.test_mode).then(|| self.mark_run(&delivery));
        log(&mut sinks, "INFO", "", &self.started_text());
        let mut code = EXIT_OK;
        if let Some(begun) = begun {
            code = code.max(self.begin_delivery(begun, &delivery, &mut sinks));
        }
        interrupt::set_phase(Phase::Scripts);
        code = code.max(self.run_alert_scripts(status, &config, &route, &delivery, &mut sinks));
        interrupt::set_phase(Phase::Finishing);
        let ending = match self.stop.reason() {
            // The process ends by the signal once this entry is written.
            Some(signal) if code == EXIT_OK => format!("run ended early: stopped by {signal}"),
            Some(signal) => {
                format!("run ended early: stopped by {signal} (exit status {code} before the stop)")
            }
            None if code == EXIT_OK => "run ended normally".to_string(),
            None => format!("run ended abnormally (exit status {code})"),
        };
        log(&mut sinks, "INFO", "", &ending);
        if !self.args.test_mode {
            if let Err(e) = delivery.end_run() {
                eprintln!("pikt: warning: cannot remove this run's marker: {e}");
            }
        }
        code
    }

    /// Marks this run in the spool (collecting earlier runs killed without
    /// a word) and handles SIGTERM, SIGINT and SIGHUP from now on.
    fn mark_run(&self, delivery: &Delivery) -> io::Result<Vec<pikt_alert::InterruptedRun>> {
        let stamp = jiff::Zoned::now().strftime("%b %e %H:%M:%S").to_string();
        delivery.begin_run(&format!("{stamp}: {}", self.started_text()))
    }

    /// Before the scripts of a real run: report earlier runs that were
    /// killed without a word, handle SIGTERM, SIGINT and SIGHUP, and retry
    /// the spool once.
    fn begin_delivery(
        &self,
        begun: io::Result<Vec<pikt_alert::InterruptedRun>>,
        delivery: &Delivery,
        sinks: &mut StdSinks,
    ) -> u8 {
        let mut code = EXIT_OK;
        match begun {
            Ok(killed) => {
                for run in killed {
                    let text = format!(
                        "mail: an earlier run (pid {}, {}) was killed before it could finish \
                         (SIGKILL or a crash): any alert mail it had made but not yet spooled is lost",
                        run.pid, run.started
                    );
                    log(sinks, "ERROR", "", &text);
                    eprintln!("pikt: error: {text}");
                    // Forgotten only once reported: a run killed right now
                    // leaves the report to the next one.
                    let _ = delivery.forget_run(&run);
                    code = EXIT_FAILED;
                }
            }
            Err(e) => {
                let text = format!("mail: cannot use the mail spool: {e}");
                log(sinks, "ERROR", "", &text);
                eprintln!("pikt: error: {text}");
                code = EXIT_FAILED;
            }
        }
        let log_file = sinks.log_file();
        let logger: interrupt::Logger = Box::new(move |tag, text| {
            if let Some(file) = &log_file {
                file.write(
                    &LogEntry {
                        tag,
                        script: "",
                        text,
                        always_show: false,
                    },
                    &mut io::stderr(),
                );
            }
        });
        let spool = pikt_alert::Spool::new(delivery.spool_dir());
        let on_stop = Box::new(move || {
            let _ = spool.end_run();
        });
        if let Err(e) = interrupt::install(logger, on_stop, self.stop.clone()) {
            log(sinks, "WARNING", "", &format!("cannot handle SIGTERM: {e}"));
        }
        interrupt::set_phase(Phase::Retrying);
        let report = delivery.retry();
        code.max(log_delivery(sinks, &report, delivery, "spooled"))
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
            stop: self.stop.clone(),
            ..RunConfig::default()
        }
    }

    /// The alert log, `=logdir/ALERT.log` (its directory created).
    fn open_log(&self, config: &RunConfig) -> StdSinks {
        let path = self.site.layout.alert_log(&self.target.alert);
        if let Err(e) = pikt_fs::Dir::create(&self.site.layout.logdir, 0o755) {
            eprintln!("pikt: warning: cannot use the log directory: {e}");
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

    /// Refuses to run from an installation whose code directories are
    /// reached through a link a user planted: the alert file is read
    /// through `pikt-fs`, but the programs a script runs (`=prgdir/x.pl`)
    /// are opened by the shell, which follows any link. A directory that
    /// does not exist is no danger.
    fn check_code_dirs(&self) -> Result<(), String> {
        for (name, dir) in self.site.layout.code_dirs() {
            match pikt_fs::Dir::open(dir) {
                Err(e) if !e.is_not_found() => {
                    return Err(format!("=`{name}` cannot be trusted: {e}; nothing is run"))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Parses the alert file; errors are shown, logged and end the run.
    fn parse(&self, map: &mut SourceMap, sinks: &mut StdSinks) -> Result<Program, u8> {
        if let Err(message) = self.check_code_dirs() {
            eprintln!("pikt: error: {message}");
            log(sinks, "ERROR", "", &message);
            return Err(EXIT_UNREADABLE);
        }
        // The alert's code: no link a user planted is followed.
        let text = match pikt_fs::read_text(&self.target.path) {
            Ok(text) => text,
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
        let names: Vec<String> = program
            .scripts
            .iter()
            .filter_map(|s| s.name.as_ref().map(|n| n.name.to_string()))
            .collect();
        program
            .scripts
            .retain(|s| s.name.as_ref().is_some_and(|n| &n.name == wanted));
        if program.scripts.is_empty() {
            return Err(format!(
                "alert `{}` has no script `{wanted}`{}",
                self.target.alert,
                suggestion(
                    wanted,
                    names.iter().map(String::as_str),
                    "its scripts",
                    "it has no scripts"
                )
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
        if let Some(stopped) = &report.stopped {
            log(host.sinks, "ERROR", "", &stopped_text(stopped, report));
        }
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
        let cut_short = report.stopped.as_ref().map_or(String::new(), |stopped| {
            format!(" (cut short by {}, as the mail says)", stopped.reason)
        });
        log(
            host.sinks,
            "INFO",
            "",
            &format!(
                "mail: sending the alert mail via {}{cut_short}",
                route.describe()
            ),
        );
        let report = delivery.send(&body);
        log_delivery(host.sinks, &report, delivery, "new")
    }
}

/// The run's log entry for scripts a stop cut short or kept from running.
fn stopped_text(stopped: &Stopped, report: &RunReport) -> String {
    let (reason, script) = (&stopped.reason, &stopped.script);
    let made_mail = report.mail.iter().any(|m| !m.lines.is_empty());
    let sent = if made_mail {
        "; the mail made so far is sent, marked as cut short"
    } else {
        ""
    };
    if stopped.began {
        format!(
            "run stopped by {reason} while script {script} ran: it did not finish and no later \
             script ran{sent}"
        )
    } else {
        format!(
            "run stopped by {reason} before script {script} began: it and any later script did \
             not run, so alert mail they would have made is lost{sent}"
        )
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
    if report.lost {
        let text = "mail: the alert mail of this run could be neither spooled nor delivered";
        log(sinks, "ERROR", "", text);
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
