//! Statements: flow control (reference §4.5) and actions (§4.6).

use pikt_source::Diagnostic;

use super::{ParseResult, Parser, Reported};
use crate::ast::{
    Assign, AssignOp, Block, Case, CaseLabel, Expr, ExprKind, LValue, OutputTarget, Stmt, StmtKind,
    VarId, VarType,
};
use crate::keyword::Keyword;
use crate::suggest;
use crate::token::Token;
use crate::token_kind::TokenKind;

/// What an lvalue is parsed for (the verb of its error messages).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LValueUse {
    Assign,
    Unset,
}

impl LValueUse {
    fn verb(self) -> &'static str {
        match self {
            LValueUse::Assign => "assign to",
            LValueUse::Unset => "unset",
        }
    }
}

/// The assignment operator a token spells.
fn assign_op(kind: TokenKind) -> Option<AssignOp> {
    Some(match kind {
        TokenKind::Assign => AssignOp::Set,
        TokenKind::PlusAssign => AssignOp::Add,
        TokenKind::MinusAssign => AssignOp::Sub,
        TokenKind::StarAssign => AssignOp::Mul,
        TokenKind::SlashAssign => AssignOp::Div,
        TokenKind::PercentAssign => AssignOp::Rem,
        TokenKind::PowAssign => AssignOp::Pow,
        TokenKind::AmpAssign => AssignOp::BitAnd,
        TokenKind::PipeAssign => AssignOp::BitOr,
        TokenKind::CaretAssign => AssignOp::BitXor,
        TokenKind::ShlAssign => AssignOp::Shl,
        TokenKind::ShrAssign => AssignOp::Shr,
        TokenKind::DotAssign => AssignOp::Concat,
        _ => return None,
    })
}

impl Parser<'_> {
    /// `block := { stmt }` up to a section boundary or a block word.
    pub(crate) fn parse_block(&mut self) -> Block {
        let mut block = Vec::new();
        while !self.at_block_end() {
            let before = self.pos;
            match self.parse_stmt() {
                Ok(stmt) => block.push(stmt),
                Err(Reported) => self.skip_until(Self::at_statement_boundary),
            }
            if self.pos == before {
                self.bump();
            }
        }
        block
    }

    /// `stmt := if_stmt | while_stmt | repeat_stmt | for_stmt | foreach_stmt
    ///        | switch_stmt | control | do_stmt | set_stmt | unset_stmt
    ///        | exec_stmt | output_stmt`
    fn parse_stmt(&mut self) -> ParseResult<Stmt> {
        let tok = self.peek();
        let Some(kw) = self.keyword(tok) else {
            self.report_not_a_statement(tok);
            return Err(Reported);
        };
        match kw {
            Keyword::If => self.nested(tok.span, Self::parse_if),
            Keyword::While => self.nested(tok.span, Self::parse_while),
            Keyword::Repeat => self.nested(tok.span, Self::parse_repeat),
            Keyword::For => self.nested(tok.span, Self::parse_for),
            Keyword::Foreach => self.nested(tok.span, Self::parse_foreach),
            Keyword::Switch => self.nested(tok.span, Self::parse_switch),
            Keyword::Break
            | Keyword::Continue
            | Keyword::BreakSwitch
            | Keyword::Again
            | Keyword::Leave
            | Keyword::Redo
            | Keyword::Next
            | Keyword::Skip
            | Keyword::Last => self.parse_control(kw),
            Keyword::Pause | Keyword::Quit | Keyword::Die => self.parse_stop(kw),
            Keyword::Do => self.parse_do(),
            Keyword::Set => self.parse_set(),
            Keyword::Unset => self.parse_unset(),
            Keyword::Exec | Keyword::Doexec => self.parse_exec(kw),
            Keyword::Output => self.parse_output(),
            _ => {
                // init words (sections and block words never get here)
                self.bump();
                let diag = Diagnostic::error(
                    format!("`{}` belongs in the `init` section", self.text_of(tok)),
                    tok.span,
                );
                self.report(diag);
                Err(Reported)
            }
        }
    }

    fn report_not_a_statement(&mut self, tok: Token) {
        let text = self.text_of(tok);
        let span = self.error_span(tok);
        let next_assigns = assign_op(self.peek_at(1).kind).is_some();
        let diag = match tok.kind {
            TokenKind::Unknown => return,
            TokenKind::StrCall | TokenKind::NumCall => {
                Diagnostic::error("a function call is not a statement", span)
                    .with_help(format!("call a function for its effect with `do`: `do {text}(...)`"))
            }
            TokenKind::StrVar | TokenKind::NumVar if next_assigns => Diagnostic::error(
                format!("expected a statement, found `{text}`"),
                span,
            )
            .with_help(format!("assignments start with `set`: `set {text} ...`")),
            TokenKind::NumVar => Diagnostic::error(
                format!("expected a statement, found `{text}`"),
                span,
            )
            .with_help("a comment starts with `#` and a space, or with `//`"),
            TokenKind::History => Diagnostic::error(
                format!("expected a statement, found `{text}`"),
                span,
            )
            .with_help(format!(
                "`{text}` is a value from the previous run; the remainder operator needs a space after `%`"
            )),
            TokenKind::Word => {
                let diag = Diagnostic::error(format!("unknown statement `{text}`"), span);
                match suggest::keyword_suggestion(text) {
                    Some(help) => diag.with_help(help),
                    None => diag,
                }
            }
            _ => Diagnostic::error(
                format!("expected a statement, found {}", self.describe(tok)),
                span,
            )
            .with_help("statements start with a keyword such as `set`, `do`, `if` or `output`"),
        };
        self.report(diag);
    }

    /// Reports a block statement whose closing word is missing.
    fn report_unclosed(&mut self, opener: Token, closer: &str) {
        let found = self.peek();
        if found.kind == TokenKind::Unknown {
            return;
        }
        let what = if self.next_is_name_line() {
            format!("the next script `{}`", self.text_of(found))
        } else {
            self.describe(found)
        };
        let open = self.text_of(opener);
        let diag = Diagnostic::error(format!("unclosed `{open}`"), opener.span)
            .with_label(format!("this `{open}` has no `{closer}`"))
            .with_help(format!("add `{closer}` before {what}"));
        self.report(diag);
    }

    /// Consumes the closing word `kw` of `opener`, or reports it missing.
    fn expect_closer(&mut self, kw: Keyword, opener: Token) {
        if self.accept_keyword(kw).is_none() {
            self.report_unclosed(opener, kw.as_str());
        }
    }

    /// The condition of a block statement; a broken one is skipped (up to the
    /// next keyword) so that the body and closer still parse.
    fn parse_condition(&mut self, kw: Token) -> Expr {
        match self.parse_expr() {
            Ok(expr) => expr,
            Err(Reported) => {
                self.skip_until(Self::at_statement_boundary);
                Expr {
                    kind: ExprKind::Num(0.0),
                    span: kw.span,
                }
            }
        }
    }

    /// A loop body: `break` and `continue` are allowed inside.
    fn parse_loop_body(&mut self) -> Block {
        self.loops += 1;
        let body = self.parse_block();
        self.loops -= 1;
        body
    }

    /// `if_stmt := "if" expr block { ("elif" | "elsif" | "elseif") expr block } ["else" block] ("fi" | "endif")`
    fn parse_if(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let cond = self.parse_condition(kw);
        let span = kw.span.to(cond.span);
        let mut arms = vec![(cond, self.parse_block())];
        let mut otherwise: Option<Block> = None;
        loop {
            let tok = self.peek();
            match self.keyword(tok) {
                Some(Keyword::Elif) => {
                    self.bump();
                    let cond = self.parse_condition(tok);
                    let body = self.parse_block();
                    if otherwise.is_some() {
                        self.report_after_else(tok);
                    } else {
                        arms.push((cond, body));
                    }
                }
                Some(Keyword::Else) => {
                    self.bump();
                    let body = self.parse_block();
                    if otherwise.is_some() {
                        self.report_after_else(tok);
                    } else {
                        otherwise = Some(body);
                    }
                }
                Some(Keyword::Fi) => {
                    self.bump();
                    break;
                }
                _ => {
                    self.report_unclosed(kw, "fi");
                    break;
                }
            }
        }
        Ok(Stmt {
            kind: StmtKind::If { arms, otherwise },
            span,
        })
    }

    fn report_after_else(&mut self, tok: Token) {
        let diag = Diagnostic::error(format!("`{}` after `else`", self.text_of(tok)), tok.span)
            .with_label("the `else` part must come last");
        self.report(diag);
    }

    /// `while_stmt := "while" expr block "endwhile"`
    fn parse_while(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let cond = self.parse_condition(kw);
        let span = kw.span.to(cond.span);
        let body = self.parse_loop_body();
        self.expect_closer(Keyword::EndWhile, kw);
        Ok(Stmt {
            kind: StmtKind::While { cond, body },
            span,
        })
    }

    /// `repeat_stmt := "repeat" block "until" expr`
    fn parse_repeat(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let body = self.parse_loop_body();
        let until = match self.accept_keyword(Keyword::Until) {
            Some(tok) => self.parse_condition(tok),
            None => {
                self.report_unclosed(kw, "until");
                Expr {
                    kind: ExprKind::Num(1.0),
                    span: kw.span,
                }
            }
        };
        Ok(Stmt {
            kind: StmtKind::Repeat { body, until },
            span: kw.span,
        })
    }

    /// `for_stmt := "for" ["set"] assign expr ["set"] assign block "endfor"
    ///            | "for" SVAR "in" "#keys" "(" VAR ")" block "endfor"`
    fn parse_for(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let var = self.peek();
        let is_for_in = matches!(var.kind, TokenKind::StrVar | TokenKind::NumVar) && {
            let next = self.peek_at(1);
            next.kind == TokenKind::Word && self.text_of(next) == "in"
        };
        if is_for_in {
            let header = self.parse_for_in_header();
            return self.finish_keys_loop(kw, header, Keyword::EndFor);
        }
        let header = self.parse_for_header();
        if header.is_err() {
            self.skip_until(Self::at_statement_boundary);
        }
        let span = self.span_from(kw.span);
        let body = self.parse_loop_body();
        self.expect_closer(Keyword::EndFor, kw);
        let (init, cond, step) = header?;
        Ok(Stmt {
            kind: StmtKind::For {
                init: Box::new(init),
                cond,
                step: Box::new(step),
                body,
            },
            span,
        })
    }

    fn parse_for_header(&mut self) -> ParseResult<(Assign, Expr, Assign)> {
        self.accept_keyword(Keyword::Set);
        let init = self.parse_assign()?;
        let cond = self.parse_expr()?;
        self.accept_keyword(Keyword::Set);
        let step = self.parse_assign()?;
        Ok((init, cond, step))
    }

    /// `SVAR "in" "#keys" "(" VAR ")"`
    fn parse_for_in_header(&mut self) -> ParseResult<(VarId, VarId)> {
        let var = self.parse_key_variable()?;
        self.bump(); // `in`, checked by the caller
        let keys = self.peek();
        if keys.kind != TokenKind::NumCall || self.text_of(keys) != "#keys" {
            return Err(self.unexpected("`#keys(...)` after `in`"));
        }
        self.bump();
        self.expect(TokenKind::LParen, "`(`")?;
        let array = self.parse_array_name()?;
        self.expect(TokenKind::RParen, "`)`")?;
        Ok((var, array))
    }

    /// The body and closer of `for ... in` and `foreach` (parsed even when
    /// the header is broken, to keep blocks balanced).
    fn finish_keys_loop(
        &mut self,
        kw: Token,
        header: ParseResult<(VarId, VarId)>,
        closer: Keyword,
    ) -> ParseResult<Stmt> {
        if header.is_err() {
            self.skip_until(Self::at_statement_boundary);
        }
        let span = self.span_from(kw.span);
        let body = self.parse_loop_body();
        self.expect_closer(closer, kw);
        let (var, array) = header?;
        Ok(Stmt {
            kind: StmtKind::ForKeys { var, array, body },
            span,
        })
    }

    /// `foreach_stmt := "foreach" "#keys" "(" SVAR "," VAR ")" block "endforeach"`
    fn parse_foreach(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let header = self.parse_foreach_header();
        self.finish_keys_loop(kw, header, Keyword::EndForeach)
    }

    fn parse_foreach_header(&mut self) -> ParseResult<(VarId, VarId)> {
        let keys = self.peek();
        if keys.kind != TokenKind::NumCall || self.text_of(keys) != "#keys" {
            return Err(self.unexpected("`#keys(` after `foreach`"));
        }
        self.bump();
        self.expect(TokenKind::LParen, "`(`")?;
        let var = self.parse_key_variable()?;
        self.expect(TokenKind::Comma, "`,`")?;
        let array = self.parse_array_name()?;
        self.expect(TokenKind::RParen, "`)`")?;
        Ok((var, array))
    }

    /// The variable that receives each key: a plain string variable.
    fn parse_key_variable(&mut self) -> ParseResult<VarId> {
        let tok = self.peek();
        if tok.kind == TokenKind::NumVar {
            self.bump();
            let (_, name) = self.sigil_name(tok);
            let diag = Diagnostic::error("the key variable must be a string variable", tok.span)
                .with_label("keys are strings")
                .with_help(format!("write `${name}`"));
            self.report(diag);
            return Err(Reported);
        }
        let target = self.parse_lvalue(LValueUse::Assign)?;
        match target {
            LValue::Var(id, span) => {
                self.res.mark_written(id, span);
                Ok(id)
            }
            LValue::Index(_, _, span) => {
                let diag = Diagnostic::error("the key variable cannot be an array element", span);
                self.report(diag);
                Err(Reported)
            }
        }
    }

    /// An array named without an index (`#lgcnt`, `$shell`).
    fn parse_array_name(&mut self) -> ParseResult<VarId> {
        let tok = self.peek();
        if !matches!(tok.kind, TokenKind::StrVar | TokenKind::NumVar) {
            return Err(self.unexpected("an array name such as `#counts`"));
        }
        self.bump();
        let (ty, name) = self.sigil_name(tok);
        if super::expr::special_variable(name).is_some() {
            let diag =
                Diagnostic::error(format!("`{}` is not an array", self.text_of(tok)), tok.span);
            self.report(diag);
            return Err(Reported);
        }
        Ok(self.var_ref(ty, name, tok.span))
    }

    /// `switch_stmt := "switch" expr { ("case" case_label | "default") block } ("endswitch" | "endsw")`
    fn parse_switch(&mut self) -> ParseResult<Stmt> {
        let kw = self.bump();
        let subject = self.parse_condition(kw);
        let span = kw.span.to(subject.span);
        self.switches += 1;
        let stray = self.parse_block();
        if let Some(first) = stray.first() {
            let diag = Diagnostic::error("statement before the first `case`", first.span)
                .with_help("the statements of a `switch` go under a `case` or `default`");
            self.report(diag);
        }
        let mut cases = Vec::new();
        let mut default_seen = false;
        loop {
            let tok = self.peek();
            match self.keyword(tok) {
                Some(Keyword::Case) => {
                    self.bump();
                    let label = self.parse_case_label();
                    let span = self.span_from(tok.span);
                    let body = self.parse_block();
                    if let Ok(label) = label {
                        cases.push(Case {
                            label: Some(label),
                            body,
                            span,
                        });
                    }
                }
                Some(Keyword::Default) => {
                    self.bump();
                    let body = self.parse_block();
                    if default_seen {
                        let diag = Diagnostic::error("second `default` in one `switch`", tok.span);
                        self.report(diag);
                    } else {
                        default_seen = true;
                        cases.push(Case {
                            label: None,
                            body,
                            span: tok.span,
                        });
                    }
                }
                Some(Keyword::EndSwitch) => {
                    self.bump();
                    break;
                }
                _ => {
                    self.report_unclosed(kw, "endswitch");
                    break;
                }
            }
        }
        self.switches -= 1;
        Ok(Stmt {
            kind: StmtKind::Switch { subject, cases },
            span,
        })
    }

    /// `case_label := ["-" | "+"] NUMBER | STRING`
    fn parse_case_label(&mut self) -> ParseResult<CaseLabel> {
        if let Some(tok) = self.accept(TokenKind::Str) {
            return Ok(CaseLabel::Str(self.literal_string(tok)));
        }
        let negative = if self.accept(TokenKind::Minus).is_some() {
            true
        } else {
            self.accept(TokenKind::Plus);
            false
        };
        let tok = self.peek();
        if tok.kind != TokenKind::Number {
            let err = self.unexpected("a number or a string after `case`");
            self.skip_until(Self::at_statement_boundary);
            return Err(err);
        }
        self.bump();
        let value = self.number_value(tok);
        Ok(CaseLabel::Num(if negative { -value } else { value }))
    }

    /// `control := "break" | ("continue" | "cont") | ("breakswitch" | "breaksw")
    ///           | "again" | "leave" | "redo" | "next" | "skip" expr | "last"`
    fn parse_control(&mut self, kw: Keyword) -> ParseResult<Stmt> {
        let tok = self.bump();
        let text = self.text_of(tok);
        let misplaced = match kw {
            Keyword::Break | Keyword::Continue if self.loops == 0 => {
                let diag = Diagnostic::error(format!("`{text}` outside a loop"), tok.span);
                Some(if kw == Keyword::Break && self.switches > 0 {
                    diag.with_help("leave a `switch` with `breakswitch`")
                } else {
                    diag
                })
            }
            Keyword::BreakSwitch if self.switches == 0 => Some(Diagnostic::error(
                format!("`{text}` outside a `switch`"),
                tok.span,
            )),
            Keyword::Again
            | Keyword::Leave
            | Keyword::Redo
            | Keyword::Next
            | Keyword::Skip
            | Keyword::Last
                if !self.in_rule =>
            {
                Some(
                    Diagnostic::error(format!("`{text}` outside a `rule` section"), tok.span)
                        .with_help(format!(
                        "`{text}` steers the loop over input lines, which runs the `rule` sections"
                    )),
                )
            }
            _ => None,
        };
        if let Some(diag) = misplaced {
            self.report(diag);
        }
        let kind = match kw {
            Keyword::Break => StmtKind::Break,
            Keyword::Continue => StmtKind::Continue,
            Keyword::BreakSwitch => StmtKind::BreakSwitch,
            Keyword::Again => StmtKind::Again,
            Keyword::Leave => StmtKind::Leave,
            Keyword::Redo => StmtKind::Redo,
            Keyword::Next => StmtKind::Next,
            Keyword::Skip => StmtKind::Skip(self.parse_expr()?),
            _ => StmtKind::Last,
        };
        Ok(Stmt {
            kind,
            span: self.span_from(tok.span),
        })
    }

    /// `stop := "pause" expr | "quit" | "die" [expr]`
    fn parse_stop(&mut self, kw: Keyword) -> ParseResult<Stmt> {
        let tok = self.bump();
        let kind = match kw {
            Keyword::Pause => StmtKind::Pause(self.parse_expr()?),
            Keyword::Quit => StmtKind::Quit,
            _ if self.next_starts_expression() => StmtKind::Die(Some(self.parse_expr()?)),
            _ => StmtKind::Die(None),
        };
        Ok(Stmt {
            kind,
            span: self.span_from(tok.span),
        })
    }

    /// `do_stmt := "do" call`
    fn parse_do(&mut self) -> ParseResult<Stmt> {
        let tok = self.bump();
        let expr = self.parse_expr()?;
        if !matches!(expr.kind, ExprKind::Call(..)) {
            let diag = Diagnostic::error("`do` needs a function call", expr.span)
                .with_label("this is not a function call");
            self.report(diag);
            return Err(Reported);
        }
        Ok(Stmt {
            kind: StmtKind::Do(expr),
            span: self.span_from(tok.span),
        })
    }

    /// `set_stmt := "set" assign`
    fn parse_set(&mut self) -> ParseResult<Stmt> {
        let tok = self.bump();
        let assign = self.parse_assign()?;
        Ok(Stmt {
            kind: StmtKind::Set(assign),
            span: self.span_from(tok.span),
        })
    }

    /// `unset_stmt := ("unset" | "delete") lvalue`
    fn parse_unset(&mut self) -> ParseResult<Stmt> {
        let tok = self.bump();
        let target = self.parse_lvalue(LValueUse::Unset)?;
        Ok(Stmt {
            kind: StmtKind::Unset(target),
            span: self.span_from(tok.span),
        })
    }

    /// `exec_stmt := ("exec" | "doexec") ["wait"] expr`
    fn parse_exec(&mut self, kw: Keyword) -> ParseResult<Stmt> {
        let tok = self.bump();
        let wait = self.accept_word("wait").is_some();
        let command = self.parse_expr()?;
        Ok(Stmt {
            kind: StmtKind::Exec {
                wait,
                force: kw == Keyword::Doexec,
                command,
            },
            span: self.span_from(tok.span),
        })
    }

    /// `output_stmt := "output" [ "mail" | "print" | "log" (expr | "piktlog" | "syslog") | "piktlog" | "syslog" ] expr`
    fn parse_output(&mut self) -> ParseResult<Stmt> {
        let tok = self.bump();
        let target = if self.accept_word("mail").is_some() {
            OutputTarget::Mail
        } else if self.accept_word("print").is_some() {
            OutputTarget::Print
        } else if self.accept_word("piktlog").is_some() {
            OutputTarget::PiktLog
        } else if self.accept_word("syslog").is_some() {
            OutputTarget::Syslog
        } else if self.accept_word("log").is_some() {
            if self.accept_word("piktlog").is_some() {
                OutputTarget::PiktLog
            } else if self.accept_word("syslog").is_some() {
                OutputTarget::Syslog
            } else {
                OutputTarget::Log(self.parse_expr()?)
            }
        } else {
            OutputTarget::Stdout
        };
        let message = self.parse_expr()?;
        Ok(Stmt {
            kind: StmtKind::Output { target, message },
            span: self.span_from(tok.span),
        })
    }

    /// `assign := lvalue ASSIGN_OP expr`
    pub(super) fn parse_assign(&mut self) -> ParseResult<Assign> {
        let target = self.parse_lvalue(LValueUse::Assign)?;
        let tok = self.peek();
        let Some(op) = assign_op(tok.kind) else {
            let help = (tok.kind == TokenKind::EqEq).then_some("assign with `=`; `==` compares");
            return Err(
                self.unexpected_with_help("an assignment operator such as `=` or `+=`", help)
            );
        };
        self.bump();
        let value = self.parse_expr()?;
        self.res.mark_written(target.var(), target.span());
        let span = target.span().to(value.span);
        Ok(Assign {
            target,
            op,
            value,
            span,
        })
    }

    /// `lvalue := SVAR | NVAR | SVAR "[" expr "]" | NVAR "[" expr "]"`
    pub(super) fn parse_lvalue(&mut self, purpose: LValueUse) -> ParseResult<LValue> {
        let tok = self.peek();
        let verb = purpose.verb();
        let text = self.text_of(tok);
        let refusal = match tok.kind {
            TokenKind::StrVar | TokenKind::NumVar => return self.parse_variable_lvalue(purpose),
            TokenKind::History => Some("history values are read-only"),
            TokenKind::Previous => Some("previous-line values are read-only"),
            TokenKind::Handle => Some("handles are set by `#fopen` and `#popen`"),
            TokenKind::Field | TokenKind::FieldOpen => Some("fields are set by `#split`"),
            TokenKind::StrCall | TokenKind::NumCall => Some("a function call has no storage"),
            _ => None,
        };
        match refusal {
            Some(why) => {
                self.bump();
                let what = if tok.kind == TokenKind::Handle {
                    format!("handle `{text}`")
                } else {
                    format!("`{text}`")
                };
                let diag =
                    Diagnostic::error(format!("cannot {verb} {what}"), tok.span).with_label(why);
                self.report(diag);
                Err(Reported)
            }
            None => Err(self.unexpected("a variable")),
        }
    }

    fn parse_variable_lvalue(&mut self, purpose: LValueUse) -> ParseResult<LValue> {
        let tok = self.bump();
        let verb = purpose.verb();
        let text = self.text_of(tok);
        let (ty, name) = self.sigil_name(tok);
        if super::expr::special_variable(name).is_some() && ty == VarType::Str {
            let diag = Diagnostic::error(format!("cannot {verb} `{text}`"), tok.span)
                .with_label("special variables are set by the interpreter");
            self.report(diag);
            return Err(Reported);
        }
        let id = self.var_ref(ty, name, tok.span);
        if self.res.info(id).is_some_and(|info| info.is_dat) {
            let diag = Diagnostic::error(format!("cannot {verb} `{text}`"), tok.span)
                .with_label("`dat` variables are read-only");
            self.report(diag);
            return Err(Reported);
        }
        if !self.next_is(TokenKind::LBracket) {
            return Ok(LValue::Var(id, tok.span));
        }
        let index = self.parse_index(tok)?;
        let span = self.span_from(tok.span);
        Ok(LValue::Index(id, Box::new(index), span))
    }

    /// True if the current token can start an expression.
    pub(super) fn next_starts_expression(&self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Number
                | TokenKind::Str
                | TokenKind::StrVar
                | TokenKind::NumVar
                | TokenKind::StrCall
                | TokenKind::NumCall
                | TokenKind::History
                | TokenKind::Previous
                | TokenKind::Field
                | TokenKind::FieldOpen
                | TokenKind::LParen
                | TokenKind::Minus
                | TokenKind::Plus
                | TokenKind::Bang
                | TokenKind::Tilde
                | TokenKind::FileTest
        )
    }
}
