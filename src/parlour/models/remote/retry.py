"""Which remote failures are worth retrying, and the retry policy (tenacity): exponential backoff
from `base_delay_s`, or the server's Retry-After when it gives one, capped at MAX_BACKOFF_S."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from parlour.errors import BackendError, EndpointDownError
from parlour.redact import redacted_excerpt

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
THROTTLE_STATUS = {429, 503}  # the endpoint asks for fewer requests: the adaptive limit backs off
CREDENTIALS_STATUS = {401, 403}  # no later request can succeed either: the endpoint's breaker opens
MAX_BACKOFF_S = 60.0
ERROR_BODY_CHARS = 200  # of an error reply's body, quoted in the error message


class TransientError(Exception):
    """A failure worth retrying; `retry_after` (seconds) comes from the server when it says so."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


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
    """Raise TransientError for retryable statuses, EndpointDownError for refused credentials and
    BackendError for other failures. A body the server echoes may hold the key: it is redacted before it
    is cut, and its control characters are escaped."""
    status = response.status_code
    if status in RETRY_STATUS:
        raise TransientError(f"HTTP {status}", parse_retry_after(response.headers.get("retry-after")), status)
    if status >= 400:
        body = redacted_excerpt(response.text, ERROR_BODY_CHARS)
        if status in CREDENTIALS_STATUS:
            raise EndpointDownError(f"{what}: HTTP {status}: the endpoint refused the credentials: {body}")
        raise BackendError(f"{what}: HTTP {status}: {body}")


def describe_transport_error(exc: Exception) -> str:
    """httpx's exception as `Type: message` (its messages are often empty)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def retrying(
    max_retries: int,
    base_delay_s: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncRetrying:
    """The retry policy: TransientError is retried up to `max_retries` times; anything else is raised at once."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_BACKOFF_S)
        return min(base_delay_s * 2 ** (state.attempt_number - 1), MAX_BACKOFF_S)

    return AsyncRetrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(max_retries + 1),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
