"""Reports: one run of the command line (findings, errors, counts) rendered for people or tools.

A :class:`Run` is what the CLI collected; ``text.render(run)`` and ``json.render(run)`` turn it
into output. Both list findings and errors in the same deterministic order: by file, line,
column, rule ID, then message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import FileError, Located

# Severities from most to least severe; --fail-on compares against this order.
SEVERITY_ORDER = ("error", "warning", "info")

# FileError.extra["stage"] for a file that was read but whose analysis failed unexpectedly.
STAGE_ANALYSE = "analyse"


@dataclass
class Run:
    """Everything one invocation found."""

    findings: list[Located] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0       # files looked at (templates or not), failed ones included
    templates: int = 0   # files that are CloudFormation templates
    trails: int = 0      # AWS::CloudTrail::Trail resources in those templates

    def sorted_findings(self) -> list[Located]:
        return sorted(self.findings, key=finding_key)

    def sorted_errors(self) -> list[FileError]:
        return sorted(self.errors, key=error_key)


def finding_key(item: Located) -> tuple:
    return (item.file, item.line, item.column, item.finding.rule, item.finding.message)


def error_key(error: FileError) -> tuple:
    return (error.file, error.line, error.column, "", error.message)
