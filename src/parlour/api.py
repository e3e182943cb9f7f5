"""parlour as a library: everything the `parlour` command does, as functions. A thin facade: the work is
done by the packages (the runner plays, scoring aggregates, analysis and report explain).

import parlour
summary = parlour.run(["taboo"], ["smollm2-135m"], results="results", limit=2)
table = parlour.evaluate("results")      # clembench's results table as a DataFrame
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from parlour.models.base import Model
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.runner import pair as pair_run
from parlour.runner.episodes import RunSummary
from parlour.runner.options import RunOptions
from parlour.runner.pair import OnEpisode, OnStart
from parlour.runner.plan import EpisodeTask
from parlour.runner.players import LocalPlayers, Players
from parlour.scoring.cache_filler import ScoreCacheFiller

ModelLike = str | ModelSpec | Model

__all__ = ["ModelLike", "OnEpisode", "OnStart", "RunOptions", "arun", "evaluate", "plan", "run", "run_pair"]


def resolve_spec(model: str | ModelSpec, temperature: float | None, max_tokens: int | None) -> ModelSpec:
    """A registry name or a spec, with the run's temperature / max_tokens applied where given."""
    spec = lookup(model) if isinstance(model, str) else model
    return spec.with_generation(temperature, max_tokens)


def plan(
    games: str | Sequence[str], pair: str, options: RunOptions | None = None, **settings: Any
) -> list[EpisodeTask]:
    """The episodes a run of `games` for `pair` consists of, in clembench's order (settings as for `run`)."""
    return pair_run.plan(games, pair, RunOptions.of(options, **settings))


async def arun(
    games: str | Sequence[str],
    models: ModelLike | Sequence[ModelLike],
    options: RunOptions | None = None,
    *,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    **settings: Any,
) -> RunSummary:
    """Play (and score) every planned episode not already complete; see `run`."""
    options = RunOptions.of(options, **settings)
    items = [models] if isinstance(models, str | ModelSpec | Model) else list(models)
    given = [m if isinstance(m, Model) else resolve_spec(m, options.temperature, options.max_tokens) for m in items]
    return await run_pair(games, LocalPlayers(given), options, on_episode=on_episode, on_start=on_start)


async def run_pair(
    games: str | Sequence[str],
    players: Players,
    options: RunOptions | None = None,
    *,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    **settings: Any,
) -> RunSummary:
    """`arun` with the players given: in this process (LocalPlayers) or elsewhere (a sweep's Ray actors).
    The episodes written are put in the score cache as the run goes (see `parlour.scoring.cache_filler`)."""
    filler = ScoreCacheFiller()
    summary = await pair_run.run_pair(
        games, players, RunOptions.of(options, **settings), on_episode, on_start, on_written=filler.add
    )
    filler.fill()
    return summary


def run(
    games: str | Sequence[str],
    models: ModelLike | Sequence[ModelLike],
    options: RunOptions | None = None,
    *,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    **settings: Any,
) -> RunSummary:
    """Play `games` ("all", names) with one model (self-play) or a pair, write clembench-layout records
    under `results/<pair>/` and score them. Models are registry names, `ModelSpec`s or loaded `Model`s.

    The settings are `RunOptions`' fields, given as an object or by name (`results="results"`, `limit=2`,
    `instances=`, `experiments=`, `concurrency=`, `temperature=`, `max_tokens=`).
    Rerunning resumes: complete episodes are kept, the rest replayed. Refuses (ParlourError) a folder that
    another spec of the same model name or other instances produced, and one another run is writing to.
    `on_episode` is called as each episode ends, `on_start` with the pair's folder name and episode count.
    """
    return asyncio.run(arun(games, models, options, on_episode=on_episode, on_start=on_start, **settings))


def evaluate(results: str | Path, n_boot: int = 1000) -> pd.DataFrame:
    """Aggregate every scored episode under `results` into clembench's results table (index: pair folder;
    columns `-, clemscore`, `all, Average % Played`, ... `<game>, Quality Score (std)`), writing raw.csv,
    results.csv and results_ci.csv beside them as `parlour eval` does."""
    from parlour.scoring.evaluate import evaluate as evaluate_folder

    return evaluate_folder(Path(results), n_boot=n_boot).results
