"""``--fix`` and ``--diff``: every fail fixture of the fixable rules is repaired, or left alone
with the reason when a person has to decide.

Each fixture is fixed on its own *scope* (the rules ``test_fixtures`` compares it on), so a fixture
about a Deny stays byte for byte as it is even though its trail also lacks log file validation.
A repaired fixture (a) gives none of the findings it was about, (b) gives no error of real
cfn-lint's own rules that the original did not, and (c) keeps every line that was not in a
replaced value: the diff is insertions, and replacements only at the values fixed.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch import fix, load, trail
from cfn_trailwatch.cli import main

from helpers import CFN_LINT, write
from test_fixtures import FIXTURES, expected, scope

FIXABLE_FOLDERS = ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "ET1008", "WT2001",
                   "WT2004", "WT2007")
FAIL = sorted(p for folder in FIXABLE_FOLDERS for p in (FIXTURES / folder).glob("fail_*")
              if p.suffix in (".yaml", ".json")) + [FIXTURES / "seed" / "fail_seed_sample.yaml"]
IDS = [str(p.relative_to(FIXTURES)) for p in FAIL]

# Fixtures whose findings need a person, and a word of the reason given.
NOT_FIXABLE = {
    "ET1001/fail_param_default_empty.yaml": "parameter",
    "ET1002/fail_param_default_empty.yaml": "parameter",
    "ET1002/fail_json_param_default_empty.json": "parameter",
    "ET1003/fail_literal_name.yaml": "not in this template",
    "ET1005/fail_deny_cloudtrail.yaml": "Deny",
    "ET1005/fail_trust_policy_not_a_map.yaml": "by hand",
    "ET1006/fail_boundary_denies.yaml": "boundary",
    "ET1006/fail_deny_put.yaml": "Deny",
    "ET1006/fail_statement_without_effect.yaml": "which IAM refuses: correct that policy by hand",
    "ET1006/fail_json_deny_logs_star.json": "Deny",
    "ET1008/fail_param_allowed_values.yaml": "parameter",
    "ET1008/fail_json_param_allowed_values.json": "parameter",
    "WT2001/fail_param_default_short.yaml": "parameter",
    "WT2004/fail_param_allowed_false.yaml": "parameter",
    # a parameter that may take a value the template does not list (values.choices)
    "ET1008/fail_param_unlisted_value.yaml": "parameter",
    "WT2001/fail_param_unlisted_value.yaml": "parameter",
    "WT2004/fail_param_unlisted_value.yaml": "parameter",
    "ET1006/fail_effect_allowed_deny.yaml": "Deny",
    "WT2007/fail_param_allowed_false.yaml": "parameter",
    "WT2007/fail_param_unlisted_value.yaml": "parameter",
    "WT2007/fail_import.yaml": "is computed (!ImportValue org-multi-region): change it by hand",
}
# The values a fix may replace (anything else is only ever inserted around).
REPLACEABLE = ("CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn", "IsLogging",
               "EnableLogFileValidation", "IsMultiRegionTrail", "IncludeGlobalServiceEvents")


def in_scope(path: Path):
    rules = scope(path)
    return lambda finding, data: finding.rule in rules


def fixed(path: Path) -> fix.FileFix:
    return fix.fix_file(str(path), trail.Options(), in_scope(path))


def findings(text: str, name: str) -> set[tuple[str, str]]:
    document = load.load_text(text, name)
    return {(f.rule, f.resource) for f in trail.analyse(document.data).findings}


# --------------------------------------------------------------------------------------------------
# Every fail fixture
# --------------------------------------------------------------------------------------------------

def test_the_not_fixable_list_names_real_fixtures():
    assert set(NOT_FIXABLE) <= set(IDS)


@pytest.mark.parametrize("path", FAIL, ids=IDS)
def test_each_fail_fixture_is_fixed_or_left_alone_with_the_reason(path):
    result = fixed(path)
    name = str(path.relative_to(FIXTURES))
    wanted = {rule for rule, _ in expected(path)}
    if name in NOT_FIXABLE:
        assert not result.changed, "a fixture needing a person must stay byte for byte"
        refused = [c for c in result.changes if not c.fixed]
        assert refused and all(c.rule in wanted or c.rule == "WT1007" for c in refused)
        assert any(NOT_FIXABLE[name] in c.message for c in refused), refused
        return
    assert result.changed
    # (a) none of the findings the fixture is about remain, and each was reported as fixed
    after = {rule for rule, _ in findings(result.text, path.name)}
    assert not wanted & after
    assert {c.rule for c in result.changes if c.fixed} >= wanted
    assert not [c for c in result.changes if c.rule in wanted and not c.fixed]


@pytest.mark.parametrize("path", [p for p, i in zip(FAIL, IDS) if i not in NOT_FIXABLE],
                         ids=[i for i in IDS if i not in NOT_FIXABLE])
def test_a_fix_keeps_every_untouched_line(path):
    """(c): the diff is insertions, and replacements only of lines holding a value the fix
    replaces (from its key's line to the end of the value)."""
    result = fixed(path)
    document = load.load_text(result.original, path.name)
    replaceable: set[int] = set()
    resources = document.data["Resources"]
    paths = [("Resources", r, "Properties", key) for r in resources for key in REPLACEABLE]
    paths += [("Resources", r, "Properties", "RetentionInDays") for r in resources]
    for value_path in paths:
        span = document.span(value_path)
        if span is not None:
            first = document.position(value_path)[0]
            last = result.original.count("\n", 0, span[1]) + 1
            replaceable.update(range(first, last + 1))
    old = result.original.splitlines(keepends=True)
    new = result.text.splitlines(keepends=True)
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        assert tag != "delete", f"lines {i1 + 1}-{i2} were deleted"
        if tag == "replace":
            touched = set(range(i1 + 1, i2 + 1))
            assert touched <= replaceable, f"lines {sorted(touched - replaceable)} changed"


@pytest.fixture(scope="module")
def cfn_lint_errors(tmp_path_factory) -> dict[str, tuple[set, set]]:
    """(b): cfn-lint's own rules (no plugin) on every original and its fixed copy: the E-level
    rule IDs and messages, with numbers taken out (lines, list indexes)."""
    root = tmp_path_factory.mktemp("fixed")
    copies: dict[str, Path] = {}
    for path, name in zip(FAIL, IDS):
        if name in NOT_FIXABLE:
            continue
        copy = root / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(fixed(path).encoded())
        copies[name] = copy

    def errors(files: list[Path]) -> dict[str, set]:
        proc = subprocess.run([*CFN_LINT, "--format", "json", "--", *map(str, files)],
                              capture_output=True, text=True)
        assert "Unknown exception" not in proc.stdout + proc.stderr
        out: dict[str, set] = {str(f): set() for f in files}
        for match in json.loads(proc.stdout or "[]"):
            if match["Rule"]["Id"].startswith("E"):
                message = re.sub(r"\d+", "#", match["Message"])
                out[match["Filename"]].add((match["Rule"]["Id"], message))
        return out

    before = errors([FIXTURES / name for name in copies])
    after = errors(list(copies.values()))
    return {name: (before[str(FIXTURES / name)], after[str(copy)]) for name, copy in copies.items()}


@pytest.mark.parametrize("name", [i for i in IDS if i not in NOT_FIXABLE])
def test_a_fix_adds_no_cfn_lint_error(name, cfn_lint_errors):
    before, after = cfn_lint_errors[name]
    assert after <= before


def test_the_seed_sample_is_repaired(tmp_path, capsys):
    copy = tmp_path / "seed.yaml"
    shutil.copy(FIXTURES / "seed" / "fail_seed_sample.yaml", copy)
    code = main(["--fix", str(copy)])
    out = capsys.readouterr().out
    assert code == 0  # what remains (WT2002, IT2006) is below --fail-on error
    assert f"{copy}:18:7: ET1003 fixed (trail CloudTrail): CloudWatchLogsLogGroupArn: " \
           "!GetAtt CloudWatchLogsGroup.Arn (was !Ref CloudWatchLogsGroup)" in out
    assert f"{copy}:16:7: WT2007 fixed (trail CloudTrail): set IsMultiRegionTrail of " \
           "CloudTrail to true (was false)" in out
    assert f"{copy}: written (3 findings fixed)" in out
    text = copy.read_text()
    assert "CloudWatchLogsLogGroupArn: !GetAtt CloudWatchLogsGroup.Arn   # expect: ET1003" in text
    assert "CloudWatchLogsRoleArn: !GetAtt CloudWatchLogsRole.Arn   # expect: ET1004" in text
    assert "\n      IsMultiRegionTrail: true\n" in text
    assert not {"ET1003", "ET1004", "WT2007"} & {rule for rule, _ in findings(text, "seed.yaml")}


# --------------------------------------------------------------------------------------------------
# --diff applies with patch and gives what --fix writes
# --------------------------------------------------------------------------------------------------

def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_diff_applies_with_patch_and_matches_fix(tmp_path, monkeypatch):
    names = [str(Path("fixtures") / i) for i in IDS]
    for folder in ("by-diff", "by-fix"):
        shutil.copytree(FIXTURES, tmp_path / folder / "fixtures")
    monkeypatch.chdir(tmp_path / "by-diff")
    code_diff, diff, summary = run_cli("--fix", "--diff", *names)
    assert diff.startswith("--- a/fixtures/") and "+++ b/fixtures/" in diff
    assert "would be written" in summary and "written (" not in diff
    untouched = {n: Path(n).read_bytes() for n in names}
    assert all(Path(n).read_bytes() == (FIXTURES.parent / n).read_bytes() for n in names)
    for args in (["--dry-run"], []):
        proc = subprocess.run(["patch", "-p1", "--batch", "--forward", *args], input=diff,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "offset" not in proc.stdout and "fuzz" not in proc.stdout
    monkeypatch.chdir(tmp_path / "by-fix")
    code_fix, out, _ = run_cli("--fix", *names)
    assert code_fix == code_diff
    changed = 0
    for name in names:
        patched = (tmp_path / "by-diff" / name).read_bytes()
        assert patched == (tmp_path / "by-fix" / name).read_bytes(), name
        changed += patched != untouched[name]
    assert changed == out.count(": written (")


def test_diff_writes_nothing_and_prints_only_the_diff(tmp_path):
    path = tmp_path / "t.yaml"
    shutil.copy(FIXTURES / "ET1003" / "fail_ref_log_group.yaml", path)
    before = path.read_bytes()
    code, out, err = run_cli("--diff", str(path))
    assert path.read_bytes() == before
    assert out.startswith("--- a/") and all(line[:1] in "-+ @\\" for line in out.splitlines())
    assert "ET1003 fixed" in err and code == 0


# --------------------------------------------------------------------------------------------------
# Exit codes and the JSON report
# --------------------------------------------------------------------------------------------------

SCHEMA = json.loads((FIXTURES.parent / "docs" / "json-output.schema.json").read_text("utf-8"))


def test_exit_codes(tmp_path):
    good = tmp_path / "good.yaml"
    shutil.copy(FIXTURES / "ET1005" / "fail_ec2_only.yaml", good)
    assert run_cli("--fix", str(good))[0] == 0          # all fixed, nothing failing left
    assert run_cli("--fix", str(good))[0] == 0          # and a second run has nothing to do
    deny = tmp_path / "deny.yaml"
    shutil.copy(FIXTURES / "ET1006" / "fail_deny_put.yaml", deny)
    code, out, _ = run_cli("--fix", str(deny))
    assert code == 1 and "ET1006 not fixed (trail Trail): role TrailRole is denied" in out
    broken = write(tmp_path, "broken.yaml", "Resources:\n  A: [\n")
    assert run_cli("--fix", str(broken), str(good))[0] == 2
    assert run_cli("--fix", "--diff", "--format", "json", str(good))[0] == 2  # usage error


def test_json_report_lists_the_fixes(tmp_path):
    path = tmp_path / "t.json"
    shutil.copy(FIXTURES / "ET1003" / "fail_json_ref_log_group.json", path)
    code, out, _ = run_cli("--fix", "--format", "json", str(path))
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 0
    [entry] = report["fixes"]
    assert entry["file"] == str(path) and entry["status"] == "written" and entry["reason"] is None
    et1003 = [c for c in entry["changes"] if c["rule"] == "ET1003"]
    assert et1003 == [{"rule": "ET1003", "resource": "Trail", "line": 52, "column": 9,
                       "fixed": True, "message": et1003[0]["message"]}]
    assert not [f for f in report["findings"] if f["rule"] == "ET1003"]


def test_suppressed_and_disabled_findings_are_left_alone(tmp_path):
    text = (FIXTURES / "ET1008" / "fail_false.yaml").read_text()
    text = text.replace("    Type: AWS::CloudTrail::Trail\n",
                        "    Type: AWS::CloudTrail::Trail\n    Metadata:\n      cfn-lint:\n"
                        "        config:\n          ignore_checks: [ET1008]\n")
    path = write(tmp_path, "t.yaml", text)
    config = write(tmp_path, "c.yaml", "disable: [WT2004, WT2007]\n")
    code, out, _ = run_cli("--fix", "--config", str(config), str(path))
    assert path.read_text() == text and "ET1008" not in out and code == 0


# --------------------------------------------------------------------------------------------------
# What the fixes write
# --------------------------------------------------------------------------------------------------

CONDITIONAL = """\
Conditions:
  HasTrail: !Equals [!Ref 'AWS::Region', us-east-1]
Parameters:
  TrailLogGroup: {Type: String, Default: x}
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Condition: HasTrail
    Properties:
      S3BucketName: my-trail-bucket
      IsLogging: true
      EnableLogFileValidation: true
      IsOrganizationTrail: true
      TrailName: audit
"""


def test_new_resources_carry_the_condition_and_never_collide(tmp_path):
    result = fix.fix_text(CONDITIONAL, "t.yaml")
    data = load.load_text(result.text, "t.yaml").data
    group, role = data["Resources"]["TrailLogGroup2"], data["Resources"]["TrailLogsRole"]
    assert group["Condition"] == role["Condition"] == "HasTrail"
    assert group["Properties"] == {"RetentionInDays": 365}
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/audit"}
    grant = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert grant["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    # an organization trail's streams are named after the organization ID, not in the template
    assert grant["Resource"]["Fn::Sub"].endswith(":log-group:${TrailLogGroup2}:log-stream:*")
    # what needs a person remains: a KMS key and an alarm on the new group
    assert findings(result.text, "t.yaml") == {("WT2002", "Trail"), ("IT2009", "Trail")}


def test_the_configured_retention_is_rounded_to_a_value_cloudwatch_accepts(tmp_path):
    path = tmp_path / "t.yaml"
    shutil.copy(FIXTURES / "WT2001" / "fail_retention_30.yaml", path)
    config = write(tmp_path, "c.yaml", "rules:\n  WT2001:\n    min_retention_days: 500\n")
    assert run_cli("--fix", "--config", str(config), str(path))[0] == 0
    assert "      RetentionInDays: 545\n" in path.read_text()


def test_json_keeps_its_indentation_and_line_breaks(tmp_path):
    original = (FIXTURES / "ET1002" / "fail_json_absent.json").read_text()
    four = json.dumps(json.loads(original), indent=4).replace("\n", "\r\n")
    result = fix.fix_text(four, "t.json")
    assert result.changed and "\n" not in result.text.replace("\r\n", "")
    for line in result.text.split("\r\n"):
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 4 == 0, line
    assert json.loads(result.text)["Resources"]["TrailLogsRole"]["Type"] == "AWS::IAM::Role"
    old = four.split("\r\n")
    new = result.text.split("\r\n")
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert {tag for tag, *_ in ops} <= {"equal", "insert"}


def test_yaml_long_form_and_a_byte_order_mark_are_kept(tmp_path):
    text = (FIXTURES / "ET1003" / "fail_ref_log_group.yaml").read_text()
    text = text.replace("!GetAtt TrailLogGroup.Arn", "{Fn::GetAtt: [TrailLogGroup, Arn]}")
    text = text.replace(" !Ref TrailLogGroup   #", "\n        Ref: TrailLogGroup   #")
    text = text.replace("!GetAtt TrailRole.Arn", "{Fn::GetAtt: [TrailRole, Arn]}")
    text = text.replace("!Ref TrailBucket", "{Ref: TrailBucket}")
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert run_cli("--fix", str(path))[0] == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"!" not in raw.split(b"\n", 1)[1]
    assert "      CloudWatchLogsLogGroupArn:\n        Fn::GetAtt:\n          - TrailLogGroup\n" \
           "          - Arn   # expect: ET1003\n" in raw.decode("utf-8-sig")


DENIED_BUCKET = (FIXTURES / "ET1003" / "fail_getatt_bucket_arn.yaml").read_text().replace(
    '                Resource: "*"\n',
    '                Resource: "*"\n              - Effect: Deny\n'
    '                Action: logs:*\n                Resource: "*"\n')


def test_a_fix_that_would_give_a_new_finding_is_not_written():
    """A new log group for a trail whose role is denied logs:*: ET1003 could be fixed, but the
    result would then give ET1006 (the Deny), so nothing is written and the output says why."""
    result = fix.fix_text(DENIED_BUCKET, "t.yaml")
    assert not result.changed
    assert result.reason.startswith("the fixed template would give ET1006")
    assert [c.fixed for c in result.changes if c.rule == "ET1003"] == [False]


def test_one_trail_refused_does_not_stop_another():
    text = DENIED_BUCKET + ("  Other:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
                            "      S3BucketName: !Ref TrailBucket\n      IsLogging: false\n")
    result = fix.fix_text(text, "t.yaml", counts=lambda f, d: f.resource == "Trail"
                          or f.rule == "ET1008")
    assert result.changed
    assert result.text == text.replace("IsLogging: false", "IsLogging: true")
    states = {(c.trail, c.rule): (c.fixed, c.message) for c in result.changes}
    assert states[("Other", "ET1008")][0] is True
    assert states[("Trail", "ET1003")] == (False, "the fixed template would give ET1006: "
                                                  + states[("Trail", "ET1003")][1].split(": ", 1)[1])


def test_a_yaml_anchor_is_not_replaced_and_compact_json_is_edited_inline():
    anchored = (FIXTURES / "WT2001" / "fail_retention_30.yaml").read_text().replace(
        "RetentionInDays: 30", "RetentionInDays: &days 30")
    result = fix.fix_text(anchored, "t.yaml")
    assert not result.changed
    assert [c.message for c in result.changes if c.rule == "WT2001"] == [
        "TrailLogs/Properties/RetentionInDays is a YAML anchor that other values refer to: "
        "change it by hand"]
    compact = json.dumps(json.loads((FIXTURES / "ET1008" / "fail_json_false.json").read_text()))
    result = fix.fix_text(compact, "t.json")
    assert result.text.count("\n") == 0 and '"IsLogging": true' in result.text
    # what needs a person remains: a KMS key and an alarm on the new group
    assert findings(result.text, "t.json") == {("WT2002", "Trail"), ("IT2009", "Trail")}


def test_document_span_gives_where_a_value_stands():
    text = "a: !If [C, 1, 2]   # x\nb:\n  c:\n    - x\n    - y\n\n# tail\nd: |\n  lit\n\ne: 1\n"
    document = load.load_text(text, "t.yaml")
    spans = {path: document.span(path) for path in
             [("a",), ("a", "Fn::If", 2), ("b",), ("b", "c", 1), ("d",), ("zz",), ("b", "c", 5)]}
    shown = {path: span and text[span[0]:span[1]] for path, span in spans.items()}
    assert shown == {("a",): "!If [C, 1, 2]", ("a", "Fn::If", 2): "2", ("b",): "c:\n    - x\n    - y",
                     ("b", "c", 1): "y", ("d",): "|\n  lit", ("zz",): None, ("b", "c", 5): None}
    json_text = '{"a": {"Fn::If": ["C", 1, [2, 3]]}, "b": "x"}'
    document = load.load_text(json_text, "t.json")
    start, end = document.span(("a", "Fn::If", 2))
    assert json_text[start:end] == "[2, 3]" and document.span(("c",)) is None


UNLINKED = """\
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
    Properties:
      S3BucketName: bucket
      IsLogging: true
      EnableLogFileValidation: true
"""


def test_a_trail_naming_no_role_gets_the_log_group_of_the_role_it_will_be_given():
    """The trail names neither: it is given the one role that trusts CloudTrail, so its log group
    is the one that role may write to (a new one used to be made beside it, and a grant for it)."""
    result = fix.fix_text(UNLINKED, "t.yaml")
    assert result.text == UNLINKED + ("      IsMultiRegionTrail: true\n"
                                      "      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn\n"
                                      "      CloudWatchLogsRoleArn: !GetAtt Role.Arn\n")
    assert [c.message for c in result.changes if c.rule == "ET1001"] == [
        "CloudWatchLogsLogGroupArn: !GetAtt Group.Arn: log group Group, the one the trail's role "
        "may write to"]
