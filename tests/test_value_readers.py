"""values: reading resolved values as booleans, integers and words (model, choices), rendering
them, and the scenarios that choosing an unlisted parameter's value creates.

Written against the survivors of the mutation run (docs/testing.md)."""

from __future__ import annotations

import pytest

from cfn_trailwatch.values import (EMPTY, Import, NoValue, Parameter, Pseudo, ResourceRef,
                                   Scenario, Text, render, scalar_bool, scalar_int, scalar_text)
from cfn_trailwatch.values import choices


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("true", True), ("false", False), (" TRUE ", True),
    ("False", False), ("yes", None), ("", None), (1, None), (None, None), (NoValue, None),
    (Parameter("P"), None),
])
def test_scalar_bool(value, expected):
    assert scalar_bool(value) is expected


@pytest.mark.parametrize("value, expected", [
    (7, 7), (7.0, 7), ("7", 7), (" 42 ", 42), (True, None), (7.5, None), ("7.5", None),
    ("seven", None), ("", None), (None, None), ([7], None), (Parameter("Days"), None),
    (NoValue, None),
])
def test_scalar_int(value, expected):
    assert scalar_int(value) == expected


@pytest.mark.parametrize("value, expected", [
    (True, "true"), (False, "false"), ("x", "x"), (None, ""), (3, "3"), (2.5, "2.5"),
])
def test_scalar_text(value, expected):
    assert scalar_text(value) == expected


def test_render_of_maps_lists_atoms_and_empty_text():
    assert render({"a": 1, "b": [Parameter("P"), "x"], "c": {}}) == (
        "{a: 1, b: [parameter P (no value given), x], c: {}}")
    assert render([]) == "[]"
    assert render("") == "''"
    assert render(Text(("arn:", Pseudo("AWS::Partition"), ":x"))) == "arn:${AWS::Partition}:x"
    assert render(ResourceRef("G")) == "!Ref G"


def test_unlisted_is_the_parameter_atom_only():
    assert choices.unlisted(Parameter("P")) == Parameter("P")
    for value in ("P", Import("P"), NoValue, None, ResourceRef("P")):
        assert choices.unlisted(value) is None


def test_bind_fixes_the_parameter_in_the_scenario():
    s = choices.bind(EMPTY, Parameter("P"), "true")
    assert s == Scenario(parameters={"P": "true"})
    assert EMPTY == Scenario()  # not changed in place


def test_boolean_follows_both_values_of_an_unlisted_parameter():
    assert choices.boolean(Parameter("IsOrg"), EMPTY) == [
        (Scenario(parameters={"IsOrg": "true"}), True),
        (Scenario(parameters={"IsOrg": "false"}), False)]
    assert choices.boolean("TRUE", EMPTY) == [(EMPTY, True)]
    assert choices.boolean(NoValue, EMPTY) == [(EMPTY, None)]
    assert choices.boolean(Import("x"), EMPTY) == [(EMPTY, None)]


def test_word_follows_each_accepted_word_of_an_unlisted_parameter():
    accepted = ("All", "ReadOnly", "WriteOnly")
    assert choices.word(Parameter("Kind"), EMPTY, accepted) == [
        (Scenario(parameters={"Kind": word}), word) for word in accepted]
    assert choices.word("ReadOnly", EMPTY, accepted) == [(EMPTY, "ReadOnly")]
    assert choices.word(5, EMPTY, accepted) == [(EMPTY, "5")]
    for unknown in (Import("x"), {"a": 1}, ["All"], NoValue):
        assert choices.word(unknown, EMPTY, accepted) == [(EMPTY, None)], unknown


# --- scenarios ---------------------------------------------------------------------------------

def test_scenarios_are_equal_by_their_assumptions_only():
    assert Scenario({"A": True}) == Scenario({"A": True})
    assert Scenario({"A": True}) != Scenario({"A": False})
    assert Scenario({"A": False}) != Scenario({"A": True})
    assert Scenario({"A": True}) != Scenario({"B": True})
    assert Scenario(parameters={"P": "a"}) != Scenario(parameters={"P": "b"})
    assert Scenario(parameters={"P": "b"}) != Scenario(parameters={"P": "a"})
    assert Scenario(parameters={"P": Parameter("P")}) != Scenario(parameters={"P": "P"})
    assert Scenario() != "always" and Scenario() != None  # noqa: E711
    assert hash(Scenario({"A": True}, {"P": "a"})) == hash(Scenario({"A": True}, {"P": "a"}))


def test_restricted_keeps_only_the_named_assumptions():
    s = Scenario({"A": True, "B": False}, {"P": "x", "Q": Parameter("Q")})
    assert s.restricted({"A", "B", "P", "Q"}) is s
    assert s.restricted({"A", "P", "Q"}) == Scenario({"A": True}, {"P": "x", "Q": Parameter("Q")})
    assert s.restricted({"A", "B", "P"}) == Scenario({"A": True, "B": False}, {"P": "x"})
    assert s.restricted({"A", "B"}) == Scenario({"A": True, "B": False})
    assert s.restricted(set()) == EMPTY


def test_restricted_drops_what_is_settled():
    s = Scenario({"A": True, "B": False}, {"P": "x", "Q": Parameter("Q")})
    settled = {("A", True), ("Q", Parameter("Q"))}
    kept = s.restricted({"A", "B", "P", "Q"}, lambda name, value: (name, value) in settled)
    assert kept == Scenario({"B": False}, {"P": "x"})
    assert s.restricted({"A", "B", "P", "Q"}, lambda name, value: False) is s


def test_label_and_describe():
    s = Scenario({"IsProd": False}, {"Env": "dev", "Other": Parameter("Other"), "N": 5})
    assert s.label() == ("IsProd=false, Env='dev', N=5, Other=a value not listed in the "
                         "template")
    assert s.describe() == {"IsProd": False, "Env": "dev", "N": "5", "Other": None}
    assert repr(EMPTY) == "Scenario(always)"
