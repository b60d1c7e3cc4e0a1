"""A throttling storm: a low write rate that rejects a large share of calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import SandboxSettings
from tests.faults.conftest import (
    FaultWorkspace,
    assert_converged,
    assert_report_honest,
    make_fault_workspace,
)

# 10 writes a second with a burst of 2, far below what 8 workers send
# unthrottled, and a CloudFront-wide limit that throttles reads too.
STORM = SandboxSettings(
    seed=11,
    deploy_delay_s=0.0,
    rate_limits={
        "cloudfront:UpdateDistribution": (10.0, 2.0),
        "cloudfront:*": (60.0, 10.0),
    },
)


@pytest.fixture
def storm(tmp_path: Path, fleet_size: int) -> Iterator[FaultWorkspace]:
    yield from make_fault_workspace(tmp_path, STORM, fleet_size, seed=11)


@pytest.mark.parametrize(
    ("retry_mode", "min_throttled_share"),
    [
        # Standard mode keeps sending at full speed, so at least half of the
        # write attempts are throttled. Adaptive mode slows the client after
        # the first throttles, so only some are.
        ("standard", 0.5),
        ("adaptive", 0.0),
    ],
)
def test_throttling_storm_converges(storm, retry_mode, min_throttled_share):
    first = storm.run("apply", storm.clients(retry_mode=retry_mode))
    writes_sent = storm.sandbox.calls()["cloudfront:UpdateDistribution"]
    throttled = writes_sent - first.distributions.successful - len(first.failed_details)
    second = storm.run("apply")

    assert throttled > 0
    assert throttled >= min_throttled_share * writes_sent
    assert first.function.action == "publish"
    assert_report_honest(storm, first)
    assert second.status in {"success", "no_changes"}, second.failed_details
    assert second.lambda_arn == first.lambda_arn
    assert_converged(storm, first.lambda_arn)
