"""Markdown rendering of run reports, including fleets too large for one comment."""

from __future__ import annotations

import random
import re

import pytest

from reconciler.report.markdown import render_markdown
from reconciler.report.model import (
    AssociationChange,
    Conflict,
    Counts,
    DistributionReport,
    FailedDetail,
    FunctionReport,
    Report,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:bot-router"
RUN_URL = "https://github.example/octo-org/octo-repo/actions/runs/42"


def _distribution_id(rng: random.Random) -> str:
    return "E" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=13))


def _fleet_report(size: int, *, failed: int = 0, conflicts: int = 0) -> Report:
    """Build an apply report in which every distribution moved from v11 to v12."""
    rng = random.Random(size)
    changes: list[DistributionReport] = []
    failures: list[FailedDetail] = []
    for index in range(size):
        distribution_id = _distribution_id(rng)
        if index < failed:
            message = "Rate exceeded | retried 5 times <then gave up>"
            failures.append(
                FailedDetail(
                    id=distribution_id, error_code="Throttling", message=message
                )
            )
            changes.append(
                DistributionReport(
                    id=distribution_id,
                    outcome="failed",
                    error_code="Throttling",
                    message=message,
                    attempts=5,
                )
            )
        elif index < failed + conflicts:
            changes.append(
                DistributionReport(
                    id=distribution_id,
                    outcome="conflict",
                    conflicts=[
                        Conflict(
                            behavior="/api/*",
                            event_type="viewer-request",
                            holder="arn:aws:cloudfront::123456789012:function/geo",
                        )
                    ],
                )
            )
        else:
            changes.append(
                DistributionReport(
                    id=distribution_id,
                    outcome="updated",
                    changes=[
                        AssociationChange(
                            behavior="default",
                            event_type="viewer-request",
                            from_arn=f"{ARN}:11",
                            to_arn=f"{ARN}:12",
                        ),
                        AssociationChange(
                            behavior="/static/*",
                            event_type="origin-request",
                            from_arn=None,
                            to_arn=f"{ARN}:12",
                        ),
                    ],
                    attempts=1,
                )
            )
    return Report(
        mode="apply",
        status="partial" if failed else "success",
        lambda_arn=f"{ARN}:12",
        function=FunctionReport(
            name="bot-router",
            action="publish",
            version=12,
            previous_versions=[11],
            code_sha256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
            package_bytes=2_048,
        ),
        distributions=Counts(
            total=size + 250,
            drifted=size,
            successful=size - failed - conflicts,
            failed=failed,
            unchanged=250,
            conflicts=conflicts,
        ),
        failed_details=failures,
        changes=changes,
        duration_s=812.4,
        api_calls={
            "cloudfront:ListDistributions": 33,
            "cloudfront:GetDistributionConfig": size,
            "cloudfront:UpdateDistribution": size,
        },
    )


def _detail_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| `E")]


def _size(markdown: str) -> int:
    return len(markdown.encode("utf-8"))


def test_small_report_lists_every_row() -> None:
    report = _fleet_report(5, failed=1, conflicts=1)

    markdown = render_markdown(report, run_url=RUN_URL)

    assert len(_detail_rows(markdown)) == 5
    assert "left out" not in markdown
    assert "`default` viewer-request: v11 → v12" in markdown
    assert "`/static/*` origin-request: add v12" in markdown
    assert f"[Workflow run]({RUN_URL})" in markdown


def test_large_fleet_stays_under_limit() -> None:
    report = _fleet_report(3_000, failed=40, conflicts=60)

    markdown = render_markdown(report, run_url=RUN_URL)

    assert _size(markdown) <= 65_000
    assert _size(markdown) > 60_000, "the space under the limit should be used"


def test_large_fleet_keeps_summary_table() -> None:
    report = _fleet_report(3_000, failed=40, conflicts=60)

    markdown = render_markdown(report, run_url=RUN_URL)

    assert markdown.startswith("## edge-reconciler apply: partially applied\n")
    assert "| Status | `partial` |" in markdown
    assert f"| Lambda ARN | `{ARN}:12` |" in markdown
    assert "| Distributions selected | 3,250 |" in markdown
    assert "| Drifted | 3,000 |" in markdown
    assert "| Successful | 2,900 |" in markdown
    assert "| Failed | 40 |" in markdown
    assert "| Unchanged | 250 |" in markdown
    assert "| Conflicts | 60 |" in markdown
    assert "| API calls | 6,033 |" in markdown
    assert "| cloudfront:UpdateDistribution | 3,000 |" in markdown


def test_large_fleet_counts_rows_left_out() -> None:
    report = _fleet_report(3_000, failed=40, conflicts=60)

    markdown = render_markdown(report, run_url=RUN_URL)

    rows_shown = len(_detail_rows(markdown))
    match = re.search(
        r"\*\*([\d,]+) of ([\d,]+) detail rows were left out\*\*", markdown
    )
    assert match is not None
    assert int(match.group(2).replace(",", "")) == 3_000
    assert int(match.group(1).replace(",", "")) == 3_000 - rows_shown
    assert f"[workflow run]({RUN_URL})" in markdown


def test_large_fleet_shows_failures_first() -> None:
    report = _fleet_report(3_000, failed=40, conflicts=60)

    markdown = render_markdown(report, run_url=RUN_URL)

    failed_ids = [detail.id for detail in report.failed_details]
    rows = _detail_rows(markdown)
    assert [row.split("`")[1] for row in rows[:40]] == failed_ids
    assert "<summary>Failed distributions (40)</summary>" in markdown
    assert "<summary>Conflicts, left unchanged (60)</summary>" in markdown
    assert "<summary>Distribution changes (2,900)</summary>" in markdown


@pytest.mark.parametrize("max_chars", [65_000, 20_000, 4_000])
def test_truncation_keeps_markup_balanced(max_chars: int) -> None:
    report = _fleet_report(3_000, failed=40, conflicts=60)
    report.error = "UpdateDistribution failed:\n```\nPreconditionFailed ``` x\n```"

    markdown = render_markdown(report, max_chars=max_chars, run_url=RUN_URL)

    assert _size(markdown) <= max_chars
    assert markdown.count("<details") == markdown.count("</details>")
    assert markdown.count("<summary>") == markdown.count("</summary>")
    fences = re.findall(r"^(`{3,})", markdown, flags=re.MULTILINE)
    assert len(fences) % 2 == 0
    assert fences[0] == "````", "the fence must be longer than the backtick run inside"


def test_cells_escape_pipes_and_html() -> None:
    report = _fleet_report(1, failed=1)

    markdown = render_markdown(report)

    assert "Rate exceeded \\| retried 5 times &lt;then gave up&gt;" in markdown
    assert "<then gave up>" not in markdown


def test_size_counts_multibyte_text_in_bytes() -> None:
    report = _fleet_report(3_000)
    for distribution in report.changes:
        distribution.changes[0].behavior = "/produits/é/*"

    markdown = render_markdown(report, max_chars=30_000)

    assert _size(markdown) <= 30_000


def test_no_changes_plan_has_no_detail() -> None:
    report = Report(mode="plan", status="no_changes", lambda_arn=f"{ARN}:12")

    markdown = render_markdown(report)

    assert markdown.startswith("## edge-reconciler plan: in sync\n")
    assert "<details" not in markdown
    assert "left out" not in markdown


def test_long_warnings_are_summarised() -> None:
    report = Report(
        mode="plan",
        status="success",
        lambda_arn=None,
        warnings=[
            f"distribution E{i:013d} uses a legacy cache setting" for i in range(25)
        ],
    )

    markdown = render_markdown(report)

    assert markdown.count("uses a legacy cache setting") == 20
    assert "- 5 more warnings are in the JSON report." in markdown


def test_limit_below_summary_raises() -> None:
    report = _fleet_report(10)

    with pytest.raises(ValueError, match=r"max_chars=500 is too small"):
        render_markdown(report, max_chars=500)
