//! piktc's command line: the tokens of [`pikt_cli::tables::PIKTC`] turned
//! into a [`Request`], checking which flags go together.

use pikt_cli::tables::{PiktcFlag as F, PIKTC};
use pikt_cli::{tokenize, Given, Token, UsageError};
use pikt_config::selection::{ItemKind, ItemSelection, Selector};

use crate::plan::{DaemonAction, DigestKind};
use crate::request::{Change, Operation, Pause, Request};

/// Parses argv (without the program name). `stdin_is_terminal` tells
/// whether `-p` (wait for Enter) can work.
pub fn parse(args: &[String], stdin_is_terminal: bool) -> Result<Request, UsageError> {
    let tokens = tokenize(&PIKTC, args)?;
    let mut flags: Vec<Given<F>> = Vec::new();
    let mut request = Request::new(Operation::Help);
    request.argv = args.to_vec();
    for token in tokens {
        match token {
            Token::Flag(given) => {
                if !select(&mut request, &given)? {
                    flags.push(given);
                }
            }
            Token::Operand(word) if word == "ALL" => all_keyword(&mut request),
            Token::Operand(word) => {
                return Err(UsageError::new(format!("unexpected argument `{word}`")))
            }
            Token::Rest(_) => {}
        }
    }
    let has = |id: F| flags.iter().any(|g| g.id == id);
    request.test_mode = has(F::Test);
    request.verbose = has(F::Verbose);
    request.refresh = has(F::Refresh);
    request.debug = has(F::Debug);
    request.urgent = has(F::Urgent);
    for given in &flags {
        match given.id {
            F::PiktDir => request.site.piktdir = given.value.clone().map(Into::into),
            F::Jobs => request.jobs = Some(jobs(given)?),
            F::Timeout => request.timeout = Some(timeout(given.value.as_deref().unwrap_or(""))?),
            F::Host => request.site.host.clone_from(&given.value),
            F::Pause => {
                request.pause = Some(match given.digits {
                    Some(seconds) => Pause::Seconds(seconds),
                    None if stdin_is_terminal => Pause::Enter,
                    None => {
                        return Err(UsageError::new(
                            "`-p` waits for Enter between hosts, but standard input is not a terminal: give seconds, `-p5`",
                        ))
                    }
                })
            }
            _ => {}
        }
    }
    request.operation = operation(&flags)?;
    check(&request, &flags)?;
    Ok(request)
}

/// Records a selector's words; false when `given` is not a selector.
fn select(request: &mut Request, given: &Given<F>) -> Result<bool, UsageError> {
    let plus = !given.minus;
    let kind = match given.id {
        F::Alert => ItemKind::Alert,
        F::Script => ItemKind::Script,
        F::Program => ItemKind::Program,
        F::File => ItemKind::File,
        F::Object => ItemKind::Object,
        F::Hosts => {
            request
                .hosts
                .extend(given.words.iter().map(|w| (plus, w.clone())));
            return Ok(true);
        }
        F::Define => {
            request
                .defines
                .extend(given.words.iter().map(|w| (w.clone(), plus)));
            return Ok(true);
        }
        F::MacroText => {
            request.macro_texts.extend(given.words.iter().cloned());
            return Ok(true);
        }
        F::Command => {
            request.commands.extend(given.words.iter().cloned());
            return Ok(true);
        }
        F::Env => {
            for word in &given.words {
                request.env.push(env_setting(plus, word)?);
            }
            return Ok(true);
        }
        _ => return Ok(false),
    };
    for word in &given.words {
        let selector = Selector {
            add: plus,
            kind,
            name: word.clone(),
        };
        if given.suffix {
            request.forced.selectors.push(selector.clone());
        }
        request.items.selectors.push(selector);
    }
    Ok(true)
}

/// `-j#`: at least one host at a time.
fn jobs(given: &Given<F>) -> Result<usize, UsageError> {
    match given.digits {
        Some(n) if n > 0 => Ok(n as usize),
        _ => Err(UsageError::new(
            "`-j` needs the number of hosts to work on at once, glued to it: `-j8`",
        )),
    }
}

/// `--timeout SECONDS`: a whole number of seconds, at least 1.
fn timeout(value: &str) -> Result<u64, UsageError> {
    value.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
        UsageError::new(format!(
            "`--timeout` takes a whole number of seconds (at least 1), not `{value}`"
        ))
    })
}

fn env_setting(plus: bool, word: &str) -> Result<(String, Option<String>), UsageError> {
    if !plus {
        return Ok((word.to_string(), None));
    }
    let (name, value) = word
        .split_once('=')
        .ok_or_else(|| UsageError::new(format!("`+E {word}`: write `+E name=value`")))?;
    Ok((name.to_string(), Some(value.to_string())))
}

/// `ALL`: every alert, program, file and object.
fn all_keyword(request: &mut Request) {
    for kind in [
        ItemKind::Alert,
        ItemKind::Program,
        ItemKind::File,
        ItemKind::Object,
    ] {
        request.items.selectors.push(Selector {
            add: true,
            kind,
            name: "all".into(),
        });
    }
}

/// The one operation the flags ask for.
fn operation(flags: &[Given<F>]) -> Result<Operation, UsageError> {
    let has = |id: F| flags.iter().any(|g| g.id == id);
    if has(F::Help) {
        return Ok(Operation::Help);
    }
    if has(F::Version) {
        return Ok(Operation::Version);
    }
    let mut chosen: Vec<(String, Operation)> = Vec::new();
    if let Some(change) = change(flags)? {
        let names: Vec<String> = flags
            .iter()
            .filter(|g| is_change(g.id))
            .map(|g| g.spelled.clone())
            .collect();
        chosen.push((names.join("/"), Operation::Change(change)));
    }
    for given in flags {
        let op = match given.id {
            F::Check | F::DoubleCheck | F::MakeCheck => Operation::Check,
            F::List => Operation::List,
            F::ListAll => Operation::ListAll,
            F::ExpandHosts => Operation::ExpandHosts,
            F::ExpandMacros => Operation::ExpandMacros,
            F::Render => Operation::Render,
            F::Explain => explain_target(given.value.as_deref().unwrap_or(""))?,
            F::Status => Operation::Status,
            F::Diff => Operation::Diff,
            F::View => Operation::View,
            F::ViewMaster => Operation::ViewMaster,
            F::Checksum => Operation::Checksum(checksum_level(given)?),
            F::ApplyBundle => Operation::ApplyBundle,
            F::Complete => complete_kind(given.value.as_deref().unwrap_or(""))?,
            _ => continue,
        };
        if !chosen.iter().any(|(_, o)| *o == op) {
            chosen.push((given.spelled.clone(), op));
        }
    }
    match chosen.len() {
        0 => Err(UsageError::new("no operation given (try `piktc --help`)")),
        1 => Ok(chosen.remove(0).1),
        _ => {
            let names: Vec<String> = chosen.into_iter().map(|(n, _)| n).collect();
            Err(UsageError::new(format!(
                "choose one operation, not `{}`",
                names.join("` and `")
            )))
        }
    }
}

fn is_change(id: F) -> bool {
    matches!(
        id,
        F::Install
            | F::Enable
            | F::Disable
            | F::Delete
            | F::Restore
            | F::Exec
            | F::ExecNoWait
            | F::RestartPiktd
            | F::StopPiktd
            | F::Bootstrap
    )
}

/// The change the flags ask for, if any, checking which combine.
fn change(flags: &[Given<F>]) -> Result<Option<Change>, UsageError> {
    let has = |id: F| flags.iter().any(|g| g.id == id);
    let conflicts = [
        (F::Enable, F::Disable, "`-e` and `-d`"),
        (F::Exec, F::ExecNoWait, "`-x` and `-X`"),
        (F::RestartPiktd, F::StopPiktd, "`-r` and `-k`"),
        (F::Install, F::Restore, "`-i` and `-B`"),
        (F::Delete, F::Restore, "`-t` and `-B`"),
    ];
    for (a, b, names) in conflicts {
        if has(a) && has(b) {
            return Err(UsageError::new(format!("{names} cannot be combined")));
        }
    }
    if !flags.iter().any(|g| is_change(g.id)) {
        return Ok(None);
    }
    Ok(Some(Change {
        install: has(F::Install),
        enable: has(F::Enable),
        disable: has(F::Disable),
        delete: has(F::Delete),
        backup: has(F::Backup),
        restore: has(F::Restore),
        exec: if has(F::Exec) {
            Some(true)
        } else if has(F::ExecNoWait) {
            Some(false)
        } else {
            None
        },
        daemon: if has(F::RestartPiktd) {
            Some(DaemonAction::Restart)
        } else if has(F::StopPiktd) {
            Some(DaemonAction::Stop)
        } else {
            None
        },
        dry_run: has(F::DryRun),
        bootstrap: has(F::Bootstrap),
    }))
}

/// `-m` (SHA-256) or `-m#`, PIKT's checksum level # from 1 to 5, as
/// `$checksum` has them (pikt-checksum): 1 BSD sum, 2 System V sum,
/// 3 cksum, 4 MD4, 5 MD5.
fn checksum_level(given: &Given<F>) -> Result<DigestKind, UsageError> {
    match given.digits {
        None => Ok(DigestKind::Sha256),
        Some(level @ 1..=5) => Ok(DigestKind::Level(u8::try_from(level).unwrap_or(5))),
        Some(level) => Err(UsageError::new(format!(
            "`-m{level}`: the checksum levels are 1 to 5 (1 BSD sum, 2 System V sum, 3 cksum, 4 MD4, 5 MD5), or `-m` alone for SHA-256"
        ))),
    }
}

/// `--complete KIND`: one of the kinds [`pikt_cli::Complete::NAMED`] names.
fn complete_kind(value: &str) -> Result<Operation, UsageError> {
    pikt_cli::Complete::from_name(value)
        .map(Operation::Complete)
        .ok_or_else(|| {
            let kinds: Vec<&str> = pikt_cli::Complete::NAMED
                .iter()
                .filter_map(|k| k.name())
                .collect();
            UsageError::new(format!(
                "`--complete {value}`: KIND is one of {}",
                kinds.join(", ")
            ))
        })
}

fn explain_target(value: &str) -> Result<Operation, UsageError> {
    let bad = || {
        UsageError::new(format!(
            "`--explain` needs FILE:LINE, e.g. `objects.cfg:12`, not `{value}`"
        ))
    };
    let (file, line) = value.rsplit_once(':').ok_or_else(bad)?;
    let line: usize = line.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
    if file.is_empty() {
        return Err(bad());
    }
    Ok(Operation::Explain {
        file: file.to_string(),
        line,
    })
}

/// The combinations of flags and selectors that make no sense.
fn check(request: &Request, flags: &[Given<F>]) -> Result<(), UsageError> {
    let has = |id: F| flags.iter().any(|g| g.id == id);
    let change = match &request.operation {
        Operation::Change(change) => Some(change),
        _ => None,
    };
    if has(F::DryRun) && change.is_none() {
        return Err(UsageError::new(
            "`-n` goes with a change: -i, -e, -d, -t, -B, -x, -X, -r or -k",
        ));
    }
    if has(F::Backup) && !change.is_some_and(|c| c.install || c.delete) {
        return Err(UsageError::new("`-b` goes with `-i` or `-t`"));
    }
    let exec = change.is_some_and(|c| c.exec.is_some());
    if exec && request.commands.is_empty() {
        return Err(UsageError::new(
            "`-x`/`-X` need the commands to run: `piktc -x +C \"uptime\" +H all`",
        ));
    }
    if !exec && !request.commands.is_empty() {
        return Err(UsageError::new("`+C` commands go with `-x` or `-X`"));
    }
    if request.operation == Operation::ExpandMacros && request.macro_texts.is_empty() {
        return Err(UsageError::new(
            "`-M` needs texts to expand: `piktc -M +M \"=name\"`",
        ));
    }
    if request.pause.is_some() && !request.operation.reaches_hosts() {
        return Err(UsageError::new(
            "`-p` pauses between hosts: it goes with a change, -s, -f, -w or -m",
        ));
    }
    if (request.jobs.is_some() || request.timeout.is_some()) && !request.operation.reaches_hosts() {
        return Err(UsageError::new(
            "`-j` and `--timeout` shape a run on hosts: they go with a change, -s, -f, -w or -m",
        ));
    }
    if change.is_some_and(|c| {
        c.bootstrap && (c.disable || c.delete || c.restore || c.daemon == Some(DaemonAction::Stop))
    }) {
        return Err(UsageError::new(
            "`--bootstrap` installs, enables and starts: it does not go with -d, -t, -B or -k",
        ));
    }
    if change.is_some_and(|c| c.bootstrap) && request.hosts.is_empty() {
        return Err(UsageError::new(
            "`--bootstrap` brings other hosts in: name them with `+H`",
        ));
    }
    if request.operation == Operation::Status {
        status_selection(&request.items)?;
    }
    Ok(())
}

/// `-s` reads piktd's files on the hosts, not the configuration: it takes
/// alert names only.
fn status_selection(items: &ItemSelection) -> Result<(), UsageError> {
    for sel in &items.selectors {
        let sign = if sel.add { '+' } else { '-' };
        if sel.kind != ItemKind::Alert {
            return Err(UsageError::new(format!(
                "`-s` shows alerts only: `{sign}{} {}` does not go with it",
                sel.kind.letter(),
                sel.name
            )));
        }
        if sel.name.starts_with('=') {
            return Err(UsageError::new(format!(
                "`-s` reads no configuration, so `{sign}A {}` cannot be expanded: name the alerts",
                sel.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    fn request(list: &[&str]) -> Request {
        parse(&args(list), true).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(list: &[&str]) -> String {
        parse(&args(list), false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn changes_combine() {
        let r = request(&[
            "-ixvp15",
            "+Af",
            "Urgent",
            "+O",
            "all",
            "+C",
            "=newaliases",
            "+H",
            "all",
            "-H",
            "down",
        ]);
        let Operation::Change(change) = &r.operation else {
            panic!("{:?}", r.operation)
        };
        assert!(change.install && change.exec == Some(true) && !change.dry_run);
        assert!(r.verbose);
        assert_eq!(r.pause, Some(Pause::Seconds(15)));
        assert_eq!(r.commands, ["=newaliases"]);
        assert_eq!(
            r.hosts,
            [(true, "all".to_string()), (false, "down".to_string())]
        );
        assert_eq!(r.items.selectors.len(), 2);
        assert_eq!(r.forced.selectors.len(), 1);
        assert_eq!(r.forced.selectors[0].name, "Urgent");
    }

    #[test]
    fn queries_and_levels() {
        assert_eq!(
            request(&["-m"]).operation,
            Operation::Checksum(DigestKind::Sha256)
        );
        assert_eq!(
            request(&["-m4", "+A", "all"]).operation,
            Operation::Checksum(DigestKind::Level(4))
        );
        assert_eq!(
            request(&["-m1"]).operation,
            Operation::Checksum(DigestKind::Level(1))
        );
        assert_eq!(request(&["-C"]).operation, Operation::Check);
        assert_eq!(request(&["-z"]).operation, Operation::Check);
        assert_eq!(request(&["-cU"]).operation, Operation::Check);
        assert_eq!(request(&["-c", "-C"]).operation, Operation::Check);
        assert_eq!(request(&["-fv", "+F", "motd"]).operation, Operation::Diff);
        assert_eq!(
            request(&["-k"]).operation,
            Operation::Change(Change {
                daemon: Some(DaemonAction::Stop),
                ..Change::default()
            })
        );
        let r = request(&["--render", "--piktdir=/p", "--host", "moscow"]);
        assert_eq!(r.operation, Operation::Render);
        assert_eq!(r.site.piktdir.as_deref(), Some(std::path::Path::new("/p")));
        assert_eq!(r.site.host.as_deref(), Some("moscow"));
        assert_eq!(request(&["-l", "ALL"]).items.selectors.len(), 4);
        assert_eq!(request(&["-p", "-s"]).pause, Some(Pause::Enter));
    }

    #[test]
    fn usage_errors() {
        assert_eq!(error(&["-cq"]), "unknown flag `-q` in `-cq`");
        assert_eq!(
            error(&["-c", "-l"]),
            "choose one operation, not `-c` and `-l`"
        );
        assert_eq!(
            error(&["-ed", "+A", "all"]),
            "`-e` and `-d` cannot be combined"
        );
        assert_eq!(
            error(&["-iB", "+A", "all"]),
            "`-i` and `-B` cannot be combined"
        );
        assert_eq!(error(&["stray"]), "unexpected argument `stray`");
        assert_eq!(error(&["-v"]), "no operation given (try `piktc --help`)");
        assert_eq!(
            error(&["-x"]),
            "`-x`/`-X` need the commands to run: `piktc -x +C \"uptime\" +H all`"
        );
        assert_eq!(
            error(&["-i", "+A", "x", "+C", "ls"]),
            "`+C` commands go with `-x` or `-X`"
        );
        assert_eq!(error(&["-bs"]), "`-b` goes with `-i` or `-t`");
        assert_eq!(
            error(&["-nl"]),
            "`-n` goes with a change: -i, -e, -d, -t, -B, -x, -X, -r or -k"
        );
        assert_eq!(
            error(&["-m6"]),
            "`-m6`: the checksum levels are 1 to 5 (1 BSD sum, 2 System V sum, 3 cksum, 4 MD4, 5 MD5), or `-m` alone for SHA-256"
        );
        assert!(error(&["-ps"]).starts_with("`-p` waits for Enter"));
        assert_eq!(
            error(&["-K"]),
            "`-K` is not supported: piktc reaches hosts over ssh and runs their own piktc there; there is no piktc_svc daemon"
        );
        assert_eq!(
            error(&["--chek"]),
            "unknown option `--chek` (did you mean `--check`?)"
        );
        assert_eq!(
            error(&["-s", "+O", "ProcCounts"]),
            "`-s` shows alerts only: `+O ProcCounts` does not go with it"
        );
        assert_eq!(
            error(&["-c", "+Ename=x"]),
            "`+Ename=x`: put a space between `+E` and its words"
        );
    }
}
