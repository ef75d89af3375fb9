//! Statements (reference §4.5, §4.6).

use std::io::Write as _;

use pikt_lang::ast::{
    Assign, BinaryOp, Block, Case, CaseLabel, Expr, ExprKind, LValue, OutputTarget, Stmt, StmtKind,
    VarId, VarType,
};
use pikt_source::Span;

use super::budget::{held, ELEMENT_COST};
use super::vars::Slot;
use super::{Flow, Machine, Section};
use crate::command::CommandLine;
use crate::error::{RunError, RunErrorKind, RunResult};
use crate::host::{Clock, CommandUse, Fs, Shell, ShellCommand, Sinks, SyslogMessage};
use crate::value::{Str, Value};

impl Machine<'_> {
    /// Runs `block`; stops at the first statement that does not end
    /// normally and returns its flow.
    pub(super) fn exec_block(&mut self, block: &Block) -> RunResult<Flow> {
        for stmt in block {
            let flow = self.exec(stmt)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, stmt: &Stmt) -> RunResult<Flow> {
        self.tick(stmt.span)?;
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::If { arms, otherwise } => {
                for (cond, body) in arms {
                    if self.eval_bool(cond)? {
                        return self.exec_block(body);
                    }
                }
                match otherwise {
                    Some(body) => self.exec_block(body),
                    None => Ok(Flow::Normal),
                }
            }
            StmtKind::While { cond, body } => self.in_loop(|m| m.exec_while(cond, body)),
            StmtKind::Repeat { body, until } => self.in_loop(|m| m.exec_repeat(body, until)),
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => self.in_loop(|m| m.exec_for(init, cond, step, body)),
            StmtKind::ForKeys { var, array, body } => {
                self.in_loop(|m| m.exec_for_keys(*var, *array, body, span))
            }
            StmtKind::Switch { subject, cases } => {
                self.switch_depth += 1;
                let flow = self.exec_switch(subject, cases);
                self.switch_depth -= 1;
                flow
            }
            StmtKind::Break => self.loop_jump(Flow::Break, "break", span),
            StmtKind::Continue => self.loop_jump(Flow::Continue, "continue", span),
            StmtKind::BreakSwitch => {
                if self.switch_depth == 0 {
                    return Err(RunError::new(
                        RunErrorKind::FlowOutsideLoop {
                            keyword: "breakswitch",
                        },
                        span,
                    ));
                }
                Ok(Flow::BreakSwitch)
            }
            StmtKind::Again => self.rule_jump(Flow::Again, "again", span),
            StmtKind::Leave => self.rule_jump(Flow::Leave, "leave", span),
            StmtKind::Redo => self.rule_jump(Flow::Redo, "redo", span),
            StmtKind::Next => self.rule_jump(Flow::Next, "next", span),
            StmtKind::Last => self.rule_jump(Flow::Last, "last", span),
            StmtKind::Skip(count) => {
                let n = self.eval_num(count)?;
                let n = if n > 0.0 { n as u64 } else { 0 };
                self.rule_jump(Flow::Skip(n), "skip", span)
            }
            StmtKind::Pause(seconds) => {
                let seconds = self.eval_num(seconds)?;
                self.host.sleep(seconds);
                Ok(Flow::Normal)
            }
            StmtKind::Quit => Ok(Flow::Quit),
            StmtKind::Die(message) => {
                let text = match message {
                    Some(e) => Some(self.eval_string(e)?.to_string()),
                    None => None,
                };
                Ok(Flow::Die(text))
            }
            StmtKind::Do(call) => {
                self.eval(call)?;
                Ok(Flow::Normal)
            }
            StmtKind::Set(assign) => {
                self.assign(assign)?;
                Ok(Flow::Normal)
            }
            StmtKind::Unset(target) => {
                self.unset(target)?;
                Ok(Flow::Normal)
            }
            StmtKind::Exec {
                wait,
                force,
                command,
            } => {
                let command = self.eval_command(command)?;
                self.exec_command(&command, *wait, *force, span)?;
                Ok(Flow::Normal)
            }
            StmtKind::Output { target, message } => {
                self.output(target, message, span)?;
                Ok(Flow::Normal)
            }
        }
    }

    /// Runs a loop with the loop depth raised (so `break` knows it is
    /// inside one).
    fn in_loop(&mut self, run: impl FnOnce(&mut Self) -> RunResult<Flow>) -> RunResult<Flow> {
        self.loop_depth += 1;
        let flow = run(self);
        self.loop_depth -= 1;
        flow
    }

    fn loop_jump(&self, flow: Flow, keyword: &'static str, span: Span) -> RunResult<Flow> {
        if self.loop_depth == 0 {
            return Err(RunError::new(
                RunErrorKind::FlowOutsideLoop { keyword },
                span,
            ));
        }
        Ok(flow)
    }

    /// `next`, `skip`, `redo`, `again`, `leave`, `last`: only in rules
    /// (decided: elsewhere they are run-time errors).
    fn rule_jump(&self, flow: Flow, keyword: &'static str, span: Span) -> RunResult<Flow> {
        if self.section != Section::Rule {
            return Err(RunError::new(
                RunErrorKind::FlowOutsideRules { keyword },
                span,
            ));
        }
        Ok(flow)
    }

    fn exec_while(&mut self, cond: &Expr, body: &Block) -> RunResult<Flow> {
        while self.eval_bool(cond)? {
            // Every iteration counts, also of a loop with an empty body.
            self.count(cond.span)?;
            match self.exec_block(body)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_repeat(&mut self, body: &Block, until: &Expr) -> RunResult<Flow> {
        loop {
            self.count(until.span)?;
            match self.exec_block(body)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                flow => return Ok(flow),
            }
            if self.eval_bool(until)? {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_for(
        &mut self,
        init: &Assign,
        cond: &Expr,
        step: &Assign,
        body: &Block,
    ) -> RunResult<Flow> {
        self.assign(init)?;
        while self.eval_bool(cond)? {
            self.count(cond.span)?;
            match self.exec_block(body)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                flow => return Ok(flow),
            }
            self.assign(step)?;
        }
        Ok(Flow::Normal)
    }

    /// `foreach #keys($k, A)` / `for $k in #keys(A)`: the keys as they are
    /// when the loop starts, in insertion order.
    fn exec_for_keys(
        &mut self,
        var: VarId,
        array: VarId,
        body: &Block,
        span: Span,
    ) -> RunResult<Flow> {
        let mut keys = self.keys_pool.pop().unwrap_or_default();
        keys.clear();
        match self.vars.get(array) {
            Slot::Array(map) => keys.extend(map.keys().cloned()),
            Slot::Unset => {}
            Slot::Scalar(_) => {
                return Err(RunError::new(
                    RunErrorKind::WrongShape {
                        name: self.script.symbols.display(array),
                        expected: "an array",
                    },
                    span,
                ))
            }
        }
        let mut result = Ok(Flow::Normal);
        for key in &keys {
            if let Err(e) = self.count(span) {
                result = Err(e);
                break;
            }
            let value = match self.var_type(var) {
                VarType::Str => Value::Str(key.clone()),
                VarType::Num => Value::Num(crate::value::parse_leading_number(key)),
            };
            if let Err(e) = self.store(var, value, span) {
                result = Err(e);
                break;
            }
            match self.exec_block(body) {
                Ok(Flow::Normal | Flow::Continue) => {}
                Ok(Flow::Break) => break,
                other => {
                    result = other;
                    break;
                }
            }
        }
        keys.clear();
        self.keys_pool.push(keys);
        result
    }

    /// `switch`: start at the first case whose label equals the subject
    /// (numbers numerically, strings as text), or at `default`; fall
    /// through the following cases until `breakswitch`.
    fn exec_switch(&mut self, subject: &Expr, cases: &[Case]) -> RunResult<Flow> {
        let value = self.eval(subject)?;
        let start = cases
            .iter()
            .position(|case| match &case.label {
                Some(CaseLabel::Num(n)) => value.to_num() == *n,
                Some(CaseLabel::Str(s)) => match &value {
                    Value::Str(text) => text.as_str() == s,
                    Value::Num(_) => value.to_str().as_str() == s,
                },
                None => false,
            })
            .or_else(|| cases.iter().position(|case| case.label.is_none()));
        let Some(start) = start else {
            return Ok(Flow::Normal);
        };
        for case in cases.get(start..).unwrap_or_default() {
            match self.exec_block(&case.body)? {
                Flow::Normal => {}
                Flow::BreakSwitch => break,
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    /// `set target op value`. A compound operator on a variable or element
    /// with no value starts from 0 (numbers) or "" (strings).
    pub(super) fn assign(&mut self, assign: &Assign) -> RunResult<()> {
        let var = assign.target.var();
        if self.is_dat(var) {
            return Err(RunError::new(
                RunErrorKind::ReadOnly {
                    name: self.script.symbols.display(var),
                },
                assign.target.span(),
            ));
        }
        match &assign.target {
            LValue::Var(_, _) => {
                let value = match assign.op.binary() {
                    None => self.eval(&assign.value)?,
                    Some(op) => {
                        let current = match self.vars.get(var) {
                            Slot::Scalar(v) => v.clone(),
                            _ => self.zero(var),
                        };
                        let rhs = self.eval(&assign.value)?;
                        self.apply(op, current, rhs, assign.span)?
                    }
                };
                self.store(var, value, assign.target.span())
            }
            LValue::Index(_, key, span) => {
                let mut text = self.take_text();
                let result = self.assign_element(assign, var, key, *span, &mut text);
                self.give_text(text);
                result
            }
        }
    }

    fn assign_element(
        &mut self,
        assign: &Assign,
        var: VarId,
        key: &Expr,
        span: Span,
        text: &mut String,
    ) -> RunResult<()> {
        self.key_text(key, text)?;
        if let Some(added) = self.count_element(assign, var, text) {
            return self.hold(added, 0, span);
        }
        // Where the element is, when the value cannot change the array: then
        // the key is looked up once, for reading and writing (`+= 1`).
        let mut place = None;
        let value = match assign.op.binary() {
            None => self.eval(&assign.value)?,
            Some(op) => {
                let found = match self.vars.get(var) {
                    Slot::Array(array) => array.get_full(text.as_str()),
                    _ => None,
                };
                place = Some(found.map(|(index, _, _)| index));
                let current = found.map_or_else(|| self.zero(var), |(_, _, v)| v.clone());
                if !super::expr::calls_no_function(&assign.value) {
                    place = None;
                }
                let rhs = self.eval(&assign.value)?;
                self.apply(op, current, rhs, assign.span)?
            }
        };
        let value = self.convert(var, value, assign.span);
        let Some(array) = self.vars.array_mut(var) else {
            return Err(RunError::new(
                RunErrorKind::WrongShape {
                    name: self.script.symbols.display(var),
                    expected: "an array",
                },
                span,
            ));
        };
        let added = held(&value);
        let cell = match place {
            Some(Some(index)) => array.get_index_mut(index).map(|(_, cell)| cell),
            Some(None) => None,
            None => array.get_mut(text.as_str()),
        };
        let (added, removed) = match cell {
            Some(cell) => (added, held(&std::mem::replace(cell, value))),
            None => {
                array.insert(Str::from(text.as_str()), value);
                (added + text.len() + ELEMENT_COST, 0)
            }
        };
        self.hold(added, removed, span)
    }

    /// `set #a[key] += n` / `-= n` with a number literal `n` on a numeric
    /// array (the counting idiom of monitoring scripts), done in place.
    /// `None` when the statement is not of that form, or the element does
    /// not hold a number: the general path then does it. Else the bytes
    /// the array grew by.
    fn count_element(&mut self, assign: &Assign, var: VarId, key: &str) -> Option<usize> {
        let step = match (assign.op.binary(), &assign.value.kind) {
            (Some(BinaryOp::Add), ExprKind::Num(n)) => *n,
            (Some(BinaryOp::Sub), ExprKind::Num(n)) => -*n,
            _ => return None,
        };
        if self.var_type(var) != VarType::Num {
            return None;
        }
        let Some(Slot::Array(array)) = self.vars.get_mut(var) else {
            return None;
        };
        match array.get_mut(key) {
            Some(Value::Num(n)) => *n += step,
            Some(Value::Str(_)) => return None,
            None => {
                array.insert(Str::from(key), Value::Num(0.0 + step));
                return Some(key.len() + ELEMENT_COST);
            }
        }
        Some(0)
    }

    /// The starting value of a compound assignment.
    fn zero(&self, var: VarId) -> Value {
        match self.var_type(var) {
            VarType::Num => Value::Num(0.0),
            VarType::Str => Value::Str(Str::default()),
        }
    }

    /// `value` as the type of `var`: `$` variables hold text, `#` numbers.
    /// A number stored in a string variable, or text that is not a number
    /// stored in a numeric one, is allowed but logged as a WARNING
    /// (reference §4.7).
    fn convert(&mut self, var: VarId, value: Value, span: Span) -> Value {
        match (self.var_type(var), value) {
            (VarType::Num, Value::Str(s)) => {
                if self.host.keeps_log() && !crate::value::looks_numeric(&s) {
                    let what = format!("text `{s}` used as a number");
                    self.warn(var, &what, span);
                }
                Value::Num(crate::value::parse_leading_number(&s))
            }
            (VarType::Str, Value::Num(n)) => {
                self.warn(var, "number used as a string", span);
                Value::Str(crate::value::format_number(n))
            }
            (_, value) => value,
        }
    }

    fn warn(&mut self, var: VarId, what: &str, span: Span) {
        if !self.host.keeps_log() {
            return;
        }
        let text = format!(
            "{what}: assigned to `{}` at {}",
            self.script.symbols.display(var),
            self.map.location(span)
        );
        self.log("WARNING", &text, false);
    }

    /// Stores a scalar value.
    pub(super) fn store(&mut self, var: VarId, value: Value, span: Span) -> RunResult<()> {
        let value = self.convert(var, value, span);
        let removed = match self.vars.get(var) {
            Slot::Scalar(old) => held(old),
            Slot::Unset => 0,
            Slot::Array(_) => {
                return Err(RunError::new(
                    RunErrorKind::WrongShape {
                        name: self.script.symbols.display(var),
                        expected: "a scalar",
                    },
                    span,
                ));
            }
        };
        self.hold(held(&value), removed, span)?;
        if let Some(slot) = self.vars.get_mut(var) {
            *slot = Slot::Scalar(value);
        }
        Ok(())
    }

    /// `unset`/`delete`: a variable loses its value; an element leaves its
    /// array (setting it again puts it last).
    fn unset(&mut self, target: &LValue) -> RunResult<()> {
        let var = target.var();
        if self.is_dat(var) {
            return Err(RunError::new(
                RunErrorKind::ReadOnly {
                    name: self.script.symbols.display(var),
                },
                target.span(),
            ));
        }
        match target {
            LValue::Var(..) => {
                let removed = match self.vars.get_mut(var).map(std::mem::take) {
                    Some(Slot::Scalar(old)) => held(&old),
                    Some(Slot::Array(array)) => array
                        .iter()
                        .map(|(key, value)| key.len() + held(value) + ELEMENT_COST)
                        .sum(),
                    _ => 0,
                };
                self.hold(0, removed, target.span())?;
            }
            LValue::Index(_, key, _) => {
                let mut text = self.take_text();
                let result = self.key_text(key, &mut text);
                let mut removed = 0;
                if result.is_ok() {
                    if let Some(Slot::Array(array)) = self.vars.get_mut(var) {
                        if let Some(old) = array.shift_remove(text.as_str()) {
                            removed = text.len() + held(&old) + ELEMENT_COST;
                        }
                    }
                }
                self.give_text(text);
                result?;
                self.hold(0, removed, target.span())?;
            }
        }
        Ok(())
    }

    /// `exec`, `exec wait`, `doexec` (`force`): what test mode and no-exec
    /// do with them is the guard's business (`crate::guard`).
    pub(super) fn exec_command(
        &mut self,
        command: &CommandLine,
        wait: bool,
        force: bool,
        span: Span,
    ) -> RunResult<()> {
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
            RunError::new(
                RunErrorKind::Io {
                    what: format!("cannot run `{}`", command.shown()),
                    reason: e.to_string(),
                },
                span,
            )
        })
    }

    /// Writes to standard output; a closed pipe stops the run quietly.
    pub(super) fn write_stdout(&mut self, text: &str) -> RunResult<()> {
        self.host.stdout(text).map_err(|e| self.stdout_error(&e))
    }

    fn output(&mut self, target: &OutputTarget, message: &Expr, span: Span) -> RunResult<()> {
        let mut text = self.take_text();
        let result = self
            .eval_text(message, &mut text)
            .and_then(|()| self.send(target, &text, span));
        self.give_text(text);
        result
    }

    fn send(&mut self, target: &OutputTarget, text: &str, span: Span) -> RunResult<()> {
        self.emit(text.len() + 1, span)?;
        match target {
            OutputTarget::Stdout => {
                self.write_stdout(text)?;
                self.write_stdout("\n")
            }
            OutputTarget::Mail => {
                self.mail.push(text.to_string());
                Ok(())
            }
            OutputTarget::Print => self.print_line(text, span),
            OutputTarget::Log(file) => {
                let path = self.eval_string(file)?;
                self.host.append_line(&path, text).map_err(|e| {
                    RunError::new(
                        RunErrorKind::Io {
                            what: format!("cannot write log file `{path}`"),
                            reason: e.to_string(),
                        },
                        file.span,
                    )
                })
            }
            OutputTarget::PiktLog => {
                let tag = self.level.word().to_ascii_uppercase();
                self.log(&tag, text, true);
                Ok(())
            }
            OutputTarget::Syslog => {
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
    fn print_line(&mut self, text: &str, span: Span) -> RunResult<()> {
        let Some(lp_cmd) = self.config.lp_cmd.as_deref() else {
            self.write_stdout(text)?;
            return self.write_stdout("\n");
        };
        let io_error = |e: std::io::Error| {
            RunError::new(
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
