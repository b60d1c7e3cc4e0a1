"""Build fleet ``DistributionConfig``s from the shipped real configs."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from importlib import resources
from typing import Any

from reconciler.sandbox import cloudfront_validation as validation

STAGING_TEMPLATE = "distribution_config_05b_staging"


def load_templates() -> dict[str, dict[str, Any]]:
    """Return the shipped ``DistributionConfig`` templates by file stem."""
    templates = {}
    folder = resources.files("reconciler.sandbox").joinpath("data")
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".json"):
            document = json.loads(item.read_text())
            templates[item.name.removesuffix(".json")] = document["DistributionConfig"]
    return templates


def _associations(behavior: dict[str, Any]) -> list[dict[str, Any]]:
    return list(behavior.get("LambdaFunctionAssociations", {}).get("Items") or [])


def _set_associations(behavior: dict[str, Any], items: list[dict[str, Any]]) -> None:
    behavior["LambdaFunctionAssociations"] = (
        {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}
    )


def _behaviors(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for _, behavior in validation.behaviors(config):
        yield behavior


def replace_foreign_functions(config: dict[str, Any], other_arns: list[str]) -> bool:
    """Point the template's Lambda associations at the sandbox's other function.

    The templates name functions of another account, which do not exist in the
    sandbox. Event types and ``IncludeBody`` stay as they were. Returns whether
    the config carries any such association.
    """
    found = False
    for index, behavior in enumerate(_behaviors(config)):
        items = _associations(behavior)
        for item in items:
            item["LambdaFunctionARN"] = other_arns[index % len(other_arns)]
            found = True
        _set_associations(behavior, items)
    return found


def has_cf_functions(config: dict[str, Any]) -> bool:
    return any(
        behavior.get("FunctionAssociations", {}).get("Quantity", 0)
        for behavior in _behaviors(config)
    )


def attach(
    config: dict[str, Any], arn: str, event_type: str, rng: random.Random
) -> bool:
    """Associate ``arn`` on the default behavior and on about half the path ones.

    A behavior is skipped where CloudFront would reject the association: it
    already has a function on ``event_type``, or it runs CloudFront Functions
    and ``event_type`` is a viewer event. Returns whether anything was attached.
    """
    attached = False
    for position, behavior in enumerate(_behaviors(config)):
        if position and rng.random() < 0.5:
            continue
        items = _associations(behavior)
        if any(item["EventType"] == event_type for item in items):
            continue
        cf_functions = behavior.get("FunctionAssociations", {}).get("Quantity", 0)
        if cf_functions and event_type in validation.VIEWER_EVENT_TYPES:
            continue
        items.append(
            {"LambdaFunctionARN": arn, "EventType": event_type, "IncludeBody": False}
        )
        _set_associations(behavior, items)
        attached = True
    return attached


def personalize(config: dict[str, Any], index: int, seed: int) -> dict[str, Any]:
    """Give a template copy its own caller reference, aliases and comment."""
    config = copy.deepcopy(config)
    config["CallerReference"] = f"sandbox-fleet-{seed}-{index:05d}"
    aliases = config.get("Aliases", {}).get("Items") or []
    if aliases:
        config["Aliases"]["Items"] = [f"d{index:05d}.{alias}" for alias in aliases]
    config["Comment"] = f"{config.get('Comment', '')} #{index}"[-128:]
    return config
