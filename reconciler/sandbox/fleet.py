"""Seed a sandbox with an edge function and a fleet of distributions.

Distribution configs are built from the real configs shipped in
``reconciler/sandbox/data``: several origins, path behaviors, CloudFront
Functions on viewer events, legacy ``ForwardedValues``, a primary with a
continuous-deployment policy and its staging copy. Seeding writes straight
into moto's backends and the distribution store, so it costs no API calls.
"""

from __future__ import annotations

import base64
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends

from reconciler.sandbox import cloudfront_validation as validation
from reconciler.sandbox import fleet_configs, lambda_guard
from reconciler.sandbox.cloudfront_errors import CloudFrontError
from reconciler.sandbox.server import Sandbox
from reconciler.sandbox.settings import ACCOUNT_ID, REGION

LOOKALIKE_SUFFIX = "-staging"
OTHER_FUNCTION = "image-resizer"
OTHER_FUNCTION_VERSIONS = 4
PRIMARY_KINDS = ("current", "old", "unassociated", "lookalike")
ATTRIBUTE_KINDS = ("staging", "disabled", "other_function", "cf_function")
DEFAULT_CODE = b"""'use strict';
exports.handler = async (event) => event.Records[0].cf.request;
"""
_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
EDGE_ROLE = "edge-function-role"
_TEAMS = ("web", "growth", "platform", "media", "checkout")
_TIERS = ("prod", "prod", "staging", "dev")


@dataclass(frozen=True)
class FleetSpec:
    """Specification of a seeded fleet, whose four shares must add up to 1."""

    size: int = 300
    function_name: str = "bot-router"
    versions: int = 3
    current_share: float = 0.6
    old_version_share: float = 0.25
    unassociated_share: float = 0.1
    lookalike_share: float = 0.05
    disabled_share: float = 0.05
    seed: int = 0
    event_type: str = "viewer-request"
    code: bytes | None = None

    def __post_init__(self) -> None:
        shares = (
            self.current_share,
            self.old_version_share,
            self.unassociated_share,
            self.lookalike_share,
        )
        if any(share < 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-6:
            raise ValueError(
                f"the current, old-version, unassociated and lookalike shares must "
                f"be non-negative and add up to 1, got {sum(shares):.3f}"
            )
        if self.versions < 1:
            raise ValueError("versions must be at least 1")
        if self.old_version_share > 0 and self.versions < 2:
            raise ValueError("an old_version_share needs versions >= 2")
        if self.event_type not in validation.EVENT_TYPES:
            raise ValueError(f"event_type must be one of {validation.EVENT_TYPES}")


@dataclass
class Fleet:
    """The function, versions and distributions that seeding created.

    ``by_kind`` maps the four kinds that split the fleet (``current``, ``old``,
    ``unassociated``, ``lookalike``) and the overlapping attributes
    (``staging``, ``disabled``, ``other_function``, ``cf_function``) to
    distribution ids.
    """

    function_arn: str
    function_name: str
    version_arns: list[str]
    lookalike_arn: str
    other_function_arn: str
    distribution_ids: list[str]
    by_kind: dict[str, list[str]] = field(default_factory=dict)


def build_zip(source: bytes) -> bytes:
    """Zip ``source`` as ``index.js`` with fixed metadata, so the hash is stable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("index.js", date_time=(1980, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, source)
    return buffer.getvalue()


def create_edge_role(name: str = EDGE_ROLE, account: str = ACCOUNT_ID) -> str:
    """Create an execution role that Lambda@Edge may assume, unless it exists.

    The role goes straight into moto's IAM backend, so the call counter does
    not see it. Returns the role ARN.
    """
    iam = iam_backends[account]["aws"]
    if name not in {role.name for role in iam.roles.values()}:
        iam.create_role(
            name, _TRUST_POLICY, "/", None, "Lambda@Edge execution", [], None
        )
    return f"arn:aws:iam::{account}:role/{name}"


def create_function(
    name: str, sources: list[bytes], account: str = ACCOUNT_ID
) -> list[str]:
    """Create a us-east-1 function and publish one version per source.

    Returns:
        The version ARNs, oldest first. ``$LATEST`` keeps the last source.
    """
    backend = lambda_backends[account][REGION]
    first = base64.b64encode(build_zip(sources[0])).decode()
    backend.create_function(
        {
            "FunctionName": name,
            "Runtime": "nodejs20.x",
            "Role": create_edge_role(account=account),
            "Handler": "index.handler",
            "Code": {"ZipFile": first},
            "MemorySize": 128,
            "Timeout": 5,
        }
    )
    arns = []
    for index, source in enumerate(sources):
        if index:
            code = base64.b64encode(build_zip(source)).decode()
            backend.get_function(name).update_function_code({"ZipFile": code})
        version = backend.publish_version(name)
        if version is None:
            raise RuntimeError(f"moto did not publish a version of {name}")
        arns.append(version.function_arn)
    return arns


def _version_sources(code: bytes, versions: int) -> list[bytes]:
    return [code + f"\n// build {n}\n".encode() for n in range(1, versions)] + [code]


def _kind_sequence(spec: FleetSpec, rng: random.Random) -> list[str]:
    shares = dict(
        zip(
            PRIMARY_KINDS,
            (
                spec.current_share,
                spec.old_version_share,
                spec.unassociated_share,
                spec.lookalike_share,
            ),
            strict=True,
        )
    )
    # Largest remainder, so the counts add up to ``size`` exactly.
    exact = {kind: share * spec.size for kind, share in shares.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(
        exact, key=lambda kind: exact[kind] - counts[kind], reverse=True
    )
    for kind in by_remainder[: spec.size - sum(counts.values())]:
        counts[kind] += 1
    sequence = [kind for kind in PRIMARY_KINDS for _ in range(counts[kind])]
    rng.shuffle(sequence)
    return sequence


def _tags(kind: str, rng: random.Random) -> dict[str, str]:
    tags = {"team": rng.choice(_TEAMS), "tier": rng.choice(_TIERS)}
    if kind in ("current", "old", "unassociated"):
        tags["router"] = "enabled"
    return tags


def seed_fleet(sandbox: Sandbox, spec: FleetSpec) -> Fleet:
    """Create the edge function, its lookalike, another function and the fleet.

    ``current`` distributions carry the newest version of ``spec.function_name``
    and ``old`` ones an older version, on ``spec.event_type`` of the default
    behavior and of about half the path behaviors. ``lookalike`` ones carry
    ``<function_name>-staging`` instead, and ``unassociated`` ones neither. The
    first three kinds are tagged ``router: enabled``; every distribution gets
    ``team`` and ``tier`` tags.

    Raises:
        ValueError: a function of the fleet already exists in the sandbox, or a
            seeded distribution breaks a rule such as the per-function quota.
    """
    if lambda_guard_lookup(spec.function_name) is not None:
        raise ValueError(
            f"function {spec.function_name!r} already exists; seed a fleet once "
            f"per sandbox"
        )
    rng = random.Random(spec.seed)
    code = spec.code if spec.code is not None else DEFAULT_CODE
    version_arns = create_function(
        spec.function_name, _version_sources(code, spec.versions)
    )
    lookalike_arns = create_function(
        spec.function_name + LOOKALIKE_SUFFIX,
        _version_sources(code + b"// staging\n", 2),
    )
    other_arns = create_function(
        OTHER_FUNCTION, _version_sources(DEFAULT_CODE, OTHER_FUNCTION_VERSIONS)
    )
    targets = {
        "current": version_arns[-1:],
        "old": version_arns[:-1],
        "lookalike": lookalike_arns,
    }

    templates = fleet_configs.load_templates()
    names = sorted(templates)
    fleet = Fleet(
        function_arn=version_arns[0].rsplit(":", 1)[0],
        function_name=spec.function_name,
        version_arns=version_arns,
        lookalike_arn=lookalike_arns[0].rsplit(":", 1)[0],
        other_function_arn=other_arns[0].rsplit(":", 1)[0],
        distribution_ids=[],
        by_kind={kind: [] for kind in PRIMARY_KINDS + ATTRIBUTE_KINDS},
    )
    for index, kind in enumerate(_kind_sequence(spec, rng)):
        config = _build_config(
            templates=templates,
            names=names,
            index=index,
            kind=kind,
            spec=spec,
            targets=targets,
            other_arns=other_arns,
            rng=rng,
        )
        if rng.random() < spec.disabled_share:
            config["Enabled"] = False
        try:
            distribution = sandbox.store.create(config, _tags(kind, rng), deployed=True)
        except CloudFrontError as exc:
            raise ValueError(
                f"seeded distribution {index} was rejected with {exc.code}: "
                f"{exc.message} A fleet with more distributions per function than "
                f"SandboxSettings.function_quota ({sandbox.settings.function_quota}) "
                f"needs a higher quota."
            ) from exc

        fleet.distribution_ids.append(distribution.id)
        fleet.by_kind[kind].append(distribution.id)
        attributes = {
            "staging": bool(config.get("Staging")),
            "disabled": not config["Enabled"],
            "other_function": any(
                OTHER_FUNCTION in arn for arn in validation.lambda_arns(config)
            ),
            "cf_function": fleet_configs.has_cf_functions(config),
        }
        for attribute, present in attributes.items():
            if present:
                fleet.by_kind[attribute].append(distribution.id)
    # Seeding pays for serializing the summaries, as the cost of a write, so
    # that listing a large fleet is not slowed by it.
    sandbox.warm_listing()
    return fleet


def _build_config(
    *,
    templates: dict[str, dict[str, Any]],
    names: list[str],
    index: int,
    kind: str,
    spec: FleetSpec,
    targets: dict[str, list[str]],
    other_arns: list[str],
    rng: random.Random,
) -> dict[str, Any]:
    # Try templates in turn until the function fits: a template whose every
    # behavior runs CloudFront Functions cannot take a viewer-event function.
    for offset in range(len(names)):
        name = names[(index + offset) % len(names)]
        config = fleet_configs.personalize(templates[name], index, spec.seed)
        fleet_configs.replace_foreign_functions(config, other_arns)
        if kind not in targets:
            return config
        arn = rng.choice(targets[kind])
        if fleet_configs.attach(config, arn, spec.event_type, rng):
            return config
    raise ValueError(f"no template can carry a {spec.event_type} association")


def lambda_guard_lookup(name: str) -> Any:
    return lambda_guard.lookup(ACCOUNT_ID, REGION, name)
