//! Function calls: the built-ins that need the running script (handles,
//! `#split` fields, the input loop, the alert context, shell commands) are
//! here; every other one is a pure function of its arguments
//! ([`crate::functions::call_pure`]).
//!
//! Handle functions (decided): `#fopen`/`#popen` return 1 on success and
//! `#err()` (-1) when the file or command cannot be opened (a WARNING is
//! logged); `#read` returns 1 and sets `$rdlin`, or 0 at the end; `#write`
//! writes its text and a newline and returns 1; `#fclose` returns 0 and
//! `#pclose` the command's exit status; failures of these return `#err()`.
//! Using a handle that is not open, or opening one that is, is a run-time
//! error.

use std::io::{BufRead, Write};

use jiff::tz::TimeZone;
use pikt_lang::ast::HandleId;
use pikt_lang::builtins::{self, Builtin};
use pikt_source::Span;

use super::{error, Machine, Res};
use crate::command::CommandLine;
use crate::error::{RunError, RunErrorKind};
use crate::functions::{call_pure, reads_clock, FnEnv, ERR_TEXT};
use crate::guard::Guarded;
use crate::host::{
    Clock, CommandUse, FileStat, Fs, ReadPipe, Shell, ShellCommand, System, WritePipe,
};
use crate::input::{decode_line, read_line_capped};
use crate::plan::{Arg, Call, Dyn, SplitCall, Text, Val};
use crate::shell::{killprocs_command, pkill_count};
use crate::value::{Str, Value};

/// The value of `#err()`.
pub(crate) const ERR: f64 = -1.0;

/// An open file or process handle.
pub(crate) enum Handle {
    /// `#fopen(H, path, "r")`
    FileReader(Box<dyn BufRead>),
    /// `#fopen(H, path, "w"|"a")`
    FileWriter(Box<dyn Write>),
    /// `#popen(H, cmd, "r")`
    PipeReader(Box<dyn ReadPipe>),
    /// `#popen(H, cmd, "w")`
    PipeWriter(Box<dyn WritePipe>),
}

impl Handle {
    /// Closes the handle; the exit status for pipes, 0 for files.
    pub(crate) fn close(self) -> std::io::Result<i32> {
        match self {
            Handle::FileReader(_) => Ok(0),
            Handle::FileWriter(mut w) => w.flush().map(|()| 0),
            Handle::PipeReader(p) => p.close(),
            Handle::PipeWriter(p) => p.close(),
        }
    }

    fn is_pipe(&self) -> bool {
        matches!(self, Handle::PipeReader(_) | Handle::PipeWriter(_))
    }

    fn how(&self) -> &'static str {
        match self {
            Handle::FileReader(_) => "for reading",
            Handle::FileWriter(_) => "for writing",
            Handle::PipeReader(_) => "as a pipe for reading",
            Handle::PipeWriter(_) => "as a pipe for writing",
        }
    }
}

/// What pure functions see of the world.
struct FnHost<'h, 'g> {
    now: f64,
    host: &'h mut Guarded<'g>,
    zone: &'h TimeZone,
}

impl FnEnv for FnHost<'_, '_> {
    fn now(&self) -> f64 {
        self.now
    }

    fn hostname(&self) -> &str {
        self.host.hostname()
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.host.getenv(name)
    }

    fn random(&mut self) -> f64 {
        self.host.random()
    }

    fn pid(&self) -> u32 {
        self.host.pid()
    }

    fn pid_of(&mut self, name: &str) -> Option<u32> {
        self.host.pid_of(name)
    }

    fn time_zone(&self) -> TimeZone {
        self.zone.clone()
    }

    fn stat_file(&mut self, path: &str) -> std::io::Result<FileStat> {
        self.host.stat(path, true)
    }

    fn open_file(&mut self, path: &str) -> std::io::Result<Box<dyn BufRead>> {
        self.host.open_read(path)
    }
}

impl<'a> Machine<'a> {
    /// Calls a built-in (the arguments unevaluated: some functions take
    /// handles).
    pub(super) fn call(&mut self, call: &'a Call) -> Res<Value> {
        let (builtin, args, span) = (call.builtin, &*call.args, call.span);
        let text = |s: &str| Ok(Value::str(s));
        match builtin {
            Builtin::Fopen => self.fopen(args, span),
            Builtin::Popen => self.popen(call),
            Builtin::Read => self.read(args, span),
            Builtin::Write => self.write(args, span),
            Builtin::Fclose => self.close(args, false, span),
            Builtin::Pclose => self.close(args, true, span),
            Builtin::Rule => Ok(Value::Num(f64::from(self.rule_number))),
            Builtin::Innum => Ok(Value::Num(self.line_number as f64)),
            Builtin::Eoi => self.end_of_input(span),
            Builtin::System => self.system(call),
            Builtin::Command => self.command(call),
            Builtin::Killprocs => self.killprocs(args, span),
            Builtin::Alarm => text(self.name),
            Builtin::Alert => text(self.config.alert.as_deref().unwrap_or("")),
            Builtin::Task => text(self.script.init.task.as_ref().map_or("", |(t, _)| t)),
            Builtin::LevelName => text(self.level.word()),
            Builtin::StatusName => text(self.status_name()),
            Builtin::MailCmd => text(self.config.mail_cmd.as_deref().unwrap_or("")),
            Builtin::LpCmd => text(self.config.lp_cmd.as_deref().unwrap_or("")),
            _ => self.call_pure(builtin, args, span),
        }
    }

    fn status_name(&self) -> &'static str {
        self.script
            .init
            .status
            .map_or("active", |(status, _)| status.word())
    }

    fn call_pure(&mut self, builtin: Builtin, args: &'a [Arg], span: Span) -> Res<Value> {
        let mut values = self.args_pool.pop().unwrap_or_default();
        values.clear();
        let mut result = Ok(());
        for arg in args {
            match self.value(&arg.val) {
                Ok(v) => values.push(v),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let outcome = result.and_then(|()| {
            // Only the calendar functions read the clock.
            let now = if reads_clock(builtin) {
                self.host.now() as f64
            } else {
                0.0
            };
            let mut env = FnHost {
                now,
                host: &mut self.host,
                zone: &self.config.time_zone,
            };
            match call_pure(builtin, &values, &mut env) {
                Some(Ok(v)) => Ok(v),
                Some(Err(e)) if e.gives_err_text => {
                    self.log("ERROR", &e.message, true);
                    Ok(Value::str(ERR_TEXT))
                }
                Some(Err(e)) => Err(error(RunErrorKind::Function { message: e.message }, span)),
                None => Err(error(
                    RunErrorKind::Function {
                        message: format!(
                            "`{}` is not available here",
                            builtins::info(builtin).display()
                        ),
                    },
                    span,
                )),
            }
        });
        values.clear();
        self.args_pool.push(values);
        outcome
    }

    /// The handle named by the first argument.
    fn handle_arg(&self, args: &[Arg], span: Span) -> Res<HandleId> {
        match args.first() {
            Some(Arg {
                val: Val::Dyn(Dyn::Handle(id, _)),
                ..
            }) => Ok(*id),
            first => Err(error(
                RunErrorKind::NotAllowed {
                    what: "the first argument must be a handle (a name in capitals)".into(),
                },
                first.map_or(span, |a| a.span),
            )),
        }
    }

    fn handle_name(&self, id: HandleId) -> String {
        self.script.symbols.handle(id).to_string()
    }

    fn text_arg(&mut self, args: &'a [Arg], index: usize, span: Span) -> Res<Str> {
        match args.get(index).map(|a| &a.val) {
            Some(Val::Text(t)) => self.text_value(t),
            Some(arg) => Ok(self.value(arg)?.to_str()),
            None => Err(error(
                RunErrorKind::NotAllowed {
                    what: format!("argument {} is missing", index + 1),
                },
                span,
            )),
        }
    }

    /// The command of a call that runs one (lowered apart from the other
    /// arguments, code and data kept apart: [`crate::command`]).
    fn command_arg(&mut self, call: &'a Call) -> Res<CommandLine> {
        match &call.command {
            Some(command) => self.eval_command(command),
            None => Err(error(
                RunErrorKind::NotAllowed {
                    what: "the command argument is missing".into(),
                },
                call.span,
            )),
        }
    }

    fn ensure_closed(&self, id: HandleId, span: Span) -> Res<()> {
        if self.handles.get(id.0 as usize).is_some_and(Option::is_some) {
            return Err(error(
                RunErrorKind::HandleAlreadyOpen {
                    handle: self.handle_name(id),
                },
                span,
            ));
        }
        Ok(())
    }

    fn set_handle(&mut self, id: HandleId, handle: Handle) {
        if let Some(slot) = self.handles.get_mut(id.0 as usize) {
            *slot = Some(handle);
        }
    }

    /// `#fopen(H, path, mode)`
    fn fopen(&mut self, args: &'a [Arg], span: Span) -> Res<Value> {
        let id = self.handle_arg(args, span)?;
        self.ensure_closed(id, span)?;
        let path = self.text_arg(args, 1, span)?;
        let mode = self.text_arg(args, 2, span)?;
        let opened = match mode.as_str() {
            "r" => self.host.open_read(&path).map(Handle::FileReader),
            "w" => self.host.open_write(&path, false).map(Handle::FileWriter),
            "a" => self.host.open_write(&path, true).map(Handle::FileWriter),
            _ => {
                return Err(error(
                    RunErrorKind::BadMode {
                        mode: mode.to_string(),
                    },
                    args.get(2).map_or(span, |a| a.span),
                ))
            }
        };
        match opened {
            Ok(handle) => {
                self.set_handle(id, handle);
                Ok(Value::Num(1.0))
            }
            Err(e) => {
                let text = format!("cannot open `{path}`: {e}");
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    /// `#popen(H, command, mode)`
    fn popen(&mut self, call: &'a Call) -> Res<Value> {
        let (args, span) = (&*call.args, call.span);
        let id = self.handle_arg(args, span)?;
        self.ensure_closed(id, span)?;
        let command = self.command_arg(call)?;
        let mode = self.text_arg(args, 2, span)?;
        if !matches!(mode.as_str(), "r" | "w") {
            return Err(error(
                RunErrorKind::BadMode {
                    mode: mode.to_string(),
                },
                args.get(2).map_or(span, |a| a.span),
            ));
        }
        let popen = command.as_shell(CommandUse::Popen);
        let opened = if mode == "r" {
            self.host.read_pipe(&popen).map(Handle::PipeReader)
        } else {
            self.host.write_pipe(&popen).map(Handle::PipeWriter)
        };
        match self.guarded(opened, span)? {
            Ok(handle) => {
                self.set_handle(id, handle);
                Ok(Value::Num(1.0))
            }
            Err(e) => {
                let text = format!("cannot run `{}`: {e}", command.shown());
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    fn not_open(&self, id: HandleId, span: Span) -> Box<RunError> {
        error(
            RunErrorKind::HandleNotOpen {
                handle: self.handle_name(id),
            },
            span,
        )
    }

    fn misuse(
        &self,
        id: HandleId,
        action: &'static str,
        how: &'static str,
        span: Span,
    ) -> Box<RunError> {
        error(
            RunErrorKind::HandleMisuse {
                handle: self.handle_name(id),
                action,
                how,
            },
            span,
        )
    }

    /// `#read(H)`: the next line into `$rdlin`.
    fn read(&mut self, args: &'a [Arg], span: Span) -> Res<Value> {
        let id = self.handle_arg(args, span)?;
        let Some(Some(handle)) = self.handles.get_mut(id.0 as usize) else {
            return Err(self.not_open(id, span));
        };
        self.read_bytes.clear();
        let max_line = self.config.limits.max_line;
        let read = match handle {
            Handle::FileReader(r) => read_line_capped(r, &mut self.read_bytes, max_line),
            Handle::PipeReader(r) => read_line_capped(r, &mut self.read_bytes, max_line),
            Handle::FileWriter(_) | Handle::PipeWriter(_) => {
                let how = handle.how();
                return Err(self.misuse(id, "read from", how, span));
            }
        };
        match read {
            Ok((0, _)) => Ok(Value::Num(0.0)),
            Ok((_, cut)) => {
                decode_line(&self.read_bytes, &mut self.readline);
                self.has_readline = true;
                if cut {
                    let what = format!("a line read from `{}`", self.handle_name(id));
                    self.line_cut(&what);
                }
                Ok(Value::Num(1.0))
            }
            Err(e) => {
                let text = format!("cannot read `{}`: {e}", self.handle_name(id));
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    /// `#write(H, text)`: the text and a newline.
    fn write(&mut self, args: &'a [Arg], span: Span) -> Res<Value> {
        let id = self.handle_arg(args, span)?;
        let text = self.text_arg(args, 1, span)?;
        self.emit(text.len() + 1, span)?;
        let Some(Some(handle)) = self.handles.get_mut(id.0 as usize) else {
            return Err(self.not_open(id, span));
        };
        let written = match handle {
            Handle::FileWriter(w) => writeln!(w, "{text}"),
            Handle::PipeWriter(w) => writeln!(w, "{text}"),
            Handle::FileReader(_) | Handle::PipeReader(_) => {
                let how = handle.how();
                return Err(self.misuse(id, "write to", how, span));
            }
        };
        match written {
            Ok(()) => Ok(Value::Num(1.0)),
            Err(e) => {
                let text = format!("cannot write `{}`: {e}", self.handle_name(id));
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    /// `#fclose(H)` / `#pclose(H)`.
    fn close(&mut self, args: &'a [Arg], pipe: bool, span: Span) -> Res<Value> {
        let id = self.handle_arg(args, span)?;
        let Some(slot) = self.handles.get_mut(id.0 as usize) else {
            return Err(self.not_open(id, span));
        };
        let Some(handle) = slot.take() else {
            return Err(self.not_open(id, span));
        };
        if handle.is_pipe() != pipe {
            let how = handle.how();
            *slot = Some(handle);
            let action = if pipe {
                "close with `#pclose`"
            } else {
                "close with `#fclose`"
            };
            return Err(self.misuse(id, action, how, span));
        }
        match handle.close() {
            Ok(status) => Ok(Value::Num(f64::from(status))),
            Err(e) => {
                let text = format!("cannot close `{}`: {e}", self.handle_name(id));
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    /// `#split(text [, seps])`: fields into `$1`…, returns their number
    /// (found only as read when nobody reads the number). The arguments are
    /// evaluated before the last split is replaced, so `#split($2)` splits
    /// the old second field. `#split($inline)` does not copy the line.
    pub(super) fn split(&mut self, call: &'a SplitCall) -> Res<f64> {
        self.split_for(call, None)
    }

    /// [`Machine::split`], whose count goes to `target` (a `#` slot about
    /// to be assigned it, so a count it still waits for is not needed).
    pub(super) fn split_for(&mut self, call: &'a SplitCall, target: Option<u32>) -> Res<f64> {
        let mut text = String::new();
        let on_line = match &call.text {
            Text::Line(span) => {
                if !self.has_line {
                    return Err(error(
                        RunErrorKind::Unset {
                            name: "$inline".into(),
                        },
                        *span,
                    ));
                }
                true
            }
            other => {
                self.pooled(&mut text);
                self.text_into(other, &mut text)?;
                false
            }
        };
        let mut seps = String::new();
        if let Some(s) = &call.seps {
            self.pooled(&mut seps);
            self.text_into(s, &mut seps)?;
        }
        // A count still owed is of the split being replaced.
        self.settle_count(target);
        if call.seps.is_some() {
            std::mem::swap(&mut self.split.seps, &mut seps);
            self.give_text(seps);
        }
        if !on_line {
            std::mem::swap(&mut self.split.text, &mut text);
            self.give_text(text);
        }
        self.split.on_line = on_line;
        self.split.has_seps = call.seps.is_some();
        self.split.fields.reset();
        if call.counted {
            Ok(self.split_count() as f64)
        } else {
            Ok(0.0)
        }
    }

    /// `#eoi()`: 1 when the current input line is the last one.
    fn end_of_input(&mut self, span: Span) -> Res<Value> {
        let Some(input) = &mut self.input else {
            return Ok(Value::bool(true));
        };
        input.at_end().map(Value::bool).map_err(|e| {
            error(
                RunErrorKind::Io {
                    what: "cannot read input".into(),
                    reason: e.to_string(),
                },
                span,
            )
        })
    }

    /// `#system(command)`: runs it, returns its exit status (test mode:
    /// prints `exec: COMMAND` and returns 0).
    fn system(&mut self, call: &'a Call) -> Res<Value> {
        let command = self.command_arg(call)?;
        let ran = self.host.run(&command.as_shell(CommandUse::System));
        match self.guarded(ran, call.span)? {
            Ok(status) => Ok(Value::Num(f64::from(status))),
            Err(e) => {
                let text = format!("cannot run `{}`: {e}", command.shown());
                self.log("WARNING", &text, false);
                Ok(Value::Num(ERR))
            }
        }
    }

    /// `$command(command)`: the first line of its output.
    fn command(&mut self, call: &'a Call) -> Res<Value> {
        let command = self.command_arg(call)?;
        let captured = self.host.capture(&command.as_shell(CommandUse::Command));
        match self.guarded(captured, call.span)? {
            Ok(output) => {
                let first = output.lines().next().unwrap_or("");
                Ok(Value::str(first))
            }
            Err(e) => {
                let text = format!("cannot run `{}`: {e}", command.shown());
                self.log("WARNING", &text, false);
                Ok(Value::str(""))
            }
        }
    }

    /// `#killprocs(user, comm [, signal])` (`#killall`): kills every live
    /// process of exactly that user and command name, with the signal (a
    /// number or a name, default 9), and returns how many were signalled.
    /// It runs `pkill -c -SIG -x -u USER -- NAME` through the shell, which
    /// the real shell serves natively (identity-checked kills, rounds until
    /// none is left, every victim logged); the fakes only record it. In test
    /// mode the guard lists the processes instead, prints `kill: would
    /// signal N processes of USER COMMAND (pids ...)` and answers N.
    fn killprocs(&mut self, args: &'a [Arg], span: Span) -> Res<Value> {
        let user = self.text_arg(args, 0, span)?;
        let comm = self.text_arg(args, 1, span)?;
        let signal_text = match args.get(2).map(|a| &a.val) {
            Some(Val::Text(t)) => self.text_value(t)?.to_string(),
            Some(arg) => self.value(arg)?.to_str().to_string(),
            None => "9".to_string(),
        };
        let refuse = |message: String| error(RunErrorKind::Function { message }, span);
        if user.is_empty() || comm.is_empty() {
            return Err(refuse(
                "`#killprocs` needs a user and a command name".to_string(),
            ));
        }
        let Some(signal) = self.host.signal_number(signal_text.trim()) else {
            return Err(refuse(format!(
                "`#killprocs`: unknown signal `{signal_text}`"
            )));
        };
        let command = killprocs_command(&user, &comm, signal, false);
        let used_for = CommandUse::KillProcs {
            user: &user,
            comm: &comm,
        };
        let captured = self.host.capture(&ShellCommand::new(&command, used_for));
        match self.guarded(captured, span)? {
            Ok(output) => Ok(Value::Num(f64::from(pkill_count(&output)))),
            Err(e) => {
                let text = format!("cannot run `{command}`: {e}");
                self.log("WARNING", &text, true);
                Ok(Value::Num(0.0))
            }
        }
    }
}
