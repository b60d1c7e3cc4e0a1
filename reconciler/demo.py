"""``reconciler demo``: plan, apply and plan again on a seeded local sandbox.

It needs no AWS account: the sandbox runs in this process on 127.0.0.1 and
the reconciler reaches it over HTTP exactly as it reaches AWS.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import boto3

from reconciler.adapters.aws import make_clients
from reconciler.desired_state import load_desired_state
from reconciler.reconcile import RunOptions, reconcile
from reconciler.report.text import render_text
from reconciler.sandbox import (
    FleetSpec,
    Sandbox,
    SandboxSettings,
    create_edge_role,
    seed_fleet,
)

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("desired_state.yaml"),
        help="desired state file",
    )
    parser.add_argument(
        "--distributions",
        type=int,
        default=300,
        help="distributions to seed (default 300)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of the generated fleet"
    )
    parser.add_argument(
        "--batch-interval",
        type=float,
        default=0.2,
        help="seconds between batches (overrides rollout.batch_interval_s)",
    )


def run_demo(args: argparse.Namespace) -> int:
    desired = load_desired_state(args.state)
    rollout = desired.rollout.model_copy(
        update={"batch_interval_s": args.batch_interval}
    )
    desired = desired.model_copy(update={"rollout": rollout})
    root = args.state.resolve().parent
    source = (root / desired.function.source).read_bytes()

    with Sandbox(SandboxSettings(seed=args.seed)) as sandbox:
        print(f"sandbox listening on {sandbox.endpoint_url}")
        fleet = seed_fleet(
            sandbox,
            FleetSpec(
                size=args.distributions,
                function_name=desired.function.name,
                seed=args.seed,
                code=source,
            ),
        )
        # Create the role the desired state names, as an operator would have.
        create_edge_role(desired.function.role.rsplit("/", 1)[-1])
        print(
            f"seeded {len(fleet.distribution_ids)} distributions and function "
            f"{fleet.function_arn}\n"
        )

        for step, mode in (("1/3", "plan"), ("2/3", "apply"), ("3/3", "plan")):
            print(f"== {step} reconciler {mode}")
            sandbox.reset_calls()
            env = sandbox.env()
            session = boto3.Session(
                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                region_name="us-east-1",
            )
            clients = make_clients(
                endpoint_url=sandbox.endpoint_url,
                session=session,
                retry_mode=desired.rollout.retry_mode,
                max_attempts=desired.rollout.max_attempts,
                max_pool_connections=desired.rollout.max_concurrency + 4,
            )
            options = RunOptions(mode=mode, root=root, clients=clients)  # type: ignore[arg-type]
            report = reconcile(desired, options)
            print(render_text(report))
            if report.status == "error":
                return 1
    return 0
