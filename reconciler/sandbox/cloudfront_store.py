"""In-memory CloudFront distributions with ETags, deployment status and tags.

moto 5.2.1's CloudFront drops function associations, ignores ``IfMatch`` and
never changes the ETag, so the sandbox keeps distributions here instead and
serves every distribution operation from this store.
"""

from __future__ import annotations

import copy
import random
import string
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reconciler.sandbox import cloudfront_validation as validation
from reconciler.sandbox.cloudfront_errors import CloudFrontError, no_such_distribution

_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class Distribution:
    """One distribution as CloudFront stores it."""

    id: str
    arn: str
    domain_name: str
    config: dict[str, Any]
    etag: str
    last_modified: datetime
    deployed_at: float
    tags: dict[str, str] = field(default_factory=dict)

    def status(self, now: float) -> str:
        return "Deployed" if now >= self.deployed_at else "InProgress"


class DistributionStore:
    """Thread-safe store of distributions, in creation order."""

    def __init__(
        self,
        account_id: str,
        version_exists: validation.VersionLookup,
        deploy_delay_s: Callable[[], float],
        function_quota: Callable[[], int],
        seed: int,
    ) -> None:
        self.account_id = account_id
        self._version_exists = version_exists
        self._deploy_delay_s = deploy_delay_s
        self._function_quota = function_quota
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self._items: dict[str, Distribution] = {}
        self._caller_references: dict[str, str] = {}
        # Unqualified function ARN -> ids of the distributions associated with it.
        self._by_function: dict[str, set[str]] = defaultdict(set)

    def _new_id(self, length: int) -> str:
        return "E" + "".join(self._random.choices(_ID_ALPHABET, k=length - 1))

    def _check_quota(self, distribution_id: str, config: dict[str, Any]) -> None:
        quota = self._function_quota()
        for arn in validation.lambda_arns(config):
            function = validation.unqualified_arn(arn)
            others = self._by_function[function] - {distribution_id}
            if len(others) >= quota:
                raise CloudFrontError(
                    "TooManyDistributionsWithSingleFunctionARN",
                    f"Your request would associate {function} with more than "
                    f"{quota} distributions, the maximum allowed for one function.",
                )

    def _index(self, distribution_id: str, config: dict[str, Any] | None) -> None:
        for ids in self._by_function.values():
            ids.discard(distribution_id)
        if config is not None:
            for arn in validation.lambda_arns(config):
                self._by_function[validation.unqualified_arn(arn)].add(distribution_id)

    def create(
        self,
        config: dict[str, Any],
        tags: dict[str, str] | None = None,
        deployed: bool = False,
    ) -> Distribution:
        """Validate and store a new distribution.

        It starts ``InProgress`` unless ``deployed`` is set, which fleet seeding
        uses to create distributions that have long been live.
        """
        validation.validate(config, self._version_exists)
        with self._lock:
            reference = config["CallerReference"]
            if reference in self._caller_references:
                raise CloudFrontError(
                    "DistributionAlreadyExists",
                    f"A distribution with CallerReference {reference!r} already "
                    f"exists: {self._caller_references[reference]}.",
                    409,
                )
            distribution_id = self._new_id(14)
            self._check_quota(distribution_id, config)
            distribution = Distribution(
                id=distribution_id,
                arn=f"arn:aws:cloudfront::{self.account_id}:distribution/{distribution_id}",
                domain_name=f"{self._new_id(14).lower()[1:]}.cloudfront.net",
                config=copy.deepcopy(config),
                etag=self._new_id(14),
                last_modified=datetime.now(UTC),
                deployed_at=0.0
                if deployed
                else time.monotonic() + self._deploy_delay_s(),
                tags=dict(tags or {}),
            )
            self._items[distribution_id] = distribution
            self._caller_references[reference] = distribution_id
            self._index(distribution_id, config)
            return copy.deepcopy(distribution)

    def get(self, distribution_id: str) -> Distribution:
        """Return a copy of one distribution; raise ``NoSuchDistribution``."""
        with self._lock:
            if distribution_id not in self._items:
                raise no_such_distribution(distribution_id)
            return copy.deepcopy(self._items[distribution_id])

    def _check_if_match(self, current: Distribution, if_match: str | None) -> None:
        if not if_match:
            raise CloudFrontError(
                "InvalidIfMatchVersion",
                "The If-Match version is missing or not valid for the resource.",
            )
        if if_match != current.etag:
            raise CloudFrontError(
                "PreconditionFailed",
                f"The If-Match version {if_match} does not match the current "
                f"version of distribution {current.id}. Read it again with "
                f"GetDistributionConfig and retry with the new ETag.",
                412,
            )

    def update(
        self, distribution_id: str, config: dict[str, Any], if_match: str | None
    ) -> Distribution:
        """Replace the whole config if ``if_match`` is the current ETag."""
        with self._lock:
            current = self._items.get(distribution_id)
            if current is None:
                raise no_such_distribution(distribution_id)
            self._check_if_match(current, if_match)
            if config.get("CallerReference") != current.config["CallerReference"]:
                raise CloudFrontError(
                    "IllegalUpdate",
                    "The CallerReference of a distribution cannot change.",
                )
        validation.validate(config, self._version_exists)
        with self._lock:
            # Re-check under the lock: another writer may have won meanwhile.
            current = self._items[distribution_id]
            self._check_if_match(current, if_match)
            self._check_quota(distribution_id, config)
            self._replace(current, config)
            return copy.deepcopy(current)

    def _replace(self, current: Distribution, config: dict[str, Any]) -> None:
        current.config = copy.deepcopy(config)
        current.etag = self._new_id(14)
        current.last_modified = datetime.now(UTC)
        current.deployed_at = time.monotonic() + self._deploy_delay_s()
        self._index(current.id, config)

    def edit_as_foreign_writer(self, distribution_id: str) -> bool:
        """Change the comment as another writer would; return False if absent."""
        with self._lock:
            current = self._items.get(distribution_id)
            if current is None:
                return False
            config = copy.deepcopy(current.config)
            config["Comment"] = f"{config.get('Comment', '')} (edited elsewhere)"[-128:]
            self._replace(current, config)
            return True

    def delete(self, distribution_id: str, if_match: str | None) -> None:
        """Delete a disabled, deployed distribution whose ETag is ``if_match``."""
        with self._lock:
            current = self._items.get(distribution_id)
            if current is None:
                raise no_such_distribution(distribution_id)
            self._check_if_match(current, if_match)
            if (
                current.config["Enabled"]
                or current.status(time.monotonic()) != "Deployed"
            ):
                raise CloudFrontError(
                    "DistributionNotDisabled",
                    f"Distribution {distribution_id} must be disabled and Deployed "
                    f"before it can be deleted.",
                    409,
                )
            del self._items[distribution_id]
            del self._caller_references[current.config["CallerReference"]]
            self._index(distribution_id, None)

    def page(
        self, marker: str, max_items: int
    ) -> tuple[list[Distribution], str | None]:
        """Return a page of distributions after ``marker`` and the next marker."""
        with self._lock:
            ids = list(self._items)
            start = ids.index(marker) + 1 if marker in self._items else 0
            chosen = ids[start : start + max_items]
            next_marker = (
                chosen[-1] if start + max_items < len(ids) and chosen else None
            )
            # Shallow copies suffice: a write replaces ``config`` instead of
            # changing it in place, so a listed config never changes under a reader.
            return [copy.copy(self._items[i]) for i in chosen], next_marker

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._items)

    def configs(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {i: copy.deepcopy(d.config) for i, d in self._items.items()}

    def by_arn(self, arn: str) -> Distribution | None:
        distribution_id = arn.rpartition("/")[2]
        with self._lock:
            found = self._items.get(distribution_id)
            return found if found is not None and found.arn == arn else None

    def tag(self, arn: str, tags: dict[str, str]) -> bool:
        with self._lock:
            found = self.by_arn(arn)
            if found is not None:
                found.tags.update(tags)
            return found is not None

    def untag(self, arn: str, keys: list[str]) -> bool:
        with self._lock:
            found = self.by_arn(arn)
            if found is not None:
                for key in keys:
                    found.tags.pop(key, None)
            return found is not None

    def tagged(self) -> list[tuple[str, dict[str, str]]]:
        """Return ``(arn, tags)`` of every distribution, in creation order."""
        with self._lock:
            return [(d.arn, dict(d.tags)) for d in self._items.values()]
