"""``--fix`` and ``--diff`` over the files of a scan: each file fixed (``cfn_trailwatch.fix``),
written when it changed (not with ``--diff``), then checked as it now reads, or would read.
A fix edits only the file it was planned for."""

from __future__ import annotations

from typing import Any

from .. import config as config_file
from .. import load, suppress, trail
from ..findings import FileError
from ..report import Run
from .check import check_file, file_options, internal_error


def fix_files(files: list[str], options: trail.Options, config: config_file.Config, run: Run,
              write: bool, baseline: Any = None) -> list:
    """--fix: each file fixed (``fix``), written when it changed and ``write``, then checked as
    it now reads (or, with --diff, would read). A file that cannot be read is reported as a check
    reports it. ``baseline``: the findings it records are left alone (suppress.fix_counts). The
    fix results, in ``files`` order, for the summary and the diff."""
    from .. import fix

    counts = suppress.fix_counts(config, run, baseline)   # what the report counts

    results = []
    for path in files:
        try:
            result = fix.fix_file(path, file_options(path, options, config),
                                  lambda f, d, p=path: counts(f, d, p), config.load_limits)
        except (load.LoadError, OSError, config_file.ConfigError):
            check_file(path, options, run, config)
            continue
        except Exception as err:  # noqa: BLE001 - one file's failure is reported, the rest run
            run.files += 1
            run.errors.append(internal_error(path, 1, 1, f"--fix: {type(err).__name__}: {err}"))
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
        check_file(path, options, run, config, None if write else result.text)
    return results
