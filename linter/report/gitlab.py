"""GitLab Code Quality report (``--format gitlab``), shown in the merge request widget.

The format is GitLab's subset of the Code Climate issue: a JSON array of objects with
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location.path`` /
``location.lines.begin``, as documented in "Code Quality report format",
https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format . A job publishes
it with ``artifacts: reports: codequality: gl-code-quality-report.json`` (README, "GitLab").

``check_name`` is the rule ID (``ET1006``), ``description`` the finding's message (the same text
as every other report), ``location.lines.begin`` its line.

GitLab keeps one issue per fingerprint and compares the merge request's report with the target
branch's by fingerprint, so:

- ``fingerprint`` is unique per finding and does not move with its line: the SHA-256 (hex) of
  the finding's SARIF partial fingerprint (``sarif.fingerprints``: rule, file, resource, anchor
  path, and an occurrence number for the same rule on the same property in several scenarios).
  The same finding has the same fingerprint in both reports' history.
- GitLab has no suppressed state: suppressed findings (cfn-lint ``Metadata``, waivers) are left
  out; the JSON and SARIF reports keep them.
- Severity map (GitLab's words: info, minor, major, critical, blocker), parallel to SARIF's
  ``security-severity`` (E high, W medium, I low):

  ====================================  ==========
  E rules (the chain is proved broken)  critical
  W rules (cannot verify; hygiene)      major
  I rules (advice)                      info
  a file that could not be read or      blocker
  analysed
  ====================================  ==========

- A file that could not be read or analysed is an issue too, ``check_name``
  ``cfn-trailwatch/read-error`` or ``cfn-trailwatch/analyse-error``, severity ``blocker``: such a
  file fails the gate (exit 2) and none of its trails was checked, so a widget without it would
  show a broken template as clean (and its earlier findings as fixed). Its fingerprint is made
  of the check name and the file (plus an occurrence number), not of the parser's message, which
  names a line. Notes (an expired waiver) are not issues and are not listed.

Findings come first, in the order of every other report, then the file errors in theirs. Files
are named relative to the working directory (the checkout root in CI), as ``location.path``
must be.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..findings import FileError
from . import STAGE_ANALYSE, Run
from ._fingerprint import Numbering
from ._paths import display_path
from .sarif import fingerprints

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}
FILE_ERROR_SEVERITY = "blocker"
READ_ERROR = "cfn-trailwatch/read-error"
ANALYSE_ERROR = "cfn-trailwatch/analyse-error"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _issue(description: str, check_name: str, fingerprint: str, severity: str, path: str,
           line: int) -> dict[str, Any]:
    return {
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": display_path(path), "lines": {"begin": max(line, 1)}},
    }


def _file_error(error: FileError, numbering: Numbering) -> dict[str, Any]:
    analyse = error.extra.get("stage") == STAGE_ANALYSE
    check = ANALYSE_ERROR if analyse else READ_ERROR
    what = "could not be analysed" if analyse else "could not be read"
    base = _hash(json.dumps([check, display_path(error.file)], ensure_ascii=False))
    return _issue(f"template {what}: {error.message}", check, _hash(numbering(base)),
                  FILE_ERROR_SEVERITY, error.file, error.line)


def to_list(run: Run) -> list[dict[str, Any]]:
    issues = [_issue(item.finding.message, item.finding.rule, _hash(fingerprint),
                     SEVERITIES[item.finding.severity], item.file, item.line)
              for item, fingerprint in fingerprints(run) if item.suppression is None]
    numbering = Numbering()
    issues += [_file_error(error, numbering) for error in run.sorted_errors()]
    return issues


def render(run: Run) -> str:
    return json.dumps(to_list(run), indent=2, ensure_ascii=False, default=str) + "\n"
