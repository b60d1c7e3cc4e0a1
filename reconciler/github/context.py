"""The GitHub Actions run that a report is published for, read from the environment."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_REPORT_PATH = "reconciler-report.json"


@dataclass(frozen=True)
class ActionsContext:
    """Settings of one workflow run, from the variables GitHub Actions sets."""

    token: str | None
    repository: str | None
    sha: str | None
    event_name: str | None
    event: Mapping[str, Any]
    api_url: str | None
    server_url: str | None
    run_id: str | None
    step_summary: Path | None
    output: Path | None
    report_path: Path = field(default_factory=lambda: Path(DEFAULT_REPORT_PATH))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionsContext:
        """Read the context from ``env``; unset or empty variables become None."""

        def get(name: str) -> str | None:
            return env.get(name) or None

        summary = get("GITHUB_STEP_SUMMARY")
        output = get("GITHUB_OUTPUT")
        return cls(
            token=get("GITHUB_TOKEN"),
            repository=get("GITHUB_REPOSITORY"),
            sha=get("GITHUB_SHA"),
            event_name=get("GITHUB_EVENT_NAME"),
            event=_read_event(get("GITHUB_EVENT_PATH")),
            api_url=get("GITHUB_API_URL"),
            server_url=get("GITHUB_SERVER_URL"),
            run_id=get("GITHUB_RUN_ID"),
            step_summary=Path(summary) if summary else None,
            output=Path(output) if output else None,
            report_path=Path(get("RECONCILER_REPORT_PATH") or DEFAULT_REPORT_PATH),
        )

    @property
    def owner_and_name(self) -> tuple[str, str] | None:
        if not self.repository or self.repository.count("/") != 1:
            return None
        owner, name = self.repository.split("/")
        return owner, name

    @property
    def run_url(self) -> str | None:
        if not (self.server_url and self.repository and self.run_id):
            return None
        server = self.server_url.rstrip("/")
        return f"{server}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def pull_request_number(self) -> int | None:
        """Number of the pull request that triggered the run, if one did."""
        if self.event_name not in {"pull_request", "pull_request_target"}:
            return None
        pull_request = self.event.get("pull_request")
        number = pull_request.get("number") if isinstance(pull_request, dict) else None
        if number is None:
            number = self.event.get("number")
        return number if isinstance(number, int) else None


def _read_event(path: str | None) -> Mapping[str, Any]:
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as file:
            event = json.load(file)
    except (OSError, ValueError) as exc:
        log.warning("cannot read the event payload %s: %s", path, exc)
        return {}
    if not isinstance(event, dict):
        log.warning("event payload %s is not a JSON object; ignoring it", path)
        return {}
    return event
