"""Secrets that must never be recorded or printed, and the functions that scrub text of them.

Every backend that reads an API key registers its value here when the model is loaded; error
messages built from server replies (which may echo the request, headers included), every JSON file
the runner writes (store.py) and every line it prints pass through `redact()`. Excerpts of
server replies are cut with `redacted_excerpt()` (redact first, so a cut cannot leave a key's first
characters), printed text goes through `printable()` (no terminal escape sequences from a server),
and URLs are shown and recorded without their userinfo (`url_without_userinfo()`).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
# Shorter values would be replaced inside ordinary words; no real API key is that short.
MIN_SECRET_LENGTH = 6

_secrets: set[str] = set()
_lock = threading.Lock()
# Bidirectional formatting marks, embeddings, overrides and isolates: they reorder the text around them, so
# a model or folder name holding U+202E would display as another name
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CHARS = re.compile(f"[{_BIDI}]")
# and C0 and C1 control characters and DEL but newline and tab: ESC and CSI start terminal escape sequences
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")


def _forms(value: str) -> set[str]:
    """The ways a secret can appear in text parlour writes: as given, without the surrounding whitespace
    a key file or variable may carry, and escaped inside a JSON string."""
    forms = {value, value.strip()}
    return forms | {json.dumps(form, ensure_ascii=False)[1:-1] for form in forms}


def register_secret(value: str | None) -> None:
    """Remember a secret value (an API key, a password) for the rest of the process."""
    if not value:
        return
    with _lock:
        _secrets.update(form for form in _forms(value) if len(form) >= MIN_SECRET_LENGTH)


def redact(text: str) -> str:
    """`text` with every registered secret replaced by [REDACTED] (longest first, so a key that
    contains another is removed whole)."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_tree(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted: for records that leave the
    process that knows the secrets (a Ray actor's episodes, written by the driver)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_tree(item) for item in value]
    return value


def printable(text: str) -> str:
    """`text` redacted, with control characters other than newline and tab shown as escapes (`\\x1b`),
    so a server's reply cannot move the cursor, recolour or retitle the terminal, and bidirectional
    formatting characters too (`\\u202e`), so a name cannot display as another."""
    return _CONTROL.sub(_escaped, redact(text))


def bidi_shown(text: str) -> str:
    """`text` with its bidirectional formatting characters shown as escapes (`\\u202e`), as `printable`
    shows them: for the report's pages, where every other character is HTML-escaped already."""
    return _BIDI_CHARS.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def redacted_excerpt(text: str, limit: int) -> str:
    """At most `limit` characters of a server's reply, on one line, for an error message: redacted
    before it is cut (a key straddling the cut is removed whole) and with control characters escaped."""
    with _lock:
        longest = max(map(len, _secrets), default=0)
    excerpt = printable(text[: limit + longest]).replace("\n", " ").replace("\t", " ")
    return excerpt[:limit]


def url_without_userinfo(url: str) -> str:
    """`url` without `user:password@`: what parlour records and prints of a base URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def register_url_credentials(url: str) -> None:
    """Register the password of a URL's userinfo, and the Basic credentials built from it, as secrets:
    a server may echo them (httpx sends them as an Authorization: Basic header)."""
    parts = urlsplit(url)
    if parts.password is None:
        return
    username, password = unquote(parts.username or ""), unquote(parts.password)
    register_secret(password)
    register_secret(parts.password)
    register_secret(base64.b64encode(f"{username}:{password}".encode()).decode())
