"""How the players' message histories grow, turn by turn (clembench 1.6 layout).

The long opening prompts come from the instance file's experiment (`system_definition`,
`guesser_prompt`, `guesser_critic_prompt`). The short retry messages are not in v1.6's instance
files but in its code; an experiment may carry its own under `reprompts` (parlour's generated
instances do) and otherwise v1.6's wording below is used, so that official instances replay the
recorded prompts exactly.

Guesser history: user = system definition + guesser prompt (+ "clue:<clue>\\n"); after each reply
the game master writes back a reconstructed assistant message "guess:<g>\\nexplanation:<e>\\n" (in the
critic variant prefixed by "clue:<clue>\\n" when the reply was invalid) and then the next user message:
the feedback, the critic's opinion, or a retry request.
Critic history: user = critic prompt + "clue:..\\nguess:..\\nexplanation:..\\n"; later attempts add an
empty user message (the critic never sees its earlier verdicts) and the new guess with the previous
feedback; a malformed verdict is written back as "agreement:<a>\\nexplanation:<x>\\n" plus a retry request.
"""

from __future__ import annotations

from typing import Any

from parlour.games.wordle import rules

# v1.6's retry messages (functional strings of the original game code, needed for prompt parity).
V16_REPROMPTS: dict[str, str] = {
    rules.INVALID_WORD_LENGTH: "the word should have exactly 5 letters. Please try again",
    rules.INVALID_WORD: "the word should contain only alphabets. Please try again",
    rules.NOT_VALID_ENGLISH_WORD: "your guess is not a valid word for this game. Please try again",
    rules.INVALID_FORMAT: "Provide your response only in this format:\n"
    "guess:word\nexplanation:details.\nPlease try again",
    "CRITIC_INVALID_FORMAT": "Provide your response only in this format:\n"
    "agreement:yes or no\nexplanation:details\nPlease try again",
}

# Agreement value that marks "no critic opinion for this guess" (after a validated attempt).
DO_NOT_USE = "do_not_use"


class PromptBook:
    """Builds the guesser's and the critic's next message from the experiment's texts."""

    def __init__(self, experiment: dict[str, Any], clue: str) -> None:
        self.experiment = experiment
        self.clue = clue
        self.use_clue = bool(experiment.get("use_clue"))
        self.use_critic = bool(experiment.get("use_critic"))
        self.keywords = experiment.get("response_format_keywords") or rules.DEFAULT_KEYWORDS
        self.reprompts = {**V16_REPROMPTS, **(experiment.get("reprompts") or {})}
        common = experiment.get("common_config") or {}
        self.use_system_message = bool(common.get("use_system_message", False))

    def guesser_opening(self) -> list[dict[str, str]]:
        system = self.experiment.get("system_definition", "")
        messages = [dict(m) for m in self.experiment["guesser_prompt"]]
        if self.use_system_message:
            messages.insert(0, {"role": "system", "content": system})
        else:
            messages[0]["content"] = system + messages[0]["content"]
        if self.use_clue:
            messages[-1]["content"] += f"clue:{self.clue}\n"
        return messages

    def guess_echo(self, guess: str, explanation: str, after_error: bool = False) -> dict[str, str]:
        prefix = f"clue:{self.clue}\n" if (after_error and self.use_critic) else ""
        g, e = self.keywords["guess"], self.keywords["explanation"]
        return {"role": "assistant", "content": f"{prefix}{g}:{guess}\n{e}:{explanation}\n"}

    def guesser_next(self, feedback: str | None, agreement: str | None, agreement_explanation: str | None) -> str:
        """After a valid guess: the critic's opinion (right after it was given) or the letter feedback."""
        if self.use_critic and agreement in self.keywords["agreement_match_keywords"]:
            return f"clue:{self.clue}\nguess_agreement:{agreement}\nagreement_explanation:{agreement_explanation}\n"
        return f"guess_feedback: {feedback}"

    def guesser_retry(self, error: str) -> str:
        return self.reprompts[error]

    def critic_body(self, guess: str, explanation: str, feedback: str | None) -> str:
        body = f"clue:{self.clue}\nguess:{guess}\nexplanation:{explanation}\n"
        if feedback:
            body += f"guess_feedback: {feedback}"
        return body

    def critic_opening(self, body: str) -> list[dict[str, str]]:
        messages = [dict(m) for m in self.experiment["guesser_critic_prompt"]]
        messages[-1]["content"] += body
        return messages

    def verdict_echo(self, agreement: str, explanation: str) -> dict[str, str]:
        a, e = self.keywords["agreement"], self.keywords["explanation"]
        return {"role": "assistant", "content": f"{a}:{agreement}\n{e}:{explanation}\n"}

    def critic_retry(self) -> str:
        return self.reprompts["CRITIC_INVALID_FORMAT"]
