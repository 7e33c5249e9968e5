"""Small helpers for the tuples that hold entities inside frozen state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
