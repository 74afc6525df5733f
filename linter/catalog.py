"""The rule catalogue: the one source of rule metadata.

Everything that shows a rule (findings, text/JSON/SARIF reports, the cfn-lint adapters, the
rule docs) reads it from here. IDs are stable; the first letter is the severity, as cfn-lint
reads it (E error, W warning, I informational). NIST SP 800-53 Rev. 5 controls come from the
data file ``data/nist-800-53r5.json``, which records where each list came from.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from .records import field, record

REPO_URL = "https://github.com/cfn-trailwatch/cfn-trailwatch"
SEVERITIES = {"E": "error", "W": "warning", "I": "info"}


@record(frozen=True)
class Option:
    """A rule option: set in the config file (``rules: {WT2001: {min_retention_days: 400}}``) and
    in cfn-lint (``-x WT2001:min_retention_days=400``). ``kind`` is a JSON Schema type."""

    name: str
    kind: str                 # "integer", "string" or "array" (of strings)
    default: Any
    description: str
    minimum: int | None = None

    def cfn_lint_definition(self) -> dict[str, Any]:
        """cfn-lint's ``config_definition`` entry for this option."""
        if self.kind == "array":
            return {"default": list(self.default), "type": "list", "itemtype": "string"}
        if self.kind == "string":
            return {"default": self.default, "type": "string"}
        return {"default": self.default, "type": self.kind}

    def json_schema(self) -> dict[str, Any]:
        if self.kind == "array":
            return {"type": "array", "items": {"type": "string", "minLength": 1},
                    "default": list(self.default), "description": self.description}
        schema: dict[str, Any] = {"type": self.kind, "default": self.default,
                                  "description": self.description}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return schema


@record(frozen=True)
class Doc:
    """A rule's page: docs/rules/<ID>.md and ``--explain ID`` (see ``catalog_docs``)."""

    why: str                        # Why it matters (the controls are added from the data file)
    example: str                    # a snippet that gives the rule, embedded in ``BASELINE``
    fixed: str                      # the same snippet fixed: gives nothing at all
    limits: str                     # Known limits
    unknown: str                    # what an unresolvable value (Unknown) means for the rule
    references: tuple[tuple[str, str], ...] = ()   # (title, URL)
    details: str = ""               # more of "What it does"
    config: dict[str, Any] = field(default_factory=dict)   # rule options both snippets run with


@record(frozen=True)
class Rule:
    """A rule of the catalogue: its ID, slug, texts, NIST controls and options."""
    id: str
    slug: str
    title: str
    description: str
    controls: tuple[str, ...] = field(default=())
    options: tuple[Option, ...] = field(default=())
    # Off unless asked for: --include-checks / include_checks with a prefix of the ID (the
    # command line and config file), cfn-lint's --include-experimental (rules/_adapter.py).
    opt_in: bool = False

    def defaults(self) -> dict[str, Any]:
        return {option.name: option.default for option in self.options}

    @property
    def doc(self) -> Doc:
        return _docs()[self.id]

    @property
    def severity(self) -> str:
        return SEVERITIES[self.id[0]]

    @property
    def help_uri(self) -> str:
        return f"{REPO_URL}/blob/main/docs/rules/{self.id}.md"


_RULES = [
    ("ET1001", "trail-cwl-log-group-missing",
     "CloudTrail trail has no CloudWatch Logs log group",
     "The trail's CloudWatchLogsLogGroupArn is absent, empty or AWS::NoValue in some scenario, so "
     "its events never reach CloudWatch Logs."),
    ("ET1002", "trail-cwl-role-missing",
     "CloudTrail trail has no role for CloudWatch Logs",
     "The trail's CloudWatchLogsRoleArn is absent, empty or AWS::NoValue in some scenario; CloudTrail "
     "needs a role to write to the log group."),
    ("ET1003", "trail-cwl-log-group-arn-invalid",
     "CloudWatchLogsLogGroupArn is not a log group ARN",
     "The value given is not the ARN of a log group: Ref of a log group gives its name, another "
     "resource type or attribute gives something else, or a literal is not a log group ARN ending "
     "in ':*'. CloudTrail rejects it."),
    ("ET1004", "trail-cwl-role-arn-invalid",
     "CloudWatchLogsRoleArn is not an IAM role ARN",
     "The value given is not the ARN of an IAM role: Ref of a role gives its name, a user ARN or "
     "another resource is not a role. CloudTrail rejects it."),
    ("ET1005", "trail-cwl-role-trust",
     "The trail's role cannot be assumed by CloudTrail",
     "The role's trust policy does not let the service principal cloudtrail.amazonaws.com perform "
     "sts:AssumeRole, so CloudTrail cannot use it. A trust policy IAM refuses (not a map, no "
     "Statement, no valid Effect) trusts no one."),
    ("ET1006", "trail-cwl-role-permissions",
     "The trail's role may not write the trail's log streams",
     "The policies that reach the role (inline, attached, managed, capped by a permissions "
     "boundary) do not allow both logs:CreateLogStream and logs:PutLogEvents on the log streams "
     "CloudTrail writes in the trail's log group. A policy IAM refuses (not a map, no Statement, "
     "no valid Effect) grants nothing."),
    ("WT1007", "trail-cwl-unverifiable",
     "The trail's CloudWatch Logs delivery cannot be verified from the template",
     "A link of the chain cannot be resolved here: a parameter without a value, an import, a role "
     "or policy outside the template, or a condition the analysis cannot judge. What "
     "CloudFormation itself would refuse (an intrinsic with wrong arguments, an undefined name, "
     "a reference cycle) is not this warning but an error for the trail."),
    ("ET1008", "trail-not-logging",
     "CloudTrail trail is not logging",
     "IsLogging is false in some scenario, so the trail records nothing at all."),
    # The seed's troubleshooting steps beyond delivery, tied to the trail's own log group and role.
    ("WT2001", "trail-cwl-retention",
     "The trail's log group keeps events for less than the minimum retention",
     "The RetentionInDays of the log group the trail delivers to is shorter than the rule option "
     "min_retention_days (default 365 days). A log group without RetentionInDays never expires."),
    ("WT2002", "trail-cwl-unencrypted",
     "The trail's log group is not encrypted with a KMS key",
     "The log group the trail delivers to has no KmsKeyId, so its copy of the audit records is "
     "not encrypted with a customer managed KMS key."),
    ("WT2003", "trail-cwl-subscription",
     "A subscription filter sends the trail's log group to a destination not on the allow-list",
     "An AWS::Logs::SubscriptionFilter on the trail's own log group sends its events to a "
     "destination that is not on the rule option allowed_destinations (ARN patterns; empty by "
     "default, so every subscription is reported for review)."),
    ("WT2004", "trail-log-file-validation",
     "CloudTrail log file validation is not enabled",
     "EnableLogFileValidation is not true, so the trail writes no digest files and tampering "
     "with its log files cannot be detected."),
    ("WT2005", "trail-events-excluded",
     "The trail's event selectors drop management events",
     "EventSelectors or AdvancedEventSelectors leave out management events, or one of their "
     "read-only and write halves, or the management events of some event sources."),
    ("IT2006", "trail-cwl-policy-broad",
     "The trail's role is granted more than writing to the trail's log group",
     "A policy statement that lets the trail's role deliver to its log group also allows every "
     "action ('*', 'logs:*' or another wildcard) or every log group (Resource '*', a wildcard in "
     "the log group name, region or account, another log group's ARN)."),
    # Issue 12: the seed's steps 1 (multi-region, global events), 3 (names) and 5 (watching).
    ("WT2007", "trail-not-multi-region",
     "The trail records management events in one region only, or leaves out global service events",
     "A trail that records management events has IsMultiRegionTrail missing or false, or has "
     "IncludeGlobalServiceEvents false. A trail that records no management events (data or "
     "Insights events only) is not reported when another trail of the template is a multi-region "
     "trail that records them. A multi-region trail with IncludeGlobalServiceEvents false cannot "
     "be created at all."),
    ("WT2008", "trail-cwl-log-group-name",
     "The trail's log group name does not match the configured pattern",
     "The name of the log group the trail delivers to does not match the rule option "
     "log_group_name (a pattern with * and ? wildcards). A name CloudFormation generates "
     "(<stack>-<logical ID>-<suffix>: letters, digits, hyphens) matches only a pattern that such "
     "a name can match. The rule does nothing while the option is unset."),
    ("IT2009", "trail-cwl-delivery-unwatched",
     "No alarm in the template alerts when the trail's delivery stops",
     "No AWS::CloudWatch::Alarm on the IncomingLogEvents metric (namespace AWS/Logs, dimension "
     "LogGroupName) of the trail's log group fires when no events arrive: a LessThanThreshold or "
     "LessThanOrEqualToThreshold comparison that zero events meet, TreatMissingData breaching, "
     "actions enabled, and at least one AlarmActions entry."),
]

# Options of the rules that have any; the config file schema and cfn-lint's config_definition
# are checked against these (tests/test_config.py, tests/test_cfnlint_plugin.py).
_OPTIONS = {
    "WT2001": (Option("min_retention_days", "integer", 365,
                      "Shortest retention, in days, accepted for the trail's log group "
                      "(default 365: OMB M-21-31 asks for 12 months of active storage).",
                      minimum=1),),
    "WT2003": (Option("allowed_destinations", "array", (),
                      "ARN patterns (* and ? wildcards, case-sensitive) of the destinations a "
                      "subscription filter on the trail's log group may send to; empty by default, "
                      "so every subscription is reported."),),
    "WT2008": (Option("log_group_name", "string", "",
                      "Pattern (* and ? wildcards, case-sensitive) the name of the trail's log "
                      "group must match, e.g. /aws/cloudtrail/*; empty by default, which turns the "
                      "rule off."),),
}

# The rules of the delivery chain (issue 2) and the hygiene rules of the trail's own log group,
# role and settings (issue 4).
CORE = ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "WT1007", "ET1008")
HYGIENE = ("WT2001", "WT2002", "WT2003", "WT2004", "WT2005", "IT2006")
# Issue 12: where the trail records (WT2007), what its log group is called (WT2008), and whether
# anything in the template watches its delivery (IT2009, about a resource beside the trail).
SETTINGS = ("WT2007", "WT2008", "IT2009")


@lru_cache(maxsize=1)
def _controls() -> dict[str, tuple[str, ...]]:
    text = resources.files("cfn_trailwatch").joinpath("data/nist-800-53r5.json").read_text("utf-8")
    data = json.loads(text)
    return {rule_id: tuple(entry["controls"]) for rule_id, entry in data["rules"].items()}


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    controls = _controls()
    out = {
        rule_id: Rule(rule_id, slug, title, description, controls.get(rule_id, ()),
                      _OPTIONS.get(rule_id, ()))
        for rule_id, slug, title, description in _RULES
    }
    out.update(_monitoring_rules())
    return out


# Issue 12: the monitoring chain of Security Hub CloudWatch.1-14 (WT3001-WT3014), generated from
# data/securityhub-cloudwatch-controls.json (linter/monitoring_controls.py). Opt-in.
MONITORING = tuple(f"WT30{n:02d}" for n in range(1, 15))


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _monitoring_rules() -> dict[str, Rule]:
    from . import monitoring_controls   # pure: the data file and the pattern parser

    out = {}
    for control in monitoring_controls.controls():
        cis = "; ".join(f"CIS AWS Foundations Benchmark {version} {', '.join(numbers)}"
                        for version, numbers in control.cis.items() if numbers)
        nist = (f" NIST SP 800-171 Rev. 2 (as Security Hub lists it): "
                f"{', '.join(control.nist_800_171_r2)}." if control.nist_800_171_r2 else "")
        description = (
            f"Security Hub {control.id} ({cis}): the template does not hold the monitoring chain "
            f"for {control.title}. A logging, multi-region trail that records all management "
            "events and delivers to CloudWatch Logs; an AWS::Logs::MetricFilter on the trail's log "
            f"group with the filter pattern of {control.id}; an AWS::CloudWatch::Alarm on that "
            "filter's metric that fires on a single event with its actions enabled; an SNS topic "
            "among its AlarmActions; at least one subscription to that topic. The finding names "
            f"the first broken link.{nist}")
        out[control.rule] = Rule(control.rule, "monitoring-" + _slug(control.title),
                                 f"No alarmed metric filter for {control.title} "
                                 f"(Security Hub {control.id})",
                                 description, (), (), opt_in=True)
    return out


def opt_in_enabled(prefixes: "Iterable[str]", disabled: "Iterable[str]" = ()) -> frozenset[str]:
    """The opt-in rules that ``prefixes`` (``--include-checks``/``include_checks``, matched as
    cfn-lint matches ``--include-checks``: by prefix of the ID) turn on, less ``disabled``
    (``disable`` wins)."""
    prefixes = [p for p in prefixes if p]
    off = set(disabled)
    return frozenset(rule.id for rule in rules().values()
                     if rule.opt_in and rule.id not in off
                     and any(rule.id.startswith(prefix) for prefix in prefixes))


def get(rule_id: str) -> Rule:
    return rules()[rule_id]


@lru_cache(maxsize=1)
def _docs() -> dict[str, Doc]:
    from .catalog_docs import DOCS  # the long texts: only read for docs and --explain
    from .catalog_docs_monitoring import docs as monitoring_docs

    DOCS = {**DOCS, **monitoring_docs()}
    return {rule_id: Doc(entry["why"], entry["example"], entry["fixed"], entry["limits"],
                         entry["unknown"], tuple(tuple(ref) for ref in entry.get("references", ())),
                         entry.get("details", ""), dict(entry.get("config", {})))
            for rule_id, entry in DOCS.items()}


@lru_cache(maxsize=1)
def benchmarks() -> dict[str, Any]:
    """The CIS benchmark and Security Hub data file (``data/benchmarks.json``): sources and, per
    rule, the controls it checks part of, with the benchmark version named."""
    text = resources.files("cfn_trailwatch").joinpath("data/benchmarks.json").read_text("utf-8")
    return json.loads(text)


@record(frozen=True)
class BenchmarkRow:
    """One CIS recommendation or Security Hub control a rule checks part of. ``version`` is the
    benchmark version, or for a Security Hub control a standard that contains it; ``checks``
    says which part; ``sources`` are (title, url) pairs."""

    framework: str
    version: str
    control: str
    checks: str
    sources: tuple[tuple[str, str], ...]


def benchmark_rows(rule_id: str) -> tuple[BenchmarkRow, ...]:
    """The rows of ``rule_id``: from ``data/benchmarks.json``, or for WT3001-WT3014 from
    ``data/securityhub-cloudwatch-controls.json`` (the CIS numbers Security Hub lists)."""
    data = benchmarks()
    sources = data.get("sources", {})
    out = []
    for row in data.get("rules", {}).get(rule_id, ()):
        keys = row["source"] if isinstance(row["source"], list) else [row["source"]]
        out.append(BenchmarkRow(row["framework"], row["version"], row["control"],
                                row.get("checks", ""),
                                tuple((sources[k]["title"], sources[k].get("url", ""))
                                      for k in keys)))
    if rule_id in MONITORING:
        out.extend(_monitoring_benchmark_rows(rule_id))
    return tuple(out)


def benchmark_note(rule_id: str) -> str:
    """Why a related control is not among ``rule_id``'s rows (empty when nothing is said)."""
    return benchmarks().get("notes", {}).get(rule_id, "")


def _monitoring_benchmark_rows(rule_id: str) -> list[BenchmarkRow]:
    from . import monitoring_controls

    control = monitoring_controls.control(rule_id)
    # The CIS numbers were read from the archived Security Hub page (requirements_source).
    [source] = [s for s in monitoring_controls.load()["sources"]
                if s["id"] == "securityhub-archive"]
    cited = ((source["title"], source["url"]),)
    versions = [v for v, numbers in control.cis.items() if numbers]
    standard = ("CIS AWS Foundations Benchmark " + " and ".join(versions)
                + (" standards" if len(versions) > 1 else " standard"))
    rows = [BenchmarkRow("AWS Security Hub", standard, control.id,
                         f"The monitoring chain of {control.id}: filter, alarm, topic, subscriber.",
                         cited)]
    for version, numbers in control.cis.items():
        for number in numbers:
            rows.append(BenchmarkRow("CIS AWS Foundations Benchmark", version, number,
                                     f"As Security Hub lists it for {control.id}.", cited))
    return rows


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    """The NIST SP 800-53 Rev. 5 data file: sources and, per rule, where its controls come from."""
    text = resources.files("cfn_trailwatch").joinpath("data/nist-800-53r5.json").read_text("utf-8")
    return json.loads(text)
