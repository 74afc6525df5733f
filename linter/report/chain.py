"""A trail's delivery chain as a small graph, read back from its findings' evidence, for the
Markdown report's diagrams (``report/mermaid.py``). No analysis is run again: the graph holds only
what the findings' ``evidence`` steps and messages say.

The steps the engine writes (``trail.py``; the evidence tree of ``findings.evidence_tree``):

- ``CloudWatchLogsLogGroupArn: <value> → <link> → … → log group G``: trail → log group (each
  further link a node); ``no CloudWatchLogsLogGroupArn``: a missing log group. The same for
  ``CloudWatchLogsRoleArn`` and the role.
- ``trust policy of R: <verdict>``: role → trust policy.
- ``policies reaching R: <policies>``: role → policies.
- ``logs:<Action> on <stream ARN>: <verdict>``: policies → the log streams, the allowed ones in
  one node and the refused ones in another.
- another trail property (``IsLogging: false → false``): trail → that setting.

Which link a finding breaks follows from its rule: ET1001/ET1003 the trail's link to its log
group, ET1002/ET1004 to its role, ET1005 role → trust, ET1006 policies → the refused streams (role
→ policies when no stream was named), ET1008 the trail's ``IsLogging``. Another rule, or a chain
the evidence does not show, breaks a link from the trail to the property the finding is anchored
at. The broken link carries the rule and the finding's message.

Several findings of one trail (other scenarios, other rules) make one graph: a node is its kind
and text, so the same log group is one node; a broken link replaces a working link between the
same nodes. Nodes and links keep the order they were first met in, so the graph, and its
diagram, are the same for the same findings.
"""

from __future__ import annotations

import re

from ..findings import ARROW, Located
from ..records import field, record

TRAIL, LOG_GROUP, ROLE, TRUST, POLICIES, STREAMS, SETTING, MISSING, ANCHOR = (
    "trail", "log group", "role", "trust", "policies", "streams", "setting", "missing", "anchor")

_LINK = re.compile(r"^(no )?(CloudWatchLogsLogGroupArn|CloudWatchLogsRoleArn)(?:: (.*))?$", re.S)
_STREAM = re.compile(r"^logs:[A-Za-z]+ on ")
_SETTING = re.compile(r"^([A-Z][A-Za-z0-9]*): ")
_LINK_RULES = {"ET1001": LOG_GROUP, "ET1003": LOG_GROUP, "ET1002": ROLE, "ET1004": ROLE}


@record(frozen=True)
class Node:
    id: str
    kind: str
    label: str


@record(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    broken: bool = False


@record
class Chain:
    file: str
    trail: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def broken(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.broken]


class _Builder:
    def __init__(self, file: str, trail: str) -> None:
        self.chain = Chain(file, trail)
        self._ids: dict[tuple[str, str], str] = {}
        self._edges: dict[tuple[str, str, str, bool], Edge] = {}
        self.trail = self.node(TRAIL, f"trail {trail}")

    def node(self, kind: str, label: str) -> str:
        key = (kind, label)
        if key not in self._ids:
            self._ids[key] = f"n{len(self._ids)}"   # IDs never carry a name: nothing to escape
            self.chain.nodes.append(Node(self._ids[key], kind, label))
        return self._ids[key]

    def edge(self, source: str, target: str, label: str, broken: bool = False) -> Edge:
        edge = Edge(source, target, label, broken)
        self._edges.setdefault((source, target, label, broken), edge)
        return edge

    def add(self, item: Located) -> None:
        f = item.finding
        ends: dict[str, tuple[str, str]] = {}   # kind -> (last link's source, the end node)
        trust = policies = None
        role_end = None
        allowed: list[str] = []
        refused: list[str] = []
        settings: dict[str, tuple[str, str]] = {}
        for step in f.evidence:
            links = step.split(ARROW)
            link = _LINK.match(links[0])
            if link:
                missing, prop, value = link.groups()
                kind = LOG_GROUP if prop == "CloudWatchLogsLogGroupArn" else ROLE
                if missing:
                    target = self.node(MISSING, f"no {prop}")
                    self.edge(self.trail, target, prop)
                    ends[kind] = (self.trail, target)
                    continue
                source, label = self.trail, prop
                chain = [value or ""] if len(links) == 1 else links[1:]
                if len(links) > 1:
                    label = links[0]
                for text in chain:
                    target = self.node(kind, text)
                    self.edge(source, target, label)
                    ends[kind] = (source, target)
                    source, label = target, ""
                if kind == ROLE:
                    role_end = source
            elif step.startswith("trust policy of ") and role_end is not None:
                trust = (role_end, self.node(TRUST, step))
                self.edge(*trust, "trust policy")
            elif step.startswith("policies reaching ") and role_end is not None:
                policies = (role_end, self.node(POLICIES, step))
                self.edge(*policies, "policies")
            elif _STREAM.match(step):
                verdict = step.split(": ", 1)[-1]
                (allowed if verdict.startswith("allowed") else refused).append(step)
            elif (setting := _SETTING.match(step)) and not step.startswith("Assumptions: "):
                target = self.node(SETTING, step)
                self.edge(self.trail, target, setting.group(1))
                settings[setting.group(1)] = (self.trail, target)
        grants_from = policies[1] if policies else role_end
        refused_link = None
        if grants_from is not None:
            if allowed:
                self.edge(grants_from, self.node(STREAMS, "\n".join(allowed)), "may write")
            if refused:
                refused_link = (grants_from, self.node(STREAMS, "\n".join(refused)))
                self.edge(*refused_link, "may write")
        self._break(item, ends, trust, policies, refused_link, settings)

    def _break(self, item: Located, ends: dict, trust, policies, refused_link, settings) -> None:
        f = item.finding
        if f.rule in _LINK_RULES and _LINK_RULES[f.rule] in ends:
            where = ends[_LINK_RULES[f.rule]]
        elif f.rule == "ET1005" and trust:
            where = trust
        elif f.rule == "ET1006" and (refused_link or policies):
            where = refused_link or policies
        elif f.rule == "ET1008" and "IsLogging" in settings:
            where = settings["IsLogging"]
        else:
            anchor = str(f.path[-1]) if f.path else f.resource
            where = (self.trail, self.node(ANCHOR, anchor))
        self.edge(*where, f"{f.rule}: {f.message}", broken=True)

    def done(self) -> Chain:
        broken = {(e.source, e.target) for e in self._edges.values() if e.broken}
        self.chain.edges = [e for e in self._edges.values()
                            if e.broken or (e.source, e.target) not in broken]
        return self.chain


def chains(items: list[Located], severity: str = "error") -> list[Chain]:
    """One chain per (file, trail) with a counted finding of ``severity``, in the order of the
    findings given (the reports' order); suppressed findings are never drawn."""
    builders: dict[tuple[str, str], _Builder] = {}
    for item in items:
        if item.suppression is not None or item.finding.severity != severity:
            continue
        key = (item.file, item.finding.resource)
        if key not in builders:
            builders[key] = _Builder(*key)
        builders[key].add(item)
    return [builder.done() for builder in builders.values()]
