//! piktc's command line: every flag defined once, in [`FLAGS`] and
//! [`SELECTORS`], with its help text; [`parse`] turns argv into [`LowArgs`]
//! (what was written) and [`LowArgs::into_hi`] into [`HiArgs`] (what to do).
//!
//! PIKT's syntax is not getopt's: single-letter flags combine (`-iv`), and
//! `+X`/`-X` selectors take every following word up to the next option
//! (`+H all -H down`), so the parser is written by hand rather than with
//! clap (which cannot parse `+X` options).

use std::fmt::Write as _;
use std::path::PathBuf;

use pikt_config::ops::{self, exit, LocalRequest, Operation, Outcome, Request, RunEnv};
use pikt_config::selection::{ItemKind, ItemSelection, Selector};
use pikt_config::status::{self, PiktdProbe};
use pikt_config::Layout;
use pikt_preproc::RealHost;

/// What a flag does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagAction {
    /// `-c`: check every config file for every selected host.
    Check,
    /// `-i`: install items on the local host.
    Install,
    /// `-e`: enable alerts (piktd.conf lines).
    Enable,
    /// `-d`: disable alerts.
    Disable,
    /// `-t`: delete items and their history and logs.
    Delete,
    /// `-l`: list items.
    List,
    /// `-L`: expand host specs.
    ExpandHosts,
    /// `-M`: expand macros.
    ExpandMacros,
    /// `-Z`: list every config element.
    ListAll,
    /// `-s`: show piktd's state and the alerts' status (local host).
    Status,
    /// `--render`: print every rendered file of a host.
    Render,
    /// `--explain FILE:LINE`.
    Explain,
    /// `-I`: run the regenerating commands of includes.
    Refresh,
    /// `-T`: test mode.
    Test,
    /// `-v`: verbose.
    Verbose,
    /// `-n`/`--dry-run`: show what would change.
    DryRun,
    /// `-V`: version.
    Version,
    /// `-h`: help.
    Help,
    /// `--piktdir DIR`.
    PiktDir,
    /// `--host NAME`.
    Host,
}

/// One flag: its letter and/or long name, the value it takes, its help.
#[derive(Clone, Copy, Debug)]
pub struct FlagDef {
    /// The single letter (`-c`), if any.
    pub short: Option<char>,
    /// The long name without `--`, if any.
    pub long: Option<&'static str>,
    /// The name of its value in help, when it takes one.
    pub value: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
    /// What it does.
    pub action: FlagAction,
}

const fn flag(
    short: Option<char>,
    long: Option<&'static str>,
    value: Option<&'static str>,
    help: &'static str,
    action: FlagAction,
) -> FlagDef {
    FlagDef {
        short,
        long,
        value,
        help,
        action,
    }
}

/// Every flag.
pub const FLAGS: &[FlagDef] = &[
    flag(Some('c'), Some("check"), None, "check every config file for every selected host (all hosts by default)", FlagAction::Check),
    flag(Some('i'), Some("install"), None, "install the selected items on the local host", FlagAction::Install),
    flag(Some('e'), Some("enable"), None, "enable the selected alerts: write their piktd.conf lines", FlagAction::Enable),
    flag(Some('d'), Some("disable"), None, "disable the selected alerts: remove their piktd.conf lines", FlagAction::Disable),
    flag(Some('t'), Some("delete"), None, "delete the selected items and their history and log files", FlagAction::Delete),
    flag(Some('l'), Some("list"), None, "list the selected items (all by default) and where they go", FlagAction::List),
    flag(Some('L'), Some("expand-hosts"), None, "print the hosts that the +H/-H names denote", FlagAction::ExpandHosts),
    flag(Some('M'), Some("expand-macros"), None, "print the +M texts with the host's macros expanded", FlagAction::ExpandMacros),
    flag(Some('Z'), Some("list-all"), None, "list every config element as the host sees it", FlagAction::ListAll),
    flag(Some('s'), Some("status"), None, "show whether piktd runs, and each alert's timing, activity and last run (local host)", FlagAction::Status),
    flag(None, Some("render"), None, "print every file the host would get (alarm scripts, objects, programs, files, piktd.conf lines)", FlagAction::Render),
    flag(None, Some("explain"), Some("FILE:LINE"), "show which #if/#ifdef branches made the host's output lines from FILE:LINE", FlagAction::Explain),
    flag(Some('I'), Some("refresh"), None, "run the regenerating commands of #include/#verbatim \"file\" [cmd] and #exec \"/dev/null\" [cmd]", FlagAction::Refresh),
    flag(Some('T'), Some("test"), None, "test mode: set the define `pikttest`; piktd.conf lines run `pikt -T`", FlagAction::Test),
    flag(Some('n'), Some("dry-run"), None, "with -i/-e/-d/-t: show what would change, change nothing", FlagAction::DryRun),
    flag(Some('v'), Some("verbose"), None, "say what is done", FlagAction::Verbose),
    flag(None, Some("piktdir"), Some("DIR"), "the PIKT tree (default: $PIKT_DIR, else /etc/pikt)", FlagAction::PiktDir),
    flag(None, Some("host"), Some("NAME"), "the local host's name (default: $PIKT_HOST, else the system host name)", FlagAction::Host),
    flag(Some('V'), Some("version"), None, "print the version", FlagAction::Version),
    flag(Some('h'), Some("help"), None, "print this help", FlagAction::Help),
];

/// PIKT flags this piktc does not have yet, with what they do.
pub const NOT_YET: &[(char, &str)] = &[
    ('b', "back up target files"),
    ('B', "restore from backup"),
    ('C', "doublecheck with pikt -C"),
    ('f', "diff installed items"),
    ('G', "debug trace"),
    ('k', "kill piktd on slaves"),
    ('K', "kill piktc_svc on slaves"),
    ('m', "checksum items"),
    ('p', "install PIKT.conf / pause between hosts"),
    ('r', "restart piktd"),
    ('R', "restart piktc_svc"),
    ('w', "view the file on a slave"),
    ('W', "view the master version"),
    ('x', "execute commands on slaves"),
    ('X', "execute without waiting"),
    ('z', "make-check mode"),
];

/// What a selector collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorTarget {
    /// Items of a kind.
    Item(ItemKind),
    /// Hosts.
    Host,
    /// Defines (`+D` set, `-D` unset).
    Define,
    /// Macro texts for `-M`.
    MacroText,
    /// Commands for `-x` (accepted, not used yet).
    Command,
    /// Environment settings `name=value` (`-E name` unsets).
    Env,
}

/// One selector letter.
#[derive(Clone, Copy, Debug)]
pub struct SelectorDef {
    /// The letter after `+`/`-`.
    pub letter: char,
    /// Whether `-X` exists besides `+X`.
    pub minus: bool,
    /// The help line.
    pub help: &'static str,
    /// What it collects.
    pub target: SelectorTarget,
}

/// Every `+X`/`-X` selector.
pub const SELECTORS: &[SelectorDef] = &[
    SelectorDef {
        letter: 'A',
        minus: true,
        help: "alerts (names, `all`, `=macro`)",
        target: SelectorTarget::Item(ItemKind::Alert),
    },
    SelectorDef {
        letter: 'S',
        minus: true,
        help: "single alarm scripts",
        target: SelectorTarget::Item(ItemKind::Script),
    },
    SelectorDef {
        letter: 'P',
        minus: true,
        help: "programs",
        target: SelectorTarget::Item(ItemKind::Program),
    },
    SelectorDef {
        letter: 'F',
        minus: true,
        help: "files",
        target: SelectorTarget::Item(ItemKind::File),
    },
    SelectorDef {
        letter: 'O',
        minus: true,
        help: "object sets",
        target: SelectorTarget::Item(ItemKind::Object),
    },
    SelectorDef {
        letter: 'H',
        minus: true,
        help: "hosts, aliases, groups, os names, `all` (in order: `+H all -H down`)",
        target: SelectorTarget::Host,
    },
    SelectorDef {
        letter: 'D',
        minus: true,
        help: "set (+D) or unset (-D) defines",
        target: SelectorTarget::Define,
    },
    SelectorDef {
        letter: 'M',
        minus: false,
        help: "texts to expand with -M, e.g. +M \"=ps\"",
        target: SelectorTarget::MacroText,
    },
    SelectorDef {
        letter: 'C',
        minus: false,
        help: "commands for -x (remote execution, not yet supported)",
        target: SelectorTarget::Command,
    },
    SelectorDef {
        letter: 'E',
        minus: true,
        help: "environment for preprocessing: +E name=value, -E name",
        target: SelectorTarget::Env,
    },
];

/// A wrong command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// The command line as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LowArgs {
    /// Flags in order.
    pub flags: Vec<FlagAction>,
    /// `--piktdir`.
    pub piktdir: Option<PathBuf>,
    /// `--host`.
    pub host: Option<String>,
    /// `--explain`'s value.
    pub explain: Option<String>,
    /// `+X`/`-X` words in order: (plus, letter, word).
    pub selections: Vec<(bool, char, String)>,
    /// The trailing `ALL` keyword.
    pub all_keyword: bool,
}

/// Parses argv (without the program name).
pub fn parse(args: &[String]) -> Result<LowArgs, UsageError> {
    let mut low = LowArgs::default();
    let mut current: Option<(bool, char)> = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if let Some(long) = arg.strip_prefix("--") {
            current = None;
            i += parse_long(long, args.get(i), &mut low)?;
        } else if let Some((plus, letter)) = selector_token(arg) {
            current = Some((plus, letter));
            if arg.len() > 2 {
                return Err(UsageError(format!(
                    "`{arg}`: put a space between `{}` and its names",
                    &arg[..2]
                )));
            }
        } else if arg.starts_with('-') && arg.len() > 1 {
            current = None;
            parse_cluster(arg, &mut low)?;
        } else if arg == "ALL" && current.is_none() {
            low.all_keyword = true;
        } else if let Some((plus, letter)) = current {
            low.selections.push((plus, letter, arg.clone()));
        } else {
            return Err(UsageError(format!("unexpected argument `{arg}`")));
        }
    }
    Ok(low)
}

/// `+X...` / `-X` where X is a selector letter.
fn selector_token(arg: &str) -> Option<(bool, char)> {
    let mut chars = arg.chars();
    let plus = match chars.next()? {
        '+' => true,
        '-' => false,
        _ => return None,
    };
    let letter = chars.next()?;
    let def = SELECTORS.iter().find(|s| s.letter == letter)?;
    if !plus && (!def.minus || arg.len() > 2) {
        return None;
    }
    Some((plus, letter))
}

/// `--name` or `--name=value`; returns how many extra args were used.
fn parse_long(long: &str, next: Option<&String>, low: &mut LowArgs) -> Result<usize, UsageError> {
    let (name, inline) = match long.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (long, None),
    };
    let def = FLAGS
        .iter()
        .find(|f| f.long == Some(name))
        .ok_or_else(|| UsageError(format!("unknown option `--{name}`")))?;
    let Some(value_name) = def.value else {
        if inline.is_some() {
            return Err(UsageError(format!("`--{name}` takes no value")));
        }
        low.flags.push(def.action);
        return Ok(0);
    };
    let (value, used) = match inline {
        Some(v) => (v, 0),
        None => (
            next.cloned()
                .ok_or_else(|| UsageError(format!("`--{name}` needs a value ({value_name})")))?,
            1,
        ),
    };
    match def.action {
        FlagAction::PiktDir => low.piktdir = Some(PathBuf::from(value)),
        FlagAction::Host => low.host = Some(value),
        _ => {
            low.explain = Some(value);
            low.flags.push(def.action);
        }
    }
    Ok(used)
}

/// `-iv`: each letter is a flag.
fn parse_cluster(arg: &str, low: &mut LowArgs) -> Result<(), UsageError> {
    for letter in arg.chars().skip(1) {
        if let Some(def) = FLAGS.iter().find(|f| f.short == Some(letter)) {
            low.flags.push(def.action);
        } else if let Some((_, what)) = NOT_YET.iter().find(|(c, _)| *c == letter) {
            return Err(UsageError(format!(
                "`-{letter}` ({what}) is not supported yet"
            )));
        } else {
            return Err(UsageError(format!("unknown flag `-{letter}` in `{arg}`")));
        }
    }
    Ok(())
}

/// What to do, validated: the library's request type.
pub type HiArgs = Request;

impl LowArgs {
    /// Checks the combination and builds [`HiArgs`].
    pub fn into_hi(self) -> Result<HiArgs, UsageError> {
        let has = |a: FlagAction| self.flags.contains(&a);
        let mut hi = Request {
            operation: Operation::Help,
            piktdir: self.piktdir.clone(),
            host: self.host.clone(),
            hosts: Vec::new(),
            items: ItemSelection::default(),
            defines: Vec::new(),
            macro_texts: Vec::new(),
            env: Vec::new(),
            test_mode: has(FlagAction::Test),
            verbose: has(FlagAction::Verbose),
            refresh: has(FlagAction::Refresh),
        };
        for (plus, letter, word) in &self.selections {
            add_selection(&mut hi, *plus, *letter, word)?;
        }
        if self.all_keyword {
            for kind in [
                ItemKind::Alert,
                ItemKind::Program,
                ItemKind::File,
                ItemKind::Object,
            ] {
                hi.items.selectors.push(Selector {
                    add: true,
                    kind,
                    name: "all".into(),
                });
            }
        }
        hi.operation = self.operation()?;
        if has(FlagAction::DryRun) && !matches!(hi.operation, Operation::Local(_)) {
            return Err(UsageError("`-n` goes with `-i`, `-e`, `-d` or `-t`".into()));
        }
        if hi.operation == Operation::Status {
            status_selection(&hi)?;
        }
        if hi.operation == Operation::ExpandMacros && hi.macro_texts.is_empty() {
            return Err(UsageError(
                "`-M` needs texts to expand: `piktc -M +M \"=name\"`".into(),
            ));
        }
        Ok(hi)
    }

    fn operation(&self) -> Result<Operation, UsageError> {
        let has = |a: FlagAction| self.flags.contains(&a);
        if has(FlagAction::Help) {
            return Ok(Operation::Help);
        }
        if has(FlagAction::Version) {
            return Ok(Operation::Version);
        }
        let request = LocalRequest {
            install: has(FlagAction::Install),
            enable: has(FlagAction::Enable),
            disable: has(FlagAction::Disable),
            delete: has(FlagAction::Delete),
            verbose: has(FlagAction::Verbose),
            dry_run: has(FlagAction::DryRun),
        };
        let mut ops: Vec<(&str, Operation)> = Vec::new();
        if request.install || request.enable || request.disable || request.delete {
            if request.enable && request.disable {
                return Err(UsageError("`-e` and `-d` cannot be combined".into()));
            }
            ops.push(("-i/-e/-d/-t", Operation::Local(request)));
        }
        let singles = [
            (FlagAction::Check, "-c", Operation::Check),
            (FlagAction::List, "-l", Operation::List),
            (FlagAction::ListAll, "-Z", Operation::ListAll),
            (FlagAction::ExpandHosts, "-L", Operation::ExpandHosts),
            (FlagAction::ExpandMacros, "-M", Operation::ExpandMacros),
            (FlagAction::Render, "--render", Operation::Render),
            (FlagAction::Status, "-s", Operation::Status),
        ];
        for (action, name, op) in singles {
            if has(action) {
                ops.push((name, op));
            }
        }
        if has(FlagAction::Explain) {
            ops.push(("--explain", self.explain_target()?));
        }
        match ops.len() {
            0 => Err(UsageError("no operation given (try `piktc -h`)".into())),
            1 => Ok(ops.remove(0).1),
            _ => {
                let names: Vec<&str> = ops.iter().map(|(n, _)| *n).collect();
                Err(UsageError(format!(
                    "choose one operation, not `{}`",
                    names.join("` and `")
                )))
            }
        }
    }

    fn explain_target(&self) -> Result<Operation, UsageError> {
        let value = self.explain.clone().unwrap_or_default();
        let bad = || {
            UsageError(format!(
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
}

/// `-s` reads piktd's files on the local host, not the configuration: it
/// takes alert names only.
fn status_selection(hi: &HiArgs) -> Result<(), UsageError> {
    if !hi.hosts.is_empty() {
        return Err(UsageError(
            "`-s` shows the local host only for now: drop `+H`/`-H` (remote hosts come later)"
                .into(),
        ));
    }
    for sel in &hi.items.selectors {
        let sign = if sel.add { '+' } else { '-' };
        if sel.kind != ItemKind::Alert {
            return Err(UsageError(format!(
                "`-s` shows alerts only: `{sign}{} {}` does not go with it",
                sel.kind.letter(),
                sel.name
            )));
        }
        if sel.name.starts_with('=') {
            return Err(UsageError(format!(
                "`-s` reads no configuration, so `{sign}A {}` cannot be expanded: name the alerts",
                sel.name
            )));
        }
    }
    Ok(())
}

fn add_selection(hi: &mut HiArgs, plus: bool, letter: char, word: &str) -> Result<(), UsageError> {
    let Some(def) = SELECTORS.iter().find(|s| s.letter == letter) else {
        return Err(UsageError(format!("unknown selector `{letter}`")));
    };
    match def.target {
        SelectorTarget::Item(kind) => hi.items.selectors.push(Selector {
            add: plus,
            kind,
            name: word.to_string(),
        }),
        SelectorTarget::Host => hi.hosts.push((plus, word.to_string())),
        SelectorTarget::Define => hi.defines.push((word.to_string(), plus)),
        SelectorTarget::MacroText => hi.macro_texts.push(word.to_string()),
        SelectorTarget::Command => {}
        SelectorTarget::Env if plus => {
            let (name, value) = word
                .split_once('=')
                .ok_or_else(|| UsageError(format!("`+E {word}`: write `+E name=value`")))?;
            hi.env.push((name.to_string(), Some(value.to_string())));
        }
        SelectorTarget::Env => hi.env.push((word.to_string(), None)),
    }
    Ok(())
}

/// The help text, generated from [`FLAGS`] and [`SELECTORS`].
pub fn help_text() -> String {
    let mut out = String::new();
    out.push_str("piktc: check, render and install a PIKT configuration\n\n");
    out.push_str("usage: piktc -<flags> [+|-D define...] [+|-E name=value...] [+M text...]\n");
    out.push_str(
        "             [+|-A alert...] [+|-S script...] [+|-P program...] [+|-F file...]\n",
    );
    out.push_str("             [+|-O object...] [+|-H host...] [ALL]\n\n");
    out.push_str("flags (single letters combine: -iv):\n");
    let rows: Vec<(String, &str)> = FLAGS
        .iter()
        .map(|f| {
            let mut left = String::new();
            if let Some(c) = f.short {
                let _ = write!(left, "-{c}");
            }
            if let Some(l) = f.long {
                if !left.is_empty() {
                    left.push_str(", ");
                }
                let _ = write!(left, "--{l}");
            }
            if let Some(v) = f.value {
                let _ = write!(left, " {v}");
            }
            (left, f.help)
        })
        .collect();
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (left, help) in &rows {
        let _ = writeln!(out, "  {left:width$}  {help}");
    }
    out.push_str("\nselectors (each takes the words that follow it):\n");
    for s in SELECTORS {
        let left = if s.minus {
            format!("+{0} / -{0}", s.letter)
        } else {
            format!("+{}", s.letter)
        };
        let _ = writeln!(out, "  {left:width$}  {}", s.help);
    }
    out.push_str("\n  ALL");
    let _ = writeln!(
        out,
        "{:w$}  shorthand for +A all +P all +F all +O all",
        "",
        w = width.saturating_sub(3)
    );
    let letters: String = NOT_YET.iter().map(|(c, _)| *c).collect();
    let _ = writeln!(
        out,
        "\nnot yet supported: -{letters} (remote hosts and services come later)"
    );
    out.push_str("\nexit status: 0 ok, 1 configuration errors, 2 usage error, 3 install or read failure,\n             4 some selected hosts skipped (only the local host is handled)\n");
    out
}

/// Runs a whole piktc command line (without the program name) and returns
/// what to print and the exit status. With `run_pikt`, `#piktexec` runs
/// `=piktdir/bin/pikt`; without, it is an error (tests). `-s` gets no lock
/// probe: see [`run_command_line_with_probe`].
// The binary always passes its probe; pikt-config's case harness, which
// includes this file too, calls this.
#[allow(dead_code)]
pub fn run_command_line(args: &[String], env: &RunEnv, run_pikt: bool) -> Outcome {
    run_command_line_with_probe(args, env, run_pikt, None)
}

/// [`run_command_line`] with the test `-s` uses to tell whether piktd runs
/// (`pikt_sched::lock::is_held` in the binary; pikt-config cannot depend on
/// pikt-sched). Without it, `-s` can only tell "not running" from a missing
/// lock file.
pub fn run_command_line_with_probe(
    args: &[String],
    env: &RunEnv,
    run_pikt: bool,
    probe: Option<PiktdProbe>,
) -> Outcome {
    let request = match parse(args).and_then(LowArgs::into_hi) {
        Ok(request) => request,
        Err(UsageError(message)) => return usage_outcome(&message),
    };
    match request.operation {
        Operation::Help => Outcome {
            stdout: help_text(),
            ..Outcome::default()
        },
        Operation::Version => Outcome {
            stdout: format!("piktc {}\n", env!("CARGO_PKG_VERSION")),
            ..Outcome::default()
        },
        Operation::Status => status::show(&request.root(env), &request.items, probe),
        _ => {
            let io = RealHost {
                pikt_binary: run_pikt.then(|| Layout::new(request.root(env)).pikt_binary()),
            };
            ops::run(&request, env, &io)
        }
    }
}

/// The outcome of a usage error.
pub fn usage_outcome(message: &str) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr: format!(
            "error: {message}\nusage: piktc -<flags> [selectors...]; `piktc -h` for help\n"
        ),
        exit: exit::USAGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    fn hi(list: &[&str]) -> Result<HiArgs, UsageError> {
        parse(&args(list)).and_then(LowArgs::into_hi)
    }

    #[test]
    fn combined_flags_and_selectors() {
        let h = hi(&[
            "-iv", "+A", "Urgent", "=more", "+H", "all", "-H", "down", "+D", "debug", "-D", "test",
        ])
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            h.operation,
            Operation::Local(LocalRequest {
                install: true,
                verbose: true,
                ..
            })
        ));
        assert_eq!(
            h.hosts,
            [(true, "all".to_string()), (false, "down".to_string())]
        );
        assert_eq!(
            h.defines,
            [("debug".to_string(), true), ("test".to_string(), false)]
        );
        let names: Vec<&str> = h.items.selectors.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Urgent", "=more"]);
    }

    #[test]
    fn long_options_and_values() {
        let h = hi(&[
            "--render",
            "--piktdir=/p",
            "--host",
            "moscow",
            "+O",
            "ProcCounts",
        ])
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(h.operation, Operation::Render);
        assert_eq!(h.piktdir, Some(PathBuf::from("/p")));
        assert_eq!(h.host.as_deref(), Some("moscow"));
        let h = hi(&["--explain", "objects.cfg:12", "+H", "moscow"])
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            h.operation,
            Operation::Explain {
                file: "objects.cfg".into(),
                line: 12
            }
        );
    }

    #[test]
    fn usage_errors() {
        let err = |list: &[&str]| hi(list).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(err(&["-cq"]), "unknown flag `-q` in `-cq`");
        assert_eq!(
            err(&["-x"]),
            "`-x` (execute commands on slaves) is not supported yet"
        );
        assert_eq!(
            err(&["-c", "-l"]),
            "choose one operation, not `-c` and `-l`"
        );
        assert_eq!(
            err(&["-ed", "+A", "all"]),
            "`-e` and `-d` cannot be combined"
        );
        assert_eq!(err(&["stray"]), "unexpected argument `stray`");
        assert_eq!(
            err(&["--explain", "nofile"]),
            "`--explain` needs FILE:LINE, e.g. `objects.cfg:12`, not `nofile`"
        );
        assert_eq!(
            err(&["-M"]),
            "`-M` needs texts to expand: `piktc -M +M \"=name\"`"
        );
        assert_eq!(err(&["-v"]), "no operation given (try `piktc -h`)");
        assert_eq!(err(&["--bogus"]), "unknown option `--bogus`");
        assert_eq!(
            err(&["-c", "+Ename=x"]),
            "`+Ename=x`: put a space between `+E` and its names"
        );
    }

    #[test]
    fn status_takes_alert_names_on_the_local_host() {
        let h = hi(&["-s", "+A", "Urgent", "-A", "Warning"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(h.operation, Operation::Status);
        assert_eq!(h.items.selectors.len(), 2);
        let err = |list: &[&str]| hi(list).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(
            err(&["-s", "+H", "moscow"]),
            "`-s` shows the local host only for now: drop `+H`/`-H` (remote hosts come later)"
        );
        assert_eq!(
            err(&["-s", "+O", "ProcCounts"]),
            "`-s` shows alerts only: `+O ProcCounts` does not go with it"
        );
        assert_eq!(
            err(&["-s", "+A", "=hourly"]),
            "`-s` reads no configuration, so `+A =hourly` cannot be expanded: name the alerts"
        );
        assert_eq!(
            err(&["-s", "-l"]),
            "choose one operation, not `-l` and `-s`"
        );
    }

    #[test]
    fn minus_letters_that_are_flags_stay_flags() {
        // `-M` and `-C`-style letters without a `-X` selector are flags; `-D` is a selector.
        let h = hi(&["-M", "+M", "=ps", "=kill"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(h.operation, Operation::ExpandMacros);
        assert_eq!(h.macro_texts, ["=ps", "=kill"]);
    }

    #[test]
    fn all_keyword_selects_every_item_kind() {
        let h = hi(&["-l", "ALL"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(h.items.selectors.len(), 4);
    }

    #[test]
    fn help_lists_every_flag_and_selector() {
        let help = help_text();
        for f in FLAGS {
            assert!(help.contains(f.help), "{}", f.help);
        }
        for s in SELECTORS {
            assert!(help.contains(s.help), "{}", s.help);
        }
    }
}
