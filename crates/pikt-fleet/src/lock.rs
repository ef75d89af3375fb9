//! One change at a time from a master: a piktc run that changes hosts
//! (`-i -e -d -t -B -x -X -r -k`, not with `-n`) holds the master's
//! `=lokdir/piktc.lock` while it runs, so two administrators enabling
//! alerts at once cannot lose one another's piktd.conf lines, and two
//! installs cannot leave a host with half of each. Queries (`-c`, `-l`,
//! `-L`, `-s`, `-f`, ...) never take it, so an alarm script that runs
//! `piktc -L` in its `input proc` never blocks an administrator, nor is
//! blocked. PIKT's piktc took `=piktdir/etc/piktc.lock` and gave `-U`
//! ("urgent mode") to go ahead regardless (1.19 developer notes); `-U` does
//! the same here. The lock is piktd's kind ([`InstanceLock`]: a held
//! `flock`, released however the run ends, never stale).

use pikt_config::{Site, SiteEnv};
use pikt_sched::lock::{InstanceLock, LockError};

use crate::request::{exit, Operation, Outcome, Request};

/// Takes the change lock when `request` changes hosts and is not urgent;
/// `Ok(None)` when it needs none. `Err` is the outcome of a run that must
/// not go on (another change holds the lock, or it cannot be taken).
pub fn for_change(request: &Request, env: &SiteEnv) -> Result<Option<InstanceLock>, Outcome> {
    let Operation::Change(change) = &request.operation else {
        return Ok(None);
    };
    if change.dry_run || request.urgent {
        return Ok(None);
    }
    // A PIKT.conf with errors is reported by the run itself; the lock then
    // goes where the defaults put it.
    let lokdir = Site::open(&request.site, env).map_or_else(
        |_| {
            Site::with_defaults(request.site.root(env), None)
                .layout
                .lokdir
        },
        |site| site.layout.lokdir,
    );
    let path = lokdir.join("piktc.lock");
    let fail = |message: String| {
        let mut out = Outcome::default();
        out.fail(&message, exit::BUSY);
        out
    };
    pikt_fs::Dir::create(&lokdir, 0o755).map_err(|e| {
        fail(format!(
            "cannot make `{}` for piktc's lock: {e} (-U goes ahead without it)",
            lokdir.display()
        ))
    })?;
    match InstanceLock::acquire(&path) {
        Ok(lock) => Ok(Some(lock)),
        Err(LockError::Held { path, holder }) => {
            let holder = holder.map_or_else(String::new, |pid| format!("pid {pid} "));
            Err(fail(format!(
                "another piktc is changing hosts ({holder}holds `{}`); wait for it to end, or use -U (urgent mode) to go ahead regardless",
                path.display()
            )))
        }
        Err(LockError::Io { path, source }) => Err(fail(format!(
            "cannot take piktc's lock `{}`: {source} (-U goes ahead without it)",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Change;

    fn env(root: &std::path::Path) -> SiteEnv {
        SiteEnv {
            piktdir: Some(root.as_os_str().to_owned()),
            host: Some("moscow".into()),
            kernel_host: None,
            conf_path: Some("".into()),
        }
    }

    fn install() -> Request {
        Request::new(Operation::Change(Change {
            install: true,
            ..Change::default()
        }))
    }

    #[test]
    fn a_change_holds_the_lock_and_a_second_change_is_refused() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let env = env(dir.path());
        let first = for_change(&install(), &env);
        assert!(matches!(first, Ok(Some(_))));
        let refused = for_change(&install(), &env).err().unwrap_or_default();
        assert_eq!(refused.exit, exit::BUSY);
        let lock = dir.path().join("var/lock/piktc.lock");
        assert!(
            refused.stderr.contains(&format!(
                "another piktc is changing hosts (pid {} holds `{}`)",
                std::process::id(),
                lock.display()
            )),
            "{}",
            refused.stderr
        );
        // Urgent mode, dry runs and queries go ahead.
        let mut urgent = install();
        urgent.urgent = true;
        assert!(matches!(for_change(&urgent, &env), Ok(None)));
        let dry = Request::new(Operation::Change(Change {
            install: true,
            dry_run: true,
            ..Change::default()
        }));
        assert!(matches!(for_change(&dry, &env), Ok(None)));
        assert!(matches!(
            for_change(&Request::new(Operation::ExpandHosts), &env),
            Ok(None)
        ));
        drop(first);
        assert!(matches!(for_change(&install(), &env), Ok(Some(_))));
        Ok(())
    }
}
