//! The Pikt interpreter: runs parsed scripts ([`pikt_lang::ast`]) with every
//! effect behind the traits of [`host`].
//!
//! Entry points: [`run::run`] runs a list of scripts under a
//! [`config::RunConfig`] and returns a [`run::RunReport`] (mail lines per
//! script, run-time errors as diagnostics, whether a script died);
//! [`run::deliver_mail`] sends the collected mail. The binaries wire in the
//! real effects (the `pikt-effects` crate); tests use [`testing`].
//!
//! **Invariants:** the interpreter never panics on any script or input; this
//! crate does no real I/O: every effect goes through the traits of [`host`];
//! test mode and no-exec are applied once, in [`guard`], which wraps the
//! host the interpreter is given; nothing here prints or exits.

#![deny(missing_docs)]

pub mod command;
pub mod config;
pub mod ere;
pub mod error;
pub mod functions;
pub mod guard;
pub mod history;
pub mod host;
pub mod input;
mod interp;
pub mod mail;
mod plan;
pub mod regex_cache;
pub mod run;
pub mod shell;
pub mod split;
pub mod stop;
pub mod testing;
pub mod value;

#[cfg(test)]
mod tests;

pub use config::{Limits, RunConfig};
pub use error::{RunError, RunErrorKind, RunResult};
pub use host::Host;
pub use interp::Flow;
pub use run::{deliver_mail, run, RunReport, ScriptToRun, Stopped};
pub use stop::Stop;
pub use value::{Str, Value};
