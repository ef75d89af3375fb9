#!/usr/bin/env python3
"""Writes the master's configuration for the fleet benchmark.

usage: site.py EXAMPLE_CONFIGS OUT_ROOT MASTER HOST...

OUT_ROOT/lib/configs gets the example site (EXAMPLE_CONFIGS: the seed's
ProcCountsChk, its macros and thresholds) plus, to be a site of some size,
40 more alerts (one alarm script each, timed), 40 object sets of 60 lines
whose thresholds depend on the host (#if), 10 managed files and 5
programs. Every host in HOST gets about 140 files (some 80 KiB).
systems.cfg lists the example's hosts, the master and HOST, and groups
`first1`, `first10`, `first50` of the first hosts.
"""

import os
import sys


def main():
    example, out, master, hosts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    configs = os.path.join(out, "lib", "configs")
    os.makedirs(configs, exist_ok=True)
    os.makedirs(os.path.join(out, "etc"), exist_ok=True)
    texts = {}
    for name in sorted(os.listdir(example)):
        with open(os.path.join(example, name)) as f:
            texts[name] = f.read()

    systems = texts["systems.cfg"].replace(
        "debian\t\thosts\tmoscow chicago demo",
        "debian\t\thosts\tmoscow chicago demo %s %s" % (master, " ".join(hosts)),
    )
    systems += "\n"
    for n in (1, 10, 50):
        if len(hosts) >= n:
            systems += "first%d\tmembers\t%s\n" % (n, " ".join(hosts[:n]))
    systems += "odd\tmembers\t%s\n" % " ".join(hosts[::2])
    texts["systems.cfg"] = systems

    alerts, alarms, objects = [], [], []
    for i in range(40):
        alerts.append(
            "Check%02d\n\ttiming\t%d * * * *\n\talarms\tCheck%02dChk\n" % (i, i % 60, i)
        )
        alarms.append(
            "Check%02dChk\n"
            "\tinit\n"
            "\t\tstatus active\n"
            "\t\tlevel warning\n"
            "\t\ttask \"Check %02d of the generated site.\"\n"
            "\t\tinput file \"=objdir/Limits%02d.obj\"\n"
            "\t\tdat $key 1\n"
            "\t\tdat #limit 2\n"
            "\trule\n"
            "\t\tif #limit > %d\n"
            "\t\t\toutput mail \"=pikthostname: $key over %d\"\n"
            "\t\tfi\n" % (i, i, i, 1000 + i, 1000 + i)
        )
        lines = ["Limits%02d" % i]
        for j in range(60):
            lines.append("#if odd")
            lines.append("\tkey%03d\t%d" % (j, 100 * i + j))
            lines.append("#else")
            lines.append("\tkey%03d\t%d" % (j, 200 * i + j))
            lines.append("#endif")
        objects.append("\n".join(lines) + "\n")
    texts["alerts.cfg"] += "\n" + "\n".join(alerts)
    texts["alarms.cfg"] += "\n" + "\n".join(alarms)
    texts["objects.cfg"] += "\n" + "\n".join(objects)

    files = []
    for i in range(10):
        body = "".join("\tline %d of file %d on =pikthostname\n" % (k, i) for k in range(100))
        files.append("site%02d.conf\tpath \"=piktdir/site/site%02d.conf\"\n\tmode 644\n%s" % (i, i, body))
    texts["files.cfg"] = "\n".join(files)
    programs = []
    for i in range(5):
        programs.append(
            "tool%02d.sh\tpath \"=piktdir/site/tool%02d.sh\"\n\tmode 755\n"
            "\t#!/bin/sh\n\techo tool %d on =pikthostname\n" % (i, i, i)
        )
    texts["programs.cfg"] = "\n".join(programs)

    for name, text in texts.items():
        with open(os.path.join(configs, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
