//! A request from outside a run that it stop early ([`Stop`]): what the
//! `pikt` binary makes of SIGTERM, SIGINT and SIGHUP during an alert run.
//!
//! A stop is not an error that throws the run's work away: the script that
//! is running ends where the request finds it, keeps its mail lines, and no
//! later script runs ([`crate::RunReport::stopped`]). The request is seen
//!
//! * where the limits read their clocks (every [`crate::Limits::CHECK_EVERY`]
//!   statements, loop turns and input lines: one atomic load there);
//! * by the guard ([`crate::guard::Guarded`]) before any command starts or a
//!   `pause` begins, and when a command or a pause ends while a stop is
//!   requested (its output is incomplete: the caller stopped it);
//! * by a `pause` itself, which [`Stop::wait`]s and so wakes at once;
//! * at the end of a script's input (an `input proc` command stopped by the
//!   caller ends its input early).
//!
//! A command that is running is the caller's to stop (the binary signals
//! the run's commands as it requests the stop); once it ends the request
//! is seen. Nothing here touches the world: a request is a flag and a
//! condition variable.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A handle on one run's stop request; clones share it. The default is a
/// request nobody makes.
#[derive(Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Set first, so that a reader that sees it never waits.
    requested: AtomicBool,
    /// Why the stop was requested (`SIGTERM`): the first reason given.
    reason: Mutex<Option<String>>,
    /// Wakes [`Stop::wait`]ers when the request comes.
    woken: Condvar,
}

impl Stop {
    /// A handle nobody has requested a stop through yet.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the run to stop; `reason` (`SIGTERM`) names why in the report
    /// and the mail. The first reason given is kept. Wakes every wait.
    pub fn request(&self, reason: &str) {
        let mut kept = self.lock();
        if kept.is_none() {
            *kept = Some(reason.to_string());
        }
        self.inner.requested.store(true, Ordering::SeqCst);
        drop(kept);
        self.inner.woken.notify_all();
    }

    /// True once a stop was requested.
    #[inline]
    pub fn is_requested(&self) -> bool {
        self.inner.requested.load(Ordering::Relaxed)
    }

    /// Why the stop was requested, once it was.
    pub fn reason(&self) -> Option<String> {
        self.lock().clone()
    }

    /// Waits `timeout`, or less when a stop is requested meanwhile (at once
    /// when it already was); true when a stop was requested.
    pub fn wait(&self, timeout: Duration) -> bool {
        let kept = self.lock();
        let (_kept, _) = self
            .inner
            .woken
            .wait_timeout_while(kept, timeout, |_| !self.is_requested())
            .unwrap_or_else(PoisonError::into_inner);
        self.is_requested()
    }

    fn lock(&self) -> MutexGuard<'_, Option<String>> {
        self.inner
            .reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Stop {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Stop")
            .field("reason", &self.reason())
            .finish()
    }
}

#[cfg(test)]
mod tests;
