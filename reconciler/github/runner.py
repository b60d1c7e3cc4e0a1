"""Files and workflow commands that the Actions runner reads from a step.

These need no network: the step summary, the step outputs, error annotations
and the JSON report that the workflow uploads as an artifact.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from reconciler.report.model import Report

MAX_ANNOTATIONS = 5


def append_step_summary(path: Path, markdown: str) -> None:
    """Append ``markdown`` to the step summary file, as other steps may write too."""
    with path.open("a", encoding="utf-8") as file:
        file.write(markdown)
        if not markdown.endswith("\n"):
            file.write("\n")


def append_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT`` as ``name=value`` or a heredoc."""
    with path.open("a", encoding="utf-8") as file:
        for name, value in outputs.items():
            if "\n" in value or "\r" in value:
                delimiter = f"EOF_{secrets.token_hex(16)}"
                file.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                file.write(f"{name}={value}\n")


def report_outputs(report: Report, *, kind: str, exit_code: int) -> dict[str, str]:
    """Return the key figures of ``report`` as step outputs."""
    counts = report.distributions
    return {
        "kind": kind,
        "mode": report.mode,
        "status": report.status,
        "exit_code": str(exit_code),
        "has_drift": "true" if report.has_drift else "false",
        "lambda_arn": report.lambda_arn or "",
        "total": str(counts.total),
        "drifted": str(counts.drifted),
        "successful": str(counts.successful),
        "failed": str(counts.failed),
        "unchanged": str(counts.unchanged),
        "skipped": str(counts.skipped),
        "conflicts": str(counts.conflicts),
        "excluded": str(counts.excluded),
    }


def write_report_json(path: Path, report: Report) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")


def print_annotations(report: Report, stream: TextIO) -> None:
    """Print one ``::error`` workflow command per failed distribution.

    Only the first ``MAX_ANNOTATIONS`` failures get their own annotation, and
    one more gives the number of the rest.
    """
    if report.error:
        print(_command("error", "Reconcile failed", report.error), file=stream)

    failures = report.failed_details
    for detail in failures[:MAX_ANNOTATIONS]:
        title = f"Distribution {detail.id} failed"
        print(
            _command("error", title, f"{detail.error_code}: {detail.message}"),
            file=stream,
        )
    if len(failures) > MAX_ANNOTATIONS:
        rest = len(failures) - MAX_ANNOTATIONS
        message = (
            f"{rest} more distributions failed. The step summary and the "
            "reconciler-report artifact list them all."
        )
        print(_command("error", "More failed distributions", message), file=stream)


def print_warning(title: str, message: str, stream: TextIO) -> None:
    print(_command("warning", title, message), file=stream)


def _command(level: str, title: str, message: str) -> str:
    return f"::{level} title={_escape_property(title)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    # The runner decodes these three escapes in a workflow command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
