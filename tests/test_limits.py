"""Input and analysis limits: each configurable, each a located error (exit 2) when exceeded."""

from __future__ import annotations

import json
import textwrap

import pytest

from cfn_trailwatch.cli import main

from helpers import SEED


def run(capsys, *args):
    code = main(["--format", "json", *map(str, args)])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out else None), out.err


def nested_ifs(depth: int) -> str:
    value = "!GetAtt Group.Arn"
    for _ in range(depth):
        value = f"!If [Cond, {value}, !GetAtt Group.Arn]"
    return value


def template(log_group_value: str, conditions: tuple[str, ...] = ("Cond: !Equals [a, a]",)) -> str:
    lines = ["Conditions:"] + [f"  {c}" for c in conditions] + [
        "Resources:",
        "  Trail:",
        "    Type: AWS::CloudTrail::Trail",
        "    Properties:",
        "      IsLogging: true",
        "      S3BucketName: b",
        f"      CloudWatchLogsLogGroupArn: {log_group_value}",
        "  Group:",
        "    Type: AWS::Logs::LogGroup",
    ]
    return "\n".join(lines) + "\n"


def test_file_size(tmp_path, capsys):
    path = tmp_path / "seed.yaml"
    path.write_text(SEED)
    code, report, _ = run(capsys, "--max-file-size", "100", path)
    assert code == 2
    assert report["errors"] == [{"file": str(path), "line": 1, "column": 1,
                                 "message": "file is larger than the limit of 100 bytes (--max-file-size)"}]
    assert run(capsys, path)[0] == 1  # the default reads it


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_files_of_tens_of_megabytes_are_read_and_those_over_the_limit_refused(tmp_path, capsys,
                                                                               suffix):
    # A trail beside 30 MB of metadata (a long string): read in full, the finding on its line.
    blob = "x" * (30 * 1024 * 1024)
    trail = {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": True, "S3BucketName": "b"}}
    if suffix == ".json":
        text = '{"Metadata": {"Blob": "' + blob + '"},\n "Resources": {"Trail": ' + json.dumps(trail) + "}}"
        line = 2
    else:
        text = ("Metadata:\n  Blob: " + blob + "\nResources:\n  Trail:\n"
                "    Type: AWS::CloudTrail::Trail\n    Properties: {IsLogging: true, S3BucketName: b}\n")
        line = 4
    path = tmp_path / f"big{suffix}"
    path.write_text(text)
    code, report, _ = run(capsys, path)
    assert code == 1 and report["errors"] == []
    assert ("ET1001", "Trail") in {(f["rule"], f["resource"]) for f in report["findings"]}
    assert {f["line"] for f in report["findings"] if f["rule"] == "ET1001"} == \
        ({line} if suffix == ".json" else {line + 2})
    # 65 MB: over the default limit of 64 MB, refused before it is parsed
    path.write_text(text.replace(blob, blob * 2 + "x" * (5 * 1024 * 1024)))
    code, report, _ = run(capsys, path)
    assert code == 2
    assert report["errors"] == [{"file": str(path), "line": 1, "column": 1, "message":
                                 "file is larger than the limit of 67108864 bytes (--max-file-size)"}]


def test_alias_expansion(tmp_path, capsys):
    path = tmp_path / "aliases.yaml"
    path.write_text("Metadata:\n  a: &a [1, 2, 3, 4, 5]\n  b: [*a, *a, *a]\n" + SEED.split("\n", 1)[1])
    code, report, _ = run(capsys, "--max-nodes", "10", path)
    assert code == 2
    [error] = report["errors"]
    assert "more than 10 values after expanding aliases" in error["message"]
    assert (error["line"], error["column"]) == (36, 13)   # where the budget ran out


def test_nesting_depth_in_yaml_and_json(tmp_path, capsys):
    yaml_path = tmp_path / "deep.yaml"
    yaml_path.write_text("Resources:\n  A:\n    Type: X\n    Properties: {P: [[[[[[1]]]]]]}\n")
    json_path = tmp_path / "deep.json"
    json_path.write_text('{"Resources": {"A": {"Type": "X", "Properties": {"P": [[[[[[1]]]]]]}}}}')
    code, report, _ = run(capsys, "--max-depth", "5", yaml_path, json_path)
    assert code == 2
    assert [(e["file"], "nesting deeper than 5 levels (--max-depth)" in e["message"])
            for e in report["errors"]] == [(str(json_path), True), (str(yaml_path), True)]
    assert run(capsys, yaml_path, json_path)[0] == 0


def test_scenario_bound(tmp_path, capsys):
    conditions = tuple(f"C{i}: !Equals [!Ref P{i}, x]" for i in range(8))
    value = "!GetAtt Group.Arn"
    for i in range(8):
        value = f"!If [C{i}, {value}, {value}]"
    params = "Parameters:\n" + "".join(f"  P{i}: {{Type: String, AllowedValues: [x, y]}}\n"
                                      for i in range(8))
    path = tmp_path / "many.yaml"
    path.write_text(params + template(value, conditions))
    code, report, _ = run(capsys, "--max-scenarios", "16", path)
    assert code == 2
    [error] = report["errors"]
    assert error["line"] == 20  # the trail
    assert "analysis limit exceeded for trail Trail: more than 16 scenarios (--max-scenarios)" \
        == error["message"]


def test_reference_depth(tmp_path, capsys):
    path = tmp_path / "ifs.yaml"
    path.write_text(template(nested_ifs(12)))
    code, report, _ = run(capsys, "--max-reference-depth", "10", path)
    assert code == 2
    [error] = report["errors"]
    assert "nested deeper than 10 levels (--max-reference-depth)" in error["message"]
    assert run(capsys, path)[0] == 1  # within the default: analysed (no role: ET1002)


def test_limits_from_the_config_file_and_the_command_line_wins(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seed.yaml").write_text(SEED)
    (tmp_path / ".cfn-trailwatch.yaml").write_text("limits: {file_size: 100}\n")
    assert run(capsys, "seed.yaml")[0] == 2
    assert run(capsys, "--max-file-size", "1000000", "seed.yaml")[0] == 1
    (tmp_path / ".cfn-trailwatch.yaml").write_text("limits: {depth: 20000}\n")
    code, _, err = run(capsys, "seed.yaml")
    assert code == 2 and "limits.depth" in err


@pytest.mark.parametrize("value", ["0", "-3", "lots"])
def test_a_bad_limit_is_a_usage_error(capsys, value, tmp_path):
    code, report, err = run(capsys, "--max-nodes", value, tmp_path)
    assert code == 2 and report is None and "--max-nodes" in err


def test_undefined_conditions_and_cycles_fail_closed(tmp_path, capsys):
    path = tmp_path / "cycle.yaml"
    path.write_text(template("!If [A, !GetAtt Group.Arn, !Ref AWS::NoValue]",
                             ("A: !Condition B", "B: !Condition A")))
    code, report, _ = run(capsys, path)
    assert code == 2
    assert [e["message"] for e in report["errors"]] == [
        "trail Trail cannot be analysed: condition cycle: A -> B -> A"]
    path.write_text(template("!If [Missing, !GetAtt Group.Arn, !Ref AWS::NoValue]"))
    code, report, _ = run(capsys, path)
    assert code == 2
    assert [e["message"] for e in report["errors"]] == [
        "trail Trail cannot be analysed: condition Missing is not defined"]
