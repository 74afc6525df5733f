"""``--fix`` on every textual shape a valid template can take (issue 11, item 6).

First the two failures issue 11 reports and what the property tests found since, as exact
regressions through the command line; then the property tests.

The same failing trails (no log group or role, ``!Ref`` where ``!GetAtt`` is needed, a trust
without CloudTrail, a missing grant, ``IsLogging: false``, no log file validation, a short
retention, a single-region trail or one without global service events…, beside a Deny, a permissions boundary or a parameter) are written in many shapes:
YAML block and flow mappings and sequences (``{}``, ``[]``, ``{A: 1}`` inline, flow one entry a
line), short and long intrinsic forms, ``---``, ``...`` and ``%YAML`` lines, comments on, above
and after the lines where text goes in, block scalars, blank lines, CRLF, indentation of 2 or 4,
sequences indented or not; JSON pretty (2 or 4 spaces, a tab), on one line, partly on one line,
CRLF, with or without a final line break; a trail whose ``Properties`` is ``{}`` or missing,
first or last, Resources in flow style, two trails sharing a role. Every fail fixture is also
rewritten in these shapes.

The invariant, per example: ``--diff`` and ``--fix`` exit 0 or 1 with no internal error; the file
is written when something was fixed, and ``patch -p1`` of the diff gives the same bytes; the
result is read by our loader and by cfn-lint's, to the same data; analysing it again gives none
of the findings that were fixed and no finding that was not there before (bar the hygiene
findings a new link brings to light, as ``fix`` documents); comments outside the replaced values
and the line breaks stay. A finding is left "not fixed" only for the reasons a person must act
today: a Deny, a permissions boundary, a parameter, an import or another value known only at
deployment, a KMS key or another choice of the rules without an automatic fix. A reshaped
fixture gives exactly what the fixture as written gives.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfn_trailwatch import fix, load, trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.suppress import inline_suppression

CI = settings(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])


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
    """What the command line reports: a finding suppressed in the template's Metadata is not."""
    document = load.load_text(text, "t")
    return {(f.rule, f.resource): f.message for f in trail.analyse(document.data).findings
            if inline_suppression(document.data, f) is None}


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
t.{suffix}:{at}: WT2007 fixed (trail Trail): set IsMultiRegionTrail of Trail to true
t.{suffix}: {written} (4 findings fixed)
"""
REPORT = """\
t.{suffix}:{group}: IT2009 Trail Trail: nothing alerts when its delivery stops: no \
AWS::CloudWatch::Alarm in the template watches the IncomingLogEvents metric (AWS/Logs) of its log \
group Group
t.{suffix}:{group}: WT2002 Trail Trail: its log group Group has no KmsKeyId: the audit records in \
CloudWatch Logs are not encrypted with a customer managed KMS key
2 findings (1 warning, 1 info) in 1 template, 1 trail
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
@@ -22,4 +22,8 @@
                 Resource: !GetAtt Group.Arn
   Trail:
     Type: AWS::CloudTrail::Trail
-    Properties: {}   # to do
+    Properties:   # to do
+      EnableLogFileValidation: true
+      IsMultiRegionTrail: true
+      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
+      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""
    assert err_d == FIXED_LINES.format(suffix="yaml", at="25:5", written="would be written")
    assert out == (FIXED_LINES.format(suffix="yaml", at="25:5", written="written")
                   + REPORT.format(suffix="yaml", group="28:7"))
    assert result == LINKABLE + """\
    Properties:   # to do
      EnableLogFileValidation: true
      IsMultiRegionTrail: true
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
@@ -48,7 +48,22 @@
     },
     "Trail": {
       "Type": "AWS::CloudTrail::Trail",
-      "Properties": {}
+      "Properties": {
+        "EnableLogFileValidation": true,
+        "IsMultiRegionTrail": true,
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
                   + REPORT.format(suffix="json", group="54:9"))
    assert json.loads(result)["Resources"]["Trail"]["Properties"] == {
        "EnableLogFileValidation": True, "IsMultiRegionTrail": True, "CloudWatchLogsLogGroupArn": getatt("Group"),
        "CloudWatchLogsRoleArn": getatt("Role")}


# Issue 11: "internal error while fixing: KeyError: 'Properties'".
def test_issue_11_a_yaml_trail_without_properties_is_fixed(tmp_path):
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.yaml", LINKABLE)
    assert (code_d, code, err) == (0, 0, "")
    assert diff == """\
--- a/t.yaml
+++ b/t.yaml
@@ -22,3 +22,8 @@
                 Resource: !GetAtt Group.Arn
   Trail:
     Type: AWS::CloudTrail::Trail
+    Properties:
+      EnableLogFileValidation: true
+      IsMultiRegionTrail: true
+      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
+      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""
    assert err_d == FIXED_LINES.format(suffix="yaml", at="23:3", written="would be written")
    assert out == (FIXED_LINES.format(suffix="yaml", at="23:3", written="written")
                   + REPORT.format(suffix="yaml", group="28:7"))
    assert result == LINKABLE + """\
    Properties:
      EnableLogFileValidation: true
      IsMultiRegionTrail: true
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""


def test_issue_11_a_json_trail_without_properties_is_fixed(tmp_path):
    text = as_json(LINKABLE, indent=4).replace("\n", "\r\n")
    (code_d, diff, err_d), (code, out, err), result = fix_and_diff(tmp_path, "t.json", text)
    assert (code_d, code, err) == (0, 0, "")
    assert err_d == FIXED_LINES.format(suffix="json", at="49:9", written="would be written")
    assert out == (FIXED_LINES.format(suffix="json", at="49:9", written="written")
                   + REPORT.format(suffix="json", group="53:17"))
    # a new member goes in before the last one, on lines of its own: no existing line changes
    assert result == text.replace('\r\n            "Type": "AWS::CloudTrail::Trail"', """
            "Properties": {
                "EnableLogFileValidation": true,
                "IsMultiRegionTrail": true,
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
    assert code_d == code == 0 and "t.yaml: written (4 findings fixed)" in out
    data = load.load_text(result, "t.yaml").data["Resources"]
    assert list(data) == ["Trail", "TrailLogGroup", "TrailLogsRole"]
    assert data["Trail"]["Properties"] == {
        "EnableLogFileValidation": True, "IsMultiRegionTrail": True, "CloudWatchLogsLogGroupArn": getatt("TrailLogGroup"),
        "CloudWatchLogsRoleArn": getatt("TrailLogsRole")}
    assert result.startswith("Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"
                             "    Properties:\n      EnableLogFileValidation: true\n")


def test_an_empty_mapping_in_flow_style_stays_in_flow_style():
    text = "Resources: {Trail: {Type: AWS::CloudTrail::Trail, Properties: {}}}\n"
    result = fix.fix_text(text, "t.yaml")
    assert result.text == (
        "Resources: {Trail: {Type: AWS::CloudTrail::Trail, Properties: {EnableLogFileValidation: "
        "true, IsMultiRegionTrail: true, CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn, CloudWatchLogsRoleArn: "
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


def test_a_trail_whose_properties_is_null_is_left_alone(tmp_path):
    """``Properties:`` with nothing (cfn-lint's E3012): the trail cannot be linked, and the new
    log group made for it was written all the same, alone ("written (0 findings fixed)")."""
    text = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
    (code_d, diff, err_d), (code, out, _), result = fix_and_diff(tmp_path, "t.yaml", text)
    assert (code_d, code, diff, result) == (1, 1, "", text)
    assert err_d == """\
t.yaml:2:3: ET1001 not fixed (trail Trail): Resources/Trail/Properties is not a mapping
t.yaml:2:3: ET1002 not fixed (trail Trail): the trail's log group is not known here, so a role's \
grant cannot be written for it: fix the log group first
t.yaml:2:3: WT2004 not fixed (trail Trail): Resources/Trail/Properties is not a mapping
t.yaml:2:3: WT2007 not fixed (trail Trail): Resources/Trail/Properties is not a mapping
"""
    assert out.startswith(err_d) and "t.yaml: written" not in out


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
                                       '"Arn"]}').replace(
        '"IsLogging": true, ', '"IsLogging": true, "IsMultiRegionTrail": true, ')


def test_a_flow_mapping_written_one_entry_a_line_gets_lines_of_its_own():
    text = LINKABLE + "    Properties: {\n      IsLogging: true   # on\n    }\n"
    result = fix.fix_text(text, "t.yaml")
    assert result.text == LINKABLE + """\
    Properties: {
      IsLogging: true,   # on
      EnableLogFileValidation: true,
      IsMultiRegionTrail: true,
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
      IsMultiRegionTrail: true
      TrailName: audit
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
  Backup:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: bucket
      IsLogging: true
      EnableLogFileValidation: true
      IsMultiRegionTrail: true
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
    # WT2002 and IT2009 need a person (a key, an alarm's action)
    assert {(c.rule, c.trail, c.fixed) for c in result.changes
            if c.rule not in ("WT2002", "IT2009")} == {
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


# --------------------------------------------------------------------------------------------------
# Failing trails, as data (intrinsics in long form)
# --------------------------------------------------------------------------------------------------

STREAMS = ("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}:"
           "log-stream:${AWS::AccountId}_CloudTrail_${AWS::Region}*")
TRUST = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "sts:AssumeRole"}
EC2_TRUST = {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]},
             "Action": ["sts:AssumeRole"]}


@dataclass(frozen=True)
class Scenario:
    """What is wrong with the trail (each field one way it can fail, or be right)."""

    properties: str = "full"      # full | empty ({}) | absent (no Properties key)
    properties_first: bool = False
    group_link: str = "getatt"    # getatt | absent | ref | sub_name | if_novalue
    group: str = "present"        # present | absent
    role_link: str = "getatt"     # getatt | absent | ref | roleid
    role: str = "present"         # present | absent
    trust: str = "ok"             # ok | ec2 | ec2_single_list
    grant: str = "ok"             # ok | partial | none | empty (Policies: [])
    logging: str = "true"         # true | false | absent | parameter (a person must act)
    validation: str = "true"      # true | false | absent
    retention: str = "365"        # 365 | 30 | if (!If [C, 731, 7]) | absent | parameter
    # IsMultiRegionTrail and IncludeGlobalServiceEvents (WT2007): absent | true | false |
    # global_false (multi-region without global events) | both_false | if (!If [C, true, false])
    # | parameter (may be false: a person must act) | import (known only at deployment)
    regions: str = "absent"
    deny: bool = False            # a Deny of logs:PutLogEvents beside the grant
    boundary: bool = False        # a permissions boundary without logs:PutLogEvents
    trail_name: bool = False
    trail_last: bool = True       # the trail after the log group and role, or before them
    extra_keys: bool = False      # DependsOn and Metadata on the trail
    second_trail: bool = False    # a second trail, the same, sharing the log group and role

    def template(self) -> dict:
        resources: dict[str, Any] = {}
        parameters: dict[str, Any] = {}
        conditions: dict[str, Any] = {}
        resources["Bucket"] = {"Type": "AWS::S3::Bucket"}
        group_ok = self.group == "present"
        role_ok = self.role == "present"
        group = {"Type": "AWS::Logs::LogGroup"}
        if self.retention != "absent":
            days: Any = {"365": 365, "30": 30}.get(self.retention)
            if self.retention == "if":
                parameters["Env"] = {"Type": "String", "AllowedValues": ["prod", "test"],
                                     "Default": "test"}
                conditions["IsProd"] = {"Fn::Equals": [ref("Env"), "prod"]}
                days = {"Fn::If": ["IsProd", 731, 7]}
            elif self.retention == "parameter":
                parameters["Days"] = {"Type": "Number", "AllowedValues": [7, 30], "Default": 7}
                days = ref("Days")
            group["Properties"] = {"RetentionInDays": days}
        role_properties: dict[str, Any] = {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": {"ok": [TRUST], "ec2": [EC2_TRUST], "ec2_single_list": [EC2_TRUST]}
            [self.trust]}}
        statements: list[dict] = []
        target = {"Fn::Sub": STREAMS} if group_ok else "*"
        if self.grant == "ok":
            statements.append({"Effect": "Allow", "Resource": target,
                               "Action": ["logs:CreateLogStream", "logs:PutLogEvents"]})
        elif self.grant == "partial":
            statements.append({"Effect": "Allow", "Action": "logs:CreateLogStream",
                               "Resource": target})
        if self.deny:
            statements.append({"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"})
        if statements:
            role_properties["Policies"] = [{"PolicyName": "Deliver", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements}}]
        elif self.grant == "empty":
            role_properties["Policies"] = []
        if self.boundary:
            role_properties["PermissionsBoundary"] = ref("Boundary")
        properties: dict[str, Any] = {"S3BucketName": ref("Bucket")}
        if self.logging == "parameter":
            parameters["Logging"] = {"Type": "String", "AllowedValues": ["true", "false"],
                                     "Default": "false"}
            properties["IsLogging"] = ref("Logging")
        elif self.logging != "absent":
            properties["IsLogging"] = self.logging == "true"
        if self.validation != "absent":
            properties["EnableLogFileValidation"] = self.validation == "true"
        if self.trail_name:
            properties["TrailName"] = "audit"
        if self.regions == "if" and "IsProd" not in conditions:
            parameters["Env"] = {"Type": "String", "AllowedValues": ["prod", "test"],
                                 "Default": "test"}
            conditions["IsProd"] = {"Fn::Equals": [ref("Env"), "prod"]}
        if self.regions == "parameter":
            parameters["MultiRegion"] = {"Type": "String", "AllowedValues": ["true", "false"],
                                         "Default": "true"}
        multi = {"true": True, "false": False, "global_false": True, "both_false": False,
                 "if": {"Fn::If": ["IsProd", True, False]}, "parameter": ref("MultiRegion"),
                 "import": {"Fn::ImportValue": "org-multi-region"}}.get(self.regions)
        if multi is not None:
            properties["IsMultiRegionTrail"] = multi
        if self.regions in ("global_false", "both_false"):
            properties["IncludeGlobalServiceEvents"] = False
        link = {"getatt": getatt("Group"), "ref": ref("Group"),
                "sub_name": {"Fn::Sub": "${Group}"},
                "if_novalue": {"Fn::If": ["IsProd", getatt("Group"), ref("AWS::NoValue")]}
                }.get(self.group_link) if group_ok else None
        if self.group_link == "if_novalue" and group_ok and "IsProd" not in conditions:
            parameters["Env"] = {"Type": "String", "AllowedValues": ["prod", "test"],
                                 "Default": "test"}
            conditions["IsProd"] = {"Fn::Equals": [ref("Env"), "prod"]}
        if link is not None:
            properties["CloudWatchLogsLogGroupArn"] = link
        role_link = {"getatt": getatt("Role"), "ref": ref("Role"),
                     "roleid": getatt("Role", "RoleId")}.get(self.role_link) if role_ok else None
        if role_link is not None:
            properties["CloudWatchLogsRoleArn"] = role_link
        trail_resource: dict[str, Any] = {}
        if self.extra_keys:
            trail_resource["DependsOn"] = ["Bucket"]
        body = {"full": properties, "empty": {}, "absent": None}[self.properties]
        if body is not None and self.properties_first:
            trail_resource = {"Properties": body, **trail_resource}
        trail_resource["Type"] = "AWS::CloudTrail::Trail"
        if self.extra_keys:
            trail_resource["Metadata"] = {"Owner": "security"}
        if body is not None and not self.properties_first:
            trail_resource["Properties"] = body
        others: dict[str, Any] = {}
        if group_ok:
            others["Group"] = group
        if role_ok:
            others["Role"] = {"Type": "AWS::IAM::Role", "Properties": role_properties}
        if self.boundary:
            others["Boundary"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream"], "Resource": "*"}]}}}
        if self.trail_last:
            resources.update(others)
            resources["Trail"] = trail_resource
        else:
            resources["Trail"] = trail_resource
            resources.update(others)
        if self.second_trail:
            resources["Backup"] = json.loads(json.dumps(trail_resource))
        template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
        if parameters:
            template["Parameters"] = parameters
        if conditions:
            template["Conditions"] = conditions
        template["Resources"] = resources
        return template


@st.composite
def scenarios(draw) -> Scenario:
    properties = draw(st.sampled_from(["full", "full", "empty", "absent"]))
    group = draw(st.sampled_from(["present", "present", "absent"]))
    role = draw(st.sampled_from(["present", "present", "absent"]))
    return Scenario(
        properties=properties,
        properties_first=draw(st.booleans()),
        group=group,
        group_link=draw(st.sampled_from(["getatt", "absent", "ref", "sub_name", "if_novalue"])),
        role=role,
        role_link=draw(st.sampled_from(["getatt", "absent", "ref", "roleid"])),
        trust=draw(st.sampled_from(["ok", "ok", "ec2", "ec2_single_list"])),
        grant=draw(st.sampled_from(["ok", "ok", "partial", "none", "empty"])),
        logging=draw(st.sampled_from(["true", "false", "false", "absent", "parameter"])),
        validation=draw(st.sampled_from(["true", "false", "absent"])),
        retention=draw(st.sampled_from(["365", "30", "30", "if", "absent", "parameter"])),
        regions=draw(st.sampled_from(["absent", "true", "false", "global_false", "both_false",
                                      "if", "parameter", "import"])),
        deny=draw(st.sampled_from([False, False, False, True])),
        boundary=draw(st.sampled_from([False, False, False, True])),
        trail_name=draw(st.booleans()),
        trail_last=draw(st.booleans()),
        extra_keys=draw(st.booleans()),
        second_trail=draw(st.sampled_from([False, False, False, True])),
    )


# --------------------------------------------------------------------------------------------------
# Shapes: the same data written in many ways
# --------------------------------------------------------------------------------------------------

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_PLAIN = re.compile(r"[A-Za-z/](?:[A-Za-z0-9_./:*-]*[A-Za-z0-9_./*-])?")
_SHORT = {"Ref": "Ref", "Fn::GetAtt": "GetAtt", "Fn::Sub": "Sub", "Fn::If": "If",
          "Fn::Equals": "Equals", "Fn::Join": "Join"}


@dataclass(frozen=True)
class YamlShape:
    indent: int = 2                 # 2 or 4
    short: bool = True              # !Ref X, or Ref: X
    flow: float = 0.0               # chance that a collection is written in flow style
    flow_resources: bool = False    # Resources: {Trail: {...}, ...}
    multiline_flow: bool = False    # a flow mapping of a block one, one entry a line
    indent_sequences: bool = True   # "- " under the key's indentation, or at the key's column
    comments: float = 0.0           # chance of a comment after a line / between entries
    start: str = ""                 # "", "---", "--- # comment", "%YAML 1.1" and "---"
    block_scalars: bool = False     # TrailName and Sub texts as ">-" / "|-" block scalars
    blank_lines: bool = False       # a blank line between sections and between resources
    dash_alone: bool = False        # "-" on a line of its own before a mapping in a sequence
    end: bool = False               # "..." after the document
    crlf: bool = False
    final_newline: bool = True
    quote: float = 0.3              # chance that a plain-safe string is quoted anyway
    seed: int = 0

    def render(self, data: Any) -> str:
        return _YamlWriter(self).document(data)


class _YamlWriter:
    def __init__(self, shape: YamlShape) -> None:
        self.shape = shape
        self.rng = random.Random(shape.seed)

    def chance(self, p: float) -> bool:
        return p > 0 and self.rng.random() < p

    def comment(self) -> str:
        return "   # note" if self.chance(self.shape.comments) else ""

    def document(self, data: dict) -> str:
        lines: list[str] = []
        if self.shape.start:
            lines.extend(self.shape.start.split("\n"))
        for index, (key, value) in enumerate(data.items()):
            if index and self.shape.blank_lines:
                lines.append("")
            if key == "Resources" and self.shape.flow_resources:
                if self.shape.multiline_flow:
                    lines.append("Resources: {" + self.comment())
                    items = [f"{' ' * self.shape.indent}{key}: {self.flow(item)}"
                             for key, item in value.items()]
                    lines.extend(item + ("," if i < len(items) - 1 else "")
                                 for i, item in enumerate(items))
                    lines.append("}")
                else:
                    lines.append(f"Resources: {self.flow(value)}" + self.comment())
                continue
            lines.extend(self.entry(key, value, 0))
        if self.chance(self.shape.comments):
            lines.append("# the end")
        if self.shape.end:
            lines.append("...")
        newline = "\r\n" if self.shape.crlf else "\n"
        return newline.join(lines) + (newline if self.shape.final_newline else "")

    # -- scalars and flow ---------------------------------------------------------------------------

    def scalar(self, value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        text = str(value)
        if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS \
                and not self.chance(self.shape.quote):
            return text
        if self.rng.random() < 0.5:
            return "'" + text.replace("'", "''") + "'"
        return json.dumps(text)

    def tag(self, value: Any) -> tuple[str, Any] | None:
        """(short tag, argument) when ``value`` is an intrinsic written in short form."""
        if self.shape.short and isinstance(value, dict) and len(value) == 1:
            (key, argument), = value.items()
            if key in _SHORT:
                if key == "Fn::GetAtt" and isinstance(argument, list) and self.shape.seed % 5:
                    argument = ".".join(argument)
                return "!" + _SHORT[key], argument
        return None

    def flow(self, value: Any) -> str:
        tagged = self.tag(value)
        if tagged is not None:
            name, argument = tagged
            return f"{name} {self.flow(argument)}"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.scalar(k)}: {self.flow(v)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.flow(v) for v in value) + "]"
        return self.scalar(value)

    # -- block --------------------------------------------------------------------------------------

    def inline(self, value: Any) -> str | None:
        """``value`` on the key's own line, or None when it goes on the lines below."""
        tagged = self.tag(value)
        if tagged is not None:
            name, argument = tagged
            if isinstance(argument, (dict, list)) and argument and not self.chance(0.5):
                return None
            return f"{name} {self.flow(argument)}"
        if not isinstance(value, (dict, list)):
            return self.scalar(value)
        if not value or self.chance(self.shape.flow):
            return self.flow(value)
        return None

    def entry(self, key: str, value: Any, column: int) -> list[str]:
        pad = " " * column
        lines = []
        if self.chance(self.shape.comments / 2):
            lines.append(pad + "# about " + key)
        tagged = self.tag(value)
        text = value if isinstance(value, str) else \
            tagged[1] if tagged and tagged[0] == "!Sub" and isinstance(tagged[1], str) else None
        if text is not None and self.shape.block_scalars and len(text) > 4 and self.chance(0.4):
            head = f"{pad}{self.scalar(key)}: {tagged[0] + ' ' if tagged else ''}"
            return lines + [head + self.rng.choice([">-", "|-"]) + self.comment(),
                            " " * (column + self.shape.indent) + text]
        written = self.inline(value)
        if written is not None:
            return lines + [f"{pad}{self.scalar(key)}: {written}{self.comment()}"]
        if isinstance(value, dict) and self.shape.multiline_flow and self.chance(self.shape.flow):
            inner = " " * (column + self.shape.indent)
            members = [f"{inner}{self.scalar(k)}: {self.flow(v)}" for k, v in value.items()]
            return lines + [f"{pad}{self.scalar(key)}: {{", *[m + "," for m in members[:-1]],
                            members[-1] + self.comment(), f"{pad}}}"]
        head = f"{pad}{self.scalar(key)}:" + (f" {tagged[0]}" if tagged else "")
        lines.append(head + self.comment())
        body = tagged[1] if tagged else value
        if isinstance(body, dict):
            lines += self.mapping(body, column + self.shape.indent)
        else:
            step = self.shape.indent if self.shape.indent_sequences or tagged else 0
            lines += self.sequence(body, column + step)
        return lines

    def mapping(self, value: dict, column: int) -> list[str]:
        lines = []
        for index, (key, item) in enumerate(value.items()):
            if index and column == self.shape.indent and self.shape.blank_lines:
                lines.append("")  # between resources (and between parameters…)
            lines += self.entry(key, item, column)
        if self.chance(self.shape.comments / 2):
            lines.append(" " * column + "# after " + next(reversed(value)))
        return lines

    def sequence(self, value: list, column: int) -> list[str]:
        pad = " " * column
        lines = []
        for item in value:
            written = self.inline(item)
            if written is not None:
                lines.append(f"{pad}- {written}{self.comment()}")
            elif isinstance(item, dict) and not self.tag(item) and not self.shape.dash_alone:
                body = self.mapping(item, column + 2)
                lines.append(f"{pad}- {body[0].lstrip()}")
                lines += body[1:]
            else:
                lines.append(f"{pad}-")
                lines += (self.mapping(item, column + self.shape.indent) if isinstance(item, dict)
                          else self.sequence(item, column + self.shape.indent))
        return lines


@dataclass(frozen=True)
class JsonShape:
    indent: str | None = "  "       # "  ", "    ", "\t", or None: the whole file on one line
    crlf: bool = False
    final_newline: bool = True
    inline_lists: bool = False      # short lists of strings on one line
    space_in_empty: bool = False    # "{ }" rather than "{}"
    compact: bool = False           # one line without spaces after "," and ":"
    loose: bool = False             # a space before ":" too
    flat_below: int | None = None   # values this deep on one line (a resource a line…)

    def render(self, data: Any) -> str:
        newline = "\r\n" if self.crlf else "\n"
        text = self.value(data, "", newline)
        return text + (newline if self.final_newline and self.indent is not None else "")

    def value(self, value: Any, indent: str, newline: str, depth: int = 0) -> str:
        empty = "{ }" if self.space_in_empty else "{}"
        if self.indent is None or self.flat_below is not None and depth >= self.flat_below:
            comma, colon = ("," , ":") if self.compact else (", ", " : " if self.loose else ": ")
            if isinstance(value, dict):
                return "{" + comma.join(json.dumps(k) + colon + self.value(v, indent, newline,
                                                                           depth + 1)
                                        for k, v in value.items()) + "}" if value else empty
            if isinstance(value, list):
                return "[" + comma.join(self.value(v, indent, newline, depth + 1)
                                        for v in value) + "]"
            return json.dumps(value)
        inner = indent + self.indent
        if isinstance(value, dict):
            if not value:
                return empty
            colon = " : " if self.loose else ": "
            members = [f"{inner}{json.dumps(k)}{colon}{self.value(v, inner, newline, depth + 1)}"
                       for k, v in value.items()]
            return "{" + newline + ("," + newline).join(members) + newline + indent + "}"
        if isinstance(value, list):
            if not value:
                return "[]"
            if self.inline_lists and all(isinstance(v, str) for v in value):
                return "[" + ", ".join(json.dumps(v) for v in value) + "]"
            items = [inner + self.value(v, inner, newline, depth + 1) for v in value]
            return "[" + newline + ("," + newline).join(items) + newline + indent + "]"
        return json.dumps(value)


yaml_shapes = st.builds(
    YamlShape,
    indent=st.sampled_from([2, 4]),
    short=st.booleans(),
    flow=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
    flow_resources=st.sampled_from([False, False, True]),
    multiline_flow=st.booleans(),
    indent_sequences=st.booleans(),
    comments=st.sampled_from([0.0, 0.5, 1.0]),
    start=st.sampled_from(["", "", "---", "--- # template", "%YAML 1.1\n---"]),
    block_scalars=st.booleans(),
    blank_lines=st.booleans(),
    dash_alone=st.sampled_from([False, False, True]),
    end=st.booleans(),
    crlf=st.booleans(),
    final_newline=st.sampled_from([True, True, False]),
    quote=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 2 ** 16),
)

json_shapes = st.builds(
    JsonShape,
    indent=st.sampled_from(["  ", "    ", "\t", None]),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    inline_lists=st.booleans(),
    space_in_empty=st.booleans(),
    compact=st.booleans(),
    loose=st.sampled_from([False, False, True]),
    flat_below=st.sampled_from([None, None, 2, 3, 4]),
)


# --------------------------------------------------------------------------------------------------
# The invariant
# --------------------------------------------------------------------------------------------------

# Why a finding may be left to a person (plan.py's and fix's messages): a Deny, a permissions
# boundary, a parameter, an import or another value known only at deployment, and the rules
# without an automatic fix (a KMS key, destinations, event selectors, an existing grant).
PERSON = re.compile(r"\bDeny\b|\bdenie[sd]\b|permissions boundary|\bparameter\b|known only at "
                    r"deployment|is computed \(!ImportValue|" + "|".join(re.escape(m) for m in fix.MANUAL.values()))


_COMMENT = re.compile(r"#[^\r\n]*")
# The values a fix may replace (anything else is only ever inserted around).
REPLACEABLE = ("CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn", "IsLogging",
               "EnableLogFileValidation", "RetentionInDays", "IsMultiRegionTrail",
               "IncludeGlobalServiceEvents")


def outside_replaced(text: str) -> str:
    """``text`` without the values a fix may replace (a comment inside one may go with it)."""
    document = load.load_text(text, "t.yaml")
    spans = sorted(span for logical_id in document.data["Resources"] for key in REPLACEABLE
                   if (span := document.span(("Resources", logical_id, "Properties", key))))
    out, at = [], 0
    for start, end in spans:
        out.append(text[at:start])
        at = max(at, end)
    return "".join(out) + text[at:]


def run_fix(tmp_path: Path, text: str, suffix: str) -> dict[tuple[str, str], tuple[bool, str]]:
    """``--diff`` then ``--fix`` on ``text`` and every property but the reasons; returns what
    the run said per finding: (rule, trail) → (fixed, message)."""
    name = f"template{suffix}"
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    before = findings(text)
    with cwd(tmp_path):
        code_diff, diff, summary = run_cli("--diff", name)
        assert path.read_bytes() == text.encode("utf-8")
        code, out, err = run_cli("--fix", name)
    shown = f"--- template ---\n{text}\n--- output ---\n{out}{err}"
    assert code in (0, 1) and code_diff == code, shown
    assert "internal error" not in out + err + summary, shown
    said: dict[tuple[str, str], tuple[bool, str]] = {}
    for line in out.splitlines():
        found = re.match(r".*?:\d+:\d+: (\w+) (fixed|not fixed) \(trail (\w+)\): (.*)", line)
        if found:
            rule, state, trail_id, why = found.groups()
            said[(rule, trail_id)] = (state == "fixed", why)
    fixed = {key for key, (done, _) in said.items() if done}
    assert set(before) <= set(said), shown  # and follow-ups (a grant for a new group)
    result = path.read_bytes().decode("utf-8")
    if fixed:
        assert f"{name}: written (" in out and result != text, shown
    else:
        assert result == text and not diff, shown
    # --diff printed what --fix wrote: patch -p1 makes the same bytes of the original
    if diff:
        (tmp_path / "patched").mkdir()
        (tmp_path / "patched" / name).write_bytes(text.encode("utf-8"))
        patched = subprocess.run(["patch", "-p1", "--batch", "--quiet", "-d", "patched"],
                                 input=diff.encode("utf-8"), cwd=tmp_path, capture_output=True)
        assert patched.returncode == 0, patched.stdout + patched.stderr
        assert (tmp_path / "patched" / name).read_bytes() == result.encode("utf-8")
    # the result reads back, with our loader and with cfn-lint's
    after = findings(result)
    decoded, matches = decode_str(result)
    assert decoded is not None and not matches, f"{matches}\n{result}"
    assert decoded == load.load_text(result, "t").data
    shown = f"--- template ---\n{text}\n--- fixed ---\n{result}\n--- output ---\n{out}"
    assert not fixed & set(after), shown
    new = set(after) - set(before)
    assert {rule for rule, _ in new} <= set(fix.REVEALED), shown
    # what was not fixed stays: every comment outside the values replaced, the line breaks
    if suffix == ".yaml":
        kept = Counter(_COMMENT.findall(outside_replaced(text)))
        assert not kept - Counter(_COMMENT.findall(result)), shown
    if "\r\n" in text:
        assert "\n" not in result.replace("\r\n", ""), shown
    elif "\n" in text:
        assert "\r" not in result, shown
    else:
        assert "\n" not in result and "\r" not in result, shown
    return said


def check(tmp_path: Path, text: str, suffix: str) -> None:
    """The invariant on one template (see the module's docstring)."""
    said = run_fix(tmp_path, text, suffix)
    for key, (done, why) in said.items():
        assert done or PERSON.search(why), f"{key} not fixed: {why}\n--- template ---\n{text}"


@settings(CI, max_examples=150)
@given(scenario=scenarios(), shape=yaml_shapes)
def test_fix_holds_on_every_yaml_shape(tmp_path_factory, scenario, shape):
    tmp_path = tmp_path_factory.mktemp("yaml")
    check(tmp_path, shape.render(scenario.template()), ".yaml")


@settings(CI, max_examples=80)
@given(scenario=scenarios(), shape=json_shapes)
def test_fix_holds_on_every_json_shape(tmp_path_factory, scenario, shape):
    tmp_path = tmp_path_factory.mktemp("json")
    check(tmp_path, shape.render(scenario.template()), ".json")


# --------------------------------------------------------------------------------------------------
# The fixtures, reshaped: the outcome does not depend on how the template is written
# --------------------------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAIL = sorted(p for folder in ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006",
                               "ET1008", "WT2001", "WT2004", "WT2007")
              for p in (FIXTURES / folder).glob("fail_*") if p.suffix in (".yaml", ".json"))
_OUTCOMES: dict[Path, dict] = {}


def outcome(tmp_path: Path, fixture: Path) -> dict[tuple[str, str], tuple[bool, str]]:
    """What ``--fix`` says about the fixture as it is written (once per fixture)."""
    if fixture not in _OUTCOMES:
        folder = tmp_path / "original"
        folder.mkdir()
        _OUTCOMES[fixture] = run_fix(folder, fixture.read_text("utf-8"), fixture.suffix)
    return _OUTCOMES[fixture]


@settings(CI, max_examples=100)
@given(fixture=st.sampled_from(FAIL), yaml_shape=yaml_shapes, json_shape=json_shapes,
       as_json=st.booleans())
def test_a_fixture_is_fixed_the_same_whatever_its_shape(tmp_path_factory, fixture, yaml_shape,
                                                        json_shape, as_json):
    tmp_path = tmp_path_factory.mktemp("fixture")
    data = load.load_text(fixture.read_text("utf-8"), fixture.name).data
    text = json_shape.render(data) if as_json else yaml_shape.render(data)
    said = run_fix(tmp_path, text, ".json" if as_json else ".yaml")
    assert said == outcome(tmp_path, fixture), f"{fixture.name}\n{text}"
