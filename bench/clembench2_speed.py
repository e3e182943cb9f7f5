"""Benchmark: clembench 2.0 played by parlour (episodes in flight) against `clem run` (clemcore's own
command, one episode after another), on the same model and machine; prints both times and the ratio.

`--part loopback` (the default): a loopback OpenAI-compatible server adds 1 s to every request; parlour at
32 in flight against `clem run` with clemcore's OpenAI-compatible backend (model_registry.json and
key.json in its working folder, as its users write them). Both play the same episodes (default: taboo's
experiment high_en, 20 episodes; `--experiment all` for all of the game's).

`--part gguf`: the default model (SmolLM2-135M-Instruct Q4_1 GGUF) on this machine's CPUs, parlour's
`run --benchmark clembench-2.0 -m smollm2-135m` (continuous batching) against `clem run` with clemcore's
own llama.cpp backend. One thing of clemcore's is worked around: its backend loads weights only through
`Llama.from_pretrained(huggingface_id, filename)`, which asks the Hugging Face hub for the repository's
file list, and no machine here reaches the hub. The `clem run` child process (this file run with
`--clem-child`) replaces `llama_cpp.Llama.from_pretrained` by a function that opens parlour's local GGUF
with the keyword arguments clemcore passes (n_ctx=0, n_gpu_layers, verbose), then calls clemcore's own CLI
entry. The model is registered for clemcore in a model_registry.json in its working folder (the GGUF's own
chat template, temperature 0 and parlour's max tokens given as `-t` / `-l`); chat formatting, generation
and the sequential runner are clemcore's. parlour's episodes may use the model's whole context, as
clemcore's n_ctx=0 gives them (not the batched engine's default 4096 tokens per sequence); `--threads 1`
gives llama.cpp one thread, as llama-cpp-python gives clemcore's generation on 2 cores (half the cores;
parlour's default, all cores, slows down several times over when others share them). Both play the same
episodes: the first `--limit` instances of each experiment (default 1) of the chosen games (default all
14), from trimmed instance files in a temporary copy of the games folder. Times: `clem run` once for all
the games (per game from its run.json); parlour once per game and once for all the games together (what
a user runs). Also printed, not asserted: how many of the episodes both recorded have identical turns, and
how many tokens went through the model on each side (prompt tokens evaluated, prefixes reused aside, and
generated tokens; `bench/llamacpp_steps.py` gives what each costs).

Two times each: the whole command (imports, loading the model and the games included) and the episodes
alone (clemcore's run.json, parlour's summary or run.json). Needs the `clem` extra and a clembench games
folder (PARLOUR_CLEMBENCH_GAMES or --games-dir).

    python bench/clembench2_speed.py [--game taboo --experiment high_en|all]
    python bench/clembench2_speed.py --part gguf [--games taboo wordle] [--limit 1] [--threads 1 0]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import parlour
from parlour.clembench import nltk_data
from parlour.clembench.games import games_folder, instances_file, require_clemcore, select
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import resolve_weights
from parlour.report.transcripts import find_episodes, load_episode
from parlour.testing.latency_server import LatencyServer

DEFAULT_MODEL = "smollm2-135m"
CHILD_FLAG = "--clem-child"  # this file as the `clem run` process of part gguf: GGUF path, then clem's arguments
TOKENS_FILE = "PARLOUR_BENCH_CLEM_TOKENS"  # where that child adds how many tokens its llama.cpp evaluated


def clem_run(
    folder: Path, games: Path, names: list[str], experiment: str, model: str, launcher: list[str] | None = None
) -> tuple[float, dict[str, Any]]:
    """Wall time of `clem run -g GAME [-e EXPERIMENT] -m MODEL` for each game in `folder` (its registries there), and
    each game's entry of its run.json (`duration_seconds`: the episodes, without imports and loading).
    `launcher` runs clemcore's CLI in another way than its `clem` script (part gguf's child process)."""
    only = ["-e", experiment] if experiment != "all" else []
    env = {**os.environ, "CLEMBENCH_HOME": str(games), "TQDM_DISABLE": "1"}
    elapsed = 0.0
    for name in names:  # clemcore 3.3's `-g` takes one game; each run adds its game to the same run.json
        arguments = ["run", "-g", name, *only, "-m", model, "-t", "0.0", "-l", str(lookup(DEFAULT_MODEL).max_tokens),
                     "-r", str(folder / "results")]  # fmt: skip
        command = [*(launcher or [str(Path(sys.executable).with_name("clem"))]), *arguments]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
        elapsed += time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"clem run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, clem_games_run(folder)


def clem_games_run(folder: Path) -> dict[str, Any]:
    """The games of the run.json `clem run` wrote under `folder`/results."""
    (run_file,) = (folder / "results").glob("*/run.json")
    return json.loads(run_file.read_text())["games"]


def parlour_run(model: str | ModelSpec, games: Path, game: str, experiment: str, results: Path, n: int) -> tuple:
    started = time.perf_counter()
    experiments = None if experiment == "all" else [experiment]
    summary = parlour.run(game, model, results=results, experiments=experiments, concurrency=n,
                          temperature=0.0, max_tokens=100, benchmark="clembench-2.0", games_dir=games)  # fmt: skip
    return time.perf_counter() - started, summary.duration_s, summary.total


def part_loopback(work: Path, games: Path, game: str, experiment: str) -> tuple:
    server = LatencyServer(1.0).start()
    try:
        entry = {"model_name": "remote", "backend": "openai_compatible", "model_id": "remote"}
        (work / "model_registry.json").write_text(json.dumps([entry]))
        (work / "key.json").write_text(json.dumps({"openai_compatible": {"api_key": "x", "base_url": server.base_url}}))
        clem_s, clem_play = clem_run(work, games, [game], experiment, "remote")
        spec = ModelSpec(name="remote", backend="openai_compatible", base_url=server.base_url, concurrency=32)
        return (
            clem_s,
            clem_play[game]["duration_seconds"],
            *parlour_run(spec, games, game, experiment, work / "parlour", 32),
        )
    finally:
        server.stop()


def clem_child(gguf: str, arguments: list[str]) -> None:
    """clemcore's CLI (`clem ARGUMENTS`) in this process, its llama.cpp backend opening the local `gguf`
    where it would ask the Hugging Face hub for the file: the only change to clemcore's path."""
    import llama_cpp
    from clemcore import cli

    def from_local_file(cls: type, repo_id: str, filename: str | None, **kwargs: Any) -> Any:
        # clemcore passes n_ctx=0, n_gpu_layers and verbose: they reach the Llama unchanged
        return cls(model_path=gguf, **kwargs)

    llama_cpp.Llama.from_pretrained = classmethod(from_local_file)
    evaluate, counted = llama_cpp.Llama.eval, {"prompt": 0, "generated": 0}

    def counting(self: Any, tokens: Any) -> None:
        # llama-cpp-python evaluates what a prompt does not share with the previous one in one call (counted
        # as prompt tokens when more than one), then each token it generates alone
        counted["prompt" if len(tokens) > 1 else "generated"] += len(tokens)
        evaluate(self, tokens)

    llama_cpp.Llama.eval = counting
    sys.argv = ["clem", *arguments]
    try:
        cli.main()
    finally:
        with open(os.environ[TOKENS_FILE], "a", encoding="utf-8") as out:
            out.write(json.dumps(counted) + "\n")


def clem_registry_entry(gguf: Path) -> dict[str, Any]:
    """The default model for clemcore's llama.cpp backend, as its model_registry.json entries read: the
    GGUF's own chat template, SmolLM2's end-of-turn token culled from replies."""
    return {
        "model_name": DEFAULT_MODEL,
        "backend": "llamacpp",
        "huggingface_id": "(not contacted: the bench opens the local file)",
        "model_config": {"filename": gguf.name, "premade_chat_template": True, "eos_to_cull": "<\\|im_end\\|>"},
    }


def trimmed_games(games: Path, names: list[str], limit: int, into: Path) -> tuple[Path, list[str]]:
    """A copy of the games folder whose instance files keep the first `limit` instances of each
    experiment (the games folder itself is left alone), and the selected games' names."""
    copy = into / "games"
    shutil.copytree(games, copy, ignore=shutil.ignore_patterns("__pycache__"))
    specs = select(copy, names)
    for spec in specs:
        path = instances_file(spec)
        data = json.loads(path.read_text(encoding="utf-8"))
        for experiment in data["experiments"]:
            experiment["game_instances"] = experiment["game_instances"][:limit]
        path.write_text(json.dumps(data), encoding="utf-8")
    return copy, [spec.game_name for spec in specs]


def parlour_command(
    work: Path, games: Path, names: list[str], results: Path, threads: int | None
) -> tuple[float, dict[str, Any]]:
    """`parlour run --benchmark clembench-2.0 -m smollm2-135m -g GAME...` (with `threads` for llama.cpp,
    else the registry's: all cores): wall time and its run.json entry (`duration_s`: the episodes). An
    episode whose game raised is recorded as failed and the command exits 1: the time still counts.
    Each episode may use the model's whole context, as clemcore's backend does (n_ctx=0: the GGUF's
    training context), not the batched engine's default 4096 tokens per sequence."""
    selected = [part for name in names for part in ("-g", name)]
    options = {"sequence_tokens": lookup(DEFAULT_MODEL).context_size, **({"n_threads": threads} if threads else {})}
    setting = ["-M", f"options={json.dumps(options)}"]
    command = [sys.executable, "-m", "parlour", "run", "--benchmark", "clembench-2.0", "-m", DEFAULT_MODEL,
               *setting, *selected, "--games-dir", str(games), "-r", str(results), "--no-progress"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    run_files = list(results.glob("*/run.json"))
    record = json.loads(run_files[0].read_text()) if run_files else {"runs": [{}], "models": [{}]}
    run = {**record["runs"][-1], "batching_stats": record["models"][0].get("batching_stats", {})}
    if done.returncode != 0 and not run.get("failed"):
        raise SystemExit(f"parlour run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, run


def turns(results: Path) -> dict[tuple[str, str, str], Any]:
    """Each recorded episode's turns (who sent what to whom), keyed by game, experiment and instance."""
    found = {}
    for ref in find_episodes(results):
        episode = load_episode(ref)
        found[(ref.game, ref.experiment, ref.episode)] = [
            [(m.sender, m.receiver, m.kind, m.text) for m in turn] for turn in episode.turns
        ]
    return found


def clem_side(folder: Path, games: Path, names: list[str]) -> float:
    """`clem run` of the games with clemcore's llama.cpp backend on the local GGUF, in `folder`: its time."""
    gguf = resolve_weights(lookup(DEFAULT_MODEL).weights, DEFAULT_MODEL)
    folder.mkdir()
    (folder / "model_registry.json").write_text(json.dumps([clem_registry_entry(gguf)]))
    launcher = [sys.executable, str(Path(__file__).resolve()), CHILD_FLAG, str(gguf)]
    os.environ[TOKENS_FILE] = str(folder / "tokens.jsonl")
    clem_s, _ = clem_run(folder, games, names, "all", DEFAULT_MODEL, launcher)
    print(f"clem run: {clem_s:.1f} s", flush=True)
    return clem_s


def parlour_side(work: Path, games: Path, names: list[str], threads: list[int]) -> tuple[dict, dict]:
    """parlour once per game (with the first thread setting) and once for all the games together (with
    each setting; 0 = the registry's): {game: times}, {setting: times} as parlour_command gives them."""
    per_game = {}
    for name in names:
        per_game[name] = parlour_command(work, games, [name], work / "per-game" / name, threads[0])
        print(f"parlour {name}: {per_game[name][0]:.1f} s", flush=True)
    whole = {}
    for setting in threads:
        whole[setting] = parlour_command(work, games, names, work / f"all-{setting}", setting)
        print(f"parlour, all games, n_threads {setting or 'default'}: {whole[setting][0]:.1f} s", flush=True)
    return per_game, whole


def report(work: Path, names: list[str], clem_s: float, per_game: dict, whole: dict, threads: list[int]) -> None:
    """The table: per game (episodes alone), then the whole run; episodes with identical turns."""
    clem_games, clem_turns = clem_games_run(work / "clem"), turns(work / "clem" / "results")
    print(f"{'game':40} {'episodes':>8} {'clem run s':>10} {'parlour s':>10} {'ratio':>6}")

    def row(label: str, count: int, theirs: float, mine: float) -> None:
        print(f"{label:40} {count:8d} {theirs:10.1f} {mine:10.1f} {theirs / mine:6.1f}")

    for name in names:
        theirs, (_, run) = clem_games[name]["duration_seconds"], per_game[name]
        if theirs < 1:  # every episode raised at its start, on both sides (see the docs)
            print(f"{name:40} {run['episodes']:8d} each raised at its start (clem run and parlour)")
            continue
        row(name, run["episodes"], theirs, run["duration_s"])
    clem_all = sum(game["duration_seconds"] for game in clem_games.values())
    episodes = whole[threads[0]][1]["episodes"]
    row(
        "per-game parlour runs summed (episodes)",
        episodes,
        clem_all,
        sum(v[1]["duration_s"] for v in per_game.values()),
    )
    for setting, (whole_s, run) in whole.items():
        label = f"all at once, n_threads {setting or 'default'}"
        row(label + " (episodes)", episodes, clem_all, run["duration_s"])
        row(label + " (command)", episodes, clem_s, whole_s)
        ours = turns(work / f"all-{setting}")
        both = [key for key, value in ours.items() if value and clem_turns.get(key)]
        same = sum(1 for key in both if clem_turns[key] == ours[key])
        print(f"  episodes with identical turns: {same} of the {len(both)} both recorded")
        stats = run["batching_stats"]
        print(f"  tokens through the model: parlour {stats['prompt_tokens_evaluated'] + stats['generated_tokens']}"
              f" ({stats['prompt_tokens_evaluated']} of {stats['prompt_tokens']} prompt tokens, the rest reused;"
              f" {stats['generated_tokens']} generated) in {stats['decode_calls']} decode calls")  # fmt: skip
    clem_tokens = [json.loads(line) for line in (work / "clem" / "tokens.jsonl").read_text().splitlines()]
    prompt, generated = (sum(c[kind] for c in clem_tokens) for kind in ("prompt", "generated"))
    print(f"  tokens through the model: clem run {prompt + generated} ({prompt} prompt tokens evaluated, the"
          f" prefix each prompt shares with the previous one reused; {generated} generated)")  # fmt: skip


def part_gguf(work: Path, games: Path, names: list[str], limit: int, threads: list[int]) -> None:
    games, names = trimmed_games(games, names, limit, work)
    load = os.getloadavg()
    clem_s = clem_side(work / "clem", games, names)
    per_game, whole = parlour_side(work, games, names, threads)
    load_after = os.getloadavg()
    print(f"default model {DEFAULT_MODEL}, first {limit} instance(s) of each experiment; load average "
          f"{load[0]:.2f} before, {load_after[0]:.2f} after (1 min); parlour per game with n_threads "
          f"{threads[0] or 'default'}")  # fmt: skip
    report(work, names, clem_s, per_game, whole, threads)


def main() -> None:
    if sys.argv[1:2] == [CHILD_FLAG]:
        clem_child(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["loopback", "gguf"], default="loopback")
    parser.add_argument("--game", default="taboo", help="loopback: the game")
    parser.add_argument("--experiment", default="high_en", help="loopback: an experiment of it, or all")
    parser.add_argument("--games", nargs="+", default=["all"], help="gguf: the games (default: all 14)")
    parser.add_argument("--limit", type=int, default=1, help="gguf: the first N instances of each experiment")
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[0],
        help="gguf: parlour's llama.cpp n_threads, one run of all games each (0: the registry's)",
    )
    parser.add_argument("--games-dir", type=Path, default=None)
    args = parser.parse_args()
    games = games_folder(args.games_dir)
    require_clemcore()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("NLTK_DATA", str(nltk_data.build(Path(tmp) / "nltk_data")))  # for clem run
        if args.part == "gguf":
            part_gguf(Path(tmp), games, args.games, args.limit, args.threads)
            return
        clem_s, clem_play_s, ours_s, ours_play_s, episodes = part_loopback(Path(tmp), games, args.game, args.experiment)
    print(f"{args.game}/{args.experiment}, {episodes} episodes, loopback endpoint with 1 s per request")
    print(f"{'':38} {'command s':>10} {'episodes s':>10}")
    print(f"{'clem run (one episode after another)':38} {clem_s:10.1f} {clem_play_s:10.1f}")
    print(f"{'parlour (episodes in flight)':38} {ours_s:10.1f} {ours_play_s:10.1f}")
    print(f"ratio: {clem_s / ours_s:.1f}x for the command, {clem_play_s / ours_play_s:.1f}x for the episodes")


if __name__ == "__main__":
    main()
