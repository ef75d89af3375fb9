//! The syntax tree of a Pikt program, with every variable already resolved to
//! a slot of its script's [`Symbols`] table.
//!
//! The parser builds it; the interpreter walks it. Names are looked up once,
//! here, so that the interpreter never hashes a variable name at run time.

use pikt_source::Span;

use crate::builtins::Builtin;

/// A parsed file: an alarm file holds several scripts, a standalone script or
/// a `+C` statement string holds exactly one (with no name).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// The scripts in file order.
    pub scripts: Vec<Script>,
}

/// One Pikt script: `Name init ... begin ... rule ... end ...`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    /// The name line (absent for standalone scripts and `+C` text).
    pub name: Option<Ident>,
    /// The `init` section.
    pub init: Init,
    /// The `begin` section.
    pub begin: Option<Block>,
    /// The `rule` sections, in order.
    pub rules: Vec<Block>,
    /// The `end` section.
    pub end: Option<Block>,
    /// Every variable and handle the script uses.
    pub symbols: Symbols,
    /// The whole script.
    pub span: Span,
}

/// A name with its location.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ident {
    /// The text of the name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// The `init` section; every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Init {
    /// `status active|inactive|suspended|testing|debugging`.
    pub status: Option<(Status, Span)>,
    /// `level emergency|urgent|...`.
    pub level: Option<(Level, Span)>,
    /// `task "..."` (literal text).
    pub task: Option<(String, Span)>,
    /// `input proc|file|logfile "..."`.
    pub input: Option<Input>,
    /// `filter "..."` (literal shell pipeline every input line goes through).
    pub filter: Option<(String, Span)>,
    /// `seps "..."` (literal separator characters).
    pub seps: Option<(String, Span)>,
    /// `dat <var> <spec>` lines, in order.
    pub dats: Vec<Dat>,
    /// `keys <var>...`: the dat variables identifying an input line across runs.
    pub keys: Vec<VarId>,
}

/// Script/alert status (reference §3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Runs normally.
    Active,
    /// Skipped.
    Inactive,
    /// Skipped, always logged.
    Suspended,
    /// Runs; `exec` commands are reported instead of run.
    Testing,
    /// Runs with debug tracing.
    Debugging,
}

impl Status {
    /// The status written as `word`.
    pub fn from_word(word: &str) -> Option<Status> {
        Some(match word {
            "active" => Status::Active,
            "inactive" => Status::Inactive,
            "suspended" => Status::Suspended,
            "testing" => Status::Testing,
            "debugging" => Status::Debugging,
            _ => return None,
        })
    }

    /// The status's word (`testing`).
    pub fn word(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Suspended => "suspended",
            Status::Testing => "testing",
            Status::Debugging => "debugging",
        }
    }
}

/// Syslog-like severity (reference §4.3); `alert` is a synonym of `urgent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// `emergency`
    Emergency,
    /// `urgent` / `alert`
    Urgent,
    /// `critical`
    Critical,
    /// `error`
    Error,
    /// `warning`
    Warning,
    /// `notice`
    Notice,
    /// `info`
    Info,
    /// `debug`
    Debug,
}

impl Level {
    /// The level written as `word` (`alert` is `urgent`).
    pub fn from_word(word: &str) -> Option<Level> {
        Some(match word {
            "emergency" => Level::Emergency,
            "urgent" | "alert" => Level::Urgent,
            "critical" => Level::Critical,
            "error" => Level::Error,
            "warning" => Level::Warning,
            "notice" => Level::Notice,
            "info" => Level::Info,
            "debug" => Level::Debug,
            _ => return None,
        })
    }

    /// The level's canonical word (`urgent`, never `alert`).
    pub fn word(self) -> &'static str {
        match self {
            Level::Emergency => "emergency",
            Level::Urgent => "urgent",
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

/// Where input lines come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// proc, file or logfile.
    pub kind: InputKind,
    /// The command or path (literal text, after backslash processing).
    pub source: String,
    /// For `logfile`: where the log is rotated to.
    pub rotated: Option<String>,
    /// The whole `input ...` statement.
    pub span: Span,
}

/// The kind of an `input` statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// `input proc` / `input process`: stdout of a `/bin/sh -c` command.
    Proc,
    /// `input file`: every line of a file.
    File,
    /// `input logfile`: lines appended since the previous run.
    Logfile,
}

/// `dat <var> <spec>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dat {
    /// The variable bound to part of each input line (read-only in statements).
    pub var: VarId,
    /// Which part.
    pub spec: DatSpec,
    /// The whole `dat` statement.
    pub span: Span,
}

/// Which part of an input line a `dat` variable gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatSpec {
    /// Field n (1-based) after splitting on `seps`.
    Field(u32),
    /// `$` (0), `$-1` (1), `$-2` (2), ...: a field counted from the end of
    /// the line, `$` being the last.
    FromEnd(u32),
    /// `m-n`: characters m through n (1-based, inclusive), trimmed.
    Columns(u32, u32),
}

/// A sequence of statements.
pub type Block = Vec<Stmt>;

/// A statement with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// From its keyword to the end of its last token (for blocks: the opening line only).
    pub span: Span,
}

/// Every statement form (reference §4.5, §4.6).
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `if c ... elif c ... else ... fi`: `arms` has one entry per `if`/`elif`.
    If {
        /// Condition and body of the `if` and of each `elif`.
        arms: Vec<(Expr, Block)>,
        /// The `else` body.
        otherwise: Option<Block>,
    },
    /// `while c ... endwhile`
    While {
        /// Tested before each iteration.
        cond: Expr,
        /// The loop body.
        body: Block,
    },
    /// `repeat ... until c`
    Repeat {
        /// The loop body (runs at least once).
        body: Block,
        /// The loop ends when this becomes true.
        until: Expr,
    },
    /// `for <assign> <cond> <assign> ... endfor` (the `set` keyword is optional).
    For {
        /// Runs once before the loop.
        init: Box<Assign>,
        /// Tested before each iteration.
        cond: Expr,
        /// Runs after each iteration (also after `continue`).
        step: Box<Assign>,
        /// The loop body.
        body: Block,
    },
    /// `foreach #keys($k, A) ... endforeach` and `for $k in #keys(A) ... endfor`.
    ForKeys {
        /// Receives each key in turn.
        var: VarId,
        /// The array whose keys are visited, in insertion order.
        array: VarId,
        /// The loop body.
        body: Block,
    },
    /// `switch e case L ... default ... endswitch`: cases fall through unless
    /// `breakswitch`.
    Switch {
        /// The value compared with each case label.
        subject: Expr,
        /// Cases and the default, in source order (`label == None` is `default`).
        cases: Vec<Case>,
    },
    /// `break`
    Break,
    /// `continue` / `cont`
    Continue,
    /// `breakswitch` / `breaksw`
    BreakSwitch,
    /// `again`: restart the current rule from its top.
    Again,
    /// `leave`: abandon the current rule, go on with the next rule.
    Leave,
    /// `redo`: reprocess the current input line from the first rule.
    Redo,
    /// `next`: go on with the next input line.
    Next,
    /// `skip n`: skip the next n input lines.
    Skip(Expr),
    /// `last`: stop the input loop, go to `end`.
    Last,
    /// `pause n`: sleep n seconds.
    Pause(Expr),
    /// `quit`: stop this script; the alert goes on with the next script.
    Quit,
    /// `die ["msg"]`: abort the whole run.
    Die(Option<Expr>),
    /// `do <call>`: evaluate a function call for its effect.
    Do(Expr),
    /// `set <lvalue> <op> <expr>`
    Set(Assign),
    /// `unset` / `delete` a variable or array element.
    Unset(LValue),
    /// `exec ["wait"] cmd`, `doexec ["wait"] cmd`.
    Exec {
        /// Wait for the command to finish.
        wait: bool,
        /// `doexec`: runs even when the script is in `testing` status.
        force: bool,
        /// The shell command.
        command: Expr,
    },
    /// `output [mail|print|log F|piktlog|syslog] msg`.
    Output {
        /// Where the message goes.
        target: OutputTarget,
        /// The message.
        message: Expr,
    },
}

/// One `case` (or the `default`) of a `switch`.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The label; `None` for `default`.
    pub label: Option<CaseLabel>,
    /// Statements up to the next `case`/`default`/`endswitch`.
    pub body: Block,
    /// The `case LABEL` / `default` words.
    pub span: Span,
}

/// A `case` label: a number or a string (character).
#[derive(Clone, Debug, PartialEq)]
pub enum CaseLabel {
    /// Compared numerically.
    Num(f64),
    /// Compared as a string.
    Str(String),
}

/// Where `output` sends its message.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputTarget {
    /// Plain `output`: standard output.
    Stdout,
    /// `output mail`: a line of this script's part of the alert mail.
    Mail,
    /// `output print`: the alert's print command.
    Print,
    /// `output log "file"`: append a line to a file.
    Log(Expr),
    /// `output piktlog` / `output log piktlog`: the alert's own log.
    PiktLog,
    /// `output syslog` / `output log syslog`: the system log.
    Syslog,
}

/// `lvalue op expr`, in `set` and in the `for` header.
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    /// What is assigned to.
    pub target: LValue,
    /// `=`, `+=`, ...
    pub op: AssignOp,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// Something that can be assigned to or unset.
#[derive(Clone, Debug, PartialEq)]
pub enum LValue {
    /// A scalar variable.
    Var(VarId, Span),
    /// An array element.
    Index(VarId, Box<Expr>, Span),
}

impl LValue {
    /// Where the lvalue is written.
    pub fn span(&self) -> Span {
        match self {
            LValue::Var(_, span) | LValue::Index(_, _, span) => *span,
        }
    }

    /// The variable assigned to (the array, for an element).
    pub fn var(&self) -> VarId {
        match self {
            LValue::Var(var, _) | LValue::Index(var, _, _) => *var,
        }
    }
}

/// Assignment operators (reference §4.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
    /// `%=`
    Rem,
    /// `**=`
    Pow,
    /// `&=`
    BitAnd,
    /// `|=`
    BitOr,
    /// `^=`
    BitXor,
    /// `<<=`
    Shl,
    /// `>>=`
    Shr,
    /// `.=`
    Concat,
}

impl AssignOp {
    /// The binary operator a compound assignment applies (`None` for `=`).
    pub fn binary(self) -> Option<BinaryOp> {
        Some(match self {
            AssignOp::Set => return None,
            AssignOp::Add => BinaryOp::Add,
            AssignOp::Sub => BinaryOp::Sub,
            AssignOp::Mul => BinaryOp::Mul,
            AssignOp::Div => BinaryOp::Div,
            AssignOp::Rem => BinaryOp::Rem,
            AssignOp::Pow => BinaryOp::Pow,
            AssignOp::BitAnd => BinaryOp::BitAnd,
            AssignOp::BitOr => BinaryOp::BitOr,
            AssignOp::BitXor => BinaryOp::BitXor,
            AssignOp::Shl => BinaryOp::Shl,
            AssignOp::Shr => BinaryOp::Shr,
            AssignOp::Concat => BinaryOp::Concat,
        })
    }
}

/// An expression with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Every expression form.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Num(f64),
    /// A string literal with no interpolation.
    Str(String),
    /// A string literal with `$var`, `#var`, `$1`, `$f(...)` parts.
    Interp(Vec<StrPart>),
    /// A variable (`$x`, `#x`), including dat variables. A bare array name is
    /// also a `Var` (legal only as the argument of `#defined`).
    Var(VarId),
    /// An array element `$a[i]` / `#a[i]`.
    Index(VarId, Box<Expr>),
    /// `%x`: the value from the previous run (history).
    History(VarId),
    /// `@x`: the value on the previous input line.
    Previous(VarId),
    /// `$inline`, `$rdlin`, ...
    Special(Special),
    /// `$1`, `$2`, ...: fields of the last `#split`.
    Field(u32),
    /// `$[e]`: field with a computed index.
    FieldExpr(Box<Expr>),
    /// A built-in function call.
    Call(Builtin, Vec<Expr>),
    /// An all-caps file or process handle (only as a function argument).
    Handle(HandleId),
    /// A prefix operator.
    Unary(UnaryOp, Box<Expr>),
    /// An infix operator.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

/// A piece of an interpolated string.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Text copied as is.
    Lit(String),
    /// A value converted to text.
    Expr(Expr),
}

/// Built-in string variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `$inline`, `$inlin`, `$il`: the current input line.
    Inline,
    /// `$readline`, `$rdlin`, `$rl`: the line last read by `#read`.
    Readline,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// unary `-`
    Neg,
    /// unary `+`
    Plus,
    /// `~`
    BitNot,
    /// A file test `-e -z -f -d -c -b -p -l -S` (the letter).
    FileTest(char),
}

/// Infix operators (precedence in `GRAMMAR.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
    /// `==`
    Eq,
    /// `!=`, `<>`
    Ne,
    /// `eq`
    StrEq,
    /// `ne`
    StrNe,
    /// `=~`
    Match,
    /// `!~`
    NotMatch,
    /// `=~~`
    MatchNoCase,
    /// `!~~`
    NotMatchNoCase,
    /// `<`, `!>=`
    Lt,
    /// `>`, `!<=`
    Gt,
    /// `<=`, `!>`
    Le,
    /// `>=`, `!<`
    Ge,
    /// `lt`
    StrLt,
    /// `gt`
    StrGt,
    /// `le`
    StrLe,
    /// `ge`
    StrGe,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `.`
    Concat,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `**` (right associative)
    Pow,
}

/// Index of a variable in its script's [`Symbols::vars`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// Index of a handle in its script's [`Symbols::handles`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleId(pub u32);

/// The type a sigil gives a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarType {
    /// `$name`
    Str,
    /// `#name`
    Num,
}

/// What the script does with one variable: one entry per distinct
/// `(sigil, name)`; `is_array` is set when the variable is ever indexed.
#[derive(Clone, Debug, PartialEq)]
pub struct VarInfo {
    /// Name without sigil.
    pub name: String,
    /// `$` or `#`.
    pub ty: VarType,
    /// True if the variable is ever indexed (an array).
    pub is_array: bool,
    /// Bound by `dat` (read-only).
    pub is_dat: bool,
    /// Read as `%name` somewhere: persisted between runs.
    pub in_history: bool,
    /// Read as `@name` somewhere: remembered from the previous input line.
    pub in_previous: bool,
    /// First place it is written.
    pub span: Span,
}

/// Every variable and handle of one script.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Symbols {
    /// Variables, indexed by [`VarId`].
    pub vars: Vec<VarInfo>,
    /// Handle names (all caps), indexed by [`HandleId`].
    pub handles: Vec<String>,
}

impl Symbols {
    /// The variable with id `id`.
    pub fn var(&self, id: VarId) -> Option<&VarInfo> {
        self.vars.get(id.0 as usize)
    }

    /// The variable's name with its sigil, for messages (`$user`, `#lgcnt`).
    pub fn display(&self, id: VarId) -> String {
        match self.var(id) {
            Some(info) => {
                let sigil = match info.ty {
                    VarType::Str => '$',
                    VarType::Num => '#',
                };
                format!("{sigil}{}", info.name)
            }
            None => format!("<var {}>", id.0),
        }
    }

    /// The handle's name.
    pub fn handle(&self, id: HandleId) -> &str {
        self.handles
            .get(id.0 as usize)
            .map_or("<handle>", String::as_str)
    }
}
