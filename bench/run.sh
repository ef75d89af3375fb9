#!/usr/bin/env bash
# Whole-process benchmarks: pikt against mawk, gawk and perl on the same inputs.
#
# usage: bench/run.sh [--quick] [--without-pikt] [WORKLOAD...]
#
#   WORKLOAD        proccounts, logfilter, startup (default: all three)
#   --quick         1e5 input lines instead of 1e6, fewer hyperfine runs
#   --without-pikt  skip building and running pikt (checks the reference programs)
#
# Inputs are generated deterministically into bench/data/ (gitignored). Before
# timing, every program's output is diffed against mawk's; any difference fails
# the run. The mean times end up in a markdown table (printed, and written to
# bench/data/results.md). See bench/README.md.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
data="$bench_dir/data"

lines=1000000
hyperfine_runs=(--warmup 2 --min-runs 10)
with_pikt=1
workloads=()

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) lines=100000 hyperfine_runs=(--warmup 1 --min-runs 3) ;;
        --without-pikt) with_pikt=0 ;;
        -h | --help) usage; exit 0 ;;
        proccounts | logfilter | startup) workloads+=("$1") ;;
        *) echo "bench: unknown argument \`$1\`" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[ ${#workloads[@]} -gt 0 ] || workloads=(proccounts logfilter startup)

require_tools() {
    local missing=()
    for tool in hyperfine mawk gawk perl python3; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bench: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# Quote for hyperfine -N, which splits commands like a POSIX shell would.
q() { printf '%q' "$1"; }

# generate KIND: writes $data/KIND-$lines.txt unless an up-to-date one exists.
generate() {
    local kind=$1 file="$data/$1-$lines.txt"
    if [ ! -s "$file" ] || [ "$bench_dir/gen.py" -nt "$file" ]; then
        echo "bench: generating $file" >&2
        python3 "$bench_dir/gen.py" "$kind" "$lines" "$file.tmp"
        mv "$file.tmp" "$file"
    fi
    printf '%s' "$file"
}

build_pikt() {
    echo "bench: cargo build --release --bin pikt" >&2
    (cd "$repo" && cargo build --release --bin pikt)
    local target=${CARGO_TARGET_DIR:-target}
    case "$target" in /*) ;; *) target="$repo/$target" ;; esac
    pikt="$target/release/pikt"
    [ -x "$pikt" ] || { echo "bench: no binary at $pikt" >&2; exit 1; }
}

# render_pikt WORKLOAD INPUT: the workload's script with its paths filled in.
render_pikt() {
    local workload=$1 input=$2 out="$data/$1.pikt"
    python3 - "$bench_dir/$workload/$workload.pikt" "$out" "$input" \
        "$bench_dir/proccounts/ProcCounts.obj" <<'PY'
import sys
source, out, input_path, objects = sys.argv[1:5]
with open(source) as f:
    text = f.read()
with open(out, "w") as f:
    f.write(text.replace("@INPUT@", input_path).replace("@OBJECTS@", objects))
PY
    printf '%s' "$out"
}

# commands_for WORKLOAD: fills the parallel arrays names/commands.
commands_for() {
    local workload=$1 dir="$bench_dir/$1" input script
    names=() commands=()
    case "$workload" in
        proccounts)
            input=$(generate proccounts)
            local obj="$dir/ProcCounts.obj"
            add mawk "mawk -v obj=$(q "$obj") -f $(q "$dir/proccounts.awk") $(q "$input")"
            add gawk "gawk -v obj=$(q "$obj") -f $(q "$dir/proccounts.awk") $(q "$input")"
            add perl "perl $(q "$dir/proccounts.pl") $(q "$obj") $(q "$input")"
            ;;
        logfilter)
            input=$(generate logfilter)
            add mawk "mawk -f $(q "$dir/logfilter.awk") $(q "$input")"
            add gawk "gawk -f $(q "$dir/logfilter.awk") $(q "$input")"
            add perl "perl $(q "$dir/logfilter.pl") $(q "$input")"
            ;;
        startup)
            input=""
            add mawk "mawk -f $(q "$dir/startup.awk")"
            add gawk "gawk -f $(q "$dir/startup.awk")"
            add perl "perl $(q "$dir/startup.pl")"
            ;;
    esac
    if [ "$with_pikt" = 1 ]; then
        if [ "$workload" = startup ]; then
            script="$dir/startup.pikt"
        else
            script=$(render_pikt "$workload" "$input")
        fi
        names=(pikt "${names[@]}")
        commands=("$(q "$pikt") $(q "$script")" "${commands[@]}")
    fi
}

add() {
    names+=("$1")
    commands+=("$2")
}

# check_outputs WORKLOAD: every program must print exactly what mawk prints.
check_outputs() {
    local workload=$1 out_dir="$data/out" i failed=0
    mkdir -p "$out_dir"
    for i in "${!names[@]}"; do
        # The commands are built from quoted paths only, so eval is safe here.
        eval "${commands[$i]}" >"$out_dir/$workload.${names[$i]}" || {
            echo "bench: $workload: \`${names[$i]}\` exited with status $?" >&2
            failed=1
        }
    done
    for i in "${!names[@]}"; do
        [ "${names[$i]}" = mawk ] && continue
        if ! diff -u "$out_dir/$workload.mawk" "$out_dir/$workload.${names[$i]}" \
            >"$out_dir/$workload.${names[$i]}.diff"; then
            echo "bench: $workload: ${names[$i]} output differs from mawk's:" >&2
            head -n 20 "$out_dir/$workload.${names[$i]}.diff" >&2
            failed=1
        fi
    done
    [ "$failed" = 0 ] || exit 1
    echo "bench: $workload: ${#names[@]} programs agree ($(wc -l <"$out_dir/$workload.mawk") lines)" >&2
}

time_workload() {
    local workload=$1 args=() i
    for i in "${!names[@]}"; do
        args+=(--command-name "${names[$i]}" "${commands[$i]}")
    done
    hyperfine -N "${hyperfine_runs[@]}" --export-json "$data/$workload.json" "${args[@]}"
}

main() {
    require_tools
    mkdir -p "$data"
    if [ "$with_pikt" = 1 ]; then
        build_pikt
    fi
    for workload in "${workloads[@]}"; do
        commands_for "$workload"
        check_outputs "$workload"
    done
    for workload in "${workloads[@]}"; do
        commands_for "$workload"
        time_workload "$workload"
    done
    echo
    echo "Results ($lines input lines; $(uname -m), $(nproc) cores):"
    echo
    python3 "$bench_dir/summary.py" "$data/results.md" "$data" "${workloads[@]}"
}

main
