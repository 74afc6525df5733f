"""Issue 13, "Past one machine": on the whole corpus (``../shared/corpus``) and ``fixtures/``,
as ``tests/scan_goldens.py`` scans them, ``--shard k/3`` for k = 1..3 partitions the files, and
``--merge`` of the three reports is the single-process report byte for byte, in JSON and in
SARIF (one run, valid against the OASIS schema), with and without the opt-in rules, and with the
same exit code."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import jsonschema
import pytest

import scan_goldens
from cfn_trailwatch.cli import main
from cfn_trailwatch.report import Run
from cfn_trailwatch.scan import discover
from cfn_trailwatch.scan import shard as sharding

if not all(path.is_dir() for path in scan_goldens.SOURCES.values()):
    if os.environ.get("CI"):
        raise RuntimeError(f"{scan_goldens.SHARED} is missing: CI must run beside ../shared")
    pytest.skip("../shared (the corpus) is not beside this checkout", allow_module_level=True)

SARIF_SCHEMA = json.loads((scan_goldens.SHARED / "schemas" / "sarif-schema-2.1.0.json")
                          .read_text(encoding="utf-8"))
SHARDS = 3


@pytest.fixture(scope="module")
def workspace():
    with scan_goldens.workspace() as root:
        yield root


def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--config", scan_goldens.CONFIG, *argv])
    return code, out.getvalue()


def test_the_shards_partition_the_corpus_and_are_balanced(workspace):
    files = discover(list(scan_goldens.SOURCES), Run())
    assert len(files) > 800
    shares = [sharding.select(files, Run(), sharding.Shard(k, SHARDS))
              for k in range(1, SHARDS + 1)]
    assert sorted(f for share in shares for f in share) == sorted(files)
    assert len({f for share in shares for f in share}) == len(files)
    mean = len(files) / SHARDS
    assert all(abs(len(share) - mean) < 0.15 * mean for share in shares), list(map(len, shares))


@pytest.mark.parametrize("flags", list(scan_goldens.FLAGS))
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_merging_the_shards_gives_the_single_run_byte_for_byte(workspace, fmt, flags):
    extra = scan_goldens.FLAGS[flags]
    code, single = cli("--format", fmt, *extra, *scan_goldens.SOURCES)
    names, files = [], 0
    for k in range(1, SHARDS + 1):
        name = f"{flags}-{k}.{fmt}"
        shard_code, out = cli("--format", fmt, "--shard", f"{k}/{SHARDS}", "--output", name,
                              *extra, *scan_goldens.SOURCES)
        assert out == "" and shard_code in (0, 1, 2)
        report = json.loads(Path(name).read_text(encoding="utf-8"))
        if fmt == "json":
            files += report["summary"]["files"]
        names.append(name)
    merged_code, merged = cli("--merge", "--format", fmt, *names)
    assert merged == single
    assert merged_code == code == 2   # the corpus holds one unreadable template
    if fmt == "json":
        assert files == json.loads(single)["summary"]["files"] > 800
    else:
        log = json.loads(merged)
        validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
        validator_class(SARIF_SCHEMA, format_checker=validator_class.FORMAT_CHECKER).validate(log)
        assert len(log["runs"]) == 1 and len(log["runs"][0]["results"]) > 1000
