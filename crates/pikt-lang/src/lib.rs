//! The Pikt script language front end: text in, syntax tree and diagnostics out.
//!
//! The pipeline is [`lexer`] (text to lossless tokens), then the parser
//! (tokens to an [`ast::Program`], resolving every variable to a slot of its
//! script's [`ast::Symbols`] as it goes), then the whole-script checks of the
//! resolver. [`printer`] turns a program back into canonical text.
//! `GRAMMAR.md` gives the tokens and productions; `docs/language.md` the
//! decisions where PIKT's documentation was silent.
//!
//! **Invariants:** this crate does no I/O and never panics on any input (the
//! lexer and parser are fuzzed); every diagnostic carries the span of what is
//! wrong, in the text it was given (which may be a derived, preprocessed text:
//! [`pikt_source::SourceMap::resolve`] maps it back). Lexing and parsing are
//! linear in the size of the text.

pub mod ast;
pub mod builtins;
mod command_check;
pub mod keyword;
pub mod lexer;
mod parser;
pub mod printer;
mod resolve;
pub mod shell_syntax;
mod string_lit;
mod suggest;
pub mod token;
pub mod token_kind;

use std::fmt::Write as _;

use pikt_source::{Diagnostic, FileId, SourceMap};

pub use printer::{print_expr, print_program, print_stmt};

/// What kind of text is being parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseMode {
    /// An alarm file: a sequence of scripts, each starting with its name in column 1.
    Alarms,
    /// A standalone script: no name line; an optional `#!` first line.
    Standalone,
    /// Statements given with `pikt +C`: a script body with no name line; a bare
    /// statement list is taken as a `begin` section.
    Statements,
}

/// Parses `file` of `map`. Always returns a program (possibly partial) and
/// every problem found, in source order; the program is only fit to run when
/// no diagnostic is an error.
pub fn parse_program(
    map: &SourceMap,
    file: FileId,
    mode: ParseMode,
) -> (ast::Program, Vec<Diagnostic>) {
    parser::parse(map, file, mode)
}

/// Parses `text` as if it were the text of `file`: diagnostics point into
/// `file`, so `text` must keep its offsets (a same-length substitution,
/// such as pikt-config's check of scripts whose alert macros are not
/// filled in yet).
pub fn parse_program_text(
    map: &SourceMap,
    file: FileId,
    text: &str,
    mode: ParseMode,
) -> (ast::Program, Vec<Diagnostic>) {
    parser::parse_text(map, file, text, mode)
}

/// The tokens of `file`, one per line as `line:col Kind "text"`, trivia
/// included (for `pikt --dump-tokens`).
pub fn dump_tokens(map: &SourceMap, file: FileId) -> String {
    let source = map.get(file);
    let (tokens, _) = lexer::lex(&source.text, file);
    let mut out = String::new();
    for token in tokens {
        let (line, col) = source.line_col(token.span.start);
        let _ = writeln!(
            out,
            "{line}:{col} {:?} {:?}",
            token.kind,
            token.text(&source.text)
        );
    }
    out
}

/// The mode a script file is parsed in when nothing says otherwise: a file
/// whose first token is a `#!` line or a section keyword (`init`, `begin`,
/// `rule`, `end`) is a standalone script, anything else an alarm file.
pub fn guess_mode(text: &str) -> ParseMode {
    if text.starts_with("#!") {
        return ParseMode::Standalone;
    }
    let (tokens, _) = lexer::lex(text, FileId(0));
    let first = tokens.iter().find(|t| !t.kind.is_trivia());
    match first {
        Some(tok)
            if tok.kind == token_kind::TokenKind::Word
                && keyword::Keyword::from_word(tok.text(text))
                    .is_some_and(keyword::Keyword::is_section) =>
        {
            ParseMode::Standalone
        }
        _ => ParseMode::Alarms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_tokens_lists_every_token_with_its_position() {
        let mut map = SourceMap::new();
        let id = map.add("t", "begin\n\tset #x = 1\n");
        assert_eq!(
            dump_tokens(&map, id),
            "1:1 Word \"begin\"\n1:6 Newline \"\\n\"\n2:1 Whitespace \"\\t\"\n\
             2:2 Word \"set\"\n2:5 Whitespace \" \"\n2:6 NumVar \"#x\"\n\
             2:8 Whitespace \" \"\n2:9 Assign \"=\"\n2:10 Whitespace \" \"\n\
             2:11 Number \"1\"\n2:12 Newline \"\\n\"\n3:1 Eof \"\"\n"
        );
    }

    #[test]
    fn mode_guess() {
        assert_eq!(guess_mode("#!/bin/pikt\n"), ParseMode::Standalone);
        assert_eq!(guess_mode("// c\nbegin\n"), ParseMode::Standalone);
        assert_eq!(guess_mode("Name\n\tbegin\n"), ParseMode::Alarms);
        assert_eq!(guess_mode(""), ParseMode::Alarms);
    }
}
