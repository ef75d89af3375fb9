//! Hostile files and data outside the interpreter (issue 9), end to end
//! with the real binaries, as root:
//!
//! * a symbolic link planted (owned by a local user) at every path `pikt`,
//!   `piktc` and `piktd` write (directories and files): each is refused
//!   with an error naming it, or (for a file replaced by a rename)
//!   replaced, and nothing is ever written through it; while a site
//!   reached through links only root could have made (`PIKT_DIR` a link,
//!   `var` a link) works, and the same site through a user's link does not;
//! * `kill -9` at random points of installs and of history writes: no torn
//!   file, and no temporary file left once the next run is done;
//! * control characters from data reach the alert log, syslog and mail
//!   only as visible escapes;
//! * the preprocessor on a FIFO, a device, deep nesting, and commands
//!   that flood or hang, through piktc;
//! * piktd under garbage configurations, a storm of SIGHUPs and concurrent
//!   starts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pikt_fs::testing::{plant_link, ATTACKER_UID};
use rustix::process::{kill_process, Pid, Signal};

use crate::support::smtp::SmtpSink;
use crate::support::syslog::Syslog;
use crate::support::tree::{text, Tree, PIKT, PIKTC, PIKTD};

/// What a planted link points at: must stay as it is.
const PRECIOUS: &str = "root:precious:0:0\n";

/// An alert that keeps history, logs and mails (through `+M`).
const HIST_ALERT: &str = "Counter
	begin
		if #defined(%runs)
			set #runs = %runs + 1
		else
			set #runs = 1
		fi
		output mail \"run #runs\"
";

/// A victim outside the tree (a file and a directory) that links point at.
struct Victims {
    dir: tempfile::TempDir,
}

impl Victims {
    fn new() -> io::Result<Victims> {
        let dir = tempfile::Builder::new().prefix("pikt-victim-").tempdir()?;
        fs::write(dir.path().join("passwd"), PRECIOUS)?;
        fs::create_dir(dir.path().join("dir"))?;
        Ok(Victims { dir })
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("passwd")
    }

    fn dir(&self) -> PathBuf {
        self.dir.path().join("dir")
    }

    /// The victims are exactly as they were.
    fn assert_untouched(&self, what: &str) -> io::Result<()> {
        assert_eq!(fs::read_to_string(self.file())?, PRECIOUS, "{what}: file");
        let inside: Vec<_> = fs::read_dir(self.dir())?.collect();
        assert!(
            inside.is_empty(),
            "{what}: written into the linked dir: {inside:?}"
        );
        Ok(())
    }

    /// Plants at `at` a link to the victim directory (`dir`) or file, as a
    /// local user would (a link that only root could have made is followed).
    fn plant(&self, at: &Path, dir: bool) -> io::Result<()> {
        if let Some(parent) = at.parent() {
            fs::create_dir_all(parent)?;
        }
        plant_link(&self.target(dir), at)
    }

    fn target(&self, dir: bool) -> PathBuf {
        if dir {
            self.dir()
        } else {
            self.file()
        }
    }

    /// How the link planted at `link` is refused.
    fn refusal(&self, link: &Path, dir: bool) -> String {
        refusal(link, dir.then(|| self.target(dir)).as_deref())
    }
}

/// Whether `path` is still a symbolic link.
fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// How a refused link shows: at a file's name (never followed), or on
/// the way to a directory (`to`: its target), where it is refused because
/// a local user owns it.
fn refusal(link: &Path, to: Option<&Path>) -> String {
    match to {
        None => format!(
            "refusing to write through symbolic link `{}`",
            link.display()
        ),
        Some(target) => format!(
            "refusing to follow symbolic link `{}` (to `{}`): it is owned by uid {ATTACKER_UID}, not root",
            link.display(),
            target.display()
        ),
    }
}

// ---- symlinks: pikt ----

#[test]
fn links_planted_where_an_alert_run_writes_are_refused() -> io::Result<()> {
    // (path in the tree, a directory link?, where the refusal shows)
    let cases: &[(&str, bool, &str)] = &[
        ("var/log", true, "stderr"),
        ("var/log/Hist.log", false, "stderr"),
        ("var/history", true, "log"),
        ("var/history/Hist", true, "log"),
        ("var", true, "stderr"),
        ("var/spool", true, "log"),
        ("var/spool/mail/Hist", true, "log"),
        ("var/spool/mail/Hist/.lock", false, "log"),
    ];
    for &(at, dir, shown) in cases {
        let victims = Victims::new()?;
        let tree = Tree::new()?;
        tree.write("lib/alerts/Hist.alt", HIST_ALERT)?;
        let link = tree.path(at);
        victims.plant(&link, dir)?;
        let outbox = tree.path("outbox.txt");
        let out = tree.pikt(&[
            "+M",
            &format!("cat >> '{}'", outbox.display()),
            "+A",
            "Hist",
        ])?;
        let report = if shown == "stderr" {
            text(&out.stderr)
        } else {
            tree.alert_log("Hist")
        };
        let refused = victims.refusal(&link, dir);
        assert!(
            report.contains(&refused),
            "{at}: no `{refused}` in the {shown}:\n{report}\nstderr:\n{}",
            text(&out.stderr)
        );
        victims.assert_untouched(at)?;
        assert!(is_link(&link), "{at}: the link itself is left alone");
        // The alert itself still ran and its mail went out.
        assert!(
            fs::read_to_string(&outbox)
                .unwrap_or_default()
                .contains("run 1"),
            "{at}: the mail was not sent"
        );
    }
    Ok(())
}

#[test]
fn a_link_planted_at_a_history_file_is_neither_read_nor_written_through() -> io::Result<()> {
    let victims = Victims::new()?;
    // A file that would be valid history, with the counter at 41.
    let planted = victims.dir.path().join("planted.hst");
    fs::write(&planted, "pikt-history 1\nG\t#runs\t41\n")?;
    let tree = Tree::new()?;
    tree.write("lib/alerts/Hist.alt", HIST_ALERT)?;
    let link = tree.path("var/history/Hist/Counter.hst");
    fs::create_dir_all(tree.path("var/history/Hist"))?;
    plant_link(&planted, &link)?;
    let outbox = tree.path("outbox.txt");
    let out = tree.pikt(&[
        "+M",
        &format!("cat >> '{}'", outbox.display()),
        "+A",
        "Hist",
    ])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mail = fs::read_to_string(&outbox)?;
    assert!(
        mail.contains("run 1"),
        "the link was read as history: {mail}"
    );
    assert_eq!(
        fs::read_to_string(&planted)?,
        "pikt-history 1\nG\t#runs\t41\n"
    );
    assert!(!is_link(&link), "the history file is a file of its own now");
    let log = tree.alert_log("Hist");
    assert!(
        log.contains(&refusal(&link, Some(&planted))),
        "the refused read is logged:\n{log}"
    );
    victims.assert_untouched("history file")
}

// ---- symlinks: piktc ----

/// A configuration with an alert (`Hist`, script `Counter`) and an object
/// set, for `stormhost`.
fn config_tree() -> io::Result<Tree> {
    let tree = Tree::new()?;
    tree.write("lib/configs/systems.cfg", "debian\thosts\tstormhost\n")?;
    tree.write(
        "lib/configs/alerts.cfg",
        "Hist\n\ttiming\t0 * * * *\n\talarms\tCounter\n",
    )?;
    tree.write("lib/configs/alarms.cfg", HIST_ALERT)?;
    tree.write("lib/configs/objects.cfg", "Obj\n\tline one\n")?;
    Ok(tree)
}

fn piktc_install(tree: &Tree) -> io::Result<Output> {
    tree.command(PIKTC, &["-iev", "+A", "all", "+O", "all"])
        .output()
}

#[test]
fn links_planted_where_piktc_installs_are_refused_or_replaced() -> io::Result<()> {
    // (path, a directory link?, refused (else replaced by the install))
    let cases: &[(&str, bool, bool)] = &[
        ("lib/alerts", true, true),
        ("lib", true, true),
        ("lib/objects", true, true),
        ("etc", true, true),
        ("lib/alerts/Hist.alt", false, false),
        ("lib/alerts/Hist.cfg", false, false),
        ("lib/objects/Obj.obj", false, false),
    ];
    for &(at, dir, refused) in cases {
        let victims = Victims::new()?;
        let tree = config_tree()?;
        // `lib` as a link takes the configuration with it: keep it elsewhere.
        if at == "lib" {
            let real = tree.path("real-lib");
            fs::rename(tree.path("lib"), &real)?;
            plant_link(&real, &tree.path("lib"))?;
            let out = piktc_install(&tree)?;
            assert!(!out.status.success());
            assert!(
                text(&out.stderr).contains(&refusal(&tree.path("lib"), Some(&real))),
                "lib: {}",
                text(&out.stderr)
            );
            let installed: Vec<_> = fs::read_dir(&real)?
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect();
            assert_eq!(installed, ["configs"], "nothing installed through `lib`");
            continue;
        }
        let link = tree.path(at);
        victims.plant(&link, dir)?;
        let out = piktc_install(&tree)?;
        let stderr = text(&out.stderr);
        if refused {
            assert!(!out.status.success(), "{at}: installed through a link");
            assert!(
                stderr.contains(&victims.refusal(&link, dir)),
                "{at}:\n{stderr}"
            );
            assert!(is_link(&link));
        } else {
            assert!(out.status.success(), "{at}:\n{stderr}");
            assert!(!is_link(&link), "{at}: the install replaces the link");
        }
        victims.assert_untouched(at)?;
    }
    Ok(())
}

#[test]
fn a_link_refused_late_in_a_change_leaves_no_installed_line_and_no_file() -> io::Result<()> {
    // The alert's files are staged first, the object set last: the link at
    // `lib/objects` is refused after the alert's files were staged.
    let victims = Victims::new()?;
    let tree = config_tree()?;
    let link = tree.path("lib/objects");
    victims.plant(&link, true)?;
    let out = piktc_install(&tree)?;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&victims.refusal(&link, true)), "{stderr}");
    assert!(
        stderr.contains("nothing was changed on this host"),
        "{stderr}"
    );
    // Before, -v listed `installed .../Hist.alt`, `.../Hist.cfg`,
    // `.../Obj.obj` and `enabled alert Hist`, none of which happened.
    assert_eq!(stdout, "", "nothing is reported as done");
    for path in [
        "lib/alerts/Hist.alt",
        "lib/alerts/Hist.cfg",
        "etc/piktd.conf",
    ] {
        assert!(!tree.path(path).exists(), "{path} was installed");
    }
    victims.assert_untouched("lib/objects")?;

    // With the link gone the same change installs, and says so.
    fs::remove_file(&link)?;
    let out = piktc_install(&tree)?;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for line in ["Hist.alt (alert Hist)", "Obj.obj (object set Obj)"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("installed ") && l.ends_with(line)),
            "{line}:\n{stdout}"
        );
    }
    assert!(stdout.contains("enabled alert Hist"), "{stdout}");
    Ok(())
}

// ---- symlinks: piktd ----

/// Runs piktd on `tree` until it writes its start line (then stops it), or
/// until it exits; returns its exit code (`None`: it ran) and its stderr.
fn piktd_briefly(tree: &Tree) -> io::Result<(Option<i32>, String)> {
    piktd_briefly_as(tree, tree.root())
}

/// [`piktd_briefly`] with `PIKT_DIR` set to `piktdir`, a way to `tree`.
fn piktd_briefly_as(tree: &Tree, piktdir: &Path) -> io::Result<(Option<i32>, String)> {
    let mut child = Command::new(PIKTD)
        .env("PIKT_DIR", piktdir)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = child.try_wait()? {
            break status.code();
        }
        let log = tree.read("var/log/piktd.log");
        if log.contains("INFO start piktd") || Instant::now() >= deadline {
            signal(&child, Signal::TERM);
            child.wait()?;
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output()?;
    Ok((code, text(&out.stderr)))
}

fn signal(child: &Child, signal: Signal) {
    if let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, signal);
    }
}

#[test]
fn links_planted_where_piktd_writes_are_refused_or_replaced() -> io::Result<()> {
    let cases: &[(&str, bool, bool)] = &[
        ("etc/piktd.lock", false, true),
        ("var/log/piktd.log", false, true),
        ("var/log", true, true),
        ("var/run", true, true),
        ("var", true, true),
        ("etc", true, true),
        ("etc/alerts", false, false),
        ("var/run/piktd.state", false, false),
    ];
    for &(at, dir, refused) in cases {
        let victims = Victims::new()?;
        let tree = Tree::new()?;
        tree.write("etc/piktd.conf", "0 0 1 1 * true # +A Yearly\n")?;
        let link = tree.path(at);
        if at == "etc" {
            let real = tree.path("real-etc");
            fs::rename(tree.path("etc"), &real)?;
        }
        victims.plant(&link, dir)?;
        let (code, stderr) = piktd_briefly(&tree)?;
        if refused {
            assert_eq!(code, Some(1), "{at}: piktd started anyway:\n{stderr}");
            assert!(
                stderr.contains(&victims.refusal(&link, dir)),
                "{at}:\n{stderr}"
            );
            assert!(is_link(&link));
        } else {
            assert_eq!(code, None, "{at}: {stderr}");
        }
        victims.assert_untouched(at)?;
    }
    Ok(())
}

// ---- symlinks: code and configuration read as root ----

/// An alert whose script runs `=prgdir/prog.sh` of the tree at `root`.
fn probe_alert(root: &Path) -> String {
    format!(
        "Probe\n\tbegin\n\t\texec wait \"sh {}/lib/programs/prog.sh\"\n\t\toutput \"ran\"\n",
        root.display()
    )
}

/// A program (and an alert, and settings) in `dir` that leave `marker`
/// behind when anything runs them: what an attacker's link leads to.
fn attacker_code(dir: &Path, marker: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let touch = format!("touch '{}'", marker.display());
    fs::write(dir.join("prog.sh"), format!("{touch}\n"))?;
    fs::write(
        dir.join("Probe.alt"),
        format!("Probe\n\tbegin\n\t\texec wait \"{touch}\"\n"),
    )?;
    fs::write(dir.join("Probe.cfg"), "Probe\n\tstatus active\n")
}

#[test]
fn links_planted_at_installed_code_make_an_alert_run_refuse_and_run_nothing() -> io::Result<()> {
    // (where the link is planted, a directory link?)
    let cases: &[(&str, bool)] = &[
        ("lib/programs", true),
        ("lib/alerts", true),
        ("lib/objects", true),
        ("lib", true),
        ("lib/alerts/Probe.alt", false),
        ("lib/alerts/Probe.cfg", false),
    ];
    for &(at, dir) in cases {
        let tree = Tree::new()?;
        let attacker = tempfile::Builder::new()
            .prefix("pikt-attacker-")
            .tempdir()?;
        let marker = attacker.path().join("ran");
        let code = attacker.path().join("code");
        attacker_code(&code, &marker)?;
        // What the attacker's tree holds where `lib` would lead.
        for sub in ["alerts", "programs", "objects"] {
            attacker_code(&code.join(sub), &marker)?;
        }
        tree.write("lib/alerts/Probe.alt", &probe_alert(tree.root()))?;
        tree.write("lib/programs/prog.sh", "echo fine\n")?;
        fs::create_dir_all(tree.path("lib/objects"))?;
        let link = tree.path(at);
        let target = if dir {
            if at == "lib" {
                code.clone()
            } else {
                code.join(at.trim_start_matches("lib/"))
            }
        } else {
            code.join(Path::new(at).file_name().unwrap_or_default())
        };
        if link.is_dir() {
            fs::remove_dir_all(&link)?;
        } else {
            fs::remove_file(&link).or_else(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
        }
        plant_link(&target, &link)?;
        let out = tree.pikt(&["+M", "cat > /dev/null", "+A", "Probe"])?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{at}: {stderr}");
        let shown = format!("refusing to follow symbolic link `{}`", link.display());
        assert!(stderr.contains(&shown), "{at}: no `{shown}` in:\n{stderr}");
        assert!(!marker.exists(), "{at}: the link's target ran");
        assert!(!text(&out.stdout).contains("ran"), "{at}");
    }
    // The same alert without a link runs its program.
    let tree = Tree::new()?;
    tree.write("lib/alerts/Probe.alt", &probe_alert(tree.root()))?;
    let marker = tree.path("ran");
    tree.write(
        "lib/programs/prog.sh",
        &format!("touch '{}'\n", marker.display()),
    )?;
    let out = tree.pikt(&["+M", "cat > /dev/null", "+A", "Probe"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(marker.exists(), "the control run did not run its program");
    Ok(())
}

#[test]
fn piktd_refuses_a_planted_piktd_conf_and_schedules_nothing_from_it() -> io::Result<()> {
    let tree = Tree::new()?;
    let attacker = tempfile::Builder::new()
        .prefix("pikt-attacker-")
        .tempdir()?;
    let planted_conf = attacker.path().join("piktd.conf");
    fs::write(&planted_conf, "* * * * * true # +A Evil\n")?;
    fs::create_dir_all(tree.path("etc"))?;
    let link = tree.path("etc/piktd.conf");
    plant_link(&planted_conf, &link)?;
    let shown = format!("refusing to follow symbolic link `{}`", link.display());
    // `piktd -z` checks it: refused, with the reason.
    let out = tree.command(PIKTD, &["-z"]).output()?;
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(&shown), "{stderr}");
    assert!(!text(&out.stdout).contains("Evil"), "{}", text(&out.stdout));
    // The daemon logs the refusal and schedules nothing from the link.
    let (code, stderr) = piktd_briefly(&tree)?;
    assert_eq!(code, None, "{stderr}");
    let log = tree.read("var/log/piktd.log");
    assert!(log.contains(&shown), "{log}");
    assert!(!log.contains("Evil"), "{log}");
    assert_eq!(tree.read("etc/alerts"), "", "the alert list names nothing");
    Ok(())
}

#[test]
fn trusted_links_at_code_and_config_are_followed() -> io::Result<()> {
    // Root's links in directories only root can write, as an admin makes
    // them: a programs directory kept elsewhere, piktd.conf and PIKT.conf
    // kept in one place.
    let tree = Tree::new()?;
    let elsewhere = tempfile::Builder::new().prefix("pikt-srv-").tempdir()?;
    let marker = tree.path("ran");
    fs::create_dir_all(elsewhere.path().join("programs"))?;
    fs::write(
        elsewhere.path().join("programs/prog.sh"),
        format!("touch '{}'\n", marker.display()),
    )?;
    fs::write(
        elsewhere.path().join("piktd.conf"),
        "0 0 1 1 * true # +A Yearly\n",
    )?;
    fs::write(elsewhere.path().join("PIKT.conf"), "verbose_log yes\n")?;
    tree.write("lib/alerts/Probe.alt", &probe_alert(tree.root()))?;
    std::os::unix::fs::symlink(elsewhere.path().join("programs"), tree.path("lib/programs"))?;
    fs::create_dir_all(tree.path("etc"))?;
    std::os::unix::fs::symlink(
        elsewhere.path().join("piktd.conf"),
        tree.path("etc/piktd.conf"),
    )?;
    std::os::unix::fs::symlink(
        elsewhere.path().join("PIKT.conf"),
        tree.path("etc/PIKT.conf"),
    )?;
    let out = tree.pikt(&["+M", "cat > /dev/null", "+A", "Probe"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(marker.exists(), "the program behind the trusted link ran");
    let out = tree.command(PIKTD, &["-z"]).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Yearly"),
        "{}",
        text(&out.stdout)
    );
    Ok(())
}

// ---- trusted links: a site reached through links only root could make ----

/// A configured tree reached as real sites reach theirs: `PIKT_DIR` is a
/// link that root made in a directory only root can write (like
/// `/etc/pikt -> /srv/pikt`), and the tree's `var` is a link to
/// `data/var` in it (like `/var -> /data/var`).
struct LinkedSite {
    tree: Tree,
    /// Holds `link`: root's, mode 0700.
    _holder: tempfile::TempDir,
    link: PathBuf,
}

impl LinkedSite {
    fn new() -> io::Result<LinkedSite> {
        let tree = config_tree()?;
        fs::create_dir_all(tree.path("data/var"))?;
        std::os::unix::fs::symlink("data/var", tree.path("var"))?;
        let holder = tempfile::Builder::new().prefix("pikt-etc-").tempdir()?;
        let link = holder.path().join("pikt");
        std::os::unix::fs::symlink(tree.root(), &link)?;
        Ok(LinkedSite {
            tree,
            _holder: holder,
            link,
        })
    }

    /// Runs `program` with `PIKT_DIR` set to the link.
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output> {
        self.tree
            .command(program, args)
            .env("PIKT_DIR", &self.link)
            .output()
    }

    /// Runs the `Hist` alert, mailing with `mailer`.
    fn alert(&self, mailer: &str) -> io::Result<Output> {
        self.run(PIKT, &["+M", mailer, "+A", "Hist"])
    }

    /// Everything written under the real `var` (`data/var`).
    fn var_files(&self) -> io::Result<Vec<String>> {
        Ok(files_under(&self.tree.path("data/var"))?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }
}

#[test]
fn a_site_reached_through_trusted_links_installs_runs_and_writes() -> io::Result<()> {
    let site = LinkedSite::new()?;
    let tree = &site.tree;
    let out = site.run(PIKTC, &["-iev", "+A", "all", "+O", "all"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!(
            "installed {}/lib/alerts/Hist.alt",
            site.link.display()
        )),
        "{}",
        text(&out.stdout)
    );
    assert!(tree
        .read("lib/alerts/Hist.alt")
        .contains("set #runs = %runs + 1"));
    assert_eq!(tree.read("lib/objects/Obj.obj"), "line one\n");
    let outbox = tree.path("outbox.txt");
    let mailer = format!("cat >> '{}'", outbox.display());
    for _ in 0..2 {
        let out = site.alert(&mailer)?;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            !text(&out.stderr).contains("refusing"),
            "{}",
            text(&out.stderr)
        );
    }
    // History carried the counter from the first run to the second.
    let mail = fs::read_to_string(&outbox)?;
    assert!(mail.contains("run 1") && mail.contains("run 2"), "{mail}");
    // A relay that fails: the message waits in the spool.
    let out = site.alert("exit 1")?;
    assert!(
        !text(&out.stderr).contains("refusing"),
        "{}",
        text(&out.stderr)
    );
    let written = site.var_files()?;
    for prefix in ["log/Hist.log", "history/Hist/", "spool/mail/Hist/"] {
        assert!(
            written.iter().any(|name| name.starts_with(prefix)),
            "nothing under data/var/{prefix}: {written:?}"
        );
    }
    let spooled: Vec<String> = files_under(&tree.path("data/var/spool/mail/Hist"))?
        .into_iter()
        .filter(|(name, _)| name.ends_with(".msg"))
        .map(|(_, bytes)| text(&bytes))
        .collect();
    assert!(
        spooled.len() == 1 && spooled[0].contains("run 3"),
        "{spooled:?}"
    );
    let log = tree.read("data/var/log/Hist.log");
    assert!(log.contains("message spooled as"), "{log}");
    // piktd through the same links: its lock, log and state.
    let (code, stderr) = piktd_briefly_as(tree, &site.link)?;
    assert_eq!(code, None, "piktd did not start:\n{stderr}");
    assert!(tree
        .read("data/var/log/piktd.log")
        .contains("INFO start piktd"));
    assert!(tree.path("etc/piktd.lock").is_file());
    assert!(is_link(&site.link) && is_link(&tree.path("var")));
    Ok(())
}

#[test]
fn the_same_site_through_a_link_another_user_owns_is_refused() -> io::Result<()> {
    let site = LinkedSite::new()?;
    let tree = &site.tree;
    // The same link, but a local user's.
    fs::remove_file(&site.link)?;
    plant_link(tree.root(), &site.link)?;
    let refused = refusal(&site.link, Some(tree.root()));
    let out = site.run(PIKTC, &["-iev", "+A", "all", "+O", "all"])?;
    assert!(!out.status.success(), "installed through the link");
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&refused), "{stderr}");
    assert!(
        stderr.contains("name the real directory instead of the link"),
        "{stderr}"
    );
    assert!(!tree.path("lib/alerts").exists(), "nothing installed");
    // An alert run writes nothing through it, and says why.
    tree.write("lib/alerts/Hist.alt", HIST_ALERT)?;
    let out = site.alert("exit 1")?;
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&refused), "{stderr}");
    assert_eq!(site.var_files()?, Vec::<String>::new());
    tree.write("etc/piktd.conf", "0 0 1 1 * true # +A Yearly\n")?;
    let (code, stderr) = piktd_briefly_as(tree, &site.link)?;
    assert_eq!(code, Some(1), "piktd started through the link:\n{stderr}");
    assert!(stderr.contains(&refused), "{stderr}");
    assert!(!tree.path("etc/piktd.lock").exists());
    Ok(())
}

// ---- kill -9 during installs and history writes ----

/// A small random generator (xorshift) seeded from the clock.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64)
            | 1;
        eprintln!("random seed {seed}");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every file under `dir`, relative, with its bytes.
fn files_under(dir: &Path) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                found.push((relative, fs::read(&path)?));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn is_temp(name: &str) -> bool {
    name.contains(".pikt-tmp-")
}

/// A pid that no process has (a child that has been reaped).
fn dead_pid() -> io::Result<u32> {
    let mut child = Command::new("true").spawn()?;
    let pid = child.id();
    child.wait()?;
    Ok(pid)
}

/// Plants in `dir` a stale temporary of a dead writer and two files that
/// only look like one; returns (the stale one, the look-alikes).
fn plant_leftovers(dir: &Path, target: &str) -> io::Result<(PathBuf, Vec<PathBuf>)> {
    let stale = dir.join(format!(".{target}.pikt-tmp-{}-12345-0", dead_pid()?));
    fs::write(&stale, "half a fi")?;
    let alike = vec![
        dir.join(format!(".{target}.piktc-{}-0", dead_pid()?)),
        dir.join(format!("{target}.pikt-tmp-notes")),
    ];
    for path in &alike {
        fs::write(path, "not ours to remove")?;
    }
    Ok((stale, alike))
}

/// The configuration in version `v`: 20 alerts and 40 object sets whose
/// text says which version made them.
fn write_config(tree: &Tree, v: &str) -> io::Result<()> {
    tree.write("lib/configs/systems.cfg", "debian\thosts\tstormhost\n")?;
    let mut alerts = String::new();
    let mut alarms = String::new();
    for i in 0..20 {
        alerts.push_str(&format!("A{i}\n\ttiming\t{i} * * * *\n\talarms\tS{i}\n"));
        alarms.push_str(&format!(
            "S{i}\n\tbegin\n\t\toutput \"version {v} script {i}\"\n"
        ));
    }
    let objects: String = (0..40)
        .map(|i| format!("O{i}\n{}", format!("\tversion {v} line\n").repeat(200)))
        .collect();
    tree.write("lib/configs/alerts.cfg", &alerts)?;
    tree.write("lib/configs/alarms.cfg", &alarms)?;
    tree.write("lib/configs/objects.cfg", &objects)
}

/// What `piktc -iev` installs for version `v` (a clean install elsewhere).
fn installed_version(v: &str) -> io::Result<Vec<(String, Vec<u8>)>> {
    let tree = Tree::new()?;
    write_config(&tree, v)?;
    let out = piktc_install(&tree)?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(files_under(&tree.path("lib"))?
        .into_iter()
        .filter(|(name, _)| !name.starts_with("configs/"))
        .collect())
}

#[test]
fn kill_9_during_installs_leaves_no_torn_file_and_the_next_install_cleans_up() -> io::Result<()> {
    let started = Instant::now();
    let versions = [installed_version("A")?, installed_version("B")?];
    // Kills land anywhere in an install: up to about as long as one takes.
    let span = (started.elapsed().as_millis() / 2).max(20) as u64 + 20;
    let tree = Tree::new()?;
    let mut random = Random::new();
    let mut temps_seen = 0;
    for i in 0..30 {
        write_config(&tree, ["A", "B"][i % 2])?;
        let mut child = tree
            .command(PIKTC, &["-iev", "+A", "all", "+O", "all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(Duration::from_millis(random.below(span)));
        let _ = child.kill();
        child.wait()?;
        for (name, bytes) in files_under(&tree.path("lib"))? {
            if name.starts_with("configs/") {
                continue;
            }
            if is_temp(&name) {
                temps_seen += 1;
                continue;
            }
            let known = versions
                .iter()
                .any(|v| v.iter().any(|(n, b)| *n == name && *b == bytes));
            assert!(known, "iteration {i}: `{name}` is torn or unknown");
        }
    }
    eprintln!("{temps_seen} temporary files seen after kills within {span} ms");
    // The next install, not killed, leaves the final version and no
    // temporary, and removes nothing that only looks like one.
    let (stale, alike) = plant_leftovers(&tree.path("lib/alerts"), "A0.alt")?;
    write_config(&tree, "A")?;
    let out = piktc_install(&tree)?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!stale.exists(), "a stale temporary was left");
    for path in &alike {
        assert!(path.exists(), "`{}` was removed", path.display());
        fs::remove_file(path)?;
    }
    let left: Vec<(String, Vec<u8>)> = files_under(&tree.path("lib"))?
        .into_iter()
        .filter(|(name, _)| !name.starts_with("configs/"))
        .collect();
    assert!(
        left.iter().all(|(name, _)| !is_temp(name)),
        "temporaries left: {:?}",
        left.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert_eq!(left, versions[0]);
    // Even an install that finds every file unchanged cleans up.
    let (stale, _) = plant_leftovers(&tree.path("lib/objects"), "O0.obj")?;
    let out = piktc_install(&tree)?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !stale.exists(),
        "a stale temporary was left beside unchanged files"
    );
    Ok(())
}

/// A rule keeping one history entry per key, for `keys` lines of input.
fn keyed_history_alert(tree: &Tree, keys: usize, round: usize) -> io::Result<()> {
    let input = tree.path("input.txt");
    let lines: String = (0..keys)
        .map(|k| format!("host{k} {}\n", k + round))
        .collect();
    fs::write(&input, lines)?;
    tree.write(
        "lib/alerts/Keys.alt",
        &format!(
            "PerHost\n\tinit\n\t\tinput file \"{}\"\n\t\tdat $host 1\n\t\tdat #cap 2\n\t\tkeys $host\n\trule\n\t\tif #defined(%cap)\n\t\t\tset #x = 1\n\t\tfi\n",
            input.display()
        ),
    )
}

#[test]
fn kill_9_during_history_writes_leaves_no_torn_file_and_the_next_run_cleans_up() -> io::Result<()> {
    let tree = Tree::new()?;
    let history = tree.path("var/history/Keys/PerHost.hst");
    let mut random = Random::new();
    keyed_history_alert(&tree, 3000, 0)?;
    let out = tree.pikt(&["+A", "Keys"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = fs::read_to_string(&history)?.lines().count();
    assert!(lines > 3000, "one entry per key: {lines}");
    let mut kills_after_start = 0;
    for round in 1..=30 {
        keyed_history_alert(&tree, 3000, round)?;
        let mut child = tree
            .command(PIKT, &["+A", "Keys"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(Duration::from_millis(random.below(400)));
        kills_after_start += usize::from(child.try_wait()?.is_none());
        let _ = child.kill();
        child.wait()?;
        let now = fs::read_to_string(&history)?;
        assert!(
            now.starts_with("pikt-history 1\n") && now.ends_with('\n'),
            "round {round}: torn history"
        );
        assert_eq!(now.lines().count(), lines, "round {round}: torn history");
    }
    eprintln!("{kills_after_start} kills landed in a running pikt");
    // The next run reports the killed runs (each once) and reads the
    // history without a warning; the one after it is clean. Stale
    // temporaries go; files that only look like one stay.
    let (stale, alike) = plant_leftovers(&tree.path("var/history/Keys"), "PerHost.hst")?;
    let out = tree.pikt(&["+A", "Keys"])?;
    assert!(!stale.exists(), "a stale temporary was left");
    for path in &alike {
        assert!(path.exists(), "`{}` was removed", path.display());
        fs::remove_file(path)?;
    }
    for line in text(&out.stderr).lines() {
        assert!(line.contains("was killed before it could finish"), "{line}");
    }
    let out = tree.pikt(&["+A", "Keys"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = tree.alert_log("Keys");
    assert!(!log.contains("history"), "{log}");
    let names: Vec<String> = fs::read_dir(tree.path("var/history/Keys"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["PerHost.hst"]);
    Ok(())
}

// ---- control characters from data ----

/// Lines an attacker controls (a log file, a process name), as bytes.
const HOSTILE_LINES: &[&[u8]] = &[
    b"cr\rforged",
    b"esc\x1b[31mred\x1b[0m",
    b"nul\x00x",
    b"c1\xc2\x9bz",
    b"bad\xff\xfeutf8",
    b"bidi\xe2\x80\xaeevil",
    b"del\x7fx",
];

/// The escapes the lines above must show as (`\xHH`, docs/alerts.md).
const SHOWN: &[&str] = &[
    "cr\\x0dforged",
    "esc\\x1b[31mred\\x1b[0m",
    "nul\\x00x",
    "c1\\xc2\\x9bz",
    "bidi\\xe2\\x80\\xaeevil",
    "del\\x7fx",
];

/// No control character other than LF and TAB, no C1, no bidi override.
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text}");
}

#[test]
fn control_characters_reach_log_syslog_and_mail_only_as_escapes() -> io::Result<()> {
    let syslog = Syslog::start()?;
    let sink = SmtpSink::start()?;
    let tree = Tree::new()?;
    let input = tree.path("hostile.txt");
    let mut bytes = Vec::new();
    for line in HOSTILE_LINES {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    fs::write(&input, bytes)?;
    tree.write(
        "lib/alerts/Ctl.alt",
        &format!(
            "Ctl\n\tinit\n\t\tinput file \"{}\"\n\trule\n\t\toutput mail $inline\n\t\toutput syslog $inline\n\t\toutput piktlog $inline\n\t\texec wait \"printf 'out\\\\033[2J\\\\r\\\\n'\"\n",
            input.display()
        ),
    )?;
    tree.write(
        "etc/PIKT.conf",
        &format!("smtp_relay {}\nmail_to admin@example.org\n", sink.addr()),
    )?;
    let out = tree
        .command(PIKT, &["+A", "Ctl"])
        .env("PIKT_SYSLOG", syslog.socket())
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let log = fs::read(tree.path("var/log/Ctl.log"))?;
    assert_no_controls("the alert log", &log);
    let log = String::from_utf8_lossy(&log);
    for shown in SHOWN {
        assert!(log.contains(shown), "no `{shown}` in the alert log:\n{log}");
    }
    // What commands print is escaped too (its line end is not part of it).
    assert!(log.contains("[OUTPUT] out\\x1b[2J\n"), "{log}");

    let messages = sink.wait_for_messages(1, Duration::from_secs(20));
    let mail = messages.first().map_or("", String::as_str);
    assert_no_controls("the mail", mail.as_bytes());
    for shown in SHOWN {
        assert!(mail.contains(shown), "no `{shown}` in the mail:\n{mail}");
    }

    let line = syslog.wait_for_line("esc\\x1b[31mred", Duration::from_secs(20))?;
    assert!(line.contains("Ctl["), "{line}");
    let lines = syslog.lines().join("\n");
    for shown in SHOWN {
        assert!(lines.contains(shown), "no `{shown}` in syslog:\n{lines}");
    }
    assert_no_controls("syslog", lines.as_bytes());
    Ok(())
}

// ---- the preprocessor on hostile files, through piktc ----

/// Runs `piktc -c` on `tree`; fails the test if it takes over 60 s (a
/// hang is a failure, not a slow test). Its output is read while it runs.
fn piktc_check_within(tree: &Tree) -> io::Result<Output> {
    piktc_within(tree, &["-c"])
}

/// Runs piktc with `args` on `tree`, as [`piktc_check_within`].
fn piktc_within(tree: &Tree, args: &[&str]) -> io::Result<Output> {
    let child = tree
        .command(PIKTC, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output,
        Err(_) => {
            if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
                let _ = kill_process(pid, Signal::KILL);
            }
            panic!("piktc {args:?} hangs");
        }
    }
}

#[test]
fn including_a_fifo_a_device_or_a_directory_is_an_error_not_a_hang() -> io::Result<()> {
    for (name, what) in [
        ("fifo.cfg", "a FIFO"),
        ("/dev/zero", "a device"),
        ("sub", "a directory"),
    ] {
        let tree = config_tree()?;
        let fifo = tree.path("lib/configs/fifo.cfg");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )?;
        fs::create_dir(tree.path("lib/configs/sub"))?;
        tree.write(
            "lib/configs/objects.cfg",
            &format!("Obj\n\tline one\n#include \"{name}\"\n"),
        )?;
        let out = piktc_check_within(&tree)?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("it is {what}; only regular files can be included")),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("objects.cfg:3:11"), "{name}: {stderr}");
    }
    Ok(())
}

/// Processes still running whose environment names `tree` (what piktc
/// started for it), as their command lines.
fn processes_of(tree: &Tree) -> Vec<String> {
    let marker = format!("PIKT_DIR={}", tree.root().display());
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter(|e| {
            fs::read(e.path().join("environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == marker.as_bytes()))
        })
        .filter(|e| {
            fs::read_to_string(e.path().join("stat")).is_ok_and(|stat| !stat.contains(") Z "))
        })
        .map(|e| text(&fs::read(e.path().join("cmdline")).unwrap_or_default()).replace('\0', " "))
        .collect()
}

#[test]
fn a_flooding_or_hanging_preprocessor_command_is_killed_and_nothing_installed() -> io::Result<()> {
    let control = config_tree()?;
    control.write("etc/PIKT.conf", "preproc_command_limit 2\n")?;
    control.write("lib/configs/objects.cfg", "Obj\n\tline one\n#exec [true]\n")?;
    let out = piktc_within(&control, &["-iev", "+A", "all", "+O", "all"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let installed = control.path("lib/objects/Obj.obj");
    assert!(
        installed.exists(),
        "the control installs {}",
        installed.display()
    );
    for (command, what) in [
        (
            "yes",
            format!(
                "it printed more than {} bytes and was killed with its process group",
                16 << 20
            ),
        ),
        (
            "sleep 1000",
            "it was still running after 2 s and was killed with its process group".to_string(),
        ),
    ] {
        let tree = config_tree()?;
        tree.write("etc/PIKT.conf", "preproc_command_limit 2\n")?;
        tree.write(
            "lib/configs/objects.cfg",
            &format!("Obj\n\tline one\n#exec [{command}]\n"),
        )?;
        // piktc_within is the guard against a hang; the message says the
        // command was stopped at its limit.
        let out = piktc_within(&tree, &["-iev", "+A", "all", "+O", "all"])?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        let caret = "^".repeat(command.len());
        assert!(
            stderr.contains(&format!(
                "error: cannot run `{command}`: {what}\n --> objects.cfg:3:8\n  |\n\
                 3 | #exec [{command}]\n  |        {caret}\n"
            )),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("nothing changed on `stormhost`"),
            "{command}: {stderr}"
        );
        for installed in ["lib/objects", "lib/alerts", "lib/programs"] {
            assert!(!tree.path(installed).exists(), "{command}: {installed}");
        }
        let left = processes_of(&tree);
        assert!(left.is_empty(), "{command}: still running: {left:?}");
    }
    Ok(())
}

#[test]
fn a_preprocessor_command_flooding_its_stderr_is_capped_and_said() -> io::Result<()> {
    let tree = config_tree()?;
    // Three million bytes of complaints; before, every one reached
    // piktc's standard error.
    let command = "yes complaint | head -c 3000000 >&2; echo fine";
    tree.write(
        "lib/configs/objects.cfg",
        &format!("Obj\n\tline one\n#include [{command}]\n"),
    )?;
    let out = piktc_check_within(&tree)?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "a warning, not an error");
    let caret = "^".repeat(command.len());
    assert!(
        stderr.contains(&format!(
            "warning: `{command}` wrote to standard error\n --> objects.cfg:3:11\n  |\n\
             3 | #include [{command}]\n  |           {caret}\n  = note: stderr: complaint\n"
        )),
        "{}",
        stderr.get(..2000).unwrap_or(&stderr)
    );
    let kept = 64 << 10;
    assert!(
        stderr.contains(&format!(
            "= note: {} more bytes of its standard error were dropped (the first 64 KiB are kept)",
            3_000_000 - kept
        )),
        "{}",
        stderr
            .get(stderr.len().saturating_sub(2000)..)
            .unwrap_or(&stderr)
    );
    assert_eq!(
        stderr.matches("= note: stderr: complaint").count(),
        kept / "complaint\n".len(),
        "whole lines kept, the cap's last partial line aside"
    );
    Ok(())
}

#[test]
fn deep_nesting_and_macro_bombs_through_piktc_end_with_one_clear_error() -> io::Result<()> {
    let tree = config_tree()?;
    let depth = 20_000;
    let objects = format!(
        "Obj\n{}\tline\n{}",
        "#if stormhost\n".repeat(depth),
        "#endif\n".repeat(depth)
    );
    tree.write("lib/configs/objects.cfg", &objects)?;
    let macros: String = std::iter::once("m0 xxxxxxxxxx\n".to_string())
        .chain((1..8).map(|i| format!("m{i} {}\n", format!("=m{} ", i - 1).repeat(10))))
        .collect();
    tree.write("lib/configs/macros.cfg", &macros)?;
    tree.write("lib/configs/programs.cfg", &"bomb =m7\n".repeat(100))?;
    let out = piktc_check_within(&tree)?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("nested deeper than 64").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("objects.cfg:66:1"), "{stderr}");
    assert!(stderr.contains("grows beyond 1048576 bytes"), "{stderr}");
    assert!(stderr.contains("programs.cfg:1:6"), "{stderr}");
    Ok(())
}

// ---- piktd under garbage, SIGHUP storms and concurrent starts ----

#[test]
fn piktd_survives_garbage_sighup_storms_and_concurrent_starts() -> io::Result<()> {
    let tree = Tree::new()?;
    let mut garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    garbage.extend_from_slice(b"\n* * * * * echo tick >> ticks # +A Every\n");
    fs::create_dir_all(tree.path("etc"))?;
    fs::write(tree.path("etc/piktd.conf"), &garbage)?;

    // Ten piktd at once: exactly one runs, the others are refused.
    // piktd copies its log to standard error: nobody reads it here, so it
    // must not be a pipe that fills up.
    let mut children: Vec<Child> = (0..10)
        .map(|_| {
            Command::new(PIKTD)
                .env("PIKT_DIR", tree.root())
                .env("TZ", "UTC")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        })
        .collect::<io::Result<_>>()?;
    std::thread::sleep(Duration::from_millis(1500));
    let mut running = Vec::new();
    for (i, child) in children.iter_mut().enumerate() {
        match child.try_wait()? {
            None => running.push(i),
            Some(status) => assert_eq!(status.code(), Some(3), "refused with status 3"),
        }
    }
    assert_eq!(running.len(), 1, "one piktd per installation");
    let mut daemon = Running(children.swap_remove(running[0]));
    for mut other in children {
        other.wait()?;
    }

    // The garbage is reported, the good line still runs.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !tree.read("ticks").contains("tick") {
        assert!(
            Instant::now() < deadline,
            "{}",
            tree.read("var/log/piktd.log")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = tree.read("var/log/piktd.log");
    assert!(log.contains("ERROR"), "{log}");
    // Every line is an entry of piktd's own: the garbage forged none.
    for line in log.lines() {
        let stamp = line.get(..16).unwrap_or_default();
        let well_formed =
            stamp.len() == 16 && stamp.as_bytes()[9] == b':' && line.contains(" piktd[");
        assert!(well_formed, "not a piktd entry: {line:?}");
    }
    assert_no_controls("piktd.log", log.as_bytes());

    // 3000 SIGHUPs as fast as they can be sent, with the file changing.
    for i in 0..3000 {
        if i % 500 == 0 {
            let mut more = garbage.clone();
            more.extend_from_slice(format!("# {i}\n").as_bytes());
            fs::write(tree.path("etc/piktd.conf"), more)?;
        }
        signal(&daemon.0, Signal::HUP);
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(daemon.0.try_wait()?.is_none(), "piktd died under SIGHUPs");
    fs::write(tree.path("etc/piktd.conf"), "*/5 * * * * true # +A Fresh\n")?;
    signal(&daemon.0, Signal::HUP);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tree.read("etc/alerts") != "Fresh\n" {
        assert!(Instant::now() < deadline, "no reload after the storm");
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&daemon.0, Signal::TERM);
    assert_eq!(daemon.0.wait()?.code(), Some(0));
    Ok(())
}

/// A daemon killed when the test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
