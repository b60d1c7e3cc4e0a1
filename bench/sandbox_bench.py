"""Measure how fast the sandbox seeds and lists a large fleet.

Run: ``python bench/sandbox_bench.py [--size 5000]``. Prints a Markdown table.
Targets: seeding 5,000 distributions under 60 s, listing them all through
boto3 under 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any

from reconciler.sandbox import FleetSpec, Sandbox, SandboxSettings, seed_fleet


def list_all(cloudfront: Any) -> tuple[int, float]:
    """List every distribution with boto3's paginator; return count and seconds."""
    started = time.perf_counter()
    listed = 0
    for page in cloudfront.get_paginator("list_distributions").paginate():
        listed += len(page["DistributionList"].get("Items", []))
    return listed, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000, help="distributions to seed")
    args = parser.parse_args()
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

    # AWS's default quota of 500 distributions per function is raised, as an
    # account running a fleet this large would have asked for.
    with Sandbox(SandboxSettings(function_quota=args.size)) as sandbox:
        started = time.perf_counter()
        fleet = seed_fleet(sandbox, FleetSpec(size=args.size))
        seed_s = time.perf_counter() - started

        cloudfront = sandbox.client("cloudfront")
        listed, list_s = list_all(cloudfront)
        pages = sandbox.calls().get("cloudfront:ListDistributions", 0)
        relisted, relist_s = list_all(cloudfront)

    assert listed == len(fleet.distribution_ids), (listed, len(fleet.distribution_ids))
    print(f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| Step | Distributions | Calls | Seconds | Target |")
    print("|---|---:|---:|---:|---:|")
    print(f"| seed fleet | {args.size} | 0 | {seed_s:.1f} | < 60 |")
    print(f"| list all (boto3 paginator) | {listed} | {pages} | {list_s:.1f} | < 10 |")
    print(f"| list all again | {relisted} | {pages} | {relist_s:.1f} | < 10 |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
