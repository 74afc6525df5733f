"""The configuration file: found, read, validated against the shipped JSON Schema, applied.

``.cfn-trailwatch.yaml`` (or ``.yml``), or a ``[tool.cfn-trailwatch]`` table in
``pyproject.toml``, in the working directory or the nearest folder above it; or the file given
with ``--config``. Globs in it are relative to the folder that holds it. An invalid file is a
``ConfigError`` naming the key and the reason (the CLI exits 2).
"""

from __future__ import annotations

import datetime
import json
import os
import re
from importlib import resources
from typing import Any, Callable

from . import catalog, schema_subset
from .records import field, record

FILE_NAMES = (".cfn-trailwatch.yaml", ".cfn-trailwatch.yml")
PYPROJECT = "pyproject.toml"
TOOL_KEY = "cfn-trailwatch"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the reason."""


@record(frozen=True)
class Waiver:
    """One waiver of the configuration file: a rule waived on some files, why, until when."""
    number: int            # its index in the file, for messages
    rule: str
    files: str
    reason: str
    resource: str | None = None
    expires: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today >= self.expires


@record
class Config:
    """What the configuration file says (the defaults when there is none)."""
    path: str | None = None                 # the file it came from (None: no file)
    base: str = "."                         # folder that globs are relative to
    fail_on: str | None = None
    regions: tuple[str, ...] = ()
    account_id: str | None = None
    disable: frozenset[str] = frozenset()
    include_checks: tuple[str, ...] = ()    # prefixes of the opt-in rules to run
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    parameters: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (glob, values)
    parameter_files: list[tuple[str, str]] = field(default_factory=list)        # (glob, file)
    waivers: list[Waiver] = field(default_factory=list)
    stack_names: list[tuple[str, str]] = field(default_factory=list)    # (glob, stack name)
    deployments: list[tuple[str, str]] = field(default_factory=list)    # (glob, deployment)
    workspace: list[str] = field(default_factory=list)   # folders read for exports (see scan.stacks)
    baseline: str | None = None     # the baseline file, relative to the working directory
    limits: dict[str, int] = field(default_factory=dict)   # as written in the file
    # The effective limits, the command line's over the file's (set by the CLI).
    load_limits: Any = None
    max_scenarios: int | None = None
    max_reference_depth: int | None = None

    def relative(self, file: str) -> str:
        """``file`` relative to the config's folder, in POSIX form, for glob matching."""
        rel = os.path.relpath(os.path.abspath(file), os.path.abspath(self.base))
        return rel.replace(os.sep, "/")

    def matches(self, pattern: str, file: str) -> bool:
        return glob_regex(pattern).fullmatch(self.relative(file)) is not None

    def parameters_for(self, file: str, read_file: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """Parameter values the config gives ``file``: every matching entry, later ones winning."""
        values: dict[str, Any] = {}
        for pattern, path in self.parameter_files:
            if self.matches(pattern, file):
                values.update(read_file(path))
        for pattern, given in self.parameters:
            if self.matches(pattern, file):
                values.update(given)
        return values

    def stack_name_for(self, file: str) -> str | None:
        """The stack name the config gives ``file`` (the last matching entry), if any."""
        return _last_match(self, self.stack_names, file)

    def deployment_for(self, file: str) -> str | None:
        return _last_match(self, self.deployments, file)

    def waiver_for(self, rule: str, file: str, resource: str) -> Waiver | None:
        for waiver in self.waivers:
            if waiver.rule == rule and (waiver.resource is None or waiver.resource == resource) \
                    and self.matches(waiver.files, file):
                return waiver
        return None


def _last_match(config: Config, entries: list[tuple[str, str]], file: str) -> str | None:
    found = None
    for pattern, value in entries:
        if config.matches(pattern, file):
            found = value
    return found


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob: ``*`` and ``?`` stay within a folder, ``**/`` spans any folders."""
    compiled = _GLOB_CACHE.get(pattern)
    if compiled is None:
        out, i = [], 0
        pattern_text = pattern[2:] if pattern.startswith("./") else pattern
        while i < len(pattern_text):
            char = pattern_text[i]
            if pattern_text.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
                continue
            if pattern_text.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
            i += 1
        compiled = _GLOB_CACHE[pattern] = re.compile("".join(out))
    return compiled


def find(start: str = ".") -> str | None:
    """The config file that applies in ``start``: the nearest one at or above it."""
    folder = os.path.abspath(start)
    while True:
        for name in FILE_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _pyproject_has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _pyproject_has_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"^\s*\[tool\.(\"cfn-trailwatch\"|cfn-trailwatch)\]", text, re.M) is not None


def load(path: str) -> Config:
    """Read and validate a config file (YAML, or pyproject.toml's table)."""
    data = _read(path)
    _validate(data, path)
    return _build(data, path)


def _read(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        try:
            import tomllib  # type: ignore[import-not-found]
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            document = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from None
        table = document.get("tool", {}).get(TOOL_KEY)
        if table is None:
            raise ConfigError(f"{path}: no [tool.{TOOL_KEY}] table")
        return table
    import yaml
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_config_loader())
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not valid UTF-8 text: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(err, 'problem', None) or err}") from None
    return {} if data is None else data


def _config_loader() -> type:
    """A safe loader that keeps ``2027-01-31`` as text: the schema and the waiver check dates
    themselves, with a located message, instead of YAML failing on ``2026-02-30``."""
    import yaml

    class ConfigLoader(yaml.SafeLoader):
        pass

    ConfigLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return ConfigLoader


def schema() -> dict[str, Any]:
    text = resources.files("cfn_trailwatch").joinpath("data/config.schema.json").read_text("utf-8")
    return json.loads(text)


def _validate(data: Any, path: str) -> None:
    if not schema_subset.surely_valid(data, schema()):
        import jsonschema  # only for a file not proven valid: it is slow to import

        validator = jsonschema.Draft202012Validator(schema())
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            error = errors[0]
            key = _key_path(error.absolute_path) or "(top level)"
            raise ConfigError(f"{path}: {key}: {_reason(error)}")
    known = set(catalog.rules())
    checks: list[tuple[str, Any]] = [(f"disable[{i}]", rule) for i, rule in enumerate(data.get("disable", []))]
    checks += [(f"rules.{rule}", rule) for rule in data.get("rules", {})]
    checks += [(f"waivers[{i}].rule", w["rule"]) for i, w in enumerate(data.get("waivers", []))]
    for i, prefix in enumerate(data.get("include_checks", [])):
        if not any(rule.startswith(prefix) for rule in known):
            raise ConfigError(f"{path}: include_checks[{i}]: {prefix!r} is the prefix of no rule "
                              f"(known: {', '.join(sorted(known))})")
    for key, rule in checks:
        if rule not in known:
            raise ConfigError(f"{path}: {key}: unknown rule {rule!r} (known: {', '.join(sorted(known))})")
    for i, waiver in enumerate(data.get("waivers", [])):
        if "expires" in waiver:
            try:
                datetime.date.fromisoformat(waiver["expires"])
            except ValueError:
                raise ConfigError(f"{path}: waivers[{i}].expires: {waiver['expires']!r} is not a "
                                  "date (YYYY-MM-DD)") from None


def _key_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reason(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message} (see the schema: cfn-trailwatch --config-schema)"
    if error.validator == "anyOf" and error.schema.get("anyOf") and "required" in error.schema["anyOf"][0]:
        needed = " or ".join(repr(option["required"][0]) for option in error.schema["anyOf"])
        return f"needs {needed}"
    return error.message


def _build(data: dict[str, Any], path: str) -> Config:
    base = os.path.dirname(os.path.abspath(path))
    config = Config(path=path, base=base, fail_on=data.get("fail_on"),
                    regions=tuple(data.get("regions", ())), account_id=data.get("account_id"),
                    disable=frozenset(data.get("disable", ())),
                    include_checks=tuple(data.get("include_checks", ())),
                    rules={k: dict(v) for k, v in data.get("rules", {}).items()},
                    limits=dict(data.get("limits", {})))
    for entry in data.get("parameters", []):
        values = {k: _parameter_text(v) for k, v in entry.get("values", {}).items()}
        if values:
            config.parameters.append((entry["files"], values))
        for file in entry.get("parameter_files", []):
            config.parameter_files.append((entry["files"], os.path.join(base, file)))
        if "stack_name" in entry:
            config.stack_names.append((entry["files"], entry["stack_name"]))
        if "deployment" in entry:
            config.deployments.append((entry["files"], entry["deployment"]))
    # relative to the working directory, as the files a scan names are shown
    config.workspace = [os.path.relpath(os.path.join(base, folder))
                        for folder in data.get("workspace", [])]
    if "baseline" in data:   # relative to the config file; named from the working directory
        config.baseline = os.path.relpath(os.path.join(base, data["baseline"]))
    for number, entry in enumerate(data.get("waivers", [])):
        expires = entry.get("expires")
        config.waivers.append(Waiver(number, entry["rule"], entry["files"], entry["reason"].strip(),
                                     entry.get("resource"),
                                     datetime.date.fromisoformat(expires) if expires else None))
    return config


def _parameter_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value
