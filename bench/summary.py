#!/usr/bin/env python3
"""Turn the hyperfine JSON exports of bench/run.sh into one markdown table.

    summary.py OUT.md RESULTS_DIR WORKLOAD...

Reads RESULTS_DIR/WORKLOAD.json for each workload (commands named pikt, mawk, gawk,
perl by run.sh), prints the table and writes it to OUT.md.
"""

import json
import os
import sys

# workload -> (title, kind, limit): "ratio" limits pikt/mawk, "ms" limits pikt's mean.
TARGETS = {
    "proccounts": ("ProcCounts", "ratio", 0.7),
    "logfilter": ("log filter", "ratio", 1.0),
    "startup": ("start-up", "ms", 3.0),
}
TOOLS = ["pikt", "mawk", "gawk", "perl"]


def means(path):
    """Mean and standard deviation in seconds per command name."""
    with open(path) as f:
        results = json.load(f)["results"]
    return {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in results}


def cell(timing):
    if timing is None:
        return "—"
    mean, stddev = timing
    return "%.1f ± %.1f ms" % (mean * 1000, stddev * 1000)


def target_cell(kind, limit, pikt, ratio):
    wanted = "≤%.1f×" % limit if kind == "ratio" else "≤%g ms" % limit
    value = ratio if kind == "ratio" else (pikt[0] * 1000 if pikt else None)
    if value is None:
        return wanted
    return "%s (%s)" % (wanted, "met" if value <= limit else "missed")


def row(workload, timings):
    title, kind, limit = TARGETS[workload]
    pikt, mawk = timings.get("pikt"), timings.get("mawk")
    ratio = pikt[0] / mawk[0] if pikt and mawk and mawk[0] > 0 else None
    cells = [title] + [cell(timings.get(tool)) for tool in TOOLS]
    cells.append("%.2f" % ratio if ratio is not None else "—")
    cells.append(target_cell(kind, limit, pikt, ratio))
    return "| " + " | ".join(cells) + " |"


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: summary.py OUT.md RESULTS_DIR WORKLOAD...")
    out, results_dir, workloads = sys.argv[1], sys.argv[2], sys.argv[3:]
    lines = [
        "| workload | pikt | mawk | gawk | perl | ratio pikt/mawk | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for workload in workloads:
        lines.append(row(workload, means(os.path.join(results_dir, workload + ".json"))))
    table = "\n".join(lines) + "\n"
    sys.stdout.write(table)
    with open(out, "w") as f:
        f.write(table)


if __name__ == "__main__":
    main()
