//! The seed case study (reference §7): the example configuration under
//! `tests/fixtures/seed/` loads cleanly for every host, and the ProcCounts
//! object renders per host exactly as the `#if` blocks of Listing 8 say.

use std::path::PathBuf;

use pikt_config::ops;
use pikt_config::selection::ItemSelection;
use pikt_config::testing::MountedHost;
use pikt_config::{LoadOptions, Loader};
use pikt_preproc::RealHost;
use pikt_source::render;

fn host_io() -> MountedHost<RealHost> {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed");
    MountedHost::new("/pikt/lib/configs", fixture, RealHost::default())
}

fn object_for(host: &str) -> String {
    let io = host_io();
    let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
    let cfg = loader.load_host(host);
    let rendered: Vec<String> = cfg
        .diagnostics
        .iter()
        .map(|d| render(&loader.map, d))
        .collect();
    assert!(rendered.is_empty(), "{host}: {}", rendered.join("\n"));
    cfg.objects
        .get("ProcCounts")
        .map(|o| o.render())
        .unwrap_or_default()
}

const COMMON_TAIL: &str = "crack\t\t1\t1\t1\t1\nsniffit\t\t1\t1\t1\t1\n\\\\*\t\t10\t20\t40\t0\n";

#[test]
fn moscow_gets_imapd_and_the_mailserver_sendmail_line() {
    assert_eq!(
        object_for("moscow"),
        format!("imapd\t\t10\t100\t1000\t100\nsendmail\t50\t100\t200\t200\n{COMMON_TAIL}")
    );
}

#[test]
fn a_mailserver_member_gets_the_mailserver_sendmail_line_only() {
    assert_eq!(
        object_for("chicago"),
        format!("sendmail\t50\t100\t200\t200\n{COMMON_TAIL}")
    );
}

#[test]
fn the_nisserver_gets_ypserv_and_the_default_sendmail_line() {
    assert_eq!(
        object_for("berlin"),
        format!("sendmail\t5\t10\t20\t40\nypserv\t\t2\t3\t3\t0\n{COMMON_TAIL}")
    );
}

#[test]
fn a_plain_host_gets_the_defaults() {
    assert_eq!(
        object_for("paris"),
        format!("sendmail\t5\t10\t20\t40\n{COMMON_TAIL}")
    );
}

#[test]
fn every_host_checks_clean() {
    let io = host_io();
    let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
    let hosts = loader.systems.hosts().to_vec();
    assert_eq!(hosts, ["moscow", "chicago", "paris", "berlin"]);
    let out = ops::check(&mut loader, &hosts, false);
    assert_eq!((out.exit, out.stderr.as_str()), (0, ""));
}

#[test]
fn the_urgent_alert_renders_its_script_and_piktd_line() {
    let io = host_io();
    let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
    let out = ops::render_host(&mut loader, "moscow", &ItemSelection::default());
    assert_eq!(out.exit, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("==> =piktdir/lib/alerts/Urgent.alt (alert Urgent, mode 640) <==\nProcCountsChk\n\tinit\n"), "{}", out.stdout);
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
        "==> =piktdir/etc/piktd.conf (piktd.conf lines) <==\n5,20,35,50 * * * * 1 /usr/bin/nice -n 10 =piktdir/bin/pikt +M \"/usr/bin/mailx -s 'PIKT Alert on moscow: Urgent' root\" +A Urgent\n"
    ));
    assert_eq!(
        loader.layout.show(&loader.layout.object_file("X")),
        "=piktdir/lib/objects/X.obj"
    );
}
