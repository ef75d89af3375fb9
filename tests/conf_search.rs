//! PIKT.conf and piktd.conf found as PIKT searched them (issue 10, item
//! 14), through the real binaries: `=piktdir/etc` first, then the system
//! directories. With the list injected (`PIKT_CONF_PATH`) every program
//! follows the PIKT.conf found there, and `piktc -e`, `piktc -s` and piktd
//! all use the piktd.conf found there; PIKT.conf's `pscmd` predefines `=ps`
//! and the overridden command runs through the shell. One test proves the
//! default list itself (`/etc`, `/etc/pikt`, `/usr/local/etc`,
//! `/usr/local/etc/pikt`) in a private mount namespace, so nothing outside
//! it ever sees the files it makes. And urgent mode: a second run of an
//! alert is refused while the first holds its lock, and a second piktc
//! change while the first holds the master's; `-U` goes ahead regardless.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PIKT: &str = env!("CARGO_BIN_EXE_pikt");
const PIKTC: &str = env!("CARGO_BIN_EXE_piktc");
const PIKTD: &str = env!("CARGO_BIN_EXE_piktd");

fn command(program: &str, root: &Path, search: &str) -> Command {
    let mut command = Command::new(program);
    command
        .env("PIKT_DIR", root)
        .env("PIKT_HOST", "moscow")
        .env("PIKT_CONF_PATH", search)
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    command
}

fn run(program: &str, root: &Path, search: &str, args: &[&str]) -> Output {
    command(program, root, search)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Waits until the lock at `path` names `pid` as its holder; the pid as text.
fn wait_for_holder(path: &Path, pid: u32) -> String {
    let pid = pid.to_string();
    let started = Instant::now();
    while fs::read_to_string(path)
        .map(|t| t.trim() != pid)
        .unwrap_or(true)
    {
        assert!(started.elapsed() < Duration::from_secs(10), "no lock taken");
        std::thread::sleep(Duration::from_millis(20));
    }
    pid
}

fn write(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content)
}

/// A master's tree without PIKT.conf or piktd.conf of its own; both are in
/// the second of two searched directories. That PIKT.conf moves the logs
/// and locks and names a `ps` of its own.
struct SearchedTree {
    dir: tempfile::TempDir,
}

impl SearchedTree {
    fn new() -> std::io::Result<SearchedTree> {
        let tree = SearchedTree {
            dir: tempfile::tempdir()?,
        };
        let (root, sys2) = (tree.root(), tree.sys(2));
        fs::create_dir_all(root.join("etc"))?;
        fs::create_dir_all(tree.sys(1))?;
        let fake_ps = tree.dir.path().join("bin/myps");
        write(
            &fake_ps,
            &format!(
                "#!/bin/sh\necho \"$@\" > {}\necho 'USER COMMAND'\necho 'chico imapd'\n",
                tree.marker().display()
            ),
        )?;
        fs::set_permissions(&fake_ps, fs::Permissions::from_mode(0o755))?;
        write(
            &sys2.join("PIKT.conf"),
            &format!(
                "logdir {}\nlokdir {}\npscmd {}\n",
                tree.dir.path().join("moved-log").display(),
                tree.dir.path().join("moved-lock").display(),
                fake_ps.display()
            ),
        )?;
        write(&sys2.join("piktd.conf"), "30 4 * * * pikt +A Other\n")?;
        write(
            &root.join("lib/configs/systems.cfg"),
            "linux\thosts\tmoscow\n",
        )?;
        write(
            &root.join("lib/configs/alarms.cfg"),
            "Procs\n\tinit\n\t\tinput proc \"=ps -eo user,comm\"\n\t\tdat $user 1\n\t\tdat $comm 2\n\trule\n\t\tif $comm eq \"imapd\"\n\t\t\toutput mail \"$user runs $comm\"\n\t\tfi\n",
        )?;
        write(
            &root.join("lib/configs/alerts.cfg"),
            &format!(
                "Urgent\n\ttiming 0 * * * *\n\tmailcmd \"cat > {}\"\n\talarms Procs\n",
                tree.mail().display()
            ),
        )?;
        Ok(tree)
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    fn sys(&self, n: u8) -> PathBuf {
        self.dir.path().join(format!("sys{n}"))
    }

    fn search(&self) -> String {
        format!("{}:{}", self.sys(1).display(), self.sys(2).display())
    }

    /// Where the alert's mail command puts the mail.
    fn mail(&self) -> PathBuf {
        self.dir.path().join("mail.txt")
    }

    /// Written by the fake `ps` with its arguments.
    fn marker(&self) -> PathBuf {
        self.dir.path().join("myps-ran")
    }
}

#[test]
fn every_program_follows_the_found_conf() -> std::io::Result<()> {
    let tree = SearchedTree::new()?;
    let (root, search) = (tree.root(), tree.search());
    let sys2 = tree.sys(2);

    // piktc reads the PIKT.conf found: `pscmd` is `=ps` in the installed script.
    ok(&run(PIKTC, &root, &search, &["-i", "+A", "Urgent"]));
    let installed = fs::read_to_string(root.join("lib/alerts/Urgent.alt"))?;
    let fake_ps = tree.dir.path().join("bin/myps");
    assert!(
        installed.contains(&format!(
            "input proc \"{} -eo user,comm\"",
            fake_ps.display()
        )),
        "{installed}"
    );

    // piktc -e edits the piktd.conf piktd reads: the one found in sys2.
    ok(&run(PIKTC, &root, &search, &["-e", "+A", "Urgent"]));
    let schedule = fs::read_to_string(sys2.join("piktd.conf"))?;
    assert!(
        schedule.starts_with("30 4 * * * pikt +A Other\n"),
        "{schedule}"
    );
    assert!(schedule.contains("+A Urgent\n"), "{schedule}");
    assert!(!root.join("etc/piktd.conf").exists());
    let checked = ok(&run(PIKTD, &root, &search, &["-z"]));
    assert!(
        checked.contains("Other") && checked.contains("Urgent"),
        "{checked}"
    );
    let status = ok(&run(PIKTC, &root, &search, &["-s", "+A", "Urgent"]));
    assert!(
        status.contains("timing: 0 * * * * (piktd.conf line 2)"),
        "{status}"
    );

    // pikt follows it too: the log and the lock where it says, and the
    // overridden `ps` is no plain `ps`, so the shell runs it.
    ok(&run(PIKT, &root, &search, &["+A", "Urgent"]));
    let mail = fs::read_to_string(tree.mail())?;
    assert!(mail.contains("chico runs imapd"), "{mail}");
    assert_eq!(fs::read_to_string(tree.marker())?, "-eo user,comm\n");
    let log = fs::read_to_string(tree.dir.path().join("moved-log/Urgent.log"))?;
    assert!(log.contains("run started: pikt +A Urgent"), "{log}");
    assert!(tree.dir.path().join("moved-lock/Urgent.lock").is_file());
    assert!(!root.join("var/log").exists());

    // A PIKT.conf under =piktdir/etc wins over the searched ones.
    write(&root.join("etc/PIKT.conf"), "verbose_log yes\n")?;
    let checked = ok(&run(PIKT, &root, &search, &["-z"]));
    let own = root.join("etc/PIKT.conf");
    assert!(
        checked.starts_with(&format!("PIKT.conf: `{}`\n", own.display())),
        "{checked}"
    );

    // No piktd.conf anywhere: piktd does not start, and names every place.
    fs::remove_file(sys2.join("piktd.conf"))?;
    let refused = run(PIKTD, &root, &search, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let said = text(&refused.stderr);
    for place in [
        root.join("etc/piktd.conf"),
        tree.sys(1).join("piktd.conf"),
        sys2.join("piktd.conf"),
    ] {
        assert!(said.contains(&format!("`{}`", place.display())), "{said}");
    }
    Ok(())
}

/// The default list, proved on the real paths inside a private mount
/// namespace: `/etc` is an overlay whose changes stay in this test's
/// directory, `/usr/local/etc` a fresh tmpfs. For each directory in turn,
/// from the last to the first, a PIKT.conf and a piktd.conf are added, and
/// `pikt -z` and `piktd -z` must name the one just added.
#[test]
fn the_default_search_list_is_pikts_own() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("root");
    fs::create_dir_all(root.join("etc"))?;
    fs::create_dir_all(dir.path().join("upper"))?;
    fs::create_dir_all(dir.path().join("work"))?;
    let mut script = format!(
        "set -e\n\
         mount -t overlay overlay -o lowerdir=/etc,upperdir={up},workdir={work} /etc\n\
         mkdir -p /usr/local/etc\n\
         mount -t tmpfs pikt-test /usr/local/etc\n\
         rm -f /etc/PIKT.conf /etc/piktd.conf /etc/pikt/PIKT.conf /etc/pikt/piktd.conf\n\
         unset PIKT_CONF_PATH\n",
        up = dir.path().join("upper").display(),
        work = dir.path().join("work").display(),
    );
    for place in ["/usr/local/etc/pikt", "/usr/local/etc", "/etc/pikt", "/etc"] {
        script.push_str(&format!(
            "mkdir -p {place}\n\
             echo 'verbose_log yes' > {place}/PIKT.conf\n\
             echo '0 0 31 2 * pikt +A Found' > {place}/piktd.conf\n\
             echo \"== {place}\"\n\
             {PIKT} -z\n\
             {PIKTD} -z 2>&1\n"
        ));
    }
    let output = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .env("PIKT_DIR", &root)
        .env("PIKT_HOST", "moscow")
        .env_remove("PIKT_CONF_PATH")
        .stdin(Stdio::null())
        .output()?;
    let shown = ok(&output);
    let steps: Vec<&str> = shown.split("== ").skip(1).collect();
    assert_eq!(steps.len(), 4, "{shown}");
    for step in steps {
        let place = step.lines().next().unwrap_or_default();
        assert!(
            step.contains(&format!("PIKT.conf: `{place}/PIKT.conf`")),
            "{step}"
        );
        assert!(
            step.contains(&format!("--> {place}/piktd.conf:1:")),
            "{step}"
        );
    }
    // Nothing reached the real directories.
    for place in ["/usr/local/etc/pikt/piktd.conf", "/etc/pikt/PIKT.conf"] {
        let content = fs::read_to_string(place).unwrap_or_default();
        assert!(!content.contains("pikt +A Found"), "{place} leaked");
    }
    assert!(
        !Path::new("/etc/piktd.conf").exists(),
        "/etc/piktd.conf leaked"
    );
    Ok(())
}

#[test]
fn a_second_run_of_an_alert_waits_for_no_one_unless_urgent() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(
        &root.join("lib/alerts/Slow.alt"),
        "Slow\n\tbegin\n\t\tpause 5\n\t\toutput \"slow done\"\n",
    )?;
    let lock = root.join("var/lock/Slow.lock");
    let mut first = command(PIKT, root, "")
        .args(["+A", "Slow"])
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = wait_for_holder(&lock, first.id());

    // Test mode runs take the lock too (`pause` does not wait in it).
    let second = run(PIKT, root, "", &["-T", "+A", "Slow"]);
    assert_eq!(second.status.code(), Some(3));
    let said = text(&second.stderr);
    assert!(
        said.contains(&format!(
            "another run of alert `Slow` is in progress (pid {pid} holds"
        )),
        "{said}"
    );
    assert!(said.contains("-U (urgent mode)"), "{said}");
    assert!(second.stdout.is_empty());

    let urgent = run(PIKT, root, "", &["-UT", "+A", "Slow"]);
    assert_eq!(ok(&urgent), "slow done\n");
    assert!(
        first.try_wait()?.is_none(),
        "the urgent run did not overlap the first"
    );

    let done = first.wait_with_output()?;
    assert_eq!(ok(&done), "slow done\n");
    let again = run(PIKT, root, "", &["+A", "Slow"]);
    assert_eq!(ok(&again), "slow done\n");
    Ok(())
}

#[test]
fn a_second_piktc_change_waits_for_no_one_unless_urgent() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(
        &root.join("lib/configs/systems.cfg"),
        "linux\thosts\tmoscow\n",
    )?;
    write(
        &root.join("lib/configs/files.cfg"),
        "motd\tpath \"=piktdir/motd\"\n\tmode 644\n\twelcome\n",
    )?;
    let lock = root.join("var/lock/piktc.lock");
    let mut first = command(PIKTC, root, "")
        .args(["-x", "+C", "sleep 5"])
        .stdout(Stdio::null())
        .spawn()?;
    let pid = wait_for_holder(&lock, first.id());

    let second = run(PIKTC, root, "", &["-i", "+F", "motd"]);
    assert_eq!(second.status.code(), Some(5));
    let said = text(&second.stderr);
    assert!(
        said.contains(&format!("another piktc is changing hosts (pid {pid} holds")),
        "{said}"
    );
    assert!(
        !root.join("motd").exists(),
        "the refused change changed something"
    );
    // Queries and dry runs never wait.
    ok(&run(PIKTC, root, "", &["-l", "+F", "all"]));
    ok(&run(PIKTC, root, "", &["-n", "-i", "+F", "motd"]));

    ok(&run(PIKTC, root, "", &["-U", "-i", "+F", "motd"]));
    assert_eq!(fs::read_to_string(root.join("motd"))?, "welcome\n");
    assert!(
        first.try_wait()?.is_none(),
        "the urgent change did not overlap"
    );
    assert!(first.wait()?.success());
    ok(&run(PIKTC, root, "", &["-t", "+F", "motd"]));
    Ok(())
}
