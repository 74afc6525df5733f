"""The hygiene rules of the trail's own log group, role and settings (WT2001–WT2005, IT2006):
semantics, options, Unknown, anchors, evidence; and their options through the config file and
cfn-lint, the evidence tree of --verbose, the controls in every report."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from cfn_trailwatch import catalog, hygiene, trail
from cfn_trailwatch.cli import main
from cfn_trailwatch.findings import evidence_tree
from cfn_trailwatch.load import load_text

from helpers import CFN_LINT, SEED, write

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# Compliant for every rule. Lines: 8 CloudWatchLogsLogGroupArn, 9 CloudWatchLogsRoleArn,
# 4 the trail's Properties, 7 EnableLogFileValidation, 10 IsMultiRegionTrail; an alarm on the
# group's delivery (IT2009) at the end.
BASE = f"""\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
      IsMultiRegionTrail: true
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: {KEY}
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: cloudtrail.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
  DeliveryStopped:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions: [{{Name: LogGroupName, Value: !Ref TrailLogs}}]
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      TreatMissingData: breaching
      AlarmActions: ['arn:aws:sns:us-east-1:111122223333:security-alerts']
"""
GROUP_LINE, ROLE_LINE, PROPERTIES_LINE, VALIDATION_LINE, MULTI_REGION_LINE = 8, 9, 4, 7, 10


def variant(*replacements: tuple[str, str], params: str = "", conditions: str = "",
            extra: str = "") -> str:
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    head = ""
    if params:
        head += "Parameters:\n" + textwrap.indent(textwrap.dedent(params), "  ")
    if conditions:
        head += "Conditions:\n" + textwrap.indent(textwrap.dedent(conditions), "  ")
    return head + text + textwrap.indent(textwrap.dedent(extra), "  ")


def analyse(text: str, **options) -> list:
    return trail.analyse(load_text(text, "t.yaml").data, trail.Options(**options)).findings


def found(text: str, **options) -> set[tuple[str, str]]:
    """(rule, the property it is anchored at) of every finding."""
    return {(f.rule, f.path[-1]) for f in analyse(text, **options)}


def one(text: str, rule: str, **options):
    [finding] = [f for f in analyse(text, **options) if f.rule == rule]
    return finding


def test_the_base_is_compliant_for_every_rule():
    assert analyse(BASE) == []


# --- WT2001 retention -------------------------------------------------------------------------

RETENTION = ("      RetentionInDays: 365\n", "      RetentionInDays: {}\n")


def retention(value: str, **kwargs) -> str:
    return variant((RETENTION[0], RETENTION[1].format(value)), **kwargs)


def test_wt2001_short_retention():
    finding = one(retention("30"), "WT2001")
    assert finding.path == ("Resources", "Trail", "Properties", "CloudWatchLogsLogGroupArn")
    assert finding.message == ("Trail Trail: its log group TrailLogs keeps events for 30 days, less "
                               "than the required 365 (min_retention_days)")
    assert finding.evidence == ("CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn → log group TrailLogs",
                                "RetentionInDays: 30 → 30 days → shorter than min_retention_days (365)")
    assert finding.tree() == [
        (0, "CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn"), (1, "log group TrailLogs"),
        (2, "RetentionInDays: 30"), (3, "30 days"), (4, "shorter than min_retention_days (365)")]
    assert finding.scenario == ()
    assert found(retention("30")) == {("WT2001", "CloudWatchLogsLogGroupArn")}


@pytest.mark.parametrize("days, minimum, fails", [
    ("365", None, False), ("364", None, True), ("3653", None, False),
    ("365", 400, True), ("400", 400, False), ("30", 30, False), ("30", 31, True),
])
def test_wt2001_min_retention_days_option(days, minimum, fails):
    options = {"rule_options": {"WT2001": {"min_retention_days": minimum}}} if minimum else {}
    assert (("WT2001", "CloudWatchLogsLogGroupArn") in found(retention(days), **options)) is fails


def test_wt2001_no_retention_never_expires():
    assert analyse(variant((RETENTION[0], ""))) == []


def test_wt2001_parameter_semantics():
    # A Default and each AllowedValue are checked; the failing one is the scenario.
    text = retention("!Ref Days", params="Days: {Type: Number, Default: 400, AllowedValues: [400, 30]}\n")
    finding = one(text, "WT2001")
    assert finding.scenario_dict() == {"Days": "30"} and "[when Days='30']" in finding.message
    # Given values decide.
    assert analyse(text, parameters={"Days": "731"}) == []
    assert found(text, parameters={"Days": "7"}) == {("WT2001", "CloudWatchLogsLogGroupArn")}


@pytest.mark.parametrize("params, days", [
    ("Days: {Type: Number}\n", 180),                  # no Default, no AllowedValues: any value
    ("Days: {Type: Number, Default: 400}\n", 180),    # its Default passes; another may not
    ("Days: {Type: Number, Default: 400, MinValue: 7, MaxValue: 90}\n", 90),
])
def test_wt2001_an_unlisted_parameter_is_followed_to_a_retention_too_short(params, days):
    # "Some other value" is never read as one value: the longest retention CloudWatch Logs
    # accepts below the minimum (within MinValue/MaxValue) is the scenario that fails.
    finding = one(retention("!Ref Days", params=params), "WT2001")
    assert finding.scenario_dict() == {"Days": str(days)}
    assert finding.message == (f"Trail Trail: its log group TrailLogs keeps events for {days} days, "
                               f"less than the required 365 (min_retention_days) [when Days='{days}']")


def test_wt2001_a_parameter_held_to_long_retentions_passes():
    assert analyse(retention("!Ref Days", params="Days: {Type: Number, MinValue: 365}\n")) == []
    assert analyse(retention("!Ref Days", params="Days: {Type: Number, Default: 400}\n"),
                   parameters={"Days": "400"}) == []


def test_wt2001_an_import_cannot_be_verified():
    finding = one(retention("!ImportValue shared-retention"), "WT2001")
    assert finding.message == ("Trail Trail: cannot tell how long its log group TrailLogs keeps "
                               "events (RetentionInDays is !ImportValue shared-retention); at least "
                               "365 days are required (min_retention_days)")


def test_wt2001_condition_and_only_the_trails_group():
    text = variant(("CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn",
                    "CloudWatchLogsLogGroupArn: !If [Prod, !GetAtt TrailLogs.Arn, !GetAtt DevLogs.Arn]"),
                   ("Resource: !GetAtt TrailLogs.Arn", "Resource: [!GetAtt TrailLogs.Arn, !GetAtt DevLogs.Arn]"),
                   params="Stage: {Type: String, Default: prod, AllowedValues: [prod, dev]}\n",
                   conditions="Prod: !Equals [!Ref Stage, prod]\n",
                   extra=f"""\
                   DevLogs:
                     Type: AWS::Logs::LogGroup
                     Properties: {{RetentionInDays: 7, KmsKeyId: {KEY}}}
                   AppLogs:
                     Type: AWS::Logs::LogGroup
                     Properties: {{RetentionInDays: 1}}
                   """)
    by_rule = {f.rule: f for f in analyse(text)}
    # AppLogs (1 day, no key) is not the trail's; the base's alarm watches TrailLogs, not DevLogs
    assert set(by_rule) == {"WT2001", "IT2006", "IT2009"}
    assert by_rule["IT2009"].scenario_dict() == {"Prod": False, "Stage": "dev"}
    assert by_rule["WT2001"].scenario_dict() == {"Prod": False, "Stage": "dev"}
    assert "log group DevLogs keeps events for 7 days" in by_rule["WT2001"].message


def test_a_log_group_outside_the_template_is_not_checked_for_retention_or_key():
    text = variant(("CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn",
                    "CloudWatchLogsLogGroupArn: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/elsewhere:*'"),
                   ("Resource: !GetAtt TrailLogs.Arn",
                    "Resource: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/elsewhere:*'"))
    # the base's alarm watches TrailLogs, not /elsewhere: IT2009 still looks at the group it names
    assert found(text) == {("WT1007", "CloudWatchLogsLogGroupArn"), ("IT2009", "CloudWatchLogsLogGroupArn")}


# --- WT2002 KMS -------------------------------------------------------------------------------

KMS = f"      KmsKeyId: {KEY}\n"


def test_wt2002_no_key():
    finding = one(variant((KMS, "")), "WT2002")
    assert finding.path[-1] == "CloudWatchLogsLogGroupArn"
    assert finding.evidence[-1] == "no KmsKeyId"
    assert finding.depths == (0, 2)


def test_wt2002_novalue_branch_and_empty_default():
    text = variant((KMS, f"      KmsKeyId: !If [EncryptOn, {KEY}, !Ref AWS::NoValue]\n"),
                   params="Encrypt: {Type: String, Default: 'yes', AllowedValues: ['yes', 'no']}\n",
                   conditions="EncryptOn: !Equals [!Ref Encrypt, 'yes']\n")
    assert one(text, "WT2002").scenario_dict() == {"EncryptOn": False, "Encrypt": "no"}
    text = variant((KMS, "      KmsKeyId: !Ref KeyArn\n"), params="KeyArn: {Type: String, Default: ''}\n")
    assert one(text, "WT2002").scenario_dict() == {"KeyArn": ""}
    # No Default: Unknown, a key.
    assert analyse(variant((KMS, "      KmsKeyId: !Ref KeyArn\n"), params="KeyArn: {Type: String}\n")) == []


# --- WT2003 subscriptions ---------------------------------------------------------------------

def subscription(group: str = "!Ref TrailLogs",
                 destination: str = "arn:aws:logs:us-east-1:444455556666:destination:partner",
                 condition: str = "", **kwargs) -> str:
    return variant(*kwargs.pop("replacements", ()), extra=f"""\
        Ship:
          Type: AWS::Logs::SubscriptionFilter
          {condition}
          Properties:
            LogGroupName: {group}
            FilterPattern: ''
            DestinationArn: {destination}
        """, **kwargs)


def allow(*patterns: str) -> dict:
    return {"rule_options": {"WT2003": {"allowed_destinations": list(patterns)}}}


def test_wt2003_any_subscription_is_reported_by_default():
    finding = one(subscription(), "WT2003")
    assert finding.path[-1] == "CloudWatchLogsLogGroupArn"
    assert finding.message.startswith("Trail Trail: subscription filter Ship on its log group "
                                      "TrailLogs sends its events to a destination not on "
                                      "allowed_destinations (empty")
    assert finding.evidence[1:3] == ("AWS::Logs::SubscriptionFilter Ship",
                                     "LogGroupName: !Ref TrailLogs → the trail's log group TrailLogs")
    assert finding.evidence[3] == ("DestinationArn: 'arn:aws:logs:us-east-1:444455556666:destination:"
                                   "partner' → not on allowed_destinations (empty)")
    assert finding.depths == (0, 2, 3, 3)


def test_wt2003_literal_name_and_other_groups():
    named = ("      RetentionInDays: 365\n", "      LogGroupName: /audit/trail\n      RetentionInDays: 365\n")
    assert found(subscription("/audit/trail", replacements=[named])) == \
        {("WT2003", "CloudWatchLogsLogGroupArn")}
    assert analyse(subscription("/audit/other", replacements=[named])) == []
    assert analyse(subscription("/some/app/logs")) == []  # not the generated name of TrailLogs
    other = subscription("!Ref AppLogs") + "  AppLogs: {Type: AWS::Logs::LogGroup}\n"
    assert analyse(other) == []


def test_wt2003_allow_list():
    assert analyse(subscription(), **allow("arn:aws:logs:*:444455556666:destination:*")) == []
    assert analyse(subscription(), **allow("arn:aws:logs:us-east-1:444455556666:destination:partner")) == []
    finding = one(subscription(), "WT2003", **allow("arn:aws:logs:*:111122223333:destination:*"))
    assert finding.evidence[-1].endswith("→ matches none of allowed_destinations")
    assert "not on allowed_destinations" in finding.message and "(empty" not in finding.message
    # A destination that cannot be shown to match the list is reported for review.
    text = subscription(destination="!Ref Destination", params="Destination: {Type: String}\n")
    finding = one(text, "WT2003", **allow("arn:aws:logs:*:444455556666:destination:*"))
    assert finding.evidence[-1].endswith("→ cannot be shown to match allowed_destinations")


def test_wt2003_unknown_log_group_name_and_false_condition_give_nothing():
    assert analyse(subscription("!Ref GroupName", params="GroupName: {Type: String}\n")) == []
    assert analyse(subscription(condition="Condition: Never",
                                conditions="Never: !Equals [!Ref AWS::Region, mars-1]\n")) == []


def test_wt2003_one_finding_naming_every_filter():
    text = subscription() + textwrap.indent(textwrap.dedent("""\
        Copy:
          Type: AWS::Logs::SubscriptionFilter
          Properties:
            LogGroupName: !Ref TrailLogs
            FilterPattern: ''
            DestinationArn: arn:aws:lambda:us-east-1:111122223333:function:scan
        """), "  ")
    finding = one(text, "WT2003")
    assert "subscription filters Ship, Copy on its log group TrailLogs send" in finding.message


# --- WT2004 log file validation ---------------------------------------------------------------

VALIDATION = "      EnableLogFileValidation: true\n"


@pytest.mark.parametrize("line, anchor", [
    ("", "Properties"),
    ("      EnableLogFileValidation: false\n", "EnableLogFileValidation"),
    ("      EnableLogFileValidation: 'False'\n", "EnableLogFileValidation"),
    ("      EnableLogFileValidation: !Ref AWS::NoValue\n", "EnableLogFileValidation"),
])
def test_wt2004_not_true(line, anchor):
    assert found(variant((VALIDATION, line))) == {("WT2004", anchor)}


def test_wt2004_parameters():
    text = variant((VALIDATION, "      EnableLogFileValidation: !Ref Validate\n"),
                   params="Validate: {Type: String, Default: 'true', AllowedValues: ['true', 'false']}\n")
    assert one(text, "WT2004").scenario_dict() == {"Validate": "false"}
    # a value the template does not list may be 'false': that is the failing scenario
    unlisted = one(variant((VALIDATION, "      EnableLogFileValidation: !Ref Validate\n"),
                           params="Validate: {Type: String, Default: 'true'}\n"), "WT2004")
    assert unlisted.scenario_dict() == {"Validate": "false"}
    assert unlisted.message == ("Trail Trail has EnableLogFileValidation false: CloudTrail writes no "
                                "digest files, so changes to its log files cannot be detected "
                                "[when Validate='false']")
    imported = one(variant((VALIDATION, "      EnableLogFileValidation: !ImportValue v\n")), "WT2004")
    assert imported.message == ("Trail Trail: cannot tell whether EnableLogFileValidation is true "
                                "(it is !ImportValue v): CloudTrail may write no digest files")


def test_wt2004_anchor_line_through_the_cli(tmp_path, capsys):
    path = write(tmp_path, "t.yaml", variant((VALIDATION, "")))
    assert main(["--format", "json", str(path)]) == 0  # a warning does not fail by default
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("WT2004", PROPERTIES_LINE, 5)
    assert main(["--fail-on", "warning", str(path)]) == 1


# --- WT2005 event selectors -------------------------------------------------------------------

def selectors(body: str, key: str = "EventSelectors", **kwargs) -> str:
    block = f"      {key}:\n" + textwrap.indent(textwrap.dedent(body), "        ")
    return variant((VALIDATION, VALIDATION + block), **kwargs)


@pytest.mark.parametrize("body, message", [
    ("- {ReadWriteType: WriteOnly}\n", "take no read-only management events"),
    ("- {ReadWriteType: ReadOnly, IncludeManagementEvents: true}\n", "take no write management events"),
    ("- {IncludeManagementEvents: false}\n", "take no management events"),
    ("- {ReadWriteType: All, ExcludeManagementEventSources: [kms.amazonaws.com]}\n",
     "take management events except those from kms.amazonaws.com"),
    ("- {ReadWriteType: All, ExcludeManagementEventSources: [kms.amazonaws.com, rdsdata.amazonaws.com]}\n"
     "- {ReadWriteType: ReadOnly, ExcludeManagementEventSources: [kms.amazonaws.com]}\n",
     "take read-only management events except those from kms.amazonaws.com; write management "
     "events except those from kms.amazonaws.com, rdsdata.amazonaws.com"),
    ("- {ReadWriteType: WriteOnly, ExcludeManagementEventSources: [kms.amazonaws.com]}\n",
     "take no read-only management events; write management events except those from kms.amazonaws.com"),
])
def test_wt2005_classic_selectors_that_drop(body, message):
    finding = one(selectors(body), "WT2005")
    assert finding.path[-1] == "EventSelectors"
    assert f"its EventSelectors {message}: the trail does not" in finding.message


@pytest.mark.parametrize("body", [
    "[]\n",
    "- {ReadWriteType: All}\n",
    "- {}\n",  # the defaults: IncludeManagementEvents true, ReadWriteType All
    "- {ReadWriteType: ReadOnly}\n- {ReadWriteType: WriteOnly}\n",
    "- {ReadWriteType: All, ExcludeManagementEventSources: [kms.amazonaws.com]}\n"
    "- {ReadWriteType: All, ExcludeManagementEventSources: [rdsdata.amazonaws.com]}\n",
    "- {ReadWriteType: All}\n- {IncludeManagementEvents: false, DataResources: [{Type: 'AWS::S3::Object', Values: ['arn:aws:s3']}]}\n",
])
def test_wt2005_classic_selectors_that_take_everything(body):
    assert analyse(selectors(body)) == []


def test_wt2005_classic_evidence():
    finding = one(selectors("- {ReadWriteType: WriteOnly}\n- {IncludeManagementEvents: false}\n"), "WT2005")
    assert finding.evidence[1:] == (
        "EventSelectors[0]: IncludeManagementEvents True, ReadWriteType WriteOnly → takes all write "
        "management events".replace("True", "true"),
        "EventSelectors[1]: IncludeManagementEvents false, ReadWriteType All → takes no management events",
        "read-only management events → no selector takes them")
    assert finding.depths == (0, 1, 1, 1)


def field(name: str, **operators) -> str:
    ops = ", ".join(f"{op}: {json.dumps(values)}" for op, values in operators.items())
    return f"{{Field: {name}, {ops}}}"


def advanced(*selector_fields: list[str]) -> str:
    body = ""
    for number, fields in enumerate(selector_fields):
        body += f"- Name: s{number}\n  FieldSelectors:\n" + "".join(f"    - {f}\n" for f in fields)
    return selectors(body, key="AdvancedEventSelectors")


MANAGEMENT = field("eventCategory", Equals=["Management"])


@pytest.mark.parametrize("fields", [
    [[MANAGEMENT]],
    [[field("eventCategory", NotEquals=["Data"])]],
    [[MANAGEMENT, field("readOnly", Equals=["true"])], [MANAGEMENT, field("readOnly", Equals=["false"])]],
    [[MANAGEMENT, field("eventSource", NotEquals=["kms.amazonaws.com"])],
     [MANAGEMENT, field("eventSource", Equals=["kms.amazonaws.com"])]],
    [[MANAGEMENT], [field("eventCategory", Equals=["Data"]), field("resources.type", Equals=["AWS::S3::Object"])]],
])
def test_wt2005_advanced_selectors_that_take_everything(fields):
    assert analyse(advanced(*fields)) == []


@pytest.mark.parametrize("fields, message", [
    ([[field("eventCategory", Equals=["Data"]), field("resources.type", Equals=["AWS::S3::Object"])]],
     "take no management events"),
    ([[MANAGEMENT, field("readOnly", Equals=["true"])]], "take no write management events"),
    ([[MANAGEMENT, field("readOnly", NotEquals=["true"])]], "take no read-only management events"),
    ([[MANAGEMENT, field("eventSource", NotEquals=["kms.amazonaws.com"])]],
     "take management events except those from kms.amazonaws.com"),
    ([[MANAGEMENT, field("eventSource", Equals=["iam.amazonaws.com"])]],
     "take management events only from iam.amazonaws.com"),
    ([[MANAGEMENT, field("eventName", Equals=["ConsoleLogin"])]], "take no management events"),
    ([[MANAGEMENT, field("eventSource", StartsWith=["iam"])]], "take no management events"),
    ([[field("readOnly", Equals=["true"])]], "take no management events"),  # no eventCategory
])
def test_wt2005_advanced_selectors_that_drop(fields, message):
    finding = one(advanced(*fields), "WT2005")
    assert finding.path[-1] == "AdvancedEventSelectors"
    assert f"its AdvancedEventSelectors {message}:" in finding.message


def test_wt2005_a_narrowed_selector_is_said_in_the_evidence():
    finding = one(advanced([MANAGEMENT, field("eventName", Equals=["ConsoleLogin"])]), "WT2005")
    assert "AdvancedEventSelectors[0] (s0): narrowed by eventName → takes only some management " \
           "events; not counted as taking any" in finding.evidence


def test_wt2005_a_verdict_that_does_not_depend_on_a_parameter_names_no_scenario():
    text = selectors("- ReadWriteType: WriteOnly\n"
                     "  DataResources: [{Type: 'AWS::S3::Object', Values: [!Sub 'arn:aws:s3:::${Bucket}/']}]\n",
                     params="Bucket: {Type: String, Default: a, AllowedValues: [a, b]}\n")
    finding = one(text, "WT2005")
    assert finding.scenario == () and "[when" not in finding.message


def test_wt2003_a_verdict_that_does_not_depend_on_the_destination_names_no_scenario():
    text = subscription(destination="!Ref Destination", params="Destination: {Type: String}\n")
    assert one(text, "WT2003").scenario == ()


def test_wt2005_an_unlisted_word_is_each_word_it_can_be():
    params = "Mode: {Type: String}\n"
    finding = one(selectors("- {ReadWriteType: !Ref Mode}\n", params=params), "WT2005")
    assert finding.scenario_dict() == {"Mode": "ReadOnly"}
    assert finding.message.endswith("take no write management events: the trail does not record "
                                    "every management event [when Mode='ReadOnly']")
    include = one(selectors("- {IncludeManagementEvents: !Ref Mgmt}\n",
                            params="Mgmt: {Type: String, Default: 'true'}\n"), "WT2005")
    assert include.scenario_dict() == {"Mgmt": "false"}
    advanced = one(selectors("- FieldSelectors:\n"
                             "  - {Field: eventCategory, Equals: [Management]}\n"
                             "  - {Field: readOnly, Equals: [!Ref ReadOnly]}\n",
                             key="AdvancedEventSelectors",
                             params="ReadOnly: {Type: String}\n"), "WT2005")
    assert advanced.scenario_dict() == {"ReadOnly": "true"}
    # The same parameter in two selectors is one choice: All in both takes everything.
    assert analyse(selectors("- {ReadWriteType: !Ref Mode}\n- {ReadWriteType: !Ref Mode}\n",
                             params="Mode: {Type: String, Default: All, AllowedValues: [All]}\n")) == []


def test_wt2005_selectors_that_cannot_be_read_cannot_be_verified():
    # The known selector drops the read half; an imported one might take it, or might not.
    finding = one(selectors("- {ReadWriteType: WriteOnly}\n- {ReadWriteType: !ImportValue mode}\n"),
                  "WT2005")
    assert finding.message == ("Trail Trail: cannot tell whether its EventSelectors take every "
                               "management event: EventSelectors[1] cannot be read here")
    whole = one(variant((VALIDATION, VALIDATION + "      EventSelectors: !ImportValue selectors\n")),
                "WT2005")
    assert whole.message == ("Trail Trail: cannot tell whether its EventSelectors take every "
                             "management event: they are !ImportValue selectors")
    # what is known already takes everything: nothing to verify
    assert analyse(selectors("- {ReadWriteType: All}\n- {ReadWriteType: !ImportValue mode}\n")) == []
    # With a listed value, that choice is the scenario.
    text = selectors("- {ReadWriteType: !Ref Mode}\n",
                     params="Mode: {Type: String, Default: All, AllowedValues: [All, WriteOnly]}\n")
    assert one(text, "WT2005").scenario_dict() == {"Mode": "WriteOnly"}


# --- IT2006 grants wider than the trail's log group -------------------------------------------

GRANT = ("                Action: [logs:CreateLogStream, logs:PutLogEvents]\n"
         "                Resource: !GetAtt TrailLogs.Arn\n")


def grant(action: str = "[logs:CreateLogStream, logs:PutLogEvents]",
          resource: str = "!GetAtt TrailLogs.Arn", **kwargs) -> str:
    return variant((GRANT, f"                Action: {action}\n                Resource: {resource}\n"),
                   **kwargs)


SUB = "!Sub 'arn:${{AWS::Partition}}:logs:{region}:${{AWS::AccountId}}:log-group:{name}'"


@pytest.mark.parametrize("action, resource, reason", [
    (None, "'*'", "Resource *: matches every resource, every log group included"),
    ("'logs:*'", None, "Action 'logs:*': also allows logs:DeleteLogGroup, logs:DeleteLogStream, "
                       "logs:PutRetentionPolicy and 16 more"),
    ("'*'", None, "Action '*': allows every action of every service"),
    ("[logs:CreateLogStream, 'logs:Put*']", None,
     "Action 'logs:Put*': also allows logs:PutRetentionPolicy, logs:PutSubscriptionFilter, "
     "logs:PutMetricFilter and 1 more"),
    (None, SUB.format(region="${AWS::Region}", name="*"), "log group name pattern *"),
    (None, SUB.format(region="${AWS::Region}", name="${TrailLogs}*"), "log group name pattern"),
    (None, SUB.format(region="*", name="${TrailLogs}:*"), "(any region)"),
    (None, "[" + SUB.format(region="eu-west-1", name="${TrailLogs}:*") + ", !GetAtt TrailLogs.Arn]",
     "(region eu-west-1)"),
    (None, "!Sub 'arn:${AWS::Partition}:logs:*'", "matches every log group"),
    (None, "'arn:aws:logs:us-east-1:*:log-group:*'", "any account, log group name pattern *"),
])
def test_it2006_wider_grants(action, resource, reason):
    finding = one(grant(action or "[logs:CreateLogStream, logs:PutLogEvents]",
                        resource or "!GetAtt TrailLogs.Arn"), "IT2006")
    assert finding.path[-1] == "CloudWatchLogsRoleArn"
    assert any(reason in step for step in finding.evidence), finding.evidence
    assert finding.message.startswith("Trail Trail: role TrailRole may do more than deliver to log "
                                      "group TrailLogs: inline policy deliver of role TrailRole, "
                                      "Statement[0]: ")


def test_it2006_another_group_listed_and_not_action_and_not_resource():
    text = grant(resource="[!GetAtt TrailLogs.Arn, !GetAtt AppLogs.Arn]",
                 extra="AppLogs: {Type: AWS::Logs::LogGroup}\n")
    assert "(log group AppLogs)" in one(text, "IT2006").evidence[-1]
    text = variant((GRANT, "                NotAction: 'iam:*'\n                Resource: !GetAtt TrailLogs.Arn\n"))
    assert one(text, "IT2006").evidence[-1] == "NotAction iam:*: allows every action it does not list"
    text = variant((GRANT, "                Action: [logs:CreateLogStream, logs:PutLogEvents]\n"
                           "                NotResource: arn:aws:logs:us-east-1:111122223333:log-group:/other:*\n"))
    assert one(text, "IT2006").evidence[-1].startswith("NotResource ")


@pytest.mark.parametrize("action, resource", [
    ("[logs:CreateLogStream, logs:PutLogEvents]", "!GetAtt TrailLogs.Arn"),
    ("[logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams]", "!GetAtt TrailLogs.Arn"),
    ("[logs:CreateLogStream, logs:PutLogEvents]",
     "!Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogs}:log-stream:*'"),
    ("[logs:CreateLogStream, logs:PutLogEvents]",
     "!Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogs}:"
     "log-stream:${AWS::AccountId}_CloudTrail_${AWS::Region}*'"),
    ("[logs:CreateLogStream, 'logs:PutLogEvent?']", "!GetAtt TrailLogs.Arn"),
])
def test_it2006_least_privilege_passes(action, resource):
    assert analyse(grant(action, resource)) == []


def test_it2006_only_statements_that_grant_delivery_are_read():
    # A second statement with logs:* on another group does not let the role deliver: not read.
    text = variant((GRANT, GRANT + "              - Effect: Allow\n                Action: 'logs:*'\n"
                                   "                Resource: arn:aws:logs:us-east-1:111122223333:log-group:/app:*\n"))
    assert analyse(text) == []


def test_it2006_unknown_resource_gives_nothing():
    text = grant(resource="[!GetAtt TrailLogs.Arn, !Ref Extra]", params="Extra: {Type: String}\n")
    assert analyse(text) == []


def test_it2006_aws_managed_full_access():
    text = variant(("      Policies:\n", "      ManagedPolicyArns: [arn:aws:iam::aws:policy/CloudWatchLogsFullAccess]\n"
                                          "      Policies:\n"),
                   (GRANT, "                Action: s3:GetObject\n                Resource: '*'\n"))
    finding = one(text, "IT2006")
    assert "CloudWatchLogsFullAccess" in finding.message


def test_it2006_reads_the_grant_as_written_even_under_a_deny():
    # Known limit (docs/rules/IT2006.md): a Deny that narrows the grant is not taken into account.
    text = grant("'logs:*'", "'*'").replace(
        "                Resource: '*'\n",
        "                Resource: '*'\n              - Effect: Deny\n                Action: 'logs:Delete*'\n"
        "                Resource: '*'\n")
    assert ("IT2006", "CloudWatchLogsRoleArn") in found(text)


def test_the_seed_gives_wt2002_and_it2006_on_the_group_and_role_it_meant():
    findings = {f.rule: f for f in analyse(SEED)}
    assert set(findings) == {"ET1003", "ET1004", "WT2002", "IT2006", "WT2007", "IT2009"}
    assert findings["WT2007"].path[-1] == "IsMultiRegionTrail"
    assert "has IsMultiRegionTrail false" in findings["WT2007"].message
    assert findings["WT2002"].evidence[0].endswith("→ (meant) log group CloudWatchLogsGroup")
    assert findings["IT2006"].evidence[-1] == ("Resource *: matches every resource, every log "
                                               "group included")


# --- isolation, regions -----------------------------------------------------------------------

def test_a_failing_hygiene_check_does_not_hide_the_chain(monkeypatch):
    def broken(check, group, s):
        raise RuntimeError("hygiene bug")

    monkeypatch.setattr(hygiene, "_retention", hygiene._guarded(broken))
    text = variant(("CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn", "CloudWatchLogsRoleArn: !Ref TrailRole"),
                   (VALIDATION, ""))
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options())
    assert {f.rule for f in result.findings} == {"ET1004", "WT2004"}  # the rest still ran
    assert result.errors == [("Trail", "internal error while analysing trail Trail: RuntimeError: hygiene bug")]


def test_a_finding_of_several_scenarios_in_every_region_names_none():
    # one key (rule, trail, path), two scenarios in each region: the first of each region is
    # what is kept, and it reads the same in both
    text = retention("!Ref Days", params="Days: {Type: Number, AllowedValues: [30, 90], Default: 30}\n")
    finding = one(text, "WT2001", regions=("us-east-1", "eu-west-1"))
    assert finding.message == one(text, "WT2001").message
    assert "region=" not in finding.message and "[when Days=" in finding.message


def test_a_finding_of_every_region_names_none():
    # found in both regions alike: labelling it with the first would read as that region's alone
    finding = one(retention("30"), "WT2001", regions=("us-east-1", "eu-west-1"))
    assert finding.message == ("Trail Trail: its log group TrailLogs keeps events for 30 days, "
                               "less than the required 365 (min_retention_days)")


# --- the evidence tree ------------------------------------------------------------------------

def test_the_tree_of_a_core_finding_is_inferred():
    evidence = ("CloudWatchLogsLogGroupArn: !GetAtt G.Arn → log group G",
                "CloudWatchLogsRoleArn: !GetAtt R.Arn → role R",
                "policies reaching R: inline policy p of role R",
                "logs:CreateLogStream on arn:x: allowed by inline policy p of role R",
                "logs:PutLogEvents on arn:x: no statement allows it")
    assert evidence_tree(evidence) == [
        (0, "CloudWatchLogsLogGroupArn: !GetAtt G.Arn"), (1, "log group G"),
        (0, "CloudWatchLogsRoleArn: !GetAtt R.Arn"), (1, "role R"),
        (2, "policies reaching R: inline policy p of role R"),
        (3, "logs:CreateLogStream on arn:x: allowed by inline policy p of role R"),
        (3, "logs:PutLogEvents on arn:x: no statement allows it")]
    assert evidence_tree(("no CloudWatchLogsRoleArn",)) == [(0, "no CloudWatchLogsRoleArn")]
    trust = ("CloudWatchLogsRoleArn: !GetAtt R.Arn → role R", "trust policy of R: no statement allows it")
    assert evidence_tree(trust)[-1] == (2, "trust policy of R: no statement allows it")
    # Explicit depths win.
    assert evidence_tree(("a → b", "c"), (0, 5)) == [(0, "a"), (1, "b"), (5, "c")]


MISSING_PUT = variant(("Action: [logs:CreateLogStream, logs:PutLogEvents]", "Action: [logs:CreateLogStream]"))


def test_verbose_text_prints_the_tree_and_the_controls(tmp_path, capsys):
    path = write(tmp_path, "t.yaml", retention("30"))
    assert main(["--verbose", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    controls = ", ".join(catalog.get("WT2001").controls)
    assert lines == [
        f"{path}:{GROUP_LINE}:7: WT2001 Trail Trail: its log group TrailLogs keeps events for 30 "
        "days, less than the required 365 (min_retention_days)",
        "    evidence:",
        "      - CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn",
        "        - log group TrailLogs",
        "          - RetentionInDays: 30",
        "            - 30 days",
        "              - shorter than min_retention_days (365)",
        f"    controls (NIST SP 800-53 Rev. 5): {controls}",
        "    rule: trail-cwl-retention (warning); cfn-trailwatch --explain WT2001",
        "1 finding (1 warning) in 1 template, 1 trail"]


def test_verbose_text_of_a_core_finding_goes_down_to_the_missing_action(tmp_path, capsys):
    path = write(tmp_path, "t.yaml", MISSING_PUT)
    assert main(["-v", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\n      - CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn\n        - role TrailRole\n" \
           "          - policies reaching TrailRole: inline policy deliver of role TrailRole\n" \
           "            - logs:CreateLogStream on " in out
    assert "\n            - logs:PutLogEvents on " in out and "no statement allows it" in out
    # Without --verbose: one line per finding.
    main([str(path)])
    assert "evidence:" not in capsys.readouterr().out


def test_every_report_carries_the_controls_of_a_hygiene_finding(tmp_path, capsys):
    path = write(tmp_path, "t.yaml", retention("30"))
    main(["--format", "json", str(path)])
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding["controls"] == list(catalog.get("WT2001").controls) and "AU-11" in finding["controls"]
    assert finding["evidence"][-1] == "RetentionInDays: 30 → 30 days → shorter than min_retention_days (365)"
    main(["--format", "sarif", str(path)])
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert "NIST.800-53.r5 AU-11" in result["properties"]["tags"]
    assert result["properties"]["controls"] == finding["controls"]


# --- options through the config file ----------------------------------------------------------

def test_config_rule_options(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "t.yaml", retention("400") + textwrap.indent(textwrap.dedent("""\
        Ship:
          Type: AWS::Logs::SubscriptionFilter
          Properties:
            LogGroupName: !Ref TrailLogs
            FilterPattern: ''
            DestinationArn: arn:aws:logs:us-east-1:444455556666:destination:partner
        """), "  "))

    def rules() -> set[str]:
        main(["--format", "json", "t.yaml"])
        return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}

    assert rules() == {"WT2003"}
    write(tmp_path, ".cfn-trailwatch.yaml", """\
        rules:
          WT2001: {min_retention_days: 731}
          WT2003:
            allowed_destinations: ['arn:aws:logs:*:444455556666:destination:*']
        """)
    assert rules() == {"WT2001"}


@pytest.mark.parametrize("text, key, reason", [
    ("rules: {WT2001: {min_retention_days: soon}}\n", "rules.WT2001.min_retention_days",
     "is not of type 'integer'"),
    ("rules: {WT2001: {min_retention_days: 0}}\n", "rules.WT2001.min_retention_days",
     "less than the minimum of 1"),
    ("rules: {WT2001: {min_retention: 400}}\n", "rules.WT2001", "'min_retention' was unexpected"),
    ("rules: {WT2003: {allowed_destinations: arn:aws:logs:*}}\n", "rules.WT2003.allowed_destinations",
     "is not of type 'array'"),
    ("rules: {ET1001: {anything: 1}}\n", "rules.ET1001", "'anything' was unexpected"),
    ("rules: {WT9999: {}}\n", "rules.WT9999", "unknown rule 'WT9999'"),
])
def test_invalid_rule_options_exit_2(tmp_path, capsys, monkeypatch, text, key, reason):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".cfn-trailwatch.yaml", text)
    write(tmp_path, "t.yaml", BASE)
    assert main(["t.yaml"]) == 2
    err = capsys.readouterr().err
    assert "invalid configuration" in err and key in err and reason in err, err


def test_the_config_schema_has_the_catalogues_options():
    from cfn_trailwatch import config
    rules = config.schema()["properties"]["rules"]["properties"]
    with_options = {rule.id: rule for rule in catalog.rules().values() if rule.options}
    assert set(rules) == set(with_options) == {"WT2001", "WT2003", "WT2008"}
    for rule_id, rule in with_options.items():
        properties = rules[rule_id]["properties"]
        assert rules[rule_id]["additionalProperties"] is False
        assert {name: {k: v for k, v in schema.items()} for name, schema in properties.items()} == \
            {o.name: o.json_schema() for o in rule.options}


# --- options through cfn-lint -----------------------------------------------------------------

def cfn_lint(*args) -> set[tuple[str, int]]:
    proc = subprocess.run([*CFN_LINT, "--format", "parseable", "--include-checks", "I",
                           "-a", "cfn_trailwatch.rules", *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    out = set()
    for line in proc.stdout.splitlines():
        _, number, _, _, _, rule, _ = line.split(":", 6)
        if rule in catalog.rules():
            out.add((rule, int(number)))
    return out


def test_cfn_lint_x_option(tmp_path):
    path = write(tmp_path, "t.yaml", retention("400"))
    assert cfn_lint("--", path) == set()
    assert cfn_lint("-x", "WT2001:min_retention_days=731", "--", path) == {("WT2001", GROUP_LINE)}
    assert cfn_lint("-x", "WT2001:min_retention_days=400", "--", path) == set()


def test_cfn_lint_configure_rules_in_its_config_file(tmp_path):
    path = write(tmp_path, "t.yaml", subscription())
    assert cfn_lint("--", path) == {("WT2003", GROUP_LINE)}
    config = write(tmp_path, "cfnlintrc.yaml", """\
        configure_rules:
          WT2003:
            allowed_destinations:
              - 'arn:aws:logs:*:444455556666:destination:*'
        """)
    assert cfn_lint("--config-file", config, "--", path) == set()


def test_cfn_lint_invalid_option_keeps_the_default(tmp_path):
    path = write(tmp_path, "t.yaml", retention("30"))
    assert cfn_lint("-x", "WT2001:min_retention_days=soon", "--", path) == {("WT2001", GROUP_LINE)}


def test_cfn_lint_agrees_with_the_cli_on_every_hygiene_rule(tmp_path, capsys):
    text = variant(("      RetentionInDays: 365\n" + KMS, "      RetentionInDays: 30\n"),
                   (VALIDATION, "      EventSelectors: [{ReadWriteType: WriteOnly}]\n"),
                   (GRANT, "                Action: 'logs:*'\n                Resource: '*'\n"),
                   extra="""\
                   Ship:
                     Type: AWS::Logs::SubscriptionFilter
                     Properties: {LogGroupName: !Ref TrailLogs, FilterPattern: '', DestinationArn: 'arn:aws:logs:us-east-1:444455556666:destination:x'}
                   """)
    path = write(tmp_path, "t.yaml", text)
    main(["--format", "json", str(path)])
    cli = {(f["rule"], f["line"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {rule for rule, _ in cli} == set(catalog.HYGIENE)
    assert cfn_lint("--", path) == cli


def test_the_adapter_keys_its_cache_on_the_options(scripted):
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    def run(**configure):
        return lint(retention("30"), config=ManualArgs(append_rules=["cfn_trailwatch.rules"],
                                                       configure_rules=configure))

    run()
    assert len(scripted) == 1 and scripted[0].rule_options == {}
    run(WT2001={"min_retention_days": "400"})
    # The rules at their defaults share one analysis; WT2001 with its option gets its own.
    assert [o.rule_options for o in scripted[1:]] in (
        [{}, {"WT2001": {"min_retention_days": 400}}], [{"WT2001": {"min_retention_days": 400}}, {}])
