"""The comparison workloads of bench/run.sh: for each, the programs (pikt, mawk,
gawk, perl) that must print the same thing, how to run them, and the target.

A program is a list of steps, each one process; `reset` (untimed) runs before the
first step of every measured run and a step's `before` (untimed) runs just before
it, so that the workloads with state between runs (history, a growing log) start
from the same state every time. See bench/README.md for what each workload does.
"""

import os
import shutil
from dataclasses import dataclass, field
from typing import Callable, Optional

import gen

# The targets: every workload at most 0.7x mawk's time, ProcCounts (both
# styles) 0.5x, the arithmetic loop 1.0x; start-up of a trivial script 2 ms;
# peak memory within 10 MiB of mawk's.
DEFAULT_RATIO = 0.7
MEMORY_MARGIN_KIB = 10 * 1024

TOOLS = ["pikt", "mawk", "gawk", "perl"]


@dataclass
class Step:
    argv: list
    before: Optional[Callable[[], None]] = None
    env: dict = field(default_factory=dict)


@dataclass
class Program:
    tool: str
    steps: list
    reset: Optional[Callable[[], None]] = None
    # False: the output is checked once, the program is never timed (see note).
    timed: bool = True
    note: str = ""


@dataclass
class Workload:
    name: str
    title: str
    programs: list
    ratio: Optional[float] = DEFAULT_RATIO  # target: pikt/mawk at most this
    ms: Optional[float] = None  # target: pikt's median wall time at most this
    # Runs of a few milliseconds are timed this many times more per round, so
    # that their medians are as steady as the others'.
    repeat: int = 1


class Context:
    """Paths and sizes shared by the workload builders."""

    def __init__(self, bench_dir, data_dir, lines, pikt):
        self.bench = bench_dir
        self.data = data_dir
        self.lines = lines
        self.pikt = pikt  # path of the release binary, or None (--without-pikt)
        self.gen_mtime = os.path.getmtime(os.path.join(bench_dir, "gen.py"))

    def src(self, *parts):
        return os.path.join(self.bench, *parts)

    def input(self, kind, lines=None):
        """The generated input KIND of LINES lines, made if missing or older than gen.py."""
        lines = self.lines if lines is None else lines
        path = os.path.join(self.data, "%s-%d.txt" % (kind, lines))
        if not os.path.exists(path) or os.path.getmtime(path) < self.gen_mtime:
            print("bench: generating %s" % path, flush=True)
            gen.GENERATORS[kind](lines, path + ".tmp")
            os.replace(path + ".tmp", path)
        return path

    def state(self, workload, tool):
        """A scratch directory for one program's state between its runs."""
        return os.path.join(self.data, "state", workload, tool)

    def render(self, source, name, **values):
        """The Pikt script SOURCE with @KEY@ replaced by VALUES (init strings are
        literal, so paths are filled in here), written to data/scripts/NAME."""
        with open(self.src(source)) as f:
            text = f.read()
        for key, value in values.items():
            text = text.replace("@%s@" % key, str(value))
        directory = os.path.join(self.data, "scripts")
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def pikt_program(self, workload, script, reset=None, befores=(None,)):
        """pikt running SCRIPT once per entry of BEFORES (each step's untimed
        preparation), its history under a PIKT_DIR of its own."""
        env = {"PIKT_DIR": self.state(workload, "pikt")}
        return Program("pikt", [Step([self.pikt, script], before, env) for before in befores], reset)

    def with_pikt(self, workload, script_program, references):
        """The reference programs, preceded by pikt's unless running without it."""
        if self.pikt is None:
            return references
        return [script_program()] + references


def awk_programs(argv_after_awk):
    return [Program(awk, [Step([awk] + argv_after_awk)]) for awk in ("mawk", "gawk")]


def proccounts(ctx, name, script):
    data = ctx.input("proccounts")
    obj = ctx.src("proccounts", "ProcCounts.obj")
    refs = awk_programs(["-v", "obj=" + obj, "-f", ctx.src("proccounts", "proccounts.awk"), data])
    refs.append(Program("perl", [Step(["perl", ctx.src("proccounts", "proccounts.pl"), obj, data])]))
    rendered = lambda: ctx.pikt_program(name, ctx.render(
        "proccounts/" + script, script, INPUT=data, OBJECTS=obj))
    return ctx.with_pikt(name, rendered, refs)


def logfilter(ctx, name, script):
    data = ctx.input("logfilter")
    refs = awk_programs(["-f", ctx.src("logfilter", "logfilter.awk"), data])
    refs.append(Program("perl", [Step(["perl", ctx.src("logfilter", "logfilter.pl"), data])]))
    rendered = lambda: ctx.pikt_program(name, ctx.render("logfilter/" + script, script, INPUT=data))
    return ctx.with_pikt(name, rendered, refs)


def fields(ctx):
    data = ctx.input("pstable")
    refs = awk_programs(["-f", ctx.src("fields", "fields.awk"), data])
    refs.append(Program("perl", [Step(["perl", ctx.src("fields", "fields.pl"), data])]))
    rendered = lambda: ctx.pikt_program("fields", ctx.render("fields/fields.pikt", "fields.pikt", INPUT=data))
    return ctx.with_pikt("fields", rendered, refs)


GAWK_REGEX_NOTE = (
    "gawk keeps one compiled dynamic regex per place in the program and recompiles "
    "whenever the text changes, so the loop over the accounts recompiles on nearly "
    "every line (about 11 s at 1e6 lines): its output is checked, it is not timed")


def regex(ctx):
    data = ctx.input("logfilter")
    obj = ctx.src("regex", "WatchedLogins.obj")
    refs = awk_programs(["-v", "obj=" + obj, "-f", ctx.src("regex", "regex.awk"), data])
    refs[1].timed = False
    refs[1].note = GAWK_REGEX_NOTE
    refs.append(Program("perl", [Step(["perl", ctx.src("regex", "regex.pl"), obj, data])]))
    rendered = lambda: ctx.pikt_program("regex", ctx.render(
        "regex/regex.pikt", "regex.pikt", INPUT=data, OBJECTS=obj))
    return ctx.with_pikt("regex", rendered, refs)


def loop(ctx, name, iterations):
    """A workload with no input: the loop count is the script's argument."""
    refs = awk_programs(["-v", "n=%d" % iterations, "-f", ctx.src(name, name + ".awk")])
    refs.append(Program("perl", [Step(["perl", ctx.src(name, name + ".pl"), str(iterations)])]))
    rendered = lambda: ctx.pikt_program(name, ctx.render(
        "%s/%s.pikt" % (name, name), name + ".pikt", ITERATIONS=iterations))
    return ctx.with_pikt(name, rendered, refs)


def fresh_dir(path):
    """An untimed reset: remove the program's state and recreate the directory."""
    def reset():
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
    return reset


def point(link, target):
    """An untimed step preparation: make LINK a symbolic link to TARGET."""
    def before():
        tmp = link + ".tmp"
        if os.path.lexists(tmp):
            os.remove(tmp)
        os.symlink(target, tmp)
        os.replace(tmp, link)
    return before


def history(ctx):
    """Two runs: over the file tree, then over the same tree later."""
    keys = max(ctx.lines // 10, 1)
    first, second = ctx.input("files-a", keys), ctx.input("files-b", keys)
    current = os.path.join(ctx.data, "history-files.txt")
    befores = [point(current, first), point(current, second)]

    def program(tool, argv_for_state):
        state = ctx.state("history", tool)
        steps = [Step(argv_for_state(os.path.join(state, "state")), before) for before in befores]
        return Program(tool, steps, fresh_dir(state))

    awk = ctx.src("history", "history.awk")
    refs = [program(a, lambda s, a=a: [a, "-v", "state=" + s, "-f", awk, current]) for a in ("mawk", "gawk")]
    refs.append(program("perl", lambda s: ["perl", ctx.src("history", "history.pl"), s, current]))

    def rendered():
        return ctx.pikt_program("history", ctx.render(
            "history/history.pikt", "history.pikt", INPUT=current),
            reset=fresh_dir(ctx.state("history", "pikt")), befores=befores)
    return ctx.with_pikt("history", rendered, refs)


class GrowingLog:
    """The log of the logfile workload: half the log file input at first, then a
    quarter appended before the second run and the rest before the third."""

    def __init__(self, source, path):
        self.source = source
        self.path = path
        self.cuts = line_cuts(source, (0.5, 0.75))

    def reset(self):
        self.copy(0, self.cuts[0], "wb")

    def grow(self, part):
        bounds = [0] + self.cuts + [os.path.getsize(self.source)]
        return lambda: self.copy(bounds[part], bounds[part + 1], "ab")

    def copy(self, start, end, mode):
        with open(self.source, "rb") as src, open(self.path, mode) as dst:
            src.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = src.read(min(remaining, 1 << 20))
                dst.write(chunk)
                remaining -= len(chunk)


def line_cuts(path, fractions):
    """Byte offsets just past the line that ends each FRACTION of the file's lines."""
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    wanted = [int(lines * fraction) for fraction in fractions]
    cuts, offset = [], 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            offset += len(line)
            if wanted and number == wanted[0]:
                cuts.append(offset)
                wanted.pop(0)
    return cuts


def logfile(ctx):
    """Three runs over a log that grows between them."""
    log = GrowingLog(ctx.input("logfilter"), os.path.join(ctx.data, "logfile-auth.log"))
    befores = [None, log.grow(1), log.grow(2)]

    def reset_for(tool):
        clear = fresh_dir(ctx.state("logfile", tool))
        return lambda: (clear(), log.reset())

    def program(tool, argv_for_state):
        state = os.path.join(ctx.state("logfile", tool), "offset")
        steps = [Step(argv_for_state(state), before) for before in befores]
        return Program(tool, steps, reset_for(tool))

    wrapper = ctx.src("logfile", "logfile.sh")
    refs = [program(a, lambda s, a=a: ["sh", wrapper, a, log.path, s]) for a in ("mawk", "gawk")]
    refs.append(program("perl", lambda s: ["perl", ctx.src("logfile", "logfile.pl"), log.path, s]))

    def rendered():
        return ctx.pikt_program("logfile", ctx.render(
            "logfile/logfile.pikt", "logfile.pikt", INPUT=log.path),
            reset=reset_for("pikt"), befores=befores)
    return ctx.with_pikt("logfile", rendered, refs)


def startup(ctx):
    refs = awk_programs(["-f", ctx.src("startup", "startup.awk")])
    refs.append(Program("perl", [Step(["perl", ctx.src("startup", "startup.pl")])]))
    return ctx.with_pikt("startup", lambda: ctx.pikt_program(
        "startup", ctx.src("startup", "startup.pikt")), refs)


# name -> (title, builder, target overrides); in the order of the tables.
WORKLOADS = {
    "proccounts": ("ProcCounts", lambda c: proccounts(c, "proccounts", "proccounts.pikt"), {"ratio": 0.5}),
    "proccounts-user": ("ProcCounts, user style",
                        lambda c: proccounts(c, "proccounts-user", "proccounts-user.pikt"), {"ratio": 0.5}),
    "logfilter": ("log filter", lambda c: logfilter(c, "logfilter", "logfilter.pikt"), {}),
    "logfilter-user": ("log filter, user style",
                       lambda c: logfilter(c, "logfilter-user", "logfilter-user.pikt"), {}),
    "fields": ("#split, computed index", fields, {}),
    "regex": ("=~ / =~~ interpolated", regex, {}),
    "arith": ("arithmetic loop", lambda c: loop(c, "arith", 3 * c.lines), {"ratio": 1.0}),
    "strings": ("string building", lambda c: loop(c, "strings", max(c.lines // 10, 1)), {}),
    "history": ("%/@ history, 2 runs", history, {}),
    "logfile": ("input logfile, 3 runs", logfile, {}),
    "startup": ("start-up", startup, {"ratio": None, "ms": 2.0, "repeat": 20}),
}


def build(name, ctx):
    title, builder, targets = WORKLOADS[name]
    workload = Workload(name, title, builder(ctx))
    for key, value in targets.items():
        setattr(workload, key, value)
    return workload
