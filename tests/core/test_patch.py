from __future__ import annotations

import copy

import pytest

from reconciler.core.arn import FunctionArn
from reconciler.core.observe import DEFAULT_BEHAVIOR, observe_distribution
from reconciler.core.patch import (
    PatchError,
    apply_changes,
    changed_paths,
    unexpected_changes,
)
from reconciler.core.plan import Change, Target, plan_fleet
from tests.core.conftest import CONFIG_FILES, CONFIGS, load_config, make_desired

ROUTER = FunctionArn.require(
    "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router"
)
ALL_IDS = "distributions:\n  select: {ids: [E1TEST]}\n  include_staging: true\n"


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.stem)
def test_patch_touches_only_association_lists(path):
    config = load_config(path)
    original = copy.deepcopy(config)
    fleet = plan_fleet(
        [observe_distribution("E1TEST", config)],
        make_desired(ALL_IDS),
        Target(ROUTER, 9),
    )
    (plan,) = fleet.distributions

    patched = apply_changes(config, plan.changes)

    assert config == original
    assert unexpected_changes(config, patched) == []
    again = plan_fleet(
        [observe_distribution("E1TEST", patched)],
        make_desired(ALL_IDS),
        Target(ROUTER, 9),
    )
    assert again.distributions[0].changes == ()


def test_patch_adds_items_to_quantity_zero_without_items():
    config = load_config(CONFIGS / "distribution_config_01_minimal_s3_legacy.json")
    arn = "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router:9"

    patched = apply_changes(
        config, [Change(DEFAULT_BEHAVIOR, "viewer-request", None, arn)]
    )

    assert patched["DefaultCacheBehavior"]["LambdaFunctionAssociations"] == {
        "Quantity": 1,
        "Items": [
            {
                "LambdaFunctionARN": arn,
                "EventType": "viewer-request",
                "IncludeBody": False,
            }
        ],
    }


def test_patch_removing_last_association_leaves_quantity_zero():
    config = load_config(
        CONFIGS / "distribution_config_05a_primary_with_continuous_deployment.json"
    )
    old = "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router:8"

    patched = apply_changes(
        config, [Change(DEFAULT_BEHAVIOR, "viewer-request", old, None)]
    )

    assert patched["DefaultCacheBehavior"]["LambdaFunctionAssociations"] == {
        "Quantity": 0
    }


def test_patch_rejects_stale_from_arn():
    config = load_config(
        CONFIGS / "distribution_config_05a_primary_with_continuous_deployment.json"
    )

    with pytest.raises(PatchError, match="contains"):
        apply_changes(
            config, [Change(DEFAULT_BEHAVIOR, "viewer-request", "arn:other", None)]
        )


def test_patch_rejects_vanished_behavior():
    config = load_config(CONFIGS / "distribution_config_01_minimal_s3_legacy.json")

    with pytest.raises(PatchError, match="no longer exists"):
        apply_changes(config, [Change("/gone/*", "viewer-request", None, "arn:x")])


def test_unexpected_changes_names_other_fields():
    config = load_config(CONFIGS / "distribution_config_02_modern_cachepolicy_acm.json")
    edited = copy.deepcopy(config)
    edited["Comment"] = "changed"
    edited["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": 0}

    assert unexpected_changes(config, edited) == [
        "Comment",
        "DefaultCacheBehavior.FunctionAssociations.Items",
    ]


def test_changed_paths_sees_type_change():
    assert list(changed_paths({"a": 1}, {"a": True})) == ["a"]
