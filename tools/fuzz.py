"""The long fuzz run: the properties of tests/test_fuzz.py on many more cases.

    python tools/fuzz.py [--cases N] [--seed S] [--parity-every K] [--out DIR]

A case is checked as in the test: no exception escapes ``cli.main``, exit code 0/1/2 and the one
the report implies, the report valid against docs/json-output.schema.json, no "internal error",
the loader reads the same data back from JSON and from YAML; cfn-lint parity on a sample; and
on a smaller sample the same report from a new process with another hash seed.

Cases come from the Hypothesis strategies in tests/fuzz_strategies.py (generated templates 60 %,
mutated fixtures 25 %, corrupted text 15 %), drawn by ``@given`` in batches (one seed per batch,
so a run is repeatable and memory stays flat). Every case goes through the engine and the CLI
(``cli.main(["--format", "json", FILE])``); every K-th case also through cfn-lint in-process with
our rules, for parity. A case that breaks a property, takes longer than ``--timeout`` seconds, or
is slower than ``--slow`` seconds is written to DIR/<signature>/ (the template, and a .txt saying
what failed), at most ``--keep`` per signature; DIR/summary.json is rewritten at each progress
line. The exit code is 1 when any property failed (known bugs included), else 0.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import re
import resource
import signal
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

import fuzz_strategies as fs  # noqa: E402


class CaseTimeout(BaseException):
    """Raised by SIGALRM inside a case that runs too long (a BaseException, so the CLI's own
    ``except Exception`` does not swallow it)."""


def _alarm(signum, frame):  # noqa: ARG001
    raise CaseTimeout()


def signature(problem: str) -> str:
    """A short, stable name for a kind of failure: numbers, quoted text and paths blanked."""
    first = problem.splitlines()[0] if problem else "?"
    first = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)
    first = re.sub(r"\(\[.*", "", first)
    first = re.sub(r"\d+", "N", first)
    first = re.sub(r"\[.*?\]", "[…]", first)
    return first[:90]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "x"


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.oracle = fs.Oracle()
        self.cases = 0
        self.failed_cases = 0
        self.signatures: collections.Counter[str] = collections.Counter()
        self.known: collections.Counter[str] = collections.Counter()
        self.kinds: collections.Counter[str] = collections.Counter()
        self.parity: collections.Counter[str] = collections.Counter()
        self.notes: collections.Counter[str] = collections.Counter()
        self.exit_codes: collections.Counter[int | None] = collections.Counter()
        self.slowest: list[tuple[float, str]] = []
        self.started = time.monotonic()
        self.case_seconds = 0.0
        self.determinism_runs = 0
        self.fuzzer_errors: collections.Counter[str] = collections.Counter()
        self.parity_seconds = 0.0

    def one(self, case: fs.Case) -> None:
        index = self.cases
        self.cases += 1
        kind = case.label.split("/")[0].split(":")[0]
        self.kinds[kind] += 1
        parity = self.args.parity_every > 0 and index % self.args.parity_every == 0
        began = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, self.args.timeout)
        try:
            outcome = self.oracle.check(case, parity=parity)
        except CaseTimeout:
            outcome = fs.Outcome([f"timeout: the case took more than {self.args.timeout} s"])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.monotonic() - began
        if self.args.determinism_every > 0 and index % self.args.determinism_every == 0 \
                and outcome.report is not None:
            self.determinism_runs += 1
            outcome.problems.extend(self.oracle.check_determinism(case, outcome))
        if parity:
            self.parity_seconds += took
        else:
            self.case_seconds += took
        self.exit_codes[outcome.code] += 1
        self.parity[outcome.parity] += 1
        for note in outcome.notes:
            self.notes[signature(note)] += 1
        if outcome.seconds > self.args.slow:
            outcome.problems.append(f"slow: cli.main took {outcome.seconds:.1f} s")
        outcome.sort_known(case)
        problems = list(outcome.problems)
        self.slowest = sorted(self.slowest + [(outcome.seconds, case.label)], reverse=True)[:5]
        if problems or outcome.known:
            self.failed_cases += 1
        for problem in problems:
            self.record(signature(problem), case, outcome, problems, took, self.signatures)
        for name in outcome.known:
            self.record("known-" + name, case, outcome, outcome.known[name], took, self.known)
        if self.cases % self.args.progress == 0:
            self.progress()

    def record(self, sig: str, case: fs.Case, outcome: fs.Outcome, problems: list[str],
               took: float, counter: collections.Counter) -> None:
        counter[sig] += 1
        if counter[sig] > self.args.keep:
            return
        folder = self.out / slug(sig)
        folder.mkdir(exist_ok=True)
        stem = folder / f"{self.cases:07d}"
        stem.with_suffix(case.suffix).write_bytes(case.content)
        stem.with_suffix(".txt").write_text(
            f"case {self.cases} ({case.label}), {took:.3f} s, exit code {outcome.code}, "
            f"parity: {outcome.parity}\n\n" + "\n\n".join(problems) + "\n", encoding="utf-8")

    def progress(self, final: bool = False) -> None:
        elapsed = time.monotonic() - self.started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"[{elapsed:7.0f} s] {self.cases} cases ({1000 * elapsed / max(self.cases, 1):.1f} "
              f"ms/case overall), {self.failed_cases} failing, {len(self.signatures)} new "
              f"signatures, {sum(self.known.values())} known-bug hits, parity compared "
              f"{self.parity['compared']}, max RSS {rss} MB", flush=True)
        summary = {
            "cases": self.cases, "elapsed_seconds": round(elapsed, 1),
            "ms_per_case_overall": round(1000 * elapsed / max(self.cases, 1), 2),
            "ms_per_case_cli": round(1000 * self.case_seconds /
                                     max(self.cases - self.parity_cases(), 1), 2),
            "ms_per_case_cli_and_cfn_lint": round(1000 * self.parity_seconds /
                                                  max(self.parity_cases(), 1), 2),
            "failing_cases": self.failed_cases, "signatures": dict(self.signatures.most_common()),
            "known_bugs": dict(self.known), "fuzzer_errors": dict(self.fuzzer_errors),
            "kinds": dict(self.kinds),
            "parity": dict(self.parity), "exit_codes": {str(k): v for k, v in
                                                        self.exit_codes.items()},
            "cfn_lint_notes": dict(self.notes.most_common(20)),
            "slowest_cli": [[round(t, 3), label] for t, label in self.slowest],
            "determinism_runs": self.determinism_runs,
            "seed": self.args.seed, "parity_every": self.args.parity_every,
            "final": final,
        }
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

    def parity_cases(self) -> int:
        return sum(v for k, v in self.parity.items() if k != "not run")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parity-every", type=int, default=50, metavar="K",
                        help="compare with cfn-lint on every K-th case (0: never)")
    parser.add_argument("--determinism-every", type=int, default=500, metavar="K",
                        help="re-run every K-th case in a new process with another "
                             "PYTHONHASHSEED and compare the reports (0: never)")
    parser.add_argument("--out", default="fuzz-out", metavar="DIR")
    parser.add_argument("--batch", type=int, default=500, help="cases per Hypothesis run")
    parser.add_argument("--progress", type=int, default=1000, help="print every N cases")
    parser.add_argument("--keep", type=int, default=10, help="cases kept per signature")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--slow", type=float, default=3.0,
                        help="report cases where cli.main takes longer than this (seconds)")
    parser.add_argument("--kind", choices=("all", "generated", "mutated", "corrupt"),
                        default="all")
    args = parser.parse_args(argv)

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)  # its decode errors, on stderr
    signal.signal(signal.SIGALRM, _alarm)
    strategy = {"all": fs.cases(), "generated": fs.generated_templates(),
                "mutated": fs.fixture_mutations(), "corrupt": fs.text_corruptions()}[args.kind]
    run = Run(args)
    print(f"fuzzing {args.cases} cases, seed {args.seed}, cfn-lint parity every "
          f"{args.parity_every}, failures to {run.out}", flush=True)
    batch = 0
    try:
        while run.cases < args.cases:
            wanted = min(args.batch, args.cases - run.cases)
            before = run.cases

            @hypothesis_seed(args.seed * 1_000_003 + batch)
            @settings(max_examples=wanted, deadline=None, database=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(strategy)
            def batch_run(case: fs.Case) -> None:
                if run.cases < args.cases:
                    try:
                        run.one(case)
                    except Exception as exc:  # noqa: BLE001 - a bug of the fuzzer: keep going
                        run.record(f"fuzzer error {type(exc).__name__}", case,
                                   fs.Outcome([]), [repr(exc)[:2000]], 0.0, run.fuzzer_errors)

            batch_run()
            batch += 1
            if run.cases == before:  # Hypothesis produced nothing: do not spin
                print("no cases generated in a batch; stopping", flush=True)
                break
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    finally:
        run.oracle.close()
    run.progress(final=True)
    print(f"done: {run.cases} cases in {time.monotonic() - run.started:.0f} s; "
          f"{run.failed_cases} failing cases", flush=True)
    for sig, count in run.signatures.most_common():
        print(f"  {count:6d}  {sig}")
    for sig, count in run.known.most_common():
        print(f"  {count:6d}  {sig} (known bug)")
    return 1 if run.signatures or run.known else 0


if __name__ == "__main__":
    sys.exit(main())
