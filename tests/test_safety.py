"""Safety: symlinks in folder walks, nothing written but --output, no network, nothing executed."""

from __future__ import annotations

import json
import os
import socket

import pytest

from cfn_trailwatch.cli import main

from helpers import NO_CWL, SEED


def run(capsys, *args):
    code = main(["--format", "json", *map(str, args)])
    return code, json.loads(capsys.readouterr().out)


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SEED)
    scanned = tmp_path / "scanned"
    (scanned / "stacks").mkdir(parents=True)
    (scanned / "stacks" / "own.yaml").write_text(NO_CWL)
    os.symlink(outside / "secret.yaml", scanned / "stacks" / "link-out.yaml")
    os.symlink(scanned / "stacks" / "own.yaml", scanned / "link-in.yaml")
    os.symlink(outside, scanned / "folder-out")
    os.symlink(scanned, scanned / "stacks" / "loop")  # a symlink cycle
    code, report = run(capsys, scanned)
    # Only the folder's own template, once (the in-folder link and the file are one file).
    assert {os.path.realpath(f["file"]) for f in report["findings"]} == {
        os.path.realpath(scanned / "stacks" / "own.yaml")}
    assert report["summary"]["files"] == 1
    assert code == 1


def test_an_explicit_symlink_is_read(tmp_path, capsys):
    (tmp_path / "real.yaml").write_text(NO_CWL)
    os.symlink(tmp_path / "real.yaml", tmp_path / "link.yaml")
    code, report = run(capsys, tmp_path / "link.yaml")
    assert code == 1 and report["summary"]["templates"] == 1


def test_nothing_is_written_but_the_output_file(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "t.yaml").write_text(SEED)
    monkeypatch.chdir(work)
    before = sorted(p.name for p in work.rglob("*"))
    assert main(["t.yaml"]) == 1
    assert main(["--format", "sarif", "t.yaml"]) == 1
    capsys.readouterr()
    assert sorted(p.name for p in work.rglob("*")) == before
    assert main(["--format", "json", "--output", "report.json", "t.yaml"]) == 1
    assert sorted(p.name for p in work.rglob("*")) == sorted(before + ["report.json"])


def test_no_network_is_touched(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("cfn-trailwatch opened a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    (tmp_path / "t.yaml").write_text(SEED)
    assert run(capsys, tmp_path / "t.yaml")[0] == 1


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
])
def test_python_tags_are_never_constructed(tmp_path, capsys, payload):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text("Resources:\n  A:\n    Type: X\n    Properties:\n      P: "
                    + payload.format(marker=marker) + "\n")
    code, report = run(capsys, path)
    assert code == 2 and "unsupported YAML tag" in report["errors"][0]["message"]
    assert not marker.exists()
