"""WSGI middleware in front of moto: counting, faults and fidelity fixes.

Each request is identified as ``service:Operation`` and counted, then gets
its latency, rate limit and injected fault, and is finally handled by the
CloudFront store, by moto behind the Lambda guard, or by moto alone.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.test import run_wsgi_app

from reconciler.sandbox import cloudfront_xml, control, tagging
from reconciler.sandbox.cloudfront_api import CloudFrontApi, Response
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.lambda_guard import LambdaGuard
from reconciler.sandbox.operations import Operation, identify

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Call:
    """One incoming request, with its body already read."""

    environ: dict[str, Any]
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class CallCounter:
    """Thread-safe count of calls by ``service:Operation``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._writes: Counter[str] = Counter()
        self.foreign_edits: list[str] = []

    def record(self, operation: Operation) -> None:
        with self._lock:
            self._calls[operation.key] += 1
            if operation.is_write:
                self._writes[operation.key] += 1

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def writes(self) -> dict[str, int]:
        with self._lock:
            return dict(self._writes)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._writes.clear()
            self.foreign_edits.clear()


def fault_response(operation: Operation, kind: str) -> Response:
    """Build a throttling or server error in the protocol of the called service."""
    if operation.service == "lambda":
        if kind == "throttle":
            body = {
                "Type": "User",
                "message": "Rate exceeded",
                "Reason": "CallerRateLimitExceeded",
            }
            code, status = "TooManyRequestsException", 429
        else:
            body = {"Type": "Service", "message": "An internal service error occurred."}
            code, status = "ServiceException", 500
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        return status, headers, json.dumps(body).encode()
    if operation.service == "tagging":
        code, status = (
            ("ThrottledException", 400)
            if kind == "throttle"
            else ("InternalServiceException", 500)
        )
        body = {
            "__type": code,
            "Message": "Rate exceeded" if kind == "throttle" else "Internal error",
        }
        return (
            status,
            {"Content-Type": "application/x-amz-json-1.1"},
            json.dumps(body).encode(),
        )
    if kind == "throttle":
        xml = cloudfront_xml.error_body("Throttling", "Rate exceeded")
        return 400, {"Content-Type": "text/xml"}, xml
    xml = cloudfront_xml.error_body(
        "ServiceUnavailable", "Service is unavailable. Retry later.", False
    )
    return 503, {"Content-Type": "text/xml"}, xml


class SandboxMiddleware:
    """The WSGI application that the sandbox server runs."""

    def __init__(
        self,
        *,
        moto_app: WsgiApp,
        api: CloudFrontApi,
        guard: LambdaGuard,
        faults: FaultInjector,
        counter: CallCounter,
        controls: control.ControlEndpoint,
    ) -> None:
        self._moto = moto_app
        self._api = api
        self._guard = guard
        self._faults = faults
        self._counter = counter
        self._controls = controls

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if path.startswith(control.PREFIX):
            return self._send(
                start_response,
                self._controls.handle(environ["REQUEST_METHOD"], path, body),
            )

        operation = identify(environ["REQUEST_METHOD"], path, query, headers, body)
        if operation is None:
            return self._moto(environ, start_response)
        self._counter.record(operation)

        response = self._inject(operation)
        if response is None:
            call = Call(environ, path, query, headers, body)
            response = self._dispatch(operation, call)
        return self._send(start_response, response)

    def _inject(self, operation: Operation) -> Response | None:
        latency = self._faults.latency_s(operation)
        if latency > 0:
            time.sleep(latency)
        if not self._faults.allow(operation):
            logger.debug("throttled %s", operation.key)
            return fault_response(operation, "throttle")
        if self._faults.inject_timeout():
            timeout_s = self._api_timeout_s()
            logger.debug("holding %s for %.1f s", operation.key, timeout_s)
            time.sleep(timeout_s)
            return fault_response(operation, "error")
        if self._faults.inject_error():
            return fault_response(operation, "error")
        return None

    def _api_timeout_s(self) -> float:
        return self._controls.settings.current.timeout_s

    def _dispatch(self, operation: Operation, call: Call) -> Response:
        environ, path, query = call.environ, call.path, call.query
        headers, body = call.headers, call.body
        if operation.service == "cloudfront" and self._api.handles(operation.name):
            if (
                operation.name == "UpdateDistribution"
                and self._faults.concurrent_write()
            ):
                distribution_id = path.split("/")[3]
                if self._api.store.edit_as_foreign_writer(distribution_id):
                    self._counter.foreign_edits.append(distribution_id)
            return self._api.handle(operation.name, path, query, headers, body)

        if operation.service == "lambda":
            refused = self._guard.before(operation, path, headers, body)
            if refused is not None:
                return refused
            status, response_headers, response_body = self._forward(environ)
            response_body = self._guard.after(
                operation, path, headers, status, response_body
            )
            return status, response_headers, response_body

        if operation.key == "tagging:GetResources":
            request = json.loads(body or b"{}")
            if tagging.wants_cloudfront_only(request):
                return (
                    200,
                    {"Content-Type": "application/x-amz-json-1.1"},
                    tagging.get_resources(self._api.store, request),
                )
            status, response_headers, response_body = self._forward(environ)
            if status == 200 and tagging.wants_cloudfront(request):
                response_body = tagging.merge_into(
                    response_body, self._api.store, request
                )
            return status, response_headers, response_body

        return self._forward(environ)

    def _forward(self, environ: dict[str, Any]) -> Response:
        app_iter, status, headers = run_wsgi_app(self._moto, environ, buffered=True)
        body = b"".join(app_iter)
        kept = {
            k: v
            for k, v in headers.items()
            if k.lower() not in ("content-length", "transfer-encoding")
        }
        return int(status.split(" ", 1)[0]), kept, body

    @staticmethod
    def _send(
        start_response: Callable[..., Any], response: Response
    ) -> Iterable[bytes]:
        status, headers, body = response
        headers = {**headers, "Content-Length": str(len(body))}
        headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        start_response(
            f"{status} {_REASONS.get(status, 'Unknown')}", list(headers.items())
        )
        return [body]
