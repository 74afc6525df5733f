"""Symbolic evaluation of CloudFormation intrinsic functions into typed values."""

from .model import (Atom, GeneratedName, Import, NoValue, Parameter, Pseudo, ResourceAttr, ResourceRef, Text,
                    Unknown, Value, concat, is_literal, render, scalar_bool, scalar_int, scalar_text,
                    source, unknowns_in)
from .scenario import EMPTY, Branches, Scenario

__all__ = [
    "Atom", "GeneratedName", "Import", "NoValue", "Parameter", "Pseudo", "ResourceAttr", "ResourceRef", "Text",
    "Unknown", "Value", "concat", "is_literal", "render", "scalar_bool", "scalar_int", "scalar_text",
    "source", "unknowns_in",
    "EMPTY", "Branches", "Scenario",
]

from .resolve import DEFAULT_REGION, Resolver, partition_of, url_suffix_of  # noqa: E402

__all__ += ["DEFAULT_REGION", "Resolver", "partition_of", "url_suffix_of"]
