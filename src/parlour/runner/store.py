"""The clembench 1.6 results layout on disk, with atomic writes.

results/<pair>/<game>/<i>_<experiment>/episode_<n>/{instance,interactions,requests,scores}.json
An episode is complete when its interactions.json and requests.json exist and parse (interactions is
written last); anything else (a failed episode with error.json, a corrupt or half-written file) is
replayed by the next run. Every path below a results folder is built by `inside`, which refuses a name
that would leave the folder.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parlour import textfiles
from parlour.errors import ResultsError

INSTANCE = "instance.json"
INTERACTIONS = "interactions.json"
REQUESTS = "requests.json"
SCORES = "scores.json"
ERROR = "error.json"
RUN = "run.json"
LOCK = ".parlour.lock"


def encode_json(data: Any) -> bytes:
    """clembench's JSON text as UTF-8: NaN as the bare token NaN (as its json.dump writes it), non-ASCII kept.
    json.dumps takes the C encoder (json.dump to a file streams through the pure-Python one)."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def write_json(path: Path, data: Any) -> None:
    """Write clembench-style JSON (NaN as the bare token NaN) atomically: a reader never sees a
    half-written file. The file gets the user's umask, like any file the user creates."""
    _write_atomic(path, encode_json(data))


def write_json_if_changed(path: Path, data: Any) -> bool:
    """`write_json`, skipped when the file already holds exactly these bytes; True when it was written."""
    encoded = encode_json(data)
    try:
        if path.read_bytes() == encoded:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    _write_atomic(path, encoded)
    return True


def _write_atomic(path: Path, payload: bytes) -> None:
    """Temp file beside `path`, then rename. os.open with mode 0o666 lets the kernel apply the umask
    (tempfile.mkstemp would force 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.partial"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    """Parse a results JSON file (NaN tokens allowed, as clembench writes them); ResultsError naming the file
    when it cannot be read, is too large or too deep, is not UTF-8 or is not JSON."""
    return textfiles.read_json(path, ResultsError, "JSON file")


def pair_name(names: list[str]) -> str:
    """`<m0>-t<T>--<m1>-t<T>`; one model is duplicated (self-play), as clembench names it."""
    if len(names) == 1:
        names = [names[0], names[0]]
    return "--".join(names)


def inside(results: Path, *names: str) -> Path:
    """results/<names...>, refusing any name that is empty, absolute, `.`/`..` or holds a path separator:
    model, game and experiment names become folder names, and none may lead out of the results folder."""
    for name in names:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise ResultsError(f"'{name}' cannot be a folder name inside {results} (no '/', '\\', '.' or '..')")
    path = results.joinpath(*names)
    if not path.resolve().is_relative_to(results.resolve()):  # a symlinked name still may not lead outside
        raise ResultsError(f"{path} would be outside the results folder {results}")
    return path


def check_results_folder(results: Path) -> None:
    """A results folder is a folder (or not there yet, then it is created on the first write)."""
    if results.exists() and not results.is_dir():
        raise ResultsError(f"{results}: is a file, not a results folder")


def experiment_dir(results: Path, pair: str, game: str, index: int, experiment: str) -> Path:
    return inside(results, pair, game, f"{index}_{experiment}")


def episode_dir(exp_dir: Path, episode: int) -> Path:
    return exp_dir / f"episode_{episode}"


def _parses(path: Path) -> bool:
    try:
        read_json(path)
    except ResultsError:  # missing, unreadable, too large or deep, not UTF-8 or not JSON
        return False
    return True


def is_complete(ep_dir: Path) -> bool:
    """Played to the end: interactions.json and requests.json are there and parse."""
    return _parses(ep_dir / INTERACTIONS) and _parses(ep_dir / REQUESTS)


@contextmanager
def pair_lock(pair_dir: Path) -> Iterator[None]:
    """An advisory lock on one pair's results folder, held for a whole run: two runs that would write
    the same episodes cannot both play them. Released by the OS when the process ends, even on kill -9."""
    pair_dir.mkdir(parents=True, exist_ok=True)
    path = pair_dir / LOCK
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the run ends
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ResultsError(
                f"{pair_dir}: another parlour run ({holder}) is writing to this folder; wait for it to end "
                "or use another results folder (-r)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def clear_episode(ep_dir: Path) -> None:
    """Remove what an interrupted or failed attempt left, before playing the episode again."""
    for name in (INTERACTIONS, REQUESTS, SCORES, ERROR):
        (ep_dir / name).unlink(missing_ok=True)
    for leftover in ep_dir.glob(".*.partial"):  # temp files of a write that was killed
        leftover.unlink(missing_ok=True)
