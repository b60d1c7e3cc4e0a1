"""Rules for .github/workflows that actionlint and zizmor do not check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = sorted(
    (Path(__file__).parent.parent.parent / ".github" / "workflows").glob("*.yml")
)
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+$")


def _load(path: Path) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return workflow


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, step) for name, job in workflow["jobs"].items() for step in job["steps"]
    ]


def test_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["apply.yml", "drift.yml", "plan.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_actions_pinned_with_version(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USES.match(line)
        if match:
            assert PINNED.match(match.group(1)), line
            assert VERSION_COMMENT.match(match.group(2)), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_checkout_drops_credentials(path: Path) -> None:
    for _, step in _steps(_load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_write_role_only_in_production(path: Path) -> None:
    workflow = _load(path)

    for name, job in workflow["jobs"].items():
        roles = [
            step["with"]["role-to-assume"]
            for step in job["steps"]
            if "role-to-assume" in step.get("with", {})
        ]
        if any("AWS_APPLY_ROLE_ARN" in role for role in roles):
            assert job.get("environment") == "production", name
            assert job["concurrency"] == {
                "group": "edge-reconciler-apply",
                "cancel-in-progress": False,
            }, name


def test_fork_pull_requests_get_no_role() -> None:
    plan = _load(Path(WORKFLOWS[2]))["jobs"]["plan"]

    assert (
        plan["if"]
        == "github.event.pull_request.head.repo.full_name == github.repository"
    )
    assert plan["permissions"]["id-token"] == "write"


def test_id_token_only_where_role_assumed() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow["permissions"] == {}, path.name
        for name, job in workflow["jobs"].items():
            assumes_role = any(
                "role-to-assume" in step.get("with", {}) for step in job["steps"]
            )
            has_id_token = job.get("permissions", {}).get("id-token") == "write"
            assert assumes_role == has_id_token, f"{path.name}: {name}"
