//! The alert mail: the `output mail` lines of one run, grouped per script,
//! in the layout of the seed (reference §4.13; `seed/README.md`):
//!
//! ```text
//! PIKT ALERT Tue Apr 25 00:17:02 2000 moscow
//!
//! URGENT: ProcCountsChk
//!     Report unusually high counts of per-user procs.
//!
//!     404 chico imapd
//!     saved user mail file as /var/mail/arc/chico.956639822
//! ```
//!
//! The first line holds the date (`ctime(3)` form, local time) and the host.
//! Each script that produced mail lines gets a block: the heading word (the
//! alert's name in upper case; for a run with no alert, the script's level)
//! and the script's name, its task indented by four spaces (when it has
//! one), an empty line, then each mail line indented by four spaces. Blocks
//! are separated by an empty line. Scripts with no mail lines are left out;
//! with no mail lines at all there is no message.
//!
//! Each line is one record: control characters in it, a line feed
//! included, are made visible ([`pikt_source::visible`]), so a process
//! name cannot forge a line of the mail or reach the reader's terminal.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_source::visible::escape_line;

use crate::run::Stopped;

/// The mail lines one script produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptMail {
    /// The heading word, upper case (`URGENT`, or the level for runs with
    /// no alert).
    pub heading: String,
    /// The script's name.
    pub script: String,
    /// The script's `task` text.
    pub task: Option<String>,
    /// The `output mail` lines, in order.
    pub lines: Vec<String>,
}

/// The whole message for `scripts`, or `None` when no script produced a
/// mail line.
pub fn format_alert(date: &str, host: &str, scripts: &[ScriptMail]) -> Option<String> {
    let mut blocks = scripts.iter().filter(|s| !s.lines.is_empty()).peekable();
    blocks.peek()?;
    let mut out = format!("PIKT ALERT {date} {}\n", escape_line(host));
    for block in blocks {
        out.push('\n');
        out.push_str(&escape_line(&block.heading));
        out.push_str(": ");
        out.push_str(&escape_line(&block.script));
        out.push('\n');
        if let Some(task) = &block.task {
            out.push_str("    ");
            out.push_str(&escape_line(task));
            out.push('\n');
        }
        out.push('\n');
        for line in &block.lines {
            out.push_str("    ");
            out.push_str(&escape_line(line));
            out.push('\n');
        }
    }
    Some(out)
}

/// The last paragraph of the mail of a run a stop cut short: which stop,
/// which script, and what the lines above are. It is not indented, so no
/// mail line (always indented) can pass for it.
pub fn cut_short_note(stopped: &Stopped) -> String {
    let reason = escape_line(&stopped.reason);
    let script = escape_line(&stopped.script);
    if stopped.began {
        format!(
            "CUT SHORT: this run was stopped by {reason} while script {script} ran; \
             the lines above are what the scripts reported until then: \
             {script} did not finish and no later script ran.\n"
        )
    } else {
        format!(
            "CUT SHORT: this run was stopped by {reason} before script {script} began; \
             the lines above are from the scripts that finished: \
             {script} and any later script did not run.\n"
        )
    }
}

/// `seconds` since the epoch in `ctime(3)` form, in `zone`:
/// `Tue Apr 25 00:17:02 2000` (the day of the month padded with a space).
pub fn ctime(seconds: i64, zone: &TimeZone) -> String {
    let Ok(ts) = Timestamp::from_second(seconds) else {
        return format!("@{seconds}");
    };
    ts.to_zoned(zone.clone())
        .strftime("%a %b %e %H:%M:%S %Y")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_mail() -> ScriptMail {
        ScriptMail {
            heading: "URGENT".into(),
            script: "ProcCountsChk".into(),
            task: Some("Report unusually high counts of per-user procs.".into()),
            lines: vec![
                "404 chico imapd".into(),
                "saved user mail file as /var/mail/arc/chico.956639822".into(),
                "killed all chico imapd processes".into(),
            ],
        }
    }

    #[test]
    fn a_hostile_line_cannot_forge_another_line() {
        let mut mail = seed_mail();
        mail.lines = vec!["1 x\n    killed all chico imapd processes\r\x1b[2J".into()];
        let text = format_alert("D", "h", &[mail]).unwrap();
        assert!(
            text.ends_with("\n    1 x\\x0a    killed all chico imapd processes\\x0d\\x1b[2J\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 6);
    }

    #[test]
    fn seed_layout() {
        let date = ctime(956_621_822, &TimeZone::UTC);
        assert_eq!(date, "Tue Apr 25 00:17:02 2000");
        assert_eq!(
            format_alert(&date, "moscow", &[seed_mail()]).unwrap(),
            "PIKT ALERT Tue Apr 25 00:17:02 2000 moscow\n\nURGENT: ProcCountsChk\n    Report unusually high counts of per-user procs.\n\n    404 chico imapd\n    saved user mail file as /var/mail/arc/chico.956639822\n    killed all chico imapd processes\n"
        );
    }

    #[test]
    fn several_scripts_make_blocks_and_silent_ones_are_left_out() {
        let quiet = ScriptMail {
            lines: Vec::new(),
            script: "Quiet".into(),
            ..seed_mail()
        };
        let second = ScriptMail {
            heading: "URGENT".into(),
            script: "DiskChk".into(),
            task: None,
            lines: vec!["/var 97%".into()],
        };
        let text = format_alert("D", "h", &[seed_mail(), quiet, second]).unwrap();
        assert!(!text.contains("Quiet"));
        assert!(
            text.ends_with("killed all chico imapd processes\n\nURGENT: DiskChk\n\n    /var 97%\n")
        );
    }

    #[test]
    fn no_lines_no_message() {
        let quiet = ScriptMail {
            lines: Vec::new(),
            ..seed_mail()
        };
        assert_eq!(format_alert("D", "h", &[quiet]), None);
        assert_eq!(format_alert("D", "h", &[]), None);
    }

    #[test]
    fn the_cut_short_note_names_the_stop_and_stands_apart_from_mail_lines() {
        let mut stopped = Stopped {
            reason: "SIGTERM".into(),
            script: "Proc\nCountsChk".into(),
            began: true,
        };
        let note = cut_short_note(&stopped);
        assert!(
            note.starts_with(
                "CUT SHORT: this run was stopped by SIGTERM while script Proc\\x0aCountsChk ran; "
            ),
            "{note}"
        );
        assert_eq!(note.lines().count(), 1, "{note}");
        assert!(!note.starts_with(' '));
        stopped.began = false;
        let note = cut_short_note(&stopped);
        assert!(
            note.contains("before script Proc\\x0aCountsChk began"),
            "{note}"
        );
    }

    #[test]
    fn single_digit_days_are_space_padded() {
        assert_eq!(ctime(0, &TimeZone::UTC), "Thu Jan  1 00:00:00 1970");
    }
}
