"""Lambda PublishVersion behaviour of the sandbox, driven through boto3."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import moto
import pytest
from botocore.exceptions import ClientError

from reconciler.sandbox import Sandbox
from reconciler.sandbox.fleet import build_zip

PINNED_MOTO = "5.2.1"


@pytest.fixture
def lam(sandbox: Sandbox, edge_function: list[str]) -> Any:
    return sandbox.client("lambda")


def wait_until_updated(lam: Any, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = lam.get_function_configuration(FunctionName=name)
        if status["LastUpdateStatus"] == "Successful":
            return
        time.sleep(0.05)
    pytest.fail(f"{name} stayed LastUpdateStatus InProgress for 30 s")


def test_moto_is_the_pinned_version() -> None:
    assert moto.__version__ == PINNED_MOTO


def test_publish_with_stale_code_sha_fails(lam: Any) -> None:
    current = lam.get_function(FunctionName="edge-fn")["Configuration"]
    lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")

    with pytest.raises(ClientError, match="InvalidParameterValueException"):
        lam.publish_version(FunctionName="edge-fn", CodeSha256=current["CodeSha256"])


def test_publish_with_current_code_sha_succeeds(lam: Any) -> None:
    updated = lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")

    version = lam.publish_version(
        FunctionName="edge-fn", CodeSha256=updated["CodeSha256"]
    )

    assert version["Version"] == "4"
    assert version["CodeSha256"] == updated["CodeSha256"]


def test_publish_with_stale_revision_fails(lam: Any) -> None:
    before = lam.get_function(FunctionName="edge-fn")["Configuration"]["RevisionId"]
    lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")

    with pytest.raises(ClientError, match="PreconditionFailedException") as raised:
        lam.publish_version(FunctionName="edge-fn", RevisionId=before)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_publish_with_current_revision_succeeds(lam: Any) -> None:
    lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")
    revision = lam.get_function(FunctionName="edge-fn")["Configuration"]["RevisionId"]

    version = lam.publish_version(FunctionName="edge-fn", RevisionId=revision)

    assert version["Version"] == "4"


def test_unchanged_code_returns_newest_version(lam: Any) -> None:
    version = lam.publish_version(FunctionName="edge-fn")

    assert version["Version"] == "3"


def test_reuploaded_identical_code_returns_newest_version(lam: Any) -> None:
    lam.update_function_code(FunctionName="edge-fn", ZipFile=build_zip(b"three"))

    version = lam.publish_version(FunctionName="edge-fn")
    versions = lam.list_versions_by_function(FunctionName="edge-fn")["Versions"]

    assert version["Version"] == "3"
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]


def test_changed_configuration_publishes_new_version(lam: Any) -> None:
    lam.update_function_configuration(FunctionName="edge-fn", Timeout=3)

    version = lam.publish_version(FunctionName="edge-fn")

    assert version["Version"] == "4"
    assert version["Timeout"] == 3


def test_update_keeps_function_in_progress(sandbox: Sandbox, lam: Any) -> None:
    sandbox.configure(lambda_update_delay_s=0.5)

    updated = lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")
    status = lam.get_function(FunctionName="edge-fn")["Configuration"]

    assert updated["LastUpdateStatus"] == "InProgress"
    assert status["LastUpdateStatus"] == "InProgress"
    with pytest.raises(ClientError, match="ResourceConflictException") as raised:
        lam.publish_version(FunctionName="edge-fn")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(ClientError, match="ResourceConflictException"):
        lam.update_function_code(FunctionName="edge-fn", ZipFile=b"five")

    wait_until_updated(lam, "edge-fn")
    version = lam.publish_version(FunctionName="edge-fn")
    assert version["Version"] == "4"


def test_code_sha_is_base64_sha256_of_zip(lam: Any) -> None:
    updated = lam.update_function_code(FunctionName="edge-fn", ZipFile=b"four")

    expected = base64.b64encode(hashlib.sha256(b"four").digest()).decode()
    assert updated["CodeSha256"] == expected


def test_code_location_stays_local(lam: Any) -> None:
    function = lam.get_function(FunctionName="edge-fn")

    assert function["Code"]["Location"] == ""
