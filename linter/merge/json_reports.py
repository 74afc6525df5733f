"""Merging ``--format json`` reports (docs/json-output.md): findings, errors and notes in the
single run's order, the summary's counts added up, the ``shard`` field dropped."""

from __future__ import annotations

from typing import Any, Sequence

from .error import MergeError

# The fields of a shard's JSON report; a --fix report (``fixes``) is not merged: its order is the
# walk's, which the reports do not hold.
FIELDS = ("tool", "shard", "findings", "errors", "notes", "summary")
COUNTS = ("files", "templates", "trails")


def looks_like(document: Any) -> bool:
    return isinstance(document, dict) and {"tool", "findings", "summary"} <= set(document)


def tool(document: dict[str, Any]) -> tuple[str, str]:
    return document["tool"]["name"], document["tool"]["version"]


def shard(document: dict[str, Any]) -> dict[str, Any] | None:
    return document.get("shard")


def _by_file(documents: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The entries of every report, sorted by file only: stable, so a file's entries keep their
    report's order, which is the single run's (see the package's docstring)."""
    return sorted((entry for document in documents for entry in document[field]),
                  key=lambda entry: entry["file"])


def join(documents: list[dict[str, Any]], paths: Sequence[str]) -> dict[str, Any]:
    for path, document in zip(paths, documents):
        extra = [field for field in document if field not in FIELDS]
        if extra:
            raise MergeError(f"{path}: cannot merge a report with {', '.join(extra)}"
                             + (" (--fix)" if "fixes" in extra else ""))
    findings = _by_file(documents, "findings")
    errors = _by_file(documents, "errors")
    summary = {count: sum(document["summary"][count] for document in documents)
               for count in COUNTS}
    summary.update(findings=sum(1 for f in findings if f["suppressed"] is None),
                   suppressed=sum(1 for f in findings if f["suppressed"] is not None),
                   errors=len(errors))
    return {"tool": documents[0]["tool"], "findings": findings, "errors": errors,
            "notes": _by_file(documents, "notes"), "summary": summary}


def verdict(document: dict[str, Any]) -> tuple[int, list[str]]:
    """Errors, and the severities of the findings that count, as the exit code reads them."""
    return len(document["errors"]), [f["severity"] for f in document["findings"]
                                     if f["suppressed"] is None]
