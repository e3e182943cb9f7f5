"""referencegame's game master (clembench 1.6 behaviour; prompts come from the instance).

One turn, at most two calls. Player 1 sees the target grid first, then the two distractors, and
must reply with a single-line "Expression: ..."; otherwise the game is aborted (`invalid format`)
and Player 2 is not asked. Player 2 sees the three grids in the instance's order with Player 1's
whole reply (tag included) in place of TARGET_EXPRESSION, and must reply "Answer: <choice>" with
nothing after it; otherwise `invalid format` is logged (the scorer may still accept the answer, see
rules.py). Both histories start with an empty system message. A prompt that exceeds the context
leaves the turn without the events that follow, which the scorer reads as aborted at that player.
"""

from __future__ import annotations

from typing import Any

from parlour.games.master import ABORTED, DialogueGameMaster
from parlour.games.player import Player
from parlour.games.referencegame import rules
from parlour.games.referencegame.players import InstructionFollower, InstructionGiver


class ReferenceGameMaster(DialogueGameMaster):
    def _on_setup(self, **instance: Any) -> None:
        self.instance = instance
        self.giver = InstructionGiver(self.player_models[0], instance["player_1_target_grid"])
        self.follower = InstructionFollower(self.player_models[1], instance["target_grid_name"])
        self.add_player(self.giver)
        self.add_player(self.follower)

    def _players_record(self) -> dict[str, str]:
        # v1.6 names the players "Player_1"/"Player_2" here (with the bare model names)
        return {
            "GM": "Game master for referencegame",
            "Player_1": self.giver.model_name,
            "Player_2": self.follower.model_name,
        }

    def _does_game_proceed(self) -> bool:
        return self.outcome is None and self.current_turn == 0  # one turn

    async def _ask(self, player: Player, content: str) -> str:
        return await self.ask(player, [{"role": "system", "content": ""}, {"role": "user", "content": content}])

    async def _play_turn(self) -> bool:
        expression_reply = await self._ask(self.giver, self.instance["player_1_prompt_header"])
        expression = rules.parse_strict(expression_reply, self.instance["player_1_response_pattern"])
        if expression is None:
            self._log_invalid("Invalid generated expression", expression_reply)
            self.end(ABORTED, "invalid generated expression")
            return False
        self.log_event("GM", "GM", {"type": "parse", "content": expression_reply, "expression": expression})

        prompt = self.instance["player_2_prompt_header"].replace("TARGET_EXPRESSION", expression_reply)
        answer_reply = await self._ask(self.follower, prompt)
        answer = rules.parse_strict(answer_reply, self.instance["player_2_response_pattern"])
        if answer is None:  # the scorer may still accept the answer (rules.parse_liberal)
            self._log_invalid("Invalid generated choice", answer_reply)
            return False
        self.log_event("GM", "GM", {"type": "parse", "content": answer_reply, "answer": answer})
        return False

    def _log_invalid(self, message: str, original: str) -> None:
        self.log_event("GM", "GM", {"type": "invalid format", "content": message, "original_content": original})
