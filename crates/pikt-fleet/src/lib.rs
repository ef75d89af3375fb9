//! piktc's operations: everything `piktc` does, on the master and on each
//! host, as a pipeline:
//!
//! ```text
//! argv ─▶ Request ─▶ per host: HostPlan ─▶ bundle ─▶ Transport ─▶ host side ─▶ Report ─▶ HostResult ─▶ text
//!         cli         master (pure)        frame     transport    host          report    fleet          render
//! ```
//!
//! * [`cli`] turns piktc's command line ([`pikt_cli::tables::PIKTC`]) into
//!   a [`request::Request`].
//! * [`master`] reads the configuration once and either answers on the
//!   master alone ([`ops`]: check, render, list, explain, expand) or makes
//!   one pure [`plan::HostPlan`] per selected host: the files with their
//!   content, mode and owner; piktd.conf lines; removals; backups;
//!   read-backs; `+C` commands; piktd control.
//! * [`fleet::Fleet`] sends each plan as a bundle ([`frame`]: a manifest
//!   with the host's name, every file's size and SHA-256, then the
//!   contents) through the [`transport::Transport`] that reaches the host
//!   ([`fleet::Fleet::route`] is the one place deciding which), and
//!   collects one [`fleet::HostResult`] per host.
//! * [`host`] is the host side, run by `piktc --apply-bundle` on the host
//!   (or in-process by [`transport::Local`]): it checks the bundle is
//!   complete, intact and meant for this host, stages every file, then
//!   switches, and answers with a [`report::Report`].
//! * [`render`] turns results into what piktc prints.
//!
//! **Invariants:** planning does no I/O; a host changes nothing unless the
//! whole bundle arrived intact and names it; every file of a bundle is
//! staged before any is switched, so an interruption leaves the previous
//! version in place and a re-run completes; this crate prints nothing and
//! never exits the process (the binary prints [`request::Outcome`]).

#![deny(missing_docs)]

pub mod cli;
mod collect;
pub mod complete;
pub mod digest;
pub mod fleet;
pub mod frame;
pub mod host;
pub mod interrupt;
pub mod lock;
pub mod log;
pub mod master;
pub mod ops;
pub mod plan;
pub mod progress;
pub mod reach;
pub mod render;
pub mod report;
pub mod request;
pub mod ssh;
pub mod text;
pub mod transport;

use pikt_cli::tables::PIKTC;

pub use master::Context;
pub use request::{exit, Outcome, Request};

/// Runs a whole piktc command line (without the program name) and
/// returns what to print and the exit status. `--apply-bundle` is the
/// binary's to handle (it reads standard input); here it is refused.
pub fn run_command_line(
    args: &[String],
    stdin_is_terminal: bool,
    ctx: &mut Context<'_>,
) -> Outcome {
    let request = match cli::parse(args, stdin_is_terminal) {
        Ok(request) => request,
        Err(error) => return usage_outcome(&error),
    };
    match request.operation {
        request::Operation::Help => Outcome {
            stdout: pikt_cli::help::help_text(&PIKTC),
            ..Outcome::default()
        },
        request::Operation::Version => Outcome {
            stdout: format!("piktc {}\n", env!("CARGO_PKG_VERSION")),
            ..Outcome::default()
        },
        request::Operation::ApplyBundle => usage_outcome(&pikt_cli::UsageError::new(
            "`--apply-bundle` is run by piktc on a host, with a bundle on its standard input",
        )),
        request::Operation::Complete(kind) => complete::outcome(kind, &request, &ctx.env),
        _ => master::run(&request, ctx),
    }
}

/// The outcome of a usage error.
pub fn usage_outcome(error: &pikt_cli::UsageError) -> Outcome {
    Outcome {
        stderr: pikt_cli::usage_error_text(&PIKTC, error),
        exit: exit::USAGE,
        ..Outcome::default()
    }
}
