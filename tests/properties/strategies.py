"""Hypothesis strategies: distribution configs and desired states for the core.

Configs start from one of the real configs in ``tests/data`` and get generated
cache behaviors and associations on top, so every field the planner must
leave alone is a field a real distribution has.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from reconciler.desired_state import DesiredState, parse_desired_state

CONFIGS = Path(__file__).parent.parent / "data" / "distribution_configs"
CONFIG_FILES = sorted(CONFIGS.glob("distribution_config_*.json"))
DISTRIBUTION_ID = "E1PROPERTY"

# CloudFront allows at most 75 cache behaviors besides the default one.
MAX_CACHE_BEHAVIORS = 75
EVENT_TYPES = ("viewer-request", "origin-request", "origin-response", "viewer-response")
REQUEST_EVENTS = frozenset({"viewer-request", "origin-request"})

ACCOUNT = "111111111111"
ROUTER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ai-bot-router"
# Functions that are not the managed one, though some look like it.
FOREIGN_FUNCTIONS = (
    f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ai-bot-router-staging",
    f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:prerender-router",
    "arn:aws:lambda:us-east-1:222222222222:function:ai-bot-router",
)
CLOUDFRONT_FUNCTIONS = (
    f"arn:aws:cloudfront::{ACCOUNT}:function/url-rewrite-index-html",
    f"arn:aws:cloudfront::{ACCOUNT}:function/add-security-headers",
)

DESIRED_HEAD = f"""
function:
  name: ai-bot-router
  handler: index.handler
  role: arn:aws:iam::{ACCOUNT}:role/edge
  settings: {{ai_origin_domain: ai.example.com}}
"""


def load_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text())["DistributionConfig"]
    return config


BASE_CONFIGS = [load_config(path) for path in CONFIG_FILES]


def quantity_list(items: list[Any], empty_style: str) -> dict[str, Any]:
    """Build ``{Quantity, Items}``; an empty list is written in ``empty_style``."""
    if items:
        return {"Quantity": len(items), "Items": items}
    if empty_style == "empty_items":
        return {"Quantity": 0, "Items": []}
    return {"Quantity": 0}


HOLDERS = st.one_of(
    st.none(),
    st.integers(1, 12).map(lambda version: f"{ROUTER}:{version}"),
    st.builds(
        lambda arn, version: f"{arn}:{version}",
        st.sampled_from(FOREIGN_FUNCTIONS),
        st.integers(1, 12),
    ),
)
EMPTY_STYLES = st.sampled_from(("no_items", "empty_items"))
# One draw per behavior keeps generation of 76 behaviors fast: a holder and
# an IncludeBody flag per event type, a CloudFront Function (or None) per
# viewer event, and how each empty list is written.
BEHAVIOR_ASSOCIATIONS = st.tuples(
    st.tuples(*[st.tuples(HOLDERS, st.booleans()) for _ in EVENT_TYPES]),
    st.tuples(
        *[
            st.one_of(st.none(), st.none(), st.sampled_from(CLOUDFRONT_FUNCTIONS))
            for _ in range(2)
        ]
    ),
    EMPTY_STYLES,
    EMPTY_STYLES,
    st.booleans(),
)


def set_associations(behavior: dict[str, Any], drawn: Any) -> None:
    """Replace the association lists of ``behavior`` with a drawn tuple."""
    lambda_slots, function_slots, lambda_style, function_style, keep = drawn
    functions = [
        {"FunctionARN": arn, "EventType": event}
        for event, arn in zip(
            ("viewer-request", "viewer-response"), function_slots, strict=True
        )
        if arn is not None
    ]
    lambdas = []
    for event, (arn, include_body) in zip(EVENT_TYPES, lambda_slots, strict=True):
        # CloudFront rejects Lambda@Edge on a viewer event of a behavior that
        # runs a CloudFront Function.
        if arn is None or (functions and event.startswith("viewer-")):
            continue
        lambdas.append(
            {
                "LambdaFunctionARN": arn,
                "EventType": event,
                "IncludeBody": event in REQUEST_EVENTS and include_body,
            }
        )
    behavior["LambdaFunctionAssociations"] = quantity_list(lambdas, lambda_style)
    if functions or keep or "FunctionAssociations" in behavior:
        behavior["FunctionAssociations"] = quantity_list(functions, function_style)


PATH_PATTERNS = st.builds(
    "{}{}{}".format,
    st.sampled_from(("/", "/api/", "/static/", "images/", "/v2/")),
    st.integers(0, 9999),
    st.sampled_from(("", "*", "/*", "*.jpg", "/index.html")),
)


@st.composite
def distribution_configs(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a full ``DistributionConfig`` built on one of the real configs."""
    config = copy.deepcopy(draw(st.sampled_from(BASE_CONFIGS)))
    templates = [
        behavior for behavior in (config.get("CacheBehaviors") or {}).get("Items") or []
    ]
    if not templates:
        templates = [{**config["DefaultCacheBehavior"], "PathPattern": "/*"}]

    count = draw(
        st.one_of(
            st.integers(0, 8), st.integers(MAX_CACHE_BEHAVIORS - 5, MAX_CACHE_BEHAVIORS)
        )
    )
    patterns = draw(
        st.lists(PATH_PATTERNS, min_size=count, max_size=count, unique=True)
    )
    behaviors = []
    for index, pattern in enumerate(patterns):
        behavior = copy.deepcopy(templates[index % len(templates)])
        behavior["PathPattern"] = pattern
        set_associations(behavior, draw(BEHAVIOR_ASSOCIATIONS))
        behaviors.append(behavior)
    set_associations(config["DefaultCacheBehavior"], draw(BEHAVIOR_ASSOCIATIONS))
    config["CacheBehaviors"] = quantity_list(behaviors, draw(EMPTY_STYLES))
    return config


@st.composite
def desired_states(draw: st.DrawFn, config: dict[str, Any]) -> DesiredState:
    """Draw a desired state that may select any behavior of ``config``."""
    events = draw(st.lists(st.sampled_from(EVENT_TYPES), min_size=1, unique=True))
    associations = ""
    for event in events:
        include_body = event in REQUEST_EVENTS and draw(st.booleans())
        associations += f"  - event_type: {event}\n"
        associations += f"    include_body: {str(include_body).lower()}\n"
    paths = [b["PathPattern"] for b in (config["CacheBehaviors"].get("Items") or [])]
    behavior_choices = [st.just("all"), st.just("default")]
    if paths:
        behavior_choices.append(
            st.lists(st.sampled_from(paths), min_size=1, unique=True).map(
                lambda chosen: "[" + ", ".join(f"'{p}'" for p in chosen) + "]"
            )
        )
    cache_behaviors = draw(st.one_of(*behavior_choices))
    select = draw(st.sampled_from(("associated", f"{{ids: [{DISTRIBUTION_ID}]}}")))
    text = (
        DESIRED_HEAD
        + f"associations:\n{associations}"
        + f"cache_behaviors: {cache_behaviors}\n"
        + f"distributions:\n  select: {select}\n  include_staging: true\n"
    )
    return parse_desired_state(text, "generated.yaml")
