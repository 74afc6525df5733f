"""values.depends: the resources each resource names, and the reference cycles among them."""

from __future__ import annotations

import pytest

from cfn_trailwatch.values.depends import Cycles, dependencies


def test_every_way_of_naming_a_resource_is_a_dependency():
    resources = {
        "A": {"Properties": {"x": {"Ref": "B"}, "y": [{"Fn::GetAtt": ["C", "Arn"]}],
                             "z": {"Fn::GetAtt": "D.Arn"},
                             "s": {"Fn::Sub": "${E}-${F.Arn}-${!G}-${AWS::Region}-${P}"},
                             "l": {"Fn::Sub": ["${H}-${Local}", {"Local": {"Ref": "I"}}]},
                             "i": {"Fn::If": ["Cond", {"Ref": "J"}, {"Ref": "AWS::NoValue"}]}},
              "DependsOn": ["K"]},
        "B": {"DependsOn": "A"}, "C": {}, "D": {}, "E": {}, "F": {}, "G": {}, "H": {}, "I": {},
        "J": {}, "K": {}, "Local": {},
    }
    graph = dependencies(resources)
    # ${!G} is a literal; Local is the Sub's own variable, not the resource; P is no resource
    assert graph["A"] == {"B", "C", "D", "E", "F", "H", "I", "J", "K"}
    assert graph["B"] == {"A"}


def test_odd_shapes_are_not_dependencies_and_do_not_raise():
    resources = {"A": {"Properties": {"r": {"Ref": ["B"]}, "g": {"Fn::GetAtt": []},
                                      "s": {"Fn::Sub": 5}, "t": {"Fn::Sub": ["${B}", 5]},
                                      "n": None}, "DependsOn": 5},
                 "B": "not a resource", "C": None}
    assert dependencies(resources) == {"A": {"B"}, "B": set(), "C": set()}


def test_deep_nesting_does_not_recurse():
    deep: dict = {"Ref": "B"}
    for _ in range(50_000):
        deep = {"k": [deep]}
    assert dependencies({"A": {"Properties": deep}, "B": {}})["A"] == {"B"}


@pytest.mark.parametrize("resources, expected", [
    ({"T": {"DependsOn": "T"}}, {"T": ("T", "T")}),
    ({"T": {"Properties": {"g": {"Fn::GetAtt": "G.Arn"}}},
      "G": {"Properties": {"n": {"Fn::Sub": "${R}"}}},
      "R": {"Properties": {"n": {"Ref": "G"}}},
      "X": {"Properties": {"n": {"Ref": "T"}}},
      "Y": {}},
     {"T": ("G", "R", "G"), "G": ("G", "R", "G"), "R": ("G", "R", "G"), "X": ("G", "R", "G"),
      "Y": None}),
    ({"A": {"DependsOn": ["B"]}, "B": {"DependsOn": ["C"]}, "C": {"DependsOn": ["A"]},
      "D": {"DependsOn": ["A", "E"]}, "E": {}},
     {"A": ("A", "B", "C", "A"), "B": ("A", "B", "C", "A"), "C": ("A", "B", "C", "A"),
      "D": ("A", "B", "C", "A"), "E": None}),
    ({"A": {"DependsOn": ["B", "C"]}, "B": {"DependsOn": "C"}, "C": {}}, {"A": None, "B": None,
                                                                       "C": None}),
])
def test_cycles_and_what_depends_on_them(resources, expected):
    cycles = Cycles(resources)
    assert {name: cycles.reached_from(name) for name in resources} == expected


def test_a_long_chain_is_walked_without_recursion():
    resources = {f"R{i}": {"DependsOn": f"R{i + 1}"} for i in range(20_000)}
    resources["R20000"] = {"DependsOn": "R19999"}
    cycles = Cycles(resources)
    assert cycles.reached_from("R0") == ("R19999", "R20000", "R19999")
    assert Cycles({k: v for k, v in resources.items() if k != "R20000"}).reached_from("R0") is None
