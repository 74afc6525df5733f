"""A hygiene check that fails must not hide the delivery chain (docs/architecture.md): each of the
six guarded checks, made to raise, still leaves every core finding of the trail in place and
reports the trail once as not analysable.

Written against a mutation-run survivor (docs/testing.md): without its guard, a failing check
stopped the chain there and the core findings after it were lost."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cfn_trailwatch import hygiene, trail
from cfn_trailwatch.load import load_text
from cfn_trailwatch.values import choices

from helpers import CORE_RULES, HYGIENE_RULES

CHECKED = CORE_RULES | HYGIENE_RULES   # rules added later are not this file's subject

# Every hygiene check has something to read; the chain fails twice: the trust does not name
# CloudTrail (ET1005), and in the scenario without the Prod policy no grant lets the role deliver
# (ET1006, whose scenario comes after the one where the hygiene checks of the role run).
TEMPLATE = """\
Parameters:
  Env: {Type: String, AllowedValues: [prod, dev]}
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      EnableLogFileValidation: true
      EventSelectors: [{ReadWriteType: All}]
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/k
  Subscription:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref TrailLogs
      FilterPattern: ''
      DestinationArn: arn:aws:lambda:us-east-1:111122223333:function:f
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: other
          PolicyDocument:
            Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]
  Deliver:
    Type: AWS::IAM::Policy
    Condition: Prod
    Properties:
      PolicyName: deliver
      Roles: [!Ref TrailRole]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [logs:CreateLogStream, logs:PutLogEvents]
            Resource: !GetAtt TrailLogs.Arn
"""
ERROR = ("Trail", "internal error while analysing trail Trail: RuntimeError: hygiene bug")


def boom(*args, **kwargs):
    raise RuntimeError("hygiene bug")


def analyse():
    return trail.analyse(load_text(TEMPLATE, "t.yaml").data, trail.Options())


def test_the_template_gives_the_core_findings_and_wt2003():
    result = analyse()
    assert result.errors == []
    findings = [f for f in result.findings if f.rule in CHECKED]
    assert [f.rule for f in findings] == ["ET1005", "ET1006", "WT2003"]
    assert findings[1].scenario_dict() == {"Env": "dev", "Prod": False}


# The check, a helper that only it calls here made to raise, and the findings left: the core
# ones always, WT2003 unless its own check needs the broken helper too.
BREAKS = {
    "_log_file_validation (WT2004)": (
        "choices", SimpleNamespace(boolean=boom, unlisted=choices.unlisted, bind=choices.bind),
        ["ET1005", "ET1006", "WT2003"]),
    "_selectors (WT2005)": ("_selection_finding", boom, ["ET1005", "ET1006", "WT2003"]),
    "_retention (WT2001)": ("scalar_int", boom, ["ET1005", "ET1006", "WT2003"]),
    "_encryption (WT2002)": ("_group_root", boom, ["ET1005", "ET1006"]),
    "_subscriptions (WT2003)": ("_same_group", boom, ["ET1005", "ET1006"]),
    "role_grants (IT2006)": ("iam", SimpleNamespace(evaluate=boom), ["ET1005", "ET1006", "WT2003"]),
}


@pytest.mark.parametrize("check", sorted(BREAKS))
def test_a_failing_check_keeps_the_core_findings(check, monkeypatch):
    name, replacement, left = BREAKS[check]
    monkeypatch.setattr(hygiene, name, replacement)
    result = analyse()
    assert result.errors == [ERROR]
    assert [f.rule for f in result.findings if f.rule in CHECKED] == left
