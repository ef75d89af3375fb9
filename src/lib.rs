//! The root package holds the three binaries (`src/bin/`) and the end-to-end tests; every library lives under `crates/`.
