"""The result type of the pre-deploy checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from reconciler.errors import PreDeployCheckError


@dataclass(frozen=True)
class Finding:
    """One check result; ``message`` names the problem and the fix."""

    level: Literal["error", "warning"]
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def error(check: str, message: str) -> Finding:
    """Return an error finding: it stops ``plan`` and ``apply``."""
    return Finding("error", check, message)


def warning(check: str, message: str) -> Finding:
    """Return a warning finding: it is reported and stops nothing."""
    return Finding("warning", check, message)


def raise_for_errors(findings: Iterable[Finding]) -> None:
    """Raise ``PreDeployCheckError`` listing every error finding, if any."""
    errors = [str(finding) for finding in findings if finding.level == "error"]
    if errors:
        raise PreDeployCheckError(errors)
