"""linter/patterns.py: the JSON filter pattern grammar, normal form, diff and never-matches."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from cfn_trailwatch import patterns as P
from cfn_trailwatch.monitoring_controls import controls

CIS_UNAUTHORIZED = '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'


# ------------------------------------------------------------------------------- the grammar

@pytest.mark.parametrize("text", [
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
    '{ $.ThisFlag is false }',
    '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }',
    '{ $.coordinates[0][1] = nonmatch }',
    '{ $.latency >= 500 }', '{ $.numbers[0] < 10e3 }', '{ $.numbers[0] < 10e-3 }',
    '{ $.processes[4].averageRuntime <= 55.5 }', '{ $.latency > +1000 }',
    '{ $.message = %bind: address% }',
    '{ $.a-b_c = "x \\" y" }',
])
def test_documented_forms_parse(text):
    pattern = P.parse(text)
    assert P.normal(P.parse(P.render(pattern))) == P.normal(pattern)


def test_precedence_and_binds_tighter_than_or():
    node = P.parse("{ $.a = 1 || $.b = 2 && $.c = 3 }").root
    assert isinstance(node, P.Or)
    assert isinstance(node.operands[1], P.And)
    grouped = P.parse("{ ($.a = 1 || $.b = 2) && $.c = 3 }").root
    assert isinstance(grouped, P.And)


def test_values_quoted_or_not_are_the_same_string_and_numbers_are_canonical():
    assert P.equivalent('{ $.eventName = DisableKey }', '{ $.eventName = "DisableKey" }')
    assert P.equivalent('{ $.code = 400 }', '{ $.code = 400.0 }')
    assert P.equivalent('{ $.code = 400 }', '{ $.code = 4e2 }')
    assert not P.equivalent('{ $.code = 400 }', '{ $.code = "400" }')
    assert not P.equivalent('{ $.a = "x" }', '{ $.a = "X" }')  # case sensitive


@pytest.mark.parametrize("text, column, words", [
    ("{ $.a = }", 9, "expected a value"),
    ("{ ($.a = 1 }", 12, "expected ')'"),
    ("{ $.a = 1 } x", 13, "after the closing"),
    ("{ $. = 1}", 5, "property name"),
    ('{ $.a = "x }', 9, "not closed"),
    ("{ $.a < abc }", 9, "compares numbers"),
    ("{ $.a = 1 & $.b = 2 }", 11, "'&&'"),
    ("{ $.a == 1 }", 7, "'=='"),
    ("{ $.a = 1 ", 11, "not closed with '}'"),
    ("{ }", 3, "empty"),
    ("{ () }", 4, "empty parentheses"),
    ("{ $.a IS MAYBE }", 10, "NULL or TRUE or FALSE"),
    ("{ $.a NOT THERE }", 11, "EXISTS"),
    ("{ $.a }", 7, "expected an operator"),
    ('{ "a" }', 3, 'the string "a"'),
    ("{\n  $.a = 1 &&\n  }", 3, "expected a condition"),
])
def test_syntax_errors_are_located(text, column, words):
    with pytest.raises(P.PatternError) as caught:
        P.parse(text)
    err = caught.value
    assert not isinstance(err, P.NotJsonPattern)
    assert err.column == column, str(err)
    assert words in err.message
    assert err.pointer().splitlines()[-1].index("^") == column - 1


def test_error_line_counts_newlines():
    with pytest.raises(P.PatternError) as caught:
        P.parse("{\n  $.a = 1 &&\n  }")
    assert caught.value.line == 3


@pytest.mark.parametrize("text", ["ERROR", '"Failed to process"', "[ip, user, status=4*]",
                                  "%AUTHORIZED%", "", "   ", "?ERROR ?WARN"])
def test_other_kinds_of_pattern_are_not_json(text):
    assert not P.is_json_pattern(text)
    with pytest.raises(P.NotJsonPattern) as caught:
        P.parse(text)
    assert "not a JSON filter pattern" in str(caught.value)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(P.PatternError):
        P.parse("{" + "(" * 500 + "$.a = 1" + ")" * 500 + "}")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet='{}()$.[]0123456789ab="*&|!<> %\n\\', max_size=40))
def test_any_text_gives_a_pattern_or_a_pattern_error(text):
    try:
        pattern = P.parse(text)
    except P.PatternError as err:
        assert 1 <= err.column and 1 <= err.line
    else:
        assert P.normal(P.parse(P.render(pattern))) == P.normal(pattern)


# ------------------------------------------------------------------- normalisation properties

_selectors = st.sampled_from(["$.eventName", "$.errorCode", "$.a.b[0]", "$.userIdentity.type"])
_plain = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)


@st.composite
def _atom(draw):
    selector = draw(_selectors)
    kind = draw(st.sampled_from(["cmp", "num", "test"]))
    if kind == "test":
        return f"{selector} {draw(st.sampled_from(['IS NULL', 'NOT EXISTS', 'IS TRUE']))}"
    if kind == "num":
        return f"{selector} {draw(st.sampled_from(['<', '>=', '=']))} {draw(st.integers(0, 99))}"
    value = draw(_plain)
    wild = draw(st.sampled_from(["", "*"]))
    return f"{selector} {draw(st.sampled_from(['=', '!=']))} {wild}{value}"


@st.composite
def _tree(draw, depth=0):
    if depth >= 2 or draw(st.booleans()):
        return ("atom", draw(_atom()))
    op = draw(st.sampled_from(["&&", "||"]))
    return (op, draw(st.lists(_tree(depth + 1), min_size=2, max_size=4)))


def _write(tree, rnd: random.Random, shuffle=False, parens=False, quote=False, spaces=False):
    kind, body = tree
    gap = (lambda: " " * rnd.randint(0, 3) + ("\n" if rnd.random() < 0.2 else "")) if spaces \
        else (lambda: " ")
    if kind == "atom":
        text = body
        if quote and " = " in text or quote and " != " in text:
            selector, op, value = text.split(" ", 2)
            if not value.lstrip("-").isdigit():
                text = f'{selector} {op} "{value}"'
        if spaces:  # a selector needs white space before a keyword; "=" needs none
            text = text.replace(" ", " " * rnd.randint(1, 3), 1)
        return f"({text})" if parens else text
    parts = [_write(t, rnd, shuffle, parens, quote, spaces) for t in body]
    if shuffle:
        rnd.shuffle(parts)
    joined = f"{gap()}{kind}{gap()}".join(f"({p})" for p in parts)
    return f"({joined})" if parens else joined


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_tree(), st.integers(0, 2 ** 16))
def test_reordering_parentheses_spacing_and_quoting_never_change_the_normal_form(tree, seed):
    base = P.normal(P.parse("{ " + _write(tree, random.Random(seed)) + " }"))
    for flags in ({"shuffle": True}, {"parens": True}, {"quote": True}, {"spaces": True},
                  {"shuffle": True, "parens": True, "quote": True, "spaces": True}):
        text = "{" + _write(tree, random.Random(seed), **flags) + "}"
        assert P.normal(P.parse(text)) == base, text


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_tree(), st.integers(0, 2 ** 16))
def test_render_parses_back_to_the_same_normal_form(tree, seed):
    pattern = P.parse("{ " + _write(tree, random.Random(seed), spaces=True) + " }")
    rendered = P.render(pattern)
    assert P.normal(P.parse(rendered)) == P.normal(pattern)
    assert P.render(P.parse(rendered)) == rendered
    assert P.diff(pattern, P.parse(rendered)) == []


# ------------------------------------------------------------------------------------ diff

def test_diff_operator():
    got = P.diff('{ ($.additionalEventData.MFAUsed = "No") && ($.eventName = "ConsoleLogin") }',
                 '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }')
    assert got == ['($.additionalEventData.MFAUsed = "No") where '
                   '($.additionalEventData.MFAUsed != "Yes") is required '
                   "(the operator differs: '=' for '!=')"]


def test_diff_missing_and_extra_terms():
    got = P.diff('{ ($.errorCode = "*UnauthorizedOperation") }', CIS_UNAUTHORIZED)
    assert got == ['missing ($.errorCode = "AccessDenied*")']
    got = P.diff('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")'
                 ' || ($.eventName = "Foo") }', CIS_UNAUTHORIZED)
    assert got == ['extra ($.eventName = "Foo") (not in the required pattern)']


def test_diff_and_where_or_is_required():
    got = P.diff('{($.errorCode="*UnauthorizedOperation") && ($.errorCode="AccessDenied*")}',
                 CIS_UNAUTHORIZED)
    assert got == ["terms are joined with '&&' where '||' is required"]


def test_diff_wildcard_missing():
    got = P.diff("{($.errorCode=AccessDenied)||($.errorCode=UnauthorizedOperation)}",
                 CIS_UNAUTHORIZED)
    assert len(got) == 2
    assert all("the wildcard '*' differs" in line for line in got)
    assert any('($.errorCode = "AccessDenied") where ($.errorCode = "AccessDenied*")' in line
               for line in got)


def test_diff_inside_a_nested_group():
    got = P.diff("{ ($.eventSource=kms.amazonaws.com) && ($.eventName=DisableKey) }",
                 "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || "
                 "($.eventName=ScheduleKeyDeletion))}")
    assert got == ['within (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion"))'
                   ': missing ($.eventName = "ScheduleKeyDeletion")']


def test_diff_precedence_narrowing():
    got = P.diff('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") '
                 '&& ($.eventName != "GetKeyRotationStatus") && ($.eventName != "GetBucketAcl")}',
                 CIS_UNAUTHORIZED)
    assert len(got) == 1 and "binds tighter" in got[0] and "AccessDenied*" in got[0]


# ----------------------------------------------------------------------------- never-matches

def test_never_matches_two_literals():
    reason = P.never_matches(P.parse('{ ($.errorCode = "A") && ($.errorCode = B) }'))
    assert reason and reason.startswith("never matches")


def test_wildcard_overlap_is_reported_but_not_proven():
    pattern = P.parse('{($.errorCode="*UnauthorizedOperation") && ($.errorCode="AccessDenied*")}')
    reason = P.never_matches(pattern)
    assert reason and "not prove" in reason and "AccessDeniedUnauthorizedOperation" in reason
    [conflict] = P.contradictions(pattern)
    assert not conflict.proven


@pytest.mark.parametrize("text", [
    '{ $.a = "Get*" && $.a = "Put*" }',
    '{ $.a = "*Policy" && $.a = "*Role" }',
    '{ $.a = "x" && $.a NOT EXISTS }',
    '{ $.a = "Get*" && $.a != "G*" }',
    '{ $.a > 5 && $.a < 3 }',
    '{ $.a = 5 && $.a = 6 }',
    '{ $.a IS TRUE && $.a IS FALSE }',
    '{ ($.a = 1 && $.a = 2) || ($.b = "x" && $.b = "y") }',
])
def test_proven_never(text):
    reason = P.never_matches(P.parse(text))
    assert reason and reason.startswith("never matches"), reason
    assert all(c.proven for c in P.contradictions(P.parse(text)))


@pytest.mark.parametrize("text", [
    CIS_UNAUTHORIZED,
    '{ $.a = "Get*" && $.a = "GetBucket*" }',
    '{ $.a = "Get*" && $.a != "GetBucketAcl" }',
    '{ $.a > 3 && $.a < 5 }',
    '{ ($.a = 1 && $.a = 2) || $.b = "x" }',
    '{ $.a = %x% && $.a = "y" }',
    '{ $.a = "x" && $.b = "y" }',
])
def test_can_match(text):
    assert P.never_matches(P.parse(text)) is None


# --------------------------------------------------------------------- every accepted variant

@pytest.mark.parametrize("variant", [v for c in controls() for v in c.variants],
                         ids=lambda v: v.text[:40])
def test_every_accepted_variant_parses_and_survives_rendering(variant):
    pattern = P.parse(variant.text)
    assert P.equivalent(pattern, P.render(pattern))
    assert P.never_matches(pattern) is None
