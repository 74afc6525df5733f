"""The Finding type that the engine produces and every report consumes."""

from __future__ import annotations

import re
from typing import Any, Iterator

from . import catalog
from .records import field, record

Path = tuple[Any, ...]  # keys and list indexes from the template root


@record(frozen=True)
class Finding:
    """A failed check: rule, resource, anchor path, message, scenario and evidence."""
    rule: str                       # catalogue ID, e.g. "ET1006"
    resource: str                   # the trail's logical ID
    path: Path                      # where it is anchored, e.g. ("Resources", "Trail", "Properties", "CloudWatchLogsRoleArn")
    message: str
    scenario: tuple[tuple[str, Any], ...] = ()   # the assumptions it holds under; () = always
    evidence: tuple[str, ...] = ()  # the chain followed, one step per line, outermost first
    # The depth of each evidence step in the evidence tree (0: the trail's property), parallel to
    # ``evidence``; () when the engine gave none (see :func:`evidence_tree`).
    depths: tuple[int, ...] = ()
    # The type of ``resource``: the trail, or for a monitoring stack without a trail the metric
    # filter a WT3001-WT3014 finding is anchored at (linter/monitoring.py).
    resource_type: str = "AWS::CloudTrail::Trail"

    @property
    def meta(self) -> catalog.Rule:
        return catalog.get(self.rule)

    @property
    def severity(self) -> str:
        return self.meta.severity

    def scenario_dict(self) -> dict[str, Any]:
        return dict(self.scenario)

    def tree(self) -> list[tuple[int, str]]:
        return evidence_tree(self.evidence, self.depths)


@record(frozen=True)
class Note:
    """Something said about a resource that is not a finding and does not fail the gate (a
    metric filter that passes with an older accepted form of its pattern). ``rule``: the rule it
    belongs to (off with it); ``path``: where it is anchored, as a finding's."""

    rule: str
    resource: str
    path: Path
    message: str


def scoped(resolver: Any, scope: frozenset, region_label: str | None, rule: str, resource: str,
           path: Path, message: str, scenario: Any, evidence: list[str],
           depths: list[int] | None, resource_type: str = "AWS::CloudTrail::Trail") -> Finding:
    """A finding that names only the assumptions its verdict depends on: those in ``scope`` and
    those the resolver's open traces consulted, less the ones that hold in every deployment
    (``resolver.settled``). The evidence keeps the whole path the analysis followed."""
    full = scenario.label()
    scenario = scenario.restricted(scope | resolver.open_traces(), resolver.settled)
    where = scenario.label()
    if full and full != where:
        # a step named like a property starts at the root of the evidence tree
        depths = list(depths) + [0] if depths else depths
        evidence = list(evidence) + [f"Assumptions: {full}"]
    if region_label:
        where = f"region={region_label}" + (", " + where if where else "")
    if where:
        message = f"{message} [when {where}]"
    return Finding(rule, resource, tuple(path), message, tuple(scenario.describe().items()),
                   tuple(evidence), tuple(depths or ()), resource_type)


ARROW = " → "
# A step that starts a chain at a trail property: "CloudWatchLogsRoleArn: !GetAtt R.Arn → role R",
# "no CloudWatchLogsRoleArn", "IsLogging: false → false".
_ROOT = re.compile(r"^(no )?[A-Z][A-Za-z0-9]*(: |$)")
_HEADERS = ("trust policy of ", "policies reaching ")


def evidence_tree(evidence: tuple[str, ...] | list[str], depths: tuple[int, ...] = ()) -> list[tuple[int, str]]:
    """The evidence as an indented tree: ``(depth, text)`` rows, outermost first.

    Each step sits at its depth; the links of a step joined by " → " (the trail's property, the
    intrinsic, the resource it leads to) each go one level deeper. When the engine gave no depths,
    they are inferred: a step naming a trail property starts a chain at depth 0; a step about the
    role's policies ("trust policy of R", "policies reaching R") hangs under the end of the last
    chain, and the steps after it (statements, actions, what could not be read) under it."""
    steps = list(evidence)
    given = list(depths) if len(depths) == len(steps) else list(_infer_depths(steps))
    rows: list[tuple[int, str]] = []
    for depth, step in zip(given, steps):
        for number, link in enumerate(step.split(ARROW)):
            rows.append((depth + number, link))
    return rows


def _infer_depths(steps: list[str]) -> Iterator[int]:
    below_chain = 0
    header: int | None = None
    for step in steps:
        if _ROOT.match(step):
            yield 0
            below_chain, header = len(step.split(ARROW)), None
        elif step.startswith(_HEADERS):
            yield below_chain
            header = below_chain + len(step.split(ARROW))
        else:
            yield header if header is not None else below_chain


@record(frozen=True)
class Suppression:
    """Why a finding does not count: it stays in every report, marked, never silently dropped."""

    kind: str               # "inline" (cfn-lint Metadata ignore_checks), "waiver" (config file)
                            # or "baseline" (--baseline; linter/suppress.py says in which order)
    justification: str      # the waiver's or baseline entry's reason, or where the inline
                            # suppression stands
    expires: str | None = None   # ISO date of a waiver's expiry, if it has one


@record(frozen=True)
class Located:
    """A finding placed in a file (what the CLI reports)."""

    finding: Finding
    file: str
    line: int
    column: int
    suppression: Suppression | None = None
    # The links of its chain in other files of the scan (linter/scan/stacks.py): (file, line,
    # column, what is there), e.g. the imported log group; SARIF's relatedLocations.
    related: tuple[tuple[str, int, int, str], ...] = ()


@record(frozen=True)
class FileError:
    """A template that could not be read or analysed: fails the gate (exit 2)."""

    file: str
    line: int
    column: int
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
