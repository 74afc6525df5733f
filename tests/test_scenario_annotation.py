"""A finding names only the assumptions its verdict depends on (issue 11, item 4).

The analysis threads one scenario through the whole chain, so by the time a finding is made the
scenario also holds choices made for other links (the log group's name, the bucket's prefix).
The annotation in the message, the JSON and SARIF ``scenario`` and cfn-lint's message list only
the conditions and parameters on the path to the decisive value; an assumption that holds in
every deployment (a parameter with no Default and no AllowedValues is always "a value not
listed") is left out; the evidence keeps the whole path ("Assumptions: ...").
"""

from __future__ import annotations

import json

from cfn_trailwatch.cli import main

from helpers import write
from test_cfnlint_plugin import cfn_lint

# The group's name depends on three parameters and a condition, the bucket and role on a fourth
# parameter with no Default; the retention (30 days) on none of them.
TEMPLATE = """\
Parameters:
  UseAutoSuffix: {Type: String, AllowedValues: ['true', 'false'], Default: 'true'}
  RandomSuffix: {Type: String, Default: auto}
  TrailName: {Type: String, Default: organization-cloudtrail}
  Prefix: {Type: String}
  IsOrg: {Type: String, Default: 'false'}
Conditions:
  Auto: !Equals [!Ref UseAutoSuffix, 'true']
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      TrailName: !Ref TrailName
      IsLogging: true
      IsOrganizationTrail: !Ref IsOrg
      S3BucketName: !Sub ${Prefix}-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !If [Auto, !Sub "/aws/cloudtrail/${TrailName}-${RandomSuffix}", !Sub "/aws/cloudtrail/${TrailName}"]
      RetentionInDays: 30
      KmsKeyId: k
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub ${Prefix}-role
      AssumeRolePolicyDocument:
        Statement: {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              Effect: Allow
              Action: [logs:CreateLogStream, logs:PutLogEvents]
              Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}:log-stream:${AWS::AccountId}_CloudTrail_${AWS::Region}*
"""
RETENTION = ("Trail Trail: its log group Group keeps events for 30 days, less than the required "
             "365 (min_retention_days)")
ORGANIZATION = ("Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents on the "
                "organization's log streams (o-${organization-id}_*) of "
                "/aws/cloudtrail/organization-cloudtrail-auto (policies followed: inline policy p "
                "of role Role)")


def report(tmp_path, capsys, *args):
    path = write(tmp_path, "t.yaml", TEMPLATE)
    code = main(["--format", "json", *args, str(path)])
    return code, {f["rule"]: f for f in json.loads(capsys.readouterr().out)["findings"]}


def test_a_finding_names_only_what_its_value_depends_on(tmp_path, capsys):
    code, found = report(tmp_path, capsys)
    assert code == 1
    retention = found["WT2001"]
    assert retention["message"] == RETENTION          # nothing about the name's parameters
    assert retention["scenario"] == {}
    assert retention["evidence"][-1] == ("Assumptions: Auto=true, RandomSuffix='auto', "
                                         "TrailName='organization-cloudtrail', UseAutoSuffix='true'")
    # the streams depend on the group's name and on IsOrg; never on Prefix (bucket and role
    # name), which is "a value not listed" in every deployment anyway
    grants = found["ET1006"]
    assert grants["message"] == (ORGANIZATION + " [when Auto=true, IsOrg='true', RandomSuffix='auto', "
                                 "TrailName='organization-cloudtrail', UseAutoSuffix='true']")
    assert grants["scenario"] == {"Auto": True, "IsOrg": "true", "RandomSuffix": "auto",
                                  "TrailName": "organization-cloudtrail", "UseAutoSuffix": "true"}
    assert "Prefix" in grants["evidence"][-1]


def test_the_text_report_and_cfn_lint_say_the_same(tmp_path, capsys):
    path = write(tmp_path, "t.yaml", TEMPLATE)
    assert main([str(path)]) == 1
    text = capsys.readouterr().out
    assert f"{path}:18:7: WT2001 {RETENTION}\n" in text
    assert "Prefix" not in text
    _, matches, _ = cfn_lint("--", path)
    messages = {rule: message for rule, _, _, message in matches if rule in ("WT2001", "ET1006")}
    assert messages["WT2001"] == RETENTION
    assert messages["ET1006"].startswith(ORGANIZATION + " [when Auto=true, IsOrg='true'")
    assert "Prefix" not in messages["ET1006"]


def test_sarif_fingerprints_do_not_change_with_the_annotation(tmp_path, capsys):
    # With IsOrg given, ET1006 holds with fewer assumptions and its message changes; the
    # finding is the same, and so is its fingerprint (code scanning keeps one alert).
    path = write(tmp_path, "t.yaml", TEMPLATE)

    def sarif(*args):
        main(["--format", "sarif", *args, str(path)])
        results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
        return {r["ruleId"]: (r["message"]["text"], r["partialFingerprints"]) for r in results}

    loose, given = sarif(), sarif("--parameters", "IsOrg=true", "UseAutoSuffix=false", "TrailName=t")
    assert loose["ET1006"][0] != given["ET1006"][0]
    assert "[when" not in given["ET1006"][0]
    for rule in ("ET1006", "WT2001"):
        assert loose[rule][1] == given[rule][1]
