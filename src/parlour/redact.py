"""Secrets that must never be recorded or printed, and `redact()` to scrub them from any text.

Every backend that reads an API key registers its value here when the model is loaded; error
messages built from server replies (which may echo the request, headers included) and anything the
runner writes or prints pass through `redact()`.
"""

from __future__ import annotations

import threading

REDACTED = "[REDACTED]"
# Shorter values would be replaced inside ordinary words; no real API key is that short.
MIN_SECRET_LENGTH = 6

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value (an API key) for the rest of the process."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret replaced by [REDACTED] (longest first, so a key that
    contains another is removed whole)."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
