"""Episode scoring in clembench's scores.json schema."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

# Episode metric names every game must log (clembench's metrics.py).
METRIC_ABORTED = "Aborted"
METRIC_LOSE = "Lose"
METRIC_SUCCESS = "Success"
METRIC_REQUEST_COUNT = "Request Count"
METRIC_REQUEST_COUNT_PARSED = "Parsed Request Count"
METRIC_REQUEST_COUNT_VIOLATED = "Violated Request Count"
METRIC_REQUEST_SUCCESS = "Request Success Ratio"
BENCH_SCORE = "Main Score"
REQUIRED_EPISODE_METRICS = (
    METRIC_ABORTED,
    METRIC_LOSE,
    METRIC_SUCCESS,
    METRIC_REQUEST_COUNT,
    METRIC_REQUEST_COUNT_PARSED,
    METRIC_REQUEST_COUNT_VIOLATED,
    METRIC_REQUEST_SUCCESS,
    BENCH_SCORE,
)


class GameScorer(ABC):
    """Computes {"turn scores": {turn: {metric: v}}, "episode scores": {metric: v}} from interactions."""

    def __init__(self, experiment: dict[str, Any], instance: dict[str, Any]) -> None:
        self.experiment = experiment
        self.instance = instance
        self.scores: dict[str, Any] = {"turn scores": {}, "episode scores": {}}

    def log_turn_score(self, turn_idx: int, name: str, value: Any) -> None:
        self.scores["turn scores"].setdefault(turn_idx, {})[name] = value

    def log_episode_score(self, name: str, value: Any) -> None:
        self.scores["episode scores"][name] = value

    def compute_scores(self, interactions: dict[str, Any]) -> dict[str, Any]:
        """Score one episode; returns the scores.json content."""
        self.scores = {"turn scores": {}, "episode scores": {}}
        self.score_episode(interactions)
        return self.scores

    @abstractmethod
    def score_episode(self, interactions: dict[str, Any]) -> None:
        """Fill self.scores via log_turn_score / log_episode_score."""
