"""The baseline file (``--write-baseline FILE``, ``--baseline FILE``): its format, read and
written. What a baseline does to a run (which findings it suppresses, which entries are stale)
is ``suppress``'s; the format is documented in docs/baseline.md and validated against
``data/baseline.schema.json``.

An entry is keyed on rule, file, resource, anchor path and scenario: never on a line, nor on
SARIF's occurrence counter, so a finding that moves within its file stays the same finding.
Files are named relative to the folder that holds the baseline, in POSIX form, so the baseline
reads the same from any working directory and on any system.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from . import schema_subset
from .findings import Finding, Located
from .records import record
from .report._fingerprint import finding_base

FORMAT = "cfn-trailwatch-baseline"
VERSION = 1

Key = tuple[str, str, str, str, str]


class BaselineError(Exception):
    """The baseline cannot be read or written; the message names the file and the reason."""


@record(frozen=True)
class Entry:
    rule: str
    file: str                       # relative to the baseline's folder, POSIX form
    resource: str
    path: tuple[Any, ...]           # where the finding is anchored
    scenario: tuple[tuple[str, Any], ...]   # sorted by name
    fingerprint: str = ""           # SARIF's fingerprint base: informative, not matched on
    message: str = ""               # what the finding said when recorded: informative
    reason: str = ""                # why it is accepted, for people to fill

    @property
    def key(self) -> Key:
        return entry_key(self.rule, self.file, self.resource, self.path, self.scenario)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "file": self.file, "resource": self.resource,
                "path": list(self.path), "scenario": dict(self.scenario),
                "fingerprint": self.fingerprint, "message": self.message, "reason": self.reason}


def entry_key(rule: str, file: str, resource: str, path: Any, scenario: Any) -> Key:
    """The matching key: the scenario's order does not matter, its values do."""
    return (rule, file, resource, json.dumps(list(path), ensure_ascii=False, default=str),
            json.dumps(dict(scenario), ensure_ascii=False, sort_keys=True, default=str))


def _sort_key(entry: Entry) -> tuple:
    """Entries in a stable, line-independent order: a finding that moves does not move its
    entry, so a rewritten baseline's diff shows only what changed."""
    return (*entry.key, entry.reason, entry.message)


class Baseline:
    """A baseline file's entries; ``name``: the file as given (for messages and the default
    justification ``baseline NAME``), ``folder``: what entry files are relative to."""

    def __init__(self, name: str, entries: list[Entry] | None = None) -> None:
        self.name = name
        self.folder = os.path.dirname(os.path.abspath(name))
        self.entries = list(entries or ())

    def relative(self, file: str) -> str:
        """``file`` (as a scan names it) relative to the baseline's folder, POSIX form."""
        absolute = os.path.abspath(file)
        try:
            return PurePath(os.path.relpath(absolute, self.folder)).as_posix()
        except ValueError:  # another drive on Windows
            return PurePath(absolute).as_posix()

    def absolute(self, entry_file: str) -> str:
        return os.path.normpath(os.path.join(self.folder, *entry_file.split("/")))

    def key_of(self, finding: Finding, file: str) -> Key:
        return entry_key(finding.rule, self.relative(file), finding.resource, finding.path,
                         finding.scenario)

    def entry_for(self, finding: Finding, file: str, reason: str = "") -> Entry:
        """A new entry recording ``finding`` of ``file``."""
        relative = self.relative(file)
        return Entry(finding.rule, relative, finding.resource, tuple(finding.path),
                     tuple(sorted(dict(finding.scenario).items())),
                     finding_base(Located(finding, file, 1, 1),   # SARIF's, by SARIF's URI
                                  quote(relative, safe="/", errors="surrogateescape")),
                     finding.message, reason)

    def justification(self, entry: Entry) -> str:
        return entry.reason.strip() or f"baseline {self.name}"


def schema() -> dict[str, Any]:
    text = resources.files("cfn_trailwatch").joinpath("data/baseline.schema.json").read_text("utf-8")
    return json.loads(text)


def read(name: str) -> Baseline:
    """Read and validate the baseline ``name``."""
    try:
        with open(name, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise BaselineError(f"{name}: no such file (write one with --write-baseline)") from None
    except OSError as err:
        raise BaselineError(f"{name}: cannot read: {err.strerror or err}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BaselineError(f"{name}: not valid JSON: {err}") from None
    if isinstance(data, dict) and isinstance(data.get("version"), int) \
            and data.get("version") > VERSION:
        raise BaselineError(f"{name}: format version {data['version']} is newer than this "
                            f"cfn-trailwatch reads ({VERSION}): upgrade it")
    errors: list = []
    if not schema_subset.surely_valid(data, schema()):
        import jsonschema  # only for a file not proven valid: it is slow to import

        errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data),
                        key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                        for p in errors[0].absolute_path).lstrip(".") or "(top level)"
        raise BaselineError(f"{name}: {where}: {errors[0].message} (see docs/baseline.md)")
    entries = [Entry(e["rule"], e["file"], e["resource"], tuple(e["path"]),
                     tuple(sorted(e.get("scenario", {}).items())), e.get("fingerprint", ""),
                     e.get("message", ""), e.get("reason", ""))
               for e in data["entries"]]
    return Baseline(name, entries)


def render(entries: list[Entry]) -> str:
    """The file's text: one field a line, a path or scenario on the line of its field, so a
    change to one entry is a change of a few lines."""
    def value(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False, default=str)

    blocks = [",\n".join(f"      {value(field)}: {value(item)}"
                          for field, item in entry.to_dict().items())
              for entry in sorted(entries, key=_sort_key)]
    body = ",\n".join("    {\n" + block + "\n    }" for block in blocks)
    return (f'{{\n  "format": {value(FORMAT)},\n  "version": {VERSION},\n  "entries": ['
            + (f"\n{body}\n  " if blocks else "") + "]\n}\n")


def write(name: str, entries: list[Entry]) -> None:
    try:
        with open(name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render(entries))
    except OSError as err:
        raise BaselineError(f"{name}: cannot write: {err.strerror or err}") from None
