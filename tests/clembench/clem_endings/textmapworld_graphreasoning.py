"""textmapworld_graphreasoning: textmapworld's exploration, each reply a dictionary of the action and the
graph of the rooms uncovered so far. Its master checks the dictionary's shape first, and its program player
aborts when the dictionary is not a Python literal.

Not among the endings, unreachable (textmapworld_graphreasoning/master.py): the "non_processable" abort
(182-185) reads a flag of the master that nothing sets (only the scorer sets its own); "Direction not
available" (195-199), the aborts for both GO and DONE or several GOs (230-239) and the program player's
aborts for a missing room (111-114), as in textmapworld (see textmapworld.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from clem_endings import Ending, Policy
from clem_endings.textmapworld import MAX_TURNS, STOPPED, Step, back_and_forth, exits, scripted, tour

GAME = "textmapworld_graphreasoning"
DIRECTIONS = ("north", "south", "east", "west")


def answer(action: str, start: str, walked: list[Step]) -> str:
    """The reply the prompt asks for: the action and the graph of the rooms and doors walked so far."""
    nodes = [start] + [room for _, _, room in walked if room != start]
    edges: dict[str, list[list[str]]] = {direction: [] for direction in DIRECTIONS}
    for direction, here, there in walked:
        if here != there and [here, there] not in edges[direction]:
            edges[direction].append([here, there])
    return json.dumps({"action": action, "graph": {"nodes": list(dict.fromkeys(nodes)), "edges": edges}})


def walk(steps: Callable[[dict[str, Any]], list[Step]], then: tuple[str, ...] = ()) -> Callable[..., Policy]:
    """A policy that walks `steps(instance)` with GO actions, then answers the actions `then`."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        path, start = steps(instance), instance["Current_Position"]
        actions = [f"GO: {direction}" for direction, _, _ in path] + [*then]
        return scripted([answer(action, start, path[:n]) for n, action in enumerate(actions)])

    return policy


def unreadable_graph(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
    """The dictionary's shape, but a room name without quotes: not a Python literal."""
    start = instance["Current_Position"]
    direction = next(iter(exits(instance)[start]))  # an open one: the room name is the only fault
    return scripted([answer(f"GO: {direction}", start, []).replace(json.dumps(start), start)])


ENDINGS = [
    Ending(GAME, "win: every room visited, then DONE", "Success", walk(tour, ("DONE",)), shows=STOPPED),
    Ending(GAME, "lose: DONE before every room is visited", "Lose", walk(lambda i: [], ("DONE",)), shows=STOPPED),
    Ending(GAME, "max turns: back and forth for 20 rounds", "Aborted", walk(lambda i: back_and_forth(i, MAX_TURNS)),
           shows='"turns_limit"'),
    Ending(GAME, "abort: reply not the action-and-graph dictionary", "Aborted",
           lambda experiment, instance: scripted(["GO: west"]), shows="abort game"),
    Ending(GAME, "abort: action neither GO nor DONE", "Aborted", walk(lambda i: [], ("GO: upstairs",)),
           shows="abort game"),
    Ending(GAME, "abort: graph not a Python literal", "Aborted", unreadable_graph, shows="Game needs to be aborted"),
]  # fmt: skip
