"""Whether anything in the template notices that the trail's delivery stopped: IT2009.

The core rules prove that the trail *can* deliver; a trail that stops (its role changed, the
trail stopped, a quota hit) is silent unless an alarm watches its log group. This rule looks for
an ``AWS::CloudWatch::Alarm`` of the template that fires when no events arrive in the trail's
own log group:

- on the metric ``IncomingLogEvents`` of namespace ``AWS/Logs``, with a dimension
  ``LogGroupName`` that is the trail's log group (``!Ref`` of it or its name, compared as
  ``hygiene._same_group`` compares a subscription filter's group);
- ``ComparisonOperator`` ``LessThanThreshold`` with a ``Threshold`` above 0, or
  ``LessThanOrEqualToThreshold`` with one of at least 0: zero events meet it, whatever the
  statistic (every statistic of a period without events is 0);
- ``TreatMissingData: breaching``: a period without any event has no data point, and the other
  settings leave the alarm in OK or INSUFFICIENT_DATA exactly when delivery stops;
- ``ActionsEnabled`` not false, and at least one ``AlarmActions`` entry: someone is told.

One alarm that meets all of it is enough. Otherwise the finding names what is missing: no alarm on
that metric at all, or the first such alarm and what it lacks. A value that cannot be known (an
import) makes the alarm one that "cannot be shown" to do it; an unlisted parameter is each value
it may take (``values.choices``). Alarms on metric math (``Metrics``) are not read.
"""

from __future__ import annotations

from typing import Any

from . import hygiene, inventory
from .arn import Match
from .values import Atom, NoValue, Scenario, choices, render, scalar_text

ALARM = "AWS::CloudWatch::Alarm"
NAMESPACE = "AWS/Logs"
METRIC = "IncomingLogEvents"
DIMENSION = "LogGroupName"
LESS = ("LessThanThreshold", "LessThanOrEqualToThreshold")
OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
             "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
             "LessThanLowerThreshold", "GreaterThanUpperThreshold")
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")


@hygiene._guarded
def watched(check: Any, group: Any, s: Scenario) -> None:
    """IT2009 for the trail's log group ``group`` in scenario ``s``."""
    label = hygiene._group_label(group)
    tree, depth = hygiene._group_root(group)
    on_metric: list[tuple[str, Scenario, list[str]]] = []   # (alarm, scenario, what it lacks)
    absent: list[Scenario] = []   # where an alarm that is right when it exists is not there
    # Only the alarms written on AWS/Logs IncomingLogEvents, and those whose metric is not a
    # literal: one written on another metric can watch nothing here.
    alarms = inventory.of(check.resolver, check.names)
    for alarm_id in alarms.first_on_group(alarms.alarms_on([(NAMESPACE, METRIC)]),
                                          group.logical_id, group.name):
        outcomes = list(_alarm(check, group, alarm_id, s))
        if outcomes and all(lacks == [] for _, lacks in outcomes):
            return   # this alarm alerts when delivery stops, in every scenario
        on_metric.extend((alarm_id, s_i, lacks) for s_i, lacks in outcomes if lacks)
        if any(lacks == [] for _, lacks in outcomes):
            absent.extend(s_i for s_i, lacks in outcomes if lacks is None)
    on_metric.sort(key=lambda entry: entry[0])   # the first alarm by ID, whatever the search order
    trail = f"Trail {check.trail_id}"
    if not on_metric:
        tree.append((depth, f"no {ALARM} on {NAMESPACE} {METRIC} with {DIMENSION} {label}"))
        hygiene._emit(check, "IT2009", hygiene.GROUP_KEY,
                      f"{trail}: nothing alerts when its delivery stops: no {ALARM} in the template "
                      f"watches the {METRIC} metric ({NAMESPACE}) of its log group {label}",
                      absent[0] if absent else s, tree)
        return
    alarm_id, s_i, lacks = on_metric[0]
    tree.append((depth, f"{ALARM} {alarm_id} on {NAMESPACE} {METRIC} of {label}"))
    tree.extend((depth + 1, lack) for lack in lacks)
    others = len({alarm for alarm, _, _ in on_metric}) - 1
    more = f" (and {others} more alarm{'s' if others > 1 else ''} on that metric)" if others else ""
    hygiene._emit(check, "IT2009", hygiene.GROUP_KEY,
                  f"{trail}: alarm {alarm_id} watches the {METRIC} of its log group {label} but "
                  f"does not alert when delivery stops: {'; '.join(lacks)}{more}", s_i, tree)


def _alarm(check: Any, group: Any, alarm_id: str, s: Scenario):
    """``(scenario, what the alarm lacks)`` per scenario: None where it does not exist or does
    not watch the group's IncomingLogEvents, an empty list where it alerts when delivery stops."""
    properties = hygiene._properties(check, alarm_id)
    for s_i, exists in check.resolver.exists(alarm_id, s):
        if not exists:
            yield s_i, None
            continue
        for s_j, props in check.resolver.resolve(properties, s_i):
            if not isinstance(props, dict) or not _on_metric(check, group, props, s_j):
                yield s_j, None
                continue
            yield from _settings(props, s_j)


def _on_metric(check: Any, group: Any, props: dict, s: Scenario) -> bool:
    if scalar_text(props.get("Namespace")) != NAMESPACE or scalar_text(props.get("MetricName")) != METRIC:
        return False
    dimensions = props.get("Dimensions")
    for dimension in dimensions if isinstance(dimensions, list) else []:
        if isinstance(dimension, dict) and scalar_text(dimension.get("Name")) == DIMENSION and \
                hygiene._same_group(check, group, dimension.get("Value"), s) is Match.YES:
            return True
    return False


def _settings(props: dict, s: Scenario) -> list[tuple[Scenario, list[str]]]:
    """What the alarm lacks to fire when no events arrive, per scenario of its settings."""
    out = []
    for s_c, operator in _word(props, "ComparisonOperator", OPERATORS, s):
        for s_m, missing in _word(props, "TreatMissingData", MISSING_DATA, s_c):
            for s_a, enabled in _enabled(props, s_m):
                lacks = _comparison(operator, props.get("Threshold"))
                if missing is None:
                    lacks.append(f"TreatMissingData is {render(props.get('TreatMissingData'))}, "
                                 "which cannot be shown to be breaching")
                elif missing != "breaching":
                    shown = "not set (missing: the default)" if "TreatMissingData" not in props \
                        else missing
                    lacks.append(f"TreatMissingData is {shown}, not breaching: a period without "
                                 "events has no data point and does not alarm")
                if enabled is None:
                    lacks.append(f"ActionsEnabled is {render(props.get('ActionsEnabled'))}, "
                                 "which cannot be shown to be true")
                elif enabled is False:
                    lacks.append("ActionsEnabled is false: it notifies no one")
                lacks += _actions(props.get("AlarmActions"))
                out.append((s_a, lacks))
    return out


def _word(props: dict, key: str, accepted: tuple[str, ...], s: Scenario):
    if key not in props:
        return [(s, None if key != "TreatMissingData" else "missing")]
    return choices.word(props[key], s, accepted)


def _enabled(props: dict, s: Scenario):
    if "ActionsEnabled" not in props:
        return [(s, True)]
    return choices.boolean(props["ActionsEnabled"], s)


def _comparison(operator: str | None, threshold: Any) -> list[str]:
    if operator not in LESS:
        shown = operator if isinstance(operator, str) else "not known here"
        return [f"ComparisonOperator is {shown}: it does not fire when the count drops to 0 "
                f"(use {LESS[0]} with a Threshold of 1)"]
    value = _number(threshold)
    if value is None:
        return [f"Threshold is {render(threshold)}, which cannot be shown to make 0 events alarm"]
    fires = value > 0 if operator == LESS[0] else value >= 0
    if not fires:
        sign = "<" if operator == LESS[0] else "<="
        return [f"0 {sign} {render(threshold)} is false: 0 events do not alarm"]
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or isinstance(value, Atom) or value is None:
        return None
    try:
        return float(scalar_text(value))
    except (TypeError, ValueError):
        return None


def _actions(value: Any) -> list[str]:
    items = [item for item in (value if isinstance(value, list) else [value])
             if item is not NoValue and item is not None and item != ""]
    if not items:
        return ["no AlarmActions: it notifies no one"]
    return []
