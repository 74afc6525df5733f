"""The CloudWatch.1-14 data and every filter pattern of the real templates classified against it.

The templates are ../shared/corpus/real-monitoring (SOURCES.yaml describes each and the defects
it knows of). Patterns are read with the project's loader; one template repeats a key
(CloudFormation rejects it, so does the loader), and its patterns are read from the YAML node
tree instead, so they are still classified."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from cfn_trailwatch import monitoring_controls as mc
from cfn_trailwatch import patterns as P
from cfn_trailwatch.load import LoadError, load_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "real-monitoring"
if not CORPUS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CORPUS} is missing: CI must run beside ../shared")
    pytest.skip("../shared (the corpus) is not beside this checkout", allow_module_level=True)


def _from_nodes(path: Path) -> list[tuple[str, object]]:
    """FilterPattern values of MetricFilter resources, read from the YAML node tree (no
    duplicate-key check): for the one file the loader refuses."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    found = []
    resources = next(v for k, v in root.value if k.value == "Resources")
    for key, resource in resources.value:
        props = {k.value: v for k, v in resource.value}
        if getattr(props.get("Type"), "value", None) != "AWS::Logs::MetricFilter":
            continue
        inner = {k.value: v for k, v in props["Properties"].value}
        node = inner.get("FilterPattern")
        literal = isinstance(node, yaml.ScalarNode) and not node.tag.startswith("!")
        found.append((key.value, node.value if literal else None))
    return found


def _filters() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]], list[str]]:
    literal, skipped, refused = [], [], []
    for path in sorted(CORPUS.iterdir()):
        if path.name == "SOURCES.yaml":
            continue
        try:
            resources = load_path(str(path)).data["Resources"]
            items = [(k, r.get("Properties", {}).get("FilterPattern"))
                     for k, r in resources.items() if r.get("Type") == "AWS::Logs::MetricFilter"]
        except LoadError:
            refused.append(path.name)
            items = _from_nodes(path)
        for name, value in items:
            if isinstance(value, str):
                literal.append((path.name, name, value))
            else:  # built with !Sub, !Join...: not a literal pattern, counted and skipped
                skipped.append((path.name, name))
    return literal, skipped, refused


LITERAL, SKIPPED, REFUSED = _filters()


def _by(file_prefix: str, resource: str) -> str:
    return next(t for f, r, t in LITERAL if f.startswith(file_prefix) and r == resource)


def test_the_corpus_is_what_sources_yaml_describes():
    assert len(LITERAL) + len(SKIPPED) == 89
    assert SKIPPED == []  # no FilterPattern in these templates is built with !Sub or !Join
    assert REFUSED == ["barnesrobert-quickstart-cis-benchmark.template"]  # duplicate key


@pytest.mark.parametrize("where, resource, text", LITERAL, ids=[f"{f[:12]}-{r}" for f, r, _ in
                                                                  LITERAL])
def test_every_real_pattern_parses_and_is_classified(where, resource, text):
    pattern = P.parse(text)
    assert P.normal(P.parse(P.render(pattern))) == P.normal(pattern)
    result = mc.classify(text)
    assert result.status in ("current", "older", "differs")
    if result.status == "differs" and result.control is not None:
        assert result.differences


def _table() -> dict[tuple[str, str], tuple[str | None, str]]:
    out = {}
    for f, r, t in LITERAL:
        c = mc.classify(t)
        out[(f.split("-")[0], r)] = (c.control.id if c.control else None, c.status)
    return out


def test_classification_summary():
    table = _table()
    counts: dict[str, int] = {}
    for _, status in table.values():
        counts[status] = counts.get(status, 0) + 1
    assert counts == {"current": 74, "older": 4, "differs": 11}, counts
    assert table[("virtualjj", "36ConsoleAuthFailuresMetricFilter")] == ("CloudWatch.6", "differs")
    assert table[("virtualjj", "32MgmtConsoleNoMFAMetricFilter")] == ("CloudWatch.3", "differs")
    assert table[("quickstart", "rUnauthorizedAttempts")] == ("CloudWatch.2", "differs")
    assert table[("omner", "EC2InstanceChangesMetricFilter")] == (None, "differs")
    assert table[("massyn", "nomfaconsolesigninmetric")] == ("CloudWatch.3", "older")


# ------------------------------------------------------------- the defects SOURCES.yaml lists

def test_failedauthentication_in_one_word_differs_from_cis():
    result = mc.classify(_by("virtualjj", "36ConsoleAuthFailuresMetricFilter"))
    assert result.control.id == "CloudWatch.6"
    assert result.differences == (
        '($.errorMessage = "Failedauthentication") where ($.errorMessage = "Failed '
        'authentication") is required (the value differs in spaces or case; filter patterns are '
        "case sensitive and match whole values)",)


def test_mfaused_no_differs_from_not_yes():
    result = mc.classify(_by("virtualjj", "32MgmtConsoleNoMFAMetricFilter"))
    assert result.control.id == "CloudWatch.3"
    assert ('($.additionalEventData.MFAUsed = "No") where ($.additionalEventData.MFAUsed != '
            "\"Yes\") is required (the operator differs: '=' for '!=')") in result.differences
    older = mc.classify(_by("virtualjj", "32MgmtConsoleNoMFAMetricFilter"), only="CloudWatch.3")
    assert older.status == "differs"


def test_accessdenied_without_wildcard_differs():
    result = mc.classify(_by("quickstart", "rUnauthorizedAttempts"))
    assert result.control.id == "CloudWatch.2"
    assert any('($.errorCode = "AccessDenied") where ($.errorCode = "AccessDenied*")' in d
               and "wildcard" in d for d in result.differences)


def test_barnesrobert_exclusions_bind_only_to_accessdenied():
    text = _by("barnesrobert", "UnauthorizedApiCallsFilter")
    result = mc.classify(text)
    assert result.control.id == "CloudWatch.2"
    assert len(result.differences) == 1 and "binds tighter" in result.differences[0]


def test_errorcode_tests_joined_with_and_never_match():
    # Not in the corpus (SOURCES.yaml lists no such template): the defect as the issue gives it.
    text = '{($.errorCode="*UnauthorizedOperation") && ($.errorCode="AccessDenied*")}'
    result = mc.classify(text)
    assert result.control.id == "CloudWatch.2"
    assert result.differences == ("terms are joined with '&&' where '||' is required",)
    assert "AccessDenied" in P.never_matches(P.parse(text))


def test_an_older_variant_passes_with_a_note_naming_the_newer_form():
    result = mc.classify('{ ($.eventName = "ConsoleLogin") && '
                         '($.additionalEventData.MFAUsed != "Yes") }')
    assert result.status == "older" and result.control.rule == "WT3003"
    assert "IAMUser" in result.note and "Success" in result.note


def test_not_json_and_invalid_are_results():
    assert mc.classify("ERROR").status == "not-json"
    assert mc.classify("{ $.a = }").status == "invalid"


# ----------------------------------------------------------------------------------- the data

def test_fourteen_controls_in_order_with_rules_and_cis_numbers():
    cs = mc.controls()
    assert [c.id for c in cs] == [f"CloudWatch.{n}" for n in range(1, 15)]
    assert [c.rule for c in cs] == [f"WT30{n:02d}" for n in range(1, 15)]
    assert mc.control("CloudWatch.1").cis == {"v1.2.0": ["1.1", "3.3"], "v1.4.0": ["1.7", "4.3"]}
    assert mc.control("WT3001").nist_800_171_r2 == ("3.14.6", "3.14.7")
    assert mc.control("WT3001").pci_dss == ("v3.2.1/7.2.1",)
    for n in range(4, 15):
        c = mc.control(f"CloudWatch.{n}")
        assert c.cis == {"v1.2.0": [f"3.{n}"], "v1.4.0": [f"4.{n}"]}


def test_every_control_has_one_current_variant_with_a_known_source():
    data = mc.load()
    sources = {s["id"] for s in data["sources"]}
    assert all(s["read_on"] == "2026-12-06" and s["url"].startswith("https://")
               for s in data["sources"])
    for c in mc.controls():
        assert sum(v.current for v in c.variants) == 1
        for v in c.variants:
            assert v.source in sources and v.url.startswith("https://")
            assert mc.classify(v.text).control is c


def test_variants_of_different_controls_never_coincide():
    forms = [P.render(v.pattern) for c in mc.controls() for v in c.variants]
    assert len(forms) == len(set(forms))
