"""This checkout's cfn-trailwatch against another checkout's, in rotating rounds (issue 13's
"a scan without imports pays nothing measurable; the corpus scan stays within 10% of today").

    git worktree add /tmp/wt-before 1a0102b
    python bench/compare_commits.py /tmp/wt-before [--repeat 9]

Two inputs, each scanned by both versions (``python -m cfn_trailwatch --format json FILES``,
the package imported from each checkout's ``linter/`` through a ``PYTHONPATH`` shim, so both
start the same way): the fixtures that neither import nor nest a stack (``fixtures/`` but
``fixtures/stacks``, files without ``ImportValue`` or a stack type: no cross-template work to
do), and the corpus (``../shared/corpus``, some of whose files import). Same timing as
``bench/run.py`` (one warm-up, then rounds in rotating order; medians), and the reports'
summaries, which should be equal.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402

_LINKS = re.compile(rb"ImportValue|AWS::CloudFormation::Stack|AWS::Serverless::Application")


def fixtures_without_links() -> list[str]:
    found = []
    for root, dirs, names in os.walk(bench.REPO / "fixtures"):
        dirs[:] = sorted(d for d in dirs if d != "stacks" and not d.startswith("."))
        for name in sorted(names):
            if name.endswith(bench.TEMPLATE_SUFFIXES):
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    if not _LINKS.search(handle.read()):
                        found.append(os.path.relpath(path, bench.REPO))
    return found


class _Versioned(bench.Command):
    env: dict[str, str]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/compare_commits.py")
    parser.add_argument("other", help="the other checkout (a git worktree of the older commit)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    inputs = {"fixtures without imports or nesting": fixtures_without_links(),
              "corpus": bench.corpus_files()}
    env = bench.child_env(pyc_cache=True)
    with tempfile.TemporaryDirectory(prefix="cfn-trailwatch-compare-") as tmp:
        shims = {}
        for version, checkout in (("other", args.other), ("this", str(bench.REPO))):
            shims[version] = os.path.join(tmp, version)
            os.makedirs(shims[version])
            os.symlink(os.path.join(os.path.abspath(checkout), "linter"),
                       os.path.join(shims[version], "cfn_trailwatch"))
        commands = []
        for what, files in inputs.items():
            for version in ("other", "this"):
                command = _Versioned(f"{version}, {what} ({len(files)} files)",
                                     [[sys.executable, "-m", "cfn_trailwatch", "--format", "json",
                                       *files]], bench._check_trailwatch)
                command.env = dict(env, PYTHONPATH=shims[version])
                commands.append(command)
        run_once = bench._run_once
        bench._run_once = lambda command, _env, keep_output: run_once(command, command.env,
                                                                       keep_output)
        try:
            bench.measure(commands, args.repeat, env)
        finally:
            bench._run_once = run_once
    print(f"other: {args.other}; this: {bench.REPO}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(bench.table(commands))
    print()
    for other, this in zip(commands[::2], commands[1::2]):
        print(f"- {this.label}: {bench._trailwatch_summary(this)}; other: "
              f"{bench._trailwatch_summary(other)}")
        print(f"  this / other: **{this.median / other.median:.3f}x** "
              f"({(this.median - other.median) * 1000:+.1f} ms; min "
              f"{this.best / other.best:.3f}x; CPU {this.cpu_median / other.cpu_median:.3f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
