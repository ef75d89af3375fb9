//! [`Minute`]: one real minute, the unit piktd schedules in.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A real (absolute) minute: minutes since 1970-01-01 00:00 UTC.
///
/// piktd remembers minutes in this form, not as wall-clock text, so the same
/// real minute is never handled twice even when the wall clock is set back or
/// repeats an hour at the end of daylight saving time; timings are matched
/// against [`Minute::civil`], the wall-clock reading of the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minute(pub i64);

impl Minute {
    /// The minute holding instant `at`.
    pub fn of(at: Timestamp) -> Minute {
        Minute(at.as_second().div_euclid(60))
    }

    /// The instant the minute starts (second 0).
    pub fn start(self) -> Timestamp {
        Timestamp::from_second(self.0.saturating_mul(60)).unwrap_or(Timestamp::MAX)
    }

    /// The wall-clock reading of the minute's start in `zone`.
    pub fn civil(self, zone: &TimeZone) -> DateTime {
        zone.to_datetime(self.start())
    }

    /// The following minute.
    pub fn next(self) -> Minute {
        Minute(self.0.saturating_add(1))
    }

    /// `self - earlier` in minutes (negative when `earlier` is later).
    pub fn minutes_since(self, earlier: Minute) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// How far `at` is into its minute.
    pub fn offset_of(at: Timestamp) -> SignedDuration {
        at.duration_since(Minute::of(at).start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn minutes_floor_including_before_1970() {
        let at = Timestamp::from_second(119).unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(Minute::of(at), Minute(1));
        let before = Timestamp::from_second(-1).unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(Minute::of(before), Minute(-1));
        assert_eq!(Minute::offset_of(at), SignedDuration::from_secs(59));
    }

    #[test]
    fn civil_reading_in_a_zone() {
        let at = date(2026, 11, 24).at(10, 5, 0, 0);
        let minute = Minute::of(
            at.to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or_default(),
        );
        assert_eq!(minute.civil(&TimeZone::UTC), at);
        assert_eq!(
            minute.next().civil(&TimeZone::UTC),
            date(2026, 11, 24).at(10, 6, 0, 0)
        );
    }
}
