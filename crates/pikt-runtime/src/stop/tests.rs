//! The stop request, and runs stopped by it: in a loop, in a pause, in a
//! command, in an `input proc`, and before a script begins. Each stopper
//! thread requests the stop only once the run says it is where the test
//! wants it; every wait is bounded (a run that ignores the stop ends at
//! its 60 s time limit and fails the test instead of hanging).

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use pikt_lang::{parse_program, ParseMode};
use pikt_source::SourceMap;

use super::*;
use crate::config::{Limits, RunConfig};
use crate::host::{Clock, Host, ReadPipe, Shell, ShellCommand, WritePipe};
use crate::run::{mail_body, run, RunReport, ScriptToRun, Stopped};
use crate::testing::{FakeClock, FakeShell, TestHost};

/// The longest any test waits for anything.
const BOUND: Duration = Duration::from_secs(60);

#[test]
fn a_request_is_seen_by_every_clone_and_keeps_its_first_reason() {
    let stop = Stop::new();
    let other = stop.clone();
    assert!(!other.is_requested());
    assert_eq!(other.reason(), None);
    assert!(!other.wait(Duration::from_millis(1)));
    stop.request("SIGTERM");
    stop.request("SIGINT");
    assert!(other.is_requested());
    assert_eq!(other.reason().as_deref(), Some("SIGTERM"));
    // A wait after the request returns at once, however long it asks.
    assert!(other.wait(Duration::from_secs(3600)));
}

#[test]
fn a_request_wakes_a_wait_at_once() {
    let stop = Stop::new();
    let waiter = stop.clone();
    let waiting = std::thread::spawn(move || waiter.wait(Duration::from_secs(3600)));
    stop.request("SIGHUP");
    // Bounded only by the hour-long wait: a hang, not a slow machine,
    // would fail here.
    assert_eq!(waiting.join().ok(), Some(true));
}

/// Requests `stop` once the run reports, on `ready`, that it is where the
/// test wants it.
fn stopper(stop: &Stop, ready: Receiver<()>) -> JoinHandle<bool> {
    let stop = stop.clone();
    std::thread::spawn(move || {
        let reached = ready.recv_timeout(BOUND).is_ok();
        stop.request("SIGTERM");
        reached
    })
}

/// A shell that says when a command named `ready` runs, and runs `block`
/// (and the `input proc` named `follow`) as a real command the caller
/// stops would: until the stop is requested.
struct StoppableShell {
    fake: FakeShell,
    stop: Stop,
    ready: Sender<()>,
}

impl Shell for StoppableShell {
    fn run(&mut self, command: &ShellCommand<'_>) -> io::Result<i32> {
        match command.text {
            "ready" => {
                let _ = self.ready.send(());
                Ok(0)
            }
            "block" => {
                let _ = self.ready.send(());
                // Killed by SIGTERM, as the binary does to the run's commands.
                self.stop.wait(BOUND);
                Ok(128 + 15)
            }
            _ => self.fake.run(command),
        }
    }

    fn spawn(&mut self, command: &ShellCommand<'_>) -> io::Result<()> {
        self.fake.spawn(command)
    }

    fn capture(&mut self, command: &ShellCommand<'_>) -> io::Result<String> {
        self.fake.capture(command)
    }

    fn read_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn ReadPipe>> {
        if command.text != "follow" {
            return self.fake.read_pipe(command);
        }
        Ok(Box::new(Following {
            first: io::Cursor::new(b"first line\n".to_vec()),
            stop: self.stop.clone(),
            ready: Some(self.ready.clone()),
        }))
    }

    fn filter(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>> {
        self.fake.filter(command, input)
    }

    fn write_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn WritePipe>> {
        self.fake.write_pipe(command)
    }

    fn signal_number(&self, name: &str) -> Option<i32> {
        self.fake.signal_number(name)
    }
}

/// `tail -f`: one line, then nothing until the command is stopped, then
/// the end of its output.
struct Following {
    first: io::Cursor<Vec<u8>>,
    stop: Stop,
    ready: Option<Sender<()>>,
}

impl Read for Following {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(buf.len());
        buf[..n].copy_from_slice(&self.first.get_ref()[self.first.position() as usize..][..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Following {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.first.position() as usize == self.first.get_ref().len() {
            if let Some(ready) = self.ready.take() {
                let _ = ready.send(());
            }
            self.stop.wait(BOUND);
        }
        self.first.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.first.consume(amount);
    }
}

impl ReadPipe for Following {
    fn close(self: Box<Self>) -> io::Result<i32> {
        Ok(128 + 15)
    }
}

/// A clock that says when a pause begins and waits as the real one does.
struct WaitingClock {
    fake: FakeClock,
    ready: Sender<()>,
}

impl Clock for WaitingClock {
    fn now(&mut self) -> i64 {
        self.fake.now()
    }

    fn sleep(&mut self, seconds: f64, stop: &Stop) {
        self.fake.sleeps.push(seconds);
        let _ = self.ready.send(());
        stop.wait(Duration::from_secs_f64(seconds.min(BOUND.as_secs_f64())));
    }
}

struct Stopping {
    report: RunReport,
    host: TestHost,
    mail: Option<String>,
    /// Whether the run reached the point where the stop was to come.
    reached: bool,
}

/// Runs `text` (alarm scripts) and requests the stop once the run says it
/// is ready (or before it starts, with `at_once`).
fn run_stopped(text: &str, at_once: bool) -> Stopping {
    let mut map = SourceMap::new();
    let file = map.add("t.alt", text);
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Alarms);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    let scripts = ScriptToRun::all_named(&program);
    let config = RunConfig {
        alert: Some("Urgent".into()),
        limits: Limits {
            max_duration: Some(BOUND),
            ..Limits::default()
        },
        ..RunConfig::default()
    };
    let (ready, readied) = channel();
    if at_once {
        config.stop.request("SIGTERM");
        let _ = ready.send(());
    }
    let stopping = stopper(&config.stop, readied);
    let mut host = TestHost::at(956_621_822);
    let mut shell = StoppableShell {
        fake: FakeShell::default(),
        stop: config.stop.clone(),
        ready: ready.clone(),
    };
    let mut clock = WaitingClock {
        fake: host.clock.clone(),
        ready,
    };
    let mut effects = Host {
        shell: &mut shell,
        clock: &mut clock,
        fs: &mut host.fs,
        sinks: &mut host.sinks,
        system: &mut host.system,
    };
    let report = run(&scripts, &map, &config, &mut effects);
    let mail = mail_body(&report, &config, &mut effects);
    let reached = stopping.join().unwrap_or(false);
    Stopping {
        report,
        host,
        mail,
        reached,
    }
}

fn stopped_in(script: &str) -> Option<Stopped> {
    Some(Stopped {
        reason: "SIGTERM".into(),
        script: script.into(),
        began: true,
    })
}

/// The mail lines of every script, in order.
fn lines(stopping: &Stopping) -> Vec<&str> {
    stopping
        .report
        .mail
        .iter()
        .flat_map(|m| m.lines.iter().map(String::as_str))
        .collect()
}

const FIRST: &str = "First\n\tbegin\n\t\toutput mail \"first done\"\n";

#[test]
fn a_stop_ends_a_loop_and_keeps_the_mail() {
    let ran = run_stopped(
        &format!(
            "{FIRST}Looping\n\tbegin\n\t\toutput mail \"before the loop\"\n\t\tset #n = 0\n\t\texec wait \"ready\"\n\t\twhile 1 == 1\n\t\t\tset #n = #n + 1\n\t\tendwhile\n\t\toutput mail \"never\"\nLater\n\tbegin\n\t\toutput mail \"never either\"\n"
        ),
        false,
    );
    assert!(ran.reached);
    assert_eq!(ran.report.stopped, stopped_in("Looping"));
    assert!(ran.report.errors.is_empty(), "{:?}", ran.report.errors);
    assert_eq!(lines(&ran), ["first done", "before the loop"]);
    let mail = ran.mail.unwrap_or_default();
    assert!(
        mail.ends_with(
            "    before the loop\n\nCUT SHORT: this run was stopped by SIGTERM while script Looping ran; \
             the lines above are what the scripts reported until then: \
             Looping did not finish and no later script ran.\n"
        ),
        "{mail}"
    );
    assert!(
        ran.host
            .sinks
            .log
            .iter()
            .any(|l| l.starts_with("[WARNING]! Looping: stopped by SIGTERM at t.alt:")),
        "{:?}",
        ran.host.sinks.log
    );
}

#[test]
fn a_stop_wakes_a_pause() {
    let ran = run_stopped(
        "Pausing\n\tbegin\n\t\toutput mail \"before the pause\"\n\t\tpause 3600\n\t\toutput mail \"after the pause\"\n",
        false,
    );
    assert!(ran.reached);
    assert_eq!(ran.report.stopped, stopped_in("Pausing"));
    assert_eq!(lines(&ran), ["before the pause"]);
}

#[test]
fn a_stop_ends_a_command_and_nothing_after_it_runs() {
    let ran = run_stopped(
        "Waiting\n\tbegin\n\t\toutput mail \"before the command\"\n\t\texec wait \"block\"\n\t\toutput mail \"after the command\"\n\t\texec wait \"later\"\n",
        false,
    );
    assert!(ran.reached);
    assert_eq!(ran.report.stopped, stopped_in("Waiting"));
    assert_eq!(lines(&ran), ["before the command"]);
    // The command stopped by the caller ran; nothing started after it.
    assert_eq!(ran.host.shell.calls, []);
}

#[test]
fn a_stopped_input_command_ends_the_script_without_its_end() {
    let ran = run_stopped(
        "Following\n\tinit\n\t\tinput proc \"follow\"\n\trule\n\t\toutput mail $inline\n\tend\n\t\toutput mail \"summary\"\n",
        false,
    );
    assert!(ran.reached);
    assert_eq!(ran.report.stopped, stopped_in("Following"));
    assert_eq!(lines(&ran), ["first line"]);
}

#[test]
fn a_stop_before_a_script_runs_nothing() {
    let ran = run_stopped(FIRST, true);
    assert_eq!(
        ran.report.stopped,
        Some(Stopped {
            reason: "SIGTERM".into(),
            script: "First".into(),
            began: false,
        })
    );
    assert!(ran.report.mail.is_empty());
    assert_eq!(ran.mail, None, "no line, no mail");
}
