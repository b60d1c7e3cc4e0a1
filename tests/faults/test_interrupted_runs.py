"""Runs cut short: SIGKILL in the middle of an apply, a publish left half done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.edge.package import build_package
from reconciler.sandbox import SandboxSettings
from tests.conftest import REPO
from tests.faults.conftest import (
    FaultWorkspace,
    assert_converged,
    make_fault_workspace,
)

# Enough latency that an apply of the default fleet takes a few seconds, so
# the kill lands in the middle of it.
SLOW_WRITES = SandboxSettings(
    seed=41, deploy_delay_s=0.0, latency_s={"cloudfront:UpdateDistribution": 0.05}
)
KILL_AFTER_WRITES = 30
# Only a guard against a hung child; a healthy run reaches the kill in seconds.
HANG_GUARD_S = 300


@pytest.fixture
def slow(tmp_path: Path, fleet_size: int) -> Iterator[FaultWorkspace]:
    yield from make_fault_workspace(tmp_path, SLOW_WRITES, fleet_size, seed=41)


@pytest.fixture
def calm(tmp_path: Path, fleet_size: int) -> Iterator[FaultWorkspace]:
    settings = SandboxSettings(seed=42, deploy_delay_s=0.0)
    yield from make_fault_workspace(tmp_path, settings, fleet_size, seed=42)


def start_apply(workspace: FaultWorkspace) -> subprocess.Popen[bytes]:
    """Start ``python -m reconciler apply`` against the sandbox in a child process."""
    env = {**os.environ, **workspace.sandbox.env(), "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "apply",
            "--state",
            str(workspace.state_path),
            "--no-progress",
        ],
        cwd=workspace.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_mid_apply_converges_on_rerun(slow):
    child = start_apply(slow)
    give_up = time.monotonic() + HANG_GUARD_S
    while (
        slow.sandbox.writes().get("cloudfront:UpdateDistribution", 0)
        < KILL_AFTER_WRITES
    ):
        assert child.poll() is None, "apply finished before it could be killed"
        assert time.monotonic() < give_up, "apply made no progress; is it hung?"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    written = slow.sandbox.writes()["cloudfront:UpdateDistribution"]

    report = slow.run("apply")

    assert child.returncode == -signal.SIGKILL
    assert written < len(slow.managed_ids())
    assert report.status == "success", report.failed_details
    assert report.function.action == "none"
    assert slow.sandbox.writes()["lambda:PublishVersion"] == 1
    assert_converged(slow, report.lambda_arn)


def test_publish_cut_after_code_update_converges(calm):
    # A crashed run left $LATEST on the new code without publishing it.
    package = build_package(calm.desired(), calm.root)
    lambda_client = calm.sandbox.client("lambda")
    lambda_client.update_function_code(
        FunctionName="bot-router", ZipFile=package.zip_bytes
    )
    calm.sandbox.reset_calls()

    report = calm.run("apply")
    again = calm.run("apply")

    assert report.status == "success", report.failed_details
    assert report.function.action == "publish"
    assert report.function.code_sha256 == package.code_sha256
    assert calm.sandbox.writes().get("lambda:UpdateFunctionCode", 0) == 0
    assert calm.sandbox.writes()["lambda:PublishVersion"] == 1
    assert again.status == "no_changes"
    assert_converged(calm, report.lambda_arn)
