"""Publish a run report to the workflow run and to GitHub.

The step summary, step outputs, annotations and JSON report are written first
and need no network. Then, depending on the event:

- ``plan`` on a pull request: one comment on the pull request, found again by
  a hidden marker and edited on every later push;
- ``apply`` on a push or a manual run: a comment on the commit ``GITHUB_SHA``,
  edited in place when the same run is attempted again;
- ``drift``: one open issue labelled ``drift`` while drift or failures remain,
  updated by later checks and closed by the first check that finds none.

GitHub failures are logged and shown as a warning annotation. They never
change the reconcile's outcome or exit code: ``publish_report`` returns
normally whatever status GitHub responds with.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import github3
from github3.exceptions import NotFoundError
from github3.repos.repo import Repository

from reconciler.errors import GitHubError
from reconciler.github.client import (
    DEFAULT_RETRY,
    RetryPolicy,
    call_with_retry,
    connect,
)
from reconciler.github.context import ActionsContext
from reconciler.github.runner import (
    append_outputs,
    append_step_summary,
    print_annotations,
    print_warning,
    report_outputs,
    write_report_json,
)
from reconciler.report.markdown import render_markdown
from reconciler.report.model import Report

log = logging.getLogger(__name__)

Kind = Literal["plan", "apply", "drift"]

DRIFT_LABEL = "drift"
DRIFT_LABEL_COLOR = "d93f0b"
# GitHub rejects bodies over 65,536 characters; the rest is room for the marker
# and the lines added around the rendered report.
MAX_BODY_CHARS = 65_000
# GitHub caps one step's summary at 1 MiB.
MAX_SUMMARY_CHARS = 1_000_000


def publish_report(
    report: Report,
    *,
    kind: Kind,
    exit_code: int,
    env: Mapping[str, str] = os.environ,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> None:
    """Publish ``report`` to the workflow run and to GitHub, logging every failure.

    Every ``Exception`` is caught and logged, so the caller's exit code never changes.

    Args:
        report: The finished run report.
        kind: ``plan`` and ``apply`` for those commands, ``drift`` for the
            scheduled or manual drift check.
        exit_code: The exit code the command returns, published as an output.
        env: The GitHub Actions variables, ``os.environ`` by default.
        retry: Retry limits for GitHub API calls.
    """
    context = ActionsContext.from_env(env)
    try:
        _write_run_files(report, context, kind=kind, exit_code=exit_code)
    except Exception:
        # Reporting must never fail the reconcile, so every error is logged here.
        log.exception("writing the %s report files failed unexpectedly", kind)

    try:
        _publish_to_github(report, context, kind=kind, retry=retry)
    except GitHubError as exc:
        log.error("publishing the %s report to GitHub failed: %s", kind, exc)
        print_warning("GitHub reporting failed", str(exc), sys.stdout)
    except Exception:
        # A bug in reporting must not turn a finished reconcile into a failed
        # step, so anything unexpected is logged with its traceback instead.
        log.exception("publishing the %s report to GitHub failed unexpectedly", kind)
        print_warning(
            "GitHub reporting failed", "see the log for the traceback", sys.stdout
        )


def _write_run_files(
    report: Report, context: ActionsContext, *, kind: Kind, exit_code: int
) -> None:
    try:
        write_report_json(context.report_path, report)
        log.info("wrote the JSON report to %s", context.report_path)
    except OSError as exc:
        log.error("cannot write the JSON report to %s: %s", context.report_path, exc)

    if context.step_summary is not None:
        summary = render_markdown(
            report, max_chars=MAX_SUMMARY_CHARS, run_url=context.run_url
        )
        try:
            append_step_summary(context.step_summary, summary)
        except OSError as exc:
            log.error("cannot write the step summary %s: %s", context.step_summary, exc)

    if context.output is not None:
        outputs = report_outputs(report, kind=kind, exit_code=exit_code)
        outputs["report_path"] = str(context.report_path)
        try:
            append_outputs(context.output, outputs)
        except OSError as exc:
            log.error("cannot write the step outputs %s: %s", context.output, exc)

    print_annotations(report, sys.stdout)


def _publish_to_github(
    report: Report, context: ActionsContext, *, kind: Kind, retry: RetryPolicy
) -> None:
    token, api_url = context.token, context.api_url
    if not (token and api_url and context.repository):
        missing = [
            variable
            for variable, value in (
                ("GITHUB_TOKEN", token),
                ("GITHUB_REPOSITORY", context.repository),
                ("GITHUB_API_URL", api_url),
            )
            if not value
        ]
        log.warning("not publishing to GitHub: %s not set", ", ".join(missing))
        return
    owner_and_name = context.owner_and_name
    if owner_and_name is None:
        raise GitHubError(f"GITHUB_REPOSITORY={context.repository!r} is not OWNER/NAME")

    client = connect(api_url, token)
    owner, name = owner_and_name
    marker = f"<!-- edge-reconciler:{kind} -->"
    number = context.pull_request_number
    sha = context.sha

    if kind == "drift":
        call_with_retry(
            "drift issue update",
            lambda: _sync_drift_issue(
                _repository(client, owner, name), report, context, marker
            ),
            retry,
        )
    elif kind == "plan" and number is not None:
        body = _body(marker, report, context)
        call_with_retry(
            f"comment on pull request #{number}",
            lambda: _upsert_pull_request_comment(
                _repository(client, owner, name), number, marker, body
            ),
            retry,
        )
    elif (
        kind == "apply" and context.event_name in {"push", "workflow_dispatch"} and sha
    ):
        # One comment per run, so re-running the job edits it instead of adding one.
        run_marker = f"<!-- edge-reconciler:apply run={context.run_id or 'local'} -->"
        body = _body(run_marker, report, context)
        call_with_retry(
            f"comment on commit {sha[:12]}",
            lambda: _upsert_commit_comment(
                _repository(client, owner, name), sha, run_marker, body
            ),
            retry,
        )
    else:
        log.info(
            "no GitHub comment for a %s report on a %s event; the step summary has it",
            kind,
            context.event_name,
        )


def _body(marker: str, report: Report, context: ActionsContext, intro: str = "") -> str:
    prefix = f"{marker}\n{intro}\n" if intro else f"{marker}\n"
    markdown = render_markdown(
        report,
        max_chars=MAX_BODY_CHARS - len(prefix.encode("utf-8")),
        run_url=context.run_url,
    )
    return prefix + markdown


def _repository(client: github3.GitHub, owner: str, name: str) -> Repository:
    repository = client.repository(owner, name)
    if repository is None:
        raise GitHubError(f"repository {owner}/{name} not found")
    return repository


def _upsert_pull_request_comment(
    repository: Repository, number: int, marker: str, body: str
) -> None:
    issue = repository.issue(number)
    if issue is None:
        raise GitHubError(f"pull request #{number} not found in {repository.full_name}")

    where = f"pull request #{number}"
    if not _edit_marked_comment(issue.comments(), marker, body, where):
        comment = issue.create_comment(body)
        log.info("created comment %s on %s", comment.id, where)


def _upsert_commit_comment(
    repository: Repository, sha: str, marker: str, body: str
) -> None:
    commit = repository.commit(sha)
    if commit is None:
        raise GitHubError(f"commit {sha} not found in {repository.full_name}")

    where = f"commit {sha}"
    if not _edit_marked_comment(commit.comments(), marker, body, where):
        comment = repository.create_comment(body, sha)
        log.info("created comment %s on %s", comment.id, where)


def _edit_marked_comment(
    comments: Iterable[Any], marker: str, body: str, where: str
) -> bool:
    """Edit the first comment that starts with ``marker``, and return True if found."""
    for comment in comments:
        if (comment.body or "").startswith(marker):
            comment.edit(body)
            log.info("edited comment %s on %s", comment.id, where)
            return True
    return False


def _sync_drift_issue(
    repository: Repository, report: Report, context: ActionsContext, marker: str
) -> None:
    """Open, update or close the one drift issue so that it matches ``report``."""
    if report.status == "error":
        log.warning("drift check failed, so the drift issue is left as it is")
        return

    open_issue = next(
        (
            issue
            for issue in repository.issues(state="open", labels=DRIFT_LABEL)
            if issue.pull_request_urls is None and (issue.body or "").startswith(marker)
        ),
        None,
    )
    run = (
        f"[run {context.run_id}]({context.run_url})"
        if context.run_url
        else "a drift check"
    )
    counts = report.distributions
    failed = counts.failed > 0 or bool(report.failed_details)
    unresolved = failed or report.status in {"partial", "halted"}
    drifted = report.has_drift if report.mode == "plan" else unresolved

    if not drifted:
        if open_issue is None:
            log.info("no drift and no open drift issue")
            return
        healed = (
            f", after healing {counts.successful:,} distributions"
            if counts.successful
            else ""
        )
        open_issue.create_comment(f"{run} found no drift{healed}. Closing this issue.")
        open_issue.close()
        log.info("closed drift issue #%s", open_issue.number)
        return

    title = f"Drift: {counts.drifted:,} of {counts.total:,} distributions differ"
    if failed:
        title += f", {counts.failed:,} failed"
    intro = f"Found by {run} on commit `{(context.sha or 'unknown')[:12]}`."
    body = _body(marker, report, context, intro)

    if open_issue is not None:
        open_issue.edit(title=title, body=body)
        open_issue.create_comment(
            f"{run} still finds drift: {title[len('Drift: ') :]}."
        )
        log.info("updated drift issue #%s", open_issue.number)
        return

    _ensure_label(repository)
    issue = repository.create_issue(title, body=body, labels=[DRIFT_LABEL])
    log.info("opened drift issue #%s", issue.number)


def _ensure_label(repository: Repository) -> None:
    try:
        repository.label(DRIFT_LABEL)
    except NotFoundError:
        repository.create_label(
            DRIFT_LABEL,
            DRIFT_LABEL_COLOR,
            description="Deployed edge function differs from desired_state.yaml",
        )
        log.info("created label %r", DRIFT_LABEL)
