"""Every fixture through the CLI and through real cfn-lint: the same rule IDs on the same lines.

A fixture states what it must give: in YAML a ``# expect: ET1006`` comment on the offending line,
in JSON a sidecar ``<name>.json.expect`` of ``<line> <rule>`` lines. ``pass_*`` files give no
finding at all; ``fail_*`` files give exactly the findings they state.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from cfn_trailwatch import catalog
from cfn_trailwatch.cli import main

from helpers import CFN_LINT

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUR_RULES = set(catalog.rules())
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]{2}\d{4}(?:\s*,\s*[A-Z]{2}\d{4})*)")


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                  and p.is_file())


def expected(path: Path) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    if path.suffix == ".json":
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.exists():
            for line in sidecar.read_text().splitlines():
                if line.strip():
                    number, rule = line.split()
                    out.add((rule, int(number)))
        return out
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            out.update((rule.strip(), number) for rule in match.group(1).split(","))
    return out


def run_cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


FILES = fixture_files()
IDS = [str(p.relative_to(FIXTURES)) for p in FILES]


def test_there_are_fixtures_for_every_core_rule():
    folders = {p.parent.name for p in FILES}
    for rule in ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "WT1007", "ET1008"):
        assert rule in folders
        assert any(p.name.startswith("pass_") for p in FILES if p.parent.name == rule), rule
        assert any(p.name.startswith("fail_") for p in FILES if p.parent.name == rule), rule
        assert any(rule in {r for r, _ in expected(p)} for p in FILES if p.parent.name == rule), rule


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_expectations_are_well_formed(path):
    wanted = expected(path)
    if path.name.startswith("pass_"):
        assert not wanted
    else:
        assert path.name.startswith("fail_") and wanted
    assert {rule for rule, _ in wanted} <= OUR_RULES


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_cli_gives_exactly_the_expected_findings(path):
    code, out = run_cli("--format", "json", str(path))
    report = json.loads(out)
    assert report["errors"] == []
    got = {(f["rule"], f["line"]) for f in report["findings"]}
    assert got == expected(path)
    failing = any(f["severity"] == "error" for f in report["findings"])
    assert code == (1 if failing else 0)


@pytest.fixture(scope="module")
def cfn_lint_results() -> dict[str, set[tuple[str, int]]]:
    """One run of real cfn-lint with our rules over every fixture."""
    proc = subprocess.run(
        [*CFN_LINT, "--format", "json", "-a", "cfn_trailwatch.rules", "--", *map(str, FILES)],
        capture_output=True, text=True, cwd=ROOT)
    assert "Unknown exception" not in proc.stdout + proc.stderr
    results: dict[str, set[tuple[str, int]]] = {str(p): set() for p in FILES}
    for match in json.loads(proc.stdout or "[]"):
        rule = match["Rule"]["Id"]
        if rule in OUR_RULES:
            results[match["Filename"]].add((rule, match["Location"]["Start"]["LineNumber"]))
        else:
            assert not rule.startswith("E0"), match  # cfn-lint could read every fixture
    return results


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_cfn_lint_gives_the_same_findings(path, cfn_lint_results):
    assert cfn_lint_results[str(path)] == expected(path)
