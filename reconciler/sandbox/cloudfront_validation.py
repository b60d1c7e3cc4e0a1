"""Validate a ``DistributionConfig`` the way CloudFront does on write.

Checks, in CloudFront's order as far as it is known: required members,
``Quantity`` against ``Items``, origin references, and every Lambda@Edge and
CloudFront Functions association of the default and each path behavior.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from reconciler.sandbox import cloudfront_xml
from reconciler.sandbox.cloudfront_errors import (
    CloudFrontError,
    inconsistent_quantities,
    invalid_association,
)

EDGE_REGION = "us-east-1"
EVENT_TYPES = ("viewer-request", "origin-request", "origin-response", "viewer-response")
BODY_EVENT_TYPES = ("viewer-request", "origin-request")
VIEWER_EVENT_TYPES = ("viewer-request", "viewer-response")
MAX_LAMBDA_ASSOCIATIONS = 4

LAMBDA_ARN = re.compile(
    r"^arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>[^:]+))?$"
)
VERSION_REQUIRED = (
    "The function ARN must reference a specific function version. "
    "(The ARN must end with the version number.) ARN: {arn}"
)

VersionLookup = Callable[[str, str, str], bool]
"""``(account, function_name, version) -> exists`` against the Lambda backend."""


def unqualified_arn(arn: str) -> str:
    """Strip the version from a Lambda ARN: the key of the per-function quota."""
    match = LAMBDA_ARN.match(arn)
    if match is None:
        return arn
    return arn if match["qualifier"] is None else arn.rsplit(":", 1)[0]


def behaviors(config: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(label, behavior)`` for the default and every path behavior."""
    yield "DefaultCacheBehavior", config.get("DefaultCacheBehavior", {})
    for behavior in config.get("CacheBehaviors", {}).get("Items", []) or []:
        yield f"CacheBehavior {behavior.get('PathPattern')!r}", behavior


def lambda_arns(config: dict[str, Any]) -> set[str]:
    """Return every Lambda ARN associated anywhere in the config."""
    arns = set()
    for _, behavior in behaviors(config):
        for item in behavior.get("LambdaFunctionAssociations", {}).get("Items") or []:
            arns.add(item["LambdaFunctionARN"])
    return arns


def check_required(value: Any, shape: Shape, path: str) -> None:
    """Reject a missing required member, as CloudFront's schema check does."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name in shape.required_members:
            if name not in value:
                raise CloudFrontError(
                    "InvalidArgument", f"Missing required field {path}.{name}."
                )
        for name, member in shape.members.items():
            if name in value:
                check_required(value[name], member, f"{path}.{name}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            check_required(item, shape.member, f"{path}[{index}]")


def check_quantities(value: Any, path: str) -> None:
    """Reject any ``{Quantity, Items}`` pair whose counts differ."""
    if isinstance(value, dict):
        if "Quantity" in value:
            items = value.get("Items") or []
            if value["Quantity"] != len(items):
                raise inconsistent_quantities(path, value["Quantity"], len(items))
        for key, child in value.items():
            check_quantities(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            check_quantities(child, f"{path}[{index}]")


def check_origins(config: dict[str, Any]) -> None:
    """Reject a behavior whose ``TargetOriginId`` names no origin or group."""
    targets = {item["Id"] for item in config["Origins"].get("Items") or []}
    targets |= {
        item["Id"] for item in config.get("OriginGroups", {}).get("Items") or []
    }
    for label, behavior in behaviors(config):
        if behavior.get("TargetOriginId") not in targets:
            raise CloudFrontError(
                "NoSuchOrigin",
                f"One or more of your origins or origin groups do not exist: "
                f"{label} targets {behavior.get('TargetOriginId')!r}.",
                404,
            )


def check_association(item: dict[str, Any], label: str, exists: VersionLookup) -> None:
    arn = item["LambdaFunctionARN"]
    match = LAMBDA_ARN.match(arn)
    if match is None or not (match["qualifier"] or "").isdigit():
        raise invalid_association(VERSION_REQUIRED.format(arn=arn))
    if match["region"] != EDGE_REGION:
        raise invalid_association(
            f"The function must be in region '{EDGE_REGION}'. ARN: {arn}"
        )
    if not exists(match["account"], match["name"], match["qualifier"]):
        raise invalid_association(
            f"The function does not exist or is not accessible. ARN: {arn}"
        )
    if item.get("IncludeBody") and item["EventType"] not in BODY_EVENT_TYPES:
        raise invalid_association(
            f"IncludeBody is only allowed for viewer-request and origin-request "
            f"events, not {item['EventType']} on {label}. ARN: {arn}"
        )


def check_behavior(label: str, behavior: dict[str, Any], exists: VersionLookup) -> None:
    """Apply CloudFront's association rules to one cache behavior."""
    items = behavior.get("LambdaFunctionAssociations", {}).get("Items") or []
    if len(items) > MAX_LAMBDA_ASSOCIATIONS:
        raise CloudFrontError(
            "TooManyLambdaFunctionAssociations",
            f"{label} has {len(items)} Lambda function associations; the maximum "
            f"is {MAX_LAMBDA_ASSOCIATIONS}, one per event type.",
        )
    seen: set[str] = set()
    for item in items:
        if item["EventType"] in seen:
            raise invalid_association(
                f"{label} has more than one Lambda function association for the "
                f"event type {item['EventType']}; only one is allowed per event type."
            )
        seen.add(item["EventType"])
        check_association(item, label, exists)

    cf_functions = behavior.get("FunctionAssociations", {}).get("Items") or []
    # NOTE: the rule is from the CloudFront Developer Guide; the error code that
    # CloudFront returns for it is a guess from the codes its API model lists.
    if cf_functions and seen & set(VIEWER_EVENT_TYPES):
        raise CloudFrontError(
            "InvalidFunctionAssociation",
            f"{label} cannot have both CloudFront Functions and Lambda@Edge "
            f"functions on viewer events.",
        )


def validate(config: dict[str, Any], exists: VersionLookup) -> None:
    """Raise ``CloudFrontError`` for the first rule that ``config`` breaks."""
    check_required(
        config, cloudfront_xml.shape("DistributionConfig"), "DistributionConfig"
    )
    check_quantities(config, "DistributionConfig")
    check_origins(config)
    for label, behavior in behaviors(config):
        check_behavior(label, behavior, exists)
