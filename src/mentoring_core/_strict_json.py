"""JSON from outside read as every reader reads it: no member named twice in one object,
and nothing RFC 8259 does not allow (``NaN``, ``Infinity``).

RFC 8259 (section 4) leaves an object naming a member twice to each reader: Python's
``json`` and msgspec keep the last value, other readers the first. A document two
readers take two ways (a gateway logging the first ``target_date`` of a request, the
API recording the last; an auditor's tool reading the first ``hash`` of a digest file)
is refused wherever the project reads JSON it did not write itself: an export's lines,
a digest file, a policy file, a token, a JWKS and an HTTP request's body.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any


class NamedTwice(ValueError):
    """A JSON object names one member twice. ``path`` says where, as the HTTP API names
    a body's members: ``target_date``, ``schedule.cadence``, ``keys[1].kid``."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path!r} appears twice in one JSON object, which readers take differently"
        )


class _Twice(Exception):
    """Raised by the quick reading at the first object naming a member twice."""


class _Marked(dict[str, Any]):
    """An object naming ``twice`` twice, marked so that a walk can say where it is."""

    twice: str


def read_json(text: str | bytes) -> Any:
    """``json.loads(text)``, refusing an object that names a member twice
    (:class:`NamedTwice`) and ``NaN``, ``Infinity`` or ``-Infinity`` (``ValueError``);
    ``json.loads``'s own errors otherwise (``ValueError``, ``RecursionError``)."""
    try:
        return json.loads(text, object_pairs_hook=_once_each, parse_constant=_no_constant)
    except _Twice:  # read again, marking, only to say where: a refusal is rare
        # Constants read as json reads them: one after the object the quick reading stopped
        # at was never reached, and the first fault in document order is the one refused.
        marked = json.loads(text, object_pairs_hook=_marked)
        raise NamedTwice(_where_marked(marked)) from None


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Twice
    return found


def _marked(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    marked = _Marked(found)
    # Counted once (list.count for each name took 0.3 s for a 64 KiB body's 6,000 names).
    names = Counter(name for name, _ in pairs)
    marked.twice = next(name for name in names if names[name] > 1)
    return marked


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _where_marked(value: Any) -> str:
    """The path of the first marked object's twice-named member, in document order (a
    stack, not recursion: the value may be nested as deeply as ``json`` reads)."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, _Marked):
            return _member(path, item.twice)
        if isinstance(item, dict):
            pending.extend(reversed([(_member(path, k), v) for k, v in item.items()]))
        elif isinstance(item, list):
            pending.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(item)]))
    raise AssertionError("no object was marked")  # unreachable: _Twice said one was


def _member(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
