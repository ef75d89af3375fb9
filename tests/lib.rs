//! End-to-end tests: the real `pikt`, `piktc` and `piktd` binaries, one test
//! binary with a module per topic.

mod cases;
mod delivery;
mod harness;
mod hostile;
mod piktd;
mod storm;
mod support;
