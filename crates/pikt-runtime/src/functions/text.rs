//! String functions: `$left`, `$mid`, `$basename`, `#index`, `#length`, ...
//!
//! Positions and lengths count characters (Unicode scalar values), never
//! bytes, so no input can split a character. Positions are 1-based.

use super::args::Call;
use super::{FnEnv, FnResult};
use crate::shell::{double_quote, shell_quote};
use crate::value::{format_number, Str, Value};

/// The most bytes `$repeat` may produce (16 MiB).
pub(super) const MAX_REPEAT_BYTES: usize = 16 << 20;

/// `#length(s)`: the number of characters.
pub(super) fn length(call: &Call) -> FnResult {
    Ok(count(call.text(0)?.chars().count()))
}

/// `#code(s)`: the code of the first character, 0 for the empty string.
pub(super) fn code(call: &Call) -> FnResult {
    let first = call.text(0)?.chars().next();
    Ok(Value::Num(first.map_or(0.0, |c| f64::from(u32::from(c)))))
}

/// `$char(i)`: the character with code `i`.
pub(super) fn char(call: &Call) -> FnResult {
    let code = call.int(0)?;
    u32::try_from(code)
        .ok()
        .and_then(char::from_u32)
        .map(|c| Value::Str(Str::from(&*c.encode_utf8(&mut [0; 4]))))
        .ok_or_else(|| call.error(format_args!("has no character with code {code}")))
}

/// `#index(s, t)`: the 1-based position of the first `t` in `s`, 0 if there
/// is none. The empty string is found at position 1, as in awk.
pub(super) fn index(call: &Call) -> FnResult {
    let haystack = call.text(0)?;
    let needle = call.text(1)?;
    Ok(match haystack.find(needle.as_ref()) {
        // `find` returns a byte offset on a character boundary.
        Some(byte) => count(haystack.get(..byte).map_or(0, |s| s.chars().count()) + 1),
        None => Value::Num(0.0),
    })
}

/// `$left(s, i)`: the first `i` characters.
pub(super) fn left(call: &Call) -> FnResult {
    let s = call.text(0)?;
    let n = call.count(1)?;
    Ok(Value::Str(s.chars().take(n).collect()))
}

/// `$chop(s[, i])`: `s` without its last `i` characters (default 1); `""`
/// when it has no more than that.
pub(super) fn chop(call: &Call) -> FnResult {
    let s = call.text(0)?;
    let n = match call.optional(1) {
        Some(_) => call.count(1)?,
        None => 1,
    };
    let keep = s.chars().count().saturating_sub(n);
    Ok(Value::Str(s.chars().take(keep).collect()))
}

/// `$right(s, i)`: the last `i` characters.
pub(super) fn right(call: &Call) -> FnResult {
    let s = call.text(0)?;
    let n = call.count(1)?;
    let skip = s.chars().count().saturating_sub(n);
    Ok(Value::Str(s.chars().skip(skip).collect()))
}

/// `$mid(s, i[, j])`: the characters at positions `i` to `i + j - 1`
/// (to the end without `j`), clamped to the string as awk's `substr` is:
/// `$mid("hello", 0, 2)` is `"h"`.
pub(super) fn mid(call: &Call) -> FnResult {
    let s = call.text(0)?;
    let start = call.int(1)?;
    let end = match call.optional(2) {
        // Exclusive end position; counts beyond i64 saturate.
        Some(_) => start.saturating_add(i64::try_from(call.count(2)?).unwrap_or(i64::MAX)),
        None => i64::MAX,
    };
    let first = start.max(1);
    if end <= first {
        return Ok(Value::str(""));
    }
    let skip = usize::try_from(first - 1).unwrap_or(usize::MAX);
    let take = usize::try_from(end - first).unwrap_or(usize::MAX);
    Ok(Value::Str(s.chars().skip(skip).take(take).collect()))
}

/// `$repeat(s, i)`: `s` repeated `i` times, at most 16 MiB.
pub(super) fn repeat(call: &Call) -> FnResult {
    let s = call.text(0)?;
    let times = call.count(1)?;
    match s.len().checked_mul(times) {
        Some(total) if total <= MAX_REPEAT_BYTES => Ok(Value::Str(Str::from(s.repeat(times)))),
        _ => Err(call.error(format_args!(
            "would make a string longer than {} MiB",
            MAX_REPEAT_BYTES >> 20
        ))),
    }
}

pub(super) fn lower(call: &Call) -> FnResult {
    Ok(Value::Str(Str::from(call.text(0)?.to_lowercase())))
}

pub(super) fn upper(call: &Call) -> FnResult {
    Ok(Value::Str(Str::from(call.text(0)?.to_uppercase())))
}

/// `$trim(s)`: `s` without leading and trailing white space.
pub(super) fn trim(call: &Call) -> FnResult {
    Ok(Value::str(call.text(0)?.trim()))
}

/// `$squote(s)`: `s` as one single-quoted shell word; a `'` inside is
/// written `'\''`, so the shell reads back exactly `s`.
pub(super) fn squote(call: &Call) -> FnResult {
    Ok(Value::Str(Str::from(shell_quote(&call.text(0)?))))
}

/// `$dquote(s)`: `s` between double quotes, with `\`, `$`, `` ` `` and `"`
/// escaped by a backslash, so the shell reads back exactly `s`.
pub(super) fn dquote(call: &Call) -> FnResult {
    Ok(Value::Str(Str::from(double_quote(&call.text(0)?))))
}

/// `$text(x)`: numbers as Pikt prints them; strings unchanged.
pub(super) fn text(call: &Call) -> FnResult {
    Ok(match call.value(0)? {
        Value::Num(n) => Value::Str(format_number(*n)),
        Value::Str(s) => Value::Str(s.clone()),
    })
}

/// `$getenv(name)`: the variable's value, or the empty string.
pub(super) fn getenv(call: &Call, env: &dyn FnEnv) -> FnResult {
    let value = env.getenv(&call.text(0)?).unwrap_or_default();
    Ok(Value::Str(Str::from(value)))
}

/// `$basename(s)`, as basename(1): `"/usr/lib/"` → `"lib"`, `"/"` → `"/"`.
pub(super) fn basename(call: &Call) -> FnResult {
    Ok(Value::str(base_name(&call.text(0)?)))
}

/// `$dirname(s)`, as dirname(1): `"/usr/lib"` → `"/usr"`, `"lib"` → `"."`.
pub(super) fn dirname(call: &Call) -> FnResult {
    Ok(Value::str(dir_name(&call.text(0)?)))
}

fn base_name(path: &str) -> &str {
    if path.is_empty() {
        return "";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

fn dir_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    match trimmed.rfind('/') {
        None => ".",
        Some(slash) => {
            let parent = trimmed.get(..slash).unwrap_or("").trim_end_matches('/');
            if parent.is_empty() {
                "/"
            } else {
                parent
            }
        }
    }
}

/// A character count as a Pikt number.
fn count(n: usize) -> Value {
    #[allow(clippy::cast_precision_loss)]
    Value::Num(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_follow_basename_1() {
        let cases = [
            ("/usr/lib", "lib"),
            ("/usr/lib/", "lib"),
            ("lib", "lib"),
            ("/", "/"),
            ("///", "/"),
            ("", ""),
            ("a//b//", "b"),
        ];
        for (path, want) in cases {
            assert_eq!(base_name(path), want, "{path:?}");
        }
    }

    #[test]
    fn dir_names_follow_dirname_1() {
        let cases = [
            ("/usr/lib", "/usr"),
            ("/usr/lib/", "/usr"),
            ("/usr/", "/"),
            ("usr", "."),
            ("/", "/"),
            ("", "."),
            ("//a//b//", "//a"),
            ("a/b", "a"),
            ("/a", "/"),
        ];
        for (path, want) in cases {
            assert_eq!(dir_name(path), want, "{path:?}");
        }
    }
}
