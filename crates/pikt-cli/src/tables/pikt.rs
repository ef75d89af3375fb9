//! `pikt`, the script interpreter (reference §3.4; docs/pikt.md).

use super::{HOST_HELP, PIKTDIR_HELP, SITE_ENVIRONMENT};
use crate::spec::{Complete, Flag, Operands, Spec};

/// What a `pikt` flag means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiktFlag {
    /// `-c`: check the script and exit.
    Check,
    /// `-G`: trace statements and log entries on stderr.
    Debug,
    /// `-T`: test mode.
    Test,
    /// `-V`, `--version`.
    Version,
    /// `-h`, `--help`.
    Help,
    /// `+M MAILCMD`.
    MailCmd,
    /// `+L LPCMD`.
    LpCmd,
    /// `+C STATEMENTS`.
    Statements,
    /// `+A ALERT`.
    Alert,
    /// `+S SCRIPT`.
    Script,
    /// `--dump-tokens`.
    DumpTokens,
    /// `--dump-ast`.
    DumpAst,
    /// `--piktdir DIR`.
    PiktDir,
    /// `--host NAME`.
    Host,
    /// `-C`: PIKT's check of piktc's staged files; the same as `-c` here.
    StagedCheck,
    /// `-U`: urgent mode, no alert lock blocks the run.
    Urgent,
    /// `-z`: PIKT's "make check" mode; checks every installed alert here.
    MakeCheck,
}

use PiktFlag as F;

const FLAGS: &[Flag<PiktFlag>] = &[
    Flag::switch(F::Check, 'c', "check", "check the script (parse and resolve, print every diagnostic) and exit: status 2 when it has errors"),
    Flag::switch(F::StagedCheck, 'C', "doublecheck", "the same as -c (PIKT checked piktc's staged files with it; piktc checks every script before it installs anything)"),
    Flag::switch(F::MakeCheck, 'z', "check-installed", "check every installed alert (=altdir/*.alt and its settings) and PIKT.conf, print what is wrong, and exit: status 2 when something is"),
    Flag::switch(F::Debug, 'G', "debug", "debug: trace every statement, and the log entries, on standard error"),
    Flag::switch(F::Test, 'T', "test", "test mode: print `exec: COMMAND` for exec, exec wait and #system instead of running them; print the alert mail"),
    Flag::switch(F::Urgent, 'U', "urgent", "urgent mode: run the alert even while another run of it holds =lokdir/ALERT.lock"),
    Flag::switch(F::Version, 'V', "version", "print the version and exit"),
    Flag::switch(F::Help, 'h', "help", "print this help and exit"),
    Flag::long(F::DumpTokens, "dump-tokens", "print the script's tokens and exit"),
    Flag::long(F::DumpAst, "dump-ast", "print the parsed script in canonical form and exit"),
    Flag::long(F::PiktDir, "piktdir", PIKTDIR_HELP).takes("DIR", Complete::Dir),
    Flag::long(F::Host, "host", HOST_HELP).takes("NAME", Complete::Host),
    Flag::plus(F::MailCmd, 'M', "MAILCMD", "pipe the collected alert mail to this shell command instead of printing it").completes(Complete::Command),
    Flag::plus(F::LpCmd, 'L', "LPCMD", "pipe `output print` lines to this shell command instead of printing them").completes(Complete::Command),
    Flag::plus(F::Statements, 'C', "STATEMENTS", "run these Pikt statements (a script body; bare statements are a `begin` section)").completes(Complete::Command),
    Flag::plus(F::Alert, 'A', "ALERT", "run the installed alert ALERT (=altdir/ALERT.alt): its scripts in order, one mail, the alert log").completes(Complete::InstalledAlert),
    Flag::plus(F::Script, 'S', "SCRIPT", "run only SCRIPT of the installed alert holding it (with +A: of that alert)").completes(Complete::InstalledScript),
];

/// `pikt`'s command line.
pub const PIKT: Spec<PiktFlag> = Spec {
    program: "pikt",
    section: 1,
    summary: "the Pikt script interpreter",
    usage: &[
        "pikt [FLAGS] FILE [ARGS...]",
        "pikt [FLAGS] +C \"STATEMENTS\"",
        "pikt [FLAGS] < STATEMENTS",
        "pikt [FLAGS] +A ALERT [+S SCRIPT]",
        "pikt [FLAGS] +S SCRIPT",
    ],
    flags: FLAGS,
    operands: Operands::ScriptThenArgs,
    notes: &[
        "Flags come before the script: the first other word is the script file and every word after it is the script's (`--` ends the flags too).",
        "A file whose first line is `#!...` or whose first word is a section keyword (init, begin, rule, end) is a standalone script; any other file holds named scripts, run in order. Arguments after FILE reach the script as the environment variables PIKT_ARGC and PIKT_ARG1, PIKT_ARG2, ...",
        "With +A/+S the scripts come from =altdir/ALERT.alt of the installation, entries go to =logdir/ALERT.log and the mail is sent with +M, the alert's mailcmd, or PIKT.conf's smtp_relay (spooled when it fails).",
    ],
    environment: &[
        SITE_ENVIRONMENT[0],
        SITE_ENVIRONMENT[1],
        SITE_ENVIRONMENT[2],
        ("PIKT_NOW", "a fixed clock, in seconds since the epoch"),
        ("PIKT_SYSLOG", "the syslog socket (default /dev/log)"),
        ("TZ", "the time zone of dates"),
    ],
    exit_codes: &[
        (0, "everything ran"),
        (1, "a script failed at run time or died, or the mail could not be delivered"),
        (2, "the script has errors (nothing ran); with -z, an installed alert has errors"),
        (3, "another run of the alert holds its lock (see -U)"),
        (4, "the script, the installed alert or PIKT.conf cannot be read"),
    ],
};
