"""ListDistributions pagination and summaries, CloudFront tags and the tagging API."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.sandbox import Fleet, FleetSpec, Sandbox, seed_fleet


@pytest.fixture
def fleet(sandbox: Sandbox) -> Fleet:
    return seed_fleet(sandbox, FleetSpec(size=260, seed=3))


def list_pages(sandbox: Sandbox, **kwargs: Any) -> list[dict[str, Any]]:
    cloudfront = sandbox.client("cloudfront")
    pages = []
    marker = ""
    while True:
        listing = cloudfront.list_distributions(Marker=marker, **kwargs)[
            "DistributionList"
        ]
        pages.append(listing)
        if not listing["IsTruncated"]:
            return pages
        marker = listing["NextMarker"]


def test_pagination_returns_every_distribution_once(
    sandbox: Sandbox, fleet: Fleet
) -> None:
    pages = list_pages(sandbox)

    ids = [item["Id"] for page in pages for item in page["Items"]]
    assert [page["Quantity"] for page in pages] == [100, 100, 60]
    assert [page["IsTruncated"] for page in pages] == [True, True, False]
    assert "NextMarker" not in pages[-1]
    assert ids == fleet.distribution_ids


def test_max_items_is_capped_at_100(sandbox: Sandbox, fleet: Fleet) -> None:
    pages = list_pages(sandbox, MaxItems="1000")

    assert [page["Quantity"] for page in pages] == [100, 100, 60]
    assert pages[0]["MaxItems"] == 100


def test_small_pages_follow_markers(sandbox: Sandbox, fleet: Fleet) -> None:
    pages = list_pages(sandbox, MaxItems="7")

    ids = [item["Id"] for page in pages for item in page["Items"]]
    assert len(pages) == 38
    assert ids == fleet.distribution_ids


def test_boto3_paginator_sees_all(sandbox: Sandbox, fleet: Fleet) -> None:
    paginator = sandbox.client("cloudfront").get_paginator("list_distributions")

    ids = [
        item["Id"]
        for page in paginator.paginate()
        for item in page["DistributionList"].get("Items", [])
    ]

    assert ids == fleet.distribution_ids


def test_summaries_carry_behaviors_and_associations(
    sandbox: Sandbox, fleet: Fleet
) -> None:
    summaries = {
        item["Id"]: item for page in list_pages(sandbox) for item in page["Items"]
    }
    configs = sandbox.snapshot_configs()

    for distribution_id, config in configs.items():
        summary = summaries[distribution_id]
        assert summary["DefaultCacheBehavior"] == config["DefaultCacheBehavior"]
        assert summary["CacheBehaviors"] == config.get(
            "CacheBehaviors", {"Quantity": 0}
        )
        assert summary["Comment"] == config["Comment"]
        assert summary["Enabled"] == config["Enabled"]
        assert summary["Status"] == "Deployed"
        assert summary["ETag"]
    newest = fleet.version_arns[-1]
    current = summaries[fleet.by_kind["current"][0]]
    arns = [
        item["LambdaFunctionARN"]
        for item in current["DefaultCacheBehavior"]["LambdaFunctionAssociations"][
            "Items"
        ]
    ]
    assert newest in arns


def test_empty_account_lists_nothing(sandbox: Sandbox) -> None:
    listing = sandbox.client("cloudfront").list_distributions()["DistributionList"]

    assert listing["Quantity"] == 0
    assert listing["IsTruncated"] is False
    assert "Items" not in listing


def test_invalid_max_items_is_rejected(sandbox: Sandbox) -> None:
    with pytest.raises(ClientError, match="InvalidArgument"):
        sandbox.client("cloudfront").list_distributions(MaxItems="0")


def test_tags_round_trip(sandbox: Sandbox, minimal_config: dict[str, Any]) -> None:
    cloudfront = sandbox.client("cloudfront")
    created = cloudfront.create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": minimal_config,
            "Tags": {"Items": [{"Key": "team", "Value": "web"}]},
        }
    )
    arn = created["Distribution"]["ARN"]

    cloudfront.tag_resource(
        Resource=arn, Tags={"Items": [{"Key": "router", "Value": "enabled"}]}
    )
    cloudfront.untag_resource(Resource=arn, TagKeys={"Items": ["team"]})
    tags = cloudfront.list_tags_for_resource(Resource=arn)["Tags"]["Items"]

    assert tags == [{"Key": "router", "Value": "enabled"}]


def test_tags_of_missing_distribution_fail(sandbox: Sandbox) -> None:
    arn = "arn:aws:cloudfront::123456789012:distribution/EMISSING000001"

    with pytest.raises(ClientError, match="NoSuchResource"):
        sandbox.client("cloudfront").list_tags_for_resource(Resource=arn)


def test_tagging_api_finds_distributions_by_tag(sandbox: Sandbox, fleet: Fleet) -> None:
    tagging = sandbox.client("resourcegroupstaggingapi")
    expected = {
        arn for arn, tags in sandbox.store.tagged() if tags.get("router") == "enabled"
    }

    paginator = tagging.get_paginator("get_resources")
    found = {
        item["ResourceARN"]
        for page in paginator.paginate(
            ResourceTypeFilters=["cloudfront:distribution"],
            TagFilters=[{"Key": "router", "Values": ["enabled"]}],
        )
        for item in page["ResourceTagMappingList"]
    }

    kinds = fleet.by_kind
    assert len(expected) == len(kinds["current"]) + len(kinds["old"]) + len(
        kinds["unassociated"]
    )
    assert found == expected


def test_tagging_api_without_type_filter_includes_distributions(
    sandbox: Sandbox, fleet: Fleet
) -> None:
    tagging = sandbox.client("resourcegroupstaggingapi")

    found = tagging.get_resources(TagFilters=[{"Key": "tier", "Values": ["dev"]}])

    arns = {item["ResourceARN"] for item in found["ResourceTagMappingList"]}
    assert arns
    assert all(":distribution/" in arn for arn in arns)
