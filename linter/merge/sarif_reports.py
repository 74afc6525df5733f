"""Merging ``--format sarif`` reports into ONE run (GitHub code scanning no longer combines
several runs of one category): the rules deduplicated and ``ruleIndex`` renumbered against the
merged list, results and notifications in the single run's order, the invocations combined
(``executionSuccessful`` false if any was; the disabled rules' overrides kept), the shard
properties (``report/sarif.py``: SHARD_KEY, FILE_KEY) dropped. The run's other members (its
``originalUriBaseIds`` among them) are shard 1's. Our SARIF has no ``artifacts`` array, so there
is no ``artifactLocation.index`` to renumber; nor any time stamp."""

from __future__ import annotations

from typing import Any, Sequence

from .error import MergeError

from ..report.sarif import FILE_KEY, SHARD_KEY, TOOL_NAME

SEVERITIES = {"error": "error", "warning": "warning", "note": "info"}   # SARIF level -> ours


def looks_like(document: Any) -> bool:
    return isinstance(document, dict) and document.get("version") == "2.1.0" \
        and isinstance(document.get("runs"), list)


def _run(document: dict[str, Any]) -> dict[str, Any]:
    if len(document["runs"]) != 1:
        raise MergeError(f"a {TOOL_NAME} SARIF report has one run, this one "
                         f"{len(document['runs'])}")
    return document["runs"][0]


def tool(document: dict[str, Any]) -> tuple[str, str]:
    driver = _run(document)["tool"]["driver"]
    return driver["name"], driver["version"]


def shard(document: dict[str, Any]) -> dict[str, Any] | None:
    found = _run(document).get("properties", {}).get(SHARD_KEY)
    return None if found is None else {"index": found["index"], "count": found["count"],
                                       "scan_id": found["scanId"],
                                       "options_id": found["optionsId"]}


def _without_file(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` as the single run writes it: no file property (nor an empty bag)."""
    properties = {k: v for k, v in entry["properties"].items() if k != FILE_KEY}
    entry = {k: v for k, v in entry.items() if k != "properties"} if not properties \
        else {**entry, "properties": properties}
    return entry


def _by_file(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sorted by the file as given, stable (see the package's docstring), then without it."""
    ordered = sorted(entries, key=lambda entry: entry["properties"][FILE_KEY])
    return [_without_file(entry) for entry in ordered]


def _invocation(invocations: list[dict[str, Any]], where: dict[str, int],
                paths: Sequence[str]) -> dict[str, Any]:
    overrides = [[o["descriptor"]["id"] for o in inv.get("ruleConfigurationOverrides", [])]
                 for inv in invocations]
    for path, ids in zip(paths, overrides):
        if ids != overrides[0]:
            raise MergeError(f"{paths[0]} and {path} disable different rules "
                             f"({', '.join(overrides[0]) or 'none'} and {', '.join(ids) or 'none'})"
                             ": run every shard with the same options")
    combined: dict[str, Any] = {
        "executionSuccessful": all(inv["executionSuccessful"] for inv in invocations)}
    for field in ("toolExecutionNotifications", "toolConfigurationNotifications"):
        entries = [entry for inv in invocations for entry in inv.get(field, [])]
        if entries:
            combined[field] = _by_file(entries)
    if overrides[0]:
        combined["ruleConfigurationOverrides"] = [
            {**o, "descriptor": {**o["descriptor"], "index": where[o["descriptor"]["id"]]}}
            for o in invocations[0]["ruleConfigurationOverrides"]]
    return combined


def join(documents: list[dict[str, Any]], paths: Sequence[str]) -> dict[str, Any]:
    runs = [_run(document) for document in documents]
    rules: list[dict[str, Any]] = []
    where: dict[str, int] = {}  # rule ID -> its index in the merged list
    for run in runs:
        for rule in run["tool"]["driver"]["rules"]:
            if rule["id"] not in where:
                where[rule["id"]] = len(rules)
                rules.append(rule)
    results = _by_file([{**result, "ruleIndex": where[result["ruleId"]]}
                        for run in runs for result in run["results"]])
    merged: dict[str, Any] = {}
    for key, value in runs[0].items():   # shard 1's members, in their order
        if key == "tool":
            value = {**value, "driver": {**value["driver"], "rules": rules}}
        elif key == "invocations":
            value = [_invocation([run["invocations"][0] for run in runs], where, paths)]
        elif key == "results":
            value = results
        elif key == "properties":
            value = {k: v for k, v in value.items() if k != SHARD_KEY}
            if not value:
                continue
        merged[key] = value
    return {**documents[0], "runs": [merged]}


def verdict(document: dict[str, Any]) -> tuple[int, list[str]]:
    """Errors (a failed invocation is at least one), and the severities of the results that
    count (not suppressed)."""
    run = document["runs"][0]
    invocation = run["invocations"][0]
    errors = len(invocation.get("toolExecutionNotifications", []))
    if not invocation["executionSuccessful"]:
        errors = max(errors, 1)
    return errors, [SEVERITIES[result["level"]] for result in run["results"]
                    if not result.get("suppressions")]
