"""Suppressions: what keeps a finding from counting, and why (``findings.Suppression``).

In this order, the first that applies wins:

1. cfn-lint's own, in the template (``Metadata: cfn-lint: config: ignore_checks``), so both modes
   report the same. It stands beside the resource, is reviewed with every change to it, and
   says exactly what it covers: the most deliberate suppression, so it is asked first.
2. The configuration file's waivers, which carry a reason and may expire (an expired one is a
   note and no longer suppresses). A waiver is a decision about a rule on some files, taken on
   purpose and dated; it comes before the baseline so that its expiry is honoured: a finding a
   waiver covered is never recorded in a baseline, and when the waiver expires the finding
   counts again instead of sliding into the baseline unseen.
3. The baseline (``--baseline FILE``, ``linter/baseline.py``): every finding that counted when the
   gate was turned on, accepted wholesale. It is the least specific, so it takes only what
   nothing more deliberate explains, and its entries that a Metadata suppression or a waiver
   now covers are reported as stale, to be removed.

Inline suppressions and waivers are decided per file as the file is checked (in worker
processes too); the baseline afterwards, over the whole run, as its entries are matched by
count across a file.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any, Callable, Iterable

from . import config as config_file
from . import load, records
from .baseline import Baseline, Entry, Key
from .findings import FileError, Finding, Located, Suppression
from .report import Run, finding_key


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


# -- baselines --------------------------------------------------------------------------------


class _Scope:
    """Which baseline entries a run speaks for: those of the files it read (a file that could not
    be read or analysed is left out: its findings are unknown), of the files its findings are in
    (a nested template's), and of files under a folder it walked that no longer exist (deleted or
    renamed; with ``--shard``, by the one shard it would belong to, so the merged report says it
    once). An entry of a file the run did not read (another shard, a pre-commit run of some
    files) or of a rule that did not run (disabled, an opt-in rule not asked for) is left
    alone."""

    def __init__(self, run: Run, folders: Iterable[str]) -> None:
        failed = {os.path.abspath(e.file) for e in run.errors}
        self.spelling: dict[str, str] = {}
        for file in [*run.scanned, *(item.file for item in run.findings)]:
            self.spelling.setdefault(os.path.abspath(file), file)
        self.files = set(self.spelling) - failed
        self.folders = [os.path.abspath(folder) for folder in folders]
        self.disabled = run.disabled
        self.shard = run.shard

    def covers(self, baseline: Baseline, entry: Entry) -> bool:
        if entry.rule in self.disabled:
            return False
        absolute = baseline.absolute(entry.file)
        if absolute in self.files:
            return True
        if os.path.exists(absolute) or not any(
                absolute.startswith(folder.rstrip(os.sep) + os.sep) for folder in self.folders):
            return False
        if self.shard is None:
            return True
        from .scan.shard import owner   # the shard the file would be in, had it not gone

        return owner(absolute, self.shard.count) == self.shard.index

    def shown(self, absolute: str) -> str:
        """A file as the scan names it; one it did not read, relative to the working directory."""
        if absolute in self.spelling:
            return self.spelling[absolute]
        try:
            return os.path.relpath(absolute)
        except ValueError:
            return absolute


def _match(baseline: Baseline, items: list[Located]) -> tuple[dict[int, Entry], list[Entry]]:
    """Each item (in report order) paired with an entry of the same key while there are any:
    two findings with the same key need two entries. Returns the pairs (by ``id(item)``) and the
    entries left over, in file order."""
    free: dict[Key, list[Entry]] = defaultdict(list)
    for entry in baseline.entries:
        free[entry.key].append(entry)
    pairs: dict[int, Entry] = {}
    for item in sorted(items, key=finding_key):
        bucket = free.get(baseline.key_of(item.finding, item.file))
        if bucket:
            pairs[id(item)] = bucket.pop(0)
    used = {id(entry) for entry in pairs.values()}
    return pairs, [entry for entry in baseline.entries if id(entry) not in used]


def apply_baseline(run: Run, baseline: Baseline, folders: Iterable[str] = ()) -> None:
    """Mark the findings of ``run`` that ``baseline`` records as suppressed (kind ``baseline``),
    after the inline suppressions and waivers (only findings that still count are matched), and
    add a note for each entry of the files the run read that no finding matched any more (stale:
    said, never failing). ``folders``: the folders the scan walked (see _Scope)."""
    pairs, left = _match(baseline, [item for item in run.findings if item.suppression is None])
    if pairs:
        run.findings[:] = [
            item if id(item) not in pairs else records.replace(
                item, suppression=Suppression("baseline", baseline.justification(pairs[id(item)])))
            for item in run.findings]
    scope = _Scope(run, folders)
    placed: dict[str, Any] = {}   # file -> its document (None: it cannot be read)
    for entry in left:
        if scope.covers(baseline, entry):
            file = baseline.absolute(entry.file)
            run.notes.append(FileError(scope.shown(file), *_where(file, entry.path, placed),
                                       stale_message(baseline, entry)))


def _where(file: str, path: tuple, placed: dict[str, Any]) -> tuple[int, int]:
    """Where a stale entry's anchor is in ``file`` now: the line and column of its path, or of
    the deepest part of it the template still has (the trail, ``Resources``); 1, 1 when the
    file cannot be read. Only files with stale entries are read again."""
    if file not in placed:
        try:
            placed[file] = load.load_path(file)
        except Exception:  # noqa: BLE001 - the note still says what is stale, at the top
            placed[file] = None
    document = placed[file]
    return (1, 1) if document is None else document.position(list(path))


def stale_message(baseline: Baseline, entry: Entry) -> str:
    path = ".".join(str(part) for part in entry.path)
    when = ", ".join(f"{name}={value}" for name, value in entry.scenario)
    return (f"baseline {baseline.name}: {entry.rule} on {entry.resource} at {path}"
            + (f" [when {when}]" if when else "")
            + " is no longer found: remove the entry, or rewrite the baseline with "
              "--write-baseline")


def baseline_entries(run: Run, target: Baseline, previous: Baseline | None,
                     folders: Iterable[str] = ()) -> list[Entry]:
    """``--write-baseline``: the entries of ``target`` for today's findings that count (those an
    inline suppression or a waiver covers are not recorded: see the module's order), a reason
    carried over from ``previous`` for a finding it recorded; and ``previous``'s entries that this
    run does not speak for (files not read, rules that did not run), kept as they were."""
    counted = [item for item in run.findings if item.suppression is None]
    pairs, left = _match(previous, counted) if previous is not None else ({}, [])
    entries = [target.entry_for(item.finding, item.file,
                                pairs[id(item)].reason if id(item) in pairs else "")
               for item in counted]
    scope = _Scope(run, folders)
    for entry in left:
        if not scope.covers(previous, entry):
            entries.append(Entry(entry.rule, target.relative(previous.absolute(entry.file)),
                                 entry.resource, entry.path, entry.scenario, entry.fingerprint,
                                 entry.message, entry.reason))
    return entries


def fix_counts(config: config_file.Config, run: Run,
               baseline: Baseline | None = None) -> Callable[[Finding, Any, str], bool]:
    """What ``--fix`` may touch (``fix.fix_file``'s ``counts``): a finding of a rule that runs and
    that nothing suppresses. A baselined finding is left alone: one whose key ``baseline`` holds
    (by key, not by count: a fix acts on a trail's property, whichever occurrence it is); pass
    no baseline (``--fix-baselined``) to fix those too."""
    keys = {entry.key for entry in baseline.entries} if baseline is not None else set()

    def counts(finding: Finding, data: Any, path: str = "") -> bool:
        if finding.rule in config.disable or inline_suppression(data, finding) is not None:
            return False
        waiver = config.waiver_for(finding.rule, path, finding.resource)
        if waiver is not None and not waiver.expired(run.today):
            return False
        return not keys or baseline.key_of(finding, path) not in keys

    return counts


def load_baseline(name: str | None, writing: str | None = None) -> Baseline | None:
    """The baseline in use: ``name`` (``--baseline``, else the configuration's ``baseline``).
    With ``--write-baseline FILE`` (``writing``) it is only where reasons are carried over from,
    so a missing one is none, and without a name, FILE as it stands is. Raises BaselineError."""
    from . import baseline as baseline_file

    if writing is None:
        return baseline_file.read(name) if name is not None else None
    source = name if name is not None else writing
    return baseline_file.read(source) if os.path.exists(source) else None


def write_baseline(run: Run, name: str, previous: Baseline | None,
                   folders: Iterable[str] = ()) -> Baseline:
    """``--write-baseline NAME``: record today's findings (``baseline_entries``), write the file,
    and report the run as that baseline reads it (what it records is suppressed). Raises
    BaselineError when it cannot be written."""
    from . import baseline as baseline_file

    target = Baseline(name)
    target.entries = baseline_entries(run, target, previous, folders)
    baseline_file.write(name, target.entries)
    apply_baseline(run, target, folders)
    return target
