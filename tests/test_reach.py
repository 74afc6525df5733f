"""`reach`: which policies reach a role, per scenario, and how each is labelled.

Written against the survivors of the mutation run (docs/testing.md): the index of candidate
policies (by Ref, by literal name, through `Fn::Sub`, anything else checked always; each policy
once), inline policy labels, attachments that cannot be resolved, and boundaries."""

from __future__ import annotations

from cfn_trailwatch.names import Names
from cfn_trailwatch.reach import PolicyIndex, Reached, RolePolicies, as_document
from cfn_trailwatch.values import EMPTY, Resolver

ACCOUNT = "123456789012"
DOC = {"Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}


def build(resources: dict, **template) -> tuple[PolicyIndex, RolePolicies]:
    names = Names(Resolver({"Resources": resources, **template}, account_id=ACCOUNT))
    index = PolicyIndex(names)
    return index, RolePolicies(names, index)


def reach(resources: dict, role: str = "Role", **template) -> list[tuple[object, Reached]]:
    _, policies = build(resources, **template)
    return list(policies.reach(role, EMPTY))


def only(resources: dict, role: str = "Role", **template) -> Reached:
    (states,) = [reached for _, reached in reach(resources, role, **template)]
    return states


def role(name: str | None = None, **properties) -> dict:
    if name is not None:
        properties["RoleName"] = name
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def policy(roles, kind: str = "AWS::IAM::Policy", key: str = "Roles", **extra) -> dict:
    return {"Type": kind, "Properties": {key: roles, "PolicyDocument": DOC}, **extra}


# --- the index of candidates -------------------------------------------------------------------

def test_candidates_by_ref_by_literal_name_and_by_sub_of_the_role_alone():
    index, _ = build({
        "Role": role("trail-role"),
        "Other": role("other-role"),
        "ByRef": policy([{"Ref": "Role"}]),
        "ByName": policy(["trail-role"]),
        "BySub": policy([{"Fn::Sub": "${Role}"}]),
        "BySubSpaced": policy([{"Fn::Sub": "${ Role }"}]),
        "ByIf": policy([{"Fn::If": ["C", {"Ref": "Role"}, "trail-role"]}]),
        "RolePolicy": policy({"Ref": "Role"}, kind="AWS::IAM::RolePolicy", key="RoleName"),
        "Managed": policy([{"Ref": "Role"}], kind="AWS::IAM::ManagedPolicy"),
    })
    assert index.candidates("Role", EMPTY) == [
        "ByRef", "BySub", "BySubSpaced", "ByIf", "RolePolicy", "Managed", "ByName"]
    # None of them can name the other role: they are not even looked at for it.
    assert index.candidates("Other", EMPTY) == []


def test_what_cannot_be_indexed_is_a_candidate_for_every_role():
    index, _ = build({
        "Role": role("trail-role"),
        "Other": role(),
        "SubMap": policy([{"Fn::Sub": ["${R}", {"R": {"Ref": "Role"}}]}]),
        "SubText": policy([{"Fn::Sub": "prefix-${Role}"}]),
        "SubAttr": policy([{"Fn::Sub": "${Role.Arn}"}]),
        "Import": policy({"Fn::ImportValue": "role-name"}),
        "Param": policy([{"Ref": "RoleParam"}]),
        "Number": policy([5]),
        "Empty": policy([{}]),
        "TwoKeys": policy([{"Ref": "Role", "Extra": 1}]),
        "Unknown": policy([{"Zzz": "Role"}]),
        "Join": policy([{"Fn::Join": ["", [{"Ref": "Role"}]]}]),
        "Select": policy([{"Fn::Select": [0, [{"Ref": "Role"}]]}]),
        "GetAtt": policy([{"Fn::GetAtt": ["Role", "RoleId"]}]),
        "ImportSub": policy([{"Fn::ImportValue": "${Role}"}]),
    }, Parameters={"RoleParam": {"Type": "String"}})
    opaque = ["SubMap", "SubText", "SubAttr", "Import", "Param", "Number", "Empty", "TwoKeys",
              "Unknown", "Join", "Select", "GetAtt", "ImportSub"]
    assert index.candidates("Role", EMPTY) == opaque
    assert index.candidates("Other", EMPTY) == opaque


def test_the_index_skips_malformed_resources_and_keeps_going():
    index, _ = build({
        "Role": role("trail-role"),
        "Broken": 5,
        "NoProperties": {"Type": "AWS::IAM::Policy"},
        "ListProperties": {"Type": "AWS::IAM::Policy", "Properties": ["Roles"]},
        "NoRoles": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": DOC}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Roles": [{"Ref": "Role"}]}},
        "After": policy([{"Ref": "Role"}]),
    })
    assert index.candidates("Role", EMPTY) == ["After"]


def test_only_policy_resources_are_candidates():
    # A role names itself with RoleName, a trail or an instance profile may carry Roles: none of
    # them is a policy.
    index, _ = build({
        "Role": role("trail-role"),
        "Twin": role("trail-role"),
        "Trail": {"Type": "AWS::CloudTrail::Trail",
                  "Properties": {"RoleName": "trail-role", "Roles": ["trail-role"]}},
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": ["trail-role"]}},
        "Group": {"Type": "AWS::IAM::Group", "Properties": {"RoleName": "trail-role"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"RoleName": "trail-role"}},
        "Policy": policy({"Ref": "Role"}, kind="AWS::IAM::RolePolicy", key="RoleName"),
    })
    assert index.candidates("Role", EMPTY) == ["Policy"]


def test_a_policy_that_names_the_role_twice_is_a_candidate_once():
    index, _ = build({
        "Role": role("trail-role"),
        "Both": policy([{"Ref": "Role"}, "trail-role", {"Fn::Sub": "${Role}"}, "trail-role",
                        {"Fn::ImportValue": "x"}]),
    })
    assert index.candidates("Role", EMPTY) == ["Both"]


def test_each_branch_of_an_if_is_indexed_and_the_condition_name_is_not():
    index, _ = build({
        "Role": role("trail-role"),
        "Named": role("IsProd"),   # named like the condition: the condition is no role name
        "P": policy([{"Fn::If": ["IsProd", {"Ref": "Role"}, "other-role"]}]),
        "Q": policy([{"Fn::If": ["IsProd", "none", {"Ref": "Role"}]}]),
    })
    assert index.candidates("Role", EMPTY) == ["P", "Q"]
    assert index.candidates("Named", EMPTY) == []


def test_a_policy_naming_two_roles_is_a_candidate_for_both_whatever_the_order():
    # The list is read from its end: whichever form comes last, the other is still indexed.
    index, _ = build({
        "Role": role("trail-role"),
        "Other": role("other-role"),
        "SubLast": policy([{"Ref": "Other"}, {"Fn::Sub": "${Role}"}]),
        "RefLast": policy([{"Fn::Sub": "${Other}"}, {"Ref": "Role"}]),
        "IfLast": policy(["other-role", {"Fn::If": ["C", {"Ref": "Role"}, "x"]}]),
    })
    assert index.candidates("Role", EMPTY) == ["SubLast", "RefLast", "IfLast"]
    assert index.candidates("Other", EMPTY) == ["SubLast", "RefLast", "IfLast"]


# --- what reaches the role ---------------------------------------------------------------------

def test_a_policy_naming_the_role_by_its_literal_name_reaches_it():
    reached = only({"Role": role("trail-role"), "P": policy(["trail-role"])})
    assert reached.labels == ["AWS::IAM::Policy P"]
    assert reached.policies == [("AWS::IAM::Policy P", DOC)]


def test_a_policy_naming_the_role_through_sub_with_a_variable_map_reaches_it():
    reached = only({
        "Role": role("trail-role"),
        "P": policy([{"Fn::Sub": ["${R}", {"R": {"Ref": "Role"}}]}]),
        "Q": policy([{"Fn::Sub": ["${R}", {"R": "trail-role"}]}]),
        "Elsewhere": policy([{"Fn::Sub": ["${R}", {"R": "other-role"}]}]),
    })
    assert reached.labels == ["AWS::IAM::Policy P", "AWS::IAM::Policy Q"]
    assert [label for label, _ in reached.policies] == ["AWS::IAM::Policy P", "AWS::IAM::Policy Q"]
    assert reached.unknown == []


def test_a_policy_named_twice_reaches_the_role_once():
    reached = only({"Role": role("trail-role"),
                    "P": policy([{"Ref": "Role"}, "trail-role"])})
    assert reached.labels == ["AWS::IAM::Policy P"]
    assert len(reached.policies) == 1


def test_a_policy_for_another_role_does_not_reach_it():
    reached = only({"Role": role("trail-role"), "Other": role("other-role"),
                    "P": policy([{"Ref": "Other"}]), "Q": policy(["other-role"]),
                    "R": policy([{"Fn::Sub": ["${R}", {"R": {"Ref": "Other"}}]}])})
    assert reached == Reached()


def test_a_policy_whose_roles_cannot_be_resolved_is_unknown_not_granted():
    reached = only({"Role": role("trail-role"),
                    "P": policy({"Fn::ImportValue": "role-names"}),
                    "Q": policy([{"Fn::Join": ["", ["trail-", {"Ref": "Suffix"}]]}])},
                   Parameters={"Suffix": {"Type": "String"}})
    assert reached.unknown == [
        "AWS::IAM::Policy P (its Roles cannot be resolved here)",
        "AWS::IAM::Policy Q (its Roles cannot be resolved here)",
    ]
    assert reached.policies == [] and reached.labels == []


def test_a_role_policy_whose_role_name_cannot_be_resolved_says_role_name():
    reached = only({"Role": role("trail-role"),
                    "P": policy({"Fn::ImportValue": "x"}, kind="AWS::IAM::RolePolicy",
                                key="RoleName")})
    assert reached.unknown == ["AWS::IAM::RolePolicy P (its RoleName cannot be resolved here)"]


def test_a_parameter_naming_both_the_role_and_the_policy_target_is_the_same_role():
    reached = only({"Role": role(RoleName={"Ref": "Name"}), "P": policy([{"Ref": "Name"}])},
                   Parameters={"Name": {"Type": "String"}})
    assert reached.labels == ["AWS::IAM::Policy P"]
    assert reached.unknown == []


def test_a_policy_with_a_condition_reaches_the_role_only_where_it_holds():
    states = reach({"Role": role("trail-role"),
                    "P": policy([{"Ref": "Role"}], Condition="Prod")},
                   Parameters={"Env": {"Type": "String", "AllowedValues": ["prod", "dev"]}},
                   Conditions={"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}})
    by_condition = {s.conditions["Prod"]: r.labels for s, r in states}
    assert by_condition == {True: ["AWS::IAM::Policy P"], False: []}


# --- inline policies ---------------------------------------------------------------------------

def test_inline_policies_are_labelled_by_name_or_by_position():
    reached = only({"Role": role("trail-role", Policies=[
        {"PolicyName": "deliver", "PolicyDocument": DOC},
        {"PolicyDocument": DOC},
        {"PolicyName": {"Ref": "AWS::Region"}, "PolicyDocument": DOC},
        "not a policy",
    ])})
    assert reached.labels == [
        "inline policy deliver of role Role",
        "inline policy 1 of role Role",
        "inline policy us-east-1 of role Role",
        "inline policy 3 of role Role",
    ]
    assert [label for label, _ in reached.policies] == reached.labels[:3]


def test_inline_policies_the_template_does_not_fix_are_unknown():
    reached = only({"Role": role("trail-role", Policies={"Ref": "Policies"})},
                   Parameters={"Policies": {"Type": "String"}})
    assert reached.unknown == ["inline Policies of role Role (parameter Policies (no value given))"]


def test_inline_policies_that_are_not_a_list_are_refused():
    reached = only({"Role": role("trail-role", Policies={"PolicyName": "p", "PolicyDocument": DOC})})
    assert reached.labels == ["inline Policies of role Role (not a list: refused)"]
    assert reached.policies == [] and reached.unknown == []


def test_removed_inline_policies_grant_nothing():
    reached = only({"Role": role("trail-role", Policies={"Ref": "AWS::NoValue"})})
    assert reached == Reached()


# --- managed policies and boundaries ------------------------------------------------------------

def test_a_managed_policy_of_the_template_by_ref_and_by_arn():
    reached = only({
        "Role": role("trail-role", ManagedPolicyArns=[
            {"Ref": "Managed"}, f"arn:aws:iam::{ACCOUNT}:policy/team/named"]),
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": DOC}},
        "Named": {"Type": "AWS::IAM::ManagedPolicy",
                  "Properties": {"ManagedPolicyName": "named", "Path": "/team/",
                                 "PolicyDocument": DOC}},
    })
    assert reached.labels == ["AWS::IAM::ManagedPolicy Managed", "AWS::IAM::ManagedPolicy Named"]
    assert reached.unknown == []


def test_managed_policy_arns_the_template_does_not_fix_are_unknown():
    reached = only({"Role": role("trail-role", ManagedPolicyArns={"Ref": "Arns"})},
                   Parameters={"Arns": {"Type": "String"}})
    assert reached.unknown == [
        "ManagedPolicyArns of role Role (parameter Arns (no value given))"]


def test_a_boundary_of_the_template_caps_the_role():
    reached = only({
        "Role": role("trail-role", PermissionsBoundary={"Ref": "Boundary"}),
        "Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": DOC}},
    })
    assert reached.boundary == [("AWS::IAM::ManagedPolicy Boundary", DOC)]
    assert reached.labels == ["permissions boundary: AWS::IAM::ManagedPolicy Boundary"]


def test_a_boundary_outside_the_template_is_disclosed_not_evaluated():
    arn = f"arn:aws:iam::{ACCOUNT}:policy/guardrail"
    reached = only({"Role": role("trail-role", PermissionsBoundary=arn)})
    assert reached.boundary is None
    assert reached.labels == [f"permissions boundary {arn}: outside the template, not evaluated"]
    assert reached.unknown == []


def test_a_removed_boundary_is_no_boundary():
    reached = only({"Role": role("trail-role", PermissionsBoundary={"Ref": "AWS::NoValue"})})
    assert reached == Reached()


# --- documents ---------------------------------------------------------------------------------

def test_policy_documents_given_as_json_text_are_read():
    assert as_document('{"Statement": []}') == {"Statement": []}
    assert as_document("not json") == "not json"
    assert as_document(DOC) is DOC
    reached = only({"Role": role("trail-role"),
                    "P": {"Type": "AWS::IAM::Policy",
                          "Properties": {"Roles": [{"Ref": "Role"}],
                                         "PolicyDocument": '{"Statement": []}'}}})
    assert reached.policies == [("AWS::IAM::Policy P", {"Statement": []})]


def test_a_policy_without_a_document_is_followed_but_grants_nothing():
    reached = only({"Role": role("trail-role"),
                    "P": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "Role"}]}}})
    assert reached.labels == ["AWS::IAM::Policy P"]
    assert reached.policies == []


# --- every scenario is followed -----------------------------------------------------------------

CHOICE = {"Parameters": {"Env": {"Type": "String", "AllowedValues": ["prod", "dev"]}},
          "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                         "NotProd": {"Fn::Not": [{"Condition": "Prod"}]}}}


def by_env(states) -> dict:
    return {s.parameters["Env"]: (r.labels, r.unknown) for s, r in states}


def test_a_policy_that_exists_only_in_the_second_scenario():
    states = reach({"Role": role("trail-role"),
                    "P": policy([{"Ref": "Role"}], Condition="NotProd")}, **CHOICE)
    assert by_env(states) == {"prod": ([], []), "dev": (["AWS::IAM::Policy P"], [])}


def test_roles_that_name_the_role_in_one_scenario_only():
    states = reach({"Role": role("trail-role"), "Other": role(),
                    "P": policy({"Fn::If": ["Prod", [{"Ref": "Role"}], [{"Ref": "Other"}]]})},
                   **CHOICE)
    assert by_env(states) == {"prod": (["AWS::IAM::Policy P"], []), "dev": ([], [])}


def test_a_boundary_removed_in_one_scenario_only():
    arn = f"arn:aws:iam::{ACCOUNT}:policy/guardrail"
    states = reach({"Role": role(PermissionsBoundary={
        "Fn::If": ["Prod", {"Ref": "AWS::NoValue"}, arn]})}, **CHOICE)
    assert by_env(states) == {
        "prod": ([], []),
        "dev": ([f"permissions boundary {arn}: outside the template, not evaluated"], [])}


def test_managed_policy_arns_unknown_in_one_scenario_only():
    states = reach({"Role": role(ManagedPolicyArns={"Fn::If": ["Prod", {"Ref": "Arns"}, [{"Ref": "M"}]]}),
                    "M": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": DOC}}},
                   Parameters={**CHOICE["Parameters"], "Arns": {"Type": "CommaDelimitedList"}},
                   Conditions=CHOICE["Conditions"])
    assert by_env(states) == {
        "prod": ([], ["ManagedPolicyArns of role Role (parameter Arns (no value given))"]),
        "dev": (["AWS::IAM::ManagedPolicy M"], [])}


def test_a_ref_to_a_resource_that_is_not_a_managed_policy_is_not_one():
    reached = only({"Role": role("trail-role", ManagedPolicyArns=[
                        {"Ref": "Other"}, {"Ref": "Users"}, {"Ref": "Bucket"}]),
                    "Other": role("other-role", Policies=[{"PolicyName": "p", "PolicyDocument": DOC}]),
                    "Users": {"Type": "AWS::IAM::Group", "Properties": {"PolicyDocument": DOC}},
                    "Bucket": {"Type": "AWS::S3::Bucket"}})
    assert reached.policies == [] and reached.labels == []
    assert reached.unknown == [
        f"managed policy !Ref {name} (ManagedPolicyArns of role Role), not in the template nor "
        "in the table of AWS managed policies" for name in ("Other", "Users", "Bucket")]
