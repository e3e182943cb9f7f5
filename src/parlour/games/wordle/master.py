"""The game master of wordle, wordle_withclue and wordle_withcritic (clembench 1.6 behaviour).

One interaction turn per guesser call; the retry and abort rules are v1.6's (state.py).

wordle_withcritic: each attempt's first valid guess goes to the critic (Player 2, logged in the same
turn), whose verdict "agreement: yes|no" goes back to the guesser; the guesser's next valid guess is
the one that is checked. Only the lowercase "no" counts as disagreement in the logged status.

Differences from v1.6, where v1.6 would hang or crash:
- v1.6 re-prompts a critic that sends malformed verdicts for as long as it takes (its retry loop is
  `while game.proceeds:`, a method object, always true), and scores the game when the critic recovers.
  parlour does the same, but stops at a safety bound: after CRITIC_REPROMPT_LIMIT (100) re-prompts in a
  row without a valid verdict (where v1.6 never ends) the episode is aborted, with a GM `parlour
  deviation` event saying so, an `error` event from Player 2 and `critic_error` in
  `data_for_computation`. (A prompt that outgrows the model's context ends it earlier, see below.)
- A prompt that no longer fits the model's context ends the episode as aborted with status
  CONTEXT_EXCEEDED_ERROR (parlour's rule for every game, games/master.py; the later clembench
  handling); the failed call counts as a request that was not parsed.
- An instance without a clue in a clue variant (v1.6: NO_CLUE_FOUND, then scored as a win) is aborted.
"""

from __future__ import annotations

from typing import Any

from parlour.games.master import ABORTED, DialogueGameMaster, EpisodeAborted
from parlour.games.player import Player
from parlour.games.wordle import rules
from parlour.games.wordle.players import Critic, Guesser
from parlour.games.wordle.prompts import DO_NOT_USE, PromptBook
from parlour.games.wordle.state import WordleState

_CHANGE_INDENT = " " * 48  # v1.6 logs these lines with the indentation of its source code

#: re-prompts of a critic in a row without a valid verdict after which parlour gives up (v1.6: never)
CRITIC_REPROMPT_LIMIT = 100


class WordleMaster(DialogueGameMaster):
    """Plays one wordle episode; the variant follows the experiment's `use_clue` / `use_critic`."""

    # ------------------------------------------------------------------ setup
    def _on_setup(self, **instance: Any) -> None:
        config = self.experiment["common_config"]
        self.use_clue = bool(self.experiment["use_clue"])
        self.use_critic = bool(self.experiment["use_critic"])
        self.target_word: str = str(instance["target_word"]).strip()
        self.target_word_clue: str = str(instance.get("target_word_clue", "")).strip()
        self.target_word_difficulty = instance.get("target_word_difficulty")
        self.word_length = int(config["max_word_length"])
        self.max_critic_opinion_count = int(config["max_critic_opinion_count"])
        self.keywords = self.experiment.get("response_format_keywords") or rules.DEFAULT_KEYWORDS
        self.allowed = frozenset(self.experiment["english_words"])
        self.book = PromptBook(self.experiment, self.target_word_clue)
        self.state = WordleState.from_config(config, self.use_critic)
        if self.use_clue and not self.target_word_clue:
            self.state.guesser_error = rules.NO_CLUE_FOUND
        self._add_players()
        # the exchange so far: the last guess and the critic's last opinion on it
        self.guess, self.explanation = "", ""
        self.feedback: str | None = None
        self.agreement: str | None = None
        self.agreement_expl: str | None = None
        self.awaiting_critic = self.use_critic
        self.opinions = 0
        self.guess_before_critic = ""

    def _add_players(self) -> None:
        self.guesser = Guesser(self.player_models[0], self.target_word, self.experiment["english_words"])
        self.add_player(self.guesser)
        self.model_names = [self.guesser.model_name]
        self.critic: Critic | None = None
        if self.use_critic:
            critic_model = self.player_models[1] if len(self.player_models) > 1 else self.player_models[0]
            self.critic = Critic(critic_model, self.target_word)
            self.add_player(self.critic)
            self.model_names.append(critic_model.name)

        self.players_dict = {"GM": "Game master for wordle", "Player 1": self.guesser.describe()}
        # single-player variants: the feedback comes from the game itself
        evaluator = "Guess Word Evaluator (Programmatic)"
        self.players_dict["Player 2"] = self.critic.describe() if self.critic else evaluator

    def _players_record(self) -> dict[str, str]:
        return self.players_dict

    def _does_game_proceed(self) -> bool:
        return self.outcome is None and self.state.proceeds()

    # ------------------------------------------------------------------ one turn: one guesser call
    async def _play_turn(self) -> bool:
        await self.ask_guesser()
        if self.state.guesser_error:
            self.log_guess_info(self.state.guesser_error)
        elif not self.use_critic:
            self.validate_guess()
        elif self.awaiting_critic:
            return await self.consult_critic()
        else:
            self.validate_guess_after_critic()
        return True

    async def _ask(self, player: Player, history: list[dict[str, str]]) -> str:
        return await self.ask(player, history, turn_idx=self.state.attempts, call_on_send=True)

    async def ask_guesser(self) -> None:
        history = self.messages_by_player[self.guesser.descriptor]
        error = self.state.guesser_error
        if not history:
            history.extend(self.book.guesser_opening())
        elif error:
            history.append(self.book.guess_echo(self.guess, self.explanation, after_error=True))
            history.append({"role": "user", "content": self.book.guesser_retry(error)})
        else:
            history.append(self.book.guess_echo(self.guess, self.explanation))
            next_message = self.book.guesser_next(self.feedback, self.agreement, self.agreement_expl)
            history.append({"role": "user", "content": next_message})
        self.state.before_guesser_call()
        text = await self._ask(self.guesser, history)
        result = rules.parse_reply(text, self.keywords["guess"], self.keywords["explanation"])
        self.log_event("GM", "GM", {"type": "parse", "content": result})
        self.guess, self.explanation = result[self.keywords["guess"]], result["explanation"]
        self.state.after_guesser_reply(rules.guess_error(self.guess, self.allowed, self.word_length))

    async def ask_critic(self) -> None:
        assert self.critic is not None
        history = self.messages_by_player[self.critic.descriptor]
        if self.state.critic_error:
            history.append(self.book.verdict_echo(str(self.agreement), str(self.agreement_expl)))
            history.append({"role": "user", "content": self.book.critic_retry()})
        else:
            body = self.book.critic_body(self.guess, self.explanation, self.feedback)
            if not history:
                history.extend(self.book.critic_opening(body))
            else:
                if self.agreement == DO_NOT_USE:
                    history.append({"role": "user", "content": ""})
                else:
                    history.append(self.book.verdict_echo(str(self.agreement), str(self.agreement_expl)))
                history.append({"role": "user", "content": body})
        self.state.before_critic_call()
        text = await self._ask(self.critic, history)
        result = rules.parse_agreement(text, self.keywords)
        self.log_event("GM", "GM", {"type": "parse", "content": result})
        self.agreement, self.agreement_expl = result[self.keywords["agreement"]], result["explanation"]
        self.state.after_critic_reply(rules.INVALID_FORMAT if self.agreement == rules.INVALID_FORMAT else None)

    async def consult_critic(self) -> bool:
        """The critic's opinion on the guess, re-prompted until it is well-formed; False if it never is."""
        self.guess_before_critic = self.guess
        await self.ask_critic()
        while self.state.critic_error:
            if self.state.critic_retry >= CRITIC_REPROMPT_LIMIT:
                self.log_to_self(
                    "parlour deviation",
                    f"No valid critic verdict after {CRITIC_REPROMPT_LIMIT} re-prompts: v1.6 would re-prompt "
                    "forever; parlour stops here and aborts the episode.",
                )
                self.log_event("Player 2", "GM", {"type": "error", "content": self.state.critic_error})
                self.end(ABORTED, f"critic: {self.state.critic_error}")
                return False
            await self.ask_critic()
        agrees = "disagrees" if self.agreement == "no" else "agrees"
        self.log_metadata(f"Critic {agrees} with the Guesser -- Sharing the critic's explanation with the guesser")
        self.opinions += 1
        if self.opinions == self.max_critic_opinion_count:
            self.awaiting_critic = False
            self.feedback = ""
        return True

    def validate_guess_after_critic(self) -> None:
        self.state.change_guess_words.append([self.guess_before_critic, self.guess, str(self.agreement)])
        changed = "Change" if self.guess_before_critic != self.guess else "No change"
        self.log_metadata(
            f"{changed} in player1's guess\nguess_before_critic_opinion: {self.guess_before_critic}\n"
            f"{_CHANGE_INDENT}critic_agreement: {self.agreement}\nguess_after_critic_opinion: {self.guess}\n"
            f"{_CHANGE_INDENT}Proceeding with guess validation"
        )
        self.validate_guess()
        self.agreement, self.agreement_expl = DO_NOT_USE, DO_NOT_USE
        self.awaiting_critic = True
        self.opinions = 0

    def validate_guess(self) -> None:
        """Letter feedback for a valid guess: recorded, logged, and one attempt consumed."""
        self.feedback = rules.letter_feedback(self.guess, self.target_word)
        self.state.record_guess(self.guess, self.feedback)
        self.log_guess_info(self.state.critic_error if self.use_critic else None, self.feedback)
        self.state.attempts += 1

    def _on_abort(self, abort: EpisodeAborted) -> None:
        if abort.player is self.critic:
            self.state.critic_error = rules.CONTEXT_EXCEEDED_ERROR
        else:
            self.state.guesser_error = rules.CONTEXT_EXCEEDED_ERROR

    # ------------------------------------------------------------------ logging
    def log_metadata(self, content: str, **extra: Any) -> None:
        self.log_event("GM", "GM", {"type": "metadata", "content": content, **extra})

    def log_guess_info(self, error: str | None, feedback: str = "") -> None:
        attempts = self.state.attempts if error else self.state.attempts + 1
        if error:
            content = f"Guesser Error: {error} while parsing Player 1's (model: {self.model_names[0]}) response"
        else:
            clue_line = f"target_word_clue = {self.target_word_clue}\n" if self.use_clue else ""
            content = (
                f"attempts: {attempts}\ntarget_word = {self.target_word}\n{clue_line}"
                f"guess: {self.guess}\nguess_feedback: {feedback}"
            )
        info: dict[str, Any] = {
            "attempts": attempts,
            "target_word": self.target_word,
            "target_word_difficulty": self.target_word_difficulty,
            "guesser": self.players_dict["Player 1"],
            "guess": self.guess,
            "explanation": self.explanation,
            "error": error,
        }
        if self.use_clue:
            info["target_word_clue"] = self.target_word_clue
        if self.use_critic:
            info["critic_agreement"] = self.agreement
            info["critic_explanation"] = self.agreement_expl
            info["guess_critic"] = self.players_dict["Player 2"]
        self.log_metadata(content, game_info=info)

    def _on_after_game(self) -> None:
        if self.state.guesser_error == rules.NO_CLUE_FOUND:
            self.guess, self.explanation, self.agreement, self.agreement_expl = "", "", None, None
            self.log_guess_info(rules.NO_CLUE_FOUND)
        result = self.state.result()
        if result == "ABORTED":
            self.log_event(
                "GM",
                "GM",
                {
                    "type": "invalid format",
                    "content": "Aborted due to invalid format in response",
                    "original_content": self.state.final_status(),
                },
            )
        data = {
            "player_1": self.model_names[0],
            "player_2": self.model_names[1] if len(self.model_names) > 1 else "",
            **self.state.counts(),
            "target_word": self.target_word,
            "target_word_clue": self.target_word_clue,
            "target_word_difficulty": self.target_word_difficulty,
            "game_final_status": result,
            "use_clue": self.use_clue,
            "use_critic": self.use_critic,
        }
        self.log_metadata(f"game_result = {result}", data_for_computation=data)
