"""The monitoring chain of Security Hub CloudWatch.1-CloudWatch.14: WT3001-WT3014 (opt-in).

For each control, the chain Security Hub's custom logic walks, here in the template:

1. the trail: logging, multi-region, all management events (read and write), delivering to
   CloudWatch Logs. That is the verdict of the rules already run on it: a core error (ET1001-
   ET1006, ET1008) or WT2005 on the trail, or ``IsMultiRegionTrail`` not true, fails every
   control (one finding per rule, saying so);
2. an ``AWS::Logs::MetricFilter`` on the trail's own log group (``hygiene._same_group``) whose
   ``FilterPattern`` is an accepted variant of the control's pattern
   (``monitoring_controls.classify``). An older accepted form passes, with a note naming the
   current form;
3. an ``AWS::CloudWatch::Alarm`` on that filter's metric (``Namespace``/``MetricName`` equal to a
   ``MetricTransformations`` entry's ``MetricNamespace``/``MetricName``);
4. an SNS topic among its ``AlarmActions``;
5. at least one subscription to the topic (an ``AWS::SNS::Subscription`` with its ``TopicArn``,
   or the topic's own ``Subscription`` property).

Two links are our own addition to Security Hub's documented logic: the alarm fires on a single
matching event (:func:`_single_event`: the statistic, the metric value, the threshold and how many
periods must breach), and its actions are enabled (``ActionsEnabled`` not false; Security Hub
checks that under CloudWatch.17).

The finding names the first link that breaks on the candidate that got furthest, and only the
assumptions that candidate's chain consulted. A link that cannot be verified here (a pattern, log
group or topic from a parameter or import, a topic outside the template) is the rule's own
finding saying so; WT1007 stays about delivery. Findings are anchored like the hygiene rules: at
the trail's ``CloudWatchLogsLogGroupArn``.

**Stand-alone filters** (:func:`standalone`). Monitoring stacks often declare no trail: their
filters attach to a log group named by a parameter or a literal. A metric filter that has a
control's pattern (an accepted form, or one that differs from it) and exists in a scenario where
no trail of the template does is checked from the filter on -- pattern, alarm, topic,
subscriber -- and its findings are anchored at the filter's ``FilterPattern``, with the filter as
the finding's resource. When that part of the chain holds, the trail end is what remains: no
trail of this template delivers to the filter's log group, so the finding says that it cannot be
verified here; when the template's trails are under a Condition that the filter is not, the
finding says in which scenario the filter watches a log group no trail of the template writes
to. A control with no filter at all is not reported for such a stack: nothing in it says which
log group the missing filter would watch, and another stack may hold it.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import hygiene, inventory, load, monitoring_controls, patterns
from .arn import Match
from .findings import Finding, Note, scoped
from .values import (EMPTY, Atom, NoValue, ResourceAttr, ResourceRef, Scenario, choices, render,
                     scalar_text, source)

METRIC_FILTER = "AWS::Logs::MetricFilter"
ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
SUBSCRIPTION = "AWS::SNS::Subscription"
CORE_ERRORS = ("ET1001", "ET1002", "ET1003", "ET1004", "ET1005", "ET1006", "ET1008")
RULES = tuple(c.rule for c in monitoring_controls.controls())
PATTERN_KEY = "FilterPattern"

# The properties each link reads: resolving only these keeps a finding's scenario to the
# assumptions its verdict depends on (an alarm's description built with !Sub ${Env} is not one).
_FILTER_KEYS = ("FilterPattern", "LogGroupName", "MetricTransformations")
_METRIC_KEYS = ("Namespace", "MetricName")
_ALARM_KEYS = ("Namespace", "MetricName", "ComparisonOperator", "Threshold", "Statistic",
               "ExtendedStatistic", "EvaluationPeriods", "DatapointsToAlarm", "ActionsEnabled",
               "AlarmActions")
# Statistics of a period holding one matching event and nothing else: Sum, Maximum, Minimum,
# Average and the percentiles are the metric value; SampleCount is 1. A filter with a
# DefaultValue also emits that value for every log event that does not match, which leaves Sum
# and Maximum at least the metric value (when the default is not above it) but drags Minimum,
# Average and the percentiles towards the default.
_ROBUST = ("Sum", "Maximum")
_DILUTED = ("Minimum", "Average")


class _Broken:
    """A broken link: how far the candidate got (``score``), the message, the evidence tree,
    and the assumptions its candidate's chain consulted (``keys``)."""

    def __init__(self, score: int, message: str, lines: list[tuple[int, str]],
                 s: Scenario) -> None:
        self.score, self.message, self.lines, self.s = score, message, lines, s
        self.keys: frozenset = frozenset()


class _Candidate:
    """What one metric filter's chain came to in one scenario: ``broken`` is None when it holds;
    ``verdict`` is the classification of its pattern (None when it was not read)."""

    def __init__(self, s: Scenario, broken: _Broken | None, verdict: Any = None) -> None:
        self.s, self.broken, self.verdict = s, broken, verdict


def _index(check: Any) -> inventory.Inventory:
    return inventory.of(check.resolver, check.names)


def enabled(check: Any) -> list[monitoring_controls.Control]:
    wanted = getattr(check, "opt_in", frozenset())
    return [c for c in monitoring_controls.controls() if c.rule in wanted]


def _subset(properties: dict, keys: tuple[str, ...]) -> dict:
    return {key: properties[key] for key in keys if key in properties}


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
        _with_keys(check, broken.keys, lambda: hygiene._emit(
            check, c.rule, hygiene.GROUP_KEY,
            f"{trail}: {c.id} ({c.title}) on its log group {label}: {broken.message}",
            broken.s, tree))


def _with_keys(check: Any, keys: frozenset, emit: Any) -> None:
    """Emit with the assumptions of one candidate's chain in scope, besides the path's."""
    saved = check.scope
    check.scope = saved | keys
    try:
        emit()
    finally:
        check.scope = saved


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
    found: list[tuple[int, _Broken]] = []   # (position among the sorted IDs, broken link)
    index = _index(check)
    candidates = index.filters_for(c.id)
    # The filters written on the trail's own group first: in a template of many trails the one
    # that holds is found without following every other trail's filters (only an order of
    # search: the verdict is _same_group's).
    mine = index.filters_written_on(c.id, group.logical_id, group.name)
    order = [i for i, f in enumerate(candidates) if f in mine] + \
        [i for i, f in enumerate(candidates) if f not in mine]
    for position in order:
        filter_id = candidates[position]
        # Each candidate under its own trace: the finding names what its own chain consulted.
        with check.resolver.traced(isolated=True) as keys:
            outcomes = list(_filter(check, group, c, filter_id, s))
        if outcomes and all(o.broken is None for o in outcomes):
            _older_form_note(check, c, filter_id, outcomes)
            return None
        for o in outcomes:
            if o.broken is not None:
                o.broken.keys = frozenset(keys)
                found.append((position, o.broken))
    if not found:
        current = patterns.render(c.current.pattern)
        return _Broken(0, f"no {METRIC_FILTER} on it has the filter pattern of {c.id}: "
                          f"{current}", [(0, f"no {METRIC_FILTER} with {current}")], s)
    # the furthest; of those, the first in sorted ID order
    return max(found, key=lambda pair: (pair[1].score, -pair[0]))[1]


def _older_form_note(check: Any, c: Any, filter_id: str, outcomes: list[_Candidate]) -> None:
    """A chain that holds through an older accepted form passes, and the note says so."""
    for o in outcomes:
        if o.verdict is not None and o.verdict.status == "older":
            variant = o.verdict.variant
            check.notes.append(Note(
                c.rule, filter_id, _pattern_path(check, filter_id),
                f"metric filter {filter_id} passes {c.id} ({c.title}) with an older accepted "
                f"form of its pattern ({variant.version}); the current form is "
                f"{patterns.render(c.current.pattern)}"))
            return


def _pattern_path(check: Any, filter_id: str) -> tuple:
    if PATTERN_KEY in hygiene._properties(check, filter_id):
        return ("Resources", filter_id, "Properties", PATTERN_KEY)
    return ("Resources", filter_id)


def _created(check: Any, logical_id: str, keys: tuple[str, ...],
             s: Scenario) -> list[tuple[Scenario, Any]]:
    """(scenario, the resource's ``keys`` resolved) for each scenario under ``s`` in which the
    resource is created.

    Kept per template, as every trail, control and candidate filter asks again, each under its
    own scenario. What the resolver returns depends only on the names it consults (conditions,
    parameters): a later ask whose scenario binds those names as the first one did gets the
    first result, with the bindings the resolution added laid over its own scenario, the
    assumptions consulted replayed to the open traces, and the problems met reported again."""
    added, result = _kept(check, logical_id, keys, s, _index(check))
    if result is None:
        return [(_laid_over(s, more), props) for more, props in added]
    return result


def _kept(check: Any, logical_id: str, keys: tuple[str, ...], s: Scenario,
          index: inventory.Inventory) -> tuple[list | None, list | None]:
    """:func:`_created` without laying the kept bindings over ``s``: (the kept answer as
    (bindings added, properties) pairs, None), its assumptions and problems replayed, or
    (None, the resolver's answer) when nothing kept fits ``s``. A caller that reads only the
    properties lays over nothing (an alarm on another metric)."""
    r = check.resolver
    entries = index.resolved.setdefault((logical_id, keys), [])
    for consulted, bound, added, problems, limits in entries:
        if _bound(s, consulted) == bound:
            r.consult(consulted)
            r.problems.update(problems)
            r.limit_hits.update(limits)
            return added, None
    problems, limits = set(r.problems), set(r.limit_hits)
    with r.traced() as consulted:
        properties = _subset(hygiene._properties(check, logical_id), keys)
        result = [(s_j, props) for s_i, exists in r.exists(logical_id, s) if exists
                  for s_j, props in r.resolve(properties, s_i)]
    names = tuple(sorted(consulted))
    entries.append((names, _bound(s, names), [(_added(s, s_j), props) for s_j, props in result],
                    r.problems - problems, r.limit_hits - limits))
    return None, result


_OPEN = object()   # a name the scenario leaves open


def _bound(s: Scenario, names: tuple[str, ...]) -> tuple:
    """How ``s`` binds ``names``: per name, its condition's and its parameter's value
    (``_OPEN`` where it leaves one open)."""
    conditions, parameters = s.conditions, s.parameters
    return tuple([(conditions.get(n, _OPEN), parameters.get(n, _OPEN)) for n in names])


def _added(base: Scenario, s: Scenario) -> tuple[dict, dict]:
    """The bindings ``s`` has that ``base`` has not."""
    return ({n: v for n, v in s.conditions.items() if n not in base.conditions},
            {n: v for n, v in s.parameters.items() if n not in base.parameters})


def _laid_over(s: Scenario, more: tuple[dict, dict]) -> Scenario:
    conditions, parameters = more
    if not conditions and not parameters:
        return s
    return Scenario({**s.conditions, **conditions}, {**s.parameters, **parameters})


def _filter(check: Any, group: Any, c: Any, filter_id: str, s: Scenario) -> Iterator[_Candidate]:
    for s_j, props in _created(check, filter_id, _FILTER_KEYS, s):
        if isinstance(props, dict):
            yield from _filter_props(check, group, c, filter_id, props, s_j)


def _control_of(raw: Any, c: Any) -> tuple[Any, bool] | None:
    """(classification against ``c``, whether it is an accepted form), or None when the
    pattern is not a candidate for ``c`` (a filter for something else)."""
    verdict = monitoring_controls.classify(raw, only=c.id)
    matches = verdict.status in ("current", "older")
    if not matches and (verdict.control is None or verdict.status != "differs"
                        or monitoring_controls.classify(raw).control is not c):
        return None
    return verdict, matches


def _filter_props(check: Any, group: Any, c: Any, filter_id: str, props: dict,
                  s: Scenario) -> Iterator[_Candidate]:
    name = f"metric filter {filter_id}"
    raw = props.get("FilterPattern")
    if isinstance(raw, Atom) or not isinstance(raw, str):
        yield _Candidate(s, _Broken(1, f"cannot verify the pattern of {name}: FilterPattern is "
                                       f"{render(raw)}",
                                    [(0, f"{name}: FilterPattern {render(raw)}")], s))
        return
    classified = _control_of(raw, c)
    if classified is None:
        if filter_id in _index(check).open_filters:
            # A pattern chosen by a parameter or condition: in this scenario it is another
            # control's, so here it does not stand in for this one.
            yield _Candidate(s, _Broken(
                0, f"no {METRIC_FILTER} on it has the filter pattern of {c.id} here: the "
                   f"FilterPattern of {name} is {render(raw)}",
                [(0, f"{name}: FilterPattern {render(raw)} (not {c.id}'s)")], s))
        return
    verdict, matches = classified
    same = _same_group(check, group, props.get("LogGroupName"), s)
    where = f"{name}: LogGroupName {render(props.get('LogGroupName'))}"
    if same is Match.NO:
        if matches:
            yield _Candidate(s, _Broken(
                1, f"{name} has the pattern of {c.id} but is on log group "
                   f"{render(check.names.expand(props.get('LogGroupName'), s))}, not the trail's",
                [(0, where + " (another log group)")], s))
        return
    if same is Match.MAYBE:
        yield _Candidate(s, _Broken(1, f"cannot verify that {name} is on the trail's log group "
                                       f"(LogGroupName is {render(props.get('LogGroupName'))})",
                                    [(0, where)], s))
        return
    lines = [(0, f"{name} on the trail's log group")]
    if not matches:
        yield _Candidate(s, _pattern_differs(c, name, raw, verdict, lines, s))
        return
    lines.append((1, f"FilterPattern: {verdict.status} form of {c.id}"
                     + (f" ({verdict.note})" if verdict.note else "")))
    for s_x, broken in _from_metric(check, c, name, props, lines, s):
        yield _Candidate(s_x, broken, verdict)


def _pattern_differs(c: Any, name: str, raw: str, verdict: Any, lines: list,
                     s: Scenario) -> _Broken:
    differences = "; ".join(verdict.differences) or verdict.note
    return _Broken(2, f"the pattern of {name} differs from the pattern of {c.id} "
                      f"({patterns.render(c.current.pattern)}): {differences}",
                   lines + [(1, f"FilterPattern: {raw}")] +
                   [(1, d) for d in verdict.differences], s)


def _from_metric(check: Any, c: Any, name: str, props: dict, lines: list, s: Scenario):
    """The chain from the filter's metric on: (scenario, None | the broken link)."""
    metrics = _metrics(props.get("MetricTransformations"))
    if not metrics:
        yield s, _Broken(3, f"{name} has no MetricTransformations with a metric name and "
                            "namespace", lines, s)
        return
    yield from _alarms(check, c, name, metrics, lines, s)


def _all_metrics(check: Any) -> set[tuple[str, str]]:
    """Every (namespace, name) a metric filter of the template writes, as written."""
    return _index(check).metrics


def _same_group(check: Any, group: Any, target: Any, s: Scenario) -> Match:
    """``hygiene._same_group``, and YES when both names are the same open value (one parameter
    names the trail's log group and the filter's: whatever its value, they are one group)."""
    if target is not None and target is not NoValue and group.name is not None:
        expanded = check.names.expand(target, s)
        if isinstance(expanded, Atom) and expanded == group.name:
            return Match.YES
    return hygiene._same_group(check, group, target, s)


def _metrics(value: Any) -> list[tuple[Any, Any, dict]]:
    """(namespace, metric name, the transformation) of each ``MetricTransformations`` entry."""
    items = value if isinstance(value, list) else [value]
    return [(item.get("MetricNamespace"), item.get("MetricName"), item) for item in items
            if isinstance(item, dict) and item.get("MetricName") is not None]


# -- the alarm --------------------------------------------------------------------------------

def _alarms(check: Any, c: Any, name: str, metrics: list, lines: list, s: Scenario):
    wanted = {(scalar_text(ns), scalar_text(metric)): item for ns, metric, item in metrics}
    shown = ", ".join(f"{render(ns)}/{render(metric)}" for ns, metric, _ in metrics)
    near: list[tuple[str, str]] = []   # (alarm, what it is on)
    refs: list[str] = []   # alarms whose MetricName is !Ref of this filter (a common mistake)
    others: list[tuple[str, tuple, dict]] = []   # alarms on another metric: only for a message
    results = []
    index = _index(check)
    for alarm_id in index.alarms_on(wanted):
        # The metric first (cheap), the rest only for an alarm on the filter's metric: an alarm
        # whose metric comes from a parameter is in every lookup, and its scenario is laid
        # over only when it is on the filter's metric.
        added, fresh = _kept(check, alarm_id, _METRIC_KEYS, s, index)
        for first, head in (added if fresh is None else fresh):
            if not isinstance(head, dict):
                continue
            key = index.metric_of.get(id(head))
            if key is None:
                key = index.metric_of[id(head)] = (scalar_text(head.get("Namespace")),
                                                   scalar_text(head.get("MetricName")))
            metric = head.get("MetricName")
            if isinstance(metric, ResourceRef) and \
                    check.resolver.resource_type(metric.logical_id) == METRIC_FILTER:
                if f"metric filter {metric.logical_id}" == name:
                    refs.append(f"alarm {alarm_id} has MetricName !Ref {metric.logical_id}, "
                                "which is the filter's own name, not the name of the metric "
                                "it writes")
            elif key in wanted:
                s_m = _laid_over(s, first) if fresh is None else first
                results.extend((alarm_id, *_alarm(check, alarm_id, props, wanted[key], lines, s_j))
                               for s_j, props in _created(check, alarm_id, _ALARM_KEYS, s_m)
                               if isinstance(props, dict))
            else:
                others.append((alarm_id, key, head))
    if not results:
        # alarms whose metric was resolved here and is close to the filter's (another
        # namespace, another name), and those written on such a metric
        near += [(alarm_id, f"alarm {alarm_id} is on {render(head.get('Namespace'))}/"
                            f"{render(head.get('MetricName'))}")
                 for alarm_id, key, head in others if _near(key, wanted, index)]
        near += [(alarm_id, f"alarm {alarm_id} is on {key[0]}/{key[1]}")
                 for key, ids in index.alarms.items() if key not in wanted and _near(key, wanted, index)
                 for alarm_id in ids]
        close = [text for _, text in sorted(near)]
        more = f" ({'; '.join(refs)})" if refs else \
            f" ({'; '.join(close)}, not the filter's)" if close else ""
        yield s, _Broken(3, f"no {ALARM} is on the metric {shown} of {name}{more}",
                         lines + [(1, f"no {ALARM} on {shown}")]
                         + [(2, n) for n in refs + close], s)
        return
    # One alarm that holds in every scenario it was followed in is enough; an alarm that holds
    # only in some (ActionsEnabled from a parameter) does not cover the others.
    for alarm_id in dict.fromkeys(r[0] for r in results):
        mine = [r for r in results if r[0] == alarm_id]
        if all(broken is None for _, _, broken in mine):
            yield from ((s_x, None) for _, s_x, _ in mine)
            return
    yield from ((s_x, broken) for _, s_x, broken in results if broken is not None)


def _near(key: tuple[str, str], wanted: Any, index: inventory.Inventory) -> bool:
    """An alarm on the filter's metric name in another namespace, or in its namespace on a
    metric no filter of the template writes: most likely meant for this filter."""
    return any(key[1] == w[1] for w in wanted) or (
        any(key[0] == w[0] for w in wanted) and key not in index.metrics)


def _alarm(check: Any, alarm_id: str, props: dict, transformation: dict, lines: list,
           s: Scenario):
    lines = lines + [(1, f"{ALARM} {alarm_id}")]
    verdict, why = _single_event(props, transformation)
    if verdict is False:
        return s, _Broken(4, f"alarm {alarm_id} does not fire on a single matching event: {why} "
                             "(our check, beyond Security Hub's documented logic)",
                          lines + [(2, why)], s)
    if verdict is None:
        return s, _Broken(4, f"cannot verify that alarm {alarm_id} fires on a single matching "
                             f"event: {why} (our check, beyond Security Hub's documented logic)",
                          lines + [(2, why)], s)
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or isinstance(value, Atom):
        return None
    try:
        return float(scalar_text(value))
    except (TypeError, ValueError):
        return None


def _single_event(props: dict, transformation: dict) -> tuple[bool | None, str]:
    """Whether one matching log event in a period makes the alarm fire: (True, ""), or
    (False | None for "cannot tell", why). The filter emits its ``MetricValue`` for the event;
    the period's statistic of that is compared with the threshold; and the alarm needs
    ``DatapointsToAlarm`` (default ``EvaluationPeriods``) breaching periods, so one event is
    enough only when that is 1."""
    operator = scalar_text(props.get("ComparisonOperator"))
    if operator not in ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold"):
        if isinstance(props.get("ComparisonOperator"), Atom):
            return None, f"its ComparisonOperator is {render(props.get('ComparisonOperator'))}"
        return False, f"{operator or 'no ComparisonOperator'} {render(props.get('Threshold'))}"
    threshold = _number(props.get("Threshold"))
    if threshold is None:
        return None, f"its Threshold is {render(props.get('Threshold'))}"
    value = _number(transformation.get("MetricValue"))
    if value is None:
        return None, (f"the filter's MetricValue is {render(transformation.get('MetricValue'))}, "
                      "not a number")
    default = transformation.get("DefaultValue")
    statistic = props.get("Statistic")
    if statistic is None and props.get("ExtendedStatistic") is not None:
        statistic = "Average"   # a percentile of the period's values: diluted like the average
        shown_statistic = f"ExtendedStatistic {render(props.get('ExtendedStatistic'))}"
    else:
        shown_statistic = f"Statistic {render(statistic)}"
    if isinstance(statistic, Atom):
        return None, f"its Statistic is {render(statistic)}"
    statistic = scalar_text(statistic)
    if statistic == "SampleCount":
        datapoint = 1.0
    elif statistic in _ROBUST:
        datapoint = value
    elif statistic in _DILUTED:
        if default is not None and default is not NoValue:
            return False, (f"{shown_statistic} of a filter with DefaultValue {render(default)}: "
                           "every log event that does not match adds that value to the period")
        datapoint = value
    else:
        return None, f"its {shown_statistic} is not one this check reads"
    fires = datapoint >= threshold if operator == "GreaterThanOrEqualToThreshold" \
        else datapoint > threshold
    if not fires:
        return False, (f"{operator} {render(props.get('Threshold'))}, and one event makes the "
                       f"{statistic} of the period {datapoint:g}")
    needed = props.get("DatapointsToAlarm", props.get("EvaluationPeriods"))
    if needed is None:
        return True, ""   # CloudFormation requires EvaluationPeriods; its schema says so
    periods = _number(needed)
    if periods is None:
        return None, f"its DatapointsToAlarm/EvaluationPeriods is {render(needed)}"
    if periods > 1:
        key = "DatapointsToAlarm" if "DatapointsToAlarm" in props else "EvaluationPeriods"
        return False, f"{key} {render(needed)}: it needs {periods:g} periods that breach"
    return True, ""


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
    for sub_id in _index(check).subscriptions_of(topic):
        raw = hygiene._properties(check, sub_id).get("TopicArn")
        for s_i, value in check.resolver.resolve(raw, s):
            if _topic_id(check, value) == topic:
                return None
    return "no subscription"


# -- stand-alone filters ----------------------------------------------------------------------

class Standalone:
    """What :func:`standalone` found on one template: findings and notes anchored at metric
    filters, and each filter it checked with its control's rule (JUnit lists them)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.notes: list[Note] = []
        self.anchors: list[tuple[str, str]] = []


class _FilterCheck:
    """The context the chain's links read (``resolver``, ``names``, ``scope``), anchored at one
    metric filter instead of a trail."""

    def __init__(self, resolver: Any, names: Any, filter_id: str, region_label: str | None,
                 out: Standalone) -> None:
        self.resolver, self.names, self.filter_id = resolver, names, filter_id
        self.region_label, self.out = region_label, out
        self.scope: frozenset = frozenset()
        self.notes = out.notes
        self.path = _pattern_path(self, filter_id)

    def emit(self, rule: str, message: str, s: Scenario, tree: list[tuple[int, str]]) -> None:
        self.out.findings.append(scoped(self.resolver, self.scope, self.region_label, rule,
                                        self.filter_id, self.path, message, s,
                                        [text for _, text in tree], [d for d, _ in tree],
                                        METRIC_FILTER))


def filters_to_check(template: Any, opt_in: frozenset) -> list[str]:
    """The template's metric filters, when some monitoring rule is on (else nothing to do)."""
    if not opt_in.intersection(RULES):
        return []
    return load.resources_of_type(template, METRIC_FILTER)


def standalone(resolver: Any, names: Any, filters: list[str], trails: list[str],
               opt_in: frozenset, region_label: str | None, out: Standalone) -> None:
    """WT3001-WT3014 from each metric filter of ``filters`` in the scenarios where no trail of
    ``trails`` (the template's) exists, into ``out``."""
    with resolver.traced(isolated=True):
        if trails and not _without_trails(resolver, trails, EMPTY):
            return   # a trail exists in every scenario: every filter is judged from a trail
    controls = {c.rule: c for c in monitoring_controls.controls() if c.rule in opt_in}
    accepted = inventory.of(resolver, names).accepted
    for filter_id in filters:
        check = _FilterCheck(resolver, names, filter_id, region_label, out)
        with resolver.traced(isolated=True):
            _standalone_filter(check, controls, accepted, trails)


def _without_trails(resolver: Any, trails: list[str], s: Scenario) -> list[Scenario]:
    """The scenarios under ``s`` in which none of ``trails`` is created."""
    current = [s]
    for trail_id in trails:
        current = [s_i for s_x in current for s_i, exists in resolver.exists(trail_id, s_x)
                   if not exists]
    return current


def _standalone_filter(check: _FilterCheck, controls: dict, accepted: set[str],
                       trails: list[str]) -> None:
    r, filter_id = check.resolver, check.filter_id
    # The log group is shown, not resolved: with no trail here, no verdict depends on it.
    properties = _subset(hygiene._properties(check, filter_id), (PATTERN_KEY, "MetricTransformations"))
    raw_pattern = properties.get(PATTERN_KEY)
    checked: set[str] = set()
    for s0, exists in r.exists(filter_id, EMPTY):
        if not exists:
            continue
        for s1 in _without_trails(r, trails, s0):
            for s2, props in r.resolve(properties, s1):
                if not isinstance(props, dict) or not isinstance(props.get(PATTERN_KEY), str):
                    continue   # which control a pattern from a parameter is for: cannot tell
                verdict = monitoring_controls.classify(props[PATTERN_KEY])
                c = controls.get(verdict.control.rule) if verdict.control is not None else None
                if c is None or verdict.status not in ("current", "older", "differs"):
                    continue
                if verdict.status == "differs" and (c.rule in accepted
                                                    or not isinstance(raw_pattern, str)):
                    continue   # resembles a control another filter of the template meets
                if c.rule not in checked:
                    checked.add(c.rule)
                    check.out.anchors.append((filter_id, c.rule))
                _standalone_chain(check, c, verdict, props, trails, s2)


def _standalone_chain(check: _FilterCheck, c: Any, verdict: Any, props: dict,
                      trails: list[str], s: Scenario) -> None:
    filter_id = check.filter_id
    name = f"metric filter {filter_id}"
    head = f"{name}: {c.id} ({c.title})"
    group = hygiene._properties(check, filter_id).get("LogGroupName")
    lines = [(0, f"{name}: LogGroupName {source(group)}"), (1, _trail_end(trails))]
    if verdict.status == "differs":
        broken = _pattern_differs(c, name, props[PATTERN_KEY], verdict, lines, s)
        check.emit(c.rule, f"{head}: {broken.message}", broken.s, broken.lines)
        return
    lines.append((1, f"FilterPattern: {verdict.status} form of {c.id}"
                     + (f" ({verdict.note})" if verdict.note else "")))
    outcomes = list(_from_metric(check, c, name, props, lines, s))
    held = [s_x for s_x, broken in outcomes if broken is None]
    if held:
        if verdict.status == "older":
            _older_form_note(check, c, filter_id, [_Candidate(held[0], None, verdict)])
        message = (f"{head}: its alarm chain holds, but {_trail_end(trails, sentence=True)}"
                   f" (log group {source(group)})")
        check.emit(c.rule, message, held[0], lines)
        return
    broken = max((b for _, b in outcomes), key=lambda b: b.score)
    check.emit(c.rule, f"{head}: {broken.message}", broken.s, broken.lines)


def _trail_end(trails: list[str], sentence: bool = False) -> str:
    if not trails:
        if sentence:
            return ("no trail in this template delivers to its log group: cannot verify here "
                    "that a logging, multi-region trail recording all management events does "
                    "(Security Hub checks the trail too)")
        return "no trail in this template (the trail end cannot be verified here)"
    listed = ", ".join(trails)
    if sentence:
        return (f"the template's trail{'s' if len(trails) > 1 else ''} {listed} "
                f"{'are' if len(trails) > 1 else 'is'} not created while this filter is: "
                "no trail of this template writes to the log group it watches")
    return f"trail {listed} not created in this scenario"
