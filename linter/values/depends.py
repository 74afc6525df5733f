"""Which resources each resource depends on, and the reference cycles among them.

CloudFormation orders resources by their references (``Ref``, ``Fn::GetAtt``, ``${X}`` in
``Fn::Sub``) and ``DependsOn``, and refuses a template whose references form a cycle. A trail
that depends, directly or through other resources, on such a cycle can never be created, so the
trail's analysis fails closed. The resolver does not notice every cycle: a ``GetAtt`` is kept as
an atom without following the resource it names.

Every branch of ``Fn::If`` counts, as in CloudFormation's own dependency graph.
"""

from __future__ import annotations

from typing import Any

from .resolve import _SUB_VARIABLE


def dependencies(resources: dict) -> dict[str, set[str]]:
    """logical ID → the logical IDs (of ``resources``) its Properties and DependsOn name."""
    graph: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        found: set[str] = set()
        if isinstance(resource, dict):
            depends_on = resource.get("DependsOn")
            for name in depends_on if isinstance(depends_on, list) else [depends_on]:
                if isinstance(name, str):
                    found.add(name)
            _references(resource.get("Properties"), found)
        graph[logical_id] = {name for name in found if name in resources}
    return graph


def _references(value: Any, found: set[str]) -> None:
    # An explicit stack: templates may be nested deeper than Python's recursion allows.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if len(item) == 1:
                key, argument = next(iter(item.items()))
                if key == "Ref" and isinstance(argument, str):
                    found.add(argument)
                    continue
                if key == "Fn::GetAtt":
                    if isinstance(argument, str):
                        found.add(argument.split(".", 1)[0])
                        continue
                    if isinstance(argument, list) and argument and isinstance(argument[0], str):
                        found.add(argument[0])
                        stack.extend(argument[1:])
                        continue
                if key == "Fn::Sub":
                    text, variables = argument, {}
                    if isinstance(argument, list) and len(argument) == 2:
                        text, variables = argument
                        stack.append(variables)
                    if isinstance(text, str):
                        local = variables if isinstance(variables, dict) else {}
                        for match in _SUB_VARIABLE.finditer(text):
                            name = match.group(1).strip()
                            if not name.startswith("!") and name not in local:
                                found.add(name.split(".", 1)[0])
                    continue
            stack.extend(item.values())


class Cycles:
    """The reference cycles of a template's resources, and which resources depend on one.

    Built once per template: Tarjan's strongly connected components (iterative), then, in the
    order Tarjan emits them (each after every component it reaches), the first cycle each
    component reaches."""

    def __init__(self, resources: dict) -> None:
        self.graph = dependencies(resources)
        self._reaches: dict[str, tuple[str, ...] | None] = {}
        self._components()

    def reached_from(self, logical_id: str) -> tuple[str, ...] | None:
        """A cycle (``A, B, A``) that ``logical_id`` is on or depends on; None if there is none."""
        return self._reaches.get(logical_id)

    def _components(self) -> None:
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        component_of: dict[str, int] = {}
        cycle_of_component: list[tuple[str, ...] | None] = []
        for root in self.graph:
            if root in index:
                continue
            work = [(root, iter(sorted(self.graph[root])))]
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            while work:
                node, successors = work[-1]
                advanced = False
                for succ in successors:
                    if succ not in index:
                        index[succ] = low[succ] = len(index)
                        stack.append(succ)
                        on_stack.add(succ)
                        work.append((succ, iter(sorted(self.graph[succ]))))
                        advanced = True
                        break
                    if succ in on_stack:
                        low[node] = min(low[node], index[succ])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] != index[node]:
                    continue
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                number = len(cycle_of_component)
                for member in members:
                    component_of[member] = number
                cycle: tuple[str, ...] | None = None
                if len(members) > 1 or node in self.graph[node]:
                    cycle = self._cycle_within(set(members))
                else:
                    for succ in sorted(self.graph[node]):
                        if cycle_of_component[component_of[succ]] is not None:
                            cycle = cycle_of_component[component_of[succ]]
                            break
                cycle_of_component.append(cycle)
                for member in members:
                    self._reaches[member] = cycle

    def _cycle_within(self, members: set[str]) -> tuple[str, ...]:
        """One cycle through the component's first member (sorted): a breadth-first search."""
        start = min(members)
        came_from: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                for succ in sorted(self.graph[node]):
                    if succ == start:
                        path = [node]                     # node back to start, then reversed
                        while path[-1] != start:
                            path.append(came_from[path[-1]])
                        return (*reversed(path), start)
                    if succ in members and succ not in came_from and succ != start:
                        came_from[succ] = node
                        following.append(succ)
            frontier = following
        return (start, start)  # not reached: a component of two or more always has a cycle
