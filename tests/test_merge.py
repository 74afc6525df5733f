"""``--merge`` (linter/merge/): the JSON or SARIF reports of a scan's shards joined into the
report of the whole scan, byte for byte, with its exit code; what cannot be merged is said in one
line (exit 2). On the whole corpus: test_shard_merge_corpus.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch.cli import main

from helpers import COMPLIANT, SEED, write

TESTS = Path(__file__).parent
JSON_SCHEMA = json.loads((TESTS.parent / "docs" / "json-output.schema.json").read_text("utf-8"))
# The OASIS schema, as ../shared keeps it (tests/data holds the same file for checkouts without
# ../shared).
SHARED_SARIF_SCHEMA = TESTS.parents[1] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
SARIF_SCHEMA = json.loads((SHARED_SARIF_SCHEMA if SHARED_SARIF_SCHEMA.is_file()
                           else TESTS / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

SUPPRESSED = SEED.replace("""    Type: 'AWS::CloudTrail::Trail'
""", """    Type: 'AWS::CloudTrail::Trail'
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [ET1003]
""")
CONFIG = """\
disable: [WT2002]
parameters:
  - files: 'stacks/app2/*'
    values: {NotDeclared: x}
waivers:
  - {rule: ET1004, files: 'stacks/app3/*', reason: accepted until the move}
  - {rule: ET1004, files: 'stacks/app5/*', reason: was accepted, expires: '2001-01-01'}
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A checkout: templates with findings, suppressed (inline and by waiver) ones, notes (an
    expired waiver, an undeclared parameter), a compliant one and a non-template; run from it."""
    monkeypatch.chdir(tmp_path)
    for number in range(12):
        text = COMPLIANT if number % 4 == 0 else SUPPRESSED if number % 4 == 1 else SEED
        write(tmp_path, f"stacks/app{number}/trail.yaml", text)
    write(tmp_path, "stacks/package.json", '{"name": "not a template"}')
    write(tmp_path, "cfg.yaml", CONFIG)
    return tmp_path


def broken(folder: Path) -> None:
    write(folder, "stacks/broken.yaml", "Resources:\n  A: 1\n  A: 2\n")


def scan(capsys, fmt: str, *argv: str) -> tuple[int, str]:
    code = main(["--config", "cfg.yaml", "--format", fmt, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def shards(capsys, fmt: str, count: int, *argv: str) -> list[str]:
    """The shards' reports, written with --output as CI jobs do; their file names."""
    names = []
    for k in range(1, count + 1):
        name = f"shard-{k}.{fmt}"
        code, out = scan(capsys, fmt, "--shard", f"{k}/{count}", "--output", name, *argv)
        assert out == "" and code in (0, 1, 2)
        names.append(name)
    return names


def merge(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--config", "cfg.yaml", "--merge", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def validate_sarif(text: str) -> dict:
    log = json.loads(text)
    validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
    validator_class(SARIF_SCHEMA, format_checker=validator_class.FORMAT_CHECKER).validate(log)
    return log


# --- the merged report is the single run's -----------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "sarif"])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_merged_shards_are_the_single_run_byte_for_byte(here, capsys, fmt, count):
    broken(here)
    code, single = scan(capsys, fmt, "stacks", "gone.yaml")
    names = shards(capsys, fmt, count, "stacks", "gone.yaml")
    merged_code, merged, err = merge(capsys, *reversed(names))   # any order of the inputs
    assert err == ""
    assert merged == single
    assert merged_code == code == 2


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_stack_nested_by_templates_of_several_shards_is_merged_as_in_one_run(here, capsys,
                                                                              fmt):
    """A nested template's findings come from its parents' checks, one finding for several
    parents (``[nested in a.yaml Logging; b.yaml Logging]``): the shards keep the group together
    (test_shard.py), so the merge still gives the single run."""
    from cfn_trailwatch.scan import shard as sharding

    write(here, "nested/child.yaml", SEED)
    parents = [f"nested/{name}.yaml" for name in ("alpha", "beta", "gamma", "delta")]
    for parent in parents:
        write(here, parent, "Resources:\n  Logging:\n    Type: AWS::CloudFormation::Stack\n"
                            "    Properties:\n      TemplateURL: ./child.yaml\n")
    assert len({sharding.owner(parent, 3) for parent in parents}) > 1
    code, single = scan(capsys, fmt, "stacks", "nested")
    assert "nested in nested/alpha.yaml Logging; nested/beta.yaml Logging" in single
    names = shards(capsys, fmt, 3, "stacks", "nested")
    merged_code, merged, _ = merge(capsys, *names)
    assert merged == single and merged_code == code == 1


@pytest.mark.parametrize("fmt", ["json", "sarif"])
@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_the_merges_exit_code_follows_fail_on_as_the_scans(here, capsys, fmt, fail_on):
    code, single = scan(capsys, fmt, "--fail-on", fail_on, "stacks")
    names = shards(capsys, fmt, 3, "stacks")
    merged_code, merged, _ = merge(capsys, "--fail-on", fail_on, "--output", f"all.{fmt}", *names)
    assert merged == "" and (here / f"all.{fmt}").read_text("utf-8") == single
    assert merged_code == code == (0 if fail_on == "never" else 1)


def test_the_configurations_fail_on_decides_the_merge_as_the_scan(here, capsys):
    (here / "cfg.yaml").write_text(CONFIG + "fail_on: never\n", encoding="utf-8")
    names = shards(capsys, "json", 2, "stacks")
    assert merge(capsys, *names)[0] == 0
    assert merge(capsys, "--fail-on", "info", *names)[0] == 1


def test_only_suppressed_findings_of_a_failing_severity_pass(here, capsys):
    # app1: SEED with ET1003 suppressed inline; app3's ET1004 waived.
    names = shards(capsys, "sarif", 2, "stacks/app1", "stacks/app3")
    code, out, _ = merge(capsys, *names)
    results = json.loads(out)["runs"][0]["results"]
    assert {r["ruleId"] for r in results if r.get("suppressions")} >= {"ET1003", "ET1004"}
    assert code == 1   # ET1004 of app1 and ET1003 of app3 still count
    assert scan(capsys, "sarif", "stacks/app1", "stacks/app3")[0] == 1


def test_merged_sarif_is_one_valid_run(here, capsys):
    broken(here)
    single = validate_sarif(scan(capsys, "sarif", "stacks")[1])
    log = validate_sarif(merge(capsys, "--format", "sarif", *shards(capsys, "sarif", 3,
                                                                     "stacks"))[1])
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) == len(single["runs"][0]["tool"]["driver"]["rules"])
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False          # the broken file's shard failed
    assert len(invocation["toolExecutionNotifications"]) == 1
    assert [n["message"]["text"] for n in invocation["toolConfigurationNotifications"]] == [
        n["message"]["text"] for n in single["runs"][0]["invocations"][0][
            "toolConfigurationNotifications"]]
    overrides = invocation["ruleConfigurationOverrides"]       # disabled and not-asked rules
    assert "WT2002" in {o["descriptor"]["id"] for o in overrides}
    assert all(rules[o["descriptor"]["index"]] == o["descriptor"]["id"] for o in overrides)
    assert "cfnTrailwatchShard" not in json.dumps(log)
    assert "cfnTrailwatchFile" not in json.dumps(log)


def test_merged_json_keeps_the_contract(here, capsys):
    names = shards(capsys, "json", 3, "stacks")
    for name in names:
        jsonschema.validate(json.loads((here / name).read_text("utf-8")), JSON_SCHEMA)
    report = json.loads(merge(capsys, *names)[1])
    jsonschema.validate(report, JSON_SCHEMA)
    assert "shard" not in report
    assert report["notes"] and any(f["suppressed"] for f in report["findings"])


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_no_report_holds_a_time_stamp_for_merge_to_combine(here, capsys, fmt):
    """Were a time stamp added (SARIF's invocation startTimeUtc/endTimeUtc, a JSON scan time),
    the shards would differ in it and merge would have to combine it (the earliest start, the
    latest end): this test says so. The day of the run matters only for a waiver's expiry (a
    note), which the shards of one workflow see alike."""
    names = shards(capsys, fmt, 2, "stacks")
    for text in [(here / name).read_text("utf-8") for name in names] + [merge(capsys, *names)[1]]:
        assert not [key for key in _keys(json.loads(text)) if re.search("time|utc", key, re.I)]


# --- what cannot be merged ------------------------------------------------------------------------

def edit(path: Path, change) -> None:
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def _sarif_run(document):
    return document["runs"][0]


CANNOT = {
    "another version": ("json", lambda d: d["tool"].update(version="9.9.9"), None,
                        "shard-1.json and shard-2.json are of different versions of "
                        "cfn-trailwatch (0.1.0 and 9.9.9)"),
    "another sarif version": ("sarif", lambda d: _sarif_run(d)["tool"]["driver"].update(
        version="9.9.9"), None, "different versions of cfn-trailwatch"),
    "not this version": ("json", None, "version", "the reports were made by cfn-trailwatch "
                         "9.9.9, this is 0.1.0: merge with the version that made them"),
    "another tool": ("sarif", lambda d: _sarif_run(d)["tool"]["driver"].update(name="eslint"),
                     None, "shard-2.sarif: a report of eslint, not of cfn-trailwatch"),
    "a fix report": ("json", lambda d: d.update(fixes=[]), None,
                     "shard-2.json: cannot merge a report with fixes (--fix)"),
    "two runs": ("sarif", lambda d: d["runs"].append(d["runs"][0]), None,
                 "a cfn-trailwatch SARIF report has one run, this one 2"),
    "misshapen": ("json", lambda d: d["summary"].pop("files"), None,
                  "a report is not shaped as cfn-trailwatch 0.1.0 writes it (KeyError: 'files')"),
    "different rules off": ("sarif", lambda d: _sarif_run(d)["invocations"][0][
        "ruleConfigurationOverrides"].pop(0), None, "disable different rules"),
}


@pytest.mark.parametrize("case", list(CANNOT))
def test_reports_that_do_not_belong_together_are_refused(here, capsys, case):
    fmt, change, everywhere, message = CANNOT[case]
    names = shards(capsys, fmt, 2, "stacks")
    if change is not None:
        edit(here / names[1], change)
    if everywhere:
        for name in names:
            edit(here / name, lambda d: (d["tool"] if fmt == "json" else _sarif_run(d)["tool"][
                "driver"]).update(version="9.9.9"))
    code, out, err = merge(capsys, "--output", "all.out", *names)
    assert (code, out) == (2, "")
    assert err.startswith("cfn-trailwatch: error: --merge: ") and message in err, err
    assert not (here / "all.out").exists()


def test_formats_and_shards_are_checked(here, capsys):
    json_names = shards(capsys, "json", 3, "stacks")
    sarif_names = shards(capsys, "sarif", 3, "stacks")
    cases = [
        ([json_names[0], sarif_names[1], json_names[2]],
         "shard-1.json and shard-2.sarif are of different formats (json and sarif)"),
        (["--format", "sarif", *json_names], "--format sarif, but the reports are json"),
        (json_names[:2], "shard 3/3 is missing: a merged report must cover the whole scan"),
        (json_names[:1], "shards 2/3, 3/3 are missing"),
        ([*json_names, json_names[1]], "shard 2/3 is given twice: shard-2.json and shard-2.json"),
    ]
    for argv, message in cases:
        code, out, err = merge(capsys, *argv)
        assert (code, out) == (2, "") and message in err, (argv, err)


def test_shards_of_other_scans_are_refused(here, capsys):
    for name in shards(capsys, "json", 2, "stacks"):
        (here / name).rename(here / f"a-{name}")
    write(here, "stacks/app99/trail.yaml", SEED)   # another commit: one more file
    second = shards(capsys, "json", 2, "stacks")
    code, _, err = merge(capsys, "a-shard-1.json", second[1])
    assert code == 2 and err.endswith(
        "a-shard-1.json and shard-2.json are of different scans (other files discovered: another "
        "commit, or other paths): merge the reports of one scan\n")
    third = shards(capsys, "json", 3, "stacks")
    code, _, err = merge(capsys, "a-shard-2.json", third[0])
    assert code == 2 and "are of different shard counts N (2 and 3)" in err


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_shards_run_with_other_options_are_refused(here, capsys, fmt):
    """One job of the matrix with another --parameters (or regions, account, opt-in rules...)
    would merge into a report no single scan gives."""
    first = shards(capsys, fmt, 2, "stacks")
    (here / first[0]).rename(here / f"a-{first[0]}")
    other = shards(capsys, fmt, 2, "--parameters", "Env=prod", "stacks")
    code, _, err = merge(capsys, f"a-{first[0]}", other[1])
    assert code == 2 and err.endswith(
        f"a-{first[0]} and {other[1]} are of different options (run with other --parameters, "
        "--parameter-file, --regions, --account-id, --include-checks, --stack-name or "
        "configuration): merge the reports of one scan\n")
    assert merge(capsys, *other)[0] in (0, 1)   # the same options: merged


def test_what_is_no_shard_report_is_refused(here, capsys):
    scan(capsys, "json", "--output", "whole.json", "stacks")
    for argv, message in [
        (["whole.json"], "whole.json: not a shard's report (made without --shard K/N)"),
        (["stacks/app0/trail.yaml"], "stacks/app0/trail.yaml: not a JSON or SARIF report"),
        (["stacks/package.json"], "stacks/package.json: not a cfn-trailwatch JSON or SARIF report"),
        (["nowhere.json"], "nowhere.json: No such file or directory"),
    ]:
        code, out, err = merge(capsys, *argv)
        assert (code, out) == (2, "") and message in err, (argv, err)


@pytest.mark.parametrize("argv, message", [
    (["--format", "text"], "--merge joins json or sarif reports, not text"),
    (["--format", "junit"], "--merge joins json or sarif reports, not junit"),
    (["--jobs", "2"], "--merge joins reports: --jobs is for a scan"),
    (["--shard", "1/2", "--parameters", "A=b"], "--parameters, --shard are for a scan"),
    (["--fix"], "--fix is for a scan"),
    (["--include-checks", "WT3"], "--include-checks is for a scan"),
])
def test_scan_options_with_merge_are_usage_errors(here, capsys, argv, message):
    names = shards(capsys, "json", 2, "stacks")
    code, out, err = merge(capsys, *argv, *names)
    assert (code, out) == (2, "")
    assert "usage: cfn-trailwatch" in err and message in err


def test_every_option_of_a_scan_is_refused_with_merge():
    """An option added for scans must be added to cli._SCAN_ONLY (or be meant for --merge)."""
    from cfn_trailwatch import cli

    for_merge = {"--help", "--format", "--output", "--fail-on", "--config", "--merge",
                 "--version", "--config-schema", "--list-rules", "--explain"}
    options = {action.option_strings[-1] if action.option_strings[-1].startswith("--")
               else action.option_strings[0]
               for action in cli._parser()._actions if action.option_strings}
    assert options - for_merge == {flag for _, flag in cli._SCAN_ONLY}


def test_merge_without_reports_is_a_usage_error(here, capsys):
    code, out, err = merge(capsys)
    assert (code, out) == (2, "") and "no PATH given" in err


def test_a_file_or_folder_named_merge_is_still_scanned(here, capsys):
    write(here, "merge", SEED)
    code, out = scan(capsys, "text", "merge")
    assert code == 1 and "merge:10:7: ET1003" in out
    write(here, "other/merge/trail.yaml", SEED)
    code, out = scan(capsys, "text", "other/merge")
    assert code == 1 and "other/merge/trail.yaml:10:7: ET1003" in out
    # With --merge, `merge` is a report to join: a template is not one.
    code, _, err = merge(capsys, "merge")
    assert code == 2 and "merge: not a JSON or SARIF report" in err


# --- the README's matrix ------------------------------------------------------------------------

def test_the_readmes_matrix_runs_as_written(here, capsys):
    """The GitHub Actions workflow of README's "Sharding a large scan": its scan commands, one per
    matrix entry, and its merge command give the single run's SARIF and exit code."""
    import glob
    import shlex

    import yaml

    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "--merge" in b]
    jobs = yaml.safe_load(block)["jobs"]
    scan_job, merge_job = jobs["scan"], jobs["merge"]
    assert merge_job["needs"] == "scan" and merge_job["if"] == "always()"
    assert merge_job["permissions"]["security-events"] == "write"
    matrix = scan_job["strategy"]["matrix"]["shard"]
    assert matrix == [1, 2, 3]

    def command(job, marker, *replace: tuple[str, str]):
        [run] = [step["run"] for step in job["steps"] if marker in step.get("run", "")]
        for old, value in replace:
            assert old in run
            run = run.replace(old, value)
        argv = shlex.split(run)
        assert argv[0] == "cfn-trailwatch"
        return argv[1:]

    write(here, "params/prod.json", '[{"ParameterKey": "Env", "ParameterValue": "prod"}]')
    for number in range(10):
        write(here, f"templates/stack{number}.yaml", SEED if number % 2 else COMPLIANT)
    [artifact] = [step for step in scan_job["steps"]
                  if step.get("uses", "").startswith("actions/upload-artifact")]
    shard_of = "${{ matrix.shard }}"
    for shard in matrix:
        # --fail-on never: the shards report, the merge decides
        assert main(command(scan_job, "--shard", (shard_of, str(shard)))) == 0
        assert Path(artifact["with"]["path"].replace(shard_of, str(shard))).is_file()
    merge_argv = [match for word in command(merge_job, "--merge")
                  for match in (sorted(glob.glob(word)) if "*" in word else [word])]
    capsys.readouterr()
    assert main(merge_argv) == 1
    [upload] = [step for step in merge_job["steps"]
                if step.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    merged = Path(upload["with"]["sarif_file"]).read_text(encoding="utf-8")
    # The same scan in one job, to standard output, failing on errors as the merge does.
    single = command(scan_job, "--shard", (f"--output shard-{shard_of}.sarif", ""),
                     (f"--shard {shard_of}/3", ""), ("--fail-on never", "--fail-on error"))
    assert main(single) == 1
    assert capsys.readouterr()[0] == merged
    assert len(json.loads(merged)["runs"]) == 1
