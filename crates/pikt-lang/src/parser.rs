//! The parser: tokens to a [`Program`], by recursive descent.
//!
//! Each `parse_*` function is named after a production of `GRAMMAR.md` and
//! quotes it in its doc comment. This file holds the parser's state and verbs
//! and the script outline; the `init` section is in `parser/init.rs`,
//! statements in `parser/stmt.rs`, expressions and strings in
//! `parser/expr.rs`.
//!
//! **Recovery.** Every error is reported and parsing goes on: a broken
//! statement is skipped up to the next keyword (which starts or closes a
//! statement), a broken `init` line up to the next `init` word, anything
//! else up to the next section keyword or script name line. Block statements
//! whose header is broken still parse their body and closer, so one bad
//! condition does not unbalance every `fi` after it. Every loop consumes a
//! token or stops, nesting is bounded, and after [`MAX_ERRORS`] errors the
//! parser stops.

pub(crate) mod expr;
mod init;
mod stmt;
#[cfg(test)]
mod tests;

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::ast::{Ident, Init, Program, Script, VarType};
use crate::keyword::Keyword;
use crate::lexer;
use crate::resolve::Resolver;
use crate::token::Token;
use crate::token_kind::TokenKind;
use crate::ParseMode;

/// The parser gives up after this many errors.
pub(crate) const MAX_ERRORS: usize = 100;

/// Deepest nesting of blocks and expressions.
const MAX_DEPTH: usize = 100;

/// An error was found and reported; the caller recovers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reported;

/// The result of a `parse_*` function.
pub(crate) type ParseResult<T> = Result<T, Reported>;

/// Parses `file` of `map` in `mode`: the implementation of
/// [`crate::parse_program`].
pub(crate) fn parse(map: &SourceMap, file: FileId, mode: ParseMode) -> (Program, Vec<Diagnostic>) {
    parse_text(map, file, map.get(file).text.as_str(), mode)
}

/// [`parse`] of `text` standing in for the text of `file`.
pub(crate) fn parse_text(
    map: &SourceMap,
    file: FileId,
    text: &str,
    mode: ParseMode,
) -> (Program, Vec<Diagnostic>) {
    let (tokens, lex_diags) = lexer::lex(text, file);
    let mut parser = Parser::new(map, text, file, tokens, mode);
    for diag in lex_diags {
        parser.report(diag);
    }
    let program = parser.parse_program();
    let mut diags = parser.diags;
    diags.sort_by_key(|d| d.span.map_or(u32::MAX, |s| s.start));
    (program, diags)
}

/// Where the outline of the current script has got to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    #[default]
    Start,
    Init,
    Begin,
    Rules,
    End,
}

/// What the outline checks remember about the current script.
#[derive(Debug, Default)]
struct Outline {
    stage: Stage,
    /// The last section keyword, for messages.
    last: Option<Keyword>,
    /// The `init` keyword.
    init: Option<Span>,
    /// The first `rule` keyword.
    first_rule: Option<Span>,
}

/// The parser's state.
///
/// Verbs, used the same way everywhere:
/// - `peek`/`peek_at(n)` look at the current token (or `n` further), never
///   consuming; `next_is(kind)`, `next_is_keyword(kw)`, `next_is_word(text)`
///   test it;
/// - `bump` consumes the current token, whatever it is (the caller has
///   checked it);
/// - `accept_*` consumes the current token if it matches and says whether it
///   did;
/// - `expect_*` consumes the current token if it matches and otherwise
///   reports "expected ..., found ..." and returns `Err(Reported)`;
/// - `parse_*` parse one production of `GRAMMAR.md`;
/// - `report` records a diagnostic; `skip_until` recovers.
pub(crate) struct Parser<'src> {
    pub(crate) map: &'src SourceMap,
    pub(crate) text: &'src str,
    pub(crate) file: FileId,
    /// Significant tokens (no trivia), ending with `Eof`.
    pub(crate) tokens: Vec<Token>,
    pub(crate) pos: usize,
    /// End of the last consumed token.
    pub(crate) last_end: u32,
    mode: ParseMode,
    pub(crate) diags: Vec<Diagnostic>,
    errors: usize,
    gave_up: bool,
    depth: usize,
    too_deep_reported: bool,
    /// True while parsing the expression of a string interpolation.
    pub(crate) in_interpolation: bool,
    /// The current script's symbols.
    pub(crate) res: Resolver,
    /// Loops around the current statement (for `break`/`continue`).
    pub(crate) loops: usize,
    /// `switch`es around the current statement (for `breakswitch`).
    pub(crate) switches: usize,
    /// True inside a `rule` section (for `next`, `skip`, ...).
    pub(crate) in_rule: bool,
}

impl<'src> Parser<'src> {
    fn new(
        map: &'src SourceMap,
        text: &'src str,
        file: FileId,
        tokens: Vec<Token>,
        mode: ParseMode,
    ) -> Parser<'src> {
        let tokens = tokens.into_iter().filter(|t| !t.kind.is_trivia()).collect();
        Parser {
            map,
            text,
            file,
            tokens,
            pos: 0,
            last_end: 0,
            mode,
            diags: Vec::new(),
            errors: 0,
            gave_up: false,
            depth: 0,
            too_deep_reported: false,
            in_interpolation: false,
            res: Resolver::default(),
            loops: 0,
            switches: 0,
            in_rule: false,
        }
    }

    // ---------------------------------------------------------------
    // Verbs
    // ---------------------------------------------------------------

    fn eof_token(&self) -> Token {
        self.tokens.last().copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            span: Span::new(self.file, self.text.len(), self.text.len()),
        })
    }

    /// The current token (`Eof` at the end, or once the parser gave up).
    pub(crate) fn peek(&self) -> Token {
        self.peek_at(0)
    }

    /// The token `n` after the current one.
    pub(crate) fn peek_at(&self, n: usize) -> Token {
        if self.gave_up {
            return self.eof_token();
        }
        self.pos
            .checked_add(n)
            .and_then(|i| self.tokens.get(i))
            .copied()
            .unwrap_or_else(|| self.eof_token())
    }

    /// Consumes the current token.
    pub(crate) fn bump(&mut self) -> Token {
        let tok = self.peek();
        if tok.kind != TokenKind::Eof {
            self.pos += 1;
            self.last_end = tok.span.end;
        }
        tok
    }

    /// The text of `tok`.
    pub(crate) fn text_of(&self, tok: Token) -> &'src str {
        tok.text(self.text)
    }

    /// The keyword `tok` spells, if it is a word that is one.
    pub(crate) fn keyword(&self, tok: Token) -> Option<Keyword> {
        if tok.kind == TokenKind::Word {
            Keyword::from_word(self.text_of(tok))
        } else {
            None
        }
    }

    pub(crate) fn next_is(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    pub(crate) fn next_is_keyword(&self, kw: Keyword) -> bool {
        self.keyword(self.peek()) == Some(kw)
    }

    pub(crate) fn next_is_word(&self, word: &str) -> bool {
        let tok = self.peek();
        tok.kind == TokenKind::Word && self.text_of(tok) == word
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.next_is(TokenKind::Eof)
    }

    pub(crate) fn accept(&mut self, kind: TokenKind) -> Option<Token> {
        self.next_is(kind).then(|| self.bump())
    }

    pub(crate) fn accept_keyword(&mut self, kw: Keyword) -> Option<Token> {
        self.next_is_keyword(kw).then(|| self.bump())
    }

    pub(crate) fn accept_word(&mut self, word: &str) -> Option<Token> {
        self.next_is_word(word).then(|| self.bump())
    }

    /// Consumes a token of `kind` or reports "expected `what`".
    pub(crate) fn expect(&mut self, kind: TokenKind, what: &str) -> ParseResult<Token> {
        match self.accept(kind) {
            Some(tok) => Ok(tok),
            None => Err(self.unexpected(what)),
        }
    }

    /// True if `a` ends where `b` starts (no space between).
    pub(crate) fn adjacent(a: Token, b: Token) -> bool {
        a.span.end == b.span.start
    }

    /// A span from `start` to the end of the last consumed token.
    pub(crate) fn span_from(&self, start: Span) -> Span {
        Span {
            file: start.file,
            start: start.start,
            end: self.last_end.max(start.end),
        }
    }

    // ---------------------------------------------------------------
    // Diagnostics
    // ---------------------------------------------------------------

    /// Records `diag`, unless the parser gave up; stops after [`MAX_ERRORS`].
    pub(crate) fn report(&mut self, diag: Diagnostic) {
        if self.gave_up {
            return;
        }
        if diag.is_error() {
            self.errors += 1;
            if self.errors > MAX_ERRORS {
                self.gave_up = true;
                self.diags.push(Diagnostic::error_unlocated(format!(
                    "too many errors; stopped after {MAX_ERRORS}"
                )));
                return;
            }
        }
        self.diags.push(diag);
    }

    /// Errors reported so far.
    pub(crate) fn error_count(&self) -> usize {
        self.errors
    }

    /// How `tok` reads in a message: `` `text` ``, "a string", "the end of
    /// the file".
    pub(crate) fn describe(&self, tok: Token) -> String {
        match tok.kind {
            TokenKind::Eof if self.in_interpolation => "the end of the interpolation".into(),
            TokenKind::Eof => "the end of the file".into(),
            TokenKind::Str => "a string".into(),
            _ => {
                let text = self.text_of(tok);
                if text.chars().count() > 30 {
                    let short: String = text.chars().take(30).collect();
                    format!("`{short}...`")
                } else {
                    format!("`{text}`")
                }
            }
        }
    }

    /// Where an error about `tok` points: the token, or for the end of the
    /// file, just after the last token.
    pub(crate) fn error_span(&self, tok: Token) -> Span {
        if tok.kind == TokenKind::Eof && !self.in_interpolation {
            Span::new(self.file, self.last_end as usize, self.last_end as usize)
        } else {
            tok.span
        }
    }

    /// Reports "expected `what`, found ..." at the current token. Tokens the
    /// lexer already reported (unknown characters) are not reported again.
    pub(crate) fn unexpected(&mut self, what: &str) -> Reported {
        self.unexpected_with_help(what, None)
    }

    /// [`Self::unexpected`] with a `help:` line.
    pub(crate) fn unexpected_with_help(&mut self, what: &str, help: Option<&str>) -> Reported {
        let tok = self.peek();
        if tok.kind != TokenKind::Unknown {
            let mut diag = Diagnostic::error(
                format!("expected {what}, found {}", self.describe(tok)),
                self.error_span(tok),
            );
            if let Some(help) = help {
                diag = diag.with_help(help);
            }
            self.report(diag);
        }
        Reported
    }

    /// Skips tokens until `stop` holds (or the end).
    pub(crate) fn skip_until(&mut self, stop: impl Fn(&Self) -> bool) {
        while !self.at_eof() && !stop(self) {
            self.bump();
        }
    }

    /// Runs `f` one nesting level deeper; refuses past [`MAX_DEPTH`] so that
    /// deeply nested input cannot overflow the stack.
    pub(crate) fn nested<T>(
        &mut self,
        at: Span,
        f: impl FnOnce(&mut Self) -> ParseResult<T>,
    ) -> ParseResult<T> {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                self.report(
                    Diagnostic::error("nested too deeply", at)
                        .with_label(format!("more than {MAX_DEPTH} levels of nesting")),
                );
            }
            return Err(Reported);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    // ---------------------------------------------------------------
    // Boundaries
    // ---------------------------------------------------------------

    /// True if `tok` starts a line.
    fn at_line_start(&self, tok: Token) -> bool {
        let start = tok.span.start as usize;
        start == 0 || self.text.as_bytes().get(start - 1) == Some(&b'\n')
    }

    /// True if the current token is a script name line: in an alarm file, a
    /// word in column 1 that is not a keyword.
    pub(crate) fn next_is_name_line(&self) -> bool {
        let tok = self.peek();
        self.mode == ParseMode::Alarms
            && !self.in_interpolation
            && matches!(tok.kind, TokenKind::Word | TokenKind::Handle)
            && self.at_line_start(tok)
            && self.keyword(tok).is_none()
    }

    /// The end of the file, a script name line or a section keyword.
    pub(crate) fn at_section_boundary(&self) -> bool {
        self.at_eof()
            || self.next_is_name_line()
            || self.keyword(self.peek()).is_some_and(Keyword::is_section)
    }

    /// Where a block of statements stops: a section boundary or a word that
    /// continues or closes a block.
    pub(crate) fn at_block_end(&self) -> bool {
        self.at_section_boundary()
            || self
                .keyword(self.peek())
                .is_some_and(Keyword::is_block_part)
    }

    /// Where statement recovery stops: any keyword, or a section boundary.
    pub(crate) fn at_statement_boundary(&self) -> bool {
        self.at_section_boundary() || self.keyword(self.peek()).is_some()
    }

    fn at_init_boundary(&self) -> bool {
        self.at_section_boundary()
            || self
                .keyword(self.peek())
                .is_some_and(Keyword::is_init_statement)
    }

    // ---------------------------------------------------------------
    // Outline
    // ---------------------------------------------------------------

    /// `program := { script }` (alarm files) or `script` (standalone, `+C`).
    fn parse_program(&mut self) -> Program {
        let mut program = Program::default();
        if self.mode != ParseMode::Alarms {
            program.scripts.push(self.parse_script(None));
            return program;
        }
        while !self.at_eof() {
            if self.next_is_name_line() {
                let tok = self.bump();
                let name = Ident {
                    name: self.text_of(tok).to_string(),
                    span: tok.span,
                };
                program.scripts.push(self.parse_script(Some(name)));
            } else {
                self.report_missing_name();
                self.bump();
                self.skip_until(Self::next_is_name_line);
            }
        }
        program
    }

    fn report_missing_name(&mut self) {
        let tok = self.peek();
        if tok.kind == TokenKind::Unknown {
            return;
        }
        let diag = Diagnostic::error(
            format!(
                "expected a script name in column 1, found {}",
                self.describe(tok)
            ),
            tok.span,
        )
        .with_help(
            "in an alarm file each script starts with its name in column 1, \
             and the lines of the script are indented",
        );
        self.report(diag);
    }

    /// `script := [NAME] [block] { section }` (the leading block only in
    /// standalone scripts and `+C` text; sections in the order `init`,
    /// `begin`, `rule`..., `end`)
    fn parse_script(&mut self, name: Option<Ident>) -> Script {
        self.res = Resolver::default();
        let errors_before = self.error_count();
        let start = name.as_ref().map_or(self.peek().span, |n| n.span);
        let mut script = Script {
            name,
            ..Script::default()
        };
        let mut outline = Outline::default();
        loop {
            let tok = self.peek();
            if self.at_eof() || self.next_is_name_line() {
                break;
            }
            match self.keyword(tok) {
                Some(kw) if kw.is_section() => self.parse_section(kw, &mut script, &mut outline),
                _ if outline.stage == Stage::Start && self.mode != ParseMode::Alarms => {
                    // A bare statement list is the `begin` section.
                    outline.stage = Stage::Begin;
                    script.begin = Some(self.parse_section_body(false));
                }
                _ => {
                    self.report_not_a_section(tok);
                    self.bump();
                    self.skip_until(Self::at_section_boundary);
                }
            }
        }
        script.span = self.span_from(start);
        let resolver = std::mem::take(&mut self.res);
        for diag in resolver.finish(&mut script, self.map) {
            self.report(diag);
        }
        if self.error_count() == errors_before {
            self.warn_about_outline(&script, &outline);
            for diag in crate::command_check::check(&script) {
                self.report(diag);
            }
        }
        script
    }

    fn report_not_a_section(&mut self, tok: Token) {
        if tok.kind == TokenKind::Unknown {
            return;
        }
        let mut diag = Diagnostic::error(
            format!(
                "expected a section (`init`, `begin`, `rule` or `end`), found {}",
                self.describe(tok)
            ),
            self.error_span(tok),
        );
        match self.keyword(tok) {
            Some(kw) if kw.is_init_statement() => {
                diag = diag.with_help(format!("`{}` belongs in the `init` section", kw.as_str()));
            }
            Some(_) => {
                diag = diag.with_help("statements go in a `begin`, `rule` or `end` section");
            }
            None => {}
        }
        self.report(diag);
    }

    /// `section := "init" init_body | ("begin" | "rule" | "end") section_body`
    fn parse_section(&mut self, kw: Keyword, script: &mut Script, outline: &mut Outline) {
        let tok = self.bump();
        let in_order = self.check_section_order(kw, tok.span, outline);
        match kw {
            Keyword::Init => {
                outline.init.get_or_insert(tok.span);
                let mut init = Init::default();
                self.parse_init_body(&mut init);
                if in_order {
                    script.init = init;
                }
            }
            Keyword::Begin => {
                let block = self.parse_section_body(false);
                if in_order {
                    script.begin = Some(block);
                }
            }
            Keyword::Rule => {
                outline.first_rule.get_or_insert(tok.span);
                let block = self.parse_section_body(true);
                if in_order {
                    script.rules.push(block);
                }
            }
            _ => {
                let block = self.parse_section_body(false);
                if in_order {
                    script.end = Some(block);
                }
            }
        }
    }

    /// Checks that sections come in the order `init`, `begin`, `rule`...,
    /// `end`; false (reported) if `kw` is out of place.
    fn check_section_order(&mut self, kw: Keyword, span: Span, outline: &mut Outline) -> bool {
        let stage = match kw {
            Keyword::Init => Stage::Init,
            Keyword::Begin => Stage::Begin,
            Keyword::Rule => Stage::Rules,
            _ => Stage::End,
        };
        if stage > outline.stage || (stage == outline.stage && kw == Keyword::Rule) {
            outline.stage = stage;
            outline.last = Some(kw);
            return true;
        }
        let name = kw.as_str();
        let diag = if stage == outline.stage {
            Diagnostic::error(format!("duplicate `{name}` section"), span)
                .with_label(format!("a script has one `{name}` section"))
        } else {
            let last = outline.last.map_or("", Keyword::as_str);
            Diagnostic::error(format!("`{name}` section after the `{last}` section"), span)
                .with_help(
                    "the sections of a script come in the order `init`, `begin`, `rule`, `end`",
                )
        };
        self.report(diag);
        false
    }

    fn warn_about_outline(&mut self, script: &Script, outline: &Outline) {
        if let (Some(rule), None) = (outline.first_rule, &script.init.input) {
            self.report(
                Diagnostic::warning("`rule` sections never run: the script has no `input`", rule)
                    .with_help("rules run once per input line; add an `input` line to `init`"),
            );
        }
        if let Some(init) = outline.init {
            if script.begin.is_none() && script.rules.is_empty() && script.end.is_none() {
                self.report(Diagnostic::warning(
                    "the script does nothing: it has no `begin`, `rule` or `end` section",
                    init,
                ));
            }
        }
    }

    /// `section_body := block`, with stray closers reported and skipped.
    pub(crate) fn parse_section_body(&mut self, rule: bool) -> crate::ast::Block {
        self.in_rule = rule;
        self.loops = 0;
        self.switches = 0;
        let mut block = self.parse_block();
        while let Some(kw) = self.keyword(self.peek()).filter(|kw| kw.is_block_part()) {
            let tok = self.bump();
            let opener = match kw {
                Keyword::Elif | Keyword::Else | Keyword::Fi => "if",
                Keyword::EndWhile => "while",
                Keyword::Until => "repeat",
                Keyword::EndFor => "for",
                Keyword::EndForeach => "foreach",
                _ => "switch",
            };
            let diag = Diagnostic::error(
                format!("`{}` without an open `{opener}`", self.text_of(tok)),
                tok.span,
            );
            self.report(diag);
            block.extend(self.parse_block());
        }
        self.in_rule = false;
        block
    }

    /// The type and name of a `$name`/`#name` token.
    pub(crate) fn sigil_name(&self, tok: Token) -> (VarType, &'src str) {
        let text = self.text_of(tok);
        let ty = if text.starts_with('#') {
            VarType::Num
        } else {
            VarType::Str
        };
        (ty, text.get(1..).unwrap_or(""))
    }
}
