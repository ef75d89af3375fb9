//! Expression evaluation.
//!
//! Four entry points share the work so that the common cases do not
//! allocate: [`Machine::eval`] (a [`Value`]), [`Machine::eval_num`],
//! [`Machine::eval_bool`] and [`Machine::eval_text`] (appends the text of
//! the expression to a buffer, used for interpolation, concatenation,
//! string comparison, regex operands and array keys).

use std::cmp::Ordering;

use pikt_lang::ast::{
    BinaryOp, DatSpec, Expr, ExprKind, Special, StrPart, UnaryOp, VarId, VarType,
};
use pikt_lang::builtins;
use pikt_source::Span;

use super::vars::{Slot, Vars};
use super::{Machine, Section};
use crate::error::{RunError, RunErrorKind, RunResult};
use crate::host::{FileKind, Fs};
use crate::regex_cache::RegexCache;
use crate::split::column_range;
use crate::value::{parse_leading_number, push_number, Str, Value};

/// How deep expressions may nest when evaluated (`1 + 1 + ...` nests on
/// its left). The binary runs the interpreter on a thread with a stack
/// large enough for this.
const MAX_DEPTH: u32 = 10_000;

impl Machine<'_> {
    /// The value of `e`.
    pub(super) fn eval(&mut self, e: &Expr) -> RunResult<Value> {
        match &e.kind {
            ExprKind::Num(n) => Ok(Value::Num(*n)),
            ExprKind::Str(s) => Ok(Value::str(s)),
            ExprKind::Var(id) => self.read_var(*id, e.span),
            ExprKind::Index(id, key) => self.read_element(*id, key, e.span),
            ExprKind::History(id) => self.history_value(*id, e.span),
            ExprKind::Previous(id) => self.previous_value(*id, e.span),
            ExprKind::Call(builtin, args) => self.call(*builtin, args, e.span),
            ExprKind::Unary(op, operand) => self.unary(*op, operand, e.span),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::Handle(handle) => Err(RunError::new(
                RunErrorKind::NotAllowed {
                    what: format!(
                        "handle `{}` used as a value",
                        self.script.symbols.handle(*handle)
                    ),
                },
                e.span,
            )),
            ExprKind::Interp(_)
            | ExprKind::Special(_)
            | ExprKind::Field(_)
            | ExprKind::FieldExpr(_) => self.eval_to_str(e).map(Value::Str),
        }
    }

    /// The text of `e` as a new string value, built in a pooled buffer.
    fn eval_to_str(&mut self, e: &Expr) -> RunResult<Str> {
        let mut text = self.take_text();
        let result = self
            .eval_text(e, &mut text)
            .map(|()| Str::from(text.as_str()));
        self.give_text(text);
        result
    }

    /// The value of `e` as a number.
    pub(super) fn eval_num(&mut self, e: &Expr) -> RunResult<f64> {
        match &e.kind {
            ExprKind::Num(n) => Ok(*n),
            ExprKind::Var(id) => self.var_num(*id, e.span),
            ExprKind::Index(id, key) => {
                self.with_key(key, |m, key| m.element(*id, key, e.span).map(Value::to_num))
            }
            ExprKind::Unary(op, operand) => Ok(self.unary(*op, operand, e.span)?.to_num()),
            ExprKind::Binary(op, l, r) => Ok(self.binary(*op, l, r, e.span)?.to_num()),
            ExprKind::Interp(_)
            | ExprKind::Special(_)
            | ExprKind::Field(_)
            | ExprKind::FieldExpr(_) => {
                let mut text = self.take_text();
                let result = self.eval_text(e, &mut text);
                let n = parse_leading_number(&text);
                self.give_text(text);
                result.map(|()| n)
            }
            _ => Ok(self.eval(e)?.to_num()),
        }
    }

    /// The truth of `e`: a non-zero number, or a string that is neither
    /// empty nor `0`.
    pub(super) fn eval_bool(&mut self, e: &Expr) -> RunResult<bool> {
        match &e.kind {
            ExprKind::Num(n) => Ok(*n != 0.0),
            ExprKind::Var(id) if self.var_type(*id) == VarType::Num => {
                Ok(self.var_num(*id, e.span)? != 0.0)
            }
            ExprKind::Unary(UnaryOp::Not, operand) => Ok(!self.eval_bool(operand)?),
            ExprKind::Index(id, key) => {
                self.with_key(key, |m, key| m.element(*id, key, e.span).map(Value::truthy))
            }
            ExprKind::Binary(op, l, r) if is_test(*op) => {
                self.nested(e.span, |m| m.test(*op, l, r, e.span))
            }
            ExprKind::Interp(_)
            | ExprKind::Special(_)
            | ExprKind::Field(_)
            | ExprKind::FieldExpr(_) => {
                let mut text = self.take_text();
                let result = self.eval_text(e, &mut text);
                let truth = !(text.is_empty() || text.as_str() == "0");
                self.give_text(text);
                result.map(|()| truth)
            }
            _ => Ok(self.eval(e)?.truthy()),
        }
    }

    /// Appends the text of `e` to `out`.
    ///
    /// The common operands (literals, variables, concatenation) are
    /// handled here; the rest in [`Machine::other_text`], which keeps this
    /// function small: it runs several times for every array key.
    pub(super) fn eval_text(&mut self, e: &Expr, out: &mut String) -> RunResult<()> {
        match &e.kind {
            ExprKind::Str(s) => {
                out.push_str(s);
                Ok(())
            }
            ExprKind::Var(id) => self.var_text(*id, e.span, out),
            ExprKind::Binary(BinaryOp::Concat, l, r) => match concat_operands(e) {
                Some((first, rest, count)) => {
                    self.eval_text(first, out)?;
                    for operand in rest.iter().take(count).rev().flatten() {
                        self.eval_text(operand, out)?;
                        self.string_fits(out.len(), e.span)?;
                    }
                    Ok(())
                }
                None => self.nested(e.span, |m| {
                    m.eval_text(l, out)?;
                    m.eval_text(r, out)?;
                    m.string_fits(out.len(), e.span)
                }),
            },
            _ => self.other_text(e, out),
        }
    }

    /// [`Machine::eval_text`] for the less common operands.
    #[inline(never)]
    fn other_text(&mut self, e: &Expr, out: &mut String) -> RunResult<()> {
        match &e.kind {
            ExprKind::Num(n) => push_number(out, *n),
            ExprKind::Interp(parts) => {
                for part in parts {
                    match part {
                        StrPart::Lit(text) => out.push_str(text),
                        StrPart::Expr(inner) => {
                            self.eval_text(inner, out)?;
                            self.string_fits(out.len(), e.span)?;
                        }
                    }
                }
            }
            ExprKind::Index(id, key) => self.element_text(*id, key, e.span, out)?,
            ExprKind::Special(special) => out.push_str(self.special(*special, e.span)?),
            ExprKind::Field(n) => out.push_str(self.field(u64::from(*n))),
            ExprKind::FieldExpr(index) => {
                let n = self.eval_num(index)?;
                if n < 0.0 {
                    return Err(negative_index(n, index.span));
                }
                out.push_str(self.field(n as u64));
            }
            _ => self.eval(e)?.write_to(out),
        }
        Ok(())
    }

    /// `e` as an owned string.
    pub(super) fn eval_string(&mut self, e: &Expr) -> RunResult<Str> {
        match &e.kind {
            ExprKind::Str(s) => Ok(Str::from(s.as_str())),
            _ => self.eval_to_str(e),
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> RunResult<Value> {
        self.nested(span, |m| m.unary_inner(op, operand))
    }

    /// Runs `f` one level deeper in the expression tree; too deep is an
    /// error rather than a stack overflow.
    fn nested<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> RunResult<T>) -> RunResult<T> {
        if self.depth >= MAX_DEPTH {
            return Err(RunError::new(
                RunErrorKind::LimitExceeded {
                    limit: "the expression nesting limit".into(),
                },
                span,
            ));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self, op: UnaryOp, operand: &Expr) -> RunResult<Value> {
        Ok(Value::Num(match op {
            UnaryOp::Not => bool_num(!self.eval_bool(operand)?),
            UnaryOp::Neg => -self.eval_num(operand)?,
            UnaryOp::Plus => self.eval_num(operand)?,
            UnaryOp::BitNot => !to_int(self.eval_num(operand)?) as f64,
            UnaryOp::FileTest(test) => {
                let mut path = self.take_text();
                let result = self.eval_text(operand, &mut path);
                let truth = result.map(|()| self.file_test(test, &path));
                self.give_text(path);
                bool_num(truth?)
            }
        }))
    }

    /// `-e -z -f -d -c -b -p -l -S` on `path` (`-l` does not follow a
    /// link; `-z` is true for an existing empty file).
    fn file_test(&mut self, test: char, path: &str) -> bool {
        let Ok(stat) = self.host.stat(path, test != 'l') else {
            return false;
        };
        match test {
            'e' => true,
            'z' => stat.len == 0,
            'f' => stat.kind == FileKind::File,
            'd' => stat.kind == FileKind::Dir,
            'c' => stat.kind == FileKind::CharDevice,
            'b' => stat.kind == FileKind::BlockDevice,
            'p' => stat.kind == FileKind::Fifo,
            'l' => stat.kind == FileKind::Symlink,
            'S' => stat.kind == FileKind::Socket,
            _ => false,
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> RunResult<Value> {
        self.nested(span, |m| m.binary_inner(op, l, r, span))
    }

    fn binary_inner(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> RunResult<Value> {
        match op {
            BinaryOp::Concat => {
                let mut text = self.take_text();
                let result = self
                    .eval_text(l, &mut text)
                    .and_then(|()| self.eval_text(r, &mut text))
                    .and_then(|()| self.string_fits(text.len(), span))
                    .map(|()| Value::Str(Str::from(text.as_str())));
                self.give_text(text);
                result
            }
            op if is_test(op) => self.test(op, l, r, span).map(Value::bool),
            _ => {
                let a = self.eval_num(l)?;
                let b = self.eval_num(r)?;
                Ok(Value::Num(arithmetic(op, a, b, span)?))
            }
        }
    }

    /// A comparison, match or logical operator ([`is_test`]): its truth,
    /// with no [`Value`] made (conditions are the common case).
    fn test(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> RunResult<bool> {
        use BinaryOp as B;
        match op {
            B::Or => Ok(self.eval_bool(l)? || self.eval_bool(r)?),
            B::And => Ok(self.eval_bool(l)? && self.eval_bool(r)?),
            B::StrEq | B::StrNe | B::StrLt | B::StrGt | B::StrLe | B::StrGe => {
                if let Some(at) = self.in_place_operand(l, r) {
                    return self.compare_in_place(op, at, r);
                }
                self.with_evaluated_texts(l, r, |_, a, b| Ok(compare_strings(op, a, b)))
            }
            B::Match | B::NotMatch | B::MatchNoCase | B::NotMatchNoCase => {
                if let Some(at) = self.in_place_operand(l, r) {
                    return self.match_in_place(op, at, r);
                }
                self.with_evaluated_texts(l, r, |regexes, subject, pattern| {
                    regex_match(regexes, op, subject, pattern, r.span)
                })
            }
            _ => {
                let a = self.eval_num(l)?;
                let b = self.eval_num(r)?;
                Ok(arithmetic(op, a, b, span)? != 0.0)
            }
        }
    }

    /// Evaluates `l` then `r` as text into pooled buffers and hands both to
    /// `use_texts` (as [`Machine::with_texts`] does for an operand used where
    /// it lies); the buffers go back to the pool whatever happens. Generic,
    /// so each caller gets its own inlined copy on the condition path.
    #[inline]
    fn with_evaluated_texts<T>(
        &mut self,
        l: &Expr,
        r: &Expr,
        use_texts: impl FnOnce(&mut RegexCache, &str, &str) -> RunResult<T>,
    ) -> RunResult<T> {
        let mut a = self.take_text();
        let mut b = self.take_text();
        let result = self
            .eval_text(l, &mut a)
            .and_then(|()| self.eval_text(r, &mut b))
            .and_then(|()| use_texts(&mut self.shared.regexes, &a, &b));
        self.give_text(a);
        self.give_text(b);
        result
    }

    /// `op` on two evaluated values (compound assignment, and the numeric
    /// operators of [`Machine::binary`]).
    pub(super) fn apply(
        &mut self,
        op: BinaryOp,
        l: Value,
        r: Value,
        span: Span,
    ) -> RunResult<Value> {
        use BinaryOp as B;
        let num = |b: bool| Ok(Value::bool(b));
        match op {
            B::Or => num(l.truthy() || r.truthy()),
            B::And => num(l.truthy() && r.truthy()),
            B::Eq => num(l.to_num() == r.to_num()),
            B::Ne => num(l.to_num() != r.to_num()),
            B::Lt => num(l.to_num() < r.to_num()),
            B::Gt => num(l.to_num() > r.to_num()),
            B::Le => num(l.to_num() <= r.to_num()),
            B::Ge => num(l.to_num() >= r.to_num()),
            B::StrEq | B::StrNe | B::StrLt | B::StrGt | B::StrLe | B::StrGe => {
                num(compare_strings(op, &l.to_str(), &r.to_str()))
            }
            B::Match | B::NotMatch | B::MatchNoCase | B::NotMatchNoCase => {
                num(self.regex_match(op, &l.to_str(), &r.to_str(), span)?)
            }
            B::Concat => {
                let mut out = l.to_str();
                r.write_to(&mut out);
                self.string_fits(out.len(), span)?;
                Ok(Value::Str(out))
            }
            _ => Ok(Value::Num(arithmetic(op, l.to_num(), r.to_num(), span)?)),
        }
    }

    /// `subject =~ pattern` and its three siblings.
    fn regex_match(
        &mut self,
        op: BinaryOp,
        subject: &str,
        pattern: &str,
        span: Span,
    ) -> RunResult<bool> {
        regex_match(&mut self.shared.regexes, op, subject, pattern, span)
    }

    /// The left operand of a text comparison or match, when it can be used
    /// where it lies: `l` is a simple operand ([`TextAt`]) and evaluating
    /// `r` cannot change it (it is a literal or the input line, or `r`
    /// calls no function).
    fn in_place_operand<'e>(&mut self, l: &'e Expr, r: &Expr) -> Option<TextAt<'e>> {
        let at = self.text_at(l)?;
        match at {
            // Nothing an expression does changes a literal or the input line.
            TextAt::Literal(_) | TextAt::Line(..) => Some(at),
            _ if calls_no_function(r) => Some(at),
            _ => None,
        }
    }

    /// Runs `use_texts` on the text at `left` and the text of `right`;
    /// the right side is evaluated into a pooled buffer unless it too is a
    /// simple operand. The machine's parts are handed over separately so
    /// that the regex cache can be borrowed alongside the texts.
    fn with_texts<T>(
        &mut self,
        left: TextAt<'_>,
        right: &Expr,
        use_texts: impl FnOnce(&mut RegexCache, &str, &str) -> RunResult<T>,
    ) -> RunResult<T> {
        let right_at = self.text_at(right);
        let mut buffer = None;
        if right_at.is_none() {
            let mut text = self.take_text();
            if let Err(e) = self.eval_text(right, &mut text) {
                self.give_text(text);
                return Err(e);
            }
            buffer = Some(text);
        }
        let texts = Texts {
            line: &self.line,
            split: &self.split_text,
            readline: &self.readline,
            vars: &self.vars,
        };
        let left = texts.get(left);
        let right = match (right_at, &buffer) {
            (Some(at), _) => texts.get(at),
            (None, Some(text)) => text.as_str(),
            (None, None) => "",
        };
        let result = use_texts(&mut self.shared.regexes, left, right);
        if let Some(text) = buffer {
            self.give_text(text);
        }
        result
    }

    /// A regex match whose subject is used where it lies.
    fn match_in_place(
        &mut self,
        op: BinaryOp,
        subject: TextAt<'_>,
        pattern: &Expr,
    ) -> RunResult<bool> {
        let span = pattern.span;
        self.with_texts(subject, pattern, |regexes, subject, pattern| {
            regex_match(regexes, op, subject, pattern, span)
        })
    }

    /// A text comparison whose left side is used where it lies.
    fn compare_in_place(
        &mut self,
        op: BinaryOp,
        left: TextAt<'_>,
        right: &Expr,
    ) -> RunResult<bool> {
        self.with_texts(left, right, |_, a, b| Ok(compare_strings(op, a, b)))
    }

    /// Where the text of `e` already lies, when `e` is a literal, `$inline`,
    /// `$rdlin`, a `#split` field, a string `dat` variable or a string
    /// variable. `None` for anything else, and for an operand that has no
    /// value (the general path reports that error).
    fn text_at<'e>(&mut self, e: &'e Expr) -> Option<TextAt<'e>> {
        match &e.kind {
            ExprKind::Str(s) => Some(TextAt::Literal(s)),
            ExprKind::Special(Special::Inline) if self.has_line => {
                Some(TextAt::Line(0, self.line.len()))
            }
            ExprKind::Special(Special::Readline) if self.has_readline => Some(TextAt::Readline),
            ExprKind::Field(0) => Some(TextAt::Split(0, self.split_text.len())),
            ExprKind::Field(n) => Some(
                (*n as usize)
                    .checked_sub(1)
                    .and_then(|i| self.split_fields.get(i))
                    .map_or(TextAt::Literal(""), |&(s, e)| TextAt::Split(s, e)),
            ),
            ExprKind::Var(id) => match self.dat_spec(*id) {
                Some(spec) if self.has_line && self.var_type(*id) == VarType::Str => {
                    let (start, end) = self.dat_range(spec);
                    Some(TextAt::Line(start, end))
                }
                Some(_) => None,
                None => match self.vars.get(*id) {
                    Slot::Scalar(Value::Str(_)) => Some(TextAt::Scalar(*id)),
                    _ => None,
                },
            },
            _ => None,
        }
    }

    /// The static type of a variable.
    pub(super) fn var_type(&self, id: VarId) -> VarType {
        self.script.symbols.var(id).map_or(VarType::Str, |v| v.ty)
    }

    fn dat_spec(&self, id: VarId) -> Option<DatSpec> {
        self.dat_of.get(id.0 as usize).copied().flatten()
    }

    /// True when `id` is bound by `dat`.
    pub(super) fn is_dat(&self, id: VarId) -> bool {
        self.dat_spec(id).is_some()
    }

    #[cold]
    fn unset_error(&self, id: VarId, span: Span) -> RunError {
        RunError::new(
            RunErrorKind::Unset {
                name: self.script.symbols.display(id),
            },
            span,
        )
    }

    #[cold]
    fn shape_error(&self, id: VarId, expected: &'static str, span: Span) -> RunError {
        RunError::new(
            RunErrorKind::WrongShape {
                name: self.script.symbols.display(id),
                expected,
            },
            span,
        )
    }

    /// The text of a `dat` field of the current line.
    fn dat_text(&mut self, spec: DatSpec) -> &str {
        let (start, end) = self.dat_range(spec);
        self.line.get(start..end).unwrap_or("")
    }

    /// The byte range of a `dat` field in the current line (empty when the
    /// line has no such field). Fields are split only as far as needed.
    fn dat_range(&mut self, spec: DatSpec) -> (usize, usize) {
        let seps = self.seps.as_deref();
        let range = match spec {
            DatSpec::Columns(from, to) => Some(column_range(&self.line, from, to)),
            DatSpec::Field(n) => (n as usize)
                .checked_sub(1)
                .and_then(|i| self.line_fields.get(&self.line, seps, i)),
            DatSpec::FromEnd(back) => self.line_fields.from_end(&self.line, seps, back as usize),
        };
        range.unwrap_or((0, 0))
    }

    /// The value of variable `id` (a copy).
    pub(super) fn read_var(&mut self, id: VarId, span: Span) -> RunResult<Value> {
        if let Some(spec) = self.dat_spec(id) {
            if !self.has_line {
                return Err(self.unset_error(id, span));
            }
            let num = self.var_type(id) == VarType::Num;
            let text = self.dat_text(spec);
            return Ok(if num {
                Value::Num(parse_leading_number(text))
            } else {
                Value::str(text)
            });
        }
        match self.vars.get(id) {
            Slot::Scalar(v) => Ok(v.clone()),
            Slot::Unset => Err(self.unset_error(id, span)),
            Slot::Array(_) => Err(self.shape_error(id, "a scalar", span)),
        }
    }

    fn var_num(&mut self, id: VarId, span: Span) -> RunResult<f64> {
        if let Some(spec) = self.dat_spec(id) {
            if !self.has_line {
                return Err(self.unset_error(id, span));
            }
            return Ok(parse_leading_number(self.dat_text(spec)));
        }
        match self.vars.get(id) {
            Slot::Scalar(v) => Ok(v.to_num()),
            Slot::Unset => Err(self.unset_error(id, span)),
            Slot::Array(_) => Err(self.shape_error(id, "a scalar", span)),
        }
    }

    fn var_text(&mut self, id: VarId, span: Span, out: &mut String) -> RunResult<()> {
        if let Some(spec) = self.dat_spec(id) {
            if !self.has_line {
                return Err(self.unset_error(id, span));
            }
            let num = self.var_type(id) == VarType::Num;
            let text = self.dat_text(spec);
            if num {
                push_number(out, parse_leading_number(text));
            } else {
                out.push_str(text);
            }
            return Ok(());
        }
        match self.vars.get(id) {
            Slot::Scalar(v) => {
                v.write_to(out);
                Ok(())
            }
            Slot::Unset => Err(self.unset_error(id, span)),
            Slot::Array(_) => Err(self.shape_error(id, "a scalar", span)),
        }
    }

    /// The current value of a scalar variable, if it has one (for `@`
    /// snapshots and history).
    pub(super) fn current_value(&mut self, id: VarId) -> Option<Value> {
        if self.is_dat(id) {
            return if self.has_line {
                self.read_var(id, Span::default()).ok()
            } else {
                None
            };
        }
        match self.vars.get(id) {
            Slot::Scalar(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Appends the key text of an index expression: numbers as Pikt prints
    /// them (so `#y[3]` and `#y["3"]` are one element); a negative number
    /// is an error.
    pub(super) fn key_text(&mut self, key: &Expr, out: &mut String) -> RunResult<()> {
        if self.is_numeric(key) {
            let n = self.eval_num(key)?;
            if n < 0.0 {
                return Err(negative_index(n, key.span));
            }
            push_number(out, n);
            Ok(())
        } else {
            self.eval_text(key, out)
        }
    }

    /// True when `e` always yields a number.
    pub(super) fn is_numeric(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Num(_) | ExprKind::Unary(..) => true,
            ExprKind::Var(id)
            | ExprKind::Index(id, _)
            | ExprKind::History(id)
            | ExprKind::Previous(id) => self.var_type(*id) == VarType::Num,
            ExprKind::Call(builtin, _) => builtins::info(*builtin).ty == VarType::Num,
            ExprKind::Binary(op, ..) => *op != BinaryOp::Concat,
            _ => false,
        }
    }

    #[cold]
    fn element_error(&self, id: VarId, key: &str, span: Span) -> RunError {
        RunError::new(
            RunErrorKind::UnsetElement {
                name: self.script.symbols.display(id),
                key: key.to_string(),
            },
            span,
        )
    }

    /// Runs `find` with the key text of an index expression: where it lies
    /// when it is a simple string operand ([`TextAt`]), else built in a
    /// pooled buffer ([`Machine::key_text`]).
    fn with_key<T>(
        &mut self,
        key: &Expr,
        find: impl FnOnce(&Self, &str) -> RunResult<T>,
    ) -> RunResult<T> {
        if !self.is_numeric(key) {
            if let Some(at) = self.text_at(key) {
                let texts = Texts {
                    line: &self.line,
                    split: &self.split_text,
                    readline: &self.readline,
                    vars: &self.vars,
                };
                return find(self, texts.get(at));
            }
        }
        let mut text = self.take_text();
        let result = self
            .key_text(key, &mut text)
            .and_then(|()| find(self, &text));
        self.give_text(text);
        result
    }

    /// The value of array element `id[key]`.
    fn element(&self, id: VarId, key: &str, span: Span) -> RunResult<&Value> {
        match self.vars.get(id) {
            Slot::Array(array) => array
                .get(key)
                .ok_or_else(|| self.element_error(id, key, span)),
            Slot::Unset => Err(self.element_error(id, key, span)),
            Slot::Scalar(_) => Err(self.shape_error(id, "an array", span)),
        }
    }

    fn read_element(&mut self, id: VarId, key: &Expr, span: Span) -> RunResult<Value> {
        self.with_key(key, |m, key| m.element(id, key, span).cloned())
    }

    fn element_text(
        &mut self,
        id: VarId,
        key: &Expr,
        span: Span,
        out: &mut String,
    ) -> RunResult<()> {
        self.with_key(key, |m, key| {
            m.element(id, key, span).map(|value| value.write_to(out))
        })
    }

    /// `$inline` / `$rdlin`.
    fn special(&self, special: Special, span: Span) -> RunResult<&str> {
        let (has, text, name) = match special {
            Special::Inline => (self.has_line, self.line.as_str(), "$inline"),
            Special::Readline => (self.has_readline, self.readline.as_str(), "$readline"),
        };
        if has {
            Ok(text)
        } else {
            Err(RunError::new(
                RunErrorKind::Unset { name: name.into() },
                span,
            ))
        }
    }

    /// Field `n` of the last `#split` (`0`: all of it; past the end: empty).
    fn field(&self, n: u64) -> &str {
        if n == 0 {
            return &self.split_text;
        }
        usize::try_from(n - 1)
            .ok()
            .and_then(|i| self.split_fields.get(i))
            .and_then(|&(s, e)| self.split_text.get(s..e))
            .unwrap_or("")
    }

    /// The number of fields of the last `#split`.
    pub(super) fn field_count(&self) -> usize {
        self.split_fields.len()
    }

    /// The `keys` text of the current line: the key variables' values
    /// joined by tabs, or the line number when the script has no `keys`.
    pub(super) fn line_key(&mut self) -> String {
        if let Some(key) = &self.line_key {
            return key.clone();
        }
        let mut key = String::new();
        let keys = &self.script.init.keys;
        if keys.is_empty() {
            push_number(&mut key, self.line_number as f64);
        }
        for (i, id) in keys.iter().enumerate() {
            if i > 0 {
                key.push('\t');
            }
            if let Some(value) = self.current_value(*id) {
                value.write_to(&mut key);
            }
        }
        self.line_key = Some(key.clone());
        key
    }

    /// `%x`: per script in `begin`/`end`, per input-line key in rules.
    fn history_value(&mut self, id: VarId, span: Span) -> RunResult<Value> {
        self.earlier_value(id).cloned().ok_or_else(|| {
            let name = self.script.symbols.display(id);
            RunError::new(
                RunErrorKind::NoEarlierValue {
                    name: format!("%{}", name.get(1..).unwrap_or("")),
                },
                span,
            )
        })
    }

    /// True when `%x` has a value here.
    pub(super) fn history_defined(&mut self, id: VarId) -> bool {
        self.earlier_value(id).is_some()
    }

    /// The value `%x` had at the end of the last run, where it is read: the
    /// script's own in `begin`/`end`, the input line key's in rules.
    fn earlier_value(&mut self, id: VarId) -> Option<&Value> {
        let name = self.script.symbols.display(id);
        if self.section == Section::Rule {
            let key = self.line_key();
            self.history_old
                .keyed
                .get(&key)
                .and_then(|vars| vars.get(&name))
        } else {
            self.history_old.globals.get(&name)
        }
    }

    fn previous_value(&self, id: VarId, span: Span) -> RunResult<Value> {
        self.vars.previous(id).cloned().ok_or_else(|| {
            let name = self.script.symbols.var(id).map_or("", |v| v.name.as_str());
            RunError::new(
                RunErrorKind::NoEarlierValue {
                    name: format!("@{name}"),
                },
                span,
            )
        })
    }

    /// `#defined(e)`: whether a variable, element, field, `%x` or `@x` has
    /// a value. Any other expression is defined when it evaluates.
    pub(super) fn defined(&mut self, e: &Expr) -> RunResult<bool> {
        Ok(match &e.kind {
            ExprKind::Var(id) => {
                if self.is_dat(*id) {
                    self.has_line
                } else {
                    match self.vars.get(*id) {
                        Slot::Unset => false,
                        Slot::Scalar(_) => true,
                        Slot::Array(array) => !array.is_empty(),
                    }
                }
            }
            ExprKind::Index(id, key) => {
                let mut text = self.take_text();
                let result = self.key_text(key, &mut text);
                let found = match self.vars.get(*id) {
                    Slot::Array(array) => array.contains_key(text.as_str()),
                    _ => false,
                };
                self.give_text(text);
                result?;
                found
            }
            ExprKind::History(id) => self.history_defined(*id),
            ExprKind::Previous(id) => self.vars.previous(*id).is_some(),
            ExprKind::Special(Special::Inline) => self.has_line,
            ExprKind::Special(Special::Readline) => self.has_readline,
            ExprKind::Field(n) => (*n as usize) <= self.field_count(),
            ExprKind::FieldExpr(index) => {
                let n = self.eval_num(index)?;
                n >= 0.0 && (n as usize) <= self.field_count()
            }
            _ => {
                self.eval(e)?;
                true
            }
        })
    }
}

/// `+ - * / % ** & | ^ << >>` on numbers (the comparison operators too).
fn arithmetic(op: BinaryOp, a: f64, b: f64, span: Span) -> RunResult<f64> {
    use BinaryOp as B;
    Ok(match op {
        B::Add => a + b,
        B::Sub => a - b,
        B::Mul => a * b,
        B::Div => {
            if b == 0.0 {
                return Err(RunError::new(RunErrorKind::DivisionByZero, span));
            }
            a / b
        }
        B::Rem => {
            if b == 0.0 {
                return Err(RunError::new(RunErrorKind::ModuloByZero, span));
            }
            a % b
        }
        B::Pow => a.powf(b),
        B::BitAnd => (to_int(a) & to_int(b)) as f64,
        B::BitOr => (to_int(a) | to_int(b)) as f64,
        B::BitXor => (to_int(a) ^ to_int(b)) as f64,
        B::Shl => shift(to_int(a), to_int(b), true) as f64,
        B::Shr => shift(to_int(a), to_int(b), false) as f64,
        B::Eq => bool_num(a == b),
        B::Ne => bool_num(a != b),
        B::Lt => bool_num(a < b),
        B::Gt => bool_num(a > b),
        B::Le => bool_num(a <= b),
        B::Ge => bool_num(a >= b),
        B::Or => bool_num(a != 0.0 || b != 0.0),
        B::And => bool_num(a != 0.0 && b != 0.0),
        // Text operators never reach here with numbers ([`Machine::apply`]
        // handles them); comparing the numbers is their meaning on numbers.
        B::StrEq | B::Match | B::MatchNoCase => bool_num(a == b),
        B::StrNe | B::NotMatch | B::NotMatchNoCase => bool_num(a != b),
        B::StrLt => bool_num(a < b),
        B::StrGt => bool_num(a > b),
        B::StrLe => bool_num(a <= b),
        B::StrGe => bool_num(a >= b),
        B::Concat => a,
    })
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
fn to_int(x: f64) -> i64 {
    x as i64
}

fn bool_num(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// True for the operators whose value is a truth value (1 or 0):
/// comparisons, regex matches, `&&` and `||`.
fn is_test(op: BinaryOp) -> bool {
    use BinaryOp as B;
    matches!(
        op,
        B::Or
            | B::And
            | B::Eq
            | B::Ne
            | B::Lt
            | B::Gt
            | B::Le
            | B::Ge
            | B::StrEq
            | B::StrNe
            | B::StrLt
            | B::StrGt
            | B::StrLe
            | B::StrGe
            | B::Match
            | B::NotMatch
            | B::MatchNoCase
            | B::NotMatchNoCase
    )
}

/// How many operands of a chain of concatenations are evaluated one after
/// the other rather than recursively.
const CONCAT_RUN: usize = 8;

/// The operands of the concatenation `e` (`a . b . c` is `(a . b) . c`):
/// the leftmost one, and the right operands of the chain from the outside
/// in (so in reverse order) with their count. `None` for a chain longer
/// than [`CONCAT_RUN`] (evaluated recursively, under the nesting limit).
fn concat_operands(e: &Expr) -> Option<(&Expr, [Option<&Expr>; CONCAT_RUN], usize)> {
    let mut rights = [None; CONCAT_RUN];
    let mut count = 0;
    let mut left = e;
    while let ExprKind::Binary(BinaryOp::Concat, l, r) = &left.kind {
        *rights.get_mut(count)? = Some(&**r);
        count += 1;
        left = l;
    }
    Some((left, rights, count))
}

/// True when evaluating `e` calls no function, so it cannot change a
/// variable, an array, `$rdlin` or the `#split` fields (judged a few
/// levels deep; deeper expressions count as calling something).
pub(super) fn calls_no_function(e: &Expr) -> bool {
    calls_nothing(e, PURE_DEPTH)
}

/// How deep [`calls_nothing`] looks before it gives up (and says no).
const PURE_DEPTH: u32 = 16;

/// True when evaluating `e` calls no function (so it cannot change a
/// variable, `$rdlin` or the `#split` fields), judged within `depth`
/// levels.
fn calls_nothing(e: &Expr, depth: u32) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return false;
    };
    match &e.kind {
        ExprKind::Call(..) | ExprKind::Handle(_) => false,
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Var(_)
        | ExprKind::History(_)
        | ExprKind::Previous(_)
        | ExprKind::Special(_)
        | ExprKind::Field(_) => true,
        ExprKind::Interp(parts) => parts.iter().all(|part| match part {
            StrPart::Lit(_) => true,
            StrPart::Expr(inner) => calls_nothing(inner, depth),
        }),
        ExprKind::Index(_, inner) | ExprKind::FieldExpr(inner) | ExprKind::Unary(_, inner) => {
            calls_nothing(inner, depth)
        }
        ExprKind::Binary(_, l, r) => calls_nothing(l, depth) && calls_nothing(r, depth),
    }
}

/// Where the text of a simple operand lies ([`Machine::text_at`]).
#[derive(Clone, Copy, Debug)]
enum TextAt<'e> {
    /// A string literal of the script.
    Literal(&'e str),
    /// A byte range of the input line.
    Line(usize, usize),
    /// A byte range of the last `#split` text.
    Split(usize, usize),
    /// `$rdlin`.
    Readline,
    /// A variable holding a string.
    Scalar(VarId),
}

/// The machine's texts that a [`TextAt`] can point into.
struct Texts<'s> {
    line: &'s str,
    split: &'s str,
    readline: &'s str,
    vars: &'s Vars,
}

impl<'s> Texts<'s> {
    fn get<'e: 's>(&self, at: TextAt<'e>) -> &'s str {
        match at {
            TextAt::Literal(text) => text,
            TextAt::Line(start, end) => self.line.get(start..end).unwrap_or(""),
            TextAt::Split(start, end) => self.split.get(start..end).unwrap_or(""),
            TextAt::Readline => self.readline,
            TextAt::Scalar(id) => match self.vars.get(id) {
                Slot::Scalar(Value::Str(text)) => text,
                _ => "",
            },
        }
    }
}

/// `subject =~ pattern` and its three siblings, with the pattern compiled
/// through `regexes`.
fn regex_match(
    regexes: &mut RegexCache,
    op: BinaryOp,
    subject: &str,
    pattern: &str,
    span: Span,
) -> RunResult<bool> {
    let folded = matches!(op, BinaryOp::MatchNoCase | BinaryOp::NotMatchNoCase);
    let negated = matches!(op, BinaryOp::NotMatch | BinaryOp::NotMatchNoCase);
    match regexes.get(pattern, folded) {
        Ok(regex) => Ok(regex.is_match(subject) != negated),
        Err(reason) => Err(RunError::new(
            RunErrorKind::BadRegex {
                pattern: pattern.to_string(),
                reason,
            },
            span,
        )),
    }
}

fn compare_strings(op: BinaryOp, a: &str, b: &str) -> bool {
    let order = a.cmp(b);
    match op {
        BinaryOp::StrEq => order == Ordering::Equal,
        BinaryOp::StrNe => order != Ordering::Equal,
        BinaryOp::StrLt => order == Ordering::Less,
        BinaryOp::StrGt => order == Ordering::Greater,
        BinaryOp::StrLe => order != Ordering::Greater,
        _ => order != Ordering::Less,
    }
}

fn negative_index(n: f64, span: Span) -> RunError {
    let mut index = String::new();
    push_number(&mut index, n);
    RunError::new(RunErrorKind::NegativeIndex { index }, span)
}
