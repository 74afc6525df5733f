"""The rule catalogue: the one source of rule metadata.

Everything that shows a rule (findings, text/JSON/SARIF reports, the cfn-lint adapters, the
rule docs) reads it from here. IDs are stable; the first letter is the severity, as cfn-lint
reads it (E error, W warning, I informational). NIST SP 800-53 Rev. 5 controls come from the
data file ``data/nist-800-53r5.json``, which records where each list came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

REPO_URL = "https://github.com/cfn-trailwatch/cfn-trailwatch"
SEVERITIES = {"E": "error", "W": "warning", "I": "info"}


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    title: str
    description: str
    controls: tuple[str, ...] = field(default=())

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
     "sts:AssumeRole, so CloudTrail cannot use it."),
    ("ET1006", "trail-cwl-role-permissions",
     "The trail's role may not write the trail's log streams",
     "The policies that reach the role (inline, attached, managed, capped by a permissions "
     "boundary) do not allow both logs:CreateLogStream and logs:PutLogEvents on the log streams "
     "CloudTrail writes in the trail's log group."),
    ("WT1007", "trail-cwl-unverifiable",
     "The trail's CloudWatch Logs delivery cannot be verified from the template",
     "A link of the chain cannot be resolved here: a parameter without a value, an import, a role "
     "or policy outside the template, or a condition the analysis cannot judge."),
    ("ET1008", "trail-not-logging",
     "CloudTrail trail is not logging",
     "IsLogging is false in some scenario, so the trail records nothing at all."),
]


@lru_cache(maxsize=1)
def _controls() -> dict[str, tuple[str, ...]]:
    text = resources.files("cfn_trailwatch").joinpath("data/nist-800-53r5.json").read_text("utf-8")
    data = json.loads(text)
    return {rule_id: tuple(entry["controls"]) for rule_id, entry in data["rules"].items()}


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    controls = _controls()
    return {
        rule_id: Rule(rule_id, slug, title, description, controls.get(rule_id, ()))
        for rule_id, slug, title, description in _RULES
    }


def get(rule_id: str) -> Rule:
    return rules()[rule_id]
