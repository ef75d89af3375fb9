//! The native commands over a fake process table and a fake signaller: what
//! is served, what is signalled, what is refused, what is logged.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pikt_proc::testing::{self, FakeProcTable};
use pikt_proc::Identity;
use pikt_runtime::shell::killprocs_command;

use super::*;

/// Pids no real process can have (above the largest `pid_max`), so the
/// fixed refusals (ourselves, our ancestors) never hit a fake process.
const CHICO_1: u32 = 5_000_001;
const CHICO_2: u32 = 5_000_002;
const ROOT_SSHD: u32 = 5_000_003;
const CHICO_ZOMBIE: u32 = 5_000_004;
const ARC_CRACK: u32 = 5_000_005;

fn process(pid: u32, uid: u32, user: &str, comm: &str) -> Process {
    Process {
        uid,
        ..testing::process(pid, user, comm)
    }
}

fn storm() -> Vec<Process> {
    let mut zombie = process(CHICO_ZOMBIE, 1000, "chico", "imapd");
    zombie.state = 'Z';
    vec![
        process(CHICO_1, 1000, "chico", "imapd"),
        process(CHICO_2, 1000, "chico", "imapd"),
        process(ROOT_SSHD, 0, "root", "sshd"),
        zombie,
        process(ARC_CRACK, 1001, "arc", "crack"),
    ]
}

/// The fixture's table, counting the snapshots taken of it.
struct SharedTable(Arc<FakeProcTable>, Arc<AtomicUsize>);

impl ProcessTable for SharedTable {
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>> {
        self.1.fetch_add(1, Ordering::Relaxed);
        self.0.snapshot(want_args)
    }
}

/// Applies the real refusals, then compares the identity with the fake
/// table as `kill_checked` does with `/proc`: gone, recycled, or signalled
/// (the process becomes a zombie).
struct FakeKill {
    table: Arc<FakeProcTable>,
    calls: Arc<Mutex<Vec<(u32, i32)>>>,
}

impl Signaller for FakeKill {
    fn signal(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError> {
        protected.check(target, policy)?;
        let now = self
            .table
            .processes()
            .into_iter()
            .find(|process| process.pid == target.pid && !process.is_dead());
        match now {
            None => Ok(KillOutcome::AlreadyGone),
            Some(now)
                if (now.uid, &now.comm, now.start_time)
                    != (target.uid, &target.comm, target.start_time) =>
            {
                Ok(KillOutcome::Recycled {
                    found: Identity {
                        uid: now.uid,
                        comm: now.comm,
                        start_time: now.start_time,
                    },
                })
            }
            Some(_) => {
                self.calls
                    .lock()
                    .unwrap()
                    .push((target.pid, signal.as_raw()));
                self.table.update(target.pid, |process| process.state = 'Z');
                Ok(KillOutcome::Signalled(KillMethod::ProcDirFd))
            }
        }
    }

    /// Victims are zombies the moment they are signalled.
    fn wait_for_exits(&self, _timeout: std::time::Duration) {}
}

struct Fixture {
    native: NativeProcs,
    table: Arc<FakeProcTable>,
    snapshots: Arc<AtomicUsize>,
    calls: Arc<Mutex<Vec<(u32, i32)>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    fn new(processes: Vec<Process>) -> Fixture {
        let table = Arc::new(FakeProcTable::new(processes));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let snapshots = Arc::new(AtomicUsize::new(0));
        let mut native = NativeProcs::with_table(
            Box::new(SharedTable(Arc::clone(&table), Arc::clone(&snapshots))),
            Box::new(FakeKill {
                table: Arc::clone(&table),
                calls: Arc::clone(&calls),
            }),
        );
        let sink = Arc::clone(&log);
        native.set_log(Box::new(move |entry| {
            let shown = if entry.always_show { "!" } else { "" };
            sink.lock()
                .unwrap()
                .push(format!("[{}]{shown} {}", entry.tag, entry.text));
        }));
        Fixture {
            native,
            table,
            snapshots,
            calls,
            log,
        }
    }

    fn output(&mut self, command: &str) -> (String, i32) {
        match self.native.serve(command, true) {
            Some(Served::Output { stdout, status }) => {
                (String::from_utf8_lossy(&stdout).into_owned(), status)
            }
            other => panic!("{command}: {other:?}"),
        }
    }

    fn calls(&self) -> Vec<(u32, i32)> {
        self.calls.lock().unwrap().clone()
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

#[test]
fn ps_is_printed_from_the_table_without_zombies() {
    let mut fixture = Fixture::new(storm());
    assert_eq!(
        fixture.output("ps -eo user,comm"),
        (
            "USER     COMMAND\nchico    imapd\nchico    imapd\nroot     sshd\narc      crack\n"
                .to_string(),
            0
        )
    );
    assert_eq!(
        fixture.output("/bin/ps ax -o pid,user,comm"),
        (
            "  PID USER     COMMAND\n5000001 chico  imapd\n5000002 chico  imapd\n5000003 root   sshd\n5000005 arc    crack\n"
                .to_string(),
            0
        )
    );
    assert_eq!(fixture.native.remembered(), 4);
    assert!(fixture.log().is_empty());
}

#[test]
fn zombies_show_only_in_a_state_column() {
    let mut fixture = Fixture::new(storm());
    assert_eq!(
        fixture.output("ps -eo pid=,s="),
        (
            "5000001 S\n5000002 S\n5000003 S\n5000004 Z\n5000005 S\n".to_string(),
            0
        )
    );
    assert_eq!(
        fixture.output("ps -eo comm,stat"),
        (
            "COMMAND         STAT\nimapd           S\nimapd           S\nsshd            S\nimapd           Z\ncrack           S\n"
                .to_string(),
            0
        )
    );
    // A zombie is never a kill target: it is not remembered.
    assert_eq!(fixture.native.remembered(), 4);
}

#[test]
fn a_pipeline_gets_the_native_first_stage_only_where_output_is_read() {
    let mut fixture = Fixture::new(storm());
    match fixture.native.serve("ps -eo user= | sort | uniq -c", true) {
        Some(Served::Pipeline { stdout, rest }) => {
            assert_eq!(stdout, b"chico\nchico\nroot\narc\n");
            assert_eq!(rest, "sort | uniq -c");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fixture.native.serve("ps -eo user= | sort", false), None);
}

#[test]
fn switched_off_everything_goes_to_the_shell() {
    let mut fixture = Fixture::new(storm());
    fixture.native.set_enabled(false);
    assert!(!fixture.native.enabled());
    for command in [
        "ps -eo user,comm",
        "kill -9 5000001",
        "pkill -9 -x -u chico imapd",
        "ps -ef",
    ] {
        assert_eq!(fixture.native.serve(command, true), None, "{command}");
    }
    assert_eq!(fixture.native.remembered(), 0);
    assert!(fixture.calls().is_empty());
}

#[test]
fn other_commands_go_to_the_shell() {
    let mut fixture = Fixture::new(storm());
    for command in [
        "ls",
        "ps -eo user,comm; rm -rf /",
        "kill -9 5000001; reboot",
    ] {
        assert_eq!(fixture.native.serve(command, true), None, "{command}");
    }
    assert!(fixture.calls().is_empty());
}

#[test]
fn kill_signals_a_listed_process_and_logs_it() {
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo pid,user,comm");
    assert_eq!(fixture.output("kill -9 5000001"), (String::new(), 0));
    assert_eq!(fixture.calls(), [(CHICO_1, 9)]);
    assert_eq!(
        fixture.log(),
        ["[KILL]! killed pid 5000001 user chico command imapd started 1970-01-01 00:00:01 (signal 9)"]
    );
}

#[test]
fn kill_refuses_a_pid_no_snapshot_listed() {
    let mut fixture = Fixture::new(storm());
    assert_eq!(fixture.output("kill -9 5000001"), (String::new(), 1));
    assert!(fixture.calls().is_empty());
    assert_eq!(
        fixture.log(),
        ["[WARNING]! kill: not signalled pid 5000001: no native `ps` of this run listed it, so it cannot be checked"]
    );
}

#[test]
fn kill_refuses_a_pid_that_now_names_another_process() {
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo pid,user,comm");
    // chico's imapd exits and its PID goes to a new root process.
    let mut newcomer = process(CHICO_1, 0, "root", "sshd");
    newcomer.start_time = 4200;
    let mut table = storm();
    table.retain(|process| process.pid != CHICO_1);
    table.push(newcomer);
    fixture.table.set(table);
    assert_eq!(fixture.output("kill -9 5000001"), (String::new(), 1));
    assert!(fixture.calls().is_empty());
    assert_eq!(
        fixture.log(),
        ["[WARNING]! kill: not signalled pid 5000001: it no longer names the process `ps` listed (pid 5000001 user chico command imapd started 1970-01-01 00:00:01); now uid 0 command sshd started 1970-01-01 00:00:42"]
    );
}

#[test]
fn kill_of_a_process_that_exited_fails_quietly() {
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo pid");
    fixture.table.update(CHICO_2, |process| process.state = 'Z');
    assert_eq!(fixture.output("kill 5000002"), (String::new(), 1));
    assert!(fixture.calls().is_empty());
    assert_eq!(
        fixture.log(),
        ["[INFO] kill: pid 5000002 user chico command imapd started 1970-01-01 00:00:01 had already exited"]
    );
}

#[test]
fn kill_refuses_init_and_ourselves_even_when_listed() {
    let own = std::process::id();
    let mut fixture = Fixture::new(vec![
        process(1, 0, "root", "init"),
        process(own, 0, "root", "pikt"),
        process(CHICO_1, 1000, "chico", "imapd"),
    ]);
    fixture.output("ps -eo pid");
    let command = format!("kill -KILL 1 {own} 5000001 1");
    assert_eq!(fixture.output(&command), (String::new(), 1));
    assert_eq!(fixture.calls(), [(CHICO_1, 9)]);
    let log = fixture.log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(
        log[0],
        "[WARNING]! kill: not signalled pid 1 user root command init started 1970-01-01 00:00:01: refused: pid 1 is the init process"
    );
    assert_eq!(
        log[1],
        format!("[WARNING]! kill: not signalled pid {own} user root command pikt started 1970-01-01 00:00:01: refused: the target is this process")
    );
    assert!(log[2].starts_with("[KILL]! killed pid 5000001 "), "{log:?}");
}

#[test]
fn the_most_recent_snapshot_is_the_one_checked() {
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo pid");
    fixture
        .table
        .set(vec![process(ARC_CRACK, 1001, "arc", "crack")]);
    fixture.output("ps -eo pid");
    assert_eq!(fixture.native.remembered(), 1);
    assert_eq!(fixture.output("kill -9 5000001"), (String::new(), 1));
    assert!(fixture.calls().is_empty());
}

#[test]
fn a_listing_run_by_the_shell_is_remembered_too() {
    let mut fixture = Fixture::new(storm());
    assert_eq!(fixture.native.serve("ps -ef | grep imapd", true), None);
    assert_eq!(fixture.native.remembered(), 4);
    assert_eq!(fixture.output("kill 5000002"), (String::new(), 0));
    assert_eq!(fixture.calls(), [(CHICO_2, 15)]);
}

#[test]
fn pgrep_lists_live_matches() {
    let own = std::process::id();
    let mut table = storm();
    table.push(process(own, 1000, "chico", "imapd"));
    let mut fixture = Fixture::new(table);
    assert_eq!(
        fixture.output("pgrep -x -u chico imapd"),
        ("5000001\n5000002\n".to_string(), 0)
    );
    assert_eq!(
        fixture.output("pgrep -c -x -u chico imapd"),
        ("2\n".to_string(), 0)
    );
    assert_eq!(fixture.output("pgrep -x -u chico sshd"), (String::new(), 1));
    assert_eq!(fixture.native.remembered(), 5);
    assert!(fixture.calls().is_empty());
}

#[test]
fn pkill_kills_every_match_and_logs_each_victim() {
    let mut table = storm();
    table.push(process(1, 1000, "chico", "imapd"));
    let mut fixture = Fixture::new(table);
    assert_eq!(
        fixture.output("pkill -c -9 -x -u chico -- imapd"),
        ("2\n".to_string(), 0)
    );
    assert_eq!(fixture.calls(), [(CHICO_1, 9), (CHICO_2, 9)]);
    assert_eq!(
        fixture.log(),
        [
            "[KILL]! killed pid 5000001 user chico command imapd started 1970-01-01 00:00:01 (signal 9)",
            "[KILL]! killed pid 5000002 user chico command imapd started 1970-01-01 00:00:01 (signal 9)",
            "[WARNING]! pkill: not signalled pid 1 user chico command imapd started 1970-01-01 00:00:01: refused: pid 1 is the init process",
        ]
    );
    assert_eq!(
        fixture.output("pkill -c -9 -x -u chico imapd"),
        ("0\n".to_string(), 1)
    );
}

#[test]
fn pkill_after_ps_starts_from_its_snapshot_and_still_checks_each_entry() {
    const CHICO_NEW: u32 = 5_000_006;
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo user,comm");
    assert_eq!(fixture.snapshots.load(Ordering::Relaxed), 1);
    // Since the `ps`: CHICO_1 exited and its pid went to another chico imapd,
    // and a new one was forked.
    let mut table = storm();
    table.retain(|process| process.pid != CHICO_1);
    let mut reborn = process(CHICO_1, 1000, "chico", "imapd");
    reborn.start_time = 200;
    table.push(reborn);
    table.push(process(CHICO_NEW, 1000, "chico", "imapd"));
    fixture.table.set(table);

    assert_eq!(
        fixture.output("pkill -c -9 -x -u chico imapd"),
        ("3\n".to_string(), 0)
    );
    // Round 1, from the `ps`: CHICO_2; the listed CHICO_1 no longer exists and
    // is not signalled. Round 2, fresh: the new CHICO_1 and CHICO_NEW.
    assert_eq!(
        fixture.calls(),
        [(CHICO_2, 9), (CHICO_1, 9), (CHICO_NEW, 9)]
    );
    assert!(fixture.log()[1]
        .contains("pid 5000001 user chico command imapd started 1970-01-01 00:00:02"));
    // Two fresh snapshots (round 2, and the one that found none left); the
    // first round took none.
    assert_eq!(fixture.snapshots.load(Ordering::Relaxed), 3);
}

#[test]
fn pkill_reports_processes_it_could_not_kill() {
    let mut fixture = Fixture::new(storm());
    fixture.table.fail_snapshots(true);
    assert_eq!(
        fixture.output("pkill -x -u chico imapd"),
        (String::new(), 1)
    );
    assert_eq!(
        fixture.log(),
        ["[WARNING]! pkill: cannot read the process table: fake snapshot failure"]
    );
}

#[test]
fn an_unreadable_table_sends_ps_to_the_shell_with_a_warning() {
    let mut fixture = Fixture::new(storm());
    fixture.table.fail_snapshots(true);
    assert_eq!(fixture.native.serve("ps -eo user,comm", true), None);
    assert_eq!(
        fixture.log(),
        ["[WARNING]! cannot read the process table natively (fake snapshot failure); the command runs in the shell"]
    );
}

#[test]
fn killprocs_commands_are_served_natively() {
    let command = killprocs_command("chico", "imap.d", Signal::KILL.as_raw(), false);
    assert_eq!(command, "pkill -c -9 -x -u 'chico' -- 'imap\\.d'");
    assert_eq!(
        recognize(&command),
        Some(NativeCommand::Pkill(MatchCommand {
            user: "chico".to_string(),
            comm: "imap.d".to_string(),
            signal: Signal::KILL,
            count: true,
        }))
    );
    let dry = killprocs_command("o'brien", "x", Signal::TERM.as_raw(), true);
    assert_eq!(dry, "pgrep -x -u 'o'\\''brien' -- 'x'");
    assert!(
        matches!(recognize(&dry), Some(NativeCommand::Pgrep(query)) if query.user == "o'brien")
    );
}

#[test]
fn start_times_print_as_local_times() {
    let clock = StartClock {
        boot_time: Some(956_620_000),
        ticks_per_second: 100,
    };
    assert_eq!(
        clock.describe(182_200, &TimeZone::UTC),
        "2000-04-25 00:17:02"
    );
    let unknown = StartClock {
        boot_time: None,
        ticks_per_second: 100,
    };
    assert_eq!(unknown.describe(5, &TimeZone::UTC), "5 ticks after boot");
    let this_host = StartClock::of_this_host();
    assert!(this_host.boot_time.is_some_and(|boot| boot > 0));
    assert!(this_host.ticks_per_second > 0);
}

#[test]
fn boot_time_and_tick_rate_parse() {
    assert_eq!(
        parse_boot_time("cpu  1 2 3\nbtime 1714000000\nprocesses 5\n"),
        Some(1_714_000_000)
    );
    assert_eq!(parse_boot_time("cpu 1\n"), None);
    let word = std::mem::size_of::<usize>();
    let mut auxv = Vec::new();
    for (key, value) in [(6usize, 4096usize), (17, 250), (0, 0)] {
        auxv.extend_from_slice(&key.to_ne_bytes());
        auxv.extend_from_slice(&value.to_ne_bytes());
    }
    assert_eq!(parse_clock_ticks(&auxv), Some(250));
    assert_eq!(parse_clock_ticks(&auxv[2 * word..]), Some(250));
    assert_eq!(parse_clock_ticks(&auxv[4 * word..]), None);
    assert_eq!(parse_clock_ticks(&[1, 2, 3]), None);
}

#[test]
fn the_environment_switch_reads_common_spellings() {
    assert!(enabled_by(None));
    assert!(enabled_by(Some("1")));
    assert!(enabled_by(Some("")));
    for off in ["0", "no", "OFF", " false "] {
        assert!(!enabled_by(Some(off)), "{off}");
    }
}

#[test]
fn a_memory_pipe_reads_its_data_and_closes_with_its_status() {
    let mut pipe: Box<dyn ReadPipe> = Box::new(MemoryPipe::new(b"a\nb\n".to_vec(), 3));
    let mut line = String::new();
    pipe.read_line(&mut line).unwrap();
    assert_eq!(line, "a\n");
    assert_eq!(pipe.close().unwrap(), 3);
}

#[test]
fn the_real_shell_stays_send() {
    fn assert_send<T: Send>() {}
    assert_send::<crate::shell::RealShell>();
    assert_send::<NativeProcs>();
}

#[test]
fn a_test_mode_kill_hides_its_victims_from_later_listings_only() {
    let mut fixture = Fixture::new(storm());
    let listing = fixture.output("ps -eo pid,user,comm").0;
    fixture
        .native
        .pretend(&format!("kill -9 {CHICO_1} {ROOT_SSHD}"));
    // Nothing was signalled: test mode only pretends.
    assert!(fixture.calls().is_empty());
    let after = fixture.output("ps -eo pid,user,comm").0;
    assert!(listing.contains(&CHICO_1.to_string()));
    assert!(!after.contains(&CHICO_1.to_string()), "{after}");
    assert!(!after.contains(&ROOT_SSHD.to_string()), "{after}");
    assert!(after.contains(&CHICO_2.to_string()), "{after}");
    // A pid taken by a new process (another start time) is not hidden.
    let mut reused = process(CHICO_1, 1000, "chico", "imapd");
    reused.start_time += 1;
    fixture.table.set(vec![reused]);
    assert!(fixture
        .output("ps -eo pid,user,comm")
        .0
        .contains(&CHICO_1.to_string()));
}

#[test]
fn pretending_ignores_what_is_not_a_native_kill_of_a_listed_process() {
    let mut fixture = Fixture::new(storm());
    fixture.output("ps -eo pid,user,comm");
    fixture
        .native
        .pretend(&format!("kill -9 {CHICO_1}; echo done"));
    fixture.native.pretend("kill -9 4242");
    fixture.native.pretend("rm -rf /tmp/x");
    let after = fixture.output("ps -eo pid,user,comm").0;
    assert!(after.contains(&CHICO_1.to_string()), "{after}");
    assert_eq!(after.lines().count(), 5, "{after}");
}

#[test]
fn runs_with_no_log_file_show_only_what_is_always_shown() {
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = Shared::default();
    let mut log = shown_on(Box::new(err.clone()));
    for (tag, always_show) in [("INFO", false), ("KILL", true), ("WARNING", true)] {
        log(&LogEntry {
            tag,
            script: "",
            text: "pid 7",
            always_show,
        });
    }
    let shown = String::from_utf8(err.0.lock().unwrap().clone()).unwrap();
    assert_eq!(shown, "pikt: KILL: pid 7\npikt: WARNING: pid 7\n");
}
