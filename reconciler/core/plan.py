"""The pure core: observed state plus desired state in, a plan out.

Nothing here talks to AWS, so every rule runs against real configs in tests
with no server. The adapters feed it observations and the apply engine
executes what it returns.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from reconciler.core.arn import FunctionArn
from reconciler.core.observe import (
    DEFAULT_BEHAVIOR,
    ObservedBehavior,
    ObservedDistribution,
)
from reconciler.desired_state import DesiredState, SelectIds, SelectTags

# Shown in a plan where the version is not published yet.
NEW_VERSION = "<new version>"


class State(StrEnum):
    IN_SYNC = "in_sync"
    OTHER_VERSION = "other_version"
    MISSING = "missing"
    CONFLICT = "conflict"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class Target:
    """The function version every selected association should name."""

    function: FunctionArn
    version: int | None  # None: a version this run will publish

    @property
    def arn(self) -> str:
        if self.version is None:
            return f"{self.function.unqualified}:{NEW_VERSION}"
        return str(self.function.with_version(self.version))


@dataclass(frozen=True)
class Change:
    """Set (or with ``to_arn`` None, remove) one association on one behavior."""

    behavior: str
    event_type: str
    from_arn: str | None
    to_arn: str | None
    include_body: bool = False


@dataclass(frozen=True)
class Conflict:
    behavior: str
    event_type: str
    holder: str


@dataclass(frozen=True)
class BehaviorPlan:
    path: str
    state: State
    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class DistributionPlan:
    id: str
    behaviors: tuple[BehaviorPlan, ...]
    excluded: bool = False

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(change for b in self.behaviors for change in b.changes)

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return tuple(conflict for b in self.behaviors for conflict in b.conflicts)

    @property
    def drifted(self) -> bool:
        return not self.excluded and bool(self.changes)

    @property
    def state(self) -> State:
        """The worst state of any behavior, in the order the report lists them."""
        if self.excluded:
            return State.EXCLUDED
        states = {b.state for b in self.behaviors}
        for state in (State.CONFLICT, State.MISSING, State.OTHER_VERSION):
            if state in states:
                return state
        return State.IN_SYNC


@dataclass(frozen=True)
class FleetPlan:
    distributions: tuple[DistributionPlan, ...]
    unknown_ids: tuple[str, ...]
    references_after: int  # distributions that will reference the function
    unselected_ids: tuple[str, ...] = ()  # in --only, but not selected

    @property
    def drifted(self) -> tuple[DistributionPlan, ...]:
        return tuple(d for d in self.distributions if d.drifted)


def plan_fleet(
    observed: Iterable[ObservedDistribution],
    desired: DesiredState,
    target: Target,
    *,
    tagged_ids: Collection[str] = (),
    only: Collection[str] = (),
) -> FleetPlan:
    """Plan every distribution of ``observed`` against ``desired``.

    ``tagged_ids`` are the distributions that carry the selecting tags (used
    only with ``select: {tags: ...}``); ``only`` restricts the run to the given
    ids, as ``--only`` does.
    """
    selection = desired.distributions.select
    selected_ids: set[str] | None = None
    if isinstance(selection, SelectIds):
        selected_ids = set(selection.ids)
    elif isinstance(selection, SelectTags):
        selected_ids = set(tagged_ids)

    seen: set[str] = set()
    plans: list[DistributionPlan] = []
    references = 0
    for distribution in observed:
        seen.add(distribution.id)
        references_now = _references(distribution, target.function)
        if only and distribution.id not in only:
            references += references_now
            continue
        plan = plan_distribution(distribution, desired, target, selected_ids)
        if plan is None:
            references += references_now
            continue
        plans.append(plan)
        references += _references_after(plan, references_now)

    requested = set(only) | (selected_ids or set())
    unknown = tuple(sorted(requested - seen))
    planned = {plan.id for plan in plans}
    unselected = tuple(sorted(set(only) & seen - planned))
    return FleetPlan(tuple(plans), unknown, references, unselected)


def plan_distribution(
    distribution: ObservedDistribution,
    desired: DesiredState,
    target: Target,
    selected_ids: Collection[str] | None,
) -> DistributionPlan | None:
    """Plan one distribution; None when the desired state does not select it.

    ``selected_ids`` None means ``select: associated``: only behaviors that
    already reference the function are managed. Otherwise the listed
    distributions must carry the associations on every selected behavior.
    """
    managed_only = selected_ids is None
    if not managed_only and distribution.id not in selected_ids:  # type: ignore[operator]
        return None

    behaviors: list[BehaviorPlan] = []
    for behavior in distribution.behaviors:
        if not _behavior_selected(behavior.path, desired):
            continue
        plan = plan_behavior(behavior, desired, target, managed_only=managed_only)
        if plan is not None:
            behaviors.append(plan)
    if managed_only and not behaviors:
        return None

    excluded = distribution.id in desired.distributions.exclude or (
        distribution.staging and not desired.distributions.include_staging
    )
    return DistributionPlan(distribution.id, tuple(behaviors), excluded=excluded)


def plan_behavior(
    behavior: ObservedBehavior,
    desired: DesiredState,
    target: Target,
    *,
    managed_only: bool,
) -> BehaviorPlan | None:
    """Plan one behavior; None when it is unmanaged under ``select: associated``."""
    ours = {
        event: association
        for event, association in behavior.lambda_associations.items()
        if _is_ours(association.arn, target.function)
    }
    if managed_only and not ours:
        return None

    conflicts = tuple(_conflicts(behavior, desired, ours))
    changes: list[Change] = []
    state = State.IN_SYNC
    for spec in desired.associations:
        current = ours.get(spec.event_type)
        if current is None:
            # Never add next to a conflict: origin-request without
            # viewer-request would route on a header that no handler normalized.
            if conflicts:
                continue
            state = State.MISSING
        elif current.arn == target.arn and current.include_body == spec.include_body:
            continue
        elif state is State.IN_SYNC:
            state = State.OTHER_VERSION
        from_arn = current.arn if current else None
        changes.append(
            Change(
                behavior.path, spec.event_type, from_arn, target.arn, spec.include_body
            )
        )

    for event, association in sorted(ours.items()):
        if event not in desired.event_types:
            changes.append(Change(behavior.path, event, association.arn, None))
            if state is State.IN_SYNC:
                state = State.OTHER_VERSION
    if conflicts:
        # Associations that already name the function still move to the target.
        state = State.CONFLICT
    return BehaviorPlan(behavior.path, state, tuple(changes), conflicts)


def _conflicts(
    behavior: ObservedBehavior,
    desired: DesiredState,
    ours: Mapping[str, object],
) -> Iterable[Conflict]:
    viewer_functions = {
        event: arn
        for event, arn in behavior.function_associations.items()
        if event.startswith("viewer-")
    }
    for event in desired.event_types:
        holder = behavior.lambda_associations.get(event)
        if holder is not None and event not in ours:
            yield Conflict(behavior.path, event, holder.arn)
        # CloudFront rejects Lambda@Edge on a viewer event of a behavior that
        # runs a CloudFront Function on either viewer event.
        if event.startswith("viewer-"):
            for function_event, arn in sorted(viewer_functions.items()):
                yield Conflict(
                    behavior.path, f"{event} (function on {function_event})", arn
                )


def _behavior_selected(path: str, desired: DesiredState) -> bool:
    selection = desired.cache_behaviors
    if selection == "all":
        return True
    if selection == "default":
        return path == DEFAULT_BEHAVIOR
    # In a list, the keyword "default" names the default behavior.
    return path in selection or (path == DEFAULT_BEHAVIOR and "default" in selection)


def _is_ours(arn: str, function: FunctionArn) -> bool:
    parsed = FunctionArn.parse(arn)
    return parsed is not None and parsed.same_function(function)


def _references(distribution: ObservedDistribution, function: FunctionArn) -> int:
    return int(
        any(
            _is_ours(association.arn, function)
            for behavior in distribution.behaviors
            for association in behavior.lambda_associations.values()
        )
    )


def _references_after(plan: DistributionPlan, references_now: int) -> int:
    if plan.excluded:
        return references_now
    adds = any(change.to_arn is not None for change in plan.changes)
    return int(adds or references_now)
