//! Ctrl-C during a run on many hosts: the binary owns the signal handling
//! and presses an [`Interrupt`]; the fleet and the ssh transport look at
//! it. The first press stops starting hosts and lets the ones in flight
//! finish; the second cuts them (each keeps its old or its new version:
//! a host switches files only after the whole bundle arrived).

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;

/// How far a run has been asked to stop; shared by clones.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    level: Arc<AtomicU8>,
    armed: Arc<AtomicBool>,
}

/// How far a run has been asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Go on.
    Run,
    /// Start no more hosts; let the ones in flight finish.
    Stop,
    /// Cut the hosts in flight too.
    Cut,
}

impl Interrupt {
    /// A new, unpressed interrupt.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// One more press (Ctrl-C): [`Level::Stop`], then [`Level::Cut`].
    pub fn press(&self) -> Level {
        let before = self
            .level
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| Some((l + 1).min(2)))
            .unwrap_or(2);
        Self::level_of((before + 1).min(2))
    }

    /// Straight to [`Level::Cut`] (SIGTERM, SIGHUP).
    pub fn cut(&self) {
        self.level.store(2, Ordering::SeqCst);
    }

    /// How far the run has been asked to stop.
    pub fn level(&self) -> Level {
        Self::level_of(self.level.load(Ordering::SeqCst))
    }

    fn level_of(value: u8) -> Level {
        match value {
            0 => Level::Run,
            1 => Level::Stop,
            _ => Level::Cut,
        }
    }

    /// Marks hosts as being worked on (a press then interrupts the run)
    /// until the guard is dropped.
    pub fn arm(&self) -> Armed {
        self.armed.store(true, Ordering::SeqCst);
        Armed {
            armed: Arc::clone(&self.armed),
        }
    }

    /// True while hosts are being worked on: otherwise a press should end
    /// the program the usual way.
    pub fn is_armed(&self) -> bool {
        self.armed.load(Ordering::SeqCst)
    }
}

/// Hosts are being worked on while this lives.
#[derive(Debug)]
pub struct Armed {
    armed: Arc<AtomicBool>,
}

impl Drop for Armed {
    fn drop(&mut self) {
        self.armed.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_stop_then_cut_and_arming_is_scoped() {
        let interrupt = Interrupt::new();
        let seen = interrupt.clone();
        assert_eq!(seen.level(), Level::Run);
        assert_eq!(interrupt.press(), Level::Stop);
        assert_eq!(seen.level(), Level::Stop);
        assert_eq!(interrupt.press(), Level::Cut);
        assert_eq!(interrupt.press(), Level::Cut);
        assert!(!seen.is_armed());
        {
            let _armed = interrupt.arm();
            assert!(seen.is_armed());
        }
        assert!(!seen.is_armed());
    }
}
