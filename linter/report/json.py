"""JSON report: the stable, versioned contract documented in docs/json-output.md.

Fields are only ever added, never renamed or removed, within a major version of the tool.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from . import Run

TOOL_NAME = "cfn-trailwatch"


def _finding(item) -> dict[str, Any]:
    f = item.finding
    found = {
        "rule": f.rule,
        "slug": f.meta.slug,
        "severity": f.severity,
        "file": item.file,
        "line": item.line,
        "column": item.column,
        "resource": f.resource,
        "resource_type": f.resource_type,
        "path": list(f.path),
        "message": f.message,
        "scenario": f.scenario_dict(),
        "evidence": list(f.evidence),
        "controls": list(f.meta.controls),
        "suppressed": None if item.suppression is None else {
            "kind": item.suppression.kind,
            "justification": item.suppression.justification,
            "expires": item.suppression.expires,
        },
    }
    if item.related:   # only when the chain leaves the file: older reports keep their bytes
        found["related"] = [{"file": file, "line": line, "column": column, "resource": what}
                            for file, line, column, what in item.related]
    return found


def to_dict(run: Run) -> dict[str, Any]:
    document: dict[str, Any] = {"tool": {"name": TOOL_NAME, "version": __version__}}
    if run.shard is not None:  # --shard K/N: which share this is, for --merge
        document["shard"] = {"index": run.shard.index, "count": run.shard.count,
                             "scan_id": run.shard.scan_id}
    return {
        **document,
        "findings": [_finding(item) for item in run.sorted_findings()],
        "errors": [{"file": e.file, "line": e.line, "column": e.column, "message": e.message}
                   for e in run.sorted_errors()],
        "notes": [{"file": n.file, "line": n.line, "column": n.column, "message": n.message}
                  for n in sorted(run.notes, key=lambda n: (n.file, n.line, n.column, n.message))],
        "summary": {"files": run.files, "templates": run.templates, "trails": run.trails,
                    "findings": len(run.counted()), "suppressed": len(run.suppressed()),
                    "errors": len(run.errors)},
    }


def render(run: Run) -> str:
    # default=str: a scenario value the engine did not make plain JSON still prints, never crashes.
    return json.dumps(to_dict(run), indent=2, ensure_ascii=False, default=str) + "\n"
