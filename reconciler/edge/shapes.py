"""Validate what a Lambda@Edge handler returns, as CloudFront would read it.

Each function returns a list of problems, empty when the value is valid.
The rules follow the CloudFront Developer Guide pages on the Lambda@Edge event
structure and on generating responses in request triggers. Header keys are
lowercase and map to lists of ``{"key", "value"}``, and a generated response
needs only ``status``, a string.
"""

from __future__ import annotations

from typing import Any

REQUEST_EVENTS = frozenset({"viewer-request", "origin-request"})
_GENERATED_BODY_LIMIT = {"viewer-request": 40 * 1024, "origin-request": 1024 * 1024}


def problems_in_result(event_type: str, result: Any) -> list[str]:
    """List what CloudFront would reject in ``result`` for ``event_type``."""
    if not isinstance(result, dict):
        return [f"returned {type(result).__name__}, not an object"]
    if event_type not in REQUEST_EVENTS:
        return _problems_in_response(result)
    if "uri" not in result and "status" in result:
        return _problems_in_generated_response(event_type, result)
    return _problems_in_request(event_type, result)


def _problems_in_request(event_type: str, request: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    uri = request.get("uri")
    if not isinstance(uri, str) or not uri.startswith("/"):
        problems.append(f"request uri {uri!r} must be a string starting with '/'")
    if not isinstance(request.get("method"), str):
        problems.append("request method is missing")
    if "querystring" in request and not isinstance(request["querystring"], str):
        problems.append("request querystring must be a string")
    problems += _problems_in_headers("request", request.get("headers"))
    if event_type == "origin-request":
        problems += _problems_in_origin(request.get("origin"))
    return problems


def _problems_in_origin(origin: Any) -> list[str]:
    if (
        not isinstance(origin, dict)
        or len(origin) != 1
        or next(iter(origin))
        not in {
            "custom",
            "s3",
        }
    ):
        return ["request origin must be an object with exactly one of custom or s3"]
    kind, spec = next(iter(origin.items()))
    if not isinstance(spec, dict):
        return [f"request origin.{kind} must be an object"]

    problems: list[str] = []
    domain = spec.get("domainName")
    if not isinstance(domain, str) or not domain:
        problems.append(f"origin.{kind}.domainName is missing")
    path = spec.get("path", "")
    if not isinstance(path, str) or (path and not path.startswith("/")):
        problems.append(f"origin.{kind}.path {path!r} must be empty or start with '/'")
    problems += _problems_in_headers(
        f"origin.{kind}.customHeaders", spec.get("customHeaders")
    )
    if kind == "custom":
        port = spec.get("port")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append(f"origin.custom.port {port!r} must be an integer 1-65535")
        if spec.get("protocol") not in {"http", "https"}:
            problems.append(
                f"origin.custom.protocol {spec.get('protocol')!r} must be http or https"
            )
        if not isinstance(spec.get("sslProtocols"), list) or not spec["sslProtocols"]:
            problems.append("origin.custom.sslProtocols must be a non-empty list")
    return problems


def _problems_in_generated_response(
    event_type: str, response: dict[str, Any]
) -> list[str]:
    problems = _problems_in_response(response)
    body = response.get("body")
    if body is not None and not isinstance(body, str):
        problems.append("generated response body must be a string")
    elif body is not None:
        limit = _GENERATED_BODY_LIMIT[event_type]
        if len(body.encode("utf-8")) > limit:
            problems.append(f"generated response body exceeds the {limit}-byte limit")
        if response.get("status") == "204" and body:
            problems.append("a generated 204 response must have no body")
    return problems


def _problems_in_response(response: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    status = response.get("status")
    if not isinstance(status, str) or not (status.isdigit() and len(status) == 3):
        problems.append(f"response status {status!r} must be a three-digit string")
    if "headers" in response:
        problems += _problems_in_headers("response", response["headers"])
    return problems


def _problems_in_headers(where: str, headers: Any) -> list[str]:
    if headers is None:
        return [] if where != "request" else ["request headers are missing"]
    if not isinstance(headers, dict):
        return [f"{where} headers must be an object"]

    problems: list[str] = []
    for name, entries in headers.items():
        if name != name.lower():
            problems.append(f"{where} header {name!r} must be a lowercase key")
        if not isinstance(entries, list) or not entries:
            problems.append(f"{where} header {name!r} must be a non-empty list")
            continue
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                problems.append(f"{where} header {name!r} entries need a string value")
            elif "key" in entry and str(entry["key"]).lower() != name:
                problems.append(
                    f"{where} header {name!r} has an entry keyed {entry['key']!r}"
                )
    return problems
