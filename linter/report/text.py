"""Plain-text report: one line per finding or error, then a summary line.

    templates/trail.yaml:12:7: ET1006 The trail's role may not write ...
    templates/broken.yaml:3:1: error: could not parse: ...
    2 findings (1 error, 1 warning) in 3 templates, 4 trails; 1 file could not be read

Findings, errors and notes (an expired waiver) are merged in one order (file, line, column,
rule), stable between runs. Suppressed findings are not listed; the summary counts them.

With ``verbose`` (``--verbose``), each finding is followed by the chain of evidence it followed,
as an indented tree (the trail's property, the intrinsic, the resource it leads to, the trust or
policy statement, the missing action or resource), and the NIST SP 800-53 Rev. 5 controls:

    templates/trail.yaml:10:7: WT2001 Trail Trail: its log group TrailLogs keeps events ...
        evidence:
          - CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
            - log group TrailLogs
              - RetentionInDays: 30
        controls (NIST SP 800-53 Rev. 5): AC-16, AT-4, ...
        rule: trail-cwl-retention (warning); cfn-trailwatch --explain WT2001
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


def details(finding) -> list[str]:
    """The evidence tree, the controls and the rule of a finding, indented under its line."""
    lines = ["    evidence:"] if finding.evidence else []
    lines += [f"      {'  ' * depth}- {text}" for depth, text in finding.tree()]
    controls = finding.meta.controls
    if controls:
        lines.append(f"    controls (NIST SP 800-53 Rev. 5): {', '.join(controls)}")
    lines.append(f"    rule: {finding.meta.slug} ({finding.severity}); "
                 f"cfn-trailwatch --explain {finding.rule}")
    return lines


def render(run: Run, verbose: bool = False) -> str:
    def line(item) -> str:
        text = f"{item.file}:{item.line}:{item.column}: {item.finding.rule} {item.finding.message}"
        return "\n".join([text, *details(item.finding)]) if verbose else text

    rows = [(finding_key(item), line(item)) for item in run.counted()]
    rows += [(error_key(error), f"{error.file}:{error.line}:{error.column}: error: {error.message}")
             for error in run.errors]
    rows += [(error_key(note), f"{note.file}:{note.line}:{note.column}: note: {note.message}")
             for note in run.notes]
    rows.sort(key=lambda row: row[0])
    return "\n".join([text for _, text in rows] + [summary(run)]) + "\n"
