"""Terminal rendering of a report: a summary table, then the rows that matter."""

from __future__ import annotations

from reconciler.report.model import DistributionReport, Report

# Rows shown per outcome before the rest is summarised as a count.
MAX_ROWS = 20


def render_text(report: Report, *, max_rows: int = MAX_ROWS) -> str:
    counts = report.distributions
    lines = [f"{report.mode}: {report.status}"]
    if report.error:
        lines.append(f"error: {report.error}")
    if report.function is not None:
        function = report.function
        version = function.version if function.version is not None else "(new)"
        lines.append(
            f"function {function.name}: {function.action}, version {version}, "
            f"code {function.code_sha256} ({function.package_bytes} bytes zipped)"
        )
    if report.lambda_arn:
        lines.append(f"lambda_arn {report.lambda_arn}")
    lines.append("")
    table = [
        ("total", counts.total),
        ("drifted", counts.drifted),
        ("successful", counts.successful),
        ("failed", counts.failed),
        ("unchanged", counts.unchanged),
        ("skipped", counts.skipped),
        ("conflicts", counts.conflicts),
        ("excluded", counts.excluded),
    ]
    lines += [f"  {name:<11}{value:>7}" for name, value in table]

    for outcome in ("failed", "planned", "updated", "skipped", "conflict"):
        rows = [row for row in report.changes if row.outcome == outcome]
        if rows:
            lines += ["", f"{outcome} ({len(rows)}):"]
            lines += [_row(row) for row in rows[:max_rows]]
            if len(rows) > max_rows:
                lines.append(
                    f"  ... and {len(rows) - max_rows} more (see --format json)"
                )

    if report.warnings:
        lines += ["", "warnings:"] + [f"  {warning}" for warning in report.warnings]
    calls = ", ".join(f"{name} {count}" for name, count in report.api_calls.items())
    lines += ["", f"duration {report.duration_s:.1f} s; API calls: {calls or 'none'}"]
    return "\n".join(lines) + "\n"


def _row(row: DistributionReport) -> str:
    parts = [f"  {row.id}"]
    for change in row.changes:
        source = _version(change.from_arn)
        target = _version(change.to_arn)
        parts.append(f"{change.behavior} {change.event_type} {source}->{target}")
    for conflict in row.conflicts:
        parts.append(
            f"{conflict.behavior} {conflict.event_type} held by {conflict.holder}"
        )
    if row.error_code:
        parts.append(f"{row.error_code}: {row.message}")
    return "  ".join(parts)


def _version(arn: str | None) -> str:
    if arn is None:
        return "none"
    return arn.rsplit(":", 1)[-1]
