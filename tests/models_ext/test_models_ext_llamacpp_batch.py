"""The in-process llama.cpp backend on the embedded SmolLM2-135M GGUF: the worker thread, and the batch
scheduler (continuous batching, prefix reuse, eviction) against the one-request-at-a-time path."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from support.records import strip_volatile

import parlour
from parlour.models.engines.llamacpp import LlamaCppModel
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.runner import episodes as runner

pytestmark = pytest.mark.slow

SERIAL = lookup("smollm2-135m").model_copy(update={"name": "serial", "batch_size": 1})
BATCHED = SERIAL.model_copy(update={"name": "batched", "batch_size": 4})


class OldPathModel(LlamaCppModel):
    """The backend as it was: each call on whichever thread asyncio.to_thread picks."""

    async def _run_serial(self, prompt: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._generate_sync, prompt)


# one taboo episode (instructions shared with the next) and one wordle episode (up to six turns)
GAMES = ["taboo", "wordle"]
EXPERIMENTS = ["high_en", "medium_en", "high_frequency_words_no_clue_no_critic"]


def play(model: LlamaCppModel, results: Path, experiments: list[str]) -> dict[str, Any]:
    """Self-play the first instance of each experiment; each episode's interactions by path."""

    async def main() -> runner.RunSummary:
        try:
            return await parlour.arun(
                GAMES, model, results=results, experiments=experiments, limit=1, concurrency=model.default_concurrency
            )
        finally:
            await model.aclose()

    summary = asyncio.run(main())
    assert summary.failures == [] and summary.folder is not None
    return {
        str(path.parent.relative_to(summary.folder)): json.loads(path.read_text())
        for path in sorted(summary.folder.glob("*/*/episode_*/interactions.json"))
    }


def replies(episodes: dict[str, Any]) -> list[str]:
    return [e["action"]["content"] for ep in episodes.values() for t in ep["turns"] for e in t if e["from"] != "GM"]


def ask(model: LlamaCppModel, prompts: list[str]) -> list[Any]:
    async def main() -> list[Any]:
        try:
            return await asyncio.gather(*(model.generate([{"role": "user", "content": p}]) for p in prompts))
        finally:
            await model.aclose()

    return asyncio.run(main())


def test_batch_size_one_plays_exactly_like_the_old_path_from_one_thread(tmp_path: Path) -> None:
    model = LlamaCppModel(SERIAL)
    threads: set[int] = set()
    original = model._generate_sync

    def recording(prompt: str) -> dict[str, Any]:
        threads.add(threading.get_ident())
        return original(prompt)

    model._generate_sync = recording  # type: ignore[method-assign]
    model.spec = model.spec.model_copy(update={"concurrency": 3})
    experiments = [EXPERIMENTS[0], EXPERIMENTS[2]]
    ours = play(model, tmp_path / "new", experiments)
    old = play(OldPathModel(SERIAL), tmp_path / "old", experiments)
    assert len(ours) == 2 and ours.keys() == old.keys()
    assert strip_volatile(ours) == strip_volatile(old)
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_batched_run_completes_every_episode_and_reuses_prefixes(tmp_path: Path) -> None:
    model = LlamaCppModel(BATCHED)
    assert model.default_concurrency == 4
    episodes = play(model, tmp_path, EXPERIMENTS)
    assert len(episodes) == 3
    texts = replies(episodes)
    assert texts and all(isinstance(t, str) for t in texts)
    pair = "batched-t0.0--batched-t0.0"
    for path in (tmp_path / pair).glob("*/*/episode_*/requests.json"):
        for call in json.loads(path.read_text()):
            sent, got = call["manipulated_prompt_obj"], call["raw_response_obj"]
            assert sent["inputs"].endswith("<|im_start|>assistant\n") and sent["stop"] == ["<|im_end|>"]
            assert got["finish_reason"] in ("stop", "length") and "<|im_end|>" not in got["response"]
            assert got["usage"]["prompt_tokens"] > 0 and got["usage"]["total_tokens"] > got["usage"]["prompt_tokens"]
    stats = model._scheduler.stats
    # taboo's instructions are shared across episodes: most of each first prompt comes from the cache
    assert stats.prompt_tokens_reused > stats.prompt_tokens / 3
    assert stats.prompt_tokens_evaluated + stats.prompt_tokens_reused == stats.prompt_tokens
    assert stats.max_sequences_in_batch > 1
    info = model.describe()
    assert info["batching_in_effect"]["batch_size"] == 4 and info["batching_stats"]["requests"] == stats.requests


def test_few_sequences_evict_least_recently_used_prefixes_and_still_answer() -> None:
    spec = BATCHED.model_copy(
        update={"batch_size": 2, "max_tokens": 8, "options": {"sequence_tokens": 600, "cached_prefixes": 1}}
    )
    model = LlamaCppModel(spec)
    topics = ["rivers", "mountains", "deserts", "forests", "oceans", "volcanoes"]
    prompts = [f"Write one long sentence about {t}. " + f"Mention {t} often. " * 30 for t in topics]
    answers = ask(model, prompts)
    stats = model._scheduler.stats
    assert all(isinstance(a.text, str) and a.usage["completion_tokens"] > 0 for a in answers)
    assert stats.evictions > 0 and stats.requests == len(prompts)


def test_the_previous_turn_is_reused_and_the_context_limit_is_a_sequences_cells() -> None:
    model = LlamaCppModel(BATCHED.model_copy(update={"max_tokens": 8}))
    first = [{"role": "user", "content": "Name a colour."}]

    async def two_turns() -> None:
        reply = await model.generate(first)
        await model.generate(
            [*first, {"role": "assistant", "content": reply.text}, {"role": "user", "content": "Again."}]
        )
        await model.aclose()

    asyncio.run(two_turns())
    stats = model._scheduler.stats
    assert stats.requests == 2 and stats.prompt_tokens_reused >= len(model._tokenize(model.render(first))) - 1
    small = LlamaCppModel(BATCHED.model_copy(update={"options": {"sequence_tokens": 64}}))
    assert small.context_limit == 64
    with pytest.raises(Exception, match="exceeds the context size 64"):
        ask(small, ["Hello " * 40])


def test_a_prefix_copied_from_another_sequence_gives_the_replies_of_evaluating_it() -> None:
    """Cross-stream copies move whole KV buffers: a wrong copy (wrong cells, stale data) would change the
    replies of prompts that continue the copied prefix."""
    rules = "You are playing a word game with strict rules. " * 12
    things = ["fruit", "city", "tool", "bird"]
    # a long own part: an idle sequence that would lose it is copied, not continued in place
    prompts = [
        f"{rules}Round {n}: name one {thing}. " + f"The {thing} must be famous. " * 8 for n, thing in enumerate(things)
    ]

    def sequentially(options: dict[str, Any]) -> tuple[list[str], Any]:
        model = LlamaCppModel(BATCHED.model_copy(update={"max_tokens": 12, "options": options}))

        async def main() -> list[str]:
            try:
                return [(await model.generate([{"role": "user", "content": p}])).text for p in prompts]
            finally:
                await model.aclose()

        return asyncio.run(main()), model._scheduler.stats

    reused, stats = sequentially({})
    fresh, fresh_stats = sequentially({"prefix_cache": False})
    assert stats.prompt_tokens_reused > 3 * 100 and stats.stream_copies == 3
    assert fresh_stats.prompt_tokens_reused == 0
    # the last bits of the logits may differ between a copied and an evaluated prefix, rarely the reply
    assert sum(a == b for a, b in zip(reused, fresh, strict=True)) >= 3, (reused, fresh)


def test_live_requests_run_on_the_first_ids_and_finished_ones_are_kept_in_the_cache() -> None:
    """Two working sequences (ids 0, 1) and two cached ones, one prompt at a time. A working sequence taken
    for another prompt is first moved into the cache, whose least recently used sequence makes room; a
    cached prefix that is copied counts as used, so `first`, copied for `second`, outlives `sea_one`."""
    rules = "You are playing a word game with strict rules. " * 12
    first = rules + "Round one: name a fruit. " + "The fruit must be famous. " * 8
    second = rules + "Round two: name a city. " + "The city must be famous. " * 8
    sea = "Describe the sea at night. " * 8
    sea_one, sea_two = sea + "Brief words only. " * 10, sea + "Poetic words only. " * 10
    sea_three = sea + "Poetic words only. " * 2 + "Now be kind. " * 10  # continues sea_two the longest
    order = [first, sea_one, sea_two, second, sea_three, first]
    options = {"cached_prefixes": 2}
    model = LlamaCppModel(
        BATCHED.model_copy(update={"batch_size": 2, "concurrency": 1, "max_tokens": 4, "options": options})
    )
    scheduler, ran_on = model._scheduler, []
    admit = scheduler._admit

    def recording(request: Any) -> None:
        admit(request)
        ran_on.append(request.slot.seq)

    scheduler._admit = recording  # type: ignore[method-assign]

    async def main() -> list[int]:
        reused = []
        try:
            for prompt in order:  # one at a time: which sequence each prompt lands in is deterministic
                before = scheduler.stats.prompt_tokens_reused
                await model.generate([{"role": "user", "content": prompt}])
                reused.append(scheduler.stats.prompt_tokens_reused - before)
        finally:
            await model.aclose()
        return reused

    reused = asyncio.run(main())
    assert len(scheduler._slots) == 4 and set(ran_on) <= {0, 1}, ran_on
    whole = len(model._tokenize(model.render([{"role": "user", "content": first}])))
    assert reused[3] > 100 and reused[4] > reused[2] and reused[5] == whole - 1, reused
    assert scheduler.stats.evictions == 2


def test_batched_mode_does_not_give_the_tokenizer_object_a_full_context() -> None:
    model, smaller = LlamaCppModel(BATCHED), LlamaCppModel(BATCHED.model_copy(update={"context_size": 2048}))
    try:
        assert model._llm.n_ctx() <= 512 and model.context_limit == 4096
        assert smaller.context_limit == 2048
    finally:
        asyncio.run(model.aclose())
        asyncio.run(smaller.aclose())


def test_unknown_batching_options_are_refused_with_the_model_name() -> None:
    with pytest.raises(Exception, match="model batched: unknown llamacpp options \\['prefix_caching'\\]"):
        LlamaCppModel(BATCHED.model_copy(update={"options": {"prefix_caching": False}}))


def test_batching_settings_are_part_of_the_spec_hash() -> None:
    plain = ModelSpec(name="m", backend="llamacpp", weights="x.gguf")
    # specs without batch_size keep the hash they had before it was hashed
    assert "batch_size" not in plain.hashed_fields()
    hashes = {
        plain.spec_hash(),
        plain.model_copy(update={"batch_size": 1}).spec_hash(),
        plain.model_copy(update={"batch_size": 8}).spec_hash(),
        plain.model_copy(update={"batch_size": 8, "options": {"prefix_cache": False}}).spec_hash(),
    }
    assert len(hashes) == 4
    assert lookup("smollm2-135m").batch_size > 1  # the default model runs batched
