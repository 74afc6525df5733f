"""SARIF 2.1.0 report (``--format sarif``), for GitHub code scanning and other SARIF viewers.

One log, one run. ``tool.driver.rules`` lists every catalogue rule (not only those that fired),
so a viewer can show the rule's documentation for any result and ``ruleIndex`` points into it.
Results are in the same order as the other reports. File URIs are relative to the working
directory (``uriBaseId: %SRCROOT%``, resolved by ``originalUriBaseIds``), which is the checkout
root when the gate runs in CI. Valid against the OASIS schema kept in
``tests/data/sarif-schema-2.1.0.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__, catalog
from ..findings import FileError, Located
from . import STAGE_ANALYSE, Run, error_key
from ._fingerprint import Numbering, finding_base
from ._paths import relative_to_cwd

TOOL_NAME = "cfn-trailwatch"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cfnTrailwatchFinding/v1"
# Only in a shard's report (--shard K/N), for --merge, which removes them: the run's shard, and
# each result's and notification's file as given (the single run's order is by that spelling,
# which the URI does not always keep: `./b` sorts before `a`, `b` after).
SHARD_KEY = "cfnTrailwatchShard"
FILE_KEY = "cfnTrailwatchFile"

# SARIF levels of our severities.
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# GitHub code scanning ranks security alerts by `security-severity` (a number as a string):
# over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. An E rule proves that the trail's
# events never reach CloudWatch Logs in some deployment: the account's log-based alarms and metric
# filters (AU-6(1), SI-4) go blind, a serious detective-control gap but not by itself an exposure
# or a way in, so high (8.0) rather than critical. A W rule means delivery could not be verified
# from the template (a parameter without a value, an import, an outside role): medium (5.0), the
# chain may well be fine. An I rule is advice: low (2.0).
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}

# GitHub's `precision` (very-high/high/medium/low): how often a result is a true problem. E rules
# are derived from the template's own values, but may hold only under a condition or a parameter
# value the deployment never uses, so high; W rules say "cannot verify", which is often a chain
# that works, so medium; I rules likewise.
PRECISION = {"error": "high", "warning": "medium", "info": "medium"}


def _tags(rule: catalog.Rule) -> list[str]:
    return ["security", *(f"NIST.800-53.r5 {control}" for control in rule.controls)]


def _rule(rule: catalog.Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": _tags(rule),
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": PRECISION[rule.severity],
        },
    }


def artifact_location(path: str) -> dict[str, Any]:
    """A file relative to the working directory as a URI reference against %SRCROOT%; a file
    outside it as an absolute ``file:`` URI."""
    relative = relative_to_cwd(path)
    if relative is not None:
        return {"uri": quote(relative, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def _physical(path: str, line: int, column: int) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": artifact_location(path),
        "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
    }}


def fingerprint(item: Located, numbering: Numbering) -> str:
    """The ``cfnTrailwatchFinding/v1`` partial fingerprint of ``item``: its line-independent base
    (``_fingerprint.finding_base``) and its occurrence number in report order."""
    uri = artifact_location(item.file)["uri"]
    return numbering(finding_base(item, uri))


def fingerprints(run: Run) -> list[tuple[Located, str]]:
    """Every finding of ``run`` in report order (suppressed ones too) with its SARIF partial
    fingerprint, as ``to_dict`` numbers them; other reports (GitLab Code Quality) reuse these."""
    numbering = Numbering()
    return [(item, fingerprint(item, numbering)) for item in run.sorted_findings()]


def _result(item: Located, rule_index: dict[str, int], numbering: Numbering) -> dict:
    f = item.finding
    location = _physical(item.file, item.line, item.column)
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index[f.rule],
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(item, numbering)},
        "properties": {
            "resource": f.resource,
            "resourceType": f.resource_type,
            "path": list(f.path),
            "scenario": f.scenario_dict(),
            "evidence": list(f.evidence),
            "controls": list(f.meta.controls),
            # The rule's tags, on the result too: viewers that filter results by tag (and
            # reports that do not read tool.driver.rules) see the NIST controls.
            "tags": _tags(f.meta),
        },
    }
    if item.related:   # the chain's links in other files of the scan (linter/scan/stacks.py)
        result["relatedLocations"] = [
            {**_physical(file, line, column), "id": number, "message": {"text": what}}
            for number, (file, line, column, what) in enumerate(item.related)]
    if item.suppression is not None:
        suppression: dict[str, Any] = {
            "kind": "inSource" if item.suppression.kind == "inline" else "external",
            "status": "accepted",
            "justification": item.suppression.justification,
        }
        if item.suppression.expires:
            suppression["properties"] = {"expires": item.suppression.expires}
        result["suppressions"] = [suppression]
    return result


def _notification(error: FileError, level: str = "error") -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": level,
        "message": {"text": error.message},
        "locations": [_physical(error.file, error.line, error.column)],
    }
    if level == "error":
        stage = "analyse" if error.extra.get("stage") == STAGE_ANALYSE else "read"
        notification["properties"] = {"stage": stage}
    return notification


def _srcroot() -> str:
    uri = Path(os.getcwd()).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _with_file(entry: dict[str, Any], path: str) -> dict[str, Any]:
    """``entry`` (a result or notification of a shard's report) with the file as given."""
    entry["properties"] = {**entry.get("properties", {}), FILE_KEY: path}
    return entry


def to_dict(run: Run) -> dict[str, Any]:
    rules = list(catalog.rules().values())
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    numbering = Numbering()
    errors = run.sorted_errors()
    keep = _with_file if run.shard is not None else lambda entry, path: entry
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [keep(_notification(e), e.file)
                                                    for e in errors]
    if run.notes:  # e.g. an expired waiver, which no longer suppresses
        invocation["toolConfigurationNotifications"] = [
            keep(_notification(note, "warning"), note.file)
            for note in sorted(run.notes, key=error_key)]
    if run.disabled:
        invocation["ruleConfigurationOverrides"] = [
            {"descriptor": {"id": rule.id, "index": rule_index[rule.id]},
             "configuration": {"enabled": False}}
            for rule in rules if rule.id in run.disabled]
    sarif_run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": catalog.REPO_URL,
            "rules": [_rule(rule) for rule in rules],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _srcroot()}},
        "columnKind": "unicodeCodePoints",  # load.Document counts columns in characters
        "results": [keep(_result(item, rule_index, numbering), item.file)
                    for item in run.sorted_findings()],
    }
    if run.shard is not None:
        sarif_run["properties"] = {SHARD_KEY: {"index": run.shard.index,
                                               "count": run.shard.count,
                                               "scanId": run.shard.scan_id,
                                               "optionsId": run.shard.options_id}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [sarif_run]}


def render(run: Run) -> str:
    return json.dumps(to_dict(run), indent=2, ensure_ascii=False, default=str) + "\n"
