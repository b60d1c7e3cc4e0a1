"""Rate limits, injected errors, timeouts and the concurrent writer."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from reconciler.sandbox import FleetSpec, Sandbox, SandboxSettings, seed_fleet


def outcomes(sandbox: Sandbox, calls: int) -> list[str]:
    cloudfront = sandbox.client("cloudfront")
    results = []
    for _ in range(calls):
        try:
            cloudfront.list_distributions(MaxItems="1")
            results.append("ok")
        except ClientError as exc:
            results.append(exc.response["Error"]["Code"])
    return results


def test_cloudfront_rate_limit_throttles(sandbox: Sandbox) -> None:
    sandbox.configure(rate_limits={"cloudfront:ListDistributions": (0.001, 2)})

    results = outcomes(sandbox, 4)

    assert results == ["ok", "ok", "Throttling", "Throttling"]


def test_cloudfront_throttle_is_http_400(sandbox: Sandbox) -> None:
    sandbox.configure(rate_limits={"cloudfront:*": (0.001, 1)})
    cloudfront = sandbox.client("cloudfront")
    cloudfront.list_distributions()

    with pytest.raises(ClientError, match="Rate exceeded") as raised:
        cloudfront.list_distributions()

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rate_limit_ignores_other_operations(sandbox: Sandbox) -> None:
    sandbox.configure(rate_limits={"cloudfront:UpdateDistribution": (0.001, 1)})

    results = outcomes(sandbox, 3)

    assert results == ["ok", "ok", "ok"]


def test_lambda_rate_limit_is_429(sandbox: Sandbox, edge_function: list[str]) -> None:
    sandbox.configure(rate_limits={"lambda:*": (0.001, 1)})
    lam = sandbox.client("lambda")
    lam.get_function(FunctionName="edge-fn")

    with pytest.raises(ClientError, match="TooManyRequestsException") as raised:
        lam.get_function(FunctionName="edge-fn")

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_injected_errors_use_service_codes(
    sandbox: Sandbox, edge_function: list[str]
) -> None:
    sandbox.configure(error_ratio=1.0)

    with pytest.raises(ClientError, match="ServiceUnavailable") as cloudfront_error:
        sandbox.client("cloudfront").list_distributions()
    with pytest.raises(ClientError, match="ServiceException") as lambda_error:
        sandbox.client("lambda").get_function(FunctionName="edge-fn")

    assert cloudfront_error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert lambda_error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_injected_errors_follow_the_seed() -> None:
    runs = []
    for _ in range(2):
        with Sandbox(SandboxSettings(seed=7, error_ratio=0.5)) as sandbox:
            runs.append(outcomes(sandbox, 20))

    assert runs[0] == runs[1]
    assert "ok" in runs[0]
    assert "ServiceUnavailable" in runs[0]


def test_injected_timeout_outlasts_read_timeout(sandbox: Sandbox) -> None:
    sandbox.configure(timeout_ratio=1.0, timeout_s=1.0)
    cloudfront = sandbox.client("cloudfront", read_timeout=0.2)

    with pytest.raises(ReadTimeoutError):
        cloudfront.list_distributions()


def test_concurrent_writer_makes_etag_stale(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=5))
    sandbox.configure(concurrent_writer_ratio=1.0)
    cloudfront = sandbox.client("cloudfront")
    distribution_id = fleet.distribution_ids[0]
    current = cloudfront.get_distribution_config(Id=distribution_id)

    with pytest.raises(ClientError, match="PreconditionFailed"):
        cloudfront.update_distribution(
            Id=distribution_id,
            IfMatch=current["ETag"],
            DistributionConfig=current["DistributionConfig"],
        )

    after = cloudfront.get_distribution_config(Id=distribution_id)
    assert sandbox.foreign_edits() == [distribution_id]
    assert after["ETag"] != current["ETag"]
    assert (
        after["DistributionConfig"]["Comment"]
        != current["DistributionConfig"]["Comment"]
    )


def test_retry_after_foreign_edit_succeeds(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=5))
    sandbox.configure(concurrent_writer_ratio=1.0)
    cloudfront = sandbox.client("cloudfront")
    distribution_id = fleet.distribution_ids[0]
    stale = cloudfront.get_distribution_config(Id=distribution_id)
    with pytest.raises(ClientError, match="PreconditionFailed"):
        cloudfront.update_distribution(
            Id=distribution_id,
            IfMatch=stale["ETag"],
            DistributionConfig=stale["DistributionConfig"],
        )
    sandbox.configure(concurrent_writer_ratio=0.0)
    fresh = cloudfront.get_distribution_config(Id=distribution_id)

    updated: dict[str, Any] = cloudfront.update_distribution(
        Id=distribution_id,
        IfMatch=fresh["ETag"],
        DistributionConfig=fresh["DistributionConfig"],
    )

    assert updated["ETag"] != fresh["ETag"]


def test_invalid_settings_are_rejected(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="error_ratio"):
        sandbox.configure(error_ratio=1.5)
    with pytest.raises(ValueError, match="unknown sandbox settings: colour"):
        sandbox.configure(colour="blue")

    assert sandbox.settings.error_ratio == 0.0
