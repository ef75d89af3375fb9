//! The guard over a recording host: every method of every effect trait,
//! under every policy, with every use a command can have.

use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use pikt_lang::ast::Level;

use super::*;
use crate::testing::{ShellCall, TestHost};

const TEST_MODE: Policy = Policy {
    test_mode: true,
    no_exec: false,
};
const NO_EXEC: Policy = Policy {
    test_mode: false,
    no_exec: true,
};
const BOTH: Policy = Policy {
    test_mode: true,
    no_exec: true,
};
const OPEN: Policy = Policy {
    test_mode: false,
    no_exec: false,
};

/// Every use a command can have. [`use_index`] has no wildcard, so a new
/// use does not compile until it is listed here too.
const EVERY_USE: [CommandUse<'static>; 10] = [
    CommandUse::Exec,
    CommandUse::System,
    CommandUse::DoExec,
    CommandUse::Command,
    CommandUse::InputProc,
    CommandUse::Filter,
    CommandUse::Popen,
    CommandUse::Print,
    CommandUse::Mail,
    CommandUse::KillProcs {
        user: "chico",
        comm: "imapd",
    },
];

fn use_index(used_for: CommandUse<'_>) -> usize {
    match used_for {
        CommandUse::Exec => 0,
        CommandUse::System => 1,
        CommandUse::DoExec => 2,
        CommandUse::Command => 3,
        CommandUse::InputProc => 4,
        CommandUse::Filter => 5,
        CommandUse::Popen => 6,
        CommandUse::Print => 7,
        CommandUse::Mail => 8,
        CommandUse::KillProcs { .. } => 9,
    }
}

#[test]
fn every_use_is_listed_once() {
    let mut seen: Vec<usize> = EVERY_USE.iter().map(|u| use_index(*u)).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..EVERY_USE.len()).collect::<Vec<_>>());
}

/// What a shell method hands back, reduced to something comparable: the
/// status, or the text read from the command.
type ShellMethod = fn(&mut Guarded<'_>, &ShellCommand<'_>) -> io::Result<String>;

fn read_all(mut pipe: Box<dyn ReadPipe>) -> io::Result<String> {
    let mut text = String::new();
    pipe.read_to_string(&mut text)?;
    let status = pipe.close()?;
    Ok(format!("{text}[{status}]"))
}

/// Every method of [`Shell`] that runs a command.
const SHELL_METHODS: [(&str, ShellMethod); 7] = [
    ("run", |g, c| g.run(c).map(|s| format!("[{s}]"))),
    ("spawn", |g, c| g.spawn(c).map(|()| String::new())),
    ("capture", |g, c| g.capture(c)),
    ("read_pipe", |g, c| g.read_pipe(c).and_then(read_all)),
    ("filter", |g, c| {
        g.filter(c, b"in\n".to_vec()).and_then(read_all)
    }),
    ("write_pipe", |g, c| {
        let mut pipe = g.write_pipe(c)?;
        pipe.write_all(b"in\n")?;
        pipe.close().map(|s| format!("[{s}]"))
    }),
    ("send", |g, c| {
        g.send(c, b"message\n").map(|s| format!("[{s}]"))
    }),
];

/// Calls `method` with a command of `used_for` on a guarded recording host.
fn call(
    policy: Policy,
    method: ShellMethod,
    used_for: CommandUse<'_>,
) -> (io::Result<String>, TestHost) {
    let mut host = TestHost::default();
    host.shell.answer("cmd", "out\n", 0);
    host.shell
        .answer("pgrep -x -u 'chico' -- 'imapd'", "610\n611\n", 0);
    let result = method(
        &mut Guarded::new(host.host(), policy, "T"),
        &ShellCommand::new("cmd", used_for),
    );
    (result, host)
}

fn is_acting(used_for: CommandUse<'_>) -> bool {
    matches!(
        used_for,
        CommandUse::Exec | CommandUse::System | CommandUse::Mail | CommandUse::KillProcs { .. }
    )
}

/// The calls that actually ran something (a `pretend` runs nothing).
fn ran(host: &TestHost) -> Vec<&ShellCall> {
    host.shell
        .calls
        .iter()
        .filter(|call| !matches!(call, ShellCall::Pretend(_)))
        .collect()
}

#[test]
fn test_mode_keeps_every_acting_command_from_the_shell() {
    for (name, method) in SHELL_METHODS {
        for used_for in EVERY_USE.into_iter().filter(|u| is_acting(*u)) {
            let (result, host) = call(TEST_MODE, method, used_for);
            let what = format!("{name} for {used_for:?}");
            let result = result.unwrap_or_else(|e| panic!("{what}: {e}"));
            let is_kill = matches!(used_for, CommandUse::KillProcs { .. });
            match (name, used_for) {
                // The mail is shown instead of sent.
                ("send", CommandUse::Mail) => {
                    assert_eq!(host.sinks.stdout, "message\n", "{what}");
                    assert!(host.shell.calls.is_empty(), "{what}");
                }
                // `#killprocs` lists with `pgrep` (which signals nothing)
                // and answers as `pkill -c` would.
                ("capture", _) if is_kill => {
                    assert_eq!(
                        ran(&host),
                        [&ShellCall::Capture("pgrep -x -u 'chico' -- 'imapd'".into())]
                    );
                    assert_eq!(result, "2\n");
                    assert_eq!(
                        host.sinks.stdout,
                        "kill: would signal 2 processes of chico imapd (pids 610 611)\n"
                    );
                }
                // Everything else is shown as `exec: COMMAND`, and the shell
                // is told to pretend it ran.
                _ => {
                    assert!(ran(&host).is_empty(), "{what}: {:?}", host.shell.calls);
                    assert_eq!(host.shell.calls, [ShellCall::Pretend("cmd".into())]);
                    assert_eq!(host.sinks.stdout, "exec: cmd\n", "{what}");
                    assert!(!result.contains("out"), "{what}: {result}");
                    assert_eq!(host.sinks.log, ["[INFO] T: test mode, not run: cmd"]);
                }
            }
        }
    }
}

#[test]
fn test_mode_runs_what_only_reads_or_is_forced() {
    for (name, method) in SHELL_METHODS {
        for used_for in EVERY_USE.into_iter().filter(|u| !is_acting(*u)) {
            let (result, host) = call(TEST_MODE, method, used_for);
            let what = format!("{name} for {used_for:?}");
            assert!(result.is_ok(), "{what}");
            assert_eq!(ran(&host).len(), 1, "{what}: {:?}", host.shell.calls);
            assert!(host.sinks.stdout.is_empty(), "{what}");
            assert_eq!(
                host.sinks.log,
                [format!("[INFO] T: {}: cmd", used_for.word())],
                "{what}"
            );
        }
    }
}

#[test]
fn no_exec_refuses_every_command_in_every_method() {
    for (name, method) in SHELL_METHODS {
        for used_for in EVERY_USE {
            let (result, host) = call(NO_EXEC, method, used_for);
            let what = format!("{name} for {used_for:?}");
            let error = result.expect_err(&what);
            assert!(
                matches!(GuardError::of(&error), Some(GuardError::Refused { command }) if command == "cmd"),
                "{what}: {error}"
            );
            assert_eq!(
                error.to_string(),
                "running commands is disabled: `cmd`",
                "{what}"
            );
            assert!(host.shell.calls.is_empty(), "{what}");
        }
    }
}

#[test]
fn test_mode_and_no_exec_together_show_acting_commands_and_refuse_the_rest() {
    for (name, method) in SHELL_METHODS {
        for used_for in EVERY_USE {
            let (result, host) = call(BOTH, method, used_for);
            let what = format!("{name} for {used_for:?}");
            assert!(ran(&host).is_empty(), "{what}: {:?}", host.shell.calls);
            let lists = name == "capture" && matches!(used_for, CommandUse::KillProcs { .. });
            let refused = !is_acting(used_for) || lists;
            match result {
                Err(e) => {
                    assert!(refused, "{what}: {e}");
                    assert!(matches!(
                        GuardError::of(&e),
                        Some(GuardError::Refused { .. })
                    ));
                }
                Ok(_) => assert!(!refused, "{what}"),
            }
        }
    }
}

#[test]
fn without_a_policy_every_command_runs_once_and_is_logged() {
    for (name, method) in SHELL_METHODS {
        for used_for in EVERY_USE {
            let (result, host) = call(OPEN, method, used_for);
            let what = format!("{name} for {used_for:?}");
            assert!(result.is_ok(), "{what}");
            assert_eq!(ran(&host).len(), 1, "{what}");
            assert!(host.sinks.stdout.is_empty(), "{what}");
            // Our output is flushed first, so it keeps its order with the
            // command's.
            assert_eq!(host.sinks.flushes, 1, "{what}");
            assert_eq!(
                host.sinks.log.first(),
                Some(&format!("[INFO] T: {}: cmd", used_for.word())),
                "{what}"
            );
        }
    }
}

#[test]
fn a_real_killprocs_logs_what_it_signalled() {
    let mut host = TestHost::default();
    host.shell.answer("pkill", "3\n", 0);
    let kill = ShellCommand::new(
        "pkill",
        CommandUse::KillProcs {
            user: "chico",
            comm: "imapd",
        },
    );
    let output = Guarded::new(host.host(), OPEN, "T").capture(&kill).unwrap();
    assert_eq!(output, "3\n");
    assert_eq!(
        host.sinks.log,
        [
            "[INFO] T: killprocs: pkill",
            "[KILL]! T: killprocs: signalled 3 processes of user chico command imapd"
        ]
    );
}

#[test]
fn test_mode_printing_to_a_closed_output_is_a_guard_error() {
    let mut host = TestHost::default();
    host.sinks.stdout_closed = true;
    let exec = ShellCommand::new("cmd", CommandUse::Exec);
    let error = Guarded::new(host.host(), TEST_MODE, "T")
        .run(&exec)
        .unwrap_err();
    match GuardError::of(&error) {
        Some(GuardError::Stdout(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
        other => panic!("{other:?}"),
    }
    assert!(ran(&host).is_empty());
}

#[test]
fn pretend_reaches_the_shell_only_in_test_mode() {
    for (policy, reached) in [
        (TEST_MODE, true),
        (BOTH, true),
        (OPEN, false),
        (NO_EXEC, false),
    ] {
        let mut host = TestHost::default();
        Guarded::new(host.host(), policy, "T").pretend("kill 7");
        assert_eq!(!host.shell.calls.is_empty(), reached, "{policy:?}");
    }
}

#[test]
fn pauses_are_skipped_in_test_mode_only() {
    for (policy, slept) in [
        (TEST_MODE, false),
        (BOTH, false),
        (OPEN, true),
        (NO_EXEC, true),
    ] {
        let mut host = TestHost::default();
        let mut guarded = Guarded::new(host.host(), policy, "T");
        for seconds in [5.0, 0.0, -1.0, f64::NAN] {
            guarded.sleep(seconds, &Stop::new());
        }
        let want: &[f64] = if slept { &[5.0] } else { &[] };
        assert_eq!(host.clock.sleeps, want, "{policy:?}");
        if !slept {
            assert_eq!(
                host.sinks.log[0],
                "[INFO] T: test mode, pause of 5 s skipped"
            );
        }
    }
}

/// Every method of the traits other than [`Shell`], through the guard. Each
/// returns what it did, read back from the fake it must have reached.
type OtherMethod = fn(&mut TestHost, Policy) -> String;

const OTHER_METHODS: [(&str, OtherMethod); 18] = [
    ("now", |h, p| {
        Guarded::new(h.host(), p, "T").now().to_string()
    }),
    ("open_read", |h, p| {
        h.fs.put("/in", "data\n");
        let mut line = String::new();
        let mut reader = Guarded::new(h.host(), p, "T").open_read("/in").unwrap();
        reader.read_line(&mut line).unwrap();
        line
    }),
    ("open_write", |h, p| {
        let mut writer = Guarded::new(h.host(), p, "T")
            .open_write("/out", false)
            .unwrap();
        writer.write_all(b"written\n").unwrap();
        h.fs.get("/out").unwrap_or_default()
    }),
    ("append_line", |h, p| {
        Guarded::new(h.host(), p, "T")
            .append_line("/log", "appended")
            .unwrap();
        h.fs.get("/log").unwrap_or_default()
    }),
    ("stat", |h, p| {
        h.fs.put("/f", "abc");
        let stat = Guarded::new(h.host(), p, "T").stat("/f", true).unwrap();
        stat.len.to_string()
    }),
    ("open_seekable", |h, p| {
        h.fs.put("/f", "seek\n");
        let (mut reader, _) = Guarded::new(h.host(), p, "T").open_seekable("/f").unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        text
    }),
    ("read_state", |h, p| {
        h.fs.put("/h.hst", "state");
        Guarded::new(h.host(), p, "T")
            .read_state(Path::new("/h.hst"))
            .unwrap()
            .unwrap_or_default()
    }),
    ("write_state", |h, p| {
        Guarded::new(h.host(), p, "T")
            .write_state(Path::new("/w.hst"), "stored")
            .unwrap();
        h.fs.get("/w.hst").unwrap_or_default()
    }),
    ("stdout", |h, p| {
        Guarded::new(h.host(), p, "T").stdout("shown\n").unwrap();
        h.sinks.stdout.clone()
    }),
    ("flush", |h, p| {
        Guarded::new(h.host(), p, "T").flush().unwrap();
        h.sinks.flushes.to_string()
    }),
    ("syslog", |h, p| {
        let message = SyslogMessage {
            level: Level::Error,
            tag: "T",
            text: "sent",
        };
        Guarded::new(h.host(), p, "T").syslog(&message).unwrap();
        h.sinks.syslog.join("")
    }),
    ("log", |h, p| {
        Guarded::new(h.host(), p, "T").log(&LogEntry {
            tag: "INFO",
            script: "T",
            text: "logged",
            always_show: false,
        });
        h.sinks.log.join("")
    }),
    ("keeps_log", |h, p| {
        Guarded::new(h.host(), p, "T").keeps_log().to_string()
    }),
    ("trace", |h, p| {
        Guarded::new(h.host(), p, "T").trace("traced");
        h.sinks.trace.join("")
    }),
    ("hostname", |h, p| {
        Guarded::new(h.host(), p, "T").hostname().to_string()
    }),
    ("getenv", |h, p| {
        h.system.env.insert("V".into(), "value".into());
        Guarded::new(h.host(), p, "T")
            .getenv("V")
            .unwrap_or_default()
    }),
    ("random", |h, p| {
        let r = Guarded::new(h.host(), p, "T").random();
        format!("{r:.6}")
    }),
    ("pid", |h, p| {
        Guarded::new(h.host(), p, "T").pid().to_string()
    }),
];

#[test]
fn files_output_logs_and_host_facts_pass_through_under_every_policy() {
    let expected = |name: &str| -> String {
        let mut host = TestHost::at(956_621_822);
        OTHER_METHODS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, method)| method(&mut host, OPEN))
            .unwrap_or_default()
    };
    let literal: [(&str, &str); 15] = [
        ("now", "956621822"),
        ("open_read", "data\n"),
        ("open_write", "written\n"),
        ("append_line", "appended\n"),
        ("stat", "3"),
        ("open_seekable", "seek\n"),
        ("read_state", "state"),
        ("write_state", "stored"),
        ("stdout", "shown\n"),
        ("flush", "1"),
        ("syslog", "<error> T: sent"),
        ("log", "[INFO] T: logged"),
        ("trace", "traced"),
        ("hostname", "testhost"),
        ("getenv", "value"),
    ];
    for (name, want) in literal {
        assert_eq!(expected(name), want, "{name}");
    }
    for policy in [TEST_MODE, NO_EXEC, BOTH] {
        for (name, method) in OTHER_METHODS {
            let mut host = TestHost::at(956_621_822);
            assert_eq!(
                method(&mut host, policy),
                expected(name),
                "{name} under {policy:?}"
            );
            assert!(host.shell.calls.is_empty(), "{name}");
            assert!(host.clock.sleeps.is_empty(), "{name}");
        }
    }
}

#[test]
fn signal_numbers_are_the_shells() {
    let mut host = TestHost::default();
    for policy in [OPEN, TEST_MODE, NO_EXEC, BOTH] {
        let guarded = Guarded::new(host.host(), policy, "T");
        assert_eq!(guarded.signal_number("TERM"), Some(15));
        assert_eq!(guarded.signal_number("NOPE"), None);
    }
}

#[test]
fn a_scripts_status_testing_turns_test_mode_on_for_it_alone() {
    use pikt_lang::{parse_program, ParseMode};
    use pikt_source::SourceMap;
    let mut map = SourceMap::new();
    let file = map.add(
        "t.pikt",
        "A\n    init\n        status testing\n    begin\n        exec \"a\"\nB\n    begin\n        exec \"b\"\n",
    );
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Alarms);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let config = RunConfig::default();
    let policies: Vec<Policy> = program
        .scripts
        .iter()
        .map(|script| Policy::for_script(&config, script))
        .collect();
    assert_eq!(policies, [TEST_MODE, OPEN]);
    let no_exec = RunConfig {
        no_exec: true,
        ..RunConfig::default()
    };
    assert_eq!(Policy::for_script(&no_exec, &program.scripts[0]), BOTH);
}

#[test]
fn once_a_stop_is_requested_nothing_starts_under_any_policy() {
    for policy in [OPEN, TEST_MODE, NO_EXEC, BOTH] {
        let mut host = TestHost::default();
        let stop = Stop::new();
        stop.request("SIGTERM");
        let mut guarded = Guarded::new(host.host(), policy, "T").with_stop(&stop);
        for used_for in EVERY_USE {
            let command = ShellCommand::new("sleep 600", used_for);
            let error = guarded.run(&command).map(|_| ()).unwrap_err();
            assert!(
                matches!(GuardError::of(&error), Some(GuardError::Stopped { reason }) if reason == "SIGTERM"),
                "{policy:?} {used_for:?}: {error}"
            );
            assert!(guarded.capture(&command).is_err());
            assert!(guarded.read_pipe(&command).is_err());
            assert!(guarded.write_pipe(&command).is_err());
            assert!(guarded.spawn(&command).is_err());
        }
        guarded.sleep(600.0, &stop);
        assert!(
            host.shell.calls.is_empty(),
            "{policy:?}: {:?}",
            host.shell.calls
        );
        assert!(host.clock.sleeps.is_empty(), "{policy:?}");
    }
    // A stop requested through the pause's own handle also keeps it from
    // beginning.
    let mut host = TestHost::default();
    let stop = Stop::new();
    stop.request("SIGINT");
    Guarded::new(host.host(), OPEN, "T").sleep(600.0, &stop);
    assert!(host.clock.sleeps.is_empty());
}
