//! piktc: PIKT's control program and configuration preprocessor.
//!
//! This file is glue: read argv and the environment, run the command line
//! (src/cli/piktc_args.rs, which calls pikt-config), print what it returns
//! and exit with its status. Exit statuses are in docs/piktc.md.

#[path = "../cli/piktc_args.rs"]
mod piktc_args;

use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;

use pikt_config::layout::{kernel_host_name, HOST_ENV, ROOT_ENV};
use pikt_config::ops::{Outcome, RunEnv};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = RunEnv {
        piktdir: std::env::var_os(ROOT_ENV),
        host: std::env::var(HOST_ENV).ok(),
        kernel_host: kernel_host_name(),
    };
    // `-s` asks pikt-sched whether piktd holds its lock.
    let probe: fn(&Path) -> io::Result<bool> = pikt_sched::lock::is_held;
    emit(&piktc_args::run_command_line_with_probe(
        &args,
        &env,
        true,
        Some(probe),
    ))
}

/// Prints the outcome; a closed stdout (`piktc -l | head`) is not an error.
fn emit(outcome: &Outcome) -> ExitCode {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(io::stderr(), "error: cannot write to standard output: {e}");
            return ExitCode::FAILURE;
        }
    }
    let _ = io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(u8::try_from(outcome.exit).unwrap_or(1))
}
