"""The scan layer (``linter/scan/``, issue 13 step 1) gives, byte for byte, the output the CLI
gave before it existed: on the corpus and the fixtures, in every format, with and without the
opt-in monitoring rules, in one process and in worker processes. The goldens and how they are
made: ``tests/scan_goldens.py``."""

from __future__ import annotations

import json
import os

import pytest

import scan_goldens

if not all(path.is_dir() for path in scan_goldens.SOURCES.values()):
    if os.environ.get("CI"):
        raise RuntimeError(f"{scan_goldens.SHARED} is missing: CI must run beside ../shared")
    pytest.skip("../shared (the corpus) is not beside this checkout", allow_module_level=True)

GOLDENS = json.loads(scan_goldens.GOLDENS.read_text(encoding="utf-8"))["goldens"]
REGENERATE = ("if the output is meant to change, regenerate them (python tests/scan_goldens.py "
              "--write) and say why in the commit")


@pytest.fixture(scope="module")
def workspace():
    with scan_goldens.workspace() as root:
        yield root


@pytest.mark.parametrize("flags", list(scan_goldens.FLAGS))
def test_every_format_is_byte_identical_to_the_goldens_whatever_jobs(workspace, flags):
    golden = GOLDENS[flags]
    measured, run = scan_goldens.measure(flags, jobs=1)
    assert measured["exit"] == golden["exit"]
    assert measured["summary"] == golden["summary"], REGENERATE
    assert measured["sha256"] == golden["sha256"], REGENERATE
    # Worker processes: the same exit code and JSON bytes from the CLI, and the same Run, which
    # every other format is rendered from.
    code, out, parallel = scan_goldens.scan(flags, jobs=2)
    assert code == golden["exit"]
    assert scan_goldens.sha256(out) == golden["sha256"]["json"]
    assert parallel == run


def test_the_goldens_cover_what_the_issue_asks():
    assert set(GOLDENS) == {"default", "wt3"}
    for golden in GOLDENS.values():
        assert set(golden["sha256"]) == set(scan_goldens.FORMATS)
        # The corpus and the fixtures were all read, and something was found in them.
        assert golden["summary"]["files"] > 800 and golden["summary"]["findings"] > 1000
