"""Small helpers for the tuples that hold entities inside frozen state."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar
from uuid import UUID

T = TypeVar("T")


def replace_where(
    items: tuple[T, ...], match: Callable[[T], bool], change: Callable[[T], T]
) -> tuple[T, ...]:
    """A copy of ``items`` with ``change`` applied to every item that ``match`` selects."""
    return tuple(change(item) if match(item) else item for item in items)


@cache
def _getter(key: str) -> Callable[[Any], Any]:
    return attrgetter(key)


def replace_by_id(
    items: tuple[T, ...], key: str, item_id: UUID, change: Callable[[T], T]
) -> tuple[T, ...]:
    """A copy of ``items`` with ``change`` applied to every item whose ``key`` field is
    ``item_id``: ``replace_where`` with that match, but with the ids read and compared in
    C, by their ``int`` (a ``UUID``'s ``==`` is Python code: a plan's completions, each
    comparing the id of every item, were half of folding a long relationship); ``items``
    itself if none is."""
    ids = list(map(_getter(f"{key}.int"), items))
    wanted = item_id.int
    count = ids.count(wanted)
    if not count:
        return items
    changed, at = list(items), -1
    for _ in range(count):
        at = ids.index(wanted, at + 1)
        changed[at] = change(changed[at])
    return tuple(changed)


def find(items: tuple[T, ...], match: Callable[[T], bool]) -> T | None:
    """The last item ``match`` selects, or None."""
    for item in reversed(items):
        if match(item):
            return item
    return None
