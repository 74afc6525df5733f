"""Text edits in a template's own format.

Every change ``--fix`` makes is an insertion or a replacement at a position the loader recorded
(:meth:`load.Document.span` and :meth:`load.Document.position`), so every other line of the file
stays byte for byte as it was: comments, key order, quoting, blank lines. New text is rendered the
way the file is written: YAML through cfn-flip's dumper, in short form (``!GetAtt X.Arn``) or long
form (``Fn::GetAtt``) as the file uses, indented like the file; JSON with the file's indentation
unit and line breaks. In JSON a new member or list item goes in on lines of its own *before* an
existing one, so no existing line has to change (a trailing comma would otherwise be added to it).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any, Sequence

import yaml
from cfn_flip.yaml_dumper import get_dumper
from cfn_tools.odict import ODict

from ..load import Document
from ..records import record

try:  # cfn-flip's line width, so long strings fold as cfn-flip folds them
    from cfn_tools._config import config as _cfn_config
    _WIDTH = int(_cfn_config.max_col_width)
except (ImportError, AttributeError, TypeError, ValueError):  # pragma: no cover
    _WIDTH = 200

Path = Sequence[Any]

# Short-form tags CloudFormation knows: a YAML file using any of them is written in short form.
_SHORT_TAG = re.compile(r"(?<![\w'\"])!(?:Ref|GetAtt|Sub|If|Join|Select|FindInMap|Equals|Not|And|Or|"
                        r"Condition|ImportValue|Split|Base64|Cidr|GetAZs|Transform)\b")
_LONG_FORM = re.compile(r"(?m)(?:^|[\s{,\[-])(?:Fn::[A-Za-z]+|Ref)\s*:")
_COMMENT = re.compile(r"(?m)(?:^|(?<=\s))#.*$")
# After an entry of a flow collection: an optional comma, an optional comment, the line's end.
_FLOW_REST = re.compile(r"[ \t]*(,)?[ \t]*(#[^\r\n]*)?(\r?\n)")
_JSON_INLINE_LIST = re.compile(r'\[[ \t]*(?:"[^"\n]*"|-?\d+|true|false)[ \t]*,[^\n]*\]')


class Cannot(Exception):
    """The edit cannot be made at this place; the message says why (for "not fixed: ...")."""


@record(frozen=True)
class Edit:
    start: int      # character offsets into the text; start == end is an insertion
    end: int
    text: str
    seq: int        # insertions at one offset keep the order they were made in


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` made; overlapping replacements are a bug of the caller."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end > e.start, e.seq))
    out: list[str] = []
    at = 0
    for edit in ordered:
        if edit.start < at:
            raise Cannot("two changes overlap in the file")
        out.append(text[at:edit.start])
        out.append(edit.text)
        at = edit.end
    out.append(text[at:])
    return "".join(out)


def get(data: Any, path: Path) -> Any:
    """The value at ``path`` in the plain data (``KeyError``/``IndexError`` when absent)."""
    for step in path:
        data = data[step]
    return data


def _odict(value: Any) -> Any:
    if isinstance(value, dict):
        return ODict([(key, _odict(item)) for key, item in value.items()])
    if isinstance(value, list):
        return [_odict(item) for item in value]
    return value


def _dumper(long_form: bool) -> type:
    base = get_dumper(clean_up=False, long_form=long_form)

    class Dumper(base):  # type: ignore[misc, valid-type]
        """cfn-flip's dumper, writing ``!GetAtt X.Arn`` rather than ``!GetAtt 'X.Arn'``: a
        tagged scalar is written plain whenever plain text reads back the same."""

        def choose_scalar_style(self):  # noqa: ANN201 - PyYAML's signature
            event = self.event
            if (isinstance(event, yaml.ScalarEvent) and event.tag and event.tag.startswith("!")
                    and not event.style and event.value):
                if self.analysis is None:
                    self.analysis = self.analyze_scalar(event.value)
                if not self.analysis.multiline and (
                        self.flow_level and self.analysis.allow_flow_plain
                        or not self.flow_level and self.analysis.allow_block_plain):
                    return ""
            return super().choose_scalar_style()

    return Dumper


class Source:
    """One template's text, how it is written, and the edits made to it so far."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.text = document.text
        self.edits: list[Edit] = []
        # What goes into an empty collection ({} or []), a mapping the file does not have yet
        # (a resource without Properties) or after one entry of a YAML flow collection: gathered,
        # and written in one piece by finish(), so that several additions to one place make one
        # well-formed text (one separator each, one new key).
        self._pending: dict[tuple, list] = {}
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.is_json = self._is_json()
        if self.is_json:
            found = re.search(r"\n([ \t]+)\S", self.text)
            self.unit = found.group(1) if found else "  "
            self.inline_lists = bool(_JSON_INLINE_LIST.search(self.text))
        else:
            code = _COMMENT.sub("", self.text)
            self.long_form = not _SHORT_TAG.search(code) and bool(_LONG_FORM.search(code))
            self.indent = self._yaml_indent()
            self._dumper_class = _dumper(self.long_form)

    # -- what the file looks like ---------------------------------------------------------------

    def _is_json(self) -> bool:
        if not self.text.lstrip().startswith(("{", "[")):
            return False
        try:
            json.loads(self.text)
        except ValueError:
            return False  # YAML flow style that is not strict JSON
        return True

    def _yaml_indent(self) -> int:
        resources = self.doc.data.get("Resources") if isinstance(self.doc.data, dict) else None
        if isinstance(resources, dict) and resources:
            _, outer = self.doc.position(("Resources",))
            _, inner = self.doc.position(("Resources", next(iter(resources))))
            if 2 <= inner - outer <= 8:
                return inner - outer
        return 2

    # -- positions --------------------------------------------------------------------------------

    def offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column - 1

    def line_start(self, index: int) -> int:
        return self._starts[bisect.bisect_right(self._starts, index) - 1]

    def line_end(self, index: int) -> int:
        """Where the line holding ``index`` ends: just after its line break (or the text's end)."""
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def column(self, index: int) -> int:
        return index - self.line_start(index)

    def span(self, path: Path) -> tuple[int, int]:
        span = self.doc.span(path)
        if span is None:
            raise Cannot(f"{'/'.join(map(str, path))} is not in the file where the loader put it")
        return span

    def key_offset(self, path: Path) -> int:
        return self.offset(*self.doc.position(path))

    # -- rendering ----------------------------------------------------------------------------------

    def yaml_lines(self, value: Any) -> list[str]:
        out = yaml.dump(_odict(value), Dumper=self._dumper_class, default_flow_style=False,
                        allow_unicode=True, width=_WIDTH, indent=self.indent)
        lines = out.splitlines()
        if lines and lines[-1] == "...":
            lines.pop()
        return lines

    def inline(self, value: Any) -> str:
        """``value`` on one line: YAML (a short-form tag, or a flow collection) or compact JSON."""
        if not self.is_json:
            lines = self.yaml_lines(value)
            if len(lines) == 1:
                return lines[0]
            return self.in_flow(value)
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    def in_flow(self, value: Any) -> str:
        """``value`` inside a YAML flow collection, on one line: cfn-flip's dumper in flow style,
        in the file's form (``!Sub 'a:${X}'`` quoted where a flow indicator would end it)."""
        out = yaml.dump([_odict(value)], Dumper=self._dumper_class, default_flow_style=True,
                        allow_unicode=True, width=1 << 30).strip()
        return out[1:-1]

    def json_value(self, value: Any, indent: str) -> str:
        """JSON for ``value`` starting on a line indented by ``indent``, in the file's style."""
        inner = indent + self.unit
        nl = self.newline
        if isinstance(value, dict) and value:
            members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {self.json_value(v, inner)}"
                       for k, v in value.items()]
            return "{" + nl + ("," + nl).join(members) + nl + indent + "}"
        if isinstance(value, list) and value:
            if self.inline_lists and all(not isinstance(v, (dict, list)) for v in value):
                return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
            items = [inner + self.json_value(v, inner) for v in value]
            return "[" + nl + ("," + nl).join(items) + nl + indent + "]"
        return json.dumps(value, ensure_ascii=False)

    # -- edits ------------------------------------------------------------------------------------

    def _in_flow(self, path: Path) -> bool:
        """Whether the value at ``path`` stands inside a YAML flow collection."""
        parent = self.doc.span(tuple(path)[:-1]) if path else None
        return parent is not None and self.text[parent[0]:parent[0] + 1] in ("{", "[")

    def _add(self, start: int, end: int, text: str) -> None:
        self.edits.append(Edit(start, end, text, len(self.edits)))

    def mark(self) -> tuple[int, dict[tuple, int]]:
        """Where the edits stand now, for :meth:`restore`."""
        return len(self.edits), {where: len(entries) for where, entries in self._pending.items()}

    def restore(self, mark: tuple[int, dict[tuple, int]]) -> None:
        """Drop the edits and gathered additions made since ``mark`` (several edits that only
        make sense together, one of which could not be made)."""
        count, pending = mark
        del self.edits[count:]
        for where in list(self._pending):
            if where in pending:
                del self._pending[where][pending[where]:]
            else:
                del self._pending[where]

    def replace(self, path: Path, value: Any) -> None:
        """Put ``value`` where the value at ``path`` stands."""
        start, end = self.span(path)
        if not self.is_json and re.match(r"(?:![^\s&]*\s+)?&", self.text[start:end]):
            raise Cannot(f"{'/'.join(map(str, path[1:]))} is a YAML anchor that other values "
                         "refer to: change it by hand")
        if self.is_json:  # a value written on one line stays on one line
            line = self.line_start(start)
            indent = re.match(r"[ \t]*", self.text[line:start]).group()
            multiline = "\n" in self.text[start:end] or "\r" in self.text[start:end]
            self._add(start, end,
                      self.json_value(value, indent) if multiline else self.inline(value))
        else:
            lines = self.yaml_lines(value)
            column = self.column(start)
            if self._in_flow(path):
                text = self.in_flow(value)
            elif len(lines) > 1 and not self.text[self.line_start(start):start].strip():
                # a block value on lines of its own stays one, indented where it stood
                text = (self.newline + " " * column).join(lines)
            else:
                text = self.inline(value)
            self._add(start, end, text)

    def insert_entries(self, path: Path, entries: list[tuple[str, Any]], after: str | None = None,
                       blank_line: bool = False) -> None:
        """Add ``entries`` (key, value) to the mapping at ``path``: in YAML after its last entry
        (or after ``after``'s); in JSON before its last member (or before the one that follows
        ``after``). A mapping that is empty, or missing from a mapping that exists (a resource
        without ``Properties``), is written whole by :meth:`finish`."""
        path = tuple(path)
        if not entries:
            return
        try:
            mapping = get(self.doc.data, path)
        except (KeyError, IndexError, TypeError):
            self._pend_missing(path, entries)
            return
        if not isinstance(mapping, dict):
            raise Cannot(f"{'/'.join(map(str, path)) or 'the template'} is not a mapping")
        if not mapping:
            self._pend(("empty", path), entries)
            return
        start, end = self.span(path)
        if self.is_json:
            self._insert_json_members(path, list(mapping), entries, after)
            return
        keys = list(mapping)
        if self.text[start] == "{":  # a YAML flow mapping: after the anchor entry
            anchor = after if after in keys else keys[-1]
            self._pend(("flow", self.key_offset((*path, anchor)), self.span((*path, anchor))[1]),
                       [f"{self.in_flow(k)}: {self.in_flow(v)}" for k, v in entries])
            return
        column = self.column(start)
        anchor = self.span((*path, after))[1] if after is not None else end
        at = self.line_end(anchor)
        if blank_line:  # entries separated as the file separates them
            lines = [line for key, value in entries for line in ["", *self.yaml_lines({key: value})]]
        else:
            lines = self.yaml_lines(dict(entries))
        self._insert_lines(at, column, lines)

    def append_items(self, path: Path, items: list[Any]) -> None:
        """Add ``items`` to the list at ``path``: in YAML after its last item, in JSON before it
        (an empty list is written whole by :meth:`finish`)."""
        path = tuple(path)
        listed = get(self.doc.data, path)
        if not isinstance(listed, list):
            raise Cannot(f"{'/'.join(map(str, path))} is not a list")
        if not listed:
            self._pend(("empty", path), [(None, item) for item in items])
            return
        start, end = self.span(path)
        if self.is_json:
            before, _ = self.span((*path, len(listed) - 1))
            self._insert_before(before, [(None, item) for item in items])
            return
        if self.text[start] == "[":  # a YAML flow sequence: after its last item
            first, last = self.span((*path, len(listed) - 1))
            self._pend(("flow", first, last), [self.in_flow(i) for i in items])
            return
        column = self.column(start)
        lines = self.yaml_lines(list(items))
        self._insert_lines(self.line_end(end), column, lines)

    def _insert_in_flow(self, anchor: int, end: int, texts: list[str]) -> None:
        """``texts`` (entries or items) into a YAML flow collection after the one that starts at
        ``anchor`` and ends at ``end``: on lines of their own, indented like it, when it stands on
        a line of its own (a flow collection written one entry a line); else on its line."""
        prefix = self.text[self.line_start(anchor):anchor]
        rest = _FLOW_REST.match(self.text, end)
        if prefix.strip() or rest is None or not rest.group(3):
            self._add(end, end, "".join(", " + text for text in texts))
            return
        nl = self.newline
        if rest.group(1):  # a comma follows: not the last entry; the new ones go on the next line
            self._add(rest.end(), rest.end(), "".join(prefix + t + "," + nl for t in texts))
        else:              # the last entry: a comma after it, the new ones below (a comment stays)
            self._add(end, end, ",")
            self._add(rest.end(), rest.end(), ("," + nl).join(prefix + t for t in texts) + nl)

    def _pend(self, where: tuple, entries: list) -> None:
        if where[0] == "empty" and self.doc.span(where[1]) is None:
            raise Cannot(f"{'/'.join(map(str, where[1]))} is not in the file where the loader "
                         "put it")
        self._pending.setdefault(where, []).extend(entries)

    def _pend_missing(self, path: tuple, entries: list[tuple[str | None, Any]]) -> None:
        """Entries for the mapping at ``path``, which is not in the file: it is added to its
        parent mapping, as a new key, when the pass ends."""
        try:
            parent = get(self.doc.data, path[:-1]) if path else None
        except (KeyError, IndexError, TypeError):
            parent = None
        if not path or not isinstance(parent, dict) or not isinstance(path[-1], str):
            raise Cannot(f"{'/'.join(map(str, path[:-1])) or 'the template'} is not a mapping")
        self._pend(("missing", path), entries)

    def finish(self) -> None:
        """Write what was gathered for empty and missing collections and after entries of flow
        collections. Called at the end of a pass, and again after more additions; a missing
        mapping added to a flow one is gathered there in turn, hence the loop."""
        while self._pending:
            pending, self._pending = self._pending, {}
            for (kind, *where), entries in pending.items():
                if kind == "flow":
                    self._insert_in_flow(*where, entries)
                    continue
                path = where[0]
                if isinstance(entries[0][0], str):
                    value: Any = {}
                    for key, item in entries:
                        if key in value:
                            raise Cannot(f"{key} would be added twice to "
                                         f"{'/'.join(map(str, path))}")
                        value[key] = item
                else:
                    value = [item for _, item in entries]
                if kind == "missing":
                    self.insert_entries(path[:-1], [(path[-1], value)])
                else:
                    self._fill_empty(path, value)

    def _fill_empty(self, path: tuple, value: Any) -> None:
        """Replace the empty ``{}`` or ``[]`` at ``path`` by ``value``: in JSON indented as the
        file is (on one line where the enclosing object is on one line); in YAML in block style
        on the lines below the key when the key is in block style and nothing but a comment
        follows on its line, else in flow style where it stands."""
        start, end = self.span(path)
        line = self.line_start(start)
        parent = self.doc.span(path[:-1])
        if self.is_json:  # one line where its parent is on one line (a one-line file…)
            if parent is None or not re.search("[\r\n]", self.text[parent[0]:parent[1]]):
                self._add(start, end, self.inline(value))
                return
            indent = re.match(r"[ \t]*", self.text[line:start]).group()
            self._add(start, end, self.json_value(value, indent))
            return
        before = re.search(r":([ \t]+)$", self.text[line:start])
        after = self.text[end:self.line_end(end)]
        block = (before is not None and isinstance(path[-1], str)
                 and re.fullmatch(r"[ \t]*(?:#.*)?\r?\n?", after) is not None
                 and parent is not None and self.text[parent[0]:parent[0] + 1] not in ("{", "["))
        if block:
            key_column = self.doc.position(path)[1] - 1
            self._add(start - len(before.group(1)), end, "")
            self._insert_lines(self.line_end(end), key_column + self.indent,
                               self.yaml_lines(value))
            return
        self._add(start, end, self.in_flow(value))

    def _insert_lines(self, at: int, column: int, lines: list[str]) -> None:
        nl = self.newline
        body = "".join(" " * column + line + nl if line else nl for line in lines)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            body = nl + body.rstrip("\r\n")
        self._add(at, at, body)

    def _insert_json_members(self, path: Path, keys: list[str], entries: list[tuple[str, Any]],
                             after: str | None) -> None:
        target = keys[-1]
        if after is not None and after in keys and keys.index(after) + 1 < len(keys):
            target = keys[keys.index(after) + 1]
        elif after is not None and after in keys:
            target = after  # the last member: the new ones go just before it
        self._insert_before(self.key_offset((*path, target)), list(entries))

    def _insert_before(self, index: int, entries: list[tuple[str | None, Any]]) -> None:
        """JSON members (key, value) or list items (None, value), each ending in a comma, before
        the member or item starting at ``index``: on lines of their own, indented like it, when
        it starts its line; else inline."""
        line = self.line_start(index)
        prefix = self.text[line:index]
        own_lines = prefix.strip() == ""

        def one(key: str | None, value: Any) -> str:
            text = self.json_value(value, prefix) if own_lines else self.inline(value)
            return text if key is None else f"{json.dumps(key, ensure_ascii=False)}: {text}"

        if own_lines:
            self._add(line, line, "".join(prefix + one(k, v) + "," + self.newline
                                          for k, v in entries))
        else:
            self._add(index, index, "".join(one(k, v) + ", " for k, v in entries))
