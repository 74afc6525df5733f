"""GitLab Code Quality (``--format gitlab``, report/gitlab.py): the fields GitLab reads
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format), fingerprints
unique and stable across line moves, suppressed findings left out, file errors as blockers, and
the same findings in the same order as the JSON report."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from cfn_trailwatch import catalog
from cfn_trailwatch.cli import main
from cfn_trailwatch.report import gitlab
from cfn_trailwatch.report import json as json_report

from helpers import SEED, write
from test_report_formats import SEED_SUPPRESSED, here, report  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
FIELDS = {"description", "check_name", "fingerprint", "severity", "location"}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def gitlab_report(capsys, *argv) -> tuple[int, list[dict]]:
    code, out = report(capsys, "gitlab", *argv)
    issues = json.loads(out)
    assert isinstance(issues, list)
    for issue in issues:
        assert set(issue) == FIELDS
        assert issue["severity"] in GITLAB_SEVERITIES
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert set(issue["location"]) == {"path", "lines"}
        assert set(issue["location"]["lines"]) == {"begin"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    return code, issues


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def test_seed_sample_exact(at_repo, capsys):
    code, issues = gitlab_report(capsys, "fixtures/seed/fail_seed_sample.yaml")
    assert code == 1
    path = "fixtures/seed/fail_seed_sample.yaml"
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in issues] == [
        ("WT2007", "major", path, 16), ("ET1003", "critical", path, 18),
        ("IT2009", "info", path, 18), ("WT2002", "major", path, 18),
        ("ET1004", "critical", path, 19), ("IT2006", "info", path, 19)]
    assert issues[1]["description"] == (
        "Trail CloudTrail: !Ref CloudWatchLogsGroup gives the log group's name, not its ARN; "
        "use !GetAtt CloudWatchLogsGroup.Arn")
    # The fingerprint is the hash of SARIF's partial fingerprint of the same finding.
    _, out = report(capsys, "sarif", "fixtures/seed/fail_seed_sample.yaml")
    sarif_prints = [r["partialFingerprints"]["cfnTrailwatchFinding/v1"]
                    for r in json.loads(out)["runs"][0]["results"]]
    assert [i["fingerprint"] for i in issues] == \
        [hashlib.sha256(p.encode()).hexdigest() for p in sarif_prints]


def test_every_et1006_fixture_is_a_critical_issue_at_its_json_line(at_repo, capsys):
    files = sorted(str(p.relative_to(REPO)) for p in (REPO / "fixtures" / "ET1006").glob("fail_*")
                   if not p.name.endswith(".expect"))
    assert len(files) > 20
    _, issues = gitlab_report(capsys, *files)
    _, out = report(capsys, "json", *files)
    expected = [(f["file"], f["line"], f["message"]) for f in json.loads(out)["findings"]
                if f["rule"] == "ET1006"]
    found = [(i["location"]["path"], i["location"]["lines"]["begin"], i["description"])
             for i in issues if i["check_name"] == "ET1006"]
    assert found == expected
    assert {path for path, _, _ in found} == set(files)
    assert {i["severity"] for i in issues if i["check_name"] == "ET1006"} == {"critical"}


def test_severity_map_covers_every_rule():
    assert gitlab.SEVERITIES == {"error": "critical", "warning": "major", "info": "info"}
    assert {r.severity for r in catalog.rules().values()} <= set(gitlab.SEVERITIES)
    assert gitlab.FILE_ERROR_SEVERITY == "blocker"


def _json_and_gitlab(*argv) -> tuple[int, dict, list[dict]]:
    """One scan, the JSON report and the GitLab report rendered from the same Run."""
    seen = []
    render = json_report.render

    def spy(run, *args, **kwargs):
        seen.append(run)
        return render(run, *args, **kwargs)

    out = io.StringIO()
    json_report.render = spy
    try:
        with contextlib.redirect_stdout(out):
            code = main(["--format", "json", *argv])
    finally:
        json_report.render = render
    [run] = seen
    return code, json.loads(out.getvalue()), json.loads(gitlab.render(run))


@pytest.fixture(scope="module")
def corpus_and_fixtures():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    before = os.getcwd()
    os.chdir(REPO)   # the reports name files relative to the working directory
    try:
        return _json_and_gitlab("fixtures", "../shared/corpus")
    finally:
        os.chdir(before)


def test_same_findings_same_order_as_json_suppressed_left_out(corpus_and_fixtures):
    code, document, issues = corpus_and_fixtures
    counted = [f for f in document["findings"] if f["suppressed"] is None]
    assert len(counted) < len(document["findings"])   # the corpus has suppressed findings
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"],
             i["description"]) for i in issues[:len(counted)]] == \
        [(f["rule"], f["file"], f["line"], f["message"]) for f in counted]
    errors = issues[len(counted):]
    assert [(i["location"]["path"], i["location"]["lines"]["begin"]) for i in errors] == \
        [(e["file"], e["line"]) for e in document["errors"]]
    # fixtures/stacks has a broken template and a nesting cycle (a file that cannot be analysed)
    assert {i["check_name"] for i in errors} == {"cfn-trailwatch/read-error",
                                                 "cfn-trailwatch/analyse-error"}
    assert {i["severity"] for i in errors} == {"blocker"}
    assert code == 2


def test_fingerprints_unique_across_corpus_and_fixtures(corpus_and_fixtures):
    _, document, issues = corpus_and_fixtures
    prints = [i["fingerprint"] for i in issues]
    assert len(prints) > 1000
    assert len(set(prints)) == len(prints)


def test_fingerprints_stable_when_lines_are_inserted_above(here, capsys):
    path = write(here, "seed.yaml", SEED)
    _, before = gitlab_report(capsys, path.name)
    path.write_text("# a comment\n\n# and blank lines above\n" + SEED, encoding="utf-8")
    _, after = gitlab_report(capsys, path.name)
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in after] == \
        [i["location"]["lines"]["begin"] + 3 for i in before]
    assert len({i["fingerprint"] for i in before}) == len(before) == 6


def test_suppressed_findings_are_left_out(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED)
    code, issues = gitlab_report(capsys, "seed.yaml")
    assert code == 1   # ET1004 still counts
    assert [i["check_name"] for i in issues] == ["WT2007", "IT2009", "WT2002", "ET1004", "IT2006"]
    _, out = report(capsys, "json", "seed.yaml")
    assert [f["rule"] for f in json.loads(out)["findings"] if f["suppressed"]] == ["ET1003"]


def test_unreadable_template_is_a_blocker_keyed_on_its_file(here, capsys):
    write(here, "good.yaml", SEED)
    write(here, "bad.yaml", "Resources:\n  Trail: [unclosed\n")
    code, issues = gitlab_report(capsys, "good.yaml", "bad.yaml")
    assert code == 2
    [error] = [i for i in issues if i["location"]["path"] == "bad.yaml"]
    assert error["check_name"] == "cfn-trailwatch/read-error"
    assert error["severity"] == "blocker"
    assert error["description"].startswith("template could not be read: ")
    assert len(issues) == 7
    # Another parse error in the same file (another message, another line): the same issue.
    write(here, "bad.yaml", "\n\nResources:\n  Trail: {}\n  Trail: {}\n")
    _, again = gitlab_report(capsys, "good.yaml", "bad.yaml")
    [moved] = [i for i in again if i["location"]["path"] == "bad.yaml"]
    assert moved["fingerprint"] == error["fingerprint"]
    assert moved["description"] != error["description"]
    assert "duplicate key" in moved["description"]


def test_empty_run_is_an_empty_array(here, capsys):
    write(here, "notes.yaml", "just: a file\n")
    code, out = report(capsys, "gitlab", "notes.yaml")
    assert (code, out) == (0, "[]\n")
