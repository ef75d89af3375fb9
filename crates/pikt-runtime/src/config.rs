//! How a run is configured: set once by the caller, never changed while
//! scripts run (safe-mode switches and limits included).

use std::path::PathBuf;
use std::time::Duration;

use crate::stop::Stop;

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
    /// How the caller asks the run to stop early (a signal to `pikt`): the
    /// handle is set once; a request through it ends the running script
    /// with its mail kept and runs no later script ([`crate::stop`]).
    pub stop: Stop,
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
            stop: Stop::default(),
        }
    }
}

/// Limits on one script's run; exceeding one is a run-time error naming the
/// script and the statement (docs/runtime.md, "Limits"). The defaults bound
/// every run; `Limits::none()` lifts them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most statements and loop iterations one script may execute.
    pub max_statements: Option<u64>,
    /// The longest one script may run (wall clock).
    pub max_duration: Option<Duration>,
    /// The most processor time one script may use (the interpreter's own,
    /// not its commands'), checked with the statement count.
    pub max_cpu: Option<Duration>,
    /// The most bytes the script's variables and arrays may hold, and the
    /// longest string it may build.
    pub max_memory: Option<usize>,
    /// The most bytes the script may output (`output` to every target,
    /// `#write`).
    pub max_output: Option<u64>,
    /// The longest input line (`input`, `#read`); a longer one is cut there
    /// (a WARNING) and the rest of it skipped.
    pub max_line: usize,
}

impl Limits {
    /// How many statements (and loop iterations) run between two checks of
    /// the time limits.
    pub const CHECK_EVERY: u64 = 1024;

    /// Default processor time of one script: 5 minutes.
    pub const DEFAULT_CPU: Duration = Duration::from_secs(300);
    /// Default memory of one script's variables: 256 MiB.
    pub const DEFAULT_MEMORY: usize = 256 << 20;
    /// Default output of one script: 64 MiB.
    pub const DEFAULT_OUTPUT: u64 = 64 << 20;
    /// Default longest input line: 1 MiB.
    pub const DEFAULT_LINE: usize = 1 << 20;

    /// No limit at all (the input line limit cannot be lifted, only raised).
    pub fn none() -> Limits {
        Limits {
            max_statements: None,
            max_duration: None,
            max_cpu: None,
            max_memory: None,
            max_output: None,
            max_line: usize::MAX / 2,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_statements: None,
            max_duration: None,
            max_cpu: Some(Limits::DEFAULT_CPU),
            max_memory: Some(Limits::DEFAULT_MEMORY),
            max_output: Some(Limits::DEFAULT_OUTPUT),
            max_line: Limits::DEFAULT_LINE,
        }
    }
}
