//! The system clock and this host's time zone.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pikt_runtime::host::Clock;
use pikt_runtime::Stop;

/// The system clock, or a fixed time (`PIKT_NOW`) for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock {
    /// When set, `now()` always answers this.
    pub fixed_now: Option<i64>,
}

impl Clock for SystemClock {
    fn now(&mut self) -> i64 {
        self.fixed_now.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }

    fn sleep(&mut self, seconds: f64, stop: &Stop) {
        // A year is far more than any sensible pause; it bounds nonsense,
        // and NaN waits not at all (`from_secs_f64` would panic on it).
        // The wait ends early when the run is asked to stop.
        if seconds > 0.0 {
            let seconds = seconds.min(365.0 * 86_400.0);
            stop.wait(Duration::from_secs_f64(seconds));
        }
    }

    fn cpu_time(&mut self) -> Option<Duration> {
        let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        let seconds = u64::try_from(time.tv_sec).ok()?;
        let nanos = u32::try_from(time.tv_nsec).ok()?;
        Some(Duration::new(seconds, nanos))
    }
}

/// This host's time zone, found cheaply.
///
/// jiff's `TimeZone::system()` also works out the zone's IANA name by
/// walking `/usr/share/zoneinfo`, which was most of pikt's start-up time;
/// pikt never shows that name, so unless `TZ` says otherwise the rules are
/// read straight from `/etc/localtime`.
pub fn local_time_zone() -> jiff::tz::TimeZone {
    if std::env::var_os("TZ").is_some() {
        return jiff::tz::TimeZone::system();
    }
    std::fs::read("/etc/localtime")
        .ok()
        .and_then(|data| jiff::tz::TimeZone::tzif("localtime", &data).ok())
        .unwrap_or_else(jiff::tz::TimeZone::system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_and_pauses_are_bounded() {
        let mut clock = SystemClock {
            fixed_now: Some(956_621_822),
        };
        assert_eq!(clock.now(), 956_621_822);
        let started = std::time::Instant::now();
        clock.sleep(-5.0, &Stop::new());
        clock.sleep(f64::NAN, &Stop::new());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(SystemClock::default().now() > 1_700_000_000);
    }

    #[test]
    fn a_stop_request_ends_a_pause() {
        let stop = Stop::new();
        let (woke, woken) = std::sync::mpsc::channel();
        let sleeper = stop.clone();
        std::thread::spawn(move || {
            SystemClock::default().sleep(3600.0, &sleeper);
            let _ = woke.send(());
        });
        stop.request("SIGTERM");
        // A bound against a hang: the hour-long pause must end on the request.
        assert!(woken.recv_timeout(Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn processor_time_grows_with_work() {
        let mut clock = SystemClock::default();
        let before = clock.cpu_time().unwrap();
        let mut x = 0u64;
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_millis(50) {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        assert!(x != 1);
        assert!(clock.cpu_time().unwrap() > before);
    }
}
