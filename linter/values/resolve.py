"""The resolver: intrinsic functions → branches of (scenario, typed value).

``Resolver.resolve(value, scenario)`` returns every value the expression can take at deployment,
each with the scenario (condition and parameter choices) it takes it under. One scenario is
threaded through the whole expression, so a choice made once holds everywhere and contradictory
branches never appear. The branch count is bounded: past ``max_branches`` an expression resolves
to ``Unknown`` instead of growing exponentially.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from .model import (Atom, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef, Text,
                    Unknown, concat, scalar_text)
from .scenario import Branches, Scenario

DEFAULT_REGION = "us-east-1"
MAX_BRANCHES = 256
MAX_DEPTH = 64  # nesting of intrinsic functions and condition references followed

# Real CloudFormation functions whose value is not followed here (an Unknown, not a problem).
_KNOWN_UNEVALUATED = frozenset({"Fn::GetAZs", "Fn::Base64", "Fn::Cidr", "Fn::Transform",
                                "Fn::ToJsonString", "Fn::Length", "Fn::ForEach"})

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def url_suffix_of(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


class _TooMany(Exception):
    pass


class Resolver:
    """Resolves values of one template for one region."""

    def __init__(self, template: dict, parameters: dict[str, Any] | None = None,
                 region: str = DEFAULT_REGION, account_id: str | None = None,
                 max_branches: int = MAX_BRANCHES, max_depth: int = MAX_DEPTH,
                 links: Any = None, stack_name: str | None = None) -> None:
        self.template = template
        # What other templates of the scan give (linter/link.py: Links): imports' values,
        # nested stacks' outputs; None: every import and stack output is opaque.
        self.links = links
        self.stack_name = stack_name
        self.resources: dict = _mapping(template.get("Resources"))
        self.parameter_defs: dict = _mapping(template.get("Parameters"))
        self.condition_defs: dict = _mapping(template.get("Conditions"))
        self.mappings: dict = _mapping(template.get("Mappings"))
        self.given: dict[str, Any] = dict(parameters or {})
        self.region = region
        self.partition = partition_of(region)
        self.account_id = account_id
        self.max_branches = max_branches
        self.max_depth = max_depth
        # Problems met while resolving (condition cycles, undefined names), and limits hit (too
        # many scenarios, references nested too deeply): callers report them as errors.
        self.problems: set[str] = set()
        self.limit_hits: set[str] = set()
        # Open traces: each collects the names of the conditions and parameters consulted while
        # it is open, so a finding can name only the assumptions its value depends on.
        self._traces: list[set[str]] = []
        self._settled_conditions: dict[str, bool] = {}
        self._functions: dict[str, Callable[[Any, Scenario, int], Branches]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::ImportValue": self._import_value,
            "Condition": self._condition_value,
        }
        for key in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
            self._functions[key] = self._boolean_function(key)

    # -- public ---------------------------------------------------------------------------

    @contextmanager
    def traced(self, isolated: bool = False) -> Iterator[set[str]]:
        """The names of the conditions and parameters consulted inside the block. ``isolated``:
        only this trace sees them (the enclosing ones do not). Use around eager work only (a
        generator suspended inside the block would leave the trace open)."""
        keys: set[str] = set()
        outer = self._traces
        if isolated:
            self._traces = []
        self._traces.append(keys)
        try:
            yield keys
        finally:
            self._traces.pop()
            if isolated:
                self._traces = outer

    def consult(self, names: Iterable[str]) -> None:
        """Record that these scenario names were consulted (see :meth:`traced`)."""
        for trace in self._traces:
            trace.update(names)

    def open_traces(self) -> set[str]:
        """Everything the open traces have collected so far."""
        return set().union(*self._traces) if self._traces else set()

    def settled(self, name: str, value: Any) -> bool:
        """True when assuming ``value`` for the scenario name says nothing: a condition that
        the given parameters (or the template) fix to one value, or a parameter that can only
        ever be "a value not listed in the template" (see :meth:`only_unlisted`)."""
        if isinstance(value, bool):
            if name not in self._settled_conditions:
                # Evaluated afresh only to count its outcomes: what it meets on the way (a cycle
                # seen from another start) was reported when the condition was first followed.
                problems, limit_hits = set(self.problems), set(self.limit_hits)
                with self.traced(isolated=True):
                    outcomes = {truth for _, truth in self.condition(name, Scenario())}
                self.problems, self.limit_hits = problems, limit_hits
                self._settled_conditions[name] = len(outcomes) == 1
            return self._settled_conditions[name]
        return isinstance(value, Atom) and self.only_unlisted(name)

    def only_unlisted(self, name: str) -> bool:
        """True for a parameter that can only ever be "a value not listed in the template" (no
        Default, no AllowedValues, an SSM parameter type): that assumption holds in every
        deployment, so it is no scenario worth naming."""
        definition, kind = self._parameter_definition(name)
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            return True
        allowed = definition.get("AllowedValues")
        return "Default" not in definition and not (isinstance(allowed, list) and allowed)

    def resolve(self, value: Any, scenario: Scenario) -> Branches:
        """All (scenario, value) branches of ``value`` (deeply: dicts and lists too).

        ``AWS::NoValue`` comes back as ``NoValue`` at the top; inside a dict it removes the key
        and inside a list the item, as CloudFormation does."""
        try:
            return self._eval(value, scenario, 0)
        except _TooMany:
            self.limit_hits.add(f"more than {self.max_branches} scenarios (--max-scenarios)")
            return [(scenario, Unknown(f"more than {self.max_branches} scenarios"))]

    def condition(self, name: str, scenario: Scenario) -> list[tuple[Scenario, bool]]:
        """The truth values condition ``name`` can take under ``scenario``, each bound."""
        try:
            return self._condition(name, scenario, 0, ())
        except _TooMany:
            self.limit_hits.add(f"condition {name} has more than {self.max_branches} scenarios "
                                "(--max-scenarios)")
            return [(scenario.with_condition(name, True), True),
                    (scenario.with_condition(name, False), False)]

    def exists(self, logical_id: str, scenario: Scenario) -> list[tuple[Scenario, bool]]:
        """Whether resource ``logical_id`` is created, by its own ``Condition``."""
        resource = self.resources.get(logical_id)
        if not isinstance(resource, dict):
            return [(scenario, False)]
        name = resource.get("Condition")
        if name is None:
            return [(scenario, True)]
        if not isinstance(name, str):
            self.problems.add(f"resource {logical_id} has a Condition that is not a name")
            return [(scenario, True), (scenario, False)]
        return self.condition(name, scenario)

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
            return resource["Type"]
        return None

    # -- evaluation -----------------------------------------------------------------------

    def _check(self, branches: Branches) -> Branches:
        if len(branches) > self.max_branches:
            raise _TooMany
        return branches

    def _eval(self, value: Any, s: Scenario, depth: int) -> Branches:
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                function = self._functions.get(key)
                if function is not None:
                    if key == "Condition" and not isinstance(value[key], str):
                        return self._eval_dict(value, s, depth)
                    if depth > self.max_depth:
                        self.limit_hits.add(f"intrinsic functions nested deeper than "
                                            f"{self.max_depth} levels (--max-reference-depth)")
                        return [(s, Unknown("intrinsic functions nested too deeply"))]
                    return function(value[key], s, depth + 1)
                if isinstance(key, str) and key.startswith("Fn::"):
                    if key not in _KNOWN_UNEVALUATED:
                        self.problems.add(f"unknown intrinsic function {key}")
                    return [(s, Unknown(f"{key} is not evaluated here"))]
            return self._eval_dict(value, s, depth)
        if isinstance(value, list):
            return self._eval_list(value, s, depth)
        return [(s, value)]

    def _eval_dict(self, value: dict, s: Scenario, depth: int) -> Branches:
        results: list[tuple[Scenario, dict]] = [(s, {})]
        for key, item in value.items():
            grown: list[tuple[Scenario, dict]] = []
            for s_i, acc in results:
                item_branches = self._eval(item, s_i, depth + 1)
                single = len(results) == 1 and len(item_branches) == 1
                for s_j, resolved in item_branches:
                    target = acc if single else dict(acc)
                    if resolved is not NoValue:
                        target[key] = resolved
                    grown.append((s_j, target))
            results = self._check(grown)
        return results  # type: ignore[return-value]

    def _eval_list(self, value: list, s: Scenario, depth: int) -> Branches:
        results: list[tuple[Scenario, list]] = [(s, [])]
        for item in value:
            grown: list[tuple[Scenario, list]] = []
            for s_i, acc in results:
                item_branches = self._eval(item, s_i, depth + 1)
                single = len(results) == 1 and len(item_branches) == 1
                for s_j, resolved in item_branches:
                    target = acc if single else list(acc)
                    if resolved is not NoValue:
                        target.append(resolved)
                    grown.append((s_j, target))
            results = self._check(grown)
        return results  # type: ignore[return-value]

    def _eval_all(self, items: list, s: Scenario, depth: int) -> list[tuple[Scenario, list]]:
        """Resolve each item in turn, threading the scenario (NoValue kept, not dropped)."""
        results: list[tuple[Scenario, list]] = [(s, [])]
        for item in items:
            grown = []
            for s_i, acc in results:
                for s_j, resolved in self._eval(item, s_i, depth):
                    grown.append((s_j, acc + [resolved]))
            results = self._check(grown)
        return results

    def _malformed_condition(self, s: Scenario, message: str) -> list[tuple[Scenario, bool]]:
        """:meth:`_malformed` for a condition function: either truth value, and a problem."""
        self.problems.add(message)
        return [(s, True), (s, False)]

    def _malformed(self, s: Scenario, message: str) -> Branches:
        """An intrinsic with the wrong arguments: CloudFormation rejects the template, so the
        analysis cannot stand on it (a problem, reported as an error) and the value is Unknown."""
        self.problems.add(message)
        return [(s, Unknown(message))]

    # -- Ref and pseudo parameters -------------------------------------------------------

    def _ref(self, name: Any, s: Scenario, depth: int) -> Branches:
        if not isinstance(name, str):
            return self._malformed(s, "Ref needs a name")
        if name in self.parameter_defs:
            return self._parameter(name, s)
        if name.startswith("AWS::"):
            return [(s, self._pseudo(name))]
        if name in self.resources:
            return [(s, ResourceRef(name))]
        self.problems.add(f"Ref to {name}, which the template does not define")
        return [(s, Unknown(f"Ref to undefined {name}"))]

    def _pseudo(self, name: str) -> Any:
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::URLSuffix":
            return url_suffix_of(self.region)
        if name == "AWS::AccountId":
            return self.account_id if self.account_id else Pseudo(name)
        if name == "AWS::NoValue":
            return NoValue
        if name == "AWS::StackName" and self.stack_name:
            return self.stack_name
        if name in ("AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"):
            return Pseudo(name)
        return Unknown(f"unknown pseudo parameter {name}")

    def _parameter_definition(self, name: str) -> tuple[dict, str]:
        """A parameter's definition (a mapping, empty when malformed) and its Type (String by
        default)."""
        definition = self.parameter_defs.get(name)
        definition = definition if isinstance(definition, dict) else {}
        kind = definition.get("Type") if isinstance(definition.get("Type"), str) else "String"
        return definition, kind

    def _listed(self, name: str) -> set[str]:
        """The values a parameter's definition lists (Default, AllowedValues), as text: the
        atom ``Parameter(name)`` stands for any value *but* these (see :meth:`_parameter`)."""
        definition, kind = self._parameter_definition(name)
        is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
        values = [definition["Default"]] if "Default" in definition else []
        allowed = definition.get("AllowedValues")
        values += allowed if isinstance(allowed, list) else []
        return {scalar_text(_parameter_literal(v, False)) for v in values if not is_list}

    def _parameter(self, name: str, s: Scenario) -> Branches:
        if self._traces:
            self.consult((name,))
        if name in s.parameters:
            return [(s, s.parameters[name])]
        definition, kind = self._parameter_definition(name)
        is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
        if name in self.given:
            return [(s, _parameter_literal(self.given[name], is_list))]
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            # The Default names an SSM parameter; the value comes from SSM at deployment.
            return [(s.with_parameter(name, Parameter(name)), Parameter(name))]
        options: list[Any] = []
        if "Default" in definition:
            options.append(_parameter_literal(definition["Default"], is_list))
        allowed = definition.get("AllowedValues")
        if isinstance(allowed, list) and allowed:
            for value in allowed:
                literal = _parameter_literal(value, is_list)
                if literal not in options:
                    options.append(literal)
        else:
            options.append(Parameter(name))
        return self._check([(s.with_parameter(name, option), option) for option in options])

    # -- GetAtt, Sub, Join ---------------------------------------------------------------

    def _get_att(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return self._malformed(s, "Fn::GetAtt needs [resource, attribute]")
        logical_id, attribute = argument
        if logical_id not in self.resources:
            self.problems.add(f"Fn::GetAtt of {logical_id}, which the template does not define")
            return [(s, Unknown(f"Fn::GetAtt of undefined {logical_id}"))]
        out: Branches = []
        for s_i, name in self._eval(attribute, s, depth):
            linked = self.links.outputs.get((logical_id, name)) if self.links is not None \
                and isinstance(name, str) else None
            if linked is not None:   # a nested stack's output, read from its template
                out.extend(self._eval(linked, s_i, depth))
            elif isinstance(name, str):
                out.append((s_i, ResourceAttr(logical_id, name)))
            else:
                out.append((s_i, Unknown(f"Fn::GetAtt of {logical_id} with an attribute not known here")))
        return out

    def _sub(self, argument: Any, s: Scenario, depth: int) -> Branches:
        variables: dict = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                return self._malformed(s, "Fn::Sub needs a string or [string, variables]")
            argument, variables = argument
        if not isinstance(argument, str):
            return self._malformed(s, "Fn::Sub needs a string")
        pieces: list[Any] = []   # literal text, or a callable resolving one variable
        last = 0
        for match in _SUB_VARIABLE.finditer(argument):
            pieces.append(argument[last:match.start()])
            inner = match.group(1)
            if inner.startswith("!"):
                pieces.append("${" + inner[1:] + "}")
            else:
                pieces.append(("var", inner.strip()))
            last = match.end()
        pieces.append(argument[last:])
        results: list[tuple[Scenario, list]] = [(s, [])]
        for piece in pieces:
            if isinstance(piece, str):
                results = [(s_i, acc + [piece]) for s_i, acc in results]
                continue
            name = piece[1]
            grown = []
            for s_i, acc in results:
                for s_j, value in self._sub_variable(name, variables, s_i, depth):
                    grown.append((s_j, acc + [value]))
            results = self._check(grown)
        return [(s_i, _join_text(parts)) for s_i, parts in results]

    def _sub_variable(self, name: str, variables: dict, s: Scenario, depth: int) -> Branches:
        if name in variables:
            return self._eval(variables[name], s, depth)
        if name in self.parameter_defs or name.startswith("AWS::") or name in self.resources:
            return self._ref(name, s, depth)
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            if logical_id in self.resources:
                return [(s, ResourceAttr(logical_id, attribute))]
        self.problems.add(f"Fn::Sub variable ${{{name}}} is not defined")
        return [(s, Unknown(f"Fn::Sub variable {name} is not defined"))]

    def _join(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if not (isinstance(argument, list) and len(argument) == 2) \
                or isinstance(argument[0], (list, bool)) or _literal_scalar(argument[1]):
            return self._malformed(s, "Fn::Join needs [delimiter, list]")
        out: Branches = []
        for s_i, delimiter in self._eval(argument[0], s, depth):
            if not isinstance(delimiter, str):
                out.append((s_i, Unknown("Fn::Join delimiter not known here")))
                continue
            for s_j, items in self._eval(argument[1], s_i, depth):
                if not isinstance(items, list):
                    out.append((s_j, Unknown("Fn::Join of a list not known here")))
                    continue
                parts: list[Any] = []
                for index, item in enumerate(items):
                    if index:
                        parts.append(delimiter)
                    if isinstance(item, (list, dict)):
                        parts.append(Unknown("Fn::Join of a nested list or map"))
                    else:
                        parts.append(item)
                out.append((s_j, _join_text(parts)))
        return self._check(out)

    # -- If, Select, Split, FindInMap, ImportValue ---------------------------------------

    def _if(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            return self._malformed(s, "Fn::If needs [condition, value if true, value if false]")
        out: Branches = []
        for s_i, truth in self._condition(argument[0], s, depth, ()):
            out.extend(self._eval(argument[1] if truth else argument[2], s_i, depth))
        return self._check(out)

    def _select(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if not (isinstance(argument, list) and len(argument) == 2) or _literal_scalar(argument[1]):
            return self._malformed(s, "Fn::Select needs [index, list]")
        index, items = argument
        if _literal_scalar(index):
            # An index and a list written in the template: CloudFormation checks them itself.
            position = _index_number(index)
            if position is None:
                return self._malformed(s, f"Fn::Select index {index!r} is not a number")
            if isinstance(items, list) and not 0 <= position < len(items):
                return self._malformed(s, f"Fn::Select index {position} is outside its list of "
                                          f"{len(items)}")
        out: Branches = []
        for s_i, (index, items) in self._eval_all(argument, s, depth):
            position = _index_number(index)
            if position is None:
                out.append((s_i, Unknown("Fn::Select index not known here")))
            elif not isinstance(items, list):
                out.append((s_i, Unknown("Fn::Select from a list not known here")))
            elif not 0 <= position < len(items):
                out.append((s_i, Unknown(f"Fn::Select index {position} is outside the list")))
            else:
                out.append((s_i, items[position]))
        return self._check(out)

    def _split(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if not (isinstance(argument, list) and len(argument) == 2) \
                or isinstance(argument[0], (list, bool)) or isinstance(argument[1], list):
            return self._malformed(s, "Fn::Split needs [delimiter, string]")
        out: Branches = []
        for s_i, (delimiter, source) in self._eval_all(argument, s, depth):
            if isinstance(delimiter, str) and delimiter and isinstance(source, str):
                out.append((s_i, source.split(delimiter)))
            else:
                out.append((s_i, Unknown("Fn::Split of a value not known here")))
        return self._check(out)

    def _find_in_map(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            return self._malformed(s, "Fn::FindInMap needs [map, key, key]")
        default_given = len(argument) == 4
        default = argument[3].get("DefaultValue") if default_given and isinstance(argument[3], dict) else None
        out: Branches = []
        if isinstance(argument[0], str) and argument[0] not in self.mappings:
            return self._malformed(s, f"Fn::FindInMap of map {argument[0]}, which the template "
                                      "does not define")
        for s_i, keys in self._eval_all(argument[:3], s, depth):
            map_name = keys[0]
            mapping = self.mappings.get(map_name) if isinstance(map_name, str) else None
            if not isinstance(mapping, dict):
                out.append((s_i, Unknown(f"Fn::FindInMap of a map not in the template")))
                continue
            for s_j, level in self._map_step(mapping, keys[1], s_i):
                if not isinstance(level, dict):
                    out.extend(self._map_missing(default_given, default, s_j, depth))
                    continue
                for s_k, found in self._map_step(level, keys[2], s_j):
                    if found is None:
                        out.extend(self._map_missing(default_given, default, s_k, depth))
                    else:
                        out.extend(self._eval(found, s_k, depth))
        return self._check(out)

    def _map_step(self, level: dict, key: Any, s: Scenario) -> list[tuple[Scenario, Any]]:
        if not isinstance(key, Atom):
            return [(s, level.get(scalar_text(key)))]
        if isinstance(key, Parameter):
            # A free parameter used as a key must be one of the map's keys to deploy at all.
            return [(s.with_parameter(key.name, k), v) for k, v in level.items()]
        return [(s, v) for v in level.values()]

    def _map_missing(self, default_given: bool, default: Any, s: Scenario, depth: int) -> Branches:
        if default_given:
            return self._eval(default, s, depth)
        return [(s, Unknown("Fn::FindInMap key is not in the map"))]

    def _import_value(self, argument: Any, s: Scenario, depth: int) -> Branches:
        if isinstance(argument, (list, bool)) or argument is None or argument == "":
            return self._malformed(s, "Fn::ImportValue needs the name of an export")
        out: Branches = []
        for s_i, name in self._eval(argument, s, depth):
            if self.links is None or not isinstance(name, str):
                out.append((s_i, Import(name)))
                continue
            key = (self.region, name)
            linked = self.links.exports.get(key)
            if linked is None:
                out.append((s_i, Import(name, self.links.missing.get(key, ""))))
                continue
            value, condition, where = linked
            for s_j, created in ([(s_i, True)] if condition is None
                                 else self._condition(condition, s_i, depth, ())):
                if created:
                    out.extend(self._eval(value, s_j, depth))
                else:
                    out.append((s_j, Import(name, f"{where} is not created here")))
        return self._check(out)

    # -- conditions -----------------------------------------------------------------------

    def _condition_value(self, name: Any, s: Scenario, depth: int) -> Branches:
        return list(self._condition(name, s, depth, ()))

    def _boolean_function(self, key: str) -> Callable[[Any, Scenario, int], Branches]:
        """A condition function used as a value: its truth value(s)."""
        def evaluate(argument: Any, s: Scenario, depth: int) -> Branches:
            return list(self._truth({key: argument}, s, depth, ()))
        return evaluate

    def _condition(self, name: str, s: Scenario, depth: int, stack: tuple[str, ...]
                   ) -> list[tuple[Scenario, bool]]:
        if self._traces:
            self.consult((name,))
        if name in s.conditions:
            return [(s, s.conditions[name])]
        definition = self.condition_defs.get(name)
        if definition is None or name in stack or depth > self.max_depth:
            if definition is None:
                self.problems.add(f"condition {name} is not defined")
            elif name in stack:
                self.problems.add("condition cycle: " + " -> ".join(stack + (name,)))
            else:
                self.limit_hits.add(f"condition {name} nests deeper than {self.max_depth} levels "
                                    "(--max-reference-depth)")
            return [(s.with_condition(name, True), True), (s.with_condition(name, False), False)]
        outcomes = self._truth(definition, s, depth + 1, stack + (name,))
        return self._check(_dedupe([(s_i.with_condition(name, truth), truth) for s_i, truth in outcomes]))

    def _truth(self, expression: Any, s: Scenario, depth: int, stack: tuple[str, ...]
               ) -> list[tuple[Scenario, bool]]:
        if isinstance(expression, bool):
            return [(s, expression)]
        if isinstance(expression, str) and expression.lower() in ("true", "false"):
            return [(s, expression.lower() == "true")]
        if not (isinstance(expression, dict) and len(expression) == 1):
            return self._malformed_condition(s, f"a condition must be a condition function, "
                                                f"not {_shape(expression)}")
        key, argument = next(iter(expression.items()))
        if key == "Condition":
            if isinstance(argument, str):
                return self._condition(argument, s, depth, stack)
            return self._malformed_condition(s, "Condition needs the name of a condition")
        if key == "Fn::Not":
            if isinstance(argument, list) and len(argument) == 1:
                return [(s_i, not truth) for s_i, truth in self._truth(argument[0], s, depth, stack)]
            return self._malformed_condition(s, "Fn::Not needs [condition]")
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
                return self._malformed_condition(s, f"{key} needs a list of 2 to 10 conditions")
            decisive = key == "Fn::Or"   # the value that ends the evaluation early
            results: list[tuple[Scenario, bool]] = [(s, not decisive)]
            for part in argument:
                grown = []
                for s_i, so_far in results:
                    if so_far == decisive:
                        grown.append((s_i, so_far))
                    else:
                        grown.extend(self._truth(part, s_i, depth, stack))
                results = self._check(_dedupe(grown))
            return results
        if key == "Fn::Equals":
            if not (isinstance(argument, list) and len(argument) == 2):
                return self._malformed_condition(s, "Fn::Equals needs [value, value]")
            out = []
            for s_i, (left, right) in self._eval_all(argument, s, depth):
                out.extend(_equals(left, right, s_i, self._listed))
            return self._check(_dedupe(out))
        # Any other function (an If over conditions, a FindInMap of booleans…): its value.
        out = []
        for s_i, value in self._eval(expression, s, depth):
            if isinstance(value, bool):
                out.append((s_i, value))
            elif isinstance(value, str) and value.lower() in ("true", "false"):
                out.append((s_i, value.lower() == "true"))
            else:
                out.extend([(s_i, True), (s_i, False)])
        return self._check(_dedupe(out))


# -- helpers ----------------------------------------------------------------------------

def _literal_scalar(value: Any) -> bool:
    """A number, boolean, string or null written in the template (no intrinsic function)."""
    return value is None or isinstance(value, (str, int, float, bool))


def _index_number(value: Any) -> int | None:
    """A Select index as a number: 1, "1", 1.0; None for anything else (an atom, null, true,
    "first", 1.5, nan, inf)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a map of " + ", ".join(sorted(map(str, value))[:3]) if value else "an empty map"
    if isinstance(value, list):
        return "a list"
    return repr(value) if len(repr(value)) <= 40 else type(value).__name__


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _parameter_literal(value: Any, is_list: bool) -> Any:
    if is_list:
        if isinstance(value, list):
            return [scalar_text(v) for v in value]
        return scalar_text(value).split(",") if scalar_text(value) else []
    if isinstance(value, list):
        return ",".join(scalar_text(v) for v in value)
    return scalar_text(value)


def _join_text(parts: list[Any]) -> Any:
    """Concatenate resolved parts; NoValue inside a string is an error in CloudFormation."""
    cleaned = []
    for part in parts:
        if part is NoValue:
            cleaned.append(Unknown("AWS::NoValue inside a string"))
        elif isinstance(part, (list, dict)):
            cleaned.append(Unknown("a list or map inside a string"))
        else:
            cleaned.append(part)
    return concat(cleaned)


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, (dict, Atom)):
        return value
    return scalar_text(value)


def _equals(left: Any, right: Any, s: Scenario,
            listed: Any = lambda name: set()) -> list[tuple[Scenario, bool]]:
    left_atom, right_atom = isinstance(left, Atom), isinstance(right, Atom)
    if not left_atom and not right_atom:
        return [(s, _normal(left) == _normal(right))]
    if left == right:
        return [(s, True)]
    for free, other in ((left, right), (right, left)):
        if isinstance(free, Parameter) and not isinstance(other, Atom) and not isinstance(other, (list, dict)):
            if scalar_text(other) in listed(free.name):
                # "A value not listed" is never one the definition lists (its Default).
                return [(s, False)]
            # "Some value not listed" may be this one: bind it when the comparison holds.
            return [(s.with_parameter(free.name, scalar_text(other)), True), (s, False)]
    return [(s, True), (s, False)]


def _dedupe(branches: list[tuple[Scenario, Any]]) -> list[tuple[Scenario, Any]]:
    seen: set = set()
    out = []
    for scenario, value in branches:
        key = (scenario, repr(value))
        if key not in seen:
            seen.add(key)
            out.append((scenario, value))
    return out
