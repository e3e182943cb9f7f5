"""Cross-episode batching for local backends.

Concurrent episodes each await one reply; `BatchQueue` collects the requests pending at a moment
(up to `max_batch`, waiting at most `window_s` for more to arrive) and hands them to a synchronous
batch function that runs in a worker thread, so the event loop keeps scheduling other episodes while
the batch generates. One batch runs at a time, which also serialises access to the weights.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")

#: The batch function returns one result per request, or the exception that request raised.
BatchFn = Callable[[list[Req]], Sequence[Res | BaseException]]


@dataclass
class BatchStats:
    """How the queue has grouped requests so far (for benchmarks and run.json)."""

    batches: int = 0
    requests: int = 0
    sizes: list[int] = field(default_factory=list)

    @property
    def mean_batch_size(self) -> float:
        return self.requests / self.batches if self.batches else 0.0


class BatchQueue(Generic[Req, Res]):
    """Submit requests from many coroutines; they are generated together in batches."""

    def __init__(self, batch_fn: BatchFn, max_batch: int = 8, window_s: float = 0.02) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.batch_fn = batch_fn
        self.max_batch = max_batch
        self.window_s = window_s
        self.stats = BatchStats()
        self._pending: list[tuple[Req, asyncio.Future[Res]]] = []
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def submit(self, request: Req) -> Res:
        """Queue one request and wait for its result (or its exception)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker is None or self._worker.done():
            # A new event loop (e.g. a second asyncio.run) needs its own event and worker.
            self._loop = loop
            self._wakeup = asyncio.Event()
            self._pending = [(r, f) for r, f in self._pending if not f.done()]
            self._worker = loop.create_task(self._run())
        future: asyncio.Future[Res] = loop.create_future()
        self._pending.append((request, future))
        assert self._wakeup is not None
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if not self._pending:
                continue
            # Give the other episodes a moment to submit their requests too.
            if len(self._pending) < self.max_batch and self.window_s > 0:
                await asyncio.sleep(self.window_s)
            batch = self._pending[: self.max_batch]
            self._pending = self._pending[self.max_batch :]
            live = [(r, f) for r, f in batch if not f.cancelled()]
            if live:
                await self._generate(live)
            if self._pending:
                self._wakeup.set()

    async def _generate(self, batch: list[tuple[Req, asyncio.Future[Res]]]) -> None:
        self.stats.batches += 1
        self.stats.requests += len(batch)
        self.stats.sizes.append(len(batch))
        try:
            results = await asyncio.to_thread(self.batch_fn, [r for r, _ in batch])
        except Exception as exc:  # a failed batch fails each of its requests
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def aclose(self) -> None:
        """Stop the worker; requests still pending are cancelled."""
        worker = self._worker
        if worker is not None and not worker.done() and self._loop is asyncio.get_running_loop():
            worker.cancel()
            try:
                await worker
            except asyncio.CancelledError:
                pass
        for _, future in self._pending:
            if not future.done():
                future.cancel()
        self._pending = []
