"""Reading a resolved value as a boolean, a number or one of a few words.

A property such as ``IsOrganizationTrail: !Ref IsOrg`` resolves, for a parameter the template
does not hold to its listed values, to the atom ``Parameter("IsOrg")``: "some value not listed".
A reader that needs a boolean must not turn that into one value (every deployment would then be
judged by it). Here the atom is *chosen*: each value the property accepts becomes its own
scenario, with the parameter bound to it, so ``IsOrg='true'`` and ``IsOrg='false'`` are both
followed and a finding names the one it holds in. Anything else that is not a literal (an import,
a value the analysis cannot know) comes back as ``None``: the caller reports it as unverifiable.

Binding an unlisted parameter to a listed value (its Default, say) only repeats the scenario of
that listed value; callers keep findings per rule and property, so the repeat adds nothing.
"""

from __future__ import annotations

from typing import Any, Sequence

from .model import Atom, NoValue, Parameter, scalar_bool, scalar_text
from .scenario import Scenario

__all__ = ["boolean", "word", "bind", "unlisted"]


def unlisted(value: Any) -> Parameter | None:
    """The parameter whose unlisted value ``value`` is, or None."""
    return value if isinstance(value, Parameter) else None


def bind(s: Scenario, parameter: Parameter, literal: str) -> Scenario:
    """``s`` with the parameter's unlisted value fixed to ``literal`` (as its Ref reads)."""
    return s.with_parameter(parameter.name, literal)


def boolean(value: Any, s: Scenario) -> list[tuple[Scenario, bool | None]]:
    """``value`` as CloudFormation reads a boolean: ``[(s, True|False)]`` for a literal,
    both values (each its own scenario) for an unlisted parameter, ``[(s, None)]`` for what
    cannot be known here. ``AWS::NoValue`` and other literals are None too: the caller decides
    what an absent or malformed value means for its property."""
    parameter = unlisted(value)
    if parameter is not None:
        return [(bind(s, parameter, "true"), True), (bind(s, parameter, "false"), False)]
    if value is NoValue:
        return [(s, None)]
    return [(s, scalar_bool(value))]


def word(value: Any, s: Scenario, accepted: Sequence[str]) -> list[tuple[Scenario, str | None]]:
    """``value`` as one of the ``accepted`` words (an enum such as ``ReadWriteType``): a literal
    as its text, an unlisted parameter as each accepted word in its own scenario, anything
    else None."""
    parameter = unlisted(value)
    if parameter is not None:
        return [(bind(s, parameter, choice), choice) for choice in accepted]
    if isinstance(value, (Atom, dict, list)):
        return [(s, None)]
    return [(s, scalar_text(value))]

