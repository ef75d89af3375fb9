//! From a resolved syntax tree to a [`Plan`]: every decision that does not
//! depend on the data, taken once (see the module above for the list).
//!
//! Lowering never fails: what would fail at run time (a jump outside its
//! construct, an assignment to a `dat` variable, an expression nested too
//! deeply) becomes a node that raises that error when it is reached, so a
//! script behaves as it did when its tree was walked directly.

use pikt_lang::ast::{
    self, Block as AstBlock, Expr, ExprKind, LValue, Script, Special, Stmt as AstStmt,
    StmtKind as AstKind, StrPart, VarId, VarType,
};
use pikt_lang::builtins::{self, Builtin};
use pikt_lang::shell_syntax::{command_pieces, CommandPiece};
use pikt_source::Span;

use super::{
    Arg, Arith, Assign, Block, Call, Command, Compare, CompareText, Cond, Defined, Dyn, Elem,
    ElemAssign, ElemOp, Exec, FieldBack, Flow, For, ForKeys, Key, KeyVar, Loop, Match, Num, Output,
    Pattern, Piece, Place, Plan, Sizes, SplitCall, Stmt, StmtKind, Switch, Target, Text, Unset,
    Val,
};
use crate::error::{RunError, RunErrorKind};
use crate::value::push_number;

/// How deep expressions may nest (`1 + 1 + ...` nests on its left); deeper
/// is a run-time error where it is evaluated, not a stack overflow. The
/// binary runs scripts on a thread with a stack large enough for this.
const MAX_DEPTH: u32 = 10_000;

/// How deep the side-effect judgements look before they assume the worst.
const LOOK_DEPTH: u32 = 32;

/// Which section a statement is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Begin,
    Rule,
    End,
}

/// Lowers `script`.
pub(crate) fn lower(script: &Script) -> Plan {
    let mut lowerer = Lowerer::new(script);
    let begin = lowerer.section(Section::Begin, script.begin.as_ref());
    let rules = script
        .rules
        .iter()
        .map(|rule| lowerer.section(Section::Rule, Some(rule)))
        .collect();
    let end = lowerer.section(Section::End, script.end.as_ref());
    let vars = &script.symbols.vars;
    let ids = |keep: fn(&ast::VarInfo) -> bool| -> Vec<VarId> {
        (0..vars.len())
            .filter(|&i| vars.get(i).is_some_and(keep))
            .filter_map(|i| u32::try_from(i).ok().map(VarId))
            .collect()
    };
    Plan {
        begin,
        rules,
        end,
        history: ids(|v| v.in_history),
        previous: ids(|v| v.in_previous),
        places: lowerer.places,
        names: lowerer.names,
        sizes: lowerer.sizes,
    }
}

struct Lowerer<'s> {
    script: &'s Script,
    places: Vec<Place>,
    names: Vec<Box<str>>,
    sizes: Sizes,
    section: Section,
    loops: u32,
    switches: u32,
    depth: u32,
}

impl<'s> Lowerer<'s> {
    fn new(script: &'s Script) -> Lowerer<'s> {
        let mut sizes = Sizes::default();
        let next = |count: &mut u32| {
            let slot = *count;
            *count += 1;
            slot
        };
        let places = script
            .symbols
            .vars
            .iter()
            .enumerate()
            .map(|(index, info)| {
                let dat = script
                    .init
                    .dats
                    .iter()
                    .find(|d| d.var.0 as usize == index)
                    .map(|d| d.spec);
                if let Some(ast::DatSpec::Field(n)) = dat {
                    sizes.dat_fields = sizes.dat_fields.max(n);
                }
                match (dat, info.is_array, info.ty) {
                    (Some(spec), _, ty) => Place::Dat(spec, ty),
                    (None, false, VarType::Num) => Place::Num(next(&mut sizes.nums)),
                    (None, false, VarType::Str) => Place::Text(next(&mut sizes.texts)),
                    (None, true, VarType::Num) => Place::NumArray(next(&mut sizes.num_arrays)),
                    (None, true, VarType::Str) => Place::TextArray(next(&mut sizes.text_arrays)),
                }
            })
            .collect();
        let names = (0..script.symbols.vars.len())
            .map(|i| {
                let id = VarId(u32::try_from(i).unwrap_or(u32::MAX));
                script.symbols.display(id).into_boxed_str()
            })
            .collect();
        Lowerer {
            script,
            places,
            names,
            sizes,
            section: Section::Begin,
            loops: 0,
            switches: 0,
            depth: 0,
        }
    }

    fn section(&mut self, section: Section, block: Option<&AstBlock>) -> Block {
        self.section = section;
        block.map_or_else(Box::default, |b| self.block(b))
    }

    fn place(&self, id: VarId) -> Option<Place> {
        self.places.get(id.0 as usize).copied()
    }

    fn var_type(&self, id: VarId) -> VarType {
        self.script.symbols.var(id).map_or(VarType::Str, |v| v.ty)
    }

    fn display(&self, id: VarId) -> String {
        self.script.symbols.display(id)
    }

    fn next_site(&mut self) -> u32 {
        let site = self.sizes.sites;
        self.sizes.sites += 1;
        site
    }

    fn fail(kind: RunErrorKind, span: Span) -> Box<RunError> {
        Box::new(RunError::new(kind, span))
    }

    // ---- statements ----

    fn block(&mut self, block: &[AstStmt]) -> Block {
        block.iter().map(|s| self.stmt(s)).collect()
    }

    fn inside_loop(&mut self, body: &[AstStmt]) -> Block {
        self.loops += 1;
        let block = self.block(body);
        self.loops -= 1;
        block
    }

    fn stmt(&mut self, stmt: &AstStmt) -> Stmt {
        let span = stmt.span;
        let kind = match &stmt.kind {
            AstKind::If { arms, otherwise } => StmtKind::If(
                arms.iter()
                    .map(|(cond, body)| (self.cond(cond), self.block(body)))
                    .collect(),
                otherwise
                    .as_ref()
                    .map_or_else(Box::default, |b| self.block(b)),
            ),
            AstKind::While { cond, body } => StmtKind::While(Box::new(Loop {
                cond: self.cond(cond),
                body: self.inside_loop(body),
                at: cond.span,
            })),
            AstKind::Repeat { body, until } => {
                let body = self.inside_loop(body);
                StmtKind::Repeat(Box::new(Loop {
                    cond: self.cond(until),
                    body,
                    at: until.span,
                }))
            }
            AstKind::For {
                init,
                cond,
                step,
                body,
            } => StmtKind::For(Box::new(For {
                init: self.assign(init),
                cond: self.cond(cond),
                step: self.assign(step),
                body: self.inside_loop(body),
                at: cond.span,
            })),
            AstKind::ForKeys { var, array, body } => self.for_keys(*var, *array, body, span),
            AstKind::Switch { subject, cases } => {
                let subject = self.val(subject);
                self.switches += 1;
                let cases = cases
                    .iter()
                    .map(|case| (case.label.clone(), self.block(&case.body)))
                    .collect();
                self.switches -= 1;
                StmtKind::Switch(Box::new(Switch { subject, cases }))
            }
            AstKind::Break => self.loop_jump(Flow::Break, "break", span),
            AstKind::Continue => self.loop_jump(Flow::Continue, "continue", span),
            AstKind::BreakSwitch => {
                if self.switches == 0 {
                    StmtKind::Fail(Self::fail(
                        RunErrorKind::FlowOutsideLoop {
                            keyword: "breakswitch",
                        },
                        span,
                    ))
                } else {
                    StmtKind::Jump(Flow::BreakSwitch)
                }
            }
            AstKind::Again => self.rule_jump(Flow::Again, "again", span),
            AstKind::Leave => self.rule_jump(Flow::Leave, "leave", span),
            AstKind::Redo => self.rule_jump(Flow::Redo, "redo", span),
            AstKind::Next => self.rule_jump(Flow::Next, "next", span),
            AstKind::Last => self.rule_jump(Flow::Last, "last", span),
            AstKind::Skip(count) => {
                let outside = (self.section != Section::Rule)
                    .then(|| Self::fail(RunErrorKind::FlowOutsideRules { keyword: "skip" }, span));
                StmtKind::Skip(self.num(count), outside)
            }
            AstKind::Pause(seconds) => StmtKind::Pause(self.num(seconds)),
            AstKind::Quit => StmtKind::Jump(Flow::Quit),
            AstKind::Die(message) => StmtKind::Die(message.as_ref().map(|m| self.text(m))),
            AstKind::Do(call) => StmtKind::Eval(self.effect(call)),
            AstKind::Set(assign) => StmtKind::Assign(self.assign(assign)),
            AstKind::Unset(target) => self.unset(target),
            AstKind::Exec {
                wait,
                force,
                command,
            } => StmtKind::Exec(Box::new(Exec {
                wait: *wait,
                force: *force,
                command: self.command(command),
            })),
            AstKind::Output { target, message } => {
                let target = match target {
                    ast::OutputTarget::Stdout => Target::Stdout,
                    ast::OutputTarget::Mail => Target::Mail,
                    ast::OutputTarget::Print => Target::Print,
                    ast::OutputTarget::Log(file) => Target::Log(self.text(file), file.span),
                    ast::OutputTarget::PiktLog => Target::PiktLog,
                    ast::OutputTarget::Syslog => Target::Syslog,
                };
                StmtKind::Output(Box::new(Output {
                    target,
                    message: self.text(message),
                }))
            }
        };
        Stmt { kind, span }
    }

    fn loop_jump(&self, flow: Flow, keyword: &'static str, span: Span) -> StmtKind {
        if self.loops == 0 {
            return StmtKind::Fail(Self::fail(RunErrorKind::FlowOutsideLoop { keyword }, span));
        }
        StmtKind::Jump(flow)
    }

    /// `next`, `redo`, `again`, `leave`, `last`: only in rules.
    fn rule_jump(&self, flow: Flow, keyword: &'static str, span: Span) -> StmtKind {
        if self.section != Section::Rule {
            return StmtKind::Fail(Self::fail(RunErrorKind::FlowOutsideRules { keyword }, span));
        }
        StmtKind::Jump(flow)
    }

    fn for_keys(&mut self, var: VarId, array: VarId, body: &[AstStmt], span: Span) -> StmtKind {
        let key_var = match self.place(var) {
            Some(Place::Text(slot)) => KeyVar::Text(slot),
            Some(Place::Num(slot)) => KeyVar::Num(slot),
            _ => KeyVar::Nowhere,
        };
        let array_place = match self.place(array) {
            Some(place @ (Place::NumArray(_) | Place::TextArray(_))) => Some(place),
            Some(Place::Num(_) | Place::Text(_) | Place::Dat(..)) => {
                return StmtKind::Fail(Self::fail(
                    RunErrorKind::WrongShape {
                        name: self.display(array),
                        expected: "an array",
                    },
                    span,
                ));
            }
            None => None,
        };
        let snapshot = removes_from(body, array, LOOK_DEPTH);
        StmtKind::ForKeys(Box::new(ForKeys {
            var: key_var,
            array: array_place,
            body: self.inside_loop(body),
            snapshot,
        }))
    }

    fn unset(&mut self, target: &LValue) -> StmtKind {
        let var = target.var();
        match (target, self.place(var)) {
            (_, Some(Place::Dat(..))) => StmtKind::Fail(Self::fail(
                RunErrorKind::ReadOnly {
                    name: self.display(var),
                },
                target.span(),
            )),
            (LValue::Var(..), Some(place)) => StmtKind::Unset(Unset::Var(place)),
            (
                LValue::Index(_, key, span),
                Some(place @ (Place::NumArray(_) | Place::TextArray(_))),
            ) => StmtKind::Unset(Unset::Elem(Box::new(Elem {
                array: place,
                var,
                key: self.key(key),
                span: *span,
            }))),
            // Not an array: the key is evaluated (for its errors) and nothing
            // is removed.
            (LValue::Index(_, key, _), _) => StmtKind::Eval(self.val(key)),
            (LValue::Var(..), None) => StmtKind::Eval(Val::Num(Num::Const(0.0))),
        }
    }

    /// The expression of `do`: a `#split` whose count nobody reads splits
    /// lazily.
    fn effect(&mut self, e: &Expr) -> Val {
        match &e.kind {
            ExprKind::Call(Builtin::Split, args) => Val::Num(Num::Split(self.split(args, false))),
            _ => self.val(e),
        }
    }

    // ---- assignments ----

    fn assign(&mut self, a: &ast::Assign) -> Assign {
        let var = a.target.var();
        let place = self.place(var);
        if let Some(Place::Dat(..)) = place {
            return Assign::Fail(Self::fail(
                RunErrorKind::ReadOnly {
                    name: self.display(var),
                },
                a.target.span(),
            ));
        }
        match &a.target {
            LValue::Var(_, target) => self.assign_scalar(a, var, place, *target),
            LValue::Index(_, key, span) => match place {
                Some(array @ (Place::NumArray(_) | Place::TextArray(_))) => {
                    let op = match (a.op.binary(), array) {
                        (None, _) => ElemOp::Set,
                        (Some(op), Place::NumArray(_)) => {
                            Arith::of(op).map_or(ElemOp::Other(op), ElemOp::Arith)
                        }
                        (Some(ast::BinaryOp::Concat), _) => ElemOp::Append,
                        (Some(op), _) => ElemOp::Other(op),
                    };
                    Assign::Elem(Box::new(ElemAssign {
                        elem: Elem {
                            array,
                            var,
                            key: self.key(key),
                            span: *span,
                        },
                        op,
                        value: self.val(&a.value),
                        span: a.span,
                    }))
                }
                _ => Assign::Fail(Self::fail(
                    RunErrorKind::WrongShape {
                        name: self.display(var),
                        expected: "an array",
                    },
                    *span,
                )),
            },
        }
    }

    fn assign_scalar(
        &mut self,
        a: &ast::Assign,
        var: VarId,
        place: Option<Place>,
        target: Span,
    ) -> Assign {
        let aside = mentions(&a.value, var, LOOK_DEPTH);
        match (place, a.op.binary()) {
            (Some(Place::Num(slot)), None) => match &a.value.kind {
                ExprKind::Call(Builtin::Split, args) => Assign::Count {
                    slot,
                    split: self.split(args, false),
                },
                _ => Assign::Num {
                    slot,
                    var,
                    value: self.val(&a.value),
                    span: target,
                },
            },
            (Some(Place::Text(slot)), None) => match self.val(&a.value) {
                // `set $x = $x . rest`: append `rest`.
                Val::Text(Text::Concat(parts, span)) if matches!(parts.first(), Some(Text::Var(s, ..)) if *s == slot) =>
                {
                    let mut parts = parts.into_vec();
                    let first = parts.remove(0);
                    let needs_value = match first {
                        Text::Var(_, _, span) => Some(span),
                        _ => None,
                    };
                    let rest = concat(parts, span);
                    Assign::Append {
                        slot,
                        var,
                        aside: reads_text_slot_any(&rest, slot),
                        value: rest,
                        needs_value,
                        span: target,
                        built: a.value.span,
                    }
                }
                value => Assign::Text {
                    slot,
                    var,
                    value,
                    aside,
                    span: target,
                },
            },
            (Some(Place::Num(slot)), Some(op)) if Arith::of(op).is_some() => Assign::Update {
                slot,
                op: Arith::of(op).unwrap_or(Arith::Add),
                value: self.num(&a.value),
                span: a.span,
            },
            (Some(Place::Text(slot)), Some(ast::BinaryOp::Concat)) => Assign::Append {
                slot,
                var,
                value: self.text(&a.value),
                aside,
                needs_value: None,
                span: target,
                built: a.span,
            },
            (Some(place @ (Place::Num(_) | Place::Text(_))), Some(op)) => Assign::Compound {
                place,
                var,
                op,
                value: self.val(&a.value),
                target,
                span: a.span,
            },
            (Some(_), _) => Assign::Fail(Self::fail(
                RunErrorKind::WrongShape {
                    name: self.display(var),
                    expected: "a scalar",
                },
                target,
            )),
            (None, _) => Assign::Fail(Self::fail(
                RunErrorKind::NotAllowed {
                    what: format!("`{}` is not a variable of this script", self.display(var)),
                },
                target,
            )),
        }
    }

    // ---- expressions ----

    /// Lowers one level deeper; past [`MAX_DEPTH`] the expression becomes a
    /// node that fails with the nesting error at its span.
    fn nested<T>(
        &mut self,
        e: &Expr,
        failed: impl FnOnce(Box<RunError>) -> T,
        lower: impl FnOnce(&mut Self, &Expr) -> T,
    ) -> T {
        if self.depth >= MAX_DEPTH {
            return failed(Self::fail(
                RunErrorKind::LimitExceeded {
                    limit: "the expression nesting limit".into(),
                },
                e.span,
            ));
        }
        self.depth += 1;
        let lowered = lower(self, e);
        self.depth -= 1;
        lowered
    }

    /// `e` in its natural kind.
    fn val(&mut self, e: &Expr) -> Val {
        self.nested(e, |f| Val::Text(Text::Fail(f)), Self::val_inner)
    }

    fn val_inner(&mut self, e: &Expr) -> Val {
        let span = e.span;
        match &e.kind {
            ExprKind::Num(n) => Val::Num(Num::Const(*n)),
            ExprKind::Str(s) => Val::Text(Text::Lit(s.as_str().into())),
            ExprKind::Interp(_) => Val::Text(self.concat(e)),
            ExprKind::Var(id) => self.var(*id, span),
            ExprKind::Index(id, key) => self.element(*id, key, span),
            ExprKind::History(id) => {
                Val::Dyn(Dyn::History(*id, self.section == Section::Rule, span))
            }
            ExprKind::Previous(id) => match self.var_type(*id) {
                VarType::Num => Val::Num(Num::Previous(*id, span)),
                VarType::Str => Val::Text(Text::Previous(*id, span)),
            },
            ExprKind::Special(Special::Inline) => Val::Text(Text::Line(span)),
            ExprKind::Special(Special::Readline) => Val::Text(Text::Readline(span)),
            ExprKind::Field(n) => Val::Text(Text::Field(*n)),
            ExprKind::FieldExpr(index) => Val::Text(field_at(self.num(index), index.span)),
            ExprKind::Call(Builtin::Split, args) => Val::Num(Num::Split(self.split(args, true))),
            ExprKind::Call(Builtin::Defined, args) => {
                Val::Num(Num::Truth(Box::new(self.defined(args))))
            }
            ExprKind::Call(Builtin::Innum, args) if args.is_empty() => Val::Num(Num::LineNumber),
            // `#val(x)` is `x` as a number (`functions::math::val`).
            ExprKind::Call(Builtin::Val, args) if args.len() == 1 => {
                Val::Num(args.first().map_or(Num::Const(0.0), |a| self.num(a)))
            }
            ExprKind::Call(builtin, args) => {
                Val::Dyn(Dyn::Call(Box::new(self.call(*builtin, args, span))))
            }
            ExprKind::Handle(handle) => Val::Dyn(Dyn::Handle(*handle, span)),
            ExprKind::Unary(op, operand) => Val::Num(self.unary(*op, operand)),
            ExprKind::Binary(ast::BinaryOp::Concat, ..) => Val::Text(self.concat(e)),
            ExprKind::Binary(op, l, r) => match Arith::of(*op) {
                Some(arith) => Val::Num(arithmetic(arith, self.num(l), self.num(r), span)),
                None => Val::Num(Num::Truth(Box::new(self.test(*op, l, r)))),
            },
        }
    }

    /// A call of `builtin`; the command argument of the functions that
    /// run one is lowered as a command.
    fn call(&mut self, builtin: Builtin, args: &[Expr], span: Span) -> Call {
        let command_at = match builtin {
            Builtin::System | Builtin::Command => Some(0),
            Builtin::Popen => Some(1),
            _ => None,
        };
        let mut command = None;
        let args = args
            .iter()
            .enumerate()
            .map(|(at, a)| {
                let val = if Some(at) == command_at {
                    command = Some(Box::new(self.command(a)));
                    Val::Text(Text::Lit("".into()))
                } else {
                    self.val(a)
                };
                Arg { val, span: a.span }
            })
            .collect();
        Call {
            builtin,
            args,
            command,
            span,
        }
    }

    /// A command: its literal text is code, each value data
    /// ([`command_pieces`] decides which is which).
    fn command(&mut self, e: &Expr) -> Command {
        let mut pieces: Vec<Piece> = Vec::new();
        for piece in command_pieces(e) {
            match piece {
                CommandPiece::Code("") => {}
                CommandPiece::Code(code) => match pieces.last_mut() {
                    Some(Piece::Code(prev)) => {
                        let mut joined = String::from(std::mem::take(prev));
                        joined.push_str(code);
                        *prev = joined.into_boxed_str();
                    }
                    _ => pieces.push(Piece::Code(code.into())),
                },
                CommandPiece::Data(inner) => pieces.push(Piece::Data(self.text(inner), inner.span)),
                CommandPiece::Spliced(inner) => pieces.push(Piece::Spliced(self.text(inner))),
            }
        }
        Command {
            pieces: pieces.into_boxed_slice(),
        }
    }

    fn var(&mut self, id: VarId, span: Span) -> Val {
        match self.place(id) {
            Some(Place::Num(slot)) => Val::Num(Num::Var(slot, id, span)),
            Some(Place::Text(slot)) => Val::Text(Text::Var(slot, id, span)),
            Some(Place::Dat(spec, VarType::Num)) => Val::Num(Num::Dat(spec, id, span)),
            Some(Place::Dat(spec, VarType::Str)) => Val::Text(Text::Dat(spec, id, span)),
            Some(Place::NumArray(_) | Place::TextArray(_)) => Val::Text(Text::Fail(Self::fail(
                RunErrorKind::WrongShape {
                    name: self.display(id),
                    expected: "a scalar",
                },
                span,
            ))),
            None => Val::Text(Text::Fail(Self::fail(
                RunErrorKind::Unset {
                    name: self.display(id),
                },
                span,
            ))),
        }
    }

    fn element(&mut self, id: VarId, key: &Expr, span: Span) -> Val {
        match self.place(id) {
            Some(array @ (Place::NumArray(_) | Place::TextArray(_))) => {
                let elem = Box::new(Elem {
                    array,
                    var: id,
                    key: self.key(key),
                    span,
                });
                match array {
                    Place::NumArray(_) => Val::Num(Num::Elem(elem)),
                    _ => Val::Text(Text::Elem(elem)),
                }
            }
            _ => Val::Text(Text::Fail(Self::fail(
                RunErrorKind::WrongShape {
                    name: self.display(id),
                    expected: "an array",
                },
                span,
            ))),
        }
    }

    /// An array key: numbers as Pikt prints them, when the key always
    /// yields a number.
    fn key(&mut self, key: &Expr) -> Key {
        if self.is_numeric(key) {
            Key::Num(self.num(key), key.span)
        } else {
            Key::Text(self.text(key))
        }
    }

    /// True when `e` always yields a number.
    fn is_numeric(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Num(_) | ExprKind::Unary(..) => true,
            ExprKind::Var(id)
            | ExprKind::Index(id, _)
            | ExprKind::History(id)
            | ExprKind::Previous(id) => self.var_type(*id) == VarType::Num,
            ExprKind::Call(builtin, _) => builtins::info(*builtin).ty == VarType::Num,
            ExprKind::Binary(op, ..) => *op != ast::BinaryOp::Concat,
            _ => false,
        }
    }

    fn unary(&mut self, op: ast::UnaryOp, operand: &Expr) -> Num {
        match op {
            ast::UnaryOp::Not => Num::Truth(Box::new(Cond::Not(Box::new(self.cond(operand))))),
            ast::UnaryOp::Neg => match self.num(operand) {
                Num::Const(n) => Num::Const(-n),
                n => Num::Neg(Box::new(n)),
            },
            ast::UnaryOp::Plus => self.num(operand),
            ast::UnaryOp::BitNot => Num::BitNot(Box::new(self.num(operand))),
            ast::UnaryOp::FileTest(test) => {
                Num::Truth(Box::new(Cond::FileTest(test, Box::new(self.text(operand)))))
            }
        }
    }

    fn split(&mut self, args: &[Expr], counted: bool) -> Box<SplitCall> {
        Box::new(SplitCall {
            text: args
                .first()
                .map_or_else(|| Text::Lit("".into()), |a| self.text(a)),
            seps: args.get(1).map(|a| self.text(a)),
            counted,
        })
    }

    /// `e` as a number.
    fn num(&mut self, e: &Expr) -> Num {
        match self.val(e) {
            Val::Num(n) => n,
            Val::Text(Text::Fail(f)) => Num::Fail(f),
            Val::Text(t) => Num::OfText(Box::new(t)),
            Val::Dyn(d) => Num::OfDyn(Box::new(d)),
        }
    }

    /// `e` as text.
    fn text(&mut self, e: &Expr) -> Text {
        match self.val(e) {
            Val::Num(n) => number_text(n),
            Val::Text(t) => t,
            Val::Dyn(d) => Text::Dyn(Box::new(d)),
        }
    }

    /// `e` as a truth value.
    fn cond(&mut self, e: &Expr) -> Cond {
        self.nested(e, |f| Cond::Text(Box::new(Text::Fail(f))), Self::cond_inner)
    }

    fn cond_inner(&mut self, e: &Expr) -> Cond {
        match &e.kind {
            ExprKind::Unary(ast::UnaryOp::Not, operand) => Cond::Not(Box::new(self.cond(operand))),
            ExprKind::Unary(ast::UnaryOp::FileTest(test), operand) => {
                Cond::FileTest(*test, Box::new(self.text(operand)))
            }
            ExprKind::Call(Builtin::Defined, args) => self.defined(args),
            ExprKind::Binary(op, l, r)
                if Arith::of(*op).is_none() && *op != ast::BinaryOp::Concat =>
            {
                self.test(*op, l, r)
            }
            _ => match self.val_inner(e) {
                Val::Num(Num::Truth(c)) => *c,
                Val::Num(n) => Cond::Num(Box::new(n)),
                Val::Text(t) => Cond::Text(Box::new(t)),
                Val::Dyn(d) => Cond::Dyn(Box::new(d)),
            },
        }
    }

    /// A comparison, match or logical operator.
    fn test(&mut self, op: ast::BinaryOp, l: &Expr, r: &Expr) -> Cond {
        use ast::BinaryOp as B;
        let compare = |op| match op {
            B::Eq | B::StrEq => Compare::Eq,
            B::Ne | B::StrNe => Compare::Ne,
            B::Lt | B::StrLt => Compare::Lt,
            B::Gt | B::StrGt => Compare::Gt,
            B::Le | B::StrLe => Compare::Le,
            _ => Compare::Ge,
        };
        match op {
            B::Or => Cond::Or(Box::new(self.cond(l)), Box::new(self.cond(r))),
            B::And => Cond::And(Box::new(self.cond(l)), Box::new(self.cond(r))),
            B::StrEq | B::StrNe | B::StrLt | B::StrGt | B::StrLe | B::StrGe => {
                let left = self.text(l);
                let copy_left = volatile(&left) && calls_function(r, LOOK_DEPTH);
                Cond::CompareText(Box::new(CompareText {
                    op: compare(op),
                    left,
                    right: self.text(r),
                    copy_left,
                }))
            }
            B::Match | B::NotMatch | B::MatchNoCase | B::NotMatchNoCase => {
                let subject = self.text(l);
                let copy_subject = volatile(&subject) && calls_function(r, LOOK_DEPTH);
                let pattern = match self.text(r) {
                    Text::Lit(text) => Pattern::Fixed(text),
                    var @ Text::Var(..) => Pattern::Parts(Box::new([var])),
                    Text::Concat(parts, _)
                        if parts
                            .iter()
                            .all(|p| matches!(p, Text::Lit(_) | Text::Var(..))) =>
                    {
                        Pattern::Parts(parts)
                    }
                    built => Pattern::Built(built),
                };
                Cond::Match(Box::new(Match {
                    subject,
                    pattern,
                    negated: matches!(op, B::NotMatch | B::NotMatchNoCase),
                    folded: matches!(op, B::MatchNoCase | B::NotMatchNoCase),
                    copy_subject,
                    site: self.next_site(),
                    span: r.span,
                }))
            }
            _ => Cond::Compare(compare(op), Box::new(self.num(l)), Box::new(self.num(r))),
        }
    }

    /// `#defined(arg)`.
    fn defined(&mut self, args: &[Expr]) -> Cond {
        let Some(arg) = args.first() else {
            return Cond::Num(Box::new(Num::Const(0.0)));
        };
        let defined = match &arg.kind {
            ExprKind::Var(id) => match self.place(*id) {
                Some(place) => Defined::Var(place),
                None => return Cond::Num(Box::new(Num::Const(0.0))),
            },
            ExprKind::Index(id, key) => match self.place(*id) {
                Some(array @ (Place::NumArray(_) | Place::TextArray(_))) => Defined::Elem(Elem {
                    array,
                    var: *id,
                    key: self.key(key),
                    span: arg.span,
                }),
                _ => Defined::NotAnArray(self.key(key)),
            },
            ExprKind::History(id) => Defined::History(*id, self.section == Section::Rule),
            ExprKind::Previous(id) => Defined::Previous(*id),
            ExprKind::Special(Special::Inline) => Defined::Line,
            ExprKind::Special(Special::Readline) => Defined::Readline,
            ExprKind::Field(n) => Defined::Field(*n),
            ExprKind::FieldExpr(index) => Defined::FieldAt(self.num(index)),
            _ => Defined::Evaluates(self.val(arg)),
        };
        Cond::Defined(Box::new(defined))
    }

    /// A chain of `.` and the parts of interpolated strings, flattened into
    /// one list (the chain's left spine is walked without recursion).
    fn concat(&mut self, e: &Expr) -> Text {
        let mut parts = Vec::new();
        self.concat_into(e, &mut parts);
        concat(parts, e.span)
    }

    fn concat_into(&mut self, e: &Expr, parts: &mut Vec<Text>) {
        let mut rights = Vec::new();
        let mut left = e;
        while let ExprKind::Binary(ast::BinaryOp::Concat, l, r) = &left.kind {
            rights.push(&**r);
            left = l;
        }
        self.push_part(left, parts);
        for right in rights.into_iter().rev() {
            self.push_part(right, parts);
        }
    }

    fn push_part(&mut self, e: &Expr, parts: &mut Vec<Text>) {
        match &e.kind {
            ExprKind::Interp(pieces) => {
                for piece in pieces {
                    match piece {
                        StrPart::Lit(text) => push_text(parts, Text::Lit(text.as_str().into())),
                        StrPart::Expr(inner) => self.push_part(inner, parts),
                    }
                }
            }
            ExprKind::Binary(ast::BinaryOp::Concat, ..) => {
                if self.depth >= MAX_DEPTH {
                    parts.push(self.text(e));
                } else {
                    self.depth += 1;
                    self.concat_into(e, parts);
                    self.depth -= 1;
                }
            }
            _ => {
                let text = self.text(e);
                push_text(parts, text);
            }
        }
    }
}

/// An arithmetic node, folded when both sides are constants and the
/// result cannot be an error.
fn arithmetic(op: Arith, l: Num, r: Num, span: Span) -> Num {
    if let (Num::Const(a), Num::Const(b)) = (&l, &r) {
        let divides_by_zero = matches!(op, Arith::Div | Arith::Rem) && *b == 0.0;
        if !divides_by_zero {
            if let Ok(n) = crate::interp::arith(op, *a, *b, span) {
                return Num::Const(n);
            }
        }
    }
    let operands = Box::new([l, r]);
    match op {
        Arith::Add => Num::Add(operands),
        Arith::Sub => Num::Sub(operands),
        Arith::Mul => Num::Mul(operands),
        _ => Num::Arith(op, operands, span),
    }
}

/// `$[index]`: counted from the end when the index is `#n - k` or `#n`.
fn field_at(index: Num, span: Span) -> Text {
    let back = match &index {
        Num::Var(slot, ..) => Some((*slot, 0.0)),
        Num::Sub(operands) => match &**operands {
            [Num::Var(slot, ..), Num::Const(k)] => Some((*slot, *k)),
            _ => None,
        },
        _ => None,
    };
    match back {
        Some((slot, k)) if k >= 0.0 && k.fract() == 0.0 && k < f64::from(u32::MAX) => {
            Text::FieldBack(Box::new(FieldBack {
                slot,
                back: k as u32,
                index,
                span,
            }))
        }
        _ => Text::FieldAt(Box::new(index), span),
    }
}

/// A number as text: a literal when it is a constant.
fn number_text(n: Num) -> Text {
    match n {
        Num::Const(c) => {
            let mut text = String::new();
            push_number(&mut text, c);
            Text::Lit(text.into_boxed_str())
        }
        Num::Fail(f) => Text::Fail(f),
        n => Text::Num(Box::new(n)),
    }
}

/// Adds a part to a concatenation: parts of a nested concatenation are
/// spliced in, adjacent literal text is joined, empty literals dropped.
fn push_text(parts: &mut Vec<Text>, part: Text) {
    match part {
        Text::Lit(text) if text.is_empty() => {}
        Text::Lit(text) => match parts.last_mut() {
            Some(Text::Lit(prev)) => {
                let mut joined = String::from(std::mem::take(prev));
                joined.push_str(&text);
                *prev = joined.into_boxed_str();
            }
            _ => parts.push(Text::Lit(text)),
        },
        Text::Concat(inner, _) => {
            for p in inner.into_vec() {
                push_text(parts, p);
            }
        }
        other => parts.push(other),
    }
}

/// The text of `parts` concatenated (written at `span`): a single part
/// stands alone, none is the empty literal.
fn concat(mut parts: Vec<Text>, span: Span) -> Text {
    match parts.len() {
        0 => Text::Lit("".into()),
        1 => parts.pop().unwrap_or_else(|| Text::Lit("".into())),
        _ => Text::Concat(parts.into_boxed_slice(), span),
    }
}

/// Text a function call can change while an expression is evaluated: the
/// `#split` fields and `$rdlin`.
fn volatile(text: &Text) -> bool {
    matches!(text, Text::Field(_) | Text::FieldAt(..) | Text::Readline(_))
}

/// True when evaluating `e` may call a function (judged within `depth`
/// levels; deeper counts as yes).
fn calls_function(e: &Expr, depth: u32) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return true;
    };
    match &e.kind {
        ExprKind::Call(..) | ExprKind::Handle(_) => true,
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Var(_)
        | ExprKind::History(_)
        | ExprKind::Previous(_)
        | ExprKind::Special(_)
        | ExprKind::Field(_) => false,
        ExprKind::Interp(parts) => parts.iter().any(|part| match part {
            StrPart::Lit(_) => false,
            StrPart::Expr(inner) => calls_function(inner, depth),
        }),
        ExprKind::Index(_, inner) | ExprKind::FieldExpr(inner) | ExprKind::Unary(_, inner) => {
            calls_function(inner, depth)
        }
        ExprKind::Binary(_, l, r) => calls_function(l, depth) || calls_function(r, depth),
    }
}

/// True when `e` reads variable `id` (judged within `depth` levels; deeper
/// counts as yes).
fn mentions(e: &Expr, id: VarId, depth: u32) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return true;
    };
    match &e.kind {
        ExprKind::Var(v) => *v == id,
        ExprKind::Index(v, inner) => *v == id || mentions(inner, id, depth),
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::History(_)
        | ExprKind::Previous(_)
        | ExprKind::Special(_)
        | ExprKind::Field(_)
        | ExprKind::Handle(_) => false,
        ExprKind::Interp(parts) => parts.iter().any(|part| match part {
            StrPart::Lit(_) => false,
            StrPart::Expr(inner) => mentions(inner, id, depth),
        }),
        ExprKind::Call(_, args) => args.iter().any(|a| mentions(a, id, depth)),
        ExprKind::FieldExpr(inner) | ExprKind::Unary(_, inner) => mentions(inner, id, depth),
        ExprKind::Binary(_, l, r) => mentions(l, id, depth) || mentions(r, id, depth),
    }
}

/// True when a lowered text may read text slot `slot` (anything but plain
/// parts counts as yes: the caller then evaluates aside, which is always
/// correct).
fn reads_text_slot_any(text: &Text, slot: u32) -> bool {
    match text {
        Text::Lit(_) | Text::Line(_) | Text::Readline(_) | Text::Field(_) | Text::Dat(..) => false,
        Text::Var(s, ..) => *s == slot,
        Text::Concat(parts, _) => parts.iter().any(|p| reads_text_slot_any(p, slot)),
        _ => true,
    }
}

/// True when `body` may remove elements of array `id` (`unset`/`delete` of
/// an element or of the whole array), judged within `depth` levels.
fn removes_from(body: &[AstStmt], id: VarId, depth: u32) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return true;
    };
    let within = |block: &[AstStmt]| removes_from(block, id, depth);
    body.iter().any(|stmt| match &stmt.kind {
        AstKind::Unset(target) => target.var() == id,
        AstKind::If { arms, otherwise } => {
            arms.iter().any(|(_, b)| within(b)) || otherwise.as_deref().is_some_and(within)
        }
        AstKind::While { body, .. }
        | AstKind::Repeat { body, .. }
        | AstKind::For { body, .. }
        | AstKind::ForKeys { body, .. } => within(body),
        AstKind::Switch { cases, .. } => cases.iter().any(|c| within(&c.body)),
        _ => false,
    })
}
