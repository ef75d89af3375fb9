# Local commands that match CI. `just --list` shows them.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Everything CI checks, without installing system packages.
ci:
    CI_SKIP_APT=1 .ci/run

# The test suite (the same command CI and the README use).
test:
    bin/test

# Rewrite the expected.* files of the case tests from the current output.
bless:
    PIKT_BLESS=1 cargo test --workspace

# Format every crate.
fmt:
    cargo fmt --all

# Lint with warnings as errors, as CI does.
clippy:
    cargo clippy --workspace --all-targets -- -D warnings

# Refuse dbg!/todo!/unimplemented!/FIXME/XXX in the sources.
forbid:
    bin/forbid

# Benchmarks against mawk, gawk and perl; pass --quick for 1e5 lines.
bench *ARGS:
    bench/run.sh {{ARGS}}
