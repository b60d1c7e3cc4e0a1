"""Fleet seeding: kinds, reproducibility and validity of the seeded configs."""

from __future__ import annotations

import pytest

from reconciler.sandbox import FleetSpec, Sandbox, SandboxSettings, seed_fleet
from reconciler.sandbox import cloudfront_validation as validation


def function_arns(
    configs: dict[str, dict[str, object]], distribution_id: str
) -> set[str]:
    return {
        validation.unqualified_arn(arn)
        for arn in validation.lambda_arns(configs[distribution_id])  # type: ignore[arg-type]
    }


def test_kinds_split_the_fleet(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=200))

    kinds = {
        kind: len(fleet.by_kind[kind])
        for kind in ("current", "old", "unassociated", "lookalike")
    }
    assert kinds == {"current": 120, "old": 50, "unassociated": 20, "lookalike": 10}
    assert len(fleet.distribution_ids) == 200
    split = [i for kind in kinds for i in fleet.by_kind[kind]]
    assert sorted(split) == sorted(fleet.distribution_ids)


def test_kinds_carry_the_right_function(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=100, versions=4))
    configs = sandbox.snapshot_configs()
    newest = fleet.version_arns[-1]

    for distribution_id in fleet.by_kind["current"]:
        assert newest in validation.lambda_arns(configs[distribution_id])
    for distribution_id in fleet.by_kind["old"]:
        arns = validation.lambda_arns(configs[distribution_id])
        assert arns & set(fleet.version_arns[:-1])
        assert newest not in arns
    for distribution_id in fleet.by_kind["unassociated"] + fleet.by_kind["lookalike"]:
        assert fleet.function_arn not in function_arns(configs, distribution_id)
    for distribution_id in fleet.by_kind["lookalike"]:
        assert fleet.lookalike_arn in function_arns(configs, distribution_id)


def test_fleet_has_every_attribute(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=300))
    configs = sandbox.snapshot_configs()

    for attribute in ("staging", "disabled", "other_function", "cf_function"):
        assert fleet.by_kind[attribute], attribute
    for distribution_id in fleet.by_kind["staging"]:
        assert configs[distribution_id]["Staging"] is True
    for distribution_id in fleet.by_kind["disabled"]:
        assert configs[distribution_id]["Enabled"] is False
    for distribution_id in fleet.by_kind["other_function"]:
        assert fleet.other_function_arn in function_arns(configs, distribution_id)


def test_seeded_configs_pass_validation(sandbox: Sandbox) -> None:
    seed_fleet(sandbox, FleetSpec(size=120))
    cloudfront = sandbox.client("cloudfront")

    for distribution_id in list(sandbox.snapshot_configs())[:30]:
        current = cloudfront.get_distribution_config(Id=distribution_id)
        updated = cloudfront.update_distribution(
            Id=distribution_id,
            IfMatch=current["ETag"],
            DistributionConfig=current["DistributionConfig"],
        )
        assert (
            updated["Distribution"]["DistributionConfig"]
            == current["DistributionConfig"]
        )


def test_same_seed_same_fleet() -> None:
    snapshots = []
    for _ in range(2):
        with Sandbox(SandboxSettings(seed=5)) as sandbox:
            fleet = seed_fleet(sandbox, FleetSpec(size=50, seed=11))
            snapshots.append((fleet.by_kind, sandbox.snapshot_configs()))

    assert snapshots[0] == snapshots[1]


def test_function_versions_and_lookalike_exist(sandbox: Sandbox) -> None:
    fleet = seed_fleet(
        sandbox, FleetSpec(size=10, versions=3, code=b"exports.handler=1;")
    )
    lam = sandbox.client("lambda")

    versions = lam.list_versions_by_function(FunctionName="bot-router")["Versions"]
    lookalike = lam.get_function(FunctionName="bot-router-staging")
    other = lam.get_function(FunctionName="image-resizer")

    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    assert versions[0]["FunctionArn"] == f"{fleet.function_arn}:$LATEST"
    assert lookalike["Configuration"]["FunctionName"] == "bot-router-staging"
    assert other["Configuration"]["FunctionArn"] == fleet.other_function_arn
    assert versions[-1]["CodeSha256"] == versions[0]["CodeSha256"]


def test_shares_must_add_up(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        FleetSpec(current_share=0.9)


def test_seeding_twice_is_rejected(sandbox: Sandbox) -> None:
    seed_fleet(sandbox, FleetSpec(size=2))

    with pytest.raises(ValueError, match="already exists"):
        seed_fleet(sandbox, FleetSpec(size=2))


def test_fleet_past_quota_names_the_setting(sandbox: Sandbox) -> None:
    sandbox.configure(function_quota=10)

    with pytest.raises(ValueError, match="function_quota"):
        seed_fleet(sandbox, FleetSpec(size=30))
