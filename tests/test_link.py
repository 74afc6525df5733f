"""linter/link.py's rewriting of a copied template into its namespace (issue 13)."""

from __future__ import annotations

from cfn_trailwatch import link
from cfn_trailwatch.link import _Names, _Rewriter

NAMES = _Names(parameters={"Env"}, resources={"Group", "Role"}, conditions={"IsProd"},
               mappings={"Regions"})


def rw(bindings=None, ns="f.yaml#"):
    return _Rewriter(ns, NAMES, bindings or {})


def test_ref_of_own_names_pseudos_and_others():
    r = rw()
    assert r.value({"Ref": "Group"}) == {"Ref": "f.yaml#Group"}
    assert r.value({"Ref": "Env"}) == {"Ref": "f.yaml#Env"}
    assert r.value({"Ref": "AWS::StackName"}) == {"Ref": "f.yaml#AWS::StackName"}
    assert r.value({"Ref": "AWS::Region"}) == {"Ref": "AWS::Region"}


def test_getatt_string_and_list_forms():
    r = rw()
    assert r.value({"Fn::GetAtt": "Group.Arn"}) == {"Fn::GetAtt": ["f.yaml#Group", "Arn"]}
    assert r.value({"Fn::GetAtt": ["Role", "Arn"]}) == {"Fn::GetAtt": ["f.yaml#Role", "Arn"]}


def test_sub_with_and_without_variables_and_literals():
    r = rw()
    assert r.value({"Fn::Sub": "plain text"}) == {"Fn::Sub": "plain text"}
    assert r.value({"Fn::Sub": "${Group}:${AWS::Region}"}) == \
        {"Fn::Sub": ["${Group}:${AWS::Region}", {"Group": {"Ref": "f.yaml#Group"}}]}
    assert r.value({"Fn::Sub": "${Group.Arn}"}) == \
        {"Fn::Sub": ["${Group.Arn}", {"Group.Arn": {"Fn::GetAtt": ["f.yaml#Group", "Arn"]}}]}
    assert r.value({"Fn::Sub": "${!Group}"}) == {"Fn::Sub": "${!Group}"}
    assert r.value({"Fn::Sub": ["${X}-${Env}", {"X": {"Ref": "Role"}}]}) == \
        {"Fn::Sub": ["${X}-${Env}", {"X": {"Ref": "f.yaml#Role"}, "Env": {"Ref": "f.yaml#Env"}}]}


def test_if_condition_and_findinmap():
    r = rw()
    assert r.value({"Fn::If": ["IsProd", {"Ref": "Group"}, {"Ref": "AWS::NoValue"}]}) == \
        {"Fn::If": ["f.yaml#IsProd", {"Ref": "f.yaml#Group"}, {"Ref": "AWS::NoValue"}]}
    assert r.value({"Condition": "IsProd"}) == {"Condition": "f.yaml#IsProd"}
    assert r.value({"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Name"]}) == \
        {"Fn::FindInMap": ["f.yaml#Regions", {"Ref": "AWS::Region"}, "Name"]}


def test_resource_condition_dependson_and_a_parent_condition():
    r = rw(ns="Child/")
    resource = {"Type": "AWS::Logs::LogGroup", "Condition": "IsProd", "DependsOn": ["Role"],
                "Properties": {"LogGroupName": {"Ref": "Env"}}}
    out = r.resource(resource, exists="ParentCond")
    assert out["Type"] == "AWS::Logs::LogGroup"
    assert out["Condition"] == "Child/IsProd"   # its own condition includes the parent's
    assert out["DependsOn"] == ["Child/Role"]
    assert r.resource({"Type": "T", "DependsOn": "Role"}, None)["DependsOn"] == "Child/Role"
    assert r.resource({"Type": "T"}, "ParentCond")["Condition"] == "ParentCond"


def test_nested_parameters_are_the_parents_expressions():
    r = rw({"Env": {"Fn::GetAtt": ["Logs", "Arn"]}}, ns="Child/")
    assert r.value({"Ref": "Env"}) == {"Fn::GetAtt": ["Logs", "Arn"]}
    assert r.value({"Fn::Sub": "${Env}:*"}) == \
        {"Fn::Sub": ["${Env}:*", {"Env": {"Fn::GetAtt": ["Logs", "Arn"]}}]}


class _Doc:
    def __init__(self, data):
        self.data = data

    def position(self, path):
        return (1, 1)


def _linker(root, files):
    return link.Linker(_Doc(root), "/x/parent.yaml", lambda p: _Doc(files[p]), None,
                       lambda *a: [], {}, lambda f: {}, lambda f: None)


def test_copied_template_gets_its_own_stack_name_and_parameters_replaced():
    child = {"Parameters": {"Env": {"Type": "String", "Default": "dev"}},
             "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
             "Resources": {"Group": {"Type": "AWS::Logs::LogGroup",
                                     "Properties": {"LogGroupName":
                                                    {"Fn::Sub": "${AWS::StackName}-${Env}"}}}},
             "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}}}}
    root = {"Conditions": {"On": {"Fn::Equals": ["a", "a"]}},
            "Resources": {"Logs": {"Type": "AWS::CloudFormation::Stack", "Condition": "On",
                                   "Properties": {"TemplateURL": "child.yaml",
                                                  "Parameters": {"Env": "prod"}}}}}
    linked = _linker(root, {"/x/child.yaml": child}).link()
    template = linked.template
    assert "Logs/Env" not in template["Parameters"]           # passed: its Default is gone
    assert "Logs/AWS::StackName" in template["Parameters"]    # its own, not the parent's
    assert "Default" not in template["Parameters"]["Logs/AWS::StackName"]
    group = template["Resources"]["Logs/Group"]
    assert group["Condition"] == "On"                         # exists where the parent's stack does
    assert group["Properties"]["LogGroupName"] == \
        {"Fn::Sub": ["${AWS::StackName}-${Env}", {"AWS::StackName": {"Ref": "Logs/AWS::StackName"},
                                                  "Env": "prod"}]}
    assert template["Conditions"]["Logs/IsProd"] == \
        {"Fn::And": [{"Condition": "On"}, {"Fn::Equals": ["prod", "prod"]}]}
    assert linked.links.outputs[("Logs", "Outputs.Arn")] == {"Fn::GetAtt": ["Logs/Group", "Arn"]}


# -- the export index's answers ------------------------------------------------------------------

def test_find_one_export_and_never_the_importers_own():
    index = link.ExportIndex()
    index.add("us-east-1", link.Export("a.yaml", "GroupArn", "org-GroupArn"))
    index.add("us-east-1", link.Export("a.yaml", "GroupArn", "org-GroupArn"))   # once
    assert index.find("us-east-1", "org-GroupArn", "t.yaml") == \
        (link.Export("a.yaml", "GroupArn", "org-GroupArn"), "")
    assert index.find("us-east-1", "org-GroupArn", "a.yaml") == \
        (None, "no template in this scan exports org-GroupArn")
    assert index.find("eu-west-1", "org-GroupArn", "t.yaml")[0] is None   # exports are regional


def test_find_names_every_exporter_of_an_ambiguous_name_unless_a_deployment_decides():
    index = link.ExportIndex(deployments={"prod/a.yaml": "prod", "dev/a.yaml": "dev",
                                          "t.yaml": "prod"})
    for folder in ("dev", "prod", "test"):
        index.add("us-east-1", link.Export(f"{folder}/a.yaml", "G", "org-G"))
    assert index.find("us-east-1", "org-G", "t.yaml")[0] == link.Export("prod/a.yaml", "G", "org-G")
    assert index.find("us-east-1", "org-G", "other.yaml") == (None, (
        "exported by dev/a.yaml (output G), prod/a.yaml (output G) and test/a.yaml (output G); "
        "the configuration does not say which deploys with this template (deployment)"))


def test_find_hints_at_exports_whose_name_is_not_known_and_at_unreadable_exporters():
    index = link.ExportIndex(unresolved=[
        ("a.yaml", "GroupArn", (None, "-GroupArn"), "${AWS::StackName}-GroupArn"),
        ("b.yaml", "G", (None, "-GroupArn"), "${Prefix}-GroupArn"),
        ("c.yaml", "R", (None, "-RoleArn"), "${AWS::StackName}-RoleArn")],
        unreadable={"x.yaml": "Name: org-GroupArn", "y.yaml": "org-GroupArn too",
                    "z.yaml": "nothing of it"})
    assert index.find("us-east-1", "org-GroupArn", "t.yaml") == (None, (
        "no template in this scan exports org-GroupArn; a.yaml (output GroupArn) exports "
        "${AWS::StackName}-GroupArn (and 1 more), which may be it: give its stack_name or "
        "parameters in the configuration; x.yaml (and 1 more), which cannot be read, may export it"))
    index.unreadable.pop("y.yaml")
    index.unresolved.pop(1)
    assert index.find("us-east-1", "org-GroupArn", "t.yaml") == (None, (
        "no template in this scan exports org-GroupArn; a.yaml (output GroupArn) exports "
        "${AWS::StackName}-GroupArn, which may be it: give its stack_name or parameters in the "
        "configuration; x.yaml, which cannot be read, may export it"))


# -- the resolver across templates -----------------------------------------------------------------

def test_an_import_named_by_a_parameter_follows_each_name_on_its_own():
    """``!ImportValue !Sub ${Env}-GroupArn``: the name per Env value, linked where exported."""
    from cfn_trailwatch.values import EMPTY, Import, ResourceAttr, Resolver

    template = {"Parameters": {"Env": {"Type": "String", "Default": "dev",
                                        "AllowedValues": ["dev", "prod", "test"]}},
                "Resources": {"e.yaml#Group": {"Type": "AWS::Logs::LogGroup"}}}
    links = link.Links(
        exports={("us-east-1", "prod-GroupArn"): ({"Fn::GetAtt": ["e.yaml#Group", "Arn"]}, None,
                                                  "e.yaml output G"),
                 ("us-east-1", "test-GroupArn"): ({"Fn::GetAtt": ["e.yaml#Group", "Arn"]}, None,
                                                  "e.yaml output G")},
        missing={("us-east-1", "dev-GroupArn"): "no template in this scan exports dev-GroupArn"})
    resolver = Resolver(template, links=links)
    got = {s.parameters["Env"]: value for s, value in resolver.resolve(
        {"Fn::ImportValue": {"Fn::Sub": "${Env}-GroupArn"}}, EMPTY)}
    assert got == {"dev": Import("dev-GroupArn", "no template in this scan exports dev-GroupArn"),
                   "prod": ResourceAttr("e.yaml#Group", "Arn"),
                   "test": ResourceAttr("e.yaml#Group", "Arn")}


def test_an_exporters_mappings_are_copied_under_its_namespace():
    class Doc:
        def __init__(self, data):
            self.data = data

    exporter = Doc({"Mappings": {"Names": {"us-east-1": {"Group": "/org/trail"}}},
                    "Resources": {"Group": {"Type": "AWS::Logs::LogGroup", "Properties": {
                        "LogGroupName": {"Fn::FindInMap": ["Names", {"Ref": "AWS::Region"},
                                                           "Group"]}}}},
                    "Outputs": {"G": {"Value": {"Fn::GetAtt": ["Group", "Arn"]},
                                      "Export": {"Name": "org-G"}}}})
    root = Doc({"Resources": {"T": {"Type": "AWS::CloudTrail::Trail", "Properties": {
        "CloudWatchLogsLogGroupArn": {"Fn::ImportValue": "org-G"}}}}})
    index = link.ExportIndex()
    index.add("us-east-1", link.Export("e.yaml", "G", "org-G"))
    linked = link.Linker(root, "t.yaml", lambda path: exporter, index,
                         lambda template, given, args: [("us-east-1", "org-G")], {},
                         lambda path: {}, lambda path: None).link()
    assert linked.template["Mappings"]["e.yaml#Names"] == {"us-east-1": {"Group": "/org/trail"}}
    assert linked.template["Resources"]["e.yaml#Group"]["Properties"]["LogGroupName"] == \
        {"Fn::FindInMap": ["e.yaml#Names", {"Ref": "AWS::Region"}, "Group"]}
    assert linked.links.exports[("us-east-1", "org-G")] == \
        ({"Fn::GetAtt": ["e.yaml#Group", "Arn"]}, None, "e.yaml output G")


# --- which names a template can import ---------------------------------------------------------

_GUARDED = {
    "Parameters": {"KeyStack": {"Type": "String", "Default": ""},
                   "TopicStack": {"Type": "String", "Default": ""}},
    "Conditions": {"HasKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "KeyStack"}, ""]}]},
                   "HasTopic": {"Fn::Not": [{"Fn::Equals": [{"Ref": "TopicStack"}, ""]}]}},
    "Resources": {
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "KMSKeyId": {"Fn::If": ["HasKey",
                                    {"Fn::ImportValue": {"Fn::Sub": "${KeyStack}-KeyId"}},
                                    {"Ref": "AWS::NoValue"}]},
            "S3BucketName": {"Fn::If": ["HasKey", {"Ref": "AWS::NoValue"},
                                        {"Fn::ImportValue": "logs-Bucket"}]}}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Condition": "HasTopic", "Properties": {
            "AlarmActions": [{"Fn::ImportValue": {"Fn::Sub": "${TopicStack}-TopicARN"}}]}}},
    "Outputs": {"Key": {"Condition": "HasKey", "Value": {
        "Fn::ImportValue": {"Fn::Sub": "${KeyStack}-Other"}}}},
}


def _importable(parameters):
    from cfn_trailwatch.values import EMPTY, Resolver

    resolver = Resolver(_GUARDED, parameters)
    return sorted(name for argument in link._import_arguments(_GUARDED)
                  for _s, name in resolver.resolve(argument, EMPTY) if isinstance(name, str))


def test_an_import_is_asked_for_only_where_its_conditions_can_hold():
    # Defaults switch the key and topic imports off: no "-KeyId", "-TopicARN" or "-Other"
    # (the names their empty defaults would make) is looked up; the bucket's import is on
    # exactly when the key's is off.
    assert _importable({}) == ["logs-Bucket"]
    # Given, the resource's Condition, the output's and the If's branch let them through
    assert _importable({"KeyStack": "kms", "TopicStack": "alerts"}) == \
        ["alerts-TopicARN", "kms-KeyId", "kms-Other"]


def test_an_if_on_an_undeclared_condition_guards_nothing():
    data = {"Resources": {"R": {"Type": "T", "Condition": "Nowhere", "Properties": {
        "P": {"Fn::If": ["Missing", {"Fn::ImportValue": "a"}, {"Fn::ImportValue": "b"}]}}}}}
    assert sorted(link._import_arguments(data)) == ["a", "b"]


def test_a_name_pattern_fits_as_its_regular_expression_would():
    """fits(pattern, name) against re.fullmatch of the literals escaped and ".+" for each
    unknown part, on every pattern of up to four parts from a small alphabet and every name
    of up to five characters from it (names with no line break, as export names)."""
    import itertools
    import re

    parts = ["a", "ab", "b-", None]
    names = ["".join(chars) for size in range(6) for chars in itertools.product("ab-", repeat=size)]
    for size in range(5):
        for pattern in itertools.product(parts, repeat=size):
            regex = re.compile("".join(".+" if p is None else re.escape(p) for p in pattern))
            for name in names:
                assert link.fits(pattern, name) == bool(regex.fullmatch(name)), (pattern, name)
    assert link.fits(("", None, ""), "x") and not link.fits(("", None), "")
