"""One remote endpoint as every HTTP backend sees it: the path each request takes.

All models whose requests go to one base URL (in one event loop) share an `Endpoint`: its adaptive
in-flight limit (limits.py), its circuit breaker, and its counters. A request waits for a slot, then
each attempt must deliver a complete reply within `timeout_s` (a deadline for the whole attempt, not
per read), and transient failures are retried (retry.py).

The breaker opens, failing every later request at once with one message, when
- the endpoint refuses the credentials (401/403): no request can succeed, so none is retried; or
- a request used all its retries while no request to the endpoint succeeded, and at least
  BREAKER_FAILURES attempts in a row failed (the endpoint is down or unreachable). Throttling (429)
  never counts: a throttling endpoint is alive.
Transient faults of an endpoint that still answers other requests are retried as before.
An open breaker is half-open after BREAKER_COOLDOWN_S: the next request goes through as a probe, with
one attempt; a complete reply (or any answer but a transient fault or refused credentials) closes the
breaker, a failure opens it for another cool-down. A recovered endpoint is thus used again in the run.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from parlour.errors import BackendError, EndpointDownError
from parlour.models.remote.limits import AdaptiveLimit
from parlour.models.remote.retry import (
    THROTTLE_STATUS,
    TransientError,
    describe_transport_error,
    retrying,
)
from parlour.redact import redact, url_without_userinfo

T = TypeVar("T")
BREAKER_FAILURES = 8  # failed attempts in a row (any request) before a request's final failure opens the breaker
BREAKER_COOLDOWN_S = 30.0  # an open breaker lets one probe request through after this long


class CircuitBreaker:
    def __init__(self, cooldown_s: float) -> None:
        self.cooldown_s = cooldown_s
        self.open_reason: str | None = None
        self.opened_at = -math.inf  # time.monotonic() when it (re)opened
        self.probing = False  # a half-open probe is in flight
        self.opened = 0  # times it opened (a failed probe reopens it without counting)
        self.last_success = -math.inf  # time.monotonic() of the last complete reply
        self.failures_in_a_row = 0

    def admit(self) -> bool:
        """Whether a new request may be sent (EndpointDownError when not); True when it is the probe."""
        if self.open_reason is None:
            return False
        if self.probing or time.monotonic() - self.opened_at < self.cooldown_s:
            raise EndpointDownError(self.open_reason)
        self.probing = True
        return True

    def check(self) -> None:
        if self.open_reason is not None:
            raise EndpointDownError(self.open_reason)

    def trip(self, reason: str) -> None:
        if self.open_reason is None:
            self.open_reason = reason
            self.opened_at = time.monotonic()
            self.opened += 1

    def settle_probe(self, endpoint_answered: bool, reason: str | None = None) -> None:
        """The probe's outcome: an answering endpoint closes the breaker; otherwise it opens again."""
        self.probing = False
        if endpoint_answered:
            self.open_reason = None
            self.failures_in_a_row = 0
        else:
            self.open_reason = reason or self.open_reason
            self.opened_at = time.monotonic()

    def record(self, success: bool) -> None:
        if success:
            self.last_success = time.monotonic()
            self.failures_in_a_row = 0
        else:
            self.failures_in_a_row += 1

    def endpoint_seems_down(self, since: float) -> bool:
        """No reply since `since` and many failures in a row: more retries would only cost time."""
        return self.last_success < since and self.failures_in_a_row >= BREAKER_FAILURES


class Endpoint:
    def __init__(self, base_url: str, start: int, ceiling: int) -> None:
        self.base_url = url_without_userinfo(base_url)  # what messages and run.json show
        self.limit = AdaptiveLimit(start, ceiling, label=f"endpoint {self.base_url}")
        self.breaker = CircuitBreaker(BREAKER_COOLDOWN_S)
        self.requests = self.attempts = self.throttled = self.failed = 0

    async def call(
        self,
        send: Callable[[], Awaitable[T]],
        what: str,
        max_retries: int,
        base_delay_s: float,
        timeout_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> T:
        """`send()` through the limit, breaker, deadline and retries; BackendError when it fails for good."""
        probe = self.breaker.admit()
        self.requests += 1
        try:
            epoch = await self.limit.acquire()
        except BaseException:
            if probe:  # cancelled while waiting: the next request probes
                self.breaker.probing = False
            raise
        started = time.monotonic()
        try:
            async for attempt in retrying(max_retries, base_delay_s, sleep):
                with attempt:
                    if probe and attempt.retry_state.attempt_number == 1:
                        return await self._probe(send, timeout_s, epoch)
                    return await self._attempt(send, timeout_s, epoch)
        except TransientError as exc:
            self.failed += 1
            attempts = max_retries + 1
            if exc.status != 429 and self.breaker.endpoint_seems_down(started):
                self.breaker.trip(
                    redact(
                        f"{what}: endpoint down: {attempts} attempts over {time.monotonic() - started:.0f} s failed "
                        f"(last error: {exc}) and no request to it succeeded meanwhile; "
                        f"requests to it fail at once until a probe after {self.breaker.cooldown_s:g} s "
                        "finds it answering"
                    )
                )
            raise BackendError(redact(f"{what}: failed after {attempts} attempts (last error: {exc})")) from None
        except BackendError:
            self.failed += 1
            raise
        finally:
            self.limit.release()
            if probe and self.breaker.probing:  # cancelled before an answer: the next request probes
                self.breaker.probing = False
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _probe(self, send: Callable[[], Awaitable[T]], timeout_s: float, epoch: int) -> T:
        """The half-open breaker's probe attempt: an endpoint that answers (throttling included) closes the
        breaker; one that does not opens it again, and the request fails at once."""
        try:
            result = await self._attempt(send, timeout_s, epoch, probe=True)
        except TransientError as exc:
            if exc.status == 429:
                self.breaker.settle_probe(endpoint_answered=True)
                raise
            reason = self.breaker.open_reason
            self.breaker.settle_probe(endpoint_answered=False)
            probe_failed = f"{reason} (a probe after {self.breaker.cooldown_s:g} s failed: {exc})"
            raise EndpointDownError(redact(probe_failed)) from None
        except EndpointDownError as exc:
            self.breaker.settle_probe(endpoint_answered=False, reason=str(exc))
            raise
        except BackendError:  # an answer this request cannot use, but an answer: the endpoint is up
            self.breaker.settle_probe(endpoint_answered=True)
            raise
        self.breaker.settle_probe(endpoint_answered=True)
        return result

    async def _attempt(self, send: Callable[[], Awaitable[T]], timeout_s: float, epoch: int, probe: bool = False) -> T:
        if not probe:
            self.breaker.check()  # it may have opened while this request waited
        self.attempts += 1
        sent = time.monotonic()
        try:
            try:
                async with asyncio.timeout(timeout_s):
                    result = await send()
            except TimeoutError:
                raise TransientError(f"no complete reply within the {timeout_s:g} s deadline") from None
            except httpx.TransportError as exc:
                raise TransientError(describe_transport_error(exc)) from None
        except TransientError as exc:
            if exc.status in THROTTLE_STATUS:
                self.throttled += 1
                self.limit.on_throttled(epoch)
            if exc.status != 429:
                self.breaker.record(success=False)
            raise
        except EndpointDownError as exc:
            if not probe:  # a probe settles the breaker itself
                self.breaker.trip(str(exc))
            raise
        self.breaker.record(success=True)
        self.limit.on_answer(time.monotonic() - sent)
        return result

    def report(self) -> dict[str, Any]:
        """What run.json records about this endpoint: the in-flight limits used and what happened."""
        return {
            "base_url": self.base_url,
            **self.limit.report(),
            "requests": self.requests,
            "attempts": self.attempts,
            "throttled": self.throttled,
            "failed": self.failed,
            "circuit_open": self.breaker.open_reason,
            "circuit_opened": self.breaker.opened,
        }


# event loop -> base URL -> Endpoint: every model on one server shares it (asyncio objects are per loop)
_ENDPOINTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Endpoint]] = weakref.WeakKeyDictionary()


def endpoint_for(base_url: str, start: int, ceiling: int) -> Endpoint:
    """The shared Endpoint of `base_url` in the running loop (the first caller's limits win)."""
    per_loop = _ENDPOINTS.setdefault(asyncio.get_running_loop(), {})
    if base_url not in per_loop:
        per_loop[base_url] = Endpoint(base_url, start, ceiling)
    return per_loop[base_url]
