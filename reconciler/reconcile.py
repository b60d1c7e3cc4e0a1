"""One reconcile run: validate, observe, plan and, for ``apply``, execute.

Every input check (desired state, source, pre-deploy checks) runs before the
first AWS write, so invalid input never changes anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.adapters.aws import AwsClients, make_clients
from reconciler.adapters.cloudfront import CloudFront
from reconciler.adapters.lambda_ import Lambda, ObservedFunction
from reconciler.apply.engine import ApplyEngine, ApplyResult
from reconciler.apply.progress import Progress
from reconciler.core.arn import EDGE_REGION, FunctionArn
from reconciler.core.function_plan import FunctionPlan, plan_function
from reconciler.core.plan import FleetPlan, Target, plan_fleet
from reconciler.desired_state import DesiredState, SelectIds, SelectTags
from reconciler.edge.checks import Finding, run_account_checks, run_local_checks
from reconciler.edge.package import EdgePackage, build_package
from reconciler.errors import PreDeployCheckError, ReconcilerError
from reconciler.report.build import apply_rows, plan_rows
from reconciler.report.model import FunctionReport, Mode, Report

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    mode: Mode
    root: Path = Path()
    only: Collection[str] = ()
    endpoint_url: str | None = None
    profile: str | None = None
    progress: bool = True
    clients: AwsClients | None = None  # injected by tests and the demo
    warnings: list[str] = field(default_factory=list)


def reconcile(desired: DesiredState, options: RunOptions) -> Report:
    """Run ``plan`` or ``apply`` and return its report, an error report on failure."""
    started = time.monotonic()
    clients: AwsClients | None = options.clients
    try:
        package = build_package(desired, options.root)
        warnings = _raise_errors(run_local_checks(desired, package))
        if clients is None:
            clients = make_clients(
                endpoint_url=options.endpoint_url,
                profile=options.profile,
                retry_mode=desired.rollout.retry_mode,
                max_attempts=desired.rollout.max_attempts,
                max_pool_connections=desired.rollout.max_concurrency + 4,
            )
        run = _Run(desired, options, clients, package)
        report = run.execute(warnings)
    except ReconcilerError as exc:
        log.error("%s", exc)
        report = Report(
            mode=options.mode, status="error", lambda_arn=None, error=str(exc)
        )
    report.duration_s = round(time.monotonic() - started, 3)
    if clients is not None:
        report.api_calls = clients.counter.snapshot()
    return report


def _raise_errors(findings: list[Finding]) -> list[str]:
    errors = [str(f) for f in findings if f.level == "error"]
    if errors:
        raise PreDeployCheckError(errors)
    return [str(f) for f in findings if f.level == "warning"]


class _Run:
    def __init__(
        self,
        desired: DesiredState,
        options: RunOptions,
        clients: AwsClients,
        package: EdgePackage,
    ) -> None:
        self.desired = desired
        self.options = options
        self.clients = clients
        self.package = package
        self.lambda_ = Lambda(clients.lambda_)
        self.cloudfront = CloudFront(clients.cloudfront, clients.tagging)
        self.observed_function: ObservedFunction | None = None

    def execute(self, warnings: list[str]) -> Report:
        observed_function = self.lambda_.observe(self.desired.function.name)
        self.observed_function = observed_function
        function_plan = plan_function(
            self.desired,
            self.package.code_sha256,
            observed_function.state if observed_function else None,
        )
        function_arn = self._function_arn(observed_function)
        selected_ids = self._selected_ids()
        observed = list(self.cloudfront.observe_all())
        fleet = plan_fleet(
            observed,
            self.desired,
            Target(function_arn, function_plan.version),
            tagged_ids=selected_ids or (),
            only=self.options.only,
        )
        warnings += _raise_errors(
            run_account_checks(
                self.desired,
                observed_function.configuration if observed_function else None,
                self.clients.iam,
                fleet.references_after,
            )
        )
        warnings += _selection_warnings(fleet)

        if self.options.mode == "plan":
            return self._plan_report(fleet, function_plan, function_arn, warnings)
        return self._apply(
            observed=observed,
            fleet=fleet,
            function_plan=function_plan,
            observed_function=observed_function,
            function_arn=function_arn,
            selected_ids=selected_ids,
            warnings=warnings,
        )

    def _apply(
        self,
        *,
        observed: list[Any],
        fleet: FleetPlan,
        function_plan: FunctionPlan,
        observed_function: ObservedFunction | None,
        function_arn: FunctionArn,
        selected_ids: set[str] | None,
        warnings: list[str],
    ) -> Report:
        version = function_plan.version
        package = self.package
        if function_plan.action == "create":
            version = self.lambda_.create(
                self.desired, package.zip_bytes, package.code_sha256
            )
        elif function_plan.action == "publish":
            assert observed_function is not None
            version = self.lambda_.publish(
                self.desired,
                function_plan,
                observed_function.state,
                package.zip_bytes,
                package.code_sha256,
            )
        assert version is not None
        target = Target(function_arn, version)
        if version != function_plan.version:
            # The summaries are still current, so only the target changes.
            fleet = plan_fleet(
                observed,
                self.desired,
                target,
                tagged_ids=selected_ids or (),
                only=self.options.only,
            )

        engine = ApplyEngine(
            self.cloudfront,
            self.desired,
            target,
            selected_ids=_engine_ids(self.desired, selected_ids),
            progress=Progress(enabled=self.options.progress),
        )
        applied = engine.run(fleet.drifted)
        return self._apply_report(fleet, applied, function_plan, target, warnings)

    def _function_arn(self, observed: ObservedFunction | None) -> FunctionArn:
        if observed is not None:
            return observed.state.arn
        # Not created yet: Lambda@Edge functions live in us-east-1, in the
        # account of the execution role.
        account = self.desired.function.account_id
        return FunctionArn("aws", EDGE_REGION, account, self.desired.function.name)

    def _selected_ids(self) -> set[str] | None:
        selection = self.desired.distributions.select
        if isinstance(selection, SelectTags):
            return self.cloudfront.ids_with_tags(selection.tags)
        if isinstance(selection, SelectIds):
            return set(selection.ids)
        return None

    def _target_code_sha256(self, version: int | None) -> str:
        """Return the code hash of ``version``, which a pin or reuse takes from AWS."""
        observed = self.observed_function
        if version is not None and observed and version in observed.state.versions:
            return observed.state.versions[version].code_sha256
        return self.package.code_sha256

    def _function_report(
        self, plan: FunctionPlan, version: int | None, fleet: FleetPlan
    ) -> FunctionReport:
        previous = {
            parsed.version
            for distribution in fleet.drifted
            for change in distribution.changes
            if change.from_arn and (parsed := FunctionArn.parse(change.from_arn))
        }
        return FunctionReport(
            name=self.desired.function.name,
            action=plan.action,
            version=version,
            previous_versions=sorted(v for v in previous if v is not None),
            code_sha256=self._target_code_sha256(version),
            package_bytes=self.package.size,
        )

    def _plan_report(
        self,
        fleet: FleetPlan,
        function_plan: FunctionPlan,
        function_arn: FunctionArn,
        warnings: list[str],
    ) -> Report:
        counts, rows = plan_rows(fleet)
        drift = counts.drifted > 0 or function_plan.action in {"create", "publish"}
        version = function_plan.version
        return Report(
            mode="plan",
            status="success" if drift else "no_changes",
            lambda_arn=str(function_arn.with_version(version)) if version else None,
            function=self._function_report(function_plan, version, fleet),
            distributions=counts,
            changes=rows,
            warnings=warnings,
        )

    def _apply_report(
        self,
        fleet: FleetPlan,
        applied: ApplyResult,
        function_plan: FunctionPlan,
        target: Target,
        warnings: list[str],
    ) -> Report:
        counts, rows, failed = apply_rows(fleet, applied)
        wrote = counts.successful > 0 or function_plan.action in {"create", "publish"}
        if applied.halted:
            status = "halted"
        elif counts.failed:
            status = "partial"
        else:
            status = "success" if wrote else "no_changes"
        return Report(
            mode="apply",
            status=status,
            lambda_arn=target.arn,
            function=self._function_report(function_plan, target.version, fleet),
            distributions=counts,
            failed_details=failed,
            changes=rows,
            warnings=warnings,
            rollout_s=round(applied.duration_s, 3),
        )


# Distribution ids listed in one warning before the rest becomes a count.
MAX_LISTED_IDS = 20


def _selection_warnings(fleet: FleetPlan) -> list[str]:
    warnings = [
        f"distribution {unknown} was requested but does not exist in this account"
        for unknown in fleet.unknown_ids
    ]
    warnings += [
        f"distribution {unselected} was requested with --only but the desired "
        "state does not select it (it does not use the function on a selected "
        "behavior, or select: names other distributions); nothing was planned for it"
        for unselected in fleet.unselected_ids
    ]
    excluded = [d.id for d in fleet.distributions if d.excluded]
    if excluded:
        listed = ", ".join(excluded[:MAX_LISTED_IDS])
        more = len(excluded) - MAX_LISTED_IDS
        tail = f" and {more} more" if more > 0 else ""
        warnings.append(
            f"{len(excluded)} selected distributions are excluded (listed in "
            "distributions.exclude, or staging copies while include_staging is "
            f"false) and were left as they are: {listed}{tail}"
        )
    return warnings


def _engine_ids(
    desired: DesiredState, selected_ids: set[str] | None
) -> set[str] | None:
    if isinstance(desired.distributions.select, SelectIds | SelectTags):
        return selected_ids or set()
    return None
