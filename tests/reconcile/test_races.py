"""Apply under concurrent writers, throttling and failing writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.core.patch import unexpected_changes
from reconciler.sandbox import FleetSpec, SandboxSettings
from tests.reconcile.conftest import DESIRED, Workspace, make_workspace
from tests.reconcile.test_apply import managed_ids, router_versions


def fleet_workspace(tmp_path: Path, settings: SandboxSettings) -> Iterator[Workspace]:
    yield from make_workspace(
        tmp_path,
        settings,
        FleetSpec(size=60, function_name="bot-router", versions=3, seed=4),
    )


@pytest.fixture
def racing(tmp_path: Path) -> Iterator[Workspace]:
    settings = SandboxSettings(seed=4, deploy_delay_s=0.0, concurrent_writer_ratio=0.3)
    for workspace in fleet_workspace(tmp_path, settings):
        # With 8 attempts, a distribution loses every race with odds 0.3 ** 8.
        retries = "max_attempts: 6\n  precondition_retries: 7"
        workspace.write_state(base=DESIRED.replace("max_attempts: 6", retries))
        yield workspace


def test_precondition_race_converges(racing):
    report = racing.run("apply")

    assert report.status == "success", report.failed_details
    assert any(row.attempts > 1 for row in report.changes)
    for distribution_id in managed_ids(racing):
        assert router_versions(racing, distribution_id) == {report.lambda_arn}


def test_concurrent_edits_to_other_fields_survive(racing):
    before = racing.sandbox.snapshot_configs()

    racing.run("apply")

    after = racing.sandbox.snapshot_configs()
    edited = [i for i in before if before[i].get("Comment") != after[i].get("Comment")]
    assert edited, "the concurrent writer edited nothing"
    for distribution_id in edited:
        changed = unexpected_changes(before[distribution_id], after[distribution_id])
        assert changed == ["Comment"], distribution_id


@pytest.fixture
def throttled(tmp_path: Path) -> Iterator[Workspace]:
    limits = {"cloudfront:UpdateDistribution": (10.0, 2)}
    yield from fleet_workspace(
        tmp_path, SandboxSettings(seed=5, deploy_delay_s=0.0, rate_limits=limits)
    )


def test_throttled_run_converges(throttled):
    report = throttled.run("apply")

    calls = throttled.sandbox.calls()
    assert report.status == "success", report.failed_details
    assert calls["cloudfront:UpdateDistribution"] > report.distributions.successful
    for distribution_id in managed_ids(throttled):
        assert router_versions(throttled, distribution_id) == {report.lambda_arn}


@pytest.fixture
def over_quota(tmp_path: Path) -> Iterator[Workspace]:
    for workspace in fleet_workspace(
        tmp_path, SandboxSettings(seed=6, deploy_delay_s=0.0)
    ):
        # Lowered after seeding: every new association is now over the quota.
        workspace.sandbox.configure(function_quota=5)
        yield workspace


def test_failing_batch_halts_rollout(over_quota):
    report = over_quota.run("apply")

    counts = report.distributions
    assert report.status == "halted"
    assert counts.failed > 0
    assert counts.skipped > 0
    assert counts.successful + counts.failed + counts.skipped == counts.drifted
    assert {d.error_code for d in report.failed_details} == {
        "TooManyDistributionsWithSingleFunctionARN"
    }
    assert over_quota.sandbox.calls()["cloudfront:UpdateDistribution"] < counts.drifted


@pytest.fixture
def paced(tmp_path: Path) -> Iterator[Workspace]:
    limits = {"cloudfront:UpdateDistribution": (10.0, 2)}
    settings = SandboxSettings(seed=5, deploy_delay_s=0.0, rate_limits=limits)
    for workspace in fleet_workspace(tmp_path, settings):
        pacing = "max_attempts: 6\n  max_writes_per_s: 8"
        workspace.write_state(base=DESIRED.replace("max_attempts: 6", pacing))
        yield workspace


def test_paced_run_is_never_throttled(paced):
    report = paced.run("apply")

    calls = paced.sandbox.calls()
    assert report.status == "success", report.failed_details
    assert calls["cloudfront:UpdateDistribution"] == report.distributions.successful
    assert report.rollout_s > 0
