"""The trail analysis on small templates: evidence, scenarios, regions and isolation of failures."""

from __future__ import annotations

import textwrap

import pytest

from cfn_trailwatch import catalog, trail
from cfn_trailwatch.load import load_text


def analyse(text: str, **options):
    """The core rules' findings (the hygiene rules WT2001–IT2006 have tests/test_hygiene.py)."""
    result = trail.analyse(load_text(textwrap.dedent(text), "t.yaml").data, trail.Options(**options))
    result.findings = [f for f in result.findings if f.rule in catalog.CORE]
    return result


def rules(text: str, **options) -> set[tuple[str, str, str]]:
    return {(f.rule, f.resource, f.path[-1]) for f in analyse(text, **options).findings}


ROLE = """\
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
"""

NAMED_BY_PARAMETERS = """\
Parameters:
  GroupName: {Type: String, Default: /trail/logs}
  RoleName: {Type: String, Default: trail-role}
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Ref GroupName
""" + ROLE + """\
  Policy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref RoleName]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [logs:CreateLogStream, logs:PutLogEvents]
            Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${GroupName}:log-stream:*
"""


def test_names_set_by_parameters_follow_the_same_choice_everywhere():
    # Whatever value GroupName and RoleName take, the policy names the same group and role.
    assert rules(NAMED_BY_PARAMETERS) == set()


def test_a_given_parameter_value_is_used():
    assert rules(NAMED_BY_PARAMETERS, parameters={"GroupName": "/other", "RoleName": "r"}) == set()


def test_evidence_and_scenario_of_a_finding():
    report = analyse("""\
        Parameters:
          Mode: {Type: String, AllowedValues: ["on", "off"], Default: "on"}
        Conditions:
          IsOn: !Equals [!Ref Mode, "on"]
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: b
              CloudWatchLogsLogGroupArn: !If [IsOn, !GetAtt Group.Arn, !Ref AWS::NoValue]
              CloudWatchLogsRoleArn: !GetAtt Role.Arn
          Group:
            Type: AWS::Logs::LogGroup
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
        """)
    by_rule = {f.rule: f for f in report.findings}
    assert set(by_rule) == {"ET1001", "ET1005", "ET1006"}  # no policy at all: ET1006 too
    missing = by_rule["ET1001"]
    assert missing.scenario_dict() == {"IsOn": False, "Mode": "off"}
    assert missing.path == ("Resources", "Trail", "Properties", "CloudWatchLogsLogGroupArn")
    assert "[when IsOn=false, Mode='off']" in missing.message
    assert missing.evidence == ("CloudWatchLogsLogGroupArn: !If [IsOn, !GetAtt Group.Arn, !Ref 'AWS::NoValue']",)
    trust = by_rule["ET1005"]
    # the trust policy fails whichever way IsOn goes: the finding names no scenario, and its
    # evidence keeps the path the analysis followed
    assert trust.scenario_dict() == {}
    assert "[when" not in trust.message
    assert trust.evidence[0].endswith("→ log group Group")
    assert trust.evidence[1] == "CloudWatchLogsRoleArn: !GetAtt Role.Arn → role Role"
    assert "trust policy of Role" in trust.evidence[2]
    assert trust.evidence[-1] == "Assumptions: IsOn=true, Mode='on'"
    assert trust.tree()[-1] == (0, "Assumptions: IsOn=true, Mode='on'")


def test_each_region_is_a_scenario():
    text = """\
        Conditions:
          InEurope: !Equals [!Ref AWS::Region, eu-west-1]
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: !If [InEurope, false, true]
              S3BucketName: b
              CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
              CloudWatchLogsRoleArn: !GetAtt Role.Arn
          Group: {Type: AWS::Logs::LogGroup}
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: "logs:*", Resource: !Sub "arn:aws:logs:us-east-1:${AWS::AccountId}:*"}
        """
    assert rules(text) == set()
    found = analyse(text, regions=("us-east-1", "eu-west-1")).findings
    assert {(f.rule, f.path[-1]) for f in found} == {("ET1008", "IsLogging"),
                                                     ("ET1006", "CloudWatchLogsRoleArn")}
    assert all("region=eu-west-1" in f.message for f in found)


def test_a_deny_on_another_literal_group_does_not_touch_a_generated_name():
    text = """\
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: b
              CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
              CloudWatchLogsRoleArn: !GetAtt Role.Arn
          Group: {Type: AWS::Logs::LogGroup}
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: "logs:*", Resource: "*"}
                      - {Effect: Deny, Action: "logs:*", Resource: "arn:aws:logs:*:*:log-group:/aws/audit/*"}
        """
    assert rules(text) == set()


def test_one_failing_trail_does_not_hide_the_others(monkeypatch):
    real = trail.iam.trusts_service

    def flaky(document, *args, **kwargs):
        if "Bad" in str(document):
            raise RuntimeError("boom")
        return real(document, *args, **kwargs)

    monkeypatch.setattr(trail.iam, "trusts_service", flaky)
    report = analyse("""\
        Resources:
          Good:
            Type: AWS::CloudTrail::Trail
            Properties: {IsLogging: true, S3BucketName: b}
          Broken:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: b
              CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
              CloudWatchLogsRoleArn: !GetAtt Role.Arn
          Group: {Type: AWS::Logs::LogGroup}
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: [{Sid: Bad, Effect: Allow}]}
        """)
    assert {(f.rule, f.resource) for f in report.findings} == {("ET1001", "Good"), ("ET1002", "Good")}
    [(trail_id, message)] = report.errors
    assert trail_id == "Broken" and "RuntimeError: boom" in message


@pytest.mark.parametrize("value, rule", [
    ("!Ref Group", "ET1003"),
    ("!GetAtt Group.Arn", None),
    ("!Sub '${Group.Arn}'", None),
    ("!Join ['', ['arn:', !Ref AWS::Partition, ':logs:', !Ref AWS::Region, ':', !Ref AWS::AccountId, ':log-group:', !Ref Group, ':*']]", None),
    ("!Sub 'arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:${Group}'", "ET1003"),
    ("!GetAtt Role.Arn", "ET1003"),
    ("!ImportValue shared-group-arn", "WT1007"),
    # a literal account the user did not declare (--account-id) may be another account's
    ("arn:aws:logs:us-east-1:123456789012:log-group:/named:*", "WT1007"),
    ("'not an arn'", "ET1003"),
])
def test_ways_of_naming_the_log_group(value, rule):
    text = f"""\
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: b
              CloudWatchLogsLogGroupArn: {value}
              CloudWatchLogsRoleArn: !GetAtt Role.Arn
          Group:
            Type: AWS::Logs::LogGroup
            Properties: {{LogGroupName: /named}}
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {{Effect: Allow, Principal: {{Service: cloudtrail.amazonaws.com}}, Action: sts:AssumeRole}}
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement:
                      - {{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: "*"}}
        """
    got = {r for r, _, key in rules(text) if key == "CloudWatchLogsLogGroupArn"}
    assert got == ({rule} if rule else set())


# --- a literal ARN names one resource: partition, region, account and path all count ---------

_LINKED = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: {group}
      CloudWatchLogsRoleArn: {role}
  Group:
    Type: AWS::Logs::LogGroup
    Properties: {{LogGroupName: /aws/cloudtrail/main}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: delivery
      Path: {path}
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: cloudtrail.amazonaws.com}}, Action: sts:AssumeRole}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: !GetAtt Group.Arn}}
"""
_GROUP_HERE = "!Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/cloudtrail/main:*"
_ROLE_HERE = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/delivery"


def linked(group=_GROUP_HERE, role=_ROLE_HERE, path="/", **options):
    text = _LINKED.format(group=group, role=role, path=path)
    return sorted((f.rule, f.path[-1], f.message) for f in analyse(text, **options).findings
                  if f.rule[1:3] == "T1")


def test_literal_arns_in_the_deployments_place_link_to_the_template():
    assert linked() == []
    assert linked(group=_GROUP_HERE.replace("${AWS::AccountId}", "111122223333"),
                  account_id="111122223333") == []
    assert linked(role="!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/service/delivery",
                  path="/service/") == []


def test_a_log_group_in_another_region_is_not_the_templates():
    # linked by its name it passed; the group is created in us-east-1 and the grant covers
    # only those streams, so the eu-west-1 group is another one: unverifiable, never a pass
    found = {(rule, key): message for rule, key, message in linked(
        group=_GROUP_HERE.replace("${AWS::Region}", "eu-west-1"))}
    assert found[("WT1007", "CloudWatchLogsLogGroupArn")] == (
        "Trail Trail: arn:aws:logs:eu-west-1:${AWS::AccountId}:log-group:/aws/cloudtrail/main:* "
        "names a log group in another region (eu-west-1, not us-east-1), so it cannot be shown to "
        "be the template's log group Group")
    # the grant (!GetAtt Group.Arn, us-east-1) is checked against the streams of the ARN as
    # written (eu-west-1): it does not cover them
    assert found[("ET1006", "CloudWatchLogsRoleArn")] == (
        "Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents on the log "
        "streams of /aws/cloudtrail/main (policies followed: inline policy p of role Role)")
    assert len(found) == 2


def test_a_log_group_in_another_account_or_partition_is_et1003():
    [(rule, _, message)] = linked(group=_GROUP_HERE.replace("${AWS::AccountId}", "444455556666"),
                                  account_id="111122223333")
    assert rule == "ET1003"
    assert message == ("Trail Trail: arn:aws:logs:us-east-1:444455556666:log-group:/aws/cloudtrail/"
                       "main:* names a log group in another account (444455556666, not 111122223333); "
                       "CloudTrail delivers only to a log group in the trail's own account")
    [(rule, _, message)] = linked(group=_GROUP_HERE.replace("${AWS::Partition}", "aws-cn"))
    assert rule == "ET1003" and "in another partition (aws-cn, not aws)" in message


def test_a_literal_account_not_declared_cannot_be_shown_to_be_the_deployments():
    found = linked(group=_GROUP_HERE.replace("${AWS::AccountId}", "444455556666"))
    assert found[0][:2] == ("WT1007", "CloudWatchLogsLogGroupArn")
    assert "in the account 444455556666, which cannot be shown to be the deployment's " \
           "AWS::AccountId (declare it with --account-id)" in found[0][2]


def test_a_role_arn_without_the_roles_path_names_another_role():
    [(rule, key, message)] = linked(path="/service/")
    assert (rule, key) == ("WT1007", "CloudWatchLogsRoleArn")
    assert message == ("Trail Trail: arn:aws:iam::${AWS::AccountId}:role/delivery has the path /, "
                       "not the path /service/ of role Role: it names another role, whose trust "
                       "and permissions cannot be verified here")


def test_a_role_in_another_account_is_et1004():
    [(rule, _, message)] = linked(role=_ROLE_HERE.replace("${AWS::AccountId}", "444455556666"),
                                  account_id="111122223333")
    assert rule == "ET1004"
    assert message == ("Trail Trail: arn:aws:iam::444455556666:role/delivery names a role in another "
                       "account (444455556666, not 111122223333); CloudTrail needs a role in the "
                       "trail's own account")


# --- ET1006 names the streams it lacks ---------------------------------------------------------

def _org_grants(*statements: str) -> list[str]:
    text = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsOrganizationTrail: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
  Group:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: org-trail}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
""" + "".join(f"              - {statement}\n" for statement in statements)
    return [f.message for f in analyse(text).findings if f.rule == "ET1006"]


_GROUP_ARN = "arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:org-trail"


def test_et1006_names_the_organizations_streams_when_only_they_are_missing():
    assert _org_grants("{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], "
                       f"Resource: !Sub '{_GROUP_ARN}:log-stream:${{AWS::AccountId}}_CloudTrail_*'}}") == [
        "Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents on the "
        "organization's log streams (o-${organization-id}_*) of org-trail (policies followed: "
        "inline policy p of role Role)"]


def test_et1006_names_the_accounts_streams_when_only_they_are_missing():
    assert _org_grants("{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], "
                       f"Resource: !Sub '{_GROUP_ARN}:log-stream:o-*'}}") == [
        "Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents on the "
        "account's log streams (${AWS::AccountId}_CloudTrail_us-east-1) of org-trail (policies "
        "followed: inline policy p of role Role)"]


def test_et1006_names_each_action_with_the_streams_it_lacks():
    assert _org_grants(
        f"{{Effect: Allow, Action: logs:CreateLogStream, Resource: !Sub '{_GROUP_ARN}:log-stream:o-*'}}",
        f"{{Effect: Allow, Action: logs:PutLogEvents, Resource: !Sub '{_GROUP_ARN}:*'}}") == [
        "Trail Trail: role Role may not logs:CreateLogStream on the account's log streams "
        "(${AWS::AccountId}_CloudTrail_us-east-1) of org-trail (policies followed: inline policy p "
        "of role Role)"]
    assert _org_grants("{Effect: Allow, Action: logs:Describe*, Resource: '*'}") == [
        "Trail Trail: role Role may not logs:CreateLogStream and logs:PutLogEvents on the log "
        "streams of org-trail (policies followed: inline policy p of role Role)"]


# --- a literal ARN names a resource whose name is a parameter with AllowedValues, or an Fn::If -----

_CHOSEN = """\
Parameters:
  Pick: {{Type: String, Default: trail-role, AllowedValues: [trail-role, other-role]}}
  Stage: {{Type: String, Default: prod, AllowedValues: [prod, dev]}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Picked: !Equals [!Ref Pick, trail-role]
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: {group}
      CloudWatchLogsRoleArn: {role}
  Group:
    Type: AWS::Logs::LogGroup
    Properties: {{LogGroupName: {group_name}, RetentionInDays: 7}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {role_name}
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: {service}}}, Action: sts:AssumeRole}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: {grant}
{extra}"""
_CHOSEN_ROLE = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/trail-role"
_CHOSEN_GROUP = "!Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:trail-logs:*"
_CHOSEN_GRANT = "!Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:trail-logs:*"
_ROLE_NOT_HERE = ("Trail Trail: role arn:aws:iam::${AWS::AccountId}:role/trail-role is not in this "
             "template; its trust and permissions cannot be verified here")
_NO_TRUST = ("Trail Trail: role Role does not let cloudtrail.amazonaws.com assume it "
             "(sts:AssumeRole)")


def chosen(group=_CHOSEN_GROUP, role=_CHOSEN_ROLE, group_name="trail-logs", role_name="trail-role",
           service="cloudtrail.amazonaws.com", grant=_CHOSEN_GRANT, extra="", core=True, **options):
    text = _CHOSEN.format(group=group, role=role, group_name=group_name, role_name=role_name,
                          service=service, grant=grant, extra=extra)
    result = trail.analyse(load_text(text, "t.yaml").data, trail.Options(**options))
    assert result.errors == []
    return sorted((f.rule, f.path[-1], f.message) for f in result.findings
                  if f.rule in catalog.CORE or not core and f.rule in ("WT2001", "IT2006"))


def test_a_role_named_by_a_parameter_is_linked_where_the_parameter_names_it():
    assert chosen(role_name="!Ref Pick", service="ec2.amazonaws.com") == [
        ("ET1005", "CloudWatchLogsRoleArn", _NO_TRUST + " [when Pick='trail-role']"),
        ("WT1007", "CloudWatchLogsRoleArn", _ROLE_NOT_HERE + " [when Pick='other-role']")]
    # the second value of the parameter names it just as well
    assert chosen(role=_CHOSEN_ROLE.replace("trail-role", "other-role"), role_name="!Ref Pick",
                  service="ec2.amazonaws.com") == [
        ("ET1005", "CloudWatchLogsRoleArn", _NO_TRUST + " [when Pick='other-role']"),
        ("WT1007", "CloudWatchLogsRoleArn",
         _ROLE_NOT_HERE.replace("trail-role", "other-role") + " [when Pick='trail-role']")]


def test_a_role_named_by_fn_if_is_linked_where_the_condition_names_it():
    assert chosen(role_name="!If [IsProd, trail-role, trail-role-dev]",
                  service="ec2.amazonaws.com") == [
        ("ET1005", "CloudWatchLogsRoleArn", _NO_TRUST + " [when IsProd=true, Stage='prod']"),
        ("WT1007", "CloudWatchLogsRoleArn", _ROLE_NOT_HERE + " [when IsProd=false, Stage='dev']")]


def test_a_fully_literal_role_arn_with_the_declared_account_is_linked_the_same_way():
    assert chosen(role="arn:aws:iam::111122223333:role/trail-role", role_name="!Ref Pick",
                  service="ec2.amazonaws.com", account_id="111122223333") == [
        ("ET1005", "CloudWatchLogsRoleArn", _NO_TRUST + " [when Pick='trail-role']"),
        ("WT1007", "CloudWatchLogsRoleArn", _ROLE_NOT_HERE.replace("${AWS::AccountId}", "111122223333")
         + " [when Pick='other-role']")]


def test_a_delivering_role_named_by_a_parameter_gives_only_the_other_scenarios_warning():
    assert chosen(role_name="!Ref Pick") == [
        ("WT1007", "CloudWatchLogsRoleArn", _ROLE_NOT_HERE + " [when Pick='other-role']")]


def test_roles_that_swap_names_are_each_followed_in_their_scenario():
    standby = """\
  Standby:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !If [Picked, other-role, trail-role]
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: SERVICE}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: "*"}
"""
    assert chosen(role_name="!Ref Pick",
                  extra=standby.replace("SERVICE", "cloudtrail.amazonaws.com")) == []
    assert chosen(role_name="!Ref Pick", extra=standby.replace("SERVICE", "ec2.amazonaws.com")) == [
        ("ET1005", "CloudWatchLogsRoleArn",
         _NO_TRUST.replace("role Role", "role Standby") + " [when Picked=false, Pick='other-role']")]


def test_a_role_whose_choices_never_give_the_name_assumes_nothing_about_them():
    # No value of Pick names the role "elsewhere": the warning holds whatever Pick is.
    assert chosen(role=_CHOSEN_ROLE.replace("trail-role", "elsewhere"), role_name="!Ref Pick") == [
        ("WT1007", "CloudWatchLogsRoleArn", _ROLE_NOT_HERE.replace("trail-role", "elsewhere"))]


def test_a_log_group_named_by_a_parameter_is_checked_where_the_parameter_names_it():
    short = ("Trail Trail: its log group Group keeps events for 7 days, less than the required "
             "365 (min_retention_days)")
    outside = ("Trail Trail: log group trail-logs is not declared in this template; that it "
               "exists cannot be verified here")
    names = "!Ref Pick"
    group = _CHOSEN_GROUP.replace("trail-logs", "trail-role")
    assert chosen(group=group, group_name=names, grant=_CHOSEN_GRANT.replace("trail-logs", "trail-role"),
                  core=False) == [
        ("WT1007", "CloudWatchLogsLogGroupArn",
         outside.replace("trail-logs", "trail-role") + " [when Pick='other-role']"),
        ("WT2001", "CloudWatchLogsLogGroupArn", short + " [when Pick='trail-role']")]
    assert chosen(group_name="!If [IsProd, trail-logs, trail-logs-dev]", core=False) == [
        ("WT1007", "CloudWatchLogsLogGroupArn", outside + " [when IsProd=false, Stage='dev']"),
        ("WT2001", "CloudWatchLogsLogGroupArn", short + " [when IsProd=true, Stage='prod']")]


def test_a_role_named_by_a_parameter_fails_the_cli_with_the_trust_finding(tmp_path, capsys):
    from cfn_trailwatch.cli import main
    path = tmp_path / "t.yaml"
    path.write_text(_CHOSEN.format(group=_CHOSEN_GROUP, role=_CHOSEN_ROLE, group_name="trail-logs",
                                   role_name="!Ref Pick", service="ec2.amazonaws.com",
                                   grant=_CHOSEN_GRANT, extra=""))
    assert main([str(path)]) == 1
    role_line = f"{path}:14:7: "   # the CloudWatchLogsRoleArn line
    assert [line[len(role_line):] for line in capsys.readouterr().out.splitlines()
            if line.startswith(role_line)] == [
        f"ET1005 {_NO_TRUST} [when Pick='trail-role']",
        f"WT1007 {_ROLE_NOT_HERE} [when Pick='other-role']"]
    # trusted by CloudTrail, only the warning for the other value is left: no error
    path.write_text(path.read_text().replace("ec2.amazonaws.com", "cloudtrail.amazonaws.com"))
    assert main([str(path)]) == 0
    assert [line[len(role_line):].split(" ")[0] for line in capsys.readouterr().out.splitlines()
            if line.startswith(role_line)] == ["WT1007"]


def test_the_choices_that_leave_the_name_unmatched_are_named_in_the_warning():
    # The role holds the name when IsProd is true; otherwise the inner Fn::If decides which
    # other name it has, and that choice (Picked) is part of the scenario the warning holds in.
    assert chosen(role_name="!If [IsProd, trail-role, !If [Picked, other-role, spare-role]]",
                  service="ec2.amazonaws.com") == [
        ("ET1005", "CloudWatchLogsRoleArn", _NO_TRUST + " [when IsProd=true, Stage='prod']"),
        ("WT1007", "CloudWatchLogsRoleArn",
         _ROLE_NOT_HERE + " [when IsProd=false, Picked=true, Pick='trail-role', Stage='dev']")]
