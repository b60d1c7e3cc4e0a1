"""Broken edge sources end in a clear error before any AWS call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.sandbox import FleetSpec, SandboxSettings
from tests.conftest import REPO
from tests.reconcile.conftest import Workspace, make_workspace

SOURCE = (REPO / "lambda_code.js").read_text(encoding="utf-8")

# Each example starts node a few times, so keep the count modest.
SOURCE_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def small_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tmp_path: Path = tmp_path_factory.mktemp("source-input")
    yield from make_workspace(
        tmp_path,
        SandboxSettings(seed=8, deploy_delay_s=0.0),
        FleetSpec(size=10, function_name="bot-router", versions=2, seed=8),
    )


@SOURCE_SETTINGS
@given(cut=st.integers(min_value=1, max_value=len(SOURCE) - 200))
def test_truncated_source_writes_nothing(small_workspace, cut):
    source = small_workspace.root / "lambda_code.js"
    source.write_text(SOURCE[:cut], encoding="utf-8")
    small_workspace.sandbox.reset_calls()

    try:
        report = small_workspace.run("apply")
    finally:
        source.write_text(SOURCE, encoding="utf-8")

    assert report.status == "error"
    assert "pre-deploy checks failed" in report.error
    assert small_workspace.sandbox.calls() == {}


@SOURCE_SETTINGS
@given(garbage=st.text(min_size=1, max_size=200))
def test_garbage_source_writes_nothing(small_workspace, garbage):
    source = small_workspace.root / "lambda_code.js"
    source.write_text(garbage, encoding="utf-8")
    small_workspace.sandbox.reset_calls()

    try:
        report = small_workspace.run("apply")
    finally:
        source.write_text(SOURCE, encoding="utf-8")

    assert report.status == "error"
    assert report.error
    assert small_workspace.sandbox.calls() == {}
