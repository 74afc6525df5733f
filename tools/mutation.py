"""Mutation testing of the engine with cosmic-ray, on a sample drawn with a fixed seed.

    pip install -e '.[test,mutation]'
    python tools/mutation.py                 # the documented run (tools/mutation.toml)
    python tools/mutation.py --files linter/reach.py linter/names.py --jobs 2
    python tools/mutation.py --list          # print the sample, run nothing
    python tools/mutation.py --files linter/names.py --with tests/test_names.py  # new tests

What it does (docs/testing.md has the why):

1. Copies a commit (HEAD by default: `--rev`; `--worktree` for the work tree as it is, `--with`
   for a few paths from it, such as new tests) to a temporary folder, one copy per job. The import
   package `cfn_trailwatch` is mapped from `linter/` (and
   `cfn_trailwatch.rules` from `rules/`) by `package-dir`, and the editable install points at the
   checkout, so each copy gets a shim folder on PYTHONPATH whose `cfn_trailwatch` is a symlink to
   the copy's `linter/` (and `linter/rules` one to the copy's `rules/`): the tests import the
   mutated copy, and the checkout itself is never written to.
2. Lists every mutant cosmic-ray's core operators make in the configured files (less the
   excluded operators and mutants inside type annotations), gives each a key that does not depend
   on line numbers, and samples per file with a seeded hash of the key.
3. Writes one cosmic-ray session per file (`mutants/sessions/*.sqlite`, readable with
   `cr-report`), checks that each file's tests pass on the unmutated copy, then runs every
   sampled mutant with cosmic-ray's worker (`mutate_and_test`): mutate the file in the copy, run
   the file's tests (`[tests]` in the configuration), restore.
4. Prints the score per file and overall, counting the surviving mutants listed as equivalent in
   the configuration apart, and writes `mutants/report.json` and `mutants/survivors.md` (the diff
   of every other survivor).

Exit code: 0 when the run completed, 1 when a file's tests fail on the unmutated code (nothing is
run then), 2 for wrong usage.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import datetime
import fnmatch
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "mutation.toml"
OUT = ROOT / "mutants"
COPY_IGNORE = (".git", "mutants", ".hypothesis", "__pycache__", ".pytest_cache", "*.egg-info",
               ".venv", "venv", "build", "dist", "bench")


def _cosmic_ray():
    try:
        from cosmic_ray.commands.init import _all_work_items
        from cosmic_ray.mutating import mutate_and_test
        from cosmic_ray.work_db import use_db, WorkDB
        from cosmic_ray.work_item import WorkItem, TestOutcome, WorkerOutcome
    except ModuleNotFoundError:
        sys.exit("tools/mutation.py: cosmic-ray is not installed: pip install -e '.[mutation]'")
    return _all_work_items, mutate_and_test, use_db, WorkDB, WorkItem, TestOutcome, WorkerOutcome


# --- configuration ---------------------------------------------------------------------------

@dataclass
class Config:
    seed: int
    size: int
    min_per_file: int
    patterns: list[str]
    exclude: list[re.Pattern]
    pytest_args: list[str]
    tests: dict[str, list[str]]
    equivalent: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> "Config":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        sample = data["sample"]
        equivalent = {}
        for entry in data.get("equivalent", []):
            equivalent[entry["key"]] = entry["why"]
        return cls(
            seed=int(sample["seed"]),
            size=int(sample["size"]),
            min_per_file=int(sample.get("min_per_file", 0)),
            patterns=list(sample["files"]),
            exclude=[re.compile(p) for p in data.get("operators", {}).get("exclude", [])],
            pytest_args=list(data.get("pytest", {}).get("args", [])),
            tests=dict(data["tests"]),
            equivalent=equivalent,
        )

    def files(self, root: Path) -> list[str]:
        found = []
        for pattern in self.patterns:
            for path in sorted(root.glob(pattern)):
                relative = path.relative_to(root).as_posix()
                if relative not in found:
                    found.append(relative)
        return found

    def test_args(self, file: str, root: Path) -> list[str]:
        """The pytest arguments for a file's mutants; test files that do not exist (yet) are left
        out, as pytest would count them as a failure and every mutant as killed."""
        for pattern, args in self.tests.items():
            if fnmatch.fnmatch(file, pattern):
                kept, skip_next = [], False
                for arg in args:
                    if skip_next:
                        kept.append(arg)
                        skip_next = False
                    elif arg.startswith("-"):
                        kept.append(arg)
                        skip_next = arg in ("-k", "-m")
                    elif (root / arg.split("::")[0]).exists():
                        kept.append(arg)
                return kept
        raise SystemExit(f"tools/mutation.py: no [tests] entry in {CONFIG.name} matches {file}")


# --- the mutants ------------------------------------------------------------------------------

@dataclass
class Mutant:
    file: str
    key: str
    rank: str
    line: int
    item: object  # cosmic-ray WorkItem
    outcome: str = ""
    diff: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def job_id(self) -> str:
        return self.item.job_id


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are, as ((line, column), (line, column)) in characters, when the
    module postpones their evaluation (then a mutant inside one can never change behaviour)."""
    tree = ast.parse(source)
    postponed = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                    and any(alias.name == "annotations" for alias in node.names)
                    for node in tree.body)
    if not postponed:
        return []
    lines = source.splitlines()

    def char_col(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    spans = []
    for node in ast.walk(tree):
        annotations = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            annotations.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for a in annotations:
            spans.append(((a.lineno, char_col(a.lineno, a.col_offset)),
                          (a.end_lineno, char_col(a.end_lineno, a.end_col_offset))))
    return spans


def enumerate_mutants(config: Config, root: Path, files: list[str]) -> dict[str, list[Mutant]]:
    """Every mutant of each file, keyed and ranked, in cosmic-ray's own enumeration (so the
    `occurrence` each one carries is the one cosmic-ray applies)."""
    _all_work_items, _, _, _, WorkItem, _, _ = _cosmic_ray()
    result: dict[str, list[Mutant]] = {}
    cwd = os.getcwd()
    os.chdir(root)
    try:
        for file in files:
            source = (root / file).read_text(encoding="utf-8")
            lines = source.splitlines()
            spans = _annotation_spans(source)
            seen: dict[str, int] = {}
            mutants = []
            for item in _all_work_items([Path(file)], {}):
                spec = item.mutations[0]
                if any(p.fullmatch(spec.operator_name) for p in config.exclude):
                    continue
                if any(start <= spec.start_pos < end for start, end in spans):
                    continue
                line_no, col = spec.start_pos
                text = lines[line_no - 1]
                indent = len(text) - len(text.lstrip())
                base = f"{file} | {spec.operator_name} | {text.strip()} @{col - indent}"
                ordinal = seen.get(base, 0)
                seen[base] = ordinal + 1
                key = f"{base} #{ordinal}"
                rank = hashlib.sha256(f"{config.seed}\0{key}".encode()).hexdigest()
                job_id = hashlib.sha256(key.encode()).hexdigest()[:16]
                mutants.append(Mutant(file, key, rank, line_no,
                                      WorkItem.single(job_id=job_id, mutation=spec)))
            result[file] = mutants
    finally:
        os.chdir(cwd)
    return result


def quotas(config: Config, population: dict[str, int], size: int) -> dict[str, int]:
    """Per-file sample sizes: proportional to the population (largest remainders), at least
    `min_per_file` (or the whole file when it has fewer)."""
    total = sum(population.values())
    if total == 0:
        return {f: 0 for f in population}
    exact = {f: size * n / total for f, n in population.items()}
    quota = {f: min(n, max(config.min_per_file, math.floor(exact[f])))
             for f, n in population.items()}
    order = sorted(population, key=lambda f: (-(exact[f] - math.floor(exact[f])), f))
    for f in order:
        if sum(quota.values()) >= size:
            break
        if quota[f] < population[f] and quota[f] == math.floor(exact[f]):
            quota[f] += 1
    return quota


def sample(config: Config, everything: dict[str, list[Mutant]],
           population_files: list[str]) -> dict[str, list[Mutant]]:
    population = {f: len(everything[f]) for f in population_files}
    quota = quotas(config, population, config.size)
    chosen = {}
    for file, mutants in everything.items():
        picked = sorted(mutants, key=lambda m: m.rank)[:quota.get(file, 0)]
        chosen[file] = sorted(picked, key=lambda m: (m.item.mutations[0].start_pos, m.key))
    return chosen


# --- the copies ---------------------------------------------------------------------------------

def make_copy(dest: Path, rev: str | None, overlay: list[str]) -> Path:
    """A copy of commit `rev` (None: of the work tree as it is), with the `overlay` paths taken
    from the work tree, whose `cfn_trailwatch` is importable through `dest/.shim`."""
    if rev is None:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*COPY_IGNORE), symlinks=True)
    else:
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    for path in overlay:
        source = ROOT / path
        if source.is_dir():
            shutil.copytree(source, dest / path, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(*COPY_IGNORE))
        elif source.exists():
            (dest / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / path)
        else:
            (dest / path).unlink(missing_ok=True)
    shim = dest / ".shim"
    shim.mkdir()
    (shim / "cfn_trailwatch").symlink_to(dest / "linter", target_is_directory=True)
    rules = dest / "linter" / "rules"
    if not rules.exists():
        rules.symlink_to(dest / "rules", target_is_directory=True)
    return dest


def copy_env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy / ".shim")]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_copy(copy: Path) -> None:
    """The tests must import the copy, or every mutant would survive (and the checkout would be
    what they test)."""
    probe = subprocess.run(
        [sys.executable, "-c",
         "import cfn_trailwatch, cfn_trailwatch.rules, cfn_trailwatch.values;"
         "print(cfn_trailwatch.__file__); print(cfn_trailwatch.rules.__file__)"],
        cwd=copy, env=copy_env(copy), capture_output=True, text=True, check=True)
    for line in probe.stdout.split():
        if not Path(line).resolve().is_relative_to(copy.resolve()):
            raise SystemExit(f"tools/mutation.py: the copy imports {line}, not its own code")


def pytest_command(config: Config, file: str, copy: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", *config.pytest_args, *config.test_args(file, copy)]


def baseline(config: Config, copy: Path, files: list[str]) -> dict[str, float]:
    """Run each file's tests once on the unmutated copy; returns the seconds each took."""
    seconds: dict[str, float] = {}
    by_command: dict[tuple[str, ...], float] = {}
    for file in files:
        command = pytest_command(config, file, copy)
        if tuple(command) in by_command:
            seconds[file] = by_command[tuple(command)]
            continue
        start = time.monotonic()
        proc = subprocess.run(command, cwd=copy, env=copy_env(copy), capture_output=True, text=True)
        seconds[file] = by_command[tuple(command)] = time.monotonic() - start
        if proc.returncode != 0:
            sys.stdout.write(proc.stdout[-4000:])
            raise SystemExit(f"tools/mutation.py: the tests for {file} fail on the unmutated code "
                             f"({' '.join(command[3:])}); fix that first")
    return seconds


# --- running ------------------------------------------------------------------------------------

def run_group(copy: str, sessions: list[tuple[str, str, list[str], float]], tag: str,
              total: int) -> None:
    """One job: runs the pending mutants of its sessions in its own copy (cosmic-ray mutates the
    file in place there and restores it afterwards)."""
    _, mutate_and_test, use_db, WorkDB, _, _, _ = _cosmic_ray()
    os.chdir(copy)
    os.environ.update(copy_env(Path(copy)))
    import shlex
    done = 0
    for session, file, command, timeout in sessions:
        with use_db(session, WorkDB.Mode.open) as db:
            pending = sorted(db.pending_work_items,
                             key=lambda i: (i.mutations[0].start_pos, i.mutations[0].operator_name,
                                            i.mutations[0].occurrence))
            for item in pending:
                start = time.monotonic()
                result = mutate_and_test(item.mutations, shlex.join(command), timeout)
                db.set_result(item.job_id, result)
                done += 1
                spec = item.mutations[0]
                outcome = result.test_outcome.value if result.test_outcome else result.worker_outcome.value
                print(f"[{tag} {done}/{total}] {outcome:<11} {time.monotonic() - start:5.1f}s "
                      f"{file}:{spec.start_pos[0]} {spec.operator_name}", flush=True)


def collect(config: Config, chosen: dict[str, list[Mutant]], sessions: dict[str, Path]) -> None:
    _, _, use_db, WorkDB, _, TestOutcome, WorkerOutcome = _cosmic_ray()
    for file, mutants in chosen.items():
        by_id = {m.job_id: m for m in mutants}
        with use_db(str(sessions[file]), WorkDB.Mode.open) as db:
            for item, result in db.completed_work_items:
                m = by_id[item.job_id]
                m.diff = result.diff or ""
                m.output = result.output or ""
                if result.worker_outcome != WorkerOutcome.NORMAL:
                    m.outcome = "error"
                elif result.test_outcome == TestOutcome.SURVIVED:
                    m.outcome = "equivalent" if m.key in config.equivalent else "survived"
                elif result.output == "timeout":
                    m.outcome = "timeout"
                else:
                    m.outcome = "killed"


def summarise(config: Config, chosen: dict[str, list[Mutant]], population: dict[str, int],
              files: list[str], started: str, seconds: float, rev: str | None,
              overlay: list[str], population_keys: set[str]) -> dict:
    rows = []
    for file in files:
        ms = chosen[file]
        count = {k: sum(1 for m in ms if m.outcome == k)
                 for k in ("killed", "timeout", "survived", "equivalent", "error", "")}
        rows.append({"file": file, "population": population[file], "sampled": len(ms),
                     "killed": count["killed"] + count["timeout"], "timeout": count["timeout"],
                     "survived": count["survived"], "equivalent": count["equivalent"],
                     "error": count["error"], "not_run": count[""]})
    total = {k: sum(r[k] for r in rows) for k in rows[0] if k != "file"}
    total["file"] = "all"
    for r in [*rows, total]:
        r["killed_pct"] = round(100 * r["killed"] / r["sampled"], 1) if r["sampled"] else None
        scored = r["sampled"] - r["equivalent"]
        r["score_pct"] = round(100 * r["killed"] / scored, 1) if scored else None
    commit = rev or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                   capture_output=True, text=True).stdout.strip()
    dirty = rev is None or bool(overlay)
    return {
        "date": started, "seconds": round(seconds), "commit": commit + ("+edits" if dirty else ""),
        "seed": config.seed, "size": config.size, "files": rows, "total": total,
        "equivalent": [{"key": m.key, "why": config.equivalent[m.key], "line": m.line}
                       for ms in chosen.values() for m in ms if m.outcome == "equivalent"],
        "equivalent_stale": sorted(k for k in config.equivalent
                                   if k.split(" | ")[0] in files and k not in population_keys),
        "survivors": [{"key": m.key, "line": m.line, "diff": m.diff}
                      for ms in chosen.values() for m in ms if m.outcome == "survived"],
        "errors": [{"key": m.key, "output": m.output[-2000:]}
                   for ms in chosen.values() for m in ms if m.outcome == "error"],
    }


def print_table(report: dict) -> None:
    print(f"\nmutation run {report['date']}, commit {report['commit']}, seed {report['seed']}, "
          f"{report['total']['sampled']} mutants, {report['seconds']} s")
    print("| file | mutants | sampled | killed | survived | equivalent | killed % | score % |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in [*report["files"], report["total"]]:
        print(f"| {r['file']} | {r['population']} | {r['sampled']} | {r['killed']} | "
              f"{r['survived']} | {r['equivalent']} | {r['killed_pct']} | {r['score_pct']} |")
    print("killed % = killed / sampled; score % = killed / (sampled - equivalent); "
          "timeouts count as killed")
    if report["errors"]:
        print(f"{len(report['errors'])} mutants could not be run (see mutants/report.json)")
    if report["equivalent_stale"]:
        print("equivalent mutants in the configuration that the code no longer has (stale):")
        for key in report["equivalent_stale"]:
            print("   ", key)
    for s in report["survivors"]:
        print(f"SURVIVED line {s['line']}: {s['key']}")


def write_survivors(report: dict, path: Path) -> None:
    parts = [f"# Surviving mutants, {report['date']} (seed {report['seed']})\n"]
    for s in report["survivors"]:
        parts.append(f"## line {s['line']}: `{s['key']}`\n\n```diff\n{s['diff']}\n```\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--seed", type=int, help="override the configuration's seed")
    parser.add_argument("--size", type=int, help="override the configuration's sample size")
    parser.add_argument("--files", nargs="+", metavar="FILE",
                        help="run only these files' share of the sample (same seed, same mutants)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="copies run side by side, a file each at a time (default 1)")
    parser.add_argument("--list", action="store_true", help="print the sample and stop")
    parser.add_argument("--out", type=Path, default=OUT, help="sessions and reports (mutants/)")
    parser.add_argument("--rev", default="HEAD",
                        help="the commit to mutate (default HEAD: committed code only, so edits in "
                             "progress in the work tree do not disturb the run)")
    parser.add_argument("--worktree", action="store_true",
                        help="mutate the work tree as it is instead of a commit")
    parser.add_argument("--with", dest="overlay", nargs="+", default=[], metavar="PATH",
                        help="take these paths from the work tree (e.g. new tests not committed yet)")
    parser.add_argument("--keep", action="store_true", help="keep the copies (their path is printed)")
    args = parser.parse_args(argv)

    config = Config.load(args.config)
    if args.seed is not None:
        config.seed = args.seed
    if args.size is not None:
        config.size = args.size
    if args.files:
        unknown = [f for f in args.files if f not in config.files(ROOT)]
        if unknown:
            parser.error(f"not in the configured files: {' '.join(unknown)}")

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cfn-trailwatch-mutation-"))
    try:
        # The commit is fixed now: HEAD may move while the run goes on.
        rev = None if args.worktree else subprocess.run(
            ["git", "rev-parse", "--short", args.rev], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.strip()
        copies = [make_copy(work / f"copy{i}", rev, args.overlay) for i in range(max(1, args.jobs))]
        all_files = config.files(copies[0])
        files = [f for f in all_files if not args.files or f in args.files]
        everything = enumerate_mutants(config, copies[0], all_files)
        population = {f: len(everything[f]) for f in all_files}
        chosen = sample(config, everything, all_files)
        chosen = {f: chosen[f] for f in files}
        if args.list:
            for file in files:
                for m in chosen[file]:
                    print(f"{m.line:5} {m.key}")
            print(f"{sum(len(v) for v in chosen.values())} of {sum(population.values())} mutants")
            return 0
        for copy in copies:
            check_copy(copy)
        took = baseline(config, copies[0], files)

        _, _, use_db, WorkDB, _, _, _ = _cosmic_ray()
        sessions = {}
        (args.out / "sessions").mkdir(parents=True, exist_ok=True)
        for file in files:
            session = args.out / "sessions" / (file.replace("/", "-").removesuffix(".py") + ".sqlite")
            session.unlink(missing_ok=True)
            with use_db(str(session), WorkDB.Mode.create) as db:
                db.add_work_items(m.item for m in chosen[file])
            sessions[file] = session.resolve()

        # Files to jobs, longest expected first (mutants x test time), each job its own copy.
        load = sorted(files, key=lambda f: -len(chosen[f]) * took[f])
        groups: list[list[str]] = [[] for _ in copies]
        for file in load:
            min(groups, key=lambda g: sum(len(chosen[f]) * took[f] for f in g)).append(file)
        total = sum(len(v) for v in chosen.values())
        print(f"{total} mutants of {sum(population[f] for f in files)} in {len(files)} files, "
              f"seed {config.seed}, {len(copies)} job(s); copies in {work}", flush=True)
        with concurrent.futures.ProcessPoolExecutor(len(copies)) as pool:
            futures = [
                pool.submit(run_group, str(copy),
                            [(str(sessions[f]), f, pytest_command(config, f, copy),
                              max(60.0, 5 * took[f] + 30)) for f in group],
                            f"job{i}", sum(len(chosen[f]) for f in group))
                for i, (copy, group) in enumerate(zip(copies, groups)) if group
            ]
            for future in futures:
                future.result()

        collect(config, chosen, sessions)
        report = summarise(config, chosen, population, files, started, time.monotonic() - t0,
                           rev, args.overlay,
                           {m.key for f in files for m in everything[f]})
        args.out.mkdir(exist_ok=True)
        (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        write_survivors(report, args.out / "survivors.md")
        print_table(report)
        return 0
    finally:
        if args.keep:
            print(f"copies kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
