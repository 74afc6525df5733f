"""trail: the messages of an empty or removed link, of a Ref to a resource of another type, and
the scenario a finding names when the log group or the role is chosen by a condition (one
region or several).

Written against the survivors of the mutation run (docs/testing.md)."""

from __future__ import annotations

import pytest

from cfn_trailwatch import catalog, trail
from cfn_trailwatch.load import load_text

LINKS = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
      EnableLogFileValidation: true
{links}
  Key:
    Type: AWS::KMS::Key
    Properties: {{KeyPolicy: {{}}}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: cloudtrail.amazonaws.com}}, Action: sts:AssumeRole}}]
"""


def messages(text: str, **options) -> list[tuple[str, str]]:
    """The core rules' findings (the hygiene rules have their own tests)."""
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options(**options))
    assert result.errors == []
    return [(f.rule, f.message) for f in result.findings if f.rule in catalog.CORE]


def links(group: str, role: str) -> str:
    return LINKS.format(links=f"      CloudWatchLogsLogGroupArn: {group}\n"
                              f"      CloudWatchLogsRoleArn: {role}")


@pytest.mark.parametrize("value, what", [
    ("''", "has an empty {key}"),
    ("", "has an empty {key}"),                       # null
    ("!Ref AWS::NoValue", "has {key} set to AWS::NoValue"),
])
def test_an_empty_or_removed_link(value, what):
    assert messages(links(value, value)) == [
        ("ET1001", "Trail Trail " + what.format(key="CloudWatchLogsLogGroupArn")
         + ": its events are not delivered to CloudWatch Logs"),
        ("ET1002", "Trail Trail " + what.format(key="CloudWatchLogsRoleArn")
         + ": CloudTrail has no role to write to CloudWatch Logs"),
    ]


def test_absent_links():
    assert messages(LINKS.format(links="")) == [
        ("ET1001", "Trail Trail has no CloudWatchLogsLogGroupArn: its events are not delivered "
                   "to CloudWatch Logs"),
        ("ET1002", "Trail Trail has no CloudWatchLogsRoleArn: CloudTrail has no role to write to "
                   "CloudWatch Logs"),
    ]


def test_a_ref_to_a_resource_of_another_type_says_which_type():
    # AWS::KMS::Key and AWS::IAM::Role sort before AWS::Logs::LogGroup: neither is a log group.
    assert messages(links("!Ref Key", "!GetAtt Role.Arn")) == [
        ("ET1003", "Trail Trail: !Ref Key is a AWS::KMS::Key, not a log group ARN")]
    assert messages(links("!Ref Role", "!Ref Key")) == [
        ("ET1003", "Trail Trail: !Ref Role is a AWS::IAM::Role, not a log group ARN"),
        ("ET1004", "Trail Trail: !Ref Key is a AWS::KMS::Key, not an IAM role ARN")]


CHOSEN = """\
Parameters:
  Pick: {Type: String, AllowedValues: [a, b]}
Conditions:
  UseA: !Equals [!Ref Pick, a]
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: GROUP
      CloudWatchLogsRoleArn: ROLE
  A: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: a, KmsKeyId: k}}
  B: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: b, KmsKeyId: k}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Statement: [{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: !GetAtt A.Arn}]
  Role2:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}]
"""
NOT_ON_B = ("ET1006", "Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents "
                      "on the log streams of b (policies followed: inline policy deliver of role "
                      "Role) [when {region}UseA=false, Pick='b']")


def chosen(group: str, role: str) -> str:
    return CHOSEN.replace("GROUP", group).replace("ROLE", role)


def test_a_grant_missing_for_the_group_a_condition_chooses_names_the_condition():
    text = chosen("!If [UseA, !GetAtt A.Arn, !GetAtt B.Arn]", "!GetAtt Role.Arn")
    rule, message = NOT_ON_B
    assert messages(text) == [(rule, message.format(region=""))]
    # Several regions, the finding alike in each: no region is named
    assert messages(text, regions=("us-east-1", "eu-west-1")) == [
        (rule, message.format(region=""))]


def test_a_grant_missing_for_the_role_a_condition_chooses_names_the_condition():
    text = chosen("!GetAtt A.Arn", "!If [UseA, !GetAtt Role.Arn, !GetAtt Role2.Arn]")
    assert messages(text) == [
        ("ET1006", "Trail Trail: role Role2 may not logs:CreateLogStream and logs:PutLogEvents on "
                   "the log streams of a (policies followed: none) [when UseA=false, Pick='b']")]


def test_a_monitoring_finding_on_the_group_a_condition_chooses_names_the_condition():
    text = chosen("!If [UseA, !GetAtt A.Arn, !GetAtt B.Arn]", "!GetAtt Role.Arn").replace(
        "      IsLogging: true\n", "      IsLogging: true\n      IsMultiRegionTrail: true\n")
    result = trail.analyse(load_text(text, "t.yaml").data,
                           trail.Options(opt_in=frozenset({"WT3001"})))
    assert result.errors == []
    [finding] = [f for f in result.findings if f.rule == "WT3001"]
    assert finding.message.startswith("Trail Trail: CloudWatch.1 (root user usage) on its log "
                                      "group A: no AWS::Logs::MetricFilter on it")
    assert finding.message.endswith("[when UseA=true, Pick='a']")


def test_a_finding_of_some_regions_or_unlike_across_them_keeps_its_first_regions_label():
    from cfn_trailwatch.findings import Finding

    def finding(message):
        return Finding("ET1006", "Trail", ("Resources", "Trail"), message, (), (), ())

    east = finding("role R may not [when region=us-east-1, IsProd=true]")
    key = ("Trail", "ET1006", ("Resources", "Trail"))
    regions = ("us-east-1", "eu-west-1")
    # in every region alike: no region
    found = {key: east}
    trail._every_region(found, {key: {"us-east-1": "role R may not [when IsProd=true]",
                                      "eu-west-1": "role R may not [when IsProd=true]"}}, regions)
    assert found[key].message == "role R may not [when IsProd=true]"
    # in one region only, or said otherwise in the other: as found first
    for seen in ({"us-east-1": "role R may not [when IsProd=true]"},
                 {"us-east-1": "role R may not [when IsProd=true]",
                  "eu-west-1": "role R may not (on eu-west-1) [when IsProd=true]"}):
        found = {key: east}
        trail._every_region(found, {key: seen}, regions)
        assert found[key] is east
    unlabelled = trail._unlabelled
    assert unlabelled(finding("m [when region=eu-west-1]"), "eu-west-1") == "m"
    assert unlabelled(finding("m [when region=eu-west-1, X=a]"), "eu-west-1") == "m [when X=a]"
    assert unlabelled(finding("m [when X=a]"), "eu-west-1") == "m [when X=a]"
