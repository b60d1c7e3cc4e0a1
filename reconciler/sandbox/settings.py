"""Settings of a sandbox: latency, rate limits, faults, delays and quotas."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"
"""Account that moto uses when the access key is unknown to its IAM backend."""

REGION = "us-east-1"


@dataclass
class SandboxSettings:
    """Behaviour knobs of a sandbox; every random choice derives from ``seed``.

    Operation keys are ``service:Operation`` (``cloudfront:UpdateDistribution``),
    ``service:*`` or ``*``. The most specific key wins for latency; every
    matching key's token bucket must have a token for a call to pass.
    """

    port: int = 0
    seed: int = 0
    deploy_delay_s: float = 0.2
    lambda_update_delay_s: float = 0.0
    latency_s: dict[str, float] = field(default_factory=dict)
    rate_limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    error_ratio: float = 0.0
    timeout_ratio: float = 0.0
    timeout_s: float = 5.0
    concurrent_writer_ratio: float = 0.0
    function_quota: int = 500

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first setting out of range."""
        for name in ("error_ratio", "timeout_ratio", "concurrent_writer_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for name in ("deploy_delay_s", "lambda_update_delay_s", "timeout_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        if self.function_quota < 1:
            raise ValueError("function_quota must be at least 1")
        for key, (rate, burst) in self.rate_limits.items():
            if rate <= 0 or burst < 1:
                raise ValueError(
                    f"rate limit {key!r} needs rate > 0 and burst >= 1, "
                    f"got ({rate}, {burst})"
                )


class SettingsHolder:
    """Thread-safe holder of the current settings; ``update`` swaps a copy."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self.version = 0

    @property
    def current(self) -> SandboxSettings:
        return self._settings

    def update(self, **fields: Any) -> SandboxSettings:
        """Replace the named fields; raise ``ValueError`` on unknown names."""
        known = {f.name for f in dataclasses.fields(SandboxSettings)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"unknown sandbox settings: {', '.join(unknown)}")
        if "port" in fields:
            raise ValueError("port cannot change while the server runs")
        if "rate_limits" in fields:
            fields["rate_limits"] = {
                key: (float(pair[0]), float(pair[1]))
                for key, pair in fields["rate_limits"].items()
            }
        with self._lock:
            updated = dataclasses.replace(self._settings, **fields)
            self._settings = updated
            self.version += 1
        return updated
