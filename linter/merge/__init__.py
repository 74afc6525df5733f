"""``--merge``: the JSON or SARIF reports of a scan's shards (``--shard K/N``) joined into the
report the whole scan gives, byte for byte.

A shard's report is the whole scan's restricted to the shard's files (``scan/shard.py``), and
each report lists its entries sorted by file first, so joining is a stable sort of the
concatenated entries by file: a file's entries all come from one shard, already in order. What
this module checks before joining: every input is a report of one format, written by this very
version, by a shard of the same scan (same discovered files, same N, same options), and shards
1..N are each there once. Anything else is a :class:`MergeError`, said on one line (exit 2).

``json_reports`` and ``sarif_reports`` hold what is particular to each format.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from .. import __version__
from ..records import record
from . import json_reports, sarif_reports
from .error import MergeError

FORMATS = {"json": json_reports, "sarif": sarif_reports}
TOOL_NAME = "cfn-trailwatch"


@record
class Merged:
    """The merged report and what its exit code is decided from."""

    text: str
    errors: int              # files that could not be checked (exit 2 when any)
    severities: list[str]    # the severity of each finding that counts (not suppressed)


def _read(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as err:
        raise MergeError(f"{path}: {err.strerror or err}") from None
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError is a ValueError
        raise MergeError(f"{path}: not a JSON or SARIF report ({err})") from None


def _format(path: str, document: Any) -> str:
    for name, module in FORMATS.items():
        if module.looks_like(document):
            return name
    raise MergeError(f"{path}: not a cfn-trailwatch JSON or SARIF report")


def _same(paths: Sequence[str], values: list[Any], what: str, show: bool = True) -> None:
    """Every input has the same ``what``; else an error naming the first that differs (and,
    with ``show``, both values)."""
    for path, value in zip(paths, values):
        if value != values[0]:
            shown = f" ({values[0]} and {value})" if show else ""
            raise MergeError(f"{paths[0]} and {path} are of different {what}{shown}: merge the "
                             "reports of one scan")


def _in_shard_order(paths: Sequence[str], shards: list[dict[str, Any] | None]) -> list[int]:
    """The inputs' positions ordered by shard index, once each of 1..N is known to be there."""
    for path, shard in zip(paths, shards):
        if shard is None:
            raise MergeError(f"{path}: not a shard's report (made without --shard K/N)")
    _same(paths, [shard["count"] for shard in shards], "shard counts N")
    _same(paths, [shard["scan_id"] for shard in shards],
          "scans (other files discovered: another commit, or other paths)", show=False)
    _same(paths, [shard["options_id"] for shard in shards],
          "options (run with other --parameters, --parameter-file, --regions, --account-id, "
          "--include-checks, --stack-name or configuration)", show=False)
    count = shards[0]["count"]
    seen: dict[int, str] = {}
    for path, shard in zip(paths, shards):
        if shard["index"] in seen:
            raise MergeError(f"shard {shard['index']}/{count} is given twice: "
                             f"{seen[shard['index']]} and {path}")
        seen[shard["index"]] = path
    missing = [f"{index}/{count}" for index in range(1, count + 1) if index not in seen]
    if missing:
        raise MergeError(f"{'shards' if len(missing) > 1 else 'shard'} {', '.join(missing)} "
                         f"{'are' if len(missing) > 1 else 'is'} missing: a merged report must "
                         "cover the whole scan")
    return sorted(range(len(paths)), key=lambda position: shards[position]["index"])


def merge(paths: Sequence[str], wanted: str | None = None) -> Merged:
    """The reports at ``paths`` merged; ``wanted``: the format asked for (``--format``), which
    must be theirs."""
    if not paths:
        raise MergeError("no report given")
    if wanted is not None and wanted not in FORMATS:
        raise MergeError(f"--format {wanted}: only json and sarif reports are merged")
    documents = [_read(path) for path in paths]
    formats = [_format(path, document) for path, document in zip(paths, documents)]
    _same(paths, formats, "formats")
    if wanted is not None and wanted != formats[0]:
        raise MergeError(f"--format {wanted}, but the reports are {formats[0]}")
    module = FORMATS[formats[0]]
    try:
        tools = [module.tool(document) for document in documents]
        for path, (name, _) in zip(paths, tools):
            if name != TOOL_NAME:
                raise MergeError(f"{path}: a report of {name}, not of {TOOL_NAME}")
        _same(paths, [version for _, version in tools], "versions of cfn-trailwatch")
        if tools[0][1] != __version__:
            raise MergeError(f"the reports were made by {TOOL_NAME} {tools[0][1]}, this is "
                             f"{__version__}: merge with the version that made them")
        order = _in_shard_order(paths, [module.shard(document) for document in documents])
        merged = module.join([documents[i] for i in order], [paths[i] for i in order])
        errors, severities = module.verdict(merged)
    except (KeyError, TypeError, AttributeError, IndexError) as err:
        raise MergeError(f"a report is not shaped as cfn-trailwatch {__version__} writes it "
                         f"({type(err).__name__}: {err})") from None
    return Merged(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", errors, severities)
