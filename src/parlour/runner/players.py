"""Who plays a pair's episodes: models loaded in this process, or elsewhere (Ray actors, see parlour.sweep).

The runner only needs to play one episode at a time and to know the specs; whoever writes the results
folder stays in this process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from parlour.chat import Model
from parlour.models.loader import load_model
from parlour.models.preflight import check_ready
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import with_weights_digest
from parlour.runner.episodes import PlayedEpisode, distinct_models, play_and_score
from parlour.runner.plan import EpisodeTask


class Players(Protocol):
    """The two roles of a pair (one model twice for self-play), wherever they run."""

    specs: list[ModelSpec]

    def prepare(self) -> None:
        """Before any folder is made: raise NotReadyError when a model cannot start here, and complete the
        specs with what they leave open (the sha256 of local weight files)."""

    async def start(self, log_folder: Path | None = None) -> list[str]:
        """Load the weights / start the engines (their own output to log files in `log_folder`); returns
        lines for the user."""

    def describe(self) -> list[dict[str, Any]]:
        """What run.json records about each distinct model (spec, hash, backend facts)."""

    def default_concurrency(self) -> int:
        """Episodes worth having in flight when the user does not say."""

    def notes(self, in_flight: int) -> list[str]:
        """What the user should know before the run (an endpoint limit below the requested concurrency)."""

    async def play(self, task: EpisodeTask) -> PlayedEpisode:
        """Play and score one episode (failures are returned, not raised)."""

    async def aclose(self) -> None:
        """Release what `start` took."""


class LocalPlayers:
    """Models in this process: loaded from specs (and closed at the end), or given already loaded (then
    the caller owns them). Self-play and two equal specs load the weights once."""

    def __init__(self, models: list[ModelSpec | Model]) -> None:
        if not 1 <= len(models) <= 2:
            raise ValueError("give one model (self-play) or two (a pair)")
        self._given = models
        self.specs = [m.spec if isinstance(m, Model) else m for m in models]
        self.models: list[Model] = []
        self._owned: list[Model] = []

    def prepare(self) -> None:
        check_ready([m for m in self._given if not isinstance(m, Model)])
        self._given = [m if isinstance(m, Model) else with_weights_digest(m) for m in self._given]
        self.specs = [m.spec if isinstance(m, Model) else m for m in self._given]

    async def start(self, log_folder: Path | None = None) -> list[str]:
        loaded: dict[tuple[str, str], Model] = {}
        for item, spec in zip(self._given, self.specs, strict=True):
            key = (spec.name, spec.spec_hash())
            if key not in loaded:
                loaded[key] = item if isinstance(item, Model) else load_model(spec)
                if not isinstance(item, Model):
                    self._owned.append(loaded[key])
            self.models.append(loaded[key])
        lines: list[str] = []
        for model in self._owned:
            lines += await model.start(log_folder)
        return lines

    def describe(self) -> list[dict[str, Any]]:
        described = []
        for model in distinct_models(self.models):
            endpoint = model.endpoint_report()  # the adaptive limit as it went, for remote backends
            described.append({**model.describe(), **({"endpoint": endpoint} if endpoint else {})})
        return described

    def notes(self, in_flight: int) -> list[str]:
        return [note for m in distinct_models(self.models) if (note := m.concurrency_note(in_flight))]

    def default_concurrency(self) -> int:
        return min(m.default_concurrency for m in self.models)

    async def play(self, task: EpisodeTask) -> PlayedEpisode:
        return await play_and_score(task, self.models)

    async def aclose(self) -> None:
        for model in self._owned:
            await model.aclose()
