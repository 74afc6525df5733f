"""arn: exact comparison of literal text in both orders, and the named fields of parsed ARNs.

Written against the survivors of the mutation run (docs/testing.md)."""

from __future__ import annotations

import pytest

from cfn_trailwatch import arn
from cfn_trailwatch.arn import Match


@pytest.mark.parametrize("left, right, expected", [
    ("logs", "logs", Match.YES),
    ("logs", "iam", Match.NO),      # left sorts after right
    ("iam", "logs", Match.NO),      # left sorts before right
    ("b", "a", Match.NO),
    ("a*", "abc", Match.NO),        # no wildcards in an equality
    ("Logs", "logs", Match.NO),
])
def test_equals3_on_literal_text(left, right, expected):
    assert arn.equals3(left, right) is expected


def test_equals3_ignoring_case():
    assert arn.equals3("Logs", "logs", ignore_case=True) is Match.YES
    assert arn.equals3("Logz", "logs", ignore_case=True) is Match.NO


def test_the_fields_of_a_log_group_arn_by_name():
    fields = arn.log_group_arn_fields("arn:aws-cn:logs:cn-north-1:123456789012:log-group:/x:*")
    assert (fields.partition, fields.region, fields.account, fields.name,
            fields.has_wildcard_suffix) == ("aws-cn", "cn-north-1", "123456789012", "/x", True)
    assert tuple(fields) == ("aws-cn", "cn-north-1", "123456789012", "/x", True)
    plain = arn.log_group_arn_fields("arn:aws:logs:eu-west-1:111122223333:log-group:trail")
    assert (plain.region, plain.account, plain.name, plain.has_wildcard_suffix) == (
        "eu-west-1", "111122223333", "trail", False)


def test_the_fields_of_a_role_arn_by_name():
    fields = arn.role_arn_fields("arn:aws:iam::123456789012:role/a/b/name")
    assert (fields.partition, fields.account, fields.path, fields.name) == (
        "aws", "123456789012", "/a/b/", "name")
    plain = arn.role_arn_fields("arn:aws:iam::123456789012:role/name")
    assert (plain.path, plain.name) == ("/", "name")
