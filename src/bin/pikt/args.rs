//! The `pikt` command line: one table of flags ([`FLAGS`]) from which both
//! the parser and the help text are made; raw arguments become an [`Args`].
//!
//! PIKT's flags come in two shapes: `-x` switches (which may be grouped,
//! `-GT`) and `+X VALUE` options. Flags come first; the first other
//! argument is the script file and everything after it is passed to the
//! script. `+A ALERT` / `+S SCRIPT` name an installed alert or script
//! instead of a file (docs/alerts.md).

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
    Alert,
    Script,
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
        spelling: "+A",
        value: Some("ALERT"),
        help: "run the installed alert ALERT (=altdir/ALERT.alt): its scripts in order, one mail, the alert log",
        kind: FlagKind::Alert,
    },
    Flag {
        spelling: "+S",
        value: Some("SCRIPT"),
        help: "run only SCRIPT of the installed alert holding it (with `+A`: of that alert)",
        kind: FlagKind::Script,
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

/// PIKT flags this version does not offer yet, refused with a clear
/// message.
const LATER: &[&str] = &["-C", "-U", "-z"];

/// Where the script comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file (a standalone script or a file of scripts).
    File(PathBuf),
    /// `+C "statements"`.
    Statements(String),
    /// Statements on standard input (no file given, input not a terminal).
    Stdin,
    /// An installed alert (`+A`), or one script of one (`+S`, with or
    /// without `+A`).
    Installed {
        /// `+A`
        alert: Option<String>,
        /// `+S`
        script: Option<String>,
    },
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
    let mut alert = None;
    let mut script = None;
    let mut file = None;
    let mut rest = argv.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            file = rest.next().map(PathBuf::from);
            break;
        }
        if LATER.contains(&arg.as_str()) {
            return Err(format!("`{arg}` is not supported yet"));
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
                FlagKind::Alert => alert = Some(value.clone()),
                FlagKind::Script => script = Some(value.clone()),
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
    if alert.is_some() || script.is_some() {
        args.source = installed_source(alert, script, statements.is_some(), file)?;
        return Ok(args);
    }
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

/// `+A`/`+S`: an installed alert or script, never with a file or `+C`.
fn installed_source(
    alert: Option<String>,
    script: Option<String>,
    has_statements: bool,
    file: Option<PathBuf>,
) -> Result<Source, String> {
    let flag = if alert.is_some() { "+A" } else { "+S" };
    if has_statements {
        return Err(format!("give either `{flag}` or `+C`, not both"));
    }
    if let Some(path) = file {
        return Err(format!(
            "`{flag}` runs an installed alert; it takes no script file (`{}`)",
            path.display()
        ));
    }
    for name in alert.iter().chain(&script) {
        if !is_name(name) {
            return Err(format!(
                "`{name}` is not an alert or script name (letters, digits, `-`, `_`, `.`)"
            ));
        }
    }
    Ok(Source::Installed { alert, script })
}

/// Alert and script names are identifiers; anything else (a path, `..`)
/// must not reach a file name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
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
        FlagKind::MailCmd
        | FlagKind::LpCmd
        | FlagKind::Statements
        | FlagKind::Alert
        | FlagKind::Script => return,
    };
    // Help and version win over everything; otherwise the last action wins.
    if !matches!(args.action, Action::Help | Action::Version) {
        args.action = action;
    }
}

/// The usage lines.
pub const USAGE: &str = "usage: pikt [FLAGS] FILE [ARGS...]\n       pikt [FLAGS] +C \"STATEMENTS\"\n       pikt [FLAGS] < STATEMENTS\n       pikt [FLAGS] +A ALERT [+S SCRIPT]\n       pikt [FLAGS] +S SCRIPT\n";

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
         \nWith +A/+S the tree is $PIKT_DIR (default /etc/pikt): the scripts come from\n\
         =altdir/ALERT.alt, entries go to =logdir/ALERT.log and the mail is sent with\n\
         +M, the alert's mailcmd, or PIKT.conf's smtp_relay (spooled when it fails).\n\
         \nexit status: 0 ok, 1 a script failed at run time or died, or the mail was\n\
         not delivered, 2 the script has errors, 3 usage error, 4 the script (or the\n\
         installed alert, or PIKT.conf) cannot be read\n",
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
        assert_eq!(parse_err(&["-z"]), "`-z` is not supported yet");
        assert!(parse_err(&["+C", "x", "f"]).starts_with("give either"));
    }

    #[test]
    fn alerts_and_scripts_name_installed_items() {
        let args = parse_ok(&["-T", "+M", "cat", "+A", "Urgent"]);
        assert!(args.test_mode);
        assert_eq!(
            args.source,
            Source::Installed {
                alert: Some("Urgent".into()),
                script: None
            }
        );
        let args = parse_ok(&["+S", "ProcCountsChk", "+A", "Urgent"]);
        assert_eq!(
            args.source,
            Source::Installed {
                alert: Some("Urgent".into()),
                script: Some("ProcCountsChk".into())
            }
        );
        assert_eq!(
            parse_err(&["+A", "Urgent", "x.pikt"]),
            "`+A` runs an installed alert; it takes no script file (`x.pikt`)"
        );
        assert_eq!(
            parse_err(&["+S", "X", "+C", "begin"]),
            "give either `+S` or `+C`, not both"
        );
        assert_eq!(
            parse_err(&["+A", "../etc/passwd"]),
            "`../etc/passwd` is not an alert or script name (letters, digits, `-`, `_`, `.`)"
        );
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
