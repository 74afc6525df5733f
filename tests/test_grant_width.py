"""IT2006: when a delivery grant is wider than the trail's log group, and how the finding says so.

Written against the survivors of the mutation run (docs/testing.md): which Resource patterns also
match other log groups (`hygiene._pattern_scope`, on every field of the ARN), the count of extra
actions an Action pattern allows, and the evidence of several wide statements in one policy."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cfn_trailwatch import hygiene, trail
from cfn_trailwatch.load import load_text
from cfn_trailwatch.values import GeneratedName, NoValue, Parameter, Pseudo, Text

from helpers import CORE_RULES, HYGIENE_RULES

CHECKED = CORE_RULES | HYGIENE_RULES   # rules added later are not this file's subject

ACCOUNT = "123456789012"
HERE = f"arn:aws:logs:us-east-1:{ACCOUNT}:"
# What _pattern_scope reads of the trail's log group link.
GROUP = SimpleNamespace(logical_id="TrailLogs", region="us-east-1", account=ACCOUNT,
                        name="/trail/logs")
GENERATED = SimpleNamespace(logical_id="TrailLogs", region="us-east-1",
                            account=Pseudo("AWS::AccountId"), name=GeneratedName("TrailLogs"))
OTHER = "also matches log groups other than TrailLogs ({})"


@pytest.mark.parametrize("pattern, why", [
    # Only the trail's own log group (and its streams): nothing to say.
    (HERE + "log-group:/trail/logs:*", None),
    (HERE + "log-group:/trail/logs", None),
    (HERE + "log-group:/trail/logs:log-stream:*", None),
    (f"arn:aws:*:us-east-1:{ACCOUNT}:log-group:/trail/logs:*", None),  # any service: still logs
    # Every resource, or every log group.
    ("*", "matches every resource, every log group included"),
    ("  ** ", "matches every resource, every log group included"),
    ("arn:aws:logs:*", "matches every log group"),
    # One field wider than the group's.
    (f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/trail/logs:*", OTHER.format("region eu-west-1")),
    (f"arn:aws:logs:*:{ACCOUNT}:log-group:/trail/logs:*", OTHER.format("any region")),
    ("arn:aws:logs:us-east-1:*:log-group:/trail/logs:*", OTHER.format("any account")),
    ("arn:aws:logs:us-east-1:111122223333:log-group:/trail/logs:*",
     OTHER.format("account 111122223333")),
    (HERE + "log-group:/trail/*", OTHER.format("log group name pattern /trail/*")),
    (HERE + "log-group:/trail/logs?", OTHER.format("log group name pattern /trail/logs?")),
    (HERE + "log-group:/other:*", OTHER.format("log group /other")),
    (HERE + "*", OTHER.format("every log group name")),
    (HERE + "log*", OTHER.format("every log group name")),
    # Several at once, in the order region, account, name.
    ("arn:aws:logs:*:*:log-group:*", OTHER.format("any region, any account, "
                                                  "log group name pattern *")),
    ("arn:aws:logs:eu-west-1:111122223333:*",
     OTHER.format("region eu-west-1, account 111122223333, every log group name")),
    # Not a CloudWatch Logs log group pattern, or nothing a pattern can say.
    ("", None),
    ("arn:aws:logs", None),
    ("arn:aws:s3:::bucket", None),
    (HERE + "destination:d", None),
    (HERE + "dest*", None),
])
def test_literal_patterns(pattern, why):
    assert hygiene._pattern_scope(pattern, GROUP) == why


@pytest.mark.parametrize("pattern, why", [
    # A pattern with the group's own atoms is the group.
    (Text(("arn:aws:logs:us-east-1:", Pseudo("AWS::AccountId"), ":log-group:",
           GeneratedName("TrailLogs"), ":*")), None),
    (Text(("arn:aws:logs:us-east-1:", Pseudo("AWS::AccountId"), ":log-group:",
           GeneratedName("App"), ":*")), OTHER.format("log group App")),
    (Text(("arn:aws:logs:us-east-1:", Pseudo("AWS::AccountId"), ":log-group:/other:*")),
     OTHER.format("log group /other")),
    (Text(("arn:aws:logs:*:", Pseudo("AWS::AccountId"), ":log-group:",
           GeneratedName("TrailLogs"), ":*")), OTHER.format("any region")),
])
def test_patterns_with_atoms(pattern, why):
    assert hygiene._pattern_scope(pattern, GENERATED) == why


@pytest.mark.parametrize("pattern", [
    ["*"],                                      # a list is not one pattern
    Parameter("Resource"),                      # a lone atom: unknown
    NoValue,
    Text((HERE + "log-group:", Parameter("Name"), ":*")),   # not known here
    Text(("arn:aws:logs:us-east-1:", Pseudo("AWS::AccountId"), ":log-group:", NoValue)),
    Text((HERE, GeneratedName("X"))),           # the resource field is an atom
    # The region may be the group's: cannot tell, so nothing is said.
    Text(("arn:aws:logs:", Pseudo("AWS::Region"), f":{ACCOUNT}:log-group:/trail/logs:*")),
])
def test_patterns_that_cannot_be_judged_say_nothing(pattern):
    assert hygiene._pattern_scope(pattern, GROUP) is None


def test_a_name_that_may_or_may_not_be_the_groups_says_nothing():
    group = SimpleNamespace(logical_id="TrailLogs", region="us-east-1", account=ACCOUNT,
                            name=Text(("/trail/", Pseudo("AWS::StackName"))))
    assert hygiene._pattern_scope(HERE + "log-group:/trail/prod:*", group) is None


def test_a_group_outside_the_template_is_named_by_its_name():
    group = SimpleNamespace(logical_id=None, region="us-east-1", account=ACCOUNT,
                            name="/shared/logs")
    assert hygiene._pattern_scope(HERE + "log-group:*", group) == (
        "also matches log groups other than /shared/logs (log group name pattern *)")


@pytest.mark.parametrize("action, why", [
    ("logs:*LogGroup*", "Action 'logs:*LogGroup*': also allows logs:DeleteLogGroup, "
                        "logs:CreateLogGroup, logs:DescribeLogGroups"),
    ("logs:Put*", "Action 'logs:Put*': also allows logs:PutRetentionPolicy, "
                  "logs:PutSubscriptionFilter, logs:PutMetricFilter and 1 more"),
    ("logs:Describe*", "Action 'logs:Describe*': also allows logs:DescribeLogGroups, "
                       "logs:DescribeLogStreams"),
    ("*", "Action '*': allows every action of every service"),
    (" * ", "Action '*': allows every action of every service"),
])
def test_action_patterns_name_at_most_three_extra_actions(action, why):
    statement = {"Effect": "Allow", "Action": [action, "logs:PutLogEvents"], "Resource": "*"}
    assert hygiene._action_width(statement) == [why]


def test_explicit_actions_and_patterns_allowing_nothing_else_say_nothing():
    statement = {"Effect": "Allow", "Resource": "*",
                 "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:PutLog*",
                            "logs:CreateLogStrea?", Parameter("Action"), NoValue]}
    assert hygiene._action_width(statement) == []


# --- the finding, through the analysis ---------------------------------------------------------

TEMPLATE = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /trail/logs
      RetentionInDays: 365
      KmsKeyId: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Statement:
"""
STREAM = (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/trail/logs:log-stream:"
          f"{ACCOUNT}_CloudTrail_us-east-1")


def it2006(statements: str):
    text = TEMPLATE + "".join(f"              {line}\n" for line in statements.splitlines())
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options(account_id=ACCOUNT))
    assert result.errors == []
    assert [f.rule for f in result.findings if f.rule in CHECKED] == ["IT2006"]
    [finding] = [f for f in result.findings if f.rule == "IT2006"]
    return finding


def test_statements_after_one_that_does_not_deliver_are_still_read():
    finding = it2006("- {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n"
                     "- {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], "
                     "Resource: '*'}")
    assert finding.message == (
        "Trail Trail: role TrailRole may do more than deliver to log group TrailLogs: inline "
        "policy deliver of role TrailRole, Statement[1]: Resource *: matches every resource, "
        "every log group included")


def test_the_evidence_of_several_wide_statements():
    finding = it2006(
        "- {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n"
        "- {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: '*'}\n"
        "- {Sid: Second, Effect: Allow, Action: ['logs:*LogGroup*', logs:PutLogEvents], "
        "Resource: !GetAtt TrailLogs.Arn}\n"
        "- {Effect: Allow, Action: logs:PutLogEvents, Resource: 'arn:aws:logs:*:*:*'}")
    assert finding.message.endswith("Statement[1]: Resource *: matches every resource, every log "
                                    "group included (and 2 more statements)")
    assert finding.tree()[4:] == [
        (2, "policies reaching TrailRole: inline policy deliver of role TrailRole"),
        (3, f"inline policy deliver of role TrailRole, Statement[1]: allows logs:CreateLogStream "
            f"on {STREAM} (and 1 more)"),
        (4, "Resource *: matches every resource, every log group included"),
        (3, f"inline policy deliver of role TrailRole, statement 'Second': allows "
            f"logs:PutLogEvents on {STREAM}"),
        (4, "Action 'logs:*LogGroup*': also allows logs:DeleteLogGroup, logs:CreateLogGroup, "
            "logs:DescribeLogGroups"),
        (3, f"inline policy deliver of role TrailRole, Statement[3]: allows logs:PutLogEvents "
            f"on {STREAM}"),
        (4, "Resource arn:aws:logs:*:*:*: also matches log groups other than TrailLogs "
            "(any region, any account, every log group name)"),
    ]


def test_two_wide_statements_say_one_more_statement():
    finding = it2006(
        "- {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: '*'}\n"
        "- {Effect: Allow, Action: 'logs:*', Resource: !GetAtt TrailLogs.Arn}")
    assert finding.message.endswith("(and 1 more statement)")


def test_one_wide_reason_among_several_is_listed_with_each():
    finding = it2006("- {Effect: Allow, Action: ['logs:Put*', logs:CreateLogStream], "
                     "Resource: ['*', 'arn:aws:logs:*:*:log-group:/trail/logs:*']}")
    assert finding.tree()[-3:] == [
        (4, "Action 'logs:Put*': also allows logs:PutRetentionPolicy, logs:PutSubscriptionFilter, "
            "logs:PutMetricFilter and 1 more"),
        (4, "Resource *: matches every resource, every log group included"),
        (4, "Resource arn:aws:logs:*:*:log-group:/trail/logs:*: also matches log groups other "
            "than TrailLogs (any region, any account)"),
    ]


def test_policies_after_one_that_is_not_a_document_are_still_read():
    text = TEMPLATE.replace("        - PolicyName: deliver\n", "        - PolicyName: refused\n"
                            "          PolicyDocument: not a policy document\n"
                            "        - PolicyName: deliver\n")
    text += ("              - {Effect: Deny, Action: s3:*, Resource: '*'}\n"
             "              - {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], "
             "Resource: '*'}\n")
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options(account_id=ACCOUNT))
    assert result.errors == []
    assert [(f.rule, f.message) for f in result.findings if f.rule in CHECKED] == [(
        "IT2006", "Trail Trail: role TrailRole may do more than deliver to log group TrailLogs: "
                  "inline policy deliver of role TrailRole, Statement[1]: Resource *: matches "
                  "every resource, every log group included")]
