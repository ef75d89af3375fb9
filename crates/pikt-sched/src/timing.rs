//! The five crontab-style timing fields of a `piktd.conf` line.
//!
//! A timing is `<minute> <hour> <day-of-month> <month> <day-of-week>`, the same
//! five fields as a crontab line and as the `timing` lines of `alerts.cfg`
//! (reference §1.7). Each field is a comma-separated list of items:
//!
//! | item | meaning |
//! |------|---------|
//! | `*` | every value of the field |
//! | `5` | that value |
//! | `6-18` | every value from 6 to 18, both included |
//! | `7-23/4` | 7, 11, 15, 19, 23: the range in steps of 4 |
//! | `*/6` | the whole field in steps of 6 (0, 6, 12, … for minutes) |
//! | `10/15` | 10 to the field's maximum in steps of 15 (10, 25, 40, 55) |
//!
//! Ranges: minute 0–59, hour 0–23, day of month 1–31, month 1–12, day of week
//! 0–7 where both 0 and 7 are Sunday. Months and days of the week may also be
//! written as three-letter English names, in any case (`jan`…`dec`,
//! `sun`…`sat`), alone or as range bounds (`mon-fri`). A range must not go
//! backwards (`fri-mon` is an error: write `fri-sat,sun-mon`).
//!
//! **Day rule (as Vixie cron).** When both the day-of-month and the day-of-week
//! field are restricted, a day matches if *either* matches (`0 0 1 * 1` = the
//! first of the month and every Monday). When either of them starts with `*`,
//! both must match — so, again as in Vixie cron, `*/2` counts as unrestricted
//! for this rule even though it selects only some days.
//!
//! Matching is on civil (wall-clock) time in the daemon's time zone; which real
//! minutes are looked at, and when, is decided in [`mod@crate::due`].

use jiff::civil::{Date, DateTime};
use pikt_source::{Diagnostic, FileId, Span};

/// One of the five fields of a timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Minute of the hour, 0–59.
    Minute,
    /// Hour of the day, 0–23.
    Hour,
    /// Day of the month, 1–31.
    DayOfMonth,
    /// Month, 1–12 or `jan`…`dec`.
    Month,
    /// Day of the week, 0–7 (0 and 7 = Sunday) or `sun`…`sat`.
    DayOfWeek,
}

impl FieldKind {
    /// The five kinds in the order they appear on a line.
    pub const ALL: [FieldKind; 5] = [
        FieldKind::Minute,
        FieldKind::Hour,
        FieldKind::DayOfMonth,
        FieldKind::Month,
        FieldKind::DayOfWeek,
    ];

    /// The name used in messages (`day-of-month`).
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Minute => "minute",
            FieldKind::Hour => "hour",
            FieldKind::DayOfMonth => "day-of-month",
            FieldKind::Month => "month",
            FieldKind::DayOfWeek => "day-of-week",
        }
    }

    /// Smallest and largest value that may be written (7 for Sunday included).
    fn bounds(self) -> (u8, u8) {
        match self {
            FieldKind::Minute => (0, 59),
            FieldKind::Hour => (0, 23),
            FieldKind::DayOfMonth => (1, 31),
            FieldKind::Month => (1, 12),
            FieldKind::DayOfWeek => (0, 7),
        }
    }

    /// Names accepted for the field, index = value offset from `names_base`.
    fn names(self) -> &'static [&'static str] {
        match self {
            FieldKind::Month => &[
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ],
            FieldKind::DayOfWeek => &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            _ => &[],
        }
    }

    fn names_base(self) -> u8 {
        match self {
            FieldKind::Month => 1,
            _ => 0,
        }
    }

    fn help(self) -> String {
        let (lo, hi) = self.bounds();
        match self {
            FieldKind::Month => format!("use {lo}-{hi} or a name `jan`..`dec`"),
            FieldKind::DayOfWeek => {
                format!("use {lo}-{hi} (0 and 7 are Sunday) or a name `sun`..`sat`")
            }
            _ => format!("use {lo}-{hi}, `*`, lists, ranges or steps"),
        }
    }
}

/// The set of values one field selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Bit `v` set when value `v` is selected (day of week: 0–6, Sunday = 0).
    bits: u64,
    /// True when the field text starts with `*` (used by the day rule).
    star: bool,
}

impl Field {
    /// True when `value` is selected.
    pub fn contains(self, value: u8) -> bool {
        value < 64 && self.bits & (1u64 << value) != 0
    }

    /// True when the field was written starting with `*`.
    pub fn is_star(self) -> bool {
        self.star
    }

    /// The selected values, smallest first.
    pub fn values(self) -> impl Iterator<Item = u8> {
        (0u8..64).filter(move |&v| self.contains(v))
    }
}

/// A word of a `piktd.conf` line: its text and the byte offset where it starts
/// in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'src> {
    /// The text, without surrounding blanks.
    pub text: &'src str,
    /// Byte offset of the first character in the file.
    pub start: usize,
}

impl Word<'_> {
    /// The span of the whole word.
    pub fn span(&self, file: FileId) -> Span {
        Span::new(file, self.start, self.start + self.text.len())
    }
}

/// The five parsed fields of one timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    minute: Field,
    hour: Field,
    day_of_month: Field,
    month: Field,
    day_of_week: Field,
}

impl Timing {
    /// Parses the five timing words of a line.
    ///
    /// Errors carry the span of the offending part of the word (a value, a
    /// step, a name), not just the word.
    pub fn parse(words: [Word<'_>; 5], file: FileId) -> Result<Timing, Diagnostic> {
        let [minute, hour, dom, month, dow] = words;
        Ok(Timing {
            minute: parse_field(FieldKind::Minute, minute, file)?,
            hour: parse_field(FieldKind::Hour, hour, file)?,
            day_of_month: parse_field(FieldKind::DayOfMonth, dom, file)?,
            month: parse_field(FieldKind::Month, month, file)?,
            day_of_week: parse_field(FieldKind::DayOfWeek, dow, file)?,
        })
    }

    /// Parses a timing written as one string (`"*/5 * * * 1-5"`), for tests,
    /// tools and the check output. The span of an error is relative to `text`.
    pub fn parse_str(text: &str, file: FileId) -> Result<Timing, Diagnostic> {
        let words = crate::conf::split_words(text, 0);
        let five: Option<[Word<'_>; 5]> = words.get(..5).and_then(|w| w.try_into().ok());
        match five {
            Some(five) if words.len() == 5 => Timing::parse(five, file),
            _ => Err(Diagnostic::error(
                format!(
                    "a timing has 5 fields (minute hour day month weekday), found {}",
                    words.len()
                ),
                Span::new(file, 0, text.len()),
            )),
        }
    }

    /// The field of the given kind.
    pub fn field(&self, kind: FieldKind) -> Field {
        match kind {
            FieldKind::Minute => self.minute,
            FieldKind::Hour => self.hour,
            FieldKind::DayOfMonth => self.day_of_month,
            FieldKind::Month => self.month,
            FieldKind::DayOfWeek => self.day_of_week,
        }
    }

    /// True when the timing names the civil minute `at` (seconds ignored).
    pub fn matches(&self, at: DateTime) -> bool {
        self.minute.contains(small(at.minute()))
            && self.hour.contains(small(at.hour()))
            && self.matches_day(at.date())
    }

    /// True when the timing names some minute of `date`.
    pub fn matches_day(&self, date: Date) -> bool {
        if !self.month.contains(small(date.month())) {
            return false;
        }
        let by_dom = self.day_of_month.contains(small(date.day()));
        let by_dow = self
            .day_of_week
            .contains(small(date.weekday().to_sunday_zero_offset()));
        if self.day_of_month.star || self.day_of_week.star {
            by_dom && by_dow
        } else {
            by_dom || by_dow
        }
    }

    /// The first civil minute strictly after `after` that the timing names,
    /// looking at most eight years ahead (enough for 29 February); `None` when
    /// the timing never matches.
    pub fn next_after(&self, after: DateTime) -> Option<DateTime> {
        let mut date = after.date();
        for _ in 0..(8 * 366) {
            if self.matches_day(date) {
                if let Some(found) = self.first_minute_on(date, after) {
                    return Some(found);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    fn first_minute_on(&self, date: Date, after: DateTime) -> Option<DateTime> {
        for hour in self.hour.values() {
            for minute in self.minute.values() {
                let candidate = date.at(i8::try_from(hour).ok()?, i8::try_from(minute).ok()?, 0, 0);
                if candidate > after {
                    return Some(candidate);
                }
            }
        }
        None
    }

    /// True when no date can ever match: the day-of-month is restricted, the
    /// day-of-week is not, and no selected month has any selected day
    /// (`0 0 31 2 *`). Such a line is legal but almost surely a mistake.
    pub fn never_matches(&self) -> bool {
        if self.day_of_month.star || !self.day_of_week.star {
            return false;
        }
        let longest_selected_month = self
            .month
            .values()
            .map(days_in_month_at_most)
            .max()
            .unwrap_or(0);
        self.day_of_month
            .values()
            .all(|day| day > longest_selected_month)
    }
}

/// The most days month `month` can have (29 for February).
fn days_in_month_at_most(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Civil-time components are small non-negative numbers; clamp defensively.
fn small(value: i8) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// Parses one field: `item (',' item)*`.
fn parse_field(kind: FieldKind, word: Word<'_>, file: FileId) -> Result<Field, Diagnostic> {
    let mut bits = 0u64;
    let mut offset = word.start;
    for item in word.text.split(',') {
        let item_word = Word {
            text: item,
            start: offset,
        };
        if item.is_empty() {
            return Err(Diagnostic::error(
                format!("empty item in the {} field", kind.label()),
                Span::new(file, offset, offset),
            )
            .with_label("a value is missing here")
            .with_help(kind.help()));
        }
        bits |= parse_item(kind, item_word, file)?;
        offset += item.len() + 1;
    }
    // Sunday may be written 7; it is stored as 0.
    if kind == FieldKind::DayOfWeek && bits & (1 << 7) != 0 {
        bits = (bits & !(1 << 7)) | 1;
    }
    Ok(Field {
        bits,
        star: word.text.starts_with('*'),
    })
}

/// Parses one list item: `range ('/' step)?` where `range` is `*`, a value,
/// or `value '-' value`.
fn parse_item(kind: FieldKind, item: Word<'_>, file: FileId) -> Result<u64, Diagnostic> {
    let (range_text, step_text) = match item.text.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item.text, None),
    };
    let range = Word {
        text: range_text,
        start: item.start,
    };
    let (lo, hi) = parse_range(kind, range, step_text.is_some(), file)?;
    let step = match step_text {
        Some(text) => parse_step(
            kind,
            Word {
                text,
                start: item.start + range_text.len() + 1,
            },
            file,
        )?,
        None => 1,
    };
    let mut bits = 0u64;
    let mut value = lo;
    while value <= hi {
        bits |= 1u64 << value;
        value = value.saturating_add(step);
        if value == u8::MAX {
            break;
        }
    }
    Ok(bits)
}

/// Parses `*`, `v` or `v-w`; with a step following, a lone `v` means `v` to
/// the field's maximum.
fn parse_range(
    kind: FieldKind,
    range: Word<'_>,
    has_step: bool,
    file: FileId,
) -> Result<(u8, u8), Diagnostic> {
    let (min, max) = kind.bounds();
    // `*` covers 0-6 for days of the week: 7 is only a second name for Sunday.
    let star_max = if kind == FieldKind::DayOfWeek { 6 } else { max };
    if range.text == "*" {
        return Ok((min, star_max));
    }
    match range.text.split_once('-') {
        Some((first, second)) => {
            let lo = parse_value(
                kind,
                Word {
                    text: first,
                    start: range.start,
                },
                file,
            )?;
            let hi = parse_value(
                kind,
                Word {
                    text: second,
                    start: range.start + first.len() + 1,
                },
                file,
            )?;
            if lo > hi {
                return Err(Diagnostic::error(
                    format!(
                        "the {} range `{}` goes backwards",
                        kind.label(),
                        range.text
                    ),
                    range.span(file),
                )
                .with_help("write the smaller bound first; a range across the end needs a list, e.g. `22-23,0-2`"));
            }
            Ok((lo, hi))
        }
        None => {
            let value = parse_value(kind, range, file)?;
            Ok((value, if has_step { star_max.max(value) } else { value }))
        }
    }
}

/// Parses a number or (month, day of week) a name.
fn parse_value(kind: FieldKind, word: Word<'_>, file: FileId) -> Result<u8, Diagnostic> {
    let (min, max) = kind.bounds();
    if !word.text.is_empty() && word.text.bytes().all(|b| b.is_ascii_digit()) {
        return match word.text.parse::<u8>() {
            Ok(value) if (min..=max).contains(&value) => Ok(value),
            _ => Err(Diagnostic::error(
                format!(
                    "{} `{}` is out of range {min}-{max}",
                    kind.label(),
                    word.text
                ),
                word.span(file),
            )
            .with_help(kind.help())),
        };
    }
    let lower = word.text.to_ascii_lowercase();
    if let Some(index) = kind.names().iter().position(|name| *name == lower) {
        let index = u8::try_from(index).unwrap_or(u8::MAX);
        return Ok(kind.names_base().saturating_add(index));
    }
    let found = if word.text.is_empty() {
        "nothing".to_owned()
    } else {
        format!("`{}`", word.text)
    };
    let what = if kind.names().is_empty() {
        "a number"
    } else {
        "a number or a name"
    };
    Err(Diagnostic::error(
        format!(
            "expected {what} in the {} field, found {found}",
            kind.label()
        ),
        Span::new(file, word.start, word.start + word.text.len()),
    )
    .with_help(kind.help()))
}

/// Parses the step after `/`: a number from 1 to the size of the field.
fn parse_step(kind: FieldKind, word: Word<'_>, file: FileId) -> Result<u8, Diagnostic> {
    let (min, max) = kind.bounds();
    let widest = max - min + 1;
    match word.text.parse::<u8>() {
        Ok(step)
            if step >= 1 && step <= widest && word.text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(step)
        }
        _ => Err(Diagnostic::error(
            format!(
                "the {} step `{}` must be a number from 1 to {widest}",
                kind.label(),
                word.text
            ),
            Span::new(file, word.start, word.start + word.text.len()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn timing(text: &str) -> Timing {
        match Timing::parse_str(text, FileId(0)) {
            Ok(timing) => timing,
            Err(diag) => panic!("`{text}` should parse: {}", diag.message),
        }
    }

    fn error(text: &str) -> Diagnostic {
        match Timing::parse_str(text, FileId(0)) {
            Ok(timing) => panic!("`{text}` should fail, parsed {timing:?}"),
            Err(diag) => diag,
        }
    }

    fn values(text: &str, kind: FieldKind) -> Vec<u8> {
        timing(text).field(kind).values().collect()
    }

    #[test]
    fn star_list_range_and_steps() {
        assert_eq!(values("* * * * *", FieldKind::Minute).len(), 60);
        assert_eq!(
            values("10,25,40,55 * * * *", FieldKind::Minute),
            [10, 25, 40, 55]
        );
        assert_eq!(
            values("0 6-18 * * *", FieldKind::Hour),
            (6..=18).collect::<Vec<_>>()
        );
        assert_eq!(
            values("0 7-23/4 * * *", FieldKind::Hour),
            [7, 11, 15, 19, 23]
        );
        assert_eq!(
            values("*/6 * * * *", FieldKind::Minute),
            (0..60).step_by(6).collect::<Vec<_>>()
        );
        assert_eq!(values("10/15 * * * *", FieldKind::Minute), [10, 25, 40, 55]);
        assert_eq!(
            values("0 0 */10 * *", FieldKind::DayOfMonth),
            [1, 11, 21, 31]
        );
        assert_eq!(
            values("1-5,30-59/10 * * * *", FieldKind::Minute),
            [1, 2, 3, 4, 5, 30, 40, 50]
        );
    }

    #[test]
    fn sunday_is_zero_and_seven_and_star_is_zero_to_six() {
        assert_eq!(values("* * * * 7", FieldKind::DayOfWeek), [0]);
        assert_eq!(values("* * * * 0", FieldKind::DayOfWeek), [0]);
        assert_eq!(values("* * * * 5-7", FieldKind::DayOfWeek), [0, 5, 6]);
        assert_eq!(
            values("* * * * *", FieldKind::DayOfWeek),
            [0, 1, 2, 3, 4, 5, 6]
        );
        assert_eq!(values("* * * * */2", FieldKind::DayOfWeek), [0, 2, 4, 6]);
    }

    #[test]
    fn month_and_weekday_names_in_any_case() {
        assert_eq!(
            values("* * * Jan,JUL-sep *", FieldKind::Month),
            [1, 7, 8, 9]
        );
        assert_eq!(
            values("* * * * mon-fri", FieldKind::DayOfWeek),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(values("* * * * sun", FieldKind::DayOfWeek), [0]);
    }

    #[test]
    fn matches_minute_hour_month() {
        let t = timing("*/15 6-18 * * *");
        assert!(t.matches(date(2026, 11, 24).at(6, 45, 0, 0)));
        assert!(!t.matches(date(2026, 11, 24).at(6, 46, 0, 0)));
        assert!(!t.matches(date(2026, 11, 24).at(19, 0, 0, 0)));
        let t = timing("0 0 * jun *");
        assert!(t.matches(date(2026, 6, 3).at(0, 0, 0, 0)));
        assert!(!t.matches(date(2026, 7, 3).at(0, 0, 0, 0)));
    }

    #[test]
    fn day_rule_either_when_both_restricted() {
        // 2026-11-24 is a Tuesday; 2026-12-01 a Tuesday; 2026-11-30 a Monday.
        let t = timing("0 0 1 * 1");
        assert!(t.matches(date(2026, 11, 30).at(0, 0, 0, 0)), "a Monday");
        assert!(t.matches(date(2026, 12, 1).at(0, 0, 0, 0)), "the first");
        assert!(!t.matches(date(2026, 11, 24).at(0, 0, 0, 0)), "neither");
    }

    #[test]
    fn day_rule_both_when_one_starts_with_star() {
        let weekdays = timing("0 0 * * 1-5");
        assert!(weekdays.matches(date(2026, 11, 24).at(0, 0, 0, 0)));
        assert!(
            !weekdays.matches(date(2026, 11, 29).at(0, 0, 0, 0)),
            "a Sunday"
        );
        // `*/2` in day-of-month counts as `*`: odd days that are also Mondays.
        let quirk = timing("0 0 */2 * 1");
        assert!(
            quirk.matches(date(2026, 11, 23).at(0, 0, 0, 0)),
            "Monday the 23rd"
        );
        assert!(
            !quirk.matches(date(2026, 11, 30).at(0, 0, 0, 0)),
            "Monday the 30th"
        );
        assert!(
            !quirk.matches(date(2026, 11, 25).at(0, 0, 0, 0)),
            "Wednesday the 25th"
        );
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
    fn impossible_dates_are_recognised() {
        assert!(timing("0 0 31 2 *").never_matches());
        assert!(timing("0 0 30,31 feb *").never_matches());
        assert_eq!(
            timing("0 0 31 2 *").next_after(date(2026, 1, 1).at(0, 0, 0, 0)),
            None
        );
        assert!(
            !timing("0 0 31 2 1").never_matches(),
            "Mondays in February match"
        );
        assert!(!timing("0 0 31 1-2 *").never_matches());
        assert!(!timing("0 0 29 2 *").never_matches());
    }

    #[test]
    fn out_of_range_value_points_at_the_value() {
        let diag = error("5,61 * * * *");
        assert_eq!(diag.message, "minute `61` is out of range 0-59");
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 4)));
        let diag = error("0 24 * * *");
        assert_eq!(diag.message, "hour `24` is out of range 0-23");
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 4)));
        let diag = error("0 0 0 * *");
        assert_eq!(diag.message, "day-of-month `0` is out of range 1-31");
        let diag = error("0 0 * 13 *");
        assert_eq!(diag.message, "month `13` is out of range 1-12");
        let diag = error("0 0 * * 8");
        assert_eq!(diag.message, "day-of-week `8` is out of range 0-7");
        assert_eq!(diag.span, Some(Span::new(FileId(0), 8, 9)));
    }

    #[test]
    fn bad_steps_and_ranges() {
        let diag = error("*/0 * * * *");
        assert_eq!(
            diag.message,
            "the minute step `0` must be a number from 1 to 60"
        );
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 3)));
        let diag = error("* 1-2/x * * *");
        assert_eq!(
            diag.message,
            "the hour step `x` must be a number from 1 to 24"
        );
        assert_eq!(diag.span, Some(Span::new(FileId(0), 6, 7)));
        let diag = error("* 20-10 * * *");
        assert_eq!(diag.message, "the hour range `20-10` goes backwards");
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 7)));
        let diag = error("* * * * fri-mon");
        assert_eq!(
            diag.message,
            "the day-of-week range `fri-mon` goes backwards"
        );
    }

    #[test]
    fn unknown_names_and_empty_items() {
        let diag = error("* * * * funday");
        assert_eq!(
            diag.message,
            "expected a number or a name in the day-of-week field, found `funday`"
        );
        assert_eq!(diag.span, Some(Span::new(FileId(0), 8, 14)));
        let diag = error("mon * * * *");
        assert_eq!(
            diag.message,
            "expected a number in the minute field, found `mon`"
        );
        let diag = error("1,,2 * * * *");
        assert_eq!(diag.message, "empty item in the minute field");
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 2)));
        let diag = error("1- * * * *");
        assert_eq!(
            diag.message,
            "expected a number in the minute field, found nothing"
        );
        assert_eq!(diag.span, Some(Span::new(FileId(0), 2, 2)));
    }

    #[test]
    fn wrong_field_count() {
        let diag = error("* * * *");
        assert_eq!(
            diag.message,
            "a timing has 5 fields (minute hour day month weekday), found 4"
        );
    }

    #[test]
    fn huge_numbers_do_not_panic() {
        let diag = error("99999999999999999999 * * * *");
        assert_eq!(
            diag.message,
            "minute `99999999999999999999` is out of range 0-59"
        );
        let diag = error("*/99999999999 * * * *");
        assert!(diag.message.starts_with("the minute step"));
    }
}
