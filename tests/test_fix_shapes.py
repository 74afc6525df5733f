"""``--fix`` on the shapes a valid template can take (issue 11, item 6): the two failures issue 11
reports, as exact regressions through the command line, and layouts that are kept.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from cfn_trailwatch import fix, load, trail
from cfn_trailwatch.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def ref(name: str) -> dict:
    return {"Ref": name}


def getatt(name: str, attribute: str = "Arn") -> dict:
    return {"Fn::GetAtt": [name, attribute]}


def findings(text: str) -> dict[tuple[str, str], str]:
    document = load.load_text(text, "t")
    return {(f.rule, f.resource): f.message for f in trail.analyse(document.data).findings}


@contextlib.contextmanager
def cwd(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def as_json(text: str, indent: int = 2) -> str:
    return json.dumps(load.load_text(text, "t.yaml").data, indent=indent) + "\n"


def fix_and_diff(tmp_path: Path, name: str, text: str) -> tuple[tuple, tuple, str]:
    """(code, out, err) of --diff and of --fix on ``text`` as ``name``, and the file after."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    with cwd(tmp_path):
        by_diff = run_cli("--diff", name)
        assert path.read_bytes() == text.encode("utf-8")
        by_fix = run_cli("--fix", name)
    return by_diff, by_fix, path.read_bytes().decode("utf-8")


# --------------------------------------------------------------------------------------------------
# The two failures reported in issue 11
# --------------------------------------------------------------------------------------------------

# A log group and a role that would do, and a trail linked to neither.
LINKABLE = """\
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: Deliver
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt Group.Arn
  Trail:
    Type: AWS::CloudTrail::Trail
"""
FIXED_LINES = """\
t.{suffix}:{at}: ET1001 fixed (trail Trail): CloudWatchLogsLogGroupArn: !GetAtt Group.Arn: \
log group Group, the one the trail's role may write to
t.{suffix}:{at}: ET1002 fixed (trail Trail): CloudWatchLogsRoleArn: !GetAtt Role.Arn: role \
Role, the one role of the template that trusts cloudtrail.amazonaws.com
t.{suffix}:{at}: WT2004 fixed (trail Trail): set EnableLogFileValidation of Trail to true
t.{suffix}: {written} (3 findings fixed)
"""
REPORT = """\
t.{suffix}:{group}: WT2002 Trail Trail: its log group Group has no KmsKeyId: the audit records in \
CloudWatch Logs are not encrypted with a customer managed KMS key
1 finding (1 warning) in 1 template, 1 trail
"""


# Issue 11: "the fixed template would not be valid: invalid JSON: Expecting ',' delimiter" (the
# same in YAML): each new key went into the empty mapping with no separator before the next.
def test_issue_11_a_yaml_trail_with_empty_properties_is_fixed(tmp_path):
    text = LINKABLE + "    Properties: {}   # to do\n"
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.yaml", text)
    assert (code_d, code, err) == (0, 0, "")
    assert diff == """\
--- a/t.yaml
+++ b/t.yaml
@@ -22,4 +22,7 @@
                 Resource: !GetAtt Group.Arn
   Trail:
     Type: AWS::CloudTrail::Trail
-    Properties: {}   # to do
+    Properties:   # to do
+      EnableLogFileValidation: true
+      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
+      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""
    assert err_d == FIXED_LINES.format(suffix="yaml", at="25:5", written="would be written")
    assert out == (FIXED_LINES.format(suffix="yaml", at="25:5", written="written")
                   + REPORT.format(suffix="yaml", group="27:7"))
    assert result == LINKABLE + """\
    Properties:   # to do
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""


def test_issue_11_a_json_trail_with_empty_properties_is_fixed(tmp_path):
    text = as_json(LINKABLE + "    Properties: {}\n")
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.json", text)
    assert (code_d, code, err) == (0, 0, "")
    assert diff == """\
--- a/t.json
+++ b/t.json
@@ -48,7 +48,21 @@
     },
     "Trail": {
       "Type": "AWS::CloudTrail::Trail",
-      "Properties": {}
+      "Properties": {
+        "EnableLogFileValidation": true,
+        "CloudWatchLogsLogGroupArn": {
+          "Fn::GetAtt": [
+            "Group",
+            "Arn"
+          ]
+        },
+        "CloudWatchLogsRoleArn": {
+          "Fn::GetAtt": [
+            "Role",
+            "Arn"
+          ]
+        }
+      }
     }
   }
 }
"""
    assert err_d == FIXED_LINES.format(suffix="json", at="51:7", written="would be written")
    assert out == (FIXED_LINES.format(suffix="json", at="51:7", written="written")
                   + REPORT.format(suffix="json", group="53:9"))
    assert json.loads(result)["Resources"]["Trail"]["Properties"] == {
        "EnableLogFileValidation": True, "CloudWatchLogsLogGroupArn": getatt("Group"),
        "CloudWatchLogsRoleArn": getatt("Role")}


# Issue 11: "internal error while fixing: KeyError: 'Properties'".
def test_issue_11_a_yaml_trail_without_properties_is_fixed(tmp_path):
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.yaml", LINKABLE)
    assert (code_d, code, err) == (0, 0, "")
    assert diff == """\
--- a/t.yaml
+++ b/t.yaml
@@ -22,3 +22,7 @@
                 Resource: !GetAtt Group.Arn
   Trail:
     Type: AWS::CloudTrail::Trail
+    Properties:
+      EnableLogFileValidation: true
+      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
+      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""
    assert err_d == FIXED_LINES.format(suffix="yaml", at="23:3", written="would be written")
    assert out == (FIXED_LINES.format(suffix="yaml", at="23:3", written="written")
                   + REPORT.format(suffix="yaml", group="27:7"))
    assert result == LINKABLE + """\
    Properties:
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""


def test_issue_11_a_json_trail_without_properties_is_fixed(tmp_path):
    text = as_json(LINKABLE, indent=4).replace("\n", "\r\n")
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.json", text)
    assert (code_d, code, err) == (0, 0, "")
    assert err_d == FIXED_LINES.format(suffix="json", at="49:9", written="would be written")
    assert out == (FIXED_LINES.format(suffix="json", at="49:9", written="written")
                   + REPORT.format(suffix="json", group="52:17"))
    # a new member goes in before the last one, on lines of its own: no existing line changes
    assert result == text.replace('\r\n            "Type": "AWS::CloudTrail::Trail"', """
            "Properties": {
                "EnableLogFileValidation": true,
                "CloudWatchLogsLogGroupArn": {
                    "Fn::GetAtt": [
                        "Group",
                        "Arn"
                    ]
                },
                "CloudWatchLogsRoleArn": {
                    "Fn::GetAtt": [
                        "Role",
                        "Arn"
                    ]
                }
            },
            "Type": "AWS::CloudTrail::Trail\"""".replace("\n", "\r\n"))


@pytest.mark.parametrize("properties", ["Properties: {}", "Properties: { }", None])
def test_a_bare_trail_gets_a_new_log_group_and_role(tmp_path, properties):
    text = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"
    text += f"    {properties}\n" if properties else ""
    (code_d, _, _), (code, out, _), result = fix_and_diff(tmp_path, "t.yaml", text)
    assert code_d == code == 0 and "t.yaml: written (3 findings fixed)" in out
    data = load.load_text(result, "t.yaml").data["Resources"]
    assert list(data) == ["Trail", "TrailLogGroup", "TrailLogsRole"]
    assert data["Trail"]["Properties"] == {
        "EnableLogFileValidation": True, "CloudWatchLogsLogGroupArn": getatt("TrailLogGroup"),
        "CloudWatchLogsRoleArn": getatt("TrailLogsRole")}
    assert result.startswith("Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"
                             "    Properties:\n      EnableLogFileValidation: true\n")


def test_an_empty_mapping_in_flow_style_stays_in_flow_style():
    text = "Resources: {Trail: {Type: AWS::CloudTrail::Trail, Properties: {}}}\n"
    result = fix.fix_text(text, "t.yaml")
    assert result.text == (
        "Resources: {Trail: {Type: AWS::CloudTrail::Trail, Properties: {EnableLogFileValidation: "
        "true, CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn, CloudWatchLogsRoleArn: "
        "!GetAtt TrailLogsRole.Arn}}, TrailLogGroup: {Type: 'AWS::Logs::LogGroup', "
        "DeletionPolicy: Retain, UpdateReplacePolicy: Retain, Properties: {RetentionInDays: "
        "365}}, TrailLogsRole: {Type: 'AWS::IAM::Role', Properties: "
        "{AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
        "Principal: {Service: cloudtrail.amazonaws.com}, Action: 'sts:AssumeRole', Condition: "
        "{StringEquals: {'aws:SourceAccount': !Ref 'AWS::AccountId'}, ArnLike: "
        "{'aws:SourceArn': !Sub 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:"
        "${AWS::AccountId}:trail/*'}}}]}, Policies: [{PolicyName: CloudTrailToCloudWatchLogs, "
        "PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: "
        "['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: !Sub 'arn:${AWS::Partition}:"
        "logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogGroup}:log-stream:"
        "${AWS::AccountId}_CloudTrail_${AWS::Region}*'}]}}]}}}\n")


# --------------------------------------------------------------------------------------------------
# The layout a value had is kept
# --------------------------------------------------------------------------------------------------

def test_a_value_on_one_line_of_json_stays_on_one_line():
    """A replaced JSON value was written over several lines even in a one-line file."""
    text = json.dumps(load.load_text(LINKABLE + "    Properties: {CloudWatchLogsLogGroupArn: "
                                     "!Ref Group, CloudWatchLogsRoleArn: !GetAtt Role.Arn, "
                                     "IsLogging: true, EnableLogFileValidation: true}\n",
                                     "t.yaml").data)
    result = fix.fix_text(text, "t.json")
    assert result.text == text.replace('"CloudWatchLogsLogGroupArn": {"Ref": "Group"}',
                                       '"CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["Group", '
                                       '"Arn"]}')


def test_a_flow_mapping_written_one_entry_a_line_gets_lines_of_its_own():
    text = LINKABLE + "    Properties: {\n      IsLogging: true   # on\n    }\n"
    result = fix.fix_text(text, "t.yaml")
    assert result.text == LINKABLE + """\
    Properties: {
      IsLogging: true,   # on
      EnableLogFileValidation: true,
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn,
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
    }
"""


# --------------------------------------------------------------------------------------------------
# Two trails, one role: what they need goes in together
# --------------------------------------------------------------------------------------------------

SHARED_ROLE = """\
Resources:
  Group:
    Type: AWS::Logs::LogGroup
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: bucket
      IsLogging: true
      EnableLogFileValidation: true
      TrailName: audit
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
  Backup:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: bucket
      IsLogging: true
      EnableLogFileValidation: true
      TrailName: backup
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""

NEW_STATEMENT = """\
          - Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
              ArnLike:
                aws:SourceArn: !Sub arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:${{AWS::AccountId}}:trail/{name}
"""


def test_two_trails_sharing_a_role_give_it_one_policies_key():
    """Each trail's trust statement and grant went in at the end of the role on its own, so
    the second trail's statement landed inside the first one's new Policies: invalid YAML."""
    result = fix.fix_text(SHARED_ROLE, "t.yaml")
    assert result.text == SHARED_ROLE.replace("  Trail:\n", (
        NEW_STATEMENT.format(name="audit") + NEW_STATEMENT.format(name="backup") + """\
      Policies:
        - PolicyName: CloudTrailToCloudWatchLogs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - logs:CreateLogStream
                  - logs:PutLogEvents
                Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}:log-stream:${AWS::AccountId}_CloudTrail_${AWS::Region}*
  Trail:
"""))
    assert {(c.rule, c.trail, c.fixed) for c in result.changes if c.rule != "WT2002"} == {
        (rule, trail_id, True) for rule in ("ET1005", "ET1006") for trail_id in ("Trail", "Backup")}


def test_two_grants_go_into_one_empty_list():
    """Two trails with their own log groups, one role with ``Policies: []``: both grants went in
    at the same place, with no separator between them."""
    text = SHARED_ROLE.replace("            Principal: {Service: ec2.amazonaws.com}",
                               "            Principal: {Service: cloudtrail.amazonaws.com}")
    text = text.replace("            Action: sts:AssumeRole\n",
                        "            Action: sts:AssumeRole\n      Policies: []   # none yet\n")
    text = text.replace("  Role:\n", "  Group2:\n    Type: AWS::Logs::LogGroup\n  Role:\n")
    text = text.replace("TrailName: backup\n      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn",
                        "TrailName: backup\n      CloudWatchLogsLogGroupArn: !GetAtt Group2.Arn")
    for shaped, suffix in ((text, ".yaml"), (as_json(text), ".json")):
        result = fix.fix_text(shaped, "t" + suffix)
        assert result.changed, result.reason
        policies = load.load_text(result.text, "t").data["Resources"]["Role"]["Properties"][
            "Policies"]
        assert [(p["PolicyName"], p["PolicyDocument"]["Statement"][0]["Resource"]["Fn::Sub"]
                 .split(":log-group:")[1]) for p in policies] == [
            ("CloudTrailToCloudWatchLogs", "${Group}:log-stream:${AWS::AccountId}_CloudTrail_"
                                           "${AWS::Region}*"),
            ("CloudTrailToCloudWatchLogs2", "${Group2}:log-stream:${AWS::AccountId}_CloudTrail_"
                                            "${AWS::Region}*")]
        assert not findings(result.text).keys() & {("ET1006", "Trail"), ("ET1006", "Backup")}
    assert "      Policies:   # none yet\n        - PolicyName: CloudTrailToCloudWatchLogs\n" \
        in fix.fix_text(text, "t.yaml").text


# --------------------------------------------------------------------------------------------------
# A refusal says why a person must act
# --------------------------------------------------------------------------------------------------

def test_a_refusal_for_a_new_finding_says_why_a_person_must_act():
    """Linking the trail to the one role that trusts CloudTrail brings up that role's Deny:
    the refusal named the new finding but not the Deny that makes it a person's call."""
    text = LINKABLE.replace("                Resource: !GetAtt Group.Arn\n", """\
                Resource: !GetAtt Group.Arn
              - Effect: Deny
                Action: logs:PutLogEvents
                Resource: '*'
""") + "    Properties:\n      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn\n"
    result = fix.fix_text(text, "t.yaml")
    assert not result.changed
    assert result.reason == (
        "the fixed template would give ET1006: Trail Trail: role Role may not logs:PutLogEvents "
        "on the log streams of the generated name of Group (policies followed: inline policy "
        "Deliver of role Role); role Role is denied logs:PutLogEvents by inline policy Deliver "
        "of role Role, Statement[1]: a Deny is never removed automatically; decide whether it "
        "should apply to CloudTrail")
