"""User-facing errors: each one says in one line which file, model or field is at fault."""

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the known name nearest to a mistyped `name`, else ''."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class ParlourError(Exception):
    """Base class for errors shown to the user as one line (no traceback)."""


class InstanceFileError(ParlourError):
    """An instances file is missing, unreadable or malformed."""


class UnknownGameError(ParlourError):
    """A game name that parlour does not know."""


class UnknownModelError(ParlourError):
    """A model name that is not in the registry."""


class RegistryError(ParlourError):
    """A model registry file is malformed."""


class BackendError(ParlourError):
    """A backend failed to produce a reply (after its retries)."""


class EndpointDownError(BackendError):
    """An endpoint refused the credentials or stopped answering: no more requests go to it in this run
    (its circuit breaker is open), so every later episode using it fails at once with this message."""


class ContextExceededError(BackendError):
    """The prompt plus the requested new tokens do not fit the model's context window."""

    def __init__(self, message: str, tokens_needed: int = 0, context_size: int = 0) -> None:
        super().__init__(message)
        self.tokens_needed = tokens_needed
        self.context_size = context_size


def context_overflow(model: str, prompt_tokens: int, new_tokens: int, context_size: int) -> ContextExceededError | None:
    """The error for a prompt whose tokens and the new tokens do not fit the context; None when they fit."""
    needed = prompt_tokens + new_tokens
    if needed <= context_size:
        return None
    return ContextExceededError(
        f"model {model}: prompt of {prompt_tokens} tokens + {new_tokens} new tokens exceeds the context size "
        f"{context_size}",
        tokens_needed=needed,
        context_size=context_size,
    )


class ResultsError(ParlourError):
    """A results folder or file that cannot be read or written."""


class LinkInResultsError(ResultsError):
    """A file or folder parlour would write or delete inside a results folder is a symbolic link: parlour
    does not follow it, so nothing outside the results folder is touched."""


class ClembenchError(ParlourError):
    """clembench 2.0 cannot run: clemcore or a game's dependency missing, no games folder, an unknown game."""
