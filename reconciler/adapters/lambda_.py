"""Lambda adapter: read the function and publish a version with guards."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from reconciler.adapters.aws import aws_call, error_code
from reconciler.core.arn import FunctionArn
from reconciler.core.function_plan import FunctionPlan, FunctionSettings, FunctionState
from reconciler.desired_state import DesiredState
from reconciler.errors import AwsError, ConcurrentDeployError

log = logging.getLogger(__name__)

_REVISION_CODES = frozenset({"PreconditionFailedException"})
_GUARD_CODES = _REVISION_CODES | {"InvalidParameterValueException"}
_WAITER = {"Delay": 1, "MaxAttempts": 300}


@dataclass(frozen=True)
class ObservedFunction:
    state: FunctionState
    configuration: Mapping[str, Any]  # $LATEST, as GetFunction returns it


def _settings(config: Mapping[str, Any]) -> FunctionSettings:
    return FunctionSettings(
        code_sha256=config["CodeSha256"],
        runtime=config.get("Runtime", ""),
        handler=config.get("Handler", ""),
        role=config.get("Role", ""),
        memory_mb=int(config.get("MemorySize", 0)),
        timeout_s=int(config.get("Timeout", 0)),
    )


class Lambda:
    def __init__(self, client: Any) -> None:
        self._client = client

    def observe(self, name: str) -> ObservedFunction | None:
        """Read ``$LATEST`` and all published versions; None if there is no function."""
        try:
            with aws_call("GetFunction", name):
                response = self._client.get_function(FunctionName=name)
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                log.debug("function %s does not exist", name)
                return None
            raise
        latest = response["Configuration"]

        versions: dict[int, FunctionSettings] = {}
        paginator = self._client.get_paginator("list_versions_by_function")
        with aws_call("ListVersionsByFunction", name):
            for page in paginator.paginate(FunctionName=name):
                for version in page["Versions"]:
                    if version["Version"].isdigit():
                        versions[int(version["Version"])] = _settings(version)
        log.debug("function %s has %d published versions", name, len(versions))

        arn = FunctionArn.require(latest["FunctionArn"])
        unqualified = FunctionArn(arn.partition, arn.region, arn.account, arn.name)
        state = FunctionState(
            unqualified, _settings(latest), latest["RevisionId"], versions
        )
        return ObservedFunction(state, latest)

    def create(self, desired: DesiredState, zip_bytes: bytes, code_sha256: str) -> int:
        """Create the function and publish version 1 of it."""
        spec = desired.function
        with aws_call("CreateFunction", spec.name):
            self._client.create_function(
                FunctionName=spec.name,
                Runtime=spec.runtime,
                Role=spec.role,
                Handler=spec.handler,
                Code={"ZipFile": zip_bytes},
                Description=spec.description,
                MemorySize=spec.memory_mb,
                Timeout=spec.timeout_s,
                Architectures=["x86_64"],
                Publish=False,
            )
        log.info("created function %s", spec.name)
        self._wait(spec.name, "function_active_v2")
        return self._publish(spec.name, code_sha256)

    def publish(
        self,
        desired: DesiredState,
        plan: FunctionPlan,
        state: FunctionState,
        zip_bytes: bytes,
        code_sha256: str,
    ) -> int:
        """Bring ``$LATEST`` to the desired code and settings, then publish it.

        Raises:
            ConcurrentDeployError: ``$LATEST`` changed under us (a guard failed).
        """
        spec = desired.function
        revision = state.revision_id
        if plan.update_code:
            with self._guarded("UpdateFunctionCode", spec.name):
                response = self._client.update_function_code(
                    FunctionName=spec.name, ZipFile=zip_bytes, RevisionId=revision
                )
            log.info("updated code of %s to %s", spec.name, response["CodeSha256"])
            revision = self._wait(spec.name, "function_updated_v2")
        if plan.update_config:
            with self._guarded("UpdateFunctionConfiguration", spec.name):
                self._client.update_function_configuration(
                    FunctionName=spec.name,
                    Runtime=spec.runtime,
                    Role=spec.role,
                    Handler=spec.handler,
                    Description=spec.description,
                    MemorySize=spec.memory_mb,
                    Timeout=spec.timeout_s,
                    RevisionId=revision,
                )
            log.info("updated configuration of %s", spec.name)
            self._wait(spec.name, "function_updated_v2")
        return self._publish(spec.name, code_sha256)

    def _publish(self, name: str, code_sha256: str) -> int:
        config = self._latest(name)
        if config["CodeSha256"] != code_sha256:
            raise ConcurrentDeployError(
                f"$LATEST of {name} has code {config['CodeSha256']}, expected "
                f"{code_sha256}: someone else deployed meanwhile. Nothing was "
                "published; rerun once that deploy is finished.",
                operation="PublishVersion",
                code="CodeSha256Mismatch",
                resource=name,
            )
        with self._guarded("PublishVersion", name):
            response = self._client.publish_version(
                FunctionName=name,
                CodeSha256=code_sha256,
                RevisionId=config["RevisionId"],
            )
        version = int(response["Version"])
        log.info("published %s version %d (%s)", name, version, code_sha256)
        return version

    def _latest(self, name: str) -> Mapping[str, Any]:
        with aws_call("GetFunctionConfiguration", name):
            config: Mapping[str, Any] = self._client.get_function_configuration(
                FunctionName=name
            )
        return config

    def _wait(self, name: str, waiter: str) -> str:
        try:
            self._client.get_waiter(waiter).wait(
                FunctionName=name, WaiterConfig=_WAITER
            )
        except WaiterError as exc:
            raise AwsError(
                f"function {name} did not become ready ({waiter}): {exc}",
                operation="GetFunctionConfiguration",
                code="WaiterError",
                resource=name,
            ) from exc
        return str(self._latest(name)["RevisionId"])

    def _guarded(self, operation: str, name: str) -> _Guard:
        # InvalidParameterValueException means a CodeSha256 mismatch only on
        # PublishVersion; elsewhere it is a plain invalid request.
        codes = _GUARD_CODES if operation == "PublishVersion" else _REVISION_CODES
        return _Guard(operation, name, codes)


class _Guard:
    """Turn a guard failure into ``ConcurrentDeployError``; map the rest."""

    def __init__(self, operation: str, name: str, codes: frozenset[str]) -> None:
        self.operation = operation
        self.name = name
        self.codes = codes

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, BotoCoreError):
            raise AwsError(
                f"{self.operation} on {self.name} failed: {exc}; nothing more was "
                "written, rerun to continue from the current state",
                operation=self.operation,
                code=type(exc).__name__,
                resource=self.name,
            ) from exc
        if not isinstance(exc, ClientError):
            return
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        if code in self.codes:
            raise ConcurrentDeployError(
                f"{self.operation} on {self.name} was rejected by its guard ({code}: "
                f"{message}): someone else changed the function meanwhile. Nothing "
                "more was written; rerun to plan against the new state.",
                operation=self.operation,
                code=code,
                resource=self.name,
            ) from exc
        raise AwsError(
            f"{self.operation} on {self.name} failed: {code}: {message}",
            operation=self.operation,
            code=code,
            resource=self.name,
        ) from exc
