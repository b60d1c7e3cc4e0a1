from __future__ import annotations

import pytest

from reconciler.core.arn import FunctionArn
from reconciler.core.function_plan import FunctionSettings, FunctionState, plan_function
from reconciler.errors import InputError
from tests.core.conftest import make_desired

ARN = FunctionArn.require(
    "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router"
)


def settings(code: str, memory: int = 128):
    desired = make_desired()
    base = FunctionSettings.desired(desired, code)
    return FunctionSettings(
        code, base.runtime, base.handler, base.role, memory, base.timeout_s
    )


def state(latest: str, **versions: str) -> FunctionState:
    return FunctionState(
        ARN,
        settings(latest),
        "rev-1",
        {int(k.removeprefix("v")): settings(v) for k, v in versions.items()},
    )


def test_missing_function_is_created():
    plan = plan_function(make_desired(), "A", None)

    assert plan.action == "create"
    assert plan.version is None


def test_latest_version_matching_needs_nothing():
    plan = plan_function(make_desired(), "B", state("B", v1="A", v2="B"))

    assert plan.action == "none"
    assert plan.version == 2


def test_revert_reuses_old_version():
    plan = plan_function(make_desired(), "A", state("B", v1="A", v2="B"))

    assert plan.action == "reuse"
    assert plan.version == 1


def test_new_code_publishes_with_code_update():
    plan = plan_function(make_desired(), "C", state("B", v1="A", v2="B"))

    assert plan.action == "publish"
    assert plan.update_code
    assert not plan.update_config


def test_unpublished_latest_publishes_without_code_update():
    plan = plan_function(make_desired(), "C", state("C", v1="A"))

    assert plan.action == "publish"
    assert not plan.update_code


def test_memory_change_updates_config():
    current = FunctionState(
        ARN, settings("A", memory=256), "rev", {1: settings("A", memory=256)}
    )

    plan = plan_function(make_desired(), "A", current)

    assert plan.action == "publish"
    assert plan.update_config
    assert not plan.update_code


def test_versions_compare_as_integers():
    plan = plan_function(make_desired(), "A", state("A", v9="A", v10="A"))

    assert plan.version == 10
    assert plan.action == "none"


def test_pin_targets_existing_version():
    plan = plan_function(
        make_desired("pin_version: 1\n"), "C", state("B", v1="A", v2="B")
    )

    assert plan.action == "pin"
    assert plan.version == 1


def test_pin_to_missing_version_fails():
    with pytest.raises(InputError, match=r"pin_version 7 does not exist.*1, 2"):
        plan_function(make_desired("pin_version: 7\n"), "C", state("B", v1="A", v2="B"))
