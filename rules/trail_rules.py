"""One cfn-lint rule class per catalogue ID, generated from the catalogue (the one source of
rule metadata), so every rule the engine knows is a cfn-lint rule with the same ID and text.

Imports are absolute so that cfn-lint can also load this file from a folder
(``cfn-lint -a rules/``), where it is imported outside its package.
"""

from __future__ import annotations

from cfn_trailwatch import catalog
from cfn_trailwatch.rules import _adapter


def _class_name(slug: str) -> str:
    """``trail-cwl-role-trust`` -> ``TrailCwlRoleTrust``."""
    return "".join(part.capitalize() for part in slug.split("-"))


def _make(rule: catalog.Rule) -> type:
    name = _class_name(rule.slug)
    return type(name, (_adapter.TrailwatchRule,), {
        "id": rule.id, "__module__": __name__, "__qualname__": name, "__doc__": rule.title})


RULES: dict[str, type] = {rule_id: _make(rule) for rule_id, rule in catalog.rules().items()}
globals().update({cls.__name__: cls for cls in RULES.values()})
__all__ = sorted(cls.__name__ for cls in RULES.values())
