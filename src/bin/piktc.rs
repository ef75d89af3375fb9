//! piktc: PIKT's control program and configuration preprocessor.
//!
//! This file is glue: read argv and the environment, run the command line
//! (pikt-fleet), print what it returns and exit with its status. While
//! hosts are worked on it shows their progress (a live bar on a terminal,
//! plain lines otherwise), pauses between hosts when `-p` asks, and turns
//! Ctrl-C into a clean stop (docs/piktc.md, *Many hosts*). `piktc
//! --apply-bundle` is the host side of every change: it reads a bundle on
//! standard input, applies it to this host, and writes the report on
//! standard output.

use std::io::{self, IsTerminal, Read, Write as _};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pikt_cli::tables::PIKTC;
use pikt_cli::{tokenize, Token};
use pikt_config::{Site, SiteEnv, SiteFlags};
use pikt_fleet::fleet::{HostResult, Observer};
use pikt_fleet::frame::{self, REPORT_MAGIC};
use pikt_fleet::host::{serve, HostSide};
use pikt_fleet::interrupt::{Interrupt, Level};
use pikt_fleet::master::Remote;
use pikt_fleet::progress::{host_line, interrupt_line, PlainProgress};
use pikt_fleet::report::Report;
use pikt_fleet::request::{Outcome, Pause};
use pikt_fleet::Context;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The environment variable naming the ssh configuration file.
const SSH_CONFIG_ENV: &str = "PIKT_SSH_CONFIG";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--apply-bundle") {
        return apply_bundle(&args);
    }
    let interrupt = Interrupt::new();
    if let Err(e) = watch_signals(&interrupt) {
        let _ = writeln!(io::stderr(), "piktc: note: Ctrl-C cannot be caught: {e}");
    }
    let mut observer = Terminal::new(interrupt.clone());
    let mut ctx = Context {
        env: SiteEnv::from_process(),
        run_pikt: true,
        observer: &mut observer,
        remote: Remote::Ssh,
        interrupt,
        ssh_config: std::env::var_os(SSH_CONFIG_ENV).map(PathBuf::from),
        binaries: std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(PathBuf::from)),
        user: invoking_user(),
    };
    let outcome = pikt_fleet::run_command_line(&args, io::stdin().is_terminal(), &mut ctx);
    emit(&outcome)
}

/// Ctrl-C (`SIGINT`), `SIGTERM` and `SIGHUP` while hosts are worked on
/// press the interrupt (Ctrl-C once: start no more hosts; twice, or
/// `SIGTERM`/`SIGHUP`: cut them); at any other time they end piktc as
/// usual. The handler only writes a byte to a socket; a thread reads it.
fn watch_signals(interrupt: &Interrupt) -> io::Result<()> {
    let mut watchers = Vec::new();
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        let (mut reader, writer) = UnixStream::pair()?;
        signal_hook::low_level::pipe::register(signal, writer)?;
        let interrupt = interrupt.clone();
        watchers.push(std::thread::spawn(move || {
            let mut byte = [0u8; 1];
            while matches!(reader.read(&mut byte), Ok(n) if n > 0) {
                if !interrupt.is_armed() {
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
                if signal == SIGINT {
                    interrupt.press();
                } else {
                    interrupt.cut();
                }
            }
        }));
    }
    drop(watchers);
    Ok(())
}

/// Who runs piktc: the effective user's name, and who they were before
/// `sudo`.
fn invoking_user() -> String {
    let uid = rustix::process::geteuid().as_raw();
    let name = pikt_proc::UserNames::load(std::path::Path::new("/etc/passwd")).name_of(uid);
    match std::env::var("SUDO_USER") {
        Ok(before) if !before.is_empty() && before != name => format!("{name} (sudo by {before})"),
        _ => name,
    }
}

/// What the terminal shows while hosts are worked on.
struct Terminal {
    /// A live bar when standard error is a terminal and several hosts run.
    bar: Option<ProgressBar>,
    /// Plain lines otherwise.
    plain: PlainProgress<io::Stderr>,
    total: usize,
    done: usize,
    in_flight: Vec<String>,
    interrupt: Interrupt,
}

impl Terminal {
    fn new(interrupt: Interrupt) -> Terminal {
        Terminal {
            bar: None,
            plain: PlainProgress::new(io::stderr()),
            total: 0,
            done: 0,
            in_flight: Vec::new(),
            interrupt,
        }
    }

    fn show_in_flight(&self) {
        if let Some(bar) = &self.bar {
            bar.set_message(self.in_flight.join(" "));
        }
    }

    /// Sleeps `seconds`, waking early when the run is interrupted.
    fn sleep(&self, seconds: u32) {
        let until = Instant::now() + Duration::from_secs(seconds.into());
        while Instant::now() < until && self.interrupt.level() == Level::Run {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Observer for Terminal {
    fn run_started(&mut self, hosts: usize) {
        self.total = hosts;
        self.done = 0;
        if hosts > 1 && io::stderr().is_terminal() {
            let bar =
                ProgressBar::with_draw_target(Some(hosts as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] [{bar:30}] {pos}/{len} hosts  {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            self.bar = Some(bar);
        } else {
            self.plain.run_started(hosts);
        }
    }

    fn pause(&mut self, pause: Pause, next_host: &str) {
        match pause {
            Pause::Seconds(seconds) => self.sleep(seconds),
            Pause::Enter => {
                let prompt = || {
                    let _ = write!(
                        io::stderr(),
                        "piktc: press Enter to go on with {next_host} "
                    );
                    let mut line = String::new();
                    let _ = io::stdin().read_line(&mut line);
                };
                match &self.bar {
                    Some(bar) => bar.suspend(prompt),
                    None => prompt(),
                }
            }
        }
    }

    fn host_started(&mut self, host: &str) {
        self.in_flight.push(host.to_string());
        self.show_in_flight();
    }

    fn host_finished(&mut self, result: &HostResult) {
        self.in_flight.retain(|h| *h != result.host);
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if result.failed() {
                    bar.println(host_line(self.done, self.total, result));
                }
                self.show_in_flight();
            }
            None => self.plain.host_finished(result),
        }
    }

    fn interrupted(&mut self, level: Level, in_flight: &[String]) {
        match &self.bar {
            Some(bar) => bar.println(interrupt_line(level, in_flight)),
            None => self.plain.interrupted(level, in_flight),
        }
    }

    fn run_finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// `piktc --apply-bundle [--piktdir DIR] [--host NAME]`: the host side.
/// Whatever happens, a report goes to standard output (a refusal when the
/// bundle is incomplete, damaged or meant for another host).
fn apply_bundle(args: &[String]) -> ExitCode {
    let mut flags = SiteFlags::default();
    match tokenize(&PIKTC, args) {
        Ok(tokens) => {
            for token in tokens {
                if let Token::Flag(given) = token {
                    match given.id {
                        pikt_cli::tables::PiktcFlag::PiktDir => {
                            flags.piktdir = given.value.map(Into::into);
                        }
                        pikt_cli::tables::PiktcFlag::Host => flags.host = given.value,
                        _ => {}
                    }
                }
            }
        }
        Err(e) => return emit(&pikt_fleet::usage_outcome(&e)),
    }
    let env = SiteEnv::from_process();
    let report = match Site::open(&flags, &env) {
        Ok(site) => {
            let side = HostSide::new(site);
            let mut input = io::stdin().lock();
            serve(&mut input as &mut dyn Read, &side)
        }
        // The master learns why from the report, as from any refusal.
        Err(e) => frame::encode(
            REPORT_MAGIC,
            Report::refusal(
                &flags.host_name(&env).unwrap_or_default(),
                format!("refused the bundle: {e}"),
            ),
        ),
    };
    let mut stdout = io::stdout().lock();
    match stdout.write_all(&report).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = io::stderr().write_all(
                pikt_cli::error_line("piktc", &format!("cannot write the report: {e}")).as_bytes(),
            );
            ExitCode::from(3)
        }
    }
}

/// Prints the outcome; a closed stdout (`piktc -l | head`) is not an error.
fn emit(outcome: &Outcome) -> ExitCode {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = io::stderr().write_all(
                pikt_cli::error_line("piktc", &format!("cannot write to standard output: {e}"))
                    .as_bytes(),
            );
            return ExitCode::FAILURE;
        }
    }
    let _ = io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(u8::try_from(outcome.exit).unwrap_or(1))
}
