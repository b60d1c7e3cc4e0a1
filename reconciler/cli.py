"""Command line: ``reconciler plan|apply|drift|demo|sandbox``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.desired_state import DesiredState, load_desired_state
from reconciler.errors import InputError, ReconcilerError
from reconciler.reconcile import RunOptions, reconcile
from reconciler.report.model import Mode, Report
from reconciler.report.text import render_text

log = logging.getLogger("reconciler")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DRIFT = 2
RUN_COMMANDS = frozenset({"plan", "apply", "drift"})


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    # plan, apply and drift never need moto, so they skip importing it (about 1 s).
    parser = _parser(with_sandbox=command not in RUN_COMMANDS)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.verbose < 2:
        logging.getLogger("botocore").setLevel(logging.WARNING)
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    handler: Any = args.handler
    try:
        return int(handler(args))
    except ReconcilerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _parser(*, with_sandbox: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconciler",
        description="Reconcile a Lambda@Edge function and the CloudFront "
        "distributions that use it with desired_state.yaml.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log reads (-v) and botocore (-vv)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="show what apply would change (read-only)")
    _add_run_arguments(plan)
    plan.set_defaults(handler=_cmd_plan)

    apply = commands.add_parser(
        "apply", help="publish if needed and patch drifted distributions"
    )
    _add_run_arguments(apply)
    apply.set_defaults(handler=_cmd_apply)

    drift = commands.add_parser(
        "drift",
        help="plan as a drift check; apply too when the desired state sets heal: true",
    )
    _add_run_arguments(drift)
    drift.set_defaults(handler=_cmd_drift)

    if with_sandbox:
        _add_sandbox_commands(commands)
    return parser


def _add_sandbox_commands(commands: Any) -> None:
    from reconciler.demo import add_arguments as add_demo_arguments
    from reconciler.sandbox.cli import add_arguments as add_sandbox_arguments
    from reconciler.sandbox.cli import run as run_sandbox

    demo = commands.add_parser(
        "demo",
        help="run plan, apply and plan on a seeded local sandbox (no AWS account)",
    )
    add_demo_arguments(demo)
    demo.set_defaults(handler=_cmd_demo)

    sandbox = commands.add_parser("sandbox", help="serve the local AWS sandbox")
    add_sandbox_arguments(sandbox)
    sandbox.set_defaults(handler=run_sandbox)


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("desired_state.yaml"),
        help="desired state file",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="report format",
    )
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--endpoint-url",
        help="AWS endpoint for every service (default: AWS_ENDPOINT_URL)",
    )
    parser.add_argument("--profile", help="AWS profile from the shared config files")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="ID",
        default=(),
        help="limit the run to these distributions",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        help="distributions per batch (overrides rollout.batch_size)",
    )
    parser.add_argument(
        "--pin-version",
        type=_positive_int,
        help="target this existing version (overrides pin_version)",
    )
    parser.add_argument(
        "--github",
        action="store_true",
        help="post the report to GitHub (in GitHub Actions)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not show progress"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def load_with_overrides(args: argparse.Namespace) -> DesiredState:
    """Load ``--state`` and apply command-line overrides, validated like the file."""
    desired = load_desired_state(args.state)
    data = desired.model_dump()
    if args.batch_size is not None:
        data["rollout"]["batch_size"] = args.batch_size
    if args.pin_version is not None:
        data["pin_version"] = args.pin_version
    try:
        return DesiredState.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise InputError(
            f"--batch-size or --pin-version is out of range ({problems}); "
            "batch_size must be 1 to 500 and pin_version at least 1"
        ) from exc


def _run(args: argparse.Namespace, mode: str) -> Report:
    run_mode: Mode = "apply" if mode == "apply" else "plan"
    try:
        if args.out is not None and not args.out.parent.is_dir():
            raise InputError(
                f"--out {args.out}: folder {args.out.parent} does not exist; create it "
                "or pick another path"
            )
        desired = load_with_overrides(args)
    except ReconcilerError as exc:
        # Invalid input still yields a report, so CI can post why it failed.
        log.error("%s", exc)
        return Report(mode=run_mode, status="error", lambda_arn=None, error=str(exc))
    options = RunOptions(
        mode=run_mode,
        root=args.state.resolve().parent,
        only=tuple(args.only),
        endpoint_url=args.endpoint_url,
        profile=args.profile,
        progress=not args.no_progress,
    )
    report = reconcile(desired, options)
    if mode == "drift" and desired.heal and report.status == "success":
        log.info("drift found and heal is on: applying")
        options.mode = "apply"
        report = reconcile(desired, options)
    return report


def _cmd_plan(args: argparse.Namespace) -> int:
    report = _run(args, "plan")
    return _finish(args, report, "plan", _plan_exit(report))


def _cmd_drift(args: argparse.Namespace) -> int:
    report = _run(args, "drift")
    code = _plan_exit(report) if report.mode == "plan" else _apply_exit(report)
    return _finish(args, report, "drift", code)


def _cmd_apply(args: argparse.Namespace) -> int:
    report = _run(args, "apply")
    return _finish(args, report, "apply", _apply_exit(report))


def _cmd_demo(args: argparse.Namespace) -> int:
    from reconciler.demo import run_demo

    return run_demo(args)


def _plan_exit(report: Report) -> int:
    if report.status == "error":
        return EXIT_ERROR
    return EXIT_DRIFT if report.status == "success" else EXIT_OK


def _apply_exit(report: Report) -> int:
    return EXIT_OK if report.status in {"success", "no_changes"} else EXIT_ERROR


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        from reconciler.report.markdown import render_markdown

        return render_markdown(report)
    return render_text(report)


def _finish(args: argparse.Namespace, report: Report, kind: str, code: int) -> int:
    text = render(report, args.format)
    sys.stdout.write(text)
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            # The run already happened; losing the file must not hide its result.
            log.error("cannot write the report to %s: %s", args.out, exc)
    if args.github:
        from reconciler.github import publish_report

        publish_report(report, kind=kind, exit_code=code, env=os.environ)  # type: ignore[arg-type]
    return code
