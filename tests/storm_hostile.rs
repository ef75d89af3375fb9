//! The imapd storm again, with names chosen by an attacker (issue 9): run
//! for real, as root, through the shipped example (`Urgent`: the seed's
//! ProcCountsChk; `UrgentNative`) and through a real `piktd`.
//!
//! * Processes whose names break out of the quotes of the seed's page
//!   command (`echo '=pikthostname: $inlin' | =mailx ...`) with `;`,
//!   `$(...)`, backquotes, `|`, `&`, `"` and a newline, each followed by a
//!   redirection that would create the marker file `PWN`.
//! * Users (real ones, made with `useradd --badname`) whose names attack the
//!   archive step's command the same way (marker `P`), each with an imapd
//!   storm.
//!
//! Every storm is still logged, mailed (through a real SMTP server) and
//! paged with its name shown as data, the users' mail files are archived,
//! the storms are killed, and no marker appears anywhere a command could
//! have made it. A control shows the payloads are real: spliced into the
//! same commands as PIKT spliced them, they make the markers.
//!
//! The example is run as shipped; only its people, mail spool, archive and
//! thresholds are the test's own (as in `storm.rs`).

use std::fs;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pikt_sched::testing::wait_for_log_line;
use rustix::process::{kill_process, Pid, Signal};

use crate::storm::{body_of, StormSite, PATIENCE};
use crate::support::smtp::SmtpSink;
use crate::support::storm::Storm;
use crate::support::tree::{expect_exit, text, HOST, PIKT, PIKTC, PIKTD};
use crate::support::{FileLock, IMAPD_STORM_LOCK};

/// Process names (at most 15 bytes, no blank: the seed drops lines of
/// three fields) ending in `Zq`, which the thresholds below look for.
const NAMES: [&str; 7] = [
    "';>PWN;'Zq",
    "'$(>PWN)'Zq",
    "'`>PWN`'Zq",
    "'|>PWN|'Zq",
    "'&>PWN&'Zq",
    "\";>PWN;\"Zq",
    "x\n>PWN\nZq",
];

/// The one name `ps` cannot print as it is: its newlines show as `?`.
const NEWLINE_NAME: &str = "x\n>PWN\nZq";

/// User names (at most 8 bytes, as `ps` shows them whole).
const USERS: [&str; 6] = ["x;>P", "x$(>P)", "x`>P`", "x|>P&", "x'>P", "x\">P"];

/// Three processes of a storm cross every threshold. `nopage` spares the
/// seed's `pause 5` per page in the run that does not test paging.
const OBJECTS: &str = "ProcCounts
	// proc	log	alert	page	kill
#ifdef nopage
	imapd	3	3	0	3
	Zq	3	3	0	3
#elsedef
	imapd	3	3	3	3
	Zq	3	3	3	3
#endifdef
	\\\\*	0	0	0	0
";

/// How `ps` shows a process name.
fn shown(name: &str) -> String {
    name.replace('\n', "?")
}

/// The storms of one run: chico's hostile names, and the hostile users'
/// imapd.
struct HostileStorms {
    names: Vec<(&'static str, Storm)>,
    users: Vec<(&'static str, Storm)>,
}

impl HostileStorms {
    fn start() -> io::Result<HostileStorms> {
        let mut names = Vec::new();
        for name in NAMES {
            names.push((name, Storm::start("chico", name, 3)?));
        }
        let mut users = Vec::new();
        for user in USERS {
            users.push((user, Storm::start(user, "imapd", 3)?));
        }
        Ok(HostileStorms { names, users })
    }

    /// Every storm is gone (but `except`'s).
    fn assert_killed(&self, except: Option<&str>) {
        for (name, storm) in self.names.iter().chain(&self.users) {
            if Some(*name) == except {
                continue;
            }
            let left = storm.wait_alive_at_most(0, PATIENCE);
            assert!(left.is_empty(), "storm {name:?} still alive: {left:?}");
        }
    }
}

/// The places a command of the run could have created a marker in.
fn assert_no_marker(site: &StormSite) {
    for dir in [
        site.tree.root(),
        site.spool_dir.path(),
        site.archive_dir.path(),
        &site.archive_dir.path().join("arc"),
    ] {
        for marker in ["PWN", "P"] {
            assert!(
                !dir.join(marker).exists(),
                "an injected command ran: {} exists",
                dir.join(marker).display()
            );
        }
    }
}

/// The mail of a run holds every storm's line, name as it is, the
/// archive of every hostile user's mail file, and every kill.
fn assert_mail(body: &str, site: &StormSite, killed_newline: bool) {
    let lines: Vec<String> = body.lines().map(|l| l.trim().to_string()).collect();
    let has = |wanted: &str| lines.iter().any(|l| l == wanted);
    for name in NAMES {
        let name = shown(name);
        assert!(
            has(&format!("3 chico {name}")),
            "no `3 chico {name}` in:\n{body}"
        );
        if killed_newline || shown(NEWLINE_NAME) != name {
            assert!(
                has(&format!("killed all chico {name} processes")),
                "no kill of {name} in:\n{body}"
            );
        }
    }
    let archive = site.archive_dir.path().join("arc");
    for user in USERS {
        assert!(
            has(&format!("3 {user} imapd")),
            "no `3 {user} imapd` in:\n{body}"
        );
        assert!(has(&format!("killed all {user} imapd processes")), "{body}");
        let saved = format!("saved user mail file as {}/{user}.", archive.display());
        let line = lines
            .iter()
            .find(|l| l.starts_with(&saved))
            .unwrap_or_else(|| panic!("no `{saved}...` in:\n{body}"));
        let stamp = line.get(saved.len()..).unwrap_or_default();
        assert!(stamp.bytes().all(|b| b.is_ascii_digit()), "{line}");
        let copy = archive.join(format!("{user}.{stamp}"));
        assert_eq!(
            fs::read_to_string(&copy).ok(),
            Some(format!("mail of {user}\n")),
            "the archive {}",
            copy.display()
        );
    }
}

/// The pages (the example's mailx writes them to `pages.txt`) show every
/// storm's line as it is.
fn assert_pages(site: &StormSite) {
    let pages = site.tree.read("pages.txt");
    for name in NAMES {
        let wanted = format!(" chico {}", shown(name));
        assert!(
            pages
                .lines()
                .any(|l| l.starts_with(&format!("{HOST}: ")) && l.ends_with(&wanted)),
            "no page for {name:?}:\n{pages}"
        );
    }
    for user in USERS {
        let wanted = format!(" {user} imapd");
        assert!(
            pages.lines().any(|l| l.ends_with(&wanted)),
            "no page for {user:?}:\n{pages}"
        );
    }
}

/// The payloads are real: spliced into the seed's page command and the
/// old archive step as PIKT spliced text, they make the markers.
#[test]
fn the_payloads_inject_commands_when_spliced_as_text() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let run = |command: &str| -> io::Result<bool> {
        for marker in ["PWN", "P"] {
            let _ = fs::remove_file(dir.path().join(marker));
        }
        Command::new("/bin/sh")
            .args(["-c", command])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        Ok(dir.path().join("PWN").exists() || dir.path().join("P").exists())
    };
    for name in &NAMES[..5] {
        let page = format!("echo '{HOST}:       3 chico {name}' | cat");
        assert!(run(&page)?, "{name:?} injects nothing into {page}");
    }
    for user in USERS.iter().take(4) {
        let copy = format!("cp -p /nonexistent/{user} /nonexistent/arc/{user}.1");
        assert!(run(&copy)?, "{user:?} injects nothing into {copy}");
    }
    Ok(())
}

#[test]
fn hostile_names_are_data_through_the_shipped_example() -> io::Result<()> {
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(600))?;
    let site = StormSite::with_objects(OBJECTS)?;
    for user in USERS {
        fs::write(
            site.spool_dir.path().join(user),
            format!("mail of {user}\n"),
        )?;
    }
    let sink = SmtpSink::start()?;
    site.relay_to(&sink.addr())?;
    // `piktc -c` finds nothing to warn about in the example.
    let check = site.tree.command(PIKTC, &["-c"]).output()?;
    assert!(
        !text(&check.stderr).contains("warning"),
        "{}",
        text(&check.stderr)
    );
    site.install(&[])?;
    let tree = &site.tree;

    // 1. The seed's ProcCountsChk, every storm paged.
    let storms = HostileStorms::start()?;
    let out = tree.pikt(&["+A", "Urgent"])?;
    expect_exit(&out, 0, "the seed's alert run");
    storms.assert_killed(None);
    assert_no_marker(&site);
    let messages = sink.wait_for_messages(1, PATIENCE);
    assert_eq!(messages.len(), 1, "{}", sink.log());
    assert_mail(body_of(&messages[0]), &site, true);
    assert_pages(&site);
    let log = tree.alert_log("Urgent");
    for (_, storm) in storms.names.iter().chain(&storms.users) {
        for pid in storm.pids() {
            assert!(
                log.contains(&format!("exec: kill -9 {pid}\n")),
                "pid {pid} not killed by the log:\n{log}"
            );
        }
    }
    // The alert log shows the page commands with the names quoted.
    assert!(
        log.contains(&format!(
            "exec: echo '{HOST}:       3 chico '\\'';>PWN;'\\''Zq' |"
        )),
        "{log}"
    );
    let diagnostic = tree.read("var/log/ProcCounts.log");
    assert!(diagnostic.contains("3 chico ';>PWN;'Zq"), "{diagnostic}");
    drop(storms);
    fs::remove_file(tree.path("pages.txt"))?;

    // 2. The native variant, every storm paged.
    let storms = HostileStorms::start()?;
    let out = tree.pikt(&["+A", "UrgentNative"])?;
    expect_exit(&out, 0, "the native variant");
    // `#killprocs` kills by name, and the name `ps` shows for the storm
    // with newlines (`?` for each) is not its name: that one lives.
    storms.assert_killed(Some(NEWLINE_NAME));
    assert_no_marker(&site);
    let messages = sink.wait_for_messages(2, PATIENCE);
    assert_eq!(messages.len(), 2, "{}", sink.log());
    assert_mail(body_of(&messages[1]), &site, false);
    assert_pages(&site);
    drop(storms);

    // 3. Urgent run by a real piktd, as the README installs it (no pages,
    //    which would only repeat step 1 at five seconds each).
    site.install(&["nopage"])?;
    fs::write(
        tree.path("etc/piktd.conf"),
        format!("* * * * * {PIKT} +A Urgent\n"),
    )?;
    let storms = HostileStorms::start()?;
    let mut daemon = Command::new(PIKTD)
        .env("PIKT_DIR", tree.root())
        .env("PIKT_HOST", HOST)
        .env("TZ", "UTC")
        .env_remove("PIKT_NOW")
        .current_dir(tree.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let started = Instant::now();
    let end = wait_for_log_line(tree.root(), &["end Urgent"], Duration::from_secs(240));
    if let Some(pid) = Pid::from_raw(i32::try_from(daemon.id()).unwrap_or(0)) {
        let _ = kill_process(pid, Signal::TERM);
    }
    let _ = daemon.wait();
    assert!(
        end.contains("exit 0"),
        "{end} (after {:?})",
        started.elapsed()
    );
    storms.assert_killed(None);
    assert_no_marker(&site);
    let messages = sink.wait_for_messages(3, PATIENCE);
    assert_eq!(messages.len(), 3, "{}", sink.log());
    assert_mail(body_of(&messages[2]), &site, true);
    Ok(())
}
