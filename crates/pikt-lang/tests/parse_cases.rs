//! Runs the parse cases of `tests/cases/parse/<name>/` through the parser.
//!
//! Each case holds `script.pikt` and, when the script is wrong,
//! `expected.stderr` (the rendered diagnostics) and `expected.exit` (`2`).
//! The script is parsed as a standalone script if it starts with `#!` or a
//! section keyword, else as an alarm file (what `pikt -c script.pikt` does);
//! the diagnostics are rendered under the file name `script.pikt`. A case
//! with no error diagnostic must also survive the printer round trip
//! (`parse(print(p)) == p`, spans aside), and every case must lex losslessly.
//! `PIKT_BLESS=1` rewrites the expectations.

use std::fs;
use std::path::{Path, PathBuf};

use pikt_lang::ast::Program;
use pikt_lang::{guess_mode, lexer, parse_program, print_program, ParseMode};
use pikt_source::{render, FileId, SourceMap};

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/parse")
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(cases_root())
        .expect("tests/cases/parse exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("script.pikt").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Replaces every `Span { .. }` of a debug dump by `Span`.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { ") {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        rest = &rest[at..];
        match rest.find(" }") {
            Some(close) => rest = &rest[close + 2..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

fn parse_text(name: &str, text: &str, mode: ParseMode) -> (Program, String, bool) {
    let mut map = SourceMap::new();
    let id = map.add(name, text);
    let (program, diags) = parse_program(&map, id, mode);
    let rendered: String = diags.iter().map(|d| render(&map, d)).collect();
    let failed = diags.iter().any(|d| d.is_error());
    (program, rendered, failed)
}

fn round_trip_problem(program: &Program) -> Option<String> {
    let printed = print_program(program);
    let mode = if program.scripts.iter().any(|s| s.name.is_some()) {
        ParseMode::Alarms
    } else {
        ParseMode::Standalone
    };
    let (again, rendered, failed) = parse_text("printed.pikt", &printed, mode);
    if failed {
        return Some(format!(
            "printed text does not parse:\n{printed}\n{rendered}"
        ));
    }
    let before = without_spans(&format!("{program:?}"));
    let after = without_spans(&format!("{again:?}"));
    let first_difference = before
        .split(", ")
        .zip(after.split(", "))
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("first difference:\n  before: {a}\n  after:  {b}"))
        .unwrap_or_default();
    (before != after)
        .then(|| format!("round trip changed the tree; {first_difference}\nprinted:\n{printed}"))
}

fn check_case(dir: &Path, bless: bool) -> Option<String> {
    let text = fs::read_to_string(dir.join("script.pikt")).ok()?;
    let (tokens, _) = lexer::lex(&text, FileId(0));
    let joined: String = tokens.iter().map(|t| t.text(&text)).collect();
    if joined != text {
        return Some("tokens do not concatenate back to the source".into());
    }
    let (program, stderr, failed) = parse_text("script.pikt", &text, guess_mode(&text));
    let exit = if failed { "2\n" } else { "" };
    if bless {
        write_or_remove(&dir.join("expected.stderr"), &stderr);
        write_or_remove(&dir.join("expected.exit"), exit);
    }
    let expected_stderr = fs::read_to_string(dir.join("expected.stderr")).unwrap_or_default();
    let expected_exit = fs::read_to_string(dir.join("expected.exit")).unwrap_or_default();
    let mut problems = Vec::new();
    if stderr != expected_stderr {
        problems.push(format!(
            "stderr differs\n--- expected\n{expected_stderr}--- actual\n{stderr}"
        ));
    }
    if exit.trim() != expected_exit.trim() {
        problems.push(format!(
            "exit differs: expected `{}`, got `{}`",
            expected_exit.trim(),
            exit.trim()
        ));
    }
    if !failed {
        problems.extend(round_trip_problem(&program));
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

fn write_or_remove(path: &Path, content: &str) {
    if content.is_empty() {
        let _ = fs::remove_file(path);
    } else {
        fs::write(path, content).expect("expectation written");
    }
}

#[test]
fn parse_cases() {
    let bless = std::env::var_os("PIKT_BLESS").is_some_and(|v| v == "1");
    let dirs = case_dirs();
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|dir| {
            let name = dir.file_name()?.to_string_lossy().into_owned();
            check_case(dir, bless).map(|problem| format!("== {name}\n{problem}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
    assert!(dirs.len() >= 80, "only {} parse cases", dirs.len());
}

#[test]
fn error_and_clean_cases_are_both_plentiful() {
    let dirs = case_dirs();
    let errors = dirs
        .iter()
        .filter(|dir| dir.join("expected.exit").is_file())
        .count();
    assert!(errors >= 40, "only {errors} error cases");
    assert!(
        dirs.len() - errors >= 40,
        "only {} clean cases",
        dirs.len() - errors
    );
}
