"""Suppressions: what keeps a finding from counting, and why (``findings.Suppression``).

cfn-lint's own, in the template (``Metadata: cfn-lint: config: ignore_checks``), so both modes
report the same; and the configuration file's waivers, which may expire (an expired one is a
note and no longer suppresses). Issue 14's baselines belong here too.
"""

from __future__ import annotations

from typing import Any

from . import config as config_file
from .findings import FileError, Suppression
from .report import Run


def ignore_checks(metadata: Any) -> list[str]:
    """``Metadata: cfn-lint: config: ignore_checks: [...]`` of a template or a resource."""
    try:
        checks = metadata["cfn-lint"]["config"]["ignore_checks"]
    except (KeyError, TypeError):
        return []
    return [c for c in checks if isinstance(c, str) and c] if isinstance(checks, list) else []


def inline_suppression(data: dict, finding) -> Suppression | None:
    """cfn-lint's suppressions, so both modes report the same: template-level ``ignore_checks``
    match by prefix (as ``--ignore-checks``), resource-level ones by exact rule ID on the
    resource the finding is anchored in."""
    for check in ignore_checks(data.get("Metadata")):
        if finding.rule.startswith(check):
            return Suppression("inline", f"template Metadata cfn-lint ignore_checks: {check}")
    path = finding.path
    if len(path) >= 2 and path[0] == "Resources":
        resource = data["Resources"].get(path[1])
        if isinstance(resource, dict) and finding.rule in ignore_checks(resource.get("Metadata")):
            return Suppression("inline", f"Metadata cfn-lint ignore_checks on {path[1]}")
    return None


def suppression(path: str, data: dict, finding, config: config_file.Config, run: Run,
                where: tuple[int, int]) -> Suppression | None:
    """What suppresses ``finding`` of the template at ``path`` (``data``), placed at ``where``:
    the template's own ``ignore_checks`` first, then a waiver; an expired waiver adds a note to
    ``run`` and suppresses nothing."""
    inline = inline_suppression(data, finding)
    if inline is not None:
        return inline
    waiver = config.waiver_for(finding.rule, path, finding.resource)
    if waiver is None:
        return None
    expires = waiver.expires.isoformat() if waiver.expires else None
    if waiver.expired(run.today):
        run.notes.append(FileError(path, *where,
                                   f"waiver {waiver.number} ({waiver.rule} on {waiver.files}) "
                                   f"expired on {expires}: it no longer suppresses this finding"))
        return None
    return Suppression("waiver", waiver.reason, expires)
