"""Typed symbolic values: what an intrinsic function can mean before deployment.

A resolved value is either a plain literal (str, int, float, bool, list, dict) or one of the
*atoms* below. Atoms stand for something only known at deployment; two atoms are the same thing
only when they are equal (same class, same fields). ``Text`` glues literal text and atoms
together, so an ARN built with ``Fn::Sub`` or ``Fn::Join`` stays comparable part by part.
"""

from __future__ import annotations

from typing import Any, Iterable, Union

from ..records import record


class Atom:
    """Base of every symbolic value that is not a literal."""

    __slots__ = ()

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


@record(frozen=True, slots=True)
class ResourceAttr(Atom):
    """``Fn::GetAtt [logical_id, attribute]``."""

    logical_id: str
    attribute: str

    def describe(self) -> str:
        return f"!GetAtt {self.logical_id}.{self.attribute}"


@record(frozen=True, slots=True)
class ResourceRef(Atom):
    """``Ref`` of a resource: its physical ID (a log group's or a role's *name*)."""

    logical_id: str

    def describe(self) -> str:
        return f"!Ref {self.logical_id}"


@record(frozen=True, slots=True)
class GeneratedName(Atom):
    """The physical name CloudFormation generates for a resource whose template gives none:
    ``<stack name>-<logical ID>-<random suffix>``, letters, digits and hyphens only."""

    logical_id: str

    def describe(self) -> str:
        return f"the generated name of {self.logical_id}"


@record(frozen=True, slots=True)
class Parameter(Atom):
    """A parameter whose deployed value is not one the template lists.

    A parameter takes its given value, its ``Default`` or one of its ``AllowedValues`` as a
    literal; this atom is the remaining case: "some other value, not known here"."""

    name: str

    def describe(self) -> str:
        return f"parameter {self.name} (no value given)"


@record(frozen=True, slots=True)
class Pseudo(Atom):
    """A pseudo parameter with no literal value here (``AWS::AccountId``, ``AWS::StackName``…)."""

    name: str

    def describe(self) -> str:
        return self.name


@record(frozen=True, slots=True)
class Import(Atom):
    """``Fn::ImportValue``: an export of another stack."""

    export_name: Any
    reason: str = ""   # why the scan cannot follow it (linter/link.py), when it was looked for

    def describe(self) -> str:
        shown = f"!ImportValue {render(self.export_name)}"
        return f"{shown} ({self.reason})" if self.reason else shown


@record(frozen=True, slots=True)
class Unknown(Atom):
    """A value the analysis cannot know, with the reason why."""

    reason: str

    def describe(self) -> str:
        return f"unknown ({self.reason})"


class _NoValueType(Atom):
    """``AWS::NoValue``: the property is removed."""

    __slots__ = ()
    _instance: "_NoValueType | None" = None

    def __new__(cls) -> "_NoValueType":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NoValue"

    def __reduce__(self):  # keep the singleton across pickling (parallel jobs)
        return (_NoValueType, ())

    def describe(self) -> str:
        return "AWS::NoValue"


NoValue = _NoValueType()


@record(frozen=True, slots=True)
class Text(Atom):
    """A string made of literal pieces and atoms, e.g. ``arn:aws:logs:`` + Pseudo + ``:log-group:``.

    Always built with :func:`concat`, which merges adjacent literals and keeps at least one atom.
    """

    parts: tuple[Union[str, Atom], ...]

    def atoms(self) -> Iterable[Atom]:
        return (p for p in self.parts if not isinstance(p, str))

    def describe(self) -> str:
        return "".join(p if isinstance(p, str) else "${" + p.describe() + "}" for p in self.parts)


Value = Any  # a literal or an Atom


def concat(parts: Iterable[Any]) -> Any:
    """Join literal strings and atoms into the simplest value: a str, a lone atom, or Text.

    Nested Text is flattened. Non-string literals (numbers, booleans) are written as
    CloudFormation writes them into strings."""
    out: list[Union[str, Atom]] = []
    for part in parts:
        if isinstance(part, Text):
            pieces: Iterable[Any] = part.parts
        else:
            pieces = (part,)
        for piece in pieces:
            if not isinstance(piece, Atom):
                piece = scalar_text(piece)
            if isinstance(piece, str):
                if not piece:
                    continue
                if out and isinstance(out[-1], str):
                    out[-1] = out[-1] + piece
                    continue
            out.append(piece)
    if not out:
        return ""
    if len(out) == 1:
        return out[0]
    return Text(tuple(out))


def scalar_text(value: Any) -> str:
    """The string CloudFormation sees for a scalar literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return str(value)


def scalar_bool(value: Any) -> bool | None:
    """A CloudFormation boolean: True/False (or "true"/"false" in any case, spaces around),
    None when the value is anything else here (an atom, NoValue, another literal)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    return None


def scalar_int(value: Any) -> int | None:
    """A CloudFormation integer: 7, 7.0 or "7"; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def is_literal(value: Any) -> bool:
    return not isinstance(value, Atom)


def render(value: Any) -> str:
    """A short human-readable form of any value, for messages and evidence."""
    if isinstance(value, Atom):
        return value.describe()
    if isinstance(value, str):
        return repr(value) if value == "" else value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"
    return scalar_text(value)


def unknowns_in(value: Any) -> list[Unknown | Parameter | Import]:
    """Every atom inside ``value`` that makes it unknowable here (for WT1007 reasons)."""
    found: list[Any] = []
    if isinstance(value, (Unknown, Parameter, Import)):
        found.append(value)
    elif isinstance(value, Text):
        for part in value.atoms():
            found.extend(unknowns_in(part))
    elif isinstance(value, list):
        for item in value:
            found.extend(unknowns_in(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(unknowns_in(item))
    return found


def source(value: Any) -> str:
    """Template source in short form, for evidence: ``!GetAtt Group.Arn``, ``!Sub 'a-${B}'``."""
    if isinstance(value, dict) and len(value) == 1:
        key, argument = next(iter(value.items()))
        if key == "Ref":
            return f"!Ref {source(argument)}"
        if key == "Fn::GetAtt" and isinstance(argument, list):
            return "!GetAtt " + ".".join(source(a) for a in argument)
        if isinstance(key, str) and key.startswith("Fn::"):
            return f"!{key[4:]} {source(argument)}"
        if key == "Condition":
            return f"!Condition {source(argument)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(source(v) for v in value) + "]"
    if isinstance(value, str):
        return value if value and not any(c in value for c in " ,[]{}:#") else repr(value)
    return render(value)
