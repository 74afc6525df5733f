"""Hostile and broken input through the command line: a located error and exit 2 for what
cannot be read, findings for what is read but wrong, never a traceback or a silent pass; and
the command line never raises on any of it."""

from __future__ import annotations

import json
from pathlib import Path

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
                             for i in range(1, 9)) + b"Resources: {}\n",
     "more than 2000000 values after expanding aliases", 7),
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

# A parameter and a resource of one name: CloudFormation refuses the template (cfn-lint E3007);
# the Ref inside G would otherwise read as G referencing itself, a confusing cycle "G -> G".
WRONG_VALUES["parameter-and-resource-of-one-name"] = TRAIL + """\
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt G.Arn
  G:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Ref G}
Parameters:
  G: {Type: String}
"""

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
    "parameter-and-resource-of-one-name": (
        2, {("ET1002", 4)}, ["trail Trail cannot be created: G is declared both as a parameter and "
                             "as a resource; CloudFormation refuses a template whose logical IDs "
                             "are not unique"]),
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


# Every intrinsic function with the wrong number or type of arguments, in the log group ARN of a
# trail whose chain is otherwise sound: CloudFormation refuses each, so the trail is an error
# (exit 2) located at the trail, never a pass. (Condition functions are reached through !If.)
_SOUND = (Path(__file__).resolve().parents[1] / "fixtures" / "ET1006" /
          "pass_inline_getatt.yaml").read_text()
_CONDITIONS = """Conditions:
  IsOn: !Equals [a, a]
  EqualsOne: !Equals [a]
  AndOne: !And [!Equals [a, a]]
  OrEleven: !Or [true, true, true, true, true, true, true, true, true, true, true]
  NotTwo: !Not [!Equals [a, a], !Equals [b, b]]
  ConditionList: !Not [{Condition: [IsOn]}]
  NotAFunction: [a]
  Cycle1: !Not [{Condition: Cycle2}]
  Cycle2: !Not [{Condition: Cycle1}]
Mappings:
  Map: {key: {key: value}}
"""
MALFORMED_INTRINSICS = {
    "Ref-list": ("{Ref: [TrailLogGroup]}", "Ref needs a name"),
    "Ref-undefined": ("!Ref Nowhere", "Ref to Nowhere, which the template does not define"),
    "GetAtt-three": ("!GetAtt [TrailLogGroup, Arn, X]", "Fn::GetAtt needs [resource, attribute]"),
    "GetAtt-no-dot": ("!GetAtt TrailLogGroup", "Fn::GetAtt needs [resource, attribute]"),
    "GetAtt-undefined": ("!GetAtt Nowhere.Arn", "Fn::GetAtt of Nowhere, which the template does not define"),
    "Sub-three": ("{'Fn::Sub': [a, {}, c]}", "Fn::Sub needs a string or [string, variables]"),
    "Sub-variables-list": ("{'Fn::Sub': ['${x}', [1]]}", "Fn::Sub needs a string or [string, variables]"),
    "Sub-map": ("{'Fn::Sub': {a: b}}", "Fn::Sub needs a string"),
    "Sub-undefined": ("!Sub 'arn:${Nowhere}'", "Fn::Sub variable ${Nowhere} is not defined"),
    "Join-one": ("!Join [x]", "Fn::Join needs [delimiter, list]"),
    "Join-string": ("!Join [',', x]", "Fn::Join needs [delimiter, list]"),
    "If-two": ("!If [IsOn, a]", "Fn::If needs [condition, value if true, value if false]"),
    "If-undefined": ("!If [Nowhere, a, b]", "condition Nowhere is not defined"),
    "Select-one": ("!Select [0]", "Fn::Select needs [index, list]"),
    "Select-outside": ("!Select [5, [a]]", "Fn::Select index 5 is outside its list of 1"),
    "Select-negative": ("!Select [-1, [a]]", "Fn::Select index -1 is outside its list of 1"),
    "Select-word": ("!Select [first, [a]]", "Fn::Select index 'first' is not a number"),
    "Split-one": ("!Select [0, !Split [x]]", "Fn::Split needs [delimiter, string]"),
    "Split-list": ("!Select [0, !Split [',', [a]]]", "Fn::Split needs [delimiter, string]"),
    "FindInMap-two": ("!FindInMap [Map, key]", "Fn::FindInMap needs [map, key, key]"),
    "FindInMap-undefined": ("!FindInMap [Nowhere, key, key]",
                            "Fn::FindInMap of map Nowhere, which the template does not define"),
    "ImportValue-list": ("!ImportValue [a]", "Fn::ImportValue needs the name of an export"),
    "Unknown-function": ("{'Fn::Frobnicate': x}", "unknown intrinsic function Fn::Frobnicate"),
    "Equals-one": ("!If [EqualsOne, a, b]", "Fn::Equals needs [value, value]"),
    "And-one": ("!If [AndOne, a, b]", "Fn::And needs a list of 2 to 10 conditions"),
    "Or-eleven": ("!If [OrEleven, a, b]", "Fn::Or needs a list of 2 to 10 conditions"),
    "Not-two": ("!If [NotTwo, a, b]", "Fn::Not needs [condition]"),
    "Condition-list": ("!If [ConditionList, a, b]", "Condition needs the name of a condition"),
    "Condition-not-a-function": ("!If [NotAFunction, a, b]",
                                 "a condition must be a condition function, not a list"),
    "Condition-cycle": ("!If [Cycle1, a, b]", "condition cycle: Cycle1 -> Cycle2 -> Cycle1"),
}


def malformed_intrinsic_template(expression: str) -> str:
    text = _SOUND.replace('AWSTemplateFormatVersion: "2010-09-09"\n',
                          'AWSTemplateFormatVersion: "2010-09-09"\n' + _CONDITIONS)
    return text.replace("CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn",
                        "CloudWatchLogsLogGroupArn: " + expression)


def test_the_sound_template_passes(tmp_path, capsys):
    path = tmp_path / "sound.yaml"
    path.write_text(malformed_intrinsic_template("!GetAtt TrailLogGroup.Arn"))
    code, report = run(capsys, path)
    assert (code, report["errors"]) == (0, [])


@pytest.mark.parametrize("name", sorted(MALFORMED_INTRINSICS))
def test_an_intrinsic_with_wrong_arguments_fails_closed(tmp_path, capsys, name):
    expression, message = MALFORMED_INTRINSICS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(malformed_intrinsic_template(expression))
    code, report = run(capsys, path)
    assert code == 2
    [error] = report["errors"]
    assert error["message"] == f"trail Trail cannot be analysed: {message}"
    assert (error["file"], error["line"], error["column"]) == (str(path), 38, 3)
