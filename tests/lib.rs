//! End-to-end tests: the real `pikt`, `piktc` and `piktd` binaries, one test
//! binary with a module per topic.

mod cases;
mod conf_search;
mod cut_short;
mod delivery;
mod demo;
mod fleet;
mod harness;
mod hostile;
mod manual;
mod package;
mod piktd;
mod remote;
mod site;
mod storm;
mod storm_hostile;
mod style;
mod support;
mod test_mode;
