//! Interpreter tests: scripts parsed by `pikt-lang`, run against the
//! recording fakes of [`crate::testing`].

use pikt_lang::{parse_program, ParseMode};
use pikt_source::{render, SourceMap};

use crate::config::RunConfig;
use crate::run::{run, RunReport, ScriptToRun};
use crate::testing::TestHost;

/// Tue Apr 25 00:17:02 2000 UTC.
const NOW: i64 = 956_621_822;

struct Ran {
    report: RunReport,
    host: TestHost,
    map: SourceMap,
}

impl Ran {
    fn stdout(&self) -> &str {
        &self.host.sinks.stdout
    }

    fn errors(&self) -> String {
        self.report
            .errors
            .iter()
            .map(|d| render(&self.map, d))
            .collect()
    }
}

fn run_in(text: &str, mode: ParseMode, config: &RunConfig, mut host: TestHost) -> Ran {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", text);
    let (program, diagnostics) = parse_program(&map, file, mode);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| render(&map, d))
        .collect();
    assert!(errors.is_empty(), "parse errors:\n{}", errors.concat());
    let scripts = ScriptToRun::all_named_or(&program, "T");
    let report = run(&scripts, &map, config, &mut host.host());
    Ran { report, host, map }
}

fn ran_with(text: &str, host: TestHost) -> Ran {
    run_in(text, ParseMode::Standalone, &RunConfig::default(), host)
}

fn ran(text: &str) -> Ran {
    ran_with(text, TestHost::at(NOW))
}

/// Runs a standalone script that must not fail; its standard output.
fn out(text: &str) -> String {
    let r = ran(text);
    assert!(!r.report.failed(), "failed:\n{}", r.errors());
    r.stdout().to_string()
}

/// Runs a standalone script that must fail; the rendered error.
fn err(text: &str) -> String {
    let r = ran(text);
    assert!(r.report.failed(), "did not fail; stdout:\n{}", r.stdout());
    r.errors()
}

#[test]
fn hello_world() {
    assert_eq!(out("begin output \"Hello, world!\"\n"), "Hello, world!\n");
}

fn config_with_history() -> RunConfig {
    RunConfig {
        history_dir: Some("/hist".into()),
        ..RunConfig::default()
    }
}

/// Runs `text` twice over the same fake file system, with `input` as the
/// file `in.txt` on each run; the second run's standard output.
fn two_runs(text: &str, first: &str, second: &str) -> (String, TestHost) {
    let host = TestHost::at(NOW);
    host.fs.put("in.txt", first);
    let config = config_with_history();
    let r = run_in(text, ParseMode::Standalone, &config, host);
    assert!(!r.report.failed(), "{}", r.errors());
    let mut host = r.host;
    host.sinks.stdout.clear();
    host.fs.put("in.txt", second);
    let r = run_in(text, ParseMode::Standalone, &config, host);
    assert!(!r.report.failed(), "{}", r.errors());
    (r.host.sinks.stdout.clone(), r.host)
}

// ---- history (%var) ----

/// Whether each script keeps history: the caller looks up the history
/// directory (a PIKT.conf search) only for those that do.
fn keeps_history(text: &str) -> Vec<bool> {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", text);
    let (program, _) = parse_program(&map, file, ParseMode::Standalone);
    ScriptToRun::all_named_or(&program, "T")
        .iter()
        .map(ScriptToRun::keeps_history)
        .collect()
}

#[test]
fn only_scripts_with_history_variables_or_a_logfile_keep_history() {
    assert_eq!(keeps_history("begin\n    output \"hi\"\n"), [false]);
    assert_eq!(
        keeps_history("begin\n    set #n = 1\n    output \"$text(#n)\"\n"),
        [false]
    );
    assert_eq!(
        keeps_history("begin\n    set #n = 1\nend\n    output \"$text(%n)\"\n"),
        [true]
    );
    assert_eq!(
        keeps_history("init\n    input logfile \"/var/log/x\"\nrule\n    output $inline\n"),
        [true]
    );
}

#[test]
fn history_value_of_the_previous_run_in_begin_and_end() {
    let script = "begin\n    if #defined(%runs)\n        set #runs = %runs + 1\n    else\n        set #runs = 1\n    fi\n    output \"run #runs\"\nend\n    output \"end sees \" . %runs\n";
    let host = TestHost::at(NOW);
    let config = config_with_history();
    let r = run_in(script, ParseMode::Standalone, &config, host);
    assert_eq!(r.errors(), "error: `%runs` has no value in script `T`\n --> t.pikt:9:26\n  |\n9 |     output \"end sees \" . %runs\n  |                          ^^^^^\n");
    // A failed run stores nothing.
    assert_eq!(r.host.fs.get("/hist/standalone/T.hst"), None);
    let (out, host) = two_runs("begin\n    if #defined(%runs)\n        set #runs = %runs + 1\n    else\n        set #runs = 1\n    fi\n    output \"run #runs\"\n", "", "");
    assert_eq!(out, "run 2\n");
    assert_eq!(
        host.fs.get("/hist/standalone/T.hst").as_deref(),
        Some("pikt-history 1\nG\t#runs\t2\n")
    );
}

#[test]
fn history_in_rules_is_per_key() {
    let script = "init\n    input file \"in.txt\"\n    dat $host 1\n    dat #cap 2\n    keys $host\nrule\n    if #defined(%cap)\n        output \"$host was \" . %cap . \" now #cap\"\n    else\n        output \"$host new at #cap\"\n    fi\n";
    let (out, host) = two_runs(
        script,
        "moscow 90\nparis 50\n",
        "paris 55\nberlin 10\nmoscow 97\n",
    );
    assert_eq!(
        out,
        "paris was 50 now 55\nberlin new at 10\nmoscow was 90 now 97\n"
    );
    let stored = host.fs.get("/hist/standalone/T.hst").unwrap();
    assert!(stored.contains("K\tberlin\t#cap\t10\n"), "{stored}");
    assert!(stored.contains("K\tmoscow\t#cap\t97\n"), "{stored}");
    // The end-of-run value is the last line's.
    assert!(stored.contains("G\t#cap\t97\n"), "{stored}");
}

#[test]
fn history_in_rules_without_keys_is_per_line_number() {
    let script = "init\n    input file \"in.txt\"\n    dat $w 1\nrule\n    if #defined(%w)\n        output \"line #innum(): \" . %w . \" -> $w\"\n    fi\n";
    let (out, _) = two_runs(script, "a\nb\n", "x\ny\nz\n");
    assert_eq!(out, "line 1: a -> x\nline 2: b -> y\n");
}

#[test]
fn corrupt_history_warns_and_starts_empty() {
    let host = TestHost::at(NOW);
    host.fs.put("/hist/standalone/T.hst", "garbage\n");
    let r = run_in(
        "begin\n    output #defined(%x)\n    set #x = 1\n",
        ParseMode::Standalone,
        &config_with_history(),
        host,
    );
    assert_eq!(r.stdout(), "0\n");
    assert_eq!(
        r.host.sinks.log,
        ["[WARNING]! T: ignoring history file `/hist/standalone/T.hst`: the first line is not `pikt-history 1`"]
    );
    assert_eq!(
        r.host.fs.get("/hist/standalone/T.hst").as_deref(),
        Some("pikt-history 1\nG\t#x\t1\n")
    );
}

#[test]
fn history_file_is_per_alert() {
    let config = RunConfig {
        alert: Some("Urgent".into()),
        ..config_with_history()
    };
    let r = run_in(
        "begin\n    set $s = \"a\" . $char(9) . \"b\"\n    output #defined(%s)\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(r.stdout(), "0\n");
    assert_eq!(
        r.host.fs.get("/hist/Urgent/T.hst").as_deref(),
        Some("pikt-history 1\nG\t$s\ta\\tb\n")
    );
}

// ---- input logfile ----

const LOG_SCRIPT: &str =
    "init\n    input logfile \"app.log\" \"app.log.1\"\nrule\n    output \"got $inline\"\n";

fn log_run(host: TestHost) -> Ran {
    let r = run_in(
        LOG_SCRIPT,
        ParseMode::Standalone,
        &config_with_history(),
        host,
    );
    assert!(!r.report.failed(), "{}", r.errors());
    r
}

#[test]
fn logfile_reads_only_what_was_added() {
    let mut host = TestHost::at(NOW);
    host.fs.identities.insert("app.log".into(), (1, 7));
    host.fs.put("app.log", "one\ntwo\npart");
    let r = log_run(host);
    assert_eq!(r.stdout(), "got one\ngot two\n");
    let mut host = r.host;
    host.sinks.stdout.clear();
    host.fs.put("app.log", "one\ntwo\npartial\nthree\n");
    let r = log_run(host);
    assert_eq!(r.stdout(), "got partial\ngot three\n");
    let mut host = r.host;
    host.sinks.stdout.clear();
    let r = log_run(host);
    assert_eq!(r.stdout(), "");
    assert!(r
        .host
        .fs
        .get("/hist/standalone/T.hst")
        .unwrap()
        .contains("L\tapp.log\t1\t7\t22\n"));
}

#[test]
fn logfile_rotation_reads_the_rest_of_the_rotated_file_first() {
    let mut host = TestHost::at(NOW);
    host.fs.identities.insert("app.log".into(), (1, 100));
    host.fs.put("app.log", "a\nb\n");
    let r = log_run(host);
    assert_eq!(r.stdout(), "got a\ngot b\n");
    let mut host = r.host;
    host.sinks.stdout.clear();
    // Rotated by renaming: the old file (same inode) got one more line.
    host.fs.identities.insert("app.log.1".into(), (1, 100));
    host.fs.put("app.log.1", "a\nb\nc\n");
    host.fs.identities.insert("app.log".into(), (1, 200));
    host.fs.put("app.log", "d\n");
    let r = log_run(host);
    assert_eq!(r.stdout(), "got c\ngot d\n");
}

#[test]
fn logfile_truncated_in_place_starts_over() {
    let host = TestHost::at(NOW);
    host.fs.put("app.log", "aaaa\nbbbb\n");
    let r = log_run(host);
    let mut host = r.host;
    host.sinks.stdout.clear();
    host.fs.put("app.log", "new\n");
    let r = log_run(host);
    assert_eq!(r.stdout(), "got new\n");
}

#[test]
fn logfile_missing_warns() {
    let r = log_run(TestHost::at(NOW));
    assert_eq!(r.stdout(), "");
    assert_eq!(
        r.host.sinks.log,
        ["[WARNING]! T: input file `app.log` does not exist"]
    );
}

// ---- effects through the fakes ----

#[test]
fn exec_forms_reach_the_shell() {
    let r = ran("begin\n    exec \"bg job\"\n    exec wait \"fg job\"\n    doexec \"forced\"\n    output #system(\"sys\")\n    output $command(\"cmd\")\n");
    use crate::testing::ShellCall::*;
    assert_eq!(
        r.host.shell.calls,
        [
            Spawn("bg job".into()),
            Run("fg job".into()),
            Spawn("forced".into()),
            Run("sys".into()),
            Capture("cmd".into()),
        ]
    );
    assert_eq!(
        r.host.sinks.log,
        [
            "[INFO] T: exec: bg job",
            "[INFO] T: exec: fg job",
            "[INFO] T: exec: forced",
            "[INFO] T: system: sys",
            "[INFO] T: command: cmd",
        ]
    );
}

#[test]
fn test_mode_runs_only_doexec_and_skips_pauses() {
    let config = RunConfig {
        test_mode: true,
        ..RunConfig::default()
    };
    let r = run_in(
        "begin\n    exec \"a\"\n    exec wait \"b\"\n    output #system(\"c\")\n    doexec wait \"d\"\n    pause 5\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(r.stdout(), "exec: a\nexec: b\nexec: c\n0\n");
    // Only `doexec` reaches the shell; the others are only pretended.
    use crate::testing::ShellCall::{Pretend, Run};
    assert_eq!(
        r.host.shell.calls,
        [
            Pretend("a".into()),
            Pretend("b".into()),
            Pretend("c".into()),
            Run("d".into())
        ]
    );
    assert!(r.host.clock.sleeps.is_empty());
}

#[test]
fn pause_sleeps_through_the_clock() {
    let r = ran("begin\n    pause 5\n    pause 0\n    pause 1.5\n");
    assert_eq!(r.host.clock.sleeps, [5.0, 1.5]);
}

#[test]
fn no_exec_refuses_every_command() {
    let config = RunConfig {
        no_exec: true,
        ..RunConfig::default()
    };
    for (text, command) in [
        ("begin\n    exec \"x\"\n", "x"),
        ("begin\n    output #system(\"y\")\n", "y"),
        ("begin\n    output $command(\"z\")\n", "z"),
        ("begin\n    do #popen(P, \"p\", \"r\")\n", "p"),
        ("init\n    input proc \"q\"\nrule\n    output 1\n", "q"),
    ] {
        let r = run_in(text, ParseMode::Standalone, &config, TestHost::at(NOW));
        assert!(
            r.errors()
                .starts_with(&format!("error: running commands is disabled: `{command}`")),
            "{}",
            r.errors()
        );
        assert!(r.host.shell.calls.is_empty());
    }
}

#[test]
fn input_proc_and_filter_go_through_the_shell() {
    let mut host = TestHost::at(NOW);
    host.shell.answer("(\nlist\n) | grep x", "x1\nx2\n", 1);
    let r = run_in(
        "init\n    input proc \"list\"\n    filter \"grep x\"\nrule\n    output \"#innum() $inline #eoi()\"\n",
        ParseMode::Standalone,
        &RunConfig::default(),
        host,
    );
    assert_eq!(r.stdout(), "1 x1 0\n2 x2 1\n");
    let mut host = TestHost::at(NOW);
    host.fs.put("in.txt", "keep\ndrop\n");
    host.shell.answer("grep keep", "keep\n", 0);
    let r = run_in(
        "init\n    input file \"in.txt\"\n    filter \"grep keep\"\nrule\n    output $inline\n",
        ParseMode::Standalone,
        &RunConfig::default(),
        host,
    );
    assert_eq!(r.stdout(), "keep\n");
    assert_eq!(
        r.host.shell.calls,
        [crate::testing::ShellCall::Filter(
            "grep keep".into(),
            "keep\ndrop\n".into()
        )]
    );
}

#[test]
fn write_pipes_and_print_command() {
    let config = RunConfig {
        lp_cmd: Some("lpr".into()),
        ..RunConfig::default()
    };
    let r = run_in(
        "begin\n    do #popen(W, \"mail x\", \"w\")\n    do #write(W, \"body\")\n    output #pclose(W)\n    output print \"p1\"\n    output print \"p2\"\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(r.stdout(), "0\n");
    assert_eq!(
        *r.host.shell.written.borrow(),
        [
            ("mail x".to_string(), "body\n".to_string()),
            ("lpr".to_string(), "p1\np2\n".to_string())
        ]
    );
}

#[test]
fn syslog_lines_carry_the_level_host_and_script() {
    let r = ran("init\n    level error\nbegin\n    output syslog \"disk full\"\n");
    assert_eq!(r.host.sinks.syslog, ["<error> T: disk full"]);
    let mut host = TestHost::at(NOW);
    host.sinks.syslog_fails = true;
    let r = ran_with(
        "begin\n    output syslog \"lost?\"\n    output \"goes on\"\n",
        host,
    );
    assert_eq!(r.stdout(), "goes on\n");
    assert_eq!(
        r.host.sinks.log,
        ["[WARNING]! T: cannot write to syslog (no such file or directory): lost?"]
    );
}

#[test]
fn debug_traces_each_statement() {
    let config = RunConfig {
        debug: true,
        ..RunConfig::default()
    };
    let r = run_in(
        "begin\n    set #i = 0\n    while #i < 2\n        set #i += 1\n    endwhile\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(
        r.host.sinks.trace,
        [
            "t.pikt:2:5: set #i = 0",
            "t.pikt:3:5: while #i < 2",
            "t.pikt:4:9: set #i += 1",
            "t.pikt:4:9: set #i += 1",
        ]
    );
}

#[test]
fn statement_limit_stops_an_endless_loop() {
    let config = RunConfig {
        limits: crate::Limits {
            max_statements: Some(5000),
            ..crate::Limits::default()
        },
        ..RunConfig::default()
    };
    let r = run_in(
        "begin\n    while 1\n        set #x = 1\n    endwhile\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(
        r.errors(),
        "error: the statement limit (5000) exceeded in script `T`\n --> t.pikt:3:9\n  |\n3 |         set #x = 1\n  |         ^^^^^^^^^^\n"
    );
}

#[test]
fn closed_stdout_stops_the_run_quietly() {
    let mut host = TestHost::at(NOW);
    host.sinks.stdout_closed = true;
    let r = run_in(
        "A\n    begin\n        output \"x\"\nB\n    begin\n        exec \"never\"\n",
        ParseMode::Alarms,
        &RunConfig::default(),
        host,
    );
    assert!(r.report.stdout_closed);
    assert!(!r.report.failed());
    assert!(r.host.shell.calls.is_empty());
}

#[test]
fn mail_delivery_pipes_or_prints() {
    use crate::run::deliver_mail;
    let config = RunConfig {
        mail_cmd: Some("mailx -s alert root".into()),
        alert: Some("Urgent".into()),
        ..RunConfig::default()
    };
    let mut r = run_in(
        "init\n    task \"T task\"\nbegin\n    output mail \"m1\"\n",
        ParseMode::Standalone,
        &config,
        TestHost::at(NOW),
    );
    assert_eq!(
        deliver_mail(&r.report, &config, &mut r.host.host()),
        Ok(true)
    );
    assert_eq!(
        *r.host.shell.written.borrow(),
        [(
            "mailx -s alert root".to_string(),
            "PIKT ALERT Tue Apr 25 00:17:02 2000 testhost\n\nURGENT: T\n    T task\n\n    m1\n"
                .to_string()
        )]
    );
    let config = RunConfig::default();
    let mut r = ran("begin\n    output \"no mail\"\n");
    assert_eq!(
        deliver_mail(&r.report, &config, &mut r.host.host()),
        Ok(false)
    );
    assert_eq!(r.stdout(), "no mail\n");
}

/// A script reading "p"'s output, "sshd[1]: Failed" and two other lines.
fn ran_on_lines(text: &str) -> Ran {
    let mut host = TestHost::at(NOW);
    host.shell
        .answer("p", "sshd[1]: Failed\nSSHD[2]: failed\ncron[3]: ok\n", 0);
    ran_with(text, host)
}

#[test]
fn literal_patterns_on_the_input_line_match_as_the_general_path_does() {
    // `$inline =~ "literal"` has a path of its own; each form is checked
    // against the same condition written through the general path (the
    // subject a copy of the line).
    let script = |cond: &str| {
        format!("init\n    input proc \"p\"\nrule\n    set $copy = $inline\n    if {cond}\n        output $inline\n    fi\n")
    };
    for (fast, general, want) in [
        (
            "$inline =~ \"sshd\\[[0-9]+\\]\"",
            "$copy =~ \"sshd\\[[0-9]+\\]\"",
            "sshd[1]: Failed\n",
        ),
        (
            "$inline !~ \"sshd\"",
            "$copy !~ \"sshd\"",
            "SSHD[2]: failed\ncron[3]: ok\n",
        ),
        (
            "$inline =~~ \"^sshd.*failed$\"",
            "$copy =~~ \"^sshd.*failed$\"",
            "sshd[1]: Failed\nSSHD[2]: failed\n",
        ),
        (
            "$inline !~~ \"failed\"",
            "$copy !~~ \"failed\"",
            "cron[3]: ok\n",
        ),
    ] {
        let r = ran_on_lines(&script(fast));
        assert!(!r.report.failed(), "{fast}: {}", r.errors());
        assert_eq!(r.stdout(), want, "{fast}");
        let g = ran_on_lines(&script(general));
        assert_eq!(g.stdout(), want, "{general}");
    }
}

#[test]
fn an_invalid_literal_pattern_on_the_input_line_is_an_error_at_its_match() {
    let r = ran_on_lines(
        "init\n    input proc \"p\"\nrule\n    if $inline =~ \"ssh(d\"\n        output $inline\n    fi\n",
    );
    assert!(r.report.failed());
    let errors = r.errors();
    assert!(errors.contains("t.pikt:4:"), "{errors}");
    assert!(errors.contains("ssh(d"), "{errors}");
    assert_eq!(r.stdout(), "");
}

#[test]
fn regexes_compile_once_per_distinct_pattern() {
    let mut map = SourceMap::new();
    let text = "init\n    input proc \"p\"\n    dat $proc 1\nbegin\n    set #a[\"sh\"] = 1\n    set #a[\"d\"] = 1\nrule\n    foreach #keys($pr, #a)\n        if $proc =~~ \"$pr$\"\n            output \"$proc $pr\"\n        fi\n    endforeach\n";
    let file = map.add("t.pikt", text);
    let (program, _) = parse_program(&map, file, ParseMode::Standalone);
    let mut host = TestHost::at(NOW);
    let lines: String = (0..500).map(|i| format!("p{i}d\nbash\n")).collect();
    host.shell.answer("p", &lines, 0);
    let mut shared = crate::interp::Shared::default();
    let scripts = [ScriptToRun {
        script: &program.scripts[0],
        name: "T",
    }];
    let report = crate::run::run_sharing(
        &scripts,
        &map,
        &RunConfig::default(),
        &mut host.host(),
        &mut shared,
    );
    assert!(!report.failed());
    assert_eq!(host.sinks.stdout.lines().count(), 1000);
    assert_eq!(shared.regexes.len(), 2);
}

// ---- run-time errors ----

#[test]
fn runtime_errors_pin_message_and_span() {
    assert_eq!(
        err("begin\n    set #x = 10 % 0\n"),
        "error: modulo by zero in script `T`\n --> t.pikt:2:14\n  |\n2 |     set #x = 10 % 0\n  |              ^^^^^^\n"
    );
    assert_eq!(
        err("begin\n    set #a[1] = 1\n    output #a[1 - 3]\n"),
        "error: negative array index `-2` in script `T`\n --> t.pikt:3:15\n  |\n3 |     output #a[1 - 3]\n  |               ^^^^^\n"
    );
    assert_eq!(
        err("begin\n    output #fclose(H)\n"),
        "error: handle `H` is not open in script `T`\n --> t.pikt:2:12\n  |\n2 |     output #fclose(H)\n  |            ^^^^^^^^^^\n"
    );
    assert_eq!(
        err("begin\n    output #sqrt(-1)\n")
            .lines()
            .next()
            .unwrap_or(""),
        "error: `#sqrt` needs a number that is not negative, got -1 in script `T`"
    );
}

#[test]
fn flow_keywords_outside_rules_fail_at_run_time_too() {
    use pikt_lang::ast::{Script, Stmt, StmtKind};
    use pikt_source::Span;
    let mut map = SourceMap::new();
    let file = map.add("hand.pikt", "begin next\n");
    let script = Script {
        begin: Some(vec![Stmt {
            kind: StmtKind::Next,
            span: Span::new(file, 6, 10),
        }]),
        ..Script::default()
    };
    let mut host = TestHost::at(NOW);
    let report = run(
        &[ScriptToRun {
            script: &script,
            name: "Hand",
        }],
        &map,
        &RunConfig::default(),
        &mut host.host(),
    );
    assert_eq!(
        render(&map, &report.errors[0]),
        "error: `next` outside a rule section in script `Hand`\n --> hand.pikt:1:7\n  |\n1 | begin next\n  |       ^^^^\n"
    );
}

#[test]
fn extreme_numbers_do_not_panic() {
    assert_eq!(
        out("begin\n    output 10 ** 400\n    output -(10 ** 400)\n    output (10 ** 400) - (10 ** 400)\n    output 1 << 100000\n    output ~(10 ** 30)\n"),
        "inf\n-inf\nnan\n0\n-9.22337e+18\n"
    );
    assert_eq!(
        out("begin\n    set #a[10 ** 30] = 1\n    do #split(\"x\")\n    output \"[\" . $[10 ** 30] . \"]\"\n    foreach #keys($k, #a)\n        output $k\n    endforeach\n"),
        "[]\n1e+30\n"
    );
}

#[test]
fn dat_numbers_and_missing_fields() {
    let host = TestHost::at(NOW);
    host.fs.put("in.txt", "abc\n12x 7\n");
    let r = ran_with(
        "init\n    input file \"in.txt\"\n    dat #n 1\n    dat #m 2\nrule\n    output \"#n #m\"\n",
        host,
    );
    assert_eq!(r.stdout(), "0 0\n12 7\n");
}

#[test]
fn type_mismatches_are_logged_as_warnings() {
    let r = ran("begin\n    set $s = 5\n    set #n = \"12\"\n    set #m = \"abc\"\n    output \"$s #n #m\"\n");
    assert_eq!(r.stdout(), "5 12 0\n");
    assert_eq!(
        r.host.sinks.log,
        [
            "[WARNING] T: number used as a string: assigned to `$s` at t.pikt:2:9",
            "[WARNING] T: text `abc` used as a number: assigned to `#m` at t.pikt:4:9",
        ]
    );
}

#[test]
fn die_is_logged_and_stops_the_run() {
    let r = run_in(
        "A\n    begin\n        die \"bad\"\nB\n    begin\n        output \"never\"\n",
        ParseMode::Alarms,
        &RunConfig::default(),
        TestHost::at(NOW),
    );
    assert_eq!(r.report.died, Some(Some("bad".to_string())));
    assert_eq!(r.stdout(), "");
    assert_eq!(r.host.sinks.log, ["[ERROR] A: died: bad"]);
}

#[test]
fn very_deep_expressions_stop_at_the_nesting_limit() {
    // Run on a big stack, as the binary does.
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(|| {
            let long = format!("begin\n    output 1{}\n", " + 1".repeat(5000));
            assert_eq!(out(&long), "5001\n");
            let concat = format!("begin\n    output \"a\"{}\n", " . \"a\"".repeat(5000));
            assert_eq!(out(&concat).len(), 5002);
            let too_deep = format!("begin\n    output 1{}\n", " + 1".repeat(12_000));
            err(&too_deep).lines().next().map(str::to_string)
        })
        .unwrap();
    assert_eq!(
        handle.join().unwrap().as_deref(),
        Some("error: the expression nesting limit exceeded in script `T`")
    );
}

// ---- `#killprocs` in the interpreter, over the recording fakes ----

mod killprocs {
    use pikt_lang::{parse_program, ParseMode};
    use pikt_source::{render, SourceMap};

    use crate::config::RunConfig;
    use crate::run::{run, ScriptToRun};
    use crate::testing::{ShellCall, TestHost};

    /// Runs `text` as a standalone script; stdout, rendered errors, host.
    fn run_with(text: &str, config: &RunConfig, mut host: TestHost) -> (String, String, TestHost) {
        let mut map = SourceMap::new();
        let file = map.add("t.pikt", text);
        let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
        assert!(!diagnostics.iter().any(|d| d.is_error()), "{diagnostics:?}");
        let scripts: Vec<ScriptToRun<'_>> = program
            .scripts
            .iter()
            .map(|script| ScriptToRun { script, name: "T" })
            .collect();
        let report = run(&scripts, &map, config, &mut host.host());
        let errors = report.errors.iter().map(|d| render(&map, d)).collect();
        (host.sinks.stdout.clone(), errors, host)
    }

    const PKILL: &str = "pkill -c -9 -x -u 'chico' -- 'imapd'";

    #[test]
    fn returns_the_number_the_shell_reports_and_logs_it() {
        let mut host = TestHost::default();
        host.shell.answer(PKILL, "3\n", 0);
        let (stdout, errors, host) = run_with(
            "begin\n    output $text(#killprocs(\"chico\", \"imapd\", 9))\n",
            &RunConfig::default(),
            host,
        );
        assert_eq!(errors, "");
        assert_eq!(stdout, "3\n");
        assert_eq!(host.shell.calls, [ShellCall::Capture(PKILL.to_string())]);
        assert_eq!(
            host.sinks.log,
            [
                format!("[INFO] T: killprocs: {PKILL}"),
                "[KILL]! T: killprocs: signalled 3 processes of user chico command imapd"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn signals_by_name_and_the_default_kill() {
        let mut host = TestHost::default();
        host.shell
            .answer("pkill -c -15 -x -u 'chico' -- 'imapd'", "1\n", 0);
        host.shell.answer(PKILL, "2\n", 0);
        let (stdout, errors, _) = run_with(
            "begin\n    output $text(#killprocs(\"chico\", \"imapd\", \"TERM\")) . \" \" . $text(#killall(\"chico\", \"imapd\"))\n",
            &RunConfig::default(),
            host,
        );
        assert_eq!(errors, "");
        assert_eq!(stdout, "1 2\n");
    }

    #[test]
    fn test_mode_lists_and_prints_what_it_would_do() {
        let mut host = TestHost::default();
        host.shell
            .answer("pgrep -x -u 'chico' -- 'imapd'", "610\n611\n", 0);
        let config = RunConfig {
            test_mode: true,
            ..RunConfig::default()
        };
        let (stdout, errors, host) = run_with(
            "begin\n    output $text(#killprocs(\"chico\", \"imapd\", 9))\n    output $text(#killprocs(\"chico\", \"sshd\", 9))\n",
            &config,
            host,
        );
        assert_eq!(errors, "");
        assert_eq!(
            stdout,
            "kill: would signal 2 processes of chico imapd (pids 610 611)\n2\nkill: would signal 0 processes of chico sshd\n0\n"
        );
        assert!(host
            .shell
            .calls
            .iter()
            .all(|call| matches!(call, ShellCall::Capture(c) if c.starts_with("pgrep "))));
    }

    #[test]
    fn no_exec_refuses_it() {
        let config = RunConfig {
            no_exec: true,
            ..RunConfig::default()
        };
        let (_, errors, host) = run_with(
            "begin\n    set #k = #killprocs(\"chico\", \"imapd\")\n",
            &config,
            TestHost::default(),
        );
        assert_eq!(
            errors,
            format!("error: running commands is disabled: `{PKILL}` in script `T`\n --> t.pikt:2:14\n  |\n2 |     set #k = #killprocs(\"chico\", \"imapd\")\n  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n")
        );
        assert!(host.shell.calls.is_empty());
    }

    #[test]
    fn bad_arguments_are_errors_at_the_call() {
        let (_, errors, host) = run_with(
            "begin\n    set #k = #killprocs(\"chico\", \"imapd\", \"NOPE\")\n",
            &RunConfig::default(),
            TestHost::default(),
        );
        assert_eq!(
            errors,
            "error: `#killprocs`: unknown signal `NOPE` in script `T`\n --> t.pikt:2:14\n  |\n2 |     set #k = #killprocs(\"chico\", \"imapd\", \"NOPE\")\n  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        );
        assert!(host.shell.calls.is_empty());
        let (_, errors, _) = run_with(
            "begin\n    set #k = #killprocs(\"\", \"imapd\")\n",
            &RunConfig::default(),
            TestHost::default(),
        );
        assert!(
            errors.starts_with("error: `#killprocs` needs a user and a command name in script `T`\n --> t.pikt:2:14\n"),
            "{errors}"
        );
    }
}

/// A run of `text` under `limits` (the defaults for the rest), with the
/// fake clock's processor time growing a second per reading.
fn ran_limited(text: &str, limits: crate::Limits, input: &str) -> Ran {
    let config = RunConfig {
        limits,
        ..RunConfig::default()
    };
    let mut host = TestHost::at(NOW);
    host.clock.cpu_step = std::time::Duration::from_secs(1);
    host.fs.put("in.txt", input);
    run_in(text, ParseMode::Standalone, &config, host)
}

#[test]
fn processor_time_is_checked_in_every_loop_even_an_empty_one() {
    let limits = crate::Limits {
        max_cpu: Some(std::time::Duration::from_secs(30)),
        ..crate::Limits::default()
    };
    for (script, line) in [
        ("begin\n    while 1\n    endwhile\n", "2 |     while 1"),
        ("begin\n    repeat\n    until 0\n", "3 |     until 0"),
        (
            "begin\n    for #i = 0 #i >= 0 #i += 1\n    endfor\n",
            "2 |     for #i = 0 #i >= 0 #i += 1",
        ),
    ] {
        let r = ran_limited(script, limits, "");
        let errors = r.errors();
        assert!(
            errors.starts_with("error: the processor time limit (30 s, PIKT.conf `script_cpu_limit`) exceeded in script `T`"),
            "{errors}"
        );
        assert!(errors.contains(line), "{errors}");
    }
}

#[test]
fn input_lines_count_even_without_rules() {
    let limits = crate::Limits {
        max_statements: Some(100),
        ..crate::Limits::default()
    };
    let input = "x\n".repeat(500);
    let r = ran_limited(
        "init\n    input file \"in.txt\"\nend\n    output #innum()\n",
        limits,
        &input,
    );
    assert!(
        r.errors()
            .starts_with("error: the statement limit (100) exceeded"),
        "{}",
        r.errors()
    );
}

#[test]
fn arrays_and_strings_are_bounded_by_the_memory_limit() {
    let limits = crate::Limits {
        max_memory: Some(64 << 10),
        ..crate::Limits::default()
    };
    let r = ran_limited(
        "begin\n    set #i = 0\n    while 1\n        set $a[#i] = \"0123456789\"\n        set #i += 1\n    endwhile\n",
        limits,
        "",
    );
    let errors = r.errors();
    assert!(
        errors.starts_with("error: the memory limit (65536 bytes, PIKT.conf `script_memory_limit`) exceeded in script `T`\n --> t.pikt:4:13"),
        "{errors}"
    );
    // Counting elements in place is charged too.
    let r = ran_limited(
        "begin\n    for #i = 0 #i < 1000000 #i += 1\n        set #n[#i] += 1\n    endfor\n",
        limits,
        "",
    );
    assert!(r.errors().contains("the memory limit"), "{}", r.errors());
    // A string that doubles is stopped when it is built, before it is held.
    let r = ran_limited(
        "begin\n    set $s = \"x\"\n    while 1\n        set $s = $s . $s\n    endwhile\n",
        limits,
        "",
    );
    assert!(r.errors().contains("the memory limit"), "{}", r.errors());
    // What is given back can be used again.
    let r = ran_limited(
        "begin\n    for #i = 0 #i < 2000 #i += 1\n        set $a[1] = $repeat(\"y\", 1000)\n        unset $a[1]\n        set $s = $repeat(\"z\", 1000)\n    endfor\n    output \"done\"\n",
        limits,
        "",
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(r.stdout(), "done\n");
}

#[test]
fn output_is_bounded() {
    let limits = crate::Limits {
        max_output: Some(1000),
        ..crate::Limits::default()
    };
    let r = ran_limited(
        "begin\n    while 1\n        output mail \"0123456789\"\n    endwhile\n",
        limits,
        "",
    );
    assert!(
        r.errors().starts_with(
            "error: the output limit (1000 bytes, PIKT.conf `script_output_limit`) exceeded"
        ),
        "{}",
        r.errors()
    );
    let r = ran_limited(
        "begin\n    do #fopen(F, \"out.txt\", \"w\")\n    while 1\n        do #write(F, \"0123456789\")\n    endwhile\n",
        limits,
        "",
    );
    assert!(r.errors().contains("the output limit"), "{}", r.errors());
    assert!(r.host.fs.get("out.txt").unwrap_or_default().len() <= 1000);
}

#[test]
fn long_input_lines_are_cut_with_a_warning() {
    let limits = crate::Limits {
        max_line: 8,
        ..crate::Limits::default()
    };
    let r = ran_limited(
        "init\n    input file \"in.txt\"\nrule\n    output $inline\n",
        limits,
        "short\nmuch longer line\nok\nanother long line\n",
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(r.stdout(), "short\nmuch lon\nok\nanother \n");
    let warnings: Vec<&str> = r
        .host
        .sinks
        .log
        .iter()
        .filter(|e| e.starts_with("[WARNING]"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        warnings,
        [
            "[WARNING]! T: input line 2 is longer than the input line limit (8 bytes, PIKT.conf `input_line_limit`): the rest of it was skipped",
            "[WARNING]! T: 2 lines in all were cut at the input line limit",
        ]
    );
}

/// The lowered forms of assignments (appends in place, element appends,
/// long concatenations) are charged and checked like the plain ones.
#[test]
fn lowered_appends_and_concatenations_are_bounded_by_the_memory_limit() {
    let limits = crate::Limits {
        max_memory: Some(64 << 10),
        ..crate::Limits::default()
    };
    for (script, at) in [
        // `set $s .= $s`: appended in place, built aside.
        (
            "begin\n    set $s = \"x\"\n    while 1\n        set $s .= $s\n    endwhile\n",
            "t.pikt:4:13",
        ),
        // `set $s = $s . v`: appended in place, the string checked where
        // it is built (the concatenation).
        (
            "begin\n    set $s = \"\"\n    while 1\n        set $s = $s . \"0123456789\"\n    endwhile\n",
            "t.pikt:4:18",
        ),
        // `set $a[k] .= v`: an element appended in place.
        (
            "begin\n    while 1\n        set $a[\"k\"] .= \"0123456789\"\n    endwhile\n",
            "t.pikt:3:13",
        ),
        // A flat chain is checked part by part, before it is held.
        (
            "begin\n    set $s = $repeat(\"x\", 20000)\n    set $t = $s . $s . $s . $s\n",
            "t.pikt:3:14",
        ),
    ] {
        let r = ran_limited(script, limits, "");
        let errors = r.errors();
        assert!(
            errors.starts_with("error: the memory limit (65536 bytes, PIKT.conf `script_memory_limit`) exceeded in script `T`"),
            "{script}: {errors}"
        );
        assert!(errors.contains(at), "{script}: {errors}");
    }
}

#[test]
fn lowered_stores_give_back_what_they_replace() {
    let limits = crate::Limits {
        max_memory: Some(64 << 10),
        ..crate::Limits::default()
    };
    // Each store replaces the last value, so the total held stays small.
    let r = ran_limited(
        "begin\n    for #i = 0 #i < 5000 #i += 1\n        set $s = $repeat(\"y\", 1000)\n        set $s .= \"z\"\n        set $a[\"k\"] = $s\n        set $a[\"k\"] .= \"z\"\n        set #n[\"k\"] += 1\n        unset $a[\"k\"]\n    endfor\n    set $b[1] = \"x\"\n    foreach #keys($k, $b)\n        set $k .= $repeat(\"w\", 1000)\n    endforeach\n    output \"done\"\n",
        limits,
        "",
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(r.stdout(), "done\n");
}

#[test]
fn key_loops_count_every_turn_even_with_an_empty_body() {
    let limits = crate::Limits {
        max_statements: Some(500),
        ..crate::Limits::default()
    };
    let r = ran_limited(
        "begin\n    for #i = 0 #i < 100 #i += 1\n        set #a[#i] = 1\n    endfor\n    for #j = 0 #j < 100 #j += 1\n        foreach #keys($k, #a)\n        endforeach\n    endfor\n",
        limits,
        "",
    );
    let errors = r.errors();
    assert!(
        errors.starts_with("error: the statement limit (500) exceeded"),
        "{errors}"
    );
    assert!(
        errors.contains("6 |         foreach #keys($k, #a)"),
        "{errors}"
    );
}

#[test]
fn keyed_history_counts_against_the_memory_limit() {
    let limits = crate::Limits {
        max_memory: Some(64 << 10),
        ..crate::Limits::default()
    };
    let input: String = (0..20_000).map(|i| format!("host{i} {i}\n")).collect();
    let r = ran_limited(
        "init\n    input file \"in.txt\"\n    dat $host 1\n    dat #cap 2\n    keys $host\nrule\n    if #defined(%cap)\n        output \"seen\"\n    fi\n",
        limits,
        &input,
    );
    let errors = r.errors();
    assert!(
        errors.starts_with(
            "error: the memory limit (65536 bytes, PIKT.conf `script_memory_limit`) exceeded"
        ),
        "{errors}"
    );
    assert!(errors.contains("2 |     input file"), "{errors}");
}

#[test]
fn commands_built_in_function_arguments_keep_values_as_data() {
    let mut host = TestHost::at(NOW);
    host.shell.answer("echo 'a;b'", "out", 0);
    let r = ran_with(
        "begin\n    set $v = \"a;b\"\n    output $command(\"echo \" . $v)\n    do #system(\"echo $v\")\n    do #popen(P, \"cat \" . $v, \"r\")\n    do #pclose(P)\n    exec wait \"echo \" . $v . \" >/dev/null\"\n",
        host,
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(r.stdout(), "out\n");
    let data = vec!["a;b".to_string()];
    assert_eq!(
        r.host.shell.raw,
        [
            ("echo \"${PIKT_DATA_1}\"".to_string(), data.clone()),
            ("echo \"${PIKT_DATA_1}\"".to_string(), data.clone()),
            ("cat \"${PIKT_DATA_1}\"".to_string(), data.clone()),
            ("echo \"${PIKT_DATA_1}\" >/dev/null".to_string(), data),
        ]
    );
}

/// `dat` fields are found up to the highest one declared in one scan; read
/// in any order, past the end of a short line, with `seps` or without,
/// they are what a field-by-field split gives.
#[test]
fn dat_fields_found_ahead_read_in_any_order() {
    let host = TestHost::at(NOW);
    host.fs.put("in.txt", "a b c d\n  x\n\np q r\n");
    let r = ran_with(
        "init\n    input file \"in.txt\"\n    dat $d 4\n    dat $b 2\n    dat $a 1\n    dat $last $\nrule\n    output \"[$b][$d][$a][$last]\"\n",
        host,
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(
        r.stdout(),
        "[b][d][a][d]\n[][][x][x]\n[][][][]\n[q][][p][r]\n"
    );
    let host = TestHost::at(NOW);
    host.fs.put("in.txt", "root:x:0::/root\n::\n");
    let r = ran_with(
        "init\n    input file \"in.txt\"\n    seps \":\"\n    dat $home 5\n    dat $user 1\n    dat $gecos 4\nrule\n    output \"[$user][$gecos][$home]\"\n",
        host,
    );
    assert!(!r.report.failed(), "{}", r.errors());
    assert_eq!(r.stdout(), "[root][][/root]\n[][][]\n");
}

/// The element assignments that skip the general path (`=` and `op=` of
/// a number on a `#` array) keep its rules: a key from a `#split` field
/// stays the key while the right side splits again, a new element is
/// charged, division by zero points at the assignment, an unset key
/// variable at itself.
#[test]
fn number_element_assignments_keep_the_general_rules() {
    assert_eq!(
        out("begin\n    do #split(\"k1 k2\")\n    set #n[$1] = #split(\"other words here\")\n    set #n[$1] += 10\n    foreach #keys($k, #n)\n        output \"$k #n[$k]\"\n    endforeach\n"),
        "k1 3\nother 10\n"
    );
    assert_eq!(
        out("begin\n    set $k = \"a\"\n    set $b = \"b\"\n    set #n[$k] = 1\n    set #n[$b] = #defined(#n[\"c\"])\n    set #n[$k] *= 7\n    set #n[$k] -= #n[$b] + 2\n    set #d = #defined(#n[\"c\"])\n    output \"#n[$k] #n[$b] #d\"\n"),
        "5 0 0\n"
    );
    let e = err("begin\n    set $k = \"a\"\n    set #n[$k] = 1\n    set #n[$k] /= 0\n");
    assert!(e.contains("division by zero"), "{e}");
    assert!(e.contains("t.pikt:4:9"), "{e}");
    let e = err("begin\n    set #n[$nokey] += 1\n");
    assert!(e.contains("`$nokey`"), "{e}");
    assert!(e.contains("t.pikt:2:12"), "{e}");
    let e = err("begin\n    if ! #defined(#n[$nokey])\n        output \"no\"\n    fi\n");
    assert!(e.contains("`$nokey`"), "{e}");
    assert!(e.contains("t.pikt:2:22"), "{e}");
    let limits = crate::Limits {
        max_memory: Some(64 << 10),
        ..crate::Limits::default()
    };
    let r = ran_limited(
        "begin\n    for #i = 0 #i < 1000000 #i += 1\n        set $k = \"key\" . #i\n        if ! #defined(#n[$k])\n            set #n[$k] = 0\n        fi\n        set #n[$k] += 1\n    endfor\n",
        limits,
        "",
    );
    let errors = r.errors();
    assert!(errors.contains("the memory limit"), "{errors}");
    assert!(errors.contains("t.pikt:5:17"), "{errors}");
}
