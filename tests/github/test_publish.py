"""publish_report against a fake GitHub over HTTP, fed with real event payloads."""

from __future__ import annotations

import logging

import pytest

from reconciler.github import RetryPolicy, publish_report
from reconciler.report.model import Report

from .actions_run import ActionsRun, event_payload
from .fake_github import FakeGitHub
from .reports import fleet_report

PR_OPENED = "github_event_pull_request_opened.json"
PR_SYNCHRONIZE = "github_event_pull_request_synchronize.json"
PUSH = "github_event_push.json"
SCHEDULE = "github_event_schedule.json"
DISPATCH = "github_event_workflow_dispatch.json"

PR_NUMBER = int(event_payload(PR_OPENED)["number"])
PR_HEAD = str(event_payload(PR_SYNCHRONIZE)["after"])
PUSH_SHA = str(event_payload(PUSH)["after"])
PLAN_MARKER = "<!-- edge-reconciler:plan -->"
DRIFT_MARKER = "<!-- edge-reconciler:drift -->"


@pytest.fixture
def pull_request(fake_github: FakeGitHub) -> int:
    fake_github.add_pull_request(PR_NUMBER, "Update the README with new information.")
    return PR_NUMBER


def test_first_plan_creates_comment(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)

    publish_report(
        fleet_report(drifted=3), kind="plan", exit_code=2, env=env, retry=retry
    )

    comments = fake_github.comments_on(pull_request)
    assert len(comments) == 1
    assert comments[0]["body"].startswith(PLAN_MARKER + "\n")
    assert "## edge-reconciler plan: changes planned" in comments[0]["body"]
    assert "| Drifted | 3 |" in comments[0]["body"]


def test_second_push_edits_same_comment(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
) -> None:
    opened = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    synchronized = actions_run.env(
        PR_SYNCHRONIZE, event_name="pull_request", sha=PR_HEAD, run_id="4243"
    )

    publish_report(
        fleet_report(drifted=3), kind="plan", exit_code=2, env=opened, retry=retry
    )
    publish_report(
        fleet_report(drifted=0), kind="plan", exit_code=0, env=synchronized, retry=retry
    )

    comments = fake_github.comments_on(pull_request)
    assert len(comments) == 1
    assert "## edge-reconciler plan: in sync" in comments[0]["body"]
    assert "runs/4243" in comments[0]["body"]
    assert len(fake_github.calls("POST", r".*/issues/\d+/comments")) == 1
    assert len(fake_github.calls("PATCH", r".*/issues/comments/\d+")) == 1


def test_plan_comment_ignores_other_comments(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)
    for index in range(120):
        fake_github.add_issue_comment(
            pull_request, f"review remark {index}, quoting {PLAN_MARKER}"
        )

    publish_report(
        fleet_report(drifted=1), kind="plan", exit_code=2, env=env, retry=retry
    )

    ours = [
        c
        for c in fake_github.comments_on(pull_request)
        if c["body"].startswith(PLAN_MARKER)
    ]
    assert len(ours) == 1
    assert "| Drifted | 1 |" in ours[0]["body"]


def test_apply_posts_commit_comment(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    env = actions_run.env(PUSH, event_name="push", sha=PUSH_SHA)

    publish_report(
        fleet_report(mode="apply"), kind="apply", exit_code=0, env=env, retry=retry
    )

    comments = fake_github.comments_on_commit(PUSH_SHA)
    assert len(comments) == 1
    assert "## edge-reconciler apply: applied" in comments[0]["body"]
    assert fake_github.comments_on(PR_NUMBER) == []


def test_apply_rerun_edits_commit_comment(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    first_run = actions_run.env(PUSH, event_name="push", sha=PUSH_SHA, run_id="77")
    next_run = actions_run.env(PUSH, event_name="push", sha=PUSH_SHA, run_id="78")
    partial = fleet_report(mode="apply", failed=1)
    done = fleet_report(mode="apply", drifted=0)

    publish_report(partial, kind="apply", exit_code=1, env=first_run, retry=retry)
    publish_report(done, kind="apply", exit_code=0, env=first_run, retry=retry)
    publish_report(done, kind="apply", exit_code=0, env=next_run, retry=retry)

    bodies = [c["body"] for c in fake_github.comments_on_commit(PUSH_SHA)]
    assert len(bodies) == 2
    assert bodies[0].startswith("<!-- edge-reconciler:apply run=77 -->")
    assert "nothing to change" in bodies[0]
    assert bodies[1].startswith("<!-- edge-reconciler:apply run=78 -->")


def test_large_fleet_comment_fits(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    report = fleet_report(drifted=3_000, total=3_200)

    publish_report(report, kind="plan", exit_code=2, env=env, retry=retry)

    comments = fake_github.comments_on(pull_request)
    assert len(comments) == 1
    body = comments[0]["body"]
    assert len(body) <= 65_536
    assert "| Distributions selected | 3,200 |" in body
    assert "| Drifted | 3,000 |" in body
    assert "detail rows were left out" in body
    assert "https://github.example/Codertocat/Hello-World/actions/runs/4242" in body
    summary = actions_run.summary.read_text(encoding="utf-8")
    assert summary.count("| `E") == 3_000, "the step summary has room for every row"


def test_drift_opens_one_issue(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    env = actions_run.env(SCHEDULE, event_name="schedule", sha=PUSH_SHA)

    publish_report(
        fleet_report(drifted=4), kind="drift", exit_code=2, env=env, retry=retry
    )

    assert list(fake_github.issues) == [1]
    issue = fake_github.issues[1]
    assert issue["state"] == "open"
    assert issue["title"] == "Drift: 4 of 10 distributions differ"
    assert [label["name"] for label in issue["labels"]] == ["drift"]
    assert issue["body"].startswith(DRIFT_MARKER + "\n")
    assert fake_github.labels["drift"]["color"] == "d93f0b"


def test_drift_again_updates_issue(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    first = actions_run.env(SCHEDULE, event_name="schedule", sha=PUSH_SHA, run_id="1")
    second = actions_run.env(
        DISPATCH, event_name="workflow_dispatch", sha=PUSH_SHA, run_id="2"
    )

    publish_report(
        fleet_report(drifted=4), kind="drift", exit_code=2, env=first, retry=retry
    )
    publish_report(
        fleet_report(drifted=6), kind="drift", exit_code=2, env=second, retry=retry
    )

    assert list(fake_github.issues) == [1]
    issue = fake_github.issues[1]
    assert issue["title"] == "Drift: 6 of 10 distributions differ"
    assert "runs/2" in issue["body"]
    comments = fake_github.comments_on(1)
    assert len(comments) == 1
    assert "still finds drift: 6 of 10 distributions differ" in comments[0]["body"]
    assert len(fake_github.calls("POST", r".*/labels")) == 1


def test_convergence_closes_issue(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    drifting = actions_run.env(
        SCHEDULE, event_name="schedule", sha=PUSH_SHA, run_id="1"
    )
    converged = actions_run.env(
        SCHEDULE, event_name="schedule", sha=PUSH_SHA, run_id="2"
    )

    publish_report(
        fleet_report(drifted=4), kind="drift", exit_code=2, env=drifting, retry=retry
    )
    publish_report(
        fleet_report(drifted=0), kind="drift", exit_code=0, env=converged, retry=retry
    )
    publish_report(
        fleet_report(drifted=0), kind="drift", exit_code=0, env=converged, retry=retry
    )

    assert list(fake_github.issues) == [1]
    assert fake_github.issues[1]["state"] == "closed"
    comments = fake_github.comments_on(1)
    assert len(comments) == 1
    assert "found no drift. Closing this issue." in comments[0]["body"]


def test_failed_heal_keeps_issue_open(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    env = actions_run.env(SCHEDULE, event_name="schedule", sha=PUSH_SHA)
    healed_partly = fleet_report(mode="apply", drifted=4, failed=2)

    publish_report(healed_partly, kind="drift", exit_code=1, env=env, retry=retry)

    assert fake_github.issues[1]["state"] == "open"
    assert (
        fake_github.issues[1]["title"]
        == "Drift: 4 of 10 distributions differ, 2 failed"
    )


def test_errored_check_leaves_issue(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    env = actions_run.env(SCHEDULE, event_name="schedule", sha=PUSH_SHA)
    publish_report(
        fleet_report(drifted=4), kind="drift", exit_code=2, env=env, retry=retry
    )
    errored = Report(mode="plan", status="error", lambda_arn=None, error="AccessDenied")

    publish_report(errored, kind="drift", exit_code=1, env=env, retry=retry)

    assert fake_github.issues[1]["state"] == "open"
    assert fake_github.comments_on(1) == []


def test_manual_plan_posts_no_comment(
    actions_run: ActionsRun, fake_github: FakeGitHub, retry: RetryPolicy
) -> None:
    env = actions_run.env(DISPATCH, event_name="workflow_dispatch", sha=PUSH_SHA)

    publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert fake_github.requests == []
    assert "changes planned" in actions_run.summary.read_text(encoding="utf-8")


@pytest.mark.usefixtures("pull_request")
def test_bad_token_is_logged_not_raised(
    actions_run: ActionsRun,
    retry: RetryPolicy,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    env["GITHUB_TOKEN"] = "ghs_revoked"
    report = fleet_report(drifted=3)
    before = report.model_dump()

    with caplog.at_level(logging.ERROR):
        publish_report(report, kind="plan", exit_code=2, env=env, retry=retry)

    assert report.model_dump() == before
    assert len(actions_run.fake.requests) == 1, "a 401 is not retried"
    assert sleeps == []
    assert "HTTP 401 Bad credentials" in caplog.text
    assert "::warning title=GitHub reporting failed::" in capsys.readouterr().out
    assert actions_run.outputs()["exit_code"] == "2"
    assert "changes planned" in actions_run.summary.read_text(encoding="utf-8")


@pytest.mark.usefixtures("pull_request")
def test_server_errors_retried_then_logged(
    actions_run: ActionsRun,
    retry: RetryPolicy,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    actions_run.fake.fail_next(502, times=10)

    with caplog.at_level(logging.WARNING):
        publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert len(actions_run.fake.requests) == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert "failed after 4 attempt(s): HTTP 502" in caplog.text
    assert actions_run.outputs()["status"] == "success"
    assert "changes planned" in actions_run.summary.read_text(encoding="utf-8")
    assert actions_run.fake.comments_on(PR_NUMBER) == []


def test_server_error_then_success(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
    sleeps: list[float],
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    fake_github.fail_next(502)

    publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert sleeps == [1.0]
    assert len(fake_github.comments_on(pull_request)) == 1


def test_rate_limit_honours_retry_after(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    retry: RetryPolicy,
    sleeps: list[float],
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    fake_github.fail_next(
        429, headers={"Retry-After": "7"}, message="API rate limit exceeded"
    )

    publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert sleeps == [7.0]
    assert len(fake_github.comments_on(pull_request)) == 1


def test_primary_rate_limit_waits_for_reset(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    pull_request: int,
    sleeps: list[float],
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    retry = RetryPolicy(sleep=sleeps.append, clock=lambda: 1_000.0)
    fake_github.fail_next(
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"},
        message="API rate limit exceeded for installation",
    )

    publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert sleeps == [30.0]
    assert len(fake_github.comments_on(pull_request)) == 1


@pytest.mark.usefixtures("pull_request")
def test_long_rate_limit_gives_up(
    actions_run: ActionsRun,
    retry: RetryPolicy,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = actions_run.env(PR_OPENED, event_name="pull_request", sha=PR_HEAD)
    actions_run.fake.fail_next(
        403, headers={"Retry-After": "3600"}, message="secondary rate limit"
    )

    with caplog.at_level(logging.ERROR):
        publish_report(fleet_report(), kind="plan", exit_code=2, env=env, retry=retry)

    assert sleeps == []
    assert "requests a 3600 s wait, over the 60 s maximum" in caplog.text
    assert actions_run.fake.comments_on(PR_NUMBER) == []


def test_forbidden_is_not_retried(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    retry: RetryPolicy,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = actions_run.env(SCHEDULE, event_name="schedule", sha=PUSH_SHA)
    fake_github.fail_next(403, message="Resource not accessible by integration")

    with caplog.at_level(logging.ERROR):
        publish_report(fleet_report(), kind="drift", exit_code=2, env=env, retry=retry)

    assert sleeps == []
    assert len(fake_github.requests) == 1
    assert "HTTP 403 Resource not accessible by integration" in caplog.text


def test_missing_token_skips_github(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    retry: RetryPolicy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = actions_run.env(PUSH, event_name="push", sha=PUSH_SHA)
    del env["GITHUB_TOKEN"]

    with caplog.at_level(logging.WARNING):
        publish_report(
            fleet_report(mode="apply"), kind="apply", exit_code=0, env=env, retry=retry
        )

    assert fake_github.requests == []
    assert "not publishing to GitHub: GITHUB_TOKEN not set" in caplog.text
    assert actions_run.summary.exists()


def test_run_files_written(
    actions_run: ActionsRun,
    fake_github: FakeGitHub,
    retry: RetryPolicy,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = actions_run.env(PUSH, event_name="push", sha=PUSH_SHA)
    report = fleet_report(mode="apply", drifted=9, failed=8)

    publish_report(report, kind="apply", exit_code=1, env=env, retry=retry)

    saved = Report.model_validate_json(
        actions_run.report_path.read_text(encoding="utf-8")
    )
    assert saved == report
    outputs = actions_run.outputs()
    assert outputs["status"] == "partial"
    assert outputs["exit_code"] == "1"
    assert outputs["lambda_arn"] == report.lambda_arn
    assert outputs["failed"] == "8"
    assert outputs["successful"] == "1"
    assert outputs["report_path"] == str(actions_run.report_path)
    errors = [
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("::error")
    ]
    assert len(errors) == 6
    assert (
        errors[0]
        == "::error title=Distribution E0000000000000 failed::Throttling: Rate exceeded"
    )
    assert errors[5].startswith(
        "::error title=More failed distributions::3 more distributions"
    )
