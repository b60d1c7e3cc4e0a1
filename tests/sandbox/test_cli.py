"""The ``reconciler sandbox`` command and the AWS CLI against the server."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import cli

REPO = Path(__file__).parent.parent.parent


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    """Run ``python -m reconciler.sandbox`` and return the environment it prints."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler.sandbox",
            "--distributions",
            "120",
            "--seed",
            "1",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    env: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = value
        if line.startswith("# call counts"):
            break
    try:
        yield env
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0


def test_options_become_settings() -> None:
    args = parse(
        [
            "--port", "0",
            "--latency", "cloudfront:UpdateDistribution=0.05",
            "--rate-limit", "cloudfront:*=2:5",
            "--error-ratio", "0.1",
            "--concurrent-writer-ratio", "0.2",
        ]
    )  # fmt: skip

    settings = cli.settings_from(args)

    assert settings.latency_s == {"cloudfront:UpdateDistribution": 0.05}
    assert settings.rate_limits == {"cloudfront:*": (2.0, 5.0)}
    assert settings.error_ratio == 0.1
    assert settings.concurrent_writer_ratio == 0.2


def test_bad_rate_limit_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse(["--rate-limit", "cloudfront:*=fast"])


def test_run_prints_exports_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    outcome: list[int] = []
    runner = threading.Thread(
        target=lambda: outcome.append(cli.run(parse(["--distributions", "3"]), stop))
    )

    runner.start()
    printed = ""
    deadline = time.monotonic() + 60
    while "# call counts" not in printed and time.monotonic() < deadline:
        time.sleep(0.05)
        printed += capsys.readouterr().out
    stop.set()
    runner.join(timeout=30)

    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in printed
    assert "# seeded 3 distributions" in printed
    assert outcome == [0]


def test_run_rejects_invalid_settings() -> None:
    assert cli.run(parse(["--error-ratio", "3"]), threading.Event()) == 2


def test_server_process_serves_boto3(served: dict[str, str]) -> None:
    import boto3

    client = boto3.client(
        "cloudfront",
        endpoint_url=served["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=served["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=served["AWS_SECRET_ACCESS_KEY"],
    )

    listing = client.list_distributions()["DistributionList"]

    assert listing["Quantity"] == 100
    assert listing["IsTruncated"] is True


def test_aws_cli_lists_associations(served: dict[str, str]) -> None:
    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("the AWS CLI is not installed")
    env = {**os.environ, **served}

    result = subprocess.run(
        [aws, "cloudfront", "list-distributions",
         "--endpoint-url", served["AWS_ENDPOINT_URL"], "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )  # fmt: skip

    items = json.loads(result.stdout)["DistributionList"]["Items"]
    arns = [
        association["LambdaFunctionARN"]
        for item in items
        for association in item["DefaultCacheBehavior"][
            "LambdaFunctionAssociations"
        ].get("Items", [])
    ]
    assert len(items) == 120
    assert any(":function:bot-router:" in arn for arn in arns)
