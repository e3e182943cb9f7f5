"""Records an episode in clembench 1.6's schema: interactions.json and requests.json."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from parlour.chat import Generation


def now_iso() -> str:
    """Timestamp format of clembench event records."""
    return datetime.now().isoformat()


class GameRecorder:
    """Collects events per turn and one request record per model call.

    interactions = {"players": {...}, "turns": [[event, ...], ...], <game keys>}
    event = {"from", "to", "timestamp", "action": {"type", "content", ...}}
    request = {"timestamp", "manipulated_prompt_obj", "raw_response_obj"} (timestamp = its event's)
    """

    def __init__(self) -> None:
        self.interactions: dict[str, Any] = {"players": {}, "turns": []}
        self.requests: list[dict[str, Any]] = []

    def log_players(self, players: dict[str, str]) -> None:
        self.interactions["players"] = dict(players)

    def log_next_turn(self) -> None:
        self.interactions["turns"].append([])

    def log_key(self, key: str, value: Any) -> None:
        """A game-specific top-level key of interactions.json."""
        self.interactions[key] = value

    def log_event(
        self,
        from_: str,
        to: str,
        action: dict[str, Any],
        call: Generation | None = None,
    ) -> None:
        """Append an event to the current turn; `call` (the model call behind it) adds a request record."""
        if not self.interactions["turns"]:
            self.log_next_turn()
        timestamp = now_iso()
        event = {"from": from_, "to": to, "timestamp": timestamp, "action": copy.deepcopy(action)}
        self.interactions["turns"][-1].append(event)
        if call is not None:
            self.requests.append(
                {
                    "timestamp": timestamp,
                    "manipulated_prompt_obj": copy.deepcopy(call.prompt),
                    "raw_response_obj": copy.deepcopy(call.response),
                }
            )
