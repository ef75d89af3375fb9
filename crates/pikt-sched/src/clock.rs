//! Time as piktd sees it, behind a trait so tests can drive it.
//!
//! The daemon reads two clocks: the *wall clock* ([`Clock::now`]), which
//! timings are matched against and which can jump (an administrator, NTP, a
//! suspend), and a *monotonic clock* ([`Clock::elapsed`]), which only moves
//! forward and measures time limits and drift delays, so that setting the
//! wall clock neither kills a run early nor lets a hung one live on.
//!
//! * [`SystemClock`] is the real thing.
//! * [`ScaledClock`] runs `factor` times faster than real time with no jumps:
//!   minutes pass in milliseconds, while real child processes run; used by the
//!   in-process daemon tests and the cost benchmark.
//! * [`ManualClock`] moves only when told (including wall-clock jumps); used
//!   by unit tests that step the daemon.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

/// A source of wall-clock and monotonic time.
pub trait Clock {
    /// The wall-clock time now.
    fn now(&self) -> Timestamp;
    /// Monotonic time since an arbitrary origin; never goes back.
    fn elapsed(&self) -> Duration;
    /// How long to really wait for `span` of this clock's time to pass.
    fn real(&self, span: Duration) -> Duration;
    /// Waits until `span` of this clock's time has passed.
    fn sleep(&self, span: Duration);
}

/// The host's clocks.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> SystemClock {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }

    fn real(&self, span: Duration) -> Duration {
        span
    }

    fn sleep(&self, span: Duration) {
        std::thread::sleep(span);
    }
}

/// A clock that starts at a chosen wall-clock time and runs `factor` times
/// faster than real time.
#[derive(Clone, Copy, Debug)]
pub struct ScaledClock {
    origin: Instant,
    start: Timestamp,
    factor: u32,
}

impl ScaledClock {
    /// Starts at wall-clock time `start`; one real second is `factor` clock
    /// seconds (`factor` 0 is taken as 1).
    pub fn new(start: Timestamp, factor: u32) -> ScaledClock {
        ScaledClock {
            origin: Instant::now(),
            start,
            factor: factor.max(1),
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.elapsed()).unwrap_or(SignedDuration::MAX);
        self.start.checked_add(elapsed).unwrap_or(Timestamp::MAX)
    }

    fn elapsed(&self) -> Duration {
        self.origin.elapsed().saturating_mul(self.factor)
    }

    fn real(&self, span: Duration) -> Duration {
        span / self.factor
    }

    fn sleep(&self, span: Duration) {
        std::thread::sleep(self.real(span));
    }
}

/// A clock that moves only when told. Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    wall: Timestamp,
    elapsed: Duration,
}

impl ManualClock {
    /// A clock reading wall-clock time `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                wall: start,
                elapsed: Duration::ZERO,
            })),
        }
    }

    /// Lets `span` pass on both clocks.
    pub fn advance(&self, span: Duration) {
        let mut state = self.lock();
        state.elapsed = state.elapsed.saturating_add(span);
        let signed = SignedDuration::try_from(span).unwrap_or(SignedDuration::MAX);
        state.wall = state.wall.checked_add(signed).unwrap_or(Timestamp::MAX);
    }

    /// Sets the wall clock to `wall` (a jump either way); the monotonic clock
    /// does not move.
    pub fn set_wall(&self, wall: Timestamp) {
        self.lock().wall = wall;
    }

    fn lock(&self) -> MutexGuard<'_, ManualState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.lock().wall
    }

    fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    fn real(&self, _span: Duration) -> Duration {
        Duration::ZERO
    }

    fn sleep(&self, span: Duration) {
        self.advance(span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_jumps_only_the_wall() {
        let start = Timestamp::UNIX_EPOCH;
        let clock = ManualClock::new(start);
        let shared = clock.clone();
        shared.advance(Duration::from_secs(90));
        assert_eq!(clock.now().as_second(), 90);
        assert_eq!(clock.elapsed(), Duration::from_secs(90));
        clock.set_wall(start);
        assert_eq!(clock.now().as_second(), 0);
        assert_eq!(clock.elapsed(), Duration::from_secs(90));
        clock.sleep(Duration::from_secs(5));
        assert_eq!(clock.elapsed(), Duration::from_secs(95));
    }

    #[test]
    fn scaled_clock_runs_fast() {
        let clock = ScaledClock::new(Timestamp::UNIX_EPOCH, 600);
        assert_eq!(
            clock.real(Duration::from_secs(60)),
            Duration::from_millis(100)
        );
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.elapsed() >= Duration::from_secs(12));
        assert!(clock.now().as_second() >= 12);
    }
}
