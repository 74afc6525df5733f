"""CIS benchmark and Security Hub rows of each rule (linter/data/benchmarks.json, and for
WT3001-WT3014 data/securityhub-cloudwatch-controls.json): every rule has rows or a reason for
none, every row names its sources, the generated pages show the table and README's rule tables
agree with the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cfn_trailwatch import catalog, docs, monitoring_controls

ROOT = Path(__file__).resolve().parent.parent
RULES = list(catalog.rules())
DATA = catalog.benchmarks()
CIS = "CIS AWS Foundations Benchmark"
SHUB = "AWS Security Hub"


@pytest.mark.parametrize("rule_id", RULES)
def test_every_rule_has_rows_or_a_reason_for_none(rule_id):
    rows = catalog.benchmark_rows(rule_id)
    reason = DATA["not_mapped"].get(rule_id)
    assert bool(rows) != bool(reason), rule_id
    if not rows:
        assert rule_id not in DATA.get("notes", {})  # a note explains rows left out, not none


def test_the_data_file_names_only_rules_of_the_catalogue_and_not_the_monitoring_ones():
    named = set(DATA["rules"]) | set(DATA["not_mapped"]) | set(DATA["notes"])
    assert named <= set(RULES)
    assert not set(DATA["rules"]) & set(catalog.MONITORING)  # their rows come from the other file
    assert not set(DATA["rules"]) & set(DATA["not_mapped"])


def test_every_row_names_known_sources_and_every_source_what_was_seen():
    sources = DATA["sources"]
    for rule_id, rows in DATA["rules"].items():
        for row in rows:
            assert set(row) == {"framework", "version", "control", "checks", "source"}, rule_id
            keys = row["source"] if isinstance(row["source"], list) else [row["source"]]
            assert keys and all(k in sources for k in keys), (rule_id, keys)
            assert row["framework"] in (CIS, SHUB)
            if row["framework"] == CIS:
                assert row["version"] in ("v1.2.0", "v1.4.0")
            assert row["checks"] and "|" not in row["checks"]  # a Markdown table cell
    for key, source in sources.items():
        assert source["title"] and source["url"].startswith("https://") and source["seen"], key
        if "commit" in source:
            assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), key
            assert source["commit"] in source["seen"] or source["commit"] in source["url"], key


def test_the_mappings_read_from_the_sources():
    def rows(rule_id):
        return {(r.framework, r.version, r.control) for r in catalog.benchmark_rows(rule_id)}

    fsbp = "AWS Foundational Security Best Practices"
    assert rows("ET1001") == {(SHUB, fsbp, "CloudTrail.5"), (CIS, "v1.2.0", "2.4"),
                              (CIS, "v1.4.0", "3.4")}
    for rule_id in ("ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "WT1007"):
        assert rows(rule_id) == {(CIS, "v1.2.0", "2.4"), (CIS, "v1.4.0", "3.4")}, rule_id
    assert rows("ET1008") == {(CIS, "v1.2.0", "2.1"), (CIS, "v1.4.0", "3.1"),
                              (CIS, "v1.2.0", "2.4"), (CIS, "v1.4.0", "3.4")}
    assert rows("WT2001") == {(SHUB, "NIST SP 800-53 Rev. 5", "CloudWatch.16")}
    assert rows("WT2004") == {(SHUB, fsbp, "CloudTrail.4"), (CIS, "v1.2.0", "2.2"),
                              (CIS, "v1.4.0", "3.2")}
    for rule_id in ("WT2005", "WT2007"):
        assert rows(rule_id) == {(SHUB, fsbp, "CloudTrail.1"), (CIS, "v1.2.0", "2.1"),
                                 (CIS, "v1.4.0", "3.1")}, rule_id
    for rule_id in ("WT2002", "WT2003", "IT2006", "WT2008", "IT2009"):
        assert rows(rule_id) == set(), rule_id
    assert "CloudTrail.2" in DATA["not_mapped"]["WT2002"]


@pytest.mark.parametrize("rule_id", catalog.MONITORING)
def test_the_monitoring_rows_are_those_of_the_cloudwatch_controls_file(rule_id):
    control = monitoring_controls.control(rule_id)
    rows = catalog.benchmark_rows(rule_id)
    assert [(r.framework, r.control) for r in rows if r.framework == SHUB] == [(SHUB, control.id)]
    cis = {(r.version, r.control) for r in rows if r.framework == CIS}
    assert cis == {(v, n) for v, numbers in control.cis.items() for n in numbers}
    assert all("bda5bf7ddbdf498557b2ac6a538577528004e6d5" in url
               for r in rows for _, url in r.sources)


def test_the_pages_show_the_table_with_the_version_named():
    et1001 = docs.page("ET1001")
    assert "| Framework | Version | Control | What the rule checks of it | Source |" in et1001
    fsbp = "| AWS Security Hub | AWS Foundational Security Best Practices |"
    assert f"{fsbp} CloudTrail.5 |" in et1001
    assert "| CIS AWS Foundations Benchmark | v1.2.0 | 2.4 |" in et1001
    assert "| CIS AWS Foundations Benchmark | v1.4.0 | 3.4 |" in et1001
    et1005 = docs.page("ET1005")
    assert "| CIS AWS Foundations Benchmark | v1.4.0 | 3.4 |" in et1005
    assert "CloudTrail.5 |" not in et1005
    assert "Note: Security Hub CloudTrail.5 is not listed" in et1005
    wt2004 = docs.page("WT2004")
    assert f"{fsbp} CloudTrail.4 |" in wt2004
    assert "| CIS AWS Foundations Benchmark | v1.4.0 | 3.2 |" in wt2004
    assert "| AWS Security Hub | NIST SP 800-53 Rev. 5 | CloudWatch.16 |" in docs.page("WT2001")
    wt3001 = docs.page("WT3001")
    assert "| AWS Security Hub | CIS AWS Foundations Benchmark v1.2.0 and v1.4.0 standards | " \
           "CloudWatch.1 |" in wt3001
    for version, number in (("v1.2.0", "1.1"), ("v1.2.0", "3.3"), ("v1.4.0", "1.7"),
                            ("v1.4.0", "4.3")):
        assert f"| CIS AWS Foundations Benchmark | {version} | {number} |" in wt3001
    wt3002 = docs.page("WT3002")
    assert "| CIS AWS Foundations Benchmark | v1.2.0 | 3.1 |" in wt3002
    assert "| CIS AWS Foundations Benchmark | v1.4.0 |" not in wt3002
    wt2002 = docs.page("WT2002")
    assert "Benchmarks and Security Hub controls: none listed. Security Hub CloudTrail.2" in wt2002
    # the table sits in "Why it matters", before the example
    assert et1001.index("| Framework |") < et1001.index("## Example")


def _readme_cells(rule_id: str) -> tuple[str, str]:
    rows = catalog.benchmark_rows(rule_id)
    hub = ", ".join(r.control for r in rows if r.framework == SHUB) or "—"

    def cis(version):
        return ", ".join(r.control for r in rows
                         if r.framework == CIS and r.version == version) or "—"

    both = (cis("v1.2.0"), cis("v1.4.0"))
    return hub, "—" if both == ("—", "—") else " / ".join(both)


def test_the_readme_rule_tables_agree_with_the_data():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("| ID | Security Hub | CIS v1.2.0 / v1.4.0 | what fails |") == 3
    seen = {}
    for line in text.splitlines():
        match = re.match(r"^\| ([EWI]T\d{4}) \| ([^|]+) \| ([^|]+) \| ", line)
        if match:
            seen[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    assert set(seen) == set(RULES)
    for rule_id in RULES:
        assert seen[rule_id] == _readme_cells(rule_id), rule_id
