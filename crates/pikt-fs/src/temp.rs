//! Temporary names that the next run can recognise.
//!
//! A file being replaced is first written as `.NAME.pikt-tmp-PID-START-N`
//! in the same directory: NAME the target's name, PID and START the
//! writer's process id and start time (clock ticks since boot, from
//! `/proc/PID/stat`), N a counter of the process. A writer killed before
//! its rename leaves that file behind; the next writer of the directory
//! removes it ([`crate::Dir::remove_stale_temps`]) when it is a regular
//! file and its writer is gone: no process has that id, or the one that
//! has it started at another time (process ids are reused quickly on a busy
//! host; the pair is not). Nothing whose name does not parse as such a name
//! is ever removed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The marker in every temporary name.
pub const MARKER: &str = ".pikt-tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// This process: its id and start time (0 when `/proc` cannot tell).
pub fn this_process() -> (u32, u64) {
    static START: OnceLock<u64> = OnceLock::new();
    let pid = std::process::id();
    (pid, *START.get_or_init(|| start_time(pid).unwrap_or(0)))
}

/// When process `pid` started (field 22 of `/proc/PID/stat`), if it exists
/// and `/proc` says.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold anything.
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the process that was `pid`, started at `start`, still runs. A
/// `start` of 0 (unknown) or a `/proc` that hides the process fall back to
/// whether any process has the id, which errs on the side of "running".
pub fn is_running(pid: u32, start: u64) -> bool {
    if (pid, start) == this_process() {
        return true;
    }
    match start_time(pid) {
        Some(now) if start != 0 => now == start,
        _ => process_exists(pid),
    }
}

/// A fresh temporary name for target `name` in this process.
pub fn temp_name(name: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let (pid, start) = this_process();
    format!(".{name}{MARKER}{pid}-{start}-{n}")
}

/// A parsed temporary name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TempName<'a> {
    /// The target it was for.
    pub target: &'a str,
    /// The process that wrote it.
    pub pid: u32,
    /// When that process started.
    pub start: u64,
}

/// Parses `.NAME.pikt-tmp-PID-START-N`; `None` for any other name.
pub fn parse_temp_name(file_name: &str) -> Option<TempName<'_>> {
    let rest = file_name.strip_prefix('.')?;
    let (target, suffix) = rest.rsplit_once(MARKER)?;
    let mut parts = suffix.split('-');
    let (pid, start, n) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if target.is_empty() || parts.next().is_some() || ![pid, start, n].into_iter().all(digits) {
        return None;
    }
    Some(TempName {
        target,
        pid: pid.parse().ok()?,
        start: start.parse().ok()?,
    })
}

/// True when a process with this id exists (or may: a permission error
/// means it exists).
pub fn process_exists(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let name = temp_name("Urgent.alt");
        let parsed = parse_temp_name(&name).unwrap();
        assert_eq!(parsed.target, "Urgent.alt");
        assert_eq!((parsed.pid, parsed.start), this_process());
        assert!(parsed.start > 0, "/proc gives the start time");
        assert_ne!(temp_name("x"), temp_name("x"));
    }

    #[test]
    fn a_reused_pid_is_not_the_writer() {
        let (pid, start) = this_process();
        assert!(is_running(pid, start));
        assert!(!is_running(pid, start + 1), "same id, another start: gone");
        let parent = std::os::unix::process::parent_id();
        let parent_start = start_time(parent).unwrap();
        assert!(is_running(parent, parent_start));
        assert!(!is_running(parent, parent_start + 7));
    }

    #[test]
    fn other_names_are_not_temporaries() {
        for name in [
            "Urgent.alt",
            ".Urgent.alt",
            ".x.pikt-tmp-",
            ".x.pikt-tmp-12",
            ".x.pikt-tmp-12-5",
            ".x.pikt-tmp-12-5-",
            ".x.pikt-tmp-a-1-2",
            "x.pikt-tmp-1-2-3",
            "..pikt-tmp-1-2-3",
            ".x.pikt-tmp-1-2-3-4",
        ] {
            assert_eq!(parse_temp_name(name), None, "{name}");
        }
        assert!(parse_temp_name(".a.pikt-tmp-b.pikt-tmp-7-9-0").is_some());
    }

    #[test]
    fn this_process_exists_and_a_reaped_child_does_not() {
        assert!(process_exists(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        // The pid could be reused at once, but hardly ever is.
        assert!(!process_exists(pid) || pid == 0);
    }
}
