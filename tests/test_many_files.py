"""Many files: CDK cloud assemblies in folder walks, --jobs (parallel worker processes, the same
output whatever N), and the progress line on a terminal's stderr."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cfn_trailwatch import load
from cfn_trailwatch.scan import pool, progress
from cfn_trailwatch.cli import main

from helpers import COMPLIANT, NO_CWL, SEED, scripted_template, write


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(yaml_text: str) -> str:
    """A YAML template of the helpers as a JSON template (as `cdk synth` writes them)."""
    return json.dumps(load.load_bytes(yaml_text.encode(), "t.yaml").data, indent=1)


# --- CDK cloud assemblies ----------------------------------------------------------------------

def fake_cdk_out(root: Path) -> None:
    """A `cdk synth` output: templates, the assembly's own JSON files, and bundled assets."""
    out = root / "cdk.out"
    write(out, "cdk.out", '{"version":"36.0.0"}')
    write(out, "manifest.json", json.dumps({"version": "36.0.0", "artifacts": {
        "App": {"type": "aws:cloudformation:stack",
                "properties": {"templateFile": "App.template.json"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}))
    write(out, "tree.json", json.dumps({"version": "tree-0.1", "tree": {"id": "App", "path": ""}}))
    write(out, "App.assets.json", json.dumps({"version": "36.0.0", "files": {"abc": {
        "source": {"path": "asset.abc", "packaging": "zip"}, "destinations": {}}},
        "dockerImages": {}}))
    write(out, "App.template.json", as_json(SEED))
    # Bundled Lambda code: JSON with comments (tsconfig) and a YAML file that is no template.
    write(out, "asset.abc/tsconfig.json", '{\n  // comments are fine for tsc\n  "a": 1,\n}\n')
    write(out, "asset.abc/config.yaml", "key: [unclosed\n")
    write(out, "asset.def.yaml", "{{{")
    # A stage: a nested assembly with its own manifest, stack template and assets.
    write(out, "assembly-Prod/cdk.out", '{"version":"36.0.0"}')
    write(out, "assembly-Prod/manifest.json", json.dumps({"version": "36.0.0", "artifacts": {}}))
    write(out, "assembly-Prod/ProdApp.template.json", as_json(NO_CWL))
    write(out, "assembly-Prod/ProdApp.assets.json",
          json.dumps({"version": "36.0.0", "files": {}, "dockerImages": {}}))
    write(out, "assembly-Prod/asset.ghi/package.json", '{"name": "handler",')
    write(root, "cdk.json", json.dumps({"app": "npx ts-node bin/app.ts"}))
    write(root, "cdk.context.json", json.dumps({"availability-zones:account=1:region=x": ["a"]}))


def test_cdk_out_templates_are_read_and_its_other_files_skipped(tmp_path, capsys):
    fake_cdk_out(tmp_path)
    code, out, err = run(capsys, "--format", "json", tmp_path)
    report = json.loads(out)
    assert report["errors"] == [] and err == ""
    files = {Path(f["file"]).relative_to(tmp_path).as_posix() for f in report["findings"]}
    assert files == {"cdk.out/App.template.json", "cdk.out/assembly-Prod/ProdApp.template.json"}
    assert {f["rule"] for f in report["findings"]
            if f["file"].endswith("App.template.json")} >= {"ET1003", "ET1004"}
    summary = report["summary"]
    assert (summary["templates"], summary["trails"]) == (2, 2)
    # Read and skipped quietly: cdk.json, cdk.context.json, manifest.json x2, tree.json,
    # App.assets.json, ProdApp.assets.json; the two templates; no asset.* file.
    assert summary["files"] == 9
    assert code == 1


def test_cdk_out_named_folder_without_version_file(tmp_path, capsys):
    """Older assemblies have no `cdk.out` version file: the folder's name tells."""
    out = tmp_path / "cdk.out"
    write(out, "manifest.json", '{"version": "2.0.0", "artifacts": {}}')
    write(out, "Old.template.json", as_json(COMPLIANT))
    write(out, "asset.1/broken.json", "{")
    code, out_text, _ = run(capsys, "--format", "json", tmp_path)
    report = json.loads(out_text)
    assert report["errors"] == [] and report["summary"]["templates"] == 1
    assert code == 0


def test_asset_files_outside_an_assembly_are_read(tmp_path, capsys):
    """Only inside a cloud assembly are `asset.*` names left out."""
    write(tmp_path, "asset.yaml", "Resources: {{{")  # a broken template: an error
    code, out, _ = run(capsys, "--format", "json", tmp_path)
    assert code == 2 and len(json.loads(out)["errors"]) == 1


# --- --jobs ------------------------------------------------------------------------------------

def project(root: Path) -> Path:
    """About twenty templates in folders, a broken one, non-templates, and a config whose waivers
    suppress some findings and note an expired one, so every part of a Run is exercised."""
    for index in range(6):
        write(root, f"stacks/seed{index:02}.yaml", SEED.replace("my-cloudtrail-trail",
                                                                 f"trail-{index}"))
        write(root, f"stacks/nested/nocwl{index:02}.yaml", NO_CWL)
        write(root, f"ok/compliant{index:02}.yaml", COMPLIANT)
    write(root, "json/seed.json", as_json(SEED))
    write(root, "broken.yaml", "Resources:\n  Trail: {Type: [unclosed\n")
    write(root, "config.yaml", "key: value\n")
    write(root, "params.json", json.dumps([{"ParameterKey": "A", "ParameterValue": "b"}]))
    write(root, ".cfn-trailwatch.yaml", """\
        waivers:
          - {rule: ET1004, files: "stacks/seed0*.yaml", reason: "moving to GetAtt (T-1)"}
          - {rule: ET1003, files: "stacks/**", reason: "old", expires: 2001-01-01}
        """)
    return root


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "junit", "github"])
def test_jobs_output_is_the_same_as_in_process(tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.chdir(project(tmp_path))
    argv = ["--format", fmt, "--parameters", "Undeclared=1", "."]
    expected = run(capsys, "--jobs", "1", *argv)
    assert expected[0] == 2  # the broken template
    assert run(capsys, "--jobs", "2", *argv) == expected
    if fmt == "json":
        report = json.loads(expected[1])
        assert report["summary"]["files"] == 22 and report["summary"]["templates"] == 19
        assert report["summary"]["suppressed"] > 0 and report["notes"]
        assert run(capsys, "--jobs", "5", *argv) == expected
        assert run(capsys, "--jobs", "0", *argv) == expected


def test_jobs_small_runs_stay_in_process(tmp_path, capsys, scripted):
    """The scripted engine exists only in this process: it sees the files scanned here."""
    few = [write(tmp_path, f"few/t{i}.yaml", scripted_template(("T", ["ET1001"])))
           for i in range(pool.PARALLEL_MIN_FILES - 1)]
    code, _, _ = run(capsys, "--jobs", "4", tmp_path / "few")
    assert code == 1 and len(scripted) == len(few)
    for i in range(pool.PARALLEL_MIN_FILES):
        write(tmp_path, f"many/t{i}.yaml", scripted_template(("T", [])))
    scripted.clear()
    code, out, _ = run(capsys, "--jobs", "2", "--format", "json", tmp_path / "many")
    assert scripted == [], "these were scanned in worker processes"
    assert code == 1 and json.loads(out)["summary"]["templates"] == pool.PARALLEL_MIN_FILES


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "", "-j"])
def test_invalid_jobs_is_a_usage_error(tmp_path, capsys, value):
    path = write(tmp_path, "t.yaml", COMPLIANT)
    code, out, err = run(capsys, "--jobs", value, path)
    assert code == 2 and out == ""
    assert "usage:" in err and "--jobs" in err and "Traceback" not in err


def test_jobs_through_python_dash_m(tmp_path):
    """Worker processes started from `python -m cfn_trailwatch` (spawn re-imports the package)."""
    project(tmp_path)
    outputs = [subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "json",
                               "--jobs", jobs, "."], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120) for jobs in ("1", "3")]
    assert [p.returncode for p in outputs] == [2, 2]
    assert outputs[0].stdout == outputs[1].stdout and json.loads(outputs[1].stdout)["findings"]
    assert outputs[1].stderr == ""


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _holder(pid: int, path: Path) -> int | None:
    """The child process of ``pid`` that has ``path`` open."""
    for child in _children(pid):
        try:
            fds = os.listdir(f"/proc/{child}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{child}/fd/{fd}") == str(path):
                    return child
            except OSError:
                continue
    return None


@pytest.mark.skipif(not (sys.platform.startswith("linux") and hasattr(os, "mkfifo")),
                    reason="finds the worker through /proc and blocks it on a FIFO (Linux)")
def test_killed_worker_is_an_error_for_its_file(tmp_path):
    """A worker blocked on a named pipe is killed with SIGKILL: that file is an error, the other
    files are reported as with --jobs 1, the exit code is 2 and there is no traceback."""
    project(tmp_path)
    expected = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--format", "json",
                               "--jobs", "1", "."], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
    fifo = tmp_path / "stacks" / "nested" / "zz-fifo.yaml"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "cfn_trailwatch", "--format", "json",
                             "--jobs", "2", "."], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    opened: list[int] = []
    # Opening the FIFO for writing returns once a worker has opened it for reading.
    opener = threading.Thread(target=lambda: opened.append(os.open(fifo, os.O_WRONLY)),
                              daemon=True)
    opener.start()
    opener.join(timeout=60)
    try:
        assert opened, "no worker opened the FIFO"
        holder = None
        for _ in range(100):
            holder = _holder(proc.pid, fifo)
            if holder:
                break
            time.sleep(0.05)
        assert holder, "no worker of the CLI holds the FIFO"
        os.kill(holder, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        if not opened:  # unblock whoever waits on it
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        for fd in opened:
            os.close(fd)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2
    assert "Traceback" not in err
    report, before = json.loads(out), json.loads(expected.stdout)
    assert report["findings"] == before["findings"] and report["notes"] == before["notes"]
    crashed = [e for e in report["errors"] if e["file"].endswith("zz-fifo.yaml")]
    assert [e["message"] for e in crashed] == [
        "internal error: the worker process scanning this file was killed by signal 9 "
        "before it finished"]
    assert [e for e in report["errors"] if e not in crashed] == before["errors"]
    assert report["summary"]["files"] == before["summary"]["files"] + 1


# --- the progress line -------------------------------------------------------------------------

PROGRESS = "cfn-trailwatch: "


def many(tmp_path: Path, count: int) -> Path:
    for index in range(count):
        write(tmp_path, f"t{index:03}.yaml", scripted_template(("T", [])))
    return tmp_path


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path, capsys, scripted):
    code, _, err = run(capsys, many(tmp_path, progress.PROGRESS_MIN_FILES + 9))
    assert (code, err) == (0, "")


def test_progress_line_on_a_terminal_is_drawn_and_cleared(tmp_path, capsys, scripted,
                                                          monkeypatch):
    total = progress.PROGRESS_MIN_FILES + 9
    folder = many(tmp_path, total)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, folder)
    assert code == 0 and out.endswith(f"0 findings in {total} templates, {total} trails\n")
    line = f"{PROGRESS}{total}/{total} files"
    assert f"\r{line}" in err
    assert err.endswith("\r" + " " * len(line) + "\r"), "the line is cleared at the end"
    # Nothing but progress lines: each starts with \r, has one count, and no newline.
    drawn = [part.strip() for part in err.split("\r") if part.strip()]
    assert drawn and all(d.startswith(PROGRESS) and d.endswith(" files") for d in drawn)
    assert "\n" not in err


def test_progress_line_for_a_slow_scan_of_few_files(tmp_path, capsys, scripted, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(progress, "PROGRESS_AFTER_SECONDS", 0.0)  # "slow" from the start
    _, _, err = run(capsys, many(tmp_path, 3))
    assert f"\r{PROGRESS}3/3 files" in err and err.endswith("\r")


def test_no_progress_line_for_a_short_scan_on_a_terminal(tmp_path, capsys, scripted,
                                                         monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, _, err = run(capsys, many(tmp_path, 5))
    assert err == ""


def test_progress_line_with_jobs(tmp_path, capsys, monkeypatch):
    total = progress.PROGRESS_MIN_FILES + 1
    for index in range(total):
        write(tmp_path, f"t{index:03}.yaml", COMPLIANT)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(capsys, "--jobs", "2", tmp_path)
    line = f"{PROGRESS}{total}/{total} files"
    assert code == 0 and f"\r{line}" in err and err.endswith("\r" + " " * len(line) + "\r")
