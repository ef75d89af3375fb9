//! `$sprintf(format, args...)`: C's printf formatting, as awk has it.
//!
//! Conversions: `%d %i %u` (the number truncated toward zero), `%x %X %o`
//! (negative numbers as 64-bit two's complement), `%f %F %e %E %g %G`, `%c`
//! (a number is a character code, a string gives its first character), `%s`
//! and `%%`. Flags `- + space 0 #`, a width and a precision (either may be
//! `*`, taken from the arguments) work as in C; C's length modifiers
//! (`l`, `h`, ...) are accepted and ignored. Arguments convert as everywhere
//! in Pikt (strings to their leading number, numbers to their printed text).
//! Too few arguments is an error; extra ones are ignored.

use super::args::{ordinal, text_of, whole, Call};
use super::{FnError, FnResult};
use crate::value::{format_number, Str, Value};

/// The widest width or precision accepted.
const MAX_FIELD: usize = 10_000;
/// The longest result (16 MiB, as `$repeat`).
const MAX_OUTPUT: usize = 16 << 20;

/// One conversion's flags, width and precision (C's five flags are bools).
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
}

/// The state of one `$sprintf` call: the arguments still to use and the
/// text produced so far.
struct Formatter<'c, 'a> {
    call: &'c Call<'a>,
    next_arg: usize,
    out: String,
}

/// `$sprintf(format, args...)`.
pub(super) fn sprintf(call: &Call) -> FnResult {
    let format = call.text(0)?;
    let mut formatter = Formatter {
        call,
        next_arg: 1,
        out: String::with_capacity(format.len()),
    };
    let mut rest: &str = &format;
    while let Some(percent) = rest.find('%') {
        formatter
            .out
            .push_str(rest.get(..percent).unwrap_or_default());
        rest = formatter.conversion(rest.get(percent + 1..).unwrap_or_default())?;
        if formatter.out.len() > MAX_OUTPUT {
            return Err(call.error(format_args!(
                "would make a string longer than {} MiB",
                MAX_OUTPUT >> 20
            )));
        }
    }
    formatter.out.push_str(rest);
    Ok(Value::Str(Str::from(formatter.out)))
}

impl<'a> Formatter<'_, 'a> {
    /// Formats the conversion whose text (after `%`) starts `text`; returns
    /// the text after it.
    fn conversion<'t>(&mut self, text: &'t str) -> Result<&'t str, FnError> {
        let (spec, after) = self.parse_spec(text)?;
        let Some(conversion) = after.chars().next() else {
            return Err(self
                .call
                .error("has an unfinished conversion at the end of its format"));
        };
        self.render(&spec, conversion)?;
        Ok(after.get(conversion.len_utf8()..).unwrap_or_default())
    }

    /// Reads flags, width, precision and length modifiers.
    fn parse_spec<'t>(&mut self, text: &'t str) -> Result<(Spec, &'t str), FnError> {
        let mut spec = Spec::default();
        let mut rest = text;
        while let Some(flag) = rest.chars().next() {
            match flag {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.alt = true,
                _ => break,
            }
            rest = rest.get(1..).unwrap_or_default();
        }
        let (width, after) = self.field(rest)?;
        rest = after;
        if let Some(width) = width {
            // A negative `*` width means left-justified.
            spec.left |= width < 0;
            spec.width = self.limit(width.unsigned_abs())?;
        }
        if let Some(after_dot) = rest.strip_prefix('.') {
            let (precision, after) = self.field(after_dot)?;
            rest = after;
            // `%.f` is precision 0; a negative `*` precision is as if none.
            spec.precision = match precision {
                None => Some(0),
                Some(p) if p < 0 => None,
                Some(p) => Some(self.limit(p.unsigned_abs())?),
            };
        }
        let rest = rest.trim_start_matches(['h', 'l', 'L', 'j', 'z', 't']);
        Ok((spec, rest))
    }

    /// A width or precision: digits, `*` (the next argument) or nothing.
    fn field<'t>(&mut self, text: &'t str) -> Result<(Option<i64>, &'t str), FnError> {
        if let Some(rest) = text.strip_prefix('*') {
            let value = self.next_value('*')?.to_num();
            let n = whole(value).ok_or_else(|| {
                self.call.error(format_args!(
                    "needs a whole number for `*`, got {}",
                    format_number(value)
                ))
            })?;
            return Ok((Some(n), rest));
        }
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Ok((None, text));
        }
        let number = text.get(..digits).unwrap_or_default();
        // Too many digits to parse is too wide anyway.
        let n = number.parse::<i64>().unwrap_or(i64::MAX);
        Ok((Some(n), text.get(digits..).unwrap_or_default()))
    }

    fn limit(&self, n: u64) -> Result<usize, FnError> {
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_FIELD)
            .ok_or_else(|| {
                self.call.error(format_args!(
                    "allows widths and precisions up to {MAX_FIELD}, got {n}"
                ))
            })
    }

    /// The argument for the next conversion.
    fn next_value(&mut self, conversion: char) -> Result<&'a Value, FnError> {
        let index = self.next_arg;
        let value = self.call.optional(index).ok_or_else(|| {
            self.call.error(format_args!(
                "has no {} argument for `{conversion}`",
                ordinal(index)
            ))
        })?;
        self.next_arg += 1;
        Ok(value)
    }

    fn render(&mut self, spec: &Spec, conversion: char) -> Result<(), FnError> {
        match conversion {
            '%' => self.out.push('%'),
            'd' | 'i' | 'u' => {
                let n = self.next_value(conversion)?.to_num();
                self.decimal(spec, n);
            }
            'x' | 'X' | 'o' => {
                let n = self.next_value(conversion)?.to_num();
                self.unsigned(spec, n, conversion)?;
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                let n = self.next_value(conversion)?.to_num();
                self.float(spec, n, conversion);
            }
            'c' => {
                let value = self.next_value(conversion)?;
                let c = self.character(value)?;
                self.pad(spec, "", "", c.as_str(), false);
            }
            's' => {
                let text = text_of(self.next_value(conversion)?);
                match spec.precision {
                    Some(p) => {
                        let cut: String = text.chars().take(p).collect();
                        self.pad(spec, "", "", &cut, false);
                    }
                    None => self.pad(spec, "", "", &text, false),
                }
            }
            other => {
                return Err(self
                    .call
                    .error(format_args!("does not know the conversion `%{other}`")))
            }
        }
        Ok(())
    }

    /// `%c`: a character code, or the first character of a string.
    fn character(&self, value: &Value) -> Result<String, FnError> {
        match value {
            Value::Str(s) => Ok(s.chars().next().map(String::from).unwrap_or_default()),
            Value::Num(n) => whole(*n)
                .and_then(|code| u32::try_from(code).ok())
                .and_then(char::from_u32)
                .map(String::from)
                .ok_or_else(|| {
                    self.call.error(format_args!(
                        "has no character with code {} for `%c`",
                        format_number(*n)
                    ))
                }),
        }
    }

    /// `%d`: the number truncated toward zero, every digit written out.
    fn decimal(&mut self, spec: &Spec, n: f64) {
        if !n.is_finite() {
            return self.non_finite(spec, n, false);
        }
        let t = n.trunc();
        let digits = format!("{:.0}", t.abs());
        let digits = with_precision(digits, spec.precision, t == 0.0);
        let sign = sign(t < 0.0, spec);
        self.pad(spec, sign, "", &digits, spec.precision.is_none());
    }

    /// `%x`, `%X`, `%o`.
    fn unsigned(&mut self, spec: &Spec, n: f64, conversion: char) -> Result<(), FnError> {
        let value = as_u64(n).ok_or_else(|| {
            self.call.error(format_args!(
                "cannot show {} with `%{conversion}`",
                format_number(n)
            ))
        })?;
        let digits = match conversion {
            'x' => format!("{value:x}"),
            'X' => format!("{value:X}"),
            _ => format!("{value:o}"),
        };
        let mut digits = with_precision(digits, spec.precision, value == 0);
        let prefix = match conversion {
            'x' if spec.alt && value != 0 => "0x",
            'X' if spec.alt && value != 0 => "0X",
            _ => "",
        };
        if conversion == 'o' && spec.alt && !digits.starts_with('0') {
            digits.insert(0, '0');
        }
        self.pad(spec, "", prefix, &digits, spec.precision.is_none());
        Ok(())
    }

    fn float(&mut self, spec: &Spec, n: f64, conversion: char) {
        if !n.is_finite() {
            return self.non_finite(spec, n, conversion.is_ascii_uppercase());
        }
        let precision = spec.precision.unwrap_or(6);
        let upper = conversion.is_ascii_uppercase();
        let abs = n.abs();
        let body = match conversion.to_ascii_lowercase() {
            'f' => {
                let mut body = format!("{abs:.precision$}");
                if spec.alt && precision == 0 {
                    body.push('.');
                }
                body
            }
            'e' => {
                let body = exponent_form(abs, precision, upper);
                if spec.alt && precision == 0 {
                    body.replacen(['e', 'E'], if upper { ".E" } else { ".e" }, 1)
                } else {
                    body
                }
            }
            _ => general_form(abs, precision, upper, spec.alt),
        };
        self.pad(spec, sign(n.is_sign_negative(), spec), "", &body, true);
    }

    /// NaN and infinities, never zero-padded.
    fn non_finite(&mut self, spec: &Spec, n: f64, upper: bool) {
        let body = match (n.is_nan(), upper) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        };
        let negative = n.is_infinite() && n < 0.0;
        self.pad(spec, sign(negative, spec), "", body, false);
    }

    /// Writes `sign`, `prefix` and `body` padded to the width: on the right
    /// for `-`, with zeros after the sign for `0` when `zero_ok`, else with
    /// spaces on the left.
    fn pad(&mut self, spec: &Spec, sign: &str, prefix: &str, body: &str, zero_ok: bool) {
        let len = sign.len() + prefix.len() + body.chars().count();
        let fill = spec.width.saturating_sub(len);
        if spec.left {
            self.out.push_str(sign);
            self.out.push_str(prefix);
            self.out.push_str(body);
            push_repeated(&mut self.out, ' ', fill);
        } else if spec.zero && zero_ok {
            self.out.push_str(sign);
            self.out.push_str(prefix);
            push_repeated(&mut self.out, '0', fill);
            self.out.push_str(body);
        } else {
            push_repeated(&mut self.out, ' ', fill);
            self.out.push_str(sign);
            self.out.push_str(prefix);
            self.out.push_str(body);
        }
    }
}

fn push_repeated(out: &mut String, c: char, count: usize) {
    out.extend(std::iter::repeat_n(c, count));
}

fn sign(negative: bool, spec: &Spec) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

/// Integer digits with C's precision rule: at least `precision` digits, and
/// none at all for zero with precision 0.
fn with_precision(digits: String, precision: Option<usize>, is_zero: bool) -> String {
    match precision {
        Some(0) if is_zero => String::new(),
        Some(p) if digits.len() < p => {
            let mut padded = "0".repeat(p - digits.len());
            padded.push_str(&digits);
            padded
        }
        _ => digits,
    }
}

/// `n` truncated, as the unsigned 64-bit number C would print: negative
/// numbers in two's complement. `None` outside `[-2^63, 2^64)`.
fn as_u64(n: f64) -> Option<u64> {
    let t = n.trunc();
    let two_63 = 2f64.powi(63);
    if !t.is_finite() || t < -two_63 || t >= 2.0 * two_63 {
        return None;
    }
    // In range, so the casts are exact (or wrap by design for negatives).
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_possible_wrap
    )]
    Some(if t < 0.0 { (t as i64) as u64 } else { t as u64 })
}

/// `%e`: `d.ddddde+XX` with `precision` decimals.
fn exponent_form(abs: f64, precision: usize, upper: bool) -> String {
    let text = format!("{abs:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}{e}{sign}{:02}", exponent.unsigned_abs())
}

/// The decimal exponent of `abs` once rounded to `significant` digits.
fn decimal_exponent(abs: f64, significant: usize) -> i64 {
    if abs == 0.0 {
        return 0;
    }
    let decimals = significant.saturating_sub(1);
    let text = format!("{abs:.decimals$e}");
    text.split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

/// `%g`: `%e` for very small or large exponents, else `%f`, with
/// `precision` significant digits and (without `#`) no trailing zeros.
fn general_form(abs: f64, precision: usize, upper: bool, alt: bool) -> String {
    let significant = precision.max(1);
    let exponent = decimal_exponent(abs, significant);
    let p = i64::try_from(significant).unwrap_or(i64::MAX);
    let mut body = if (-4..p).contains(&exponent) {
        let decimals = usize::try_from(p - 1 - exponent).unwrap_or(0);
        format!("{abs:.decimals$}")
    } else {
        exponent_form(abs, significant - 1, upper)
    };
    let (mantissa, exponent_part) = match body.find(['e', 'E']) {
        Some(at) => body.split_at(at),
        None => (body.as_str(), ""),
    };
    let mantissa = if alt {
        if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.")
        }
    } else if mantissa.contains('.') {
        mantissa
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        mantissa.to_string()
    };
    body = format!("{mantissa}{exponent_part}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_form_matches_c() {
        assert_eq!(general_form(0.0001, 6, false, false), "0.0001");
        assert_eq!(general_form(1e-10, 6, true, false), "1E-10");
        assert_eq!(general_form(123_456.0, 6, false, false), "123456");
        assert_eq!(general_form(1_234_567.0, 6, false, false), "1.23457e+06");
        assert_eq!(general_form(999_999.5, 6, false, false), "1e+06");
        assert_eq!(general_form(0.0, 6, false, false), "0");
        assert_eq!(general_form(0.5, 0, false, false), "0.5");
        assert_eq!(general_form(2.0, 6, false, true), "2.00000");
        assert_eq!(general_form(100.0, 1, false, false), "1e+02");
    }

    #[test]
    fn unsigned_conversion_wraps_negatives_and_refuses_overflow() {
        assert_eq!(as_u64(-1.0), Some(u64::MAX));
        assert_eq!(as_u64(255.9), Some(255));
        assert_eq!(as_u64(1e20), None);
        assert_eq!(as_u64(-1e19), None);
        assert_eq!(as_u64(f64::NAN), None);
    }
}
