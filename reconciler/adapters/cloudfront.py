"""CloudFront adapter: list summaries, read and write one distribution config."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.adapters.aws import aws_call
from reconciler.core.observe import ObservedDistribution, observe_summary

log = logging.getLogger(__name__)

# ListDistributions returns at most 100 summaries a page.
PAGE_SIZE = 100


class CloudFront:
    def __init__(self, client: Any, tagging_client: Any) -> None:
        self._client = client
        self._tagging = tagging_client

    def observe_all(self) -> Iterator[ObservedDistribution]:
        """Yield every distribution of the account, observed from summaries only."""
        paginator = self._client.get_paginator("list_distributions")
        with aws_call("ListDistributions"):
            pages = paginator.paginate(PaginationConfig={"PageSize": PAGE_SIZE})
            for page in pages:
                summaries = page["DistributionList"].get("Items") or []
                log.debug("listed %d distribution summaries", len(summaries))
                for summary in summaries:
                    yield observe_summary(summary)

    def ids_with_tags(self, tags: Mapping[str, str]) -> set[str]:
        """Return the ids of distributions that carry every tag in ``tags``."""
        filters = [
            {"Key": key, "Values": [value]} for key, value in sorted(tags.items())
        ]
        paginator = self._tagging.get_paginator("get_resources")
        found: set[str] = set()
        with aws_call("GetResources"):
            for page in paginator.paginate(
                ResourceTypeFilters=["cloudfront:distribution"], TagFilters=filters
            ):
                for mapping in page.get("ResourceTagMappingList", []):
                    found.add(mapping["ResourceARN"].rsplit("/", 1)[-1])
        log.debug("%d distributions carry tags %s", len(found), tags)
        return found

    def get_config(self, distribution_id: str) -> tuple[dict[str, Any], str]:
        """Return the full config and its ETag."""
        with aws_call("GetDistributionConfig", distribution_id):
            response = self._client.get_distribution_config(Id=distribution_id)
        log.debug("read config of %s (ETag %s)", distribution_id, response["ETag"])
        return response["DistributionConfig"], response["ETag"]

    def update_config(
        self, distribution_id: str, config: Mapping[str, Any], etag: str
    ) -> str:
        """Write ``config`` guarded by ``etag``; return the new ETag.

        Raises ``ClientError`` unmapped, so the apply engine can tell a
        ``PreconditionFailed`` race from a real failure.
        """
        response = self._client.update_distribution(
            Id=distribution_id, IfMatch=etag, DistributionConfig=config
        )
        new_etag: str = response["ETag"]
        log.info(
            "updated distribution %s (ETag %s -> %s)", distribution_id, etag, new_etag
        )
        return new_etag
