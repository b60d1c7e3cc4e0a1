"""Malformed desired state text ends in ``DesiredStateError``, never a traceback."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired_state import DesiredState, parse_desired_state
from reconciler.errors import DesiredStateError

VALID = {
    "function": {
        "name": "bot-router",
        "source": "lambda_code.js",
        "runtime": "nodejs20.x",
        "handler": "index.handler",
        "role": "arn:aws:iam::111111111111:role/bot-router-edge",
        "memory_mb": 128,
        "timeout_s": 5,
        "settings": {"ai_origin_domain": "ai-origin.example.com"},
    },
    "associations": [
        {"event_type": "viewer-request", "include_body": False},
        {"event_type": "origin-request"},
    ],
    "cache_behaviors": "all",
    "distributions": {"select": "associated", "exclude": []},
    "rollout": {"batch_size": 10, "batch_interval_s": 1, "max_concurrency": 10},
    "pin_version": None,
}
FUZZ_SETTINGS = settings(max_examples=300, deadline=None)

# Scalars and containers of every YAML type, to put where another type belongs.
ANY_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True),
        st.text(max_size=20),
        st.sampled_from(["all", "default", "associated", "viewer-request", "E1ABCDE"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=6,
)

TOKENS = st.sampled_from(
    [
        "function",
        "associations",
        "rollout",
        "name",
        "select",
        "ids",
        "tags",
        ":",
        ": ",
        "- ",
        "\n",
        "\n  ",
        "\n    ",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "'",
        '"',
        "#",
        "&a ",
        "*a",
        "? ",
        "!!python/object:os.system ",
        "!foo ",
        "!!int ",
        "!!binary ",
        "!!timestamp ",
        "---\n",
        "...\n",
        "|\n",
        ">\n",
        "%YAML 1.1\n",
        "0x1F",
        "1e9",
        "~",
        "null",
        "yes",
        "2001-12-14",
        "\t",
        "\x00",
        "\ufeff",
        "é",
        "\\",
    ]
)


def assert_clean_outcome(text: str) -> None:
    """Assert that ``text`` parses or raises ``DesiredStateError`` with a message."""
    try:
        parse_desired_state(text, "desired_state.yaml")
    except DesiredStateError as exc:
        error = exc
    else:
        return
    assert "desired_state.yaml" in str(error)
    assert error.problems
    assert all(problem.strip() for problem in error.problems)


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Draw the valid document with values replaced, keys removed or added."""
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        # Walk down from the root and stop at a random depth.
        container: Any = document
        key: Any = draw(st.sampled_from(list(container)))
        while isinstance(container[key], dict | list) and container[key]:
            if draw(st.booleans()):
                break
            container = container[key]
            keys = list(container) if isinstance(container, dict) else None
            key = draw(st.sampled_from(keys or range(len(container))))

        action = draw(st.sampled_from(("replace", "delete", "add")))
        if action == "replace":
            container[key] = draw(ANY_VALUE)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.text(min_size=1, max_size=12))] = draw(ANY_VALUE)
        if not document:
            break
    return document


@FUZZ_SETTINGS
@given(st.text(max_size=300))
def test_random_text_raises_clean_error(text):
    assert_clean_outcome(text)


@FUZZ_SETTINGS
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_yaml_like_text_raises_clean_error(text):
    assert_clean_outcome(text)


@FUZZ_SETTINGS
@given(mutated_documents())
def test_mutated_document_raises_clean_error(document):
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

    assert_clean_outcome(text)


@FUZZ_SETTINGS
@given(st.text(min_size=1, max_size=12).filter(lambda key: key not in VALID))
def test_unknown_top_level_key_is_named(key):
    document = {**VALID, key: 1}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

    with pytest.raises(DesiredStateError, match="unknown key"):
        parse_desired_state(text, "desired_state.yaml")


def test_valid_document_parses():
    text = yaml.safe_dump(VALID, sort_keys=False)

    desired = parse_desired_state(text, "desired_state.yaml")

    assert isinstance(desired, DesiredState)
    assert desired.function.name == "bot-router"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: !!python/name:os.system x\n", id="python-tag"),
        pytest.param("function: !custom 3\n", id="unknown-tag"),
        pytest.param("? [a, b]\n: 1\n", id="unhashable-key"),
        pytest.param("rollout:\n  batch_size: !!int ten\n", id="bad-int-tag"),
        pytest.param("function: &loop [*loop]\n", id="recursive-alias"),
        pytest.param("function: " + "[" * 2000 + "\n", id="deep-nesting"),
    ],
)
def test_hostile_yaml_raises_desired_state_error(text):
    with pytest.raises(DesiredStateError, match=r"desired_state\.yaml"):
        parse_desired_state(text, "desired_state.yaml")
