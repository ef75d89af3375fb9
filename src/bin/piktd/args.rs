//! piktd's command line: every flag defined once in [`FLAGS`] with its help;
//! [`parse`] turns argv into [`Invocation`] (what to do, with validated
//! values). Single-letter flags combine as in PIKT (`-GT`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// What a flag does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FlagAction {
    Foreground,
    Debug,
    Test,
    Check,
    Version,
    Help,
    PiktDir,
    Conf,
    Timeout,
    CatchUp,
}

/// One flag: letter and/or long name, the value it takes, one line of help.
struct FlagDef {
    short: Option<char>,
    long: &'static str,
    value: Option<&'static str>,
    help: &'static str,
    action: FlagAction,
}

const FLAGS: &[FlagDef] = &[
    FlagDef {
        short: Some('f'),
        long: "foreground",
        value: None,
        help: "stay in the foreground (always the case; accepted for init scripts)",
        action: FlagAction::Foreground,
    },
    FlagDef {
        short: Some('G'),
        long: "debug",
        value: None,
        help: "debug: log the schedule and drift delays too, and copy the log to stderr",
        action: FlagAction::Debug,
    },
    FlagDef {
        short: Some('T'),
        long: "test",
        value: None,
        help: "test mode: log what would run at each minute, run nothing",
        action: FlagAction::Test,
    },
    FlagDef {
        short: Some('z'),
        long: "check",
        value: None,
        help: "check piktd.conf, print the schedule with next run times, and exit",
        action: FlagAction::Check,
    },
    FlagDef {
        short: None,
        long: "piktdir",
        value: Some("DIR"),
        help: "the installation (default: $PIKT_DIR, else /etc/pikt)",
        action: FlagAction::PiktDir,
    },
    FlagDef {
        short: None,
        long: "conf",
        value: Some("FILE"),
        help: "the schedule (default: DIR/etc/piktd.conf)",
        action: FlagAction::Conf,
    },
    FlagDef {
        short: None,
        long: "timeout",
        value: Some("SECS"),
        help: "time limit of one run; a run still going is stopped (default: 3600)",
        action: FlagAction::Timeout,
    },
    FlagDef {
        short: None,
        long: "catch-up",
        value: Some("MINUTES"),
        help: "after a forward clock jump of at most this many minutes, run each missed line once (default: 60)",
        action: FlagAction::CatchUp,
    },
    FlagDef {
        short: Some('V'),
        long: "version",
        value: None,
        help: "print the version",
        action: FlagAction::Version,
    },
    FlagDef {
        short: Some('h'),
        long: "help",
        value: None,
        help: "print this help",
        action: FlagAction::Help,
    },
];

/// What piktd was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run the daemon.
    Run,
    /// Check piktd.conf and exit.
    Check,
    /// Print the help.
    Help,
    /// Print the version.
    Version,
}

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// What to do.
    pub mode: Mode,
    /// `-G`.
    pub debug: bool,
    /// `-T`.
    pub test: bool,
    /// `--piktdir`.
    pub piktdir: Option<PathBuf>,
    /// `--conf`.
    pub conf: Option<PathBuf>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--catch-up`.
    pub catch_up: Option<u32>,
}

/// Parses argv (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    let mut invocation = Invocation {
        mode: Mode::Run,
        debug: false,
        test: false,
        piktdir: None,
        conf: None,
        timeout: None,
        catch_up: None,
    };
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (long, None),
            };
            let flag = FLAGS
                .iter()
                .find(|f| f.long == name)
                .ok_or_else(|| format!("unknown option `--{name}`"))?;
            let value = match (flag.value, inline) {
                (Some(_), Some(value)) => Some(value),
                (Some(_), None) => Some(
                    words
                        .next()
                        .cloned()
                        .ok_or_else(|| format!("`--{name}` needs a value"))?,
                ),
                (None, Some(_)) => return Err(format!("`--{name}` takes no value")),
                (None, None) => None,
            };
            apply(&mut invocation, flag, value)?;
        } else if let Some(letters) = word.strip_prefix('-').filter(|l| !l.is_empty()) {
            for letter in letters.chars() {
                let flag = FLAGS
                    .iter()
                    .find(|f| f.short == Some(letter))
                    .ok_or_else(|| format!("unknown flag `-{letter}`"))?;
                apply(&mut invocation, flag, None)?;
            }
        } else {
            return Err(format!("unexpected argument `{word}`"));
        }
    }
    Ok(invocation)
}

fn apply(invocation: &mut Invocation, flag: &FlagDef, value: Option<String>) -> Result<(), String> {
    let value = value.unwrap_or_default();
    match flag.action {
        FlagAction::Foreground => {}
        FlagAction::Debug => invocation.debug = true,
        FlagAction::Test => invocation.test = true,
        FlagAction::Check => invocation.mode = Mode::Check,
        FlagAction::Version => invocation.mode = Mode::Version,
        FlagAction::Help => invocation.mode = Mode::Help,
        FlagAction::PiktDir => invocation.piktdir = Some(PathBuf::from(value)),
        FlagAction::Conf => invocation.conf = Some(PathBuf::from(value)),
        FlagAction::Timeout => match value.parse::<u64>() {
            Ok(secs) if secs >= 1 => invocation.timeout = Some(Duration::from_secs(secs)),
            _ => {
                return Err(format!(
                    "`--timeout` needs a whole number of seconds, at least 1, not `{value}`"
                ))
            }
        },
        FlagAction::CatchUp => match value.parse::<u32>() {
            Ok(minutes) => invocation.catch_up = Some(minutes),
            Err(_) => {
                return Err(format!(
                    "`--catch-up` needs a whole number of minutes, not `{value}`"
                ))
            }
        },
    }
    Ok(())
}

/// The `-h` text, made from [`FLAGS`].
pub fn help() -> String {
    let mut out = String::from(
        "piktd: the PIKT scheduler. Runs the alerts in piktd.conf at their times.\n\n\
         usage: piktd [-fGTzVh] [--piktdir DIR] [--conf FILE] [--timeout SECS] [--catch-up MINUTES]\n\n\
         options:\n",
    );
    for flag in FLAGS {
        let short = flag
            .short
            .map_or_else(|| "    ".to_owned(), |c| format!("-{c}, "));
        let long = match flag.value {
            Some(value) => format!("--{} {value}", flag.long),
            None => format!("--{}", flag.long),
        };
        let _ = writeln!(out, "  {short}{long:<20} {}", flag.help);
    }
    out.push_str(
        "\nsignals: SIGHUP rereads piktd.conf and reopens the log; SIGTERM stops the runs and exits.\n\
         exit status: 0 stopped cleanly or check passed, 1 cannot start or check found errors,\n\
         2 bad command line, 3 another piktd runs for this installation.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn combined_letters_and_long_values() {
        let inv = parse(&args(&[
            "-fGT",
            "--piktdir",
            "/p",
            "--timeout=30",
            "--catch-up",
            "0",
        ]));
        assert_eq!(
            inv,
            Ok(Invocation {
                mode: Mode::Run,
                debug: true,
                test: true,
                piktdir: Some(PathBuf::from("/p")),
                conf: None,
                timeout: Some(Duration::from_secs(30)),
                catch_up: Some(0),
            })
        );
    }

    #[test]
    fn modes() {
        assert_eq!(parse(&args(&["-z"])).map(|i| i.mode), Ok(Mode::Check));
        assert_eq!(parse(&args(&["-V"])).map(|i| i.mode), Ok(Mode::Version));
        assert_eq!(parse(&args(&["--help"])).map(|i| i.mode), Ok(Mode::Help));
        assert_eq!(parse(&[]).map(|i| i.mode), Ok(Mode::Run));
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&args(&["-x"])), Err("unknown flag `-x`".to_owned()));
        assert_eq!(
            parse(&args(&["--nope"])),
            Err("unknown option `--nope`".to_owned())
        );
        assert_eq!(
            parse(&args(&["--conf"])),
            Err("`--conf` needs a value".to_owned())
        );
        assert_eq!(
            parse(&args(&["--debug=1"])),
            Err("`--debug` takes no value".to_owned())
        );
        assert_eq!(
            parse(&args(&["--timeout", "0"])),
            Err("`--timeout` needs a whole number of seconds, at least 1, not `0`".to_owned())
        );
        assert_eq!(
            parse(&args(&["run"])),
            Err("unexpected argument `run`".to_owned())
        );
    }

    #[test]
    fn help_lists_every_flag() {
        let text = help();
        for flag in FLAGS {
            assert!(text.contains(&format!("--{}", flag.long)), "{}", flag.long);
        }
    }
}
