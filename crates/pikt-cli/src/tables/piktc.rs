//! `piktc`, central control (reference §3.1; docs/piktc.md).

use super::{HOST_HELP, PIKTDIR_HELP, SITE_ENVIRONMENT};
use crate::spec::{Complete, Flag, Operands, Spec};

/// What a `piktc` flag means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PiktcFlag {
    /// `-b`: back up files before replacing or deleting them.
    Backup,
    /// `-B`: restore files from their backups.
    Restore,
    /// `-c`: check the configuration for every selected host.
    Check,
    /// `-C`: PIKT's "doublecheck"; the same as `-c` here.
    DoubleCheck,
    /// `-d`: disable alerts.
    Disable,
    /// `-e`: enable alerts.
    Enable,
    /// `-f`: diff installed files against the master's.
    Diff,
    /// `-G`: show what is sent to and received from each host.
    Debug,
    /// `-h`, `--help`.
    Help,
    /// `-i`: install items.
    Install,
    /// `-I`: run the regenerating commands of includes.
    Refresh,
    /// `-k`: stop piktd.
    StopPiktd,
    /// `-K`: PIKT's "kill piktc_svc" (refused).
    StopService,
    /// `-l`: list items.
    List,
    /// `-L`: expand host names.
    ExpandHosts,
    /// `-m#`: checksums of installed files.
    Checksum,
    /// `-M`: expand `+M` texts.
    ExpandMacros,
    /// `-n`: dry run.
    DryRun,
    /// `-p#`: pause between hosts.
    Pause,
    /// `-Q` (undocumented in PIKT; refused).
    Quiet,
    /// `-r`: restart piktd.
    RestartPiktd,
    /// `-R`: PIKT's "restart piktc_svc" (refused).
    RestartService,
    /// `-s`: piktd's status and each alert's.
    Status,
    /// `-t`: delete items.
    Delete,
    /// `-T`: test mode.
    Test,
    /// `-U`: urgent mode, no lock blocks a change.
    Urgent,
    /// `-v`: say what was done.
    Verbose,
    /// `-V`, `--version`.
    Version,
    /// `-w`: show installed files.
    View,
    /// `-W`: show the master's files.
    ViewMaster,
    /// `-x`: run `+C` commands and wait.
    Exec,
    /// `-X`: run `+C` commands without waiting.
    ExecNoWait,
    /// `-z`: PIKT's "make check" mode; the same as `-c` here.
    MakeCheck,
    /// `-Z`: list every config element.
    ListAll,
    /// `--render`.
    Render,
    /// `--explain FILE:LINE`.
    Explain,
    /// `--piktdir DIR`.
    PiktDir,
    /// `--host NAME`.
    Host,
    /// `--apply-bundle`: the host side of every change (hidden).
    ApplyBundle,
    /// `--bootstrap`: bring new hosts in.
    Bootstrap,
    /// `-j#`: how many hosts at once.
    Jobs,
    /// `--timeout SECONDS`: how long one host may take.
    Timeout,
    /// `--complete KIND`: the names shell completion offers (hidden).
    Complete,
    /// `+D`/`-D`.
    Define,
    /// `+E`/`-E`.
    Env,
    /// `+C`.
    Command,
    /// `+M`.
    MacroText,
    /// `+A`/`-A`.
    Alert,
    /// `+S`/`-S`.
    Script,
    /// `+P`/`-P`.
    Program,
    /// `+F`/`-F`.
    File,
    /// `+O`/`-O`.
    Object,
    /// `+H`/`-H`.
    Hosts,
}

use PiktcFlag as F;

const NO_SERVICE: &str =
    "piktc reaches hosts over ssh and runs their own piktc there; there is no piktc_svc daemon";

const FLAGS: &[Flag<PiktcFlag>] = &[
    Flag::switch(F::Check, 'c', "check", "check every config file for every selected host (all hosts by default)"),
    Flag::switch(F::DoubleCheck, 'C', "doublecheck", "the same as -c (its check already parses every alarm script with pikt's own parser)"),
    Flag::switch(F::MakeCheck, 'z', "make-check", "the same as -c (PIKT's \"make check\" mode)"),
    Flag::switch(F::Install, 'i', "install", "install the selected items on the selected hosts (unchanged files are left alone)"),
    Flag::switch(F::Enable, 'e', "enable", "enable the selected alerts: write their piktd.conf lines"),
    Flag::switch(F::Disable, 'd', "disable", "disable the selected alerts: remove their piktd.conf lines"),
    Flag::switch(F::Delete, 't', "delete", "delete the selected items and their history and log files"),
    Flag::switch(F::Backup, 'b', "backup", "with -i or -t: first copy each file replaced or deleted to FILE.piktbak (PIKT.conf backup_extension)"),
    Flag::switch(F::Restore, 'B', "restore", "restore the selected items' files from their backups"),
    Flag::switch(F::Exec, 'x', "exec", "run the +C commands on the selected hosts and wait for them (after any other change)"),
    Flag::switch(F::ExecNoWait, 'X', "exec-nowait", "run the +C commands on the selected hosts without waiting for them"),
    Flag::switch(F::RestartPiktd, 'r', "restart-piktd", "(re)start piktd on the selected hosts (after any other change)"),
    Flag::switch(F::StopPiktd, 'k', "stop-piktd", "stop piktd on the selected hosts"),
    Flag::switch(F::Status, 's', "status", "show whether piktd runs, and each alert's timing, activity and last run"),
    Flag::switch(F::Diff, 'f', "diff", "show how the installed files differ from what the master renders now"),
    Flag::switch(F::View, 'w', "view", "show the selected items' files as installed on the hosts"),
    Flag::switch(F::ViewMaster, 'W', "view-master", "show the selected items' files as the master renders them for each host"),
    Flag::letter(F::Checksum, 'm', "checksums of the installed files, and whether each is the master's: -m SHA-256, -m# PIKT's $checksum level # (1 BSD sum, 2 System V sum, 3 cksum, 4 MD4, 5 MD5)").digits("LEVEL"),
    Flag::switch(F::List, 'l', "list", "list the selected items (all by default) and where they go"),
    Flag::switch(F::ListAll, 'Z', "list-all", "list every config element as the host sees it"),
    Flag::switch(F::ExpandHosts, 'L', "expand-hosts", "print the hosts that the +H/-H names denote"),
    Flag::switch(F::ExpandMacros, 'M', "expand-macros", "print the +M texts with the host's macros expanded"),
    Flag::long(F::Render, "render", "print every file the host would get (alarm scripts, objects, programs, files, piktd.conf lines)"),
    Flag::long(F::Explain, "explain", "show which #if/#ifdef branches made the host's output lines from FILE:LINE").takes("FILE:LINE", Complete::None),
    Flag::switch(F::Refresh, 'I', "refresh", "run the regenerating commands of #include/#verbatim \"file\" [cmd] and #exec \"/dev/null\" [cmd]"),
    Flag::switch(F::Test, 'T', "test", "test mode: set the define `pikttest`; piktd.conf lines run `pikt -T`"),
    Flag::switch(F::Urgent, 'U', "urgent", "urgent mode: change hosts even while another piktc's change holds =lokdir/piktc.lock"),
    Flag::switch(F::DryRun, 'n', "dry-run", "with a change (-i -e -d -t -B -x -X -r -k): show per host what would change, change nothing"),
    Flag::letter(F::Pause, 'p', "between two hosts, pause # seconds, or without #, wait for Enter (hosts then go one at a time)").digits("SECONDS"),
    Flag::letter(F::Jobs, 'j', "work on # hosts at once (default: PIKT.conf piktc_jobs, else 16)").digits("N"),
    Flag::long(F::Timeout, "timeout", "give each host at most SECONDS, connection included (default: PIKT.conf host_timeout, else 300)").takes("SECONDS", Complete::Number),
    Flag::long(F::Bootstrap, "bootstrap", "bring the selected hosts in: copy this master's binaries (same architecture only), make the layout, install every item (or the selected ones), enable the alerts, start piktd"),
    Flag::switch(F::Verbose, 'v', "verbose", "say what is done, file by file"),
    Flag::switch(F::Debug, 'G', "debug", "show what is sent to each host and what it answers, on standard error"),
    Flag::long(F::PiktDir, "piktdir", PIKTDIR_HELP).takes("DIR", Complete::Dir),
    Flag::long(F::Host, "host", HOST_HELP).takes("NAME", Complete::Host),
    Flag::switch(F::Version, 'V', "version", "print the version"),
    Flag::switch(F::Help, 'h', "help", "print this help"),
    Flag::long(F::ApplyBundle, "apply-bundle", "host side: read a bundle on standard input, apply it to this host, write the report on standard output").hidden(),
    Flag::long(F::Complete, "complete", "for shell completion: print the names of KIND (host, alert, script, program, file, object, define, installed-alert, installed-script) one per line").takes("KIND", Complete::None).hidden(),
    Flag::letter(F::StopService, 'K', "stop piktc_svc").refused(NO_SERVICE),
    Flag::letter(F::RestartService, 'R', "restart piktc_svc").refused(NO_SERVICE),
    Flag::letter(F::Quiet, 'Q', "undocumented").refused("PIKT never documented what it does"),
    Flag::selector(F::Alert, 'A', true, "ALERT...", "alerts (names, `all`, `=macro`); +Af forces rewriting unchanged files").with_suffix('f').completes(Complete::Alert),
    Flag::selector(F::Script, 'S', true, "SCRIPT...", "single alarm scripts").with_suffix('f').completes(Complete::Script),
    Flag::selector(F::Program, 'P', true, "PROGRAM...", "programs").with_suffix('f').completes(Complete::Program),
    Flag::selector(F::File, 'F', true, "FILE...", "files").with_suffix('f').completes(Complete::FileItem),
    Flag::selector(F::Object, 'O', true, "OBJECT...", "object sets").with_suffix('f').completes(Complete::Object),
    Flag::selector(F::Hosts, 'H', true, "HOST...", "hosts, aliases, groups, os names, `all` (in order: +H all -H down)").completes(Complete::Host),
    Flag::selector(F::Define, 'D', true, "DEFINE...", "set (+D) or unset (-D) defines").completes(Complete::Define),
    Flag::selector(F::Env, 'E', true, "NAME=VALUE...", "environment for preprocessing: +E name=value, -E name"),
    Flag::selector(F::MacroText, 'M', false, "TEXT...", "texts to expand with -M, e.g. +M \"=ps\""),
    Flag::selector(F::Command, 'C', false, "COMMAND...", "commands for -x/-X (the host's macros are expanded)").completes(Complete::Command),
];

/// `piktc`'s command line.
pub const PIKTC: Spec<PiktcFlag> = Spec {
    program: "piktc",
    section: 1,
    summary: "check, render and install a PIKT configuration, and operate its hosts",
    usage: &[
        "piktc -FLAGS [+|-D define...] [+|-E name=value...] [+C command...] [+M text...]",
        "[+|-A[f] alert...] [+|-S[f] script...] [+|-P[f] program...] [+|-F[f] file...]",
        "[+|-O[f] object...] [+|-H host...] [ALL]",
    ],
    flags: FLAGS,
    operands: Operands::Words,
    notes: &[
        "ALL stands for +A all +P all +F all +O all. Without +H, changes and queries go to this host only.",
        "Other hosts are reached with the system's ssh client: the invoking user's ssh configuration (or the file PIKT_SSH_CONFIG or PIKT.conf ssh_config names), keys, agent and known_hosts, in batch mode; their piktc applies what the master sends. Their installation root is /etc/pikt unless PIKT.conf host_piktdir says otherwise.",
    ],
    environment: &[
        SITE_ENVIRONMENT[0],
        SITE_ENVIRONMENT[1],
        SITE_ENVIRONMENT[2],
        (
            "PIKT_SSH_CONFIG",
            "the ssh client configuration file for reaching other hosts (ssh -F); wins over PIKT.conf ssh_config",
        ),
    ],
    exit_codes: &[
        (0, "success (warnings may have been printed)"),
        (1, "the configuration has errors (nothing was changed)"),
        (3, "a host failed: it could not be reached or took too long, installing, reading piktd's files, a command, piktd control; or the run was interrupted"),
        (4, "the rest succeeded, but some selected hosts were skipped"),
        (5, "another piktc is changing hosts from this master (see -U); nothing was done"),
    ],
};
