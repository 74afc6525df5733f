"""Every way a policy reaches a role, per scenario.

A role's permissions come from its inline ``Policies``; ``AWS::IAM::Policy`` and
``AWS::IAM::ManagedPolicy`` resources naming it in ``Roles``; ``AWS::IAM::RolePolicy``; and its
``ManagedPolicyArns`` (template managed policies and AWS managed policies from the data table).
A ``PermissionsBoundary`` caps them. A policy resource with a ``Condition`` grants only where
that condition holds.

The index of which policy resources *may* name which role is built once per template from the
unresolved text, so the work stays linear in the template's size; the candidates are then
resolved exactly in each scenario.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from . import iam
from .names import MANAGED_POLICY, ROLE, Names
from .records import field, record
from .values import (Atom, Import, NoValue, Parameter, ResourceRef, Scenario, Text, Unknown,
                     render)

POLICY = "AWS::IAM::Policy"
ROLE_POLICY = "AWS::IAM::RolePolicy"

_SUB_NAMES = re.compile(r"\$\{([^}!.][^}.]*)\}")


@record
class Reached:
    """The policies that reach a role in one scenario."""

    policies: list[tuple[str, Any]] = field(default_factory=list)   # (label, resolved document)
    boundary: list[tuple[str, Any]] | None | Unknown = None          # None: no boundary
    unknown: list[str] = field(default_factory=list)   # policies that may reach it, not readable here
    labels: list[str] = field(default_factory=list)     # every source followed, for evidence


class PolicyIndex:
    """Which policy resources may attach to which role (built once per template)."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.resolver = names.resolver
        self.by_role: dict[str, list[str]] = {}       # role logical ID → policy logical IDs
        self.by_literal: dict[str, list[str]] = {}    # literal role name → policy logical IDs
        self.anywhere: list[str] = []                  # role lists not indexable: check always
        for logical_id, resource in self.resolver.resources.items():
            if not isinstance(resource, dict):
                continue
            kind = resource.get("Type")
            properties = resource.get("Properties")
            if not isinstance(properties, dict):
                continue
            if kind in (POLICY, MANAGED_POLICY):
                target = properties.get("Roles")
            elif kind == ROLE_POLICY:
                target = properties.get("RoleName")
            else:
                continue
            if target is None:
                continue
            refs, literals, opaque = _mentions(target)
            for role in refs:
                if self.resolver.resource_type(role) == ROLE:
                    self.by_role.setdefault(role, []).append(logical_id)
                else:
                    opaque = True  # a parameter holding a role name: resolved per scenario
            for name in literals:
                self.by_literal.setdefault(name, []).append(logical_id)
            if opaque:
                self.anywhere.append(logical_id)

    def candidates(self, role_id: str, scenario: Scenario) -> list[str]:
        found = list(self.by_role.get(role_id, []))
        name = self.names.name(role_id, scenario)
        if isinstance(name, str):
            found.extend(self.by_literal.get(name, []))
        found.extend(self.anywhere)
        seen: set[str] = set()
        return [p for p in found if not (p in seen or seen.add(p))]


def _mentions(value: Any) -> tuple[set[str], set[str], bool]:
    """Refs, literal strings and whether anything else (imports, joins…) appears in ``value``."""
    refs: set[str] = set()
    literals: set[str] = set()
    opaque = False
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            literals.add(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if len(item) == 1:
                key, argument = next(iter(item.items()))
                if key == "Ref" and isinstance(argument, str):
                    refs.add(argument)
                    continue
                if key == "Fn::If" and isinstance(argument, list):
                    stack.extend(argument[1:])
                    continue
                if key == "Fn::Sub" and isinstance(argument, str) and _SUB_NAMES.fullmatch(argument):
                    refs.add(argument[2:-1].strip())
                    continue
            opaque = True
        else:
            opaque = True
    return refs, literals, opaque


class RolePolicies:
    """Resolves, per scenario, the policies and boundary of a role."""

    def __init__(self, names: Names, index: PolicyIndex) -> None:
        self.names = names
        self.resolver = names.resolver
        self.index = index

    def reach(self, role_id: str, scenario: Scenario) -> Iterator[tuple[Scenario, Reached]]:
        role = self.resolver.resources.get(role_id) or {}
        properties = role.get("Properties") if isinstance(role.get("Properties"), dict) else {}
        states: list[tuple[Scenario, Reached]] = [(scenario, Reached())]
        states = self._step(states, lambda s, r: self._inline(role_id, properties, s, r))
        states = self._step(states, lambda s, r: self._managed_arns(role_id, properties, s, r))
        states = self._step(states, lambda s, r: self._attached(role_id, s, r))
        states = self._step(states, lambda s, r: self._boundary(properties, s, r))
        return iter(states)

    # Each part may split the scenario; the Reached state is copied per branch.
    def _step(self, states, part) -> list[tuple[Scenario, Reached]]:
        out: list[tuple[Scenario, Reached]] = []
        for scenario, reached in states:
            out.extend(part(scenario, reached))
        return out

    def _inline(self, role_id: str, properties: dict, s: Scenario, reached: Reached):
        if "Policies" not in properties:
            return [(s, reached)]
        out = []
        for s_i, policies in self.resolver.resolve(properties["Policies"], s):
            r = _copy(reached)
            if policies is NoValue:
                pass   # the property is removed: no inline policies
            elif isinstance(policies, Atom):
                r.unknown.append(f"inline Policies of role {role_id} ({render(policies)})")
            elif not isinstance(policies, list):
                # a literal that is not a list: CloudFormation refuses it, so it grants nothing
                r.labels.append(f"inline Policies of role {role_id} (not a list: refused)")
            else:
                for number, policy in enumerate(policies):
                    name = policy.get("PolicyName") if isinstance(policy, dict) else None
                    label = f"inline policy {render(name) if name is not None else number} of role {role_id}"
                    document = policy.get("PolicyDocument") if isinstance(policy, dict) else None
                    self._add(r, label, document, s_i)
            out.append((s_i, r))
        return out

    def _managed_arns(self, role_id: str, properties: dict, s: Scenario, reached: Reached):
        if "ManagedPolicyArns" not in properties:
            return [(s, reached)]
        out = []
        for s_i, arns in self.resolver.resolve(properties["ManagedPolicyArns"], s):
            r = _copy(reached)
            if not isinstance(arns, list):
                r.unknown.append(f"ManagedPolicyArns of role {role_id} ({render(arns)})")
                out.append((s_i, r))
                continue
            branches = [(s_i, r)]
            for arn in arns:
                grown = []
                for s_j, r_j in branches:
                    grown.extend(self._managed(arn, s_j, r_j, f"ManagedPolicyArns of role {role_id}"))
                branches = grown
            out.extend(branches)
        return out

    def _managed(self, arn: Any, s: Scenario, reached: Reached, where: str):
        """One managed policy ARN: a policy of the template, an AWS managed one, or unknown."""
        if isinstance(arn, ResourceRef) and self.resolver.resource_type(arn.logical_id) == MANAGED_POLICY:
            return self._managed_resource(arn.logical_id, s, reached)
        expanded = self.names.expand(arn, s)
        aws = iam.aws_managed_lookup(expanded)
        if aws is not None and aws.kind != "unknown":
            # A policy a role can have is evaluated; one at the wrong path, for service-linked
            # roles only or deprecated cannot be attached (the stack would fail): it grants
            # nothing, and its label, which says why, reaches the finding's message.
            r = _copy(reached)
            r.policies.extend(aws.policies)
            r.labels.append(aws.label)
            return [(s, r)]
        for logical_id in self.names.by_type(MANAGED_POLICY):
            if self.names.arn(logical_id, s) == expanded:
                return self._managed_resource(logical_id, s, reached)
        r = _copy(reached)
        if aws is not None:
            r.unknown.append(f"managed policy {render(arn)} ({where}): {aws.reason}")
        else:
            r.unknown.append(f"managed policy {render(arn)} ({where}), not in the template "
                             "nor in the table of AWS managed policies")
        return [(s, r)]

    def _managed_resource(self, logical_id: str, s: Scenario, reached: Reached):
        out = []
        for s_i, exists in self.resolver.exists(logical_id, s):
            if exists:
                properties = self._properties(logical_id)
                out.extend(self._add_raw(reached, f"{MANAGED_POLICY} {logical_id}",
                                         properties.get("PolicyDocument"), s_i))
            else:
                out.append((s_i, reached))
        return out

    def _attached(self, role_id: str, s: Scenario, reached: Reached):
        states = [(s, reached)]
        for policy_id in self.index.candidates(role_id, s):
            kind = self.resolver.resource_type(policy_id)
            properties = self._properties(policy_id)
            target_key = "RoleName" if kind == "AWS::IAM::RolePolicy" else "Roles"
            grown = []
            for s_i, r in states:
                for s_j, exists in self.resolver.exists(policy_id, s_i):
                    if not exists:
                        grown.append((s_j, r))
                        continue
                    for s_k, targets in self.resolver.resolve(properties.get(target_key), s_j):
                        verdict = self._names_role(targets, role_id, s_k)
                        if verdict is True:
                            grown.extend(self._add_raw(r, f"{kind} {policy_id}",
                                                       properties.get("PolicyDocument"), s_k))
                            continue
                        r_k = r
                        if verdict is None:
                            r_k = _copy(r)
                            r_k.unknown.append(f"{kind} {policy_id} (its {target_key} cannot be "
                                               "resolved here)")
                        grown.append((s_k, r_k))
            states = grown
        return states

    def _names_role(self, targets: Any, role_id: str, s: Scenario) -> bool | None:
        """Whether a resolved Roles list / RoleName names the role (None: cannot tell)."""
        items = targets if isinstance(targets, list) else [targets]
        name = self.names.name(role_id, s)
        unsure = False
        for item in items:
            # The same atom is the same value (one parameter naming both), as is equal text.
            if item == ResourceRef(role_id) or item == name:
                return True
            if isinstance(item, (Parameter, Import, Unknown, Text)):
                unsure = True
        return None if unsure else False

    def _boundary(self, properties: dict, s: Scenario, reached: Reached):
        if "PermissionsBoundary" not in properties:
            return [(s, reached)]
        out = []
        for s_i, arn in self.resolver.resolve(properties["PermissionsBoundary"], s):
            if arn is NoValue:
                out.append((s_i, reached))
                continue
            holder = Reached()
            for s_j, got in self._managed(arn, s_i, holder, "PermissionsBoundary"):
                r = _copy(reached)
                if got.unknown:
                    # A boundary outside the template is usually an organisation-wide guardrail
                    # set by another team; it is disclosed, not evaluated (see docs/architecture.md).
                    aws = iam.aws_managed_lookup(self.names.expand(arn, s_j))
                    where = aws.reason if aws is not None else "outside the template"
                    r.labels.append(f"permissions boundary {render(arn)}: {where}, not evaluated")
                else:
                    r.boundary = got.policies
                    r.labels.extend(f"permissions boundary: {label}" for label in got.labels)
                out.append((s_j, r))
        return out

    def _properties(self, logical_id: str) -> dict:
        resource = self.resolver.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        return properties if isinstance(properties, dict) else {}

    def _add(self, reached: Reached, label: str, document: Any, s: Scenario) -> None:
        """Add an already resolved policy document."""
        reached.labels.append(label)
        if document is not None and document is not NoValue:
            reached.policies.append((label, as_document(self.names.expand(document, s))))

    def _add_raw(self, reached: Reached, label: str, document: Any, s: Scenario):
        """Resolve a policy document of a resource; each scenario it splits into is a branch."""
        out = []
        for s_i, resolved in self.resolver.resolve(document, s):
            r = _copy(reached)
            self._add(r, label, resolved, s_i)
            out.append((s_i, r))
        return out


def as_document(value: Any) -> Any:
    """Policy documents may be given as JSON text; read it as CloudFormation does."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _copy(reached: Reached) -> Reached:
    return Reached(list(reached.policies),
                   list(reached.boundary) if isinstance(reached.boundary, list) else reached.boundary,
                   list(reached.unknown), list(reached.labels))
