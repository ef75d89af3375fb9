//! Which lines are due: the pure core of the scheduler.
//!
//! [`due()`] is given the schedule, the last minute already handled and the
//! minute it is now, and says which lines to start. It does no I/O and reads
//! no clock, so every rule below is tested with made-up minutes.
//!
//! **Normal case.** `now` is the minute after `last`: the lines whose timing
//! names `now` (in wall-clock time) are due.
//!
//! **Clock set back, or the same minute again.** `now <= last`: nothing is
//! due. A minute already handled is never handled again, so a run is never
//! started twice for the same minute; the lines simply wait until the clock
//! passes `last` again. [`Jump::Behind`] tells the caller, which logs it.
//!
//! **Clock jumped forward, or the host slept.** `now` is more than one minute
//! after `last`, so the minutes in between were skipped:
//!
//! * If at most `catch_up_minutes` minutes were skipped (default 60), each
//!   line whose timing named *any* skipped minute runs **once** now
//!   ("catch-up once"), however many of its minutes were skipped. A line due
//!   both in a skipped minute and now runs once, for now.
//! * If more were skipped, the skipped minutes are dropped and only `now` is
//!   looked at; [`Jump::Skipped`] says which minutes were dropped so the
//!   daemon can log them. A host that was suspended overnight thus does not
//!   wake up to a burst of every alert it missed.
//!
//! **Daylight saving time.** Minutes are real minutes ([`Minute`]), matched
//! against their wall-clock reading. When clocks go forward, the wall-clock
//! hour that does not exist (e.g. 02:00–02:59) is never read, so a line timed
//! only inside it does not run that day. When clocks go back, the repeated
//! wall-clock hour consists of different real minutes, so a line timed inside
//! it runs in both.

use jiff::tz::TimeZone;

use crate::conf::Schedule;
use crate::minute::Minute;
use crate::timing::CivilTiming;

/// The default for how many skipped minutes are caught up (see the module docs).
pub const DEFAULT_CATCH_UP_MINUTES: u32 = 60;

/// One line to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueRun {
    /// Index of the line in [`Schedule::lines`].
    pub line: usize,
    /// The minute the run is for: `now`, or for a catch-up the last skipped
    /// minute the line's timing named.
    pub minute: Minute,
    /// True when the run makes up for a skipped minute.
    pub catch_up: bool,
}

/// What the clock did since the last minute handled, when it did not simply
/// move on by one minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jump {
    /// The clock is at or before a minute already handled; nothing runs until
    /// it passes `last`.
    Behind {
        /// The last minute handled.
        last: Minute,
    },
    /// Minutes `first..=last` were skipped and each due line was caught up once.
    CaughtUp {
        /// First skipped minute.
        first: Minute,
        /// Last skipped minute.
        last: Minute,
    },
    /// Minutes `first..=last` were skipped and dropped (more than the catch-up
    /// window).
    Skipped {
        /// First skipped minute.
        first: Minute,
        /// Last skipped minute.
        last: Minute,
    },
}

/// The answer of [`due()`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// Lines to start, in schedule order, at most one per line.
    pub runs: Vec<DueRun>,
    /// The new "last minute handled".
    pub handled: Minute,
    /// Set when the clock did not move on by exactly one minute.
    pub jump: Option<Jump>,
}

/// Decides which lines of `schedule` to start at minute `now`, given that
/// every minute up to `last` has been handled. `zone` gives the wall-clock
/// reading of minutes; `catch_up_minutes` bounds catch-up (module docs).
pub fn due(
    schedule: &Schedule,
    zone: &TimeZone,
    last: Minute,
    now: Minute,
    catch_up_minutes: u32,
) -> Due {
    if now <= last {
        return Due {
            runs: Vec::new(),
            handled: last,
            jump: (now < last).then_some(Jump::Behind { last }),
        };
    }
    let skipped = now.minutes_since(last) - 1;
    let first_skipped = last.next();
    let last_skipped = Minute(now.0 - 1);
    let now_civil = now.civil(zone);
    let mut runs: Vec<DueRun> = schedule
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.timing().matches_at(now_civil))
        .map(|(index, _)| DueRun {
            line: index,
            minute: now,
            catch_up: false,
        })
        .collect();
    let jump = if skipped == 0 {
        None
    } else if skipped <= i64::from(catch_up_minutes) {
        catch_up(schedule, zone, first_skipped, last_skipped, &mut runs);
        Some(Jump::CaughtUp {
            first: first_skipped,
            last: last_skipped,
        })
    } else {
        Some(Jump::Skipped {
            first: first_skipped,
            last: last_skipped,
        })
    };
    Due {
        runs,
        handled: now,
        jump,
    }
}

/// Adds one catch-up run for each line not already due whose timing names a
/// minute in `first..=last`; walks the minutes newest first so the run is
/// labelled with the latest minute it makes up for.
fn catch_up(
    schedule: &Schedule,
    zone: &TimeZone,
    first: Minute,
    last: Minute,
    runs: &mut Vec<DueRun>,
) {
    let mut pending: Vec<usize> = (0..schedule.lines.len())
        .filter(|index| runs.iter().all(|run| run.line != *index))
        .collect();
    let mut minute = last;
    while minute >= first && !pending.is_empty() {
        let civil = minute.civil(zone);
        pending.retain(|&index| {
            let named = schedule
                .lines
                .get(index)
                .is_some_and(|line| line.timing().matches_at(civil));
            if named {
                runs.push(DueRun {
                    line: index,
                    minute,
                    catch_up: true,
                });
            }
            !named
        });
        minute = Minute(minute.0 - 1);
    }
    runs.sort_by_key(|run| run.line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, DateTime};
    use pikt_source::SourceMap;

    fn schedule(text: &str) -> Schedule {
        let mut map = SourceMap::new();
        let file = map.add("piktd.conf", text);
        let (schedule, diags) = Schedule::parse(&map, file);
        assert!(diags.is_empty(), "{diags:?}");
        schedule
    }

    fn at(zone: &TimeZone, civil: DateTime) -> Minute {
        Minute::of(zone.to_timestamp(civil).unwrap_or_default())
    }

    fn utc(h: i8, m: i8) -> Minute {
        at(&TimeZone::UTC, date(2026, 11, 24).at(h, m, 0, 0))
    }

    fn lines(due: &Due) -> Vec<(usize, bool)> {
        due.runs.iter().map(|r| (r.line, r.catch_up)).collect()
    }

    const THREE: &str =
        "* * * * * pikt +A Every\n*/5 * * * * pikt +A Five\n0 * * * * pikt +A Hourly\n";

    #[test]
    fn next_minute_runs_what_it_names() {
        let s = schedule(THREE);
        let d = due(&s, &TimeZone::UTC, utc(9, 59), utc(10, 0), 60);
        assert_eq!(lines(&d), [(0, false), (1, false), (2, false)]);
        assert_eq!(d.handled, utc(10, 0));
        assert_eq!(d.jump, None);
        let d = due(&s, &TimeZone::UTC, utc(10, 0), utc(10, 1), 60);
        assert_eq!(lines(&d), [(0, false)]);
        let d = due(&s, &TimeZone::UTC, utc(10, 4), utc(10, 5), 60);
        assert_eq!(lines(&d), [(0, false), (1, false)]);
    }

    #[test]
    fn same_minute_again_runs_nothing() {
        let s = schedule(THREE);
        let d = due(&s, &TimeZone::UTC, utc(10, 0), utc(10, 0), 60);
        assert!(d.runs.is_empty());
        assert_eq!(d.jump, None);
        assert_eq!(d.handled, utc(10, 0));
    }

    #[test]
    fn clock_set_back_never_reruns_a_handled_minute() {
        let s = schedule(THREE);
        let last = utc(10, 0);
        for now in [utc(9, 0), utc(9, 55), utc(9, 59)] {
            let d = due(&s, &TimeZone::UTC, last, now, 60);
            assert!(d.runs.is_empty());
            assert_eq!(d.jump, Some(Jump::Behind { last }));
            assert_eq!(d.handled, last);
        }
        // Once the clock passes the last handled minute, runs resume.
        let d = due(&s, &TimeZone::UTC, last, utc(10, 1), 60);
        assert_eq!(lines(&d), [(0, false)]);
    }

    #[test]
    fn small_forward_jump_catches_each_line_up_once() {
        let s = schedule(THREE);
        // 10:02 -> 10:13: skipped 10:03..=10:12 (10 minutes): Five named 10:05
        // and 10:10 but runs once; Hourly named none; Every is due now anyway.
        let d = due(&s, &TimeZone::UTC, utc(10, 2), utc(10, 13), 60);
        assert_eq!(lines(&d), [(0, false), (1, true)]);
        assert_eq!(d.runs[1].minute, utc(10, 10));
        assert_eq!(
            d.jump,
            Some(Jump::CaughtUp {
                first: utc(10, 3),
                last: utc(10, 12)
            })
        );
        assert_eq!(d.handled, utc(10, 13));
    }

    #[test]
    fn line_due_now_and_in_skipped_minutes_runs_once_for_now() {
        let s = schedule(THREE);
        let d = due(&s, &TimeZone::UTC, utc(10, 2), utc(10, 15), 60);
        assert_eq!(lines(&d), [(0, false), (1, false)]);
        assert_eq!(d.runs[1].minute, utc(10, 15));
    }

    #[test]
    fn catch_up_window_is_inclusive() {
        let s = schedule(THREE);
        // last 9:59, now 11:00: 60 skipped minutes (10:00..=10:59) = the window.
        let d = due(&s, &TimeZone::UTC, utc(9, 59), utc(11, 0), 60);
        assert_eq!(lines(&d), [(0, false), (1, false), (2, false)]);
        assert!(matches!(d.jump, Some(Jump::CaughtUp { .. })));
        // With a window of 59 the same jump drops the skipped minutes.
        let d = due(&s, &TimeZone::UTC, utc(9, 59), utc(11, 0), 59);
        assert_eq!(
            d.jump,
            Some(Jump::Skipped {
                first: utc(10, 0),
                last: utc(10, 59)
            })
        );
    }

    #[test]
    fn large_forward_jump_skips_and_runs_only_now() {
        let s = schedule(THREE);
        let d = due(&s, &TimeZone::UTC, utc(1, 0), utc(10, 1), 60);
        assert_eq!(lines(&d), [(0, false)]);
        assert_eq!(
            d.jump,
            Some(Jump::Skipped {
                first: utc(1, 1),
                last: utc(10, 0)
            })
        );
    }

    #[test]
    fn catch_up_with_zero_window_never_catches_up() {
        let s = schedule(THREE);
        let d = due(&s, &TimeZone::UTC, utc(10, 3), utc(10, 6), 0);
        assert_eq!(lines(&d), [(0, false)]);
        assert!(matches!(d.jump, Some(Jump::Skipped { .. })));
    }

    #[test]
    fn day_of_week_and_day_of_month_across_midnight() {
        // 2026-11-29 is a Sunday, 2026-11-30 a Monday.
        let s = schedule("0 0 * * 0 pikt +A Sunday\n0 0 1,30 * 1 pikt +A MondayOrFirst\n");
        let z = TimeZone::UTC;
        let sunday = at(&z, date(2026, 11, 29).at(0, 0, 0, 0));
        let d = due(&s, &z, Minute(sunday.0 - 1), sunday, 60);
        assert_eq!(lines(&d), [(0, false)]);
        let monday = at(&z, date(2026, 11, 30).at(0, 0, 0, 0));
        let d = due(&s, &z, Minute(monday.0 - 1), monday, 60);
        assert_eq!(lines(&d), [(1, false)]);
    }

    #[test]
    fn timings_are_read_in_the_given_zone() {
        // A POSIX rule, not the zone database: the test must not depend on
        // which tzdata the machine has.
        let zone = TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").expect("valid POSIX TZ");
        let s = schedule("30 9 * * * pikt +A Morning\n");
        let ny_930 = at(&zone, date(2026, 11, 24).at(9, 30, 0, 0));
        let d = due(&s, &zone, Minute(ny_930.0 - 1), ny_930, 60);
        assert_eq!(lines(&d), [(0, false)]);
        let d = due(&s, &TimeZone::UTC, Minute(ny_930.0 - 1), ny_930, 60);
        assert!(d.runs.is_empty(), "14:30 UTC is not 9:30");
    }

    #[test]
    fn dst_spring_forward_hour_is_never_read_and_fall_back_hour_twice() {
        // A POSIX rule, not the zone database: the test must not depend on
        // which tzdata the machine has.
        let zone = TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").expect("valid POSIX TZ");
        let s = schedule("30 2 * * * pikt +A TwoThirty\n30 1 * * * pikt +A OneThirty\n");
        // 2026-03-08: 01:59 EST is followed by 03:00 EDT.
        let before = at(&zone, date(2026, 3, 8).at(1, 59, 0, 0));
        let mut fired = Vec::new();
        let mut last = before;
        for _ in 0..120 {
            let now = last.next();
            fired.extend(due(&s, &zone, last, now, 60).runs.iter().map(|r| r.line));
            last = now;
        }
        assert!(fired.is_empty(), "02:30 does not exist that night");
        // 2026-11-01: 01:00-01:59 happens twice (EDT, then EST).
        let start = at(&zone, date(2026, 11, 1).at(0, 59, 0, 0));
        let mut fired = Vec::new();
        let mut last = start;
        for _ in 0..150 {
            let now = last.next();
            fired.extend(due(&s, &zone, last, now, 60).runs.iter().map(|r| r.line));
            last = now;
        }
        assert_eq!(fired, [1, 1], "01:30 happens twice");
    }
}
