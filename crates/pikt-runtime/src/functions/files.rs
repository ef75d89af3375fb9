//! Functions that look at files: `#age`, `#exists`, `#filesize`, `#isdir`,
//! `#isfile`, `#lines`.
//!
//! They follow symbolic links, as test(1) does. A file that cannot be looked
//! at is not an error: the file tests answer 0 and the measuring functions
//! `#err()` (-1), so a monitoring script can report it. The files are
//! reached through [`FnEnv`].

use std::io::{BufRead, ErrorKind, Read};

use super::args::Call;
use super::math::ERR;
use super::time::{find_name, to_timevalue, zoned_at, MONTHS};
use super::{FnEnv, FnError, FnResult};
use crate::host::FileKind;
use crate::value::Value;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// `#exists(path)`: 1 if `path` names anything.
pub(super) fn exists(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    Ok(Value::bool(env.stat_file(&call.text(0)?).is_ok()))
}

/// `#filesize(path)`: the size of `path` in bytes (following symbolic
/// links, as `ls -lL` shows it), `#err()` if it cannot be looked at.
pub(super) fn filesize(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let stat = env.stat_file(&call.text(0)?);
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::Num(stat.map_or(ERR, |s| s.len as f64)))
}

/// `#isdir(path)`: 1 if `path` is a directory.
pub(super) fn is_dir(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let stat = env.stat_file(&call.text(0)?);
    Ok(Value::bool(stat.is_ok_and(|s| s.kind == FileKind::Dir)))
}

/// `#isfile(path)`: 1 if `path` is a regular file.
pub(super) fn is_file(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let stat = env.stat_file(&call.text(0)?);
    Ok(Value::bool(stat.is_ok_and(|s| s.kind == FileKind::File)))
}

/// `#lines(path)`: the number of lines in a file: its newlines, plus one
/// for a last line without a newline. `#err()` if it cannot be read or is
/// not a regular file (a FIFO or `/dev/zero` would never end).
pub(super) fn lines(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let path = call.text(0)?;
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::Num(
        count_lines(&path, env).map_or(ERR, |n| n as f64),
    ))
}

fn count_lines(path: &str, env: &mut dyn FnEnv) -> std::io::Result<u64> {
    let mut file = open_regular(path, env)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut newlines: u64 = 0;
    let mut last = b'\n';
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        last = chunk.last().copied().unwrap_or(last);
    }
    Ok(newlines + u64::from(last != b'\n'))
}

/// Opens `path` for reading if it is a regular file. Checking first keeps
/// the open itself from blocking on a FIFO.
pub(super) fn open_regular(path: &str, env: &mut dyn FnEnv) -> std::io::Result<Box<dyn BufRead>> {
    if env.stat_file(path)?.kind != FileKind::File {
        return Err(std::io::Error::other("not a regular file"));
    }
    env.open_file(path)
}

/// `#age(path)`: whole days since `path` was last modified; or
/// `#age(month, day, year-or-hh:mm)`: whole days since that `ls -l` date.
/// Ages truncate toward zero, so a time less than a day in the future is 0.
pub(super) fn age(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    match call.args.len() {
        1 => Ok(Value::Num(file_age(&call.text(0)?, env))),
        3 => listing_age(call, env),
        _ => Err(call.error("takes a path, or a month, day and year or time of day")),
    }
}

/// Whole days since the modification of `path`, `#err()` if it has none.
fn file_age(path: &str, env: &mut dyn FnEnv) -> f64 {
    let modified = env.stat_file(path).ok().and_then(|s| s.modified);
    let Some(modified) = modified else {
        return ERR;
    };
    #[allow(clippy::cast_precision_loss)]
    days_between(modified as f64, env.now())
}

/// The age of the date `ls -l` shows as `Apr 25 2000` or `Apr 25 05:17`.
/// With a time of day the year is left out: it is this year, or last year
/// if that would be in the future (ls shows times only for past dates).
fn listing_age(call: &Call, env: &dyn FnEnv) -> FnResult {
    let month_text = call.text(0)?;
    let month = find_name(&MONTHS, &month_text)
        .ok_or_else(|| call.error(format_args!("does not know the month name `{month_text}`")))?;
    let month = i64::try_from(month).unwrap_or(0) + 1;
    let day = call.int(1)?;
    if !(1..=31).contains(&day) {
        return Err(call.error(format_args!(
            "needs a day of the month from 1 to 31, got {day}"
        )));
    }
    let now = env.now();
    let tz = env.time_zone();
    let last = call.text(2)?;
    let then = if let Some((hour, minute)) = parse_clock(&last) {
        let this_year = i64::from(zoned_at(call, tz.clone(), now)?.year());
        let fields = |year| [year, month, day, hour, minute, 0];
        let then = to_timevalue(call, &tz, fields(this_year))?.to_num();
        if then > now {
            to_timevalue(call, &tz, fields(this_year - 1))?.to_num()
        } else {
            then
        }
    } else {
        let year = parse_year(&last).ok_or_else(|| bad_year(call, &last))?;
        to_timevalue(call, &tz, [year, month, day, 0, 0, 0])?.to_num()
    };
    Ok(Value::Num(days_between(then, now)))
}

/// `"hh:mm"` as hour and minute.
fn parse_clock(text: &str) -> Option<(i64, i64)> {
    let (hour, minute) = text.trim().split_once(':')?;
    let hour: i64 = hour.parse().ok()?;
    let minute: i64 = minute.parse().ok()?;
    ((0..24).contains(&hour) && (0..60).contains(&minute)).then_some((hour, minute))
}

/// A four-digit (or shorter) year.
fn parse_year(text: &str) -> Option<i64> {
    let text = text.trim();
    let all_digits =
        !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit());
    all_digits.then(|| text.parse().ok()).flatten()
}

fn bad_year(call: &Call, text: &str) -> FnError {
    call.error(format_args!(
        "needs a year (yyyy) or a time of day (hh:mm) as its 3rd argument, got `{text}`"
    ))
}

/// Whole days from `then` to `now`, truncated toward zero.
fn days_between(then: f64, now: f64) -> f64 {
    ((now - then) / SECONDS_PER_DAY).trunc()
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values are the point
mod tests {
    use super::*;

    #[test]
    fn clocks_and_years_parse_strictly() {
        assert_eq!(parse_clock("05:17"), Some((5, 17)));
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("5"), None);
        assert_eq!(parse_year("2000"), Some(2000));
        assert_eq!(parse_year("20000"), None);
        assert_eq!(parse_year("+200"), None);
    }

    #[test]
    fn days_truncate_toward_zero() {
        assert_eq!(days_between(0.0, 86_399.0), 0.0);
        assert_eq!(days_between(0.0, 86_400.0), 1.0);
        assert_eq!(days_between(100.0, 0.0), 0.0);
        assert_eq!(days_between(200_000.0, 0.0), -2.0);
    }
}
