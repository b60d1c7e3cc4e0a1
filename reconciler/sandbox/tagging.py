"""Resource Groups Tagging API ``GetResources`` over the sandbox's distributions.

moto's tagging backend reads moto's own CloudFront, which contains none of the
sandbox's distributions. So requests for CloudFront resources are handled
here, and other resource types still go to moto.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.sandbox.cloudfront_store import DistributionStore

PAGE_SIZE = 100
_CLOUDFRONT_TYPES = ("cloudfront", "cloudfront:distribution")
_TOKEN_PREFIX = "sandbox-cloudfront:"  # noqa: S105 a pagination token, no secret


def wants_cloudfront_only(request: dict[str, Any]) -> bool:
    """Tell whether every resource type filter names CloudFront distributions."""
    filters = request.get("ResourceTypeFilters") or []
    return bool(filters) and all(f in _CLOUDFRONT_TYPES for f in filters)


def wants_cloudfront(request: dict[str, Any]) -> bool:
    filters = request.get("ResourceTypeFilters") or []
    return not filters or any(f in _CLOUDFRONT_TYPES for f in filters)


def _matches(tags: dict[str, str], tag_filters: list[dict[str, Any]]) -> bool:
    for tag_filter in tag_filters:
        key = tag_filter["Key"]
        if key not in tags:
            return False
        values = tag_filter.get("Values") or []
        if values and tags[key] not in values:
            return False
    return True


def matching(store: DistributionStore, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the ``ResourceTagMappingList`` entries of matching distributions."""
    tag_filters = request.get("TagFilters") or []
    return [
        {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        for arn, tags in store.tagged()
        if _matches(tags, tag_filters)
    ]


def get_resources(store: DistributionStore, request: dict[str, Any]) -> bytes:
    """Handle a ``GetResources`` request for CloudFront distributions only."""
    found = matching(store, request)
    token = request.get("PaginationToken") or ""
    start = (
        int(token.removeprefix(_TOKEN_PREFIX)) if token.startswith(_TOKEN_PREFIX) else 0
    )
    size = min(int(request.get("ResourcesPerPage") or PAGE_SIZE), PAGE_SIZE)
    page = found[start : start + size]
    next_token = f"{_TOKEN_PREFIX}{start + size}" if start + size < len(found) else ""
    return json.dumps(
        {"PaginationToken": next_token, "ResourceTagMappingList": page}
    ).encode()


def merge_into(
    moto_body: bytes, store: DistributionStore, request: dict[str, Any]
) -> bytes:
    """Append matching distributions to the last page of moto's response."""
    document = json.loads(moto_body)
    if document.get("PaginationToken"):
        return moto_body
    # NOTE: the distributions all land on moto's last page, which may then hold
    # more than ResourcesPerPage entries; a CloudFront-only filter paginates.
    document.setdefault("ResourceTagMappingList", []).extend(matching(store, request))
    return json.dumps(document).encode()
