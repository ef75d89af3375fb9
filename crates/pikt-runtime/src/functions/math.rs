//! Arithmetic and logic: `#abs`, `#avg`, `#round`, `#and`, `#rand`, ...
//!
//! Arguments convert to numbers as everywhere in Pikt: strings by their
//! leading number. Truth is [`Value::truthy`].

use super::args::Call;
use super::{FnEnv, FnResult};
use crate::value::{format_number, parse_leading_number, Value};

/// The value of `#err()`: the error sentinel that `#fopen`, `#lines`, `#age`
/// and friends return.
pub(super) const ERR: f64 = -1.0;

pub(super) fn abs(call: &Call) -> FnResult {
    Ok(Value::Num(call.num(0)?.abs()))
}

pub(super) fn ceiling(call: &Call) -> FnResult {
    Ok(Value::Num(call.num(0)?.ceil()))
}

pub(super) fn floor(call: &Call) -> FnResult {
    Ok(Value::Num(call.num(0)?.floor()))
}

/// `#int(n)`: the largest whole number not above `n` (`#int(-3.5)` is -4);
/// `#trunc` is the one that cuts toward zero (`docs/functions.md`).
pub(super) fn int(call: &Call) -> FnResult {
    Ok(Value::Num(call.num(0)?.floor()))
}

/// `#trunc(n)`: `n` with its fraction cut off (`#trunc(-3.75)` is -3).
pub(super) fn trunc(call: &Call) -> FnResult {
    Ok(Value::Num(call.num(0)?.trunc()))
}

pub(super) fn sqrt(call: &Call) -> FnResult {
    let n = call.num(0)?;
    if n < 0.0 {
        return Err(call.error(format_args!(
            "needs a number that is not negative, got {}",
            format_number(n)
        )));
    }
    Ok(Value::Num(n.sqrt()))
}

/// `#round(x[, digits])`: halves round away from zero; negative `digits`
/// round to tens, hundreds, ...
pub(super) fn round(call: &Call) -> FnResult {
    let x = call.num(0)?;
    let digits = match call.optional(1) {
        Some(_) => call.int(1)?,
        None => 0,
    };
    Ok(Value::Num(round_to(x, digits)))
}

/// `x` rounded to `digits` decimal places, half away from zero.
fn round_to(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // f64 has at most ~17 significant digits and exponents within ±308:
    // beyond these bounds the answer is `x` itself, or 0.
    let digits = digits.clamp(-400, 400);
    #[allow(clippy::cast_possible_truncation)]
    let scale = 10f64.powi(digits as i32);
    let scaled = x * scale;
    if !scaled.is_finite() || scaled.abs() >= 2f64.powi(53) {
        // Already whole at this precision (or too fine to express).
        return x;
    }
    if scale == 0.0 {
        return 0.0;
    }
    scaled.round() / scale
}

/// `#and(x1, ...)`: 1 if every argument is true.
pub(super) fn and(call: &Call) -> FnResult {
    call.value(0)?;
    Ok(Value::bool(call.args.iter().all(Value::truthy)))
}

/// `#or(x1, ...)`: 1 if any argument is true.
pub(super) fn or(call: &Call) -> FnResult {
    call.value(0)?;
    Ok(Value::bool(call.args.iter().any(Value::truthy)))
}

/// `#xor(x, y)`: 1 if exactly one of the two is true.
pub(super) fn xor(call: &Call) -> FnResult {
    let a = call.value(0)?.truthy();
    let b = call.value(1)?.truthy();
    Ok(Value::bool(a != b))
}

pub(super) fn not(call: &Call) -> FnResult {
    Ok(Value::bool(!call.value(0)?.truthy()))
}

/// `#sum(n1, ...)`.
pub(super) fn sum(call: &Call) -> FnResult {
    call.value(0)?;
    Ok(Value::Num(call.args.iter().map(Value::to_num).sum()))
}

/// `#avg(n1, ...)`: the arithmetic mean.
pub(super) fn avg(call: &Call) -> FnResult {
    // Reading the first argument reports a call with none (here and in
    // the other functions of any number of arguments).
    call.value(0)?;
    let total: f64 = call.args.iter().map(Value::to_num).sum();
    #[allow(clippy::cast_precision_loss)]
    let count = call.args.len() as f64;
    Ok(Value::Num(total / count))
}

pub(super) fn max(call: &Call) -> FnResult {
    extreme(call, f64::max)
}

pub(super) fn min(call: &Call) -> FnResult {
    extreme(call, f64::min)
}

/// Folds the arguments with `pick` (`f64::max`/`f64::min` skip NaN).
fn extreme(call: &Call, pick: fn(f64, f64) -> f64) -> FnResult {
    let first = call.num(0)?;
    let rest = call.args.iter().skip(1).map(Value::to_num);
    Ok(Value::Num(rest.fold(first, pick)))
}

/// `#rand()` in `[0, 1)`; `#rand(n)` a whole number in `[0, n)`.
pub(super) fn rand(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let r = env.random();
    // A broken generator must not break the promised range.
    let r = if (0.0..1.0).contains(&r) { r } else { 0.0 };
    if call.optional(0).is_none() {
        return Ok(Value::Num(r));
    }
    let n = call.int(0)?;
    if n < 1 {
        return Err(call.error(format_args!("needs a positive bound, got {n}")));
    }
    #[allow(clippy::cast_precision_loss)]
    let bound = n as f64;
    // `r * bound` can round up to `bound` itself for huge bounds.
    Ok(Value::Num((r * bound).floor().min(bound - 1.0)))
}

/// `#val(s)`: the leading number of `s`; numbers pass through.
pub(super) fn val(call: &Call) -> FnResult {
    Ok(Value::Num(match call.value(0)? {
        Value::Num(n) => *n,
        Value::Str(s) => parse_leading_number(s),
    }))
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values are the point
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_to(2.5, 0), 3.0);
        assert_eq!(round_to(-2.5, 0), -3.0);
        assert_eq!(round_to(1.25, 1), 1.3);
        assert_eq!(round_to(1234.0, -2), 1200.0);
        assert_eq!(round_to(1250.0, -2), 1300.0);
        assert_eq!(round_to(3.0, 400), 3.0);
        assert_eq!(round_to(3.0, -400), 0.0);
        assert_eq!(round_to(1e300, 10), 1e300);
        assert!(round_to(f64::NAN, 1).is_nan());
    }
}
