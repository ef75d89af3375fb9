//! The lowered form of a script (its *plan*): what the interpreter runs.
//!
//! [`lower`] turns a resolved syntax tree into a plan once per run, taking
//! every decision that does not depend on the data, so that the interpreter
//! never re-derives it per line:
//!
//! * **Typed slots.** `$` and `#` make types static: each variable lives in
//!   a slot of its kind ([`Place`]): a number, a text (with its buffer
//!   reused), a number array, a text array, or a `dat` field of the line.
//!   Expressions are lowered to a number ([`Num`]), a text ([`Text`]), a
//!   truth value ([`Cond`]) or, where the value's kind is only known when it
//!   is made (function results, `%x`), a [`Dyn`]; every conversion between
//!   them is an explicit node, chosen here.
//! * **Concatenation** chains and interpolated strings become one flat list
//!   of parts ([`Text::Concat`]), with adjacent literal text joined and
//!   literal numbers formatted. The string built may not grow past the
//!   memory limit (checked after each part, at the chain's span).
//! * **Commands** (`exec`, `#system`, `$command`, `#popen`) are lowered to
//!   their pieces ([`Command`], from `pikt_lang::shell_syntax`): the
//!   literal text is shell code, every value is data, which reaches the
//!   shell as an environment variable (`crate::command`), never as code.
//! * **Side effects** are judged here: whether the right side of a text
//!   comparison or match can call a function (which could re-split `$1` or
//!   re-read `$rdlin` under the left side's feet) is a flag of the node.
//! * **Assignments** take their specialised form: `set #x += e` updates a
//!   number in place, `set $x = $x . e` and `set $x .= e` append to the
//!   text's own buffer (no quadratic copies), `set $x = e` writes straight
//!   into the variable's buffer when `e` does not read `$x`, an array
//!   element is looked up once for reading and writing.
//! * **Regular expressions**: every match has a *site*; a literal pattern is
//!   compiled at the site's first use and kept there, an interpolated one is
//!   kept per site by its text (compared with the last ones the site used,
//!   without hashing).
//! * **Fields**: `$n`, `$[e]`, `dat` fields and the lines' fields have
//!   their own nodes; `#split` whose count is not used splits lazily.
//! * **Flow** statements in the wrong place (`next` in `begin`, `break`
//!   outside a loop) and expressions nested too deeply to evaluate become
//!   nodes that raise their run-time error when reached, at their span.
//!
//! Every node that can fail keeps the span the error points at, so
//! run-time errors show the file, line, column and caret as before.

mod lower;
#[cfg(test)]
mod tests;

use pikt_lang::ast::{BinaryOp, CaseLabel, DatSpec, HandleId, VarId, VarType};
use pikt_lang::builtins::Builtin;
use pikt_source::Span;

use crate::error::RunError;

pub(crate) use lower::lower;

/// The index of a slot among the slots of its kind.
pub(crate) type Slot = u32;

/// A lowered script.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The `begin` section (empty when there is none).
    pub begin: Block,
    /// The rule sections, in order.
    pub rules: Vec<Block>,
    /// The `end` section.
    pub end: Block,
    /// Where each variable lives, by [`VarId`].
    pub places: Vec<Place>,
    /// Each variable's name with its sigil, by [`VarId`] (messages, history).
    pub names: Vec<Box<str>>,
    /// How many slots of each kind and how many regex sites there are.
    pub sizes: Sizes,
    /// The variables read as `%x` (stored in the history).
    pub history: Vec<VarId>,
    /// The variables read as `@x` (remembered line to line).
    pub previous: Vec<VarId>,
}

/// Slot and site counts of a [`Plan`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// `#` scalars.
    pub nums: u32,
    /// `$` scalars.
    pub texts: u32,
    /// `#` arrays.
    pub num_arrays: u32,
    /// `$` arrays.
    pub text_arrays: u32,
    /// Regex matches.
    pub sites: u32,
    /// The highest field number a `dat` variable reads (`dat $x 11`: 11;
    /// 0 when none does): the first read of a line finds the fields up to
    /// it in one scan.
    pub dat_fields: u32,
}

/// Where a variable lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A `#` scalar.
    Num(Slot),
    /// A `$` scalar.
    Text(Slot),
    /// A `#` array.
    NumArray(Slot),
    /// A `$` array.
    TextArray(Slot),
    /// A `dat` variable: part of the current line.
    Dat(DatSpec, VarType),
}

/// A sequence of statements.
pub(crate) type Block = Box<[Stmt]>;

/// A statement with the span that traces and errors point at.
#[derive(Debug)]
pub(crate) struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// From its keyword to the end of its last token.
    pub span: Span,
}

/// How a statement ended: normally, or with a jump the enclosing
/// constructs act on. One byte: it is returned by every statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next statement.
    Normal,
    /// `break`: leave the innermost loop.
    Break,
    /// `continue`: next iteration of the innermost loop.
    Continue,
    /// `breakswitch`: leave the innermost switch.
    BreakSwitch,
    /// `next`: next input line.
    Next,
    /// `skip n`: skip n input lines (the machine keeps n), then the next
    /// one.
    Skip,
    /// `redo`: this input line again from the first rule.
    Redo,
    /// `again`: this rule again from its top.
    Again,
    /// `leave`: go on with the next rule.
    Leave,
    /// `last`: stop the input loop, run `end`.
    Last,
    /// `quit`: stop the script (no `end`).
    Quit,
    /// `die`: stop the whole run (the message is kept by the machine).
    Die,
}

/// Every statement form.
#[derive(Debug)]
pub(crate) enum StmtKind {
    /// `if`/`elif` arms in order, then the `else` body.
    If(Box<[(Cond, Block)]>, Block),
    /// `while c ... endwhile`
    While(Box<Loop>),
    /// `repeat ... until c`
    Repeat(Box<Loop>),
    /// `for init cond step ... endfor`
    For(Box<For>),
    /// `foreach #keys($k, A)`
    ForKeys(Box<ForKeys>),
    /// `switch`
    Switch(Box<Switch>),
    /// A jump that is allowed where it stands: `break`, `continue`,
    /// `breakswitch`, `next`, `redo`, `again`, `leave`, `last`, `quit`.
    Jump(Flow),
    /// `skip n`; outside a rule section, the error raised once `n` is
    /// evaluated.
    Skip(Num, Option<Box<RunError>>),
    /// `pause n`
    Pause(Num),
    /// `die ["msg"]`
    Die(Option<Text>),
    /// `do e`: evaluated for its effect.
    Eval(Val),
    /// `set ...`
    Assign(Assign),
    /// `unset`/`delete`
    Unset(Unset),
    /// `exec`, `exec wait`, `doexec`
    Exec(Box<Exec>),
    /// `output ...`
    Output(Box<Output>),
    /// A statement that fails when reached (a jump in the wrong place, an
    /// assignment to a `dat` variable).
    Fail(Box<RunError>),
}

/// `while c ... endwhile` or `repeat ... until c`.
#[derive(Debug)]
pub(crate) struct Loop {
    /// The condition.
    pub cond: Cond,
    /// The body.
    pub body: Block,
    /// The condition's span: each turn is counted against the limits
    /// there.
    pub at: Span,
}

/// `for init cond step ... endfor`
#[derive(Debug)]
pub(crate) struct For {
    /// Runs once before the loop.
    pub init: Assign,
    /// Tested before each iteration.
    pub cond: Cond,
    /// Runs after each iteration.
    pub step: Assign,
    /// The condition's span: each turn is counted against the limits
    /// there.
    pub at: Span,
    /// The body.
    pub body: Block,
}

/// `foreach #keys($k, A) ... endforeach`
#[derive(Debug)]
pub(crate) struct ForKeys {
    /// Receives each key.
    pub var: KeyVar,
    /// The array, or `None` when the variable is not one (an error).
    pub array: Option<Place>,
    /// The body.
    pub body: Block,
    /// The body can remove elements of the array, so the keys are copied
    /// before the loop starts (otherwise they are visited by position).
    pub snapshot: bool,
}

/// The variable of a `foreach` loop.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KeyVar {
    /// A `$` variable: the key itself.
    Text(Slot),
    /// A `#` variable: the key's leading number.
    Num(Slot),
    /// A `dat` variable or an array: the key goes nowhere, as before.
    Nowhere,
}

/// `switch subject case ... default ... endswitch`
#[derive(Debug)]
pub(crate) struct Switch {
    /// Compared with each case label.
    pub subject: Val,
    /// Labels (`None`: `default`) and bodies in source order.
    pub cases: Box<[(Option<CaseLabel>, Block)]>,
}

/// `exec`, `exec wait`, `doexec`
#[derive(Debug)]
pub(crate) struct Exec {
    /// Wait for the command.
    pub wait: bool,
    /// `doexec`.
    pub force: bool,
    /// The command, its code apart from its values.
    pub command: Command,
}

/// A command handed to `/bin/sh`, in pieces: the text the script author
/// wrote is code, every value is data (`pikt_lang::shell_syntax`).
#[derive(Debug)]
pub(crate) struct Command {
    /// The pieces in order.
    pub pieces: Box<[Piece]>,
}

/// A piece of a [`Command`].
#[derive(Debug)]
pub(crate) enum Piece {
    /// Shell code, as written.
    Code(Box<str>),
    /// A value, passed as data (its span: a value refused points there).
    Data(Text, Span),
    /// `$shellcode(e)`: the value spliced in as code (the explicit opt-out).
    Spliced(Text),
}

/// `output [target] message`
#[derive(Debug)]
pub(crate) struct Output {
    /// Where the message goes.
    pub target: Target,
    /// The message.
    pub message: Text,
}

/// Where `output` sends its message.
#[derive(Debug)]
pub(crate) enum Target {
    /// Standard output.
    Stdout,
    /// The alert mail.
    Mail,
    /// The print command.
    Print,
    /// A file (its path, and the path's span for a failure).
    Log(Text, Span),
    /// The alert log.
    PiktLog,
    /// Syslog.
    Syslog,
}

/// `unset`/`delete`
#[derive(Debug)]
pub(crate) enum Unset {
    /// A whole variable (scalar or array).
    Var(Place),
    /// One element.
    Elem(Box<Elem>),
}

/// An assignment, in the form its target and operator call for.
#[derive(Debug)]
pub(crate) enum Assign {
    /// `set #x = v`
    Num {
        /// The slot.
        slot: Slot,
        /// The variable (warnings).
        var: VarId,
        /// The value.
        value: Val,
        /// The target's span (warnings).
        span: Span,
    },
    /// `set $x = v`
    Text {
        /// The slot.
        slot: Slot,
        /// The variable (warnings).
        var: VarId,
        /// The value.
        value: Val,
        /// `v` reads `$x`: evaluate it aside first.
        aside: bool,
        /// The target's span (warnings).
        span: Span,
    },
    /// `set #x op= v` with an arithmetic operator.
    Update {
        /// The slot.
        slot: Slot,
        /// The operator.
        op: Arith,
        /// The right side.
        value: Num,
        /// The whole assignment (division by zero).
        span: Span,
    },
    /// `set $x .= v` and `set $x = $x . v`: appended in place.
    Append {
        /// The slot.
        slot: Slot,
        /// The variable (errors).
        var: VarId,
        /// What is appended.
        value: Text,
        /// `v` reads `$x`: evaluate it aside first.
        aside: bool,
        /// `set $x = $x . v`: `$x` must have a value (the span of that `$x`).
        needs_value: Option<Span>,
        /// The target's span (the memory limit).
        span: Span,
        /// Where the text is built (the string length limit): the
        /// concatenation, or the whole `.=` assignment.
        built: Span,
    },
    /// Any other compound assignment to a scalar, through values.
    Compound {
        /// Where the variable lives (a scalar slot).
        place: Place,
        /// The variable (warnings).
        var: VarId,
        /// The operator.
        op: BinaryOp,
        /// The right side.
        value: Val,
        /// The target's span (warnings).
        target: Span,
        /// The whole assignment (division by zero).
        span: Span,
    },
    /// `set #n = #split(...)`: the split is lazy, and `#n` gets the number
    /// of fields when it is first read (many scripts split every line but
    /// look at the count on few).
    Count {
        /// The slot of `#n`.
        slot: Slot,
        /// The split.
        split: Box<SplitCall>,
    },
    /// `set A[k] op v`
    Elem(Box<ElemAssign>),
    /// An assignment that fails when run (to a `dat` variable).
    Fail(Box<RunError>),
}

/// `set A[k] op v`
#[derive(Debug)]
pub(crate) struct ElemAssign {
    /// The element.
    pub elem: Elem,
    /// What is done to it.
    pub op: ElemOp,
    /// The right side.
    pub value: Val,
    /// The whole assignment (warnings, division by zero).
    pub span: Span,
}

/// What an element assignment does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ElemOp {
    /// `=`
    Set,
    /// `op=` with an arithmetic operator on a `#` array: in place.
    Arith(Arith),
    /// `.=` on a `$` array: appended in place.
    Append,
    /// Any other compound operator, through values.
    Other(BinaryOp),
}

/// An array element `A[key]`.
#[derive(Debug)]
pub(crate) struct Elem {
    /// `NumArray` or `TextArray`.
    pub array: Place,
    /// The array variable (errors).
    pub var: VarId,
    /// The key.
    pub key: Key,
    /// The whole element (errors).
    pub span: Span,
}

/// An array key: text, or a number written as Pikt prints it (so `#a[3]`
/// and `#a["3"]` are one element).
#[derive(Debug)]
pub(crate) enum Key {
    /// A text key.
    Text(Text),
    /// A number key (negative is an error at the span).
    Num(Num, Span),
}

/// The arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `**`
    Pow,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

impl Arith {
    /// The arithmetic operator `op` is, if any.
    pub(crate) fn of(op: BinaryOp) -> Option<Arith> {
        use BinaryOp as B;
        Some(match op {
            B::Add => Arith::Add,
            B::Sub => Arith::Sub,
            B::Mul => Arith::Mul,
            B::Div => Arith::Div,
            B::Rem => Arith::Rem,
            B::Pow => Arith::Pow,
            B::BitAnd => Arith::BitAnd,
            B::BitOr => Arith::BitOr,
            B::BitXor => Arith::BitXor,
            B::Shl => Arith::Shl,
            B::Shr => Arith::Shr,
            _ => return None,
        })
    }
}

/// The comparison operators, numeric (`== != < > <= >=`) or text (`eq ne
/// lt gt le ge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compare {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less.
    Lt,
    /// Greater.
    Gt,
    /// Less or equal.
    Le,
    /// Greater or equal.
    Ge,
}

/// A number-valued expression.
#[derive(Debug)]
pub(crate) enum Num {
    /// A literal (also folded constants).
    Const(f64),
    /// A `#` scalar.
    Var(Slot, VarId, Span),
    /// A `#` `dat` variable: the leading number of its field.
    Dat(DatSpec, VarId, Span),
    /// An element of a `#` array.
    Elem(Box<Elem>),
    /// `@x` of a `#` variable.
    Previous(VarId, Span),
    /// Unary minus.
    Neg(Box<Num>),
    /// `~`
    BitNot(Box<Num>),
    /// `l + r` (the operators that cannot fail have their own nodes).
    Add(Box<[Num; 2]>),
    /// `l - r`
    Sub(Box<[Num; 2]>),
    /// `l * r`
    Mul(Box<[Num; 2]>),
    /// Any other arithmetic operator (the span for division by zero).
    Arith(Arith, Box<[Num; 2]>, Span),
    /// A truth value as 1 or 0 (comparisons, matches, `!`, `&&`, `||`).
    Truth(Box<Cond>),
    /// The leading number of a text (`" 42abc"` is 42).
    OfText(Box<Text>),
    /// A value made at run time, as a number.
    OfDyn(Box<Dyn>),
    /// `#split(text [, seps])`.
    Split(Box<SplitCall>),
    /// `#innum()`: the number of the current input line.
    LineNumber,
    /// An expression that fails when evaluated (nested too deeply, wrong
    /// shape).
    Fail(Box<RunError>),
}

/// A text-valued expression.
#[derive(Debug)]
pub(crate) enum Text {
    /// Literal text.
    Lit(Box<str>),
    /// A `$` scalar.
    Var(Slot, VarId, Span),
    /// A `$` `dat` variable: its field of the line.
    Dat(DatSpec, VarId, Span),
    /// An element of a `$` array.
    Elem(Box<Elem>),
    /// `@x` of a `$` variable.
    Previous(VarId, Span),
    /// `$inline`
    Line(Span),
    /// `$rdlin`
    Readline(Span),
    /// `$n` of the last `#split` (`$0`: all of it).
    Field(u32),
    /// `$[e]` (the span of `e`, for a negative index).
    FieldAt(Box<Num>, Span),
    /// `$[#n - k]` (or `$[#n]`): while `#n` still owes the field count of
    /// the current split ([`Assign::Count`]), the field `k` places before
    /// the last, found from the end of the text without counting; else
    /// `$[e]`.
    FieldBack(Box<FieldBack>),
    /// Parts concatenated: a chain of `.` and interpolated strings,
    /// flattened, with literal parts joined (the chain's span: the memory
    /// limit).
    Concat(Box<[Text]>, Span),
    /// A number, formatted as Pikt prints it.
    Num(Box<Num>),
    /// A value made at run time, as text.
    Dyn(Box<Dyn>),
    /// An expression that fails when evaluated.
    Fail(Box<RunError>),
}

/// `$[#n - k]`
#[derive(Debug)]
pub(crate) struct FieldBack {
    /// The slot of `#n`.
    pub slot: Slot,
    /// `k`.
    pub back: u32,
    /// The whole index, for when `#n` holds a number.
    pub index: Num,
    /// The index's span.
    pub span: Span,
}

/// A value whose kind is known only when it is made.
#[derive(Debug)]
pub(crate) enum Dyn {
    /// A built-in function call.
    Call(Box<Call>),
    /// `%x`: from the whole run (`begin`/`end`) or from the input line's
    /// key (`keyed`, in rules).
    History(VarId, bool, Span),
    /// A handle, which is no value (an error unless a function takes it).
    Handle(HandleId, Span),
}

/// A call of a built-in function.
#[derive(Debug)]
pub(crate) struct Call {
    /// The function.
    pub builtin: Builtin,
    /// The arguments, each in its natural kind (handles as [`Dyn::Handle`]).
    pub args: Box<[Arg]>,
    /// The command argument of `#system`, `$command` and `#popen`, as a
    /// command (its place among `args` holds nothing to evaluate).
    pub command: Option<Box<Command>>,
    /// The call.
    pub span: Span,
}

/// An argument of a call.
#[derive(Debug)]
pub(crate) struct Arg {
    /// Its value.
    pub val: Val,
    /// Where it is written (errors about it).
    pub span: Span,
}

/// `#split(text [, seps])`
#[derive(Debug)]
pub(crate) struct SplitCall {
    /// The text split.
    pub text: Text,
    /// The separators.
    pub seps: Option<Text>,
    /// The number of fields is used (else they are found only as read).
    pub counted: bool,
}

/// An expression in its natural kind.
#[derive(Debug)]
pub(crate) enum Val {
    /// A number.
    Num(Num),
    /// A text.
    Text(Text),
    /// A value made at run time.
    Dyn(Dyn),
}

/// A truth-valued expression.
#[derive(Debug)]
pub(crate) enum Cond {
    /// `!c`
    Not(Box<Cond>),
    /// `a && b`
    And(Box<Cond>, Box<Cond>),
    /// `a || b`
    Or(Box<Cond>, Box<Cond>),
    /// A numeric comparison.
    Compare(Compare, Box<Num>, Box<Num>),
    /// A text comparison.
    CompareText(Box<CompareText>),
    /// A regex match.
    Match(Box<Match>),
    /// A number: non-zero.
    Num(Box<Num>),
    /// A text: neither empty nor `0`.
    Text(Box<Text>),
    /// A value made at run time: its truth.
    Dyn(Box<Dyn>),
    /// `#defined(...)`
    Defined(Box<Defined>),
    /// `-e path` and the other file tests.
    FileTest(char, Box<Text>),
}

/// `a eq b` and the other text comparisons.
#[derive(Debug)]
pub(crate) struct CompareText {
    /// The operator.
    pub op: Compare,
    /// Left side.
    pub left: Text,
    /// Right side.
    pub right: Text,
    /// The right side may call a function: copy the left side first.
    pub copy_left: bool,
}

/// `subject =~ pattern` and its siblings.
#[derive(Debug)]
pub(crate) struct Match {
    /// The text searched.
    pub subject: Text,
    /// The pattern.
    pub pattern: Pattern,
    /// `!~`, `!~~`.
    pub negated: bool,
    /// `=~~`, `!~~`: case-insensitive.
    pub folded: bool,
    /// The pattern may call a function: copy the subject first.
    pub copy_subject: bool,
    /// The site's index (its compiled regexes are kept per site).
    pub site: u32,
    /// The pattern's span (a bad pattern's error).
    pub span: Span,
}

/// A regex pattern.
#[derive(Debug)]
pub(crate) enum Pattern {
    /// Literal text: compiled at the site's first use, then kept.
    Fixed(Box<str>),
    /// Literal text and `$` variables: kept per site by the values of the
    /// variables (the site knows when they are unchanged, and compares them
    /// part by part with the patterns it keeps, without building the text).
    Parts(Box<[Text]>),
    /// Built at run time some other way: kept per site by its text.
    Built(Text),
}

/// What `#defined(...)` asks about.
#[derive(Debug)]
pub(crate) enum Defined {
    /// A variable: a scalar has a value, an array has elements, a `dat`
    /// variable has a line.
    Var(Place),
    /// An array element.
    Elem(Elem),
    /// An element of a variable that is no array: the key is evaluated
    /// (for its errors) and the answer is no.
    NotAnArray(Key),
    /// `%x`
    History(VarId, bool),
    /// `@x`
    Previous(VarId),
    /// `$inline`
    Line,
    /// `$rdlin`
    Readline,
    /// `$n`
    Field(u32),
    /// `$[e]`
    FieldAt(Num),
    /// Anything else: defined when it evaluates.
    Evaluates(Val),
}
