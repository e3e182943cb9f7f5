"""Episodes of every game on parlour's shipped default instances, and a model that plays them from a
list of replies (None: the game's own oracle answers) and can run out of context at a chosen call."""

from __future__ import annotations

from functools import cache
from typing import Any

from parlour.chat import Generation, Model
from parlour.errors import ContextExceededError
from parlour.games.episode import play_episode, score_episode
from parlour.games.instances import load_instances
from parlour.games.registry import game_names, get_game
from parlour.models.spec import ModelSpec

GAMES = tuple(game_names())


@cache
def default_experiments(game_name: str) -> list[dict[str, Any]]:
    game = get_game(game_name)
    data = load_instances(game.default_instances, game.experiment_schema, game.instance_schema)
    return [game.attach_resources(e, game.default_instances) for e in data["experiments"]]


def default_episode(game_name: str, index: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """(experiment, instance): the index-th instance of the game's default instances, over all experiments."""
    episodes = [(e, i) for e in default_experiments(game_name) for i in e["game_instances"]]
    return episodes[index % len(episodes)]


class ReplyListModel(Model):
    """Replies from a list, cycling; a None entry lets the game's oracle answer (load-shadow mode).
    Call number `overflow_at` (1-based) raises ContextExceededError; more than `max_calls` calls fail
    the test (an episode that does not end)."""

    def __init__(self, replies: list[str | None], overflow_at: int | None = None, max_calls: int = 2000) -> None:
        super().__init__(ModelSpec(name="reply-list", backend="scripted"))
        self.replies = replies or [None]
        self.overflow_at = overflow_at
        self.max_calls = max_calls
        self.calls = 0

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        self.calls += 1
        assert self.calls <= self.max_calls, f"the episode did not end within {self.max_calls} calls"
        if self.calls == self.overflow_at:
            raise ContextExceededError("prompt too long", tokens_needed=9000, context_size=8192)
        text = self.replies[(self.calls - 1) % len(self.replies)]
        if text is None:
            return Generation(prompt={"messages": messages}, response={}, text="", shadow_policy="oracle")
        return Generation(prompt={"messages": messages}, response={"response": text}, text=text)


async def play_and_score(game_name: str, index: int, model: Model) -> tuple[dict, list, dict]:
    """(interactions, requests, scores) of one default episode played by `model` in every role."""
    game = get_game(game_name)
    experiment, instance = default_episode(game_name, index)
    record = await play_episode(game, experiment, instance, [model, model])
    return record.interactions, record.requests, score_episode(game, experiment, instance, record.interactions)
