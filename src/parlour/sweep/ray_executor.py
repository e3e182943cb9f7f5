"""Playing a sweep's pairs on Ray actors (the `ray` extra).

Each pair gets `replicas` actors (the spec's `replicas`, default 1), each holding the pair's loaded models
and placed by the spec's `resources` (num_cpus, num_gpus, memory, as Ray takes them): a 70B spec can ask
for four GPUs of one node while small specs share others. Actors play episodes and return their records;
the driver (this process) writes them, so resume and atomic writes are as on one machine and no shared
filesystem is needed. Fault tolerance is Ray's: an actor that dies is restarted (`max_restarts`) and the
episodes it was playing are retried on it (`max_task_retries`); a pair whose actor keeps dying gets its
episodes recorded as failed, and the rest of the sweep goes on.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec
from parlour.runner.plan import EpisodeTask
from parlour.runner.players import LocalPlayers
from parlour.runner.run import PlayedEpisode

try:
    import ray
    from ray.exceptions import RayError
except ImportError:  # the executor is optional: `pip install parlour[ray]`
    ray = None  # type: ignore[assignment]
    RayError = Exception  # type: ignore[assignment,misc]

#: backends that run weights in the actor's own process (and so need cores); the others call an endpoint
LOCAL_ENGINES = {"llamacpp", "huggingface", "vllm"}
MAX_RESTARTS = 2


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
    """What one actor of this pair asks Ray for: the specs' own `resources`, or one core for a local engine
    and none for an endpoint or programmatic player."""
    merged: dict[str, Any] = {}
    for spec in specs:
        own = spec.resources or {"num_cpus": 1 if spec.backend in LOCAL_ENGINES else 0}
        for key, value in own.items():
            merged[key] = max(merged.get(key, 0), value)  # self-play: one process holds both roles
    return merged


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

    async def play(self, task: EpisodeTask) -> PlayedEpisode:
        await self._ensure_started()
        return await self.players.play(task)


class RayPlayers:
    """`runner.players.Players` on Ray actors: the driver schedules, the actors play."""

    def __init__(self, specs: list[ModelSpec]) -> None:
        self.specs = specs
        self.actors: list[Any] = []
        self._described: list[dict[str, Any]] = []
        self._concurrency = 1
        self._next: itertools.cycle | None = None

    async def start(self) -> None:
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

    def describe(self) -> list[dict[str, Any]]:
        return self._described

    def default_concurrency(self) -> int:
        return self._concurrency

    def notes(self, in_flight: int) -> list[str]:
        return []  # endpoint limits apply per actor; the driver does not see them

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
