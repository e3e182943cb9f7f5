"""Game masters: the programmatic referee of one episode.

`DialogueGameMaster` is the one game loop of parlour (clembench's turn-based loop, same hook names and
call order): each turn it runs the game's per-turn step (by default: prompt the players in order),
and game hooks decide validity, parsing, forwarding and the end of the game. A game is its rules plus
a small master that fills in these hooks; its state lives in attributes, its end in `self.outcome`.

Every model call goes through `ask()`, which records the call in clembench's schema (send event, get
event, request record).

parlour rule -- a prompt that exceeds the model's context: when a backend reports that the prompt no
longer fits the model's context window (`ContextExceededError`), the episode ends there in every game,
recorded as aborted with the reason: the `send message` event of the failed call (without a request
record: nothing was generated), then a GM->GM `error` event "CONTEXT_EXCEEDED_ERROR: <reason>", then
the game's own abort record (`_on_abort`), so its scorer (and clembench's) scores the episode as
aborted. The failed call counts as a request that was not parsed where the game counts requests.
v1.6 handles this only in wordle (status CONTEXT_EXCEEDED_ERROR, aborted); parlour does the same in
every game, where the error would otherwise fail the episode, and every rerun of it, in the same place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from parlour.chat import Generation, Model
from parlour.errors import ContextExceededError
from parlour.games.player import Player
from parlour.games.recorder import GameRecorder

#: the reason recorded when a prompt does not fit the model's context (the name later clembench uses)
CONTEXT_EXCEEDED = "CONTEXT_EXCEEDED_ERROR"

SUCCESS, LOSE, ABORTED = "success", "lose", "aborted"


@dataclass(frozen=True)
class Outcome:
    """How an episode ended: `status` is SUCCESS, LOSE or ABORTED; `reason` says why, in words."""

    status: str
    reason: str = ""


class EpisodeAborted(Exception):
    """Raised inside a game's steps to end the episode at once as aborted (caught by the game loop)."""

    def __init__(self, reason: str, player: Player | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.player = player


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
    """clembench's DialogueGameMaster loop, with the same hook names and call order, plus the hooks the
    other games need: `_play_turn` (the per-turn step), `_on_abort` (the game's abort record) and
    `self.outcome` (None while the game runs)."""

    def __init__(self, game_name: str, experiment: dict[str, Any], player_models: list[Model]) -> None:
        super().__init__(game_name, experiment, player_models)
        self.players: list[Player] = []
        self.messages_by_player: dict[str, list[dict[str, str]]] = {}
        self.current_turn = 0
        self.outcome: Outcome | None = None

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

    def end(self, status: str, reason: str = "") -> None:
        """The game is decided: no further turn starts."""
        self.outcome = Outcome(status, reason)

    def setup(self, **instance: Any) -> None:
        self._on_setup(**instance)
        self.log_players(self._players_record())

    def _players_record(self) -> dict[str, str]:
        """interactions.json's `players` (games that name them differently override it)."""
        players = {"GM": f"Game master for {self.game_name}"}
        players.update({p.descriptor: p.describe() for p in self.players})
        return players

    async def play(self) -> None:
        self._on_before_game()
        try:
            while self._does_game_proceed():
                self.log_next_turn()
                self._on_before_turn(self.current_turn)
                in_play = await self._play_turn()
                self._on_after_turn(self.current_turn)
                self.current_turn += 1
                if not in_play:
                    break
        except EpisodeAborted as abort:
            self.end(ABORTED, abort.reason)
            self._on_abort(abort)
        self._on_after_game()

    async def _play_turn(self) -> bool:
        """One turn; False when the game ended inside it. Default: prompt each player in order,
        checking before each one that the game goes on (as clembench does)."""
        for player in self.players:
            # _does_game_proceed may log its verdict into the current turn (as clembench does)
            if not self._does_game_proceed():
                return False
            await self.prompt(player)
        return True

    async def prompt(self, player: Player) -> None:
        """Send the newest history entry, get the reply, validate, parse, add and forward it."""
        text = await self.ask(player, self.messages_by_player[player.descriptor])
        if self._validate_player_response(player, text):
            text = self._on_parse_response(player, text)
            self.add_assistant_message(player, text)
            self._after_add_player_response(player, text)

    async def ask(
        self,
        player: Player,
        history: list[dict[str, str]],
        *,
        turn_idx: int | None = None,
        content: str | None = None,
        kinds: tuple[str, str] = ("send message", "get message"),
        call_on_send: bool = False,
    ) -> str:
        """One model call, recorded: the send event (`content`, default the last message), the get event,
        and the request record on the get event (or on the send event, `call_on_send`, logging both after
        the call as v1.6's wordle does). A prompt that exceeds the context aborts the episode (see above)."""
        send = {"type": kinds[0], "content": history[-1]["content"] if content is None else content}
        if not call_on_send:
            self.log_event("GM", player.descriptor, send)
        try:
            reply = await player(list(history), self.current_turn if turn_idx is None else turn_idx)
        except ContextExceededError as exc:
            if call_on_send:
                self.log_event("GM", player.descriptor, send)
            self.log_to_self("error", f"{CONTEXT_EXCEEDED}: {exc}")
            raise EpisodeAborted(f"{CONTEXT_EXCEEDED}: {exc}", player) from exc
        if call_on_send:
            self.log_event("GM", player.descriptor, send, call=reply)
        self.log_event(
            player.descriptor, "GM", {"type": kinds[1], "content": reply.text}, None if call_on_send else reply
        )
        return reply.text

    # -- hooks --
    @abstractmethod
    def _on_setup(self, **instance: Any) -> None: ...

    def _on_before_game(self) -> None:
        pass

    def _on_before_turn(self, turn_idx: int) -> None:
        pass

    def _on_after_turn(self, turn_idx: int) -> None:
        pass

    def _on_abort(self, abort: EpisodeAborted) -> None:
        """Record the abort the way the game's scorer reads it (`self.outcome` is already set)."""

    def _on_after_game(self) -> None:
        pass

    def _does_game_proceed(self) -> bool:
        return self.outcome is None

    def _validate_player_response(self, player: Player, utterance: str) -> bool:
        return True

    def _on_parse_response(self, player: Player, utterance: str) -> str:
        return utterance

    def _after_add_player_response(self, player: Player, utterance: str) -> None:
        pass
