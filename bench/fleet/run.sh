#!/usr/bin/env bash
# Installing a site on many hosts: piktc against an Ansible-style ssh fan-out.
#
# usage: bench/fleet/run.sh [--runs R] [--jobs J] [--sizes "1 10 50"]
#
#   --runs R     interleaved runs per size and contender (default 3)
#   --jobs J     hosts at once, for both contenders (default 16, piktc's default)
#   --sizes S    how many hosts per measurement (default "1 10 50")
#
# Needs root, iproute2, util-linux and openssh-server/-client (bin/install-deps).
# Starts the largest size of hosts, each its own network namespace with sshd
# (10.214.0.0/24, names bh01..., bridge pkb0; removed at the end), builds the
# release binaries, writes a site (bench/fleet/site.py: the example site plus
# 40 alerts, 40 object sets, 15 files: about 140 files per host) and, for each
# size, alternates:
#
#   piktc    `piktc -ie ALL +H firstN`: render, check, bundle, ssh, apply;
#   fan-out  per host `ssh HOST mkdir ... && scp -r` of the same files,
#            rendered beforehand (not timed), through `xargs -P J`, with
#            Ansible's ssh settings (ControlMaster=auto, ControlPersist=60s).
#
# Every run starts from hosts with the binaries and nothing installed. It
# records the wall time, the master's CPU (user+sys of the command and the
# children it waited for: piktc or xargs, and the ssh clients) and each
# host's own time (piktc: from piktc.log; fan-out: around its ssh and scp).
# Prints a markdown table, also written to bench/data/fleet.md. See
# docs/scale.md.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/../.." && pwd)
data="$repo/bench/data/fleet"
runs=3
jobs=16
sizes="1 10 50"

PREFIX=pkb-
BRIDGE=pkb0
SUBNET=10.214.0
LOCK=/run/lock/pikt-bench-fleet.lock
MASTER=benchmaster

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift ;;
        --jobs) jobs=$2; shift ;;
        --sizes) sizes=$2; shift ;;
        -h | --help) sed -n '2,27s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "bench: unknown argument \`$1\`" >&2; exit 2 ;;
    esac
    shift
done
max=0
for n in $sizes; do [ "$n" -gt "$max" ] && max=$n; done
[ "$max" -le 200 ] || { echo "bench: at most 200 hosts" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

hostname_of() { printf 'bh%02d' "$1"; }

# Removes every namespace, link and file a run made (also a crashed one).
cleanup() {
    local ns p l
    for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX" || true); do
        for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PREFIX" || true); do
        ip link del "$l" 2>/dev/null || true
    done
    ip link del "$BRIDGE" 2>/dev/null || true
    rm -rf "$data/hosts" "$data/ctl" "$data/etc"
}

exec 9>"$LOCK"
flock -w 900 9 || { echo "bench: $LOCK is held by another run" >&2; exit 1; }
cleanup
trap cleanup EXIT
mkdir -p "$data"

echo "bench: cargo build --release --bins" >&2
(cd "$repo" && cargo build --release --quiet --bins)
target=${CARGO_TARGET_DIR:-$repo/target}
bin="$target/release"

# --- hosts -------------------------------------------------------------------
hosts_dir="$data/hosts"
mkdir -p "$hosts_dir" /run/sshd
chmod 755 "$data" "$hosts_dir"
[ -f "$data/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$data/id_ed25519"
ip link add "$BRIDGE" type bridge
ip addr add "$SUBNET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
: >"$data/known_hosts"
# Each host's /etc is a copy of the machine's (bind-mounted over /etc in its
# mount namespace), with its own hosts, an empty resolv.conf and an empty
# pikt: the machine's /etc/pikt is never made or mounted on.
mkdir -p "$data/etc"
cp -a /etc/. "$data/etc/"
rm -rf "$data/etc/pikt" "$data/etc/hosts" "$data/etc/resolv.conf"
{
    echo "127.0.0.1 localhost"
    echo "$SUBNET.1 $MASTER"
    for i in $(seq 1 "$max"); do echo "$SUBNET.$((10 + i)) $(hostname_of "$i")"; done
} >"$data/etc/hosts"
: >"$data/etc/resolv.conf"
for i in $(seq 1 "$max"); do
    h=$(hostname_of "$i") ip=$SUBNET.$((10 + i)) d=$hosts_dir/$h
    mkdir -p "$d/ssh"
    cp -a "$data/etc" "$d/etc"
    mkdir -p "$d/etc/pikt/bin"
    ln -s etc/pikt "$d/root"
    chmod 755 "$d" "$d/ssh" "$d/etc/pikt"
    ssh-keygen -q -t ed25519 -N '' -f "$d/ssh/host_ed25519"
    cp "$data/id_ed25519.pub" "$d/ssh/authorized_keys"
    for b in pikt piktc piktd; do ln "$bin/$b" "$d/root/bin/$b" 2>/dev/null || cp "$bin/$b" "$d/root/bin/$b"; done
    cat >"$d/ssh/sshd_config" <<CFG
ListenAddress $ip
HostKey $d/ssh/host_ed25519
PidFile none
AuthorizedKeysFile $d/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
MaxStartups 100:30:200
LogLevel ERROR
CFG
    echo "$h,$ip $(cut -d' ' -f1,2 "$d/ssh/host_ed25519.pub")" >>"$data/known_hosts"
    ns=$PREFIX$h
    ip netns add "$ns"
    ip link add "${PREFIX}v$i" type veth peer name eth0 netns "$ns"
    ip link set "${PREFIX}v$i" master "$BRIDGE" up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    # In a subshell, so that the shell does not report the host's end.
    (setsid ip netns exec "$ns" unshare --mount --uts --pid --fork --kill-child --mount-proc \
        --propagation private /bin/sh -c "hostname $h && mount --bind $d/etc /etc && \
        exec /usr/sbin/sshd -D -e -f $d/ssh/sshd_config" >"$d/sshd.log" 2>&1 </dev/null &)
done
for i in $(seq 1 "$max"); do
    ip=$SUBNET.$((10 + i))
    for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/$ip/22") 2>/dev/null && break; sleep 0.05; done
done
{
    for i in $(seq 1 "$max"); do printf 'Host %s\n  HostName %s\n' "$(hostname_of "$i")" "$SUBNET.$((10 + i))"; done
    printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n' \
        "$data/id_ed25519" "$data/known_hosts"
} >"$data/ssh_config"
echo "bench: $max hosts up" >&2

# --- the master --------------------------------------------------------------
master="$data/master"
rm -rf "$master"
all_hosts=()
for i in $(seq 1 "$max"); do all_hosts+=("$(hostname_of "$i")"); done
python3 "$bench_dir/site.py" "$repo/examples/pikt/lib/configs" "$master" "$MASTER" "${all_hosts[@]}"
printf 'piktc_jobs %s\n' "$jobs" >"$master/etc/PIKT.conf"
piktc() { PIKT_DIR=$master PIKT_HOST=$MASTER PIKT_SSH_CONFIG=$data/ssh_config "$bin/piktc" "$@"; }
piktc -c >&2

# Nothing installed: each run installs everything.
reset_hosts() {
    local i d
    for i in $(seq 1 "$max"); do
        d=$hosts_dir/$(hostname_of "$i")/root
        rm -rf "$d/lib" "$d/etc" "$d/var" "$d/site"
    done
}

# The files the fan-out copies: what piktc installed on each host.
render_dir="$data/render"
reset_hosts
piktc -ie ALL +H "first$max" >/dev/null 2>&1
rm -rf "$render_dir"
for h in "${all_hosts[@]}"; do
    mkdir -p "$render_dir/$h"
    cp -a "$hosts_dir/$h/root/lib" "$hosts_dir/$h/root/etc" "$hosts_dir/$h/root/site" "$render_dir/$h/"
done

ctl="$data/ctl"
fanout_one() {
    local h=$1 start end
    start=$(date +%s.%N)
    ssh -F "$data/ssh_config" -o BatchMode=yes -o ControlMaster=auto -o ControlPersist=60s \
        -o ControlPath="$ctl/%C" "$h" 'mkdir -p /etc/pikt' &&
        scp -F "$data/ssh_config" -o BatchMode=yes -o ControlMaster=auto -o ControlPersist=60s \
            -o ControlPath="$ctl/%C" -rqp "$render_dir/$h/lib" "$render_dir/$h/etc" "$render_dir/$h/site" "$h:/etc/pikt/"
    end=$(date +%s.%N)
    awk -v h="$h" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.3f\n", h, e - s }' 
}
export -f fanout_one
export data ctl render_dir

# measure NAME N COMMAND...: runs COMMAND, appends "NAME N real user sys" to results.
results="$data/results.txt"
: >"$results"
rm -f "$data"/piktc-hosts-*.txt "$data"/fanout-hosts-*.txt
measure() {
    local name=$1 n=$2
    shift 2
    local t
    TIMEFORMAT='%R %U %S'
    t=$( { time "$@" >"$data/out-$name-$n.txt" 2>&1; } 2>&1 )
    echo "$name $n $t" >>"$results"
}

fanout() {
    local n=$1
    mkdir -p "$ctl"
    chmod 700 "$ctl"
    printf '%s\n' "${all_hosts[@]:0:n}" | xargs -P "$jobs" -I{} bash -c 'fanout_one {}' >"$data/fanout-hosts-$n.txt"
}

close_fanout_masters() {
    local h
    for h in "${all_hosts[@]}"; do
        ssh -F "$data/ssh_config" -o ControlPath="$ctl/%C" -O exit "$h" >/dev/null 2>&1 || true
    done
}

for n in $sizes; do
    for r in $(seq 1 "$runs"); do
        echo "bench: $n host(s), run $r of $runs" >&2
        reset_hosts
        : >"$master/var/log/piktc.log" 2>/dev/null || true
        measure piktc "$n" piktc -ie ALL +H "first$n"
        grep -o "INFO bh[0-9]*: ok: .* ([0-9.]*s)" "$master/var/log/piktc.log" |
            sed 's/^INFO \(bh[0-9]*\): .*(\([0-9.]*\)s)$/\1 \2/' >"$data/piktc-hosts-$n-$r.txt"
        ok=$(wc -l <"$data/piktc-hosts-$n-$r.txt")
        [ "$ok" = "$n" ] || { echo "bench: piktc installed $ok of $n hosts" >&2; cat "$data/out-piktc-$n.txt" >&2; exit 1; }
        reset_hosts
        measure fanout "$n" fanout "$n"
        cp "$data/fanout-hosts-$n.txt" "$data/fanout-hosts-$n-$r.txt"
        close_fanout_masters
        [ "$(wc -l <"$data/fanout-hosts-$n.txt")" = "$n" ] || { echo "bench: the fan-out missed hosts" >&2; exit 1; }
    done
done

python3 - "$data" "$results" "$runs" "$jobs" <<'PY' | tee "$repo/bench/data/fleet.md"
import glob, statistics, sys
data, results, runs, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = {}
for line in open(results):
    name, n, real, user, sys_ = line.split()
    rows.setdefault((name, int(n)), []).append((float(real), float(user) + float(sys_)))
def host_times(name, n):
    times = []
    for path in glob.glob("%s/%s-hosts-%d-*.txt" % (data, name, n)):
        times += [float(l.split()[1]) for l in open(path) if l.strip()]
    return times
print("| hosts | contender | wall (median of %d) | rounds (hosts / %d at once) | wall per round | master CPU | master CPU per host | per host: mean / max |" % (runs, jobs))
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for (name, n) in sorted(rows, key=lambda k: (k[1], k[0] != "piktc")):
    got = rows[(name, n)]
    wall = statistics.median(r[0] for r in got)
    cpu = statistics.median(r[1] for r in got)
    rounds = -(-n // jobs)
    times = host_times(name, n)
    per = "%.2f / %.2f s" % (statistics.mean(times), max(times)) if times else "-"
    print("| %d | %s | %.2f s | %d | %.2f s | %.2f s | %.3f s | %s |" % (n, name, wall, rounds, wall / rounds, cpu, cpu / n, per))
PY
