"""The GitHub Action (``action.yml``): its metadata against the published schema, and its ``run:``
steps executed with bash as the runner executes them.

How a step is run here, and what differs from GitHub:
- ``uses:`` steps are skipped (``actions/setup-python``); their outputs the later steps read are
  given (``steps.python.outputs.python-path``: this interpreter).
- The install step (``pip install "$GITHUB_ACTION_PATH"`` into a virtual environment) is not run
  against the package index: the gate step is given this test environment's interpreter, where
  cfn-trailwatch is already installed (``pip install -e '.[test]'``), as its ``TW_PYTHON``. The
  install step's own script is run once with a stand-in ``python`` that records what it is asked
  to do (``test_install_step_installs_the_action_path``).
- Composite actions get no ``INPUT_*`` variables: a step sees only its ``env:`` mapping, whose
  ``${{ ... }}`` expressions are evaluated here from the inputs given (defaults from action.yml),
  ``github.action_path``, ``runner.temp`` and earlier steps' outputs. Any other expression fails
  the test, as does one inside a ``run:`` text.
- Each step runs as ``shell: bash`` does on a runner (``bash --noprofile --norc -eo pipefail
  FILE``), in the workspace, with ``GITHUB_WORKSPACE``, ``GITHUB_ACTION_PATH``, ``RUNNER_TEMP``,
  ``GITHUB_STEP_SUMMARY`` (one file for the job) and ``GITHUB_OUTPUT`` (a new file per step)
  set; a failing step ends the action, as a step without ``if:`` does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml

import mermaid_grammar

CHECKOUT = Path(__file__).resolve().parents[1]
ACTION = CHECKOUT / "action.yml"
DATA = Path(__file__).resolve().parent / "data"
SEED_FIXTURE = CHECKOUT / "fixtures" / "seed" / "fail_seed_sample.yaml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="the action's steps are bash scripts")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# the metadata


def test_vendored_schema_is_the_recorded_copy():
    source = json.loads((DATA / "github-action.source.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((DATA / "github-action.json").read_bytes()).hexdigest()
    assert digest == source["sha256"], "tests/data/github-action.json was edited: rebuild it " \
                                       "with tools/fetch_action_schema.py"


def test_action_yml_is_valid_against_the_action_metadata_schema():
    schema = json.loads((DATA / "github-action.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(action()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_schema_catches_a_run_step_without_shell():
    """The schema is strict enough to matter: a composite ``run:`` step needs its ``shell``."""
    schema = json.loads((DATA / "github-action.json").read_text(encoding="utf-8"))
    broken = action()
    broken["runs"]["steps"] = [{"run": "echo hi"}]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_the_action_shape():
    meta = action()
    assert meta["runs"]["using"] == "composite"
    steps = meta["runs"]["steps"]
    [setup] = [s for s in steps if "uses" in s]
    assert re.fullmatch(r"actions/setup-python@v\d+", setup["uses"]), "a pinned major"
    inputs = meta["inputs"]
    for name in ("paths", "fail-on", "parameter-file", "include-checks", "format", "output",
                 "baseline", "summary"):
        assert name in inputs and inputs[name].get("description")
    assert inputs["paths"]["default"] == "."
    assert inputs["format"]["default"] == "sarif"
    assert inputs["output"]["default"] == "cfn-trailwatch.sarif"
    assert inputs["summary"]["default"] == "true"
    assert {"sarif-file", "exit-code"} <= set(meta["outputs"])


def test_no_expression_in_any_script():
    """An input interpolated into a ``run:`` text would be executed (``$(touch pwned)``): inputs
    go through ``env:`` only, and every input is used there."""
    used = set()
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"
        for value in (step.get("env") or {}).values():
            used.update(re.findall(r"inputs\.([\w-]+)", str(value)))
        for value in (step.get("with") or {}).values():
            used.update(re.findall(r"inputs\.([\w-]+)", str(value)))
    assert used == set(action()["inputs"])


# --------------------------------------------------------------------------------------------
# running the steps


@dataclass
class Result:
    code: int
    outputs: dict[str, str]       # the gate step's outputs
    summary: str                  # the job summary file
    stdout: str
    stderr: str


def _read_outputs(path: Path) -> dict[str, str]:
    """A ``GITHUB_OUTPUT`` file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            while lines[index] != delimiter:
                value.append(lines[index])
                index += 1
            index += 1
            outputs[name] = "\n".join(value)
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def _evaluate(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        expression = match.group(1)
        assert expression in context, f"expression the test does not know: {expression}"
        return context[expression]
    return EXPRESSION.sub(value, text)


def run_action(workspace: Path, tmp_path: Path, inputs: dict[str, str] | None = None,
               action_path: Path = CHECKOUT, summary_before: str = "",
               replace: dict[str, dict[str, str]] | None = None) -> Result:
    """Run the action's ``run:`` steps in ``workspace`` with ``inputs`` (over action.yml's
    defaults). ``replace`` gives the outputs of steps not run (by id)."""
    meta = action()
    given = dict(inputs or {})
    unknown = set(given) - set(meta["inputs"])
    assert not unknown, f"not inputs of the action: {unknown}"
    context = {f"inputs.{name}": str(given.get(name, spec.get("default", "")))
               for name, spec in meta["inputs"].items()}
    runner_temp = tmp_path / "runner temp"
    runner_temp.mkdir(exist_ok=True)
    summary = tmp_path / "step summary.md"
    summary.write_text(summary_before, encoding="utf-8")
    context.update({"github.action_path": str(action_path), "runner.temp": str(runner_temp),
                    "steps.python.outputs.python-path": sys.executable})
    replace = {"install": {"python": sys.executable}} if replace is None else replace

    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
    }
    outputs: dict[str, str] = {}
    code, stdout, stderr = 0, "", ""
    for number, step in enumerate(meta["runs"]["steps"]):
        step_id = step.get("id", f"step{number}")
        if "uses" in step:
            continue
        if step_id in replace:
            context.update({f"steps.{step_id}.outputs.{k}": v
                            for k, v in replace[step_id].items()})
            continue
        output_file = tmp_path / f"output-{step_id}"
        output_file.write_text("", encoding="utf-8")
        env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        env.update({name: _evaluate(str(value), context)
                    for name, value in (step.get("env") or {}).items()})
        script = tmp_path / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True,
                              timeout=600)
        outputs = _read_outputs(output_file)
        context.update({f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()})
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
        if code != 0:
            break
    return Result(code, outputs, summary.read_text(encoding="utf-8"), stdout, stderr)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with the seed's failing template (ET1003, ET1004)."""
    root = tmp_path / "workspace"
    (root / "stacks").mkdir(parents=True)
    shutil.copy(SEED_FIXTURE, root / "stacks" / "fail_seed_sample.yaml")
    return root


def _sarif(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == "2.1.0"
    return document


def _uris(document: dict) -> set[str]:
    return {location["physicalLocation"]["artifactLocation"]["uri"]
            for result in document["runs"][0]["results"] for location in result["locations"]}


def test_failing_template_fails_the_step_after_writing_sarif_summary_and_outputs(
        workspace, tmp_path):
    result = run_action(workspace, tmp_path)
    assert result.code == 1, result.stderr
    sarif = _sarif(workspace / "cfn-trailwatch.sarif")
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"ET1003", "ET1004"} <= rules
    assert result.outputs == {"report": "cfn-trailwatch.sarif",
                              "sarif-file": "cfn-trailwatch.sarif", "exit-code": "1"}
    assert result.summary.startswith("## ❌ cfn-trailwatch: fail\n")
    diagrams = mermaid_grammar.blocks(result.summary)
    assert diagrams, "a Mermaid block for the trail with an error"
    for diagram in diagrams:
        assert mermaid_grammar.check(diagram) == []


def test_fail_on_never_passes_and_still_reports(workspace, tmp_path):
    result = run_action(workspace, tmp_path, {"fail-on": "never"})
    assert result.code == 0, result.stderr
    assert result.outputs["exit-code"] == "0"
    assert _sarif(workspace / "cfn-trailwatch.sarif")["runs"][0]["results"]
    assert "```mermaid" in result.summary


def test_fail_on_follows_the_threshold(tmp_path):
    """A template whose worst finding is a warning: passes at error, fails at warning."""
    root = tmp_path / "workspace"
    root.mkdir()
    seed = SEED_FIXTURE.read_text(encoding="utf-8")
    fixed = seed.replace("!Ref CloudWatchLogsGroup", "!GetAtt CloudWatchLogsGroup.Arn") \
                .replace("!Ref CloudWatchLogsRole", "!GetAtt CloudWatchLogsRole.Arn")
    assert fixed != seed
    (root / "warn.yaml").write_text(fixed, encoding="utf-8")
    assert run_action(root, tmp_path).code == 0
    assert run_action(root, tmp_path, {"fail-on": "warning"}).code == 1


def test_summary_is_appended_to_the_job_summary(workspace, tmp_path):
    before = "## An earlier step\n\nits summary\n"
    result = run_action(workspace, tmp_path, {"fail-on": "never"}, summary_before=before)
    assert result.summary.startswith(before)
    assert "## ✅ cfn-trailwatch: pass" in result.summary


def test_summary_false_writes_none(workspace, tmp_path):
    result = run_action(workspace, tmp_path, {"summary": "false"})
    assert result.code == 1
    assert result.summary == ""
    assert (workspace / "cfn-trailwatch.sarif").exists()


def test_summary_must_be_true_or_false(workspace, tmp_path):
    result = run_action(workspace, tmp_path, {"summary": "yes please"})
    assert result.code == 2
    assert result.outputs["exit-code"] == "2"


def test_paths_with_spaces_one_per_line(tmp_path):
    root = tmp_path / "workspace"
    (root / "my stacks").mkdir(parents=True)
    (root / "other").mkdir()
    shutil.copy(SEED_FIXTURE, root / "my stacks" / "seed copy.yaml")
    shutil.copy(SEED_FIXTURE, root / "other" / "b.yaml")
    shutil.copy(SEED_FIXTURE, root / "not-scanned.yaml")
    paths = "  my stacks/seed copy.yaml  \n\nother\r\n"
    result = run_action(root, tmp_path, {"paths": paths, "output": "out dir.sarif"})
    assert result.code == 1, result.stderr
    assert result.outputs["sarif-file"] == "out dir.sarif"
    uris = _uris(_sarif(root / "out dir.sarif"))
    assert {u.replace("%20", " ") for u in uris} == {"my stacks/seed copy.yaml", "other/b.yaml"}


def test_a_path_that_looks_like_an_option_is_a_path(tmp_path):
    root = tmp_path / "workspace"
    (root / "--fix").mkdir(parents=True)
    template = root / "--fix" / "t.yaml"
    shutil.copy(SEED_FIXTURE, template)
    result = run_action(root, tmp_path, {"paths": "--fix"})
    assert result.code == 1, result.stderr
    assert template.read_bytes() == SEED_FIXTURE.read_bytes(), "scanned, never fixed"
    assert _sarif(root / "cfn-trailwatch.sarif")["runs"][0]["results"]


@pytest.mark.parametrize("name, value", [
    ("paths", "$(touch pwned)"),
    ("paths", "stacks; touch pwned"),
    ("paths", "`touch pwned`"),
    ("fail-on", "never; rm -rf canary"),
    ("fail-on", "$(rm -rf canary)"),
    ("output", "out.sarif; touch pwned"),
    ("output", "x\nexit-code=0"),
    ("format", "sarif && touch pwned"),
    ("include-checks", "WT3 $(touch pwned)"),
    ("parameter-file", "'; touch pwned; '"),
    ("baseline", "\"$(rm -rf canary)\""),
    ("summary", "true; touch pwned"),
])
def test_inputs_are_never_executed(workspace, tmp_path, name, value):
    canary = workspace / "canary"
    canary.mkdir()
    (canary / "keep").write_text("", encoding="utf-8")
    result = run_action(workspace, tmp_path, {name: value})
    assert canary.joinpath("keep").exists(), "an input was executed"
    for root in (workspace, tmp_path, Path.cwd()):
        assert not list(root.rglob("pwned")), "an input was executed"
    assert result.code in (1, 2)
    assert result.outputs.get("exit-code") == str(result.code), "an input wrote an output"


def test_outputs_do_not_point_at_a_stale_report(workspace, tmp_path):
    stale = workspace / "cfn-trailwatch.sarif"
    stale.write_text("{}", encoding="utf-8")
    result = run_action(workspace, tmp_path, {"fail-on": "sometimes"})  # usage error
    assert result.code == 2
    assert result.outputs == {"report": "", "sarif-file": "", "exit-code": "2"}
    assert not stale.exists()


def test_other_format_has_no_sarif_file(workspace, tmp_path):
    result = run_action(workspace, tmp_path, {"format": "junit", "output": "junit.xml"})
    assert result.code == 1
    assert result.outputs == {"report": "junit.xml", "sarif-file": "", "exit-code": "1"}
    assert (workspace / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_empty_output_reports_to_the_log(workspace, tmp_path):
    result = run_action(workspace, tmp_path, {"format": "github", "output": ""})
    assert result.code == 1
    assert "::error file=stacks/fail_seed_sample.yaml" in result.stdout
    assert result.outputs["report"] == ""


def test_include_checks_and_parameter_files(workspace, tmp_path):
    params = workspace / "params dir"
    params.mkdir()
    (params / "prod one.json").write_text('{"Parameters": {}}', encoding="utf-8")
    (params / "two.json").write_text("[]", encoding="utf-8")
    result = run_action(workspace, tmp_path, {
        "include-checks": "WT3001, WT3002\nWT3003",
        "parameter-file": "params dir/prod one.json\nparams dir/two.json\n",
    })
    assert result.code == 1, result.stderr
    rules = {r["ruleId"] for r in _sarif(workspace / "cfn-trailwatch.sarif")["runs"][0]["results"]}
    assert {"WT3001", "WT3002", "WT3003"} <= rules
    assert "WT3004" not in rules
    missing = run_action(workspace, tmp_path, {"parameter-file": "params dir/none.json"})
    assert missing.code == 2


def test_baseline_turns_the_gate_on_over_existing_findings(workspace, tmp_path):
    written = subprocess.run([sys.executable, "-m", "cfn_trailwatch", "--fail-on", "never",
                              "--write-baseline", "base line.json", "stacks"],
                             cwd=workspace, capture_output=True, text=True, timeout=600)
    assert written.returncode == 0, written.stderr
    result = run_action(workspace, tmp_path, {"baseline": "base line.json"})
    assert result.code == 0, result.stderr
    results = _sarif(workspace / "cfn-trailwatch.sarif")["runs"][0]["results"]
    assert results and all(r.get("suppressions") for r in results)
    # a new template's findings are new: they fail
    shutil.copy(SEED_FIXTURE, workspace / "stacks" / "new.yaml")
    result = run_action(workspace, tmp_path, {"baseline": "base line.json"})
    assert result.code == 1
    assert result.outputs["exit-code"] == "1"


def test_install_step_installs_the_action_path(tmp_path):
    """The install step, with a stand-in ``python`` that records its arguments: a virtual
    environment in ``RUNNER_TEMP``, then ``pip install`` of the action's own checkout (a path with
    a space), never a package from the index; its interpreter is the step's output."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake python"
    fake.write_text(f"""#!{BASH}
printf '%s|' "$0" "$@" >> {json.dumps(str(log))}
printf '\\n' >> {json.dumps(str(log))}
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
""", encoding="utf-8")
    fake.chmod(0o755)
    action_path = tmp_path / "action checkout"
    action_path.mkdir()
    root = tmp_path / "workspace"
    root.mkdir()
    meta = action()
    [install] = [s for s in meta["runs"]["steps"] if s.get("id") == "install"]
    assert "pip install" in install["run"] and '"$GITHUB_ACTION_PATH"' in install["run"]
    context_python = {"steps.python.outputs.python-path": str(fake)}
    env = {name: _evaluate(str(value), context_python) for name, value in install["env"].items()}
    output = tmp_path / "install-output"
    output.write_text("", encoding="utf-8")
    script = tmp_path / "install.sh"
    script.write_text(install["run"], encoding="utf-8")
    done = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          cwd=root, capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               "GITHUB_ACTION_PATH": str(action_path),
                               "RUNNER_TEMP": str(tmp_path / "runner temp"),
                               "GITHUB_OUTPUT": str(output), **env})
    assert done.returncode == 0, done.stderr
    venv = tmp_path / "runner temp" / "cfn-trailwatch-venv"
    calls = [line.split("|")[:-1] for line in log.read_text(encoding="utf-8").splitlines()]
    assert calls[0] == [str(fake), "-m", "venv", str(venv)]
    assert calls[1][0] == str(venv / "bin" / "python")
    assert calls[1][1:4] == ["-m", "pip", "install"]
    assert calls[1][-1] == str(action_path)
    assert _read_outputs(output) == {"python": str(venv / "bin" / "python")}


# --------------------------------------------------------------------------------------------
# the README's snippets

README = CHECKOUT / "README.md"


def _readme_yaml(marker: str) -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [block] = [b for b in blocks if marker in b]
    return yaml.safe_load(block)


def test_readme_workflow_uses_the_action_as_it_is():
    """The README's workflow with the action: only inputs and outputs the action has, the
    permission upload-sarif needs, and the upload after a failed gate too."""
    meta = action()
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    users = [yaml.safe_load(b) for b in blocks if "uses: cfn-trailwatch/cfn-trailwatch@v0\n" in b]
    assert len(users) == 2   # the workflow, and the step with a baseline
    for block in users:
        steps = block["jobs"]["trailwatch"]["steps"] if "jobs" in block else block
        for step in steps:
            if step.get("uses", "").startswith("cfn-trailwatch/"):
                assert set(step["with"]) <= set(meta["inputs"])
    job = _readme_yaml("security-events: write  # upload-sarif writes code scanning alerts\n"
                       "      actions: read           # upload-sarif, in private repositories\n"
                       "    steps:\n      - uses: actions/checkout@v4\n"
                       "      - uses: cfn-trailwatch/")["jobs"]["trailwatch"]
    assert job["permissions"] == {"contents": "read", "security-events": "write",
                                  "actions": "read"}
    [step] = [s for s in job["steps"] if s.get("uses", "").startswith("cfn-trailwatch/")]
    assert step["uses"] == "cfn-trailwatch/cfn-trailwatch@v0"
    assert set(step["with"]) <= set(meta["inputs"])
    [upload] = [s for s in job["steps"]
                if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["if"].startswith("always()")
    used = set(re.findall(rf"steps\.{step['id']}\.outputs\.([\w-]+)",
                          json.dumps(job["steps"])))
    assert used and used <= set(meta["outputs"])


def test_readme_azure_pipeline_command(tmp_path):
    """The Azure DevOps example's gate, as the agent runs it (``$(Build.ArtifactStagingDirectory)``
    replaced): the JUnit file PublishTestResults reads and a ``.sarif`` file in the folder
    published as ``CodeAnalysisLogs``; the exit code is the gate's."""
    steps = _readme_yaml("ArtifactName: CodeAnalysisLogs")["steps"]
    [gate] = [s["script"] for s in steps if "cfn-trailwatch --format" in s.get("script", "")]
    [tests] = [s["inputs"] for s in steps if s.get("task") == "PublishTestResults@2"]
    [publish] = [s["inputs"] for s in steps if s.get("task") == "PublishBuildArtifacts@1"]
    assert publish["ArtifactName"] == "CodeAnalysisLogs"
    root = tmp_path / "workspace"
    (root / "templates").mkdir(parents=True)
    (root / "params").mkdir()
    shutil.copy(SEED_FIXTURE, root / "templates" / "seed.yaml")
    (root / "params" / "prod.json").write_text("[]", encoding="utf-8")
    staging = tmp_path / "staging"
    macro = "$(Build.ArtifactStagingDirectory)"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cfn-trailwatch").write_text(
        f'#!{BASH}\nexec {json.dumps(sys.executable)} -m cfn_trailwatch "$@"\n', encoding="utf-8")
    (bin_dir / "cfn-trailwatch").chmod(0o755)
    done = subprocess.run([BASH, "-c", gate.replace(macro, str(staging))], cwd=root,
                          capture_output=True, text=True, timeout=600,
                          env={"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                               "HOME": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    assert (root / tests["testResultsFiles"]).read_text(encoding="utf-8").startswith("<?xml")
    published = Path(publish["PathtoPublish"].replace(macro, str(staging)))
    [sarif] = list(published.iterdir())
    assert sarif.name.endswith(".sarif")
    assert _sarif(sarif)["runs"][0]["results"]
