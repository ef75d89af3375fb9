//! Shell syntax, as far as pikt needs it to keep data out of shell code.
//!
//! A command that a script hands to `/bin/sh` (`exec`, `doexec`, `#system`,
//! `$command`, `#popen`) is built from pieces ([`command_pieces`]): the text
//! the script author wrote is shell **code**; every value (a variable, a
//! field, a function's result) is **data**. The interpreter never splices
//! data into the code: it passes each value in the command's environment
//! and writes a reference to it (`"${PIKT_DATA_1}"`) where the value stood.
//! A shell never reads the result of an expansion as syntax, so no value can
//! change what the command does, only what it works on.
//!
//! Which reference to write depends on where the value stands in the code:
//! [`ShellScanner`] follows the shell's quoting through the text as it is
//! written (code, and the references already written), and
//! [`ShellScanner::context`] says where the next value would stand:
//!
//! | context | written for a value | what the command sees |
//! | --- | --- | --- |
//! | [`ShellContext::Words`] (outside quotes) | `"${PIKT_DATA_1}" "${PIKT_DATA_2}"`, one per word | the value split at blanks (space, tab, newline) into words, no other expansion (no globbing) |
//! | [`ShellContext::Word`] (an assignment `NAME=`, a redirection's file, `case`'s word, `${x:-...}`) | `"${PIKT_DATA_1}"` | the value, as one word |
//! | [`ShellContext::SingleQuoted`] | `'"${PIKT_DATA_1}"'` (the quotes closed around it) | the value, inside the quotes |
//! | [`ShellContext::DoubleQuoted`], [`ShellContext::HereDoc`] | `${PIKT_DATA_1}` | the value, inside the quotes or the document |
//! | [`ShellContext::Arithmetic`] | `${PIKT_DATA_1}` | the value, which must be a whole number |
//! | [`ShellContext::Comment`] | `"${PIKT_DATA_1}"` | nothing: it is a comment |
//! | [`ShellContext::QuotedHereDoc`], [`ShellContext::HereDocDelimiter`] | refused | — |
//!
//! The scanner knows the shell's quotes, backslashes, `$(...)`, backquotes,
//! `${...}`, `$((...))`, comments, redirections and here-documents. It need
//! not be perfect to be safe: if it misjudged a context, the reference would
//! be read in another one, where it still expands to data (or stays literal
//! text), never to code. What it gets wrong can only change the words a
//! command sees.
//!
//! This module is pure: the interpreter builds commands with it, and the
//! check that warns about input data in commands uses it on the script text.

use crate::ast::{BinaryOp, Expr, ExprKind, StrPart};
use crate::builtins::Builtin;

/// One piece of a command expression, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CommandPiece<'e> {
    /// Text the script author wrote: shell code.
    Code(&'e str),
    /// A value: passed to the shell as data.
    Data(&'e Expr),
    /// `$shellcode(e)`: the value of `e` spliced into the command as shell
    /// code (the explicit opt-out).
    Spliced(&'e Expr),
}

/// The pieces of the command expression `expr`: the literal text of string
/// literals, interpolated strings and `.` concatenations is code; every
/// other operand is data. `$squote(e)` and `$dquote(e)` written directly in
/// a command stand for their quotes (code) around the value of `e` (data),
/// which is what their author meant; `$shellcode(e)` is spliced as code.
pub fn command_pieces(expr: &Expr) -> Vec<CommandPiece<'_>> {
    let mut pieces = Vec::new();
    // Concatenations nest on their left: walk them with a stack, not
    // recursion, so a long chain cannot exhaust the stack.
    let mut stack = vec![Walk::Expr(expr)];
    while let Some(item) = stack.pop() {
        let expr = match item {
            Walk::Code(code) => {
                pieces.push(CommandPiece::Code(code));
                continue;
            }
            Walk::Expr(expr) => expr,
        };
        match &expr.kind {
            ExprKind::Str(text) => pieces.push(CommandPiece::Code(text)),
            ExprKind::Interp(parts) => {
                for part in parts.iter().rev() {
                    stack.push(match part {
                        StrPart::Lit(text) => Walk::Code(text),
                        StrPart::Expr(inner) => Walk::Expr(inner),
                    });
                }
            }
            ExprKind::Binary(BinaryOp::Concat, left, right) => {
                stack.push(Walk::Expr(right));
                stack.push(Walk::Expr(left));
            }
            ExprKind::Call(Builtin::Shellcode, args) => {
                if let Some(arg) = args.first() {
                    pieces.push(CommandPiece::Spliced(arg));
                }
            }
            ExprKind::Call(quote @ (Builtin::Squote | Builtin::Dquote), args) => {
                let mark = if *quote == Builtin::Squote { "'" } else { "\"" };
                if let Some(arg) = args.first() {
                    pieces.push(CommandPiece::Code(mark));
                    pieces.push(CommandPiece::Data(arg));
                    pieces.push(CommandPiece::Code(mark));
                }
            }
            _ => pieces.push(CommandPiece::Data(expr)),
        }
    }
    pieces
}

/// An item of [`command_pieces`]' walk.
enum Walk<'e> {
    Expr(&'e Expr),
    Code(&'e str),
}

/// Where a value written at this point of shell text would stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellContext {
    /// Outside quotes, among a command's words: the shell splits the value
    /// into words.
    Words,
    /// Outside quotes, in a word the shell does not split: an assignment
    /// (`NAME=...`), a redirection's file name, `case`'s word, the word of
    /// `${name:-...}`.
    Word,
    /// Inside `'...'`.
    SingleQuoted,
    /// Inside `"..."`.
    DoubleQuoted,
    /// In the body of a here-document whose delimiter is not quoted.
    HereDoc,
    /// Inside `$((...))`.
    Arithmetic,
    /// In a comment.
    Comment,
    /// In the body of a here-document whose delimiter is quoted
    /// (`<<'EOF'`): the shell expands nothing there, so a value cannot be
    /// passed as data.
    QuotedHereDoc,
    /// In the delimiter word of a here-document.
    HereDocDelimiter,
}

impl ShellContext {
    /// A short description for messages (`inside single quotes`).
    pub fn describe(self) -> &'static str {
        match self {
            ShellContext::Words => "outside quotes",
            ShellContext::Word => "in an unsplit word",
            ShellContext::SingleQuoted => "inside single quotes",
            ShellContext::DoubleQuoted => "inside double quotes",
            ShellContext::HereDoc => "in a here-document",
            ShellContext::Arithmetic => "in an arithmetic expansion",
            ShellContext::Comment => "in a comment",
            ShellContext::QuotedHereDoc => "in a here-document with a quoted delimiter",
            ShellContext::HereDocDelimiter => "in a here-document's delimiter",
        }
    }
}

/// What the text already written needs before a value is written after it:
/// a backslash or a `$` at its end would otherwise combine with the
/// reference to the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixup {
    /// Nothing.
    None,
    /// Remove the last character (a backslash that would have quoted the
    /// value's first character: the value is data anyway).
    DropLast,
    /// Write one more backslash (the backslash before the value stays a
    /// literal backslash, as it would have before the value's first
    /// character).
    AppendBackslash,
    /// Write a backslash before the last character (a `$` that the value
    /// followed: it stays a literal `$`; a value never names a variable).
    EscapeLast,
}

/// One level of shell syntax.
#[derive(Clone, Debug)]
enum Frame {
    /// Command text: the whole command, `$(...)` or `` `...` ``.
    Command(Box<CommandState>),
    /// `'...'`
    Single,
    /// `"..."`
    Double,
    /// `${...}`; `quoted` when inside double quotes.
    Brace { quoted: bool },
    /// `$((...))`, with the depth of parentheses inside; `closing` after
    /// the first `)` of the closing `))`.
    Arith { depth: u32, closing: bool },
}

/// Which kind of command text a [`Frame::Command`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommandKind {
    Top,
    /// `$(...)`, with the depth of parentheses inside.
    Subst {
        depth: u32,
    },
    Backquote,
}

/// What the next word of command text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// An ordinary word.
    Word,
    /// The file of a redirection.
    Target,
    /// `case`'s word.
    CaseWord,
    /// A here-document's delimiter (`<<-` when `strip_tabs`).
    Delimiter { strip_tabs: bool },
}

/// A here-document announced on the current line.
#[derive(Clone, Debug)]
struct HereDoc {
    delimiter: String,
    quoted: bool,
    strip_tabs: bool,
}

/// The state of command text.
#[derive(Clone, Debug)]
struct CommandState {
    kind: CommandKind,
    /// Between words (the next character starts one).
    at_word_start: bool,
    /// The current word is not split (assignment, redirection target...).
    unsplit: bool,
    /// The current word's plain text so far (for `NAME=` and `case`);
    /// `None` once it holds anything but plain characters.
    plain: Option<String>,
    expect: Expect,
    /// The delimiter being read, and whether any of it was quoted.
    delimiter: Option<(String, bool)>,
    comment: bool,
    /// A backslash waits for the character it quotes.
    escape: bool,
    /// A redirection operator was just read (`<` or `>`), which `<` turns
    /// into a here-document.
    redirect: Option<u8>,
    /// Here-documents whose bodies start at the next newline.
    heredocs: Vec<HereDoc>,
    /// The here-document whose body is being read, with its current line.
    body: Option<Body>,
}

/// A here-document body being read.
#[derive(Clone, Debug)]
struct Body {
    doc: HereDoc,
    line: String,
    /// The line holds a value: it cannot be the delimiter line.
    line_has_data: bool,
    escape: bool,
    /// The bodies that follow this one (several `<<` on one line).
    rest: Vec<HereDoc>,
}

impl CommandState {
    fn new(kind: CommandKind) -> CommandState {
        CommandState {
            kind,
            at_word_start: true,
            unsplit: false,
            plain: Some(String::new()),
            expect: Expect::Word,
            delimiter: None,
            comment: false,
            escape: false,
            redirect: None,
            heredocs: Vec::new(),
            body: None,
        }
    }
}

/// A `$` or `$(` whose meaning the next character decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Nothing,
    Dollar,
    DollarParen,
}

/// Follows shell syntax through text fed to it piece by piece (see the
/// module documentation).
#[derive(Clone, Debug)]
pub struct ShellScanner {
    frames: Vec<Frame>,
    pending: Pending,
}

impl Default for ShellScanner {
    fn default() -> Self {
        ShellScanner::new()
    }
}

/// Longest plain word prefix kept for recognising `NAME=` and `case`.
const PLAIN_WORD_MAX: usize = 64;

/// How deep frames may nest; deeper text is taken as it comes (the context
/// stays where it is), which cannot make data code.
const MAX_FRAMES: usize = 256;

impl ShellScanner {
    /// A scanner at the start of a command.
    pub fn new() -> ShellScanner {
        ShellScanner {
            frames: vec![Frame::Command(Box::new(CommandState::new(
                CommandKind::Top,
            )))],
            pending: Pending::Nothing,
        }
    }

    /// Follows `text`, which comes next in the command.
    pub fn feed(&mut self, text: &str) {
        for ch in text.chars() {
            self.feed_char(ch);
        }
    }

    /// Where a value written now would stand.
    pub fn context(&self) -> ShellContext {
        if self.pending == Pending::DollarParen {
            // `$(` and a value: the value starts the command inside.
            return ShellContext::Words;
        }
        match self.frames.last() {
            Some(Frame::Command(state)) => command_context(state),
            Some(Frame::Single) => ShellContext::SingleQuoted,
            Some(Frame::Double) => ShellContext::DoubleQuoted,
            Some(Frame::Brace { quoted: true }) => ShellContext::DoubleQuoted,
            Some(Frame::Brace { quoted: false }) => ShellContext::Word,
            Some(Frame::Arith { .. }) => ShellContext::Arithmetic,
            None => ShellContext::Words,
        }
    }

    /// True when the current position is inside backquotes, where the shell
    /// removes a level of backslashes before it reads the text.
    pub fn in_backquotes(&self) -> bool {
        self.frames.iter().any(
            |frame| matches!(frame, Frame::Command(state) if state.kind == CommandKind::Backquote),
        )
    }

    /// Settles what the text so far leaves open before a value is written
    /// (a `$` or a backslash at its end; a pending `$(`), and says how the
    /// caller must change that text. `first` is the value's first character
    /// (`None` for an empty value, which is written as nothing at all).
    pub fn before_data(&mut self, first: Option<char>) -> Fixup {
        match self.pending {
            Pending::Dollar => {
                self.pending = Pending::Nothing;
                return Fixup::EscapeLast;
            }
            Pending::DollarParen => {
                self.pending = Pending::Nothing;
                self.push(Frame::Command(Box::new(CommandState::new(
                    CommandKind::Subst { depth: 0 },
                ))));
            }
            Pending::Nothing => {}
        }
        let Some(first) = first else {
            return Fixup::None;
        };
        let context = self.context();
        let Some(escape) = self.escape_flag() else {
            return Fixup::None;
        };
        if !*escape {
            return Fixup::None;
        }
        *escape = false;
        // A backslash quotes the next character: outside quotes any one;
        // inside double quotes or a here-document only those it can quote,
        // and before any other it is a backslash.
        let quotable = match context {
            ShellContext::DoubleQuoted => matches!(first, '$' | '`' | '"' | '\\' | '\n'),
            ShellContext::HereDoc => matches!(first, '$' | '`' | '\\' | '\n'),
            _ => true,
        };
        if quotable {
            Fixup::DropLast
        } else {
            Fixup::AppendBackslash
        }
    }

    /// Notes that a value was written at the current position (what was
    /// written for it is fed separately): the word it stands in is no
    /// longer plain, and a here-document line holding it is not its
    /// delimiter.
    pub fn data_written(&mut self) {
        if let Some(Frame::Command(state)) = self.frames.last_mut() {
            if let Some(body) = &mut state.body {
                body.line_has_data = true;
            } else {
                state.plain = None;
            }
        }
    }

    /// The escape flag of the innermost frame that has one.
    fn escape_flag(&mut self) -> Option<&mut bool> {
        self.frames.iter_mut().rev().find_map(|frame| match frame {
            Frame::Command(state) => Some(match &mut state.body {
                Some(body) => &mut body.escape,
                None => &mut state.escape,
            }),
            Frame::Double | Frame::Brace { .. } | Frame::Arith { .. } => None,
            Frame::Single => None,
        })
    }

    fn push(&mut self, frame: Frame) {
        if self.frames.len() < MAX_FRAMES {
            self.frames.push(frame);
        }
    }

    fn pop(&mut self) {
        if self.frames.len() > 1 {
            self.frames.pop();
        }
    }

    fn feed_char(&mut self, ch: char) {
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Dollar => match ch {
                '(' => {
                    self.pending = Pending::DollarParen;
                    return;
                }
                '{' => {
                    let quoted = matches!(
                        self.frames.last(),
                        Some(Frame::Double | Frame::Brace { quoted: true })
                    );
                    self.push(Frame::Brace { quoted });
                    return;
                }
                _ => {}
            },
            Pending::DollarParen => {
                if ch == '(' {
                    self.push(Frame::Arith {
                        depth: 0,
                        closing: false,
                    });
                    return;
                }
                self.push(Frame::Command(Box::new(CommandState::new(
                    CommandKind::Subst { depth: 0 },
                ))));
            }
            Pending::Nothing => {}
        }
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        match frame {
            Frame::Single => {
                if ch == '\'' {
                    self.pop();
                }
            }
            Frame::Double => self.double_char(ch),
            Frame::Brace { .. } => self.brace_char(ch),
            Frame::Arith { .. } => self.arith_char(ch),
            Frame::Command(_) => self.command_char(ch),
        }
    }

    /// A character inside double quotes.
    fn double_char(&mut self, ch: char) {
        // Double quotes keep their backslash state in the enclosing
        // command's flag, which is not used while they are open.
        let escaped = self.take_escape();
        if escaped {
            return;
        }
        match ch {
            '\\' => self.set_escape(),
            '"' => self.pop(),
            '$' => self.pending = Pending::Dollar,
            '`' => self.push(Frame::Command(Box::new(CommandState::new(
                CommandKind::Backquote,
            )))),
            _ => {}
        }
    }

    /// A character inside `${...}`.
    fn brace_char(&mut self, ch: char) {
        let escaped = self.take_escape();
        if escaped {
            return;
        }
        let quoted = matches!(self.frames.last(), Some(Frame::Brace { quoted: true }));
        match ch {
            '\\' => self.set_escape(),
            '}' => self.pop(),
            '$' => self.pending = Pending::Dollar,
            '"' => self.push(Frame::Double),
            '\'' if !quoted => self.push(Frame::Single),
            '`' => self.push(Frame::Command(Box::new(CommandState::new(
                CommandKind::Backquote,
            )))),
            _ => {}
        }
    }

    /// A character inside `$((...))`.
    fn arith_char(&mut self, ch: char) {
        let Some(Frame::Arith { depth, closing }) = self.frames.last_mut() else {
            return;
        };
        if std::mem::replace(closing, false) && ch == ')' {
            self.pop();
            return;
        }
        match ch {
            '(' => *depth += 1,
            ')' if *depth > 0 => *depth -= 1,
            ')' => *closing = true,
            '$' => self.pending = Pending::Dollar,
            _ => {}
        }
    }

    /// Reads and clears the backslash flag for quote-like frames (kept in
    /// the nearest command state).
    fn take_escape(&mut self) -> bool {
        match self.escape_flag() {
            Some(flag) => std::mem::replace(flag, false),
            None => false,
        }
    }

    fn set_escape(&mut self) {
        if let Some(flag) = self.escape_flag() {
            *flag = true;
        }
    }

    /// A character of command text.
    fn command_char(&mut self, ch: char) {
        let Some(Frame::Command(state)) = self.frames.last_mut() else {
            return;
        };
        if state.body.is_some() {
            self.body_char(ch);
            return;
        }
        if state.comment {
            if ch == '\n' {
                state.comment = false;
                self.newline();
            }
            return;
        }
        if std::mem::replace(&mut state.escape, false) {
            // `\` + newline joins lines; any other escaped character is
            // part of the word.
            if ch != '\n' {
                state.at_word_start = false;
                state.plain = None;
                if let Some((text, quoted)) = &mut state.delimiter {
                    text.push(ch);
                    *quoted = true;
                }
            }
            return;
        }
        if let Some(first) = state.redirect.take() {
            match (first, ch) {
                (b'<', '<') => {
                    state.expect = Expect::Delimiter { strip_tabs: false };
                    return;
                }
                (_, '&' | '|' | '>') => return,
                _ => {}
            }
        }
        if state.expect == (Expect::Delimiter { strip_tabs: false })
            && ch == '-'
            && state.delimiter.is_none()
            && state.at_word_start
        {
            state.expect = Expect::Delimiter { strip_tabs: true };
            return;
        }
        match ch {
            ' ' | '\t' => self.end_word(),
            '\n' => {
                self.end_word();
                self.newline();
            }
            '#' if state.at_word_start => state.comment = true,
            ';' | '&' | '|' => {
                self.end_word();
                self.command_start();
            }
            '(' => {
                self.end_word();
                if let Some(Frame::Command(state)) = self.frames.last_mut() {
                    if let CommandKind::Subst { depth } = &mut state.kind {
                        *depth += 1;
                    }
                }
                self.command_start();
            }
            ')' => {
                self.end_word();
                let closes = match self.frames.last_mut() {
                    Some(Frame::Command(state)) => match &mut state.kind {
                        CommandKind::Subst { depth: 0 } => true,
                        CommandKind::Subst { depth } => {
                            *depth -= 1;
                            false
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if closes {
                    self.pop();
                    self.after_expansion();
                } else {
                    self.command_start();
                }
            }
            '<' | '>' => {
                self.end_word();
                if let Some(Frame::Command(state)) = self.frames.last_mut() {
                    state.redirect = Some(if ch == '<' { b'<' } else { b'>' });
                    state.expect = Expect::Target;
                }
            }
            '`' if state.kind == CommandKind::Backquote => {
                self.pop();
                self.after_expansion();
            }
            _ => self.word_char(ch),
        }
    }

    /// A character that belongs to a word (or opens a quote or expansion
    /// inside one).
    fn word_char(&mut self, ch: char) {
        let Some(Frame::Command(state)) = self.frames.last_mut() else {
            return;
        };
        state.at_word_start = false;
        if let Some((text, quoted)) = &mut state.delimiter {
            match ch {
                '\'' | '"' => *quoted = true,
                '\\' => {
                    *quoted = true;
                    state.escape = true;
                }
                _ => text.push(ch),
            }
            return;
        }
        if let Expect::Delimiter { .. } = state.expect {
            let quoted = matches!(ch, '\'' | '"' | '\\');
            state.delimiter = Some((String::new(), quoted));
            if ch == '\\' {
                state.escape = true;
            } else if !quoted {
                if let Some((text, _)) = &mut state.delimiter {
                    text.push(ch);
                }
            }
            return;
        }
        if matches!(state.expect, Expect::Target | Expect::CaseWord) {
            state.unsplit = true;
        }
        match ch {
            '\\' => {
                state.escape = true;
                state.plain = None;
            }
            '\'' => {
                state.plain = None;
                self.push(Frame::Single);
            }
            '"' => {
                state.plain = None;
                self.push(Frame::Double);
            }
            '`' => {
                state.plain = None;
                self.push(Frame::Command(Box::new(CommandState::new(
                    CommandKind::Backquote,
                ))));
            }
            '$' => {
                state.plain = None;
                self.pending = Pending::Dollar;
            }
            '=' => {
                if state.plain.as_deref().is_some_and(is_name) {
                    state.unsplit = true;
                }
                state.plain = None;
            }
            _ => {
                if let Some(plain) = &mut state.plain {
                    if plain.len() < PLAIN_WORD_MAX {
                        plain.push(ch);
                    } else {
                        state.plain = None;
                    }
                }
            }
        }
    }

    /// After `$(...)` or `` `...` `` closed: the word they stood in goes on.
    fn after_expansion(&mut self) {
        if let Some(Frame::Command(state)) = self.frames.last_mut() {
            state.at_word_start = false;
            state.plain = None;
        }
    }

    /// A blank, newline or operator ended the current word.
    fn end_word(&mut self) {
        let Some(Frame::Command(state)) = self.frames.last_mut() else {
            return;
        };
        if state.at_word_start {
            return;
        }
        let was_case = state.plain.as_deref() == Some("case");
        state.expect = match state.expect {
            Expect::Delimiter { strip_tabs } => {
                if let Some((delimiter, quoted)) = state.delimiter.take() {
                    state.heredocs.push(HereDoc {
                        delimiter,
                        quoted,
                        strip_tabs,
                    });
                }
                Expect::Word
            }
            _ if was_case => Expect::CaseWord,
            _ => Expect::Word,
        };
        state.at_word_start = true;
        state.unsplit = false;
        state.plain = Some(String::new());
    }

    /// After an operator: a new command starts.
    fn command_start(&mut self) {
        if let Some(Frame::Command(state)) = self.frames.last_mut() {
            state.at_word_start = true;
            state.unsplit = false;
            state.plain = Some(String::new());
            if !matches!(state.expect, Expect::Delimiter { .. }) {
                state.expect = Expect::Word;
            }
        }
    }

    /// A newline outside quotes: here-document bodies start.
    fn newline(&mut self) {
        let Some(Frame::Command(state)) = self.frames.last_mut() else {
            return;
        };
        state.at_word_start = true;
        state.expect = Expect::Word;
        let mut docs = std::mem::take(&mut state.heredocs);
        if docs.is_empty() {
            return;
        }
        let doc = docs.remove(0);
        state.body = Some(Body {
            doc,
            line: String::new(),
            line_has_data: false,
            escape: false,
            rest: docs,
        });
    }

    /// A character of a here-document body.
    fn body_char(&mut self, ch: char) {
        let Some(Frame::Command(state)) = self.frames.last_mut() else {
            return;
        };
        let Some(body) = &mut state.body else {
            return;
        };
        if ch != '\n' {
            if !body.doc.quoted && !std::mem::replace(&mut body.escape, false) && ch == '\\' {
                body.escape = true;
            }
            body.line.push(ch);
            return;
        }
        body.escape = false;
        let line = if body.doc.strip_tabs {
            body.line.trim_start_matches('\t')
        } else {
            body.line.as_str()
        };
        let ends = !body.line_has_data && line == body.doc.delimiter;
        body.line.clear();
        body.line_has_data = false;
        if !ends {
            return;
        }
        let mut rest = std::mem::take(&mut body.rest);
        state.body = if rest.is_empty() {
            None
        } else {
            let doc = rest.remove(0);
            Some(Body {
                doc,
                line: String::new(),
                line_has_data: false,
                escape: false,
                rest,
            })
        };
    }
}

/// Writes to `out` what stands for a value held in the shell variable
/// `name`, at a place of `context` (the module documentation's table).
/// Returns false, writing nothing, where no value can be passed as data.
pub fn write_reference(context: ShellContext, name: &str, out: &mut String) -> bool {
    match context {
        ShellContext::Words | ShellContext::Word | ShellContext::Comment => {
            out.push_str("\"${");
            out.push_str(name);
            out.push_str("}\"");
        }
        ShellContext::SingleQuoted => {
            out.push_str("'\"${");
            out.push_str(name);
            out.push_str("}\"'");
        }
        ShellContext::DoubleQuoted | ShellContext::HereDoc | ShellContext::Arithmetic => {
            out.push_str("${");
            out.push_str(name);
            out.push('}');
        }
        ShellContext::QuotedHereDoc | ShellContext::HereDocDelimiter => return false,
    }
    true
}

/// The context of command text in `state`.
fn command_context(state: &CommandState) -> ShellContext {
    if let Some(body) = &state.body {
        return if body.doc.quoted {
            ShellContext::QuotedHereDoc
        } else {
            ShellContext::HereDoc
        };
    }
    if state.comment {
        return ShellContext::Comment;
    }
    if matches!(state.expect, Expect::Delimiter { .. }) {
        return ShellContext::HereDocDelimiter;
    }
    if state.unsplit || matches!(state.expect, Expect::Target | Expect::CaseWord) {
        ShellContext::Word
    } else {
        ShellContext::Words
    }
}

/// True for a shell variable name (`NAME` of an assignment `NAME=...`).
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests;
