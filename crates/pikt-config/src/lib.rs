//! PIKT's configuration: the eight config files, PIKT.conf and piktd.conf as
//! typed models, per-host loading, and installation into a PIKT tree.
//!
//! The pipeline for one host: [`loader::Loader`] reads the original files
//! once, runs the preprocessor (pikt-preproc) over each for the host, reads
//! the derived texts with the common [`stanza`] reader into one model per
//! file, and cross-checks them. [`site::Site`] is the one owner of "the
//! installation" (root, directories, PIKT.conf, host name, piktd's files)
//! for all three programs. [`install`] writes files atomically and never
//! through a planted symbolic link; piktc's operations on hosts (pikt-fleet) call
//! it on the host side.
//!
//! [`timing`] and [`piktd_conf`] are the one implementation of crontab
//! timings and of piktd.conf lines: piktc writes piktd.conf with them and
//! piktd (pikt-sched, which depends on this crate) reads it with them, so the
//! two cannot read a line differently.
//!
//! **Invariants:** models never panic on any input; every problem is a
//! [`pikt_source::Diagnostic`] with the span of what is wrong (in the derived
//! text; [`pikt_source::SourceMap::resolve`] maps it to what the user wrote);
//! reading recovers at stanza boundaries so one run reports every problem;
//! this crate prints nothing and never exits the process.

#![deny(missing_docs)]

pub mod alarms;
pub mod alert_macros;
pub mod alerts;
pub mod defines;
pub mod files;
pub mod install;
pub mod installed;
pub mod layout;
pub mod loader;
pub mod macros;
pub mod managed;
pub mod objects;
pub mod pikt_conf;
pub mod piktd_conf;
pub mod programs;
pub mod selection;
pub mod site;
pub mod stanza;
pub mod systems;
pub mod testing;
pub mod timing;
pub mod words;

pub use layout::Layout;
pub use loader::{CheckReport, ConfigFile, FileSet, HostConfig, LoadOptions, Loader};
pub use site::{PiktdFiles, Site, SiteEnv, SiteError, SiteFlags};
