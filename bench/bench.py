#!/usr/bin/env python3
"""Check, then time, pikt against mawk, gawk and perl on the comparison workloads.

    bench.py --data DIR [--lines N] [--rounds R] [--pikt PATH] [--callgrind | --check] WORKLOAD...

1. Check: every program runs once, under GNU time for its peak memory (max RSS);
   its output must be byte-identical to mawk's.
   A reference program (gawk, perl) that differs stops everything (the benchmark
   itself is wrong); pikt differing marks the workload FAILED (its diff is kept in
   DIR/out/) and the others go on; the exit status is then 1.
2. Time: R rounds per workload; in each round pikt and mawk run back to back
   (pikt first in even rounds, mawk first in odd ones), then, in every third
   round, gawk and perl (their times are for information). Each
   run's wall time is measured around posix_spawn and wait4(2), its CPU time
   comes from wait4's rusage; its output is compared again. The ratio that counts is the median over the rounds of
   pikt's time / mawk's time in the same round, so drift of the machine's load
   cancels.
   With --callgrind, instead of timing: instruction counts of pikt and mawk
   under `valgrind --tool=callgrind` (which the load does not change). With
   --check, no timing at all.
3. Results: DIR/results.json, and the tables (summary.py) printed and written
   to DIR/results.md (DIR/callgrind.json and .md with --callgrind).
"""

import argparse
import datetime
import filecmp
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import summary
import workloads


class BenchError(Exception):
    pass


def spawn(argv, env, out_fd, err_fd):
    """Run ARGV to completion; return (exit status, wall seconds, CPU seconds)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_fd, 1),
        (os.POSIX_SPAWN_DUP2, err_fd, 2),
    ]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime


class PeakMemory:
    """Wraps steps in GNU time to read their peak RSS.

    The child's own ru_maxrss is useless here: a process started by this Python
    runner counts the runner's resident memory (about 30 MiB) as its own until it
    execs. GNU time is small (about 1 MiB), so its children start from that."""

    def __init__(self, path):
        self.path = path
        self.peak_kib = 0

    def wrap(self, argv, _step):
        return ["/usr/bin/time", "-f", "%M", "-o", self.path] + argv

    def after(self):
        with open(self.path) as f:
            self.peak_kib = max(self.peak_kib, int(f.read().split()[-1]))


def run_program(program, out_path, wrapper=None):
    """One run of PROGRAM: the reset, then every step, their output in OUT_PATH.

    Returns the wall and CPU seconds summed over the steps; raises BenchError if
    a step fails. WRAPPER.wrap(argv, step number) may rewrite each step's command
    (GNU time, valgrind); WRAPPER.after() runs after each step.
    """
    if program.reset:
        program.reset()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    out_fd = os.open(out_path, flags, 0o644)
    err_fd = os.open(out_path + ".err", flags, 0o644)
    wall = cpu = 0.0
    try:
        for number, step in enumerate(program.steps):
            if step.before:
                step.before()
            env = dict(os.environ, **step.env)
            argv = wrapper.wrap(step.argv, number) if wrapper else step.argv
            code, step_wall, step_cpu = spawn(argv, env, out_fd, err_fd)
            if code != 0:
                raise BenchError("`%s` exited with status %d; its standard error is in %s.err"
                                 % (" ".join(step.argv), code, out_path))
            if wrapper:
                wrapper.after()
            wall += step_wall
            cpu += step_cpu
    finally:
        os.close(out_fd)
        os.close(err_fd)
    return wall, cpu


def diff(expected, actual, out):
    result = subprocess.run(["diff", "-u", expected, actual], stdout=subprocess.PIPE, text=True)
    with open(out, "w") as f:
        f.write(result.stdout)
    return "\n".join(result.stdout.splitlines()[:20])


def check(workload, out_dir):
    """Run every program once, under GNU time for its peak memory.

    Returns mawk's output (the expected one), {"pikt": reason} if pikt failed or
    printed something else, and {tool: peak RSS in KiB}. The reference programs
    must agree with mawk, or the benchmark itself is broken."""
    outputs = {}
    failures = {}
    memory = {}
    for program in workload.programs:
        path = os.path.join(out_dir, "%s.%s" % (workload.name, program.tool))
        peak = PeakMemory(path + ".rss")
        try:
            run_program(program, path, peak)
            memory[program.tool] = peak.peak_kib
        except BenchError as e:
            if program.tool != "pikt":
                raise
            failures["pikt"] = str(e)
            continue
        outputs[program.tool] = path
    expected = outputs.get("mawk")
    if expected is None:
        raise BenchError("%s: no mawk program" % workload.name)
    for tool, path in outputs.items():
        if tool == "mawk" or filecmp.cmp(expected, path, shallow=False):
            continue
        shown = diff(expected, path, path + ".diff")
        message = "%s: %s's output differs from mawk's (%s.diff):\n%s" % (workload.name, tool, path, shown)
        if tool != "pikt":
            raise BenchError(message)
        failures[tool] = "output differs from mawk's; see %s.diff" % path
        print("bench: " + message, file=sys.stderr)
    lines = sum(1 for _ in open(expected, "rb"))
    status = "pikt FAILED" if failures else "%d programs agree" % len(outputs)
    print("bench: %s: %s (%d lines)" % (workload.name, status, lines), flush=True)
    return expected, failures, memory


# gawk and perl are timed in one round out of this many: their times are for
# information, the ratio that counts is pikt's to mawk's, and they take most of
# a round's time.
OTHERS_EVERY = 3


def round_order(programs, round_number):
    """pikt and mawk back to back, then (every third round) gawk and perl;
    reversed every other round."""
    rank = {tool: i for i, tool in enumerate(workloads.TOOLS)}
    ordered = sorted(programs, key=lambda p: rank[p.tool])
    if round_number % OTHERS_EVERY != 0:
        ordered = [p for p in ordered if p.tool in ("pikt", "mawk")]
    return ordered if round_number % 2 == 0 else ordered[::-1]


def time_workload(workload, expected, rounds, out_dir):
    """Paired, interleaved runs; returns {tool: {"round": [...], "wall": [...], "cpu": [...]}}."""
    timed = [p for p in workload.programs if p.timed]
    samples = {p.tool: {"round": [], "wall": [], "cpu": []} for p in timed}
    for number in range(rounds * workload.repeat):
        for program in round_order(timed, number):
            path = os.path.join(out_dir, "%s.%s.timed" % (workload.name, program.tool))
            wall, cpu = run_program(program, path)
            if not filecmp.cmp(expected, path, shallow=False):
                raise BenchError("%s: %s printed something else in round %d (%s)"
                                 % (workload.name, program.tool, number + 1, path))
            samples[program.tool]["round"].append(number)
            samples[program.tool]["wall"].append(wall)
            samples[program.tool]["cpu"].append(cpu)
        print("bench: %s: round %d/%d" % (workload.name, number + 1, rounds * workload.repeat),
              end="\r", flush=True)
    print("bench: %s: %d rounds timed   " % (workload.name, rounds * workload.repeat), flush=True)
    return samples


class Callgrind:
    """Wraps steps in valgrind's callgrind, children included (logfile.sh's awk)."""

    def __init__(self, directory):
        self.directory = directory

    def wrap(self, argv, number):
        return ["valgrind", "--tool=callgrind", "--trace-children=yes",
                "--callgrind-out-file=%s/%d.%%p" % (self.directory, number)] + argv

    def after(self):
        pass


def callgrind_counts(workload, expected, out_dir):
    """Instructions executed by pikt and mawk (every process of every step)."""
    counts = {}
    for program in workload.programs:
        if program.tool not in ("pikt", "mawk"):
            continue
        directory = os.path.join(out_dir, "callgrind")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)

        path = os.path.join(out_dir, "%s.%s.callgrind" % (workload.name, program.tool))
        run_program(program, path, Callgrind(directory))
        if not filecmp.cmp(expected, path, shallow=False):
            raise BenchError("%s: %s printed something else under valgrind (%s)"
                             % (workload.name, program.tool, path))
        total = 0
        for name in glob.glob(os.path.join(directory, "*")):
            with open(name) as f:
                match = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
            total += int(match.group(1)) if match else 0
        counts[program.tool] = total
        print("bench: %s: %s %.1f M instructions" % (workload.name, program.tool, total / 1e6), flush=True)
    return counts


def paired_medians(samples, key):
    """{tool: median over rounds of tool's KEY / mawk's KEY in the same round}."""
    ratios = {}
    for tool in samples:
        per_round = summary.round_ratios(samples, tool, key)
        if tool != "mawk" and per_round:
            ratios[tool] = statistics.median(per_round)
    return ratios


def describe(samples):
    return {
        tool: {
            "wall_median": statistics.median(s["wall"]),
            "wall_min": min(s["wall"]),
            "cpu_median": statistics.median(s["cpu"]),
        }
        for tool, s in samples.items()
    }


def machine():
    def git(*args):
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "host": "%s, %d cores" % (platform.machine(), os.cpu_count()),
        "commit": git("rev-parse", "--short", "HEAD") + (" (modified)" if git("status", "--porcelain") else ""),
        "load_before": os.getloadavg(),
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--pikt", help="the pikt binary (omit to run only the reference programs)")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--check", action="store_true", help="only check the outputs and the peak memory")
    parser.add_argument("workloads", nargs="*")
    args = parser.parse_args()
    unknown = [w for w in args.workloads if w not in workloads.WORKLOADS]
    if unknown:
        parser.error("unknown workload %s (known: %s)" % (", ".join(unknown), ", ".join(workloads.WORKLOADS)))
    args.workloads = args.workloads or list(workloads.WORKLOADS)
    return args


def main():
    args = parse_args()
    bench_dir = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(args.data, "out")
    os.makedirs(out_dir, exist_ok=True)
    ctx = workloads.Context(bench_dir, args.data, args.lines, args.pikt)
    mode = "callgrind" if args.callgrind else "check" if args.check else "time"
    results = {"lines": args.lines, "rounds": args.rounds, "mode": mode,
               "machine": machine(), "workloads": []}
    try:
        built = [workloads.build(name, ctx) for name in args.workloads]
        checked = [(w,) + check(w, out_dir) for w in built]
        for workload, expected, failures, memory in checked:
            entry = {
                "name": workload.name, "title": workload.title, "ratio_target": workload.ratio,
                "ms_target": workload.ms, "failures": failures, "rss_kib": memory,
                "untimed": {p.tool: p.note for p in workload.programs if not p.timed},
            }
            if args.callgrind:
                entry["instructions"] = callgrind_counts(workload, expected, out_dir)
            elif not failures and not args.check:
                samples = time_workload(workload, expected, args.rounds, out_dir)
                entry.update(samples=samples, stats=describe(samples),
                             ratio=paired_medians(samples, "wall"), cpu_ratio=paired_medians(samples, "cpu"))
            results["workloads"].append(entry)
    except BenchError as e:
        sys.exit("bench: %s" % e)
    results["machine"]["load_after"] = os.getloadavg()
    stem = os.path.join(args.data, "callgrind" if args.callgrind else "results")
    with open(stem + ".json", "w") as f:
        json.dump(results, f, indent=1)
    table = summary.render(results)
    print()
    print(table)
    with open(stem + ".md", "w") as f:
        f.write(table)
    if any(w["failures"] for w in results["workloads"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
