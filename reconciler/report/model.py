"""The run report: one per ``plan`` or ``apply``, rendered as JSON, Markdown or text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["success", "no_changes", "partial", "halted", "error"]
Mode = Literal["plan", "apply"]
FunctionActionKind = Literal["none", "create", "publish", "reuse", "pin"]
Outcome = Literal["planned", "updated", "failed", "skipped", "unchanged", "conflict"]


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunctionReport(ReportModel):
    """The Lambda function step of a run: the action and the target version."""

    name: str
    action: FunctionActionKind
    version: int | None = Field(description="Target version; None until published.")
    previous_versions: list[int] = Field(
        default_factory=list, description="Versions the selected behaviors used before."
    )
    code_sha256: str = Field(description="Base64 SHA-256 of the deterministic zip.")
    package_bytes: int = 0


class AssociationChange(ReportModel):
    """One Lambda@Edge association changed on one cache behavior."""

    behavior: str = Field(description="'default' or the behavior's path pattern.")
    event_type: str
    from_arn: str | None = Field(description="None when the association is added.")
    to_arn: str | None = Field(description="None when the association is removed.")


class Conflict(ReportModel):
    """An event type held by something else, reported and never overwritten."""

    behavior: str
    event_type: str
    holder: str = Field(description="ARN of the other function or CloudFront Function.")


class DistributionReport(ReportModel):
    id: str
    outcome: Outcome
    changes: list[AssociationChange] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    error_code: str | None = None
    message: str | None = None
    attempts: int = 0


class FailedDetail(ReportModel):
    id: str
    error_code: str
    message: str


class Counts(ReportModel):
    total: int = Field(0, description="Selected distributions.")
    drifted: int = Field(0, description="Selected distributions that need a change.")
    successful: int = 0
    failed: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts: int = 0
    excluded: int = 0


class Report(ReportModel):
    mode: Mode
    status: Status
    lambda_arn: str | None = Field(description="Qualified ARN of the target version.")
    function: FunctionReport | None = None
    distributions: Counts = Field(default_factory=Counts)
    failed_details: list[FailedDetail] = Field(default_factory=list)
    changes: list[DistributionReport] = Field(
        default_factory=list,
        description="Every distribution that drifted, conflicted or failed.",
    )
    warnings: list[str] = Field(default_factory=list)
    error: str | None = Field(None, description="Set when status is 'error'.")
    duration_s: float = 0.0
    rollout_s: float = Field(
        0.0, description="Seconds spent patching distributions, within duration_s."
    )
    api_calls: dict[str, int] = Field(
        default_factory=dict, description="Calls by 'service:Operation'."
    )

    @property
    def has_drift(self) -> bool:
        return self.distributions.drifted > 0 or (
            self.function is not None and self.function.action in {"create", "publish"}
        )
