"""An adaptive limit on the requests in flight to one endpoint (AIMD, as TCP's congestion control).

It starts at the registry's `concurrency` and is raised only while requests are queued behind it
and the endpoint answers promptly (within PROMPT_FACTOR times the fastest answer seen): by one per
prompt answer until the endpoint first pushes back (slow start), then by one per `limit` prompt
answers. A 429 or 503 halves it, once per round of requests: answers to requests sent before the
last decrease do not decrease it again. It never exceeds `ceiling` nor falls below 1.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from typing import Any

log = logging.getLogger(__name__)

PROMPT_FACTOR = 2.0


class AdaptiveLimit:
    def __init__(self, start: int, ceiling: int, label: str = "endpoint") -> None:
        self.start = max(1, start)
        self.ceiling = max(self.start, ceiling)
        self.limit = self.start
        self.label = label
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._epoch = 0  # bumped by every decrease
        self._credit = 0  # prompt answers since the last increase (congestion avoidance)
        self._slow_start = True
        self._fastest_s = math.inf
        self.lowest = self.highest = self.start
        self.increases = self.decreases = 0
        self.most_waiting = 0  # > 0: the limit capped the requests that wanted to be in flight

    async def acquire(self) -> int:
        """Wait for a slot; returns the round (epoch) the request is sent in."""
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return self._epoch
        if not self.most_waiting:
            log.warning(
                "%s: more requests want to be in flight than its limit of %d; they wait "
                "(the limit rises while the endpoint answers promptly, up to %d)",
                self.label,
                self.limit,
                self.ceiling,
            )
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self.most_waiting = max(self.most_waiting, len(self._waiters))
        try:
            await waiter  # release() counts us in before waking us
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # woken and cancelled at once: hand the slot on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        return self._epoch

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)

    def on_answer(self, latency_s: float) -> None:
        """A complete, well-formed answer: raise the limit if requests wait and it came promptly."""
        self._fastest_s = min(self._fastest_s, latency_s)
        if not self._waiters or self.limit >= self.ceiling or latency_s > PROMPT_FACTOR * self._fastest_s:
            return
        self._credit += 1
        if self._slow_start or self._credit >= self.limit:
            self._credit = 0
            self.limit += 1
            self.increases += 1
            self.highest = max(self.highest, self.limit)
            self._wake()

    def on_throttled(self, epoch: int) -> None:
        """A 429/503 for a request sent in round `epoch`: halve the limit once per round."""
        if epoch != self._epoch:
            return
        self._epoch += 1
        self._slow_start = False
        self._credit = 0
        self.limit = max(1, self.limit // 2)
        self.decreases += 1
        self.lowest = min(self.lowest, self.limit)

    def report(self) -> dict[str, Any]:
        """What run.json records: the limits used and whether they capped the requested concurrency."""
        return {
            "limit_start": self.start,
            "limit_ceiling": self.ceiling,
            "limit_final": self.limit,
            "limit_lowest": self.lowest,
            "limit_highest": self.highest,
            "increases": self.increases,
            "decreases": self.decreases,
            "most_requests_waiting": self.most_waiting,
        }
