"""Fixtures for the pure core: real configs and a desired state for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired_state import DesiredState, parse_desired_state

CONFIGS = Path(__file__).parent.parent / "data" / "distribution_configs"
CONFIG_FILES = sorted(CONFIGS.glob("distribution_config_*.json"))

# The real configs carry ai-bot-router in account 111111111111.
DESIRED_YAML = """
function:
  name: ai-bot-router
  handler: index.handler
  role: arn:aws:iam::111111111111:role/edge
  settings: {ai_origin_domain: ai.example.com}
associations:
  - event_type: viewer-request
  - event_type: origin-request
"""


def load_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text())["DistributionConfig"]
    return config


def make_desired(extra: str = "") -> DesiredState:
    return parse_desired_state(DESIRED_YAML + extra, "test.yaml")


@pytest.fixture
def desired() -> DesiredState:
    return make_desired()
