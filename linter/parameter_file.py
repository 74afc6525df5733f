"""Parameter files: the values of a deployment's parameters, in the AWS CLI format
(``[{"ParameterKey": ..., "ParameterValue": ...}]``) or CodePipeline's (``{"Parameters": {...}}``).

Read for ``--parameter-file`` (``cli``) and for the configuration's ``parameter_files`` (``scan``,
per template); each names the file its own way in the error (:class:`ParameterFileError`).
"""

from __future__ import annotations

import json
from typing import Any


class ParameterFileError(Exception):
    """A parameter file that cannot be read or is not in either format; ``str()`` is
    ``"PATH: what is wrong"``."""


def read(path: str) -> dict[str, Any]:
    """The parameter values of the file at ``path``, by parameter name (a string, or a list of
    strings for a ``List<...>`` parameter)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except OSError as err:
        raise ParameterFileError(f"{path}: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise ParameterFileError(f"{path}: not valid JSON: {err}") from None

    def value(raw: Any, key: str) -> Any:
        if isinstance(raw, str):
            return raw
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, (int, float)):
            return str(raw)
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            return list(raw)
        raise ParameterFileError(f"{path}: the value of {key!r} must be a string")

    result: dict[str, Any] = {}
    if isinstance(data, list):  # AWS CLI: aws cloudformation ... --parameters file://FILE
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
                raise ParameterFileError(f"{path}: each entry needs a ParameterKey")
            key = entry["ParameterKey"]
            if "ParameterValue" in entry:
                result[key] = value(entry["ParameterValue"], key)
            elif not entry.get("UsePreviousValue"):
                raise ParameterFileError(f"{path}: {key!r} has no ParameterValue")
            # UsePreviousValue without a value: the deployed value is not known here.
        return result
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):  # CodePipeline
        for key, raw in data["Parameters"].items():
            result[key] = value(raw, key)
        return result
    raise ParameterFileError(f"{path}: expected the AWS CLI format "
                             "[{\"ParameterKey\": ..., \"ParameterValue\": ...}] or the "
                             "CodePipeline format {\"Parameters\": {...}}")
