"""``--fix`` for WT2007 (a trail that is not multi-region, or leaves out global service events),
and ``--fix`` with the opt-in monitoring rules WT3001-WT3014, which it never writes.

WT2007's fix sets each property a finding is anchored at to true: ``IsMultiRegionTrail`` (added
when missing), ``IncludeGlobalServiceEvents`` (when false; absent it is true already). A value from
a parameter, an import or another intrinsic is refused, as for the other settings; an ``!If`` of
literals is fixed branch by branch. The two properties go together: a trail made multi-region
that still leaves out global service events could not be created, so when one cannot be set
neither is.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch import fix, load, trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.findings import Finding

from helpers import write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMA = json.loads((FIXTURES.parent / "docs" / "json-output.schema.json").read_text("utf-8"))


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def rules_after(text: str, name: str = "t.yaml") -> set[str]:
    return {f.rule for f in trail.analyse(load.load_text(text, name).data).findings}


def only_wt2007(finding: Finding, data: object) -> bool:
    return finding.rule == "WT2007"


def wt2007(result: fix.FileFix) -> list[tuple[str, bool, str]]:
    return [(c.trail, c.fixed, c.message) for c in result.changes if c.rule == "WT2007"]


# --------------------------------------------------------------------------------------------------
# What is written
# --------------------------------------------------------------------------------------------------

# A trail with every other rule satisfied but IT2009 (info): WT2007 is the only warning.
TRAIL = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true{multi}
      S3BucketName: my-trail-bucket   # the bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn{global_}
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: !Sub 'arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/1234abcd-12ab-34cd-56ef-1234567890ab'
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: cloudtrail.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
"""


def trail_text(multi: str | None = None, global_: str | None = None) -> str:
    return TRAIL.format(multi=f"\n      IsMultiRegionTrail: {multi}" if multi is not None else "",
                        global_=f"\n      IncludeGlobalServiceEvents: {global_}"
                        if global_ is not None else "")


@pytest.mark.parametrize("multi, global_, fixed_multi, fixed_global, message", [
    ("false   # one region", None, "true   # one region", None,
     "set IsMultiRegionTrail of Trail to true (was false)"),
    ("'false'", None, "true", None, "set IsMultiRegionTrail of Trail to true (was false)"),
    ("!Ref AWS::NoValue", None, "true", None,
     "set IsMultiRegionTrail of Trail to true (was !Ref 'AWS::NoValue')"),
    ("true", "false", "true", "true",
     "set IncludeGlobalServiceEvents of Trail to true (was false)"),
    ("false", "false", "true", "true",
     "set IsMultiRegionTrail of Trail to true (was false); set IncludeGlobalServiceEvents of "
     "Trail to true (was false)"),
])
def test_a_literal_false_is_replaced_in_place(multi, global_, fixed_multi, fixed_global, message):
    text = trail_text(multi, global_)
    result = fix.fix_text(text, "t.yaml")
    assert result.text == trail_text(fixed_multi, fixed_global)
    assert wt2007(result) == [("Trail", True, message)]
    assert "WT2007" not in rules_after(result.text)


def test_a_missing_is_multi_region_trail_is_added_after_the_last_property():
    result = fix.fix_text(trail_text(), "t.yaml")
    assert result.text == trail_text().replace(
        "      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn\n",
        "      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn\n      IsMultiRegionTrail: true\n")
    assert wt2007(result) == [("Trail", True, "set IsMultiRegionTrail of Trail to true")]
    assert "WT2007" not in rules_after(result.text)


def test_include_global_service_events_absent_is_left_absent():
    """Absent, it is true: only IsMultiRegionTrail is written."""
    result = fix.fix_text(trail_text("false"), "t.yaml")
    assert "IncludeGlobalServiceEvents" not in result.text
    assert result.text == trail_text("true")


def test_crlf_and_a_flow_mapping_keep_their_form():
    text = trail_text("false", "false").replace("\n", "\r\n")
    result = fix.fix_text(text, "t.yaml")
    assert result.text == trail_text("true", "true").replace("\n", "\r\n")
    flow = ("Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"
            "    Properties: {S3BucketName: b, IsLogging: true, IsMultiRegionTrail: false}\n")
    result = fix.fix_text(flow, "t.yaml", counts=only_wt2007)
    assert result.text == flow.replace("IsMultiRegionTrail: false", "IsMultiRegionTrail: true")
    added = fix.fix_text(flow.replace(", IsMultiRegionTrail: false", ""), "t.yaml",
                         counts=only_wt2007)
    assert added.text == flow.replace("IsMultiRegionTrail: false", "IsMultiRegionTrail: true")


def test_an_if_of_literals_is_fixed_branch_by_branch_as_for_the_other_settings():
    """``[when Scope='home']``: the branch that fails is set, and an ``!If`` whose branches all
    end up true becomes true (docs/fix.md), as ``IsLogging: !If [C, true, false]`` does."""
    path = FIXTURES / "WT2007" / "fail_condition_false.yaml"
    text = path.read_text()
    [finding] = [f for f in trail.analyse(load.load_text(text, path.name).data).findings
                 if f.rule == "WT2007"]
    assert finding.message.endswith("[when Everywhere=false, Scope='home']")
    result = fix.fix_text(text, path.name, counts=only_wt2007)
    assert result.text == text.replace("IsMultiRegionTrail: !If [Everywhere, true, false]",
                                       "IsMultiRegionTrail: true")
    kept = text.replace("!If [Everywhere, true, false]", "!If [Everywhere, !Ref AWS::NoValue, "
                                                          "false]")
    result = fix.fix_text(kept.replace("IsMultiRegionTrail", "IncludeGlobalServiceEvents")
                          .replace("    Properties:\n", "    Properties:\n"
                                   "      IsMultiRegionTrail: true\n", 1),
                          path.name, counts=only_wt2007)
    assert "IncludeGlobalServiceEvents: !If [Everywhere, !Ref AWS::NoValue, true]" in result.text
    assert "WT2007" not in rules_after(result.text)


JSON_FALSE = FIXTURES / "WT2007" / "fail_json_false.json"


def test_json_is_edited_in_its_own_layout():
    text = JSON_FALSE.read_text()
    result = fix.fix_text(text, "t.json", counts=only_wt2007)
    assert result.text == text.replace('"IsMultiRegionTrail": false,', '"IsMultiRegionTrail": true,')
    assert "WT2007" not in rules_after(result.text, "t.json")
    # missing: a member of its own before the last one, so no existing line changes
    absent = text.replace('        "IsMultiRegionTrail": false,\n', "")
    result = fix.fix_text(absent, "t.json", counts=only_wt2007)
    assert result.text == absent.replace('        "CloudWatchLogsRoleArn": {\n',
                                         '        "IsMultiRegionTrail": true,\n'
                                         '        "CloudWatchLogsRoleArn": {\n')
    # on one line
    compact = json.dumps(json.loads(text))
    result = fix.fix_text(compact, "t.json", counts=only_wt2007)
    assert result.text == compact.replace('"IsMultiRegionTrail": false', '"IsMultiRegionTrail": true')
    assert "WT2007" not in rules_after(result.text, "t.json")


def test_two_trails_each_fixed_and_a_second_lint_gives_no_wt2007(tmp_path):
    path = tmp_path / "t.yaml"
    shutil.copy(FIXTURES / "WT2007" / "fail_data_trail_beside_single_region.yaml", path)
    original = path.read_text()
    code, out, _ = run_cli("--fix", "--fail-on", "warning", str(path))
    assert code == 0
    assert path.read_text() == original.replace("IsMultiRegionTrail: false",
                                                "IsMultiRegionTrail: true")
    assert f"{path}:7:7: WT2007 fixed (trail Trail): set IsMultiRegionTrail of Trail to true " \
           "(was false)\n" in out
    assert f"{path}:20:7: WT2007 fixed (trail DataTrail): set IsMultiRegionTrail of DataTrail " \
           "to true (was false)\n" in out
    assert f"{path}: written (2 findings fixed)\n" in out
    code, out, _ = run_cli("--fail-on", "warning", str(path))
    assert code == 0 and "WT2007" not in out


# --------------------------------------------------------------------------------------------------
# The command line: exit code, text and JSON report
# --------------------------------------------------------------------------------------------------

def test_fix_through_the_command_line(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(trail_text("false"))
    assert run_cli("--fail-on", "warning", str(path))[0] == 1
    code, out, _ = run_cli("--fix", "--fail-on", "warning", str(path))
    assert code == 0   # what remains, IT2009, is info
    assert out.startswith(
        f"{path}:7:7: WT2007 fixed (trail Trail): set IsMultiRegionTrail of Trail to true "
        "(was false)\n"
        f"{path}:10:7: IT2009 not fixed (trail Trail): ")
    assert f"{path}: written (1 finding fixed)\n" in out
    assert path.read_text() == trail_text("true")
    code, out, _ = run_cli("--fail-on", "warning", str(path))
    assert code == 0 and "WT2007" not in out


def test_the_json_report_lists_the_wt2007_change(tmp_path):
    path = tmp_path / "t.json"
    shutil.copy(JSON_FALSE, path)
    code, out, _ = run_cli("--fix", "--format", "json", "--fail-on", "warning", str(path))
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 0
    [entry] = report["fixes"]
    assert (entry["file"], entry["status"], entry["reason"]) == (str(path), "written", None)
    assert [c for c in entry["changes"] if c["rule"] == "WT2007"] == [
        {"rule": "WT2007", "resource": "Trail", "line": 8, "column": 9, "fixed": True,
         "message": "set IsMultiRegionTrail of Trail to true (was false)"}]
    assert not [f for f in report["findings"] if f["rule"] == "WT2007"]


def test_diff_prints_the_change_and_writes_nothing(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(trail_text("false", "false"))
    code, out, err = run_cli("--diff", str(path))
    assert path.read_text() == trail_text("false", "false") and code == 0
    assert "-      IsMultiRegionTrail: false\n+      IsMultiRegionTrail: true\n" in out
    assert "-      IncludeGlobalServiceEvents: false\n+      IncludeGlobalServiceEvents: true\n" \
        in out
    assert "WT2007 fixed (trail Trail)" in err


# --------------------------------------------------------------------------------------------------
# Refusals: the file is not touched for WT2007, and the reason is given
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [
    ("fail_param_allowed_false.yaml", "IsMultiRegionTrail of Trail comes from parameter "
                                      "MultiRegion: change its Default and AllowedValues, or the "
                                      "value deployed, by hand"),
    ("fail_param_unlisted_value.yaml", "IsMultiRegionTrail of Trail comes from parameter "
                                       "MultiRegion: change its Default and AllowedValues, or the "
                                       "value deployed, by hand"),
    ("fail_import.yaml", "IsMultiRegionTrail of Trail is computed (!ImportValue "
                         "org-multi-region): change it by hand"),
])
def test_a_value_known_only_at_deployment_is_refused(tmp_path, name, reason):
    path = tmp_path / name
    shutil.copy(FIXTURES / "WT2007" / name, path)
    before = path.read_bytes()
    code, out, _ = run_cli("--fix", "--fail-on", "warning", str(path))
    assert path.read_bytes() == before and code == 1
    assert f"WT2007 not fixed (trail Trail): {reason}\n" in out
    assert f"{path}: written" not in out


def test_an_if_with_a_parameter_in_a_branch_is_refused():
    text = trail_text("!If [Everywhere, !Ref Wide, false]").replace(
        "Resources:\n", "Parameters:\n  Wide: {Type: String, AllowedValues: ['true', 'false']}\n"
                        "  Scope: {Type: String, AllowedValues: [all, home]}\n"
                        "Conditions:\n  Everywhere: !Equals [!Ref Scope, all]\nResources:\n", 1)
    result = fix.fix_text(text, "t.yaml")
    assert not result.changed
    assert wt2007(result) == [("Trail", False, "IsMultiRegionTrail of Trail comes from parameter "
                                               "Wide: change its Default and AllowedValues, or the "
                                               "value deployed, by hand")]


def test_a_yaml_anchor_is_refused():
    text = trail_text("&regions false").replace("      EnableLogFileValidation: true\n",
                                                "      EnableLogFileValidation: true\n"
                                                "      Tags:\n        - Key: regions\n"
                                                "          Value: *regions\n")
    result = fix.fix_text(text, "t.yaml")
    assert not result.changed
    assert wt2007(result) == [("Trail", False, "Trail/Properties/IsMultiRegionTrail is a YAML "
                                               "anchor that other values refer to: change it by "
                                               "hand")]


def test_both_properties_or_neither():
    """IsMultiRegionTrail could be set, IncludeGlobalServiceEvents not (an anchor): setting the
    first alone would make a trail CloudTrail refuses to create, so neither is written, even
    though another fix of the same trail (WT2004) is."""
    text = trail_text("false", "&global false").replace(
        "EnableLogFileValidation: true", "EnableLogFileValidation: false").replace(
        "      IncludeGlobalServiceEvents: &global false\n",
        "      IncludeGlobalServiceEvents: &global false\n      Tags:\n        - Key: global\n"
        "          Value: *global\n")
    result = fix.fix_text(text, "t.yaml")
    assert result.text == text.replace("EnableLogFileValidation: false",
                                       "EnableLogFileValidation: true")
    assert wt2007(result) == [("Trail", False, "Trail/Properties/IncludeGlobalServiceEvents is a "
                                               "YAML anchor that other values refer to: change it "
                                               "by hand")]
    assert [(c.rule, c.fixed) for c in result.changes if c.rule == "WT2004"] == [("WT2004", True)]


@pytest.mark.parametrize("line_break", ["\r", "\u2028", "\x85"])
def test_a_file_with_other_line_breaks_is_not_rewritten(line_break):
    """The loader counts a bare CR (and NEL, U+2028) as a line break as cfn-lint does; the edits
    place text by line and column, so such a file is left alone and the reason given (it used
    to be an "internal error while fixing")."""
    if line_break == "\r":
        text, name = trail_text("false").replace("\n", "\r"), "t.yaml"
    else:  # in a JSON string, where JSON allows it
        text, name = JSON_FALSE.read_text().replace("one region's", f"one{line_break}region's"), \
            "t.json"
        assert json.loads(text)
    result = fix.fix_text(text, name)
    assert not result.changed
    reason = ("only files whose lines end in \\n or \\r\\n are rewritten (this one has a bare "
              "\\r, NEL, U+2028 or U+2029 line break)")
    assert result.reason == reason
    assert wt2007(result) == [("Trail", False, reason)]
    assert not any("internal error" in c.message for c in result.changes)


def test_only_the_findings_being_fixed_are_fixed(tmp_path):
    """A suppressed or disabled WT2007 is neither fixed nor listed."""
    text = trail_text("false").replace(
        "    Type: AWS::CloudTrail::Trail\n",
        "    Type: AWS::CloudTrail::Trail\n    Metadata:\n      cfn-lint:\n        config:\n"
        "          ignore_checks: [WT2007]\n")
    path = write(tmp_path, "t.yaml", text)
    code, out, _ = run_cli("--fix", str(path))
    assert path.read_text() == text and "WT2007" not in out and code == 0
    path = write(tmp_path, "u.yaml", trail_text("false"))
    config = write(tmp_path, "c.yaml", "disable: [WT2007]\n")
    code, out, _ = run_cli("--fix", "--config", str(config), str(path))
    assert path.read_text() == trail_text("false") and "WT2007" not in out and code == 0
    # another trail's WT2007 is fixed, the suppressed one's not
    both = text + ("  Other:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
                   "      IsLogging: true\n      S3BucketName: b\n      EnableLogFileValidation: "
                   "true\n      IsMultiRegionTrail: false\n")
    path = write(tmp_path, "v.yaml", both)
    code, out, _ = run_cli("--fix", str(path))
    assert path.read_text().startswith(text)   # the suppressed trail as it was
    assert "      IsMultiRegionTrail: true\n" in path.read_text()[len(text):]
    assert "WT2007 fixed (trail Other)" in out and "WT2007 not fixed" not in out
    assert "fixed (trail Trail): set IsMultiRegionTrail" not in out


def test_the_fixtures_are_fixed_or_refused():
    refused = {"fail_param_allowed_false.yaml", "fail_param_unlisted_value.yaml",
               "fail_import.yaml"}
    paths = sorted(p for p in (FIXTURES / "WT2007").glob("fail_*") if p.suffix in (".yaml", ".json"))
    assert {p.name for p in paths} >= refused and len(paths) > len(refused)
    for path in paths:
        result = fix.fix_file(str(path), trail.Options(), only_wt2007)
        changes = [c for c in result.changes if c.rule == "WT2007"]
        assert changes, path.name
        if path.name in refused:
            assert not result.changed and not any(c.fixed for c in changes), path.name
            continue
        assert result.changed and all(c.fixed for c in changes), (path.name, changes)
        assert "WT2007" not in rules_after(result.text, path.name), path.name


# --------------------------------------------------------------------------------------------------
# WT3001-WT3014: never written by --fix, each reported as not fixed with the reason
# --------------------------------------------------------------------------------------------------

FILTER = """\
  RootFilter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref TrailLogs
      FilterPattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }'
      MetricTransformations:
        - {MetricNamespace: CIS, MetricName: Root, MetricValue: '1'}
"""


def test_monitoring_findings_are_listed_as_not_fixed_with_the_reason(tmp_path):
    path = write(tmp_path, "t.yaml", trail_text("false") + FILTER)
    code, out, _ = run_cli("--fix", "--include-checks", "WT3", str(path))
    assert code == 0   # warnings remain, below --fail-on error
    assert path.read_text() == trail_text("true") + FILTER
    lines = [line for line in out.splitlines() if " WT30" in line and "fixed (trail" in line]
    assert [line.split(": ", 2)[1].split()[0] for line in lines] == [
        f"WT30{n:02d}" for n in range(1, 15)]
    for n, line in enumerate(lines, start=1):
        assert f" WT30{n:02d} not fixed (trail Trail): complete the CloudWatch.{n} chain (" in line
        assert "who is alerted (the subscriber's endpoint) are a person's choice" in line
    assert f"{path}: written (1 finding fixed)\n" in out
    # they are still reported, as the template now is: none was hidden by the fix
    reported = {line.split(": ", 2)[1].split()[0] for line in out.splitlines()
                if " Trail Trail: CloudWatch." in line}
    assert reported == {f"WT30{n:02d}" for n in range(1, 15)}


def test_monitoring_findings_in_the_json_report(tmp_path):
    path = write(tmp_path, "t.yaml", trail_text("false") + FILTER)
    code, out, _ = run_cli("--fix", "--format", "json", "--include-checks", "WT3001",
                           "--include-checks", "WT3002", str(path))
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    [entry] = report["fixes"]
    changes = {c["rule"]: c for c in entry["changes"]}
    assert changes["WT2007"]["fixed"] is True
    for rule, number, title in (("WT3001", 1, "root user usage"),
                                ("WT3002", 2, "unauthorized API calls")):
        assert changes[rule]["fixed"] is False
        assert changes[rule]["message"] == fix.MANUAL[rule]
        assert fix.MANUAL[rule].startswith(f"complete the CloudWatch.{number} chain ({title}) "
                                           "by hand: ")
    assert not {"WT3003", "WT3014"} & set(changes)   # not asked for


def test_a_delivery_fix_is_not_undone_by_the_monitoring_findings_it_reveals(tmp_path):
    """A trail without a log group fails every control "whatever its metric filters"; once
    fixed, the controls are checked on the new log group and fail there: the same findings, a
    new reason, not something the fix broke."""
    path = tmp_path / "t.yaml"
    shutil.copy(FIXTURES / "ET1001" / "fail_absent.yaml", path)
    code, out, _ = run_cli("--fix", "--include-checks", "WT3", str(path))
    assert code == 0 and f"{path}: written (" in out
    assert "ET1001 fixed (trail Trail)" in out and "the fixed template would give" not in out
    assert out.count(" not fixed (trail Trail): complete the CloudWatch.") == 14


def test_every_monitoring_fixture_survives_fix(tmp_path):
    copies = []
    for folder in sorted(FIXTURES.glob("WT30*")):
        for fixture in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.json")):
            copy = tmp_path / folder.name / fixture.name
            copy.parent.mkdir(exist_ok=True)
            shutil.copy(fixture, copy)
            copies.append(copy)
    assert copies
    code, out, err = run_cli("--fix", "--format", "json", "--include-checks", "WT3",
                             *map(str, copies))
    assert code in (0, 1), err
    report = json.loads(out)
    assert not report.get("errors"), report.get("errors")
    listed = {(c["rule"], entry["file"], c["resource"]): c for entry in report["fixes"]
              for c in entry["changes"]}
    # a suppressed finding is left alone by --fix (pass_standalone_suppressed_on_the_filter)
    monitoring = [f for f in report["findings"]
                  if f["rule"].startswith("WT30") and f["suppressed"] is None]
    assert any(f["resource_type"] == "AWS::Logs::MetricFilter" for f in monitoring)
    assert monitoring
    for finding in monitoring:
        change = listed[(finding["rule"], finding["file"], finding["resource"])]
        assert change["fixed"] is False and change["message"] == fix.MANUAL[finding["rule"]]


def test_a_template_without_a_trail_lists_what_an_opt_in_rule_reports(monkeypatch):
    """Monitoring stacks without a trail: a finding an opt-in rule anchors at another resource
    (a metric filter) is listed as not fixed, named as a resource, not as a trail."""
    text = "Resources:\n" + FILTER + "  TrailLogs:\n    Type: AWS::Logs::LogGroup\n"
    finding = Finding("WT3001", "RootFilter", ("Resources", "RootFilter", "Properties",
                                               "FilterPattern"), "RootFilter: pattern differs")
    seen = []

    def observe(data, options=None):
        seen.append(options)
        return fix.Observed([finding], [], [])

    monkeypatch.setattr(fix, "observe", observe)
    assert fix.fix_text(text, "t.yaml").changes == []   # no opt-in rule asked for: not analysed
    assert seen == []
    result = fix.fix_text(text, "t.yaml", trail.Options(opt_in=frozenset({"WT3001"})))
    assert not result.changed
    assert result.changes == [fix.Change("t.yaml", 6, 7, "WT3001", "RootFilter", False,
                                         fix.MANUAL["WT3001"], "resource")]
    assert fix.summary_lines([result]) == [
        f"t.yaml:6:7: WT3001 not fixed (resource RootFilter): {fix.MANUAL['WT3001']}"]
