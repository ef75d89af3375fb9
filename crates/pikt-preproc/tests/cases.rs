//! Case folders: `tests/cases/<name>/` holds `input.cfg` (plus any files it
//! includes, served from `/cfg`), a `host` file describing the run, and the
//! expectations `expected.out` (the preprocessed text), `expected.err` (every
//! diagnostic, rendered) and, when commands ran, `expected.log`; with
//! `explain` in `host`, also `expected.explain`.
//!
//! `host` lines (blank lines and `#` lines ignored):
//!
//! ```text
//! host moscow              the target host's name
//! class mailserver linux   names true for it (repeatable)
//! known nisserver          other names registered in systems.cfg
//! define debug true        a defines.cfg declaration
//! cmdline pikttest true    a piktc +D/-D/-T value
//! kind alarms              the FileKind (default: other)
//! macros macros.cfg        preprocess that file as macros.cfg and use its macros
//! refresh                  piktc -I
//! warn-unknown             warn about unregistered #if names
//! env NAME value           initial #set environment (piktc +E)
//! command 0 text...        a canned command exiting 0 (or 1); its stdout
//! | stdout line            follows on `| ` lines
//! pikt-error message       make #piktexec fail
//! explain                  also write expected.explain
//! ```
//!
//! `PIKT_BLESS=1 cargo test -p pikt-preproc --test cases` rewrites the
//! expectations.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use pikt_preproc::testing::{read_macros, FakeHost};
use pikt_preproc::{preprocess, CommandOutput, Defines, FileKind, HostFacts, MacroTable, Options};
use pikt_source::{render, SourceMap};

struct Spec {
    facts: HostFacts,
    defines: Defines,
    kind: FileKind,
    macros: Option<String>,
    refresh: bool,
    warn_unknown: bool,
    env: Vec<(String, String)>,
    host: FakeHost,
    explain: bool,
}

fn kind(name: &str) -> FileKind {
    match name {
        "systems" => FileKind::Systems,
        "defines" => FileKind::Defines,
        "macros" => FileKind::Macros,
        "alerts" => FileKind::Alerts,
        "alarms" => FileKind::Alarms,
        "objects" => FileKind::Objects,
        "programs" => FileKind::Programs,
        "files" => FileKind::Files,
        _ => FileKind::Other,
    }
}

fn parse_spec(text: &str) -> Spec {
    let mut spec = Spec {
        facts: HostFacts::default(),
        defines: Defines::new(),
        kind: FileKind::Other,
        macros: None,
        refresh: false,
        warn_unknown: false,
        env: Vec::new(),
        host: FakeHost::new(),
        explain: false,
    };
    let mut last_command: Option<String> = None;
    for line in text.lines() {
        if let Some(out) = line
            .strip_prefix("| ")
            .or_else(|| (line == "|").then_some(""))
        {
            let command = last_command.clone().expect("`|` line without `command`");
            let entry = spec.host.commands.get_mut(&command).expect("command");
            entry.stdout.push_str(out);
            entry.stdout.push('\n');
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let words: Vec<&str> = rest.split_whitespace().collect();
        match word {
            "host" => spec.facts.name = rest.trim().to_string(),
            "class" => spec
                .facts
                .classes
                .extend(words.iter().map(|w| w.to_string())),
            "known" => spec.facts.known.extend(words.iter().map(|w| w.to_string())),
            "define" => spec
                .defines
                .declare(words[0], pikt_preproc::parse_bool(words[1]).expect("bool")),
            "cmdline" => spec
                .defines
                .set_command_line(words[0], pikt_preproc::parse_bool(words[1]).expect("bool")),
            "kind" => spec.kind = kind(rest.trim()),
            "macros" => spec.macros = Some(rest.trim().to_string()),
            "refresh" => spec.refresh = true,
            "warn-unknown" => spec.warn_unknown = true,
            "explain" => spec.explain = true,
            "env" => {
                let (k, v) = rest.split_once(' ').unwrap_or((rest, ""));
                spec.env.push((k.to_string(), v.to_string()));
            }
            "command" => {
                let (status, command) = rest.split_once(' ').expect("command STATUS TEXT");
                spec.host.commands.insert(
                    command.to_string(),
                    CommandOutput {
                        stdout: String::new(),
                        success: status == "0",
                        status: status.parse().ok(),
                        ..CommandOutput::default()
                    },
                );
                last_command = Some(command.to_string());
            }
            "pikt-error" => spec.host.pikt_error = Some(rest.to_string()),
            other => panic!("unknown host line `{other}`"),
        }
    }
    let name = spec.facts.name.clone();
    spec.facts.known.extend(spec.facts.classes.iter().cloned());
    spec.facts.known.insert(name);
    spec
}

fn add_files(host: &mut FakeHost, dir: &Path, prefix: &Path) {
    for entry in fs::read_dir(dir).expect("read case dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            add_files(host, &path, &prefix.join(&name));
        } else if name != "host" && !name.starts_with("expected.") {
            host.files
                .insert(prefix.join(&name), fs::read_to_string(&path).expect("read"));
        }
    }
}

struct Outcome {
    out: String,
    err: String,
    log: String,
    explain: String,
}

fn run_case(dir: &Path) -> (Outcome, bool) {
    let mut spec = parse_spec(&fs::read_to_string(dir.join("host")).unwrap_or_default());
    add_files(&mut spec.host, dir, Path::new("/cfg"));
    let mut map = SourceMap::new();
    let mut err = String::new();
    let mut table = MacroTable::with_predefined(Path::new("/pikt"), &spec.facts.name);
    if let Some(name) = &spec.macros {
        let text = spec
            .host
            .files
            .get(&PathBuf::from("/cfg").join(name))
            .cloned()
            .expect("macros file");
        let file = map.add(name.clone(), text);
        let mut opts = Options::new(&spec.facts, &mut spec.defines, FileKind::Macros, "/cfg");
        opts.env = spec.env.clone();
        let result = preprocess(&mut map, file, &mut opts, &spec.host);
        for diag in &result.diagnostics {
            err.push_str(&render(&map, diag));
        }
        for diag in read_macros(&map, result.file, &mut table) {
            err.push_str(&render(&map, &diag));
        }
    }
    let input = fs::read_to_string(dir.join("input.cfg")).expect("input.cfg");
    let file = map.add("input.cfg", input);
    let mut opts = Options::new(&spec.facts, &mut spec.defines, spec.kind, "/cfg");
    opts.macros = spec.macros.is_some().then_some(&table);
    opts.refresh = spec.refresh;
    opts.warn_unknown_classes = spec.warn_unknown;
    opts.env = spec.env.clone();
    let result = preprocess(&mut map, file, &mut opts, &spec.host);
    for diag in &result.diagnostics {
        err.push_str(&render(&map, diag));
    }
    let out = map.get(result.file).text.clone();
    let mut log = String::new();
    for (command, env) in spec.host.ran.borrow().iter() {
        let env: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(log, "run [{command}] env [{}]", env.join(" "));
    }
    for statements in spec.host.pikt_ran.borrow().iter() {
        let _ = writeln!(log, "pikt [{statements}]");
    }
    let mut explain = String::new();
    if spec.explain {
        for (i, line) in out.lines().enumerate() {
            let branches: Vec<String> = result
                .explain
                .branches(i)
                .iter()
                .map(|b| format!("{} @ {}", b.directive, map.location(b.span)))
                .collect();
            let _ = writeln!(explain, "{line:<30} <- {}", branches.join(" / "));
        }
    }
    // Every output byte must trace back to a real file.
    for offset in 0..out.len() {
        let span = pikt_source::Span::new(result.file, offset, offset);
        let resolved = map.resolve(span);
        assert!(
            !map.get(resolved.span.file).is_derived(),
            "{}: offset {offset} not traced",
            dir.display()
        );
    }
    (
        Outcome {
            out,
            err,
            log,
            explain,
        },
        spec.explain,
    )
}

fn check(
    dir: &Path,
    name: &str,
    actual: &str,
    bless: bool,
    failures: &mut Vec<String>,
    optional: bool,
) {
    let path = dir.join(name);
    if bless {
        if optional && actual.is_empty() {
            let _ = fs::remove_file(&path);
        } else {
            fs::write(&path, actual).expect("write expectation");
        }
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "{}/{name}:\n--- expected\n{expected}\n--- actual\n{actual}",
            dir.display()
        ));
    }
}

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let bless = std::env::var_os("PIKT_BLESS").is_some();
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let (outcome, explain) = run_case(dir);
        check(
            dir,
            "expected.out",
            &outcome.out,
            bless,
            &mut failures,
            false,
        );
        check(
            dir,
            "expected.err",
            &outcome.err,
            bless,
            &mut failures,
            false,
        );
        check(
            dir,
            "expected.log",
            &outcome.log,
            bless,
            &mut failures,
            true,
        );
        if explain {
            check(
                dir,
                "expected.explain",
                &outcome.explain,
                bless,
                &mut failures,
                false,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        dirs.len() >= 40,
        "expected at least 40 cases, found {}",
        dirs.len()
    );
}
