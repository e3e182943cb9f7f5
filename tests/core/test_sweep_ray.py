"""The Ray executor on a two-node cluster on this machine (Ray's own `cluster_utils.Cluster`): pairs placed
on the nodes their specs name, an actor killed mid-sweep, and endpoint limits in run.json, each compared
with the in-process executor. Programmatic players and a loopback endpoint keep it cheap."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
from support.records import transcripts

from parlour.models.registry import lookup
from parlour.runner.players import LocalPlayers
from parlour.sweep.file import SweepFile
from parlour.sweep.run import play_sweep
from parlour.testing.latency_server import LatencyServer

ray = pytest.importorskip("ray", reason="the Ray executor needs the ray extra")
from ray.cluster_utils import Cluster  # noqa: E402

from parlour.sweep.ray_executor import RayPlayers, connect  # noqa: E402

ORACLE = "programmatic-oracle-t0.0"
BREAKER = "programmatic-breaker-t0.0"
GAMES = ["taboo", "wordle"]  # with limit 2: 6 + 4 episodes per pair


@pytest.fixture(scope="module")
def cluster():
    """A head node labelled `node_a` and a worker node labelled `node_b`; shut down whatever happens."""
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "resources": {"node_a": 4}})
    try:
        nodes.add_node(num_cpus=2, resources={"node_b": 4})
        nodes.wait_for_nodes()
        connect(nodes.address)
        yield {
            label: n["NodeID"]
            for n in ray.nodes()
            if n["Alive"]
            for label in n["Resources"]
            if label.startswith("node_")
        }
    finally:
        ray.shutdown()
        nodes.shutdown()


class TrackedRayPlayers(RayPlayers):
    """RayPlayers that note where their actors run, and can have one killed after a number of episodes."""

    made: list[TrackedRayPlayers] = []

    def __init__(self, specs) -> None:
        super().__init__(specs)
        self.where: list[tuple[str, int]] = []
        TrackedRayPlayers.made.append(self)

    async def start(self, log_folder: Path | None = None) -> list[str]:
        lines = await super().start(log_folder)
        self.where = [await a.where.remote() for a in self.actors]
        return lines


def spec_on(name: str, node: str | None = None) -> dict:
    spec = lookup(name).model_dump(mode="json", exclude_defaults=True)
    return {**spec, "resources": {node: 1}} if node else spec


def sweep_of(models: list, games: list[str] = GAMES, limit: int = 2, concurrency: int | None = None) -> SweepFile:
    return SweepFile(models=models, games=games, limit=limit, concurrency=concurrency, report=False)


def play(sweep: SweepFile, results: Path, on_ray: bool, on_episode=None):
    factory = TrackedRayPlayers if on_ray else LocalPlayers
    return asyncio.run(play_sweep(sweep, results, factory, parallel_pairs=on_ray, on_episode=on_episode))


def actor_answers(actor) -> bool:
    try:
        ray.get(actor.where.remote(), timeout=30)
    except ray.exceptions.RayActorError:
        return False
    return True


def episode_folders(results: Path) -> Counter:
    return Counter(str(p.parent.relative_to(results)) for p in results.glob("*/*/*/episode_*/interactions.json"))


def test_pairs_play_on_the_nodes_their_specs_name(cluster, tmp_path: Path) -> None:
    TrackedRayPlayers.made.clear()
    sweep = sweep_of([spec_on("programmatic:oracle", "node_a"), spec_on("programmatic:breaker", "node_b")])
    summary = play(sweep, tmp_path / "ray", on_ray=True)
    assert not summary.failed_pairs and summary.failed_episodes == 0
    placed = {p.specs[0].name: {node for node, _ in p.where} for p in TrackedRayPlayers.made}
    assert placed == {"programmatic-oracle": {cluster["node_a"]}, "programmatic-breaker": {cluster["node_b"]}}
    play(sweep, tmp_path / "local", on_ray=False)
    assert transcripts(tmp_path / "ray") == transcripts(tmp_path / "local")
    assert len(transcripts(tmp_path / "ray")) == 2 * 10


@pytest.mark.parametrize("restart", [True, False], ids=["restarted", "killed-for-good"])
def test_an_actor_killed_mid_sweep_loses_and_duplicates_nothing(cluster, tmp_path: Path, restart: bool) -> None:
    TrackedRayPlayers.made.clear()
    sweep = sweep_of(["programmatic:oracle"], concurrency=1)  # one at a time: the kill falls between two
    done: list = []

    pids: list[int] = []

    def kill_after_three(outcome) -> None:
        done.append(outcome)
        [players] = TrackedRayPlayers.made
        if len(done) == 3:
            ray.kill(players.actors[0], no_restart=not restart)
            while not restart and actor_answers(players.actors[0]):  # ray.kill does not wait
                pass
        elif len(done) == 9 and restart:  # the actor playing the last episodes is a new process
            pids.append(ray.get(players.actors[0].where.remote())[1])

    first = play(sweep, tmp_path / "ray", on_ray=True, on_episode=kill_after_three)
    assert len(done) == 10  # every planned episode has an outcome, none twice
    if restart:  # Ray restarted the actor and retried what it was playing
        assert first.failed_episodes == 0
        assert pids and pids[0] != TrackedRayPlayers.made[0].where[0][1]
    else:  # the rest failed; a rerun plays exactly those
        assert first.failed_episodes == 7
        again = play(sweep, tmp_path / "ray", on_ray=True)
        assert again.failed_episodes == 0
        [rerun] = again.pairs
        assert (rerun[1].count("played"), rerun[1].count("skipped")) == (
            first.failed_episodes,
            10 - first.failed_episodes,
        )
    assert not list((tmp_path / "ray").glob("*/*/*/episode_*/error.json"))
    assert all(count == 1 for count in episode_folders(tmp_path / "ray").values())
    play(sweep, tmp_path / "local", on_ray=False)
    assert transcripts(tmp_path / "ray") == transcripts(tmp_path / "local")
    assert len(episode_folders(tmp_path / "ray")) == 10


def test_endpoint_limits_are_recorded_as_in_process(cluster, tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0).start()
    try:
        remote = {"name": "remote", "backend": "openai_compatible", "base_url": server.base_url, "concurrency": 2,
                  "concurrency_max": 2}  # fmt: skip
        sweep = sweep_of([remote], games=["taboo"], limit=1)
        play(sweep, tmp_path / "ray", on_ray=True)
        play(sweep, tmp_path / "local", on_ray=False)
    finally:
        server.stop()

    def recorded(results: Path) -> dict:
        return json.loads((results / "remote-t0.0--remote-t0.0" / "run.json").read_text())["models"][0]["endpoint"]

    on_ray, in_process = recorded(tmp_path / "ray"), recorded(tmp_path / "local")
    assert on_ray.keys() == in_process.keys()
    assert (on_ray["limit_start"], on_ray["limit_ceiling"], on_ray["requests"]) == (2, 2, in_process["requests"])
    assert on_ray["requests"] > 0
