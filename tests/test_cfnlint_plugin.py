"""The cfn-lint rules: loaded by the real cfn-lint with `-a cfn_trailwatch.rules`.

cfn-lint's `-a/--append-rules` takes one or more values, so the template goes before `-a` or
after `--` (`cfn-lint -a cfn_trailwatch.rules TEMPLATE` would import TEMPLATE as a rules module).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cfn_trailwatch import catalog
from cfn_trailwatch.cli import main

from test_bad_input import (MALFORMED_INTRINSICS, WRONG_VALUES, WRONG_VALUES_EXPECTED,
                            malformed_intrinsic_template)

from helpers import (CFN_LINT, CORE_RULES, NO_CWL, NO_CWL_EXPECTED, SEED, SEED_EXPECTED,
                     scripted_template, write)

REPO = Path(__file__).resolve().parents[1]


def cfn_lint(*args: str | Path, rules: str = "cfn_trailwatch.rules") -> tuple[int, list, str]:
    """Run cfn-lint; return its exit code, its matches as (rule, line, column, message), and all
    it printed. Matches of cfn-lint's own rules are kept: tests filter what they need."""
    proc = subprocess.run([*CFN_LINT, "--format", "parseable", "-a", rules,
                           *[str(a) for a in args]],
                          capture_output=True, text=True, timeout=300)
    printed = proc.stdout + proc.stderr
    assert "Unknown exception" not in printed, printed
    assert "Traceback" not in printed, printed
    matches = []
    for line in proc.stdout.splitlines():
        # file:line:column:end-line:end-column:rule:message (the file may not contain ':')
        _, line_no, column, _, _, rule, message = line.split(":", 6)
        matches.append((rule, int(line_no), int(column), message))
    return proc.returncode, matches, printed


def ours(matches: list) -> set[tuple[str, int]]:
    return {(rule, line) for rule, line, _, _ in matches if rule in CORE_RULES}


# --- loading and metadata --------------------------------------------------------------------

def test_one_rule_class_per_catalogue_id():
    import cfn_trailwatch.rules as plugin
    from cfnlint.helpers import create_rules

    rules = {rule.id: rule for rule in create_rules(plugin)}
    assert set(rules) == set(catalog.rules())
    assert sorted(type(rule).__name__ for rule in rules.values()) == sorted(plugin.__all__)
    for rule_id, rule in rules.items():
        meta = catalog.get(rule_id)
        assert rule.shortdesc == meta.title
        assert rule.description == meta.description
        assert rule.source_url == meta.help_uri
        assert meta.slug in rule.tags
        assert rule.severity == {"error": "error", "warning": "warning",
                                 "info": "informational"}[meta.severity]


def test_rules_listed_by_cfn_lint():
    proc = subprocess.run([*CFN_LINT, "-a", "cfn_trailwatch.rules", "--list-rules"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for rule_id, meta in catalog.rules().items():
        assert f"{rule_id}: {meta.title}" in proc.stdout


# --- findings, lines and severities ----------------------------------------------------------

def test_seed_sample(tmp_path):
    path = write(tmp_path, "seed.yaml", SEED)
    code, matches, _ = cfn_lint("--", path)
    assert ours(matches) == SEED_EXPECTED
    assert code & 2, "E-level matches make cfn-lint exit with bit 2 set"


def test_trail_without_cloudwatch_properties(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    _, matches, _ = cfn_lint("--", path)
    assert ours(matches) == NO_CWL_EXPECTED
    assert {column for rule, _, column, _ in matches if rule in CORE_RULES} == {5}


def test_template_before_dash_a(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    proc = subprocess.run([*CFN_LINT, "--format", "parseable", str(path), "-a",
                           "cfn_trailwatch.rules"], capture_output=True, text=True, timeout=300)
    assert {line.split(":")[5] for line in proc.stdout.splitlines()} >= {"ET1001", "ET1002"}


def test_severity_levels_in_cfn_lint_json(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    proc = subprocess.run([*CFN_LINT, "--format", "json", "-a", "cfn_trailwatch.rules", "--",
                           str(path)], capture_output=True, text=True, timeout=300)
    levels = {m["Rule"]["Id"]: m["Level"] for m in json.loads(proc.stdout)}
    assert levels["ET1001"] == levels["ET1002"] == "Error"


def test_same_findings_as_the_cli(tmp_path, capsys):
    for name, text in [("seed.yaml", SEED), ("nocwl.yaml", NO_CWL)]:
        path = write(tmp_path, name, text)
        main(["--format", "json", str(path)])
        cli = {(f["rule"], f["line"], f["column"], f["message"])
               for f in json.loads(capsys.readouterr().out)["findings"]}
        _, matches, _ = cfn_lint("--include-checks", "I", "--", path)  # IT2006 is informational
        assert {m for m in matches if m[0] in catalog.rules()} == cli, name


# --- turning findings off, the cfn-lint ways -------------------------------------------------

@pytest.mark.parametrize("option", ["--ignore-checks", "-i"])
def test_ignore_checks_option(tmp_path, option):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    _, matches, _ = cfn_lint(option, "ET1001", "--", path)
    assert ours(matches) == {("ET1002", 4)}


def test_ignore_checks_by_prefix(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    _, matches, _ = cfn_lint("-i", "ET", "--", path)
    assert ours(matches) == set()


def test_resource_metadata_ignore_checks(tmp_path):
    path = write(tmp_path, "t.yaml", """\
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Metadata:
              cfn-lint:
                config:
                  ignore_checks: [ET1001]
            Properties:
              S3BucketName: my-trail-bucket
              IsLogging: true
          Other:
            Type: AWS::CloudTrail::Trail
            Properties:
              S3BucketName: my-trail-bucket
              IsLogging: true
        """)
    _, matches, _ = cfn_lint("--", path)
    assert ours(matches) == {("ET1002", 8), ("ET1001", 13), ("ET1002", 13)}


def test_template_metadata_ignore_checks(tmp_path):
    path = write(tmp_path, "t.yaml", "Metadata:\n  cfn-lint:\n    config:\n"
                                     "      ignore_checks: [ET1002]\n" + NO_CWL)
    _, matches, _ = cfn_lint("--", path)
    assert ours(matches) == {("ET1001", 8)}


# --- loading from the folder instead of the module -------------------------------------------

def test_rules_folder_loads_too(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    _, matches, _ = cfn_lint("--", path, rules=str(REPO / "rules"))
    assert ours(matches) == NO_CWL_EXPECTED


# --- in-process: one analysis per template; failures never escape ------------------------------

def _lint(text: str):
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    return lint(text, config=ManualArgs(append_rules=["cfn_trailwatch.rules"],
                                        regions=["us-east-1", "eu-west-1"]))


def test_analysis_runs_once_per_template(scripted):
    matches = _lint(scripted_template(("A", ["ET1001", "WT1007"]), ("B", ["ET1006"])))
    assert len(scripted) == 1
    assert scripted[0].regions == ("us-east-1", "eu-west-1")
    got = sorted((m.rule.id, m.linenumber) for m in matches if m.rule.id in catalog.rules())
    assert got == [("ET1001", 5), ("ET1006", 11), ("WT1007", 5)]
    _lint(scripted_template(("A", [])))
    assert len(scripted) == 2


def test_engine_crash_becomes_wt1007_on_each_trail(scripted):
    matches = _lint(scripted_template(("A", ["crash"]), ("B", [])))
    assert all("Unknown exception" not in m.message for m in matches)
    ours_ = [(m.rule.id, m.linenumber) for m in matches if m.rule.id in catalog.rules()]
    assert sorted(ours_) == [("WT1007", 2), ("WT1007", 8)]
    message = next(m.message for m in matches if m.rule.id == "WT1007")
    assert "internal error: RuntimeError: scripted crash" in message
    assert "not verified" in message


def test_trail_the_engine_could_not_analyse_becomes_wt1007(scripted):
    matches = _lint(scripted_template(("A", ["fail"]), ("B", ["ET1001"])))
    ours_ = sorted((m.rule.id, m.linenumber) for m in matches if m.rule.id in catalog.rules())
    assert ours_ == [("ET1001", 11), ("WT1007", 2)]
    message = next(m.message for m in matches if m.rule.id == "WT1007")
    assert "internal error while analysing trail A: ValueError: scripted failure" in message


# --- hostile input: in cfn-lint mode our rules never raise ------------------------------------

def _bad_inputs() -> list[tuple[str, bytes]]:
    from test_bad_input import UNREADABLE, WRONG_VALUES

    # cfn-lint's own decoder does not return on these (it hangs); our rules never see them.
    cfn_lint_hangs = {"bomb.yaml", "deep.yaml", "deep.json"}
    cases = [(name, content) for name, content, _, _ in UNREADABLE if name not in cfn_lint_hangs]
    cases += [(f"{name}.yaml", text.encode()) for name, text in WRONG_VALUES.items()]
    cases += [(f"intrinsic-{name}.yaml", malformed_intrinsic_template(expression).encode())
              for name, (expression, _) in MALFORMED_INTRINSICS.items()]
    return cases


@pytest.mark.parametrize("name, content", _bad_inputs(), ids=[c[0] for c in _bad_inputs()])
def test_our_rules_never_raise_on_bad_input(tmp_path, name, content):
    from cfnlint.api import lint_file
    from cfnlint.config import ManualArgs

    path = tmp_path / name
    path.write_bytes(content)
    matches = lint_file(path, config=ManualArgs(append_rules=["cfn_trailwatch.rules"]))
    crashed = [m.message for m in matches if m.rule.id == "E0002"]
    # cfn-lint's own rules may crash (E1029 does on `Resources: [a]`); ours must not.
    assert [m for m in crashed if any(rule in m for rule in catalog.rules())] == []
    if name.endswith(".yaml") and name[:-5] in WRONG_VALUES_EXPECTED:
        # read and wrong: each case still gets our findings at the trail's lines
        code, expected, errors = WRONG_VALUES_EXPECTED[name[:-5]]
        ours_ = {(m.rule.id, m.linenumber) for m in matches if m.rule.id in CORE_RULES}
        assert expected <= ours_
        if errors:   # what the CLI reports as an error is WT1007 at the trail here
            assert ("WT1007", 2) in ours_
    if name.startswith("intrinsic-"):
        assert ("WT1007", 38) in {(m.rule.id, m.linenumber) for m in matches}
