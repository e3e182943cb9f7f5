"""Prompts rendered by parlour itself for local engines (transformers, vLLM): the tokenizer's chat
template (or the spec's `chat_template`) applied after clembench's message normalisation, the
template's end-of-turn tokens as stops, and the completion split into the raw text and the reply.

Rendering in parlour rather than in the engine keeps the exact prompt string in requests.json and the
template in the spec, whichever engine generates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parlour.errors import BackendError, ParlourError
from parlour.models.messages import ensure_alternating_roles

# End-of-turn markers of common chat templates; any that the template uses is a stop token.
KNOWN_END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>")


def load_tokenizer(location: str, gguf_file: str | None, model_name: str) -> Any:
    """A transformers tokenizer from a folder (or from the GGUF file inside it)."""
    from transformers import AutoTokenizer

    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    try:
        return AutoTokenizer.from_pretrained(location, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise ParlourError(f"model {model_name}: cannot load tokenizer from {location}: {exc}") from exc


@dataclass
class Reply:
    """A completion split at its stop: `raw` keeps the stop token (recorded), `text` is what the game gets."""

    raw: str
    text: str
    finish_reason: str  # "stop" | "length"
    tokens: int  # completion tokens, the stop token included


class ChatTemplate:
    """One tokenizer + template: renders prompts, names the stop tokens, splits completions."""

    def __init__(
        self, tokenizer: Any, chat_template: str | None, model_name: str, user_stops: list[str] | None = None
    ) -> None:
        self.tokenizer = tokenizer
        self.chat_template = chat_template
        self.model_name = model_name
        self.user_stops = list(user_stops or [])
        self.source: str = chat_template or tokenizer.chat_template
        if not self.source:
            raise ParlourError(f"model {model_name}: the tokenizer has no chat template; set chat_template")

    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt string the model sees."""
        try:
            return self.tokenizer.apply_chat_template(
                ensure_alternating_roles(messages),
                chat_template=self.chat_template,
                tokenize=False,
                add_generation_prompt=True,
            )
        except Exception as exc:  # jinja2 errors from the template itself
            raise BackendError(f"model {self.model_name}: chat template failed: {exc}") from exc

    def encode(self, prompt: str) -> list[int]:
        """Token ids of a rendered prompt; the template already wrote any BOS, so none is added."""
        return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]

    @property
    def stop_tokens(self) -> list[str]:
        """EOS and the template's end-of-turn token(s): generation stops at any of them."""
        stops: list[str] = []
        for token in KNOWN_END_OF_TURN:
            if token in self.source and self._single_token_id(token) is not None:
                stops.append(token)
        eos = self.tokenizer.eos_token
        if eos and eos not in stops:
            stops.append(eos)
        return stops

    def _single_token_id(self, token: str) -> int | None:
        ids = self.tokenizer.convert_tokens_to_ids([token])
        unk = self.tokenizer.unk_token_id
        return ids[0] if ids and ids[0] is not None and ids[0] != unk else None

    def stop_token_ids(self, extra_eos: Any = None) -> list[int]:
        """Ids of the stop tokens, plus the weights' generation-config EOS id(s) if given."""
        ids = [i for i in (self._single_token_id(t) for t in self.stop_tokens) if i is not None]
        for extra in extra_eos if isinstance(extra_eos, list) else [extra_eos]:
            if isinstance(extra, int) and extra not in ids:
                ids.append(extra)
        return ids

    def split_reply(self, new_ids: list[int], stop_ids: list[int], pad_id: int | None = None) -> Reply:
        """Cut generated ids at the first stop token; trailing padding (a finished batch row) is dropped."""
        stop_set = set(stop_ids)
        cut = next((i for i, token in enumerate(new_ids) if token in stop_set), None)
        if cut is None:
            kept = new_ids
            while kept and kept[-1] == pad_id and pad_id not in stop_set:
                kept = kept[:-1]
            raw_ids, text_ids, finish = kept, kept, "length"
        else:
            raw_ids, text_ids, finish = new_ids[: cut + 1], new_ids[:cut], "stop"
        raw = self.tokenizer.decode(raw_ids, skip_special_tokens=False)
        text = self.tokenizer.decode(text_ids, skip_special_tokens=False)
        for stop in self.user_stops:  # user stop strings end the reply where they first appear
            if stop in text:
                text, finish = text.split(stop, 1)[0], "stop"
        for token in self.stop_tokens:  # a stop token can survive when the reply is cut at max tokens
            text = text.replace(token, "")
        return Reply(raw, text.strip(), finish, len(raw_ids))


class TemplatedPrompts:
    """For backends that render prompts with a `ChatTemplate` held in `self.template`: what `parlour doctor`
    and requests.json read about the prompt and the stops."""

    template: ChatTemplate

    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt string the model sees."""
        return self.template.render(messages)

    @property
    def template_source(self) -> str:
        """The Jinja template in effect (the spec's or the tokenizer's)."""
        return self.template.source

    @property
    def stop_tokens(self) -> list[str]:
        """EOS and the template's end-of-turn token(s): generation stops at any of them."""
        return self.template.stop_tokens
