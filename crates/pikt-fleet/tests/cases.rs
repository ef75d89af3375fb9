//! Runs the case folders of `tests/cases/config/` and `tests/cases/piktc/`
//! through the library, exactly as the piktc binary would (the binary only
//! adds printing), so they are tested without building the binary. The
//! root package's integration harness runs the same folders through the
//! real `piktc`.
//!
//! The folder format is the project's (docs/testing.md): `args` (one per
//! line, `$TMP` = the working directory), `env` (`KEY=VALUE`), any other
//! file copied into the working directory (here: `lib/configs/*.cfg`, maybe
//! `etc/`), and `expected.stdout`, `expected.stderr`, `expected.exit`,
//! `expected.files/<path>`. `PIKT_BLESS=1` rewrites the expectations.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use pikt_config::SiteEnv;
use pikt_fleet::progress::PlainProgress;
use pikt_fleet::{Context, Outcome};

/// Cases expected to fail, with the reason (none at the moment).
const KNOWN_DIFFERENT: &[(&str, &str)] = &[];

const TMP: &str = "$TMP";

fn cases_root(group: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cases")
        .join(group)
}

fn bless() -> bool {
    std::env::var_os("PIKT_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn config_cases() {
    run_group("config");
}

#[test]
fn piktc_cases() {
    run_group("piktc");
}

fn run_group(group: &str) {
    let root = cases_root(group);
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("args").is_file())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    assert!(!cases.is_empty(), "no cases under {}", root.display());
    let mut failures = Vec::new();
    for case in &cases {
        let name = format!(
            "{group}/{}",
            case.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        let known = KNOWN_DIFFERENT.iter().find(|(n, _)| *n == name);
        match (run_case(case), known) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Ok(()), Some((_, why))) => failures.push(format!(
                "{name}: listed as known-different ({why}) but passes"
            )),
            (Err(problem), None) => failures.push(format!("{name}:\n{problem}")),
        }
    }
    println!("{group}: {} cases, {} failed", cases.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn run_case(case: &Path) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let work = tmp.path();
    copy_tree(case, work, true).map_err(|e| format!("copy: {e}"))?;
    let tmp_text = work.to_string_lossy().into_owned();
    let args = lines(&read(&case.join("args"))?, &tmp_text);
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("PIKT_HOST".into(), "testhost".into());
    for line in lines(
        &read_optional(&case.join("env"))?.unwrap_or_default(),
        &tmp_text,
    ) {
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    // The binary writes one line per host to standard error as hosts end
    // (not on a terminal); so does this, before the outcome's own.
    let mut progress = PlainProgress::new(Vec::new());
    let mut ctx = Context::new(
        SiteEnv {
            piktdir: env.get("PIKT_DIR").map(Into::into),
            host: env.get("PIKT_HOST").cloned(),
            kernel_host: None,
            conf_path: Some(
                env.get("PIKT_CONF_PATH")
                    .cloned()
                    .unwrap_or_default()
                    .into(),
            ),
        },
        &mut progress,
    );
    ctx.ssh_config = env.get("PIKT_SSH_CONFIG").map(Into::into);
    let mut outcome = pikt_fleet::run_command_line(&args, false, &mut ctx);
    drop(ctx);
    let lines = String::from_utf8_lossy(&progress.into_inner()).into_owned();
    outcome.stderr.insert_str(0, &lines);
    let actual = Actual {
        stdout: outcome.stdout.replace(&tmp_text, TMP),
        stderr: outcome.stderr.replace(&tmp_text, TMP),
        outcome,
    };
    if bless() {
        return bless_case(case, work, &actual);
    }
    compare(case, work, &actual)
}

struct Actual {
    stdout: String,
    stderr: String,
    outcome: Outcome,
}

fn compare(case: &Path, work: &Path, actual: &Actual) -> Result<(), String> {
    let mut problems = Vec::new();
    for (file, got) in [
        ("expected.stdout", &actual.stdout),
        ("expected.stderr", &actual.stderr),
    ] {
        let want = read_optional(&case.join(file))?.unwrap_or_default();
        if want != *got {
            problems.push(format!(
                "{file} differs\n--- expected\n{want}--- actual\n{got}---"
            ));
        }
    }
    let want_exit: i32 = read_optional(&case.join("expected.exit"))?.map_or(Ok(0), |t| {
        t.trim()
            .parse()
            .map_err(|_| "bad expected.exit".to_string())
    })?;
    if want_exit != actual.outcome.exit {
        problems.push(format!(
            "exit {} (expected {want_exit})",
            actual.outcome.exit
        ));
    }
    for rel in expected_files(case)? {
        let want = read(&case.join("expected.files").join(&rel))?;
        match read_optional(&work.join(&rel))? {
            Some(got) if got == want => {}
            Some(got) => problems.push(format!(
                "file {} differs\n--- expected\n{want}--- actual\n{got}---",
                rel.display()
            )),
            None => problems.push(format!("file {} was not written", rel.display())),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn bless_case(case: &Path, work: &Path, actual: &Actual) -> Result<(), String> {
    write_or_remove(&case.join("expected.stdout"), &actual.stdout)?;
    write_or_remove(&case.join("expected.stderr"), &actual.stderr)?;
    let exit = if actual.outcome.exit == 0 {
        String::new()
    } else {
        format!("{}\n", actual.outcome.exit)
    };
    write_or_remove(&case.join("expected.exit"), &exit)?;
    for rel in expected_files(case)? {
        let got = read_optional(&work.join(&rel))?.unwrap_or_default();
        fs::write(case.join("expected.files").join(&rel), got).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn write_or_remove(path: &Path, text: &str) -> Result<(), String> {
    if text.is_empty() {
        match fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
            _ => Ok(()),
        }
    } else {
        fs::write(path, text).map_err(|e| e.to_string())
    }
}

fn expected_files(case: &Path) -> Result<Vec<PathBuf>, String> {
    let base = case.join("expected.files");
    let mut out = Vec::new();
    if base.is_dir() {
        collect(&base, Path::new(""), &mut out).map_err(|e| e.to_string())?;
    }
    out.sort();
    Ok(out)
}

fn collect(base: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(base.join(rel))? {
        let entry = entry?;
        let r = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            collect(base, &r, out)?;
        } else {
            out.push(r);
        }
    }
    Ok(())
}

/// Copies `from` into `to`, leaving out `expected.*` at the top level.
fn copy_tree(from: &Path, to: &Path, top: bool) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if top && name.to_string_lossy().starts_with("expected.") {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            // A case may plant a link (the hostile-* cases): copied as a
            // link a local user planted (one root made would be followed).
            pikt_fs::testing::plant_link(&fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            fs::create_dir_all(&target)?;
            copy_tree(&entry.path(), &target, false)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn lines(text: &str, tmp: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.replace(TMP, tmp))
        .collect()
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_optional(path: &Path) -> Result<Option<String>, String> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
