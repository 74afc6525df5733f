"""Remediation: ``--fix`` repairs each failing trail in the template's own format.

``fix_file(path, options)`` reads a template, fixes what can be fixed without a person (see
``plan``), and returns a :class:`FileFix`: the new text, and for every finding either what was
done or why it was not. The text is changed by insertions and replacements at the positions the
loader recorded (``edit``), so every untouched line stays byte for byte as it was.

A fix is kept only when the result parses, the findings it fixes are gone and no new finding of
this tool appears on the trail; otherwise that trail's changes are dropped (the others stay) and
its findings are "not fixed" with the reason. Linking a trail to a log group or role for the first
time may bring up that group's or role's own hygiene findings (WT2002, WT2003, IT2006): those were
there before, unseen, and are reported, not counted as new. Nothing here writes files; the CLI
does, and only when the result holds.
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Any, Callable

from .. import load, monitoring_controls, trail
from ..findings import Finding
from ..records import field, record
from .edit import Cannot, Source, apply
from .plan import FIXABLE, PASS_1, PASS_2, Action, Block, Observed, Planner

__all__ = ["FIXABLE", "Change", "FileFix", "fix_file", "fix_text", "observe", "summary_lines",
           "json_entries"]

# The monitoring chain of Security Hub CloudWatch.1-14 (opt-in): never added by --fix (docs/fix.md
# says why), and never touched by it either.
MONITORING = tuple(c.rule for c in monitoring_controls.controls())

# Hygiene findings about a log group's or role's own properties: a fix that links the trail to
# an existing one for the first time brings them to light; they are not made by the fix.
# A new log group has no delivery alarm (IT2009) and a generated name (WT2008) either: those are
# a person's choices too, not something the fix broke. Nor are the monitoring chains (WT3001-
# WT3014): a trail that starts delivering has its log group's metric filters looked at for the
# first time, and no fix edits a filter, an alarm, a topic or a subscription.
REVEALED = ("WT2002", "WT2003", "IT2006", "WT2008", "IT2009", *MONITORING)

# Why the rules without an automatic fix need a person.
MANUAL = {
    "WT2002": "choose the KMS key for the log group (KmsKeyId) and let CloudWatch Logs use it",
    "WT2003": "decide whether the subscription's destination may receive the audit records "
              "(rule option allowed_destinations)",
    "WT2005": "decide which management events the trail must record",
    "IT2006": "narrowing an existing grant is for a person: --fix never edits an existing "
              "statement",
    "WT2008": "name the log group as log_group_name asks (a new name replaces the log group)",
    "IT2009": "add an alarm on the log group's IncomingLogEvents with the action that should be "
              "taken (AlarmActions)",
    **{c.rule: f"complete the {c.id} chain ({c.title}) by hand: metric filter on the trail's "
               "log group, alarm, SNS topic, subscriber; --fix writes none of them, as the "
               "metric's namespace and name, the alarm's threshold, the topic and who is alerted "
               "(the subscriber's endpoint) are a person's choice, and the filters may belong in "
               "a central monitoring stack" for c in monitoring_controls.controls()},
}

# Line breaks the loader counts but the edits do not place text by: only files whose lines end
# in \n or \r\n are rewritten.
_OTHER_LINE_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


@record(frozen=True)
class Change:
    """One finding fixed, or not fixed and why, placed where the finding was."""

    file: str
    line: int
    column: int
    rule: str
    trail: str
    fixed: bool
    message: str
    kind: str = "trail"     # what ``trail`` names: the trail, or ("resource") what an opt-in
                            # rule anchors a finding at when the template has no trail


@record
class FileFix:
    file: str
    original: str
    text: str                                   # the result; the original when nothing changed
    changes: list[Change] = field(default_factory=list)
    reason: str = ""                            # why nothing was changed although fixes were due
    bom: bool = False
    written: bool = False                       # set by the caller once the file is written

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def encoded(self) -> bytes:
        return ("\ufeff" if self.bom else "").encode("utf-8") + self.text.encode("utf-8")

    def diff(self) -> str:
        """A unified diff with ``a/<path>`` and ``b/<path>`` headers (``patch -p1`` applies it)."""
        if not self.changed:
            return ""
        name = _diff_name(self.file)
        lines = difflib.unified_diff(self.original.splitlines(keepends=True),
                                     self.text.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}")
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _diff_name(path: str) -> str:
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            path = relative
    return path.replace(os.sep, "/").lstrip("/")


# --------------------------------------------------------------------------------------------------
# Observing the analysis
# --------------------------------------------------------------------------------------------------

def observe(data: Any, options: trail.Options | None = None) -> Observed:
    """``trail.analyse`` of ``data``, keeping what each trail check met: the log groups it
    followed, the trust decisions and the grants it evaluated, which the planner needs to tell a
    missing grant from a Deny or a boundary. The checks are the engine's own, subclassed for the
    duration of the call, so the fix sees exactly what the findings were made of."""
    from ..iam import trusts_service
    from ..reach import as_document

    checks: list[Any] = []
    base = trail._TrailCheck

    class Recorder(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fix_groups: list = []
            self.fix_trusts: list = []
            self.fix_grants: list = []
            checks.append(self)

        def _log_group(self, s):  # noqa: ANN001, ANN202
            for s1, group in super()._log_group(s):
                self.fix_groups.append((s1, group))
                yield s1, group

        def _trust(self, role, s, group):  # noqa: ANN001, ANN202
            super()._trust(role, s, group)
            resource = self.resolver.resources.get(role.logical_id)
            properties = resource.get("Properties") if isinstance(resource, dict) else None
            document = properties.get("AssumeRolePolicyDocument") \
                if isinstance(properties, dict) else None
            if document is None:
                self.fix_trusts.append((role.logical_id, None))
                return
            for s_i, resolved in self.resolver.resolve(document, s):
                decision = trusts_service(as_document(self.names.expand(resolved, s_i)),
                                          trail.SERVICE, self._context(s_i))
                self.fix_trusts.append((role.logical_id, decision))

        def _check_grants(self, group, role, streams, reached, s, *more):  # noqa: ANN001, ANN202
            self.fix_grants.append((group, role, streams, reached, s, self._context(s)))
            super()._check_grants(group, role, streams, reached, s, *more)

    trail._TrailCheck = Recorder
    try:
        analysis = trail.analyse(data, options)
    finally:
        trail._TrailCheck = base
    return Observed(list(analysis.findings), list(analysis.errors), checks)


# --------------------------------------------------------------------------------------------------
# Fixing
# --------------------------------------------------------------------------------------------------

@record
class _Attempt:
    text: str
    actions: list[Action]
    blocks: list[Block]
    final: Observed
    data: Any


def _taken(data: dict) -> set[str]:
    taken: set[str] = set()
    for section in ("Resources", "Parameters", "Conditions", "Mappings", "Outputs"):
        if isinstance(data.get(section), dict):
            taken.update(data[section])
    return taken


def _attempt(document: load.Document, observed: Observed, options: trail.Options | None,
             counts: Callable[[Finding, Any], bool], trails: set[str]) -> _Attempt:
    taken = _taken(document.data)
    actions: list[Action] = []
    blocks: list[Block] = []
    for rules in (PASS_1, PASS_2):
        source = Source(document)
        planner = Planner(source, observed, options, counts, trails, taken)
        planner.run(rules)
        actions += planner.actions
        blocks += planner.blocks
        if source.edits:
            text = apply(document.text, source.edits)
            document = load.load_text(text, document.filename)
            observed = observe(document.data, options)
    return _Attempt(document.text, actions, blocks, observed, document.data)


def _verify(before: set[tuple[str, str]], attempt: _Attempt, trails: set[str],
            counts: Callable[[Finding, Any], bool]) -> dict[str, str]:
    """The trails whose changes do not hold, and why."""
    after = [f for f in attempt.final.findings if counts(f, attempt.data)]
    found = {(f.rule, f.resource) for f in after}
    bad: dict[str, str] = {}
    for trail_id, message in attempt.final.errors:
        if trail_id in trails:
            bad[trail_id] = f"the fixed template could not be analysed: {message}"
    for trail_id in trails:
        blocked = {b.rule for b in attempt.blocks if b.trail == trail_id}
        claimed = {a.rule for a in attempt.actions if a.trail == trail_id} - blocked
        still = sorted(rule for rule in claimed if (rule, trail_id) in found)
        if still:
            bad.setdefault(trail_id, f"the fixed template would still give {', '.join(still)}")
    for finding in after:
        if (finding.rule, finding.resource) in before or finding.rule in REVEALED:
            continue
        why = f"the fixed template would give {finding.rule}: {finding.message}"
        blocked = [b.reason for b in attempt.blocks
                   if (b.rule, b.trail) == (finding.rule, finding.resource)]
        if blocked:  # what the fix met there says why a person must act (a Deny, a boundary…)
            why += f"; {blocked[0]}"
        if finding.resource in trails:
            bad.setdefault(finding.resource, why)
        else:  # another trail, through a role or log group they share: drop them all
            for trail_id in trails:
                bad.setdefault(trail_id, why)
    return bad


def fix_text(text: str, filename: str, options: trail.Options | None = None,
             counts: Callable[[Finding, Any], bool] | None = None, bom: bool = False,
             limits: load.Limits | None = None) -> FileFix:
    """Fix the template ``text``. ``counts(finding, template)`` tells which findings count
    (the CLI leaves out suppressed and disabled ones: those are neither fixed nor listed).
    Raises ``LoadError`` when the text is not a readable template."""
    counts = counts or (lambda finding, data: True)
    document = load.load_text(text, filename, limits)
    result = FileFix(filename, text, text, bom=bom)
    if document.skimmed or not load.is_template(document.data):
        return result
    if not trail.trail_ids(document.data) and not getattr(options, "opt_in", None):
        return result  # nothing to fix; an opt-in rule may still report a resource of its own
    observed = observe(document.data, options)
    original = [f for f in observed.findings if counts(f, document.data)]
    before = {(f.rule, f.resource) for f in original}
    trails = {f.resource for f in original if f.rule in FIXABLE}
    failures: dict[str, str] = {}
    attempt: _Attempt | None = None
    if trails and _OTHER_LINE_BREAK.search(text):
        # The loader counts a bare \r (and NEL, U+2028, U+2029) as a line break, as cfn-lint
        # does; text placed by line and column would land in the wrong place.
        failures.update({t: "only files whose lines end in \\n or \\r\\n are rewritten (this "
                            "one has a bare \\r, NEL, U+2028 or U+2029 line break)"
                         for t in trails})
        trails = set()
    while trails:
        try:
            candidate = _attempt(document, observed, options, counts, trails)
        except (Cannot, load.LoadError) as err:
            failures.update({t: f"the fixed template would not be valid: {err}" for t in trails})
            break
        except Exception as err:  # noqa: BLE001 - a bug in a fix must not cost the file its check
            failures.update({t: f"internal error while fixing: {type(err).__name__}: {err}"
                             for t in trails})
            break
        bad = _verify(before, candidate, trails, counts)
        if not bad:
            attempt = candidate
            break
        failures.update(bad)
        trails -= set(bad)
    blocked = {(b.rule, b.trail) for b in attempt.blocks} if attempt else set()
    if attempt is not None and any((a.rule, a.trail) not in blocked for a in attempt.actions):
        result.text = attempt.text  # never a file changed with nothing fixed
    elif failures:
        result.reason = next(iter(failures.values()))
    result.changes = _changes(document, original, attempt, failures)
    return result


def _changes(document: load.Document, original: list[Finding], attempt: _Attempt | None,
             failures: dict[str, str]) -> list[Change]:
    name = document.filename
    actions = attempt.actions if attempt else []
    blocks = attempt.blocks if attempt else []
    after = {(f.rule, f.resource) for f in attempt.final.findings} if attempt else set()
    out: list[Change] = []
    seen: set[tuple[str, str]] = set()
    trails = set(trail.trail_ids(document.data))
    for finding in original:
        key = (finding.rule, finding.resource)
        if key in seen:
            continue
        seen.add(key)
        line, column = document.position(finding.path)
        done = [a.message for a in actions if (a.rule, a.trail) == key]
        why = [b.reason for b in blocks if (b.rule, b.trail) == key]
        if finding.rule not in FIXABLE:
            said = finding.message.removeprefix(f"Trail {finding.resource}: ")
            reason = MANUAL.get(finding.rule) or f"needs a person: {said}"
            kind = "trail" if finding.resource in trails else "resource"
            out.append(Change(name, line, column, finding.rule, finding.resource, False, reason,
                              kind))
        elif finding.resource in failures:
            out.append(Change(name, line, column, finding.rule, finding.resource, False,
                              failures[finding.resource]))
        elif why:
            out.append(Change(name, line, column, finding.rule, finding.resource, False, why[0]))
        elif attempt is not None and key not in after:
            message = "; ".join(dict.fromkeys(done)) or "cleared by the other changes to this trail"
            out.append(Change(name, line, column, finding.rule, finding.resource, True, message))
        else:
            out.append(Change(name, line, column, finding.rule, finding.resource, False,
                              "no automatic fix applies here"))
    for action in actions:  # follow-ups: what a new link needed (a grant for a new log group…)
        key = (action.rule, action.trail)
        if key in seen:
            continue
        seen.add(key)
        line, column = document.position(("Resources", action.trail))
        message = "; ".join(dict.fromkeys(a.message for a in actions if (a.rule, a.trail) == key))
        out.append(Change(name, line, column, action.rule, action.trail, True, message))
    out.sort(key=lambda c: (c.line, c.column, c.rule))
    return out


def fix_file(path: str, options: trail.Options | None = None,
             counts: Callable[[Finding, Any], bool] | None = None,
             limits: load.Limits | None = None) -> FileFix:
    """Read ``path`` and fix it (nothing is written). Raises ``LoadError`` for a file that
    cannot be read as a template, ``OSError`` for one that cannot be read at all."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if limits is not None and len(raw) > limits.max_bytes:
        raise load.LoadError(f"file is larger than the limit of {limits.max_bytes} bytes", 1, 1)
    text = load.decode(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        document = load.load_text(text, path, limits)
        result = FileFix(path, text, text)
        if load.is_template(document.data) and trail.trail_ids(document.data):
            result.reason = "only UTF-8 files are rewritten (this one is UTF-16 or UTF-32)"
        return result
    return fix_text(text, path, options, counts, bom=raw.startswith(b"\xef\xbb\xbf"),
                    limits=limits)


# --------------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------------

def summary_lines(results: list[FileFix], diff: bool = False) -> list[str]:
    """``file:line:column: RULE fixed (trail T): what`` or ``RULE not fixed (trail T): why`` per
    finding, then per file whether it was written (with ``diff``: would be)."""
    lines: list[str] = []
    for result in results:
        for change in result.changes:
            state = "fixed" if change.fixed else "not fixed"
            lines.append(f"{change.file}:{change.line}:{change.column}: {change.rule} {state} "
                         f"({change.kind} {change.trail}): {change.message}")
        fixed = sum(1 for c in result.changes if c.fixed)
        counted = f"{fixed} finding{'s' if fixed != 1 else ''} fixed"
        if result.changed and (result.written or diff):
            lines.append(f"{result.file}: {'would be written' if diff else 'written'} ({counted})")
        elif result.changed:
            lines.append(f"{result.file}: not written: the file could not be written")
        elif result.reason:
            lines.append(f"{result.file}: not written: {result.reason}")
    return lines


def json_entries(results: list[FileFix]) -> list[dict[str, Any]]:
    """The ``fixes`` list of the JSON report (docs/json-output.md), after the files were written."""
    out = []
    for result in results:
        if not result.changes and not result.reason:
            continue
        out.append({
            "file": result.file,
            "status": "written" if result.written else "unchanged",
            "reason": result.reason or None,
            "changes": [{"rule": c.rule, "resource": c.trail, "line": c.line, "column": c.column,
                         "fixed": c.fixed, "message": c.message} for c in result.changes],
        })
    return out
