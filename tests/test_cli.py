"""The command line: exit codes, text and JSON output, parameters, folder walking, bad input."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch import __version__, catalog
from cfn_trailwatch.cli import main

from helpers import (COMPLIANT, CORE_RULES, NO_CWL, NO_CWL_EXPECTED, SEED, SEED_EXPECTED,
                      scripted_template, write)

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "json-output.schema.json")
                    .read_text(encoding="utf-8"))


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["--format", "json", *[str(a) for a in argv]])
    out, _ = capsys.readouterr()
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return code, report


# --- end to end, with the real engine: the behaviour DESIGN.md asks for -----------------------

def test_seed_sample_reports_both_refs_on_their_lines(tmp_path, capsys):
    path = write(tmp_path, "seed.yaml", SEED)
    code, report = run_json(capsys, path)
    assert code == 1
    got = {(f["rule"], f["line"]) for f in report["findings"] if f["rule"] in CORE_RULES}
    assert got == SEED_EXPECTED
    for finding in report["findings"]:
        assert finding["resource"] == "CloudTrail"
        assert finding["column"] == 7
    assert report["summary"] == {"files": 1, "templates": 1, "trails": 1,
                                 "findings": len(report["findings"]), "suppressed": 0, "errors": 0}


def test_seed_sample_text_lines(tmp_path, capsys):
    path = write(tmp_path, "seed.yaml", SEED)
    code, lines, _ = run(capsys, path)
    assert code == 1
    # Beside its two errors, the seed's trail is single-region (WT2007), its log group has no KMS
    # key (WT2002) and no alarm watches it (IT2009, info), and its role's grant is Resource '*'
    # (IT2006, info).
    assert lines[0].startswith(f"{path}:7:7: WT2007 ")
    assert lines[1].startswith(f"{path}:10:7: ET1003 ")
    assert lines[2].startswith(f"{path}:10:7: IT2009 ")
    assert lines[3].startswith(f"{path}:10:7: WT2002 ")
    assert lines[4].startswith(f"{path}:11:7: ET1004 ")
    assert lines[5].startswith(f"{path}:11:7: IT2006 ")
    assert lines[-1].startswith("6 findings (2 errors, 2 warnings, 2 info) in 1 template, 1 trail")


def test_trail_without_cloudwatch_properties(tmp_path, capsys):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    code, report = run_json(capsys, path)
    assert code == 1
    got = {(f["rule"], f["line"]) for f in report["findings"] if f["rule"] in CORE_RULES}
    assert got == NO_CWL_EXPECTED
    paths = {tuple(f["path"]) for f in report["findings"] if f["rule"] in {"ET1001", "ET1002"}}
    assert paths == {("Resources", "Trail", "Properties")}


def test_compliant_trail_passes(tmp_path, capsys):
    path = write(tmp_path, "ok.yaml", COMPLIANT)
    code, report = run_json(capsys, path)
    assert [f for f in report["findings"] if f["rule"] in CORE_RULES] == []
    assert code == 0


# --- exit codes and --fail-on ----------------------------------------------------------------

@pytest.mark.parametrize("rules, fail_on, expected", [
    (["ET1006"], None, 1),
    (["WT1007"], None, 0),
    (["WT1007"], "warning", 1),
    (["WT1007"], "error", 0),
    (["ET1006"], "never", 0),
    (["WT1007"], "info", 1),
    ([], "info", 0),
])
def test_fail_on(tmp_path, capsys, scripted, rules, fail_on, expected):
    path = write(tmp_path, "t.yaml", scripted_template(("Trail", rules)))
    extra = ["--fail-on", fail_on] if fail_on else []
    code, _, _ = run(capsys, *extra, path)
    assert code == expected


def test_unreadable_template_wins_over_findings(tmp_path, capsys, scripted):
    good = write(tmp_path, "a.yaml", scripted_template(("Trail", ["ET1006"])))
    bad = write(tmp_path, "b.yaml", "Resources:\n  Trail: [unclosed\n")
    code, lines, _ = run(capsys, "--fail-on", "never", good, bad)
    assert code == 2
    assert lines[0].startswith(f"{good}:5:5: ET1006 ")
    error_line = lines[1]
    assert error_line.startswith(f"{bad}:")
    line, column = error_line[len(str(bad)) + 1:].split(":")[:2]
    assert int(line) >= 1 and int(column) >= 1
    assert ": error: " in error_line


# --- text report -----------------------------------------------------------------------------

def test_text_summary_and_order(tmp_path, capsys, scripted):
    write(tmp_path, "b.yaml", scripted_template(("T1", ["WT1007"]), ("T2", [])))
    write(tmp_path, "a.yaml", scripted_template(("T1", ["ET1006"]), ("T2", [])))
    write(tmp_path, "c.json", '{"Resources": {}}')
    write(tmp_path, "d.yaml", "Resources: {a: [\n")
    code, lines, err = run(capsys, tmp_path)
    assert code == 2
    assert lines[0] == f"{tmp_path / 'a.yaml'}:5:5: ET1006 scripted ET1006 on T1"
    assert lines[1] == f"{tmp_path / 'b.yaml'}:5:5: WT1007 scripted WT1007 on T1"
    assert lines[2].startswith(f"{tmp_path / 'd.yaml'}:") and ": error: " in lines[2]
    assert lines[3] == ("2 findings (1 error, 1 warning) in 3 templates, 4 trails; "
                        "1 file could not be read")
    assert err == ""


def test_findings_sorted_by_line_column_rule(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("B", ["WT1007", "ET1002", "ET1001"]),
                                                        ("A", ["ET1006"])))
    _, lines, _ = run(capsys, path)
    assert [line.split(": ")[1].split()[0] for line in lines[:-1]] == \
        ["ET1001", "ET1002", "WT1007", "ET1006"]
    assert lines[-1] == "4 findings (3 errors, 1 warning) in 1 template, 2 trails"


def test_no_findings_summary(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    code, lines, _ = run(capsys, path)
    assert (code, lines) == (0, ["0 findings in 1 template, 1 trail"])


# --- JSON report -----------------------------------------------------------------------------

def test_json_contract(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("Trail", ["ET1006"])))
    broken = write(tmp_path, "broken.json", '{"Resources": ')
    code, report = run_json(capsys, path, broken)
    assert code == 2
    assert report["tool"] == {"name": "cfn-trailwatch", "version": __version__}
    [finding] = report["findings"]
    meta = catalog.get("ET1006")
    assert finding == {
        "rule": "ET1006", "slug": meta.slug, "severity": "error", "file": str(path),
        "line": 5, "column": 5, "resource": "Trail", "resource_type": "AWS::CloudTrail::Trail",
        "path": ["Resources", "Trail", "Properties"], "message": "scripted ET1006 on Trail",
        "scenario": {"UseCloudWatch": False},
        "evidence": ["trail Trail", "log group: none"], "controls": list(meta.controls),
        "suppressed": None,
    }
    assert finding["controls"], "the catalogue maps every core rule to NIST controls"
    [error] = report["errors"]
    assert error["file"] == str(broken) and error["line"] >= 1 and error["message"]
    assert report["notes"] == []
    assert report["summary"] == {"files": 2, "templates": 1, "trails": 1, "findings": 1,
                                 "suppressed": 0, "errors": 1}


def test_json_severities(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("Trail", ["ET1001", "WT1007"])))
    _, report = run_json(capsys, path)
    assert {f["rule"]: f["severity"] for f in report["findings"]} == \
        {"ET1001": "error", "WT1007": "warning"}


def test_version_matches_distribution(capsys):
    assert importlib.metadata.version("cfn-trailwatch") == __version__
    code, lines, _ = run(capsys, "--version")
    assert (code, lines) == (0, [f"cfn-trailwatch {__version__}"])


# --- parameters, regions, account ------------------------------------------------------------

def test_parameters_key_value_repeated_and_several(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    code, _, _ = run(capsys, "--parameters", "A=1", "B=x=y", path, "--parameters", "C=")
    assert code == 0
    [options] = scripted
    assert options.parameters == {"A": "1", "B": "x=y", "C": ""}


def test_parameter_file_aws_cli_format(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    params = write(tmp_path, "params.json", json.dumps([
        {"ParameterKey": "LogGroupArn", "ParameterValue": "arn:aws:logs:us-east-1:1:log-group:x:*"},
        {"ParameterKey": "Enable", "ParameterValue": "true"},
        {"ParameterKey": "Old", "UsePreviousValue": True},
    ]))
    assert run(capsys, "--parameter-file", params, path)[0] == 0
    assert scripted[0].parameters == {"LogGroupArn": "arn:aws:logs:us-east-1:1:log-group:x:*",
                                      "Enable": "true"}


def test_parameter_file_codepipeline_format_and_override(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    params = write(tmp_path, "config.json", json.dumps(
        {"Parameters": {"Enable": "false", "Env": "prod"}, "Tags": {"team": "sec"}}))
    assert run(capsys, "--parameter-file", params, "--parameters", "Env=dev", path)[0] == 0
    assert scripted[0].parameters == {"Enable": "false", "Env": "dev"}


@pytest.mark.parametrize("content", [
    "not json",
    json.dumps({"Enable": "true"}),
    json.dumps([{"ParameterValue": "x"}]),
    json.dumps([{"ParameterKey": "A"}]),
    json.dumps({"Parameters": {"A": {"nested": 1}}}),
])
def test_bad_parameter_file_is_a_usage_error(tmp_path, capsys, scripted, content):
    path = write(tmp_path, "t.yaml", scripted_template(("T", ["ET1001"])))
    params = write(tmp_path, "bad-params.json", content)
    code, lines, err = run(capsys, "--parameter-file", params, path)
    assert code == 2
    assert lines == []
    assert f"--parameter-file {params}" in err
    assert "Traceback" not in err


def test_missing_parameter_file_is_a_usage_error(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    code, _, err = run(capsys, "--parameter-file", tmp_path / "nope.json", path)
    assert code == 2 and "nope.json" in err


def test_regions_spaces_commas_and_account(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    code, lines, _ = run(capsys, "--regions", "us-east-1,eu-west-1", "us-gov-west-1", path,
                         "--account-id", "123456789012")
    assert code == 0 and lines == ["0 findings in 1 template, 1 trail"]
    options = scripted[0]
    assert options.regions == ("us-east-1", "eu-west-1", "us-gov-west-1")
    assert options.account_id == "123456789012"


def test_default_options(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", [])))
    run(capsys, path)
    assert scripted[0].regions == ("us-east-1",)
    assert scripted[0].parameters == {} and scripted[0].account_id is None


# --- usage errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    [],
    ["--format", "xml", "t.yaml"],
    ["--fail-on", "critical", "t.yaml"],
    ["--no-such-option", "t.yaml"],
    ["--parameters", "A=1", "not-a-pair", "B=2", "t.yaml"],
    ["--regions", "us-east-1", "nowhere", "eu-west-1", "t.yaml"],
    ["--account-id", "12345", "t.yaml"],
])
def test_usage_errors_exit_2(tmp_path, capsys, scripted, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "t.yaml", scripted_template(("T", ["ET1001"])))
    code, lines, err = run(capsys, *argv)
    assert code == 2
    assert lines == []
    assert "usage:" in err and "Traceback" not in err
    assert scripted == []


# --- files and folders -----------------------------------------------------------------------

def test_folder_walk_is_sorted_and_skips_hidden_and_node_modules(tmp_path, capsys, scripted):
    root = tmp_path / "repo"
    write(root, "z.template", scripted_template(("Z", ["ET1001"])))
    write(root, "a/b.yml", scripted_template(("B", ["ET1001"])))
    write(root, "a/a.json", json.dumps({"Resources": {"A": {
        "Type": "AWS::CloudTrail::Trail", "Metadata": {"scripted": ["ET1001"]},
        "Properties": {"S3BucketName": "b"}}}}))
    write(root, "m.YAML", scripted_template(("M", ["ET1001"])))
    write(root, ".hidden/broken.yaml", "{{{")
    write(root, "node_modules/pkg/broken.yaml", "{{{")
    write(root, ".broken.yaml", "{{{")
    write(root, "notes.txt", "{{{")
    write(root, ".pre-commit-config.yaml", "repos: []\n")
    write(root, "params.json", json.dumps([{"ParameterKey": "A", "ParameterValue": "b"}]))
    write(root, "list.yaml", "- 1\n- 2\n")
    code, report = run_json(capsys, root)
    assert code == 1
    assert [f["file"] for f in report["findings"]] == [
        str(root / "a" / "a.json"), str(root / "a" / "b.yml"), str(root / "m.YAML"),
        str(root / "z.template")]
    assert report["errors"] == []
    assert report["summary"]["templates"] == 4
    assert report["summary"]["files"] == 6  # a.json b.yml m.YAML z.template params list


def test_analysis_follows_walk_order(tmp_path, capsys, scripted):
    for name in ["b.yaml", "a.yaml", "c/a.yaml"]:
        write(tmp_path, name, scripted_template(("T", [])))
    run(capsys, tmp_path)
    assert len(scripted) == 3


def test_non_templates_are_skipped_quietly(tmp_path, capsys, scripted):
    files = [write(tmp_path, "config.yaml", "key: value\n"),
             write(tmp_path, "list.json", "[1, 2]"),
             write(tmp_path, "params.json", '{"Parameters": {"A": "b"}}'),
             # not parseable, and nothing in it could make it a template: skipped as well
             write(tmp_path, "tsconfig.json", '{\n  // comment\n  "compilerOptions": {}\n}\n')]
    code, lines, err = run(capsys, *files)
    assert (code, lines, err) == (0, ["0 findings in 0 templates, 0 trails"], "")
    assert scripted == []


def test_a_template_whose_resources_is_not_a_mapping_is_an_error(tmp_path, capsys, scripted):
    path = write(tmp_path, "norsrc.yaml", "Description: x\nResources: 5\n")
    code, lines, _ = run(capsys, path)
    assert code == 2
    assert lines[0] == f"{path}:2:1: error: Resources must be a mapping of resources, not int"


def test_explicit_file_with_any_extension_is_read(tmp_path, capsys, scripted):
    path = write(tmp_path, "template.cfn", scripted_template(("T", ["ET1001"])))
    code, lines, _ = run(capsys, path)
    assert code == 1 and lines[0].startswith(f"{path}:5:5: ET1001 ")


def test_explicit_broken_file_is_an_error_with_position(tmp_path, capsys, scripted):
    path = write(tmp_path, "notes.txt", "Resources:\n  A: {\n")
    code, lines, _ = run(capsys, path)
    assert code == 2
    assert lines[0].startswith(f"{path}:")
    assert lines[0].split(":")[1].isdigit() and lines[0].split(":")[2].isdigit()
    assert lines[-1] == "0 findings in 0 templates, 0 trails; 1 file could not be read"


@pytest.mark.parametrize("content", [
    b"Resources:\n  A: \xc3\x28\x00\x01\n",         # binary, not UTF-8
    b"Resources:\n  A: &a [*a]\n",              # recursive alias
    b"Resources:\n  A: 1\n  A: 2\n",            # duplicate key
    b"Resources: {\"A\": 1, \"A\": 2}",         # duplicate key, flow style
])
def test_bad_input_is_an_error_never_a_traceback(tmp_path, capsys, scripted, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    code, lines, err = run(capsys, path)
    assert code == 2
    assert lines[0].startswith(f"{path}:") and ": error: " in lines[0]
    assert "Traceback" not in err


def test_missing_path_is_an_error(tmp_path, capsys, scripted):
    code, lines, _ = run(capsys, tmp_path / "nope.yaml")
    assert code == 2
    assert lines[0] == f"{tmp_path / 'nope.yaml'}:1:1: error: no such file or directory"


def test_relative_paths_stay_relative(tmp_path, capsys, scripted, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "stacks/t.yaml", scripted_template(("T", ["ET1001"])))
    for given, shown in [("stacks/t.yaml", "stacks/t.yaml"), ("stacks", "stacks/t.yaml"),
                         ("./stacks/", "./stacks/t.yaml")]:
        code, lines, _ = run(capsys, given)
        assert lines[0].startswith(f"{shown}:5:5: ET1001 "), given


def test_same_file_twice_is_read_once(tmp_path, capsys, scripted, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "t.yaml", scripted_template(("T", ["ET1001"])))
    _, report = run_json(capsys, "t.yaml", ".", "./t.yaml")
    assert len(report["findings"]) == 1 and report["summary"]["files"] == 1


def test_internal_error_is_reported_and_other_files_still_run(tmp_path, capsys, scripted):
    crash = write(tmp_path, "a.yaml", scripted_template(("T", ["crash"])))
    fine = write(tmp_path, "b.yaml", scripted_template(("T", ["ET1001"])))
    code, lines, err = run(capsys, crash, fine)
    assert code == 2
    assert lines[0] == f"{crash}:1:1: error: internal error: RuntimeError: scripted crash"
    assert lines[1].startswith(f"{fine}:5:5: ET1001 ")
    assert lines[2] == ("1 finding (1 error) in 2 templates, 2 trails; "
                        "1 file could not be analysed")
    assert "Traceback" not in err


def test_trail_the_engine_could_not_analyse_is_an_error_at_the_trail(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("A", ["fail"]), ("B", ["ET1001"])))
    code, lines, _ = run(capsys, path)
    assert code == 2
    assert lines[0] == (f"{path}:2:3: error: internal error while analysing trail A: "
                        "ValueError: scripted failure")
    assert lines[1].startswith(f"{path}:11:5: ET1001 ")
    assert lines[2] == ("1 finding (1 error) in 1 template, 2 trails; "
                        "1 file could not be analysed")


def test_unknown_rule_from_engine_is_an_internal_error(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", scripted_template(("T", ["EX9999"])))
    code, lines, _ = run(capsys, path)
    assert code == 2 and "internal error: KeyError" in lines[0]


# --- suppressions, as cfn-lint reads them ----------------------------------------------------

def test_resource_metadata_ignore_checks(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", """\
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Metadata:
              scripted: [ET1001, ET1002]
              cfn-lint: {config: {ignore_checks: [ET1001, ET10]}}
            Properties:
              S3BucketName: b
          Other:
            Type: AWS::CloudTrail::Trail
            Metadata: {scripted: [ET1001]}
            Properties:
              S3BucketName: b
        """)
    code, report = run_json(capsys, path)
    counted = {(f["rule"], f["resource"]) for f in report["findings"] if f["suppressed"] is None}
    assert counted == {("ET1002", "Trail"), ("ET1001", "Other")}
    # Suppressed, not dropped: exact IDs on the resource, ``ET10`` is no prefix match there.
    [suppressed] = [f for f in report["findings"] if f["suppressed"]]
    assert (suppressed["rule"], suppressed["resource"]) == ("ET1001", "Trail")
    assert suppressed["suppressed"] == {"kind": "inline", "expires": None,
                                        "justification": "Metadata cfn-lint ignore_checks on Trail"}
    assert report["summary"]["findings"] == 2 and report["summary"]["suppressed"] == 1
    assert code == 1


def test_template_metadata_ignore_checks_by_prefix(tmp_path, capsys, scripted):
    path = write(tmp_path, "t.yaml", "Metadata:\n  cfn-lint:\n    config:\n"
                                     "      ignore_checks: [WT]\n"
                 + scripted_template(("T", ["WT1007", "ET1001"])))
    _, report = run_json(capsys, path)
    assert [(f["rule"], f["suppressed"] is None) for f in report["findings"]] == [
        ("ET1001", True), ("WT1007", False)]


# --- the ways to start it ----------------------------------------------------------------------

def test_python_dash_m(tmp_path):
    path = write(tmp_path, "nocwl.yaml", NO_CWL)
    proc = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["trails"] == 1


def test_console_script(tmp_path):
    script = Path(sys.executable).with_name("cfn-trailwatch")
    if not script.exists():
        pytest.skip("console script not installed beside this interpreter")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"cfn-trailwatch {__version__}")


def test_engine_does_not_import_cfnlint(tmp_path):
    path = write(tmp_path, "seed.yaml", SEED)
    code = ("import sys\nfrom cfn_trailwatch.cli import main\n"
            f"main([{str(path)!r}])\n"
            "sys.exit(1 if any(m == 'cfnlint' or m.startswith('cfnlint.') for m in sys.modules) "
            "else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, "the CLI imported cfnlint"


def test_main_leaves_the_garbage_collector_as_it_found_it(tmp_path, capsys):
    import gc

    path = tmp_path / "t.yaml"
    path.write_text("Resources: {}\n")
    before = gc.get_threshold()
    assert main([str(path)]) == 0
    assert gc.get_threshold() == before
    assert main(["--no-such-option"]) == 2          # usage errors too
    assert gc.get_threshold() == before
    capsys.readouterr()


def test_everything_after_a_double_dash_is_a_path_even_an_option_name(tmp_path, capsys,
                                                                       monkeypatch):
    # `--fix` after `--` is a file to scan, never the option (argparse's intermixed parsing
    # would read it as one)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "--fix").write_text(SEED)
    code = main(["--format", "json", "--fail-on", "never", "--", "--fix"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {f["file"] for f in report["findings"]} == {"--fix"}
    assert "ET1003" in {f["rule"] for f in report["findings"]}
    assert (tmp_path / "--fix").read_text() == SEED   # scanned, not fixed
