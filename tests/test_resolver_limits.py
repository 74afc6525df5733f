"""values.resolve: where the limits start (nesting depth, scenarios), which parameters are worth
naming in a scenario, and conditions read from values.

Written against the survivors of the mutation run (docs/testing.md): the limits were only tested
far past the bound, never at it."""

from __future__ import annotations

import pytest

from cfn_trailwatch import trail
from cfn_trailwatch.load import load_text
from cfn_trailwatch.values import EMPTY, Parameter, Resolver, Scenario, Unknown

DEPTH_HIT = "intrinsic functions nested deeper than 64 levels (--max-reference-depth)"


def lists_around_a_ref(levels: int):
    value = {"Ref": "AWS::Region"}
    for _ in range(levels):
        value = [value]
    return value


def selects(levels: int):
    value = "x"
    for _ in range(levels):
        value = {"Fn::Select": [0, [value]]}
    return value


def test_a_ref_inside_64_levels_is_resolved_and_inside_65_is_a_limit():
    ok = Resolver({"Resources": {}})
    assert ok.resolve(lists_around_a_ref(64), EMPTY) == [(EMPTY, _wrap("us-east-1", 64))]
    assert ok.limit_hits == set()
    hit = Resolver({"Resources": {}})
    [(_, value)] = hit.resolve(lists_around_a_ref(65), EMPTY)
    assert hit.limit_hits == {DEPTH_HIT}
    assert _unwrap(value, 65) == Unknown("intrinsic functions nested too deeply")


def maps_around_a_ref(levels: int):
    value = {"Ref": "AWS::Region"}
    for _ in range(levels):
        value = {"k": value}
    return value


@pytest.mark.parametrize("levels, hit", [(64, False), (65, True)])
def test_maps_count_as_levels_too(levels, hit):
    resolver = Resolver({"Resources": {}})
    resolver.resolve(maps_around_a_ref(levels), EMPTY)
    assert resolver.limit_hits == ({DEPTH_HIT} if hit else set())


def _wrap(value, levels):
    for _ in range(levels):
        value = [value]
    return value


def _unwrap(value, levels):
    for _ in range(levels):
        [value] = value
    return value


def test_each_function_and_its_argument_list_count_as_levels():
    # Select → its list → the next Select: two levels each.
    assert Resolver({"Resources": {}}).resolve(selects(33), EMPTY) == [(EMPTY, "x")]
    resolver = Resolver({"Resources": {}})
    resolver.resolve(selects(34), EMPTY)
    assert resolver.limit_hits == {DEPTH_HIT}


@pytest.mark.parametrize("levels, hit", [(3, False), (4, True)])
def test_a_smaller_max_depth(levels, hit):
    resolver = Resolver({"Resources": {}}, max_depth=5)
    resolver.resolve(selects(levels), EMPTY)
    assert bool(resolver.limit_hits) is hit


@pytest.mark.parametrize("chain, hit", [(64, False), (65, True)])
def test_a_chain_of_64_conditions_is_followed(chain, hit):
    conditions = {f"C{i}": {"Condition": f"C{i + 1}"} for i in range(chain)}
    conditions[f"C{chain}"] = {"Fn::Equals": ["a", "a"]}
    resolver = Resolver({"Resources": {}, "Conditions": conditions})
    outcomes = resolver.condition("C0", EMPTY)
    assert [truth for _, truth in outcomes] == ([True, False] if hit else [True])
    assert bool(resolver.limit_hits) is hit


# --- scenarios -------------------------------------------------------------------------------

CHOICES = {f"P{i}": {"Type": "String", "AllowedValues": ["a", "b"]} for i in range(3)}
IFS = {f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "a"]} for i in range(3)}


def branches(count: int, max_branches: int) -> Resolver:
    resolver = Resolver({"Resources": {}, "Parameters": CHOICES, "Conditions": IFS},
                        max_branches=max_branches)
    value = [{"Fn::If": [f"C{i}", "yes", "no"]} for i in range(count)]
    out = resolver.resolve(value, EMPTY)
    return resolver, out


def test_exactly_max_branches_is_allowed_one_split_more_is_a_limit():
    resolver, out = branches(2, 4)
    assert len(out) == 4 and resolver.limit_hits == set()
    resolver, out = branches(3, 4)
    assert out == [(EMPTY, Unknown("more than 4 scenarios"))]
    assert resolver.limit_hits == {"more than 4 scenarios (--max-scenarios)"}


def test_a_condition_with_too_many_outcomes_is_a_limit_of_its_own():
    resolver = Resolver({"Resources": {}, "Parameters": CHOICES,
                         "Conditions": {"All": {"Fn::And": [{"Condition": c} for c in IFS]},
                                        **IFS}}, max_branches=3)
    assert resolver.condition("All", EMPTY) == [
        (Scenario({"All": True}), True), (Scenario({"All": False}), False)]
    assert resolver.limit_hits == {"condition All has more than 3 scenarios (--max-scenarios)"}


# --- conditions --------------------------------------------------------------------------------

def test_a_resource_condition_that_is_not_a_name_may_be_either_and_is_a_problem():
    resolver = Resolver({"Resources": {"P": {"Type": "AWS::IAM::Policy", "Condition": ["C"]}}})
    assert resolver.exists("P", EMPTY) == [(EMPTY, True), (EMPTY, False)]
    assert resolver.problems == {"resource P has a Condition that is not a name"}


def test_a_condition_read_from_a_value_takes_its_text_as_a_boolean():
    resolver = Resolver({"Resources": {}, "Conditions": {
        "No": {"Fn::Select": [0, ["false"]]}, "Yes": {"Fn::Select": [0, ["TRUE"]]}}})
    assert resolver.condition("No", EMPTY) == [(Scenario({"No": False}), False)]
    assert resolver.condition("Yes", EMPTY) == [(Scenario({"Yes": True}), True)]


@pytest.mark.parametrize("definition, shape", [
    ({"b": 1, "a": 2, "d": 3, "c": 4}, "a map of a, b, c"),
    ({}, "an empty map"),
    ([1], "a list"),
    (5, "5"),
])
def test_a_condition_that_is_no_condition_function_names_its_shape(definition, shape):
    resolver = Resolver({"Resources": {}, "Conditions": {"C": definition}})
    assert resolver.condition("C", EMPTY) == [
        (Scenario({"C": True}), True), (Scenario({"C": False}), False)]
    assert resolver.problems == {f"a condition must be a condition function, not {shape}"}


def test_find_in_map_does_not_split_on_a_default_it_does_not_need():
    resolver = Resolver({"Resources": {}, "Mappings": {"M": {"k": {"v": "found"}}},
                         "Parameters": CHOICES, "Conditions": IFS})
    value = {"Fn::FindInMap": ["M", "k", "v", {"DefaultValue": {"Fn::If": ["C0", "x", "y"]}}]}
    assert resolver.resolve(value, EMPTY) == [(EMPTY, "found")]


# --- which parameters are worth naming -------------------------------------------------------

@pytest.mark.parametrize("definition, only", [
    ({"Type": "String"}, True),
    ({"Type": "String", "Default": "x"}, False),
    ({"Type": "String", "AllowedValues": ["a"]}, False),
    ({"Type": "String", "AllowedValues": []}, True),
    ({"Type": "String", "AllowedValues": "a"}, True),
    ({"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/x"}, True),
    ({}, True),
])
def test_only_unlisted(definition, only):
    resolver = Resolver({"Resources": {}, "Parameters": {"P": definition}})
    assert resolver.only_unlisted("P") is only


def test_a_literal_chosen_for_an_unlisted_parameter_is_named_its_atom_is_not():
    resolver = Resolver({"Resources": {}, "Parameters": {"P": {"Type": "String"}}})
    assert resolver.settled("P", Parameter("P")) is True
    assert resolver.settled("P", "false") is False


TEMPLATE = """\
Parameters:
  Validate: {Type: String}
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      IsLogging: true
      EnableLogFileValidation: !Ref Validate
"""


def test_the_value_chosen_for_a_parameter_without_default_is_named_in_the_finding():
    result = trail.analyse(load_text(TEMPLATE, "t.yaml").data, trail.Options())
    [finding] = [f for f in result.findings if f.rule == "WT2004"]
    assert finding.message.endswith("[when Validate='false']")
    assert finding.scenario_dict() == {"Validate": "false"}


# --- traces of what a step consulted -------------------------------------------------------------

def test_a_nested_trace_is_seen_by_the_enclosing_ones_unless_isolated():
    resolver = Resolver({"Resources": {}})
    with resolver.traced() as outer:
        with resolver.traced() as inner:
            resolver.consult({"A"})
        with resolver.traced(isolated=True) as alone:
            resolver.consult({"B"})
            assert resolver.open_traces() == {"B"}
        assert resolver.open_traces() == {"A"}
    assert (outer, inner, alone) == ({"A"}, {"A"}, {"B"})
    assert resolver.open_traces() == set()


def test_resolving_a_condition_records_it_and_its_parameter_in_every_open_trace():
    resolver = Resolver({"Resources": {}, "Parameters": CHOICES, "Conditions": IFS})
    with resolver.traced() as outer:
        with resolver.traced() as inner:
            resolver.resolve({"Fn::If": ["C0", "yes", "no"]}, EMPTY)
    assert {"C0", "P0"} <= inner
    assert outer == inner
