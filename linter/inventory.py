"""What the template's metric filters, alarms and SNS subscriptions say *as written*, read once
per template: the index the monitoring rules (WT3001-WT3014, IT2009) search instead of
resolving every filter and alarm again for every trail and control.

A value written as a literal is indexed by it: the control a filter's pattern is for
(``monitoring_controls.classify``), the log group a filter is on (``!Ref`` of a resource or a
literal name), the metric an alarm is on, the topic a subscription ``!Ref``s. A resource whose
value is not a literal (a parameter, a condition, a ``!Sub``) is listed among the ``open`` ones,
which every lookup also returns. The index narrows and orders the search; it never decides a
verdict, which stays with the resolver and the rules. No cfnlint, no template edits.
"""

from __future__ import annotations

import weakref
from typing import Any, Iterable

from . import monitoring_controls
from .values import scalar_text

METRIC_FILTER = "AWS::Logs::MetricFilter"
ALARM = "AWS::CloudWatch::Alarm"
SUBSCRIPTION = "AWS::SNS::Subscription"


class Inventory:
    def __init__(self, resolver: Any, names: Any) -> None:
        def properties(logical_id: str) -> dict:
            resource = resolver.resources.get(logical_id)
            props = resource.get("Properties") if isinstance(resource, dict) else None
            return props if isinstance(props, dict) else {}

        self.filters: dict[str, list[str]] = {}   # control ID -> its filters (literal pattern)
        # rule IDs of the controls some literal pattern is an accepted form of: another filter
        # that merely resembles one of them is a filter for something else
        self.accepted: set[str] = set()
        self.open_filters: list[str] = []
        # (control ID, ("ref", logical ID) | ("name", literal)) -> filters written on that group
        self._on_group: dict[tuple[str, tuple[str, str]], set[str]] = {}
        self.metrics: set[tuple[str, str]] = set()   # (namespace, name) the filters write
        # (logical ID, keys) -> what resolving them gave, per binding of the names consulted
        # (linter/monitoring.py's _created): a cache of the resolver, not an index of the text
        self.resolved: dict[tuple, list] = {}
        # id of a resolved alarm's properties (kept in ``resolved``, so alive as long as this)
        # -> its (namespace, metric name) as text: an alarm is met once per trail, control,
        # filter and scenario, its metric read each time
        self.metric_of: dict[int, tuple[str, str]] = {}
        for filter_id in sorted(names.by_type(METRIC_FILTER)):
            props = properties(filter_id)
            raw = props.get("FilterPattern")
            control_id = None
            if isinstance(raw, str):
                verdict = monitoring_controls.classify(raw)
                if verdict.control is not None:
                    control_id = verdict.control.id
                    self.filters.setdefault(control_id, []).append(filter_id)
                    if verdict.status in ("current", "older"):
                        self.accepted.add(verdict.control.rule)
            else:
                self.open_filters.append(filter_id)
            group = _group_key(props.get("LogGroupName"))
            if control_id is not None and group is not None:
                self._on_group.setdefault((control_id, group), set()).add(filter_id)
            for item in _items(props.get("MetricTransformations")):
                if item.get("MetricName") is not None:
                    self.metrics.add((scalar_text(item.get("MetricNamespace")),
                                      scalar_text(item.get("MetricName"))))
        self.alarms: dict[tuple[str, str], list[str]] = {}   # (namespace, metric) -> alarms
        self._alarms_on: dict[tuple, list[str]] = {}
        self.open_alarms: list[str] = []
        # alarm -> the groups its LogGroupName dimensions are written on
        self._dimension_groups: dict[str, set[tuple[str, str]]] = {}
        for alarm_id in sorted(names.by_type(ALARM)):
            props = properties(alarm_id)
            namespace, metric = props.get("Namespace"), props.get("MetricName")
            if isinstance(namespace, str) and isinstance(metric, str):
                self.alarms.setdefault((namespace, metric), []).append(alarm_id)
            else:
                self.open_alarms.append(alarm_id)
            for dimension in _items(props.get("Dimensions")):
                if dimension.get("Name") == "LogGroupName":
                    group = _group_key(dimension.get("Value"))
                    if group is not None:
                        self._dimension_groups.setdefault(alarm_id, set()).add(group)
        self.subscriptions: dict[str, list[str]] = {}   # topic -> subscriptions with !Ref of it
        self.open_subscriptions: list[str] = []
        for sub_id in sorted(names.by_type(SUBSCRIPTION)):
            raw = properties(sub_id).get("TopicArn")
            if isinstance(raw, dict) and list(raw) == ["Ref"] and isinstance(raw["Ref"], str):
                self.subscriptions.setdefault(raw["Ref"], []).append(sub_id)
            else:
                self.open_subscriptions.append(sub_id)

    def filters_for(self, control_id: str) -> list[str]:
        """The filters that may be for the control: its literal ones and every open one."""
        return sorted(self.filters.get(control_id, []) + self.open_filters)

    def filters_written_on(self, control_id: str, group_id: str | None, name: Any) -> set[str]:
        """The control's literal filters written as ``!Ref group_id`` or with the literal
        ``name``."""
        out: set[str] = set()
        if group_id is not None:
            out |= self._on_group.get((control_id, ("ref", group_id)), set())
        if isinstance(name, str):
            out |= self._on_group.get((control_id, ("name", name)), set())
        return out

    def alarms_on(self, keys: Iterable[tuple[str, str]]) -> list[str]:
        """The alarms written on one of the (namespace, metric) ``keys``, and every open one."""
        wanted = tuple(keys)
        found = self._alarms_on.get(wanted)
        if found is None:
            found = self._alarms_on[wanted] = sorted(
                {a for key in wanted for a in self.alarms.get(key, [])} | set(self.open_alarms))
        return found

    def first_on_group(self, alarms: list[str], group_id: str | None, name: Any) -> list[str]:
        """``alarms`` with those whose LogGroupName dimension is written as ``!Ref group_id``
        or the literal ``name`` first (an order of search, not a verdict)."""
        keys = {("ref", group_id)} if group_id is not None else set()
        if isinstance(name, str):
            keys.add(("name", name))
        mine = [a for a in alarms if self._dimension_groups.get(a, set()) & keys]
        chosen = set(mine)
        return mine + [a for a in alarms if a not in chosen]

    def subscriptions_of(self, topic: str) -> list[str]:
        return sorted(self.subscriptions.get(topic, []) + self.open_subscriptions)


def _group_key(raw: Any) -> tuple[str, str] | None:
    if isinstance(raw, dict) and list(raw) == ["Ref"] and isinstance(raw["Ref"], str):
        return ("ref", raw["Ref"])
    if isinstance(raw, str):
        return ("name", raw)
    return None


def _items(value: Any) -> list[dict]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


_INVENTORIES: "weakref.WeakKeyDictionary[Any, Inventory]" = weakref.WeakKeyDictionary()


def of(resolver: Any, names: Any) -> Inventory:
    """The template's inventory, built on first use (one per ``Names``, so per template and
    region)."""
    inventory = _INVENTORIES.get(names)
    if inventory is None:
        inventory = _INVENTORIES[names] = Inventory(resolver, names)
    return inventory
