"""Only some top-level sections of a template's text, for the scan's index (``stacks``).

The index needs an exporting template's ``Outputs`` and what their names are built from
(``Parameters``, ``Mappings``, ``Conditions``), not its ``Resources``, which are most of its
text. In a block-style YAML template a top-level key starts at column 0, and nothing else does
(a block scalar's lines, a nested mapping's keys are indented), so the wanted sections can be
cut out and parsed alone. Anything else — JSON (parsed whole: ``json`` is fast), flow style, a
cut that does not parse (an alias into another section) — returns None or fails, and the
caller parses the whole file.
"""

from __future__ import annotations

import re

_TOP_KEY = r"""(?:"([A-Za-z]+)"|'([A-Za-z]+)'|([A-Za-z]+))[ \t]*:(?=[ \t\r\n]|$)"""
_FIRST_KEY = re.compile(_TOP_KEY)
# a key at the start of any other line: searched for by its "\n", not with ^ in MULTILINE mode,
# where the matcher tries every position of the text (several times slower)
_LINE_KEY = re.compile("\n" + _TOP_KEY)
# A stack resource that may name a local template: a TemplateURL or Location whose value is
# a literal that is not a URL (http(s)://, s3://), or CDK's asset metadata naming the file.
_LOCAL_VALUE = re.compile(rb"""["']?[ \t]*:[ \t]*["']?(?!(?:https?|s3)://)[A-Za-z0-9._/]""")
_KEYS = (b"TemplateURL", b"Location")


def cut(text: str, wanted: frozenset[str]) -> str | None:
    """The ``wanted`` top-level sections of a block-style YAML template, in file order ("" when
    it has none of them); None when the text is not laid out so (JSON, flow style)."""
    parts = split(text)
    if parts is None:
        return None
    return "\n".join(part for name, part in parts if name in wanted)


def split(text: str) -> list[tuple[str, str]] | None:
    """A block-style YAML template's top-level sections, (name, text) in file order; None
    when the text is not laid out so (JSON, flow style)."""
    if text.lstrip()[:1] in ("{", "["):
        return None
    first = _FIRST_KEY.match(text)
    starts = [(0, _name(first))] if first else []
    starts.extend((m.start() + 1, _name(m)) for m in _LINE_KEY.finditer(text))
    if not starts:
        return None
    ends = [start for start, _name in starts[1:]] + [len(text)]
    return [(name, text[start:end]) for (start, name), end in zip(starts, ends)]


def _name(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2) or match.group(3)


def may_nest_locally(raw: bytes) -> bool:
    """Whether a template's bytes may hold a stack resource whose template is a local file."""
    if b"aws:asset:path" in raw:
        return True
    for key in _KEYS:   # each occurrence of the key, then its value: no scan of the whole text
        at = raw.find(key)
        while at >= 0:
            if _LOCAL_VALUE.match(raw, at + len(key)):
                return True
            at = raw.find(key, at + len(key))
    return False
