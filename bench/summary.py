#!/usr/bin/env python3
"""The markdown tables of a bench/run.sh run, from its results.json.

    summary.py RESULTS.json     -- print the tables again

bench.py calls render() itself at the end of a run.
"""

import json
import sys

TOOLS = ["pikt", "mawk", "gawk", "perl"]
MEMORY_MARGIN_MIB = 10


def ms(seconds):
    value = seconds * 1000
    return "%.2f ms" % value if value < 10 else "%.1f ms" % value


def mib(kib):
    return "%.1f MiB" % (kib / 1024)


def header(results):
    m = results["machine"]
    load = lambda triple: "/".join("%.1f" % x for x in triple)
    what = {
        "callgrind": "callgrind instruction counts",
        "check": "outputs checked, not timed",
        "time": "medians of %d paired, interleaved rounds" % results["rounds"],
    }[results["mode"]]
    return ("%d input lines, %s; %s, %s; pikt at %s; load average (1/5/15 min) %s before, %s after."
            % (results["lines"], what, m["date"], m["host"], m["commit"],
               load(m["load_before"]), load(m.get("load_after", m["load_before"]))))


def target_text(w):
    if w["ms_target"] is not None:
        return "≤ %g ms" % w["ms_target"]
    if w["ratio_target"] is not None:
        return "≤ %g×" % w["ratio_target"]
    return "—"


def verdict(w):
    """met / missed for the time target, from the paired median (or pikt's median)."""
    if w["failures"]:
        return "**FAILED**: " + "; ".join("%s %s" % kv for kv in w["failures"].items())
    stats, ratio = w.get("stats", {}), w.get("ratio", {})
    if "pikt" not in stats:
        return "—"
    if w["ms_target"] is not None:
        ok = stats["pikt"]["wall_median"] * 1000 <= w["ms_target"]
    elif w["ratio_target"] is not None and "pikt" in ratio:
        ok = ratio["pikt"] <= w["ratio_target"]
    else:
        return "—"
    return "met" if ok else "**missed**"


def time_cell(w, tool, notes):
    if tool in w["untimed"]:
        notes.append("%s on %s: %s." % (tool, w["name"], w["untimed"][tool]))
        return "not timed [%d]" % len(notes)
    stats = w.get("stats", {}).get(tool)
    return ms(stats["wall_median"]) if stats else "—"


def round_ratios(samples, tool, key):
    """TOOL's KEY ("wall" or "cpu") divided by mawk's, for each round both ran in."""
    if tool not in samples or "mawk" not in samples:
        return []
    mawk = dict(zip(samples["mawk"]["round"], samples["mawk"][key]))
    return [value / mawk[number] for number, value in zip(samples[tool]["round"], samples[tool][key])
            if mawk.get(number)]


def ratio_cell(w, key):
    """The paired median, and the range of the per-round ratios."""
    value = w.get(key, {}).get("pikt")
    if value is None:
        return "—"
    ratios = round_ratios(w.get("samples", {}), "pikt", "wall" if key == "ratio" else "cpu")
    if not ratios:
        return "%.2f" % value
    return "%.2f (%.2f–%.2f)" % (value, min(ratios), max(ratios))


def time_table(results, notes):
    rows = [
        "| workload | pikt | mawk | gawk | perl | pikt/mawk | pikt/mawk CPU | target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for w in results["workloads"]:
        cells = [w["title"]] + [time_cell(w, tool, notes) for tool in TOOLS]
        cells += [ratio_cell(w, "ratio"), ratio_cell(w, "cpu_ratio"), target_text(w), verdict(w)]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def memory_table(results):
    rows = [
        "| workload | pikt | mawk | gawk | perl | pikt − mawk | target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for w in results["workloads"]:
        rss = w.get("rss_kib", {})
        cells = [w["title"]] + [mib(rss[t]) if t in rss else "—" for t in TOOLS]
        if "pikt" in rss and "mawk" in rss:
            extra = rss["pikt"] - rss["mawk"]
            cells += ["%+.1f MiB" % (extra / 1024), "≤ +%d MiB" % MEMORY_MARGIN_MIB]
            cells.append("met" if extra <= MEMORY_MARGIN_MIB * 1024 else "**missed**")
        else:
            cells += ["—", "≤ +%d MiB" % MEMORY_MARGIN_MIB, "—"]
        if w["failures"]:
            cells[-1] = "**FAILED**"
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def callgrind_table(results):
    rows = ["| workload | pikt | mawk | pikt/mawk |", "| --- | ---: | ---: | ---: |"]
    for w in results["workloads"]:
        counts = w.get("instructions", {})
        cell = lambda t: "%.1f M" % (counts[t] / 1e6) if t in counts else "—"
        ratio = "%.2f" % (counts["pikt"] / counts["mawk"]) if "pikt" in counts and counts.get("mawk") else "—"
        if w["failures"]:
            ratio = "**FAILED**"
        rows.append("| %s | %s | %s | %s |" % (w["title"], cell("pikt"), cell("mawk"), ratio))
    return rows


def render(results):
    lines = [header(results), ""]
    if results["mode"] == "callgrind":
        lines += callgrind_table(results)
    elif results["mode"] == "time":
        notes = []
        lines += ["Time (median wall time of each program; pikt/mawk: median of the per-round "
                  "ratios of pikt's time to mawk's, and their range):", ""]
        lines += time_table(results, notes)
        lines += [""] + ["[%d] %s" % (i + 1, note) for i, note in enumerate(notes)]
    lines += ["", "Peak memory (max RSS by GNU time in the checking run; the largest step):", ""]
    lines += memory_table(results)
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summary.py RESULTS.json")
    with open(sys.argv[1]) as f:
        sys.stdout.write(render(json.load(f)))


if __name__ == "__main__":
    main()
