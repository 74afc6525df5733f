"""ARN parsing and three-valued matching (cfn_trailwatch.arn)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from cfn_trailwatch.arn import (MEMBER_ACCOUNT, ORGANIZATION_ID, Arn, Shaped, shape, LogGroupArn, Match, RoleArn, and_, equals3,
                                iam_resource_type, log_group_arn_fields, log_stream_arns,
                                log_stream_name, match_action, match_action3, match_pattern,
                                not_, or_, parse_arn, role_arn_fields)
from cfn_trailwatch.values.model import (Import, NoValue, Parameter, Pseudo, ResourceAttr,
                                         ResourceRef, Text, Unknown, concat)

YES, NO, MAYBE = Match.YES, Match.NO, Match.MAYBE
ACCOUNT = Pseudo("AWS::AccountId")
REGION = Pseudo("AWS::Region")
PARTITION = Pseudo("AWS::Partition")
STACK = Pseudo("AWS::StackName")

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs"
STREAM = GROUP + ":log-stream:123456789012_CloudTrail_us-east-1"


# ---------------------------------------------------------------- three-valued logic

def test_kleene_truth_tables():
    values = [NO, MAYBE, YES]
    for a, b in itertools.product(values, values):
        assert and_(a, b) is Match(min(a.value, b.value))
        assert or_(a, b) is Match(max(a.value, b.value))
    assert and_(YES, MAYBE) is MAYBE and and_(NO, MAYBE) is NO
    assert or_(NO, MAYBE) is MAYBE and or_(YES, MAYBE) is YES
    assert [not_(m) for m in values] == [YES, MAYBE, NO]


def test_and_or_accept_iterables_and_have_identities():
    assert and_() is YES and or_() is NO
    assert and_([YES, YES]) is YES and and_(m for m in [YES, NO]) is NO
    assert or_([NO, MAYBE]) is MAYBE and or_(iter([NO, NO])) is NO


def test_match_has_no_truth_value():
    with pytest.raises(TypeError):
        bool(Match.NO)
    assert Match.of(True) is YES and Match.of(False) is NO


# ---------------------------------------------------------------- literal wildcard matching

@pytest.mark.parametrize("pattern", [
    GROUP + ":*",
    GROUP + ":log-stream:*",
    GROUP + ":log-stream:123456789012_CloudTrail_us-east-1*",   # the documented prefix form
    GROUP + ":log-stream:123456789012_CloudTrail_us-east-1",
    "*",
    "arn:aws:logs:*:*:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:trail-*:log-stream:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:trail-log?:*",
    "arn:aws:logs:us-east-?:*",
])
def test_patterns_that_cover_the_trail_stream(pattern):
    assert match_pattern(pattern, STREAM) is YES


@pytest.mark.parametrize("pattern", [
    GROUP,                                                       # the group alone: no streams
    "arn:aws:logs:us-east-1:123456789012:log-group:other-logs:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs-archive:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
    "arn:aws:logs:us-east-1:123456789012:log-group:Trail-Logs:*",  # ARNs are case-sensitive
    "arn:aws:logs:us-west-2:123456789012:log-group:trail-logs:*",
    "arn:aws:logs:us-east-1:210987654321:log-group:trail-logs:*",
    "arn:aws-us-gov:logs:us-east-1:123456789012:log-group:trail-logs:*",
    GROUP + ":log-stream:210987654321_CloudTrail_us-east-1*",
    GROUP + ":log-stream:123456789012_CloudTrail_us-east-??",    # ? is exactly one character
    "arn:aws:s3:::*",
    "",
])
def test_patterns_that_do_not_cover_the_trail_stream(pattern):
    assert match_pattern(pattern, STREAM) is NO


def test_question_mark_is_exactly_one_character():
    assert match_pattern("a?c", "abc") is YES
    assert match_pattern("a?c", "ac") is NO
    assert match_pattern("a?c", "abbc") is NO
    assert match_pattern("a*c", "ac") is YES


def test_long_pattern_full_of_stars_is_polynomial():
    # Exponential backtracking would not finish here (this once hung CI); the answers are
    # checked, the speed is the benchmarks' business (no timed assertion).
    pattern = "*a" * 400 + "*b"
    target = "a" * 800
    assert match_pattern(pattern, target) is NO
    assert match_pattern(pattern, target + "b") is YES
    # the same through the token-level program (atoms force it), still quick
    assert match_pattern(concat([pattern[:400], Parameter("P")]), target[:300]) is MAYBE
    assert match_pattern(concat(["*a" * 150, "*b"]), concat(["a" * 300, ACCOUNT])) is NO
    assert match_pattern(concat(["*a" * 150, ACCOUNT]), concat(["a" * 300, ACCOUNT])) is YES


# ---------------------------------------------------------------- atoms

def _stream_text(group_atom):
    return concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", group_atom,
                   ":log-stream:", ACCOUNT, "_CloudTrail_us-east-1"])


def test_same_resource_ref_matches_and_another_does_not():
    target = _stream_text(ResourceRef("TrailLogs"))
    same = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", ResourceRef("TrailLogs"), ":*"])
    other = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", ResourceRef("Other"), ":*"])
    bare = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", ResourceRef("TrailLogs")])
    assert match_pattern(same, target) is YES
    assert match_pattern(other, target) is NO
    assert match_pattern(bare, target) is NO  # the group ARN alone never covers a stream


def test_atom_against_atom():
    assert match_pattern(ResourceRef("A"), ResourceRef("A")) is YES
    assert match_pattern(ResourceRef("A"), ResourceRef("B")) is NO
    assert match_pattern(ResourceAttr("A", "Arn"), ResourceAttr("B", "Arn")) is NO
    assert match_pattern(ResourceRef("A"), ResourceAttr("B", "Arn")) is NO
    # same resource, different attributes: their texts are not provably different
    assert match_pattern(ResourceRef("A"), ResourceAttr("A", "Arn")) is MAYBE
    # non-identifier attributes of two resources may coincide (two VPCs, one CIDR)
    assert match_pattern(ResourceAttr("A", "CidrBlock"), ResourceAttr("B", "CidrBlock")) is MAYBE
    assert match_pattern(ACCOUNT, ACCOUNT) is YES
    assert match_pattern(ACCOUNT, REGION) is NO
    assert match_pattern(PARTITION, REGION) is NO
    assert match_pattern(STACK, REGION) is MAYBE      # a stack may be named "us-east-1"
    assert match_pattern(STACK, ACCOUNT) is NO        # stack names start with a letter
    assert match_pattern(ACCOUNT, ResourceRef("A")) is MAYBE
    assert match_pattern(Parameter("P"), Parameter("P")) is YES
    assert match_pattern(Parameter("P"), Parameter("Q")) is MAYBE
    assert match_pattern(Import("X"), ResourceRef("A")) is MAYBE
    assert match_pattern(Unknown("why"), "abc") is MAYBE


def test_literal_against_atom():
    assert match_pattern("123456789012", ACCOUNT) is MAYBE
    assert match_pattern(ACCOUNT, "123456789012") is MAYBE
    assert match_pattern(ACCOUNT, "12345678901a") is NO      # an account ID is only digits
    assert match_pattern("?", ACCOUNT) is MAYBE
    assert match_pattern("*", ACCOUNT) is YES                # * absorbs any atom
    assert match_pattern("*", concat(["x", Parameter("P"), "y"])) is YES
    assert match_pattern("x*y", concat(["x", Parameter("P"), "y"])) is YES
    assert match_pattern("x*z", concat(["x", Parameter("P"), "y"])) is NO
    assert match_pattern("abc", Parameter("P")) is MAYBE
    assert match_pattern(Parameter("P"), "anything") is MAYBE  # a parameter may hold "*"


def test_literal_account_against_symbolic_account_is_maybe():
    target = _stream_text("trail-logs")
    assert match_pattern(GROUP + ":*", target) is MAYBE
    pattern = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:trail-logs:*"])
    assert match_pattern(pattern, target) is YES
    assert match_pattern(pattern, STREAM) is MAYBE


def test_prefix_form_with_symbolic_account():
    target = _stream_text(ResourceRef("TrailLogs"))
    prefix = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", ResourceRef("TrailLogs"),
                     ":log-stream:", ACCOUNT, "_CloudTrail_us-east-1*"])
    wrong_region = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:",
                           ResourceRef("TrailLogs"), ":log-stream:", ACCOUNT, "_CloudTrail_eu-*"])
    assert match_pattern(prefix, target) is YES
    assert match_pattern(wrong_region, target) is NO


def test_getatt_arn_without_expansion_is_maybe_for_its_group_only():
    target = _stream_text(ResourceRef("TrailLogs"))
    assert match_pattern(ResourceAttr("TrailLogs", "Arn"), target) is MAYBE
    assert match_pattern(ResourceAttr("Other", "Arn"), target) is NO


def test_stack_name_prefix_may_match_a_generated_name():
    # a generated log group name starts with the stack name: must not be ruled out
    pattern = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", STACK, "-*"])
    assert match_pattern(pattern, _stream_text(ResourceRef("TrailLogs"))) is MAYBE


def test_non_text_values_are_undecidable_not_errors():
    assert match_pattern(None, "x") is MAYBE
    assert match_pattern(["*"], "x") is MAYBE
    assert match_pattern({"a": 1}, ACCOUNT) is MAYBE
    assert match_pattern(12, "12") is YES


# ---------------------------------------------------------------- brute-force soundness

def _glob(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


_DOMAINS = {
    # definite atoms: no wildcards, non-empty; two resources never contain each other
    ResourceRef("R1"): ["a", "a:a"],
    ResourceRef("R2"): ["b", "b:"],
    ResourceAttr("R1", "Arn"): ["a:a:", "1a"],
    ACCOUNT: ["1", "11"],
    # open atoms: anything, wildcards and the empty string included
    Parameter("P"): ["", "a", "*", "1:", "?b"],
    Parameter("Q"): ["", "b", "a*"],
}


def _concretize(value, binding):
    parts = value.parts if isinstance(value, Text) else (value,)
    return "".join(p if isinstance(p, str) else binding[p] for p in parts)


def _random_value(rng, alphabet):
    atoms = list(_DOMAINS)
    parts = []
    for _ in range(rng.randint(0, 5)):
        parts.append(rng.choice(atoms) if rng.random() < 0.3 else rng.choice(alphabet))
    return concat(parts)


def test_matcher_is_sound_against_every_concrete_substitution():
    rng = random.Random(20261126)
    checked_exact = 0
    for _ in range(4000):
        pattern = _random_value(rng, "ab:1*?")
        target = _random_value(rng, "ab:1*")
        verdict = match_pattern(pattern, target)
        atoms = sorted({a for v in (pattern, target) for a in
                        (v.parts if isinstance(v, Text) else (v,)) if not isinstance(a, str)},
                       key=repr)
        outcomes = set()
        for choice in itertools.product(*(_DOMAINS[a] for a in atoms)):
            binding = dict(zip(atoms, choice))
            outcomes.add(_glob(_concretize(pattern, binding), _concretize(target, binding)))
        if verdict is YES:
            assert outcomes == {True}, (pattern, target)
        elif verdict is NO:
            assert outcomes == {False}, (pattern, target)
        if not atoms:
            checked_exact += 1
            assert verdict is Match.of(outcomes == {True}), (pattern, target)
    assert checked_exact > 100


def test_equals3_has_no_wildcards():
    assert equals3("a*", "abc") is NO
    assert equals3("a*", "a*") is YES
    assert equals3("ABC", "abc") is NO
    assert equals3("ABC", "abc", ignore_case=True) is YES
    assert equals3(ACCOUNT, "123456789012") is MAYBE
    assert equals3(ACCOUNT, ACCOUNT) is YES


# ---------------------------------------------------------------- actions

@pytest.mark.parametrize("pattern, action, expected", [
    ("logs:PutLogEvents", "logs:PutLogEvents", True),
    ("LOGS:putlogevents", "logs:PutLogEvents", True),
    ("logs:PutLogEvents", "LOGS:PUTLOGEVENTS", True),
    ("logs:*", "logs:CreateLogStream", True),
    ("*", "logs:CreateLogStream", True),
    ("logs:Put*", "logs:PutLogEvents", True),
    ("logs:Put*", "logs:CreateLogStream", False),
    ("logs:PutLogEvent?", "logs:PutLogEvents", True),
    ("logs:PutLogEvent?", "logs:PutLogEvent", False),
    ("logs:Create*Stream", "logs:CreateLogStream", True),
    ("s3:*", "logs:PutLogEvents", False),
    ("logs", "logs:PutLogEvents", False),
    ("log*", "logs:PutLogEvents", True),
    ("logs:PutLogEvents", "logs:PutLogEventsBatch", False),
])
def test_match_action(pattern, action, expected):
    assert match_action(pattern, action) is expected
    assert match_action3(pattern, action) is Match.of(expected)


def test_action_pattern_atoms_are_maybe():
    assert match_action3(Parameter("Actions"), "logs:PutLogEvents") is MAYBE
    assert match_action3(concat(["logs:", Parameter("A")]), "logs:PutLogEvents") is MAYBE
    assert match_action3(concat(["s3:", Parameter("A")]), "logs:PutLogEvents") is NO
    assert match_action(Parameter("Actions"), "logs:PutLogEvents") is False


# ---------------------------------------------------------------- parsing

def test_parse_literal_arn():
    arn = parse_arn(STREAM)
    assert arn == Arn("aws", "logs", "us-east-1", "123456789012",
                      "log-group:trail-logs:log-stream:123456789012_CloudTrail_us-east-1")
    assert not arn.ambiguous
    assert arn.value() == STREAM
    assert parse_arn("arn:aws:s3:::bucket/key") == Arn("aws", "s3", "", "", "bucket/key")


@pytest.mark.parametrize("value", [
    "trail-logs", "arn:aws:logs", "arn:aws:logs:us-east-1:123", "ARN:aws:s3:::b", "",
    None, 5, True, ["arn:aws:s3:::b"], {"Fn::Sub": "x"}, NoValue, ACCOUNT, REGION,
    concat(["xrn:aws:logs:", Parameter("P")]),
    concat(["arn:aws:logs:", REGION, ":x"]),  # too few fields, and the atom holds no ':'
])
def test_not_arn_shaped(value):
    assert parse_arn(value) is None


def test_parse_text_arn_keeps_atoms_in_their_fields():
    value = concat(["arn:", PARTITION, ":logs:", REGION, ":", ACCOUNT, ":log-group:",
                    ResourceRef("LG"), ":*"])
    arn = parse_arn(value)
    assert arn.partition == PARTITION and arn.region == REGION and arn.account == ACCOUNT
    assert arn.service == "logs"
    assert arn.resource == concat(["log-group:", ResourceRef("LG"), ":*"])
    assert not arn.ambiguous


def test_atoms_that_may_hide_separators_make_an_ambiguous_arn():
    short = parse_arn(concat(["arn:aws:logs:", Parameter("RegionAndRest")]))
    assert short.ambiguous and short.service == "logs"
    assert isinstance(short.account, Unknown)
    assert parse_arn(Parameter("TrailLogGroupArn")).ambiguous
    assert parse_arn(ResourceAttr("LG", "Arn")).ambiguous
    assert parse_arn(concat([Import("x"), ":*"])).ambiguous


# ---------------------------------------------------------------- trail helpers

def test_log_stream_arns_for_account_and_organization():
    [account_stream] = log_stream_arns("aws", "us-east-1", "123456789012", "trail-logs")
    assert account_stream == STREAM
    streams = log_stream_arns(PARTITION, "eu-west-1", ACCOUNT, ResourceRef("LG"),
                              organization_trail=True)
    assert len(streams) == 2
    # an organization trail's streams: o-<org-id>_<member account>_CloudTrail_<region>
    assert streams[1] == concat(["arn:", PARTITION, ":logs:eu-west-1:", ACCOUNT, ":log-group:",
                                 ResourceRef("LG"), ":log-stream:", ORGANIZATION_ID, "_",
                                 MEMBER_ACCOUNT, "_CloudTrail_eu-west-1"])
    given = log_stream_arns("aws", "us-east-1", "1", "g", organization_id="o-abc123")
    assert given[1] == concat(["arn:aws:logs:us-east-1:1:log-group:g:log-stream:o-abc123_",
                               MEMBER_ACCOUNT, "_CloudTrail_us-east-1"])
    other_region = log_stream_arns("aws", "us-east-1", "1", "g", stream_region="eu-west-1")
    assert other_region == ["arn:aws:logs:us-east-1:1:log-group:g:log-stream:1_CloudTrail_eu-west-1"]
    assert log_stream_name(ACCOUNT, "us-east-1") == concat([ACCOUNT, "_CloudTrail_us-east-1"])


def test_generated_streams_are_covered_by_documented_grants():
    stream = log_stream_arns("aws", "us-east-1", ACCOUNT, ResourceRef("LG"))[0]
    base = ["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", ResourceRef("LG")]
    assert match_pattern(concat(base + [":*"]), stream) is YES
    assert match_pattern(concat(base + [":log-stream:*"]), stream) is YES
    assert match_pattern(concat(base), stream) is NO


def test_log_group_arn_fields():
    assert log_group_arn_fields(GROUP) == ("aws", "us-east-1", "123456789012", "trail-logs", False)
    fields = log_group_arn_fields(GROUP + ":*")
    assert isinstance(fields, LogGroupArn)
    partition, region, account, name, wildcard = fields
    assert (name, wildcard, fields.uncertain) == ("trail-logs", True, False)
    sub = concat(["arn:", PARTITION, ":logs:", REGION, ":", ACCOUNT, ":log-group:",
                  ResourceRef("LG"), ":*"])
    assert log_group_arn_fields(sub) == (PARTITION, REGION, ACCOUNT, ResourceRef("LG"), True)
    assert log_group_arn_fields("arn:aws:logs:us-east-1:1:log-group:/aws/cloudtrail/x") \
        .name == "/aws/cloudtrail/x"


@pytest.mark.parametrize("value", [
    "trail-logs",                                         # a name (Ref of a log group)
    STREAM,                                               # a log stream ARN
    "arn:aws:iam::123456789012:role/TrailRole",
    "arn:aws:logs:us-east-1:123456789012:destination:d",
    "arn:aws:logs:us-east-1:123456789012:log-group:",
    "arn:aws:logs::123456789012:log-group:x",
    "arn:aws:logs:us-east-1::log-group:x",
    GROUP + ":junk",
    "arn:nope:logs:us-east-1:1:log-group:x",
    concat(["arn:aws:s3:::", Parameter("Bucket")]),
    ResourceRef("LogGroup"),   # Ref of a log group gives its name... but see below
])
def test_not_log_group_arns(value):
    result = log_group_arn_fields(value)
    if isinstance(value, ResourceRef):
        # a Ref alone may be anything: the caller resolves what it refers to
        assert result is not None and result.uncertain
    else:
        assert result is None


def test_log_group_arn_fields_uncertain_when_atoms_hide_it():
    for value in [Parameter("LogGroupArn"), Import("trail-log-group-arn"),
                  concat(["arn:aws:logs:", Parameter("Rest")]),
                  concat(["arn:aws:logs:us-east-1:1:", Parameter("Resource")]),
                  concat(["arn:aws:logs:us-east-1:1:log-group:x:", Parameter("Suffix")])]:
        result = log_group_arn_fields(value)
        assert result is not None and result.uncertain and result.reason, value
    # an atom after the name is taken to be part of the name (atoms sit inside one field)
    in_name = log_group_arn_fields(concat(["arn:aws:logs:us-east-1:1:log-group:x", Parameter("S")]))
    assert in_name.name == concat(["x", Parameter("S")]) and not in_name.uncertain


def test_role_arn_fields():
    assert role_arn_fields("arn:aws:iam::123456789012:role/TrailRole") == \
        ("aws", "123456789012", "/", "TrailRole")
    fields = role_arn_fields("arn:aws:iam::123456789012:role/service-role/team/TrailRole")
    assert isinstance(fields, RoleArn)
    assert (fields.path, fields.name, fields.uncertain) == ("/service-role/team/", "TrailRole", False)
    sub = concat(["arn:", PARTITION, ":iam::", ACCOUNT, ":role/", ResourceRef("Role")])
    assert role_arn_fields(sub) == (PARTITION, ACCOUNT, "/", ResourceRef("Role"))
    assert role_arn_fields(Parameter("RoleArn")).uncertain


@pytest.mark.parametrize("value, kind", [
    ("arn:aws:iam::123456789012:user/alice", "user"),
    ("arn:aws:iam::123456789012:group/admins", "group"),
    ("arn:aws:iam::123456789012:policy/TrailPolicy", "policy"),
    ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "policy"),
    ("arn:aws:iam::123456789012:instance-profile/p", "instance-profile"),
    ("arn:aws:iam::123456789012:root", "root"),
    ("arn:aws:sts::123456789012:assumed-role/R/session", "assumed-role"),
])
def test_other_iam_arns_are_not_role_arns(value, kind):
    assert role_arn_fields(value) is None
    assert iam_resource_type(value) == kind


def test_role_name_alone_is_not_a_role_arn():
    assert role_arn_fields("TrailRole") is None
    assert role_arn_fields("arn:aws:iam::123456789012:role/") is None
    assert role_arn_fields("arn:aws:iam:us-east-1:123456789012:role/R") is None
    assert iam_resource_type("arn:aws:iam::123456789012:role/R") == "role"
    assert iam_resource_type("TrailRole") is None
    assert iam_resource_type(STREAM) is None


def test_placeholder_proof_agrees_with_the_dynamic_program():
    """The fast YES proof (atoms as placeholder characters) never says YES where the exact
    program would not, and it proves the common case: the grant written with the same atoms
    as the trail's stream ARN."""
    from cfn_trailwatch.arn import _match_values, _placeholder_yes

    grant = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:/aws/ct/", ResourceRef("G"), ":*"])
    stream = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:/aws/ct/", ResourceRef("G"),
                     ":log-stream:", ACCOUNT, "_CloudTrail_us-east-1"])
    assert _placeholder_yes(grant, stream)
    assert not _placeholder_yes(concat(["a?", ACCOUNT]), concat([ACCOUNT, "b"]))
    # `?` is one character; an atom may be more
    assert not _placeholder_yes("arn:?", concat(["arn:", ACCOUNT]))
    # literal text in the placeholders' plane is refused, not confused with an atom
    assert not _placeholder_yes("x\U000F0000", concat(["x", ACCOUNT]))
    # open atoms (a parameter may hold wildcards or nothing) are left to the program
    assert not _placeholder_yes(concat(["a", Parameter("P")]), concat(["a", Parameter("P")]))
    rng = random.Random(7)
    proved = 0
    for _ in range(3000):
        pattern, target = _random_value(rng, "ab:1*?"), _random_value(rng, "ab:1*")
        if _placeholder_yes(pattern, target):
            proved += 1
            assert _match_values(pattern, target, fold=False, wildcards=True) is YES, \
                (pattern, target)
    assert proved > 100


# ---------------------------------------------------------------- the grammar of ARN fields

_GROUP_PARAM = Parameter("LogGroupName")
_ACCOUNT_STREAMS = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", _GROUP_PARAM,
                           ":log-stream:", ACCOUNT, "_CloudTrail_us-east-1*"])


def _streams(name=_GROUP_PARAM, account=ACCOUNT):
    return log_stream_arns("aws", "us-east-1", account, name, organization_trail=True)


def test_a_log_group_name_parameter_cannot_hide_the_stream_part():
    # The group's name is a parameter: without its grammar the parameter in the grant could
    # stand for "name:log-stream:o-..." and the answer was MAYBE. A name has no ':', so NO.
    account_stream, org_stream = _streams()
    assert match_pattern(_ACCOUNT_STREAMS, account_stream) is Match.YES
    assert match_pattern(_ACCOUNT_STREAMS, org_stream) is Match.NO


def test_the_same_parameter_is_the_same_name_on_both_sides():
    _, org_stream = _streams()
    every_stream = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", _GROUP_PARAM, ":*"])
    assert match_pattern(every_stream, org_stream) is Match.YES
    org_prefix = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", _GROUP_PARAM,
                         ":log-stream:o-*"])
    assert match_pattern(org_prefix, org_stream) is Match.YES
    # a literal organization ID may or may not be the account's
    org_literal = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", _GROUP_PARAM,
                          ":log-stream:o-abc123_*"])
    assert match_pattern(org_literal, org_stream) is Match.MAYBE
    # another parameter in the group's place may hold the same name
    other = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:", Parameter("Other"), ":*"])
    assert match_pattern(other, org_stream) is Match.MAYBE


def test_a_name_made_of_text_and_a_parameter_keeps_the_grammar_and_may_be_empty_inside():
    name = concat(["/aws/cloudtrail/", Parameter("Env")])
    account_stream, org_stream = _streams(name)
    grant = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:/aws/cloudtrail/",
                    Parameter("Env"), ":log-stream:", ACCOUNT, "_CloudTrail_us-east-1*"])
    assert match_pattern(grant, account_stream) is Match.YES
    assert match_pattern(grant, org_stream) is Match.NO
    # Env may be empty: a grant on the group "/aws/cloudtrail/" itself may be this group's
    bare = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:/aws/cloudtrail/:*"])
    assert match_pattern(bare, account_stream) is Match.MAYBE
    # but never a group whose name has a character no log group name has
    odd = concat(["arn:aws:logs:us-east-1:", ACCOUNT, ":log-group:/aws/cloudtrail/a b:*"])
    assert match_pattern(odd, account_stream) is Match.NO


def test_an_account_parameter_is_twelve_digits_and_a_region_a_word():
    account = Parameter("LoggingAccount")
    [stream] = log_stream_arns("aws", "us-east-1", account, "g")
    assert match_pattern("arn:aws:logs:us-east-1:*:log-group:g:*", stream) is Match.YES
    assert match_pattern("arn:aws:logs:us-east-1:111122223333:log-group:g:*", stream) is Match.MAYBE
    assert match_pattern("arn:aws:logs:us-east-1:prod:log-group:g:*", stream) is Match.NO
    [stream] = log_stream_arns("aws", Parameter("Region"), "111122223333", "g")
    assert match_pattern("arn:aws:logs:eu-west-1:111122223333:log-group:g:*", stream) is Match.MAYBE
    assert match_pattern("arn:aws:logs:EU:111122223333:log-group:g:*", stream) is Match.NO


def test_shaped_atoms_read_as_their_atom():
    shaped = shape(_GROUP_PARAM, "log group name")
    assert isinstance(shaped, Shaped) and shaped.whole and shaped.atom == _GROUP_PARAM
    assert shaped.describe() == _GROUP_PARAM.describe()
    part = shape(concat(["a-", Import("x")]), "log group name")
    assert part == concat(["a-", Shaped(Import("x"), "log group name", whole=False)])
    assert shape("literal", "account") == "literal"
    assert shape(ACCOUNT, "account") == ACCOUNT   # a pseudo parameter has its own alphabet
