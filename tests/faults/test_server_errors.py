"""5xx errors and timeouts on a share of calls, within and beyond retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import SandboxSettings
from tests.faults.conftest import (
    FaultWorkspace,
    assert_converged,
    assert_report_honest,
    make_fault_workspace,
)

# The sandbox delays a timed-out call for TIMEOUT_S and then returns a 5xx.
# The client gives up after READ_TIMEOUT_S, as it would on a hung AWS endpoint.
TIMEOUT_S = 1.0
READ_TIMEOUT_S = 0.3


@pytest.fixture
def flaky(tmp_path: Path, fleet_size: int) -> Iterator[FaultWorkspace]:
    settings = SandboxSettings(
        seed=21,
        deploy_delay_s=0.0,
        error_ratio=0.15,
        timeout_ratio=0.03,
        timeout_s=TIMEOUT_S,
    )
    yield from make_fault_workspace(tmp_path, settings, fleet_size, seed=21)


@pytest.fixture
def calm(tmp_path: Path) -> Iterator[FaultWorkspace]:
    settings = SandboxSettings(seed=22, deploy_delay_s=0.0, timeout_s=TIMEOUT_S)
    yield from make_fault_workspace(tmp_path, settings, 40, seed=22)


def test_errors_and_timeouts_converge(flaky):
    clients = flaky.clients(read_timeout_s=READ_TIMEOUT_S)

    first = flaky.run("apply", clients)
    second = flaky.run("apply", flaky.clients(read_timeout_s=READ_TIMEOUT_S))

    assert first.status != "error", first.error
    assert first.function.action == "publish"
    assert first.api_calls["cloudfront:UpdateDistribution"] > (
        first.distributions.successful
    )
    assert_report_honest(flaky, first)
    assert second.status in {"success", "no_changes"}, second.failed_details
    assert_converged(flaky, first.lambda_arn)


def test_lambda_timeout_becomes_error_report(calm):
    calm.sandbox.configure(timeout_ratio=1.0)
    clients = calm.clients(read_timeout_s=READ_TIMEOUT_S, max_attempts=1)

    report = calm.run("plan", clients)

    assert report.status == "error"
    assert "timeout" in (report.error or "").lower()
    assert calm.sandbox.writes() == {}


def test_write_timeout_fails_one_distribution(calm):
    # Only UpdateDistribution times out: the hooks switch the fault on just
    # before each write and off before each read. One worker keeps it ordered.
    clients = calm.clients(read_timeout_s=READ_TIMEOUT_S, max_attempts=1)
    events = clients.cloudfront.meta.events

    def timeouts(ratio: float) -> Any:
        def switch(**_: Any) -> None:
            # A before-call handler that returns a value replaces the response.
            calm.sandbox.configure(timeout_ratio=ratio)

        return switch

    events.register("before-call.cloudfront.UpdateDistribution", timeouts(1.0))
    events.register("before-call.cloudfront.GetDistributionConfig", timeouts(0.0))
    calm.state_path.write_text(
        calm.state_path.read_text().replace("max_concurrency: 8", "max_concurrency: 1")
    )

    report = calm.run("apply", clients)

    assert report.status in {"partial", "halted"}
    assert report.distributions.failed >= 1
    assert report.failed_details[0].error_code
    assert_report_honest(calm, report)
