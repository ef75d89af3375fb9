#!/usr/bin/env python3
"""Deterministic input generators for the benchmarks (see bench/README.md).

    gen.py proccounts LINES OUT   -- a `user comm` table like `ps -eo user,comm`
    gen.py logfilter  LINES OUT   -- a syslog-style log with sshd failures mixed in
    gen.py pstable    LINES OUT   -- a `ps aux`-style table with its header line
    gen.py files-a    LINES OUT   -- `path size` lines of a file tree (first run)
    gen.py files-b    LINES OUT   -- the same tree a while later (second run)

All use a fixed seed and only `random.random()`, whose sequence is stable across
Python versions, so the same LINES always gives byte-identical files.
"""

import random
import sys

SEED = 19_2000  # PIKT's LISA paper year; any constant will do

# Storm users of the seed case study: thousands of `imapd` each. `zeppo` stays just
# under the imapd alert threshold (100) and `gummo` sits exactly on it, so the
# benchmark output also pins the `>=` boundary.
STORMS = [("chico", 5000), ("harpo", 3000), ("groucho", 2000), ("gummo", 100), ("zeppo", 99)]

# Assorted commands with relative weights. The rare `crack`/`sniffit` (threshold 1)
# and `ypserv` (threshold 3) rows of the threshold table get a few hits each.
COMMANDS = [
    ("bash", 30), ("sshd", 12), ("vim", 8), ("python3", 6), ("less", 5), ("tmux", 4),
    ("ssh", 4), ("sleep", 4), ("make", 3), ("gcc", 3), ("cc1", 3), ("perl", 3),
    ("imapd", 3), ("sendmail", 2), ("mutt", 2), ("top", 2), ("cron", 1), ("emacs", 2),
    ("git", 2), ("awk", 1), ("sort", 1), ("grep", 1), ("rsync", 1), ("tail", 1),
    ("ypserv", 0.05), ("crack", 0.01), ("sniffit", 0.01), ("Xvnc", 0.5), ("java", 1),
]
ORDINARY_USERS = 1500


def weighted_picker(rng, items):
    """Return a function picking an item with probability proportional to its weight."""
    total = sum(weight for _, weight in items)
    bounds = []
    running = 0.0
    for name, weight in items:
        running += weight / total
        bounds.append((running, name))

    def pick():
        r = rng.random()
        for bound, name in bounds:
            if r < bound:
                return name
        return bounds[-1][1]

    return pick


def proccounts(lines, out):
    rng = random.Random(SEED)
    pick_command = weighted_picker(rng, COMMANDS)
    storm_lines = [(user, "imapd") for user, count in STORMS for _ in range(count)]
    ordinary = max(lines - len(storm_lines), 0)
    rows = storm_lines[:lines]
    for _ in range(ordinary):
        # Skewed user choice: a few busy users, a long tail of quiet ones.
        user = "u%04d" % int(ORDINARY_USERS * rng.random() ** 3)
        rows.append((user, pick_command()))
    # Fisher-Yates with our own rng calls, so the order is fixed by the seed alone.
    for i in range(len(rows) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        rows[i], rows[j] = rows[j], rows[i]
    with open(out, "w") as f:
        f.writelines("%-8s %s\n" % row for row in rows)


DAEMONS_NOISE = [
    "CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    "postfix/smtpd[{pid}]: connect from unknown[{ip}]",
    "postfix/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
    "kernel: [UFW BLOCK] IN=eth0 OUT= SRC={ip} DST=192.0.2.1 PROTO=TCP SPT={port} DPT=23",
    "systemd[1]: Started session-{pid}.scope - Session {pid} of User u{pid}.",
    "sshd[{pid}]: Accepted publickey for u{pid} from {ip} port {port} ssh2: ED25519 SHA256:abc",
    "sshd[{pid}]: Accepted password for root from {ip} port {port} ssh2",
    "sshd[{pid}]: Failed publickey for root from {ip} port {port} ssh2",
    "sshd[{pid}]: Connection closed by authenticating user root {ip} port {port} [preauth]",
    "sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 rhost={ip}",
    "imapd[{pid}]: Login failed user=chico auth=chico host=[{ip}]",
    "su[{pid}]: Failed password for root from {ip} port {port} ssh2",
]
FAIL_USERS = [("root", 10), ("admin", 3), ("oracle", 1), ("test", 1), ("ubuntu", 1), ("chico", 1)]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def address(rng):
    """A source address: a handful of hammering attackers and a long tail."""
    r = rng.random()
    if r < 0.5:
        return "203.0.113.%d" % int(8 * rng.random() ** 2)
    if r < 0.8:
        return "198.51.100.%d" % int(256 * rng.random())
    return "10.%d.%d.%d" % (int(4 * rng.random()), int(256 * rng.random()), int(256 * rng.random()))


def logfilter(lines, out):
    rng = random.Random(SEED + 1)
    pick_user = weighted_picker(rng, FAIL_USERS)
    hosts = ["moscow", "kiev", "minsk", "riga"]
    seconds = 0
    with open(out, "w") as f:
        for _ in range(lines):
            seconds += int(3 * rng.random())
            day, rest = divmod(seconds, 86400)
            stamp = "%s %2d %02d:%02d:%02d" % (
                MONTHS[10 + day // 30 % 2], day % 30 + 1, rest // 3600, rest // 60 % 60, rest % 60)
            host = hosts[int(len(hosts) * rng.random())]
            pid = 1000 + int(30000 * rng.random())
            port = 1024 + int(60000 * rng.random())
            if rng.random() < 0.2:
                msg = "sshd[%d]: Failed password for %s from %s port %d ssh2" % (
                    pid, pick_user(), address(rng), port)
            else:
                template = DAEMONS_NOISE[int(len(DAEMONS_NOISE) * rng.random())]
                msg = template.format(pid=pid, ip=address(rng), port=port)
            f.write("%s %s %s\n" % (stamp, host, msg))


# `ps aux` columns; COMMAND is last and may have arguments, so lines have a varying
# number of fields and the columns before it are found by their header names.
PS_HEADER = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"
COMMAND_ARGS = {
    "bash": ["", "-l"], "sshd": ["-D", "-R"], "vim": ["notes.txt", "/etc/hosts", ""],
    "python3": ["/srv/app/worker.py --queue mail", "-m http.server 8000"],
    "java": ["-Xmx2g -jar /opt/app.jar"], "imapd": [""], "sendmail": ["-bd -q15m"],
    "make": ["-j2", "all"], "gcc": ["-O2 -c main.c"], "perl": ["/usr/local/bin/report.pl"],
}


def pstable(lines, out):
    """A `ps aux` listing: the header, then one process a line."""
    rng = random.Random(SEED + 2)
    pick_command = weighted_picker(rng, COMMANDS)
    with open(out, "w") as f:
        f.write(PS_HEADER + "\n")
        for pid in range(100, 100 + max(lines - 1, 0)):
            if rng.random() < 0.01:
                user, command = STORMS[int(len(STORMS) * rng.random())][0], "imapd"
            else:
                user = "u%04d" % int(ORDINARY_USERS * rng.random() ** 3)
                command = pick_command()
            args = COMMAND_ARGS.get(command, [""])
            arg = args[int(len(args) * rng.random())]
            rss = int(400000 * rng.random() ** 4) + 100
            vsz = rss + int(800000 * rng.random())
            f.write("%-8s %7d %4.1f %4.1f %6d %5d %-8s %-4s %5s %6s %s\n" % (
                user, pid, 20 * rng.random() ** 6, rss / 81920, vsz, rss,
                "?" if rng.random() < 0.7 else "pts/%d" % int(8 * rng.random()),
                "S" if rng.random() < 0.9 else "R", "05:%02d" % int(60 * rng.random()),
                "0:%02d" % int(60 * rng.random()), (command + " " + arg).strip()))


def file_tree(rng, lines):
    """`(path, size)` of a tree sorted by directory: about 20 files a directory."""
    rows = []
    directory = 0
    for i in range(lines):
        if rng.random() < 0.05:
            directory += 1
        rows.append(("/srv/data/d%05d/f%07d.log" % (directory, i), int(100000 * rng.random() ** 4)))
    return rows


def files_a(lines, out):
    """The tree as the history workload's first run sees it."""
    write_rows(out, file_tree(random.Random(SEED + 3), lines))


def files_b(lines, out):
    """The same tree later: most files a little larger, 1.5% more than doubled, 0.5%
    gone, 0.5% new (rotated `.1` files next to their log)."""
    rng = random.Random(SEED + 3)
    rows = []
    for path, size in file_tree(rng, lines):
        r = rng.random()
        if r < 0.005:
            continue
        if r < 0.02:
            size = size * 2 + 1000
        elif r < 0.5:
            size += int(10 * rng.random())
        rows.append((path, size))
        if rng.random() < 0.005:
            rows.append((path + ".1", int(1000 * rng.random())))
    write_rows(out, rows)


def write_rows(out, rows):
    with open(out, "w") as f:
        f.writelines("%s %d\n" % row for row in rows)


GENERATORS = {
    "proccounts": proccounts,
    "logfilter": logfilter,
    "pstable": pstable,
    "files-a": files_a,
    "files-b": files_b,
}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in GENERATORS:
        sys.exit("usage: gen.py %s LINES OUT" % "|".join(GENERATORS))
    GENERATORS[sys.argv[1]](int(sys.argv[2]), sys.argv[3])


if __name__ == "__main__":
    main()
