"""Execute a fleet plan: guarded, parallel, rate limited and resumable.

Each drifted distribution is re-read with ``GetDistributionConfig`` and
re-planned from that fresh config, because the summary it was planned from
may be stale. Only the planned association lists change (``patch`` proves it)
and the write carries the ETag that was read. A ``PreconditionFailed`` race
starts that distribution over, a bounded number of times. Throttling is left
to botocore's retry mode, which backs off and, in adaptive mode, slows the
client down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.adapters.aws import error_code
from reconciler.adapters.cloudfront import CloudFront
from reconciler.apply.pacing import WritePacer
from reconciler.apply.progress import Progress
from reconciler.core.observe import observe_distribution
from reconciler.core.patch import PatchError, apply_changes, unexpected_changes
from reconciler.core.plan import (
    Change,
    Conflict,
    DistributionPlan,
    Target,
    plan_distribution,
)
from reconciler.desired_state import DesiredState
from reconciler.errors import AwsError

log = logging.getLogger(__name__)

Outcome = Literal["updated", "failed", "skipped", "unchanged"]


@dataclass
class DistributionResult:
    id: str
    outcome: Outcome
    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    error_code: str | None = None
    message: str | None = None
    attempts: int = 0


@dataclass
class ApplyResult:
    results: list[DistributionResult] = field(default_factory=list)
    halted: bool = False
    duration_s: float = 0.0


class ApplyEngine:
    def __init__(
        self,
        cloudfront: CloudFront,
        desired: DesiredState,
        target: Target,
        *,
        selected_ids: Collection[str] | None,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._cloudfront = cloudfront
        self._desired = desired
        self._target = target
        self._selected_ids = selected_ids
        self._progress = progress or Progress(enabled=False)
        self._sleep = sleep
        self._pacer = WritePacer(desired.rollout.max_writes_per_s, sleep=sleep)

    def run(self, plans: Sequence[DistributionPlan]) -> ApplyResult:
        """Apply ``plans`` in batches. A batch that fails too often halts the rest."""
        rollout = self._desired.rollout
        batches = [
            plans[start : start + rollout.batch_size]
            for start in range(0, len(plans), rollout.batch_size)
        ]
        result = ApplyResult()
        started = time.monotonic()
        self._progress.start(len(plans))
        with ThreadPoolExecutor(max_workers=rollout.max_concurrency) as pool:
            for number, batch in enumerate(batches, start=1):
                if result.halted:
                    result.results.extend(_skipped(plan) for plan in batch)
                    continue
                if number > 1 and rollout.batch_interval_s:
                    self._sleep(rollout.batch_interval_s)

                outcomes = list(pool.map(self._reconcile, batch))
                result.results.extend(outcomes)
                failed = sum(1 for item in outcomes if item.outcome == "failed")
                self._progress.batch_done(number, len(batches), len(batch), failed)
                if failed / len(batch) > rollout.max_failure_ratio:
                    log.error(
                        "halting rollout: batch %d failed %d of %d distributions "
                        "(max_failure_ratio %.2f)",
                        number,
                        failed,
                        len(batch),
                        rollout.max_failure_ratio,
                    )
                    result.halted = True
        self._progress.finish()
        result.duration_s = time.monotonic() - started
        return result

    def _reconcile(self, plan: DistributionPlan) -> DistributionResult:
        retries = self._desired.rollout.precondition_retries
        for attempt in range(1, retries + 2):
            try:
                outcome = self._attempt(plan.id, attempt)
            except AwsError as exc:
                log.error("distribution %s failed: %s", plan.id, exc)
                return DistributionResult(
                    plan.id,
                    "failed",
                    error_code=exc.code,
                    message=str(exc),
                    attempts=attempt,
                )
            if outcome is not None:
                return outcome
        message = (
            f"config changed {retries + 1} times between read and write; "
            "another writer is active, rerun once it is done"
        )
        log.error("distribution %s failed: %s", plan.id, message)
        return DistributionResult(
            plan.id,
            "failed",
            error_code="PreconditionFailed",
            message=message,
            attempts=retries + 1,
        )

    def _attempt(self, distribution_id: str, attempt: int) -> DistributionResult | None:
        """Read, re-plan and write one distribution; None means the ETag went stale."""
        config, etag = self._cloudfront.get_config(distribution_id)
        observed = observe_distribution(distribution_id, config)
        fresh = plan_distribution(
            observed, self._desired, self._target, self._selected_ids
        )
        if fresh is None or not fresh.changes:
            log.info("distribution %s already converged", distribution_id)
            conflicts = fresh.conflicts if fresh else ()
            return DistributionResult(
                distribution_id, "unchanged", conflicts=conflicts, attempts=attempt
            )

        try:
            patched = apply_changes(config, fresh.changes)
        except PatchError as exc:
            return self._reject(distribution_id, attempt, f"cannot patch: {exc}")
        unexpected = unexpected_changes(config, patched)
        if unexpected:
            return self._reject(
                distribution_id, attempt, f"patch would change {', '.join(unexpected)}"
            )

        return self._write(distribution_id, patched, etag, fresh, attempt)

    def _write(
        self,
        distribution_id: str,
        patched: dict[str, Any],
        etag: str,
        fresh: DistributionPlan,
        attempt: int,
    ) -> DistributionResult | None:
        self._pacer.wait()
        try:
            self._cloudfront.update_config(distribution_id, patched, etag)
        except BotoCoreError as exc:
            # A timeout may hide a write that landed. The next run re-reads
            # the config and finds it converged, so failing here is safe.
            code = type(exc).__name__
            log.error(
                "UpdateDistribution %s failed: %s: %s", distribution_id, code, exc
            )
            return DistributionResult(
                distribution_id,
                "failed",
                fresh.changes,
                fresh.conflicts,
                code,
                str(exc),
                attempt,
            )
        except ClientError as exc:
            code = error_code(exc)
            if code == "PreconditionFailed":
                log.info(
                    "distribution %s changed after the read (attempt %d); re-reading",
                    distribution_id,
                    attempt,
                )
                return None
            message = exc.response.get("Error", {}).get("Message", str(exc))
            log.error(
                "UpdateDistribution %s failed: %s: %s", distribution_id, code, message
            )
            return DistributionResult(
                distribution_id,
                "failed",
                fresh.changes,
                fresh.conflicts,
                code,
                message,
                attempt,
            )
        return DistributionResult(
            distribution_id, "updated", fresh.changes, fresh.conflicts, attempts=attempt
        )

    def _reject(
        self, distribution_id: str, attempt: int, message: str
    ) -> DistributionResult:
        log.error("distribution %s not written: %s", distribution_id, message)
        return DistributionResult(
            distribution_id,
            "failed",
            error_code="UnsafePatch",
            message=message,
            attempts=attempt,
        )


def _skipped(plan: DistributionPlan) -> DistributionResult:
    return DistributionResult(
        plan.id, "skipped", plan.changes, plan.conflicts, message="rollout halted"
    )
