"""boto3 clients with the retry policy, call counting and error mapping."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from reconciler.core.arn import EDGE_REGION
from reconciler.errors import AwsError, CredentialsError

NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE, AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or run in GitHub Actions with an OIDC role. "
    "To try the reconciler without an AWS account, run `reconciler demo`, or "
    "start `reconciler sandbox` and use the environment it prints."
)


class CallCounter:
    """Count every HTTP request sent, retries included, by ``service:Operation``."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, event_name: str, **kwargs: Any) -> None:
        # event_name is "before-send.<service>.<Operation>"
        _event, service, operation = event_name.split(".", 2)
        with self._lock:
            self._counts[f"{service}:{operation}"] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


@dataclass
class AwsClients:
    """The clients one run uses; all are thread safe and share one counter."""

    cloudfront: Any
    lambda_: Any
    iam: Any
    tagging: Any
    counter: CallCounter = field(default_factory=CallCounter)


def make_clients(
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    session: boto3.Session | None = None,
    retry_mode: str = "adaptive",
    max_attempts: int = 8,
    max_pool_connections: int = 16,
    read_timeout_s: float = 30.0,
) -> AwsClients:
    """Build the clients for one run.

    ``endpoint_url`` overrides every service endpoint, as the standard
    ``AWS_ENDPOINT_URL`` variable does (boto3 also reads that variable itself).
    ``session`` replaces the standard credential chain, as the demo does.

    Raises:
        CredentialsError: the standard credential chain found nothing.
    """
    if session is None:
        session = boto3.Session(profile_name=profile, region_name=EDGE_REGION)
    if session.get_credentials() is None:
        raise CredentialsError(NO_CREDENTIALS)

    config = Config(
        region_name=EDGE_REGION,
        retries={"mode": retry_mode, "max_attempts": max_attempts},  # type: ignore[arg-type]
        max_pool_connections=max_pool_connections,
        connect_timeout=10,
        read_timeout=read_timeout_s,
    )
    counter = CallCounter()

    def client(service: str) -> Any:
        made = session.client(service, endpoint_url=endpoint_url, config=config)  # type: ignore[call-overload]
        made.meta.events.register("before-send", counter)
        return made

    return AwsClients(
        cloudfront=client("cloudfront"),
        lambda_=client("lambda"),
        iam=client("iam"),
        tagging=client("resourcegroupstaggingapi"),
        counter=counter,
    )


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def aws_call(operation: str, resource: str = "") -> Iterator[None]:
    """Map botocore errors raised inside the block to ``AwsError``."""
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message", str(exc))
        target = f" on {resource}" if resource else ""
        raise AwsError(
            f"{operation}{target} failed: {code}: {message}",
            operation=operation,
            code=code,
            resource=resource,
        ) from exc
    except NoCredentialsError as exc:
        raise CredentialsError(NO_CREDENTIALS) from exc
    except EndpointConnectionError as exc:
        raise AwsError(
            f"{operation} failed: cannot reach {exc.kwargs.get('endpoint_url')}; "
            "check --endpoint-url or AWS_ENDPOINT_URL",
            operation=operation,
            code="EndpointConnectionError",
            resource=resource,
        ) from exc
    except BotoCoreError as exc:
        raise AwsError(
            f"{operation} failed: {exc}", operation=operation, code=type(exc).__name__
        ) from exc
