//! The lexer: source text to tokens, losslessly.
//!
//! Hand-written and linear: one pass over the bytes, longest match for
//! operators, no backtracking beyond one or two bytes of lookahead. Every byte
//! of the text belongs to exactly one token, trivia included, so the tokens'
//! texts concatenate back to the source (tested below).
//!
//! Three places need context:
//! - a `-` followed by one of `e z f d c b p l S` and then a character that
//!   cannot continue a name is a file test only in *prefix position*, i.e.
//!   when the previous significant token does not end an operand (`-e $f` is a
//!   file test, `#x -e` is not);
//! - `#` starts a comment when followed by white space or the end of the line,
//!   and `#!` does on the very first line; followed by a letter it is a
//!   numeric variable;
//! - `$name(` and `#name(` (no space) are call tokens, so the parser can tell
//!   a call from a variable followed by a parenthesised expression.
//!
//! Strings are one token each, continuation lines included; their escapes and
//! interpolations are decoded by the parser (`string_lit.rs`).

use pikt_source::{Diagnostic, FileId, Span};

use crate::token::Token;
use crate::token_kind::TokenKind;

/// Lexes the whole of `text`. The last token is [`TokenKind::Eof`].
pub fn lex(text: &str, file: FileId) -> (Vec<Token>, Vec<Diagnostic>) {
    lex_range(text, file, 0, text.len())
}

/// Lexes `text[start..end]`, with spans relative to the whole text (used for
/// the expressions interpolated in strings). Ranges that do not fall on
/// character boundaries are narrowed to empty.
pub fn lex_range(
    text: &str,
    file: FileId,
    start: usize,
    end: usize,
) -> (Vec<Token>, Vec<Diagnostic>) {
    let end = end.min(text.len());
    let start = start.min(end);
    let (start, end) = if text.is_char_boundary(start) && text.is_char_boundary(end) {
        (start, end)
    } else {
        (end, end)
    };
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        file,
        pos: start,
        end,
        tokens: Vec::new(),
        diags: Vec::new(),
        prefix_position: true,
        recent: [None, None],
    };
    lexer.run();
    (lexer.tokens, lexer.diags)
}

/// Lexer state over one range of a text.
struct Lexer<'src> {
    text: &'src str,
    bytes: &'src [u8],
    file: FileId,
    pos: usize,
    end: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    /// True when the next operand-starting `-` is a prefix operator.
    prefix_position: bool,
    /// The last two significant tokens (kind and byte range), most recent
    /// first: a string after `input proc` or `filter` is a shell command.
    recent: [Option<(TokenKind, usize, usize)>; 2],
}

/// True for bytes that may continue a name.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True for a byte after `%` that makes the `%` an operator (`10%3`,
/// `10%(x)`, `10%=`) or a history value (`10%x`) rather than a percent sign.
fn continues_after_percent(b: u8) -> bool {
    is_name_byte(b) || matches!(b, b'$' | b'#' | b'@' | b'(' | b'=' | b'"' | b'%' | b'.')
}

/// Words that may follow the string of `input proc` or `filter` on its line:
/// the `init` statements and the section keywords.
const WORDS_AFTER_INIT_STRING: [&str; 13] = [
    "status",
    "level",
    "task",
    "input",
    "filter",
    "seps",
    "separators",
    "dat",
    "data",
    "keys",
    "begin",
    "rule",
    "end",
];

/// The letters of the file tests `-e -z -f -d -c -b -p -l -S`.
fn is_file_test_letter(b: u8) -> bool {
    matches!(
        b,
        b'e' | b'z' | b'f' | b'd' | b'c' | b'b' | b'p' | b'l' | b'S'
    )
}

impl Lexer<'_> {
    fn run(&mut self) {
        while self.pos < self.end {
            let start = self.pos;
            let kind = self.lex_token();
            // Every branch consumes at least one byte; this guard keeps the
            // loop finite even if one did not.
            if self.pos <= start {
                self.pos = self.next_char_end(start);
            }
            self.push(kind, start);
        }
        let eof = Span::new(self.file, self.end, self.end);
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: eof,
        });
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        if !kind.is_trivia() {
            self.prefix_position = !kind.ends_operand();
            self.recent = [Some((kind, start, self.pos)), self.recent[0]];
        }
        self.tokens.push(Token {
            kind,
            span: Span::new(self.file, start, self.pos),
        });
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        let at = self.pos.checked_add(ahead)?;
        if at < self.end {
            self.bytes.get(at).copied()
        } else {
            None
        }
    }

    fn error(&mut self, message: impl Into<String>, start: usize, end: usize) -> Diagnostic {
        Diagnostic::error(message, Span::new(self.file, start, end))
    }

    /// End of the character starting at `at` (for skipping unknown input).
    fn next_char_end(&self, at: usize) -> usize {
        let mut end = at + 1;
        while end < self.end && !self.text.is_char_boundary(end) {
            end += 1;
        }
        end.min(self.end)
    }

    fn lex_token(&mut self) -> TokenKind {
        let Some(byte) = self.peek(0) else {
            return TokenKind::Eof;
        };
        match byte {
            b' ' | b'\t' | b'\r' | b'\x0c' => self.lex_whitespace(),
            b'\n' => {
                self.pos += 1;
                TokenKind::Newline
            }
            b'"' => self.lex_string(),
            b'#' => self.lex_hash(),
            b'$' => self.lex_dollar(),
            b'%' => self.lex_percent(),
            b'@' => self.lex_at(),
            b'/' => self.lex_slash(),
            b'-' => self.lex_minus(),
            b'0'..=b'9' => self.lex_number(),
            b if b.is_ascii_alphabetic() => self.lex_word(),
            _ => self.lex_operator(),
        }
    }

    fn lex_whitespace(&mut self) -> TokenKind {
        while matches!(self.peek(0), Some(b' ' | b'\t' | b'\r' | b'\x0c')) {
            self.pos += 1;
        }
        TokenKind::Whitespace
    }

    fn skip_to_line_end(&mut self) {
        while let Some(b) = self.peek(0) {
            if b == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// Consumes a name (letters, digits, underscores) and returns its length.
    fn eat_name(&mut self) -> usize {
        let start = self.pos;
        while self.peek(0).is_some_and(is_name_byte) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn lex_word(&mut self) -> TokenKind {
        let start = self.pos;
        self.eat_name();
        let word = self.bytes.get(start..self.pos).unwrap_or_default();
        let has_upper = word.iter().any(u8::is_ascii_uppercase);
        let has_lower = word.iter().any(u8::is_ascii_lowercase);
        if has_upper && !has_lower {
            TokenKind::Handle
        } else {
            TokenKind::Word
        }
    }

    fn lex_number(&mut self) -> TokenKind {
        while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.peek(0) == Some(b'.') && self.peek(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if self.peek(0) == Some(b'%') && !self.peek(1).is_some_and(continues_after_percent) {
            // A percent literal (`10%` is 0.1): `%` right after the digits
            // and not followed by what an operand or `%=` would start with.
            self.pos += 1;
        }
        TokenKind::Number
    }

    /// `"..."`: ends at the next `"`; a backslash before a newline continues
    /// the string on the next line; `\\`, `\$`, `\#` are consumed in pairs so
    /// that `"\\"` ends where it should. A raw newline ends an unterminated
    /// string (reported here). The command string of `input proc` and
    /// `filter` may hold double quotes (see [`Self::shell_string_end`]).
    fn lex_string(&mut self) -> TokenKind {
        let start = self.pos;
        if self.after_command_keyword() {
            if let Some(end) = self.shell_string_end(start) {
                self.pos = end;
                return TokenKind::Str;
            }
        }
        self.pos += 1;
        loop {
            match self.peek(0) {
                None | Some(b'\n') => {
                    let diag = self
                        .error("unterminated string", start, self.pos)
                        .with_label("this string has no closing `\"`")
                        .with_help(
                            "a string ends on the line where it starts; end a line with `\\` \
                             to continue it on the next one",
                        );
                    self.diags.push(diag);
                    return TokenKind::Str;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return TokenKind::Str;
                }
                Some(b'\\') => match (self.peek(1), self.peek(2)) {
                    (Some(b'\n'), _) => self.pos += 2,
                    (Some(b'\r'), Some(b'\n')) => self.pos += 3,
                    (Some(b'\\' | b'$' | b'#'), _) => self.pos += 2,
                    _ => self.pos += 1,
                },
                Some(_) => self.pos += 1,
            }
        }
    }

    /// The word of a significant token, if it is a plain word.
    fn recent_word(&self, back: usize) -> Option<&str> {
        match self.recent.get(back).copied().flatten() {
            Some((TokenKind::Word, start, end)) => self.text.get(start..end),
            _ => None,
        }
    }

    /// True right after `input proc`, `input process` or `filter`.
    fn after_command_keyword(&self) -> bool {
        match self.recent_word(0) {
            Some("filter") => true,
            Some("proc" | "process") => self.recent_word(1) == Some("input"),
            _ => false,
        }
    }

    /// Where a shell command string opened at `open` ends (one past its
    /// closing quote). PIKT accepts double quotes inside the command of
    /// `input proc` and `filter` (its page on interfacing with other
    /// languages shows an awk program with `" "` inside), so the closing
    /// quote is the first one followed, on its line, by nothing, a comment,
    /// or an `init` or section keyword. Lines joined by a backslash at their
    /// end count as one line. `None` when no quote qualifies: the string
    /// then ends at its next quote, as every other string does.
    fn shell_string_end(&self, open: usize) -> Option<usize> {
        let mut at = open + 1;
        while at < self.end {
            match self.bytes.get(at)? {
                b'\\' => match (self.bytes.get(at + 1), self.bytes.get(at + 2)) {
                    (Some(b'\n'), _) => at += 2,
                    (Some(b'\r'), Some(b'\n')) => at += 3,
                    (Some(b'\\' | b'$' | b'#'), _) => at += 2,
                    _ => at += 1,
                },
                b'\n' => return None,
                b'"' if self.closes_shell_string(at + 1) => return Some(at + 1),
                _ => at += 1,
            }
        }
        None
    }

    /// True when what follows a quote at `from`, to the end of its line, lets
    /// the quote close a shell command string.
    fn closes_shell_string(&self, from: usize) -> bool {
        let line_end = self
            .bytes
            .get(from..self.end)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.end, |k| from + k);
        let rest = self.text.get(from..line_end).unwrap_or("");
        let rest = rest.trim_start_matches([' ', '\t', '\r', '\x0c']);
        if rest.is_empty() || rest.starts_with("//") || rest.starts_with("/*") {
            return true;
        }
        if let Some(after) = rest.strip_prefix('#') {
            return after.is_empty() || after.starts_with([' ', '\t', '\r']);
        }
        let word: &str = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        WORDS_AFTER_INIT_STRING.contains(&word)
    }

    fn lex_hash(&mut self) -> TokenKind {
        let start = self.pos;
        let next = self.peek(1);
        if start == 0 && next == Some(b'!') {
            self.skip_to_line_end();
            return TokenKind::Comment;
        }
        match next {
            Some(b) if b.is_ascii_alphabetic() => {
                self.pos += 1;
                self.eat_name();
                if self.peek(0) == Some(b'(') {
                    TokenKind::NumCall
                } else {
                    TokenKind::NumVar
                }
            }
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') => {
                self.skip_to_line_end();
                TokenKind::Comment
            }
            Some(_) => {
                self.pos += 1;
                let diag = self
                    .error("unexpected `#`", start, self.pos)
                    .with_help("a comment starts with `#` and a space, or with `//`");
                self.diags.push(diag);
                TokenKind::Unknown
            }
        }
    }

    fn lex_dollar(&mut self) -> TokenKind {
        self.pos += 1;
        match self.peek(0) {
            Some(b) if b.is_ascii_alphabetic() => {
                self.eat_name();
                if self.peek(0) == Some(b'(') {
                    TokenKind::StrCall
                } else {
                    TokenKind::StrVar
                }
            }
            Some(b) if b.is_ascii_digit() => {
                while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
                    self.pos += 1;
                }
                TokenKind::Field
            }
            Some(b'[') => {
                self.pos += 1;
                TokenKind::FieldOpen
            }
            _ => TokenKind::Dollar,
        }
    }

    /// The name after `%` or `@`: `name`, `$name` or `#name`; false (nothing
    /// consumed) if none follows.
    fn eat_sigil_name(&mut self) -> bool {
        let first = self.peek(0);
        let second = self.peek(1);
        let skip = match (first, second) {
            (Some(b), _) if b.is_ascii_alphabetic() => 0,
            (Some(b'$' | b'#'), Some(b)) if b.is_ascii_alphabetic() => 1,
            _ => return false,
        };
        self.pos += skip;
        self.eat_name();
        true
    }

    fn lex_percent(&mut self) -> TokenKind {
        self.pos += 1;
        if self.peek(0) == Some(b'=') {
            self.pos += 1;
            return TokenKind::PercentAssign;
        }
        if self.eat_sigil_name() {
            TokenKind::History
        } else {
            TokenKind::Percent
        }
    }

    fn lex_at(&mut self) -> TokenKind {
        let start = self.pos;
        self.pos += 1;
        if self.eat_sigil_name() {
            return TokenKind::Previous;
        }
        let diag = self
            .error("unexpected `@`", start, self.pos)
            .with_help("`@name` is the value of a variable on the previous input line");
        self.diags.push(diag);
        TokenKind::Unknown
    }

    fn lex_slash(&mut self) -> TokenKind {
        let start = self.pos;
        match self.peek(1) {
            Some(b'/') => {
                self.skip_to_line_end();
                TokenKind::Comment
            }
            Some(b'*') => {
                self.pos += 2;
                loop {
                    match self.peek(0) {
                        None => {
                            let diag = self
                                .error("unterminated comment", start, start + 2)
                                .with_label("this `/*` has no closing `*/`");
                            self.diags.push(diag);
                            break;
                        }
                        Some(b'*') if self.peek(1) == Some(b'/') => {
                            self.pos += 2;
                            break;
                        }
                        Some(_) => self.pos += 1,
                    }
                }
                TokenKind::Comment
            }
            Some(b'=') => {
                self.pos += 2;
                TokenKind::SlashAssign
            }
            _ => {
                self.pos += 1;
                TokenKind::Slash
            }
        }
    }

    fn lex_minus(&mut self) -> TokenKind {
        let letter = self.peek(1);
        let after = self.peek(2);
        if self.prefix_position
            && letter.is_some_and(is_file_test_letter)
            && !after.is_some_and(is_name_byte)
        {
            self.pos += 2;
            return TokenKind::FileTest;
        }
        if letter == Some(b'=') {
            self.pos += 2;
            return TokenKind::MinusAssign;
        }
        self.pos += 1;
        TokenKind::Minus
    }

    fn lex_operator(&mut self) -> TokenKind {
        let start = self.pos;
        let (kind, len) = match self.bytes.get(start..self.end.min(start + 3)) {
            Some(rest) => operator(rest),
            None => (TokenKind::Unknown, 1),
        };
        if kind == TokenKind::Unknown {
            self.pos = self.next_char_end(start);
            let text = self.text.get(start..self.pos).unwrap_or("?");
            let mut diag = self.error(format!("unexpected character `{text}`"), start, self.pos);
            if text == "\\" {
                diag = diag.with_help("a backslash continues a line only inside a string");
            }
            self.diags.push(diag);
        } else {
            self.pos += len;
        }
        kind
    }
}

/// The longest operator at the start of `rest` (up to three bytes) and its
/// length; `Unknown` if none.
fn operator(rest: &[u8]) -> (TokenKind, usize) {
    use TokenKind as T;
    const TABLE: &[(&[u8], TokenKind)] = &[
        (b"=~~", T::MatchNoCase),
        (b"!~~", T::NotMatchNoCase),
        (b"!>=", T::NotGe),
        (b"!<=", T::NotLe),
        (b"**=", T::PowAssign),
        (b"<<=", T::ShlAssign),
        (b">>=", T::ShrAssign),
        (b"=~", T::Match),
        (b"!~", T::NotMatch),
        (b"==", T::EqEq),
        (b"!=", T::BangEq),
        (b"<>", T::LtGt),
        (b"!>", T::NotGt),
        (b"!<", T::NotLt),
        (b">=", T::Ge),
        (b"<=", T::Le),
        (b"**", T::Pow),
        (b".=", T::DotAssign),
        (b"<<", T::Shl),
        (b">>", T::Shr),
        (b"&&", T::AndAnd),
        (b"||", T::OrOr),
        (b"+=", T::PlusAssign),
        (b"*=", T::StarAssign),
        (b"&=", T::AmpAssign),
        (b"|=", T::PipeAssign),
        (b"^=", T::CaretAssign),
        (b"=", T::Assign),
        (b"+", T::Plus),
        (b"*", T::Star),
        (b".", T::Dot),
        (b"&", T::Amp),
        (b"|", T::Pipe),
        (b"^", T::Caret),
        (b"~", T::Tilde),
        (b"!", T::Bang),
        (b"<", T::Lt),
        (b">", T::Gt),
        (b"(", T::LParen),
        (b")", T::RParen),
        (b"[", T::LBracket),
        (b"]", T::RBracket),
        (b",", T::Comma),
    ];
    TABLE
        .iter()
        .find(|(spelling, _)| rest.starts_with(spelling))
        .map_or((T::Unknown, 1), |&(spelling, kind)| (kind, spelling.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind as T;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let (tokens, diags) = lex(text, FileId(0));
        assert!(diags.is_empty(), "{diags:?}");
        tokens
            .iter()
            .filter(|t| !t.kind.is_trivia() && t.kind != T::Eof)
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    fn assert_lossless(text: &str) {
        let (tokens, _) = lex(text, FileId(0));
        let joined: String = tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(joined, text);
        for pair in tokens.windows(2) {
            assert_eq!(pair[0].span.end, pair[1].span.start);
        }
    }

    #[test]
    fn tokens_concatenate_back_to_the_source() {
        for text in [
            "",
            "ProcCountsChk\n\tinit\n\t\tstatus active\n",
            "#!/usr/bin/pikt\nbegin output \"hi\" // c\n/* x\n y */ # z\n",
            "set #a[$k] **= -e \"/tmp\" . %x . @$y . $1 . $[#i] =~~ \"$pr$\"\n",
            "\"unterminated\n\"x\\\n  y\" ? é \\ \u{1F600}",
            "/* open",
            "#",
            "a\r\nb\r\n",
        ] {
            assert_lossless(text);
        }
    }

    #[test]
    fn operators_are_matched_longest_first() {
        let text = "=~~ !~~ =~ !~ == != <> !>= !<= !> !< >= <= ** **= .= <<= >>= << >> && || += -= *= /= %= &= |= ^=";
        let got: Vec<TokenKind> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            got,
            vec![
                T::MatchNoCase,
                T::NotMatchNoCase,
                T::Match,
                T::NotMatch,
                T::EqEq,
                T::BangEq,
                T::LtGt,
                T::NotGe,
                T::NotLe,
                T::NotGt,
                T::NotLt,
                T::Ge,
                T::Le,
                T::Pow,
                T::PowAssign,
                T::DotAssign,
                T::ShlAssign,
                T::ShrAssign,
                T::Shl,
                T::Shr,
                T::AndAnd,
                T::OrOr,
                T::PlusAssign,
                T::MinusAssign,
                T::StarAssign,
                T::SlashAssign,
                T::PercentAssign,
                T::AmpAssign,
                T::PipeAssign,
                T::CaretAssign,
            ]
        );
    }

    #[test]
    fn sigils_make_distinct_tokens() {
        assert_eq!(
            kinds("$x #y $f( #g( %h %$i %#j @k @$l $12 $[ $ NAME Word"),
            vec![
                (T::StrVar, "$x"),
                (T::NumVar, "#y"),
                (T::StrCall, "$f"),
                (T::LParen, "("),
                (T::NumCall, "#g"),
                (T::LParen, "("),
                (T::History, "%h"),
                (T::History, "%$i"),
                (T::History, "%#j"),
                (T::Previous, "@k"),
                (T::Previous, "@$l"),
                (T::Field, "$12"),
                (T::FieldOpen, "$["),
                (T::Dollar, "$"),
                (T::Handle, "NAME"),
                (T::Word, "Word"),
            ]
        );
    }

    #[test]
    fn a_space_before_the_paren_makes_a_variable_not_a_call() {
        assert_eq!(
            kinds("#fopen (H"),
            vec![(T::NumVar, "#fopen"), (T::LParen, "("), (T::Handle, "H")]
        );
    }

    #[test]
    fn file_tests_only_in_prefix_position() {
        assert_eq!(
            kinds("if -e $f"),
            vec![(T::Word, "if"), (T::FileTest, "-e"), (T::StrVar, "$f")]
        );
        assert_eq!(
            kinds("#x -e"),
            vec![(T::NumVar, "#x"), (T::Minus, "-"), (T::Word, "e")]
        );
        assert_eq!(
            kinds("! -S\"x\""),
            vec![(T::Bang, "!"), (T::FileTest, "-S"), (T::Str, "\"x\"")]
        );
        // followed by a name character: a minus and a word
        assert_eq!(
            kinds("if -exists"),
            vec![(T::Word, "if"), (T::Minus, "-"), (T::Word, "exists")]
        );
    }

    #[test]
    fn hash_is_a_comment_only_before_white_space() {
        assert_eq!(kinds("# c\n#x #\n"), vec![(T::NumVar, "#x")]);
        let (tokens, diags) = lex("#-", FileId(0));
        assert_eq!(tokens[0].kind, T::Unknown);
        assert_eq!(diags[0].message, "unexpected `#`");
        // `#!` is a comment on the first line only
        assert_eq!(kinds("#!/bin/pikt\n"), vec![]);
        let (_, diags) = lex("\n#!x", FileId(0));
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn percent_is_history_before_a_name_and_remainder_otherwise() {
        assert_eq!(
            kinds("#a % #b %c"),
            vec![
                (T::NumVar, "#a"),
                (T::Percent, "%"),
                (T::NumVar, "#b"),
                (T::History, "%c")
            ]
        );
    }

    #[test]
    fn strings_take_escapes_and_continuations() {
        // a quote always ends a string: `\"` is a kept backslash, then the end
        assert_eq!(
            kinds(r#""a\" b"#),
            vec![(T::Str, r#""a\""#), (T::Word, "b")]
        );
        assert_eq!(
            kinds("\"a\\\\\" x"),
            vec![(T::Str, "\"a\\\\\""), (T::Word, "x")]
        );
        assert_eq!(kinds("\"a \\\n   b\""), vec![(T::Str, "\"a \\\n   b\"")]);
        assert_eq!(kinds("\"\\$x\""), vec![(T::Str, "\"\\$x\"")]);
    }

    #[test]
    fn command_strings_of_input_proc_and_filter_may_hold_quotes() {
        let strings = |text: &str| -> Vec<String> {
            kinds(text)
                .into_iter()
                .filter(|(k, _)| *k == T::Str)
                .map(|(_, t)| t.to_string())
                .collect()
        };
        // ends at the quote that ends the line
        assert_eq!(
            strings("input proc \"awk '{print $1 \" \" $2}'\"\n"),
            ["\"awk '{print $1 \" \" $2}'\""]
        );
        // or the one before a comment or an init word
        assert_eq!(
            strings("filter \"grep -v \"x\"\" dat $a 1"),
            ["\"grep -v \"x\"\""]
        );
        assert_eq!(
            strings("input process \"a \"b\"\" // c \"d\""),
            ["\"a \"b\"\""]
        );
        // lines joined by a backslash are one line
        assert_eq!(
            strings("input proc \"a \"b\" | \\\n  c\"\n"),
            ["\"a \"b\" | \\\n  c\""]
        );
        // no quote qualifies: the string ends at its next quote
        assert_eq!(strings("input proc \"a\" \"b\" x"), ["\"a\"", "\"b\""]);
        // other strings never hold quotes
        assert_eq!(strings("output \"a \" . \"b\"\n"), ["\"a \"", "\"b\""]);
    }

    #[test]
    fn a_percent_right_after_digits_is_part_of_the_number() {
        assert_eq!(
            kinds("10% 12.5%) 10%3 10 % 3 10%x 10%="),
            vec![
                (T::Number, "10%"),
                (T::Number, "12.5%"),
                (T::RParen, ")"),
                (T::Number, "10"),
                (T::Percent, "%"),
                (T::Number, "3"),
                (T::Number, "10"),
                (T::Percent, "%"),
                (T::Number, "3"),
                (T::Number, "10"),
                (T::History, "%x"),
                (T::Number, "10"),
                (T::PercentAssign, "%="),
            ]
        );
    }

    #[test]
    fn unterminated_string_stops_at_the_line_end() {
        let text = "output \"abc\nnext";
        let (tokens, diags) = lex(text, FileId(0));
        let string = tokens.iter().find(|t| t.kind == T::Str).unwrap();
        assert_eq!(string.text(text), "\"abc");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "unterminated string");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 7, 11)));
    }

    #[test]
    fn unknown_characters_are_reported_with_their_span() {
        let (tokens, diags) = lex("a ? é", FileId(0));
        assert_eq!(tokens[2].kind, T::Unknown);
        assert_eq!(diags[0].message, "unexpected character `?`");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 2, 3)));
        assert_eq!(diags[1].message, "unexpected character `é`");
        assert_eq!(diags[1].span, Some(Span::new(FileId(0), 4, 6)));
    }

    #[test]
    fn numbers_take_a_fraction_only_before_a_digit() {
        assert_eq!(
            kinds("3.1416 3.x 0"),
            vec![
                (T::Number, "3.1416"),
                (T::Number, "3"),
                (T::Dot, "."),
                (T::Word, "x"),
                (T::Number, "0")
            ]
        );
    }

    #[test]
    fn ranges_lex_with_absolute_spans() {
        let text = "\"$f(#x)\"";
        let (tokens, diags) = lex_range(text, FileId(3), 1, 7);
        assert!(diags.is_empty());
        assert_eq!(tokens[0].kind, T::StrCall);
        assert_eq!(tokens[0].span, Span::new(FileId(3), 1, 3));
        assert_eq!(tokens.last().unwrap().span, Span::new(FileId(3), 7, 7));
    }
}
