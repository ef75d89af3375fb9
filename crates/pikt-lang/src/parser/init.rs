//! The `init` section (reference §4.3): literal strings, no expressions.

use pikt_source::{Diagnostic, Span};

use super::{ParseResult, Parser, Reported};
use crate::ast::{Dat, DatSpec, Init, Input, InputKind, Level, Status};
use crate::keyword::Keyword;
use crate::string_lit::{self, Piece};
use crate::token::Token;
use crate::token_kind::TokenKind;

impl Parser<'_> {
    /// `init_body := { init_stmt }`
    pub(super) fn parse_init_body(&mut self, init: &mut Init) {
        while !self.at_section_boundary() {
            let tok = self.peek();
            match self.keyword(tok) {
                Some(kw) if kw.is_init_statement() => {
                    if self.parse_init_stmt(kw, init).is_err() {
                        self.skip_until(Self::at_init_boundary);
                    }
                }
                _ => {
                    self.report_not_init(tok);
                    self.bump();
                    self.skip_until(Self::at_init_boundary);
                }
            }
        }
    }

    fn report_not_init(&mut self, tok: Token) {
        if tok.kind == TokenKind::Unknown {
            return;
        }
        let help = if self.keyword(tok).is_some() {
            "statements go in a `begin`, `rule` or `end` section; is `begin` missing?"
        } else {
            "`init` takes `status`, `level`, `task`, `input`, `filter`, `seps`, `dat` and `keys`"
        };
        let diag = Diagnostic::error(
            format!("expected an `init` statement, found {}", self.describe(tok)),
            self.error_span(tok),
        )
        .with_help(help);
        self.report(diag);
    }

    /// `init_stmt := status | level | task | input | filter | seps | dat | keys`
    fn parse_init_stmt(&mut self, kw: Keyword, init: &mut Init) -> ParseResult<()> {
        match kw {
            Keyword::Status => self.parse_status(init),
            Keyword::Level => self.parse_level(init),
            Keyword::Task => {
                let tok = self.bump();
                let value = self.expect_literal("a string after `task`")?;
                self.set_once(&mut init.task, value, tok, "task");
                Ok(())
            }
            Keyword::Input => self.parse_input(init),
            Keyword::Filter => {
                let tok = self.bump();
                let value = self.expect_literal("a string after `filter`")?;
                self.set_once(&mut init.filter, value, tok, "filter");
                Ok(())
            }
            Keyword::Seps => {
                let tok = self.bump();
                let what = format!("a string after `{}`", self.text_of(tok));
                let value = self.expect_literal(&what)?;
                self.set_once(&mut init.seps, value, tok, "seps");
                Ok(())
            }
            Keyword::Dat => self.parse_dat(init),
            _ => self.parse_keys(init),
        }
    }

    /// Stores `value` in `slot` with the statement's span, or reports a
    /// duplicate.
    fn set_once<T>(&mut self, slot: &mut Option<(T, Span)>, value: T, kw: Token, name: &str) {
        let span = self.span_from(kw.span);
        if slot.is_some() {
            self.report(
                Diagnostic::error(format!("duplicate `{name}`"), span)
                    .with_label(format!("`{name}` is already set in this `init` section")),
            );
        } else {
            *slot = Some((value, span));
        }
    }

    /// A literal string (no interpolation), e.g. after `task`.
    fn expect_literal(&mut self, what: &str) -> ParseResult<String> {
        let tok = self.expect(TokenKind::Str, what)?;
        Ok(self.literal_string(tok))
    }

    /// The value of a literal string token (escapes applied, nothing
    /// interpolated).
    pub(crate) fn literal_string(&self, tok: Token) -> String {
        string_lit::decode(self.text, tok.span, false)
            .pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Lit(text) => text,
                _ => String::new(),
            })
            .collect()
    }

    /// An init word's value (`active`, `urgent`...).
    fn expect_value_word(&mut self, what: &str) -> ParseResult<Token> {
        let tok = self.peek();
        if matches!(tok.kind, TokenKind::Word | TokenKind::Handle) && !self.at_init_boundary() {
            return Ok(self.bump());
        }
        Err(self.unexpected(what))
    }

    /// `status := "status" ("active" | "inactive" | "suspended" | "testing" | "debugging")`
    fn parse_status(&mut self, init: &mut Init) -> ParseResult<()> {
        let kw = self.bump();
        let tok = self.expect_value_word("a status after `status`")?;
        let status = match Status::from_word(self.text_of(tok)) {
            Some(status) => status,
            None => {
                let other = self.text_of(tok);
                let diag = Diagnostic::error(format!("unknown status `{other}`"), tok.span)
                    .with_help(
                        "a status is `active`, `inactive`, `suspended`, `testing` or `debugging`",
                    );
                self.report(diag);
                return Ok(());
            }
        };
        self.set_once(&mut init.status, status, kw, "status");
        Ok(())
    }

    /// `level := "level" ("emergency" | "urgent" | "alert" | "critical" | "error" | "warning" | "notice" | "info" | "debug")`
    fn parse_level(&mut self, init: &mut Init) -> ParseResult<()> {
        let kw = self.bump();
        let tok = self.expect_value_word("a level after `level`")?;
        let level = match Level::from_word(self.text_of(tok)) {
            Some(level) => level,
            None => {
                let other = self.text_of(tok);
                let diag = Diagnostic::error(format!("unknown level `{other}`"), tok.span)
                    .with_help(
                        "a level is `emergency`, `urgent` (or `alert`), `critical`, `error`, \
                         `warning`, `notice`, `info` or `debug`",
                    );
                self.report(diag);
                return Ok(());
            }
        };
        self.set_once(&mut init.level, level, kw, "level");
        Ok(())
    }

    /// `input := "input" ("proc" | "process" | "file") STRING | "input" "logfile" STRING [STRING]`
    fn parse_input(&mut self, init: &mut Init) -> ParseResult<()> {
        let kw = self.bump();
        let tok = self.expect_value_word("`proc`, `file` or `logfile` after `input`")?;
        let kind = match self.text_of(tok) {
            "proc" | "process" => InputKind::Proc,
            "file" => InputKind::File,
            "logfile" => InputKind::Logfile,
            other => {
                let diag = Diagnostic::error(format!("unknown input kind `{other}`"), tok.span)
                    .with_help("`input` takes `proc`, `file` or `logfile` and a string");
                self.report(diag);
                return Err(Reported);
            }
        };
        let what = format!("a string after `input {}`", self.text_of(tok));
        let source = self.expect_literal(&what)?;
        let rotated = match (kind, self.accept(TokenKind::Str)) {
            (InputKind::Logfile, Some(tok)) => Some(self.literal_string(tok)),
            (_, Some(tok)) => {
                let diag = Diagnostic::error("unexpected second string", tok.span)
                    .with_label("only `input logfile` takes a second string");
                self.report(diag);
                None
            }
            (_, None) => None,
        };
        let span = self.span_from(kw.span);
        if init.input.is_some() {
            self.report(
                Diagnostic::error("duplicate `input`", span).with_label("a script reads one input"),
            );
        } else {
            init.input = Some(Input {
                kind,
                source,
                rotated,
                span,
            });
        }
        Ok(())
    }

    /// `dat := ("dat" | "data") VAR (NUMBER | "$" | NUMBER "-" NUMBER)`
    fn parse_dat(&mut self, init: &mut Init) -> ParseResult<()> {
        let kw = self.bump();
        let tok = self.peek();
        if !matches!(tok.kind, TokenKind::StrVar | TokenKind::NumVar) {
            let what = format!("a variable after `{}`", self.text_of(kw));
            return Err(self.unexpected(&what));
        }
        self.bump();
        let (ty, name) = self.sigil_name(tok);
        if super::expr::special_variable(name).is_some() {
            let diag = Diagnostic::error(
                format!("cannot bind `{}` with `dat`", self.text_of(tok)),
                tok.span,
            )
            .with_label("special variables are set by the interpreter");
            self.report(diag);
            return Err(Reported);
        }
        let var = self.var_ref(ty, name, tok.span);
        let spec = self.parse_dat_spec(tok)?;
        let span = self.span_from(kw.span);
        if self.res.info(var).is_some_and(|info| info.is_dat) {
            let diag = Diagnostic::error(
                format!("`{}` is already bound by `dat`", self.text_of(tok)),
                tok.span,
            );
            self.report(diag);
            return Ok(());
        }
        self.res.mark_dat(var);
        self.res.mark_written(var, tok.span);
        init.dats.push(Dat { var, spec, span });
        Ok(())
    }

    /// `dat_spec := NUMBER | "$" | "$-" NUMBER | NUMBER "-" NUMBER`
    fn parse_dat_spec(&mut self, var: Token) -> ParseResult<DatSpec> {
        if let Some(dollar) = self.accept(TokenKind::Dollar) {
            return self.parse_from_end(dollar);
        }
        if !self.next_is(TokenKind::Number) {
            let what = format!(
                "a field number, `$` or a column range `m-n` after `{}`",
                self.text_of(var)
            );
            return Err(self.unexpected(&what));
        }
        let first = self.bump();
        let from = self.dat_number(first)?;
        if self.next_is(TokenKind::Minus) && self.peek_at(1).kind == TokenKind::Number {
            self.bump();
            let last = self.bump();
            let to = self.dat_number(last)?;
            if to < from {
                let span = first.span.to(last.span);
                let diag = Diagnostic::error("empty column range", span)
                    .with_label("the first column is after the last");
                self.report(diag);
                return Err(Reported);
            }
            return Ok(DatSpec::Columns(from, to));
        }
        Ok(DatSpec::Field(from))
    }

    /// After the `$` of a `dat` spec: `-N` written right after it counts N
    /// fields back from the last one (`$-1` is the field before the last).
    fn parse_from_end(&mut self, dollar: Token) -> ParseResult<DatSpec> {
        let minus = self.peek();
        let number = self.peek_at(1);
        if minus.kind != TokenKind::Minus
            || number.kind != TokenKind::Number
            || minus.span.start != dollar.span.end
            || number.span.start != minus.span.end
        {
            return Ok(DatSpec::FromEnd(0));
        }
        self.bump();
        self.bump();
        match self.text_of(number).parse::<u32>() {
            Ok(n) => Ok(DatSpec::FromEnd(n)),
            Err(_) => {
                let diag = Diagnostic::error("invalid field count", number.span)
                    .with_label("`$-N` counts N whole fields back from the last one");
                self.report(diag);
                Err(Reported)
            }
        }
    }

    fn dat_number(&mut self, tok: Token) -> ParseResult<u32> {
        match self.text_of(tok).parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => {
                let diag = Diagnostic::error("invalid field or column number", tok.span)
                    .with_label("fields and columns are whole numbers from 1");
                self.report(diag);
                Err(Reported)
            }
        }
    }

    /// `keys := "keys" VAR { VAR }`
    fn parse_keys(&mut self, init: &mut Init) -> ParseResult<()> {
        self.bump();
        let mut any = false;
        while matches!(self.peek().kind, TokenKind::StrVar | TokenKind::NumVar) {
            let tok = self.bump();
            any = true;
            let (ty, name) = self.sigil_name(tok);
            match self.res.existing(ty, name) {
                Some(id) if self.res.info(id).is_some_and(|info| info.is_dat) => {
                    init.keys.push(id);
                }
                _ => {
                    let diag = Diagnostic::error(
                        format!(
                            "`keys` names `{}`, which is not a `dat` variable",
                            self.text_of(tok)
                        ),
                        tok.span,
                    )
                    .with_help("`keys` takes variables bound by earlier `dat` lines");
                    self.report(diag);
                }
            }
        }
        if any {
            Ok(())
        } else {
            Err(self.unexpected("a `dat` variable after `keys`"))
        }
    }
}
