"""The monitoring chain of Security Hub CloudWatch.1-CloudWatch.14: WT3001-WT3014 (opt-in).

For each control, the chain Security Hub's custom logic walks, here in the template:

1. the trail: logging, multi-region, all management events (read and write), delivering to
   CloudWatch Logs. That is the verdict of the rules already run on it: a core error (ET1001-
   ET1006, ET1008) or WT2005 on the trail, or ``IsMultiRegionTrail`` not true, fails every
   control (one finding per rule, saying so);
2. an ``AWS::Logs::MetricFilter`` on the trail's own log group (``hygiene._same_group``) whose
   ``FilterPattern`` is an accepted variant of the control's pattern
   (``monitoring_controls.classify``; an older accepted form passes);
3. an ``AWS::CloudWatch::Alarm`` on that filter's metric (``Namespace``/``MetricName`` equal to a
   ``MetricTransformations`` entry's ``MetricNamespace``/``MetricName``);
4. an SNS topic among its ``AlarmActions``;
5. at least one subscription to the topic (an ``AWS::SNS::Subscription`` with its ``TopicArn``,
   or the topic's own ``Subscription`` property).

Two links are our own addition to Security Hub's documented logic: the alarm fires on a single
event (``GreaterThanOrEqualToThreshold`` with a ``Threshold`` of at most 1, or
``GreaterThanThreshold`` below 1), and its actions are enabled (``ActionsEnabled`` not false;
Security Hub checks that under CloudWatch.17).

The finding names the first link that breaks on the candidate that got furthest. A link that
cannot be verified here (a pattern, log group or topic from a parameter or import, a topic
outside the template) is the rule's own finding saying so; WT1007 stays about delivery.
Findings are anchored like the hygiene rules: at the trail's ``CloudWatchLogsLogGroupArn``.
"""

from __future__ import annotations

from typing import Any

from . import hygiene, monitoring_controls, patterns
from .arn import Match
from .values import Atom, NoValue, ResourceAttr, ResourceRef, Scenario, choices, render, scalar_text

METRIC_FILTER = "AWS::Logs::MetricFilter"
ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
SUBSCRIPTION = "AWS::SNS::Subscription"
CORE_ERRORS = ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "ET1008")
RULES = tuple(c.rule for c in monitoring_controls.controls())


class _Broken:
    """A broken link: how far the candidate got (``score``), the message, the evidence tree."""

    def __init__(self, score: int, message: str, lines: list[tuple[int, str]],
                 s: Scenario) -> None:
        self.score, self.message, self.lines, self.s = score, message, lines, s


def enabled(check: Any) -> list[monitoring_controls.Control]:
    wanted = getattr(check, "opt_in", frozenset())
    return [c for c in monitoring_controls.controls() if c.rule in wanted]


@hygiene._guarded
def chain(check: Any, group: Any, s: Scenario) -> None:
    """WT3001-WT3014 for the trail of ``check``, its log group link ``group`` (None: it does not
    deliver) in scenario ``s``; called once the delivery chain of that scenario was checked."""
    controls = enabled(check)
    if not controls:
        return
    trail = f"Trail {check.trail_id}"
    why = _trail_fails(check, group, s)
    if why is not None:
        reason, s_x = why
        for c in controls:
            hygiene._emit(check, c.rule, hygiene.GROUP_KEY,
                          f"{trail}: fails {c.id} ({c.title}) whatever its metric filters: {reason}",
                          s_x, [(0, reason)])
        return
    label = hygiene._group_label(group)
    for c in controls:
        broken = _best(check, group, c, s)
        if broken is None:
            continue
        tree, depth = hygiene._group_root(group)
        tree += [(depth + d, line) for d, line in broken.lines]
        hygiene._emit(check, c.rule, hygiene.GROUP_KEY,
                      f"{trail}: {c.id} ({c.title}) on its log group {label}: {broken.message}",
                      broken.s, tree)


# -- the trail end ---------------------------------------------------------------------------

def _trail_fails(check: Any, group: Any, s: Scenario) -> tuple[str, Scenario] | None:
    core = sorted({f.rule for f in check.findings if f.rule in CORE_ERRORS})
    if group is None or core:
        return (f"it does not deliver to CloudWatch Logs ({', '.join(core) or 'no log group'})", s)
    if any(f.rule == "WT2005" for f in check.findings):
        return ("its event selectors drop management events (WT2005)", s)
    raw = check.props.get("IsMultiRegionTrail")
    if raw is None:
        return ("it is not a multi-region trail (no IsMultiRegionTrail)", s)
    for s_i, value in check._value("IsMultiRegionTrail", s):
        for s_j, multi in choices.boolean(value, s_i):
            if multi is False:
                return ("it is not a multi-region trail (IsMultiRegionTrail false)", s_j)
            if multi is None:
                return (f"cannot verify that it is a multi-region trail (IsMultiRegionTrail is "
                        f"{render(value)})", s_j)
    return None


# -- the metric filter ------------------------------------------------------------------------

def _best(check: Any, group: Any, c: monitoring_controls.Control, s: Scenario) -> _Broken | None:
    """None when some filter's chain holds in every scenario, else the furthest broken link."""
    found: list[_Broken] = []
    for filter_id in sorted(check.names.by_type(METRIC_FILTER)):
        outcomes = list(_filter(check, group, c, filter_id, s))
        if outcomes and all(o is None for _, o in outcomes):
            return None
        found.extend(o for _, o in outcomes if o is not None)
    if not found:
        current = patterns.render(c.current.pattern)
        return _Broken(0, f"no {METRIC_FILTER} on it has the filter pattern of {c.id}: "
                          f"{current}", [(0, f"no {METRIC_FILTER} with {current}")], s)
    return max(found, key=lambda b: b.score)   # the first of the furthest (sorted IDs)


def _filter(check: Any, group: Any, c: Any, filter_id: str, s: Scenario):
    """(scenario, None when the chain holds from this filter on | the broken link)."""
    properties = hygiene._properties(check, filter_id)
    for s_i, exists in check.resolver.exists(filter_id, s):
        if not exists:
            continue
        for s_j, props in check.resolver.resolve(properties, s_i):
            if not isinstance(props, dict):
                continue
            yield from _filter_props(check, group, c, filter_id, props, s_j)


def _filter_props(check: Any, group: Any, c: Any, filter_id: str, props: dict, s: Scenario):
    name = f"metric filter {filter_id}"
    raw = props.get("FilterPattern")
    if isinstance(raw, Atom) or not isinstance(raw, str):
        yield s, _Broken(1, f"cannot verify the pattern of {name}: FilterPattern is "
                            f"{render(raw)}", [(0, f"{name}: FilterPattern {render(raw)}")], s)
        return
    verdict = monitoring_controls.classify(raw, only=c.id)
    matches = verdict.status in ("current", "older")
    if not matches and (verdict.control is None or verdict.status != "differs"
                        or monitoring_controls.classify(raw).control is not c):
        return   # a filter for something else: not a candidate for this control
    same = _same_group(check, group, props.get("LogGroupName"), s)
    where = f"{name}: LogGroupName {render(props.get('LogGroupName'))}"
    if same is Match.NO:
        if matches:
            yield s, _Broken(1, f"{name} has the pattern of {c.id} but is on log group "
                                f"{render(check.names.expand(props.get('LogGroupName'), s))}, "
                                "not the trail's", [(0, where + " (another log group)")], s)
        return
    if same is Match.MAYBE:
        yield s, _Broken(1, f"cannot verify that {name} is on the trail's log group "
                            f"(LogGroupName is {render(props.get('LogGroupName'))})",
                         [(0, where)], s)
        return
    lines = [(0, f"{name} on the trail's log group")]
    if not matches:
        differences = "; ".join(verdict.differences) or verdict.note
        yield s, _Broken(2, f"the pattern of {name} differs from the pattern of {c.id} "
                            f"({patterns.render(c.current.pattern)}): {differences}",
                         lines + [(1, f"FilterPattern: {raw}")] +
                         [(1, d) for d in verdict.differences], s)
        return
    lines.append((1, f"FilterPattern: {verdict.status} form of {c.id}"
                     + (f" ({verdict.note})" if verdict.note else "")))
    metrics = _metrics(props.get("MetricTransformations"))
    if not metrics:
        yield s, _Broken(3, f"{name} has no MetricTransformations with a metric name and "
                            "namespace", lines, s)
        return
    yield from _alarms(check, c, name, metrics, lines, s)


def _all_metrics(check: Any) -> set[tuple[Any, Any]]:
    """Every (namespace, name) a metric filter of the template writes, as written."""
    out = set()
    for filter_id in check.names.by_type(METRIC_FILTER):
        raw = hygiene._properties(check, filter_id).get("MetricTransformations")
        out.update((scalar_text(ns), scalar_text(name)) for ns, name in _metrics(raw))
    return out


def _same_group(check: Any, group: Any, target: Any, s: Scenario) -> Match:
    """``hygiene._same_group``, and YES when both names are the same open value (one parameter
    names the trail's log group and the filter's: whatever its value, they are one group)."""
    if target is not None and target is not NoValue and group.name is not None:
        expanded = check.names.expand(target, s)
        if isinstance(expanded, Atom) and expanded == group.name:
            return Match.YES
    return hygiene._same_group(check, group, target, s)


def _metrics(value: Any) -> list[tuple[Any, Any]]:
    items = value if isinstance(value, list) else [value]
    return [(item.get("MetricNamespace"), item.get("MetricName")) for item in items
            if isinstance(item, dict) and item.get("MetricName") is not None]


# -- the alarm --------------------------------------------------------------------------------

def _alarms(check: Any, c: Any, name: str, metrics: list, lines: list, s: Scenario):
    wanted = {(scalar_text(ns), scalar_text(metric)) for ns, metric in metrics}
    shown = ", ".join(f"{render(ns)}/{render(metric)}" for ns, metric in metrics)
    near: list[str] = []
    results = []
    for alarm_id in sorted(check.names.by_type(ALARM)):
        properties = hygiene._properties(check, alarm_id)
        for s_i, exists in check.resolver.exists(alarm_id, s):
            if not exists:
                continue
            for s_j, props in check.resolver.resolve(properties, s_i):
                if not isinstance(props, dict):
                    continue
                key = (scalar_text(props.get("Namespace")), scalar_text(props.get("MetricName")))
                if key in wanted:
                    results.append(_alarm(check, alarm_id, props, lines, s_j))
                elif any(key[1] == w[1] for w in wanted) or (
                        any(key[0] == w[0] for w in wanted) and key not in _all_metrics(check)):
                    near.append(f"alarm {alarm_id} is on {render(props.get('Namespace'))}/"
                                f"{render(props.get('MetricName'))}")
    if not results:
        more = f" ({'; '.join(near)}, not the filter's)" if near else ""
        yield s, _Broken(3, f"no {ALARM} is on the metric {shown} of {name}{more}",
                         lines + [(1, f"no {ALARM} on {shown}")] + [(2, n) for n in near], s)
        return
    if any(r[1] is None for r in results):
        yield from ((r[0], None) for r in results if r[1] is None)
        return
    yield from results


def _alarm(check: Any, alarm_id: str, props: dict, lines: list, s: Scenario):
    lines = lines + [(1, f"{ALARM} {alarm_id}")]
    single = _single_event(props)
    if single:
        return s, _Broken(4, f"alarm {alarm_id} does not fire on a single event: {single} "
                             "(our check, beyond Security Hub's documented logic)",
                          lines + [(2, single)], s)
    if "ActionsEnabled" in props:
        for s_i, on in choices.boolean(props["ActionsEnabled"], s):
            if on is False:
                return s_i, _Broken(4, f"alarm {alarm_id} has ActionsEnabled false: it notifies "
                                       "no one (Security Hub checks this under CloudWatch.17)",
                                    lines + [(2, "ActionsEnabled: false")], s_i)
            if on is None:
                return s_i, _Broken(4, f"cannot verify that alarm {alarm_id} has its actions "
                                       f"enabled (ActionsEnabled is "
                                       f"{render(props['ActionsEnabled'])})", lines, s_i)
    return _topics(check, alarm_id, props.get("AlarmActions"), lines, s)


def _single_event(props: dict) -> str | None:
    operator = scalar_text(props.get("ComparisonOperator"))
    try:
        threshold = float(scalar_text(props.get("Threshold")))
    except (TypeError, ValueError):
        return f"its Threshold is {render(props.get('Threshold'))}"
    if operator == "GreaterThanOrEqualToThreshold" and threshold <= 1:
        return None
    if operator == "GreaterThanThreshold" and threshold < 1:
        return None
    return f"{operator or 'no ComparisonOperator'} {render(props.get('Threshold'))}"


# -- the topic and its subscribers ------------------------------------------------------------

def _topics(check: Any, alarm_id: str, actions: Any, lines: list, s: Scenario):
    items = [a for a in (actions if isinstance(actions, list) else [actions])
             if a is not None and a is not NoValue and a != ""]
    if not items:
        return s, _Broken(5, f"alarm {alarm_id} has no AlarmActions", lines, s)
    outside: list[str] = []
    for item in items:
        topic = _topic_id(check, item)
        if topic is None:
            if isinstance(item, Atom) or ":sns:" in str(render(item)):
                outside.append(render(item))
            continue
        sub = _subscribed(check, topic, s)
        if sub is None:
            return s, None
        return s, _Broken(6, f"topic {topic} of alarm {alarm_id} has no subscription "
                             f"(no {SUBSCRIPTION} with its TopicArn, no Subscription property)",
                          lines + [(2, f"{TOPIC} {topic}: {sub}")], s)
    if outside:
        return s, _Broken(5, f"cannot verify the subscribers of alarm {alarm_id}'s topic "
                             f"{outside[0]}: it is outside the template",
                          lines + [(2, f"AlarmActions: {outside[0]} (outside the template)")], s)
    return s, _Broken(5, f"alarm {alarm_id} has no SNS topic among its AlarmActions",
                      lines + [(2, f"AlarmActions: {', '.join(render(i) for i in items)}")], s)


def _topic_id(check: Any, value: Any) -> str | None:
    """The template's topic a value names (``!Ref Topic``: its ARN), or None."""
    if isinstance(value, ResourceRef) and check.resolver.resource_type(value.logical_id) == TOPIC:
        return value.logical_id
    if isinstance(value, ResourceAttr) and check.resolver.resource_type(value.logical_id) == TOPIC \
            and value.attribute == "TopicArn":
        return value.logical_id
    return None


def _subscribed(check: Any, topic: str, s: Scenario) -> str | None:
    """None when the topic has a subscriber, else what was looked at."""
    own = hygiene._properties(check, topic).get("Subscription")
    if isinstance(own, list) and own:
        return None
    for sub_id in sorted(check.names.by_type(SUBSCRIPTION)):
        raw = hygiene._properties(check, sub_id).get("TopicArn")
        for s_i, value in check.resolver.resolve(raw, s):
            if _topic_id(check, value) == topic:
                return None
    return "no subscription"
