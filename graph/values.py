"""Values the graph engines cannot take, refused before anything is written or asked.

FalkorDB fails to parse a parameter that holds a NUL character (after the queries before it
in a unit have run) and silently clamps integers beyond 64 bits to 2^63−1; Neo4j's driver
cannot send integers beyond 64 bits; neither can send a string with a lone surrogate (it is
not UTF-8), nor store infinity or NaN. :func:`check_params` finds such a value and names where
it is, so a write is refused whole and a query answers a clear error instead of a wrong row.
"""

from __future__ import annotations

import math
from typing import Any

from helsegraf.graph.errors import QueryError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class UnwritableValue(QueryError):
    """A parameter holds a value no engine can store or compare (see the module text)."""


def _problem(value: Any) -> str | None:
    """What is wrong with one scalar value, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "a lone surrogate (not valid Unicode)"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return "an integer outside the 64-bit range"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "a number that is not finite"
    return None


def find_unwritable(value: Any, where: str) -> tuple[str, str] | None:
    """The first (place, problem) in ``value`` (nested lists and maps), or None."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := _problem(key)):
                return f"{where} (a key)", problem
            found = find_unwritable(item, f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = find_unwritable(item, f"{where}[{i}]")
            if found:
                return found
        return None
    problem = _problem(value)
    return (where, problem) if problem else None


def check_params(params: dict[str, Any]) -> None:
    """Raise :class:`UnwritableValue` naming the first value of ``params`` no engine takes."""
    for name, value in params.items():
        found = find_unwritable(value, name)
        if found:
            place, problem = found
            raise UnwritableValue(f"parameter {place} holds {problem}, which the graph cannot take")
