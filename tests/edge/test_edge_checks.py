"""Local pre-deploy checks: they run the built package under the real node."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.desired_state import DesiredState
from reconciler.edge.checks import Finding, raise_for_errors, run_local_checks
from reconciler.edge.package import build_package
from reconciler.errors import PreDeployCheckError

MakeDesired = Callable[..., DesiredState]
REPO = Path(__file__).resolve().parents[2]

PASS_THROUGH = """
exports.handler = async (event) => {
  const cf = event.Records[0].cf;
  return cf.config.eventType.endsWith('-response') ? cf.response : cf.request;
};
"""


def checks_for(
    desired: DesiredState, root: Path, source: str | None = None
) -> list[Finding]:
    if source is None:
        shutil.copy(REPO / "lambda_code.js", root / "lambda_code.js")
    else:
        (root / "lambda_code.js").write_text(source)
    return run_local_checks(desired, build_package(desired, root))


def errors_of(findings: list[Finding], check: str) -> list[str]:
    return [f.message for f in findings if f.level == "error" and f.check == check]


def test_repository_function_passes(make_desired: MakeDesired, tmp_path: Path) -> None:
    findings = checks_for(make_desired(), tmp_path)

    assert [f for f in findings if f.level == "error"] == []


def test_all_event_types_pass(make_desired: MakeDesired, tmp_path: Path) -> None:
    events = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    desired = make_desired(associations=[{"event_type": e} for e in events])

    findings = checks_for(desired, tmp_path)

    assert [f for f in findings if f.level == "error"] == []


def test_syntax_error_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    findings = checks_for(
        make_desired(), tmp_path, "exports.handler = async (e) => {\n"
    )

    messages = errors_of(findings, "syntax")
    assert len(messages) == 1
    assert "lambda_code.js does not parse" in messages[0]
    assert "SyntaxError" in messages[0]


def test_missing_export_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(function={"handler": "index.route"})

    findings = checks_for(desired, tmp_path)

    messages = errors_of(findings, "handler")
    assert len(messages) == 1
    assert "does not export a function named route" in messages[0]
    assert "function.handler is index.route" in messages[0]


def test_load_error_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    findings = checks_for(
        make_desired(), tmp_path, "throw new Error('boom at load');\n"
    )

    messages = errors_of(findings, "handler")
    assert len(messages) == 1
    assert "fails to load" in messages[0]
    assert "boom at load" in messages[0]


def test_throwing_handler_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    source = "exports.handler = async () => { throw new Error('kaput'); };\n"

    findings = checks_for(make_desired(), tmp_path, source)

    messages = errors_of(findings, "sample-event")
    assert messages
    assert all("kaput" in message for message in messages)


def test_callback_handler_accepted(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(associations=[{"event_type": "origin-response"}])
    source = (
        "exports.handler = (event, context, callback) =>\n"
        "  callback(null, event.Records[0].cf.response);\n"
    )

    findings = checks_for(desired, tmp_path, source)

    assert [f for f in findings if f.level == "error"] == []


def test_invalid_request_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    source = """
exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['X-Upper'] = [{ key: 'X-Upper', value: '1' }];
  delete request.uri;
  return request;
};
"""
    findings = checks_for(make_desired(), tmp_path, source)

    messages = errors_of(findings, "sample-event")
    assert any("'X-Upper' must be a lowercase key" in m for m in messages)
    assert any("uri None must be a string" in m for m in messages)


def test_invalid_origin_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    source = """
exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.origin = {
    custom: { domainName: 'x.example.com', port: 0, protocol: 'ftp' },
  };
  return request;
};
"""
    desired = make_desired(associations=[{"event_type": "origin-request"}])

    findings = checks_for(desired, tmp_path, source)

    messages = errors_of(findings, "sample-event")
    assert any("origin.custom.port 0" in m for m in messages)
    assert any("origin.custom.protocol 'ftp'" in m for m in messages)


def test_generated_response_accepted(make_desired: MakeDesired, tmp_path: Path) -> None:
    source = """
exports.handler = async () => ({
  status: '403',
  headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] },
  body: 'Forbidden',
});
"""
    desired = make_desired(associations=[{"event_type": "viewer-request"}])

    findings = checks_for(desired, tmp_path, source)

    assert [f for f in findings if f.level == "error"] == []


def test_generated_status_number_rejected(
    make_desired: MakeDesired, tmp_path: Path
) -> None:
    source = "exports.handler = async () => ({ status: 403 });\n"

    findings = checks_for(make_desired(), tmp_path, source)

    messages = errors_of(findings, "sample-event")
    assert any("status 403 must be a three-digit string" in m for m in messages)


def test_unrouted_crawler_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    findings = checks_for(make_desired(), tmp_path, PASS_THROUGH)

    messages = errors_of(findings, "routing")
    assert any("returned no x-ai-crawler header" in m for m in messages)
    assert any("was not routed to ai-origin.example.com" in m for m in messages)


def test_oversize_package_reported(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(limits={"viewer_package_bytes": 1000})

    findings = checks_for(desired, tmp_path)

    messages = errors_of(findings, "package-size")
    assert len(messages) == 1
    assert "limit of viewer-request (limits.viewer_package_bytes)" in messages[0]
    assert "bytes over the 1000-byte limit" in messages[0]


def test_origin_limit_applies_to_origin(
    make_desired: MakeDesired, tmp_path: Path
) -> None:
    desired = make_desired(limits={"origin_package_bytes": 1000})

    findings = checks_for(desired, tmp_path)

    messages = errors_of(findings, "package-size")
    assert len(messages) == 1
    assert "origin-request (limits.origin_package_bytes)" in messages[0]


@pytest.mark.parametrize(
    ("function", "check", "expected"),
    [
        ({"memory_mb": 256}, "memory", "viewer-request allows at most 128 MB"),
        ({"timeout_s": 10}, "timeout", "viewer-request allows at most 5 s"),
    ],
)
def test_viewer_limits_enforced(
    make_desired: MakeDesired,
    tmp_path: Path,
    function: dict[str, int],
    check: str,
    expected: str,
) -> None:
    findings = checks_for(make_desired(function=function), tmp_path)

    messages = errors_of(findings, check)
    assert len(messages) == 1
    assert expected in messages[0]


def test_origin_allows_more_memory(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(
        function={"memory_mb": 1024, "timeout_s": 30},
        associations=[{"event_type": "origin-response"}],
    )

    findings = checks_for(desired, tmp_path)

    assert errors_of(findings, "memory") == []
    assert errors_of(findings, "timeout") == []


def test_python_runtime_rejected(make_desired: MakeDesired, tmp_path: Path) -> None:
    findings = checks_for(make_desired(function={"runtime": "python3.12"}), tmp_path)

    messages = errors_of(findings, "runtime")
    assert len(messages) == 1
    assert "is JavaScript but function.runtime is python3.12" in messages[0]


def test_origin_without_viewer_rejected(
    make_desired: MakeDesired, tmp_path: Path
) -> None:
    desired = make_desired(associations=[{"event_type": "origin-request"}])

    findings = checks_for(desired, tmp_path)

    messages = errors_of(findings, "associations")
    assert len(messages) == 1
    assert "add a viewer-request association" in messages[0]


def test_viewer_without_origin_warns(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(associations=[{"event_type": "viewer-request"}])

    findings = checks_for(desired, tmp_path)

    warnings = [
        f for f in findings if f.level == "warning" and f.check == "associations"
    ]
    assert len(warnings) == 1
    assert errors_of(findings, "associations") == []


def test_missing_node_reported(
    make_desired: MakeDesired, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    findings = checks_for(make_desired(), tmp_path)

    messages = errors_of(findings, "node")
    assert len(messages) == 1
    assert "node is not on PATH" in messages[0]
    assert "install Node.js 20" in messages[0]


def test_raise_for_errors_lists_errors() -> None:
    findings = [
        Finding("warning", "role-trust", "not read"),
        Finding("error", "syntax", "does not parse"),
    ]

    with pytest.raises(PreDeployCheckError, match="syntax: does not parse") as caught:
        raise_for_errors(findings)

    assert caught.value.failures == ["syntax: does not parse"]


def test_raise_for_errors_ignores_warnings() -> None:
    raise_for_errors([Finding("warning", "role-trust", "not read")])
