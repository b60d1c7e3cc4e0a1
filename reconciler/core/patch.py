"""Apply planned association changes to a full ``DistributionConfig``.

``UpdateDistribution`` replaces the whole config, so the patched config is a
deep copy of what ``GetDistributionConfig`` returned with only the planned
``LambdaFunctionAssociations`` lists touched. ``changed_paths`` proves it
before anything is sent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from reconciler.core.observe import DEFAULT_BEHAVIOR, items
from reconciler.core.plan import Change

# Order CloudFront itself uses when it lists associations.
_EVENT_ORDER = (
    "viewer-request",
    "origin-request",
    "origin-response",
    "viewer-response",
)


class PatchError(ValueError):
    """A planned change does not fit the config it is applied to."""


def apply_changes(
    config: Mapping[str, Any], changes: Iterable[Change]
) -> dict[str, Any]:
    """Return a copy of ``config`` with ``changes`` applied."""
    patched = copy.deepcopy(dict(config))
    behaviors = _behaviors_by_path(patched)
    for change in changes:
        behavior = behaviors.get(change.behavior)
        if behavior is None:
            raise PatchError(f"cache behavior {change.behavior!r} no longer exists")
        _apply_one(behavior, change)
    return patched


def changed_paths(before: Any, after: Any, path: str = "") -> Iterator[str]:
    """Yield the dotted path of every value that differs between two configs."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            child = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                yield child
            else:
                yield from changed_paths(before[key], after[key], child)
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            yield path
            return
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from changed_paths(old, new, f"{path}[{index}]")
    elif before != after or type(before) is not type(after):
        yield path


def association_paths(config: Mapping[str, Any]) -> set[str]:
    """Dotted paths of every ``LambdaFunctionAssociations`` list in ``config``."""
    paths = {"DefaultCacheBehavior.LambdaFunctionAssociations"}
    for index, _ in enumerate(items(config.get("CacheBehaviors"))):
        paths.add(f"CacheBehaviors.Items[{index}].LambdaFunctionAssociations")
    return paths


def unexpected_changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """Paths that differ outside the association lists; empty when the patch is safe."""
    allowed = association_paths(before)
    return [
        path
        for path in changed_paths(before, after)
        if not any(
            path == prefix or path.startswith(prefix + ".") for prefix in allowed
        )
    ]


def _behaviors_by_path(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    behaviors = {DEFAULT_BEHAVIOR: config["DefaultCacheBehavior"]}
    for behavior in items(config.get("CacheBehaviors")):
        behaviors[behavior["PathPattern"]] = behavior
    return behaviors


def _apply_one(behavior: dict[str, Any], change: Change) -> None:
    current = [dict(item) for item in items(behavior.get("LambdaFunctionAssociations"))]
    index = next(
        (i for i, item in enumerate(current) if item["EventType"] == change.event_type),
        None,
    )
    found = current[index]["LambdaFunctionARN"] if index is not None else None
    if found != change.from_arn:
        raise PatchError(
            f"{change.behavior} {change.event_type} contains {found!r}, "
            f"planned from {change.from_arn!r}"
        )

    if change.to_arn is None:
        assert index is not None
        del current[index]
    else:
        entry = {
            "LambdaFunctionARN": change.to_arn,
            "EventType": change.event_type,
            "IncludeBody": change.include_body,
        }
        if index is None:
            current.append(entry)
            current.sort(key=lambda item: _EVENT_ORDER.index(item["EventType"]))
        else:
            current[index] = entry

    associations: dict[str, Any] = {"Quantity": len(current)}
    if current:
        associations["Items"] = current
    behavior["LambdaFunctionAssociations"] = associations
