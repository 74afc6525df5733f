"""Fuzzing, bounded for CI: hostile templates through the CLI and through cfn-lint with our rules.

For every case (see ``fuzz_strategies``): no exception escapes ``cli.main``; the exit code is 0,
1 or 2 and the one the report implies; the output is one JSON document valid against
docs/json-output.schema.json; no message says "internal error"; cfn-lint never reports a crash of
our rules nor a WT1007 "internal error"; and when cfn-lint could decode the template and the CLI
read it without a file error, both report the same set of (rule, line). Runs are derandomized,
so CI sees the same cases every time; ``tools/fuzz.py`` runs the same properties on many more.

Bugs the fuzzer found and that are not fixed yet are kept below as ``xfail(strict=True)``
regression examples: once fixed, the example passes, the strict xfail fails, and the mark (and
the bug's entry in ``fuzz_strategies.KNOWN_BUGS``) is removed.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings

import fuzz_strategies as fs

CI = settings(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def oracle():
    import logging

    logger = logging.getLogger("cfnlint")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # cfn-lint logs each file it cannot decode
    with fs.Oracle() as oracle:
        yield oracle
    logger.setLevel(level)


def holds(oracle: fs.Oracle, case: fs.Case) -> fs.Outcome:
    outcome = oracle.check(case, parity=True)
    assert not outcome.problems, (f"{case.label}\n--- template ---\n{case.text()[:4000]}\n"
                                  "--- failed ---\n" + "\n".join(outcome.problems))
    return outcome


@settings(CI, max_examples=60)
@given(case=fs.generated_templates())
def test_generated_templates(oracle, case):
    holds(oracle, case)


@settings(CI, max_examples=50)
@given(case=fs.fixture_mutations())
def test_mutated_fixtures(oracle, case):
    holds(oracle, case)


@settings(CI, max_examples=40)
@given(case=fs.text_corruptions())
def test_corrupted_text(oracle, case):
    holds(oracle, case)


# --- the generator itself --------------------------------------------------------------------

def test_short_and_long_form_yaml_read_back_the_same():
    """The short-form emitter writes tags the loader turns back into the same long form, and
    both forms (and JSON) come out over a few seeds."""
    from cfn_trailwatch import load

    data = {"Resources": {"T": {"Type": "AWS::CloudTrail::Trail", "Properties": {
        "A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["R", "Arn"]},
        "C": {"Fn::Sub": ["${V}", {"V": {"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]}}]},
        "D": {"Fn::Join": [":", ["a", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]}}}}}
    seen = set()
    for number in range(30):
        for style in fs.STYLES:
            content, suffix = fs.serialise(data, style, random.Random(number))
            text = content.decode()
            assert load.load_text(text, "x" + suffix).data == data, text
            seen.update(tag for tag in ("!Ref X", "!GetAtt R.Arn", "!GetAtt\n", "Fn::If", "!If")
                        if tag in text)
    assert seen >= {"!Ref X", "!GetAtt R.Arn", "Fn::If", "!If"}


def test_fixtures_are_readable_by_the_mutator():
    assert len(fs.fixtures()) >= 100


@settings(CI, max_examples=8)
@given(case=fs.explosive_templates(max_depth=3))
def test_explosive_templates(oracle, case):
    """Many parameters, conditions and nested Fn::If (kept shallow here: see the bug below);
    without cfn-lint, which takes seconds on each."""
    outcome = oracle.check(case, parity=False)
    assert not outcome.problems, "\n".join(outcome.problems)


# --- bugs the fuzzer found (regression examples; remove the mark once fixed) -----------------

def _known_or_new(outcome: fs.Outcome) -> list[str]:
    return outcome.problems + [p for hits in outcome.known.values() for p in hits]


def test_bug_empty_logical_id(oracle):
    case = fs.Case(b'Resources:\n  "":\n    Type: AWS::CloudTrail::Trail\n'
                   b'    Properties: {S3BucketName: b, IsLogging: true}\n', ".yaml", "regression")
    assert _known_or_new(oracle.check(case)) == []


def test_bug_json_lone_cr_lines(oracle):
    text = ('{\r "Resources": {\r  "Trail": {\r   "Type": "AWS::CloudTrail::Trail",\r'
            '   "Properties": {\r    "S3BucketName": "b",\r    "IsLogging": true\r   }\r  }\r }\r}\r')
    outcome = oracle.check(fs.Case(text.encode(), ".json", "regression"))
    assert {(f["rule"], f["line"]) for f in outcome.report["findings"]} >= {("ET1001", 5)}
    assert _known_or_new(outcome) == []


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_json_unicode_line_breaks_count_as_cfn_lint_counts(oracle, separator):
    text = ('{\n "Description": "a' + separator + 'b",\n "Resources": {\n  "Trail": {\n'
            '   "Type": "AWS::CloudTrail::Trail",\n   "Properties": {\n'
            '    "S3BucketName": "b",\n    "IsLogging": true\n   }\n  }\n }\n}\n')
    outcome = oracle.check(fs.Case(text.encode(), ".json", "regression"))
    # cfn-lint reads JSON with its YAML loader, which counts NEL, LS and PS as line breaks.
    assert {(f["rule"], f["line"]) for f in outcome.report["findings"]} >= {("ET1001", 7)}
    assert _known_or_new(outcome) == []


def test_bug_select_with_a_null_index(oracle):
    # The 100,000-case run on db675ac: `Fn::Select: [null, [...]]` raised TypeError inside the
    # resolver, an internal error instead of the located "not a number" error.
    text = ('Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n'
            '      S3BucketName: b\n      IsLogging: true\n'
            '      CloudWatchLogsLogGroupArn: {"Fn::Select": [null, [!GetAtt G.Arn]]}\n'
            '  G: {Type: AWS::Logs::LogGroup}\n')
    outcome = oracle.check(fs.Case(text.encode(), ".yaml", "regression"))
    assert _known_or_new(outcome) == []
    assert [e["message"] for e in outcome.report["errors"]] == [
        "trail Trail cannot be analysed: Fn::Select index None is not a number"]


def _nested_if_chain(levels: int) -> dict:
    """A trail whose log group ARN and role ARN are each a full tree of Fn::If over ``levels``
    independent conditions: 2**levels branches each, 4**levels along the chain."""
    def nest(depth: int, leaf: dict, prefix: str) -> dict:
        if depth == 0:
            return leaf
        return {"Fn::If": [f"{prefix}{depth}", nest(depth - 1, leaf, prefix),
                           nest(depth - 1, leaf, prefix)]}

    names = [f"G{i}" for i in range(1, levels + 1)] + [f"R{i}" for i in range(1, levels + 1)]
    return {
        "Parameters": {f"P{n}": {"Type": "String", "Default": "a", "AllowedValues": ["a", "b"]}
                       for n in names},
        "Conditions": {n: {"Fn::Equals": [{"Ref": f"P{n}"}, "a"]} for n in names},
        "Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"}}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": {"Fn::GetAtt": ["Logs", "Arn"]}}]}}]}},
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
                "S3BucketName": "b", "IsLogging": True,
                "CloudWatchLogsLogGroupArn": nest(levels, {"Fn::GetAtt": ["Logs", "Arn"]}, "G"),
                "CloudWatchLogsRoleArn": nest(levels, {"Fn::GetAtt": ["Role", "Arn"]}, "R")}}}}


def test_scenarios_along_the_chain_are_bounded(tmp_path, capsys):
    """Found by fuzzing: each ARN alone stays under the bound, but their scenarios multiply
    along the chain (4**7 here). The analysis stops at the bound and says so (fail closed)."""
    import json

    import yaml

    from cfn_trailwatch.cli import main

    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(_nested_if_chain(7), sort_keys=False))
    code = main(["--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert [e["message"] for e in report["errors"]] == [
        "analysis limit exceeded for trail Trail: more than 256 scenarios along the chain "
        "(--max-scenarios)"]
