"""The desired state: ``desired_state.yaml`` parsed into strict pydantic models.

Every model rejects unknown keys, so a typo is an error instead of a silently
ignored setting. ``load_desired_state`` reports every problem at once with the
file, line, key, bad value and fix, before any AWS call is made.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from reconciler.errors import DesiredStateError

EventType = Literal[
    "viewer-request", "origin-request", "origin-response", "viewer-response"
]
REQUEST_EVENTS: frozenset[str] = frozenset({"viewer-request", "origin-request"})
Category = Literal["ai_training", "ai_search", "ai_user_fetch"]

# NOTE: runtimes taken as accepted by Lambda@Edge. AWS's Lambda@Edge
# restrictions page has the current list, so extend this set when it grows.
EDGE_RUNTIMES: frozenset[str] = frozenset(
    {"nodejs18.x", "nodejs20.x", "nodejs22.x", "python3.11", "python3.12", "python3.13"}
)

FUNCTION_NAME = r"^[A-Za-z0-9_-]{1,64}$"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)
HEADER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DISTRIBUTION_ID = re.compile(r"^E[A-Z0-9]{5,}$")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EdgeSettings(StrictModel):
    """Values baked into the package, because Lambda@Edge has no environment."""

    ai_origin_domain: str = Field(description="Custom origin that serves AI crawlers.")
    ai_origin_protocol: Literal["https", "http"] = "https"
    ai_origin_port: int = Field(default=443, ge=1, le=65535)
    ai_origin_path: str = ""
    classification_header: str = "x-ai-crawler"
    route_categories: tuple[Category, ...] = (
        "ai_training",
        "ai_search",
        "ai_user_fetch",
    )

    @field_validator("ai_origin_domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        if not HOSTNAME.match(value):
            raise ValueError(
                "must be a lowercase DNS name such as ai-origin.example.com"
            )
        return value

    @field_validator("classification_header")
    @classmethod
    def _check_header(cls, value: str) -> str:
        if not HEADER_NAME.match(value):
            raise ValueError(
                "must be a lowercase HTTP header name such as x-ai-crawler"
            )
        return value

    @field_validator("ai_origin_path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        if value and (not value.startswith("/") or value.endswith("/")):
            raise ValueError("must be empty or start with '/' and not end with '/'")
        return value


class FunctionSpec(StrictModel):
    """The Lambda@Edge function; it always lives in us-east-1."""

    name: Annotated[str, StringConstraints(pattern=FUNCTION_NAME)]
    source: str = "lambda_code.js"
    runtime: str = "nodejs20.x"
    handler: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_$]+$")
    ]
    role: str
    memory_mb: int = Field(default=128, ge=128, le=10240)
    timeout_s: int = Field(default=5, ge=1, le=30)
    description: str = Field(default="", max_length=256)
    settings: EdgeSettings

    @field_validator("runtime")
    @classmethod
    def _check_runtime(cls, value: str) -> str:
        if value not in EDGE_RUNTIMES:
            allowed = ", ".join(sorted(EDGE_RUNTIMES))
            raise ValueError(
                f"is not a runtime Lambda@Edge accepts; use one of {allowed}"
            )
        return value

    @field_validator("role")
    @classmethod
    def _check_role(cls, value: str) -> str:
        if not ROLE_ARN.match(value):
            raise ValueError(
                "must be an IAM role ARN such as arn:aws:iam::111111111111:role/edge"
            )
        return value

    @property
    def account_id(self) -> str:
        match = ROLE_ARN.match(self.role)
        assert match is not None  # validated above
        return match.group(1)


class AssociationSpec(StrictModel):
    event_type: EventType
    include_body: bool = False

    @model_validator(mode="after")
    def _check_body(self) -> AssociationSpec:
        if self.include_body and self.event_type not in REQUEST_EVENTS:
            raise ValueError(
                f"include_body is only allowed on request events, not {self.event_type}"
            )
        return self


class SelectIds(StrictModel):
    ids: tuple[str, ...] = Field(min_length=1)

    @field_validator("ids")
    @classmethod
    def _check_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if not DISTRIBUTION_ID.match(item):
                raise ValueError(
                    f"{item!r} is not a CloudFront distribution id like E2QWRUHAPOMQZL"
                )
        return value


class SelectTags(StrictModel):
    tags: dict[str, str] = Field(min_length=1)


def _selection_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "associated"
    if isinstance(value, dict | SelectIds | SelectTags):
        has_ids = isinstance(value, SelectIds) or "ids" in value
        return "ids" if has_ids else "tags"
    return None


Selection = Annotated[
    Annotated[Literal["associated"], Tag("associated")]
    | Annotated[SelectIds, Tag("ids")]
    | Annotated[SelectTags, Tag("tags")],
    Discriminator(
        _selection_kind,
        custom_error_type="invalid_selection",
        custom_error_message="must be associated, {ids: [...]} or {tags: {key: value}}",
    ),
]


class DistributionSelection(StrictModel):
    select: Selection = "associated"
    exclude: tuple[str, ...] = ()
    include_staging: bool = False

    @field_validator("exclude")
    @classmethod
    def _check_exclude(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return SelectIds._check_ids(value)


class Rollout(StrictModel):
    batch_size: int = Field(default=10, ge=1, le=500)
    batch_interval_s: float = Field(default=1.0, ge=0, le=600)
    max_concurrency: int = Field(default=10, ge=1, le=64)
    max_failure_ratio: float = Field(default=0.2, ge=0, le=1)
    max_writes_per_s: float | None = Field(
        default=None,
        gt=0,
        description="Client-side cap on UpdateDistribution calls per second; "
        "unset means no cap, so throttling and the retry mode set the pace.",
    )
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    max_attempts: int = Field(default=8, ge=1, le=20)
    precondition_retries: int = Field(default=3, ge=0, le=10)


class Limits(StrictModel):
    """Limits AWS's own pages disagree on, so they are settings."""

    viewer_package_bytes: int = Field(default=1024 * 1024, ge=1)
    origin_package_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    distributions_per_function: int = Field(default=500, ge=1)


class DesiredState(StrictModel):
    function: FunctionSpec
    associations: tuple[AssociationSpec, ...] = Field(min_length=1, max_length=4)
    cache_behaviors: Literal["default", "all"] | tuple[str, ...] = "all"
    distributions: DistributionSelection = DistributionSelection()
    rollout: Rollout = Rollout()
    limits: Limits = Limits()
    pin_version: int | None = Field(default=None, ge=1)
    heal: bool = False

    @field_validator("associations")
    @classmethod
    def _one_per_event(
        cls, value: tuple[AssociationSpec, ...]
    ) -> tuple[AssociationSpec, ...]:
        seen = [item.event_type for item in value]
        duplicates = sorted({event for event in seen if seen.count(event) > 1})
        if duplicates:
            raise ValueError(f"event type listed twice: {', '.join(duplicates)}")
        return value

    @field_validator("cache_behaviors")
    @classmethod
    def _check_patterns(
        cls, value: Literal["default", "all"] | tuple[str, ...]
    ) -> Literal["default", "all"] | tuple[str, ...]:
        if isinstance(value, tuple) and not value:
            raise ValueError(
                "an empty list selects nothing; use default, all or patterns"
            )
        return value

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(item.event_type for item in self.associations)


def load_desired_state(path: Path) -> DesiredState:
    """Read and validate a desired state file.

    Raises:
        DesiredStateError: the file is missing, is not valid YAML or fails
            validation. The message lists every problem with its line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DesiredStateError(
            str(path), ["file not found; pass --state PATH"]
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DesiredStateError(str(path), [f"cannot be read: {exc}"]) from exc
    return parse_desired_state(text, str(path))


def parse_desired_state(text: str, name: str) -> DesiredState:
    """Validate desired state YAML text; ``name`` is used in messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            raise DesiredStateError(
                name, ["the file is empty; see the README for an example"]
            )
        lines: dict[tuple[str | int, ...], int] = {}
        duplicates: list[str] = []
        _index_lines(root, (), lines, duplicates, set())
        if duplicates:
            raise DesiredStateError(name, duplicates)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DesiredStateError(name, [_describe_yaml_error(exc)]) from exc
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        # PyYAML raises these for explicit tags whose value it cannot convert,
        # such as "!!int ten".
        problem = f"a tagged value cannot be converted ({exc}); remove the explicit tag"
        raise DesiredStateError(name, [problem]) from exc
    except RecursionError as exc:
        problem = "the document nests too deeply or an alias refers to itself"
        raise DesiredStateError(name, [problem]) from exc

    if not isinstance(data, dict):
        raise DesiredStateError(
            name, ["line 1: the top level must be a mapping of keys"]
        )
    try:
        return DesiredState.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A failed item also fails its tuple's min_length; report only the item.
        errors = [
            err
            for err in errors
            if err["type"] != "too_short"
            or not any(len(other["loc"]) > len(err["loc"]) for other in errors)
        ]
        problems = [_describe_error(err, lines) for err in errors]
        raise DesiredStateError(name, problems) from exc


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}not valid YAML ({problem}); check indentation and quoting"


def _index_lines(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    duplicates: list[str],
    parents: set[int],
) -> None:
    if id(node) in parents:
        raise RecursionError("an alias refers to a node that contains it")
    lines[path] = node.start_mark.line + 1
    parents = parents | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dotted = ".".join(str(part) for part in (*path, key))
                duplicates.append(
                    f"line {key_node.start_mark.line + 1}: key {dotted} appears "
                    "twice; keep one"
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines, duplicates, parents)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, duplicates, parents)


def _describe_error(error: Any, lines: dict[tuple[str | int, ...], int]) -> str:
    # pydantic adds union branch names ("SelectIds", "literal[...]") to loc;
    # keep only the parts that are real keys or indexes in the document.
    loc = _document_path(error["loc"], lines)
    line = _nearest_line(loc, lines)
    key = ".".join(str(part) for part in loc) or "(top level)"
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return f"line {line}: unknown key {key}; remove it or check its spelling"
    if kind == "missing":
        return f"line {line}: missing required key {key}; add it"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"line {line}: {key} = {_short(value)} is invalid: {message}"


def _document_path(
    loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> tuple[str | int, ...]:
    kept: tuple[str | int, ...] = ()
    for index, part in enumerate(loc):
        is_last = index == len(loc) - 1
        in_document = (*kept, part) in lines
        if (
            in_document
            or isinstance(part, int)
            or (is_last and not _is_branch_name(part))
        ):
            kept = (*kept, part)
    return kept


def _is_branch_name(part: str | int) -> bool:
    return isinstance(part, str) and (
        part[:1].isupper()
        or part.startswith(("literal[", "function-", "tuple["))
        or part in {"associated", "ids", "tags"}
    )


def _nearest_line(
    loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
