"""cfn-trailwatch benchmarks: whole-process runs, side by side with cfn-lint and the parse floor.

    python bench/run.py                  # everything, 5 repeats (about 20 min: cfn-lint is slow)
    python bench/run.py --repeat 3       # fewer repeats
    python bench/run.py --quick          # 1 repeat (5 for commands under 2 s), N = 300 and 600
    python bench/run.py --sections bc    # only some sections (a, b, c, d, e, f, g)
    python bench/run.py --profile        # no timing: profile the corpus scan in-process
                                         # (same as python bench/profile_scan.py)

Sections, each measured side by side in the same run (the commands of a section take turns in
every round, so a change of machine load hits them alike):

  (a) every template under <repo>/../shared/corpus: ``cfn-trailwatch --format json FILES`` vs
      plain ``cfn-lint FILES`` vs the parse floor ``python bench/parse_floor.py FILES``;
  (b) one small template (pre-commit latency): the same three on fixtures/seed/fail_seed_sample.yaml,
      and cfn-trailwatch with a team's configuration file (bench/precommit-config.yaml);
  (c) generated templates with N trails (bench/gen_trails.py): cfn-trailwatch vs the floor per N;
  (d) ``cfn-lint -a cfn_trailwatch.rules -- FILES`` vs plain ``cfn-lint FILES`` on the corpus
      (the plain cfn-lint runs of (a) are shared when both sections run); and, because
      cfn-lint's own run-to-run spread is larger than the overhead, the same overhead measured
      inside one process (``bench/plugin_share.py``: our import and our rules' time over the rest).
  (e) every rule on over the corpus (issue 12): ``cfn-trailwatch --format json --include-checks WT3
      FILES`` vs ``cfn-lint -e -a cfn_trailwatch.rules -- FILES`` (the opt-in rules are cfn-lint
      experimental rules) vs the floor, in the same rounds as (a); then the same three on
      <corpus>/real-monitoring alone (templates with CIS filters and alarms);
  (f) every rule on over generated templates whose trails each carry the whole CloudWatch.1-14
      chain (``bench/gen_trails.py --monitoring``): cfn-trailwatch with WT3 vs the floor (growth
      per doubling), vs ``cfn-lint -e -a cfn_trailwatch.rules`` and ``cfn-lint -e``, and
      cfn-trailwatch's default rules; a process over --wt3-timeout ends the series.
  (g) across templates (issue 13), on a generated folder of linked stacks (bench/gen_stacks.py:
      N logging stacks exporting their log group and role ARNs, N trail stacks importing them,
      N parents nesting a logging and a trail template of their own): (g1) the whole folder at
      two sizes, cfn-trailwatch vs the floor on the same files (and the floor reading every
      linked file again, as merging per file does), growth when N doubles; (g2) the import cost:
      the trail stacks with their logging stacks (linked) vs the trail stacks alone (imports
      unresolved, WT1007); (g3) pre-commit with a ``workspace:``: one trail stack on the command
      line with a configuration whose workspace is the corpus and the generated folder, vs the
      same file without the workspace, vs the floor on that file, vs a scan of the whole
      workspace.

Every time is one whole process (``subprocess``, wall clock by ``time.perf_counter``); each
command runs once untimed first (warm-up: byte-code cache, page cache, and the crash check),
then ``--repeat`` times. Tables give the median and the minimum of wall time, and the median of
the child's CPU time (user + system, from ``getrusage``), which a busy machine disturbs less.
Ratios and the PASS/MISS verdicts against the targets of issue 6 use the wall-clock medians.

Exit codes of the tools are not failures: cfn-trailwatch exits 1 and cfn-lint 2/4/8/... when they
find something. A crash is: a traceback on stderr, cfn-trailwatch exiting with more than 2,
cfn-lint with an odd code or 16 and over, the floor with anything but 0. The benchmark stops
on a crash (exit 3). It exits 0 otherwise, whatever the verdicts: misses are results, not errors.

Byte code: the children run with ``PYTHONPYCACHEPREFIX`` set to a cache folder in the temp
directory and without ``PYTHONDONTWRITEBYTECODE``, so that every tool starts from compiled byte
code as after a ``pip install`` (an environment that forbids writing .pyc files would charge an
editable install a recompilation on every start). ``--no-pyc-cache`` keeps the environment as is.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = REPO.parent / "shared" / "corpus"
SMALL_TEMPLATE = REPO / "fixtures" / "seed" / "fail_seed_sample.yaml"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")  # as cfn-trailwatch searches folders
SKIPPED_FOLDERS = {"node_modules"}

DEFAULT_SIZES = (300, 600, 1200, 2400)
QUICK_SIZES = (300, 600)
# (f): trails that each carry the whole CloudWatch.1-14 chain (35 resources, ~15 kB per trail);
# 160 trails are 2.4 MB, the size of (c)'s largest. A process over --wt3-timeout stops the series.
DEFAULT_WT3_SIZES = (10, 20, 40, 80, 160)
QUICK_WT3_SIZES = (4, 8)
DEFAULT_WT3_TIMEOUT = 120.0
# (g): deployments of bench/gen_stacks.py (5 files, ~5.8 kB, 2 trails each); the largest size
# also serves (g2) and (g3).
DEFAULT_STACK_SIZES = (50, 100)
QUICK_STACK_SIZES = (25, 50)
QUICK_WARMUP_AS_RUN = 5.0      # --quick: a warm-up longer than this is the command's timed run
QUICK_SHORT = (2.0, 5)         # --quick: a command under 2 s gets 5 timed runs (see measure)
CORPUS_MONITORING = CORPUS / "real-monitoring"
WT3 = ["--include-checks", "WT3"]             # every rule on, in the command line
CFNLINT_WT3 = ["-e", "-a", "cfn_trailwatch.rules", "--"]   # and in cfn-lint (opt-in = experimental)

# Issue 6's targets.
TARGET_A_VS_CFNLINT = 50.0     # cfn-lint time / cfn-trailwatch time, at least
TARGET_A_VS_FLOOR = 1.5        # cfn-trailwatch time / floor time, at most
TARGET_B_VS_CFNLINT = 7.0      # at least
TARGET_C_DOUBLING = 2.3        # time(2N) / time(N), at most
TARGET_C_VS_FLOOR = 3.0        # at most
TARGET_D_OVERHEAD = 0.05       # (plugin - plain) / plain, at most
# Issue 13's (across templates).
# (g1) vs the floor: 3x, the target of (c) and (f), the other folders whose every few files hold
# a trail to analyse (here 2 of every 5 small files, each with the stacks it links). First set
# at 2.0x and measured at 3.0-3.7x (2026-12-06, 15:59); since then each file is read once per
# scan (the index's bytes handed to its check), templates read whole once per process, realpath
# once per path: 2.9-3.0x. The trail stacks alone are 2.5x the floor: the rest is analysis.
TARGET_G_VS_FLOOR = 3.0        # cfn-trailwatch / floor on the linked folder, at most
TARGET_G_DOUBLING = 2.3        # time(2N) / time(N) on the linked folder, at most
TARGET_G_WORKSPACE_WALL = 1.5  # s: one file with a workspace (pre-commit), at most
TARGET_G_WORKSPACE_VS_SCAN = 0.5   # that / a scan of the whole workspace, at most

sys.path.insert(0, str(BENCH))
import gen_stacks  # noqa: E402
import gen_trails  # noqa: E402


# --------------------------------------------------------------------------------------------
# Running and timing


class Crash(Exception):
    pass


class TooSlow(Exception):
    pass


@dataclass
class Command:
    label: str
    chunks: list[list[str]]               # one argv per process; times of chunks are summed
    check: Callable[[int, str], str | None]
    timeout: float | None = None          # per process; over it, the command is dropped (TooSlow)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    first_stdout: str = ""
    first_stderr: str = ""
    exit_codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _check_trailwatch(code: int, stderr: str) -> str | None:
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if code not in (0, 1, 2):
        return f"exit code {code}"
    return None


def _check_cfnlint(code: int, stderr: str) -> str | None:
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if code % 2 == 1 or code >= 16 or code < 0:
        return f"exit code {code}"
    return None


def _check_floor(code: int, stderr: str) -> str | None:
    if "Traceback (most recent call last)" in stderr or code != 0:
        return f"exit code {code}"
    return None


def _run_once(command: Command, env: dict[str, str], keep_output: bool) -> tuple[float, float]:
    wall = cpu = 0.0
    for argv in command.chunks:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        try:
            proc = subprocess.run(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, errors="replace",
                                  timeout=command.timeout)
        except subprocess.TimeoutExpired:
            raise TooSlow(f"{command.label}: over {command.timeout:g} s") from None
        wall += time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        problem = command.check(proc.returncode, proc.stderr)
        if problem:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise Crash(f"{command.label}: {problem}\n  $ {_show(argv)}\n{tail}")
        command.exit_codes.add(proc.returncode)
        if keep_output:
            command.first_stdout += proc.stdout
            command.first_stderr += proc.stderr
    return wall, cpu


def measure(commands: Sequence[Command], repeat: int, env: dict[str, str],
            warmup_as_run: float | None = None,
            short: tuple[float, int] | None = None) -> None:
    """Warm up each command once, then run them in turns, ``repeat`` rounds, rotating the order.
    ``warmup_as_run`` (``--quick``): a warm-up that took longer than that many seconds is kept as
    the command's first timed run (caches weigh nothing at that length; cfn-lint's corpus runs).
    ``short`` (``--quick``): (seconds, runs): a command whose warm-up took less than that gets at
    least that many timed runs, in turns with the others (one run of a half-second command
    spreads by more than the margins of the targets; five cost a few seconds).
    A command over its ``timeout`` raises TooSlow."""
    wanted: dict[int, int] = {}
    for command in commands:
        _progress(f"warm-up  {command.label}")
        wall, cpu = _run_once(command, env, keep_output=True)
        wanted[id(command)] = repeat if short is None or wall >= short[0] \
            else max(repeat, short[1])
        if warmup_as_run is not None and wall > warmup_as_run:
            command.wall.append(wall)
            command.cpu.append(cpu)
            _progress(f"warm-up  {command.label}: {wall:.3f} s, kept as a timed run")
    rounds = max(wanted.values(), default=repeat)
    for round_ in range(rounds):
        shift = round_ % len(commands)
        for command in list(commands[shift:]) + list(commands[:shift]):
            if len(command.wall) >= wanted[id(command)]:
                continue
            wall, cpu = _run_once(command, env, keep_output=False)
            command.wall.append(wall)
            command.cpu.append(cpu)
            _progress(f"round {round_ + 1}/{rounds}  {command.label}: {wall:.3f} s")


def plugin_share(files: Sequence[str], env: dict[str, str], repeat: int,
                 max_bytes: int) -> dict[str, float]:
    """bench/plugin_share.py on the files (in chunks, summed), ``repeat`` times: the run with the
    median share of our rules' own work (import + match) over the rest of cfn-lint's."""
    runs = []
    for round_ in range(repeat):
        total = {"total_s": 0.0, "import_s": 0.0, "match_s": 0.0}
        for argv in chunked([sys.executable, str(BENCH / "plugin_share.py")], files, max_bytes):
            proc = subprocess.run(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, errors="replace")
            lines = [line for line in proc.stderr.splitlines() if line.startswith("{")]
            if "Traceback (most recent call last)" in proc.stderr or not lines:
                raise Crash(f"plugin_share: exit {proc.returncode}\n{proc.stderr[-2000:]}")
            measured = json.loads(lines[-1])
            for key in total:
                total[key] += measured[key]
        ours = total["import_s"] + total["match_s"]
        total["share"] = ours / (total["total_s"] - ours)
        runs.append(total)
        _progress(f"round {round_ + 1}/{repeat}  in-process share: {total['share'] * 100:.2f}%")
    runs.sort(key=lambda run: run["share"])
    return runs[len(runs) // 2]


def chunked(prefix: list[str], files: Sequence[str], max_bytes: int) -> list[list[str]]:
    """argv lists ``prefix + some files``, each under ``max_bytes`` of arguments."""
    base = sum(len(arg) + 1 for arg in prefix)
    chunks: list[list[str]] = []
    current: list[str] = []
    size = base
    for name in files:
        if current and size + len(name) + 1 > max_bytes:
            chunks.append(prefix + current)
            current, size = [], base
        current.append(name)
        size += len(name) + 1
    if current or not chunks:
        chunks.append(prefix + current)
    return chunks


def _show(argv: Sequence[str]) -> str:
    shown = [os.path.basename(argv[0]) if os.path.isabs(argv[0]) else argv[0]] + list(argv[1:6])
    more = f" ... (+{len(argv) - 6} args)" if len(argv) > 6 else ""
    return " ".join(shown) + more


_QUIET = False


def _progress(message: str) -> None:
    if not _QUIET:
        print(f"  .. {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Inputs and environment


def corpus_files(top: Path = CORPUS) -> list[str]:
    """Every template under the corpus (or ``top``), as cfn-trailwatch would find them in the
    folder (sorted, hidden and node_modules skipped), relative to the repository (the benchmark's
    cwd)."""
    found: list[str] = []
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            if not name.startswith(".") and name.endswith(TEMPLATE_SUFFIXES):
                found.append(os.path.relpath(os.path.join(root, name), REPO))
    return sorted(found)


def child_env(pyc_cache: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if pyc_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(),
                                                  "cfn-trailwatch-bench-pycache")
    return env


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} is not on PATH (pip install -e . installs both tools)")
    return found


def machine(env: dict[str, str]) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    cfnlint = subprocess.run([tool("cfn-lint"), "--version"], capture_output=True, text=True,
                             env=env).stdout.strip()
    trailwatch = subprocess.run([tool("cfn-trailwatch"), "--version"], capture_output=True,
                                text=True, env=env).stdout.strip()
    import yaml
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "pyyaml": f"{yaml.__version__} (libyaml: {'yes' if yaml.__with_libyaml__ else 'no'})",
        "cfn-lint": cfnlint,
        "cfn-trailwatch": f"{trailwatch} at {commit or '?'}{' + uncommitted changes' if dirty else ''}",
        "byte-code cache": env.get("PYTHONPYCACHEPREFIX", "as the environment has it"),
    }


# --------------------------------------------------------------------------------------------
# Report


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else "PASS" if ok else "MISS"


def table(commands: Sequence[Command], baseline: Command | None = None) -> str:
    lines = ["| command | median s | min s | CPU median s | runs |" +
             (f" x {baseline.label} |" if baseline else ""),
             "|---|---:|---:|---:|---:|" + ("---:|" if baseline else "")]
    for command in commands:
        row = (f"| {command.label} | {command.median:.3f} | {command.best:.3f} | "
               f"{command.cpu_median:.3f} | {len(command.wall)} |")
        if baseline:
            row += f" {command.median / baseline.median:.2f} |"
        lines.append(row)
    return "\n".join(lines)


def _trailwatch_summary(command: Command) -> str:
    """The report's summary, added up over the chunks (one JSON document each)."""
    decoder = json.JSONDecoder()
    text = command.first_stdout
    total: dict[str, int] = {}
    at = 0
    try:
        while text[at:].strip():
            at += len(text[at:]) - len(text[at:].lstrip())
            document, at = decoder.raw_decode(text, at)
            for key, value in document["summary"].items():
                total[key] = total.get(key, 0) + value
    except (ValueError, KeyError, TypeError, AttributeError):
        return "(no JSON summary)"
    return ", ".join(f"{key} {value}" for key, value in total.items())


def _cfnlint_matches(command: Command) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in re.finditer(r"^([EWI][A-Z]?\d{4}) ", command.first_stdout, re.M):
        key = "cfn-trailwatch rules" if match.group(1) in _OWN_IDS else "cfn-lint rules"
        counts[key] = counts.get(key, 0) + 1
    return counts


_OWN_IDS: set[str] = set()


def _own_ids(env: dict[str, str]) -> set[str]:
    out = subprocess.run([tool("cfn-trailwatch"), "--list-rules", "--format", "json"],
                         capture_output=True, text=True, env=env).stdout
    try:
        return {rule["id"] for rule in json.loads(out)["rules"]}
    except (ValueError, KeyError, TypeError):
        return set()


# --------------------------------------------------------------------------------------------
# Sections


def main(argv: Sequence[str] | None = None) -> int:
    global _QUIET
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="cfn-trailwatch benchmarks (issue 6): whole-process runs side by side with "
                    "cfn-lint and a parse floor; medians of repeated runs, ratios, targets.")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed runs per command (default 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 repeat (a warm-up over 5 s is that run; a command "
                             "under 2 s gets 5), N = 300 and 600 for (c), 4 and 8 for (f), 25 and "
                             "50 for (g)")
    parser.add_argument("--sections", default="abcdefg",
                        help="which sections to run, any of a b c d e f g (default: abcdefg)")
    parser.add_argument("--sizes", default=None,
                        help="comma-separated trail counts for (c) (default 300,600,1200,2400)")
    parser.add_argument("--wt3-sizes", default=None,
                        help="comma-separated trail counts for (f) (default 10,20,40,80,160)")
    parser.add_argument("--stack-sizes", default=None,
                        help="comma-separated deployment counts for (g) (default 50,100; the "
                             "largest also serves (g2) and (g3))")
    parser.add_argument("--wt3-timeout", type=float, default=DEFAULT_WT3_TIMEOUT, metavar="S",
                        help="(f): a process over S seconds ends the series at that N "
                             f"(default {DEFAULT_WT3_TIMEOUT:g})")
    parser.add_argument("--limit", type=int, metavar="K",
                        help="use only the first K corpus files (a smoke test of (a) and (d))")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    parser.add_argument("--no-pyc-cache", action="store_true",
                        help="run the tools with the environment's byte-code settings as they are")
    parser.add_argument("--max-arg-bytes", type=int, default=100_000,
                        help="split file lists into processes of at most this many argument "
                             "bytes (default 100000); the chunks' times are summed")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--profile", action="store_true",
                        help="profile the corpus scan in-process instead (bench/profile_scan.py; "
                             "arguments after --profile-args are passed on)")
    parser.add_argument("--profile-args", nargs=argparse.REMAINDER, default=[],
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.profile:
        return subprocess.call([sys.executable, str(BENCH / "profile_scan.py"),
                                *args.profile_args], cwd=REPO)

    _QUIET = args.quiet
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = (tuple(int(x) for x in args.sizes.split(",") if x.strip()) if args.sizes
             else QUICK_SIZES if args.quick else DEFAULT_SIZES)
    wt3_sizes = (tuple(int(x) for x in args.wt3_sizes.split(",") if x.strip()) if args.wt3_sizes
                 else QUICK_WT3_SIZES if args.quick else DEFAULT_WT3_SIZES)
    stack_sizes = (tuple(int(x) for x in args.stack_sizes.split(",") if x.strip())
                   if args.stack_sizes else QUICK_STACK_SIZES if args.quick
                   else DEFAULT_STACK_SIZES)
    if not stack_sizes or min(stack_sizes) < 1:
        parser.error("--stack-sizes takes whole numbers of at least 1")
    warmup_as_run = QUICK_WARMUP_AS_RUN if args.quick else None
    short = QUICK_SHORT if args.quick else None
    sections = set(args.sections.lower())
    if not sections <= set("abcdefg"):
        parser.error("--sections takes letters among a, b, c, d, e, f, g")

    env = child_env(pyc_cache=not args.no_pyc_cache)
    trailwatch, cfnlint = tool("cfn-trailwatch"), tool("cfn-lint")
    floor = [sys.executable, str(BENCH / "parse_floor.py")]
    _OWN_IDS.update(_own_ids(env))
    info = machine(env)
    results: dict[str, object] = {"machine": info, "repeat": repeat, "sections": {}}
    targets: list[tuple[str, str, str, bool, str]] = []  # target, wanted, wall, ok, CPU
    out: list[str] = []

    def emit(text: str = "") -> None:
        out.append(text)
        print(text, flush=True)

    emit("# cfn-trailwatch benchmark")
    emit()
    given = list(argv if argv is not None else sys.argv[1:])
    emit(f"`{' '.join(['python bench/run.py', *given])}`")
    emit()
    for key, value in info.items():
        emit(f"- {key}: {value}")
    emit(f"- repeats: {repeat} timed runs per command, after one warm-up run"
         + (f" (a warm-up over {QUICK_WARMUP_AS_RUN:g} s is kept as the timed run)"
            if warmup_as_run else ""))
    emit()

    try:
        files: list[str] = []
        if sections & set("adeg"):
            if not CORPUS.is_dir():
                sys.exit(f"bench: no corpus at {CORPUS}")
            files = corpus_files()[:args.limit] if args.limit else corpus_files()
        cfnlint_plain: Command | None = None

        # (a) and (d) share the plain cfn-lint runs; (a) and (e) the floor. All the corpus
        # commands take turns in the same rounds.
        tw_e = cl_e = None
        if sections & set("ade"):
            commands: list[Command] = []
            tw = fl = plugin = None
            if "a" in sections:
                tw = Command("cfn-trailwatch --format json",
                             chunked([trailwatch, "--format", "json"], files, args.max_arg_bytes),
                             _check_trailwatch)
                commands.append(tw)
            if sections & set("ae"):
                fl = Command("parse floor", chunked(floor, files, args.max_arg_bytes), _check_floor)
                commands.append(fl)
            if "e" in sections:
                tw_e = Command("cfn-trailwatch --format json --include-checks WT3",
                               chunked([trailwatch, "--format", "json", *WT3], files,
                                       args.max_arg_bytes), _check_trailwatch)
                cl_e = Command("cfn-lint -e -a cfn_trailwatch.rules",
                               chunked([cfnlint, *CFNLINT_WT3], files, args.max_arg_bytes),
                               _check_cfnlint)
                commands += [tw_e, cl_e]
            if sections & set("ad"):
                cfnlint_plain = Command("cfn-lint", chunked([cfnlint], files, args.max_arg_bytes),
                                        _check_cfnlint)
                commands.append(cfnlint_plain)
            if "d" in sections:
                plugin = Command("cfn-lint -a cfn_trailwatch.rules",
                                 chunked([cfnlint, "-a", "cfn_trailwatch.rules", "--"], files,
                                         args.max_arg_bytes), _check_cfnlint)
                commands.append(plugin)
            _progress(f"corpus: {len(files)} files; {len(commands)} commands x {repeat} runs")
            measure(commands, repeat, env, warmup_as_run, short)

            if tw and fl and cfnlint_plain:
                emit(f"## (a) corpus scan: {len(files)} files under ../shared/corpus"
                     + (f" (the first {args.limit} only)" if args.limit else ""))
                emit()
                emit(table([tw, cfnlint_plain, fl], baseline=fl))
                emit()
                speedup = cfnlint_plain.median / tw.median
                over_floor = tw.median / fl.median
                emit(f"- cfn-trailwatch: {_trailwatch_summary(tw)}")
                emit(f"- cfn-lint / cfn-trailwatch: **{speedup:.1f}x** "
                     f"(CPU {cfnlint_plain.cpu_median / tw.cpu_median:.1f}x; "
                     f"min {cfnlint_plain.best / tw.best:.1f}x)")
                emit(f"- cfn-trailwatch / floor: **{over_floor:.2f}x** "
                     f"(CPU {tw.cpu_median / fl.cpu_median:.2f}x; min {tw.best / fl.best:.2f}x)")
                per_file = tw.median / len(files) * 1000
                emit(f"- per file: cfn-trailwatch {per_file:.2f} ms, cfn-lint "
                     f"{cfnlint_plain.median / len(files) * 1000:.1f} ms, floor "
                     f"{fl.median / len(files) * 1000:.2f} ms")
                emit()
                targets.append(("(a) cfn-lint / cfn-trailwatch on the corpus",
                                f">= {TARGET_A_VS_CFNLINT:g}x", f"{speedup:.1f}x",
                                speedup >= TARGET_A_VS_CFNLINT,
                                f"{cfnlint_plain.cpu_median / tw.cpu_median:.1f}x"))
                targets.append(("(a) cfn-trailwatch / parse floor on the corpus",
                                f"<= {TARGET_A_VS_FLOOR:g}x", f"{over_floor:.2f}x",
                                over_floor <= TARGET_A_VS_FLOOR,
                                f"{tw.cpu_median / fl.cpu_median:.2f}x"))
                results["sections"]["a"] = _raw([tw, cfnlint_plain, fl])  # type: ignore[index]

            if tw_e and cl_e and fl:
                emit(f"## (e) corpus scan with every rule on (WT3): {len(files)} files"
                     + (f" (the first {args.limit} only)" if args.limit else ""))
                emit()
                emit(table([tw_e, cl_e, fl], baseline=fl))
                emit()
                _e_lines(emit, targets, tw_e, cl_e, fl, len(files), "(e) corpus, WT3 on", True)
                results["sections"]["e"] = _raw([tw_e, cl_e, fl])  # type: ignore[index]
                # the monitoring templates alone: where WT3001-WT3014 have filters to follow
                mon = corpus_files(CORPUS_MONITORING) if CORPUS_MONITORING.is_dir() else []
                if mon:
                    tw_m = Command("cfn-trailwatch --format json --include-checks WT3",
                                   [[trailwatch, "--format", "json", *WT3, *mon]],
                                   _check_trailwatch)
                    cl_m = Command("cfn-lint -e -a cfn_trailwatch.rules",
                                   [[cfnlint, *CFNLINT_WT3, *mon]], _check_cfnlint)
                    fl_m = Command("parse floor", [floor + mon], _check_floor)
                    _progress(f"real-monitoring: {len(mon)} files")
                    measure([tw_m, cl_m, fl_m], repeat, env, warmup_as_run, short)
                    emit(f"### (e) the same on ../shared/corpus/real-monitoring alone: "
                         f"{len(mon)} templates with CIS filters and alarms")
                    emit()
                    emit(table([tw_m, cl_m, fl_m], baseline=fl_m))
                    emit()
                    _e_lines(emit, targets, tw_m, cl_m, fl_m, len(mon),
                             "(e) real-monitoring alone, WT3 on", False)
                    results["sections"]["e-real-monitoring"] = _raw(  # type: ignore[index]
                        [tw_m, cl_m, fl_m])

        # (b) one small template
        if "b" in sections:
            small = os.path.relpath(SMALL_TEMPLATE, REPO)
            tw_b = Command("cfn-trailwatch", [[trailwatch, small]], _check_trailwatch)
            config_b = os.path.relpath(BENCH / "precommit-config.yaml", REPO)
            tw_bc = Command("cfn-trailwatch --config (a team's configuration file)",
                            [[trailwatch, "--config", config_b, small]], _check_trailwatch)
            cl_b = Command("cfn-lint", [[cfnlint, small]], _check_cfnlint)
            fl_b = Command("parse floor", [floor + [small]], _check_floor)
            _progress(f"small template: {small}")
            measure([tw_b, tw_bc, cl_b, fl_b], repeat, env, short=short)
            speedup = cl_b.median / tw_b.median
            emit(f"## (b) one small template (pre-commit latency): {small}")
            emit()
            emit(table([tw_b, tw_bc, cl_b, fl_b], baseline=fl_b))
            emit()
            emit(f"- cfn-lint / cfn-trailwatch: **{speedup:.1f}x** "
                 f"(CPU {cl_b.cpu_median / tw_b.cpu_median:.1f}x; min {cl_b.best / tw_b.best:.1f}x)")
            emit(f"- with a configuration file ({config_b}) / without: "
                 f"{tw_bc.median / tw_b.median:.2f}x (+{(tw_bc.median - tw_b.median) * 1000:.0f} ms;"
                 " no target: a valid file is checked without importing jsonschema)")
            emit(f"- cfn-trailwatch / floor: {tw_b.median / fl_b.median:.2f}x (the floor is "
                 f"mostly the interpreter's start and `import yaml`)")
            emit()
            targets.append(("(b) cfn-lint / cfn-trailwatch on one small template",
                            f">= {TARGET_B_VS_CFNLINT:g}x", f"{speedup:.1f}x",
                            speedup >= TARGET_B_VS_CFNLINT,
                            f"{cl_b.cpu_median / tw_b.cpu_median:.1f}x"))
            results["sections"]["b"] = _raw([tw_b, tw_bc, cl_b, fl_b])  # type: ignore[index]

        # (c) generated templates
        if "c" in sections:
            rows = []
            with tempfile.TemporaryDirectory(prefix="cfn-trailwatch-bench-") as tmp:
                for n in sizes:
                    path = gen_trails.write(n, os.path.join(tmp, f"trails-{n}.yaml"))
                    tw_c = Command(f"cfn-trailwatch N={n}", [[trailwatch, "--format", "json", path]],
                                   _check_trailwatch)
                    fl_c = Command(f"parse floor N={n}", [floor + [path]], _check_floor)
                    _progress(f"generated: N={n}, {os.path.getsize(path) / 1e6:.2f} MB")
                    measure([tw_c, fl_c], repeat, env, short=short)
                    rows.append((n, os.path.getsize(path), tw_c, fl_c))
            emit("## (c) generated templates: N trails, each with its log group, role and policy")
            emit()
            emit("| N | size MB | cfn-trailwatch median s | min s | CPU s | floor median s | "
                 "x floor | growth per doubling | floor growth per doubling |")
            emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            worst_growth = worst_floor = cpu_growth = cpu_floor = 0.0
            previous = None
            for n, size, tw_c, fl_c in rows:
                ratio = tw_c.median / fl_c.median
                worst_floor = max(worst_floor, ratio)
                cpu_floor = max(cpu_floor, tw_c.cpu_median / fl_c.cpu_median)
                growth = floor_growth = "-"
                if previous:
                    pn, ptw, pfl = previous
                    doublings = _log2(n / pn)
                    if doublings > 0:
                        g = (tw_c.median / ptw.median) ** (1 / doublings)
                        worst_growth = max(worst_growth, g)
                        cpu_growth = max(cpu_growth,
                                         (tw_c.cpu_median / ptw.cpu_median) ** (1 / doublings))
                        growth = f"{g:.2f}x"
                        floor_growth = f"{(fl_c.median / pfl.median) ** (1 / doublings):.2f}x"
                previous = (n, tw_c, fl_c)
                emit(f"| {n} | {size / 1e6:.2f} | {tw_c.median:.3f} | {tw_c.best:.3f} | "
                     f"{tw_c.cpu_median:.3f} | {fl_c.median:.3f} | {ratio:.2f}x | {growth} | "
                     f"{floor_growth} |")
            emit()
            first = rows[0][2]
            emit(f"- cfn-trailwatch at N={rows[0][0]}: {_trailwatch_summary(first)}")
            emit()
            if len(rows) > 1:
                targets.append(("(c) time growth when N doubles (worst step)",
                                f"<= {TARGET_C_DOUBLING:g}x", f"{worst_growth:.2f}x",
                                worst_growth <= TARGET_C_DOUBLING, f"{cpu_growth:.2f}x"))
            targets.append(("(c) cfn-trailwatch / parse floor of the same file (worst N)",
                            f"<= {TARGET_C_VS_FLOOR:g}x", f"{worst_floor:.2f}x",
                            worst_floor <= TARGET_C_VS_FLOOR, f"{cpu_floor:.2f}x"))
            results["sections"]["c"] = [  # type: ignore[index]
                {"n": n, "bytes": size, **_raw([tw_c, fl_c])} for n, size, tw_c, fl_c in rows]

        # (f) generated templates with the whole monitoring chain, every rule on
        if "f" in sections:
            _section_f(emit, targets, results, wt3_sizes, repeat, env, warmup_as_run,
                       trailwatch, cfnlint, floor, args.wt3_timeout, short)

        # (g) across templates: linked stacks, the import cost, pre-commit with a workspace
        if "g" in sections:
            _section_g(emit, targets, results, stack_sizes, repeat, env, trailwatch, floor,
                       short)

        # (d) the plugin's cost inside cfn-lint
        if "d" in sections and cfnlint_plain is not None:
            overhead = plugin.median / cfnlint_plain.median - 1  # type: ignore[union-attr]
            cpu_overhead = plugin.cpu_median / cfnlint_plain.cpu_median - 1  # type: ignore[union-attr]
            emit(f"## (d) cfn-lint with the cfn-trailwatch rules vs plain cfn-lint "
                 f"({len(files)} corpus files)")
            emit()
            emit(table([cfnlint_plain, plugin], baseline=cfnlint_plain))  # type: ignore[list-item]
            emit()
            plain_counts = _cfnlint_matches(cfnlint_plain)
            plugin_counts = _cfnlint_matches(plugin)  # type: ignore[arg-type]
            emit(f"- matches, plain: {plain_counts}; with the plugin: {plugin_counts}")
            emit(f"- overhead: **{overhead * 100:+.1f}%** (CPU {cpu_overhead * 100:+.1f}%; "
                 f"min {(plugin.best / cfnlint_plain.best - 1) * 100:+.1f}%)")  # type: ignore[union-attr]
            spread = (max(cfnlint_plain.wall) - min(cfnlint_plain.wall)) / cfnlint_plain.median
            if len(cfnlint_plain.wall) > 1:
                emit(f"- noise: plain cfn-lint's own runs spread over {spread * 100:.0f}% of their "
                     f"median; an overhead smaller than that is not resolved by this run")
            if "a" in sections and tw is not None:
                emit(f"- for scale: cfn-trailwatch's whole scan of the same files takes "
                     f"{tw.cpu_median:.2f} s CPU, {tw.cpu_median / cfnlint_plain.cpu_median * 100:.1f}% "
                     f"of plain cfn-lint's (the plugin also re-reads each template, so its cost "
                     f"should be of that order)")
            share = plugin_share(files, env, min(repeat, 3), args.max_arg_bytes)
            emit(f"- from inside the process (bench/plugin_share.py, median of "
                 f"{min(repeat, 3)}): importing the rules {share['import_s']:.3f} s + their "
                 f"matches (the analysis included) {share['match_s']:.3f} s, in a run of "
                 f"{share['total_s']:.1f} s: **{share['share'] * 100:+.2f}%** over cfn-lint's own "
                 f"work (a ratio within one process: far less moved by the machine's load)")
            emit()
            targets.append(("(d) cfn-lint -a cfn_trailwatch.rules over plain cfn-lint",
                            f"<= {TARGET_D_OVERHEAD * 100:g}%", f"{overhead * 100:+.1f}%",
                            overhead <= TARGET_D_OVERHEAD, f"{cpu_overhead * 100:+.1f}%"))
            targets.append(("(d) the same, measured inside one process",
                            f"<= {TARGET_D_OVERHEAD * 100:g}%", f"{share['share'] * 100:+.2f}%",
                            share["share"] <= TARGET_D_OVERHEAD, "-"))
            results["sections"]["d"] = _raw([cfnlint_plain, plugin])  # type: ignore[index, list-item]
    except Crash as crash:
        print(f"bench: crash, benchmark stopped: {crash}", file=sys.stderr)
        return 3

    emit("## Targets (issue 6; (e), (f): issue 12; (g): issue 13), on wall-clock medians")
    emit()
    emit("| target | wanted | measured (wall) | | on CPU time |")
    emit("|---|---:|---:|---|---:|")
    for name, wanted, measured, ok, cpu in targets:
        emit(f"| {name} | {wanted} | {measured} | {verdict(ok)} | {cpu} |")
    emit()
    emit(f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results["targets"] = [{"target": t, "wanted": w, "measured": m, "pass": ok, "cpu": c}
                          for t, w, m, ok, c in targets]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
            handle.write("\n")
    return 0


def _e_lines(emit: Callable[[str], None], targets: list, tw: Command, cl: Command, fl: Command,
             count: int, name: str, judged: bool) -> None:
    """The ratios of a WT3 corpus run, and its rows in the targets table (``judged``: with
    issue 6's verdicts; else shown with no verdict: a few files are mostly start-up)."""
    speedup, over_floor = cl.median / tw.median, tw.median / fl.median
    emit(f"- cfn-trailwatch: {_trailwatch_summary(tw)}")
    emit(f"- cfn-lint -e -a / cfn-trailwatch, both with WT3: **{speedup:.1f}x** "
         f"(CPU {cl.cpu_median / tw.cpu_median:.1f}x; min {cl.best / tw.best:.1f}x)")
    emit(f"- cfn-trailwatch with WT3 / floor: **{over_floor:.2f}x** "
         f"(CPU {tw.cpu_median / fl.cpu_median:.2f}x; min {tw.best / fl.best:.2f}x)")
    emit(f"- per file: cfn-trailwatch {tw.median / count * 1000:.2f} ms, cfn-lint "
         f"{cl.median / count * 1000:.1f} ms, floor {fl.median / count * 1000:.2f} ms")
    emit()
    note = "" if judged else " (no verdict: start-up dominated)"
    targets.append((f"{name}: cfn-lint -e -a / cfn-trailwatch{note}",
                    f">= {TARGET_A_VS_CFNLINT:g}x", f"{speedup:.1f}x",
                    speedup >= TARGET_A_VS_CFNLINT if judged else None,
                    f"{cl.cpu_median / tw.cpu_median:.1f}x"))
    targets.append((f"{name}: cfn-trailwatch / parse floor{note}",
                    f"<= {TARGET_A_VS_FLOOR:g}x", f"{over_floor:.2f}x",
                    over_floor <= TARGET_A_VS_FLOOR if judged else None,
                    f"{tw.cpu_median / fl.cpu_median:.2f}x"))


def _section_f(emit: Callable[[str], None], targets: list, results: dict, sizes: Sequence[int],
               repeat: int, env: dict[str, str], warmup_as_run: float | None, trailwatch: str,
               cfnlint: str, floor: list[str], timeout: float,
               short: tuple[float, int] | None = None) -> None:
    """(f): generated templates whose N trails each carry the whole CloudWatch.1-14 chain
    (``gen_trails.template(n, monitoring=True)``), with every rule on: cfn-trailwatch with WT3
    vs the floor (growth per doubling, x floor), vs ``cfn-lint -e -a cfn_trailwatch.rules`` (the
    same rules on in cfn-lint) and vs ``cfn-lint -e`` (cfn-lint's own work), and cfn-trailwatch's
    default rules for what WT3 adds. A process over ``timeout`` seconds ends the series."""
    rows: list[tuple[int, int, dict[str, Command]]] = []
    stopped = ""
    with tempfile.TemporaryDirectory(prefix="cfn-trailwatch-bench-") as tmp:
        for n in sizes:
            path = gen_trails.write(n, os.path.join(tmp, f"monitoring-{n}.yaml"), monitoring=True)
            cmds = {
                "tw": Command(f"cfn-trailwatch --include-checks WT3 N={n}",
                              [[trailwatch, "--format", "json", *WT3, path]], _check_trailwatch,
                              timeout),
                "plain": Command(f"cfn-trailwatch (default rules) N={n}",
                                 [[trailwatch, "--format", "json", path]], _check_trailwatch,
                                 timeout),
                "cl": Command(f"cfn-lint -e -a cfn_trailwatch.rules N={n}",
                              [[cfnlint, *CFNLINT_WT3, path]], _check_cfnlint, timeout),
                "cl0": Command(f"cfn-lint -e N={n}", [[cfnlint, "-e", path]], _check_cfnlint,
                               timeout),
                "fl": Command(f"parse floor N={n}", [floor + [path]], _check_floor, timeout),
            }
            _progress(f"generated with the monitoring chain: N={n}, "
                      f"{os.path.getsize(path) / 1e6:.2f} MB")
            try:
                measure(list(cmds.values()), repeat, env, warmup_as_run, short)
            except TooSlow as slow:
                stopped = f"N={n}: {slow}; larger N not run"
                _progress(stopped)
                break
            rows.append((n, os.path.getsize(path), cmds))
    emit("## (f) generated templates with the whole monitoring chain, every rule on (WT3): "
         "N trails, each with its log group, role, policy, 14 metric filters and alarms, a topic "
         "and a subscription")
    emit()
    if not rows:
        emit(f"- no size measured: {stopped}")
        emit()
        targets.append(("(f) WT3 on generated monitoring chains", "-", stopped, False, "-"))
        return
    emit("| N | size MB | cfn-trailwatch WT3 median s | min s | CPU s | default rules s | "
         "floor s | x floor | growth per doubling | floor growth | cfn-lint -e -a s | "
         "cfn-lint -e s | cfn-lint -e -a / cfn-trailwatch | cfn-lint -e / cfn-trailwatch |")
    emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst_growth = worst_floor = cpu_growth = cpu_floor = 0.0
    worst_cl, worst_cl0 = float("inf"), float("inf")
    previous = None
    for n, size, c in rows:
        tw, fl = c["tw"], c["fl"]
        ratio = tw.median / fl.median
        worst_floor = max(worst_floor, ratio)
        cpu_floor = max(cpu_floor, tw.cpu_median / fl.cpu_median)
        vs_cl, vs_cl0 = c["cl"].median / tw.median, c["cl0"].median / tw.median
        worst_cl, worst_cl0 = min(worst_cl, vs_cl), min(worst_cl0, vs_cl0)
        growth = floor_growth = "-"
        if previous:
            pn, ptw, pfl = previous
            doublings = _log2(n / pn)
            if doublings > 0:
                g = (tw.median / ptw.median) ** (1 / doublings)
                worst_growth = max(worst_growth, g)
                cpu_growth = max(cpu_growth, (tw.cpu_median / ptw.cpu_median) ** (1 / doublings))
                growth = f"{g:.2f}x"
                floor_growth = f"{(fl.median / pfl.median) ** (1 / doublings):.2f}x"
        previous = (n, tw, fl)
        emit(f"| {n} | {size / 1e6:.2f} | {tw.median:.3f} | {tw.best:.3f} | {tw.cpu_median:.3f} | "
             f"{c['plain'].median:.3f} | {fl.median:.3f} | {ratio:.2f}x | {growth} | "
             f"{floor_growth} | {c['cl'].median:.3f} | {c['cl0'].median:.3f} | {vs_cl:.2f}x | "
             f"{vs_cl0:.2f}x |")
    emit()
    emit(f"- cfn-trailwatch WT3 at N={rows[0][0]}: {_trailwatch_summary(rows[0][2]['tw'])}")
    emit(f"- cfn-lint -e -a at N={rows[0][0]}: {_cfnlint_matches(rows[0][2]['cl'])} "
         "(no match: every chain is whole)")
    if stopped:
        emit(f"- stopped: {stopped} (--wt3-timeout {timeout:g})")
    emit()
    growth_shown = f"{worst_growth:.2f}x" + (f"; then over {timeout:g} s" if stopped else "")
    if len(rows) > 1 or stopped:
        targets.append(("(f) WT3, whole chains: time growth when N doubles (worst step)",
                        f"<= {TARGET_C_DOUBLING:g}x", growth_shown,
                        worst_growth <= TARGET_C_DOUBLING and not stopped, f"{cpu_growth:.2f}x"))
    targets.append(("(f) WT3, whole chains: cfn-trailwatch / parse floor (worst N)",
                    f"<= {TARGET_C_VS_FLOOR:g}x", f"{worst_floor:.2f}x"
                    + ("; then over the timeout" if stopped else ""),
                    worst_floor <= TARGET_C_VS_FLOOR and not stopped, f"{cpu_floor:.2f}x"))
    targets.append(("(f) WT3, whole chains: cfn-lint -e -a / cfn-trailwatch (worst N; no target "
                    "in issue 6)", "-", f"{worst_cl:.2f}x", None, "-"))
    targets.append(("(f) WT3, whole chains: cfn-lint -e / cfn-trailwatch WT3 (worst N; no target "
                    "in issue 6)", "-", f"{worst_cl0:.2f}x", None, "-"))
    results["sections"]["f"] = [
        {"n": n, "bytes": size, **_raw(list(c.values()))} for n, size, c in rows]
    if stopped:
        results["sections"]["f-stopped"] = stopped


def _size(paths: Sequence[str]) -> int:
    return sum(os.path.getsize(path) for path in paths)


def _growth(rows: Sequence[tuple[int, Command]]) -> list[float | None]:
    """Per row, the growth per doubling of N of the command's median since the row before."""
    out: list[float | None] = [None]
    for (pn, previous), (n, command) in zip(rows, rows[1:]):
        doublings = _log2(n / pn)
        out.append((command.median / previous.median) ** (1 / doublings) if doublings > 0
                   else None)
    return out


def _section_g(emit: Callable[[str], None], targets: list, results: dict, sizes: Sequence[int],
               repeat: int, env: dict[str, str], trailwatch: str, floor: list[str],
               short: tuple[float, int] | None = None) -> None:
    """(g), across templates (issue 13), on folders written by ``gen_stacks.write(n, ...)``: N
    deployments of 5 files (a logging stack that exports, a trail stack that imports, a parent
    nesting a logging and a trail template of its own), no finding at all when linked.

    (g1) each size: cfn-trailwatch on every file of the folder vs the floor on the same files,
    and vs the floor reading the linked files a second time (each logging stack once more for
    its importer, each nested template once more for its parent: what merging per file parses,
    8N parses for 5N files); growth per doubling of N.
    (g2) at the largest N: the trail stacks with their logging stacks (the imports resolved
    through the export index) vs the trail stacks alone (no exporter in the scan: WT1007).
    (g3) pre-commit: one trail stack given alone with a configuration whose ``workspace`` is the
    corpus and the largest generated folder (a monorepo: hundreds of unrelated templates, a few
    dozen real exporters whose Outputs the export index parses, and the logging stack the file
    imports from), vs the same file with the same configuration without the workspace (its
    imports then WT1007), vs the floor on that file, vs cfn-trailwatch scanning the whole
    workspace (what the workspace saves a pre-commit hook)."""
    sizes = sorted(set(sizes))
    with tempfile.TemporaryDirectory(prefix="cfn-trailwatch-bench-") as tmp:
        rows: list[tuple[int, list[str], dict[str, Command]]] = []
        kinds: dict[str, list[str]] = {}
        folder = ""
        for n in sizes:
            folder = os.path.join(tmp, f"stacks-{n}")
            kinds = gen_stacks.write(n, folder)
            every = sorted(path for paths in kinds.values() for path in paths)
            again = kinds["logging"] + kinds["nested"]
            cmds = {
                "tw": Command(f"cfn-trailwatch --format json N={n}",
                              [[trailwatch, "--format", "json", *every]], _check_trailwatch),
                "fl": Command(f"parse floor N={n}", [floor + every], _check_floor),
                "fl2": Command(f"parse floor, linked files read again N={n}",
                               [floor + every + again], _check_floor),
            }
            _progress(f"generated linked stacks: N={n}, {len(every)} files, "
                      f"{_size(every) / 1e6:.2f} MB")
            measure(list(cmds.values()), repeat, env, short=short)
            rows.append((n, every, cmds))

        emit("## (g) across templates (issue 13): linked stacks (bench/gen_stacks.py)")
        emit()
        emit("### (g1) N deployments: a logging stack exporting its log group and role ARNs, a "
             "trail stack importing them, a parent nesting a logging and a trail template")
        emit()
        emit("| N | files | size MB | cfn-trailwatch median s | min s | CPU s | floor s | x floor "
             "| floor, linked read again s | x that | growth per doubling | floor growth |")
        emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        growth = _growth([(n, c["tw"]) for n, _, c in rows])
        floor_growth = _growth([(n, c["fl"]) for n, _, c in rows])
        cpu_growth = max([(c["tw"].cpu_median / p["tw"].cpu_median) ** (1 / _log2(n / pn))
                          for (pn, _, p), (n, _, c) in zip(rows, rows[1:])], default=0.0)
        worst_floor = cpu_floor = 0.0
        for (n, every, c), g, fg in zip(rows, growth, floor_growth):
            tw, fl, fl2 = c["tw"], c["fl"], c["fl2"]
            worst_floor = max(worst_floor, tw.median / fl.median)
            cpu_floor = max(cpu_floor, tw.cpu_median / fl.cpu_median)
            emit(f"| {n} | {len(every)} | {_size(every) / 1e6:.2f} | {tw.median:.3f} | "
                 f"{tw.best:.3f} | {tw.cpu_median:.3f} | {fl.median:.3f} | "
                 f"{tw.median / fl.median:.2f}x | {fl2.median:.3f} | "
                 f"{tw.median / fl2.median:.2f}x | {'-' if g is None else f'{g:.2f}x'} | "
                 f"{'-' if fg is None else f'{fg:.2f}x'} |")
        emit()
        for n, _, c in rows:
            emit(f"- cfn-trailwatch at N={n}: {_trailwatch_summary(c['tw'])} (expected: no "
                 f"finding, {2 * n} trails)")
        emit()
        worst_growth = max((g for g in growth if g is not None), default=0.0)
        if len(rows) > 1:
            targets.append(("(g1) linked stacks: time growth when N doubles (worst step)",
                            f"<= {TARGET_G_DOUBLING:g}x", f"{worst_growth:.2f}x",
                            worst_growth <= TARGET_G_DOUBLING, f"{cpu_growth:.2f}x"))
        targets.append(("(g1) linked stacks: cfn-trailwatch / parse floor (worst N)",
                        f"<= {TARGET_G_VS_FLOOR:g}x", f"{worst_floor:.2f}x",
                        worst_floor <= TARGET_G_VS_FLOOR, f"{cpu_floor:.2f}x"))
        results["sections"]["g1"] = [
            {"n": n, "files": len(every), "bytes": _size(every), **_raw(list(c.values()))}
            for n, every, c in rows]

        # (g2) the import cost, at the largest N
        n = sizes[-1]
        trails, logging = kinds["trails"], kinds["logging"]
        linked = Command(f"cfn-trailwatch trail stacks + logging stacks N={n}",
                         [[trailwatch, "--format", "json", *trails, *logging]], _check_trailwatch)
        alone = Command(f"cfn-trailwatch trail stacks alone N={n}",
                        [[trailwatch, "--format", "json", *trails]], _check_trailwatch)
        fl_both = Command(f"parse floor trail + logging stacks N={n}",
                          [floor + trails + logging], _check_floor)
        fl_alone = Command(f"parse floor trail stacks alone N={n}", [floor + trails],
                           _check_floor)
        _progress(f"import cost: {len(trails)} trail stacks, {len(logging)} logging stacks")
        measure([linked, alone, fl_both, fl_alone], repeat, env, short=short)
        ratio = linked.median / alone.median
        per_import = (linked.median - alone.median) / n * 1000
        floor_per = (fl_both.median - fl_alone.median) / n * 1000
        emit(f"### (g2) the import cost: {n} trail stacks, each importing its log group and "
             f"role from one of {n} logging stacks")
        emit()
        emit(table([linked, alone, fl_both, fl_alone], baseline=alone))
        emit()
        emit(f"- linked: {_trailwatch_summary(linked)}; alone: {_trailwatch_summary(alone)} "
             f"(expected: no finding linked; 2 WT1007 per trail alone)")
        emit(f"- linked / alone: **{ratio:.2f}x** (CPU {linked.cpu_median / alone.cpu_median:.2f}x;"
             f" min {linked.best / alone.best:.2f}x); per trail stack, the logging stack it "
             f"imports from costs {per_import:.2f} ms more (its own check, the export index, "
             f"the link and the whole chain's analysis); the floor's parse of a logging stack: "
             f"{floor_per:.2f} ms")
        emit()
        targets.append(("(g2) trail stacks with their logging stacks / alone (no target)", "-",
                        f"{ratio:.2f}x", None, f"{linked.cpu_median / alone.cpu_median:.2f}x"))
        results["sections"]["g2"] = _raw([linked, alone, fl_both, fl_alone])

        # (g3) pre-commit with a workspace
        one = trails[0]
        workspace = [str(CORPUS), folder]
        with_config = os.path.join(tmp, "workspace.yaml")
        plain_config = os.path.join(tmp, "no-workspace.yaml")
        with open(with_config, "w", encoding="utf-8") as handle:
            handle.write("workspace:\n" + "".join(f"  - {json.dumps(f)}\n" for f in workspace))
        with open(plain_config, "w", encoding="utf-8") as handle:
            handle.write("workspace: []\n")
        ws_files = sum(len(corpus_files(Path(f))) for f in workspace)
        shown = os.path.relpath(one, folder)
        with_ws = Command(f"cfn-trailwatch {shown}, workspace",
                          [[trailwatch, "--config", with_config, one]], _check_trailwatch)
        without = Command(f"cfn-trailwatch {shown}, no workspace",
                          [[trailwatch, "--config", plain_config, one]], _check_trailwatch)
        fl_one = Command(f"parse floor {shown}", [floor + [one]], _check_floor)
        whole = Command("cfn-trailwatch --format json, the whole workspace",
                        [[trailwatch, "--config", plain_config, "--format", "json", *workspace]],
                        _check_trailwatch)
        _progress(f"pre-commit with a workspace of {ws_files} files")
        measure([with_ws, without, fl_one, whole], repeat, env, short=short)
        emit(f"### (g3) pre-commit with a workspace: one trail stack ({shown}), the workspace "
             f"../shared/corpus and the N={n} folder ({ws_files} files)")
        emit()
        emit(table([with_ws, without, fl_one, whole], baseline=fl_one))
        emit()
        resolved = "WT1007" not in with_ws.first_stdout
        unresolved = "WT1007" in without.first_stdout
        last = [c.first_stdout.strip().splitlines()[-1:] or [""] for c in (with_ws, without)]
        emit(f"- with the workspace: {last[0][0]} ("
             f"{'imports resolved' if resolved else 'IMPORTS NOT RESOLVED: not the case measured'}"
             f"); without: {last[1][0]}{'' if unresolved else ' (expected: WT1007)'}")
        vs_without = with_ws.median / without.median
        vs_whole = with_ws.median / whole.median
        extra = (with_ws.median - without.median) * 1000
        emit(f"- with / without the workspace: **{vs_without:.2f}x** (+{extra:.0f} ms; CPU "
             f"{with_ws.cpu_median / without.cpu_median:.2f}x); with the workspace / the "
             f"floor on the file: {with_ws.median / fl_one.median:.2f}x; with the workspace / a "
             f"scan of the whole workspace: **{vs_whole:.2f}x**")
        emit()
        targets.append(("(g3) pre-commit, one file with a workspace: wall time",
                        f"<= {TARGET_G_WORKSPACE_WALL:g} s", f"{with_ws.median:.3f} s",
                        with_ws.median <= TARGET_G_WORKSPACE_WALL and resolved,
                        f"{with_ws.cpu_median:.3f} s"))
        targets.append(("(g3) pre-commit with a workspace / scan of the whole workspace",
                        f"<= {TARGET_G_WORKSPACE_VS_SCAN:g}x", f"{vs_whole:.2f}x",
                        vs_whole <= TARGET_G_WORKSPACE_VS_SCAN and resolved,
                        f"{with_ws.cpu_median / whole.cpu_median:.2f}x"))
        targets.append(("(g3) pre-commit, with / without the workspace (no target)", "-",
                        f"{vs_without:.2f}x", None,
                        f"{with_ws.cpu_median / without.cpu_median:.2f}x"))
        results["sections"]["g3"] = {"workspace_files": ws_files,
                                     **_raw([with_ws, without, fl_one, whole])}


def _raw(commands: Sequence[Command]) -> dict[str, object]:
    return {c.label: {"wall": c.wall, "cpu": c.cpu, "median": c.median, "min": c.best,
                      "cpu_median": c.cpu_median, "processes": len(c.chunks),
                      "exit_codes": sorted(c.exit_codes)} for c in commands}


def _log2(x: float) -> float:
    import math
    return math.log2(x)


if __name__ == "__main__":
    sys.exit(main())
