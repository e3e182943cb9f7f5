"""Game masters: the programmatic referee of one episode.

`GameMaster` is the bare base (games with their own loop); `DialogueGameMaster` is clembench's
turn-based loop, where each turn prompts the players in order and game hooks decide validity,
parsing, forwarding and the end of the game.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from parlour.games.player import Player
from parlour.games.recorder import GameRecorder
from parlour.models.base import Generation, Model


class GameMaster(ABC):
    """One episode of one game. The runner calls `setup(**instance)`, then awaits `play()`."""

    def __init__(self, game_name: str, experiment: dict[str, Any], player_models: list[Model]) -> None:
        self.game_name = game_name
        self.experiment = experiment
        self.player_models = player_models
        self.recorder = GameRecorder()

    # -- recording helpers (names as in clembench, so game code reads the same) --
    def log_players(self, players: dict[str, str]) -> None:
        self.recorder.log_players(players)

    def log_next_turn(self) -> None:
        self.recorder.log_next_turn()

    def log_key(self, key: str, value: Any) -> None:
        self.recorder.log_key(key, value)

    def log_event(self, from_: str, to: str, action: dict[str, Any], call: Generation | None = None) -> None:
        self.recorder.log_event(from_, to, action, call)

    def log_to_self(self, type_: str, content: Any) -> None:
        self.log_event("GM", "GM", {"type": type_, "content": content})

    @abstractmethod
    def setup(self, **instance: Any) -> None:
        """Prepare the episode from one game instance."""

    @abstractmethod
    async def play(self) -> None:
        """Play the episode to its end."""

    @property
    def interactions(self) -> dict[str, Any]:
        return self.recorder.interactions

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.recorder.requests


class DialogueGameMaster(GameMaster):
    """clembench's DialogueGameMaster loop, with the same hook names and call order."""

    def __init__(self, game_name: str, experiment: dict[str, Any], player_models: list[Model]) -> None:
        super().__init__(game_name, experiment, player_models)
        self.players: list[Player] = []
        self.messages_by_player: dict[str, list[dict[str, str]]] = {}
        self.current_turn = 0

    def add_player(self, player: Player) -> None:
        player.descriptor = f"Player {len(self.players) + 1}"
        self.players.append(player)
        self.messages_by_player[player.descriptor] = []

    def add_message(self, player: Player, content: str, role: str) -> None:
        self.messages_by_player[player.descriptor].append({"role": role, "content": content})

    def add_user_message(self, player: Player, content: str) -> None:
        self.add_message(player, content, "user")

    def add_assistant_message(self, player: Player, content: str) -> None:
        self.add_message(player, content, "assistant")

    def setup(self, **instance: Any) -> None:
        self._on_setup(**instance)
        players = {"GM": f"Game master for {self.game_name}"}
        players.update({p.descriptor: p.describe() for p in self.players})
        self.log_players(players)

    async def play(self) -> None:
        self._on_before_game()
        inner_break = False
        while not inner_break and self._does_game_proceed():
            self.log_next_turn()
            self._on_before_turn(self.current_turn)
            for player in self.players:
                # _does_game_proceed may log its verdict into the current turn (as clembench does)
                if not self._does_game_proceed():
                    inner_break = True
                    break
                await self.prompt(player)
            self._on_after_turn(self.current_turn)
            self.current_turn += 1
        self._on_after_game()

    async def prompt(self, player: Player) -> None:
        """Send the newest history entry, get the reply, validate, parse, add and forward it."""
        history = self.messages_by_player[player.descriptor]
        self.log_event("GM", player.descriptor, {"type": "send message", "content": history[-1]["content"]})
        reply = await player(history, self.current_turn)
        text = reply.text
        self.log_event(player.descriptor, "GM", {"type": "get message", "content": text}, call=reply)
        if self._validate_player_response(player, text):
            text = self._on_parse_response(player, text)
            self.add_assistant_message(player, text)
            self._after_add_player_response(player, text)

    # -- hooks --
    @abstractmethod
    def _on_setup(self, **instance: Any) -> None: ...

    def _on_before_game(self) -> None:
        pass

    def _on_before_turn(self, turn_idx: int) -> None:
        pass

    def _on_after_turn(self, turn_idx: int) -> None:
        pass

    def _on_after_game(self) -> None:
        pass

    @abstractmethod
    def _does_game_proceed(self) -> bool: ...

    def _validate_player_response(self, player: Player, utterance: str) -> bool:
        return True

    def _on_parse_response(self, player: Player, utterance: str) -> str:
        return utterance

    def _after_add_player_response(self, player: Player, utterance: str) -> None:
        pass
