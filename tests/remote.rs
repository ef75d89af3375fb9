//! piktc against real hosts over real ssh: each host a network namespace
//! with its own sshd, host key, host name and `/etc/pikt`
//! (`support::hosts`). The master is this test process's tree; the real
//! `piktc` binary reaches the hosts with the system's ssh client.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::hosts::{base, hosts, TestHosts, MASTER};
use crate::support::poll_until;

const PIKTC: &str = env!("CARGO_BIN_EXE_piktc");
const PIKT: &str = env!("CARGO_BIN_EXE_pikt");
const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

fn binaries() -> [(&'static str, &'static Path); 3] {
    [
        ("pikt", Path::new(PIKT)),
        ("piktc", Path::new(PIKTC)),
        ("piktd", Path::new(PIKTD)),
    ]
}

const SYSTEMS: &str = "debian\thosts\tpikt-master ankara bergen cairo dakar\n\n\
                       fleet\tmembers\tankara bergen cairo\nnorth\tmembers\tbergen\n";

const OBJECTS: &str = "Where\n\
#if ankara\n\
\tcity\tankara-on-the-steppe\n\
#elif north\n\
\tcity\tbergen-by-the-fjord\n\
#else\n\
\tcity\tsomewhere-else\n\
#endif\n\
\tplanet\tearth\n";

const ALERTS: &str = "Nightly\n\ttiming\t30 4 * * *\n\talarms\tHello\n";
const ALARMS: &str = "Hello\n\tinit\n\t\tstatus active\n\trule\n\t\toutput \"hello\"\n";

/// The master's tree: a configuration for the test hosts, and this
/// process's ssh configuration for reaching them.
struct Master {
    dir: tempfile::TempDir,
    ssh_config: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Master {
    fn new(hosts: &TestHosts, extra: &[(&str, &str)]) -> Master {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let configs = dir.path().join("lib/configs");
        fs::create_dir_all(&configs).unwrap_or_else(|e| panic!("{e}"));
        fs::create_dir_all(dir.path().join("etc")).unwrap_or_else(|e| panic!("{e}"));
        let mut files = vec![
            ("lib/configs/systems.cfg", SYSTEMS),
            ("lib/configs/objects.cfg", OBJECTS),
            ("lib/configs/alerts.cfg", ALERTS),
            ("lib/configs/alarms.cfg", ALARMS),
        ];
        for (name, text) in extra {
            files.retain(|(n, _)| n != name);
            files.push((name, text));
        }
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        Master {
            dir,
            ssh_config: hosts.ssh_config().to_path_buf(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(PIKTC);
        command
            .args(args)
            .env("PIKT_DIR", self.root())
            .env("PIKT_HOST", MASTER)
            .env("PIKT_SSH_CONFIG", &self.ssh_config)
            // The master's PIKT.conf is its tree's, never one of the machine's.
            .env("PIKT_CONF_PATH", "")
            .stdin(Stdio::null());
        command
    }

    fn piktc(&self, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("piktc: {e}"));
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn reset(hosts: &TestHosts, names: &[&str]) {
    for name in names {
        hosts
            .reset(name, &binaries())
            .unwrap_or_else(|e| panic!("reset {name}: {e}"));
    }
}

/// Temporaries an interrupted install left in `dir` (any name with the
/// installer's marks).
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.starts_with('.') && (n.contains(".piktc-") || n.contains(".pikt-tmp-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn hosts_get_their_own_objects_and_every_request_is_logged() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    let run = master.piktc(&["-iv", "+O", "all", "+H", "fleet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for (host, city) in [
        ("ankara", "ankara-on-the-steppe"),
        ("bergen", "bergen-by-the-fjord"),
        ("cairo", "somewhere-else"),
    ] {
        let object = read(&hosts.root(host).join("lib/objects/Where.obj"));
        assert!(
            object.contains(&format!("city\t{city}")),
            "{host}: {object}"
        );
        assert!(object.contains("planet\tearth"), "{host}: {object}");
        assert!(
            run.stdout.contains(&format!(
                "== {host} ==\ninstalled /etc/pikt/lib/objects/Where.obj (object set Where)\n"
            )),
            "{}",
            run.stdout
        );
        let log = read(&hosts.root(host).join("var/log/piktc.log"));
        assert!(
            log.contains(&format!(" {host} piktc["))
                && log.contains("INFO bundle from pikt-master (root): ok: 1 new"),
            "{host}: {log}"
        );
    }
    assert!(
        run.stderr.starts_with("piktc: ["),
        "plain progress lines when not on a terminal: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("piktc: 3 hosts: 3 ok\n"),
        "{}",
        run.stderr
    );
    for host in ["ankara", "bergen", "cairo"] {
        let row = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("  {host} ")))
            .unwrap_or_default();
        // With -v the table says how long each host took.
        let words: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(words.first(), Some(&host), "{}", run.stderr);
        assert_eq!(words.get(1), Some(&"ok"), "{}", run.stderr);
        assert!(
            words.get(2).is_some_and(|t| t.ends_with('s')),
            "{}",
            run.stderr
        );
        assert_eq!(words.get(3..), Some(&["1", "new"][..]), "{}", run.stderr);
    }
    let log = read(&master.root().join("var/log/piktc.log"));
    assert!(
        log.contains(
            "INFO request by root: piktc -iv +O all +H fleet: hosts ankara, bergen, cairo"
        ),
        "{log}"
    );
    for host in ["ankara", "bergen", "cairo"] {
        assert!(log.contains(&format!("INFO {host}: ok: 1 new (")), "{log}");
    }

    // The same again: nothing to do anywhere.
    let again = master.piktc(&["-i", "+O", "all", "+H", "fleet"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("  cairo   ok  1 unchanged\n"),
        "{}",
        again.stderr
    );
}

#[test]
fn diff_finds_the_file_edited_by_hand_on_one_host_only() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    let run = master.piktc(&["-i", "+O", "all", "+H", "fleet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let edited = hosts.root("bergen").join("lib/objects/Where.obj");
    let text = read(&edited).replace("planet\tearth", "planet\tmars");
    fs::write(&edited, text).unwrap_or_else(|e| panic!("{e}"));

    let diff = master.piktc(&["-f", "+O", "all", "+H", "fleet"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_eq!(
        diff.stdout,
        "== ankara ==\n== bergen ==\n\
         --- bergen:/etc/pikt/lib/objects/Where.obj (installed)\n\
         +++ master:/etc/pikt/lib/objects/Where.obj (object set Where)\n\
         @@ -1,2 +1,2 @@\n city\tbergen-by-the-fjord\n-planet\tmars\n+planet\tearth\n\
         == cairo ==\n"
    );
}

#[test]
fn a_host_whose_sshd_is_stopped_is_reported_while_the_others_succeed() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    hosts.stop_sshd("cairo");
    let run = master.piktc(&["-i", "+O", "all", "+H", "fleet"]);
    hosts
        .start_sshd("cairo")
        .unwrap_or_else(|e| panic!("restart cairo: {e}"));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(hosts.root("ankara").join("lib/objects/Where.obj").is_file());
    assert!(hosts.root("bergen").join("lib/objects/Where.obj").is_file());
    assert!(!hosts.root("cairo").join("lib/objects/Where.obj").exists());
    assert!(
        run.stderr.contains(&format!(
            "piktc: error: cairo: cannot reach `cairo` (ssh: connect to host {} port 22: Connection refused)\n",
            "10.213.47.13"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("piktc: 3 hosts: 2 ok, 1 unreachable\n"),
        "{}",
        run.stderr
    );
    let log = read(&master.root().join("var/log/piktc.log"));
    assert!(log.contains("ERROR cairo: cannot reach `cairo`"), "{log}");
}

#[test]
fn a_host_that_accepts_but_never_answers_is_given_up_at_its_time_limit() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[("etc/PIKT.conf", "host_timeout 3\n")]);
    hosts.freeze_sshd("bergen", true);
    let run = master.piktc(&["-i", "+O", "all", "+H", "fleet"]);
    hosts.freeze_sshd("bergen", false);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(hosts.root("ankara").join("lib/objects/Where.obj").is_file());
    assert!(hosts.root("cairo").join("lib/objects/Where.obj").is_file());
    assert!(!hosts.root("bergen").join("lib/objects/Where.obj").exists());
    let bergen_line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("  bergen"))
        .unwrap_or_default()
        .to_string();
    assert!(
        bergen_line.starts_with("  bergen  timed out")
            || bergen_line.starts_with("  bergen  unreachable"),
        "{}",
        run.stderr
    );
}

#[test]
fn exec_runs_commands_on_a_group_and_their_text_arrives_as_data() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    let probe = "/tmp/pikt-fleet-test-pwned";
    let _ = fs::remove_file(probe);
    let command =
        format!("hostname; printf '%s|' \"it's\" '$(touch {probe})' 'a;b' \"$((6*7))\"; echo");
    let run = master.piktc(&["-x", "+C", &command, "+H", "fleet", "-H", "north"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "== ankara ==\nankara\nit's|$(touch {probe})|a;b|42|\n== cairo ==\ncairo\nit's|$(touch {probe})|a;b|42|\n"
        )
    );
    assert!(!Path::new(probe).exists(), "a quoted word ran as a command");
}

#[test]
fn file_names_and_a_root_with_shell_metacharacters_arrive_as_data() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen"]);
    // bergen's root: a directory in the shared /tmp (every host sees it)
    // whose name means something to any shell (PIKT.conf values cannot
    // hold blanks; everything else is there).
    let odd_root = base().join("odd;$(touch${IFS}x)'q'`id`&y|z");
    let _ = fs::remove_dir_all(&odd_root);
    fs::create_dir_all(odd_root.join("bin")).unwrap_or_else(|e| panic!("{e}"));
    for (name, built) in binaries() {
        fs::copy(built, odd_root.join("bin").join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let files = "odd\tpath \"=piktdir/it's $(touch pwned); a&b.txt\"\n\tmode 640\n\tdata for =pikthostname\n";
    let conf = format!("host_piktdir bergen={}\n", odd_root.display());
    let master = Master::new(
        &hosts,
        &[("lib/configs/files.cfg", files), ("etc/PIKT.conf", &conf)],
    );
    let run = master.piktc(&["-iv", "+F", "odd", "+H", "ankara", "bergen"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let name = "it's $(touch pwned); a&b.txt";
    assert_eq!(read(&hosts.root("ankara").join(name)), "data for ankara\n");
    assert_eq!(read(&odd_root.join(name)), "data for bergen\n");
    assert!(read(&odd_root.join("var/log/piktc.log")).contains("ok: 1 new"));
    for dir in [hosts.root("ankara"), odd_root.clone(), base()] {
        for made in ["pwned", "x", "y"] {
            assert!(!dir.join(made).exists(), "{}/{made}", dir.display());
        }
    }
    let _ = fs::remove_dir_all(&odd_root);
}

/// Installs a big version of the objects on bergen while something is
/// cut; afterwards every object is wholly the old version or wholly the
/// new one, never a mix, and a plain re-run completes the new one.
fn big_objects(version: &str) -> String {
    let mut text = String::new();
    for set in 0..6 {
        text.push_str(&format!("Set{set}\n"));
        for line in 0..40_000 {
            text.push_str(&format!("\tkey{line}\t{version}-{line}\n"));
        }
    }
    text
}

fn versions_on(hosts: &TestHosts) -> Vec<String> {
    (0..6)
        .map(|set| {
            let path = hosts
                .root("bergen")
                .join(format!("lib/objects/Set{set}.obj"));
            match fs::read_to_string(&path) {
                Ok(text) if text.contains("\told-") && !text.contains("\tnew-") => "old".into(),
                Ok(text) if text.contains("\tnew-") && !text.contains("\told-") => "new".into(),
                Ok(_) => "mixed".into(),
                Err(_) => "missing".into(),
            }
        })
        .collect()
}

#[test]
fn a_connection_cut_anywhere_leaves_old_or_new_and_a_rerun_completes() {
    let hosts = hosts();
    reset(&hosts, &["bergen"]);
    let old = Master::new(&hosts, &[("lib/configs/objects.cfg", &big_objects("old"))]);
    let run = old.piktc(&["-i", "+O", "all", "+H", "bergen"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(versions_on(&hosts), vec!["old"; 6]);
    let new = Master::new(&hosts, &[("lib/configs/objects.cfg", &big_objects("new"))]);

    // An ssh that is killed after a while, at several points of the run.
    let wrappers = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let wrapper = wrappers.path().join("ssh");
    fs::write(
        &wrapper,
        "#!/bin/sh\n\
         case \"$*\" in *--apply-bundle*) ;; *) exec /usr/bin/ssh \"$@\" ;; esac\n\
         /usr/bin/ssh \"$@\" & pid=$!\n\
         sleep \"$PIKT_TEST_CUT\"; kill -9 $pid; wait $pid\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!(
        "{}:{}",
        wrappers.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut seen = Vec::new();
    for cut in ["0", "0.05", "0.15", "0.3", "0.6", "1.2"] {
        let out = new
            .command(&["-i", "+O", "all", "+H", "bergen"])
            .env("PATH", &path)
            .env("PIKT_TEST_CUT", cut)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        // Cutting the connection ends piktc, not the host's side: its apply
        // may still be switching. What must hold is the state it leaves.
        assert!(
            poll_until(Duration::from_secs(60), || apply_bundles()
                .is_empty()
                .then_some(()))
            .is_some(),
            "cut at {cut}s: the host's apply never ended"
        );
        let versions = versions_on(&hosts);
        assert!(
            versions.iter().all(|v| v == &versions[0] && v != "mixed"),
            "cut at {cut}s: {versions:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        seen.push(versions[0].clone());
        // Back to the old version for the next cut.
        let back = old.piktc(&["-i", "+O", "all", "+H", "bergen"]);
        assert_eq!(back.code, 0, "{}", back.stderr);
    }
    assert!(
        seen.contains(&"old".to_string()),
        "some cut came before the switch: {seen:?}"
    );

    // Kill the host's apply itself once it has staged some files: killed
    // while staging, the old version stays; killed between two renames of
    // the switch, the journal of the switch stays and the next run finishes
    // it. Either way the next run ends wholly new and removes the
    // temporaries the killed one left.
    let objects = hosts.root("bergen").join("lib/objects");
    let mut child = new
        .command(&["-i", "+O", "all", "+H", "bergen"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let killed = poll_until(Duration::from_secs(60), || {
        if temporaries(&objects).is_empty() {
            return None;
        }
        kill_apply_bundle()
    });
    let _ = child.wait();
    assert!(killed.is_some(), "the host's apply was never seen staging");
    let journal = hosts
        .root("bergen")
        .join("var/lock")
        .join(pikt_config::install::SWITCH_JOURNAL);
    let after_kill = versions_on(&hosts);
    assert!(
        after_kill == vec!["old"; 6] || journal.exists(),
        "a mixed host without a record of its switch: {after_kill:?}"
    );
    assert!(!after_kill.contains(&"mixed".to_string()), "{after_kill:?}");
    assert!(
        !temporaries(&objects).is_empty(),
        "the kill left temporaries"
    );
    let rerun = new.piktc(&["-i", "+O", "all", "+H", "bergen"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(versions_on(&hosts), vec!["new"; 6]);
    assert_eq!(temporaries(&objects), Vec::<String>::new());
    assert!(!journal.exists());
}

/// Kills every `piktc --apply-bundle` on this machine (the hosts' processes
/// are visible from here); the pid killed, if any.
/// The processes applying a bundle (a host's side of a piktc request).
fn apply_bundles() -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cmdline.split(|b| *b == 0).any(|w| w == b"--apply-bundle")
        })
        .collect()
}

fn kill_apply_bundle() -> Option<u32> {
    let mut killed = None;
    for pid in apply_bundles() {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_raw(pid as i32)?,
            rustix::process::Signal::KILL,
        );
        killed = Some(pid);
    }
    killed
}

#[test]
fn restart_starts_piktd_on_a_host_and_stop_stops_it() {
    let hosts = hosts();
    reset(&hosts, &["ankara"]);
    let master = Master::new(&hosts, &[]);
    let run = master.piktc(&["-ie", "+A", "Nightly", "+H", "ankara"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = master.piktc(&["-rv", "+H", "ankara"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pid: u32 = run
        .stdout
        .trim()
        .strip_prefix("started piktd (pid ")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let status = master.piktc(&["-s", "+H", "ankara"]);
    assert!(
        status
            .stdout
            .starts_with(&format!("piktd: running (pid {pid})\nalert Nightly\n")),
        "{}",
        status.stdout
    );
    let seen = hosts.ssh("ankara", "ps -eo pid,comm");
    let listing = String::from_utf8_lossy(&seen.stdout);
    assert!(
        listing.lines().any(
            |l| l.split_whitespace().collect::<Vec<_>>() == [pid.to_string().as_str(), "piktd"]
        ),
        "{listing}"
    );
    let stop = master.piktc(&["-kv", "+H", "ankara"]);
    assert_eq!(stop.code, 0, "{}", stop.stderr);
    assert_eq!(stop.stdout, format!("stopped piktd (pid {pid})\n"));
}

#[test]
fn a_new_host_is_brought_in_from_nothing() {
    let hosts = hosts();
    hosts.reset("dakar", &[]).unwrap_or_else(|e| panic!("{e}"));
    let master = Master::new(&hosts, &[]);
    let before = master.piktc(&["-i", "+O", "all", "+H", "dakar"]);
    assert_eq!(before.code, 3);
    assert!(
        before.stderr.contains("pikt is not installed on `dakar`")
            && before
                .stderr
                .contains("bring the host in with `piktc --bootstrap +H dakar`"),
        "{}",
        before.stderr
    );

    let run = master.piktc(&["--bootstrap", "-v", "+H", "dakar"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let root = hosts.root("dakar");
    for (name, built) in binaries() {
        assert_eq!(
            fs::read(root.join("bin").join(name)).unwrap_or_default(),
            fs::read(built).unwrap_or_default(),
            "{name}"
        );
    }
    for dir in ["etc", "lib/objects", "lib/alerts", "var/log", "var/history"] {
        assert!(root.join(dir).is_dir(), "{dir}");
    }
    assert!(read(&root.join("lib/objects/Where.obj")).contains("somewhere-else"));
    assert!(root.join("lib/alerts/Nightly.alt").is_file());
    assert!(read(&root.join("etc/piktd.conf")).contains("+A Nightly"));
    assert!(
        run.stdout.contains("made directory /etc/pikt/var/log\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("started piktd (pid "), "{}", run.stdout);
    let status = master.piktc(&["-s", "+H", "dakar"]);
    assert!(
        status.stdout.starts_with("piktd: running (pid "),
        "{}",
        status.stdout
    );
    let stop = master.piktc(&["-k", "+H", "dakar"]);
    assert_eq!(stop.code, 0, "{}", stop.stderr);
}

#[test]
fn a_host_with_a_changed_host_key_is_refused_and_the_others_go_on() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    hosts
        .change_host_key("bergen", true)
        .unwrap_or_else(|e| panic!("{e}"));
    let run = master.piktc(&["-i", "+O", "all", "+H", "fleet"]);
    hosts
        .change_host_key("bergen", false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "piktc: error: bergen: the host key of `bergen` has changed, so ssh refused to connect"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  bergen  denied"), "{}", run.stderr);
    assert!(!hosts.root("bergen").join("lib/objects/Where.obj").exists());
    assert!(hosts.root("ankara").join("lib/objects/Where.obj").is_file());
    assert!(hosts.root("cairo").join("lib/objects/Where.obj").is_file());
}

#[test]
fn ctrl_c_lets_the_host_in_flight_finish_and_starts_no_other() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "bergen", "cairo"]);
    let master = Master::new(&hosts, &[]);
    let child = master
        .command(&["-xj1", "+C", "sleep 3; echo done", "+H", "fleet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(1500));
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stdout, "== ankara ==\ndone\n", "{stderr}");
    assert!(
        stderr.contains(
            "piktc: interrupted: no more hosts are started; the ones in flight finish (ankara)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("piktc: 3 hosts: 1 ok, 2 interrupted\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  bergen  interrupted  not contacted"),
        "{stderr}"
    );
}

#[test]
fn a_host_whose_pikt_conf_moves_directories_gets_paths_of_its_own() {
    let hosts = hosts();
    reset(&hosts, &["cairo"]);
    let root = hosts.root("cairo");
    fs::create_dir_all(root.join("etc")).unwrap_or_else(|e| panic!("{e}"));
    // As the Debian package moves bindir (its piktc is found there, not in
    // =piktdir/bin), logdir and vardir.
    fs::write(
        root.join("etc/PIKT.conf"),
        "bindir \"/etc/pikt/sbin\"  // the binaries\naltdir /etc/pikt/alerts-here\nlogdir /etc/pikt/logs\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::rename(root.join("bin"), root.join("sbin")).unwrap_or_else(|e| panic!("{e}"));
    let master = Master::new(&hosts, &[]);
    let run = master.piktc(&["-iev", "+A", "Nightly", "+O", "all", "+H", "cairo"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        root.join("alerts-here/Nightly.alt").is_file(),
        "{}",
        run.stdout
    );
    assert!(!root.join("lib/alerts/Nightly.alt").exists());
    assert!(root.join("lib/objects/Where.obj").is_file());
    let piktd_conf = read(&root.join("etc/piktd.conf"));
    assert!(
        piktd_conf.contains("/etc/pikt/sbin/pikt +A Nightly"),
        "{piktd_conf}"
    );
    assert!(read(&root.join("logs/piktc.log")).contains("ok: 3 new; piktd.conf changed"));
    // What the master shows without asking keeps to what it presumes.
    let diff = master.piktc(&["-f", "+A", "Nightly", "+H", "cairo"]);
    assert_eq!(
        (diff.code, diff.stdout.as_str()),
        (0, ""),
        "{}",
        diff.stderr
    );
}

#[test]
fn every_operation_works_on_remote_hosts() {
    let hosts = hosts();
    reset(&hosts, &["ankara", "cairo"]);
    let files = "motd\tpath \"=piktdir/motd\"\n\tmode 644\n\tWelcome to =pikthostname\n";
    let master = Master::new(&hosts, &[("lib/configs/files.cfg", files)]);
    let on = ["+H", "ankara", "cairo"];
    let piktc = |args: &[&str]| {
        let all: Vec<&str> = args.iter().chain(on.iter()).copied().collect();
        master.piktc(&all)
    };

    let dry = piktc(&["-in", "+F", "motd"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(
        dry.stdout,
        "== ankara ==\nwould install /etc/pikt/motd (file motd)\n== cairo ==\nwould install /etc/pikt/motd (file motd)\n"
    );
    assert!(!hosts.root("ankara").join("motd").exists());

    assert_eq!(piktc(&["-i", "+F", "motd", "+A", "Nightly"]).code, 0);
    let forced = piktc(&["-iv", "+Ff", "motd"]);
    assert!(
        forced
            .stdout
            .contains("== cairo ==\nrewrote /etc/pikt/motd (file motd)\n"),
        "{}",
        forced.stdout
    );

    let sums = piktc(&["-m4", "+F", "motd"]);
    assert_eq!(sums.code, 0, "{}", sums.stderr);
    assert!(
        sums.stdout.contains("ankara: ")
            && sums.stdout.contains("/etc/pikt/motd (same as the master)"),
        "{}",
        sums.stdout
    );

    let view = piktc(&["-w", "+F", "motd"]);
    assert!(
        view.stdout
            .contains("==> cairo:/etc/pikt/motd (file motd, mode 644) <==\nWelcome to cairo\n"),
        "{}",
        view.stdout
    );
    let master_view = piktc(&["-W", "+F", "motd"]);
    assert!(
        master_view.stdout.contains(
            "==> /etc/pikt/motd (file motd, mode 644, for cairo) <==\nWelcome to cairo\n"
        ),
        "{}",
        master_view.stdout
    );

    let enabled = piktc(&["-e", "+A", "Nightly"]);
    assert_eq!(enabled.code, 0, "{}", enabled.stderr);
    assert!(read(&hosts.root("cairo").join("etc/piktd.conf")).contains("+A Nightly"));
    let disabled = piktc(&["-d", "+A", "Nightly"]);
    assert_eq!(disabled.code, 0, "{}", disabled.stderr);
    assert!(!read(&hosts.root("cairo").join("etc/piktd.conf")).contains("Nightly"));

    fs::write(hosts.root("ankara").join("motd"), "edited by hand\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let backed = piktc(&["-ib", "+F", "motd"]);
    assert_eq!(backed.code, 0, "{}", backed.stderr);
    assert_eq!(
        read(&hosts.root("ankara").join("motd.piktbak")),
        "edited by hand\n"
    );
    let restored = piktc(&["-B", "+F", "motd"]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(read(&hosts.root("ankara").join("motd")), "edited by hand\n");

    let deleted = piktc(&["-t", "+F", "motd"]);
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert!(!hosts.root("cairo").join("motd").exists());

    let started = piktc(&["-Xv", "+C", "sleep 1"]);
    assert_eq!(started.code, 0, "{}", started.stderr);
    assert!(
        started
            .stdout
            .contains("== cairo ==\nstarted sleep 1 (pid "),
        "{}",
        started.stdout
    );
}
