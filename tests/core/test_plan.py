from __future__ import annotations

import pytest

from reconciler.core.arn import FunctionArn
from reconciler.core.observe import DEFAULT_BEHAVIOR, observe_distribution
from reconciler.core.plan import State, Target, plan_fleet
from reconciler.desired_state import DesiredState
from tests.core.conftest import CONFIG_FILES, CONFIGS, load_config, make_desired

ROUTER = FunctionArn.require(
    "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router"
)
V9 = Target(ROUTER, 9)


def observe(name: str, distribution_id: str = "E1TEST") -> object:
    return observe_distribution(distribution_id, load_config(CONFIGS / name))


def plan_one(name: str, desired: DesiredState, target: Target = V9, **kwargs: object):
    fleet = plan_fleet([observe(name)], desired, target, **kwargs)  # type: ignore[arg-type]
    return fleet


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.stem)
def test_every_config_plans_without_error(path, desired):
    observed = observe_distribution("E1TEST", load_config(path))

    fleet = plan_fleet([observed], desired, V9)

    assert fleet.unknown_ids == ()
    for plan in fleet.distributions:
        for change in plan.changes:
            assert change.to_arn in {V9.arn, None}


def test_unassociated_config_not_selected(desired):
    fleet = plan_one("distribution_config_01_minimal_s3_legacy.json", desired)

    assert fleet.distributions == ()


def test_old_version_and_missing_event_planned(desired):
    fleet = plan_one(
        "distribution_config_05a_primary_with_continuous_deployment.json", desired
    )

    (plan,) = fleet.distributions
    assert plan.state is State.MISSING
    assert [(c.behavior, c.event_type, c.from_arn) for c in plan.changes] == [
        (
            DEFAULT_BEHAVIOR,
            "viewer-request",
            "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router:8",
        ),
        (DEFAULT_BEHAVIOR, "origin-request", None),
    ]
    assert {c.to_arn for c in plan.changes} == {V9.arn}


def test_in_sync_distribution_has_no_changes():
    desired = make_desired().model_copy(
        update={"associations": make_desired().associations[:1]}
    )

    fleet = plan_one(
        "distribution_config_05b_staging.json",
        desired.model_copy(
            update={
                "distributions": desired.distributions.model_copy(
                    update={"include_staging": True}
                )
            }
        ),
    )

    (plan,) = fleet.distributions
    assert plan.state is State.IN_SYNC
    assert plan.changes == ()


def test_staging_distribution_excluded_by_default(desired):
    fleet = plan_one("distribution_config_05b_staging.json", desired)

    (plan,) = fleet.distributions
    assert plan.excluded
    assert plan.state is State.EXCLUDED
    assert not plan.drifted


def test_cloudfront_function_on_viewer_event_is_conflict(desired):
    fleet = plan_one(
        "distribution_config_04_cf_functions_legacy_fv_iam_cert.json", desired
    )

    (plan,) = fleet.distributions
    default = next(b for b in plan.behaviors if b.path == DEFAULT_BEHAVIOR)
    feeds = next(b for b in plan.behaviors if b.path == "/feeds/*.xml")
    assert default.state is State.CONFLICT
    assert [(c.event_type, c.from_arn) for c in default.changes] == [
        (
            "origin-request",
            "arn:aws:lambda:us-east-1:111111111111:function:ai-bot-router:7",
        )
    ]
    assert {c.holder for c in default.conflicts} == {
        "arn:aws:cloudfront::111111111111:function/url-rewrite-index-html",
        "arn:aws:cloudfront::111111111111:function/add-security-headers",
    }
    assert feeds.state is State.MISSING
    assert len(feeds.changes) == 2


def test_other_function_is_conflict():
    desired = make_desired("distributions:\n  select: {ids: [E1TEST]}\n")

    fleet = plan_one(
        "distribution_config_03_multi_origin_failover_lambda_edge.json", desired
    )

    (plan,) = fleet.distributions
    states = {b.path: b.state for b in plan.behaviors}
    assert (
        states[DEFAULT_BEHAVIOR] is State.CONFLICT
    )  # prerender-router is on origin-request
    assert (
        states["/images/*.jpg"] is State.CONFLICT
    )  # image-resize-uri on viewer-request
    assert states["/static/*"] is State.MISSING
    holders = {c.holder for c in plan.conflicts}
    assert (
        "arn:aws:lambda:us-east-1:111111111111:function:prerender-router:3" in holders
    )


def test_lookalike_function_name_is_not_ours(desired):
    lookalike = FunctionArn.require(
        "arn:aws:lambda:us-east-1:111111111111:function:ai-bot"
    )

    fleet = plan_fleet(
        [observe("distribution_config_05a_primary_with_continuous_deployment.json")],
        desired,
        Target(lookalike, 1),
    )

    assert fleet.distributions == ()


def test_other_account_same_name_is_not_ours(desired):
    elsewhere = FunctionArn.require(
        "arn:aws:lambda:us-east-1:222222222222:function:ai-bot-router"
    )

    fleet = plan_fleet(
        [observe("distribution_config_05a_primary_with_continuous_deployment.json")],
        desired,
        Target(elsewhere, 1),
    )

    assert fleet.distributions == ()


def test_unknown_ids_reported():
    desired = make_desired("distributions:\n  select: {ids: [E1TEST, E2MISSING]}\n")

    fleet = plan_one("distribution_config_02_modern_cachepolicy_acm.json", desired)

    assert fleet.unknown_ids == ("E2MISSING",)
    (plan,) = fleet.distributions
    assert plan.state is State.MISSING


def test_only_limits_the_run(desired):
    observed = [
        observe(
            "distribution_config_05a_primary_with_continuous_deployment.json", "E1A"
        ),
        observe("distribution_config_04_cf_functions_legacy_fv_iam_cert.json", "E1B"),
    ]

    fleet = plan_fleet(observed, desired, V9, only={"E1B"})

    assert [d.id for d in fleet.distributions] == ["E1B"]


def test_default_behavior_selection_skips_path_behaviors():
    desired = make_desired("cache_behaviors: default\n")

    fleet = plan_one(
        "distribution_config_04_cf_functions_legacy_fv_iam_cert.json", desired
    )

    (plan,) = fleet.distributions
    assert [b.path for b in plan.behaviors] == [DEFAULT_BEHAVIOR]


def test_event_no_longer_desired_is_removed():
    desired = make_desired().model_copy(
        update={"associations": make_desired().associations[:1]}
    )

    fleet = plan_one(
        "distribution_config_04_cf_functions_legacy_fv_iam_cert.json", desired
    )

    feeds = next(
        b for b in fleet.distributions[0].behaviors if b.path == "/feeds/*.xml"
    )
    assert [(c.event_type, c.to_arn) for c in feeds.changes] == [
        ("viewer-request", V9.arn),
        ("origin-request", None),
    ]


def test_version_ten_is_newer_than_nine(desired):
    fleet = plan_one(
        "distribution_config_05b_staging.json",
        desired.model_copy(
            update={
                "distributions": desired.distributions.model_copy(
                    update={"include_staging": True}
                )
            }
        ),
        Target(ROUTER, 10),
    )

    (plan,) = fleet.distributions
    (change, _) = plan.changes
    assert change.from_arn.endswith(":9")
    assert change.to_arn.endswith(":10")


def test_planning_twice_gives_equal_plans(desired):
    observed = [observe(p.name, f"E{i}X") for i, p in enumerate(CONFIG_FILES)]

    assert plan_fleet(observed, desired, V9) == plan_fleet(observed, desired, V9)


def test_only_with_unselected_id_reported(desired):
    observed = [
        observe(
            "distribution_config_05a_primary_with_continuous_deployment.json", "E1A"
        ),
        observe("distribution_config_01_minimal_s3_legacy.json", "E1B"),
    ]

    fleet = plan_fleet(observed, desired, V9, only={"E1B"})

    assert fleet.distributions == ()
    assert fleet.unselected_ids == ("E1B",)
    assert fleet.unknown_ids == ()
