"""HTTP control endpoint under ``/_sandbox/`` for out-of-process callers.

- ``GET /_sandbox/calls``: ``{"calls": {...}, "writes": {...}, "foreign_edits": [...]}``
- ``POST /_sandbox/calls/reset``: zero the counters
- ``GET /_sandbox/settings``: the current settings
- ``POST /_sandbox/settings``: change the fields given as a JSON object
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.settings import SettingsHolder

if TYPE_CHECKING:
    from reconciler.sandbox.middleware import CallCounter

PREFIX = "/_sandbox/"
Response = tuple[int, dict[str, str], bytes]


def _json(status: int, value: Any) -> Response:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


class ControlEndpoint:
    """Handlers of the ``/_sandbox/`` paths."""

    def __init__(self, settings: SettingsHolder, counter: CallCounter) -> None:
        self.settings = settings
        self._counter = counter

    def _counts(self) -> dict[str, Any]:
        return {
            "calls": self._counter.calls(),
            "writes": self._counter.writes(),
            "foreign_edits": list(self._counter.foreign_edits),
        }

    def handle(self, method: str, path: str, body: bytes) -> Response:
        """Serve one control request."""
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_sandbox/calls"):
            return _json(200, self._counts())
        if route == ("POST", "/_sandbox/calls/reset"):
            self._counter.reset()
            return _json(200, self._counts())
        if route == ("GET", "/_sandbox/settings"):
            return _json(200, dataclasses.asdict(self.settings.current))
        if route == ("POST", "/_sandbox/settings"):
            try:
                fields = json.loads(body or b"{}")
                if not isinstance(fields, dict):
                    raise ValueError("the body must be a JSON object of settings")
                updated = self.settings.update(**fields)
            except (ValueError, TypeError) as exc:
                return _json(400, {"error": f"invalid settings: {exc}"})
            return _json(200, dataclasses.asdict(updated))
        return _json(404, {"error": f"no control endpoint {method} {path}"})
