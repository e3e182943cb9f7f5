"""Playing a sweep's pairs on Ray actors (the `ray` extra).

Each pair gets `replicas` actors (the spec's `replicas`, default 1), each holding the pair's loaded models
and placed by the spec's `resources` (num_cpus, num_gpus, memory, as Ray takes them): a 70B spec can ask
for four GPUs of one node while small specs share others. Actors play episodes and return their records;
the driver (this process) writes them, so resume and atomic writes are as on one machine and no shared
filesystem is needed. Fault tolerance is Ray's: an actor that dies is restarted (`max_restarts`) and the
episodes it was playing are retried on it (`max_task_retries`); a pair whose actor keeps dying gets its
episodes recorded as failed, and the rest of the sweep goes on.

run.json records what the in-process executor records, asked of the actors at the end: each model's
spec and, for an HTTP endpoint, the in-flight limits it used (`endpoint`; with several replicas,
`endpoints`, one report per replica, since each replica keeps its own limit).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
from pathlib import Path
from typing import Any

from parlour.errors import ParlourError
from parlour.games.episode import EpisodeRecord
from parlour.models.spec import ModelSpec
from parlour.redact import redact_tree
from parlour.runner.episodes import PlayedEpisode
from parlour.runner.plan import EpisodeTask
from parlour.runner.players import LocalPlayers

try:
    import ray
    from ray.exceptions import GetTimeoutError, RayError
except ImportError:  # the executor is optional: `pip install parlour[ray]`
    ray = None  # type: ignore[assignment]
    RayError = GetTimeoutError = Exception  # type: ignore[assignment,misc]

#: backends that run weights in the actor's own process (and so need cores); the others call an endpoint
LOCAL_ENGINES = {"llamacpp", "huggingface", "vllm"}
MAX_RESTARTS = 2
#: the options Ray takes by name; any other key of a spec's `resources` is a custom resource (a node label)
RAY_OPTIONS = {"num_cpus", "num_gpus", "memory"}
#: how long the driver waits for the actors' final description before it keeps the one from the start
DESCRIBE_TIMEOUT_S = 60


def require_ray() -> Any:
    if ray is None:
        raise ParlourError("the ray executor needs the `ray` package: pip install 'parlour[ray]'")
    return ray


def connect(address: str | None = None, num_cpus: int | None = None) -> None:
    """Join the cluster at `address` ("auto": the one `ray start` made here), or start a local Ray instance."""
    require_ray()
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"address": address, "include_dashboard": False, "log_to_driver": False}
        if address is None and num_cpus is not None:
            kwargs["num_cpus"] = num_cpus
        ray.init(**kwargs)


def actor_resources(specs: list[ModelSpec]) -> dict[str, Any]:
    """Ray's actor options for this pair: the specs' own `resources` (custom ones, such as a node's label,
    under `resources`), and one core for a local engine, none for an endpoint or programmatic player,
    unless the spec says `num_cpus`."""
    merged: dict[str, Any] = {}
    for spec in specs:
        own = {"num_cpus": 1 if spec.backend in LOCAL_ENGINES else 0, **spec.resources}
        for key, value in own.items():
            merged[key] = max(merged.get(key, 0), value)  # self-play: one process holds both roles
    options = {key: value for key, value in merged.items() if key in RAY_OPTIONS}
    custom = {key: value for key, value in merged.items() if key not in RAY_OPTIONS}
    return {**options, **({"resources": custom} if custom else {})}


class PairActor:
    """The models of one pair, loaded in a Ray worker; plays episodes asynchronously (many in flight)."""

    def __init__(self, specs: list[dict[str, Any]]) -> None:
        self.players = LocalPlayers([ModelSpec.model_validate(s) for s in specs])
        self.started = False

    async def _ensure_started(self) -> None:
        if not self.started:  # also after Ray restarted this actor: load again
            await self.players.start()
            self.started = True

    async def describe(self) -> tuple[list[dict[str, Any]], int]:
        await self._ensure_started()
        return self.players.describe(), self.players.default_concurrency()

    async def notes(self, in_flight: int) -> list[str]:
        await self._ensure_started()
        return self.players.notes(in_flight)

    async def play(self, task: EpisodeTask) -> PlayedEpisode:
        await self._ensure_started()
        played = await self.players.play(task)
        # the API keys are known in this process only, not in the driver that writes the files
        if played.record is not None:
            played.record = EpisodeRecord(redact_tree(played.record.interactions), redact_tree(played.record.requests))
        played.error, played.scores = redact_tree(played.error), redact_tree(played.scores)
        return played

    def where(self) -> tuple[str, int]:
        """(Ray node id, process id) of this actor: where its pair plays."""
        return ray.get_runtime_context().get_node_id(), os.getpid()


def merge_replicas(described: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One description of the pair's models from each replica's: as in process for one replica; for
    several, each model's endpoint reports as `endpoints`, one per replica."""
    if len(described) == 1:
        return described[0]
    merged = []
    for models in zip(*described, strict=True):
        base = {key: value for key, value in models[0].items() if key != "endpoint"}
        reports = [m["endpoint"] for m in models if "endpoint" in m]
        merged.append({**base, **({"endpoints": reports} if reports else {})})
    return merged


class RayPlayers:
    """`runner.players.Players` on Ray actors: the driver schedules, the actors play."""

    def __init__(self, specs: list[ModelSpec]) -> None:
        self.specs = specs
        self.actors: list[Any] = []
        self._described: list[dict[str, Any]] = []
        self._concurrency = 1
        self._next: itertools.cycle | None = None

    def prepare(self) -> None:
        """Nothing to do here: the actors' nodes, not the driver, hold the packages, keys and weights."""

    async def start(self, log_folder: Path | None = None) -> list[str]:
        """Start the actors; their engines log on the machines they run on."""
        require_ray()
        remote_class = ray.remote(PairActor).options(
            max_restarts=MAX_RESTARTS, max_task_retries=MAX_RESTARTS, **actor_resources(self.specs)
        )
        payload = [s.model_dump(mode="json") for s in self.specs]
        replicas = max(s.replicas for s in self.specs)
        self.actors = [remote_class.remote(payload) for _ in range(replicas)]
        self._next = itertools.cycle(self.actors)
        try:
            self._described, per_actor = await self.actors[0].describe.remote()
        except RayError as exc:
            raise ParlourError(f"{' vs '.join(s.name for s in self.specs)}: Ray actor failed to start: {exc}") from exc
        self._concurrency = per_actor * len(self.actors)
        return []

    def describe(self) -> list[dict[str, Any]]:
        """As the actors see their models now (endpoint limits included); the description from the start
        if they cannot say (an actor that died for good)."""
        if self.actors:
            try:
                replies = ray.get([a.describe.remote() for a in self.actors], timeout=DESCRIBE_TIMEOUT_S)
            except (RayError, GetTimeoutError):
                return self._described
            self._described = merge_replicas([models for models, _ in replies])
        return self._described

    def default_concurrency(self) -> int:
        return self._concurrency

    def notes(self, in_flight: int) -> list[str]:
        """The endpoint notes of one replica, for its share of the episodes in flight."""
        if not self.actors:
            return []
        share = math.ceil(in_flight / len(self.actors))
        try:
            return ray.get(self.actors[0].notes.remote(share), timeout=DESCRIBE_TIMEOUT_S)
        except (RayError, GetTimeoutError):
            return []

    async def play(self, task: EpisodeTask) -> PlayedEpisode:
        assert self._next is not None, "start() first"
        actor = next(self._next)
        try:
            return await actor.play.remote(task)
        except RayError as exc:  # the actor died more often than Ray restarts it
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return PlayedEpisode(error={"error": type(exc).__name__, "message": message, "traceback": ""})

    async def aclose(self) -> None:
        for actor in self.actors:
            ray.kill(actor)
        self.actors = []
        await asyncio.sleep(0)
