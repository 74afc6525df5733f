"""`names`: the physical names and ARNs that Ref and GetAtt stand for, per resource type.

Written against the survivors of the mutation run (docs/testing.md): resource types compared by
equality (never by ordering), the empty name, names fixed per scenario, and `find`."""

from __future__ import annotations

from cfn_trailwatch.names import LOG_GROUP, MANAGED_POLICY, ROLE, TRAIL, Names
from cfn_trailwatch.values import (EMPTY, GeneratedName, Parameter, Pseudo, ResourceAttr,
                                   ResourceRef, Resolver, Scenario, Text, Unknown)

ACCOUNT = "123456789012"


def names(resources: dict, parameters: dict | None = None, account_id: str | None = ACCOUNT,
          region: str = "us-east-1", template_parameters: dict | None = None,
          conditions: dict | None = None) -> Names:
    template = {"Resources": resources}
    if template_parameters:
        template["Parameters"] = template_parameters
    if conditions:
        template["Conditions"] = conditions
    return Names(Resolver(template, parameters, region=region, account_id=account_id))


# Resource types on both sides of the four named types in string order, so that a type compared by
# ordering instead of equality is caught: "AWS::CloudTrail::Trail" < "AWS::EC2::VPC" <
# "AWS::IAM::Group" < "AWS::IAM::ManagedPolicy" < "AWS::IAM::Role" < "AWS::Logs::LogGroup" <
# "AWS::S3::Bucket".
MIXED = {
    "Group": {"Type": LOG_GROUP, "Properties": {"LogGroupName": "/trail/logs"}},
    "Role": {"Type": ROLE, "Properties": {"RoleName": "trail-role", "Path": "/service/"}},
    "Policy": {"Type": MANAGED_POLICY, "Properties": {"ManagedPolicyName": "deliver"}},
    "Trail": {"Type": TRAIL, "Properties": {"TrailName": "main"}},
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}},
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}},
    "Users": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "users"}},
}


def test_the_arn_of_each_named_type():
    n = names(MIXED)
    assert n.arn("Group", EMPTY) == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/trail/logs:*"
    assert n.arn("Role", EMPTY) == f"arn:aws:iam::{ACCOUNT}:role/service/trail-role"
    assert n.arn("Policy", EMPTY) == f"arn:aws:iam::{ACCOUNT}:policy/deliver"
    assert n.arn("Trail", EMPTY) == f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"


def test_other_types_have_no_arn_here():
    n = names(MIXED)
    for other in ("Bucket", "Vpc", "Users", "Missing"):
        assert n.arn(other, EMPTY) is None, other


def test_the_arn_follows_the_region_and_its_partition():
    n = names(MIXED, region="cn-north-1")
    assert n.arn("Group", EMPTY) == f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:/trail/logs:*"
    assert n.arn("Role", EMPTY) == f"arn:aws-cn:iam::{ACCOUNT}:role/service/trail-role"


def test_without_an_account_the_arn_holds_the_pseudo_parameter():
    n = names(MIXED, account_id=None)
    assert n.arn("Role", EMPTY) == Text(("arn:aws:iam::", Pseudo("AWS::AccountId"),
                                         ":role/service/trail-role"))


def test_a_resource_without_a_name_gets_the_generated_name_atom():
    n = names({"Group": {"Type": LOG_GROUP, "Properties": {"RetentionInDays": 7}},
               "Role": {"Type": ROLE}})
    assert n.name("Group", EMPTY) == GeneratedName("Group")
    assert n.name("Role", EMPTY) == GeneratedName("Role")
    assert n.arn("Group", EMPTY) == Text((f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:",
                                          GeneratedName("Group"), ":*"))


def test_a_removed_name_is_generated():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "AWS::NoValue"}}}})
    assert n.name("Role", EMPTY) == GeneratedName("Role")


def test_an_empty_or_non_text_name_is_unknown_not_a_value():
    n = names({"Empty": {"Type": ROLE, "Properties": {"RoleName": ""}},
               "Number": {"Type": ROLE, "Properties": {"RoleName": 5}},
               "List": {"Type": LOG_GROUP, "Properties": {"LogGroupName": ["a"]}}})
    assert n.name("Empty", EMPTY) == Unknown("the name of Empty")
    assert n.name("Number", EMPTY) == Unknown("the name of Number")
    assert n.name("List", EMPTY) == Unknown("the name of List")


def test_a_name_that_differs_between_scenarios_is_unknown_until_the_scenario_is_fixed():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "RoleName"}}}},
              template_parameters={"RoleName": {"Type": "String", "Default": "trail-role"}})
    assert n.name("Role", EMPTY) == Unknown("the name of Role")
    branches = n.name_branches("Role", EMPTY)
    assert [name for _, name in branches] == ["trail-role", Parameter("RoleName")]
    assert all(s != EMPTY for s, _ in branches)


def test_name_branches_of_an_unnamed_resource_is_one_generated_name():
    n = names({"Role": {"Type": ROLE, "Properties": {}}})
    assert n.name_branches("Role", EMPTY) == [(EMPTY, GeneratedName("Role"))]


def test_a_given_parameter_names_the_resource():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "RoleName"}}}},
              parameters={"RoleName": "given-role"},
              template_parameters={"RoleName": {"Type": "String", "Default": "trail-role"}})
    assert n.name("Role", EMPTY) == "given-role"


def test_a_name_defined_through_itself_holds_unknown_where_it_refers_to_itself():
    # (trail.analyse reports the reference cycle itself, through values.depends.)
    n = names({"Group": {"Type": LOG_GROUP,
                         "Properties": {"LogGroupName": {"Fn::Sub": "x-${Group}"}}}})
    assert n.name("Group", EMPTY) == Text(("x-", Unknown("the name of Group")))


def test_the_path_of_a_role_and_of_a_managed_policy():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": "r", "Path": "/a/b/"}},
               "Plain": {"Type": ROLE, "Properties": {"RoleName": "p"}},
               "Removed": {"Type": ROLE, "Properties": {"RoleName": "q",
                                                         "Path": {"Ref": "AWS::NoValue"}}},
               "Policy": {"Type": MANAGED_POLICY,
                          "Properties": {"ManagedPolicyName": "m", "Path": "/team/"}}})
    assert n.path("Role", EMPTY) == "/a/b/"
    assert n.path("Plain", EMPTY) == "/"
    assert n.path("Removed", EMPTY) == "/"
    assert n.arn("Policy", EMPTY) == f"arn:aws:iam::{ACCOUNT}:policy/team/m"


def test_expand_turns_getatt_arn_of_a_named_type_into_its_arn():
    n = names(MIXED)
    assert n.expand(ResourceAttr("Group", "Arn"), EMPTY) == n.arn("Group", EMPTY)
    assert n.expand(ResourceAttr("Trail", "Arn"), EMPTY) == n.arn("Trail", EMPTY)
    # Other attributes, and the Arn of types it has no ARN for, stay as they are.
    assert n.expand(ResourceAttr("Role", "RoleId"), EMPTY) == ResourceAttr("Role", "RoleId")
    assert n.expand(ResourceAttr("Bucket", "Arn"), EMPTY) == ResourceAttr("Bucket", "Arn")
    assert n.expand(ResourceAttr("Vpc", "Arn"), EMPTY) == ResourceAttr("Vpc", "Arn")


def test_expand_turns_ref_into_the_name_or_for_a_managed_policy_the_arn():
    n = names(MIXED)
    assert n.expand(ResourceRef("Group"), EMPTY) == "/trail/logs"
    assert n.expand(ResourceRef("Role"), EMPTY) == "trail-role"
    assert n.expand(ResourceRef("Trail"), EMPTY) == "main"
    assert n.expand(ResourceRef("Policy"), EMPTY) == f"arn:aws:iam::{ACCOUNT}:policy/deliver"
    for other in ("Bucket", "Vpc", "Users"):
        assert n.expand(ResourceRef(other), EMPTY) == ResourceRef(other)


def test_expand_goes_into_text_lists_and_maps():
    n = names(MIXED)
    value = {"Resource": [Text(("arn:aws:logs:*:*:log-group:", ResourceRef("Group"), ":*")),
                          ResourceAttr("Role", "Arn")],
             "Other": 3}
    assert n.expand(value, EMPTY) == {
        "Resource": ["arn:aws:logs:*:*:log-group:/trail/logs:*",
                     f"arn:aws:iam::{ACCOUNT}:role/service/trail-role"],
        "Other": 3}


def test_find_by_name_and_kind():
    n = names(MIXED)
    assert n.find(LOG_GROUP, "/trail/logs", EMPTY) == "Group"
    assert n.find(ROLE, "trail-role", EMPTY) == "Role"
    assert n.find(ROLE, "/trail/logs", EMPTY) is None
    assert n.find(LOG_GROUP, "nothing", EMPTY) is None


def test_find_a_generated_name_only_for_its_own_type():
    n = names({"Group": {"Type": LOG_GROUP}, "Role": {"Type": ROLE},
               "Bucket": {"Type": "AWS::S3::Bucket"}})
    assert n.find(LOG_GROUP, GeneratedName("Group"), EMPTY) == "Group"
    assert n.find(ROLE, GeneratedName("Role"), EMPTY) == "Role"
    assert n.find(LOG_GROUP, GeneratedName("Role"), EMPTY) is None
    assert n.find(ROLE, GeneratedName("Group"), EMPTY) is None
    assert n.find(ROLE, GeneratedName("Bucket"), EMPTY) is None
    assert n.find(LOG_GROUP, GeneratedName("Missing"), EMPTY) is None


def test_by_type_lists_logical_ids_in_template_order_and_skips_malformed_resources():
    n = names({"B": {"Type": ROLE}, "Bad": 5, "NoType": {"Properties": {}},
               "Typed": {"Type": ["AWS::IAM::Role"]}, "A": {"Type": ROLE},
               "G": {"Type": LOG_GROUP}})
    assert n.by_type(ROLE) == ["B", "A"]
    assert n.by_type(LOG_GROUP) == ["G"]
    assert n.by_type(TRAIL) == []


def test_a_path_the_template_does_not_fix_to_one_value_is_unknown_never_a_guess():
    n = names({
        "Param": {"Type": ROLE, "Properties": {"RoleName": "r", "Path": {"Ref": "P"}}},
        "Number": {"Type": ROLE, "Properties": {"RoleName": "r", "Path": 5}},
        "Empty": {"Type": ROLE, "Properties": {"RoleName": "r", "Path": ""}},
        "Either": {"Type": ROLE, "Properties": {"RoleName": "r",
                                                "Path": {"Fn::If": ["C", "/a/", "/b/"]}}},
        "Same": {"Type": ROLE, "Properties": {"RoleName": "r",
                                              "Path": {"Fn::If": ["C", "/a/", "/a/"]}}},
    }, template_parameters={"P": {"Type": "String"},
                            "Env": {"Type": "String", "AllowedValues": ["a", "b"]}},
       conditions={"C": {"Fn::Equals": [{"Ref": "Env"}, "a"]}})
    # A parameter with no listed value is that same atom wherever it appears.
    assert n.path("Param", EMPTY) == Parameter("P")
    assert n.arn("Param", EMPTY) == Text((f"arn:aws:iam::{ACCOUNT}:role", Parameter("P"), "r"))
    for role in ("Number", "Empty", "Either"):
        assert n.path(role, EMPTY) == Unknown(f"the path of {role}"), role
    # Two branches with the same value are that value.
    assert n.path("Same", EMPTY) == "/a/"


def test_an_attribute_that_is_not_arn_is_not_the_arn():
    # CloudFormation attribute names are case-sensitive: `ARN` is not `Arn`.
    n = names(MIXED)
    assert n.expand(ResourceAttr("Group", "ARN"), EMPTY) == ResourceAttr("Group", "ARN")
    assert n.expand(ResourceAttr("Role", "Arm"), EMPTY) == ResourceAttr("Role", "Arm")


def test_what_a_name_consulted_reaches_the_callers_trace_on_every_call():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Name"}}}},
              template_parameters={"Name": {"Type": "String", "AllowedValues": ["a", "b"]}})
    s = Scenario(parameters={"Name": "a"})
    for _ in range(2):   # the first call resolves, the second comes from the cache
        with n.resolver.traced() as trace:
            assert n.name("Role", s) == "a"
        assert "Name" in trace


# --- find_branches: a name that is not one value here links in the scenarios where it matches ---

PICK = {"Pick": {"Type": "String", "Default": "trail-role", "AllowedValues": ["trail-role", "other-role"]}}


def test_find_branches_splits_a_name_chosen_by_a_parameter():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Pick"}}}},
              template_parameters=PICK)
    assert n.find(ROLE, "trail-role", EMPTY) is None   # find alone sees an Unknown name
    assert n.find_branches(ROLE, "trail-role", EMPTY) == [
        (Scenario(parameters={"Pick": "trail-role"}), "Role"),
        (Scenario(parameters={"Pick": "other-role"}), None)]
    assert n.find_branches(ROLE, "other-role", EMPTY) == [
        (Scenario(parameters={"Pick": "trail-role"}), None),
        (Scenario(parameters={"Pick": "other-role"}), "Role")]


def test_find_branches_splits_a_name_chosen_by_fn_if():
    n = names({"Group": {"Type": LOG_GROUP,
                         "Properties": {"LogGroupName": {"Fn::If": ["C", "/a", "/b"]}}}},
              template_parameters={"Env": {"Type": "String", "AllowedValues": ["x", "y"]}},
              conditions={"C": {"Fn::Equals": [{"Ref": "Env"}, "x"]}})
    got = n.find_branches(LOG_GROUP, "/b", EMPTY)
    assert [(s.conditions, s.parameters, found) for s, found in got] == [
        ({"C": True}, {"Env": "x"}, None), ({"C": False}, {"Env": "y"}, "Group")]


def test_find_branches_keeps_the_scenario_whole_when_no_choice_matches():
    # No value Pick may take names the role "elsewhere": nothing is assumed about Pick.
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Pick"}}}},
              template_parameters=PICK)
    assert n.find_branches(ROLE, "elsewhere", EMPTY) == [(EMPTY, None)]
    assert n.find_branches(LOG_GROUP, "trail-role", EMPTY) == [(EMPTY, None)]


def test_find_branches_of_a_name_that_is_one_value_is_find():
    n = names(MIXED)
    assert n.find_branches(ROLE, "trail-role", EMPTY) == [(EMPTY, "Role")]
    assert n.find_branches(ROLE, "/trail/logs", EMPTY) == [(EMPTY, None)]
    assert n.find_branches(LOG_GROUP, "/trail/logs", EMPTY) == [(EMPTY, "Group")]
    generated = names({"Group": {"Type": LOG_GROUP}, "Role": {"Type": ROLE}})
    assert generated.find_branches(ROLE, GeneratedName("Role"), EMPTY) == [(EMPTY, "Role")]
    assert generated.find_branches(ROLE, GeneratedName("Group"), EMPTY) == [(EMPTY, None)]


def test_find_branches_tries_the_next_resource_where_the_first_does_not_match():
    # Blue/green: the two roles swap names; each scenario finds the one holding the name, and a
    # scenario already linked is not compared again (Standby is "standby-role" where Role matched).
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Pick"}}},
               "Standby": {"Type": ROLE, "Properties": {
                   "RoleName": {"Fn::If": ["Picked", "other-role", "trail-role"]}}}},
              template_parameters=PICK,
              conditions={"Picked": {"Fn::Equals": [{"Ref": "Pick"}, "trail-role"]}})
    got = n.find_branches(ROLE, "trail-role", EMPTY)
    assert [(s.parameters, found) for s, found in got] == [
        ({"Pick": "trail-role"}, "Role"), ({"Pick": "other-role"}, "Standby")]


def test_find_branches_follows_every_scenario_past_a_resource_of_one_name():
    n = names({"Role": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Three"}}},
               "Fixed": {"Type": ROLE, "Properties": {"RoleName": "z"}},
               "Other": {"Type": ROLE, "Properties": {"RoleName": {"Ref": "Three"}}}},
              template_parameters={"Three": {"Type": "String", "AllowedValues": ["a", "b", "c"]}})
    assert [(s.parameters["Three"], found) for s, found in n.find_branches(ROLE, "b", EMPTY)] == [
        ("a", None), ("b", "Role"), ("c", None)]
    assert n.find_branches(ROLE, "z", EMPTY) == [(EMPTY, "Fixed")]
