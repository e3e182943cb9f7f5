"""The lock files every install goes through (pylock*.toml, PEP 751) agree with each other and with
the Makefile, and `tools/locked_pip.py` gives the hashed pin that bootstraps pip."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("pylock.build.toml", "pylock.toml", "pylock.test.toml")


def _packages(name: str) -> dict[str, dict]:
    with open(ROOT / name, "rb") as f:
        lock = tomllib.load(f)
    assert lock["lock-version"] == "1.0"
    return {p["name"]: p for p in lock["packages"]}


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_file_has_a_sha256(name: str) -> None:
    for package in _packages(name).values():
        files = list(package.get("wheels", [])) + ([package["sdist"]] if "sdist" in package else [])
        assert files, package["name"]
        assert all(re.fullmatch(r"[0-9a-f]{64}", f["hashes"]["sha256"]) for f in files), package["name"]


def test_the_run_and_build_locks_pin_what_the_test_lock_pins() -> None:
    test = _packages("pylock.test.toml")
    for name in ("pylock.toml", "pylock.build.toml"):
        for package in _packages(name).values():
            if package["name"] in test:
                assert package["version"] == test[package["name"]]["version"], (name, package["name"])
    assert "llama-cpp-python" in _packages("pylock.toml")
    assert "torch" not in _packages("pylock.toml")  # make run installs no torch


def test_the_makefile_installs_from_the_locks_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps" in makefile
    for name in LOCKS:
        assert f"-r {name}" in makefile, name
    assert not list(ROOT.glob("requirements*.txt"))  # one lock format, not two that could disagree


def test_locked_pip_prints_the_hashed_pin_of_pip() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "locked_pip.py"), str(ROOT / "pylock.build.toml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pip = _packages("pylock.build.toml")["pip"]
    assert out[0] == f"pip=={pip['version']}"
    assert {h.removeprefix("--hash=sha256:") for h in out[1:]} == {w["hashes"]["sha256"] for w in pip["wheels"]} | (
        {pip["sdist"]["hashes"]["sha256"]} if "sdist" in pip else set()
    )
