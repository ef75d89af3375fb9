//! Waiting for the next thing to do: a timeout, a signal, or a request.
//!
//! The daemon sleeps on one end of a socket pair with a read timeout. Signal
//! handlers (installed by [`Wakeup::listen_to_signals`] through
//! `signal-hook`, which does the async-signal-safe part) set a flag and write
//! a byte to the other end, so a signal ends the sleep at once:
//!
//! * `SIGHUP` asks for a reload of `piktd.conf` (and of the log file);
//! * `SIGTERM` and `SIGINT` ask for a clean stop;
//! * `SIGCHLD` only wakes the daemon, so that a run's end is logged when it
//!   happens rather than at the next minute.
//!
//! A [`Trigger`] makes the same requests from code (tests, and anything that
//! embeds the daemon) without sending process-wide signals.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGTERM};

/// What ended a wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    /// A reload was asked for.
    pub reload: bool,
    /// A stop was asked for; the signal number, or 0 when asked by a [`Trigger`].
    pub stop: Option<i32>,
}

/// The request flags, shared with the signal handlers and the triggers.
#[derive(Clone, Debug, Default)]
struct Flags {
    reload: Arc<AtomicBool>,
    /// Signal number + 1 (0 = no stop requested), so a `Trigger` can use 1.
    stop: Arc<AtomicUsize>,
}

/// The daemon's sleeping place.
#[derive(Debug)]
pub struct Wakeup {
    receiver: UnixStream,
    sender: UnixStream,
    flags: Flags,
}

/// A handle that asks a waiting daemon to reload or stop.
#[derive(Debug)]
pub struct Trigger {
    sender: UnixStream,
    flags: Flags,
}

impl Wakeup {
    /// A wakeup that only [`Trigger`]s and timeouts end.
    pub fn new() -> io::Result<Wakeup> {
        let (receiver, sender) = UnixStream::pair()?;
        sender.set_nonblocking(true)?;
        Ok(Wakeup {
            receiver,
            sender,
            flags: Flags::default(),
        })
    }

    /// Routes `SIGHUP`, `SIGTERM`, `SIGINT` and `SIGCHLD` of this process here.
    /// Meant for the daemon binary: the handlers stay for the process's life.
    pub fn listen_to_signals(&self) -> io::Result<()> {
        for signal in [SIGHUP, SIGTERM, SIGINT, SIGCHLD] {
            signal_hook::low_level::pipe::register(signal, self.sender.try_clone()?)?;
        }
        signal_hook::flag::register(SIGHUP, Arc::clone(&self.flags.reload))?;
        for signal in [SIGTERM, SIGINT] {
            let value = usize::try_from(signal).unwrap_or(0) + 1;
            signal_hook::flag::register_usize(signal, Arc::clone(&self.flags.stop), value)?;
        }
        Ok(())
    }

    /// A handle for asking from code.
    pub fn trigger(&self) -> io::Result<Trigger> {
        Ok(Trigger {
            sender: self.sender.try_clone()?,
            flags: self.flags.clone(),
        })
    }

    /// Waits at most `timeout` (at least one millisecond) for a signal or a
    /// trigger, then returns (and clears) the requests made so far.
    pub fn wait(&self, timeout: Duration) -> Requests {
        if !self.pending() {
            let _ = self
                .receiver
                .set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
            let mut buffer = [0u8; 64];
            // A timeout, an interrupted read or a byte all mean "look again".
            let _ = (&self.receiver).read(&mut buffer);
        }
        self.take()
    }

    fn pending(&self) -> bool {
        self.flags.reload.load(Ordering::SeqCst) || self.flags.stop.load(Ordering::SeqCst) != 0
    }

    fn take(&self) -> Requests {
        let reload = self.flags.reload.swap(false, Ordering::SeqCst);
        let stop = self.flags.stop.swap(0, Ordering::SeqCst);
        Requests {
            reload,
            stop: stop
                .checked_sub(1)
                .map(|signal| i32::try_from(signal).unwrap_or(0)),
        }
    }
}

impl Trigger {
    /// Asks for a reload, like `SIGHUP`.
    pub fn reload(&self) {
        self.flags.reload.store(true, Ordering::SeqCst);
        self.poke();
    }

    /// Asks for a clean stop, like `SIGTERM`.
    pub fn stop(&self) {
        self.flags.stop.store(1, Ordering::SeqCst);
        self.poke();
    }

    fn poke(&self) {
        // A full socket already holds a wake-up byte: nothing is lost.
        let _ = (&self.sender).write(&[1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn timeout_without_requests() -> io::Result<()> {
        let wakeup = Wakeup::new()?;
        let start = Instant::now();
        assert_eq!(wakeup.wait(Duration::from_millis(30)), Requests::default());
        assert!(start.elapsed() >= Duration::from_millis(25));
        Ok(())
    }

    #[test]
    fn trigger_ends_the_wait_at_once() -> io::Result<()> {
        let wakeup = Wakeup::new()?;
        let trigger = wakeup.trigger()?;
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            trigger.reload();
            trigger.stop();
        });
        let start = Instant::now();
        let mut seen = Requests::default();
        while seen.stop.is_none() && start.elapsed() < Duration::from_secs(5) {
            let got = wakeup.wait(Duration::from_secs(10));
            seen.reload |= got.reload;
            seen.stop = seen.stop.or(got.stop);
        }
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(
            seen,
            Requests {
                reload: true,
                stop: Some(0)
            }
        );
        let _ = thread.join();
        Ok(())
    }
}
