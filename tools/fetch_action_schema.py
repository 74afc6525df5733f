#!/usr/bin/env python3
"""Rebuild tests/data/github-action.json: SchemaStore's JSON Schema of GitHub Action metadata
(``action.yml``), which tests/test_action.py validates the repository's action.yml against.

    python tools/fetch_action_schema.py [--ref REF] [--git-dir DIR] [--check]

The schema is published as https://json.schemastore.org/github-action.json and kept in
github.com/SchemaStore/schemastore (Apache-2.0) as ``src/schemas/json/github-action.json``. It is
copied unchanged, and ``tests/data/github-action.source.json`` records where from: the
repository, the path, the commit the copy was read at (``commit``; its date), the newest commit
that changed the file (``file_commit``; its date) and the copy's SHA-256.

Sources, either:
- ``--git-dir DIR``: a local git directory (bare or not) of a SchemaStore snapshot, read at REF
  (default HEAD); no network;
- otherwise GitHub over HTTPS: REF (default ``master``) resolved to a commit with the REST API,
  then the file's raw text at that commit.

``--check`` compares the committed copy with the one the source gives and writes nothing
(exit 1 when they differ). The tests never run this script: they have no network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

REPOSITORY = "SchemaStore/schemastore"
PATH = "src/schemas/json/github-action.json"
PUBLISHED = "https://json.schemastore.org/github-action.json"
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SCHEMA = DATA / "github-action.json"
SOURCE = DATA / "github-action.source.json"


def _git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True,
                          capture_output=True).stdout


def _from_git(git_dir: str, ref: str) -> tuple[bytes, dict]:
    if not (Path(git_dir) / "HEAD").exists() and (Path(git_dir) / ".git").exists():
        git_dir = str(Path(git_dir) / ".git")
    commit, date = _git(git_dir, "log", "-1", "--format=%H %cI", ref).decode().split()
    file_commit, file_date = _git(git_dir, "log", "-1", "--format=%H %cI", ref, "--",
                                  PATH).decode().split()
    text = _git(git_dir, "show", f"{commit}:{PATH}")
    return text, {"commit": commit, "commit_date": date,
                  "file_commit": file_commit, "file_commit_date": file_date}


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "cfn-trailwatch-tools"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _from_github(ref: str) -> tuple[bytes, dict]:
    api = f"https://api.github.com/repos/{REPOSITORY}"
    head = json.loads(_get(f"{api}/commits/{ref}"))
    commit = head["sha"]
    [last] = json.loads(_get(f"{api}/commits?sha={commit}&path={PATH}&per_page=1"))
    text = _get(f"https://raw.githubusercontent.com/{REPOSITORY}/{commit}/{PATH}")
    return text, {"commit": commit, "commit_date": head["commit"]["committer"]["date"],
                  "file_commit": last["sha"],
                  "file_commit_date": last["commit"]["committer"]["date"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="branch, tag or commit (default: HEAD of --git-dir, "
                                      "else master)")
    parser.add_argument("--git-dir", help="a local git directory of a SchemaStore snapshot")
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed copy; write nothing")
    args = parser.parse_args(argv)

    if args.git_dir:
        text, where = _from_git(args.git_dir, args.ref or "HEAD")
    else:
        try:
            text, where = _from_github(args.ref or "master")
        except OSError as err:  # urllib's URLError and HTTPError are OSErrors
            print(f"fetch_action_schema: cannot read {REPOSITORY} from GitHub: {err} "
                  "(offline? use --git-dir with a snapshot)", file=sys.stderr)
            return 2
    json.loads(text)  # a schema, not an error page
    source = {
        "published": PUBLISHED,
        "repository": f"https://github.com/{REPOSITORY}",
        "path": PATH,
        "license": "Apache-2.0",
        **where,
        "sha256": hashlib.sha256(text).hexdigest(),
    }
    if args.check:
        same = SCHEMA.exists() and SCHEMA.read_bytes() == text
        print(f"{SCHEMA.name}: {'same as' if same else 'DIFFERS from'} {REPOSITORY}@"
              f"{where['commit'][:12]}")
        return 0 if same else 1
    SCHEMA.write_bytes(text)
    SOURCE.write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA} ({len(text)} bytes, {REPOSITORY}@{where['commit'][:12]}, file last "
          f"changed in {where['file_commit'][:12]} on {where['file_commit_date']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
