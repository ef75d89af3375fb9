//! The `pikt` command line, read with the one PIKT-style tokenizer from its
//! table ([`pikt_cli::tables::PIKT`]); raw arguments become an [`Args`].
//!
//! Flags come first; the first other argument is the script file and
//! everything after it is passed to the script. `+A ALERT` / `+S SCRIPT`
//! name an installed alert or script instead of a file (docs/alerts.md).

use std::path::PathBuf;

use pikt_cli::tables::{PiktFlag as F, PIKT};
use pikt_cli::{tokenize, Token, UsageError};
use pikt_config::SiteFlags;

/// Where the script comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file (a standalone script or a file of scripts).
    File(PathBuf),
    /// `+C "statements"`.
    Statements(String),
    /// Statements on standard input (no file given, input not a terminal).
    Stdin,
    /// Every installed alert (`-z`).
    Installation,
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
    /// `-c`, `-C`
    Check,
    /// `-z`: check every installed alert.
    CheckInstallation,
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
    /// `-U`: urgent mode, no alert lock blocks the run.
    pub urgent: bool,
    /// `+M`
    pub mail_cmd: Option<String>,
    /// `+L`
    pub lp_cmd: Option<String>,
    /// `--piktdir`, `--host`.
    pub site: SiteFlags,
}

/// Parses the arguments (without the program name). `stdin_is_terminal`
/// decides whether a missing script means "read statements from standard
/// input" or a usage error.
pub fn parse(argv: &[String], stdin_is_terminal: bool) -> Result<Args, UsageError> {
    let mut args = Args {
        action: Action::Run,
        source: Source::Stdin,
        script_args: Vec::new(),
        debug: false,
        test_mode: false,
        urgent: false,
        mail_cmd: None,
        lp_cmd: None,
        site: SiteFlags::default(),
    };
    let mut statements = None;
    let mut alert = None;
    let mut script = None;
    let mut file = None;
    for token in tokenize(&PIKT, argv)? {
        let given = match token {
            Token::Flag(given) => given,
            Token::Operand(word) => {
                file = Some(PathBuf::from(word));
                continue;
            }
            Token::Rest(rest) => {
                args.script_args = rest;
                continue;
            }
        };
        let value = given.value;
        let action = match given.id {
            F::Debug => {
                args.debug = true;
                continue;
            }
            F::Test => {
                args.test_mode = true;
                continue;
            }
            F::MailCmd => {
                args.mail_cmd = value;
                continue;
            }
            F::LpCmd => {
                args.lp_cmd = value;
                continue;
            }
            F::Statements => {
                statements = value;
                continue;
            }
            F::Alert => {
                alert = value;
                continue;
            }
            F::Script => {
                script = value;
                continue;
            }
            F::PiktDir => {
                args.site.piktdir = value.map(PathBuf::from);
                continue;
            }
            F::Host => {
                args.site.host = value;
                continue;
            }
            F::Urgent => {
                args.urgent = true;
                continue;
            }
            F::Check | F::StagedCheck => Action::Check,
            F::MakeCheck => Action::CheckInstallation,
            F::Version => Action::Version,
            F::Help => Action::Help,
            F::DumpTokens => Action::DumpTokens,
            F::DumpAst => Action::DumpAst,
        };
        // Help and version win over everything; otherwise the last action wins.
        if !matches!(args.action, Action::Help | Action::Version) {
            args.action = action;
        }
    }
    if args.action == Action::CheckInstallation {
        if alert.is_some() || script.is_some() || statements.is_some() || file.is_some() {
            return Err(UsageError::new(
                "`-z` checks every installed alert; it takes no script, `+C`, `+A` or `+S` (check one with `-c`)",
            ));
        }
        args.source = Source::Installation;
        return Ok(args);
    }
    if alert.is_some() || script.is_some() {
        args.source = installed_source(alert, script, statements.is_some(), file)?;
        return Ok(args);
    }
    args.source = match (statements, file) {
        (Some(_), Some(path)) => {
            return Err(UsageError::new(format!(
                "give either a script file or `+C`, not both (`{}`)",
                path.display()
            )))
        }
        (Some(text), None) => Source::Statements(text),
        (None, Some(path)) => Source::File(path),
        (None, None) => {
            let needs_script = !matches!(args.action, Action::Help | Action::Version);
            if needs_script && stdin_is_terminal {
                return Err(UsageError::new("no script given"));
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
) -> Result<Source, UsageError> {
    let flag = if alert.is_some() { "+A" } else { "+S" };
    if has_statements {
        return Err(UsageError::new(format!(
            "give either `{flag}` or `+C`, not both"
        )));
    }
    if let Some(path) = file {
        return Err(UsageError::new(format!(
            "`{flag}` runs an installed alert; it takes no script file (`{}`)",
            path.display()
        )));
    }
    for name in alert.iter().chain(&script) {
        if !is_name(name) {
            return Err(UsageError::new(format!(
                "`{name}` is not an alert or script name (letters, digits, `-`, `_`, `.`)"
            )));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(argv: &[&str]) -> Args {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        parse(&argv, true).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(argv: &[&str]) -> String {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        parse(&argv, true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
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
        assert_eq!(parse_ok(&["--help"]).action, Action::Help);
        assert_eq!(parse_ok(&["--version"]).action, Action::Version);
        assert_eq!(parse_ok(&["-V", "-c"]).action, Action::Version);
        assert_eq!(parse_ok(&["--dump-ast", "f"]).action, Action::DumpAst);
    }

    #[test]
    fn site_options() {
        let args = parse_ok(&["--piktdir", "/p", "--host=web1", "+A", "Urgent"]);
        assert_eq!(args.site.piktdir, Some(PathBuf::from("/p")));
        assert_eq!(args.site.host.as_deref(), Some("web1"));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        assert_eq!(parse_err(&["-q"]), "unknown flag `-q`");
        assert_eq!(parse_err(&["--nope"]), "unknown option `--nope`");
        assert_eq!(
            parse_err(&["--dump-ats"]),
            "unknown option `--dump-ats` (did you mean `--dump-ast`?)"
        );
        assert_eq!(parse_err(&["+M"]), "`+M` needs a value (MAILCMD)");
        assert_eq!(parse_err(&[]), "no script given");
        assert_eq!(
            parse_err(&["-z", "+A", "Urgent"]),
            "`-z` checks every installed alert; it takes no script, `+C`, `+A` or `+S` (check one with `-c`)"
        );
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
    fn pikt_flags_with_a_decision() {
        assert_eq!(parse_ok(&["-C", "f.pikt"]).action, Action::Check);
        let args = parse_ok(&["-UT", "+A", "Urgent"]);
        assert!(args.urgent && args.test_mode);
        let args = parse_ok(&["-z"]);
        assert_eq!(
            (args.action, args.source),
            (Action::CheckInstallation, Source::Installation)
        );
    }

    #[test]
    fn no_script_reads_standard_input_when_it_is_not_a_terminal() {
        let args = parse(&[], false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.source, Source::Stdin);
    }
}
