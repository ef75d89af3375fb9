//! How the master reaches a host: a [`Transport`] opens one [`Session`]
//! per host and run, through which the master hands over encoded bundles
//! and gets encoded reports back.
//!
//! A session's [`Session::exchange`] is the heart of a transport: the
//! bytes of one bundle in, the bytes of one report out. Over ssh
//! ([`crate::ssh`]) that is `=piktdir/bin/piktc --apply-bundle --piktdir
//! ROOT` on the host with the bundle on its standard input and the report
//! on its standard output; locally, [`Local`] calls [`crate::host::serve`]
//! in-process with the same bytes, so both paths decode and check a
//! bundle with the same code. Bringing a host in (`--bootstrap`) adds two
//! steps before the bundle: [`Session::probe`] (what machine it is) and
//! [`Session::install_piktc`]. Failures to reach a host are
//! [`HostError`]s of that host alone.

use std::fmt;

use crate::host::{serve, HostSide};

/// Why a host could not be reached or did not answer properly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// What kind of failure.
    pub kind: HostErrorKind,
    /// What happened, in words (ssh's own message, for instance).
    pub message: String,
}

/// The kinds of [`HostError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostErrorKind {
    /// No connection (host down, no route, refused).
    Unreachable,
    /// The host refused us: authentication, a changed host key.
    Denied,
    /// The host took longer than its time limit.
    TimedOut,
    /// The host answered, but not with a report (no pikt there, another
    /// version, a cut connection).
    Protocol,
    /// The run was interrupted (Ctrl-C) before this host was done.
    Interrupted,
    /// Anything else on the master's side.
    Io,
}

impl HostError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: HostErrorKind, message: impl Into<String>) -> HostError {
        HostError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

/// A way of reaching hosts.
pub trait Transport: Send + Sync {
    /// Opens the session used for every exchange with `host`, whose
    /// installation is at `piktdir`, in this run (over ssh: one
    /// multiplexed connection).
    fn connect(&self, host: &str, piktdir: &str) -> Result<Box<dyn Session>, HostError>;
}

/// One open session with one host.
pub trait Session: Send {
    /// Hands the host one encoded bundle and returns its encoded report.
    fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError>;

    /// What machine the host is (`uname -s`, `uname -m`).
    fn probe(&mut self) -> Result<Machine, HostError>;

    /// Puts `piktc` (the master's own binary) at `=piktdir/bin/piktc` on
    /// the host, checked by its SHA-256 and shown to run there before it
    /// replaces the one in place.
    fn install_piktc(&mut self, piktc: &[u8]) -> Result<(), HostError>;

    /// Ends the session.
    fn close(self: Box<Self>) -> Result<(), HostError> {
        Ok(())
    }
}

/// A machine's kind, as `uname` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// The system (`uname -s`: `Linux`).
    pub system: String,
    /// The architecture (`uname -m`: `x86_64`, `aarch64`).
    pub arch: String,
}

impl Machine {
    /// This machine.
    pub fn this() -> Machine {
        let name = rustix::system::uname();
        Machine {
            system: name.sysname().to_string_lossy().into_owned(),
            arch: name.machine().to_string_lossy().into_owned(),
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.system, self.arch)
    }
}

/// This host, reached in-process.
pub struct Local {
    side: HostSide,
}

impl Local {
    /// This host's side, as `piktc --apply-bundle` would see it.
    pub fn new(side: HostSide) -> Local {
        Local { side }
    }
}

impl Transport for Local {
    fn connect(&self, host: &str, _piktdir: &str) -> Result<Box<dyn Session>, HostError> {
        let me = self.side.site.host().unwrap_or_default();
        if host != me {
            return Err(HostError::new(
                HostErrorKind::Unreachable,
                format!("`{host}` is not this host (`{me}`)"),
            ));
        }
        Ok(Box::new(LocalSession {
            side: self.side.clone(),
        }))
    }
}

struct LocalSession {
    side: HostSide,
}

impl Session for LocalSession {
    fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError> {
        Ok(serve(&mut &bundle[..], &self.side))
    }

    fn probe(&mut self) -> Result<Machine, HostError> {
        Ok(Machine::this())
    }

    /// This host runs the master's own binaries already.
    fn install_piktc(&mut self, _piktc: &[u8]) -> Result<(), HostError> {
        Ok(())
    }
}
