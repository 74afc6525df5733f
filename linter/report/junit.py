"""JUnit XML report (``--format junit``) for CI servers (Jenkins, GitLab, Azure Pipelines).

    <testsuites name="cfn-trailwatch" tests=".." failures=".." errors=".." skipped="..">
      <testsuite name="stacks/audit.yaml" ...>
        <testcase classname="stacks/audit.yaml" name="Trail ET1006 trail-cwl-role-permissions">
          <failure type="ET1006" message="...">stacks/audit.yaml:12:7: ET1006 ...</failure>
        </testcase>

One testsuite per file that has trails, findings or errors (templates without a trail are left
out: they would only add empty suites); one testcase per trail and catalogue rule, so passing
checks show as passing tests (rules the configuration disables, and opt-in rules not asked for,
are left out). A metric filter checked on its own (a monitoring stack without a trail,
``linter/monitoring.py``) gets one testcase for its control's rule, named by the filter. The
verdict matches the exit code:

- a finding at or above ``--fail-on`` is a ``<failure>``;
- a finding below it is a passing testcase whose ``<system-out>`` notes it;
- a suppressed finding (inline, waiver, baseline) is ``<skipped message="suppressed: ...">``;
- a file that could not be read or analysed is a testcase with an ``<error>``. Then the trails
  whose analysis did not finish get no passing testcases: a check that did not run never passes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from .. import catalog
from ..findings import FileError, Located
from . import SEVERITY_ORDER, STAGE_ANALYSE, Run, error_key
from ._paths import display_path

TOOL_NAME = "cfn-trailwatch"
FILTER_TYPE = "AWS::Logs::MetricFilter"   # the resource of a stand-alone monitoring finding

# Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates,
# U+FFFE/U+FFFF); a parse error message may quote them from a binary file.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    """``text`` with what XML cannot hold shown as ``\\xNN`` / ``\\uNNNN``."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def _failing(fail_on: str) -> set[str]:
    if fail_on == "never":
        return set()
    return set(SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1])


def _describe(item: Located, shown: str) -> str:
    f = item.finding
    lines = [f"{shown}:{item.line}:{item.column}: {f.rule} {f.message}"]
    if f.scenario:
        lines.append("scenario: " + ", ".join(f"{k}={v}" for k, v in f.scenario))
    lines += [f"  {step}" for step in f.evidence]
    return "\n".join(lines)


def _error_name(error: FileError, trail_id: str | None) -> str:
    if error.extra.get("stage") == STAGE_ANALYSE:
        what = f"{trail_id} analysis" if trail_id else "analysis"
    else:
        what = "read"
    return f"{what} error at {error.line}:{error.column}"


def _testcase(suite: ET.Element, classname: str, name: str, items: list[Located],
              shown: str, failing: set[str], counts: dict[str, int]) -> None:
    case = ET.SubElement(suite, "testcase", classname=_x(classname), name=_x(name), time="0")
    counts["tests"] += 1
    active = [i for i in items if i.suppression is None]
    failures = [i for i in active if i.finding.severity in failing]
    notes = [i for i in active if i.finding.severity not in failing]
    suppressed = [i for i in items if i.suppression is not None]
    if failures:
        first = failures[0]
        message = first.finding.message
        if len(failures) > 1:
            message += f" (and {len(failures) - 1} more)"
        failure = ET.SubElement(case, "failure", message=_x(message), type=first.finding.rule)
        failure.text = _x("\n\n".join(_describe(i, shown) for i in failures))
        counts["failures"] += 1
    elif not notes and suppressed:
        justification = "; ".join(dict.fromkeys(i.suppression.justification for i in suppressed))
        ET.SubElement(case, "skipped", message=_x(f"suppressed: {justification}"))
        counts["skipped"] += 1
    out = [f"{i.finding.severity} below --fail-on: {_describe(i, shown)}" for i in notes]
    if failures or notes:
        out += [f"suppressed ({i.suppression.kind}: {i.suppression.justification}): "
                f"{_describe(i, shown)}" for i in suppressed]
    if out:
        ET.SubElement(case, "system-out").text = _x("\n\n".join(out))


def to_element(run: Run, fail_on: str = "error") -> ET.Element:
    failing = _failing(fail_on)
    rules = [rule_id for rule_id in catalog.rules() if rule_id not in run.disabled]
    findings: dict[str, list[Located]] = defaultdict(list)
    for item in run.sorted_findings():
        findings[item.file].append(item)
    errors: dict[str, list[FileError]] = defaultdict(list)
    for error in run.sorted_errors():
        errors[error.file].append(error)
    notes: dict[str, list[FileError]] = defaultdict(list)
    for note in sorted(run.notes, key=error_key):
        notes[note.file].append(note)
    trails_by_file = run.trails_by_file
    filters_by_file = run.filters_by_file
    files = sorted({f for f, trails in trails_by_file.items() if trails} | set(findings)
                   | set(errors) | {f for f, filters in filters_by_file.items() if filters}
                   | set(notes))   # a stale baseline entry of a file with no trail left

    root = ET.Element("testsuites", name=TOOL_NAME)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file in files:
        shown = display_path(file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(root, "testsuite", name=_x(shown))
        file_errors = errors.get(file, [])
        trails = list(trails_by_file.get(file, []))
        # A trail the engine gave up on carries its ID (scan.check.internal_error); an error without
        # one concerns the whole file, so no check in it is known to pass.
        failed_trails = {e.extra.get("trail") for e in file_errors}
        whole_file_failed = None in failed_trails
        filters = list(filters_by_file.get(file, []))
        filter_ids = {lid for lid, _ in filters}
        by_case: dict[tuple[str, str], list[Located]] = defaultdict(list)
        for item in findings.get(file, []):
            by_case[(item.finding.resource, item.finding.rule)].append(item)
            resource = item.finding.resource
            if item.finding.resource_type == FILTER_TYPE:   # a stand-alone filter's finding
                if (resource, item.finding.rule) not in filters:
                    filters.append((resource, item.finding.rule))
                    filter_ids.add(resource)
            elif resource not in trails:
                trails.append(resource)  # a Run built without trails_by_file
        for error in file_errors:
            case = ET.SubElement(suite, "testcase", classname=_x(shown),
                                 name=_x(_error_name(error, error.extra.get("trail"))), time="0")
            ET.SubElement(case, "error", message=_x(error.message), type="file-error").text = \
                _x(f"{shown}:{error.line}:{error.column}: {error.message}")
            counts["tests"] += 1
            counts["errors"] += 1
        for trail_id in trails:
            for rule_id in rules:
                items = by_case.get((trail_id, rule_id), [])
                if not items and (whole_file_failed or trail_id in failed_trails):
                    continue
                name = f"{trail_id} {rule_id} {catalog.get(rule_id).slug}"
                _testcase(suite, shown, name, items, shown, failing, counts)
        # A metric filter of a monitoring stack without a trail: one case for its control.
        for filter_id, rule_id in filters:
            items = by_case.get((filter_id, rule_id), [])
            if rule_id in run.disabled or (not items and (whole_file_failed
                                                          or filter_id in failed_trails)):
                continue
            name = f"{filter_id} {rule_id} {catalog.get(rule_id).slug}"
            _testcase(suite, shown, name, items, shown, failing, counts)
        if notes.get(file):  # e.g. an expired waiver: said, not failing
            ET.SubElement(suite, "system-out").text = _x("\n".join(
                f"{shown}:{n.line}:{n.column}: note: {n.message}" for n in notes[file]))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def render(run: Run, fail_on: str = "error") -> str:
    root = to_element(run, fail_on)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
