"""A seeded sandbox fleet, a scratch repo and convergence checks for fault runs.

Fleets have 300 distributions by default and 1,000 with ``--full``. Each test
snapshots every config before the faulty run, so the checks can prove that
only the router's associations changed (and that edits made by another
writer survived).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from reconciler.adapters.aws import AwsClients, make_clients
from reconciler.core.arn import FunctionArn
from reconciler.core.observe import items, iter_behaviors
from reconciler.desired_state import DesiredState, load_desired_state
from reconciler.reconcile import RunOptions, reconcile
from reconciler.report.model import Report
from reconciler.sandbox import (
    Fleet,
    FleetSpec,
    Sandbox,
    SandboxSettings,
    create_edge_role,
    seed_fleet,
)
from tests.conftest import REPO

DEFAULT_FLEET_SIZE = 300
FULL_FLEET_SIZE = 1000
ROLE_NAME = "bot-router-edge"
DESIRED = f"""
function:
  name: bot-router
  source: lambda_code.js
  runtime: nodejs20.x
  handler: index.handler
  role: arn:aws:iam::123456789012:role/{ROLE_NAME}
  settings:
    ai_origin_domain: ai-origin.example.com
associations:
  - event_type: viewer-request
rollout:
  batch_size: 20
  batch_interval_s: 0
  max_concurrency: 8
  max_failure_ratio: 1.0
  max_attempts: 6
limits:
  # Fleets here reach 1,000 router users, past the default quota of 500.
  distributions_per_function: 100000
"""


@dataclass
class FaultWorkspace:
    """A scratch repo with the router source next to a running, seeded sandbox."""

    root: Path
    sandbox: Sandbox
    fleet: Fleet
    before: dict[str, dict[str, Any]]

    @property
    def state_path(self) -> Path:
        return self.root / "desired_state.yaml"

    def desired(self) -> DesiredState:
        return load_desired_state(self.state_path)

    def clients(self, **overrides: Any) -> AwsClients:
        """Build clients for the sandbox; ``overrides`` go to ``make_clients``."""
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        rollout = self.desired().rollout
        options: dict[str, Any] = {
            "retry_mode": rollout.retry_mode,
            "max_attempts": rollout.max_attempts,
            "max_pool_connections": rollout.max_concurrency + 4,
            **overrides,
        }
        return make_clients(
            endpoint_url=self.sandbox.endpoint_url, session=session, **options
        )

    def run(self, mode: str, clients: AwsClients | None = None) -> Report:
        return reconcile(
            self.desired(),
            RunOptions(
                mode=mode,  # type: ignore[arg-type]
                root=self.root,
                clients=clients or self.clients(),
                progress=False,
            ),
        )

    def managed_ids(self) -> list[str]:
        """Ids the desired state selects: router users that are not staging copies."""
        by_kind = self.fleet.by_kind
        staging = set(by_kind["staging"])
        return [i for i in [*by_kind["current"], *by_kind["old"]] if i not in staging]


def router_arns(config: dict[str, Any], function: FunctionArn) -> set[str]:
    """Return every association ARN of ``config`` that names ``function``."""
    arns = set()
    for _path, behavior in iter_behaviors(config):
        for item in items(behavior.get("LambdaFunctionAssociations")):
            parsed = FunctionArn.parse(item["LambdaFunctionARN"])
            if parsed is not None and parsed.same_function(function):
                arns.add(item["LambdaFunctionARN"])
    return arns


def without_associations(config: dict[str, Any]) -> dict[str, Any]:
    """Return ``config`` with every ``LambdaFunctionAssociations`` list blanked."""
    stripped = json.loads(json.dumps(config))
    for _path, behavior in iter_behaviors(stripped):
        behavior["LambdaFunctionAssociations"] = None
    return stripped


def off_target(workspace: FaultWorkspace, target_arn: str) -> set[str]:
    """Return the managed distributions that do not name exactly ``target_arn``."""
    function = FunctionArn.require(workspace.fleet.function_arn)
    configs = workspace.sandbox.snapshot_configs()
    return {
        distribution_id
        for distribution_id in workspace.managed_ids()
        if router_arns(configs[distribution_id], function) != {target_arn}
    }


def assert_converged(
    workspace: FaultWorkspace,
    target_arn: str,
    foreign_comments: dict[str, str] | None = None,
) -> None:
    """Assert every managed distribution is on ``target_arn`` and nothing else moved.

    ``foreign_comments`` maps a distribution id to the ``Comment`` another
    writer left there; that edit must survive and is the only allowed change
    outside the association lists.
    """
    assert off_target(workspace, target_arn) == set()

    after = workspace.sandbox.snapshot_configs()
    managed = set(workspace.managed_ids())
    for distribution_id, before in workspace.before.items():
        expected = before
        if foreign_comments and distribution_id in foreign_comments:
            expected = {**before, "Comment": foreign_comments[distribution_id]}
        if distribution_id in managed:
            assert without_associations(after[distribution_id]) == (
                without_associations(expected)
            ), distribution_id
        else:
            assert after[distribution_id] == expected, distribution_id


def assert_report_honest(workspace: FaultWorkspace, report: Report) -> None:
    """Assert that every managed distribution left behind is reported as such."""
    assert report.lambda_arn is not None, report.error
    left_behind = off_target(workspace, report.lambda_arn)
    reported = {
        row.id for row in report.changes if row.outcome in {"failed", "skipped"}
    }
    failed = {detail.id for detail in report.failed_details}
    assert left_behind <= reported
    assert {row.id for row in report.changes if row.outcome == "failed"} == failed
    assert report.distributions.failed == len(failed)
    if left_behind:
        assert report.status in {"partial", "halted"}
    updated = {row.id for row in report.changes if row.outcome == "updated"}
    assert not updated & left_behind


def ensure_role(sandbox: Sandbox) -> None:
    create_edge_role(ROLE_NAME)


def make_fault_workspace(
    tmp_path: Path, settings: SandboxSettings, size: int, seed: int
) -> Iterator[FaultWorkspace]:
    """Start a sandbox, seed ``size`` distributions and snapshot their configs.

    The faults in ``settings`` are switched on only after seeding, so seeding
    itself never fails.
    """
    shutil.copy(REPO / "lambda_code.js", tmp_path / "lambda_code.js")
    (tmp_path / "desired_state.yaml").write_text(DESIRED, encoding="utf-8")
    calm = SandboxSettings(
        seed=settings.seed, deploy_delay_s=0.0, function_quota=100_000
    )
    with Sandbox(calm) as sandbox:
        fleet = seed_fleet(
            sandbox,
            FleetSpec(size=size, function_name="bot-router", versions=3, seed=seed),
        )
        ensure_role(sandbox)
        faults = {
            name: getattr(settings, name)
            for name in (
                "deploy_delay_s",
                "latency_s",
                "rate_limits",
                "error_ratio",
                "timeout_ratio",
                "timeout_s",
                "concurrent_writer_ratio",
            )
        }
        sandbox.configure(**faults)
        sandbox.reset_calls()
        yield FaultWorkspace(tmp_path, sandbox, fleet, sandbox.snapshot_configs())


@pytest.fixture
def fleet_size(full_size: bool) -> int:
    return FULL_FLEET_SIZE if full_size else DEFAULT_FLEET_SIZE
