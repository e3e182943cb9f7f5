"""Benchmark: `parlour score` and `parlour eval` on a large results tree (default 100,000 episodes).

The tree is built from real parlour episodes: every game's first instances are played by the programmatic
players (policies oracle, breaker and wrong, so that wins, losses and aborts all occur), then copied into
many pair folders, each episode drawn at random from the seeds of its game and experiment. It is built once
under --tree and reused. Each variant then runs as a user would run it (a `python -m parlour` process)
on the same tree: `score` with no scores.json (nor score cache) present, `score` again (every scores.json
already right), `eval`, then `score` and `eval` once more (the score cache complete, as after a run that
filled it). Variants, all on every core: this checkout with the score cache off (PARLOUR_NO_SCORE_CACHE=1,
the code path without it), this checkout with the cache, and, with --baseline-src, another checkout's
sources; --one-process adds this checkout with `--jobs 1`, cache off and on.

    python bench/scoring.py [--episodes 100000] [--tree /tmp/parlour-bench-scoring] [--baseline-src DIR]
                            [--one-process]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import parlour
from parlour import store
from parlour.games.registry import game_names
from parlour.models.registry import lookup
from parlour.scoring.cache import CACHE_FILE, DISABLE_ENV
from parlour.scoring.episodes import default_workers, walk_episodes

SRC = Path(__file__).resolve().parents[1] / "src"
POLICIES = ("oracle", "breaker", "wrong")
SEED_FILES = (store.INSTANCE, store.INTERACTIONS, store.REQUESTS)
Seeds = dict[tuple[str, str], list[dict[str, bytes]]]  # (game, experiment folder) -> episodes' files


async def _play_seeds(seed_dir: Path, per_experiment: int) -> None:
    for policy in POLICIES:
        spec = lookup(f"programmatic:{policy}").model_copy(update={"name": f"seed-{policy}"})
        # failed episodes are simply left out
        await parlour.arun("all", spec, results=seed_dir, limit=per_experiment, concurrency=32)


def _read_seeds(seed_dir: Path) -> tuple[Seeds, dict[tuple[str, str], tuple[str, bytes]]]:
    seeds: Seeds = {}
    experiment_files: dict[tuple[str, str], tuple[str, bytes]] = {}
    for ep in walk_episodes(seed_dir):
        if not (ep.path / store.SCORES).is_file():  # failed episodes are left out
            continue
        key = (ep.game, ep.experiment)
        seeds.setdefault(key, []).append({name: (ep.path / name).read_bytes() for name in SEED_FILES})
        [exp_file] = ep.path.parent.glob("experiment_*.json")
        experiment_files[key] = (exp_file.name, exp_file.read_bytes())
    return seeds, experiment_files


def build_tree(tree: Path, episodes: int, pairs: int) -> None:
    """Play the seed episodes and copy them into `pairs` pair folders until `episodes` are written."""
    seed_dir = tree.with_name(tree.name + "-seeds")
    shutil.rmtree(seed_dir, ignore_errors=True)
    asyncio.run(_play_seeds(seed_dir, per_experiment=3))
    seeds, experiment_files = _read_seeds(seed_dir)
    per_cell = math.ceil(episodes / (pairs * len(seeds)))
    rng = random.Random(0)
    written = 0
    for p in range(pairs):
        pair = store.pair_name([f"bench-model-{p:02d}-t0.0"])
        for (game, experiment), candidates in sorted(seeds.items()):
            exp_dir = tree / pair / game / experiment
            exp_dir.mkdir(parents=True, exist_ok=True)
            exp_name, exp_bytes = experiment_files[game, experiment]
            (exp_dir / exp_name).write_bytes(exp_bytes)
            for n in range(min(per_cell, episodes - written)):
                episode_dir = exp_dir / f"episode_{n}"
                episode_dir.mkdir()
                for name, data in rng.choice(candidates).items():
                    (episode_dir / name).write_bytes(data)
                written += 1
    (tree / ".complete").write_text(f"{written}\n")
    games = sorted({g for g, _ in seeds})
    print(f"built {tree}: {written} episodes of {len(games)} games ({', '.join(games)}) in {pairs} pair folders")


def remove_scores(tree: Path) -> None:
    """Every scores.json and score cache file."""
    for ep in walk_episodes(tree):
        (ep.path / store.SCORES).unlink(missing_ok=True)
    for path in tree.glob(f"*/*/*/{CACHE_FILE}"):
        path.unlink()


@dataclass
class Timing:
    wall: float
    cpu: float  # user + system seconds of the command and its worker processes


@dataclass
class Variant:
    name: str
    src: Path
    jobs: list[str]
    cache: bool = True


def timed_cli(src: Path, args: list[str], cache: bool = True) -> Timing:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop(DISABLE_ENV, None)
    if not cache:
        env[DISABLE_ENV] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "parlour", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"parlour {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def run_variant(variant: Variant, tree: Path) -> dict[str, Timing]:
    """score with no scores.json present, score again (nothing to change), eval; then both again."""
    remove_scores(tree)
    score = ["score", "-r", str(tree), *variant.jobs]
    evaluate = ["eval", "-r", str(tree), *variant.jobs]
    steps = {"score": score, "rescore": score, "eval": evaluate, "rescore2": score, "eval2": evaluate}
    return {step: timed_cli(variant.src, args, variant.cache) for step, args in steps.items()}


TOTALS = {"rescore+eval": ("rescore", "eval"), "again": ("rescore2", "eval2")}


def total(timings: dict[str, Timing], steps: tuple[str, str]) -> float:
    return sum(timings[step].wall for step in steps)


def report(n: int, rows: list[tuple[str, dict[str, Timing]]], load: float) -> None:
    print(f"{n} episodes, games: {', '.join(game_names())}; files warm in the page cache; {os.cpu_count()} cores")
    print(f"load average before: {load:.1f} (wall times grow with other work on the machine)")
    print(f"{'variant':<36} {'step':<8} {'wall s':>7} {'cpu s':>7} {'episodes/s':>10}")
    for name, timings in rows:
        for step, t in timings.items():
            print(f"{name:<36} {step:<8} {t.wall:>7.2f} {t.cpu:>7.2f} {n / t.wall:>10.0f}")
        for label, steps in TOTALS.items():
            seconds = total(timings, steps)
            print(f"{name:<36} {label:<8} {seconds:>7.2f} {'':>7} {n / seconds:>10.0f}")
    print("score: no scores.json yet; rescore: every scores.json already right (what `parlour score` on a run")
    print("that was scored as it played does); eval: raw.csv, results.csv and results_ci.csv (1000 resamples);")
    print("rescore2, eval2: the same again, the score cache now complete (as after a run that filled it);")
    print("again = rescore2 + eval2")
    base_name, base = rows[0]
    for name, timings in rows[1:]:
        ratios = ", ".join(f"{step} {base[step].wall / timings[step].wall:.2f}x" for step in timings)
        totals = ", ".join(f"{label} {total(base, s) / total(timings, s):.2f}x" for label, s in TOTALS.items())
        print(f"speed-up of '{name}' over '{base_name}' (wall): {ratios}; {totals}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=10, help="pair folders the episodes are spread over")
    parser.add_argument("--tree", type=Path, default=Path("/tmp/parlour-bench-scoring"))
    parser.add_argument("--baseline-src", type=Path, help="a src/ folder of other parlour code to compare with")
    parser.add_argument("--rebuild", action="store_true", help="build the tree again even if it exists")
    parser.add_argument("--one-process", action="store_true", help="also time `--jobs 1`, cache off and on")
    args = parser.parse_args()
    marker = args.tree / ".complete"
    if args.rebuild or not marker.is_file() or int(marker.read_text()) != args.episodes:
        shutil.rmtree(args.tree, ignore_errors=True)
        build_tree(args.tree, args.episodes, args.pairs)
    n = int(marker.read_text())
    cores = default_workers()
    variants = [
        Variant(f"no score cache, {cores} processes", SRC, [], cache=False),
        Variant(f"score cache, {cores} processes", SRC, []),
    ]
    if args.one_process:
        one = ["--jobs", "1"]
        variants += [
            Variant("no score cache, 1 process", SRC, one, cache=False),
            Variant("score cache, 1 process", SRC, one),
        ]
    if args.baseline_src:
        variants.insert(0, Variant(f"baseline {args.baseline_src}", args.baseline_src, []))
    load = os.getloadavg()[0]
    rows = [(variant.name, run_variant(variant, args.tree)) for variant in variants]
    report(n, rows, load)


if __name__ == "__main__":
    main()
