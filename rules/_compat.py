"""Everything this package takes from cfn-lint, in one place.

cfn-lint 1.x exports the rule base class and the match type from ``cfnlint.rules``. When a
cfn-lint release moves them, this is the only file to change. The engine (``cfn_trailwatch``
outside ``rules``) never imports cfnlint: importing it costs about half a second.
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch

__all__ = ["CloudFormationLintRule", "RuleMatch", "template_data", "template_regions"]


def template_data(cfn) -> object:
    """The template cfn-lint already decoded (and transformed, for SAM): handed to the engine
    as it is, no second parse. Its dicts, lists and strings are subclasses of the plain types."""
    return cfn.template


def template_regions(cfn) -> tuple[str, ...]:
    """The regions cfn-lint runs for (``--regions``; default us-east-1)."""
    return tuple(cfn.regions or ("us-east-1",))
