"""The clembench 1.6 results layout on disk, with atomic writes.

results/<pair>/<game>/<i>_<experiment>/episode_<n>/{instance,interactions,requests,scores}.json
An episode is complete when its interactions.json and requests.json exist and have clembench's shape
(interactions is written last); anything else (a failed episode with error.json, a corrupt or half-written file) is
replayed by the next run. Every path below a results folder is built by `inside`, which refuses a name
that would leave the folder, and every file written or removed there goes through `atomic_writer`,
`pair_lock` or `clear_episode`, which follow no link inside it. Whether a file derived from others is
still true to them is decided by one rule, `file_stamp` and `settled`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from parlour import textfiles
from parlour.errors import LinkInResultsError, ResultsError
from parlour.redact import redact

INSTANCE = "instance.json"
INTERACTIONS = "interactions.json"
REQUESTS = "requests.json"
SCORES = "scores.json"
ERROR = "error.json"
RUN = "run.json"
#: how an episode's folder is named: parlour and clemcore 2.x write episode_<n>, clemcore 3.x's `clem run`
#: writes instance_<game id> (one record per instance)
EPISODE_PREFIXES = ("episode_", "instance_")
LOCK = ".parlour.lock"


def encode_json(data: Any) -> bytes:
    """clembench's JSON text as UTF-8: NaN as the bare token NaN (as its json.dump writes it), non-ASCII kept.
    json.dumps takes the C encoder (json.dump to a file streams through the pure-Python one). Known secrets
    are redacted: an endpoint may echo a key into a reply, which would land in the transcript."""
    return redact(json.dumps(data, ensure_ascii=False)).encode("utf-8")


def write_json(path: Path, data: Any, root: Path) -> None:
    """Write clembench-style JSON (NaN as the bare token NaN) atomically: a reader never sees a
    half-written file. The file gets the user's umask, like any file the user creates. `root` is the
    results folder: no link inside it is followed (see `atomic_writer`)."""
    write_file(path, encode_json(data), root)


def write_json_if_changed(path: Path, data: Any, root: Path) -> bool:
    """`write_json`, skipped when the file already holds exactly these bytes; True when it was written."""
    encoded = encode_json(data)
    try:
        if textfiles.read_bytes(path, ResultsError, "file", len(encoded), follow_links=False) == encoded:
            return False
    except ResultsError:
        pass  # missing, unreadable, a link, not a regular file or longer: write it
    write_file(path, encoded, root)
    return True


def write_file(path: Path, payload: bytes, root: Path) -> None:
    """Write `payload` to `path` inside the folder `root` atomically, following no link (`atomic_writer`)."""
    with atomic_writer(path, root) as handle:
        handle.write(payload)


def write_text(path: Path, text: str, root: Path) -> None:
    """A text file (a table, a page) as UTF-8, through `atomic_writer`."""
    write_file(path, text.encode("utf-8"), root)


def write_csv(frame: Any, path: Path, root: Path, **to_csv: Any) -> None:
    """`frame.to_csv(path, **to_csv)` for a DataFrame, through `atomic_writer`: a full disk leaves the
    previous table whole, never a cut one."""
    with atomic_writer(path, root) as handle:
        textfiles.spreadsheet_safe(frame).to_csv(handle, **to_csv)


@contextmanager
def atomic_writer(path: Path, root: Path) -> Iterator[BinaryIO]:
    """A binary handle whose content becomes `path` when the `with` ends without error (temp file beside
    `path`, then rename). Every write parlour makes inside a results folder `root` goes through here: the
    folders down from `root` are opened without following a link and a link at `path` is refused
    (LinkInResultsError), so a link planted in the results folder cannot send a write elsewhere; `root`
    itself may be a link, the user named it. os.open with mode 0o666 lets the kernel apply the umask
    (tempfile.mkstemp would force 0600)."""
    with _folder(path.parent, root) as folder:
        _refuse_link(folder, path, root)
        tmp = f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.partial"  # the pid: see remove_stale_partials
        fd = _open_in(folder, path.parent / tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, root)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
            os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)  # replaces a link, never follows
        except BaseException as exc:
            with suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=folder)
            if isinstance(exc, OSError):  # a full disk: the previous file is untouched
                raise ResultsError(
                    f"{path}: cannot be written ({exc.strerror or exc}); the previous file is kept"
                ) from exc
            raise


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_PARTIAL = re.compile(r"^\..+\.(\d+)-[0-9a-f]{12}\.partial$")


def remove_stale_partials(folder: Path, root: Path) -> list[str]:
    """Remove the temp files in `folder` that `atomic_writer`s of processes no longer running left (a kill
    that ran no cleanup); a live writer's are kept. Returns the names removed."""
    if not folder.is_dir():
        return []
    removed = []
    with _folder(folder, root) as fd:
        for name in os.listdir(fd):
            match = _PARTIAL.match(name)
            if match and not _alive(int(match.group(1))):
                _refuse_link(fd, folder / name, root)
                with suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)
                removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def make_folder(folder: Path, root: Path) -> None:
    """Create `folder` inside `root` (and the folders between), refusing a link on the way like `atomic_writer`:
    for a writer that is not parlour's (matplotlib) into a folder parlour made."""
    with _folder(folder, root):
        pass


@contextmanager
def _folder(folder: Path, root: Path) -> Iterator[int]:
    """A descriptor of `folder`, reached from `root` one name at a time without following a link and
    created where missing (a descriptor, not a path, so that a link planted meanwhile is not used)."""
    try:  # abspath, not resolve: a link must not decide what is inside
        names = Path(os.path.abspath(folder)).relative_to(os.path.abspath(root)).parts
    except ValueError:
        raise ResultsError(f"{folder} is not inside the results folder {root}") from None
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, _DIR_FLAGS)
    try:
        here = root
        for name in names:
            here = here / name
            with suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=fd)
            child = _open_in(fd, here, _DIR_FLAGS, root)
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _open_in(folder: int, path: Path, flags: int, root: Path, mode: int = 0o666) -> int:
    """os.open of `path`'s name in the open `folder` with O_NOFOLLOW: a link there is LinkInResultsError."""
    try:
        return os.open(path.name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=folder)
    except OSError as exc:
        _refuse_link(folder, path, root)
        raise ResultsError(f"{path}: cannot be opened ({exc.strerror})") from None


def _refuse_link(folder: int, path: Path, root: Path) -> None:
    try:
        is_link = stat.S_ISLNK(os.stat(path.name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return
    if is_link:
        raise LinkInResultsError(
            f"{path}: is a symbolic link inside {root}; parlour does not write through links in the folders it writes"
        )


#: a file's stamp: size, mtime_ns, ctime_ns, inode, device
Stamp = tuple[int, int, int, int, int]
#: a stamp keys a derived fact only once this long has passed since the file's last change
RACY_MARGIN_NS = 2_000_000_000


def file_stamp(path: Path | str, follow_links: bool = True) -> Stamp | None:
    """The one freshness rule for every file parlour derives something from (the score cache's facts,
    raw.csv): a derived fact stays true while the stamps of its sources are the same. ctime and inode are
    in it because a user cannot set them: an edit that keeps size and mtime (`cp -p`, `touch -r`, `tar x`)
    still changes ctime, and a file replaced by another has another inode. None when there is no regular
    file at `path` (a link is followed, as the readers follow it, unless `follow_links` is False)."""
    try:
        info = os.stat(path, follow_symlinks=follow_links)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def stamp_clock() -> int:
    """The clock reading to take before the stamps of a derived fact (see `settled`)."""
    return time.time_ns()


def settled(stamp: Stamp, before_ns: int) -> bool:
    """Whether a stamp taken after `before_ns` (`stamp_clock()`) may key a derived fact: the file's last change
    lies RACY_MARGIN_NS before it (git's "racy" index rule). Two edits within one timestamp tick (or within
    the 1-2 s of FAT, ext3 or HFS+) can leave the same stamp; so a fact is only recorded from a stamp old
    enough that any later change gets a later timestamp, and from content read after that stamp. A file
    dated in the future (a skewed NFS server) is not settled until then."""
    return max(stamp[1], stamp[2]) < before_ns - RACY_MARGIN_NS


def read_json(path: Path) -> Any:
    """Parse a results JSON file (NaN tokens allowed, as clembench writes them); ResultsError naming the file
    when it cannot be read, is too large or too deep, is not UTF-8 or is not JSON."""
    return textfiles.read_json(path, ResultsError, "JSON file")


def read_json_bytes(path: Path) -> tuple[bytes, Any]:
    """`read_json`, with the bytes it parsed (for a caller that keeps their digest)."""
    data = textfiles.read_bytes(path, ResultsError, "JSON file", textfiles.MAX_JSON_BYTES)
    return data, textfiles.decode_json(data, path, ResultsError)


def recorded_plan(pair_dir: Path) -> dict[str, Any] | None:
    """The plan in <pair>/run.json (which experiments of each game a run planned, with their settings and
    number of instances: see runner.pair.planned_experiments); None when there is none."""
    try:
        plan = read_json(pair_dir / RUN).get("plan")
    except (ResultsError, AttributeError):  # no run.json (a clembench folder), a broken one, or not an object
        return None
    return plan if isinstance(plan, dict) else None


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


class Interactions(BaseModel):
    """What scorers and the transcript browser read of interactions.json: players and a list of turns,
    each a list of events (objects); game-specific keys are kept as they are."""

    model_config = ConfigDict(extra="allow")

    players: dict[str, Any]
    turns: list[list[dict[str, Any]]]


_RECORDS = {INTERACTIONS: TypeAdapter(Interactions), REQUESTS: TypeAdapter(list[dict[str, Any]])}


def record_problem(ep_dir: Path) -> str | None:
    """Why the episode's records do not make a complete episode (missing, unreadable, not JSON, or not
    clembench's shape), or None when they do."""
    for name, shape in _RECORDS.items():
        path = ep_dir / name
        if not path.is_file():
            return f"{name} is missing"
        try:
            shape.validate_python(read_json(path))
        except ResultsError as exc:  # unreadable, too large or deep, not UTF-8 or not JSON
            return str(exc)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            return f"{name}: {where + ': ' if where else ''}{first['msg']}"
    return None


@contextmanager
def pair_lock(pair_dir: Path, root: Path) -> Iterator[None]:
    """An advisory lock on one pair's results folder, held for a whole run: two runs that would write
    the same episodes cannot both play them. Released by the OS when the process ends, even on kill -9.
    The lock file is opened like every file in the results folder `root`: no link is followed."""
    with _folder(pair_dir, root) as folder:
        fd = _open_in(folder, pair_dir / LOCK, os.O_RDWR | os.O_CREAT, root)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
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


def clear_episode(ep_dir: Path, root: Path) -> None:
    """Remove what an interrupted or failed attempt left, before playing the episode again: the records and
    the temp files of a write that was killed. A link among them is refused like any link in `root`."""
    with _folder(ep_dir, root) as folder:
        names = [
            name
            for name in os.listdir(folder)
            if name in (INTERACTIONS, REQUESTS, SCORES, ERROR) or (name.startswith(".") and name.endswith(".partial"))
        ]
        for name in names:  # every one checked before any is removed: a refusal leaves the folder as it was
            _refuse_link(folder, ep_dir / name, root)
        for name in names:
            with suppress(FileNotFoundError):
                os.unlink(name, dir_fd=folder)
