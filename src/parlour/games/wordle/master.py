"""The game master of wordle, wordle_withclue and wordle_withcritic (clembench 1.6 behaviour).

One interaction turn per guesser call. A valid guess is checked against the target and consumes
one of the six attempts; a reply with a format error (INVALID_FORMAT, INVALID_WORD,
INVALID_WORD_LENGTH) is answered with a retry request and does not consume an attempt, and the 3rd
consecutive such error aborts; a well-formed word outside the allowed list (NOT_VALID_ENGLISH_WORD)
counts as parsed, resets the format-error counter and aborts on the 6th consecutive time. A valid
guess resets both counters.

wordle_withcritic: each attempt's first valid guess goes to the critic (Player 2, logged in the same
turn), whose verdict "agreement: yes|no" goes back to the guesser; the guesser's next valid guess is
the one that is checked. Only the lowercase "no" counts as disagreement in the logged status.

Differences from v1.6, where v1.6 would hang or crash:
- v1.6 retried a malformed critic verdict forever (`while game.proceeds:` tests a method object, which
  is always true). As clembench fixed it later (2024-09-23), the retries are bounded by
  `max_retry_per_error`: the 3rd consecutive malformed verdict ends the episode as aborted, with an
  `error` event from Player 2 and `critic_error` in `data_for_computation`.
- A prompt that no longer fits the model's context (ContextExceededError) ends the episode as
  aborted with status CONTEXT_EXCEEDED_ERROR (the later clembench handling); the failed call counts
  as a request that was not parsed.
- An instance without a clue in a clue variant (v1.6: NO_CLUE_FOUND, then scored as a win) is aborted.
"""

from __future__ import annotations

from typing import Any

from parlour.errors import ContextExceededError
from parlour.games.master import GameMaster
from parlour.games.player import Player
from parlour.games.wordle import rules
from parlour.games.wordle.players import Critic, Guesser
from parlour.games.wordle.prompts import DO_NOT_USE, PromptBook

_CHANGE_INDENT = " " * 48  # v1.6 logs these lines with the indentation of its source code


class WordleMaster(GameMaster):
    """Plays one wordle episode; the variant follows the experiment's `use_clue` / `use_critic`."""

    # ------------------------------------------------------------------ setup
    def setup(self, **instance: Any) -> None:
        config = self.experiment["common_config"]
        self.use_clue = bool(self.experiment["use_clue"])
        self.use_critic = bool(self.experiment["use_critic"])
        self.target_word: str = str(instance["target_word"]).strip()
        self.target_word_clue: str = str(instance.get("target_word_clue", "")).strip()
        self.target_word_difficulty = instance.get("target_word_difficulty")
        self.max_attempts = int(config["max_attempts_per_game"])
        self.max_retry = int(config["max_retry_per_error"])
        self.max_retry_invalid_word = int(config["max_retry_invalid_word"])
        self.word_length = int(config["max_word_length"])
        self.max_critic_opinion_count = int(config["max_critic_opinion_count"])
        self.keywords = self.experiment.get("response_format_keywords") or rules.DEFAULT_KEYWORDS
        words = self.experiment["english_words"]
        self.allowed = frozenset(words)
        self.book = PromptBook(self.experiment, self.target_word_clue)

        self.guesser = Guesser(self.player_models[0], self.target_word, words)
        self.guesser.descriptor = "Player 1"
        self.model_names = [self.player_models[0].name]
        players = {"GM": "Game master for wordle", "Player 1": self.guesser.describe()}
        self.critic: Critic | None = None
        if self.use_critic:
            critic_model = self.player_models[1] if len(self.player_models) > 1 else self.player_models[0]
            self.critic = Critic(critic_model, self.target_word)
            self.critic.descriptor = "Player 2"
            self.model_names.append(critic_model.name)
            players["Player 2"] = self.critic.describe()
        else:
            # single-player variants: the feedback comes from the game itself
            players["Player 2"] = "Guess Word Evaluator (Programmatic)"
        self.players_dict = players
        self.log_players(players)

        self.guesser_history: list[dict[str, str]] = []
        self.critic_history: list[dict[str, str]] = []
        self.attempts = 0
        self.terminate = False
        self.guesser_error: str | None = None
        self.critic_error: str | None = None
        self.guesser_retry = 0
        self.guesser_retry_invalid_word = 0
        self.critic_retry = 0
        self.guesser_req_count = 0
        self.critic_req_count = 0
        self.guesser_parsed_req_count = 0
        self.critic_parsed_req_count = 0
        self.turn_results: list[list[str]] = []
        self.turn_req_count: list[int] = []
        self.turn_parse_count: list[int] = []
        self.change_guess_words: list[list[str]] = []
        if self.use_clue and not self.target_word_clue:
            self.guesser_error = rules.NO_CLUE_FOUND

    # ------------------------------------------------------------------ rules of continuation
    def proceeds(self) -> bool:
        if self.terminate:
            return False
        if self.use_critic and self.critic_error:
            if self.critic_error == rules.CONTEXT_EXCEEDED_ERROR:
                return False
            return self.critic_retry < self.max_retry
        if self.guesser_error:
            if self.guesser_error in (rules.NO_CLUE_FOUND, rules.CONTEXT_EXCEEDED_ERROR):
                return False
            if self.guesser_error == rules.NOT_VALID_ENGLISH_WORD:
                return self.guesser_retry_invalid_word < self.max_retry_invalid_word
            return self.guesser_retry < self.max_retry
        return self.attempts < self.max_attempts

    def final_status(self) -> str:
        if self.use_critic and self.critic_error:
            status: str | None = self.critic_error
        elif self.guesser_error:
            status = self.guesser_error
        elif self.terminate:
            status = "SUCCESS"
        elif self.attempts == self.max_attempts:
            status = "MAX_ATTEMPTS_REACHED"
        else:
            status = None
        return status or "SUCCESS"

    # ------------------------------------------------------------------ model calls
    async def _call(self, player: Player, history: list[dict[str, str]]) -> str | None:
        """Send the history, log send/get; None when the prompt exceeded the model's context."""
        send = {"type": "send message", "content": history[-1]["content"]}
        try:
            reply = await player(list(history), self.attempts)
        except ContextExceededError as exc:
            self.log_event("GM", player.descriptor, send)
            self.log_event("GM", "GM", {"type": "error", "content": f"{rules.CONTEXT_EXCEEDED_ERROR}: {exc}"})
            return None
        self.log_event("GM", player.descriptor, send, call=reply)
        text = reply.text
        self.log_event(player.descriptor, "GM", {"type": "get message", "content": text})
        return text

    async def ask_guesser(
        self, guess: str, explanation: str, feedback: str | None, agreement: str | None, agreement_expl: str | None
    ) -> tuple[str, str]:
        history = self.guesser_history
        if not history:
            history.extend(self.book.guesser_opening())
        elif self.guesser_error:
            if self.guesser_error == rules.NOT_VALID_ENGLISH_WORD:
                self.guesser_retry_invalid_word += 1
            else:
                self.guesser_retry += 1
            history.append(self.book.guess_echo(guess, explanation, after_error=True))
            history.append({"role": "user", "content": self.book.guesser_retry(self.guesser_error)})
        else:
            history.append(self.book.guess_echo(guess, explanation))
            history.append({"role": "user", "content": self.book.guesser_next(feedback, agreement, agreement_expl)})
        self.guesser_req_count += 1
        text = await self._call(self.guesser, history)
        if text is None:
            self.guesser_error = rules.CONTEXT_EXCEEDED_ERROR
            return guess, explanation
        result = rules.parse_reply(text, self.keywords["guess"], self.keywords["explanation"])
        self.log_event("GM", "GM", {"type": "parse", "content": result})
        guess, explanation = result[self.keywords["guess"]], result["explanation"]
        self.guesser_error = rules.guess_error(guess, self.allowed, self.word_length)
        if self.guesser_error is None:
            self.guesser_retry = 0
            self.guesser_retry_invalid_word = 0
            self.guesser_parsed_req_count += 1
        elif self.guesser_error == rules.NOT_VALID_ENGLISH_WORD:
            self.guesser_retry = 0
            self.guesser_parsed_req_count += 1
        return guess, explanation

    async def ask_critic(
        self, guess: str, explanation: str, feedback: str | None, agreement: str | None, agreement_expl: str | None
    ) -> tuple[str | None, str | None]:
        assert self.critic is not None
        history = self.critic_history
        if self.critic_error:
            self.critic_retry += 1
            history.append(self.book.verdict_echo(str(agreement), str(agreement_expl)))
            history.append({"role": "user", "content": self.book.critic_retry()})
        else:
            body = self.book.critic_body(guess, explanation, feedback)
            if not history:
                history.extend(self.book.critic_opening(body))
            else:
                if agreement == DO_NOT_USE:
                    history.append({"role": "user", "content": ""})
                else:
                    history.append(self.book.verdict_echo(str(agreement), str(agreement_expl)))
                history.append({"role": "user", "content": body})
        self.critic_req_count += 1
        text = await self._call(self.critic, history)
        if text is None:
            self.critic_error = rules.CONTEXT_EXCEEDED_ERROR
            return agreement, agreement_expl
        result = rules.parse_agreement(text, self.keywords)
        self.log_event("GM", "GM", {"type": "parse", "content": result})
        agreement, agreement_expl = result[self.keywords["agreement"]], result["explanation"]
        self.critic_error = rules.INVALID_FORMAT if agreement == rules.INVALID_FORMAT else None
        if self.critic_error is None:
            self.critic_retry = 0
            self.critic_parsed_req_count += 1
        return agreement, agreement_expl

    # ------------------------------------------------------------------ logging
    def log_metadata(self, content: str, **extra: Any) -> None:
        self.log_event("GM", "GM", {"type": "metadata", "content": content, **extra})

    def log_guess_info(
        self, guess: str, explanation: str, error: str | None, agreement: Any, agreement_expl: Any, feedback: str = ""
    ) -> None:
        attempts = self.attempts if error else self.attempts + 1
        if error:
            content = f"Guesser Error: {error} while parsing Player 1's (model: {self.model_names[0]}) response"
        else:
            clue_line = f"target_word_clue = {self.target_word_clue}\n" if self.use_clue else ""
            content = (
                f"attempts: {attempts}\ntarget_word = {self.target_word}\n{clue_line}"
                f"guess: {guess}\nguess_feedback: {feedback}"
            )
        info: dict[str, Any] = {
            "attempts": attempts,
            "target_word": self.target_word,
            "target_word_difficulty": self.target_word_difficulty,
            "guesser": self.players_dict["Player 1"],
            "guess": guess,
            "explanation": explanation,
            "error": error,
        }
        if self.use_clue:
            info["target_word_clue"] = self.target_word_clue
        if self.use_critic:
            info["critic_agreement"] = agreement
            info["critic_explanation"] = agreement_expl
            info["guess_critic"] = self.players_dict["Player 2"]
        self.log_metadata(content, game_info=info)

    def check_guess(self, guess: str) -> str:
        """Feedback for a valid guess; records it with the cumulative request counts."""
        feedback = rules.letter_feedback(guess, self.target_word)
        if rules.is_solved(feedback):
            self.terminate = True
        self.turn_results.append([guess, feedback])
        critic_requests = self.critic_req_count if self.use_critic else 0
        critic_parsed = self.critic_parsed_req_count if self.use_critic else 0
        self.turn_req_count.append(self.guesser_req_count + critic_requests)
        self.turn_parse_count.append(self.guesser_parsed_req_count + critic_parsed)
        return feedback

    # ------------------------------------------------------------------ the episode
    async def play(self) -> None:
        guess, explanation = "", ""
        feedback: str | None = None
        agreement: str | None = None
        agreement_expl: str | None = None
        awaiting_critic = self.use_critic
        opinions = 0
        guess_before_critic = ""
        while self.proceeds():
            self.log_next_turn()
            guess, explanation = await self.ask_guesser(guess, explanation, feedback, agreement, agreement_expl)
            if self.guesser_error:
                if self.guesser_error == rules.CONTEXT_EXCEEDED_ERROR:
                    continue
                self.log_guess_info(guess, explanation, self.guesser_error, agreement, agreement_expl)
                continue
            if not self.use_critic:
                feedback = self.check_guess(guess)
                self.log_guess_info(guess, explanation, None, agreement, agreement_expl, feedback)
                self.attempts += 1
                continue
            if awaiting_critic:
                guess_before_critic = guess
                while True:
                    agreement, agreement_expl = await self.ask_critic(
                        guess, explanation, feedback, agreement, agreement_expl
                    )
                    if not self.critic_error or not self.proceeds():
                        break
                if self.critic_error:
                    self.log_event("Player 2", "GM", {"type": "error", "content": self.critic_error})
                    break
                if agreement == "no":
                    self.log_metadata(
                        "Critic disagrees with the Guesser -- Sharing the critic's explanation with the guesser"
                    )
                else:
                    self.log_metadata(
                        "Critic agrees with the Guesser -- Sharing the critic's explanation with the guesser"
                    )
                opinions += 1
                if opinions == self.max_critic_opinion_count:
                    awaiting_critic = False
                    feedback = ""
                continue
            self.change_guess_words.append([guess_before_critic, guess, str(agreement)])
            changed = "Change" if guess_before_critic != guess else "No change"
            self.log_metadata(
                f"{changed} in player1's guess\nguess_before_critic_opinion: {guess_before_critic}\n"
                f"{_CHANGE_INDENT}critic_agreement: {agreement}\nguess_after_critic_opinion: {guess}\n"
                f"{_CHANGE_INDENT}Proceeding with guess validation"
            )
            feedback = self.check_guess(guess)
            self.log_guess_info(guess, explanation, self.critic_error, agreement, agreement_expl, feedback)
            self.attempts += 1
            agreement, agreement_expl = DO_NOT_USE, DO_NOT_USE
            awaiting_critic = True
            opinions = 0
        self.log_result()

    def log_result(self) -> None:
        if self.guesser_error == rules.NO_CLUE_FOUND:
            self.log_guess_info("", "", rules.NO_CLUE_FOUND, None, None)
        status = self.final_status()
        if status in rules.ABORTING_ERRORS or status == rules.NO_CLUE_FOUND:
            self.log_event(
                "GM",
                "GM",
                {
                    "type": "invalid format",
                    "content": "Aborted due to invalid format in response",
                    "original_content": status,
                },
            )
            result = "ABORTED"
        elif status == "MAX_ATTEMPTS_REACHED":
            result = "LOSS"
        else:
            result = "WIN"
        data = {
            "player_1": self.model_names[0],
            "player_2": self.model_names[1] if len(self.model_names) > 1 else "",
            "total_attempts": self.attempts,
            "turns_req_count": self.turn_req_count,
            "turns_parse_count": self.turn_parse_count,
            "turns_guess_feedback": self.turn_results,
            "critic_guesses_change": self.change_guess_words,
            "guesser_error": self.guesser_error,
            "critic_error": self.critic_error,
            "guesser retry count": self.guesser_retry,
            "critic retry count": self.critic_retry,
            "guesser_req_count": self.guesser_req_count,
            "critic_req_count": self.critic_req_count,
            "guesser_parsed_req_count": self.guesser_parsed_req_count,
            "critic_parsed_req_count": self.critic_parsed_req_count,
            "target_word": self.target_word,
            "target_word_clue": self.target_word_clue,
            "target_word_difficulty": self.target_word_difficulty,
            "game_final_status": result,
            "use_clue": self.use_clue,
            "use_critic": self.use_critic,
        }
        self.log_metadata(f"game_result = {result}", data_for_computation=data)
