"""Reading the text files a user gives parlour (instances, registries, results) with one-line errors."""

from __future__ import annotations

from pathlib import Path

from parlour.errors import ParlourError


def read_utf8(path: Path, error: type[ParlourError], what: str = "file") -> str:
    """The file's text; `error` naming the file when it cannot be read or is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        raise error(f"{path}: {what} is not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})") from None
