"""The clembench benchmark versions parlour knows: which games each one scores, its official leaderboard,
and which of them a results folder's pair played.

clembench 1.6 is played by parlour's own game masters (and rescored by its scorers); clembench 2.0 is
played and scored by clemcore's own code, so parlour reads its scores.json as clemcore wrote them. Several
2.0 games share a name with a 1.6 game (taboo, wordle, imagegame, ...) but not their rules, so a game
folder's name alone does not say which benchmark played it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from parlour import store
from parlour.data import table_version
from parlour.errors import ResultsError

CLEMBENCH_1_6 = "clembench-1.6"
CLEMBENCH_2_0 = "clembench-2.0"

#: the games whose scores make up each benchmark's clemscore (2.0: the text games whose clemgame.json
#: lists benchmark "2.0" at clembench a717f23)
GAMES: dict[str, tuple[str, ...]] = {
    CLEMBENCH_1_6: (
        "imagegame", "privateshared", "referencegame", "taboo", "wordle", "wordle_withclue", "wordle_withcritic",
    ),
    CLEMBENCH_2_0: (
        "adventuregame", "codenames", "guesswhat", "imagegame", "matchit_ascii", "privateshared", "referencegame",
        "taboo", "textmapworld", "textmapworld_graphreasoning", "textmapworld_specificroom", "wordle",
        "wordle_withclue", "wordle_withcritic",
    ),
}  # fmt: skip

#: each benchmark's official leaderboard (a table of parlour.data)
OFFICIAL_TABLE = {CLEMBENCH_1_6: "official:v1.6", CLEMBENCH_2_0: "official:v2.0"}

_ONLY_IN_2_0 = frozenset(GAMES[CLEMBENCH_2_0]) - frozenset(GAMES[CLEMBENCH_1_6])


#: the version of each, as its official tables are named (official:v1.6-later68 is a v1.6 table)
VERSION = {benchmark: table_version(table) for benchmark, table in OFFICIAL_TABLE.items()}


def recorded_benchmark(run: object) -> str | None:
    """The benchmark a pair's run.json names: parlour's `benchmark` (top level or per run), or clemcore's own
    run.json (it records `clem_version`), which only a 2.0 run has."""
    if not isinstance(run, Mapping):
        return None
    runs = run.get("runs") if isinstance(run.get("runs"), list) else []
    for entry in [run, *(r for r in runs if isinstance(r, dict))]:
        if entry.get("benchmark") in GAMES:
            return str(entry["benchmark"])
    return CLEMBENCH_2_0 if "clem_version" in run else None


def benchmark_of(run: object, games: Iterable[str]) -> str:
    """Which benchmark a pair played, from its run.json's content (None without one) and its games: as the
    run.json records, else clembench 2.0 when a game only 2.0 has is among them, else 1.6."""
    recorded = recorded_benchmark(run)
    if recorded is not None:
        return recorded
    return CLEMBENCH_2_0 if set(games) & _ONLY_IN_2_0 else CLEMBENCH_1_6


def pair_benchmark(pair_dir: Path, games: set[str] | None = None) -> str:
    """Which benchmark the pair folder `pair_dir` played (`benchmark_of`). `games`: its game folder names,
    when the caller has listed them."""
    try:
        run = store.read_json(pair_dir / store.RUN)
    except ResultsError:
        run = None
    if games is None:
        games = {p.name for p in pair_dir.iterdir() if p.is_dir()} if pair_dir.is_dir() else set()
    return benchmark_of(run, games)
