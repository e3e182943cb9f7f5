"""Finding the episodes of a clembench-layout results folder, and spreading work on them over the CPU cores.

results/<pair>/<game>/<i>_<experiment>/episode_<n>/ (clemcore 3.x: <experiment>/instance_<id>/) — one walk
over the folders finds every episode, so that scoring and evaluation need no glob per file kind.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import pandas as pd

from parlour import store
from parlour.errors import ResultsError
from parlour.textfiles import spreadsheet_safe

T = TypeVar("T")
R = TypeVar("R")

#: below this many items a process pool costs more than it saves
PARALLEL_MIN_ITEMS = 2000
#: rows from which a CSV file is written by a second process while this one goes on computing
BACKGROUND_CSV_MIN_ROWS = 200_000
#: items per task sent to a worker (large enough that pickling and scheduling stay cheap)
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class EpisodeDir:
    """One episode folder, named by its place in the layout."""

    path: Path

    # from `parts`, which a Path keeps: `parents[i]` would build a Path each time

    @property
    def pair(self) -> str:
        return self.path.parts[-4]

    @property
    def game(self) -> str:
        return self.path.parts[-3]

    @property
    def experiment(self) -> str:
        return self.path.parts[-2]


def _subdir_names(path: str, prefix: str | tuple[str, ...] = "") -> list[str]:
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries if e.name.startswith(prefix) and e.is_dir())
    except OSError:
        return []  # a file where a folder is expected, or no access: nothing below it


def walk_names(results: Path, game: str | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(pair, game, experiment, episode) folder names of `walk_episodes`, without building a Path for
    each (for a walk that only needs names: strings sort and join far faster than Path objects)."""
    root = os.fspath(results)
    for pair in _subdir_names(root):
        for game_name in _subdir_names(os.path.join(root, pair)):
            if game is not None and game_name != game:
                continue
            for exp in _subdir_names(os.path.join(root, pair, game_name)):
                for episode in _subdir_names(os.path.join(root, pair, game_name, exp), store.EPISODE_PREFIXES):
                    yield pair, game_name, exp, episode


def walk_episodes(results: Path, game: str | None = None) -> Iterator[EpisodeDir]:
    """Every `<pair>/<game>/<exp>/episode_*` (or clemcore 3.x's `instance_*`) folder under `results`, in sorted
    path order. The episode
    folders themselves are not listed: whoever reads an episode finds out which files it has (one listing
    per episode would cost as much as reading its scores)."""
    exp_dir, exp_names = results, ("",) * 3
    for *names, episode in walk_names(results, game):
        if tuple(names) != exp_names:
            exp_dir, exp_names = results.joinpath(*names), tuple(names)
        yield EpisodeDir(exp_dir / episode)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def by_experiment(episodes: Iterable[EpisodeDir]) -> list[list[EpisodeDir]]:
    """`walk_episodes`' episodes grouped by experiment folder (the walk yields each folder's together)."""
    groups: list[list[EpisodeDir]] = []
    for episode in episodes:
        if groups and groups[-1][0].path.parts[:-1] == episode.path.parts[:-1]:  # .parent builds a Path
            groups[-1].append(episode)
        else:
            groups.append([episode])
    return groups


def chunked(items: Sequence[T], size: int = CHUNK_SIZE, weight: Callable[[T], int] | None = None) -> list[Sequence[T]]:
    """Consecutive runs of `items` that weigh about `size` each (an item weighs 1 unless `weight` says)."""
    if weight is None:
        return [items[i : i + size] for i in range(0, len(items), size)]
    chunks: list[Sequence[T]] = []
    start, load = 0, 0
    for i, item in enumerate(items):
        load += weight(item)
        if load >= size:
            chunks.append(items[start : i + 1])
            start, load = i + 1, 0
    return chunks + ([items[start:]] if start < len(items) else [])


def map_chunks(
    func: Callable[[Sequence[T]], R],
    items: Sequence[T],
    workers: int | None = None,
    weight: Callable[[T], int] | None = None,
) -> list[R]:
    """`func` over chunks of `items` (`chunked`), in order: in this process for small inputs or one worker,
    otherwise in a process pool (scoring and JSON parsing are CPU-bound Python, which threads would
    serialise)."""
    workers = default_workers() if workers is None else max(1, workers)
    chunks = chunked(items, weight=weight)
    total = len(items) if weight is None else sum(map(weight, items))
    if workers == 1 or total < PARALLEL_MIN_ITEMS:
        return [func(chunk) for chunk in chunks]
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
        return list(pool.map(func, chunks))


@contextmanager
def csv_writer_beside(frame: pd.DataFrame, path: Path, workers: int | None = None) -> Iterator[None]:
    """Write `frame.to_csv(path, index=False)` while the body of the `with` runs: for a large frame, in a
    forked process (it shares the frame's memory; pandas' CSV writer holds the GIL, so a thread would not
    run beside the body), otherwise here. `path` is a table at the top of its results folder; the file is
    opened here, following no link there (`store.atomic_writer`), and is in place once the body is done."""
    workers = default_workers() if workers is None else workers
    fork = "fork" in multiprocessing.get_all_start_methods()
    with store.atomic_writer(path, path.parent) as handle:
        if workers < 2 or len(frame) < BACKGROUND_CSV_MIN_ROWS or not fork:
            spreadsheet_safe(frame).to_csv(handle, index=False)
            yield
            return
        writer = multiprocessing.get_context("fork").Process(target=_csv_to, args=(frame, handle))
        writer.start()
        try:
            yield
        finally:
            writer.join()
        if writer.exitcode != 0:
            raise ResultsError(f"{path}: could not be written (writer process exit code {writer.exitcode})")


def _csv_to(frame: pd.DataFrame, handle: BinaryIO) -> None:
    spreadsheet_safe(frame).to_csv(handle, index=False)
    handle.flush()  # a forked process ends without flushing its buffers
