"""Fuzzing cfn-trailwatch: Hypothesis strategies for hostile templates, and the oracle that checks
the CLI and the cfn-lint rules on each one. Shared by ``tests/test_fuzz.py`` (a bounded property
test) and ``tools/fuzz.py`` (the long run).

A case is the bytes of one file and its suffix. Three kinds of case:

- ``generated_templates()``: templates built from trails, log groups, roles, IAM policies,
  subscription filters, parameters, conditions, mappings and outputs, whose values come from every
  intrinsic function (long and short form), mostly naming things that exist, sometimes not, with
  junk (null, numbers, booleans, lists, dicts, empty, long and unicode strings) anywhere;
- ``fixture_mutations()``: a fixture parsed, then subtrees replaced, deleted, duplicated, swapped
  or renamed;
- ``text_corruptions()``: a fixture's or a generated template's text truncated, with bytes
  inserted, lines dropped, duplicated or re-indented, re-encoded.

Each is written as JSON, YAML in long form (``yaml.safe_dump``) or YAML in short form (``!Ref``,
``!GetAtt A.B``, ``!Sub`` ... through a small dumper), chosen per case.

``Oracle.check(case)`` runs ``cli.main(["--format", "json", FILE])`` in-process and, when asked,
cfn-lint in-process with our rules appended, and returns the list of properties that failed.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SCHEMA = REPO / "docs" / "json-output.schema.json"

TRAIL = "AWS::CloudTrail::Trail"
LOG_GROUP = "AWS::Logs::LogGroup"
ROLE = "AWS::IAM::Role"

# --- vocabularies ----------------------------------------------------------------------------

PSEUDO = ["AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::NoValue", "AWS::StackName",
          "AWS::StackId", "AWS::URLSuffix", "AWS::NotificationARNs"]
ODD_NAMES = ["", "A.B", "Ünïcødé", "X" * 300, "123", "AWS::Region", "With Space", "Fn::If", "Ref",
             "a-b", "Trail0.Arn", "${Sub}", "\u202e", "null"]
REGIONS = ["us-east-1", "us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1", "", "*",
           "${AWS::Region}", "us-east-?"]
ACCOUNTS = ["123456789012", "123456789012", "111122223333", "*", "", "aws", "12345",
            "${AWS::AccountId}"]
PARTITIONS = ["aws", "aws", "aws-cn", "aws-us-gov", "*", "awz", "${AWS::Partition}"]
ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogStream",
           "logs:PutLogEvents", "logs:*", "logs:Put*", "logs:*LogStream", "*", "sts:AssumeRole",
           "sts:*", "s3:GetObject", "logs:createlogstream", "LOGS:PUTLOGEVENTS",
           "logs:DescribeLogStreams", "logs:CreateLogGroup", "iam:PassRole", "", "logs:"]
MANAGED = ["arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
           "arn:aws:iam::aws:policy/AdministratorAccess",
           "arn:aws:iam::aws:policy/ReadOnlyAccess",
           "arn:aws:iam::aws:policy/PowerUserAccess",
           "arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
           "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
           "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
           "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
           "arn:aws:iam::aws:policy/NoSuchPolicy",
           "arn:aws-cn:iam::aws:policy/CloudWatchLogsFullAccess",
           "arn:${AWS::Partition}:iam::aws:policy/CloudWatchLogsFullAccess",
           "arn:aws:iam::123456789012:policy/Custom", "arn:aws:iam::aws:policy/", "not-an-arn"]
SERVICES = ["cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com", "logs.amazonaws.com",
            "ec2.amazonaws.com", "*", "cloudtrail.amazonaws.com.cn", "CloudTrail.amazonaws.com",
            "cloudtrail.*.amazonaws.com"]
GROUP_NAMES = ["/aws/cloudtrail/audit", "audit-trail", "/aws/cloudtrail/${AWS::StackName}", "*",
               "trail*", "", "a:b", "x" * 600, "日志"]
ROLE_NAMES = ["cloudtrail-to-cwl", "TrailRole", "team/role", "", "role*", "r" * 70]
CONDITION_KEYS = ["aws:SourceArn", "aws:SourceAccount", "aws:RequestedRegion",
                  "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:CurrentTime", "s3:prefix"]
CONDITION_OPS = ["StringEquals", "StringLike", "ArnLike", "ArnEquals", "StringNotEquals",
                 "ForAnyValue:StringLike", "Null", "Bool", "DateGreaterThan", "IpAddress",
                 "StringEqualsIfExists", "Nope"]
RESOURCE_TYPES = [TRAIL, LOG_GROUP, ROLE, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                  "AWS::IAM::RolePolicy", "AWS::Logs::SubscriptionFilter", "AWS::S3::Bucket",
                  "AWS::KMS::Key", "AWS::IAM::User", "AWS::IAM::InstanceProfile",
                  "AWS::CloudFormation::Stack", "Custom::Thing", "AWS::Logs::LogStream",
                  "AWS::SNS::Topic"]
PARAM_TYPES = ["String", "String", "Number", "CommaDelimitedList", "List<Number>",
               "AWS::SSM::Parameter::Value<String>", "AWS::EC2::VPC::Id", "Strung", ""]
RETENTIONS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653, 0, -1,
              "365", "90", "forever", 365.0, 10 ** 20]
UNKNOWN_FUNCTIONS = ["Fn::Foo", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::GetAtt2",
                     "Fn::ForEach::X", "Fn::Cidr", "Rain::Embed"]


@dataclass
class Names:
    """The logical IDs and names a generated template declares, so values mostly refer to them."""

    trails: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)      # Policy / ManagedPolicy / RolePolicy
    others: list[str] = field(default_factory=list)        # filters, buckets, keys, users...
    params: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    mappings: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)

    @property
    def resources(self) -> list[str]:
        return self.trails + self.groups + self.roles + self.policies + self.others


# --- value generation ------------------------------------------------------------------------

class Gen:
    """Draws values inside a ``@st.composite``: ``kind`` says what the value is for (a log group
    ARN, a role ARN, a boolean, a policy document...), so the literals are plausible, and any of
    them may be wrapped in an intrinsic function or replaced by junk. The first branch of every
    choice is the plain one, so Hypothesis shrinks towards plain templates."""

    def __init__(self, draw: Callable, names: Names, noise: int = 30) -> None:
        self.draw = draw
        self.names = names
        self.noise = noise   # % of values that are not plain literals; also scales the junk

    # small helpers
    def pick(self, items: list) -> Any:
        return self.draw(st.sampled_from(items))

    def chance(self, percent: int) -> bool:
        """True with about ``percent`` % probability; shrinks to False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def bad(self, percent: int) -> bool:
        """Junk where plain data belongs: ``percent`` % at a noise of 30, scaled with it."""
        return self.chance(percent * self.noise // 30)

    def roll(self) -> int:
        return self.draw(st.integers(0, 99))

    def count(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def existing(self, items: list[str], missing: str = "Missing") -> str:
        """Mostly one of ``items``; sometimes a name that does not exist, or an odd one."""
        r = self.roll()
        if items and r < 85:
            return self.pick(items)
        if r < 95:
            return self.pick([missing, "Nowhere", "trail0", "AWS::Nope"])
        return self.pick(ODD_NAMES)

    # junk
    def junk(self) -> Any:
        r = self.roll()
        if r < 10:
            return None
        if r < 20:
            return self.draw(st.integers(-(2 ** 70), 2 ** 70))
        if r < 27:
            return self.draw(st.floats(allow_nan=True, allow_infinity=True))
        if r < 37:
            return self.draw(st.booleans())
        if r < 45:
            return ""
        if r < 55:
            return self.draw(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)),
                                      max_size=3))
        if r < 63:
            return self.draw(st.dictionaries(st.text(max_size=6), st.one_of(
                st.none(), st.integers(), st.text(max_size=5)), max_size=3))
        if r < 70:
            return self.pick(["x" * 5000, "€" * 3000, "${" * 200, "!Ref x", "&a", "*a", "- x",
                              "{", "[", "'", '"', "\t", "\n\n", "#", "a: b", "%TAG", "---", "..."])
        if r < 75:
            return {self.pick(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join"]):
                    self.junk_scalar(), "Extra": 1}  # an intrinsic key beside another key
        if r < 80:
            return {}
        if r < 85:
            return []
        return self.draw(st.text(max_size=40))

    def junk_scalar(self) -> Any:
        return self.pick([None, 0, -1, 1.5, True, False, "", "x", [], {}, ["a"], {"a": 1},
                          "A.B.C", ".", "..", 10 ** 30])

    # the generic wrapper
    def value(self, kind: str, depth: int = 0) -> Any:
        if self.roll() >= self.noise:
            return self.literal(kind, depth)
        r = self.roll()
        if depth >= 3:
            r = r % 12 + 50 if r < 95 else r  # deep down: Ref, GetAtt or junk
        if r < 50:
            return self.literal(kind, depth)
        if r < 57:
            return {"Ref": self.ref_target()}
        if r < 62:
            return self.getatt()
        if r < 72:
            return self.sub(kind, depth)
        if r < 76:
            return self.join(kind, depth)
        if r < 83:
            return self.if_(kind, depth)
        if r < 86:
            return self.find_in_map()
        if r < 88:
            return self.select(kind, depth)
        if r < 89:
            return {"Fn::Split": [self.pick([",", ":", "", None]), self.value("str", depth + 1)]}
        if r < 91:
            return {"Fn::ImportValue": self.import_name(depth)}
        if r < 92:
            return {"Fn::GetAZs": self.pick(["", "us-east-1", {"Ref": "AWS::Region"}, None, 3])}
        if r < 93:
            return {"Fn::Base64": self.value("str", depth + 1)}
        if r < 95:
            return {self.pick(UNKNOWN_FUNCTIONS): self.value(kind, depth + 1)}
        return self.junk()

    def ref_target(self) -> str:
        r = self.roll()
        if r < 45:
            return self.existing(self.names.resources)
        if r < 70:
            return self.existing(self.names.params, "MissingParam")
        if r < 95:
            return self.pick(PSEUDO)
        return self.pick(ODD_NAMES)

    def getatt(self, logical_id: str | None = None, attribute: str | None = None) -> Any:
        logical_id = logical_id or self.existing(self.names.resources)
        attribute = attribute or self.pick(["Arn", "Arn", "RoleId", "LogGroupName", "Name", "",
                                            "Arn.Sub", "StreamArn"])
        r = self.roll() if self.bad(50) else 0
        if r < 60:
            return {"Fn::GetAtt": [logical_id, attribute]}
        if r < 85:
            return {"Fn::GetAtt": f"{logical_id}.{attribute}"}
        if r < 90:
            return {"Fn::GetAtt": [logical_id, {"Ref": self.ref_target()}]}
        if r < 95:
            return {"Fn::GetAtt": [logical_id]}
        return {"Fn::GetAtt": self.junk_scalar()}

    def sub_string(self, kind: str, variables: list[str]) -> str:
        """A Sub template: a literal of the kind with some parts replaced by ${...}."""
        base = self.literal(kind, 3)
        text = base if isinstance(base, str) else self.pick(GROUP_NAMES + ROLE_NAMES)
        pieces = [text]
        for _ in range(self.count(0, 3)):
            r = self.roll()
            if r < 30 and variables:
                token = "${%s}" % self.pick(variables)
            elif r < 55:
                token = "${%s}" % self.pick(PSEUDO)
            elif r < 70:
                token = "${%s}" % self.existing(self.names.resources + self.names.params)
            elif r < 82:
                token = "${%s.%s}" % (self.existing(self.names.resources),
                                      self.pick(["Arn", "RoleId", "LogGroupName", "Name", "X.Y"]))
            elif r < 92:
                token = "${!%s}" % self.pick(["Literal", "AWS::Region", "", "X.Arn"])
            else:
                token = self.pick(["${", "}", "${}", "$", "${ Spaced }", "${A${B}}"])
            at = self.count(0, len(pieces))
            pieces.insert(at, token)
        return "".join(pieces)

    def sub(self, kind: str, depth: int) -> Any:
        r = self.roll()
        if r < 55:
            return {"Fn::Sub": self.sub_string(kind, [])}
        if r < 90:
            variables = [self.pick(["Var", "Name", "Group", "Role", "AWS::Region", ""])
                         for _ in range(self.count(0, 3))]
            mapping = {v: self.value("str" if self.chance(50) else kind, depth + 1)
                       for v in variables}
            return {"Fn::Sub": [self.sub_string(kind, variables), mapping]}
        if r < 95:
            return {"Fn::Sub": [self.value("str", depth + 1)]}
        return {"Fn::Sub": self.junk()}

    def join(self, kind: str, depth: int) -> Any:
        r = self.roll()
        literal = self.literal(kind, depth)
        if r < 60 and isinstance(literal, str) and ":" in literal:
            parts: list[Any] = literal.split(":")
            for _ in range(self.count(0, 2)):
                parts[self.count(0, len(parts) - 1)] = self.value("str", depth + 1)
            return {"Fn::Join": [":", parts]}
        if r < 90:
            return {"Fn::Join": [self.pick(["", ":", "/", ","]),
                                 [self.value(kind if self.chance(30) else "str", depth + 1)
                                  for _ in range(self.count(0, 3))]]}
        if r < 95:
            return {"Fn::Join": [self.pick(["", ":"]), self.value("list", depth + 1)]}
        return {"Fn::Join": self.junk()}

    def if_(self, kind: str, depth: int) -> Any:
        r = self.roll()
        condition = self.existing(self.names.conditions, "MissingCondition")
        if r < 85:
            other = {"Ref": "AWS::NoValue"} if self.chance(40) else self.value(kind, depth + 1)
            branches = [self.value(kind, depth + 1), other]
            if self.chance(50):
                branches.reverse()
            return {"Fn::If": [condition] + branches}
        if r < 92:
            return {"Fn::If": [condition, self.value(kind, depth + 1)]}
        if r < 96:
            return {"Fn::If": [self.junk_scalar(), self.value(kind, depth + 1),
                               self.value(kind, depth + 1)]}
        return {"Fn::If": self.junk()}

    def find_in_map(self) -> Any:
        names = self.names
        r = self.roll()
        if names.mappings and r < 80:
            name = self.pick(sorted(names.mappings))
            top = self.pick(sorted(names.mappings[name]) or ["Missing"])
            seconds = names.mappings[name].get(top) or ["Missing"]
            first = {"Ref": "AWS::Region"} if self.chance(25) else top
            second = self.pick(seconds) if self.chance(90) else "Missing"
            if self.chance(10):
                return {"Fn::FindInMap": [name, first, second, {"DefaultValue": "fallback"}]}
            return {"Fn::FindInMap": [name, first, second]}
        if r < 95:
            return {"Fn::FindInMap": ["MissingMap", "a", "b"]}
        return {"Fn::FindInMap": self.junk()}

    def select(self, kind: str, depth: int) -> Any:
        r = self.roll()
        if r < 70:
            items = [self.value(kind, depth + 1) for _ in range(self.count(1, 3))]
            return {"Fn::Select": [self.pick([0, 1, "0", "1", 5, -1]), items]}
        if r < 90:
            return {"Fn::Select": [self.pick([0, "2"]),
                                   {"Fn::Split": [":", self.value(kind, depth + 1)]}]}
        return {"Fn::Select": self.junk()}

    def import_name(self, depth: int) -> Any:
        if self.names.exports and self.chance(50):
            return self.pick(self.names.exports)
        return self.value("str", depth + 1) if self.chance(50) else "shared-log-group-arn"

    # literals per kind
    def literal(self, kind: str, depth: int = 0) -> Any:
        make = getattr(self, "lit_" + kind.replace("-", "_"), None)
        return make(depth) if make is not None else self.lit_str(depth)

    def lit_str(self, depth: int) -> Any:
        return self.pick(["my-trail-bucket", "value", "true", "false", "", "us-east-1",
                          "123456789012", "arn:aws:s3:::bucket", "a,b", "a:b:c"]
                         + GROUP_NAMES + ROLE_NAMES)

    def lit_list(self, depth: int) -> Any:
        return [self.value("str", depth + 1) for _ in range(self.count(0, 3))]

    def lit_bool(self, depth: int) -> Any:
        if not self.bad(40):
            return self.pick([True, True, False, "true", "false"])
        return self.pick([True, True, False, "true", "false", "True", "FALSE", "yes", 1, 0,
                          "1", "on"])

    def lit_int(self, depth: int) -> Any:
        return self.pick(RETENTIONS)

    def arn_parts(self) -> tuple[str, str, str]:
        if self.bad(40):
            return self.pick(PARTITIONS), self.pick(REGIONS), self.pick(ACCOUNTS)
        return (self.pick(["aws", "${AWS::Partition}"]), self.pick(["us-east-1", "${AWS::Region}"]),
                "${AWS::AccountId}")

    def lit_group_arn(self, depth: int) -> Any:
        r = self.roll()
        if r < 60 and self.names.groups:
            return self.getatt(self.pick(self.names.groups), "Arn")
        partition, region, account = self.arn_parts()
        name = self.pick(GROUP_NAMES)
        if self.names.groups and self.chance(50):
            name = "${%s}" % self.pick(self.names.groups)
        suffix = self.pick([":*", ":*", "", ":log-stream:*", ":*:*", "/*"]) if self.bad(30) \
            else ":*"
        service = self.pick(["s3", "iam", "log"]) if self.bad(10) else "logs"
        text = f"arn:{partition}:{service}:{region}:{account}:log-group:{name}{suffix}"
        if "${" in text or self.chance(20):
            return {"Fn::Sub": text}
        if r < 50:
            return {"Ref": self.existing(self.names.groups)}
        return text

    def lit_role_arn(self, depth: int) -> Any:
        r = self.roll()
        if r < 60 and self.names.roles:
            return self.getatt(self.pick(self.names.roles),
                               "Arn" if self.chance(85) else "RoleId")
        partition, _, account = self.arn_parts()
        name = self.pick(ROLE_NAMES)
        if self.names.roles and self.chance(50):
            name = "${%s}" % self.pick(self.names.roles)
        kind = self.pick(["role/service-role", "user", "instance-profile", "group", "policy"]) \
            if self.bad(30) else "role"
        text = f"arn:{partition}:iam::{account}:{kind}/{name}"
        if "${" in text or self.chance(20):
            return {"Fn::Sub": text}
        if r < 50:
            return {"Ref": self.existing(self.names.roles)}
        return text

    def lit_group_name(self, depth: int) -> Any:
        return self.pick(GROUP_NAMES)

    def lit_role_name(self, depth: int) -> Any:
        return self.pick(ROLE_NAMES)

    def lit_kms(self, depth: int) -> Any:
        keys = [n for n in self.names.others if n.startswith("Key")]
        if keys and self.chance(50):
            return self.getatt(self.pick(keys), "Arn")
        return self.pick(["arn:aws:kms:us-east-1:123456789012:key/1234abcd", "alias/aws/logs",
                          "", "arn:aws:kms:us-east-1:123456789012:alias/trail"])

    def lit_action(self, depth: int) -> Any:
        r = self.roll()
        if r < 35:
            return ["logs:CreateLogStream", "logs:PutLogEvents"]
        if r < 60:
            return [self.value("action", depth + 1) if self.chance(10) else self.pick(ACTIONS)
                    for _ in range(self.count(0, 4))]
        return self.pick(ACTIONS)

    def lit_resource(self, depth: int) -> Any:
        r = self.roll()
        if r < 30 and self.names.groups:
            return self.getatt(self.pick(self.names.groups), "Arn")
        if r < 45 and self.names.groups:
            return {"Fn::Sub": "${%s.Arn}" % self.pick(self.names.groups)
                    if self.chance(50) else
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    "${%s}:log-stream:*" % self.pick(self.names.groups)}
        if r < 60:
            return self.pick(["*", "*", "arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:*:*",
                              "arn:aws:logs:us-east-1:123456789012:log-group:*",
                              "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/audit:*",
                              "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/audit"
                              ":log-stream:123456789012_CloudTrail_us-east-1*",
                              "arn:aws:s3:::bucket/*", "arn:aws:logs:*:*:log-group:other:*"])
        if r < 75:
            return [self.value("resource", depth + 1) for _ in range(self.count(0, 3))]
        return self.lit_group_arn(depth)

    def lit_principal(self, depth: int) -> Any:
        r = self.roll() if self.bad(50) else 0
        if r < 50:
            service: Any = self.pick(SERVICES) if self.bad(40) else "cloudtrail.amazonaws.com"
            if self.chance(25):
                service = [self.pick(SERVICES) for _ in range(self.count(0, 3))]
            return {"Service": service}
        if r < 60:
            return "*"
        if r < 70:
            return {"AWS": self.pick(["*", "arn:aws:iam::123456789012:root", "123456789012",
                                      {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}])}
        if r < 80:
            return {"Federated": "cognito-identity.amazonaws.com",
                    "Service": self.pick(SERVICES)}
        return self.value("str", depth + 1)

    def lit_condition_block(self, depth: int) -> Any:
        block: dict[str, Any] = {}
        for _ in range(self.count(1, 2)):
            op = self.pick(CONDITION_OPS)
            block[op] = {self.pick(CONDITION_KEYS): self.value(
                self.pick(["str", "str", "arn_any"]), depth + 1)}
        return block

    def lit_arn_any(self, depth: int) -> Any:
        return self.pick(["arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail0",
                          "arn:aws:cloudtrail:*:123456789012:trail/*", "123456789012",
                          {"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:"
                                      "${AWS::AccountId}:trail/%s" % self.pick(
                                          self.names.trails or ["Trail0"])}, "o-abc123"])

    def statement(self, depth: int, trust: bool) -> Any:
        if self.bad(4):
            return self.junk()
        s: dict[str, Any] = {}
        if self.chance(20):
            s["Sid"] = self.pick(["Deliver", "", "1", None])
        s["Effect"] = self.value("str", depth + 1) if self.bad(10) else "Allow" \
            if self.roll() < 80 else self.pick(["Deny", "Deny", "allow", "Maybe"])
        key = "NotAction" if self.chance(8) else "Action"
        s[key] = (self.pick(["sts:AssumeRole", "sts:AssumeRole", "sts:*", "*",
                             ["sts:AssumeRole", "sts:TagSession"], "sts:AssumeRoleWithSAML"])
                  if trust and self.chance(80) else self.value("action", depth + 1))
        if trust or self.chance(10):
            s["Principal" if self.chance(92) else "NotPrincipal"] = self.value("principal",
                                                                                depth + 1)
        if not trust or self.chance(10):
            s["NotResource" if self.chance(8) else "Resource"] = self.value("resource", depth + 1)
        if self.chance(20):
            s["Condition"] = self.value("condition_block", depth + 1)
        return s

    def lit_policy_doc(self, depth: int, trust: bool = False) -> Any:
        doc: dict[str, Any] = {}
        if self.chance(85):
            doc["Version"] = self.pick(["2012-10-17", "2012-10-17", "2008-10-17", "", 2012])
        if self.chance(95):
            if self.chance(20):
                doc["Statement"] = self.statement(depth + 1, trust)
            else:
                doc["Statement"] = [self.statement(depth + 1, trust)
                                    for _ in range(self.count(0, 3))]
        if self.chance(5):
            return json.dumps(doc)  # a policy document as a JSON string
        return doc

    def lit_trust_doc(self, depth: int) -> Any:
        return self.lit_policy_doc(depth, trust=True)

    def lit_managed_arn(self, depth: int) -> Any:
        policies = [n for n in self.names.policies if n.startswith("Managed")]
        if policies and self.chance(40):
            return {"Ref": self.pick(policies)}
        arn = self.pick(MANAGED)
        return {"Fn::Sub": arn} if "${" in arn else arn

    def lit_role_list(self, depth: int) -> Any:
        items = []
        for _ in range(self.count(0, 2)):
            if self.names.roles and self.chance(60):
                items.append({"Ref": self.pick(self.names.roles)})
            else:
                items.append(self.value(self.pick(["role_name", "str"]), depth + 1))
        return items

    def lit_selectors(self, depth: int) -> Any:
        out = []
        for _ in range(self.count(0, 3)):
            selector: dict[str, Any] = {}
            if self.chance(80):
                selector["ReadWriteType"] = self.value("rw", depth + 1)
            if self.chance(60):
                selector["IncludeManagementEvents"] = self.value("bool", depth + 1)
            if self.chance(30):
                selector["DataResources"] = [{"Type": "AWS::S3::Object",
                                              "Values": ["arn:aws:s3:::"]}]
            if self.chance(10):
                selector["ExcludeManagementEventSources"] = ["kms.amazonaws.com"]
            out.append(selector)
        return out

    def lit_rw(self, depth: int) -> Any:
        return self.pick(["All", "All", "ReadOnly", "WriteOnly", "all", "None"])

    def lit_advanced(self, depth: int) -> Any:
        out = []
        for _ in range(self.count(0, 2)):
            fields = [{"Field": "eventCategory", "Equals": [self.pick(["Management", "Data"])]}]
            if self.chance(50):
                fields.append({"Field": "readOnly", "Equals": [self.value("bool", depth + 1)]})
            if self.chance(20):
                fields.append({"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]})
            out.append({"Name": "sel", "FieldSelectors": fields})
        return out


# --- whole templates -------------------------------------------------------------------------

def _ids(g: Gen, prefix: str, n: int) -> list[str]:
    return [g.pick(ODD_NAMES) if g.bad(3) else f"{prefix}{i}" for i in range(n)]


def _maybe(g: Gen, props: dict, key: str, kind: str, percent: int = 70) -> None:
    if g.chance(percent):
        props[key] = g.value(kind)


def _resource(g: Gen, kind: str, props: dict) -> Any:
    if g.bad(3):
        return g.junk()
    resource: dict[str, Any] = {"Type": g.value("str") if g.bad(3) else kind}
    if g.chance(12):
        resource["Condition"] = g.existing(g.names.conditions, "MissingCondition") \
            if g.chance(90) else g.junk_scalar()
    if g.chance(5):
        resource["DependsOn"] = g.existing(g.names.resources)
    if g.chance(4):
        resource["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": [g.pick(
            ["ET1001", "ET1006", "WT1007", "ET", "W", "E3002"])]}}}
    if g.bad(4):
        resource["Properties"] = g.junk()
    elif props or g.chance(80):
        resource["Properties"] = props
    return resource


def _trail(g: Gen) -> dict:
    p: dict[str, Any] = {}
    _maybe(g, p, "S3BucketName", "str", 90)
    _maybe(g, p, "IsLogging", "bool", 90)
    _maybe(g, p, "CloudWatchLogsLogGroupArn", "group_arn", 85)
    _maybe(g, p, "CloudWatchLogsRoleArn", "role_arn", 85)
    _maybe(g, p, "IsOrganizationTrail", "bool", 20)
    _maybe(g, p, "EnableLogFileValidation", "bool", 50)
    _maybe(g, p, "IsMultiRegionTrail", "bool", 20)
    _maybe(g, p, "EventSelectors", "selectors", 25)
    _maybe(g, p, "AdvancedEventSelectors", "advanced", 8)
    _maybe(g, p, "TrailName", "str", 20)
    return p


def _log_group(g: Gen) -> dict:
    p: dict[str, Any] = {}
    _maybe(g, p, "LogGroupName", "group_name", 50)
    _maybe(g, p, "RetentionInDays", "int", 50)
    _maybe(g, p, "KmsKeyId", "kms", 40)
    return p


def _role(g: Gen) -> dict:
    p: dict[str, Any] = {}
    _maybe(g, p, "AssumeRolePolicyDocument", "trust_doc", 90)
    if g.chance(70):
        p["Policies"] = g.junk() if g.bad(5) else [
            g.junk() if g.bad(10) else
            {"PolicyName": g.value("str"), "PolicyDocument": g.value("policy_doc")}
            for _ in range(g.count(0, 3))]
    if g.chance(30):
        p["ManagedPolicyArns"] = [g.value("managed_arn") for _ in range(g.count(0, 3))]
    _maybe(g, p, "PermissionsBoundary", "managed_arn", 10)
    _maybe(g, p, "RoleName", "role_name", 40)
    _maybe(g, p, "Path", "str", 10)
    return p


def _policy(g: Gen, kind: str) -> dict:
    p: dict[str, Any] = {}
    _maybe(g, p, "PolicyDocument", "policy_doc", 95)
    if kind == "AWS::IAM::RolePolicy":
        _maybe(g, p, "PolicyName", "str", 90)
        if g.chance(90):
            p["RoleName"] = {"Ref": g.existing(g.names.roles)} if g.chance(70) else \
                g.value("role_name")
    else:
        _maybe(g, p, "PolicyName" if kind == "AWS::IAM::Policy" else "ManagedPolicyName",
               "str", 70)
        _maybe(g, p, "Roles", "role_list", 85)
        if g.chance(10):
            p["Users"] = ["someone"]
    return p


def _subscription(g: Gen) -> dict:
    p: dict[str, Any] = {}
    if g.chance(90):
        p["LogGroupName"] = {"Ref": g.existing(g.names.groups)} if g.chance(70) else \
            g.value("group_name")
    _maybe(g, p, "DestinationArn", "str", 90)
    _maybe(g, p, "FilterPattern", "str", 80)
    _maybe(g, p, "RoleArn", "role_arn", 30)
    return p


def _condition(g: Gen, depth: int = 0) -> Any:
    r = g.roll()
    if depth >= 3:
        r %= 50
    if r < 50:
        def side() -> Any:
            s = g.roll()
            if s < 35:
                return {"Ref": g.existing(g.names.params, "MissingParam")}
            if s < 55:
                return {"Ref": "AWS::Region"}
            if s < 85:
                return g.pick(["us-east-1", "eu-west-1", "true", "false", "", "prod", "1"])
            if s < 92:
                return g.find_in_map()
            return g.value("str", depth + 1)
        return {"Fn::Equals": [side(), side()] if g.chance(95) else [side()]}
    if r < 65:
        return {g.pick(["Fn::And", "Fn::Or"]): [_condition(g, depth + 1)
                                                 for _ in range(g.count(0, 3))]}
    if r < 75:
        return {"Fn::Not": [_condition(g, depth + 1)]}
    if r < 92:
        return {"Condition": g.existing(g.names.conditions, "MissingCondition")}
    return g.junk() if g.chance(50) else {"Fn::If": ["X", True, False]}


@st.composite
def generated_data(draw) -> dict:
    """A CloudFormation template as plain data (intrinsics in long form)."""
    names = Names()
    g = Gen(draw, names, draw(st.sampled_from([3, 10, 30, 60])))
    names.trails = _ids(g, "Trail", g.count(0, 3))
    names.groups = _ids(g, "Logs", g.count(0, 3))
    names.roles = _ids(g, "Role", g.count(0, 3))
    policy_kinds = [g.pick(["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"])
                    for _ in range(g.count(0, 3))]
    names.policies = [("Managed" if k.endswith("ManagedPolicy") else "Policy") + str(i)
                      for i, k in enumerate(policy_kinds)]
    filters = [f"Filter{i}" for i in range(g.count(0, 2))]
    extras = [g.pick(["Bucket", "Key", "User", "Profile", "Stack", "Custom", "Topic"]) + str(i)
              for i in range(g.count(0, 2))]
    names.others = filters + extras
    names.params = _ids(g, "Param", g.count(0, 4))
    names.conditions = _ids(g, "Cond", g.count(0, 4))
    for i in range(g.count(0, 2)):
        names.mappings[f"Map{i}"] = {top: ["Arn", "Name", "Days"]
                                     for top in g.pick([["us-east-1", "eu-west-1"], ["prod", "dev"],
                                                        ["Default"]])}
    names.exports = [g.pick(["shared-logs-arn", "shared-role-arn", ""])
                     for _ in range(g.count(0, 1))]

    template: dict[str, Any] = {}
    if g.chance(60):
        template["AWSTemplateFormatVersion"] = "2010-09-09" if g.chance(95) else g.junk_scalar()
    if g.chance(15):
        template["Description"] = g.value("str")
    if names.params:
        params: dict[str, Any] = {}
        for name in names.params:
            if g.bad(4):
                params[name] = g.junk()
                continue
            kind = g.pick(["group_arn", "role_arn", "bool", "int", "group_name", "role_name",
                           "str", "kms"])
            p: dict[str, Any] = {"Type": g.pick(PARAM_TYPES)}
            if g.chance(70):
                p["Default"] = g.junk() if g.bad(15) else g.literal(kind)
            if g.chance(30):
                p["AllowedValues"] = g.junk() if g.bad(10) else \
                    [g.literal(kind) for _ in range(g.count(0, 3))]
            if g.chance(5):
                p["NoEcho"] = True
            params[name] = p
        template["Parameters"] = params
    if names.mappings:
        mappings: dict[str, Any] = {}
        for name, tops in names.mappings.items():
            mappings[name] = {top: {second: g.value(g.pick(["group_arn", "role_arn", "int",
                                                           "group_name", "str"]), 2)
                                    for second in seconds}
                              for top, seconds in tops.items()}
        template["Mappings"] = mappings
    if names.conditions:
        template["Conditions"] = {name: _condition(g) for name in names.conditions}
    resources: dict[str, Any] = {}
    for name in names.trails:
        resources[name] = _resource(g, TRAIL, _trail(g))
    for name in names.groups:
        resources[name] = _resource(g, LOG_GROUP, _log_group(g))
    for name in names.roles:
        resources[name] = _resource(g, ROLE, _role(g))
    for name, kind in zip(names.policies, policy_kinds):
        resources[name] = _resource(g, kind, _policy(g, kind))
    for name in filters:
        resources[name] = _resource(g, "AWS::Logs::SubscriptionFilter", _subscription(g))
    for name in extras:
        kind = {"Bucket": "AWS::S3::Bucket", "Key": "AWS::KMS::Key", "User": "AWS::IAM::User",
                "Profile": "AWS::IAM::InstanceProfile", "Stack": "AWS::CloudFormation::Stack",
                "Custom": "Custom::Thing", "Topic": "AWS::SNS::Topic"}[name.rstrip("0123456789")]
        resources[name] = _resource(g, kind, {})
    template["Resources"] = resources
    if names.exports or g.chance(10):
        template["Outputs"] = {f"Out{i}": {"Value": g.value(g.pick(["group_arn", "role_arn"])),
                                           "Export": {"Name": export}}
                               for i, export in enumerate(names.exports or ["x"])}
    # junk in a top-level position, now and then
    if g.bad(5):
        section = g.pick(["Resources", "Parameters", "Conditions", "Mappings", "Outputs",
                          "AWSTemplateFormatVersion", "Transform2"])
        template[section] = g.junk()
    return template


# --- serialisation ---------------------------------------------------------------------------

class _Tagged:
    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _ShortDumper(yaml.SafeDumper):
    """YAML with the short-form tags (``!Ref X``, ``!GetAtt A.B``, ``!Sub``...)."""


def _represent_tagged(dumper: yaml.SafeDumper, item: _Tagged) -> yaml.Node:
    if isinstance(item.value, list):
        return dumper.represent_sequence(item.tag, item.value)
    if isinstance(item.value, dict):
        return dumper.represent_mapping(item.tag, item.value)
    return dumper.represent_scalar(item.tag, "" if item.value is None else str(item.value))


_ShortDumper.add_representer(_Tagged, _represent_tagged)


def _is_intrinsic_key(key: str) -> bool:
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _to_short(data: Any, rnd: random.Random) -> Any:
    if isinstance(data, list):
        return [_to_short(item, rnd) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (key, value), = data.items()
        if isinstance(key, str) and _is_intrinsic_key(key) and rnd.random() < 0.85:
            tag = "!" + (key[4:] if key.startswith("Fn::") else key)
            if key == "Fn::GetAtt" and isinstance(value, list) and len(value) == 2 \
                    and all(isinstance(v, str) for v in value) and rnd.random() < 0.7:
                return _Tagged(tag, f"{value[0]}.{value[1]}")
            return _Tagged(tag, _to_short(value, rnd))
    return {key: _to_short(value, rnd) for key, value in data.items()}


_QUOTED_TAG = re.compile(r"(![A-Za-z:]+) '([A-Za-z0-9][A-Za-z0-9_.:/-]*)'")


def serialise(data: Any, style: str, rnd: random.Random) -> tuple[bytes, str]:
    """``data`` as file content in ``style`` (json, yaml-long, yaml-short); and a suffix."""
    if style == "json":
        indent = rnd.choice([None, 1, 2, 4, "\t"])
        text = json.dumps(data, indent=indent, ensure_ascii=rnd.random() < 0.5)
        return text.encode("utf-8"), rnd.choice([".json", ".json", ".template"])
    options = dict(default_flow_style=rnd.choice([False, False, False, None, True]),
                   allow_unicode=rnd.random() < 0.5, sort_keys=False,
                   indent=rnd.choice([2, 2, 4, 3]), width=rnd.choice([80, 40, 4096]))
    if style == "yaml-short":
        text = yaml.dump(_to_short(data, rnd), Dumper=_ShortDumper, **options)
        if rnd.random() < 0.8:  # PyYAML quotes every tagged scalar; people write `!Ref X`
            text = _QUOTED_TAG.sub(r"\1 \2", text)
    else:
        text = yaml.safe_dump(data, **options)
    return text.encode("utf-8"), rnd.choice([".yaml", ".yaml", ".yml", ".template"])


STYLES = ["yaml-short", "yaml-long", "json"]


@dataclass
class Case:
    content: bytes
    suffix: str
    label: str    # how it was made, e.g. "generated/yaml-short" or "corrupt:ET1001/x.yaml"
    data: Any = field(default=None, repr=False)   # the data it was serialised from, if any

    def text(self) -> str:
        return self.content.decode("utf-8", "backslashreplace")


@st.composite
def generated_templates(draw) -> Case:
    data = draw(generated_data())
    style = draw(st.sampled_from(STYLES))
    rnd = draw(st.randoms(use_true_random=False))
    content, suffix = serialise(data, style, rnd)
    return Case(content, suffix, f"generated/{style}", data)


# --- fixtures and their mutations ------------------------------------------------------------

def _fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file()
                  and p.suffix in (".yaml", ".yml", ".json"))


_FIXTURES: list[tuple[str, bytes, Any]] | None = None


def fixtures() -> list[tuple[str, bytes, Any]]:
    """(name, raw bytes, data) of every fixture; the data read with PyYAML's safe loader after
    turning short-form tags into long form, independently of the engine's loader."""
    global _FIXTURES
    if _FIXTURES is None:
        loaded = []
        for path in _fixture_files():
            raw = path.read_bytes()
            try:
                data = yaml.load(raw.decode("utf-8"), Loader=_LongFormLoader)
            except yaml.YAMLError:
                continue
            loaded.append((str(path.relative_to(FIXTURES)), raw, data))
        _FIXTURES = loaded
    return _FIXTURES


class _LongFormLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading ``!Tag x`` as ``{"Fn::Tag": x}`` (``!Ref``/``!Condition``
    plain, ``!GetAtt A.B`` split)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    key = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_LongFormLoader.add_multi_constructor("!", _construct_tag)


def _names_of(data: Any) -> Names:
    names = Names()
    if not isinstance(data, dict):
        return names
    resources = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        {TRAIL: names.trails, LOG_GROUP: names.groups, ROLE: names.roles,
         "AWS::IAM::ManagedPolicy": names.policies}.get(kind, names.others).append(logical_id)
    for section, target in (("Parameters", names.params), ("Conditions", names.conditions)):
        if isinstance(data.get(section), dict):
            target.extend(data[section])
    return names


def _slots(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path into ``data`` (the root excluded)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append(path + (key,))
            out.extend(_slots(value, path + (key,)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.append(path + (index,))
            out.extend(_slots(value, path + (index,)))
    return out


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def mutate_data(g: Gen, data: Any) -> Any:
    """1-4 structural mutations of ``data`` (a deep copy)."""
    data = copy.deepcopy(data)
    for _ in range(g.count(1, 4)):
        slots = _slots(data)
        if not slots:
            return g.junk() if g.chance(50) else data
        path = g.pick(slots)
        parent = _get(data, path[:-1])
        key = path[-1]
        op = g.roll()
        if op < 35:       # replace with a fresh value of any kind
            parent[key] = g.value(g.pick(["str", "group_arn", "role_arn", "bool", "int",
                                          "policy_doc", "trust_doc", "resource", "action",
                                          "principal", "managed_arn", "list"]))
        elif op < 50:     # replace with junk
            parent[key] = g.junk()
        elif op < 65:     # delete
            del parent[key]
        elif op < 78:     # duplicate a subtree elsewhere
            other = g.pick(slots)
            target = _get(data, other[:-1])
            value = copy.deepcopy(_get(data, path))
            if isinstance(target, dict):
                target[other[-1] if g.chance(50) else f"{other[-1]}2"] = value
            elif isinstance(target, list):
                target.insert(other[-1], value)
        elif op < 88:     # swap two subtrees
            other = g.pick(slots)
            if path[:len(other)] != other and other[:len(path)] != path:  # neither inside
                a, b = _get(data, path), _get(data, other)
                other_parent = _get(data, other[:-1])
                parent[key], other_parent[other[-1]] = b, a
        else:             # rename a key (breaks references, or turns Ref into Fn::Foo)
            if isinstance(parent, dict):
                value = parent.pop(key)
                parent[g.pick(["Fn::Foo", "Ref", "Fn::Sub", "Condition", "Properties", "Type",
                               f"{key}X", "", "Fn::GetAtt"])] = value
    slots = _slots(data)
    if slots and g.chance(15):  # share one subtree in a second place: YAML anchor and alias
        path, other = g.pick(slots), g.pick(slots)
        if path[:len(other)] != other and other[:len(path)] != path:  # neither inside: no cycle
            target = _get(data, other[:-1])
            target[other[-1]] = _get(data, path)
    return data


@st.composite
def fixture_mutations(draw) -> Case:
    name, _, data = draw(st.sampled_from(fixtures()))
    g = Gen(draw, _names_of(data))
    mutated = mutate_data(g, data)
    style = draw(st.sampled_from(STYLES))
    rnd = draw(st.randoms(use_true_random=False))
    try:
        content, suffix = serialise(mutated, style, rnd)
    except (RecursionError, yaml.YAMLError, ValueError, TypeError):
        content, suffix = serialise(data, style, rnd)
        mutated = data
    return Case(content, suffix, f"mutated:{name}/{style}", mutated)


def corrupt_bytes(g: Gen, raw: bytes) -> bytes:
    """1-3 text-level corruptions of ``raw``."""
    for _ in range(g.count(1, 3)):
        op = g.roll()
        at = g.count(0, len(raw))
        lines = raw.split(b"\n")
        line = g.count(0, max(len(lines) - 1, 0))
        if op < 15:
            raw = raw[:at]
        elif op < 32:
            raw = raw[:at] + g.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif op < 42:
            raw = raw[:at] + g.pick([b":", b"- ", b"{", b"}", b"[", b"]", b"'", b'"', b"&a ",
                                     b"*a", b"!", b"!!python/object:os.system ", b"\t", b"#",
                                     b"\n---\n", b"%YAML 1.1\n", b"\\", b"<<: *a\n",
                                     b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3"]) + raw[at:]
        elif op < 50:
            raw = raw[:at] + raw[at + g.count(1, 40):]
        elif op < 65:     # break the indentation of one line
            text = lines[line]
            if g.chance(50):
                lines[line] = b" " * g.count(1, 3) + text
            elif g.chance(30):
                lines[line] = b"\t" + text
            else:
                lines[line] = text[g.count(1, 3):]
            raw = b"\n".join(lines)
        elif op < 75:     # duplicate a line (often a duplicate key)
            lines.insert(line, lines[line] if lines else b"")
            raw = b"\n".join(lines)
        elif op < 82:     # drop a line
            if lines:
                del lines[line]
            raw = b"\n".join(lines)
        elif op < 88:     # swap two lines
            other = g.count(0, max(len(lines) - 1, 0))
            if lines:
                lines[line], lines[other] = lines[other], lines[line]
            raw = b"\n".join(lines)
        elif op < 94:     # another encoding, or a BOM
            encoding = g.pick(["utf-16", "utf-16-le", "utf-32", "latin-1", "bom"])
            text = raw.decode("utf-8", "replace")
            raw = b"\xef\xbb\xbf" + raw if encoding == "bom" else \
                text.encode(encoding, "replace")
        else:             # CRLF or lone CR line ends
            raw = raw.replace(b"\n", g.pick([b"\r\n", b"\r"]))
    return raw


@st.composite
def text_corruptions(draw) -> Case:
    g = Gen(draw, Names())
    if g.chance(50):
        name, raw, _ = draw(st.sampled_from(fixtures()))
        label = f"corrupt:{name}"
        suffix = Path(name).suffix
    else:
        case = draw(generated_templates())
        raw, suffix, label = case.content, case.suffix, f"corrupt:{case.label}"
    return Case(corrupt_bytes(g, raw), suffix, label)


@st.composite
def explosive_templates(draw, max_depth: int = 9) -> Case:
    """Templates that multiply scenarios: many parameters with AllowedValues, conditions over
    them, and Fn::If nested deep in the trail's, the role's and the policies' values; or
    reference chains through Sub, FindInMap and Select. They probe the scenario and depth
    bounds (and the time a template may take)."""
    names = Names(trails=["Trail"], groups=["Logs"], roles=["Role"],
                  params=[f"P{i}" for i in range(draw(st.integers(1, 14)))])
    names.conditions = [f"C{i}" for i in range(draw(st.integers(1, 16)))]
    g = Gen(draw, names, noise=draw(st.sampled_from([3, 10])))
    width = draw(st.integers(2, 6))
    params = {name: {"Type": "String", "Default": "v0",
                     "AllowedValues": [f"v{i}" for i in range(width)]} for name in names.params}
    conditions: dict[str, Any] = {}
    for i, name in enumerate(names.conditions):
        r = g.roll()
        if r < 60 or i == 0:
            conditions[name] = {"Fn::Equals": [{"Ref": g.pick(names.params)},
                                               f"v{g.count(0, width - 1)}"]}
        elif r < 85:
            conditions[name] = {g.pick(["Fn::And", "Fn::Or"]): [
                {"Condition": g.pick(names.conditions[:i])} for _ in range(g.count(2, 4))]}
        else:
            conditions[name] = {"Fn::Not": [{"Condition": g.pick(names.conditions)}]}

    def nest(kind: str, depth: int) -> Any:
        if depth == 0:
            return g.literal(kind, 3)
        return {"Fn::If": [g.pick(names.conditions), nest(kind, depth - 1),
                           nest(kind, depth - 1) if g.chance(50) else g.literal(kind, 3)]}

    deep = draw(st.integers(1, max_depth))
    statement = {"Effect": "Allow", "Action": nest("action", min(deep, 4)),
                 "Resource": nest("resource", min(deep, 5))}
    template = {
        "Parameters": params, "Conditions": conditions,
        "Resources": {
            "Logs": {"Type": LOG_GROUP, "Properties": {"RetentionInDays": nest("int", deep)}},
            "Role": {"Type": ROLE, "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"Service": nest("str", min(deep, 3))}}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": [statement] * g.count(1, 6)}}]}},
            "Trail": {"Type": TRAIL, "Properties": {
                "S3BucketName": "b", "IsLogging": nest("bool", min(deep, 3)),
                "CloudWatchLogsLogGroupArn": nest("group_arn", deep),
                "CloudWatchLogsRoleArn": nest("role_arn", deep)}}}}
    if g.chance(30):  # a long chain of Sub variables and Selects
        chain: Any = {"Fn::GetAtt": ["Logs", "Arn"]}
        for _ in range(g.count(5, 60)):
            chain = g.pick([{"Fn::Sub": ["${X}", {"X": chain}]},
                            {"Fn::Select": [0, [chain, "x"]]},
                            {"Fn::Join": ["", [chain]]}])
        template["Resources"]["Trail"]["Properties"]["CloudWatchLogsLogGroupArn"] = chain
    style = draw(st.sampled_from(STYLES))
    rnd = draw(st.randoms(use_true_random=False))
    content, suffix = serialise(template, style, rnd)
    return Case(content, suffix, f"explosive/{style}", template)


@st.composite
def cases(draw) -> Case:
    """The mix the long run uses: 58 % generated, 2 % explosive, 25 % fixture mutations, 15 %
    corruptions."""
    r = draw(st.integers(0, 99))
    if r < 58:
        return draw(generated_templates())
    if r < 60:
        return draw(explosive_templates())
    if r < 85:
        return draw(fixture_mutations())
    return draw(text_corruptions())


# --- the oracle ------------------------------------------------------------------------------

class _LongFormCLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader")  # type: ignore[misc]
                       else yaml.SafeLoader):
    pass


_LongFormCLoader.add_multi_constructor("!", _construct_tag)


def _trails_read_independently(content: bytes) -> int:
    """How many trails PyYAML's own safe loader finds in the file (0 when it cannot read it)."""
    try:
        data = yaml.load(content, Loader=_LongFormCLoader)
    except Exception:  # noqa: BLE001 - unreadable here: nothing to compare
        return 0
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return 0
    return sum(1 for r in resources.values() if isinstance(r, dict) and r.get("Type") == TRAIL)


def _has_nan_or_inf(data: Any) -> bool:
    if isinstance(data, float):
        return data != data or data in (float("inf"), float("-inf"))
    if isinstance(data, dict):
        return any(_has_nan_or_inf(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_nan_or_inf(v) for v in data)
    return False


def _first_difference(a: Any, b: Any, path: tuple = ()) -> str:
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                       and not isinstance(a, bool) and not isinstance(b, bool)):
        return f"at {list(path)}: {a!r:.120} ({type(a).__name__}) != {b!r:.120} ({type(b).__name__})"
    if isinstance(a, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"at {list(path)}: key {key!r} only on one side"
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], path + (key,))
    if isinstance(a, list):
        if len(a) != len(b):
            return f"at {list(path)}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, path + (index,))
    return f"at {list(path)}: {a!r:.120} != {b!r:.120}"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# Bugs the fuzzer found that are not fixed yet: name -> a test of a problem's text. A problem
# that matches goes to ``Outcome.known`` instead of ``Outcome.problems``, so the property tests
# keep looking for new bugs; each has an xfail(strict) regression test in tests/test_fuzz.py.
# Remove the entry when the bug is fixed (the regression test then passes).
KNOWN_BUGS: dict[str, Callable[[str, "Case"], bool]] = {
}


@dataclass
class Outcome:
    problems: list[str]                       # failed properties; empty when all held
    code: int | None = None
    report: dict | None = None
    parity: str = "not run"                   # compared / skipped: <why> / not run
    notes: list[str] = field(default_factory=list)   # not failures (cfn-lint's own crashes...)
    known: dict[str, list[str]] = field(default_factory=dict)   # KNOWN_BUGS hits
    seconds: float = 0.0                      # the time cli.main took

    def sort_known(self, case: "Case") -> "Outcome":
        for problem in list(self.problems):
            for name, matches in KNOWN_BUGS.items():
                if matches(problem, case):
                    self.known.setdefault(name, []).append(problem)
                    self.problems.remove(problem)
                    break
        return self


class Oracle:
    """Runs one case through the CLI (always) and cfn-lint (when asked) and checks the
    properties. Files are written into ``workdir``, which is also the working directory while
    the CLI runs, so no configuration file of the repository applies."""

    def __init__(self, workdir: str | None = None) -> None:
        import jsonschema

        from cfn_trailwatch import catalog
        from cfn_trailwatch.cli import main

        self.main = main
        # An own directory is removed by close() (or the with block); a given one is kept.
        self._tempdir = None if workdir else tempfile.TemporaryDirectory(prefix="trailwatch-fuzz-")
        self.workdir = workdir or self._tempdir.name
        self.validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
        self.ours = set(catalog.rules())
        self.errors_by_severity = {rule: meta.severity for rule, meta in catalog.rules().items()}
        self._lint: Any = None

    def close(self) -> None:
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def __enter__(self) -> "Oracle":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # cfn-lint, set up once (loading its rules takes about a second)
    def _cfn_lint(self):
        if self._lint is None:
            from cfnlint.config import ConfigMixIn, ManualArgs
            from cfnlint.runner import Runner

            config = ConfigMixIn(**ManualArgs(append_rules=["cfn_trailwatch.rules"],
                                              include_checks=["I"]))
            self._lint = (config, Runner(config).rules)
        return self._lint

    def write(self, case: Case) -> str:
        path = os.path.join(self.workdir, "case" + case.suffix)
        for old in os.listdir(self.workdir):
            if old.startswith("case"):
                os.unlink(os.path.join(self.workdir, old))
        with open(path, "wb") as handle:
            handle.write(case.content)
        return path

    def run_cli(self, path: str) -> tuple[int | None, str, str, str | None]:
        out, err = io.StringIO(), io.StringIO()
        here = os.getcwd()
        crash = None
        code = None
        try:
            os.chdir(self.workdir)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = self.main(["--format", "json", path])
        except SystemExit as stop:
            crash = f"SystemExit({stop.code!r}) escaped cli.main"
        except Exception as exc:  # noqa: BLE001 - that is the bug being looked for
            import traceback
            crash = f"exception escaped cli.main: {type(exc).__name__}: {exc}\n" + \
                "".join(traceback.format_exc(limit=-6))
        finally:
            os.chdir(here)
        return code, out.getvalue(), err.getvalue(), crash

    def check(self, case: Case, parity: bool = True) -> Outcome:
        """Every property on ``case``; failures in ``problems`` (or ``known``)."""
        outcome = self._check(case, parity)
        if case.data is not None and not outcome.problems:
            outcome.problems.extend(self.check_formats(case.data))
        return outcome.sort_known(case)

    def _check(self, case: Case, parity: bool) -> Outcome:
        path = self.write(case)
        began = time.monotonic()
        code, stdout, stderr, crash = self.run_cli(path)
        outcome = Outcome([], code, seconds=time.monotonic() - began)
        problems = outcome.problems
        if crash:
            problems.append(crash)
            return outcome
        if code not in (0, 1, 2):
            problems.append(f"exit code {code!r} is not 0, 1 or 2")
        try:
            report = json.loads(stdout)
        except ValueError as exc:
            problems.append(f"stdout is not JSON ({exc}); stderr: {stderr[:500]!r}")
            return outcome
        outcome.report = report
        schema_errors = sorted(self.validator.iter_errors(report), key=str)
        if schema_errors:
            problems.append(f"report breaks docs/json-output.schema.json: {schema_errors[0].message}"
                            f" at {list(schema_errors[0].absolute_path)}")
            return outcome
        for section in ("errors", "notes", "findings"):
            for item in report[section]:
                if "internal error" in item["message"]:
                    problems.append(f"{section}: {item['message'][:600]}")
        counted = [f for f in report["findings"] if f["suppressed"] is None]
        failing = [f for f in counted if f["severity"] == "error"]
        expected = 2 if report["errors"] else 1 if failing else 0
        if code != expected:
            problems.append(f"exit code {code}, but the report says {expected} "
                            f"({len(report['errors'])} errors, {len(failing)} error findings)")
        if stderr.strip():
            problems.append(f"unexpected stderr: {stderr[:300]!r}")
        if not report["errors"] and report["summary"]["trails"] == 0:
            trails = _trails_read_independently(case.content)
            if trails:
                problems.append(f"fail-open: PyYAML reads {trails} trail(s) in the file, but the "
                                "CLI analysed none and reported no error")
        if parity:
            self._parity(path, report, outcome)
        return outcome

    def check_formats(self, data: Any) -> list[str]:
        """The loader reads back exactly the data that was written, as JSON and as YAML (long
        form): the same template in either format is the same template."""
        from cfn_trailwatch import load

        if _has_nan_or_inf(data):
            return []  # YAML .inf/.nan and JSON Infinity/NaN: no template value; not compared
        results = []
        for style in ("json", "yaml-long"):
            content, suffix = serialise(data, style, random.Random(0))
            try:
                results.append(("ok", load.load_text(content.decode("utf-8"), "x" + suffix).data))
            except load.LoadError as err:
                results.append(("error", err.message))
            except Exception as exc:  # noqa: BLE001 - a loader crash is what is looked for
                return [f"loader raised on {style}: {type(exc).__name__}: {exc}"]
        (json_kind, from_json), (yaml_kind, from_yaml) = results
        if json_kind != yaml_kind:
            return [f"formats disagree: JSON {json_kind} ({str(from_json)[:200]}), YAML "
                    f"{yaml_kind} ({str(from_yaml)[:200]})"]
        if json_kind == "ok":
            for style, got in (("JSON", from_json), ("YAML", from_yaml)):
                if got != data:
                    return [f"the loader reads back other data from {style}: "
                            f"{_first_difference(data, got)}"]
        return []

    def check_determinism(self, case: Case, outcome: Outcome) -> list[str]:
        """The same file in a new process with another hash seed gives the same report."""
        import subprocess
        import sys

        path = self.write(case)
        env = dict(os.environ, PYTHONHASHSEED=str(random.randrange(1, 2 ** 31)))
        proc = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "json", path],
                              capture_output=True, cwd=self.workdir, env=env, timeout=120)
        problems = []
        if proc.returncode != outcome.code:
            problems.append(f"not deterministic: exit code {proc.returncode} in a new process "
                            f"(PYTHONHASHSEED={env['PYTHONHASHSEED']}), {outcome.code} in this one")
        try:
            other = json.loads(proc.stdout)
        except ValueError:
            return problems + [f"not deterministic: no JSON from a new process: "
                               f"{proc.stderr[-300:]!r}"]
        if other != outcome.report:
            problems.append(f"not deterministic: the report differs in a new process "
                            f"(PYTHONHASHSEED={env['PYTHONHASHSEED']}): "
                            f"{_first_difference(outcome.report, other)}")
        return problems

    def _parity(self, path: str, report: dict, outcome: Outcome) -> None:
        from cfnlint.decode import decode
        from cfnlint.runner.template.runner import run_template_by_data

        from cfn_trailwatch import trail

        config, rules = self._cfn_lint()
        capture = _Capture()
        logger = logging.getLogger("cfn_trailwatch.rules")
        logger.addHandler(capture)
        try:
            template, decode_errors = decode(path)
            if decode_errors or not isinstance(template, dict):
                outcome.parity = "skipped: cfn-lint could not decode it"
                if report["summary"]["trails"] and not report["errors"]:
                    pass  # we read a template cfn-lint could not: not a failure of ours
                return
            try:
                matches = list(run_template_by_data(template, config, rules))
            except Exception as exc:  # noqa: BLE001 - cfn-lint itself failed
                import traceback
                text = traceback.format_exc()
                if "cfn_trailwatch" in text:
                    outcome.problems.append(f"cfn-lint raised through our rules: "
                                            f"{type(exc).__name__}: {exc}\n{text[-1500:]}")
                else:
                    outcome.notes.append(f"cfn-lint itself raised {type(exc).__name__}: "
                                         f"{str(exc)[:200]}")
                outcome.parity = "skipped: cfn-lint raised"
                return
        finally:
            logger.removeHandler(capture)
        for record in capture.records:
            outcome.problems.append(f"our cfn-lint rule logged {record.levelname}: "
                                    f"{record.getMessage()[:400]}")
        for match in matches:
            if "Unknown exception" in match.message or match.rule.id == "E0002":
                if any(rule in match.message for rule in self.ours):
                    outcome.problems.append(f"cfn-lint: {match.message[:800]}")
                else:
                    outcome.notes.append(f"cfn-lint's own rule crashed: {match.message[:160]}")
            elif match.rule.id in self.ours and "internal error" in match.message:
                outcome.problems.append(f"cfn-lint {match.rule.id}: {match.message[:600]}")
        trails = trail.trail_ids(template)
        if trails and not report["errors"] and report["summary"]["trails"] == 0:
            outcome.problems.append(f"fail-open: cfn-lint reads {len(trails)} trail(s) but the CLI "
                                    "analysed none and reported no error")
        if report["errors"]:
            outcome.parity = "skipped: the CLI reported a file error"
            return
        if "Transform" in template:
            outcome.parity = "skipped: Transform"
            return
        cli = {(f["rule"], f["line"]) for f in report["findings"] if f["suppressed"] is None}
        lint = {(m.rule.id, m.linenumber) for m in matches if m.rule.id in self.ours}
        outcome.parity = "compared"
        if cli != lint:
            outcome.problems.append(f"CLI and cfn-lint disagree: only CLI {sorted(cli - lint)}, "
                                    f"only cfn-lint {sorted(lint - cli)}")
