"""The shared base of the cfn-lint rules: one analysis per template, one rule per catalogue ID.

cfn-lint calls ``match(cfn)`` once per rule. The first rule to run analyses the template with
the engine and caches the outcome keyed on cfn-lint's ``Template`` object (weakly, so it goes
when cfn-lint drops the template); every rule then returns the findings
with its own ID, anchored at the same path as the command line reports them.

Rules with options (the catalogue's ``Option``: ``-x WT2001:min_retention_days=400`` on the
command line, ``configure_rules`` in ``.cfnlintrc``) declare them as cfn-lint's
``config_definition``. A rule whose options differ from the defaults hands them to the engine, and
the cache is keyed on the template *and* those options: the rules at their defaults share one
analysis, and a configured rule gets one that honours its options.

Opt-in rules (the catalogue's ``opt_in``: WT3001-WT3014) are cfn-lint *experimental* rules:
cfn-lint runs every rule it loads unless told otherwise, and experimental ones only with
``--include-experimental`` (``-e``, or ``include_experimental: true`` in ``.cfnlintrc``). They
share one analysis that runs them; the other rules share one that does not, so a run without
``-e`` pays nothing for them.

A rule never raises. When the analysis of a trail fails (the engine reports it), or the whole
analysis of a template fails, that is reported as a WT1007 ("cannot be verified") match on the
trail: a crash must not look like a pass, WT1007 says exactly what is true (delivery was not
verified), and it can be suppressed like any other finding. The traceback goes to the debug log.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from cfn_trailwatch import catalog, trail

from ._compat import CloudFormationLintRule, RuleMatch, template_data, template_regions

LOGGER = logging.getLogger("cfn_trailwatch.rules")

UNVERIFIABLE = "WT1007"
TAGS = ["cloudtrail", "cloudwatch-logs", "iam", "nist-800-53-r5"]

# Every opt-in rule: cfn-lint only calls the ones it enabled (-e), and those share this analysis.
_OPT_IN = frozenset(rule.id for rule in catalog.rules().values() if rule.opt_in)

# cfn-lint Template -> {options key: Outcome}: the engine runs once per template and set of rule
# options, not once per rule.
_OUTCOMES: "weakref.WeakKeyDictionary[Any, dict[Any, Outcome]]" = weakref.WeakKeyDictionary()


class Outcome:
    """The engine's findings on one template, and the trails it could not analyse."""

    __slots__ = ("findings", "failures")

    def __init__(self, findings: list, failures: list[tuple[str, str]]) -> None:
        self.findings = findings
        self.failures = failures  # (trail logical ID, message)


def _options_key(rule_options: dict[str, dict[str, Any]]) -> tuple:
    return tuple(sorted((rule_id, tuple(sorted((key, repr(value)) for key, value in values.items())))
                        for rule_id, values in rule_options.items()))


def _outcome(cfn, rule_options: dict[str, dict[str, Any]] | None = None,
             opt_in: frozenset[str] = frozenset()) -> Outcome:
    rule_options = rule_options or {}
    per_options = _OUTCOMES.get(cfn)
    if per_options is None:
        per_options = _OUTCOMES[cfn] = {}
    key = (_options_key(rule_options), tuple(sorted(opt_in)))
    outcome = per_options.get(key)
    if outcome is None:
        outcome = per_options[key] = _analyse(cfn, rule_options, opt_in)
    return outcome


def _analyse(cfn, rule_options: dict[str, dict[str, Any]] | None = None,
             opt_in: frozenset[str] = frozenset()) -> Outcome:
    data = template_data(cfn)
    try:
        analysis = trail.analyse(data, trail.Options(regions=template_regions(cfn),
                                                     rule_options=dict(rule_options or {}),
                                                     opt_in=opt_in))
        return Outcome(list(analysis.findings), list(analysis.errors))
    except Exception as err:  # noqa: BLE001 - reported as WT1007, never raised into cfn-lint
        LOGGER.debug("cfn-trailwatch analysis failed on %s", getattr(cfn, "filename", None),
                     exc_info=True)
        message = f"internal error: {type(err).__name__}: {err}"
        trails = trail.trail_ids(data)
        if not trails:
            LOGGER.warning("%s: cfn-trailwatch %s", getattr(cfn, "filename", None), message)
        return Outcome([], [(trail_id, message) for trail_id in trails])


def _not_analysed(cfn, resource_id: str, message: str) -> str:
    """The message of a resource the engine gave up on: a trail, or (with the monitoring rules)
    a metric filter of a stack without a trail."""
    data = template_data(cfn)
    resources = data.get("Resources") if isinstance(data, dict) else None
    resource = resources.get(resource_id) if isinstance(resources, dict) else None
    if isinstance(resource, dict) and resource.get("Type") == "AWS::Logs::MetricFilter":
        return (f"cfn-trailwatch could not analyse this metric filter ({message}); its "
                "monitoring chain was not verified")
    return (f"cfn-trailwatch could not analyse this trail ({message}); its CloudWatch Logs "
            "delivery was not verified")


class TrailwatchRule(CloudFormationLintRule):
    """Base of the generated rule classes; ``id`` selects the catalogue entry."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = catalog.get(cls.id)
        cls.shortdesc = meta.title
        cls.description = meta.description
        cls.source_url = meta.help_uri
        cls.tags = [*TAGS, meta.slug]
        cls.experimental = meta.opt_in   # off unless cfn-lint runs with --include-experimental

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = {option.name: option.cfn_lint_definition()
                                  for option in catalog.get(self.id).options}
        self.configure()  # the defaults, until cfn-lint configures the rule

    def configure(self, configs=None, experimental=False):
        """cfn-lint's own conversion (``int(value)``…); a value it cannot convert is logged and
        the option keeps its default rather than failing the whole cfn-lint run. ``experimental``
        is cfn-lint's ``--include-experimental``: an opt-in rule without it does nothing (cfn-lint
        may call ``match`` on a rule it then filters out; the analysis is not paid for)."""
        self.include_experimental = bool(experimental)
        try:
            super().configure(configs, experimental)
        except (TypeError, ValueError) as err:
            LOGGER.error("cfn-trailwatch rule %s: invalid option in %r: %s; using the defaults",
                         self.id, configs, err)
            super().configure(None, experimental)

    def rule_options(self) -> dict[str, dict[str, Any]]:
        """This rule's options for the engine when they differ from the catalogue's defaults."""
        meta = catalog.get(self.id)
        given = {option.name: self.config.get(option.name, option.default)
                 for option in meta.options}
        normal = {name: list(value) if isinstance(value, (list, tuple)) else value
                  for name, value in given.items()}
        defaults = {name: list(value) if isinstance(value, (list, tuple)) else value
                    for name, value in meta.defaults().items()}
        return {self.id: normal} if normal != defaults else {}

    def match(self, cfn) -> list:
        try:
            meta = catalog.get(self.id)
            if meta.opt_in and not getattr(self, "include_experimental", False):
                return []
            opt_in = _OPT_IN if meta.opt_in else frozenset()
            outcome = _outcome(cfn, self.rule_options(), opt_in)
            matches = [RuleMatch(list(f.path), f.message)
                       for f in outcome.findings if f.rule == self.id]
            if self.id == UNVERIFIABLE:
                # With the opt-in rules on, what they could not analyse (a metric filter of a
                # stack without a trail) fails the run too, as in the CLI with --include-checks.
                failures = _outcome(cfn, self.rule_options(), _OPT_IN).failures \
                    if getattr(self, "include_experimental", False) else outcome.failures
                matches += [RuleMatch(["Resources", resource_id], _not_analysed(cfn, resource_id,
                                                                                 message))
                            for resource_id, message in failures]
            return matches
        except Exception:  # noqa: BLE001 - a rule must never raise into cfn-lint
            LOGGER.warning("cfn-trailwatch rule %s failed on %s", self.id,
                           getattr(cfn, "filename", None), exc_info=True)
            return []
