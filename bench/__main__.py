"""Run the benchmark matrix: ``python -m bench [--quick]``.

Each fleet size gets one sandbox with per-call latency and a write rate
limit. For each drift share the reconciler's ``plan`` and ``apply`` run as
child processes (so their peak memory is their own), then the baseline runs
once, because it does the same work at any drift. Results go to
``bench/results.json`` and the page ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.page import render_page
from bench.scenario import LATENCY_S, WRITE_BURST, WRITE_RATE, Scenario

HERE = Path(__file__).parent
FULL_SIZES = (100, 1000, 5000)
QUICK_SIZES = (50, 200)
DRIFTS = (0.0, 0.1, 1.0)


@dataclass
class Measurement:
    """One child process: what it ran, how long, which calls and peak memory."""

    size: int
    drift: float | None
    tool: str
    command: str
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    calls: dict[str, int]
    writes_needed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def run_child(
    args: list[str], env: dict[str, str], cwd: Path
) -> tuple[float, float, int]:
    """Run ``python -m MODULE ...`` (``args[2:]``) under ``bench.measure``.

    Returns wall seconds, the child's peak RSS in MB and its exit code.
    """
    peak_file = cwd / "peak_rss_kib"
    measured = [sys.executable, "-m", "bench.measure", str(peak_file), *args[2:]]
    env = {**env, "PYTHONPATH": str(HERE.parent)}
    started = time.monotonic()
    code = subprocess.run(
        measured,
        check=False,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ).returncode
    wall = time.monotonic() - started
    return wall, int(peak_file.read_text()) / 1024, code


def measure_size(
    size: int, drifts: tuple[float, ...], workdir: Path
) -> list[Measurement]:
    results = []
    with Scenario(size, workdir) as scenario:
        env = scenario.child_env()
        for drift in drifts:
            needed = scenario.set_drift(drift)
            for mode in ("plan", "apply"):
                scenario.sandbox.reset_calls()
                args = [
                    sys.executable,
                    "-m",
                    "reconciler",
                    mode,
                    "--state",
                    str(scenario.state_path),
                    "--no-progress",
                    "--format",
                    "json",
                    "--out",
                    str(workdir / f"report-{mode}.json"),
                ]
                wall, rss, code = run_child(args, env, workdir)
                report = json.loads((workdir / f"report-{mode}.json").read_text())
                results.append(
                    Measurement(
                        size,
                        drift,
                        f"reconciler {mode}",
                        " ".join(args[1:]),
                        round(wall, 2),
                        round(rss, 1),
                        code,
                        scenario.sandbox.calls(),
                        needed,
                        {
                            "duration_s": report["duration_s"],
                            "rollout_s": report.get("rollout_s", 0.0),
                        },
                    )
                )
                print(
                    f"{size:>5} drift {drift:>4.0%} {mode:<5} {wall:7.1f} s", flush=True
                )
        scenario.sandbox.reset_calls()
        args = [
            sys.executable,
            "-m",
            "bench.baseline",
            "bot-router",
            str(scenario.zip_path),
        ]
        wall, rss, code = run_child(args, env, workdir)
        results.append(
            Measurement(
                size,
                None,
                "baseline",
                " ".join(args[1:2]),
                round(wall, 2),
                round(rss, 1),
                code,
                scenario.sandbox.calls(),
                size,
            )
        )
        print(f"{size:>5} baseline        {wall:7.1f} s", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small fleets only")
    parser.add_argument("--sizes", type=int, nargs="+", help="fleet sizes to run")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))

    started = time.monotonic()
    measurements: list[Measurement] = []
    workdir = Path(tempfile.gettempdir()) / f"bench-{os.getpid()}"
    for size in sizes:
        measurements += measure_size(size, DRIFTS, workdir / str(size))

    results = {
        "command": "python -m bench"
        + (" --quick" if args.quick else "")
        + (f" --sizes {' '.join(map(str, args.sizes))}" if args.sizes else ""),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sandbox": {
            "latency_s": LATENCY_S,
            "write_rate_per_s": WRITE_RATE,
            "write_burst": WRITE_BURST,
        },
        "duration_s": round(time.monotonic() - started, 1),
        "measurements": [asdict(m) for m in measurements],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "README.md").write_text(render_page(results))
    print(f"wrote {args.out / 'results.json'} and {args.out / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
