"""JSON report: the stable, versioned contract documented in docs/json-output.md.

Fields are only ever added, never renamed or removed, within a major version of the tool.
"""

from __future__ import annotations

from json.encoder import INFINITY, encode_basestring
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
                             "scan_id": run.shard.scan_id, "options_id": run.shard.options_id}
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
    return dumps(to_dict(run)) + "\n"


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, default=str)``, byte for byte.

    The standard library's C encoder serves only ``indent=None``; with an indent it falls back
    to a pure-Python encoder of nested generators, which took about 0.03 s on a corpus scan with
    every rule on (760 findings, 814 KB). This is the same walk as plain recursion into one list
    of pieces: the same order of type tests (a ``str`` subclass is a string, ``True`` is not an
    int, a tuple is a list, anything else goes through ``str``), the same spellings of numbers
    and keys, strings quoted by the same function (``json.encoder.encode_basestring``, C when
    available). ``tests/test_report_json.py`` compares the two on generated values."""
    out: list[str] = []
    _encode(value, out, "\n")
    return "".join(out)


def _float(value: float) -> str:
    # json.encoder's floatstr with allow_nan=True
    if value != value:
        return "NaN"
    if value == INFINITY:
        return "Infinity"
    if value == -INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _encode(value: Any, out: list[str], newline: str, _string=encode_basestring) -> None:
    """Append ``value``'s text to ``out``; ``newline`` is a line break and the indent of the
    line ``value`` starts on."""
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        try:   # a list of strings (evidence, controls) in one piece: the quoting refuses others
            out.append("[" + inner + ("," + inner).join(map(_string, value)) + newline + "]")
            return
        except TypeError:
            pass
        separator = "[" + inner
        for item in value:
            out.append(separator)
            separator = "," + inner
            if isinstance(item, str):   # most items: evidence lines, path keys
                out.append(_string(item))
            else:
                _encode(item, out, inner)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator + _string(key if isinstance(key, str) else _key(key)) + ": ")
            separator = "," + inner
            if isinstance(item, str):
                out.append(_string(item))
            else:
                _encode(item, out, inner)
        out.append(newline + "}")
    else:
        _encode(str(value), out, newline)   # default=str
