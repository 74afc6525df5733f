"""GitHub Actions workflow commands (``--format github``): one annotation per finding.

    ::error file=stacks/audit.yaml,line=12,col=7,title=ET1006 trail-cwl-role-permissions::The ...

``error``, ``warning`` and ``info`` findings become ``::error``, ``::warning`` and ``::notice``.
Suppressed findings are not annotated, only counted in the last line, which is plain text (GitHub
shows it in the log). A file that could not be read or analysed is an ``::error`` at its
position; a note (an expired waiver) is a ``::warning``. Files are named relative to the
working directory (the checkout), as annotations need.

Escaping is GitHub's (actions/toolkit ``command.ts``): in the message ``%``, CR and LF become
``%25``, ``%0D``, ``%0A``; in property values also ``:`` and ``,`` become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

from . import STAGE_ANALYSE, Run
from ._paths import display_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else \
        f"::{name}::{escape_data(message)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def render(run: Run) -> str:
    rows: list[tuple[tuple, str]] = []
    suppressed = 0
    for item in run.sorted_findings():
        if item.suppression is not None:
            suppressed += 1
            continue
        f = item.finding
        rows.append(((item.file, item.line, item.column, f.rule, f.message), command(
            COMMANDS[f.severity], f.message, file=display_path(item.file), line=item.line,
            col=item.column, title=f"{f.rule} {f.meta.slug}")))
    for error in run.sorted_errors():
        what = "could not be analysed" if error.extra.get("stage") == STAGE_ANALYSE \
            else "could not be read"
        rows.append(((error.file, error.line, error.column, "", error.message), command(
            "error", error.message, file=display_path(error.file), line=error.line,
            col=error.column, title=f"cfn-trailwatch: template {what}")))
    for note in run.notes:  # e.g. an expired waiver, which no longer suppresses
        rows.append(((note.file, note.line, note.column, "", note.message), command(
            "warning", note.message, file=display_path(note.file), line=note.line,
            col=note.column, title="cfn-trailwatch: configuration")))
    rows.sort(key=lambda row: row[0])
    annotated = len(run.findings) - suppressed
    summary = (f"cfn-trailwatch: {_plural(annotated, 'finding')} annotated, "
               f"{suppressed} suppressed, {_plural(len(run.errors), 'file error')} "
               f"in {_plural(run.templates, 'template')}, {_plural(run.trails, 'trail')}")
    return "\n".join([text for _, text in rows] + [summary]) + "\n"
