//! Crontab timings: the one parser and matcher behind alerts.cfg `timing`
//! lines, the piktd.conf lines `piktc -e` writes from them, and piktd's
//! reading of those lines (pikt-sched uses this module; it adds only the
//! calendar walk of `next_after` on top).
//!
//! ```text
//! <minute> <hour> <day-of-month> <month> <day-of-week> [<drift>]
//! ```
//!
//! Each of the five fields is a comma-separated list of items:
//!
//! | item | meaning |
//! |------|---------|
//! | `*` | every value of the field |
//! | `5` | that value |
//! | `6-18` | every value from 6 to 18, both included |
//! | `7-23/4` | 7, 11, 15, 19, 23: the range in steps of 4 |
//! | `*/6` | the whole field in steps of 6 (0, 6, 12, … for minutes) |
//! | `10/15` | 10 to the field's maximum in steps of 15 (10, 25, 40, 55), as in Vixie cron |
//!
//! Ranges: minute 0–59, hour 0–23, day of month 1–31, month 1–12, day of week
//! 0–7 where both 0 and 7 are Sunday (`*` there means 0–6). Months and days of
//! the week may also be written as three-letter English names, in any case
//! (`jan`…`dec`, `sun`…`sat`), alone or as range bounds (`mon-fri`). A range
//! must not go backwards (`fri-mon` is an error: write `fri-sat,sun-mon`). A
//! step is a number from 1 to the size of the field.
//!
//! **Day rule (as Vixie cron).** When both the day-of-month and the day-of-week
//! field are restricted, a day matches if *either* matches (`0 0 1 * 1` = the
//! first of the month and every Monday). When either of them starts with `*`,
//! both must match — so `*/2` counts as unrestricted for this rule even though
//! it selects only some days.
//!
//! The optional sixth number is the *drift*, the largest random start delay
//! in minutes, 0 to [`MAX_DRIFT`] (so a daily alert's delayed start always
//! comes before its next due minute).
//!
//! Every error points at the part of a word that is wrong (a value, a bound,
//! a step, an empty list item), not just the word, and says what is allowed.

use std::fmt;

use pikt_source::{Diagnostic, FileId, Span};

use crate::words::{split_words, Word};

/// Largest drift, in minutes: one minute short of a day.
pub const MAX_DRIFT: u32 = 1439;

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
    /// The five kinds in the order they are written.
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
    pub fn bounds(self) -> (u8, u8) {
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

    /// The largest value `*` stands for: 7 is only a second name for Sunday.
    fn star_max(self) -> u8 {
        match self {
            FieldKind::DayOfWeek => 6,
            _ => self.bounds().1,
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

/// The five parsed fields of one timing, with the text they were read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    minute: Field,
    hour: Field,
    day_of_month: Field,
    month: Field,
    day_of_week: Field,
    /// The five fields as written, one space apart.
    text: String,
}

impl Timing {
    /// Parses the five field words of a timing.
    ///
    /// Errors carry the span of the offending part of a word (a value, a
    /// step, a name), not just the word.
    pub fn parse(words: &[Word; 5]) -> Result<Timing, Diagnostic> {
        let [minute, hour, dom, month, dow] = words;
        Ok(Timing {
            minute: parse_field(FieldKind::Minute, Piece::of(minute))?,
            hour: parse_field(FieldKind::Hour, Piece::of(hour))?,
            day_of_month: parse_field(FieldKind::DayOfMonth, Piece::of(dom))?,
            month: parse_field(FieldKind::Month, Piece::of(month))?,
            day_of_week: parse_field(FieldKind::DayOfWeek, Piece::of(dow))?,
            text: words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
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

    /// The five fields as written, one space apart (`*/5 * * * 1-5`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the timing names this wall-clock minute. `weekday` counts
    /// from Sunday = 0 (7 is Sunday too).
    pub fn matches(&self, minute: u8, hour: u8, day: u8, month: u8, weekday: u8) -> bool {
        self.minute.contains(minute)
            && self.hour.contains(hour)
            && self.matches_day(day, month, weekday)
    }

    /// True when the timing names some minute of this day (day of month,
    /// month, weekday from Sunday = 0), by the day rule of the module docs.
    pub fn matches_day(&self, day: u8, month: u8, weekday: u8) -> bool {
        if !self.month.contains(month) {
            return false;
        }
        let by_dom = self.day_of_month.contains(day);
        let by_dow = self.day_of_week.contains(weekday % 7);
        if self.day_of_month.star || self.day_of_week.star {
            by_dom && by_dow
        } else {
            by_dom || by_dow
        }
    }

    /// True when no date can ever match: the day-of-month is restricted, the
    /// day-of-week is not, and no selected month has any selected day
    /// (`0 0 31 2 *`). Such a timing is legal (PIKT's `=piktnever` is one)
    /// but a schedule line with it never runs.
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

impl fmt::Display for Timing {
    /// The five fields as written, one space apart.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
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

/// A whole timing line: five fields and an optional drift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimingSpec {
    /// The five fields.
    pub timing: Timing,
    /// The largest random start delay in minutes, when given.
    pub drift: Option<u32>,
    /// Where the spec is written (the five fields and the drift).
    pub span: Span,
}

impl TimingSpec {
    /// Parses `words`: exactly five fields and an optional drift. `whole` is
    /// the span to blame for a wrong number of words.
    pub fn parse(words: &[Word], whole: Span) -> Result<TimingSpec, Diagnostic> {
        let five: Option<&[Word; 5]> = words.get(..5).and_then(|w| w.try_into().ok());
        let (Some(five), true) = (five, words.len() <= 6) else {
            return Err(Diagnostic::error(
                format!(
                    "a timing needs 5 fields and an optional drift, found {}",
                    count(words.len(), "word")
                ),
                whole,
            )
            .with_help(
                "write `<minute> <hour> <day-of-month> <month> <day-of-week> [<drift>]`, e.g. `0 * * * *`",
            ));
        };
        let timing = Timing::parse(five)?;
        let drift = match words.get(5) {
            Some(word) => Some(parse_drift(word)?),
            None => None,
        };
        let span = match (words.first(), words.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => whole,
        };
        Ok(TimingSpec {
            timing,
            drift,
            span,
        })
    }

    /// Parses a timing written as one string (`"*/5 * * * 1-5 3"`) that
    /// starts at offset 0 of `file`, for tests and tools.
    pub fn parse_str(text: &str, file: FileId) -> Result<TimingSpec, Diagnostic> {
        let whole = Span::new(file, 0, text.len());
        let (words, diags) = split_words(text, whole);
        if let Some(diag) = diags.into_iter().next() {
            return Err(diag);
        }
        TimingSpec::parse(&words, whole)
    }

    /// The drift in minutes, 0 when none is given.
    pub fn drift_minutes(&self) -> u32 {
        self.drift.unwrap_or(0)
    }
}

impl fmt::Display for TimingSpec {
    /// The fields as written, one space apart, then the drift.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.timing)?;
        if let Some(drift) = self.drift {
            write!(f, " {drift}")?;
        }
        Ok(())
    }
}

/// Parses a drift value: a number of minutes from 0 to [`MAX_DRIFT`].
pub fn parse_drift(word: &Word) -> Result<u32, Diagnostic> {
    let digits = !word.text.is_empty() && word.text.bytes().all(|b| b.is_ascii_digit());
    let help =
        format!("the drift is the largest random start delay, in minutes from 0 to {MAX_DRIFT}");
    match word.text.parse::<u32>() {
        Ok(minutes) if digits && minutes <= MAX_DRIFT => Ok(minutes),
        _ if digits => Err(Diagnostic::error(
            format!("drift `{}` is out of range 0-{MAX_DRIFT}", word.text),
            word.span,
        )
        .with_help(help)),
        _ => Err(
            Diagnostic::error(format!("invalid drift `{}`", word.text), word.span).with_help(help),
        ),
    }
}

/// `n` and `noun`, with the plural `s` when `n` is not 1.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A located part of a field word: the field, an item, a bound or a step.
#[derive(Clone, Copy, Debug)]
struct Piece<'a> {
    text: &'a str,
    span: Span,
}

impl<'a> Piece<'a> {
    fn of(word: &'a Word) -> Piece<'a> {
        Piece {
            text: &word.text,
            span: word.span,
        }
    }

    /// Bytes `from..to` of the piece. Callers cut at ASCII delimiters, so
    /// the cut is on character boundaries; an impossible cut gives "".
    fn cut(self, from: usize, to: usize) -> Piece<'a> {
        let start = self.span.start as usize + from;
        Piece {
            text: self.text.get(from..to).unwrap_or(""),
            span: Span::new(self.span.file, start, start + to.saturating_sub(from)),
        }
    }

    /// Splits at the first `delimiter`: the piece before it and, when there
    /// is one, the piece after it.
    fn split_once(self, delimiter: char) -> (Piece<'a>, Option<Piece<'a>>) {
        match self.text.find(delimiter) {
            Some(at) => (
                self.cut(0, at),
                Some(self.cut(at + delimiter.len_utf8(), self.text.len())),
            ),
            None => (self, None),
        }
    }
}

/// Parses one field: `item (',' item)*`.
fn parse_field(kind: FieldKind, word: Piece<'_>) -> Result<Field, Diagnostic> {
    let mut bits = 0u64;
    let mut offset = 0;
    for item in word.text.split(',') {
        let piece = word.cut(offset, offset + item.len());
        if item.is_empty() {
            return Err(Diagnostic::error(
                format!("empty item in the {} field", kind.label()),
                piece.span,
            )
            .with_label("a value is missing here")
            .with_help(kind.help()));
        }
        bits |= parse_item(kind, piece)?;
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
fn parse_item(kind: FieldKind, item: Piece<'_>) -> Result<u64, Diagnostic> {
    let (range, step) = item.split_once('/');
    let (lo, hi) = parse_range(kind, range, step.is_some())?;
    let step = match step {
        Some(step) => parse_step(kind, step)?,
        None => 1,
    };
    let mut bits = 0u64;
    let mut value = lo;
    while value <= hi && value < 64 {
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
fn parse_range(kind: FieldKind, range: Piece<'_>, has_step: bool) -> Result<(u8, u8), Diagnostic> {
    let (min, _) = kind.bounds();
    if range.text == "*" {
        return Ok((min, kind.star_max()));
    }
    match range.split_once('-') {
        (first, Some(second)) => {
            let lo = parse_value(kind, first)?;
            let hi = parse_value(kind, second)?;
            if lo > hi {
                return Err(Diagnostic::error(
                    format!(
                        "the {} range `{}` goes backwards",
                        kind.label(),
                        range.text
                    ),
                    range.span,
                )
                .with_help("write the smaller bound first; a range across the end needs a list, e.g. `22-23,0-2`"));
            }
            Ok((lo, hi))
        }
        (value, None) => {
            let value = parse_value(kind, value)?;
            let hi = if has_step {
                kind.star_max().max(value)
            } else {
                value
            };
            Ok((value, hi))
        }
    }
}

/// Parses a number or (month, day of week) a name.
fn parse_value(kind: FieldKind, value: Piece<'_>) -> Result<u8, Diagnostic> {
    let (min, max) = kind.bounds();
    if !value.text.is_empty() && value.text.bytes().all(|b| b.is_ascii_digit()) {
        return match value.text.parse::<u8>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(Diagnostic::error(
                format!(
                    "{} `{}` is out of range {min}-{max}",
                    kind.label(),
                    value.text
                ),
                value.span,
            )
            .with_help(kind.help())),
        };
    }
    let lower = value.text.to_ascii_lowercase();
    if let Some(index) = kind.names().iter().position(|name| *name == lower) {
        let index = u8::try_from(index).unwrap_or(u8::MAX);
        return Ok(kind.names_base().saturating_add(index));
    }
    let found = if value.text.is_empty() {
        "nothing".to_owned()
    } else {
        format!("`{}`", value.text)
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
        value.span,
    )
    .with_help(kind.help()))
}

/// Parses the step after `/`: a number from 1 to the size of the field.
fn parse_step(kind: FieldKind, step: Piece<'_>) -> Result<u8, Diagnostic> {
    let (min, max) = kind.bounds();
    let widest = max - min + 1;
    match step.text.parse::<u8>() {
        Ok(n) if n >= 1 && n <= widest && step.text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(Diagnostic::error(
            format!(
                "the {} step `{}` must be a number from 1 to {widest}",
                kind.label(),
                step.text
            ),
            step.span,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::{render, SourceMap};

    fn spec(text: &str) -> Result<TimingSpec, Diagnostic> {
        TimingSpec::parse_str(text, FileId(0))
    }

    fn timing(text: &str) -> Timing {
        match spec(text) {
            Ok(spec) => spec.timing,
            Err(diag) => panic!("`{text}` should parse: {}", diag.message),
        }
    }

    fn error(text: &str) -> Diagnostic {
        match spec(text) {
            Ok(spec) => panic!("`{text}` should fail, parsed {spec:?}"),
            Err(diag) => diag,
        }
    }

    fn values(text: &str, kind: FieldKind) -> Vec<u8> {
        timing(text).field(kind).values().collect()
    }

    // ---- fields: lists, ranges, steps, names, Sunday ----

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
    fn lists_ranges_and_steps_match() {
        let s = timing("10,25,40,55 6-18 * * 1-5");
        assert!(s.matches(25, 6, 3, 4, 1));
        assert!(!s.matches(26, 6, 3, 4, 1));
        assert!(!s.matches(25, 19, 3, 4, 1));
        assert!(!s.matches(25, 6, 3, 4, 0));
        let s = timing("*/15 7-23/4 * * *");
        assert!(s.matches(45, 11, 1, 1, 3));
        assert!(!s.matches(45, 12, 1, 1, 3));
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
        // Both spellings of Sunday match a Sunday given as 0 or 7.
        let s = timing("0 0 * * 7");
        assert!(s.matches(0, 0, 9, 9, 0));
        assert!(s.matches(0, 0, 9, 9, 7));
        assert!(!s.matches(0, 0, 9, 9, 6));
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
        assert_eq!(values("0 * * * MON", FieldKind::DayOfWeek), [1]);
    }

    // ---- the day rule ----

    #[test]
    fn restricted_day_fields_match_either() {
        let s = timing("0 0 1 * 1");
        assert!(s.matches(0, 0, 1, 5, 3), "the first");
        assert!(s.matches(0, 0, 2, 5, 1), "a Monday");
        assert!(!s.matches(0, 0, 2, 5, 2), "neither");
    }

    #[test]
    fn a_day_field_starting_with_star_makes_both_count() {
        let weekdays = timing("0 0 * * 1-5");
        assert!(weekdays.matches_day(24, 11, 2));
        assert!(!weekdays.matches_day(29, 11, 0), "a Sunday");
        // `*/2` in day-of-month counts as `*`: odd days that are also Mondays.
        let quirk = timing("0 0 */2 * 1");
        assert!(quirk.matches_day(23, 11, 1), "Monday the 23rd");
        assert!(!quirk.matches_day(30, 11, 1), "Monday the 30th");
        assert!(!quirk.matches_day(25, 11, 3), "Wednesday the 25th");
    }

    #[test]
    fn impossible_dates_are_recognised() {
        assert!(timing("0 0 31 2 *").never_matches());
        assert!(timing("0 0 30,31 feb *").never_matches());
        assert!(
            !timing("0 0 31 2 1").never_matches(),
            "Mondays in February match"
        );
        assert!(!timing("0 0 31 1-2 *").never_matches());
        assert!(!timing("0 0 29 2 *").never_matches());
    }

    // ---- the whole spec: drift, text ----

    #[test]
    fn drift_is_kept_and_the_text_is_as_written() {
        let s = spec("0 0 * * 7 5").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(s.drift, Some(5));
        assert_eq!(s.drift_minutes(), 5);
        assert_eq!(s.to_string(), "0 0 * * 7 5");
        assert_eq!(s.timing.text(), "0 0 * * 7");
        assert_eq!(s.span, Span::new(FileId(0), 0, 11));
        let s = spec("*/15\t7-23/4 * * *").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(s.drift, None);
        assert_eq!(s.drift_minutes(), 0);
        assert_eq!(s.to_string(), "*/15 7-23/4 * * *");
        let s = spec("0 * * * * 1439").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(s.drift, Some(MAX_DRIFT));
    }

    #[test]
    fn wrong_word_count() {
        let err = error("0 * * *");
        assert_eq!(
            err.message,
            "a timing needs 5 fields and an optional drift, found 4 words"
        );
        assert_eq!(err.span, Some(Span::new(FileId(0), 0, 7)));
        let err = error("0");
        assert_eq!(
            err.message,
            "a timing needs 5 fields and an optional drift, found 1 word"
        );
        let err = error("0 * * * * 1 2");
        assert_eq!(
            err.message,
            "a timing needs 5 fields and an optional drift, found 7 words"
        );
    }

    #[test]
    fn drift_errors() {
        let err = error("0 * * * * 1440");
        assert_eq!(err.message, "drift `1440` is out of range 0-1439");
        assert_eq!(err.span, Some(Span::new(FileId(0), 10, 14)));
        assert_eq!(
            err.help.as_deref(),
            Some("the drift is the largest random start delay, in minutes from 0 to 1439")
        );
        let err = error("0 * * * * +5");
        assert_eq!(err.message, "invalid drift `+5`");
        let err = error("0 * * * * 99999999999");
        assert_eq!(err.message, "drift `99999999999` is out of range 0-1439");
    }

    // ---- errors point at the wrong part ----

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
        let diag = error("5-1 * * * *");
        assert_eq!(diag.message, "the minute range `5-1` goes backwards");
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
    fn rendered_error_in_a_file_points_into_the_word() {
        let mut map = SourceMap::new();
        let text = "\ttiming 0 1-2/x * * *\n";
        let file = map.add("alerts.cfg", text);
        let (words, _) = split_words(text.trim_end(), Span::new(file, 0, 0));
        let args = words.get(1..).unwrap_or(&[]);
        let diag = TimingSpec::parse(args, Span::new(file, 8, 21))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            render(&map, &diag),
            "error: the hour step `x` must be a number from 1 to 24\n \
             --> alerts.cfg:1:15\n  \
             |\n\
             1 | \ttiming 0 1-2/x * * *\n  \
             | \t             ^\n"
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
        let diag = error("1-2/4294967295 * * * *");
        assert_eq!(
            diag.message,
            "the minute step `4294967295` must be a number from 1 to 60"
        );
    }

    #[test]
    fn non_ascii_does_not_panic() {
        let diag = error("é,ü-ß/€ * * * *");
        assert_eq!(
            diag.message,
            "expected a number in the minute field, found `é`"
        );
        assert_eq!(diag.span, Some(Span::new(FileId(0), 0, 2)));
        let diag = error("* * * * \"");
        assert_eq!(diag.message, "unterminated string");
    }
}
