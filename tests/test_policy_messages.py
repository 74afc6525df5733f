"""iam: the messages a decision carries (refused parts, MAYBE reasons, long values cut) and how
AWS managed policy ARNs that cannot be attached are told apart.

Written against the survivors of the mutation run (docs/testing.md)."""

from __future__ import annotations

from cfn_trailwatch.arn import Match
from cfn_trailwatch.iam import aws_managed_lookup, evaluate
from cfn_trailwatch.values.model import NoValue, Parameter

STREAM = ("arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:log-stream:"
          "123456789012_CloudTrail_us-east-1")
WHERE = "policy P, Statement[0]"


def decide(*statements, context=None):
    return evaluate([("policy P", {"Version": "2012-10-17", "Statement": list(statements)})],
                    "logs:PutLogEvents", STREAM, context or {})


def allow_if(condition: dict) -> dict:
    return {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}


def test_a_null_statement_and_a_null_effect_are_named_null():
    decision = decide(None)
    assert decision.allowed is Match.NO
    assert decision.refused == [f"{WHERE}: the statement is null, not a map, which IAM refuses"]
    decision = decide({"Effect": None, "Action": "*", "Resource": "*"})
    assert decision.refused == [
        f"{WHERE}: its Effect 'null' is neither Allow nor Deny, which IAM refuses"]


def test_removed_entries_of_an_action_list_are_skipped_not_the_end_of_the_list():
    decision = decide({"Effect": "Allow", "Action": [NoValue, "logs:PutLogEvents"],
                       "Resource": [NoValue, "*"]})
    assert decision.allowed is Match.YES
    assert decision.reasons == []


def test_a_condition_says_why_only_when_it_cannot_be_decided():
    context = {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"}
    same = allow_if({"StringEquals": {"aws:SourceArn": context["aws:SourceArn"]}})
    other = allow_if({"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:1:trail/x"}})
    open_ = allow_if({"StringEquals": {"aws:SourceArn": Parameter("Source")}})
    assert (decide(same, context=context).allowed, decide(same, context=context).reasons) == (
        Match.YES, [])
    assert (decide(other, context=context).allowed, decide(other, context=context).reasons) == (
        Match.NO, [])
    decision = decide(open_, context=context)
    assert decision.allowed is Match.MAYBE
    assert decision.reasons == [
        f"{WHERE}: condition StringEquals aws:SourceArn: cannot tell whether "
        f"{context['aws:SourceArn']} matches parameter Source (no value given)"]


def test_a_long_value_in_a_reason_is_cut_at_200_characters():
    context = {"aws:SourceArn": "arn:x"}
    exact = decide(allow_if({"Null": {"aws:SourceArn": "y" * 200}}), context=context)
    assert exact.reasons == [f"{WHERE}: condition Null aws:SourceArn: Null expects true or false, "
                             f"not {'y' * 200}"]
    long = decide(allow_if({"Null": {"aws:SourceArn": "x" * 201}}), context=context)
    assert long.reasons == [f"{WHERE}: condition Null aws:SourceArn: Null expects true or false, "
                            f"not {'x' * 197}..."]


# --- AWS managed policy ARNs -------------------------------------------------------------------

def test_only_iam_policy_arns_of_the_aws_account_are_aws_managed_policies():
    assert aws_managed_lookup("arn:aws:iam::aws:policy/ReadOnlyAccess").kind != "unknown"
    for arn in ("arn:aws:s3::aws:policy/ReadOnlyAccess",
                "arn:aws:iam:us-east-1:aws:policy/ReadOnlyAccess",
                "arn:aws:iam::123456789012:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:role/ReadOnlyAccess"):
        assert aws_managed_lookup(arn) is None, arn


def test_an_unknown_name_under_another_folder_is_unknown_not_service_linked():
    found = aws_managed_lookup("arn:aws:iam::aws:policy/service-role/NoSuchPolicy")
    assert found.kind == "unknown"
    assert found.label.startswith("AWS managed policy service-role/NoSuchPolicy: not an AWS "
                                  "managed policy as of ")
    linked = aws_managed_lookup("arn:aws:iam::aws:policy/aws-service-role/NoSuchPolicy")
    assert linked.kind == "not-attachable"
    assert linked.label == ("AWS managed policy aws-service-role/NoSuchPolicy: policies under "
                            "aws-service-role/ are for service-linked roles only, so it grants "
                            "nothing")


def test_a_policy_that_cannot_be_attached_at_the_wrong_path_says_why_it_cannot():
    linked = aws_managed_lookup("arn:aws:iam::aws:policy/APIGatewayServiceRolePolicy")
    assert (linked.kind, linked.label) == (
        "wrong-path", "AWS managed policy APIGatewayServiceRolePolicy: wrong path, so it grants "
        "nothing; the policy is arn:aws:iam::aws:policy/aws-service-role/"
        "APIGatewayServiceRolePolicy, for service-linked roles only")
    marked = aws_managed_lookup("arn:aws:iam::aws:policy/AWSConfigRole")
    assert (marked.kind, marked.label) == (
        "wrong-path", "AWS managed policy AWSConfigRole: wrong path, so it grants nothing; the "
        "policy is arn:aws:iam::aws:policy/service-role/AWSConfigRole, which IAM marks not "
        "attachable")


def test_a_malformed_element_names_what_it_is():
    for statement, reason in [
        ({"Effect": "Allow", "Action": None, "Resource": "*"}, "Action is malformed (null)"),
        ({"Effect": "Allow", "Action": {"a": 1}, "Resource": "*"}, "Action is malformed (dict)"),
        ({"Effect": "Allow", "Action": True, "Resource": "*"}, "Action is malformed (bool)"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": None},
         "Condition is malformed (null)"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": [1]},
         "Condition is malformed (list)"),
    ]:
        decision = decide(statement)
        assert decision.allowed is Match.MAYBE
        assert decision.reasons == [f"{WHERE}: {reason}"]


def test_policies_that_are_not_a_list_of_pairs_name_what_they_are():
    assert evaluate(None, "logs:PutLogEvents", STREAM, {}).reasons == [
        "policies: not a list of policies (null)"]
    assert evaluate([None], "logs:PutLogEvents", STREAM, {}).reasons == [
        "policy #1: not a (label, document) pair (null)"]
