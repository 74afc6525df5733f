"""A proof that a document is valid against one of the project's JSON Schemas, for the keywords
those schemas use, so that a valid configuration file or baseline never imports ``jsonschema``.

Importing ``jsonschema`` costs 0.1–0.2 s (it loads every metaschema it knows), as much as a
whole pre-commit run of one template, and a team with a ``.cfn-trailwatch.yaml`` would pay it on
every commit. :func:`surely_valid` answers True only when the document is valid under Draft
2020-12 as ``jsonschema.Draft202012Validator(schema)`` (no format checker) judges it; False means
"not proven": a keyword it does not know, a value whose comparison it leaves to ``jsonschema``
(``enum`` or ``const`` of an array or object, ``uniqueItems`` over anything but strings), or an
invalid document. The
caller then runs ``jsonschema``, which gives the located message. ``tests/test_schema_subset.py``
holds the two to the same answer on generated documents.
"""

from __future__ import annotations

import re
from typing import Any, Callable

# Keywords that assert nothing (format included: the validators here run without a checker).
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description",
                          "default", "examples", "deprecated", "readOnly", "writeOnly", "format"})


def surely_valid(instance: Any, schema: Any, root: Any = None) -> bool:
    """True when ``instance`` is valid against ``schema`` (``root`` holds its ``$defs``)."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False   # the schema False, or not a schema: not proven
    root = schema if root is None else root
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _KEYWORDS.get(keyword)
        if check is None or not check(instance, value, schema, root):
            return False
    return True


def _is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False   # True is not a number in JSON
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, (int, float))
    return False


def _type(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(_is_type(instance, name) for name in names)


def _properties(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(surely_valid(instance[key], sub, root) for key, sub in value.items()
               if key in instance)


def _additional_properties(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        return False   # not used by the project's schemas: left to jsonschema
    declared = schema.get("properties", {})
    return all(surely_valid(item, value, root) for key, item in instance.items()
               if key not in declared)


def _property_names(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, dict) or all(surely_valid(key, value, root)
                                                 for key in instance)


def _required(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, dict) or all(key in instance for key in value)


def _items(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    if not isinstance(instance, list):
        return True
    if "prefixItems" in schema:
        return False
    return all(surely_valid(item, value, root) for item in instance)


def _min_items(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, list) or len(instance) >= value


def _max_items(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, list) or len(instance) <= value


def _unique_items(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    if not value or not isinstance(instance, list):
        return True
    # strings only: JSON's equality of numbers and booleans is not Python's (1 == True)
    return all(isinstance(item, str) for item in instance) and len(set(instance)) == len(instance)


def _min_length(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, str) or len(instance) >= value


def _max_length(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, str) or len(instance) <= value


def _pattern(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not isinstance(instance, str) or re.search(value, instance) is not None


def _is_number(instance: Any) -> bool:
    return isinstance(instance, (int, float)) and not isinstance(instance, bool)


def _minimum(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not _is_number(instance) or instance >= value


def _maximum(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return not _is_number(instance) or instance <= value


def _same(a: Any, b: Any) -> bool:
    """JSON's equality of two scalars (a boolean is no number; 1 and 1.0 are one number); False,
    "not proven", for arrays and objects."""
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b   # a boolean equals only a boolean


def _enum(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return any(_same(instance, item) for item in value)


def _const(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return _same(instance, value)


def _any_of(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return any(surely_valid(instance, sub, root) for sub in value)


def _all_of(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    return all(surely_valid(instance, sub, root) for sub in value)


def _ref(instance: Any, value: Any, schema: dict, root: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("#/"):
        return False   # only references inside the schema itself
    target = root
    for step in value[2:].split("/"):
        step = step.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or step not in target:
            return False
        target = target[step]
    return surely_valid(instance, target, root)


_KEYWORDS: dict[str, Callable[[Any, Any, dict, Any], bool]] = {
    "type": _type, "properties": _properties, "additionalProperties": _additional_properties,
    "propertyNames": _property_names, "required": _required, "items": _items,
    "minItems": _min_items, "maxItems": _max_items, "uniqueItems": _unique_items,
    "minLength": _min_length, "maxLength": _max_length, "pattern": _pattern,
    "minimum": _minimum, "maximum": _maximum, "enum": _enum, "const": _const,
    "anyOf": _any_of, "allOf": _all_of, "$ref": _ref,
}
