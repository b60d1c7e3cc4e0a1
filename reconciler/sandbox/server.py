"""The sandbox server: moto and the fidelity middleware on 127.0.0.1."""

from __future__ import annotations

import copy
import logging
import threading
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config
from moto.core.base_backend import BackendDict
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from reconciler.sandbox import lambda_guard
from reconciler.sandbox.cloudfront_api import CloudFrontApi
from reconciler.sandbox.cloudfront_store import DistributionStore
from reconciler.sandbox.control import ControlEndpoint
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.lambda_guard import LambdaGuard
from reconciler.sandbox.middleware import CallCounter, SandboxMiddleware
from reconciler.sandbox.settings import (
    ACCOUNT_ID,
    REGION,
    SandboxSettings,
    SettingsHolder,
)

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # noqa: S105 moto accepts any dummy secret
# moto keeps its backends in module globals, so two sandboxes in one process
# would share (and reset) each other's Lambda and IAM state.
_running_lock = threading.Lock()
_running: list[Sandbox] = []


class _RequestHandler(WSGIRequestHandler):
    """Log each request at DEBUG instead of werkzeug's INFO line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("%s %s", self.requestline, code)


def version_exists(account: str, name: str, version: str) -> bool:
    """Tell whether moto's us-east-1 Lambda has ``name`` at numbered ``version``."""
    published = lambda_guard.published_versions(account, REGION, name)
    return version in {str(v.version) for v in published}


class Sandbox:
    """A local AWS for CloudFront and Lambda@Edge, as a context manager."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self._holder = SettingsHolder(settings or SandboxSettings())
        self._counter = CallCounter()
        self.store = DistributionStore(
            ACCOUNT_ID,
            version_exists,
            lambda: self._holder.current.deploy_delay_s,
            lambda: self._holder.current.function_quota,
            self._holder.current.seed,
        )
        self._api = CloudFrontApi(self.store)
        self._guard = LambdaGuard(self._holder)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def settings(self) -> SandboxSettings:
        return self._holder.current

    def start(self) -> Sandbox:
        """Reset moto's state and serve on 127.0.0.1; raise if one already runs."""
        with _running_lock:
            if _running:
                raise RuntimeError(
                    "another Sandbox is running in this process; moto's backends "
                    "are process-wide, so stop it before starting a new one"
                )
            _running.append(self)
        BackendDict.reset()
        app = SandboxMiddleware(
            moto_app=DomainDispatcherApplication(create_backend_app),
            api=self._api,
            guard=self._guard,
            faults=FaultInjector(self._holder),
            counter=self._counter,
            controls=ControlEndpoint(self._holder, self._counter),
        )
        self._server = make_server(
            HOST,
            self.settings.port,
            app,
            threaded=True,
            request_handler=_RequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-server", daemon=True
        )
        self._thread.start()
        logger.info("sandbox listening on %s", self.endpoint_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None
        with _running_lock:
            if self in _running:
                _running.remove(self)
        logger.info("sandbox stopped")

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """Return the environment variables that point AWS SDKs and the CLI here."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(
        self,
        service: str,
        *,
        retries: int = 0,
        read_timeout: float = 60.0,
        account_id: str | None = None,
    ) -> Any:
        """Build a boto3 client for ``service`` that talks to this sandbox.

        Args:
            service: boto3 service name, such as ``cloudfront`` or ``lambda``.
            retries: retries after the first attempt; 0 turns retrying off so
                tests see every injected fault.
            read_timeout: seconds to wait for a response.
            account_id: act as this account instead of moto's default one.
        """
        config = Config(
            retries={"total_max_attempts": retries + 1, "mode": "standard"},
            read_timeout=read_timeout,
            connect_timeout=5,
        )
        client = boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=config,
        )
        if account_id is not None:

            def add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account_id

            client.meta.events.register("before-sign", add_account)
        return client

    def calls(self) -> dict[str, int]:
        """Return how many calls each ``service:Operation`` received."""
        return self._counter.calls()

    def writes(self) -> dict[str, int]:
        """Return the counts of mutating operations only."""
        return self._counter.writes()

    def foreign_edits(self) -> list[str]:
        """Return the ids of distributions the concurrent writer changed, in order."""
        return list(self._counter.foreign_edits)

    def reset_calls(self) -> None:
        self._counter.reset()

    def configure(self, **fields: Any) -> SandboxSettings:
        """Change settings while the server runs; raise ``ValueError`` if invalid."""
        return self._holder.update(**fields)

    def warm_listing(self) -> None:
        """Serialize every summary ahead of the next ``ListDistributions``."""
        self._api.warm()

    def snapshot_configs(self) -> dict[str, dict[str, Any]]:
        """Return a deep copy of every ``DistributionConfig`` by distribution id."""
        return copy.deepcopy(self.store.configs())
