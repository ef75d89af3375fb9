//! Warnings about data in shell commands (`docs/language.md`, "Commands").
//!
//! Values reach a command as data ([`crate::shell_syntax`]): they cannot
//! change its syntax. Two things are still worth a warning, found here
//! statically, on the finished script:
//!
//! * **Data read from input split into words.** A value outside quotes is
//!   split at blanks, so data that may hold blanks (an input line, a
//!   `#read` line, a `$command` output, fields split at other characters)
//!   becomes as many arguments as it has words, which its writer chooses.
//!   A taint analysis follows data from its sources (`dat` variables,
//!   `$inline`, `$rdlin`, `#split` fields, `$command`) through assignments,
//!   array keys, `foreach`, `%` and `@` values, concatenation and string
//!   functions to every command. Fields split at blanks cannot hold one, so
//!   they are not reported. Quoting the value (`'$x'`) passes it as one
//!   argument; `$shellcode(...)`, the opt-out, says the author vouches for
//!   what it splices, and silences this.
//! * **A command that is a value** (`exec $cmd`): values are data, so shell
//!   syntax held in the variable (a pipe, a redirection, quotes) is not
//!   read as such any more; PIKT spliced it. `$shellcode($cmd)` restores
//!   that, for text the script wrote itself.
//!
//! And `$shellcode` anywhere but directly in a command does nothing, which
//! is reported too.

use pikt_source::Diagnostic;

use crate::ast::{
    Assign, Block, DatSpec, Expr, ExprKind, LValue, Script, Special, Stmt, StmtKind, StrPart,
    VarId, VarType,
};
use crate::builtins::{self, Builtin};
use crate::shell_syntax::{
    command_pieces, write_reference, CommandPiece, ShellContext, ShellScanner,
};

/// How far a value may carry data read from input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Taint {
    /// Written by the script, or by the system it runs on.
    Clean,
    /// Read from input, but holding no blank (split at blanks).
    Blankless,
    /// Read from input, may hold blanks.
    Input,
}

/// The warnings about commands in `script`.
pub(crate) fn check(script: &Script) -> Vec<Diagnostic> {
    let mut flow = Flow::new(script);
    flow.settle(script);
    let mut checker = Checker {
        flow: &flow,
        script,
        diags: Vec::new(),
    };
    for block in blocks(script) {
        checker.block(block);
    }
    checker.diags
}

fn blocks(script: &Script) -> impl Iterator<Item = &Block> {
    script
        .begin
        .iter()
        .chain(script.rules.iter())
        .chain(script.end.iter())
}

/// The taint of every variable, array key and split field.
struct Flow {
    vars: Vec<Taint>,
    keys: Vec<Taint>,
    /// `$1`... of `#split`.
    fields: Taint,
    /// `$0`: the whole text split.
    split_text: Taint,
    changed: bool,
}

impl Flow {
    /// The sources: `dat` variables.
    fn new(script: &Script) -> Flow {
        let count = script.symbols.vars.len();
        let mut flow = Flow {
            vars: vec![Taint::Clean; count],
            keys: vec![Taint::Clean; count],
            fields: Taint::Clean,
            split_text: Taint::Clean,
            changed: false,
        };
        let blank_fields = script.init.seps.as_ref().is_none_or(|(seps, _)| {
            seps.is_empty() || [' ', '\t'].iter().all(|c| seps.contains(*c))
        });
        for dat in &script.init.dats {
            let taint = match dat.spec {
                DatSpec::Field(_) | DatSpec::FromEnd(_) if blank_fields => Taint::Blankless,
                _ => Taint::Input,
            };
            if let Some(slot) = flow.vars.get_mut(dat.var.0 as usize) {
                *slot = taint;
            }
        }
        flow
    }

    /// Follows every assignment until nothing changes (each pass can only
    /// raise a taint, so it ends).
    fn settle(&mut self, script: &Script) {
        loop {
            self.changed = false;
            for block in blocks(script) {
                self.block(script, block);
            }
            if !self.changed {
                break;
            }
        }
    }

    fn raise(slot: &mut Taint, taint: Taint, changed: &mut bool) {
        if taint > *slot {
            *slot = taint;
            *changed = true;
        }
    }

    fn raise_var(&mut self, id: VarId, taint: Taint) {
        if let Some(slot) = self.vars.get_mut(id.0 as usize) {
            Self::raise(slot, taint, &mut self.changed);
        }
    }

    fn raise_key(&mut self, id: VarId, taint: Taint) {
        if let Some(slot) = self.keys.get_mut(id.0 as usize) {
            Self::raise(slot, taint, &mut self.changed);
        }
    }

    fn block(&mut self, script: &Script, block: &Block) {
        for stmt in block {
            self.stmt(script, stmt);
        }
    }

    fn assign(&mut self, script: &Script, assign: &Assign) {
        let value = self.taint(script, &assign.value);
        match &assign.target {
            LValue::Var(id, _) => self.raise_var(*id, value),
            LValue::Index(id, key, _) => {
                self.raise_var(*id, value);
                let key_taint = self.taint(script, key);
                self.raise_key(*id, key_taint);
                self.exprs(script, std::slice::from_ref(&**key));
            }
        }
        self.exprs(script, std::slice::from_ref(&assign.value));
    }

    fn stmt(&mut self, script: &Script, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Set(assign) => self.assign(script, assign),
            StmtKind::For {
                init,
                step,
                body,
                cond,
            } => {
                self.assign(script, init);
                self.assign(script, step);
                self.exprs(script, std::slice::from_ref(cond));
                self.block(script, body);
            }
            StmtKind::ForKeys { var, array, body } => {
                let keys = self
                    .keys
                    .get(array.0 as usize)
                    .copied()
                    .unwrap_or(Taint::Clean);
                self.raise_var(*var, keys);
                self.block(script, body);
            }
            _ => {
                for_each_child(stmt, &mut |child| match child {
                    Child::Expr(e) => self.exprs(script, std::slice::from_ref(e)),
                    Child::Block(b) => self.block(script, b),
                });
            }
        }
    }

    /// Follows the `#split` calls inside `exprs`.
    fn exprs(&mut self, script: &Script, exprs: &[Expr]) {
        for e in exprs {
            visit_expr(e, &mut |e| {
                if let ExprKind::Call(Builtin::Split, args) = &e.kind {
                    let text = args.first().map_or(Taint::Clean, |a| self.taint(script, a));
                    let at_blanks = match args.get(1).map(|a| &a.kind) {
                        None => true,
                        Some(ExprKind::Str(seps)) => {
                            seps.is_empty() || [' ', '\t', '\n'].iter().all(|c| seps.contains(*c))
                        }
                        Some(_) => false,
                    };
                    let field = if at_blanks {
                        text.min(Taint::Blankless)
                    } else {
                        text
                    };
                    let (mut fields, mut whole) = (self.fields, self.split_text);
                    Self::raise(&mut fields, field, &mut self.changed);
                    Self::raise(&mut whole, text, &mut self.changed);
                    self.fields = fields;
                    self.split_text = whole;
                }
            });
        }
    }

    /// How far `e`'s value may carry input data.
    fn taint(&self, script: &Script, e: &Expr) -> Taint {
        let var = |id: &VarId| -> Taint {
            match script.symbols.var(*id) {
                Some(info) if info.ty == VarType::Str => self
                    .vars
                    .get(id.0 as usize)
                    .copied()
                    .unwrap_or(Taint::Clean),
                _ => Taint::Clean,
            }
        };
        match &e.kind {
            ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Handle(_) | ExprKind::Unary(..) => {
                Taint::Clean
            }
            ExprKind::Interp(parts) => parts
                .iter()
                .map(|part| match part {
                    StrPart::Lit(_) => Taint::Clean,
                    StrPart::Expr(inner) => self.taint(script, inner),
                })
                .max()
                .unwrap_or(Taint::Clean),
            ExprKind::Var(id)
            | ExprKind::Index(id, _)
            | ExprKind::History(id)
            | ExprKind::Previous(id) => var(id),
            ExprKind::Special(Special::Inline | Special::Readline) => Taint::Input,
            ExprKind::Field(0) => self.split_text,
            ExprKind::Field(_) => self.fields,
            ExprKind::FieldExpr(_) => self.fields.max(self.split_text),
            ExprKind::Binary(crate::ast::BinaryOp::Concat, l, r) => {
                self.taint(script, l).max(self.taint(script, r))
            }
            ExprKind::Binary(..) => Taint::Clean,
            ExprKind::Call(builtin, args) => self.call_taint(script, *builtin, args),
        }
    }

    fn call_taint(&self, script: &Script, builtin: Builtin, args: &[Expr]) -> Taint {
        if builtins::info(builtin).ty == VarType::Num {
            return Taint::Clean;
        }
        match builtin {
            Builtin::Command => Taint::Input,
            // The machine's and the run's own facts, and the clock.
            Builtin::Getenv
            | Builtin::Hostname
            | Builtin::Alarm
            | Builtin::Alert
            | Builtin::Task
            | Builtin::LevelName
            | Builtin::StatusName
            | Builtin::MailCmd
            | Builtin::LpCmd
            | Builtin::Char
            | Builtin::Date
            | Builtin::Time
            | Builtin::Ampm
            | Builtin::MonthName
            | Builtin::WeekdayName => Taint::Clean,
            _ => args
                .iter()
                .map(|a| self.taint(script, a))
                .max()
                .unwrap_or(Taint::Clean),
        }
    }
}

/// Walks the script for commands and reports.
struct Checker<'a> {
    flow: &'a Flow,
    script: &'a Script,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn block(&mut self, block: &Block) {
        for stmt in block {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if let StmtKind::Exec { command, .. } = &stmt.kind {
            self.command(command);
            self.command_parts(command);
            return;
        }
        for_each_child(stmt, &mut |child| match child {
            Child::Expr(e) => self.expr(e),
            Child::Block(b) => self.block(b),
        });
    }

    /// Checks the commands and stray `$shellcode` calls inside `e`.
    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Call(Builtin::System | Builtin::Command, args) => {
                if let Some(command) = args.first() {
                    self.command(command);
                }
                for arg in args {
                    self.command_parts(arg);
                }
            }
            ExprKind::Call(Builtin::Popen, args) => {
                if let Some(command) = args.get(1) {
                    self.command(command);
                    self.command_parts(command);
                }
                for (_, arg) in args.iter().enumerate().filter(|(index, _)| *index != 1) {
                    self.expr(arg);
                }
            }
            ExprKind::Call(Builtin::Shellcode, args) => {
                self.diags.push(
                    Diagnostic::warning("`$shellcode` outside a command does nothing", e.span)
                        .with_label("its value is its argument's")
                        .with_help(
                            "write it directly in the command (`exec`, `#system`, `$command`, `#popen`), where it splices its argument as shell code",
                        ),
                );
                for arg in args {
                    self.expr(arg);
                }
            }
            _ => visit_children(e, &mut |child| self.expr(child)),
        }
    }

    /// Checks the expressions inside the pieces of command `e` (calls in
    /// its values), without taking the pieces themselves for stray
    /// `$shellcode`.
    fn command_parts(&mut self, e: &Expr) {
        for piece in command_pieces(e) {
            match piece {
                CommandPiece::Code(_) => {}
                CommandPiece::Data(inner) | CommandPiece::Spliced(inner) => {
                    visit_children_or_self(inner, &mut |child| self.expr(child));
                }
            }
        }
    }

    /// The warnings about one command.
    fn command(&mut self, command: &Expr) {
        let pieces = command_pieces(command);
        let mut scanner = ShellScanner::new();
        let mut only_blanks_before = true;
        for piece in pieces {
            match piece {
                CommandPiece::Code(code) => {
                    scanner.feed(code);
                    only_blanks_before &= code.trim().is_empty();
                }
                CommandPiece::Spliced(_) => only_blanks_before = false,
                CommandPiece::Data(value) => {
                    scanner.before_data(Some('x'));
                    let context = scanner.context();
                    let taint = self.flow.taint(self.script, value);
                    if only_blanks_before && context == ShellContext::Words {
                        self.whole_command(value, taint);
                    } else if context == ShellContext::Words && taint == Taint::Input {
                        self.split_input(value);
                    }
                    if matches!(
                        context,
                        ShellContext::QuotedHereDoc | ShellContext::HereDocDelimiter
                    ) {
                        self.no_place(value, context);
                    }
                    let mut reference = String::new();
                    write_reference(context, "PIKT_DATA_1", &mut reference);
                    scanner.feed(&reference);
                    scanner.data_written();
                    only_blanks_before = false;
                }
            }
        }
    }

    fn name(&self, value: &Expr) -> String {
        match &value.kind {
            ExprKind::Var(id) => format!("`{}`", self.script.symbols.display(*id)),
            ExprKind::Special(Special::Inline) => "`$inline`".into(),
            ExprKind::Special(Special::Readline) => "`$rdlin`".into(),
            _ => "this value".into(),
        }
    }

    fn split_input(&mut self, value: &Expr) {
        let name = self.name(value);
        let quoted = match name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
            Some(plain) => format!("`'{plain}'`"),
            None => "`'...'`".to_string(),
        };
        self.diags.push(
            Diagnostic::warning(
                "data read from input is split into words in a command",
                value.span,
            )
            .with_label(format!(
                "{name} may hold blanks: each word becomes an argument of its own"
            ))
            .with_note(
                "values reach commands as data, never as shell code; outside quotes they are split at blanks",
            )
            .with_help(format!("quote it to pass it as one argument: {quoted}")),
        );
    }

    fn whole_command(&mut self, value: &Expr, taint: Taint) {
        let name = self.name(value);
        let mut diag = Diagnostic::warning("the command is a value", value.span)
            .with_label(format!(
                "{name} runs as words: shell syntax in it (`|`, `>`, `;`, quotes) is not read as such"
            ))
            .with_note("values reach commands as data, never as shell code");
        diag = if taint == Taint::Clean {
            diag.with_help(format!(
                "if {name} holds shell code the script wrote, splice it with `$shellcode(...)`"
            ))
        } else {
            diag.with_help(format!(
                "{name} holds data read from input: write the command in the script and pass the data as its arguments"
            ))
        };
        self.diags.push(diag);
    }

    fn no_place(&mut self, value: &Expr, context: ShellContext) {
        self.diags.push(
            Diagnostic::warning(
                format!("a value {} cannot be passed to the shell", context.describe()),
                value.span,
            )
            .with_label("running this command is a run-time error")
            .with_help("use a here-document with an unquoted delimiter (`<<EOF`), where values are expanded"),
        );
    }
}

/// A child of a statement.
enum Child<'a> {
    Expr(&'a Expr),
    Block(&'a Block),
}

/// Calls `f` on each expression and block directly inside `stmt`.
fn for_each_child<'a>(stmt: &'a Stmt, f: &mut dyn FnMut(Child<'a>)) {
    let lvalue = |lvalue: &'a LValue, f: &mut dyn FnMut(Child<'a>)| {
        if let LValue::Index(_, key, _) = lvalue {
            f(Child::Expr(key));
        }
    };
    match &stmt.kind {
        StmtKind::If { arms, otherwise } => {
            for (cond, body) in arms {
                f(Child::Expr(cond));
                f(Child::Block(body));
            }
            if let Some(body) = otherwise {
                f(Child::Block(body));
            }
        }
        StmtKind::While { cond, body } => {
            f(Child::Expr(cond));
            f(Child::Block(body));
        }
        StmtKind::Repeat { body, until } => {
            f(Child::Block(body));
            f(Child::Expr(until));
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            lvalue(&init.target, f);
            f(Child::Expr(&init.value));
            f(Child::Expr(cond));
            lvalue(&step.target, f);
            f(Child::Expr(&step.value));
            f(Child::Block(body));
        }
        StmtKind::ForKeys { body, .. } => f(Child::Block(body)),
        StmtKind::Switch { subject, cases } => {
            f(Child::Expr(subject));
            for case in cases {
                f(Child::Block(&case.body));
            }
        }
        StmtKind::Skip(e) | StmtKind::Pause(e) | StmtKind::Do(e) | StmtKind::Die(Some(e)) => {
            f(Child::Expr(e));
        }
        StmtKind::Set(assign) => {
            lvalue(&assign.target, f);
            f(Child::Expr(&assign.value));
        }
        StmtKind::Unset(target) => lvalue(target, f),
        StmtKind::Exec { command, .. } => f(Child::Expr(command)),
        StmtKind::Output { target, message } => {
            if let crate::ast::OutputTarget::Log(file) = target {
                f(Child::Expr(file));
            }
            f(Child::Expr(message));
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

/// Calls `f` on `e` and every expression inside it, outermost first.
fn visit_expr<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    visit_children(e, &mut |child| visit_expr(child, f));
}

/// Calls `f` on the expressions directly inside `e`.
fn visit_children<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::Interp(parts) => {
            for part in parts {
                if let StrPart::Expr(inner) = part {
                    f(inner);
                }
            }
        }
        ExprKind::Index(_, inner) | ExprKind::FieldExpr(inner) | ExprKind::Unary(_, inner) => {
            f(inner);
        }
        ExprKind::Call(_, args) => args.iter().for_each(f),
        ExprKind::Binary(_, l, r) => {
            f(l);
            f(r);
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

/// `f` on `e` itself when it is a call (a command inside a value), else on
/// its children.
fn visit_children_or_self<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    if matches!(e.kind, ExprKind::Call(..)) {
        f(e);
    } else {
        visit_children(e, f);
    }
}

#[cfg(test)]
mod tests;
