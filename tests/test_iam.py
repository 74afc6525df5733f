"""Policy evaluation (cfn_trailwatch.iam): statements, conditions, boundaries, trust, managed."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfn_trailwatch.arn import Match, log_stream_arns
from cfn_trailwatch.iam import (ABSENT, Decision, StatementRef, aws_managed_policy,
                                aws_managed_policy_record, evaluate, evaluate_with_boundary,
                                trusts_service)
from cfn_trailwatch.values.model import (Import, NoValue, Parameter, Pseudo, ResourceAttr,
                                         ResourceRef, Unknown, concat)

YES, NO, MAYBE = Match.YES, Match.NO, Match.MAYBE
ACCOUNT = Pseudo("AWS::AccountId")
PARTITION = Pseudo("AWS::Partition")

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs"
STREAM = GROUP + ":log-stream:123456789012_CloudTrail_us-east-1"
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/management"


def doc(*statements, version="2012-10-17"):
    return {"Version": version, "Statement": list(statements)}


def allow(action="logs:*", resource=GROUP + ":*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="logs:*", resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(*statements, action="logs:PutLogEvents", resource=STREAM, context=None):
    return evaluate([("policy P", doc(*statements))], action, resource, context or {})


# ---------------------------------------------------------------- resources and actions

@pytest.mark.parametrize("resource", [
    GROUP + ":*",
    GROUP + ":log-stream:*",
    GROUP + ":log-stream:123456789012_CloudTrail_us-east-1*",
    "*",
    [GROUP, GROUP + ":*"],
])
def test_grants_that_cover_the_stream(resource):
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        decision = decide(allow(["logs:CreateLogStream", "logs:PutLogEvents"], resource),
                          action=action)
        assert decision.allowed is YES
        assert decision.allow_statements == [StatementRef("policy P", 0, None, "/Statement/0")]
        assert decision.reasons == []


@pytest.mark.parametrize("resource", [
    GROUP,
    "arn:aws:logs:us-east-1:123456789012:log-group:other-logs:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs-2:*",
    [],
])
def test_grants_that_do_not_cover_the_stream(resource):
    decision = decide(allow("logs:*", resource))
    assert decision.allowed is NO
    assert decision.allow_statements == []


@pytest.mark.parametrize("action, allowed", [
    ("logs:*", YES), ("*", YES), ("logs:Put*", YES), ("logs:PutLogEvent?", YES),
    ("LOGS:PUTLOGEVENTS", YES), (["s3:*", "logs:putlogevents"], YES),
    ("logs:CreateLogStream", NO), ("logs:Put", NO), ("s3:*", NO), ("logs:PutLogEvent", NO),
])
def test_action_forms(action, allowed):
    assert decide(allow(action)).allowed is allowed


def test_create_log_stream_needs_its_own_grant():
    statement = allow("logs:Put*")
    assert decide(statement, action="logs:PutLogEvents").allowed is YES
    assert decide(statement, action="logs:CreateLogStream").allowed is NO


def test_not_action():
    assert decide({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}).allowed is YES
    assert decide({"Effect": "Allow", "NotAction": ["logs:*"], "Resource": "*"}).allowed is NO
    assert decide({"Effect": "Allow", "NotAction": "logs:Create*", "Resource": "*"},
                  action="logs:CreateLogStream").allowed is NO


def test_not_resource():
    other = "arn:aws:logs:us-east-1:123456789012:log-group:other-logs:*"
    assert decide({"Effect": "Allow", "Action": "logs:*", "NotResource": other}).allowed is YES
    assert decide({"Effect": "Allow", "Action": "logs:*",
                   "NotResource": [other, GROUP + ":*"]}).allowed is NO


def test_statement_may_be_a_single_map():
    policy = {"Version": "2012-10-17", "Statement": allow()}
    decision = evaluate([("single", policy)], "logs:PutLogEvents", STREAM)
    assert decision.allowed is YES
    assert decision.allow_statements[0].pointer == "/Statement"


def test_no_statement_allows_means_no():
    assert evaluate([], "logs:PutLogEvents", STREAM).allowed is NO
    assert decide().allowed is NO


# ---------------------------------------------------------------- Allow and Deny

def test_explicit_deny_wins():
    decision = decide(allow("*", "*"), deny("logs:PutLogEvents", GROUP + ":*"))
    assert decision.allowed is NO
    assert [ref.index for ref in decision.deny_statements] == [1]


def test_deny_in_another_policy_wins():
    policies = [("grant", doc(allow())), ("guard", doc(deny("logs:*", "*")))]
    decision = evaluate(policies, "logs:PutLogEvents", STREAM)
    assert decision.allowed is NO
    assert decision.deny_statements[0].policy == "guard"


def test_deny_that_does_not_match_leaves_the_allow():
    decision = decide(allow(), deny("logs:DeleteLogGroup"), deny("logs:*", "arn:aws:s3:::*"))
    assert decision.allowed is YES
    assert decision.deny_statements == []


def test_deny_that_might_match_makes_it_maybe():
    guarded = deny("logs:*", "*", Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}})
    decision = decide(allow(), guarded)
    assert decision.allowed is MAYBE
    assert [ref.index for ref in decision.deny_statements] == [1]
    assert any("aws:SourceVpc" in reason and "Deny" in reason for reason in decision.reasons)


def test_effect_that_is_not_known_is_maybe_both_ways():
    unknown_effect = {"Effect": Parameter("Effect"), "Action": "logs:*", "Resource": "*"}
    assert decide(unknown_effect).allowed is MAYBE
    assert decide(allow(), unknown_effect).allowed is MAYBE
    assert decide(allow(), {"Effect": "allow", "Action": "s3:*", "Resource": "*"}).allowed is YES


@pytest.mark.parametrize("statement, why", [
    ({"Effect": "Permit", "Action": "logs:*", "Resource": "*"}, "its Effect 'Permit' is neither"),
    ({"Action": "logs:*", "Resource": "*"}, "it has no Effect"),
    ({"Effect": NoValue, "Action": "logs:*", "Resource": "*"}, "it has no Effect"),
])
def test_a_literal_effect_iam_refuses_grants_nothing(statement, why):
    decision = decide(statement)
    assert decision.allowed is NO and decision.reasons == []
    [refused] = decision.refused
    assert refused.startswith(f"policy P, Statement[0]: {why}")
    assert refused.endswith("which IAM refuses")
    assert decide(allow(), statement).allowed is YES    # it does not deny either


# ---------------------------------------------------------------- atoms

def test_atoms_in_action_and_resource():
    by_parameter = decide(allow(Parameter("Actions")))
    assert by_parameter.allowed is MAYBE
    assert any("Actions" in reason for reason in by_parameter.reasons)
    assert decide(allow("logs:*", Parameter("LogGroupArn"))).allowed is MAYBE
    assert decide(allow("logs:*", Import("shared-log-group-arn"))).allowed is MAYBE
    assert decide(allow(["s3:*", Parameter("More")])).allowed is MAYBE


def test_symbolic_stream_against_symbolic_grants():
    stream = log_stream_arns(PARTITION, "us-east-1", ACCOUNT, ResourceRef("TrailLogs"))[0]
    own = concat(["arn:", PARTITION, ":logs:us-east-1:", ACCOUNT, ":log-group:",
                  ResourceRef("TrailLogs"), ":*"])
    other = concat(["arn:", PARTITION, ":logs:us-east-1:", ACCOUNT, ":log-group:",
                    ResourceRef("OtherLogs"), ":*"])
    assert decide(allow("logs:*", own), resource=stream).allowed is YES
    assert decide(allow("logs:*", other), resource=stream).allowed is NO
    assert decide(allow("logs:*", ResourceAttr("OtherLogs", "Arn")), resource=stream).allowed is NO
    assert decide(allow("logs:*", ResourceAttr("TrailLogs", "Arn")), resource=stream).allowed is MAYBE
    literal_account = "arn:aws:logs:us-east-1:123456789012:log-group:*"
    decision = decide(allow("logs:*", literal_account), resource=stream)
    assert decision.allowed is MAYBE and decision.reasons


def test_policy_variable_in_resource_is_maybe():
    statement = allow("logs:*", "arn:aws:logs:*:*:log-group:${aws:username}:*")
    assert decide(statement).allowed is MAYBE
    # in a 2008-10-17 document "${…}" is plain text
    old = evaluate([("old", doc(statement, version="2008-10-17"))], "logs:PutLogEvents", STREAM)
    assert old.allowed is NO


# ---------------------------------------------------------------- conditions

SOURCE = {"aws:SourceAccount": "123456789012", "aws:SourceArn": TRAIL}


@pytest.mark.parametrize("condition, expected", [
    ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, YES),
    ({"StringEquals": {"aws:SourceAccount": ["111111111111", "123456789012"]}}, YES),
    ({"StringEquals": {"aws:SourceAccount": "111111111111"}}, NO),
    ({"StringEquals": {"AWS:SOURCEACCOUNT": "123456789012"}}, YES),  # key names ignore case
    ({"StringNotEquals": {"aws:SourceAccount": "111111111111"}}, YES),
    ({"StringNotEquals": {"aws:SourceAccount": ["1", "123456789012"]}}, NO),
    ({"StringEqualsIgnoreCase": {"aws:SourceArn": TRAIL.upper()}}, YES),
    ({"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}}, YES),
    ({"StringNotLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/other"}}, YES),
    ({"ArnEquals": {"aws:SourceArn": TRAIL}}, YES),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-*:123456789012:trail/*"}}, YES),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111111111111:trail/*"}}, NO),
    ({"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/other"}}, YES),
    ({"ArnNotEquals": {"aws:SourceArn": TRAIL}}, NO),
    ({"ArnLike": {"aws:SourceAccount": "arn:aws:*"}}, NO),   # the value is not an ARN
    ({"StringEquals": {"aws:SourceAccount": "123456789012",
                       "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/x"}}, NO),
    ({"StringEquals": {"aws:SourceAccount": "123456789012"},
      "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:*"}}, YES),
])
def test_conditions_judged(condition, expected):
    decision = decide(allow(Condition=condition), context=SOURCE)
    assert decision.allowed is expected, decision.reasons


def test_arn_like_matches_field_by_field():
    context = {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/a:b"}
    # as one string "*" would run over "us-east-1:123456789012"; per field it stays in the region
    across = {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:trail/a:b"}}
    assert decide(allow(Condition=across), context=context).allowed is NO
    within = {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/a:*"}}
    assert decide(allow(Condition=within), context=context).allowed is YES
    # a pattern that is not ARN-shaped is not judged
    short = {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1*:trail/management"}}
    assert decide(allow(Condition=short), context=SOURCE).allowed is MAYBE


@pytest.mark.parametrize("condition, fragment", [
    ({"StringEquals": {"aws:PrincipalOrgID": "o-123"}}, "aws:PrincipalOrgID"),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, "operator"),
    ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, "operator"),
    ({"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}, "policy variable"),
    ({"StringEquals": "aws:SourceAccount"}, "malformed"),
    ("not a map", "Condition"),
    ({"StringEquals": {"aws:SourceAccount": [["nested"]]}}, "cannot be read"),
])
def test_conditions_not_judged_are_maybe_with_a_reason(condition, fragment):
    decision = decide(allow(Condition=condition), context=SOURCE)
    assert decision.allowed is MAYBE
    assert any(fragment in reason for reason in decision.reasons), decision.reasons


def test_symbolic_context_values():
    context = {"aws:SourceAccount": ACCOUNT}
    same = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    literal = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert decide(allow(Condition=same), context=context).allowed is YES
    assert decide(allow(Condition=literal), context=context).allowed is MAYBE
    trail = concat(["arn:aws:cloudtrail:us-east-1:", ACCOUNT, ":trail/", ResourceRef("Trail")])
    like = {"ArnLike": {"aws:SourceArn": concat(["arn:aws:cloudtrail:*:", ACCOUNT, ":trail/*"])}}
    assert decide(allow(Condition=like), context={"aws:SourceArn": trail}).allowed is YES


def test_absent_keys():
    context = {"aws:SourceVpc": ABSENT}
    cases = [
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, NO),
        ({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, YES),
        ({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, YES),
        ({"ArnNotLike": {"aws:SourceVpc": "arn:*"}}, YES),
        ({"ForAnyValue:StringEquals": {"aws:SourceVpc": "vpc-1"}}, NO),
        ({"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}, YES),
        ({"Null": {"aws:SourceVpc": "true"}}, YES),
        ({"Null": {"aws:SourceVpc": "false"}}, NO),
        ({"Null": {"aws:SourceVpc": True}}, YES),
    ]
    for condition, expected in cases:
        assert decide(allow(Condition=condition), context=context).allowed is expected, condition


def test_present_keys_with_if_exists_set_operators_bool_and_null():
    context = {"aws:SecureTransport": True, "aws:SourceVpc": "vpc-1"}
    cases = [
        ({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-2"}}, NO),
        ({"ForAnyValue:StringLike": {"aws:SourceVpc": ["vpc-*"]}}, YES),
        ({"ForAllValues:StringEquals": {"aws:SourceVpc": ["vpc-2"]}}, NO),
        ({"Bool": {"aws:SecureTransport": "true"}}, YES),
        ({"Bool": {"aws:SecureTransport": "false"}}, NO),
        ({"BoolIfExists": {"aws:SecureTransport": True}}, YES),
        ({"Null": {"aws:SourceVpc": "false"}}, YES),
        ({"Null": {"aws:SourceVpc": "true"}}, NO),
    ]
    for condition, expected in cases:
        assert decide(allow(Condition=condition), context=context).allowed is expected, condition


def test_multi_valued_context_key():
    context = {"aws:TagKeys": ["team", "env"]}
    assert decide(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "x"]}}),
                  context=context).allowed is YES
    assert decide(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}),
                  context=context).allowed is NO
    assert decide(allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}),
                  context=context).allowed is YES
    assert decide(allow(Condition={"StringEquals": {"aws:TagKeys": "env"}}),
                  context=context).allowed is MAYBE


# ---------------------------------------------------------------- permissions boundaries

def test_boundary_caps_the_identity_policies():
    identity = [("identity", doc(allow("*", "*")))]
    no_boundary = evaluate_with_boundary(identity, None, "logs:PutLogEvents", STREAM)
    assert no_boundary.allowed is YES and no_boundary.boundary is None
    permits = [("boundary", doc(allow("logs:*", "*")))]
    capped = evaluate_with_boundary(identity, permits, "logs:PutLogEvents", STREAM)
    assert capped.allowed is YES and capped.boundary.allowed is YES
    forbids = [("boundary", doc(allow("s3:*", "*")))]
    blocked = evaluate_with_boundary(identity, forbids, "logs:PutLogEvents", STREAM)
    assert blocked.allowed is NO and blocked.boundary.allowed is NO
    assert evaluate_with_boundary(identity, [], "logs:PutLogEvents", STREAM).allowed is NO


def test_boundary_does_not_grant_by_itself():
    boundary = [("boundary", doc(allow("*", "*")))]
    assert evaluate_with_boundary([], boundary, "logs:PutLogEvents", STREAM).allowed is NO


def test_boundary_deny_and_unknown_boundary():
    identity = [("identity", doc(allow("logs:*", "*")))]
    denying = [("boundary", doc(allow("*", "*"), deny("logs:PutLogEvents", "*")))]
    decision = evaluate_with_boundary(identity, denying, "logs:PutLogEvents", STREAM)
    assert decision.allowed is NO
    assert decision.deny_statements[0].policy == "boundary"
    unresolved = evaluate_with_boundary(identity, Unknown("boundary ARN is a parameter"),
                                        "logs:PutLogEvents", STREAM)
    assert unresolved.allowed is MAYBE
    assert any("boundary" in reason for reason in unresolved.reasons)
    maybe = [("boundary", doc(allow("logs:*", Parameter("Scope"))))]
    partial = evaluate_with_boundary(identity, maybe, "logs:PutLogEvents", STREAM)
    assert partial.allowed is MAYBE
    assert any(reason.startswith("permissions boundary:") for reason in partial.reasons)
    assert evaluate_with_boundary([], Unknown("x"), "logs:PutLogEvents", STREAM).allowed is NO


# ---------------------------------------------------------------- trust policies

def trust(principal, action="sts:AssumeRole", effect="Allow", **extra):
    return doc({"Effect": effect, "Principal": principal, "Action": action, **extra})


@pytest.mark.parametrize("principal", [
    {"Service": "cloudtrail.amazonaws.com"},
    {"Service": ["ec2.amazonaws.com", "cloudtrail.amazonaws.com"]},
    {"Service": "CloudTrail.amazonaws.com"},
    "*",
    {"AWS": "*"},
    {"AWS": ["arn:aws:iam::123456789012:root"], "Service": "cloudtrail.amazonaws.com"},
])
def test_trust_principal_forms_that_include_cloudtrail(principal):
    decision = trusts_service(trust(principal))
    assert decision.allowed is YES
    assert decision.allow_statements[0].policy == "trust policy"


@pytest.mark.parametrize("principal", [
    {"Service": "ec2.amazonaws.com"},
    {"Service": ["lambda.amazonaws.com"]},
    {"AWS": "arn:aws:iam::123456789012:root"},
    {"AWS": ResourceAttr("Role", "Arn")},
    {"Federated": "cognito-identity.amazonaws.com"},
])
def test_trust_principals_that_do_not(principal):
    assert trusts_service(trust(principal)).allowed is NO


@pytest.mark.parametrize("principal", [
    Parameter("Principal"),
    {"Service": Parameter("ServicePrincipal")},
    {"AWS": Parameter("Trusted")},
    {"Service": "cloudtrail.*"},
    {"Mystery": "x"},
    ["cloudtrail.amazonaws.com"],
])
def test_trust_principals_that_cannot_be_judged(principal):
    decision = trusts_service(trust(principal))
    assert decision.allowed is MAYBE and decision.reasons


@pytest.mark.parametrize("action, expected", [
    ("sts:AssumeRole", YES), ("sts:*", YES), ("*", YES), (["sts:TagSession", "sts:assumerole"], YES),
    ("sts:AssumeRoleWithWebIdentity", NO), ("sts:AssumeRole?", NO),
])
def test_trust_actions(action, expected):
    assert trusts_service(trust({"Service": "cloudtrail.amazonaws.com"}, action)).allowed is expected


def test_trust_not_action_not_principal_and_deny():
    service = {"Service": "cloudtrail.amazonaws.com"}
    assert trusts_service(doc({"Effect": "Allow", "Principal": service,
                               "NotAction": "sts:TagSession"})).allowed is YES
    assert trusts_service(doc({"Effect": "Allow", "NotPrincipal": {"Service": "ec2.amazonaws.com"},
                               "Action": "sts:AssumeRole"})).allowed is YES
    assert trusts_service(doc({"Effect": "Allow", "NotPrincipal": service,
                               "Action": "sts:AssumeRole"})).allowed is NO
    both = doc({"Effect": "Allow", "Principal": service, "Action": "sts:AssumeRole"},
               {"Effect": "Deny", "Principal": "*", "Action": "sts:*"})
    decision = trusts_service(both)
    assert decision.allowed is NO and decision.deny_statements[0].index == 1


def test_trust_conditions_on_the_trail():
    trail = concat(["arn:aws:cloudtrail:us-east-1:", ACCOUNT, ":trail/", ResourceRef("Trail")])
    context = {"aws:SourceArn": trail, "aws:SourceAccount": ACCOUNT}
    service = {"Service": "cloudtrail.amazonaws.com"}
    matching = trust(service, Condition={
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": concat(["arn:aws:cloudtrail:*:", ACCOUNT, ":trail/*"])}})
    assert trusts_service(matching, context=context).allowed is YES
    assert trusts_service(matching).allowed is MAYBE          # nothing known about the request
    other_trail = trust(service, Condition={"ArnEquals": {"aws:SourceArn": concat(
        ["arn:aws:cloudtrail:us-east-1:", ACCOUNT, ":trail/", ResourceRef("OtherTrail")])}})
    assert trusts_service(other_trail, context=context).allowed is NO
    literal = trust(service, Condition={"StringEquals": {"aws:SourceAccount": "123456789012"}})
    assert trusts_service(literal, context=context).allowed is MAYBE
    assert trusts_service(literal, context={"aws:SourceAccount": "123456789012"}).allowed is YES
    assert trusts_service(literal, context={"aws:SourceAccount": "999999999999"}).allowed is NO


def test_trust_of_another_service_and_label():
    policy = trust({"Service": "logs.amazonaws.com"})
    decision = trusts_service(policy, service="logs.amazonaws.com", label="trust of R")
    assert decision.allowed is YES and decision.allow_statements[0].policy == "trust of R"
    assert trusts_service(policy).allowed is NO


def test_trust_policy_that_is_not_known():
    assert trusts_service(Parameter("TrustPolicy")).allowed is MAYBE
    assert trusts_service(json.dumps(trust({"Service": "cloudtrail.amazonaws.com"}))).allowed is YES


# ---------------------------------------------------------------- AWS managed policies

def managed(name, partition="aws"):
    return aws_managed_policy(f"arn:{partition}:iam::aws:policy/{name}")


@pytest.mark.parametrize("name, create_stream, put_events", [
    ("AdministratorAccess", YES, YES),
    ("PowerUserAccess", YES, YES),
    ("CloudWatchLogsFullAccess", YES, YES),
    ("CloudWatchFullAccess", YES, YES),
    ("CloudWatchFullAccessV2", YES, YES),
    ("CloudWatchAgentServerPolicy", YES, YES),
    ("service-role/AWSLambdaBasicExecutionRole", YES, YES),
    ("service-role/AmazonAPIGatewayPushToCloudWatchLogs", YES, YES),
    ("job-function/SystemAdministrator", YES, YES),
    ("ReadOnlyAccess", NO, NO),
    ("CloudWatchLogsReadOnlyAccess", NO, NO),
    ("AWSCloudTrail_FullAccess", NO, NO),
    ("CloudWatchLambdaInsightsExecutionRolePolicy", NO, NO),  # only /aws/lambda-insights
])
def test_managed_policies_on_the_trail_stream(name, create_stream, put_events):
    policies = managed(name)
    assert policies is not None, name
    assert evaluate(policies, "logs:CreateLogStream", STREAM).allowed is create_stream
    assert evaluate(policies, "logs:PutLogEvents", STREAM).allowed is put_events


def test_managed_policy_labels_and_records():
    [(label, document)] = managed("CloudWatchLogsFullAccess")
    assert "CloudWatchLogsFullAccess" in label and "v8" in label
    assert document["Statement"][0]["Action"][0] == "logs:*"
    record = aws_managed_policy_record("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert record["complete"] is False and record["version"] and record["sources"]


def test_power_user_cannot_manage_iam():
    policies = managed("PowerUserAccess")
    assert evaluate(policies, "iam:CreateRole", "*").allowed is NO
    assert evaluate(policies, "iam:ListRoles", "*").allowed is YES


def test_excerpts_leave_other_actions_unknown():
    # The table records only what can allow or deny the two delivery actions: those are decided,
    # every other action (logs: ones too) stays MAYBE.
    policies = managed("ReadOnlyAccess")
    decision = evaluate(policies, "s3:GetObject", "arn:aws:s3:::bucket/key")
    assert decision.allowed is MAYBE and any("not recorded" in r for r in decision.reasons)
    assert evaluate(policies, "logs:GetLogEvents", STREAM).allowed is MAYBE
    assert evaluate(policies, "logs:PutLogEvents", STREAM).allowed is NO


def test_managed_policy_partitions():
    symbolic = concat(["arn:", PARTITION, ":iam::aws:policy/CloudWatchLogsFullAccess"])
    assert aws_managed_policy(symbolic) == managed("CloudWatchLogsFullAccess")
    gov = managed("CloudWatchLambdaInsightsExecutionRolePolicy", "aws-us-gov")
    resource = gov[0][1]["Statement"][1]["Resource"]
    assert resource == "arn:aws-us-gov:logs:*:*:log-group:/aws/lambda-insights:*"
    by_atom = aws_managed_policy(concat(
        ["arn:", PARTITION, ":iam::aws:policy/CloudWatchLambdaInsightsExecutionRolePolicy"]))
    insights = concat(["arn:", PARTITION, ":logs:us-east-1:", ACCOUNT,
                       ":log-group:/aws/lambda-insights:log-stream:x"])
    assert evaluate(by_atom, "logs:PutLogEvents", insights).allowed is YES


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/NoSuchPolicy",
    "arn:aws:iam::aws:policy/cloudwatchlogsfullaccess",
    "arn:aws:iam::123456789012:policy/CloudWatchLogsFullAccess",   # a customer policy
    "arn:aws:iam::aws:role/CloudWatchLogsFullAccess",
    "CloudWatchLogsFullAccess",
    concat(["arn:aws:iam::aws:policy/", Parameter("Name")]),
    Parameter("PolicyArn"),
    ResourceRef("ManagedPolicy"),
    None, 3, ["arn:aws:iam::aws:policy/AdministratorAccess"],
])
def test_unknown_managed_policies(arn):
    assert aws_managed_policy(arn) is None
    assert aws_managed_policy_record(arn) is None


def test_managed_policy_table_records_its_sources():
    # The full consistency check of the table is in test_managed_policies.py.
    table = json.loads(resources.files("cfn_trailwatch").joinpath(
        "data/aws-managed-policies.json").read_text(encoding="utf-8"))
    assert table["snapshot"] and all(s["url"].startswith("https://") for s in table["sources"])
    for name in ("CloudWatchLogsFullAccess", "ReadOnlyAccess"):
        record = aws_managed_policy_record(f"arn:aws:iam::aws:policy/{name}")
        assert record["version"].startswith("v") and record["arn"].endswith(f"policy/{name}")
        assert record["sources"] and all(s["url"].startswith("https://") for s in record["sources"])


def test_returned_documents_are_copies():
    first = managed("AdministratorAccess")
    first[0][1]["Statement"].clear()
    assert managed("AdministratorAccess")[0][1]["Statement"]


# ---------------------------------------------------------------- malformed input never raises

DEEP: list = []
_node = DEEP
for _ in range(3000):
    _node.append([])
    _node = _node[0]

MALFORMED_DOCUMENTS = [
    None, 5, "not json", "[1, 2]", [], {}, {"Statement": None}, {"Statement": 5},
    {"Statement": "Allow"}, {"Statement": [None, 5, "x", [], [[[]]], NoValue]},
    {"Statement": {"Effect": "Allow"}},
    {"Statement": {"Effect": "Allow", "Action": {"a": 1}, "Resource": "*"}},
    {"Statement": {"Effect": "Allow", "Action": "logs:*", "NotAction": "s3:*", "Resource": "*"}},
    {"Statement": {"Effect": "Allow", "Action": "logs:*"}},
    {"Statement": {"Effect": "Allow", "Action": [None, True, 3, ["x"]], "Resource": "*"}},
    {"Statement": {"Effect": "Allow", "Action": DEEP, "Resource": DEEP}},
    {"Statement": {"Effect": "Allow", "Action": "logs:*", "Resource": "*", "Condition": DEEP}},
    {"Statement": {"Effect": "Allow", "Action": "logs:*", "Resource": "*",
                   "Condition": {"StringEquals": {"k": None}, 5: {"x": "y"}}}},
    {"Statement": {"Effect": ["Allow"], "Action": "logs:*", "Resource": "*"}},
    {"Statement": {"Effect": "Allow", "Principal": DEEP, "Action": "*", "Resource": "*"}},
    {"Statement": Unknown("statements")},
    Unknown("document"), Parameter("PolicyDocument"), NoValue,
    "[" * 5000 + "]" * 5000,
]


@pytest.mark.parametrize("document", MALFORMED_DOCUMENTS)
def test_malformed_documents_never_raise_and_never_grant(document):
    decision = evaluate([("bad", document)], "logs:PutLogEvents", STREAM, {"k": "v"})
    assert isinstance(decision, Decision) and decision.allowed in (NO, MAYBE)
    trusted = trusts_service(document, context={"k": "v"})
    assert trusted.allowed in (NO, MAYBE)
    capped = evaluate_with_boundary([("ok", doc(allow("*", "*")))], [("bad", document)],
                                    "logs:PutLogEvents", STREAM)
    assert capped.allowed in (NO, MAYBE)


@pytest.mark.parametrize("document, why", [
    (None, "the policy document is null, not a map"),
    (5, "the policy document is 5, not a map"),
    ([], "the policy document is a list of 0, not a map"),
    ("not json", "the policy document is a string that is not JSON"),
    ({}, "the policy document has no Statement"),
    ({"Statement": 5}, "Statement is 5, not a list or a map"),
    ({"Statement": [5]}, "the statement is 5, not a map"),
])
def test_a_literal_document_iam_refuses_grants_and_denies_nothing(document, why):
    """CloudFormation cannot create such a policy, so it grants nothing; it is not "unknown"
    (an atom is), so the answer is a certain NO, and the evidence says why."""
    alone = evaluate([("bad", document)], "logs:PutLogEvents", STREAM)
    assert alone.allowed is NO and alone.reasons == []
    assert [r for r in alone.refused if why in r and r.startswith("bad")] == alone.refused != []
    beside = evaluate([("ok", doc(allow())), ("bad", document)], "logs:PutLogEvents", STREAM)
    assert beside.allowed is YES and beside.refused == alone.refused
    trust_decision = trusts_service(document)
    assert trust_decision.allowed is NO and any(why in r for r in trust_decision.refused)


def test_an_unknown_document_stays_maybe():
    for document in (Parameter("PolicyDocument"), {"Statement": Unknown("s")},
                     {"Statement": [Parameter("S")]}):
        decision = evaluate([("ok", doc(allow())), ("bad", document)], "logs:PutLogEvents", STREAM)
        assert decision.allowed is MAYBE and decision.refused == []


@pytest.mark.parametrize("policies", [None, "x", 5, [None], [("label",)], [(1, {})],
                                      [("only-label", None)], Parameter("Policies"),
                                      ("label", doc(allow()))])
def test_malformed_policy_lists(policies):
    decision = evaluate(policies, "logs:PutLogEvents", STREAM)
    assert decision.allowed in (NO, MAYBE, YES)
    if policies == ("label", doc(allow())):
        assert decision.allowed is YES   # a lone (label, document) pair is accepted


def test_odd_request_values():
    assert evaluate([("p", doc(allow()))], None, None, None).allowed is MAYBE
    assert evaluate([("p", doc(allow("*", "*")))], 5, "x", "ctx").allowed is YES
    assert evaluate([("p", doc(allow("*", "*")))], "logs:PutLogEvents", [STREAM]).allowed is MAYBE


def test_prohibited_elements_are_not_trusted():
    with_principal = allow("*", "*", Principal="*")
    assert decide(with_principal).allowed is MAYBE
    with_resource = trust({"Service": "cloudtrail.amazonaws.com"}, Resource="*")
    decision = trusts_service(with_resource)
    assert decision.allowed is MAYBE and "Resource" in decision.reasons[0]


_atoms = st.sampled_from([Parameter("P"), Unknown("u"), ACCOUNT, ResourceRef("R"), NoValue,
                          Import("I"), ResourceAttr("R", "Arn")])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                     st.sampled_from(["Allow", "Deny", "*", "logs:*", "sts:AssumeRole",
                                      "cloudtrail.amazonaws.com", GROUP + ":*", "StringEquals",
                                      "aws:SourceArn", "ArnLike", "IfExists", "Null"]), _atoms)
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["Effect", "Action", "NotAction", "Resource", "NotResource",
                                     "Principal", "NotPrincipal", "Condition", "Statement", "Sid",
                                     "Service", "AWS", "StringEquals", "ArnLike",
                                     "ForAnyValue:StringLike", "aws:SourceArn", "Null", "x"]),
                    inner, max_size=5)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_json)
def test_fuzzed_documents_never_raise(document):
    context = {"aws:SourceArn": TRAIL, "aws:SourceAccount": ACCOUNT}
    for candidate in (document, {"Statement": document}):
        assert evaluate([("fuzz", candidate)], "logs:PutLogEvents", STREAM, context).allowed in Match
        assert trusts_service(candidate, context=context).allowed in Match
