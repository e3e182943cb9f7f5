"""The progress bar of `parlour run` and `parlour sweep`: one row per pair, with aborted/failed counts and ETA.
Where stderr is not a terminal (a log file, CI), plain lines instead, at most one every PLAIN_EVERY_S."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from parlour.cli.names import name_width, shorten_middle
from parlour.redact import printable
from parlour.runner.episodes import ABORTED, FAILED, EpisodeOutcome

#: the row a sweep starts first, with the episodes of all its pairs
OVERALL = "all pairs"
BAR_WIDTH = 16
#: the columns of a row besides the pair's name, for counts of up to 999 episodes: the bar, "420/420",
#: "aborted 420  errors 0", the time left, and the spaces between them
ROW_WITHOUT_NAME = BAR_WIDTH + 7 + 21 + 7 + 5
#: the least time between two plain progress lines (a log gets no bar, and no line per episode)
PLAIN_EVERY_S = 5.0


class EpisodeProgress:
    """Shows episodes done per pair (and over all pairs once a row OVERALL is started); failures are
    printed as they happen (redacted, control characters escaped)."""

    def __init__(self, console: Console, enabled: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.plain = enabled and not console.is_terminal
        self.clock = clock
        self.started = self.last_line = clock()
        self.done: dict[str, int] = {}
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=BAR_WIDTH),
            MofNCompleteColumn(),
            TextColumn("aborted {task.fields[aborted]}  errors {task.fields[errors]}"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled or self.plain,
        )
        self.rows: dict[str, TaskID] = {}
        self.totals: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def __enter__(self) -> EpisodeProgress:
        self.progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.__exit__(kind, value, trace)

    def start(self, pair: str, total: int) -> None:
        """A row for `pair` with `total` episodes (called again for the same pair, it adds to the total)."""
        self.totals[pair] = self.totals.get(pair, 0) + total
        if pair in self.rows:
            self.progress.update(self.rows[pair], total=self.totals[pair])
            return
        self.counts[pair] = {"aborted": 0, "errors": 0}
        # shortened in the middle, so that an 80-column row cuts neither the name nor the counts
        description = escape(shorten_middle(pair, name_width(self.console, fixed=ROW_WITHOUT_NAME)))
        self.rows[pair] = self.progress.add_task(description, total=total, **self.counts[pair])

    def start_overall(self, total: int) -> None:
        """The row over all pairs of a sweep (its episodes are also counted per pair)."""
        self.start(OVERALL, total)

    def episode_done(self, outcome: EpisodeOutcome) -> None:
        pair = outcome.task.directory.parents[2].name
        if OVERALL in self.rows:
            self._count(OVERALL, outcome)
        self._count(pair, outcome)
        if outcome.status == FAILED:
            self.console.print(
                f"[red]episode failed[/] {pair} {outcome.task.label}: {escape(printable(outcome.error or ''))}",
                highlight=False,
            )

    def _count(self, pair: str, outcome: EpisodeOutcome) -> None:
        counts = self.counts.setdefault(pair, {"aborted": 0, "errors": 0})
        if outcome.status == ABORTED:
            counts["aborted"] += 1
        if outcome.status == FAILED:
            counts["errors"] += 1
        self.done[pair] = self.done.get(pair, 0) + 1
        if pair in self.rows:
            self.progress.update(self.rows[pair], advance=1, **counts)
        if self.plain:
            self._plain_line(pair)

    def _plain_line(self, pair: str) -> None:
        """One line of where a pair stands, when PLAIN_EVERY_S have passed or the pair is done."""
        now = self.clock()
        finished = self.done[pair] >= self.totals.get(pair, 0)
        if not finished and now - self.last_line < PLAIN_EVERY_S:
            return
        self.last_line = now
        counts = self.counts[pair]
        self.console.print(
            f"progress: {pair} {self.done[pair]}/{self.totals.get(pair, '?')} episodes "
            f"(aborted {counts['aborted']}, errors {counts['errors']}), {now - self.started:.0f} s",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
