"""Continuous batching with prefix reuse for the in-process llama.cpp backend.

One `BatchScheduler` owns a llama.cpp context and one worker thread that serves every request in
flight. The KV cache is split into one stream per sequence id (llama.cpp's non-unified cache, as
llama-server uses it): a token attends only to the cells of its own sequence, whereas in a unified
cache every token of a step attends to every occupied cell of every sequence (measured: 8 sequences
decode 1.6x faster per token than one in separate streams, and slower than one in a unified cache).
Each live request holds a sequence; the worker builds one `llama_batch` per step with the next token
of every generating sequence plus a chunk of the prompts still being evaluated, so new requests join
the running batch between decode steps and finished ones leave. Decoding is greedy (temperature 0).

Sequence ids: live requests run on ids 0..batch_size-1 (the working sequences), in increasing id order
within a batch. llama.cpp decodes a run of consecutive ids of a non-unified cache in one pass and each
other run in a pass of its own, so scattered ids made a step of 8 sequences cost 78 ms against 56 ms
(measured on the embedded model, 2 cores). The other ids are the cache of finished sequences.

Prefix reuse: a new request continues the idle working sequence whose tokens are a prefix of its prompt
(the previous turn of the same episode) in place; otherwise it starts from the sequence (working or
cached, idle or live) sharing the longest token prefix (the shared instructions of another episode):
that stream is copied whole into an idle working sequence (`llama_memory_seq_cp`, a buffer copy between
streams) and cut back to the shared prefix, and only the rest of the prompt is evaluated. A working
sequence that still holds tokens is first moved into the cache, whose least recently used sequence
(a copy counts as a use) is emptied to make room.

Stop handling mirrors llama-cpp-python's `create_completion` (end-of-generation tokens, stop strings
searched in the detokenized text, held back while a UTF-8 character is incomplete, max tokens), and
so does the completion dict it returns.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Positions never reach this: "to the end of the sequence" in llama_memory_seq_rm/seq_cp.
_END = -1
# Prompt tokens still to be evaluated by another live request for which a new one waits a step to reuse them.
_WORTH_WAITING = 32
# An idle sequence is continued in place (no stream copy) when the new prompt drops at most this many of its
# last tokens: the previous turn's reply, whose re-tokenized text rarely matches the generated tokens exactly.
_IN_PLACE_LOSS = 32


@dataclass
class _Request:
    prompt: list[int]
    max_tokens: int
    future: concurrent.futures.Future
    slot: _Slot | None = None
    generated: list[int] = field(default_factory=list)
    next_token: int | None = None  # sampled but not yet in the KV cache
    multibyte_hold: int = 0
    reused: int = 0


@dataclass
class _Slot:
    """A sequence id of the KV cache and the tokens whose cells it holds (positions 0..len-1)."""

    seq: int
    tokens: list[int] = field(default_factory=list)
    request: _Request | None = None
    last_used: int = 0


def common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the longest common prefix of two token lists."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


@dataclass
class BatchStats:
    requests: int = 0
    prompt_tokens: int = 0
    prompt_tokens_reused: int = 0
    prompt_tokens_evaluated: int = 0
    generated_tokens: int = 0
    decode_calls: int = 0
    stream_copies: int = 0  # prefixes copied from another sequence's stream (the others continued in place)
    evictions: int = 0
    max_sequences_in_batch: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def abort_callback() -> tuple[ctypes.Array[ctypes.c_char], Any]:
    """llama.cpp's abort callback, without Python: libc's strlen over a one-byte flag (empty: go on; a
    character: abort). ggml calls it at every graph node from its own threads; a Python callback would take
    the GIL there, each time. Returns the flag and the callback (both must stay referenced)."""
    import llama_cpp

    flag = ctypes.create_string_buffer(2)
    strlen = ctypes.CDLL(None).strlen
    return flag, ctypes.cast(strlen, llama_cpp.ggml_abort_callback)


def context_params(sequence_tokens: int, n_sequences: int, n_batch: int, n_threads: int) -> Any:
    """The llama.cpp context parameters of a scheduler: one KV stream of `sequence_tokens` cells per sequence."""
    import llama_cpp

    params = llama_cpp.llama_context_default_params()
    params.n_ctx = sequence_tokens * n_sequences  # split evenly into one stream per sequence
    params.n_batch = n_batch
    params.n_ubatch = n_batch
    params.n_seq_max = n_sequences
    params.kv_unified = False  # a stream per sequence: attention spans only the sequence's own cells
    params.n_threads = n_threads
    params.n_threads_batch = n_threads
    params.no_perf = True
    # as llama-cpp-python's Llama (the one-at-a-time path): flash attention changes the numerics
    params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    return params


class BatchScheduler:
    """Serves greedy completions of token prompts for many concurrent callers from one llama context."""

    def __init__(
        self,
        llm: Any,
        *,
        batch_size: int,
        cached_prefixes: int,
        sequence_tokens: int,
        n_batch: int,
        n_threads: int,
        stop: list[str],
    ) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._llm = llm  # a llama_cpp.Llama: the loaded model, its tokenizer and vocabulary
        self.batch_size = batch_size
        self.prefix_cache = cached_prefixes > 0
        self.sequence_tokens = sequence_tokens
        self.n_batch = n_batch = min(n_batch, sequence_tokens)
        n_sequences = batch_size + cached_prefixes
        self._stop = [s.encode("utf-8") for s in stop]
        self._n_vocab = llm.n_vocab()
        params = context_params(sequence_tokens, n_sequences, n_batch, n_threads)
        self._ctx = llama_cpp.llama_init_from_model(llm.model, params)
        if not self._ctx:
            raise RuntimeError(f"cannot create a llama.cpp context of {n_sequences} x {sequence_tokens} tokens")
        self._mem = llama_cpp.llama_get_memory(self._ctx)
        self._abort_flag, self._abort = abort_callback()
        llama_cpp.llama_set_abort_callback(self._ctx, self._abort, ctypes.addressof(self._abort_flag))
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._slots = [_Slot(seq) for seq in range(n_sequences)]
        # live requests run on the first batch_size sequence ids (llama.cpp decodes consecutive ids in one
        # pass, scattered ids in a pass each); the others keep finished sequences for reuse
        self._working, self._cache = self._slots[:batch_size], self._slots[batch_size:]
        self._clock = itertools.count(1)
        self._pending: deque[_Request] = deque()
        self._active: list[_Request] = []
        self._wake = threading.Condition()
        self._closing = False
        self.stats = BatchStats()
        self._thread = threading.Thread(target=self._serve, name="llamacpp-batch", daemon=True)
        self._thread.start()

    # --- callers' side (any thread) ---

    def submit(self, prompt: list[int], max_tokens: int) -> concurrent.futures.Future:
        """Queue a prompt; the future resolves to a completion dict like llama-cpp-python's."""
        request = _Request(list(prompt), max_tokens, concurrent.futures.Future())
        with self._wake:
            if self._closing:
                raise RuntimeError("the llama.cpp scheduler is closed")
            self._pending.append(request)
            self._wake.notify()
        return request.future

    def close(self) -> None:
        """Stop the worker (requests still queued fail) and free the context."""
        if self._ctx is None:
            return
        with self._wake:
            self._closing = True
            self._abort_flag.value = b"x"  # a decode in progress stops at its next graph node
            self._wake.notify()
        self._thread.join()
        self._lib.llama_batch_free(self._batch)
        self._lib.llama_free(self._ctx)
        self._ctx = None

    # --- the worker thread ---

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not (self._pending or self._active or self._closing):
                    self._wake.wait()
                if self._closing:
                    break
                later: list[_Request] = []
                while self._pending and len(self._active) < self.batch_size:
                    request = self._pending.popleft()
                    if self._prefix_in_progress(request):
                        later.append(request)
                    elif request.future.set_running_or_notify_cancel():  # False: its caller went away
                        self._admit(request)
                self._pending.extendleft(reversed(later))
            try:
                self._step()
            except Exception as exc:  # a failed decode fails the requests in it, not the worker
                for request in self._active:
                    self._clear(request.slot)  # its cells may not match its tokens any more
                    self._release(request)
                    request.future.set_exception(exc)
                self._active.clear()
        for request in [*self._active, *self._pending]:
            if not request.future.done():  # a queued request whose caller went away is cancelled already
                request.future.set_exception(RuntimeError("the llama.cpp scheduler was closed"))

    def _prefix_in_progress(self, request: _Request) -> bool:
        """Whether a live request is evaluating a long prefix of this prompt right now: then waiting one
        step lets this one reuse it instead of evaluating it too (episodes that start together)."""
        if not self.prefix_cache:
            return False
        return any(
            r.next_token is None and common_prefix(r.prompt, request.prompt) - len(r.slot.tokens) >= _WORTH_WAITING
            for r in self._active
        )

    def _admit(self, request: _Request) -> None:
        """Give the request a working sequence holding the longest cached prefix of its prompt."""
        self.stats.requests += 1
        self.stats.prompt_tokens += len(request.prompt)
        source, reuse = None, 0
        if self.prefix_cache:
            for slot in self._slots:
                # at least one prompt token is evaluated: its logits give the first reply token
                n = min(common_prefix(slot.tokens, request.prompt), len(request.prompt) - 1)
                if n > reuse:
                    source, reuse = slot, n
        in_place = source is not None and source.seq < self.batch_size and source.request is None
        if in_place and len(source.tokens) - reuse <= _IN_PLACE_LOSS:
            target = source  # the new prompt (nearly) extends the cached sequence: continue it in place
        else:
            # an idle working sequence that loses more than its reply is kept whole in the cache, and cut here
            target = source if in_place else self._idle_working()
            self._keep(target, exclude=source)
            if source is not None and source is not target:
                # across streams only a whole sequence can be copied; cut back below
                self._lib.llama_memory_seq_cp(self._mem, source.seq, target.seq, _END, _END)
                self.stats.stream_copies += 1
                target.tokens = source.tokens[:reuse]
                source.last_used = next(self._clock)  # a prefix that keeps being copied is kept, not evicted
        self._lib.llama_memory_seq_rm(self._mem, target.seq, reuse, _END)
        del target.tokens[reuse:]
        target.request, target.last_used = request, next(self._clock)
        request.slot, request.reused = target, reuse
        self.stats.prompt_tokens_reused += reuse
        self._active.append(request)

    def _idle_working(self) -> _Slot:
        """A working sequence without a live request: an empty one if any, else the least recently used."""
        idle = [s for s in self._working if s.request is None]
        return min(idle, key=lambda s: (bool(s.tokens), s.last_used))

    def _keep(self, slot: _Slot, exclude: _Slot | None) -> None:
        """Move an idle working sequence's tokens into the cache (its least recently used sequence, never
        `exclude`, the one about to be copied from) before the slot is reused; dropped without a cache."""
        if not slot.tokens:
            return
        room = [s for s in self._cache if s is not exclude]
        if room:
            keeper = min(room, key=lambda s: (bool(s.tokens), s.last_used))
            if keeper.tokens:
                self.stats.evictions += 1
            self._lib.llama_memory_seq_rm(self._mem, keeper.seq, _END, _END)
            self._lib.llama_memory_seq_cp(self._mem, slot.seq, keeper.seq, _END, _END)
            self.stats.stream_copies += 1
            keeper.tokens, keeper.last_used = list(slot.tokens), slot.last_used
        else:
            self.stats.evictions += 1

    def _clear(self, slot: _Slot) -> None:
        self._lib.llama_memory_seq_rm(self._mem, slot.seq, _END, _END)
        slot.tokens = []

    def _release(self, request: _Request) -> None:
        slot = request.slot
        if slot is None:
            return
        slot.request, slot.last_used = None, next(self._clock)
        if not self.prefix_cache:
            self._clear(slot)

    def _step(self) -> None:
        """One llama_decode over every active request; then sample, stop, and hand back finished ones."""
        outputs = self._fill_batch()
        self._decode()
        for request, index in outputs:
            logits = self._lib.llama_get_logits_ith(self._ctx, index)
            token = int(np.ctypeslib.as_array(logits, shape=(self._n_vocab,)).argmax())
            completion = self._accept(request, token)
            if completion is not None:
                self._active.remove(request)
                self._release(request)
                request.future.set_result(completion)

    def _fill_batch(self) -> list[tuple[_Request, int]]:
        """Put the next token of every generating request, then prompt chunks, into the batch."""
        batch, budget = self._batch, self.n_batch
        batch.n_tokens = 0
        parts: list[tuple[_Request, list[int], bool]] = []  # (request, its tokens this step, logits wanted)
        for request in self._active:
            if request.next_token is not None:
                parts.append((request, [request.next_token], True))
                budget -= 1
        for request in self._active:
            if request.next_token is None and budget > 0:
                rest = request.prompt[len(request.slot.tokens) :]
                chunk = rest[:budget]
                parts.append((request, chunk, len(chunk) == len(rest)))
                self.stats.prompt_tokens_evaluated += len(chunk)
                budget -= len(chunk)
        # in increasing sequence ids: llama.cpp decodes a run of consecutive ids in one pass
        parts.sort(key=lambda part: part[0].slot.seq)
        outputs: list[tuple[_Request, int]] = []
        for request, tokens, wanted in parts:
            self._add(request, tokens, last_is_output=wanted)
            if wanted:
                outputs.append((request, batch.n_tokens - 1))
        self.stats.max_sequences_in_batch = max(self.stats.max_sequences_in_batch, len(outputs))
        return outputs

    def _add(self, request: _Request, tokens: list[int], last_is_output: bool) -> None:
        batch, slot = self._batch, request.slot
        for i, token in enumerate(tokens):
            j = batch.n_tokens
            batch.token[j] = token
            batch.pos[j] = len(slot.tokens)
            batch.n_seq_id[j] = 1
            batch.seq_id[j][0] = slot.seq
            batch.logits[j] = last_is_output and i == len(tokens) - 1
            batch.n_tokens += 1
            slot.tokens.append(token)
        if request.next_token is not None:
            request.next_token = None

    def _decode(self) -> None:
        status = self._lib.llama_decode(self._ctx, self._batch)
        self.stats.decode_calls += 1
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status} ({self.sequence_tokens} KV cells a sequence)")

    def _accept(self, request: _Request, token: int) -> dict[str, Any] | None:
        """Record a sampled token; the completion dict when the request is finished."""
        self.stats.generated_tokens += 1
        if self._lib.llama_vocab_is_eog(self._llm._model.vocab, token):
            return self._completion(request, self._detokenize(request), "stop")
        request.generated.append(token)
        text = self._detokenize(request)
        # hold back while the text ends inside a multi-byte UTF-8 character (as llama-cpp-python does)
        for k, char in enumerate(text[-3:]):
            k = 3 - k
            for num, pattern in ((2, 192), (3, 224), (4, 240)):
                if num > k and pattern & char == pattern:
                    request.multibyte_hold = num - k
        if request.multibyte_hold > 0:
            request.multibyte_hold -= 1
            request.next_token = token
            return None
        found = [s for s in self._stop if s in text]
        if found:
            return self._completion(request, text[: text.index(found[0])], "stop")
        if len(request.generated) >= request.max_tokens:
            return self._completion(request, text, "length")
        request.next_token = token
        return None

    def _detokenize(self, request: _Request) -> bytes:
        return self._llm.detokenize(request.generated, prev_tokens=request.prompt)

    def _completion(self, request: _Request, text: bytes, finish_reason: str) -> dict[str, Any]:
        n_prompt, n_generated = len(request.prompt), len(request.generated)
        return {
            "object": "text_completion",
            "choices": [{"text": text.decode("utf-8", errors="ignore"), "index": 0, "finish_reason": finish_reason}],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": n_generated,
                "total_tokens": n_prompt + n_generated,
            },
        }
