"""What to change for each finding: the plan of one pass of ``--fix`` over one template.

A pass reads one loaded template and the analysis of it, and records, per trail, either the
edits that fix a finding (:class:`Action`) or why a person has to (:class:`Block`). Pass 1 fixes
the links and the trail's own settings (ET1001–ET1004, ET1008, WT2004); pass 2, on the template
pass 1 made, fixes what the linked role and log group need (ET1005, ET1006, WT2001), so a role
is always checked against the log group the trail ends up with.

Pass 1 also makes the trail multi-region (WT2007): ``IsMultiRegionTrail: true``, and
``IncludeGlobalServiceEvents: true`` where it is false (absent, it is true already).

Policies: a value is pointed at the log group or role it already names (``!Ref G`` becomes
``!GetAtt G.Arn``; an ``!If`` whose other branch is ``AWS::NoValue`` or ``""`` becomes that
branch); a trail naming none gets the log group its role's grants name, or the one role of the
template that trusts CloudTrail, else a new one. Nothing existing is widened or deleted: a
missing trust is a new statement, missing actions a new inline policy on the role. A Deny or a
permissions boundary that blocks delivery, a parameter, an import, or a resource outside the
template is left to a person, and said.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from .. import arn, catalog, iam
from ..findings import Finding
from ..names import LOG_GROUP, ROLE
from ..records import field, record
from ..values import (EMPTY, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef, Text,
                      Unknown, render, scalar_bool, scalar_int, scalar_text, source, unknowns_in)
from .edit import Cannot, Source

GROUP_KEY = "CloudWatchLogsLogGroupArn"
ROLE_KEY = "CloudWatchLogsRoleArn"
SERVICE = "cloudtrail.amazonaws.com"
ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
POLICY_VERSION = "2012-10-17"
INSTANCE_PROFILE = "AWS::IAM::InstanceProfile"
POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")

# The values CloudWatch Logs accepts for RetentionInDays.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)

MULTI_REGION_KEY = "IsMultiRegionTrail"
GLOBAL_KEY = "IncludeGlobalServiceEvents"

PASS_1 = ("ET1001", "ET1002", "ET1003", "ET1004", "ET1008", "WT2004", "WT2007")
PASS_2 = ("ET1005", "ET1006", "WT2001")
FIXABLE = PASS_1 + PASS_2


@record(frozen=True)
class Action:
    rule: str
    trail: str
    message: str


@record(frozen=True)
class Block:
    rule: str
    trail: str
    reason: str


@record
class Observed:
    """One analysis of a template and what the trail checks met on the way (see ``observe``)."""

    findings: list[Finding]
    errors: list[tuple[str, str]]
    checks: list[Any] = field(default_factory=list)   # the trail checks, one per trail and region

    def for_trail(self, trail_id: str) -> list[Any]:
        return [c for c in self.checks if c.trail_id == trail_id]


def retention_days(options: Any) -> int:
    """The configured WT2001 minimum, rounded up to a value CloudWatch Logs accepts."""
    given = (getattr(options, "rule_options", None) or {}).get("WT2001") or {}
    minimum = int(given.get("min_retention_days",
                            catalog.get("WT2001").defaults()["min_retention_days"]))
    return next((days for days in RETENTION_DAYS if days >= minimum), RETENTION_DAYS[-1])


def _refs(value: Any) -> set[str]:
    """Logical IDs a raw template value names (Ref, GetAtt, ${X} in Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                head = item[0] if isinstance(item, list) and item else item
                if isinstance(head, str):
                    found.add(head.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) and item else item
                if isinstance(text, str):
                    found.update(m.split(".", 1)[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
                if isinstance(item, list) and len(item) > 1:
                    found.update(_refs(item[1]))
            else:
                found.update(_refs(item))
    elif isinstance(value, list):
        for item in value:
            found.update(_refs(item))
    return found


def _sub_literal(text: str) -> str:
    """Literal text inside ``Fn::Sub``: ``${`` is written ``${!``."""
    return text.replace("${", "${!")


class Planner:
    """One pass over one template: the edits and what they fix or why they cannot."""

    def __init__(self, source: Source, observed: Observed, options: Any,
                 counts: Callable[[Finding, Any], bool], trails: set[str], taken: set[str]) -> None:
        self.src = source
        self.data = source.doc.data
        self.resources: dict = self.data["Resources"]
        self.observed = observed
        self.options = options
        self.counts = counts
        self.trails = trails
        self.taken = taken                      # logical IDs in use (shared by the passes)
        self.actions: list[Action] = []
        self.blocks: list[Block] = []
        self._new: dict[str, list[tuple[str, dict]]] = {}
        # role → (trail, trust statement) and (trail, inline policy) to add, written together
        self._statements: dict[str, list[tuple[str, dict]]] = {}
        self._policies: dict[str, list[tuple[str, dict]]] = {}
        self._done: set[tuple] = set()

    # -- driving ------------------------------------------------------------------------------------

    def findings(self, trail_id: str) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for finding in self.observed.findings:
            if finding.resource == trail_id and self.counts(finding, self.data):
                out.setdefault(finding.rule, []).append(finding)
        return out

    def run(self, rules: tuple[str, ...]) -> None:
        for trail_id in [t for t in self.resources if t in self.trails]:  # template order
            found = {rule: items for rule, items in self.findings(trail_id).items() if rule in rules}
            if not found:
                continue
            if any(t == trail_id for t, _ in self.observed.errors):
                for rule in found:
                    self.block(rule, trail_id, "the trail could not be analysed completely")
                continue
            try:
                self._trail(trail_id, found)
            except Cannot as err:
                for rule in found:
                    self.block(rule, trail_id, str(err))
        # Inner text first: insertions at one offset keep the order they were made in, and a
        # trail or role may end where the new resources go in.
        self._add_to_roles()
        self.src.finish()
        self._add_new_resources()
        self.src.finish()

    def _trail(self, trail_id: str, found: dict[str, list[Finding]]) -> None:
        if "ET1008" in found:
            self._guard(["ET1008"], trail_id, lambda: self._setting(
                trail_id, "ET1008", "IsLogging", _false, True))
        if "WT2004" in found:
            self._guard(["WT2004"], trail_id, lambda: self._setting(
                trail_id, "WT2004", "EnableLogFileValidation", _not_true, True, missing_ok=True))
        if "WT2007" in found:
            self._guard(["WT2007"], trail_id, lambda: self._fix_regions(trail_id, found["WT2007"]))
        group_rules = [r for r in ("ET1001", "ET1003") if r in found]
        role_rules = [r for r in ("ET1002", "ET1004") if r in found]
        group = None
        if group_rules:
            group = self._guard(group_rules, trail_id, lambda: self._fix_group(trail_id, group_rules))
        if role_rules:
            self._guard(role_rules, trail_id, lambda: self._fix_role(trail_id, role_rules, group))
        if "ET1005" in found:
            self._guard(["ET1005"], trail_id, lambda: self._fix_trust(trail_id))
        if "ET1006" in found:
            self._guard(["ET1006"], trail_id, lambda: self._fix_grants(trail_id))
        if "WT2001" in found:
            self._guard(["WT2001"], trail_id, lambda: self._fix_retention(trail_id))

    def _guard(self, rules: list[str], trail_id: str, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except Cannot as err:
            for rule in rules:
                self.block(rule, trail_id, str(err))
            return None

    def act(self, rule: str, trail_id: str, message: str) -> None:
        self.actions.append(Action(rule, trail_id, message))

    def block(self, rule: str, trail_id: str, reason: str) -> None:
        self.blocks.append(Block(rule, trail_id, reason))

    # -- helpers ------------------------------------------------------------------------------------

    def props_path(self, logical_id: str) -> tuple:
        return ("Resources", logical_id, "Properties")

    def props(self, logical_id: str) -> dict:
        resource = self.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        return properties if isinstance(properties, dict) else {}

    def kind(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        return resource.get("Type") if isinstance(resource, dict) else None

    def condition(self, logical_id: str) -> Any:
        resource = self.resources.get(logical_id)
        return resource.get("Condition") if isinstance(resource, dict) else None

    def same_condition(self, logical_id: str, trail_id: str) -> None:
        """A resource the trail is pointed at must exist whenever the trail does."""
        mine, theirs = self.condition(trail_id), self.condition(logical_id)
        if theirs is not None and theirs != mine:
            raise Cannot(f"{logical_id} exists only when condition {theirs} holds, the trail "
                         + (f"when {mine} holds" if mine else "always")
                         + ": decide which to create when")

    def new_id(self, base: str) -> str:
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}{number}", number + 1
        self.taken.add(candidate)
        return candidate

    def values(self, trail_id: str, raw: Any, missing: bool = False):
        """(scenario, resolved value, check) for ``raw`` wherever the trail exists."""
        seen: set[str] = set()
        for check in self.observed.for_trail(trail_id):
            resolver = check.resolver
            for s0, exists in resolver.exists(trail_id, EMPTY):
                if not exists:
                    continue
                pairs = [(s0, NoValue)] if missing else resolver.resolve(raw, s0)
                for s, value in pairs:
                    key = repr((s, value, resolver.region))
                    if key not in seen:
                        seen.add(key)
                        yield s, value, check

    def new_resource(self, trail_id: str, base: str, body: dict) -> str:
        logical_id = self.new_id(base)
        condition = self.condition(trail_id)
        resource: dict = {"Type": body.pop("Type")}
        if condition is not None:
            resource["Condition"] = condition
        resource.update(body)
        self._new.setdefault(trail_id, []).append((logical_id, resource))
        return logical_id

    def link(self, trail_id: str, key: str, value: Any, target: str) -> str:
        """``set_property`` of the trail's link to ``target``; a new resource made for a link
        that cannot be written is dropped, so no orphan goes into the file."""
        try:
            return self.set_property(trail_id, key, value)
        except Cannot:
            new = self._new.get(trail_id, [])
            new[:] = [(logical_id, body) for logical_id, body in new if logical_id != target]
            raise

    def _add_new_resources(self) -> None:
        keys = list(self.resources)
        blank = self._blank_between_resources(keys)
        for trail_id, entries in self._new.items():
            if not entries:
                continue
            self.src.insert_entries(("Resources",), entries, after=trail_id, blank_line=blank)

    def _blank_between_resources(self, keys: list[str]) -> bool:
        if self.src.is_json or len(keys) < 2:
            return False
        try:
            _, end = self.src.span(("Resources", keys[0]))
        except Cannot:
            return False
        second = self.src.key_offset(("Resources", keys[1]))
        between = self.src.text[self.src.line_end(end):self.src.line_start(second)]
        return any(not line.strip() for line in between.splitlines())

    def set_property(self, trail_id: str, key: str, value: Any) -> str:
        """Set the trail's ``key`` to ``value``; returns how it read before."""
        path = self.props_path(trail_id)
        if key in self.props(trail_id):
            before = source(self.props(trail_id)[key])
            self.src.replace((*path, key), value)
            return f" (was {before})"
        self.src.insert_entries(path, [(key, value)])  # a missing Properties is added
        return ""

    # -- settings: ET1008, WT2004, WT2001 -----------------------------------------------------------

    def _setting(self, owner: str, rule: str, key: str, bad: Callable[[Any], bool], good: Any,
                 missing_ok: bool = False, trail_id: str | None = None) -> None:
        trail_id = trail_id or owner
        if (rule, owner, key) in self._done:
            self.act(rule, trail_id, f"{key} of {owner} is set to {_show(good)} above")
            return
        path = (*self.props_path(owner), key)
        properties = self.props(owner)
        if key not in properties:
            if not missing_ok:
                self.block(rule, trail_id, f"{owner} has no {key} to change")
                return
            self.src.insert_entries(self.props_path(owner), [(key, good)])
            self._done.add((rule, owner, key))
            self.act(rule, trail_id, f"set {key} of {owner} to {_show(good)}")
            return
        leaves = list(_if_leaves(properties[key], path))
        for leaf_path, value in leaves:
            if isinstance(value, dict) and not _is_no_value(value):
                raise Cannot(_computed(key, owner, value, self.data))
        wrong = [(p, v) for p, v in leaves if bad(v)]
        if not wrong:
            raise Cannot(f"{key} of {owner} has no literal value to change")
        if all(bad(v) or v == good for _, v in leaves):
            self.src.replace(path, good)
        else:
            for leaf_path, _ in wrong:
                self.src.replace(leaf_path, good)
        self._done.add((rule, owner, key))
        shown = ", ".join(_show(v) for _, v in wrong)
        self.act(rule, trail_id, f"set {key} of {owner} to {_show(good)} (was {shown})")

    def _fix_regions(self, trail_id: str, findings: list[Finding]) -> None:
        """WT2007: each property a finding is anchored at is set to true; one anchored at the
        trail's Properties is a missing ``IsMultiRegionTrail`` (a missing
        ``IncludeGlobalServiceEvents`` is true, never reported). Both properties or neither: a
        multi-region trail that still leaves out global service events cannot be created, so a
        refusal for one drops the edit of the other."""
        keys = {f.path[-1] if f.path and f.path[-1] in (MULTI_REGION_KEY, GLOBAL_KEY)
                else MULTI_REGION_KEY for f in findings}
        wanted = [(key, bad) for key, bad in ((MULTI_REGION_KEY, _not_true), (GLOBAL_KEY, _not_on))
                  if key in keys]
        mark = (self.src.mark(), len(self.actions), set(self._done))
        try:
            for key, bad in wanted:
                self._setting(trail_id, "WT2007", key, bad, True, missing_ok=True)
        except Cannot:
            edits, actions, done = mark
            self.src.restore(edits)
            del self.actions[actions:]
            self._done = done
            raise

    def _fix_retention(self, trail_id: str) -> None:
        days = retention_days(self.options)
        groups = sorted({link.logical_id for check in self.observed.for_trail(trail_id)
                         for _, link in check.fix_groups if link is not None and link.logical_id})
        if not groups:
            raise Cannot("the trail's log group is not in this template")

        def short(value: Any) -> bool:
            return scalar_int(value) is not None and scalar_int(value) < days

        # A group the trail may write to whose retention is long enough (or unset: kept for
        # ever) is left alone; only the others are changed, or said why not.
        to_change = [group for group in groups if _may_need(self.props(group), "RetentionInDays",
                                                            short)]
        for group in to_change or groups:
            self._setting(group, "WT2001", "RetentionInDays", short, days, trail_id=trail_id)

    # -- the log group: ET1001, ET1003 --------------------------------------------------------------

    def _targets(self, trail_id: str, key: str, kind: str):
        """What the trail's ``key`` names: (template IDs of ``kind``, outside names, opaque
        values, empty or wrong values seen)."""
        properties = self.props(trail_id)
        ids: set[str] = set()
        outside: list[str] = []
        opaque: list[str] = []
        for s, value, check in self.values(trail_id, properties.get(key), key not in properties):
            if value is NoValue or value is None or value == "":
                continue
            if isinstance(value, (Parameter, Import, Unknown, Pseudo)):
                opaque.append(render(value))
                continue
            if isinstance(value, (ResourceRef, ResourceAttr)):
                target = value.logical_id
                if self.kind(target) == kind:
                    ids.add(target)
                elif kind == ROLE and self.kind(target) == INSTANCE_PROFILE:
                    roles = [r for r in _refs(self.props(target).get("Roles"))
                             if self.kind(r) == ROLE]
                    ids.update(roles[:1] if len(roles) == 1 else [])
                elif self.kind(target) is None or str(self.kind(target)).startswith("Custom::") \
                        or self.kind(target) == "AWS::CloudFormation::Stack":
                    opaque.append(f"an attribute of {target}")
                continue
            if not isinstance(value, (str, Text)):
                continue
            expanded = check.names.expand(value, s)
            if unknowns_in(expanded):
                opaque.append(render(expanded))
                continue
            if kind == LOG_GROUP:
                fields = arn.log_group_arn_fields(expanded)
                if fields is None and arn.parse_arn(expanded) is not None:
                    continue  # another service's ARN: wrong, nothing meant
                name = fields.name if fields is not None else expanded
            else:
                fields = arn.role_arn_fields(expanded)
                if fields is None and arn.parse_arn(expanded) is not None:
                    continue  # a user or another resource: wrong, nothing meant
                name = fields[3] if fields is not None else expanded
            found = check.names.find(kind, name, s)
            if found is not None:
                ids.add(found)
            else:
                outside.append(render(name))
        return ids, outside, opaque

    def _fix_group(self, trail_id: str, rules: list[str]) -> str:
        ids, outside, opaque = self._targets(trail_id, GROUP_KEY, LOG_GROUP)
        if opaque:
            raise Cannot(f"{GROUP_KEY} is {opaque[0]}, known only at deployment: give the log "
                         "group's ARN (a parameter value, or !GetAtt of a log group) by hand")
        if len(ids) > 1:
            raise Cannot(f"{GROUP_KEY} names several log groups ({', '.join(sorted(ids))}) in "
                         "different scenarios: choose one by hand")
        if not ids and outside:
            raise Cannot(f"{GROUP_KEY} names log group {outside[0]}, which is not in this "
                         f"template: give its ARN (arn:${{AWS::Partition}}:logs:<region>:<account>:"
                         f"log-group:{outside[0]}:*) or declare it")
        if ids:
            group = next(iter(ids))
            self.same_condition(group, trail_id)
            how = f"log group {group}"
        else:
            group = self._granted_group(trail_id)
            if group is not None:
                how = f"log group {group}, the one the trail's role may write to"
            else:
                days = retention_days(self.options)
                group = self.new_resource(trail_id, f"{trail_id}LogGroup", {
                    "Type": LOG_GROUP, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                    "Properties": {"RetentionInDays": days}})
                how = f"new log group {group} (RetentionInDays {days}, kept when the stack goes)"
        value = {"Fn::GetAtt": [group, "Arn"]}
        was = self.link(trail_id, GROUP_KEY, value, group)
        for rule in rules:
            self.act(rule, trail_id, f"{GROUP_KEY}: {source(value)}{was}: {how}")
        return group

    def _granted_group(self, trail_id: str) -> str | None:
        """The one log group of the template that the trail's role's policies name (the role
        the trail names, or when it names none the one ``_fix_role`` will give it)."""
        ids, outside, opaque = self._targets(trail_id, ROLE_KEY, ROLE)
        if not ids and not outside and not opaque:
            ids = set(self._trusting_roles(trail_id))
        if len(ids) != 1:
            return None
        documents = [self.props(next(iter(ids))).get("Policies")]
        role = next(iter(ids))
        for logical_id, resource in self.resources.items():
            if isinstance(resource, dict) and resource.get("Type") in POLICY_TYPES:
                properties = self.props(logical_id)
                if role in _refs(properties.get("Roles")) | _refs(properties.get("RoleName")):
                    documents.append(properties.get("PolicyDocument"))
        groups = {g for g in _refs(documents) if self.kind(g) == LOG_GROUP}
        if len(groups) != 1:
            return None
        group = next(iter(groups))
        return group if self.condition(group) in (None, self.condition(trail_id)) else None

    # -- the role: ET1002, ET1004 -------------------------------------------------------------------

    def _fix_role(self, trail_id: str, rules: list[str], group: str | None) -> None:
        ids, outside, opaque = self._targets(trail_id, ROLE_KEY, ROLE)
        if opaque:
            raise Cannot(f"{ROLE_KEY} is {opaque[0]}, known only at deployment: give the role's "
                         "ARN by hand")
        if len(ids) > 1:
            raise Cannot(f"{ROLE_KEY} names several roles ({', '.join(sorted(ids))}) in "
                         "different scenarios: choose one by hand")
        if not ids and outside:
            raise Cannot(f"{ROLE_KEY} names role {outside[0]}, which is not in this template: "
                         "give its ARN (arn:${AWS::Partition}:iam::<account>:role/<name>)")
        if ids:
            role = next(iter(ids))
            self.same_condition(role, trail_id)
            how = f"role {role}"
        else:
            trusting = self._trusting_roles(trail_id)
            if len(trusting) == 1:
                role = trusting[0]
                how = f"role {role}, the one role of the template that trusts {SERVICE}"
            else:
                resource = self._grant_resource(trail_id, group)
                role = self.new_resource(trail_id, f"{trail_id}LogsRole", {
                    "Type": ROLE, "Properties": {
                        "AssumeRolePolicyDocument": {"Version": POLICY_VERSION,
                                                     "Statement": [self.trust_statement(trail_id)]},
                        "Policies": [self.delivery_policy("CloudTrailToCloudWatchLogs",
                                                          list(ACTIONS), resource)]}})
                how = (f"new role {role}: trusts {SERVICE} (aws:SourceAccount, aws:SourceArn), "
                       f"may {' and '.join(ACTIONS)} on the trail's log streams only")
        value = {"Fn::GetAtt": [role, "Arn"]}
        was = self.link(trail_id, ROLE_KEY, value, role)
        for rule in rules:
            self.act(rule, trail_id, f"{ROLE_KEY}: {source(value)}{was}: {how}")

    def _trusting_roles(self, trail_id: str) -> list[str]:
        """The roles of the template whose trust names CloudTrail and that exist with the trail."""
        return [r for r, res in self.resources.items()
                if isinstance(res, dict) and res.get("Type") == ROLE
                and SERVICE in json.dumps(self.props(r).get("AssumeRolePolicyDocument"))
                and self.condition(r) in (None, self.condition(trail_id))]

    def _grant_resource(self, trail_id: str, group: str | None) -> Any:
        """The Resource of a new delivery grant: the trail's log streams."""
        if group is None:
            ids, outside, opaque = self._targets(trail_id, GROUP_KEY, LOG_GROUP)
            if len(ids) != 1 or outside or opaque:
                raise Cannot("the trail's log group is not known here, so a role's grant "
                             "cannot be written for it: fix the log group first")
            group = next(iter(ids))
        return self.stream_resource(trail_id, f"${{{group}}}")

    def organization(self, trail_id: str) -> bool:
        """Whether the trail is (or may be, in some scenario) an organization trail."""
        raw = self.props(trail_id).get("IsOrganizationTrail")
        if raw is None:
            return False
        for _, value, _ in self.values(trail_id, raw):
            if isinstance(value, (Parameter, Import, Unknown)):
                return True  # it may be: the organization form covers both
            if not isinstance(value, (dict, list)) and value is not NoValue \
                    and scalar_text(value).lower() == "true":
                return True
        return False

    def stream_resource(self, trail_id: str, group_name: str, partition: str = "${AWS::Partition}",
                        region: str = "${AWS::Region}", account: str = "${AWS::AccountId}") -> Any:
        """``Fn::Sub`` of the log stream ARNs CloudTrail writes in the group: the documented
        ``<account>_CloudTrail_<region>*`` prefix; for an organization trail every stream of the
        group, as the organization ID (``o-…_``) is not in the template."""
        stream = "*" if self.organization(trail_id) else f"{account}_CloudTrail_{region}*"
        return {"Fn::Sub": f"arn:{partition}:logs:{region}:{account}:log-group:{group_name}:"
                           f"log-stream:{stream}"}

    def trust_statement(self, trail_id: str) -> dict:
        name = self.props(trail_id).get("TrailName")
        trail = _sub_literal(name) if isinstance(name, str) and name else "*"
        return {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:"
                                                             "${AWS::Region}:${AWS::AccountId}:"
                                                             f"trail/{trail}"}}}}

    def delivery_policy(self, name: str, actions: list[str], resource: Any) -> dict:
        return {"PolicyName": name, "PolicyDocument": {"Version": POLICY_VERSION, "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": resource}]}}

    # -- trust: ET1005 ------------------------------------------------------------------------------

    def _fix_trust(self, trail_id: str) -> None:
        roles: dict[str, list] = {}
        for check in self.observed.for_trail(trail_id):
            for role_id, decision in check.fix_trusts:
                roles.setdefault(role_id, []).append(decision)
        failing = {r: ds for r, ds in roles.items()
                   if any(d is None or d.allowed is arn.Match.NO for d in ds)}
        if not failing:
            raise Cannot("no role of the template was found failing its trust here")
        for role_id, decisions in sorted(failing.items()):
            denies = sorted({str(ref) for d in decisions if d is not None for ref in d.deny_statements})
            if denies:
                raise Cannot(f"the trust policy of {role_id} denies {SERVICE} "
                             f"({', '.join(denies)}): a Deny is never removed automatically")
            if ("trust", role_id, trail_id) in self._done:
                continue
            self._done.add(("trust", role_id, trail_id))
            document = self.props(role_id).get("AssumeRolePolicyDocument")
            if document is not None and not (isinstance(document, dict)
                                             and isinstance(document.get("Statement"), list)):
                raise Cannot(f"the trust policy of {role_id} is not a list of statements here "
                             "(a single statement, a string or an intrinsic): add the statement "
                             f"for {SERVICE} by hand")
            self._statements.setdefault(role_id, []).append(
                (trail_id, self.trust_statement(trail_id)))
            self.act("ET1005", trail_id, f"added a statement to the trust policy of {role_id}: "
                                         f"{SERVICE} may assume it (sts:AssumeRole) for this "
                                         "account's trail (aws:SourceAccount, aws:SourceArn)")

    # -- permissions: ET1006 ------------------------------------------------------------------------

    def _fix_grants(self, trail_id: str) -> None:
        needs: dict[tuple, dict] = {}   # (role, group key) → {"group": link, "actions": set}
        for check in self.observed.for_trail(trail_id):
            for group, role, streams, reached, s, context in check.fix_grants:
                for action in ACTIONS:
                    for stream in streams:
                        decision = iam.evaluate_with_boundary(reached.policies, reached.boundary,
                                                              action, stream, context)
                        if decision.allowed is arn.Match.YES:
                            continue
                        self._grant_blockers(role.logical_id, action, stream, reached, context,
                                             decision)
                        key = (role.logical_id, group.logical_id or render(group.name))
                        need = needs.setdefault(key, {"group": group, "actions": set()})
                        need["actions"].add(action)
        if not needs:
            raise Cannot("no missing grant was found for the trail's role here")
        for (role_id, _), need in sorted(needs.items(), key=lambda kv: kv[0]):
            group = need["group"]
            actions = [a for a in ACTIONS if a in need["actions"]]
            resource = self._link_resource(trail_id, group)
            if ("grant", role_id, repr(resource), tuple(actions)) in self._done:
                continue
            self._done.add(("grant", role_id, repr(resource), tuple(actions)))
            self._add_policy(trail_id, role_id, actions, resource)
            self.act("ET1006", trail_id, f"added an inline policy to role {role_id}: "
                                         f"{' and '.join(actions)} on the log streams of "
                                         f"{group.logical_id or render(group.name)}")

    def _grant_blockers(self, role_id: str, action: str, stream: Any, reached: Any,
                        context: dict, decision: Any) -> None:
        if decision.allowed is arn.Match.MAYBE:
            raise Cannot(f"whether role {role_id} may {action} cannot be decided here")
        if decision.deny_statements:
            denies = ", ".join(sorted({str(r) for r in decision.deny_statements}))
            raise Cannot(f"role {role_id} is denied {action} by {denies}: a Deny is never "
                         "removed automatically; decide whether it should apply to CloudTrail")
        if reached.unknown:
            raise Cannot(f"policies of role {role_id} cannot all be read here: "
                         f"{reached.unknown[0]}")
        if decision.refused:
            # A new grant beside a document IAM refuses still leaves a stack that cannot deploy.
            raise Cannot(f"{decision.refused[0]}: correct that policy by hand")
        boundary = reached.boundary
        if boundary is not None:
            if isinstance(boundary, (Unknown, Parameter, Import)) or not isinstance(boundary, list):
                raise Cannot(f"the permissions boundary of role {role_id} cannot be read here")
            cap = iam.evaluate(boundary, action, stream, context)
            if cap.allowed is not arn.Match.YES:
                raise Cannot(f"the permissions boundary of role {role_id} does not allow {action}"
                             " on the trail's log streams: a new grant would not help; widening "
                             "a boundary is for a person to decide")

    def _link_resource(self, trail_id: str, group: Any) -> Any:
        if group.logical_id is not None:
            return self.stream_resource(trail_id, f"${{{group.logical_id}}}")
        parts = []
        for value in (group.partition, group.region, group.account, group.name):
            if isinstance(value, str) and value:
                parts.append(_sub_literal(value))
            elif isinstance(value, Pseudo):
                parts.append(f"${{{value.name}}}")
            else:
                raise Cannot(f"the trail's log group ARN ({render(value)}) cannot be written "
                             "into a grant here")
        partition, region, account, name = parts
        return self.stream_resource(trail_id, name, partition, region, account)

    def _add_policy(self, trail_id: str, role_id: str, actions: list[str], resource: Any) -> None:
        policies = self.props(role_id).get("Policies")
        if policies is not None and not isinstance(policies, list):
            raise Cannot(f"the Policies of role {role_id} are not a list here: add the grant by "
                         "hand")
        added = self._policies.setdefault(role_id, [])
        names = {p.get("PolicyName") for p in policies or [] if isinstance(p, dict)}
        names |= {policy["PolicyName"] for _, policy in added}
        name, number = "CloudTrailToCloudWatchLogs", 2
        while name in names:
            name, number = f"CloudTrailToCloudWatchLogs{number}", number + 1
        added.append((trail_id, self.delivery_policy(name, actions, resource)))

    def _add_to_roles(self) -> None:
        """Write the trust statements and inline policies gathered for each role, so that a
        role gets one new ``AssumeRolePolicyDocument`` or ``Policies`` key at most, however many
        trails asked (two keys would be a duplicate key)."""
        work = [("ET1005", "AssumeRolePolicyDocument", "Statement", self._statements),
                ("ET1006", "Policies", None, self._policies)]
        for rule, key, inner, gathered in work:
            for role_id, asked in gathered.items():
                items = list({repr(item): item for _, item in asked}.values())  # shared: once
                existing = self.props(role_id).get(key)
                try:
                    if existing is None:
                        value = {"Version": POLICY_VERSION, inner: items} if inner else items
                        self.src.insert_entries(self.props_path(role_id), [(key, value)])
                    else:
                        path = (*self.props_path(role_id), key, *([inner] if inner else []))
                        self.src.append_items(path, items)
                except Cannot as err:
                    for trail_id in dict.fromkeys(t for t, _ in asked):
                        self.block(rule, trail_id, str(err))


# --------------------------------------------------------------------------------------------------

def _if_leaves(value: Any, path: tuple):
    """The values an ``Fn::If`` tree can take, with their paths (the value itself otherwise)."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::If"), list) \
            and len(value["Fn::If"]) == 3:
        for index in (1, 2):
            yield from _if_leaves(value["Fn::If"][index], (*path, "Fn::If", index))
    else:
        yield path, value


def _may_need(properties: Any, key: str, bad: Callable[[Any], bool]) -> bool:
    """Whether a setting may need changing: some value of its ``Fn::If`` tree is wrong or
    computed (a parameter, an import), not when every value is right or it is unset."""
    if not isinstance(properties, dict) or key not in properties:
        return False
    return any(bad(value) or (isinstance(value, dict) and not _is_no_value(value))
               for _, value in _if_leaves(properties[key], ()))


def _is_no_value(value: Any) -> bool:
    return value == {"Ref": "AWS::NoValue"}


def _false(value: Any) -> bool:
    return scalar_bool(value) is False


def _not_true(value: Any) -> bool:
    return scalar_bool(value) is not True


def _not_on(value: Any) -> bool:
    """Not true where absent or ``AWS::NoValue`` means true (``IncludeGlobalServiceEvents``)."""
    return not _is_no_value(value) and scalar_bool(value) is not True


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return source(value) if isinstance(value, dict) else str(value)


def _computed(key: str, owner: str, value: dict, data: dict) -> str:
    refs = _refs(value)
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
    named = sorted(r for r in refs if r in parameters)
    if named:
        return (f"{key} of {owner} comes from parameter {named[0]}: change its Default and "
                "AllowedValues, or the value deployed, by hand")
    return f"{key} of {owner} is computed ({source(value)}): change it by hand"
