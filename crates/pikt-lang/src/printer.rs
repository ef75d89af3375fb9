//! Prints a syntax tree back as canonical Pikt text (`pikt --dump-ast`).
//!
//! Canonical means: one statement per line, tab indentation, the first
//! spelling of every keyword and function (`fi`, `unset`, `#val`), history
//! and previous values with an explicit sigil (`%#x`), `init` lines in a fixed
//! order, and only the parentheses precedence needs. The printed text parses
//! back to the same tree (spans aside); the tests check this on every script
//! they have.
//!
//! Two places need care because statements have no terminators: an
//! expression printed right after another one (the condition of a `for`, the
//! message of `output log`) is parenthesised when it starts with `-` or `+`,
//! which would otherwise continue the expression before it; and text in
//! strings is escaped where it would otherwise be read as an interpolation.

use crate::ast::{
    Assign, AssignOp, BinaryOp, Block, CaseLabel, DatSpec, Expr, ExprKind, Init, InputKind, LValue,
    OutputTarget, Program, Script, Special, Stmt, StmtKind, StrPart, Symbols, UnaryOp, VarId,
};
use crate::builtins;
use crate::parser::expr::{binary_precedence, POW_PRECEDENCE};

/// Precedence of unary operators (tighter than every binary one).
const UNARY_PRECEDENCE: u8 = POW_PRECEDENCE + 1;
/// Precedence of primaries.
const PRIMARY_PRECEDENCE: u8 = UNARY_PRECEDENCE + 1;

/// Prints a whole program.
pub fn print_program(program: &Program) -> String {
    let mut out = String::new();
    for script in &program.scripts {
        print_script(&mut out, script);
    }
    out
}

/// Prints one expression of a script with symbols `symbols`.
pub fn print_expr(expr: &Expr, symbols: &Symbols) -> String {
    Printer {
        symbols,
        out: String::new(),
    }
    .expr_text(expr, 0)
}

/// Prints one statement (and its nested blocks) at indentation 0.
pub fn print_stmt(stmt: &Stmt, symbols: &Symbols) -> String {
    let mut printer = Printer {
        symbols,
        out: String::new(),
    };
    printer.stmt(stmt, 0);
    printer.out
}

fn print_script(out: &mut String, script: &Script) {
    let mut printer = Printer {
        symbols: &script.symbols,
        out: String::new(),
    };
    let section_depth = match &script.name {
        Some(name) => {
            printer.out.push_str(&name.name);
            printer.out.push('\n');
            1
        }
        None => 0,
    };
    printer.init(&script.init, section_depth);
    if let Some(begin) = &script.begin {
        printer.section("begin", begin, section_depth);
    }
    for rule in &script.rules {
        printer.section("rule", rule, section_depth);
    }
    if let Some(end) = &script.end {
        printer.section("end", end, section_depth);
    }
    out.push_str(&printer.out);
}

struct Printer<'a> {
    symbols: &'a Symbols,
    out: String,
}

fn assign_op_text(op: AssignOp) -> &'static str {
    match op {
        AssignOp::Set => "=",
        AssignOp::Add => "+=",
        AssignOp::Sub => "-=",
        AssignOp::Mul => "*=",
        AssignOp::Div => "/=",
        AssignOp::Rem => "%=",
        AssignOp::Pow => "**=",
        AssignOp::BitAnd => "&=",
        AssignOp::BitOr => "|=",
        AssignOp::BitXor => "^=",
        AssignOp::Shl => "<<=",
        AssignOp::Shr => ">>=",
        AssignOp::Concat => ".=",
    }
}

fn binary_op_text(op: BinaryOp) -> &'static str {
    use BinaryOp as B;
    match op {
        B::Or => "||",
        B::And => "&&",
        B::BitOr => "|",
        B::BitXor => "^",
        B::BitAnd => "&",
        B::Eq => "==",
        B::Ne => "!=",
        B::StrEq => "eq",
        B::StrNe => "ne",
        B::Match => "=~",
        B::NotMatch => "!~",
        B::MatchNoCase => "=~~",
        B::NotMatchNoCase => "!~~",
        B::Lt => "<",
        B::Gt => ">",
        B::Le => "<=",
        B::Ge => ">=",
        B::StrLt => "lt",
        B::StrGt => "gt",
        B::StrLe => "le",
        B::StrGe => "ge",
        B::Shl => "<<",
        B::Shr => ">>",
        B::Add => "+",
        B::Sub => "-",
        B::Concat => ".",
        B::Mul => "*",
        B::Div => "/",
        B::Rem => "%",
        B::Pow => "**",
    }
}

/// A number as Rust prints it: the shortest text that reads back as the same
/// `f64`, without an exponent (`3`, `0.5`, `1000000000000000000000`).
fn number_text(n: f64) -> String {
    format!("{n}")
}

/// Escapes literal text for a string: `\` before `$`, `#`, `\` or a newline
/// is doubled, and `$`/`#` that would start an interpolation get a `\`.
/// `next` is the first character printed after `text`.
fn escape_literal(text: &str, next: Option<char>, interpolating: bool, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let after = chars.get(i + 1).copied().or(next);
        let percent = interpolating && after == Some('%');
        match c {
            '\\' if percent || matches!(after, Some('$' | '#' | '\\' | '\n')) => {
                out.push_str("\\\\");
            }
            '%' if interpolating
                && after.is_some_and(|a| a.is_ascii_alphabetic() || a == '$' || a == '#') =>
            {
                out.push_str("\\%");
            }
            '$' if after.is_some_and(|a| a.is_ascii_alphanumeric() || a == '[') => {
                out.push_str("\\$");
            }
            '#' if after.is_some_and(|a| a.is_ascii_alphabetic()) => out.push_str("\\#"),
            _ => out.push(c),
        }
    }
}

/// A literal string (`init`, `case`), quoted and escaped.
fn quote_literal(text: &str) -> String {
    let mut out = String::from("\"");
    escape_literal(text, None, false, &mut out);
    out.push('"');
    out
}

/// A string in an expression with nothing to interpolate, quoted and
/// escaped.
fn quote_string(text: &str) -> String {
    let mut out = String::from("\"");
    escape_literal(text, None, true, &mut out);
    out.push('"');
    out
}

impl Printer<'_> {
    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push('\t');
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        self.indent(depth);
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn var_name(&self, id: VarId) -> String {
        self.symbols.display(id)
    }

    fn init(&mut self, init: &Init, depth: usize) {
        let mut lines: Vec<String> = Vec::new();
        if let Some((status, _)) = init.status {
            lines.push(format!("status {}", status.word()));
        }
        if let Some((level, _)) = init.level {
            lines.push(format!("level {}", level.word()));
        }
        if let Some((task, _)) = &init.task {
            lines.push(format!("task {}", quote_literal(task)));
        }
        if let Some(input) = &init.input {
            let kind = match input.kind {
                InputKind::Proc => "proc",
                InputKind::File => "file",
                InputKind::Logfile => "logfile",
            };
            let mut line = format!("input {kind} {}", quote_literal(&input.source));
            if let Some(rotated) = &input.rotated {
                line.push(' ');
                line.push_str(&quote_literal(rotated));
            }
            lines.push(line);
        }
        if let Some((filter, _)) = &init.filter {
            lines.push(format!("filter {}", quote_literal(filter)));
        }
        if let Some((seps, _)) = &init.seps {
            lines.push(format!("seps {}", quote_literal(seps)));
        }
        for dat in &init.dats {
            let spec = match dat.spec {
                DatSpec::Field(n) => n.to_string(),
                DatSpec::FromEnd(0) => "$".to_string(),
                DatSpec::FromEnd(n) => format!("$-{n}"),
                DatSpec::Columns(from, to) => format!("{from}-{to}"),
            };
            lines.push(format!("dat {} {spec}", self.var_name(dat.var)));
        }
        if !init.keys.is_empty() {
            let names: Vec<String> = init.keys.iter().map(|&id| self.var_name(id)).collect();
            lines.push(format!("keys {}", names.join(" ")));
        }
        if lines.is_empty() {
            return;
        }
        self.line(depth, "init");
        for line in lines {
            self.line(depth + 1, &line);
        }
    }

    fn section(&mut self, word: &str, block: &Block, depth: usize) {
        self.line(depth, word);
        self.block(block, depth + 1);
    }

    fn block(&mut self, block: &Block, depth: usize) {
        for stmt in block {
            self.stmt(stmt, depth);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, depth: usize) {
        match &stmt.kind {
            StmtKind::If { arms, otherwise } => {
                for (i, (cond, body)) in arms.iter().enumerate() {
                    let word = if i == 0 { "if" } else { "elif" };
                    let line = format!("{word} {}", self.expr_text(cond, 0));
                    self.line(depth, &line);
                    self.block(body, depth + 1);
                }
                if let Some(body) = otherwise {
                    self.line(depth, "else");
                    self.block(body, depth + 1);
                }
                self.line(depth, "fi");
            }
            StmtKind::While { cond, body } => {
                let line = format!("while {}", self.expr_text(cond, 0));
                self.line(depth, &line);
                self.block(body, depth + 1);
                self.line(depth, "endwhile");
            }
            StmtKind::Repeat { body, until } => {
                self.line(depth, "repeat");
                self.block(body, depth + 1);
                let line = format!("until {}", self.expr_text(until, 0));
                self.line(depth, &line);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let line = format!(
                    "for {} {} {}",
                    self.assign_text(init),
                    self.juxtaposed(cond),
                    self.assign_text(step)
                );
                self.line(depth, &line);
                self.block(body, depth + 1);
                self.line(depth, "endfor");
            }
            StmtKind::ForKeys { var, array, body } => {
                let line = format!(
                    "foreach #keys({}, {})",
                    self.var_name(*var),
                    self.var_name(*array)
                );
                self.line(depth, &line);
                self.block(body, depth + 1);
                self.line(depth, "endforeach");
            }
            StmtKind::Switch { subject, cases } => {
                let line = format!("switch {}", self.expr_text(subject, 0));
                self.line(depth, &line);
                for case in cases {
                    let head = match &case.label {
                        Some(CaseLabel::Num(n)) => format!("case {}", number_text(*n)),
                        Some(CaseLabel::Str(s)) => format!("case {}", quote_literal(s)),
                        None => "default".to_string(),
                    };
                    self.line(depth + 1, &head);
                    self.block(&case.body, depth + 2);
                }
                self.line(depth, "endswitch");
            }
            other => {
                let line = self.simple_stmt_text(other);
                self.line(depth, &line);
            }
        }
    }

    /// A statement without a block, on one line.
    fn simple_stmt_text(&self, kind: &StmtKind) -> String {
        match kind {
            StmtKind::Break => "break".into(),
            StmtKind::Continue => "continue".into(),
            StmtKind::BreakSwitch => "breakswitch".into(),
            StmtKind::Again => "again".into(),
            StmtKind::Leave => "leave".into(),
            StmtKind::Redo => "redo".into(),
            StmtKind::Next => "next".into(),
            StmtKind::Skip(e) => format!("skip {}", self.expr_text(e, 0)),
            StmtKind::Last => "last".into(),
            StmtKind::Pause(e) => format!("pause {}", self.expr_text(e, 0)),
            StmtKind::Quit => "quit".into(),
            StmtKind::Die(None) => "die".into(),
            StmtKind::Die(Some(e)) => format!("die {}", self.expr_text(e, 0)),
            StmtKind::Do(e) => format!("do {}", self.expr_text(e, 0)),
            StmtKind::Set(assign) => format!("set {}", self.assign_text(assign)),
            StmtKind::Unset(lvalue) => format!("unset {}", self.lvalue_text(lvalue)),
            StmtKind::Exec {
                wait,
                force,
                command,
            } => {
                let word = if *force { "doexec" } else { "exec" };
                let wait = if *wait { " wait" } else { "" };
                format!("{word}{wait} {}", self.expr_text(command, 0))
            }
            StmtKind::Output { target, message } => {
                let message_text = self.expr_text(message, 0);
                match target {
                    OutputTarget::Stdout => format!("output {message_text}"),
                    OutputTarget::Mail => format!("output mail {message_text}"),
                    OutputTarget::Print => format!("output print {message_text}"),
                    OutputTarget::PiktLog => format!("output piktlog {message_text}"),
                    OutputTarget::Syslog => format!("output syslog {message_text}"),
                    OutputTarget::Log(file) => format!(
                        "output log {} {}",
                        self.expr_text(file, 0),
                        self.juxtaposed(message)
                    ),
                }
            }
            // Block statements are printed by `stmt`.
            StmtKind::If { .. }
            | StmtKind::While { .. }
            | StmtKind::Repeat { .. }
            | StmtKind::For { .. }
            | StmtKind::ForKeys { .. }
            | StmtKind::Switch { .. } => String::new(),
        }
    }

    fn assign_text(&self, assign: &Assign) -> String {
        format!(
            "{} {} {}",
            self.lvalue_text(&assign.target),
            assign_op_text(assign.op),
            self.expr_text(&assign.value, 0)
        )
    }

    fn lvalue_text(&self, lvalue: &LValue) -> String {
        match lvalue {
            LValue::Var(id, _) => self.var_name(*id),
            LValue::Index(id, index, _) => {
                format!("{}[{}]", self.var_name(*id), self.expr_text(index, 0))
            }
        }
    }

    /// An expression that follows another one with only a space between:
    /// parenthesised if it starts with a sign.
    fn juxtaposed(&self, expr: &Expr) -> String {
        let text = self.expr_text(expr, 0);
        if text.starts_with(['-', '+']) {
            format!("({text})")
        } else {
            text
        }
    }

    /// `expr` printed with parentheses if it binds looser than `min`.
    fn expr_text(&self, expr: &Expr, min: u8) -> String {
        let (text, precedence) = self.expr_with_precedence(expr);
        if precedence < min {
            format!("({text})")
        } else {
            text
        }
    }

    fn expr_with_precedence(&self, expr: &Expr) -> (String, u8) {
        match &expr.kind {
            ExprKind::Binary(op, lhs, rhs) => {
                let p = binary_precedence(*op);
                let (left_min, right_min) = if *op == BinaryOp::Pow {
                    (p + 1, p)
                } else {
                    (p, p + 1)
                };
                let text = format!(
                    "{} {} {}",
                    self.expr_text(lhs, left_min),
                    binary_op_text(*op),
                    self.expr_text(rhs, right_min)
                );
                (text, p)
            }
            ExprKind::Unary(op, operand) => {
                let op_text = match op {
                    UnaryOp::Not => "!".to_string(),
                    UnaryOp::Neg => "-".to_string(),
                    UnaryOp::Plus => "+".to_string(),
                    UnaryOp::BitNot => "~".to_string(),
                    UnaryOp::FileTest(letter) => format!("-{letter} "),
                };
                let operand_text = self.expr_text(operand, UNARY_PRECEDENCE);
                // `! ~x`, `- -x`: keep two prefix operators apart so they are
                // not read as one token (`!~`).
                let gap = if matches!(operand.kind, ExprKind::Unary(..)) && !op_text.ends_with(' ')
                {
                    " "
                } else {
                    ""
                };
                (format!("{op_text}{gap}{operand_text}"), UNARY_PRECEDENCE)
            }
            _ => (self.primary_text(expr), PRIMARY_PRECEDENCE),
        }
    }

    fn primary_text(&self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Num(n) => number_text(*n),
            ExprKind::Str(s) => quote_string(s),
            ExprKind::Interp(parts) => self.interp_text(parts),
            ExprKind::Var(id) => self.var_name(*id),
            ExprKind::Index(id, index) => {
                format!("{}[{}]", self.var_name(*id), self.expr_text(index, 0))
            }
            ExprKind::History(id) => format!("%{}", self.var_name(*id)),
            ExprKind::Previous(id) => format!("@{}", self.var_name(*id)),
            ExprKind::Special(Special::Inline) => "$inline".into(),
            ExprKind::Special(Special::Readline) => "$readline".into(),
            ExprKind::Field(n) => format!("${n}"),
            ExprKind::FieldExpr(index) => format!("$[{}]", self.expr_text(index, 0)),
            ExprKind::Call(builtin, args) => {
                let info = builtins::info(*builtin);
                let args: Vec<String> = args.iter().map(|a| self.expr_text(a, 0)).collect();
                format!("{}({})", info.display(), args.join(", "))
            }
            ExprKind::Handle(id) => self.symbols.handle(*id).to_string(),
            ExprKind::Unary(..) | ExprKind::Binary(..) => self.expr_text(expr, 0),
        }
    }

    /// An interpolated string: expression parts as written in strings,
    /// literal parts escaped with the character that follows them in mind.
    fn interp_text(&self, parts: &[StrPart]) -> String {
        let rendered: Vec<(bool, String)> = parts
            .iter()
            .map(|part| match part {
                StrPart::Lit(text) => (true, text.clone()),
                StrPart::Expr(e) => (false, self.primary_text(e)),
            })
            .collect();
        let mut out = String::from("\"");
        for (i, (literal, text)) in rendered.iter().enumerate() {
            if *literal {
                let next = rendered.get(i + 1).and_then(|(next_literal, t)| {
                    let first = t.chars().next();
                    // Following literal text is escaped too: its first
                    // character may print as `\`.
                    if *next_literal && matches!(first, Some('$' | '#')) {
                        Some('\\')
                    } else {
                        first
                    }
                });
                escape_literal(text, next, true, &mut out);
            } else {
                out.push_str(text);
            }
        }
        out.push('"');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_program, ParseMode};
    use pikt_source::SourceMap;

    fn parse_clean(text: &str, mode: ParseMode) -> Program {
        let mut map = SourceMap::new();
        let id = map.add("t.pikt", text);
        let (program, diags) = parse_program(&map, id, mode);
        assert!(diags.is_empty(), "{text}\n{diags:#?}");
        program
    }

    /// A debug dump with every `Span { .. }` replaced by `Span`.
    fn without_spans(program: &Program) -> String {
        let debug = format!("{program:?}");
        let mut out = String::new();
        let mut rest = debug.as_str();
        while let Some(at) = rest.find("Span { ") {
            out.push_str(&rest[..at]);
            out.push_str("Span");
            rest = rest[at..].split_once(" }").map_or("", |(_, after)| after);
        }
        out.push_str(rest);
        out
    }

    /// Prints standalone `text` canonically and checks the round trip.
    fn canonical(text: &str) -> String {
        let program = parse_clean(text, ParseMode::Standalone);
        let printed = print_program(&program);
        let again = parse_clean(&printed, ParseMode::Standalone);
        assert_eq!(without_spans(&program), without_spans(&again), "{printed}");
        printed
    }

    #[test]
    fn canonical_form_uses_first_spellings_and_tabs() {
        assert_eq!(
            canonical(
                "init data $u 1 seps \":\" input process \"x\" level alert status active \
                 rule if $u eq \"a\" elsif #absval(1) delete #a[$u] endif"
            ),
            "init\n\tstatus active\n\tlevel urgent\n\tinput proc \"x\"\n\tseps \":\"\n\
             \tdat $u 1\nrule\n\tif $u eq \"a\"\n\telif #abs(1)\n\t\tunset #a[$u]\n\tfi\n"
        );
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        let printed = canonical(
            "begin set #a = (1 + 2) * 3 set #b = 1 + (2 * 3) set #c = (#a - #b) - #c \
             set #d = #a - (#b - #c) set #e = 2 ** (3 ** 2) set #f = (2 ** 3) ** 2 \
             set #g = (-2) ** 2 set #h = -(2 ** 2) set #i = !(#a && #b) set #j = ! ~#a",
        );
        assert_eq!(
            printed,
            "begin\n\tset #a = (1 + 2) * 3\n\tset #b = 1 + 2 * 3\n\tset #c = #a - #b - #c\n\
             \tset #d = #a - (#b - #c)\n\tset #e = 2 ** 3 ** 2\n\tset #f = (2 ** 3) ** 2\n\
             \tset #g = -2 ** 2\n\tset #h = -(2 ** 2)\n\tset #i = !(#a && #b)\n\tset #j = ! ~#a\n"
        );
    }

    #[test]
    fn juxtaposed_expressions_starting_with_a_sign_get_parentheses() {
        let printed = canonical(
            "begin for #i = 0 (-#x < 0) #i += 1 endfor output log \"f\" (-#x) \
             output log \"g\" (+#x) output log \"h\" (-e \"/x\")",
        );
        assert_eq!(
            printed,
            "begin\n\tfor #i = 0 (-#x < 0) #i += 1\n\tendfor\n\toutput log \"f\" (-#x)\n\
             \toutput log \"g\" (+#x)\n\toutput log \"h\" (-e \"/x\")\n"
        );
    }

    #[test]
    fn strings_are_escaped_where_they_would_interpolate() {
        let printed =
            canonical(r#"begin output "a\$b $x\\$y \#z # $ $5 \$5 $x$ \\ \." set $x = "$x\[1]""#);
        assert_eq!(
            printed,
            "begin\n\toutput \"a\\$b $x\\\\$y \\#z # $ $5 \\$5 $x$ \\ \\.\"\n\
             \tset $x = \"$x\\[1]\"\n"
        );
    }

    #[test]
    fn history_and_previous_print_with_an_explicit_sigil() {
        assert_eq!(
            canonical("begin set #n = 1 output \"%n \\%n %x\" . %n . @n"),
            "begin\n\tset #n = 1\n\toutput \"%#n \\%n \\%x\" . %#n . @#n\n"
        );
    }

    #[test]
    fn every_statement_prints_on_its_own_line() {
        let printed = canonical(
            "init input file \"x\" rule repeat again leave redo next skip 1 last until 1 \
             while 1 break continue endwhile switch 1 case 1 breakswitch default quit endswitch \
             pause 1 die die \"x\" do #now() exec \"a\" exec wait \"b\" doexec \"c\" \
             doexec wait \"d\" output mail \"m\" output print \"p\" output log piktlog \"l\" \
             output syslog \"s\" foreach #keys($k, #a) unset #a[$k] endforeach",
        );
        assert_eq!(printed.lines().count(), 36, "{printed}");
    }

    #[test]
    fn named_scripts_indent_sections_under_the_name() {
        let program = parse_clean("A begin quit\nB\n", ParseMode::Alarms);
        assert_eq!(print_program(&program), "A\n\tbegin\n\t\tquit\nB\n");
    }

    #[test]
    fn literal_escaping_only_where_needed() {
        assert_eq!(quote_literal(r"\.log$"), r#""\.log$""#);
        assert_eq!(quote_literal("$x #y $1 $[ $ #"), r#""\$x \#y \$1 \$[ $ #""#);
        assert_eq!(quote_literal(r"a\$"), r#""a\\$""#);
        assert_eq!(quote_literal(r"a\\"), r#""a\\\""#);
    }

    #[test]
    fn numbers_print_without_needless_decimals() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(2.75), "2.75");
        assert_eq!(number_text(0.1), "0.1");
        assert_eq!(number_text(1e21), "1000000000000000000000");
    }
}
