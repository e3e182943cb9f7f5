"""Taboo's game master (clembench 1.6 behaviour, prompts from the instance's experiment).

Player 1 describes the target word with "CLUE: ..." and must avoid the target and related words
(stem check, see rules.py); Player 2 answers "GUESS: ...". Only the describer gets a prompt before
turn 0; its first clue reaches the guesser appended to the guesser's prompt. A wrong guess goes
back to the describer verbatim. A missing prefix aborts the game, a taboo word loses it. Each verdict
is logged when it is decided (in v1.6 at the next check of the loop, which logs nothing in between).
"""

from __future__ import annotations

from typing import Any

from parlour.games.master import ABORTED, LOSE, SUCCESS, DialogueGameMaster, EpisodeAborted
from parlour.games.player import Player
from parlour.games.taboo import rules
from parlour.games.taboo.players import WordDescriber, WordGuesser


class TabooMaster(DialogueGameMaster):
    def _on_setup(self, **instance: Any) -> None:
        self.max_turns = int(self.experiment["max_turns"])
        self.target_word: str = instance["target_word"]
        self.related_words: list[str] = list(instance["related_word"])
        related = "\n".join(f"- {word}" for word in self.related_words)
        describer_prompt = (
            self.experiment["describer_initial_prompt"]
            .replace("$TARGET_WORD$", self.target_word)
            .replace("$REL_WORD$", related)
            .replace("$N$", str(self.max_turns))
        )
        self.guesser_prompt = self.experiment["guesser_initial_prompt"].replace("$N$", str(self.max_turns))
        self.describer = WordDescriber(self.player_models[0], self.target_word, self.related_words)
        self.guesser = WordGuesser(self.player_models[1], self.target_word)
        self.add_player(self.describer)
        self.add_player(self.guesser)
        self.guess_word: str | None = None
        self.add_user_message(self.describer, describer_prompt)

    def _decide(self, status: str, verdict: str, content: str) -> None:
        """The game is decided: log the verdict (v1.6's event names) and end."""
        self.log_to_self(verdict, content)
        self.end(status, verdict)

    def _does_game_proceed(self) -> bool:
        if self.outcome is None and self.current_turn >= self.max_turns:
            self._decide(LOSE, "max turns reached", str(self.max_turns))
        return self.outcome is None

    def _validate_player_response(self, player: Player, utterance: str) -> bool:
        valid = rules.is_clue(utterance) if player is self.describer else rules.is_guess(utterance)
        if not valid:
            self._decide(ABORTED, "invalid format", "abort game")
            return False
        self.log_to_self("valid response", "continue")
        return True

    def _on_parse_response(self, player: Player, utterance: str) -> str:
        if player is self.guesser:
            self.guess_word = rules.normalise_guess(utterance)
            self.log_to_self("valid guess", self.guess_word)
            if self.guess_word == self.target_word:
                self._decide(SUCCESS, "correct guess", "end game")
        else:
            violations = rules.clue_violations(utterance, self.target_word, self.related_words)
            if violations:
                self._decide(LOSE, "invalid clue", violations[0])
            else:
                self.log_to_self("valid clue", rules.normalise_clue(utterance))
        return utterance

    def _on_abort(self, abort: EpisodeAborted) -> None:
        # taboo's scorer (as v1.6's) reads an `invalid format` event as an aborted episode
        self.log_to_self("invalid format", "abort game")

    def _after_add_player_response(self, player: Player, utterance: str) -> None:
        if player is self.describer:
            if self.current_turn == 0:
                utterance = f"{self.guesser_prompt}\n\n{utterance}"
            self.add_user_message(self.guesser, utterance)
        elif self.outcome is None:
            self.add_user_message(self.describer, utterance)
