"""Retrying remote calls: exponential backoff on timeouts, connection errors, 429 and 5xx,
honouring Retry-After."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from parlour.errors import BackendError

T = TypeVar("T")
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 60.0


class TransientError(Exception):
    """A failure worth retrying; `retry_after` (seconds) comes from the server when it says so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to exponential backoff
    return max(0.0, parsed.timestamp() - time.time())


def check_response(response: httpx.Response, what: str) -> None:
    """Raise TransientError for retryable statuses, BackendError for other failures."""
    if response.status_code in RETRY_STATUS:
        raise TransientError(f"HTTP {response.status_code}", parse_retry_after(response.headers.get("retry-after")))
    if response.status_code >= 400:
        body = response.text[:200].replace("\n", " ")
        raise BackendError(f"{what}: HTTP {response.status_code}: {body}")


async def with_retries(
    call: Callable[[], Awaitable[T]],
    what: str,
    max_retries: int,
    base_delay_s: float = 1.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call`, retrying transient failures up to `max_retries` times with exponential backoff."""
    last = ""
    for attempt in range(max_retries + 1):
        try:
            return await call()
        except TransientError as exc:
            last = str(exc)
            delay = exc.retry_after if exc.retry_after is not None else base_delay_s * 2**attempt
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            delay = base_delay_s * 2**attempt
        if attempt < max_retries:
            await sleep(min(delay, MAX_BACKOFF_S))
    raise BackendError(f"{what}: failed after {max_retries + 1} attempts (last error: {last})")
