"""Plan and apply against the sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.core.observe import observe_distribution
from reconciler.core.patch import unexpected_changes
from reconciler.sandbox import FleetSpec, SandboxSettings
from tests.reconcile.conftest import Workspace, make_workspace

WRITES = {
    "cloudfront:UpdateDistribution",
    "lambda:PublishVersion",
    "lambda:UpdateFunctionCode",
}


def router_versions(workspace: Workspace, distribution_id: str) -> set[str]:
    # One distribution's config; a full snapshot per call would make the
    # fleet-wide loops quadratic.
    config = workspace.sandbox.store.get(distribution_id).config
    observed = observe_distribution(distribution_id, config)
    return {
        association.arn
        for behavior in observed.behaviors
        for association in behavior.lambda_associations.values()
        if ":function:bot-router:" in association.arn
    }


def managed_ids(workspace: Workspace) -> list[str]:
    """Distributions the default desired state manages: staging copies are excluded."""
    by_kind = workspace.fleet.by_kind
    staging = set(by_kind["staging"])
    return [i for i in [*by_kind["current"], *by_kind["old"]] if i not in staging]


def test_first_rollout_moves_every_managed_distribution(workspace):
    report = workspace.run("apply")

    assert report.status == "success", report.error
    assert report.function.action == "publish"
    assert report.lambda_arn.endswith(f":bot-router:{report.function.version}")
    assert report.distributions.failed == 0
    assert report.distributions.successful == report.distributions.drifted
    for distribution_id in managed_ids(workspace):
        assert router_versions(workspace, distribution_id) == {report.lambda_arn}


def test_second_apply_makes_no_writes(workspace):
    workspace.run("apply")
    workspace.sandbox.reset_calls()

    report = workspace.run("apply")

    assert report.status == "no_changes"
    assert workspace.sandbox.writes() == {}
    assert report.distributions.drifted == 0


def test_plan_reads_summaries_only(workspace):
    report = workspace.run("plan")

    calls = workspace.sandbox.calls()
    assert report.status == "success"
    assert "cloudfront:GetDistributionConfig" not in calls
    assert workspace.sandbox.writes() == {}
    assert calls["cloudfront:ListDistributions"] == 1


def test_code_change_publishes_exactly_one_version(workspace):
    first = workspace.run("apply")
    workspace.edit_code("second build")
    workspace.sandbox.reset_calls()

    second = workspace.run("apply")

    assert second.status == "success"
    assert workspace.sandbox.calls()["lambda:PublishVersion"] == 1
    assert second.function.version == first.function.version + 1


def test_revert_reuses_old_version(workspace):
    first = workspace.run("apply")
    workspace.edit_code("temporary change")
    workspace.run("apply")
    (workspace.root / "lambda_code.js").write_bytes(
        (Path(__file__).parents[2] / "lambda_code.js").read_bytes()
    )
    workspace.sandbox.reset_calls()

    reverted = workspace.run("apply")

    assert reverted.function.action == "reuse"
    assert reverted.function.version == first.function.version
    assert "lambda:PublishVersion" not in workspace.sandbox.calls()
    for distribution_id in managed_ids(workspace):
        assert router_versions(workspace, distribution_id) == {first.lambda_arn}


@pytest.fixture
def nine_versions(tmp_path: Path) -> Iterator[Workspace]:
    yield from make_workspace(
        tmp_path,
        SandboxSettings(seed=2, deploy_delay_s=0.0),
        FleetSpec(size=20, function_name="bot-router", versions=9, seed=2),
    )


def test_version_nine_to_ten(nine_versions):
    report = nine_versions.run("apply")

    assert report.function.version == 10
    assert report.lambda_arn.endswith(":bot-router:10")


@pytest.fixture
def three_pages(tmp_path: Path) -> Iterator[Workspace]:
    yield from make_workspace(
        tmp_path,
        SandboxSettings(seed=3, deploy_delay_s=0.0),
        FleetSpec(size=260, function_name="bot-router", versions=2, seed=3),
    )


def test_fleet_across_pages_converges(three_pages):
    report = three_pages.run("apply")

    assert report.status == "success", report.error
    assert three_pages.sandbox.calls()["cloudfront:ListDistributions"] == 3
    for distribution_id in managed_ids(three_pages):
        assert router_versions(three_pages, distribution_id) == {report.lambda_arn}


def test_lookalike_function_left_alone(workspace):
    lookalikes = workspace.fleet.by_kind["lookalike"]
    before = workspace.sandbox.snapshot_configs()
    assert lookalikes

    workspace.run("apply")

    after = workspace.sandbox.snapshot_configs()
    for distribution_id in lookalikes:
        assert after[distribution_id] == before[distribution_id]


def test_other_fields_unchanged_field_by_field(workspace):
    before = workspace.sandbox.snapshot_configs()

    report = workspace.run("apply")

    after = workspace.sandbox.snapshot_configs()
    assert report.distributions.successful > 0
    for distribution_id, config in before.items():
        assert unexpected_changes(config, after[distribution_id]) == [], distribution_id


def test_only_limits_writes(workspace):
    chosen = managed_ids(workspace)[:2]

    report = workspace.run("apply", only=chosen)

    assert report.distributions.total == 2
    assert workspace.sandbox.calls()["cloudfront:UpdateDistribution"] == 2
    untouched = managed_ids(workspace)[2]
    assert report.lambda_arn not in router_versions(workspace, untouched)


def test_pinned_rollback(workspace):
    workspace.run("apply")
    workspace.write_state("pin_version: 1\n")
    workspace.sandbox.reset_calls()

    report = workspace.run("apply")

    assert report.function.action == "pin"
    assert report.lambda_arn.endswith(":bot-router:1")
    assert "lambda:PublishVersion" not in workspace.sandbox.calls()
    for distribution_id in managed_ids(workspace):
        assert router_versions(workspace, distribution_id) == {report.lambda_arn}


def test_conflict_reported_and_left(workspace):
    others = workspace.fleet.by_kind["other_function"]
    chosen = others[:3]
    ids = ", ".join(chosen)
    workspace.write_state(f"distributions:\n  select: {{ids: [{ids}]}}\n")
    before = workspace.sandbox.snapshot_configs()

    report = workspace.run("apply")

    conflicted = [row.id for row in report.changes if row.conflicts]
    assert conflicted
    after = workspace.sandbox.snapshot_configs()
    for row in report.changes:
        for conflict in row.conflicts:
            holder_still_there = conflict.holder in str(after[row.id])
            assert holder_still_there, (row.id, conflict)
    assert report.distributions.conflicts == len(conflicted)
    assert set(before) == set(after)


def test_tag_selection_adds_missing_associations(workspace):
    workspace.write_state("distributions:\n  select: {tags: {router: enabled}}\n")
    unassociated = [
        i
        for i in workspace.fleet.by_kind["unassociated"]
        if i not in workspace.fleet.by_kind["staging"]
    ]
    assert unassociated

    report = workspace.run("apply")

    assert report.status == "success", report.error
    for distribution_id in unassociated:
        assert router_versions(workspace, distribution_id) == {report.lambda_arn}


def test_pinned_plan_reports_pinned_code(workspace):
    workspace.run("apply")
    workspace.write_state("pin_version: 1\n")
    lambda_client = workspace.sandbox.client("lambda")
    pinned = lambda_client.get_function_configuration(
        FunctionName="bot-router", Qualifier="1"
    )

    report = workspace.run("plan")

    assert report.function.action == "pin"
    assert report.function.code_sha256 == pinned["CodeSha256"]


def test_excluded_staging_copies_named(workspace):
    report = workspace.run("plan")

    (warning,) = [w for w in report.warnings if "excluded" in w]
    staging = workspace.fleet.by_kind["staging"]
    assert f"{report.distributions.excluded} selected distributions" in warning
    assert any(distribution_id in warning for distribution_id in staging)
