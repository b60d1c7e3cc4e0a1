"""The Actions environment of one workflow step, pointed at a fake GitHub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .fake_github import FakeGitHub

EVENTS = Path(__file__).parent.parent / "data" / "github_events"
RUN_ID = "4242"


def event_payload(event_file: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((EVENTS / event_file).read_text())
    return payload


class ActionsRun:
    """The files and variables that the Actions runner gives one step."""

    def __init__(self, tmp_path: Path, fake: FakeGitHub) -> None:
        self.tmp_path = tmp_path
        self.fake = fake
        self.summary = tmp_path / "step_summary.md"
        self.output = tmp_path / "github_output"
        self.report_path = tmp_path / "out" / "reconciler-report.json"

    def env(
        self, event_file: str, *, event_name: str, sha: str, run_id: str = RUN_ID
    ) -> dict[str, str]:
        """Return the variables of a run triggered by the payload in ``event_file``."""
        return {
            "GITHUB_TOKEN": self.fake.token,
            "GITHUB_REPOSITORY": f"{self.fake.owner}/{self.fake.name}",
            "GITHUB_SHA": sha,
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(EVENTS / event_file),
            "GITHUB_API_URL": self.fake.base_url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_RUN_ID": run_id,
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "RECONCILER_REPORT_PATH": str(self.report_path),
        }

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)
