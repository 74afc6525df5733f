"""The scan's output on the whole corpus, as sha256 hashes (issue 13, step 1).

Moving file discovery, per-file checks, the worker pool and progress out of ``cli.py`` must not
change one byte of any report. ``tests/data/scan_goldens.json`` holds, for the corpus of
``../shared/corpus`` (real-trails, aws-cloudformation-templates, real-monitoring) and this
checkout's ``fixtures/`` scanned together, with and without ``--include-checks WT3``, the exit
code and the sha256 of every format's output (text, text ``--verbose``, json, sarif, junit,
github). ``tests/test_scan_layer.py`` compares the code under test against it, with ``--jobs 1``
and ``--jobs 2``.

One scan per set of flags is rendered in every format: the CLI runs with ``--format json``, the
``Run`` it renders is taken on its way to ``report.json.render``, and the other formats are
rendered from that same ``Run`` as ``cli`` renders them (junit at the default ``--fail-on
error``, text with and without ``--verbose``). Scanning the corpus once per format would take
six times as long and test the renderers, which the scan layer does not touch, five times more.

What is normalised, and only that: the scan runs in a fresh folder whose entries are symbolic
links to the four sources (``real-trails``, ..., ``fixtures``), so every path in every report is
relative and the same on any machine; SARIF's ``originalUriBaseIds`` ``%SRCROOT%`` is the
``file:`` URI of that folder and is replaced by ``file:///SRCROOT/``. An explicit empty
configuration file keeps any ``.cfn-trailwatch.yaml`` above the folder out. Nothing in the
reports depends on the date (no waivers; JUnit's times are 0).

The goldens change when the output is meant to change (a new fixture, a reworded message, a new
rule in SARIF's rule list, the version). Then regenerate them, from the code whose output is
right, and say so in the commit:

    python tests/scan_goldens.py --write

To regenerate them from another commit (as they were first made, from the commit before the
scan layer existed), check it out in a worktree and put a folder whose ``cfn_trailwatch`` is a
symbolic link to that worktree's ``linter/`` first on PYTHONPATH:

    git worktree add /tmp/golden <commit>
    mkdir /tmp/shim && ln -s /tmp/golden/linter /tmp/shim/cfn_trailwatch
    PYTHONPATH=/tmp/shim python tests/scan_goldens.py --write
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDENS = ROOT / "tests" / "data" / "scan_goldens.json"

# The folders scanned, in command-line order, under the names the reports show.
SOURCES = {
    "real-trails": SHARED / "corpus" / "real-trails",
    "aws-cloudformation-templates": SHARED / "corpus" / "aws-cloudformation-templates",
    "real-monitoring": SHARED / "corpus" / "real-monitoring",
    "fixtures": ROOT / "fixtures",
}
FLAGS = {"default": [], "wt3": ["--include-checks", "WT3"]}
FORMATS = ("text", "text-verbose", "json", "sarif", "junit", "github")
CONFIG = "empty-config.yaml"
SRCROOT = "file:///SRCROOT/"


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A fresh folder holding a symbolic link to each source and an empty config; the working
    directory while it is in use."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="scan-goldens-") as folder:
        root = Path(folder)
        for name, source in SOURCES.items():
            (root / name).symlink_to(source, target_is_directory=True)
        (root / CONFIG).write_text("{}\n", encoding="utf-8")
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(before)


def scan(flags: str, jobs: int) -> tuple[int, str, Any]:
    """Run the CLI in the current folder (a :func:`workspace`) with ``--format json``: its exit
    code, its standard output and the ``Run`` it rendered."""
    from cfn_trailwatch import cli
    from cfn_trailwatch.report import json as json_report

    seen: list[Any] = []
    render = json_report.render

    def spy(run: Any, *args: Any, **kwargs: Any) -> str:
        seen.append(run)
        return render(run, *args, **kwargs)

    out = io.StringIO()
    json_report.render = spy
    try:
        with contextlib.redirect_stdout(out):
            code = cli.main(["--config", CONFIG, "--format", "json", *FLAGS[flags],
                             "--jobs", str(jobs), *SOURCES])
    finally:
        json_report.render = render
    assert len(seen) == 1, "the CLI rendered no JSON report, or more than one"
    return code, out.getvalue(), seen[0]


def renderings(run: Any) -> dict[str, str]:
    """``run`` in every format, as ``cli.main`` renders it without --fix, normalised."""
    from cfn_trailwatch.report import github, junit, sarif, text
    from cfn_trailwatch.report import json as json_report

    srcroot = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    sarif_text = sarif.render(run)
    assert sarif_text.count(json.dumps(srcroot)) == 1, "SARIF's %SRCROOT% not where expected"
    return {
        "text": text.render(run, verbose=False),
        "text-verbose": text.render(run, verbose=True),
        "json": json_report.render(run),
        "sarif": sarif_text.replace(json.dumps(srcroot), json.dumps(SRCROOT)),
        "junit": junit.render(run, fail_on="error"),
        "github": github.render(run),
    }


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def summary(run: Any) -> dict[str, int]:
    """Counts that say, when a hash differs, roughly where."""
    return {"files": run.files, "templates": run.templates, "trails": run.trails,
            "findings": len(run.findings), "suppressed": len(run.suppressed()),
            "errors": len(run.errors), "notes": len(run.notes)}


def measure(flags: str, jobs: int = 1) -> tuple[dict[str, Any], Any]:
    """The golden entry of ``flags`` as the code imported now computes it, and its ``Run``."""
    code, out, run = scan(flags, jobs)
    outputs = renderings(run)
    assert outputs["json"] == out, "the JSON rendered from the Run is not the CLI's output"
    return {"exit": code, "summary": summary(run),
            "sha256": {fmt: sha256(outputs[fmt]) for fmt in FORMATS}}, run


def _origin() -> dict[str, Any]:
    """Which code made the goldens: the commit of the imported package, and whether its folder
    had changes."""
    import cfn_trailwatch

    folder = os.path.dirname(os.path.realpath(cfn_trailwatch.__file__))

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "unknown"

    return {"commit": git("rev-parse", "HEAD"),
            "package_changed": git("status", "--porcelain", "--", ".") not in ("", "unknown"),
            "python": ".".join(map(str, sys.version_info[:3]))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true",
                        help=f"write {GOLDENS.relative_to(ROOT)} (else print it)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in SOURCES.values() if not path.is_dir()]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    with workspace():
        goldens = {flags: measure(flags)[0] for flags in FLAGS}
    document = {"made_by": "tests/scan_goldens.py", "origin": _origin(),
                "sources": list(SOURCES), "flags": FLAGS, "goldens": goldens}
    text = json.dumps(document, indent=2) + "\n"
    if args.write:
        GOLDENS.parent.mkdir(parents=True, exist_ok=True)
        GOLDENS.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
