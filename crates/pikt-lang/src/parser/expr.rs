//! Expressions (reference §4.7), function calls, variables and strings.
//!
//! Binary operators are parsed by precedence climbing over
//! [`binary_precedence`] (the table of `GRAMMAR.md`); an expression ends at
//! the first token that cannot continue it, which is how statements manage
//! without terminators.

use pikt_source::{Diagnostic, Span};

use super::{ParseResult, Parser, Reported};
use crate::ast::{BinaryOp, Expr, ExprKind, Special, StrPart, UnaryOp, VarId, VarType};
use crate::builtins::{self, ArgKind, BuiltinInfo};
use crate::lexer;
use crate::string_lit::{self, Piece};
use crate::suggest;
use crate::token::Token;
use crate::token_kind::TokenKind;

/// The level of `**`, the tightest binary operator (right associative).
pub(crate) const POW_PRECEDENCE: u8 = 11;

/// The precedence of a binary operator: higher binds tighter
/// (`||` is 1, `**` is [`POW_PRECEDENCE`]).
pub(crate) fn binary_precedence(op: BinaryOp) -> u8 {
    use BinaryOp as B;
    match op {
        B::Or => 1,
        B::And => 2,
        B::BitOr => 3,
        B::BitXor => 4,
        B::BitAnd => 5,
        B::Eq
        | B::Ne
        | B::StrEq
        | B::StrNe
        | B::Match
        | B::NotMatch
        | B::MatchNoCase
        | B::NotMatchNoCase => 6,
        B::Lt | B::Gt | B::Le | B::Ge | B::StrLt | B::StrGt | B::StrLe | B::StrGe => 7,
        B::Shl | B::Shr => 8,
        B::Add | B::Sub | B::Concat => 9,
        B::Mul | B::Div | B::Rem => 10,
        B::Pow => POW_PRECEDENCE,
    }
}

/// The special variable called `name` (`inline`, `rdlin`, ...), if any.
pub(crate) fn special_variable(name: &str) -> Option<Special> {
    match name {
        "inline" | "inlin" | "il" => Some(Special::Inline),
        "readline" | "rdlin" | "rl" => Some(Special::Readline),
        _ => None,
    }
}

/// The handle-taking functions, for messages (`#fopen`, `#read`, ...).
fn handle_functions() -> String {
    let names: Vec<String> = builtins::BUILTINS
        .iter()
        .filter(|info| info.handle_first)
        .map(|info| format!("`{}`", info.display()))
        .collect();
    names.join(", ")
}

/// "no arguments", "1 argument", "1 or 2 arguments", "at least 1 argument"...
fn arity_text(min: usize, max: usize) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    if max == usize::MAX {
        format!("at least {min} {}", plural(min))
    } else if max == 0 {
        "no arguments".to_string()
    } else if min == max {
        format!("{min} {}", plural(min))
    } else if max == min + 1 {
        format!("{min} or {max} arguments")
    } else {
        format!("{min} to {max} arguments")
    }
}

impl Parser<'_> {
    /// `expr := unary { BINARY_OP unary }` by precedence climbing.
    pub(crate) fn parse_expr(&mut self) -> ParseResult<Expr> {
        self.parse_binary(1)
    }

    /// The binary operator at `tok` and its precedence.
    fn binary_op(&self, tok: Token) -> Option<BinaryOp> {
        use BinaryOp as B;
        use TokenKind as T;
        Some(match tok.kind {
            T::OrOr => B::Or,
            T::AndAnd => B::And,
            T::Pipe => B::BitOr,
            T::Caret => B::BitXor,
            T::Amp => B::BitAnd,
            T::EqEq => B::Eq,
            T::BangEq | T::LtGt => B::Ne,
            T::Match => B::Match,
            T::NotMatch => B::NotMatch,
            T::MatchNoCase => B::MatchNoCase,
            T::NotMatchNoCase => B::NotMatchNoCase,
            T::Lt | T::NotGe => B::Lt,
            T::Gt | T::NotLe => B::Gt,
            T::Le | T::NotGt => B::Le,
            T::Ge | T::NotLt => B::Ge,
            T::Shl => B::Shl,
            T::Shr => B::Shr,
            T::Plus => B::Add,
            T::Minus => B::Sub,
            T::Dot => B::Concat,
            T::Star => B::Mul,
            T::Slash => B::Div,
            T::Percent => B::Rem,
            T::Pow => B::Pow,
            T::Word => match self.text_of(tok) {
                "eq" => B::StrEq,
                "ne" => B::StrNe,
                "lt" => B::StrLt,
                "gt" => B::StrGt,
                "le" => B::StrLe,
                "ge" => B::StrGe,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn parse_binary(&mut self, min: u8) -> ParseResult<Expr> {
        let mut lhs = self.parse_unary()?;
        while let Some(op) = self.binary_op(self.peek()) {
            let precedence = binary_precedence(op);
            if precedence < min {
                break;
            }
            let tok = self.bump();
            let next_min = if op == BinaryOp::Pow {
                precedence
            } else {
                precedence + 1
            };
            let rhs = self.nested(tok.span, |p| p.parse_binary(next_min))?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        Ok(lhs)
    }

    /// `unary := ("!" | "~" | "-" | "+" | FILE_TEST) unary | primary`
    fn parse_unary(&mut self) -> ParseResult<Expr> {
        let tok = self.peek();
        let op = match tok.kind {
            TokenKind::Bang => UnaryOp::Not,
            TokenKind::Tilde => UnaryOp::BitNot,
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Plus => UnaryOp::Plus,
            TokenKind::FileTest => {
                UnaryOp::FileTest(self.text_of(tok).chars().nth(1).unwrap_or('e'))
            }
            _ => return self.parse_primary(),
        };
        self.bump();
        let operand = self.nested(tok.span, Self::parse_unary)?;
        let span = tok.span.to(operand.span);
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            span,
        })
    }

    /// `primary := NUMBER | STRING | variable | call | history | previous
    ///           | FIELD | "$[" expr "]" | "(" expr ")"`
    fn parse_primary(&mut self) -> ParseResult<Expr> {
        let tok = self.peek();
        match tok.kind {
            TokenKind::Number => {
                self.bump();
                Ok(Expr {
                    kind: ExprKind::Num(self.number_value(tok)),
                    span: tok.span,
                })
            }
            TokenKind::Str => Ok(self.parse_string()),
            TokenKind::StrVar | TokenKind::NumVar => self.parse_variable(),
            TokenKind::StrCall | TokenKind::NumCall => {
                self.bump();
                self.parse_call(tok)
            }
            TokenKind::History | TokenKind::Previous => self.parse_history(),
            TokenKind::Field => {
                self.bump();
                let digits = self.text_of(tok).get(1..).unwrap_or("");
                self.field(digits, tok.span)
            }
            TokenKind::FieldOpen => {
                self.bump();
                let index = self.nested(tok.span, Self::parse_expr)?;
                self.expect(TokenKind::RBracket, "`]`")?;
                Ok(Expr {
                    kind: ExprKind::FieldExpr(Box::new(index)),
                    span: self.span_from(tok.span),
                })
            }
            TokenKind::LParen => {
                self.bump();
                let mut inner = self.nested(tok.span, Self::parse_expr)?;
                self.expect(TokenKind::RParen, "`)`")?;
                inner.span = self.span_from(tok.span);
                Ok(inner)
            }
            TokenKind::Handle => {
                self.bump();
                let name = self.text_of(tok);
                let diag =
                    Diagnostic::error(format!("handle `{name}` cannot be used here"), tok.span)
                        .with_help(format!(
                            "a handle is only the first argument of {}",
                            handle_functions()
                        ));
                self.report(diag);
                let id = self.res.handle(name);
                Ok(Expr {
                    kind: ExprKind::Handle(id),
                    span: tok.span,
                })
            }
            TokenKind::Percent => Err(self.unexpected_with_help(
                "an expression",
                Some("`%name` (no space) is a value from the previous run"),
            )),
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// The value of a number token (digits with an optional fraction); a
    /// percent literal is its number divided by 100 (`10%` is 0.1).
    pub(crate) fn number_value(&self, tok: Token) -> f64 {
        let text = self.text_of(tok);
        match text.strip_suffix('%') {
            Some(digits) => digits.parse::<f64>().unwrap_or(0.0) / 100.0,
            None => text.parse::<f64>().unwrap_or(0.0),
        }
    }

    /// `$12` with `digits` = `12`.
    fn field(&mut self, digits: &str, span: Span) -> ParseResult<Expr> {
        match digits.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Expr {
                kind: ExprKind::Field(n),
                span,
            }),
            _ => {
                let diag = Diagnostic::error("invalid field number", span)
                    .with_label("fields of `#split` are numbered from 1");
                self.report(diag);
                Err(Reported)
            }
        }
    }

    /// The slot of variable `sigil name`; a reserved name is reported when
    /// the variable is first seen.
    pub(crate) fn var_ref(&mut self, ty: VarType, name: &str, span: Span) -> VarId {
        // Names are checked when first seen; later uses find the slot.
        if let Some(id) = self.res.existing(ty, name) {
            return id;
        }
        let reserved = if builtins::is_reserved(name) {
            Some(if name == "keys" {
                "`keys` is a reserved word".to_string()
            } else {
                format!("`{name}` is the name of a PIKT function")
            })
        } else if special_variable(name).is_some() {
            Some(format!("`${name}` is a special string variable"))
        } else {
            None
        };
        if let Some(why) = reserved {
            let sigil = if ty == VarType::Num { '#' } else { '$' };
            let diag = Diagnostic::error(
                format!("`{sigil}{name}` cannot be a variable name"),
                span,
            )
            .with_label(why)
            .with_help(
                "names of functions and special variables are reserved; rename the variable",
            );
            self.report(diag);
        }
        self.res.var(ty, name, span)
    }

    /// A variable, special variable or array element; also catches a space
    /// before `(` or `[`.
    ///
    /// `variable := SVAR | NVAR | SVAR "[" expr "]" | NVAR "[" expr "]"`
    fn parse_variable(&mut self) -> ParseResult<Expr> {
        let tok = self.bump();
        let (ty, name) = self.sigil_name(tok);
        let next = self.peek();
        let is_function = |name| builtins::lookup(ty, name).is_some() || name == "keys";
        if next.kind == TokenKind::LParen && is_function(name) {
            self.report_space_before(tok, next);
            return self.parse_call(tok);
        }
        let expr = self.var_expr(ty, name, tok.span)?;
        if !self.next_is(TokenKind::LBracket) {
            return Ok(expr);
        }
        match expr.kind {
            ExprKind::Var(id) => {
                let index = self.parse_index(tok)?;
                Ok(Expr {
                    kind: ExprKind::Index(id, Box::new(index)),
                    span: self.span_from(tok.span),
                })
            }
            _ => {
                let diag = Diagnostic::error(
                    format!("`{}` cannot be indexed", self.text_of(tok)),
                    self.peek().span,
                );
                self.report(diag);
                Err(Reported)
            }
        }
    }

    /// `$name`/`#name` as an expression: a special variable or a variable.
    fn var_expr(&mut self, ty: VarType, name: &str, span: Span) -> ParseResult<Expr> {
        if let Some(special) = special_variable(name) {
            if ty == VarType::Num {
                let diag = Diagnostic::error(format!("`#{name}` is not a variable"), span)
                    .with_help(format!("the special variable is the string `${name}`"));
                self.report(diag);
                return Err(Reported);
            }
            return Ok(Expr {
                kind: ExprKind::Special(special),
                span,
            });
        }
        let id = self.var_ref(ty, name, span);
        Ok(Expr {
            kind: ExprKind::Var(id),
            span,
        })
    }

    /// `"[" expr "]"` right after the array name `name_tok` (the current
    /// token is the `[`); a space before it is reported and forgiven.
    pub(crate) fn parse_index(&mut self, name_tok: Token) -> ParseResult<Expr> {
        let open = self.bump();
        if !Self::adjacent(name_tok, open) {
            self.report_space_before(name_tok, open);
        }
        let index = self.nested(open.span, Self::parse_expr)?;
        self.expect(TokenKind::RBracket, "`]`")?;
        Ok(index)
    }

    /// Reports white space between a name and its `(` or `[` (illegal since
    /// PIKT 1.14, reference §6).
    fn report_space_before(&mut self, name: Token, open: Token) {
        let gap = Span::new(self.file, name.span.end as usize, open.span.start as usize);
        let text = self.text_of(name);
        let bracket = self.text_of(open);
        let what = if bracket == "(" {
            "a function call"
        } else {
            "an array index"
        };
        let diag = Diagnostic::error(format!("space before the `{bracket}` of {what}"), gap)
            .with_label("remove this space")
            .with_help(format!("write `{text}{bracket}` with no space between"));
        self.report(diag);
    }

    /// `call := ("$" | "#") NAME "(" [ arg { "," arg } ] ")"` with the name
    /// token `name_tok` already consumed.
    fn parse_call(&mut self, name_tok: Token) -> ParseResult<Expr> {
        let (ty, name) = self.sigil_name(name_tok);
        let text = self.text_of(name_tok);
        let open = self.expect(TokenKind::LParen, "`(`")?;
        let info = builtins::lookup(ty, name);
        if info.is_none() {
            self.report_unknown_function(name_tok, ty, name);
            // Parse the arguments anyway, to report what is wrong in them.
            self.parse_args(None, open)?;
            self.expect(TokenKind::RParen, "`)`")?;
            return Err(Reported);
        }
        let args = self.parse_args(info, open)?;
        self.expect(TokenKind::RParen, "`)` or `,`")?;
        let span = self.span_from(name_tok.span);
        let Some(info) = info else {
            return Err(Reported);
        };
        if args.len() < info.min_args || args.len() > info.max_args {
            let diag = Diagnostic::error(
                format!(
                    "`{text}` takes {}",
                    arity_text(info.min_args, info.max_args)
                ),
                span,
            )
            .with_label(format!("called with {}", args.len()));
            self.report(diag);
        }
        Ok(Expr {
            kind: ExprKind::Call(info.builtin, args),
            span,
        })
    }

    fn report_unknown_function(&mut self, tok: Token, ty: VarType, name: &str) {
        let text = self.text_of(tok);
        let mut diag = Diagnostic::error(format!("unknown function `{text}`"), tok.span);
        if ty == VarType::Num && name == "keys" {
            diag = Diagnostic::error("`#keys` outside `foreach` or `for ... in`", tok.span)
                .with_help("visit the keys of an array with `foreach #keys($k, #array)`");
        } else if let Some(help) = suggest::function_suggestion(ty, name) {
            diag = diag.with_help(help);
        }
        self.report(diag);
    }

    /// `args := [ arg { "," arg } ]`, `arg := HANDLE | expr`
    fn parse_args(&mut self, info: Option<&BuiltinInfo>, open: Token) -> ParseResult<Vec<Expr>> {
        let mut args = Vec::new();
        if self.next_is(TokenKind::RParen) {
            return Ok(args);
        }
        loop {
            let wants_handle =
                info.is_some_and(|info| info.arg_kind(args.len()) == ArgKind::Handle);
            // The arguments of an unknown function may be handles: accept them
            // quietly rather than pile errors on the one already reported.
            let unknown_handle = info.is_none() && self.next_is(TokenKind::Handle);
            let arg = if wants_handle || unknown_handle {
                self.parse_handle_arg(info)?
            } else {
                self.nested(open.span, Self::parse_expr)?
            };
            args.push(arg);
            if self.accept(TokenKind::Comma).is_none() {
                return Ok(args);
            }
        }
    }

    /// The handle argument of `#fopen`, `#read`, ...
    fn parse_handle_arg(&mut self, info: Option<&BuiltinInfo>) -> ParseResult<Expr> {
        if let Some(tok) = self.accept(TokenKind::Handle) {
            let id = self.res.handle(self.text_of(tok));
            return Ok(Expr {
                kind: ExprKind::Handle(id),
                span: tok.span,
            });
        }
        let start = self.peek();
        let expr = self.nested(start.span, Self::parse_expr)?;
        let function = info.map_or_else(String::new, BuiltinInfo::display);
        let diag = Diagnostic::error(
            format!("`{function}` needs a handle as its first argument"),
            expr.span,
        )
        .with_label("not a handle")
        .with_help("a handle is an all-caps name such as `FILE`");
        self.report(diag);
        Ok(expr)
    }

    /// `history := "%" NAME | "%$" NAME | "%#" NAME`,
    /// `previous := "@" NAME | "@$" NAME | "@#" NAME`
    fn parse_history(&mut self) -> ParseResult<Expr> {
        let tok = self.bump();
        let text = self.text_of(tok);
        let history = tok.kind == TokenKind::History;
        let prefix = if history { '%' } else { '@' };
        let rest = text.get(1..).unwrap_or("");
        let (ty, name) = match rest.as_bytes().first() {
            Some(b'$') => (Some(VarType::Str), rest.get(1..).unwrap_or("")),
            Some(b'#') => (Some(VarType::Num), rest.get(1..).unwrap_or("")),
            _ => (None, rest),
        };
        if special_variable(name).is_some() || builtins::is_reserved(name) {
            let diag = Diagnostic::error(format!("`{text}` names no variable"), tok.span)
                .with_label(format!("`{name}` is reserved"));
            self.report(diag);
            return Err(Reported);
        }
        let id = match ty {
            Some(ty) => self.var_ref(ty, name, tok.span),
            None => self.res.pending(prefix, name, tok.span),
        };
        let next = self.peek();
        if next.kind == TokenKind::LBracket && Self::adjacent(tok, next) {
            let diag = Diagnostic::error(format!("`{text}` cannot be indexed"), next.span)
                .with_help("values from the previous run (`%`) or line (`@`) are kept for scalar variables only");
            self.report(diag);
            return Err(Reported);
        }
        let kind = if history {
            ExprKind::History(id)
        } else {
            ExprKind::Previous(id)
        };
        Ok(Expr {
            kind,
            span: tok.span,
        })
    }

    // ---------------------------------------------------------------
    // Strings
    // ---------------------------------------------------------------

    /// A string with its interpolations; problems inside are reported and the
    /// faulty pieces dropped, so the statement around still parses.
    ///
    /// `string := '"' { CHAR | interpolation } '"'` (see `GRAMMAR.md`, Strings)
    fn parse_string(&mut self) -> Expr {
        let tok = self.bump();
        let decoded = string_lit::decode(self.text, tok.span, true);
        for diag in decoded.errors {
            self.report(diag);
        }
        let mut parts: Vec<StrPart> = Vec::new();
        for piece in decoded.pieces {
            match piece {
                Piece::Lit(text) => parts.push(StrPart::Lit(text)),
                other => {
                    if let Ok(expr) = self.interpolation(other) {
                        parts.push(StrPart::Expr(expr));
                    }
                }
            }
        }
        let kind = if parts.iter().all(|p| matches!(p, StrPart::Lit(_))) {
            ExprKind::Str(
                parts
                    .into_iter()
                    .map(|p| match p {
                        StrPart::Lit(text) => text,
                        StrPart::Expr(_) => String::new(),
                    })
                    .collect(),
            )
        } else {
            ExprKind::Interp(parts)
        };
        Expr {
            kind,
            span: tok.span,
        }
    }

    /// The expression of one interpolated piece.
    fn interpolation(&mut self, piece: Piece) -> ParseResult<Expr> {
        match piece {
            Piece::Lit(text) => Ok(Expr {
                kind: ExprKind::Str(text),
                span: Span::default(),
            }),
            Piece::Var { ty, name, span } => self.var_expr(ty, &name, span),
            Piece::Field(digits, span) => self.field(&digits, span),
            Piece::Index {
                ty,
                name,
                name_span,
                inner,
                span,
            } => {
                let array = self.var_expr(ty, &name, name_span)?;
                let ExprKind::Var(id) = array.kind else {
                    let diag = Diagnostic::error(format!("`${name}` cannot be indexed"), span);
                    self.report(diag);
                    return Err(Reported);
                };
                let index = self.sub_parse(inner.0, inner.1, Self::parse_expr)?;
                Ok(Expr {
                    kind: ExprKind::Index(id, Box::new(index)),
                    span,
                })
            }
            Piece::Call(start, end) => self.sub_parse(start, end, |p| {
                let tok = p.peek();
                if matches!(tok.kind, TokenKind::StrCall | TokenKind::NumCall) {
                    p.bump();
                    p.parse_call(tok)
                } else {
                    Err(p.unexpected("a function call"))
                }
            }),
            Piece::FieldExpr((start, end), span) => {
                let index = self.sub_parse(start, end, Self::parse_expr)?;
                Ok(Expr {
                    kind: ExprKind::FieldExpr(Box::new(index)),
                    span,
                })
            }
            Piece::History { ty, name, span } => {
                let text = self.map_text(span);
                let id = self.res.pending_in_string(ty, &name, &text, span);
                Ok(Expr {
                    kind: ExprKind::History(id),
                    span,
                })
            }
        }
    }

    /// The source text of `span` in the file being parsed.
    fn map_text(&self, span: Span) -> String {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .to_string()
    }

    /// Parses `text[start..end]` (inside a string) with `f`, sharing this
    /// parser's symbols and diagnostics; all of it must be used.
    fn sub_parse<T>(
        &mut self,
        start: usize,
        end: usize,
        f: impl FnOnce(&mut Self) -> ParseResult<T>,
    ) -> ParseResult<T> {
        let (tokens, diags) = lexer::lex_range(self.text, self.file, start, end);
        for diag in diags {
            self.report(diag);
        }
        let tokens = tokens.into_iter().filter(|t| !t.kind.is_trivia()).collect();
        let saved_tokens = std::mem::replace(&mut self.tokens, tokens);
        let saved_pos = std::mem::replace(&mut self.pos, 0);
        let saved_end = self.last_end;
        let saved_flag = std::mem::replace(&mut self.in_interpolation, true);
        let at = Span::new(self.file, start, end);
        let mut result = self.nested(at, f);
        if result.is_ok() && !self.at_eof() {
            result = Err(self.unexpected("the end of the interpolation"));
        }
        self.tokens = saved_tokens;
        self.pos = saved_pos;
        self.last_end = saved_end;
        self.in_interpolation = saved_flag;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arity_texts() {
        assert_eq!(arity_text(0, 0), "no arguments");
        assert_eq!(arity_text(1, 1), "1 argument");
        assert_eq!(arity_text(3, 3), "3 arguments");
        assert_eq!(arity_text(1, 2), "1 or 2 arguments");
        assert_eq!(arity_text(1, 3), "1 to 3 arguments");
        assert_eq!(arity_text(1, usize::MAX), "at least 1 argument");
    }

    #[test]
    fn every_operator_has_a_level_between_or_and_pow() {
        assert_eq!(binary_precedence(BinaryOp::Or), 1);
        assert!(binary_precedence(BinaryOp::Mul) > binary_precedence(BinaryOp::Concat));
        assert!(binary_precedence(BinaryOp::StrLt) > binary_precedence(BinaryOp::StrEq));
    }
}
