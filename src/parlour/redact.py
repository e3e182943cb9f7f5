"""Secrets never reach a record, a log or the terminal: every configured API key is replaced by a marker."""

from __future__ import annotations

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret (an API key read from the environment) so that `redact` removes it."""
    if value and len(value) >= 4:  # a very short value would redact ordinary text
        _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret replaced by `[REDACTED]`, longest first."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "[REDACTED]")
    return text
