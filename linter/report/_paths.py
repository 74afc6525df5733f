"""How the machine-read reports (SARIF, JUnit, GitHub) name a file.

CI tools resolve paths against the checkout, which is the working directory the gate runs in, so
these reports name a file relative to the working directory, in POSIX form (``stacks/a.yaml``,
also on Windows). A file outside the working directory keeps the spelling it was given.
"""

from __future__ import annotations

import os
from pathlib import PurePath


def relative_to_cwd(path: str) -> str | None:
    """``path`` relative to the working directory in POSIX form, or None when it lies outside
    (or on another drive)."""
    try:
        relative = os.path.relpath(os.path.abspath(path), os.getcwd())
    except (ValueError, OSError):  # another drive on Windows; a working directory gone
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return PurePath(relative).as_posix()


def display_path(path: str) -> str:
    """The file as CI annotations and test reports show it."""
    relative = relative_to_cwd(path)
    if relative is not None:
        return relative
    return path.replace(os.sep, "/") if os.sep != "/" else path
