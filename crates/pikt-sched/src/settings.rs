//! [`Settings`]: where an installation keeps its files, and the daemon's knobs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;

use crate::due::DEFAULT_CATCH_UP_MINUTES;

/// The default time limit of one run: an hour (see `docs/piktd.md`).
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(3600);

/// How long a timed-out run gets between `SIGTERM` and `SIGKILL`.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(5);

/// Everything the daemon needs to know before it starts.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The installation root (`PIKT_DIR`, `=piktdir`); runs start in it.
    pub piktdir: PathBuf,
    /// The schedule: `etc/piktd.conf`.
    pub conf_path: PathBuf,
    /// The daemon's log: `var/log/piktd.log`.
    pub log_path: PathBuf,
    /// The instance lock: `etc/piktd.lock`.
    pub lock_path: PathBuf,
    /// The active alerts for `piktc -s`: `etc/alerts`.
    pub alerts_path: PathBuf,
    /// The last minute in which something was started: `var/run/piktd.state`.
    pub state_path: PathBuf,
    /// Where piktc's host side journals a switch (`=lokdir`, `var/lock`):
    /// a switch a killed apply left half done is finished from here before
    /// piktd.conf is read, at start and at every reload.
    pub switch_journal_dir: Option<PathBuf>,
    /// A run still going after this long is stopped.
    pub run_timeout: Duration,
    /// Time between `SIGTERM` and `SIGKILL` for a run being stopped.
    pub kill_grace: Duration,
    /// Forward clock jumps of at most this many minutes are caught up.
    pub catch_up_minutes: u32,
    /// `-T`: log what would run, run nothing.
    pub test_mode: bool,
    /// `-G`: write debug lines too.
    pub debug: bool,
    /// This host's name (log lines, drift).
    pub host: String,
    /// The zone timings are read in.
    pub zone: TimeZone,
}

impl Settings {
    /// The standard layout under `piktdir`, default limits, this host's name
    /// and the system time zone.
    pub fn new(piktdir: &Path) -> Settings {
        let etc = piktdir.join("etc");
        let var = piktdir.join("var");
        Settings {
            piktdir: piktdir.to_path_buf(),
            conf_path: etc.join("piktd.conf"),
            log_path: var.join("log").join("piktd.log"),
            lock_path: etc.join("piktd.lock"),
            alerts_path: etc.join("alerts"),
            state_path: var.join("run").join("piktd.state"),
            switch_journal_dir: Some(var.join("lock")),
            run_timeout: DEFAULT_RUN_TIMEOUT,
            kill_grace: DEFAULT_KILL_GRACE,
            catch_up_minutes: DEFAULT_CATCH_UP_MINUTES,
            test_mode: false,
            debug: false,
            host: host_name(),
            zone: TimeZone::system(),
        }
    }
}

/// The host's node name (`uname -n`).
pub fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_layout() {
        let s = Settings::new(Path::new("/pikt"));
        assert_eq!(s.conf_path, Path::new("/pikt/etc/piktd.conf"));
        assert_eq!(s.lock_path, Path::new("/pikt/etc/piktd.lock"));
        assert_eq!(s.alerts_path, Path::new("/pikt/etc/alerts"));
        assert_eq!(s.log_path, Path::new("/pikt/var/log/piktd.log"));
        assert_eq!(s.state_path, Path::new("/pikt/var/run/piktd.state"));
        assert_eq!(s.run_timeout, Duration::from_secs(3600));
        assert_eq!(s.catch_up_minutes, 60);
        assert!(!s.host.is_empty());
    }
}
