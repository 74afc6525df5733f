"""Baselines (issue 14): ``--write-baseline FILE`` records today's findings, ``--baseline FILE``
reports them as suppressed and fails only on new ones, its stale entries are notes. Real
templates (copies of fixtures/), real exit codes, every format checked by what reads it."""

from __future__ import annotations

import datetime
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch import baseline as baseline_file
from cfn_trailwatch.cli import main

from helpers import scripted_template, write
from test_report_formats import validate_sarif

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
JSON_SCHEMA = json.loads((ROOT / "docs" / "json-output.schema.json").read_text(encoding="utf-8"))
BASELINE_SCHEMA = json.loads((ROOT / "linter" / "data" / "baseline.schema.json")
                             .read_text(encoding="utf-8"))
# A few fixture folders, for the tests that do not need all of them (a full scan takes seconds).
SOME = ("ET1001", "ET1008", "WT2004")


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_fixtures(root: Path, folders=SOME) -> Path:
    for folder in folders:
        shutil.copytree(FIXTURES / folder, root / "fixtures" / folder)
    return root / "fixtures"


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def as_json(capsys, *argv) -> tuple[int, dict]:
    code, out, _ = cli(capsys, "--format", "json", *argv)
    report = json.loads(out)
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(report)
    return code, report


def counted(report: dict) -> list[tuple[str, str]]:
    return [(f["rule"], f["file"]) for f in report["findings"] if f["suppressed"] is None]


def kinds(report: dict) -> set:
    return {f["suppressed"]["kind"] for f in report["findings"] if f["suppressed"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- writing, then using, on the fixtures ---------------------------------------------------


def test_write_then_use_a_baseline_on_every_fixture(here, capsys):
    fixtures = copy_fixtures(here, sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
    # Two cases of fixtures/stacks cannot be analysed on purpose: a baseline never hides that.
    broken = ("fixtures/stacks/exporter_broken/logging.yaml",
              "fixtures/stacks/nested_cycle/parent.yaml")
    assert cli(capsys, "--write-baseline", "baseline.json", "fixtures")[0] == 2
    code, report = as_json(capsys, "--baseline", "baseline.json", "fixtures")
    assert code == 2 and counted(report) == [] and report["notes"] == []
    assert [e["file"] for e in report["errors"]] == list(broken)
    for folder in ("exporter_broken", "nested_cycle"):
        shutil.rmtree(fixtures / "stacks" / folder)
    (here / "baseline.json").unlink()
    assert cli(capsys, "fixtures")[0] == 1                  # the gate fails as things are
    code, out, err = cli(capsys, "--write-baseline", "baseline.json", "fixtures")
    assert code == 0                                        # what it records no longer fails
    assert out.startswith("0 findings, ") and "suppressed" in out
    document = json.loads((here / "baseline.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(BASELINE_SCHEMA).validate(document)
    entries = document["entries"]
    assert f"wrote baseline.json: {len(entries)} entries" in err
    assert document["format"] == "cfn-trailwatch-baseline" and document["version"] == 1
    assert len(entries) > 1000
    assert all(e["file"].startswith("fixtures/") and "\\" not in e["file"] for e in entries)
    assert all(e["reason"] == "" for e in entries)
    keys = [baseline_file.entry_key(e["rule"], e["file"], e["resource"], e["path"], e["scenario"])
            for e in entries]
    assert keys == sorted(keys)                             # stable, line-independent order

    code, report = as_json(capsys, "--baseline", "baseline.json", "fixtures")
    assert code == 0 and counted(report) == [] and report["notes"] == []
    assert kinds(report) == {"baseline", "inline"}          # the fixtures' own ignore_checks stay
    baselined = [f for f in report["findings"] if f["suppressed"]
                 and f["suppressed"]["kind"] == "baseline"]
    assert len(baselined) == len(entries)
    assert {f["suppressed"]["justification"] for f in baselined} == {"baseline baseline.json"}
    assert all(f["suppressed"]["expires"] is None for f in baselined)
    # Rewritten from the same templates: the same bytes.
    before = (here / "baseline.json").read_bytes()
    assert cli(capsys, "--write-baseline", "baseline.json", "fixtures")[0] == 0
    assert (here / "baseline.json").read_bytes() == before


def test_a_new_finding_fails_alone(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1001" / "fail_absent.yaml", "IsLogging: true", "IsLogging: false")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert code == 1
    assert counted(report) == [("ET1008", "fixtures/ET1001/fail_absent.yaml")]
    assert report["notes"] == []
    code, out, _ = cli(capsys, "--baseline", "b.json", "fixtures")
    assert code == 1
    assert out.splitlines()[:-1] == [
        "fixtures/ET1001/fail_absent.yaml:32:7: ET1008 Trail Trail has IsLogging false: "
        "it records no events"]
    # --fail-on is honoured: below it, the new finding does not fail.
    assert cli(capsys, "--baseline", "b.json", "--fail-on", "never", "fixtures")[0] == 0


def test_a_finding_moved_by_lines_above_stays_baselined(here, capsys):
    fixtures = copy_fixtures(here)
    template = fixtures / "ET1008" / "fail_false.yaml"
    _, before = as_json(capsys, "fixtures/ET1008/fail_false.yaml")
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(template, "Resources:\n", "# a comment\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    code, after = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008/fail_false.yaml")
    assert code == 0 and counted(after) == [] and after["notes"] == []
    assert [f["line"] for f in after["findings"]] == [f["line"] + 3 for f in before["findings"]]
    assert kinds(after) == {"baseline"}


def test_two_findings_with_one_key_need_two_entries(here, capsys, scripted):
    write(here, "t.yaml", scripted_template(("Trail", ["ET1006"])))
    assert cli(capsys, "--write-baseline", "b.json", "t.yaml")[0] == 0
    write(here, "t.yaml", scripted_template(("Trail", ["ET1006", "ET1006"])))
    code, report = as_json(capsys, "--baseline", "b.json", "t.yaml")
    assert code == 1 and counted(report) == [("ET1006", "t.yaml")]
    assert [f["suppressed"] and f["suppressed"]["kind"] for f in report["findings"]] == \
        ["baseline", None]                                  # the first in report order
    assert cli(capsys, "--write-baseline", "b.json", "t.yaml")[0] == 0
    assert len(baseline_file.read("b.json").entries) == 2
    assert cli(capsys, "--baseline", "b.json", "t.yaml")[0] == 0


# -- stale entries ------------------------------------------------------------------------------


def test_a_stale_entry_is_a_note_and_does_not_change_the_exit(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "fail_false.yaml", "IsLogging: false", "IsLogging: true ")
    code, out, _ = cli(capsys, "--baseline", "b.json", "fixtures")
    assert code == 0
    notes = [line for line in out.splitlines() if ": note: " in line]
    # at the entry's anchor, where the property still is
    assert notes == ["fixtures/ET1008/fail_false.yaml:30:7: note: baseline b.json: ET1008 on Trail "
                     "at Resources.Trail.Properties.IsLogging is no longer found: remove the "
                     "entry, or rewrite the baseline with --write-baseline"]
    # With a new finding beside it, the exit is that of the new finding alone.
    edit(fixtures / "ET1001" / "fail_absent.yaml", "IsLogging: true", "IsLogging: false")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert code == 1 and len(report["notes"]) == 1 and len(counted(report)) == 1
    # Rewriting the baseline drops the stale entry and records the new finding.
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert code == 0 and report["notes"] == []


def test_a_stale_entry_is_placed_at_what_is_left_of_its_anchor(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    target = fixtures / "ET1008" / "fail_false.yaml"
    # the property gone: at the trail's Properties
    edit(target, "      IsLogging: false   # expect: ET1008\n", "")
    lines = target.read_text().splitlines()
    properties = next(n for n, line in enumerate(lines, 1) if line.strip() == "Properties:"
                      and lines[n - 2].strip() == "Type: AWS::CloudTrail::Trail")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008")
    assert code == 0 and [(n["line"], n["column"]) for n in report["notes"]] == [(properties, 5)]


def test_entries_of_files_not_scanned_are_left_alone(here, capsys):
    copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    recorded = {e.file for e in baseline_file.read("b.json").entries}
    assert {f.split("/")[1] for f in recorded} == set(SOME)
    # A shard (one folder), a pre-commit run (one file): no note about the others.
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008")
    assert code == 0 and report["notes"] == [] and counted(report) == []
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1001/fail_absent.yaml")
    assert code == 0 and report["notes"] == [] and counted(report) == []
    # Rules that did not run speak for nothing either.
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/WT2004", "--config",
                           write(here, "c.yaml", "disable: [WT2004]\n"))
    assert code == 0 and report["notes"] == []
    # A file that could not be read: its findings are unknown, its entries are not stale.
    (here / "fixtures" / "ET1008" / "fail_false.yaml").write_text("Resources: [\n")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008")
    assert code == 2 and report["notes"] == []


def test_a_renamed_file_leaves_stale_entries_and_new_findings(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    (fixtures / "ET1008" / "fail_false.yaml").rename(fixtures / "ET1008" / "renamed.yaml")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert code == 1
    assert {file for _, file in counted(report)} == {"fixtures/ET1008/renamed.yaml"}
    assert {n["file"] for n in report["notes"]} == {"fixtures/ET1008/fail_false.yaml"}
    assert len(report["notes"]) == len(counted(report))
    # A pre-commit run of the new name alone: new findings, the old entries left alone.
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008/renamed.yaml")
    assert code == 1 and report["notes"] == []


# -- every format ---------------------------------------------------------------------------


def test_sarif_suppressions_are_external(here, capsys):
    copy_fixtures(here, ("seed",))
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    document = json.loads((here / "b.json").read_text(encoding="utf-8"))
    document["entries"][0]["reason"] = "legacy stack, replaced in Q3 (TICKET-7)"
    (here / "b.json").write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = cli(capsys, "--format", "sarif", "--baseline", "b.json", "fixtures")
    assert code == 0
    results = validate_sarif(out)["runs"][0]["results"]
    assert results and all(r["suppressions"][0]["kind"] == "external" and
                           r["suppressions"][0]["status"] == "accepted" for r in results)
    justifications = [r["suppressions"][0]["justification"] for r in results]
    assert justifications.count("legacy stack, replaced in Q3 (TICKET-7)") == 1
    assert set(justifications) == {"legacy stack, replaced in Q3 (TICKET-7)", "baseline b.json"}
    # The entry's fingerprint is SARIF's, without the occurrence counter.
    fingerprints = {r["partialFingerprints"]["cfnTrailwatchFinding/v1"].rsplit(":", 1)[0]
                    for r in results}
    assert {e["fingerprint"] for e in document["entries"]} == fingerprints
    # The same findings in the same order as the JSON report.
    _, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == [(f["rule"], f["line"]) for f in report["findings"]]


def test_sarif_stale_entry_is_a_configuration_notification(here, capsys):
    fixtures = copy_fixtures(here, ("ET1008",))
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "fail_false.yaml", "IsLogging: false", "IsLogging: true ")
    code, out, _ = cli(capsys, "--format", "sarif", "--baseline", "b.json", "fixtures")
    assert code == 0
    invocation = validate_sarif(out)["runs"][0]["invocations"][0]
    assert [n["message"]["text"].split(":")[1].strip() for n in
            invocation["toolConfigurationNotifications"]] == ["ET1008 on Trail at Resources.Trail"
                                                              ".Properties.IsLogging is no longer found"]


def test_junit_baselined_findings_are_skipped(here, capsys):
    fixtures = copy_fixtures(here, ("ET1008",))
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "pass_true.yaml", "IsLogging: true", "IsLogging: false")
    code, out, _ = cli(capsys, "--format", "junit", "--baseline", "b.json", "fixtures")
    assert code == 1
    root = ET.fromstring(out)
    skipped = root.findall(".//testcase/skipped")
    assert skipped and {s.get("message") for s in skipped} == {"suppressed: baseline b.json"}
    failures = root.findall(".//testcase/failure")
    assert [f.get("type") for f in failures] == ["ET1008"]
    assert int(root.get("failures")) == 1 and int(root.get("skipped")) == len(skipped)


def test_text_and_github_count_baselined_findings_as_suppressed(here, capsys):
    copy_fixtures(here, ("ET1008",))
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    _, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    total = len(report["findings"])
    code, out, _ = cli(capsys, "--baseline", "b.json", "fixtures")
    assert code == 0 and out == f"0 findings, {total} suppressed in 15 templates, 15 trails\n"
    code, out, _ = cli(capsys, "--format", "github", "--baseline", "b.json", "fixtures")
    assert code == 0
    assert out == (f"cfn-trailwatch: 0 findings annotated, {total} suppressed, 0 file errors in "
                   "15 templates, 15 trails\n")


def test_the_output_does_not_depend_on_jobs(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1001" / "fail_absent.yaml", "IsLogging: true", "IsLogging: false")
    edit(fixtures / "ET1008" / "fail_false.yaml", "IsLogging: false", "IsLogging: true ")
    one = cli(capsys, "--format", "sarif", "--baseline", "b.json", "fixtures")
    two = cli(capsys, "--format", "sarif", "--baseline", "b.json", "--jobs", "2", "fixtures")
    assert one == two and one[0] == 1


# -- suppression order ----------------------------------------------------------------------


def test_inline_and_waivers_come_first(here, capsys):
    fixtures = copy_fixtures(here, ("ET1008",))
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    config = write(here, ".cfn-trailwatch.yaml", f"""\
        waivers:
          - {{rule: ET1008, files: "fixtures/ET1008/fail_false.yaml", reason: paused, expires: {tomorrow}}}
        """)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    # A waived finding is not recorded: when the waiver expires it counts again.
    recorded = [(e.rule, e.file) for e in baseline_file.read("b.json").entries]
    assert ("ET1008", "fixtures/ET1008/fail_false.yaml") not in recorded
    config.write_text(config.read_text().replace(str(tomorrow), "2000-01-01"))
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures")
    assert code == 1 and counted(report) == [("ET1008", "fixtures/ET1008/fail_false.yaml")]
    assert any("expired" in n["message"] for n in report["notes"])
    # An entry that a Metadata suppression now covers: suppressed inline, the entry stale.
    config.unlink()
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "fail_false.yaml", "    Type: AWS::CloudTrail::Trail\n",
         "    Type: AWS::CloudTrail::Trail\n    Metadata:\n      cfn-lint:\n        config:\n"
         "          ignore_checks: [ET1008]\n")
    code, report = as_json(capsys, "--baseline", "b.json", "fixtures/ET1008/fail_false.yaml")
    assert code == 0
    assert [f["suppressed"]["kind"] for f in report["findings"] if f["rule"] == "ET1008"] == \
        ["inline"]
    assert [n["message"].split(": ", 1)[1][:30] for n in report["notes"]] == \
        ["ET1008 on Trail at Resources.T"]


# -- the configuration, rewriting, errors ---------------------------------------------------


def test_the_config_names_the_baseline_relative_to_itself(here, capsys, monkeypatch):
    copy_fixtures(here, ("ET1008",))
    (here / "ci").mkdir()
    assert cli(capsys, "--write-baseline", "ci/b.json", "fixtures")[0] == 0
    assert {e.file.split("/")[0] for e in baseline_file.read("ci/b.json").entries} == {".."}
    write(here, ".cfn-trailwatch.yaml", "baseline: ci/b.json\n")
    code, report = as_json(capsys, "fixtures")
    assert code == 0 and counted(report) == [] and kinds(report) == {"baseline"}
    assert {f["suppressed"]["justification"] for f in report["findings"]} == \
        {"baseline ci/b.json"}
    # Run from another folder: the same baseline, found through the config file.
    (here / "elsewhere").mkdir()
    monkeypatch.chdir(here / "elsewhere")
    code = main(["--config", str(here / ".cfn-trailwatch.yaml"), "--format", "json",
                 str(here / "fixtures")])
    assert code == 0 and json.loads(capsys.readouterr().out)["summary"]["findings"] == 0
    monkeypatch.chdir(here)
    # --baseline wins.
    write(here, "empty.json", baseline_file.render([]))
    code, report = as_json(capsys, "--baseline", "empty.json", "fixtures")
    assert code == 1 and kinds(report) == set()
    # A baseline the config names must exist (but may be written first).
    write(here, ".cfn-trailwatch.yaml", "baseline: ci/missing.json\n")
    code, _, err = cli(capsys, "fixtures")
    assert code == 2 and "ci/missing.json: no such file" in err
    assert cli(capsys, "--write-baseline", "ci/missing.json", "fixtures")[0] == 0
    assert cli(capsys, "fixtures")[0] == 0
    write(here, ".cfn-trailwatch.yaml", "baseline: 3\n")
    code, _, err = cli(capsys, "fixtures")
    assert code == 2 and "baseline: 3 is not of type 'string'" in err


def test_rewriting_keeps_reasons_and_the_entries_of_files_not_scanned(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    document = json.loads((here / "b.json").read_text(encoding="utf-8"))
    for entry in document["entries"]:
        entry["reason"] = f"accepted: {entry['rule']}"
    (here / "b.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
    edit(fixtures / "ET1008" / "fail_false.yaml", "IsLogging: false", "IsLogging: true ")
    edit(fixtures / "ET1008" / "pass_true.yaml", "IsLogging: true", "IsLogging: false")
    assert cli(capsys, "--write-baseline", "b.json", "fixtures/ET1008")[0] == 0
    after = baseline_file.read("b.json").entries
    others = [e for e in after if not e.file.startswith("fixtures/ET1008/")]
    assert len(others) == len([e for e in document["entries"]
                               if not e["file"].startswith("fixtures/ET1008/")])
    assert all(e.reason == f"accepted: {e.rule}" for e in others)
    mine = [(e.rule, e.file, e.reason) for e in after if e.file.startswith("fixtures/ET1008/")]
    assert ("ET1008", "fixtures/ET1008/fail_false.yaml") not in {m[:2] for m in mine}
    # The one new finding has no reason yet; every other keeps its own.
    assert [m for m in mine if m[2] == ""] == [("ET1008", "fixtures/ET1008/pass_true.yaml", "")]
    assert all(reason == f"accepted: {rule}" for rule, _, reason in mine if reason)
    assert (here / "b.json").read_text(encoding="utf-8") == baseline_file.render(after)


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ('{"format": "cfn-trailwatch-baseline", "version": 2, "entries": []}',
     "format version 2 is newer"),
    ('{"format": "cfn-trailwatch-baseline", "version": 1}', "'entries' is a required property"),
    ('{"format": "cfn-trailwatch-baseline", "version": 1, "entries": [{"rule": "ET1001"}]}',
     "entries[0]: 'file' is a required property"),
])
def test_a_bad_baseline_is_exit_2(here, capsys, content, message):
    copy_fixtures(here, ("ET1008",))
    write(here, "b.json", content)
    code, out, err = cli(capsys, "--baseline", "b.json", "fixtures")
    assert code == 2 and out == "" and message in err
    assert cli(capsys, "--baseline", "missing.json", "fixtures")[0] == 2


def test_usage_errors(here, capsys):
    copy_fixtures(here, ("ET1008",))
    for argv in (["--write-baseline", "b.json", "--fix"], ["--fix-baselined"],
                 ["--write-baseline", "no/such/folder/b.json"], ["--write-baseline", "fixtures"]):
        code, _, err = cli(capsys, *argv, "fixtures")
        assert code == 2 and "error:" in err, argv


# -- --fix ----------------------------------------------------------------------------------


def test_fix_leaves_baselined_findings_alone_unless_fix_baselined(here, capsys):
    fixtures = copy_fixtures(here, ("ET1008",))
    template = fixtures / "ET1008" / "fail_false.yaml"
    shutil.copy(template, here / "t.yaml")
    original = (here / "t.yaml").read_bytes()
    assert cli(capsys, "--write-baseline", "b.json", "t.yaml")[0] == 0
    code, out, _ = cli(capsys, "--fix", "--baseline", "b.json", "t.yaml")
    assert code == 0 and (here / "t.yaml").read_bytes() == original
    assert " fixed " not in out and "not fixed" not in out
    # A new finding beside the baselined ones is fixed; they are not.
    edit(here / "t.yaml", "      S3BucketName:", "      EnableLogFileValidation: false\n"
                                                  "      S3BucketName:")
    code, out, _ = cli(capsys, "--fix", "--baseline", "b.json", "t.yaml")
    assert code == 0 and "WT2004 fixed" in out and "ET1008" not in out.split("t.yaml: written")[0]
    assert "IsLogging: false" in (here / "t.yaml").read_text()
    code, out, _ = cli(capsys, "--fix", "--fix-baselined", "--baseline", "b.json", "t.yaml")
    assert code == 0
    assert "ET1008 fixed (trail Trail): set IsLogging of Trail to true" in out
    assert "IsLogging: true" in (here / "t.yaml").read_text()
    assert "note: baseline b.json: ET1008 on Trail at Resources.Trail.Properties.IsLogging is " \
           "no longer found" in out
    # --diff honours the baseline the same way.
    shutil.copy(template, here / "t.yaml")
    code, out, _ = cli(capsys, "--diff", "--baseline", "b.json", "t.yaml")
    assert out == ""
    code, out, _ = cli(capsys, "--diff", "--fix-baselined", "--baseline", "b.json", "t.yaml")
    assert "+      IsLogging: true" in out


# -- shards -----------------------------------------------------------------------------------


def test_shards_each_speak_for_their_own_files_and_merge_to_the_single_run(here, capsys):
    fixtures = copy_fixtures(here)
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "fail_false.yaml", "IsLogging: false", "IsLogging: true ")
    (fixtures / "ET1001" / "fail_absent.yaml").unlink()                  # its entries are stale
    edit(fixtures / "WT2004" / "pass_true.yaml", "EnableLogFileValidation: true",
         "EnableLogFileValidation: false")                               # a new finding
    code, single = as_json(capsys, "--baseline", "b.json", "--fail-on", "warning", "fixtures")
    assert code == 1 and len(counted(single)) == 1
    stale = {n["file"] for n in single["notes"]}
    assert stale == {"fixtures/ET1008/fail_false.yaml", "fixtures/ET1001/fail_absent.yaml"}
    codes = []
    for k in (1, 2, 3):
        codes.append(cli(capsys, "--baseline", "b.json", "--shard", f"{k}/3", "--format", "json",
                         "--fail-on", "warning", "--output", f"shard{k}.json", "fixtures")[0])
    assert sorted(codes) == [0, 0, 1]
    code, merged = as_json(capsys, "--merge", "--fail-on", "warning", "shard1.json",
                           "shard2.json", "shard3.json")
    assert code == 1 and merged["notes"] == single["notes"]
    assert merged["findings"] == single["findings"]
    # Recording takes a whole scan; joining reports takes no baseline.
    assert cli(capsys, "--write-baseline", "c.json", "--shard", "1/3", "fixtures")[0] == 2
    assert cli(capsys, "--merge", "--baseline", "b.json", "shard1.json", "shard2.json",
               "shard3.json")[0] == 2


def test_gitlab_leaves_baselined_findings_out_and_markdown_lists_them_suppressed(here, capsys):
    fixtures = copy_fixtures(here, ("ET1008",))
    assert cli(capsys, "--write-baseline", "b.json", "fixtures")[0] == 0
    edit(fixtures / "ET1008" / "pass_true.yaml", "IsLogging: true", "IsLogging: false")
    code, out, _ = cli(capsys, "--format", "gitlab", "--baseline", "b.json", "fixtures")
    assert code == 1
    assert [(i["check_name"], i["location"]["path"]) for i in json.loads(out)] == \
        [("ET1008", "fixtures/ET1008/pass_true.yaml")]
    code, out, _ = cli(capsys, "--format", "markdown", "--baseline", "b.json", "fixtures")
    assert code == 1
    assert "suppressed: baseline, baseline b.json" in out
