"""Filling the score cache (`parlour.scoring.cache`) as a run writes its episodes, so that `parlour score`
and `parlour eval` afterwards need not read them again. The runner knows nothing of scoring: whoever starts a
run hands it `ScoreCacheFiller.add` as the callback for each episode written, and calls `finish` when it ends.

A file is only cached once it has settled (`store.RACY_MARGIN_NS` after it was written): an episode waits
until then, and is recorded by the next fill, which runs every FILL_INTERVAL_S while episodes end and once
when the run ends. What is still waiting then (the episodes of the run's last seconds) is left to the next
`score` or `eval`. The fill at the end is skipped when the run's last fill took over FINAL_FILL_BUDGET_S:
each fill loads and saves its experiments' whole caches, so in a run of tens of thousands of episodes it
would keep `run` from returning for seconds; its episodes are scored by the next `score` or `eval`.
Recording reads the episode's files back and scores them as `parlour score` would: a cached fact stands
on content read after the stat that keys it, never on what was meant to be written.
"""

from __future__ import annotations

import time
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from parlour.games.registry import GameSpec

FILL_INTERVAL_S = 10.0
FINAL_FILL_BUDGET_S = 0.5


class WrittenEpisode(Protocol):
    """What the filler needs of an episode the runner wrote (the runner's EpisodeTask is one)."""

    @property
    def game(self) -> GameSpec: ...

    @property
    def directory(self) -> Path: ...

    @property
    def results(self) -> Path: ...


class ScoreCacheFiller:
    """The episodes a run wrote that are not in their score caches yet, and the fills that put them there."""

    def __init__(self) -> None:
        self.pending: list[tuple[int, WrittenEpisode]] = []  # (time.time_ns() once written, episode)
        self.last_fill = time.monotonic()
        self.last_fill_s = 0.0  # how long the last fill that recorded episodes took

    def add(self, episode: WrittenEpisode) -> None:
        """An episode's files are written; fill the caches if the last fill is FILL_INTERVAL_S ago."""
        self.pending.append((time.time_ns(), episode))
        if time.monotonic() - self.last_fill >= FILL_INTERVAL_S:
            self.fill()

    def finish(self) -> None:
        """The run has ended: record the settled episodes unless the last fill says it would take long."""
        if self.last_fill_s <= FINAL_FILL_BUDGET_S:
            self.fill()

    def fill(self) -> None:
        """Record the settled episodes (a link in the results folder stops the run, like any write there)."""
        from parlour import store
        from parlour.scoring import cache
        from parlour.scoring.rescore import score_experiment  # at use: scoring pulls in pandas

        self.last_fill = time.monotonic()
        settled_before = time.time_ns() - store.RACY_MARGIN_NS
        ready = [episode for written, episode in self.pending if written < settled_before]
        self.pending = [(written, episode) for written, episode in self.pending if written >= settled_before]
        if not ready or not cache.enabled():
            return
        started = time.monotonic()
        ready.sort(key=lambda episode: episode.directory)
        for _, group in groupby(ready, key=lambda episode: episode.directory.parent):
            episodes = list(group)
            # failures are not the run's: the episode is simply not cached, and `parlour score` reports it
            score_experiment(episodes[0].results, episodes[0].game, [e.directory for e in episodes], whole=False)
        self.last_fill_s = time.monotonic() - started
