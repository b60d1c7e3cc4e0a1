"""Name the AWS operation of an HTTP request, as ``service:Operation``.

The REST services (CloudFront, Lambda) are routed by method and path with the
request URIs of botocore's own service models, so every operation of those
APIs gets its real name. JSON services use the ``X-Amz-Target`` header and
query services (IAM, STS) the ``Action`` parameter.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

import botocore.session

# Signing name in the SigV4 credential scope -> botocore service name.
SERVICES = {
    "cloudfront": "cloudfront",
    "lambda": "lambda",
    "tagging": "resourcegroupstaggingapi",
    "iam": "iam",
    "sts": "sts",
}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
READ_PREFIXES = ("Get", "List", "Describe", "Head")


@dataclass(frozen=True)
class Operation:
    """An identified request: signing service, region and operation name."""

    service: str
    region: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def is_write(self) -> bool:
        return not self.name.startswith(READ_PREFIXES)


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    query_keys: frozenset[tuple[str, str]]
    specificity: tuple[int, int]
    name: str


def _compile_uri(
    request_uri: str,
) -> tuple[re.Pattern[str], frozenset[tuple[str, str]]]:
    path, _, query = request_uri.partition("?")
    query_keys = frozenset(
        (key, value)
        for key, _, value in (part.partition("=") for part in query.split("&") if part)
    )
    regex = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            regex += "(.+)" if piece.endswith("+}") else "([^/]+)"
        else:
            regex += re.escape(piece)
    return re.compile(f"^{regex}/?$"), query_keys


@functools.cache
def _routes(service_name: str) -> tuple[_Route, ...]:
    model = botocore.session.get_session().get_service_model(service_name)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        pattern, query_keys = _compile_uri(http["requestUri"])
        literal = len(re.sub(r"\{[^}]+\}", "", http["requestUri"]))
        routes.append(
            _Route(
                http["method"], pattern, query_keys, (len(query_keys), literal), name
            )
        )
    # Literal paths and query constraints first, so ``/distribution?WithTags``
    # wins over ``/distribution`` and ``/functions/{F}/versions`` over
    # ``/functions/{F}``.
    routes.sort(key=lambda route: route.specificity, reverse=True)
    return tuple(routes)


def _matches_query(route: _Route, query: dict[str, list[str]]) -> bool:
    for key, value in route.query_keys:
        if key not in query:
            return False
        if value and query[key][0] != value:
            return False
    return True


def route_rest(service_name: str, method: str, path: str, query: str) -> str | None:
    """Return the operation name that a REST request addresses, or None."""
    parsed = parse_qs(query, keep_blank_values=True)
    for route in _routes(service_name):
        method_and_path = route.method == method and route.pattern.match(path)
        if method_and_path and _matches_query(route, parsed):
            return route.name
    return None


def identify(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> Operation | None:
    """Identify the operation of a request, or return None if it is not AWS's."""
    scope = _SCOPE.search(headers.get("authorization", ""))
    if scope is None:
        return None
    region, signing_name = scope.group(1), scope.group(2)
    service_name = SERVICES.get(signing_name)
    name: str | None = None

    if service_name in ("cloudfront", "lambda"):
        name = route_rest(service_name, method, path, query)
    elif "x-amz-target" in headers:
        name = headers["x-amz-target"].rpartition(".")[2]
    else:
        params = parse_qs(query) or parse_qs(body.decode("utf-8", "replace"))
        actions = params.get("Action")
        name = actions[0] if actions else None

    if name is None:
        name = f"Unknown{method.title()}"
    return Operation(signing_name, region, name)
