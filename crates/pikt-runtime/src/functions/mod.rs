//! The pure built-in functions: everything in the function table that needs
//! no interpreter state.
//!
//! The interpreter evaluates a call's arguments and hands them to
//! [`call_pure`]. Functions that need the running script (handles, fields,
//! the rule number, the alert context, shell commands) are the interpreter's:
//! for those `call_pure` answers `None`. Everything a pure function needs from
//! the world (the clock, the host name, the environment, randomness, the time
//! zone, the files that `#age(path)`, `#exists`, `#isdir`, `#isfile`,
//! `#lines` and `$checksum` look at) comes through [`FnEnv`], so tests run
//! against [`testing::FakeEnv`] and this module does no I/O of its own.
//!
//! **Invariant:** no function panics, whatever its arguments (NaN, infinities,
//! huge counts, any Unicode): every failure is an [`FnError`]. Text is handled
//! by characters, never by byte offsets into user strings.
//!
//! The semantics of every function, and every decision taken where the PIKT
//! reference is silent, are documented in `docs/functions.md`.

mod args;
mod checksum;
mod files;
mod math;
mod sprintf;
mod text;
mod time;

pub mod testing;

#[cfg(test)]
mod tests;

use jiff::tz::TimeZone;
use pikt_lang::builtins::Builtin;

use crate::host::FileStat;
use crate::value::Value;
use args::Call;

/// What pure functions may ask of the world (tests use a fake; the
/// interpreter implements it).
pub trait FnEnv {
    /// The current time in seconds since the epoch (tests fix it).
    fn now(&self) -> f64;
    /// This machine's host name.
    fn hostname(&self) -> &str;
    /// The environment variable `name`, if set.
    fn getenv(&self, name: &str) -> Option<String>;
    /// A number drawn uniformly from `[0, 1)`.
    fn random(&mut self) -> f64;
    /// The process id of the running interpreter.
    fn pid(&self) -> u32;
    /// The id of the live process whose command name is `name` (the lowest
    /// when there are several), `None` when there is none or the process
    /// table cannot be read.
    fn pid_of(&mut self, name: &str) -> Option<u32>;
    /// The time zone the time functions work in (the run's).
    fn time_zone(&self) -> TimeZone;
    /// Facts about the file `path` names, following symbolic links as
    /// `test(1)` does.
    fn stat_file(&mut self, path: &str) -> std::io::Result<FileStat>;
    /// Opens the file `path` for reading.
    fn open_file(&mut self, path: &str) -> std::io::Result<Box<dyn std::io::BufRead>>;
}

/// Why a function call failed. The message is lower-case and names the
/// function in backticks (`` `#sqrt` needs ... ``); the interpreter adds the
/// span of the call and the script name.
#[derive(Debug, Clone, PartialEq)]
pub struct FnError {
    /// What went wrong.
    pub message: String,
    /// True for a number with a fraction where a whole number is needed:
    /// as in PIKT, the call then gives [`ERR_TEXT`], the error is logged and
    /// the script goes on. Every other failure stops the script.
    pub gives_err_text: bool,
}

/// What a call gives when a whole-number argument has a fraction (PIKT's
/// function lists: "the function will return the string `<<ERR>>`").
pub const ERR_TEXT: &str = "<<ERR>>";

/// What a function call yields.
pub type FnResult = Result<Value, FnError>;

/// Calls `builtin` if it is one of the pure functions; `None` means "not
/// mine" (the interpreter handles `#fopen`, `#popen`, `#read`, `#write`,
/// `#fclose`, `#pclose`, `#split`, `#defined`, `#rule`, `#innum`, `#eoi`,
/// `#system`, `$alarm`, `$alert`, `$task`, `$level`, `$status`, `$mailcmd`,
/// `$lpcmd`, `$command` and `#keys`).
///
/// Missing arguments are an error, extra ones are ignored (the parser has
/// checked the count against the function table already).
pub fn call_pure(builtin: Builtin, args: &[Value], env: &mut dyn FnEnv) -> Option<FnResult> {
    let call = Call::new(builtin, args);
    numeric(&call, env)
        .or_else(|| textual(&call, env))
        .or_else(|| timely(&call, env))
}

/// Arithmetic, logic and file tests.
fn numeric(call: &Call, env: &mut dyn FnEnv) -> Option<FnResult> {
    let result = match call.builtin {
        Builtin::Abs => math::abs(call),
        Builtin::And => math::and(call),
        Builtin::Avg => math::avg(call),
        Builtin::Ceiling => math::ceiling(call),
        Builtin::Code => text::code(call),
        Builtin::Err => Ok(Value::Num(math::ERR)),
        Builtin::Exists => files::exists(call, env),
        Builtin::FileSize => files::filesize(call, env),
        Builtin::False => Ok(Value::bool(false)),
        Builtin::Floor => math::floor(call),
        Builtin::Index => text::index(call),
        Builtin::Int => math::int(call),
        Builtin::IsDir => files::is_dir(call, env),
        Builtin::IsFile => files::is_file(call, env),
        Builtin::Length => text::length(call),
        Builtin::Lines => files::lines(call, env),
        Builtin::Max => math::max(call),
        Builtin::Min => math::min(call),
        Builtin::Not => math::not(call),
        Builtin::Or => math::or(call),
        Builtin::Pid => process_id(call, env),
        Builtin::Rand => math::rand(call, env),
        Builtin::Round => math::round(call),
        Builtin::Sqrt => math::sqrt(call),
        Builtin::Sum => math::sum(call),
        Builtin::True => Ok(Value::bool(true)),
        Builtin::Trunc => math::trunc(call),
        Builtin::Val => math::val(call),
        Builtin::Xor => math::xor(call),
        _ => return None,
    };
    Some(result)
}

/// `#pid()`: the interpreter's process id; `#pid(name)`: the id of the
/// process called `name` (the lowest when there are several), 0 when there
/// is none.
fn process_id(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    if call.optional(0).is_none() {
        return Ok(Value::Num(f64::from(env.pid())));
    }
    let name = call.text(0)?;
    Ok(Value::Num(env.pid_of(&name).map_or(0.0, f64::from)))
}

/// String functions that do not involve time.
fn textual(call: &Call, env: &mut dyn FnEnv) -> Option<FnResult> {
    let result = match call.builtin {
        Builtin::Basename => text::basename(call),
        Builtin::Char => text::char(call),
        Builtin::Checksum => checksum::checksum(call, env),
        Builtin::Chop => text::chop(call),
        Builtin::Dirname => text::dirname(call),
        Builtin::Dquote => text::dquote(call),
        Builtin::Getenv => text::getenv(call, env),
        Builtin::Hostname => Ok(Value::str(env.hostname())),
        Builtin::Left => text::left(call),
        Builtin::Lower => text::lower(call),
        Builtin::Mid => text::mid(call),
        Builtin::Repeat => text::repeat(call),
        Builtin::Right => text::right(call),
        Builtin::Sprintf => sprintf::sprintf(call),
        Builtin::Shellcode => text::text(call),
        Builtin::Squote => text::squote(call),
        Builtin::Text => text::text(call),
        Builtin::Trim => text::trim(call),
        Builtin::Upper => text::upper(call),
        _ => return None,
    };
    Some(result)
}

/// True for the functions that may read the clock ([`FnEnv::now`]): those
/// of [`timely`]. A caller may skip reading the clock for the others (the
/// interpreter does: it calls pure functions on every line).
pub fn reads_clock(builtin: Builtin) -> bool {
    matches!(
        builtin,
        Builtin::Age
            | Builtin::Ampm
            | Builtin::Date
            | Builtin::DateValue
            | Builtin::Day
            | Builtin::DayNumber
            | Builtin::Hour
            | Builtin::Minute
            | Builtin::MonthName
            | Builtin::MonthNumber
            | Builtin::Now
            | Builtin::Second
            | Builtin::Time
            | Builtin::TimeValue
            | Builtin::WeekdayName
            | Builtin::WeekdayNumber
            | Builtin::Year
    )
}

/// Clock and calendar functions, and `#age`.
fn timely(call: &Call, env: &mut dyn FnEnv) -> Option<FnResult> {
    let result = match call.builtin {
        Builtin::Age => files::age(call, env),
        Builtin::Ampm => time::ampm(call, env),
        Builtin::Date => time::date(call, env),
        Builtin::DateValue => time::datevalue(call, env),
        Builtin::Day => time::day(call, env),
        Builtin::DayNumber => time::daynumber(call, env),
        Builtin::Hour => time::hour(call, env),
        Builtin::Minute => time::minute(call, env),
        Builtin::MonthName => time::month_name(call, env),
        Builtin::MonthNumber => time::month_number(call, env),
        Builtin::Now => Ok(time::now(env)),
        Builtin::Second => time::second(call, env),
        Builtin::Time => time::time(call, env),
        Builtin::TimeValue => time::timevalue(call, env),
        Builtin::WeekdayName => time::weekday_name(call, env),
        Builtin::WeekdayNumber => time::weekday_number(call, env),
        Builtin::Year => time::year(call, env),
        _ => return None,
    };
    Some(result)
}
