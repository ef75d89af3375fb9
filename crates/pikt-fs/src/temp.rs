//! Temporary names that the next run can recognise.
//!
//! A file being replaced is first written as `.NAME.pikt-tmp-PID-N` in the
//! same directory (NAME the target's name, PID the writer's process id, N a
//! counter of the process). A writer killed before its rename leaves that
//! file behind; the next writer of the directory removes it
//! ([`crate::Dir::remove_stale_temps`]) when it is a regular file and its
//! writer is gone (no process PID), or it is older than [`STALE_AGE`] (the
//! PID was reused). Nothing whose name does not parse as such a name is
//! ever removed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The marker in every temporary name.
pub const MARKER: &str = ".pikt-tmp-";

/// A temporary older than this is stale even if a process of its PID
/// exists: no write takes that long, so the PID was reused.
pub const STALE_AGE: Duration = Duration::from_secs(3600);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temporary name for target `name` in this process.
pub fn temp_name(name: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}{MARKER}{}-{n}", std::process::id())
}

/// A parsed temporary name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TempName<'a> {
    /// The target it was for.
    pub target: &'a str,
    /// The process that wrote it.
    pub pid: u32,
}

/// Parses `.NAME.pikt-tmp-PID-N`; `None` for any other name.
pub fn parse_temp_name(file_name: &str) -> Option<TempName<'_>> {
    let rest = file_name.strip_prefix('.')?;
    let (target, suffix) = rest.rsplit_once(MARKER)?;
    let (pid, n) = suffix.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if target.is_empty() || !digits(pid) || !digits(n) {
        return None;
    }
    Some(TempName {
        target,
        pid: pid.parse().ok()?,
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
        assert_eq!(parsed.pid, std::process::id());
        assert_ne!(temp_name("x"), temp_name("x"));
    }

    #[test]
    fn other_names_are_not_temporaries() {
        for name in [
            "Urgent.alt",
            ".Urgent.alt",
            ".x.pikt-tmp-",
            ".x.pikt-tmp-12",
            ".x.pikt-tmp-12-",
            ".x.pikt-tmp-a-1",
            "x.pikt-tmp-1-2",
            "..pikt-tmp-1-2",
            ".x.pikt-tmp-1-2-3",
        ] {
            assert_eq!(parse_temp_name(name), None, "{name}");
        }
        assert!(parse_temp_name(".a.pikt-tmp-b.pikt-tmp-7-0").is_some());
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
