//! Alert runs end to end (`pikt +A`, docs/alerts.md) with real parts.
//!
//! * The case folders of `tests/cases/alert/` (one run each: order, `quit`,
//!   `die`, status, level, `+S`, test mode, mail and print commands).
//! * Runs that need several alert runs or a real service: history and
//!   log-file offsets kept between runs, `output syslog` to `/dev/log`
//!   served by a real rsyslogd, mail spooled while there is no route and sent
//!   by the next run.
//! * The seed's story on this host: an imapd storm of user chico (300
//!   processes) is detected, logged, mailed through a real SMTP server,
//!   paged, chico's mail file archived and every chico imapd killed, while
//!   zeppo's two imapd and every other process live on; again with a mail
//!   command, with the native variant, and with the SMTP server down (the
//!   mail is spooled, then delivered by the next run).
//!
//! These tests need root (they create users and kill their processes) and
//! the packages `.ci/run` installs; without them they fail, never skip.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use tempfile::TempDir;

use crate::harness::cases::run_cases;
use crate::support::smtp::SmtpSink;
use crate::support::storm::Storm;
use crate::support::syslog::Syslog;
use crate::support::tree::{expect_exit, text, Tree, HOST, PIKT};
use crate::support::{FileLock, IMAPD_STORM_LOCK};

/// How long processes may take to disappear, or mail to arrive.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn alert_cases_through_pikt() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/alert");
    run_cases(&root, Path::new(PIKT));
}

// ---- history and log-file offsets across alert runs ----

const HISTORY_ALERT: &str = "Counter
	begin
		if #defined(%runs)
			set #runs = %runs + 1
		else
			set #runs = 1
		fi
		output \"run #runs\"
PerHost
	init
		input file \"=in\"
		dat $host 1
		dat #cap 2
		keys $host
	rule
		if #defined(%cap)
			output \"$host was \" . %cap . \" now #cap\"
		else
			output \"$host new at #cap\"
		fi
";

#[test]
fn history_persists_per_script_and_per_key_across_alert_runs() -> io::Result<()> {
    let tree = Tree::new()?;
    let input = tree.path("caps.txt");
    let alarms = HISTORY_ALERT.replace("=in", &input.display().to_string());
    tree.write("lib/alerts/Hist.alt", &alarms)?;
    let mut outputs = Vec::new();
    for caps in ["a 10\nb 20\n", "b 25\na 11\n", "c 5\n"] {
        fs::write(&input, caps)?;
        let out = tree.pikt(&["+A", "Hist"])?;
        expect_exit(&out, 0, "history run");
        outputs.push(text(&out.stdout));
    }
    assert_eq!(
        outputs,
        [
            "run 1\na new at 10\nb new at 20\n",
            "run 2\nb was 20 now 25\na was 10 now 11\n",
            "run 3\nc new at 5\n",
        ]
    );
    // One history file per script of the alert, replaced atomically: no
    // temporary file is left beside them.
    let mut files: Vec<String> = fs::read_dir(tree.path("var/history/Hist"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["Counter.hst", "PerHost.hst"]);
    Ok(())
}

#[test]
fn logfile_input_reads_only_new_lines_and_follows_rotation() -> io::Result<()> {
    let tree = Tree::new()?;
    let log = tree.path("app.log");
    let rotated = tree.path("app.log.1");
    let script = format!(
        "Tail\n\tinit\n\t\tinput logfile \"{}\" \"{}\"\n\trule\n\t\toutput \"got \" . $inline\n",
        log.display(),
        rotated.display()
    );
    tree.write("lib/alerts/Logs.alt", &script)?;
    let run = |tree: &Tree| -> io::Result<String> {
        let out = tree.pikt(&["+A", "Logs"])?;
        expect_exit(&out, 0, "logfile run");
        Ok(text(&out.stdout))
    };
    fs::write(&log, "a\nb\n")?;
    assert_eq!(
        run(&tree)?,
        "got a\ngot b\n",
        "first run reads the whole log"
    );
    fs::write(&log, "a\nb\nc\nhalf")?;
    assert_eq!(
        run(&tree)?,
        "got c\n",
        "only appended lines; a last line without a newline waits"
    );
    // Rotation by renaming: the rest of the old log, then the new one.
    fs::write(&log, "a\nb\nc\nhalf line\nd\n")?;
    fs::rename(&log, &rotated)?;
    fs::write(&log, "e\n")?;
    assert_eq!(run(&tree)?, "got half line\ngot d\ngot e\n");
    assert_eq!(run(&tree)?, "", "nothing new");
    // Rotation by truncation (copytruncate): the log is shorter than what
    // was read; the copy has nothing new, the log is read from its start.
    fs::write(&log, "e\ng, a longer line\n")?;
    assert_eq!(run(&tree)?, "got g, a longer line\n");
    fs::copy(&log, &rotated)?;
    fs::write(&log, "f\n")?;
    assert_eq!(run(&tree)?, "got f\n");
    Ok(())
}

// ---- the alert log, syslog, print, and mail without a route ----

#[test]
fn alert_log_syslog_and_print_of_an_alert_run() -> io::Result<()> {
    let syslog = Syslog::start_on_dev_log()?;
    let tree = Tree::new()?;
    tree.write(
        "lib/alerts/Ops.alt",
        "Disk
	init
		level critical
	begin
		output syslog \"disk full on /var\"
		exec wait \"true\"
		exec wait \"echo said by the command; echo and on stderr >&2\"
		if #fopen(F, \"/nonexistent/pikt-file\", \"r\") == #err()
			output print \"to the printer\"
		fi
Broken
	begin
		set #zero = 0
		output 1 / #zero
Last
	begin
		output \"last ran\"
",
    )?;
    let printed = tree.path("printed.txt");
    tree.write(
        "lib/alerts/Ops.cfg",
        &format!(
            "Ops\n\tlpcmd \"cat > {}\"\n\talarms Disk Broken Last\n",
            printed.display()
        ),
    )?;
    let out = tree.pikt(&["+A", "Ops"])?;
    expect_exit(&out, 1, "a script failed, the run goes on");
    assert_eq!(text(&out.stdout), "last ran\n");
    assert!(
        text(&out.stderr).contains("division by zero"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&printed)?, "to the printer\n");
    // The datagram is tagged with the script's name (docs/runtime.md).
    let line = syslog.wait_for_line("disk full on /var", PATIENCE)?;
    assert!(line.contains(" Disk["), "{line}");
    assert!(line.ends_with("]: disk full on /var"), "{line}");

    let log = tree.alert_log("Ops");
    let first = log.lines().next().unwrap_or_default();
    assert!(
        first.contains(&format!(" {HOST} pikt["))
            && first.contains("]: [INFO] run started: pikt +A Ops"),
        "a syslog-style start line with host and pid: {first}"
    );
    for needle in [
        ": [INFO] Disk: exec: true",
        ": [OUTPUT] said by the command",
        ": [OUTPUT] and on stderr",
        ": [WARNING] Disk: ",
        ": [ERROR] Broken: division by zero",
        ": [INFO] no alert mail: no script produced mail output",
    ] {
        assert!(
            log.contains(needle),
            "no `{needle}` in the alert log:\n{log}"
        );
    }
    let last = log.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(": [INFO] run ended abnormally (exit status 1)"),
        "{log}"
    );
    Ok(())
}

#[test]
fn undeliverable_mail_waits_in_the_spool_until_a_route_exists() -> io::Result<()> {
    let tree = Tree::new()?;
    tree.write(
        "lib/alerts/Mailer.alt",
        "Say\n\tbegin\n\t\tif $getenv(\"SAY\") ne \"\"\n\t\t\toutput mail $getenv(\"SAY\")\n\t\tfi\n",
    )?;
    let mut first = tree.command(PIKT, &["+A", "Mailer"]);
    let out = first.env("SAY", "first alert").output()?;
    expect_exit(&out, 1, "no route: the mail is spooled");
    assert!(
        text(&out.stderr).contains("no way to send mail"),
        "{}",
        text(&out.stderr)
    );
    let spool = tree.path("var/spool/mail/Mailer");
    assert_eq!(spooled_messages(&spool)?, 1);
    assert!(tree.alert_log("Mailer").contains(": [ERROR] mail: "));

    let sink = SmtpSink::start()?;
    tree.write(
        "etc/PIKT.conf",
        &format!("smtp_relay {}\nmail_to admin@example.org\n", sink.addr()),
    )?;
    let out = tree.command(PIKT, &["+A", "Mailer"]).output()?;
    expect_exit(&out, 0, "the spooled mail goes out");
    let messages = sink.wait_for_messages(1, PATIENCE);
    assert_eq!(messages.len(), 1, "{}", sink.log());
    let message = messages.first().map_or("", String::as_str);
    assert!(message.contains(&format!("Subject: PIKT Alert on {HOST}: Mailer")));
    assert!(message.contains("    first alert"), "{message}");
    assert!(message.contains("X-RcptTo: admin@example.org"), "{message}");
    assert_eq!(spooled_messages(&spool)?, 0);
    assert!(tree
        .alert_log("Mailer")
        .contains("mail: delivered 1 spooled message(s) from an earlier run"));
    Ok(())
}

// ---- the imapd storm ----

/// The example site's configuration, with the test's own alerts,
/// thresholds and host, and macros that keep the run inside the test:
/// the pager appends to a file, mail spool and archive are temporary.
pub(crate) struct StormSite {
    pub(crate) tree: Tree,
    pub(crate) spool_dir: TempDir,
    pub(crate) archive_dir: TempDir,
}

const STORM_ALERTS: &str = "Urgent
	timing	0 * * * *
	alarms	ProcCountsChk
UrgentNative
	timing	0 * * * *
	alarms	ProcCountsNative
";

/// chico's 300 imapd cross log (10), alert (100), page (250) and kill (100);
/// zeppo's 2 cross none; nothing else is looked at (the wild card is 0).
/// With `nopage` defined (`piktc +D nopage`) nobody is paged, which spares
/// the seed's `pause 5` in the runs that do not test paging.
const STORM_OBJECTS: &str = "ProcCounts
	// proc		log	alert	page	kill
#ifdef nopage
	imapd		10	100	0	100
#elsedef
	imapd		10	100	250	100
#endifdef
	\\\\*		0	0	0	0
";

impl StormSite {
    fn new() -> io::Result<StormSite> {
        StormSite::with_objects(STORM_OBJECTS)
    }

    /// The example site with the thresholds of `objects` (objects.cfg).
    pub(crate) fn with_objects(objects: &str) -> io::Result<StormSite> {
        let tree = Tree::new()?;
        let spool_dir = tempfile::Builder::new().prefix("pikt-mail-").tempdir()?;
        let archive_dir = tempfile::Builder::new().prefix("pikt-arc-").tempdir()?;
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pikt/lib/configs");
        let mut macros = fs::read_to_string(example.join("macros.cfg"))?;
        let pages = tree.path("pages.txt");
        for (name, value) in [
            ("mailx", format!("sh -c 'cat >> {}' pager", pages.display())),
            ("pagesysadmins", "chico-pager@example.org".to_string()),
            ("mailspooldir", spool_dir.path().display().to_string()),
            (
                "mailarcdir",
                archive_dir.path().join("arc").display().to_string(),
            ),
        ] {
            macros = replace_macro(&macros, name, &value);
        }
        tree.write("lib/configs/macros.cfg", &macros)?;
        tree.write(
            "lib/configs/alarms.cfg",
            &fs::read_to_string(example.join("alarms.cfg"))?,
        )?;
        tree.write(
            "lib/configs/systems.cfg",
            &format!("debian\thosts\t{HOST}\n"),
        )?;
        tree.write("lib/configs/defines.cfg", "debug\tFALSE\nnopage\tFALSE\n")?;
        tree.write("lib/configs/alerts.cfg", STORM_ALERTS)?;
        tree.write("lib/configs/objects.cfg", objects)?;
        Ok(StormSite {
            tree,
            spool_dir,
            archive_dir,
        })
    }

    /// PIKT.conf sending mail to `relay`.
    pub(crate) fn relay_to(&self, relay: &str) -> io::Result<()> {
        self.tree.write(
            "etc/PIKT.conf",
            &format!("smtp_relay {relay}\nmail_to admin@example.org\nmail_from pikt@{HOST}\n"),
        )
    }

    pub(crate) fn install(&self, defines: &[&str]) -> io::Result<()> {
        self.tree.piktc(&["-c"])?;
        let mut args = vec!["-iev", "+A", "all", "+O", "all"];
        if !defines.is_empty() {
            args.push("+D");
            args.extend_from_slice(defines);
        }
        self.tree.piktc(&args)
    }
}

/// `text` with the macro `name`'s line replaced by `name\tvalue`.
fn replace_macro(text: &str, name: &str, value: &str) -> String {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let is_it = line
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with([' ', '\t']));
            if is_it {
                found = true;
                format!("{name}\t{value}")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(found, "the example's macros.cfg has no macro `{name}`");
    lines.join("\n") + "\n"
}

/// The storm of one run: chico's 300 imapd, zeppo's 2, and bystanders a
/// careless kill would hit (chico's other programs, root's imapd).
struct Storms {
    chico: Storm,
    zeppo: Storm,
    chico_pine: Storm,
    root_imapd: Storm,
}

impl Storms {
    fn start() -> io::Result<Storms> {
        Ok(Storms {
            chico: Storm::start("chico", "imapd", 300)?,
            zeppo: Storm::start("zeppo", "imapd", 2)?,
            chico_pine: Storm::start("chico", "pine", 3)?,
            root_imapd: Storm::start("root", "imapd", 2)?,
        })
    }

    /// Every chico imapd is gone; everybody else still runs.
    fn assert_only_chico_imapd_killed(&self) {
        let left = self.chico.wait_alive_at_most(0, PATIENCE);
        assert!(left.is_empty(), "chico imapd still alive: {left:?}");
        assert_eq!(self.zeppo.alive().len(), 2, "zeppo's imapd were harmed");
        assert_eq!(self.chico_pine.alive().len(), 3, "chico's pine was harmed");
        assert_eq!(self.root_imapd.alive().len(), 2, "root's imapd was harmed");
    }

    /// The pids the alert log says were killed are exactly chico's imapd.
    fn assert_log_killed_only_chico(&self, log: &str) {
        let killed: BTreeSet<u32> = log
            .lines()
            .filter_map(|l| l.split_once("exec: kill -9 "))
            .filter_map(|(_, pid)| pid.trim().parse().ok())
            .collect();
        let chico: BTreeSet<u32> = self.chico.pids().into_iter().collect();
        assert_eq!(killed, chico, "the kills in the alert log");
    }
}

/// The mail lines of a PIKT alert for chico's storm, in order.
fn assert_storm_mail(body: &str, site: &StormSite, script: &str) {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let header = lines.first().copied().unwrap_or_default();
    assert!(
        header.starts_with("PIKT ALERT ") && header.ends_with(&format!(" {HOST}")),
        "header line: {body}"
    );
    let at = |needle: &dyn Fn(&str) -> bool, what: &str| {
        lines
            .iter()
            .position(|l| needle(l))
            .unwrap_or_else(|| panic!("no {what} line in the mail:\n{body}"))
    };
    let heading = at(&|l| l == format!("URGENT: {script}"), "heading");
    let count = at(
        &|l| l.split_whitespace().collect::<Vec<_>>() == ["300", "chico", "imapd"],
        "`300 chico imapd`",
    );
    let saved = at(
        &|l| l.starts_with("saved user mail file as "),
        "`saved user mail file`",
    );
    let killed = at(
        &|l| l == "killed all chico imapd processes",
        "`killed all chico imapd processes`",
    );
    assert!(heading < count && count < saved && saved < killed, "{body}");
    assert!(
        !body.contains("zeppo"),
        "zeppo crossed no threshold:\n{body}"
    );
    let archive = lines
        .get(saved)
        .and_then(|l| l.strip_prefix("saved user mail file as "))
        .map(PathBuf::from)
        .unwrap_or_default();
    assert!(
        archive.starts_with(site.archive_dir.path()),
        "archive {archive:?}"
    );
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamp = name.strip_prefix("chico.").unwrap_or_default();
    assert!(
        !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit()),
        "archive name {name}"
    );
    assert_eq!(
        fs::read(&archive).ok(),
        fs::read(site.spool_dir.path().join("chico")).ok(),
        "the archive equals chico's spool file"
    );
}

/// The body of a message as aiosmtpd stored it (after the blank line).
pub(crate) fn body_of(message: &str) -> &str {
    message.split_once("\n\n").map_or(message, |(_, body)| body)
}

#[test]
fn imapd_storm_is_handled_end_to_end() -> io::Result<()> {
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(300))?;
    let site = StormSite::new()?;
    fs::write(
        site.spool_dir.path().join("chico"),
        "From chico@example.org\nSubject: the storm\n\nhundreds of imapd\n",
    )?;
    let mut sink = SmtpSink::start()?;
    site.relay_to(&sink.addr())?;
    site.install(&[])?;
    let tree = &site.tree;

    // 1. The seed as written, mail through the SMTP relay.
    let storms = Storms::start()?;
    let out = tree.pikt(&["+A", "Urgent"])?;
    expect_exit(&out, 0, "the seed's alert run");
    storms.assert_only_chico_imapd_killed();
    let messages = sink.wait_for_messages(1, PATIENCE);
    assert_eq!(messages.len(), 1, "one mail per run:\n{}", sink.log());
    let message = messages.first().map_or("", String::as_str);
    assert!(message.contains(&format!("Subject: PIKT Alert on {HOST}: Urgent")));
    // PIKT.conf's mail_from and mail_to are the envelope.
    assert!(
        message.contains(&format!("X-MailFrom: pikt@{HOST}")),
        "{message}"
    );
    assert!(message.contains("X-RcptTo: admin@example.org"), "{message}");
    assert_storm_mail(body_of(message), &site, "ProcCountsChk");
    let diagnostic = tree.read("var/log/ProcCounts.log");
    assert!(
        diagnostic
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["300", "chico", "imapd"]),
        "the log line: {diagnostic}"
    );
    let pages = tree.read("pages.txt");
    assert!(
        pages.contains(&format!("{HOST}: ")) && pages.contains("300 chico imapd"),
        "the page: {pages}"
    );
    let log = tree.alert_log("Urgent");
    storms.assert_log_killed_only_chico(&log);
    assert!(log.contains("run ended normally"), "{log}");
    drop(storms);

    // 2. The same through a mail command (`+M`), nobody paged, and with
    //    the real `ps` and `kill` (run 1 had them served natively, the
    //    default).
    site.install(&["nopage"])?;
    let storms = Storms::start()?;
    let mail_file = tree.path("mailcmd.txt");
    let command = format!("cat > {}", mail_file.display());
    let out = tree
        .command(PIKT, &["+M", &command, "+A", "Urgent"])
        .env("PIKT_NATIVE_PS", "0")
        .output()?;
    expect_exit(&out, 0, "the run with a mail command");
    storms.assert_only_chico_imapd_killed();
    assert_storm_mail(&fs::read_to_string(&mail_file)?, &site, "ProcCountsChk");
    drop(storms);

    // 3. The native variant.
    let storms = Storms::start()?;
    let out = tree.pikt(&["+A", "UrgentNative"])?;
    expect_exit(&out, 0, "the native variant");
    storms.assert_only_chico_imapd_killed();
    let messages = sink.wait_for_messages(2, PATIENCE);
    assert_eq!(messages.len(), 2, "{}", sink.log());
    let native = messages.get(1).map_or("", String::as_str);
    assert!(native.contains(&format!("Subject: PIKT Alert on {HOST}: UrgentNative")));
    assert!(
        body_of(native)
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["300", "chico", "imapd"]),
        "{native}"
    );
    assert!(body_of(native).contains("killed all chico imapd processes"));
    drop(storms);

    // 4. The SMTP server is down: the storm is still handled, the mail is
    //    spooled, the run says so.
    sink.stop();
    let storms = Storms::start()?;
    let out = tree.pikt(&["+A", "Urgent"])?;
    expect_exit(&out, 1, "mail could not be delivered");
    storms.assert_only_chico_imapd_killed();
    assert!(
        text(&out.stderr).contains("message spooled as"),
        "{}",
        text(&out.stderr)
    );
    let spool = tree.path("var/spool/mail/Urgent");
    assert_eq!(spooled_messages(&spool)?, 1);
    drop(storms);

    // 5. The next run (no storm now) delivers it through the new server.
    let sink = SmtpSink::start()?;
    site.relay_to(&sink.addr())?;
    let out = tree.pikt(&["+A", "Urgent"])?;
    expect_exit(&out, 0, "the next run");
    let messages = sink.wait_for_messages(1, PATIENCE);
    assert_eq!(messages.len(), 1, "{}", sink.log());
    let late = messages.first().map_or("", String::as_str);
    assert_storm_mail(body_of(late), &site, "ProcCountsChk");
    assert_eq!(spooled_messages(&spool)?, 0);
    Ok(())
}

/// How many messages wait in a spool directory (its `.lock` is not one).
fn spooled_messages(dir: &Path) -> io::Result<usize> {
    let mut count = 0;
    for entry in fs::read_dir(dir)? {
        if entry?.path().extension().is_some_and(|e| e == "msg") {
            count += 1;
        }
    }
    Ok(count)
}

/// Runs pikt with `args`, killing it if it has not ended after `limit` (a
/// kill loop that never ends must fail the test, not hang it).
fn pikt_within(tree: &Tree, args: &[&str], limit: Duration) -> io::Result<Output> {
    let mut child = tree
        .command(PIKT, args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait()?.is_none() {
        if std::time::Instant::now() >= deadline {
            child.kill()?;
            let out = child.wait_with_output()?;
            panic!(
                "pikt {args:?} still running after {limit:?}; its output began:\n{}",
                text(&out.stdout)
                    .lines()
                    .take(20)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output()
}

#[test]
fn the_seeds_kill_loop_ends_in_test_mode_and_kills_nothing() -> io::Result<()> {
    let _only_storm = FileLock::acquire(Path::new(IMAPD_STORM_LOCK), Duration::from_secs(300))?;
    let site = StormSite::new()?;
    site.install(&["nopage"])?;
    let storms = Storms::start()?;
    let out = pikt_within(&site.tree, &["-T", "+A", "Urgent"], Duration::from_secs(60))?;
    expect_exit(&out, 0, "the seed's alert run in test mode");
    let stdout = text(&out.stdout);
    // Every chico imapd would have been killed once, and only those ...
    let would_kill: BTreeSet<u32> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("exec: kill -9 "))
        .filter_map(|pid| pid.trim().parse().ok())
        .collect();
    let chico: BTreeSet<u32> = storms.chico.pids().into_iter().collect();
    assert_eq!(would_kill, chico, "the kills test mode printed");
    assert!(
        stdout.contains("killed all chico imapd processes"),
        "{stdout}"
    );
    // ... but test mode signalled nothing.
    assert_eq!(
        storms.chico.alive().len(),
        300,
        "test mode killed chico's imapd"
    );
    assert_eq!(storms.zeppo.alive().len(), 2);
    assert_eq!(storms.root_imapd.alive().len(), 2);
    Ok(())
}
