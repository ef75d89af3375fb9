//! Runs the folder-per-case tests under `tests/cases/` through the real
//! binaries: each top-level folder is run with the binary it tests.

use std::path::{Path, PathBuf};

use crate::harness::cases::run_cases;

fn cases(topic: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(topic)
}

#[test]
fn config_cases_through_piktc() {
    run_cases(&cases("config"), Path::new(env!("CARGO_BIN_EXE_piktc")));
}

#[test]
fn piktc_cases() {
    run_cases(&cases("piktc"), Path::new(env!("CARGO_BIN_EXE_piktc")));
}

#[test]
fn parse_cases_through_pikt_check() {
    run_cases(&cases("parse"), Path::new(env!("CARGO_BIN_EXE_pikt")));
}

#[test]
fn run_cases_through_pikt() {
    run_cases(&cases("run"), Path::new(env!("CARGO_BIN_EXE_pikt")));
}

#[test]
fn piktd_cases() {
    run_cases(&cases("piktd"), Path::new(env!("CARGO_BIN_EXE_piktd")));
}
