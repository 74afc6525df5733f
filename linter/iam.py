"""IAM policy evaluation on resolved documents, three-valued.

Documents arrive resolved (no ``Fn::`` left) but may hold atoms anywhere: a parameter as the
whole Action list, a GetAtt in a Resource, an unknown document. The evaluation follows IAM:
statements match by Action/NotAction, Resource/NotResource (or Principal for trust policies)
and Condition; an explicit Deny that matches wins over any Allow; without a matching Allow the
request is denied. Anything that cannot be decided here is MAYBE with a reason, never a silent
YES, and no input shape makes it raise. A literal document or statement IAM refuses (not a
map, no Statement, no valid Effect) is not undecidable: it grants and denies nothing.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from .arn import (Match, and_, equals3, match_action3, match_pattern, not_, or_, parse_arn)
from .records import field, record
from .values.model import (Atom, Import, NoValue, Parameter, Text, Unknown, concat, render,
                           scalar_text)

__all__ = [
    "StatementRef", "Decision", "PolicyInput", "evaluate", "evaluate_with_boundary",
    "trusts_service", "aws_managed_policy", "aws_managed_policy_record", "aws_managed_lookup",
    "aws_managed_snapshot", "ManagedPolicy", "ABSENT",
]

PolicyInput = tuple  # (label: str, document: resolved dict); a named alias for signatures

ABSENT = None
"""Context value meaning "this key is known to be absent from the request"."""

_ALLOW, _DENY, _EITHER = "Allow", "Deny", None
_REFUSED = "refused"   # _effect's answer for a literal Effect IAM refuses


@record(frozen=True)
class StatementRef:
    """Which statement of which policy: evidence a report can cite.

    ``policy`` is the caller's label ("inline policy CloudTrailLogs of role TrailRole"),
    ``index`` the 0-based position in ``Statement`` (0 when it is a single map), ``sid`` the
    statement's Sid if it has a literal one, ``pointer`` the JSON pointer inside the document."""

    policy: str
    index: int
    sid: str | None = None
    pointer: str = ""

    def describe(self) -> str:
        where = f"statement {self.sid!r}" if self.sid else f"Statement[{self.index}]"
        return f"{self.policy}, {where}" if self.pointer else f"{self.policy}"

    def __str__(self) -> str:
        return self.describe()


@record
class Decision:
    """The answer to "is this request allowed?", with the evidence.

    ``allow_statements``: the statements that grant it: those that match for certain, or, when
    none does, those that might (``allowed`` is then MAYBE). ``deny_statements``: Deny
    statements that match or might match. ``reasons``: why the answer is MAYBE. ``boundary``:
    the permissions boundary's own decision, when one was applied. ``refused``: documents or
    statements IAM would refuse (not a map, no Statement, no Effect…), which grant nothing."""

    allowed: Match
    allow_statements: list[StatementRef] = field(default_factory=list)
    deny_statements: list[StatementRef] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    boundary: "Decision | None" = None
    refused: list[str] = field(default_factory=list)


@record
class _Result:
    """What one statement (or a part of one) decides for an action on a resource."""
    effect: str | None        # "Allow", "Deny" or None when the effect itself is not known
    match: Match
    ref: StatementRef
    reasons: list[str]
    refused: str | None = None   # why IAM refuses this part; it then matches nothing (NO)


# --------------------------------------------------------------------------------------------
# Documents and statements
# --------------------------------------------------------------------------------------------

def _ref(label: str, index: int, sid: Any, listed: bool) -> StatementRef:
    pointer = f"/Statement/{index}" if listed else "/Statement"
    return StatementRef(label, index, sid if isinstance(sid, str) else None, pointer)


def _whole(label: str, reason: str) -> _Result:
    """A result for a document (or list of policies) that cannot be read at all: it might
    allow and it might deny."""
    return _Result(_EITHER, Match.MAYBE, StatementRef(label, 0, None, ""), [f"{label}: {reason}"])


def _refused(ref: StatementRef, reason: str) -> _Result:
    """A literal document or statement that IAM refuses (CloudFormation cannot create it): it
    grants nothing and denies nothing, for certain. Unknown values (atoms) stay MAYBE."""
    return _Result(_EITHER, Match.NO, ref, [], refused=f"{ref}: {reason}, which IAM refuses")


def _load_document(label: str, document: Any) -> tuple[Any, _Result | None]:
    whole = StatementRef(label, 0, None, "")
    if isinstance(document, str):
        try:
            document = json.loads(document)  # PolicyDocument may be given as a JSON string
        except (ValueError, RecursionError):
            return None, _refused(whole, "the policy document is a string that is not JSON")
    if isinstance(document, Atom):
        return None, _whole(label, f"the policy document is {render(document)}")
    if not isinstance(document, dict):
        return None, _refused(whole, f"the policy document is {_show(document)}, not a map")
    return document, None


def _statements(label: str, document: dict) -> Iterable[tuple[Any, StatementRef] | _Result]:
    statements = document.get("Statement", _MISSING)
    whole = StatementRef(label, 0, None, "")
    if statements is _MISSING:
        yield _refused(whole, "the policy document has no Statement")
        return
    if statements is NoValue:
        return
    if isinstance(statements, dict):
        yield statements, _ref(label, 0, statements.get("Sid"), False)
        return
    if isinstance(statements, Atom):
        yield _whole(label, f"Statement is {render(statements)}")
        return
    if not isinstance(statements, list):
        yield _refused(whole, f"Statement is {_show(statements)}, not a list or a map")
        return
    for index, statement in enumerate(statements):
        if statement is NoValue:
            continue
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        yield statement, _ref(label, index, sid, True)


_MISSING = object()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Atom):
        return render(value)
    return type(value).__name__


def _show(value: Any) -> str:
    """A value for a message, without walking into nested lists and maps (which may be deep)."""
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a map of {len(value)}"
    if value is None:
        return "null"
    text = render(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _effect(statement: dict, ref: StatementRef, reasons: list[str]) -> str | None:
    """Allow, Deny, _EITHER when it is not known, or _REFUSED (with the reason, and no ref in
    it) when a literal Effect is missing or wrong: IAM refuses the statement."""
    effect = statement.get("Effect", _MISSING)
    if effect in (_ALLOW, _DENY):
        return effect
    if isinstance(effect, Atom) and effect is not NoValue:
        reasons.append(f"{ref}: Effect is {render(effect)}")
        return _EITHER
    reasons.append("it has no Effect" if effect is _MISSING or effect is NoValue
                   else f"its Effect {_show(effect)!r} is neither Allow nor Deny")
    return _REFUSED


def _pick(statement: dict, positive: str, negative: str, ref: StatementRef,
          reasons: list[str], required: bool = True) -> tuple[str | None, Any]:
    """Which of ``Action``/``NotAction`` (or Resource/NotResource…) the statement uses."""
    has_pos = positive in statement and statement[positive] is not NoValue
    has_neg = negative in statement and statement[negative] is not NoValue
    if has_pos and has_neg:
        reasons.append(f"{ref}: has both {positive} and {negative}")
        return None, None
    if has_pos:
        return positive, statement[positive]
    if has_neg:
        return negative, statement[negative]
    if required:
        reasons.append(f"{ref}: has neither {positive} nor {negative}")
    return None, _MISSING


def _elements(value: Any, what: str, ref: StatementRef,
              reasons: list[str]) -> list | None:
    """A str-or-list policy element as a list; None (reason recorded) when it is malformed.
    A lone atom is one entry, and atoms inside a list stay entries: each is matched on its own,
    so an open atom gives MAYBE and another log group's GetAtt gives NO."""
    if isinstance(value, list):
        out = []
        for item in value:
            if item is NoValue:
                continue
            out.append(item)
        return out
    if isinstance(value, (str, Atom)) or isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    reasons.append(f"{ref}: {what} is malformed ({_kind(value)})")
    return None


def _has_policy_variable(value: Any) -> bool:
    parts = value.parts if isinstance(value, Text) else (value,)
    return any(isinstance(p, str) and "${" in p for p in parts)


def _any_element(items: list, matcher, what: str, ref: StatementRef, reasons: list[str],
                 variables: bool) -> Match:
    """OR over the listed patterns; a MAYBE element records why."""
    results = []
    for item in items:
        if isinstance(item, (list, dict)) or item is None or isinstance(item, bool):
            reasons.append(f"{ref}: {what} entry {_show(item)} is malformed")
            results.append(Match.MAYBE)
            continue
        if variables and _has_policy_variable(item):
            reasons.append(f"{ref}: {what} {_show(item)} uses a policy variable, "
                           "which is only known when the request is made")
            results.append(Match.MAYBE)
            continue
        result = matcher(item)
        if result is Match.MAYBE:
            reasons.append(f"{ref}: cannot tell whether {what} {_show(item)} matches")
        results.append(result)
        if result is Match.YES:
            return Match.YES
    return or_(results)


def _element_match(statement: dict, positive: str, negative: str, matcher, ref: StatementRef,
                   reasons: list[str], variables: bool = False) -> Match:
    key, value = _pick(statement, positive, negative, ref, reasons)
    if key is None:
        return Match.MAYBE
    items = _elements(value, key, ref, reasons)
    if items is None:
        return Match.MAYBE
    hit = _any_element(items, matcher, key, ref, reasons, variables)
    return hit if key == positive else not_(hit)


def _evaluate_statement(statement: Any, ref: StatementRef, request: "_Request") -> _Result:
    reasons: list[str] = []
    if isinstance(statement, Atom):
        return _Result(_EITHER, Match.MAYBE, ref, [f"{ref}: the statement is {render(statement)}"])
    if not isinstance(statement, dict):
        return _refused(ref, f"the statement is {_show(statement)}, not a map")
    effect = _effect(statement, ref, reasons)
    if effect is _REFUSED:
        return _refused(ref, reasons[0])
    matches = [request.match_subject(statement, ref, reasons)]
    if matches[0] is not Match.NO:
        matches.append(_element_match(statement, "Action", "NotAction",
                                      lambda p: match_action3(p, request.action), ref, reasons))
    if Match.NO not in matches and "Condition" in statement:
        matches.append(_judge_conditions(statement["Condition"], request.context, ref, reasons,
                                         request.variables))
    match = and_(matches)
    if effect is _EITHER:
        match = and_(match, Match.MAYBE)
    return _Result(effect, match, ref, reasons if match is Match.MAYBE else [])


class _Request:
    """What is being asked: an action on a resource (identity policies) or the right of a
    service principal to assume the role (trust policies)."""

    def __init__(self, action: str, context: dict | None, resource: Any = None,
                 service: str | None = None) -> None:
        self.action = action
        self.resource = resource
        self.service = service
        self.context = _normalise_context(context)
        self.variables = False

    def match_subject(self, statement: dict, ref: StatementRef, reasons: list[str]) -> Match:
        # IAM rejects a Principal in an identity policy and a Resource in a trust policy; such
        # a document never takes effect, so nothing is concluded from it.
        prohibited = ("Resource", "NotResource") if self.service is not None \
            else ("Principal", "NotPrincipal")
        present = [k for k in prohibited if k in statement and statement[k] is not NoValue]
        if present:
            reasons.append(f"{ref}: has {present[0]}, which IAM does not accept in this kind "
                           "of policy")
            return Match.MAYBE
        if self.service is not None:
            return _principal_match(statement, self.service, ref, reasons)
        return _element_match(statement, "Resource", "NotResource",
                              lambda p: match_pattern(p, self.resource), ref, reasons,
                              variables=self.variables)


def _evaluate_documents(policies: Any, request: _Request) -> list[_Result]:
    if isinstance(policies, Atom):
        return [_whole("policies", f"the policies are {render(policies)}")]
    if isinstance(policies, tuple) and len(policies) == 2 and isinstance(policies[0], str):
        policies = [policies]  # a single PolicyInput
    if not isinstance(policies, (list, tuple)):
        return [_whole("policies", f"not a list of policies ({_kind(policies)})")]
    results: list[_Result] = []
    for position, entry in enumerate(policies):
        if isinstance(entry, (tuple, list)) and len(entry) == 2:
            label, document = entry
            label = label if isinstance(label, str) else f"policy #{position + 1}"
        elif isinstance(entry, dict):
            label, document = f"policy #{position + 1}", entry
        else:
            results.append(_whole(f"policy #{position + 1}",
                                  f"not a (label, document) pair ({_kind(entry)})"))
            continue
        results.extend(_evaluate_document(label, document, request))
    return results


def _evaluate_document(label: str, document: Any, request: _Request) -> list[_Result]:
    document, problem = _load_document(label, document)
    if problem is not None:
        return [problem]
    # Policy variables (${aws:username}) are only read in version 2012-10-17 documents.
    request.variables = document.get("Version") == "2012-10-17"
    results = []
    for item in _statements(label, document):
        if isinstance(item, _Result):
            results.append(item)
        else:
            results.append(_evaluate_statement(item[0], item[1], request))
    return results


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _decide(results: list[_Result]) -> Decision:
    allow_side = [(r, r.match) for r in results if r.effect in (_ALLOW, _EITHER)]
    deny_side = [(r, r.match) for r in results if r.effect in (_DENY, _EITHER)]
    allow = or_(m for _, m in allow_side)
    deny = or_(m for _, m in deny_side)
    allowed = and_(allow, not_(deny))
    granting = [r.ref for r, m in allow_side if m is allow] if allow is not Match.NO else []
    denying = [r.ref for r, m in deny_side if m is Match.YES] + \
              [r.ref for r, m in deny_side if m is Match.MAYBE]
    reasons: list[str] = []
    if allowed is Match.MAYBE:
        if allow is Match.MAYBE:
            reasons.extend(x for r, m in allow_side if m is Match.MAYBE for x in r.reasons)
        if deny is Match.MAYBE:
            for r, m in deny_side:
                if m is Match.MAYBE:
                    reasons.extend(f"a Deny might apply: {x}" if r.effect == _DENY else x
                                   for x in r.reasons)
    return Decision(allowed, granting, denying, _dedupe(reasons),
                    refused=_dedupe(r.refused for r in results if r.refused))


# --------------------------------------------------------------------------------------------
# Public evaluation
# --------------------------------------------------------------------------------------------

def evaluate(policies: list, action: str, resource: Any, context: dict | None = None) -> Decision:
    """May a principal with these identity policies perform ``action`` on ``resource``?

    ``policies``: a list of ``(label, document)`` pairs. ``resource``: a str, atom or Text
    (an ARN). ``context``: condition keys known for the request (``aws:SourceAccount`` →
    ``Pseudo("AWS::AccountId")``…); a key mapped to :data:`ABSENT` is known to be missing, a
    key not listed is unknown and makes a condition on it MAYBE."""
    return _decide(_evaluate_documents(policies, _Request(action, context, resource=resource)))


def evaluate_with_boundary(policies: list, boundary: Any, action: str, resource: Any,
                           context: dict | None = None) -> Decision:
    """:func:`evaluate`, capped by a permissions boundary: allowed only if both allow.

    ``boundary``: None for no boundary; a list of ``(label, document)`` pairs (an empty list
    is a boundary that allows nothing); an atom (``Unknown``…) for a boundary that could not
    be resolved, which leaves at most MAYBE."""
    identity = evaluate(policies, action, resource, context)
    if boundary is None:
        return identity
    if isinstance(boundary, Atom):
        cap = Decision(Match.MAYBE, reasons=[f"the permissions boundary is {render(boundary)}"])
    else:
        cap = evaluate(boundary, action, resource, context)
    allowed = and_(identity.allowed, cap.allowed)
    reasons: list[str] = []
    if allowed is Match.MAYBE:
        if identity.allowed is Match.MAYBE:
            reasons.extend(identity.reasons)
        if cap.allowed is Match.MAYBE:
            reasons.extend(f"permissions boundary: {x}" for x in cap.reasons)
    return Decision(allowed, identity.allow_statements, identity.deny_statements + cap.deny_statements,
                    _dedupe(reasons), boundary=cap,
                    refused=identity.refused + [f"permissions boundary: {x}" for x in cap.refused])


def trusts_service(document: Any, service: str = "cloudtrail.amazonaws.com",
                   context: dict | None = None, label: str = "trust policy") -> Decision:
    """May ``service`` assume the role whose trust policy is ``document`` (``sts:AssumeRole``)?

    A statement applies when its Principal includes the service (``{"Service": …}``, ``"*"``
    or ``{"AWS": "*"}``; NotPrincipal inverts), its Action/NotAction covers
    ``sts:AssumeRole`` and its Condition holds for ``context`` (the caller passes
    ``aws:SourceArn``/``aws:SourceAccount`` for the trail); Deny statements subtract."""
    request = _Request("sts:AssumeRole", context, service=service)
    return _decide(_evaluate_document(label, document, request))


# --------------------------------------------------------------------------------------------
# Principals
# --------------------------------------------------------------------------------------------

def _principal_match(statement: dict, service: str, ref: StatementRef,
                     reasons: list[str]) -> Match:
    key, value = _pick(statement, "Principal", "NotPrincipal", ref, reasons)
    if key is None:
        return Match.MAYBE
    hit = _principal_includes(value, service, ref, reasons)
    return hit if key == "Principal" else not_(hit)


def _principal_includes(principal: Any, service: str, ref: StatementRef,
                        reasons: list[str]) -> Match:
    if principal == "*":
        return Match.YES
    if isinstance(principal, Atom):
        reasons.append(f"{ref}: Principal is {render(principal)}")
        return Match.MAYBE
    if not isinstance(principal, dict):
        reasons.append(f"{ref}: Principal is malformed ({_kind(principal)})")
        return Match.MAYBE
    results = []
    for kind, value in principal.items():
        if value is NoValue:
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            results.append(_principal_item(kind, item, service, ref, reasons))
    return or_(results)


def _principal_item(kind: Any, item: Any, service: str, ref: StatementRef,
                    reasons: list[str]) -> Match:
    if item is NoValue:
        return Match.NO
    if kind == "Service":
        if isinstance(item, str):
            if item.lower() == service.lower():
                return Match.YES
            if "*" in item or "?" in item:
                reasons.append(f"{ref}: service principal {item!r} has a wildcard, "
                               "which IAM does not accept")
                return Match.MAYBE
            return Match.NO
        if isinstance(item, Atom):
            result = equals3(item, service, ignore_case=True)
            if result is Match.MAYBE:
                reasons.append(f"{ref}: service principal {render(item)} is not known")
            return result
        reasons.append(f"{ref}: service principal {_show(item)} is malformed")
        return Match.MAYBE
    if kind == "AWS":
        if item == "*":
            return Match.YES
        parts = item.parts if isinstance(item, Text) else (item,)
        if all(isinstance(p, _OPEN) for p in parts):
            reasons.append(f"{ref}: AWS principal {render(item)} is not known (it could be \"*\")")
            return Match.MAYBE
        return Match.NO  # an account, role or user is not the service
    if kind in ("Federated", "CanonicalUser"):
        return Match.NO
    reasons.append(f"{ref}: unknown principal type {_show(kind)}")
    return Match.MAYBE


_OPEN = (Parameter, Import, Unknown)


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

_OPERATOR = re.compile(r"(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?", re.IGNORECASE)
_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike",
            "arnnotequals", "arnnotlike"}
_SUPPORTED = {"stringequals", "stringnotequals", "stringequalsignorecase",
              "stringnotequalsignorecase", "stringlike", "stringnotlike", "arnequals",
              "arnlike", "arnnotequals", "arnnotlike", "bool", "null"}


def _normalise_context(context: Any) -> dict:
    if not isinstance(context, dict):
        return {}
    return {str(k).lower(): v for k, v in context.items() if isinstance(k, str)}


def _judge_conditions(block: Any, context: dict, ref: StatementRef, reasons: list[str],
                      variables: bool) -> Match:
    """AND over operators and keys of a Condition block."""
    if block is NoValue:
        return Match.YES
    if isinstance(block, Atom):
        reasons.append(f"{ref}: Condition is {render(block)}")
        return Match.MAYBE
    if not isinstance(block, dict):
        reasons.append(f"{ref}: Condition is malformed ({_kind(block)})")
        return Match.MAYBE
    results = []
    for operator, tests in block.items():
        if tests is NoValue:
            continue
        if not isinstance(operator, str) or not isinstance(tests, dict):
            reasons.append(f"{ref}: condition {_show(operator)} is malformed")
            results.append(Match.MAYBE)
            continue
        for key, expected in tests.items():
            if expected is NoValue:
                continue
            result = _judge_one(operator, key, expected, context, ref, reasons, variables)
            results.append(result)
            if result is Match.NO:
                return Match.NO
    return and_(results)


def _judge_one(operator: str, key: Any, expected: Any, context: dict, ref: StatementRef,
               reasons: list[str], variables: bool) -> Match:
    where = f"{ref}: condition {operator} {_show(key)}"
    parsed = _OPERATOR.fullmatch(operator)
    base = parsed.group(2).lower() if parsed else ""
    if not parsed or base not in _SUPPORTED or (base == "null" and (parsed.group(1) or parsed.group(3))):
        reasons.append(f"{where}: the operator is not one this analysis can judge")
        return Match.MAYBE
    set_op = (parsed.group(1) or "").lower()
    if_exists = bool(parsed.group(3))
    if not isinstance(key, str):
        reasons.append(f"{where}: the key is not a literal string")
        return Match.MAYBE
    values = expected if isinstance(expected, list) else [expected]
    if any(isinstance(v, (list, dict)) or v is None for v in values):
        reasons.append(f"{where}: the condition value {_show(expected)} cannot be read")
        return Match.MAYBE
    values = [v for v in values if v is not NoValue]
    if variables and any(_has_policy_variable(v) for v in values):
        reasons.append(f"{where}: the value uses a policy variable, known only at request time")
        return Match.MAYBE
    if key.lower() not in context:
        reasons.append(f"{where}: the key {key} is not known here")
        return Match.MAYBE
    actual = context[key.lower()]
    if base == "null":
        return _judge_null(actual, values, where, reasons)
    if actual is ABSENT:
        if if_exists or set_op == "forallvalues":
            return Match.YES
        if set_op == "foranyvalue":
            return Match.NO
        return Match.YES if base in _NEGATED else Match.NO
    actuals = actual if isinstance(actual, (list, tuple)) else [actual]
    if isinstance(actual, (list, tuple)) and not set_op and len(actuals) != 1:
        reasons.append(f"{where}: the key has several values and no ForAnyValue/ForAllValues")
        return Match.MAYBE
    per_value = [_judge_value(base, a, values) for a in actuals]
    if set_op == "forallvalues":
        result = and_(per_value)
    else:
        result = or_(per_value)
    if result is Match.MAYBE:
        reasons.append(f"{where}: cannot tell whether {_show(actual)} matches {_show(expected)}")
    return result


def _judge_null(actual: Any, values: list, where: str, reasons: list[str]) -> Match:
    results = []
    for v in values:
        text = _bool_text(v)
        if text not in ("true", "false"):
            reasons.append(f"{where}: Null expects true or false, not {_show(v)}")
            results.append(Match.MAYBE)
            continue
        results.append(Match.of((actual is ABSENT) == (text == "true")))
    return or_(results)


def _bool_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.lower()
    return value


def _judge_value(base: str, actual: Any, expected: list) -> Match:
    """One request value against the listed condition values (OR, negated for Not…)."""
    positive = base.replace("not", "", 1) if base in _NEGATED else base
    hits = []
    for value in expected:
        hits.append(_compare(positive, actual, value))
        if hits[-1] is Match.YES:
            break
    hit = or_(hits)
    return not_(hit) if base in _NEGATED else hit


def _compare(operator: str, actual: Any, value: Any) -> Match:
    if isinstance(actual, (dict, list)) or actual is None:
        return Match.MAYBE
    if operator == "stringequals":
        return equals3(_text(value), _text(actual))
    if operator == "stringequalsignorecase":
        return equals3(_text(value), _text(actual), ignore_case=True)
    if operator == "stringlike":
        return match_pattern(_text(value), _text(actual))
    if operator in ("arnequals", "arnlike"):
        return _arn_like(_text(value), _text(actual))
    if operator == "bool":
        expected, got = _bool_text(value), _bool_text(actual)
        if isinstance(expected, Atom) or isinstance(got, Atom):
            return Match.MAYBE
        return Match.of(expected == got)
    return Match.MAYBE  # pragma: no cover - every supported operator is handled above


def _text(value: Any) -> Any:
    if isinstance(value, (str, Atom)):
        return value
    return scalar_text(value)


def _arn_like(pattern: Any, actual: Any) -> Match:
    """ArnLike/ArnEquals: each of the six colon-separated fields is matched on its own, with
    ``*`` and ``?`` wildcards (so a ``*`` in the region does not run into the account)."""
    if pattern == "*":
        return Match.YES
    p, a = parse_arn(pattern), parse_arn(actual)
    if a is None:
        return Match.NO  # the request value is provably not an ARN
    if p is None or a is None or p.ambiguous or a.ambiguous:
        whole = match_pattern(pattern, actual)
        return and_(whole, Match.MAYBE)
    return and_(match_pattern(x, y) for x, y in zip(p.fields, a.fields))


# --------------------------------------------------------------------------------------------
# AWS managed policies
# --------------------------------------------------------------------------------------------

# The table (``data/aws-managed-policies.json``, rebuilt by
# ``tools/build_aws_managed_policies.py``) names every AWS managed policy as of its snapshot date,
# with its path, whether a role can have it attached and whether AWS deprecated it. Of each
# policy's default version it keeps only the statements that can allow or deny the two delivery
# actions (``null`` in place of the others), so those two actions are decided exactly for every
# policy; other actions of a policy not recorded whole stay MAYBE.

MANAGED_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
_REFERENCE = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
_SERVICE_LINKED = "/aws-service-role/"


@record(frozen=True)
class ManagedPolicy:
    """What an ARN ``arn:<partition>:iam::aws:policy/<path/name>`` is, per the table.

    ``kind``: ``"policy"`` (a policy a role can have: ``policies`` holds its documents),
    ``"wrong-path"`` (the name is an AWS managed policy's, at another path),
    ``"not-attachable"`` (for service-linked roles only, or marked so by IAM), ``"deprecated"``
    (cannot be attached to a new role) — these three grant nothing, and ``label`` says why —
    or ``"unknown"`` (no AWS managed policy of that name as of the snapshot: ``reason``).
    ``written``: the part after ``policy/`` as the ARN gives it."""

    kind: str
    written: str
    label: str
    reason: str = ""
    policies: tuple = ()

    @property
    def grants_nothing(self) -> bool:
        return self.kind in ("wrong-path", "not-attachable", "deprecated")


@lru_cache(maxsize=1)
def _managed_table() -> dict:
    text = resources.files("cfn_trailwatch").joinpath("data/aws-managed-policies.json").read_text(
        encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _managed_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in _managed_table()["policies"]}


def aws_managed_snapshot() -> str:
    """The date of the table's snapshot (YYYY-MM-DD): what it knows is as of that day."""
    return _managed_table()["snapshot"]


def _managed_key(arn_value: Any) -> tuple[str, Any] | None:
    """``policy/<path/name>`` and the partition of an AWS managed policy ARN."""
    arn = parse_arn(arn_value)
    if arn is None or arn.ambiguous:
        return None
    if arn.service != "iam" or arn.region != "" or arn.account != "aws":
        return None
    if not isinstance(arn.resource, str) or not arn.resource.startswith("policy/"):
        return None
    return arn.resource, arn.partition


def _split_written(written: str) -> tuple[str, str]:
    """``service-role/X`` → (``/service-role/``, ``X``); ``X`` → (``/``, ``X``)."""
    if "/" in written:
        folder, name = written.rsplit("/", 1)
        return f"/{folder}/", name
    return "/", written


def aws_managed_lookup(arn_value: Any) -> ManagedPolicy | None:
    """What the table says of an ARN under ``arn:<partition>:iam::aws:policy/``; None when the
    value is not such an ARN (another account's policy, a parameter, a name left open…).

    Only the ``policy/…`` part is compared, so the partition may be a literal, the atom
    ``Pseudo("AWS::Partition")`` or a Text. ARNs inside the documents are written for the
    ``aws`` partition; they are rewritten to the ARN's own partition, as AWS publishes them
    per partition. A policy not recorded whole gets one more statement that keeps every action
    but the two delivery actions MAYBE rather than NO."""
    key = _managed_key(arn_value)
    if key is None:
        return None
    resource, partition = key
    written = resource[len("policy/"):]
    path, name = _split_written(written)
    record = _managed_table()["policies"].get(name)
    if record is None:
        if path == _SERVICE_LINKED:
            return ManagedPolicy("not-attachable", written, f"AWS managed policy {written}: "
                                 "policies under aws-service-role/ are for service-linked roles "
                                 "only, so it grants nothing")
        reason = f"not an AWS managed policy as of {aws_managed_snapshot()}"
        other = _managed_by_lower_name().get(name.lower())
        if other is not None:
            reason += f" (names are case-sensitive: AWS has {other})"
        return ManagedPolicy("unknown", written, f"AWS managed policy {written}: {reason}", reason)
    if record.get("deprecated"):
        return ManagedPolicy("deprecated", written, f"AWS managed policy {written}: deprecated by "
                             "AWS, it cannot be attached to a new role, so it grants nothing")
    if record.get("path") != path:
        right = render(concat(["arn:", partition, f":iam::aws:policy{record.get('path')}{name}"]))
        if not record.get("attachable", True):
            right += (", for service-linked roles only" if record.get("path") == _SERVICE_LINKED
                      else ", which IAM marks not attachable")
        return ManagedPolicy("wrong-path", written, f"AWS managed policy {written}: wrong path, "
                             f"so it grants nothing; the policy is {right}")
    if not record.get("attachable", True):
        why = ("it is for service-linked roles only" if path == _SERVICE_LINKED else
               "IAM marks it not attachable")
        return ManagedPolicy("not-attachable", written, f"AWS managed policy {written}: {why}, "
                             "so it grants nothing")
    label = f"AWS managed policy {written} ({record.get('version', '?')})"
    return ManagedPolicy("policy", written, label,
                         policies=((label, _managed_document(record, name, partition)),))


def _managed_document(record: dict, name: str, partition: Any) -> dict:
    document = record.get("document")
    document = copy.deepcopy(document) if isinstance(document, dict) else \
        {"Version": "2012-10-17", "Statement": []}
    if partition != "aws":
        document = _with_partition(document, partition)
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    # null marks a statement left out of the table: it can neither allow nor deny the two
    # delivery actions. NoValue keeps the others at their published positions.
    statements = [NoValue if statement is None else statement for statement in statements]
    if not record.get("complete", False):
        statements.append({
            "Sid": "NotRecordedInTable",
            "Effect": "Allow",
            "NotAction": list(MANAGED_ACTIONS),
            "Resource": Unknown(f"AWS managed policy {name}: grants for other actions are not "
                                "recorded in the table"),
        })
    document["Statement"] = statements
    return document


def aws_managed_policy(arn_value: Any) -> list | None:
    """The documents of an AWS managed policy a role can have, as ``[(label, document)]``;
    None for anything else (see :func:`aws_managed_lookup` for why)."""
    found = aws_managed_lookup(arn_value)
    return list(found.policies) if found is not None and found.kind == "policy" else None


def aws_managed_policy_record(arn_value: Any) -> dict | None:
    """The table's entry for an AWS managed policy a role can have (path, version, flags,
    recorded statements), with its name, ARN and sources; None for anything else."""
    found = aws_managed_lookup(arn_value)
    if found is None or found.kind != "policy":
        return None
    path, name = _split_written(found.written)
    record = copy.deepcopy(_managed_table()["policies"][name])
    record.setdefault("complete", False)
    dataset = next((s for s in _managed_table()["sources"] if s.get("commit")), {})
    commit = record.get("seen_at") or dataset.get("commit")
    record.update(name=name, arn=f"arn:aws:iam::aws:policy{path}{name}", sources=[
        {"url": f"{_REFERENCE}{name}.html"},
        {"url": f"{dataset.get('url')}/blob/{commit}/aws/managedpolicies/{name}.json"}])
    return record


def _with_partition(node: Any, partition: Any) -> Any:
    if isinstance(node, dict):
        return {k: _with_partition(v, partition) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_partition(v, partition) for v in node]
    if isinstance(node, str) and node.startswith("arn:aws:"):
        return concat(["arn:", partition, node[len("arn:aws"):]])
    return node
