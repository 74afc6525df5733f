"""cfn-lint mode across templates: cfn-lint hands a rule one template at a time, so the rules
do not follow an import or a nested stack there (README, "As cfn-lint rules"). The command line,
given both templates, follows them; given the importer alone it says what its scan lacks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from cfn_trailwatch.cli import main

from test_cfnlint_plugin import cfn_lint

LOGGING = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      TrailGroup:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 365
      TrailRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: cloudtrail.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: deliver
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [logs:CreateLogStream, logs:PutLogEvents]
                    Resource: !Sub "${TrailGroup.Arn}"
    Outputs:
      GroupArn:
        Value: !GetAtt TrailGroup.Arn
        Export: {Name: org-logging-GroupArn}
      RoleArn:
        Value: !GetAtt TrailRole.Arn
        Export: {Name: org-logging-RoleArn}
    """)

TRAIL = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          IsMultiRegionTrail: true
          EnableLogFileValidation: true
          S3BucketName: my-bucket
          CloudWatchLogsLogGroupArn: !ImportValue org-logging-GroupArn
          CloudWatchLogsRoleArn: !ImportValue org-logging-RoleArn
    """)

CORE = {"ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "ET1008", "WT1007"}


def _write(folder: Path) -> tuple[Path, Path]:
    (folder / "logging.yaml").write_text(LOGGING)
    (folder / "trail.yaml").write_text(TRAIL)
    return folder / "logging.yaml", folder / "trail.yaml"


def _cli(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_cfn_lint_sees_one_template_and_keeps_imports_unverifiable(tmp_path):
    _, trail = _write(tmp_path)
    # both files given: cfn-lint still checks each on its own
    code, matches, _ = cfn_lint("--", str(tmp_path / "logging.yaml"), str(trail))
    core = sorted((rule, line, message) for rule, line, _, message in matches if rule in CORE)
    assert core == [
        ("WT1007", 10, "Trail Trail: the log group ARN is !ImportValue org-logging-GroupArn, "
                       "which cannot be verified here"),
        ("WT1007", 11, "Trail Trail: the role ARN is !ImportValue org-logging-RoleArn; the "
                       "role's trust and permissions cannot be verified here"),
    ]
    assert code == 4   # cfn-lint: warnings only


def test_the_cli_follows_the_import_when_the_exporter_is_in_the_scan(tmp_path, capsys):
    _write(tmp_path)
    code, findings = _cli(capsys, str(tmp_path))
    assert [f for f in findings if f["rule"] in CORE] == []
    assert code == 0
    kms = [f for f in findings if f["rule"] == "WT2002"]
    assert len(kms) == 1 and kms[0]["file"].endswith("trail.yaml") and kms[0]["line"] == 10
    assert kms[0]["related"] == [{"file": str(tmp_path / "logging.yaml"), "line": 3,
                                  "column": 3, "resource": "TrailGroup"}]


def test_the_cli_given_the_importer_alone_says_what_its_scan_lacks(tmp_path, capsys):
    _, trail = _write(tmp_path)
    code, findings = _cli(capsys, str(trail))
    assert [(f["rule"], f["line"], f["message"]) for f in findings if f["rule"] in CORE] == [
        ("WT1007", 10, "Trail Trail: the log group ARN is !ImportValue org-logging-GroupArn (no "
                       "template in this scan exports org-logging-GroupArn), which cannot be "
                       "verified here"),
        ("WT1007", 11, "Trail Trail: the role ARN is !ImportValue org-logging-RoleArn (no "
                       "template in this scan exports org-logging-RoleArn); the role's trust and "
                       "permissions cannot be verified here"),
    ]
    assert code == 0


def test_a_workspace_folder_lets_the_importer_alone_be_judged(tmp_path, capsys, monkeypatch):
    (tmp_path / "logging").mkdir()
    (tmp_path / "stacks").mkdir()
    (tmp_path / "logging" / "logging.yaml").write_text(LOGGING)
    (tmp_path / "stacks" / "trail.yaml").write_text(TRAIL)
    (tmp_path / ".cfn-trailwatch.yaml").write_text("workspace: [logging]\n")
    monkeypatch.chdir(tmp_path)
    code, findings = _cli(capsys, "stacks/trail.yaml")
    assert [f for f in findings if f["rule"] in CORE] == []
    assert {f["file"] for f in findings} == {"stacks/trail.yaml"}   # the workspace is not reported
    assert code == 0


def test_an_import_the_scan_cannot_follow_is_shown_once_with_its_reason(capsys):
    # not "!ImportValue X → !ImportValue X (...)": the value is the import, with why
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "WT1007" / \
        "fail_org_import_account_streams_only.yaml"
    code, findings = _cli(capsys, str(fixture))
    assert [f["message"] for f in findings if f["rule"] == "WT1007"] == [
        "Trail Trail: cannot verify that role TrailRole may write the log streams of the "
        "generated name of TrailLogGroup: no statement allows it; whether trail Trail is an "
        "organization trail is not known here (IsOrganizationTrail: !ImportValue "
        "org-trail-enabled (no template in this scan exports org-trail-enabled))"]
    assert code == 0
