"""Client-side pacing of distribution writes.

CloudFront publishes no rate for its control plane and throttles above it.
Sending at a known safe rate keeps a rollout at that rate, while backing off
after throttles (botocore's adaptive mode) leaves it below the rate for a
while after each throttle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class WritePacer:
    """Spaces calls to ``wait`` at most ``rate`` per second, across threads."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def wait(self) -> None:
        """Block until the caller's write slot, or return at once when unpaced."""
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        if slot > now:
            self._sleep(slot - now)
