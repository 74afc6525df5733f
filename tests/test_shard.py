"""``--shard K/N`` (linter/scan/shard.py): which files a shard checks, that the shards partition
a scan, that a shard's report is the whole scan's restricted to its files, and the usage errors.
The merged reports are in test_merge.py; on the whole corpus in test_shard_merge_corpus.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from cfn_trailwatch.cli import main
from cfn_trailwatch.config import Config, Waiver
from cfn_trailwatch.load import Limits
from cfn_trailwatch.report import Run
from cfn_trailwatch.scan import discover
from cfn_trailwatch.scan import shard as sharding
from cfn_trailwatch.trail import Options

from helpers import COMPLIANT, SEED, write

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "json-output.schema.json")
                    .read_text(encoding="utf-8"))


@pytest.fixture
def stacks(tmp_path, monkeypatch):
    """Twelve templates (findings in some, one unreadable) under ``stacks/``, as CI runs from the
    checkout root."""
    monkeypatch.chdir(tmp_path)
    for number in range(10):
        write(tmp_path, f"stacks/app{number}/trail.yaml", SEED if number % 3 else COMPLIANT)
    write(tmp_path, "stacks/notes.json", '{"not": "a template"}')
    write(tmp_path, "stacks/broken.yaml", "Resources: [\n")
    return Path("stacks")


def scan_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["--format", "json", *[str(a) for a in argv]])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return code, report


# --- the share --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("1/1", (1, 1)), ("1/3", (1, 3)), ("3/3", (3, 3)),
                                            ("07/12", (7, 12))])
def test_parse(text, expected):
    shard = sharding.parse(text)
    assert (shard.index, shard.count) == expected
    assert str(shard) == f"{expected[0]}/{expected[1]}"


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_the_shards_partition_the_files_in_walk_order(stacks, count):
    files = discover([str(stacks)], Run())
    assert len(files) == 12
    shares = [sharding.select(files, Run(), sharding.Shard(k, count)) for k in range(1, count + 1)]
    assert sorted(f for share in shares for f in share) == sorted(files)   # each file once
    for share in shares:
        assert share == [f for f in files if f in share]                    # the walk's order


def test_a_file_keeps_its_shard_when_files_are_added_or_removed(stacks):
    files = discover([str(stacks)], Run())
    more = files + [f"stacks/new{n}/trail.yaml" for n in range(20)]
    for k in (1, 2, 3):
        shard = sharding.Shard(k, 3)
        before = sharding.select(files, Run(), shard)
        assert [f for f in sharding.select(more, Run(), shard) if f in files] == before
        assert sharding.select(files[1:], Run(), shard) == [f for f in before if f != files[0]]


def test_the_share_does_not_depend_on_how_the_path_is_spelled_or_where_the_checkout_is(
        stacks, tmp_path, monkeypatch):
    name = "stacks/app1/trail.yaml"
    spellings = [name, f"./{name}", f"stacks//app1/../app1/trail.yaml", str(tmp_path / name)]
    assert {sharding.owner(path, 5) for path in spellings} == {sharding.owner(name, 5)}
    # Another checkout of the same repository, elsewhere: the same shard.
    other = tmp_path / "elsewhere"
    write(other, name, SEED)
    monkeypatch.chdir(other)
    assert sharding.owner(name, 5) == sharding.owner(str(other / name), 5)
    assert sharding.key(str(other / name)) == name


def test_a_nested_template_goes_with_every_template_nesting_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = [f"s/{name}.yaml" for name in ("root", "mid", "leaf", "other", "alone", "lone")]
    for path in files:
        write(tmp_path, path, "Resources: {}\n")
    real = lambda path: os.path.realpath(path)   # noqa: E731 - the index keys real paths
    # root nests mid, mid nests leaf, other nests leaf too: one group of four.
    together = {real("s/mid.yaml"): ["s/root.yaml"],
                real("s/leaf.yaml"): ["s/mid.yaml", "s/other.yaml"]}
    placed = sharding.groups(files, together)
    group = ["s/root.yaml", "s/mid.yaml", "s/leaf.yaml", "s/other.yaml"]
    assert {placed[path] for path in group} == {"s/leaf.yaml"}   # the least key of the four
    assert placed["s/alone.yaml"] == "s/alone.yaml" and placed["s/lone.yaml"] == "s/lone.yaml"
    assert len({sharding.owner(path, 3) for path in group}) > 1   # apart, they would split
    for count in (2, 3, 5):
        shares = [sharding.select(files, Run(), sharding.Shard(k, count), together)
                  for k in range(1, count + 1)]
        assert sorted(f for share in shares for f in share) == sorted(files)
        assert sum(set(group) <= set(share) for share in shares) == 1


def test_the_options_id_names_what_decides_the_findings_besides_the_files():
    base = sharding.options_id(Options(), Config())
    assert base == sharding.options_id(Options(), Config())
    assert len(base) == 64
    for options in (Options(parameters={"Env": "prod"}), Options(regions=("eu-west-1",)),
                    Options(account_id="123456789012"), Options(max_branches=8),
                    Options(max_reference_depth=9), Options(opt_in=frozenset({"WT3001"})),
                    Options(rule_options={"WT2001": {"min_retention_days": 400}}),
                    Options(stack_name="prod-trail")):
        assert sharding.options_id(options, Config()) != base, options
    for config in (Config(disable=frozenset({"WT2002"})), Config(parameters=[("a/*", {"X": "1"})]),
                   Config(parameter_files=[("a/*", "params/prod.json")]),
                   Config(waivers=[Waiver(0, "ET1004", "a/*", "why")]),
                   Config(stack_names=[("a.yaml", "org")]), Config(deployments=[("a/*", "prod")]),
                   Config(workspace=["stacks"]), Config(baseline="b.json"),
                   Config(load_limits=Limits(max_depth=20))):
        assert sharding.options_id(Options(), config) != base, config
    # where the configuration file is, and its fail_on (decided again by --merge), are not
    assert sharding.options_id(Options(), Config(path="/elsewhere/.cfn-trailwatch.yaml",
                                                 base="/elsewhere", fail_on="warning")) == base


def test_the_scan_id_names_every_discovered_file():
    assert sharding.scan_id(["a.yaml", "b.yaml"]) == sharding.scan_id(["a.yaml", "b.yaml"])
    assert sharding.scan_id(["a.yaml", "b.yaml"]) != sharding.scan_id(["a.yaml"])
    assert sharding.scan_id(["a.yaml", "b.yaml"]) != sharding.scan_id(["b.yaml", "a.yaml"])


# --- a shard's report ---------------------------------------------------------------------------

def test_a_shards_report_is_the_whole_scans_restricted_to_its_files(stacks, capsys):
    code, whole = scan_json(capsys, stacks, "missing.yaml")
    assert code == 2 and "shard" not in whole
    files = discover([str(stacks)], Run())
    seen_files, seen_errors, counts = [], [], {"files": 0, "templates": 0, "trails": 0}
    seen_options: dict[str, str] = {}
    for k in (1, 2, 3):
        code, part = scan_json(capsys, "--shard", f"{k}/3", stacks, "missing.yaml")
        mine = {f for f in files + ["missing.yaml"] if sharding.owner(f, 3) == k}
        options = part["shard"].pop("options_id")   # one scan: the same options in each shard
        assert len(options) == 64 and options == seen_options.setdefault("id", options)
        assert part["shard"] == {"index": k, "count": 3, "scan_id": sharding.scan_id(files)}
        assert part["findings"] == [f for f in whole["findings"] if f["file"] in mine]
        assert part["errors"] == [e for e in whole["errors"] if e["file"] in mine]
        assert part["notes"] == [n for n in whole["notes"] if n["file"] in mine]
        # Counts are the shard's.
        assert part["summary"]["files"] == len(mine - {"missing.yaml"})
        assert part["summary"]["findings"] == sum(f["suppressed"] is None
                                                  for f in part["findings"])
        assert part["summary"]["errors"] == len(part["errors"])
        # The exit code is the shard's own: 2 only in the shard with an error.
        failing = [f for f in part["findings"] if f["severity"] == "error"
                   and f["suppressed"] is None]
        assert code == (2 if part["errors"] else 1 if failing else 0)
        seen_files += [f for f in files if f in mine]
        seen_errors += part["errors"]
        for count in counts:
            counts[count] += part["summary"][count]
    assert sorted(seen_files) == sorted(files)
    assert sorted(map(json.dumps, seen_errors)) == sorted(map(json.dumps, whole["errors"]))
    assert counts == {count: whole["summary"][count] for count in counts}


def test_the_missing_path_is_one_shards_error(stacks, capsys):
    errors = []
    for k in (1, 2):
        _, part = scan_json(capsys, "--shard", f"{k}/2", "nowhere.yaml", stacks)
        errors += [e for e in part["errors"] if e["file"] == "nowhere.yaml"]
    assert [e["message"] for e in errors] == ["no such file or directory"]


def test_worker_processes_check_a_shard_as_one_process_does(stacks, capsys):
    # 12 files: with --shard 1/1 all of them, enough (>= 9) for the worker pool.
    one = scan_json(capsys, "--shard", "1/1", stacks)
    two = scan_json(capsys, "--shard", "1/1", "--jobs", "2", stacks)
    assert one == two
    assert one[1]["summary"]["files"] == 12


def test_a_whole_scans_reports_carry_no_shard(stacks, capsys):
    for fmt in ("json", "sarif"):
        assert main(["--format", fmt, str(stacks)]) == 2
        out, _ = capsys.readouterr()
        assert "cfnTrailwatch" not in out.replace("cfnTrailwatchFinding/v1", "")
        assert '"shard"' not in out


def test_a_shards_sarif_names_its_shard_and_each_results_file(stacks, capsys):
    main(["--format", "sarif", "--shard", "2/3", str(stacks)])
    run = json.loads(capsys.readouterr()[0])["runs"][0]
    files = discover([str(stacks)], Run())
    _, json_report = scan_json(capsys, "--shard", "2/3", stacks)
    assert run["properties"]["cfnTrailwatchShard"] == {
        "index": 2, "count": 3, "scanId": sharding.scan_id(files),
        "optionsId": json_report["shard"]["options_id"]}
    assert run["results"]
    for result in run["results"]:
        name = result["properties"]["cfnTrailwatchFile"]
        assert sharding.owner(name, 3) == 2
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == name


# --- usage --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("0/2", "K must be from 1 to N"), ("3/2", "K must be from 1 to N"),
    ("x", "is not of the form K/N"), ("1/0", "N must be at least 1"),
    ("2", "is not of the form K/N"), ("1/2/3", "is not of the form K/N"),
    ("-1/2", "is not of the form K/N"), ("/2", "is not of the form K/N"),
    ("1/", "is not of the form K/N"), (" 1/2", "is not of the form K/N"),
    ("", "is not of the form K/N")])
def test_a_bad_shard_is_a_usage_error(stacks, capsys, value, message):
    assert main([f"--shard={value}", str(stacks)]) == 2   # '=': "-1/2" is no option
    out, err = capsys.readouterr()
    assert out == ""
    assert "usage: cfn-trailwatch" in err and "argument --shard" in err and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_shard_is_refused_with_fix(stacks, capsys, flag):
    before = {path: path.read_bytes() for path in stacks.rglob("*.yaml")}
    assert main(["--shard", "1/2", flag, str(stacks)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--shard" in err and "Traceback" not in err
    assert {path: path.read_bytes() for path in stacks.rglob("*.yaml")} == before


def test_shard_in_a_subprocess_is_a_clean_usage_error(stacks):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--shard", "3/2", str(stacks)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 2
    assert "argument --shard: '3/2': K must be from 1 to N (2)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
