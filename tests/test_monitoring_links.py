"""The links of the monitoring chain and of IT2009, one behaviour each: what each message and
evidence step says, and which candidates a lookup may return (tools/mutation.py's survivors in
linter/monitoring.py, linter/delivery_alarm.py and linter/trail.py led here)."""

from __future__ import annotations

import textwrap

import pytest

from cfn_trailwatch import monitoring, trail
from cfn_trailwatch.findings import Finding
from cfn_trailwatch.load import load_text

from test_hygiene import BASE, variant
from test_monitoring_standalone import ROOT_PATTERN, _cli, _json, stack

WT3 = frozenset(f"WT30{i:02d}" for i in range(1, 15))
UNAUTHORIZED = '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'
MFA_TWO_TERMS = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'


def _analyse(text: str, opt_in=frozenset({"WT3001"}), **options):
    return trail.analyse(load_text(text, "t.yaml").data, trail.Options(opt_in=opt_in, **options))


def _chain(pattern: str = ROOT_PATTERN, *, filter_props: str = "", alarm: str = "",
           actions: str = "[!Ref Alerts]", topic: str = "Subscription: [{Protocol: email, Endpoint: a@b.c}]") -> str:
    """BASE (a compliant trail) with one filter, alarm and topic on its log group."""
    return BASE + textwrap.indent(textwrap.dedent(f"""\
        Filter:
          Type: AWS::Logs::MetricFilter
          Properties:
            LogGroupName: !Ref TrailLogs
            FilterPattern: '{pattern}'
            MetricTransformations: [{{MetricNamespace: CIS, MetricName: Root, MetricValue: '1'}}]{filter_props}
        Alarm:
          Type: AWS::CloudWatch::Alarm
          Properties:
            Namespace: CIS
            MetricName: Root
            Statistic: Sum
            Period: 300
            EvaluationPeriods: 1
            Threshold: 1
            ComparisonOperator: GreaterThanOrEqualToThreshold
            AlarmActions: {actions}{alarm}
        Alerts:
          Type: AWS::SNS::Topic
          Properties:
            {topic}
        """), "  ")


def _wt3001(text: str, **kwargs) -> Finding | None:
    found = [f for f in _analyse(text, **kwargs).findings if f.rule == "WT3001"]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_base_chain_holds():
    assert _wt3001(_chain()) is None


# -- evidence depths (the --verbose tree) -----------------------------------------------------

def test_no_filter_is_a_step_under_the_log_group():
    tree = _wt3001(BASE).tree()
    assert tree[:2] == [(0, "CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn"),
                        (1, "log group TrailLogs")]
    assert tree[2][0] == 2 and tree[2][1].startswith("no AWS::Logs::MetricFilter with {")


def test_the_depths_of_a_pattern_that_differs():
    finding = _wt3001(_chain('{$.userIdentity.type="Root" && $.eventType !="AwsServiceEvent"}'))
    steps = dict((text, depth) for depth, text in finding.tree())
    filter_depth = steps["metric filter Filter on the trail's log group"]
    differences = [depth for depth, text in finding.tree() if text.startswith("missing ")]
    assert differences and set(differences) == {filter_depth + 1}


def test_the_depth_of_a_pattern_that_cannot_be_read():
    text = _chain().replace(f"FilterPattern: '{ROOT_PATTERN}'", "FilterPattern: !ImportValue p")
    finding = _wt3001(text)
    assert "cannot verify the pattern of metric filter Filter: FilterPattern is" in finding.message
    assert finding.tree()[1:] == [(1, "log group TrailLogs"),
                                  (2, "metric filter Filter: FilterPattern !ImportValue p")]


# -- which filters stand in for a control -------------------------------------------------------

def test_a_pattern_chosen_by_a_parameter_counts_only_where_it_is_the_controls():
    text = _chain().replace(f"FilterPattern: '{ROOT_PATTERN}'", "FilterPattern: !Ref Pattern")
    text = ("Parameters:\n  Pattern:\n    Type: String\n"
            f"    AllowedValues: ['{ROOT_PATTERN}', '{UNAUTHORIZED}']\n") + text
    finding = _wt3001(text)
    assert finding.message.startswith(
        "Trail Trail: CloudWatch.1 (root user usage) on its log group TrailLogs: no "
        "AWS::Logs::MetricFilter on it has the filter pattern of CloudWatch.1 here: the "
        "FilterPattern of metric filter Filter is {")
    assert dict(finding.scenario) == {"Pattern": UNAUTHORIZED}


# -- alarms -----------------------------------------------------------------------------------

def test_an_alarm_that_is_not_created_is_not_named_as_near():
    text = _chain(alarm="").replace("  Alarm:\n    Type: AWS::CloudWatch::Alarm\n",
                                    "  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Condition: Never\n")
    text = "Conditions:\n  Never: !Equals [a, b]\n" + text
    finding = _wt3001(text)
    assert finding.message.endswith("no AWS::CloudWatch::Alarm is on the metric CIS/Root of "
                                    "metric filter Filter")


def test_an_alarm_whose_actions_are_not_topics():
    finding = _wt3001(_chain(actions="['arn:aws:lambda:us-east-1:111122223333:function:page']"))
    assert finding.message.endswith("alarm Alarm has no SNS topic among its AlarmActions")
    assert finding.tree()[-1][1] == \
        "AlarmActions: arn:aws:lambda:us-east-1:111122223333:function:page"


def test_the_topic_by_its_arn_attribute():
    assert _wt3001(_chain(actions="[!GetAtt Alerts.TopicArn]")) is None
    finding = _wt3001(_chain(actions="[!GetAtt Alerts.TopicName]"))   # a name, not an ARN
    assert finding.message.endswith("cannot verify the subscribers of alarm Alarm's topic "
                                    "!GetAtt Alerts.TopicName: it is outside the template")


# -- stand-alone filters ----------------------------------------------------------------------

def test_a_template_without_filters_is_not_analysed_for_the_monitoring_rules(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("Conditions:\n  Defined: !Equals [a, a]\nResources:\n  Role:\n"
                    "    Type: AWS::IAM::Role\n    Condition: Undefined\n"
                    "    Properties: {AssumeRolePolicyDocument: {}}\n")
    code, report = _json("--include-checks", "WT3", str(path))
    assert (code, report["errors"], report["findings"]) == (0, [], [])
    assert monitoring.filters_to_check({"Resources": {"R": {"Type": "AWS::IAM::Role"},
                                                      "F": {"Type": "AWS::Logs::MetricFilter"}}},
                                       WT3) == ["F"]


def test_a_standalone_older_form_passes_its_pattern_with_a_note(tmp_path):
    path = tmp_path / "mfa.yaml"
    path.write_text(stack(MFA_TWO_TERMS))
    _, report = _json("--include-checks", "WT3", str(path))
    [finding] = report["findings"]
    assert "its alarm chain holds" in finding["message"]
    [note] = report["notes"]
    assert note["line"] == finding["line"]
    assert note["message"].startswith("metric filter Filter passes CloudWatch.3 (console sign-in "
                                      "without MFA) with an older accepted form of its pattern")


def test_an_internal_error_in_the_standalone_pass_names_the_first_filter(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(monitoring, "standalone", boom)
    text = stack() + stack().split("Resources:\n", 1)[1].replace("Alerts:", "Alerts2:", 1) \
        .replace("  Filter:", "  Filter2:").replace("  Alarm:", "  Alarm2:").replace("!Ref Alerts]", "!Ref Alerts2]")
    analysis = _analyse(text, opt_in=WT3)
    assert analysis.errors == [("Filter", "internal error while checking metric filter Filter: "
                                          "RuntimeError: boom")]


# -- IT2009 -----------------------------------------------------------------------------------

DELIVERY = ("      Threshold: 1\n      ComparisonOperator: LessThanThreshold\n",)


def _it2009(text: str):
    found = [f for f in _analyse(text, opt_in=frozenset()).findings if f.rule == "IT2009"]
    return found[0] if found else None


def test_at_most_a_positive_threshold_alarms_at_zero():
    text = variant(("      Threshold: 1\n      ComparisonOperator: LessThanThreshold\n",
                    "      Threshold: 5\n      ComparisonOperator: LessThanOrEqualToThreshold\n"))
    assert _it2009(text) is None


def test_at_most_below_zero_says_the_comparison_it_makes():
    text = variant(("      Threshold: 1\n      ComparisonOperator: LessThanThreshold\n",
                    "      Threshold: -1\n      ComparisonOperator: LessThanOrEqualToThreshold\n"))
    assert "0 <= -1 is false: 0 events do not alarm" in _it2009(text).message


def test_two_alarms_that_lack_something_are_counted():
    extra = """\
    Second:
      Type: AWS::CloudWatch::Alarm
      Properties:
        Namespace: AWS/Logs
        MetricName: IncomingLogEvents
        Dimensions: [{Name: LogGroupName, Value: !Ref TrailLogs}]
        Statistic: Sum
        Period: 3600
        EvaluationPeriods: 1
        Threshold: 1
        ComparisonOperator: LessThanThreshold
        AlarmActions: ['arn:aws:sns:us-east-1:111122223333:security-alerts']
    """
    text = variant(("      TreatMissingData: breaching\n", ""), extra=extra)
    assert _it2009(text).message.endswith("(and 1 more alarm on that metric)")


def test_an_alarm_on_another_group_under_a_condition_assumes_nothing():
    extra = """\
    Elsewhere:
      Type: AWS::CloudWatch::Alarm
      Condition: Watch
      Properties:
        Namespace: AWS/Logs
        MetricName: IncomingLogEvents
        Dimensions: [{Name: LogGroupName, Value: other-group}]
        Statistic: Sum
        Period: 3600
        EvaluationPeriods: 1
        Threshold: 1
        ComparisonOperator: LessThanThreshold
        TreatMissingData: breaching
        AlarmActions: ['arn:aws:sns:us-east-1:111122223333:security-alerts']
    """
    text = variant(("  DeliveryStopped:\n", "  Unused:\n"),
                   ("      Namespace: AWS/Logs\n      MetricName: IncomingLogEvents\n      Dimensions: [{Name: LogGroupName, Value: !Ref TrailLogs}]\n",
                    "      Namespace: AWS/Logs\n      MetricName: IncomingLogEvents\n      Dimensions: [{Name: LogGroupName, Value: yet-another}]\n"),
                   params="Mode:\n  Type: String\n  AllowedValues: [on, off]\n",
                   conditions="Watch: !Equals [!Ref Mode, 'on']\n", extra=extra)
    finding = _it2009(text)
    assert finding.message.startswith("Trail Trail: nothing alerts when its delivery stops")
    assert "[when" not in finding.message and finding.scenario == ()


# -- resolutions kept per template (monitoring._created) --------------------------------------

def test_every_trail_meets_the_problem_of_an_alarm_resolved_once():
    # a second trail on the same log group and role: both follow the same filter and alarm
    second = BASE.split("Resources:\n", 1)[1].split("  TrailLogs:")[0].replace("  Trail:", "  Trail2:")
    text = _chain(alarm="\n            ActionsEnabled: !If [Undefined, true, false]")
    text = text.replace("Resources:\n", "Resources:\n" + second, 1)
    errors = _analyse(text).errors
    assert sorted(errors) == [
        ("Trail", "trail Trail cannot be analysed: condition Undefined is not defined"),
        ("Trail2", "trail Trail2 cannot be analysed: condition Undefined is not defined")]


def test_a_kept_resolution_is_laid_over_the_scenario_that_asks():
    # the alarm's ActionsEnabled comes from a parameter: each trail's scenario gets its own
    # binding of it, whichever trail asked first
    second = BASE.split("Resources:\n", 1)[1].split("  TrailLogs:")[0].replace("  Trail:", "  Trail2:")
    text = _chain(alarm="\n            ActionsEnabled: !Ref Notify")
    text = "Parameters:\n  Notify:\n    Type: String\n    AllowedValues: ['true', 'false']\n" + \
        text.replace("Resources:\n", "Resources:\n" + second, 1)
    found = [f for f in _analyse(text).findings if f.rule == "WT3001"]
    assert [f.resource for f in found] == ["Trail2", "Trail"]   # Trail2 comes first in the file
    for finding in found:   # the second to ask got the kept resolution
        assert dict(finding.scenario) == {"Notify": "false"}
        assert finding.message.endswith("[when Notify='false']")


def test_a_kept_resolution_is_not_served_to_a_scenario_that_fixes_what_it_left_open():
    # Trail asks first with Watch open (the resolution branches on it); Trail2 exists only where
    # Watch is true, so the alarm's ActionsEnabled is true for it: the kept answer, with both
    # branches, must not be laid over Trail2's scenario.
    second = BASE.split("Resources:\n", 1)[1].split("  TrailLogs:")[0] \
        .replace("  Trail:\n    Type: AWS::CloudTrail::Trail\n",
                 "  Trail2:\n    Type: AWS::CloudTrail::Trail\n    Condition: Watch\n")
    text = _chain(alarm="\n            ActionsEnabled: !If [Watch, true, false]")
    text = text.replace("  TrailLogs:\n", second + "  TrailLogs:\n", 1)
    text = ("Parameters:\n  Mode:\n    Type: String\n    AllowedValues: [watch, quiet]\n"
            "Conditions:\n  Watch: !Equals [!Ref Mode, watch]\n") + text
    analysis = _analyse(text)
    assert analysis.errors == []   # Trail2 is analysed, and its chain holds
    found = {f.resource: f for f in analysis.findings if f.rule == "WT3001"}
    assert list(found) == ["Trail"]
    assert found["Trail"].message.endswith("has ActionsEnabled false: it notifies no one "
                                           "(Security Hub checks this under CloudWatch.17) "
                                           "[when Watch=false, Mode='quiet']")
