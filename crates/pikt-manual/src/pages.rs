//! What a man page says beyond the flag table: the description, the files
//! a program uses and examples. Every example is a command line that the
//! program's own tokenizer reads using listed flags only (tested), and
//! every path comes from `pikt_config`'s default layout, so neither can
//! drift from the programs.

use pikt_config::{Layout, Site};

/// The installation root the pages describe (the programs' default).
pub const ROOT: &str = "/etc/pikt";

/// The prose of one program's page.
pub struct Extras {
    /// DESCRIPTION paragraphs (backquoted parts are literal).
    pub description: &'static [&'static str],
    /// EXAMPLES: a command line and what it does.
    pub examples: &'static [(&'static str, &'static str)],
    /// FILES: a path and what it holds.
    pub files: fn() -> Vec<(String, &'static str)>,
}

/// The extras of `program`'s page.
pub fn extras(program: &str) -> Option<&'static Extras> {
    match program {
        "pikt" => Some(&PIKT),
        "piktc" => Some(&PIKTC),
        "piktd" => Some(&PIKTD),
        _ => None,
    }
}

fn layout() -> Layout {
    Layout::new(ROOT)
}

fn show(path: std::path::PathBuf) -> String {
    path.display().to_string()
}

const PIKT: Extras = Extras {
    description: &[
        "`pikt` runs scripts written in the Pikt language: it reads the output of a command, a file or a growing log line by line, picks fields, compares them with thresholds and with the values of the previous run, and then logs, mails, pages or acts: kills a runaway process, saves a file, restarts a daemon.",
        "A script comes from a file, from `+C` statements, from standard input, or from an alert that piktc(1) installed: `pikt +A ALERT` runs the alert's scripts in order, keeps their history, writes the alert's log and sends one mail for the whole run. piktd(8) runs `pikt +A` for every alert at the times its piktd.conf lines name.",
        "In test mode (`-T`) the script reads everything for real but runs no command: each `exec` is printed as `exec: COMMAND` and the alert mail is printed instead of sent.",
    ],
    examples: &[
        ("pikt -c check.pikt", "check a script: print every problem with its line and column, run nothing"),
        ("pikt -T +A Urgent", "run the installed alert Urgent in test mode: commands and the mail are printed"),
        ("pikt +S ProcCountsChk", "run one script of the installed alert that holds it"),
        ("pikt --piktdir /srv/pikt -G +A Urgent", "run an alert of another installation, tracing every statement"),
    ],
    files: || {
        let l = layout();
        vec![
            (show(l.alert_file("ALERT")), "the scripts of an installed alert, in order"),
            (show(l.alert_settings_file("ALERT")), "the alert's settings (mail command, level, status)"),
            (show(l.alert_log("ALERT")), "the alert's log"),
            (show(l.history_file("ALERT", "SCRIPT")), "a script's values from its previous run"),
            (show(l.pikt_conf()), "site settings: SMTP relay, recipients, native ps (pikt-config(5))"),
        ]
    },
};

const PIKTC: Extras = Extras {
    description: &[
        "`piktc` is PIKT's central control. On the master host it keeps one set of config files (pikt-config(5)) and preprocesses them separately for every host (`#if`, macros, includes); it checks everything for every host, shows what a host gets, installs it, enables and disables alerts, and operates the hosts: runs commands, compares, views and checksums installed files, makes and restores backups, and stops and restarts piktd(8).",
        "Each run does exactly one operation (one of the flags from `-c` to `--explain` above, or a combination of the changes `-i -e -d -t -B -x -X -r -k`) on the items the selectors choose (`+A`, `+S`, `+P`, `+F`, `+O`) for the hosts `+H` and `-H` choose. Selections apply in order, starting from nothing: `+` adds, `-` removes, `all` is every item of the kind and `=name` the items the macro `name` lists.",
        "Every change reaches a host the way a remote host receives it: as a bundle with every file's checksum, checked and staged on the host before any file is switched, so an interrupted run leaves the previous version in place.",
    ],
    examples: &[
        ("piktc -c", "check every config file for every host"),
        ("piktc -inv +A all +O all", "show what installing every alert and object would change, change nothing"),
        ("piktc -iev +A all +O all", "install every alert and object on this host and write its piktd.conf lines"),
        ("piktc -ibv +F motd", "install the file motd, keeping a backup of what it replaces"),
        ("piktc -f", "show how the installed files differ from what the master renders now"),
        ("piktc -m +O all", "compare the checksums of the installed object files with the master's"),
        ("piktc -xv +C =newaliases", "run a command, with the host's macros expanded"),
        ("piktc -L +H all -H down", "list every host but those of the group down"),
        ("piktc -s", "show whether piktd runs, and each alert's schedule and last run"),
        ("piktc -r", "restart piktd (through systemd when systemd runs it)"),
    ],
    files: || {
        let l = layout();
        vec![
            (show(l.cfgdir.join("*.cfg")), "the eight config files and their includes (pikt-config(5))"),
            (show(l.pikt_conf()), "site settings, directories"),
            (show(l.piktd_conf()), "the schedule piktc -e and -d write"),
            (show(l.altdir.clone()), "installed alerts"),
            (show(l.objdir.clone()), "installed object sets"),
            (show(l.prgdir.clone()), "installed programs without a path of their own"),
        ]
    },
};

const PIKTD: Extras = Extras {
    description: &[
        "`piktd` is the PIKT scheduler; every host runs one. It reads piktd.conf, written by `piktc -e`, and at the minutes each line's timing names it starts the line's command (normally `pikt +A ALERT` behind a nice prefix) as a child process in its own process group with a time limit. A run that is still going when its alert is due again is skipped, not doubled.",
        "It logs every start, end, exit status, duration, time-out and skip in piktd.log. The unit piktd.service runs it under systemd; `piktc -r` and `piktc -k` restart and stop it through systemd when systemd runs it.",
    ],
    examples: &[
        ("piktd -z", "check piktd.conf and print every line's next run"),
        ("piktd -T -G", "log what would run at each minute, with the schedule, and run nothing"),
        ("piktd --timeout 600", "run the schedule, stopping any run after ten minutes"),
    ],
    files: || {
        let site = Site::with_defaults(ROOT, None);
        let files = site.piktd_files();
        vec![
            (show(files.conf), "the schedule"),
            (show(files.log), "what piktd did"),
            (show(files.lock), "held while piktd runs: one piktd per installation"),
            (show(files.alerts), "the alerts piktd has active"),
            (show(files.state), "the last minute piktd handled, for catching up after a clock jump"),
            (show(site.layout.pikt_conf()), "site settings: piktd_run_limit (pikt-config(5))"),
        ]
    },
};
