"""Another writer edits distributions between the reconciler's read and write."""

from __future__ import annotations

from collections import Counter
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

# The sandbox's foreign writer appends this to the Comment before the write
# it races with, which then fails with PreconditionFailed.
FOREIGN_SUFFIX = " (edited elsewhere)"


@pytest.fixture
def racing(tmp_path: Path, fleet_size: int) -> Iterator[FaultWorkspace]:
    settings = SandboxSettings(seed=31, deploy_delay_s=0.0, concurrent_writer_ratio=0.3)
    yield from make_fault_workspace(tmp_path, settings, fleet_size, seed=31)


def test_concurrent_writer_edits_survive(racing):
    first = racing.run("apply")
    edits = Counter(racing.sandbox.foreign_edits())
    racing.sandbox.configure(concurrent_writer_ratio=0.0)
    second = racing.run("apply")

    assert edits
    assert any(row.attempts > 1 for row in first.changes)
    assert_report_honest(racing, first)
    assert second.status in {"success", "no_changes"}, second.failed_details
    comments = {
        distribution_id: (
            racing.before[distribution_id]["Comment"] + FOREIGN_SUFFIX * count
        )[-128:]
        for distribution_id, count in edits.items()
    }
    assert_converged(racing, first.lambda_arn, foreign_comments=comments)
