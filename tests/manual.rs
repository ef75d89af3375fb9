//! The man pages and shell completions (`crates/pikt-manual`) against the
//! real programs: each program's `-h` and its man page list the same
//! flags in the same order, and the real bash (with bash-completion),
//! zsh and fish complete PIKT command lines on a real installation:
//! selectors and their words, option values, paths, every listed flag
//! and no hidden one, with names from the real `piktc --complete`.
//! Missing shells or man tools fail the tests with the Debian package to
//! install (bin/install-deps installs them).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use pikt_cli::tables::{PIKT, PIKTC, PIKTD};
use pikt_cli::Spec;

use crate::support::require_program;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PIKT_BIN: &str = env!("CARGO_BIN_EXE_pikt");
const PIKTC_BIN: &str = env!("CARGO_BIN_EXE_piktc");
const PIKTD_BIN: &str = env!("CARGO_BIN_EXE_piktd");

/// Every name systems.cfg of the example site declares, and `all`.
const HOSTS: &[&str] = &[
    "all",
    "chicago",
    "debian",
    "demo",
    "mailserver",
    "moscow",
    "nisserver",
    "piktmaster",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The spellings a help or man-page entry starts with: `+A[f], -A[f]
/// ALERT...` gives `+A[f]`, `-A[f]`.
fn entry_spellings(entry: &str) -> Vec<String> {
    let left = entry.trim().split("  ").next().unwrap_or_default();
    left.split(", ")
        .filter_map(|part| part.split(' ').next())
        .map(str::to_string)
        .collect()
}

/// The flags a help text lists, in order: the entries of its "flags" and
/// "selectors"/"options" blocks.
fn help_flags(help: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut in_block = false;
    for line in help.lines() {
        if line.starts_with("flags") || line.starts_with("selectors") || line.starts_with("options")
        {
            in_block = true;
            continue;
        }
        if line.trim().is_empty() || !line.starts_with("  ") {
            in_block = false;
            continue;
        }
        if in_block {
            flags.extend(entry_spellings(line));
        }
    }
    flags
}

/// The flags a rendered man page's OPTIONS list, in order: the tags,
/// indented once, that start with `-` or `+`.
fn man_flags(page: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut in_options = false;
    for line in page.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_options = line == "OPTIONS";
            continue;
        }
        let tag = line.strip_prefix("       ").unwrap_or_default();
        if in_options && tag.starts_with(['-', '+']) {
            flags.extend(entry_spellings(tag));
        }
    }
    flags
}

fn man_page(dir: &Path, spec_program: &str, section: u8) -> io::Result<String> {
    let man = require_program("man", "man-db")?;
    let out = Command::new(man)
        .arg("-l")
        .arg(dir.join(format!("man/{spec_program}.{section}")))
        .env("LC_ALL", "C.UTF-8")
        .env("MANWIDTH", "250")
        .env_remove("MANPAGER")
        .env_remove("PAGER")
        .env_remove("MAN_KEEP_FORMATTING")
        .output()?;
    assert!(out.status.success(), "{out:?}");
    Ok(text(&out.stdout))
}

fn help_and_page_agree<Id: Copy + PartialEq>(
    binary: &str,
    spec: &Spec<Id>,
    pages: &Path,
) -> io::Result<()> {
    let out = Command::new(binary).arg("-h").output()?;
    assert!(out.status.success(), "{binary} -h: {out:?}");
    let help = text(&out.stdout);
    let from_help = help_flags(&help);
    let from_page = man_flags(&man_page(pages, spec.program, spec.section)?);
    assert!(from_help.len() > 8, "{}: {from_help:?}", spec.program);
    assert_eq!(
        from_help, from_page,
        "{}: -h and the man page",
        spec.program
    );
    // Each help line's text is on the page too.
    let page = collapse(&man_page(pages, spec.program, spec.section)?);
    for flag in spec.listed() {
        assert!(
            page.contains(&collapse(&flag.help.replace('`', ""))),
            "{}",
            flag.help
        );
    }
    Ok(())
}

#[test]
fn help_and_man_page_list_the_same_flags() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    pikt_manual::write_all(dir.path())?;
    help_and_page_agree(PIKT_BIN, &PIKT, dir.path())?;
    help_and_page_agree(PIKTC_BIN, &PIKTC, dir.path())?;
    help_and_page_agree(PIKTD_BIN, &PIKTD, dir.path())
}

#[test]
fn pages_name_the_version_the_programs_print() -> io::Result<()> {
    let out = Command::new(PIKTC_BIN).arg("--version").output()?;
    assert_eq!(
        text(&out.stdout),
        format!("piktc {}\n", pikt_manual::man::VERSION)
    );
    Ok(())
}

/// An installation, a second one, the generated completions and a
/// working directory with a few paths.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    other: PathBuf,
    generated: PathBuf,
    /// `XDG_DATA_DIRS` for bash-completion's loader.
    xdg: PathBuf,
    cwd: PathBuf,
    home: PathBuf,
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn site() -> io::Result<Site> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("pikt");
    let example = Path::new(REPO).join("examples/pikt");
    copy_tree(&example, &root)?;
    // Only Urgent is installed: `pikt +A` offers it alone, while
    // `piktc +A` offers every alert of alerts.cfg.
    let out = Command::new(PIKTC_BIN)
        .arg("--piktdir")
        .arg(&root)
        .args(["--host", "moscow", "-ie", "+A", "Urgent"])
        .stdin(Stdio::null())
        .output()?;
    assert!(out.status.success(), "piktc -ie: {out:?}");
    let other = dir.path().join("other");
    copy_tree(&example, &other)?;
    let alerts = other.join("lib/configs/alerts.cfg");
    let mut text = fs::read_to_string(&alerts)?;
    text.push_str("\nOtherOnly\n\ttiming 0 * * * *\n\talarms ProcCountsChk\n");
    fs::write(&alerts, text)?;
    let generated = dir.path().join("generated");
    pikt_manual::write_all(&generated)?;
    let xdg = dir.path().join("xdg");
    fs::create_dir_all(xdg.join("bash-completion"))?;
    std::os::unix::fs::symlink(
        generated.join("completions/bash"),
        xdg.join("bash-completion/completions"),
    )?;
    let cwd = dir.path().join("work");
    fs::create_dir_all(cwd.join("dir1"))?;
    fs::write(cwd.join("file1"), "")?;
    fs::write(cwd.join("file2.pikt"), "")?;
    let home = dir.path().join("home");
    fs::create_dir_all(&home)?;
    Ok(Site {
        _dir: dir,
        root,
        other,
        generated,
        xdg,
        cwd,
        home,
    })
}

/// A shell run for completing, with the test binaries first on PATH.
fn shell(site: &Site, program: &Path) -> io::Result<Command> {
    let bin = Path::new(PIKTC_BIN).parent().unwrap_or(Path::new("."));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let timeout = require_program("timeout", "coreutils")?;
    let mut command = Command::new(timeout);
    command
        .args(["60"])
        .arg(program)
        .current_dir(&site.cwd)
        .env(
            "PATH",
            std::env::join_paths(dirs).map_err(io::Error::other)?,
        )
        .env("HOME", &site.home)
        .env("PIKT_DIR", &site.root)
        .env("PIKT_HOST", "moscow")
        .env("XDG_DATA_DIRS", &site.xdg)
        .env_remove("XDG_DATA_HOME")
        .env_remove("BASH_COMPLETION_USER_DIR")
        .stdin(Stdio::null());
    Ok(command)
}

fn checked(out: Output, what: &str) -> io::Result<String> {
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(io::Error::other(format!(
            "{what} failed: {}\n{}",
            out.status,
            text(&out.stderr)
        )))
    }
}

/// Drives bash's completion of WORDS as bash-completion would: loads the
/// completion the way it does for a command (`__load_completion`), checks
/// it is registered (`complete -p`), calls its function with
/// COMP_WORDS/COMP_CWORD and prints COMPREPLY. With `PIKT_PLAIN=1` the
/// script is sourced without bash-completion.
const BASH_DRIVER: &str = r#"
name=${1##*/}
if [[ $PIKT_PLAIN == 1 ]]; then
    source "$PIKT_COMPLETIONS/$name" || exit 2
else
    source /usr/share/bash-completion/bash_completion || exit 2
    __load_completion "$1" || { echo "bash-completion found no completion for $1" >&2; exit 2; }
fi
spec=$(complete -p "$1" 2>/dev/null || complete -p "$name") || exit 2
func=${spec#*-F }
func=${func%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;

/// The words bash gives a completion function for `line`: split at
/// blanks, and `--name=value` split at `=` as COMP_WORDBREAKS does.
fn bash_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for word in line.split(' ') {
        match word.split_once('=') {
            Some((name, value)) if word.starts_with("--") => {
                words.push(name.to_string());
                words.push("=".to_string());
                if !value.is_empty() {
                    words.push(value.to_string());
                }
            }
            _ => words.push(word.to_string()),
        }
    }
    words
}

fn bash_complete(site: &Site, line: &str, plain: bool) -> io::Result<String> {
    let bash = require_program("bash", "bash")?;
    if !plain && !Path::new("/usr/share/bash-completion/bash_completion").is_file() {
        return Err(crate::support::missing_package(
            "/usr/share/bash-completion/bash_completion",
            "bash-completion",
        ));
    }
    let out = shell(site, &bash)?
        .args(["--norc", "--noprofile", "-c", BASH_DRIVER, "bash"])
        .args(bash_words(line))
        .env("PIKT_PLAIN", if plain { "1" } else { "0" })
        .env("PIKT_COMPLETIONS", site.generated.join("completions/bash"))
        .output()?;
    checked(out, &format!("bash completing `{line}`"))
}

/// Types LINE and Tab into a real interactive zsh on a pseudo-terminal
/// (zsh/zpty) whose compinit finds the generated functions; every match
/// the completion system adds is written to a file, then `--done--`.
const ZSH_DRIVER: &str = r#"
emulate -L zsh
zmodload zsh/zpty || exit 2
local fdir=$1 out=$2 line=$3
: > $out
zpty pikt_z zsh -f -i || exit 2
zpty -w pikt_z "PROMPT='' RPROMPT=''; fpath=(${(q)fdir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w pikt_z "compadd() { if (( \${@[(I)-[OAD]]} )); then builtin compadd \"\$@\"; return; fi; local -a __hits; builtin compadd -O __hits \"\$@\"; print -rl -- \"\${__hits[@]}\" >> ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w pikt_z "__pikt_done() { print -r -- --done-- >> ${(q)out} }; comppostfuncs=(__pikt_done)"
zpty -w pikt_z "zstyle ':completion:*' menu no; bindkey '^I' complete-word"
zpty -n -w pikt_z "$line"$'\t'
local i
for i in {1..400}; do
    grep -qx -- --done-- $out 2>/dev/null && break
    sleep 0.05
done
zpty -d pikt_z
grep -qx -- --done-- $out || { echo "zsh did not complete \`$line'" >&2; exit 3; }
grep -vx -- --done-- $out
exit 0
"#;

fn zsh_complete(site: &Site, line: &str) -> io::Result<String> {
    let zsh = require_program("zsh", "zsh")?;
    let out_file = site.home.join("zsh-matches");
    let out = shell(site, &zsh)?
        .args(["-f", "-c", ZSH_DRIVER, "zsh"])
        .arg(site.generated.join("completions/zsh"))
        .arg(&out_file)
        .arg(line)
        .output()?;
    checked(out, &format!("zsh completing `{line}`"))
}

fn fish_complete(site: &Site, line: &str) -> io::Result<String> {
    let fish = require_program("fish", "fish")?;
    let out = shell(site, &fish)?
        .args([
            "--no-config",
            "-c",
            "set -p fish_complete_path $PIKT_COMPLETIONS; complete --do-complete=$PIKT_LINE",
        ])
        .env("PIKT_COMPLETIONS", site.generated.join("completions/fish"))
        .env("PIKT_LINE", line)
        .output()?;
    // fish prints `candidate<TAB>description`. When nothing starts with
    // the word being completed, fish shows fuzzy matches (`-K` offers
    // `-k`); what the script offers is what starts with the word.
    let current = line.rsplit(' ').next().unwrap_or_default();
    checked(out, &format!("fish completing `{line}`")).map(|text| {
        text.lines()
            .map(|l| l.split('\t').next().unwrap_or_default())
            .filter(|candidate| candidate.starts_with(current))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The candidates as a sorted set: a directory's `/` dropped, and the
/// `--name=` part of a `--name=value` being completed dropped (fish
/// prints it, bash and zsh complete after it).
fn normalize(line: &str, output: &str) -> Vec<String> {
    let current = line.rsplit(' ').next().unwrap_or_default();
    let prefix = current
        .split_once('=')
        .filter(|_| current.starts_with("--"))
        .map(|(name, _)| format!("{name}="));
    let mut out: Vec<String> = output
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = prefix
                .as_deref()
                .and_then(|p| l.strip_prefix(p))
                .unwrap_or(l);
            l.trim_end_matches('/').to_string()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every word a user may type for the listed flags of `spec` starting
/// with `sign`, from the spellings the help shows (`+A[f]` is `+A` and
/// `+Af`, `-p[#]` is `-p`).
fn typed_flags<Id: Copy + PartialEq>(spec: &Spec<Id>, sign: &str) -> Vec<String> {
    let mut out = Vec::new();
    for flag in spec.listed() {
        for spelling in flag.spellings() {
            let spelling = spelling.trim_end_matches("[#]");
            match spelling.split_once('[') {
                Some((base, suffix)) => {
                    out.push(base.to_string());
                    out.push(format!("{base}{}", suffix.trim_end_matches(']')));
                }
                None => out.push(spelling.to_string()),
            }
        }
    }
    out.retain(|s| s.starts_with(sign));
    out.sort();
    out.dedup();
    out
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

/// The command lines completed, with what every shell must offer.
fn cases(site: &Site) -> Vec<(String, Vec<String>)> {
    let other = site.other.display().to_string();
    let urgent = ["Urgent", "UrgentNative", "all"];
    let mut cases: Vec<(String, Vec<String>)> = vec![
        // Selectors take words up to the next option; names from the master's configs.
        ("piktc +A ".into(), owned(&urgent)),
        ("piktc -iev +A all +H ".into(), owned(HOSTS)),
        ("piktc -iev +A all +H all -H ".into(), owned(HOSTS)),
        ("piktc +H all -H d".into(), owned(&["debian", "demo"])),
        ("piktc -iv +Af U".into(), owned(&["Urgent", "UrgentNative"])),
        ("piktc -d -A ".into(), owned(&urgent)),
        (
            "piktc +S Proc".into(),
            owned(&["ProcCountsChk", "ProcCountsNative"]),
        ),
        ("piktc -l +O ".into(), owned(&["ProcCounts", "all"])),
        ("piktc -c -D ".into(), owned(&["debug"])),
        ("piktc -iv +C ".into(), vec![]),
        ("piktc -iev +A all +H moscow --host ".into(), owned(HOSTS)),
        ("piktd --host m".into(), owned(&["mailserver", "moscow"])),
        // The installation the command line names, not PIKT_DIR's.
        (
            format!("piktc --piktdir {other} +A "),
            owned(&["OtherOnly", "Urgent", "UrgentNative", "all"]),
        ),
        (
            format!("piktc --piktdir={other} -A O"),
            owned(&["OtherOnly"]),
        ),
        // pikt runs installed alerts: only Urgent was installed.
        ("pikt +A ".into(), owned(&["Urgent"])),
        ("pikt -T +S ".into(), owned(&["ProcCountsChk"])),
        ("pikt --host ".into(), owned(HOSTS)),
        // Values and operands that are paths.
        ("pikt --piktdir ".into(), owned(&["dir1"])),
        ("pikt --piktdir=".into(), owned(&["dir1"])),
        (
            "piktd --conf ".into(),
            owned(&["dir1", "file1", "file2.pikt"]),
        ),
        ("pikt -T ".into(), owned(&["dir1", "file1", "file2.pikt"])),
        ("pikt -- f".into(), owned(&["file1", "file2.pikt"])),
        // After the script every word is the script's: paths, never flags.
        (
            "pikt -T file2.pikt ".into(),
            owned(&["dir1", "file1", "file2.pikt"]),
        ),
        ("pikt -T file2.pikt -".into(), vec![]),
        // Flags: listed ones only.
        (
            "piktd --c".into(),
            owned(&["--catch-up", "--check", "--conf"]),
        ),
        (
            "piktc --ex".into(),
            owned(&[
                "--exec",
                "--exec-nowait",
                "--expand-hosts",
                "--expand-macros",
                "--explain",
            ]),
        ),
        ("piktc +A all +O".into(), owned(&["+O", "+Of"])),
        ("piktc --comp".into(), vec![]),
        ("piktc --apply".into(), vec![]),
        ("piktc -K".into(), vec![]),
    ];
    for sign in ["-", "+", "--"] {
        cases.push((format!("pikt {sign}"), typed_flags(&PIKT, sign)));
        cases.push((format!("piktc -iv {sign}"), typed_flags(&PIKTC, sign)));
        cases.push((format!("piktd {sign}"), typed_flags(&PIKTD, sign)));
    }
    cases
}

/// Completes every case with `complete` and reports every difference.
fn check_shell(
    name: &str,
    mut complete: impl FnMut(&Site, &str) -> io::Result<String>,
) -> io::Result<()> {
    let site = site()?;
    let mut wrong = Vec::new();
    for (line, expected) in cases(&site) {
        let got = normalize(&line, &complete(&site, &line)?);
        if got != expected {
            wrong.push(format!(
                "`{line}`\n    expected {expected:?}\n    got      {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{name}:\n{}", wrong.join("\n"));
    Ok(())
}

#[test]
fn bash_completes_pikt_command_lines() -> io::Result<()> {
    check_shell("bash", |site, line| bash_complete(site, line, false))
}

#[test]
fn bash_completes_without_bash_completion_too() -> io::Result<()> {
    let site = site()?;
    for (line, expected) in [
        ("piktd --conf ", owned(&["dir1", "file1", "file2.pikt"])),
        ("piktc +A ", owned(&["Urgent", "UrgentNative", "all"])),
        ("piktc +H all -H ", owned(HOSTS)),
    ] {
        assert_eq!(
            normalize(line, &bash_complete(&site, line, true)?),
            expected,
            "{line}"
        );
    }
    Ok(())
}

#[test]
fn zsh_completes_pikt_command_lines() -> io::Result<()> {
    check_shell("zsh", zsh_complete)
}

#[test]
fn fish_completes_pikt_command_lines() -> io::Result<()> {
    check_shell("fish", fish_complete)
}

#[test]
fn completion_calls_the_piktc_beside_the_program() -> io::Result<()> {
    // Named by a path, a program's completion asks the piktc next to it:
    // here a piktc that prints a marker instead of the real one's names.
    let site = site()?;
    let bin = site.home.join("bin");
    fs::create_dir_all(&bin)?;
    fs::write(bin.join("piktc"), "#!/bin/sh\necho BESIDE\n")?;
    fs::set_permissions(
        bin.join("piktc"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;
    let program = bin.join("pikt").display().to_string();
    let line = format!("{program} +A ");
    assert_eq!(
        normalize(&line, &bash_complete(&site, &line, true)?),
        ["BESIDE"]
    );
    assert_eq!(normalize(&line, &zsh_complete(&site, &line)?), ["BESIDE"]);
    assert_eq!(normalize(&line, &fish_complete(&site, &line)?), ["BESIDE"]);
    Ok(())
}
