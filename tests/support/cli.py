"""Running the real `parlour` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml


def parlour(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600):
    """Run `python -m parlour ARGS`; returns the CompletedProcess (text mode)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "parlour", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )


def write_registry(path: Path, *entries: dict) -> dict[str, str]:
    """A models.yaml with the given entries; returns the env that makes parlour read it."""
    path.write_text(yaml.safe_dump({"models": list(entries)}), encoding="utf-8")
    return {"PARLOUR_MODELS": str(path)}
