"""privateshared's game master (clembench 1.6 behaviour).

The Answerer (Player 1, the model) knows a set of slot values; the programmatic Questioner
(Player 2) asks for them one by one with canned requests. Before the first request and after each
answer comes a probing round: for every slot one yes/no question "does the questioner know X?",
asked on a copy of the dialogue history plus that one question (probes never enter the history),
with up to len(reprompts) tries. The episode is aborted by a slot answer that breaks the format
(no retry) or by a probe that stays unusable after all tries.

v1.6 details kept on purpose: the history starts with the instructions and a fake "Ok." reply; the
request event logs the coda ("... Answer only this question ...") but the model receives only
"TAG: request"; a slot answer enters the history raw (tag included) before it is parsed; request
counts of a slot answer go to the following probing round's index.
"""

from __future__ import annotations

from typing import Any

from parlour.errors import InstanceFileError
from parlour.games.master import ABORTED, DialogueGameMaster, EpisodeAborted
from parlour.games.privateshared import rules
from parlour.games.privateshared.players import Answerer, Questioner
from parlour.games.privateshared.texts import load_texts
from parlour.games.scorer import METRIC_REQUEST_COUNT, METRIC_REQUEST_COUNT_PARSED, METRIC_REQUEST_COUNT_VIOLATED

# GM messages of v1.6 (format strings of its constants)
VALID_AFTER = "Answer for {} valid after {} tries."
INVALID_AFTER = "Answer for {} invalid after max attempts."
CHECK = "Answer is {}correct."
UPDATE = "Value for {} anticipated; ground truth turn updated from {} to {}."
ABORT_SLOT = "Abort: invalid format in slot filling."
ABORT_PROBE = "Abort: invalid format in probing."
ABORT_CONTEXT = "Abort: the prompt exceeds the model's context."  # parlour rule, see games/master.py


class PrivateSharedMaster(DialogueGameMaster):
    """Turn 0 is the first probing round; turn t >= 1 is request t-1, its answer and probing round t."""

    def _on_setup(self, **instance: Any) -> None:
        self.texts = load_texts(self.experiment, str(instance.get("lang", "en")))
        self.tag = f"{instance['tag']}: "
        self.initial_prompt: str = instance["initial_prompt"]
        self.slots: dict[str, str] = dict(instance["slots"])
        self.request_order: list[str] = list(instance["request_order"])
        self.probe_plan: dict[str, dict[str, int]] = instance["probes"]
        self._check_instance(instance)
        # turn at which each slot counts as known; moved earlier when an answer anticipates it
        self.realised: dict[str, int] = {slot: i for i, slot in enumerate(self.request_order)}
        self.max_turns = len(self.slots)
        n_rounds = self.max_turns + 1
        self.request_counts = [0] * n_rounds
        self.parsed_counts = [0] * n_rounds
        self.violated_counts = [0] * n_rounds
        self.pending_round = 0  # the round index that the model call in flight counts for
        self.filled_slots: list[bool] = []
        self.all_probes: list[list[dict[str, Any]]] = []
        self.played_rounds = 0
        self.questioner = Questioner(self.texts, self.request_order, dict(instance["requests"]))
        self.answerer = Answerer(self.player_models[0], self.texts, self.slots, self.request_order)
        self.add_player(self.answerer)
        # the history starts with the instructions and a fake first reply, as in v1.6
        self.add_user_message(self.answerer, self.initial_prompt)
        self.add_assistant_message(self.answerer, "Ok.")

    def _players_record(self) -> dict[str, str]:
        return {
            "GM": f"Game master for {self.game_name}",
            "Player 1": self.answerer.describe(),
            "Player 2": "Questioner: Programmatic",
        }

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.messages_by_player[self.answerer.descriptor]

    def _check_instance(self, instance: dict[str, Any]) -> None:
        """One-line errors for indices that do not fit the experiment's texts (instead of a KeyError mid-game);
        the instance's own shape (slots, request order, probe rounds) is checked when the file is loaded."""
        where = f"privateshared instance {self.experiment.get('name', '?')}/{instance.get('game_id', '?')}"
        for slot, idx in instance["requests"].items():
            if not 0 <= idx < len(self.texts.requests.get(slot, [])):
                raise InstanceFileError(f"{where}: requests['{slot}'] = {idx} has no request text")
        for round_idx in range(len(self.slots) + 1):
            for slot, idx in self.probe_plan[str(round_idx)].items():
                if not 0 <= idx < len(self.texts.probes.get(slot, [])):
                    raise InstanceFileError(f"{where}: probes['{round_idx}']['{slot}'] = {idx} has no question")

    def _does_game_proceed(self) -> bool:
        return self.outcome is None and self.current_turn <= self.max_turns

    async def _play_turn(self) -> bool:
        if self.current_turn == 0:
            self.log_event("GM", "Player 1", {"type": "send message", "content": self.initial_prompt})
        elif not await self._slot_turn():
            self._abort(ABORT_SLOT)
            return False
        if not await self._probing_round():
            self._abort(ABORT_PROBE)
            return False
        return True

    def _on_abort(self, abort: EpisodeAborted) -> None:
        # the call that did not fit counts as a request that was not parsed
        self.request_counts[self.pending_round] += 1
        self.violated_counts[self.pending_round] += 1
        self._abort(ABORT_CONTEXT)

    def _on_after_game(self) -> None:
        self.log_key("probes", self.all_probes)
        self.log_key("realised_slots", self.realised)
        self.log_to_self("end", "Game finished.")
        self.log_key(METRIC_REQUEST_COUNT, self.request_counts)
        self.log_key(METRIC_REQUEST_COUNT_PARSED, self.parsed_counts)
        self.log_key(METRIC_REQUEST_COUNT_VIOLATED, self.violated_counts)
        self.log_key("Filled Slots", self.filled_slots)
        self.log_key("Aborted", self.outcome is not None and self.outcome.status == ABORTED)
        self.log_key("Played Probe Rounds", self.played_rounds)

    def _abort(self, reason: str) -> None:
        self.log_to_self("invalid format", reason)
        self.end(ABORTED, reason)

    async def _slot_turn(self) -> bool:
        """One request and its answer; False if the answer breaks the format."""
        request_idx = self.current_turn - 1
        self.log_event("GM", "Player 2", {"type": "send message", "content": self.texts.dummy_prompt})
        request = f"{self.tag}{self.questioner.request(request_idx)}"
        self.add_user_message(self.answerer, request)
        self.log_event("Player 2", "GM", {"type": "get message", "content": request.replace(self.tag, "").strip()})
        # the event logs the coda, the model receives only "TAG: request" (v1.6)
        self.pending_round = turn = self.current_turn  # = the index of the probing round that follows
        answer = await self.ask(
            self.answerer, self.messages, turn_idx=request_idx, content=self.texts.coda.format(request)
        )
        self.add_assistant_message(self.answerer, answer)
        self.request_counts[turn] += 1
        parsed = rules.parse_slot_answer(answer, self.texts.answer)
        self.log_to_self("parse", parsed)
        if parsed == rules.INVALID:
            self.violated_counts[turn] += 1
            return False
        self.parsed_counts[turn] += 1
        slot = self.request_order[request_idx]
        filled = rules.mentions(self.slots[slot], answer)
        self.filled_slots.append(filled)
        self.log_to_self("metadata", f"Slot filled: {filled}")
        for other, previous in rules.anticipated(self.slots, self.realised, answer, request_idx):
            self.log_to_self("metadata", UPDATE.format(other.upper(), previous, request_idx))
            self.realised[other] = request_idx
        self.log_event("GM", "Player 2", {"type": "send message", "content": parsed})
        return True

    async def _probing_round(self) -> bool:
        """Ask every probe of this round; stops at the first probe that stays unusable."""
        self.log_to_self("info", "Begin probing")
        round_idx = self.current_turn
        probes = [
            {
                "target": slot.upper(),
                "question": self.texts.probe.format(self.texts.probes[slot][variant]),
                "gt": rules.ground_truth(round_idx, self.realised[slot]),
            }
            for slot, variant in self.probe_plan[str(round_idx)].items()
        ]
        self.all_probes.append(probes)  # filled in below; a round cut short stays as far as it got
        ok = True
        for probe in probes:
            answer, parsed, valid, tries = await self._ask_probe(probe["question"], round_idx)
            probe["answer"] = answer
            probe["value"] = rules.probe_value(parsed, self.texts.yes, self.texts.no)
            probe["tries"] = tries
            outcome = VALID_AFTER.format(probe["target"], tries) if valid else INVALID_AFTER.format(probe["target"])
            self.log_to_self("metadata", outcome)
            self.log_to_self("check", CHECK.format("" if probe["value"] == probe["gt"] else "in"))
            if not valid:
                ok = False
                break
        if ok:
            self.played_rounds += 1
        self.log_to_self("info", "End probing")
        return ok

    async def _ask_probe(self, question: str, round_idx: int) -> tuple[str, str, bool, int]:
        """(last answer, parse, valid?, tries) -- tries is one past the limit when all failed, as in v1.6."""
        history = [*self.messages, {"role": "user", "content": ""}]
        tries = 1
        answer, parsed = "", rules.INVALID
        while tries <= len(self.texts.reprompts):
            content = rules.probe_question(question, self.texts.me, self.texts.reprompts[tries - 1])
            history[-1] = {"role": "user", "content": content}
            self.pending_round = round_idx
            answer = await self.ask(
                self.answerer, history, turn_idx=round_idx, kinds=("probe question", "probe answer")
            )
            self.request_counts[round_idx] += 1
            parsed = rules.parse_probe_answer(answer, self.texts.aside, self.texts.yes, self.texts.no)
            self.log_to_self("parse", parsed)
            if parsed in (self.texts.yes, self.texts.no):
                self.parsed_counts[round_idx] += 1
                return answer, parsed, True, tries
            self.violated_counts[round_idx] += 1
            tries += 1
        return answer, parsed, False, tries
