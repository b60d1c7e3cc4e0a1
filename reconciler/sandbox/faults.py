"""Seeded latency, token-bucket rate limits and injected faults."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from reconciler.sandbox.operations import Operation
from reconciler.sandbox.settings import SettingsHolder


def matching_keys(operation: Operation) -> list[str]:
    """Return the setting keys that apply to ``operation``, most specific first."""
    return [operation.key, f"{operation.service}:*", "*"]


@dataclass
class TokenBucket:
    """A bucket of ``burst`` tokens refilled at ``rate`` tokens a second."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class FaultInjector:
    """Decide, per call, the added latency and whether the call fails.

    One ``random.Random(seed)`` makes every decision, so a run that sends the
    same calls in the same order gets the same faults.
    """

    def __init__(self, settings: SettingsHolder) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._random = random.Random(settings.current.seed)
        self._buckets: dict[str, TokenBucket] = {}
        self._buckets_version = -1

    def latency_s(self, operation: Operation) -> float:
        latencies = self._settings.current.latency_s
        for key in matching_keys(operation):
            if key in latencies:
                return latencies[key]
        return 0.0

    def allow(self, operation: Operation) -> bool:
        """Take a token from every bucket that applies; False means throttled."""
        settings = self._settings.current
        now = time.monotonic()
        with self._lock:
            if self._buckets_version != self._settings.version:
                # New limits start with full buckets.
                self._buckets = {
                    key: TokenBucket(rate, burst, burst, now)
                    for key, (rate, burst) in settings.rate_limits.items()
                }
                self._buckets_version = self._settings.version
            buckets = [
                self._buckets[k] for k in matching_keys(operation) if k in self._buckets
            ]
            # Check every bucket before taking, so a throttled call costs no token.
            for bucket in buckets:
                bucket.refill(now)
            if any(bucket.tokens < 1.0 for bucket in buckets):
                return False
            for bucket in buckets:
                bucket.tokens -= 1.0
            return True

    def _chance(self, ratio: float) -> bool:
        if ratio <= 0.0:
            return False
        with self._lock:
            return self._random.random() < ratio

    def inject_error(self) -> bool:
        return self._chance(self._settings.current.error_ratio)

    def inject_timeout(self) -> bool:
        return self._chance(self._settings.current.timeout_ratio)

    def concurrent_write(self) -> bool:
        return self._chance(self._settings.current.concurrent_writer_ratio)
