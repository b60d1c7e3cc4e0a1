"""Build the deployment package of the edge function.

The zip holds two entries: the source under the handler's module name (for
``index.handler`` that is ``index.js``) and ``settings.json`` with the
``function.settings`` block, because Lambda@Edge has no environment variables.
The bytes depend only on the source and the settings, so ``code_sha256`` equals
the ``CodeSha256`` Lambda reports for the same code on any machine.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired_state import DesiredState
from reconciler.errors import InputError

SETTINGS_ENTRY = "settings.json"

# 1980-01-01 is the earliest time a zip entry can record.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Regular file, rw-r--r--, in the high 16 bits as Unix zip tools store it.
_ZIP_MODE = 0o100644 << 16
_UNIX = 3


@dataclass(frozen=True)
class EdgePackage:
    """A built deployment package and the facts the reconciler compares."""

    zip_bytes: bytes
    code_sha256: str
    size: int
    source_path: Path
    entry_name: str
    handler_export: str
    settings: dict[str, object]


def build_package(desired: DesiredState, root: Path) -> EdgePackage:
    """Build the zip for ``desired.function`` from the source under ``root``.

    Args:
        desired: the validated desired state.
        root: the repository directory that ``function.source`` is relative to.

    Raises:
        InputError: the source file is missing, unreadable or not UTF-8.
    """
    function = desired.function
    source_path = root / function.source
    module, export = function.handler.split(".", 1)
    source = _read_source(source_path)
    settings = function.settings.model_dump(mode="json")

    entries = {
        f"{module}.js": source,
        SETTINGS_ENTRY: (
            json.dumps(settings, indent=2, sort_keys=True) + "\n"
        ).encode(),
    }
    zip_bytes = _deterministic_zip(entries)
    digest = hashlib.sha256(zip_bytes).digest()
    return EdgePackage(
        zip_bytes=zip_bytes,
        code_sha256=base64.b64encode(digest).decode("ascii"),
        size=len(zip_bytes),
        source_path=source_path,
        entry_name=f"{module}.js",
        handler_export=export,
        settings=settings,
    )


def _read_source(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(
            f"function source {path} not found; fix function.source in the "
            "desired state"
        ) from exc
    except OSError as exc:
        raise InputError(f"function source {path} cannot be read: {exc}") from exc
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"function source {path} is not UTF-8: {exc}") from exc
    # A checkout with core.autocrlf=true must not produce another hash.
    return data.replace(b"\r\n", b"\n")


def _deterministic_zip(entries: dict[str, bytes]) -> bytes:
    """Zip ``entries`` so that the bytes depend on names and contents only.

    Entries are stored, not deflated: deflate output differs between zlib
    builds (zlib, zlib-ng) for the same input and level, while a stored entry
    is the same everywhere. The source is a few kilobytes, far below the
    1 MiB viewer-trigger limit.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = _UNIX
            info.external_attr = _ZIP_MODE
            archive.writestr(info, entries[name])
    return buffer.getvalue()
