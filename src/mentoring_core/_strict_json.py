"""JSON from outside read as every reader reads it: no member named twice in one object,
nothing RFC 8259 does not allow (``NaN``, ``Infinity``), and no number readers take
differently or not at all (RFC 8259, section 6, leaves their range to each reader).

RFC 8259 (section 4) leaves an object naming a member twice to each reader: Python's
``json`` and msgspec keep the last value, other readers the first. A document two
readers take two ways (a gateway logging the first ``target_date`` of a request, the
API recording the last; an auditor's tool reading the first ``hash`` of a digest file)
is refused wherever the project reads JSON it did not write itself: an export's lines,
a digest file, a policy file, a token, a JWKS and an HTTP request's body. So is a number
beyond a 64-bit float (``1e400``: ``json`` reads infinity, msgspec refuses it) or an
integer of more digits than Python converts; a number too small for one (``1e-400``)
is read as 0.0, as every reader reads it.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any


class NamedTwice(ValueError):
    """A JSON object names one member twice. ``path`` says where, as the HTTP API names
    a body's members: ``target_date``, ``schedule.cadence``, ``keys[1].kid``."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path!r} appears twice in one JSON object, which readers take differently"
        )


class UnreadableNumber(ValueError):
    """A number readers take differently or not at all. ``path`` says where, as in
    :class:`NamedTwice` (``""``: the JSON text is the number); ``why``, what it is
    (``NaN, which is not a JSON value``)."""

    def __init__(self, path: str, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(f"{repr(path) if path else 'the JSON text'} is {why}")


class _Twice(Exception):
    """Raised by the quick reading at the first object naming a member twice."""


class _Marked(dict[str, Any]):
    """An object naming ``twice`` twice, marked so that a walk can say where it is."""

    twice: str


def read_json(text: str | bytes) -> Any:
    """``json.loads(text)``, refusing an object that names a member twice
    (:class:`NamedTwice`), and ``NaN``, ``Infinity``, ``-Infinity``, a number too large
    for a 64-bit float (``1e400``, which ``json`` reads as infinity and msgspec refuses)
    and an integer of more digits than Python converts (4300) (:class:`UnreadableNumber`);
    ``json.loads``'s own errors otherwise (``ValueError``, ``RecursionError``)."""
    try:
        return json.loads(
            text,
            object_pairs_hook=_once_each,
            parse_constant=_no_constant,
            parse_float=_finite,  # json reads 1e400 as infinity, without a word
        )
    # Read again, marking, only to say where: a refusal is rare. ValueError: json's own,
    # an integer of too many digits among them (read again: a syntax error raises again).
    except (_Twice, _Fault, ValueError):
        marked = json.loads(
            text,
            object_pairs_hook=_marked,
            parse_constant=_NOT_VALUES.__getitem__,
            parse_float=_float_or_unread,
            parse_int=_int_or_unread,
        )
        raise _first_fault(marked) from None


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


class _Fault(Exception):
    """Raised by the quick reading at the first number readers take differently or not
    at all (the marking reading puts an :class:`_Unread` in its place)."""


_CONSTANTS = ("NaN", "Infinity", "-Infinity")
"""The names ``json`` reads that are not JSON."""


class _Unread:
    """What the marking reading puts in place of a number readers take differently or
    not at all: why. One for each kind, but an integer's (its digits counted): a
    document of millions of ``NaN`` makes no object for each (an exception each took 7 s)."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


_NOT_VALUES = {name: _Unread(f"{name}, which is not a JSON value") for name in _CONSTANTS}
_TOO_LARGE = _Unread(
    "a number too large for a 64-bit float, which readers take as infinity or refuse"
)


def _float_or_unread(text: str) -> float | _Unread:
    number = float(text)  # json's grammar: float() reads every JSON number
    return number if math.isfinite(number) else _TOO_LARGE


def _int_or_unread(text: str) -> int | _Unread:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits())
        digits = len(text.lstrip("-"))
        return _Unread(
            f"an integer of {digits} digits, more than the {sys.get_int_max_str_digits()} "
            "Python converts"
        )


def _no_constant(name: str) -> Any:
    raise _Fault


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _Fault
    return number


def _first_fault(value: Any) -> ValueError:
    """The first fault of the marked reading ``value``, in document order: a marked
    object's twice-named member or a number. A stack of the members still to walk, each
    named only when reached (not recursion: the value may be nested as deeply as
    ``json`` reads; nor a path for each of a list's million items before its first)."""
    pending: list[Iterator[tuple[str, Any]]] = [iter([("", value)])]
    while pending:
        found = next(pending[-1], None)
        if found is None:
            pending.pop()
            continue
        path, item = found
        if isinstance(item, _Marked):
            return NamedTwice(_member(path, item.twice))
        if isinstance(item, _Unread):
            return UnreadableNumber(path, item.why)
        if isinstance(item, dict | list):
            pending.append(_members(path, item))
    # Unreachable: the walk runs only after the quick reading met a fault, which the
    # marking reading marks.
    raise AssertionError("no fault was marked")  # pragma: no mutate (unreachable: see above)


def _members(path: str, value: dict[str, Any] | list[Any]) -> Iterator[tuple[str, Any]]:
    """Each member of ``value`` with its path, made as it is asked for."""
    if isinstance(value, dict):
        return ((_member(path, name), item) for name, item in value.items())
    return ((f"{path}[{i}]", item) for i, item in enumerate(value))


def _member(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
