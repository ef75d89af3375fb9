//! The seed case study (reference §7): the example configuration under
//! `tests/fixtures/seed/` loads cleanly for every host, and the ProcCounts
//! object renders per host exactly as the `#if` blocks of Listing 8 say.

use std::path::PathBuf;

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
