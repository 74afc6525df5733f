"""The scan: the layer between the command line and the trail analysis.

``cli`` turns arguments and configuration into ``trail.Options`` and a ``Config``, hands the
paths to :func:`check` (or :func:`fix`) with a ``Run`` to fill, and renders the ``Run``. The scan
decides which files are read and how:

- ``files``: discovery; the paths given, folders walked in sorted order, ``cdk.out`` read for
  its templates;
- ``check``: one file checked into a ``Run``, with its own options (the configuration's
  parameters for it), its findings placed and suppressed (``suppress``), its failures its own;
- ``pool``: the worker processes of ``--jobs``, their results merged in the order of the walk;
- ``progress``: the progress line on a terminal;
- ``fixes``: ``--fix``/``--diff`` file by file.

The steps that look across the files of one scan (issue 13: the export index, nested stacks,
``--shard K/N``) go between discovery and checking, in :func:`check`, with modules of their own.
"""

from __future__ import annotations

from typing import Any, Sequence

from .. import config as config_file
from .. import link, trail
from ..report import Run
from . import fixes, pool, stacks
from .check import GC_THRESHOLDS, check_file
from .files import discover
from .progress import Progress
from .shard import Shard, options_id, select

__all__ = ["GC_THRESHOLDS", "check", "check_files", "discover", "fix"]


def check(paths: Sequence[str], options: trail.Options, config: config_file.Config, run: Run,
          jobs: int, shard: Shard | None = None) -> None:
    """Check every file under ``paths`` into ``run``; ``jobs`` worker processes (0: one per
    CPU). A path that does not exist is an error in ``run``; the other paths are still read."""
    link.real_path.cache_clear()   # a new scan: paths may point elsewhere than last time
    files = discover(paths, run)
    scan = stacks.index(files, options, config)   # from every file, before the shard's share
    files = select(files, run, shard, scan.parents,
                   options_id(options, config) if shard is not None else "")
    run.scanned = list(files)   # the shard's share: a baseline speaks for its entries only
    check_files(files, options, config, run, jobs or pool.cpu_count(), scan)


def check_files(files: list[str], options: trail.Options, config: config_file.Config,
                run: Run, jobs: int, scan: stacks.ScanIndex | None = None) -> None:
    """Check ``files`` into ``run``: in this process, or with ``jobs`` > 1 and enough files in
    worker processes, merged back in ``files`` order (the same output either way). ``scan``:
    what links the files (exports, nested stacks), from all the scan's files."""
    progress = Progress(len(files))
    try:
        if jobs > 1 and len(files) >= pool.PARALLEL_MIN_FILES:
            stacks.forget_reads()   # the workers read their files themselves
            for part in pool.check_parallel(files, options, config, run, jobs, progress.advance,
                                            scan):
                pool.merge(run, part)
            return
        for path in files:
            check_file(path, options, run, config, scan=scan)
            progress.advance()
    finally:
        progress.close()
        stacks.forget_reads()   # what this scan did not take (a shard's other files)
        if scan is not None and scan.parents:
            stacks.merge_nested(run)


def fix(paths: Sequence[str], options: trail.Options, config: config_file.Config, run: Run,
        write: bool, baseline: Any = None) -> list:
    """``--fix`` (``write``) or ``--diff`` on every file under ``paths``, one at a time; the fix
    results, for the summary and the diff. ``baseline``: its findings are left alone."""
    files = discover(paths, run)
    run.scanned = list(files)
    return fixes.fix_files(files, options, config, run, write, baseline)
