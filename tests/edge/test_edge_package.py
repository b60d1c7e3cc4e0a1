"""The package builder: deterministic bytes, Lambda's hash, baked settings."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.desired_state import DesiredState
from reconciler.edge.package import build_package
from reconciler.errors import InputError

MakeDesired = Callable[..., DesiredState]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copy(REPO / "lambda_code.js", tmp_path / "lambda_code.js")
    return tmp_path


def test_build_twice_same_bytes(make_desired: MakeDesired, root: Path) -> None:
    desired = make_desired()

    first = build_package(desired, root)
    second = build_package(desired, root)

    assert first.zip_bytes == second.zip_bytes
    assert first.code_sha256 == second.code_sha256


def test_build_in_subprocess_same_bytes(
    make_desired: MakeDesired, root: Path, tmp_path: Path
) -> None:
    desired = make_desired()
    state_file = tmp_path / "state.json"
    state_file.write_text(desired.model_dump_json())
    out = tmp_path / "other.zip"
    script = (
        "import sys; from pathlib import Path\n"
        "from reconciler.desired_state import DesiredState\n"
        "from reconciler.edge.package import build_package\n"
        "state = DesiredState.model_validate_json(Path(sys.argv[1]).read_text())\n"
        "package = build_package(state, Path(sys.argv[2]))\n"
        "Path(sys.argv[3]).write_bytes(package.zip_bytes)\n"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "12345"}

    subprocess.run(
        [sys.executable, "-c", script, str(state_file), str(root), str(out)],
        check=True,
        env=env,
        cwd=REPO,
    )

    assert out.read_bytes() == build_package(desired, root).zip_bytes


def test_code_sha256_is_lambda_hash(make_desired: MakeDesired, root: Path) -> None:
    package = build_package(make_desired(), root)

    expected = base64.b64encode(hashlib.sha256(package.zip_bytes).digest()).decode()

    assert package.code_sha256 == expected
    assert package.size == len(package.zip_bytes)
    assert package.source_path == root / "lambda_code.js"


def test_setting_change_changes_hash(make_desired: MakeDesired, root: Path) -> None:
    base = build_package(make_desired(), root)

    other_domain = build_package(
        make_desired(function={"settings": {"ai_origin_domain": "other.example.com"}}),
        root,
    )
    other_header = build_package(
        make_desired(function={"settings": {"classification_header": "x-bot-class"}}),
        root,
    )

    assert other_domain.code_sha256 != base.code_sha256
    assert other_header.code_sha256 != base.code_sha256
    assert other_domain.code_sha256 != other_header.code_sha256


def test_source_change_changes_hash(make_desired: MakeDesired, root: Path) -> None:
    desired = make_desired()
    before = build_package(desired, root)

    source = root / "lambda_code.js"
    source.write_text(source.read_text() + "\n// changed\n")
    after = build_package(desired, root)

    assert after.code_sha256 != before.code_sha256


def test_mtime_and_line_endings_ignored(make_desired: MakeDesired, root: Path) -> None:
    desired = make_desired()
    before = build_package(desired, root)

    source = root / "lambda_code.js"
    source.write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
    os.utime(source, (1_700_000_000, 1_700_000_000))
    after = build_package(desired, root)

    assert after.zip_bytes == before.zip_bytes


def test_zip_entries_fixed_metadata(make_desired: MakeDesired, root: Path) -> None:
    desired = make_desired()
    package = build_package(desired, root)

    with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        settings = json.loads(archive.read("settings.json"))
        code = archive.read("index.js")

    assert names == sorted(names) == ["index.js", "settings.json"]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_STORED
    assert code == (root / "lambda_code.js").read_bytes()
    assert settings == desired.function.settings.model_dump(mode="json")
    assert settings["ai_origin_domain"] == "ai-origin.example.com"


def test_handler_module_names_entry(make_desired: MakeDesired, root: Path) -> None:
    package = build_package(make_desired(function={"handler": "router.route"}), root)

    with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as archive:
        names = archive.namelist()

    assert package.entry_name == "router.js"
    assert package.handler_export == "route"
    assert "router.js" in names


def test_missing_source_raises(make_desired: MakeDesired, tmp_path: Path) -> None:
    desired = make_desired(function={"source": "missing.js"})

    with pytest.raises(
        InputError, match=r"missing\.js not found; fix function\.source"
    ):
        build_package(desired, tmp_path)
