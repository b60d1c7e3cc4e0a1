"""Decide what to do with the Lambda function: nothing, create, publish or reuse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reconciler.core.arn import FunctionArn
from reconciler.desired_state import DesiredState
from reconciler.errors import InputError

Action = Literal["none", "create", "publish", "reuse", "pin"]


@dataclass(frozen=True)
class FunctionSettings:
    """The settings that make two versions interchangeable, code hash included."""

    code_sha256: str
    runtime: str
    handler: str
    role: str
    memory_mb: int
    timeout_s: int

    @classmethod
    def desired(cls, desired: DesiredState, code_sha256: str) -> FunctionSettings:
        spec = desired.function
        return cls(
            code_sha256,
            spec.runtime,
            spec.handler,
            spec.role,
            spec.memory_mb,
            spec.timeout_s,
        )

    def config_differs(self, other: FunctionSettings) -> bool:
        return (
            self.runtime,
            self.handler,
            self.role,
            self.memory_mb,
            self.timeout_s,
        ) != (
            other.runtime,
            other.handler,
            other.role,
            other.memory_mb,
            other.timeout_s,
        )


@dataclass(frozen=True)
class FunctionState:
    """``$LATEST`` and the published versions, as Lambda reports them."""

    arn: FunctionArn  # unqualified
    latest: FunctionSettings
    revision_id: str
    versions: dict[int, FunctionSettings]


@dataclass(frozen=True)
class FunctionPlan:
    action: Action
    version: int | None  # the target version; None until a publish
    update_code: bool = False
    update_config: bool = False


def plan_function(
    desired: DesiredState, code_sha256: str, state: FunctionState | None
) -> FunctionPlan:
    """Plan the function step.

    A published version with the desired hash and settings is reused (the
    newest one when several match), so a revert commit publishes nothing.

    Raises:
        InputError: ``pin_version`` names a version that does not exist.
    """
    want = FunctionSettings.desired(desired, code_sha256)
    if desired.pin_version is not None:
        return _plan_pin(desired.function.name, desired.pin_version, state)
    if state is None:
        return FunctionPlan("create", None, update_code=True, update_config=True)

    matching = [
        number for number, settings in state.versions.items() if settings == want
    ]
    if matching:
        best = max(matching)
        action: Action = "none" if best == max(state.versions) else "reuse"
        return FunctionPlan(action, best)
    return FunctionPlan(
        "publish",
        None,
        update_code=state.latest.code_sha256 != code_sha256,
        update_config=state.latest.config_differs(want),
    )


def _plan_pin(name: str, version: int, state: FunctionState | None) -> FunctionPlan:
    if state is None:
        raise InputError(
            f"pin_version {version} cannot be used: function {name} does not exist "
            "in us-east-1; remove pin_version to create it"
        )
    if version not in state.versions:
        published = ", ".join(str(n) for n in sorted(state.versions)) or "none"
        raise InputError(
            f"pin_version {version} does not exist for function {name} "
            f"(published versions: {published}); pick one of them or remove pin_version"
        )
    return FunctionPlan("pin", version)
