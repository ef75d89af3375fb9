//! How the master reaches a host: a [`Transport`] opens one [`Session`]
//! per host and run, through which the master hands over encoded bundles
//! and gets encoded reports back.
//!
//! A session's [`Session::exchange`] is all a transport has to provide:
//! the bytes of one bundle in, the bytes of one report out. Over ssh that
//! is `ssh HOST -- =bindir/piktc --apply-bundle` with the bundle on its
//! standard input and the report on its standard output; locally,
//! [`Local`] calls [`crate::host::serve`] in-process with the same bytes,
//! so both paths decode and check a bundle with the same code. Failures
//! to reach a host are [`HostError`]s of that host alone.

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
    /// Opens the session used for every exchange with `host` in this run
    /// (over ssh: one multiplexed connection).
    fn connect(&self, host: &str) -> Result<Box<dyn Session>, HostError>;
}

/// One open session with one host.
pub trait Session: Send {
    /// Hands the host one encoded bundle and returns its encoded report.
    fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError>;

    /// Ends the session.
    fn close(self: Box<Self>) -> Result<(), HostError> {
        Ok(())
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
    fn connect(&self, host: &str) -> Result<Box<dyn Session>, HostError> {
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
}
