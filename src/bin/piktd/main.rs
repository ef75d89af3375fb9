//! piktd: the PIKT scheduler daemon.
//!
//! This file is glue: read argv and the environment, build
//! [`pikt_sched::Settings`], and either check `piktd.conf` (`-z`) or run
//! [`pikt_sched::Daemon`] in the foreground until `SIGTERM`. It never forks
//! into the background: under systemd it is a `Type=simple` service
//! (dist/piktd.service); elsewhere start it with `nohup` or a supervisor.
//! Behaviour and exit statuses are in docs/piktd.md.

mod args;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use pikt_config::layout::{DEFAULT_ROOT, ROOT_ENV};
use pikt_config::pikt_conf::PiktConf;
use pikt_config::Layout;
use pikt_sched::{
    check, Clock, Console, Daemon, Settings, ShellLauncher, SystemClock, Wakeup, EXIT_START_FAILED,
};

use args::{Invocation, Mode};

/// Exit status for a bad command line.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let invocation = match args::parse(&argv) {
        Ok(invocation) => invocation,
        Err(message) => {
            let _ = writeln!(io::stderr(), "piktd: error: {message}\n(see `piktd -h`)");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match invocation.mode {
        Mode::Help => print(&args::help()),
        Mode::Version => print(&format!("piktd {}\n", env!("CARGO_PKG_VERSION"))),
        Mode::Check | Mode::Run => match settings(&invocation) {
            Ok(settings) if invocation.mode == Mode::Check => check_conf(&settings),
            Ok(settings) => run(settings),
            Err(message) => {
                let _ = writeln!(io::stderr(), "piktd: error: {message}");
                ExitCode::from(u8::try_from(EXIT_START_FAILED).unwrap_or(1))
            }
        },
    }
}

/// Settings from the flags, `PIKT_DIR`, PIKT.conf (its `etcdir`, `logdir`,
/// `vardir`... and `piktd_run_limit`) and the defaults, in that order of
/// precedence. A PIKT.conf with errors stops piktd before it starts.
fn settings(invocation: &Invocation) -> Result<Settings, String> {
    let piktdir = invocation
        .piktdir
        .clone()
        .or_else(|| std::env::var_os(ROOT_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
    let mut settings = Settings::new(&piktdir);
    let layout = Layout::new(&piktdir);
    let conf = PiktConf::read(&layout.pikt_conf())?;
    let layout = layout.with_overrides(&conf);
    settings.conf_path = layout.piktd_conf();
    settings.log_path = layout.logdir.join("piktd.log");
    settings.lock_path = layout.etcdir.join("piktd.lock");
    settings.alerts_path = layout.etcdir.join("alerts");
    settings.state_path = layout.vardir.join("run").join("piktd.state");
    if let Some(seconds) = conf.piktd_run_limit() {
        settings.run_timeout = Duration::from_secs(seconds);
    }
    if let Some(conf) = &invocation.conf {
        settings.conf_path.clone_from(conf);
    }
    if let Some(timeout) = invocation.timeout {
        settings.run_timeout = timeout;
    }
    if let Some(minutes) = invocation.catch_up {
        settings.catch_up_minutes = minutes;
    }
    settings.test_mode = invocation.test;
    settings.debug = invocation.debug;
    Ok(settings)
}

/// Runs the daemon until it is told to stop.
fn run(settings: Settings) -> ExitCode {
    let wakeup = match Wakeup::new().and_then(|w| w.listen_to_signals().map(|()| w)) {
        Ok(wakeup) => wakeup,
        Err(err) => return fail(&format!("cannot set up signal handling: {err}")),
    };
    let console = Console {
        diagnostics: Box::new(io::stderr()),
        log_copy: settings
            .debug
            .then(|| Box::new(io::stderr()) as Box<dyn Write + Send>),
    };
    let launcher = Box::new(ShellLauncher::new(&settings.piktdir));
    match Daemon::start(settings, SystemClock::new(), launcher, console) {
        Ok(daemon) => {
            daemon.run(&wakeup);
            ExitCode::SUCCESS
        }
        Err(err) => {
            let _ = writeln!(io::stderr(), "piktd: error: {err}");
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1))
        }
    }
}

/// `-z`: checks piktd.conf and prints the schedule.
fn check_conf(settings: &Settings) -> ExitCode {
    let path = &settings.conf_path;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return fail(&format!("cannot read `{}`: {err}", path.display())),
    };
    let text = String::from_utf8_lossy(&bytes);
    let now = settings.zone.to_datetime(SystemClock::new().now());
    let report = check::check(&path.display().to_string(), &text, now);
    let _ = io::stderr().write_all(report.diagnostics.as_bytes());
    let printed = print(&report.table);
    if report.errors > 0 {
        ExitCode::from(u8::try_from(EXIT_START_FAILED).unwrap_or(1))
    } else {
        printed
    }
}

/// Prints to stdout; a closed pipe (`piktd -h | head`) is not an error.
fn print(text: &str) -> ExitCode {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fail(&format!("cannot write to standard output: {err}")),
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "piktd: error: {message}");
    ExitCode::from(u8::try_from(EXIT_START_FAILED).unwrap_or(1))
}
