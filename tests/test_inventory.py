"""linter/inventory.py: the monitoring resources of a template as written, indexed once.

The index only narrows and orders the search of WT3001-WT3014 and IT2009; these tests pin what it
returns, and that a value it cannot read as a literal is never left out of a lookup."""

from __future__ import annotations

from cfn_trailwatch import inventory
from cfn_trailwatch.names import Names
from cfn_trailwatch.values import Resolver

ROOT = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'


def _inventory(resources: dict) -> inventory.Inventory:
    resolver = Resolver({"Resources": resources}, {}, "us-east-1", None, 64, 32)
    return inventory.of(resolver, Names(resolver))


def _filter(pattern, group, metric="M"):
    return {"Type": "AWS::Logs::MetricFilter",
            "Properties": {"FilterPattern": pattern, "LogGroupName": group,
                           "MetricTransformations": [{"MetricNamespace": "CIS", "MetricName": metric,
                                                      "MetricValue": "1"}]}}


def _alarm(namespace, metric, group=None):
    props = {"Namespace": namespace, "MetricName": metric}
    if group is not None:
        props["Dimensions"] = [{"Name": "LogGroupName", "Value": group}]
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def test_filters_by_control_and_group_and_the_open_ones():
    inv = _inventory({
        "B": _filter(ROOT, {"Ref": "Logs"}),
        "A": _filter(ROOT, "literal-group"),
        "Open": _filter({"Ref": "Pattern"}, {"Ref": "Logs"}),
        "Other": _filter("{$.eventName=RunInstances}", {"Ref": "Logs"}),
    })
    assert inv.filters_for("CloudWatch.1") == ["A", "B", "Open"]
    assert inv.accepted == {"WT3001"}   # "Other" resembles no control closely enough to count
    assert inv.filters_for("CloudWatch.2") == ["Open"]
    assert inv.filters_written_on("CloudWatch.1", "Logs", None) == {"B"}
    assert inv.filters_written_on("CloudWatch.1", None, "literal-group") == {"A"}
    assert inv.filters_written_on("CloudWatch.1", "Logs", "literal-group") == {"A", "B"}
    assert inv.metrics == {("CIS", "M")}


def test_alarms_by_literal_metric_and_the_open_ones():
    inv = _inventory({
        "Z": _alarm("CIS", "M"),
        "Y": _alarm("CIS", "Other"),
        "X": _alarm("CIS", {"Ref": "Name"}),
        "W": _alarm({"Fn::Sub": "${Env}"}, "M"),
    })
    assert inv.alarms_on([("CIS", "M")]) == ["W", "X", "Z"]
    assert inv.alarms_on([("CIS", "Nothing")]) == ["W", "X"]
    assert inv.alarms == {("CIS", "M"): ["Z"], ("CIS", "Other"): ["Y"]}


def test_first_on_group_only_reorders():
    inv = _inventory({
        "A": _alarm("AWS/Logs", "IncomingLogEvents", {"Ref": "Other"}),
        "B": _alarm("AWS/Logs", "IncomingLogEvents", "trail-logs"),
        "C": _alarm("AWS/Logs", "IncomingLogEvents", {"Ref": "Logs"}),
        "D": _alarm("AWS/Logs", "IncomingLogEvents", {"Fn::Sub": "${P}"}),
    })
    every = inv.alarms_on([("AWS/Logs", "IncomingLogEvents")])
    assert every == ["A", "B", "C", "D"]
    assert inv.first_on_group(every, "Logs", "trail-logs") == ["B", "C", "A", "D"]
    assert inv.first_on_group(every, None, None) == every


def test_subscriptions_by_topic_ref():
    inv = _inventory({
        "S1": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "T"}}},
        "S2": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "U"}}},
        "S3": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Fn::ImportValue": "x"}}},
    })
    assert inv.subscriptions_of("T") == ["S1", "S3"]
    assert inv.subscriptions_of("V") == ["S3"]


def test_one_inventory_per_names():
    resolver = Resolver({"Resources": {}}, {}, "us-east-1", None, 64, 32)
    names = Names(resolver)
    assert inventory.of(resolver, names) is inventory.of(resolver, names)
    assert inventory.of(resolver, Names(resolver)) is not inventory.of(resolver, names)
