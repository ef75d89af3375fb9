#!/usr/bin/env bash
# Whole-process benchmarks: pikt against mawk, gawk and perl on the same inputs.
#
# usage: bench/run.sh [--quick] [--rounds N] [--check | --callgrind] [--without-pikt] [--all] [WORKLOAD...]
#
#   WORKLOAD        proccounts, proccounts-user, logfilter, logfilter-user, fields,
#                   regex, arith, strings, history, logfile, startup (default: all
#                   of them); also storm and piktd, which run bench/storm/run.sh
#                   and bench/piktd/run.sh
#   --quick         1e5 input lines instead of 1e6, 5 rounds instead of 9
#   --rounds N      N paired rounds per workload
#   --check         only check the outputs (and measure peak memory), no timing
#   --callgrind     instead of timing, count pikt's and mawk's instructions
#   --without-pikt  skip building and running pikt (checks the reference programs)
#   --all           the comparison workloads, then storm and piktd
#
# Inputs are generated deterministically into bench/data/ (gitignored). Before
# timing, every program's output is compared with mawk's; any difference fails
# the run. Times are medians of paired, interleaved rounds (bench.py); the
# tables are printed and written to bench/data/results.md. See bench/README.md.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
data="$bench_dir/data"

lines=1000000
rounds=9
with_pikt=1
callgrind=0
check=0
all=0
workloads=()
extras=()

usage() {
    sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) lines=100000 rounds=5 ;;
        --rounds) rounds=$2; shift ;;
        --callgrind) callgrind=1 ;;
        --check) check=1 ;;
        --without-pikt) with_pikt=0 ;;
        --all) all=1 ;;
        -h | --help) usage; exit 0 ;;
        storm | piktd) extras+=("$1") ;;
        -*) echo "bench: unknown option \`$1\`" >&2; usage >&2; exit 2 ;;
        *) workloads+=("$1") ;;
    esac
    shift
done
# Naming only storm or piktd skips the comparison workloads.
skip_comparison=0
if [ "$all" = 1 ]; then
    extras=(storm piktd)
elif [ ${#workloads[@]} -eq 0 ] && [ ${#extras[@]} -gt 0 ]; then
    skip_comparison=1
fi

require_tools() {
    local missing=() tools=(mawk gawk perl python3)
    [ "$callgrind" = 0 ] || tools+=(valgrind)
    for tool in "${tools[@]}"; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [ -x /usr/bin/time ] || missing+=(time)    # GNU time, for the peak memory
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bench: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

build_pikt() {
    echo "bench: cargo build --release --bin pikt" >&2
    (cd "$repo" && cargo build --release --bin pikt)
    local target=${CARGO_TARGET_DIR:-target}
    case "$target" in /*) ;; *) target="$repo/$target" ;; esac
    pikt="$target/release/pikt"
    [ -x "$pikt" ] || { echo "bench: no binary at $pikt" >&2; exit 1; }
}

main() {
    local status=0
    if [ "$skip_comparison" = 0 ]; then
        require_tools
        mkdir -p "$data"
        local args=(--data "$data" --lines "$lines" --rounds "$rounds")
        if [ "$with_pikt" = 1 ]; then
            build_pikt
            args+=(--pikt "$pikt")
        fi
        [ "$callgrind" = 0 ] || args+=(--callgrind)
        [ "$check" = 0 ] || args+=(--check)
        (cd "$repo" && python3 "$bench_dir/bench.py" "${args[@]}" "${workloads[@]}") || status=$?
    fi
    for extra in "${extras[@]}"; do
        echo "bench: $extra" >&2
        "$bench_dir/$extra/run.sh" || status=$?
    done
    return "$status"
}

main
