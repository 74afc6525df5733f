"""Plain-text report: one line per finding or error, then a summary line.

    templates/trail.yaml:12:7: ET1006 The trail's role may not write ...
    templates/broken.yaml:3:1: error: could not parse: ...
    2 findings (1 error, 1 warning) in 3 templates, 4 trails; 1 file could not be read

Findings, errors and notes (an expired waiver) are merged in one order (file, line, column,
rule), stable between runs. Suppressed findings are not listed; the summary counts them.
"""

from __future__ import annotations

from collections import Counter

from . import SEVERITY_ORDER, STAGE_ANALYSE, Run, error_key, finding_key


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 or word == "info" else f"{count} {word}s"


def summary(run: Run) -> str:
    counted = run.counted()
    by_severity = Counter(item.finding.severity for item in counted)
    line = _plural(len(counted), "finding")
    if counted:
        parts = [_plural(by_severity[s], s) for s in SEVERITY_ORDER if by_severity[s]]
        line += f" ({', '.join(parts)})"
    suppressed = len(run.findings) - len(counted)
    if suppressed:
        line += f", {suppressed} suppressed"
    line += f" in {_plural(run.templates, 'template')}, {_plural(run.trails, 'trail')}"
    unanalysed = {e.file for e in run.errors if e.extra.get("stage") == STAGE_ANALYSE}
    unread = {e.file for e in run.errors} - unanalysed
    if unread:
        line += f"; {_plural(len(unread), 'file')} could not be read"
    if unanalysed:
        line += f"; {_plural(len(unanalysed), 'file')} could not be analysed"
    return line


def render(run: Run) -> str:
    rows = [(finding_key(item),
             f"{item.file}:{item.line}:{item.column}: {item.finding.rule} {item.finding.message}")
            for item in run.counted()]
    rows += [(error_key(error), f"{error.file}:{error.line}:{error.column}: error: {error.message}")
             for error in run.errors]
    rows += [(error_key(note), f"{note.file}:{note.line}:{note.column}: note: {note.message}")
             for note in run.notes]
    rows.sort(key=lambda row: row[0])
    return "\n".join([text for _, text in rows] + [summary(run)]) + "\n"
