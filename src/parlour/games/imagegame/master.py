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
from parlour.games.master import ABORTED, DialogueGameMaster
from parlour.games.player import Player


class ImageGameMaster(DialogueGameMaster):
    def _on_setup(self, **instance: Any) -> None:
        self.instance = instance
        self.target_grid: str = instance["target_grid"]
        self.max_turns = int(instance["grid_dimension"]) ** 2
        self.giver = InstructionGiver(self.player_models[0], self.target_grid)
        self.follower = InstructionFollower(self.player_models[1], int(instance["grid_dimension"]))
        for player in (self.giver, self.follower):
            self.add_player(player)
            self.add_message(player, "", "system")

    def _players_record(self) -> dict[str, str]:
        # v1.6 names the players "Player_1"/"Player_2" here (with the bare model names)
        return {
            "GM": "Game master for imagegame",
            "Player_1": self.giver.model_name,
            "Player_2": self.follower.model_name,
        }

    def _does_game_proceed(self) -> bool:
        return self.outcome is None and self.current_turn < self.max_turns

    async def _ask(self, player: Player, content: str) -> str:
        """Both histories keep the raw replies, as in v1.6."""
        self.add_user_message(player, content)
        text = await self.ask(player, self.messages_by_player[player.descriptor])
        self.add_assistant_message(player, text)
        return text

    async def _play_turn(self) -> bool:
        question = self.instance["player_1_question"]
        if self.current_turn == 0:
            content = f"{self.instance['player_1_prompt_header']}\n{self.target_grid}\n{question}\n"
        else:
            content = question
        text = await self._ask(self.giver, content)
        if rules.is_terminate(text, self.instance["player_1_terminate_pattern"]):
            return False  # the scorer decides how the drawing went
        instruction = rules.parse_instruction(text, self.instance["player_1_response_pattern"])
        if instruction is None:
            self._log_with_original("invalid format", "Invalid instruction format", text)
            self.end(ABORTED, "invalid instruction format")
            return False
        self._log_with_original("parse", instruction, text)

        if self.current_turn == 0:
            content = f"{self.instance['player_2_prompt_header']}\n{instruction}"
        else:
            content = instruction
        grid = await self._ask(self.follower, content)
        if not rules.is_grid(grid, self.instance["player_2_response_pattern"]):
            self._log_with_original("invalid format", "Invalid grid format", grid)
            self.end(ABORTED, "invalid grid format")
            return False
        self._log_with_original("parse", grid, grid)
        return True

    def _log_with_original(self, type_: str, content: str, original: str) -> None:
        self.log_event("GM", "GM", {"type": type_, "content": content, "original_content": original})
