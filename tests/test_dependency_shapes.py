"""values.depends: shapes that look like references but are not, and references inside shapes
that are not the usual ones.

Written against the survivors of the mutation run (docs/testing.md)."""

from __future__ import annotations

from cfn_trailwatch.values.depends import Cycles, dependencies


def test_a_map_with_more_than_one_key_is_no_intrinsic_function():
    resources = {"A": {"Properties": {"t": {"Ref": "B", "Other": 1},
                                      "g": {"Fn::GetAtt": "C.Arn", "Extra": {"Ref": "D"}}}},
                 "B": {"DependsOn": "A"}, "C": {}, "D": {}}
    # Only the Ref inside the second map's values is one; "B" and "C.Arn" are plain text.
    assert dependencies(resources)["A"] == {"D"}
    assert Cycles(resources).reached_from("A") is None


def test_a_getatt_whose_name_is_not_text_is_walked_as_a_value():
    resources = {"A": {"Properties": {"g": {"Fn::GetAtt": [{"Ref": "B"}, "Arn"]},
                                      "h": {"Fn::GetAtt": ["C", {"Ref": "D"}]}}},
                 "B": {}, "C": {}, "D": {}}
    assert dependencies(resources)["A"] == {"B", "C", "D"}


def test_a_cycle_through_the_list_form_of_getatt():
    resources = {"A": {"Properties": {"r": {"Fn::GetAtt": ["B", "Arn"]}}},
                 "B": {"Properties": {"r": {"Ref": "A"}}}}
    cycles = Cycles(resources)
    assert cycles.reached_from("A") == ("A", "B", "A")
    assert cycles.reached_from("B") == ("A", "B", "A")
