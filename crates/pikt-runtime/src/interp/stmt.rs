//! Statements (reference §4.5, §4.6) and assignments.

use std::io::Write as _;

use pikt_lang::ast::{BinaryOp, CaseLabel, VarId};
use pikt_source::Span;

use super::budget::ELEMENT_COST;
use super::eval::{arith, Loc};
use super::store::Hint;
use super::{error, Flow, Machine, Res};
use crate::command::CommandLine;
use crate::error::RunErrorKind;
use crate::host::{Clock, CommandUse, Fs, Shell, ShellCommand, Sinks, SyslogMessage};
use crate::plan::{
    Arith, Assign, Block, Cond, ElemAssign, ElemOp, ForKeys, KeyVar, Num, Place, Stmt, StmtKind,
    Switch, Target, Text, Unset, Val,
};
use crate::value::{format_number, looks_numeric, parse_leading_number, push_number, Str, Value};

impl<'a> Machine<'a> {
    /// Runs `block`; stops at the first statement that does not end
    /// normally and returns its flow. The common statements are run here,
    /// the others by [`Machine::stmt`], so that this loop stays small: it
    /// runs for every block entered.
    pub(super) fn block(&mut self, block: &'a [Stmt]) -> Res<Flow> {
        for stmt in block {
            self.tick(stmt.span)?;
            let flow = match &stmt.kind {
                StmtKind::Assign(assign) => {
                    self.assign(assign)?;
                    continue;
                }
                StmtKind::If(arms, otherwise) => self.branch(arms, otherwise)?,
                StmtKind::Jump(flow) => *flow,
                _ => self.stmt(stmt)?,
            };
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    /// `if`/`elif`/`else`.
    #[inline(never)]
    fn branch(&mut self, arms: &'a [(Cond, Block)], otherwise: &'a [Stmt]) -> Res<Flow> {
        for (cond, body) in arms {
            if self.cond(cond)? {
                return self.block(body);
            }
        }
        if otherwise.is_empty() {
            return Ok(Flow::Normal);
        }
        self.block(otherwise)
    }

    /// The statements [`Machine::block`] does not run itself.
    #[inline(never)]
    fn stmt(&mut self, stmt: &'a Stmt) -> Res<Flow> {
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::Assign(assign) => {
                self.assign(assign)?;
                Ok(Flow::Normal)
            }
            StmtKind::If(arms, otherwise) => self.branch(arms, otherwise),
            StmtKind::Jump(flow) => Ok(*flow),
            StmtKind::While(turn) => {
                while self.cond(&turn.cond)? {
                    // Every iteration counts, also of a loop with an empty body.
                    self.count(turn.at)?;
                    match self.block(&turn.body)? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        flow => return Ok(flow),
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Repeat(turn) => {
                loop {
                    self.count(turn.at)?;
                    match self.block(&turn.body)? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        flow => return Ok(flow),
                    }
                    if self.cond(&turn.cond)? {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::For(for_loop) => {
                self.assign(&for_loop.init)?;
                while self.cond(&for_loop.cond)? {
                    self.count(for_loop.at)?;
                    match self.block(&for_loop.body)? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        flow => return Ok(flow),
                    }
                    self.assign(&for_loop.step)?;
                }
                Ok(Flow::Normal)
            }
            StmtKind::ForKeys(for_keys) => self.for_keys(for_keys, span),
            StmtKind::Switch(switch) => self.switch(switch),
            StmtKind::Skip(count, outside) => {
                let n = self.num(count)?;
                if let Some(e) = outside {
                    return Err(e.clone());
                }
                self.skip_lines = if n > 0.0 { n as u64 } else { 0 };
                Ok(Flow::Skip)
            }
            StmtKind::Pause(seconds) => {
                let seconds = self.num(seconds)?;
                self.host.sleep(seconds, &self.config.stop);
                self.check_stop(span)?;
                Ok(Flow::Normal)
            }
            StmtKind::Die(message) => {
                self.died = match message {
                    Some(text) => Some(self.text_value(text)?.to_string()),
                    None => None,
                };
                Ok(Flow::Die)
            }
            StmtKind::Eval(value) => {
                match value {
                    Val::Num(n) => {
                        self.num(n)?;
                    }
                    _ => {
                        self.value(value)?;
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Unset(target) => {
                self.unset(target)?;
                Ok(Flow::Normal)
            }
            StmtKind::Exec(exec) => {
                let command = self.eval_command(&exec.command)?;
                self.exec_command(&command, exec.wait, exec.force, span)?;
                Ok(Flow::Normal)
            }
            StmtKind::Output(output) => {
                let mut text = self.take_text();
                self.text_into(&output.message, &mut text)?;
                self.emit(text.len() + 1, span)?;
                self.send(&output.target, &mut text, span)?;
                self.give_text(text);
                Ok(Flow::Normal)
            }
            StmtKind::Fail(e) => Err(e.clone()),
        }
    }

    /// `foreach #keys($k, A)`: the keys as they are when the loop starts,
    /// in insertion order. Keys added by the body come after them, so
    /// unless the body can remove elements the keys are visited by
    /// position, without copying them all first.
    #[inline(never)]
    fn for_keys(&mut self, for_keys: &'a ForKeys, span: Span) -> Res<Flow> {
        let Some(array) = for_keys.array else {
            return Ok(Flow::Normal);
        };
        if for_keys.snapshot {
            let mut keys = self.keys_pool.pop().unwrap_or_default();
            keys.clear();
            match array {
                Place::NumArray(slot) => {
                    if let Some(t) = self.store.arrays.num.get(slot as usize) {
                        keys.extend(t.keys().cloned());
                    }
                }
                Place::TextArray(slot) => {
                    if let Some(t) = self.store.arrays.text.get(slot as usize) {
                        keys.extend(t.keys().cloned());
                    }
                }
                _ => {}
            }
            let mut result = Ok(Flow::Normal);
            for key in &keys {
                let turn = self
                    .set_key_var(for_keys.var, key, span)
                    .and_then(|()| self.key_iteration(for_keys, span));
                match turn {
                    Ok(None) => {}
                    Ok(Some(flow)) => {
                        result = Ok(flow);
                        break;
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            keys.clear();
            self.keys_pool.push(keys);
            return result;
        }
        let count = self.array_len(array);
        for at in 0..count {
            if !self.set_key_var_at(for_keys.var, array, at, span)? {
                break;
            }
            if let Some(flow) = self.key_iteration(for_keys, span)? {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    /// One turn of a `foreach` body: `Some(flow)` when the loop ends.
    fn key_iteration(&mut self, for_keys: &'a ForKeys, span: Span) -> Res<Option<Flow>> {
        self.count(span)?;
        Ok(match self.block(&for_keys.body)? {
            Flow::Normal | Flow::Continue => None,
            Flow::Break => Some(Flow::Normal),
            flow => Some(flow),
        })
    }

    fn array_len(&self, array: Place) -> usize {
        match array {
            Place::NumArray(slot) => self
                .store
                .arrays
                .num
                .get(slot as usize)
                .map_or(0, |t| t.len()),
            Place::TextArray(slot) => self
                .store
                .arrays
                .text
                .get(slot as usize)
                .map_or(0, |t| t.len()),
            _ => 0,
        }
    }

    fn set_key_var(&mut self, var: KeyVar, key: &str, span: Span) -> Res<()> {
        match var {
            KeyVar::Text(slot) => self.set_text(slot, key, span)?,
            KeyVar::Num(slot) => self.set_num(slot, parse_leading_number(key)),
            KeyVar::Nowhere => {}
        }
        Ok(())
    }

    /// Puts the key at position `at` of `array` into `var`; `false` when
    /// there is none.
    fn set_key_var_at(&mut self, var: KeyVar, array: Place, at: usize, span: Span) -> Res<bool> {
        let store = &mut self.store;
        let arrays = &mut store.arrays;
        let (key, len) = match array {
            Place::NumArray(slot) => arrays
                .num
                .get(slot as usize)
                .map_or((None, 0), |t| (t.key(at), t.len())),
            Place::TextArray(slot) => arrays
                .text
                .get(slot as usize)
                .map_or((None, 0), |t| (t.key(at), t.len())),
            _ => (None, 0),
        };
        let Some(key) = key else {
            return Ok(false);
        };
        arrays.hint = Some(Hint { at, len });
        match var {
            KeyVar::Text(slot) => {
                let (added, mut removed) = (key.len(), 0);
                if let Some(cell) = super::store::text_mut(&mut store.texts, slot) {
                    removed = cell.held();
                    cell.text.clear();
                    cell.text.push_str(key);
                    cell.set = true;
                }
                self.hold(added, removed, span)?;
            }
            KeyVar::Num(slot) => {
                let n = parse_leading_number(key);
                if let Some(cell) = store.nums.get_mut(slot as usize) {
                    *cell = Some(n);
                }
            }
            KeyVar::Nowhere => {}
        }
        Ok(true)
    }

    /// `switch`: start at the first case whose label equals the subject
    /// (numbers numerically, strings as text), or at `default`; fall
    /// through the following cases until `breakswitch`.
    fn switch(&mut self, switch: &'a Switch) -> Res<Flow> {
        let value = self.value(&switch.subject)?;
        let cases = &switch.cases;
        let start = cases
            .iter()
            .position(|(label, _)| match label {
                Some(CaseLabel::Num(n)) => value.to_num() == *n,
                Some(CaseLabel::Str(s)) => match &value {
                    Value::Str(text) => text.as_str() == s,
                    Value::Num(_) => value.to_str().as_str() == s,
                },
                None => false,
            })
            .or_else(|| cases.iter().position(|(label, _)| label.is_none()));
        let Some(start) = start else {
            return Ok(Flow::Normal);
        };
        for (_, body) in cases.get(start..).unwrap_or_default() {
            match self.block(body)? {
                Flow::Normal => {}
                Flow::BreakSwitch => break,
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    /// `set target op value`. A compound operator on a variable or element
    /// with no value starts from 0 (numbers) or "" (strings). The common
    /// forms are here, the others in [`Machine::assign_other`].
    pub(super) fn assign(&mut self, assign: &'a Assign) -> Res<()> {
        match assign {
            Assign::Update {
                slot,
                op,
                value,
                span,
            } => {
                let current = match self.store.nums.get(*slot as usize) {
                    Some(Some(n)) => *n,
                    _ => self.num_slot(*slot).unwrap_or(0.0),
                };
                let rhs = self.operand(value)?;
                let n = arith(*op, current, rhs, *span)?;
                self.set_num(*slot, n);
                Ok(())
            }
            Assign::Num {
                slot,
                value: Val::Num(n),
                ..
            } => {
                let n = self.operand(n)?;
                self.set_num(*slot, n);
                Ok(())
            }
            Assign::Elem(elem) => match (elem.elem.array, elem.op, &elem.value) {
                (Place::NumArray(slot), ElemOp::Arith(op), Val::Num(rhs)) => {
                    self.num_elem_update(elem, slot, Some(op), rhs)
                }
                (Place::NumArray(slot), ElemOp::Set, Val::Num(rhs)) => {
                    self.num_elem_update(elem, slot, None, rhs)
                }
                _ => self.assign_elem(elem),
            },
            Assign::Text {
                slot,
                value: Val::Text(t),
                aside,
                span,
                ..
            } => self.write_text(*slot, t, *aside, None, *span),
            _ => self.assign_other(assign),
        }
    }

    #[inline(never)]
    fn assign_other(&mut self, assign: &'a Assign) -> Res<()> {
        match assign {
            Assign::Update {
                slot,
                op,
                value,
                span,
            } => {
                let current = self.num_slot(*slot);
                let rhs = self.num(value)?;
                let n = arith(*op, current.unwrap_or(0.0), rhs, *span)?;
                self.set_num(*slot, n);
            }
            Assign::Num {
                slot,
                var,
                value,
                span,
            } => {
                let n = self.converted_num(value, *var, *span)?;
                self.set_num(*slot, n);
            }
            Assign::Text {
                slot,
                var,
                value,
                aside,
                span,
            } => match value {
                Val::Text(t) => self.write_text(*slot, t, *aside, None, *span)?,
                _ => {
                    let text = self.converted_text(value, *var, *span)?;
                    self.set_text(*slot, &text, *span)?;
                }
            },
            Assign::Append {
                slot,
                var,
                value,
                aside,
                needs_value,
                span,
                built,
            } => {
                if let Some(at) = needs_value {
                    if !self.store.texts.get(*slot as usize).is_some_and(|c| c.set) {
                        return Err(self.unset_error(*var, *at));
                    }
                }
                self.write_text(*slot, value, *aside, Some(*built), *span)?;
            }
            Assign::Compound {
                place,
                var,
                op,
                value,
                target,
                span,
            } => {
                let current = match *place {
                    Place::Num(slot) => Value::Num(self.num_slot(slot).unwrap_or(0.0)),
                    Place::Text(slot) => Value::Str(
                        self.store
                            .texts
                            .get(slot as usize)
                            .filter(|c| c.set)
                            .map_or_else(Str::default, |c| Str::from(c.text.as_str())),
                    ),
                    _ => Value::Num(0.0),
                };
                let rhs = self.value(value)?;
                let result = apply(*op, current, rhs, *span)?;
                match *place {
                    Place::Num(slot) => {
                        let n = self.value_as_num(*var, result, *target);
                        self.set_num(slot, n);
                    }
                    Place::Text(slot) => {
                        let text = self.value_as_text(*var, result, *target);
                        self.set_text(slot, &text, *target)?;
                    }
                    _ => {}
                }
            }
            Assign::Count { slot, split } => {
                self.split_for(split, Some(*slot))?;
                self.defer_count(*slot);
            }
            Assign::Elem(elem) => self.assign_elem(elem)?,
            Assign::Fail(e) => return Err(e.clone()),
        }
        Ok(())
    }

    fn set_num(&mut self, slot: u32, n: f64) {
        if let Some(cell) = self.store.nums.get_mut(slot as usize) {
            *cell = Some(n);
        }
    }

    /// Stores `text` in `$` slot `slot` (assigned at `span`, where the
    /// memory limit points).
    fn set_text(&mut self, slot: u32, text: &str, span: Span) -> Res<()> {
        let mut removed = 0;
        if let Some(cell) = self.store.text_mut(slot) {
            removed = cell.held();
            cell.text.clear();
            cell.text.push_str(text);
            cell.set = true;
        }
        self.hold(text.len(), removed, span)
    }

    /// Writes the text of `t` to `$` slot `slot`, or adds it when
    /// `append`ing (`Some`: where the string is built, whose length is
    /// checked): straight into the variable's buffer, or built aside first
    /// when `t` reads the variable. What the variable holds is charged
    /// against the memory limit (at `span`).
    fn write_text(
        &mut self,
        slot: u32,
        t: &'a Text,
        aside: bool,
        appended: Option<Span>,
        span: Span,
    ) -> Res<()> {
        let append = appended.is_some();
        if aside {
            let mut buf = self.take_text();
            self.text_into(t, &mut buf)?;
            let (mut added, mut removed) = (0, 0);
            if let Some(cell) = self.store.text_mut(slot) {
                removed = cell.held();
                if !append || !cell.set {
                    cell.text.clear();
                }
                cell.text.push_str(&buf);
                cell.set = true;
                added = cell.text.len();
            }
            self.give_text(buf);
            if let Some(built) = appended {
                self.string_fits(added, built)?;
            }
            return self.hold(added, removed, span);
        }
        let Some(cell) = self.store.text_mut(slot) else {
            return Ok(());
        };
        let removed = cell.held();
        let mut text = std::mem::take(&mut cell.text);
        if !append || !cell.set {
            text.clear();
        }
        let result = self.text_into(t, &mut text);
        let added = text.len();
        // The version changed above: `t` does not read the variable.
        if let Some(cell) = self.store.texts.get_mut(slot as usize) {
            cell.text = text;
            cell.set |= result.is_ok();
        }
        result?;
        if let Some(built) = appended {
            self.string_fits(added, built)?;
        }
        self.hold(added, removed, span)
    }

    /// The value of `value` for a `#` variable (`var`, assigned at `span`):
    /// text is read by its leading number, with a WARNING unless it is all
    /// a number.
    fn converted_num(&mut self, value: &'a Val, var: VarId, span: Span) -> Res<f64> {
        Ok(match value {
            Val::Num(n) => self.num(n)?,
            Val::Text(t) => {
                let mut buf = String::new();
                let loc = self.locate(t, &mut buf)?;
                let (n, warning) = self.num_from_text(texts!(self).get(loc, &buf));
                self.give_text(buf);
                if let Some(warning) = warning {
                    self.warn(var, &warning, span);
                }
                n
            }
            Val::Dyn(d) => {
                let v = self.dyn_value(d)?;
                self.value_as_num(var, v, span)
            }
        })
    }

    /// The value of `value` for a `$` variable: a number is formatted, with
    /// a WARNING.
    fn converted_text(&mut self, value: &'a Val, var: VarId, span: Span) -> Res<Str> {
        Ok(match value {
            Val::Text(t) => self.text_value(t)?,
            Val::Num(n) => {
                let n = self.num(n)?;
                self.warn(var, "number used as a string", span);
                format_number(n)
            }
            Val::Dyn(d) => {
                let v = self.dyn_value(d)?;
                self.value_as_text(var, v, span)
            }
        })
    }

    /// The value of `value` as a number, without warnings (the right side
    /// of arithmetic).
    fn plain_num(&mut self, value: &'a Val) -> Res<f64> {
        match value {
            Val::Num(n) => self.num(n),
            Val::Text(t) => self.with_text(t, parse_leading_number),
            Val::Dyn(d) => Ok(self.dyn_value(d)?.to_num()),
        }
    }

    /// The leading number of `text`, and the WARNING to log when `text` is
    /// not all a number (reference §4.7).
    fn num_from_text(&self, text: &str) -> (f64, Option<String>) {
        let n = parse_leading_number(text);
        let warning = (self.host.keeps_log() && !looks_numeric(text))
            .then(|| format!("text `{text}` used as a number"));
        (n, warning)
    }

    /// A value stored in a `#` variable.
    fn value_as_num(&mut self, var: VarId, value: Value, span: Span) -> f64 {
        match value {
            Value::Num(n) => n,
            Value::Str(s) => {
                let (n, warning) = self.num_from_text(&s);
                if let Some(warning) = warning {
                    self.warn(var, &warning, span);
                }
                n
            }
        }
    }

    /// A value stored in a `$` variable.
    fn value_as_text(&mut self, var: VarId, value: Value, span: Span) -> Str {
        match value {
            Value::Str(s) => s,
            Value::Num(n) => {
                self.warn(var, "number used as a string", span);
                format_number(n)
            }
        }
    }

    /// `set A[k] op v`: the key is looked up once, for reading and writing
    /// (the right side cannot add or remove elements).
    fn assign_elem(&mut self, a: &'a ElemAssign) -> Res<()> {
        let mut buf = String::new();
        let (loc, found) = self.find_elem(&a.elem, &mut buf)?;
        // A key in the `#split` fields or `$rdlin` could change while the
        // right side runs: keep a copy.
        let loc = self.kept_key(loc, &mut buf);
        match a.elem.array {
            Place::NumArray(slot) => {
                let current = found
                    .and_then(|at| self.store.arrays.num.get(slot as usize)?.value(at).copied());
                let n = match a.op {
                    ElemOp::Set => self.converted_num(&a.value, a.elem.var, a.span)?,
                    ElemOp::Arith(op) => {
                        let rhs = self.plain_num(&a.value)?;
                        arith(op, current.unwrap_or(0.0), rhs, a.span)?
                    }
                    ElemOp::Append => return Ok(()),
                    ElemOp::Other(op) => {
                        let current = Value::Num(current.unwrap_or(0.0));
                        let rhs = self.value(&a.value)?;
                        let result = apply(op, current, rhs, a.span)?;
                        self.value_as_num(a.elem.var, result, a.span)
                    }
                };
                let (key, arrays) = self.key_and_arrays(loc, &buf);
                let mut added = 0;
                if let Some(table) = arrays.num.get_mut(slot as usize) {
                    match found.and_then(|at| table.value_mut(at)) {
                        Some(cell) => *cell = n,
                        None => {
                            added = key.len() + ELEMENT_COST;
                            if table.insert(key, n).is_none() {
                                return Err(self.array_full(a.elem.span));
                            }
                        }
                    }
                }
                self.give_text(std::mem::take(&mut buf));
                self.hold(added, 0, a.elem.span)?;
            }
            Place::TextArray(slot) => {
                let current = found.and_then(|at| {
                    self.store
                        .arrays
                        .text
                        .get(slot as usize)?
                        .value(at)
                        .cloned()
                });
                let text = match a.op {
                    ElemOp::Set => self.converted_text(&a.value, a.elem.var, a.span)?,
                    ElemOp::Append => {
                        let mut text = current.unwrap_or_default();
                        let mut rhs = self.take_text();
                        self.val_into(&a.value, &mut rhs)?;
                        text.push_str(&rhs);
                        self.give_text(rhs);
                        text
                    }
                    ElemOp::Arith(_) => return Ok(()),
                    ElemOp::Other(op) => {
                        let current = Value::Str(current.unwrap_or_default());
                        let rhs = self.value(&a.value)?;
                        let result = apply(op, current, rhs, a.span)?;
                        self.value_as_text(a.elem.var, result, a.span)
                    }
                };
                let (key, arrays) = self.key_and_arrays(loc, &buf);
                let (mut added, mut removed) = (text.len(), 0);
                if let Some(table) = arrays.text.get_mut(slot as usize) {
                    match found.and_then(|at| table.value_mut(at)) {
                        Some(cell) => removed = std::mem::replace(cell, text).len(),
                        None => {
                            added += key.len() + ELEMENT_COST;
                            if table.insert(key, text).is_none() {
                                return Err(self.array_full(a.elem.span));
                            }
                        }
                    }
                }
                self.give_text(std::mem::take(&mut buf));
                self.hold(added, removed, a.elem.span)?;
            }
            _ => {}
        }
        self.give_text(buf);
        Ok(())
    }

    /// `set #A[k] = n` (`op` `None`) and `set #A[k] op= n`: the common
    /// element assignments, without the general path's conversions. The
    /// key is looked up once; what a new element holds is charged.
    #[inline(never)]
    fn num_elem_update(
        &mut self,
        a: &'a ElemAssign,
        slot: u32,
        op: Option<Arith>,
        rhs: &'a Num,
    ) -> Res<()> {
        let mut buf = String::new();
        let (loc, found) = self.find_elem(&a.elem, &mut buf)?;
        let loc = self.kept_key(loc, &mut buf);
        let rhs = self.operand(rhs)?;
        let n = match op {
            Some(op) => {
                let current = found
                    .and_then(|at| self.store.arrays.num.get(slot as usize)?.value(at).copied());
                arith(op, current.unwrap_or(0.0), rhs, a.span)?
            }
            None => rhs,
        };
        let (key, arrays) = self.key_and_arrays(loc, &buf);
        let Some(table) = arrays.num.get_mut(slot as usize) else {
            return Ok(());
        };
        if let Some(cell) = found.and_then(|at| table.value_mut(at)) {
            *cell = n;
            self.give_text(buf);
            return Ok(());
        }
        let added = key.len() + ELEMENT_COST;
        if table.insert(key, n).is_none() {
            return Err(self.array_full(a.elem.span));
        }
        self.give_text(buf);
        self.hold(added, 0, a.elem.span)
    }

    /// `loc`, or its text copied into `buf` when a function call could
    /// change it (a `#split` field, `$rdlin`).
    #[inline]
    fn kept_key(&mut self, loc: Loc<'a>, buf: &mut String) -> Loc<'a> {
        match loc {
            Loc::Split(..) | Loc::Readline => {
                self.pooled(buf);
                buf.push_str(texts!(self).get(loc, ""));
                Loc::Buf
            }
            loc => loc,
        }
    }

    /// Appends the text of `value` to `out`.
    fn val_into(&mut self, value: &'a Val, out: &mut String) -> Res<()> {
        match value {
            Val::Text(t) => self.text_into(t, out),
            Val::Num(n) => {
                let n = self.num(n)?;
                push_number(out, n);
                Ok(())
            }
            Val::Dyn(d) => {
                self.dyn_value(d)?.write_to(out);
                Ok(())
            }
        }
    }

    fn warn(&mut self, var: VarId, what: &str, span: Span) {
        if !self.host.keeps_log() {
            return;
        }
        let text = format!(
            "{what}: assigned to `{}` at {}",
            self.var_name(var),
            self.map.location(span)
        );
        self.log("WARNING", &text, false);
    }

    /// `unset`/`delete`: a variable loses its value; an element leaves its
    /// array (setting it again puts it last).
    fn unset(&mut self, target: &'a Unset) -> Res<()> {
        match target {
            Unset::Var(place) => match *place {
                Place::Num(slot) => {
                    if self.deferred_count == Some(slot) {
                        self.deferred_count = None;
                    }
                    if let Some(cell) = self.store.nums.get_mut(slot as usize) {
                        *cell = None;
                    }
                }
                Place::Text(slot) => {
                    if let Some(cell) = self.store.text_mut(slot) {
                        let removed = cell.held();
                        cell.set = false;
                        self.budget_release(removed);
                    }
                }
                Place::NumArray(slot) => {
                    if let Some(t) = self.store.arrays.num.get_mut(slot as usize) {
                        let removed = t.held(|_| 0);
                        t.clear();
                        self.budget_release(removed);
                    }
                }
                Place::TextArray(slot) => {
                    if let Some(t) = self.store.arrays.text.get_mut(slot as usize) {
                        let removed = t.held(|v| v.len());
                        t.clear();
                        self.budget_release(removed);
                    }
                }
                Place::Dat(..) => {}
            },
            Unset::Elem(elem) => {
                let mut buf = String::new();
                let loc = self.locate_key(&elem.key, &mut buf)?;
                let (key, arrays) = self.key_and_arrays(loc, &buf);
                let element = key.len() + ELEMENT_COST;
                let removed = match elem.array {
                    Place::NumArray(slot) => arrays
                        .num
                        .get_mut(slot as usize)
                        .and_then(|t| t.remove(key))
                        .map(|_| element),
                    Place::TextArray(slot) => arrays
                        .text
                        .get_mut(slot as usize)
                        .and_then(|t| t.remove(key))
                        .map(|v| element + v.len()),
                    _ => None,
                };
                self.give_text(buf);
                self.budget_release(removed.unwrap_or(0));
            }
        }
        Ok(())
    }

    /// `exec`, `exec wait`, `doexec` (`force`): what test mode and no-exec
    /// do with them is the guard's business (`crate::guard`).
    fn exec_command(
        &mut self,
        command: &CommandLine,
        wait: bool,
        force: bool,
        span: Span,
    ) -> Res<()> {
        let used_for = if force {
            CommandUse::DoExec
        } else {
            CommandUse::Exec
        };
        let shell_command = command.as_shell(used_for);
        let result = if wait {
            self.host.run(&shell_command).map(|status| {
                if status != 0 {
                    let text = format!("command exited with status {status}: {}", command.shown());
                    self.log("INFO", &text, false);
                }
            })
        } else {
            self.host.spawn(&shell_command)
        };
        self.guarded(result, span)?.map_err(|e| {
            error(
                RunErrorKind::Io {
                    what: format!("cannot run `{}`", command.shown()),
                    reason: e.to_string(),
                },
                span,
            )
        })
    }

    /// Writes to standard output; a closed pipe stops the run quietly.
    pub(super) fn write_stdout(&mut self, text: &str) -> Res<()> {
        self.host.stdout(text).map_err(|e| self.stdout_error(&e))
    }

    fn send(&mut self, target: &'a Target, text: &mut String, span: Span) -> Res<()> {
        match target {
            Target::Stdout => {
                text.push('\n');
                self.write_stdout(text)
            }
            Target::Mail => {
                self.mail.push(text.clone());
                Ok(())
            }
            Target::Print => self.print_line(text, span),
            Target::Log(file, file_span) => {
                let path = self.text_value(file)?;
                self.host.append_line(&path, text).map_err(|e| {
                    error(
                        RunErrorKind::Io {
                            what: format!("cannot write log file `{path}`"),
                            reason: e.to_string(),
                        },
                        *file_span,
                    )
                })
            }
            Target::PiktLog => {
                let tag = self.level.word().to_ascii_uppercase();
                self.log(&tag, text, true);
                Ok(())
            }
            Target::Syslog => {
                let message = SyslogMessage {
                    level: self.level,
                    tag: self.name,
                    text,
                };
                if let Err(e) = self.host.syslog(&message) {
                    let warning = format!("cannot write to syslog ({e}): {text}");
                    self.log("WARNING", &warning, true);
                }
                Ok(())
            }
        }
    }

    /// `output print`: a line to the print command (`+L`), or to standard
    /// output when there is none.
    fn print_line(&mut self, text: &str, span: Span) -> Res<()> {
        let Some(lp_cmd) = self.config.lp_cmd.as_deref() else {
            self.write_stdout(text)?;
            return self.write_stdout("\n");
        };
        let io_error = |e: std::io::Error| {
            error(
                RunErrorKind::Io {
                    what: format!("cannot print with `{lp_cmd}`"),
                    reason: e.to_string(),
                },
                span,
            )
        };
        if self.shared.print.is_none() {
            let opened = self
                .host
                .write_pipe(&ShellCommand::new(lp_cmd, CommandUse::Print));
            self.shared.print = Some(self.guarded(opened, span)?.map_err(io_error)?);
        }
        if let Some(pipe) = self.shared.print.as_mut() {
            writeln!(pipe, "{text}").map_err(io_error)?;
        }
        Ok(())
    }
}

/// `op` on two values (compound assignments that have no typed form: only
/// arithmetic operators and `.` have compound forms).
fn apply(op: BinaryOp, l: Value, r: Value, span: Span) -> Res<Value> {
    if let Some(op) = crate::plan::Arith::of(op) {
        return Ok(Value::Num(arith(op, l.to_num(), r.to_num(), span)?));
    }
    let mut out = l.to_str();
    r.write_to(&mut out);
    Ok(Value::Str(out))
}
