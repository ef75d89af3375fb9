//! The `pikt` command line: one table of flags ([`FLAGS`]) from which both
//! the parser and the help text are made; raw arguments become an [`Args`].
//!
//! PIKT's flags come in two shapes: `-x` switches (which may be grouped,
//! `-GT`) and `+X VALUE` options. Flags come first; the first other
//! argument is the script file and everything after it is passed to the
//! script.

use std::fmt::Write as _;
use std::path::PathBuf;

/// What a flag does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FlagKind {
    Check,
    Debug,
    Test,
    Version,
    Help,
    MailCmd,
    LpCmd,
    Statements,
    DumpTokens,
    DumpAst,
}

/// One flag: its spelling, the name of its value (for `+X` options), help.
struct Flag {
    spelling: &'static str,
    value: Option<&'static str>,
    help: &'static str,
    kind: FlagKind,
}

/// Every flag, in the order the help lists them.
const FLAGS: &[Flag] = &[
    Flag {
        spelling: "-c",
        value: None,
        help: "check the script's syntax and exit (status 2 when it has errors)",
        kind: FlagKind::Check,
    },
    Flag {
        spelling: "-G",
        value: None,
        help: "debug: trace every statement, and log messages, on standard error",
        kind: FlagKind::Debug,
    },
    Flag {
        spelling: "-T",
        value: None,
        help: "test mode: print `exec: COMMAND` for exec, exec wait and #system instead of running them",
        kind: FlagKind::Test,
    },
    Flag {
        spelling: "-V",
        value: None,
        help: "print the version and exit",
        kind: FlagKind::Version,
    },
    Flag {
        spelling: "-h",
        value: None,
        help: "print this help and exit",
        kind: FlagKind::Help,
    },
    Flag {
        spelling: "+M",
        value: Some("MAILCMD"),
        help: "pipe the collected alert mail to this shell command instead of printing it",
        kind: FlagKind::MailCmd,
    },
    Flag {
        spelling: "+L",
        value: Some("LPCMD"),
        help: "pipe `output print` lines to this shell command instead of printing them",
        kind: FlagKind::LpCmd,
    },
    Flag {
        spelling: "+C",
        value: Some("STATEMENTS"),
        help: "run these Pikt statements (a script body; bare statements are a `begin` section)",
        kind: FlagKind::Statements,
    },
    Flag {
        spelling: "--dump-tokens",
        value: None,
        help: "print the script's tokens and exit",
        kind: FlagKind::DumpTokens,
    },
    Flag {
        spelling: "--dump-ast",
        value: None,
        help: "print the parsed script in canonical form and exit",
        kind: FlagKind::DumpAst,
    },
];

/// PIKT flags this version does not offer yet (alert runs from an
/// installed PIKT tree), refused with a clear message.
const LATER: &[&str] = &["+A", "+S", "-C", "-U", "-z"];

/// Where the script comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file (a standalone script or a file of scripts).
    File(PathBuf),
    /// `+C "statements"`.
    Statements(String),
    /// Statements on standard input (no file given, input not a terminal).
    Stdin,
}

/// What to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run the script.
    Run,
    /// `-c`
    Check,
    /// `--dump-tokens`
    DumpTokens,
    /// `--dump-ast`
    DumpAst,
    /// `-h`
    Help,
    /// `-V`
    Version,
}

/// The validated command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// What to do.
    pub action: Action,
    /// The script.
    pub source: Source,
    /// Arguments after the script file.
    pub script_args: Vec<String>,
    /// `-G`
    pub debug: bool,
    /// `-T`
    pub test_mode: bool,
    /// `+M`
    pub mail_cmd: Option<String>,
    /// `+L`
    pub lp_cmd: Option<String>,
}

/// Parses the arguments (without the program name). `stdin_is_terminal`
/// decides whether a missing script means "read statements from standard
/// input" or a usage error.
pub fn parse(argv: &[String], stdin_is_terminal: bool) -> Result<Args, String> {
    let mut args = Args {
        action: Action::Run,
        source: Source::Stdin,
        script_args: Vec::new(),
        debug: false,
        test_mode: false,
        mail_cmd: None,
        lp_cmd: None,
    };
    let mut statements = None;
    let mut file = None;
    let mut rest = argv.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            file = rest.next().map(PathBuf::from);
            break;
        }
        if LATER.contains(&arg.as_str()) {
            return Err(format!(
                "`{arg}` is not supported yet (alert runs from an installed PIKT tree)"
            ));
        }
        if let Some(flag) = FLAGS
            .iter()
            .find(|f| f.spelling == arg && f.value.is_some())
        {
            let value = rest
                .next()
                .ok_or_else(|| format!("`{arg}` needs a value ({})", flag.value.unwrap_or("")))?;
            match flag.kind {
                FlagKind::MailCmd => args.mail_cmd = Some(value.clone()),
                FlagKind::LpCmd => args.lp_cmd = Some(value.clone()),
                _ => statements = Some(value.clone()),
            }
            continue;
        }
        if arg.starts_with("--") {
            let flag = FLAGS
                .iter()
                .find(|f| f.spelling == arg)
                .ok_or_else(|| format!("unknown flag `{arg}`"))?;
            apply_switch(flag.kind, &mut args);
            continue;
        }
        if arg.len() > 1 && (arg.starts_with('-') || arg.starts_with('+')) {
            for letter in arg.chars().skip(1) {
                let spelling = format!("{}{letter}", &arg[..1]);
                let flag = FLAGS
                    .iter()
                    .find(|f| f.spelling == spelling && f.value.is_none())
                    .ok_or_else(|| format!("unknown flag `{spelling}`"))?;
                apply_switch(flag.kind, &mut args);
            }
            continue;
        }
        file = Some(PathBuf::from(arg));
        break;
    }
    args.script_args = rest.cloned().collect();
    args.source = match (statements, file) {
        (Some(_), Some(path)) => {
            return Err(format!(
                "give either a script file or `+C`, not both (`{}`)",
                path.display()
            ))
        }
        (Some(text), None) => Source::Statements(text),
        (None, Some(path)) => Source::File(path),
        (None, None) => {
            let needs_script = !matches!(args.action, Action::Help | Action::Version);
            if needs_script && stdin_is_terminal {
                return Err("no script given".into());
            }
            Source::Stdin
        }
    };
    Ok(args)
}

fn apply_switch(kind: FlagKind, args: &mut Args) {
    let action = match kind {
        FlagKind::Debug => {
            args.debug = true;
            return;
        }
        FlagKind::Test => {
            args.test_mode = true;
            return;
        }
        FlagKind::Check => Action::Check,
        FlagKind::Version => Action::Version,
        FlagKind::Help => Action::Help,
        FlagKind::DumpTokens => Action::DumpTokens,
        FlagKind::DumpAst => Action::DumpAst,
        FlagKind::MailCmd | FlagKind::LpCmd | FlagKind::Statements => return,
    };
    // Help and version win over everything; otherwise the last action wins.
    if !matches!(args.action, Action::Help | Action::Version) {
        args.action = action;
    }
}

/// The usage lines.
pub const USAGE: &str = "usage: pikt [FLAGS] FILE [ARGS...]\n       pikt [FLAGS] +C \"STATEMENTS\"\n       pikt [FLAGS] < STATEMENTS\n";

/// The help text, made from [`FLAGS`].
pub fn help() -> String {
    let mut out = String::from("pikt: the Pikt script interpreter\n\n");
    out.push_str(USAGE);
    out.push_str("\nflags:\n");
    let width = FLAGS
        .iter()
        .map(|f| f.spelling.len() + f.value.map_or(0, |v| v.len() + 1))
        .max()
        .unwrap_or(0);
    for flag in FLAGS {
        let head = match flag.value {
            Some(value) => format!("{} {value}", flag.spelling),
            None => flag.spelling.to_string(),
        };
        let _ = writeln!(out, "  {head:width$}  {}", flag.help);
    }
    out.push_str(
        "\nA file whose first line is `#!...` or whose first word is a section keyword\n\
         (init, begin, rule, end) is a standalone script; any other file holds named\n\
         scripts, run in order. Arguments after FILE reach the script as the\n\
         environment variables PIKT_ARGC and PIKT_ARG1, PIKT_ARG2, ...\n\
         \nexit status: 0 ok, 1 a script failed at run time or died, 2 the script has\n\
         errors, 3 usage error, 4 the script cannot be read\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(argv: &[&str]) -> Args {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        parse(&argv, true).unwrap()
    }

    fn parse_err(argv: &[&str]) -> String {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        parse(&argv, true).unwrap_err()
    }

    #[test]
    fn switches_group_and_options_take_values() {
        let args = parse_ok(&["-GT", "+M", "mail -s x", "s.pkt", "a", "-b"]);
        assert!(args.debug && args.test_mode);
        assert_eq!(args.mail_cmd.as_deref(), Some("mail -s x"));
        assert_eq!(args.source, Source::File("s.pkt".into()));
        assert_eq!(args.script_args, ["a", "-b"]);
        assert_eq!(args.action, Action::Run);
    }

    #[test]
    fn statements_and_actions() {
        let args = parse_ok(&["-c", "+C", "begin output 1"]);
        assert_eq!(args.action, Action::Check);
        assert_eq!(args.source, Source::Statements("begin output 1".into()));
        assert_eq!(parse_ok(&["-h"]).action, Action::Help);
        assert_eq!(parse_ok(&["-V", "-c"]).action, Action::Version);
        assert_eq!(parse_ok(&["--dump-ast", "f"]).action, Action::DumpAst);
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        assert_eq!(parse_err(&["-q"]), "unknown flag `-q`");
        assert_eq!(parse_err(&["--nope"]), "unknown flag `--nope`");
        assert_eq!(parse_err(&["+M"]), "`+M` needs a value (MAILCMD)");
        assert_eq!(parse_err(&[]), "no script given");
        assert_eq!(
            parse_err(&["+A", "Urgent"]),
            "`+A` is not supported yet (alert runs from an installed PIKT tree)"
        );
        assert!(parse_err(&["+C", "x", "f"]).starts_with("give either"));
    }

    #[test]
    fn no_script_reads_standard_input_when_it_is_not_a_terminal() {
        let args = parse(&[], false).unwrap();
        assert_eq!(args.source, Source::Stdin);
    }

    #[test]
    fn help_lists_every_flag() {
        let text = help();
        for flag in FLAGS {
            assert!(text.contains(flag.help), "{}", flag.spelling);
        }
    }
}
