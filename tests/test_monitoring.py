"""WT3001-WT3014 (the Security Hub CloudWatch.1-14 monitoring chain): opt-in everywhere.

Off by default in the CLI and in cfn-lint; on with --include-checks (prefixes) or the config
file's include_checks, where disable wins; cfn-lint runs them with --include-experimental.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from cfn_trailwatch import catalog, config, trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.load import load_path

from helpers import CFN_LINT

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ROOT / "fixtures" / "WT3014" / "fail_single_region_trail.yaml"
WHOLE = ROOT / "fixtures" / "WT3001" / "pass_whole_chain.yaml"
ALL = [f"WT30{n:02d}" for n in range(1, 15)]


def _cli(*args: str) -> tuple[int, dict]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["--format", "json", *args])
    return code, json.loads(buffer.getvalue())


def _rules(report: dict) -> list[str]:
    return sorted(f["rule"] for f in report["findings"] if f["rule"] in ALL)


def test_the_catalogue_has_fourteen_opt_in_rules_in_security_hub_order():
    rules = catalog.rules()
    assert [r for r in rules if rules[r].opt_in] == ALL == list(catalog.MONITORING)
    for number, rule_id in enumerate(ALL, start=1):
        assert f"(Security Hub CloudWatch.{number})" in rules[rule_id].title
        assert rules[rule_id].severity == "warning"
    assert "NIST SP 800-171 Rev. 2" in rules["WT3001"].description   # where known


def test_off_by_default_and_nothing_is_computed():
    data = load_path(str(SINGLE)).data
    assert not [f for f in trail.analyse(data).findings if f.rule in ALL]
    assert trail.Options().opt_in == frozenset()


@pytest.mark.parametrize("include, wanted", [
    (["WT3"], ALL), (["WT30"], ALL), (["WT3001", "WT3014"], ["WT3001", "WT3014"]),
    (["WT3001,WT3002"], ["WT3001", "WT3002"]), (["W"], ALL)])
def test_include_checks_takes_prefixes(include, wanted):
    _, report = _cli("--include-checks", *include, str(SINGLE))
    assert _rules(report) == wanted
    _, none = _cli(str(SINGLE))
    assert _rules(none) == []


def test_a_prefix_of_no_rule_is_a_usage_error(capsys):
    assert main(["--include-checks", "WT9", str(SINGLE)]) == 2
    assert "prefix of no rule" in capsys.readouterr().err


def test_config_include_checks_and_disable_wins(tmp_path):
    cfg = tmp_path / ".cfn-trailwatch.yaml"
    cfg.write_text("include_checks: [WT3]\ndisable: [WT3005]\n")
    _, report = _cli("--config", str(cfg), str(SINGLE))
    assert _rules(report) == [r for r in ALL if r != "WT3005"]
    _, report = _cli("--config", str(cfg), "--include-checks", "WT3005", str(SINGLE))
    assert "WT3005" not in _rules(report)   # disable wins over the command line too


@pytest.mark.parametrize("text, reason", [
    ("include_checks: [XT3]\n", "does not match"),
    ("include_checks: [WT9]\n", "prefix of no rule"),
    ("include_checks: WT3\n", "is not of type"),
])
def test_config_include_checks_is_validated(tmp_path, text, reason):
    cfg = tmp_path / ".cfn-trailwatch.yaml"
    cfg.write_text(text)
    with pytest.raises(config.ConfigError, match=reason):
        config.load(str(cfg))


def test_the_schema_has_a_prefix_type():
    schema = config.schema()
    assert schema["properties"]["include_checks"]["items"] == {"$ref": "#/$defs/rule_prefix"}
    assert "rule_prefix" in schema["$defs"]


def test_list_rules_marks_them_opt_in(capsys):
    assert main(["--list-rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in rules if r["opt_in"]] == ALL
    assert main(["--list-rules"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "[opt-in" in line]
    assert [line.split()[0] for line in lines] == ALL


def test_a_whole_chain_gives_nothing():
    _, report = _cli("--include-checks", "WT3", str(WHOLE))
    assert _rules(report) == []


def _cfn_lint(*args: str) -> list[str]:
    proc = subprocess.run([*CFN_LINT, "--format", "json", "-a", "cfn_trailwatch.rules", *args,
                           "--", str(SINGLE)], capture_output=True, text=True, cwd=ROOT)
    return sorted(m["Rule"]["Id"] for m in json.loads(proc.stdout or "[]")
                  if m["Rule"]["Id"] in ALL)


def test_cfn_lint_runs_them_only_with_include_experimental():
    assert _cfn_lint() == []
    assert _cfn_lint("--include-experimental") == ALL
    assert _cfn_lint("--include-experimental", "--ignore-checks", "WT3005") == \
        [r for r in ALL if r != "WT3005"]


def test_one_parameter_names_the_trails_group_and_the_filters(tmp_path):
    text = WHOLE.read_text().replace("      RetentionInDays: 365\n",
                                     "      RetentionInDays: 365\n      LogGroupName: !Ref GroupName\n")
    text = text.replace("LogGroupName: !Ref TrailLogs", "LogGroupName: !Ref GroupName")
    text = text.replace("Resources:\n", "Parameters:\n  GroupName:\n    Type: String\nResources:\n", 1)
    path = tmp_path / "param.yaml"
    path.write_text(text)
    _, report = _cli("--include-checks", "WT3", str(path))
    assert _rules(report) == []
