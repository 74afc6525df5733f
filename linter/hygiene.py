"""The hygiene of the trail's own CloudWatch Logs destination: WT2001–WT2005 and IT2006.

The core rules (``trail``) prove that the trail delivers to CloudWatch Logs. These rules look at
*what it delivers to*, and only at that: the log group the trail's ``CloudWatchLogsLogGroupArn``
resolves to (not every log group of the template), the role its ``CloudWatchLogsRoleArn``
resolves to, and the trail's own settings. ``trail._TrailCheck`` calls in at the points where it
holds the resolved links, so the scenario, the anchor and the evidence of each finding continue
the chain the core rules followed.

- WT2001 the log group's ``RetentionInDays`` is below ``min_retention_days`` (no
  ``RetentionInDays``: never expires, passes);
- WT2002 the log group has no ``KmsKeyId``;
- WT2003 an ``AWS::Logs::SubscriptionFilter`` on the log group sends to a destination not on
  ``allowed_destinations``;
- WT2004 ``EnableLogFileValidation`` is not true;
- WT2005 the event selectors drop management events, a read/write half, or some event sources;
- IT2006 a statement that lets the role deliver also allows other actions or other log groups;
- WT2007 a trail that records management events is not multi-region, or leaves out global service
  events (a trail that records none, beside a multi-region trail of the template that does, is
  fine);
- WT2008 the log group's name does not match ``log_group_name`` (inactive while it is unset).

What Unknown means here: a parameter that may take a value the template does not list is
followed with each value the property accepts (``values.choices``), so a failing one is a
finding that names it. A value that cannot be known at all (an import) is reported by the rule
itself as unverifiable where the rule reads it as a boolean, number or word (WT2001, WT2004,
WT2005, WT2007), WT2008 reports a name that cannot be shown to match its pattern, and WT2003 with a configured allow-list reports a destination that cannot be shown to be
on the list; elsewhere (a KMS key from an import, a filter whose log group is unknown) it gives
no finding. WT1007 stays about delivery. Each rule's page in docs/rules says so too.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from . import arn, catalog, iam
from .values import choices
from .arn import Match
from .findings import ARROW
from .names import TRAIL
from .values import (Atom, GeneratedName, Import, NoValue, Parameter, ResourceRef, Scenario, Text, Unknown,
                     concat, render, scalar_bool, scalar_int, scalar_text, source)

GROUP_KEY = "CloudWatchLogsLogGroupArn"
ROLE_KEY = "CloudWatchLogsRoleArn"
VALIDATION_KEY = "EnableLogFileValidation"
SELECTOR_KEYS = ("EventSelectors", "AdvancedEventSelectors")
SUBSCRIPTION_FILTER = "AWS::Logs::SubscriptionFilter"
DELIVERY_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")

# Actions a delivery role never needs; an action pattern of a granting statement that matches one
# of them is wider than delivery (IT2006). Explicitly listed extra actions are not reported.
OTHER_ACTIONS = (
    "logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy", "logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter",
    "logs:CreateLogGroup", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
    "logs:PutMetricFilter", "logs:DeleteMetricFilter", "logs:GetLogEvents", "logs:FilterLogEvents",
    "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:CreateExportTask",
    "logs:PutResourcePolicy", "logs:TagResource", "logs:StartQuery",
    "iam:PassRole", "s3:GetObject", "kms:Decrypt", "sts:AssumeRole",
)

_OPEN = (Parameter, Import, Unknown)
_HALVES = (("read", "read-only"), ("write", "write"))


# --------------------------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------------------------

def _guarded(function: Callable) -> Callable:
    """A failing hygiene check must not stop the delivery chain: the error is kept on the check
    and raised once the chain is done (the trail is then reported as not analysable)."""
    @functools.wraps(function)
    def run(check: Any, *args: Any) -> None:
        try:
            function(check, *args)
        except Exception as err:  # noqa: BLE001 - deferred, see trail._TrailCheck.run
            check.deferred.append(err)
    return run


def option(check: Any, rule: str, name: str) -> Any:
    """A rule option from ``Options.rule_options``, else the catalogue's default."""
    given = (check.rule_options.get(rule) or {}) if isinstance(check.rule_options, dict) else {}
    if name in given:
        return given[name]
    return catalog.get(rule).defaults()[name]


def _emit(check: Any, rule: str, key: str | None, message: str, s: Scenario,
          tree: list[tuple[int, str]]) -> None:
    check._emit(rule, key, message, s, [text for _, text in tree], [depth for depth, _ in tree])


def _below(depth: int, step: str) -> int:
    """The depth of the children of a step: under its last link."""
    return depth + len(step.split(ARROW))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _properties(check: Any, logical_id: str) -> dict:
    resource = check.resolver.resources.get(logical_id)
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties if isinstance(properties, dict) else {}


# --------------------------------------------------------------------------------------------
# The trail's own settings: WT2004, WT2005
# --------------------------------------------------------------------------------------------

def trail_settings(check: Any, s: Scenario) -> None:
    _log_file_validation(check, s)
    for key in SELECTOR_KEYS:
        _selectors(check, key, s)
    _multi_region(check, s)


@_guarded
def _log_file_validation(check: Any, s: Scenario) -> None:
    trail = f"Trail {check.trail_id}"
    if VALIDATION_KEY not in check.props:
        _emit(check, "WT2004", VALIDATION_KEY,
              f"{trail} does not set EnableLogFileValidation (default false): CloudTrail writes "
              "no digest files, so changes to its log files cannot be detected", s,
              [(0, f"no {VALIDATION_KEY}" + ARROW + "false (the default)")])
        return
    raw = check.props[VALIDATION_KEY]
    for s_i, value in check.resolver.resolve(raw, s):
        for s_j, enabled in choices.boolean(value, s_i):
            if enabled is True:
                continue
            if enabled is None and isinstance(value, Atom) and value is not NoValue:
                _emit(check, "WT2004", VALIDATION_KEY,
                      f"{trail}: cannot tell whether EnableLogFileValidation is true (it is "
                      f"{render(value)}): CloudTrail may write no digest files", s_j,
                      [(0, f"{VALIDATION_KEY}: {source(raw)}" + ARROW + f"{render(value)}, not known here")])
                continue
            shown = ("AWS::NoValue, so the default false" if value is NoValue
                     else "false" if enabled is False else render(value))
            _emit(check, "WT2004", VALIDATION_KEY,
                  f"{trail} has EnableLogFileValidation {shown}: CloudTrail writes no digest files, "
                  "so changes to its log files cannot be detected", s_j,
                  [(0, f"{VALIDATION_KEY}: {source(raw)}" + ARROW + f"{shown}, not true")])


# Coverage of one half (read-only or write) of the management events, as the set of event sources
# taken: ("except", S) takes every source but S (("except", {}) is all of them); ("only", S)
# takes just S (("only", {}) is none).
_ALL = ("except", frozenset())
_NONE = ("only", frozenset())


def _union(a: tuple, b: tuple) -> tuple:
    (ka, sa), (kb, sb) = a, b
    if ka == kb == "except":
        return ("except", sa & sb)
    if ka == kb == "only":
        return ("only", sa | sb)
    excluded, taken = (sa, sb) if ka == "except" else (sb, sa)
    return ("except", excluded - taken)


def _intersect(a: tuple, b: tuple) -> tuple:
    (ka, sa), (kb, sb) = a, b
    if ka == kb == "except":
        return ("except", sa | sb)
    if ka == kb == "only":
        return ("only", sa & sb)
    excluded, taken = (sa, sb) if ka == "except" else (sb, sa)
    return ("only", taken - excluded)


def _describe_cover(cover: tuple, what: str) -> str:
    """``cover`` in words: "no read-only management events", "all management events",
    "write management events except those from kms.amazonaws.com"."""
    kind, sources = cover
    names = ", ".join(sorted(sources))
    if cover == _NONE:
        return f"no {what}"
    if kind == "only":
        return f"{what} only from {names}"
    return f"{what} except those from {names}" if sources else f"all {what}"


def _taken(cover: tuple) -> str:
    """What the union of the selectors leaves of one half, for the evidence."""
    kind, sources = cover
    names = ", ".join(sorted(sources))
    if cover == _NONE:
        return "no selector takes them"
    if kind == "only":
        return f"only those from {names} are taken"
    return f"those from {names} are not taken"


class _Selection:
    """What a list of selectors takes of the management events."""

    def __init__(self) -> None:
        self.cover = {"read": _NONE, "write": _NONE}
        self.unknown: list[str] = []     # selectors whose values are not known here
        self.partial: list[str] = []     # selectors narrowed by fields that cannot be enumerated

    def take(self, halves: set[str], sources: tuple) -> None:
        for half in halves:
            self.cover[half] = _union(self.cover[half], sources)

    def complete(self) -> bool:
        return all(cover == _ALL for cover in self.cover.values())


@_guarded
def _selectors(check: Any, key: str, s: Scenario) -> None:
    if key not in check.props:
        return  # no selectors: CloudTrail logs all management events, read and write
    raw = check.props[key]
    outcomes = [(s_j, _selection_finding(check, key, raw, chosen))
                for s_i, value in check.resolver.resolve(raw, s)
                for s_j, chosen in _choose_selector_words(key, value, s_i)]
    # A verdict that does not depend on how the value split (a parameter in a data resource's
    # ARN) holds in the scenario the trail was in: no condition to name.
    messages = {outcome[0] if outcome else None for _, outcome in outcomes}
    if len(messages) == 1 and outcomes and outcomes[0][1] is not None:
        outcomes = [(s, outcomes[0][1])]
    for s_i, outcome in outcomes:
        if outcome is not None:
            message, tree = outcome
            _emit(check, "WT2005", key, message, s_i, tree)


# The words a selector field accepts where an unlisted parameter may stand: each is followed as
# its own scenario (see values.choices). eventCategory has more values than these two; every
# other one takes no management events, as "Data" does.
_SELECTOR_WORDS = {
    ("EventSelectors", "IncludeManagementEvents"): ("true", "false"),
    ("EventSelectors", "ReadWriteType"): ("All", "ReadOnly", "WriteOnly"),
    ("AdvancedEventSelectors", "eventCategory"): ("Management", "Data"),
    ("AdvancedEventSelectors", "readOnly"): ("true", "false"),
}


def _choose_selector_words(key: str, value: Any, s: Scenario) -> list[tuple[Scenario, Any]]:
    """The selectors with each unlisted parameter that stands for a word (ReadWriteType,
    IncludeManagementEvents, an eventCategory or readOnly value) bound to each word it can be."""
    found: dict[str, tuple[str, ...]] = {}
    if isinstance(value, list):
        for selector in value:
            if not isinstance(selector, dict):
                continue
            if key == "EventSelectors":
                for field in ("IncludeManagementEvents", "ReadWriteType"):
                    parameter = choices.unlisted(selector.get(field))
                    if parameter is not None:
                        found.setdefault(parameter.name, _SELECTOR_WORDS[(key, field)])
                continue
            fields = selector.get("FieldSelectors")
            for field in fields if isinstance(fields, list) else []:
                words = _SELECTOR_WORDS.get((key, field.get("Field"))) if isinstance(field, dict) else None
                if words is None:
                    continue
                for operator in _OPERATORS:
                    listed = field.get(operator)
                    for item in listed if isinstance(listed, list) else [listed]:
                        parameter = choices.unlisted(item)
                        if parameter is not None:
                            found.setdefault(parameter.name, words)
    out = [(s, value)]
    for name, words in found.items():
        out = [(choices.bind(s_i, Parameter(name), word), _substitute(v, Parameter(name), word))
               for s_i, v in out for word in words]
    return out


def _substitute(value: Any, atom: Any, literal: str) -> Any:
    if value == atom and isinstance(value, Atom):
        return literal
    if isinstance(value, list):
        return [_substitute(item, atom, literal) for item in value]
    if isinstance(value, dict):
        return {k: _substitute(item, atom, literal) for k, item in value.items()}
    return value


def _selection_finding(check: Any, key: str, raw: Any,
                       value: Any) -> tuple[str, list[tuple[int, str]]] | None:
    """The WT2005 message and evidence for one resolved value of the selectors, or None."""
    if value is NoValue or value == [] or value is None:
        return None  # the property is removed (or empty): the default, all management events
    root = f"{key}: {_short(source(raw))}"
    tree = [(0, root)]
    if not isinstance(value, list):
        tree.append((1, f"{_short(render(value))}" + ARROW + "not known here"))
        return (f"Trail {check.trail_id}: cannot tell whether its {key} take every management "
                f"event: they are {_short(render(value))}", tree)
    selection = _Selection()
    reader = _classic if key == "EventSelectors" else _advanced
    for index, selector in enumerate(value):
        if selector is NoValue:
            continue
        step = reader(selector, f"{key}[{index}]", selection)
        if step:
            tree.append((1, step))
    if selection.complete():
        return None  # every management event is taken
    if selection.unknown:
        # what is not known might take the rest, or might not: never a silent pass
        return (f"Trail {check.trail_id}: cannot tell whether its {key} take every management "
                f"event: {', '.join(selection.unknown)} cannot be read here", tree)
    dropped = []
    for half, label in _HALVES:
        cover = selection.cover[half]
        if cover != _ALL:
            dropped.append(_describe_cover(cover, f"{label} management events"))
            tree.append((1, f"{label} management events" + ARROW + _taken(cover)))
    for note in selection.partial:
        tree.append((1, note))
    if selection.cover["read"] == selection.cover["write"]:
        summary = _describe_cover(selection.cover["read"], "management events")
    else:
        summary = "; ".join(dropped)
    return (f"Trail {check.trail_id}: its {key} take {summary}: the trail does not record "
            "every management event", tree)


def _classic(selector: Any, where: str, selection: _Selection) -> str:
    if not isinstance(selector, dict):
        selection.unknown.append(where)
        return f"{where}: {render(selector)}" + ARROW + "not known here"
    include_raw = selector.get("IncludeManagementEvents", True)
    include = True if include_raw is NoValue else scalar_bool(include_raw)
    kind_raw = selector.get("ReadWriteType", "All")
    kind = "All" if kind_raw is NoValue else kind_raw
    excluded_raw = selector.get("ExcludeManagementEventSources", [])
    excluded_raw = [] if excluded_raw is NoValue else excluded_raw
    shown = (f"{where}: IncludeManagementEvents {render(include_raw)}, ReadWriteType {render(kind)}"
             + (f", ExcludeManagementEventSources {render(excluded_raw)}" if excluded_raw else ""))
    if include is None or not isinstance(kind, str) or not isinstance(excluded_raw, list) \
            or any(not isinstance(item, str) for item in excluded_raw):
        selection.unknown.append(where)
        return shown + ARROW + "not known here"
    if not include:
        return shown + ARROW + "takes no management events"
    halves = {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}.get(kind)
    if halves is None:
        selection.unknown.append(where)  # not a ReadWriteType CloudTrail accepts
        return shown + ARROW + "not a ReadWriteType CloudTrail accepts"
    sources = ("except", frozenset(excluded_raw))
    selection.take(halves, sources)
    return shown + ARROW + "takes " + _describe_cover(sources, _which(halves) + " management events")


def _which(halves: set[str]) -> str:
    return " and ".join(label for half, label in _HALVES if half in halves)


_OPERATORS = ("Equals", "NotEquals", "StartsWith", "NotStartsWith", "EndsWith", "NotEndsWith")


def _field_test(field: dict, value: str) -> bool | None:
    """Does the field selector take ``value``? All its operators must hold (None: unknown)."""
    verdict = True
    for operator in _OPERATORS:
        if operator not in field or field[operator] is NoValue:
            continue
        listed = field[operator]
        listed = listed if isinstance(listed, list) else [listed]
        if any(isinstance(item, Atom) for item in listed):
            return None
        texts = [scalar_text(item) for item in listed]
        if operator == "Equals":
            hit = value in texts
        elif operator == "NotEquals":
            hit = value not in texts
        elif operator == "StartsWith":
            hit = any(value.startswith(t) for t in texts)
        elif operator == "NotStartsWith":
            hit = not any(value.startswith(t) for t in texts)
        elif operator == "EndsWith":
            hit = any(value.endswith(t) for t in texts)
        else:
            hit = not any(value.endswith(t) for t in texts)
        verdict = verdict and hit
    return verdict


def _field_text(field: dict) -> str:
    parts = [f"{op} {render(field[op])}" for op in _OPERATORS if op in field and field[op] is not NoValue]
    return f"{render(field.get('Field'))} {' '.join(parts)}".strip()


def _advanced(selector: Any, where: str, selection: _Selection) -> str:
    if not isinstance(selector, dict) or not isinstance(selector.get("FieldSelectors"), list):
        selection.unknown.append(where)
        return f"{where}: {_short(render(selector))}" + ARROW + "not known here"
    name = selector.get("Name")
    label = f"{where} ({render(name)})" if isinstance(name, str) else where
    fields = [f for f in selector["FieldSelectors"] if f is not NoValue]
    if any(not isinstance(f, dict) or not isinstance(f.get("Field"), str) for f in fields):
        selection.unknown.append(where)
        return f"{label}: {_short(render(fields))}" + ARROW + "not known here"
    shown = f"{label}: " + "; ".join(_field_text(f) for f in fields)
    category = [f for f in fields if f["Field"] == "eventCategory"]
    if not category:
        return shown + ARROW + "no eventCategory: CloudTrail rejects it; takes nothing here"
    tests = [_field_test(f, "Management") for f in category]
    if None in tests:
        selection.unknown.append(where)
        return shown + ARROW + "not known here"
    if not all(tests):
        return shown + ARROW + "takes no management events"
    halves = set()
    for half, text in (("read", "true"), ("write", "false")):
        verdicts = [_field_test(f, text) for f in fields if f["Field"] == "readOnly"]
        if None in verdicts:
            selection.unknown.append(where)
            return shown + ARROW + "not known here"
        if all(verdicts):
            halves.add(half)
    sources = _ALL
    narrowing = []
    for field in fields:
        if field["Field"] in ("eventCategory", "readOnly"):
            continue
        if field["Field"] != "eventSource":
            narrowing.append(field["Field"])
            continue
        for operator in _OPERATORS:
            if operator not in field or field[operator] is NoValue:
                continue
            listed = field[operator] if isinstance(field[operator], list) else [field[operator]]
            if any(isinstance(item, Atom) for item in listed):
                selection.unknown.append(where)
                return shown + ARROW + "not known here"
            texts = frozenset(scalar_text(item) for item in listed)
            if operator == "Equals":
                sources = _intersect(sources, ("only", texts))
            elif operator == "NotEquals":
                sources = _intersect(sources, ("except", texts))
            else:
                narrowing.append(f"eventSource {operator}")
    if not halves:
        return shown + ARROW + "takes no management events (readOnly excludes both)"
    if narrowing:
        selection.partial.append(f"{label}: narrowed by {', '.join(narrowing)}" + ARROW +
                                 "takes only some management events; not counted as taking any")
        return shown + ARROW + f"takes only some {_which(halves)} management events"
    selection.take(halves, sources)
    return shown + ARROW + "takes " + _describe_cover(sources, _which(halves) + " management events")


# --------------------------------------------------------------------------------------------
# The trail's log group: WT2001, WT2002, WT2003
# --------------------------------------------------------------------------------------------

def log_group(check: Any, group: Any, s: Scenario) -> None:
    if group.logical_id is not None:
        _retention(check, group, s)
        _encryption(check, group, s)
    _subscriptions(check, group, s)


def _group_label(group: Any) -> str:
    return group.logical_id if group.logical_id is not None else render(group.name)


def _group_root(group: Any) -> tuple[list[tuple[int, str]], int]:
    return [(0, group.evidence)], _below(0, group.evidence)


@_guarded
def _retention(check: Any, group: Any, s: Scenario) -> None:
    properties = _properties(check, group.logical_id)
    if "RetentionInDays" not in properties:
        return  # never expires
    minimum = int(option(check, "WT2001", "min_retention_days"))
    raw = properties["RetentionInDays"]
    for s_i, value in check.resolver.resolve(raw, s):
        parameter = choices.unlisted(value)
        if parameter is not None:
            # "some other value": follow the longest retention CloudWatch Logs accepts that is
            # still too short (and within the parameter's MinValue and MaxValue), if there is one
            days = _short_retention(check.resolver.parameter_defs.get(parameter.name), minimum)
            if days is None:
                continue
            s_i = choices.bind(s_i, parameter, str(days))
        elif isinstance(value, Atom) and value is not NoValue:
            tree, depth = _group_root(group)
            tree.append((depth, f"RetentionInDays: {source(raw)}" + ARROW + f"{render(value)}, "
                                "not known here"))
            _emit(check, "WT2001", GROUP_KEY,
                  f"Trail {check.trail_id}: cannot tell how long its log group {group.logical_id} "
                  f"keeps events (RetentionInDays is {render(value)}); at least {minimum} days "
                  "are required (min_retention_days)", s_i, tree)
            continue
        else:
            days = scalar_int(value)
        if value is NoValue or days is None or days >= minimum:
            continue  # never expires, not a number (cfn-lint's schema rules), or long enough
        tree, depth = _group_root(group)
        tree.append((depth, f"RetentionInDays: {source(raw)}" + ARROW + f"{days} days" + ARROW +
                     f"shorter than min_retention_days ({minimum})"))
        _emit(check, "WT2001", GROUP_KEY,
              f"Trail {check.trail_id}: its log group {group.logical_id} keeps events for {days} "
              f"days, less than the required {minimum} (min_retention_days)", s_i, tree)


# The values CloudWatch Logs accepts for RetentionInDays.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)


def _short_retention(definition: Any, minimum: int) -> int | None:
    """The longest accepted retention below ``minimum`` that the parameter may take."""
    definition = definition if isinstance(definition, dict) else {}
    low = _bound(definition.get("MinValue"), float("-inf"))
    high = _bound(definition.get("MaxValue"), float("inf"))
    fitting = [days for days in RETENTION_DAYS if days < minimum and low <= days <= high]
    return fitting[-1] if fitting else None


def _bound(value: Any, default: float) -> float:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else default
    except (TypeError, ValueError):
        return default


@_guarded
def _encryption(check: Any, group: Any, s: Scenario) -> None:
    properties = _properties(check, group.logical_id)
    tree, depth = _group_root(group)
    message = (f"Trail {check.trail_id}: its log group {group.logical_id} has no KmsKeyId: the "
               "audit records in CloudWatch Logs are not encrypted with a customer managed KMS key")
    if "KmsKeyId" not in properties:
        _emit(check, "WT2002", GROUP_KEY, message, s, tree + [(depth, "no KmsKeyId")])
        return
    raw = properties["KmsKeyId"]
    for s_i, value in check.resolver.resolve(raw, s):
        if value is NoValue or value == "" or value is None:
            _emit(check, "WT2002", GROUP_KEY, message, s_i,
                  tree + [(depth, f"KmsKeyId: {source(raw)}" + ARROW + render(value))])


@_guarded
def _subscriptions(check: Any, group: Any, s: Scenario) -> None:
    filters = check.names.by_type(SUBSCRIPTION_FILTER)
    if not filters:
        return
    patterns = option(check, "WT2003", "allowed_destinations")
    patterns = [patterns] if isinstance(patterns, str) else list(patterns or ())
    hits: dict[Scenario, list[tuple[str, str, str]]] = {}
    for filter_id in filters:
        properties = _properties(check, filter_id)
        for s_i, exists in check.resolver.exists(filter_id, s):
            if not exists:
                continue
            raw_group = properties.get("LogGroupName")
            for s_j, target in check.resolver.resolve(raw_group, s_i):
                if _same_group(check, group, target, s_j) is not Match.YES:
                    continue  # another group, or Unknown: not tied to this trail
                raw_destination = properties.get("DestinationArn")
                on = (f"LogGroupName: {source(raw_group)}" + ARROW +
                      f"the trail's log group {_group_label(group)}")
                results = []
                for s_k, destination in check.resolver.resolve(raw_destination, s_j):
                    expanded = check.names.expand(destination, s_k)
                    verdict, why = _allowed(expanded, patterns)
                    to = f"DestinationArn: {_short(source(raw_destination))}" + (
                        "" if isinstance(raw_destination, str)
                        else ARROW + _short(render(expanded))) + ARROW + why
                    results.append((s_k, None if verdict is Match.YES else (filter_id, on, to)))
                if results and all(hit is not None for _, hit in results):
                    results = [(s_j, results[0][1])]  # whatever the destination: no condition
                for s_k, hit in results:
                    if hit is not None:
                        hits.setdefault(s_k, []).append(hit)
    for s_k, found in hits.items():
        tree, depth = _group_root(group)
        for filter_id, on, to in found:
            tree.append((depth, f"{SUBSCRIPTION_FILTER} {filter_id}"))
            tree.append((depth + 1, on))
            tree.append((depth + 1, to))
        names = ", ".join(filter_id for filter_id, _, _ in found)
        listed = "allowed_destinations" if patterns else \
            "allowed_destinations (empty: every subscription is reported for review)"
        plural = "s" if len(found) > 1 else ""
        _emit(check, "WT2003", GROUP_KEY,
              f"Trail {check.trail_id}: subscription filter{plural} {names} on its log group "
              f"{_group_label(group)} send{'' if plural else 's'} its events to a destination not "
              f"on {listed}", s_k, tree)


def _same_group(check: Any, group: Any, target: Any, s: Scenario) -> Match:
    if target is NoValue or target is None:
        return Match.NO
    if isinstance(target, ResourceRef) and group.logical_id is not None \
            and target.logical_id == group.logical_id:
        return Match.YES
    expanded = check.names.expand(target, s)
    if isinstance(expanded, _OPEN) or isinstance(group.name, _OPEN):
        return Match.MAYBE
    return arn.equals3(expanded, group.name)


def _allowed(destination: Any, patterns: list[str]) -> tuple[Match, str]:
    if not patterns:
        return Match.NO, "not on allowed_destinations (empty)"
    results = [arn.match_pattern(pattern, destination) for pattern in patterns]
    if Match.YES in results:
        return Match.YES, ""
    if all(result is Match.NO for result in results):
        return Match.NO, "matches none of allowed_destinations"
    return Match.MAYBE, "cannot be shown to match allowed_destinations"


# --------------------------------------------------------------------------------------------
# The trail's role: IT2006
# --------------------------------------------------------------------------------------------

@_guarded
def role_grants(check: Any, group: Any, role: Any, streams: list, reached: Any, s: Scenario) -> None:
    """Statements that let the role deliver to the trail's log streams, read as written: a Deny
    or a permissions boundary that narrows them is not taken into account."""
    context = check._context(s)
    wide: list[tuple[str, list[str], list[str]]] = []
    for label, document in reached.policies:
        if not isinstance(document, dict):
            continue
        statements = document.get("Statement")
        listed = isinstance(statements, list)
        for index, statement in enumerate(statements if listed else [statements]):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            single = [(label, {"Version": document.get("Version"), "Statement": [statement]})]
            grants = [f"{action} on {render(stream)}" for action in DELIVERY_ACTIONS
                      for stream in streams
                      if iam.evaluate(single, action, stream, context).allowed is Match.YES]
            if not grants:
                continue
            reasons = _action_width(statement) + _resource_width(statement, group)
            if reasons:
                sid = statement.get("Sid")
                where = f"statement {sid!r}" if isinstance(sid, str) else \
                    (f"Statement[{index}]" if listed else "Statement")
                wide.append((f"{label}, {where}", grants, reasons))
    if not wide:
        return
    tree: list[tuple[int, str]] = [(0, group.evidence), (0, role.evidence)]
    depth = _below(0, role.evidence)
    followed = ", ".join(reached.labels) or "none"
    tree.append((depth, f"policies reaching {role.logical_id}: {followed}"))
    for where, grants, reasons in wide:
        tree.append((depth + 1, f"{where}: allows {grants[0]}" +
                     (f" (and {len(grants) - 1} more)" if len(grants) > 1 else "")))
        tree.extend((depth + 2, reason) for reason in reasons)
    first_where, _, first_reasons = wide[0]
    more = f" (and {len(wide) - 1} more statement{'s' if len(wide) > 2 else ''})" if len(wide) > 1 else ""
    _emit(check, "IT2006", ROLE_KEY,
          f"Trail {check.trail_id}: role {role.logical_id} may do more than deliver to log group "
          f"{_group_label(group)}: {first_where}: {first_reasons[0]}{more}", s, tree)


def _items(value: Any) -> list:
    return [item for item in (value if isinstance(value, list) else [value]) if item is not NoValue]


def _action_width(statement: dict) -> list[str]:
    if "NotAction" in statement and statement["NotAction"] is not NoValue:
        return [f"NotAction {_short(render(statement['NotAction']))}: allows every action it does "
                "not list"]
    out = []
    for item in _items(statement.get("Action")):
        if not isinstance(item, str) or ("*" not in item and "?" not in item):
            continue  # explicit actions, or Unknown: not reported
        if item.strip() == "*":
            out.append("Action '*': allows every action of every service")
            continue
        extra = [action for action in OTHER_ACTIONS if arn.match_action3(item, action) is Match.YES]
        if extra:
            listed = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            out.append(f"Action {item!r}: also allows {listed}")
    return out


def _resource_width(statement: dict, group: Any) -> list[str]:
    if "NotResource" in statement and statement["NotResource"] is not NoValue:
        return [f"NotResource {_short(render(statement['NotResource']))}: allows every resource it "
                "does not list"]
    out = []
    for item in _items(statement.get("Resource")):
        why = _pattern_scope(item, group)
        if why:
            out.append(f"Resource {_short(render(item))!s}: {why}")
    return out


def _wild(parts: list) -> bool:
    return any(isinstance(part, str) and ("*" in part or "?" in part) for part in parts)


def _split(parts: list, limit: int = 6) -> list[list]:
    fields: list[list] = [[]]
    for part in parts:
        if isinstance(part, str) and len(fields) < limit:
            pieces = part.split(":", limit - len(fields))
            for number, piece in enumerate(pieces):
                if number:
                    fields.append([])
                if piece:
                    fields[-1].append(piece)
        else:
            fields[-1].append(part)
    return fields


def _pattern_scope(pattern: Any, group: Any) -> str | None:
    """Why a Resource pattern also matches log groups other than the trail's; None when it does
    not, when it is not a CloudWatch Logs resource, or when that cannot be known here."""
    if isinstance(pattern, str):
        parts: list = [pattern]
    elif isinstance(pattern, Text):
        parts = list(pattern.parts)
    else:
        return None  # a lone atom: Unknown
    if any(isinstance(part, _OPEN) or part is NoValue for part in parts):
        return None
    if isinstance(pattern, str) and pattern.strip() and set(pattern.strip()) <= {"*"}:
        return "matches every resource, every log group included"
    fields = _split(parts)
    if len(fields) < 6:
        return "matches every log group" if _wild(parts) else None
    _, _, service, region, account, resource = fields
    if not _wild(service) and concat(service) != "logs":
        return None
    reasons = []
    if _wild(region):
        reasons.append("any region")
    elif arn.equals3(concat(region), group.region) is Match.NO:
        reasons.append(f"region {render(concat(region))}")
    if _wild(account):
        reasons.append("any account")
    elif arn.equals3(concat(account), group.account) is Match.NO:
        reasons.append(f"account {render(concat(account))}")
    first = resource[0] if resource else ""
    if not isinstance(first, str):
        return None
    prefix = "log-group:"
    if first.startswith(prefix):
        rest = ([first[len(prefix):]] if first[len(prefix):] else []) + resource[1:]
        name_parts: list = []
        for part in rest:
            if isinstance(part, str) and ":" in part:
                head = part.split(":", 1)[0]
                if head:
                    name_parts.append(head)
                break
            name_parts.append(part)
        name = concat(name_parts)
        if _wild(name_parts):
            reasons.append(f"log group name pattern {render(name)}")
        else:
            same = arn.equals3(name, group.name)
            if same is Match.MAYBE:
                return None
            if same is Match.NO:
                shown = name.logical_id if isinstance(name, GeneratedName) else render(name)
                reasons.append(f"log group {shown}")
    else:
        literal = first.split("*", 1)[0].split("?", 1)[0]
        if not (_wild([first]) and prefix.startswith(literal)):
            return None  # another kind of CloudWatch Logs resource (a destination…)
        reasons.append("every log group name")
    if not reasons:
        return None
    return f"also matches log groups other than {_group_label(group)} ({', '.join(reasons)})"


# --------------------------------------------------------------------------------------------
# Where the trail records: WT2007
# --------------------------------------------------------------------------------------------

MULTI_REGION_KEY = "IsMultiRegionTrail"
GLOBAL_KEY = "IncludeGlobalServiceEvents"


def _flag(check: Any, props: dict, key: str, default: bool,
          s: Scenario) -> list[tuple[Scenario, bool | None, str, Any]]:
    """A trail's boolean property as CloudFormation reads it, with what it was read from:
    absent or ``AWS::NoValue`` is ``default``; an unlisted parameter is each value in its own
    scenario; what cannot be known (an import, a word that is not a boolean) is None."""
    if key not in props:
        return [(s, default, f"no {key}" + ARROW + f"{str(default).lower()} (the default)", NoValue)]
    raw = props[key]
    out: list[tuple[Scenario, bool | None, str, Any]] = []
    for s_i, value in check.resolver.resolve(raw, s):
        if value is NoValue:
            out.append((s_i, default, f"{key}: {source(raw)}" + ARROW +
                        f"AWS::NoValue, so the default {str(default).lower()}", value))
            continue
        for s_j, flag in choices.boolean(value, s_i):
            shown = render(value) if flag is None else str(flag).lower()
            out.append((s_j, flag, f"{key}: {source(raw)}" + ARROW + shown, value))
    return out


def _takes_management_events(key: str, value: Any) -> bool | None:
    """Whether resolved selectors take any management event at all (WT2005's reading: a
    selector narrowed by other fields still takes some); None when that cannot be known."""
    if value is NoValue or value == [] or value is None:
        return True   # removed or empty: the default, all management events
    if not isinstance(value, list):
        return None
    selection = _Selection()
    reader = _classic if key == "EventSelectors" else _advanced
    for index, selector in enumerate(value):
        if selector is not NoValue:
            reader(selector, f"{key}[{index}]", selection)
    if any(cover != _NONE for cover in selection.cover.values()) or selection.partial:
        return True
    return None if selection.unknown else False


def management_events(check: Any, props: dict, s: Scenario) -> list[tuple[Scenario, bool | None]]:
    """Whether a trail with these properties records management events, per scenario (its
    selectors read as WT2005 reads them; no selectors: every management event)."""
    keys = [key for key in SELECTOR_KEYS if key in props]
    if not keys:
        return [(s, True)]
    out: list[tuple[Scenario, bool | None]] = [(s, False)]
    for key in keys:
        following: list[tuple[Scenario, bool | None]] = []
        for s0, taken in out:
            if taken is True:
                following.append((s0, True))
                continue
            for s_i, value in check.resolver.resolve(props[key], s0):
                for s_j, chosen in _choose_selector_words(key, value, s_i):
                    here = _takes_management_events(key, chosen)
                    following.append((s_j, True if here is True else
                                      None if (here is None or taken is None) else False))
        out = following
    return out


def _other_multi_region(check: Any, s: Scenario) -> list[tuple[Scenario, str | None]]:
    """Per scenario, another trail of the template that exists, is multi-region, includes global
    service events and records management events (its logical ID), or None."""
    out: list[tuple[Scenario, str | None]] = [(s, None)]
    for other in check.names.by_type(TRAIL):
        if other == check.trail_id:
            continue
        props = _properties(check, other)
        following: list[tuple[Scenario, str | None]] = []
        for s0, found in out:
            if found is not None:
                following.append((s0, found))
                continue
            for s1, exists in check.resolver.exists(other, s0):
                if not exists:
                    following.append((s1, None))
                    continue
                for s2, multi, _, _ in _flag(check, props, MULTI_REGION_KEY, False, s1):
                    for s3, global_, _, _ in _flag(check, props, GLOBAL_KEY, True, s2):
                        if multi is not True or global_ is not True:
                            following.append((s3, None))
                            continue
                        following.extend((s4, other if taken is True else None)
                                         for s4, taken in management_events(check, props, s3))
        out = following
    return out


@_guarded
def _multi_region(check: Any, s: Scenario) -> None:
    trail = f"Trail {check.trail_id}"
    for s_m, multi, multi_step, multi_value in _flag(check, check.props, MULTI_REGION_KEY, False, s):
        for s_g, global_, global_step, global_value in _flag(check, check.props, GLOBAL_KEY, True, s_m):
            if multi is True and global_ is False:
                _emit(check, "WT2007", GLOBAL_KEY,
                      f"{trail} has IncludeGlobalServiceEvents false with IsMultiRegionTrail true: "
                      "CloudTrail refuses to create a multi-region trail that leaves out global "
                      "service events, so this trail cannot be deployed",
                      s_g, [(0, multi_step), (0, global_step)])
                continue
            if multi is True and global_ is True:
                continue
            problems = []
            if multi is not True:
                problems.append((MULTI_REGION_KEY, multi, multi_step, multi_value))
            if global_ is not True:
                problems.append((GLOBAL_KEY, global_, global_step, global_value))
            for s_e, taken in management_events(check, check.props, s_g):
                if taken is True:
                    for key, flag, step, value in problems:
                        _emit(check, "WT2007", key,
                              _region_message(check, key, flag, value, multi, records=True), s_e,
                              [(0, step), (0, "the trail records management events")])
                    continue
                what = ("records no management events" if taken is False else
                        "may record no management events (its selectors cannot be read here)")
                for s_o, other in _other_multi_region(check, s_e):
                    if other is not None:
                        continue  # the account's multi-region trail is that one
                    for key, flag, step, value in problems:
                        _emit(check, "WT2007", key,
                              _region_message(check, key, flag, value, multi, records=False) +
                              f"; it {what}, and no other trail of the template is a multi-region "
                              "trail that records them, as an account needs one", s_o,
                              [(0, step), (0, f"the trail {what}"),
                               (0, "no other trail of the template is multi-region, includes "
                                   "global service events and records management events")])


def _region_message(check: Any, key: str, flag: bool | None, value: Any, multi: bool | None,
                    records: bool) -> str:
    trail = f"Trail {check.trail_id}"
    if flag is None:
        what = "it is multi-region" if key == MULTI_REGION_KEY else "it includes global service events"
        return (f"{trail}: cannot tell whether {what} ({key} is {render(value)})" +
                ("; a multi-region trail must include them or CloudTrail refuses to create it"
                 if key == GLOBAL_KEY and multi is not False else ""))
    if key == MULTI_REGION_KEY:
        setting = (f"does not set {key} (default false)" if key not in check.props else
                   f"has {key} AWS::NoValue (default false)" if value is NoValue else
                   f"has {key} false")
        return f"{trail} {setting}" + (": it records the events of the stack's region only, so "
                                       "activity in every other region goes unrecorded"
                                       if records else "")
    return f"{trail} has {key} false" + (": events of global services such as IAM, STS and "
                                         "CloudFront are not recorded" if records else "")


# --------------------------------------------------------------------------------------------
# The trail's log group's name: WT2008
# --------------------------------------------------------------------------------------------

@_guarded
def log_group_name(check: Any, group: Any, s: Scenario) -> None:
    pattern = option(check, "WT2008", "log_group_name")
    if not isinstance(pattern, str) or not pattern:
        return  # the rule is off until a pattern is configured
    name = group.name
    verdict = arn.match_pattern(pattern, name)
    if verdict is Match.YES:
        return
    label = _group_label(group)
    generated = isinstance(name, GeneratedName)
    shown = ("a name CloudFormation generates (<stack>-<logical ID>-<suffix>: letters, digits "
             "and hyphens)" if generated else render(name))
    tree, depth = _group_root(group)
    how = "does not match" if verdict is Match.NO else "cannot be shown to match"
    tree.append((depth, f"name: {shown}" + ARROW + f"{how} log_group_name {pattern!r}"))
    if verdict is Match.NO:
        message = (f"Trail {check.trail_id}: its log group {label} has no LogGroupName, and the "
                   f"name CloudFormation generates cannot match log_group_name {pattern!r}"
                   if generated else
                   f"Trail {check.trail_id}: its log group {label} is named {shown}, which does not "
                   f"match log_group_name {pattern!r}")
    else:
        message = (f"Trail {check.trail_id}: cannot tell whether the name of its log group {label} "
                   f"({shown}) matches log_group_name {pattern!r}")
    _emit(check, "WT2008", GROUP_KEY, message, s, tree)
