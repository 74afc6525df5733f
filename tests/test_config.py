"""The configuration file: discovery, validation against the shipped schema, and its effects."""

from __future__ import annotations

import datetime
import json
import textwrap

import jsonschema
import pytest

from cfn_trailwatch import config as config_file
from cfn_trailwatch.cli import main

from helpers import CORE_RULES, NO_CWL, SEED

# ET1001 and ET1002 on line 4 (the trail's Properties) when UseLogs is false; nothing when true.
SWITCHED = """\
Parameters:
  UseLogs: {Type: String, AllowedValues: ["true", "false"], Default: "false"}
Conditions:
  LogsOn: !Equals [!Ref UseLogs, "true"]
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
      CloudWatchLogsLogGroupArn: !If [LogsOn, !GetAtt Group.Arn, !Ref AWS::NoValue]
      CloudWatchLogsRoleArn: !If [LogsOn, !GetAtt Role.Arn, !Ref AWS::NoValue]
      EnableLogFileValidation: true
      IsMultiRegionTrail: true
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: !GetAtt Group.Arn}
  Silence:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions: [{Name: LogGroupName, Value: !Ref Group}]
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      TreatMissingData: breaching
      AlarmActions: [arn:aws:sns:us-east-1:111122223333:alerts]
"""


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def run(capsys, *args):
    code = main(["--format", "json", *map(str, args)])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out else None), out.err


def core(findings):
    """The core rules' findings: the seed also gives WT2002, IT2006, WT2007 and IT2009, which the tests of the
    configuration's mechanics leave out (tests/test_hygiene.py has the rule options)."""
    return [f for f in findings if f["rule"] in CORE_RULES]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "stacks" / "seed.yaml", SEED)
    write(tmp_path / "stacks" / "switched.yaml", SWITCHED)
    write(tmp_path / "legacy" / "old.yaml", NO_CWL)
    return tmp_path


def test_the_shipped_schema_is_a_valid_json_schema(capsys):
    jsonschema.Draft202012Validator.check_schema(config_file.schema())
    assert main(["--config-schema"]) == 0
    assert json.loads(capsys.readouterr().out) == config_file.schema()


def test_no_config_file_means_defaults(project, capsys):
    code, report, _ = run(capsys, "stacks/seed.yaml")
    assert code == 1 and {f["rule"] for f in report["findings"]} == {"ET1003", "ET1004", "WT2002",
                                                                      "IT2006", "WT2007", "IT2009"}


def test_yaml_config_found_from_a_subfolder_upwards(project, capsys, monkeypatch):
    write(project / ".cfn-trailwatch.yaml", "disable: [ET1003]\n")
    monkeypatch.chdir(project / "stacks")
    code, report, _ = run(capsys, "seed.yaml")
    assert [f["rule"] for f in core(report["findings"])] == ["ET1004"]
    assert code == 1


def test_pyproject_table(project, capsys):
    write(project / "pyproject.toml", """\
        [project]
        name = "x"

        [tool.cfn-trailwatch]
        disable = ["ET1003", "ET1004", "WT2002", "IT2006", "WT2007", "IT2009"]
        """)
    code, report, _ = run(capsys, "stacks/seed.yaml")
    assert report["findings"] == [] and code == 0


def test_a_pyproject_without_the_table_is_not_a_config(project, capsys):
    write(project / "pyproject.toml", "[project]\nname = 'x'\n")
    code, report, _ = run(capsys, "stacks/seed.yaml")
    assert code == 1 and len(core(report["findings"])) == 2


def test_explicit_config_wins_over_discovery(project, capsys):
    write(project / ".cfn-trailwatch.yaml", "disable: [ET1003]\n")
    write(project / "ci" / "gate.yaml", "disable: [ET1004]\n")
    _, report, _ = run(capsys, "--config", "ci/gate.yaml", "stacks/seed.yaml")
    assert [f["rule"] for f in core(report["findings"])] == ["ET1003"]


def test_missing_explicit_config_is_a_usage_error(project, capsys):
    code, report, err = run(capsys, "--config", "nope.yaml", "stacks/seed.yaml")
    assert code == 2 and report is None and "nope.yaml" in err


@pytest.mark.parametrize("text, key, reason", [
    ("fail_on: sometimes\n", "fail_on", "'sometimes' is not one of"),
    ("disable: [ET9999]\n", "disable[0]", "unknown rule 'ET9999'"),
    ("disable: [bogus]\n", "disable[0]", "does not match"),
    ("waivers:\n  - {rule: ET1006, files: '*.yaml'}\n", "waivers[0]", "'reason' is a required property"),
    ("waivers:\n  - {rule: ET1006, files: '*.yaml', reason: '  '}\n", "waivers[0].reason", "does not match"),
    ("waivers:\n  - {rule: ET1006, files: x, reason: r, expires: 2026-02-30}\n", "waivers[0].expires",
     "is not a date"),
    ("regions: [mars-1]\n", "regions[0]", "does not match"),
    ("account_id: 12\n", "account_id", "is not of type 'string'"),
    ("colour: red\n", "(top level)", "Additional properties are not allowed ('colour' was unexpected)"),
    ("parameters:\n  - {files: '*.yaml'}\n", "parameters[0]", "needs 'values' or 'parameter_files'"),
    ("disable: [ET1003\n", ".cfn-trailwatch.yaml:2:1", "not valid YAML"),
    ("- a list\n", "(top level)", "is not of type 'object'"),
])
def test_an_invalid_config_names_the_key_and_exits_2(project, capsys, text, key, reason):
    write(project / ".cfn-trailwatch.yaml", text)
    code, report, err = run(capsys, "stacks/seed.yaml")
    assert code == 2 and report is None
    assert "invalid configuration" in err and key in err and reason in err, err
    assert "Traceback" not in err


def test_fail_on_from_config_and_the_command_line_wins(project, capsys):
    write(project / ".cfn-trailwatch.yaml", "fail_on: never\n")
    assert run(capsys, "stacks/seed.yaml")[0] == 0
    assert run(capsys, "--fail-on", "error", "stacks/seed.yaml")[0] == 1


def test_parameters_per_glob_and_command_line_wins(project, capsys):
    write(project / ".cfn-trailwatch.yaml", """\
        parameters:
          - files: "stacks/**"
            values: {UseLogs: "true"}
        """)
    code, report, _ = run(capsys, "stacks/switched.yaml")
    assert report["findings"] == [] and code == 0
    _, report, _ = run(capsys, "--parameters", "UseLogs=false", "--", "stacks/switched.yaml")
    assert {(f["rule"], f["line"]) for f in report["findings"]} == {("ET1001", 11), ("ET1002", 12)}


def test_parameter_files_per_glob_in_both_formats(project, capsys):
    write(project / "params" / "cli.json", '[{"ParameterKey": "UseLogs", "ParameterValue": "true"}]')
    write(project / "params" / "pipeline.json", '{"Parameters": {"UseLogs": "false"}}')
    write(project / ".cfn-trailwatch.yaml", """\
        parameters:
          - files: "stacks/switched.yaml"
            parameter_files: [params/cli.json]
        """)
    assert run(capsys, "stacks/switched.yaml")[1]["findings"] == []
    write(project / ".cfn-trailwatch.yaml", """\
        parameters:
          - files: "stacks/*.yaml"
            parameter_files: [params/pipeline.json]
        """)
    assert len(run(capsys, "stacks/switched.yaml")[1]["findings"]) == 2


def test_a_bad_parameter_file_named_by_the_config_fails_that_template(project, capsys):
    write(project / ".cfn-trailwatch.yaml", """\
        parameters:
          - files: "stacks/switched.yaml"
            parameter_files: [params/missing.json]
        """)
    code, report, _ = run(capsys, "stacks/switched.yaml", "stacks/seed.yaml")
    assert code == 2
    [error] = report["errors"]
    assert error["file"] == "stacks/switched.yaml" and "missing.json" in error["message"]
    assert {f["rule"] for f in core(report["findings"])} == {"ET1003", "ET1004"}  # the other still ran


def test_waivers_suppress_visibly(project, capsys):
    write(project / ".cfn-trailwatch.yaml", """\
        waivers:
          - rule: ET1001
            files: "legacy/**"
            resource: Trail
            reason: "Legacy stack, replaced in Q1 (TICKET-42)"
            expires: 2999-12-31
          - rule: ET1002
            files: "legacy/*.yaml"
            resource: SomeOtherTrail
            reason: "does not match the resource"
        """)
    code, report, _ = run(capsys, "legacy/old.yaml")
    by_rule = {f["rule"]: f["suppressed"] for f in report["findings"]}
    assert by_rule == {"ET1001": {"kind": "waiver", "justification": "Legacy stack, replaced in Q1 (TICKET-42)",
                                  "expires": "2999-12-31"},
                       "ET1002": None}
    assert report["summary"]["findings"] == 1 and report["summary"]["suppressed"] == 1
    assert code == 1  # ET1002 still counts
    assert main(["legacy/old.yaml"]) == 1
    text = capsys.readouterr().out
    assert "ET1001" not in text and "ET1002" in text
    assert text.splitlines()[-1].startswith("1 finding (1 error), 1 suppressed in 1 template")


def test_an_expired_waiver_stops_suppressing_and_says_so(project, capsys):
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    write(project / ".cfn-trailwatch.yaml", f"""\
        waivers:
          - {{rule: ET1001, files: "legacy/**", reason: old, expires: {yesterday}}}
          - {{rule: ET1002, files: "legacy/**", reason: still fine}}
        """)
    code, report, _ = run(capsys, "legacy/old.yaml")
    assert [(f["rule"], f["suppressed"] is None) for f in report["findings"]] == [
        ("ET1001", True), ("ET1002", False)]
    [note] = report["notes"]
    assert note["file"] == "legacy/old.yaml" and note["line"] == 4
    assert f"waiver 0 (ET1001 on legacy/**) expired on {yesterday}" in note["message"]
    assert code == 1
    main(["legacy/old.yaml"])
    text = capsys.readouterr().out
    assert f"legacy/old.yaml:4:5: note: waiver 0 (ET1001 on legacy/**) expired on {yesterday}" in text


def test_glob_semantics():
    regex = config_file.glob_regex
    assert regex("stacks/*.yaml").fullmatch("stacks/a.yaml")
    assert not regex("stacks/*.yaml").fullmatch("stacks/sub/a.yaml")
    assert regex("stacks/**/*.yaml").fullmatch("stacks/a.yaml")
    assert regex("stacks/**/*.yaml").fullmatch("stacks/x/y/a.yaml")
    assert regex("**").fullmatch("any/thing.json")
    assert regex("./a?.yml").fullmatch("ab.yml") and not regex("a?.yml").fullmatch("a/.yml")


def test_a_parameter_the_template_does_not_declare_is_a_note(project, capsys):
    code, report, _ = run(capsys, "--parameters", "UseLogs=true", "Nope=1", "--", "stacks/switched.yaml")
    assert code == 0 and report["findings"] == [] and report["errors"] == []
    assert report["notes"] == [{"file": "stacks/switched.yaml", "line": 1, "column": 1,
                                "message": "parameter Nope is given a value but the template "
                                           "does not declare it"}]
