//! The real effects of a pikt run: the implementations of the traits of
//! [`pikt_runtime::host`] that touch the world.
//!
//! | type | trait | what it does |
//! | --- | --- | --- |
//! | [`RealShell`] | `Shell` | `/bin/sh -c`, with `ps`, `kill`, `pgrep` and `pkill` served natively ([`native`]) |
//! | [`SystemClock`] | `Clock` | the system clock (or a fixed time), real pauses |
//! | [`RealFs`] | `Fs` | files, symbolic links refused where pikt writes |
//! | [`StdSinks`] | `Sinks` | standard output and error as the binary hands them over, the alert log ([`LogFile`]), `/dev/log` ([`syslog`]) |
//! | [`RealSystem`] | `System` | host name, environment, randomness, pid |
//!
//! The binaries build these and lend them to the interpreter as a
//! [`pikt_runtime::Host`]; the interpreter wraps them in its guard, which
//! applies test mode and no-exec before anything here is reached. Nothing
//! in this crate decides to print: standard output and error are writers
//! the binary passes in.

#![deny(missing_docs)]

pub mod clock;
pub mod fs;
pub mod native;
pub mod shell;
pub mod sinks;
pub mod stop;
pub mod syslog;
pub mod system;

pub use clock::{local_time_zone, SystemClock};
pub use fs::RealFs;
pub use shell::RealShell;
pub use sinks::{LogFile, LogTarget, StdSinks};
pub use stop::signal_descendants;
pub use system::RealSystem;
