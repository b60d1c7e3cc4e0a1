"""Run the built package under the local ``node``: syntax check and sample events."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.edge.package import EdgePackage

# Loads the entry, calls the export once per event as Lambda's Node.js runtime
# would (async return value or callback) and prints one JSON document.
_HARNESS = r"""
'use strict';
const [entry, exportName, timeoutMs] = process.argv.slice(2);

function invoke(handler, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms`)), Number(timeoutMs));
    const done = (error, result) => {
      clearTimeout(timer);
      if (error) { reject(error); } else { resolve(result); }
    };
    try {
      const returned = handler(event, {}, done);
      if (returned && typeof returned.then === 'function') {
        returned.then((result) => done(null, result), done);
      }
    } catch (error) {
      done(error);
    }
  });
}

async function main(input) {
  let module;
  try {
    module = require(entry);
  } catch (error) {
    return { load_error: String((error && error.stack) || error) };
  }
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    return { missing_export: typeof handler };
  }
  const results = [];
  for (const { name, event } of JSON.parse(input)) {
    try {
      const result = await invoke(handler, event);
      results.push({ name, result: result === undefined ? null : result });
    } catch (error) {
      results.push({ name, error: String((error && error.stack) || error) });
    }
  }
  return { results };
}

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  process.stdout.write(JSON.stringify(await main(input)));
  process.exit(0);
});
"""

_SYNTAX_CHECK_TIMEOUT_S = 30


@dataclass(frozen=True)
class NodeRun:
    """Outcome of running the package's handler on the sample events.

    Exactly one of ``load_error``, ``missing_export`` and ``results`` is set;
    each result is ``{"name", "result"}`` or ``{"name", "error"}``.
    """

    load_error: str | None = None
    missing_export: str | None = None
    results: tuple[dict[str, Any], ...] = ()


def find_node() -> str | None:
    """Return the path of ``node`` on PATH, or None."""
    return shutil.which("node")


def node_major_version(node: str) -> int | None:
    """Return the major version of ``node``, or None if it cannot be read."""
    try:
        output = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    digits = output.strip().removeprefix("v").split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def unpack(package: EdgePackage, directory: Path) -> Path:
    """Extract the package into ``directory`` and return the entry's path."""
    with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as archive:
        archive.extractall(directory)
    return directory / package.entry_name


def syntax_error(node: str, entry: Path) -> str | None:
    """Return ``node --check`` output when ``entry`` does not parse, else None."""
    completed = subprocess.run(
        [node, "--check", str(entry)],
        capture_output=True,
        text=True,
        timeout=_SYNTAX_CHECK_TIMEOUT_S,
        check=False,
    )
    if completed.returncode == 0:
        return None
    return (completed.stderr or completed.stdout).strip()


def run_handler(
    node: str,
    entry: Path,
    export: str,
    events: list[tuple[str, dict[str, Any]]],
    timeout_s: float,
) -> NodeRun:
    """Call ``export`` of ``entry`` once per named event in a fresh ``node``.

    Raises:
        subprocess.TimeoutExpired: the process did not finish in time.
        ValueError: the harness printed something that is not its JSON.
    """
    with tempfile.TemporaryDirectory(prefix="edge-harness-") as scratch:
        harness = Path(scratch) / "harness.cjs"
        harness.write_text(_HARNESS, encoding="utf-8")
        payload = json.dumps([{"name": name, "event": event} for name, event in events])
        per_event_ms = str(int(timeout_s * 1000))
        completed = subprocess.run(
            [node, str(harness), str(entry.resolve()), export, per_event_ms],
            input=payload,
            capture_output=True,
            text=True,
            timeout=timeout_s * (len(events) + 1) + 10,
            check=False,
        )
    try:
        output = json.loads(completed.stdout)
    except json.JSONDecodeError as exc:
        detail = (completed.stderr or completed.stdout).strip()[:2000]
        raise ValueError(f"node exited with {completed.returncode}: {detail}") from exc
    return NodeRun(
        load_error=output.get("load_error"),
        missing_export=output.get("missing_export"),
        results=tuple(output.get("results", ())),
    )
