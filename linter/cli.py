"""The command line: ``cfn-trailwatch [options] PATH...``; ``main(argv) -> int`` (pre-commit style).

Arguments, the configuration file, parameter files into ``trail.Options``, ``--list-rules`` and
``--explain``, the report and the exit code. Which files are read, and how (folders, ``cdk.out``,
worker processes, the progress line, per-file options and suppressions, ``--fix`` file by file),
is the scan's: ``cfn_trailwatch.scan`` (``--shard K/N`` too: ``scan/shard.py``). ``--merge``
joins the shards' JSON or SARIF reports instead of scanning (``cfn_trailwatch.merge``); a flag
rather than a ``merge`` subcommand, so a file or folder named ``merge`` is still a PATH.

Exit codes: 0 nothing at or above ``--fail-on``; 1 a finding at or above it; 2 a template could
not be read or analysed, or the usage is wrong. 2 wins over 1: a broken template is never a pass.
With ``--fix`` (docs/fix.md) they are those of the templates as fixed, and a template that cannot
be written is 2 too. ``--merge`` decides them from the merged report as a scan does.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from typing import Any, Iterable, Sequence

from . import __version__, catalog, load, parameter_file, scan, suppress, trail
from .scan import shard as sharding
from . import config as config_file
from .baseline import BaselineError
from .report import SEVERITY_ORDER, VERDICT_ERROR, VERDICT_FAIL, Run, verdict
from .report import json as json_report
from .report import text as text_report

# Report modules by format, imported when used: a pre-commit run pays only for its own.
REPORTS = {"text": "text", "json": "json", "sarif": "sarif", "junit": "junit", "github": "github",
           "gitlab": "gitlab", "markdown": "markdown"}
# --markdown-limit: the size the Markdown report is capped at (report/markdown.py).
MARKDOWN_LIMITS = ("comment", "summary")


def _report_module(name: str) -> Any:
    import importlib

    return importlib.import_module(f".report.{REPORTS[name]}", __package__)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

GC_THRESHOLDS = scan.GC_THRESHOLDS

# --parameters and --regions take several values; these patterns tell where their values end and
# the paths begin (`--regions us-east-1 eu-west-1 template.yaml`). CloudFormation parameter names
# are alphanumeric.
_PARAMETER = re.compile(r"^[A-Za-z0-9]+=")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+(,[a-z]{2}(-[a-z]+)+-\d+)*,?$")  # comma lists too
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_PREFIX = re.compile(r"^[EWI](T\d{0,4})?(,[EWI](T\d{0,4})?)*,?$")


# What only a scan reads: given with --merge, each is a usage error rather than ignored.
_SCAN_ONLY = (("parameters", "--parameters"), ("parameter_file", "--parameter-file"),
              ("regions", "--regions"), ("account_id", "--account-id"),
              ("stack_name", "--stack-name"),
              ("include_checks", "--include-checks"), ("verbose", "--verbose"),
              ("jobs", "--jobs"), ("fix", "--fix"), ("diff", "--diff"), ("shard", "--shard"),
              ("fix_baselined", "--fix-baselined"), ("baseline", "--baseline"),
              ("write_baseline", "--write-baseline"),
              ("max_file_size", "--max-file-size"), ("max_nodes", "--max-nodes"),
              ("max_depth", "--max-depth"), ("max_scenarios", "--max-scenarios"),
              ("max_reference_depth", "--max-reference-depth"),
              # a merge joins JSON or SARIF reports; the other formats are a scan's rendering
              ("also_output", "--also-output"), ("markdown_limit", "--markdown-limit"))


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
    parser.add_argument("--format", choices=tuple(REPORTS), default=None,
                        help="output format (default: text): text, json, sarif (SARIF 2.1.0), "
                             "junit (JUnit XML), github (GitHub Actions annotations), gitlab "
                             "(GitLab Code Quality), markdown (a summary with Mermaid diagrams)")
    parser.add_argument("--output", metavar="FILE",
                        help="write the report to FILE (UTF-8) instead of standard output")
    parser.add_argument("--also-output", action="append", default=[], metavar="FORMAT:FILE",
                        help="also write the same run in FORMAT to FILE (e.g. markdown:summary.md "
                             "beside --format sarif); may be repeated")
    parser.add_argument("--markdown-limit", choices=MARKDOWN_LIMITS, default="comment",
                        help="size cap of the markdown format: comment (default; 65,536, a "
                             "pull-request comment) or summary (1 MiB, a GitHub job summary)")
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
    parser.add_argument("--stack-name", metavar="NAME",
                        help="the name of the stack the one template given deploys as "
                             "(AWS::StackName, e.g. in its export names); for several templates, "
                             "stack_name in the configuration file")
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
    parser.add_argument("--fix-baselined", action="store_true",
                        help="with --fix or --diff: also fix the findings the baseline records "
                             "(left alone otherwise)")
    parser.add_argument("--baseline", metavar="FILE",
                        help="report the findings FILE records as suppressed and fail only on "
                             "new ones; its entries no longer found are notes (default: the "
                             "config file's baseline); docs/baseline.md")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="record today's findings in FILE (reasons of a finding already in "
                             "the baseline are kept; entries of files not scanned too), then "
                             "report with it")
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
    matrix = parser.add_argument_group(
        "CI matrix", "split one scan over N jobs, then join their reports (README: \"Sharding\")")
    matrix.add_argument("--shard", type=_shard, metavar="K/N",
                        help="check only the K-th of N shares of the files (1 <= K <= N); the "
                             "files are still all discovered. A share is stable: a file keeps its "
                             "shard when others are added")
    matrix.add_argument("--merge", action="store_true",
                        help="the PATHs are the --format json or sarif reports of shards 1..N "
                             "of one scan: write the report of the whole scan (one SARIF run); "
                             "--format, --output and --fail-on apply as to a scan")
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


def _shard(text: str) -> sharding.Shard:
    """--shard K/N (argparse turns the error into a usage error)."""
    try:
        return sharding.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


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
        return parameter_file.read(path)
    except parameter_file.ParameterFileError as err:
        raise UsageError(f"--parameter-file {err}") from None


def _options(args: argparse.Namespace, config: config_file.Config) -> trail.Options:
    """Options from the command line, falling back on the config file; the parameters here are
    the command line's, which win over the config file's per-template ones (see
    scan.check.file_options)."""
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
                         stack_name=args.stack_name,
                         opt_in=catalog.opt_in_enabled(
                             (*config.include_checks, *args.include_checks), config.disable))


def _config(args: argparse.Namespace) -> config_file.Config:
    path = args.config if args.config is not None else config_file.find()
    if path is None:
        return config_file.Config()
    if args.config is not None and not os.path.isfile(path):
        raise UsageError(f"--config {path}: no such file")
    return config_file.load(path)


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


def _check_output(path: str, option: str = "--output") -> None:
    """--output (and --write-baseline) must name a file that can be written, checked before the
    scan (the write itself is checked again: a usage error, never a traceback). Nothing is
    created here."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{option} {path}: is a folder")
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: no such folder {folder}")
    target = path if os.path.exists(path) else folder
    if not os.access(target, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied")


def _also_outputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """``--also-output FORMAT:FILE`` values as (format, file), checked before the scan: a known
    format, a writable file, no file named twice (nor the --output file)."""
    outputs: list[tuple[str, str]] = []
    taken = {os.path.abspath(args.output)} if args.output is not None else set()
    for value in args.also_output:
        fmt, colon, path = value.partition(":")
        if not colon or not path:
            raise UsageError(f"--also-output {value!r}: give FORMAT:FILE, e.g. markdown:summary.md")
        if fmt not in REPORTS:
            raise UsageError(f"--also-output {value!r}: unknown format {fmt!r} "
                             f"(known: {', '.join(REPORTS)})")
        _check_output(path, "--also-output")
        if os.path.abspath(path) in taken:
            raise UsageError(f"--also-output {path}: this file is already an output")
        taken.add(os.path.abspath(path))
        outputs.append((fmt, path))
    return outputs


def exit_code(run: Run, fail_on: str) -> int:
    outcome = verdict(run, fail_on)   # the same verdict the Markdown report states
    return EXIT_ERROR if outcome == VERDICT_ERROR else \
        EXIT_FINDINGS if outcome == VERDICT_FAIL else EXIT_OK


def _render(fmt: str, run: Run, args: argparse.Namespace, fixes: Any) -> str:
    """The report of ``run`` in ``fmt``, as --output or --also-output writes it; with --fix, the
    text report starts with what was done and the JSON report gains ``fixes``."""
    report = _report_module(fmt)
    # JUnit's verdict follows the threshold: a finding below --fail-on is not a failed test.
    if fmt == "junit":
        output = report.render(run, fail_on=args.fail_on)
    elif fmt == "markdown":
        output = report.render(run, fail_on=args.fail_on,
                               limit=report.LIMITS[args.markdown_limit])
    elif fmt == "text":
        output = text_report.render(run, verbose=args.verbose)
    else:
        output = report.render(run)
    if fixes is not None and not args.diff:  # --fix: what was done first
        from . import fix

        if fmt == "json":
            document = json_report.to_dict(run)
            document["fixes"] = fix.json_entries(fixes)
            output = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
        elif fmt == "text":
            summary = "".join(line + "\n" for line in fix.summary_lines(fixes, diff=False))
            output = summary + output
    return output


def _write_file(path: str, output: str, option: str) -> str | None:
    """Write ``output`` to ``path``; the error message, or None."""
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace",
                  newline="\n") as handle:
            handle.write(output)
    except OSError as err:
        return f"{option} {path}: {err.strerror or err}"
    return None


def _exit_for(errors: int, severities: Iterable[str], fail_on: str) -> int:
    """The exit code of a report with ``errors`` and counted findings of ``severities``."""
    if errors:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    failing = SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1]
    return EXIT_FINDINGS if any(severity in failing for severity in severities) else EXIT_OK


def _merge(paths: list[str], args: argparse.Namespace, wanted: str | None) -> int:
    """``--merge``: the shards' reports at ``paths`` joined, written, and judged as a scan's."""
    from . import merge as merge_reports  # imported when used, as the report modules are

    try:
        merged = merge_reports.merge(paths, wanted)
    except merge_reports.MergeError as err:
        print(f"cfn-trailwatch: error: --merge: {err}", file=sys.stderr)
        return EXIT_ERROR
    if not _emit(merged.text, args.output):
        return EXIT_ERROR
    return _exit_for(merged.errors, merged.severities, args.fail_on)


def _emit(output: str, path: str | None) -> bool:
    """The report to ``path`` (--output) or standard output; False when the file cannot be
    written (said on stderr)."""
    if path is not None:
        try:
            with open(path, "w", encoding="utf-8", errors="backslashreplace",
                      newline="\n") as handle:
                handle.write(output)
        except OSError as err:
            print(f"cfn-trailwatch: error: --output {path}: {err.strerror or err}",
                  file=sys.stderr)
            return False
        return True
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `cfn-trailwatch ... | head`: the reader left; the verdict stands
        try:  # point stdout at /dev/null so the flush at exit does not complain again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return True


def main(argv: Sequence[str] | None = None) -> int:
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)   # see scan.check.GC_THRESHOLDS
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)   # main() is also called in-process (tests, hooks)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after "--" is a path, even "--fix": argparse's intermixed parsing (Python
    # 3.11, 3.12) reads options after it, so the paths after it are set aside first.
    after = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    try:
        args = parser.parse_intermixed_args(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0)
        return stop.code if isinstance(stop.code, int) else EXIT_ERROR
    args.paths = list(args.paths) + after
    wanted_format, args.format = args.format, args.format or "text"
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
        also = _also_outputs(args)
        if also and args.diff:
            raise UsageError("--diff prints a unified diff: --also-output does not apply to it")
        if args.stack_name is not None and (len(paths) != 1 or os.path.isdir(paths[0])):
            raise UsageError("--stack-name names the stack of one template: give one file, or "
                             "stack_name per file in the configuration")
        if args.stack_name is not None and not _STACK_NAME.match(args.stack_name):
            raise UsageError(f"--stack-name: {args.stack_name!r} is not a stack name (a letter, "
                             "then letters, digits and hyphens, at most 128)")
        if args.diff and args.format != "text":
            raise UsageError("--diff prints a unified diff: --format does not apply to it")
        if args.merge:
            given = [flag for dest, flag in _SCAN_ONLY
                     if getattr(args, dest) != parser.get_default(dest)]
            if given:
                raise UsageError(f"--merge joins reports: {', '.join(given)} "
                                 f"{'is' if len(given) == 1 else 'are'} for a scan")
            if wanted_format not in (None, "json", "sarif"):
                raise UsageError(f"--merge joins json or sarif reports, not {wanted_format}")
        if args.shard is not None and (args.fix or args.diff):
            raise UsageError("--shard checks a share of the files; --fix and --diff take them "
                             "all in one run")
        if args.write_baseline is not None:
            if args.shard is not None:
                raise UsageError("--write-baseline records a whole scan: a shard would drop "
                                 "what the other shards found")
            if args.fix or args.diff:
                raise UsageError("--write-baseline records the findings of the templates as "
                                 "they are: run --fix first, then --write-baseline")
            _check_output(args.write_baseline, "--write-baseline")
        if args.fix_baselined and not (args.fix or args.diff):
            raise UsageError("--fix-baselined goes with --fix or --diff")
        config = _config(args)
        _apply_limits(args, config)
        options = _options(args, config)
        baseline = None if args.merge else \
            suppress.load_baseline(args.baseline or config.baseline, args.write_baseline)
    except BaselineError as err:
        print(f"{parser.prog}: error: baseline {err}", file=sys.stderr)
        return EXIT_ERROR
    except UsageError as err:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except config_file.ConfigError as err:
        print(f"{parser.prog}: error: invalid configuration: {err}", file=sys.stderr)
        return EXIT_ERROR
    args.fail_on = args.fail_on or config.fail_on or "error"
    if args.merge:
        return _merge(paths, args, wanted_format)

    # A rule that does not run never shows as passing (JUnit): the disabled ones, and the
    # opt-in ones not asked for.
    not_asked = frozenset(r.id for r in catalog.rules().values()
                          if r.opt_in and r.id not in options.opt_in)
    run = Run(disabled=frozenset(config.disable) | not_asked)
    fixes = None
    if args.fix or args.diff:
        fixes = scan.fix(paths, options, config, run, write=not args.diff,
                         baseline=None if args.fix_baselined else baseline)
    else:
        scan.check(paths, options, config, run, args.jobs, args.shard)
    walked = [path for path in paths if os.path.isdir(path)]
    if args.write_baseline is not None:
        try:
            written = suppress.write_baseline(run, args.write_baseline, baseline, walked)
        except BaselineError as err:
            print(f"{parser.prog}: error: --write-baseline {err}", file=sys.stderr)
            return EXIT_ERROR
        print(f"{parser.prog}: wrote {args.write_baseline}: {len(written.entries)} "
              f"entr{'y' if len(written.entries) == 1 else 'ies'}", file=sys.stderr)
    elif baseline is not None:
        suppress.apply_baseline(run, baseline, walked)

    if args.diff:  # the diff alone, the summary on stderr
        from . import fix

        sys.stderr.write("".join(line + "\n" for line in fix.summary_lines(fixes, diff=True)))
        output = "".join(result.diff() for result in fixes)
    else:
        output = _render(args.format, run, args, fixes)
    failed = False
    for fmt, path in also:   # the same run in other formats (e.g. the Markdown summary)
        problem = _write_file(path, _render(fmt, run, args, fixes), "--also-output")
        if problem is not None:
            print(f"{parser.prog}: error: {problem}", file=sys.stderr)
            failed = True
    code = EXIT_ERROR if failed else exit_code(run, args.fail_on)
    if not _emit(output, args.output):
        return EXIT_ERROR
    return code
