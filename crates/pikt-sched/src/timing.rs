//! Timings on the calendar: which civil minutes a `piktd.conf` timing names.
//!
//! The timing itself — the five crontab fields, their syntax, the day rule,
//! the error messages — is [`pikt_config::timing`], the same code `piktc`
//! uses for alerts.cfg `timing` lines and for the piktd.conf lines it
//! writes. This module only adds what needs a calendar: matching a
//! [`jiff`] civil date-time and finding the next minute a timing names
//! ([`CivilTiming`]).
//!
//! Matching is on civil (wall-clock) time in the daemon's time zone; which real
//! minutes are looked at, and when, is decided in [`mod@crate::due`].

use jiff::civil::{Date, DateTime};

pub use pikt_config::timing::{Field, FieldKind, Timing, TimingSpec};

/// A [`Timing`] read against the calendar.
pub trait CivilTiming {
    /// True when the timing names the civil minute `at` (seconds ignored).
    fn matches_at(&self, at: DateTime) -> bool;

    /// True when the timing names some minute of `date`.
    fn matches_date(&self, date: Date) -> bool;

    /// The first civil minute strictly after `after` that the timing names,
    /// looking at most eight years ahead (enough for 29 February); `None` when
    /// the timing never matches.
    fn next_after(&self, after: DateTime) -> Option<DateTime>;
}

impl CivilTiming for Timing {
    fn matches_at(&self, at: DateTime) -> bool {
        let date = at.date();
        self.matches(
            small(at.minute()),
            small(at.hour()),
            small(date.day()),
            small(date.month()),
            weekday(date),
        )
    }

    fn matches_date(&self, date: Date) -> bool {
        self.matches_day(small(date.day()), small(date.month()), weekday(date))
    }

    fn next_after(&self, after: DateTime) -> Option<DateTime> {
        let mut date = after.date();
        for _ in 0..(8 * 366) {
            if self.matches_date(date) {
                if let Some(found) = first_minute_on(self, date, after) {
                    return Some(found);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

/// The first minute of `date` after `after` that the hour and minute fields
/// name (the day is known to match).
fn first_minute_on(timing: &Timing, date: Date, after: DateTime) -> Option<DateTime> {
    for hour in timing.field(FieldKind::Hour).values() {
        for minute in timing.field(FieldKind::Minute).values() {
            let candidate = date.at(i8::try_from(hour).ok()?, i8::try_from(minute).ok()?, 0, 0);
            if candidate > after {
                return Some(candidate);
            }
        }
    }
    None
}

/// The weekday counted from Sunday = 0, as the day-of-week field counts.
fn weekday(date: Date) -> u8 {
    small(date.weekday().to_sunday_zero_offset())
}

/// Civil-time components are small non-negative numbers; clamp defensively.
fn small(value: i8) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use pikt_source::FileId;

    fn timing(text: &str) -> Timing {
        match TimingSpec::parse_str(text, FileId(0)) {
            Ok(spec) => spec.timing,
            Err(diag) => panic!("`{text}` should parse: {}", diag.message),
        }
    }

    #[test]
    fn matches_minute_hour_month() {
        let t = timing("*/15 6-18 * * *");
        assert!(t.matches_at(date(2026, 11, 24).at(6, 45, 0, 0)));
        assert!(!t.matches_at(date(2026, 11, 24).at(6, 46, 0, 0)));
        assert!(!t.matches_at(date(2026, 11, 24).at(19, 0, 0, 0)));
        let t = timing("0 0 * jun *");
        assert!(t.matches_at(date(2026, 6, 3).at(0, 0, 0, 0)));
        assert!(!t.matches_at(date(2026, 7, 3).at(0, 0, 0, 0)));
    }

    #[test]
    fn day_rule_either_when_both_restricted() {
        // 2026-11-24 is a Tuesday; 2026-12-01 a Tuesday; 2026-11-30 a Monday.
        let t = timing("0 0 1 * 1");
        assert!(t.matches_at(date(2026, 11, 30).at(0, 0, 0, 0)), "a Monday");
        assert!(t.matches_at(date(2026, 12, 1).at(0, 0, 0, 0)), "the first");
        assert!(!t.matches_at(date(2026, 11, 24).at(0, 0, 0, 0)), "neither");
    }

    #[test]
    fn day_rule_both_when_one_starts_with_star() {
        let weekdays = timing("0 0 * * 1-5");
        assert!(weekdays.matches_at(date(2026, 11, 24).at(0, 0, 0, 0)));
        assert!(
            !weekdays.matches_at(date(2026, 11, 29).at(0, 0, 0, 0)),
            "a Sunday"
        );
        // `*/2` in day-of-month counts as `*`: odd days that are also Mondays.
        let quirk = timing("0 0 */2 * 1");
        assert!(
            quirk.matches_at(date(2026, 11, 23).at(0, 0, 0, 0)),
            "Monday the 23rd"
        );
        assert!(
            !quirk.matches_at(date(2026, 11, 30).at(0, 0, 0, 0)),
            "Monday the 30th"
        );
        assert!(
            !quirk.matches_at(date(2026, 11, 25).at(0, 0, 0, 0)),
            "Wednesday the 25th"
        );
    }

    #[test]
    fn sunday_written_seven_matches_a_real_sunday() {
        // 2026-11-29 is a Sunday.
        let t = timing("0 0 * * 7");
        assert!(t.matches_at(date(2026, 11, 29).at(0, 0, 0, 0)));
        assert!(!t.matches_at(date(2026, 11, 30).at(0, 0, 0, 0)));
    }

    #[test]
    fn next_after_finds_the_following_minute() {
        let t = timing("7-23/4 * * * *");
        let at = date(2026, 11, 24).at(10, 7, 30, 0);
        assert_eq!(t.next_after(at), Some(date(2026, 11, 24).at(10, 11, 0, 0)));
        let t = timing("0 0 29 2 *");
        assert_eq!(t.next_after(at), Some(date(2028, 2, 29).at(0, 0, 0, 0)));
        let t = timing("0 0 * * 0");
        assert_eq!(t.next_after(at), Some(date(2026, 11, 29).at(0, 0, 0, 0)));
    }

    #[test]
    fn next_after_of_an_impossible_date_is_none() {
        assert!(timing("0 0 31 2 *").never_matches());
        assert_eq!(
            timing("0 0 31 2 *").next_after(date(2026, 1, 1).at(0, 0, 0, 0)),
            None
        );
        assert_eq!(
            timing("0 0 31 2 1").next_after(date(2026, 1, 1).at(0, 0, 0, 0)),
            Some(date(2026, 2, 2).at(0, 0, 0, 0)),
            "the first Monday in February"
        );
    }
}
