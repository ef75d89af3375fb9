#!/usr/bin/env bash
# The imapd storm, timed: from the start of `pikt +A` to the last chico imapd
# gone, for storms of 300 and 2000 processes, the seed's shell-based
# ProcCountsChk against the native variant (ProcCountsNative), side by side,
# and the floor: the same storm killed by pikt-proc's `kill_floor` example,
# with no alert run and no checks.
#
# usage: bench/storm/run.sh [--runs N] [--sizes 300,2000]
#
# Needs root (it creates the user chico if missing and runs the storm as
# chico), python3, setpriv (util-linux). Builds the release binaries and the
# example (CARGO_TARGET_DIR is honoured) and installs the example configuration,
# with thresholds of its own (imapd: log 10, alert 100, page 0, kill 100)
# into a scratch PIKT_DIR. Paging is off because the seed pauses 5 s after
# each page, which would swamp what is measured. Results: printed, and
# written to bench/data/storm.md. See bench/README.md.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(dirname "$bench_dir")
data="$bench_dir/data"
target=${CARGO_TARGET_DIR:-$repo/target}
runs=5
sizes=300,2000

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift ;;
        --sizes) sizes=$2; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "storm bench: unknown argument \`$1\`" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [ "$(id -u)" != 0 ]; then
    echo "storm bench: run as root (the storm runs as user chico)" >&2
    exit 1
fi
for tool in python3 setpriv useradd; do
    command -v "$tool" >/dev/null || {
        echo "storm bench: missing $tool (apt-get install -y python3 util-linux passwd)" >&2
        exit 1
    }
done
id chico >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin chico

echo "storm bench: building release binaries" >&2
(cd "$repo" && cargo build --release --bins -q &&
    cargo build --release -p pikt-proc --example kill_floor -q)

site=$(mktemp -d /tmp/pikt-bench-site.XXXXXX)
trap 'rm -rf "$site"' EXIT
configs="$site/lib/configs"
mkdir -p "$configs" "$site/mail"
example="$repo/examples/pikt/lib/configs"
cp "$example/alarms.cfg" "$configs/"
sed -e "s|^mailspooldir\\b.*|mailspooldir\t$site/mail|" \
    -e "s|^mailarcdir\\b.*|mailarcdir\t$site/mail/arc|" \
    "$example/macros.cfg" > "$configs/macros.cfg"
printf 'debian\thosts\tstormhost\n' > "$configs/systems.cfg"
printf 'debug\tFALSE\n' > "$configs/defines.cfg"
printf 'ProcCounts\n\timapd\t10\t100\t0\t100\n\t\\\\*\t0\t0\t0\t0\n' > "$configs/objects.cfg"
# The seed as written with real ps and kill (PIKT_NATIVE_PS=0), the same
# script with ps and kill served in-process (the default), and the native
# variant.
variants=(seed-shell,Seed,0 seed-native-ps,Seed,1)
printf 'Seed\n\ttiming\t0 * * * *\n\talarms\tProcCountsChk\n' > "$configs/alerts.cfg"
if grep -q '^ProcCountsNative' "$configs/alarms.cfg"; then
    variants+=(native,Native,1)
    printf 'Native\n\ttiming\t0 * * * *\n\talarms\tProcCountsNative\n' >> "$configs/alerts.cfg"
else
    echo "storm bench: examples have no ProcCountsNative; timing the seed only" >&2
fi
floor="$target/release/examples/kill_floor"
variants+=(floor-pids,floor:pids,"$floor" floor-scan,floor:scan,"$floor")
PIKT_DIR=$site PIKT_HOST=stormhost "$target/release/piktc" -i +A all +O all

mkdir -p "$data"
raw="$data/storm.tsv"
python3 "$bench_dir/storm/storm.py" "$site" "$target/release/pikt" "$sizes" "$runs" \
    "${variants[@]}" | tee "$raw"

python3 - "$raw" "$data/storm.md" <<'EOF'
import statistics, sys
raw, out = sys.argv[1], sys.argv[2]
times = {}
for line in open(raw):
    label, size, gone, _ = line.split("\t")
    times.setdefault((int(size), label), []).append(float(gone))
sizes = sorted({s for s, _ in times})
rows = [
    "| storm | seed, shell `ps`/`kill` | seed, native `ps`/`kill` | native variant | shell / native variant | floor: `kill(2)` of known pids | floor: one `/proc` pass + kill |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
med = lambda v: statistics.median(v) if v else None
cell = lambda v: f"{v:.3f} s" if v is not None else "n/a"
labels = ("seed-shell", "seed-native-ps", "native", "floor-pids", "floor-scan")
for size in sizes:
    shell, served, native, pids, scan = (med(times.get((size, l))) for l in labels)
    ratio = f"{shell / native:.1f}x" if shell and native else "n/a"
    rows.append(f"| {size} | {cell(shell)} | {cell(served)} | {cell(native)} | {ratio} "
                f"| {cell(pids)} | {cell(scan)} |")
table = "\n".join(rows) + "\n"
open(out, "w").write(table)
print()
print("median time from the start of `pikt +A` to the last chico imapd gone:")
print(table, end="")
EOF
