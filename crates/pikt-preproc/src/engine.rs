//! The line loop: sources, conditions, directives and output.
//!
//! One [`Engine`] runs per call of [`crate::preprocess`]. It keeps a stack of
//! sources (the file, then whatever it includes), a single condition stack for
//! `#if` and `#ifdef` blocks (they may span includes), the `#indent` stack and
//! the `#set` environment. Each physical line is handled once, in order:
//!
//! 1. `#verbatim` content is emitted as it is (plus one TAB);
//! 2. comments are stripped (outside `#fix`), keeping the `/* */` state;
//! 3. a `#` in column 1 followed by a directive keyword is a directive:
//!    conditionals are always tracked, the others run only in live text;
//! 4. any other live line has its macros expanded (outside `#fix`, not in
//!    systems.cfg), gets the `#indent` TABs and is emitted.
//!
//! Every emitted byte carries its origin ([`Text`]), which becomes a segment of
//! the derived output file.

use std::collections::HashSet;
use std::io;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use pikt_source::{Diagnostic, FileId, Segment, SourceMap, Span};

use crate::comments::{strip_line, Stripped};
use crate::condition::eval_class;
use crate::defines::parse_bool;
use crate::directive::{classify, Keyword, LineClass};
use crate::expand::{Budget, Expander};
use crate::explain::NO_NODE;
use crate::scan::{is_blank, is_ident_start, Cursor};
use crate::text::Text;
use crate::{
    Branch, BranchKind, DefineSource, Explain, FileKind, Options, PreprocHost, Preprocessed,
    MAX_CONDITION_DEPTH, MAX_DIAGNOSTICS, MAX_INCLUDES, MAX_INCLUDE_DEPTH,
};

/// Runs the preprocessor over `file`.
pub(crate) fn run(
    map: &mut SourceMap,
    file: FileId,
    opts: &mut Options<'_>,
    host: &dyn PreprocHost,
) -> Preprocessed {
    let top_name = map.get(file).name.clone();
    let text: Rc<str> = map.get(file).text.as_str().into();
    let mut engine = Engine {
        map,
        opts,
        host,
        diags: Vec::new(),
        out: String::new(),
        segments: Vec::new(),
        conds: Vec::new(),
        indents: Vec::new(),
        env: Vec::new(),
        sources: Vec::new(),
        explain: Explain::default(),
        defines: DefineTracker::default(),
        budget: Budget::default(),
        recorded: 0,
        included: 0,
        open_call: None,
    };
    engine.env = engine.opts.env.clone();
    let (logical, read) = engine.paths_for(Path::new(&top_name), None);
    engine.sources.push(Source {
        file,
        text,
        pos: 0,
        logical: Some(logical),
        read_path: Some(read),
        verbatim: None,
        fix: None,
        comment_open: None,
        needs_final_newline: true,
    });
    engine.run_sources();
    engine.finish(&top_name)
}

/// One file (or command output) being read.
struct Source {
    file: FileId,
    text: Rc<str>,
    pos: usize,
    /// Path relative to the config dir (or absolute), for relative includes.
    logical: Option<PathBuf>,
    /// Path actually read, for cycle detection.
    read_path: Option<PathBuf>,
    /// `#verbatim` content: the directive, whose TAB it gets.
    verbatim: Option<Span>,
    /// The open `#fix`, if any (it does not carry into included files).
    fix: Option<Span>,
    /// Offset of an unclosed `/*`.
    comment_open: Option<usize>,
    /// Files must end with a newline; command output need not.
    needs_final_newline: bool,
}

/// One open `#if` or `#ifdef` block.
struct Frame {
    kind: BranchKind,
    /// The opening directive as written, e.g. `#if mailserver`.
    opener: String,
    /// Its keyword as written, e.g. `#ifsys`.
    opener_keyword: String,
    opener_span: Span,
    /// Whether the text around the block is live.
    parent_live: bool,
    /// Whether some branch was already taken.
    taken: bool,
    /// Whether the current branch is live (implies `parent_live`).
    live: bool,
    /// The `#else`/`#elsedef` seen, if any.
    else_span: Option<Span>,
    /// The directive of the current branch.
    branch: String,
    branch_span: Span,
    /// The explain node of the current branch, once a line needed it.
    node: Option<u32>,
}

/// Declares defines.cfg stanzas as they are emitted (FileKind::Defines).
#[derive(Default)]
struct DefineTracker {
    /// Names declared by stanzas of this file so far.
    seen: HashSet<String>,
    /// A stanza head whose value is on the next indented line.
    pending: Option<String>,
}

struct Engine<'r, 'o> {
    map: &'r mut SourceMap,
    opts: &'r mut Options<'o>,
    host: &'r dyn PreprocHost,
    diags: Vec<Diagnostic>,
    out: String,
    segments: Vec<Segment>,
    conds: Vec<Frame>,
    /// The open `#indent`s.
    indents: Vec<Span>,
    /// The `#set` environment.
    env: Vec<(String, String)>,
    sources: Vec<Source>,
    explain: Explain,
    defines: DefineTracker,
    /// What macro expansion may still add to the output.
    budget: Budget,
    /// How many of the outermost `conds` have their explain node.
    recorded: usize,
    /// `#include`s and `#verbatim`s read so far.
    included: usize,
    /// A line whose macro call's argument list goes on past its end, with
    /// the lines added to it so far.
    open_call: Option<OpenCall>,
}

/// Lines held back until the argument list of a macro call closes: PIKT's
/// samples pass whole statement blocks as arguments (`=hourly(if ...` on one
/// line, `fi, )` lines below).
struct OpenCall {
    /// The lines so far, joined by their newlines.
    text: Text,
    /// The newline of the last line.
    newline: Span,
    has_newline: bool,
    /// How many lines it holds.
    lines: usize,
}

/// The most lines one macro call may span; beyond, the call is expanded as
/// it stands (and reported as unclosed).
use crate::MAX_CALL_LINES;

/// A directive line ready to be acted on.
struct Directive<'d> {
    keyword: Keyword,
    spelling: &'d str,
    /// The line with comments removed.
    text: Text,
    args_start: usize,
    /// The whole directive (trimmed).
    span: Span,
    /// The line's newline, for lines the directive emits (`#echo`).
    newline: Span,
    has_newline: bool,
}

impl Directive<'_> {
    fn span_of(&self, range: Range<usize>) -> Span {
        self.text.span_of(range, self.span)
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.text.s.get(range).unwrap_or("")
    }

    /// `#keyword` as written, for messages.
    fn name(&self) -> String {
        format!("#{}", self.spelling)
    }
}

/// What `#include`, `#verbatim`, `#exec` and `#piktexec` were given.
#[derive(Default)]
struct ProcessArgs {
    /// `"file"` or `<file>`: the path text range and whether it was `<..>`.
    file: Option<(Range<usize>, bool)>,
    /// `[command]`: the text range inside the brackets.
    command: Option<Range<usize>>,
}

impl Engine<'_, '_> {
    fn run_sources(&mut self) {
        while let Some(src) = self.sources.last_mut() {
            if src.pos >= src.text.len() {
                self.finish_source();
                continue;
            }
            let text = src.text.clone();
            let start = src.pos;
            let rest = text.as_bytes().get(start..).unwrap_or(&[]);
            let (end, has_newline) = match memchr::memchr(b'\n', rest) {
                Some(k) => (start + k, true),
                None => (text.len(), false),
            };
            src.pos = if has_newline { end + 1 } else { end };
            self.handle_line(&text, start, end, has_newline);
        }
    }

    fn live(&self) -> bool {
        self.conds.last().is_none_or(|f| f.live)
    }

    fn handle_line(&mut self, text: &str, start: usize, end: usize, has_newline: bool) {
        let Some(src) = self.sources.last() else {
            return;
        };
        let file = src.file;
        let line = text.get(start..end).unwrap_or("");
        let line_span = Span::new(file, start, end);
        let newline = Span::new(file, end, if has_newline { end + 1 } else { end });
        if let Some(opener) = src.verbatim {
            self.emit(
                Text::exact(line, line_span),
                newline,
                has_newline,
                Some(opener),
            );
            return;
        }
        let fix = src.fix.is_some();
        let at_line_start_in_comment = src.comment_open.is_some() && !fix;
        let escaped = !at_line_start_in_comment && line.starts_with("\\#");
        if !at_line_start_in_comment && line.starts_with('#') {
            match classify(line) {
                LineClass::Directive(d) => {
                    let text = self.strip_directive(line, start, file, fix);
                    let span = text.span_of(0..text.len(), line_span);
                    self.directive(Directive {
                        keyword: d.keyword,
                        spelling: d.spelling,
                        text,
                        args_start: d.args_start,
                        span,
                        newline,
                        has_newline,
                    });
                    return;
                }
                LineClass::NearMiss { word, suggestion } if self.live() => {
                    let at = Span::new(file, start + word.start - 1, start + word.end);
                    self.diags.push(
                        Diagnostic::warning(
                            format!(
                                "unknown directive `#{}`; the line is kept as text",
                                line.get(word).unwrap_or("")
                            ),
                            at,
                        )
                        .with_help(format!("did you mean `#{suggestion}`?")),
                    );
                }
                _ => {}
            }
        }
        let stripped = if fix {
            let mut whole = Stripped::default();
            whole.kept.push(0..line.len());
            whole
        } else {
            self.strip(line, start)
        };
        if !self.live() {
            return;
        }
        let mut t = Text::new();
        for range in &stripped.kept {
            let range = if escaped && range.start == 0 {
                1..range.end
            } else {
                range.clone()
            };
            if let Some(piece) = line.get(range.clone()) {
                t.push_exact(
                    piece,
                    Span::new(file, start + range.start, start + range.end),
                );
            }
        }
        if stripped.had_comment && t.s.trim().is_empty() {
            return;
        }
        if stripped.ends_in_comment {
            t.trim_end();
        }
        if fix {
            self.emit(t, newline, has_newline, None);
            return;
        }
        let Some(call) = self.join_open_call(t, newline, has_newline) else {
            return;
        };
        let t = self.expand_macros(&call.text, line_span);
        if self.opts.kind == FileKind::Defines {
            self.track_define(&t.s);
        }
        self.emit(t, call.newline, call.has_newline, None);
    }

    /// Adds a text line to the macro call still open, if any. Returns the
    /// lines to expand now, or `None` while a call's arguments go on.
    fn join_open_call(&mut self, t: Text, newline: Span, has_newline: bool) -> Option<OpenCall> {
        let call = match self.open_call.take() {
            Some(mut call) => {
                call.text.push_exact("\n", call.newline);
                call.text.push_text(&t);
                call.newline = newline;
                call.has_newline = has_newline;
                call.lines += 1;
                call
            }
            None => OpenCall {
                text: t,
                newline,
                has_newline,
                lines: 1,
            },
        };
        let open = self.opts.kind != FileKind::Systems
            && call.lines < MAX_CALL_LINES
            && self
                .opts
                .macros
                .is_some_and(|table| crate::expand::ends_in_open_call(table, &call.text.s));
        if open {
            self.open_call = Some(call);
            return None;
        }
        Some(call)
    }

    /// Expands and emits a macro call left open at the end of a file.
    fn flush_open_call(&mut self) {
        if let Some(call) = self.open_call.take() {
            let fallback = call.text.span_of(0..call.text.len(), call.newline);
            let t = self.expand_macros(&call.text, fallback);
            self.emit(t, call.newline, call.has_newline, None);
        }
    }

    /// Strips comments of a text line, keeping the `/* */` state of its source.
    fn strip(&mut self, line: &str, start: usize) -> Stripped {
        let Some(src) = self.sources.last_mut() else {
            return Stripped::default();
        };
        strip_line(line, &mut src.comment_open, start)
    }

    /// A directive line with comments removed. In a `#fix` region the line's
    /// own comments are still removed, but a `/*` there does not open a
    /// comment beyond the line.
    fn strip_directive(&mut self, line: &str, start: usize, file: FileId, fix: bool) -> Text {
        let stripped = if fix {
            let mut scratch = None;
            strip_line(line, &mut scratch, start)
        } else {
            self.strip(line, start)
        };
        let mut t = Text::new();
        for range in stripped.kept {
            if let Some(piece) = line.get(range.clone()) {
                t.push_exact(
                    piece,
                    Span::new(file, start + range.start, start + range.end),
                );
            }
        }
        t.trim_end();
        t
    }

    fn expand_macros(&mut self, t: &Text, fallback: Span) -> Text {
        let Some(table) = self.opts.macros else {
            return t.clone();
        };
        if self.opts.kind == FileKind::Systems || !t.s.contains('=') || self.budget.exhausted {
            return t.clone();
        }
        let keep = matches!(self.opts.kind, FileKind::Alarms | FileKind::Alerts);
        Expander::new(table, self.map, &mut self.diags, fallback, &mut self.budget)
            .keep_alert_macros(keep)
            .expand_line(t)
    }

    /// Appends one output line: the `#indent` TABs, the text and a newline.
    fn emit(&mut self, t: Text, newline: Span, has_newline: bool, verbatim: Option<Span>) {
        let mut line = Text::new();
        for span in self.indents.iter().copied().chain(verbatim) {
            line.push_made("\t", span, None);
        }
        line.push_text(&t);
        if has_newline {
            line.push_exact("\n", newline);
        } else {
            line.push_made("\n", newline, None);
        }
        self.append(&line);
    }

    fn append(&mut self, line: &Text) {
        let base = self.out.len();
        self.out.push_str(&line.s);
        for o in &line.origins {
            let out_start = offset_u32(base + o.start);
            let out_end = offset_u32(base + o.end);
            let note = o.note.as_deref();
            if let Some(last) = self.segments.last_mut() {
                let joins = o.exact
                    && last.exact
                    && last.out_end == out_start
                    && last.src.file == o.src.file
                    && last.src.end == o.src.start
                    && last.note.as_deref() == note;
                if joins {
                    last.out_end = out_end;
                    last.src.end = o.src.end;
                    continue;
                }
            }
            self.segments.push(Segment {
                out_start,
                out_end,
                src: o.src,
                exact: o.exact,
                note: note.map(str::to_string),
            });
        }
        let lines = memchr::memchr_iter(b'\n', line.s.as_bytes()).count();
        if lines > 0 {
            let node = self.explain_node();
            self.explain
                .line_node
                .extend(std::iter::repeat_n(node, lines));
        }
    }

    /// The explain node of the innermost open branch, recording the
    /// branches that have none yet (outermost first; the recorded ones are
    /// always a prefix of the stack).
    fn explain_node(&mut self) -> u32 {
        let first_missing = self.recorded.min(self.conds.len());
        let mut parent = first_missing
            .checked_sub(1)
            .and_then(|i| self.conds.get(i))
            .and_then(|f| f.node);
        for frame in self.conds.iter_mut().skip(first_missing) {
            let id = offset_u32(self.explain.nodes.len());
            self.explain.nodes.push((
                parent,
                Branch {
                    kind: frame.kind,
                    directive: frame.branch.clone(),
                    span: frame.branch_span,
                    opener: frame.opener.clone(),
                    opener_span: frame.opener_span,
                },
            ));
            frame.node = Some(id);
            parent = Some(id);
        }
        self.recorded = self.conds.len();
        parent.unwrap_or(NO_NODE)
    }

    fn finish_source(&mut self) {
        self.flush_open_call();
        let Some(src) = self.sources.pop() else {
            return;
        };
        if let Some(fix) = src.fix {
            self.diags.push(
                Diagnostic::error("`#fix` without `#unfix`", fix)
                    .with_help("end the fixed region with `#unfix` in the same file"),
            );
        }
        if let Some(open) = src.comment_open {
            self.diags.push(
                Diagnostic::error(
                    "unterminated `/*` comment",
                    Span::new(src.file, open, open + 2),
                )
                .with_help("close the comment with `*/`"),
            );
        }
        if src.needs_final_newline && !src.text.is_empty() && !src.text.ends_with('\n') {
            let end = src.text.len();
            self.diags.push(
                Diagnostic::error(
                    "missing newline at end of file",
                    Span::new(src.file, end, end),
                )
                .with_help("PIKT config files must end with a newline"),
            );
        }
    }

    fn finish(mut self, top_name: &str) -> Preprocessed {
        for frame in std::mem::take(&mut self.conds) {
            let closer = match frame.kind {
                BranchKind::If => "#endif",
                BranchKind::IfDef => "#endifdef",
            };
            self.diags.push(
                Diagnostic::error(
                    format!("unclosed `{}` block", frame.opener_keyword),
                    frame.opener_span,
                )
                .with_help(format!("close it with `{closer}`")),
            );
        }
        for span in std::mem::take(&mut self.indents) {
            self.diags.push(
                Diagnostic::error("`#indent` without `#unindent`", span)
                    .with_help("end the indented lines with `#unindent`"),
            );
        }
        self.flush_pending_define();
        let name = if self.opts.host.name.is_empty() {
            format!("{top_name} (preprocessed)")
        } else {
            format!("{top_name} (preprocessed for {})", self.opts.host.name)
        };
        let segments = std::mem::take(&mut self.segments);
        let out = std::mem::take(&mut self.out);
        let file = self.map.add_derived(name, out, segments);
        Preprocessed {
            file,
            diagnostics: cap_diagnostics(self.diags, top_name),
            explain: self.explain,
        }
    }

    // ----- directives -------------------------------------------------------

    fn directive(&mut self, d: Directive<'_>) {
        if d.keyword.is_conditional() {
            if self.opts.kind == FileKind::Systems {
                self.not_allowed(&d);
                return;
            }
            self.conditional(&d);
            return;
        }
        if !self.live() {
            return;
        }
        if self.restricted(&d) {
            self.not_allowed(&d);
            return;
        }
        match d.keyword {
            Keyword::Define => self.set_define(&d, Some(true)),
            Keyword::Undefine => self.set_define(&d, Some(false)),
            Keyword::SetDef => self.set_define(&d, None),
            Keyword::Include => self.include(&d, false),
            Keyword::Verbatim => self.include(&d, true),
            Keyword::Indent => self.indent(&d),
            Keyword::Unindent => self.unindent(&d),
            Keyword::Fix => self.fix(&d),
            Keyword::Unfix => self.unfix(&d),
            Keyword::Exec => self.exec(&d, false),
            Keyword::PiktExec => self.exec(&d, true),
            Keyword::Set | Keyword::SetEnv => self.set_env(&d),
            Keyword::Unset => self.unset_env(&d),
            Keyword::Echo => self.echo(&d),
            _ => {}
        }
    }

    /// True when the file kind forbids this (non-conditional) directive.
    fn restricted(&self, d: &Directive<'_>) -> bool {
        match self.opts.kind {
            // PIKT's restrictions page allows only `#include` and
            // `#verbatim` here, but its `#piktexec` page shows `#piktexec`
            // in systems.cfg; sites have both, so the process directives
            // (which add no text) are accepted too.
            FileKind::Systems => !matches!(
                d.keyword,
                Keyword::Include
                    | Keyword::Verbatim
                    | Keyword::Indent
                    | Keyword::Unindent
                    | Keyword::Exec
                    | Keyword::PiktExec
            ),
            FileKind::Defines => matches!(d.keyword, Keyword::Define | Keyword::Undefine),
            _ => false,
        }
    }

    fn not_allowed(&mut self, d: &Directive<'_>) {
        let kw_span = d.span_of(0..d.args_start);
        let help = match self.opts.kind {
            FileKind::Systems => {
                "systems.cfg may use only `#include`, `#verbatim`, `#indent`, `#unindent`, \
                 `#exec` and `#piktexec`"
                    .to_string()
            }
            _ => "declare the value in the define's stanza, or use `#setdef name = TRUE` below it"
                .to_string(),
        };
        self.diags.push(
            Diagnostic::error(
                format!(
                    "`{}` is not allowed in {}",
                    d.name(),
                    self.opts.kind.file_name()
                ),
                kw_span,
            )
            .with_help(help),
        );
    }

    /// Reports text after a directive that takes no arguments.
    fn no_args(&mut self, d: &Directive<'_>) -> bool {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        self.expect_end(d, &mut c)
    }

    /// Reports anything left on the line after a directive's arguments.
    fn expect_end(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>) -> bool {
        if c.at_end() {
            return true;
        }
        let range = c.pos..d.text.len();
        self.diags.push(Diagnostic::error(
            format!(
                "unexpected `{}` after `{}`",
                d.slice(range.clone()),
                d.name()
            ),
            d.span_of(range),
        ));
        false
    }

    // ----- #if / #ifdef -----------------------------------------------------

    fn conditional(&mut self, d: &Directive<'_>) {
        match d.keyword {
            Keyword::If | Keyword::IfDef { .. } => self.open_block(d),
            Keyword::Elif | Keyword::ElifDef { .. } | Keyword::Else | Keyword::ElseDef => {
                self.next_branch(d)
            }
            _ => self.close_block(d),
        }
    }

    fn family(keyword: Keyword) -> BranchKind {
        match keyword {
            Keyword::If | Keyword::Elif | Keyword::Else | Keyword::EndIf => BranchKind::If,
            _ => BranchKind::IfDef,
        }
    }

    fn open_block(&mut self, d: &Directive<'_>) {
        let parent_live = self.live();
        // Reported once where the limit is crossed, not for every deeper block.
        if self.conds.len() == MAX_CONDITION_DEPTH && parent_live {
            self.diags.push(Diagnostic::error(
                format!("`#if`/`#ifdef` blocks nested deeper than {MAX_CONDITION_DEPTH}"),
                d.span,
            ));
        }
        let value = parent_live && self.test(d);
        let text = d.text.s.trim().to_string();
        self.conds.push(Frame {
            kind: Self::family(d.keyword),
            opener: text.clone(),
            opener_keyword: d.name(),
            opener_span: d.span,
            parent_live,
            taken: value,
            live: value,
            else_span: None,
            branch: text,
            branch_span: d.span,
            node: None,
        });
    }

    fn next_branch(&mut self, d: &Directive<'_>) {
        let family = Self::family(d.keyword);
        let is_else = matches!(d.keyword, Keyword::Else | Keyword::ElseDef);
        let Some(frame) = self.conds.last() else {
            self.unmatched(d, family);
            return;
        };
        if frame.kind != family {
            let diag = self.mismatch(d, frame);
            self.diags.push(diag);
            return;
        }
        if let Some(else_span) = frame.else_span {
            let what = if is_else {
                "a second"
            } else {
                "a branch after"
            };
            let note = format!("the `#else` is at {}", self.map.location(else_span));
            self.diags.push(
                Diagnostic::error(format!("`{}` is {what} `#else`", d.name()), d.span)
                    .with_note(note)
                    .with_help("`#else` must be the last branch of its block"),
            );
            return;
        }
        let (parent_live, taken) = (frame.parent_live, frame.taken);
        if is_else && parent_live {
            self.no_args(d);
        }
        let value = if !parent_live || taken {
            false
        } else if is_else {
            true
        } else {
            self.test(d)
        };
        if let Some(frame) = self.conds.last_mut() {
            frame.live = value;
            frame.taken |= value;
            if is_else {
                frame.else_span = Some(d.span);
            }
            frame.branch = d.text.s.trim().to_string();
            frame.branch_span = d.span;
            frame.node = None;
        }
        self.recorded = self.recorded.min(self.conds.len().saturating_sub(1));
    }

    fn close_block(&mut self, d: &Directive<'_>) {
        let family = Self::family(d.keyword);
        let Some(frame) = self.conds.pop() else {
            self.unmatched(d, family);
            return;
        };
        self.recorded = self.recorded.min(self.conds.len());
        if frame.kind != family {
            let diag = self.mismatch(d, &frame);
            self.diags.push(diag);
        } else if frame.parent_live {
            self.no_args(d);
        }
    }

    /// Reports branch or closer `d` of `family` that has no open block.
    fn unmatched(&mut self, d: &Directive<'_>, family: BranchKind) {
        let opener = if family == BranchKind::If {
            "#if"
        } else {
            "#ifdef"
        };
        self.diags.push(Diagnostic::error(
            format!("`{}` without a matching `{opener}`", d.name()),
            d.span,
        ));
    }

    fn mismatch(&self, d: &Directive<'_>, frame: &Frame) -> Diagnostic {
        let expected = match frame.kind {
            BranchKind::If => "`#elif`, `#else` or `#endif`",
            BranchKind::IfDef => "`#elifdef`, `#elsedef` or `#endifdef`",
        };
        Diagnostic::error(
            format!(
                "`{}` does not match the open `{}` block",
                d.name(),
                frame.opener_keyword
            ),
            d.span,
        )
        .with_note(format!(
            "`{}` opened at {}",
            frame.opener,
            self.map.location(frame.opener_span)
        ))
        .with_help(format!("inside this block use {expected}"))
    }

    /// Evaluates the condition of `#if`/`#elif`/`#ifdef`/`#elifdef`.
    fn test(&mut self, d: &Directive<'_>) -> bool {
        match d.keyword {
            Keyword::If | Keyword::Elif => self.test_class(d),
            Keyword::IfDef { negated } | Keyword::ElifDef { negated } => {
                let mut c = Cursor::new(&d.text.s, d.args_start);
                match self.define_operand(d, &mut c) {
                    Some(value) if self.expect_end(d, &mut c) => value != negated,
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn test_class(&mut self, d: &Directive<'_>) -> bool {
        match eval_class(&d.text.s, d.args_start, self.opts.host) {
            Ok(v) => {
                if self.opts.warn_unknown_classes {
                    for range in v.unknown {
                        let name = d.slice(range.clone()).to_string();
                        self.diags.push(
                            Diagnostic::warning(
                                format!("`{name}` is not a host, alias, group or OS name in systems.cfg"),
                                d.span_of(range),
                            )
                            .with_label("false for every host"),
                        );
                    }
                }
                v.value
            }
            Err(e) => {
                let mut diag = Diagnostic::error(e.message, d.span_of(e.range));
                if let Some(help) = e.help {
                    diag = diag.with_help(help);
                }
                self.diags.push(diag);
                false
            }
        }
    }

    /// Reads `{!} name` and returns its value (errors reported, `None`).
    fn define_operand(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>) -> Option<bool> {
        let mut negated = false;
        c.skip_blanks();
        while c.accept(b'!') {
            negated = !negated;
            c.skip_blanks();
        }
        let Some(range) = c.name() else {
            self.expected(d, c, "a define name");
            return None;
        };
        self.define_value(d, range).map(|v| v != negated)
    }

    /// Reports "expected X" at the cursor.
    fn expected(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>, what: &str) {
        c.skip_blanks();
        let found = d.slice(c.pos..d.text.len());
        let message = if found.is_empty() {
            format!("expected {what} after `{}`", d.name())
        } else {
            let word: String = found.chars().take_while(|ch| !ch.is_whitespace()).collect();
            format!("expected {what} after `{}`, found `{word}`", d.name())
        };
        let end = if found.is_empty() {
            c.pos
        } else {
            c.pos
                + found
                    .chars()
                    .take_while(|ch| !ch.is_whitespace())
                    .map(char::len_utf8)
                    .sum::<usize>()
        };
        self.diags
            .push(Diagnostic::error(message, d.span_of(c.pos..end)));
    }

    /// The value of the define named at `range`, reporting undeclared ones.
    fn define_value(&mut self, d: &Directive<'_>, range: Range<usize>) -> Option<bool> {
        let name = d.slice(range.clone()).to_string();
        if self.opts.kind == FileKind::Defines && !self.declared_earlier(&name) {
            self.diags.push(
                Diagnostic::error(
                    format!("define `{name}` is used before it is declared"),
                    d.span_of(range),
                )
                .with_help("in defines.cfg a define must be declared above its first use"),
            );
            return None;
        }
        match self.opts.defines.get(&name) {
            Some(value) => Some(value),
            None => {
                self.diags.push(
                    Diagnostic::error(format!("undeclared define `{name}`"), d.span_of(range))
                        .with_help(format!("declare it in defines.cfg, e.g. `{name} FALSE`")),
                );
                None
            }
        }
    }

    fn declared_earlier(&self, name: &str) -> bool {
        self.defines.seen.contains(name)
            || matches!(
                self.opts.defines.source(name),
                Some(DefineSource::Builtin | DefineSource::CommandLine)
            )
    }

    // ----- #define / #undefine / #setdef ------------------------------------

    /// `#define x`, `#undefine x` (`fixed` = the value) or `#setdef x = value`.
    fn set_define(&mut self, d: &Directive<'_>, fixed: Option<bool>) {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        c.skip_blanks();
        let Some(range) = c.name() else {
            self.expected(d, &mut c, "a define name");
            return;
        };
        if self.define_value(d, range.clone()).is_none() {
            return;
        }
        let value = match fixed {
            Some(value) => value,
            None => {
                c.skip_blanks();
                if !c.accept(b'=') {
                    self.expected(d, &mut c, "`=`");
                    return;
                }
                match self.setdef_value(d, &mut c) {
                    Some(value) => value,
                    None => return,
                }
            }
        };
        if !self.expect_end(d, &mut c) {
            return;
        }
        let name = d.slice(range);
        self.opts.defines.set_directive(name, value);
    }

    /// `{!} (TRUE|FALSE|... | define | [command])`.
    fn setdef_value(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>) -> Option<bool> {
        let mut negated = false;
        c.skip_blanks();
        while c.accept(b'!') {
            negated = !negated;
            c.skip_blanks();
        }
        if c.peek() == Some(b'[') {
            let open = c.pos;
            let Ok(range) = c.bracketed() else {
                self.unterminated(d, open, "`[`", "`]`");
                return None;
            };
            let command = d.slice(range.clone()).to_string();
            let output = self.run_command(&command, d.span_of(range))?;
            return Some(output.success != negated);
        }
        let start = c.pos;
        let word_end = start
            + d.text
                .s
                .as_bytes()
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|&&b| !is_blank(b))
                .count();
        if let Some(value) = parse_bool(d.slice(start..word_end)) {
            c.pos = word_end;
            return Some(value != negated);
        }
        let Some(range) = c.name() else {
            self.expected(d, c, "TRUE, FALSE, a define name or `[command]`");
            return None;
        };
        let word = d.slice(range.clone());
        if !self.opts.defines.is_declared(word) && self.opts.kind != FileKind::Defines {
            self.diags.push(
                Diagnostic::error(format!("`{word}` is neither a TRUE/FALSE value nor a declared define"), d.span_of(range))
                    .with_help("a value is TRUE, FALSE, YES, NO, ON, OFF, 1, 0, a define name, or `[command]`, optionally after `!`"),
            );
            return None;
        }
        self.define_value(d, range).map(|v| v != negated)
    }

    // ----- #include / #verbatim ---------------------------------------------

    /// Reads `"file"`, `<file>`, `[command]` or `"file" [command]`.
    fn process_args(&mut self, d: &Directive<'_>) -> Option<ProcessArgs> {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        let mut args = ProcessArgs::default();
        c.skip_blanks();
        let close = match c.peek() {
            Some(b'"') => Some((b'"', false)),
            Some(b'<') => Some((b'>', true)),
            _ => None,
        };
        if let Some((close, angle)) = close {
            let open = c.pos;
            let Ok(range) = c.delimited(close) else {
                let (o, e) = if angle {
                    ("`<`", "`>`")
                } else {
                    ("`\"`", "`\"`")
                };
                self.unterminated(d, open, o, e);
                return None;
            };
            if d.slice(range.clone()).trim().is_empty() {
                self.diags.push(Diagnostic::error(
                    format!("empty file name in `{}`", d.name()),
                    d.span_of(open..c.pos),
                ));
                return None;
            }
            args.file = Some((range, angle));
            c.skip_blanks();
        }
        if c.peek() == Some(b'[') {
            let open = c.pos;
            let Ok(range) = c.bracketed() else {
                self.unterminated(d, open, "`[`", "`]`");
                return None;
            };
            args.command = Some(range);
        }
        if args.file.is_none() && args.command.is_none() {
            self.expected(d, &mut c, "`\"file\"`, `<file>` or `[command]`");
            return None;
        }
        self.expect_end(d, &mut c).then_some(args)
    }

    fn unterminated(&mut self, d: &Directive<'_>, open: usize, opener: &str, closer: &str) {
        self.diags.push(
            Diagnostic::error(
                format!("unterminated {opener} in `{}`", d.name()),
                d.span_of(open..open + 1),
            )
            .with_help(format!("close it with {closer} on the same line")),
        );
    }

    fn include(&mut self, d: &Directive<'_>, verbatim: bool) {
        let Some(args) = self.process_args(d) else {
            return;
        };
        let opener = verbatim.then_some(d.span);
        match args.file {
            Some((path_range, angle)) => {
                if let Some(command_range) = args.command {
                    if self.opts.refresh {
                        let command = d.slice(command_range.clone()).to_string();
                        let _ = self.run_command(&command, d.span_of(command_range));
                    }
                }
                self.include_file(d, path_range, angle, opener);
            }
            None => {
                let Some(range) = args.command else {
                    return;
                };
                let command = d.slice(range.clone()).to_string();
                let Some(output) = self.run_command(&command, d.span_of(range)) else {
                    return;
                };
                if !self.room_for_include(d) {
                    return;
                }
                let file = self
                    .map
                    .add(format!("<output of `{command}`>"), output.stdout);
                self.push_source(file, None, None, opener, false);
            }
        }
    }

    fn room_for_include(&mut self, d: &Directive<'_>) -> bool {
        if self.sources.len() > MAX_INCLUDE_DEPTH {
            self.diags.push(Diagnostic::error(
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} files"),
                d.span,
            ));
            return false;
        }
        // Files that include the next one twice, 32 deep, would include
        // 2^32 files: the count is bounded, reported where it is crossed.
        self.included += 1;
        if self.included > MAX_INCLUDES {
            if self.included == MAX_INCLUDES + 1 {
                self.diags.push(
                    Diagnostic::error(
                        format!("more than {MAX_INCLUDES} includes in one file; the rest are not read"),
                        d.span,
                    )
                    .with_help("an included file that includes others several times multiplies at each level"),
                );
            }
            return false;
        }
        true
    }

    fn include_file(
        &mut self,
        d: &Directive<'_>,
        range: Range<usize>,
        angle: bool,
        verbatim: Option<Span>,
    ) {
        let written = d.slice(range.clone()).to_string();
        let path_span = d.span_of(range);
        let base = if angle { None } else { self.current_dir() };
        let (logical, read) = self.paths_for(Path::new(&written), Some(base.unwrap_or_default()));
        let display = logical.display().to_string();
        if let Some(first) = self
            .sources
            .iter()
            .position(|s| s.read_path.as_ref() == Some(&read))
        {
            let mut chain: Vec<String> = self
                .sources
                .get(first..)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| s.logical.as_ref())
                .map(|p| format!("`{}`", p.display()))
                .collect();
            chain.push(format!("`{display}`"));
            self.diags.push(
                Diagnostic::error(format!("`{display}` includes itself"), path_span)
                    .with_note(format!("include cycle: {}", chain.join(" → "))),
            );
            return;
        }
        if !self.room_for_include(d) {
            return;
        }
        match self.host.read_file(&read) {
            Ok(content) => {
                let file = self.map.add(display, content);
                self.push_source(
                    file,
                    Some(logical),
                    Some(read),
                    verbatim,
                    verbatim.is_none(),
                );
            }
            Err(e) => self.diags.push(Diagnostic::error(
                format!("cannot read `{display}`: {}", io_message(&e)),
                path_span,
            )),
        }
    }

    fn push_source(
        &mut self,
        file: FileId,
        logical: Option<PathBuf>,
        read_path: Option<PathBuf>,
        verbatim: Option<Span>,
        needs_final_newline: bool,
    ) {
        let text: Rc<str> = self.map.get(file).text.as_str().into();
        self.sources.push(Source {
            file,
            text,
            pos: 0,
            logical,
            read_path,
            verbatim,
            fix: None,
            comment_open: None,
            needs_final_newline,
        });
    }

    /// The logical directory of the innermost file being read.
    fn current_dir(&self) -> Option<PathBuf> {
        self.sources
            .iter()
            .rev()
            .find_map(|s| s.logical.as_ref())
            .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// The logical path (relative to the config dir when under it) and the
    /// path to read, for `path` written relative to `base` (`None`: the
    /// config dir).
    fn paths_for(&self, path: &Path, base: Option<PathBuf>) -> (PathBuf, PathBuf) {
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.unwrap_or_default().join(path)
        };
        let mut logical = normalize(&joined);
        let config_dir = normalize(&self.opts.config_dir);
        if logical.is_absolute() {
            if let Ok(rest) = logical.strip_prefix(&config_dir) {
                if !config_dir.as_os_str().is_empty() {
                    logical = rest.to_path_buf();
                }
            }
        }
        let read = if logical.is_absolute() {
            logical.clone()
        } else {
            config_dir.join(&logical)
        };
        (logical, read)
    }

    // ----- #indent / #fix ---------------------------------------------------

    fn indent(&mut self, d: &Directive<'_>) {
        if self.no_args(d) {
            self.indents.push(d.span);
        }
    }

    fn unindent(&mut self, d: &Directive<'_>) {
        if self.no_args(d) && self.indents.pop().is_none() {
            self.diags
                .push(Diagnostic::error("`#unindent` without `#indent`", d.span));
        }
    }

    fn fix(&mut self, d: &Directive<'_>) {
        if !self.no_args(d) {
            return;
        }
        let Some(src) = self.sources.last_mut() else {
            return;
        };
        match src.fix {
            Some(open) => {
                let note = format!("the region opened at {}", self.map.location(open));
                self.diags.push(
                    Diagnostic::error("`#fix` inside a `#fix` region", d.span)
                        .with_note(note)
                        .with_help("`#fix` regions do not nest"),
                );
            }
            None => src.fix = Some(d.span),
        }
    }

    fn unfix(&mut self, d: &Directive<'_>) {
        if !self.no_args(d) {
            return;
        }
        let closed = self.sources.last_mut().and_then(|s| s.fix.take());
        if closed.is_none() {
            self.diags
                .push(Diagnostic::error("`#unfix` without `#fix`", d.span));
        }
    }

    // ----- #exec / #piktexec ------------------------------------------------

    fn exec(&mut self, d: &Directive<'_>, pikt: bool) {
        let Some(args) = self.process_args(d) else {
            return;
        };
        let Some(range) = args.command else {
            let end = d.text.len();
            self.diags.push(
                Diagnostic::error(
                    format!("`{}` needs a `[command]`", d.name()),
                    d.span_of(end..end),
                )
                .with_help(format!("write `{} [...]`", d.name())),
            );
            return;
        };
        if args.file.is_some() && !self.opts.refresh {
            return;
        }
        let span = d.span_of(range.clone());
        if !pikt {
            let command = d.slice(range).to_string();
            let _ = self.run_command(&command, span);
            return;
        }
        let statements = d.text.slice(range);
        let statements = self.expand_macros(&statements, span);
        let failure = match self.host.run_pikt(&statements.s) {
            Ok(output) => {
                self.report_stderr(
                    &format!("the Pikt statements of `{}`", d.name()),
                    &output.stderr,
                    span,
                );
                (!output.success).then(|| match output.status {
                    Some(status) => format!("the interpreter exited with status {status}"),
                    None => "the interpreter did not exit".to_string(),
                })
            }
            Err(e) => Some(io_message(&e)),
        };
        if let Some(why) = failure {
            self.diags.push(Diagnostic::error(
                format!("cannot run the Pikt statements of `{}`: {why}", d.name()),
                span,
            ));
        }
    }

    /// What a command wrote to its standard error, as a warning at the
    /// command: each kept line a note (shown through `visible`, by the
    /// renderer), and how much was dropped past the cap.
    fn report_stderr(&mut self, what: &str, stderr: &crate::Stderr, span: Span) {
        if stderr.text.is_empty() && stderr.dropped == 0 {
            return;
        }
        let mut diag = Diagnostic::warning(format!("{what} wrote to standard error"), span);
        for line in stderr.text.lines() {
            diag = diag.with_note(format!("stderr: {line}"));
        }
        if stderr.dropped > 0 {
            diag = diag.with_note(format!(
                "{} more bytes of its standard error were dropped (the first {} KiB are kept)",
                stderr.dropped,
                crate::MAX_COMMAND_STDERR_BYTES >> 10
            ));
        }
        self.diags.push(diag);
    }

    fn run_command(&mut self, command: &str, span: Span) -> Option<crate::CommandOutput> {
        match self.host.run_command(command, &self.env) {
            Ok(output) => {
                self.report_stderr(&format!("`{command}`"), &output.stderr, span);
                Some(output)
            }
            Err(e) => {
                let mut diag =
                    Diagnostic::error(format!("cannot run `{command}`: {}", io_message(&e)), span);
                if e.kind() == io::ErrorKind::TimedOut {
                    diag = diag.with_help(
                        "PIKT.conf's `preproc_command_limit` sets how many seconds \
                         a preprocessor command may take",
                    );
                }
                self.diags.push(diag);
                None
            }
        }
    }

    // ----- #set / #unset / #echo --------------------------------------------

    fn env_name(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>) -> Option<String> {
        c.skip_blanks();
        let start = c.pos;
        if c.peek().is_some_and(|b| is_ident_start(b) || b == b'_') {
            while c
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                c.pos += 1;
            }
            return Some(d.slice(start..c.pos).to_string());
        }
        self.expected(d, c, "a variable name");
        None
    }

    /// `#set name = "value"`, `#setenv name "value"` (the `=` is optional in
    /// both; a bare word works as a value too; no value at all is `1`).
    fn set_env(&mut self, d: &Directive<'_>) {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        let Some(name) = self.env_name(d, &mut c) else {
            return;
        };
        c.skip_blanks();
        c.accept(b'=');
        c.skip_blanks();
        let value = if c.peek() == Some(b'"') {
            let Some(range) = self.quoted_last_arg(d, &mut c) else {
                return;
            };
            d.slice(range).to_string()
        } else {
            // Without a value the variable is set to 1 (PIKT 1.18).
            let value = d.slice(c.pos..d.text.len()).trim();
            if value.is_empty() { "1" } else { value }.to_string()
        };
        self.env.retain(|(k, _)| *k != name);
        self.env.push((name, value));
    }

    /// Reads the `"..."` argument at `c`, which must end the directive, and
    /// returns the range inside the quotes; reports an unterminated string
    /// or words after it and returns `None` then.
    fn quoted_last_arg(&mut self, d: &Directive<'_>, c: &mut Cursor<'_>) -> Option<Range<usize>> {
        let open = c.pos;
        let Ok(range) = c.delimited(b'"') else {
            self.unterminated(d, open, "`\"`", "`\"`");
            return None;
        };
        self.expect_end(d, c).then_some(range)
    }

    fn unset_env(&mut self, d: &Directive<'_>) {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        let Some(name) = self.env_name(d, &mut c) else {
            return;
        };
        if self.expect_end(d, &mut c) {
            self.env.retain(|(k, _)| *k != name);
        }
    }

    /// `#echo "text with $name"` emits the text, `$name`/`${name}` replaced
    /// from the `#set` environment.
    fn echo(&mut self, d: &Directive<'_>) {
        let mut c = Cursor::new(&d.text.s, d.args_start);
        c.skip_blanks();
        let range = if c.peek() == Some(b'"') {
            let Some(range) = self.quoted_last_arg(d, &mut c) else {
                return;
            };
            range
        } else {
            c.pos..d.text.len()
        };
        let line = self.expand_env(d, range);
        if self.opts.kind == FileKind::Defines {
            self.track_define(&line.s);
        }
        self.emit(line, d.newline, d.has_newline, None);
    }

    fn expand_env(&mut self, d: &Directive<'_>, range: Range<usize>) -> Text {
        let bytes = d.text.s.as_bytes();
        let mut out = Text::new();
        let mut copied = range.start;
        let mut i = range.start;
        while let Some(k) = bytes
            .get(i..range.end)
            .and_then(|rest| memchr::memchr(b'$', rest))
        {
            let dollar = i + k;
            let braced = bytes.get(dollar + 1) == Some(&b'{');
            let name_start = dollar + 1 + usize::from(braced);
            let name_len = bytes
                .get(name_start..range.end)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .take_while(|&(n, &b)| {
                    b == b'_' || b.is_ascii_alphabetic() || (n > 0 && b.is_ascii_digit())
                })
                .count();
            let name_end = name_start + name_len;
            let closed = !braced || bytes.get(name_end) == Some(&b'}');
            if name_len == 0 || !closed || name_end > range.end {
                i = dollar + 1;
                continue;
            }
            let end = name_end + usize::from(braced);
            let name = d.slice(name_start..name_end).to_string();
            let span = d.span_of(dollar..end);
            out.push_slice(&d.text, copied..dollar);
            match self.env.iter().rev().find(|(k, _)| *k == name) {
                Some((_, value)) => {
                    let value = value.clone();
                    out.push_made(&value, span, None);
                }
                None => self.diags.push(
                    Diagnostic::warning(format!("`${name}` is not set"), span).with_help(format!(
                        "set it earlier with `#set {name} = \"...\"`; it expands to nothing"
                    )),
                ),
            }
            copied = end;
            i = end;
        }
        out.push_slice(&d.text, copied..range.end);
        out
    }

    // ----- defines.cfg --------------------------------------------------------

    /// Declares the define of a defines.cfg stanza line as it is emitted.
    fn track_define(&mut self, line: &str) {
        let bytes = line.as_bytes();
        match bytes.first() {
            Some(&b) if is_ident_start(b) => {
                self.flush_pending_define();
                let mut c = Cursor::new(line, 0);
                let name = c.name().and_then(|r| line.get(r)).unwrap_or("").to_string();
                c.skip_blanks();
                let value = c.word().and_then(|r| line.get(r)).unwrap_or("");
                self.defines.seen.insert(name.clone());
                if value.is_empty() {
                    self.defines.pending = Some(name);
                } else {
                    let value = parse_bool(value).unwrap_or(false);
                    self.opts.defines.declare(&name, value);
                }
            }
            Some(&b) if is_blank(b) => {
                if let Some(name) = self.defines.pending.take() {
                    let value = line
                        .split_whitespace()
                        .next()
                        .and_then(parse_bool)
                        .unwrap_or(false);
                    self.opts.defines.declare(&name, value);
                }
            }
            _ => {}
        }
    }

    fn flush_pending_define(&mut self) {
        if let Some(name) = self.defines.pending.take() {
            self.opts.defines.declare(&name, false);
        }
    }
}

/// A short, stable description of an I/O error.
/// The first [`MAX_DIAGNOSTICS`] diagnostics and, when there were more, one
/// that counts the rest (an error if any of them was): a file of a hundred
/// thousand bad lines is reported in bounded time and space.
fn cap_diagnostics(mut diags: Vec<Diagnostic>, top_name: &str) -> Vec<Diagnostic> {
    if diags.len() <= MAX_DIAGNOSTICS {
        return diags;
    }
    let rest = diags.split_off(MAX_DIAGNOSTICS);
    let message = format!(
        "{} more problems in `{top_name}` are not shown (the first {MAX_DIAGNOSTICS} are)",
        rest.len()
    );
    let mut summary = Diagnostic::error_unlocated(message);
    if !rest.iter().any(Diagnostic::is_error) {
        summary.severity = pikt_source::Severity::Warning;
    }
    diags.push(summary);
    diags
}

fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `path` with `.` removed and `..` applied where possible (no file system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn offset_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
    }
}
