"""Call counting and the HTTP control endpoint."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.sandbox import FleetSpec, Sandbox, seed_fleet


def control(sandbox: Sandbox, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 the URL is the sandbox on 127.0.0.1
        sandbox.endpoint_url + path, data=data, method=method
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_calls_count_reads_and_writes(sandbox: Sandbox) -> None:
    fleet = seed_fleet(sandbox, FleetSpec(size=3))
    cloudfront = sandbox.client("cloudfront")
    lam = sandbox.client("lambda")

    cloudfront.list_distributions()
    current = cloudfront.get_distribution_config(Id=fleet.distribution_ids[0])
    cloudfront.update_distribution(
        Id=fleet.distribution_ids[0],
        IfMatch=current["ETag"],
        DistributionConfig=current["DistributionConfig"],
    )
    lam.publish_version(FunctionName="bot-router")

    assert sandbox.calls() == {
        "cloudfront:ListDistributions": 1,
        "cloudfront:GetDistributionConfig": 1,
        "cloudfront:UpdateDistribution": 1,
        "lambda:PublishVersion": 1,
    }
    assert sandbox.writes() == {
        "cloudfront:UpdateDistribution": 1,
        "lambda:PublishVersion": 1,
    }


def test_failed_calls_are_counted(sandbox: Sandbox) -> None:
    with pytest.raises(ClientError):
        sandbox.client("cloudfront").get_distribution(Id="EMISSING000001")

    assert sandbox.calls() == {"cloudfront:GetDistribution": 1}


def test_seeding_is_not_counted(sandbox: Sandbox) -> None:
    seed_fleet(sandbox, FleetSpec(size=20))

    assert sandbox.calls() == {}


def test_reset_clears_counts(sandbox: Sandbox) -> None:
    sandbox.client("cloudfront").list_distributions()

    sandbox.reset_calls()

    assert sandbox.calls() == {}
    assert sandbox.writes() == {}


def test_control_endpoint_reports_and_resets(sandbox: Sandbox) -> None:
    sandbox.client("cloudfront").list_distributions()

    reported = control(sandbox, "GET", "/_sandbox/calls")
    control(sandbox, "POST", "/_sandbox/calls/reset", {})

    assert reported["calls"] == {"cloudfront:ListDistributions": 1}
    assert reported["writes"] == {}
    assert sandbox.calls() == {}


def test_control_endpoint_changes_settings(sandbox: Sandbox) -> None:
    updated = control(
        sandbox,
        "POST",
        "/_sandbox/settings",
        {"error_ratio": 1.0, "rate_limits": {"cloudfront:*": [5, 10]}},
    )

    assert updated["error_ratio"] == 1.0
    assert sandbox.settings.rate_limits == {"cloudfront:*": (5.0, 10.0)}
    with pytest.raises(ClientError, match="ServiceUnavailable"):
        sandbox.client("cloudfront").list_distributions()


def test_control_endpoint_rejects_bad_settings(sandbox: Sandbox) -> None:
    with pytest.raises(urllib.error.HTTPError, match="400"):
        control(sandbox, "POST", "/_sandbox/settings", {"error_ratio": 2})

    assert sandbox.settings.error_ratio == 0.0


def test_env_points_at_sandbox(sandbox: Sandbox) -> None:
    env = sandbox.env()

    assert env["AWS_ENDPOINT_URL"] == sandbox.endpoint_url
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"


def test_second_sandbox_in_process_is_rejected(sandbox: Sandbox) -> None:
    with pytest.raises(RuntimeError, match="another Sandbox is running"):
        Sandbox().start()
