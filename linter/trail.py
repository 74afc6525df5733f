"""The trail analysis: for every trail and every scenario, follow the chain to CloudWatch Logs.

Trail → ``CloudWatchLogsLogGroupArn`` → log group; trail → ``CloudWatchLogsRoleArn`` → role →
trust policy (``cloudtrail.amazonaws.com`` may assume it) → the policies that reach the role →
``logs:CreateLogStream`` and ``logs:PutLogEvents`` on the log streams CloudTrail writes. Each
broken link is a finding anchored at the trail's property, with the scenario it holds in and the
evidence followed. What cannot be resolved here is WT1007, never a pass and never a failure.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import arn, delivery_alarm, hygiene, iam, link, load, monitoring, records
from .records import field, record
from .values import choices
from .findings import Finding, Note, scoped
from .names import LOG_GROUP, ROLE, TRAIL, Names
from .reach import PolicyIndex, Reached, RolePolicies, as_document
from .values import (EMPTY, Atom, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef, Resolver,
                     Scenario, Text, Unknown, render, source, unknowns_in)
from .values.depends import Cycles
from .values.resolve import DEFAULT_REGION, MAX_BRANCHES
from .values.resolve import MAX_DEPTH as MAX_REFERENCE_DEPTH

GROUP_KEY = "CloudWatchLogsLogGroupArn"
ROLE_KEY = "CloudWatchLogsRoleArn"
SERVICE = "cloudtrail.amazonaws.com"
ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")

# Resource types whose attributes come from outside the template.
_OPAQUE_TYPES = ("AWS::CloudFormation::Stack", "AWS::CloudFormation::CustomResource",
                 "AWS::Serverless::Application")


@record
class Options:
    """What an analysis is given: parameter values, regions, account, limits, rule options."""
    parameters: dict[str, Any] = field(default_factory=dict)   # given values: str or list of str
    regions: tuple[str, ...] = (DEFAULT_REGION,)
    account_id: str | None = None
    max_branches: int = MAX_BRANCHES                 # scenarios one expression may split into
    max_reference_depth: int = MAX_REFERENCE_DEPTH   # nesting of intrinsics and conditions
    # Options per rule ID, e.g. {"WT2001": {"min_retention_days": 400}} (see catalog.Option).
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The opt-in rules to run (catalog.opt_in_enabled); empty: none, and the default run pays
    # nothing for them (WT3001-WT3014, linter/monitoring.py).
    opt_in: frozenset[str] = frozenset()
    stack_name: str | None = None   # the stack's name, when given (AWS::StackName)


@record
class Analysis:
    """What the analysis of one template found."""
    findings: list[Finding]
    trails: int
    errors: list[tuple[str, str]]   # (trail or metric filter logical ID, message)
    notes: list[Note] = field(default_factory=list)   # said, never failing (linter/monitoring.py)
    # The metric filters checked on their own (no trail of the template exists where they do),
    # each with its control's rule: (filter logical ID, rule ID), in template order.
    filters: list[tuple[str, str]] = field(default_factory=list)


@record
class _GroupLink:
    """The log group a trail's CloudWatchLogsLogGroupArn leads to."""
    logical_id: str | None    # the template's log group, or None for one outside the template
    partition: Any
    region: Any
    account: Any
    name: Any
    evidence: str
    # the assumptions the group's name was resolved under (the streams depend on them; its
    # retention or key do not)
    name_keys: frozenset = frozenset()


@record
class _RoleLink:
    """The role a trail's CloudWatchLogsRoleArn leads to."""
    logical_id: str
    evidence: str


def trail_ids(template: Any) -> list[str]:
    return load.resources_of_type(template, TRAIL)


def analyse_template(template: Any, options: Options | None = None) -> list[Finding]:
    return analyse(template, options).findings


def analyse(template: Any, options: Options | None = None, linked: Any = None) -> Analysis:
    """Every trail of ``template``; with ``linked`` (linter/link.py: Linked), the template
    merged with the templates it imports from and nests, whose own trails (the nested ones')
    are analysed too, and whose exporters' are not (they are their own files')."""
    options = options or Options()
    links, parameters = None, options.parameters
    if linked is not None:
        template, links, parameters = linked.template, linked.links, linked.parameters
        trails = [t for t in trail_ids(template) if not link.is_foreign(t)] + linked.anchors
    else:
        trails = trail_ids(template)
    found: dict[tuple, Finding] = {}
    errors: list[tuple[str, str]] = []
    if trails:
        shared = _parameters_named_like_resources(template)
        for trail_id in trails:
            for name in shared:
                _add_error(errors, trail_id, f"trail {trail_id} cannot be created: {name} is declared "
                                             "both as a parameter and as a resource; CloudFormation "
                                             "refuses a template whose logical IDs are not unique")
        # A Ref of such a name inside its own resource would read as a reference of the resource
        # to itself: the duplicate is the error to report, not a cycle through it.
        cycles = Cycles({lid: res for lid, res in template["Resources"].items() if lid not in shared})
        for trail_id in trails:
            cycle = cycles.reached_from(trail_id)
            if cycle is not None:
                _add_error(errors, trail_id, f"trail {trail_id} cannot be created: its resources "
                                             f"depend on a reference cycle ({' -> '.join(cycle)}), "
                                             "which CloudFormation refuses")
    filters = monitoring.filters_to_check(template, options.opt_in)
    if linked is not None:   # an exporter's filters are checked in its own file
        filters = [f for f in filters if link.FILE_SEPARATOR not in f]
    alone = monitoring.Standalone()
    notes: dict[tuple, Note] = {}
    # several regions: per finding, the regions it is found in, with its message there
    regions_of: dict[tuple, dict[str, str]] = {}
    for region in options.regions or (DEFAULT_REGION,):
        if not trails and not filters:
            break
        resolver = Resolver(template, parameters, region, options.account_id,
                            options.max_branches, options.max_reference_depth, links,
                            options.stack_name)
        names = Names(resolver)
        policies = RolePolicies(names, PolicyIndex(names))
        region_label = region if len(options.regions) > 1 else None
        for trail_id in trails:
            # What the resolver meets while following this trail: an undefined condition or
            # name, a cycle, a limit hit. The analysis is not trustworthy then: fail closed.
            resolver.problems.clear()
            resolver.limit_hits.clear()
            check = _TrailCheck(resolver, names, policies, trail_id, region_label,
                                rule_options=options.rule_options)
            check.opt_in = options.opt_in
            try:
                check.run()
            except Exception as err:  # noqa: BLE001 - one trail's bug must not hide the others
                errors.append((trail_id, f"internal error while analysing trail {trail_id}: "
                                         f"{type(err).__name__}: {err}"))
            for finding in check.findings:
                found.setdefault((finding.resource, finding.rule, finding.path), finding)
                if region_label:
                    _seen_in(regions_of, region, finding)
            for note in check.notes:
                notes.setdefault((note.rule, note.path, note.message), note)
            _add_problems(errors, resolver, trail_id, "trail")
        if filters:
            resolver.problems.clear()
            resolver.limit_hits.clear()
            before = len(alone.findings)   # what follows is this region's
            try:
                monitoring.standalone(resolver, names, filters, trails, options.opt_in,
                                      region_label, alone)
            except Exception as err:  # noqa: BLE001 - reported on the first filter, not raised
                _add_error(errors, filters[0], f"internal error while checking metric filter "
                                               f"{filters[0]}: {type(err).__name__}: {err}")
            _add_problems(errors, resolver, filters[0], "metric filter")
            for finding in alone.findings[before:] if region_label else ():
                _seen_in(regions_of, region, finding)
    for finding in alone.findings:
        found.setdefault((finding.resource, finding.rule, finding.path), finding)
    _every_region(found, regions_of, options.regions)
    for note in alone.notes:
        notes.setdefault((note.rule, note.path, note.message), note)
    anchors = list(dict.fromkeys(alone.anchors))
    order = {lid: number for number, lid in enumerate(trails + filters)}
    findings = sorted(found.values(), key=lambda f: (order[f.resource], f.rule, f.path))
    return Analysis(findings, len(trails), errors, list(notes.values()), anchors)


def _seen_in(regions_of: dict[tuple, dict[str, str]], region: str, finding: Finding) -> None:
    """Record ``region``'s first finding of the key (the one kept), its message unlabelled."""
    regions_of.setdefault((finding.resource, finding.rule, finding.path),
                          {}).setdefault(region, _unlabelled(finding, region))


def _unlabelled(finding: Finding, region: str) -> str:
    """A finding's message without its region (``findings.scoped`` puts it first)."""
    return finding.message.replace(f" [when region={region}, ", " [when ", 1) \
        .replace(f" [when region={region}]", "", 1)


def _every_region(found: dict[tuple, Finding], regions_of: dict[tuple, dict[str, str]],
                  regions: tuple[str, ...]) -> None:
    """A finding of several regions is kept once, from the first region it is found in; one
    found in every region with the same message (each region's first, as kept) names none: it
    would read as that region's alone. One found in some regions keeps its first region's
    label."""
    for key, seen in regions_of.items():
        if set(seen) == set(regions) and len(set(seen.values())) == 1:
            found[key] = records.replace(found[key], message=next(iter(seen.values())))


def _add_problems(errors: list[tuple[str, str]], resolver: Resolver, anchor: str,
                  kind: str) -> None:
    for problem in sorted(resolver.limit_hits):
        _add_error(errors, anchor, f"analysis limit exceeded for {kind} {anchor}: {problem}")
    for problem in sorted(resolver.problems):
        _add_error(errors, anchor, f"{kind} {anchor} cannot be analysed: {problem}")


def _parameters_named_like_resources(template: dict) -> list[str]:
    """Logical IDs declared both under Parameters and under Resources (``Ref`` could mean either)."""
    parameters = template.get("Parameters")
    if not isinstance(parameters, dict):
        return []
    return sorted(name for name in template["Resources"] if name in parameters)


def _add_error(errors: list[tuple[str, str]], trail_id: str, message: str) -> None:
    if (trail_id, message) not in errors:  # each region would say it again
        errors.append((trail_id, message))


class _ChainTooLong(Exception):
    pass


class _TrailCheck:
    opt_in: frozenset = frozenset()   # the opt-in rules to run (Options.opt_in)

    def __init__(self, resolver: Resolver, names: Names, policies: RolePolicies, trail_id: str,
                 region_label: str | None, rule_options: dict[str, dict[str, Any]] | None = None) -> None:
        self.resolver = resolver
        self.rule_options = rule_options or {}
        self.deferred: list[Exception] = []   # hygiene checks that failed (raised after the chain)
        self.names = names
        self.policies = policies
        self.trail_id = trail_id
        self.region_label = region_label
        self.findings: list[Finding] = []
        self.notes: list[Note] = []
        self.chain_scenarios = 0  # scenarios followed along the chain, bounded by max_branches
        # The assumptions the finding being checked depends on: those of the links on its path
        # (set by _run) and what the open traces have consulted since.
        self.scope: frozenset = frozenset()
        resource = resolver.resources[trail_id]
        properties = resource.get("Properties")
        self.base = ("Resources", trail_id)
        self.props_path = self.base + ("Properties",) if properties is not None else self.base
        self.props: dict = properties if isinstance(properties, dict) else {}

    # -- driving ----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        except _ChainTooLong:
            # Each value is bounded on its own, but their scenarios multiply along the chain
            # (log group x role x policies): past the bound the analysis stops, fail-closed.
            self.resolver.limit_hits.add(f"more than {self.resolver.max_branches} scenarios "
                                         "along the chain (--max-scenarios)")
        if self.deferred:  # the whole chain was checked; now say that a hygiene check failed
            raise self.deferred[0]

    def _run(self) -> None:
        # Each step runs under a trace of the assumptions it consults, and each finding names
        # only those of its own path: a retention finding not the group's name, a trust finding
        # not the log group's (see _emit).
        r = self.resolver
        with r.traced() as trail_keys:
            existing = r.exists(self.trail_id, EMPTY)
        for s0, exists in existing:
            if not exists:
                continue
            self._step(trail_keys, self._is_logging, s0)
            self._step(trail_keys, hygiene.trail_settings, self, s0)        # WT2004, WT2005
            with r.traced() as group_keys:
                self.scope = frozenset(trail_keys)
                groups = list(self._log_group(s0))
            for s1, group in groups:
                if group is not None:
                    self._step(trail_keys | group_keys, hygiene.log_group, self, group, s1)  # WT2001-3
                    self._step(trail_keys | group_keys | group.name_keys,
                               hygiene.log_group_name, self, group, s1)                # WT2008
                    self._step(trail_keys | group_keys, delivery_alarm.watched, self, group, s1)  # IT2009
                with r.traced() as role_keys:
                    self.scope = frozenset(trail_keys)
                    roles = list(self._role(s1))
                for s2, role in roles:
                    self._spend()
                    if role is None:
                        continue
                    self._step(trail_keys | role_keys, self._trust, role, s2, group)
                    if group is not None:
                        self._step(trail_keys | group_keys | role_keys | group.name_keys,
                                   self._permissions, group, role, s2)
                if self.opt_in:   # after the delivery chain: its verdict is the trail end
                    self._step(trail_keys | group_keys, monitoring.chain, self, group, s1)  # WT3001-14

    def _step(self, keys: set | frozenset, function: Any, *args: Any) -> None:
        """Run one check with ``keys`` (its path's assumptions) in scope, under its own trace."""
        with self.resolver.traced():
            self.scope = frozenset(keys)
            function(*args)

    def _why_opaque(self, logical_id: str) -> str:
        """Why a nested stack's outputs could not be read (linter/link.py), as a clause."""
        links = self.resolver.links
        why = links.opaque.get(logical_id) if links is not None else None
        return f": {why}" if why else ""

    def _spend(self) -> None:
        """One more scenario along the chain; past the bound, stop (see run)."""
        self.chain_scenarios += 1
        if self.chain_scenarios > self.resolver.max_branches:
            raise _ChainTooLong

    def _emit(self, rule: str, key: str | None, message: str, scenario: Scenario,
              evidence: list[str], depths: list[int] | None = None) -> None:
        path = self.props_path + (key,) if key and key in self.props else self.props_path
        self.findings.append(scoped(self.resolver, self.scope, self.region_label, rule,
                                    self.trail_id, path, message, scenario, evidence, depths))

    def _value(self, key: str, s: Scenario) -> Iterator[tuple[Scenario, Any]]:
        if key not in self.props:
            yield s, NoValue
            return
        yield from self.resolver.resolve(self.props[key], s)

    # -- IsLogging ----------------------------------------------------------------------------

    def _is_logging(self, s: Scenario) -> None:
        if "IsLogging" not in self.props:
            return  # a required property: cfn-lint's own schema rules report its absence
        raw = source(self.props["IsLogging"])
        for s_i, value in self._value("IsLogging", s):
            for s_j, logging in choices.boolean(value, s_i):
                if logging is False:
                    self._emit("ET1008", "IsLogging",
                               f"Trail {self.trail_id} has IsLogging false: it records no events",
                               s_j, [f"IsLogging: {raw} → false"])
                elif logging is None:
                    self._emit("WT1007", "IsLogging",
                               f"Trail {self.trail_id}: cannot tell whether it is logging "
                               f"(IsLogging is {render(value)})", s_j,
                               [f"IsLogging: {raw} → {render(value)}"])

    # -- the log group ------------------------------------------------------------------------

    def _log_group(self, s: Scenario) -> Iterator[tuple[Scenario, _GroupLink | None]]:
        raw = self.props.get(GROUP_KEY)
        for s_i, value in self._value(GROUP_KEY, s):
            shown = f"{GROUP_KEY}: {source(raw)}" if GROUP_KEY in self.props else f"no {GROUP_KEY}"
            yield from self._classify_group(value, s_i, shown)

    def _classify_group(self, value: Any, s: Scenario, shown: str):
        def fail(rule: str, message: str):
            self._emit(rule, GROUP_KEY, message, s, [shown])
            return [(s, None)]

        trail = f"Trail {self.trail_id}"
        if value is NoValue or value is None or value == "":
            what = "has no CloudWatchLogsLogGroupArn" if GROUP_KEY not in self.props else (
                "has an empty CloudWatchLogsLogGroupArn" if value == "" or value is None
                else "has CloudWatchLogsLogGroupArn set to AWS::NoValue")
            return fail("ET1001", f"{trail} {what}: its events are not delivered to CloudWatch Logs")
        if isinstance(value, ResourceRef):
            kind = self.resolver.resource_type(value.logical_id)
            if kind == LOG_GROUP:
                fail("ET1003", f"{trail}: !Ref {value.logical_id} gives the log "
                               f"group's name, not its ARN; use !GetAtt {value.logical_id}.Arn")
                # The intended group is plain: keep checking the rest of the chain against it.
                return self._template_group(value.logical_id, s, f"{shown} → (meant) log group "
                                                                 f"{value.logical_id}", quiet=True)
            if _opaque(kind):
                return fail("WT1007", f"{trail}: the log group ARN comes from {kind} "
                                      f"{value.logical_id} and cannot be verified here"
                                      f"{self._why_opaque(value.logical_id)}")
            return fail("ET1003", f"{trail}: !Ref {value.logical_id} is a {kind}, "
                                  "not a log group ARN")
        if isinstance(value, ResourceAttr):
            kind = self.resolver.resource_type(value.logical_id)
            if kind == LOG_GROUP and value.attribute == "Arn":
                return self._template_group(value.logical_id, s, f"{shown} → log group {value.logical_id}")
            if kind == LOG_GROUP:
                fail("ET1003", f"{trail}: !GetAtt {value.logical_id}.{value.attribute} "
                               f"is not the log group's ARN; use !GetAtt {value.logical_id}.Arn")
                return self._template_group(value.logical_id, s, f"{shown} → (meant) log group "
                                                                 f"{value.logical_id}", quiet=True)
            if _opaque(kind):
                return fail("WT1007", f"{trail}: the log group ARN comes from {kind} "
                                      f"{value.logical_id} and cannot be verified here"
                                      f"{self._why_opaque(value.logical_id)}")
            return fail("ET1003", f"{trail}: !GetAtt {value.logical_id}.{value.attribute} "
                                  f"is an attribute of a {kind}, not a log group ARN")
        if isinstance(value, (Parameter, Import, Unknown, Pseudo)):
            return fail("WT1007", f"{trail}: the log group ARN is {render(value)}, which cannot be "
                                  "verified here")
        if not isinstance(value, (str, Text)):
            return fail("ET1003", f"{trail}: CloudWatchLogsLogGroupArn is {render(value)}, not an ARN")
        expanded = self.names.expand(value, s)
        fields = arn.log_group_arn_fields(expanded)
        if fields is None:
            if unknowns_in(expanded):
                return fail("WT1007", f"{trail}: the log group ARN {render(expanded)} cannot be "
                                      "verified here")
            return fail("ET1003", f"{trail}: {render(value)} is not a log group ARN "
                                  "(arn:<partition>:logs:<region>:<account>:log-group:<name>:*)")
        if fields.uncertain:
            return fail("WT1007", f"{trail}: the log group ARN cannot be verified here: {fields.reason}")
        partition, region, account, name, wildcard = fields
        if unknowns_in(name):
            return fail("WT1007", f"{trail}: the log group name in {render(expanded)} cannot be "
                                  "resolved here")
        if not wildcard:
            return fail("ET1003", f"{trail}: {render(expanded)} lacks the ':*' suffix that "
                                  "CloudTrail requires of a log group ARN")
        other = self._elsewhere((("partition", partition, self.resolver.partition),
                                 ("account", account, self.names.account())))
        if other is not None:
            return fail("ET1003", f"{trail}: {render(expanded)} names a log group in {other}; "
                                  "CloudTrail delivers only to a log group in the trail's own account")
        out = []
        for s_i, logical_id in self._find(LOG_GROUP, name, s):
            out.extend(self._named_group(logical_id, fields, expanded, s_i, shown))
        return out

    def _named_group(self, logical_id: str | None, fields: Any, expanded: Any, s: Scenario,
                     shown: str) -> list:
        """The link of a literal log group ARN in a scenario where its name is the template's
        group ``logical_id``, or no group of the template (None)."""
        partition, region, account, name, _ = fields
        trail = f"Trail {self.trail_id}"
        unsure = self._unsure_place((("region", region, self.resolver.region),
                                     ("account", account, self.names.account()),
                                     ("partition", partition, self.resolver.partition)))
        if logical_id is not None and unsure is None:
            return self._template_group(logical_id, s, f"{shown} → log group {logical_id}")
        if logical_id is not None:
            # The name is the template's group, but the ARN may name one elsewhere: it names the
            # group it spells out, and the role's grants are checked against that.
            evidence = f"{shown} → log group {render(name)} {unsure}, not provably {logical_id}"
            self._emit("WT1007", GROUP_KEY, f"{trail}: {render(expanded)} names a log group "
                                            f"{unsure}, so it cannot be shown to be the template's "
                                            f"log group {logical_id}", s, [evidence])
            return [(s, _GroupLink(None, partition, region, account, name, evidence))]
        evidence = f"{shown} → log group {render(name)} outside the template"
        self._emit("WT1007", GROUP_KEY, f"{trail}: log group {render(name)} is not declared in this "
                                        "template; that it exists cannot be verified here", s, [evidence])
        # The role's grants can still be checked against the group's streams.
        return [(s, _GroupLink(None, partition, region, account, name, evidence))]

    def _find(self, kind: str, name: Any, s: Scenario) -> list[tuple[Scenario, str | None]]:
        """The template's resource of ``kind`` named ``name``, per scenario (a name that is a
        parameter with AllowedValues, or an ``Fn::If``, names it in some scenarios only); only
        the assumptions of the names that decided are consulted for the finding (not those of
        every resource compared on the way)."""
        with self.resolver.traced(isolated=True):
            branches = self.names.find_branches(kind, name, s)
        for s_i, logical_id in branches:
            if logical_id is not None:
                self.names.name(logical_id, s_i)   # replays its assumptions into the open traces
            else:
                # no resource has that name here: the choices that split a name decide it too
                self.resolver.consult(_added(s, s_i))
        return branches

    @staticmethod
    def _elsewhere(fields: tuple) -> str | None:
        """"another account (111122223333, not 444455556666)" when a field of a literal ARN
        provably differs from the deployment's; None otherwise."""
        for what, written, deployed in fields:
            if arn.equals3(written, deployed) is arn.Match.NO:
                return f"another {what} ({render(written)}, not {render(deployed)})"
        return None

    @staticmethod
    def _unsure_place(fields: tuple) -> str | None:
        """Why the ARN's region, account or partition is not the deployment's (another region),
        or cannot be shown to be (a literal account without --account-id); None when all agree."""
        for what, written, deployed in fields:
            same = arn.equals3(written, deployed)
            if same is arn.Match.NO:
                return f"in another {what} ({render(written)}, not {render(deployed)})"
            if same is arn.Match.MAYBE:
                hint = " (declare it with --account-id)" if what == "account" else ""
                return (f"in the {what} {render(written)}, which cannot be shown to be the "
                        f"deployment's {render(deployed)}{hint}")
        return None

    def _template_group(self, logical_id: str, s: Scenario, evidence: str, quiet: bool = False):
        """Follow the template's log group where it exists; ``quiet`` when the link itself was
        already reported (a Ref where an ARN belongs) and only the rest of the chain is checked."""
        out = []
        for s_i, exists in self.resolver.exists(logical_id, s):
            if not exists:
                if not quiet:
                    self._emit("ET1003", GROUP_KEY, f"Trail {self.trail_id}: log group {logical_id} "
                                                    "is not created in this scenario", s_i, [evidence])
                out.append((s_i, None))
                continue
            r = self.resolver
            with r.traced(isolated=True) as name_keys:
                branches = self.names.name_branches(logical_id, s_i)
            for s_j, name in branches:
                out.append((s_j, _GroupLink(logical_id, r.partition, r.region, self.names.account(),
                                            name, evidence, frozenset(name_keys))))
        return out

    # -- the role ---------------------------------------------------------------------------

    def _role(self, s: Scenario) -> Iterator[tuple[Scenario, _RoleLink | None]]:
        raw = self.props.get(ROLE_KEY)
        for s_i, value in self._value(ROLE_KEY, s):
            shown = f"{ROLE_KEY}: {source(raw)}" if ROLE_KEY in self.props else f"no {ROLE_KEY}"
            yield from self._classify_role(value, s_i, shown)

    def _classify_role(self, value: Any, s: Scenario, shown: str):
        def fail(rule: str, message: str):
            self._emit(rule, ROLE_KEY, message, s, [shown])
            return [(s, None)]

        trail = f"Trail {self.trail_id}"
        if value is NoValue or value is None or value == "":
            what = "has no CloudWatchLogsRoleArn" if ROLE_KEY not in self.props else (
                "has an empty CloudWatchLogsRoleArn" if value == "" or value is None
                else "has CloudWatchLogsRoleArn set to AWS::NoValue")
            return fail("ET1002", f"{trail} {what}: CloudTrail has no role to write to CloudWatch Logs")
        if isinstance(value, ResourceRef):
            kind = self.resolver.resource_type(value.logical_id)
            if kind == ROLE:
                fail("ET1004", f"{trail}: !Ref {value.logical_id} gives the role's "
                               f"name, not its ARN; use !GetAtt {value.logical_id}.Arn")
                return self._template_role(value.logical_id, s, f"{shown} → (meant) role "
                                                                f"{value.logical_id}", quiet=True)
            if _opaque(kind):
                return fail("WT1007", f"{trail}: the role ARN comes from {kind} {value.logical_id} "
                                      f"and cannot be verified here{self._why_opaque(value.logical_id)}")
            return fail("ET1004", f"{trail}: !Ref {value.logical_id} is a {kind}, "
                                  "not an IAM role ARN")
        if isinstance(value, ResourceAttr):
            kind = self.resolver.resource_type(value.logical_id)
            if kind == ROLE and value.attribute == "Arn":
                return self._template_role(value.logical_id, s, f"{shown} → role {value.logical_id}")
            if kind == ROLE:
                fail("ET1004", f"{trail}: !GetAtt {value.logical_id}.{value.attribute} "
                               f"is not the role's ARN; use !GetAtt {value.logical_id}.Arn")
                return self._template_role(value.logical_id, s, f"{shown} → (meant) role "
                                                                f"{value.logical_id}", quiet=True)
            if _opaque(kind):
                return fail("WT1007", f"{trail}: the role ARN comes from {kind} {value.logical_id} "
                                      f"and cannot be verified here{self._why_opaque(value.logical_id)}")
            return fail("ET1004", f"{trail}: !GetAtt {value.logical_id}.{value.attribute} is an "
                                  f"attribute of a {kind}, not an IAM role ARN")
        if isinstance(value, (Parameter, Import, Unknown, Pseudo)):
            return fail("WT1007", f"{trail}: the role ARN is {render(value)}; the role's trust and "
                                  "permissions cannot be verified here")
        if not isinstance(value, (str, Text)):
            return fail("ET1004", f"{trail}: CloudWatchLogsRoleArn is {render(value)}, not an ARN")
        expanded = self.names.expand(value, s)
        fields = arn.role_arn_fields(expanded)
        if fields is None:
            kind = arn.iam_resource_type(expanded)
            if kind is not None:
                return fail("ET1004", f"{trail}: {render(expanded)} is an IAM {kind} ARN, not a role ARN")
            return fail("ET1004", f"{trail}: {render(value)} is not an IAM role ARN "
                                  "(arn:<partition>:iam::<account>:role/<name>)")
        partition, account, path, name = fields
        if fields.uncertain and unknowns_in(name):
            return fail("WT1007", f"{trail}: the role ARN cannot be verified here: {fields.reason}")
        other = self._elsewhere((("partition", partition, self.resolver.partition),
                                 ("account", account, self.names.account())))
        if other is not None:
            return fail("ET1004", f"{trail}: {render(expanded)} names a role in {other}; CloudTrail "
                                  "needs a role in the trail's own account")
        out = []
        for s_i, logical_id in self._find(ROLE, name, s):
            out.extend(self._named_role(logical_id, fields, expanded, s_i, shown))
        return out

    def _named_role(self, logical_id: str | None, fields: Any, expanded: Any, s: Scenario,
                    shown: str) -> list:
        """The link of a literal role ARN in a scenario where its name is the template's role
        ``logical_id``, or no role of the template (None)."""
        def fail(rule: str, message: str):
            self._emit(rule, ROLE_KEY, message, s, [shown])
            return [(s, None)]

        partition, account, path, name = fields
        trail = f"Trail {self.trail_id}"
        if logical_id is not None:
            role_path = self.names.path(logical_id, s)
            unsure = self._unsure_place((("account", account, self.names.account()),
                                         ("partition", partition, self.resolver.partition)))
            same_path = arn.equals3(path, role_path)
            if same_path is not arn.Match.YES:
                # IAM identifiers include the path: role/<name> is not role/service/<name>
                what = (f"the path {render(path)}, not the path {render(role_path)} of role {logical_id}"
                        if same_path is arn.Match.NO else
                        f"the path {render(path)}, which cannot be shown to be the path "
                        f"{render(role_path)} of role {logical_id}")
                return fail("WT1007", f"{trail}: {render(expanded)} has {what}: it names another "
                                      "role, whose trust and permissions cannot be verified here")
            if unsure is not None:
                return fail("WT1007", f"{trail}: {render(expanded)} names a role {unsure}, so it "
                                      f"cannot be shown to be the template's role {logical_id}")
            return self._template_role(logical_id, s, f"{shown} → role {logical_id}")
        if unknowns_in(name):
            return fail("WT1007", f"{trail}: the role name in {render(expanded)} cannot be resolved here")
        return fail("WT1007", f"{trail}: role {render(expanded)} is not in this template; its trust "
                              "and permissions cannot be verified here")

    def _template_role(self, logical_id: str, s: Scenario, evidence: str, quiet: bool = False):
        out = []
        for s_i, exists in self.resolver.exists(logical_id, s):
            if not exists:
                if not quiet:
                    self._emit("ET1004", ROLE_KEY, f"Trail {self.trail_id}: role {logical_id} is not "
                                                   "created in this scenario", s_i, [evidence])
                out.append((s_i, None))
            else:
                with self.resolver.traced(isolated=True):   # its name decides nothing here
                    branches = self.names.name_branches(logical_id, s_i)
                out.extend((s_j, _RoleLink(logical_id, evidence)) for s_j, _ in branches)
        return out

    # -- trust ------------------------------------------------------------------------------

    def _context(self, s: Scenario) -> dict[str, Any]:
        account = self.names.account()
        return {
            "aws:SourceAccount": account,
            "aws:SourceArn": self.names.arn(self.trail_id, s),
            "aws:RequestedRegion": self.resolver.region,
            "aws:PrincipalAccount": account,
        }

    def _trust(self, role: _RoleLink, s: Scenario, group: _GroupLink | None) -> None:
        properties = _properties(self.resolver, role.logical_id)
        document = properties.get("AssumeRolePolicyDocument")
        evidence = ([group.evidence] if group else []) + [role.evidence]
        if document is None:
            self._emit("ET1005", ROLE_KEY, f"Trail {self.trail_id}: role {role.logical_id} has no "
                                           "AssumeRolePolicyDocument", s, evidence)
            return
        for s_i, resolved in self.resolver.resolve(document, s):
            decision = iam.trusts_service(as_document(self.names.expand(resolved, s_i)), SERVICE,
                                          self._context(s_i))
            if decision.allowed is arn.Match.YES:
                continue
            steps = evidence + [f"trust policy of {role.logical_id}: " + _statements(decision)]
            if decision.allowed is arn.Match.NO:
                self._emit("ET1005", ROLE_KEY,
                           f"Trail {self.trail_id}: role {role.logical_id} does not let {SERVICE} "
                           "assume it (sts:AssumeRole)" + _because(decision), s_i, steps)
            else:
                self._emit("WT1007", ROLE_KEY,
                           f"Trail {self.trail_id}: cannot verify that {SERVICE} may assume role "
                           f"{role.logical_id}" + _because(decision), s_i, steps)

    # -- permissions ------------------------------------------------------------------------

    def _organization(self, s: Scenario) -> list[tuple[Scenario, bool, str | None]]:
        """Whether the trail is an organization trail: ``(scenario, True/False, None)``, or
        ``(scenario, True, why)`` when that cannot be known here (then the organization's
        streams are checked too, and what only they lack cannot be verified)."""
        if "IsOrganizationTrail" not in self.props:
            return [(s, False, None)]
        raw = self.props["IsOrganizationTrail"]
        out: list[tuple[Scenario, bool, str | None]] = []
        for s_i, value in self.resolver.resolve(raw, s):
            for s_j, organization in choices.boolean(value, s_i):
                if organization is None and value is not NoValue and isinstance(value, Atom):
                    # an import the scan could not follow is shown once, with its reason
                    same = source(raw) == render(value) or (
                        isinstance(value, Import) and render(value).startswith(source(raw) + " ("))
                    shown = render(value) if same else f"{source(raw)} → {render(value)}"
                    out.append((s_j, True, f"whether trail {self.trail_id} is an organization "
                                           f"trail is not known here (IsOrganizationTrail: {shown})"))
                else:
                    out.append((s_j, organization is True, None))
        return out

    def _permissions(self, group: _GroupLink, role: _RoleLink, s: Scenario) -> None:
        for s_o, organization, unsure in self._organization(s):
            streams = arn.log_stream_arns(group.partition, group.region, group.account, group.name,
                                          organization_trail=organization)
            for s_i, reached in self.policies.reach(role.logical_id, s_o):
                self._spend()
                self._check_grants(group, role, streams, reached, s_i, unsure)
                hygiene.role_grants(self, group, role, streams, reached, s_i)   # IT2006

    def _check_grants(self, group: _GroupLink, role: _RoleLink, streams: list, reached: Reached,
                      s: Scenario, organization_unsure: str | None = None) -> None:
        context = self._context(s)
        denied: list[str] = []
        missing: list[str] = []
        unsure: list[str] = []
        granted: list[str] = []
        gaps: dict[str, list[int]] = {}   # action -> the streams (by index) it is refused on
        for action in ACTIONS:
            for index, stream in enumerate(streams):
                decision = iam.evaluate_with_boundary(reached.policies, reached.boundary, action,
                                                      stream, context)
                line = f"{action} on {render(stream)}"
                if decision.allowed is arn.Match.YES:
                    granted.append(f"{line}: allowed by {_statements(decision)}")
                elif index and organization_unsure:
                    # only an organization trail writes this stream, and whether it is one is
                    # not known: its absence cannot be verified, not proved
                    unsure.append(f"{line}: {_statements(decision)}; {organization_unsure}")
                elif decision.allowed is arn.Match.NO:
                    (denied if decision.deny_statements else missing).append(
                        f"{line}: {_statements(decision)}{_because(decision)}")
                    gaps.setdefault(action, []).append(index)
                else:
                    unsure.append(f"{line}: {_because(decision).strip(' ;') or 'not decidable'}")
        followed = ", ".join(reached.labels) or "none"
        evidence = [group.evidence, role.evidence, f"policies reaching {role.logical_id}: {followed}"]
        evidence += granted + denied + missing + unsure
        trail = f"Trail {self.trail_id}"
        if denied or (missing and not reached.unknown):
            self._emit("ET1006", ROLE_KEY,
                       f"{trail}: role {role.logical_id} may not {_refused(gaps, streams, group)} "
                       f"(policies followed: {followed})", s, evidence)
        elif missing or unsure:
            why = reached.unknown[:1] or [line.split(": ", 1)[-1] for line in unsure[:1]]
            self._emit("WT1007", ROLE_KEY,
                       f"{trail}: cannot verify that role {role.logical_id} may write the log streams "
                       f"of {render(group.name)}: {why[0]}", s, evidence + reached.unknown)


def _refused(gaps: dict[str, list[int]], streams: list, group: _GroupLink) -> str:
    """``logs:CreateLogStream and logs:PutLogEvents on the log streams of G``, naming which
    streams when only some are refused (an organization trail writes two kinds)."""
    by_streams: dict[tuple[int, ...], list[str]] = {}
    for action in ACTIONS:
        if action in gaps:
            by_streams.setdefault(tuple(gaps[action]), []).append(action)
    parts = []
    for indexes, actions in by_streams.items():
        if len(indexes) == len(streams):
            where = f"the log streams of {render(group.name)}"
        elif indexes == (0,):
            where = (f"the account's log streams ({render(arn.log_stream_name(group.account, group.region))}) "
                     f"of {render(group.name)}")
        else:
            where = (f"the organization's log streams ({render(arn.ORGANIZATION_ID)}_*) "
                     f"of {render(group.name)}")
        parts.append(f"{' and '.join(actions)} on {where}")
    return "; ".join(parts)


def _added(before: Scenario, after: Scenario) -> set[str]:
    """The conditions and parameters ``after`` assumes beyond ``before``."""
    return ({k for k in after.conditions if k not in before.conditions}
            | {k for k in after.parameters if k not in before.parameters})


def _opaque(kind: str | None) -> bool:
    return kind is None or kind in _OPAQUE_TYPES or kind.startswith("Custom::")


def _properties(resolver: Resolver, logical_id: str) -> dict:
    resource = resolver.resources.get(logical_id)
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties if isinstance(properties, dict) else {}


def _statements(decision: Any) -> str:
    refs = list(decision.allow_statements) + list(decision.deny_statements)
    if decision.deny_statements:
        return "denied by " + ", ".join(str(r) for r in decision.deny_statements)
    if refs:
        return ", ".join(str(r) for r in refs)
    return "no statement allows it"


def _because(decision: Any) -> str:
    reasons = [r for r in getattr(decision, "reasons", []) if r]
    if decision.allowed is arn.Match.NO:
        reasons += getattr(decision, "refused", [])   # why a document that looks granting is not
    return f" ({'; '.join(reasons[:3])})" if reasons else ""
