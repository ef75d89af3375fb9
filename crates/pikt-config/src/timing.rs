//! Crontab timing specs, shared by alerts.cfg `timing` lines and piktd.conf.
//!
//! ```text
//! <minute> <hour> <day-of-month> <month> <day-of-week> [<drift>]
//! ```
//!
//! Each field is `*` or a comma-separated list of items; an item is `N`,
//! `A-B`, `*/S` or `A-B/S`. Ranges: minute 0-59, hour 0-23, day of month
//! 1-31, month 1-12, day of week 0-7 (both 0 and 7 are Sunday, as in Vixie
//! cron). Month and day names are not accepted (PIKT's samples use numbers
//! only). The optional sixth number is the drift in minutes (0-1439).
//!
//! Matching follows cron: when both day fields are restricted (neither is
//! `*`), a day matches if *either* matches.

use std::fmt;

use pikt_source::{Diagnostic, Span};

use crate::words::Word;

/// Largest drift, in minutes (just under a day).
pub const MAX_DRIFT: u32 = 1439;

/// Which of the five fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// 0-59.
    Minute,
    /// 0-23.
    Hour,
    /// 1-31.
    DayOfMonth,
    /// 1-12.
    Month,
    /// 0-7, 0 and 7 = Sunday.
    DayOfWeek,
}

impl FieldKind {
    /// The five fields in order.
    pub const ALL: [FieldKind; 5] = [
        FieldKind::Minute,
        FieldKind::Hour,
        FieldKind::DayOfMonth,
        FieldKind::Month,
        FieldKind::DayOfWeek,
    ];

    /// Smallest and largest value.
    pub fn bounds(self) -> (u32, u32) {
        match self {
            FieldKind::Minute => (0, 59),
            FieldKind::Hour => (0, 23),
            FieldKind::DayOfMonth => (1, 31),
            FieldKind::Month => (1, 12),
            FieldKind::DayOfWeek => (0, 7),
        }
    }

    /// The name used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            FieldKind::Minute => "minute",
            FieldKind::Hour => "hour",
            FieldKind::DayOfMonth => "day of month",
            FieldKind::Month => "month",
            FieldKind::DayOfWeek => "day of week",
        }
    }
}

/// One parsed field: the set of values it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronField {
    /// The field as written.
    pub text: String,
    /// Bit `n` set when value `n` matches (day of week 7 is folded into 0).
    allowed: u64,
    /// True for a lone `*`.
    any: bool,
}

impl CronField {
    /// Parses `text` as field `kind`; the error message is lower case, with
    /// no location (the caller adds the span).
    pub fn parse(text: &str, kind: FieldKind) -> Result<CronField, String> {
        let (lo, hi) = kind.bounds();
        let mut allowed = 0u64;
        for item in text.split(',') {
            allowed |= parse_item(item, kind, lo, hi)?;
        }
        if kind == FieldKind::DayOfWeek && allowed & (1 << 7) != 0 {
            allowed = (allowed & !(1 << 7)) | 1;
        }
        Ok(CronField {
            text: text.to_string(),
            allowed,
            any: text == "*",
        })
    }

    /// True when `value` matches.
    pub fn matches(&self, value: u32) -> bool {
        value < 64 && self.allowed & (1 << value) != 0
    }

    /// True for `*`.
    pub fn is_any(&self) -> bool {
        self.any
    }
}

/// Parses one list item into a bit set.
fn parse_item(item: &str, kind: FieldKind, lo: u32, hi: u32) -> Result<u64, String> {
    let noun = kind.noun();
    if item.is_empty() {
        return Err(format!("empty item in {noun} field"));
    }
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => {
            let step: u32 = s
                .parse()
                .map_err(|_| format!("invalid step `{s}` in {noun} field"))?;
            if step == 0 {
                return Err(format!("step `0` in {noun} field"));
            }
            (r, step)
        }
        None => (item, 1),
    };
    let (start, end) = if range == "*" {
        (lo, hi)
    } else if let Some((a, b)) = range.split_once('-') {
        let a = number(a, kind)?;
        let b = number(b, kind)?;
        if a > b {
            return Err(format!("backwards range `{range}` in {noun} field"));
        }
        (a, b)
    } else {
        let n = number(range, kind)?;
        // `N/S` means N, N+S, ... up to the maximum, as in Vixie cron.
        (n, if item.contains('/') { hi } else { n })
    };
    let mut bits = 0u64;
    let mut v = start;
    while v <= end {
        bits |= 1 << v;
        v += step;
    }
    Ok(bits)
}

fn number(text: &str, kind: FieldKind) -> Result<u32, String> {
    let (lo, hi) = kind.bounds();
    let noun = kind.noun();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid {noun} `{text}`"));
    }
    match text.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("{noun} `{text}` out of range {lo}-{hi}")),
    }
}

/// A whole timing: five fields and an optional drift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimingSpec {
    /// minute, hour, day of month, month, day of week.
    pub fields: [CronField; 5],
    /// Random start delay bound in minutes, when given.
    pub drift: Option<u32>,
    /// Where the spec is written (the five fields and the drift).
    pub span: Span,
}

impl TimingSpec {
    /// Parses `words` (exactly five fields and an optional drift). `whole` is
    /// the span to blame for a wrong number of fields.
    pub fn parse(words: &[Word], whole: Span) -> Result<TimingSpec, Diagnostic> {
        if words.len() < 5 || words.len() > 6 {
            return Err(Diagnostic::error(
                format!("a timing needs 5 fields and an optional drift, found {} words", words.len()),
                whole,
            )
            .with_help("write `<minute> <hour> <day-of-month> <month> <day-of-week> [<drift>]`, e.g. `0 * * * *`"));
        }
        let mut fields = Vec::with_capacity(5);
        for (word, kind) in words.iter().zip(FieldKind::ALL) {
            let field = CronField::parse(&word.text, kind).map_err(|msg| {
                Diagnostic::error(msg, word.span).with_label(format!("bad {} field", kind.noun()))
            })?;
            fields.push(field);
        }
        let drift = match words.get(5) {
            Some(word) => Some(parse_drift(word)?),
            None => None,
        };
        let fields: [CronField; 5] = fields
            .try_into()
            .map_err(|_| Diagnostic::error("a timing needs 5 fields", whole))?;
        let span = match (words.first(), words.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => whole,
        };
        Ok(TimingSpec {
            fields,
            drift,
            span,
        })
    }

    /// True when the spec fires at this local time. `dow` is 0-6, 0 = Sunday.
    pub fn matches(&self, minute: u32, hour: u32, dom: u32, month: u32, dow: u32) -> bool {
        let [min_f, hour_f, dom_f, mon_f, dow_f] = &self.fields;
        let day = if dom_f.is_any() || dow_f.is_any() {
            dom_f.matches(dom) && dow_f.matches(dow % 7)
        } else {
            dom_f.matches(dom) || dow_f.matches(dow % 7)
        };
        min_f.matches(minute) && hour_f.matches(hour) && mon_f.matches(month) && day
    }
}

impl fmt::Display for TimingSpec {
    /// The fields as written, one space apart, then the drift.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.fields.iter().map(|c| c.text.as_str()).collect();
        write!(f, "{}", texts.join(" "))?;
        if let Some(d) = self.drift {
            write!(f, " {d}")?;
        }
        Ok(())
    }
}

/// Parses a drift value: minutes, 0 to [`MAX_DRIFT`].
pub fn parse_drift(word: &Word) -> Result<u32, Diagnostic> {
    match word.text.parse::<u32>() {
        Ok(n) if n <= MAX_DRIFT && word.text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(
            Diagnostic::error(format!("invalid drift `{}`", word.text), word.span).with_help(
                format!("drift is a number of minutes from 0 to {MAX_DRIFT}"),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::split_words;
    use pikt_source::FileId;

    fn spec(text: &str) -> Result<TimingSpec, Diagnostic> {
        let base = Span::new(FileId(0), 0, text.len());
        let (words, _) = split_words(text, base);
        TimingSpec::parse(&words, base)
    }

    #[test]
    fn lists_ranges_and_steps() {
        let s = spec("10,25,40,55 6-18 * * 1-5").unwrap_or_else(|d| panic!("{d:?}"));
        assert!(s.matches(25, 6, 3, 4, 1));
        assert!(!s.matches(26, 6, 3, 4, 1));
        assert!(!s.matches(25, 19, 3, 4, 1));
        assert!(!s.matches(25, 6, 3, 4, 0));
        let s = spec("*/15 7-23/4 * * *").unwrap_or_else(|d| panic!("{d:?}"));
        assert!(s.matches(45, 11, 1, 1, 3));
        assert!(!s.matches(45, 12, 1, 1, 3));
        assert_eq!(s.drift, None);
    }

    #[test]
    fn day_of_week_seven_is_sunday_and_drift_is_kept() {
        let s = spec("0 0 * * 7 5").unwrap_or_else(|d| panic!("{d:?}"));
        assert!(s.matches(0, 0, 9, 9, 0));
        assert_eq!(s.drift, Some(5));
        assert_eq!(s.to_string(), "0 0 * * 7 5");
    }

    #[test]
    fn restricted_day_fields_match_either() {
        let s = spec("0 0 1 * 1").unwrap_or_else(|d| panic!("{d:?}"));
        assert!(s.matches(0, 0, 1, 5, 3));
        assert!(s.matches(0, 0, 2, 5, 1));
        assert!(!s.matches(0, 0, 2, 5, 2));
    }

    #[test]
    fn errors_name_the_field_and_point_at_it() {
        let err = spec("0 24 * * *")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "hour `24` out of range 0-23");
        assert_eq!(err.span, Some(Span::new(FileId(0), 2, 4)));
        let err = spec("0 * * * mon")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "invalid day of week `mon`");
        let err = spec("5-1 * * * *")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "backwards range `5-1` in minute field");
        let err = spec("*/0 * * * *")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "step `0` in minute field");
        let err = spec("0 * * *").err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            err.message,
            "a timing needs 5 fields and an optional drift, found 4 words"
        );
        let err = spec("0 * * * * 1440")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "invalid drift `1440`");
        let err = spec("1,,2 * * * *")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.message, "empty item in minute field");
    }
}
