"""Every fixture through the CLI and through real cfn-lint: the same rule IDs on the same lines.

A fixture states what it must give: in YAML a ``# expect: ET1006`` comment on the offending line,
in JSON a sidecar ``<name>.json.expect`` of ``<line> <rule>`` lines. Each fixture is compared on a
set of rules, its *scope*: a ``# rules: ET1001 ET1002`` comment (YAML) or a ``rules: ...`` line
of the sidecar (JSON) declares it; otherwise it follows the folder: the core rules (ET1001–ET1008,
WT1007) for the folders of the core rules and ``seed/``; for the others (the hygiene rules'
folders WT2001–IT2006, WT2007, WT2008, IT2009) every rule but IT2009, which is about a resource
beside the trail (an alarm) and is compared only in its own folder.

A fixture that needs a rule option states it in an ``# options: WT2008 log_group_name=/aws/*``
comment (YAML; ``options: ...`` in a JSON sidecar): the CLI gets it in a configuration file
(``--config``), cfn-lint as ``-x WT2008:log_group_name=/aws/*``. Without one, every rule runs
with its defaults. ``pass_*`` files give no finding of their scope; ``fail_*`` files give
exactly the findings of their scope they state. So a rule added later does not change what an
older fixture is about, and a hygiene fixture is checked against every rule.
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
SCOPE = re.compile(r"^\s*(?:#\s*)?rules:\s*((?:[A-Z]{2}\d{4}\s*)+)$")
OPTIONS = re.compile(r"^\s*(?:#\s*)?options:\s*([A-Z]{2}\d{4})\s+(\w+)=(\S+)\s*$")
CORE_SCOPE = set(catalog.CORE)
CORE_FOLDERS = set(catalog.CORE) | {"seed"}
# Rules about resources beside the trail, not its own configuration: a fully compliant fixture
# need not hold a delivery alarm, so these are compared only in their own folder.
BESIDE = {"IT2009"}
# Opt-in rules (WT3001-WT3014): their folders run with them turned on, the CLI with
# --include-checks WT3 and cfn-lint with --include-experimental; every other fixture without,
# so those must give none of them. A fixture there is compared on its folder's rule alone
# (unless it declares its scope): its chain for the other controls is not its subject.
OPT_IN = {rule for rule, meta in catalog.rules().items() if meta.opt_in}


# fixtures/stacks/: cases of several templates scanned together, with their own expectations
# (expected.yaml) and tests (tests/test_stacks.py); not single-template fixtures of a rule.
STACKS = FIXTURES / "stacks"


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                  and p.is_file() and STACKS not in p.parents)


def expected(path: Path) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    if path.suffix == ".json":
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.exists():
            for line in sidecar.read_text().splitlines():
                if line.strip() and not SCOPE.match(line):
                    number, rule = line.split()
                    out.add((rule, int(number)))
        return out
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            out.update((rule.strip(), number) for rule in match.group(1).split(","))
    return out


def scope(path: Path) -> set[str]:
    """The rules the fixture is compared on (see the module docstring)."""
    source = path.with_name(path.name + ".expect") if path.suffix == ".json" else path
    if source.exists():
        for line in source.read_text().splitlines():
            match = SCOPE.match(line)
            if match:
                return set(match.group(1).split())
    if path.parent.name in CORE_FOLDERS:
        return CORE_SCOPE
    if path.parent.name in OPT_IN:
        return {path.parent.name}
    return set(OUR_RULES) - (BESIDE - {path.parent.name})


def options(path: Path) -> tuple[tuple[str, str, str], ...]:
    """The rule options the fixture declares: ``(rule, option, value)``, sorted."""
    source = path.with_name(path.name + ".expect") if path.suffix == ".json" else path
    if not source.exists():
        return ()
    return tuple(sorted(match.groups() for line in source.read_text().splitlines()
                        if (match := OPTIONS.match(line))))


def opt_in(path: Path) -> bool:
    """Whether the fixture runs with the opt-in rules turned on (it is in one's folder)."""
    return path.parent.name in OPT_IN


def cli_args(path: Path, tmp: Path) -> list[str]:
    """``--config FILE`` with the fixture's rule options, ``--include-checks WT3`` in an opt-in
    rule's folder, or nothing."""
    declared = options(path)
    if not declared:
        return ["--include-checks", "WT3"] if opt_in(path) else []
    rules: dict[str, dict[str, str]] = {}
    for rule, name, value in declared:
        rules.setdefault(rule, {})[name] = value
    config = tmp / ".cfn-trailwatch.yaml"
    config.write_text(json.dumps({"rules": rules}))   # JSON is YAML
    return ["--config", str(config)]


def in_scope(path: Path, found: set[tuple[str, int]]) -> set[tuple[str, int]]:
    rules = scope(path)
    return {(rule, line) for rule, line in found if rule in rules}


def run_cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


_CLI_REPORTS: dict[Path, tuple[int, dict]] = {}


def cli_report(path: Path, tmp: Path) -> tuple[int, dict]:
    """The CLI's exit code and JSON report on a fixture, run once for the tests that read it."""
    if path not in _CLI_REPORTS:
        code, out = run_cli("--format", "json", *cli_args(path, tmp), str(path))
        _CLI_REPORTS[path] = (code, json.loads(out))
    return _CLI_REPORTS[path]


FILES = fixture_files()
IDS = [str(p.relative_to(FIXTURES)) for p in FILES]


def test_there_are_fixtures_for_every_rule():
    folders = {p.parent.name for p in FILES}
    for rule in catalog.rules():
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
    assert {rule for rule, _ in wanted} <= scope(path) <= OUR_RULES
    if path.parent.name in OUR_RULES:
        assert path.parent.name in scope(path)


def test_the_scope_of_a_fixture(tmp_path):
    core = tmp_path / "ET1001" / "pass_x.yaml"
    hygiene = tmp_path / "WT2001" / "pass_x.yaml"
    declared = tmp_path / "WT2001" / "fail_y.yaml"
    sidecar = tmp_path / "WT2002" / "fail_z.json"
    for path in (core, hygiene, declared, sidecar):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Resources: {}\n")
    declared.write_text("# rules: WT2001 ET1001\nResources: {}\n")
    sidecar.with_name("fail_z.json.expect").write_text("rules: WT2002\n3 WT2002\n")
    watched = tmp_path / "IT2009" / "pass_x.yaml"
    watched.parent.mkdir(parents=True, exist_ok=True)
    watched.write_text("Resources: {}\n")
    assert scope(core) == CORE_SCOPE
    assert scope(hygiene) == OUR_RULES - BESIDE
    assert scope(watched) == OUR_RULES
    assert scope(declared) == {"WT2001", "ET1001"}
    assert scope(sidecar) == {"WT2002"} and expected(sidecar) == {("WT2002", 3)}


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_cli_gives_exactly_the_expected_findings(path, tmp_path):
    code, report = cli_report(path, tmp_path)
    assert report["errors"] == []
    # a finding the fixture suppresses (Metadata ignore_checks) is reported by neither front end
    got = {(f["rule"], f["line"]) for f in report["findings"] if not f.get("suppressed")}
    assert in_scope(path, got) == expected(path)
    if not opt_in(path):   # off unless asked for
        assert not {rule for rule, _ in got} & OPT_IN
    failing = any(f["severity"] == "error" for f in report["findings"])
    assert code == (1 if failing else 0)


def _groups() -> dict[tuple, list[Path]]:
    """The fixtures by the cfn-lint configuration they need: declared rule options
    (``-x RULE:option=value``) and whether the opt-in rules run (``--include-experimental``)."""
    groups: dict[tuple, list[Path]] = {}
    for path in FILES:
        groups.setdefault((options(path), opt_in(path)), []).append(path)
    return groups


def _ours(matches: list[tuple[str, str, int, str]]) -> dict[str, set[tuple[str, int, str]]]:
    """(file, rule, line, message) matches -> our rules' findings per fixture; cfn-lint must
    have read every fixture (no E0 parse error)."""
    results: dict[str, set[tuple[str, int, str]]] = {str(p): set() for p in FILES}
    for filename, rule, line, message in matches:
        if rule in OUR_RULES:
            results[filename].add((rule, line, message))
        else:
            assert not rule.startswith("E0"), (filename, rule, line, message)
    return results


def _cfn_lint_command(paths: list[Path], declared: tuple, experimental: bool) -> list[tuple]:
    """Real cfn-lint, as a user runs it: the plugin loaded with ``-a``, ``--include-checks I``
    (cfn-lint hides informational rules such as IT2006 by default)."""
    configure = [arg for rule, name, value in declared for arg in ("-x", f"{rule}:{name}={value}")]
    configure += ["--include-experimental"] if experimental else []
    proc = subprocess.run(
        [*CFN_LINT, "--format", "json", "--include-checks", "I", "-a", "cfn_trailwatch.rules",
         *configure, "--", *map(str, paths)],
        capture_output=True, text=True, cwd=ROOT)
    assert "Unknown exception" not in proc.stdout + proc.stderr
    return [(m["Filename"], m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"], m["Message"])
            for m in json.loads(proc.stdout or "[]")]


def _cfn_lint_library(paths: list[Path], declared: tuple, experimental: bool) -> list[tuple]:
    """The same through cfn-lint's library (``cfnlint.api``) with only our rules loaded: cfn-lint's
    own few hundred rules (its schema checks are most of its time) cannot change ours."""
    from cfnlint.api import ManualArgs, lint
    from cfnlint.rules import RulesCollection

    configure: dict[str, dict[str, str]] = {}
    for rule, name, value in declared:
        configure.setdefault(rule, {})[name] = value
    rules = RulesCollection(include_rules=["I"], include_experimental=experimental,
                            configure_rules=configure)
    rules.create_from_module("cfn_trailwatch.rules")
    config = ManualArgs(include_checks=["I"], include_experimental=experimental,
                        configure_rules=configure, regions=["us-east-1"])
    out = []
    for path in paths:
        for match in lint(path.read_text(encoding="utf-8"), rules=rules, regions=["us-east-1"],
                          config=config):
            out.append((str(path), match.rule.id, match.linenumber, match.message))
    return out


@pytest.fixture(scope="module")
def cfn_lint_results() -> dict[str, set[tuple[str, int, str]]]:
    """Every fixture through cfn-lint's library with our rules; and, per configuration, real
    cfn-lint's command line on a sample of the fixtures (the first, a fail and a pass of each
    folder), which must agree with the library run on every one of them."""
    library, command = [], []
    for (declared, experimental), paths in _groups().items():
        library += _cfn_lint_library(paths, declared, experimental)
        sample = sorted({next(p for p in paths if p.parent == folder and p.name.startswith(kind))
                         for folder in {p.parent for p in paths} for kind in ("fail_", "pass_")
                         if any(p.parent == folder and p.name.startswith(kind) for p in paths)})
        command += _cfn_lint_command(sample, declared, experimental)
        sampled = {str(p) for p in sample}
        ours = _ours([m for m in library if m[0] in sampled])
        theirs = _ours(command)
        assert {f: ours[f] for f in sampled} == {f: theirs[f] for f in sampled}
    return _ours(library)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_cfn_lint_gives_the_same_findings(path, cfn_lint_results):
    found = {(rule, line) for rule, line, _ in cfn_lint_results[str(path)]}
    assert in_scope(path, found) == expected(path)
    if not opt_in(path):   # experimental: off unless cfn-lint runs with --include-experimental
        assert not {rule for rule, _ in found} & OPT_IN


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_cfn_lint_gives_the_same_messages_as_the_cli(path, cfn_lint_results, tmp_path):
    # the scenario annotation, the streams ET1006 names, the reason a link is unverifiable:
    # one engine, so every word the same in both front ends
    # The one exemption: cfn-lint sees one template at a time, so an import it cannot follow
    # carries no reason, where the CLI says what its scan lacks (linter/scan/stacks.py).
    _, report = cli_report(path, tmp_path)
    cli = {(f["rule"], f["line"], SCAN_REASON.sub("", f["message"])) for f in report["findings"]
           if not f.get("suppressed")}
    assert cfn_lint_results[str(path)] == cli


SCAN_REASON = re.compile(r" \(no template in this scan exports [^ ()]+\)")
