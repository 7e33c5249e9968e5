"""Small helpers for the tuples and lists that hold entities inside states and drafts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar
from uuid import UUID

T = TypeVar("T")


def replace_where(
    items: tuple[T, ...], match: Callable[[T], bool], change: Callable[[T], T]
) -> tuple[T, ...]:
    """A copy of ``items`` with ``change`` applied to every item that ``match`` selects."""
    return tuple(change(item) if match(item) else item for item in items)


def find(items: tuple[T, ...], match: Callable[[T], bool]) -> T | None:
    """The last item ``match`` selects, or None."""
    for item in reversed(items):
        if match(item):
            return item
    return None


def in_force_at(changes: Iterable[tuple[datetime, T]], at: datetime, before: T) -> T:
    """The value in force at ``at``: of ``changes``, each (in force from, value) in the
    order recorded, the last in force by ``at``; ``before`` if none is."""
    chosen = before
    for since, value in changes:
        if since <= at:
            chosen = value
    return chosen


class Places:
    """Where each item of a list is, by its ``key`` field's id, read by its ``int`` (a
    ``UUID``'s ``==`` and hash are Python code): for a fold that changes items by id in
    place (the domain's draft, the report facts' draft).

    Items are only ever added at the end of the list, or put in the place of one with the
    same id, so a place once known stays right and only the items added since the last
    look are read. A change that gives an item another id makes the places wrong: its
    caller forgets them. Scanning the whole list for each completion instead cost some 40
    microseconds an event on a two-year plan (the items' ids scattered in memory)."""

    def __init__(self, key: str) -> None:
        self._id_of = attrgetter(f"{key}.int")
        self._places: dict[int, list[int]] = {}
        self._known = 0

    def of(self, items: list[Any], item_id: UUID) -> list[int]:
        """The places in ``items`` of those whose id is ``item_id``."""
        places = self._places
        for at in range(self._known, len(items)):
            places.setdefault(self._id_of(items[at]), []).append(at)
        self._known = len(items)
        return places.get(item_id.int, [])
