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

A path given that does not exist is an error of the shard its key falls in, as a file would be,
so the shards' reports are a partition of the single run's and ``--merge`` only concatenates.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import PurePath

from ..report import Run, ShardInfo
from ..report._paths import relative_to_cwd


@dataclass(frozen=True)
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


def owner(path: str, count: int) -> int:
    """The shard (1..count) that ``path`` belongs to."""
    digest = hashlib.sha256(key(path).encode("utf-8", "surrogateescape")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def scan_id(files: list[str]) -> str:
    """Names the whole scan (every discovered file, in the order of the walk), so that merging
    can tell the shards of one scan from those of another commit or other paths."""
    text = json.dumps(files, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def select(files: list[str], run: Run, shard: Shard | None) -> list[str]:
    """The files of ``shard`` (all of them without one). The errors already in ``run`` (paths
    that do not exist) are kept only in their owner's shard, and the run records which shard it
    is, for the JSON and SARIF reports."""
    if shard is None:
        return files
    run.shard = ShardInfo(shard.index, shard.count, scan_id(files))
    run.errors[:] = [error for error in run.errors if owner(error.file, shard.count) == shard.index]
    return [path for path in files if owner(path, shard.count) == shard.index]
