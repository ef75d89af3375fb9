//! The kinds of token the lexer produces (the token table of `GRAMMAR.md`).

use std::fmt;

/// What a [`crate::token::Token`] is. The lexer is lossless, so trivia
/// (white space, newlines, comments) are tokens too; the parser skips them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    // ---- trivia ----
    /// Spaces, tabs, carriage returns.
    Whitespace,
    /// One line end.
    Newline,
    /// `# ...`, `#!...` on the first line, `// ...`, `/* ... */`.
    Comment,

    // ---- words ----
    /// A bare word with a lower-case letter: a keyword, an operator word
    /// (`eq`), a script name.
    Word,
    /// An all-caps word: a file or process handle (or a script name in column 1).
    Handle,

    // ---- sigils ----
    /// `$name`
    StrVar,
    /// `#name`
    NumVar,
    /// `$name` directly followed by `(`: a string function call.
    StrCall,
    /// `#name` directly followed by `(`: a numeric function call.
    NumCall,
    /// `%name`, `%$name`, `%#name`: a value from the previous run.
    History,
    /// `@name`, `@$name`, `@#name`: a value from the previous input line.
    Previous,
    /// `$1`, `$2`, ...: a field of the last `#split`.
    Field,
    /// `$[`: the start of a computed field `$[expr]`.
    FieldOpen,
    /// A lone `$` (the last-field `dat` spec).
    Dollar,

    // ---- literals ----
    /// `3`, `3.1416`.
    Number,
    /// `"..."` (possibly unterminated; the lexer reported it).
    Str,
    /// A file test `-e -z -f -d -c -b -p -l -S` in prefix position.
    FileTest,

    // ---- punctuation ----
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,

    // ---- assignment operators ----
    /// `=`
    Assign,
    /// `+=`
    PlusAssign,
    /// `-=`
    MinusAssign,
    /// `*=`
    StarAssign,
    /// `/=`
    SlashAssign,
    /// `%=`
    PercentAssign,
    /// `**=`
    PowAssign,
    /// `&=`
    AmpAssign,
    /// `|=`
    PipeAssign,
    /// `^=`
    CaretAssign,
    /// `<<=`
    ShlAssign,
    /// `>>=`
    ShrAssign,
    /// `.=`
    DotAssign,

    // ---- operators ----
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `**`
    Pow,
    /// `.`
    Dot,
    /// `&`
    Amp,
    /// `|`
    Pipe,
    /// `^`
    Caret,
    /// `~`
    Tilde,
    /// `!`
    Bang,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `==`
    EqEq,
    /// `!=`
    BangEq,
    /// `<>`
    LtGt,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `!>`
    NotGt,
    /// `!<`
    NotLt,
    /// `!>=`
    NotGe,
    /// `!<=`
    NotLe,
    /// `=~`
    Match,
    /// `!~`
    NotMatch,
    /// `=~~`
    MatchNoCase,
    /// `!~~`
    NotMatchNoCase,

    // ---- special ----
    /// A character that starts no token (reported by the lexer).
    Unknown,
    /// The end of the text (empty).
    Eof,
}

impl TokenKind {
    /// True for white space, newlines and comments.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace | TokenKind::Newline | TokenKind::Comment
        )
    }

    /// True for tokens after which a `-` is binary (they end an operand).
    pub fn ends_operand(self) -> bool {
        matches!(
            self,
            TokenKind::StrVar
                | TokenKind::NumVar
                | TokenKind::History
                | TokenKind::Previous
                | TokenKind::Field
                | TokenKind::Number
                | TokenKind::Str
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::Handle
        )
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
