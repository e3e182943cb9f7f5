"""Running a sweep: every pair through the runner of its benchmark (`clembench.run.run_benchmark`: parlour's
games for clembench 1.6, filling the score cache as it goes; clemcore's for 2.0), then eval, the analyses and
the report.

The results folder is written by this process only, whichever executor plays: `local` plays in this
process, one pair after another (local engines would compete for the same cores); `ray` plays on Ray
actors and runs the pairs side by side. Resume is `run`'s: a rerun skips complete episodes, and a
changed sweep (one more model) plays only what is new.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from parlour import store
from parlour.analysis.registry import run_analysis
from parlour.clembench.run import plan_benchmark, run_benchmark
from parlour.data.benchmarks import CLEMBENCH_2_0
from parlour.errors import ParlourError
from parlour.games.registry import select_games
from parlour.models.preflight import Missing, preflight
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.runner.episodes import FAILED, RunSummary
from parlour.runner.options import RunOptions
from parlour.runner.pair import OnEpisode
from parlour.runner.players import LocalPlayers, Players
from parlour.scoring.cache_filler import ScoreCacheFiller
from parlour.sweep.file import SweepFile, expand_models
from parlour.sweep.prepare import make_quantizations, missing_quantizations, served

log = logging.getLogger("parlour")

PlayersFactory = Callable[[list[ModelSpec]], Players]


@dataclass
class PairPlan:
    """One pair of specs (one spec twice for self-play) and the games it plays."""

    specs: list[ModelSpec]
    games: list[str]

    @property
    def label(self) -> str:
        return " vs ".join(s.name for s in self.specs) if len(self.specs) == 2 else self.specs[0].name


@dataclass
class SweepSummary:
    pairs: list[tuple[PairPlan, RunSummary | None, str | None]] = field(default_factory=list)  # (plan, run, error)
    analyses: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    report: Path | None = None

    @property
    def failed_pairs(self) -> list[tuple[PairPlan, str]]:
        return [(plan, error) for plan, _, error in self.pairs if error is not None]

    @property
    def failed_episodes(self) -> int:
        return sum(run.count(FAILED) for _, run, _ in self.pairs if run is not None)


def plan_pairs(sweep: SweepFile) -> list[PairPlan]:
    """Self-play for every spec; with `cross`, also every ordered pair of distinct specs on the 2-player games."""
    specs = expand_models(sweep)
    games, two_player = _games(sweep)
    plans = [PairPlan([spec], games) for spec in specs]
    if sweep.cross and two_player:
        plans += [PairPlan([a, b], two_player) for a, b in itertools.permutations(specs, 2)]
    return plans


def _games(sweep: SweepFile) -> tuple[list[str], list[str]]:
    """The names of the sweep's games, and of those among them that two players play."""
    if sweep.benchmark == CLEMBENCH_2_0:
        from parlour.clembench.run import selected

        _, specs = selected(sweep.games, _options(sweep))
        names = [spec.game_name for spec in specs]
        return names, [spec.game_name for spec in specs if int(getattr(spec, "players", 2)) > 1]
    games = select_games(sweep.games)
    return [g.name for g in games], [g.name for g in games if not g.single_player]


def _pair_folder(pair: PairPlan) -> str:
    return store.pair_name([spec.player_folder_name() for spec in pair.specs])


def _options(sweep: SweepFile, results: Path = Path("results"), limit: int | None = None) -> RunOptions:
    """A pair's run settings: the sweep file's, with the command line's results folder and limit."""
    return RunOptions(
        results=results, instances=sweep.instances, experiments=sweep.experiments, limit=limit,
        concurrency=sweep.concurrency, benchmark=sweep.benchmark, games_dir=sweep.games_dir,
    )  # fmt: skip


async def _play_pair(
    plan: PairPlan, sweep: SweepFile, results: Path, limit: int | None, players: Players, on_episode: OnEpisode | None,
    on_start: Callable[[str, int], None] | None,
) -> tuple[PairPlan, RunSummary | None, str | None]:  # fmt: skip
    try:
        filler = ScoreCacheFiller()
        options = _options(sweep, results, limit)
        run = await run_benchmark(plan.games, players, options, on_episode, on_start, on_written=filler.add)
        filler.finish()
    except ParlourError as exc:  # this pair cannot run (missing weights, changed spec...): the others go on
        return plan, None, str(exc)
    return plan, run, None


async def play_sweep(
    sweep: SweepFile,
    results: Path,
    make_players: PlayersFactory = LocalPlayers,
    parallel_pairs: bool = False,
    limit: int | None = None,
    on_episode: OnEpisode | None = None,
    on_start: Callable[[str, int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    check_here: bool = True,
) -> SweepSummary:
    """Play every pair of the sweep; `limit` (the command line's) overrides the file's. With `check_here`
    (the local executor), every model is checked before the first episode: what some lack is logged in one
    block with the commands that install it, their pairs are reported as not run, and the others play."""
    plans = plan_pairs(sweep)
    missing = missing_here(sweep, plans) if check_here else {}
    if missing:
        lines = [m.line() for found in missing.values() for m in found]
        log.warning("\n  ".join(["not run, as this machine lacks (what to do in brackets):", *lines]))
    not_run = [(p, None, _not_run(p, missing)) for p in plans if any(s.name in missing for s in p.specs)]
    plans = [p for p in plans if not any(s.name in missing for s in p.specs)]
    ready = [s for s in expand_models(sweep) if s.name not in missing]
    if sweep.quantize_from:
        make_quantizations(ready, sweep.quantize_from)
    limit = limit or sweep.limit
    if on_total is not None:  # before any pair starts, so that an overall ETA counts every pair
        on_total(sum(len(plan_benchmark(p.games, _pair_folder(p), _options(sweep, results, limit))) for p in plans))
    serve = {server: source for server, source in sweep.serve.items() if server not in missing}
    with served(serve, ready):
        # the pairs' coroutines are made once their servers run: a bad `serve:` entry leaves none unawaited
        jobs = [
            _play_pair(plan, sweep, results, limit, make_players(plan.specs), on_episode, on_start) for plan in plans
        ]
        if parallel_pairs:
            done = await asyncio.gather(*jobs)
        else:
            done = [await job for job in jobs]
    return SweepSummary(pairs=[*done, *not_run])


def missing_here(sweep: SweepFile, plans: list[PairPlan]) -> dict[str, list[Missing]]:
    """What each of the sweep's models lacks on this machine (only those lacking something), in one pass
    before anything is made or played. A file that quantize_from makes, or a server that serve: starts,
    needs what makes it instead (the source model's weights, the server's packages)."""
    specs = {s.name: s for p in plans for s in p.specs}
    to_make = {s.name for s in missing_quantizations(list(specs.values()))} if sweep.quantize_from else set()
    sources = {name: sweep.quantize_from for name in to_make}
    sources.update({name: source for name, source in sweep.serve.items() if name in specs})
    missing: dict[str, list[Missing]] = {}
    for name, spec in specs.items():
        found = preflight(spec, weights_made=name in to_make, served=name in sweep.serve)
        source = sources.get(name)
        if source is not None:  # the model whose weights it is made or served from
            found += [Missing(name, f"made from {m.model}: {m.problem}", m.fix) for m in preflight(lookup(source))]
        if found:
            missing[name] = found
    return missing


def _not_run(plan: PairPlan, missing: dict[str, list[Missing]]) -> str:
    lacking = [m.line() for spec in plan.specs for m in missing.get(spec.name, [])]
    return "not run: " + "; ".join(dict.fromkeys(lacking))


def finish_sweep(sweep: SweepFile, results: Path, summary: SweepSummary, n_boot: int = 1000) -> SweepSummary:
    """eval, the analyses the file asks for (CSV under results/analysis/) and the report (results/report/).
    An analysis that cannot run on these models (too few sizes for a regression, say) is a warning."""
    from parlour.scoring.evaluate import evaluate

    evaluate(results, n_boot=n_boot)
    folder = results / "analysis"
    for name in sweep.analyses:
        try:
            outcome = run_analysis(name, [results])
        except ParlourError as exc:
            summary.warnings.append(f"analysis {name}: {exc}")
            continue
        store.write_csv(outcome.table, folder / f"{name}.csv", results, index=False)
        reason = outcome.empty_reason()
        if reason:
            summary.warnings.append(f"analysis {name}: {name}.csv has no rows: {reason}")
        summary.analyses[name] = folder / f"{name}.csv"
    if sweep.report:
        from parlour.report.site import build_site

        build_site([results], results / "report", n_boot=n_boot)
        summary.report = results / "report" / "index.html"
    return summary
