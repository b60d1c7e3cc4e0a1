"""``reconciler sandbox``: run the sandbox as a long-lived local server."""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import threading
from types import FrameType

from reconciler.sandbox.fleet import FleetSpec, seed_fleet
from reconciler.sandbox.server import Sandbox
from reconciler.sandbox.settings import SandboxSettings

logger = logging.getLogger(__name__)


def _rate_limit(value: str) -> tuple[str, tuple[float, float]]:
    """Parse ``OPERATION=RATE:BURST``, e.g. ``cloudfront:UpdateDistribution=2:5``."""
    key, _, limit = value.rpartition("=")
    rate, _, burst = limit.partition(":")
    try:
        return key, (float(rate), float(burst or rate))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid rate limit {value!r}; expected OPERATION=RATE:BURST, "
            f"e.g. cloudfront:UpdateDistribution=2:5"
        ) from None


def _latency(value: str) -> tuple[str, float]:
    """Parse ``OPERATION=SECONDS``, e.g. ``*=0.05``."""
    key, _, seconds = value.rpartition("=")
    try:
        return key or "*", float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid latency {value!r}; expected OPERATION=SECONDS, e.g. *=0.05"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``reconciler sandbox`` options to ``parser``."""
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one"
    )
    parser.add_argument(
        "--distributions",
        type=int,
        default=50,
        help="distributions to seed; 0 seeds nothing",
    )
    parser.add_argument(
        "--function-name", default="bot-router", help="name of the seeded edge function"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the fleet and of every injected fault",
    )
    parser.add_argument(
        "--deploy-delay",
        type=float,
        default=2.0,
        help="seconds a distribution stays InProgress after a write",
    )
    parser.add_argument(
        "--lambda-update-delay",
        type=float,
        default=0.0,
        help="seconds a function stays LastUpdateStatus InProgress after an update",
    )
    parser.add_argument(
        "--latency",
        type=_latency,
        action="append",
        default=[],
        metavar="OPERATION=SECONDS",
        help="added latency, per service:Operation, service:* or *; repeatable",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate_limit,
        action="append",
        default=[],
        metavar="OPERATION=RATE:BURST",
        help="token bucket per operation: calls per second and size; repeatable",
    )
    parser.add_argument(
        "--error-ratio",
        type=float,
        default=0.0,
        help="share of calls that return an injected 5xx error, 0 to 1",
    )
    parser.add_argument(
        "--timeout-ratio",
        type=float,
        default=0.0,
        help="share of calls held for --timeout seconds, 0 to 1",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="seconds an injected timeout delays the response",
    )
    parser.add_argument(
        "--concurrent-writer-ratio",
        type=float,
        default=0.0,
        help="share of UpdateDistribution calls that find a foreign edit, 0 to 1",
    )
    parser.add_argument(
        "--function-quota",
        type=int,
        default=500,
        help="distributions allowed per Lambda function (AWS default: 500)",
    )


def settings_from(args: argparse.Namespace) -> SandboxSettings:
    """Build ``SandboxSettings`` from parsed arguments."""
    return SandboxSettings(
        port=args.port,
        seed=args.seed,
        deploy_delay_s=args.deploy_delay,
        lambda_update_delay_s=args.lambda_update_delay,
        latency_s=dict(args.latency),
        rate_limits=dict(args.rate_limit),
        error_ratio=args.error_ratio,
        timeout_ratio=args.timeout_ratio,
        timeout_s=args.timeout,
        concurrent_writer_ratio=args.concurrent_writer_ratio,
        function_quota=args.function_quota,
    )


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Start the sandbox, seed it, print the environment and serve until stopped.

    ``stop`` ends the server when set; without it, SIGINT or SIGTERM does.
    """
    try:
        settings = settings_from(args)
    except ValueError as exc:
        logger.error("invalid sandbox settings: %s", exc)
        return 2
    stop = stop or threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

    with Sandbox(settings) as sandbox:
        if args.distributions:
            fleet = seed_fleet(
                sandbox,
                FleetSpec(
                    size=args.distributions,
                    function_name=args.function_name,
                    seed=args.seed,
                ),
            )
            count = len(fleet.distribution_ids)
            print(f"# seeded {count} distributions; function {fleet.function_arn}")
        for name, value in sandbox.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print(
            f"# call counts: curl {sandbox.endpoint_url}/_sandbox/calls",
            flush=True,
        )
        stop.wait()
    return 0
