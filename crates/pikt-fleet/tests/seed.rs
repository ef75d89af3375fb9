//! The seed case study through piktc's operations: the example
//! configuration (pikt-config's `tests/fixtures/seed/`) checks clean for
//! every host, and the Urgent alert renders with its macros expanded and
//! its piktd.conf line.

use std::path::PathBuf;

use pikt_config::selection::ItemSelection;
use pikt_config::testing::MountedHost;
use pikt_config::{LoadOptions, Loader};
use pikt_fleet::ops;
use pikt_preproc::RealHost;

fn host_io() -> MountedHost<RealHost> {
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../pikt-config/tests/fixtures/seed");
    MountedHost::new("/pikt/lib/configs", fixture, RealHost::default())
}

#[test]
fn every_host_checks_clean() {
    let io = host_io();
    let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
    let hosts = loader.systems.hosts().to_vec();
    assert_eq!(hosts, ["moscow", "chicago", "paris", "berlin"]);
    let out = ops::check(&mut loader, &hosts, false);
    assert_eq!((out.exit, out.stderr.as_str()), (0, ""));
    assert_eq!(out.stdout, "configuration OK for 4 hosts\n");
}

#[test]
fn the_urgent_alert_renders_its_script_and_piktd_line() {
    let io = host_io();
    let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
    let out = ops::render_host(&mut loader, "moscow", &ItemSelection::default());
    assert_eq!(out.exit, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(
            "==> /pikt/lib/alerts/Urgent.alt (alert Urgent, mode 640) <==\nProcCountsChk\n\tinit\n"
        ),
        "{}",
        out.stdout
    );
    // Macros are expanded in the script: object path, commands, kill_user_proc's body.
    assert!(out
        .stdout
        .contains("if #fopen(PROCCOUNTS, \"/pikt/lib/objects/ProcCounts.obj\", \"r\") != #err()"));
    assert!(out
        .stdout
        .contains("input proc \"/bin/ps -eo user,comm | awk 'NR>1' | /usr/bin/awk 'NF==2' | \\"));
    assert!(out.stdout.contains("exec wait \"/bin/kill -9 $1\""));
    assert!(out
        .stdout
        .contains("output mail \"killed all $user $proc processes\""));
    // `debug` is FALSE: the #ifdef debug lines of kill_user_proc are gone.
    assert!(!out.stdout.contains("$text(#true())"));
    assert!(out.stdout.ends_with(
        "==> /pikt/etc/piktd.conf (piktd.conf lines) <==\n5,20,35,50 * * * * 1 /usr/bin/nice -n 10 /pikt/bin/pikt +M \"/usr/bin/mailx -s 'PIKT Alert on moscow: Urgent' root\" +A Urgent\n"
    ));
}
