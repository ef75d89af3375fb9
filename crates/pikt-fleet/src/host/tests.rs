//! The host side on a real directory tree: bundles that are cut short,
//! damaged or meant for another host change nothing; an interruption
//! between staging and switching leaves the previous version and a re-run
//! completes; backups, restores, piktd.conf and removals.

use std::io;
use std::path::{Path, PathBuf};

use pikt_config::Site;

use super::{apply, prepare, serve, HostSide};
use crate::frame::{self, BUNDLE_MAGIC, REPORT_MAGIC};
use crate::plan::{AlertLines, HostPlan, ItemPath, PiktdEdit, PlanFile};
use crate::report::{FileChange, Report};

fn free(_: &Path) -> io::Result<bool> {
    Ok(false)
}

struct Tree {
    dir: tempfile::TempDir,
    side: HostSide,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::create_dir_all(dir.path().join("etc")).unwrap_or_else(|e| panic!("{e}"));
        let side = HostSide {
            site: Site::with_defaults(dir.path(), Some("moscow".into())),
            chown: false,
            probe: free,
            log: false,
        };
        Tree { dir, side }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|_| "<missing>".into())
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    fn file(&self, rel: &str, content: &str) -> PlanFile {
        PlanFile {
            path: self.path(rel).display().to_string(),
            what: format!("file {rel}"),
            mode: 0o640,
            owner: None,
            force: false,
            content: content.as_bytes().to_vec(),
        }
    }

    fn plan(&self, files: Vec<PlanFile>) -> HostPlan {
        HostPlan {
            host: "moscow".into(),
            piktdir: self.dir.path().display().to_string(),
            master: "moscow".into(),
            files,
            ..HostPlan::default()
        }
    }

    /// Every file under the tree, relative, sorted (temporaries included).
    fn listing(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect(self.dir.path(), self.dir.path(), &mut out);
        out.sort();
        out
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.display().to_string());
        }
    }
}

fn changes(report: &Report) -> Vec<FileChange> {
    report.files.iter().map(|f| f.change).collect()
}

/// A tree with version 1 of two files installed.
fn installed_v1() -> Tree {
    let tree = Tree::new();
    let report = apply(
        tree.plan(vec![
            tree.file("lib/alerts/Urgent.alt", "v1 alert\n"),
            tree.file("lib/objects/Counts.obj", "v1 objects\n"),
        ]),
        &tree.side,
    );
    assert!(!report.failed(), "{report:?}");
    assert_eq!(changes(&report), [FileChange::New, FileChange::New]);
    tree
}

fn v2(tree: &Tree) -> HostPlan {
    tree.plan(vec![
        tree.file("lib/alerts/Urgent.alt", "v2 alert\n"),
        tree.file("lib/objects/Counts.obj", "v2 objects\n"),
    ])
}

fn assert_v1(tree: &Tree) {
    assert_eq!(tree.read("lib/alerts/Urgent.alt"), "v1 alert\n");
    assert_eq!(tree.read("lib/objects/Counts.obj"), "v1 objects\n");
}

fn served(tree: &Tree, bytes: &[u8]) -> Report {
    let answer = serve(&mut &bytes[..], &tree.side);
    frame::decode(REPORT_MAGIC, &mut &answer[..]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_second_apply_reports_unchanged_files() {
    let tree = installed_v1();
    let again = apply(
        tree.plan(vec![
            tree.file("lib/alerts/Urgent.alt", "v1 alert\n"),
            tree.file("lib/objects/Counts.obj", "v2 objects\n"),
        ]),
        &tree.side,
    );
    assert_eq!(
        changes(&again),
        [FileChange::Unchanged, FileChange::Updated]
    );
    let mut forced = tree.file("lib/alerts/Urgent.alt", "v1 alert\n");
    forced.force = true;
    let rewritten = apply(tree.plan(vec![forced]), &tree.side);
    assert_eq!(changes(&rewritten), [FileChange::Rewritten]);
}

#[test]
fn a_truncated_bundle_changes_nothing() {
    let tree = installed_v1();
    let bytes = frame::encode(BUNDLE_MAGIC, v2(&tree));
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 30, bytes.len() - 1] {
        let report = served(&tree, bytes.get(..cut).unwrap_or_default());
        let why = report.refused.clone().unwrap_or_default();
        assert!(why.starts_with("refused the bundle: "), "{cut}: {why}");
        assert_v1(&tree);
    }
    assert_eq!(
        tree.listing(),
        ["lib/alerts/Urgent.alt", "lib/objects/Counts.obj"]
    );
}

#[test]
fn a_bundle_with_a_bad_checksum_changes_nothing() {
    let tree = installed_v1();
    let mut bytes = frame::encode(BUNDLE_MAGIC, v2(&tree));
    let at = bytes
        .windows(2)
        .position(|w| w == b"v2")
        .unwrap_or_else(|| panic!("no content"));
    bytes[at + 1] = b'3';
    let report = served(&tree, &bytes);
    assert_eq!(
        report.refused.as_deref(),
        Some("refused the bundle: damaged: its checksum does not match its bytes")
    );
    assert_v1(&tree);
}

#[test]
fn a_bundle_for_another_host_or_tree_changes_nothing() {
    let tree = installed_v1();
    let mut plan = v2(&tree);
    plan.host = "paris".into();
    let report = served(&tree, &frame::encode(BUNDLE_MAGIC, plan));
    assert_eq!(
        report.refused.as_deref(),
        Some("refused the bundle: it is for host `paris`, and this host is `moscow`")
    );
    let mut plan = v2(&tree);
    plan.piktdir = "/elsewhere".into();
    let report = served(&tree, &frame::encode(BUNDLE_MAGIC, plan));
    assert!(
        report
            .refused
            .as_deref()
            .is_some_and(|r| r.contains("made for the installation at `/elsewhere`")),
        "{report:?}"
    );
    assert_v1(&tree);
    assert!(report.failed());
}

#[test]
fn an_interruption_between_staging_and_switching_leaves_the_old_version() {
    let tree = installed_v1();
    // Staged, then the process dies before the switch (nothing runs after
    // it: the temporaries stay behind, as after a kill).
    let prepared = prepare(v2(&tree), &tree.side).unwrap_or_else(|r| panic!("{r:?}"));
    std::mem::forget(prepared);
    assert_v1(&tree);
    assert_eq!(tree.listing().len(), 4, "{:?}", tree.listing());
    // A re-run completes, whatever was left behind.
    let report = apply(v2(&tree), &tree.side);
    assert!(!report.failed(), "{report:?}");
    assert_eq!(changes(&report), [FileChange::Updated, FileChange::Updated]);
    assert_eq!(tree.read("lib/alerts/Urgent.alt"), "v2 alert\n");
    assert_eq!(tree.read("lib/objects/Counts.obj"), "v2 objects\n");
    // Staged and given up cleanly: the temporaries go too.
    let tree = installed_v1();
    drop(prepare(v2(&tree), &tree.side));
    assert_v1(&tree);
    assert_eq!(tree.listing().len(), 2, "{:?}", tree.listing());
}

#[test]
fn a_failure_while_staging_changes_nothing() {
    let tree = installed_v1();
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    pikt_fs::testing::plant_link(outside.path(), &tree.path("lib/programs"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut plan = v2(&tree);
    plan.files
        .push(tree.file("lib/programs/check.sh", "#!/bin/sh\n"));
    let report = apply(plan, &tree.side);
    assert!(report.failed());
    assert!(
        report.errors[0].starts_with(&format!(
            "refusing to follow symbolic link `{}` (to `{}`): ",
            tree.path("lib/programs").display(),
            outside.path().display()
        )),
        "{:?}",
        report.errors
    );
    assert!(report.errors[0].ends_with("nothing was changed on this host"));
    assert_v1(&tree);
    assert_eq!(
        std::fs::read_dir(outside.path()).map(Iterator::count).ok(),
        Some(0)
    );
}

#[test]
fn backups_are_written_first_and_restored_on_request() {
    let tree = installed_v1();
    let mut plan = v2(&tree);
    plan.backup = true;
    let report = apply(plan, &tree.side);
    assert_eq!(report.backups.len(), 2, "{report:?}");
    assert_eq!(tree.read("lib/alerts/Urgent.alt.piktbak"), "v1 alert\n");
    assert_eq!(tree.read("lib/alerts/Urgent.alt"), "v2 alert\n");
    let mut restore = tree.plan(Vec::new());
    restore.restore = vec![
        ItemPath {
            path: tree.path("lib/alerts/Urgent.alt").display().to_string(),
            what: "alert Urgent".into(),
        },
        ItemPath {
            path: tree.path("lib/none").display().to_string(),
            what: "file none".into(),
        },
    ];
    let report = apply(restore.clone(), &tree.side);
    let restored: Vec<FileChange> = report.restored.iter().map(|r| r.change).collect();
    assert_eq!(restored, [FileChange::Restored, FileChange::NoBackup]);
    assert_eq!(tree.read("lib/alerts/Urgent.alt"), "v1 alert\n");
    let again = apply(restore, &tree.side);
    assert_eq!(again.restored[0].change, FileChange::Unchanged);
}

#[test]
fn a_dry_run_reports_and_changes_nothing() {
    let tree = installed_v1();
    let mut plan = tree.plan(vec![
        tree.file("lib/alerts/Urgent.alt", "v1 alert\n"),
        tree.file("lib/objects/Counts.obj", "v2 objects\n"),
        tree.file("lib/objects/New.obj", "new\n"),
    ]);
    plan.dry_run = true;
    plan.removals = vec![ItemPath {
        path: tree.path("lib/alerts/Urgent.alt").display().to_string(),
        what: "alert Urgent".into(),
    }];
    let report = apply(plan, &tree.side);
    assert_eq!(
        changes(&report),
        [FileChange::Unchanged, FileChange::Updated, FileChange::New]
    );
    assert!(report.removals[0].present);
    assert_v1(&tree);
    assert_eq!(tree.listing().len(), 2);
}

#[test]
fn piktd_conf_keeps_other_alerts_and_refuses_foreign_lines() {
    let tree = Tree::new();
    tree.write("etc/piktd.conf", "# mine\n0 * * * * /p/bin/pikt +A Other\n");
    let mut plan = tree.plan(Vec::new());
    plan.piktd = Some(PiktdEdit {
        set: vec![
            AlertLines {
                alert: "Urgent".into(),
                lines: vec!["*/5 * * * * /p/bin/pikt +A Urgent".into()],
            },
            AlertLines {
                alert: "Quiet".into(),
                lines: Vec::new(),
            },
        ],
        remove: Vec::new(),
    });
    let report = apply(plan.clone(), &tree.side);
    let piktd = report.piktd.clone().unwrap_or_default();
    assert_eq!(piktd.enabled, [("Urgent".to_string(), 1)]);
    assert_eq!(piktd.no_timing, ["Quiet"]);
    assert!(piktd.changed);
    assert_eq!(
        tree.read("etc/piktd.conf"),
        "# mine\n0 * * * * /p/bin/pikt +A Other\n*/5 * * * * /p/bin/pikt +A Urgent\n"
    );
    let again = apply(plan, &tree.side);
    assert!(!again.piktd.unwrap_or_default().changed);
    let mut sneaky = tree.plan(Vec::new());
    sneaky.piktd = Some(PiktdEdit {
        set: vec![AlertLines {
            alert: "Urgent".into(),
            lines: vec!["* * * * * /p/bin/pikt +A Other".into()],
        }],
        remove: Vec::new(),
    });
    let refused = apply(sneaky, &tree.side);
    assert!(
        refused.errors[0].contains("that runs another"),
        "{:?}",
        refused.errors
    );
}

#[test]
fn removals_happen_after_the_switch() {
    let tree = installed_v1();
    let mut plan = tree.plan(vec![tree.file("lib/objects/New.obj", "new\n")]);
    plan.removals = vec![
        ItemPath {
            path: tree.path("lib/alerts/Urgent.alt").display().to_string(),
            what: "alert Urgent".into(),
        },
        ItemPath {
            path: tree.path("var/log/Urgent.log").display().to_string(),
            what: "alert Urgent log".into(),
        },
    ];
    plan.backup = true;
    let report = apply(plan, &tree.side);
    assert!(!report.failed(), "{report:?}");
    let present: Vec<bool> = report.removals.iter().map(|r| r.present).collect();
    assert_eq!(present, [true, false]);
    assert_eq!(
        tree.listing(),
        [
            "lib/alerts/Urgent.alt.piktbak",
            "lib/objects/Counts.obj",
            "lib/objects/New.obj"
        ]
    );
}
