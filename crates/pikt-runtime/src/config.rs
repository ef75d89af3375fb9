//! How a run is configured: set once by the caller, never changed while
//! scripts run (safe-mode switches and limits included).

use std::path::PathBuf;
use std::time::Duration;

/// Everything about a run that is not the scripts themselves.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The alert being run (`pikt +A Urgent`); `None` for a standalone
    /// script or a plain file of scripts. It names the alert mail's
    /// heading and `$alert()`.
    pub alert: Option<String>,
    /// Test mode (`pikt -T`): `exec`, `exec wait` and `#system` print
    /// `exec: COMMAND` instead of running it (`doexec` still runs); see
    /// [`crate::guard`] for every effect.
    pub test_mode: bool,
    /// Debug mode (`pikt -G`): every statement is traced.
    pub debug: bool,
    /// Refuse every shell command (input proc, exec, pipes, `$command`...).
    pub no_exec: bool,
    /// Command collected `output mail` text is piped to (`+M`).
    pub mail_cmd: Option<String>,
    /// Command `output print` lines are piped to (`+L`).
    pub lp_cmd: Option<String>,
    /// Where history (`%var`, log-file offsets) is kept; `None` keeps none.
    pub history_dir: Option<PathBuf>,
    /// The time zone dates are shown in.
    pub time_zone: jiff::tz::TimeZone,
    /// Resource limits.
    pub limits: Limits,
    /// Log skipped `inactive` scripts too (PIKT.conf `verbose_log`).
    pub verbose_log: bool,
    /// Serve `ps`, `kill`, `pgrep` and `pkill` from the native process
    /// table (PIKT.conf `native_ps`, default on; `PIKT_NATIVE_PS=0` also
    /// turns it off). The caller applies it to the real shell
    /// (`pikt_effects::RealShell::native`).
    pub native_ps: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            alert: None,
            test_mode: false,
            debug: false,
            no_exec: false,
            mail_cmd: None,
            lp_cmd: None,
            history_dir: None,
            time_zone: jiff::tz::TimeZone::UTC,
            limits: Limits::default(),
            verbose_log: false,
            native_ps: true,
        }
    }
}

/// Limits on one script's run, checked every [`Limits::CHECK_EVERY`]
/// statements; exceeding one is a run-time error. The default is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// The most statements one script may execute.
    pub max_statements: Option<u64>,
    /// The longest one script may run (wall clock).
    pub max_duration: Option<Duration>,
}

impl Limits {
    /// How many statements run between two checks.
    pub const CHECK_EVERY: u64 = 1024;
}
