"""WT2001 with a retention parameter that may take a value the template does not list: the value
followed is the longest retention CloudWatch Logs accepts that is still too short, within the
parameter's MinValue and MaxValue.

Written against survivors of the mutation run (docs/testing.md) in the table of accepted values."""

from __future__ import annotations

import pytest

from cfn_trailwatch import hygiene, trail
from cfn_trailwatch.load import load_text

# The values CloudWatch Logs accepts for RetentionInDays (AWS::Logs::LogGroup).
ACCEPTED = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
            2557, 2922, 3288, 3653]


@pytest.mark.parametrize("shorter, minimum", list(zip(ACCEPTED, ACCEPTED[1:])))
def test_the_longest_accepted_value_below_the_minimum(shorter, minimum):
    assert hygiene._short_retention({}, minimum) == shorter
    assert hygiene._short_retention({}, minimum + 1) == minimum


def test_nothing_accepted_is_shorter_than_one_day():
    assert hygiene._short_retention({}, 1) is None
    assert hygiene._short_retention(None, 0) is None


@pytest.mark.parametrize("definition, minimum, days", [
    ({"MinValue": 200}, 365, None),           # 180 is below MinValue: nothing too short fits
    ({"MinValue": 180}, 365, 180),
    ({"MaxValue": 100}, 365, 90),
    ({"MaxValue": "100"}, 365, 90),           # CloudFormation writes numbers as strings too
    ({"MinValue": 5, "MaxValue": 6}, 365, 5),
    ({"MinValue": True, "MaxValue": "many"}, 365, 180),   # not numbers: no bound
])
def test_min_value_and_max_value_bound_the_choice(definition, minimum, days):
    assert hygiene._short_retention(definition, minimum) == days


TEMPLATE = """\
Parameters:
  Days: {{Type: Number, Default: 3653{bounds}}}
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !Ref Days
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/k
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: cloudtrail.amazonaws.com}}, Action: sts:AssumeRole}}
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
"""


def findings(bounds: str = "", minimum: int | None = None):
    options = {"WT2001": {"min_retention_days": minimum}} if minimum else {}
    result = trail.analyse(load_text(TEMPLATE.format(bounds=bounds), "t.yaml").data,
                           trail.Options(rule_options=options))
    assert result.errors == []
    return [f for f in result.findings if f.rule == "WT2001"]


@pytest.mark.parametrize("bounds, minimum, days", [
    ("", None, 180), ("", 2, 1), ("", 30, 14), (", MaxValue: 100", None, 90),
])
def test_an_unlisted_retention_is_followed_with_the_value_that_fails(bounds, minimum, days):
    [finding] = findings(bounds, minimum)
    required = minimum or 365
    assert finding.rule == "WT2001"
    assert finding.message == (f"Trail Trail: its log group TrailLogs keeps events for {days} days, "
                               f"less than the required {required} (min_retention_days) "
                               f"[when Days='{days}']")
    assert finding.scenario_dict() == {"Days": str(days)}


@pytest.mark.parametrize("bounds, minimum", [(", MinValue: 200", None), ("", 1)])
def test_no_finding_when_no_accepted_value_is_too_short(bounds, minimum):
    assert findings(bounds, minimum) == []
