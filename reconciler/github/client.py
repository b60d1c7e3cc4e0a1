"""A github3.py client for the Actions API URL, with bounded retries.

Retries wrap whole publishing operations, each of which first looks for what
an earlier attempt may have written (a comment or issue carrying a hidden
marker), so repeating one after a 5xx never posts the same report twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import github3
from github3.exceptions import GitHubError as GitHub3ResponseError
from github3.exceptions import (
    GitHubException,
    IncompleteResponse,
    TransportError,
    UnprocessableResponseBody,
)
from github3.session import GitHubSession

from reconciler.errors import GitHubError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Sent as X-GitHub-Api-Version, which selects the REST API version GitHub serves.
API_VERSION = "2022-11-28"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a GitHub operation.

    5xx responses and connection errors are retried ``attempts - 1`` times after
    ``backoff_s``, doubled each time. A rate limit (429, or 403 with
    ``Retry-After`` or ``X-RateLimit-Remaining: 0``) waits as long as GitHub requests,
    unless that is longer than ``max_wait_s``, when the operation gives up.
    """

    attempts: int = 4
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time


DEFAULT_RETRY = RetryPolicy()


def connect(api_url: str, token: str) -> github3.GitHub:
    """Return a client that sends every request to ``api_url`` with ``token``.

    ``GITHUB_API_URL`` is already the REST root (``https://api.github.com`` or
    ``https://HOST/api/v3`` on GitHub Enterprise Server). github3.py's
    ``GitHubEnterprise`` would append another ``/api/v3``, so the session's
    base URL is set directly instead.
    """
    session = GitHubSession(default_connect_timeout=5, default_read_timeout=30)
    session.base_url = api_url.rstrip("/")
    return github3.GitHub(token=token, session=session, api_version=API_VERSION)


def call_with_retry(operation: str, action: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``action``, retrying as ``policy`` allows.

    Raises:
        GitHubError: The last attempt failed, or the failure is not worth
            retrying (bad token, missing permission, validation error).
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return action()
        except (IncompleteResponse, UnprocessableResponseBody) as exc:
            # A body github3.py cannot parse will not parse on a retry either.
            raise GitHubError(f"GitHub {operation} failed: {exc}") from exc
        except GitHub3ResponseError as exc:
            status = exc.code
            delay = _retry_delay(exc, attempt, policy)
            detail = f"HTTP {status} {exc.msg or ''}".strip()
            error = exc
        except TransportError as exc:
            delay = _backoff(policy, attempt)
            detail = f"connection failed: {exc.exception}"
            error = exc
        except GitHubException as exc:
            raise GitHubError(f"GitHub {operation} failed: {exc}") from exc

        if delay is None or attempt == policy.attempts:
            raise GitHubError(
                f"GitHub {operation} failed after {attempt} attempt(s): {detail}"
            ) from error
        log.warning(
            "GitHub %s failed (%s); retrying in %.1f s, attempt %d of %d",
            operation,
            detail,
            delay,
            attempt + 1,
            policy.attempts,
        )
        policy.sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


def _retry_delay(
    exc: GitHub3ResponseError, attempt: int, policy: RetryPolicy
) -> float | None:
    """Return the seconds to wait before the next attempt, or None to give up."""
    headers: Mapping[str, str] = exc.response.headers
    rate_limited = exc.code == 429 or (
        exc.code == 403
        and (
            "Retry-After" in headers
            or headers.get("X-RateLimit-Remaining") == "0"
            or "rate limit" in str(exc.msg or "").lower()
        )
    )
    if rate_limited:
        wait = _rate_limit_wait(headers, policy)
        if wait is None:
            # GitHub's "Rate limits for the REST API" page requests at least
            # a minute when neither Retry-After nor a reset time is given.
            wait = max(60.0, _backoff(policy, attempt))
        if wait > policy.max_wait_s:
            log.error(
                "GitHub rate limit requests a %.0f s wait, over the %.0f s maximum",
                wait,
                policy.max_wait_s,
            )
            return None
        return wait
    if 500 <= exc.code < 600:
        return _backoff(policy, attempt)
    return None


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    return policy.backoff_s * 2.0 ** (attempt - 1)


def _rate_limit_wait(headers: Mapping[str, str], policy: RetryPolicy) -> float | None:
    """Return the wait GitHub requests in ``headers``, or None when it names none.

    ``headers`` is requests' case-insensitive mapping, so names match in any case.
    """
    get = headers.get
    retry_after = get("Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            log.warning(
                "ignoring Retry-After header that is not seconds: %r", retry_after
            )
    reset = get("X-RateLimit-Reset")
    if reset is not None and get("X-RateLimit-Remaining") == "0":
        try:
            return max(0.0, float(reset) - policy.clock())
        except ValueError:
            log.warning("ignoring X-RateLimit-Reset that is not a timestamp: %r", reset)
    return None
