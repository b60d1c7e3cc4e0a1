"""A sandbox with a seeded fleet and a desired state in a scratch repo."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from reconciler.adapters.aws import AwsClients, make_clients
from reconciler.desired_state import DesiredState, load_desired_state
from reconciler.reconcile import RunOptions, reconcile
from reconciler.report.model import Report
from reconciler.sandbox import FleetSpec, Sandbox, SandboxSettings, seed_fleet
from tests.conftest import REPO

DESIRED = """
function:
  name: bot-router
  source: lambda_code.js
  runtime: nodejs20.x
  handler: index.handler
  role: arn:aws:iam::123456789012:role/edge-function-role
  memory_mb: 128
  timeout_s: 5
  settings:
    ai_origin_domain: ai-origin.example.com
associations:
  - event_type: viewer-request
  - event_type: origin-request
rollout:
  batch_size: 10
  batch_interval_s: 0
  max_concurrency: 8
  max_failure_ratio: 0.2
  max_attempts: 6
"""


@dataclass
class Workspace:
    """A scratch repo (desired state and source) next to a running sandbox."""

    root: Path
    sandbox: Sandbox
    fleet: Any

    @property
    def state_path(self) -> Path:
        return self.root / "desired_state.yaml"

    def write_state(self, extra: str = "", base: str = DESIRED) -> None:
        self.state_path.write_text(base + extra, encoding="utf-8")

    def desired(self) -> DesiredState:
        return load_desired_state(self.state_path)

    def edit_code(self, marker: str) -> None:
        source = self.root / "lambda_code.js"
        original = (REPO / "lambda_code.js").read_text(encoding="utf-8")
        source.write_text(original + f"\n// build marker: {marker}\n", encoding="utf-8")

    def clients(self) -> AwsClients:
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        desired = self.desired()
        return make_clients(
            endpoint_url=self.sandbox.endpoint_url,
            session=session,
            retry_mode=desired.rollout.retry_mode,
            max_attempts=desired.rollout.max_attempts,
        )

    def run(self, mode: str, **options: Any) -> Report:
        return reconcile(
            self.desired(),
            RunOptions(
                mode=mode,  # type: ignore[arg-type]
                root=self.root,
                clients=self.clients(),
                progress=False,
                **options,
            ),
        )


def make_workspace(
    tmp_path: Path, settings: SandboxSettings, spec: FleetSpec
) -> Iterator[Workspace]:
    shutil.copy(REPO / "lambda_code.js", tmp_path / "lambda_code.js")
    with Sandbox(settings) as sandbox:
        fleet = seed_fleet(sandbox, spec)
        workspace = Workspace(tmp_path, sandbox, fleet)
        workspace.write_state()
        sandbox.reset_calls()
        yield workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    yield from make_workspace(
        tmp_path,
        SandboxSettings(seed=1, deploy_delay_s=0.0),
        FleetSpec(size=60, function_name="bot-router", versions=3, seed=1),
    )
