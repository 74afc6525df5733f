"""``--shard K/N``: the share of a scan's files that one of N jobs checks (a CI matrix).

Discovery still walks every path: the steps that look across files (issue 13's export index) see
the whole scan, and only the per-file checks are split. A file belongs to shard
``1 + sha256(key) mod N``, where ``key`` is its path relative to the working directory in POSIX
form (as SARIF names it), or its absolute path when it lies outside. Why a hash and not
round-robin over the sorted walk:

- **stable**: adding or removing a file moves no other file to another shard (round-robin shifts
  every file after it), so a shard's report, its timing and its cache stay comparable between
  commits;
- **the same in every job**: the key does not depend on where the checkout is, nor on Python's
  randomised ``hash``;
- **balanced** enough: for thousands of files a shard's size is within a few per cent of the
  mean (round-robin would be exact, at the price of stability).

A template nested by other templates of the scan (``stacks.ScanIndex.parents``) is analysed
through its parents, and its findings from several parents are merged into one
(``stacks.merge_nested``), so it and every template that nests it, transitively, go to one shard
together: the group's key is the least key of its files. (Adding a template that nests others
can thus move them; nothing else does.) A path given that does not exist is an error of the
shard its key falls in, as a file would be. So the shards' reports are a partition of the single
run's: each file's findings, errors and notes are in exactly one, and ``--merge`` only
concatenates.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any, Mapping, Sequence

from .. import link
from ..records import record
from ..report import Run, ShardInfo
from ..report._paths import relative_to_cwd


@record(frozen=True)
class Shard:
    index: int   # K, 1-based
    count: int   # N

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N; a ValueError saying what is wrong otherwise (argparse turns it
    into a usage error when raised as ArgumentTypeError by the caller)."""
    index, slash, count = text.partition("/")
    if not slash or not index.isdigit() or not count.isdigit():
        raise ValueError(f"{text!r} is not of the form K/N (e.g. 1/3)")
    shard = Shard(int(index), int(count))
    if shard.count < 1:
        raise ValueError(f"{text!r}: N must be at least 1")
    if not 1 <= shard.index <= shard.count:
        raise ValueError(f"{text!r}: K must be from 1 to N ({shard.count})")
    return shard


def key(path: str) -> str:
    """What places ``path`` in a shard: relative to the working directory, else absolute."""
    relative = relative_to_cwd(path)
    return relative if relative is not None else PurePath(os.path.abspath(path)).as_posix()


def _bucket(text: str, count: int) -> int:
    import hashlib   # here: only --shard pays for its import

    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def owner(path: str, count: int) -> int:
    """The shard (1..count) that ``path`` belongs to on its own (not nested, see groups)."""
    return _bucket(key(path), count)


def groups(files: list[str], together: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The key each file is placed by: its own, or, for a nested template and the templates
    nesting it (``together``: a nested template's real path -> the files nesting it), the least
    key of that group's files."""
    root: dict[str, str] = {}

    def find(item: str) -> str:
        while root.setdefault(item, item) != item:
            root[item] = root[root[item]]
            item = root[item]
        return item

    for child, parents in together.items():
        for parent in parents:
            root[find(link.real_path(parent))] = find(child)
    least: dict[str, str] = {}
    for path in files:
        group = find(link.real_path(path))
        least[group] = min(least.get(group, key(path)), key(path))
    return {path: least[find(link.real_path(path))] for path in files}


def scan_id(files: list[str]) -> str:
    """Names the whole scan (every discovered file, in the order of the walk), so that merging
    can tell the shards of one scan from those of another commit or other paths."""
    import hashlib   # here: only --shard pays for its import

    text = json.dumps(files, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def options_id(options: Any, config: Any) -> str:
    """Names what decides a scan's findings besides its files: the analysis options (the
    command line's parameters, regions, account, limits, rule options, opt-in rules, stack
    name) and what the configuration says of the files (disabled rules, per-file parameters,
    stack names and deployments, waivers, workspace, baseline, limits), so that merging can
    tell shards run with other options (another --parameters in one job of the matrix) from
    shards of one scan. Paths of the machine (where the configuration file is) are left out."""
    import hashlib   # here: only --shard pays for its import

    decided = {
        "options": [options.parameters, list(options.regions), options.account_id,
                    options.max_branches, options.max_reference_depth, options.rule_options,
                    sorted(options.opt_in), options.stack_name],
        "config": [sorted(config.disable), config.parameters,
                   [[glob, os.path.relpath(file)] for glob, file in config.parameter_files],
                   [[w.rule, w.files, w.resource, str(w.expires), w.reason]
                    for w in config.waivers],
                   config.stack_names, config.deployments, config.workspace, config.baseline,
                   repr(config.load_limits)],
    }
    text = json.dumps(decided, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def select(files: list[str], run: Run, shard: Shard | None,
           together: Mapping[str, Sequence[str]] | None = None,
           options_hash: str = "") -> list[str]:
    """The files of ``shard`` (all of them without one), nested templates with the templates
    nesting them (``together``, see groups). The errors already in ``run`` (paths that do not
    exist) are kept only in their owner's shard, and the run records which shard it is, of which
    scan and with which options (``options_hash``, :func:`options_id`), for the JSON and SARIF
    reports."""
    if shard is None:
        return files
    run.shard = ShardInfo(shard.index, shard.count, scan_id(files), options_hash)
    run.errors[:] = [error for error in run.errors if owner(error.file, shard.count) == shard.index]
    placed = groups(files, together or {})
    return [path for path in files if _bucket(placed[path], shard.count) == shard.index]
