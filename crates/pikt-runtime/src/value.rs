//! Run-time values: numbers and strings.
//!
//! Strings are [`CompactString`]s: the short strings that dominate monitoring
//! work (user names, command names, counts) live inline, so reading a field
//! of an input line does not allocate.

use std::fmt::Write as _;

use compact_str::CompactString;

/// The string type of the interpreter.
pub type Str = CompactString;

/// A value: every Pikt expression yields a number or a string.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number (`#` values); integers are exact up to 2^53.
    Num(f64),
    /// A string (`$` values).
    Str(Str),
}

impl Default for Value {
    fn default() -> Self {
        Value::Num(0.0)
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Str::from(s))
    }

    /// The boolean value PIKT uses for truth (1 or 0).
    pub fn bool(b: bool) -> Value {
        Value::Num(if b { 1.0 } else { 0.0 })
    }

    /// The value as a number: strings convert by their leading number
    /// (`" 42abc"` is 42, `"abc"` is 0), as `#val` does.
    pub fn to_num(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Str(s) => parse_leading_number(s),
        }
    }

    /// The value as text (numbers formatted by [`format_number`]).
    pub fn to_str(&self) -> Str {
        match self {
            Value::Num(n) => format_number(*n),
            Value::Str(s) => s.clone(),
        }
    }

    /// Appends the value as text to `out` without an intermediate string.
    pub fn write_to(&self, out: &mut impl TextBuffer) {
        match self {
            Value::Num(n) => push_number(out, *n),
            Value::Str(s) => out.push_text(s),
        }
    }

    /// Truth: a non-zero number, or a string that is non-empty and not "0".
    pub fn truthy(&self) -> bool {
        match self {
            Value::Num(n) => *n != 0.0,
            Value::Str(s) => !(s.is_empty() || s.as_str() == "0"),
        }
    }
}

/// Formats a number the way Pikt prints it.
///
/// Decision (reference §4.1 \[U\]): whole numbers below 2^63 print as integers
/// without a decimal point (`3`, `-12`, `1000000`); other numbers print with up to six significant
/// digits and no trailing zeros (`3.14159`, `0.5`, `1e+20`), as awk's `%.6g`.
pub fn format_number(n: f64) -> Str {
    let mut out = Str::default();
    push_number(&mut out, n);
    out
}

/// A string that text can be appended to: the interpreter's scratch
/// buffers (`String`) and its values ([`Str`]).
pub trait TextBuffer {
    /// Appends `text`.
    fn push_text(&mut self, text: &str);
}

impl TextBuffer for String {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl TextBuffer for Str {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// Appends [`format_number`]`(n)` to `out`.
pub fn push_number(out: &mut impl TextBuffer, n: f64) {
    if n.is_nan() {
        out.push_text("nan");
    } else if n.is_infinite() {
        out.push_text(if n > 0.0 { "inf" } else { "-inf" });
    } else if n.fract() == 0.0 && n.abs() < 9.2e18 {
        // Exact integer: print all digits. `as i64` is exact below 2^63.
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        push_integer(out, i);
    } else {
        let mut text = String::new();
        push_general(&mut text, n);
        out.push_text(&text);
    }
}

/// Appends the decimal digits of `i` (counts and sums are printed on
/// every line of a report; this avoids the formatting machinery).
fn push_integer(out: &mut impl TextBuffer, i: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = i.unsigned_abs();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            // `rest % 10` is below 10: the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            let digit = (rest % 10) as u8;
            *slot = b'0' + digit;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    if i < 0 {
        out.push_text("-");
    }
    let text = digits
        .get(at..)
        .and_then(|d| std::str::from_utf8(d).ok())
        .unwrap_or("0");
    out.push_text(text);
}

/// `%.6g`: six significant digits, trailing zeros removed, exponent form for
/// very large or small magnitudes.
fn push_general(out: &mut String, n: f64) {
    let exp = n.abs().log10().floor();
    if !(-5.0..6.0).contains(&exp) {
        let s = format!("{n:.5e}");
        // Rust prints `1.00000e20`; C prints `1e+20`.
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = trim_fraction(mantissa);
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "{mantissa}e{sign}{:02}", exponent.abs());
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let decimals = (5.0 - exp).max(0.0) as usize;
        let s = format!("{n:.decimals$}");
        out.push_str(trim_fraction(&s));
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The number at the start of `s` after leading blanks (`"12 apples"` → 12,
/// `"-3.5e2x"` → -350, `"x"` → 0).
pub fn parse_leading_number(s: &str) -> f64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let bytes = t.as_bytes();
    if let Some(n) = leading_integer(bytes) {
        return n;
    }
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    let digits_start = end;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    if bytes.get(end) == Some(&b'.') {
        end += 1;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    if end == digits_start || (end == digits_start + 1 && bytes.get(digits_start) == Some(&b'.')) {
        return 0.0;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(bytes.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        if bytes.get(e).is_some_and(u8::is_ascii_digit) {
            while bytes.get(e).is_some_and(u8::is_ascii_digit) {
                e += 1;
            }
            end = e;
        }
    }
    t.get(..end).and_then(|n| n.parse().ok()).unwrap_or(0.0)
}

/// The value of `bytes` when they start with a whole number (a sign, then
/// at most 19 digits) not followed by a fraction or an exponent: counts,
/// sizes and ids, the numbers monitoring reads, without the general
/// parser. The digits fit a `u64` exactly, and its conversion rounds as
/// the parser would.
fn leading_integer(bytes: &[u8]) -> Option<f64> {
    let (negative, start) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut value: u64 = 0;
    let mut at = start;
    while let Some(&byte) = bytes.get(at) {
        if !byte.is_ascii_digit() || at - start == 19 {
            break;
        }
        value = value * 10 + u64::from(byte - b'0');
        at += 1;
    }
    if at == start || matches!(bytes.get(at), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = value as f64;
    Some(if negative { -n } else { n })
}

/// True if all of `s` (ignoring surrounding blanks) is a number.
pub fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_decimal_point() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-12.0), "-12");
        assert_eq!(format_number(1e6), "1000000");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0");
    }

    #[test]
    fn fractions_use_six_significant_digits() {
        assert_eq!(format_number(1.234_567_89), "1.23457");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(123_456.7), "123457");
        assert_eq!(format_number(1e20), "1e+20");
        assert_eq!(format_number(1.5e-7), "1.5e-07");
        assert_eq!(format_number(2.5e17), "250000000000000000");
    }

    #[test]
    fn integers_print_every_digit() {
        for i in [
            0_i64,
            7,
            -7,
            10,
            -10,
            99,
            100,
            123_456_789,
            -1_000_000_000_000_000,
            1 << 53,
            4_000_000_000_000_000_000,
        ] {
            #[allow(clippy::cast_precision_loss)]
            let n = i as f64;
            #[allow(clippy::cast_possible_truncation)]
            let exact = n as i64;
            let mut text = String::new();
            push_number(&mut text, n);
            assert_eq!(text, exact.to_string());
        }
        let mut text = String::from("n=");
        push_number(&mut text, -42.0);
        assert_eq!(text, "n=-42");
    }

    #[test]
    fn leading_numbers_parse_like_awk() {
        assert!((parse_leading_number("  42 apples") - 42.0).abs() < f64::EPSILON);
        assert!((parse_leading_number("-3.5e2x") + 350.0).abs() < f64::EPSILON);
        assert!(parse_leading_number("abc") == 0.0);
        assert!(parse_leading_number(".") == 0.0);
        assert!((parse_leading_number(".5") - 0.5).abs() < f64::EPSILON);
        assert!((parse_leading_number("7e") - 7.0).abs() < f64::EPSILON);
    }

    #[test]
    fn whole_numbers_parse_as_the_general_parser_does() {
        for text in [
            "0",
            "-0",
            "+7",
            "42 apples",
            "007",
            "9007199254740993",
            "18446744073709551615",
            "9999999999999999999",
            "12345678901234567890123",
            "-12x",
            "1.5",
            "2e3",
            "-",
            "+",
            "3E",
        ] {
            let slow = {
                let t = text.trim_start();
                let end = t
                    .char_indices()
                    .skip_while(|&(i, c)| i == 0 && (c == '-' || c == '+'))
                    .find(|(_, c)| !c.is_ascii_digit() && *c != '.' && *c != 'e' && *c != 'E')
                    .map_or(t.len(), |(i, _)| i);
                t[..end].parse::<f64>().ok()
            };
            let fast = parse_leading_number(text);
            if let Some(slow) = slow {
                assert_eq!(fast.to_bits(), slow.to_bits(), "{text}");
            }
        }
        assert_eq!(parse_leading_number("-0").to_bits(), (-0.0f64).to_bits());
        assert_eq!(parse_leading_number("+"), 0.0);
        assert_eq!(
            parse_leading_number("18446744073709551615"),
            18_446_744_073_709_551_615.0
        );
    }

    #[test]
    fn truth_follows_pikt() {
        assert!(Value::Num(2.0).truthy());
        assert!(!Value::Num(0.0).truthy());
        assert!(!Value::str("").truthy());
        assert!(!Value::str("0").truthy());
        assert!(Value::str("no").truthy());
    }
}
