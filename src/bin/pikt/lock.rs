//! One run of an alert at a time: `pikt +A ALERT` (and `+S` in it) holds
//! `=lokdir/ALERT.lock` while it runs, so a run started by hand cannot
//! interleave with piktd's run of the same alert (history, the alert log,
//! the kills of its scripts). PIKT blocked such runs with a lock file and
//! gave `-U` ("urgent mode") to run regardless (1.19 developer notes on
//! urgent mode); pikt does the same with piktd's kind of lock
//! ([`pikt_sched::lock::InstanceLock`]: a held `flock` the kernel releases
//! however the run ends, so it never goes stale).

use std::path::Path;

use pikt_sched::lock::{InstanceLock, LockError};

/// Takes `=lokdir/ALERT.lock` without waiting. `Ok(None)` when the lock
/// cannot be used at all (the lock directory cannot be made, a read-only
/// tree): the run goes on, and `warn` is told why (an alert run is never
/// lost to a lock). `Err` is the message for a run that must not start.
pub fn take(
    lokdir: &Path,
    alert: &str,
    warn: &mut dyn FnMut(&str),
) -> Result<Option<InstanceLock>, String> {
    let path = lokdir.join(format!("{alert}.lock"));
    if let Err(e) = pikt_fs::Dir::create(lokdir, 0o755) {
        warn(&format!(
            "cannot make the lock directory `{}` ({e}); running without the alert's lock",
            lokdir.display()
        ));
        return Ok(None);
    }
    match InstanceLock::acquire(&path) {
        Ok(lock) => Ok(Some(lock)),
        Err(LockError::Held { path, holder }) => {
            let holder = holder.map_or_else(String::new, |pid| format!("pid {pid} "));
            Err(format!(
                "another run of alert `{alert}` is in progress ({holder}holds `{}`); wait for it to end, or run with -U (urgent mode) to run regardless",
                path.display()
            ))
        }
        Err(LockError::Io { path, source }) => {
            warn(&format!(
                "cannot use the lock `{}` ({source}); running without it",
                path.display()
            ));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_blocked_and_named_until_the_first_ends() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let lokdir = dir.path().join("var/lock");
        let mut warnings = Vec::new();
        let first = take(&lokdir, "Urgent", &mut |w| warnings.push(w.to_string()));
        assert!(matches!(first, Ok(Some(_))));
        let message = take(&lokdir, "Urgent", &mut |w| warnings.push(w.to_string()))
            .err()
            .unwrap_or_default();
        assert!(
            message.contains(&format!("pid {} holds", std::process::id())),
            "{message}"
        );
        assert!(message.contains("-U (urgent mode)"), "{message}");
        // Another alert is not blocked.
        assert!(matches!(take(&lokdir, "Warning", &mut |_| {}), Ok(Some(_))));
        drop(first);
        assert!(matches!(take(&lokdir, "Urgent", &mut |_| {}), Ok(Some(_))));
        assert!(warnings.is_empty(), "{warnings:?}");
        Ok(())
    }

    #[test]
    fn a_lock_directory_that_cannot_be_made_warns_and_the_run_goes_on() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "")?;
        let mut warnings = Vec::new();
        let taken = take(&file.join("lock"), "Urgent", &mut |w| {
            warnings.push(w.to_string())
        });
        assert!(matches!(taken, Ok(None)));
        assert!(warnings[0].contains("running without"), "{warnings:?}");
        Ok(())
    }
}
