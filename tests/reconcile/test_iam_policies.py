"""The IAM policies in iam/ allow every action the reconciler calls."""

from __future__ import annotations

import fnmatch
import json

from tests.conftest import REPO
from tests.reconcile.conftest import Workspace

# The sandbox counts calls by signing name; IAM prefixes differ for some.
IAM_PREFIX = {"tagging": "tag"}


def policy_actions(name: str) -> list[str]:
    document = json.loads((REPO / "iam" / name).read_text())
    actions: list[str] = []
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions += [listed] if isinstance(listed, str) else listed
    return actions


def called_actions(workspace: Workspace) -> set[str]:
    actions = set()
    for key in workspace.sandbox.calls():
        service, operation = key.split(":", 1)
        actions.add(f"{IAM_PREFIX.get(service, service)}:{operation}")
    return actions


def not_allowed(called: set[str], allowed: list[str]) -> list[str]:
    return sorted(
        action
        for action in called
        if not any(fnmatch.fnmatchcase(action, pattern) for pattern in allowed)
    )


def test_plan_policy_covers_plan_and_drift(workspace):
    workspace.write_state("distributions:\n  select: {tags: {router: enabled}}\n")
    workspace.run("plan")
    workspace.write_state()
    workspace.run("plan")

    called = called_actions(workspace)

    assert "tag:GetResources" in called
    assert not_allowed(called, policy_actions("reconciler-plan-policy.json")) == []


def test_apply_policy_covers_publish_and_rollout(workspace):
    workspace.run("apply")

    called = called_actions(workspace)

    assert {"lambda:PublishVersion", "cloudfront:UpdateDistribution"} <= called
    assert not_allowed(called, policy_actions("reconciler-apply-policy.json")) == []


def test_plan_policy_grants_no_writes():
    writes = ("Update", "Publish", "Create", "Delete", "Put", "Tag", "PassRole")

    allowed = policy_actions("reconciler-plan-policy.json")

    granted = [a for a in allowed if a.split(":")[1].startswith(writes)]
    assert granted == []
