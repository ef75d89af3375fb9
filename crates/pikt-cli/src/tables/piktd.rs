//! `piktd`, the scheduler (reference §3.3; docs/piktd.md).

use super::{HOST_HELP, PIKTDIR_HELP, SITE_ENVIRONMENT};
use crate::spec::{Complete, Flag, Operands, Spec};

/// What a `piktd` flag means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiktdFlag {
    /// `-f`: stay in the foreground (always).
    Foreground,
    /// `-G`: debug lines too.
    Debug,
    /// `-T`: log what would run, run nothing.
    Test,
    /// `-z`: check piktd.conf and exit.
    Check,
    /// `--piktdir DIR`.
    PiktDir,
    /// `--host NAME`.
    Host,
    /// `--conf FILE`.
    Conf,
    /// `--timeout SECS`.
    Timeout,
    /// `--catch-up MINUTES`.
    CatchUp,
    /// `-V`, `--version`.
    Version,
    /// `-h`, `--help`.
    Help,
}

use PiktdFlag as F;

const FLAGS: &[Flag<PiktdFlag>] = &[
    Flag::switch(F::Foreground, 'f', "foreground", "stay in the foreground (always the case; accepted for init scripts)"),
    Flag::switch(F::Debug, 'G', "debug", "debug: log the schedule and drift delays too"),
    Flag::switch(F::Test, 'T', "test", "test mode: log what would run at each minute, run nothing"),
    Flag::switch(F::Check, 'z', "check", "check piktd.conf, print the schedule with next run times, and exit"),
    Flag::long(F::PiktDir, "piktdir", PIKTDIR_HELP).takes("DIR", Complete::Dir),
    Flag::long(F::Host, "host", HOST_HELP).takes("NAME", Complete::Host),
    Flag::long(F::Conf, "conf", "the schedule (default: =etcdir/piktd.conf)").takes("FILE", Complete::File),
    Flag::long(F::Timeout, "timeout", "time limit of one run; a run still going is stopped (default: PIKT.conf piktd_run_limit, else 3600)").takes("SECS", Complete::Number),
    Flag::long(F::CatchUp, "catch-up", "after a forward clock jump of at most this many minutes, run each missed line once (default: 60)").takes("MINUTES", Complete::Number),
    Flag::switch(F::Version, 'V', "version", "print the version"),
    Flag::switch(F::Help, 'h', "help", "print this help"),
];

/// `piktd`'s command line.
pub const PIKTD: Spec<PiktdFlag> = Spec {
    program: "piktd",
    section: 8,
    summary: "the PIKT scheduler: runs the alerts of piktd.conf at their times",
    usage: &["piktd [-fGTzVh] [--piktdir DIR] [--host NAME] [--conf FILE] [--timeout SECS] [--catch-up MINUTES]"],
    flags: FLAGS,
    operands: Operands::None,
    notes: &[
        "piktd stays in the foreground and copies every log line to standard error (the journal under systemd). It refuses to start where there is no installation.",
        "Signals: SIGHUP rereads piktd.conf and reopens the log; SIGTERM stops the runs and exits.",
    ],
    environment: &[
        SITE_ENVIRONMENT[0],
        SITE_ENVIRONMENT[1],
        SITE_ENVIRONMENT[2],
        ("TZ", "the time zone timings are read in"),
    ],
    exit_codes: &[
        (0, "stopped cleanly, or the check passed"),
        (1, "cannot start (no installation, a directory, the log, PIKT.conf), or the check found errors"),
        (3, "another piktd runs for this installation"),
    ],
};
