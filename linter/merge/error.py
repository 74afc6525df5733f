"""The one error of ``--merge``: reports that cannot be merged, and why (exit 2)."""


class MergeError(Exception):
    """Reports that cannot be merged, and why."""
