//! Folder-per-case tests: run a binary in a copy of each case folder and compare what
//! it printed, its exit status and the files it wrote with the folder's `expected.*`.
//!
//! A case is any folder under the root that holds `script.pikt` or `args`; the format
//! is documented in `docs/testing.md`. Each case runs in a fresh temporary copy of its
//! folder (the `expected.*` entries left out) with a fixed environment, so scripts can
//! read and write relative files and cases never see each other. Every failure is
//! collected; the run panics at the end naming each failing case by path, with the
//! first differing lines. `PIKT_BLESS=1` rewrites the expectations instead.
//!
//! Nothing is normalised except the temporary directory's path, which reads `$TMP` in
//! stdout and stderr, so expectations stay byte-exact.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, waitid, Pid, Signal, WaitId, WaitIdOptions};

/// Environment variable that switches the harness from comparing to rewriting.
const BLESS_VAR: &str = "PIKT_BLESS";
/// How long one case may run before its process group is killed.
const CASE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for the output pipes to close once the process group is gone.
const PIPE_GRACE: Duration = Duration::from_secs(5);
/// What the temporary directory's path reads as in stdout, stderr, `args` and `env`.
const TMP_PLACEHOLDER: &str = "$TMP";
/// Prefix of the entries of a case folder that hold expectations (never copied).
const EXPECTED_PREFIX: &str = "expected.";
/// Folder of expected file contents, by path relative to the case's working directory.
const EXPECTED_FILES: &str = "expected.files";
/// `PATH` for the binary when the test process itself has none.
const FALLBACK_PATH: &str = "/usr/local/bin:/usr/bin:/bin";
/// Lines of unchanged text shown around a difference.
const DIFF_CONTEXT: usize = 3;
/// Changed lines shown per side before a diff is cut short.
const DIFF_MAX_LINES: usize = 40;

/// Runs every case under `root` with the binary `bin` and panics with a report naming
/// each failing case and showing how its output differs. Prints `N passed, M failed`.
///
/// With `PIKT_BLESS=1` in the environment the `expected.*` files are rewritten from
/// what the binary did instead (see `docs/testing.md`).
pub fn run_cases(root: &Path, bin: &Path) {
    run_cases_except(root, bin, &[]);
}

/// [`run_cases`] with known deviations: each `(case, reason)` names a case by its path
/// relative to `root` (`/`-separated) that is expected to fail, and why. Such a case
/// failing does not fail the run and is never blessed; such a case passing does fail
/// the run, so the list cannot go stale.
pub fn run_cases_except(root: &Path, bin: &Path, known: &[(&str, &str)]) {
    run_with(root, bin, known, &Settings::from_env());
}

/// How a run behaves; fixed by the environment except in this module's own tests.
#[derive(Clone, Debug)]
struct Settings {
    bless: bool,
    timeout: Duration,
}

impl Settings {
    fn from_env() -> Self {
        let bless =
            std::env::var_os(BLESS_VAR).is_some_and(|value| !value.is_empty() && value != "0");
        Settings {
            bless,
            timeout: CASE_TIMEOUT,
        }
    }
}

fn run_with(root: &Path, bin: &Path, known: &[(&str, &str)], settings: &Settings) {
    let cases = discover(root).unwrap_or_else(|err| {
        panic!(
            "cannot read the case folders under {}: {err}",
            root.display()
        )
    });
    assert!(
        !cases.is_empty(),
        "no case folders (holding `script.pikt` or `args`) under {}",
        root.display()
    );
    let bin = absolute_program(bin);
    let outcomes = run_all(&cases, &bin, known, settings);
    let report = Report::new(&cases, outcomes, known);
    println!("{}", report.summary());
    if let Some(message) = report.failure_message(root) {
        panic!("{message}");
    }
}

/// One case folder.
#[derive(Debug)]
struct Case {
    dir: PathBuf,
    /// Path relative to the root, `/`-separated: how failures and known deviations name it.
    name: String,
}

/// What happened to one case.
#[derive(Debug)]
enum Outcome {
    Passed,
    Blessed,
    Failed(String),
}

/// What the binary did in one case.
#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    /// The exit code, or 128 + the signal number when a signal ended the process.
    exit: i32,
    /// Contents of the files that `expected.files/` names, by relative path; `None` when
    /// the run did not leave such a file.
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

/// The case folders under `root`, sorted by name. A case folder's subfolders are its
/// own fixtures and are not searched for further cases.
fn discover(root: &Path) -> io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    collect_cases(root, root, &mut cases)?;
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

fn collect_cases(root: &Path, dir: &Path, cases: &mut Vec<Case>) -> io::Result<()> {
    if is_case(dir) {
        cases.push(Case {
            dir: dir.to_path_buf(),
            name: case_name(root, dir),
        });
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_cases(root, &path, cases)?;
        }
    }
    Ok(())
}

fn is_case(dir: &Path) -> bool {
    dir.join("script.pikt").is_file() || dir.join("args").is_file()
}

fn case_name(root: &Path, dir: &Path) -> String {
    let relative = dir.strip_prefix(root).unwrap_or(dir);
    let parts: Vec<_> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Makes a relative program path with a directory part absolute, because the binary
/// runs in another working directory; a bare name is left for the `PATH` search.
fn absolute_program(bin: &Path) -> PathBuf {
    let has_dir = bin.components().count() > 1;
    if bin.is_relative() && has_dir {
        if let Ok(cwd) = std::env::current_dir() {
            return cwd.join(bin);
        }
    }
    bin.to_path_buf()
}

/// Runs the cases on a few threads (each case is mostly waiting for its process) and
/// returns the outcomes in case order.
fn run_all(
    cases: &[Case],
    bin: &Path,
    known: &[(&str, &str)],
    settings: &Settings,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let workers = thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(1, cases.len().max(1));
    let mut outcomes: Vec<(usize, Outcome)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(index) else {
                            break done;
                        };
                        let is_known = known.iter().any(|(name, _)| *name == case.name);
                        let bless = settings.bless && !is_known;
                        done.push((index, check_case(case, bin, bless, settings.timeout)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

fn check_case(case: &Case, bin: &Path, bless: bool, timeout: Duration) -> Outcome {
    let run = match run_case(case, bin, timeout) {
        Ok(run) => run,
        Err(problem) => return Outcome::Failed(problem),
    };
    if bless {
        match bless_case(case, &run) {
            Ok(()) => Outcome::Blessed,
            Err(problem) => Outcome::Failed(problem),
        }
    } else {
        compare_case(case, &run)
    }
}

/// Runs the binary in a temporary copy of the case folder.
fn run_case(case: &Case, bin: &Path, timeout: Duration) -> Result<Run, String> {
    let temp = tempfile::Builder::new()
        .prefix("pikt-case-")
        .tempdir()
        .map_err(|err| format!("cannot create a temporary directory: {err}"))?;
    let work = temp.path();
    copy_case(&case.dir, work).map_err(|err| format!("cannot copy the case folder: {err}"))?;
    let tmp_text = work.to_string_lossy();
    let args = case_args(&case.dir, &tmp_text)?;
    let env = case_env(&case.dir, &tmp_text)?;
    let stdin = match fs::File::open(case.dir.join("stdin")) {
        Ok(file) => Stdio::from(file),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Stdio::null(),
        Err(err) => return Err(format!("cannot open `stdin`: {err}")),
    };
    let mut command = Command::new(bin);
    command
        .args(&args)
        .current_dir(work)
        .env_clear()
        .envs(&env)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let output = run_with_timeout(command, bin, timeout)?;
    let files = expected_file_names(&case.dir)
        .map_err(|err| format!("cannot read `{EXPECTED_FILES}`: {err}"))?
        .into_iter()
        .map(|name| {
            let content = fs::read(work.join(&name)).ok();
            (name, content)
        })
        .collect();
    Ok(Run {
        stdout: replace_tmp(&output.stdout, work),
        stderr: replace_tmp(&output.stderr, work),
        exit: exit_code(output.status),
        files,
    })
}

/// Copies the case folder into `to`, leaving out the `expected.*` entries.
fn copy_case(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(EXPECTED_PREFIX)
        {
            copy_entry(&entry.path(), &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn copy_entry(from: &Path, to: &Path) -> io::Result<()> {
    let kind = fs::symlink_metadata(from)?.file_type();
    if kind.is_symlink() {
        // Planted as a local user would: a link root made would be followed.
        pikt_fs::testing::plant_link(&fs::read_link(from)?, to)
    } else if kind.is_dir() {
        fs::create_dir(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_entry(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        fs::copy(from, to).map(|_| ())
    }
}

/// The arguments: the lines of `args` (blank lines skipped, `$TMP` replaced), or
/// `script.pikt` alone when there is no `args` file.
fn case_args(dir: &Path, tmp: &str) -> Result<Vec<String>, String> {
    Ok(match read_optional_text(&dir.join("args"))? {
        Some(text) => parse_lines(&text, tmp),
        None => vec!["script.pikt".to_owned()],
    })
}

fn parse_lines(text: &str, tmp: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.replace(TMP_PLACEHOLDER, tmp))
        .collect()
}

/// The fixed environment, the `now` file's time, then the `env` file's `KEY=VALUE`
/// lines (which may override the fixed ones).
fn case_env(dir: &Path, tmp: &str) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    let path = std::env::var("PATH").unwrap_or_else(|_| FALLBACK_PATH.to_owned());
    env.insert("PATH".to_owned(), path);
    env.insert("HOME".to_owned(), tmp.to_owned());
    env.insert("TZ".to_owned(), "UTC".to_owned());
    env.insert("LC_ALL".to_owned(), "C".to_owned());
    env.insert("PIKT_HOST".to_owned(), "testhost".to_owned());
    // PIKT.conf and piktd.conf only from the case's own tree, never the
    // machine's /etc (a case's `env` may name its own search list).
    env.insert("PIKT_CONF_PATH".to_owned(), String::new());
    // Coverage tools find their profile files through this one.
    if let Ok(profile) = std::env::var("LLVM_PROFILE_FILE") {
        env.insert("LLVM_PROFILE_FILE".to_owned(), profile);
    }
    if let Some(now) = read_optional_text(&dir.join("now"))? {
        env.insert("PIKT_NOW".to_owned(), now.trim().to_owned());
    }
    if let Some(text) = read_optional_text(&dir.join("env"))? {
        for line in parse_lines(&text, tmp) {
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("`env`: expected `KEY=VALUE`, found `{line}`"))?;
            env.insert(key.to_owned(), value.to_owned());
        }
    }
    Ok(env)
}

/// The file's text, `None` when it does not exist.
fn read_optional_text(path: &Path) -> Result<Option<String>, String> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(format!("cannot read `{}`: {err}", path.display())),
    }
}

/// Relative paths of the files under `expected.files/` (none when it is absent).
fn expected_file_names(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let base = dir.join(EXPECTED_FILES);
    let mut names = Vec::new();
    if base.is_dir() {
        collect_files(&base, Path::new(""), &mut names)?;
    }
    names.sort();
    Ok(names)
}

fn collect_files(base: &Path, relative: &Path, names: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(base.join(relative))? {
        let entry = entry?;
        let name = relative.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            collect_files(base, &name, names)?;
        } else {
            names.push(name);
        }
    }
    Ok(())
}

/// Everything a finished process left behind.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: ExitStatus,
}

/// Runs `command` (which must start its own process group) for at most `timeout`.
/// When it ends, whatever it left running in the background is killed with it, so the
/// output pipes close and no stray process outlives the case.
fn run_with_timeout(mut command: Command, bin: &Path, timeout: Duration) -> Result<Output, String> {
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot start `{}`: {err}", bin.display()))?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let exited = wait_for_exit(&child, timeout);
    // The child is not reaped yet, so its pid (the group's id) cannot have been reused.
    let _ = kill_process_group(Pid::from_child(&child), Signal::KILL);
    let status = child
        .wait()
        .map_err(|err| format!("cannot wait for the process: {err}"))?;
    if !exited {
        return Err(format!(
            "timed out after {} s and was killed",
            timeout.as_secs_f64()
        ));
    }
    let deadline = Instant::now() + PIPE_GRACE;
    let stdout = receive_output(&stdout, deadline, "stdout")?;
    let stderr = receive_output(&stderr, deadline, "stderr")?;
    Ok(Output {
        stdout,
        stderr,
        status,
    })
}

fn read_in_background(
    pipe: Option<impl Read + Send + 'static>,
) -> mpsc::Receiver<io::Result<Vec<u8>>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = Vec::new();
        let result = match pipe {
            Some(mut pipe) => pipe.read_to_end(&mut buffer).map(|_| buffer),
            None => Ok(buffer),
        };
        // The receiver is gone only when the case already failed.
        let _ = sender.send(result);
    });
    receiver
}

fn receive_output(
    receiver: &mpsc::Receiver<io::Result<Vec<u8>>>,
    deadline: Instant,
    stream: &str,
) -> Result<Vec<u8>, String> {
    let wait = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(wait) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) => Err(format!("cannot read {stream}: {err}")),
        Err(_) => Err(format!(
            "{stream} stayed open after the process ended (a detached background process?)"
        )),
    }
}

/// Waits until the child exits, without reaping it; false when `timeout` passed first.
fn wait_for_exit(child: &Child, timeout: Duration) -> bool {
    let pid = Pid::from_child(child);
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        match waitid(WaitId::Pid(pid), options) {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => thread::sleep(pause),
        }
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(-1)
}

/// The output as text with the temporary directory's path (as given and as
/// canonicalised, in case the temp dir lies behind a symlink) replaced by `$TMP`.
fn replace_tmp(bytes: &[u8], tmp: &Path) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    let mut paths = vec![tmp.to_string_lossy().into_owned()];
    if let Ok(canonical) = tmp.canonicalize() {
        paths.push(canonical.to_string_lossy().into_owned());
    }
    // Longer first, so a path that contains the other is replaced whole.
    paths.sort_by_key(|path| std::cmp::Reverse(path.len()));
    for path in paths.iter().filter(|path| !path.is_empty()) {
        text = text.replace(path.as_str(), TMP_PLACEHOLDER);
    }
    text
}

/// Compares a run with the case's expectations.
fn compare_case(case: &Case, run: &Run) -> Outcome {
    let problems = match expectation_problems(case, run) {
        Ok(problems) => problems,
        Err(problem) => vec![problem],
    };
    if problems.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(problems.join("\n"))
    }
}

fn expectation_problems(case: &Case, run: &Run) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for (file, actual) in [
        ("expected.stdout", &run.stdout),
        ("expected.stderr", &run.stderr),
    ] {
        let expected = read_optional_text(&case.dir.join(file))?.unwrap_or_default();
        if expected != *actual {
            problems.push(format!("{file} differs:\n{}", diff(&expected, actual)));
        }
    }
    let expected_exit = expected_exit(&case.dir)?;
    if expected_exit != run.exit {
        problems.push(format!(
            "exit status {} where expected.exit says {expected_exit}",
            run.exit
        ));
    }
    for (name, actual) in &run.files {
        let path = case.dir.join(EXPECTED_FILES).join(name);
        let expected =
            fs::read(&path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        match actual {
            None => problems.push(format!("file `{}` was not written", name.display())),
            Some(actual) if *actual != expected => problems.push(format!(
                "file `{}` differs:\n{}",
                name.display(),
                diff(
                    &String::from_utf8_lossy(&expected),
                    &String::from_utf8_lossy(actual)
                )
            )),
            Some(_) => {}
        }
    }
    Ok(problems)
}

/// The exit code `expected.exit` names; 0 when there is no such file.
fn expected_exit(dir: &Path) -> Result<i32, String> {
    match read_optional_text(&dir.join("expected.exit"))? {
        None => Ok(0),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("expected.exit holds `{}`, not an exit code", text.trim())),
    }
}

/// Rewrites the expectations from a run: `expected.stdout`/`expected.stderr` exist only
/// when non-empty, `expected.exit` only when non-zero, and only the `expected.files`
/// that already exist are rewritten.
fn bless_case(case: &Case, run: &Run) -> Result<(), String> {
    write_or_remove(&case.dir.join("expected.stdout"), run.stdout.as_bytes())?;
    write_or_remove(&case.dir.join("expected.stderr"), run.stderr.as_bytes())?;
    let exit = if run.exit == 0 {
        String::new()
    } else {
        format!("{}\n", run.exit)
    };
    write_or_remove(&case.dir.join("expected.exit"), exit.as_bytes())?;
    let mut missing = Vec::new();
    for (name, actual) in &run.files {
        match actual {
            Some(bytes) => write_file(&case.dir.join(EXPECTED_FILES).join(name), bytes)?,
            None => missing.push(format!(
                "file `{}` was not written; its expectation is kept",
                name.display()
            )),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join("\n"))
    }
}

fn write_or_remove(path: &Path, content: &[u8]) -> Result<(), String> {
    if !content.is_empty() {
        return write_file(path, content);
    }
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            Err(format!("cannot remove `{}`: {err}", path.display()))
        }
        _ => Ok(()),
    }
}

fn write_file(path: &Path, content: &[u8]) -> Result<(), String> {
    fs::write(path, content).map_err(|err| format!("cannot write `{}`: {err}", path.display()))
}

/// A unified-style diff of `expected` (`-`) against `actual` (`+`): one hunk from the
/// first to the last differing line, with context, cut short after [`DIFF_MAX_LINES`]
/// changed lines per side. A line without its final newline is marked as diff does.
fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.split_inclusive('\n').collect();
    let new: Vec<&str> = actual.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(old.len().min(new.len()) - prefix)
        .take_while(|(a, b)| a == b)
        .count();
    let old_end = old.len() - suffix;
    let new_end = new.len() - suffix;
    let start = prefix.saturating_sub(DIFF_CONTEXT);
    let old_stop = (old_end + DIFF_CONTEXT).min(old.len());
    let new_stop = (new_end + DIFF_CONTEXT).min(new.len());

    let mut out = format!(
        "@@ -{} +{} @@\n",
        hunk_range(start, old_stop - start),
        hunk_range(start, new_stop - start)
    );
    push_lines(
        &mut out,
        ' ',
        old.get(start..prefix).unwrap_or_default(),
        usize::MAX,
    );
    push_lines(
        &mut out,
        '-',
        old.get(prefix..old_end).unwrap_or_default(),
        DIFF_MAX_LINES,
    );
    push_lines(
        &mut out,
        '+',
        new.get(prefix..new_end).unwrap_or_default(),
        DIFF_MAX_LINES,
    );
    push_lines(
        &mut out,
        ' ',
        old.get(old_end..old_stop).unwrap_or_default(),
        usize::MAX,
    );
    out
}

/// `line,count` as in a unified diff header (1-based; an empty range names the line before).
fn hunk_range(start: usize, count: usize) -> String {
    let first = if count == 0 { start } else { start + 1 };
    format!("{first},{count}")
}

fn push_lines(out: &mut String, marker: char, lines: &[&str], limit: usize) {
    for line in lines.iter().take(limit) {
        out.push(marker);
        if let Some(text) = line.strip_suffix('\n') {
            out.push_str(text);
            out.push('\n');
        } else {
            out.push_str(line);
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
    if lines.len() > limit {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{marker}... {} more lines", lines.len() - limit);
    }
}

/// The tally of a run and the failures that make it fail.
struct Report {
    passed: usize,
    blessed: usize,
    known_failed: usize,
    /// (case name, what went wrong), in case order.
    failures: Vec<(String, String)>,
}

impl Report {
    fn new(cases: &[Case], outcomes: Vec<Outcome>, known: &[(&str, &str)]) -> Self {
        let mut report = Report {
            passed: 0,
            blessed: 0,
            known_failed: 0,
            failures: Vec::new(),
        };
        for (case, outcome) in cases.iter().zip(outcomes) {
            let reason = known
                .iter()
                .find(|(name, _)| *name == case.name)
                .map(|(_, reason)| *reason);
            match (outcome, reason) {
                (Outcome::Passed, None) => report.passed += 1,
                (Outcome::Blessed, _) => report.blessed += 1,
                (Outcome::Failed(problem), None) => {
                    report.failures.push((case.name.clone(), problem));
                }
                (Outcome::Failed(_), Some(_)) => report.known_failed += 1,
                (Outcome::Passed, Some(reason)) => report.failures.push((
                    case.name.clone(),
                    format!(
                        "listed as a known failure ({reason}) but passes: remove it from the list"
                    ),
                )),
            }
        }
        for (name, _) in known {
            if !cases.iter().any(|case| case.name == *name) {
                report.failures.push((
                    (*name).to_owned(),
                    "listed as a known failure but no such case exists".to_owned(),
                ));
            }
        }
        report
    }

    /// `N passed, M failed` (blessed cases count as passed), then notes if any.
    fn summary(&self) -> String {
        let mut text = format!(
            "{} passed, {} failed",
            self.passed + self.blessed,
            self.failures.len()
        );
        if self.blessed > 0 {
            let _ = write!(
                text,
                "\n{} cases blessed ({BLESS_VAR} is set)",
                self.blessed
            );
        }
        if self.known_failed > 0 {
            let _ = write!(
                text,
                "\n{} known failures (listed in the test)",
                self.known_failed
            );
        }
        text
    }

    fn failure_message(&self, root: &Path) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        let mut message = format!(
            "{} failed under {}:\n",
            plural(self.failures.len(), "case"),
            root.display()
        );
        for (name, _) in &self.failures {
            let _ = writeln!(message, "    {name}");
        }
        for (name, problem) in &self.failures {
            let _ = writeln!(message, "\n==> {name}\n{problem}");
        }
        let _ = write!(
            message,
            "\n{}\n(rerun with {BLESS_VAR}=1 to accept the new output)",
            self.summary()
        );
        Some(message)
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: &str = "/bin/sh";

    fn settings() -> Settings {
        Settings {
            bless: false,
            timeout: Duration::from_secs(10),
        }
    }

    /// Writes each `(relative path, content)` under `root`, creating folders.
    fn write_tree(root: &Path, files: &[(&str, &str)]) {
        for (path, content) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().expect("a file path has a parent"))
                .expect("create folder");
            fs::write(path, content).expect("write file");
        }
    }

    /// A case folder `root/name` that runs `sh -c SCRIPT`, plus the given files.
    fn sh_case(root: &Path, name: &str, script: &str, files: &[(&str, &str)]) -> Case {
        let dir = root.join(name);
        write_tree(&dir, &[("args", &format!("-c\n{script}\n"))]);
        write_tree(&dir, files);
        Case {
            dir,
            name: name.to_owned(),
        }
    }

    fn check(case: &Case) -> Outcome {
        check_case(case, Path::new(SH), false, settings().timeout)
    }

    fn failure(outcome: Outcome) -> String {
        match outcome {
            Outcome::Failed(problem) => problem,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn diff_shows_one_hunk_with_three_lines_of_context() {
        let expected = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let actual = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            diff(expected, actual),
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn diff_marks_a_missing_final_newline() {
        assert_eq!(
            diff("a\n", "a"),
            "@@ -1,1 +1,1 @@\n-a\n+a\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn diff_against_nothing_names_the_line_before() {
        assert_eq!(diff("", "x\n"), "@@ -0,0 +1,1 @@\n+x\n");
        assert_eq!(diff("x\ny\n", "x\n"), "@@ -1,2 +1,1 @@\n x\n-y\n");
    }

    #[test]
    fn diff_cuts_long_changes_short() {
        let numbered = |prefix: &str, count: usize| {
            (0..count).fold(String::new(), |mut text, i| {
                let _ = writeln!(text, "{prefix}{i}");
                text
            })
        };
        let old = numbered("o", 50);
        let new = numbered("n", 45);
        let shown = diff(&old, &new);
        assert!(shown.starts_with("@@ -1,50 +1,45 @@\n-o0\n"), "{shown}");
        assert!(shown.contains("-o39\n-... 10 more lines\n+n0\n"), "{shown}");
        assert!(shown.ends_with("+n39\n+... 5 more lines\n"), "{shown}");
    }

    #[test]
    fn temp_dir_path_reads_as_placeholder() {
        let tmp = Path::new("/tmp/pikt-case-abc");
        let text = replace_tmp(b"wrote /tmp/pikt-case-abc/out.log\n", tmp);
        assert_eq!(text, "wrote $TMP/out.log\n");
    }

    #[test]
    fn args_default_to_the_script_and_skip_blank_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(case_args(dir.path(), "/t").expect("args"), ["script.pikt"]);
        write_tree(dir.path(), &[("args", "-c\n\n$TMP/script.pikt\n")]);
        assert_eq!(
            case_args(dir.path(), "/t").expect("args"),
            ["-c", "/t/script.pikt"]
        );
    }

    #[test]
    fn discovery_finds_nested_cases_but_not_fixtures_inside_a_case() {
        let root = tempfile::tempdir().expect("temp dir");
        write_tree(
            root.path(),
            &[
                ("lang/if/script.pikt", ""),
                ("cli/version/args", "-V\n"),
                ("cli/version/fixture/script.pikt", ""),
                ("empty/readme.txt", ""),
            ],
        );
        let names: Vec<_> = discover(root.path())
            .expect("discover")
            .into_iter()
            .map(|case| case.name)
            .collect();
        assert_eq!(names, ["cli/version", "lang/if"]);
    }

    #[test]
    fn a_matching_case_passes() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "ok",
            "echo hi; echo warn >&2; echo data > out.log; mkdir -p sub; echo deep > sub/x; exit 3",
            &[
                ("expected.stdout", "hi\n"),
                ("expected.stderr", "warn\n"),
                ("expected.exit", "3\n"),
                ("expected.files/out.log", "data\n"),
                ("expected.files/sub/x", "deep\n"),
            ],
        );
        assert!(matches!(check(&case), Outcome::Passed));
    }

    #[test]
    fn a_differing_case_reports_every_difference() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "bad",
            "echo hi; echo oops >&2",
            &[
                ("expected.stdout", "bye\n"),
                ("expected.exit", "2"),
                ("expected.files/out.log", "data\n"),
            ],
        );
        assert_eq!(
            failure(check(&case)),
            "expected.stdout differs:\n@@ -1,1 +1,1 @@\n-bye\n+hi\n\n\
             expected.stderr differs:\n@@ -0,0 +1,1 @@\n+oops\n\n\
             exit status 0 where expected.exit says 2\n\
             file `out.log` was not written"
        );
    }

    #[test]
    fn the_environment_is_fixed_and_extended_by_now_and_env_files() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "env",
            r#"echo "$TZ $LC_ALL $PIKT_HOST $PIKT_NOW $HOME"; pwd; echo "$EXTRA""#,
            &[
                ("now", "1000000000\n"),
                ("env", "EXTRA=at $TMP/x\n"),
                (
                    "expected.stdout",
                    "UTC C testhost 1000000000 $TMP\n$TMP\nat $TMP/x\n",
                ),
            ],
        );
        assert!(matches!(check(&case), Outcome::Passed));
    }

    #[test]
    fn stdin_comes_from_the_stdin_file_or_is_empty() {
        let root = tempfile::tempdir().expect("temp dir");
        let fed = sh_case(
            root.path(),
            "fed",
            "cat",
            &[("stdin", "abc\n"), ("expected.stdout", "abc\n")],
        );
        assert!(matches!(check(&fed), Outcome::Passed));
        let empty = sh_case(
            root.path(),
            "empty",
            "cat; echo end",
            &[("expected.stdout", "end\n")],
        );
        assert!(matches!(check(&empty), Outcome::Passed));
    }

    #[test]
    fn the_case_runs_in_a_copy_without_its_expectations() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "copy",
            "ls; echo x > new.txt",
            &[("data.txt", "d"), ("expected.stdout", "args\ndata.txt\n")],
        );
        assert!(matches!(check(&case), Outcome::Passed));
        assert!(
            !case.dir.join("new.txt").exists(),
            "the case folder itself was written to"
        );
    }

    #[test]
    fn a_case_that_runs_too_long_is_killed() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(root.path(), "slow", "sleep 20", &[]);
        let started = Instant::now();
        let outcome = check_case(&case, Path::new(SH), false, Duration::from_millis(300));
        assert_eq!(failure(outcome), "timed out after 0.3 s and was killed");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn background_processes_are_killed_when_the_binary_exits() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "bg",
            "sleep 20 & echo started",
            &[("expected.stdout", "started\n")],
        );
        let started = Instant::now();
        assert!(matches!(check(&case), Outcome::Passed));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn blessing_writes_only_the_expectations_that_say_something() {
        let root = tempfile::tempdir().expect("temp dir");
        let case = sh_case(
            root.path(),
            "bless",
            "echo out; echo data > out.log; echo more > other.log",
            &[
                ("expected.stderr", "old\n"),
                ("expected.exit", "4\n"),
                ("expected.files/out.log", "old\n"),
            ],
        );
        let outcome = check_case(&case, Path::new(SH), true, settings().timeout);
        assert!(matches!(outcome, Outcome::Blessed), "{outcome:?}");
        let read = |name: &str| fs::read_to_string(case.dir.join(name)).ok();
        assert_eq!(read("expected.stdout").as_deref(), Some("out\n"));
        assert_eq!(read("expected.stderr"), None);
        assert_eq!(read("expected.exit"), None);
        assert_eq!(read("expected.files/out.log").as_deref(), Some("data\n"));
        assert_eq!(read("expected.files/other.log"), None);
        assert!(matches!(check(&case), Outcome::Passed));
    }

    #[test]
    fn known_failures_must_fail_and_must_exist() {
        let case = |name: &str| Case {
            dir: PathBuf::from(name),
            name: name.to_owned(),
        };
        let cases = [case("a"), case("b"), case("c")];
        let outcomes = vec![
            Outcome::Failed("differs".to_owned()),
            Outcome::Passed,
            Outcome::Passed,
        ];
        let known = [("a", "not yet"), ("b", "fixed since"), ("gone", "renamed")];
        let report = Report::new(&cases, outcomes, &known);
        assert_eq!(
            report.summary(),
            "1 passed, 2 failed\n1 known failures (listed in the test)"
        );
        let names: Vec<_> = report
            .failures
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["b", "gone"]);
    }

    #[test]
    fn a_run_with_failures_panics_naming_each_failing_case() {
        let root = tempfile::tempdir().expect("temp dir");
        sh_case(
            root.path(),
            "good",
            "echo hi",
            &[("expected.stdout", "hi\n")],
        );
        sh_case(root.path(), "group/bad", "echo hi", &[]);
        let panic =
            std::panic::catch_unwind(|| run_with(root.path(), Path::new(SH), &[], &settings()))
                .expect_err("a failing case must fail the run");
        let message = panic
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        let head = format!(
            "1 case failed under {}:\n    group/bad\n\n==> group/bad\n",
            root.path().display()
        );
        assert!(message.starts_with(&head), "{message}");
        assert!(message.contains("+hi\n"), "{message}");
        assert!(message.contains("\n1 passed, 1 failed\n"), "{message}");
    }

    #[test]
    fn a_run_of_passing_cases_does_not_panic() {
        let root = tempfile::tempdir().expect("temp dir");
        sh_case(
            root.path(),
            "good",
            "echo hi",
            &[("expected.stdout", "hi\n")],
        );
        sh_case(root.path(), "known", "echo hi", &[]);
        run_with(
            root.path(),
            Path::new(SH),
            &[("known", "prints too much")],
            &settings(),
        );
    }
}
