//! The tree-walking interpreter: one [`Machine`] runs one script.
//!
//! Execution model (reference §4.4): check the script's `status`, run
//! `begin` once, then for each input line (after `filter`) run the rule
//! sections in order, then `end` once, then store the history. Flow-control
//! statements return a [`Flow`] that the loops and the input loop act on.
//!
//! Speed (see `bench/README.md`): variables are slots resolved by the parser
//! ([`VarId`]); the input line lives in one reused buffer and is split into
//! fields only as far as the `dat` variables read on that line need; simple
//! text operands of comparisons, regex matches and array lookups (literals,
//! the line, its fields, string variables) are used where they lie, and other
//! text (concatenated keys, interpolated patterns) is built in pooled
//! buffers, so the per-line path does not allocate in the steady state;
//! conditions are evaluated to truth values without making [`Value`]s;
//! `set #a[k] += n` updates the element in place; regexes are compiled once
//! per distinct pattern text ([`RegexCache`]).
//!
//! [`Value`]: crate::value::Value

mod budget;
mod call;
mod command;
mod expr;
mod stmt;
mod vars;

use pikt_lang::ast::{DatSpec, InputKind, Level, Script, Status, VarId};
use pikt_source::{SourceMap, Span};

use crate::config::RunConfig;
use crate::error::{RunError, RunErrorKind, RunResult};
use crate::guard::{GuardError, Guarded};
use crate::history::History;
use crate::host::{Clock, LogEntry, Sinks};
use crate::input::Input;
use crate::regex_cache::RegexCache;
use crate::split::LineFields;
use crate::value::Str;
use budget::{Budget, Exceeded};
use call::Handle;
use vars::Vars;

/// How a statement ended: normally, or with a jump the enclosing
/// constructs act on.
#[derive(Clone, Debug, PartialEq)]
pub enum Flow {
    /// Go on with the next statement.
    Normal,
    /// `break`: leave the innermost loop.
    Break,
    /// `continue`: next iteration of the innermost loop.
    Continue,
    /// `breakswitch`: leave the innermost switch.
    BreakSwitch,
    /// `next`: next input line.
    Next,
    /// `skip n`: skip n input lines, then the next one.
    Skip(u64),
    /// `redo`: this input line again from the first rule.
    Redo,
    /// `again`: this rule again from its top.
    Again,
    /// `leave`: go on with the next rule.
    Leave,
    /// `last`: stop the input loop, run `end`.
    Last,
    /// `quit`: stop the script (no `end`).
    Quit,
    /// `die`: stop the whole run.
    Die(Option<String>),
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
    name: &'a str,
    map: &'a SourceMap,
    config: &'a RunConfig,
    /// Every effect, through the guard that applies test mode and no-exec.
    host: Guarded<'a>,
    shared: &'a mut Shared,
    vars: Vars,
    handles: Vec<Option<Handle>>,
    /// The text of the last `#split` and its fields.
    split_text: String,
    split_fields: Vec<(usize, usize)>,
    /// The current input line and its fields (split as far as read).
    line: String,
    has_line: bool,
    line_fields: LineFields,
    /// The line last read by `#read`.
    readline: String,
    has_readline: bool,
    /// Bytes of the last `#read`.
    read_bytes: Vec<u8>,
    dat_of: Vec<Option<DatSpec>>,
    seps: Option<String>,
    section: Section,
    rule_number: u32,
    line_number: u64,
    input: Option<Input>,
    trace: bool,
    level: Level,
    mail: Vec<String>,
    history_old: History,
    history_new: History,
    /// The `keys` text of the current line (for `%var` in rules).
    line_key: Option<String>,
    /// The variables read as `@x`, whose values are kept line to line.
    previous_vars: Vec<VarId>,
    /// True when some `%x` is read or set (history is kept per line).
    keyed_history: bool,
    loop_depth: u32,
    switch_depth: u32,
    /// How deep expression evaluation is nested.
    depth: u32,
    /// Statements, time, memory and output used, against the limits.
    budget: Budget,
    /// Input lines cut at the line limit.
    cut_lines: u64,
    text_pool: Vec<String>,
    keys_pool: Vec<Vec<Str>>,
    args_pool: Vec<Vec<crate::value::Value>>,
}

impl<'a> Machine<'a> {
    pub(crate) fn new(
        script: &'a Script,
        name: &'a str,
        map: &'a SourceMap,
        config: &'a RunConfig,
        host: Guarded<'a>,
        shared: &'a mut Shared,
        history: History,
    ) -> Machine<'a> {
        let mut host = host;
        let cpu_now = if config.limits.max_cpu.is_some() {
            host.cpu_time()
        } else {
            None
        };
        let status = script.init.status.map(|(s, _)| s);
        let mut dat_of = vec![None; script.symbols.vars.len()];
        for dat in &script.init.dats {
            if let Some(slot) = dat_of.get_mut(dat.var.0 as usize) {
                *slot = Some(dat.spec);
            }
        }
        Machine {
            script,
            name,
            map,
            config,
            host,
            shared,
            vars: Vars::new(&script.symbols),
            handles: (0..script.symbols.handles.len()).map(|_| None).collect(),
            split_text: String::new(),
            split_fields: Vec::new(),
            line: String::new(),
            has_line: false,
            line_fields: LineFields::default(),
            readline: String::new(),
            has_readline: false,
            read_bytes: Vec::new(),
            dat_of,
            seps: script.init.seps.as_ref().map(|(s, _)| s.clone()),
            section: Section::Begin,
            rule_number: 0,
            line_number: 0,
            input: None,
            trace: config.debug || status == Some(Status::Debugging),
            level: script.init.level.map_or(Level::Notice, |(l, _)| l),
            mail: Vec::new(),
            history_old: history,
            history_new: History::default(),
            line_key: None,
            previous_vars: script
                .symbols
                .vars
                .iter()
                .enumerate()
                .filter(|(_, info)| info.in_previous)
                .map(|(index, _)| VarId(u32::try_from(index).unwrap_or(u32::MAX)))
                .collect(),
            keyed_history: script.symbols.vars.iter().any(|v| v.in_history),
            loop_depth: 0,
            switch_depth: 0,
            depth: 0,
            budget: Budget::new(config.limits, cpu_now),
            cut_lines: 0,
            text_pool: Vec::new(),
            keys_pool: Vec::new(),
            args_pool: Vec::new(),
        }
    }

    /// Runs the script: begin, the input loop with the rules, end.
    /// Returns how it stopped (`Flow::Normal`, `Quit` or `Die`).
    pub(crate) fn run(&mut self) -> RunResult<Flow> {
        self.section = Section::Begin;
        if let Some(begin) = &self.script.begin {
            if let flow @ (Flow::Quit | Flow::Die(_)) = self.exec_block(begin)? {
                return Ok(flow);
            }
        }
        match self.input_loop()? {
            Flow::Normal => {}
            flow => return Ok(flow),
        }
        self.section = Section::End;
        // `#rule()` in `end` is the number of rules plus one (its PIKT page).
        self.rule_number = u32::try_from(self.script.rules.len() + 1).unwrap_or(u32::MAX);
        if let Some(end) = &self.script.end {
            if let flow @ (Flow::Quit | Flow::Die(_)) = self.exec_block(end)? {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    /// Opens the input and runs the rules over every line. Returns
    /// `Normal` when `end` should run, `Quit`/`Die` otherwise.
    fn input_loop(&mut self) -> RunResult<Flow> {
        let Some(input) = self.open_input()? else {
            return Ok(Flow::Normal);
        };
        self.input = Some(input);
        self.section = Section::Rule;
        let flow = self.each_line();
        self.section = Section::End;
        let finished = self.input.take().map(Input::finish);
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

    fn each_line(&mut self) -> RunResult<Flow> {
        let mut skip: u64 = 0;
        while self.read_input_line()? {
            // Every line counts, also for a script with no rule to run.
            self.count(self.input_span())?;
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let flow = self.run_rules()?;
            if let Flow::Die(_) = flow {
                return Ok(flow);
            }
            self.finish_line()?;
            match flow {
                Flow::Skip(n) => skip = n,
                Flow::Last => return Ok(Flow::Normal),
                Flow::Quit => return Ok(flow),
                _ => {}
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs every rule over the current line, honouring `again`, `leave`,
    /// `redo` and `next`. Returns `Skip`, `Last`, `Quit`, `Die` or `Normal`.
    fn run_rules(&mut self) -> RunResult<Flow> {
        let script = self.script;
        'redo: loop {
            for (index, rule) in script.rules.iter().enumerate() {
                self.rule_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
                loop {
                    match self.exec_block(rule)? {
                        Flow::Again => continue,
                        Flow::Redo => continue 'redo,
                        Flow::Next => return Ok(Flow::Normal),
                        flow @ (Flow::Skip(_) | Flow::Last | Flow::Quit | Flow::Die(_)) => {
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
    fn open_input(&mut self) -> RunResult<Option<Input>> {
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
                return Err(RunError::new(
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
                        RunError::new(
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

    /// Reads the next input line into the line buffer; `false` at the end.
    fn read_input_line(&mut self) -> RunResult<bool> {
        let Some(input) = &mut self.input else {
            return Ok(false);
        };
        let line_number = self.line_number + 1;
        let got = input.next_line(&mut self.line).map_err(|e| {
            RunError::new(
                RunErrorKind::Io {
                    what: format!("cannot read input line {line_number}"),
                    reason: e.to_string(),
                },
                self.script
                    .init
                    .input
                    .as_ref()
                    .map_or(self.script.span, |i| i.span),
            )
        })?;
        if got {
            self.line_number = line_number;
            self.has_line = true;
            self.line_fields.reset();
            self.line_key = None;
            if input.line_was_cut() {
                self.line_cut(&format!("input line {line_number}"));
            }
        }
        Ok(got)
    }

    /// Warns about a line cut at the input line limit: the first of the
    /// script, then a count at the end of the input.
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

    /// At the end of a line: remember `@` values and keyed history.
    fn finish_line(&mut self) -> RunResult<()> {
        let script = self.script;
        for index in 0..self.previous_vars.len() {
            if let Some(&id) = self.previous_vars.get(index) {
                let value = self.current_value(id);
                self.vars.remember_previous(id, value);
            }
        }
        if self.keyed_history {
            let key = self.line_key();
            let mut record = rustc_hash::FxHashMap::default();
            for (index, info) in script.symbols.vars.iter().enumerate() {
                if info.in_history {
                    let id = VarId(u32::try_from(index).unwrap_or(u32::MAX));
                    if let Some(value) = self.current_value(id) {
                        record.insert(script.symbols.display(id), value);
                    }
                }
            }
            let size = key.len()
                + record
                    .iter()
                    .map(|(name, value)| name.len() + budget::held(value) + budget::ELEMENT_COST)
                    .sum::<usize>()
                + budget::ELEMENT_COST;
            if self.history_new.keyed.insert(key, record).is_none() {
                self.hold(size, 0, self.input_span())?;
            }
        }
        Ok(())
    }

    /// The history to store after a completed run: keyed values recorded
    /// line by line, and every `%` variable's final value.
    pub(crate) fn into_history(mut self) -> (History, Vec<String>) {
        let script = self.script;
        for (index, info) in script.symbols.vars.iter().enumerate() {
            if info.in_history {
                let id = VarId(u32::try_from(index).unwrap_or(u32::MAX));
                if let Some(value) = self.current_value(id) {
                    self.history_new
                        .globals
                        .insert(script.symbols.display(id), value);
                }
            }
        }
        self.close_handles();
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

    /// Counts a statement, checks the limits, traces it.
    fn tick(&mut self, span: Span) -> RunResult<()> {
        self.count(span)?;
        if self.trace {
            let resolved = self.map.resolve(span).span;
            let text = self.map.slice(resolved);
            let first = text.lines().next().unwrap_or("").trim();
            let line = format!("{}: {}", self.map.location(span), first);
            self.host.trace(&line);
        }
        Ok(())
    }

    /// Counts a statement, a loop iteration or an input line against the
    /// limits, reading the clocks every [`crate::Limits::CHECK_EVERY`].
    #[inline]
    fn count(&mut self, span: Span) -> RunResult<()> {
        match self.budget.count() {
            Ok(false) => Ok(()),
            Ok(true) => self.check_time(span),
            Err(exceeded) => Err(limit_error(exceeded, span)),
        }
    }

    #[cold]
    fn check_time(&mut self, span: Span) -> RunResult<()> {
        let cpu_now = if self.budget.wants_cpu() {
            self.host.cpu_time()
        } else {
            None
        };
        self.budget
            .check_time(cpu_now)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// Charges `added` bytes now held in variables and gives back `removed`.
    #[inline]
    fn hold(&mut self, added: usize, removed: usize, span: Span) -> RunResult<()> {
        self.budget
            .hold(added, removed)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// Checks the length of a string being built.
    #[inline]
    fn string_fits(&self, len: usize, span: Span) -> RunResult<()> {
        self.budget
            .string(len)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// Charges `bytes` of output.
    fn emit(&mut self, bytes: usize, span: Span) -> RunResult<()> {
        self.budget
            .emit(bytes)
            .map_err(|exceeded| limit_error(exceeded, span))
    }

    /// The run-time error for what the guard did not do: a command refused
    /// under no-exec, or standard output that test mode could not print to.
    fn guard_error(&self, error: &std::io::Error, span: Span) -> RunError {
        match GuardError::of(error) {
            Some(GuardError::Refused { command }) => RunError::new(
                RunErrorKind::CommandsDisabled {
                    command: command.clone(),
                },
                span,
            ),
            Some(GuardError::Stdout(e)) => self.stdout_error(e),
            None => RunError::new(
                RunErrorKind::Io {
                    what: "cannot do it".into(),
                    reason: error.to_string(),
                },
                span,
            ),
        }
    }

    /// `result`, unless the guard stopped the effect: that is a run-time
    /// error (the caller handles the other failures in its own way).
    fn guarded<T>(&self, result: std::io::Result<T>, span: Span) -> RunResult<std::io::Result<T>> {
        match result {
            Err(e) if GuardError::of(&e).is_some() => Err(self.guard_error(&e, span)),
            other => Ok(other),
        }
    }

    /// The error for standard output that cannot be written; a closed pipe
    /// (`pikt x | head`) stops the run quietly.
    fn stdout_error(&self, error: &std::io::Error) -> RunError {
        let kind = if error.kind() == std::io::ErrorKind::BrokenPipe {
            RunErrorKind::StdoutClosed
        } else {
            RunErrorKind::Io {
                what: "cannot write to standard output".into(),
                reason: error.to_string(),
            }
        };
        RunError::new(kind, self.script.span)
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

    /// Returns a buffer to the pool.
    fn give_text(&mut self, mut text: String) {
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
fn limit_error(exceeded: Exceeded, span: Span) -> RunError {
    RunError::new(
        RunErrorKind::LimitExceeded {
            limit: exceeded.describe(),
        },
        span,
    )
}

/// The fast paths (text used where it lies, counting in place, lazy
/// fields, conditions without values) give what the general paths give.
#[cfg(test)]
mod tests {
    use pikt_lang::{parse_program, ParseMode};
    use pikt_source::SourceMap;

    use crate::config::RunConfig;
    use crate::run::{run, ScriptToRun};
    use crate::testing::TestHost;

    /// Standard output of a standalone script over `in.txt`, which must
    /// not fail.
    fn out(script: &str, input: &str) -> String {
        let mut map = SourceMap::new();
        let file = map.add("t.pikt", script);
        let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let scripts: Vec<ScriptToRun<'_>> = program
            .scripts
            .iter()
            .map(|script| ScriptToRun { script, name: "T" })
            .collect();
        let mut host = TestHost::at(0);
        host.fs.put("in.txt", input);
        let report = run(&scripts, &map, &RunConfig::default(), &mut host.host());
        assert!(!report.failed(), "{:?}", report.errors);
        host.sinks.stdout.clone()
    }

    #[test]
    fn counting_in_place_agrees_with_the_general_path() {
        let script = "init\n    input file \"in.txt\"\n    dat $u 1\n    dat $c 2\nbegin\n    set #s[\"x\"] = \"7\"\nrule\n    set #n[$u . \" \" . $c] += 1\n    set #d[$u] -= 2\n    set #f[$c] += 0.5\n    set #g[$u] += #n[$u . \" \" . $c]\nend\n    foreach #keys($k, #n)\n        output \"$k=\" . #n[$k]\n    endforeach\n    foreach #keys($k, #d)\n        output \"$k:\" . #d[$k] . \" \" . #g[$k]\n    endforeach\n    output #f[\"vi\"] . \" \" . #f[\"sh\"]\n";
        let input = "root sh\nann vi\nroot sh\nbob sh\nann vi\nroot vi\n";
        assert_eq!(
            out(script, input),
            "root sh=2\nann vi=2\nbob sh=1\nroot vi=1\nroot:-6 4\nann:-4 3\nbob:-2 1\n1.5 1.5\n"
        );
    }

    #[test]
    fn in_place_operands_are_read_before_the_other_side_runs() {
        // The right side re-splits: `$1` must be the value it had before.
        let script = "begin\n    do #split(\"1 2\")\n    if $1 eq (\"\" . #split(\"7\"))\n        output \"before: $1\"\n    fi\n    do #split(\"ab c\")\n    if $1 =~ (\"^\" . #split(\"zz\") . \"$\")\n        output \"wrong\"\n    else\n        output \"kept: $1\"\n    fi\n";
        assert_eq!(out(script, ""), "before: 7\nkept: zz\n");
    }

    #[test]
    fn matches_and_comparisons_on_every_kind_of_operand() {
        let script = "init\n    input file \"in.txt\"\n    dat $who 1\n    dat $what $\n    dat $col 1-3\nbegin\n    set $s = \"sshd\"\nrule\n    if $inline =~ \"sshd\\\\[[0-9]+\\\\]\" && $who ne \"x\"\n        output \"a $who $what $col\"\n    fi\n    if $what =~~ \"^$s$\" || $col eq \"bob\"\n        output \"b $who\"\n    fi\n    if $s !~ $what && #innum() >= 2\n        output \"c $what\"\n    fi\nend\n    do #split(\"q r\")\n    if $2 eq \"r\" && $s =~ \"^ss\"\n        output \"d\"\n    fi\n";
        let input = "ann sshd[12] SSHD\nbob cron cron\n";
        assert_eq!(
            out(script, input),
            "a ann SSHD ann\nb ann\nb bob\nc cron\nd\n"
        );
    }

    #[test]
    fn numbers_in_text_print_as_integers_or_six_digits() {
        let script = "begin\n    set #big = 4000000000000000000\n    set #a[#big] = 1\n    set #a[12 / 4] = 1\n    output \"#big \" . -42 . \" \" . 2.5 . \" \" . 1/3\n    foreach #keys($k, #a)\n        output \"key $k\"\n    endforeach\n";
        assert_eq!(
            out(script, ""),
            "4000000000000000000 -42 2.5 0.333333\nkey 4000000000000000000\nkey 3\n"
        );
    }
}
