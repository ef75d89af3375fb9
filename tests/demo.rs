//! `examples/demo.sh`, the README's first command, run as a user runs it.
//!
//! * Test mode: every part of the seed's story is shown and labelled (the
//!   count, the log, the mail, the page, the saved mail file, the kill),
//!   nothing is killed, the scratch directory and the storm are gone after.
//! * `--real --keep`: a throw-away user's storm is really killed (the kept
//!   alert log names every one of its processes), the mail file really
//!   saved, the mail delivered to the demo's mailbox; afterwards the user,
//!   its group and its processes are gone.
//! * `--real` interrupted by Ctrl-C in the middle of the alert run: the
//!   same cleanup, and the scratch directory is removed.
//!
//! The demo builds the release binaries; the tests build them first, outside
//! the storm lock, so that the demo's own build is quick. Root is needed
//! for `--real` (the tests run as root); without it they fail.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, Pid, Signal};
use tempfile::TempDir;

use crate::support::users::lookup_user;
use crate::support::{FileLock, IMAPD_STORM_LOCK};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// How long one demo run may take once the binaries are built.
const DEMO_LIMIT: Duration = Duration::from_secs(120);

/// The story's parts, in the order the demo shows them.
const PARTS: [&str; 6] = ["count", "log", "mail", "page", "save", "kill"];

/// Builds the release binaries once per test process (the demo's own
/// `cargo build --release` then has nothing to do).
fn build_release() {
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if *built {
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--release", "--bins"])
        .current_dir(REPO)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        out.status.success(),
        "cargo build --release failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    *built = true;
}

/// A run of the demo with `TMPDIR` in a directory of its own, so that the
/// test can see whether the scratch directory is left behind.
struct Demo {
    tmp: TempDir,
}

impl Demo {
    fn new() -> io::Result<Demo> {
        Ok(Demo {
            tmp: tempfile::Builder::new()
                .prefix("pikt-demo-test-")
                .tempdir()?,
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(Path::new(REPO).join("examples/demo.sh"));
        command
            .args(args)
            .env("TMPDIR", self.tmp.path())
            .env_remove("PIKT_DIR")
            .env_remove("PIKT_HOST")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, as in a terminal: Ctrl-C reaches the
            // whole group, and a hung demo is stopped with all it started.
            .process_group(0);
        command
    }

    /// Runs the demo to its end (at most [`DEMO_LIMIT`]).
    fn run(&self, args: &[&str]) -> io::Result<Output> {
        let child = self.command(args).spawn()?;
        wait_within(child, DEMO_LIMIT)
    }

    /// What is left in the demo's `TMPDIR`.
    fn leftovers(&self) -> Vec<PathBuf> {
        fs::read_dir(self.tmp.path())
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default()
    }
}

/// Waits for `child`, reading its output; kills its process group and fails
/// the test if it has not ended after `limit`.
fn wait_within(mut child: Child, limit: Duration) -> io::Result<Output> {
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            signal_group(&child, Signal::KILL);
            let _ = child.wait();
            panic!("examples/demo.sh still running after {limit:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let collect = |reader: Option<thread::JoinHandle<Vec<u8>>>| {
        reader.and_then(|r| r.join().ok()).unwrap_or_default()
    };
    Ok(Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn signal_group(child: &Child, signal: Signal) {
    let pid = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
    if let Some(pid) = pid {
        let _ = kill_process_group(pid, signal);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The line of part `label` (`  [count]  ...`) and the lines that continue
/// it, squeezed; fails listing the whole output if the part is not there.
fn part(stdout: &str, label: &str) -> String {
    let head = format!("[{label}]");
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&head));
    let Some(first) = lines.next() else {
        panic!("no {head} in the demo's output:\n{stdout}");
    };
    let continued = lines.take_while(|l| l.starts_with("    ") && !l.trim_start().starts_with('['));
    std::iter::once(first)
        .chain(continued)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that every part is shown, in order, and none is missing.
fn assert_whole_story(stdout: &str) {
    assert!(!stdout.contains("MISSING"), "{stdout}");
    let positions: Vec<usize> = PARTS
        .iter()
        .map(|label| {
            stdout
                .find(&format!("  [{label}]"))
                .unwrap_or_else(|| panic!("no [{label}] in the demo's output:\n{stdout}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{stdout}");
}

/// The user whose storm the demo told about (`[count] 25 USER imapd: ...`).
fn storm_user(stdout: &str) -> String {
    let count = part(stdout, "count");
    let words: Vec<&str> = count.split_whitespace().collect();
    assert!(
        words.len() > 3 && words[0] == "[count]" && words[1] == "25" && words[3] == "imapd:",
        "{count}"
    );
    words[2].to_owned()
}

/// How many processes named `comm` the user with `uid` runs (zombies too:
/// they would still show in `ps`).
fn processes_named(comm: &str, uid: u32) -> usize {
    let Ok(dir) = fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter(|entry| {
            let proc_dir = entry.path();
            let name = fs::read_to_string(proc_dir.join("comm")).unwrap_or_default();
            name.trim_end() == comm && owner_uid(&proc_dir) == Some(uid)
        })
        .count()
}

fn owner_uid(proc_dir: &Path) -> Option<u32> {
    let status = fs::read_to_string(proc_dir.join("status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

/// The uid the demo reported for the user it created (`(uid N)`).
fn created_uid(stdout: &str, user: &str) -> u32 {
    let line = stdout
        .lines()
        .find(|l| l.contains(&format!("created the throw-away user {user} (uid ")))
        .unwrap_or_else(|| panic!("no `created the throw-away user {user}`:\n{stdout}"));
    line.rsplit_once("(uid ")
        .and_then(|(_, rest)| rest.trim_end_matches(')').parse().ok())
        .unwrap_or_else(|| panic!("no uid in `{line}`"))
}

/// Nothing of the throw-away user is left: no account, no group, no
/// process, no mail spool file.
fn assert_user_gone(user: &str, uid: u32) -> io::Result<()> {
    assert_eq!(lookup_user(user)?, None, "the user {user} is still there");
    let groups = fs::read_to_string("/etc/group")?;
    assert!(
        !groups.lines().any(|l| l.split(':').next() == Some(user)),
        "the group {user} is still there"
    );
    assert_eq!(processes_named("imapd", uid), 0, "imapd of uid {uid} left");
    let any_left = fs::read_dir("/proc")?
        .filter_map(Result::ok)
        .any(|e| owner_uid(&e.path()) == Some(uid));
    assert!(!any_left, "processes of uid {uid} are still running");
    assert!(!Path::new("/var/mail").join(user).exists());
    Ok(())
}

#[test]
fn demo_tells_the_whole_story_in_test_mode() -> io::Result<()> {
    build_release();
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(600))?;
    let demo = Demo::new()?;
    let out = demo.run(&[])?;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // cargo's progress is shown, not silenced.
    assert!(stderr.contains("`release` profile"), "{stderr}");
    assert_whole_story(&stdout);
    let user = storm_user(&stdout);

    let count = part(&stdout, "count");
    assert!(
        count.ends_with(
            "against the row for host demo (proc log alert page kill): imapd 5 10 20 20"
        ),
        "{count}"
    );
    let log = part(&stdout, "log");
    assert!(
        log.ends_with(&format!("/var/log/ProcCounts.log: 25 {user} imapd")),
        "{log}"
    );
    // The mail is printed, with the count, the saved file and the kill.
    assert!(part(&stdout, "mail").contains("printed above"));
    let mail = stdout
        .split_once("--- test mode: this alert mail is not sent")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no test-mode mail:\n{stdout}"));
    let mail_lines: Vec<String> = mail
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for wanted in [
        "URGENT: ProcCountsChk".to_owned(),
        format!("25 {user} imapd"),
        format!("killed all {user} imapd processes"),
    ] {
        assert!(
            mail_lines.contains(&wanted),
            "no `{wanted}` in the mail:\n{mail}"
        );
    }
    let page = part(&stdout, "page");
    assert!(
        page.starts_with(&format!(
            "[page] exec: echo 'demo: 25 {user} imapd' | mailx -s 'demo:"
        )) && page.ends_with("' root"),
        "{page}"
    );
    let save = part(&stdout, "save");
    assert!(
        save.contains(&format!("/var/demo-mail/{user}' "))
            && save.contains("mail: saved user mail file as "),
        "{save}"
    );
    let kill = part(&stdout, "kill");
    assert!(
        kill.contains(&format!(
            "25 times `exec: kill -9 PID`, then mail: killed all {user} imapd processes"
        )) && kill.ends_with(&format!(
            "nothing was killed, ps still shows 25 processes named imapd of {user}"
        )),
        "{kill}"
    );
    let would_kill: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("exec: kill -9 "))
        .collect();
    assert_eq!(would_kill.len(), 25, "{stdout}");

    // Nothing is left: the storm is stopped, the scratch directory removed.
    let uid = rustix::process::getuid().as_raw();
    assert_eq!(
        processes_named("imapd", uid),
        0,
        "the storm is still running"
    );
    assert_eq!(demo.leftovers(), Vec::<PathBuf>::new());
    Ok(())
}

#[test]
fn demo_real_mode_kills_a_real_storm_and_leaves_no_trace() -> io::Result<()> {
    build_release();
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(600))?;
    let demo = Demo::new()?;
    let out = demo.run(&["--real", "--keep"])?;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_whole_story(&stdout);
    let user = storm_user(&stdout);
    assert!(user.starts_with("storm"), "{user}");
    let uid = created_uid(&stdout, &user);

    let mail = part(&stdout, "mail");
    for wanted in [
        "Subject: PIKT Alert on demo: Urgent".to_owned(),
        format!("25 {user} imapd"),
        "saved user mail file as".to_owned(),
        format!("killed all {user} imapd processes"),
    ] {
        assert!(mail.contains(&wanted), "no `{wanted}` in {mail}");
    }
    let page = part(&stdout, "page");
    assert!(
        page.ends_with(&format!("Subject: demo: 25 {user} imapd")),
        "{page}"
    );
    let kill = part(&stdout, "kill");
    assert!(
        kill.starts_with("[kill] 25 processes killed")
            && kill.contains(&format!("ps now shows 0 processes named imapd of {user}")),
        "{kill}"
    );

    // The kept scratch directory backs the story: pikt killed (and logged)
    // 25 distinct processes of the user, and really copied the mail file.
    let kept: Vec<PathBuf> = demo.leftovers();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let pikt_dir = kept[0].join("pikt");
    let alert_log = fs::read_to_string(pikt_dir.join("var/log/Urgent.log"))?;
    let killed: BTreeSet<&str> = alert_log
        .lines()
        .filter_map(|l| l.split_once("[KILL] killed pid "))
        .filter(|(_, rest)| rest.contains(&format!(" user {user} command imapd ")))
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .collect();
    assert_eq!(killed.len(), 25, "{alert_log}");
    let spool = pikt_dir.join("var/demo-mail").join(&user);
    let archived: Vec<PathBuf> = fs::read_dir(pikt_dir.join("var/demo-mail/arc"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(archived.len(), 1, "{archived:?}");
    assert_eq!(fs::read(&archived[0])?, fs::read(&spool)?);
    // One alert and one page for the storm (other tests' processes on this
    // machine may cross the wild card's page threshold and add pages).
    let mailbox = fs::read_to_string(kept[0].join("mailbox"))?;
    let subjects: Vec<String> = mailbox
        .lines()
        .filter_map(|l| l.strip_prefix("Subject: "))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let count = |wanted: &str| subjects.iter().filter(|s| *s == wanted).count();
    assert_eq!(count("PIKT Alert on demo: Urgent"), 1, "{mailbox}");
    assert_eq!(count(&format!("demo: 25 {user} imapd")), 1, "{mailbox}");

    assert_user_gone(&user, uid)
}

#[test]
fn demo_real_mode_cleans_up_after_ctrl_c() -> io::Result<()> {
    build_release();
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(600))?;
    let demo = Demo::new()?;
    let mut child = demo.command(&["--real"]).spawn()?;
    // Read up to the alert run; its page pauses 5 s: Ctrl-C lands in there.
    let mut seen = String::new();
    if let Some(stdout) = child.stdout.as_mut() {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        while reader.read_line(&mut line)? > 0 {
            seen.push_str(&line);
            if line.starts_with("==> pikt +A Urgent") {
                break;
            }
            line.clear();
        }
    }
    assert!(seen.contains("==> pikt +A Urgent"), "{seen}");
    thread::sleep(Duration::from_secs(1));
    signal_group(&child, Signal::INT);
    let out = wait_within(child, DEMO_LIMIT)?;
    let stdout = seen + &text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        !stdout.contains("[count]"),
        "the story went on after Ctrl-C:\n{stdout}"
    );

    let user = stdout
        .split_once("created the throw-away user ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no user created:\n{stdout}"))
        .to_owned();
    let uid = created_uid(&stdout, &user);
    assert_user_gone(&user, uid)?;
    assert_eq!(demo.leftovers(), Vec::<PathBuf>::new());
    Ok(())
}
