#!/usr/bin/env python3
"""Times an imapd storm handled by `pikt +A`: from the start of the alert run
to the moment the last of chico's imapd processes is gone.

usage: storm.py PIKT_DIR PIKT SIZES RUNS VARIANT...

A VARIANT is LABEL,ALERT,NATIVE_PS: the label printed, the alert run, and
whether pikt may serve ps/kill natively (PIKT_NATIVE_PS=0 when it is 0). For
every storm size, RUNS times, every variant in turn: start SIZE copies of
sleep named `imapd` as user chico (one shell forks them and stays their
parent, so a killed process is reaped at once and a zombie never counts as
alive; a zombie counts as gone), wait until all show in
/proc, start `pikt +A ALERT`, poll /proc until none of them is left, then wait
for pikt to exit. Prints one tab-separated line per measurement:
`LABEL SIZE SECONDS_TO_GONE SECONDS_TO_EXIT`. Needs root (setpriv --reuid).

A VARIANT LABEL,floor:MODE,PROGRAM times the floor instead of pikt: PROGRAM is
pikt-proc's `kill_floor` example, run as `kill_floor pids FILE` (MODE `pids`:
kill(2) on the storm's pids, known before the clock starts, no /proc read) or
`kill_floor scan UID imapd` (MODE `scan`: one pass over /proc, then SIGKILL
through each match's /proc fd, no check, no alert run around it).
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

USER = "chico"
COMM = "imapd"
STORM_SCRIPT = r"""
i=0
while [ "$i" -lt "$2" ]; do
    "$1" 600 &
    echo "$!"
    i=$((i + 1))
done
echo started
wait
"""


def stat_of(pid):
    """(state, start time) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name is in parentheses and may hold anything.
    rest = data[data.rfind(")") + 2:].split()
    return rest[0], rest[19]


def start_storm(program, size):
    """The storm's shell and {pid: start time} of its processes."""
    shell = subprocess.Popen(
        ["setpriv", "--reuid", USER, "--regid", USER, "--init-groups",
         "sh", "-c", STORM_SCRIPT, "storm", program, str(size)],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    pids = []
    for line in shell.stdout:
        line = line.strip()
        if line == "started":
            break
        pids.append(int(line))
    if len(pids) != size:
        shell.kill()
        sys.exit(f"storm: started {len(pids)} of {size} processes")
    processes = {}
    deadline = time.monotonic() + 30
    for pid in pids:
        while True:
            stat = stat_of(pid)
            if stat and stat[0] != "Z" and comm_of(pid) == COMM:
                processes[pid] = stat[1]
                break
            if time.monotonic() > deadline:
                shell.kill()
                sys.exit(f"storm: process {pid} never showed as {COMM}")
            time.sleep(0.001)
    return shell, processes


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def is_alive(pid, started):
    """Not gone, not a zombie, not a reused pid."""
    stat = stat_of(pid)
    return bool(stat) and stat[0] != "Z" and stat[1] == started


def alive(processes):
    """The storm processes still alive."""
    return {pid: started for pid, started in processes.items() if is_alive(pid, started)}


def command_of(pikt_dir, pikt, alert, native_ps, folder, processes):
    """The command a variant times, and its environment."""
    if alert.startswith("floor:"):
        mode, floor = alert[len("floor:"):], native_ps
        if mode == "pids":
            pid_file = os.path.join(folder, "pids")
            with open(pid_file, "w") as f:
                f.write("".join(f"{pid}\n" for pid in processes))
            return [floor, "pids", pid_file], None
        return [floor, "scan", str(pwd.getpwnam(USER).pw_uid), COMM], None
    env = dict(os.environ, PIKT_DIR=pikt_dir, PIKT_HOST="stormhost",
               PIKT_NATIVE_PS=native_ps)
    return [pikt, "+M", "cat > /dev/null", "+A", alert], env


def measure(pikt_dir, pikt, program, alert, native_ps, size):
    shell, processes = start_storm(program, size)
    command, env = command_of(pikt_dir, pikt, alert, native_ps,
                              os.path.dirname(program), processes)
    started = time.monotonic()
    run = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                           if env is None else None)
    # Each look reads one /proc file: the newest process not yet seen gone.
    # A sweep over all of them would take milliseconds and compete with pikt
    # for the CPU; this way the whole wait reads each file about once.
    pending = list(processes.items())
    gone = None
    while gone is None:
        while pending and not is_alive(*pending[-1]):
            pending.pop()
        if not pending:
            gone = time.monotonic() - started
        elif run.poll() is not None and time.monotonic() - started > 60:
            break
        else:
            time.sleep(0.0002)
    status = run.wait()
    exited = time.monotonic() - started
    for pid in alive(processes):
        os.kill(pid, 9)
    shell.wait()
    if gone is None or status != 0:
        sys.exit(f"storm: {alert} on {size}: {command[0]} exited {status}, "
                 f"{len(alive(processes))} processes left")
    return gone, exited


def main():
    pikt_dir, pikt, sizes, runs, *variants = sys.argv[1:]
    folder = tempfile.mkdtemp(prefix="pikt-bench-storm-", dir="/tmp")
    try:
        os.chmod(folder, 0o755)
        program = os.path.join(folder, COMM)
        shutil.copy("/bin/sleep", program)
        os.chmod(program, 0o755)
        # Run after run, every variant once: a load that comes and goes on the
        # host then weighs on all of them alike.
        for size in [int(s) for s in sizes.split(",")]:
            for _ in range(int(runs)):
                for variant in variants:
                    label, alert, native_ps = variant.split(",")
                    gone, exited = measure(pikt_dir, pikt, program, alert, native_ps, size)
                    print(f"{label}\t{size}\t{gone:.4f}\t{exited:.4f}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
