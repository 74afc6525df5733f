"""WT2007 (a multi-region trail that includes global service events, or another trail of the
template that is one) and WT2008 (the log group's name against log_group_name): message, anchor
and evidence for each way the settings can be written.

Written against the survivors of a mutation run on the code that added these rules
(docs/testing.md)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cfn_trailwatch import hygiene, trail
from cfn_trailwatch.load import load_text
from cfn_trailwatch.values import EMPTY, Resolver

TEMPLATE = """\
Parameters:
  P: {{Type: String}}
  N: {{Type: String}}
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
      EnableLogFileValidation: true
{settings}
      CloudWatchLogsLogGroupArn: !GetAtt G.Arn
      CloudWatchLogsRoleArn: !GetAtt R.Arn
{other}
  G: {{Type: AWS::Logs::LogGroup, Properties: {{KmsKeyId: k{name}}}}}
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: cloudtrail.amazonaws.com}}, Action: sts:AssumeRole}}]
      Policies:
        - PolicyName: d
          PolicyDocument:
            Statement: [{{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: !GetAtt G.Arn}}]
"""
OTHER = """\
  Other:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
{}"""


def findings(rule: str, settings: str = "", other: str = "", name: str = "", **options):
    text = TEMPLATE.format(settings=settings, other=other, name=name)
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options(**options))
    assert result.errors == []
    return [(f.path[-1], f.message, f.tree()) for f in result.findings
            if f.rule == rule and f.resource == "Trail"]


SINGLE = ": it records the events of the stack's region only, so activity in every other region goes unrecorded"
RECORDS = (0, "the trail records management events")
NO_OTHER = ("; it {what}, and no other trail of the template is a multi-region trail that records "
            "them, as an account needs one")
NO_OTHER_STEP = (0, "no other trail of the template is multi-region, includes global service "
                    "events and records management events")
ABSENT = [(0, "no IsMultiRegionTrail"), (1, "false (the default)")]


@pytest.mark.parametrize("settings, expected", [
    ("      IsMultiRegionTrail: true", []),
    ("", [("Properties", "Trail Trail does not set IsMultiRegionTrail (default false)" + SINGLE,
           [*ABSENT, RECORDS])]),
    ("      IsMultiRegionTrail: false",
     [("IsMultiRegionTrail", "Trail Trail has IsMultiRegionTrail false" + SINGLE,
       [(0, "IsMultiRegionTrail: false"), (1, "false"), RECORDS])]),
    ("      IsMultiRegionTrail: !Ref AWS::NoValue",
     [("IsMultiRegionTrail", "Trail Trail has IsMultiRegionTrail AWS::NoValue (default false)" + SINGLE,
       [(0, "IsMultiRegionTrail: !Ref 'AWS::NoValue'"), (1, "AWS::NoValue, so the default false"),
        RECORDS])]),
    ("      IsMultiRegionTrail: !ImportValue m\n      IncludeGlobalServiceEvents: true",
     [("IsMultiRegionTrail", "Trail Trail: cannot tell whether it is multi-region "
                             "(IsMultiRegionTrail is !ImportValue m)",
       [(0, "IsMultiRegionTrail: !ImportValue m"), (1, "!ImportValue m"), RECORDS])]),
    ("      IsMultiRegionTrail: true\n      IncludeGlobalServiceEvents: !ImportValue g",
     [("IncludeGlobalServiceEvents",
       "Trail Trail: cannot tell whether it includes global service events "
       "(IncludeGlobalServiceEvents is !ImportValue g); a multi-region trail must include them or "
       "CloudTrail refuses to create it",
       [(0, "IncludeGlobalServiceEvents: !ImportValue g"), (1, "!ImportValue g"), RECORDS])]),
    ("      IsMultiRegionTrail: true\n      IncludeGlobalServiceEvents: false",
     [("IncludeGlobalServiceEvents",
       "Trail Trail has IncludeGlobalServiceEvents false with IsMultiRegionTrail true: CloudTrail "
       "refuses to create a multi-region trail that leaves out global service events, so this "
       "trail cannot be deployed",
       [(0, "IsMultiRegionTrail: true"), (1, "true"), (0, "IncludeGlobalServiceEvents: false"),
        (1, "false")])]),
    ("      IncludeGlobalServiceEvents: false",
     [("Properties", "Trail Trail does not set IsMultiRegionTrail (default false)" + SINGLE,
       [*ABSENT, RECORDS]),
      ("IncludeGlobalServiceEvents", "Trail Trail has IncludeGlobalServiceEvents false: events of "
                                     "global services such as IAM, STS and CloudFront are not recorded",
       [(0, "IncludeGlobalServiceEvents: false"), (1, "false"), RECORDS])]),
])
def test_wt2007_settings(settings, expected):
    assert findings("WT2007", settings) == expected


def test_wt2007_an_unlisted_parameter_fails_as_false():
    [(key, message, _)] = findings("WT2007", "      IsMultiRegionTrail: !Ref P")
    assert key == "IsMultiRegionTrail"
    assert message == "Trail Trail has IsMultiRegionTrail false" + SINGLE + " [when P='false']"


NO_MANAGEMENT = "      EventSelectors: [{IncludeManagementEvents: false}]"


def not_recording(what: str = "records no management events"):
    return [("Properties", "Trail Trail does not set IsMultiRegionTrail (default false)"
             + NO_OTHER.format(what=what), [*ABSENT, (0, f"the trail {what}"), NO_OTHER_STEP])]


@pytest.mark.parametrize("settings", [
    NO_MANAGEMENT,
    "      EventSelectors: [!Ref AWS::NoValue, {IncludeManagementEvents: false}]",
    "      AdvancedEventSelectors: [{FieldSelectors: [{Field: eventCategory, Equals: [Data]}, "
    "{Field: resources.type, Equals: ['AWS::S3::Object']}]}]",
])
def test_wt2007_a_trail_without_management_events_needs_another_multi_region_trail(settings):
    assert findings("WT2007", settings) == not_recording()


@pytest.mark.parametrize("settings", [
    "      AdvancedEventSelectors: [{FieldSelectors: [{Field: eventCategory, Equals: [Management]}]}]",
    NO_MANAGEMENT + "\n      AdvancedEventSelectors: [{FieldSelectors: [{Field: eventCategory, "
                    "Equals: [Management]}]}]",
])
def test_wt2007_selectors_that_take_management_events(settings):
    assert findings("WT2007", settings) == [
        ("Properties", "Trail Trail does not set IsMultiRegionTrail (default false)" + SINGLE,
         [*ABSENT, RECORDS])]


def test_wt2007_selectors_that_cannot_be_read():
    assert findings("WT2007", "      EventSelectors: !ImportValue sel") == not_recording(
        "may record no management events (its selectors cannot be read here)")


@pytest.mark.parametrize("other, covered", [
    ("      IsMultiRegionTrail: true", True),
    ("      IsMultiRegionTrail: false", False),
    ("      IsMultiRegionTrail: true\n      IncludeGlobalServiceEvents: false", False),
    ("      IsMultiRegionTrail: true\n" + NO_MANAGEMENT, False),
])
def test_wt2007_another_trail_of_the_template_may_be_the_accounts_multi_region_trail(other, covered):
    got = findings("WT2007", NO_MANAGEMENT, OTHER.format(other))
    assert got == ([] if covered else not_recording())


# --- WT2008 ----------------------------------------------------------------------------------

def wt2008(name: str, pattern: str = "/audit/*"):
    return findings("WT2008", "      IsMultiRegionTrail: true", name=name,
                    rule_options={"WT2008": {"log_group_name": pattern}})


ROOT = [(0, "CloudWatchLogsLogGroupArn: !GetAtt G.Arn"), (1, "log group G")]


def test_wt2008_off_until_a_pattern_is_set_and_quiet_when_it_matches():
    assert wt2008(", LogGroupName: /app/x", pattern="") == []
    assert wt2008(", LogGroupName: /audit/trail") == []


def test_wt2008_a_name_that_does_not_match():
    assert wt2008(", LogGroupName: /app/x") == [(
        "CloudWatchLogsLogGroupArn",
        "Trail Trail: its log group G is named /app/x, which does not match log_group_name '/audit/*'",
        [*ROOT, (2, "name: /app/x"), (3, "does not match log_group_name '/audit/*'")])]


def test_wt2008_a_generated_name_never_matches_a_path():
    [(_, message, tree)] = wt2008("")
    assert message == ("Trail Trail: its log group G has no LogGroupName, and the name "
                       "CloudFormation generates cannot match log_group_name '/audit/*'")
    assert tree[2:] == [(2, "name: a name CloudFormation generates (<stack>-<logical ID>-<suffix>: "
                            "letters, digits and hyphens)"),
                        (3, "does not match log_group_name '/audit/*'")]


def test_wt2008_a_name_the_template_does_not_fix():
    [(_, message, tree)] = wt2008(", LogGroupName: !Ref N")
    assert message == ("Trail Trail: cannot tell whether the name of its log group G (parameter N "
                       "(no value given)) matches log_group_name '/audit/*'")
    assert tree[2:4] == [(2, "name: parameter N (no value given)"),
                         (3, "cannot be shown to match log_group_name '/audit/*'")]


CHOICE = "  C: {Type: String, AllowedValues: ['yes', 'no']}\n"


def with_choice(settings: str, other: str = ""):
    text = TEMPLATE.format(settings=settings, other=other, name="").replace(
        "Parameters:\n", "Parameters:\n" + CHOICE).replace(
        "Resources:\n", "Conditions:\n  UseYes: !Equals [!Ref C, 'yes']\nResources:\n")
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options())
    assert result.errors == []
    return [f for f in result.findings if f.rule == "WT2007" and f.resource == "Trail"]


def test_management_events_follows_every_scenario_of_the_first_selectors_into_the_second():
    # (Through the analysis, findings of one rule on one property keep the first scenario's,
    # so this is read where it is decided.)
    template = {"Parameters": {"C": {"Type": "String", "AllowedValues": ["yes", "no"]}},
                "Conditions": {"UseYes": {"Fn::Equals": [{"Ref": "C"}, "yes"]}},
                "Resources": {}}
    check = SimpleNamespace(resolver=Resolver(template))
    props = {"EventSelectors": {"Fn::If": ["UseYes", [{"IncludeManagementEvents": True}],
                                           [{"IncludeManagementEvents": False}]]},
             "AdvancedEventSelectors": [{"FieldSelectors": [
                 {"Field": "eventCategory", "Equals": ["Data"]},
                 {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]}
    got = [(s.conditions["UseYes"], taken) for s, taken in hygiene.management_events(check, props, EMPTY)]
    assert got == [(True, True), (False, False)]
    assert hygiene.management_events(check, {}, EMPTY) == [(EMPTY, True)]


def test_wt2007_every_scenario_of_one_other_trail_is_followed_into_the_next():
    others = (OTHER.format("      IsMultiRegionTrail: !If [UseYes, true, false]") + "\n" +
              OTHER.format("      IsMultiRegionTrail: false").replace("  Other:", "  Another:"))
    [finding] = with_choice(NO_MANAGEMENT, others)
    assert finding.message.startswith("Trail Trail does not set IsMultiRegionTrail (default false); "
                                      "it records no management events")
    assert finding.scenario_dict()["UseYes"] is False


def test_wt2007_another_trail_that_may_or_may_not_be_multi_region_is_not_the_one():
    got = findings("WT2007", NO_MANAGEMENT, OTHER.format("      IsMultiRegionTrail: !ImportValue m"))
    assert got == not_recording()
