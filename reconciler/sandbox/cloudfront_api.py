"""Serve CloudFront's distribution and tagging operations from the store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from botocore.model import StructureShape

from reconciler.sandbox import cloudfront_xml
from reconciler.sandbox.cloudfront_errors import CloudFrontError, no_such_resource
from reconciler.sandbox.cloudfront_store import Distribution, DistributionStore

API_PREFIX = "/2020-05-31"
MAX_ITEMS = 100

Response = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request that the handlers read."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


# Members that a summary must carry; AWS fills them in when a config lacks them.
_SUMMARY_DEFAULTS: dict[str, Any] = {
    "Aliases": {"Quantity": 0},
    "CacheBehaviors": {"Quantity": 0},
    "CustomErrorResponses": {"Quantity": 0},
    "PriceClass": "PriceClass_All",
    "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "",
    "HttpVersion": "http2",
    "IsIPV6Enabled": True,
    "Staging": False,
}
_COMPUTED = {"Id", "ARN", "ETag", "Status", "LastModifiedTime", "DomainName"}


def _xml_response(
    status: int, value: dict[str, Any], shape_name: str, **headers: str
) -> Response:
    body = cloudfront_xml.serialize(value, shape_name)
    return status, {"Content-Type": "text/xml", **headers}, body


def error_response(error: CloudFrontError) -> Response:
    body = cloudfront_xml.error_body(error.code, error.message, error.status < 500)
    return error.status, {"Content-Type": "text/xml"}, body


def _tags_to_dict(tags: dict[str, Any]) -> dict[str, str]:
    return {item["Key"]: item.get("Value", "") for item in tags.get("Items") or []}


class CloudFrontApi:
    """Handlers for the distribution operations that moto gets wrong."""

    def __init__(self, store: DistributionStore) -> None:
        self.store = store
        self._cache_lock = threading.Lock()
        self._summary_cache: dict[str, tuple[tuple[str, str], str]] = {}
        self._handlers: dict[str, Callable[[Request], Response]] = {
            "CreateDistribution": self._create,
            "CreateDistributionWithTags": self._create_with_tags,
            "GetDistribution": self._get,
            "GetDistributionConfig": self._get_config,
            "UpdateDistribution": self._update,
            "DeleteDistribution": self._delete,
            "ListDistributions": self._list,
            "TagResource": self._tag,
            "UntagResource": self._untag,
            "ListTagsForResource": self._list_tags,
        }

    def handles(self, operation: str) -> bool:
        return operation in self._handlers

    def handle(
        self,
        operation: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        """Run one operation and return ``(status, headers, body)``."""
        try:
            request = Request(path, parse_qs(query), headers, body)
            return self._handlers[operation](request)
        except cloudfront_xml.MalformedXML as exc:
            return error_response(CloudFrontError("MalformedInput", str(exc)))
        except CloudFrontError as exc:
            return error_response(exc)

    def _distribution(self, distribution: Distribution) -> dict[str, Any]:
        return {
            "Id": distribution.id,
            "ARN": distribution.arn,
            "Status": distribution.status(time.monotonic()),
            "LastModifiedTime": distribution.last_modified,
            "InProgressInvalidationBatches": 0,
            "DomainName": distribution.domain_name,
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": distribution.config,
        }

    def _summary(self, distribution: Distribution, now: float) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "Id": distribution.id,
            "ARN": distribution.arn,
            "ETag": distribution.etag,
            "Status": distribution.status(now),
            "LastModifiedTime": distribution.last_modified,
            "DomainName": distribution.domain_name,
        }
        summary_shape = cloudfront_xml.shape("DistributionSummary")
        assert isinstance(summary_shape, StructureShape)
        for name in summary_shape.members:
            if name in _COMPUTED:
                continue
            if name in distribution.config:
                summary[name] = distribution.config[name]
            elif name in _SUMMARY_DEFAULTS:
                summary[name] = _SUMMARY_DEFAULTS[name]
        return summary

    def _created(self, distribution: Distribution) -> Response:
        location = f"https://cloudfront.amazonaws.com{API_PREFIX}/distribution/{distribution.id}"
        return _xml_response(
            201,
            self._distribution(distribution),
            "Distribution",
            ETag=distribution.etag,
            Location=location,
        )

    def _create(self, request: Request) -> Response:
        config = cloudfront_xml.parse(request.body, "DistributionConfig")
        return self._created(self.store.create(config))

    def _create_with_tags(self, request: Request) -> Response:
        parsed = cloudfront_xml.parse(request.body, "DistributionConfigWithTags")
        tags = _tags_to_dict(parsed.get("Tags", {}))
        return self._created(self.store.create(parsed["DistributionConfig"], tags))

    @staticmethod
    def _id_from(path: str) -> str:
        return path.removeprefix(f"{API_PREFIX}/distribution/").split("/")[0]

    def _get(self, request: Request) -> Response:
        distribution = self.store.get(self._id_from(request.path))
        return _xml_response(
            200,
            self._distribution(distribution),
            "Distribution",
            ETag=distribution.etag,
        )

    def _get_config(self, request: Request) -> Response:
        distribution = self.store.get(self._id_from(request.path))
        return _xml_response(
            200, distribution.config, "DistributionConfig", ETag=distribution.etag
        )

    def _update(self, request: Request) -> Response:
        config = cloudfront_xml.parse(request.body, "DistributionConfig")
        distribution = self.store.update(
            self._id_from(request.path), config, request.headers.get("if-match")
        )
        return _xml_response(
            200,
            self._distribution(distribution),
            "Distribution",
            ETag=distribution.etag,
        )

    def _delete(self, request: Request) -> Response:
        self.store.delete(self._id_from(request.path), request.headers.get("if-match"))
        return 204, {}, b""

    def _list(self, request: Request) -> Response:
        marker = request.query.get("Marker", [""])[0]
        raw_max = request.query.get("MaxItems", [str(MAX_ITEMS)])[0]
        if not raw_max.isdigit() or int(raw_max) < 1:
            raise CloudFrontError(
                "InvalidArgument",
                f"MaxItems must be a positive integer, got {raw_max!r}.",
            )
        # CloudFront returns at most 100 summaries a page, whatever MaxItems requests.
        max_items = min(int(raw_max), MAX_ITEMS)
        distributions, next_marker = self.store.page(marker, max_items)
        now = time.monotonic()
        listing: dict[str, Any] = {
            "Marker": marker,
            "MaxItems": max_items,
            "IsTruncated": next_marker is not None,
            "Quantity": len(distributions),
        }
        if next_marker is not None:
            listing["NextMarker"] = next_marker
        xml = cloudfront_xml.fragment(listing, "DistributionList", "DistributionList")
        if distributions:
            summaries = "".join(self._summary_xml(d, now) for d in distributions)
            closing = "</DistributionList>"
            xml = f"{xml.removesuffix(closing)}<Items>{summaries}</Items>{closing}"
        return 200, {"Content-Type": "text/xml"}, cloudfront_xml.document(xml)

    def warm(self) -> None:
        """Serialize every summary now, so the next listing only reads the cache."""
        now = time.monotonic()
        marker = ""
        while True:
            distributions, next_marker = self.store.page(marker, MAX_ITEMS)
            for distribution in distributions:
                self._summary_xml(distribution, now)
            if next_marker is None:
                return
            marker = next_marker

    def _summary_xml(self, distribution: Distribution, now: float) -> str:
        """Return a summary's XML, serialized once per ETag and status."""
        key = (distribution.etag, distribution.status(now))
        with self._cache_lock:
            cached = self._summary_cache.get(distribution.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        xml = cloudfront_xml.fragment(
            self._summary(distribution, now),
            "DistributionSummary",
            "DistributionSummary",
        )
        with self._cache_lock:
            self._summary_cache[distribution.id] = (key, xml)
        return xml

    def _resource(self, query: dict[str, list[str]]) -> str:
        arn = query.get("Resource", [""])[0]
        if self.store.by_arn(arn) is None:
            raise no_such_resource(arn)
        return arn

    def _tag(self, request: Request) -> Response:
        arn = self._resource(request.query)
        self.store.tag(arn, _tags_to_dict(cloudfront_xml.parse(request.body, "Tags")))
        return 204, {}, b""

    def _untag(self, request: Request) -> Response:
        arn = self._resource(request.query)
        keys = cloudfront_xml.parse(request.body, "TagKeys").get("Items") or []
        self.store.untag(arn, keys)
        return 204, {}, b""

    def _list_tags(self, request: Request) -> Response:
        distribution = self.store.by_arn(self._resource(request.query))
        tags = distribution.tags if distribution is not None else {}
        items = [{"Key": key, "Value": value} for key, value in tags.items()]
        return _xml_response(200, {"Items": items}, "Tags")
