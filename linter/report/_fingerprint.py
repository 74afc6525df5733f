"""What identifies a finding across commits, shared by the reports that need one (SARIF's
``partialFingerprints``, GitLab Code Quality's ``fingerprint``).

A finding's base is made of its rule, file, resource and the property path it is anchored at,
never its line or message, so inserting lines above it, or a change of the scenario annotation,
keeps it the same. The engine may report the same rule on the same property once per scenario;
an occurrence number in report order (:class:`Numbering`) keeps those apart, as GitHub's own
line hashes do.
"""

from __future__ import annotations

import json

from ..findings import Located


def finding_base(item: Located, uri: str) -> str:
    """The line-independent part: a SHA-256 of rule, file (``uri``, as the report names it),
    resource and anchor path."""
    f = item.finding
    import hashlib   # here: a run without SARIF or a baseline does not pay its import (3 ms)

    key = json.dumps([f.rule, uri, f.resource, list(f.path)], ensure_ascii=False, default=str)
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


class Numbering:
    """Occurrence numbers of bases, in the order they are asked for: ``"<base>:<n>"``."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        self._seen[base] = self._seen.get(base, 0) + 1
        return f"{base}:{self._seen[base]}"
