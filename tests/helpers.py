"""Small templates the tests write into tmp_path, and how to write them."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

# Real cfn-lint, from the same environment (`python -m cfnlint` does not run in cfn-lint 1.x).
_ENTRY = Path(sys.executable).with_name("cfn-lint")
CFN_LINT = [str(_ENTRY)] if _ENTRY.exists() else [
    sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]

# The seed's sample template (../shared/seed), laid out as YAML, plus the S3BucketName every trail
# needs: `!Ref` of a log group and of a role give *names*, not ARNs (ET1003 on line 10, ET1004 on
# line 11).
SEED = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  CloudTrail:
    Type: 'AWS::CloudTrail::Trail'
    Properties:
      IsLogging: true
      IsMultiRegionTrail: false
      EnableLogFileValidation: true
      S3BucketName: my-trail-bucket
      CloudWatchLogsLogGroupArn: !Ref CloudWatchLogsGroup
      CloudWatchLogsRoleArn: !Ref CloudWatchLogsRole
      IncludeGlobalServiceEvents: true
      TrailName: my-cloudtrail-trail
  CloudWatchLogsGroup:
    Type: 'AWS::Logs::LogGroup'
    Properties:
      LogGroupName: /aws/cloudtrail/my-trail-name
  CloudWatchLogsRole:
    Type: 'AWS::IAM::Role'
    Properties:
      RoleName: cloudtrail-cloudwatch-logs-role
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service:
                - cloudtrail.amazonaws.com
            Action:
              - 'sts:AssumeRole'
      Policies:
        - PolicyName: AllowAccessToCloudWatchLogs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - 'logs:CreateLogStream'
                  - 'logs:PutLogEvents'
                Resource: '*'
"""
SEED_EXPECTED = {("ET1003", 10), ("ET1004", 11)}

# A trail with no CloudWatch Logs properties at all: ET1001 and ET1002 on its `Properties:` line
# (and nothing else: log file validation is on).
NO_CWL = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: my-trail-bucket
      IsLogging: true
      EnableLogFileValidation: true
      IsMultiRegionTrail: true
"""
NO_CWL_EXPECTED = {("ET1001", 4), ("ET1002", 4)}

# The whole chain right: GetAtt ARNs, trust for cloudtrail.amazonaws.com, both actions on the
# group's streams (a log group's Arn ends in ':*', which covers its streams).
COMPLIANT = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: my-trail-bucket
      IsLogging: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
"""

# The rules of issue 2 (the core chain); later issues add more IDs that these tests leave out.
CORE_RULES = {"ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "WT1007", "ET1008"}
# The hygiene rules of the trail's own log group, role and settings (issue 4).
HYGIENE_RULES = {"WT2001", "WT2002", "WT2003", "WT2004", "WT2005", "IT2006"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def scripted_template(*trails: tuple[str, list[str]]) -> str:
    """A template whose trails carry `Metadata: {scripted: [RULE, ...]}` for :func:`scripted_engine`."""
    lines = ["Resources:"]
    for name, rules in trails:
        lines += [f"  {name}:", "    Type: AWS::CloudTrail::Trail",
                  f"    Metadata: {{scripted: [{', '.join(rules)}]}}",
                  "    Properties:", "      S3BucketName: my-trail-bucket", "      IsLogging: true"]
    return "\n".join(lines) + "\n"
