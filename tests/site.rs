//! One installation, seen alike by the three real binaries (`Site`):
//! with PIKT.conf moving `etcdir` and `logdir`, `piktd -z`, a running
//! piktd, `piktc -s` and `piktc -e` all use the moved files and never the
//! defaults under `=piktdir`. And piktd refuses a tree that is not an
//! installation, saying so on stderr, and copies its log to stderr.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

const PIKT: &str = env!("CARGO_BIN_EXE_pikt");
const PIKTC: &str = env!("CARGO_BIN_EXE_piktc");
const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

fn run(program: &str, root: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("PIKT_DIR", root)
        .env("PIKT_HOST", "moscow")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Stops the daemon if an assertion failed half-way.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// A tree whose PIKT.conf moves etcdir and logdir, with a decoy piktd.conf
/// left at the default place.
fn moved_tree() -> std::io::Result<(tempfile::TempDir, std::path::PathBuf, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    let etc = root.join("moved-etc");
    let log = root.join("moved-log");
    fs::create_dir_all(root.join("etc"))?;
    fs::create_dir_all(root.join("lib/configs"))?;
    fs::create_dir_all(&etc)?;
    fs::write(
        root.join("etc/PIKT.conf"),
        format!("etcdir {}\nlogdir {}\n", etc.display(), log.display()),
    )?;
    fs::write(etc.join("piktd.conf"), "30 4 * * * pikt +A Moved\n")?;
    fs::write(root.join("etc/piktd.conf"), "30 4 * * * pikt +A Decoy\n")?;
    fs::write(
        root.join("lib/configs/systems.cfg"),
        "linux\thosts\tmoscow\n",
    )?;
    fs::write(
        root.join("lib/configs/alarms.cfg"),
        "Chk\n\tbegin\n\t\toutput mail \"x\"\n",
    )?;
    fs::write(
        root.join("lib/configs/alerts.cfg"),
        "Fresh\n\ttiming 0 * * * *\n\talarms Chk\n",
    )?;
    Ok((dir, etc, log))
}

#[test]
fn every_binary_follows_pikt_conf_to_the_same_piktd_files() -> std::io::Result<()> {
    let (dir, etc, log) = moved_tree()?;
    let root = dir.path();

    let check = run(PIKTD, root, &["-z"]);
    let schedule = text(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        schedule.contains("Moved") && !schedule.contains("Decoy"),
        "{schedule}"
    );

    let status = run(PIKTC, root, &["-s"]);
    let shown = text(&status.stdout);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
    assert!(shown.starts_with("piktd: not running\n"), "{shown}");
    assert!(
        shown.contains("alert Moved\n") && !shown.contains("Decoy"),
        "{shown}"
    );

    // A running piktd takes its lock and writes its alerts where PIKT.conf says...
    let mut daemon = Daemon(
        Command::new(PIKTD)
            .env("PIKT_DIR", root)
            .env("PIKT_HOST", "moscow")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    assert!(
        wait_until(Duration::from_secs(10), || etc.join("alerts").exists()),
        "piktd wrote no alerts file in the moved etcdir"
    );
    assert!(log.join("piktd.log").exists());
    assert!(!root.join("etc/piktd.lock").exists());
    assert!(!root.join("var/log/piktd.log").exists());
    // ...and piktc -s finds it there.
    let status = run(PIKTC, root, &["-s", "+A", "Moved"]);
    let shown = text(&status.stdout);
    let pid = daemon.0.id();
    assert!(
        shown.starts_with(&format!("piktd: running (pid {pid})\n")),
        "{shown}"
    );
    assert!(shown.contains("  active: yes\n"), "{shown}");

    // piktc -e writes the moved piktd.conf, and leaves the decoy alone.
    let enable = run(PIKTC, root, &["-e", "+A", "Fresh"]);
    assert_eq!(enable.status.code(), Some(0), "{}", text(&enable.stderr));
    let moved = fs::read_to_string(etc.join("piktd.conf"))?;
    assert!(
        moved.contains("+A Moved") && moved.contains("+A Fresh"),
        "{moved}"
    );
    assert_eq!(
        fs::read_to_string(root.join("etc/piktd.conf"))?,
        "30 4 * * * pikt +A Decoy\n"
    );

    if let Some(pid) = Pid::from_raw(i32::try_from(pid).unwrap_or(0)) {
        kill_process(pid, Signal::TERM)?;
    }
    assert_eq!(daemon.0.wait()?.code(), Some(0));
    Ok(())
}

#[test]
fn piktd_refuses_a_tree_that_is_not_an_installation() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let nothing = dir.path().join("nothing");
    let out = Command::new(PIKTD)
        .env("PIKT_DIR", &nothing)
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "piktd: error: no PIKT installation at `{0}`: `{0}` does not exist (use `--piktdir DIR` or set PIKT_DIR to name the installation)\n",
            nothing.display()
        )
    );
    assert!(!nothing.exists(), "piktd made the tree it refused");
    // A root without etc/ is no installation either.
    fs::create_dir_all(&nothing)?;
    let out = Command::new(PIKTD)
        .arg("--piktdir")
        .arg(&nothing)
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nothing/etc` does not exist"));
    assert_eq!(fs::read_dir(&nothing)?.count(), 0);
    Ok(())
}

#[test]
fn piktd_in_the_foreground_copies_its_log_to_stderr() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("etc"))?;
    fs::write(root.join("etc/piktd.conf"), "30 4 * * * pikt +A Nightly\n")?;
    let mut daemon = Daemon(
        Command::new(PIKTD)
            .args(["--piktdir"])
            .arg(root)
            .args(["--host", "web1"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?,
    );
    assert!(wait_until(Duration::from_secs(10), || {
        fs::read_to_string(root.join("var/log/piktd.log")).is_ok_and(|t| t.contains("INFO loaded"))
    }));
    if let Some(pid) = Pid::from_raw(i32::try_from(daemon.0.id()).unwrap_or(0)) {
        kill_process(pid, Signal::TERM)?;
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = daemon.0.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr)?;
    }
    assert_eq!(daemon.0.wait()?.code(), Some(0));
    let log = fs::read_to_string(root.join("var/log/piktd.log"))?;
    assert_eq!(stderr, log, "every log line, and only those, on stderr");
    assert!(log.contains(" web1 piktd["), "--host names the host: {log}");
    assert!(log.trim_end().ends_with("INFO stopped"), "{log}");
    Ok(())
}

#[test]
fn pikt_finds_the_installation_with_piktdir_and_suggests_installed_alerts() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("lib/alerts"))?;
    fs::write(
        root.join("lib/alerts/Urgent.alt"),
        "Chk\n\tbegin\n\t\toutput \"ran\"\n",
    )?;
    let out = Command::new(PIKT)
        .args(["--piktdir"])
        .arg(root)
        .args(["--host", "moscow", "-T", "+A", "Urgent"])
        .env_remove("PIKT_DIR")
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ran\n"));
    let log = fs::read_to_string(root.join("var/log/Urgent.log"))?;
    assert!(log.contains(" moscow pikt["), "{log}");
    let out = run(PIKT, root, &["+A", "Urgnt"]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out.stderr);
    assert!(stderr.ends_with("; did you mean `Urgent`?\n"), "{stderr}");
    assert!(!stderr.contains("piktc -i"), "{stderr}");
    Ok(())
}
