"""Smoke tests of the benchmark's own pieces (bench/): what they generate and how they run
commands. No timing is asserted here: speed is measured by ``python bench/run.py``, which prints
ratios against its targets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from cfn_trailwatch import monitoring_controls
from cfn_trailwatch.cli import main

from helpers import CFN_LINT

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import gen_stacks  # noqa: E402
import gen_trails  # noqa: E402
import run as bench_run  # noqa: E402

WT3_RULES = {c.rule for c in monitoring_controls.controls()}


def _lint(path: Path, *options: str) -> list[dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--format", "json", *options, str(path)])
    return json.loads(out.getvalue())["findings"]


def _resources(text: str) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: node.value})
    return yaml.load(text, Loader=Loader)["Resources"]  # noqa: S506 - a safe loader subclass


def test_monitoring_template_carries_all_fourteen_chains(tmp_path):
    path = Path(gen_trails.write(2, str(tmp_path / "monitoring.yaml"), monitoring=True))
    findings = _lint(path, "--include-checks", "WT3")
    assert findings == []   # no WT30xx, and nothing else either: every chain is whole
    resources = _resources(path.read_text())
    filters = [r["Properties"] for r in resources.values()
               if r["Type"] == "AWS::Logs::MetricFilter"]
    assert len(filters) == 2 * len(WT3_RULES)
    # the current Security Hub pattern of each control, read from the data file
    wanted = {c.current.text for c in monitoring_controls.controls()}
    assert {f["FilterPattern"] for f in filters} == wanted


def test_monitoring_template_missing_one_filter_is_reported(tmp_path):
    """The assertion above can fail: a trail without one of its filters gets that WT30xx."""
    text = gen_trails.template(2, monitoring=True)
    start = text.index("  CloudWatch7Filter2:\n")
    end = text.index("  CloudWatch7Alarm2:\n")
    path = tmp_path / "one-missing.yaml"
    path.write_text(text[:start] + text[end:])
    findings = _lint(path, "--include-checks", "WT3")
    assert {(f["rule"], f["resource"]) for f in findings} == {("WT3007", "Trail2")}


def test_monitoring_template_in_cfn_lint_mode(tmp_path):
    """The comparator of (f), cfn-lint with the plugin and the experimental rules: no match."""
    path = gen_trails.write(1, str(tmp_path / "monitoring.yaml"), monitoring=True)
    proc = subprocess.run([*CFN_LINT, "-e", "-a", "cfn_trailwatch.rules", "--", path],
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout


def test_plain_generator_is_unchanged_by_the_variant():
    text = gen_trails.template(3)
    assert "AWS::Logs::MetricFilter" not in text
    assert text.count("Type: AWS::CloudTrail::Trail") == 3


def _lint_run(*arguments: str) -> tuple[int, dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--format", "json", *arguments])
    return code, json.loads(out.getvalue())


def test_linked_stacks_lint_clean(tmp_path):
    """(g1)'s folder: every chain sound across files, so no finding at all (no info either),
    exit 0; every trail analysed (the nested ones through their parents)."""
    kinds = gen_stacks.write(3, str(tmp_path))
    assert {kind: len(paths) for kind, paths in kinds.items()} == \
        {"logging": 3, "trails": 3, "parents": 3, "nested": 6}
    code, report = _lint_run(str(tmp_path))
    assert report["findings"] == [] and report["errors"] == []
    assert code == 0
    assert report["summary"]["templates"] == 15 and report["summary"]["trails"] == 6


def test_linked_stacks_are_followed_across_files(tmp_path):
    """The assertion above can fail: a logging stack's broken trust or grant is the importing
    (or nested) trail's finding."""
    gen_stacks.write(3, str(tmp_path))
    exporter = tmp_path / "logging" / "logging-2.yaml"
    exporter.write_text(exporter.read_text().replace("cloudtrail.amazonaws.com",
                                                     "ec2.amazonaws.com"))
    nested = tmp_path / "apps" / "app-3" / "logging.yaml"
    nested.write_text(nested.read_text().replace("- logs:PutLogEvents", "- logs:GetLogEvents"))
    code, report = _lint_run(str(tmp_path))
    assert {(f["rule"], Path(f["file"]).relative_to(tmp_path).as_posix())
            for f in report["findings"]} == {("ET1005", "trails/trail-2.yaml"),
                                              ("ET1006", "apps/app-3/trail.yaml")}
    assert code == 1


def test_trail_stacks_alone_cannot_be_verified(tmp_path):
    """(g2)'s other side: without their logging stacks, each trail stack's two imports are
    WT1007 (warnings: exit 0)."""
    kinds = gen_stacks.write(2, str(tmp_path))
    code, report = _lint_run(*kinds["trails"])
    assert sorted((f["rule"], f["file"]) for f in report["findings"]) == sorted(
        ("WT1007", path) for path in kinds["trails"] for _ in range(2))
    assert code == 0


def test_one_trail_stack_with_a_workspace(tmp_path):
    """(g3)'s setup: one trail stack given alone, the folder as the configuration's workspace:
    its imports are resolved (no WT1007, no finding)."""
    kinds = gen_stacks.write(2, str(tmp_path / "stacks"))
    config = tmp_path / "workspace.yaml"
    config.write_text(f"workspace:\n  - {json.dumps(str(tmp_path / 'stacks'))}\n")
    code, report = _lint_run("--config", str(config), kinds["trails"][1])
    assert report["findings"] == [] and report["summary"]["trails"] == 1
    assert code == 0


def test_gen_trails_writes_the_stacks_folder(tmp_path):
    assert gen_trails.main(["--stacks", "2", str(tmp_path)]) == 0
    assert len(list(tmp_path.rglob("*.yaml"))) == 10


def test_a_command_over_its_timeout_is_too_slow():
    slow = bench_run.Command("sleep", [[sys.executable, "-c", "import time; time.sleep(30)"]],
                             bench_run._check_floor, timeout=0.5)
    with pytest.raises(bench_run.TooSlow):
        bench_run.measure([slow], 1, bench_run.child_env(pyc_cache=False))


def test_quick_keeps_a_long_warm_up_as_the_timed_run():
    quick = bench_run.Command("true", [[sys.executable, "-c", "pass"]], bench_run._check_floor)
    bench_run.measure([quick], 2, bench_run.child_env(pyc_cache=False), warmup_as_run=0.0)
    assert len(quick.wall) == 2   # the warm-up (kept: over 0 s) and one more round
    other = bench_run.Command("true", [[sys.executable, "-c", "pass"]], bench_run._check_floor)
    bench_run.measure([other], 2, bench_run.child_env(pyc_cache=False))
    assert len(other.wall) == 2


def test_quick_gives_a_short_command_several_runs_and_a_long_one_its_repeat():
    env = bench_run.child_env(pyc_cache=False)
    short = bench_run.Command("short", [[sys.executable, "-c", "pass"]], bench_run._check_floor)
    long = bench_run.Command("long", [[sys.executable, "-c", "import time; time.sleep(0.3)"]],
                             bench_run._check_floor)
    bench_run.measure([short, long], 1, env, short=(0.25, 3))
    assert (len(short.wall), len(long.wall)) == (3, 1)   # the sleep's warm-up is over 0.25 s
    assert bench_run.QUICK_SHORT == (2.0, 5)
