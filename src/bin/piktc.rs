//! piktc: PIKT's control program and configuration preprocessor.
//!
//! This file is glue: read argv and the environment, run the command line
//! (pikt-fleet), print what it returns and exit with its status, pausing
//! between hosts when `-p` asks. `piktc --apply-bundle` is the host side
//! of every change: it reads a bundle on standard input, applies it to
//! this host, and writes the report on standard output (docs/piktc.md).

use std::io::{self, IsTerminal, Read, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use pikt_cli::tables::PIKTC;
use pikt_cli::{tokenize, Token};
use pikt_config::{Site, SiteEnv, SiteFlags};
use pikt_fleet::fleet::Observer;
use pikt_fleet::frame::{self, REPORT_MAGIC};
use pikt_fleet::host::{serve, HostSide};
use pikt_fleet::report::Report;
use pikt_fleet::request::{Outcome, Pause};
use pikt_fleet::Context;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--apply-bundle") {
        return apply_bundle(&args);
    }
    let mut observer = Terminal;
    let mut ctx = Context {
        env: SiteEnv::from_process(),
        run_pikt: true,
        observer: &mut observer,
        remote: None,
    };
    let outcome = pikt_fleet::run_command_line(&args, io::stdin().is_terminal(), &mut ctx);
    emit(&outcome)
}

/// Pauses between hosts on the terminal.
struct Terminal;

impl Observer for Terminal {
    fn pause(&mut self, pause: Pause, next_host: &str) {
        match pause {
            Pause::Seconds(seconds) => std::thread::sleep(Duration::from_secs(seconds.into())),
            Pause::Enter => {
                let _ = write!(
                    io::stderr(),
                    "piktc: press Enter to go on with {next_host} "
                );
                let mut line = String::new();
                let _ = io::stdin().read_line(&mut line);
            }
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
