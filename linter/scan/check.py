"""Checking one file of a scan into a ``Run``: its options (the configuration's parameters for
it under the command line's), loading, the analysis, each finding placed at a line and column
and suppressed or not, and any failure kept to that file."""

from __future__ import annotations

from typing import Any

from .. import catalog, link, load, monitoring, parameter_file, records, suppress, trail
from .. import config as config_file
from ..findings import FileError, Located
from ..report import STAGE_ANALYSE, Run
from . import stacks

# A large template is millions of small containers that live to the end of the run. With the
# default thresholds (700, 10, 10) the cyclic collector walks them again and again, so the time
# grows faster than the template (bench section (c)); later, rarer collections keep it linear
# and about a third faster on large files. Nothing here relies on cycles being freed promptly.
# The command line sets them for its run, a worker process for its own.
GC_THRESHOLDS = (10_000, 10, 10)


def file_options(path: str, options: trail.Options, config: config_file.Config) -> trail.Options:
    """The options for one template: the config's parameters for it under the command line's."""
    from_config = config.parameters_for(path, _config_parameter_file)
    if not from_config:
        return options
    return records.replace(options, parameters={**from_config, **options.parameters})


def _config_parameter_file(path: str) -> dict[str, Any]:
    try:
        return parameter_file.read(path)
    except parameter_file.ParameterFileError as err:
        raise config_file.ConfigError(f"parameter_files: {err}") from None


def _note_undeclared_parameters(path: str, document: load.Document, options: trail.Options,
                                run: Run) -> None:
    """A value given for a parameter the template does not declare is said, not fatal: one
    parameter file often serves several templates."""
    declared = document.data.get("Parameters")
    declared = declared if isinstance(declared, dict) else {}
    for name in sorted(set(options.parameters) - set(declared)):
        run.notes.append(FileError(path, 1, 1, f"parameter {name} is given a value but the "
                                               "template does not declare it"))


def _wanted_types(options: trail.Options, nests: bool = False) -> tuple[str, ...]:
    """The resource types a file must hold to be analysed at all (see load.load_path); a
    file that nests a stack of the scan is read for the trails of its nested stacks."""
    wanted = (load.TRAIL_TYPE,) + (link.STACK_TYPES if nests else ())
    if options.opt_in.intersection(monitoring.RULES):
        return wanted + (monitoring.METRIC_FILTER,)
    return wanted


def _load(path: str, config: config_file.Config, wanted: tuple[str, ...]) -> load.Document:
    raw = stacks.take_read(path)   # read by the scan's index already, in this process
    whole = stacks.cached_whole(path, config.load_limits)   # loaded whole for a link already
    if whole is not None:
        return whole
    if raw is not None:
        return load.load_read(raw, path, config.load_limits, skim=True, wanted=wanted)
    return load.load_path(path, config.load_limits, skim=True, wanted=wanted)


def check_file(path: str, options: trail.Options, run: Run, config: config_file.Config,
               text: str | None = None, scan: stacks.ScanIndex | None = None) -> None:
    """Check one file into ``run``; ``text``: check that text as the file's (--fix --diff);
    ``scan``: what links the scan's files (stacks.index), for imports and nested stacks."""
    run.files += 1
    nests = scan is not None and path in scan.nesters
    nested = text is None and stacks.nested_only(path, scan)
    try:
        # a template its parents nest is read whole once, by whichever check comes first
        document = load.load_text(text, path, config.load_limits) if text is not None \
            else stacks.load_whole(path, config.load_limits) if nested \
            else _load(path, config, _wanted_types(options, nests))
    except load.LoadError as err:
        if not err.not_a_template:
            run.errors.append(FileError(path, max(err.line, 1), max(err.column, 1), err.message))
        return
    except OSError as err:
        run.errors.append(FileError(path, 1, 1, f"cannot read: {err.strerror or err}"))
        return
    except Exception as err:  # noqa: BLE001 - a loader bug must not stop the other files
        run.errors.append(internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
        return
    try:
        if not load.is_template(document.data):
            return
        run.templates += 1
        trail_ids = trail.trail_ids(document.data)
        run.trails += len(trail_ids)
        run.trails_by_file[path] = trail_ids
        options_here = file_options(path, options, config)
        if trail_ids:
            _note_undeclared_parameters(path, document, options_here, run)
        if nested:
            return   # analysed through the templates that nest it, with their values
        if scan is not None and scan.stack_name(path):
            options_here = records.replace(options_here, stack_name=scan.stack_name(path))
        # linking reads other files: only for what is analysed (trails, nested stacks' trails,
        # metric filters when the monitoring rules run)
        analysed = trail_ids or nests or (options.opt_in.intersection(monitoring.RULES) and
                                          load.resources_of_type(document.data,
                                                                 monitoring.METRIC_FILTER))
        linked = stacks.link_file(path, document, options_here, config, scan, options) \
            if analysed else None
        analysis = trail.analyse(document.data, options_here, linked)
        located, errors = [], []
        for problem in linked.errors if linked is not None else ():
            origin = problem.file
            where = document.position(problem.path) if origin == path \
                else (problem.position or (1, 1))
            # the deployment's shape (a nesting cycle, too deep), not the file's syntax
            errors.append(FileError(origin, *where, problem.message, {"stage": STAGE_ANALYSE}))

        def off(rule: str) -> bool:
            meta = catalog.get(rule)  # an ID missing from the catalogue is an engine bug
            return rule in config.disable or (meta.opt_in and rule not in options_here.opt_in)

        for finding in analysis.findings:
            if off(finding.rule):
                continue
            item, placed_in = stacks.place(Located(finding, path, *document.position(finding.path)),
                                           linked, document)
            item = stacks.with_related(item, linked)
            located.append(records.replace(item, suppression=suppress.suppression(
                item.file, placed_in.data, item.finding, config, run, (item.line, item.column))))
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
        run.errors.append(internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
        return
    run.findings.extend(located)
    run.errors.extend(errors)


def internal_error(path: str, line: int, column: int, message: str,
                   trail_id: str | None = None) -> FileError:
    """An error of the analysis itself (not of the template) on ``path``, said as one."""
    if not message.startswith("internal error"):
        message = f"internal error: {message}"
    extra = {"stage": STAGE_ANALYSE} if trail_id is None else \
        {"stage": STAGE_ANALYSE, "trail": trail_id}
    return FileError(path, line, column, message, extra)
