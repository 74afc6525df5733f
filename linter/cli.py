"""The command line: ``cfn-trailwatch [options] PATH...``; ``main(argv) -> int`` (pre-commit style).

Exit codes: 0 nothing at or above ``--fail-on``; 1 a finding at or above it; 2 a template could
not be read or analysed, or the usage is wrong. 2 wins over 1: a broken template is never a pass.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Sequence

from . import __version__, catalog, load, trail
from .findings import FileError, Located
from .report import SEVERITY_ORDER, STAGE_ANALYSE, Run
from .report import json as json_report
from .report import text as text_report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_FOLDERS = {"node_modules"}

# --parameters and --regions take several values; these patterns tell where their values end and
# the paths begin (`--regions us-east-1 eu-west-1 template.yaml`). CloudFormation parameter names
# are alphanumeric.
_PARAMETER = re.compile(r"^[A-Za-z0-9]+=")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+(,[a-z]{2}(-[a-z]+)+-\d+)*,?$")  # comma lists too
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class UsageError(Exception):
    """Wrong usage found after argparse (exit 2, message on stderr)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cfn-trailwatch",
        description="Prove that every AWS::CloudTrail::Trail in CloudFormation templates delivers "
                    "its events to CloudWatch Logs (NIST SP 800-53 Rev. 5).",
        epilog="Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; "
               "2 a template could not be read, or wrong usage.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="template files, or folders to search for .yaml/.yml/.json/.template")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--fail-on", choices=(*SEVERITY_ORDER, "never"), default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("--parameters", nargs="+", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="parameter values of the deployment; may be repeated")
    parser.add_argument("--parameter-file", action="append", default=[], metavar="FILE",
                        help="JSON parameter file: AWS CLI ([{\"ParameterKey\": ..., "
                             "\"ParameterValue\": ...}]) or CodePipeline ({\"Parameters\": {...}}); "
                             "--parameters win over it")
    parser.add_argument("--regions", nargs="+", action="append", default=[], metavar="REGION",
                        help="regions to analyse for, separated by spaces or commas "
                             "(default: us-east-1)")
    parser.add_argument("--account-id", metavar="ID",
                        help="the 12-digit account the templates deploy to")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _split_greedy(occurrences: list[list[str]], pattern: re.Pattern[str], option: str,
                  form: str, paths: list[str]) -> list[str]:
    """The values of a several-valued option. argparse hands each occurrence of the option every
    word up to the next option, so an occurrence ends at its first word not of the option's form,
    and the words from there on are paths."""
    values: list[str] = []
    for words in occurrences:
        for index, word in enumerate(words):
            if not pattern.match(word):
                if any(pattern.match(later) for later in words[index + 1:]):
                    raise UsageError(f"{option}: {word!r} is not {form}")
                paths.extend(words[index:])
                words = words[:index]
                break
        values.extend(words)
    return values


def _parameter_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except OSError as err:
        raise UsageError(f"--parameter-file {path}: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise UsageError(f"--parameter-file {path}: not valid JSON: {err}") from None

    def value(raw: Any, key: str) -> Any:
        if isinstance(raw, str):
            return raw
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, (int, float)):
            return str(raw)
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            return list(raw)
        raise UsageError(f"--parameter-file {path}: the value of {key!r} must be a string")

    result: dict[str, Any] = {}
    if isinstance(data, list):  # AWS CLI: aws cloudformation ... --parameters file://FILE
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
                raise UsageError(f"--parameter-file {path}: each entry needs a ParameterKey")
            key = entry["ParameterKey"]
            if "ParameterValue" in entry:
                result[key] = value(entry["ParameterValue"], key)
            elif not entry.get("UsePreviousValue"):
                raise UsageError(f"--parameter-file {path}: {key!r} has no ParameterValue")
            # UsePreviousValue without a value: the deployed value is not known here.
        return result
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):  # CodePipeline
        for key, raw in data["Parameters"].items():
            result[key] = value(raw, key)
        return result
    raise UsageError(f"--parameter-file {path}: expected the AWS CLI format "
                     "[{\"ParameterKey\": ..., \"ParameterValue\": ...}] or the CodePipeline "
                     "format {\"Parameters\": {...}}")


def _options(args: argparse.Namespace) -> trail.Options:
    parameters: dict[str, Any] = {}
    for path in args.parameter_file:
        parameters.update(_parameter_file(path))
    for item in args.parameters:
        key, _, value = item.partition("=")
        parameters[key] = value
    if args.account_id is not None and not _ACCOUNT_ID.match(args.account_id):
        raise UsageError(f"--account-id: {args.account_id!r} is not a 12-digit account ID")
    return trail.Options(parameters=parameters,
                         regions=tuple(dict.fromkeys(
                             r for item in args.regions for r in item.split(",") if r))
                         or ("us-east-1",),
                         account_id=args.account_id)


def _walk(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        found.extend(os.path.join(root, name) for name in sorted(files)
                     if not name.startswith(".") and name.lower().endswith(TEMPLATE_SUFFIXES))
    return found


def _files(paths: Sequence[str], run: Run) -> list[str]:
    """The files to read, in command-line order, each once; a missing path is an error."""
    result: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            candidates = _walk(path)
        elif os.path.exists(path):
            candidates = [path]
        else:
            run.errors.append(FileError(path, 1, 1, "no such file or directory"))
            continue
        for candidate in candidates:
            key = os.path.normcase(os.path.realpath(candidate))
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result


def _ignore_checks(metadata: Any) -> list[str]:
    """``Metadata: cfn-lint: config: ignore_checks: [...]`` of a template or a resource."""
    try:
        checks = metadata["cfn-lint"]["config"]["ignore_checks"]
    except (KeyError, TypeError):
        return []
    return [c for c in checks if isinstance(c, str) and c] if isinstance(checks, list) else []


def _suppressed(data: dict, finding) -> bool:
    """cfn-lint's suppressions, so both modes report the same: template-level ``ignore_checks``
    match by prefix (as ``--ignore-checks``), resource-level ones by exact rule ID on the
    resource the finding is anchored in."""
    if any(finding.rule.startswith(check) for check in _ignore_checks(data.get("Metadata"))):
        return True
    path = finding.path
    if len(path) >= 2 and path[0] == "Resources":
        resource = data["Resources"].get(path[1])
        if isinstance(resource, dict):
            return finding.rule in _ignore_checks(resource.get("Metadata"))
    return False


def _check_file(path: str, options: trail.Options, run: Run) -> None:
    run.files += 1
    try:
        document = load.load_path(path)
    except load.LoadError as err:
        if not err.not_a_template:
            run.errors.append(FileError(path, max(err.line, 1), max(err.column, 1), err.message))
        return
    except OSError as err:
        run.errors.append(FileError(path, 1, 1, f"cannot read: {err.strerror or err}"))
        return
    except Exception as err:  # noqa: BLE001 - a loader bug must not stop the other files
        run.errors.append(_internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
        return
    try:
        if not load.is_template(document.data):
            return
        run.templates += 1
        run.trails += len(trail.trail_ids(document.data))
        analysis = trail.analyse(document.data, options)
        located, errors = [], []
        for finding in analysis.findings:
            catalog.get(finding.rule)  # an ID missing from the catalogue is an engine bug
            if not _suppressed(document.data, finding):
                located.append(Located(finding, path, *document.position(finding.path)))
        for trail_id, message in analysis.errors:  # one trail failed; the others are reported
            errors.append(_internal_error(path, *document.position(("Resources", trail_id)),
                                          message))
    except Exception as err:  # noqa: BLE001 - one file's failure is reported, the rest still run
        run.errors.append(_internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
        return
    run.findings.extend(located)
    run.errors.extend(errors)


def _internal_error(path: str, line: int, column: int, message: str) -> FileError:
    if not message.startswith("internal error"):
        message = f"internal error: {message}"
    return FileError(path, line, column, message, {"stage": STAGE_ANALYSE})


def exit_code(run: Run, fail_on: str) -> int:
    if run.errors:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    failing = SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1]
    return EXIT_FINDINGS if any(item.finding.severity in failing for item in run.findings) \
        else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_intermixed_args(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0)
        return stop.code if isinstance(stop.code, int) else EXIT_ERROR
    try:
        paths = list(args.paths)
        args.parameters = _split_greedy(args.parameters, _PARAMETER, "--parameters",
                                        "of the form KEY=VALUE", paths)
        args.regions = _split_greedy(args.regions, _REGION, "--regions", "a region name", paths)
        if not paths:
            raise UsageError("no PATH given")
        options = _options(args)
    except UsageError as err:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return EXIT_ERROR

    run = Run()
    for path in _files(paths, run):
        _check_file(path, options, run)

    renderer = json_report if args.format == "json" else text_report
    try:
        sys.stdout.write(renderer.render(run))
        sys.stdout.flush()
    except BrokenPipeError:  # `cfn-trailwatch ... | head`: the reader left; the verdict stands
        try:  # point stdout at /dev/null so the flush at exit does not complain again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return exit_code(run, args.fail_on)
