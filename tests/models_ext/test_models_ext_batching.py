"""BatchQueue: concurrent requests are grouped, bounded, and errors stay with their request."""

import asyncio
import threading

import pytest

from parlour.models.engines.batching import BatchQueue


def _echo_batches(seen: list[list[int]]):
    def fn(batch: list[int]) -> list[object]:
        seen.append(list(batch))
        return [ValueError(f"bad {x}") if x < 0 else x * 10 for x in batch]

    return fn


async def test_concurrent_requests_share_a_batch():
    seen: list[list[int]] = []
    queue = BatchQueue(_echo_batches(seen), max_batch=8, window_s=0.01)
    results = await asyncio.gather(*(queue.submit(i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert seen == [[0, 1, 2, 3, 4]]
    assert queue.stats.batches == 1 and queue.stats.mean_batch_size == 5
    await queue.aclose()


async def test_batches_are_bounded_by_max_batch():
    seen: list[list[int]] = []
    queue = BatchQueue(_echo_batches(seen), max_batch=2, window_s=0.0)
    results = await asyncio.gather(*(queue.submit(i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert [len(b) for b in seen] == [2, 2, 1]
    await queue.aclose()


async def test_an_error_fails_only_its_own_request():
    queue = BatchQueue(_echo_batches([]), max_batch=4, window_s=0.01)
    results = await asyncio.gather(queue.submit(1), queue.submit(-1), queue.submit(2), return_exceptions=True)
    assert results[0] == 10 and results[2] == 20
    assert isinstance(results[1], ValueError) and "bad -1" in str(results[1])
    await queue.aclose()


async def test_a_crashing_batch_fails_each_request_and_the_queue_survives():
    calls = []

    def fn(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return batch

    queue = BatchQueue(fn, max_batch=4, window_s=0.01)
    results = await asyncio.gather(queue.submit(1), queue.submit(2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await queue.submit(3) == 3
    await queue.aclose()


async def test_batch_runs_off_the_event_loop_thread():
    threads = []

    def fn(batch):
        threads.append(threading.get_ident())
        return batch

    queue = BatchQueue(fn, max_batch=2)
    await queue.submit(1)
    assert threads and threads[0] != threading.get_ident()
    await queue.aclose()


def test_queue_works_across_event_loops():
    queue = BatchQueue(lambda batch: batch, max_batch=2)
    assert asyncio.run(queue.submit(1)) == 1
    assert asyncio.run(queue.submit(2)) == 2


def test_max_batch_must_be_positive():
    with pytest.raises(ValueError):
        BatchQueue(lambda b: b, max_batch=0)
