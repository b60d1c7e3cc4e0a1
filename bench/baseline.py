"""The old update endpoint, for comparison: rewrite everything, every time.

It re-uploads the code, publishes a new version, then reads and writes every
distribution in batches of 10 with a 1 s pause, whether it drifted or not.
Run as ``python -m bench.baseline FUNCTION ZIP`` with ``AWS_ENDPOINT_URL``
pointing at a sandbox.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

BATCH_SIZE = 10
PAUSE_S = 1.0


def set_version(config: dict[str, Any], function_arn: str, version_arn: str) -> None:
    """Point every association of ``function_arn`` in ``config`` at ``version_arn``."""
    behaviors = [config["DefaultCacheBehavior"]]
    behaviors += (config.get("CacheBehaviors") or {}).get("Items") or []
    for behavior in behaviors:
        associations = behavior.get("LambdaFunctionAssociations") or {}
        for item in associations.get("Items") or []:
            if item["LambdaFunctionARN"].rsplit(":", 1)[0] == function_arn:
                item["LambdaFunctionARN"] = version_arn


def run(function_name: str, zip_bytes: bytes) -> int:
    """Publish ``zip_bytes`` and rewrite every distribution; return the writes."""
    config = Config(retries={"mode": "standard", "max_attempts": 8})
    lambda_client = boto3.client("lambda", region_name="us-east-1", config=config)
    cloudfront = boto3.client("cloudfront", region_name="us-east-1", config=config)

    lambda_client.update_function_code(FunctionName=function_name, ZipFile=zip_bytes)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    published = lambda_client.publish_version(FunctionName=function_name)
    version_arn = published["FunctionArn"]
    function_arn = version_arn.rsplit(":", 1)[0]

    ids = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        ids += [item["Id"] for item in page["DistributionList"].get("Items") or []]

    def rewrite(distribution_id: str) -> None:
        response = cloudfront.get_distribution_config(Id=distribution_id)
        distribution = response["DistributionConfig"]
        set_version(distribution, function_arn, version_arn)
        cloudfront.update_distribution(
            Id=distribution_id,
            IfMatch=response["ETag"],
            DistributionConfig=distribution,
        )

    # The 10 distributions of a batch go out in parallel, which is the most
    # favourable reading of the old endpoint's batches.
    with ThreadPoolExecutor(max_workers=BATCH_SIZE) as pool:
        for start in range(0, len(ids), BATCH_SIZE):
            if start:
                time.sleep(PAUSE_S)
            list(pool.map(rewrite, ids[start : start + BATCH_SIZE]))
    return len(ids)


if __name__ == "__main__":
    print(run(sys.argv[1], Path(sys.argv[2]).read_bytes()))
