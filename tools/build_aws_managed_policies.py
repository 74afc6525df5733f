#!/usr/bin/env python3
"""Rebuild linter/data/aws-managed-policies.json: every AWS managed policy, and what it grants
of the two actions CloudTrail delivery needs.

    python tools/build_aws_managed_policies.py DATASET MAMIP [--output FILE | --check]
        [--dataset-commit C] [--mamip-commit C]

DATASET is a git directory (bare or not) of a snapshot of github.com/iann0036/iam-dataset (MIT):
its ``aws/managedpolicies/<name>.json`` files, one per policy with its ARN, default version,
document and deprecation flag, are the source. (That project derives them from MAMIP's copies of
the IAM API's answers; the AWS Managed Policy Reference Guide publishes the same facts, one page
per policy, but not as data this script could read.) MAMIP is a git directory of a snapshot of
github.com/zoph-io/MAMIP (GPL-3.0), read only to cross-check: its policy list (path, default
version, ``IsAttachable``) and its list of deprecated policies. Nothing of its files is copied;
where the two disagree on a fact, the rule below decides and the output lists the disagreement.

For each policy the output records its name, path, default version, whether a role can have it
attached (``aws-service-role/`` policies are for service-linked roles only; IAM can also mark a
policy not attachable) and whether AWS deprecated it (then it cannot be attached to a new role).
Of its default version it keeps only the statements that can allow or deny
``logs:CreateLogStream`` or ``logs:PutLogEvents`` (Action or NotAction, with wildcards), and Deny
statements naming any ``logs:`` action, as the dataset gives them (it writes the Action of an
Allow statement as a list, also of one item, which IAM reads alike); the other statements become
``null`` so that positions (``Statement[3]``) stay those of the published document. A document
of at most 1 KiB is kept whole, so every action of it can be decided. A policy with no such
statement keeps no document.

The output depends only on the two snapshots (sorted keys, no clock): running the script again on
the same commits gives the same bytes, which ``--check`` verifies.

Rules where the sources disagree or lack something:
- a file that the dataset commit read lists but the snapshot does not hold (snapshots can omit
  large files) is read at the newest earlier commit that holds it (``seen_at``);
- a deprecated policy has no ARN in the dataset; its path is taken from the newest earlier copy
  that has one (``seen_at``), else it is unknown (``null``);
- deprecated: the dataset says so, or MAMIP lists it as deprecated and not among its current
  policies (MAMIP's file for a removed policy can be empty, which leaves the dataset's copy stale);
- attachable: not under ``aws-service-role/``, and not listed by MAMIP with ``IsAttachable``
  false.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
WHOLE_LIMIT = 1024            # bytes of compact JSON up to which a granting document is kept whole
DATASET_DIR = "aws/managedpolicies/"
SERVICE_LINKED = "/aws-service-role/"
REFERENCE = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
OUTPUT = Path(__file__).resolve().parents[1] / "linter" / "data" / "aws-managed-policies.json"


# --------------------------------------------------------------------------------------------
# Reading a git snapshot
# --------------------------------------------------------------------------------------------

class Snapshot:
    def __init__(self, git_dir: str, rev: str = "HEAD") -> None:
        path = Path(git_dir)
        if (path / "repo").is_dir() and not (path / "HEAD").exists():
            path = path / "repo"      # the folder fetch made, holding the git directory
        self.git_dir = str(path)
        self.commit = self._git("rev-parse", "--verify", f"{rev}^{{commit}}").strip()
        stamp = self._git("log", "-1", "--format=%cI", self.commit).strip()
        self.date = datetime.fromisoformat(stamp).astimezone(timezone.utc).date().isoformat()

    def _git(self, *args: str, data: bytes | None = None) -> str:
        out = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], input=data,
                             capture_output=True, check=True)
        return out.stdout.decode("utf-8")

    def tree(self, prefix: str) -> dict[str, str]:
        """path -> blob id of the files under ``prefix``."""
        out = self._git("ls-tree", "-r", "-z", self.commit, "--", prefix)
        files = {}
        for entry in filter(None, out.split("\0")):
            meta, path = entry.split("\t", 1)
            files[path] = meta.split()[2]
        return files

    def blobs(self, ids: list[str]) -> dict[str, bytes | None]:
        """The content of each blob; None for one the snapshot does not hold."""
        unique = sorted(set(ids))
        raw = subprocess.run(["git", f"--git-dir={self.git_dir}", "cat-file", "--batch"],
                             input="".join(i + "\n" for i in unique).encode(),
                             capture_output=True, check=True).stdout
        found: dict[str, bytes | None] = {}
        position = 0
        for blob in unique:
            end = raw.index(b"\n", position)
            header = raw[position:end].split()
            if header[-1] == b"missing":
                found[blob] = None
                position = end + 1
                continue
            size = int(header[2])
            found[blob] = raw[end + 1:end + 1 + size]
            position = end + 1 + size + 1
        return found

    def held(self, ids: list[str]) -> set[str]:
        """The blob ids the snapshot holds."""
        out = subprocess.run(["git", f"--git-dir={self.git_dir}", "cat-file", "--batch-check"],
                             input="".join(i + "\n" for i in sorted(set(ids))).encode(),
                             capture_output=True, check=True).stdout.decode()
        return {line.split()[0] for line in out.splitlines() if not line.endswith(" missing")}

    def show(self, path: str) -> bytes | None:
        tree = self.tree(path)
        return self.blobs([tree[path]])[tree[path]] if path in tree else None

    def history(self, paths: list[str]) -> dict[str, list[tuple[str, str]]]:
        """path -> [(commit, blob id)] of the versions the history holds, newest first."""
        if not paths:
            return {}
        out = self._git("log", "--no-renames", "--raw", "--no-abbrev", "-z", "--format=%x01%H",
                        self.commit, "--", *paths)
        versions: dict[str, list[tuple[str, str]]] = {p: [] for p in paths}
        for chunk in out.split("\x01")[1:]:
            fields = chunk.split("\0")
            commit = fields[0].strip()
            rest = [f for f in fields[1:] if f != ""]
            for meta, path in zip(rest[0::2], rest[1::2]):
                blob = meta.split()[3]
                if path in versions and set(blob) != {"0"}:
                    versions[path].append((commit, blob))
        return versions


# --------------------------------------------------------------------------------------------
# What a document grants of the two actions
# --------------------------------------------------------------------------------------------

def _glob(pattern: str) -> re.Pattern:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower())
    return re.compile("^" + "".join(parts) + "$", re.S)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def covered(statement: dict) -> list[str]:
    """Which of the two actions the statement's Action or NotAction takes in."""
    if "Action" in statement:
        patterns = [_glob(p) for p in _listed(statement["Action"]) if isinstance(p, str)]
        return [a for a in ACTIONS if any(p.match(a.lower()) for p in patterns)]
    if "NotAction" in statement:
        patterns = [_glob(p) for p in _listed(statement["NotAction"]) if isinstance(p, str)]
        return [a for a in ACTIONS if not any(p.match(a.lower()) for p in patterns)]
    return []


def _names_logs(statement: dict) -> bool:
    key = "Action" if "Action" in statement else "NotAction"
    return any(isinstance(p, str) and (p.lower().startswith("logs:") or p.strip() == "*")
               for p in _listed(statement.get(key, [])))


def relevant(document: dict) -> tuple[list, list[str], list[str]]:
    """(statements, granted, denied): the statements with None for those that can neither
    allow nor deny one of the two actions; which of the two some Allow, some Deny takes in."""
    statements = document.get("Statement")
    granted: set[str] = set()
    denied: set[str] = set()
    kept = []
    for statement in _listed(statements):
        keep = False
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            actions = covered(statement)
            granted.update(actions)
            keep = bool(actions)
        elif isinstance(statement, dict) and statement.get("Effect") == "Deny":
            actions = covered(statement)
            denied.update(actions)
            keep = bool(actions) or _names_logs(statement)
        kept.append(statement if keep else None)
    order = list(ACTIONS)
    return kept, [a for a in order if a in granted], [a for a in order if a in denied]


def _compact(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def recorded_document(document: dict) -> tuple[dict | None, bool, list[str], list[str]]:
    """(document to record, whole?, granted, denied)."""
    kept, granted, denied = relevant(document)
    if not any(s is not None for s in kept):
        return None, False, granted, denied
    if len(_compact(document)) <= WHOLE_LIMIT or all(s is not None for s in kept):
        return document, True, granted, denied
    excerpt = {k: v for k, v in document.items() if k != "Statement"}
    excerpt["Statement"] = kept
    return excerpt, False, granted, denied


# --------------------------------------------------------------------------------------------
# The sources
# --------------------------------------------------------------------------------------------

def _normalised(document) -> list:
    """The statements kept here, in the dataset's spelling: it writes the Statement of a
    document as a list, and the Action of an Allow statement as a list, even of one item
    (the same policy for IAM)."""
    kept = []
    for statement in relevant(document if isinstance(document, dict) else {})[0]:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow" \
                and isinstance(statement.get("Action"), str):
            statement = dict(statement, Action=[statement["Action"]])
        kept.append(statement)
    return kept


def _path_of(arn: str) -> tuple[str, str]:
    rest = arn.split(":policy/", 1)[1]
    if "/" in rest:
        folder, name = rest.rsplit("/", 1)
        return f"/{folder}/", name
    return "/", rest


def read_dataset(snapshot: Snapshot) -> tuple[dict[str, dict], dict[str, str]]:
    """name -> dataset record (with ``seen_at`` where an older copy was read), and the
    reasons an entry could not be read."""
    tree = snapshot.tree(DATASET_DIR)
    contents = snapshot.blobs(list(tree.values()))
    records: dict[str, dict] = {}
    problems: dict[str, str] = {}
    absent = sorted(p for p, blob in tree.items() if contents[blob] is None)
    for path, blob in sorted(tree.items()):
        if contents[blob] is not None:
            records[path] = json.loads(contents[blob])
    # Files the newest commit lists but the snapshot lacks; paths of deprecated policies.
    pathless = sorted(p for p, r in records.items() if not r.get("arn"))
    history = snapshot.history(absent + pathless)
    held = snapshot.held([b for versions in history.values() for _, b in versions])
    for path in absent:
        versions = [(c, b) for c, b in history[path] if b in held]
        if versions:
            commit, blob = versions[0]
            records[path] = dict(json.loads(snapshot.blobs([blob])[blob]), seen_at=commit)
        else:
            problems[path] = "no copy of it is held in the snapshot"
    for path in pathless:
        for commit, blob in history[path]:
            if blob not in held:
                continue
            copy = json.loads(snapshot.blobs([blob])[blob])
            if copy.get("arn"):
                records[path]["arn_seen"] = copy["arn"]
                records[path]["seen_at"] = commit
                break
    by_name: dict[str, dict] = {}
    for path, record in records.items():
        name = record.get("name")
        if not isinstance(name, str) or path != f"{DATASET_DIR}{name}.json":
            problems[path] = f"its name {name!r} does not match the file name"
            continue
        by_name[name] = record
    return by_name, problems


def read_mamip(snapshot: Snapshot) -> tuple[dict[str, dict], set[str], dict[str, dict]]:
    """(name -> policy list entry, deprecated names, name -> default-version document)."""
    listed = json.loads(snapshot.show("policies-list.json"))["Policies"]
    current = {p["PolicyName"]: p for p in listed}
    deprecated = set(json.loads(snapshot.show("DEPRECATED.json")))
    tree = snapshot.tree("policies/")
    contents = snapshot.blobs(list(tree.values()))
    documents = {}
    for path, blob in tree.items():
        text = contents[blob]
        try:
            version = json.loads(text)["PolicyVersion"] if text else None
        except (ValueError, KeyError, TypeError):
            version = None
        if isinstance(version, dict):
            documents[path[len("policies/"):]] = version
    return current, deprecated, documents


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

def build(dataset: Snapshot, mamip: Snapshot) -> dict:
    records, problems = read_dataset(dataset)
    current, mamip_deprecated, mamip_documents = read_mamip(mamip)
    policies: dict[str, dict] = {}
    disagreements: dict[str, str] = {}
    same_version = same_grants = 0
    for name in sorted(records):
        record = records[name]
        arn = record.get("arn") or record.get("arn_seen")
        path = _path_of(arn)[0] if arn else None
        deprecated = bool(record.get("deprecated")) or not record.get("arn")
        listed = current.get(name)
        if not deprecated and name in mamip_deprecated and listed is None:
            deprecated = True
            disagreements[name] = ("deprecated: MAMIP lists it as deprecated and no longer "
                                   "among its policies; the dataset's copy is older")
        attachable = path != SERVICE_LINKED
        note = None
        if listed is not None and listed.get("IsAttachable") is False:
            attachable = False
            note = "IAM lists it as not attachable (IsAttachable false)"
            disagreements[name] = "not attachable: MAMIP's policy list has IsAttachable false"
        if listed is not None and path is not None and listed.get("Path") != path:
            disagreements[name] = f"path: MAMIP has {listed.get('Path')}, the dataset {path}"
        document, whole, granted, denied = recorded_document(record.get("document") or {})
        entry: dict = {
            "path": path,
            "version": record.get("version"),
            "attachable": attachable,
            "deprecated": deprecated,
            "grants": granted,
        }
        if denied:
            entry["denies"] = denied
        if document is not None:
            entry["complete"] = whole
            entry["document"] = document
        if note:
            entry["note"] = note
        if record.get("seen_at"):
            entry["seen_at"] = record["seen_at"]
        policies[name] = entry
        theirs = mamip_documents.get(name)
        if theirs is not None and theirs.get("VersionId") == record.get("version"):
            same_version += 1
            if _normalised(theirs.get("Document")) == _normalised(record.get("document")):
                same_grants += 1
            else:
                disagreements[name] = ("same default version, but MAMIP's document differs in "
                                       "the statements kept here")
    live = {n for n, e in policies.items() if not e["deprecated"]}
    counts = {
        "policies": len(policies),
        "current": len(live),
        "deprecated": len(policies) - len(live),
        "attachable": sum(1 for n in live if policies[n]["attachable"]),
        "service_linked": sum(1 for e in policies.values() if e["path"] == SERVICE_LINKED),
        "granting": sum(1 for n in live if policies[n]["grants"]),
        "granting_attachable": sum(1 for n in live if policies[n]["grants"]
                                   and policies[n]["attachable"]),
        "with_document": sum(1 for e in policies.values() if "document" in e),
    }
    return {
        "about": (
            "Every AWS managed policy (arn:<partition>:iam::aws:policy<path><name>), keyed by "
            "name, as of the snapshot date: its path, default version, whether a role can have "
            "it attached ('attachable'; aws-service-role/ policies are for service-linked roles "
            "only) and whether AWS deprecated it (it then cannot be attached to a new role). "
            "'grants' and 'denies' say which of logs:CreateLogStream and logs:PutLogEvents some "
            "Allow or Deny statement of the default version takes in (by Action or NotAction); "
            "'document' keeps only the statements that can allow or deny either of them (and "
            "Deny statements naming logs: actions) as the dataset gives them (it writes the "
            "Action of an Allow statement as a list, also of one item: the same for IAM), with "
            "null in place of the others so that statement positions stay those of the policy; "
            "'complete' true means the whole document (one of at most 1 KiB, or one whose every "
            "statement counts). A policy without 'document' can neither allow nor deny the two "
            "actions. 'seen_at': the dataset commit an older copy was read at (the snapshot "
            "lacks the newest, or only an older copy has the ARN of a deprecated policy). "
            "Rebuilt by tools/build_aws_managed_policies.py from the snapshots below."),
        "snapshot": dataset.date,
        "sources": [
            {"name": "iann0036/iam-dataset", "url": "https://github.com/iann0036/iam-dataset",
             "commit": dataset.commit, "date": dataset.date, "license": "MIT",
             "used": "aws/managedpolicies/<name>.json: ARN (path), default version, document, "
                     "deprecated. That project builds these files from MAMIP's copies of the IAM "
                     "API's answers, so the cross-check compares two dates of one upstream"},
            {"name": "zoph-io/MAMIP", "url": "https://github.com/zoph-io/MAMIP",
             "commit": mamip.commit, "date": mamip.date, "license": "GPL-3.0",
             "used": "cross-check only (policies-list.json, DEPRECATED.json, policies/<name>); "
                     "nothing copied"},
            {"name": "AWS Managed Policy Reference Guide", "url": REFERENCE,
             "used": f"the published reference: each policy's page is {REFERENCE}<name>.html"},
        ],
        "cross_check": {
            "mamip_policies": len(current),
            "only_in_dataset": sorted(n for n in live if n not in current),
            "only_in_mamip": sorted(n for n in current if n not in live),
            "same_default_version": same_version,
            "same_statements_at_same_version": same_grants,
            "disagreements": disagreements,
            "unreadable": problems,
        },
        "counts": counts,
        "policies": policies,
    }


def render(table: dict) -> str:
    """Sorted keys; the policies one a line (compact), the rest indented."""
    head = {k: v for k, v in table.items() if k != "policies"}
    text = json.dumps(dict(head, policies={}), indent=1, sort_keys=True, ensure_ascii=False)
    lines = [f" {json.dumps(name, ensure_ascii=False)}: "
             f"{json.dumps(entry, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}"
             for name, entry in sorted(table["policies"].items())]
    body = "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"
    marker = '"policies": {}'
    assert text.count(marker) == 1
    return text.replace(marker, '"policies": ' + body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="git directory of an iann0036/iam-dataset snapshot")
    parser.add_argument("mamip", help="git directory of a zoph-io/MAMIP snapshot (cross-check)")
    parser.add_argument("--dataset-commit", default="HEAD", help="the dataset commit to read")
    parser.add_argument("--mamip-commit", default="HEAD", help="the MAMIP commit to read")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the output file differs from a rebuild")
    args = parser.parse_args(argv)
    text = render(build(Snapshot(args.dataset, args.dataset_commit),
                        Snapshot(args.mamip, args.mamip_commit)))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} differs from a rebuild from these snapshots", file=sys.stderr)
            return 1
        print(f"{args.output} is what these snapshots give")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
