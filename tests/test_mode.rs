//! Test mode (`pikt -T`) through the real binary, one effect kind at a time:
//! what it still does, what it only shows, and, run again without `-T`,
//! proof that the same script does act for real (so a marker that stays
//! missing in test mode means something).
//!
//! The rules are applied in one place, the guard of `pikt-runtime`
//! (`crates/pikt-runtime/src/guard.rs`); these tests hold it to them with
//! real commands, files, a real rsyslogd and real processes. The process
//! test needs root (it starts processes as a test user); it fails, never
//! skips, without it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use tempfile::TempDir;

use crate::support::poll_until;
use crate::support::storm::Storm;
use crate::support::syslog::Syslog;

const PIKT: &str = env!("CARGO_BIN_EXE_pikt");

/// How long a background command or a kill may take to show.
const PATIENCE: Duration = Duration::from_secs(10);

/// One effect kind: a script that has the effect, and what test mode does
/// with it. `DIR` in the script and arguments stands for the run's folder;
/// the effect, when it happens, creates `DIR/marker`.
struct Effect {
    kind: &'static str,
    script: &'static str,
    /// Extra arguments before the script (`+M`, `+L`).
    args: &'static [&'static str],
    /// True when test mode still does it (reads, `doexec`, files, logs).
    in_test_mode: bool,
    /// What test mode prints (all of standard output).
    test_stdout: &'static str,
}

const EFFECTS: &[Effect] = &[
    Effect {
        kind: "exec",
        script: "begin\n    exec \"touch DIR/marker\"\n",
        args: &[],
        in_test_mode: false,
        test_stdout: "exec: touch DIR/marker\n",
    },
    Effect {
        kind: "exec wait",
        script: "begin\n    exec wait \"touch DIR/marker\"\n",
        args: &[],
        in_test_mode: false,
        test_stdout: "exec: touch DIR/marker\n",
    },
    Effect {
        kind: "#system",
        script: "begin\n    output \"status \" . #system(\"touch DIR/marker; exit 3\")\n",
        args: &[],
        in_test_mode: false,
        test_stdout: "exec: touch DIR/marker; exit 3\nstatus 0\n",
    },
    Effect {
        kind: "doexec",
        script: "begin\n    doexec \"touch DIR/marker\"\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "",
    },
    Effect {
        kind: "doexec wait",
        script: "begin\n    doexec wait \"touch DIR/marker; echo ran\"\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "ran\n",
    },
    Effect {
        kind: "#popen read",
        script: "begin\n    do #popen(P, \"touch DIR/marker; echo read\", \"r\")\n    do #read(P)\n    output $rdlin\n    do #pclose(P)\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "read\n",
    },
    Effect {
        kind: "#popen write",
        script: "begin\n    do #popen(P, \"cat > DIR/marker\", \"w\")\n    do #write(P, \"x\")\n    do #pclose(P)\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "",
    },
    Effect {
        kind: "$command",
        script: "begin\n    output $command(\"touch DIR/marker; echo captured\")\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "captured\n",
    },
    Effect {
        kind: "input proc",
        script: "init\n    input proc \"touch DIR/marker; echo line\"\nrule\n    output $inline\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "line\n",
    },
    Effect {
        kind: "filter",
        script: "init\n    input file \"DIR/input\"\n    filter \"touch DIR/marker; tr a-z A-Z\"\nrule\n    output $inline\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "INPUT\n",
    },
    Effect {
        kind: "output print",
        script: "begin\n    output print \"printed\"\n",
        args: &["+L", "cat > DIR/marker"],
        in_test_mode: true,
        test_stdout: "",
    },
    Effect {
        kind: "output mail",
        script: "begin\n    output mail \"mailed\"\n",
        args: &["+M", "cat > DIR/marker"],
        in_test_mode: false,
        test_stdout: "PIKT ALERT Tue Apr 25 00:17:02 2000 tmhost\n\nNOTICE: script\n\n    mailed\n",
    },
    Effect {
        kind: "output log",
        script: "begin\n    output log \"DIR/marker\" \"logged\"\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "",
    },
    Effect {
        kind: "file write",
        script: "begin\n    do #fopen(F, \"DIR/marker\", \"w\")\n    do #write(F, \"written\")\n    do #fclose(F)\n",
        args: &[],
        in_test_mode: true,
        test_stdout: "",
    },
];

/// A folder to run in, with `input` for the filter.
fn folder() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("pikt-test-mode-")
        .tempdir()
        .expect("temporary folder");
    fs::write(dir.path().join("input"), "input\n").expect("input file");
    dir
}

/// Runs `script` (with `DIR` replaced) as `pikt [-T] ARGS script.pikt`.
fn pikt(dir: &Path, test_mode: bool, args: &[&str], script: &str) -> Output {
    let place = |text: &str| text.replace("DIR", &dir.display().to_string());
    fs::write(dir.join("script.pikt"), place(script)).expect("script");
    let mut command = Command::new(PIKT);
    if test_mode {
        command.arg("-T");
    }
    command
        .args(args.iter().map(|arg| place(arg)))
        .arg("script.pikt")
        .current_dir(dir)
        .env("PIKT_DIR", dir)
        .env("PIKT_HOST", "tmhost")
        .env("PIKT_NOW", "956621822")
        .env("TZ", "UTC")
        .env_remove("PIKT_SYSLOG")
        .env_remove("PIKT_NATIVE_PS");
    let out = command.output().expect("pikt runs");
    assert!(
        out.status.success(),
        "pikt {args:?} (test mode {test_mode}): {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn marker_appears(dir: &Path) -> bool {
    poll_until(PATIENCE, || dir.join("marker").exists().then_some(())).is_some()
}

#[test]
fn test_mode_does_each_effect_in_its_own_way() {
    for effect in EFFECTS {
        let kind = effect.kind;
        let dir = folder();
        let out = pikt(dir.path(), true, effect.args, effect.script);
        let place = |text: &str| text.replace("DIR", &dir.path().display().to_string());
        assert_eq!(text(&out.stdout), place(effect.test_stdout), "{kind}");
        if effect.in_test_mode {
            assert!(
                marker_appears(dir.path()),
                "{kind}: test mode did not do it"
            );
        } else {
            // A background command that wrongly ran would show by now.
            std::thread::sleep(Duration::from_millis(300));
            assert!(
                !dir.path().join("marker").exists(),
                "{kind}: test mode did it"
            );
        }
        let control = folder();
        pikt(control.path(), false, effect.args, effect.script);
        assert!(
            marker_appears(control.path()),
            "{kind}: the script does not do it even without test mode"
        );
    }
}

#[test]
fn test_mode_still_writes_to_syslog() {
    let syslog = Syslog::start().expect("rsyslogd");
    let dir = folder();
    let script = "begin\n    output syslog \"test mode syslog line\"\n";
    fs::write(dir.path().join("script.pikt"), script).expect("script");
    let out = Command::new(PIKT)
        .args(["-T", "script.pikt"])
        .current_dir(dir.path())
        .env("PIKT_DIR", dir.path())
        .env("PIKT_SYSLOG", syslog.socket())
        .output()
        .expect("pikt runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = syslog
        .wait_for_line("test mode syslog line", PATIENCE)
        .expect("the message reached syslog");
    assert!(line.contains("script["), "{line}");
}

#[test]
fn test_mode_kills_nothing_and_says_what_it_would_kill() {
    let storm = Storm::start("chico", "pkttmkill", 2).expect("processes of chico");
    let pids = storm.pids();
    // The native `kill` only signals what a native `ps` of the run listed.
    let script = format!(
        "begin\n    set $ps = $command(\"ps -eo pid,user,comm\")\n    exec wait \"kill -9 {}\"\n    output $text(#killprocs(\"chico\", \"pkttmkill\"))\n",
        pids[0]
    );
    let dir = folder();
    let out = pikt(dir.path(), true, &[], &script);
    // The pretended kill leaves the first process out of later listings, as
    // the real kill would have: test mode follows the run a real one takes.
    assert_eq!(
        text(&out.stdout),
        format!(
            "exec: kill -9 {}\nkill: would signal 1 processes of chico pkttmkill (pids {})\n1\n",
            pids[0], pids[1]
        )
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(storm.alive(), pids, "test mode killed a process");
    let out = pikt(dir.path(), false, &[], &script);
    assert_eq!(text(&out.stdout), "1\n");
    assert_eq!(storm.wait_alive_at_most(0, PATIENCE), Vec::<u32>::new());
}
