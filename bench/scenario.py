"""One benchmark fleet: a sandbox with latency and a write rate limit.

The fleet is converged once with no latency, then ``set_drift`` moves a
share of the managed distributions back to the previous version straight in
the sandbox's store, which costs no API call.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from reconciler.adapters.aws import make_clients
from reconciler.core.arn import FunctionArn
from reconciler.desired_state import load_desired_state
from reconciler.edge.package import build_package
from reconciler.reconcile import RunOptions, reconcile
from reconciler.sandbox import (
    FleetSpec,
    Sandbox,
    SandboxSettings,
    create_edge_role,
    seed_fleet,
)

REPO = Path(__file__).parent.parent
ROLE = "bot-router-edge"
# Per-call latency in the range AWS control-plane calls take from outside
# AWS (50 to 150 ms), and a write rate limit. CloudFront publishes no rate;
# users report about 100 updates a minute working, which would make a 5,000
# rollout take 50 minutes here, so the limit is scaled up to keep the run
# short. The floor (writes / rate) scales with it.
LATENCY_S = {
    "cloudfront:ListDistributions": 0.15,
    "cloudfront:GetDistributionConfig": 0.08,
    "cloudfront:UpdateDistribution": 0.12,
    "lambda:*": 0.08,
    "*": 0.05,
}
WRITE_RATE = 40.0
WRITE_BURST = 10.0
DESIRED = f"""
function:
  name: bot-router
  source: lambda_code.js
  handler: index.handler
  role: arn:aws:iam::123456789012:role/{ROLE}
  settings:
    ai_origin_domain: ai-origin.example.com
associations:
  - event_type: viewer-request
rollout:
  batch_size: 100
  batch_interval_s: 0
  max_concurrency: 16
  max_failure_ratio: 0.5
  # Paced at the sandbox's write limit, as an operator would set it to
  # CloudFront's observed rate.
  max_writes_per_s: {WRITE_RATE:g}
limits:
  distributions_per_function: 100000
"""


class Scenario:
    def __init__(self, size: int, workdir: Path) -> None:
        self.size = size
        self.workdir = workdir
        self.sandbox = Sandbox(
            SandboxSettings(seed=size, deploy_delay_s=0.0, function_quota=1_000_000)
        )
        self.target_arn = ""
        self.previous_arn = ""
        self.managed: list[str] = []

    @property
    def state_path(self) -> Path:
        return self.workdir / "desired_state.yaml"

    @property
    def zip_path(self) -> Path:
        return self.workdir / "baseline.zip"

    def __enter__(self) -> Scenario:
        self.workdir.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "lambda_code.js", self.workdir / "lambda_code.js")
        self.state_path.write_text(DESIRED, encoding="utf-8")
        self.sandbox.start()
        fleet = seed_fleet(
            self.sandbox, FleetSpec(size=self.size, function_name="bot-router", seed=3)
        )
        staging = set(fleet.by_kind["staging"])
        self.managed = [
            i
            for i in fleet.by_kind["current"] + fleet.by_kind["old"]
            if i not in staging
        ]
        create_edge_role(ROLE)

        desired = load_desired_state(self.state_path)
        session = boto3.Session(
            # The sandbox accepts any key; these are dummies.
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )
        clients = make_clients(endpoint_url=self.sandbox.endpoint_url, session=session)
        report = reconcile(
            desired,
            RunOptions(
                mode="apply", root=self.workdir, clients=clients, progress=False
            ),
        )
        if report.status != "success" or report.lambda_arn is None:
            raise RuntimeError(f"setup apply failed: {report.status} {report.error}")
        self.target_arn = report.lambda_arn
        arn = FunctionArn.require(report.lambda_arn)
        self.previous_arn = str(arn.with_version(int(arn.qualifier or 1) - 1))
        # The baseline uploads different code, so it always has something to publish.
        package = build_package(desired, self.workdir)
        self.zip_path.write_bytes(_rezip(package.zip_bytes, b"\n// baseline build\n"))
        self.sandbox.configure(
            latency_s=LATENCY_S,
            rate_limits={"cloudfront:UpdateDistribution": (WRITE_RATE, WRITE_BURST)},
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.sandbox.stop()

    def child_env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "GITHUB_"))
        }
        return {**env, **self.sandbox.env(), "PYTHONPATH": str(REPO)}

    def set_drift(self, share: float) -> int:
        """Put ``share`` of the managed distributions on the previous version.

        Returns:
            How many distributions now need a write.
        """
        drifted = set(self.managed[: round(share * len(self.managed))])
        store = self.sandbox.store
        for distribution_id in self.managed:
            want = self.previous_arn if distribution_id in drifted else self.target_arn
            current = store.get(distribution_id)
            config = current.config
            if _point(config, self.target_arn, want):
                store.update(distribution_id, config, current.etag)
        return len(drifted)


def _point(config: dict[str, Any], target_arn: str, want: str) -> bool:
    """Point every router association at ``want``; return True if anything changed."""
    function = target_arn.rsplit(":", 1)[0]
    changed = False
    behaviors = [config["DefaultCacheBehavior"]]
    behaviors += (config.get("CacheBehaviors") or {}).get("Items") or []
    for behavior in behaviors:
        for item in (behavior.get("LambdaFunctionAssociations") or {}).get(
            "Items"
        ) or []:
            arn = item["LambdaFunctionARN"]
            if arn.rsplit(":", 1)[0] == function and arn != want:
                item["LambdaFunctionARN"] = want
                changed = True
    return changed


def _rezip(zip_bytes: bytes, suffix: bytes) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(zip_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".js"):
                data += suffix
            archive.writestr(info, data)
    return buffer.getvalue()
