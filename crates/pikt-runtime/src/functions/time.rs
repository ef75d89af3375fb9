//! Clock and calendar functions.
//!
//! A *timevalue* is a number of seconds since the Unix epoch; `#now()`,
//! `#datevalue()` and `#timevalue()` make them, and every function with an
//! optional `t` argument reads one (now when it is left out). A fraction of a
//! second is dropped. Calendar fields are those of the local time zone,
//! [`FnEnv::time_zone`]. Where a function takes a month or weekday, a name
//! (`"Apr"`, `"april"`, `"Tue"`) is accepted as well as a timevalue.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};

use super::args::Call;
use super::{FnEnv, FnError, FnResult};
use crate::value::{format_number, looks_numeric, Value};

/// Month names, January first.
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Weekday names, Sunday first (Sunday is weekday 0, daynumber 1).
pub(super) const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `#now()`: the current timevalue, in whole seconds.
pub(super) fn now(env: &dyn FnEnv) -> Value {
    Value::Num(env.now().floor())
}

pub(super) fn year(call: &Call, env: &dyn FnEnv) -> FnResult {
    field(call, env, |z| i64::from(z.year()))
}

pub(super) fn day(call: &Call, env: &dyn FnEnv) -> FnResult {
    field(call, env, |z| i64::from(z.day()))
}

pub(super) fn hour(call: &Call, env: &dyn FnEnv) -> FnResult {
    field(call, env, |z| i64::from(z.hour()))
}

pub(super) fn minute(call: &Call, env: &dyn FnEnv) -> FnResult {
    field(call, env, |z| i64::from(z.minute()))
}

pub(super) fn second(call: &Call, env: &dyn FnEnv) -> FnResult {
    field(call, env, |z| i64::from(z.second()))
}

/// `#month([t])`: 1–12, of now, of timevalue `t`, or of month name `t`.
pub(super) fn month_number(call: &Call, env: &dyn FnEnv) -> FnResult {
    if let Some(month) = named_arg(call, &MONTHS, "month")? {
        return Ok(small(month + 1));
    }
    field(call, env, |z| i64::from(z.month()))
}

/// `#weekday([t])`: 0–6 with 0 = Sunday (as cron counts).
pub(super) fn weekday_number(call: &Call, env: &dyn FnEnv) -> FnResult {
    if let Some(day) = named_arg(call, &WEEKDAYS, "weekday")? {
        return Ok(small(day));
    }
    field(call, env, |z| {
        i64::from(z.weekday().to_sunday_zero_offset())
    })
}

/// `#daynumber([t])`: 1–7 with 1 = Sunday, i.e. `#weekday() + 1`.
pub(super) fn daynumber(call: &Call, env: &dyn FnEnv) -> FnResult {
    if let Some(day) = named_arg(call, &WEEKDAYS, "weekday")? {
        return Ok(small(day + 1));
    }
    field(call, env, |z| i64::from(z.weekday().to_sunday_one_offset()))
}

/// `$month([t])`: `"Apr"`.
pub(super) fn month_name(call: &Call, env: &dyn FnEnv) -> FnResult {
    let z = zoned_arg(call, env)?;
    Ok(Value::str(abbreviation(
        &MONTHS,
        usize::from(z.month().unsigned_abs()) - 1,
    )))
}

/// `$weekday([t])`: `"Tue"`.
pub(super) fn weekday_name(call: &Call, env: &dyn FnEnv) -> FnResult {
    let z = zoned_arg(call, env)?;
    let day = usize::from(z.weekday().to_sunday_zero_offset().unsigned_abs());
    Ok(Value::str(abbreviation(&WEEKDAYS, day)))
}

/// `$ampm([t])`: `"AM"` before noon, else `"PM"`.
pub(super) fn ampm(call: &Call, env: &dyn FnEnv) -> FnResult {
    let z = zoned_arg(call, env)?;
    Ok(Value::str(if z.hour() < 12 { "AM" } else { "PM" }))
}

/// `$date([t])`: the date part of ctime(3), `"Tue Apr 25 2000"` (the day of
/// the month padded to two places with a space: `"Wed Apr  5 2000"`).
pub(super) fn date(call: &Call, env: &dyn FnEnv) -> FnResult {
    let z = zoned_arg(call, env)?;
    let weekday = usize::from(z.weekday().to_sunday_zero_offset().unsigned_abs());
    let month = usize::from(z.month().unsigned_abs()) - 1;
    Ok(Value::Str(compact_str::format_compact!(
        "{} {} {:2} {}",
        abbreviation(&WEEKDAYS, weekday),
        abbreviation(&MONTHS, month),
        z.day(),
        z.year()
    )))
}

/// `$time([t])`: `"05:17:02"`.
pub(super) fn time(call: &Call, env: &dyn FnEnv) -> FnResult {
    let z = zoned_arg(call, env)?;
    Ok(Value::Str(compact_str::format_compact!(
        "{:02}:{:02}:{:02}",
        z.hour(),
        z.minute(),
        z.second()
    )))
}

/// `#datevalue(y, m, d)`: the timevalue of local midnight starting that day.
pub(super) fn datevalue(call: &Call, env: &dyn FnEnv) -> FnResult {
    let fields = [call.int(0)?, call.int(1)?, call.int(2)?, 0, 0, 0];
    to_timevalue(call, &env.time_zone(), fields)
}

/// `#timevalue(y, mo, d[, h[, mi[, s]]])`: the timevalue of that local time.
pub(super) fn timevalue(call: &Call, env: &dyn FnEnv) -> FnResult {
    let mut fields = [0; 6];
    for (index, slot) in fields.iter_mut().enumerate() {
        if index < 3 || call.optional(index).is_some() {
            *slot = call.int(index)?;
        }
    }
    to_timevalue(call, &env.time_zone(), fields)
}

/// The timevalue of the local time `[year, month, day, hour, minute,
/// second]`. Fields out of their range carry over as mktime(3) does:
/// month 13 is January of the next year, day 0 the last day of the previous
/// month, hour 24 midnight of the next day. A local time that a daylight
/// saving change skips or repeats resolves as jiff's "compatible" rule (the
/// later offset for a gap, the earlier for a fold).
pub(super) fn to_timevalue(call: &Call, tz: &TimeZone, fields: [i64; 6]) -> FnResult {
    let out_of_range = || call.error("gives a date out of range");
    let [year, month, day, hour, minute, second] = fields;
    let year = i16::try_from(year).map_err(|_| out_of_range())?;
    let jan1 = Date::new(year, 1, 1).map_err(|_| out_of_range())?;
    let seconds = hour
        .checked_mul(3600)
        .and_then(|h| minute.checked_mul(60).and_then(|m| h.checked_add(m)))
        .and_then(|hm| hm.checked_add(second))
        .ok_or_else(out_of_range)?;
    // Months first (from the 1st, so nothing clamps), then days, then time.
    let steps = [
        Span::new().try_months(month.saturating_sub(1)),
        Span::new().try_days(day.saturating_sub(1)),
        Span::new().try_seconds(seconds),
    ];
    let mut at: DateTime = jan1.at(0, 0, 0, 0);
    for step in steps {
        let step = step.map_err(|_| out_of_range())?;
        at = at.checked_add(step).map_err(|_| out_of_range())?;
    }
    let stamp = tz
        .to_ambiguous_timestamp(at)
        .compatible()
        .map_err(|_| out_of_range())?;
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::Num(stamp.as_second() as f64))
}

/// Applies `get` to the local time of the optional timevalue argument.
fn field(call: &Call, env: &dyn FnEnv, get: fn(&Zoned) -> i64) -> FnResult {
    let z = zoned_arg(call, env)?;
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::Num(get(&z) as f64))
}

/// The local time of the first argument, or of now without one.
fn zoned_arg(call: &Call, env: &dyn FnEnv) -> Result<Zoned, FnError> {
    let seconds = match call.optional(0) {
        Some(_) => call.num(0)?,
        None => env.now(),
    };
    zoned_at(call, env.time_zone(), seconds)
}

/// The local time of timevalue `seconds` in `tz`.
pub(super) fn zoned_at(call: &Call, tz: TimeZone, seconds: f64) -> Result<Zoned, FnError> {
    let out_of_range = || {
        call.error(format_args!(
            "needs a timevalue within years -9999 to 9999, got {}",
            format_number(seconds)
        ))
    };
    if !seconds.is_finite() {
        return Err(out_of_range());
    }
    // Saturation of `as` is harmless: such a value is refused just below.
    #[allow(clippy::cast_possible_truncation)]
    let whole = seconds.floor() as i64;
    let stamp = Timestamp::from_second(whole).map_err(|_| out_of_range())?;
    Ok(stamp.to_zoned(tz))
}

/// For functions that accept a name instead of a timevalue: the index in
/// `names` of a string argument that is not a number, or an error naming
/// `what` if it is no such name. `None` when the argument is absent or
/// numeric.
fn named_arg(call: &Call, names: &[&str], what: &str) -> Result<Option<usize>, FnError> {
    match call.optional(0) {
        Some(Value::Str(s)) if !looks_numeric(s) => find_name(names, s)
            .map(Some)
            .ok_or_else(|| call.error(format_args!("does not know the {what} name `{s}`"))),
        _ => Ok(None),
    }
}

/// The index of `name` in `names`, matching the full name or its first three
/// letters, ignoring case and surrounding blanks.
pub(super) fn find_name(names: &[&str], name: &str) -> Option<usize> {
    let name = name.trim();
    names.iter().position(|full| {
        full.eq_ignore_ascii_case(name)
            || full
                .get(..3)
                .is_some_and(|abbr| abbr.eq_ignore_ascii_case(name))
    })
}

/// The three-letter abbreviation of `names[index]`.
fn abbreviation(names: &[&'static str], index: usize) -> &'static str {
    names
        .get(index)
        .and_then(|name| name.get(..3))
        .unwrap_or("???")
}

/// A small whole number as a Pikt number.
fn small(n: usize) -> Value {
    #[allow(clippy::cast_precision_loss)]
    Value::Num(n as f64)
}
