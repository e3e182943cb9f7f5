"""Chat message normalisation applied by every backend before templating (as clembench 1.6 does)."""

from __future__ import annotations


def ensure_alternating_roles(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Drop an empty leading system message and merge consecutive same-role messages with a blank line.

    Returns new message dicts; the input is not modified (it is the game master's history).
    """
    result: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        if index == 0 and message["role"] == "system" and not message["content"]:
            continue
        if result and result[-1]["role"] == message["role"]:
            result[-1] = {
                "role": message["role"],
                "content": result[-1]["content"] + "\n\n" + message["content"],
            }
        else:
            result.append({"role": message["role"], "content": message["content"]})
    return result
