"""A fake GitHub on 127.0.0.1 and the Actions environment of one workflow run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.github import RetryPolicy

from .actions_run import ActionsRun
from .fake_github import FakeGitHub, RunningFakeGitHub


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    running = RunningFakeGitHub(FakeGitHub(owner="Codertocat", name="Hello-World"))
    fake = running.start()
    yield fake
    running.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def retry(sleeps: list[float]) -> RetryPolicy:
    """Retry as in production but record the waits instead of sleeping."""
    return RetryPolicy(sleep=sleeps.append)


@pytest.fixture
def actions_run(tmp_path: Path, fake_github: FakeGitHub) -> ActionsRun:
    return ActionsRun(tmp_path, fake_github)
