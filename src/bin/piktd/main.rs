//! piktd: the PIKT scheduler daemon.
//!
//! This file is glue: read argv and the environment, find the installation
//! ([`pikt_config::Site`]: the same files `piktc -s` reads), build
//! [`pikt_sched::Settings`], and either check `piktd.conf` (`-z`) or run
//! [`pikt_sched::Daemon`] in the foreground until `SIGTERM`. It never forks
//! into the background: under systemd it is a `Type=simple` service
//! (dist/piktd.service), and every line it logs also goes to standard
//! error (the journal). Behaviour and exit statuses are in docs/piktd.md.

mod args;

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::Duration;

use pikt_cli::tables::PIKTD;
use pikt_config::{Site, SiteEnv};
use pikt_sched::{
    check, Clock, Console, Daemon, Settings, ShellLauncher, SystemClock, Wakeup, EXIT_START_FAILED,
};

use args::{Invocation, Mode};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let invocation = match args::parse(&argv) {
        Ok(invocation) => invocation,
        Err(error) => {
            let _ = io::stderr().write_all(pikt_cli::usage_error_text(&PIKTD, &error).as_bytes());
            return ExitCode::from(pikt_cli::EXIT_USAGE);
        }
    };
    match invocation.mode {
        Mode::Help => print(&pikt_cli::help::help_text(&PIKTD)),
        Mode::Version => print(&format!("piktd {}\n", env!("CARGO_PKG_VERSION"))),
        Mode::Check | Mode::Run => match settings(&invocation) {
            Ok(settings) if invocation.mode == Mode::Check => check_conf(&settings),
            Ok(settings) => run(settings),
            Err(message) => fail(&message),
        },
    }
}

/// Settings from the flags, the installation (PIKT.conf's `etcdir`,
/// `logdir`, `vardir`... and `piktd_run_limit`) and the defaults, in that
/// order of precedence. A PIKT.conf with errors, or no installation at all
/// (when running), stops piktd before it starts.
fn settings(invocation: &Invocation) -> Result<Settings, String> {
    let site = Site::open(&invocation.site, &SiteEnv::from_process()).map_err(|e| e.to_string())?;
    if invocation.mode == Mode::Run {
        site.check_installed().map_err(|e| e.to_string())?;
        // A link planted on the way to =etcdir is the problem to report,
        // before whatever is (not) found behind it.
        pikt_fs::Dir::open(&site.layout.etcdir).map_err(|e| e.to_string())?;
    }
    // PIKT.conf's warnings (keys that do nothing here): on stderr, which is
    // the journal under systemd, once at start and with `-z`.
    let _ = io::stderr().write_all(site.warnings().as_bytes());
    if invocation.conf.is_none() && site.found_piktd_conf().is_none() {
        return Err(no_piktd_conf(&site));
    }
    let files = site.piktd_files();
    let mut settings = Settings::new(site.root());
    settings.conf_path = files.conf;
    settings.log_path = files.log;
    settings.lock_path = files.lock;
    settings.alerts_path = files.alerts;
    settings.state_path = files.state;
    settings.switch_journal_dir = Some(site.layout.lokdir.clone());
    if let Ok(host) = site.host() {
        settings.host = host.to_string();
    }
    if let Some(seconds) = site.conf.piktd_run_limit() {
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

/// Why piktd does not start without a schedule (as PIKT's piktd aborted):
/// every place searched, and how to make one.
fn no_piktd_conf(site: &Site) -> String {
    let searched: Vec<String> = site
        .piktd_conf_candidates()
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect();
    format!(
        "no piktd.conf: looked for {} (write one with `piktc -e`, or create an empty `{}`)",
        searched.join(", "),
        site.layout.piktd_conf().display()
    )
}

/// Runs the daemon until it is told to stop.
fn run(settings: Settings) -> ExitCode {
    let wakeup = match Wakeup::new().and_then(|w| w.listen_to_signals().map(|()| w)) {
        Ok(wakeup) => wakeup,
        Err(err) => return fail(&format!("cannot set up signal handling: {err}")),
    };
    // Every log line also goes to stderr: piktd runs in the foreground, and
    // under systemd stderr is the journal.
    let (copy, drained) = StderrCopy::start();
    let console = Console {
        diagnostics: Box::new(io::stderr()),
        log_copy: Some(Box::new(copy)),
    };
    let launcher = Box::new(ShellLauncher::new(&settings.piktdir));
    match Daemon::start(settings, SystemClock::new(), launcher, console) {
        Ok(daemon) => {
            daemon.run(&wakeup);
            // The daemon is gone with its end of the queue: let the last
            // lines reach stderr, unless nobody reads it.
            let _ = drained.recv_timeout(Duration::from_secs(1));
            ExitCode::SUCCESS
        }
        Err(err) => {
            let _ =
                io::stderr().write_all(pikt_cli::error_line("piktd", &err.to_string()).as_bytes());
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1))
        }
    }
}

/// The copy of the log on stderr, written by a thread of its own through a
/// bounded queue: a stderr nobody reads (a full pipe) drops lines rather
/// than stopping the scheduler.
struct StderrCopy {
    lines: SyncSender<Vec<u8>>,
}

impl StderrCopy {
    /// Lines queued at most before new ones are dropped.
    const QUEUE: usize = 1024;

    /// The copy, and a channel told when every queued line is written.
    fn start() -> (StderrCopy, mpsc::Receiver<()>) {
        let (lines, queue) = mpsc::sync_channel::<Vec<u8>>(Self::QUEUE);
        let (done, drained) = mpsc::channel();
        std::thread::spawn(move || {
            for line in queue {
                let _ = io::stderr().write_all(&line);
            }
            let _ = done.send(());
        });
        (StderrCopy { lines }, drained)
    }
}

impl Write for StderrCopy {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.lines.try_send(buf.to_vec()) {
            Ok(()) | Err(TrySendError::Full(_)) => Ok(buf.len()),
            Err(TrySendError::Disconnected(_)) => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `-z`: checks piktd.conf and prints the schedule.
fn check_conf(settings: &Settings) -> ExitCode {
    let path = &settings.conf_path;
    let text = match pikt_fs::read_text(path) {
        Ok(text) => text,
        Err(err) => return fail(&format!("cannot read `{}`: {err}", path.display())),
    };
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
    let _ = io::stderr().write_all(pikt_cli::error_line("piktd", message).as_bytes());
    ExitCode::from(u8::try_from(EXIT_START_FAILED).unwrap_or(1))
}
