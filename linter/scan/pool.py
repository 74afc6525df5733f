"""The worker pool of ``--jobs``: files checked in worker processes, one file at a time each,
and their results merged back in the order of the walk, so the output is the same whatever the
number of workers; a worker that dies costs only the file it held."""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from typing import Any, Callable

from .. import config as config_file
from .. import trail
from ..report import Run
from .check import GC_THRESHOLDS, check_file, internal_error

# Fewer files than this are scanned in this process, as starting worker processes costs more
# than it gains (a worker starts in about 0.3 s; a template takes milliseconds).
PARALLEL_MIN_FILES = 9


def cpu_count() -> int:
    """The CPUs this process may run on (a container's share, where the OS tells it): the
    workers of ``--jobs 0``."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def merge(run: Run, part: Run) -> None:
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
               today: Any, disabled: frozenset[str], scan: Any = None) -> Run:
    """One file checked into a Run of its own, as a worker process does it."""
    part = Run(today=today, disabled=disabled)
    try:
        check_file(path, options, part, config, scan=scan)
    except Exception as err:  # noqa: BLE001 - check_file reports what it expects; this the rest
        part = Run(today=today, disabled=disabled, files=1)
        part.errors.append(internal_error(path, 1, 1, f"{type(err).__name__}: {err}"))
    return part


def _worker(connection: Any, options: trail.Options, config: config_file.Config, today: Any,
            disabled: frozenset[str], scan: Any = None) -> None:
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
        part = _check_one(path, options, config, today, disabled, scan)
        try:
            connection.send((index, part))
        except (EOFError, OSError):
            return
        except Exception as err:  # noqa: BLE001 - a result that cannot be pickled
            failed = Run(today=today, disabled=disabled, files=1)
            failed.errors.append(internal_error(
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
    part.errors.append(internal_error(
        path, 1, 1, f"the worker process scanning this file {how} before it finished"))
    return part


def check_parallel(files: list[str], options: trail.Options, config: config_file.Config,
                   run: Run, jobs: int, done: Callable[[], None], scan: Any = None) -> list[Run]:
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
        process = context.Process(target=_worker, args=(theirs, options, config, today, disabled, scan),
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
                    failed.errors.append(internal_error(
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
