"""CloudWatch Logs JSON metric filter patterns, parsed into terms and compared by their terms.

Grammar (CloudWatch Logs "Filter pattern syntax for metric filters", JSON section; operator
precedence as that page gives it: parentheses, then ``&&``, then ``||``)::

    pattern    := '{' or_expr '}'
    or_expr    := and_expr ( '||' and_expr )*
    and_expr   := primary ( '&&' primary )*
    primary    := '(' or_expr ')' | condition
    condition  := SELECTOR ( ('=' | '!=') value
                           | ('<' | '>' | '<=' | '>=') NUMBER
                           | 'IS' ('NULL' | 'TRUE' | 'FALSE')
                           | 'NOT' 'EXISTS' )
    value      := QUOTED | REGEX | BARE
    SELECTOR   := '$' ( '.' NAME | '[' DIGITS ']' )*      NAME := [A-Za-z0-9_-]+
    QUOTED     := '"' ( any character but '"' and '\\' | '\\' any character )* '"'
    REGEX      := '%' ( any character but '%' )+ '%'
    BARE       := a run of characters other than white space and  ( ) { } " & | = ! < >
    NUMBER     := a BARE word of the form [+-]digits[.digits][(e|E)[+-]digits]

Keywords (``IS``, ``NULL``, ``NOT``, ``EXISTS``, ``TRUE``, ``FALSE``) are read without regard to
case. A bare word that has the form of a number is a number; every other bare word is a string
and means what the same text in double quotes means. In a string, ``*`` at the start or the end
is a wildcard (any text, also none); the page says a ``*`` inside (``Ev*ent``) matches only
itself, and so does this module.

Normal form: the tree with ``&&`` and ``||`` flattened (``a && (b && c)`` is one ``&&`` of three),
a connective of one operand replaced by that operand, duplicate operands dropped, operands sorted
by their canonical text; values carry no quoting (``DisableKey`` and ``"DisableKey"`` are the
same string), numbers are written in one form (``400``, ``400.0`` and ``4e2`` agree); spacing and
redundant parentheses leave no trace. :func:`render` writes that tree as canonical text, which
parses back to the same normal form.

Nothing here imports cfnlint.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Union

from .records import record

__all__ = [
    "And", "Compare", "Contradiction", "NotJsonPattern", "Or", "Pattern", "PatternError",
    "Test", "Value", "atoms", "contradictions", "diff", "equivalent", "is_json_pattern",
    "never_matches", "normal", "parse", "render",
]


# --------------------------------------------------------------------------------------- tree

@record(frozen=True)
class Value:
    """A comparison's right-hand side: ``kind`` is ``string``, ``number`` or ``regex``; ``text``
    is the string without quotes (escapes resolved), the number in canonical form, or the
    regular expression between its ``%`` signs."""

    kind: str
    text: str

    def render(self) -> str:
        if self.kind == "number":
            return self.text
        if self.kind == "regex":
            return f"%{self.text}%"
        escaped = self.text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'


@record(frozen=True)
class Compare:
    """A selector compared with a value (``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``)."""
    selector: str
    op: str
    value: Value


@record(frozen=True)
class Test:
    """``IS NULL``, ``NOT EXISTS``, ``IS TRUE``, ``IS FALSE`` (``test`` holds the words)."""

    selector: str
    test: str


@record(frozen=True)
class And:
    """A conjunction (``&&``) of its operands."""
    operands: tuple["Node", ...]


@record(frozen=True)
class Or:
    """A disjunction (``||``) of its operands."""
    operands: tuple["Node", ...]


Node = Union[Compare, Test, And, Or]


@record(frozen=True)
class Pattern:
    """A parsed JSON filter pattern: ``root`` as written (parentheses dropped, nesting kept)."""

    root: Node
    text: str


class PatternError(ValueError):
    """A pattern that cannot be parsed. ``line``/``column`` are 1-based positions in the text."""

    def __init__(self, message: str, text: str, index: int) -> None:
        self.message = message
        self.text = text
        self.index = max(0, min(index, len(text)))
        before = text[:self.index]
        self.line = before.count("\n") + 1
        self.column = self.index - (before.rfind("\n") + 1) + 1
        super().__init__(f"line {self.line}, column {self.column}: {message}")

    def pointer(self) -> str:
        """The line of the pattern with a caret under the column."""
        line_text = self.text.split("\n")[self.line - 1] if self.text else ""
        return f"{line_text}\n{' ' * (self.column - 1)}^"


class NotJsonPattern(PatternError):
    """The text is a filter pattern of another kind (terms, space-delimited ``[...]``, regex)."""


# ---------------------------------------------------------------------------------- tokenizer

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_BARE_STOP = set(' \t\r\n(){}"&|=!<>')
_BARE = re.compile(r'[^ \t\r\n(){}"&|=!<>]*')   # a bare value: up to the next of _BARE_STOP


@record(frozen=True)
class _Token:
    """A token of a filter pattern and where it starts."""
    kind: str      # { } ( ) && || OP SELECTOR QUOTED REGEX BARE END
    text: str
    index: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "{}()":
            tokens.append(_Token(c, c, i))
            i += 1
        elif text.startswith("&&", i) or text.startswith("||", i):
            tokens.append(_Token(text[i:i + 2], text[i:i + 2], i))
            i += 2
        elif c in "&|":
            raise PatternError(f"'{c}' alone: write '{c}{c}'", text, i)
        elif c in "=!<>":
            op = text[i:i + 2] if text[i:i + 2] in ("!=", "<=", ">=") else c
            if op == "!":
                raise PatternError("'!' must be followed by '=' ('!=')", text, i)
            if op == "=" and text.startswith("==", i):
                raise PatternError("'==' is not an operator here: write '='", text, i)
            tokens.append(_Token("OP", op, i))
            i += len(op)
        elif c == "$":
            j = i + 1
            while j < n and text[j] in ".[":
                if text[j] == ".":
                    m = _NAME.match(text, j + 1)
                    if not m:
                        raise PatternError("a property name must follow '.' in a selector",
                                           text, j + 1)
                    j = m.end()
                else:
                    m = re.compile(r"\[(\d+)\]").match(text, j)
                    if not m:
                        raise PatternError("an array index is written [NUMBER]", text, j)
                    j = m.end()
            if j == i + 1:
                raise PatternError("a selector starts with '$.' or '$['", text, i)
            if j < n and not text[j].isspace() and text[j] not in _BARE_STOP:
                raise PatternError(f"unexpected {text[j]!r} in a selector", text, j)
            tokens.append(_Token("SELECTOR", text[i:j], i))
            i = j
        elif c == '"':
            j = text.find('"', i + 1)
            if j > 0 and "\\" not in text[i + 1:j]:   # no escape: the text as it is
                tokens.append(_Token("QUOTED", text[i + 1:j], i))
                i = j + 1
                continue
            j, out = i + 1, []
            while True:
                if j >= n:
                    raise PatternError("the quoted string is not closed", text, i)
                if text[j] == "\\" and j + 1 < n:
                    out.append(text[j + 1])
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    out.append(text[j])
                    j += 1
            tokens.append(_Token("QUOTED", "".join(out), i))
            i = j + 1
        elif c == "%":
            j = text.find("%", i + 1)
            if j < 0:
                raise PatternError("the regular expression is not closed with '%'", text, i)
            if j == i + 1:
                raise PatternError("an empty regular expression", text, i)
            tokens.append(_Token("REGEX", text[i + 1:j], i))
            i = j + 1
        else:
            j = _BARE.match(text, i).end()
            tokens.append(_Token("BARE", text[i:j], i))
            i = j
    tokens.append(_Token("END", "", n))
    return tokens


# ------------------------------------------------------------------------------------- parser

def is_json_pattern(text: str) -> bool:
    """Whether ``text`` is meant as a JSON filter pattern (its first non-blank is ``{``)."""
    return text.strip().startswith("{")


def parse(text: str) -> Pattern:
    """Parse a JSON filter pattern. Raises :class:`PatternError` (with line and column) for a
    syntax error and :class:`NotJsonPattern` for a pattern of another kind; never anything else
    for a string argument."""
    if not isinstance(text, str):
        raise TypeError("a filter pattern is a string")
    stripped = text.lstrip()
    start = len(text) - len(stripped)
    if not stripped:
        raise NotJsonPattern("not a JSON filter pattern: the pattern is empty (it matches "
                             "every event)", text, 0)
    if stripped[0] != "{":
        kind = ("a space-delimited pattern" if stripped[0] == "[" else
                "a regular expression pattern" if stripped[0] == "%" else "a term pattern")
        raise NotJsonPattern(f"not a JSON filter pattern: {kind}; a JSON filter pattern is "
                             "enclosed in {{ }}".replace("{{ }}", "{ }"), text, start)
    parser = _Parser(text, _tokenize(text))
    return Pattern(parser.pattern(), text)


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, message: str, token: _Token | None = None) -> PatternError:
        token = token or self.peek()
        return PatternError(message, self.text, token.index)

    @staticmethod
    def describe(token: _Token) -> str:
        if token.kind == "END":
            return "the end of the pattern"
        if token.kind == "QUOTED":
            return "the string " + Value("string", token.text).render()
        return repr(token.text)

    def expect(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            raise self.fail(f"expected {what}, found {self.describe(token)}")
        return self.take()

    def pattern(self) -> Node:
        self.expect("{", "'{'")
        if self.peek().kind == "}":
            raise self.fail("the pattern between { } is empty")
        root = self.or_expr()
        token = self.peek()
        if token.kind != "}":
            if token.kind == "END":
                raise self.fail("the pattern is not closed with '}'")
            raise self.fail(f"expected '&&', '||' or '}}', found {self.describe(token)}")
        self.take()
        if self.peek().kind != "END":
            raise self.fail(f"unexpected {self.describe(self.peek())} after the closing '}}'")
        return root

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.peek().kind == "||":
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.primary()]
        while self.peek().kind == "&&":
            self.take()
            operands.append(self.primary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "(":
            self.take()
            self.depth += 1
            if self.depth > 100:
                raise self.fail("parentheses nested more than 100 deep", token)
            if self.peek().kind == ")":
                raise self.fail("empty parentheses")
            inner = self.or_expr()
            if self.peek().kind != ")":
                raise self.fail(f"expected ')' to close the '(' at column "
                                f"{PatternError('', self.text, token.index).column}, found "
                                f"{self.describe(self.peek())}")
            self.take()
            self.depth -= 1
            return inner
        if token.kind == "SELECTOR":
            return self.condition()
        raise self.fail(f"expected a condition ($.field ...) or '(', found "
                        f"{self.describe(token)}")

    def condition(self) -> Node:
        selector = self.take().text
        token = self.peek()
        if token.kind == "OP":
            self.take()
            value_token = self.peek()
            if value_token.kind not in ("QUOTED", "REGEX", "BARE"):
                raise self.fail(f"expected a value after '{token.text}', found "
                                f"{self.describe(value_token)}")
            self.take()
            value = _value(value_token)
            if token.text in ("<", ">", "<=", ">=") and value.kind != "number":
                raise self.fail(f"'{token.text}' compares numbers; {value_token.text!r} is not "
                                "a number", value_token)
            return Compare(selector, token.text, value)
        if token.kind == "BARE" and token.text.upper() in ("IS", "NOT"):
            first = self.take().text.upper()
            second = self.peek()
            wanted = ("NULL", "TRUE", "FALSE") if first == "IS" else ("EXISTS",)
            if second.kind != "BARE" or second.text.upper() not in wanted:
                raise self.fail(f"expected {' or '.join(wanted)} after {first}, found "
                                f"{self.describe(second)}")
            self.take()
            return Test(selector, f"{first} {second.text.upper()}")
        raise self.fail(f"expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS after "
                        f"{selector}, found {self.describe(token)}")


def _value(token: _Token) -> Value:
    if token.kind == "REGEX":
        return Value("regex", token.text)
    if token.kind == "BARE":
        if _NUMBER.match(token.text):
            return Value("number", _canonical_number(token.text))
    return Value("string", token.text)


def _canonical_number(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        return text
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


# ------------------------------------------------------------------------------ normal form

def _key(node: Node) -> str:
    return _render_node(node, top=True)


def _normal(node: Node) -> Node:
    if isinstance(node, (Compare, Test)):
        return node
    kind = type(node)
    flat: list[Node] = []
    for operand in node.operands:
        operand = _normal(operand)
        if isinstance(operand, kind):
            flat.extend(operand.operands)
        else:
            flat.append(operand)
    unique = {_key(operand): operand for operand in flat}
    operands = tuple(unique[k] for k in sorted(unique))
    return operands[0] if len(operands) == 1 else kind(operands)


def normal(pattern: Pattern | Node) -> Node:
    """The normal form (see the module's doc); equal normal forms mean equivalent patterns."""
    return _normal(pattern.root if isinstance(pattern, Pattern) else pattern)


def equivalent(a: Pattern | str, b: Pattern | str) -> bool:
    """Whether two patterns have the same terms (texts are parsed first)."""
    a = parse(a) if isinstance(a, str) else a
    b = parse(b) if isinstance(b, str) else b
    return normal(a) == normal(b)


def _render_node(node: Node, top: bool = False) -> str:
    if isinstance(node, Compare):
        text = f"{node.selector} {node.op} {node.value.render()}"
    elif isinstance(node, Test):
        text = f"{node.selector} {node.test}"
    else:
        joiner = " && " if isinstance(node, And) else " || "
        text = joiner.join(_render_node(operand) for operand in node.operands)
    return text if top else f"({text})"


def render(pattern: Pattern | Node) -> str:
    """Canonical text of the normal form: every term in parentheses, strings quoted."""
    return "{ " + _render_node(normal(pattern), top=True) + " }"


def term(node: Node) -> str:
    """One term as the messages show it: ``($.errorCode = "AccessDenied*")``."""
    return _render_node(node)


def atoms(pattern: Pattern | Node) -> list[Node]:
    """Every comparison and test in the pattern, in normal order."""
    node = normal(pattern)
    out: list[Node] = []

    def walk(n: Node) -> None:
        if isinstance(n, (And, Or)):
            for operand in n.operands:
                walk(operand)
        else:
            out.append(n)

    walk(node)
    return out


# ------------------------------------------------------------------------------------- diff

def _operands(node: Node, kind: type) -> list[Node]:
    return list(node.operands) if isinstance(node, kind) else [node]


def _connective(node: Node) -> type | None:
    return type(node) if isinstance(node, (And, Or)) else None


def _compare_pair(have: Node, want: Node) -> str | None:
    """A message for a written term that stands where a required term of the same selector
    belongs, or None when they are not comparable."""
    if not (isinstance(have, Compare) and isinstance(want, Compare)):
        if isinstance(have, (Compare, Test)) and isinstance(want, (Compare, Test)) \
                and have.selector == want.selector:
            return f"{term(have)} where {term(want)} is required"
        return None
    if have.selector != want.selector:
        return None
    if have.op != want.op:
        return (f"{term(have)} where {term(want)} is required (the operator differs: "
                f"'{have.op}' for '{want.op}')")
    h, w = have.value, want.value
    if h.kind == w.kind == "string":
        if w.text.strip("*") == h.text.strip("*") and w.text != h.text:
            return (f"{term(have)} where {term(want)} is required (the wildcard '*' differs: "
                    f"{h.text!r} matches {'only itself' if '*' not in h.text else 'other text'})")
        if h.text.replace(" ", "") == w.text.replace(" ", "") or \
                h.text.lower() == w.text.lower():
            return (f"{term(have)} where {term(want)} is required (the value differs in spaces "
                    "or case; filter patterns are case sensitive and match whole values)")
    return f"{term(have)} where {term(want)} is required (the value differs)"


def diff(actual: Pattern | str, expected: Pattern | str) -> list[str]:
    """What the actual pattern has that the expected one has not, and the reverse, in words.
    An empty list means the two are equivalent."""
    actual = parse(actual) if isinstance(actual, str) else actual
    expected = parse(expected) if isinstance(expected, str) else expected
    return _diff(normal(actual), normal(expected), "")


def _diff(have: Node, want: Node, where: str) -> list[str]:
    if have == want:
        return []
    messages: list[str] = []
    kind = _connective(want) or _connective(have) or Or
    have_kind = _connective(have)
    want_kind = _connective(want)
    if have_kind and want_kind and have_kind is not want_kind:
        messages.append(f"{where}terms are joined with {_word(have_kind)} where "
                        f"{_word(want_kind)} is required")
        have_ops = list(have.operands)
    else:
        have_ops = _operands(have, kind)
    want_ops = _operands(want, kind)
    have_keys = {_key(n): n for n in have_ops}
    want_keys = {_key(n): n for n in want_ops}
    missing = [want_keys[k] for k in sorted(want_keys) if k not in have_keys]
    extra = [have_keys[k] for k in sorted(have_keys) if k not in want_keys]

    # A required term that reappears inside a written conjunction is narrowed by it.
    for m in list(missing):
        for e in list(extra):
            if isinstance(e, And) and kind is Or and m in e.operands:
                rest = " && ".join(term(o) for o in e.operands if o != m)
                messages.append(f"{where}{term(m)} is joined with && to {rest} ('&&' binds "
                                "tighter than '||'), so it matches fewer events than required")
                missing.remove(m)
                extra.remove(e)
                break
    # A required compound term against the written term closest to it: say what differs inside.
    for m in [m for m in missing if isinstance(m, (And, Or))]:
        best, best_score = None, 0
        for e in extra:
            if isinstance(e, (And, Or)) and type(e) is not type(m):
                continue
            score = len({_key(a) for a in atoms(e)} & {_key(a) for a in atoms(m)})
            if score > best_score:
                best, best_score = e, score
        if best is not None:
            messages.extend(_diff(best, m, f"{where}within {term(m)}: "))
            missing.remove(m)
            extra.remove(best)
    # Pair terms of one selector: the closest value first.
    for rank in (0, 1, 2):
        for m in list(missing):
            for e in list(extra):
                if _pair_rank(e, m) == rank:
                    messages.append(where + _compare_pair(e, m))
                    missing.remove(m)
                    extra.remove(e)
                    break
    messages.extend(f"{where}missing {term(m)}" for m in missing)
    messages.extend(f"{where}extra {term(e)} (not in the required pattern)" for e in extra)
    if not messages:  # pragma: no cover - differing trees always leave a difference
        messages.append(f"{where}{render(have)} differs from {render(want)}")
    return messages


def _pair_rank(have: Node, want: Node) -> int | None:
    """How alike two terms are: 0 the same selector and value but for wildcards, spaces or
    case; 1 the same selector and operator; 2 the same selector; None unrelated."""
    if isinstance(have, (And, Or)) or isinstance(want, (And, Or)) or \
            have.selector != want.selector:
        return None
    if isinstance(have, Compare) and isinstance(want, Compare) and \
            have.value.kind == want.value.kind == "string":
        a, b = have.value.text, want.value.text
        if a.strip("*") == b.strip("*") or a.replace(" ", "") == b.replace(" ", "") or \
                a.lower() == b.lower():
            return 0
    if isinstance(have, Compare) and isinstance(want, Compare) and have.op == want.op:
        return 1
    return 2


def _word(kind: type) -> str:
    return "'&&'" if kind is And else "'||'"


# ------------------------------------------------------------------------ never-matching check

@record(frozen=True)
class Contradiction:
    """Two tests of one selector that a single event cannot (``proven``) or can only in a
    contrived way pass together, inside one ``&&``."""

    selector: str
    terms: tuple[str, str]
    proven: bool
    reason: str

    def __str__(self) -> str:
        return self.reason


@record(frozen=True)
class _Glob:
    """A string value split into its wildcards and the text between them."""
    lead: bool    # '*' at the start
    core: str
    trail: bool   # '*' at the end

    @staticmethod
    def of(text: str) -> "_Glob":
        lead = text.startswith("*")
        core = text[1:] if lead else text
        trail = core.endswith("*") and core != ""
        core = core[:-1] if trail else core
        return _Glob(lead, core, trail)

    @property
    def anything(self) -> bool:
        return self.core == "" and (self.lead or self.trail)

    def matches(self, s: str) -> bool:
        if self.anything:
            return True
        if self.lead and self.trail:
            return self.core in s
        if self.lead:
            return s.endswith(self.core)
        if self.trail:
            return s.startswith(self.core)
        return s == self.core

    def subset_of(self, other: "_Glob") -> bool:
        """Every string this glob matches, ``other`` matches."""
        if other.anything:
            return True
        if self.anything:
            return False
        if not other.lead and not other.trail:
            return not self.lead and not self.trail and self.core == other.core
        if other.lead and other.trail:
            return other.core in self.core
        if other.trail:
            return not self.lead and self.core.startswith(other.core)
        return not self.trail and self.core.endswith(other.core)

    def meets(self, other: "_Glob") -> bool:
        """Whether some string matches both."""
        if self.anything or other.anything:
            return True
        if not self.lead and not self.trail:
            return other.matches(self.core)
        if not other.lead and not other.trail:
            return self.matches(other.core)
        if self.lead and self.trail or other.lead and other.trail:
            return True
        if self.trail and other.trail:
            return self.core.startswith(other.core) or other.core.startswith(self.core)
        if self.lead and other.lead:
            return self.core.endswith(other.core) or other.core.endswith(self.core)
        return True  # a prefix and a suffix: their concatenation matches both


def _pair_conflict(a: Node, b: Node) -> Contradiction | None:
    if isinstance(a, Test) and isinstance(b, Compare):
        a, b = b, a
    ta, tb = term(a), term(b)
    selector = a.selector

    def proven(why: str) -> Contradiction:
        return Contradiction(selector, (ta, tb), True,
                             f"never matches: {ta} && {tb}: {why}")

    if isinstance(a, Test) and isinstance(b, Test):
        if a.test != b.test:
            return proven(f"{selector} cannot be both {a.test.lower()} and {b.test.lower()}")
        return None
    if isinstance(a, Compare) and isinstance(b, Test):
        if b.test == "NOT EXISTS" and a.op == "=":
            return proven(f"a value of {selector} that does not exist cannot equal anything")
        if b.test in ("IS NULL", "IS TRUE", "IS FALSE") and a.op == "=" and \
                a.value.kind in ("string", "number"):
            return proven(f"{selector} {b.test.lower()} is not the value {a.value.render()}")
        return None
    if not (isinstance(a, Compare) and isinstance(b, Compare)):
        return None
    va, vb = a.value, b.value
    if va.kind == "regex" or vb.kind == "regex" or va.kind != vb.kind:
        return None
    if va.kind == "number":
        return _number_conflict(a, b, proven)
    ga, gb = _Glob.of(va.text), _Glob.of(vb.text)
    if a.op == "=" and b.op == "=":
        if not ga.meets(gb):
            return proven(f"no value of {selector} matches both")
        if ga.subset_of(gb) or gb.subset_of(ga):
            return None
        witness = _witness(ga, gb)
        return Contradiction(
            selector, (ta, tb), False,
            f"matches only when one value of {selector} matches both {va.render()} and "
            f"{vb.render()} (such as {witness!r}); almost certainly never, though the pattern "
            "alone does not prove it (with '*' wildcards this check decides only what it can "
            "prove)")
    eq, ne = (a, b) if a.op == "=" and b.op == "!=" else (b, a) if b.op == "=" and \
        a.op == "!=" else (None, None)
    if eq is not None and _Glob.of(eq.value.text).subset_of(_Glob.of(ne.value.text)):
        return proven(f"every value that matches {eq.value.render()} is excluded by "
                      f"!= {ne.value.render()}")
    return None


def _witness(a: _Glob, b: _Glob) -> str:
    if a.trail and b.lead:
        return a.core + b.core
    if b.trail and a.lead:
        return b.core + a.core
    return a.core + b.core  # pragma: no cover - other overlapping shapes are subsets or exact


def _number_conflict(a: Compare, b: Compare, proven) -> Contradiction | None:
    x, y = Decimal(a.value.text), Decimal(b.value.text)
    lo, hi = Decimal("-Infinity"), Decimal("Infinity")
    lo_open = hi_open = False
    equal: list[Decimal] = []
    unequal: list[Decimal] = []
    for op, v in ((a.op, x), (b.op, y)):
        if op == "=":
            equal.append(v)
        elif op == "!=":
            unequal.append(v)
        elif op in (">", ">="):
            if v > lo or (v == lo and op == ">"):
                lo, lo_open = v, op == ">"
        elif op in ("<", "<="):
            if v < hi or (v == hi and op == "<"):
                hi, hi_open = v, op == "<"
    if len(equal) == 2 and equal[0] != equal[1]:
        return proven(f"{a.selector} cannot equal two different numbers")
    for v in equal:
        if v < lo or v > hi or (v == lo and lo_open) or (v == hi and hi_open) or v in unequal:
            return proven(f"{v} is outside what the other test allows")
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        return proven(f"no number of {a.selector} lies in that range")
    return None


def contradictions(pattern: Pattern | Node) -> list[Contradiction]:
    """Every pair of tests of one selector, inside one ``&&``, that cannot both hold (proven)
    or can only for a contrived value (not proven), anywhere in the pattern."""
    found: list[Contradiction] = []

    def walk(node: Node) -> None:
        if isinstance(node, (Compare, Test)):
            return
        if isinstance(node, And):
            leaves = [o for o in node.operands if isinstance(o, (Compare, Test))]
            for i, first in enumerate(leaves):
                for second in leaves[i + 1:]:
                    if first.selector == second.selector:
                        conflict = _pair_conflict(first, second)
                        if conflict:
                            found.append(conflict)
        for operand in node.operands:
            walk(operand)

    walk(normal(pattern))
    return found


def never_matches(pattern: Pattern | Node) -> str | None:
    """Why the pattern can never match an event, or None when it can.

    Proven cases (two ``=`` of one selector with values no string matches both, ``=`` against
    ``NOT EXISTS``, ``=`` against a ``!=`` that excludes every value it matches, empty number
    ranges) start with "never matches". With ``*`` wildcards, two ``=`` tests whose globs
    overlap only in a contrived value (``"*UnauthorizedOperation"`` and ``"AccessDenied*"``
    meet only in values that start with one and end with the other) are reported too, and the
    reason says that this is not proven; :func:`contradictions` tells the two apart."""
    return _never(normal(pattern))


def _never(node: Node) -> str | None:
    if isinstance(node, (Compare, Test)):
        return None
    if isinstance(node, And):
        local = sorted(_local(node), key=lambda c: not c.proven)
        if local:
            return local[0].reason
        for operand in node.operands:
            reason = _never(operand)
            if reason:
                return f"{reason} (inside {term(operand)})" if isinstance(operand, Or) \
                    else reason
        return None
    reasons = [_never(operand) for operand in node.operands]
    if all(reasons):
        return "never matches: no alternative of the '||' can match: " + "; ".join(reasons)
    return None


def _local(node: And) -> list[Contradiction]:
    leaves = [o for o in node.operands if isinstance(o, (Compare, Test))]
    out = []
    for i, first in enumerate(leaves):
        for second in leaves[i + 1:]:
            if first.selector == second.selector:
                conflict = _pair_conflict(first, second)
                if conflict:
                    out.append(conflict)
    return out
