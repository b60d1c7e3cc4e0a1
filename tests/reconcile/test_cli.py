"""The command line against the sandbox: exit codes, formats and bad input."""

from __future__ import annotations

import json

import pytest

from reconciler.cli import main
from tests.reconcile.conftest import Workspace


@pytest.fixture
def cli_env(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    for name, value in workspace.sandbox.env().items():
        monkeypatch.setenv(name, value)
    return workspace


def run_cli(workspace: Workspace, *args: str) -> int:
    return main([*args, "--state", str(workspace.state_path), "--no-progress"])


def test_plan_exit_codes(cli_env, capsys):
    assert run_cli(cli_env, "plan") == 2
    assert run_cli(cli_env, "apply") == 0
    assert run_cli(cli_env, "plan") == 0


def test_plan_json_report(cli_env, capsys, tmp_path):
    out = tmp_path / "report.json"

    code = run_cli(cli_env, "plan", "--format", "json", "--out", str(out))

    report = json.loads(out.read_text())
    assert code == 2
    assert report["mode"] == "plan"
    assert report["distributions"]["drifted"] > 0
    assert json.loads(capsys.readouterr().out) == report


MALFORMED = {
    "yaml syntax": "function: [\n",
    "unknown key": "function:\n  name: bot-router\n  colour: blue\n",
    "bad role arn": None,
    "bad event type": None,
    "empty file": "",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_state_writes_nothing(cli_env, capsys, case):
    text = MALFORMED[case]
    base = cli_env.state_path.read_text()
    if case == "bad role arn":
        text = base.replace(
            "arn:aws:iam::123456789012:role/edge-function-role", "edge-function-role"
        )
    if case == "bad event type":
        text = base.replace("origin-request", "origin-requests")
    cli_env.state_path.write_text(text)

    code = run_cli(cli_env, "apply")

    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == 1
    assert "invalid desired state" in output
    assert "Traceback" not in output
    assert cli_env.sandbox.calls() == {}


def test_bad_pin_override_rejected(cli_env, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(cli_env, "apply", "--pin-version", "0")

    assert exited.value.code == 2
    assert (
        "--pin-version: '0' is not a positive whole number" in capsys.readouterr().err
    )
    assert cli_env.sandbox.calls() == {}


def test_invalid_state_still_writes_error_report(cli_env, capsys, tmp_path):
    cli_env.state_path.write_text("function: [\n")
    out = tmp_path / "report.json"

    code = run_cli(cli_env, "plan", "--format", "json", "--out", str(out))

    report = json.loads(out.read_text())
    assert code == 1
    assert report["status"] == "error"
    assert "not valid YAML" in report["error"]


def test_out_in_missing_folder_rejected_before_aws(cli_env, capsys, tmp_path):
    code = run_cli(cli_env, "apply", "--out", str(tmp_path / "missing" / "r.json"))

    assert code == 1
    assert "does not exist" in capsys.readouterr().out
    assert cli_env.sandbox.calls() == {}


def test_missing_credentials_points_to_sandbox(workspace, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    code = run_cli(workspace, "plan")

    out = capsys.readouterr().out
    assert code == 1
    assert "no AWS credentials" in out
    assert "reconciler demo" in out


BROKEN_SOURCES = {
    "syntax error": ("exports.handler = async (event) => {{", "does not parse"),
    "missing handler": ("exports.other = async (event) => event;", "handler"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_SOURCES))
def test_broken_source_writes_nothing(cli_env, capsys, case):
    source, expected = BROKEN_SOURCES[case]
    (cli_env.root / "lambda_code.js").write_text(source)

    code = run_cli(cli_env, "apply")

    out = capsys.readouterr().out
    assert code == 1
    assert "pre-deploy checks failed" in out
    assert expected in out
    assert "Traceback" not in out
    assert cli_env.sandbox.calls() == {}
