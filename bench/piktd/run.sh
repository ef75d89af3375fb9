#!/usr/bin/env bash
# What piktd itself costs: daemon CPU time and peak RSS with 50 alerts.
#
# usage: bench/piktd/run.sh [FACTOR]
#
#   FACTOR  how much faster than real time the simulated clock runs
#           (default 120: each simulated hour takes 30 s of real time)
#
# Runs `cargo run --release -p pikt-sched --example sched_cost` (see
# crates/pikt-sched/examples/sched_cost.rs): an idle hour (50 alerts, none
# due), a busy hour (50 alerts, 850 real `/bin/sh -c true` runs) and 24
# simulated hours of scheduling logic alone. Prints the example's own lines,
# then a markdown table, then checks the targets (idle CPU about 0, peak RSS
# under 10 MiB); exits 1 when one is missed. Takes about 70 s.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/../.." && pwd)
factor=${1:-120}
case "$factor" in
    '' | *[!0-9]*)
        sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
        exit 2
        ;;
esac

cd "$repo"
cargo build --release --quiet -p pikt-sched --example sched_cost
raw=$(cargo run --release --quiet -p pikt-sched --example sched_cost -- all "$factor")
printf '%s\n\n' "$raw"

# One mode's line: launches, CPU seconds, peak RSS in KiB.
field() { # MODE REGEX
    grep "^$1:" <<<"$raw" | sed -nE "s/.*$2.*/\\1/p"
}
launches() { field "$1" ' ([0-9]+) launches'; }
cpu() { field "$1" 'CPU ([0-9.]+)s'; }
peak_kib() { field "$1" 'peak RSS ([0-9]+) KiB'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "| case | runs | daemon CPU | peak RSS |"
echo "|------|------|------------|----------|"
row() { # MODE LABEL PERIOD
    printf '| %s | %s | %s s per %s | %s MiB |\n' "$2" "$(launches "$1")" "$(cpu "$1")" "$3" "$(mib "$(peak_kib "$1")")"
}
row idle "idle hour (50 alerts, none due)" "simulated hour"
row real "busy hour (50 alerts, real runs)" "simulated hour"
row fake "scheduling logic only (24 h, fake runs)" "24 simulated hours"
echo

# Targets: idle CPU about 0 (under 0.05 s per hour, 0.0014 %), RSS < 10 MiB.
status=0
idle_cpu=$(cpu idle)
if awk -v c="$idle_cpu" 'BEGIN { exit !(c < 0.05) }'; then
    echo "ok: idle daemon CPU ${idle_cpu}s per hour (target: about 0, under 0.05 s)"
else
    echo "MISSED: idle daemon CPU ${idle_cpu}s per hour (target: under 0.05 s)"
    status=1
fi
for mode in idle real; do
    peak=$(peak_kib "$mode")
    if [ "$peak" -lt $((10 * 1024)) ]; then
        echo "ok: $mode peak RSS $(mib "$peak") MiB (target: under 10 MiB)"
    else
        echo "MISSED: $mode peak RSS $(mib "$peak") MiB (target: under 10 MiB)"
        status=1
    fi
done
exit "$status"
