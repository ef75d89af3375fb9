//! The generated man pages, rendered by the real groff and man (the
//! Debian packages `groff-base` and `man-db`): no warnings, every listed
//! flag with its help, nothing hidden, the config page holding every text
//! of docs/config-format.md, and the generator binary writing the files
//! packaging installs.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pikt_cli::help::left_column;
use pikt_cli::tables::{PIKT, PIKTC, PIKTD};
use pikt_cli::{tokenize, Spec, Support, Token};
use pikt_manual::{man, markdown, pages};

/// `name` on PATH, or an error naming the Debian package that has it
/// (the tests fail rather than skip; `bin/install-deps` installs it).
fn program(name: &str, package: &str) -> io::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("`{name}` is missing: install the Debian package `{package}` (bin/install-deps does)"),
            )
        })
}

fn run(command: &mut Command) -> io::Result<Output> {
    command
        .env("LC_ALL", "C.UTF-8")
        .env("MANWIDTH", "250")
        .env_remove("MANPAGER")
        .env_remove("PAGER")
        .env_remove("MAN_KEEP_FORMATTING")
        .output()
}

/// The generated pages, written as packaging writes them.
fn pages_dir() -> io::Result<(tempfile::TempDir, Vec<PathBuf>)> {
    let dir = tempfile::tempdir()?;
    let written = pikt_manual::write_all(dir.path())?;
    let pages = written
        .into_iter()
        .filter(|p| p.starts_with(dir.path().join("man")))
        .collect();
    Ok((dir, pages))
}

/// The page as `man -l` shows it (plain text, wide lines).
fn rendered(page: &Path) -> io::Result<String> {
    let out = run(Command::new(program("man", "man-db")?).arg("-l").arg(page))?;
    assert!(out.status.success(), "man -l {}: {out:?}", page.display());
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_page_renders_without_a_warning() -> io::Result<()> {
    let groff = program("groff", "groff-base")?;
    let man = program("man", "man-db")?;
    let (_dir, pages) = pages_dir()?;
    assert_eq!(pages.len(), 4, "{pages:?}");
    for page in &pages {
        let out = run(Command::new(&groff)
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(page))?;
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff -man -Tutf8 -ww {}:\n{}",
            page.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // What lintian runs on every page of a package.
        let out = run(Command::new(&man)
            .args(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z"])
            .arg(page)
            .env("MANROFFSEQ", ""))?;
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "man --warnings {}:\n{}",
            page.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = rendered(page)?;
        assert!(text.contains("NAME") && text.contains("SEE ALSO"), "{text}");
    }
    Ok(())
}

fn page_of<Id: Copy + PartialEq>(pages: &[PathBuf], spec: &Spec<Id>) -> PathBuf {
    let name = format!("{}.{}", spec.program, spec.section);
    pages
        .iter()
        .find(|p| p.ends_with(&name))
        .cloned()
        .unwrap_or_else(|| panic!("no page {name} in {pages:?}"))
}

fn page_lists_the_table<Id: Copy + PartialEq>(
    pages: &[PathBuf],
    spec: &Spec<Id>,
) -> io::Result<()> {
    let text = collapse(&rendered(&page_of(pages, spec))?);
    assert!(
        text.contains(&format!("{} - {}", spec.program, spec.summary)),
        "{text}"
    );
    for flag in spec.listed() {
        let entry = collapse(&format!(
            "{} {}",
            left_column(flag),
            flag.help.replace('`', "")
        ));
        assert!(text.contains(&entry), "{}: `{entry}` missing", spec.program);
    }
    for (flag, why) in spec.refused() {
        assert!(
            text.contains(&collapse(&why.replace('`', ""))),
            "{:?}",
            flag.letter
        );
    }
    for flag in spec.flags.iter().filter(|f| f.support == Support::Hidden) {
        let long = flag.long.unwrap_or_default();
        assert!(
            !text.contains(long),
            "{}: hidden `--{long}` shows",
            spec.program
        );
    }
    for (name, what) in spec.environment {
        assert!(
            text.contains(&collapse(&format!("{name} {}", what.replace('`', "")))),
            "{name}"
        );
    }
    for (code, what) in spec.exit_codes {
        assert!(
            text.contains(&collapse(&format!("{code} {what}"))),
            "exit {code}"
        );
    }
    assert!(text.contains("64 usage error"), "{text}");
    Ok(())
}

#[test]
fn every_listed_flag_is_on_its_page_and_no_hidden_one() -> io::Result<()> {
    let (_dir, pages) = pages_dir()?;
    page_lists_the_table(&pages, &PIKT)?;
    page_lists_the_table(&pages, &PIKTC)?;
    page_lists_the_table(&pages, &PIKTD)
}

#[test]
fn the_config_page_is_config_format_md() -> io::Result<()> {
    let (_dir, pages) = pages_dir()?;
    let page = pages
        .iter()
        .find(|p| p.ends_with("pikt-config.5"))
        .expect("pikt-config.5");
    let text = collapse(&rendered(page)?);
    let source = man::config_source();
    let blocks = markdown::text_blocks(source);
    assert!(blocks.len() > 100, "{} blocks", blocks.len());
    for block in &blocks {
        assert!(
            text.contains(block.as_str()),
            "`{block}` is not on the page"
        );
    }
    for name in man::CONFIG_FILES {
        assert!(text.contains(name), "{name}");
    }
    // What the document marks for the repository only stays out.
    let skipped = source
        .split(markdown::SKIP)
        .skip(1)
        .filter_map(|part| part.split(markdown::END_SKIP).next())
        .map(collapse)
        .collect::<Vec<_>>();
    assert!(
        !skipped.is_empty(),
        "docs/config-format.md has a skipped part"
    );
    for part in skipped {
        let first = part.split(". ").next().unwrap_or_default().replace('`', "");
        assert!(!text.contains(&first), "`{first}` should be left out");
    }
    Ok(())
}

/// An example's words: blanks separate, double quotes group.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    out.extend((!word.is_empty()).then_some(word));
    out
}

fn examples_use_listed_flags<Id: Copy + PartialEq + std::fmt::Debug>(spec: &Spec<Id>) {
    let extras = pages::extras(spec.program).expect("extras");
    assert!(!extras.examples.is_empty());
    for (command, _) in extras.examples {
        let words = words(command);
        assert_eq!(
            words.first().map(String::as_str),
            Some(spec.program),
            "{command}"
        );
        let tokens = tokenize(spec, &words[1..]).unwrap_or_else(|e| panic!("{command}: {e}"));
        for token in tokens {
            if let Token::Flag(given) = token {
                let flag = spec.flag(given.id).expect("a flag of the table");
                assert_eq!(
                    flag.support,
                    Support::Listed,
                    "{command}: {}",
                    given.spelled
                );
            }
        }
    }
}

#[test]
fn examples_are_command_lines_the_programs_read() {
    examples_use_listed_flags(&PIKT);
    examples_use_listed_flags(&PIKTC);
    examples_use_listed_flags(&PIKTD);
    assert_eq!(
        words(r#"piktc -xv +C "=a b" x"#),
        ["piktc", "-xv", "+C", "=a b", "x"]
    );
}

#[test]
fn the_generator_writes_what_packaging_installs() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let out = Command::new(env!("CARGO_BIN_EXE_pikt-manual"))
        .arg(dir.path())
        .output()?;
    assert!(out.status.success(), "{out:?}");
    let mut files: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            Path::new(l)
                .strip_prefix(dir.path())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        })
        .collect();
    files.sort();
    let mut expected: Vec<String> = [
        "man/pikt.1",
        "man/piktc.1",
        "man/piktd.8",
        "man/pikt-config.5",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for program in ["pikt", "piktc", "piktd"] {
        expected.push(format!("completions/bash/{program}"));
        expected.push(format!("completions/zsh/_{program}"));
        expected.push(format!("completions/fish/{program}.fish"));
    }
    expected.sort();
    assert_eq!(files, expected);
    for file in &files {
        let on_disk = std::fs::read_to_string(dir.path().join(file))?;
        let made = pikt_manual::generated()
            .into_iter()
            .find(|g| g.path == Path::new(file))
            .map(|g| g.text);
        assert_eq!(Some(on_disk), made, "{file}");
    }
    let usage = Command::new(env!("CARGO_BIN_EXE_pikt-manual"))
        .args(["a", "b"])
        .output()?;
    assert_eq!(usage.status.code(), Some(64));
    Ok(())
}

#[test]
fn completions_name_every_listed_flag_and_no_hidden_one() {
    fn check<Id: Copy + PartialEq>(spec: &Spec<Id>) {
        let files: Vec<_> = pikt_manual::generated()
            .into_iter()
            .filter(|g| {
                g.path.starts_with("completions")
                    && g.path.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n == spec.program
                            || n == format!("_{}", spec.program)
                            || n == format!("{}.fish", spec.program)
                    })
            })
            .collect();
        assert_eq!(files.len(), 3, "{}", spec.program);
        for file in files {
            for flag in spec.listed() {
                for spelling in pikt_manual::completion::offered_spellings(flag) {
                    assert!(
                        file.text.contains(&format!("'{spelling}")),
                        "{}: {spelling} missing",
                        file.path.display()
                    );
                }
            }
            for flag in spec.flags.iter().filter(|f| f.support != Support::Listed) {
                if let Some(long) = flag.long {
                    assert!(!file.text.contains(&format!("'--{long}")), "{long}");
                }
            }
        }
    }
    check(&PIKT);
    check(&PIKTC);
    check(&PIKTD);
}
