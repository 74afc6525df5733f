"""The JSON report's own writer (``report.json.dumps``) against the standard library's
``json.dumps(value, indent=2, ensure_ascii=False, default=str)``: the same text, byte for byte,
on generated values and on the corner cases the standard library spells its own way."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from cfn_trailwatch.report.json import dumps


def reference(value):
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class Word(str):
    def __str__(self) -> str:   # a str subclass is written as the string it holds
        return "not this"


class Count(int):
    def __repr__(self) -> str:   # an int subclass is written as its int value
        return "not this"


class Thing:
    def __str__(self) -> str:
        return 'a "thing"\n'


leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
          | st.text() | st.sampled_from([Word("w"), Count(7), Thing(), Decimal("1.50")]))
keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                      | st.lists(inner, max_size=3).map(tuple)
                      | st.dictionaries(keys, inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value):
    assert dumps(value) == reference(value)


@pytest.mark.parametrize("value", [
    {}, [], (), "", {"a": {}, "b": [], "c": [[]], "d": [{}]},
    [math.nan, math.inf, -math.inf, -0.0, 1e300, 0.1],
    {1.5: 1, True: 2, False: 3, None: 4, 7: 5, math.inf: 6},
    {"é\u2028\x00\"\\/": "ünïcode \ud83d\ude00 \x7f"},
    [[[["deep"]]], {"x": [{"y": ({"z": None},)}]}],
])
def test_corner_cases(value):
    assert dumps(value) == reference(value)


def test_key_of_another_type_is_refused_alike():
    with pytest.raises(TypeError) as ours:
        dumps({(1, 2): "tuple key"})
    with pytest.raises(TypeError) as theirs:
        reference({(1, 2): "tuple key"})
    assert str(ours.value) == str(theirs.value)
