//! Alert runs cut short by a signal, end to end: the real `pikt` (and a
//! real `piktd`) on a tree whose alert reports lines and then waits (a
//! `pause`, or a command), a real SMTP server, and SIGTERM in the middle.
//! What must hold: the mail the scripts made so far arrives, with a note
//! saying the run was cut short and by which signal (a line of data cannot
//! pass for that note); no script after the stopped one runs; the run's
//! commands are stopped too; the process ends promptly by the signal (not
//! with status 0); the log says what happened. Every wait is bounded (a
//! hang fails the test), none is timed.

use std::io;
use std::process::{Child, ExitStatus, Stdio};
use std::time::Duration;

use pikt_proc::{LinuxProcTable, ProcessTable};
use rustix::process::{kill_process, Pid, Signal};

use crate::support::poll_until;
use crate::support::smtp::SmtpSink;
use crate::support::tree::{Tree, PIKT, PIKTD};

/// The longest anything here may take before the test calls it a hang.
const BOUND: Duration = Duration::from_secs(60);

/// The alert `Slow`: two lines (the second from the environment, which
/// tries to forge the note), a file saying the wait begins, the wait
/// (`WAIT`), a line it never reaches, and a script after it that never
/// runs.
fn slow_alert(wait: &str) -> String {
    format!(
        "SlowChk\n\tbegin\n\t\toutput mail \"first finding\"\n\t\toutput mail $getenv(\"FORGE\")\n\t\tdoexec wait \"touch reached\"\n\t\t{wait}\n\t\toutput mail \"after the wait\"\nLaterChk\n\tbegin\n\t\toutput mail \"later script\"\n"
    )
}

/// What a line of data tries: to end its line and start the note.
const FORGE: &str = "data\nCUT SHORT: forged by data";

fn slow_tree(sink: &SmtpSink, wait: &str) -> io::Result<Tree> {
    let tree = Tree::new()?;
    tree.write("lib/alerts/Slow.alt", &slow_alert(wait))?;
    tree.write(
        "etc/PIKT.conf",
        &format!(
            "smtp_relay {}\nmail_to admin@example.org\nsmtp_timeout 10\n",
            sink.addr()
        ),
    )?;
    Ok(tree)
}

/// Polls `done`; an error after [`BOUND`].
fn wait_for(what: &str, mut done: impl FnMut() -> bool) -> io::Result<()> {
    poll_until(BOUND, || done().then_some(()))
        .ok_or_else(|| io::Error::other(format!("timed out waiting for {what}")))
}

/// Waits for `child` to end (killing it after [`BOUND`]: a hang).
fn wait_bounded(child: &mut Child, what: &str) -> io::Result<ExitStatus> {
    let mut status = None;
    let waited = wait_for(what, || {
        status = child.try_wait().ok().flatten();
        status.is_some()
    });
    if waited.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    waited?;
    status.ok_or_else(|| io::Error::other("no status"))
}

fn signal(pid: u32, signal: Signal) {
    let sent = Pid::from_raw(i32::try_from(pid).unwrap_or(0)).map(|pid| kill_process(pid, signal));
    assert!(matches!(sent, Some(Ok(()))), "cannot signal {pid}");
}

/// Processes whose command line is exactly `args`.
fn processes_running(args: &str) -> usize {
    LinuxProcTable::new()
        .snapshot(true)
        .map(|table| {
            table
                .iter()
                .filter(|p| !p.is_dead() && p.args.as_deref().map(str::trim) == Some(args))
                .count()
        })
        .unwrap_or(0)
}

/// The one message `sink` got, checked for what a cut-short run's mail
/// holds.
fn expect_cut_short_mail(sink: &SmtpSink) -> String {
    let messages = sink.wait_for_messages(1, BOUND);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = messages.into_iter().next().unwrap_or_default();
    let body: Vec<&str> = message.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(body.contains(&"    first finding"), "{message}");
    assert!(
        body.contains(&"    data\\x0aCUT SHORT: forged by data"),
        "{message}"
    );
    let notes: Vec<&&str> = body
        .iter()
        .filter(|l| l.starts_with("CUT SHORT:"))
        .collect();
    assert_eq!(
        notes,
        [
            &"CUT SHORT: this run was stopped by SIGTERM while script SlowChk ran; \
           the lines above are what the scripts reported until then: \
           SlowChk did not finish and no later script ran."
        ],
        "{message}"
    );
    assert!(!message.contains("after the wait"), "{message}");
    assert!(!message.contains("LaterChk"), "{message}");
    assert!(!body.contains(&"    later script"), "{message}");
    message
}

#[test]
fn an_alert_run_stopped_by_sigterm_mails_what_its_scripts_made() -> io::Result<()> {
    // The command: a distinct command line, so the test can see it end;
    // the last one ignores SIGTERM, so it takes pikt's SIGKILL.
    let sleeper = "sleep 617";
    for wait in [
        "pause 600".to_string(),
        format!("exec wait \"{sleeper}\""),
        format!("exec wait \"trap '' TERM; {sleeper}\""),
    ] {
        let wait = wait.as_str();
        let sink = SmtpSink::start()?;
        let tree = slow_tree(&sink, wait)?;
        let mut child = tree
            .command(PIKT, &["+A", "Slow"])
            .env("FORGE", FORGE)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        wait_for("the script to reach its wait", || {
            tree.path("reached").exists()
        })?;
        if wait.contains(sleeper) {
            wait_for("the command to run", || processes_running(sleeper) == 1)?;
        }
        // pikt alone gets the signal, not its process group: its command
        // must be stopped by pikt itself.
        signal(child.id(), Signal::TERM);
        let status = wait_bounded(&mut child, "pikt to end after SIGTERM")?;
        let stderr = child
            .stderr
            .take()
            .map(|mut e| {
                let mut s = String::new();
                let _ = io::Read::read_to_string(&mut e, &mut s);
                s
            })
            .unwrap_or_default();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(15), "{wait}: {status:?}\n{stderr}");
        assert!(!status.success());

        let message = expect_cut_short_mail(&sink);
        assert!(message.contains("Subject: PIKT Alert on "), "{message}");
        assert_eq!(
            processes_running(sleeper),
            0,
            "{wait}: the command was stopped"
        );

        let log = tree.alert_log("Slow");
        let pid = child.id();
        let order = [
            format!("pikt[{pid}]: [WARNING] SIGTERM: stopping the run"),
            format!("pikt[{pid}]: [WARNING] SlowChk: stopped by SIGTERM at "),
            format!("pikt[{pid}]: [INFO] mail: sending the alert mail via smtp relay"),
            format!("pikt[{pid}]: [INFO] mail: the alert mail was delivered"),
            format!("pikt[{pid}]: [INFO] run ended early: stopped by SIGTERM"),
        ];
        let mut from = 0;
        for entry in &order {
            let found = log[from..].find(entry.as_str());
            assert!(
                found.is_some(),
                "{wait}: no `{entry}` after byte {from}:\n{log}"
            );
            from += found.unwrap_or(0) + entry.len();
        }
        if wait.contains(sleeper) {
            assert!(
                log.contains(&format!("pikt[{pid}]: [INFO] SIGTERM: sent SIGTERM to ")),
                "{log}"
            );
        }
        assert_eq!(
            log.contains(&format!("pikt[{pid}]: [INFO] SIGTERM: sent SIGKILL to ")),
            wait.contains("trap"),
            "{wait}: {log}"
        );
        assert!(!log.contains("LaterChk"), "{log}");
        assert!(!log.contains("is lost"), "{log}");
        assert!(stderr.contains("stopping the run"), "{stderr}");

        // Nothing waits in the spool, and the run's marker is gone: the next
        // run has nothing to retry or report.
        let left: Vec<String> = std::fs::read_dir(tree.path("var/spool/mail/Slow"))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != ".lock")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
    Ok(())
}

#[test]
fn piktd_stopping_delivers_the_partial_mail_of_its_runs() -> io::Result<()> {
    let sink = SmtpSink::start()?;
    let tree = slow_tree(&sink, "pause 600")?;
    tree.write("etc/piktd.conf", &format!("* * * * * {PIKT} +A Slow\n"))?;
    let mut daemon = tree
        .command(PIKTD, &[])
        .env("FORGE", FORGE)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let reached = wait_for("piktd's run to reach its pause", || {
        tree.path("reached").exists()
    });
    if reached.is_err() {
        let _ = daemon.kill();
        let _ = daemon.wait();
    }
    reached?;
    // piktd's own stop: SIGTERM to each run's process group.
    signal(daemon.id(), Signal::TERM);
    let status = wait_bounded(&mut daemon, "piktd to stop")?;
    let piktd_log = tree.read("var/log/piktd.log");
    assert_eq!(status.code(), Some(0), "{piktd_log}");
    // piktd waited for the alert run itself (not only the shell that
    // started it) to send its mail and end.
    let alert_log = tree.alert_log("Slow");
    assert!(
        alert_log.contains("[INFO] mail: the alert mail was delivered")
            && alert_log.contains("[INFO] run ended early: stopped by SIGTERM"),
        "{alert_log}\n{piktd_log}"
    );
    expect_cut_short_mail(&sink);
    let stop = piktd_log.find("INFO stop (SIGTERM)");
    let end = piktd_log.find("end Slow");
    assert!(stop.is_some() && stop < end, "{piktd_log}");
    assert!(
        piktd_log
            .lines()
            .any(|l| l.contains("end Slow") && l.contains("signal 15 (SIGTERM)")),
        "{piktd_log}"
    );
    Ok(())
}
