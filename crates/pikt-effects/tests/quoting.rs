//! Values reach a real `/bin/sh` as data, in every place of a command
//! (property tests: any value, including quotes, `$(...)`, backquotes,
//! `;`, `|`, `&`, globs, newlines): the command sees exactly the value, or
//! for a value outside quotes exactly its words, and nothing it holds runs;
//! and the command as shown, values quoted in place, means the same.

use std::path::{Path, PathBuf};

use pikt_effects::RealShell;
use pikt_runtime::command::CommandLine;
use pikt_runtime::host::{CommandUse, Shell, ShellCommand};
use proptest::prelude::*;

/// Values made mostly of what shells treat specially.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("$".to_string()),
        Just("`".to_string()),
        Just("$(touch MARK)".to_string()),
        Just("`touch MARK`".to_string()),
        Just("';touch MARK;'".to_string()),
        Just("\";touch MARK;\"".to_string()),
        Just("${HOME}".to_string()),
        Just("$((1+1))".to_string()),
        Just("|touch MARK".to_string()),
        Just("&touch MARK&".to_string()),
        Just("\ntouch MARK\n".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("*".to_string()),
        Just("?[a]~".to_string()),
        Just("#".to_string()),
        Just("EOF".to_string()),
        Just("é€".to_string()),
        "[a-z0-9]{1,4}",
        "[ -~]{1,3}",
    ];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

/// Runs the command of `pieces` (`Ok` code, `Err` a value) in `dir` and
/// returns what `printf '%s\0'` printed, split at the NULs.
fn run(dir: &Path, pieces: &[Result<&str, &str>]) -> Vec<String> {
    let mut line = CommandLine::of_code(&format!("cd '{}' && ", dir.display()));
    for piece in pieces {
        match piece {
            Ok(code) => line.code(code),
            Err(value) => line.data(value).expect("a value the shell can take"),
        }
    }
    let mut shell = RealShell::default();
    let command = line.as_shell(CommandUse::Command);
    let out = shell.capture(&command).expect("the shell runs");
    if command.shown_exact {
        // The command as shown (values quoted in place), which logs print and
        // the native process commands read, means exactly the same.
        let shown = shell
            .capture(&ShellCommand::new(line.shown(), CommandUse::Command))
            .expect("the shell runs");
        assert_eq!(
            shown,
            out,
            "`{}` differs from `{}`",
            line.shown(),
            line.text()
        );
    }
    let mut words: Vec<String> = out.split('\0').map(str::to_string).collect();
    words.pop();
    words
}

/// The words a shell makes of `value` outside quotes (split at blanks).
fn words_of(value: &str) -> Vec<String> {
    value
        .split([' ', '\t', '\n'])
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mark = dir.path().join("MARK");
    (dir, mark)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn inside_single_quotes_the_value_is_the_text(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(dir.path(), &[Ok("printf '%s\\0' 'x"), Err(&value), Ok("y'")]);
        prop_assert_eq!(got, vec![format!("x{value}y")]);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn inside_double_quotes_the_value_is_the_text(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(dir.path(), &[Ok("printf '%s\\0' \"x"), Err(&value), Ok("y\"")]);
        prop_assert_eq!(got, vec![format!("x{value}y")]);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn outside_quotes_the_value_is_its_words(value in hostile()) {
        let (dir, mark) = scratch();
        // Files a glob in the value would match, were it expanded.
        std::fs::write(dir.path().join("a"), "").unwrap();
        let got = run(dir.path(), &[Ok("printf '%s\\0' start "), Err(&value), Ok(" end")]);
        let mut expected = vec!["start".to_string()];
        expected.extend(words_of(&value));
        expected.push("end".to_string());
        prop_assert_eq!(got, expected);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn an_assignment_takes_the_whole_value(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(dir.path(), &[Ok("X="), Err(&value), Ok("; printf '%s\\0' \"$X\"")]);
        prop_assert_eq!(got, vec![value.clone()]);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn in_command_substitutions_the_value_is_the_text(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(
            dir.path(),
            &[Ok("printf '%s\\0' \"$(printf '%s' '"), Err(&value), Ok("')\"")],
        );
        // `$(...)` drops trailing newlines.
        prop_assert_eq!(got, vec![value.trim_end_matches('\n').to_string()]);
        let got = run(
            dir.path(),
            &[Ok("printf '%s\\0' \"`printf '%s' \""), Err(&value), Ok("\"`\"")],
        );
        prop_assert_eq!(got, vec![value.trim_end_matches('\n').to_string()]);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn in_a_here_document_the_value_is_the_text(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(
            dir.path(),
            &[Ok("tr '\\n' '\\0' <<EOF\n"), Err(&value), Ok("\nEOF\n")],
        );
        let expected: Vec<String> = value.split('\n').map(str::to_string).collect();
        prop_assert_eq!(got, expected);
        prop_assert!(!mark.exists());
    }

    #[test]
    fn after_a_dollar_or_backslash_the_value_is_still_the_text(value in hostile()) {
        let (dir, mark) = scratch();
        let got = run(dir.path(), &[Ok("printf '%s\\0' \"$"), Err(&value), Ok("\"")]);
        prop_assert_eq!(got, vec![format!("${value}")]);
        prop_assert!(!mark.exists());
    }
}

#[test]
fn the_seeds_page_command_pages_the_line_as_it_is() {
    let (dir, mark) = scratch();
    let pages = dir.path().join("pages");
    let line = "     40 chico ';touch MARK;'$(touch MARK)`touch MARK`|&\"";
    let mut command =
        CommandLine::of_code(&format!("cd '{}' && echo 'host: ", dir.path().display()));
    command.data(line).unwrap();
    command.code(&format!("' | cat >> '{}'", pages.display()));
    let mut shell = RealShell::default();
    let status = shell.run(&command.as_shell(CommandUse::Exec)).unwrap();
    assert_eq!(status, 0);
    assert_eq!(
        std::fs::read_to_string(&pages).unwrap(),
        format!("host: {line}\n")
    );
    assert!(!mark.exists());
}
