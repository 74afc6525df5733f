"""Markdown report (``--format markdown``): a summary for a GitHub job summary
(``$GITHUB_STEP_SUMMARY``) or a pull-request comment.

1. A header: the verdict, which follows ``--fail-on`` and the exit code (pass, fail, or error when
   a file could not be checked), and the totals (the text report's summary line).
2. The files that could not be read or analysed, if any.
3. A table per template with trails or findings: each trail (or stand-alone metric filter, for
   WT3001-WT3014), its verdict and its findings by severity, and the suppressed ones.
4. The findings, in the order of every other report; then the suppressed ones, listed as
   suppressed with their reason, and the notes (an expired waiver).
5. For every trail with an error-severity finding that counts, its chain as a Mermaid diagram
   (``report/chain.py``, ``report/mermaid.py``) with the broken links marked and the findings'
   messages on them. Suppressed findings are never drawn.

Text from templates is escaped for Markdown (a backslash before ASCII punctuation that Markdown or
GitHub would act on: emphasis, links, tables, HTML, ``#123`` and ``@name`` references), so a
name cannot format, link or mention anything.

**Size cap.** GitHub drops a job summary over 1 MiB and refuses a pull-request comment over
65,536 characters. The report is cut to ``limit`` UTF-8 bytes (never fewer than the characters,
so a byte cap is also a character cap): blocks (a template's table, a finding, a diagram) are
added in order while they fit, and the rest is counted in a last line, "… and N more findings, M
more diagrams not shown". The default is :data:`COMMENT_LIMIT`; ``--markdown-limit summary`` is
:data:`SUMMARY_LIMIT`. The header and that last line are always there.

The same run gives the same bytes: everything is in the reports' sorted order or the order of
the walk, and nothing depends on time or on the machine.
"""

from __future__ import annotations

import re
from collections import Counter

from ..findings import Located
from . import (SEVERITY_ORDER, STAGE_ANALYSE, VERDICT_ERROR, VERDICT_FAIL, Run, error_key,
               failing_severities, verdict)
from . import chain as chain_model
from . import mermaid
from ._paths import display_path
from .text import summary

COMMENT_LIMIT = 65_536       # characters in a pull-request body or comment
SUMMARY_LIMIT = 1_048_576    # bytes of one step's job summary (1 MiB)
LIMITS = {"comment": COMMENT_LIMIT, "summary": SUMMARY_LIMIT}

TITLE = "cfn-trailwatch"
ICONS = {"pass": "✅", "fail": "❌", "error": "⛔"}
TRAIL_PASS, TRAIL_FAIL, TRAIL_UNCHECKED = "✅ pass", "❌ fail", "⛔ not analysed"

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~@$])")
_WHITE = re.compile(r"[\r\n\t\u0085\u2028\u2029]+")


def md(text: object) -> str:
    """Plain text on one line, with what Markdown or GitHub would act on escaped."""
    text = _WHITE.sub(" ", str(text)).replace("&", "&amp;")
    return _MARKDOWN.sub(r"\\\1", text)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _header(run: Run, fail_on: str) -> str:
    outcome = verdict(run, fail_on)
    counted = run.counted()
    failing = failing_severities(fail_on)
    if outcome == VERDICT_ERROR:
        files = len({e.file for e in run.errors})
        why = (f"{_plural(files, 'file')} could not be read or analysed, and a template that "
               "cannot be checked never passes")
    elif fail_on == "never":
        why = "`--fail-on never`: findings do not fail the gate"
    else:
        over = sum(1 for item in counted if item.finding.severity in failing)
        threshold = f"at or above **{fail_on}** (`--fail-on {fail_on}`)"
        why = (f"{_plural(over, 'finding')} {threshold}" if outcome == VERDICT_FAIL
               else f"no finding {threshold}")
    return (f"## {ICONS[outcome]} {TITLE}: {outcome}\n\n{why}.\n\n{md(summary(run))}\n")


def _trail_verdict(items: list[Located], failed: bool, failing: tuple[str, ...]) -> str:
    if failed:
        return TRAIL_UNCHECKED
    if any(item.suppression is None and item.finding.severity in failing for item in items):
        return TRAIL_FAIL
    return TRAIL_PASS


def _tables(run: Run, failing: tuple[str, ...]) -> list[str]:
    """A table per template with trails or findings, in file order."""
    by_file: dict[str, dict[str, list[Located]]] = {}
    for file, trails in run.trails_by_file.items():
        by_file.setdefault(file, {}).update({trail: [] for trail in trails})
    for item in run.sorted_findings():
        by_file.setdefault(item.file, {}).setdefault(item.finding.resource, []).append(item)
    failed: dict[str, set] = {}
    for error in run.errors:
        failed.setdefault(error.file, set()).add(error.extra.get("trail"))
    blocks = []
    for file in sorted(by_file):
        resources = by_file[file]
        if not resources:
            continue
        rows = ["| Trail | Verdict | Errors | Warnings | Info | Suppressed |",
                "|---|---|--:|--:|--:|--:|"]
        for resource, items in resources.items():
            unchecked = failed.get(file, set())
            counts = Counter(i.finding.severity for i in items if i.suppression is None)
            suppressed = sum(1 for i in items if i.suppression is not None)
            state = _trail_verdict(items, None in unchecked or resource in unchecked, failing)
            rows.append(f"| {md(resource)} | {state} | "
                        + " | ".join(str(counts[s]) for s in SEVERITY_ORDER)
                        + f" | {suppressed} |")
        blocks.append(f"#### {md(display_path(file))}\n\n" + "\n".join(rows) + "\n")
    return blocks


def _where(item: Located) -> str:
    return md(f"{display_path(item.file)}:{item.line}:{item.column}")


def _finding(item: Located) -> str:
    f = item.finding
    return f"- **{f.rule}** ({f.severity}) {_where(item)}: {md(f.message)}\n"


def _suppressed(item: Located) -> str:
    f, why = item.finding, item.suppression
    until = f", until {why.expires}" if why.expires else ""
    return (f"- ~~{f.rule}~~ ({f.severity}, suppressed: {md(why.kind)}, "
            f"{md(why.justification)}{md(until)}) {_where(item)}: {md(f.message)}\n")


def _diagram(chain: chain_model.Chain) -> str:
    where = md(f"{display_path(chain.file)}: trail {chain.trail}")
    return f"#### {where}\n\n```mermaid\n{mermaid.render(chain)}```\n"


def _sections(run: Run, fail_on: str) -> list[tuple[str, str, list[str]]]:
    """(what a block is, the section's heading, its blocks), in document order."""
    failing = failing_severities(fail_on)
    errors = [f"- {md(display_path(e.file))}:{e.line}:{e.column}: "
              f"{'could not be analysed' if e.extra.get('stage') == STAGE_ANALYSE else 'could not be read'}: "
              f"{md(e.message)}\n" for e in run.sorted_errors()]
    findings = run.sorted_findings()
    notes = [f"- {md(display_path(n.file))}:{n.line}:{n.column}: {md(n.message)}\n"
             for n in sorted(run.notes, key=error_key)]
    return [
        ("file error", "### Files that could not be checked\n\n", errors),
        ("template", "### Templates\n\n", _tables(run, failing)),
        ("finding", "### Findings\n\n",
         [_finding(i) for i in findings if i.suppression is None]),
        ("suppressed finding", "### Suppressed findings\n\n",
         [_suppressed(i) for i in findings if i.suppression is not None]),
        ("note", "### Notes\n\n", notes),
        ("diagram", "### Chains with an error\n\n",
         [_diagram(c) for c in chain_model.chains(findings)]),
    ]


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def _trailer(left: Counter, order: list[str], limit: int) -> str:
    parts = [_plural(left[kind], f"more {kind}") for kind in order if left[kind]]
    return (f"\n_… and {', '.join(parts)} not shown: this report is capped at {limit:,} bytes "
            "(GitHub's limits: 65,536 characters for a pull-request comment, 1 MiB for a job "
            "summary); the text or JSON report lists everything._\n")


def render(run: Run, fail_on: str = "error", limit: int = COMMENT_LIMIT) -> str:
    sections = _sections(run, fail_on)
    order = [kind for kind, _, _ in sections]
    everything = Counter({kind: len(blocks) for kind, _, blocks in sections})
    reserve = _size(_trailer(everything, order, limit))   # the longest the last line can be
    parts = [_header(run, fail_on)]
    used = _size(parts[0])
    left = Counter(everything)
    full = False
    for kind, heading, blocks in sections:
        for index, block in enumerate(blocks):
            text = ("\n" + heading if index == 0 else "") + ("\n" if index and kind in (
                "template", "diagram") else "") + block
            if full or used + _size(text) + reserve > limit:
                full = True
                break
            parts.append(text)
            used += _size(text)
            left[kind] -= 1
    if +left:
        parts.append(_trailer(left, order, limit))
    return "".join(parts)
