//! Macro expansion.
//!
//! A reference is `=` followed by a letter. Its name is the longest prefix
//! of the identifier run after `=` that names a macro and ends where the run
//! ends or before a `-` or `.` (so `=logfile.` finds `logfile`, but
//! `=prgdirx` does not find `prgdir`). A macro with parameters must be
//! followed at once by `(args)`; arguments split at commas outside quotes
//! and nested parentheses, and are trimmed. The body's `(P)` parameter marks
//! are replaced by the arguments' text, the result is re-indented (below) and
//! scanned again for references, up to [`crate::MAX_MACRO_DEPTH`] levels; a
//! macro whose body reaches itself again is an error naming the cycle.
//!
//! **Arguments are the caller's text.** A reference that the rescan finds
//! in text copied from a call's arguments was written where the call was,
//! not by the macro's body, so it is judged with the macros that were being
//! expanded *there* ([`Depths`]): `=p0(=p0(x))` is two calls of `=p0`, one
//! inside the other's argument, not a cycle, while a body that refers to
//! its own macro (directly or through others) still is one. PIKT's rule
//! that a definition may only use macros defined before it makes such a
//! body a mistake whichever way it is reached.
//!
//! Multi-line bodies: the first body line continues the call line where the
//! reference was; every later line loses the indentation common to the body's
//! later lines and gets the call line's own indentation instead. So a
//! statement-block macro used inside an indented script body stays a body,
//! with its inner indentation kept relative to the call.
//!
//! `\=name` keeps `=name` as text (the backslash is dropped). An `=name` that
//! names no macro is an error when the `=` starts a word (start of line,
//! after a blank, a quote, `(`, `[`, `{`, `,` or `;`); elsewhere (`a=b`,
//! `--opt=value`, `==x`) it is text.
//!
//! `=_` is the empty macro: it ends a reference where the text goes on with
//! name characters (`=piktalert=_.log`). The alert macros `=piktalert`,
//! `=piktstatus` and `=piktlevel` (unless macros.cfg defines them) have a
//! value only per alert: in alarms.cfg and alerts.cfg they are left in the
//! text, with an `=_` right after them, for pikt-config to fill in for each
//! alert ([`ALERT_MACROS`]); elsewhere they are an error.
//!
//! Every byte of the result keeps its origin: body text maps to macros.cfg
//! (with a note naming the expansion and its call site), argument text to the
//! call site.
//!
//! Expansion is bounded three ways, each an error at the reference where
//! the bound is crossed: nesting ([`crate::MAX_MACRO_DEPTH`]), the text one
//! line grows to ([`crate::MAX_EXPANSION_BYTES`]) and the text expansion adds
//! to the whole file ([`crate::MAX_TOTAL_EXPANSION_BYTES`], shared by every
//! line through [`Budget`]). Every substitution is counted at its real size
//! (a parameter used ten times counts ten times) plus a fixed overhead per
//! expansion, and checked while it is built, so no bound is overshot by more
//! than one argument.

use std::ops::Range;
use std::rc::Rc;

use pikt_source::{Diagnostic, SourceMap, Span};

use crate::scan::{is_ident_char, is_ident_start};
use crate::text::Text;
use crate::{
    MacroDef, MacroTable, MAX_EXPANSION_BYTES, MAX_MACRO_DEPTH, MAX_TOTAL_EXPANSION_BYTES,
};

/// What one expansion costs beyond its text, in bytes of the budgets: the
/// note and origins it carries. A bomb of tiny macros is bounded by the
/// work it makes, not only by its bytes.
const EXPANSION_OVERHEAD: usize = 128;

/// What expansion may still add to the file being preprocessed.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Bytes left.
    pub left: usize,
    /// Set when the file went over: later lines are not expanded.
    pub exhausted: bool,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            left: MAX_TOTAL_EXPANSION_BYTES,
            exhausted: false,
        }
    }
}

/// The macros whose value depends on the alert a script runs in; see the
/// module docs.
pub const ALERT_MACROS: [&str; 3] = ["piktalert", "piktstatus", "piktlevel"];

/// The empty macro `=_`.
fn empty_macro() -> &'static MacroDef {
    static EMPTY: std::sync::OnceLock<MacroDef> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| MacroDef::simple("_", ""))
}

/// Expands macro references in lines of text.
pub(crate) struct Expander<'a> {
    table: &'a MacroTable,
    map: &'a SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    /// Where to point when a piece has no origin (never expected).
    fallback: Span,
    /// Bytes of expansion text made for the current line.
    produced: usize,
    /// Set once the current line went over [`MAX_EXPANSION_BYTES`].
    over_budget: bool,
    /// The file's budget.
    budget: &'a mut Budget,
    /// The reference of the line (outside any expansion) being expanded.
    line_call: Option<Span>,
    /// True in alarms.cfg and alerts.cfg: [`ALERT_MACROS`] stay in the text.
    keep_alert_macros: bool,
}

/// At which expansion depth each byte of a text was written: the text's own
/// bytes at `base` (the number of macros being expanded around it), and the
/// `args` regions (in order, not overlapping), copied from calls'
/// arguments, at the depth of the text they were copied from (see the
/// module docs).
#[derive(Debug, Default)]
struct Depths {
    base: usize,
    args: Vec<(Range<usize>, usize)>,
}

impl Depths {
    /// The depth of the byte at `at`.
    fn at(&self, at: usize) -> usize {
        let i = self.args.partition_point(|(range, _)| range.end <= at);
        self.args
            .get(i)
            .filter(|(range, _)| range.contains(&at))
            .map_or(self.base, |&(_, depth)| depth)
    }

    /// `range` cut into pieces of one depth each, in order.
    fn pieces(&self, range: Range<usize>) -> Vec<(Range<usize>, usize)> {
        let mut pieces = Vec::new();
        let mut at = range.start;
        let first = self.args.partition_point(|(region, _)| region.end <= at);
        for (region, depth) in self.args.iter().skip(first) {
            if region.start >= range.end {
                break;
            }
            let start = region.start.max(at);
            let end = region.end.min(range.end);
            if start >= end {
                continue;
            }
            if at < start {
                pieces.push((at..start, self.base));
            }
            pieces.push((start..end, *depth));
            at = end;
        }
        if at < range.end {
            pieces.push((at..range.end, self.base));
        }
        pieces
    }
}

/// Where [`substitute`] put each argument: (range in its output, range of
/// the argument in the call text).
type Placements = Vec<(Range<usize>, Range<usize>)>;

/// A reference found in a text.
struct Reference<'d> {
    def: &'d MacroDef,
    /// `=name` or `=name(args)`.
    range: Range<usize>,
    /// Trimmed argument ranges.
    args: Vec<Range<usize>>,
}

impl<'a> Expander<'a> {
    pub fn new(
        table: &'a MacroTable,
        map: &'a SourceMap,
        diags: &'a mut Vec<Diagnostic>,
        fallback: Span,
        budget: &'a mut Budget,
    ) -> Expander<'a> {
        Expander {
            table,
            map,
            diags,
            fallback,
            produced: 0,
            over_budget: false,
            budget,
            line_call: None,
            keep_alert_macros: false,
        }
    }

    /// Leaves the [`ALERT_MACROS`] in the text (alarms.cfg, alerts.cfg)
    /// instead of reporting them.
    pub fn keep_alert_macros(mut self, keep: bool) -> Self {
        self.keep_alert_macros = keep;
        self
    }

    /// Expands every reference in `line` (which may hold several lines).
    pub fn expand_line(&mut self, line: &Text) -> Text {
        self.produced = 0;
        self.over_budget = false;
        let mut active = Vec::new();
        let expanded = self.expand(line, &Depths::default(), &mut active);
        // A line that went over its budget is an error; it is passed on as
        // written rather than half expanded (which could be a megabyte).
        if self.over_budget {
            line.clone()
        } else {
            expanded
        }
    }

    /// Scans `text` for references and expands them; `active` names the
    /// macros being expanded around this text (for cycle detection), and
    /// `depths` says which of them were around each byte when it was
    /// written (a reference in an argument is judged by its call's).
    fn expand(&mut self, text: &Text, depths: &Depths, active: &mut Vec<String>) -> Text {
        let bytes = text.s.as_bytes();
        let mut out = Text::new();
        let mut copied = 0;
        let mut i = 0;
        while !self.over_budget {
            let Some(k) = bytes
                .get(i..)
                .and_then(|rest| memchr::memchr2(b'=', b'\\', rest))
            else {
                break;
            };
            let at = i + k;
            if bytes.get(at) == Some(&b'\\') {
                if self.keep_alert_macros && escapes_alert_macro(bytes, at) {
                    // pikt-config drops this backslash when it fills in
                    // the alert macros.
                    i = at + 2;
                    continue;
                }
                if bytes.get(at + 1) == Some(&b'=')
                    && bytes
                        .get(at + 2)
                        .copied()
                        .is_some_and(|b| is_ident_start(b) || b == b'_')
                {
                    out.push_slice(text, copied..at);
                    copied = at + 1;
                    i = at + 2;
                } else {
                    i = at + 1;
                }
                continue;
            }
            match self.reference_at(text, at) {
                Ok(Some(reference)) => {
                    out.push_slice(text, copied..reference.range.start);
                    let written_at = depths.at(reference.range.start);
                    let expansion = if written_at < active.len() {
                        let mut callers = active.get(..written_at).unwrap_or(&[]).to_vec();
                        self.expand_reference(text, depths, &reference, &mut callers)
                    } else {
                        self.expand_reference(text, depths, &reference, active)
                    };
                    out.push_text(&expansion);
                    copied = reference.range.end;
                    i = reference.range.end;
                }
                Ok(None) => i = at + 1,
                Err(skip_to) => i = skip_to,
            }
        }
        out.push_slice(text, copied..text.len());
        out
    }

    /// The reference starting at the `=` at `at`: `Ok(None)` when it is no
    /// reference, `Err(next)` after reporting a bad one (scanning resumes at
    /// `next`, leaving the text as it is).
    fn reference_at(&mut self, text: &Text, at: usize) -> Result<Option<Reference<'a>>, usize> {
        let bytes = text.s.as_bytes();
        let name_start = at + 1;
        if bytes.get(name_start) == Some(&b'_') {
            return Ok(Some(Reference {
                def: empty_macro(),
                range: at..name_start + 1,
                args: Vec::new(),
            }));
        }
        if !bytes.get(name_start).copied().is_some_and(is_ident_start) {
            return Ok(None);
        }
        let run_end = name_start
            + bytes
                .get(name_start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|&&b| is_ident_char(b))
                .count();
        let Some(def) = self.lookup(bytes, name_start, run_end) else {
            if let Some(end) = alert_macro_end(bytes, name_start, run_end) {
                return Err(self.alert_macro(text, at, end));
            }
            if starts_word(bytes, at) {
                let name = text.s.get(name_start..run_end).unwrap_or("");
                self.error_at(
                    text,
                    at..run_end,
                    Diagnostic::error(format!("undefined macro `={name}`"), self.fallback)
                        .with_help(format!("if `={name}` is meant as text, write `\\={name}`")),
                );
            }
            return Err(run_end);
        };
        let name_end = name_start + def.name.len();
        if def.params.is_empty() {
            return Ok(Some(Reference {
                def,
                range: at..name_end,
                args: Vec::new(),
            }));
        }
        let n = def.params.len();
        if bytes.get(name_end) != Some(&b'(') {
            self.error_at(
                text,
                at..name_end,
                Diagnostic::error(
                    format!("macro `={}` takes {n} argument{}", def.name, plural(n)),
                    self.fallback,
                )
                .with_help(format!(
                    "write `={}({})`",
                    def.name,
                    def.params.join(", ")
                )),
            );
            return Err(name_end);
        }
        let Some((args, end)) = split_args(bytes, name_end) else {
            self.error_at(
                text,
                name_end..name_end + 1,
                Diagnostic::error(
                    format!("unclosed argument list of macro `={}`", def.name),
                    self.fallback,
                )
                .with_help(format!(
                    "arguments must close with `)` (within {} lines)",
                    crate::MAX_CALL_LINES
                )),
            );
            return Err(name_end + 1);
        };
        if args.len() != n {
            self.error_at(
                text,
                at..end,
                Diagnostic::error(
                    format!(
                        "macro `={}` takes {n} argument{} but {} {} given",
                        def.name,
                        plural(n),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                    self.fallback,
                )
                .with_help(format!("its parameters are ({})", def.params.join(", "))),
            );
            return Err(end);
        }
        Ok(Some(Reference {
            def,
            range: at..end,
            args,
        }))
    }

    /// An alert macro from `at` to `end`: kept with a following `=_` in
    /// alarms.cfg and alerts.cfg (scanning resumes after them), an error
    /// elsewhere. Returns where scanning resumes.
    fn alert_macro(&mut self, text: &Text, at: usize, end: usize) -> usize {
        let bytes = text.s.as_bytes();
        if self.keep_alert_macros {
            let terminated = bytes.get(end..end + 2) == Some(b"=_".as_slice());
            return if terminated { end + 2 } else { end };
        }
        let name = text.s.get(at + 1..end).unwrap_or("");
        self.error_at(
            text,
            at..end,
            Diagnostic::error(
                format!("`={name}` has a value only in an alert's scripts and stanza"),
                self.fallback,
            )
            .with_help("use it in alarms.cfg or alerts.cfg, where each alert fills it in"),
        );
        end
    }

    /// The longest defined name in `bytes[start..run_end]` that ends at the
    /// end of the run or before a `-` or `.`.
    fn lookup(&self, bytes: &[u8], start: usize, run_end: usize) -> Option<&'a MacroDef> {
        lookup_in(self.table, bytes, start, run_end)
    }

    /// Substitutes, re-indents and rescans one reference.
    fn expand_reference(
        &mut self,
        text: &Text,
        depths: &Depths,
        reference: &Reference<'_>,
        active: &mut Vec<String>,
    ) -> Text {
        let def = reference.def;
        let unexpanded = || text.slice(reference.range.clone());
        if active.is_empty() {
            self.line_call = Some(text.span_of(reference.range.clone(), self.fallback));
        }
        if let Some(first) = active.iter().position(|a| *a == def.name) {
            let mut chain: Vec<String> = active
                .get(first..)
                .unwrap_or(&[])
                .iter()
                .map(|n| format!("`={n}`"))
                .collect();
            chain.push(format!("`={}`", def.name));
            self.error_at(
                text,
                reference.range.clone(),
                Diagnostic::error(format!("recursive macro `={}`", def.name), self.fallback)
                    .with_help(format!("the expansion loops: {}", chain.join(" → "))),
            );
            return unexpanded();
        }
        if active.len() >= MAX_MACRO_DEPTH {
            self.error_at(
                text,
                reference.range.clone(),
                Diagnostic::error(
                    format!(
                        "macro expansion nested deeper than {MAX_MACRO_DEPTH} levels at `={}`",
                        def.name
                    ),
                    self.fallback,
                ),
            );
            return unexpanded();
        }
        let call_span = text.span_of(reference.range.clone(), self.fallback);
        let own = format!(
            "in expansion of macro `={}` at {}",
            def.name,
            self.map.location(call_span)
        );
        let note: Rc<str> = chain_note(own, text.note_at(reference.range.start).as_deref()).into();
        let body = self.body_text(def, call_span, &note);
        let indent = call_line_indent(text, reference.range.start);
        let line_left = MAX_EXPANSION_BYTES.saturating_sub(self.produced);
        let limit = line_left.min(self.budget.left);
        let mut placements = Placements::new();
        let substituted = limit.checked_sub(EXPANSION_OVERHEAD).and_then(|limit| {
            let call = Call {
                text,
                args: &reference.args,
            };
            substitute(&body, def, &call, &indent, limit, &mut placements)
        });
        let Some(substituted) = substituted else {
            self.over_budget = true;
            let message = if self.budget.left < line_left {
                self.budget.exhausted = true;
                format!(
                    "macro expansion adds more than {} MiB to this file; \
                     the rest of the file is not expanded",
                    MAX_TOTAL_EXPANSION_BYTES >> 20
                )
            } else {
                format!("macro expansion of this line grows beyond {MAX_EXPANSION_BYTES} bytes")
            };
            // Point at the reference the user wrote on the line, and say
            // where inside its expansion the bound was crossed.
            let crossed = text.span_of(reference.range.clone(), self.fallback);
            let mut diag = Diagnostic::error(message, self.line_call.unwrap_or(crossed)).with_help(
                "a macro that uses others several times multiplies its size at each level",
            );
            if self.line_call.is_some_and(|call| call != crossed) {
                diag = diag.with_note(format!(
                    "the bound was crossed expanding `={}` at {}",
                    def.name,
                    self.map.location(crossed)
                ));
            }
            self.diags.push(diag);
            return unexpanded();
        };
        let cost = substituted.len() + EXPANSION_OVERHEAD;
        self.produced += cost;
        self.budget.left = self.budget.left.saturating_sub(cost);
        let inner = argument_depths(depths, &placements, active.len() + 1);
        active.push(def.name.clone());
        let expanded = self.expand(&substituted, &inner, active);
        active.pop();
        expanded
    }

    /// The body of `def` as a text whose pieces point at macros.cfg.
    fn body_text(&self, def: &MacroDef, call_span: Span, note: &Rc<str>) -> Text {
        let body = def.body.trim_end();
        match def.body_span {
            Some(span) if self.map.slice(span).get(..body.len()) == Some(body) => {
                let exact = Span::new(
                    span.file,
                    span.start as usize,
                    span.start as usize + body.len(),
                );
                let mut t = Text::new();
                t.push_origin(body, exact, true, Some(note.clone()));
                t
            }
            Some(span) => {
                let mut t = Text::new();
                t.push_made(body, span, Some(note.clone()));
                t
            }
            None => {
                let mut t = Text::new();
                t.push_made(body, call_span, Some(note.clone()));
                t
            }
        }
    }

    /// Reports `diag` at `range` of `text`, with the expansion it sits in.
    fn error_at(&mut self, text: &Text, range: Range<usize>, mut diag: Diagnostic) {
        diag.span = Some(text.span_of(range.clone(), self.fallback));
        if let Some(note) = text.note_at(range.start) {
            // The span points into macros.cfg; say how the text got here.
            diag.notes.push(note.to_string());
        }
        self.diags.push(diag);
    }
}

/// The note for a new expansion inside `outer`: the whole chain while it is
/// short, otherwise the innermost step, `...` and the user's call site.
fn chain_note(own: String, outer: Option<&str>) -> String {
    let Some(outer) = outer else {
        return own;
    };
    let mut parts: Vec<&str> = vec![own.as_str()];
    parts.extend(outer.split(", "));
    if parts.len() > 3 {
        let last = parts.last().copied().unwrap_or("");
        parts = vec![own.as_str(), "...", last];
    }
    parts.join(", ")
}

/// The end of an alert macro's name starting at `start` (at a boundary, as
/// for any macro name), if the run holds one.
fn alert_macro_end(bytes: &[u8], start: usize, run_end: usize) -> Option<usize> {
    ALERT_MACROS.iter().find_map(|name| {
        let end = start + name.len();
        let at_boundary = end == run_end || matches!(bytes.get(end), Some(b'-' | b'.'));
        (bytes.get(start..end) == Some(name.as_bytes()) && at_boundary).then_some(end)
    })
}

/// True for `\=piktalert` (or another alert macro) at `at`.
fn escapes_alert_macro(bytes: &[u8], at: usize) -> bool {
    let name_start = at + 2;
    if bytes.get(at + 1) != Some(&b'=') {
        return false;
    }
    let run_end = name_start
        + bytes
            .get(name_start..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&b| is_ident_char(b))
            .count();
    alert_macro_end(bytes, name_start, run_end).is_some()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// True when the `=` at `at` starts a word, so an undefined name after it is
/// an error rather than text such as `a=b`.
fn starts_word(bytes: &[u8], at: usize) -> bool {
    match at.checked_sub(1).and_then(|p| bytes.get(p)) {
        None => true,
        Some(b) => matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`' | b'(' | b'[' | b'{' | b',' | b';'
        ),
    }
}

/// True when `text` ends inside the argument list of a call of a macro
/// with parameters (the engine then joins the next line to it).
pub(crate) fn ends_in_open_call(table: &MacroTable, text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(k) = bytes.get(i..).and_then(|rest| memchr::memchr(b'=', rest)) {
        let at = i + k;
        i = at + 1;
        if at > 0 && bytes.get(at - 1) == Some(&b'\\') {
            continue;
        }
        let name_start = at + 1;
        if !bytes.get(name_start).copied().is_some_and(is_ident_start) {
            continue;
        }
        let run_end = name_start
            + bytes
                .get(name_start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|&&b| is_ident_char(b))
                .count();
        let Some(def) = lookup_in(table, bytes, name_start, run_end) else {
            i = run_end;
            continue;
        };
        let name_end = name_start + def.name.len();
        if def.params.is_empty() || bytes.get(name_end) != Some(&b'(') {
            i = name_end;
            continue;
        }
        match split_args(bytes, name_end) {
            Some((_, end)) => i = end,
            None => return true,
        }
    }
    false
}

/// The longest name of `table` in `bytes[start..run_end]` that ends at the
/// end of the run or before a `-` or `.`.
fn lookup_in<'t>(
    table: &'t MacroTable,
    bytes: &[u8],
    start: usize,
    run_end: usize,
) -> Option<&'t MacroDef> {
    let longest = (run_end - start).min(table.longest_name());
    (1..=longest).rev().find_map(|len| {
        let end = start + len;
        let at_boundary = end == run_end || matches!(bytes.get(end), Some(b'-' | b'.'));
        if !at_boundary {
            return None;
        }
        let name = std::str::from_utf8(bytes.get(start..end)?).ok()?;
        table.get(name)
    })
}

/// Splits `(a, b(c), "d,e")` starting at the `(` at `open`; returns the
/// trimmed argument ranges and the offset after `)`. `None` when the list
/// does not close before the end of the text. The list may span lines (a
/// quote does not go on past its line).
fn split_args(bytes: &[u8], open: usize) -> Option<(Vec<Range<usize>>, usize)> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut arg_start = open + 1;
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        match (quote, b) {
            (_, b'\n') => quote = None,
            (Some(_), b'\\') => i += 1,
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') if depth == 0 => {
                args.push(trim(bytes, arg_start..i));
                return Some((args, i + 1));
            }
            (None, b')') => depth -= 1,
            (None, b',') if depth == 0 => {
                args.push(trim(bytes, arg_start..i));
                arg_start = i + 1;
            }
            (None, _) => {}
        }
        i += 1;
    }
    None
}

fn trim(bytes: &[u8], mut range: Range<usize>) -> Range<usize> {
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\r' | b'\n'));
    while range.start < range.end && blank(bytes.get(range.start)) {
        range.start += 1;
    }
    while range.end > range.start && blank(bytes.get(range.end - 1)) {
        range.end -= 1;
    }
    range
}

/// The leading blanks of the line of `text` holding byte `at`.
fn call_line_indent(text: &Text, at: usize) -> Text {
    let bytes = text.s.as_bytes();
    let line_start = memchr::memrchr(b'\n', bytes.get(..at).unwrap_or(&[])).map_or(0, |p| p + 1);
    let width = bytes
        .get(line_start..at)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    text.slice(line_start..line_start + width)
}

/// The depths of a substituted body's bytes: its own at `base`, each
/// argument's pieces at the depth they had in the call text.
fn argument_depths(call: &Depths, placements: &Placements, base: usize) -> Depths {
    let mut args = Vec::new();
    for (out, from) in placements {
        for (piece, depth) in call.pieces(from.clone()) {
            let start = out.start + (piece.start - from.start);
            args.push((start..start + piece.len(), depth));
        }
    }
    Depths { base, args }
}

/// A call's text and the ranges of its arguments in it.
struct Call<'t> {
    text: &'t Text,
    args: &'t [Range<usize>],
}

/// The body with parameters replaced by arguments and its lines re-indented
/// for the call site (see the module docs); `None` as soon as it would grow
/// beyond `limit` bytes. Where each argument went is added to `placements`.
fn substitute(
    body: &Text,
    def: &MacroDef,
    call: &Call<'_>,
    indent: &Text,
    limit: usize,
    placements: &mut Placements,
) -> Option<Text> {
    let s = body.s.as_str();
    let lines: Vec<Range<usize>> = line_ranges(s);
    let common = common_indent(s, lines.get(1..).unwrap_or(&[]));
    let mut out = Text::new();
    for (index, line) in lines.iter().enumerate() {
        let line_text = s.get(line.clone()).unwrap_or("");
        if index > 0 {
            out.push_slice(body, line.start - 1..line.start);
        }
        let content_start = if index == 0 {
            line.start + (line_text.len() - line_text.trim_start_matches([' ', '\t']).len())
        } else {
            line.start + common.min(line_text.len())
        };
        if line_text.trim().is_empty() {
            continue;
        }
        if index > 0 {
            out.push_text(indent);
        }
        substitute_params(
            &mut out,
            body,
            content_start..line.end,
            def,
            call,
            limit,
            placements,
        )?;
    }
    (out.len() <= limit).then_some(out)
}

/// Copies `body[range]` into `out`, replacing each `(P)` by its argument
/// (noted in `placements`); `None` once `out` is longer than `limit`.
fn substitute_params(
    out: &mut Text,
    body: &Text,
    range: Range<usize>,
    def: &MacroDef,
    call: &Call<'_>,
    limit: usize,
    placements: &mut Placements,
) -> Option<()> {
    let bytes = body.s.as_bytes();
    let mut copied = range.start;
    let mut i = range.start;
    while let Some(k) = bytes
        .get(i..range.end)
        .and_then(|rest| memchr::memchr(b'(', rest))
    {
        let open = i + k;
        let param = def.params.iter().position(|p| {
            let end = open + 1 + p.len();
            bytes.get(open + 1..end) == Some(p.as_bytes())
                && bytes.get(end) == Some(&b')')
                && end < range.end
        });
        match param.and_then(|index| Some((index, call.args.get(index)?))) {
            Some((index, arg)) => {
                out.push_slice(body, copied..open);
                if out.len() + arg.len() > limit {
                    return None;
                }
                let start = out.len();
                out.push_slice(call.text, arg.clone());
                placements.push((start..out.len(), arg.clone()));
                let len = def.params.get(index).map_or(0, String::len);
                copied = open + len + 2;
                i = copied;
            }
            None => i = open + 1,
        }
    }
    out.push_slice(body, copied..range.end);
    (out.len() <= limit).then_some(())
}

/// Byte ranges of the lines of `s`, newlines excluded.
fn line_ranges(s: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', s.as_bytes()) {
        ranges.push(start..nl);
        start = nl + 1;
    }
    ranges.push(start..s.len());
    ranges
}

/// Length of the blank prefix shared by every non-blank line in `lines`.
fn common_indent(s: &str, lines: &[Range<usize>]) -> usize {
    let mut common: Option<&str> = None;
    for line in lines {
        let text = s.get(line.clone()).unwrap_or("");
        if text.trim().is_empty() {
            continue;
        }
        let indent = &text[..text.len() - text.trim_start_matches([' ', '\t']).len()];
        common = Some(match common {
            None => indent,
            Some(c) => {
                let shared = c
                    .bytes()
                    .zip(indent.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &c[..shared]
            }
        });
    }
    common.map_or(0, str::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_split_on_top_level_commas_only() {
        let s = b"(a, #f(b, c), \"d,e\", )";
        let (args, end) = split_args(s, 0).unwrap();
        let texts: Vec<&[u8]> = args.iter().map(|r| &s[r.clone()]).collect();
        assert_eq!(texts, vec![&b"a"[..], b"#f(b, c)", b"\"d,e\"", b""]);
        assert_eq!(end, s.len());
    }

    #[test]
    fn unclosed_args_are_none() {
        assert_eq!(split_args(b"(a, (b)", 0), None);
        assert_eq!(split_args(b"(a\n", 0), None);
    }

    #[test]
    fn args_may_span_lines_and_quotes_end_with_their_line() {
        let s = b"(if x\n\toutput \"a, b\"\nfi, \n)";
        let (args, end) = split_args(s, 0).unwrap();
        let texts: Vec<&[u8]> = args.iter().map(|r| &s[r.clone()]).collect();
        assert_eq!(texts, vec![&b"if x\n\toutput \"a, b\"\nfi"[..], b""]);
        assert_eq!(end, s.len());
        // an apostrophe does not swallow the following lines
        assert!(split_args(b"(it's\n)", 0).is_some());
    }

    #[test]
    fn open_calls_are_found_at_the_end_of_the_text() {
        let mut table = MacroTable::new();
        table
            .insert(MacroDef {
                params: vec!["A".into(), "B".into()],
                ..MacroDef::simple("hourly", "(A)")
            })
            .unwrap();
        table.insert(MacroDef::simple("log", "L")).unwrap();
        assert!(ends_in_open_call(&table, "\t=hourly(if #a > 1"));
        assert!(!ends_in_open_call(&table, "\t=hourly(x, y) =log("));
        assert!(!ends_in_open_call(&table, "\\=hourly(x"));
        assert!(!ends_in_open_call(&table, "=other(x"));
        assert!(ends_in_open_call(&table, "=hourly(a,\n=hourly(b, c)"));
    }

    #[test]
    fn common_indent_ignores_blank_lines() {
        let s = "x\n\t\ta\n\n\t\t\tb\n\t\tc";
        let lines = line_ranges(s);
        assert_eq!(common_indent(s, &lines[1..]), 2);
    }

    #[test]
    fn starts_word_rules() {
        assert!(starts_word(b"=x", 0));
        assert!(starts_word(b"a =x", 2));
        assert!(starts_word(b"\"=x", 1));
        assert!(!starts_word(b"a=x", 1));
        assert!(!starts_word(b"==x", 1));
    }

    #[test]
    fn lookup_prefers_longest_name_at_a_boundary() {
        let mut table = MacroTable::new();
        table.insert(MacroDef::simple("log", "L")).unwrap();
        table.insert(MacroDef::simple("logfile", "F")).unwrap();
        let map = SourceMap::new();
        let mut diags = Vec::new();
        let mut budget = Budget::default();
        let exp = Expander::new(&table, &map, &mut diags, Span::default(), &mut budget);
        let find = |s: &str| {
            let run = s.bytes().take_while(|&b| is_ident_char(b)).count();
            exp.lookup(s.as_bytes(), 0, run).map(|d| d.name.clone())
        };
        assert_eq!(find("logfile"), Some("logfile".into()));
        assert_eq!(find("logfile."), Some("logfile".into()));
        assert_eq!(find("log-x"), Some("log".into()));
        assert_eq!(find("logx"), None);
        assert_eq!(find("logfile_x"), None);
    }
}
