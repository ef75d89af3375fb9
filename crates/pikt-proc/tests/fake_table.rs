//! Selection, rounds and refusals of `kill_matching`, on a fake table with a fake
//! signaller: nothing real is signalled. Fake PIDs are above any real `pid_max`
//! (4194304) so they can never be ours or our ancestors.

use std::time::Duration;

use pikt_proc::testing::{self, FakeProcTable, FakeSignaller};
use pikt_proc::{
    kill_matching_with, KillPolicy, KillReport, KillRequest, Process, ProcessTable, Refusal,
    Signal, Victim,
};

const BASE: u32 = 5_000_000;

fn process(offset: u32, user: &str, comm: &str) -> Process {
    Process {
        ppid: BASE,
        uid: if user == "root" { 0 } else { 1000 + offset },
        start_time: 1000 + u64::from(offset),
        ..testing::process(BASE + offset, user, comm)
    }
}

fn quick() -> KillPolicy {
    KillPolicy {
        allow_root_targets: false,
        round_pause: Duration::ZERO,
    }
}

/// Runs `request` on the fake table with [`quick`] rounds.
fn kill_quickly(
    table: &FakeProcTable,
    signaller: &FakeSignaller<'_>,
    request: &KillRequest<'_>,
) -> KillReport {
    kill_matching_with(table, signaller, request, &quick())
}

fn pids(victims: &[Victim]) -> Vec<u32> {
    victims.iter().map(|victim| victim.pid - BASE).collect()
}

#[test]
fn selects_exact_user_and_command_and_skips_zombies() {
    let mut zombie = process(4, "chico", "imapd");
    zombie.state = 'Z';
    let table = FakeProcTable::new(vec![
        process(1, "chico", "imapd"),
        process(2, "chico", "imapd"),
        process(3, "chico", "imapd2"),
        zombie,
        process(5, "chicos", "imapd"),
        process(6, "harpo", "imapd"),
        process(7, "chico", "IMAPD"),
    ]);
    let signaller = FakeSignaller::new(&table);

    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::KILL, 5),
    );

    assert_eq!(pids(&report.victims), [1, 2]);
    assert_eq!(
        signaller.calls(),
        [(BASE + 1, Signal::KILL), (BASE + 2, Signal::KILL)]
    );
    assert_eq!(report.rounds, 1);
    assert!(report.all_gone());
    let victim = &report.victims[0];
    assert_eq!(
        (
            victim.user.as_str(),
            victim.comm.as_str(),
            victim.start_time
        ),
        ("chico", "imapd", 1001)
    );
}

#[test]
fn children_born_during_a_round_are_caught_by_the_next() {
    let table = FakeProcTable::new(vec![process(1, "chico", "imapd")]);
    let signaller =
        FakeSignaller::new(&table).with_spawn_on_first_signal(process(9, "chico", "imapd"));

    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::TERM, 5),
    );

    assert_eq!(pids(&report.victims), [1, 9]);
    assert_eq!(report.rounds, 2);
    assert!(report.all_gone());
}

#[test]
fn a_survivor_is_signalled_every_round_but_reported_once() {
    let table = FakeProcTable::new(vec![
        process(1, "chico", "imapd"),
        process(2, "chico", "imapd"),
    ]);
    let signaller = FakeSignaller::new(&table).with_immortal(&[BASE + 2]);

    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::TERM, 3),
    );

    assert_eq!(pids(&report.victims), [1, 2]);
    assert_eq!(report.rounds, 3);
    assert_eq!(signaller.calls().len(), 4, "1 once, 2 in each of 3 rounds");
    assert_eq!(pids(&report.remaining), [2]);
    assert!(!report.all_gone());
}

#[test]
fn zero_rounds_only_looks() {
    let table = FakeProcTable::new(vec![process(1, "chico", "imapd")]);
    let signaller = FakeSignaller::new(&table);
    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::KILL, 0),
    );
    assert!(signaller.calls().is_empty());
    assert_eq!(pids(&report.remaining), [1]);
    assert_eq!(report.rounds, 0);
}

#[test]
fn refused_targets_are_tried_once_and_reported() {
    let mut kthread = process(2, "root", "kworker");
    kthread.kernel_thread = true;
    let table = FakeProcTable::new(vec![process(1, "root", "imapd"), kthread]);
    let signaller = FakeSignaller::new(&table);

    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("root", "imapd", Signal::KILL, 5),
    );

    assert!(report.victims.is_empty());
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].refusal, Refusal::RootTarget);
    assert_eq!(report.refused[0].victim.pid, BASE + 1);
    assert_eq!(report.rounds, 1, "no second round for a refused process");
    assert_eq!(pids(&report.remaining), [1], "it is still alive");
    assert!(signaller.calls().is_empty());

    let allow_root = KillPolicy {
        allow_root_targets: true,
        ..quick()
    };
    let report = kill_matching_with(
        &table,
        &signaller,
        &KillRequest::new("root", "imapd", Signal::KILL, 5),
        &allow_root,
    );
    assert_eq!(pids(&report.victims), [1]);
    let report = kill_matching_with(
        &table,
        &signaller,
        &KillRequest::new("root", "kworker", Signal::KILL, 5),
        &allow_root,
    );
    assert_eq!(report.refused[0].refusal, Refusal::KernelThread);
}

#[test]
fn our_own_process_is_refused_by_the_fake_too() {
    let mut me = process(0, "chico", "imapd");
    me.pid = std::process::id();
    let table = FakeProcTable::new(vec![me]);
    let signaller = FakeSignaller::new(&table);
    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::KILL, 5),
    );
    assert_eq!(report.refused[0].refusal, Refusal::Ourselves);
    assert!(signaller.calls().is_empty());
}

#[test]
fn a_failing_snapshot_stops_the_loop_and_is_reported() {
    let table = FakeProcTable::new(vec![process(1, "chico", "imapd")]);
    table.fail_snapshots(true);
    let signaller = FakeSignaller::new(&table);
    let report = kill_quickly(
        &table,
        &signaller,
        &KillRequest::new("chico", "imapd", Signal::KILL, 5),
    );
    assert_eq!(
        report.snapshot_error.map(|error| error.to_string()),
        Some("fake snapshot failure".to_string())
    );
    assert!(signaller.calls().is_empty());
}

#[test]
fn the_fake_table_drops_args_unless_asked_and_sorts() {
    let table = FakeProcTable::new(vec![process(2, "a", "x"), process(1, "b", "y")]);
    let plain = table.snapshot(false).expect("snapshot");
    assert_eq!(
        plain
            .iter()
            .map(|process| process.pid - BASE)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(plain.iter().all(|process| process.args.is_none()));
    assert!(table
        .snapshot(true)
        .expect("snapshot")
        .iter()
        .all(|process| process.args.is_some()));
    table.set(Vec::new());
    assert!(table.snapshot(false).expect("snapshot").is_empty());
}

#[test]
fn a_listed_first_round_is_checked_and_a_fresh_snapshot_ends_the_loop() {
    // The list is older than the table: 1 is still alive, 2 has since exited and
    // its pid was taken by another chico imapd (other start time), 3 is not listed.
    let mut reborn = process(2, "chico", "imapd");
    reborn.start_time += 1;
    let table = FakeProcTable::new(vec![
        process(1, "chico", "imapd"),
        reborn,
        process(3, "chico", "imapd"),
    ]);
    let listed = vec![
        process(1, "chico", "imapd"),
        process(2, "chico", "imapd"),
        process(4, "harpo", "imapd"),
    ];
    let signaller = FakeSignaller::new(&table);
    let request = KillRequest {
        listed: Some(&listed),
        ..KillRequest::new("chico", "imapd", Signal::KILL, 5)
    };

    let report = kill_quickly(&table, &signaller, &request);

    // Round 1 (the list): 1 signalled, the stale 2 found gone (not signalled).
    // Round 2 (fresh): the new 2 and 3. Round 3 (fresh): nothing left.
    assert_eq!(
        signaller.calls(),
        [
            (BASE + 1, Signal::KILL),
            (BASE + 2, Signal::KILL),
            (BASE + 3, Signal::KILL)
        ]
    );
    assert_eq!(
        report.victims[1].start_time, 1003,
        "the new process of pid 2"
    );
    assert_eq!(report.rounds, 2);
    assert!(report.all_gone());
}

#[test]
fn a_list_without_matches_still_looks_at_the_table() {
    let table = FakeProcTable::new(vec![process(1, "chico", "imapd")]);
    let listed = vec![process(5, "harpo", "imapd")];
    let signaller = FakeSignaller::new(&table);
    let request = KillRequest {
        listed: Some(&listed),
        ..KillRequest::new("chico", "imapd", Signal::KILL, 5)
    };
    let report = kill_quickly(&table, &signaller, &request);
    assert_eq!(pids(&report.victims), [1]);
    assert_eq!(report.rounds, 1);
    assert!(report.all_gone());

    let none_left = kill_quickly(&table, &signaller, &request);
    assert!(none_left.victims.is_empty());
    assert_eq!(none_left.rounds, 0);
}

#[test]
fn a_snapshot_of_one_user_keeps_only_that_user() {
    let table = FakeProcTable::new(vec![
        process(3, "chico", "imapd"),
        process(1, "chico", "sshd"),
        process(2, "harpo", "imapd"),
    ]);
    let chico = table.snapshot_of_user("chico").expect("snapshot");
    let found: Vec<(u32, &str)> = chico
        .iter()
        .map(|process| (process.pid - BASE, process.comm.as_str()))
        .collect();
    assert_eq!(found, [(1, "sshd"), (3, "imapd")]);
    assert!(chico.iter().all(|process| process.args.is_none()));
}
