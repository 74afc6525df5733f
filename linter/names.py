"""What Ref and GetAtt mean per resource type: physical names and the ARNs built from them.

``Ref`` of a log group, a role or a trail is its *name*; ``Fn::GetAtt X.Arn`` is an ARN made of
that name. This module rewrites those atoms into the literal text (or canonical atoms) of the
name and ARN, so that every way of writing the same ARN — ``!GetAtt G.Arn``, ``!Sub
arn:...:log-group:${G}:*``, a literal — ends up in one comparable form. A name that the template
does not fix is the atom ``GeneratedName(X)``: the same atom wherever it appears.
"""

from __future__ import annotations

from typing import Any

from .values import (GeneratedName, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef,
                     Resolver, Scenario, Text, Unknown, concat)

LOG_GROUP = "AWS::Logs::LogGroup"
ROLE = "AWS::IAM::Role"
TRAIL = "AWS::CloudTrail::Trail"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"

# The property that names a resource of each type (its Ref value when set).
NAME_PROPERTY = {
    LOG_GROUP: "LogGroupName",
    ROLE: "RoleName",
    TRAIL: "TrailName",
    MANAGED_POLICY: "ManagedPolicyName",
}


class Names:
    """Physical names of a template's resources under one resolver (memoised per scenario)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._cache: dict[tuple[str, Scenario], Any] = {}
        self._busy: set[str] = set()
        self._by_type: dict[str, list[str]] | None = None

    def name(self, logical_id: str, scenario: Scenario) -> Any:
        """The resource's name: a literal or Text when its name property fixes it (in this
        scenario); ``GeneratedName`` when the template gives none; else an ``Unknown``."""
        key = (logical_id, scenario)
        if key in self._cache:
            result, consulted = self._cache[key]
            self.resolver.consult(consulted)   # the same assumptions, for the caller's trace
            return result
        with self.resolver.traced() as consulted:
            result = self._name(logical_id, scenario)
        self._cache[key] = (result, frozenset(consulted))
        return result

    def _name(self, logical_id: str, scenario: Scenario) -> Any:
        result: Any = GeneratedName(logical_id)
        kind = self.resolver.resource_type(logical_id)
        prop = NAME_PROPERTY.get(kind or "")
        resource = self.resolver.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if prop and isinstance(properties, dict) and prop in properties:
            result = Unknown(f"the name of {logical_id}")
            # A name defined through itself stays unknown here; trail.analyse reports the
            # reference cycle (values.depends).
            if logical_id not in self._busy:
                self._busy.add(logical_id)
                try:
                    branches = self.resolver.resolve(properties[prop], scenario)
                    values = {repr(v): v for _, v in branches}
                    if len(values) == 1:
                        value = next(iter(values.values()))
                        # A parameter or import naming the resource is that same atom wherever
                        # it appears, so it stays comparable.
                        if value is NoValue:
                            result = GeneratedName(logical_id)
                        elif isinstance(value, (str, Text, Parameter, Import, Pseudo)) and value != "":
                            result = self.expand(value, scenario)
                finally:
                    self._busy.discard(logical_id)
        return result

    def name_branches(self, logical_id: str, scenario: Scenario) -> list[tuple[Scenario, Any]]:
        """The name in each scenario its name property splits into (a parameter's Default and
        its other values…), so that choice is fixed before the rest of the chain is resolved."""
        kind = self.resolver.resource_type(logical_id)
        prop = NAME_PROPERTY.get(kind or "")
        resource = self.resolver.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if not (prop and isinstance(properties, dict) and prop in properties):
            return [(scenario, GeneratedName(logical_id))]
        return [(s_i, self.name(logical_id, s_i))
                for s_i, _ in self.resolver.resolve(properties[prop], scenario)]

    def path(self, logical_id: str, scenario: Scenario) -> Any:
        """A role's or managed policy's ``Path`` (``/`` when it has none, or it is removed);
        ``Unknown`` when the template does not fix one value for it, never a guess."""
        resource = self.resolver.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if isinstance(properties, dict) and "Path" in properties:
            branches = self.resolver.resolve(properties["Path"], scenario)
            values = {repr(v): v for _, v in branches}
            if len(values) == 1:
                value = next(iter(values.values()))
                if value is NoValue:
                    return "/"
                if isinstance(value, (str, Text, Parameter, Import, Pseudo)) and value != "":
                    return value
            return Unknown(f"the path of {logical_id}")
        return "/"

    def account(self) -> Any:
        return self.resolver._pseudo("AWS::AccountId")

    def arn(self, logical_id: str, scenario: Scenario) -> Any | None:
        """The ARN of a log group, role, trail or managed policy of the template."""
        r = self.resolver
        kind = r.resource_type(logical_id)
        name = self.name(logical_id, scenario)
        if kind == LOG_GROUP:
            return concat(["arn:", r.partition, ":logs:", r.region, ":", self.account(),
                           ":log-group:", name, ":*"])
        if kind == ROLE:
            return concat(["arn:", r.partition, ":iam::", self.account(), ":role",
                           self.path(logical_id, scenario), name])
        if kind == MANAGED_POLICY:
            return concat(["arn:", r.partition, ":iam::", self.account(), ":policy",
                           self.path(logical_id, scenario), name])
        if kind == TRAIL:
            return concat(["arn:", r.partition, ":cloudtrail:", r.region, ":", self.account(),
                           ":trail/", name])
        return None

    def expand(self, value: Any, scenario: Scenario) -> Any:
        """``value`` with every Ref/GetAtt of a named resource replaced by its name or ARN."""
        if isinstance(value, ResourceAttr):
            if value.attribute == "Arn":
                arn = self.arn(value.logical_id, scenario)
                if arn is not None:
                    return arn
            return value
        if isinstance(value, ResourceRef):
            kind = self.resolver.resource_type(value.logical_id)
            if kind == MANAGED_POLICY:
                return self.arn(value.logical_id, scenario)
            if kind in NAME_PROPERTY:
                return self.name(value.logical_id, scenario)
            return value
        if isinstance(value, Text):
            return concat(self.expand(part, scenario) for part in value.parts)
        if isinstance(value, list):
            return [self.expand(item, scenario) for item in value]
        if isinstance(value, dict):
            return {key: self.expand(item, scenario) for key, item in value.items()}
        return value

    def find(self, kind: str, name: Any, scenario: Scenario) -> str | None:
        """The logical ID of the template's resource of ``kind`` whose name is ``name``."""
        if isinstance(name, GeneratedName):
            return name.logical_id if self.resolver.resource_type(name.logical_id) == kind else None
        for logical_id in self.by_type(kind):
            if self.name(logical_id, scenario) == name:
                return logical_id
        return None

    def find_branches(self, kind: str, name: Any, scenario: Scenario) -> list[tuple[Scenario, str | None]]:
        """:meth:`find` per scenario: a resource whose name is not one value here (a parameter
        with AllowedValues, ``Fn::If``) is split over its name's branches when one of them is
        ``name``, and holds the name in those; the other branches try the next resource, and
        end with ``None`` (no resource of the template has that name there)."""
        results: list[tuple[Scenario, str | None]] = [(scenario, None)]
        for logical_id in self.by_type(kind):
            grown: list[tuple[Scenario, str | None]] = []
            for s, found in results:
                if found is not None:
                    grown.append((s, found))
                    continue
                own = self.name(logical_id, s)
                if not isinstance(own, Unknown):
                    grown.append((s, logical_id if own == name else None))
                    continue
                branches = self.name_branches(logical_id, s)
                if any(branch == name for _, branch in branches):
                    grown.extend((s_i, logical_id if branch == name else None)
                                 for s_i, branch in branches)
                else:
                    grown.append((s, None))   # no choice names it so: the scenario stays whole
            results = grown
        return results

    def by_type(self, kind: str) -> list[str]:
        """Logical IDs of the template's resources of ``kind`` (indexed once per template, so
        work stays linear in the number of trails)."""
        if self._by_type is None:
            self._by_type = {}
            for lid, res in self.resolver.resources.items():
                if isinstance(res, dict) and isinstance(res.get("Type"), str):
                    self._by_type.setdefault(res["Type"], []).append(lid)
        return self._by_type.get(kind, [])
