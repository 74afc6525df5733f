"""The generated trap fixtures of WT3001-WT3014 (tools/build_monitoring_fixtures.py).

``tests/test_fixtures.py`` runs them like every fixture (rule and line, in both front ends). Here:
the committed files are exactly what the builder writes (so they never drift from it), every
control has every trap, the "pattern missing one term" really lacks one term and only one, and
each trap breaks the link it is named after (the message says which link, which the rule and
line alone do not show).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest

from cfn_trailwatch import monitoring_controls, patterns
from cfn_trailwatch.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

_spec = importlib.util.spec_from_file_location(
    "build_monitoring_fixtures", ROOT / "tools" / "build_monitoring_fixtures.py")
builder = importlib.util.module_from_spec(_spec)
sys.modules.setdefault(_spec.name, builder)   # dataclasses look their module up there
_spec.loader.exec_module(builder)

CONTROLS = monitoring_controls.controls()
TRAPS = [t.name for t in builder.TRAPS]

# What the rule's message must say for each trap: the link it breaks.
LINK = {
    "filter_on_another_log_group":
        "is on log group the generated name of OtherLogs, not the trail's",
    "alarm_on_another_namespace": "(alarm Alarm is on OtherNamespace/",
    "alarm_on_another_metric_name": "Other, not the filter's)",
    "actions_disabled": "alarm Alarm has ActionsEnabled false",
    "topic_without_subscribers": "topic Alerts of alarm Alarm has no subscription",
    "pattern_missing_one_term": "the pattern of metric filter Filter differs from the pattern of",
    "single_region_trail": "it is not a multi-region trail (IsMultiRegionTrail false)",
}


def test_every_trap_is_named_and_checked():
    assert set(LINK) == set(TRAPS)
    assert {"filter_on_another_log_group", "alarm_on_another_namespace",
            "alarm_on_another_metric_name", "actions_disabled", "topic_without_subscribers",
            "pattern_missing_one_term", "single_region_trail"} <= set(TRAPS)


def test_the_committed_fixtures_are_what_the_builder_writes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    with contextlib.redirect_stdout(io.StringIO()):
        assert builder.main(["--out", str(first)]) == 0
        assert builder.main(["--out", str(second)]) == 0
    written = {str(p.relative_to(first)): p.read_bytes() for p in sorted(first.rglob("*.yaml"))}
    again = {str(p.relative_to(second)): p.read_bytes() for p in sorted(second.rglob("*.yaml"))}
    assert written == again                       # deterministic
    committed = {f"{p.parent.name}/{p.name}": p.read_bytes()
                 for p in sorted(FIXTURES.glob("WT30*/*_trap_*.yaml"))}
    assert sorted(committed) == sorted(written)   # nothing missing, nothing stale
    for name, data in written.items():
        assert committed[name] == data, \
            f"fixtures/{name} differs: run tools/build_monitoring_fixtures.py"


def test_every_control_has_every_trap():
    for control in CONTROLS:
        folder = FIXTURES / control.rule
        assert (folder / "pass_trap_base.yaml").is_file(), control.rule
        for trap in TRAPS:
            path = folder / f"fail_trap_{trap}.yaml"
            assert path.is_file(), path
            lines = path.read_text().splitlines()
            assert lines[0].startswith(f"# {control.id} ({control.title}) trap: ")
            assert lines[1] == f"# rules: {control.rule}"
            assert lines[2] == f"# {builder.GENERATED}"
            marked = [line for line in lines if "# expect:" in line]
            assert marked == ["      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn"
                              f"  # expect: {control.rule}"]


@pytest.mark.parametrize("control", CONTROLS, ids=[c.rule for c in CONTROLS])
def test_the_pattern_lacks_exactly_one_term(control):
    term, rest = builder.drop_one_term(control)
    assert term in control.current.text and len(rest) < len(control.current.text)
    full = patterns.atoms(patterns.parse(control.current.text))
    less = patterns.atoms(patterns.parse(rest))
    assert len(less) == len(full) - 1 and set(less) < set(full)
    (missing,) = set(full) - set(less)
    assert patterns.normal(patterns.parse("{" + term + "}")) == missing
    verdict = monitoring_controls.classify(rest)
    assert verdict.status == "differs" and verdict.control is control   # no accepted variant
    path = FIXTURES / control.rule / "fail_trap_pattern_missing_one_term.yaml"
    assert builder._quoted(rest) in path.read_text()


def test_dropping_a_term_keeps_the_rest_of_the_text():
    assert builder.removals("{ ($.a = 1) || (($.b = 2) && $.c NOT EXISTS) }") == [
        ("$.c NOT EXISTS", "{ ($.a = 1) || (($.b = 2)) }"),
        ("($.b = 2)", "{ ($.a = 1) || ($.c NOT EXISTS) }"),
        ("($.a = 1)", "{ (($.b = 2) && $.c NOT EXISTS) }"),
    ]
    # connectives inside a quoted string or a regular expression are not connectives
    assert builder.removals('{$.x = "a && b" || $.y = %c|d%}') == [
        ("$.y = %c|d%", '{$.x = "a && b"}'), ('$.x = "a && b"', "{$.y = %c|d%}")]
    # the only term of a group is not removed alone (it would leave "()")
    assert builder.removals("{ $.a = 1 && (($.b = 2)) }") == [("(($.b = 2))", "{ $.a = 1 }"),
                                                             ("$.a = 1", "{ (($.b = 2)) }")]


def test_each_trap_breaks_the_link_it_is_named_after():
    paths = sorted(FIXTURES.glob("WT30*/*_trap_*.yaml"))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        cli_main(["--format", "json", "--include-checks", "WT3", *map(str, paths)])
    report = json.loads(buffer.getvalue())
    assert report["errors"] == []
    got: dict[str, list[str]] = {}
    for finding in report["findings"]:
        path = Path(finding["file"])
        if finding["rule"] == path.parent.name:
            got.setdefault(f"{path.parent.name}/{path.name}", []).append(finding["message"])
    for path in paths:
        name = f"{path.parent.name}/{path.name}"
        if path.name == "pass_trap_base.yaml":
            assert name not in got
            continue
        trap = path.stem[len("fail_trap_"):]
        (message,) = got[name]
        assert LINK[trap] in message, (name, message)
