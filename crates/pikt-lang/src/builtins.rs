//! The table of built-in functions: names, synonyms, result type and arity.
//!
//! The parser resolves every call to a [`Builtin`] through this table, checks
//! the number of arguments, and refuses variables named like a function
//! (reference §4.1: function names are reserved). The interpreter matches on
//! [`Builtin`]; it never looks a name up.

use crate::ast::VarType;

/// Every built-in function. Variants are named after the canonical spelling.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    // ---- numeric (`#name(...)`) ----
    Abs,
    Age,
    And,
    Avg,
    Ceiling,
    Code,
    DateValue,
    Day,
    DayNumber,
    Defined,
    Eoi,
    Err,
    Exists,
    False,
    Fclose,
    FileSize,
    Floor,
    Fopen,
    Hour,
    Index,
    Innum,
    Int,
    IsDir,
    IsFile,
    Killprocs,
    Length,
    Lines,
    Max,
    Min,
    Minute,
    MonthNumber,
    Not,
    Now,
    Or,
    Pclose,
    Pid,
    Popen,
    Rand,
    Read,
    Round,
    Rule,
    Second,
    Split,
    Sqrt,
    Sum,
    System,
    TimeValue,
    True,
    Trunc,
    Val,
    WeekdayNumber,
    Write,
    Xor,
    Year,
    // ---- string (`$name(...)`) ----
    Alarm,
    Alert,
    Ampm,
    Basename,
    Char,
    Checksum,
    Chop,
    Command,
    Date,
    Dirname,
    Dquote,
    Getenv,
    Hostname,
    Left,
    LevelName,
    Lower,
    LpCmd,
    MailCmd,
    Mid,
    MonthName,
    Repeat,
    Right,
    Shellcode,
    Sprintf,
    Squote,
    StatusName,
    Task,
    Text,
    Time,
    Trim,
    Upper,
    WeekdayName,
}

/// What an argument position accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// Any expression.
    Value,
    /// An all-caps handle name.
    Handle,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinInfo {
    /// The function.
    pub builtin: Builtin,
    /// Result type (the sigil the call is written with).
    pub ty: VarType,
    /// Canonical name first, then synonyms.
    pub names: &'static [&'static str],
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX` for "any number").
    pub max_args: usize,
    /// True when the first argument is a handle.
    pub handle_first: bool,
}

impl BuiltinInfo {
    /// What argument `index` accepts.
    pub fn arg_kind(&self, index: usize) -> ArgKind {
        if index == 0 && self.handle_first {
            ArgKind::Handle
        } else {
            ArgKind::Value
        }
    }

    /// The canonical name with its sigil, for messages (`#split`).
    pub fn display(&self) -> String {
        let sigil = match self.ty {
            VarType::Str => '$',
            VarType::Num => '#',
        };
        format!("{sigil}{}", self.names[0])
    }
}

const ANY: usize = usize::MAX;

macro_rules! table {
    ($( $ty:ident $variant:ident [$($name:literal),+] $min:literal ..= $max:expr, $handle:literal; )*) => {
        /// Every built-in function, in one table.
        pub const BUILTINS: &[BuiltinInfo] = &[
            $( BuiltinInfo {
                builtin: Builtin::$variant,
                ty: VarType::$ty,
                names: &[$($name),+],
                min_args: $min,
                max_args: $max,
                handle_first: $handle,
            }, )*
        ];
    };
}

table! {
    Num Abs ["abs", "absval", "absolutevalue"] 1..=1, false;
    Num Age ["age", "fileage"] 1..=3, false;
    Num And ["and"] 1..=ANY, false;
    Num Avg ["avg", "average", "mean"] 1..=ANY, false;
    Num Ceiling ["ceiling", "ceil"] 1..=1, false;
    Num Code ["code", "ascii", "ord"] 1..=1, false;
    Num DateValue ["datevalue"] 3..=3, false;
    Num Day ["day"] 0..=1, false;
    Num DayNumber ["daynumber"] 0..=1, false;
    Num Defined ["defined"] 1..=1, false;
    Num Eoi ["eoi", "endofinput"] 0..=0, false;
    Num Err ["err"] 0..=0, false;
    Num Exists ["exists"] 1..=1, false;
    Num False ["false"] 0..=0, false;
    Num Fclose ["fclose"] 1..=1, true;
    Num FileSize ["filesize"] 1..=1, false;
    Num Floor ["floor"] 1..=1, false;
    Num Fopen ["fopen"] 3..=3, true;
    Num Hour ["hour"] 0..=1, false;
    Num Index ["index"] 2..=2, false;
    Num Innum ["innum", "inputnumber"] 0..=0, false;
    Num Int ["int", "integer"] 1..=1, false;
    Num IsDir ["isdir"] 1..=1, false;
    Num IsFile ["isfile"] 1..=1, false;
    Num Killprocs ["killprocs", "killall"] 2..=3, false;
    Num Length ["length", "len"] 1..=1, false;
    Num Lines ["lines"] 1..=1, false;
    Num Max ["max", "maximum"] 1..=ANY, false;
    Num Min ["min", "minimum"] 1..=ANY, false;
    Num Minute ["minute"] 0..=1, false;
    Num MonthNumber ["month", "monthnumber"] 0..=1, false;
    Num Not ["not"] 1..=1, false;
    Num Now ["now"] 0..=0, false;
    Num Or ["or"] 1..=ANY, false;
    Num Pclose ["pclose"] 1..=1, true;
    Num Pid ["pid"] 0..=1, false;
    Num Popen ["popen"] 3..=3, true;
    Num Rand ["rand", "random"] 0..=1, false;
    Num Read ["read"] 1..=1, true;
    Num Round ["round"] 1..=2, false;
    Num Rule ["rule", "rulenumber"] 0..=0, false;
    Num Second ["second"] 0..=1, false;
    Num Split ["split"] 1..=2, false;
    Num Sqrt ["sqrt"] 1..=1, false;
    Num Sum ["sum"] 1..=ANY, false;
    Num System ["system"] 1..=1, false;
    Num TimeValue ["timevalue"] 3..=6, false;
    Num True ["true"] 0..=0, false;
    Num Trunc ["trunc", "truncate"] 1..=1, false;
    Num Val ["val", "value"] 1..=1, false;
    Num WeekdayNumber ["weekday"] 0..=1, false;
    Num Write ["write"] 2..=2, true;
    Num Xor ["xor"] 2..=2, false;
    Num Year ["year"] 0..=1, false;
    Str Alarm ["alarm", "script"] 0..=0, false;
    Str Alert ["alert"] 0..=0, false;
    Str Ampm ["ampm"] 0..=1, false;
    Str Basename ["basename"] 1..=1, false;
    Str Char ["char", "chr"] 1..=1, false;
    Str Checksum ["checksum"] 2..=2, false;
    Str Chop ["chop"] 1..=2, false;
    Str Command ["command"] 1..=1, false;
    Str Date ["date"] 0..=1, false;
    Str Dirname ["dirname"] 1..=1, false;
    Str Dquote ["dquote"] 1..=1, false;
    Str Getenv ["getenv"] 1..=1, false;
    Str Hostname ["hostname"] 0..=0, false;
    Str Left ["left"] 2..=2, false;
    Str LevelName ["level"] 0..=0, false;
    Str Lower ["lower", "lowercase"] 1..=1, false;
    Str LpCmd ["lpcmd"] 0..=0, false;
    Str MailCmd ["mailcmd"] 0..=0, false;
    Str Mid ["mid", "substr", "substring"] 2..=3, false;
    Str MonthName ["month", "monthname"] 0..=1, false;
    Str Repeat ["repeat"] 2..=2, false;
    Str Right ["right"] 2..=2, false;
    Str Shellcode ["shellcode"] 1..=1, false;
    Str Sprintf ["sprintf", "format"] 1..=ANY, false;
    Str Squote ["squote"] 1..=1, false;
    Str StatusName ["status"] 0..=0, false;
    Str Task ["task"] 0..=0, false;
    Str Text ["text", "string"] 1..=1, false;
    Str Time ["time"] 0..=1, false;
    Str Trim ["trim"] 1..=1, false;
    Str Upper ["upper", "uppercase"] 1..=1, false;
    Str WeekdayName ["weekday", "weekdayname"] 0..=1, false;
}

/// The function called as `sigil name(...)`, if there is one.
pub fn lookup(ty: VarType, name: &str) -> Option<&'static BuiltinInfo> {
    BUILTINS
        .iter()
        .find(|info| info.ty == ty && info.names.contains(&name))
}

/// The table row of `builtin`.
pub fn info(builtin: Builtin) -> &'static BuiltinInfo {
    BUILTINS
        .iter()
        .find(|info| info.builtin == builtin)
        .unwrap_or(&BUILTINS[0])
}

/// Where the knowledge of a function name comes from (`docs/functions.md`
/// gives the page for each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// PIKT's own pages show the name (function lists, detail pages,
    /// samples).
    Confirmed,
    /// Believed to be PIKT's, but no page shows it.
    Believed,
    /// Ours alone.
    Extension,
}

/// Function names that PIKT's own documentation shows (with either sigil):
/// the recovered parts of the function lists, the function detail pages
/// and the samples. Only these are reserved against variable names, as
/// PIKT reserved them. Sources: `docs/functions.md`.
pub const CONFIRMED_NAMES: &[&str] = &[
    // numerical function list (recovered part) and detail pages
    "abs",
    "absval",
    "absolutevalue",
    "age",
    "fileage",
    "and",
    "ascii",
    "avg",
    "average",
    "mean",
    "ceiling",
    "code",
    "ord",
    "datevalue",
    "day",
    "daynumber",
    "rule",
    "rulenumber",
    "eoi",
    "endofinput",
    "innum",
    "inputnumber",
    "round",
    "trunc",
    "truncate",
    "int",
    "integer",
    // numerical functions used in PIKT's examples and samples
    "fopen",
    "popen",
    "read",
    "fclose",
    "pclose",
    "split",
    "val",
    "value",
    "err",
    "true",
    "false",
    "defined",
    "now",
    "hour",
    "weekday",
    "max",
    "system",
    "pid",
    "filesize",
    // string function list (recovered part), detail pages and examples
    "alarm",
    "script",
    "alert",
    "ampm",
    "basename",
    "char",
    "checksum",
    "task",
    "text",
    "command",
    "left",
    "repeat",
    "level",
    "status",
    "mailcmd",
    "lpcmd",
    "dquote",
    "squote",
    "chop",
    "trim",
];

/// Function names PIKT is believed to have had, without a page showing them.
pub const BELIEVED_NAMES: &[&str] = &[
    "min",
    "sum",
    "floor",
    "sqrt",
    "rand",
    "length",
    "index",
    "lines",
    "minute",
    "second",
    "month",
    "year",
    "monthnumber",
    "timevalue",
    "or",
    "not",
    "xor",
    "write",
    "exists",
    "isfile",
    "isdir",
    "date",
    "time",
    "hostname",
    "upper",
    "lower",
    "substr",
    "mid",
    "right",
    "dirname",
    "getenv",
    "sprintf",
];

/// What is known of the function name `name`.
pub fn provenance(name: &str) -> Provenance {
    if CONFIRMED_NAMES.contains(&name) {
        Provenance::Confirmed
    } else if BELIEVED_NAMES.contains(&name) {
        Provenance::Believed
    } else {
        Provenance::Extension
    }
}

/// True if `name` cannot name a variable: `keys`, or a function name that
/// PIKT's documentation confirms (PIKT reserved its function names). A name
/// only believed to be PIKT's, or one of our extensions, never blocks a
/// variable: `#lines` and `#lines(...)` are told apart by the `(` written
/// right after the name, which PIKT requires.
pub fn is_reserved(name: &str) -> bool {
    name == "keys" || provenance(name) == Provenance::Confirmed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_exactly_one_row() {
        for row in BUILTINS {
            let count = BUILTINS.iter().filter(|r| r.builtin == row.builtin).count();
            assert_eq!(count, 1, "{:?}", row.builtin);
        }
    }

    #[test]
    fn no_name_is_listed_twice_for_one_type() {
        for row in BUILTINS {
            for name in row.names {
                let rows = BUILTINS
                    .iter()
                    .filter(|r| r.ty == row.ty && r.names.contains(name))
                    .count();
                assert_eq!(rows, 1, "{name}");
            }
        }
    }

    #[test]
    fn synonyms_resolve_to_the_same_function() {
        assert_eq!(lookup(VarType::Num, "value").unwrap().builtin, Builtin::Val);
        assert_eq!(
            lookup(VarType::Str, "script").unwrap().builtin,
            Builtin::Alarm
        );
        assert_eq!(
            lookup(VarType::Num, "month").unwrap().builtin,
            Builtin::MonthNumber
        );
        assert_eq!(
            lookup(VarType::Str, "month").unwrap().builtin,
            Builtin::MonthName
        );
        assert!(lookup(VarType::Str, "split").is_none());
    }

    #[test]
    fn only_confirmed_function_names_are_reserved() {
        assert!(is_reserved("pid"));
        assert!(is_reserved("keys"));
        assert!(is_reserved("trunc"));
        assert!(!is_reserved("user"));
        // believed to be PIKT's, or ours: they do not block variables
        assert!(!is_reserved("lines"));
        assert!(!is_reserved("killprocs"));
        assert!(!is_reserved("ceil"));
    }

    #[test]
    fn every_listed_name_is_a_function_and_listed_once() {
        for name in CONFIRMED_NAMES.iter().chain(BELIEVED_NAMES) {
            let known = BUILTINS.iter().any(|row| row.names.contains(name));
            assert!(known, "{name} is in no row of the table");
            let lists = usize::from(CONFIRMED_NAMES.contains(name))
                + usize::from(BELIEVED_NAMES.contains(name));
            assert_eq!(lists, 1, "{name}");
        }
    }
}
