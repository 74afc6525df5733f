"""WT2005: how event selectors are read, message and evidence, for the shapes the analysis cannot
read and for selectors that combine.

Written against the survivors of the mutation run (docs/testing.md). Every analysis here also
asserts that nothing failed inside the check: a hygiene check that raises is deferred to an
error on the trail, so a test that only looks at findings would not see it."""

from __future__ import annotations

import json
import textwrap

from cfn_trailwatch import trail
from cfn_trailwatch.load import load_text

from helpers import CORE_RULES, HYGIENE_RULES

CHECKED = CORE_RULES | HYGIENE_RULES   # rules added later are not this file's subject

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# Compliant for every rule; the selectors go after EnableLogFileValidation.
BASE = f"""\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
{{selectors}}      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: {KEY}
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{{{Service: cloudtrail.amazonaws.com}}}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
"""


def template(body: str, key: str) -> str:
    block = f"      {key}:\n" + textwrap.indent(textwrap.dedent(body), "        ")
    return BASE.format(selectors=block)


def wt2005(body: str, key: str = "EventSelectors"):
    """The one WT2005 finding (the template is compliant for every other rule of the chain and
    of WT2001-IT2006), the analysis error-free."""
    result = trail.analyse(load_text(template(body, key), "t.yaml").data, trail.Options())
    assert result.errors == []
    assert [f.rule for f in result.findings if f.rule in CHECKED] == ["WT2005"]
    [finding] = [f for f in result.findings if f.rule == "WT2005"]
    assert finding.path == ("Resources", "Trail", "Properties", key)
    return finding


def clean(body: str, key: str = "EventSelectors") -> None:
    result = trail.analyse(load_text(template(body, key), "t.yaml").data, trail.Options())
    assert result.errors == []
    assert [f for f in result.findings if f.rule in CHECKED] == []


def field(name: str, **operators) -> str:
    ops = ", ".join(f"{op}: {values if isinstance(values, str) else json.dumps(values)}"
                    for op, values in operators.items())
    return f"{{Field: {name}, {ops}}}"


def advanced(*selectors: list[str]) -> str:
    body = ""
    for number, fields in enumerate(selectors):
        body += f"- Name: s{number}\n  FieldSelectors:\n" + "".join(f"    - {f}\n" for f in fields)
    return body


MANAGEMENT = field("eventCategory", Equals=["Management"])
UNREADABLE = ("Trail Trail: cannot tell whether its {key} take every management event: {what} "
              "cannot be read here")
DROPS = "Trail Trail: its {key} take {what}: the trail does not record every management event"


# --- classic selectors the analysis cannot read -------------------------------------------------

def test_a_classic_selector_that_is_not_a_map_and_one_with_a_bad_read_write_type():
    finding = wt2005("- notadict\n- {ReadWriteType: Sometimes}\n")
    assert finding.message == UNREADABLE.format(
        key="EventSelectors", what="EventSelectors[0], EventSelectors[1]")
    assert finding.tree() == [
        (0, "EventSelectors: [notadict, {ReadWriteType: Sometimes}]"),
        (1, "EventSelectors[0]: notadict"), (2, "not known here"),
        (1, "EventSelectors[1]: IncludeManagementEvents true, ReadWriteType Sometimes"),
        (2, "not a ReadWriteType CloudTrail accepts")]


def test_a_classic_selector_from_an_import():
    finding = wt2005("- !ImportValue sel\n")
    assert finding.message == UNREADABLE.format(key="EventSelectors", what="EventSelectors[0]")
    assert finding.tree()[1:] == [(1, "EventSelectors[0]: !ImportValue sel"), (2, "not known here")]


def test_include_management_events_from_an_import():
    finding = wt2005("- {IncludeManagementEvents: !ImportValue inc}\n")
    assert finding.tree()[1:] == [
        (1, "EventSelectors[0]: IncludeManagementEvents !ImportValue inc, ReadWriteType All"),
        (2, "not known here")]


def test_every_selector_from_an_import():
    finding = wt2005("!ImportValue all\n")
    assert finding.message == ("Trail Trail: cannot tell whether its EventSelectors take every "
                               "management event: they are !ImportValue all")
    assert finding.tree() == [(0, "EventSelectors: !ImportValue all"),
                              (1, "!ImportValue all"), (2, "not known here")]


def test_an_unreadable_selector_beside_one_that_takes_everything_is_no_finding():
    clean("- {ReadWriteType: All}\n- {ReadWriteType: !ImportValue rw}\n")


# --- advanced selectors the analysis cannot read ------------------------------------------------

def test_advanced_selectors_that_are_not_maps_or_have_no_list_of_fields():
    key = "AdvancedEventSelectors"
    finding = wt2005("- 5\n- {FieldSelectors: notalist}\n", key)
    assert finding.message == UNREADABLE.format(
        key=key, what="AdvancedEventSelectors[0], AdvancedEventSelectors[1]")
    assert finding.tree() == [
        (0, "AdvancedEventSelectors: [5, {FieldSelectors: notalist}]"),
        (1, "AdvancedEventSelectors[0]: 5"), (2, "not known here"),
        (1, "AdvancedEventSelectors[1]: {FieldSelectors: notalist}"), (2, "not known here")]


def test_advanced_field_selectors_that_are_not_maps_or_have_no_field():
    key = "AdvancedEventSelectors"
    junk = wt2005("- Name: junk\n  FieldSelectors: [junk, {Field: eventCategory, "
                  "Equals: [Management]}]\n", key)
    assert junk.tree()[1:] == [
        (1, "AdvancedEventSelectors[0] (junk): [junk, {Field: eventCategory, Equals: [Management]}]"),
        (2, "not known here")]
    nameless = wt2005("- Name: nofield\n  FieldSelectors: [{Equals: [Management]}]\n", key)
    assert nameless.tree()[1:] == [
        (1, "AdvancedEventSelectors[0] (nofield): [{Equals: [Management]}]"),
        (2, "not known here")]


def test_advanced_fields_from_an_import():
    key = "AdvancedEventSelectors"
    for fields, shown in [
        ([field("eventCategory", Equals="[!ImportValue cat]")],
         "eventCategory Equals [!ImportValue cat]"),
        ([MANAGEMENT, field("readOnly", Equals="[!ImportValue ro]")],
         "eventCategory Equals [Management]; readOnly Equals [!ImportValue ro]"),
        ([MANAGEMENT, field("eventSource", Equals="[!ImportValue src]")],
         "eventCategory Equals [Management]; eventSource Equals [!ImportValue src]"),
        ([MANAGEMENT, field("eventSource", NotEquals="[!ImportValue src]")],
         "eventCategory Equals [Management]; eventSource NotEquals [!ImportValue src]"),
    ]:
        finding = wt2005(advanced(fields), key)
        assert finding.message == UNREADABLE.format(key=key, what="AdvancedEventSelectors[0]")
        assert finding.tree()[1:] == [(1, f"AdvancedEventSelectors[0] (s0): {shown}"),
                                      (2, "not known here")]


# --- advanced selectors that combine ------------------------------------------------------------

def test_read_only_that_excludes_both_halves_takes_nothing():
    finding = wt2005(advanced([MANAGEMENT, field("readOnly", Equals=["yes"])]),
                     "AdvancedEventSelectors")
    assert finding.message == DROPS.format(key="AdvancedEventSelectors",
                                           what="no management events")
    assert finding.tree()[1:3] == [
        (1, "AdvancedEventSelectors[0] (s0): eventCategory Equals [Management]; readOnly Equals [yes]"),
        (2, "takes no management events (readOnly excludes both)")]


def test_two_event_source_equals_in_one_selector_take_only_what_both_list():
    finding = wt2005(advanced([MANAGEMENT,
                               field("eventSource", Equals=["a.amazonaws.com", "b.amazonaws.com"]),
                               field("eventSource", Equals=["b.amazonaws.com", "c.amazonaws.com"])]),
                     "AdvancedEventSelectors")
    assert finding.message == DROPS.format(key="AdvancedEventSelectors",
                                           what="management events only from b.amazonaws.com")
    assert finding.tree()[2:] == [
        (2, "takes read-only and write management events only from b.amazonaws.com"),
        (1, "read-only management events"), (2, "only those from b.amazonaws.com are taken"),
        (1, "write management events"), (2, "only those from b.amazonaws.com are taken")]


def test_not_equals_then_equals_in_one_selector():
    finding = wt2005(advanced([MANAGEMENT,
                               field("eventSource", NotEquals=["a.amazonaws.com"]),
                               field("eventSource", Equals=["a.amazonaws.com", "b.amazonaws.com"])]),
                     "AdvancedEventSelectors")
    assert finding.message == DROPS.format(key="AdvancedEventSelectors",
                                           what="management events only from b.amazonaws.com")


def test_two_not_equals_in_one_selector_drop_both_lists():
    finding = wt2005(advanced([MANAGEMENT,
                               field("eventSource", NotEquals=["a.amazonaws.com"]),
                               field("eventSource", NotEquals=["b.amazonaws.com"])]),
                     "AdvancedEventSelectors")
    assert finding.message == DROPS.format(
        key="AdvancedEventSelectors",
        what="management events except those from a.amazonaws.com, b.amazonaws.com")


def test_selectors_taking_only_some_sources_and_all_but_some_together():
    finding = wt2005(advanced(
        [MANAGEMENT, field("eventSource", Equals=["a.amazonaws.com"])],
        [MANAGEMENT, field("eventSource", NotEquals=["a.amazonaws.com", "b.amazonaws.com"])]),
        "AdvancedEventSelectors")
    assert finding.message == DROPS.format(
        key="AdvancedEventSelectors", what="management events except those from b.amazonaws.com")
    assert finding.tree()[-4:] == [
        (1, "read-only management events"), (2, "those from b.amazonaws.com are not taken"),
        (1, "write management events"), (2, "those from b.amazonaws.com are not taken")]
    # In the other order, the same union.
    other = wt2005(advanced(
        [MANAGEMENT, field("eventSource", NotEquals=["a.amazonaws.com", "b.amazonaws.com"])],
        [MANAGEMENT, field("eventSource", Equals=["a.amazonaws.com"])]),
        "AdvancedEventSelectors")
    assert other.message == finding.message


def test_two_selectors_taking_only_some_sources_take_both_lists():
    finding = wt2005(advanced(
        [MANAGEMENT, field("eventSource", Equals=["a.amazonaws.com"])],
        [MANAGEMENT, field("eventSource", Equals=["b.amazonaws.com"])]),
        "AdvancedEventSelectors")
    assert finding.message == DROPS.format(
        key="AdvancedEventSelectors",
        what="management events only from a.amazonaws.com, b.amazonaws.com")


def test_event_source_operators_other_than_equals_narrow_without_being_counted():
    for operator in ("EndsWith", "StartsWith", "NotEndsWith", "NotStartsWith"):
        finding = wt2005(advanced([MANAGEMENT, field("eventSource", **{operator: ["amazonaws.com"]})]),
                         "AdvancedEventSelectors")
        assert finding.message == DROPS.format(key="AdvancedEventSelectors",
                                               what="no management events")
        assert finding.tree()[2] == (2, "takes only some read-only and write management events")
        assert finding.tree()[-2:] == [
            (1, f"AdvancedEventSelectors[0] (s0): narrowed by eventSource {operator}"),
            (2, "takes only some management events; not counted as taking any")]


def test_a_long_value_is_cut_to_120_characters_in_the_evidence():
    sources = [f"service{n}.amazonaws.com" for n in range(8)]
    finding = wt2005(advanced([MANAGEMENT, field("eventSource", Equals=sources)]),
                     "AdvancedEventSelectors")
    full = ("[{Name: s0, FieldSelectors: [{Field: eventCategory, Equals: [Management]}, "
            f"{{Field: eventSource, Equals: [{', '.join(sources)}]}}]}}]")
    assert len(full) > 120
    # 117 characters of the value, then three dots: 120 in all.
    assert finding.tree()[0] == (0, "AdvancedEventSelectors: " + full[:117] + "...")
