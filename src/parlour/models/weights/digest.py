"""The sha256 of weight files, cheap to ask again: a digest is kept in parlour's cache under the file's
path and `store.file_stamp` (the freshness rule of every derived fact: size, mtime, ctime, inode, device),
so a resume hashes nothing unless a file changed. Any write to a file changes its ctime, which cannot be set
back (`touch -r` and `cp -p` restore only mtime), so a changed file is never taken for the one that was hashed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from parlour import store, textfiles
from parlour.errors import ParlourError
from parlour.models.weights.cache import cache_dir

CACHE_FILE = "digests.json"
MAX_ENTRIES = 1000  # the cache keeps the most recent entries (a few hundred bytes each)


def _read_cache(file: Path) -> dict[str, dict]:
    try:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):  # absent or damaged: digests are computed again
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(file: Path, entries: dict[str, dict]) -> None:
    """Atomic (temp file + rename); a cache that cannot be written only costs the hashing next time."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".partial")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(list(entries.items())[-MAX_ENTRIES:]), handle)
        os.replace(tmp, file)
    except OSError:
        pass


def file_sha256(path: Path) -> str:
    """`sha256:<hex>` of a file's bytes, from the stat-keyed cache when the file is unchanged."""
    path = path.resolve()
    cache = cache_dir() / CACHE_FILE
    entries = _read_cache(cache)
    stamp = store.file_stamp(path)  # None: no regular file, and file_sha256 below says so
    key = list(stamp or ())  # as JSON keeps it
    entry = entries.get(str(path))
    if stamp and isinstance(entry, dict) and entry.get("stat") == key and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    digest = "sha256:" + textfiles.file_sha256(path, ParlourError, "weights file")
    if store.file_stamp(path) == stamp:  # not written to while it was read
        entries.pop(str(path), None)
        entries[str(path)] = {"stat": key, "sha256": digest}
        _write_cache(cache, entries)
    return digest


def weights_sha256(path: Path) -> dict[str, str]:
    """The digest of every file of a weights location: a file by its name, a folder's files by their paths
    inside it."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        return {str(p.relative_to(path)): file_sha256(p) for p in files}
    return {path.name: file_sha256(path)}
