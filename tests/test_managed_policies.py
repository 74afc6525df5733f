"""Every AWS managed policy (issue 11, item 7): the table, its rebuild, and what a role gets
from each kind of ARN under arn:<partition>:iam::aws:policy/ — through the engine, the CLI and
the real cfn-lint."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from cfn_trailwatch import catalog
from cfn_trailwatch.arn import Match
from cfn_trailwatch.cli import main
from cfn_trailwatch.iam import (MANAGED_ACTIONS, aws_managed_lookup, aws_managed_policy,
                                aws_managed_policy_record, aws_managed_snapshot, evaluate)
from cfn_trailwatch.values.model import NoValue, Pseudo, concat

from helpers import CFN_LINT, write

REPO = Path(__file__).resolve().parents[1]
TABLE_TEXT = resources.files("cfn_trailwatch").joinpath(
    "data/aws-managed-policies.json").read_text(encoding="utf-8")
TABLE = json.loads(TABLE_TEXT)
POLICIES = TABLE["policies"]
SNAPSHOT = aws_managed_snapshot()
YES, NO, MAYBE = Match.YES, Match.NO, Match.MAYBE
STREAM = ("arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:log-stream:"
          "123456789012_CloudTrail_us-east-1")
PARTITION = Pseudo("AWS::Partition")


def _glob(pattern: str) -> re.Pattern:
    return re.compile("^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                                    for c in pattern.lower()) + "$", re.S)


def _takes(statement: dict) -> set[str]:
    """Which of the two delivery actions a statement's Action/NotAction takes in."""
    listed = lambda v: v if isinstance(v, list) else [v]   # noqa: E731
    if "Action" in statement:
        return {a for a in MANAGED_ACTIONS
                if any(_glob(p).match(a.lower()) for p in listed(statement["Action"]))}
    return {a for a in MANAGED_ACTIONS
            if not any(_glob(p).match(a.lower()) for p in listed(statement["NotAction"]))}


# ---------------------------------------------------------------- the table

def test_table_names_every_policy_with_path_flags_and_snapshot():
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", TABLE["snapshot"])
    dataset = TABLE["sources"][0]
    assert dataset["name"] == "iann0036/iam-dataset" and re.fullmatch(r"[0-9a-f]{40}",
                                                                       dataset["commit"])
    assert dataset["date"] == TABLE["snapshot"]
    assert all(s["url"].startswith("https://") for s in TABLE["sources"])
    assert len(POLICIES) > 1500   # the complete published set, not a handful
    for name, entry in POLICIES.items():
        assert re.fullmatch(r"[\w+=,.@-]+", name), name
        assert set(entry) <= {"path", "version", "attachable", "deprecated", "grants", "denies",
                              "complete", "document", "note", "seen_at"}, name
        path = entry["path"]
        # Only a deprecated policy may have no known path (the dataset drops its ARN).
        assert (path is None and entry["deprecated"]) or re.fullmatch(r"/([\w-]+/)*", path), name
        assert re.fullmatch(r"v\d+", entry["version"]), name
        assert isinstance(entry["attachable"], bool) and isinstance(entry["deprecated"], bool)
        if path == "/aws-service-role/":
            assert entry["attachable"] is False, name
        assert entry["grants"] == [a for a in MANAGED_ACTIONS if a in entry["grants"]], name
        assert entry.get("denies", ["x"]) != [], name
        assert ("document" in entry) == ("complete" in entry), name
        if entry["grants"] or entry.get("denies"):
            assert "document" in entry, name
        if "seen_at" in entry:
            assert re.fullmatch(r"[0-9a-f]{40}", entry["seen_at"]), name


def test_recorded_statements_are_only_those_that_decide_the_two_actions():
    for name, entry in POLICIES.items():
        if "document" not in entry:
            continue
        statements = entry["document"]["Statement"]
        statements = statements if isinstance(statements, list) else [statements]
        kept = [s for s in statements if s is not None]
        assert kept, name
        if entry["complete"]:
            assert len(kept) == len(statements), name
        else:
            assert len(kept) < len(statements), name
            for statement in kept:   # an excerpt holds nothing that cannot count
                names_logs = any(str(p).lower().startswith("logs:") or p == "*" for p in
                                 (lambda v: v if isinstance(v, list) else [v])(
                                     statement.get("Action", statement.get("NotAction"))))
                assert _takes(statement) or (statement["Effect"] == "Deny" and names_logs), name
        granted = {a for s in kept if s["Effect"] == "Allow" for a in _takes(s)}
        assert sorted(granted) == sorted(entry["grants"]), name


def test_counts_and_cross_check_agree_with_the_entries():
    counts = TABLE["counts"]
    live = [e for e in POLICIES.values() if not e["deprecated"]]
    assert counts["policies"] == len(POLICIES)
    assert counts["current"] == len(live)
    assert counts["deprecated"] == len(POLICIES) - len(live)
    assert counts["attachable"] == sum(1 for e in live if e["attachable"])
    assert counts["granting"] == sum(1 for e in live if e["grants"])
    assert counts["with_document"] == sum(1 for e in POLICIES.values() if "document" in e)
    check = TABLE["cross_check"]
    assert check["unreadable"] == {}
    assert check["same_statements_at_same_version"] == check["same_default_version"]
    assert set(check["disagreements"]) <= set(POLICIES)


def test_table_stays_small():
    size = len(TABLE_TEXT.encode("utf-8"))
    assert size < 450_000, f"{size:,} bytes"
    assert sum(1 for e in POLICIES.values() if "document" in e) < 250


def _snapshot(variable: str, default: str) -> Path | None:
    path = Path(os.environ.get(variable, default))
    return path if path.exists() else None


DATASET = _snapshot("CFN_TRAILWATCH_IAM_DATASET", "/work/.mirror/iann0036+iam-dataset/repo")
MAMIP = _snapshot("CFN_TRAILWATCH_MAMIP", "/work/.mirror/zoph-io+MAMIP/repo")


@pytest.mark.skipif(DATASET is None or MAMIP is None,
                    reason="the source snapshots (git directories of iann0036/iam-dataset and "
                           "zoph-io/MAMIP; set CFN_TRAILWATCH_IAM_DATASET and "
                           "CFN_TRAILWATCH_MAMIP) are not on this machine: CI has no network to "
                           "fetch them")
def test_tool_rebuilds_the_table_byte_for_byte():
    spec = importlib.util.spec_from_file_location(
        "build_aws_managed_policies", REPO / "tools" / "build_aws_managed_policies.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    commits = {s["name"]: s.get("commit") for s in TABLE["sources"]}
    try:
        dataset = tool.Snapshot(str(DATASET), commits["iann0036/iam-dataset"])
        mamip = tool.Snapshot(str(MAMIP), commits["zoph-io/MAMIP"])
    except subprocess.CalledProcessError:
        pytest.skip("the snapshots on this machine do not hold the commits the table was "
                    "built from")
    assert tool.render(tool.build(dataset, mamip)) == TABLE_TEXT


# ---------------------------------------------------------------- the engine

def managed(written: str, partition="aws"):
    return aws_managed_policy(f"arn:{partition}:iam::aws:policy/{written}")


@pytest.mark.parametrize("written, create_stream, put_events", [
    # Among the 15 the table held before: unchanged.
    ("AdministratorAccess", YES, YES),
    ("service-role/AWSLambdaBasicExecutionRole", YES, YES),
    ("ReadOnlyAccess", NO, NO),
    # Policies that were WT1007 before: now decided.
    ("AmazonS3ReadOnlyAccess", NO, NO),
    ("SecurityAudit", NO, NO),
    ("job-function/ViewOnlyAccess", NO, NO),
    ("service-role/AmazonECSTaskExecutionRolePolicy", YES, YES),
    ("AWSDenyAll", NO, NO),
])
def test_known_policies_are_decided(written, create_stream, put_events):
    policies = managed(written)
    assert policies is not None, written
    assert evaluate(policies, "logs:CreateLogStream", STREAM).allowed is create_stream
    assert evaluate(policies, "logs:PutLogEvents", STREAM).allowed is put_events


def test_a_policy_without_grants_decides_the_two_actions_and_leaves_others_open():
    [(label, document)] = managed("AmazonS3ReadOnlyAccess")
    version = POLICIES["AmazonS3ReadOnlyAccess"]["version"]
    assert label == f"AWS managed policy AmazonS3ReadOnlyAccess ({version})"
    assert [s["Sid"] for s in document["Statement"]] == ["NotRecordedInTable"]
    decision = evaluate([(label, document)], "s3:GetObject", "arn:aws:s3:::b/k")
    assert decision.allowed is MAYBE and any("not recorded" in r for r in decision.reasons)


def test_an_excerpt_keeps_published_statement_positions():
    # The statement positions of the published policy reach IT2006 and the evidence: the
    # statements left out are NoValue placeholders, not removed.
    entry = POLICIES["AmazonEC2RoleforSSM"]
    assert entry["complete"] is False and entry["path"] == "/service-role/"
    published = entry["document"]["Statement"]
    position = next(i for i, st in enumerate(published)
                    if st is not None and i > 0 and "Sid" not in st and st.get("Resource") == "*")
    [(label, document)] = managed("service-role/AmazonEC2RoleforSSM")
    assert [st is NoValue for st in document["Statement"][:-1]] == [st is None for st in published]
    assert document["Statement"][-1]["Sid"] == "NotRecordedInTable"
    decision = evaluate([(label, document)], "logs:PutLogEvents", STREAM)
    assert decision.allowed is YES
    assert [ref.index for ref in decision.allow_statements] == [position]
    assert str(decision.allow_statements[0]) == f"{label}, Statement[{position}]"


def test_partition_is_carried_into_documents_and_right_arn():
    gov = managed("service-role/AmazonECSTaskExecutionRolePolicy", "aws-us-gov")
    assert gov is not None
    wrong = aws_managed_lookup(concat(["arn:", PARTITION,
                                       ":iam::aws:policy/AWSLambdaBasicExecutionRole"]))
    assert wrong.kind == "wrong-path"
    assert wrong.label.endswith("the policy is arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                "AWSLambdaBasicExecutionRole")


@pytest.mark.parametrize("written, kind, label", [
    ("AWSLambdaBasicExecutionRole", "wrong-path",
     "AWS managed policy AWSLambdaBasicExecutionRole: wrong path, so it grants nothing; the policy "
     "is arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
    ("service-role/AdministratorAccess", "wrong-path",
     "AWS managed policy service-role/AdministratorAccess: wrong path, so it grants nothing; the "
     "policy is arn:aws:iam::aws:policy/AdministratorAccess"),
    ("AWSServiceRoleForAmazonEKSNodegroup", "wrong-path",
     "AWS managed policy AWSServiceRoleForAmazonEKSNodegroup: wrong path, so it grants nothing; "
     "the policy is arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup, "
     "for service-linked roles only"),
    ("aws-service-role/AWSSupportServiceRolePolicy", "not-attachable",
     "AWS managed policy aws-service-role/AWSSupportServiceRolePolicy: it is for service-linked "
     "roles only, so it grants nothing"),
    ("aws-service-role/NoSuchServiceRolePolicy", "not-attachable",
     "AWS managed policy aws-service-role/NoSuchServiceRolePolicy: policies under "
     "aws-service-role/ are for service-linked roles only, so it grants nothing"),
    ("service-role/AWSConfigRole", "not-attachable",
     "AWS managed policy service-role/AWSConfigRole: IAM marks it not attachable, so it grants "
     "nothing"),
    ("AWSLambdaFullAccess", "deprecated",
     "AWS managed policy AWSLambdaFullAccess: deprecated by AWS, it cannot be attached to a new "
     "role, so it grants nothing"),
])
def test_policies_a_role_cannot_have_grant_nothing_and_say_why(written, kind, label):
    found = aws_managed_lookup(f"arn:aws:iam::aws:policy/{written}")
    assert (found.kind, found.label, found.policies) == (kind, label, ())
    assert found.grants_nothing
    assert aws_managed_policy(f"arn:aws:iam::aws:policy/{written}") is None
    assert aws_managed_policy_record(f"arn:aws:iam::aws:policy/{written}") is None


@pytest.mark.parametrize("written, reason", [
    ("NoSuchPolicy", f"not an AWS managed policy as of {SNAPSHOT}"),
    ("job-function/NoSuchPolicy", f"not an AWS managed policy as of {SNAPSHOT}"),
    ("cloudwatchlogsfullaccess", f"not an AWS managed policy as of {SNAPSHOT} (names are "
                                 "case-sensitive: AWS has CloudWatchLogsFullAccess)"),
])
def test_unknown_names_stay_unknown_with_the_snapshot_date(written, reason):
    found = aws_managed_lookup(f"arn:aws:iam::aws:policy/{written}")
    assert (found.kind, found.reason, found.grants_nothing) == ("unknown", reason, False)


def test_not_an_aws_managed_policy_arn_at_all():
    for value in ("arn:aws:iam::123456789012:policy/AdministratorAccess",
                  "AdministratorAccess", None, 3):
        assert aws_managed_lookup(value) is None


# ---------------------------------------------------------------- CLI and cfn-lint

TEMPLATE = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: my-trail-bucket
      IsLogging: true
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
      IsMultiRegionTrail: true
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  DeliveryStopped:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions: [{Name: LogGroupName, Value: !Ref TrailLogs}]
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      TreatMissingData: breaching
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:alerts']
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
"""
TRAIL = "Trail Trail: role TrailRole"
GROUP = "the generated name of TrailLogs"
DENIED = f"{TRAIL} may not logs:CreateLogStream and logs:PutLogEvents on the log streams of {GROUP}"

# name: (policy ARNs, expected findings as (rule, line, message), exit code of the CLI)
CASES = {
    "unknown": (["!Sub arn:${AWS::Partition}:iam::aws:policy/NoSuchPolicy"], [
        ("WT1007", 9, f"Trail Trail: cannot verify that role TrailRole may write the log streams "
                      f"of {GROUP}: managed policy arn:aws:iam::aws:policy/NoSuchPolicy "
                      f"(ManagedPolicyArns of role TrailRole): not an AWS managed policy as of "
                      f"{SNAPSHOT}")], 0),
    "wrong_path": (["!Sub arn:${AWS::Partition}:iam::aws:policy/AWSLambdaBasicExecutionRole"], [
        ("ET1006", 9, f"{DENIED} (policies followed: AWS managed policy "
                      "AWSLambdaBasicExecutionRole: wrong path, so it grants nothing; the policy "
                      "is arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole)")], 1),
    "service_linked": (["arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"], [
        ("ET1006", 9, f"{DENIED} (policies followed: AWS managed policy "
                      "aws-service-role/AWSSupportServiceRolePolicy: it is for service-linked "
                      "roles only, so it grants nothing)")], 1),
    "deprecated": (["!Sub arn:${AWS::Partition}:iam::aws:policy/AWSLambdaFullAccess"], [
        ("ET1006", 9, f"{DENIED} (policies followed: AWS managed policy AWSLambdaFullAccess: "
                      "deprecated by AWS, it cannot be attached to a new role, so it grants "
                      "nothing)")], 1),
    "known_without_grant": (["!Sub arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"], [
        ("ET1006", 9, f"{DENIED} (policies followed: AWS managed policy AmazonS3ReadOnlyAccess "
                      f"({POLICIES['AmazonS3ReadOnlyAccess']['version']}))")], 1),
    "known_with_grant": (["!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/"
                          "AmazonECSTaskExecutionRolePolicy"], [
        ("IT2006", 9, f"{TRAIL} may do more than deliver to log group TrailLogs: AWS managed "
                      "policy service-role/AmazonECSTaskExecutionRolePolicy "
                      f"({POLICIES['AmazonECSTaskExecutionRolePolicy']['version']}), "
                      "Statement[0]: Resource *: matches every resource, every log group "
                      "included")], 0),
    "deny_all_beside_admin": ([
        "!Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess",
        "!Sub arn:${AWS::Partition}:iam::aws:policy/AWSDenyAll"], [
        ("ET1006", 9, f"{DENIED} (policies followed: AWS managed policy AdministratorAccess (v1), "
                      f"AWS managed policy AWSDenyAll ({POLICIES['AWSDenyAll']['version']}))"),
        ("IT2006", 9, f"{TRAIL} may do more than deliver to log group TrailLogs: AWS managed "
                      "policy AdministratorAccess (v1), Statement[0]: Action '*': allows every "
                      "action of every service")], 1),
}


def _template(arns: list[str]) -> str:
    return TEMPLATE + "".join(f"        - {arn}\n" for arn in arns)


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_findings_lines_messages_and_exit_code(tmp_path, capsys, case):
    arns, expected, exit_code = CASES[case]
    path = write(tmp_path, f"{case}.yaml", _template(arns))
    code = main(["--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    got = [(f["rule"], f["line"], f["message"]) for f in report["findings"]]
    assert got == expected
    assert code == exit_code


def test_unknown_policy_fails_on_warning(tmp_path, capsys):
    path = write(tmp_path, "unknown.yaml", _template(CASES["unknown"][0]))
    assert main(["--fail-on", "warning", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"{path}:9:7: WT1007 ")


def test_wrong_path_names_the_right_arn_in_the_stack_partition(tmp_path, capsys):
    path = write(tmp_path, "cn.yaml", _template(CASES["wrong_path"][0]))
    code = main(["--format", "json", "--regions", "cn-north-1", str(path)])
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1 and finding["rule"] == "ET1006"
    assert finding["message"].endswith(
        "the policy is arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole)")


def test_unknown_boundary_is_disclosed_with_the_snapshot_date(tmp_path, capsys):
    text = _template(["!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/"
                      "AWSLambdaBasicExecutionRole"]).replace(
        "      ManagedPolicyArns:\n",
        "      PermissionsBoundary: !Sub arn:${AWS::Partition}:iam::aws:policy/NoSuchBoundary\n"
        "      ManagedPolicyArns:\n")
    path = write(tmp_path, "boundary.yaml", text)
    code = main(["--format", "json", "--verbose", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and [f["rule"] for f in report["findings"]] == ["IT2006"]
    evidence = " ".join(report["findings"][0]["evidence"])
    assert (f"permissions boundary arn:aws:iam::aws:policy/NoSuchBoundary: not an AWS managed "
            f"policy as of {SNAPSHOT}, not evaluated") in evidence


def test_cfn_lint_reports_the_same_findings(tmp_path):
    paths = {case: write(tmp_path, f"{case}.yaml", _template(arns))
             for case, (arns, _, _) in CASES.items()}
    proc = subprocess.run([*CFN_LINT, "--format", "parseable", "--include-checks", "I",   # IT2006
                           "-a", "cfn_trailwatch.rules", "--", *map(str, paths.values())],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    ours = set(catalog.rules())
    got: dict[str, list] = {case: [] for case in CASES}
    names = {str(p): case for case, p in paths.items()}
    for line in proc.stdout.splitlines():
        file, line_no, _, _, _, rule, message = line.split(":", 6)
        if rule in ours:
            got[names[file]].append((rule, int(line_no), message))
    for case, (_, expected, _) in CASES.items():
        assert sorted(got[case]) == sorted(expected), case
    assert proc.returncode & 2   # ET1006 matches are errors for cfn-lint
