"""Fixtures that start a sandbox on 127.0.0.1 and build configs for it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox, SandboxSettings
from reconciler.sandbox.fleet import create_function

CONFIG_DIR = Path(__file__).parent.parent / "data" / "distribution_configs"
CONFIG_FILES = sorted(CONFIG_DIR.glob("distribution_config_*.json"))
ACCOUNT = "123456789012"


def load_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text())["DistributionConfig"]
    return config


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxSettings(deploy_delay_s=0.2)) as running:
        yield running


@pytest.fixture
def edge_function(sandbox: Sandbox) -> list[str]:
    """Create ``edge-fn`` with three published versions; return their ARNs."""
    return create_function("edge-fn", [b"one", b"two", b"three"])


@pytest.fixture
def minimal_config() -> dict[str, Any]:
    """Return a small valid config with one path behavior and no associations."""
    config = load_config(
        CONFIG_DIR / "distribution_config_02_modern_cachepolicy_acm.json"
    )
    return copy.deepcopy(config)


def with_association(
    config: dict[str, Any], arn: str, event_type: str = "viewer-request", **extra: Any
) -> dict[str, Any]:
    """Return a copy of ``config`` whose default behavior carries only ``arn``."""
    config = copy.deepcopy(config)
    item = {"LambdaFunctionARN": arn, "EventType": event_type, "IncludeBody": False}
    item.update(extra)
    behavior = config["DefaultCacheBehavior"]
    behavior["LambdaFunctionAssociations"] = {"Quantity": 1, "Items": [item]}
    behavior["FunctionAssociations"] = {"Quantity": 0}
    return config
