"""Properties of planning and patching on generated distribution configs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.core.arn import FunctionArn
from reconciler.core.observe import DEFAULT_BEHAVIOR, items, observe_distribution
from reconciler.core.patch import PatchError, apply_changes, unexpected_changes
from reconciler.core.plan import Change, DistributionPlan, Target, plan_fleet
from reconciler.desired_state import DesiredState, parse_desired_state
from tests.properties.strategies import (
    BASE_CONFIGS,
    DESIRED_HEAD,
    DISTRIBUTION_ID,
    ROUTER,
    desired_states,
    distribution_configs,
)

FUNCTION = FunctionArn.require(ROUTER)
# Big configs (76 behaviors) are slow to generate; the case count stays modest.
PROPERTY_SETTINGS = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def planned_configs(
    draw: st.DrawFn,
) -> tuple[dict[str, Any], DesiredState, Target]:
    config = draw(distribution_configs())
    desired = draw(desired_states(config))
    target = Target(FUNCTION, draw(st.integers(1, 12)))
    return config, desired, target


def plan_config(
    config: dict[str, Any], desired: DesiredState, target: Target
) -> DistributionPlan | None:
    observed = observe_distribution(DISTRIBUTION_ID, config)
    fleet = plan_fleet([observed], desired, target)
    if not fleet.distributions:
        return None
    (plan,) = fleet.distributions
    return plan


def associations_by_slot(config: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Map ``(behavior path, event type)`` to the association on that slot."""
    behaviors = [(DEFAULT_BEHAVIOR, config["DefaultCacheBehavior"])]
    behaviors += [
        (behavior["PathPattern"], behavior)
        for behavior in items(config.get("CacheBehaviors"))
    ]
    return {
        (path, item["EventType"]): (item["LambdaFunctionARN"], item["IncludeBody"])
        for path, behavior in behaviors
        for item in items(behavior.get("LambdaFunctionAssociations"))
    }


def changes_of(plan: DistributionPlan | None) -> tuple[Change, ...]:
    return plan.changes if plan is not None else ()


@PROPERTY_SETTINGS
@given(planned_configs())
def test_patch_changes_only_planned_associations(case):
    config, desired, target = case
    original = copy.deepcopy(config)
    changes = changes_of(plan_config(config, desired, target))

    patched = apply_changes(config, changes)

    assert config == original
    assert unexpected_changes(config, patched) == []
    before = associations_by_slot(config)
    after = associations_by_slot(patched)
    planned = {(change.behavior, change.event_type): change for change in changes}
    for slot in before.keys() | after.keys():
        change = planned.get(slot)
        if change is None:
            assert after.get(slot) == before.get(slot), slot
        elif change.to_arn is None:
            assert slot not in after, slot
        else:
            assert after[slot] == (change.to_arn, change.include_body), slot


@PROPERTY_SETTINGS
@given(planned_configs())
def test_planning_patched_config_is_idempotent(case):
    config, desired, target = case
    plan = plan_config(config, desired, target)
    patched = apply_changes(config, changes_of(plan))

    again = plan_config(patched, desired, target)

    assert changes_of(again) == ()
    first_conflicts = plan.conflicts if plan is not None else ()
    again_conflicts = again.conflicts if again is not None else ()
    # A patch that removes the function's last association from a behavior
    # leaves it unmanaged, so its conflicts are no longer reported.
    assert set(again_conflicts) <= set(first_conflicts)


@PROPERTY_SETTINGS
@given(planned_configs())
def test_applying_plan_twice_equals_once(case):
    config, desired, target = case
    changes = changes_of(plan_config(config, desired, target))
    once = apply_changes(config, changes)
    stale = any(change.from_arn != change.to_arn for change in changes)

    if stale:
        # The plan names the ARN it replaces, so a second application finds
        # the new ARN there and is rejected instead of writing anything.
        with pytest.raises(PatchError, match="planned from"):
            apply_changes(once, changes)
    else:
        assert apply_changes(once, changes) == once

    replanned = changes_of(plan_config(once, desired, target))
    assert apply_changes(once, replanned) == once


def test_path_pattern_default_kept_apart():
    # "default" is a valid CloudFront path pattern, but the planner and the
    # patcher also use it as the key of DefaultCacheBehavior.
    config = copy.deepcopy(BASE_CONFIGS[0])
    path_behavior = copy.deepcopy(config["DefaultCacheBehavior"])
    path_behavior["PathPattern"] = "default"
    path_behavior["LambdaFunctionAssociations"] = {"Quantity": 0}
    config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {
        "Quantity": 1,
        "Items": [
            {
                "LambdaFunctionARN": f"{ROUTER}:3",
                "EventType": "viewer-request",
                "IncludeBody": False,
            }
        ],
    }
    config["CacheBehaviors"] = {"Quantity": 1, "Items": [path_behavior]}
    desired = parse_desired_state(
        DESIRED_HEAD + "associations:\n  - event_type: viewer-request\n", "t.yaml"
    )
    target = Target(FUNCTION, 9)
    changes = changes_of(plan_config(config, desired, target))

    patched = apply_changes(config, changes)

    default_after = associations_by_slot(patched)[(DEFAULT_BEHAVIOR, "viewer-request")]
    assert default_after == (f"{ROUTER}:9", False)
    assert items(patched["CacheBehaviors"])[0]["LambdaFunctionAssociations"] == {
        "Quantity": 0
    }
