"""Run reports of the shapes that plan, apply and drift checks produce."""

from __future__ import annotations

from reconciler.report.model import (
    AssociationChange,
    Counts,
    DistributionReport,
    FailedDetail,
    FunctionReport,
    Report,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:bot-router"


def fleet_report(
    *, mode: str = "plan", drifted: int = 3, failed: int = 0, total: int = 10
) -> Report:
    """Build a report in which ``drifted`` distributions move from v11 to v12."""
    changes = [
        DistributionReport(
            id=f"E{index:013d}",
            outcome="failed"
            if index < failed
            else ("planned" if mode == "plan" else "updated"),
            changes=[
                AssociationChange(
                    behavior="default",
                    event_type="viewer-request",
                    from_arn=f"{ARN}:11",
                    to_arn=f"{ARN}:12",
                )
            ],
            error_code="Throttling" if index < failed else None,
            message="Rate exceeded" if index < failed else None,
        )
        for index in range(drifted)
    ]
    failures = [
        FailedDetail(id=change.id, error_code="Throttling", message="Rate exceeded")
        for change in changes[:failed]
    ]
    if mode == "plan":
        status = "success" if drifted else "no_changes"
    else:
        status = "partial" if failed else ("success" if drifted else "no_changes")
    return Report.model_validate(
        {
            "mode": mode,
            "status": status,
            "lambda_arn": f"{ARN}:12",
            "function": FunctionReport(
                name="bot-router",
                action="reuse",
                version=12,
                code_sha256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
            ),
            "distributions": Counts(
                total=total,
                drifted=drifted,
                successful=0 if mode == "plan" else drifted - failed,
                failed=failed,
                unchanged=total - drifted,
            ),
            "failed_details": failures,
            "changes": changes,
            "duration_s": 3.2,
            "api_calls": {"cloudfront:ListDistributions": 1},
        }
    )
