#!/usr/bin/env bash
# The example site, installed in a scratch PIKT_DIR and run on this host in
# test mode (docs/alerts.md):
#
#   1. build pikt, piktc and piktd (release; CARGO_TARGET_DIR is honoured);
#   2. copy examples/pikt into a new temporary PIKT_DIR and the binaries
#      into its bin/;
#   3. piktc -c (check), then piktc -iev +A all +O all (install the alert
#      Urgent and the object set ProcCounts, write piktd.conf), as host `demo`;
#   4. start 25 harmless processes named `imapd` (copies of sleep, stopped
#      when the demo ends) so that the example's thresholds have something
#      to report;
#   5. pikt -T +A Urgent: the seed's ProcCountsChk runs for real, but in
#      test mode: no command it would run (page, kill, copy) is run, it is
#      printed as `exec: ...`, and the alert mail is printed, not sent.
#
# No root needed: everything is written under the scratch directory (and
# =proccounts_log, its ProcCounts.log). Needs a Rust toolchain, ps, awk.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
storm_size=25

echo "==> building pikt, piktc, piktd (release)"
(cd "$repo" && cargo build --release --bins -q)

PIKT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pikt-demo.XXXXXX")
export PIKT_DIR
export PIKT_HOST=demo
cp -r "$repo/examples/pikt/." "$PIKT_DIR/"
mkdir -p "$PIKT_DIR/bin"
for binary in pikt piktc piktd; do
    cp "$target/release/$binary" "$PIKT_DIR/bin/"
done

echo "==> piktc -c (check the configuration for every host)"
"$PIKT_DIR/bin/piktc" -c
echo "==> piktc -iev +A all +O all (install for host demo)"
"$PIKT_DIR/bin/piktc" -iev +A all +O all

stormdir=$(mktemp -d "${TMPDIR:-/tmp}/pikt-demo-storm.XXXXXX")
storm_pids=()
stop_storm() {
    if [ "${#storm_pids[@]}" -gt 0 ]; then
        kill "${storm_pids[@]}" 2>/dev/null || true
        wait 2>/dev/null || true
    fi
    rm -rf "$stormdir"
}
trap stop_storm EXIT
cp "$(command -v sleep)" "$stormdir/imapd"
echo "==> starting $storm_size processes named imapd (a small storm; stopped when the demo ends)"
for _ in $(seq "$storm_size"); do
    "$stormdir/imapd" 600 &
    storm_pids+=("$!")
done
# A started child runs the shell until it execs imapd: wait (at most 2 s)
# until every one of them shows as imapd, so the count below is exact.
for _ in $(seq 100); do
    running=0
    for pid in "${storm_pids[@]}"; do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = imapd ] && running=$((running + 1))
    done
    [ "$running" -eq "$storm_size" ] && break
    sleep 0.02
done

echo "==> pikt -T +A Urgent (test mode: nothing is killed or mailed)"
status=0
"$PIKT_DIR/bin/pikt" -T +A Urgent || status=$?

cat <<EOF

==> where things are (PIKT_DIR=$PIKT_DIR)
  configuration       $PIKT_DIR/lib/configs/*.cfg
  installed alert     $PIKT_DIR/lib/alerts/Urgent.alt (scripts), Urgent.cfg (settings)
  thresholds          $PIKT_DIR/lib/objects/ProcCounts.obj
  schedule            $PIKT_DIR/etc/piktd.conf
  alert log           $PIKT_DIR/var/log/Urgent.log
  diagnostic log      $PIKT_DIR/var/log/ProcCounts.log
Run it again:  PIKT_DIR=$PIKT_DIR PIKT_HOST=demo $PIKT_DIR/bin/pikt -T +A Urgent
EOF
exit "$status"
