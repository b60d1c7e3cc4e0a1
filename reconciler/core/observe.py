"""Observed state of distributions, read from summaries or full configs.

A ``DistributionSummary`` from ``ListDistributions`` carries the same cache
behavior structures as a ``DistributionConfig``, so one parser serves both and
a plan never needs a ``GetDistributionConfig`` for a distribution in sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Key of the default cache behavior. It differs from "default", which is a
# valid path pattern that a path behavior may carry.
DEFAULT_BEHAVIOR = "(default)"


@dataclass(frozen=True)
class LambdaAssociation:
    arn: str
    include_body: bool = False


@dataclass(frozen=True)
class ObservedBehavior:
    """One cache behavior: ``path`` is ``DEFAULT_BEHAVIOR`` or the path pattern."""

    path: str
    lambda_associations: Mapping[str, LambdaAssociation]
    function_associations: Mapping[str, str]


@dataclass(frozen=True)
class ObservedDistribution:
    id: str
    behaviors: tuple[ObservedBehavior, ...]
    status: str = ""
    enabled: bool = True
    staging: bool = False
    comment: str = ""
    aliases: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def items(container: Mapping[str, Any] | None) -> list[Any]:
    """Return the ``Items`` of a ``{Quantity, Items}`` list; absent means empty."""
    if not container:
        return []
    return list(container.get("Items") or [])


def iter_behaviors(
    config: Mapping[str, Any],
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(path, behavior)`` for the default behavior, then each path behavior."""
    yield DEFAULT_BEHAVIOR, config["DefaultCacheBehavior"]
    for behavior in items(config.get("CacheBehaviors")):
        yield behavior["PathPattern"], behavior


def observe_behavior(path: str, behavior: Mapping[str, Any]) -> ObservedBehavior:
    lambdas = {
        item["EventType"]: LambdaAssociation(
            arn=item["LambdaFunctionARN"],
            include_body=bool(item.get("IncludeBody", False)),
        )
        for item in items(behavior.get("LambdaFunctionAssociations"))
    }
    functions = {
        item["EventType"]: item["FunctionARN"]
        for item in items(behavior.get("FunctionAssociations"))
    }
    return ObservedBehavior(path, lambdas, functions)


def observe_distribution(
    distribution_id: str,
    config: Mapping[str, Any],
    tags: Mapping[str, str] | None = None,
) -> ObservedDistribution:
    """Build the observed state from a summary or a ``DistributionConfig``."""
    aliases = tuple(items(config.get("Aliases")))
    return ObservedDistribution(
        id=distribution_id,
        behaviors=tuple(
            observe_behavior(path, b) for path, b in iter_behaviors(config)
        ),
        status=str(config.get("Status", "")),
        enabled=bool(config.get("Enabled", True)),
        staging=bool(config.get("Staging", False)),
        comment=str(config.get("Comment", "")),
        aliases=aliases,
        tags=dict(tags or {}),
    )


def observe_summary(summary: Mapping[str, Any]) -> ObservedDistribution:
    return observe_distribution(summary["Id"], summary)
