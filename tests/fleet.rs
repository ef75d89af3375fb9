//! piktc's host side through the real binary, as the ssh transport will
//! drive it: `piktc --apply-bundle` reads a bundle on stdin and writes a
//! report on stdout; a cut or damaged bundle, or one for another host,
//! changes nothing. And `piktc -r`/`-k` restart and stop a real piktd.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pikt_fleet::frame::{self, BUNDLE_MAGIC, REPORT_MAGIC};
use pikt_fleet::plan::{HostPlan, PlanFile};
use pikt_fleet::report::{FileChange, Report};

const PIKTC: &str = env!("CARGO_BIN_EXE_piktc");
const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

/// Runs `piktc --apply-bundle` on `root` as host `moscow` with `input`.
fn apply(root: &Path, input: &[u8]) -> Report {
    let mut child = Command::new(PIKTC)
        .args(["--apply-bundle", "--host", "moscow", "--piktdir"])
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("piktc: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    frame::decode(REPORT_MAGIC, &mut &out.stdout[..]).unwrap_or_else(|e| panic!("{e}"))
}

fn plan(root: &Path, host: &str, content: &str) -> HostPlan {
    HostPlan {
        host: host.into(),
        piktdir: root.display().to_string(),
        master: "master".into(),
        files: vec![PlanFile {
            path: root.join("lib/objects/Set.obj").display().to_string(),
            what: "object set Set".into(),
            mode: 0o640,
            owner: None,
            force: false,
            content: content.as_bytes().to_vec(),
        }],
        ..HostPlan::default()
    }
}

#[test]
fn apply_bundle_on_stdin_checks_the_bundle_and_installs() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    let target = root.join("lib/objects/Set.obj");

    let report = apply(
        root,
        &frame::encode(BUNDLE_MAGIC, plan(root, "moscow", "v1\n")),
    );
    assert!(!report.failed(), "{report:?}");
    assert_eq!(report.files[0].change, FileChange::New);
    assert_eq!(fs::read_to_string(&target)?, "v1\n");

    let v2 = frame::encode(BUNDLE_MAGIC, plan(root, "moscow", "v2\n"));
    let cut = apply(root, v2.get(..v2.len() - 10).unwrap_or_default());
    assert!(
        cut.refused
            .as_deref()
            .is_some_and(|r| r.contains("incomplete")),
        "{cut:?}"
    );
    let mut damaged = v2.clone();
    let at = damaged.len() - 72;
    damaged[at] ^= 1;
    let report = apply(root, &damaged);
    assert!(
        report
            .refused
            .as_deref()
            .is_some_and(|r| r.contains("damaged")),
        "{report:?}"
    );
    let other = apply(
        root,
        &frame::encode(BUNDLE_MAGIC, plan(root, "paris", "v2\n")),
    );
    assert_eq!(
        other.refused.as_deref(),
        Some("refused the bundle: it is for host `paris`, and this host is `moscow`")
    );
    assert_eq!(fs::read_to_string(&target)?, "v1\n", "nothing changed");

    let report = apply(root, &v2);
    assert_eq!(report.files[0].change, FileChange::Updated);
    assert_eq!(fs::read_to_string(&target)?, "v2\n");
    let again = apply(root, &v2);
    assert_eq!(again.files[0].change, FileChange::Unchanged);
    Ok(())
}

fn piktc(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(PIKTC)
        .args(args)
        .env("PIKT_DIR", root)
        .env("PIKT_HOST", "moscow")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits (at most 5 s) for the process `pid` to be gone; a zombie waiting
/// for its reaper counts as gone.
fn gone(pid: u32) -> bool {
    let started = Instant::now();
    loop {
        let exe = Path::new("/proc").join(pid.to_string()).join("exe");
        if fs::read_link(exe).is_err() {
            return true;
        }
        if started.elapsed() > Duration::from_secs(5) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn running_pid(root: &Path) -> Option<u32> {
    let (_, stdout, _) = piktc(root, &["-s"]);
    stdout
        .lines()
        .next()?
        .strip_prefix("piktd: running (pid ")?
        .strip_suffix(')')?
        .parse()
        .ok()
}

#[test]
fn restart_and_stop_a_real_piktd() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("etc"))?;
    fs::create_dir_all(root.join("bin"))?;
    fs::copy(PIKTD, root.join("bin/piktd"))?;
    fs::write(root.join("etc/piktd.conf"), "30 4 * * * pikt +A Nightly\n")?;

    let (code, stdout, stderr) = piktc(root, &["-rv"]);
    assert_eq!(code, 0, "{stderr}");
    let first = running_pid(root).unwrap_or_else(|| panic!("not running: {stdout}"));
    assert_eq!(stdout, format!("started piktd (pid {first})\n"));

    let (code, stdout, stderr) = piktc(root, &["-rv"]);
    assert_eq!(code, 0, "{stderr}");
    let second = running_pid(root).unwrap_or_else(|| panic!("not running: {stdout}"));
    assert_ne!(first, second);
    assert_eq!(
        stdout,
        format!("restarted piktd: pid {first} stopped, pid {second} started\n")
    );
    assert!(gone(first), "the first piktd (pid {first}) is still there");

    let (code, stdout, _) = piktc(root, &["-kv"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("stopped piktd (pid {second})\n"));
    assert_eq!(running_pid(root), None);
    let log = fs::read_to_string(root.join("var/log/piktd.log"))?;
    assert_eq!(log.matches("INFO stopped").count(), 2, "{log}");
    Ok(())
}
