"""The Finding type that the engine produces and every report consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import catalog

Path = tuple[Any, ...]  # keys and list indexes from the template root


@dataclass(frozen=True)
class Finding:
    rule: str                       # catalogue ID, e.g. "ET1006"
    resource: str                   # the trail's logical ID
    path: Path                      # where it is anchored, e.g. ("Resources", "Trail", "Properties", "CloudWatchLogsRoleArn")
    message: str
    scenario: tuple[tuple[str, Any], ...] = ()   # the assumptions it holds under; () = always
    evidence: tuple[str, ...] = ()  # the chain followed, one step per line, outermost first

    @property
    def meta(self) -> catalog.Rule:
        return catalog.get(self.rule)

    @property
    def severity(self) -> str:
        return self.meta.severity

    def scenario_dict(self) -> dict[str, Any]:
        return dict(self.scenario)


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count: it stays in every report, marked, never silently dropped."""

    kind: str               # "inline" (cfn-lint Metadata ignore_checks) or "waiver" (config file)
    justification: str      # the waiver's reason, or where the inline suppression stands
    expires: str | None = None   # ISO date of a waiver's expiry, if it has one


@dataclass(frozen=True)
class Located:
    """A finding placed in a file (what the CLI reports)."""

    finding: Finding
    file: str
    line: int
    column: int
    suppression: Suppression | None = None


@dataclass(frozen=True)
class FileError:
    """A template that could not be read or analysed: fails the gate (exit 2)."""

    file: str
    line: int
    column: int
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
