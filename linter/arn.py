"""ARN parsing and three-valued matching of symbolic ARNs against IAM patterns.

Values here are already resolved (see :mod:`cfn_trailwatch.values.model`): a literal string, an
atom, or a :class:`Text` that glues literal pieces and atoms. An atom's text is not known before
deployment, so a match can be undecidable: every match answers YES, NO or MAYBE, never a guess.

Two kinds of atom behave differently:

* *definite* atoms (``ResourceRef``, ``ResourceAttr``, ``Pseudo``, ``GeneratedName``) stand for one non-empty string
  without wildcards, fixed at deployment: equal atoms have equal text, and some pairs provably
  differ (two resources' physical IDs; an account ID and a region);
* *open* atoms (``Parameter``, ``Import``, ``Unknown``, ``NoValue``) may be any string at all,
  empty or ``*`` included.

Working assumption (stated once, relied on by :func:`match_pattern`): the physical ID or an
identifier attribute of one resource never contains another resource's physical ID or identifier
attribute. It holds for the names and ARNs this linter compares (log groups, roles, streams).
"""

from __future__ import annotations

import enum
import functools
import re
from typing import Any, Iterable

from .records import record
from .values.model import (Atom, GeneratedName, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef,
                           Text, Unknown, concat, scalar_text)

__all__ = [
    "Match", "and_", "or_", "not_",
    "Arn", "parse_arn", "match_pattern", "match_action", "match_action3", "equals3",
    "log_stream_arns", "log_stream_name", "log_group_arn_fields", "LogGroupArn",
    "role_arn_fields", "RoleArn", "iam_resource_type", "ORGANIZATION_ID", "MEMBER_ACCOUNT",
    "Shaped", "shape", "organization_stream_name",
]


# --------------------------------------------------------------------------------------------
# Three-valued logic
# --------------------------------------------------------------------------------------------

class Match(enum.Enum):
    """The answer to "does it match?" when some text is only known at deployment.

    Ordered NO < MAYBE < YES, so Kleene AND is the minimum and OR the maximum. A member has no
    truth value on purpose: ``if match_pattern(...)`` would be true for NO as well, so it raises;
    compare with ``is Match.YES`` instead."""

    NO = 0
    MAYBE = 1
    YES = 2

    def __bool__(self) -> bool:
        raise TypeError("Match is three-valued: compare with Match.YES, Match.NO or Match.MAYBE")

    @classmethod
    def of(cls, value: bool) -> "Match":
        return cls.YES if value else cls.NO


def _flatten(matches: tuple) -> list[Match]:
    if len(matches) == 1 and not isinstance(matches[0], Match):
        return list(matches[0])  # a single iterable argument
    return list(matches)


def and_(*matches: Match | Iterable[Match]) -> Match:
    """Kleene AND: NO if any is NO, else MAYBE if any is MAYBE, else YES (YES when empty)."""
    items = _flatten(matches)
    return Match(min((m.value for m in items), default=Match.YES.value))


def or_(*matches: Match | Iterable[Match]) -> Match:
    """Kleene OR: YES if any is YES, else MAYBE if any is MAYBE, else NO (NO when empty)."""
    items = _flatten(matches)
    return Match(max((m.value for m in items), default=Match.NO.value))


def not_(match: Match) -> Match:
    """Kleene NOT: swaps YES and NO, keeps MAYBE."""
    return Match(2 - match.value)


# --------------------------------------------------------------------------------------------
# Atoms: what can be said about their text
# --------------------------------------------------------------------------------------------

ORGANIZATION_ID = concat(["o-", Pseudo("organization-id")])
"""The AWS Organizations ID of the account (``o-`` and ten to thirty-two lower-case letters or
digits; the pseudo is the part after ``o-``), for organization trails' stream names."""

MEMBER_ACCOUNT = Pseudo("member-account-id")
"""The account of the organization whose events an organization trail's stream holds."""


@record(frozen=True, slots=True)
class Shaped(Atom):
    """An open atom (a parameter, an import, an unknown) standing in a field of a resource's ARN
    whose grammar restricts what it can be: a log group's name has no ``:`` and no ``*``, an
    account ID only digits. ``whole``: the atom is the entire field, so it is not empty. The
    matcher reads it as one fixed string of that grammar, and the same atom unwrapped on the other
    side (a policy naming the same parameter) as the same string: equal atoms have equal text."""

    atom: Atom
    grammar: str
    whole: bool = True

    def describe(self) -> str:
        return self.atom.describe()

# Pseudo parameters whose values never contain ':' (so they never hide an ARN field separator).
_COLON_FREE_PSEUDOS = frozenset({
    "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName",
    "organization-id", "member-account-id",
})

# Pseudo parameters whose value sets are pairwise disjoint (account ID: 12 digits; region
# "us-east-1"; partition "aws"; URL suffix with dots; organization ID "o-…"; stack ID an ARN).
_DISJOINT_PSEUDOS = frozenset({
    "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix", "organization-id",
    "AWS::StackId",
})
# A stack name starts with a letter and has no dots or colons, so it can only be confused
# with a region, a partition or an organization ID.
_STACK_NAME_DISJOINT = frozenset({"AWS::AccountId", "AWS::URLSuffix", "AWS::StackId"})

# GetAtt attributes that identify their resource (so two resources never share them).
_IDENTIFIER_ATTRIBUTE = re.compile(r"(Arn|Name|Id)$")


def _is_definite(atom: Any) -> bool:
    return isinstance(atom, (ResourceRef, ResourceAttr, Pseudo, GeneratedName, Shaped))


def _may_be_empty(atom: Any) -> bool:
    """A definite atom that may still stand for no text at all (a shaped part of a field)."""
    return isinstance(atom, Shaped) and not atom.whole


def _identifies_resource(atom: Any) -> bool:
    if isinstance(atom, (ResourceRef, GeneratedName)):
        return True
    return isinstance(atom, ResourceAttr) and bool(_IDENTIFIER_ATTRIBUTE.search(atom.attribute))


def _atoms_differ(a: Any, b: Any) -> bool:
    """True when two unequal definite atoms can never have the same text."""
    if _identifies_resource(a) and _identifies_resource(b):
        return a.logical_id != b.logical_id
    if isinstance(a, Pseudo) and isinstance(b, Pseudo):
        if a.name in _DISJOINT_PSEUDOS and b.name in _DISJOINT_PSEUDOS:
            return a.name != b.name
        if a.name == "AWS::StackName":
            return b.name in _STACK_NAME_DISJOINT
        if b.name == "AWS::StackName":
            return a.name in _STACK_NAME_DISJOINT
    return False


def _may_contain_colon(atom: Any) -> bool:
    if isinstance(atom, Shaped):
        return ":" in _GRAMMAR_CHARS[atom.grammar]
    return not (isinstance(atom, Pseudo) and atom.name in _COLON_FREE_PSEUDOS)


# --------------------------------------------------------------------------------------------
# Token sequences and the matching dynamic program
# --------------------------------------------------------------------------------------------

_NO, _MAYBE, _YES = 0, 1, 2


def _parts(value: Any) -> list | None:
    """A value as literal pieces and atoms; None for values that are not text at all."""
    if isinstance(value, Text):
        return list(value.parts)
    if isinstance(value, (str, Atom)):
        return [value]
    if isinstance(value, (bool, int, float)):
        return [scalar_text(value)]
    return None


def _tokens(value: Any, fold: bool = False) -> list | None:
    """Single characters for literal text, atoms kept whole; lower-cased when ``fold``."""
    parts = _parts(value)
    if parts is None:
        return None
    out: list = []
    for part in parts:
        if isinstance(part, str):
            out.extend(part.lower() if fold else part)
        else:
            out.append(part)
    return out


def _glob_literal(pattern: str, target: str, opaque_from: int | None = None) -> bool:
    """Classic ``*``/``?`` glob on plain strings, linear in practice and O(n*m) at worst
    (it only ever backtracks to the last ``*``, never exponentially). With ``opaque_from``,
    ``?`` does not match a character at or above that code point (a placeholder for an atom,
    which may stand for more than one character)."""
    p = t = 0
    star = -1
    mark = 0
    while t < len(target):
        if p < len(pattern) and pattern[p] == "*":
            star = p
            mark = t
            p += 1
        elif p < len(pattern) and (pattern[p] == target[t] or (
                pattern[p] == "?" and (opaque_from is None or ord(target[t]) < opaque_from))):
            p += 1
            t += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
# The characters each pseudo parameter's value is made of: an account ID is only digits, so it
# can never stand for ":log-group:…" however the two sides are lined up.
_PSEUDO_CHARS = {
    "AWS::AccountId": frozenset(_DIGITS),
    "AWS::Region": frozenset(_LOWER + _DIGITS + "-"),
    "AWS::Partition": frozenset(_LOWER + "-"),
    "AWS::URLSuffix": frozenset(_LOWER + "."),
    "AWS::StackName": frozenset(_LOWER + _LOWER.upper() + _DIGITS + "-"),
    "organization-id": frozenset(_LOWER + _DIGITS),     # after "o-"
    "member-account-id": frozenset(_DIGITS),
}


# A name CloudFormation generates (<stack name>-<logical ID>-<suffix>) has only these.
_GENERATED_NAME_CHARS = _PSEUDO_CHARS["AWS::StackName"]

# The grammar of each ARN field a Shaped atom can stand in (CloudWatch Logs: a log group name is
# 1-512 of [.-_/#A-Za-z0-9]; an account ID 12 digits; regions and partitions lower-case words).
LOG_GROUP_NAME, ACCOUNT, REGION, PARTITION = "log group name", "account", "region", "partition"
_GRAMMAR_CHARS = {
    LOG_GROUP_NAME: frozenset(_LOWER + _LOWER.upper() + _DIGITS + "._-/#"),
    ACCOUNT: frozenset(_DIGITS),
    REGION: frozenset(_LOWER + _DIGITS + "-"),
    PARTITION: frozenset(_LOWER + "-"),
}


def _chars_of(atom: Any) -> frozenset | None:
    """The characters a definite atom's text is made of, where its kind says."""
    if isinstance(atom, GeneratedName):
        return _GENERATED_NAME_CHARS
    if isinstance(atom, Shaped):
        return _GRAMMAR_CHARS[atom.grammar]
    if isinstance(atom, Pseudo):
        return _PSEUDO_CHARS.get(atom.name)
    return None


def _compat(token: Any, atom: Any, token_in_pattern: bool, wildcards: bool) -> int:
    """Can ``token`` be part of a run of tokens that the definite ``atom`` on the other side
    stands for? A character outside a pseudo parameter's alphabet cannot; nor can another
    resource's identifier (see the module's working assumption)."""
    if isinstance(token, str):
        if token_in_pattern and wildcards and token in "*?":
            return _MAYBE
        chars = _chars_of(atom)
        if chars is not None and token not in chars:
            return _NO
        return _MAYBE
    if token == atom:
        # A string is never itself plus more. (Itself plus open atoms that are empty is the
        # one-to-one line-up, which the program tries separately.)
        return _NO
    if _identifies_resource(token) and _identifies_resource(atom) \
            and token.logical_id != atom.logical_id:
        return _NO
    return _MAYBE


def _atom_vs_atom(a: Any, b: Any) -> int:
    if a == b:
        return _YES
    if _is_definite(a) and _is_definite(b) and _atoms_differ(a, b):
        return _NO
    return _MAYBE


def _match_tokens(p: list, t: list, wildcards: bool = True) -> int:
    """Three-valued match of pattern tokens ``p`` against target tokens ``t``.

    A dynamic program over (pattern prefix, target prefix): ``D[i][j]`` is the best answer
    (YES > MAYBE > NO) for ``p[:i]`` against ``t[:j]``, over every way to line the two up. The
    ways are: a literal character against an equal one (or ``?``); ``*`` against any run of
    target tokens (atoms included); an atom against an atom; and an atom on either side against
    a run of tokens on the other side, which can only be MAYBE. Runs are folded into running
    maxima, so the cost is O(len(p) * len(t)) however many ``*`` and atoms there are.
    """
    n, m = len(p), len(t)
    t_lit = [isinstance(x, str) for x in t]
    t_open = [not t_lit[j] and not _is_definite(t[j]) for j in range(m)]
    t_empty = [_may_be_empty(x) for x in t]

    prev: list[int] = [_NO] * (m + 1)     # D[i-1][*]
    u7_prev: list[int] = [_NO] * (m + 1)  # max over i' <= i-1 of D[i'][j-1]
    g7_prev: list[int] = [_NO] * (m + 1)  # run of p ending at i-1 absorbed by definite t[j-1]
    for i in range(n + 1):
        cur = [_NO] * (m + 1)
        u7 = [_NO] * (m + 1)
        g7 = [_NO] * (m + 1)
        pi = p[i - 1] if i else None
        p_lit = isinstance(pi, str)
        p_star = wildcards and pi == "*"
        p_atom = i > 0 and not p_lit
        p_open = p_atom and not _is_definite(pi)
        p_empty = p_atom and _may_be_empty(pi)
        r5 = _NO   # running max of D[i-1][j'] for j' <= j (open pattern atom)
        g6 = _NO   # run of t ending at j absorbed by definite pattern atom p[i-1]
        for j in range(m + 1):
            best = _YES if (i == 0 and j == 0) else _NO
            if i:
                if p_star:
                    best = max(best, prev[j])
                    if j:
                        best = max(best, cur[j - 1])
                elif p_open:
                    r5 = max(r5, prev[j])
                    best = max(best, min(r5, _MAYBE))
                elif p_empty:
                    best = max(best, min(prev[j], _MAYBE))   # the shaped part is empty
            if j:
                tj = t[j - 1]
                if i:
                    if p_lit and not p_star and t_lit[j - 1]:
                        if pi == tj or (wildcards and pi == "?"):
                            best = max(best, prev[j - 1])
                    elif p_atom and not t_lit[j - 1]:
                        best = max(best, min(prev[j - 1], _atom_vs_atom(pi, tj)))
                    if p_atom and not p_open:
                        c = _compat(tj, pi, False, wildcards)
                        before = g6
                        g6 = min(c, max(prev[j - 1], g6))
                        run = g6 if t_lit[j - 1] else min(c, before)
                        best = max(best, min(run, _MAYBE))
                if t_empty[j - 1]:
                    best = max(best, min(cur[j - 1], _MAYBE))   # the shaped part is empty
                if t_open[j - 1]:
                    # an open target atom may stand for any stretch of the pattern, even none
                    u7[j] = max(u7_prev[j], cur[j - 1])
                    best = max(best, min(u7[j], _MAYBE))
                elif not t_lit[j - 1] and i:
                    c = _compat(pi, tj, True, wildcards)
                    g7[j] = min(c, max(prev[j - 1], g7_prev[j]))
                    run = min(c, g7_prev[j]) if p_atom else g7[j]
                    best = max(best, min(run, _MAYBE))
            cur[j] = best
        prev, u7_prev, g7_prev = cur, u7, g7
    return prev[m]


def _match_values(pattern: Any, target: Any, fold: bool, wildcards: bool) -> Match:
    if isinstance(pattern, str) and isinstance(target, str):
        if fold:
            pattern, target = pattern.lower(), target.lower()
        if not wildcards:
            return Match.of(pattern == target)
        return Match.of(_glob_literal(pattern, target))
    p = _tokens(pattern, fold)
    t = _tokens(target, fold)
    if p is None or t is None:
        return Match.MAYBE  # not text (a list, a map, None): nothing can be decided here
    return Match(_match_tokens(p, t, wildcards))


def match_pattern(pattern: Any, target: Any) -> Match:
    """IAM-style glob match, case-sensitive as IAM resource ARNs are.

    ``*`` in a literal piece of ``pattern`` matches any run (across the target's atoms too), ``?``
    exactly one character. Equal atoms match; atoms that provably differ (two resources' IDs,
    ``AWS::AccountId`` and ``AWS::Region``) do not; anything else involving an atom is MAYBE,
    e.g. a literal account ID against ``Pseudo("AWS::AccountId")``."""
    try:
        return _match_pattern_cached(pattern, target)
    except TypeError:  # an unhashable value (a list or map where text belongs)
        return _match_pattern(pattern, target)


@functools.lru_cache(maxsize=65536)
def _match_pattern_cached(pattern: Any, target: Any) -> Match:
    # The same grant is matched against the same streams for each action, scenario, region
    # and rule (ET1006 and IT2006): values are immutable, so the answer is memoised.
    return _match_pattern(pattern, target)


def _match_pattern(pattern: Any, target: Any) -> Match:
    if isinstance(target, Text):
        pattern = _same_shape(pattern, target)
    if not (isinstance(pattern, str) and isinstance(target, str)) and \
            _placeholder_yes(pattern, target):
        return Match.YES
    return _match_values(pattern, target, fold=False, wildcards=True)


def _same_shape(pattern: Any, target: Text) -> Any:
    """``pattern`` with each atom that the target holds as a :class:`Shaped` atom wrapped the
    same way: it is the same value, so it has the same grammar (a policy's ``${LogGroupName}``
    is the log group's name, which has no ``:``)."""
    shaped = {part.atom: part for part in target.parts if isinstance(part, Shaped)}
    if not shaped:
        return pattern
    if isinstance(pattern, Text):
        if not any(part in shaped for part in pattern.parts if isinstance(part, Atom)):
            return pattern
        return Text(tuple(shaped.get(part, part) if isinstance(part, Atom) else part
                          for part in pattern.parts))
    if isinstance(pattern, Atom) and pattern in shaped:
        return shaped[pattern]
    return pattern


_PLACEHOLDER_BASE = 0xF0000  # Unicode private use plane: never in an ARN's literal text
_PRIVATE_PLANE = re.compile("[\U000F0000-\U000FFFFF]")


def _placeholder_yes(pattern: Any, target: Any) -> bool:
    """A fast proof of YES when either side has atoms: each distinct definite atom becomes one
    character no literal can match, the same on both sides; ``*`` may span it and ``?`` may not.
    An atom lined up with the same atom stands for the same text, and any text matches itself
    as a pattern, so a glob match of the two strings is a real match. No match proves nothing
    (an atom might spell the literal), so the exact dynamic program decides then."""
    pattern_parts, target_parts = _parts(pattern), _parts(target)
    if pattern_parts is None or target_parts is None:
        return False
    placeholders: dict[Any, str] = {}
    for part in (*pattern_parts, *target_parts):
        if isinstance(part, Atom):
            if not _is_definite(part):
                return False
            placeholders.setdefault(part, chr(_PLACEHOLDER_BASE + len(placeholders)))
        elif _PRIVATE_PLANE.search(part):
            return False  # literal text that could pass for an atom's placeholder
    pattern_text = "".join(p if isinstance(p, str) else placeholders[p] for p in pattern_parts)
    target_text = "".join(p if isinstance(p, str) else placeholders[p] for p in target_parts)
    return _glob_literal(pattern_text, target_text, opaque_from=_PLACEHOLDER_BASE)


def equals3(left: Any, right: Any, ignore_case: bool = False) -> Match:
    """Three-valued string equality (no wildcards), for condition operators."""
    return _match_values(left, right, fold=ignore_case, wildcards=False)


def match_action3(pattern: Any, action: Any) -> Match:
    """IAM action match: case-insensitive, ``*`` and ``?`` wildcards, ``*`` alone matches all.
    A pattern that is (or contains) an atom gives MAYBE unless its literal parts decide."""
    return _match_values(pattern, action, fold=True, wildcards=True)


def match_action(pattern: str, action: str) -> bool:
    """Does the literal action pattern cover ``action``? Only YES counts; use
    :func:`match_action3` when the pattern may be an atom."""
    return match_action3(pattern, action) is Match.YES


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

@record(frozen=True)
class Arn:
    """The six fields of ``arn:partition:service:region:account:resource``.

    Each field is a str, an atom or a Text. ``ambiguous`` means an atom may hide a ':' so the
    split may be wrong (or the value may not be an ARN at all); fields that could not be found
    are ``Unknown`` then, and anything concluded from them must be MAYBE."""

    partition: Any
    service: Any
    region: Any
    account: Any
    resource: Any
    ambiguous: bool = False

    @property
    def fields(self) -> tuple:
        return (self.partition, self.service, self.region, self.account, self.resource)

    def value(self) -> Any:
        out: list = ["arn"]
        for part in self.fields:
            out.extend([":", part])
        return concat(out)


def _split_fields(parts: list, limit: int) -> tuple[list[list], bool]:
    """Split parts at literal ':' into at most ``limit`` fields (the last keeps its colons).
    Also says whether an atom that may contain ':' sits in a field other than the last."""
    fields: list[list] = [[]]
    risky = False
    for part in parts:
        if isinstance(part, str):
            pieces = part.split(":", max(0, limit - len(fields))) if len(fields) < limit else [part]
            for k, piece in enumerate(pieces):
                if k:
                    fields.append([])
                if piece:
                    fields[-1].append(piece)
        else:
            if len(fields) < limit and _may_contain_colon(part):
                risky = True
            fields[-1].append(part)
    return fields, risky


def parse_arn(value: Any) -> Arn | None:
    """Split an ARN-shaped str or Text into its fields; None when it is not ARN-shaped.

    Atoms are taken to sit inside one field when the literal text has all five separators.
    When it has fewer and an atom that may contain ':' is present, or when the ``arn`` prefix
    itself may be inside an atom (a lone Parameter, an unexpanded GetAtt), the result is an
    ``ambiguous`` Arn rather than None: it may well be an ARN at deployment."""
    if value is NoValue or isinstance(value, (bool, int, float)):
        return None
    if isinstance(value, Pseudo) and value.name in _COLON_FREE_PSEUDOS:
        return None
    parts = _parts(value)
    if parts is None:
        return None
    hidden = Unknown("ARN field hidden inside an atom")
    if isinstance(value, Atom) and not isinstance(value, Text):
        return Arn(hidden, hidden, hidden, hidden, value, ambiguous=True)
    fields, risky = _split_fields(parts, 6)
    head = fields[0]
    if head != ["arn"]:
        if all(isinstance(x, str) for x in head):
            return None
        if isinstance(head[0], str) and not "arn".startswith(head[0]):
            return None
        return Arn(hidden, hidden, hidden, hidden, value, ambiguous=True)
    values = [concat(f) for f in fields[1:]]
    if len(fields) < 6:
        if not risky:
            return None
        values.extend([hidden] * (5 - len(values)))
        return Arn(*values, ambiguous=True)
    return Arn(*values)


# --------------------------------------------------------------------------------------------
# What the trail analysis needs
# --------------------------------------------------------------------------------------------

def log_stream_name(account_or_org: Any, region: Any) -> Any:
    """``<account-id>_CloudTrail_<region>``: the stream CloudTrail creates and writes to."""
    return concat([account_or_org, "_CloudTrail_", region])


def log_stream_arns(partition: Any, region: Any, account: Any, group_name: Any,
                    organization_id: Any = None, *, organization_trail: bool = False,
                    stream_region: Any = None) -> list:
    """The log stream ARNs CloudTrail writes to in ``group_name``.

    ``arn:<p>:logs:<r>:<a>:log-group:<group>:log-stream:<a>_CloudTrail_<r>``, and for an
    organization trail (``organization_trail=True`` or an ``organization_id`` given) also the
    stream named after the organization ID, which is the atom :data:`ORGANIZATION_ID` unless
    given. ``region`` is the log group's region; ``stream_region`` (default: the same) is the
    region named in the stream, which differs for events a multi-region trail sees elsewhere.
    Each argument may be a str or an atom; each result is a str or a Text."""
    stream_region = region if stream_region is None else stream_region
    partition, region = shape(partition, PARTITION), shape(region, REGION)
    account, group_name = shape(account, ACCOUNT), shape(group_name, LOG_GROUP_NAME)
    stream_region = shape(stream_region, REGION)
    group_arn = ["arn:", partition, ":logs:", region, ":", account, ":log-group:", group_name,
                 ":log-stream:"]
    out = [concat(group_arn + [log_stream_name(account, stream_region)])]
    if organization_trail or organization_id is not None:
        org = ORGANIZATION_ID if organization_id is None else organization_id
        out.append(concat(group_arn + [organization_stream_name(org, stream_region)]))
    return out


def organization_stream_name(organization_id: Any, region: Any) -> Any:
    """``<org-id>_<member account>_CloudTrail_<region>``: an organization trail's streams, one per
    account of the organization (all of them start with ``o-<org-id>_``)."""
    return log_stream_name(concat([organization_id, "_", MEMBER_ACCOUNT]), region)


def shape(value: Any, grammar: str) -> Any:
    """``value`` (one ARN field) with its open atoms shaped by the field's grammar."""
    if isinstance(value, (Parameter, Import, Unknown)):
        return Shaped(value, grammar)
    if isinstance(value, Text):
        return concat(Shaped(part, grammar, whole=False) if isinstance(part, (Parameter, Import, Unknown))
                      else part for part in value.parts)
    return value


class LogGroupArn(tuple):
    """``(partition, region, account, name, has_wildcard_suffix)``, a plain 5-tuple to unpack.

    ``uncertain`` is True when the value may be a log group ARN but atoms hide part of it
    (then the fields that could not be read are ``Unknown``); ``reason`` says why."""

    def __new__(cls, partition: Any, region: Any, account: Any, name: Any,
                has_wildcard_suffix: bool, uncertain: bool = False, reason: str = ""):
        self = super().__new__(cls, (partition, region, account, name, has_wildcard_suffix))
        self.uncertain = uncertain
        self.reason = reason
        return self

    partition = property(lambda self: self[0])
    region = property(lambda self: self[1])
    account = property(lambda self: self[2])
    name = property(lambda self: self[3])
    has_wildcard_suffix = property(lambda self: self[4])


class RoleArn(tuple):
    """``(partition, account, path, name)``; ``path`` is ``/`` or ``/a/b/``. ``uncertain`` as in
    :class:`LogGroupArn`."""

    def __new__(cls, partition: Any, account: Any, path: Any, name: Any,
                uncertain: bool = False, reason: str = ""):
        self = super().__new__(cls, (partition, account, path, name))
        self.uncertain = uncertain
        self.reason = reason
        return self

    partition = property(lambda self: self[0])
    account = property(lambda self: self[1])
    path = property(lambda self: self[2])
    name = property(lambda self: self[3])


_PARTITION = re.compile(r"aws(-[a-z]+)*")


def _literal_mismatch(field: Any, expected: str) -> bool:
    """True when the field is literal text other than ``expected``."""
    return isinstance(field, str) and field != expected


def _bad_partition(field: Any) -> bool:
    return isinstance(field, str) and not _PARTITION.fullmatch(field)


def _strip_literal_prefix(parts: list, prefix: str) -> tuple[str, list]:
    """("yes", rest) when the parts start with the literal ``prefix``; ("no", []) when they
    provably do not; ("maybe", []) when an atom comes first and might supply it."""
    if not parts:
        return "no", []
    first = parts[0]
    if isinstance(first, str):
        if first.startswith(prefix):
            rest = first[len(prefix):]
            return "yes", ([rest] if rest else []) + list(parts[1:])
        if prefix.startswith(first) and len(parts) > 1:
            return "maybe", []
        return "no", []
    return "maybe", []


def _uncertain_log_group(arn: Arn, reason: str) -> LogGroupArn:
    return LogGroupArn(arn.partition, arn.region, arn.account,
                       Unknown(reason), False, uncertain=True, reason=reason)


def log_group_arn_fields(value: Any) -> LogGroupArn | None:
    """Read ``arn:<p>:logs:<r>:<a>:log-group:<name>`` with an optional ``:*`` suffix.

    None when the value is provably not a log group ARN (another service, a log stream ARN,
    empty fields, a malformed literal). A result with ``uncertain`` set when atoms hide the
    answer (a parameter holding the whole ARN, a GetAtt the caller could not expand)."""
    arn = parse_arn(value)
    if arn is None:
        return None
    if _literal_mismatch(arn.service, "logs") or _bad_partition(arn.partition):
        return None
    if arn.ambiguous:
        return _uncertain_log_group(arn, f"{_describe(value)} may or may not be a log group ARN")
    if arn.region == "" or arn.account == "" or _literal_mismatch(arn.service, "logs"):
        return None
    if not isinstance(arn.service, str):
        return _uncertain_log_group(arn, f"the service of {_describe(value)} is not known")
    state, rest = _strip_literal_prefix(_parts(arn.resource) or [], "log-group:")
    if state == "no":
        return None
    if state == "maybe":
        return _uncertain_log_group(arn, f"the resource part of {_describe(value)} is not known")
    name_parts: list = []
    suffix: list | None = None
    for part in rest:
        if suffix is None and isinstance(part, str) and ":" in part:
            head, tail = part.split(":", 1)
            if head:
                name_parts.append(head)
            suffix = [tail] if tail else []
        elif suffix is None:
            name_parts.append(part)
        else:
            suffix.append(part)
    name = concat(name_parts)
    if name == "":
        return None
    wildcard = False
    if suffix is not None:
        tail = concat(suffix)
        if tail != "*":
            if isinstance(tail, str):
                return None  # ":log-stream:..." or junk: not a log group ARN
            return LogGroupArn(arn.partition, arn.region, arn.account, name, False,
                               uncertain=True,
                               reason=f"what follows the log group name in {_describe(value)} "
                                      "is not known")
        wildcard = True
    return LogGroupArn(arn.partition, arn.region, arn.account, name, wildcard)


def role_arn_fields(value: Any) -> RoleArn | None:
    """Read ``arn:<p>:iam::<a>:role/<path...>/<name>``.

    None when the value is provably not a role ARN; use :func:`iam_resource_type` to say what
    it is instead ("user", "group", "policy"…). ``uncertain`` set when atoms hide the answer."""
    arn = parse_arn(value)
    if arn is None:
        return None
    if _literal_mismatch(arn.service, "iam") or _bad_partition(arn.partition):
        return None
    unknown_name = Unknown("role name not known")
    if arn.ambiguous:
        return RoleArn(arn.partition, arn.account, "/", unknown_name, uncertain=True,
                       reason=f"{_describe(value)} may or may not be a role ARN")
    if not isinstance(arn.service, str):
        return RoleArn(arn.partition, arn.account, "/", unknown_name, uncertain=True,
                       reason=f"the service of {_describe(value)} is not known")
    if (isinstance(arn.region, str) and arn.region != "") or arn.account == "":
        return None
    state, rest = _strip_literal_prefix(_parts(arn.resource) or [], "role/")
    if state == "no":
        return None
    if state == "maybe":
        return RoleArn(arn.partition, arn.account, "/", unknown_name, uncertain=True,
                       reason=f"the resource part of {_describe(value)} is not known")
    # the name follows the last literal '/'; everything before it is the path
    last = -1
    for k, part in enumerate(rest):
        if isinstance(part, str) and "/" in part:
            last = k
    if last < 0:
        path_parts, name_parts = [], rest
    else:
        head, tail = rest[last].rsplit("/", 1)
        path_parts = rest[:last] + ([head] if head else [])
        name_parts = ([tail] if tail else []) + rest[last + 1:]
    name = concat(name_parts)
    if name == "":
        return None
    path = concat(["/"] + path_parts + (["/"] if path_parts else []))
    uncertain = not isinstance(arn.region, str)
    return RoleArn(arn.partition, arn.account, path, name, uncertain=uncertain,
                   reason=f"the region of {_describe(value)} is not known" if uncertain else "")


def iam_resource_type(value: Any) -> str | None:
    """The resource type of an IAM (or STS) ARN: "role", "user", "group", "policy",
    "instance-profile", "root", "assumed-role"…; None when the value is not such an ARN or
    the type is hidden in an atom. Lets a caller say "a user ARN is not a role ARN"."""
    arn = parse_arn(value)
    if arn is None or arn.ambiguous or arn.service not in ("iam", "sts"):
        return None
    parts = _parts(arn.resource) or []
    if not parts or not isinstance(parts[0], str):
        return None
    first = parts[0]
    if "/" in first:
        return first.split("/", 1)[0] or None
    if len(parts) == 1:
        return first or None  # "root"
    return None


def _describe(value: Any) -> str:
    if isinstance(value, Atom):
        return value.describe()
    return repr(value)
