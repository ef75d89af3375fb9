//! piktd's command line, read with the one PIKT-style tokenizer from its
//! table ([`pikt_cli::tables::PIKTD`]) into an [`Invocation`] (what to do,
//! with validated values).

use std::path::PathBuf;
use std::time::Duration;

use pikt_cli::tables::{PiktdFlag as F, PIKTD};
use pikt_cli::{tokenize, Token, UsageError};
use pikt_config::SiteFlags;

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
    /// `--piktdir`, `--host`.
    pub site: SiteFlags,
    /// `--conf`.
    pub conf: Option<PathBuf>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--catch-up`.
    pub catch_up: Option<u32>,
}

/// Parses argv (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, UsageError> {
    let mut invocation = Invocation {
        mode: Mode::Run,
        debug: false,
        test: false,
        site: SiteFlags::default(),
        conf: None,
        timeout: None,
        catch_up: None,
    };
    for token in tokenize(&PIKTD, args)? {
        let Token::Flag(given) = token else { continue };
        let value = given.value.unwrap_or_default();
        match given.id {
            F::Foreground => {}
            F::Debug => invocation.debug = true,
            F::Test => invocation.test = true,
            F::Check if invocation.mode == Mode::Run => invocation.mode = Mode::Check,
            F::Version if invocation.mode != Mode::Help => invocation.mode = Mode::Version,
            F::Help => invocation.mode = Mode::Help,
            F::PiktDir => invocation.site.piktdir = Some(PathBuf::from(value)),
            F::Host => invocation.site.host = Some(value),
            F::Conf => invocation.conf = Some(PathBuf::from(value)),
            F::Timeout => match value.parse::<u64>() {
                Ok(secs) if secs >= 1 => invocation.timeout = Some(Duration::from_secs(secs)),
                _ => {
                    return Err(UsageError::new(format!(
                        "`--timeout` needs a whole number of seconds, at least 1, not `{value}`"
                    )))
                }
            },
            F::CatchUp => match value.parse::<u32>() {
                Ok(minutes) => invocation.catch_up = Some(minutes),
                Err(_) => {
                    return Err(UsageError::new(format!(
                        "`--catch-up` needs a whole number of minutes, not `{value}`"
                    )))
                }
            },
            F::Check | F::Version => {}
        }
    }
    Ok(invocation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn error(words: &[&str]) -> String {
        parse(&args(words))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn combined_letters_and_long_values() {
        let inv = parse(&args(&[
            "-fGT",
            "--piktdir",
            "/p",
            "--host=web1",
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
                site: SiteFlags {
                    piktdir: Some(PathBuf::from("/p")),
                    host: Some("web1".into()),
                },
                conf: None,
                timeout: Some(Duration::from_secs(30)),
                catch_up: Some(0),
            })
        );
    }

    #[test]
    fn modes() {
        let mode = |w: &[&str]| parse(&args(w)).map(|i| i.mode);
        assert_eq!(mode(&["-z"]), Ok(Mode::Check));
        assert_eq!(mode(&["-V"]), Ok(Mode::Version));
        assert_eq!(mode(&["--help"]), Ok(Mode::Help));
        assert_eq!(mode(&["-h", "-V"]), Ok(Mode::Help));
        assert_eq!(mode(&[]), Ok(Mode::Run));
    }

    #[test]
    fn errors() {
        assert_eq!(error(&["-x"]), "unknown flag `-x`");
        assert_eq!(error(&["--nope"]), "unknown option `--nope`");
        assert_eq!(
            error(&["--timout", "5"]),
            "unknown option `--timout` (did you mean `--timeout`?)"
        );
        assert_eq!(error(&["--conf"]), "`--conf` needs a value (FILE)");
        assert_eq!(error(&["--debug=1"]), "`--debug` takes no value");
        assert_eq!(
            error(&["--timeout", "0"]),
            "`--timeout` needs a whole number of seconds, at least 1, not `0`"
        );
        assert_eq!(error(&["run"]), "unexpected argument `run`");
    }
}
