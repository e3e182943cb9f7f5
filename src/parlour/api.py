"""parlour as a library: everything the `parlour` command does, as functions (each command of
`parlour.cli` is a thin shell over one of them; the analyses are in `parlour.analyze`). A facade: the work is
done by the packages (the runner plays, scoring aggregates, report writes), imported as each function runs.

import parlour
summary = parlour.run(["taboo"], ["smollm2-135m"], results="results", limit=2)
table = parlour.evaluate("results")      # clembench's results table as a DataFrame
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from parlour.chat import Model
from parlour.models.registry import lookup, with_model_args
from parlour.models.spec import ModelSpec
from parlour.runner.episodes import RunSummary
from parlour.runner.options import RunOptions
from parlour.runner.pair import OnEpisode, OnStart
from parlour.runner.players import LocalPlayers, Players
from parlour.scoring.cache_filler import ScoreCacheFiller

if TYPE_CHECKING:
    import pandas as pd

    from parlour.games.registry import GameSpec
    from parlour.models.doctor import ModelDiagnosis, ResultsDiagnosis
    from parlour.models.weights.quantize import QuantizeReport
    from parlour.report.site import SiteSummary
    from parlour.scoring.evaluate import Evaluation
    from parlour.scoring.rescore import ScoringReport
    from parlour.sweep.run import SweepSummary

ModelLike = str | ModelSpec | Model

__all__ = [
    "ModelLike", "OnEpisode", "OnStart", "RunOptions", "arun", "evaluate", "evaluation", "games", "generate", "models",
    "plan", "quantize", "rebuild_tables", "report", "run", "run_pair", "score", "sweep", "diagnose", "diagnose_results",
]  # fmt: skip


def resolve_spec(
    model: str | ModelSpec, temperature: float | None, max_tokens: int | None, model_args: dict[str, Any] | None = None
) -> ModelSpec:
    """A registry name or a spec, with the run's model arguments and temperature / max_tokens applied."""
    spec = lookup(model) if isinstance(model, str) else model
    return with_model_args(spec, model_args or {}).with_generation(temperature, max_tokens)


def plan(games: str | Sequence[str], pair: str, options: RunOptions | None = None, **settings: Any) -> list[Any]:
    """The episodes a run of `games` for `pair` consists of, in clembench's order (settings as for `run`):
    parlour's EpisodeTasks for clembench 1.6, clemcore's episodes for 2.0."""
    from parlour.clembench.run import plan_benchmark

    return plan_benchmark(games, pair, RunOptions.of(options, **settings))


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
    given = [
        m if isinstance(m, Model) else resolve_spec(m, options.temperature, options.max_tokens, options.model_args)
        for m in items
    ]
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
    """`arun` with the players given: in this process (LocalPlayers) or elsewhere (a sweep's Ray actors;
    clembench 1.6 only). The episodes written are put in the score cache as the run goes (see
    `parlour.scoring.cache_filler`)."""
    from parlour.clembench.run import run_benchmark

    filler = ScoreCacheFiller()
    summary = await run_benchmark(
        games, players, RunOptions.of(options, **settings), on_episode, on_start, on_written=filler.add
    )
    filler.finish()
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
    return evaluation(results, n_boot=n_boot).results


def evaluation(results: str | Path, n_boot: int = 1000, workers: int | None = None) -> Evaluation:
    """`evaluate` in full: the raw table, the results table, the confidence intervals and what was not
    counted (episodes without scores, unreadable scores.json, episodes outside the recorded plan)."""
    from parlour.scoring.evaluate import evaluate as evaluate_folder

    return evaluate_folder(Path(results), n_boot=n_boot, workers=workers)


def score(results: str | Path, game: str | None = None, workers: int | None = None) -> ScoringReport:
    """(Re)compute scores.json for every episode under `results` (parlour's or an official clembench run),
    with `workers` processes (default: every core); failures are collected in the report, not raised."""
    from parlour.scoring.rescore import score_results

    return score_results(Path(results), game, workers=workers)


def report(
    results: Sequence[str | Path],
    out: str | Path,
    characteristics: Sequence[str | Path] = (),
    n_boot: int = 1000,
    seed: int = 0,
    transcripts: bool = True,
    compare: str | None = None,
) -> SiteSummary:
    """Write the static HTML report of results folders or tables into `out`: leaderboard with intervals,
    figures, model pages, the transcript browser, and the models placed on the official table `compare`
    (default, None: the leaderboard of the clembench version the results played, official:v1.6 when they
    mix versions or nothing says; "none" to leave it out)."""
    from parlour.report.site import build_site

    return build_site(
        [Path(r) for r in results], Path(out), [Path(c) for c in characteristics],
        n_boot=n_boot, seed=seed, transcripts=transcripts, compare=compare,
    )  # fmt: skip


def sweep(
    sweep_file: str | Path,
    results: str | Path = "results",
    executor: Literal["local", "ray"] = "local",
    address: str | None = None,
    limit: int | None = None,
    n_boot: int = 1000,
    *,
    on_episode: OnEpisode | None = None,
    on_start: OnStart | None = None,
    on_total: Callable[[int], None] | None = None,
) -> SweepSummary:
    """Run a whole study from its sweep file: every pair (one after another in this process, or side by
    side on Ray actors with executor="ray"), then eval, the analyses it asks for and the report. Resumes.
    Every model is checked before the first episode (local executor): a pair whose models lack something
    here (a package, a key, weights, a server) is reported as not run, with the fix, and the others go on."""
    from parlour.data.benchmarks import CLEMBENCH_2_0
    from parlour.errors import ParlourError
    from parlour.sweep.file import read_sweep
    from parlour.sweep.run import finish_sweep, play_sweep

    if executor not in ("local", "ray"):
        raise ParlourError(f"--executor must be local or ray, not '{executor}'")
    study = read_sweep(Path(sweep_file))
    if executor == "ray" and study.benchmark == CLEMBENCH_2_0:  # refused before Ray starts
        raise ParlourError(
            f"{sweep_file}: {study.benchmark} sweeps run on the local executor (clemcore's games call the models "
            "in this process)"
        )
    if executor == "local":
        make_players: Callable[[list[ModelSpec]], Players] = LocalPlayers
    else:
        from parlour.sweep.ray_executor import RayPlayers, connect

        connect(address)
        make_players = RayPlayers
    summary = asyncio.run(
        play_sweep(
            study,
            Path(results),
            make_players,
            executor == "ray",
            limit,
            on_episode=on_episode,
            on_start=on_start,
            on_total=on_total,
            check_here=executor == "local",  # Ray actors' nodes hold the packages, keys and weights
        )  # fmt: skip
    )
    return finish_sweep(study, Path(results), summary, n_boot=n_boot)


@dataclass
class GameInfo:
    """A game as `parlour games` lists it, with its default (shipped) instances."""

    name: str
    players: int
    experiments: list[str]
    episodes: int
    description: str


def games() -> list[GameInfo]:
    """The games parlour plays, with their default instances' experiments and episode counts."""
    from parlour.games.instances import load_instances
    from parlour.games.registry import game_names, get_game

    listed = []
    for name in game_names():
        game = get_game(name)
        data = load_instances(game.default_instances)
        listed.append(
            GameInfo(
                name=name,
                players=1 if game.single_player else 2,
                experiments=[e["name"] for e in data["experiments"]],
                episodes=sum(len(e["game_instances"]) for e in data["experiments"]),
                description=game.description,
            )
        )
    return listed


@dataclass
class ModelListing:
    """The registered models, each with whether its weights are here, and the registry files read."""

    models: list[tuple[ModelSpec, str]]
    registry_files: list[Path]


def models() -> ModelListing:
    """Every registered model (built-in and the user's models.yaml files, first match winning), with the
    sha256 of its weight files where they are here (so its hash is the one a run records)."""
    from parlour.models.registry import known_models, registry_files
    from parlour.models.weights.resolve import weights_status, with_weights_digest

    listing = [(with_weights_digest(spec), weights_status(spec)) for spec in known_models()]
    return ModelListing(listing, list(registry_files()))


def generate(game: str, out: str | Path | None = None, seed: int | None = None) -> dict[str, Any]:
    """A game's instances from parlour's seeded generator (the shipped ones with the default seed), written to
    `out` as instances.json when given."""
    from parlour.games.instances import instances_json

    spec = _generating_game(game)
    data = spec.generator() if seed is None else spec.generator(seed=seed)
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(instances_json(data), encoding="utf-8")
    return data


def rebuild_tables(game: str) -> list[Path]:
    """Rebuild the word tables a game's generator draws from (needs the `generate` extra); the files written."""
    from parlour.errors import ParlourError

    spec = _generating_game(game)
    if spec.rebuild_tables is None:
        raise ParlourError(f"game {game} has no word tables to rebuild")
    return spec.rebuild_tables()


def _generating_game(game: str) -> GameSpec:
    from parlour.errors import ParlourError
    from parlour.games.registry import get_game

    spec = get_game(game)
    if spec.generator is None:
        raise ParlourError(f"game {game} has no instance generator")
    return spec


def quantize(
    source: str | Path,
    qtype: str,
    output: str | Path,
    allow_requantize: bool = False,
    register: str | None = None,
    registry: str | Path = "models.yaml",
) -> QuantizeReport:
    """Derive another quantization level of a GGUF file, or of a registered GGUF model's weights, with
    llama.cpp's quantizer (an already-quantized source only with `allow_requantize`); with `register`, also
    add (or replace) a registry entry of that name in `registry`."""
    from parlour.errors import ParlourError
    from parlour.models.weights.quantize import quantize_gguf, registry_entry
    from parlour.models.weights.resolve import resolve_weights

    base = None
    path = Path(source).expanduser()
    if not path.is_file():
        if path.suffix == ".gguf":
            raise ParlourError(f"quantize: source {path} does not exist")
        base = lookup(str(source))  # a registered model's weights
        if not base.weights:
            raise ParlourError(f"quantize: model {source} has no local weights")
        path = resolve_weights(base.weights, base.name)
    report = quantize_gguf(path, Path(output), qtype, allow_requantize=allow_requantize)
    if register:
        _add_registry_entry(Path(registry), registry_entry(report, register, base))
    return report


def _add_registry_entry(registry: Path, entry: dict[str, Any]) -> None:
    """Add (or replace, by name) one entry in a user registry file such as ./models.yaml."""
    import yaml

    from parlour.errors import ParlourError
    from parlour.textfiles import read_yaml

    data: dict[str, Any] = {"models": []}
    if registry.is_file():
        loaded = read_yaml(registry, ParlourError, "model registry") or {}
        if not isinstance(loaded, dict) or not isinstance(loaded.get("models", []), list):
            raise ParlourError(f"{registry}: a model registry needs a top-level `models:` list")
        data = {**loaded, "models": list(loaded.get("models") or [])}
    data["models"] = [m for m in data["models"] if not (isinstance(m, dict) and m.get("name") == entry["name"])]
    data["models"].append(entry)
    tmp = registry.with_name(registry.name + ".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(registry)


def diagnose(model: str, generate: bool = True, max_tokens: int | None = None) -> ModelDiagnosis:
    """How a registered model's chat template frames turns (the exact prompt, stop tokens, injected system
    prompts) and, with `generate`, one reply checked for turn-taking faults."""
    from parlour.models.doctor import diagnose_model
    from parlour.models.loader import load_model

    backend = load_model(lookup(model).with_generation(max_tokens=max_tokens))

    async def diagnosed() -> ModelDiagnosis:
        try:
            return await diagnose_model(backend, generate=generate)
        finally:
            await backend.aclose()

    return asyncio.run(diagnosed())


def diagnose_results(results: str | Path) -> ResultsDiagnosis:
    """Every reply in a results folder checked for turn-taking faults, counted per model."""
    from parlour.models.doctor import diagnose_results as diagnose_folder

    return diagnose_folder(Path(results))
