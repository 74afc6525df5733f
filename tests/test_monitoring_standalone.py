"""WT3001-WT3014 on monitoring stacks without a trail, and the links the chain reads.

A metric filter with a control's pattern that exists where no trail of the template does is
checked from the filter on and anchored at its FilterPattern (linter/monitoring.py, "Stand-alone
filters"); the real templates of ../shared/corpus/real-monitoring are the cases that matter.
"""

from __future__ import annotations

import contextlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cfn_trailwatch import load, monitoring, trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.values import EMPTY, Resolver

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real-monitoring"
WT3 = ["--include-checks", "WT3"]
ROOT_PATTERN = ('{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && '
                '$.eventType !="AwsServiceEvent"}')


def _cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


def _json(*args: str) -> tuple[int, dict]:
    code, out = _cli("--format", "json", *args)
    return code, json.loads(out)


def stack(pattern: str = ROOT_PATTERN, *, alarm: str = "", transformation: str = "",
          statistic: str = "Sum", threshold: str = "1", operator: str = "GreaterThanOrEqualToThreshold",
          periods: str = "1", parameters: str = "", filter_extra: str = "") -> str:
    """A monitoring stack without a trail: one filter, its alarm, a subscribed topic."""
    return f"""AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  GroupName:
    Type: String
    Default: aws-controltower/CloudTrailLogs{parameters}
Resources:
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {{Protocol: email, Endpoint: security@example.com}}
  Filter:
    Type: AWS::Logs::MetricFilter{filter_extra}
    Properties:
      LogGroupName: !Ref GroupName
      FilterPattern: '{pattern}'
      MetricTransformations:
        - MetricNamespace: CIS
          MetricName: Root
          MetricValue: '1'{transformation}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: CIS
      MetricName: Root
      Statistic: {statistic}
      Period: 300
      EvaluationPeriods: {periods}
      Threshold: {threshold}
      ComparisonOperator: {operator}
      AlarmActions: [!Ref Alerts]{alarm}
"""


@pytest.fixture
def write(tmp_path):
    def _write(text: str, name: str = "monitoring.yaml") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return _write


# -- anchoring and the JSON contract ----------------------------------------------------------

def test_a_stack_without_a_trail_is_checked_from_the_filter(write):
    path = write(stack())
    code, report = _json(*WT3, path)
    assert code == 0   # a warning; --fail-on error
    [finding] = report["findings"]
    assert (finding["rule"], finding["resource"], finding["resource_type"]) == \
        ("WT3001", "Filter", "AWS::Logs::MetricFilter")
    assert finding["path"] == ["Resources", "Filter", "Properties", "FilterPattern"]
    assert (finding["line"], finding["column"]) == (16, 7)
    assert finding["message"].startswith(
        "metric filter Filter: CloudWatch.1 (root user usage): its alarm chain holds, but no "
        "trail in this template delivers to its log group")
    assert finding["message"].endswith("(log group !Ref GroupName)")
    assert finding["scenario"] == {}   # the log group is shown, not assumed
    assert finding["evidence"][:2] == ["metric filter Filter: LogGroupName !Ref GroupName",
                                       "no trail in this template (the trail end cannot be "
                                       "verified here)"]
    assert _cli(*WT3, "--fail-on", "warning", path)[0] == 1


def test_a_filters_finding_of_every_region_names_none(write):
    path = write(stack())
    _, one = _json(*WT3, path)
    _, both = _json(*WT3, "--regions", "us-east-1,eu-west-1", path)
    assert [f["message"] for f in both["findings"]] == [f["message"] for f in one["findings"]]


def test_off_without_include_checks_and_the_file_is_only_skimmed(write):
    path = write(stack())
    code, report = _json(path)
    assert (code, report["findings"], report["summary"]["templates"]) == (0, [], 1)
    text = Path(path).read_text()
    assert load.load_text(text, path, skim=True).skimmed
    assert not load.load_text(text, path, skim=True,
                              wanted=(load.TRAIL_TYPE, monitoring.METRIC_FILTER)).skimmed


def test_trail_findings_keep_their_resource_type(tmp_path):
    seed = ROOT / "fixtures" / "seed" / "fail_seed_sample.yaml"
    _, report = _json(str(seed))
    assert {f["resource_type"] for f in report["findings"]} == {"AWS::CloudTrail::Trail"}


def test_the_json_schema_accepts_a_filter_finding(write):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "json-output.schema.json").read_text())
    _, report = _json(*WT3, write(stack()))
    jsonschema.validate(report, schema)
    report["findings"][0]["resource_type"] = "AWS::SNS::Topic"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)


def test_sarif_names_the_filter(write):
    code, out = _cli("--format", "sarif", *WT3, write(stack()))
    [result] = json.loads(out)["runs"][0]["results"]
    assert (result["ruleId"], result["properties"]["resource"],
            result["properties"]["resourceType"]) == ("WT3001", "Filter", "AWS::Logs::MetricFilter")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 16


def test_junit_has_a_case_per_filter(write):
    path = write(stack())
    _, out = _cli("--format", "junit", "--fail-on", "warning", *WT3, path)
    [suite] = ET.fromstring(out).findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["Filter WT3001 monitoring-root-user-usage"]
    assert cases["Filter WT3001 monitoring-root-user-usage"].find("failure").get("type") == "WT3001"
    _, out = _cli("--format", "junit", path)   # not asked for: no case, no suite
    assert ET.fromstring(out).findall("testsuite") == []


def test_junit_lists_opt_in_rules_only_when_asked_for():
    whole = str(ROOT / "fixtures" / "WT3001" / "pass_whole_chain.yaml")
    _, out = _cli("--format", "junit", whole)
    names = [c.get("name").split()[1] for c in ET.fromstring(out).iter("testcase")]
    assert len(names) == 17 and not [n for n in names if n.startswith("WT30")]
    _, out = _cli("--format", "junit", *WT3, whole)
    names = [c.get("name").split()[1] for c in ET.fromstring(out).iter("testcase")]
    assert len(names) == 31 and [n for n in names if n.startswith("WT30")] == \
        [f"WT30{i:02d}" for i in range(1, 15)]


def test_suppressed_in_the_filters_metadata(write):
    meta = "\n    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [WT3001]"
    code, report = _json(*WT3, "--fail-on", "warning", write(stack(filter_extra=meta)))
    assert code == 0
    [finding] = report["findings"]
    assert finding["suppressed"]["kind"] == "inline"
    assert finding["suppressed"]["justification"] == "Metadata cfn-lint ignore_checks on Filter"


# -- which filters are checked on their own ---------------------------------------------------

def test_a_filter_for_something_else_is_not_a_candidate(write):
    code, report = _json(*WT3, write(stack('{($.eventName=RunInstances) || ($.eventName=StopInstances)}')))
    assert (code, report["findings"]) == (0, [])


def test_a_pattern_from_a_parameter_is_not_guessed(write):
    text = stack().replace(f"FilterPattern: '{ROOT_PATTERN}'", "FilterPattern: !Ref Pattern")
    text = text.replace("Parameters:\n", "Parameters:\n  Pattern:\n    Type: String\n")
    _, report = _json(*WT3, write(text))
    assert report["findings"] == []


def test_a_look_alike_beside_an_accepted_filter_is_not_reported(write):
    text = stack() + """  Other:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref GroupName
      FilterPattern: '{$.userIdentity.type="Root"}'
      MetricTransformations:
        - {MetricNamespace: CIS, MetricName: Other, MetricValue: '1'}
"""
    _, report = _json(*WT3, write(text))
    assert [f["resource"] for f in report["findings"]] == ["Filter"]


def test_the_trail_under_a_condition_leaves_the_filter_alone_in_the_other_scenario():
    path = ROOT / "fixtures" / "WT3004" / "fail_trail_under_condition_filters_unconditional.yaml"
    _, report = _json("--include-checks", "WT3004", str(path))
    [finding] = [f for f in report["findings"] if f["resource"] == "Filter"]
    assert finding["scenario"] == {"WithTrail": False, "CreateTrail": "false"}
    assert "the template's trail Trail is not created while this filter is" in finding["message"]
    _, report = _json("--include-checks", "WT3004", "--parameters", "CreateTrail=true", str(path))
    assert [f for f in report["findings"] if f["rule"] == "WT3004"] == []


# -- the alarm fires on one event -------------------------------------------------------------

@pytest.mark.parametrize("kwargs, verdict", [
    ({}, "holds"),
    ({"statistic": "Maximum"}, "holds"),
    ({"statistic": "SampleCount"}, "holds"),
    ({"statistic": "Average"}, "holds"),    # no DefaultValue: only matching events emit
    ({"statistic": "Minimum", "transformation": "\n          DefaultValue: 0"}, "no"),
    ({"statistic": "Average", "transformation": "\n          DefaultValue: 0"}, "no"),
    ({"statistic": "Sum", "transformation": "\n          DefaultValue: 0"}, "holds"),
    ({"threshold": "2"}, "no"),
    ({"threshold": "1", "operator": "GreaterThanThreshold"}, "no"),
    ({"threshold": "0", "operator": "GreaterThanThreshold"}, "holds"),
    ({"threshold": "5", "transformation": "\n          DefaultValue: 0"}, "no"),
    ({"operator": "LessThanThreshold"}, "no"),
    ({"periods": "3"}, "no"),
    ({"periods": "3", "alarm": "\n      DatapointsToAlarm: 1"}, "holds"),
    ({"periods": "3", "alarm": "\n      DatapointsToAlarm: 2"}, "no"),
    ({"threshold": "!Ref Level", "parameters": "\n  Level:\n    Type: Number"}, "maybe"),
    ({"statistic": "!Ref Stat", "parameters": "\n  Stat:\n    Type: String"}, "maybe"),
])
def test_single_event(write, kwargs, verdict):
    _, report = _json(*WT3, write(stack(**kwargs)))
    [finding] = report["findings"]
    message = finding["message"]
    expected = {"holds": "its alarm chain holds",
                "no": "alarm Alarm does not fire on a single matching event: ",
                "maybe": "cannot verify that alarm Alarm fires on a single matching event: "}
    assert expected[verdict] in message


def test_a_metric_value_of_five_fires_a_threshold_of_five(write):
    text = stack(threshold="5").replace("MetricValue: '1'", "MetricValue: '5'")
    _, report = _json(*WT3, write(text))
    assert "its alarm chain holds" in report["findings"][0]["message"]
    text = stack(threshold="5").replace("MetricValue: '1'", "MetricValue: $.count")
    _, report = _json(*WT3, write(text))
    assert "the filter's MetricValue is $.count, not a number" in report["findings"][0]["message"]


def test_an_alarm_on_the_filters_own_name_says_why(write):
    text = stack().replace("      MetricName: Root\n      Statistic", "      MetricName: !Ref Filter\n      Statistic")
    _, report = _json(*WT3, write(text))
    assert report["findings"][0]["message"].endswith(
        "no AWS::CloudWatch::Alarm is on the metric CIS/Root of metric filter Filter (alarm Alarm "
        "has MetricName !Ref Filter, which is the filter's own name, not the name of the metric "
        "it writes)")


# -- only the assumptions the verdict depends on ----------------------------------------------

def test_an_alarm_property_no_link_reads_is_not_an_assumption(write):
    text = stack(periods="2", alarm="\n      AlarmDescription: !Sub 'root use in ${Env}'",
                 parameters="\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]")
    _, report = _json(*WT3, write(text))
    [finding] = report["findings"]
    assert finding["scenario"] == {}
    assert "[when" not in finding["message"]


def test_at_the_trail_a_finding_names_only_its_own_filters_assumptions():
    whole = (ROOT / "fixtures" / "WT3001" / "pass_whole_chain.yaml").read_text()
    text = whole.replace("      MetricName: Control1\n      Statistic: Sum",
                         "      MetricName: Control1\n      Statistic: Sum\n"
                         "      AlarmDescription: !Sub 'in ${Env}'")
    text = text.replace("      ComparisonOperator: GreaterThanOrEqualToThreshold\n"
                        "      AlarmActions: [!Ref Alerts]\n  Filter2:",
                        "      ComparisonOperator: GreaterThanOrEqualToThreshold\n"
                        "      ActionsEnabled: !Ref Notify\n"
                        "      AlarmActions: [!Ref Alerts]\n  Filter2:")
    text = text.replace("Resources:\n", "Parameters:\n  Env:\n    Type: String\n    AllowedValues: "
                        "[dev, prod]\n  Notify:\n    Type: String\n    AllowedValues: ['true', "
                        "'false']\nResources:\n", 1)
    data = load.load_text(text, "t.yaml").data
    findings = trail.analyse(data, trail.Options(opt_in=frozenset({"WT3001"}))).findings
    [finding] = [f for f in findings if f.rule == "WT3001"]
    assert dict(finding.scenario) == {"Notify": "false"}
    assert finding.message.endswith("[when Notify='false']")


# -- an older accepted form passes, with a note -----------------------------------------------

def test_an_older_form_passes_with_a_note_at_the_filter():
    path = ROOT / "fixtures" / "WT3003" / "pass_older_form_is_accepted.yaml"
    code, report = _json(*WT3, str(path))
    assert code == 0 and [f for f in report["findings"] if f["rule"].startswith("WT30")] == []
    [note] = report["notes"]
    lines = path.read_text().splitlines()
    assert "FilterPattern:" in lines[note["line"] - 1]
    assert "passes CloudWatch.3 (console sign-in without MFA) with an older accepted form of its pattern" in \
        note["message"]
    assert "the current form is {" in note["message"]
    code, text_out = _cli(*WT3, str(path))
    assert f":{note['line']}:" in text_out and "note" in text_out
    _, report = _json("--include-checks", "WT3002", str(path))   # WT3003 not run: no note
    assert report["notes"] == []


# -- the real monitoring stacks ---------------------------------------------------------------

def _real(name: str) -> dict:
    _, report = _json(*WT3, str(CORPUS / name))
    return report


def test_real_stacks_without_a_trail():
    massyn = _real("massyn-cis.json")
    assert [f["rule"] for f in massyn["findings"]] == [f"WT30{i:02d}" for i in range(1, 15)]
    assert {f["resource_type"] for f in massyn["findings"]} == {"AWS::Logs::MetricFilter"}
    assert "alarm rootusagealarm has MetricName !Ref rootusagemetric" in massyn["findings"][0]["message"]

    rewind = _real("rewindio-cis-alarms.yml")   # YAML without a trail: not skimmed with WT3
    assert len(rewind["findings"]) == 14
    assert all("it is outside the template" in f["message"] for f in rewind["findings"])

    omner = _real("omner-cis-alarms-main.json")   # 16 filters: the 2 EC2 ones are for no control
    assert len(omner["findings"]) == 14 and len({f["resource"] for f in omner["findings"]}) == 14

    fadiguezel = {f["rule"]: f["message"] for f in _real("fadiguezel-cis-monitoring.template")["findings"]}
    assert sorted(fadiguezel) == ["WT3001", "WT3002", "WT3003", "WT3006", "WT3007"]
    assert "missing ($.userIdentity.type = \"IAMUser\")" in fadiguezel["WT3003"]


def test_real_stacks_with_trails_stay_anchored_at_the_trail():
    # widdix: two trails under complementary conditions; one of them exists in every scenario.
    for name in ("widdix-security-cloudtrail.yaml", "virtualjj-cis-sec3.yml",
                 "quickstart-compliance-common-logging.template"):
        report = _real(name)
        assert {f["resource_type"] for f in report["findings"]} == {"AWS::CloudTrail::Trail"}, name


# -- the resolver: "a value not listed" is never a listed one ---------------------------------

def test_an_unlisted_value_never_equals_the_default():
    template = {"Parameters": {"X": {"Type": "String", "Default": ""}},
                "Conditions": {"I": {"Fn::Equals": [{"Ref": "X"}, ""]},
                               "E": {"Fn::Not": [{"Fn::Equals": [{"Ref": "X"}, ""]}]}},
                "Resources": {"A": {"Type": "AWS::SNS::Topic", "Condition": "I"},
                              "B": {"Type": "AWS::SNS::Topic", "Condition": "E"}}}
    r = Resolver(template, {}, "us-east-1", None, 64, 32)
    seen = [(a, b) for s, a in r.exists("A", EMPTY) for _, b in r.exists("B", s)]
    assert sorted(seen) == [(False, True), (True, False)]
    # a literal the definition does not list may be the unlisted value
    template["Conditions"]["E"] = {"Fn::Equals": [{"Ref": "X"}, "prod"]}
    r = Resolver(template, {}, "us-east-1", None, 64, 32)
    seen = [(a, b, s2.describe().get("X")) for s, a in r.exists("A", EMPTY)
            for s2, b in r.exists("B", s)]
    assert sorted(seen, key=repr) == sorted([(True, False, ""), (False, True, "prod"),
                                             (False, False, None)], key=repr)


# -- a filter that cannot be analysed fails the gate, located at the filter -------------------

def test_an_undefined_condition_on_a_standalone_filter_is_a_located_error(write):
    text = stack().replace("    Type: AWS::Logs::MetricFilter\n",
                           "    Type: AWS::Logs::MetricFilter\n    Condition: Nowhere\n")
    path = write(text)
    code, report = _json(*WT3, path)
    assert code == 2
    [error] = report["errors"]
    assert error["line"] == 12   # the filter's logical ID
    assert error["message"] == ("metric filter Filter cannot be analysed: condition Nowhere is "
                                "not defined")
    _, out = _cli(path)   # the monitoring rules not asked for: nothing is analysed
    assert "error" not in out


def test_cfn_lint_names_the_filter_it_could_not_analyse(write):
    import subprocess
    from helpers import CFN_LINT
    text = stack().replace("    Type: AWS::Logs::MetricFilter\n",
                           "    Type: AWS::Logs::MetricFilter\n    Condition: Nowhere\n")
    path = write(text)
    proc = subprocess.run([*CFN_LINT, "--format", "json", "-e", "-a", "cfn_trailwatch.rules",
                           "--", path], capture_output=True, text=True, cwd=ROOT)
    ours = [m for m in json.loads(proc.stdout) if m["Rule"]["Id"] == "WT1007"]
    assert [m["Location"]["Start"]["LineNumber"] for m in ours] == [12]
    assert ours[0]["Message"].startswith("cfn-trailwatch could not analyse this metric filter "
                                         "(metric filter Filter cannot be analysed: condition "
                                         "Nowhere is not defined)")
