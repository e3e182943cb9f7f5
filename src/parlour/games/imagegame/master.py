"""imagegame's game master (clembench 1.6 behaviour; prompts come from the instance).

Player 1 (instruction giver) sees the target grid and gives one instruction per turn; Player 2
(instruction follower) answers each with the whole grid drawn so far. Each turn logs: GM→P1 send,
P1→GM get, GM parse|invalid format, GM→P2 send, P2→GM get, GM parse|invalid format. The game ends
when the giver says DONE (terminate pattern; nothing more is logged), when a reply breaks its
format (abort), or after grid_dimension² turns. Both histories start with an empty system message
and keep the raw replies, as in v1.6.
"""

from __future__ import annotations

from typing import Any

from parlour.games.imagegame import rules
from parlour.games.imagegame.players import InstructionFollower, InstructionGiver
from parlour.games.master import GameMaster
from parlour.games.player import Player


class ImageGameMaster(GameMaster):
    def setup(self, **instance: Any) -> None:
        self.instance = instance
        self.target_grid: str = instance["target_grid"]
        self.max_turns = int(instance["grid_dimension"]) ** 2
        self.giver = InstructionGiver(self.player_models[0], self.target_grid)
        self.follower = InstructionFollower(self.player_models[1], int(instance["grid_dimension"]))
        self.giver.descriptor, self.follower.descriptor = "Player 1", "Player 2"
        self.histories: dict[str, list[dict[str, str]]] = {
            "Player 1": [{"role": "system", "content": ""}],
            "Player 2": [{"role": "system", "content": ""}],
        }
        # v1.6 names the players "Player_1"/"Player_2" here (with the bare model names)
        self.log_players(
            {
                "GM": "Game master for imagegame",
                "Player_1": self.giver.model_name,
                "Player_2": self.follower.model_name,
            }
        )

    async def play(self) -> None:
        turn_idx = 0
        while turn_idx < self.max_turns:
            if not await self.turn(turn_idx):
                break
            turn_idx += 1

    async def _ask(self, player: Player, content: str, turn_idx: int) -> str:
        history = self.histories[player.descriptor]
        history.append({"role": "user", "content": content})
        self.log_event("GM", player.descriptor, {"type": "send message", "content": content})
        reply = await player(history, turn_idx)
        text = reply.text
        self.log_event(player.descriptor, "GM", {"type": "get message", "content": text}, call=reply)
        history.append({"role": "assistant", "content": text})
        return text

    async def turn(self, turn_idx: int) -> bool:
        """Play one turn; False when the game is over."""
        self.log_next_turn()
        question = self.instance["player_1_question"]
        if turn_idx == 0:
            content = f"{self.instance['player_1_prompt_header']}\n{self.target_grid}\n{question}\n"
        else:
            content = question
        text = await self._ask(self.giver, content, turn_idx)
        if rules.is_terminate(text, self.instance["player_1_terminate_pattern"]):
            return False
        instruction = rules.parse_instruction(text, self.instance["player_1_response_pattern"])
        if instruction is None:
            self.log_to_self_with_original("invalid format", "Invalid instruction format", text)
            return False
        self.log_to_self_with_original("parse", instruction, text)

        if turn_idx == 0:
            content = f"{self.instance['player_2_prompt_header']}\n{instruction}"
        else:
            content = instruction
        grid = await self._ask(self.follower, content, turn_idx)
        if not rules.is_grid(grid, self.instance["player_2_response_pattern"]):
            self.log_to_self_with_original("invalid format", "Invalid grid format", grid)
            return False
        self.log_to_self_with_original("parse", grid, grid)
        return True

    def log_to_self_with_original(self, type_: str, content: str, original: str) -> None:
        self.log_event("GM", "GM", {"type": type_, "content": content, "original_content": original})
