"""The IAM policies in iam/: valid, least privilege for plans, scoped trust."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

IAM = Path(__file__).parent.parent.parent / "iam"
WRITE_ACTION = re.compile(r":(Create|Update|Publish|Enable|Pass|Delete|Put|Tag)")


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((IAM / name).read_text(encoding="utf-8"))
    return document


def _actions(policy: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


@pytest.mark.parametrize(
    "name",
    [
        "reconciler-plan-policy.json",
        "reconciler-apply-policy.json",
        "trust-plan.json",
        "trust-apply.json",
    ],
)
def test_policy_document_is_well_formed(name: str) -> None:
    policy = _load(name)

    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Action"]
        assert "Resource" in statement or "Principal" in statement


def test_plan_policy_only_reads() -> None:
    actions = _actions(_load("reconciler-plan-policy.json"))

    writes = sorted(action for action in actions if WRITE_ACTION.search(action))
    assert writes == []


def test_apply_policy_includes_plan_policy() -> None:
    plan = _actions(_load("reconciler-plan-policy.json"))
    apply = _actions(_load("reconciler-apply-policy.json"))

    assert plan <= apply
    assert "cloudfront:UpdateDistribution" in apply
    assert "lambda:PublishVersion" in apply


def test_pass_role_limited_to_lambda() -> None:
    statements = _load("reconciler-apply-policy.json")["Statement"]

    pass_role = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert len(pass_role) == 1
    assert pass_role[0]["Resource"].endswith(":role/bot-router-edge")
    condition = pass_role[0]["Condition"]["StringEquals"]
    assert condition["iam:PassedToService"] == "lambda.amazonaws.com"


def test_apply_trust_requires_production() -> None:
    condition = _load("trust-apply.json")["Statement"][0]["Condition"]["StringEquals"]

    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert condition["token.actions.githubusercontent.com:sub"].endswith(
        ":environment:production"
    )


def test_plan_trust_excludes_production() -> None:
    condition = _load("trust-plan.json")["Statement"][0]["Condition"]["StringEquals"]

    subjects = condition["token.actions.githubusercontent.com:sub"]
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert all(":environment:" not in subject for subject in subjects)
    assert all("*" not in subject for subject in subjects)
