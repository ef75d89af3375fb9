//! Every pure function, called the way the interpreter calls it: by name
//! through the function table, with a [`FakeEnv`].

// Exact values are the point; the casts are of small test numbers.
#![allow(
    clippy::float_cmp,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use jiff::tz::TimeZone;
use pikt_lang::ast::VarType;
use pikt_lang::builtins::{lookup, Builtin, BUILTINS};

use super::testing::FakeEnv;
use super::{call_pure, FnResult};
use crate::host::FileKind;
use crate::value::Value;

/// Something that can be an argument in these tests.
trait Arg {
    fn value(self) -> Value;
}

impl Arg for f64 {
    fn value(self) -> Value {
        Value::Num(self)
    }
}

impl Arg for i32 {
    fn value(self) -> Value {
        Value::Num(f64::from(self))
    }
}

impl Arg for &str {
    fn value(self) -> Value {
        Value::str(self)
    }
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(Arg::value($a)),*] };
}

/// Calls `sigil name(args)` in `env`.
fn call_in(env: &mut FakeEnv, ty: VarType, name: &str, args: &[Value]) -> FnResult {
    let info = lookup(ty, name).unwrap_or_else(|| panic!("no function {name}"));
    call_pure(info.builtin, args, env).unwrap_or_else(|| panic!("{name} is not pure"))
}

/// `#name(args)` in a fresh fake.
fn num(name: &str, args: &[Value]) -> f64 {
    num_in(&mut FakeEnv::new(), name, args)
}

fn num_in(env: &mut FakeEnv, name: &str, args: &[Value]) -> f64 {
    match call_in(env, VarType::Num, name, args) {
        Ok(Value::Num(n)) => n,
        other => panic!("#{name}: {other:?}"),
    }
}

/// `$name(args)` in a fresh fake.
fn text(name: &str, args: &[Value]) -> String {
    text_in(&mut FakeEnv::new(), name, args)
}

fn text_in(env: &mut FakeEnv, name: &str, args: &[Value]) -> String {
    match call_in(env, VarType::Str, name, args) {
        Ok(Value::Str(s)) => s.into_string(),
        other => panic!("${name}: {other:?}"),
    }
}

/// The error message of a failing call.
fn error(ty: VarType, name: &str, args: &[Value]) -> String {
    match call_in(&mut FakeEnv::new(), ty, name, args) {
        Err(e) => e.message,
        Ok(v) => panic!("{name} succeeded: {v:?}"),
    }
}

fn num_error(name: &str, args: &[Value]) -> String {
    error(VarType::Num, name, args)
}

fn text_error(name: &str, args: &[Value]) -> String {
    error(VarType::Str, name, args)
}

/// A fake whose file system holds `path` with `contents`, the directory
/// `/d`, and `/dev/zero` (a character device).
fn env_with_file(path: &str, contents: &[u8]) -> FakeEnv {
    let env = FakeEnv::new();
    env.files
        .files
        .borrow_mut()
        .insert(path.to_string(), contents.to_vec());
    let mut env = env;
    env.files.dirs.insert("/d".to_string());
    env.files
        .special
        .insert("/dev/zero".to_string(), FileKind::CharDevice);
    env
}

/// The functions the interpreter keeps for itself.
const INTERPRETER_FUNCTIONS: &[Builtin] = &[
    Builtin::Fopen,
    Builtin::Popen,
    Builtin::Read,
    Builtin::Write,
    Builtin::Fclose,
    Builtin::Pclose,
    Builtin::Split,
    Builtin::Defined,
    Builtin::Rule,
    Builtin::Innum,
    Builtin::Eoi,
    Builtin::System,
    Builtin::Alarm,
    Builtin::Alert,
    Builtin::Task,
    Builtin::LevelName,
    Builtin::StatusName,
    Builtin::MailCmd,
    Builtin::LpCmd,
    Builtin::Command,
    Builtin::Killprocs,
];

// ---- the table ----

#[test]
fn every_other_builtin_is_pure() {
    let mut env = FakeEnv::new();
    for info in BUILTINS {
        let args = vec![Value::Num(1.0); info.min_args];
        let answer = call_pure(info.builtin, &args, &mut env);
        let mine = !INTERPRETER_FUNCTIONS.contains(&info.builtin);
        assert_eq!(answer.is_some(), mine, "{}", info.display());
    }
}

#[test]
fn synonyms_reach_the_same_function() {
    let pairs: &[(VarType, &str, f64, &[Value])] = &[
        (VarType::Num, "absval", 3.0, args![-3]),
        (VarType::Num, "absolutevalue", 3.0, args![-3]),
        (VarType::Num, "average", 2.0, args![1, 3]),
        (VarType::Num, "mean", 2.0, args![1, 3]),
        (VarType::Num, "ceil", 2.0, args![1.5]),
        (VarType::Num, "ascii", 65.0, args!["A"]),
        (VarType::Num, "ord", 65.0, args!["A"]),
        (VarType::Num, "integer", -2.0, args![-1.5]),
        (VarType::Num, "truncate", -1.0, args![-1.5]),
        (VarType::Num, "len", 3.0, args!["abc"]),
        (VarType::Num, "maximum", 3.0, args![1, 3]),
        (VarType::Num, "minimum", 1.0, args![1, 3]),
        (VarType::Num, "monthnumber", 4.0, args![]),
        (VarType::Num, "value", 42.0, args!["42x"]),
    ];
    for (ty, name, want, args) in pairs {
        assert_eq!(*ty, VarType::Num);
        assert_eq!(num(name, args), *want, "#{name}");
    }
    let texts: &[(&str, &str, &[Value])] = &[
        ("chr", "A", args![65]),
        ("lowercase", "ab", args!["AB"]),
        ("uppercase", "AB", args!["ab"]),
        ("substr", "el", args!["hello", 2, 2]),
        ("substring", "el", args!["hello", 2, 2]),
        ("format", "07", args!["%02d", 7]),
        ("string", "7", args![7]),
        ("monthname", "Apr", args![]),
        ("weekdayname", "Tue", args![]),
    ];
    for (name, want, args) in texts {
        assert_eq!(text(name, args), *want, "${name}");
    }
}

// ---- arithmetic and logic ----

#[test]
fn int_goes_down_and_trunc_toward_zero() {
    // PIKT's detail pages: #trunc(-3.75) is -3, #ceiling(-3.75) is -3,
    // #round(-3.5) is -4; #int is the one that rounds down.
    for (x, int, trunc, ceiling, round) in [
        (-3.75, -4.0, -3.0, -3.0, -4.0),
        (-3.5, -4.0, -3.0, -3.0, -4.0),
        (-3.25, -4.0, -3.0, -3.0, -3.0),
        (3.25, 3.0, 3.0, 4.0, 3.0),
        (3.5, 3.0, 3.0, 4.0, 4.0),
        (3.75, 3.0, 3.0, 4.0, 4.0),
    ] {
        assert_eq!(num("int", args![x]), int, "#int({x})");
        assert_eq!(num("trunc", args![x]), trunc, "#trunc({x})");
        assert_eq!(num("ceiling", args![x]), ceiling, "#ceiling({x})");
        assert_eq!(num("round", args![x]), round, "#round({x})");
    }
}

#[test]
fn chop_and_filesize() {
    assert_eq!(text("chop", args!["0.50,", 1]), "0.50");
    assert_eq!(text("chop", args!["héllo", 3]), "hé");
    assert_eq!(text("chop", args!["abc"]), "ab");
    assert_eq!(text("chop", args!["ab", 5]), "");
    let mut env = env_with_file("/f", b"twelve bytes");
    assert_eq!(num_in(&mut env, "filesize", args!["/f"]), 12.0);
    assert_eq!(
        num_in(&mut env, "filesize", args!["/nonexistent/pikt"]),
        -1.0
    );
}

#[test]
fn pid_of_a_process_by_name() {
    let mut env = FakeEnv::new();
    env.processes = vec![("sshd".into(), 700), ("dd".into(), 912), ("dd".into(), 455)];
    assert_eq!(num_in(&mut env, "pid", args!["dd"]), 455.0);
    assert_eq!(num_in(&mut env, "pid", args!["cron"]), 0.0);
    assert_eq!(num_in(&mut env, "pid", args![]), 4242.0);
}

#[test]
fn abs_ceiling_floor_int() {
    assert_eq!(num("abs", args![-2.5]), 2.5);
    assert_eq!(num("abs", args!["-7 apples"]), 7.0);
    assert_eq!(num("ceiling", args![1.2]), 2.0);
    assert_eq!(num("ceiling", args![-1.2]), -1.0);
    assert_eq!(num("floor", args![-1.5]), -2.0);
    assert_eq!(num("floor", args![1.5]), 1.0);
    assert_eq!(num("int", args![-3.7]), -4.0);
    assert_eq!(num("int", args![3.7]), 3.0);
}

#[test]
fn and_or_not_xor_follow_pikt_truth() {
    assert_eq!(num("and", args![1, "x", 2]), 1.0);
    assert_eq!(num("and", args![1, 0]), 0.0);
    assert_eq!(num("and", args![1, "0"]), 0.0);
    assert_eq!(num("or", args![0, "", 1]), 1.0);
    assert_eq!(num("or", args![0, "0", ""]), 0.0);
    assert_eq!(num("not", args![0]), 1.0);
    assert_eq!(num("not", args!["x"]), 0.0);
    assert_eq!(num("xor", args![1, 0]), 1.0);
    assert_eq!(num("xor", args![1, "yes"]), 0.0);
    assert_eq!(num("xor", args![0, ""]), 0.0);
}

#[test]
fn sum_avg_max_min() {
    assert_eq!(num("sum", args![1, 2, "3x"]), 6.0);
    assert_eq!(num("avg", args![1, 2, 3, 4]), 2.5);
    assert_eq!(num("max", args![3, "10", 2]), 10.0);
    assert_eq!(num("min", args![3, -1, 2]), -1.0);
    assert_eq!(num("max", args![f64::NAN, 2]), 2.0);
    assert_eq!(
        num_error("avg", args![]),
        "`#avg` is missing its 1st argument"
    );
}

#[test]
fn constants_and_pid() {
    assert_eq!(num("err", args![]), -1.0);
    assert_eq!(num("true", args![]), 1.0);
    assert_eq!(num("false", args![]), 0.0);
    assert_eq!(num("pid", args![]), 4242.0);
}

#[test]
fn round_is_half_away_from_zero_with_optional_digits() {
    assert_eq!(num("round", args![2.5]), 3.0);
    assert_eq!(num("round", args![-2.5]), -3.0);
    assert_eq!(num("round", args![2.4]), 2.0);
    assert_eq!(num("round", args![1.23456, 2]), 1.23);
    assert_eq!(num("round", args![1234, -2]), 1200.0);
    assert_eq!(
        num_error("round", args![1, 1.5]),
        "`#round` needs a whole number as its 2nd argument, got 1.5"
    );
}

#[test]
fn sqrt_refuses_negative_numbers() {
    assert_eq!(num("sqrt", args![16]), 4.0);
    assert_eq!(
        num_error("sqrt", args![-4]),
        "`#sqrt` needs a number that is not negative, got -4"
    );
}

#[test]
fn rand_stays_in_range_and_covers_it() {
    let mut env = FakeEnv::new();
    for _ in 0..200 {
        let r = num_in(&mut env, "rand", args![]);
        assert!((0.0..1.0).contains(&r), "{r}");
    }
    let mut seen = [false; 6];
    for _ in 0..200 {
        let r = num_in(&mut env, "random", args![6]);
        assert_eq!(r.fract(), 0.0);
        seen[r as usize] = true;
    }
    assert_eq!(seen, [true; 6]);
    assert_eq!(
        num_error("rand", args![0]),
        "`#rand` needs a positive bound, got 0"
    );
    assert_eq!(
        num_error("rand", args![2.5]),
        "`#rand` needs a whole number as its 1st argument, got 2.5"
    );
}

#[test]
fn val_reads_the_leading_number() {
    assert_eq!(num("val", args!["  42 apples"]), 42.0);
    assert_eq!(num("val", args!["-3.5e2x"]), -350.0);
    assert_eq!(num("val", args!["abc"]), 0.0);
    assert_eq!(num("val", args![7.5]), 7.5);
}

// ---- characters and strings ----

#[test]
fn code_and_char_are_inverse() {
    assert_eq!(num("code", args!["A"]), 65.0);
    assert_eq!(num("code", args!["é!"]), 233.0);
    assert_eq!(num("code", args![""]), 0.0);
    assert_eq!(text("char", args![65]), "A");
    assert_eq!(text("char", args![0x1F600]), "😀");
    assert_eq!(
        text_error("char", args![-1]),
        "`$char` has no character with code -1"
    );
    assert_eq!(
        text_error("char", args![0xD800]),
        "`$char` has no character with code 55296"
    );
    assert_eq!(
        text_error("char", args![0x11_0000]),
        "`$char` has no character with code 1114112"
    );
    assert_eq!(
        text_error("char", args![1.5]),
        "`$char` needs a whole number as its 1st argument, got 1.5"
    );
}

#[test]
fn index_and_length_count_characters() {
    assert_eq!(num("index", args!["hello", "ll"]), 3.0);
    assert_eq!(num("index", args!["héllo", "l"]), 3.0);
    assert_eq!(num("index", args!["abc", "z"]), 0.0);
    assert_eq!(num("index", args!["abc", ""]), 1.0);
    assert_eq!(num("length", args!["héllo"]), 5.0);
    assert_eq!(num("length", args![123.5]), 5.0);
    assert_eq!(num("length", args![""]), 0.0);
}

#[test]
fn left_right_clamp_and_refuse_negative_counts() {
    assert_eq!(text("left", args!["héllo", 2]), "hé");
    assert_eq!(text("left", args!["abc", 10]), "abc");
    assert_eq!(text("left", args!["abc", 0]), "");
    assert_eq!(text("right", args!["héllo", 3]), "llo");
    assert_eq!(text("right", args!["abc", 10]), "abc");
    assert_eq!(
        text_error("left", args!["abc", -1]),
        "`$left` needs a count that is not negative as its 2nd argument, got -1"
    );
    assert_eq!(
        text_error("right", args!["abc", 0.5]),
        "`$right` needs a whole number as its 2nd argument, got 0.5"
    );
}

#[test]
fn mid_works_like_awk_substr() {
    assert_eq!(text("mid", args!["hello", 2, 3]), "ell");
    assert_eq!(text("mid", args!["hello", 2]), "ello");
    assert_eq!(text("mid", args!["hello", 0, 2]), "h");
    assert_eq!(text("mid", args!["hello", -5, 2]), "");
    assert_eq!(text("mid", args!["hello", 4, 100]), "lo");
    assert_eq!(text("mid", args!["hello", 10]), "");
    assert_eq!(text("mid", args!["ñandú", 4, 2]), "dú");
    assert_eq!(
        text_error("mid", args!["hello", 1, -1]),
        "`$mid` needs a count that is not negative as its 3rd argument, got -1"
    );
}

#[test]
fn lower_upper_trim() {
    assert_eq!(text("lower", args!["ÀBC"]), "àbc");
    assert_eq!(text("upper", args!["straße"]), "STRASSE");
    assert_eq!(text("trim", args!["  a b \t\n"]), "a b");
}

#[test]
fn repeat_caps_the_result() {
    assert_eq!(text("repeat", args!["ab", 3]), "ababab");
    assert_eq!(text("repeat", args!["x", 0]), "");
    assert_eq!(text("repeat", args!["", 1e15]), "");
    assert_eq!(
        text_error("repeat", args!["ab", -1]),
        "`$repeat` needs a count that is not negative as its 2nd argument, got -1"
    );
    assert_eq!(
        text_error("repeat", args!["x", 1e9]),
        "`$repeat` would make a string longer than 16 MiB"
    );
}

#[test]
fn quotes_text_getenv_hostname() {
    assert_eq!(text("dquote", args!["a b"]), "\"a b\"");
    assert_eq!(text("squote", args!["a b"]), "'a b'");
    assert_eq!(text("text", args![3]), "3");
    assert_eq!(text("text", args![1.0 / 3.0]), "0.333333");
    assert_eq!(text("text", args!["x"]), "x");
    let mut env = FakeEnv::new().with_var("PIKTDIR", "/pikt");
    assert_eq!(text_in(&mut env, "getenv", args!["PIKTDIR"]), "/pikt");
    assert_eq!(text_in(&mut env, "getenv", args!["UNSET"]), "");
    assert_eq!(text("hostname", args![]), "testhost");
}

#[test]
fn basename_and_dirname_follow_the_commands() {
    assert_eq!(text("basename", args!["/var/log/messages"]), "messages");
    assert_eq!(text("basename", args!["/var/log/"]), "log");
    assert_eq!(text("basename", args!["/"]), "/");
    assert_eq!(text("dirname", args!["/var/log/messages"]), "/var/log");
    assert_eq!(text("dirname", args!["messages"]), ".");
    assert_eq!(text("dirname", args!["/var"]), "/");
}

// ---- sprintf ----

#[test]
fn sprintf_integers() {
    assert_eq!(text("sprintf", args!["%d|%i|%u", 3.9, -3.9, 7]), "3|-3|7");
    assert_eq!(
        text("sprintf", args!["%5d|%-5d|%05d|%+d|% d", 42, 42, -42, 5, 5]),
        "   42|42   |-0042|+5| 5"
    );
    assert_eq!(
        text("sprintf", args!["%.3d|%.0d|%5.3d", 7, 0, -7]),
        "007|| -007"
    );
    assert_eq!(text("sprintf", args!["%ld %hd", 5, "42abc"]), "5 42");
    assert_eq!(text("sprintf", args!["%d", 1e20]), "100000000000000000000");
}

#[test]
fn sprintf_hex_and_octal() {
    assert_eq!(
        text(
            "sprintf",
            args!["%x|%X|%o|%#x|%#o|%#X|%#o", 255, 255, 8, 255, 8, 0, 0]
        ),
        "ff|FF|10|0xff|010|0|0"
    );
    assert_eq!(text("sprintf", args!["%x", -1]), "ffffffffffffffff");
    assert_eq!(
        text("sprintf", args!["%08.3x|%-6x|", 10, 10]),
        "     00a|a     |"
    );
}

#[test]
fn sprintf_floats_match_c() {
    assert_eq!(
        text(
            "sprintf",
            args![
                "%f|%.2f|%10.3f|%-10.1f|%+.1f|%#.0f|%.0f|%.0f",
                1.23456,
                2.675,
                -1.5,
                2.25,
                1.25,
                3,
                2.5,
                3.5
            ]
        ),
        "1.234560|2.67|    -1.500|2.2       |+1.2|3.|2|4"
    );
    assert_eq!(
        text(
            "sprintf",
            args!["%e|%.2E|%e|%#.0e", 12_345.678, 0.000_123, 0, 3]
        ),
        "1.234568e+04|1.23E-04|0.000000e+00|3.e+00"
    );
    assert_eq!(
        text(
            "sprintf",
            args![
                "%g|%g|%G|%.3g|%#g|%g|%g",
                0.0001,
                1e-5,
                1e-10,
                1.23456,
                2,
                100_000,
                1e6
            ]
        ),
        "0.0001|1e-05|1E-10|1.23|2.00000|100000|1e+06"
    );
    assert_eq!(
        text("sprintf", args!["%08.2f|%-8.2f|", -1.23456, 1.23456]),
        "-0001.23|1.23    |"
    );
    assert_eq!(
        text(
            "sprintf",
            args![
                "%d %f %e %G %05d",
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NAN,
                f64::NAN,
                f64::INFINITY
            ]
        ),
        "inf -inf nan NAN   inf"
    );
}

#[test]
fn sprintf_strings_and_characters() {
    assert_eq!(
        text(
            "sprintf",
            args!["%s|%5s|%-5s|%.2s|%5.1s", "abc", "ab", "ab", "héllo", "xyz"]
        ),
        "abc|   ab|ab   |hé|    x"
    );
    assert_eq!(
        text("sprintf", args!["%c|%c|%5c|%c|", 65, "hello", "x", ""]),
        "A|h|    x||"
    );
    assert_eq!(text("sprintf", args!["%s and %s", 0.5, 3]), "0.5 and 3");
    assert_eq!(text("sprintf", args!["é%sü", "x"]), "éxü");
    assert_eq!(text("sprintf", args!["100%%"]), "100%");
    assert_eq!(text("sprintf", args!["%05.1f%%", 12.345]), "012.3%");
    assert_eq!(text("sprintf", args!["no conversions"]), "no conversions");
}

#[test]
fn sprintf_star_width_and_precision() {
    assert_eq!(
        text("sprintf", args!["%*d|%-*d|%.*f", 5, 42, 4, 7, 2, 1.23456]),
        "   42|7   |1.23"
    );
    assert_eq!(text("sprintf", args!["%*d|", -4, 7]), "7   |");
    assert_eq!(text("sprintf", args!["%.*f", -1, 1.5]), "1.500000");
}

#[test]
fn sprintf_ignores_extra_arguments() {
    assert_eq!(text("sprintf", args!["%d", 1, 2]), "1");
}

#[test]
fn sprintf_errors_name_the_problem() {
    let cases: &[(&[Value], &str)] = &[
        (args!["%d"], "`$sprintf` has no 2nd argument for `d`"),
        (args!["%d %s", 1], "`$sprintf` has no 3rd argument for `s`"),
        (
            args!["%q", 1],
            "`$sprintf` does not know the conversion `%q`",
        ),
        (
            args!["%é", 1],
            "`$sprintf` does not know the conversion `%é`",
        ),
        (
            args!["abc%"],
            "`$sprintf` has an unfinished conversion at the end of its format",
        ),
        (
            args!["%5.", 1],
            "`$sprintf` has an unfinished conversion at the end of its format",
        ),
        (
            args!["%99999d", 1],
            "`$sprintf` allows widths and precisions up to 10000, got 99999",
        ),
        (
            args!["%.99999999999999999999f", 1],
            "`$sprintf` allows widths and precisions up to 10000, got 9223372036854775807",
        ),
        (
            args!["%*d", 1.5, 1],
            "`$sprintf` needs a whole number for `*`, got 1.5",
        ),
        (
            args!["%c", -1],
            "`$sprintf` has no character with code -1 for `%c`",
        ),
        (args!["%x", 1e20], "`$sprintf` cannot show 1e+20 with `%x`"),
        (
            args!["%o", f64::NAN],
            "`$sprintf` cannot show nan with `%o`",
        ),
    ];
    for (args, want) in cases {
        assert_eq!(text_error("sprintf", args), *want, "{args:?}");
    }
}

// ---- time ----

#[test]
fn now_drops_the_fraction() {
    let mut env = FakeEnv::new().with_now(FakeEnv::NOW + 0.7);
    assert_eq!(num_in(&mut env, "now", args![]), FakeEnv::NOW);
}

#[test]
fn calendar_fields_of_now() {
    // Tue Apr 25 05:17:02 2000 UTC.
    let fields = [
        ("year", 2000.0),
        ("month", 4.0),
        ("day", 25.0),
        ("hour", 5.0),
        ("minute", 17.0),
        ("second", 2.0),
        ("weekday", 2.0),
        ("daynumber", 3.0),
    ];
    for (name, want) in fields {
        assert_eq!(num(name, args![]), want, "#{name}()");
    }
    assert_eq!(text("month", args![]), "Apr");
    assert_eq!(text("weekday", args![]), "Tue");
    assert_eq!(text("ampm", args![]), "AM");
    assert_eq!(text("date", args![]), "Tue Apr 25 2000");
    assert_eq!(text("time", args![]), "05:17:02");
}

#[test]
fn calendar_fields_of_a_timevalue() {
    // Sun Jan 2 13:04:05 2000 UTC.
    let t = 946_818_245.0;
    let fields = [
        ("year", 2000.0),
        ("month", 1.0),
        ("day", 2.0),
        ("hour", 13.0),
        ("minute", 4.0),
        ("second", 5.0),
        ("weekday", 0.0),
        ("daynumber", 1.0),
    ];
    for (name, want) in fields {
        assert_eq!(num(name, args![t]), want, "#{name}(t)");
    }
    assert_eq!(text("month", args![t]), "Jan");
    assert_eq!(text("weekday", args![t]), "Sun");
    assert_eq!(text("ampm", args![t]), "PM");
    assert_eq!(text("date", args![t]), "Sun Jan  2 2000");
    assert_eq!(text("time", args![t]), "13:04:05");
    assert_eq!(text("time", args![t + 0.9]), "13:04:05");
    assert_eq!(text("ampm", args![956_664_000]), "PM");
}

#[test]
fn month_and_weekday_numbers_accept_names() {
    assert_eq!(num("month", args!["april"]), 4.0);
    assert_eq!(num("monthnumber", args!["DEC"]), 12.0);
    assert_eq!(num("weekday", args!["tue"]), 2.0);
    assert_eq!(num("daynumber", args!["Sunday"]), 1.0);
    assert_eq!(num("daynumber", args!["Sat"]), 7.0);
    assert_eq!(
        num_error("month", args!["Foo"]),
        "`#month` does not know the month name `Foo`"
    );
    assert_eq!(
        num_error("daynumber", args!["Tues"]),
        "`#daynumber` does not know the weekday name `Tues`"
    );
    // A numeric string is a timevalue.
    assert_eq!(num("day", args!["956639822"]), 25.0);
}

#[test]
fn datevalue_and_timevalue_are_local_and_carry_over() {
    assert_eq!(num("datevalue", args![2000, 4, 25]), 956_620_800.0);
    assert_eq!(num("timevalue", args![2000, 4, 25, 5, 17, 2]), FakeEnv::NOW);
    assert_eq!(num("timevalue", args![2000, 4, 25, 5]), 956_638_800.0);
    assert_eq!(num("timevalue", args![2000, 2, 30]), 951_868_800.0);
    assert_eq!(num("timevalue", args![2000, 13, 1]), 978_307_200.0);
    assert_eq!(num("timevalue", args![2000, 1, 0]), 946_598_400.0);
    assert_eq!(num("timevalue", args![2000, 4, 24, 24]), 956_620_800.0);
    assert_eq!(
        num("timevalue", args![2000, 4, 25, 0, 0, -1]),
        956_620_799.0
    );
    assert_eq!(
        num_error("datevalue", args![20000, 1, 1]),
        "`#datevalue` gives a date out of range"
    );
    assert_eq!(
        num_error("timevalue", args![2000, 1.5, 1]),
        "`#timevalue` needs a whole number as its 2nd argument, got 1.5"
    );
}

#[test]
fn time_zone_comes_from_the_environment() {
    let new_york = TimeZone::posix("EST5EDT,M4.1.0,M10.5.0").unwrap();
    let mut env = FakeEnv::new().with_time_zone(new_york);
    assert_eq!(num_in(&mut env, "hour", args![]), 1.0);
    assert_eq!(text_in(&mut env, "time", args![]), "01:17:02");
    assert_eq!(
        num_in(&mut env, "datevalue", args![2000, 4, 25]),
        956_635_200.0
    );
    // 02:30 does not exist on 2 Apr 2000 in New York: it is read as EST,
    // which is 03:30 EDT.
    assert_eq!(
        num_in(&mut env, "timevalue", args![2000, 4, 2, 2, 30]),
        954_660_600.0
    );
    // 01:30 happens twice on 29 Oct 2000: the first (EDT) is taken.
    assert_eq!(
        num_in(&mut env, "timevalue", args![2000, 10, 29, 1, 30]),
        972_797_400.0
    );
}

#[test]
fn timevalues_out_of_range_are_errors() {
    assert_eq!(
        num_error("hour", args![1e300]),
        "`#hour` needs a timevalue within years -9999 to 9999, got 1e+300"
    );
    assert_eq!(
        text_error("date", args![f64::NAN]),
        "`$date` needs a timevalue within years -9999 to 9999, got nan"
    );
}

// ---- files ----

#[test]
fn age_of_a_listing_date() {
    // Now is Tue Apr 25 05:17:02 2000 UTC.
    assert_eq!(num("age", args!["Apr", 20, "2000"]), 5.0);
    assert_eq!(num("age", args!["April", "24", "05:17"]), 1.0);
    assert_eq!(num("age", args!["apr", 25, "05:00"]), 0.0);
    // A time of day in the future means last year.
    assert_eq!(num("fileage", args!["Dec", 25, "10:00"]), 121.0);
    assert_eq!(
        num_error("age", args!["Foo", 1, "2000"]),
        "`#age` does not know the month name `Foo`"
    );
    assert_eq!(
        num_error("age", args!["Apr", 32, "2000"]),
        "`#age` needs a day of the month from 1 to 31, got 32"
    );
    assert_eq!(
        num_error("age", args!["Apr", 1, "20x0"]),
        "`#age` needs a year (yyyy) or a time of day (hh:mm) as its 3rd argument, got `20x0`"
    );
    assert_eq!(
        num_error("age", args!["Apr", 1]),
        "`#age` takes a path, or a month, day and year or time of day"
    );
}

#[test]
fn age_of_a_file_is_whole_days_since_modification() {
    let mut env = env_with_file("/f", b"x").with_now(1_000_000_000.0 + 3.5 * 86_400.0);
    env.files.modified.insert("/f".to_string(), 1_000_000_000);
    assert_eq!(num_in(&mut env, "age", args!["/f"]), 3.0);
    assert_eq!(num_in(&mut env, "age", args!["/nonexistent/pikt"]), -1.0);
    // A file whose modification time is unknown has no age.
    assert_eq!(num_in(&mut env, "age", args!["/d"]), -1.0);
}

#[test]
fn file_tests() {
    let mut env = env_with_file("/f", b"x");
    let mut num = |name: &str, args: &[Value]| num_in(&mut env, name, args);
    assert_eq!(num("exists", args!["/f"]), 1.0);
    assert_eq!(num("exists", args!["/d"]), 1.0);
    assert_eq!(num("exists", args!["/dev/zero"]), 1.0);
    assert_eq!(num("exists", args!["/nonexistent/pikt"]), 0.0);
    assert_eq!(num("exists", args![""]), 0.0);
    assert_eq!(num("isfile", args!["/f"]), 1.0);
    assert_eq!(num("isfile", args!["/d"]), 0.0);
    assert_eq!(num("isfile", args!["/dev/zero"]), 0.0);
    assert_eq!(num("isdir", args!["/d"]), 1.0);
    assert_eq!(num("isdir", args!["/f"]), 0.0);
    assert_eq!(num("isdir", args!["/nonexistent/pikt"]), 0.0);
}

#[test]
fn lines_counts_a_last_line_without_newline() {
    let cases: &[(&[u8], f64)] = &[
        (b"a\nb\n", 2.0),
        (b"a\nb", 2.0),
        (b"", 0.0),
        (b"\n\n\n", 3.0),
    ];
    for (contents, want) in cases {
        let mut env = env_with_file("/f", contents);
        assert_eq!(
            num_in(&mut env, "lines", args!["/f"]),
            *want,
            "{contents:?}"
        );
    }
    let mut env = env_with_file("/big", &b"line\n".repeat(30_000));
    let mut num = |name: &str, args: &[Value]| num_in(&mut env, name, args);
    assert_eq!(num("lines", args!["/big"]), 30_000.0);
    assert_eq!(num("lines", args!["/nonexistent/pikt"]), -1.0);
    assert_eq!(num("lines", args!["/d"]), -1.0);
    // Not a regular file: refused rather than read forever.
    assert_eq!(num("lines", args!["/dev/zero"]), -1.0);
}

#[test]
fn checksum_of_a_file_at_every_level() {
    // Checksum and size as `cksum` and `sum` print them (both sums in
    // 512-byte blocks), then the file name (PIKT's `$checksum` page). The
    // MD4 value is `openssl dgst -md4`'s, the MD5 one `md5sum`'s.
    let mut env = env_with_file("/f", b"hello world\n");
    let levels: &[(i32, &str)] = &[
        (-3, "3733384285 12"),
        (-2, "1126 1"),
        (-1, "3762 1"),
        (0, "0 12"),
        (1, "3762 1"),
        (2, "1126 1"),
        (3, "3733384285 12"),
        (4, "97668ab2f29d0115bd0d1161b9bec520 12"),
        (5, "6f5902ac237024bdd0c176cb93063dc4 12"),
    ];
    for (level, want) in levels {
        assert_eq!(
            text_in(&mut env, "checksum", args![*level, "/f"]),
            format!("{want} /f"),
            "level {level}"
        );
    }
    let mut error = |args: &[Value]| match call_in(&mut env, VarType::Str, "checksum", args) {
        Err(e) => e.message,
        Ok(v) => panic!("checksum succeeded: {v:?}"),
    };
    assert_eq!(
        error(args![9, "/f"]),
        "`$checksum` has no checksum level 9 (use -3 to 5)"
    );
    assert_eq!(
        error(args![-3, "/nonexistent/pikt"]),
        "`$checksum` cannot read `/nonexistent/pikt`: no such file or directory"
    );
    assert_eq!(
        error(args![5, "/dev/zero"]),
        "`$checksum` cannot read `/dev/zero`: not a regular file"
    );
}

#[test]
fn checksum_of_a_large_file_streams() {
    // Crosses many 64 KiB read chunks and digest block boundaries.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut env = env_with_file("/f", &data);
    assert_eq!(text_in(&mut env, "checksum", args![0, "/f"]), "0 200000 /f");
    let sysv = text_in(&mut env, "checksum", args![-2, "/f"]);
    let total: u64 = data.iter().map(|&b| u64::from(b)).sum();
    let r = (total & 0xffff) + ((total & 0xffff_ffff) >> 16);
    assert_eq!(sysv, format!("{} 391 /f", (r & 0xffff) + (r >> 16)));
}

// ---- no panics ----

/// Arguments at the edges: zero, signs, fractions, huge and non-finite
/// numbers, empty and multi-byte strings, numeric strings, paths.
fn edge_values() -> Vec<Value> {
    let mut values: Vec<Value> = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.5,
        5.0,
        13.0,
        1e300,
        -1e300,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2f64.powi(53),
        2f64.powi(63),
        -2f64.powi(63),
        2f64.powi(64),
        1e20,
        f64::MIN_POSITIVE,
    ]
    .into_iter()
    .map(Value::Num)
    .collect();
    let strings = [
        "",
        "abc",
        "ñé漢",
        "🎉x",
        " 42 ",
        "/",
        "/nonexistent/pikt",
        "/dev/zero",
        "Apr",
        "12:30",
        "%",
        "%*.*d",
        "%c%c%s",
        "%99999f",
        "%-+ #0x",
        "\u{0}",
        "-9223372036854775808",
    ];
    values.extend(strings.into_iter().map(Value::str));
    values.push(Value::str(&"ab".repeat(5_000)));
    values
}

/// Every pure function with one, two and three edge arguments: any answer
/// is fine, a panic is not.
#[test]
fn no_function_panics_on_edge_arguments() {
    let values = edge_values();
    let mut env = FakeEnv::new();
    for info in BUILTINS {
        if INTERPRETER_FUNCTIONS.contains(&info.builtin) {
            continue;
        }
        let most = info.max_args.min(6);
        for arity in info.min_args..=most {
            for (i, a) in values.iter().enumerate() {
                if arity <= 2 {
                    for b in &values {
                        let args: Vec<Value> = [a, b].into_iter().take(arity).cloned().collect();
                        let _ = call_pure(info.builtin, &args, &mut env);
                    }
                } else {
                    let args: Vec<Value> = (0..arity)
                        .map(|k| values[(i + k * 7) % values.len()].clone())
                        .collect();
                    let _ = call_pure(info.builtin, &args, &mut env);
                }
            }
        }
        // Too few arguments is an error, never a panic.
        if info.min_args > 0 {
            let answer = call_pure(info.builtin, &[], &mut env);
            assert!(matches!(answer, Some(Err(_))), "{}", info.display());
        }
    }
}

#[test]
fn sprintf_survives_every_format_with_every_argument() {
    let values = edge_values();
    let mut env = FakeEnv::new();
    let formats = [
        "%d", "%5.2i", "%x", "%#X", "%o", "%f", "%.0e", "%G", "%c", "%s", "%-*.*s", "%+ 05d",
        "%.*g", "%#.3o", "%%%", "%lld", "%",
    ];
    let sprintf = lookup(VarType::Str, "sprintf").unwrap().builtin;
    for format in formats {
        for a in &values {
            for b in &values {
                let args = [Value::str(format), a.clone(), b.clone()];
                let _ = call_pure(sprintf, &args, &mut env);
            }
        }
    }
}

#[test]
fn times_in_the_fake_are_independent_of_the_machine() {
    // The fake is UTC whatever TZ says.
    let mut env = FakeEnv::new();
    assert_eq!(text_in(&mut env, "time", args![0]), "00:00:00");
    assert_eq!(text_in(&mut env, "date", args![0]), "Thu Jan  1 1970");
}

#[test]
fn the_functions_that_read_the_clock_are_the_calendar_ones() {
    for row in pikt_lang::builtins::BUILTINS {
        let handled = super::timely(&super::Call::new(row.builtin, &[]), &mut FakeEnv::new());
        assert_eq!(
            super::reads_clock(row.builtin),
            handled.is_some(),
            "{:?}",
            row.builtin
        );
    }
}
