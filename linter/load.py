"""Reading templates: YAML and JSON into plain data, with the position of every key and value.

The data is plain dicts, lists and scalars with intrinsic functions in long form (``!Ref X`` is
``{"Ref": "X"}``, ``!GetAtt A.B`` is ``{"Fn::GetAtt": ["A", "B"]}``), so the rest of the engine
never sees a tag. Positions are looked up lazily by path (only findings and errors need them):
for YAML by walking the node tree libyaml composed, for JSON by re-scanning the text along the
path. Nothing in a template is ever constructed as a Python object beyond these plain types.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import re
from typing import Any, Sequence

import yaml

try:  # libyaml's C composer where present; the pure-Python one gives the same nodes.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .records import record


class _Composer(_Loader):  # type: ignore[misc, valid-type]
    """The loader that composes a template's node tree: the same, but the tag of a node is
    looked up once per (kind, value, implicit). The composer asks ``resolve`` for every node
    (PyYAML's implicit resolvers: a Python call and a regular expression or two per plain
    scalar), and a template repeats most of its scalars (``Type``, ``Properties``, ``Ref``...);
    the answer depends on nothing else, as no path resolver is added. Bounded: emptied when full."""

    _tags: dict[tuple, str] = {}
    _TAGS_KEPT = 1 << 16

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        key = (kind, value, implicit)
        tags = _Composer._tags
        tag = tags.get(key)
        if tag is None:
            if len(tags) >= _Composer._TAGS_KEPT:
                tags.clear()
            tag = tags[key] = super().resolve(kind, value, implicit)
        return tag

Path = Sequence[Any]

# Defaults for the input limits; the CLI and the config file may set others.
MAX_BYTES = 64 * 1024 * 1024  # file size
MAX_NODES = 2_000_000        # values built, aliases counted each time they are expanded
MAX_DEPTH = 200              # nesting of mappings and sequences (libyaml crashes near 30,000)


@record(frozen=True)
class Limits:
    """Input limits; each, when exceeded, is a located error (the gate fails closed)."""

    max_bytes: int = MAX_BYTES
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH

    def __post_init__(self) -> None:
        if self.max_depth > 10_000:  # libyaml's composer recurses per level: keep it safe
            raise ValueError("max_depth above 10000 would let libyaml overflow the stack")


DEFAULT_LIMITS = Limits()


class LoadError(Exception):
    """The file cannot be read as a template; ``line``/``column`` are 1-based (0 = unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0,
                 not_a_template: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        # True when the file is plainly something else (a multi-document Kubernetes manifest…):
        # callers skip it quietly, as they skip any file that is not a template.
        self.not_a_template = not_a_template

    def __str__(self) -> str:
        return self.message


# ``!Name`` becomes ``Fn::Name`` as cfn-lint reads it; ``!Rain::Embed`` (a preprocessor's own
# tags) is read the same way and left to the resolver to call unknown.
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:::[A-Za-z][A-Za-z0-9]*)*")

# Short-form tags whose long form is not "Fn::" + name.
_PLAIN_TAGS = {"Ref": "Ref", "Condition": "Condition"}

_YAML_SCALARS = {
    "tag:yaml.org,2002:null": lambda text: None,
    "tag:yaml.org,2002:bool": lambda text: text.lower() in ("true", "yes", "on", "y"),
}


def _yaml_int(text: str) -> Any:
    cleaned = text.replace("_", "")
    try:
        if cleaned.startswith(("0x", "-0x", "+0x")):
            return int(cleaned, 16)
        if cleaned.startswith(("0o", "-0o", "+0o")):
            return int(cleaned, 8)
        if cleaned.startswith(("0b", "-0b", "+0b")):
            return int(cleaned, 2)
        if len(cleaned.lstrip("+-")) > 1 and cleaned.lstrip("+-").startswith("0") or ":" in cleaned:
            # YAML 1.1 octal and sexagesimal forms: CloudFormation reads them as text.
            return text
        return int(cleaned)
    except ValueError:
        return text


def _yaml_float(text: str) -> Any:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return text


class Document:
    """A loaded template: its data and where each part of it stands in the file."""

    def __init__(self, filename: str, data: Any, text: str, root: Node | None,
                 skimmed: bool = False) -> None:
        self.filename = filename
        self.data = data
        self._text = text
        self._root = root          # YAML node tree, or None for JSON
        self._line_starts: list[int] | None = None
        self._key_index: dict[int, dict[str, tuple[Node, Node]]] = {}
        self._json_objects: dict[int, dict[str, tuple[int, int]]] = {}
        # Skimmed: the file cannot hold a trail, so only its syntax and shape were checked;
        # ``data`` is then ``{"Resources": {}}`` for a template, ``{}`` for anything else.
        self.skimmed = skimmed

    def position(self, path: Path) -> tuple[int, int]:
        """1-based (line, column) of the last key (or list item) of ``path``, as cfn-lint places
        it; when the path does not exist, the deepest part of it that does."""
        if self.skimmed:
            return 1, 1  # nothing in a skimmed file is ever reported by path
        if self._root is not None:
            return _yaml_position(self._root, path, self._key_index)
        index = _json_index(self._text, path, self._json_objects)
        return self._line_column(index)

    @property
    def text(self) -> str:
        """The text the document was read from (BOM dropped, line breaks as in the file)."""
        return self._text

    def span(self, path: Path) -> tuple[int, int] | None:
        """Where the *value* at ``path`` stands in :attr:`text`: ``(start, end)`` character
        offsets, end exclusive; None when the path does not exist (or the file was skimmed).

        A YAML value starts at its tag or anchor (``!Ref X``); a block mapping or sequence
        starts at its first key or ``-`` and ends where its last scalar ends (not at the next
        token, so trailing comments and blank lines are outside); a flow collection ends after
        its bracket. A JSON value spans its text exactly. ``!If [...]`` holds its arguments
        directly, so a path through it may name ``Fn::If`` or skip it."""
        if self.skimmed:
            return None
        if self._root is not None:
            return _yaml_span(self._root, path, self._text)
        return _json_span(self._text, path)

    def _line_column(self, index: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = _line_starts(self._text)
        return _line_column(self._line_starts, index)


# Line breaks as libyaml counts them (YAML 1.1: \r\n, \r, \n, NEL, LS, PS). cfn-lint reads JSON
# templates with its YAML loader, so JSON positions count the same breaks to give the same lines.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _line_column(line_starts: list[int], index: int) -> tuple[int, int]:
    """1-based (line, column) of the character at ``index``."""
    line = bisect.bisect_right(line_starts, index)
    return line, index - line_starts[line - 1] + 1


def is_template(data: Any) -> bool:
    """A CloudFormation template is a mapping with a ``Resources`` mapping."""
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)


def resources_of_type(data: Any, kind: str) -> list[str]:
    """The logical IDs of a template's resources of type ``kind``, in template order."""
    if not is_template(data):
        return []
    return [lid for lid, res in data["Resources"].items()
            if isinstance(res, dict) and res.get("Type") == kind]


TRAIL_TYPE = "AWS::CloudTrail::Trail"


def load_path(path: str, limits: Limits | None = None, skim: bool = False,
              wanted: tuple[str, ...] = (TRAIL_TYPE,)) -> Document:
    """Read a file. With ``skim``, a YAML file whose text cannot hold a resource of the
    ``wanted`` types (a trail; a metric filter too when the monitoring rules run) is only checked
    (syntax, shape, limits), not built: the gate's work on such a file ends there."""
    limits = limits or DEFAULT_LIMITS
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as err:
        raise LoadError(f"cannot read file: {err.strerror or err}") from None
    return load_read(raw, path, limits, skim, wanted)


def load_read(raw: bytes, path: str, limits: Limits | None = None, skim: bool = False,
              wanted: tuple[str, ...] = (TRAIL_TYPE,)) -> Document:
    """:func:`load_path` on the bytes already read from ``path`` (at most ``max_bytes + 1``)."""
    limits = limits or DEFAULT_LIMITS
    if len(raw) > limits.max_bytes:
        raise LoadError(f"file is larger than the limit of {limits.max_bytes} bytes "
                        "(--max-file-size)", 1, 1)
    return load_bytes(raw, path, limits, skim, wanted)


def decode(raw: bytes) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), or UTF-16/32 when a BOM says so."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise LoadError(f"not valid {encoding.replace('-sig', '').upper()} text "
                        f"(byte 0x{raw[err.start]:02x})", line, column) from None
    if "\x00" in text:
        raise LoadError("binary file (NUL character)",
                        *_line_column(_line_starts(text), text.index("\x00")))
    return text


def load_bytes(raw: bytes, filename: str, limits: Limits | None = None,
               skim: bool = False, wanted: tuple[str, ...] = (TRAIL_TYPE,)) -> Document:
    limits = limits or DEFAULT_LIMITS
    return load_text(decode(raw), filename, limits, skim, wanted)


def load_text(text: str, filename: str, limits: Limits | None = None,
              skim: bool = False, wanted: tuple[str, ...] = (TRAIL_TYPE,)) -> Document:
    limits = limits or DEFAULT_LIMITS
    if skim and not can_hold(text, wanted) and not text.lstrip()[:1] in ("{", "[", ""):
        skimmed = _skim_yaml(text, filename, limits)
        if skimmed is not None:
            return skimmed
    try:
        document = _parse(text, filename, limits)
    except LoadError as err:
        # Every template has a Resources section, so a file that cannot be parsed and never
        # says "Resources" (a tsconfig.json with comments…) is not a broken template.
        if text.strip() and "Resources" not in text and "AWSTemplateFormatVersion" not in text:
            err.not_a_template = True
        raise
    _check_template_shape(document)
    return document


def parse(text: str, filename: str, limits: Limits | None = None) -> Document:
    """Parse text as YAML or JSON, within the limits, with no check that it is a template (the
    scan's index parses a template's sections alone)."""
    return _parse(text, filename, limits or DEFAULT_LIMITS)


def _parse(text: str, filename: str, limits: Limits) -> Document:
    stripped = text.lstrip()
    if not stripped:
        raise LoadError("empty file", 1, 1)
    if stripped[0] in "{[":
        try:
            return _load_json(text, filename, limits)
        except LoadError as json_error:
            # Like CloudFormation, accept YAML flow style that is not strict JSON.
            try:
                return _load_yaml(text, filename, limits)
            except LoadError:
                raise json_error from None
    return _load_yaml(text, filename, limits)




def can_hold_a_trail(text: str) -> bool:
    return can_hold(text, (TRAIL_TYPE,))


def can_hold(text: str, types: tuple[str, ...]) -> bool:
    """Whether a file's text may declare a resource of one of ``types``. A resource's ``Type``
    is a scalar whose text must read, say, ``AWS::CloudTrail::Trail``; YAML can only spell it
    otherwise with a backslash escape (``\x6c``, an escaped line break) — folding would add a
    space. So a file with neither a type's text nor any backslash holds none (sound, and
    cheap)."""
    return "\\" in text or any(kind in text for kind in types)


def _skim_yaml(text: str, filename: str, limits: Limits) -> Document | None:
    """Check a YAML file that holds no trail from its parser events alone (no node tree, no
    values built): one document, no duplicate key, nesting within the limit, and whether it is
    a template. Anything unusual (a syntax error, several documents, an alias, an unusual tag,
    a complex key, a Resources that is not a mapping) returns None, and the full loader gives
    its exact verdict."""
    # One entry per open collection: a mapping's [keys seen, expecting a key?], or None.
    stack: list[list | None] = []
    documents = 0
    top_keys: dict[str, str] = {}
    try:
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            tag = getattr(event, "tag", None)
            if tag is not None and not tag.startswith("!") and tag not in _PLAIN_YAML_TAGS:
                return None
            if kind is yaml.ScalarEvent:
                if not stack:
                    return Document(filename, None, text, None, skimmed=True)  # a scalar
                top = stack[-1]
                if top is not None:
                    if top[1]:
                        if event.value in top[0]:
                            return None  # a duplicate key: the full loader locates it
                        top[0].add(event.value)
                        if len(stack) == 1:
                            top_keys[event.value] = ""
                        top[2] = event.value
                    elif len(stack) == 1:
                        top_keys[top[2]] = "scalar"
                    top[1] = not top[1]
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if not stack and kind is yaml.SequenceStartEvent:
                    return Document(filename, [], text, None, skimmed=True)  # a list
                if stack and stack[-1] is not None:
                    if stack[-1][1]:
                        return None  # a complex key
                    if len(stack) == 1:
                        top_keys[stack[-1][2]] = "map" if kind is yaml.MappingStartEvent else "seq"
                stack.append([set(), True, None] if kind is yaml.MappingStartEvent else None)
                if len(stack) > limits.max_depth:
                    raise LoadError(f"nesting deeper than {limits.max_depth} levels (--max-depth)",
                                    *_mark(event))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                if stack and stack[-1] is not None:
                    stack[-1][1] = True  # the value is complete: a key comes next
            elif kind is yaml.AliasEvent:
                return None  # the full loader sizes alias expansion and finds recursion
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return None
    except yaml.YAMLError:
        return None
    if documents == 0:
        return None
    if "Resources" in top_keys:
        if top_keys["Resources"] != "map":
            return None
        return Document(filename, {"Resources": {}}, text, None, skimmed=True)
    if "AWSTemplateFormatVersion" in top_keys:
        return None
    return Document(filename, {}, text, None, skimmed=True)


_PLAIN_YAML_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                              "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                              "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
                              "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
                              "tag:yaml.org,2002:binary"})


_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+|Fn::ForEach::[A-Za-z0-9]+")  # and LanguageExtensions loops


def _check_template_shape(document: Document) -> None:
    """A file that says it is a template (``AWSTemplateFormatVersion`` or ``Resources``) but
    whose ``Resources`` is not a mapping is a broken template, not another kind of file; so is
    a resource whose logical ID is not alphanumeric (CloudFormation rejects it, and findings
    name their trail by it)."""
    data = document.data
    if not isinstance(data, dict):
        return
    if is_template(data):
        for logical_id in data["Resources"]:
            if not _LOGICAL_ID.fullmatch(logical_id):
                raise LoadError(f"logical ID {logical_id!r} is not alphanumeric (CloudFormation "
                                "rejects it)", *document.position(["Resources", logical_id]))
        return
    if "Resources" in data:
        kind = "null" if data["Resources"] is None else type(data["Resources"]).__name__
        raise LoadError(f"Resources must be a mapping of resources, not {kind}",
                        *document.position(["Resources"]))
    if "AWSTemplateFormatVersion" in data:
        raise LoadError("the template has no Resources section (CloudFormation requires one)",
                        *document.position(["AWSTemplateFormatVersion"]))


# --- JSON ------------------------------------------------------------------------------------

class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _load_json(text: str, filename: str, limits: Limits) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_pairs_to_dict)
    except json.JSONDecodeError as err:
        # err.lineno counts only \n; count line breaks as everywhere else.
        raise LoadError(f"invalid JSON: {err.msg}", *_line_column(_line_starts(text), err.pos)) \
            from None
    except _DuplicateKey as dup:
        line, column = _json_duplicate_position(text, dup.key)
        raise LoadError(f"duplicate key {dup.key!r} (CloudFormation rejects it)", line, column) from None
    except RecursionError:
        raise LoadError(f"nesting deeper than Python can read", 1, 1) from None
    # Fewer brackets than the limit cannot nest deeper than it (most templates); else scan.
    if text.count("[") + text.count("{") > limits.max_depth \
            and _json_depth(text) > limits.max_depth:
        too_deep = _json_too_deep_at(text, limits.max_depth)
        if too_deep is not None:
            raise LoadError(f"nesting deeper than {limits.max_depth} levels (--max-depth)",
                            *_line_column(_line_starts(text), too_deep))
    return Document(filename, data, text, None)


# A string, in the "unrolled" form of "(?:[^"\\]|\\.)*": the same matches, but the runs of plain
# characters are one step of the matcher each, not one alternation per character (twice as fast).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth(text: str) -> int:
    """The nesting depth of a valid JSON text, by C-speed passes (strings dropped, then the
    running sum of the brackets left)."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


_JSON_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_too_deep_at(text: str, max_depth: int) -> int | None:
    """Where a valid JSON text first opens a level deeper than ``max_depth``, or None."""
    return _bracket_depth(_JSON_STRING_OR_BRACKET, text, max_depth)[1]


def _bracket_depth(tokens: re.Pattern[str], text: str,
                   limit: float = float("inf")) -> tuple[int, int | None]:
    """The deepest nesting of the brackets among ``tokens`` (which also match strings, and
    comments, so that brackets inside them do not count), and the index of the first bracket
    that goes deeper than ``limit`` (the walk stops there), or None."""
    depth = deepest = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > limit:
                    return deepest, match.start()
        elif token in "]}":
            depth = max(depth - 1, 0)   # a stray closer (broken YAML) does not go below zero
    return deepest, None


_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def _json_index(text: str, path: Path,
                objects: dict[int, dict[str, tuple[int, int]]] | None = None) -> int:
    """Index in ``text`` of the last key of ``path`` (the opening quote), found by scanning.
    Each object scanned is indexed in ``objects`` (key → positions), so placing many findings
    in a large template scans each object once."""
    objects = {} if objects is None else objects
    index = _WS.match(text, 0).end()
    found = index
    for step in path:
        if index >= len(text):
            break
        char = text[index]
        if char == "{" and isinstance(step, str):
            keys = objects.get(index)
            if keys is None:
                keys = objects[index] = _json_object_keys(text, index)
            located = keys.get(step)
            if located is None:
                break
            found, index = located
        elif char == "[" and isinstance(step, int):
            located = _json_find_item(text, index, step)
            if located is None:
                break
            found = index = located
        else:
            break
    return found


def _json_object_keys(text: str, index: int) -> dict[str, tuple[int, int]]:
    """The object at ``index``: key → (index of the key's quote, index of its value)."""
    keys: dict[str, tuple[int, int]] = {}
    index = _WS.match(text, index + 1).end()
    while index < len(text) and text[index] == '"':
        name, after = json.decoder.scanstring(text, index + 1)
        colon = _WS.match(text, after).end()
        value_at = _WS.match(text, colon + 1).end()
        keys.setdefault(name, (index, value_at))
        _, end = _DECODER.raw_decode(text, value_at)
        index = _WS.match(text, end).end()
        if index < len(text) and text[index] == ",":
            index = _WS.match(text, index + 1).end()
    return keys


def _json_find_item(text: str, index: int, wanted: int) -> int | None:
    index = _WS.match(text, index + 1).end()
    position = 0
    while index < len(text) and text[index] != "]":
        if position == wanted:
            return index
        _, end = _DECODER.raw_decode(text, index)
        index = _WS.match(text, end).end()
        if index < len(text) and text[index] == ",":
            index = _WS.match(text, index + 1).end()
        position += 1
    return None


def _json_duplicate_position(text: str, key: str) -> tuple[int, int]:
    """Where a duplicated key occurs for the second time (a plain text search is enough here)."""
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    at = second if second >= 0 else max(first, 0)
    return _line_column(_line_starts(text), at)


# --- YAML ------------------------------------------------------------------------------------

def _mark(node: Any) -> tuple[int, int]:
    """1-based line and column of a node's (or an event's) start."""
    return node.start_mark.line + 1, node.start_mark.column + 1


# Block nesting is bounded by a line's indentation and its "- " markers; flow nesting by the
# brackets outside quotes and comments. Both are cheap to bound from the text.
_FLOW = re.compile(r"""'[^']*'|"[^"\\]*(?:\\.[^"\\]*)*"|(?:^|(?<=\s))#[^\n]*|[\[\]{}]""", re.M)


def _flow_bound(text: str) -> int:
    """An upper bound of the flow nesting: brackets outside quotes and comments, counted."""
    return _bracket_depth(_FLOW, text)[0]


def _surely_within(text: str, max_depth: int) -> bool:
    """True when the nesting depth is certainly at most ``max_depth`` (over-estimates are
    checked exactly). The depth is at most the block bound (the longest run of indentation
    and "- " markers starting a line) plus the flow bound plus one; both are found with C-speed
    scans, the exact bracket count only when the raw count is too high."""
    flow = text.count("[") + text.count("{")
    if flow + 1 > max_depth:
        flow = _flow_bound(text)
    room = max_depth - flow - 1            # the longest leading run allowed
    if room < 0:
        return False
    # Looking for a shorter run than needed may only send a file to the exact check; a power
    # of two keeps the compiled patterns few.
    first, other = _leading_run(1 << (room + 1).bit_length() - 1)
    return first.match(text) is None and other.search(text) is None


@functools.lru_cache(maxsize=None)   # one per power of two up to the depth limit
def _leading_run(n: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A line starting with at least ``n`` of space, tab or "-": the first line (match), and
    any other (search). ``^`` in MULTILINE mode would be the same in one pattern, but the
    matcher then tries every position of the text; a pattern that starts with ``\n`` is
    searched for by that character (six times faster on the corpus)."""
    return re.compile(r"[ \t-]{%d}" % n), re.compile(r"\n[ \t-]{%d}" % n)


def _check_nesting(text: str, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth`` *before* libyaml composes the tree: its C
    composer recurses once per level and overflows the stack (a crash, not an exception) on
    tens of thousands of levels. Events come from a loop, not recursion, so they are safe."""
    if _surely_within(text, max_depth):
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise LoadError(f"nesting deeper than {max_depth} levels (--max-depth)",
                                    *_mark(event))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as err:
        if "nesting depth" in str(err):  # newer libyaml stops deep nests itself: same message
            mark = getattr(err, "problem_mark", None)
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise LoadError(f"nesting deeper than {max_depth} levels (--max-depth)", *where) from None
        return  # the syntax error itself is reported by the composer, with its location


def _load_yaml(text: str, filename: str, limits: Limits) -> Document:
    _check_nesting(text, limits.max_depth)
    loader = _Composer(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = err.problem or err.context or "invalid YAML"
        if "expected a single document" in str(err):
            problem = "more than one YAML document in the file (a template is one document)"
            raise LoadError(f"invalid YAML: {problem}", *where,
                            not_a_template=not _any_document_is_template(text)) from None
        raise LoadError(f"invalid YAML: {problem}", *where) from None
    except yaml.YAMLError as err:
        raise LoadError(f"invalid YAML: {err}", 1, 1) from None
    except RecursionError:
        raise LoadError("nesting deeper than the YAML reader can follow", 1, 1) from None
    finally:
        loader.dispose()
    if root is None:
        raise LoadError("empty file (no YAML document)", 1, 1)
    # anchors exist ("&&" in a metric filter pattern too): aliases may multiply the tree
    if "&" in text and not _plain_tree_within(root, limits.max_nodes):
        _check_expansion(root, limits.max_nodes)
    data = _Builder(limits.max_nodes, limits.max_depth).build(root)
    return Document(filename, data, text, root)


def _plain_tree_within(root: Node, max_nodes: int) -> bool:
    """True when no mapping or sequence node is reached twice (no alias to one) and the tree
    has at most ``max_nodes`` nodes: then :func:`_check_expansion` cannot refuse it (every node
    counted once is its size; the root's is the largest). Five times faster than that check,
    which runs when this is False (an alias to a collection, or too many nodes)."""
    if isinstance(root, ScalarNode):
        return True
    seen: set[int] = set()
    stack: list[Node] = [root]
    count = 1
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return False
        seen.add(id(node))
        if isinstance(node, MappingNode):
            count += 2 * len(node.value)
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    stack.append(key)
                if not isinstance(value, ScalarNode):
                    stack.append(value)
        else:
            count += len(node.value)
            stack.extend([item for item in node.value if not isinstance(item, ScalarNode)])
    return count <= max_nodes


def _check_expansion(root: Node, max_nodes: int) -> None:
    """Refuse a tree whose aliases expand past ``max_nodes`` values, counting each shared node
    once (sizes memoised by identity): an alias bomb stops in milliseconds, before anything is
    built."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()   # being sized: meeting one again means it contains itself
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[id(node)] = 1
            continue
        children = [v for pair in node.value for v in pair] if isinstance(node, MappingNode) \
            else list(node.value)
        if not children_done:
            if id(node) in open_nodes:
                raise LoadError("an alias refers to a node that contains it (a recursive "
                                "structure)", *_mark(node))
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(id(node))
        size = 1 + sum(sizes.get(id(child), 0) for child in children)
        if size > max_nodes:
            raise LoadError(f"more than {max_nodes} values after expanding aliases "
                            "(an alias bomb?) (--max-nodes)", *_mark(node))
        sizes[id(node)] = size


def _any_document_is_template(text: str) -> bool:
    """Whether some document of a multi-document stream looks like a template (then the
    file is a broken template, not another kind of file)."""
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if isinstance(node, MappingNode) and any(
                    isinstance(k, ScalarNode) and k.value == "Resources" and isinstance(v, MappingNode)
                    for k, v in node.value):
                return True
    except yaml.YAMLError:
        return True  # unreadable as well: report it
    return False


class _Builder:
    """Node tree → plain data. Counts nodes (aliases each time they are expanded) and depth,
    so an alias bomb or a deep nest stops with a located error instead of eating memory."""

    def __init__(self, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> None:
        self.budget = max_nodes
        self.max_nodes = max_nodes
        self.max_depth = max_depth

    def build(self, node: Node, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise LoadError(f"more than {self.max_nodes} values after expanding aliases "
                            "(an alias bomb?)", *_mark(node))
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag.startswith("!"):
                return self._short_form(node, depth)
            if tag == "tag:yaml.org,2002:str":
                return node.value
            if tag == "tag:yaml.org,2002:int":
                return _yaml_int(node.value)
            if tag == "tag:yaml.org,2002:float":
                return _yaml_float(node.value)
            convert = _YAML_SCALARS.get(tag)
            if convert is not None:
                return convert(node.value)
            if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
                return node.value  # CloudFormation reads dates as text
            raise LoadError(f"unsupported YAML tag {tag}", *_mark(node))
        if depth >= self.max_depth:
            raise LoadError(f"nesting deeper than {self.max_depth} levels", *_mark(node))
        if tag.startswith("!"):
            return self._short_form(node, depth)
        if isinstance(node, MappingNode):
            if tag != "tag:yaml.org,2002:map":
                raise LoadError(f"unsupported YAML tag {tag}", *_mark(node))
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag.startswith("!"):
                    raise LoadError("a mapping key must be a plain scalar", *_mark(key_node))
                key = key_node.value
                if key in result:
                    raise LoadError(f"duplicate key {key!r} (CloudFormation rejects it)",
                                    *_mark(key_node))
                result[key] = self.build(value_node, depth + 1)
            return result
        if isinstance(node, SequenceNode):
            if tag != "tag:yaml.org,2002:seq":
                raise LoadError(f"unsupported YAML tag {tag}", *_mark(node))
            return [self.build(item, depth + 1) for item in node.value]
        raise LoadError(f"unsupported YAML node {tag}", *_mark(node))  # pragma: no cover

    def _short_form(self, node: Node, depth: int) -> dict[str, Any]:
        name = node.tag[1:]
        if not name or not _TAG_NAME.fullmatch(name):
            raise LoadError(f"unknown tag {node.tag}", *_mark(node))
        key = _PLAIN_TAGS.get(name, "Fn::" + name)
        if isinstance(node, ScalarNode):
            value: Any = node.value
            if key == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, SequenceNode):
            value = [self.build(item, depth + 1) for item in node.value]
        else:
            # Build the mapping with a plain map tag so the checks above apply to it.
            plain = MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)
            value = self.build(plain, depth)
        return {key: value}


def _yaml_position(root: Node, path: Path, index: dict[int, dict[str, tuple[Node, Node]]]
                   ) -> tuple[int, int]:
    """Walk ``path`` down the node tree; each mapping's keys are indexed on first use (in
    ``index``), so placing many findings in a large template stays linear."""
    node: Node = root
    found = _mark(root)
    for step in path:
        if node.tag.startswith("!") and step == _PLAIN_TAGS.get(node.tag[1:], "Fn::" + node.tag[1:]):
            continue  # ``!If [...]`` holds its arguments directly: the long-form key has no node
        if isinstance(node, MappingNode):
            keys = index.get(id(node))
            if keys is None:
                keys = index[id(node)] = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode):
                        keys.setdefault(key_node.value, (key_node, value_node))
            pair = keys.get(str(step))
            if pair is None:
                break
            found = _mark(pair[0])
            node = pair[1]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            found = _mark(node)
        else:
            break
    return found


def _yaml_node(root: Node, path: Path) -> Node | None:
    """The node at ``path`` exactly (None when some step is missing)."""
    node: Node = root
    for step in path:
        if node.tag.startswith("!") and step == _PLAIN_TAGS.get(node.tag[1:], "Fn::" + node.tag[1:]):
            continue
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(step):
                    node = value_node
                    break
            else:
                return None
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node


def _yaml_span(root: Node, path: Path, text: str) -> tuple[int, int] | None:
    node = _yaml_node(root, path)
    if node is None:
        return None
    start = node.start_mark.index
    last: Node = node
    while isinstance(last, (MappingNode, SequenceNode)) and not last.flow_style and last.value:
        child = last.value[-1]
        last = child[1] if isinstance(last, MappingNode) else child
    end = last.end_mark.index
    if isinstance(last, ScalarNode) and last.style in ("|", ">"):
        while end > start and text[end - 1] in " \t\r\n":  # past its trailing line breaks
            end -= 1
    return start, max(end, start)


def _json_span(text: str, path: Path) -> tuple[int, int] | None:
    index = _WS.match(text, 0).end()
    for step in path:
        char = text[index] if index < len(text) else ""
        if char == "{" and isinstance(step, str):
            located = _json_object_keys(text, index).get(step)
            if located is None:
                return None
            index = located[1]
        elif char == "[" and isinstance(step, int):
            item = _json_find_item(text, index, step)
            if item is None:
                return None
            index = item
        else:
            return None
    try:
        _, end = _DECODER.raw_decode(text, index)
    except ValueError:
        return None
    return index, end
