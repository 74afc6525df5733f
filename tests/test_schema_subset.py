"""schema_subset.surely_valid against jsonschema itself: it may say "not proven" (False) for a
valid document, never "valid" (True) for an invalid one; and it proves the documents people
write, so that a valid configuration or baseline never imports jsonschema."""

from __future__ import annotations

import copy
import itertools
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfn_trailwatch import baseline, config
from cfn_trailwatch.schema_subset import surely_valid

CONFIG = config.schema()
BASELINE = baseline.schema()

# A configuration with every key of the schema, as a team would write it.
FULL_CONFIG = {
    "fail_on": "warning",
    "regions": ["us-east-1", "eu-west-1"],
    "account_id": "123456789012",
    "disable": ["WT2008"],
    "include_checks": ["WT3"],
    "rules": {"WT2001": {"min_retention_days": 400},
              "WT2003": {"allowed_destinations": ["arn:aws:firehose:*:*:deliverystream/audit"]},
              "WT2008": {"log_group_name": "/aws/cloudtrail/*"},
              "ET1003": {}},
    "parameters": [
        {"files": "stacks/**/*.yaml", "values": {"Env": "prod", "Days": 400, "Org": True,
                                                "Regions": ["us-east-1", "eu-west-1"]}},
        {"files": "envs/prod/**", "parameter_files": ["params/prod.json"]},
        {"files": "stacks/logging.yaml", "stack_name": "org-logging"},
        {"files": "envs/dev/**", "deployment": "dev"},
    ],
    "workspace": ["stacks/"],
    "baseline": ".cfn-trailwatch-baseline.json",
    "waivers": [{"rule": "WT2002", "resource": "Trail", "files": "legacy/*.yaml",
                 "reason": "KMS key rolled out in Q3", "expires": "2027-01-31"}],
    "limits": {"file_size": 1048576, "nodes": 100000, "depth": 100, "scenarios": 64,
               "reference_depth": 50},
}

# As --write-baseline writes it.
BASELINE_DOCUMENT = {
    "format": "cfn-trailwatch-baseline",
    "version": 1,
    "entries": [{"rule": "ET1006", "file": "stacks/trail.yaml", "resource": "Trail",
                 "path": ["Resources", "Trail", "Properties", "CloudWatchLogsRoleArn"],
                 "scenario": {"IsProd": True, "Env": "prod"}, "fingerprint": "0" * 64,
                 "message": "the role may not write", "reason": "accepted until the rewrite"}],
}


def _jsonschema_valid(instance, schema) -> bool:
    return not any(jsonschema.Draft202012Validator(schema).iter_errors(instance))


@pytest.mark.parametrize("document, schema", [(FULL_CONFIG, CONFIG), ({}, CONFIG),
                                              (BASELINE_DOCUMENT, BASELINE)])
def test_the_documents_people_write_are_proven_valid(document, schema):
    assert _jsonschema_valid(document, schema)   # the examples themselves are right
    assert surely_valid(document, schema)


# -- generated documents: every change of a valid one ------------------------------------------

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 2_000_000), st.sampled_from(
    [0.5, 1.0, 400.0, float("nan")]), st.sampled_from(
    ["", "x", "prod", "WT2001", "WT3", "ET", "us-east-1", "US-EAST-1", "123456789012", "1234",
     "2027-01-31", "2027-02-30", "error", "never", "stacks/*.yaml", "ET1003", "a b"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["files", "values", "rule", "x", "WT2001", "Env", "1"]),
                    inner, max_size=3)), max_leaves=6)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _changed(document, path, new, how):
    out = copy.deepcopy(document)
    if not path:
        return new if how == "replace" else out
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = new
    elif how == "delete":
        del parent[last]
    elif how == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif how == "add" and isinstance(parent[last], dict):
        parent[last]["extra"] = new
    elif how == "add" and isinstance(parent[last], list):
        parent[last].append(new)
    return out


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_a_changed_document_is_never_proven_valid_when_it_is_not(data):
    document, schema = data.draw(st.sampled_from([(FULL_CONFIG, CONFIG),
                                                   (BASELINE_DOCUMENT, BASELINE)]))
    paths = list(_paths(document))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        how = data.draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "add"]))
        document = _changed(document, path, data.draw(_VALUES), how)
        paths = list(_paths(document))
    if surely_valid(document, schema):
        assert _jsonschema_valid(document, schema), document


# -- each keyword on the values where JSON and Python disagree -----------------------------------

_SCHEMAS = [
    {"type": "integer"}, {"type": "number"}, {"type": ["string", "null"]}, {"type": "boolean"},
    {"enum": ["a", "b"]}, {"enum": [1, True]}, {"enum": [None, 0]}, {"const": "a"},
    {"const": 1}, {"const": False}, {"const": [1]},
    {"type": "array", "uniqueItems": True}, {"minimum": 1}, {"maximum": 1},
    {"minLength": 2}, {"maxLength": 1}, {"pattern": "^a"}, {"minItems": 1}, {"maxItems": 1},
    {"required": ["a"]}, {"properties": {"a": {"type": "string"}}},
    {"additionalProperties": False}, {"properties": {"a": True}, "additionalProperties": False},
    {"patternProperties": {"^a": True}, "additionalProperties": False},
    {"propertyNames": {"pattern": "^[a-z]+$"}}, {"anyOf": [{"type": "string"}, {"minimum": 3}]},
    {"allOf": [{"type": "integer"}, {"minimum": 3}]}, {"items": {"type": "string"}},
    {"prefixItems": [{"type": "string"}]}, {"items": False}, {"not": {"type": "string"}},
    {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s"},
    {"$ref": "https://example.com/other.json"}, {"format": "date"}, True, False,
]
_INSTANCES = [None, True, False, 0, 1, 1.0, 1.5, 3, float("nan"), "", "a", "ab", "B", [], [1],
              [1, True], [1, 1.0], ["a", "a"], ["a", "b"], {}, {"a": "x"}, {"a": 1}, {"b": 1},
              {"A": 1}, "2027-02-30"]


def test_each_keyword_proves_only_what_jsonschema_accepts():
    proven = 0
    for schema, instance in itertools.product(_SCHEMAS, _INSTANCES):
        if surely_valid(instance, schema):
            proven += 1
            assert _jsonschema_valid(instance, schema), (schema, instance)
    assert proven > 300   # and it proves most of what is valid (the fast path is taken)


def test_what_it_leaves_to_jsonschema():
    assert surely_valid(True, {"enum": [1, True]}) and surely_valid(1.0, {"enum": [1, True]})
    assert not surely_valid(True, {"enum": [1]}) and not surely_valid(1, {"const": True})
    assert not surely_valid([1], {"const": [1]})                 # arrays and objects: not here
    assert not surely_valid([1, True], {"uniqueItems": True})
    assert not surely_valid({"a": 1}, {"patternProperties": {"^a": True}})
    assert not surely_valid("a", {"not": {"type": "integer"}})   # a keyword it does not know
    assert not surely_valid("a", {"$ref": "https://example.com/other.json"})
    assert not surely_valid(1, False)
    assert surely_valid(1.0, {"type": "integer"}) and not surely_valid(True, {"type": "integer"})
    assert surely_valid("2027-02-30", {"format": "date"})        # no format checker here
    for name in ("date", "any", "Number", "strings"):             # jsonschema: UnknownType
        assert not surely_valid(1, {"type": name}) and not surely_valid("a", {"type": name})


def test_a_valid_configuration_does_not_import_jsonschema(tmp_path):
    path = tmp_path / ".cfn-trailwatch.yaml"
    path.write_text("regions: [us-east-1]\ndisable: [WT2008]\nrules: {WT2001: {min_retention_days: 400}}\n")
    code = ("import sys; from cfn_trailwatch import config; config.load(sys.argv[1]); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
    path.write_text("regions: [US-EAST-1]\n")   # invalid: jsonschema says where
    with pytest.raises(config.ConfigError, match=r"regions\[0\]"):
        config.load(str(path))
