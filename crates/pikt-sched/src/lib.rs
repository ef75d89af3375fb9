//! piktd, the PIKT scheduler, as a library: the binary `piktd` is a thin
//! argument parser around [`Daemon`].
//!
//! Pipeline, one module each:
//!
//! * [`timing`] — what civil minutes a timing names ([`CivilTiming`]); the
//!   timing syntax itself is `pikt_config::timing`, shared with piktc;
//! * [`conf`] — `piktd.conf` read into a [`Schedule`] with located diagnostics,
//!   by the one line model `pikt_config::piktd_conf` that `piktc -e` writes;
//! * [`mod@due`] — the pure rule for which lines run at a minute, including clock
//!   jumps ([`due()`](due::due));
//! * [`drift`] — the per-host, per-alert start delay;
//! * [`launcher`] — runs as child processes in their own process group;
//! * [`daemon`] — the loop: time limits, no overlap, reload, clean stop;
//! * around it: [`clock`] (real, scaled and manual time), [`wakeup`]
//!   (signals), [`lock`] (one daemon per installation), [`log`]
//!   (`piktd.log`), [`files`] (`etc/alerts`, state), [`settings`].
//!
//! **Invariants.** piktd never runs script code in-process: every run is a
//! child `/bin/sh -c` in its own process group, with a time limit. A real
//! minute is never handled twice. Nothing here prints to stdout or stderr or
//! exits the process: the binary decides that. Parsing never panics.

#![deny(missing_docs)]

pub mod check;
pub mod clock;
pub mod conf;
pub mod daemon;
pub mod drift;
pub mod due;
pub mod error;
pub mod files;
pub mod launcher;
pub mod lock;
pub mod log;
pub mod minute;
pub mod settings;
pub mod testing;
pub mod timing;
pub mod wakeup;

pub use clock::{Clock, ManualClock, ScaledClock, SystemClock};
pub use conf::{ConfLine, Schedule};
pub use daemon::{Console, Daemon};
pub use due::{due, Due, DueRun, Jump};
pub use error::{StartError, EXIT_ALREADY_RUNNING, EXIT_START_FAILED};
pub use launcher::{Exit, Launcher, Run, ShellLauncher, StopSignal};
pub use minute::Minute;
pub use settings::Settings;
pub use timing::{CivilTiming, FieldKind, Timing};
pub use wakeup::{Requests, Trigger, Wakeup};
