"""Render a run report as GitHub-flavoured Markdown within a size limit.

GitHub rejects comment and issue bodies over 65,536 characters. The rendering
always keeps the title, the summary table, the error, the warnings and the API
call table. Per-distribution rows (failures, conflicts, changes) fill the
remaining space in that order, each table folded in a ``<details>`` element.
When rows do not fit, whole rows are left out and a closing line gives their
number and the run link. Sizes are measured in UTF-8 bytes, which is never less
than the length in code points or in UTF-16 code units, whichever GitHub
counts, so multi-byte text cannot push a body over the limit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconciler.report.model import (
    AssociationChange,
    DistributionReport,
    FailedDetail,
    Report,
)

DEFAULT_MAX_CHARS = 65_000
MAX_WARNINGS = 20
MAX_ERROR_CHARS = 2_000
MAX_CELL_CHARS = 300

_TITLES = {
    ("plan", "success"): "changes planned",
    ("plan", "no_changes"): "in sync",
    ("apply", "success"): "applied",
    ("apply", "no_changes"): "nothing to change",
    ("apply", "partial"): "partially applied",
    ("apply", "halted"): "halted",
}


@dataclass
class _Section:
    """One folded table whose rows may be left out when space runs short."""

    title: str
    header: str
    rows: list[str]
    open: bool = False
    shown_rows: list[str] = field(default_factory=list)

    def render(self) -> str:
        summary = f"{self.title} ({len(self.rows):,})"
        opening = "<details open>" if self.open else "<details>"
        lines = [opening, f"<summary>{summary}</summary>", ""]
        if self.shown_rows:
            lines += [self.header, *self.shown_rows]
        left_out = len(self.rows) - len(self.shown_rows)
        if left_out:
            lines += ["", f"{left_out:,} rows left out of this table."]
        lines += ["", "</details>"]
        return "\n".join(lines)


def render_markdown(
    report: Report, *, max_chars: int = DEFAULT_MAX_CHARS, run_url: str | None = None
) -> str:
    """Render ``report`` as Markdown no longer than ``max_chars`` UTF-8 bytes.

    Args:
        report: The run report.
        max_chars: Size limit of the result, measured in UTF-8 bytes.
        run_url: Link to the workflow run, given where rows were left out.

    Raises:
        ValueError: ``max_chars`` is too small for the summary, the error, the
            warnings and the API call table, which are never left out.
    """
    head = [_title(report), _summary_table(report)]
    if report.error:
        head.append(_error_block(report.error))
    if report.warnings:
        head.append(_warning_list(report.warnings))

    listed_failures = {detail.id for detail in report.failed_details}
    sections = [
        section
        for section in (
            _Section(
                "Failed distributions",
                "| Distribution | Error code | Message |\n|---|---|---|",
                [_failure_row(d) for d in report.failed_details],
                open=True,
            ),
            _Section(
                "Conflicts, left unchanged",
                "| Distribution | Behavior | Event type | Held by |\n|---|---|---|---|",
                list(_conflict_rows(report.changes)),
            ),
            _Section(
                "Distribution changes",
                "| Distribution | Outcome | Changes |\n|---|---|---|",
                [
                    _change_row(d)
                    for d in report.changes
                    if d.outcome != "conflict" and d.id not in listed_failures
                ],
            ),
        )
        if section.rows
    ]
    tail = [_api_calls(report.api_calls)] if report.api_calls else []

    total_rows = sum(len(section.rows) for section in sections)
    worst_footer = _footer(total_rows, total_rows, run_url)
    fixed = _join([*head, *(s.render() for s in sections), *tail, worst_footer])
    budget = max_chars - _size(fixed)
    if budget < 0:
        raise ValueError(
            f"max_chars={max_chars} is too small: the summary, error, warnings and "
            f"API call table alone take {_size(fixed) - _size(worst_footer)} bytes"
        )

    # Fill in priority order and stop at the first row that does not fit,
    # so the rows shown are always a prefix of each table.
    for section in sections:
        for row in section.rows:
            cost = (
                _size(row)
                + 1
                + (0 if section.shown_rows else _size(section.header) + 1)
            )
            if cost > budget:
                break
            section.shown_rows.append(row)
            budget -= cost
        else:
            continue
        break

    shown_count = sum(len(section.shown_rows) for section in sections)
    footer = _footer(total_rows - shown_count, total_rows, run_url)
    return _join([*head, *(s.render() for s in sections), *tail, footer])


def _title(report: Report) -> str:
    if report.status == "error":
        phrase = "failed"
    else:
        phrase = _TITLES.get((report.mode, report.status), report.status)
    return f"## edge-reconciler {report.mode}: {phrase}"


def _summary_table(report: Report) -> str:
    counts = report.distributions
    rows = [("Status", f"`{report.status}`")]
    if report.function is not None:
        function = report.function
        version = "none yet" if function.version is None else str(function.version)
        rows += [
            ("Function", f"`{_cell(function.name)}`"),
            ("Function action", f"{function.action}, target version {version}"),
            ("Code SHA-256", f"`{_cell(function.code_sha256)}`"),
        ]
        if function.previous_versions:
            previous = ", ".join(str(v) for v in function.previous_versions)
            rows.append(("Previous versions", previous))
    rows += [
        (
            "Lambda ARN",
            f"`{_cell(report.lambda_arn)}`" if report.lambda_arn else "none",
        ),
        ("Distributions selected", f"{counts.total:,}"),
        ("Drifted", f"{counts.drifted:,}"),
        ("Successful", f"{counts.successful:,}"),
        ("Failed", f"{counts.failed:,}"),
        ("Unchanged", f"{counts.unchanged:,}"),
        ("Skipped", f"{counts.skipped:,}"),
        ("Conflicts", f"{counts.conflicts:,}"),
        ("Excluded", f"{counts.excluded:,}"),
        ("Duration", f"{report.duration_s:.1f} s"),
        ("API calls", f"{sum(report.api_calls.values()):,}"),
    ]
    lines = ["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    return "\n".join(lines)


def _error_block(error: str) -> str:
    text = _shorten(error, MAX_ERROR_CHARS)
    # A fence longer than any backtick run inside cannot be closed early.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"**Error**\n\n{fence}text\n{text}\n{fence}"


def _warning_list(warnings: list[str]) -> str:
    lines = ["**Warnings**", ""]
    lines += [
        f"- {_inline(_shorten(w, MAX_CELL_CHARS))}" for w in warnings[:MAX_WARNINGS]
    ]
    if len(warnings) > MAX_WARNINGS:
        more = len(warnings) - MAX_WARNINGS
        lines.append(f"- {more:,} more warnings are in the JSON report.")
    return "\n".join(lines)


def _failure_row(detail: FailedDetail) -> str:
    message = _cell(_shorten(detail.message, MAX_CELL_CHARS))
    return f"| `{_cell(detail.id)}` | `{_cell(detail.error_code)}` | {message} |"


def _conflict_rows(changes: Iterable[DistributionReport]) -> Iterable[str]:
    for distribution in changes:
        for conflict in distribution.conflicts:
            yield (
                f"| `{_cell(distribution.id)}` | `{_cell(conflict.behavior)}` "
                f"| {_cell(conflict.event_type)} | `{_cell(conflict.holder)}` |"
            )


def _change_row(distribution: DistributionReport) -> str:
    parts = [_describe_change(change) for change in distribution.changes]
    if distribution.error_code:
        error = f"{distribution.error_code}: {distribution.message or ''}"
        parts.append(_cell(_shorten(error, MAX_CELL_CHARS)))
    details = "<br>".join(parts) or " "
    return f"| `{_cell(distribution.id)}` | {distribution.outcome} | {details} |"


def _describe_change(change: AssociationChange) -> str:
    where = f"`{_cell(change.behavior)}` {_cell(change.event_type)}"
    if change.from_arn is None:
        return f"{where}: add {_version(change.to_arn)}"
    if change.to_arn is None:
        return f"{where}: remove {_version(change.from_arn)}"
    return f"{where}: {_version(change.from_arn)} → {_version(change.to_arn)}"


def _version(arn: str | None) -> str:
    """Show a qualified function ARN as its version when it has one."""
    if arn is None:
        return "none"
    qualifier = arn.rsplit(":", 1)[-1]
    return f"v{qualifier}" if qualifier.isdigit() else f"`{_cell(arn)}`"


def _api_calls(api_calls: dict[str, int]) -> str:
    lines = [
        "<details>",
        f"<summary>API calls ({sum(api_calls.values()):,})</summary>",
        "",
        "| Operation | Calls |",
        "|---|---|",
        *(f"| {_cell(op)} | {n:,} |" for op, n in sorted(api_calls.items())),
        "",
        "</details>",
    ]
    return "\n".join(lines)


def _footer(left_out: int, total: int, run_url: str | None) -> str:
    if left_out == 0:
        return f"[Workflow run]({run_url})" if run_url else ""
    where = f"the [workflow run]({run_url})" if run_url else "the workflow run"
    return (
        f"**{left_out:,} of {total:,} detail rows were left out** to stay under "
        f"GitHub's size limit. The full report is the `reconciler-report` "
        f"artifact of {where}."
    )


def _cell(text: str) -> str:
    """Escape ``text`` for a table cell: no HTML, no line breaks, no pipes."""
    flat = " ".join(text.split())
    return html.escape(flat, quote=False).replace("|", "\\|")


def _inline(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _join(blocks: list[str]) -> str:
    return "\n\n".join(block for block in blocks if block) + "\n"
