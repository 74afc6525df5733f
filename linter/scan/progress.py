"""The progress line of a long scan: ``cfn-trailwatch: 120/300 files`` on a terminal's stderr."""

from __future__ import annotations

import sys
import time

# Shown for more files than this, or once a scan has taken this long; redrawn at most this often.
PROGRESS_MIN_FILES = 51
PROGRESS_AFTER_SECONDS = 1.0
PROGRESS_INTERVAL_SECONDS = 0.1


class Progress:
    """``cfn-trailwatch: 120/300 files`` on stderr, redrawn in place with ``\\r`` and cleared at
    the end; only when stderr is a terminal and the scan is long (more than PROGRESS_MIN_FILES
    files, or past PROGRESS_AFTER_SECONDS), never into a file, a pipe or a CI log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.width = 0   # of the line on screen, 0 while none is
        self.started = self.drawn = time.monotonic()
        try:
            self.enabled = total > 1 and sys.stderr.isatty()
        except (AttributeError, ValueError, OSError):  # no stderr, or a closed one
            self.enabled = False

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.total < PROGRESS_MIN_FILES and now - self.started < PROGRESS_AFTER_SECONDS:
            return
        if self.width and self.done < self.total and now - self.drawn < PROGRESS_INTERVAL_SECONDS:
            return
        line = f"cfn-trailwatch: {self.done}/{self.total} files"
        self._write("\r" + line.ljust(self.width))
        self.width, self.drawn = max(self.width, len(line)), now

    def close(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            self.enabled = False
