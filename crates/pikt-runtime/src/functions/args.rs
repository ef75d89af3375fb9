//! Reading a call's arguments, with the errors every function shares.

use std::borrow::Cow;
use std::fmt::Display;

use pikt_lang::builtins::{info, Builtin};

use super::FnError;
use crate::value::{format_number, Value};

/// One call of a built-in: the function and its evaluated arguments.
pub(super) struct Call<'a> {
    /// The function called.
    pub builtin: Builtin,
    /// The evaluated arguments.
    pub args: &'a [Value],
}

impl<'a> Call<'a> {
    pub fn new(builtin: Builtin, args: &'a [Value]) -> Self {
        Call { builtin, args }
    }

    /// An error about this call: `` `#name` `` followed by `message`.
    pub fn error(&self, message: impl Display) -> FnError {
        FnError {
            message: format!("`{}` {message}", info(self.builtin).display()),
            gives_err_text: false,
        }
    }

    /// The argument at `index`, or an error if the call has too few.
    pub fn value(&self, index: usize) -> Result<&'a Value, FnError> {
        self.args
            .get(index)
            .ok_or_else(|| self.error(format_args!("is missing its {} argument", ordinal(index))))
    }

    /// The argument at `index` if it was given.
    pub fn optional(&self, index: usize) -> Option<&'a Value> {
        self.args.get(index)
    }

    /// The argument at `index` as a number (strings by their leading number).
    pub fn num(&self, index: usize) -> Result<f64, FnError> {
        self.value(index).map(Value::to_num)
    }

    /// The argument at `index` as text (numbers formatted as Pikt prints them).
    pub fn text(&self, index: usize) -> Result<Cow<'a, str>, FnError> {
        self.value(index).map(text_of)
    }

    /// The argument at `index` as a whole number. A fraction is an error
    /// that gives `<<ERR>>` instead of stopping the script, as in PIKT
    /// ([`FnError::gives_err_text`]).
    pub fn int(&self, index: usize) -> Result<i64, FnError> {
        let n = self.num(index)?;
        whole(n).ok_or_else(|| FnError {
            gives_err_text: true,
            ..self.error(format_args!(
                "needs a whole number as its {} argument, got {}",
                ordinal(index),
                format_number(n)
            ))
        })
    }

    /// Like [`Call::int`], and also refuses negative numbers.
    pub fn count(&self, index: usize) -> Result<usize, FnError> {
        let n = self.int(index)?;
        if n < 0 {
            return Err(self.error(format_args!(
                "needs a count that is not negative as its {} argument, got {n}",
                ordinal(index)
            )));
        }
        // Counts beyond the address space clamp: nothing can be that long.
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

/// The text of a value, borrowed when it is already a string.
pub(super) fn text_of(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Str(s) => Cow::Borrowed(s.as_str()),
        Value::Num(n) => Cow::Owned(format_number(*n).into_string()),
    }
}

/// `n` as a whole number, if it is finite and has no fraction. Magnitudes
/// beyond `i64` saturate (they are whole, and every count clamps anyway).
pub(super) fn whole(n: f64) -> Option<i64> {
    if n.is_finite() && n.fract() == 0.0 {
        // `as` saturates; the value is whole, so nothing but range is lost.
        #[allow(clippy::cast_possible_truncation)]
        Some(n as i64)
    } else {
        None
    }
}

/// "1st", "2nd", ... for the argument at zero-based `index`.
pub(super) fn ordinal(index: usize) -> String {
    let n = index.saturating_add(1);
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_naturally() {
        let got: Vec<String> = [0, 1, 2, 3, 10, 11, 12, 20, 21].map(ordinal).to_vec();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]
        );
    }

    #[test]
    fn whole_numbers_refuse_fractions_and_non_finite() {
        assert_eq!(whole(3.0), Some(3));
        assert_eq!(whole(-0.0), Some(0));
        assert_eq!(whole(2.5), None);
        assert_eq!(whole(f64::NAN), None);
        assert_eq!(whole(f64::INFINITY), None);
        assert_eq!(whole(1e300), Some(i64::MAX));
    }

    #[test]
    fn missing_and_fractional_arguments_name_the_function() {
        let args = [Value::str("abc"), Value::Num(2.5)];
        let call = Call::new(Builtin::Left, &args);
        assert_eq!(
            call.int(1).unwrap_err().message,
            "`$left` needs a whole number as its 2nd argument, got 2.5"
        );
        assert_eq!(
            call.value(2).unwrap_err().message,
            "`$left` is missing its 3rd argument"
        );
        let args = [Value::str("abc"), Value::Num(-1.0)];
        let call = Call::new(Builtin::Left, &args);
        assert_eq!(
            call.count(1).unwrap_err().message,
            "`$left` needs a count that is not negative as its 2nd argument, got -1"
        );
    }

    #[test]
    fn text_borrows_strings_and_formats_numbers() {
        assert!(matches!(text_of(&Value::str("x")), Cow::Borrowed("x")));
        assert_eq!(text_of(&Value::Num(0.5)), "0.5");
    }
}
