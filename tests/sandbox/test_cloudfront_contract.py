"""CloudFront behaviour of the sandbox, driven through boto3 over HTTP."""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import CONFIG_FILES, load_config, with_association

VERSION_MESSAGE = "The function ARN must reference a specific function version"


def create_referenced_functions(sandbox: Sandbox, config: dict[str, Any]) -> None:
    """Create every Lambda version that ``config`` names, in its own account."""
    arns = set()
    behaviors = [config["DefaultCacheBehavior"]]
    behaviors += config.get("CacheBehaviors", {}).get("Items") or []
    for behavior in behaviors:
        for item in behavior["LambdaFunctionAssociations"].get("Items") or []:
            arns.add(item["LambdaFunctionARN"])
    for arn in sorted(arns):
        match = re.fullmatch(
            r"arn:aws:lambda:us-east-1:(\d+):function:([\w-]+):(\d+)", arn
        )
        assert match is not None, arn
        account, name, version = match[1], match[2], int(match[3])
        iam = sandbox.client("iam", account_id=account)
        lam = sandbox.client("lambda", account_id=account)
        role_name = f"role-{name}"
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")
        lam.create_function(
            FunctionName=name,
            Runtime="nodejs20.x",
            Role=role["Role"]["Arn"],
            Handler="index.handler",
            Code={"ZipFile": b"build 0"},
        )
        for build in range(1, version + 1):
            lam.update_function_code(
                FunctionName=name, ZipFile=f"build {build}".encode()
            )
            lam.publish_version(FunctionName=name)


def create(cloudfront: Any, config: dict[str, Any]) -> str:
    """Create a distribution and return its id."""
    distribution_id: str = cloudfront.create_distribution(DistributionConfig=config)[
        "Distribution"
    ]["Id"]
    return distribution_id


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda path: Path(path).stem)
def test_config_round_trips_unchanged(sandbox: Sandbox, path: Path) -> None:
    config = load_config(path)
    create_referenced_functions(sandbox, config)
    cloudfront = sandbox.client("cloudfront")

    created = cloudfront.create_distribution(DistributionConfig=config)
    fetched = cloudfront.get_distribution_config(Id=created["Distribution"]["Id"])

    assert fetched["DistributionConfig"] == config
    assert created["Distribution"]["DistributionConfig"] == config
    assert fetched["ETag"] == created["ETag"]


def test_update_round_trips_path_behavior_associations(
    sandbox: Sandbox, edge_function: list[str]
) -> None:
    config = load_config(CONFIG_FILES[3])  # CloudFront Functions and path behaviors
    create_referenced_functions(sandbox, config)
    cloudfront = sandbox.client("cloudfront")
    created = cloudfront.create_distribution(DistributionConfig=config)
    distribution_id = created["Distribution"]["Id"]
    current = cloudfront.get_distribution_config(Id=distribution_id)
    changed = copy.deepcopy(current["DistributionConfig"])
    path_behavior = changed["CacheBehaviors"]["Items"][-1]
    path_behavior["LambdaFunctionAssociations"] = {
        "Quantity": 1,
        "Items": [
            {
                "LambdaFunctionARN": edge_function[1],
                "EventType": "origin-request",
                "IncludeBody": True,
            }
        ],
    }

    cloudfront.update_distribution(
        Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=changed
    )
    fetched = cloudfront.get_distribution_config(Id=distribution_id)

    assert fetched["DistributionConfig"] == changed


def test_update_rotates_etag_and_rejects_stale(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    cloudfront = sandbox.client("cloudfront")
    distribution_id = create(cloudfront, minimal_config)
    first = cloudfront.get_distribution_config(Id=distribution_id)

    updated = cloudfront.update_distribution(
        Id=distribution_id, IfMatch=first["ETag"], DistributionConfig=minimal_config
    )

    assert updated["ETag"] != first["ETag"]
    assert (
        cloudfront.get_distribution_config(Id=distribution_id)["ETag"]
        == updated["ETag"]
    )
    with pytest.raises(ClientError, match="PreconditionFailed") as raised:
        cloudfront.update_distribution(
            Id=distribution_id, IfMatch=first["ETag"], DistributionConfig=minimal_config
        )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_update_without_if_match_is_rejected(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    cloudfront = sandbox.client("cloudfront")
    distribution_id = create(cloudfront, minimal_config)

    with pytest.raises(ClientError, match="InvalidIfMatchVersion") as raised:
        cloudfront.update_distribution(
            Id=distribution_id, DistributionConfig=minimal_config
        )

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_inconsistent_quantity_is_rejected(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    minimal_config["Aliases"] = {"Quantity": 2, "Items": ["a.example.com"]}

    with pytest.raises(ClientError, match="InconsistentQuantities"):
        sandbox.client("cloudfront").create_distribution(
            DistributionConfig=minimal_config
        )


def test_update_with_inconsistent_quantity_keeps_config(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    cloudfront = sandbox.client("cloudfront")
    distribution_id = create(cloudfront, minimal_config)
    current = cloudfront.get_distribution_config(Id=distribution_id)
    broken = copy.deepcopy(minimal_config)
    broken["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {"Quantity": 1}

    with pytest.raises(ClientError, match="InconsistentQuantities"):
        cloudfront.update_distribution(
            Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=broken
        )

    after = cloudfront.get_distribution_config(Id=distribution_id)
    assert after["ETag"] == current["ETag"]
    assert after["DistributionConfig"] == minimal_config


@pytest.mark.parametrize(
    "qualifier",
    ["", ":$LATEST", ":live"],
    ids=["unqualified", "latest", "alias"],
)
def test_association_needs_numbered_version(
    sandbox: Sandbox,
    edge_function: list[str],
    minimal_config: dict[str, Any],
    qualifier: str,
) -> None:
    unqualified = edge_function[0].rsplit(":", 1)[0]
    config = with_association(minimal_config, unqualified + qualifier)

    with pytest.raises(ClientError, match=re.escape(VERSION_MESSAGE)) as raised:
        sandbox.client("cloudfront").create_distribution(DistributionConfig=config)

    assert raised.value.response["Error"]["Code"] == "InvalidLambdaFunctionAssociation"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:edge-fn:9",
        "arn:aws:lambda:us-east-1:123456789012:function:missing-fn:1",
        "arn:aws:lambda:eu-west-1:123456789012:function:edge-fn:1",
    ],
    ids=["missing-version", "missing-function", "wrong-region"],
)
def test_association_needs_existing_us_east_1_version(
    sandbox: Sandbox, edge_function: list[str], minimal_config: dict[str, Any], arn: str
) -> None:
    config = with_association(minimal_config, arn)

    with pytest.raises(ClientError) as raised:
        sandbox.client("cloudfront").create_distribution(DistributionConfig=config)

    assert raised.value.response["Error"]["Code"] == "InvalidLambdaFunctionAssociation"


def test_association_one_per_event_type(
    sandbox: Sandbox, edge_function: list[str], minimal_config: dict[str, Any]
) -> None:
    config = with_association(minimal_config, edge_function[0])
    associations = config["DefaultCacheBehavior"]["LambdaFunctionAssociations"]
    associations["Items"].append(
        dict(associations["Items"][0], LambdaFunctionARN=edge_function[1])
    )
    associations["Quantity"] = 2

    with pytest.raises(ClientError, match="InvalidLambdaFunctionAssociation"):
        sandbox.client("cloudfront").create_distribution(DistributionConfig=config)


@pytest.mark.parametrize("event_type", ["origin-response", "viewer-response"])
def test_include_body_only_on_request_events(
    sandbox: Sandbox,
    edge_function: list[str],
    minimal_config: dict[str, Any],
    event_type: str,
) -> None:
    config = with_association(
        minimal_config, edge_function[0], event_type, IncludeBody=True
    )

    with pytest.raises(ClientError, match="InvalidLambdaFunctionAssociation"):
        sandbox.client("cloudfront").create_distribution(DistributionConfig=config)


def test_include_body_allowed_on_origin_request(
    sandbox: Sandbox, edge_function: list[str], minimal_config: dict[str, Any]
) -> None:
    config = with_association(
        minimal_config, edge_function[0], "origin-request", IncludeBody=True
    )

    created = sandbox.client("cloudfront").create_distribution(
        DistributionConfig=config
    )

    behavior = created["Distribution"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["LambdaFunctionAssociations"]["Items"][0]["IncludeBody"] is True


def test_cloudfront_function_and_viewer_lambda_conflict(
    sandbox: Sandbox, edge_function: list[str], minimal_config: dict[str, Any]
) -> None:
    config = with_association(minimal_config, edge_function[0], "viewer-request")
    config["DefaultCacheBehavior"]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [
            {
                "FunctionARN": "arn:aws:cloudfront::123456789012:function/add-headers",
                "EventType": "viewer-response",
            }
        ],
    }

    with pytest.raises(ClientError, match="InvalidFunctionAssociation"):
        sandbox.client("cloudfront").create_distribution(DistributionConfig=config)


def test_status_in_progress_then_deployed(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    cloudfront = sandbox.client("cloudfront")

    created = cloudfront.create_distribution(DistributionConfig=minimal_config)
    distribution_id = created["Distribution"]["Id"]

    assert created["Distribution"]["Status"] == "InProgress"
    deadline = time.monotonic() + 30
    status = "InProgress"
    while status != "Deployed" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = cloudfront.get_distribution(Id=distribution_id)["Distribution"][
            "Status"
        ]
    assert status == "Deployed"
    etag = cloudfront.get_distribution_config(Id=distribution_id)["ETag"]
    updated = cloudfront.update_distribution(
        Id=distribution_id, IfMatch=etag, DistributionConfig=minimal_config
    )
    assert updated["Distribution"]["Status"] == "InProgress"


def test_function_quota_is_enforced(
    sandbox: Sandbox, edge_function: list[str], minimal_config: dict[str, Any]
) -> None:
    sandbox.configure(function_quota=2)
    cloudfront = sandbox.client("cloudfront")
    for index, arn in enumerate(edge_function[:2]):
        config = with_association(minimal_config, arn)
        config["CallerReference"] = f"quota-{index}"
        cloudfront.create_distribution(DistributionConfig=config)
    third = with_association(minimal_config, edge_function[2])
    third["CallerReference"] = "quota-2"

    with pytest.raises(ClientError, match="TooManyDistributionsWithSingleFunctionARN"):
        cloudfront.create_distribution(DistributionConfig=third)


def test_delete_needs_disabled_distribution(
    sandbox: Sandbox, minimal_config: dict[str, Any]
) -> None:
    sandbox.configure(deploy_delay_s=0.0)
    cloudfront = sandbox.client("cloudfront")
    distribution_id = create(cloudfront, minimal_config)
    etag = cloudfront.get_distribution_config(Id=distribution_id)["ETag"]
    with pytest.raises(ClientError, match="DistributionNotDisabled"):
        cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)
    disabled = dict(minimal_config, Enabled=False)
    etag = cloudfront.update_distribution(
        Id=distribution_id, IfMatch=etag, DistributionConfig=disabled
    )["ETag"]

    cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)

    with pytest.raises(ClientError, match="NoSuchDistribution"):
        cloudfront.get_distribution(Id=distribution_id)


def test_missing_distribution_is_404(sandbox: Sandbox) -> None:
    with pytest.raises(ClientError, match="NoSuchDistribution") as raised:
        sandbox.client("cloudfront").get_distribution_config(Id="EDOESNOTEXIST1")

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
