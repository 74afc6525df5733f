"""Reports: one run of the command line (findings, errors, counts) rendered for people or tools.

A :class:`Run` is what the CLI collected; ``text.render(run)`` and ``json.render(run)`` turn it
into output. Both list findings and errors in the same deterministic order: by file, line,
column, rule ID, then message.
"""

from __future__ import annotations

import datetime

from ..findings import FileError, Located
from ..records import field, record

# Severities from most to least severe; --fail-on compares against this order.
SEVERITY_ORDER = ("error", "warning", "info")

# FileError.extra["stage"] for a file that was read but whose analysis failed unexpectedly.
STAGE_ANALYSE = "analyse"


@record(frozen=True)
class ShardInfo:
    """Which share of a scan a run checked (``--shard K/N``, ``scan/shard.py``): written into
    the JSON and SARIF reports so that ``--merge`` can tell that every shard of one scan is
    there, once."""

    index: int     # K, 1-based
    count: int     # N
    scan_id: str   # sha256 of every file the scan discovered (all shards), in walk order
    options_id: str = ""   # sha256 of what else decides the findings (scan.shard.options_id)


@record
class Run:
    """Everything one invocation found."""

    findings: list[Located] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0       # files looked at (templates or not), failed ones included
    templates: int = 0   # files that are CloudFormation templates
    trails: int = 0      # AWS::CloudTrail::Trail resources in those templates
    notes: list[FileError] = field(default_factory=list)  # e.g. expired waivers: said, not failing
    today: datetime.date = field(default_factory=datetime.date.today)
    # The trails of each template, in template order (the JUnit report lists every rule of each),
    # and the rules the configuration disabled (never run, so never shown as passing).
    trails_by_file: dict[str, list[str]] = field(default_factory=dict)
    # The metric filters checked on their own (a monitoring stack without a trail), each with
    # its control's rule (linter/monitoring.py): JUnit gives each a test case.
    filters_by_file: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    shard: ShardInfo | None = None   # --shard K/N; None for a whole scan
    # The files the scan read, in the order of the walk (a baseline speaks for their entries).
    scanned: list[str] = field(default_factory=list)

    def counted(self) -> list[Located]:
        """The findings that count (not suppressed)."""
        return [item for item in self.findings if item.suppression is None]

    def suppressed(self) -> list[Located]:
        return [item for item in self.findings if item.suppression is not None]

    def sorted_findings(self) -> list[Located]:
        return sorted(self.findings, key=finding_key)

    def sorted_errors(self) -> list[FileError]:
        return sorted(self.errors, key=error_key)


def failing_severities(fail_on: str) -> tuple[str, ...]:
    """The severities ``--fail-on`` makes fail: that one and the more severe ones."""
    if fail_on == "never":
        return ()
    return SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1]


# The run's verdict (the exit code's meaning): a file error wins over findings.
VERDICT_PASS, VERDICT_FAIL, VERDICT_ERROR = "pass", "fail", "error"


def verdict(run: Run, fail_on: str) -> str:
    if run.errors:
        return VERDICT_ERROR
    failing = failing_severities(fail_on)
    return VERDICT_FAIL if any(item.finding.severity in failing for item in run.counted()) \
        else VERDICT_PASS


def finding_key(item: Located) -> tuple:
    return (item.file, item.line, item.column, item.finding.rule, item.finding.message)


def error_key(error: FileError) -> tuple:
    return (error.file, error.line, error.column, "", error.message)
