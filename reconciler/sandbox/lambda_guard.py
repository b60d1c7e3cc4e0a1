"""Lambda behaviour that moto 5.2.1 lacks, applied around its Lambda API.

- ``PublishVersion`` honours ``CodeSha256`` (``InvalidParameterValueException``)
  and ``RevisionId`` (``PreconditionFailedException``).
- After ``UpdateFunctionCode`` or ``UpdateFunctionConfiguration`` the function
  reports ``LastUpdateStatus: InProgress`` for a configurable time, during
  which publishing or updating again fails with ``ResourceConflictException``.
- Publishing when neither code nor configuration differs from the newest
  version returns that version; moto publishes a new one after an update that
  re-sent identical code.
- Functions carry a ``RevisionId``, which moto does not return at all.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any
from urllib.parse import unquote

from moto.awslambda.exceptions import UnknownFunctionException
from moto.awslambda.models import LambdaFunction, lambda_backends

from reconciler.sandbox.operations import Operation
from reconciler.sandbox.settings import ACCOUNT_ID, SettingsHolder

Response = tuple[int, dict[str, str], bytes]
_FUNCTION_PATH = re.compile(r"^/[\d-]+/functions/(?P<name>[^/]+)")
# Configuration that makes a version differ from the one before it.
_VERSIONED_KEYS = (
    "Runtime",
    "Handler",
    "Role",
    "MemorySize",
    "Timeout",
    "Environment",
    "Layers",
    "VpcConfig",
    "TracingConfig",
    "Architectures",
    "EphemeralStorage",
    "DeadLetterConfig",
    "Description",
)
_UPDATES = ("UpdateFunctionCode", "UpdateFunctionConfiguration")
_LATEST_READS = ("GetFunction", "GetFunctionConfiguration")


def error(status: int, code: str, message: str) -> Response:
    """Build a Lambda REST-JSON error that botocore maps to ``code``."""
    body = json.dumps({"Type": "User", "message": message}).encode()
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return status, headers, body


def lookup(account: str, region: str, name_or_arn: str) -> LambdaFunction | None:
    """Return the ``$LATEST`` function from moto's backend, or None."""
    try:
        function: LambdaFunction = lambda_backends[account][region].get_function(
            name_or_arn
        )
    except UnknownFunctionException:
        return None
    return function


def published_versions(account: str, region: str, name: str) -> list[LambdaFunction]:
    """Return the numbered versions of a function, oldest first."""
    # moto keeps versions in a private dict; reading it directly avoids the
    # copies of its public listing, which matters when 5,000 configs validate.
    # The exact moto pin keeps this attribute stable.
    entry = lambda_backends[account][region]._lambdas._functions.get(name)
    return list(entry["versions"]) if entry else []


def _versioned_config(function: LambdaFunction) -> dict[str, Any]:
    config = function.get_configuration()
    return {key: config.get(key) for key in _VERSIONED_KEYS}


class LambdaGuard:
    """State and checks that wrap moto's Lambda responses."""

    def __init__(self, settings: SettingsHolder) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._updating_until: dict[str, float] = {}
        self._revisions: dict[str, str] = {}

    def revision_id(self, function_arn: str) -> str:
        with self._lock:
            return self._revisions.setdefault(function_arn, str(uuid.uuid4()))

    def _rotate_revision(self, function_arn: str) -> None:
        with self._lock:
            self._revisions[function_arn] = str(uuid.uuid4())

    def updating(self, function_arn: str) -> bool:
        with self._lock:
            return time.monotonic() < self._updating_until.get(function_arn, 0.0)

    def _target(
        self, operation: Operation, path: str, headers: dict[str, str]
    ) -> LambdaFunction | None:
        match = _FUNCTION_PATH.match(path)
        if match is None:
            return None
        account = headers.get("x-moto-account-id", ACCOUNT_ID)
        return lookup(account, operation.region, unquote(match["name"]))

    def before(
        self, operation: Operation, path: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        """Return an error response if the call must fail before it reaches moto."""
        if operation.name not in ("PublishVersion", *_UPDATES):
            return None
        function = self._target(operation, path, headers)
        if function is None:
            return None  # moto returns ResourceNotFoundException itself.
        arn = function.function_arn

        if self.updating(arn):
            return error(
                409,
                "ResourceConflictException",
                f"The operation cannot be performed at this time. An update is in "
                f"progress for resource: {arn}",
            )
        if operation.name != "PublishVersion":
            return None
        refused = self._check_publish(function, body)
        if refused is None:
            self._decide_publish(operation, function, headers)
        return refused

    def _check_publish(self, function: LambdaFunction, body: bytes) -> Response | None:
        arn = function.function_arn
        request = json.loads(body or b"{}")
        expected_sha = request.get("CodeSha256")
        if expected_sha and expected_sha != function.code_sha_256:
            return error(
                400,
                "InvalidParameterValueException",
                f"CodeSHA256 ({expected_sha}) is different from current CodeSHA256 "
                f"in $LATEST ({function.code_sha_256}). Please try again with the "
                f"CodeSHA256 in $LATEST.",
            )
        expected_revision = request.get("RevisionId")
        if expected_revision and expected_revision != self.revision_id(arn):
            return error(
                412,
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id. "
                "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            )
        return None

    def _decide_publish(
        self, operation: Operation, function: LambdaFunction, headers: dict[str, str]
    ) -> None:
        account = headers.get("x-moto-account-id", ACCOUNT_ID)
        published = published_versions(
            account, operation.region, function.function_name
        )
        if not published:
            return
        newest = published[-1]
        same_code = newest.code_sha_256 == function.code_sha_256
        same_config = _versioned_config(newest) == _versioned_config(function)
        unchanged = same_code and same_config
        # moto publishes whenever an update happened since the last version, even
        # one that re-sent identical code; AWS compares code and configuration.
        function.code_or_config_updated = not unchanged

    def after(
        self,
        operation: Operation,
        path: str,
        headers: dict[str, str],
        status: int,
        body: bytes,
    ) -> bytes:
        """Record updates and add ``RevisionId`` and ``LastUpdateStatus`` to replies."""
        if status >= 300 or operation.name not in (
            "CreateFunction",
            "PublishVersion",
            *_UPDATES,
            *_LATEST_READS,
        ):
            return body
        document = json.loads(body)
        config = document.get("Configuration", document)
        arn = config.get("FunctionArn", "")
        latest = arn.count(":") == 6
        if operation.name in _UPDATES or operation.name == "CreateFunction":
            self._rotate_revision(arn)
            if operation.name in _UPDATES:
                delay = self._settings.current.lambda_update_delay_s
                with self._lock:
                    self._updating_until[arn] = time.monotonic() + delay
        if latest:
            config["RevisionId"] = self.revision_id(arn)
            if self.updating(arn):
                config["LastUpdateStatus"] = "InProgress"
                config["LastUpdateStatusReason"] = "The function is being updated."
                config["LastUpdateStatusReasonCode"] = "InProgress"
        else:
            # NOTE: a published version gets a fresh RevisionId on every read;
            # AWS keeps one per version. Nothing in the sandbox compares them.
            config["RevisionId"] = str(uuid.uuid4())
        code = document.get("Code")
        if isinstance(code, dict) and "Location" in code:
            # moto returns a download URL on an amazonaws.com host. The sandbox
            # must never send a client off this machine, so the URL is blanked.
            code["Location"] = ""
        return json.dumps(document).encode()
