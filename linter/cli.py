"""The command line: ``cfn-trailwatch [options] PATH...``; ``main(argv) -> int`` (pre-commit style).

Exit codes: 0 nothing at or above ``--fail-on``; 1 a finding at or above it; 2 a template could
not be read or analysed, or the usage is wrong. 2 wins over 1: a broken template is never a pass.
With ``--fix`` (docs/fix.md) they are those of the templates as fixed, and a template that cannot
be written is 2 too.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import re
import signal
import sys
import time
from collections import deque
from typing import Any, Callable, Sequence

from . import __version__, catalog, load, monitoring, trail
from . import config as config_file
from .findings import FileError, Located, Suppression
from .report import SEVERITY_ORDER, STAGE_ANALYSE, Run
from .report import json as json_report
from .report import text as text_report

# Report modules by format, imported when used: a pre-commit run pays only for its own.
REPORTS = {"text": "text", "json": "json", "sarif": "sarif", "junit": "junit", "github": "github"}


def _report_module(name: str) -> Any:
    import importlib

    return importlib.import_module(f".report.{REPORTS[name]}", __package__)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_FOLDERS = {"node_modules"}

# --jobs: fewer files than this are scanned in this process, as starting worker processes costs
# more than it gains (a worker starts in about 0.3 s; a template takes milliseconds).
PARALLEL_MIN_FILES = 9
# The progress line (stderr, only when it is a terminal): shown for more files than this, or once
# a scan has taken this long; redrawn at most this often.
PROGRESS_MIN_FILES = 51
PROGRESS_AFTER_SECONDS = 1.0
PROGRESS_INTERVAL_SECONDS = 0.1

# --parameters and --regions take several values; these patterns tell where their values end and
# the paths begin (`--regions us-east-1 eu-west-1 template.yaml`). CloudFormation parameter names
# are alphanumeric.
_PARAMETER = re.compile(r"^[A-Za-z0-9]+=")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+(,[a-z]{2}(-[a-z]+)+-\d+)*,?$")  # comma lists too
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PREFIX = re.compile(r"^[EWI](T\d{0,4})?(,[EWI](T\d{0,4})?)*,?$")


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
    parser.add_argument("--format", choices=tuple(REPORTS), default="text",
                        help="output format (default: text): text, json, sarif (SARIF 2.1.0), "
                             "junit (JUnit XML), github (GitHub Actions annotations)")
    parser.add_argument("--output", metavar="FILE",
                        help="write the report to FILE (UTF-8) instead of standard output")
    parser.add_argument("--fail-on", choices=(*SEVERITY_ORDER, "never"), default=None,
                        help="lowest severity that makes the exit code 1 (default: the config "
                             "file's fail_on, else error)")
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: .cfn-trailwatch.yaml or "
                             "[tool.cfn-trailwatch] in pyproject.toml, here or in a folder above)")
    parser.add_argument("--config-schema", action="store_true",
                        help="print the JSON Schema of the configuration file and exit")
    parser.add_argument("--list-rules", action="store_true",
                        help="list every rule (ID, severity, slug, title) and exit; with "
                             "--format json: {\"rules\": [...]}")
    parser.add_argument("--explain", metavar="ID",
                        help="print the documentation of rule ID and exit")
    parser.add_argument("--include-checks", nargs="+", action="append", default=[],
                        metavar="PREFIX",
                        help="also run the opt-in rules whose ID starts with PREFIX (WT3: the "
                             "monitoring chain WT3001-WT3014); added to the config file's "
                             "include_checks; a disabled rule stays off")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="text output: print under each finding the chain of evidence it "
                             "followed, as a tree, and its NIST SP 800-53 controls")
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
    parser.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N",
                        help="scan files in N parallel processes (default 1; 0: one per CPU); "
                             "the output is the same whatever N")
    parser.add_argument("--fix", action="store_true",
                        help="rewrite the templates in place, fixing what needs no person "
                             "(ET1001-ET1006, ET1008, WT2001, WT2004); says what it did and what "
                             "is left, then reports the templates as they now are")
    parser.add_argument("--diff", action="store_true",
                        help="with --fix (implied): print the fixes as a unified diff "
                             "(patch -p1 applies it), the summary on stderr; write nothing")
    limits = parser.add_argument_group(
        "limits", "each, when exceeded, is an error at its location (exit 2); defaults: the config "
                  "file's limits, else the values shown")
    limits.add_argument("--max-file-size", type=_positive, metavar="BYTES",
                        help=f"largest file read (default {load.MAX_BYTES})")
    limits.add_argument("--max-nodes", type=_positive, metavar="N",
                        help=f"values in a file after expanding YAML aliases (default {load.MAX_NODES})")
    limits.add_argument("--max-depth", type=_positive, metavar="N",
                        help=f"nesting of mappings and lists (default {load.MAX_DEPTH}, at most 10000)")
    limits.add_argument("--max-scenarios", type=_positive, metavar="N",
                        help=f"scenarios one value may split into (default {trail.MAX_BRANCHES})")
    limits.add_argument("--max-reference-depth", type=_positive, metavar="N",
                        help="nesting of intrinsic functions and condition references followed "
                             f"(default {trail.MAX_REFERENCE_DEPTH})")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _jobs(text: str) -> int:
    """--jobs N: a whole number, 0 or more (argparse turns the error into a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more processes, "
                                         "or 0 for one per CPU")
    return value


def _cpu_count() -> int:
    """The CPUs this process may run on (a container's share, where the OS tells it)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _apply_limits(args: argparse.Namespace, config: config_file.Config) -> None:
    """The command line's limits over the config file's, into ``config.load_limits`` (the
    loader's) and the engine's options (see _options)."""
    given = config.limits
    pick = lambda flag, key, default: flag if flag is not None else given.get(key, default)  # noqa: E731
    try:
        config.load_limits = load.Limits(
            max_bytes=pick(args.max_file_size, "file_size", load.MAX_BYTES),
            max_nodes=pick(args.max_nodes, "nodes", load.MAX_NODES),
            max_depth=pick(args.max_depth, "depth", load.MAX_DEPTH))
    except ValueError as err:
        raise UsageError(f"--max-depth: {err}") from None
    config.max_scenarios = pick(args.max_scenarios, "scenarios", trail.MAX_BRANCHES)
    config.max_reference_depth = pick(args.max_reference_depth, "reference_depth",
                                      trail.MAX_REFERENCE_DEPTH)


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


def _options(args: argparse.Namespace, config: config_file.Config) -> trail.Options:
    """Options from the command line, falling back on the config file; the parameters here are
    the command line's, which win over the config file's per-template ones (see _file_options)."""
    parameters: dict[str, Any] = {}
    for path in args.parameter_file:
        parameters.update(_parameter_file(path))
    for item in args.parameters:
        key, _, value = item.partition("=")
        parameters[key] = value
    if args.account_id is not None and not _ACCOUNT_ID.match(args.account_id):
        raise UsageError(f"--account-id: {args.account_id!r} is not a 12-digit account ID")
    regions = tuple(dict.fromkeys(r for item in args.regions for r in item.split(",") if r))
    return trail.Options(parameters=parameters,
                         regions=regions or config.regions or ("us-east-1",),
                         account_id=args.account_id or config.account_id,
                         max_branches=config.max_scenarios or trail.MAX_BRANCHES,
                         max_reference_depth=config.max_reference_depth or trail.MAX_REFERENCE_DEPTH,
                         rule_options={rule: dict(values) for rule, values in config.rules.items()},
                         opt_in=catalog.opt_in_enabled(
                             (*config.include_checks, *args.include_checks), config.disable))


def _file_options(path: str, options: trail.Options, config: config_file.Config) -> trail.Options:
    """The options for one template: the config's parameters for it under the command line's."""
    from_config = config.parameters_for(path, _config_parameter_file)
    if not from_config:
        return options
    return dataclasses.replace(options, parameters={**from_config, **options.parameters})


def _config_parameter_file(path: str) -> dict[str, Any]:
    try:
        return _parameter_file(path)
    except UsageError as err:
        raise config_file.ConfigError(str(err).replace("--parameter-file ", "parameter_files: ")) from None


def _config(args: argparse.Namespace) -> config_file.Config:
    path = args.config if args.config is not None else config_file.find()
    if path is None:
        return config_file.Config()
    if args.config is not None and not os.path.isfile(path):
        raise UsageError(f"--config {path}: no such file")
    return config_file.load(path)


def _is_cloud_assembly(root: str, files: list[str]) -> bool:
    """A CDK cloud assembly (``cdk synth``'s ``cdk.out``, or a stage's nested ``assembly-*``):
    its ``manifest.json`` beside the ``cdk.out`` version file, or in a folder named cdk.out."""
    return "manifest.json" in files and ("cdk.out" in files or os.path.basename(
        os.path.normpath(root)) == "cdk.out")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _walk(folder: str) -> list[str]:
    """The candidate files under ``folder``, sorted, hidden ones and ``node_modules`` left out.
    In a CDK cloud assembly the stacks' ``*.template.json`` are read (its ``manifest.json``,
    ``tree.json`` and ``*.assets.json`` are read too and skipped quietly: they have no
    Resources); its ``asset.*`` files and folders are left out, as they hold the app's bundled
    code and files (a Lambda's ``package.json``, a ``tsconfig.json`` with comments), no template."""
    found: list[str] = []
    inside = os.path.realpath(folder)
    # os.walk does not follow symlinked folders (so no symlink cycle can loop); a symlinked file
    # is read only when it points inside the folder given.
    for root, dirs, files in os.walk(folder):
        files = [name for name in files if not os.path.islink(os.path.join(root, name))
                 or _within(os.path.realpath(os.path.join(root, name)), inside)]
        assembly = _is_cloud_assembly(root, files)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS
                         and not (assembly and d.startswith("asset.")))
        found.extend(os.path.join(root, name) for name in sorted(files)
                     if not name.startswith(".") and name.lower().endswith(TEMPLATE_SUFFIXES)
                     and not (assembly and name.startswith("asset.")))
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


def _inline_suppression(data: dict, finding) -> Suppression | None:
    """cfn-lint's suppressions, so both modes report the same: template-level ``ignore_checks``
    match by prefix (as ``--ignore-checks``), resource-level ones by exact rule ID on the
    resource the finding is anchored in."""
    for check in _ignore_checks(data.get("Metadata")):
        if finding.rule.startswith(check):
            return Suppression("inline", f"template Metadata cfn-lint ignore_checks: {check}")
    path = finding.path
    if len(path) >= 2 and path[0] == "Resources":
        resource = data["Resources"].get(path[1])
        if isinstance(resource, dict) and finding.rule in _ignore_checks(resource.get("Metadata")):
            return Suppression("inline", f"Metadata cfn-lint ignore_checks on {path[1]}")
    return None


def _suppression(path: str, data: dict, finding, config: config_file.Config, run: Run,
                 where: tuple[int, int]) -> Suppression | None:
    inline = _inline_suppression(data, finding)
    if inline is not None:
        return inline
    waiver = config.waiver_for(finding.rule, path, finding.resource)
    if waiver is None:
        return None
    expires = waiver.expires.isoformat() if waiver.expires else None
    if waiver.expired(run.today):
        run.notes.append(FileError(path, *where,
                                   f"waiver {waiver.number} ({waiver.rule} on {waiver.files}) "
                                   f"expired on {expires}: it no longer suppresses this finding"))
        return None
    return Suppression("waiver", waiver.reason, expires)


def _note_undeclared_parameters(path: str, document: load.Document, options: trail.Options,
                                run: Run) -> None:
    """A value given for a parameter the template does not declare is said, not fatal: one
    parameter file often serves several templates."""
    declared = document.data.get("Parameters")
    declared = declared if isinstance(declared, dict) else {}
    for name in sorted(set(options.parameters) - set(declared)):
        run.notes.append(FileError(path, 1, 1, f"parameter {name} is given a value but the "
                                               "template does not declare it"))


def _wanted_types(options: trail.Options) -> tuple[str, ...]:
    """The resource types a file must hold to be analysed at all (see load.load_path)."""
    if options.opt_in.intersection(monitoring.RULES):
        return (load.TRAIL_TYPE, monitoring.METRIC_FILTER)
    return (load.TRAIL_TYPE,)


def _check_file(path: str, options: trail.Options, run: Run, config: config_file.Config,
                text: str | None = None) -> None:
    """Check one file into ``run``; ``text``: check that text as the file's (--fix --diff)."""
    run.files += 1
    try:
        document = load.load_path(path, config.load_limits, skim=True,
                                  wanted=_wanted_types(options)) if text is None \
            else load.load_text(text, path, config.load_limits)
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
        trail_ids = trail.trail_ids(document.data)
        run.trails += len(trail_ids)
        run.trails_by_file[path] = trail_ids
        file_options = _file_options(path, options, config)
        if trail_ids:
            _note_undeclared_parameters(path, document, file_options, run)
        analysis = trail.analyse(document.data, file_options)
        located, errors = [], []

        def off(rule: str) -> bool:
            meta = catalog.get(rule)  # an ID missing from the catalogue is an engine bug
            return rule in config.disable or (meta.opt_in and rule not in file_options.opt_in)

        for finding in analysis.findings:
            if off(finding.rule):
                continue
            where = document.position(finding.path)
            located.append(Located(finding, path, *where,
                                   suppression=_suppression(path, document.data, finding, config,
                                                            run, where)))
        for trail_id, message in analysis.errors:  # one trail failed; the others are reported
            # The engine's message says what happened (an internal error, a limit, an
            # undefined condition), so it is kept as it is.
            errors.append(FileError(path, *document.position(("Resources", trail_id)), message,
                                    {"stage": STAGE_ANALYSE, "trail": trail_id}))
        for note in analysis.notes:   # an older accepted filter pattern: said, never failing
            if not off(note.rule):
                run.notes.append(FileError(path, *document.position(note.path), note.message))
        filters = [(lid, rule) for lid, rule in analysis.filters if not off(rule)]
        if filters:
            run.filters_by_file[path] = filters
    except config_file.ConfigError as err:  # a parameter file named by the config
        run.errors.append(FileError(path, 1, 1, f"configuration: {err}"))
        return
    except Exception as err:  # noqa: BLE001 - one file's failure is reported, the rest still run
        run.errors.append(_internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
        return
    run.findings.extend(located)
    run.errors.extend(errors)


def _internal_error(path: str, line: int, column: int, message: str,
                    trail_id: str | None = None) -> FileError:
    if not message.startswith("internal error"):
        message = f"internal error: {message}"
    extra = {"stage": STAGE_ANALYSE} if trail_id is None else \
        {"stage": STAGE_ANALYSE, "trail": trail_id}
    return FileError(path, line, column, message, extra)


# --- many files: worker processes and the progress line -----------------------------------------

def _merge(run: Run, part: Run) -> None:
    """Add one file's Run to the whole run (``today`` and ``disabled`` are the whole run's)."""
    run.files += part.files
    run.templates += part.templates
    run.trails += part.trails
    run.findings.extend(part.findings)
    run.errors.extend(part.errors)
    run.notes.extend(part.notes)
    run.trails_by_file.update(part.trails_by_file)
    run.filters_by_file.update(part.filters_by_file)


def _check_one(path: str, options: trail.Options, config: config_file.Config,
               today: Any, disabled: frozenset[str]) -> Run:
    """One file checked into a Run of its own, as a worker process does it."""
    part = Run(today=today, disabled=disabled)
    try:
        _check_file(path, options, part, config)
    except Exception as err:  # noqa: BLE001 - _check_file reports what it expects; this the rest
        part = Run(today=today, disabled=disabled, files=1)
        part.errors.append(_internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
    return part


def _worker(connection: Any, options: trail.Options, config: config_file.Config, today: Any,
            disabled: frozenset[str]) -> None:
    """A worker process: receives ``(index, path)`` one at a time, answers ``(index, Run)``;
    ``None`` ends it. Ctrl-C is the parent's to handle: it stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*GC_THRESHOLDS)   # a spawned worker starts with the defaults
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        index, path = task
        part = _check_one(path, options, config, today, disabled)
        try:
            connection.send((index, part))
        except (EOFError, OSError):
            return
        except Exception as err:  # noqa: BLE001 - a result that cannot be pickled
            failed = Run(today=today, disabled=disabled, files=1)
            failed.errors.append(_internal_error(
                path, 1, 1, f"the result could not be passed back from the worker process: "
                            f"{type(err).__name__}: {err}"))
            connection.send((index, failed))


def _worker_gone(path: str, process: Any, today: Any, disabled: frozenset[str]) -> Run:
    """The Run of a file whose worker process ended before answering (killed, out of memory,
    a crash in C code): an error on that file, which fails the gate like any unread file."""
    process.join(timeout=5)
    code = process.exitcode
    how = (f"was killed by signal {-code}" if code is not None and code < 0
           else f"exited with code {code}" if code is not None else "stopped answering")
    part = Run(today=today, disabled=disabled, files=1)
    part.errors.append(_internal_error(
        path, 1, 1, f"the worker process scanning this file {how} before it finished"))
    return part


def _check_parallel(files: list[str], options: trail.Options, config: config_file.Config,
                    run: Run, jobs: int, done: Callable[[], None]) -> list[Run]:
    """Each file checked in one of ``jobs`` worker processes; the Runs in ``files`` order, so
    the merged result is the same as in-process whatever order the workers finish in. Files
    are handed out one at a time, so a worker that dies is known to have held exactly one:
    that file becomes an error and a new worker takes over the files still to do."""
    # spawn, not fork: forking a process with threads is unsafe, and spawn is the same on every OS
    # (it needs the `if __name__ == "__main__"` guard that console scripts and -m have).
    import multiprocessing  # only --jobs pays for it
    import multiprocessing.connection

    context = multiprocessing.get_context("spawn")
    today, disabled = run.today, run.disabled
    parts: list[Run | None] = [None] * len(files)
    pending = deque(range(len(files)))
    workers: dict[Any, list[Any]] = {}  # connection -> [process, index of the file it holds]

    def hand_out(connection: Any) -> None:
        process, _ = workers[connection]
        if not pending:
            workers[connection][1] = None
            return
        index = pending.popleft()
        workers[connection][1] = index
        try:
            connection.send((index, files[index]))
        except (OSError, ValueError):  # it died before it could take the file
            parts[index] = _worker_gone(files[index], process, today, disabled)
            retire(connection)
            done()

    def start() -> None:
        ours, theirs = context.Pipe()
        process = context.Process(target=_worker, args=(theirs, options, config, today, disabled),
                                  name="cfn-trailwatch-worker", daemon=True)
        process.start()
        theirs.close()
        workers[ours] = [process, None]
        hand_out(ours)

    def retire(connection: Any) -> None:
        workers.pop(connection, None)
        connection.close()
        if pending:
            start()

    try:
        for _ in range(min(jobs, len(files))):
            start()
        while any(index is not None for _, index in workers.values()):
            held = {c: w[1] for c, w in workers.items() if w[1] is not None}
            sentinels = {workers[c][0].sentinel: c for c in held}
            for item in multiprocessing.connection.wait([*held, *sentinels]):
                connection = sentinels.get(item, item)
                if connection not in workers or workers[connection][1] != held[connection]:
                    continue  # handled already, through its other handle
                process, index = workers[connection]
                answer, gone = None, False
                try:
                    if connection.poll():
                        answer = connection.recv()
                except (EOFError, OSError):  # the pipe closed: the worker is gone
                    gone = True
                except Exception as err:  # noqa: BLE001 - an answer that cannot be unpickled
                    failed = Run(today=today, disabled=disabled, files=1)
                    failed.errors.append(_internal_error(
                        files[index], 1, 1, "the worker's result could not be read: "
                                            f"{type(err).__name__}: {err}"))
                    answer = (index, failed)
                if answer is not None and answer[0] == index:
                    parts[index] = answer[1]
                    done()
                    if process.is_alive():
                        hand_out(connection)
                    else:  # it answered, then died: nothing lost, a new one goes on
                        workers[connection][1] = None
                        retire(connection)
                elif gone or item is process.sentinel or not process.is_alive():
                    parts[index] = _worker_gone(files[index], process, today, disabled)
                    done()
                    workers[connection][1] = None
                    retire(connection)
        for connection in list(workers):
            try:
                connection.send(None)
            except (OSError, ValueError):
                pass
        for connection, (process, _) in list(workers.items()):
            process.join(timeout=5)
    finally:
        for connection, (process, _) in list(workers.items()):
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            connection.close()
    return [part for part in parts if part is not None]


class _Progress:
    """``cfn-trailwatch: 120/300 files`` on stderr, redrawn in place with ``\\r`` and cleared at
    the end; only when stderr is a terminal and the scan is long (more than PROGRESS_MIN_FILES
    files, or past PROGRESS_AFTER_SECONDS), never into a file, a pipe or a CI log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.width = 0   # of the line on screen, 0 while none is
        self.started = self.drawn = time.monotonic()
        try:
            self.enabled = total > 1 and sys.stderr.isatty()
        except (AttributeError, ValueError, OSError):  # no stderr, or a closed one
            self.enabled = False

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.total < PROGRESS_MIN_FILES and now - self.started < PROGRESS_AFTER_SECONDS:
            return
        if self.width and self.done < self.total and now - self.drawn < PROGRESS_INTERVAL_SECONDS:
            return
        line = f"cfn-trailwatch: {self.done}/{self.total} files"
        self._write("\r" + line.ljust(self.width))
        self.width, self.drawn = max(self.width, len(line)), now

    def close(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            self.enabled = False


def _check_files(files: list[str], options: trail.Options, config: config_file.Config,
                 run: Run, jobs: int) -> None:
    """Check ``files`` into ``run``: in this process, or with ``jobs`` > 1 and enough files in
    worker processes, merged back in ``files`` order (the same output either way)."""
    progress = _Progress(len(files))
    try:
        if jobs > 1 and len(files) >= PARALLEL_MIN_FILES:
            for part in _check_parallel(files, options, config, run, jobs, progress.advance):
                _merge(run, part)
            return
        for path in files:
            _check_file(path, options, run, config)
            progress.advance()
    finally:
        progress.close()


def _fix_files(files: list[str], options: trail.Options, config: config_file.Config, run: Run,
               write: bool) -> list:
    """--fix: each file fixed (``fix``), written when it changed and ``write``, then checked as
    it now reads (or, with --diff, would read). A file that cannot be read is reported as a check
    reports it."""
    from . import fix

    def counts(finding: Any, data: Any, path: str = "") -> bool:  # what the report counts
        waiver = config.waiver_for(finding.rule, path, finding.resource)
        return finding.rule not in config.disable and _inline_suppression(data, finding) is None \
            and (waiver is None or waiver.expired(run.today))

    results = []
    for path in files:
        try:
            result = fix.fix_file(path, _file_options(path, options, config),
                                  lambda f, d, p=path: counts(f, d, p), config.load_limits)
        except (load.LoadError, OSError, config_file.ConfigError):
            _check_file(path, options, run, config)
            continue
        except Exception as err:  # noqa: BLE001 - one file's failure is reported, the rest run
            run.files += 1
            run.errors.append(_internal_error(path, 1, 1, f"--fix: {type(err).__name__}: {err}"))
            continue
        results.append(result)
        if write and result.changed:
            try:
                with open(path, "wb") as handle:
                    handle.write(result.encoded())
                result.written = True
            except OSError as err:
                run.errors.append(FileError(path, 1, 1, "cannot write the fixed template: "
                                                        f"{err.strerror or err}"))
        _check_file(path, options, run, config, None if write else result.text)
    return results


def _list_rules(output_format: str) -> str:
    """``--list-rules``: a text table, or ``{"rules": [...]}`` with ``--format json``."""
    rules = list(catalog.rules().values())
    if output_format == "json":
        return json.dumps({"rules": [{"id": r.id, "slug": r.slug, "severity": r.severity,
                                      "title": r.title, "controls": list(r.controls),
                                      "help_uri": r.help_uri, "opt_in": r.opt_in}
                                     for r in rules]},
                          indent=2, ensure_ascii=False) + "\n"
    if output_format != "text":
        raise UsageError(f"--list-rules: --format {output_format} is not supported (text or json)")
    header = ("ID", "SEVERITY", "SLUG", "TITLE")
    rows = [header] + [(r.id, r.severity, r.slug, r.title) for r in rules]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    marks = {r.id: "  [opt-in: --include-checks WT3]" for r in rules if r.opt_in}
    return "".join(f"{a.ljust(widths[0])}  {b.ljust(widths[1])}  {c.ljust(widths[2])}  {d}"
                   f"{marks.get(a, '')}\n" for a, b, c, d in rows)


def _explain(rule_id: str) -> str:
    """``--explain ID``: the rule's page (the same text as docs/rules/<ID>.md)."""
    from . import docs  # the long texts are read only here

    wanted = rule_id.strip().upper()
    if wanted not in catalog.rules():
        raise UsageError(f"--explain: unknown rule {rule_id!r} (known: "
                         f"{', '.join(catalog.rules())})")
    return docs.page(wanted)


def _check_output(path: str) -> None:
    """--output must name a file that can be written, checked before the scan (the write itself
    is checked again: a usage error, never a traceback). Nothing is created here."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"--output {path}: is a folder")
    if not os.path.isdir(folder):
        raise UsageError(f"--output {path}: no such folder {folder}")
    target = path if os.path.exists(path) else folder
    if not os.access(target, os.W_OK):
        raise UsageError(f"--output {path}: permission denied")


def exit_code(run: Run, fail_on: str) -> int:
    if run.errors:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    failing = SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1]
    return EXIT_FINDINGS if any(item.finding.severity in failing and item.suppression is None
                                for item in run.findings) else EXIT_OK


# A large template is millions of small containers that live to the end of the run. With the
# default thresholds (700, 10, 10) the cyclic collector walks them again and again, so the time
# grows faster than the template (bench section (c)); later, rarer collections keep it linear
# and about a third faster on large files. Nothing here relies on cycles being freed promptly.
GC_THRESHOLDS = (10_000, 10, 10)


def main(argv: Sequence[str] | None = None) -> int:
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)   # main() is also called in-process (tests, hooks)


def _main(argv: Sequence[str] | None) -> int:
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
        args.include_checks = [p for item in _split_greedy(
            args.include_checks, _PREFIX, "--include-checks", "a rule ID prefix", paths)
            for p in item.split(",") if p]
        for prefix in args.include_checks:
            if not any(rule.startswith(prefix) for rule in catalog.rules()):
                raise UsageError(f"--include-checks: {prefix!r} is the prefix of no rule")
        if args.config_schema:
            sys.stdout.write(json.dumps(config_file.schema(), indent=2) + "\n")
            return EXIT_OK
        if args.list_rules:
            sys.stdout.write(_list_rules(args.format))
            return EXIT_OK
        if args.explain is not None:
            sys.stdout.write(_explain(args.explain))
            return EXIT_OK
        if not paths:
            raise UsageError("no PATH given")
        if args.output is not None:
            _check_output(args.output)
        if args.diff and args.format != "text":
            raise UsageError("--diff prints a unified diff: --format does not apply to it")
        config = _config(args)
        _apply_limits(args, config)
        options = _options(args, config)
    except UsageError as err:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except config_file.ConfigError as err:
        print(f"{parser.prog}: error: invalid configuration: {err}", file=sys.stderr)
        return EXIT_ERROR
    args.fail_on = args.fail_on or config.fail_on or "error"

    # A rule that does not run never shows as passing (JUnit): the disabled ones, and the
    # opt-in ones not asked for.
    not_asked = frozenset(r.id for r in catalog.rules().values()
                          if r.opt_in and r.id not in options.opt_in)
    run = Run(disabled=frozenset(config.disable) | not_asked)
    fixes = None
    if args.fix or args.diff:
        fixes = _fix_files(_files(paths, run), options, config, run, write=not args.diff)
    else:
        _check_files(_files(paths, run), options, config, run, args.jobs or _cpu_count())

    report = _report_module(args.format)
    # JUnit's verdict follows the threshold: a finding below --fail-on is not a failed test.
    output = report.render(run, fail_on=args.fail_on) if args.format == "junit" \
        else text_report.render(run, verbose=args.verbose) if report is text_report \
        else report.render(run)
    if fixes is not None:  # --fix: what was done first; --diff: the diff alone, summary on stderr
        from . import fix

        summary = "".join(line + "\n" for line in fix.summary_lines(fixes, diff=args.diff))
        if args.diff:
            sys.stderr.write(summary)
            output = "".join(result.diff() for result in fixes)
        elif report is json_report:
            document = json_report.to_dict(run)
            document["fixes"] = fix.json_entries(fixes)
            output = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
        elif report is text_report:
            output = summary + output
    if args.output is not None:
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace",
                      newline="\n") as handle:
                handle.write(output)
        except OSError as err:
            print(f"{parser.prog}: error: --output {args.output}: {err.strerror or err}",
                  file=sys.stderr)
            return EXIT_ERROR
        return exit_code(run, args.fail_on)
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `cfn-trailwatch ... | head`: the reader left; the verdict stands
        try:  # point stdout at /dev/null so the flush at exit does not complain again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return exit_code(run, args.fail_on)
