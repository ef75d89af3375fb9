//! Variable resolution: the per-script [`Symbols`] table and the checks that
//! need the whole script.
//!
//! While parsing, every `$name`/`#name` gets a [`VarId`] at once (one slot per
//! distinct sigil and name) and every handle a [`HandleId`]. Two things can
//! only be settled when the script is complete, in [`Resolver::finish`]:
//! - a bare `%name`/`@name` means `#name` if the script uses `#name`, else
//!   `$name`; until then it holds a *pending* id, patched afterwards;
//! - whether a variable is an array: the same variable may not be used both
//!   with and without an index.

use std::collections::{HashMap, HashSet};

use pikt_source::{Diagnostic, SourceMap, Span};

use crate::ast::{
    Block, Expr, ExprKind, HandleId, LValue, Script, Stmt, StmtKind, StrPart, Symbols, VarId,
    VarInfo, VarType,
};
use crate::builtins::Builtin;

/// Pending ids (bare `%name`/`@name`) are numbered from here; none survive
/// [`Resolver::finish`].
const PENDING_BASE: u32 = 1 << 31;

/// A bare `%name` or `@name` waiting for the end of the script, or a
/// `%name` written inside a string.
#[derive(Debug)]
struct Pending {
    /// `%` or `@`.
    prefix: char,
    name: String,
    span: Span,
    /// For `%name`, `%$name`, `%#name` inside a string: the sigil written, if
    /// any, and the text as written. Such a reference names a variable only
    /// when the script has one by that name; otherwise it is that text.
    in_string: Option<(Option<VarType>, String)>,
}

/// Builds one script's [`Symbols`].
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    symbols: Symbols,
    /// Name to the slots of `$name` and `#name` (looked up without allocating).
    index: HashMap<String, [Option<VarId>; 2]>,
    handles: HashMap<String, HandleId>,
    written: Vec<bool>,
    pending: Vec<Pending>,
}

/// Which of a name's two slots a type uses.
fn slot(ty: VarType) -> usize {
    match ty {
        VarType::Str => 0,
        VarType::Num => 1,
    }
}

impl Resolver {
    /// The slot of `sigil name`, created at `span` if new.
    pub(crate) fn var(&mut self, ty: VarType, name: &str, span: Span) -> VarId {
        if let Some(id) = self.existing(ty, name) {
            return id;
        }
        let id = VarId(u32::try_from(self.symbols.vars.len()).unwrap_or(u32::MAX));
        self.symbols.vars.push(VarInfo {
            name: name.to_string(),
            ty,
            is_array: false,
            is_dat: false,
            in_history: false,
            in_previous: false,
            span,
        });
        self.written.push(false);
        self.index.entry(name.to_string()).or_default()[slot(ty)] = Some(id);
        id
    }

    /// The slot of `sigil name` if the script has used it so far.
    pub(crate) fn existing(&self, ty: VarType, name: &str) -> Option<VarId> {
        self.index.get(name).and_then(|slots| slots[slot(ty)])
    }

    /// The variable `id` (absent for pending ids).
    pub(crate) fn info(&self, id: VarId) -> Option<&VarInfo> {
        self.symbols.var(id)
    }

    /// Records a write of `id` at `span`: the variable's span becomes its
    /// first write.
    pub(crate) fn mark_written(&mut self, id: VarId, span: Span) {
        let index = id.0 as usize;
        if let (Some(written), Some(info)) = (
            self.written.get_mut(index),
            self.symbols.vars.get_mut(index),
        ) {
            if !*written {
                *written = true;
                info.span = span;
            }
        }
    }

    /// Marks `id` as bound by `dat`.
    pub(crate) fn mark_dat(&mut self, id: VarId) {
        if let Some(info) = self.symbols.vars.get_mut(id.0 as usize) {
            info.is_dat = true;
        }
    }

    /// The slot of handle `name`.
    pub(crate) fn handle(&mut self, name: &str) -> HandleId {
        if let Some(&id) = self.handles.get(name) {
            return id;
        }
        let id = HandleId(u32::try_from(self.symbols.handles.len()).unwrap_or(u32::MAX));
        self.symbols.handles.push(name.to_string());
        self.handles.insert(name.to_string(), id);
        id
    }

    /// A placeholder for a bare `%name`/`@name` (`prefix` is `%` or `@`),
    /// resolved by [`Self::finish`].
    pub(crate) fn pending(&mut self, prefix: char, name: &str, span: Span) -> VarId {
        let offset = u32::try_from(self.pending.len()).unwrap_or(0);
        self.pending.push(Pending {
            prefix,
            name: name.to_string(),
            span,
            in_string: None,
        });
        VarId(PENDING_BASE.saturating_add(offset))
    }

    /// A placeholder for `%name` (`ty` is the sigil, if written) inside a
    /// string, whose text is `text`; resolved by [`Self::finish`] to the
    /// variable, or back to the text when the script has no such variable.
    pub(crate) fn pending_in_string(
        &mut self,
        ty: Option<VarType>,
        name: &str,
        text: &str,
        span: Span,
    ) -> VarId {
        let offset = u32::try_from(self.pending.len()).unwrap_or(0);
        self.pending.push(Pending {
            prefix: '%',
            name: name.to_string(),
            span,
            in_string: Some((ty, text.to_string())),
        });
        VarId(PENDING_BASE.saturating_add(offset))
    }

    /// Settles the pending references, checks scalar/array use, sets the
    /// flags of [`VarInfo`], and stores the table in `script`.
    pub(crate) fn finish(mut self, script: &mut Script, map: &SourceMap) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let targets = self.resolve_pending(&mut diags);
        patch_block_ids(script, &targets);
        let mut checker = UseChecker {
            symbols: &mut self.symbols,
            map,
            first_scalar: HashMap::new(),
            first_array: HashMap::new(),
            reported: HashSet::new(),
            diags: &mut diags,
        };
        checker.script(script);
        script.symbols = self.symbols;
        diags
    }

    fn resolve_pending(&mut self, diags: &mut Vec<Diagnostic>) -> Vec<Target> {
        let pending = std::mem::take(&mut self.pending);
        let mut targets = Vec::with_capacity(pending.len());
        for p in &pending {
            if let Some((ty, text)) = &p.in_string {
                targets.push(self.string_target(&p.name, *ty, text));
                continue;
            }
            let num = self.existing(VarType::Num, &p.name);
            let text = self.existing(VarType::Str, &p.name);
            let prefix = p.prefix;
            let form = format!("{prefix}{}", p.name);
            let target = match (num, text) {
                (Some(num), Some(_)) => {
                    diags.push(
                        Diagnostic::error(format!("`{form}` is ambiguous"), p.span)
                            .with_label(format!(
                                "the script has both `#{name}` and `${name}`",
                                name = p.name
                            ))
                            .with_help(format!(
                                "write `{prefix}#{name}` or `{prefix}${name}`",
                                name = p.name
                            )),
                    );
                    num
                }
                (Some(id), None) | (None, Some(id)) => id,
                (None, None) => {
                    diags.push(
                        Diagnostic::error(format!("`{form}` refers to no variable"), p.span)
                            .with_label(format!(
                                "the script has neither `${name}` nor `#{name}`",
                                name = p.name
                            )),
                    );
                    self.var(VarType::Str, &p.name, p.span)
                }
            };
            targets.push(Target::Var(target));
        }
        targets
    }

    /// What `%name` inside a string refers to: the variable of that sigil
    /// (written, or `#` before `$` as for a bare `%name` in code), or, when
    /// the script has none, the text as written.
    fn string_target(&self, name: &str, ty: Option<VarType>, text: &str) -> Target {
        let found = match ty {
            Some(ty) => self.existing(ty, name),
            None => self
                .existing(VarType::Num, name)
                .or_else(|| self.existing(VarType::Str, name)),
        };
        match found {
            Some(id) => Target::Var(id),
            None => Target::Text(text.to_string()),
        }
    }
}

/// What a pending reference turned out to be.
#[derive(Debug)]
enum Target {
    /// A variable.
    Var(VarId),
    /// Literal text (a `%name` in a string that names no variable).
    Text(String),
}

/// The target of a pending `id`, if `id` is one.
fn pending_target(targets: &[Target], id: VarId) -> Option<&Target> {
    let index = id.0.checked_sub(PENDING_BASE)?;
    targets.get(index as usize)
}

/// Replaces pending ids by their targets, and `%name` parts of strings that
/// name no variable by their text.
fn patch_block_ids(script: &mut Script, targets: &[Target]) {
    let mut visit = |expr: &mut Expr| match &mut expr.kind {
        ExprKind::History(id) | ExprKind::Previous(id) => {
            if let Some(Target::Var(target)) = pending_target(targets, *id) {
                *id = *target;
            }
        }
        ExprKind::Interp(parts) => {
            let mut changed = false;
            for part in parts.iter_mut() {
                let text = match part {
                    StrPart::Expr(Expr {
                        kind: ExprKind::History(id),
                        ..
                    }) => match pending_target(targets, *id) {
                        Some(Target::Text(text)) => text.clone(),
                        _ => continue,
                    },
                    _ => continue,
                };
                *part = StrPart::Lit(text);
                changed = true;
            }
            if changed {
                let parts = std::mem::take(parts);
                expr.kind = merge_literal_parts(parts);
            }
        }
        _ => {}
    };
    for block in script_blocks_mut(script) {
        for stmt in block.iter_mut() {
            walk_stmt_mut(stmt, &mut visit);
        }
    }
}

/// A string's parts with adjacent literal text joined; a plain string when
/// nothing is left to interpolate (as the parser makes them).
fn merge_literal_parts(parts: Vec<StrPart>) -> ExprKind {
    let mut merged: Vec<StrPart> = Vec::with_capacity(parts.len());
    for part in parts {
        match (merged.last_mut(), part) {
            (Some(StrPart::Lit(prev)), StrPart::Lit(text)) => prev.push_str(&text),
            (_, part) => merged.push(part),
        }
    }
    match merged.as_slice() {
        [] => ExprKind::Str(String::new()),
        [StrPart::Lit(text)] => ExprKind::Str(text.clone()),
        _ => ExprKind::Interp(merged),
    }
}

fn script_blocks_mut(script: &mut Script) -> impl Iterator<Item = &mut Block> {
    script
        .begin
        .iter_mut()
        .chain(script.rules.iter_mut())
        .chain(script.end.iter_mut())
}

/// Calls `f` on every expression of `stmt`, outermost first.
fn walk_stmt_mut(stmt: &mut Stmt, f: &mut impl FnMut(&mut Expr)) {
    walk_stmt_dyn(stmt, f);
}

fn walk_stmt_dyn(stmt: &mut Stmt, f: &mut dyn FnMut(&mut Expr)) {
    let walk_block = |block: &mut Block, f: &mut dyn FnMut(&mut Expr)| {
        for stmt in block.iter_mut() {
            walk_stmt_dyn(stmt, f);
        }
    };
    match &mut stmt.kind {
        StmtKind::If { arms, otherwise } => {
            for (cond, body) in arms.iter_mut() {
                walk_expr_mut(cond, f);
                walk_block(body, f);
            }
            if let Some(body) = otherwise {
                walk_block(body, f);
            }
        }
        StmtKind::While { cond, body } => {
            walk_expr_mut(cond, f);
            walk_block(body, f);
        }
        StmtKind::Repeat { body, until } => {
            walk_block(body, f);
            walk_expr_mut(until, f);
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            walk_lvalue_mut(&mut init.target, f);
            walk_expr_mut(&mut init.value, f);
            walk_expr_mut(cond, f);
            walk_lvalue_mut(&mut step.target, f);
            walk_expr_mut(&mut step.value, f);
            walk_block(body, f);
        }
        StmtKind::ForKeys { body, .. } => walk_block(body, f),
        StmtKind::Switch { subject, cases } => {
            walk_expr_mut(subject, f);
            for case in cases.iter_mut() {
                walk_block(&mut case.body, f);
            }
        }
        StmtKind::Skip(e) | StmtKind::Pause(e) | StmtKind::Do(e) | StmtKind::Die(Some(e)) => {
            walk_expr_mut(e, f);
        }
        StmtKind::Set(assign) => {
            walk_lvalue_mut(&mut assign.target, f);
            walk_expr_mut(&mut assign.value, f);
        }
        StmtKind::Unset(lvalue) => walk_lvalue_mut(lvalue, f),
        StmtKind::Exec { command, .. } => walk_expr_mut(command, f),
        StmtKind::Output { target, message } => {
            if let crate::ast::OutputTarget::Log(file) = target {
                walk_expr_mut(file, f);
            }
            walk_expr_mut(message, f);
        }
        StmtKind::Break
        | StmtKind::Continue
        | StmtKind::BreakSwitch
        | StmtKind::Again
        | StmtKind::Leave
        | StmtKind::Redo
        | StmtKind::Next
        | StmtKind::Last
        | StmtKind::Quit
        | StmtKind::Die(None) => {}
    }
}

fn walk_lvalue_mut(lvalue: &mut LValue, f: &mut dyn FnMut(&mut Expr)) {
    if let LValue::Index(_, index, _) = lvalue {
        walk_expr_mut(index, f);
    }
}

fn walk_expr_mut(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    f(expr);
    match &mut expr.kind {
        ExprKind::Interp(parts) => {
            for part in parts.iter_mut() {
                if let StrPart::Expr(e) = part {
                    walk_expr_mut(e, f);
                }
            }
        }
        ExprKind::Index(_, e) | ExprKind::FieldExpr(e) | ExprKind::Unary(_, e) => {
            walk_expr_mut(e, f);
        }
        ExprKind::Call(_, args) => {
            for arg in args.iter_mut() {
                walk_expr_mut(arg, f);
            }
        }
        ExprKind::Binary(_, l, r) => {
            walk_expr_mut(l, f);
            walk_expr_mut(r, f);
        }
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Var(_)
        | ExprKind::History(_)
        | ExprKind::Previous(_)
        | ExprKind::Special(_)
        | ExprKind::Field(_)
        | ExprKind::Handle(_) => {}
    }
}

/// How a variable is used at one place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Scalar,
    Array,
}

/// Walks a finished script in source order, recording the first scalar and
/// the first array use of every variable and setting the flags of
/// [`VarInfo`].
struct UseChecker<'a> {
    symbols: &'a mut Symbols,
    map: &'a SourceMap,
    first_scalar: HashMap<VarId, Span>,
    first_array: HashMap<VarId, Span>,
    reported: HashSet<VarId>,
    diags: &'a mut Vec<Diagnostic>,
}

impl UseChecker<'_> {
    fn script(&mut self, script: &Script) {
        for dat in &script.init.dats {
            self.record(dat.var, Use::Scalar, dat.span);
        }
        for block in script
            .begin
            .iter()
            .chain(script.rules.iter())
            .chain(script.end.iter())
        {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        for stmt in block {
            self.stmt(stmt);
        }
    }

    fn record(&mut self, id: VarId, how: Use, span: Span) {
        let (mine, other) = match how {
            Use::Scalar => (&mut self.first_scalar, &self.first_array),
            Use::Array => (&mut self.first_array, &self.first_scalar),
        };
        mine.entry(id).or_insert(span);
        let conflict = other.get(&id).copied();
        if how == Use::Array {
            if let Some(info) = self.symbols.vars.get_mut(id.0 as usize) {
                info.is_array = true;
            }
        }
        if let Some(first) = conflict {
            if self.reported.insert(id) {
                self.report_conflict(id, how, span, first);
            }
        }
    }

    fn report_conflict(&mut self, id: VarId, how: Use, span: Span, first: Span) {
        let name = self.symbols.display(id);
        let (here, there) = match how {
            Use::Scalar => ("a scalar", "an array"),
            Use::Array => ("an array", "a scalar"),
        };
        self.diags.push(
            Diagnostic::error(
                format!("`{name}` is used both as a scalar and as an array"),
                span,
            )
            .with_label(format!("used as {here} here"))
            .with_note(format!(
                "first used as {there} at {}",
                self.map.location(first)
            )),
        );
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::If { arms, otherwise } => {
                for (cond, body) in arms {
                    self.expr(cond);
                    self.block(body);
                }
                if let Some(body) = otherwise {
                    self.block(body);
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::Repeat { body, until } => {
                self.block(body);
                self.expr(until);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                self.lvalue(&init.target);
                self.expr(&init.value);
                self.expr(cond);
                self.lvalue(&step.target);
                self.expr(&step.value);
                self.block(body);
            }
            StmtKind::ForKeys { var, array, body } => {
                self.record(*var, Use::Scalar, stmt.span);
                self.record(*array, Use::Array, stmt.span);
                self.block(body);
            }
            StmtKind::Switch { subject, cases } => {
                self.expr(subject);
                for case in cases {
                    self.block(&case.body);
                }
            }
            StmtKind::Skip(e) | StmtKind::Pause(e) | StmtKind::Do(e) | StmtKind::Die(Some(e)) => {
                self.expr(e);
            }
            StmtKind::Set(assign) => {
                self.lvalue(&assign.target);
                self.expr(&assign.value);
            }
            // `unset $x` removes a whole variable, scalar or array.
            StmtKind::Unset(LValue::Var(..)) => {}
            StmtKind::Unset(lvalue) => self.lvalue(lvalue),
            StmtKind::Exec { command, .. } => self.expr(command),
            StmtKind::Output { target, message } => {
                if let crate::ast::OutputTarget::Log(file) = target {
                    self.expr(file);
                }
                self.expr(message);
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::BreakSwitch
            | StmtKind::Again
            | StmtKind::Leave
            | StmtKind::Redo
            | StmtKind::Next
            | StmtKind::Last
            | StmtKind::Quit
            | StmtKind::Die(None) => {}
        }
    }

    fn lvalue(&mut self, lvalue: &LValue) {
        match lvalue {
            LValue::Var(id, span) => self.record(*id, Use::Scalar, *span),
            LValue::Index(id, index, span) => {
                self.record(*id, Use::Array, *span);
                self.expr(index);
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Var(id) => self.record(*id, Use::Scalar, expr.span),
            ExprKind::Index(id, index) => {
                self.record(*id, Use::Array, expr.span);
                self.expr(index);
            }
            ExprKind::History(id) | ExprKind::Previous(id) => {
                let history = matches!(expr.kind, ExprKind::History(_));
                if let Some(info) = self.symbols.vars.get_mut(id.0 as usize) {
                    if history {
                        info.in_history = true;
                    } else {
                        info.in_previous = true;
                    }
                }
                self.record(*id, Use::Scalar, expr.span);
            }
            // `#defined(#a)` may test a whole array.
            ExprKind::Call(Builtin::Defined, args) => {
                for arg in args {
                    if !matches!(arg.kind, ExprKind::Var(_)) {
                        self.expr(arg);
                    }
                }
            }
            ExprKind::Call(_, args) => {
                for arg in args {
                    self.expr(arg);
                }
            }
            ExprKind::Interp(parts) => {
                for part in parts {
                    if let StrPart::Expr(e) = part {
                        self.expr(e);
                    }
                }
            }
            ExprKind::FieldExpr(e) | ExprKind::Unary(_, e) => self.expr(e),
            ExprKind::Binary(_, l, r) => {
                self.expr(l);
                self.expr(r);
            }
            ExprKind::Num(_)
            | ExprKind::Str(_)
            | ExprKind::Special(_)
            | ExprKind::Field(_)
            | ExprKind::Handle(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::FileId;

    #[test]
    fn one_slot_per_sigil_and_name() {
        let mut r = Resolver::default();
        let span = Span::new(FileId(0), 0, 1);
        let a = r.var(VarType::Str, "x", span);
        let b = r.var(VarType::Num, "x", span);
        let c = r.var(VarType::Str, "x", span);
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(r.symbols.vars.len(), 2);
    }

    #[test]
    fn the_first_write_becomes_the_span() {
        let mut r = Resolver::default();
        let read = Span::new(FileId(0), 0, 2);
        let write = Span::new(FileId(0), 5, 7);
        let id = r.var(VarType::Num, "n", read);
        r.mark_written(id, write);
        r.mark_written(id, Span::new(FileId(0), 9, 11));
        assert_eq!(r.info(id).unwrap().span, write);
    }
}
