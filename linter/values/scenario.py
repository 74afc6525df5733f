"""Scenarios: the assumptions under which a value was resolved.

A scenario binds condition names to True/False and parameter names to the value they take
(a literal, or the :class:`Parameter` atom for "some value the template does not list").
Resolution threads one scenario through every step, so a choice made once (``IsProd`` is true,
``Env`` is ``prod``) holds for the rest of the chain and contradictions never arise.
"""

from __future__ import annotations

from typing import Any, Iterator

from .model import Atom, render


class Scenario:
    __slots__ = ("conditions", "parameters", "_hash")

    def __init__(self, conditions: dict[str, bool] | None = None,
                 parameters: dict[str, Any] | None = None) -> None:
        # Treated as immutable: every change returns a new Scenario.
        self.conditions: dict[str, bool] = conditions or {}
        self.parameters: dict[str, Any] = parameters or {}
        self._hash: int | None = None

    def with_condition(self, name: str, value: bool) -> "Scenario":
        conditions = dict(self.conditions)
        conditions[name] = value
        return Scenario(conditions, self.parameters)

    def with_parameter(self, name: str, value: Any) -> "Scenario":
        parameters = dict(self.parameters)
        parameters[name] = value
        return Scenario(self.conditions, parameters)

    def restricted(self, names: set[str] | frozenset[str], settled: Any = None) -> "Scenario":
        """Only the assumptions named in ``names``, less those that ``settled(name, value)``
        says hold in every deployment (a condition the given parameters fix; a parameter that
        is always "a value not listed")."""
        def keep(name: str, value: Any) -> bool:
            return name in names and not (settled is not None and settled(name, value))
        conditions = {k: v for k, v in self.conditions.items() if keep(k, v)}
        parameters = {k: v for k, v in self.parameters.items() if keep(k, v)}
        if len(conditions) == len(self.conditions) and len(parameters) == len(self.parameters):
            return self
        return Scenario(conditions, parameters)

    def describe(self) -> dict[str, Any]:
        """The scenario for reports: conditions as booleans, chosen parameters as strings
        (``None`` for a value the template does not list)."""
        out: dict[str, Any] = dict(sorted(self.conditions.items()))
        for name, value in sorted(self.parameters.items()):
            if name in out:
                continue
            out[name] = None if isinstance(value, Atom) else render(value) if not isinstance(value, str) else value
        return out

    def label(self) -> str:
        """One line for messages: ``IsProd=false, Env='dev'``; empty when nothing was assumed."""
        parts = [f"{k}={'true' if v else 'false'}" for k, v in sorted(self.conditions.items())]
        for name, value in sorted(self.parameters.items()):
            shown = "a value not listed in the template" if isinstance(value, Atom) else repr(value)
            parts.append(f"{name}={shown}")
        return ", ".join(parts)

    def _key(self) -> tuple:
        return (tuple(sorted(self.conditions.items())),
                tuple(sorted((k, repr(v)) for k, v in self.parameters.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._key() == other._key()

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self._key())
        return self._hash

    def __repr__(self) -> str:
        return f"Scenario({self.label() or 'always'})"


EMPTY = Scenario()

Branches = list[tuple[Scenario, Any]]


def branches(pairs: Iterator[tuple[Scenario, Any]] | Branches) -> Branches:
    return list(pairs)
