"""Rollout progress: a bar on a terminal, one log line per batch elsewhere."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

log = logging.getLogger("reconciler.progress")

_WIDTH = 30


class Progress:
    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = enabled
        self._bar = enabled and self._stream.isatty()
        self._total = 0
        self._done = 0
        self._failed = 0

    def start(self, total: int) -> None:
        self._total = total
        self._done = 0
        self._failed = 0

    def batch_done(self, number: int, batches: int, size: int, failed: int) -> None:
        self._done += size
        self._failed += failed
        if not self._enabled:
            return
        if self._bar:
            filled = _WIDTH * self._done // max(self._total, 1)
            self._stream.write(
                f"\r[{'#' * filled}{'.' * (_WIDTH - filled)}] "
                f"{self._done}/{self._total} distributions, {self._failed} failed"
            )
            self._stream.flush()
        else:
            log.info(
                "batch %d/%d done: %d/%d distributions, %d failed so far",
                number,
                batches,
                self._done,
                self._total,
                self._failed,
            )

    def finish(self) -> None:
        if self._bar and self._total:
            self._stream.write("\n")
            self._stream.flush()
