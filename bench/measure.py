"""Run a module as ``python -m`` would and write its peak RSS to a file.

Usage: ``python -m bench.measure OUT_FILE MODULE [ARGS...]``. The figure is
``VmHWM`` from ``/proc/self/status`` (Linux), which an ``exec`` resets, so
it excludes the memory of the process that started this one.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        Path(out).write_text(str(peak_rss_kib()))


if __name__ == "__main__":
    main()
