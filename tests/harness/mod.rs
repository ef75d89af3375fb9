//! Shared machinery of the integration tests.
//!
//! [`cases`] runs the folder-per-case tests (`tests/cases/**`) against a binary; the
//! folder format is documented in `docs/testing.md`.

pub mod cases;
