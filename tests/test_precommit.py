"""The real pre-commit, run as a user runs it, in a throwaway git repository.

`pre-commit try-repo CHECKOUT cfn-trailwatch` reads this checkout's `.pre-commit-hooks.yaml`,
clones the checkout (its HEAD plus the uncommitted changes to tracked files; untracked files are
not taken), builds a virtualenv and pip-installs the clone into it, then runs the hook on the
files given. try-repo always uses a store of its own in a temporary folder (`PRE_COMMIT_HOME` is
not used for it), so every try-repo call installs the hook anew.

Speed: each try-repo installs the hook's dependencies (cfn-lint, sympy, ...) from the package
index, 15-40 s depending on the network, so these tests take about a minute. For quick local runs,
`TRAILWATCH_PRE_COMMIT_FAST=1` makes the virtualenvs with `VIRTUALENV_SYSTEM_SITE_PACKAGES`, so
pip finds the dependencies beside the interpreter running the tests (about 7 s a run); but an
editable install of cfn-trailwatch there then also answers for modules missing from the hook's
install (untracked files, a package left out of pyproject.toml), which this test is meant to catch,
so by default (and in CI) it runs isolated, as users get it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import COMPLIANT, SEED

CHECKOUT = Path(__file__).resolve().parents[1]
README = CHECKOUT / "README.md"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
TIMEOUT = 900  # a fresh machine downloads the dependencies
ERROR_FINDING = re.compile(r"^\S+:\d+:\d+: (E[A-Z]\d{4}|error:) ", re.M)


def _is_git_checkout() -> bool:
    try:
        return subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=CHECKOUT,
                              capture_output=True, timeout=60).returncode == 0
    except FileNotFoundError:  # no git: pre-commit cannot work either; say so
        pytest.fail("git is not installed; pre-commit needs it")
    return False


pytestmark = pytest.mark.skipif(not (CHECKOUT / ".git").exists(),
                                reason="try-repo needs this project as a git checkout (it is an "
                                       "unpacked copy)")


def readme_snippet(marker: str) -> str:
    """The README's ```yaml block that contains ``marker``."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [block] = [b for b in blocks if marker in b]
    return block


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """The environment for git and pre-commit: the caller's, without anything pointing git at
    another repository, with a pre-commit home of its own, shared by this module's tests."""
    assert _is_git_checkout(), f"{CHECKOUT} has no HEAD commit"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["PRE_COMMIT_COLOR"] = "never"
    if os.environ.get("TRAILWATCH_PRE_COMMIT_FAST") == "1":
        env["VIRTUALENV_SYSTEM_SITE_PACKAGES"] = "1"
    return env


def git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                   timeout=60)


@pytest.fixture(scope="module")
def repo(tmp_path_factory, env) -> Path:
    """A project using the hook: a bad template, a good one, and files that are no templates
    (among them its `.pre-commit-config.yaml`, the README's snippet)."""
    root = tmp_path_factory.mktemp("project")
    git(root, env, "init", "-q")
    git(root, env, "config", "user.name", "Trailwatch Test")
    git(root, env, "config", "user.email", "test@example.invalid")
    git(root, env, "config", "commit.gpgsign", "false")
    files = {
        "templates/bad.yaml": SEED,
        "templates/good.yaml": COMPLIANT,
        "config.yaml": "service: api\nreplicas: 3\nports: [80, 443]\n",
        "package.json": json.dumps({"name": "app", "version": "1.0.0"}),
        "notes.txt": "Resources: {not: yaml to pre-commit}\n",
        ".pre-commit-config.yaml": readme_snippet("id: cfn-trailwatch"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git(root, env, "add", "-A")
    git(root, env, "commit", "-q", "-m", "project")
    return root


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = subprocess.run([*PRE_COMMIT, *args], cwd=repo, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout


def hook_output(output: str, hook: str) -> str:
    """What pre-commit printed from the hook's status line on (not the config it echoes)."""
    match = re.search(rf"^{re.escape(hook)}\.+", output, re.M)
    assert match, output
    return output[match.start():]


def try_repo(repo: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    return pre_commit(repo, env, "try-repo", str(CHECKOUT), "cfn-trailwatch", "--verbose",
                      "--color", "never", *args)


def test_readme_snippets_are_valid_pre_commit_configs(tmp_path, env):
    for marker in ("id: cfn-trailwatch", "id: cfn-lint"):
        path = tmp_path / "config.yaml"
        path.write_text(readme_snippet(marker), encoding="utf-8")
        code, output = pre_commit(tmp_path, env, "validate-config", str(path))
        assert code == 0, output


def test_hook_manifest(tmp_path, env):
    manifest = CHECKOUT / ".pre-commit-hooks.yaml"
    code, output = pre_commit(tmp_path, env, "validate-manifest", str(manifest))
    assert code == 0, output
    [hook] = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert hook["id"] == "cfn-trailwatch" and hook["entry"] == "cfn-trailwatch"
    assert hook["language"] == "python" and hook["types_or"] == ["yaml", "json"]


def test_good_template_and_non_templates_pass(repo, env):
    code, output = try_repo(repo, env, "--files", "templates/good.yaml", "config.yaml",
                            "package.json", ".pre-commit-config.yaml", "notes.txt")
    hook = hook_output(output, "cfn-trailwatch")
    assert code == 0, output
    assert hook.startswith("cfn-trailwatch") and "Passed" in hook.splitlines()[0], output
    # It ran (not "no files to check") and read the one template: warnings and infos (rules
    # beyond the core chain) may be listed, but they do not fail the default --fail-on error.
    assert "- exit code:" not in hook and re.search(r"findings? (\(.*\) )?in 1 template, 1 trail",
                                                    hook), output
    assert not ERROR_FINDING.search(hook), output
    for name in ("config.yaml", "package.json", ".pre-commit-config.yaml", "notes.txt"):
        assert name not in hook, output


def test_bad_template_fails_with_its_finding(repo, env):
    code, output = try_repo(repo, env, "--all-files")
    hook = hook_output(output, "cfn-trailwatch")
    assert code == 1, output
    assert "Failed" in hook.splitlines()[0] and "- exit code: 1" in hook, output
    assert re.search(r"^templates/bad\.yaml:10:7: ET1003 .*!Ref CloudWatchLogsGroup", hook, re.M)
    assert re.search(r"^templates/bad\.yaml:11:7: ET1004 ", hook, re.M), output
    # The good template passed its chain; the files that are no templates were not mentioned.
    assert not [line for line in hook.splitlines()
                if line.startswith("templates/good.yaml") and ERROR_FINDING.search(line)], output
    for name in ("config.yaml", "package.json", ".pre-commit-config.yaml", "notes.txt"):
        assert name not in hook, output
    assert "Traceback" not in output


def package_copy(target: Path) -> Path:
    """The checkout's working tree, as much of it as pip needs, where a build may write."""
    target.mkdir()
    shutil.copy2(CHECKOUT / "pyproject.toml", target / "pyproject.toml")
    shutil.copy2(README, target / "README.md")
    for folder in ("linter", "rules"):
        shutil.copytree(CHECKOUT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def test_cfn_lint_hook_snippet_adds_the_rules(repo, env, tmp_path):
    """The README's snippet for cfn-lint's own hook, with real cfn-lint under real pre-commit.
    cfn-lint's hook repository cannot be cloned here, so the hook is declared locally, as
    cfn-lint's `.pre-commit-hooks.yaml` declares it (language python; entry: see below), with
    the snippet's `files`, `args` and `additional_dependencies`, cfn-trailwatch installed from
    this checkout's working tree instead of the package index."""
    [snippet] = yaml.safe_load(readme_snippet("id: cfn-lint"))["repos"]
    assert snippet["repo"] == "https://github.com/aws-cloudformation/cfn-lint"
    [hook] = snippet["hooks"]
    assert hook["additional_dependencies"] == ["cfn-trailwatch"]
    package = package_copy(tmp_path / "cfn-trailwatch")
    # What is tested here is how pre-commit hands the snippet's args and files to cfn-lint, not
    # the install (the try-repo tests do that), so this environment may take cfn-lint from the
    # interpreter's site-packages (15-70 s less). pip then writes no `cfn-lint` script into it
    # and the one on PATH would be another environment's, so the entry starts cfn-lint's own
    # main with the environment's python, which imports the rules from the hook's install.
    env = {**env, "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1"}
    entry = "python -c 'import sys; from cfnlint.runner import main; sys.exit(main())'"
    local = {"id": "cfn-lint", "name": "cfn-lint", "language": "python", "entry": entry,
             "files": hook["files"], "args": hook["args"],
             "additional_dependencies": [str(package)]}
    config = tmp_path / "cfn-lint-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}),
                      encoding="utf-8")
    code, output = pre_commit(repo, env, "run", "cfn-lint", "--config", str(config), "--verbose",
                              "--color", "never", "--files", "templates/bad.yaml", "config.yaml")
    out = hook_output(output, "cfn-lint")
    assert code == 1 and "Failed" in out.splitlines()[0], output
    # The file names after `args` were linted, not imported as rule modules.
    assert "UnexpectedRuleException" not in output and "No module named" not in output, output
    assert re.search(r"^ET1003 Trail CloudTrail: ", out, re.M), output
    assert "templates/bad.yaml:10:7" in out and "templates/bad.yaml:11:7" in out, output
    assert "config.yaml" not in out, "the snippet's files: pattern leaves non-templates out"
