//! PIKT's argument syntax, for every program: single-letter switches that
//! combine (`-iev`) and may carry digits (`-p15`, `-m5`), `+X VALUE`
//! options, `+X`/`-X` selectors that take every word up to the next option
//! (`+H all -H down`, `+Af Urgent` with a suffix letter), and long options
//! (`--name VALUE`, `--name=VALUE`). getopt-style parsers cannot read `+X`,
//! so this is written out once here and driven by a [`Spec`].

use crate::spec::{Arity, Flag, Operands, Spec, Support};
use crate::suggest::did_you_mean;
use crate::UsageError;

/// One flag as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given<Id> {
    /// Which flag.
    pub id: Id,
    /// How it was written (`-p15` gives `-p`, `+Af` gives `+Af`).
    pub spelled: String,
    /// `-X` rather than `+X` (always true for switches and long options).
    pub minus: bool,
    /// The suffix letter was given (`+Af`).
    pub suffix: bool,
    /// The digits glued to the letter (`-p15`).
    pub digits: Option<u32>,
    /// The value of a [`Arity::Value`] flag.
    pub value: Option<String>,
    /// The words of a [`Arity::Words`] selector.
    pub words: Vec<String>,
}

/// One piece of a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<Id> {
    /// A flag.
    Flag(Given<Id>),
    /// A word that is not a flag's.
    Operand(String),
    /// Everything after a script file (or after `--` and the file): the
    /// script's own arguments.
    Rest(Vec<String>),
}

/// Splits `args` (without the program name) into tokens as `spec` says.
pub fn tokenize<Id: Copy + PartialEq>(
    spec: &Spec<Id>,
    args: &[String],
) -> Result<Vec<Token<Id>>, UsageError> {
    let mut tokens: Vec<Token<Id>> = Vec::new();
    let mut open_words = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "--" && spec.operands == Operands::ScriptThenArgs {
            push_script(&mut tokens, args.get(i..).unwrap_or_default());
            return Ok(tokens);
        }
        if let Some(long) = arg.strip_prefix("--").filter(|l| !l.is_empty()) {
            open_words = false;
            let (given, used) = long_option(spec, long, args.get(i))?;
            i += used;
            tokens.push(Token::Flag(given));
            continue;
        }
        if starts_option(arg, open_words) {
            let minus = arg.starts_with('-');
            if let Some(flag) = selector_or_option(spec, arg)? {
                let mut given = given(flag, arg, minus);
                given.suffix = flag.suffix.is_some() && arg.chars().count() == 3;
                open_words = false;
                match flag.arity {
                    Arity::Value => {
                        given.value = Some(args.get(i).cloned().ok_or_else(|| {
                            UsageError::new(format!(
                                "`{arg}` needs a value ({})",
                                flag.value.unwrap_or("VALUE")
                            ))
                        })?);
                        i += 1;
                    }
                    _ => open_words = true,
                }
                tokens.push(Token::Flag(given));
            } else if minus {
                open_words = false;
                tokens.extend(cluster(spec, arg)?.into_iter().map(Token::Flag));
            } else {
                return Err(unknown_plus(spec, arg));
            }
            continue;
        }
        if open_words {
            if let Some(Token::Flag(given)) = tokens.last_mut() {
                given.words.push(arg.clone());
            }
            continue;
        }
        match spec.operands {
            Operands::Words => tokens.push(Token::Operand(arg.clone())),
            Operands::ScriptThenArgs => {
                push_script(&mut tokens, args.get(i - 1..).unwrap_or_default());
                return Ok(tokens);
            }
            Operands::None => {
                return Err(UsageError::new(format!("unexpected argument `{arg}`")));
            }
        }
    }
    Ok(tokens)
}

/// The script file and its arguments.
fn push_script<Id>(tokens: &mut Vec<Token<Id>>, rest: &[String]) {
    if let Some((file, args)) = rest.split_first() {
        tokens.push(Token::Operand(file.clone()));
        tokens.push(Token::Rest(args.to_vec()));
    }
}

/// True when `arg` is written as an option: `-x...`, or `+X...` with a
/// letter. Inside a selector's words, `+5` and `-` stay words.
fn starts_option(arg: &str, open_words: bool) -> bool {
    let mut chars = arg.chars();
    match (chars.next(), chars.next()) {
        (Some('-'), Some(_)) => true,
        (Some('+'), Some(c)) => c.is_ascii_alphabetic() || !open_words,
        _ => false,
    }
}

fn given<Id: Copy>(flag: &Flag<Id>, spelled: &str, minus: bool) -> Given<Id> {
    Given {
        id: flag.id,
        spelled: spelled.to_string(),
        minus,
        suffix: false,
        digits: None,
        value: None,
        words: Vec::new(),
    }
}

/// Refuses a flag PIKT had but this program does not offer.
fn check_support<Id>(flag: &Flag<Id>, spelled: &str) -> Result<(), UsageError> {
    match flag.support {
        Support::Refused(why) => Err(UsageError::new(format!(
            "`{spelled}` is not supported: {why}"
        ))),
        _ => Ok(()),
    }
}

/// `--name` or `--name=value`; returns the flag and how many more
/// arguments it used.
fn long_option<Id: Copy + PartialEq>(
    spec: &Spec<Id>,
    long: &str,
    next: Option<&String>,
) -> Result<(Given<Id>, usize), UsageError> {
    let (name, inline) = match long.split_once('=') {
        Some((name, value)) => (name, Some(value.to_string())),
        None => (long, None),
    };
    let Some(flag) = spec.flags.iter().find(|f| f.long == Some(name)) else {
        let mut error = UsageError::new(format!("unknown option `--{name}`"));
        let names = offered(spec).filter_map(|f| f.long);
        if let Some(close) = did_you_mean(name, names) {
            error = error.with_suggestion(format!("--{close}"));
        }
        return Err(error);
    };
    check_support(flag, &format!("--{name}"))?;
    let mut given = given(flag, &format!("--{name}"), true);
    match (flag.arity, inline) {
        (Arity::Value, Some(value)) => given.value = Some(value),
        (Arity::Value, None) => {
            let value = next.cloned().ok_or_else(|| {
                UsageError::new(format!(
                    "`--{name}` needs a value ({})",
                    flag.value.unwrap_or("VALUE")
                ))
            })?;
            given.value = Some(value);
            return Ok((given, 1));
        }
        (_, Some(_)) => {
            return Err(UsageError::new(format!("`--{name}` takes no value")));
        }
        (_, None) => {}
    }
    Ok((given, 0))
}

/// The flags that may be suggested.
fn offered<Id: Copy + PartialEq>(spec: &Spec<Id>) -> impl Iterator<Item = &Flag<Id>> {
    spec.flags
        .iter()
        .filter(|f| matches!(f.support, Support::Listed))
}

/// `+X`, `-X` or `+Xf` naming a value option or a selector; `None` when the
/// word is a cluster of switches instead (`-iv`).
fn selector_or_option<'a, Id: Copy + PartialEq>(
    spec: &'a Spec<Id>,
    arg: &str,
) -> Result<Option<&'a Flag<Id>>, UsageError> {
    let minus = arg.starts_with('-');
    let mut chars = arg.chars().skip(1);
    let Some(letter) = chars.next() else {
        return Ok(None);
    };
    let after: String = chars.collect();
    let Some(flag) = spec.flags.iter().find(|f| {
        f.letter == Some(letter)
            && matches!(f.arity, Arity::Value | Arity::Words)
            && if minus {
                f.takes_minus()
            } else {
                f.takes_plus()
            }
    }) else {
        return Ok(None);
    };
    let sign = &arg[..1];
    let exact = after.is_empty() || flag.suffix.is_some_and(|s| after == s.to_string());
    if !exact {
        // `-Mv` may still be switches when `-M` is also a switch.
        let is_switch = spec.flags.iter().any(|f| {
            f.letter == Some(letter)
                && f.takes_minus()
                && matches!(f.arity, Arity::Switch | Arity::Digits)
        });
        if minus && is_switch {
            return Ok(None);
        }
        return Err(UsageError::new(format!(
            "`{arg}`: put a space between `{sign}{letter}` and its {}",
            if flag.arity == Arity::Words {
                "words"
            } else {
                "value"
            }
        )));
    }
    check_support(flag, &format!("{sign}{letter}"))?;
    Ok(Some(flag))
}

/// `-iev`, `-xp15v`: each letter a switch, digits after a digits flag.
fn cluster<Id: Copy + PartialEq>(spec: &Spec<Id>, arg: &str) -> Result<Vec<Given<Id>>, UsageError> {
    let letters: Vec<char> = arg.chars().skip(1).collect();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&letter) = letters.get(at) {
        at += 1;
        let Some(flag) = spec.flags.iter().find(|f| {
            f.letter == Some(letter)
                && f.takes_minus()
                && matches!(f.arity, Arity::Switch | Arity::Digits)
        }) else {
            return Err(unknown_letter(spec, arg, letter));
        };
        check_support(flag, &format!("-{letter}"))?;
        let mut given = given(flag, &format!("-{letter}"), true);
        if flag.arity == Arity::Digits {
            let digits: String = letters
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            at += digits.len();
            if !digits.is_empty() {
                given.digits = Some(digits.parse().map_err(|_| {
                    UsageError::new(format!("`-{letter}{digits}`: the number is too large"))
                })?);
            }
        }
        out.push(given);
    }
    Ok(out)
}

/// An unknown letter of a cluster; `-check` suggests `--check`.
fn unknown_letter<Id: Copy + PartialEq>(spec: &Spec<Id>, arg: &str, letter: char) -> UsageError {
    let message = if arg.chars().count() == 2 {
        format!("unknown flag `-{letter}`")
    } else {
        format!("unknown flag `-{letter}` in `{arg}`")
    };
    let mut error = UsageError::new(message);
    let word = &arg[1..];
    if word.chars().count() > 2 {
        let names = offered(spec).filter_map(|f| f.long);
        if let Some(close) = did_you_mean(word, names) {
            error = error.with_suggestion(format!("--{close}"));
        }
    }
    error
}

/// An unknown `+X` word.
fn unknown_plus<Id: Copy + PartialEq>(spec: &Spec<Id>, arg: &str) -> UsageError {
    let mut error = UsageError::new(format!("unknown option `{arg}`"));
    let plus: Vec<String> = offered(spec)
        .filter(|f| f.takes_plus())
        .filter_map(|f| f.letter.map(|l| format!("+{l}")))
        .collect();
    let upper = arg.to_ascii_uppercase();
    if plus.contains(&upper) {
        error = error.with_suggestion(upper);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Complete;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Id {
        Install,
        Verbose,
        Pause,
        Expand,
        Macro,
        Alert,
        Host,
        Dir,
        Old,
        Mail,
    }

    const FLAGS: &[Flag<Id>] = &[
        Flag::switch(Id::Install, 'i', "install", "install"),
        Flag::switch(Id::Verbose, 'v', "verbose", "verbose"),
        Flag::letter(Id::Pause, 'p', "pause").digits("SECONDS"),
        Flag::switch(Id::Expand, 'M', "expand-macros", "expand"),
        Flag::selector(Id::Macro, 'M', false, "TEXT...", "texts"),
        Flag::selector(Id::Alert, 'A', true, "ALERT...", "alerts")
            .with_suffix('f')
            .completes(Complete::Alert),
        Flag::selector(Id::Host, 'H', true, "HOST...", "hosts"),
        Flag::long(Id::Dir, "piktdir", "the tree").takes("DIR", Complete::Dir),
        Flag::letter(Id::Old, 'K', "old").refused("there is no piktc_svc"),
        Flag::plus(Id::Mail, 'L', "LPCMD", "print"),
    ];

    const SPEC: Spec<Id> = Spec {
        program: "t",
        section: 1,
        summary: "test",
        usage: &["t -FLAGS"],
        flags: FLAGS,
        operands: Operands::Words,
        notes: &[],
        environment: &[],
        exit_codes: &[],
    };

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    fn ids(list: &[&str]) -> Vec<Id> {
        tokenize(&SPEC, &words(list))
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter_map(|t| match t {
                Token::Flag(g) => Some(g.id),
                _ => None,
            })
            .collect()
    }

    fn error(list: &[&str]) -> String {
        tokenize(&SPEC, &words(list))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn letters_combine_and_take_digits() {
        assert_eq!(
            ids(&["-ivp15", "-M"]),
            [Id::Install, Id::Verbose, Id::Pause, Id::Expand]
        );
        let tokens = tokenize(&SPEC, &words(&["-p15v", "-p"])).unwrap_or_default();
        let digits: Vec<Option<u32>> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Flag(g) if g.id == Id::Pause => Some(g.digits),
                _ => None,
            })
            .collect();
        assert_eq!(digits, [Some(15), None]);
    }

    #[test]
    fn selectors_take_words_up_to_the_next_option() {
        let tokens = tokenize(
            &SPEC,
            &words(&[
                "+H", "all", "-H", "down", "sick", "+Af", "Urgent", "-v", "ALL", "+M", "=ps",
            ]),
        )
        .unwrap_or_default();
        let summary: Vec<(Id, bool, bool, Vec<String>)> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Flag(g) => Some((g.id, g.minus, g.suffix, g.words.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Id::Host, false, false, words(&["all"])),
                (Id::Host, true, false, words(&["down", "sick"])),
                (Id::Alert, false, true, words(&["Urgent"])),
                (Id::Verbose, true, false, vec![]),
                (Id::Macro, false, false, words(&["=ps"])),
            ]
        );
        assert!(tokens.contains(&Token::Operand("ALL".into())));
    }

    #[test]
    fn long_options_and_values() {
        let tokens = tokenize(
            &SPEC,
            &words(&["--piktdir=/p", "--piktdir", "/q", "+L", "-x"]),
        )
        .unwrap_or_default();
        let values: Vec<Option<String>> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Flag(g) => Some(g.value.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            values,
            [Some("/p".into()), Some("/q".into()), Some("-x".into())]
        );
    }

    #[test]
    fn usage_errors_suggest_what_was_meant() {
        assert_eq!(
            error(&["--instal"]),
            "unknown option `--instal` (did you mean `--install`?)"
        );
        assert_eq!(
            error(&["-install"]),
            "unknown flag `-n` in `-install` (did you mean `--install`?)"
        );
        assert_eq!(error(&["-q"]), "unknown flag `-q`");
        assert_eq!(
            error(&["-K"]),
            "`-K` is not supported: there is no piktc_svc"
        );
        assert_eq!(
            error(&["+Hall"]),
            "`+Hall`: put a space between `+H` and its words"
        );
        assert_eq!(error(&["--piktdir"]), "`--piktdir` needs a value (DIR)");
        assert_eq!(error(&["--verbose=1"]), "`--verbose` takes no value");
        assert_eq!(
            error(&["+a", "x"]),
            "unknown option `+a` (did you mean `+A`?)"
        );
        assert_eq!(
            error(&["-p99999999999"]),
            "`-p99999999999`: the number is too large"
        );
    }

    #[test]
    fn a_script_and_its_arguments_end_the_flags() {
        let spec = Spec {
            operands: Operands::ScriptThenArgs,
            ..SPEC
        };
        let tokens = tokenize(&spec, &words(&["-v", "s.pikt", "-i", "+A"])).unwrap_or_default();
        assert_eq!(
            tokens.get(1..),
            Some(
                &[
                    Token::Operand("s.pikt".into()),
                    Token::Rest(words(&["-i", "+A"]))
                ][..]
            )
        );
        let tokens = tokenize(&spec, &words(&["--", "-odd", "x"])).unwrap_or_default();
        assert_eq!(
            tokens,
            [Token::Operand("-odd".into()), Token::Rest(words(&["x"]))]
        );
        let none = Spec {
            operands: Operands::None,
            ..SPEC
        };
        assert_eq!(
            tokenize(&none, &words(&["run"]))
                .err()
                .map(|e| e.to_string()),
            Some("unexpected argument `run`".to_string())
        );
    }

    #[test]
    fn words_inside_a_selector_may_look_like_numbers() {
        let tokens = tokenize(&SPEC, &words(&["+M", "+5", "-"])).unwrap_or_default();
        assert_eq!(
            tokens,
            [Token::Flag(Given {
                id: Id::Macro,
                spelled: "+M".into(),
                minus: false,
                suffix: false,
                digits: None,
                value: None,
                words: words(&["+5", "-"]),
            })]
        );
    }
}
