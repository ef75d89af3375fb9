//! The interpreter: one [`Machine`] runs one script's [`Plan`].
//!
//! Execution model (reference §4.4): check the script's `status`, run
//! `begin` once, then for each input line (after `filter`) run the rule
//! sections in order, then `end` once, then store the history. Flow-control
//! statements return a [`Flow`] that the loops and the input loop act on.
//!
//! The plan ([`crate::plan`]) has taken every static decision: the machine
//! walks typed nodes over typed slots. What makes the per-line path cheap
//! (see `bench/README.md`): the input line lives in one reused buffer and is
//! split into fields only as far as they are read; text operands are used
//! where they lie ([`eval::Loc`]) and other text is built in pooled
//! buffers, so the steady state does not allocate; an array remembers the
//! key it found last; each regex site keeps its compiled pattern. Errors
//! are boxed, so that results stay small on the hot paths.

/// The machine's [`eval::Texts`], borrowed field by field, so that the
/// other fields (the arrays, the regex sites) stay free for writing.
macro_rules! texts {
    ($m:expr) => {
        $crate::interp::eval::Texts {
            line: &$m.line,
            split: if $m.split.on_line {
                &$m.line
            } else {
                &$m.split.text
            },
            readline: &$m.readline,
            vars: &$m.store.texts,
            arrays: &$m.store.arrays.text,
        }
    };
}

mod budget;
mod call;
mod command;
mod cond;
mod eval;
mod fields;
mod stmt;
mod store;

use pikt_lang::ast::{InputKind, Level, Script, Status, VarId, VarType};
use pikt_source::{SourceMap, Span};

use crate::config::RunConfig;
use crate::error::{RunError, RunErrorKind, RunResult};
use crate::guard::{GuardError, Guarded};
use crate::history::{History, ValueRef};
use crate::host::{Clock, LogEntry, Sinks};
use crate::input::Input;
use crate::plan::{Place, Plan};
use crate::regex_cache::RegexCache;
use crate::run::ScriptToRun;
use crate::split::LineFields;
use crate::value::{parse_leading_number, Str, Value};
use budget::{Budget, Exceeded};
use call::Handle;
use cond::Site;
use fields::SplitState;
use store::Store;

pub use crate::plan::Flow;
pub(crate) use eval::arith;

/// The result of evaluating anything: the error is boxed, so that the
/// common results (a number, a flag) travel in registers.
pub(crate) type Res<T> = Result<T, Box<RunError>>;

/// A run-time error of `kind` at `span`.
#[cold]
fn error(kind: RunErrorKind, span: Span) -> Box<RunError> {
    Box::new(RunError::new(kind, span))
}

/// Which section is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Begin,
    Rule,
    End,
}

/// State shared by the scripts of one run.
#[derive(Default)]
pub struct Shared {
    /// Compiled regexes.
    pub regexes: RegexCache,
    /// The pipe to the print command, opened on the first `output print`.
    pub print: Option<Box<dyn crate::host::WritePipe>>,
}

/// The interpreter state of one script run.
pub(crate) struct Machine<'a> {
    script: &'a Script,
    plan: &'a Plan,
    name: &'a str,
    map: &'a SourceMap,
    config: &'a RunConfig,
    /// Every effect, through the guard that applies test mode and no-exec.
    host: Guarded<'a>,
    shared: &'a mut Shared,
    store: Store,
    handles: Vec<Option<Handle>>,
    /// The last `#split`: its text and fields.
    split: SplitState,
    /// The current input line and its fields (split as far as read).
    line: String,
    has_line: bool,
    line_fields: LineFields,
    /// The line last read by `#read`.
    readline: String,
    has_readline: bool,
    /// Bytes of the last `#read`.
    read_bytes: Vec<u8>,
    seps: Option<String>,
    section: Section,
    rule_number: u32,
    line_number: u64,
    input: Option<Input>,
    level: Level,
    mail: Vec<String>,
    history_old: History,
    history_new: History,
    /// The `keys` text of the current line (for `%var` in rules).
    line_key: Option<String>,
    /// The buffer of an earlier line's key, for the next one.
    key_buffer: String,
    /// The message of `die`.
    died: Option<String>,
    /// How many lines `skip` skips.
    skip_lines: u64,
    /// The `#` slot that holds the field count of the current `#split`,
    /// not counted yet ([`crate::plan::Assign::Count`]).
    deferred_count: Option<u32>,
    /// Statements, time, memory and output used, against the limits.
    budget: Budget,
    /// Input lines cut at the line limit.
    cut_lines: u64,
    trace: bool,
    text_pool: Vec<String>,
    keys_pool: Vec<Vec<Str>>,
    args_pool: Vec<Vec<Value>>,
    /// The regex sites' compiled patterns.
    sites: Vec<Site>,
}

impl<'a> Machine<'a> {
    pub(crate) fn new(
        item: ScriptToRun<'a>,
        plan: &'a Plan,
        map: &'a SourceMap,
        config: &'a RunConfig,
        host: Guarded<'a>,
        shared: &'a mut Shared,
        history: History,
    ) -> Machine<'a> {
        let (script, name) = (item.script, item.name);
        let mut host = host;
        let cpu_now = if config.limits.max_cpu.is_some() {
            host.cpu_time()
        } else {
            None
        };
        let status = script.init.status.map(|(s, _)| s);
        let trace = config.debug || status == Some(Status::Debugging);
        let mut history_new = History::default();
        if !plan.history.is_empty() {
            history_new.keyed.reserve_like(&history.keyed);
        }
        Machine {
            script,
            plan,
            name,
            map,
            config,
            host,
            shared,
            store: Store::new(plan.sizes, plan.places.len()),
            handles: (0..script.symbols.handles.len()).map(|_| None).collect(),
            split: SplitState::default(),
            line: String::new(),
            has_line: false,
            line_fields: LineFields::default(),
            readline: String::new(),
            has_readline: false,
            read_bytes: Vec::new(),
            seps: script.init.seps.as_ref().map(|(s, _)| s.clone()),
            section: Section::Begin,
            rule_number: 0,
            line_number: 0,
            input: None,
            level: script.init.level.map_or(Level::Notice, |(l, _)| l),
            mail: Vec::new(),
            history_old: history,
            history_new,
            line_key: None,
            key_buffer: String::new(),
            died: None,
            skip_lines: 0,
            deferred_count: None,
            budget: Budget::new(config.limits, cpu_now),
            cut_lines: 0,
            trace,
            text_pool: Vec::new(),
            keys_pool: Vec::new(),
            args_pool: Vec::new(),
            sites: (0..plan.sizes.sites).map(|_| Site::default()).collect(),
        }
    }

    /// Runs the script: begin, the input loop with the rules, end.
    /// Returns how it stopped (`Flow::Normal`, `Quit` or `Die`).
    pub(crate) fn run(&mut self) -> RunResult<Flow> {
        self.run_sections().map_err(|e| *e)
    }

    fn run_sections(&mut self) -> Res<Flow> {
        let plan = self.plan;
        self.section = Section::Begin;
        if let flow @ (Flow::Quit | Flow::Die) = self.block(&plan.begin)? {
            return Ok(flow);
        }
        match self.input_loop()? {
            Flow::Normal => {}
            flow => return Ok(flow),
        }
        self.section = Section::End;
        // `#rule()` in `end` is the number of rules plus one (its PIKT page).
        self.rule_number = u32::try_from(plan.rules.len() + 1).unwrap_or(u32::MAX);
        if let flow @ (Flow::Quit | Flow::Die) = self.block(&plan.end)? {
            return Ok(flow);
        }
        Ok(Flow::Normal)
    }

    /// The message of `die`, once the run returned `Flow::Die`.
    pub(crate) fn die_message(&mut self) -> Option<String> {
        self.died.take()
    }

    /// Opens the input and runs the rules over every line. Returns
    /// `Normal` when `end` should run, `Quit`/`Die` otherwise.
    fn input_loop(&mut self) -> Res<Flow> {
        let Some(input) = self.open_input()? else {
            return Ok(Flow::Normal);
        };
        self.input = Some(input);
        self.section = Section::Rule;
        let flow = self.each_line();
        self.section = Section::End;
        let finished = self.input.take().map(Input::finish);
        // An input command the caller stopped ends the input early: the
        // rules did not see all of it, so `end` does not run.
        self.check_stop(self.input_span())?;
        if self.cut_lines > 1 {
            let text = format!(
                "{} lines in all were cut at the input line limit",
                self.cut_lines
            );
            self.log("WARNING", &text, true);
        }
        let flow = flow?;
        match finished {
            Some(Ok(Some(offset))) => {
                if let Some(input) = &self.script.init.input {
                    self.history_new
                        .logfiles
                        .insert(input.source.clone(), offset);
                }
            }
            Some(Err(e)) => {
                let text = format!("input command failed: {e}");
                self.log("WARNING", &text, false);
            }
            _ => {}
        }
        Ok(flow)
    }

    fn each_line(&mut self) -> Res<Flow> {
        let mut skip: u64 = 0;
        while self.read_input_line()? {
            // Every line counts, also for a script with no rule to run.
            self.count(self.input_span())?;
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let flow = self.run_rules()?;
            if flow == Flow::Die {
                return Ok(flow);
            }
            self.finish_line()?;
            match flow {
                Flow::Skip => skip = self.skip_lines,
                Flow::Last => return Ok(Flow::Normal),
                Flow::Quit => return Ok(flow),
                _ => {}
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs every rule over the current line, honouring `again`, `leave`,
    /// `redo` and `next`. Returns `Skip`, `Last`, `Quit`, `Die` or `Normal`.
    fn run_rules(&mut self) -> Res<Flow> {
        let plan = self.plan;
        'redo: loop {
            for (index, rule) in plan.rules.iter().enumerate() {
                self.rule_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
                loop {
                    match self.block(rule)? {
                        Flow::Again => continue,
                        Flow::Redo => continue 'redo,
                        Flow::Next => return Ok(Flow::Normal),
                        flow @ (Flow::Skip | Flow::Last | Flow::Quit | Flow::Die) => {
                            return Ok(flow);
                        }
                        _ => break,
                    }
                }
            }
            return Ok(Flow::Normal);
        }
    }

    /// Opens the script's input, piped through its filter. `None` when the
    /// script has no input, or its file does not exist (a WARNING).
    fn open_input(&mut self) -> Res<Option<Input>> {
        let Some(spec) = &self.script.init.input else {
            return Ok(None);
        };
        let source = spec.source.as_str();
        let filter = self.script.init.filter.as_ref();
        let _ = self.host.flush();
        let opened = match spec.kind {
            InputKind::Proc => {
                let command = match filter {
                    Some((f, _)) => format!("(\n{source}\n) | {f}"),
                    None => source.to_string(),
                };
                Input::proc(&mut self.host, &command)
            }
            InputKind::File => Input::file(&mut self.host, source),
            InputKind::Logfile => {
                let saved = self.history_old.logfiles.get(source).copied();
                Input::logfile(&mut self.host, source, spec.rotated.as_deref(), saved)
            }
        };
        let mut input = match opened {
            Ok(input) => input,
            Err(e) if GuardError::of(&e).is_some() => return Err(self.guard_error(&e, spec.span)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && spec.kind != InputKind::Proc => {
                let text = format!("input file `{source}` does not exist");
                self.log("WARNING", &text, true);
                return Ok(None);
            }
            Err(e) => {
                return Err(error(
                    RunErrorKind::Io {
                        what: format!("cannot open input `{source}`"),
                        reason: e.to_string(),
                    },
                    spec.span,
                ))
            }
        };
        input.limit_lines(self.budget.max_line());
        match filter {
            Some((f, span)) if spec.kind != InputKind::Proc => {
                let max_bytes = self.config.limits.max_memory.unwrap_or(usize::MAX);
                input
                    .filtered(&mut self.host, f, max_bytes)
                    .map(Some)
                    .map_err(|e| {
                        if GuardError::of(&e).is_some() {
                            return self.guard_error(&e, *span);
                        }
                        error(
                            RunErrorKind::Io {
                                what: format!("cannot run filter `{f}`"),
                                reason: e.to_string(),
                            },
                            *span,
                        )
                    })
            }
            _ => Ok(Some(input)),
        }
    }

    /// Reads the next input line into the line buffer; `false` at the end
    /// (the last line stays, as `$inline` after the loop).
    fn read_input_line(&mut self) -> Res<bool> {
        let Some(input) = &mut self.input else {
            return Ok(false);
        };
        // The last `#split($inline)` keeps its text: the line's buffer
        // becomes the split's, and the split's old buffer takes the line.
        let split_on_line = self.split.on_line;
        if split_on_line {
            std::mem::swap(&mut self.line, &mut self.split.text);
            self.split.on_line = false;
        }
        let line_number = self.line_number + 1;
        let got = input.next_line(&mut self.line);
        let cut = got.is_ok() && input.line_was_cut();
        let got = match got {
            Ok(got) => got,
            Err(e) => {
                return Err(error(
                    RunErrorKind::Io {
                        what: format!("cannot read input line {line_number}"),
                        reason: e.to_string(),
                    },
                    self.input_span(),
                ))
            }
        };
        if got {
            self.line_number = line_number;
            self.has_line = true;
            self.line_fields.reset();
            if let Some(key) = self.line_key.take() {
                self.key_buffer = key;
            }
            if cut {
                self.line_cut(&format!("input line {line_number}"));
            }
        } else if split_on_line {
            std::mem::swap(&mut self.line, &mut self.split.text);
            self.split.on_line = true;
        }
        Ok(got)
    }

    /// Warns about a line cut at the input line limit: the first of the
    /// script, then a count at the end of the input.
    #[cold]
    fn line_cut(&mut self, what: &str) {
        self.cut_lines += 1;
        if self.cut_lines == 1 {
            let text = format!(
                "{what} is longer than the input line limit ({}, PIKT.conf `input_line_limit`): the rest of it was skipped",
                budget::mebibytes(self.budget.max_line() as u64)
            );
            self.log("WARNING", &text, true);
        }
    }

    /// Where the script's input is named (the script when it has none).
    fn input_span(&self) -> Span {
        self.script
            .init
            .input
            .as_ref()
            .map_or(self.script.span, |i| i.span)
    }

    /// At the end of a line: remember `@` values and keyed history (what
    /// the history holds counts against the memory limit).
    fn finish_line(&mut self) -> Res<()> {
        let plan = self.plan;
        for &id in &plan.previous {
            self.remember_previous(id);
        }
        if !plan.history.is_empty() {
            let held_before = self.history_new.keyed.held();
            self.line_key();
            let key = self.line_key.as_deref().unwrap_or("");
            self.history_new.keyed.start(key);
            for &id in &plan.history {
                let name = plan.names.get(id.0 as usize).map_or("", |n| &**n);
                let Some(place) = plan.places.get(id.0 as usize).copied() else {
                    continue;
                };
                let value = match place {
                    Place::Num(slot) => self.num_slot(slot).map(ValueRef::Num),
                    Place::Text(slot) => self
                        .store
                        .texts
                        .get(slot as usize)
                        .filter(|c| c.set)
                        .map(|c| ValueRef::Text(&c.text)),
                    Place::Dat(spec, ty) if self.has_line => {
                        let (start, end) = self.dat_range(spec);
                        let text = self.line.get(start..end).unwrap_or("");
                        Some(match ty {
                            VarType::Num => ValueRef::Num(parse_leading_number(text)),
                            VarType::Str => ValueRef::Text(text),
                        })
                    }
                    _ => None,
                };
                if let Some(value) = value {
                    self.history_new.keyed.add(name, value);
                }
            }
            let held = self.history_new.keyed.held();
            self.hold(held.saturating_sub(held_before), 0, self.input_span())?;
        }
        Ok(())
    }

    /// Keeps `id`'s current value as its `@` value, in the buffer of the
    /// last one.
    fn remember_previous(&mut self, id: VarId) {
        let Some(place) = self.plan.places.get(id.0 as usize).copied() else {
            return;
        };
        let (num, dat) = match place {
            Place::Num(slot) => (self.num_slot(slot), None),
            Place::Dat(spec, ty) if self.has_line => (None, Some((self.dat_range(spec), ty))),
            _ => (None, None),
        };
        let store = &mut self.store;
        let Some(earlier) = store.previous.get_mut(id.0 as usize) else {
            return;
        };
        earlier.text.clear();
        earlier.set = true;
        earlier.is_text = false;
        match place {
            Place::Num(_) => match num {
                Some(n) => earlier.num = n,
                None => earlier.set = false,
            },
            Place::Text(slot) => match store.texts.get(slot as usize).filter(|c| c.set) {
                Some(cell) => {
                    earlier.is_text = true;
                    earlier.text.push_str(&cell.text);
                }
                None => earlier.set = false,
            },
            Place::Dat(..) => match dat {
                Some(((start, end), ty)) => {
                    let text = self.line.get(start..end).unwrap_or("");
                    match ty {
                        VarType::Num => earlier.num = parse_leading_number(text),
                        VarType::Str => {
                            earlier.is_text = true;
                            earlier.text.push_str(text);
                        }
                    }
                }
                None => earlier.set = false,
            },
            Place::NumArray(_) | Place::TextArray(_) => earlier.set = false,
        }
    }

    /// The history to store after a completed run: keyed values recorded
    /// line by line, and every `%` variable's final value.
    pub(crate) fn into_history(mut self) -> (History, Vec<String>) {
        let plan = self.plan;
        for &id in &plan.history {
            if let Some(value) = self.current_value(id) {
                let name = self.var_name(id).to_string();
                self.history_new.globals.insert(name, value);
            }
        }
        self.close_handles();
        self.history_new.keyed.settle();
        (
            std::mem::take(&mut self.history_new),
            std::mem::take(&mut self.mail),
        )
    }

    /// The mail lines, when the run did not complete.
    pub(crate) fn into_mail(mut self) -> Vec<String> {
        self.close_handles();
        std::mem::take(&mut self.mail)
    }

    /// True when the script reads or writes history.
    pub(crate) fn keeps_history(script: &Script) -> bool {
        script.symbols.vars.iter().any(|v| v.in_history)
            || script
                .init
                .input
                .as_ref()
                .is_some_and(|i| i.kind == InputKind::Logfile)
    }

    /// The name of variable `id` with its sigil.
    fn var_name(&self, id: VarId) -> &str {
        self.plan.names.get(id.0 as usize).map_or("", |n| n)
    }

    /// The current value of a scalar variable, if it has one (for `@`
    /// snapshots and history).
    fn current_value(&mut self, id: VarId) -> Option<Value> {
        match self.plan.places.get(id.0 as usize).copied()? {
            Place::Num(slot) => self.num_slot(slot).map(Value::Num),
            Place::Text(slot) => self
                .store
                .texts
                .get(slot as usize)
                .filter(|cell| cell.set)
                .map(|cell| Value::str(&cell.text)),
            Place::Dat(spec, ty) => {
                if !self.has_line {
                    return None;
                }
                let text = self.dat_text(spec);
                Some(match ty {
                    VarType::Num => Value::Num(parse_leading_number(text)),
                    VarType::Str => Value::str(text),
                })
            }
            Place::NumArray(_) | Place::TextArray(_) => None,
        }
    }

    /// The `keys` text of the current line: the key variables' values
    /// joined by tabs, or the line number when the script has no `keys`.
    fn line_key(&mut self) -> &str {
        if self.line_key.is_none() {
            // The buffer of the last line's key is reused.
            let mut key = std::mem::take(&mut self.key_buffer);
            key.clear();
            let keys = &self.script.init.keys;
            if keys.is_empty() {
                crate::value::push_number(&mut key, self.line_number as f64);
            }
            for (i, id) in keys.iter().enumerate() {
                if i > 0 {
                    key.push('\t');
                }
                if let Some(value) = self.current_value(*id) {
                    value.write_to(&mut key);
                }
            }
            self.line_key = Some(key);
        }
        self.line_key.as_deref().unwrap_or("")
    }

    /// The value `%x` had at the end of the last run, where it is read: the
    /// script's own in `begin`/`end`, the input line key's in rules.
    fn earlier_value(&mut self, id: VarId, keyed: bool) -> Option<Value> {
        if keyed {
            self.line_key();
        }
        let name = self.plan.names.get(id.0 as usize)?;
        if keyed {
            let key = self.line_key.as_deref().unwrap_or("");
            self.history_old.keyed.get(key, name)
        } else {
            self.history_old.globals.get(&**name).cloned()
        }
    }

    /// Counts a statement against the limits ([`Machine::count`]) and
    /// traces it when tracing.
    #[inline]
    fn tick(&mut self, span: Span) -> Res<()> {
        self.count(span)?;
        if self.trace {
            self.trace_statement(span);
        }
        Ok(())
    }

    #[cold]
    fn trace_statement(&mut self, span: Span) {
        let resolved = self.map.resolve(span).span;
        let text = self.map.slice(resolved);
        let first = text.lines().next().unwrap_or("").trim();
        let line = format!("{}: {}", self.map.location(span), first);
        self.host.trace(&line);
    }

    /// Counts a statement, a loop iteration or an input line against the
    /// limits, reading the clocks every [`crate::Limits::CHECK_EVERY`].
    #[inline]
    fn count(&mut self, span: Span) -> Res<()> {
        match self.budget.count() {
            Ok(false) => Ok(()),
            Ok(true) => self.check_time(span),
            Err(exceeded) => Err(limit_error(exceeded, span)),
        }
    }

    #[cold]
    fn check_time(&mut self, span: Span) -> Res<()> {
        // The stop request is looked at where the clocks are read.
        self.check_stop(span)?;
        let cpu_now = if self.budget.wants_cpu() {
            self.host.cpu_time()
        } else {
            None
        };
        self.budget
            .check_time(cpu_now)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// Ends the script here when the run's stop was requested
    /// ([`crate::stop`]): an error that keeps the mail.
    fn check_stop(&self, span: Span) -> Res<()> {
        if !self.config.stop.is_requested() {
            return Ok(());
        }
        let reason = self
            .config
            .stop
            .reason()
            .unwrap_or_else(|| "a stop request".into());
        Err(error(RunErrorKind::Stopped { reason }, span))
    }

    /// Charges `added` bytes now held in variables and gives back `removed`.
    #[inline]
    fn hold(&mut self, added: usize, removed: usize, span: Span) -> Res<()> {
        self.budget
            .hold(added, removed)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// The error of an array that cannot take another element (2^32 − 1
    /// of them: past any memory limit).
    #[cold]
    fn array_full(&self, span: Span) -> Box<RunError> {
        limit_error(self.budget.memory_full(), span)
    }

    /// Gives back `bytes` no longer held in variables.
    #[inline]
    fn budget_release(&mut self, bytes: usize) {
        self.budget.release(bytes);
    }

    /// Checks the length of a string being built.
    #[inline]
    fn string_fits(&self, len: usize, span: Span) -> Res<()> {
        self.budget
            .string(len)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// Charges `bytes` of output.
    #[inline]
    fn emit(&mut self, bytes: usize, span: Span) -> Res<()> {
        self.budget
            .emit(bytes)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// The run-time error for what the guard did not do: a command refused
    /// under no-exec, or standard output that test mode could not print to.
    fn guard_error(&self, e: &std::io::Error, span: Span) -> Box<RunError> {
        match GuardError::of(e) {
            Some(GuardError::Refused { command }) => error(
                RunErrorKind::CommandsDisabled {
                    command: command.clone(),
                },
                span,
            ),
            Some(GuardError::Stdout(e)) => self.stdout_error(e),
            Some(GuardError::Stopped { reason }) => error(
                RunErrorKind::Stopped {
                    reason: reason.clone(),
                },
                span,
            ),
            None => error(
                RunErrorKind::Io {
                    what: "cannot do it".into(),
                    reason: e.to_string(),
                },
                span,
            ),
        }
    }

    /// `result`, unless the guard stopped the effect: that is a run-time
    /// error (the caller handles the other failures in its own way).
    fn guarded<T>(&self, result: std::io::Result<T>, span: Span) -> Res<std::io::Result<T>> {
        match result {
            Err(e) if GuardError::of(&e).is_some() => Err(self.guard_error(&e, span)),
            other => Ok(other),
        }
    }

    /// The error for standard output that cannot be written; a closed pipe
    /// (`pikt x | head`) stops the run quietly.
    fn stdout_error(&self, e: &std::io::Error) -> Box<RunError> {
        let kind = if e.kind() == std::io::ErrorKind::BrokenPipe {
            RunErrorKind::StdoutClosed
        } else {
            RunErrorKind::Io {
                what: "cannot write to standard output".into(),
                reason: e.to_string(),
            }
        };
        error(kind, self.script.span)
    }

    /// Writes an entry to the alert log.
    fn log(&mut self, tag: &str, text: &str, always_show: bool) {
        if !always_show && !self.host.keeps_log() {
            return;
        }
        self.host.log(&LogEntry {
            tag,
            script: self.name,
            text,
            always_show,
        });
    }

    /// A text buffer from the pool (empty).
    fn take_text(&mut self) -> String {
        self.text_pool.pop().unwrap_or_default()
    }

    /// Makes `buf` a buffer from the pool unless it is one already: the
    /// callers that may not need a buffer (an operand that lies somewhere)
    /// start with `String::new()`, which costs nothing.
    fn pooled(&mut self, buf: &mut String) {
        if buf.capacity() == 0 {
            *buf = self.take_text();
        }
    }

    /// Returns a buffer to the pool (one that never held text is dropped:
    /// it owns no memory).
    fn give_text(&mut self, mut text: String) {
        if text.capacity() == 0 {
            return;
        }
        text.clear();
        self.text_pool.push(text);
    }

    /// Closes every open handle (end of the script).
    fn close_handles(&mut self) {
        for handle in self.handles.iter_mut().filter_map(Option::take) {
            let _ = handle.close();
        }
    }
}

/// The error for a limit gone over at `span`.
#[cold]
fn limit_error(exceeded: Exceeded, span: Span) -> Box<RunError> {
    error(
        RunErrorKind::LimitExceeded {
            limit: exceeded.describe(),
        },
        span,
    )
}

#[cfg(test)]
mod tests;
