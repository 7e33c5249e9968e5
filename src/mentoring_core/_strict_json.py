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
            parse_constant=_not_a_value,
            parse_float=_float_or_fault,
            parse_int=_int_or_fault,
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
    """A number readers take differently or not at all: why (raised by the quick
    reading, kept in its place by the marking one)."""

    def __init__(self, why: str) -> None:
        self.why = why


def _not_a_value(name: str) -> _Fault:
    return _Fault(f"{name}, which is not a JSON value")


def _float_or_fault(text: str) -> float | _Fault:
    number = float(text)  # json's grammar: float() reads every JSON number
    if math.isfinite(number):
        return number
    return _Fault("a number too large for a 64-bit float, which readers take as infinity or refuse")


def _int_or_fault(text: str) -> int | _Fault:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits())
        digits = len(text.lstrip("-"))
        return _Fault(
            f"an integer of {digits} digits, more than the {sys.get_int_max_str_digits()} "
            "Python converts"
        )


def _no_constant(name: str) -> Any:
    raise _not_a_value(name)


def _finite(text: str) -> float:
    number = _float_or_fault(text)
    if isinstance(number, _Fault):
        raise number
    return number


def _first_fault(value: Any) -> ValueError:
    """The first fault of the marked reading ``value``, in document order: a marked
    object's twice-named member or a number (a stack, not recursion: the value may be
    nested as deeply as ``json`` reads)."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, _Marked):
            return NamedTwice(_member(path, item.twice))
        if isinstance(item, _Fault):
            return UnreadableNumber(path, item.why)
        if isinstance(item, dict):
            pending.extend(reversed([(_member(path, k), v) for k, v in item.items()]))
        elif isinstance(item, list):
            pending.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(item)]))
    raise AssertionError("no fault was marked")  # unreachable: the quick reading found one


def _member(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
