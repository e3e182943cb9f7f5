"""Turn-taking diagnostics: how a model's chat template frames a conversation, and the classic faults.

Faults detected on a reply (or a recorded request):

- `past_end_of_turn`: the reply goes on after an end-of-turn token, or (when special tokens were
  decoded away) runs straight into a new turn header, as early Llama-3 releases did when generation
  stopped only on `<|end_of_text|>` and not on `<|eot_id|>`.
- `role_marker`: a role marker (`<|im_start|>`, `[INST]`, `Assistant:`, ...) leaked into the reply.
- `default_system_prompt`: the template put a system message into a prompt whose messages had none
  (SmolLM2's template does this).
- `max_tokens_cut`: the reply stopped because it hit max tokens, not because the model ended its turn.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parlour.errors import ResultsError
from parlour.textfiles import read_json

FAULTS: dict[str, str] = {
    "past_end_of_turn": "generation ran past the end of its turn",
    "role_marker": "a role marker leaked into the reply",
    "default_system_prompt": "the template injects a default system prompt",
    "max_tokens_cut": "the reply was cut at max tokens",
}

END_OF_TURN_MARKERS = (
    "<|im_end|>",
    "<|eot_id|>",
    "<|end_of_text|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "</s>",
)
ROLE_MARKERS = re.compile(
    r"<\|im_start\|>|<\|start_header_id\|>|<\|(?:user|assistant|system)\|>|\[/?INST\]|<start_of_turn>"
    r"|<<SYS>>|<\|begin_of_text\|>"
    r"|^[ \t]*(?:#{2,3}[ \t]*)?(?:User|Assistant|Human|System|USER|ASSISTANT|HUMAN|SYSTEM)[ \t]*:",
    re.MULTILINE,
)
# A turn header glued to the previous text once special tokens are decoded away ("...bananaassistant\n\n").
RUN_ON_HEADER = re.compile(r"(?<=\S)(?:assistant|user)(?:<\|end_header_id\|>)?[ \t]*\n\n\S")
# System blocks of common templates: (opening, closing) markers.
SYSTEM_BLOCKS = (
    ("<|im_start|>system\n", "<|im_end|>"),
    ("<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>"),
    ("<|system|>\n", "<|end|>"),
    ("<start_of_turn>system\n", "<end_of_turn>"),
    ("[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]"),
    ("<<SYS>>\n", "\n<</SYS>>"),
)
# A sample chat that shows how turns are framed: a system-less opening, one completed turn, a new request.
SAMPLE_CHAT: list[dict[str, str]] = [
    {"role": "user", "content": "We play a word game. Answer only in the form GUESS: <word>. A yellow fruit?"},
    {"role": "assistant", "content": "GUESS: banana"},
    {"role": "user", "content": "Wrong. A red fruit that keeps the doctor away?"},
]


@dataclass(frozen=True)
class Fault:
    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {FAULTS[self.code]} ({self.detail})"


def check_reply(
    raw_reply: str,
    *,
    stop_tokens: list[str] | tuple[str, ...] = (),
    finish_reason: str | None = None,
    completion_tokens: int | None = None,
    max_tokens: int | None = None,
) -> list[Fault]:
    """Faults in one reply. `raw_reply` is the generated text before any stop-token stripping."""
    faults: list[Fault] = []
    markers = tuple(dict.fromkeys((*END_OF_TURN_MARKERS, *stop_tokens)))
    for marker in markers:
        position = raw_reply.find(marker)
        if position >= 0 and raw_reply[position + len(marker) :].strip():
            after = raw_reply[position + len(marker) :].strip()[:40]
            faults.append(Fault("past_end_of_turn", f"text after {marker}: {after!r}"))
            break
    else:
        run_on = RUN_ON_HEADER.search(raw_reply)
        if run_on:
            faults.append(Fault("past_end_of_turn", f"new turn header in the text: {run_on.group(0)!r}"))
    role = ROLE_MARKERS.search(raw_reply)
    if role:
        faults.append(Fault("role_marker", f"{role.group(0).strip()!r}"))
    if finish_reason == "length" or (
        max_tokens is not None and completion_tokens is not None and completion_tokens >= max_tokens
    ):
        faults.append(Fault("max_tokens_cut", f"{completion_tokens or max_tokens} tokens"))
    return faults


def injected_system_prompt(prompt: str, messages: list[dict[str, str]] | None = None) -> str | None:
    """The system text a template added to `prompt`, or None.

    With `messages` known, a system block counts as injected only when no message had the system role;
    without them (recorded prompts), any non-empty system block counts: the v1.6 games send none.
    """
    if messages is not None and any(m.get("role") == "system" and m.get("content") for m in messages):
        return None
    for opening, closing in SYSTEM_BLOCKS:
        start = prompt.find(opening)
        if start < 0:
            continue
        body_start = start + len(opening)
        end = prompt.find(closing, body_start)
        body = prompt[body_start : end if end >= 0 else None].strip()
        if body:
            return body
    return None


def check_prompt(prompt: str, messages: list[dict[str, str]] | None = None) -> list[Fault]:
    """Faults visible in a rendered prompt."""
    injected = injected_system_prompt(prompt, messages)
    if injected:
        return [Fault("default_system_prompt", repr(injected[:80]))]
    return []


# -- one model: template, stop tokens, one reply -------------------------------------------------


@dataclass
class ModelDiagnosis:
    model: str
    backend: str
    template: str | None
    prompt: str | None  # the exact prompt string, or the JSON request body for API backends
    stop_tokens: list[str]
    reply_raw: str | None = None
    reply_text: str | None = None
    finish_reason: str | None = None
    faults: list[Fault] = field(default_factory=list)


def _raw_completion(prompt: dict[str, Any], response: dict[str, Any]) -> str:
    """The generated text as it came out of the model, before stop-token stripping."""
    if isinstance(response.get("completion"), str):
        return response["completion"]
    text = response.get("response")
    inputs = prompt.get("inputs")
    if isinstance(text, str):
        # clembench's HF backend records the full decoded sequence, prompt included
        return text[len(inputs) :] if isinstance(inputs, str) and text.startswith(inputs) else text
    choices = response.get("choices")
    if isinstance(choices, list) and choices:
        message = choices[0].get("message") or {}
        return str(message.get("content") or choices[0].get("text") or "")
    player = response.get("clem_player") or {}
    return str(player.get("response", ""))


def _finish(response: dict[str, Any]) -> tuple[str | None, int | None]:
    finish = response.get("finish_reason")
    choices = response.get("choices")
    if finish is None and isinstance(choices, list) and choices:
        finish = choices[0].get("finish_reason")
    usage = response.get("usage") or {}
    tokens = usage.get("completion_tokens") or usage.get("output_tokens")
    return finish, tokens if isinstance(tokens, int) else None


async def diagnose_model(model: Any, generate: bool = True) -> ModelDiagnosis:
    """Render SAMPLE_CHAT through a loaded backend, optionally generate one reply, and check both."""
    spec = model.spec
    render = getattr(model, "render", None)
    stops = list(getattr(model, "stop_tokens", None) or getattr(model, "stop", None) or spec.stop)
    if callable(render):
        prompt_text: str | None = render(SAMPLE_CHAT)
    elif callable(getattr(model, "request_body", None)):
        prompt_text = json.dumps(model.request_body(SAMPLE_CHAT), indent=2, ensure_ascii=False)
    else:
        prompt_text = None
    diagnosis = ModelDiagnosis(
        model=spec.name,
        backend=spec.backend,
        template=getattr(model, "template_source", None),
        prompt=prompt_text,
        stop_tokens=stops,
    )
    if callable(render) and prompt_text is not None:
        diagnosis.faults += check_prompt(prompt_text, SAMPLE_CHAT)
    if generate:
        generation = await model.generate(SAMPLE_CHAT)
        raw = _raw_completion(generation.prompt, generation.response)
        finish, tokens = _finish(generation.response)
        tokens = tokens if tokens is not None else generation.usage.get("completion_tokens")
        diagnosis.reply_raw, diagnosis.reply_text, diagnosis.finish_reason = raw, generation.text, finish
        diagnosis.faults += check_reply(
            raw, stop_tokens=stops, finish_reason=finish, completion_tokens=tokens, max_tokens=spec.max_tokens
        )
    return diagnosis


# -- a results folder --------------------------------------------------------------------------


@dataclass
class ResultsDiagnosis:
    """Per model: how many replies were checked and how many show each fault."""

    replies: Counter[str] = field(default_factory=Counter)
    rendered_prompts: Counter[str] = field(default_factory=Counter)  # replies whose prompt text is recorded
    faults: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, fault) -> file


def _model_of(request: dict[str, Any], pair: str) -> str:
    player = (request.get("raw_response_obj") or {}).get("clem_player") or {}
    name = player.get("model_name")
    return str(name) if name else pair.split("--")[0]


def diagnose_results(results: Path) -> ResultsDiagnosis:
    """Check every recorded request under a results folder (clembench layout)."""
    if not results.is_dir():
        raise ResultsError(f"{results}: results folder does not exist")
    report = ResultsDiagnosis()
    for path in sorted(results.rglob("requests.json")):
        requests = read_json(path, ResultsError, "requests file")
        pair = path.relative_to(results).parts[0]
        for request in requests if isinstance(requests, list) else []:
            prompt = request.get("manipulated_prompt_obj") or {}
            response = request.get("raw_response_obj") or {}
            if not isinstance(prompt, dict) or not isinstance(response, dict):
                continue
            model = _model_of(request, pair)
            report.replies[model] += 1
            finish, tokens = _finish(response)
            stops = [s for key in ("stop_tokens", "stop") for s in (prompt.get(key) or []) if isinstance(s, str)]
            max_tokens = prompt.get("max_new_tokens") or prompt.get("max_tokens")
            faults = check_reply(
                _raw_completion(prompt, response),
                stop_tokens=stops,
                finish_reason=finish,
                completion_tokens=tokens,
                max_tokens=max_tokens if isinstance(max_tokens, int) and tokens is not None else None,
            )
            inputs = prompt.get("inputs")
            if isinstance(inputs, str):
                report.rendered_prompts[model] += 1
                messages = prompt.get("messages") if isinstance(prompt.get("messages"), list) else None
                faults += check_prompt(inputs, messages)
            for code in {f.code for f in faults}:
                report.faults[model][code] += 1
                report.examples.setdefault((model, code), str(path))
    return report
