"""Turn a fleet plan and, after an apply, its results into a ``Report``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler.apply.engine import ApplyResult, DistributionResult
from reconciler.core.plan import Change, Conflict, DistributionPlan, FleetPlan
from reconciler.report.model import (
    AssociationChange,
    Counts,
    DistributionReport,
    FailedDetail,
)
from reconciler.report.model import Conflict as ConflictReport


def plan_rows(fleet: FleetPlan) -> tuple[Counts, list[DistributionReport]]:
    """Counts and rows of a plan that has not been applied."""
    selected = [d for d in fleet.distributions if not d.excluded]
    rows = [
        DistributionReport(
            id=plan.id,
            outcome="planned" if plan.drifted else "conflict",
            changes=_changes(plan.changes),
            conflicts=_conflicts(plan.conflicts),
        )
        for plan in selected
        if plan.drifted or plan.conflicts
    ]
    counts = Counts(
        total=len(selected),
        drifted=sum(1 for d in selected if d.drifted),
        unchanged=sum(1 for d in selected if not d.drifted),
        conflicts=sum(1 for d in selected if d.conflicts),
        excluded=len(fleet.distributions) - len(selected),
    )
    return counts, rows


def apply_rows(
    fleet: FleetPlan, applied: ApplyResult
) -> tuple[Counts, list[DistributionReport], list[FailedDetail]]:
    """Counts, rows and failures after ``applied`` ran the drifted part of ``fleet``."""
    selected = [d for d in fleet.distributions if not d.excluded]
    by_id = {result.id: result for result in applied.results}
    rows: list[DistributionReport] = []
    for plan in selected:
        result = by_id.get(plan.id)
        if result is not None:
            rows.append(_result_row(result))
        elif plan.conflicts:
            rows.append(
                DistributionReport(
                    id=plan.id, outcome="conflict", conflicts=_conflicts(plan.conflicts)
                )
            )

    outcomes = [result.outcome for result in applied.results]
    failed = [
        FailedDetail(
            id=r.id, error_code=r.error_code or "Unknown", message=r.message or ""
        )
        for r in applied.results
        if r.outcome == "failed"
    ]
    counts = Counts(
        total=len(selected),
        drifted=sum(1 for d in selected if d.drifted),
        successful=outcomes.count("updated"),
        failed=outcomes.count("failed"),
        skipped=outcomes.count("skipped"),
        unchanged=_unchanged(selected, applied.results),
        conflicts=sum(1 for d in selected if d.conflicts),
        excluded=len(fleet.distributions) - len(selected),
    )
    return counts, rows, failed


def _unchanged(
    selected: Sequence[DistributionPlan], results: Iterable[DistributionResult]
) -> int:
    converged = sum(1 for r in results if r.outcome == "unchanged")
    return converged + sum(1 for d in selected if not d.drifted)


def _result_row(result: DistributionResult) -> DistributionReport:
    outcome = (
        "conflict"
        if result.outcome == "unchanged" and result.conflicts
        else result.outcome
    )
    return DistributionReport(
        id=result.id,
        outcome=outcome,
        changes=_changes(result.changes),
        conflicts=_conflicts(result.conflicts),
        error_code=result.error_code,
        message=result.message,
        attempts=result.attempts,
    )


def _changes(changes: Iterable[Change]) -> list[AssociationChange]:
    return [
        AssociationChange(
            behavior=c.behavior,
            event_type=c.event_type,
            from_arn=c.from_arn,
            to_arn=c.to_arn,
        )
        for c in changes
    ]


def _conflicts(conflicts: Iterable[Conflict]) -> list[ConflictReport]:
    return [
        ConflictReport(behavior=c.behavior, event_type=c.event_type, holder=c.holder)
        for c in conflicts
    ]
