"""Across templates (issue 13): every case of ``fixtures/stacks/`` through the command line.

Each case is a folder of templates with an ``expected.yaml``: the exit code of
``cfn-trailwatch <folder>`` and the exact findings ``{file, line, rule}`` (files relative to
the folder; optionally ``message``, one substring or a list of them), and the errors
``{file, line, message}``. A ``.cfn-trailwatch.yaml`` in the case folder is its configuration
(given with ``--config``: the configuration is looked for from the working directory, not the
scanned folder); without one, an empty configuration keeps any file above out.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from cfn_trailwatch import config as config_file
from cfn_trailwatch import trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.scan import stacks
from cfn_trailwatch.scan.files import discover

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "fixtures" / "stacks"
CASES = sorted(p.name for p in STACKS.iterdir() if p.is_dir())


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, out.getvalue()


def config_args(case: Path, tmp: Path) -> list[str]:
    own = case / ".cfn-trailwatch.yaml"
    if own.exists():
        return ["--config", str(own)]
    empty = tmp / "empty.yaml"
    empty.write_text("{}\n")
    return ["--config", str(empty)]


def report(case: Path, tmp: Path, *extra: str) -> tuple[int, dict]:
    code, out = run_cli("--format", "json", *config_args(case, tmp), *extra, case)
    return code, json.loads(out)


def expectation(case: Path) -> dict:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))


def _substrings(entry: dict) -> list[str]:
    message = entry.get("message", [])
    return [message] if isinstance(message, str) else list(message)


def _rel(case: Path, file: str) -> str:
    return Path(os.path.relpath(file, case)).as_posix()


def test_every_case_has_several_templates_and_expectations():
    assert len(CASES) >= 19
    for name in CASES:
        case = STACKS / name
        templates = [p for p in case.rglob("*") if p.suffix in (".yaml", ".json")
                     and p.name not in ("expected.yaml", "manifest.json")
                     and not p.name.startswith(".")]
        # nested_s3_url's child is in S3, not in the scan: that is its point
        assert len(templates) >= (1 if name == "nested_s3_url" else 2), name
        wanted = expectation(case)
        assert set(wanted) <= {"exit", "findings", "errors"}, name
        assert wanted["exit"] in (0, 1, 2), name
        for entry in wanted.get("findings") or []:
            assert set(entry) <= {"file", "line", "rule", "message"}, (name, entry)
            assert (case / entry["file"]).is_file(), (name, entry)


@pytest.mark.parametrize("name", CASES)
def test_case_gives_exactly_the_expected_findings_and_exit_code(name, tmp_path):
    case = STACKS / name
    wanted = expectation(case)
    code, got = report(case, tmp_path)
    findings = [(_rel(case, f["file"]), f["line"], f["rule"]) for f in got["findings"]]
    assert sorted(findings) == sorted((e["file"], e["line"], e["rule"])
                                      for e in wanted.get("findings") or [])
    for entry in wanted.get("findings") or []:
        messages = [f["message"] for f in got["findings"]
                    if (_rel(case, f["file"]), f["line"], f["rule"]) ==
                    (entry["file"], entry["line"], entry["rule"])]
        for part in _substrings(entry):
            assert any(part in m for m in messages), (part, messages)
    errors = [(_rel(case, e["file"]), e["line"]) for e in got["errors"]]
    assert sorted(errors) == sorted((e["file"], e["line"]) for e in wanted.get("errors") or [])
    for entry in wanted.get("errors") or []:
        messages = [e["message"] for e in got["errors"]
                    if (_rel(case, e["file"]), e["line"]) == (entry["file"], entry["line"])]
        for part in _substrings(entry):
            assert any(part in m for m in messages), (part, messages)
    assert code == wanted["exit"]


def test_without_its_configuration_a_case_falls_back_to_wt1007(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    # deployment: without it, the two exporters make the import ambiguous
    code, out = run_cli("--format", "json", "--config", empty,
                        STACKS / "duplicate_exports_deployment")
    messages = {(f["line"], f["rule"]): f["message"] for f in json.loads(out)["findings"]}
    assert set(messages) == {(12, "WT1007"), (13, "WT1007")} and code == 0
    assert "the configuration does not say which deploys with this template" in messages[12, "WT1007"]
    # stack_name: without it, the hint
    code, out = run_cli("--format", "json", "--config", empty, STACKS / "stack_name_config")
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert len(messages) == 2 and all("give its stack_name" in m for m in messages)


def test_the_whole_folder_is_byte_identical_whatever_jobs(tmp_path):
    """Every case scanned together (19 folders, more than the pool's minimum of files), with
    --jobs 1 and --jobs 2: the same JSON bytes and exit code."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    one = run_cli("--format", "json", "--config", empty, "--jobs", "1", STACKS)
    two = run_cli("--format", "json", "--config", empty, "--jobs", "2", STACKS)
    assert one == two
    assert json.loads(one[1])["summary"]["files"] >= 9   # workers did run
    verbose_one = run_cli("--verbose", "--config", empty, "--jobs", "1", STACKS)
    verbose_two = run_cli("--verbose", "--config", empty, "--jobs", "2", STACKS)
    assert verbose_one == verbose_two


@pytest.mark.parametrize("name", ["exports_compliant", "nested_outputs", "cdk_app"])
def test_each_case_alone_equals_its_share_of_the_whole_scan(name, tmp_path):
    """A case scanned in its own folder and as part of fixtures/stacks/ gives the same
    findings on its files: the cases do not leak into each other (every export name is the
    case's own)."""
    case = STACKS / name
    _, alone = report(case, tmp_path)
    empty = tmp_path / "empty.yaml"
    _, out = run_cli("--format", "json", "--config", empty, STACKS)
    together = [f for f in json.loads(out)["findings"]
                if Path(f["file"]).resolve().is_relative_to(case.resolve())]
    assert [(f["file"], f["line"], f["rule"], f["message"]) for f in alone["findings"]] == \
        [(f["file"], f["line"], f["rule"], f["message"]) for f in together]


def test_verbose_evidence_names_the_other_file_and_line(tmp_path):
    case = STACKS / "exports_trust_wrong"
    code, out = run_cli("--verbose", *config_args(case, tmp_path), case)
    assert code == 1
    logging = str(case / "logging.yaml")
    # the log group is declared at line 5 of logging.yaml, the role at line 12
    assert f"(in {logging}:5)" in out
    assert f"(in {logging}:12)" in out
    assert "trust policy of" in out


def test_verbose_evidence_of_a_nested_finding_names_the_parent(tmp_path):
    case = STACKS / "sam_application"
    _, out = run_cli("--verbose", *config_args(case, tmp_path), case)
    assert f"(in {case / 'logging.yaml'}:" in out


def test_json_related_names_the_linked_resources(tmp_path):
    case = STACKS / "exports_trust_wrong"
    _, got = report(case, tmp_path)
    (finding,) = got["findings"]
    related = [(_rel(case, r["file"]), r["line"], r.get("resource")) for r in finding.get("related", [])]
    assert ("logging.yaml", 12, "TrailRole") in related


def test_a_name_exported_where_an_arn_is_imported_points_at_the_export(tmp_path):
    # ET1003/ET1004: the fix is in the other file, which the finding names and points at
    case = STACKS / "exports_name_not_arn"
    _, got = report(case, tmp_path)
    found = {f["rule"]: (f["message"], [(_rel(case, r["file"]), r["line"], r["resource"])
                                        for r in f.get("related", [])])
             for f in got["findings"] if f["rule"] in ("ET1003", "ET1004")}
    logging = case / "logging.yaml"
    assert found == {
        "ET1003": (f"Trail Trail: !Ref TrailLogs in {logging} gives the log group's name, not "
                   f"its ARN; use !GetAtt TrailLogs.Arn in {logging}",
                   [("logging.yaml", 5, "TrailLogs")]),
        "ET1004": (f"Trail Trail: !Ref TrailRole in {logging} gives the role's name, not its "
                   f"ARN; use !GetAtt TrailRole.Arn in {logging}",
                   [("logging.yaml", 12, "TrailRole")]),
    }


def test_sarif_has_related_locations_for_linked_resources(tmp_path):
    case = STACKS / "exports_trust_wrong"
    code, out = run_cli("--format", "sarif", *config_args(case, tmp_path), case)
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]
    related = result["relatedLocations"]
    places = {(loc["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
               loc["physicalLocation"]["region"]["startLine"]) for loc in related}
    assert ("logging.yaml", 12) in places   # the role, in the other file
    assert all("message" in loc and "id" in loc for loc in related)


def test_a_scan_without_imports_or_nesting_builds_no_index():
    files = discover([str(ROOT / "fixtures" / "ET1001")], _Sink())
    assert files
    scan = stacks.index(files, trail.Options(), config_file.Config())
    assert not scan.active
    assert scan.exports is None
    assert not scan.parents


def test_a_scan_with_imports_builds_the_index():
    files = discover([str(STACKS / "exports_compliant")], _Sink())
    scan = stacks.index(files, trail.Options(), config_file.Config())
    assert scan.active and scan.exports is not None
    export, why = scan.exports.find("us-east-1", "fx-compliant-TrailRoleArn",
                                    str(STACKS / "exports_compliant" / "trail.yaml"))
    assert why == "" and export.output == "TrailRoleArn"
    assert export.file.endswith("logging.yaml")


def test_cdk_manifest_gives_the_stack_names():
    files = discover([str(STACKS / "cdk_app" / "cdk.out")], _Sink())
    scan = stacks.index(files, trail.Options(), config_file.Config())
    names = {os.path.basename(f): scan.stack_name(f) for f in files}
    assert names["LoggingStack.template.json"] == "LoggingStack"
    assert names["TrailStack.template.json"] == "TrailStack"


class _Sink:
    def __init__(self) -> None:
        self.errors: list = []


# --- workspace: a pre-commit run of the trail's template alone ---------------------------------

def _workspace(tmp_path: Path, with_workspace: bool) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    shutil.copytree(STACKS / "exports_trust_wrong", repo / "stacks")
    (repo / "stacks" / "expected.yaml").unlink()
    config = repo / ".cfn-trailwatch.yaml"
    config.write_text("workspace: [stacks/]\n" if with_workspace else "{}\n")
    return repo / "stacks" / "trail.yaml", config


def test_workspace_links_the_importer_alone_to_the_exporter(tmp_path):
    trail_file, config = _workspace(tmp_path, True)
    code, out = run_cli("--format", "json", "--config", config, trail_file)
    got = json.loads(out)
    assert [(f["line"], f["rule"]) for f in got["findings"]] == [(12, "ET1005")]
    assert code == 1
    # the workspace's files are indexed, not checked
    assert got["summary"]["files"] == 1


def test_without_workspace_the_importer_alone_is_wt1007(tmp_path):
    trail_file, config = _workspace(tmp_path, False)
    code, out = run_cli("--format", "json", "--config", config, trail_file)
    got = json.loads(out)
    assert sorted((f["line"], f["rule"]) for f in got["findings"]) == [(11, "WT1007"),
                                                                       (12, "WT1007")]
    assert all("no template in this scan exports" in f["message"] for f in got["findings"])
    assert code == 0
