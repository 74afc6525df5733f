"""Which files a scan reads: the paths given, folders walked in sorted order, CDK cloud
assemblies (``cdk.out``) read for their templates and not their bundled assets."""

from __future__ import annotations

import os
from typing import Sequence

from .. import link
from ..findings import FileError
from ..report import Run

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_FOLDERS = {"node_modules"}


def _is_cloud_assembly(root: str, files: list[str]) -> bool:
    """A CDK cloud assembly (``cdk synth``'s ``cdk.out``, or a stage's nested ``assembly-*``):
    its ``manifest.json`` beside the ``cdk.out`` version file, or in a folder named cdk.out."""
    return "manifest.json" in files and ("cdk.out" in files or os.path.basename(
        os.path.normpath(root)) == "cdk.out")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _walk(folder: str) -> list[str]:
    """The candidate files under ``folder``, sorted, hidden ones and ``node_modules`` left out.
    In a CDK cloud assembly the stacks' ``*.template.json`` are read (its ``manifest.json``,
    ``tree.json`` and ``*.assets.json`` are read too and skipped quietly: they have no
    Resources); its ``asset.*`` files and folders are left out, as they hold the app's bundled
    code and files (a Lambda's ``package.json``, a ``tsconfig.json`` with comments), no template."""
    found: list[str] = []
    inside = link.real_path(folder)
    # os.walk does not follow symlinked folders (so no symlink cycle can loop); a symlinked file
    # is read only when it points inside the folder given.
    for root, dirs, files in os.walk(folder):
        files = [name for name in files if not os.path.islink(os.path.join(root, name))
                 or _within(link.real_path(os.path.join(root, name)), inside)]
        assembly = _is_cloud_assembly(root, files)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS
                         and not (assembly and d.startswith("asset.")))
        found.extend(os.path.join(root, name) for name in sorted(files)
                     if not name.startswith(".") and name.lower().endswith(TEMPLATE_SUFFIXES)
                     and not (assembly and name.startswith("asset.")))
    return found


def discover(paths: Sequence[str], run: Run) -> list[str]:
    """The files to read, in command-line order, each once; a missing path is an error in
    ``run``."""
    result: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            candidates = _walk(path)
        elif os.path.exists(path):
            candidates = [path]
        else:
            run.errors.append(FileError(path, 1, 1, "no such file or directory"))
            continue
        for candidate in candidates:
            key = os.path.normcase(link.real_path(candidate))
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result
