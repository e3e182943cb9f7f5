"""textmapworld: one player explores a map of rooms with "GO: <direction>" and ends with "DONE"; the other
player is the game's own program (it answers with the room entered and the directions open there). The
walks on the map are built here and shared with textmapworld_graphreasoning and textmapworld_specificroom.

Not among the endings, unreachable (textmapworld_main/master.py): the "Direction not available" end
(181-185) reads the master's own `game_error`, which nothing sets (the describer player sets its own); the
aborts for a reply with both GO and DONE, or with several GOs (211-222), cannot happen with the instances'
patterns, anchored to the whole reply; the describer's "Game needs to be aborted" (101-104) needs an open
direction with no room behind it, which no instance has."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Messages, Policy, turn

Step = tuple[str, str, str]  # direction, from room, to room
STOPPED = "The guesser decided to stop the game"


def exits(instance: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each room's open directions and the room behind each, from the instance's moves."""
    rooms: dict[str, dict[str, str]] = {}
    for entry in ast.literal_eval(instance["Moves"]):
        rooms.setdefault(entry["node"], {}).update(dict(entry["node_moves"]))
    return rooms


def tour(instance: dict[str, Any]) -> list[Step]:
    """A depth-first walk from the start room that enters every room (walking back out of dead ends)."""
    rooms = exits(instance)
    seen = {instance["Current_Position"]}
    steps: list[Step] = []

    def visit(room: str) -> None:
        for direction, other in rooms[room].items():
            if other in seen:
                continue
            seen.add(other)
            steps.append((direction, room, other))
            visit(other)
            if len(seen) < len(rooms):
                back = next(d for d, r in rooms[other].items() if r == room)
                steps.append((back, other, room))

    visit(instance["Current_Position"])
    return steps


def route(instance: dict[str, Any], target: str) -> list[Step]:
    """The shortest walk from the start room to `target` (breadth first)."""
    rooms = exits(instance)
    paths: dict[str, list[Step]] = {instance["Current_Position"]: []}
    frontier = [instance["Current_Position"]]
    while target not in paths:
        room = frontier.pop(0)
        for direction, other in rooms[room].items():
            if other not in paths:
                paths[other] = [*paths[room], (direction, room, other)]
                frontier.append(other)
    return paths[target]


def back_and_forth(instance: dict[str, Any], count: int) -> list[Step]:
    """`count` steps between the start room and its first neighbour and back, the first one a direction
    that is not open (the game answers that the move is not valid and keeps the player where it is)."""
    start = instance["Current_Position"]
    rooms = exits(instance)
    direction, neighbour = next(iter(rooms[start].items()))
    back = next(d for d, r in rooms[neighbour].items() if r == start)
    closed = next(d for d in ("north", "south", "east", "west") if d not in rooms[start])
    pair = [(direction, start, neighbour), (back, neighbour, start)]
    return [(closed, start, start)] + [pair[i % 2] for i in range(count - 1)]


def scripted(replies: list[str]) -> Policy:
    """The player's n-th reply is replies[n]."""

    def reply(messages: Messages) -> str:
        return replies[turn(messages)]

    return reply


def walk(steps: Callable[[dict[str, Any]], list[Step]], then: tuple[str, ...] = ()) -> Callable[..., Policy]:
    """A policy that walks `steps(instance)` with GO replies, then replies `then`."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        return scripted([f"GO: {direction}" for direction, _, _ in steps(instance)] + [*then])

    return policy


MAX_TURNS = 20  # the master's self.max_turns: rounds before it ends the episode


ENDINGS = [
    Ending("textmapworld", "win: every room visited, then DONE", "Success", walk(tour, ("DONE",)), shows=STOPPED),
    Ending("textmapworld", "lose: DONE before every room is visited", "Lose", walk(lambda i: [], ("DONE",)),
           shows=STOPPED),
    Ending("textmapworld", "max turns: back and forth for 20 rounds", "Aborted",
           walk(lambda i: back_and_forth(i, MAX_TURNS)), shows='"turns_limit"'),
    Ending("textmapworld", "abort: reply neither GO nor DONE", "Aborted",
           lambda experiment, instance: scripted(["GO: upstairs"]), shows="abort game"),
]  # fmt: skip
