"""The parse floor: read and parse every given template, and nothing else.

    python bench/parse_floor.py FILE...

This is the least any linter written in Python must do with the same files: YAML through
libyaml's C loader (``yaml.CSafeLoader``, with CloudFormation's short-form tags ``!Ref``,
``!GetAtt``, ``!Sub``… built as plain one-key dicts by a multi-constructor for ``!``), JSON
through ``json.loads`` (falling back to YAML, as cfn-lint does, when the text is not JSON). The
benchmark runs it as a whole process on the same file list as cfn-trailwatch and cfn-lint, so
the interpreter's start-up is part of the floor too.

Prints one line to stderr: files read, how many could not be parsed. Exit 0 (parse errors are
counted, not fatal: the other tools report them as findings).
"""

from __future__ import annotations

import json
import sys

import yaml

try:
    _Base = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml: the floor is then the pure-Python loader
    _Base = yaml.SafeLoader  # type: ignore[misc]
    print("parse_floor: warning: PyYAML has no libyaml, using the pure-Python loader",
          file=sys.stderr)


class FloorLoader(_Base):  # type: ignore[misc, valid-type]
    """CSafeLoader plus CloudFormation's short-form intrinsic functions."""


def _short_form(loader: FloorLoader, suffix: str, node: yaml.Node) -> dict:
    name = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    return {name: value}


FloorLoader.add_multi_constructor("!", _short_form)


def parse(path: str) -> object:
    with open(path, "rb") as handle:
        raw = handle.read()
    text = raw.decode("utf-8-sig")
    if path.endswith(".json") or text.lstrip()[:1] == "{":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return yaml.load(text, Loader=FloorLoader)  # noqa: S506 - safe loader subclass


def main(argv: list[str]) -> int:
    failed = 0
    for path in argv:
        try:
            parse(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
            failed += 1
    print(f"parse_floor: {len(argv)} files, {failed} not parsed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
