"""Fixtures of the edge function tests: desired states and a local IAM server."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from reconciler.desired_state import DesiredState

BASE_STATE: dict[str, Any] = {
    "function": {
        "name": "bot-router",
        "source": "lambda_code.js",
        "runtime": "nodejs20.x",
        "handler": "index.handler",
        "role": "arn:aws:iam::123456789012:role/bot-router-edge",
        "memory_mb": 128,
        "timeout_s": 5,
        "settings": {"ai_origin_domain": "ai-origin.example.com"},
    },
    "associations": [
        {"event_type": "viewer-request"},
        {"event_type": "origin-request"},
    ],
}

MakeDesired = Callable[..., DesiredState]


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@pytest.fixture
def make_desired() -> MakeDesired:
    """Return a factory: keyword arguments are merged into ``BASE_STATE``."""

    def make(**changes: Any) -> DesiredState:
        return DesiredState.model_validate(_merge(BASE_STATE, changes))

    return make


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """Start a moto server on a free port of 127.0.0.1 and return its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        # The server runs in this process, so its auth switch is global state.
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"inf", timeout=10)
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture
def iam_client(moto_endpoint: str) -> Any:
    return boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def lambda_client(moto_endpoint: str) -> Any:
    return boto3.client("lambda", endpoint_url=moto_endpoint, region_name="us-east-1")
