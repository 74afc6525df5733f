"""Rule metadata from one source: the pages docs/rules/<ID>.md, --list-rules, --explain.

The pages are generated from the catalogue (``python -m cfn_trailwatch.docs``); a test fails when
they are stale. Each page's examples are linted: the snippet under "Example", embedded in the
baseline template of docs/rules/README.md, gives exactly that rule; the one under "Use instead"
gives nothing at all, with the CLI and with real cfn-lint.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cfn_trailwatch import catalog, docs
from cfn_trailwatch.cli import main
from cfn_trailwatch.load import load_text

from helpers import CFN_LINT

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "rules"
RULES = list(catalog.rules())
SECTIONS = ["## What it does", "## Why it matters", "## Example", "## Use instead",
            "## Known limits", "## References"]


# --- generated, and not stale -----------------------------------------------------------------

def test_the_pages_are_up_to_date():
    problems = docs.stale(str(PAGES))
    assert problems == [], "run: python -m cfn_trailwatch.docs\n" + "\n".join(problems)


def test_a_stale_missing_or_extra_page_is_caught(tmp_path, capsys):
    folder = tmp_path / "rules"
    assert docs.main([str(folder)]) == 0
    assert docs.main(["--check", str(folder)]) == 0
    page = folder / "WT2001.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    (folder / "ET1001.md").unlink()
    (folder / "XT9999.md").write_text("old\n", encoding="utf-8")
    capsys.readouterr()
    assert docs.main(["--check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "WT2001.md: out of date" in err and "ET1001.md: missing" in err
    assert "XT9999.md: not a rule of the catalogue" in err


def test_the_docs_module_runs_as_a_script(tmp_path):
    import sys
    proc = subprocess.run([sys.executable, "-m", "cfn_trailwatch.docs", "--check", str(PAGES)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("rule_id", RULES)
def test_every_rule_has_a_page_with_every_section(rule_id):
    text = (PAGES / f"{rule_id}.md").read_text(encoding="utf-8")
    meta = catalog.get(rule_id)
    assert text.startswith(docs.GENERATED)
    assert f"# {rule_id}: {meta.title}" in text
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "**Unresolvable values.**" in text
    assert ", ".join(meta.controls) in text  # Why it matters names the controls
    assert meta.help_uri.endswith(f"docs/rules/{rule_id}.md")


# --- the examples are linted ------------------------------------------------------------------

def _blocks(text: str, section: str) -> list[str]:
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", body, re.S)


def _baseline() -> str:
    [block] = _blocks((PAGES / "README.md").read_text(encoding="utf-8"), "## Baseline")
    return block


def _embed(snippet: str) -> dict:
    """The snippet's parameters, conditions and resources replace the baseline's of the same name."""
    template = load_text(_baseline(), "baseline.yaml").data
    part = load_text(snippet, "snippet.yaml").data
    for section in ("Parameters", "Conditions", "Resources"):
        if section in part:
            template.setdefault(section, {}).update(part[section])
    return template


def _examples(rule_id: str) -> tuple[str, str, dict]:
    text = (PAGES / f"{rule_id}.md").read_text(encoding="utf-8")
    example = _blocks(text, "## Example")
    [fixed] = _blocks(text, "## Use instead")
    config = {}
    if len(example) == 2:  # the configuration block first
        config = yaml.safe_load(example[0])
        example = example[1:]
    [failing] = example
    return failing, fixed, config


def _lint(tmp_path: Path, name: str, template: dict, config: dict,
          include: tuple[str, ...] = ()) -> list[dict]:
    path = tmp_path / name
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(config or {}), encoding="utf-8")
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["--format", "json", "--config", str(tmp_path / "cfg.yaml"),
              *(["--include-checks", *include] if include else []), str(path)])
    report = json.loads(buffer.getvalue())
    assert report["errors"] == []
    return report["findings"]


def test_the_baseline_gives_nothing_at_all(tmp_path):
    assert _lint(tmp_path, "baseline.json", _embed("Resources: {}\n"), {}) == []


@pytest.mark.parametrize("rule_id", RULES)
def test_the_failing_example_gives_exactly_its_rule(rule_id, tmp_path):
    failing, _, config = _examples(rule_id)
    findings = _lint(tmp_path, "example.json", _embed(failing), config, _own(rule_id))
    assert {f["rule"] for f in findings} == {rule_id}, [f["message"] for f in findings]


@pytest.mark.parametrize("rule_id", RULES)
def test_the_fixed_example_gives_nothing(rule_id, tmp_path):
    _, fixed, config = _examples(rule_id)
    assert _lint(tmp_path, "fixed.json", _embed(fixed), config, _own(rule_id)) == []


def _own(rule_id: str) -> tuple[str, ...]:
    """An opt-in rule's examples run with that rule alone turned on (the baseline holds no metric
    filter, so the other WT30xx rules would report theirs missing)."""
    return (rule_id,) if catalog.get(rule_id).opt_in else ()


def test_the_opt_in_examples_give_nothing_by_default(tmp_path):
    for rule_id in [r for r in RULES if catalog.get(r).opt_in]:
        failing, _, config = _examples(rule_id)
        assert _lint(tmp_path, "example.json", _embed(failing), config) == []


def test_the_examples_are_valid_cloudformation_and_cfn_lint_agrees(tmp_path):
    """One cfn-lint run over every example: cfn-lint finds no error of its own in the fixed ones
    (a failing one may well have one: cfn-lint's E1041 also sees a !Ref where a role ARN
    belongs), and our rules give the same findings as the CLI (informational ones with -c I)."""
    files = {}
    for rule_id in RULES:
        failing, fixed, config = _examples(rule_id)
        if config or catalog.get(rule_id).opt_in:
            continue  # options: tests/test_cfnlint_plugin.py; opt-in: tests/test_fixtures.py
        for kind, snippet in (("example", failing), ("fixed", fixed)):
            path = tmp_path / f"{rule_id}-{kind}.json"
            path.write_text(json.dumps(_embed(snippet), indent=2), encoding="utf-8")
            files[str(path)] = (rule_id, kind)
    proc = subprocess.run([*CFN_LINT, "--format", "json", "-c", "I", "-a", "cfn_trailwatch.rules",
                           "--", *files], capture_output=True, text=True, cwd=ROOT, timeout=300)
    got: dict[str, set[str]] = {path: set() for path in files}
    for match in json.loads(proc.stdout or "[]"):
        rule = match["Rule"]["Id"]
        if rule in catalog.rules():
            got[match["Filename"]].add(rule)
        else:
            assert not rule.startswith("E0"), match  # cfn-lint read it
            assert not (rule.startswith("E") and files[match["Filename"]][1] == "fixed"), match
    for path, (rule_id, kind) in files.items():
        assert got[path] == ({rule_id} if kind == "example" else set()), (path, got[path])


# --- --list-rules and --explain ---------------------------------------------------------------

def test_list_rules_text(capsys):
    assert main(["--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "SLUG", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == RULES
    for line, rule in zip(lines[1:], catalog.rules().values()):
        mark = "  [opt-in: --include-checks WT3]" if rule.opt_in else ""
        assert line.split()[1:3] == [rule.severity, rule.slug] and line.endswith(rule.title + mark)


def test_list_rules_json(capsys):
    assert main(["--list-rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["rules"]
    assert [r["id"] for r in data["rules"]] == RULES
    for entry in data["rules"]:
        meta = catalog.get(entry["id"])
        assert entry == {"id": meta.id, "slug": meta.slug, "severity": meta.severity,
                         "title": meta.title, "controls": list(meta.controls),
                         "help_uri": meta.help_uri, "opt_in": meta.opt_in}
    assert {r["severity"] for r in data["rules"]} == {"error", "warning", "info"}


def test_list_rules_other_formats_are_a_usage_error(capsys):
    assert main(["--list-rules", "--format", "sarif"]) == 2
    assert "--list-rules" in capsys.readouterr().err


@pytest.mark.parametrize("rule_id", ["WT2005", "it2006", "ET1001"])
def test_explain_prints_the_page(rule_id, capsys):
    assert main(["--explain", rule_id]) == 0
    out = capsys.readouterr().out
    assert out == (PAGES / f"{rule_id.upper()}.md").read_text(encoding="utf-8")


def test_explain_an_unknown_rule_exits_2(capsys):
    assert main(["--explain", "XT0001"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "unknown rule 'XT0001'" in err and "WT2001" in err


def test_cfn_lint_rule_attributes_and_sarif_come_from_the_catalogue():
    import cfn_trailwatch.rules as plugin
    from cfnlint.helpers import create_rules

    from cfn_trailwatch.report import Run
    from cfn_trailwatch.report import sarif

    rules = {rule.id: rule for rule in create_rules(plugin)}
    driver = sarif.to_dict(Run())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in driver] == RULES == sorted(rules, key=RULES.index)
    for entry in driver:
        meta = catalog.get(entry["id"])
        assert entry["name"] == meta.slug and entry["helpUri"] == meta.help_uri
        assert entry["shortDescription"]["text"] == rules[meta.id].shortdesc == meta.title
        assert entry["fullDescription"]["text"] == rules[meta.id].description == meta.description
        assert rules[meta.id].config_definition == {
            option.name: option.cfn_lint_definition() for option in meta.options}
