"""The Markdown report (``--format markdown``, report/markdown.py) with its Mermaid chains
(report/chain.py, report/mermaid.py), and ``--also-output``: every diagram over the fixtures
passes the grammar of tests/mermaid_grammar.py, the same run gives the same bytes, names are
escaped, suppressed findings are never drawn, the size cap, the verdict follows --fail-on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cfn_trailwatch.cli import main
from cfn_trailwatch.findings import Finding, Located
from cfn_trailwatch.report import Run, chain, markdown, mermaid

import mermaid_grammar
from helpers import SEED, write
from test_report_formats import SEED_SUPPRESSED, here, report  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parent.parent
SEED_FIXTURE = "fixtures/seed/fail_seed_sample.yaml"
# Every fixture, and the corpus when it is beside this checkout (it has an unreadable file: exit 2).
CORPUS = REPO.parent / "shared" / "corpus"
ALL = ["fixtures", *(["../shared/corpus"] if CORPUS.is_dir() else [])]

SEED_DIAGRAM = """\
flowchart LR
  n0["trail CloudTrail"]
  n1["!Ref CloudWatchLogsGroup"]
  n2["!Ref CloudWatchLogsRole"]
  n0 -.->|"ET1003: Trail CloudTrail: !Ref<br>CloudWatchLogsGroup gives the log group's name,<br>not its ARN; use !GetAtt CloudWatchLogsGroup.Arn"| n1
  n0 -.->|"ET1004: Trail CloudTrail: !Ref<br>CloudWatchLogsRole gives the role's name, not<br>its ARN; use !GetAtt CloudWatchLogsRole.Arn"| n2
  class n1,n2 broken
  linkStyle 0,1 stroke:#d00,stroke-width:2px
  classDef broken fill:#fee,stroke:#d00,color:#900
"""


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def test_seed_sample_exact_diagram_and_tables(at_repo, capsys):
    code, out = report(capsys, "markdown", SEED_FIXTURE)
    assert code == 1
    assert out.startswith("## ❌ cfn-trailwatch: fail\n\n2 findings at or above **error** "
                          "(`--fail-on error`).\n\n6 findings (2 errors, 2 warnings, 2 info) "
                          "in 1 template, 1 trail\n")
    assert ("#### fixtures/seed/fail\\_seed\\_sample.yaml\n\n"
            "| Trail | Verdict | Errors | Warnings | Info | Suppressed |\n"
            "|---|---|--:|--:|--:|--:|\n"
            "| CloudTrail | ❌ fail | 2 | 2 | 2 | 0 |\n") in out
    assert mermaid_grammar.blocks(out) == [SEED_DIAGRAM]
    assert "- **ET1003** (error) fixtures/seed/fail\\_seed\\_sample.yaml:18:7: Trail CloudTrail: " \
           "!Ref CloudWatchLogsGroup gives" in out
    assert out.count("\n- **") == 6


@pytest.mark.parametrize("name,rule,source,target", [
    ("ET1005/fail_deny_cloudtrail.yaml", "ET1005", "role TrailRole", "trust policy of TrailRole: "
     "denied by trust policy, Statement[1]"),
    ("ET1008/fail_false.yaml", "ET1008", "trail Trail", "IsLogging: false → false"),
    ("ET1001/fail_absent.yaml", "ET1001", "trail Trail", "no CloudWatchLogsLogGroupArn"),
])
def test_the_broken_link_is_the_rules(at_repo, capsys, name, rule, source, target):
    code, out = report(capsys, "markdown", f"fixtures/{name}")
    [diagram] = mermaid_grammar.blocks(out)
    assert mermaid_grammar.check(diagram) == []
    nodes = {line.split("[", 1)[0].strip(): mermaid_grammar.decode(line.split('["', 1)[1][:-2])
             for line in diagram.splitlines() if '["' in line}
    [broken] = [line.split() for line in diagram.splitlines() if "-.->" in line]
    assert nodes[broken[0]] == source
    assert nodes[broken[-1]] == target
    assert f'|"{rule}: ' in diagram


def test_et1006_breaks_policies_to_the_refused_streams(at_repo, capsys):
    _, out = report(capsys, "markdown", "fixtures/ET1006/fail_org_trail_prefix.yaml")
    [diagram] = mermaid_grammar.blocks(out)
    [chain_] = chain.chains(_findings("fixtures/ET1006/fail_org_trail_prefix.yaml"))
    [edge] = chain_.broken()
    by_id = {n.id: n for n in chain_.nodes}
    assert by_id[edge.source].kind == chain.POLICIES
    assert by_id[edge.target].kind == chain.STREAMS
    assert "o-${organization-id}" in by_id[edge.target].label
    assert "no statement allows it" in by_id[edge.target].label
    assert edge.label.startswith("ET1006: Trail Trail: role TrailRole may not")
    assert mermaid_grammar.labels(diagram)[-1].startswith("ET1006: Trail Trail: role TrailRole")


def _findings(*paths) -> list[Located]:
    from cfn_trailwatch.report import json as json_report
    seen = []
    render = json_report.render

    def spy(run, *args, **kwargs):
        seen.append(run)
        return render(run, *args, **kwargs)

    json_report.render = spy
    try:
        main(["--format", "json", "--output", os.devnull, *paths])
    finally:
        json_report.render = render
    return seen[0].sorted_findings()


@pytest.fixture(scope="module")
def every_fixture():
    before = os.getcwd()
    os.chdir(REPO)
    try:
        findings = _findings(*ALL)
        proc = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "markdown",
                               "--markdown-limit", "summary", *ALL],
                              capture_output=True, text=True, encoding="utf-8")
    finally:
        os.chdir(before)
    assert proc.returncode == (2 if CORPUS.is_dir() else 1) and proc.stderr == ""
    return findings, proc.stdout


def test_every_diagram_over_the_fixtures_and_corpus_passes_the_grammar(every_fixture):
    findings, out = every_fixture
    diagrams = mermaid_grammar.blocks(out)
    failing_trails = {(i.file, i.finding.resource) for i in findings
                      if i.finding.severity == "error" and i.suppression is None}
    assert len(diagrams) == len(failing_trails) > 90
    assert "not shown" not in out
    for diagram in diagrams:
        assert mermaid_grammar.check(diagram) == [], diagram
        assert "-.->" in diagram


def test_same_input_same_bytes(every_fixture):
    _, out = every_fixture
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    again = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "markdown",
                            "--markdown-limit", "summary", "--jobs", "2", *ALL],
                           capture_output=True, text=True, encoding="utf-8", cwd=REPO, env=env)
    assert again.stdout == out


NASTY = 'My"Trail#1 /a|b <x> [y] {z} `t` \\ & #quot; style:x;#35; classDef\nnext'


def test_names_mermaid_would_misread_are_escaped():
    finding = Finding("ET1005", NASTY, ("Resources", NASTY, "Properties", "CloudWatchLogsRoleArn"),
                      f"Trail {NASTY}: role R does not let cloudtrail.amazonaws.com assume it",
                      evidence=(f"CloudWatchLogsRoleArn: !GetAtt {NASTY}.Arn → role {NASTY}",
                                f"trust policy of {NASTY}: no statement allows it"))
    run = Run(findings=[Located(finding, "a|b/#1.yaml", 3, 5)], templates=1, trails=1,
              trails_by_file={"a|b/#1.yaml": [NASTY]})
    out = markdown.render(run)
    [diagram] = mermaid_grammar.blocks(out)
    assert mermaid_grammar.check(diagram) == []
    flat = " ".join(NASTY.split())
    # Shown as written (whitespace folded, long labels wrapped at spaces)
    shown = mermaid_grammar.labels(diagram)
    assert f"trail {flat}" in shown
    assert f"role {flat}" in shown
    assert any(label.startswith(f"ET1005: Trail {flat}: role R") for label in shown)
    # The grammar holds no raw " # & < > | / [ ] { } ` \\ in a label: they are entity codes.
    for code in ("#quot;", "#35;", "#38;", "#lt;", "#gt;", "#124;", "#47;", "#91;", "#93;",
                 "#123;", "#125;", "#96;", "#92;", "#115;tyle", "#99;lassDef"):
        assert code in diagram, code
    # Markdown text: no table cell split, no HTML, no mention
    row = [line for line in out.splitlines() if line.startswith("| My")][0]
    assert row.count(" | ") == 6 - 1 and "\\|" in row and "\\<x\\>" in row
    assert "\n- **ET1005** (error) a\\|b/\\#1.yaml:3:5: Trail My\"Trail\\#1" in out


def test_mermaid_escape_round_trips():
    for text in (NASTY, "plain", "a;b:c", "#35;", "lifestyle: #fee;"):
        quoted = mermaid.label(text)
        assert quoted[0] == quoted[-1] == '"'
        assert mermaid_grammar.check(f"flowchart LR\n  n0[{quoted}]\n") == []
        assert mermaid_grammar.decode(quoted[1:-1]) == " ".join(text.split())


def test_suppressed_findings_counted_listed_never_drawn(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED)
    code, out = report(capsys, "markdown", "seed.yaml")
    assert code == 1
    [diagram] = mermaid_grammar.blocks(out)
    assert "ET1004" in diagram and "ET1003" not in diagram
    assert "| CloudTrail | ❌ fail | 1 | 2 | 2 | 1 |" in out
    assert "5 findings (1 error, 2 warnings, 2 info), 1 suppressed in 1 template" in out
    suppressed = out.split("### Suppressed findings\n\n", 1)[1].split("\n\n", 1)[0]
    assert suppressed.startswith("- ~~ET1003~~ (error, suppressed: inline, ")
    assert "\n" not in suppressed   # one entry
    findings = out.split("### Findings\n\n", 1)[1].split("\n\n", 1)[0]
    assert "ET1003" not in findings


def test_nothing_to_draw_when_every_error_is_suppressed(here, capsys):
    write(here, "seed.yaml", SEED_SUPPRESSED.replace("[ET1003]", "[ET1003, ET1004]"))
    code, out = report(capsys, "markdown", "seed.yaml")
    assert code == 0
    assert mermaid_grammar.blocks(out) == []
    assert out.startswith("## ✅ cfn-trailwatch: pass\n\nno finding at or above **error**")
    assert "| CloudTrail | ✅ pass | 0 | 2 | 2 | 2 |" in out


@pytest.mark.parametrize("fail_on,code,heading,row", [
    ("error", 1, "## ❌ cfn-trailwatch: fail\n\n2 findings at or above **error**", "❌ fail"),
    ("warning", 1, "## ❌ cfn-trailwatch: fail\n\n4 findings at or above **warning**", "❌ fail"),
    ("info", 1, "## ❌ cfn-trailwatch: fail\n\n6 findings at or above **info**", "❌ fail"),
    ("never", 0, "## ✅ cfn-trailwatch: pass\n\n`--fail-on never`: findings do not fail",
     "✅ pass"),
])
def test_verdict_follows_fail_on(here, capsys, fail_on, code, heading, row):
    write(here, "seed.yaml", SEED)
    got, out = report(capsys, "markdown", "--fail-on", fail_on, "seed.yaml")
    assert got == code
    assert out.startswith(heading)
    assert f"| CloudTrail | {row} |" in out


def test_unreadable_file_is_the_error_verdict(here, capsys):
    write(here, "seed.yaml", SEED)
    write(here, "bad.yaml", "Resources:\n  Trail: [unclosed\n")
    code, out = report(capsys, "markdown", "--fail-on", "never", "seed.yaml", "bad.yaml")
    assert code == 2
    assert out.startswith("## ⛔ cfn-trailwatch: error\n\n1 file could not be read or analysed")
    assert "### Files that could not be checked\n\n- bad.yaml:3:1: could not be read: invalid YAML" in out


def _many(count: int) -> Run:
    findings = [Located(Finding("ET1005", f"Trail{n}", ("Resources", f"Trail{n}", "Properties",
                                                         "CloudWatchLogsRoleArn"),
                                f"Trail Trail{n}: role R{n} does not let cloudtrail.amazonaws.com "
                                "assume it (sts:AssumeRole) " + "x" * 200,
                                evidence=(f"CloudWatchLogsRoleArn: !GetAtt R{n}.Arn → role R{n}",
                                          f"trust policy of R{n}: no statement allows it")),
                        f"stacks/t{n:04}.yaml", 10, 7) for n in range(count)]
    return Run(findings=findings, templates=count, trails=count,
               trails_by_file={f"stacks/t{n:04}.yaml": [f"Trail{n}"] for n in range(count)})


@pytest.mark.parametrize("limit", [markdown.COMMENT_LIMIT, markdown.SUMMARY_LIMIT, 4000])
def test_size_cap_and_and_n_more(limit):
    run = _many(3000)
    out = markdown.render(run, limit=limit)
    assert len(out.encode("utf-8")) <= limit and len(out) <= limit
    assert out.startswith("## ❌ cfn-trailwatch: fail")
    tables = out.count("| Trail | Verdict |")
    findings = out.count("\n- **ET1005**")
    diagrams = len(mermaid_grammar.blocks(out))
    trailer = out.rstrip("\n").rsplit("\n", 1)[1]
    shown = {"templates": tables, "findings": findings, "diagrams": diagrams}
    expected = ", ".join(f"{3000 - n} more {kind}" for kind, n in shown.items() if n < 3000)
    assert trailer.startswith(f"_… and {expected} not shown: this report is capped at "
                              f"{limit:,} bytes")
    assert all(mermaid_grammar.check(d) == [] for d in mermaid_grammar.blocks(out))


def test_no_cap_line_when_everything_fits():
    out = markdown.render(_many(3))
    assert "not shown" not in out and len(mermaid_grammar.blocks(out)) == 3


# --- --also-output ----------------------------------------------------------------------------

def test_also_output_writes_both_with_the_formats_content(here, capsys):
    write(here, "seed.yaml", SEED)
    code = main(["--format", "sarif", "--output", "out.sarif", "--also-output", "markdown:sum.md",
                 "--also-output", "gitlab:gl.json", "seed.yaml"])
    assert code == 1
    assert capsys.readouterr().out == ""
    for fmt, name in (("sarif", "out.sarif"), ("markdown", "sum.md"), ("gitlab", "gl.json")):
        alone_code, alone = report(capsys, fmt, "seed.yaml")
        assert alone_code == 1
        assert (here / name).read_text(encoding="utf-8") == alone, fmt
    assert len(mermaid_grammar.blocks((here / "sum.md").read_text(encoding="utf-8"))) == 1


def test_also_output_beside_stdout_and_fail_on(here, capsys):
    write(here, "seed.yaml", SEED)
    code = main(["--fail-on", "never", "--also-output", "markdown:sum.md", "seed.yaml"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.endswith("6 findings (2 errors, 2 warnings, 2 info) in 1 template, 1 trail\n")
    assert (here / "sum.md").read_text(encoding="utf-8").startswith("## ✅ cfn-trailwatch: pass")


@pytest.mark.parametrize("value,message", [
    ("pdf:x.pdf", "--also-output 'pdf:x.pdf': unknown format 'pdf'"),
    ("markdown", "--also-output 'markdown': give FORMAT:FILE"),
    ("markdown:", "--also-output 'markdown:': give FORMAT:FILE"),
    ("markdown:no/such/folder/x.md", "--also-output no/such/folder/x.md: no such folder"),
    ("markdown:.", "--also-output .: is a folder"),
    ("json:out.json", "--also-output out.json: this file is already an output"),
])
def test_also_output_usage_errors(here, capsys, value, message):
    write(here, "seed.yaml", SEED)
    code = main(["--format", "json", "--output", "out.json", "--also-output", value, "seed.yaml"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert message in err
    assert not (here / "out.json").exists()


def test_also_output_not_with_diff(here, capsys):
    write(here, "seed.yaml", SEED)
    assert main(["--diff", "--also-output", "markdown:x.md", "seed.yaml"]) == 2
    assert "--also-output does not apply" in capsys.readouterr().err


def test_also_output_write_failure_is_exit_2(here, capsys, monkeypatch):
    write(here, "seed.yaml", SEED)
    real_open = open

    def failing(path, *args, **kwargs):
        if str(path) == "sum.md":
            raise OSError(28, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing)
    code = main(["--fail-on", "never", "--also-output", "markdown:sum.md", "seed.yaml"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--also-output sum.md: No space left on device" in err
    assert out.endswith("in 1 template, 1 trail\n")   # the main report is still written
