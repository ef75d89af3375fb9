//! Evaluating numbers ([`Num`]), texts ([`Text`]) and values ([`Val`],
//! [`Dyn`]).
//!
//! Text is either appended to a buffer ([`Machine::text_into`]) or, for an
//! operand that already lies somewhere (a literal, the line or one of its
//! fields, a `#split` field, `$rdlin`, a variable, an array element),
//! located there ([`Machine::locate`]) and used without a copy.

use pikt_lang::ast::VarId;
use pikt_source::Span;

use super::store::{Arrays, Hint, Table, TextCell};
use super::{error, Machine, Res};
use crate::error::RunErrorKind;
use crate::plan::{Arith, Dyn, Elem, Key, Num, Place, Text, Val};
use crate::split::LineFields;
use crate::value::{parse_leading_number, push_number, Str, Value};

/// Where the text of an operand lies.
#[derive(Clone, Copy, Debug)]
pub(super) enum Loc<'p> {
    /// Literal text of the plan.
    Lit(&'p str),
    /// A byte range of the input line.
    Line(usize, usize),
    /// A byte range of the last `#split` text.
    Split(usize, usize),
    /// `$rdlin`.
    Readline,
    /// A `$` scalar.
    Var(u32),
    /// An element of a `$` array (array slot, position).
    Elem(u32, usize),
    /// The buffer handed to [`Machine::locate`].
    Buf,
}

/// The machine's texts that a [`Loc`] can point into, borrowed apart from
/// the rest of the machine.
pub(super) struct Texts<'s> {
    pub line: &'s str,
    pub split: &'s str,
    pub readline: &'s str,
    pub vars: &'s [TextCell],
    pub arrays: &'s [Table<Str>],
}

impl<'s> Texts<'s> {
    /// The text at `loc` (`buf` for [`Loc::Buf`]).
    #[inline(always)]
    pub(super) fn get(&self, loc: Loc<'s>, buf: &'s str) -> &'s str {
        match loc {
            Loc::Lit(text) => text,
            Loc::Line(start, end) => self.line.get(start..end).unwrap_or(""),
            Loc::Split(start, end) => self.split.get(start..end).unwrap_or(""),
            Loc::Readline => self.readline,
            Loc::Var(slot) => self.vars.get(slot as usize).map_or("", |c| &c.text),
            Loc::Elem(slot, at) => self
                .arrays
                .get(slot as usize)
                .and_then(|t| t.value(at))
                .map_or("", Str::as_str),
            Loc::Buf => buf,
        }
    }
}

impl<'a> Machine<'a> {
    /// The machine's texts, for resolving [`Loc`]s.
    pub(super) fn texts(&self) -> Texts<'_> {
        Texts {
            line: &self.line,
            split: self.split_text(),
            readline: &self.readline,
            vars: &self.store.texts,
            arrays: &self.store.arrays.text,
        }
    }

    /// The key text at `loc` (never an array element: [`Machine::locate_key`]
    /// copies those) and the arrays, borrowed apart.
    #[inline]
    pub(super) fn key_and_arrays<'s>(
        &'s mut self,
        loc: Loc<'s>,
        buf: &'s str,
    ) -> (&'s str, &'s mut Arrays) {
        let key = match loc {
            Loc::Var(slot) => self.store.texts.get(slot as usize).map_or("", |c| &c.text),
            Loc::Line(start, end) => self.line.get(start..end).unwrap_or(""),
            Loc::Buf => buf,
            Loc::Lit(text) => text,
            Loc::Split(start, end) => {
                let split = if self.split.on_line {
                    &self.line
                } else {
                    &self.split.text
                };
                split.get(start..end).unwrap_or("")
            }
            Loc::Readline => &self.readline,
            Loc::Elem(..) => "",
        };
        (key, &mut self.store.arrays)
    }

    /// The value of `n`. The common nodes are here; the others in
    /// [`Machine::num_other`], which keeps this function small (it runs for
    /// every node of every arithmetic expression).
    pub(super) fn num(&mut self, n: &'a Num) -> Res<f64> {
        match n {
            Num::Const(c) => Ok(*c),
            Num::Var(slot, var, span) => match self.store.nums.get(*slot as usize) {
                Some(Some(v)) => Ok(*v),
                _ => self
                    .num_slot(*slot)
                    .ok_or_else(|| self.unset_error(*var, *span)),
            },
            Num::Add(operands) => {
                let [l, r] = &**operands;
                Ok(self.operand(l)? + self.operand(r)?)
            }
            Num::Sub(operands) => {
                let [l, r] = &**operands;
                Ok(self.operand(l)? - self.operand(r)?)
            }
            Num::Mul(operands) => {
                let [l, r] = &**operands;
                Ok(self.operand(l)? * self.operand(r)?)
            }
            Num::Arith(op, operands, span) => {
                let [l, r] = &**operands;
                let a = self.operand(l)?;
                let b = self.operand(r)?;
                arith(*op, a, b, *span)
            }
            Num::Elem(elem) => self.num_elem(elem),
            _ => self.num_other(n),
        }
    }

    /// [`Machine::num`] with the leaves (literals and `#` variables, half
    /// of any arithmetic tree) evaluated in the caller, without a call.
    #[inline(always)]
    pub(super) fn operand(&mut self, n: &'a Num) -> Res<f64> {
        match n {
            Num::Const(c) => Ok(*c),
            Num::Var(slot, ..) => match self.store.nums.get(*slot as usize) {
                Some(Some(v)) => Ok(*v),
                _ => self.num(n),
            },
            _ => self.num(n),
        }
    }

    #[inline(never)]
    fn num_other(&mut self, n: &'a Num) -> Res<f64> {
        match n {
            Num::Elem(elem) => self.num_elem(elem),
            Num::Truth(cond) => Ok(bool_num(self.cond(cond)?)),
            Num::Dat(spec, var, span) => {
                if !self.has_line {
                    return Err(self.unset_error(*var, *span));
                }
                Ok(parse_leading_number(self.dat_text(*spec)))
            }
            Num::Previous(id, span) => Ok(self.previous_value(*id, *span)?.to_num()),
            Num::Neg(x) => Ok(-self.num(x)?),
            Num::BitNot(x) => Ok(!to_int(self.num(x)?) as f64),
            Num::OfText(t) => self.with_text(t, parse_leading_number),
            Num::OfDyn(d) => Ok(self.dyn_value(d)?.to_num()),
            Num::Split(call) => self.split(call),
            Num::LineNumber => Ok(self.line_number as f64),
            Num::Fail(e) => Err(e.clone()),
            Num::Const(_)
            | Num::Var(..)
            | Num::Add(_)
            | Num::Sub(_)
            | Num::Mul(_)
            | Num::Arith(..) => self.num(n),
        }
    }

    /// Runs `f` on the text of `t` (where it lies, or built in a pooled
    /// buffer).
    pub(super) fn with_text<T>(&mut self, t: &'a Text, f: impl FnOnce(&str) -> T) -> Res<T> {
        let mut buf = String::new();
        let loc = self.locate(t, &mut buf)?;
        let result = f(self.texts().get(loc, &buf));
        self.give_text(buf);
        Ok(result)
    }

    /// The text of `t` as a new string.
    pub(super) fn text_value(&mut self, t: &'a Text) -> Res<Str> {
        match t {
            Text::Lit(text) => Ok(Str::from(&**text)),
            _ => self.with_text(t, |s| Str::from(s)),
        }
    }

    /// Appends the text of `t` to `out`.
    pub(super) fn text_into(&mut self, t: &'a Text, out: &mut String) -> Res<()> {
        match t {
            Text::Concat(parts, span) => {
                for part in parts.iter() {
                    self.part_into(part, out)?;
                    self.string_fits(out.len(), *span)?;
                }
                Ok(())
            }
            _ => self.part_into(t, out),
        }
    }

    /// [`Machine::text_into`] for one part: the common ones directly, the
    /// others in [`Machine::other_into`].
    #[inline(always)]
    fn part_into(&mut self, t: &'a Text, out: &mut String) -> Res<()> {
        match t {
            Text::Lit(text) => out.push_str(text),
            Text::Var(slot, var, span) => match self.store.texts.get(*slot as usize) {
                Some(cell) if cell.set => out.push_str(&cell.text),
                _ => return Err(self.unset_error(*var, *span)),
            },
            Text::Dat(spec, var, span) => {
                if !self.has_line {
                    return Err(self.unset_error(*var, *span));
                }
                let (start, end) = self.dat_range(*spec);
                out.push_str(self.line.get(start..end).unwrap_or(""));
            }
            _ => return self.other_into(t, out),
        }
        Ok(())
    }

    #[inline(never)]
    fn other_into(&mut self, t: &'a Text, out: &mut String) -> Res<()> {
        match t {
            Text::Concat(..) | Text::Lit(_) | Text::Var(..) | Text::Dat(..) => {
                return self.text_into(t, out)
            }
            Text::Num(n) => {
                let n = self.num(n)?;
                push_number(out, n);
            }
            Text::Dyn(d) => self.dyn_value(d)?.write_to(out),
            Text::Previous(id, span) => self.previous_value(*id, *span)?.write_to(out),
            Text::Fail(e) => return Err(e.clone()),
            Text::Elem(_)
            | Text::Line(_)
            | Text::Readline(_)
            | Text::Field(_)
            | Text::FieldAt(..)
            | Text::FieldBack(_) => {
                let loc = self.locate_place(t)?;
                out.push_str(self.texts().get(loc, ""));
            }
        }
        Ok(())
    }

    /// Where the text of `t` lies; text that lies nowhere is built in `buf`
    /// ([`Loc::Buf`]).
    #[inline]
    pub(super) fn locate(&mut self, t: &'a Text, buf: &mut String) -> Res<Loc<'a>> {
        match t {
            Text::Lit(text) => Ok(Loc::Lit(text)),
            Text::Line(_) if self.has_line => Ok(Loc::Line(0, self.line.len())),
            Text::Field(n) => Ok(self.field_loc(u64::from(*n))),
            Text::Var(slot, var, span) => match self.store.texts.get(*slot as usize) {
                Some(cell) if cell.set => Ok(Loc::Var(*slot)),
                _ => Err(self.unset_error(*var, *span)),
            },
            Text::Dat(..)
            | Text::Elem(_)
            | Text::Line(_)
            | Text::Readline(_)
            | Text::FieldAt(..)
            | Text::FieldBack(_) => self.locate_place(t),
            _ => {
                self.pooled(buf);
                self.text_into(t, buf)?;
                Ok(Loc::Buf)
            }
        }
    }

    /// Where the text of a field, the line, `$rdlin` or an element lies.
    fn locate_place(&mut self, t: &'a Text) -> Res<Loc<'a>> {
        Ok(match t {
            Text::Dat(spec, var, span) => {
                if !self.has_line {
                    return Err(self.unset_error(*var, *span));
                }
                let (start, end) = self.dat_range(*spec);
                Loc::Line(start, end)
            }
            Text::Elem(elem) => self.text_elem(elem)?,
            Text::Line(span) => {
                if !self.has_line {
                    return Err(special_unset("$inline", *span));
                }
                Loc::Line(0, self.line.len())
            }
            Text::Readline(span) => {
                if !self.has_readline {
                    return Err(special_unset("$readline", *span));
                }
                Loc::Readline
            }
            Text::Field(n) => self.field_loc(u64::from(*n)),
            Text::FieldAt(index, span) => self.field_at(index, *span)?,
            Text::FieldBack(field) => {
                let owed = self.deferred_count == Some(field.slot)
                    && self.store.nums.get(field.slot as usize) == Some(&None);
                if owed && !self.split.has_seps {
                    let text = self.split_text();
                    let back = field.back as usize;
                    if let Some((start, end)) = LineFields::blank_field_from_end(text, back) {
                        return Ok(Loc::Split(start, end));
                    }
                }
                self.field_at(&field.index, field.span)?
            }
            _ => Loc::Lit(""),
        })
    }

    /// `$[index]`.
    fn field_at(&mut self, index: &'a Num, span: Span) -> Res<Loc<'a>> {
        let n = self.num(index)?;
        if n < 0.0 {
            return Err(negative_index(n, span));
        }
        Ok(self.field_loc(n as u64))
    }

    #[inline]
    fn field_loc(&mut self, n: u64) -> Loc<'a> {
        match self.field_range(n) {
            Some((start, end)) => Loc::Split(start, end),
            None => Loc::Lit(""),
        }
    }

    /// The value of `v`.
    pub(super) fn value(&mut self, v: &'a Val) -> Res<Value> {
        match v {
            Val::Num(n) => Ok(Value::Num(self.num(n)?)),
            Val::Text(t) => Ok(Value::Str(self.text_value(t)?)),
            Val::Dyn(d) => self.dyn_value(d),
        }
    }

    /// The value of a function call, `%x` or (an error) a handle.
    pub(super) fn dyn_value(&mut self, d: &'a Dyn) -> Res<Value> {
        match d {
            Dyn::Call(call) => self.call(call),
            Dyn::History(id, keyed, span) => match self.earlier_value(*id, *keyed) {
                Some(value) => Ok(value),
                None => {
                    let name = self.var_name(*id);
                    Err(error(
                        RunErrorKind::NoEarlierValue {
                            name: format!("%{}", name.get(1..).unwrap_or("")),
                        },
                        *span,
                    ))
                }
            },
            Dyn::Handle(handle, span) => Err(error(
                RunErrorKind::NotAllowed {
                    what: format!(
                        "handle `{}` used as a value",
                        self.script.symbols.handle(*handle)
                    ),
                },
                *span,
            )),
        }
    }

    /// `@x`.
    fn previous_value(&self, id: VarId, span: Span) -> Res<&super::store::Earlier> {
        self.store.previous(id).ok_or_else(|| {
            let name = self.var_name(id);
            error(
                RunErrorKind::NoEarlierValue {
                    name: format!("@{}", name.get(1..).unwrap_or("")),
                },
                span,
            )
        })
    }

    /// Where the key of `key` lies: a number is formatted into `buf`; an
    /// array element is copied there (the arrays are borrowed for writing
    /// while the key is used).
    pub(super) fn locate_key(&mut self, key: &'a Key, buf: &mut String) -> Res<Loc<'a>> {
        match key {
            Key::Num(n, span) => {
                let n = self.num(n)?;
                if n < 0.0 {
                    return Err(negative_index(n, *span));
                }
                self.pooled(buf);
                push_number(buf, n);
                Ok(Loc::Buf)
            }
            Key::Text(t) => match self.locate(t, buf)? {
                loc @ Loc::Elem(..) => {
                    self.pooled(buf);
                    let text = self.texts().get(loc, "");
                    buf.push_str(text);
                    Ok(Loc::Buf)
                }
                loc => Ok(loc),
            },
        }
    }

    /// The position of `elem` in its array, if it is set; its key is left
    /// in `buf` or where it lies (`Loc`).
    pub(super) fn find_elem(
        &mut self,
        elem: &'a Elem,
        buf: &mut String,
    ) -> Res<(Loc<'a>, Option<usize>)> {
        let loc = match &elem.key {
            // The common keys, without the general path's detours.
            Key::Text(Text::Var(slot, var, span)) => {
                return match self.find_by_var(elem.array, *slot) {
                    Some(found) => Ok((Loc::Var(*slot), found)),
                    None => Err(self.unset_error(*var, *span)),
                };
            }
            Key::Text(Text::Dat(spec, var, span)) => {
                if !self.has_line {
                    return Err(self.unset_error(*var, *span));
                }
                let (start, end) = self.dat_range(*spec);
                Loc::Line(start, end)
            }
            key => self.locate_key(key, buf)?,
        };
        let (key, arrays) = self.key_and_arrays(loc, buf);
        Ok((loc, lookup(arrays, elem.array, key)))
    }

    /// The position of the element of `array` whose key is the value of
    /// `$` slot `slot` (the common key); `None` when the variable has no
    /// value.
    #[inline]
    pub(super) fn find_by_var(&mut self, array: Place, slot: u32) -> Option<Option<usize>> {
        let store = &mut self.store;
        let cell = store.texts.get(slot as usize).filter(|c| c.set)?;
        Some(lookup(&mut store.arrays, array, &cell.text))
    }

    #[inline(never)]
    fn num_elem(&mut self, elem: &'a Elem) -> Res<f64> {
        let mut buf = String::new();
        let (loc, found) = self.find_elem(elem, &mut buf)?;
        let value = match (elem.array, found) {
            (Place::NumArray(slot), Some(at)) => self
                .store
                .arrays
                .num
                .get(slot as usize)
                .and_then(|t| t.value(at))
                .copied(),
            _ => None,
        };
        match value {
            Some(v) => {
                self.give_text(buf);
                Ok(v)
            }
            None => Err(self.element_error(elem, loc, &buf)),
        }
    }

    fn text_elem(&mut self, elem: &'a Elem) -> Res<Loc<'a>> {
        let mut buf = String::new();
        let (loc, found) = self.find_elem(elem, &mut buf)?;
        match (elem.array, found) {
            (Place::TextArray(slot), Some(at)) => {
                self.give_text(buf);
                Ok(Loc::Elem(slot, at))
            }
            _ => Err(self.element_error(elem, loc, &buf)),
        }
    }

    #[cold]
    fn element_error(&self, elem: &Elem, key: Loc<'_>, buf: &str) -> Box<crate::error::RunError> {
        error(
            RunErrorKind::UnsetElement {
                name: self.var_name(elem.var).to_string(),
                key: self.texts().get(key, buf).to_string(),
            },
            elem.span,
        )
    }

    #[cold]
    pub(super) fn unset_error(&self, id: VarId, span: Span) -> Box<crate::error::RunError> {
        error(
            RunErrorKind::Unset {
                name: self.var_name(id).to_string(),
            },
            span,
        )
    }
}

/// The position of `key` in `array` (a `NumArray` or `TextArray`),
/// remembered as the next lookup's [`Hint`] when it is there.
#[inline]
fn lookup(arrays: &mut Arrays, array: Place, key: &str) -> Option<usize> {
    let hint = arrays.hint;
    let found = match array {
        Place::NumArray(slot) => arrays.num.get_mut(slot as usize).and_then(|t| {
            let at = t.find(key, hint)?;
            Some(Hint::at(t, at))
        }),
        Place::TextArray(slot) => arrays.text.get_mut(slot as usize).and_then(|t| {
            let at = t.find(key, hint)?;
            Some(Hint::at(t, at))
        }),
        _ => None,
    };
    if found.is_some() {
        arrays.hint = found;
    }
    found.map(|h| h.at)
}

#[cold]
fn special_unset(name: &str, span: Span) -> Box<crate::error::RunError> {
    error(RunErrorKind::Unset { name: name.into() }, span)
}

#[cold]
pub(super) fn negative_index(n: f64, span: Span) -> Box<crate::error::RunError> {
    let mut index = String::new();
    push_number(&mut index, n);
    error(RunErrorKind::NegativeIndex { index }, span)
}

/// `+ - * / % ** & | ^ << >>` on numbers.
#[inline(always)]
pub(crate) fn arith(op: Arith, a: f64, b: f64, span: Span) -> Res<f64> {
    Ok(match op {
        Arith::Add => a + b,
        Arith::Sub => a - b,
        Arith::Mul => a * b,
        Arith::Div => {
            if b == 0.0 {
                return Err(error(RunErrorKind::DivisionByZero, span));
            }
            a / b
        }
        Arith::Rem => {
            if b == 0.0 {
                return Err(error(RunErrorKind::ModuloByZero, span));
            }
            remainder(a, b)
        }
        Arith::Pow => a.powf(b),
        Arith::BitAnd => (to_int(a) & to_int(b)) as f64,
        Arith::BitOr => (to_int(a) | to_int(b)) as f64,
        Arith::BitXor => (to_int(a) ^ to_int(b)) as f64,
        Arith::Shl => shift(to_int(a), to_int(b), true) as f64,
        Arith::Shr => shift(to_int(a), to_int(b), false) as f64,
    })
}

/// Whole numbers below this are exact in an `f64` and an `i64`.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `a % b` (the sign of `a`, as C's `fmod`), for a non-zero `b`. Whole
/// numbers take the integer remainder: exact, and far cheaper than the
/// software `fmod` the floating-point operator calls.
#[inline]
fn remainder(a: f64, b: f64) -> f64 {
    if a.abs() < EXACT && b.abs() < EXACT {
        let (whole_a, whole_b) = (a as i64, b as i64);
        if whole_a as f64 == a && whole_b as f64 == b && whole_b != 0 {
            let r = whole_a % whole_b;
            return if r == 0 && a.is_sign_negative() {
                -0.0
            } else {
                r as f64
            };
        }
    }
    a % b
}

/// Shifts with a count outside `0..64` give 0 (or -1 for a right shift of
/// a negative number), as the bits all leave.
fn shift(a: i64, count: i64, left: bool) -> i64 {
    match u32::try_from(count) {
        Ok(c) if c < 64 => {
            if left {
                a.wrapping_shl(c)
            } else {
                a >> c
            }
        }
        _ => {
            if !left && a < 0 {
                -1
            } else {
                0
            }
        }
    }
}

/// A number as a 64-bit integer for the bit operators (saturating; NaN is 0).
pub(super) fn to_int(x: f64) -> i64 {
    x as i64
}

/// 1 or 0.
pub(super) fn bool_num(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_number_remainder_agrees_with_fmod() {
        let values = [
            0.0, -0.0, 1.0, -1.0, 7.0, -7.0, 3.0, -3.0, 2.5, -2.5, 1e15, -1e15, 1e300, 9.007e15,
        ];
        for a in values {
            for b in values {
                if b == 0.0 {
                    continue;
                }
                let fast = remainder(a, b);
                let slow = a % b;
                assert!(
                    fast.to_bits() == slow.to_bits() || (fast.is_nan() && slow.is_nan()),
                    "{a} % {b}: {fast} vs {slow}"
                );
            }
        }
    }
}
