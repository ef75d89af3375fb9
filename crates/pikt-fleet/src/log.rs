//! `piktc.log`: every request on the master, and every bundle on the host
//! that applied it, one line per event, in piktd.log's style:
//!
//! ```text
//! Dec  6 06:10:00 moscow piktc[4242]: INFO request by root: piktc -iv +A Urgent +H all: hosts moscow, berlin
//! Dec  6 06:10:02 moscow piktc[4242]: INFO berlin: ok: 1 new, 2 unchanged
//! Dec  6 06:10:02 moscow piktc[4242]: ERROR paris: cannot reach `paris` (ssh: ...)
//! Dec  6 06:10:01 berlin piktc[977]: INFO bundle from moscow (root): ok: 1 new, 2 unchanged
//! ```
//!
//! Text that came from outside (arguments, messages) has its control
//! characters escaped (`pikt_source::visible`), so a line is always one
//! line. The file is reached and opened by `pikt-fs`: no link followed on
//! the way or at its name, no blocking on a FIFO, a regular file with one
//! link only (a hard link planted at the name would point the append at
//! another file), one `write` per request. Failing to log never fails the
//! run: the caller says so as a note.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::fleet::{HostOutcome, HostResult};
use crate::plan::HostPlan;
use crate::report::Report;

/// The log's name in `=logdir`.
pub const LOG_NAME: &str = "piktc.log";

/// Mode of a new log.
const LOG_MODE: u32 = 0o640;

/// The lines for one request on the master: who asked what of which
/// hosts, then each host's result.
pub fn request_lines(
    me: &str,
    user: &str,
    argv: &[String],
    results: &[&HostResult],
) -> Vec<String> {
    let stamp = stamp();
    let prefix = format!("{stamp} {me} piktc[{}]:", std::process::id());
    let mut command = String::from("piktc");
    for word in argv {
        command.push(' ');
        if word.is_empty() || word.contains(char::is_whitespace) {
            let _ = write!(command, "{word:?}");
        } else {
            command.push_str(word);
        }
    }
    let hosts: Vec<&str> = results.iter().map(|r| r.host.as_str()).collect();
    let mut lines = vec![format!(
        "{prefix} INFO request by {}: {}: hosts {}",
        visible(user),
        visible(&command),
        hosts.join(", ")
    )];
    for result in results {
        let (level, text) = match &result.outcome {
            HostOutcome::Answered(report) if report.failed() => {
                ("ERROR", format!("failed: {}", report.summary()))
            }
            HostOutcome::Answered(report) => ("INFO", format!("ok: {}", report.summary())),
            HostOutcome::Skipped(why) => ("WARNING", format!("skipped: {why}")),
            HostOutcome::Failed(e) => ("ERROR", e.message.clone()),
        };
        lines.push(format!(
            "{prefix} {level} {}: {} ({:.1}s)",
            result.host,
            visible(&text),
            result.elapsed.as_secs_f64()
        ));
    }
    lines
}

/// The line a host writes for a bundle it answered with `report`.
pub fn bundle_line(me: &str, plan: Option<&HostPlan>, report: &Report) -> String {
    let prefix = format!("{} {me} piktc[{}]:", stamp(), std::process::id());
    let from = match plan {
        Some(plan) => format!(
            "bundle from {} ({})",
            visible(&plan.master),
            visible(&plan.user)
        ),
        None => "a bundle".to_string(),
    };
    let (level, outcome) = if report.refused.is_some() {
        ("WARNING", "refused")
    } else if report.failed() {
        ("ERROR", "failed")
    } else {
        ("INFO", "ok")
    };
    format!(
        "{prefix} {level} {from}: {outcome}: {}",
        visible(&report.summary())
    )
}

/// Appends `lines` to `=logdir/piktc.log` (`logdir` made if missing).
pub fn append(logdir: &Path, lines: &[String]) -> Result<PathBuf, pikt_fs::FsError> {
    pikt_fs::Dir::create(logdir, 0o755)?;
    let path = logdir.join(LOG_NAME);
    pikt_fs::append_line(&path, &lines.join("\n"), LOG_MODE)?;
    Ok(path)
}

fn stamp() -> String {
    Timestamp::now()
        .to_zoned(TimeZone::system())
        .strftime("%b %e %H:%M:%S")
        .to_string()
}

/// `text` on one line: control characters as `\xHH`.
fn visible(text: &str) -> String {
    pikt_source::visible::escape_line(text).into_owned()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::transport::{HostError, HostErrorKind};

    #[test]
    fn a_request_is_one_line_and_one_per_host_whatever_the_text() {
        let results = [
            HostResult {
                host: "berlin".into(),
                outcome: HostOutcome::Answered(Box::default()),
                debug: Vec::new(),
                elapsed: Duration::from_millis(1234),
            },
            HostResult {
                host: "paris".into(),
                outcome: HostOutcome::Failed(HostError::new(
                    HostErrorKind::Unreachable,
                    "cannot reach `paris`\nINFO forged",
                )),
                debug: Vec::new(),
                elapsed: Duration::ZERO,
            },
        ];
        let argv: Vec<String> = ["-x", "+C", "echo hi\nforged", "+H", "all"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let lines = request_lines("moscow", "root", &argv, &results.iter().collect::<Vec<_>>());
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| !l.contains('\n')));
        assert!(lines[0].ends_with(
            "INFO request by root: piktc -x +C \"echo hi\\nforged\" +H all: hosts berlin, paris"
        ), "{}", lines[0]);
        assert!(
            lines[1].ends_with("INFO berlin: ok: nothing to do (1.2s)"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].ends_with("ERROR paris: cannot reach `paris`\\x0aINFO forged (0.0s)"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn the_log_is_appended_and_never_written_through_a_link() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let logdir = dir.path().join("var/log");
        let path = append(&logdir, &["one".into()]).map_err(std::io::Error::other)?;
        append(&logdir, &["two".into()]).map_err(std::io::Error::other)?;
        assert_eq!(std::fs::read_to_string(&path)?, "one\ntwo\n");
        let target = dir.path().join("target");
        std::fs::write(&target, "precious\n")?;
        std::fs::remove_file(&path)?;
        std::os::unix::fs::symlink(&target, &path)?;
        assert!(append(&logdir, &["three".into()]).is_err());
        assert_eq!(std::fs::read_to_string(&target)?, "precious\n");
        std::fs::remove_file(&path)?;
        std::fs::hard_link(&target, &path)?;
        assert!(append(&logdir, &["four".into()]).is_err());
        assert_eq!(std::fs::read_to_string(&target)?, "precious\n");
        std::fs::remove_file(&path)?;
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )?;
        assert!(
            append(&logdir, &["five".into()]).is_err(),
            "a FIFO is refused without blocking"
        );
        Ok(())
    }
}
