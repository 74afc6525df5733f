"""Hostile and broken input through the command line: a located error and exit 2 for what
cannot be read, findings for what is read but wrong, never a traceback or a silent pass; and
the command line never raises on any of it."""

from __future__ import annotations

import json

import pytest

from cfn_trailwatch.cli import main

TRAIL = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"


def run(capsys, path):
    code = main(["--format", "json", str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, json.loads(out.out)


# (file name, bytes, exit code, message fragment, line) for files that cannot be read.
UNREADABLE = [
    ("empty.yaml", b"", "empty file", 1),
    ("blank.yaml", b"  \n\t\n", "empty file", 1),
    ("binary.yaml", b"Resources:\x00\x01\x02", "binary file", 1),
    ("latin1.yaml", b"Resources:\n  A: caf\xe9\n", "not valid UTF-8", 2),
    ("syntax.yaml", b"Resources:\n  A: [1, 2\n", "invalid YAML", 3),
    ("syntax.json", b'{"Resources": {"A": [}}', "invalid JSON", 1),
    ("dup.yaml", b"Resources:\n  A: {Type: X}\n  A: {Type: Y}\n", "duplicate key 'A'", 3),
    ("dup.json", b'{"Resources": {"A": {"Type": "X"},\n "A": {"Type": "Y"}}}', "duplicate key 'A'", 2),
    ("bomb.yaml", b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                  + b"".join(b"a%d: &a%d [%s]\n" % (i, i, b", ".join([b"*a" if i == 1 else b"*a%d" % (i - 1)] * 10))
                             for i in range(1, 9)) + b"Resources: {}\n", "alias", None),
    ("deep.yaml", b"Resources: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nesting deeper", 1),
    ("deep.json", b'{"Resources": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nesting deeper", 1),
    ("multi.yaml", b"Resources: {}\n---\nResources: {}\n", "more than one YAML document", 2),
    ("python.yaml", b"Resources: !!python/object/apply:os.system [echo]\n", "unsupported YAML tag", 1),
    ("resources.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources: [a]\n",
     "Resources must be a mapping", 2),
    ("nullresources.yaml", b"Resources:\n", "not null", 1),
]


@pytest.mark.parametrize("name, content, message, line", UNREADABLE,
                         ids=[case[0] for case in UNREADABLE])
def test_unreadable_templates_fail_the_gate_with_a_located_error(tmp_path, capsys, name, content,
                                                                 message, line):
    path = tmp_path / name
    path.write_bytes(content)
    code, report = run(capsys, path)
    assert code == 2
    [error] = report["errors"]
    assert error["file"] == str(path) and message in error["message"]
    if line is not None:
        assert error["line"] == line
    assert report["findings"] == []


def test_utf8_bom_and_utf16_are_read(tmp_path, capsys):
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + TRAIL.encode())
    (tmp_path / "u16.yaml").write_bytes(TRAIL.encode("utf-16"))
    for name in ("bom.yaml", "u16.yaml"):
        code, report = run(capsys, tmp_path / name)
        assert code == 1 and {f["rule"] for f in report["findings"]} >= {"ET1001", "ET1002"}


def test_top_level_list_or_scalar_is_not_a_template(tmp_path, capsys):
    for name, text in (("list.yaml", "- a\n- b\n"), ("scalar.yaml", "just text\n"), ("n.json", "42")):
        (tmp_path / name).write_text(text)
        code, report = run(capsys, tmp_path / name)
        assert (code, report["errors"], report["summary"]["templates"]) == (0, [], 0)


# Templates that are read but wrong in their values: the gate answers with findings or a
# located error for the trail, never a crash and never a pass.
WRONG_VALUES = {
    "properties-list": TRAIL + "    Properties: [1, 2]\n",
    "properties-null": TRAIL + "    Properties:\n",
    "nulls-everywhere": TRAIL + "    Properties:\n      IsLogging:\n      CloudWatchLogsLogGroupArn:\n"
                                "      CloudWatchLogsRoleArn:\n      S3BucketName:\n",
    "numbers-for-strings": TRAIL + "    Properties:\n      IsLogging: 1\n      S3BucketName: 5\n"
                                   "      CloudWatchLogsLogGroupArn: 12\n      CloudWatchLogsRoleArn: true\n",
    "unknown-function": TRAIL + "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
                                "      CloudWatchLogsLogGroupArn: {Fn::Frobnicate: x}\n"
                                "      CloudWatchLogsRoleArn: !Frobnicate y\n",
    "wrong-arguments": TRAIL + "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
                               "      CloudWatchLogsLogGroupArn: !Join [x]\n"
                               "      CloudWatchLogsRoleArn: !GetAtt [A, B, C]\n",
    "policy-documents-wrong-": TRAIL + "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
                                      "      CloudWatchLogsLogGroupArn: !GetAtt G.Arn\n"
                                      "      CloudWatchLogsRoleArn: !GetAtt R.Arn\n"
                                      "  G: {Type: AWS::Logs::LogGroup}\n"
                                      "  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
                                      "      AssumeRolePolicyDocument: 5\n      Policies: nope\n",
    "self-referencing-name": TRAIL + "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
                                     "      CloudWatchLogsLogGroupArn: !GetAtt G.Arn\n"
                                     "  G:\n    Type: AWS::Logs::LogGroup\n"
                                     "    Properties: {LogGroupName: !Sub '${G}-x'}\n",
    "getatt-cycle": TRAIL + "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
                            "      CloudWatchLogsLogGroupArn: !GetAtt G.Arn\n"
                            "  G:\n    Type: AWS::Logs::LogGroup\n"
                            "    Properties: {LogGroupName: !Select [0, !Split ['|', !GetAtt G.Arn]]}\n",
}


# Two resources whose names depend on each other through GetAtt and Ref, in a chain that would
# otherwise pass: CloudFormation refuses the template, so the gate must not pass it.
CYCLE_BESIDE_A_GOOD_CHAIN = TRAIL + """\
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt G.Arn
      CloudWatchLogsRoleArn: !GetAtt R.Arn
  G:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Select [0, !Split ['|', !GetAtt R.Arn]]}
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref G
      AssumeRolePolicyDocument:
        Statement: {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: {Effect: Allow, Action: 'logs:*', Resource: !GetAtt G.Arn}
"""
WRONG_VALUES["cycle-getatt-ref"] = CYCLE_BESIDE_A_GOOD_CHAIN
WRONG_VALUES["cycle-depends-on"] = CYCLE_BESIDE_A_GOOD_CHAIN.replace(
    "      RoleName: !Ref G\n", "").replace(
    "{LogGroupName: !Select [0, !Split ['|', !GetAtt R.Arn]]}", "{}\n    DependsOn: [R]").replace(
    "  R:\n    Type: AWS::IAM::Role\n", "  R:\n    Type: AWS::IAM::Role\n    DependsOn: G\n")

_CYCLE = "cannot be created: its resources depend on a reference cycle"
# name -> (exit code, the trail rules' findings as (rule, line), fragments of the errors); the
# hygiene checks (WT2xxx, IT2xxx) are left out.
WRONG_VALUES_EXPECTED = {
    "properties-list": (1, {("ET1001", 4), ("ET1002", 4)}, []),
    "properties-null": (1, {("ET1001", 2), ("ET1002", 2)}, []),
    "nulls-everywhere": (1, {("WT1007", 5), ("ET1001", 6), ("ET1002", 7)}, []),
    "numbers-for-strings": (1, {("WT1007", 5), ("ET1003", 7), ("ET1004", 8)}, []),
    "unknown-function": (2, {("WT1007", 7), ("WT1007", 8)},
                         ["cannot be analysed: unknown intrinsic function Fn::Frobnicate"]),
    "wrong-arguments": (2, {("WT1007", 7), ("WT1007", 8)},
                        ["cannot be analysed: Fn::GetAtt needs [resource, attribute]",
                         "cannot be analysed: Fn::Join needs [delimiter, list]"]),
    # a literal that is not a policy document grants nothing: IAM refuses it
    "policy-documents-wrong-": (1, {("ET1005", 8), ("ET1006", 8)}, []),
    "self-referencing-name": (2, {("ET1002", 4)}, [_CYCLE + " (G -> G)"]),
    "getatt-cycle": (2, {("ET1002", 4)}, [_CYCLE + " (G -> G)"]),
    "cycle-getatt-ref": (2, set(), [_CYCLE + " (G -> R -> G)"]),
    "cycle-depends-on": (2, set(), [_CYCLE + " (G -> R -> G)"]),
}


def test_every_wrong_value_case_has_its_expectation():
    assert set(WRONG_VALUES) == set(WRONG_VALUES_EXPECTED)


@pytest.mark.parametrize("name", sorted(WRONG_VALUES))
def test_wrong_values_are_findings_or_located_errors_never_a_pass(tmp_path, capsys, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(WRONG_VALUES[name])
    code, report = run(capsys, path)
    expected_code, expected_findings, expected_errors = WRONG_VALUES_EXPECTED[name]
    assert code == expected_code
    found = {(f["rule"], f["line"]) for f in report["findings"] if f["rule"][1:3] == "T1"}
    assert found == expected_findings
    messages = [e["message"] for e in report["errors"]]
    assert len(messages) == len(expected_errors)
    for fragment in expected_errors:
        assert any(fragment in message for message in messages), (fragment, messages)
    for error in report["errors"]:   # located at the trail
        assert error["file"] == str(path) and error["line"] == 2
