"""SARIF, JUnit and GitHub Actions reports, and --output: each checked by what reads it (the
OASIS SARIF schema through jsonschema, an XML parser, GitHub's escaping rules)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch import __version__, catalog
from cfn_trailwatch.cli import main
from cfn_trailwatch.findings import FileError, Finding, Located, Suppression
from cfn_trailwatch.report import STAGE_ANALYSE, Run
from cfn_trailwatch.report import github, junit, sarif

from helpers import SEED, scripted_template, write

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                          .read_text(encoding="utf-8"))
RULES = list(catalog.rules())
# What a run without --include-checks runs (and JUnit lists as test cases).
DEFAULT_RULES = [r for r in RULES if not catalog.get(r).opt_in]

# The seed sample with the trail's ET1003 suppressed as cfn-lint reads it (4 lines added above
# the findings: ET1003 moves from line 10 to 14, ET1004 from 11 to 15).
SEED_SUPPRESSED = SEED.replace("""    Type: 'AWS::CloudTrail::Trail'
""", """    Type: 'AWS::CloudTrail::Trail'
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [ET1003]
""")


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Run from tmp_path, as CI runs from the checkout: reports name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(capsys, fmt: str, *argv) -> tuple[int, str]:
    code = main(["--format", fmt, *[str(a) for a in argv]])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def validate_sarif(text: str) -> dict:
    log = json.loads(text)
    validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
    assert validator_class is jsonschema.Draft7Validator  # what the schema declares
    validator_class.check_schema(SARIF_SCHEMA)
    validator_class(SARIF_SCHEMA, format_checker=validator_class.FORMAT_CHECKER).validate(log)
    # jsonschema checks "format": "uri" only with an optional package; check the URIs here.
    run = log["runs"][0]
    uris = [run["originalUriBaseIds"]["%SRCROOT%"]["uri"]] + [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for item in run["results"] + run["invocations"][0].get("toolExecutionNotifications", [])
        for loc in item["locations"]]
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", uri) for uri in uris), uris
    return log


def run_sarif(capsys, *argv) -> tuple[int, dict]:
    code, out = report(capsys, "sarif", *argv)
    return code, validate_sarif(out)


def located(rule: str, file: str, line: int, column: int, message: str = "msg",
            resource: str = "Trail", suppression: Suppression | None = None) -> Located:
    return Located(Finding(rule, resource, ("Resources", resource, "Properties"), message,
                           (("UseCloudWatch", False),), ("trail " + resource,)),
                   file, line, column, suppression)


# --- SARIF -----------------------------------------------------------------------------------

def test_sarif_driver_lists_every_catalogue_rule(here, capsys, scripted):
    write(here, "t.yaml", scripted_template(("Trail", [])))
    code, log = run_sarif(capsys, "t.yaml")
    assert code == 0
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("cfn-trailwatch", __version__)
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == RULES
    for entry in driver["rules"]:
        meta = catalog.get(entry["id"])
        assert entry["name"] == meta.slug
        assert entry["shortDescription"]["text"] == meta.title
        assert entry["fullDescription"]["text"] == meta.description
        assert entry["helpUri"] == meta.help_uri
        assert entry["defaultConfiguration"]["level"] == \
            {"error": "error", "warning": "warning", "info": "note"}[meta.severity]
        props = entry["properties"]
        assert props["tags"] == ["security", *(f"NIST.800-53.r5 {c}" for c in meta.controls)]
        assert float(props["security-severity"]) == \
            {"error": 8.0, "warning": 5.0, "info": 2.0}[meta.severity]
        assert props["precision"] in {"very-high", "high", "medium", "low"}
    assert run["results"] == []
    # The opt-in rules (WT3001-WT3014) did not run: a viewer must not read them as passing.
    opt_in = [r for r in RULES if catalog.get(r).opt_in]
    assert len(opt_in) == 14
    assert run["invocations"] == [{"executionSuccessful": True, "ruleConfigurationOverrides": [
        {"descriptor": {"id": r, "index": RULES.index(r)}, "configuration": {"enabled": False}}
        for r in opt_in]}]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": here.as_uri() + "/"}}


def test_sarif_results_exact(here, capsys, scripted):
    write(here, "stacks/t.yaml", scripted_template(("Trail", ["WT1007", "ET1006"])))
    code, log = run_sarif(capsys, "stacks")
    assert code == 1
    [run] = log["runs"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("ET1006", "error"),
                                                             ("WT1007", "warning")]
    for result in results:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"] == {"text": f"scripted {result['ruleId']} on Trail"}
        [location] = result["locations"]
        assert location["physicalLocation"] == {
            "artifactLocation": {"uri": "stacks/t.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 5, "startColumn": 5}}
        assert result["properties"] == {
            "resource": "Trail", "resourceType": "AWS::CloudTrail::Trail", "path": ["Resources", "Trail", "Properties"],
            "scenario": {"UseCloudWatch": False},
            "evidence": ["trail Trail", "log group: none"],
            "controls": list(catalog.get(result["ruleId"]).controls),
            "tags": ["security", *(f"NIST.800-53.r5 {c}"
                                   for c in catalog.get(result["ruleId"]).controls)]}
        assert "suppressions" not in result


def test_sarif_real_engine_seed(here, capsys):
    write(here, "seed.yaml", SEED)
    code, log = run_sarif(capsys, "./seed.yaml")
    assert code == 1
    got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]) for r in log["runs"][0]["results"]]
    # The seed's trail is single-region (WT2007), its log group has no KMS key (WT2002) and no
    # alarm (IT2009), and its role's grant is Resource '*' (IT2006).
    assert got == [("WT2007", "seed.yaml", {"startLine": 7, "startColumn": 7}),
                   ("ET1003", "seed.yaml", {"startLine": 10, "startColumn": 7}),
                   ("IT2009", "seed.yaml", {"startLine": 10, "startColumn": 7}),
                   ("WT2002", "seed.yaml", {"startLine": 10, "startColumn": 7}),
                   ("ET1004", "seed.yaml", {"startLine": 11, "startColumn": 7}),
                   ("IT2006", "seed.yaml", {"startLine": 11, "startColumn": 7})]
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert levels == {"ET1003": "error", "WT2002": "warning", "ET1004": "error", "IT2006": "note",
                      "WT2007": "warning", "IT2009": "note"}


def test_sarif_fingerprints_survive_lines_moving(here, capsys):
    path = write(here, "seed.yaml", SEED)
    _, before = run_sarif(capsys, path)
    path.write_text("# moved down by a comment and blank lines\n\n\n" + SEED, encoding="utf-8")
    _, after = run_sarif(capsys, path)

    def by_rule(log):
        return {r["ruleId"]: r for r in log["runs"][0]["results"]}

    before, after = by_rule(before), by_rule(after)
    assert set(before) == set(after) == {"ET1003", "ET1004", "WT2002", "IT2006", "WT2007", "IT2009"}
    for rule in before:
        old, new = before[rule], after[rule]
        assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == \
            old["locations"][0]["physicalLocation"]["region"]["startLine"] + 3
        assert new["partialFingerprints"] == old["partialFingerprints"]
    assert before["ET1003"]["partialFingerprints"] != before["ET1004"]["partialFingerprints"]
    # the same property, another rule: another alert
    assert before["ET1003"]["partialFingerprints"] != before["WT2002"]["partialFingerprints"]


def test_sarif_fingerprints_tell_same_rule_and_property_apart(here, capsys, scripted):
    write(here, "t.yaml", scripted_template(("A", ["ET1006", "ET1006"]), ("B", ["ET1006"])))
    _, log = run_sarif(capsys, "t.yaml")
    prints = [json.dumps(r["partialFingerprints"]) for r in log["runs"][0]["results"]]
    assert len(prints) == 3 and len(set(prints)) == 3


def test_sarif_inline_suppression_through_the_cli(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED)
    code, log = run_sarif(capsys, "seed.yaml")
    assert code == 1  # ET1004 still counts
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    # the suppressed one is kept, marked
    assert set(results) == {"ET1003", "ET1004", "WT2002", "IT2006", "WT2007", "IT2009"}
    [suppression] = results["ET1003"]["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
    assert "ignore_checks" in suppression["justification"]
    assert results["ET1003"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 14
    assert "suppressions" not in results["ET1004"]


def test_sarif_waiver_suppression_is_external(here):
    run = Run(findings=[located("ET1006", "t.yaml", 5, 5, suppression=Suppression(
        "waiver", "accepted risk, ticket SEC-1", "2031-01-01"))], templates=1, trails=1)
    log = validate_sarif(sarif.render(run))
    [suppression] = log["runs"][0]["results"][0]["suppressions"]
    assert suppression == {"kind": "external", "status": "accepted",
                           "justification": "accepted risk, ticket SEC-1",
                           "properties": {"expires": "2031-01-01"}}


def test_sarif_file_errors_are_notifications(here, capsys, scripted):
    write(here, "good.yaml", scripted_template(("Trail", ["ET1001"])))
    write(here, "bad.yaml", "Resources:\n  Trail: [unclosed\n")
    code, log = run_sarif(capsys, "good.yaml", "bad.yaml", "missing.yaml")
    assert code == 2
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == \
        ["bad.yaml", "missing.yaml"]
    assert all(n["level"] == "error" and n["message"]["text"] for n in notes)
    assert notes[1]["message"]["text"] == "no such file or directory"
    assert notes[1]["locations"][0]["physicalLocation"]["region"] == \
        {"startLine": 1, "startColumn": 1}
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["ET1001"]


def test_sarif_uris_are_encoded_and_outside_files_absolute(here, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.yaml"
    run = Run(findings=[located("ET1001", os.path.join("my stacks", "a#1.yaml"), 3, 2),
                        located("ET1002", str(outside), 4, 1)])
    log = validate_sarif(sarif.render(run))
    locations = {r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]
                 for r in log["runs"][0]["results"]}
    assert locations["ET1001"] == {"uri": "my%20stacks/a%231.yaml", "uriBaseId": "%SRCROOT%"}
    assert locations["ET1002"] == {"uri": outside.as_uri()}


def test_sarif_disabled_rules_and_notes(here):
    run = Run(notes=[FileError("t.yaml", 5, 5, "waiver 1 expired on 2020-01-01")],
              disabled=frozenset({"WT1007"}))
    log = validate_sarif(sarif.render(run))
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["ruleConfigurationOverrides"] == [
        {"descriptor": {"id": "WT1007", "index": RULES.index("WT1007")},
         "configuration": {"enabled": False}}]
    [note] = invocation["toolConfigurationNotifications"]
    assert note["level"] == "warning" and "expired" in note["message"]["text"]
    assert invocation["executionSuccessful"] is True


# --- JUnit -----------------------------------------------------------------------------------

def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def counts(element: ET.Element) -> dict[str, int]:
    return {key: int(element.get(key)) for key in ("tests", "failures", "errors", "skipped")}


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in suite.iter("testcase")}


def test_junit_suites_cases_and_counts(here, capsys, scripted):
    write(here, "a.yaml", scripted_template(("T1", ["ET1006"]), ("T2", [])))
    write(here, "b.yaml", scripted_template(("T1", ["WT1007"])))
    write(here, "c.json", '{"Resources": {}}')  # a template without trails: no suite
    write(here, "d.yaml", "Resources: {a: [\n")
    code, out = report(capsys, "junit", ".")
    assert code == 2
    root = parse_junit(out)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["a.yaml", "b.yaml", "d.yaml"]

    a = suites["a.yaml"]
    assert counts(a) == {"tests": 2 * len(DEFAULT_RULES), "failures": 1, "errors": 0, "skipped": 0}
    a_cases = cases(a)
    assert list(a_cases) == [f"{t} {r} {catalog.get(r).slug}" for t in ("T1", "T2") for r in DEFAULT_RULES]
    assert all(case.get("classname") == "a.yaml" for case in a_cases.values())
    failure = a_cases["T1 ET1006 trail-cwl-role-permissions"].find("failure")
    assert failure.get("type") == "ET1006"
    assert failure.get("message") == "scripted ET1006 on T1"
    assert failure.text.splitlines() == ["a.yaml:5:5: ET1006 scripted ET1006 on T1",
                                         "scenario: UseCloudWatch=False",
                                         "  trail T1", "  log group: none"]
    passing = a_cases["T2 ET1006 trail-cwl-role-permissions"]
    assert list(passing) == []

    # A warning below the default threshold (error) passes, with a note: the verdict is exit 0.
    b = suites["b.yaml"]
    assert counts(b) == {"tests": len(DEFAULT_RULES), "failures": 0, "errors": 0, "skipped": 0}
    note = cases(b)["T1 WT1007 trail-cwl-unverifiable"]
    assert note.find("failure") is None
    assert note.find("system-out").text.startswith("warning below --fail-on: b.yaml:5:5: WT1007")

    d = suites["d.yaml"]
    assert counts(d) == {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
    [case] = d.findall("testcase")
    error = case.find("error")
    assert error.get("message") and error.text.startswith("d.yaml:")
    assert case.get("name").startswith("read error at ")

    assert counts(root) == {"tests": 3 * len(DEFAULT_RULES) + 1, "failures": 1, "errors": 1,
                            "skipped": 0}


@pytest.mark.parametrize("fail_on, failures, code", [
    ("warning", 2, 1), ("error", 1, 1), ("never", 0, 0)])
def test_junit_verdict_follows_fail_on(here, capsys, scripted, fail_on, failures, code):
    write(here, "t.yaml", scripted_template(("Trail", ["ET1001", "WT1007"])))
    got, out = report(capsys, "junit", "--fail-on", fail_on, "t.yaml")
    assert got == code
    assert counts(parse_junit(out))["failures"] == failures


def test_junit_suppressed_finding_is_skipped(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED)
    code, out = report(capsys, "junit", "seed.yaml")
    assert code == 1
    suite = parse_junit(out).find("testsuite")
    assert counts(suite) == {"tests": len(DEFAULT_RULES), "failures": 1, "errors": 0, "skipped": 1}
    skipped = cases(suite)["CloudTrail ET1003 trail-cwl-log-group-arn-invalid"].find("skipped")
    assert skipped.get("message").startswith("suppressed: ")
    assert "ignore_checks" in skipped.get("message")
    failed = cases(suite)["CloudTrail ET1004 trail-cwl-role-arn-invalid"].find("failure")
    assert failed.get("message").startswith("Trail CloudTrail: !Ref CloudWatchLogsRole")
    assert failed.text.startswith("seed.yaml:15:7: ET1004 ")


def test_junit_checks_that_did_not_run_never_pass(here, capsys, scripted):
    write(here, "t.yaml", scripted_template(("A", ["fail"]), ("B", ["ET1001"])))
    write(here, "u.yaml", scripted_template(("C", ["crash"])))
    _, out = report(capsys, "junit", "t.yaml", "u.yaml")
    t, u = parse_junit(out).findall("testsuite")
    names = list(cases(t))
    assert names[0] == "A analysis error at 2:3"
    assert not any(name.startswith("A ") for name in names[1:])
    assert names[1:] == [f"B {r} {catalog.get(r).slug}" for r in DEFAULT_RULES]
    assert counts(t) == {"tests": 1 + len(DEFAULT_RULES), "failures": 1, "errors": 1, "skipped": 0}
    assert list(cases(u)) == ["analysis error at 1:1"]
    assert counts(u) == {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}


def test_junit_escapes_markup_and_control_characters(here):
    message = 'a <b> & "c" \x01 \U0001F600'
    run = Run(findings=[located("ET1006", "t.yaml", 5, 5, message)],
              errors=[FileError("bin.yaml", 1, 1, "bad byte \x00 here",
                                {"stage": STAGE_ANALYSE})],
              trails_by_file={"t.yaml": ["Trail"]}, disabled=frozenset({"WT1007"}))
    root = parse_junit(junit.render(run))
    b, t = root.findall("testsuite")  # sorted by file
    failure = cases(t)["Trail ET1006 trail-cwl-role-permissions"].find("failure")
    assert failure.get("message") == 'a <b> & "c" \\x01 \U0001F600'
    assert "Trail WT1007 trail-cwl-unverifiable" not in cases(t)  # disabled: not a pass
    assert counts(t)["tests"] == len(RULES) - 1
    assert b.find("testcase/error").get("message") == "bad byte \\x00 here"


# --- GitHub Actions --------------------------------------------------------------------------

def test_github_annotations_exact(here, capsys, scripted):
    write(here, "stacks/t.yaml", scripted_template(("Trail", ["WT1007", "ET1006"])))
    write(here, "broken.yaml", "Resources: {a: [\n")
    code, out = report(capsys, "github", "stacks", "broken.yaml")
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith("::error file=broken.yaml,line=")
    assert ",title=cfn-trailwatch%3A template could not be read::" in lines[0]
    assert lines[1:] == [
        "::error file=stacks/t.yaml,line=5,col=5,title=ET1006 trail-cwl-role-permissions::"
        "scripted ET1006 on Trail",
        "::warning file=stacks/t.yaml,line=5,col=5,title=WT1007 trail-cwl-unverifiable::"
        "scripted WT1007 on Trail",
        "cfn-trailwatch: 2 findings annotated, 0 suppressed, 1 file error in 1 template, 1 trail",
    ]


def test_github_escaping():
    assert github.escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert github.escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    run = Run(findings=[located("ET1001", "odd,name:1.yaml", 3, 2,
                                "50% of it: a, b\nand c")])
    assert github.render(run).splitlines()[0] == (
        "::error file=odd%2Cname%3A1.yaml,line=3,col=2,title=ET1001 trail-cwl-log-group-missing::"
        "50%25 of it: a, b%0Aand c")


def test_github_suppressed_are_counted_not_annotated(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED)
    code, out = report(capsys, "github", "seed.yaml")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("::warning file=seed.yaml,line=11,col=7,title=WT2007 ")
    assert lines[1].startswith("::notice file=seed.yaml,line=14,col=7,title=IT2009 ")
    assert lines[2].startswith("::warning file=seed.yaml,line=14,col=7,title=WT2002 ")
    assert lines[3].startswith("::error file=seed.yaml,line=15,col=7,title=ET1004 ")
    assert lines[4].startswith("::notice file=seed.yaml,line=15,col=7,title=IT2006 ")
    assert lines[5] == ("cfn-trailwatch: 5 findings annotated, 1 suppressed, 0 file errors "
                        "in 1 template, 1 trail")


def test_github_notice_for_info_and_warning_for_notes():
    assert github.COMMANDS == {"error": "error", "warning": "warning", "info": "notice"}
    run = Run(notes=[FileError("t.yaml", 4, 3, "waiver 1 expired")])
    assert github.render(run).splitlines()[0] == \
        "::warning file=t.yaml,line=4,col=3,title=cfn-trailwatch%3A configuration::waiver 1 expired"


# --- --output --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_output_file_and_empty_stdout(here, capsys, scripted, fmt):
    write(here, "t.yaml", scripted_template(("Trail", ["ET1006"])))
    before = set(os.listdir(here))
    code = main(["--format", fmt, "--output", "report.out", "t.yaml"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (1, "", "")
    assert set(os.listdir(here)) == before | {"report.out"}
    written = (here / "report.out").read_text(encoding="utf-8")
    assert written == report(capsys, fmt, "t.yaml")[1]
    if fmt == "sarif":
        validate_sarif(written)


@pytest.mark.parametrize("target", ["no/such/folder/r.sarif", "."])
def test_unwritable_output_is_a_usage_error(here, capsys, scripted, target):
    write(here, "t.yaml", scripted_template(("Trail", ["ET1006"])))
    before = set(os.listdir(here))
    code = main(["--format", "sarif", "--output", target, "t.yaml"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"--output {target}" in err and "Traceback" not in err
    assert set(os.listdir(here)) == before


def test_output_write_failure_is_exit_2(here, capsys, scripted, monkeypatch):
    write(here, "t.yaml", scripted_template(("Trail", [])))
    import builtins
    real_open = builtins.open

    def failing_open(file, mode="r", *args, **kwargs):
        if str(file) == "r.xml" and "w" in mode:
            raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)
    code = main(["--format", "junit", "--output", "r.xml", "t.yaml"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "--output r.xml: No space left on device" in err and "Traceback" not in err


def test_sarif_opt_in_rules_asked_for_are_not_overridden(here, capsys, scripted):
    write(here, "t.yaml", scripted_template(("Trail", [])))
    code, log = run_sarif(capsys, "--include-checks", "WT3", "t.yaml")
    assert code == 0
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
