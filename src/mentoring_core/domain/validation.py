"""Checks of command input, each raising :class:`~.errors.InvalidValue` naming field and value.

The domain calls these in ``decide`` before it records anything, so a bad value
never reaches the store. They check types too: callers in dynamic code (a CLI,
an HTTP adapter) may pass anything.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from .errors import InvalidValue

ID_MAX = 200
"""Longest person id, actor or short label accepted."""
TITLE_MAX = 500
"""Longest title, topic or other one-line text accepted."""
TEXT_MAX = 20_000
"""Longest free text accepted."""
ITEMS_MAX = 100
"""Most items in a list field (topics, expectations, ratings...)."""
EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)
"""No mentoring fact is accepted as having happened before this."""
LATEST_DATE = date(2200, 1, 1)
"""No target or due date is accepted after this."""
LATEST_NOW = datetime(9000, 1, 1, tzinfo=UTC)
"""No moment to judge by (a report's, a due list's or a reminder run's ``now``) is
accepted from this on: each looks ahead of it (a next meeting due a cadence later, a
window of up to ten years), and the calendar ends with year 9999."""

_E = TypeVar("_E", bound=enum.Enum)
# Each check a character class searched in C: the same characters a test of each
# character's code point in Python found, a hundred times quicker on a long text (a
# 2,000-character reflection took a quarter of a millisecond, three passes in Python).
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
"""A lone surrogate: a text that is not valid UTF-8."""
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""A control character (C0, DEL or C1) other than a line break or tab."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Any control character (C0, DEL or C1)."""
_NOT_A_TITLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a title may not hold: a control character, a line or paragraph separator, or a
text-direction embedding, override or isolate."""


_INVISIBLE = frozenset({"Cf", "Zl", "Zp"})
"""The Unicode categories of characters that show as nothing or break a line: format
(zero-width, text-direction), line and paragraph separators."""


def check_text(field: str, value: object, max_len: int = TEXT_MAX) -> str:
    """A non-blank text of at most ``max_len`` characters; line breaks and tabs allowed."""
    if not isinstance(value, str):
        raise InvalidValue(field, value, "a text")
    if not value.strip():
        raise InvalidValue(field, value, "a non-blank text")
    if len(value) > max_len:
        raise InvalidValue(field, value, f"at most {max_len} characters, got {len(value)}")
    if LONE_SURROGATE.search(value):
        raise InvalidValue(field, value, "a text without lone surrogates (not valid UTF-8)")
    if _CONTROL_BUT_LINE_BREAKS.search(value):
        raise InvalidValue(field, value, "no control characters other than line breaks and tabs")
    return value


def check_label(field: str, value: object, max_len: int = ID_MAX) -> str:
    """A one-line, non-blank text: person ids, actors, names, titles, topics."""
    text = check_text(field, value, max_len)
    if _CONTROL.search(text):
        raise InvalidValue(field, value, "a single line without control characters")
    return text


def check_title(field: str, value: object, max_len: int = TITLE_MAX) -> str:
    """A one-line, non-blank text written new (a name, a title, a topic): a label without
    line or paragraph separators (U+2028, U+2029), which a reader following Unicode shows
    as two lines, or text-direction embeddings, overrides and isolates (U+202A to U+202E,
    U+2066 to U+2069), which can make a text read as another (CVE-2021-42574). Texts
    recorded before this rule are read as they are; a person id named in a command is a
    label (:func:`check_label`), as it was recorded."""
    text = check_text(field, value, max_len)
    if _NOT_A_TITLE.search(text):
        raise InvalidValue(
            field,
            value,
            "a single line without control, line-separator or text-direction characters",
        )
    if not text.isascii() and all(  # zero-width ones only (ASCII has none: checked in C)
        c.isspace() or unicodedata.category(c) == "Cf" for c in text
    ):
        raise InvalidValue(field, value, "a non-blank text (a visible character at least)")
    return text


def check_actor(field: str, value: object) -> str:
    """Who records an event (an audit trail's "who"): a label of printable characters, so
    none that is invisible, separates lines or changes the text's direction, which could
    make it read as another person, or as no one. Inner spaces are allowed (a system's
    name); actors recorded before this rule are read as they are."""
    text = check_label(field, value)
    if text != text.strip():  # "coord.rhea " would be another actor than "coord.rhea"
        raise InvalidValue(field, value, "an actor without spaces around it")
    if not text.isascii() and any(unicodedata.category(c) in _INVISIBLE for c in text):
        raise InvalidValue(
            field,
            value,
            "printable characters (no invisible, line-separator or text-direction one)",
        )
    return text


def check_titles(field: str, values: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A list of titles (:func:`check_title`): topics, expectations."""
    items = check_sequence(field, values, allow_empty=allow_empty)
    return tuple(check_title(f"{field}[{i}]", v) for i, v in enumerate(items))


def check_new_person_id(field: str, value: object) -> str:
    """The id of a person enrolled or appointed now: a label without ``/``, which no URL
    path segment could carry (``/people/{id}/...``), of printable characters without spaces
    around it (no invisible or direction-changing character that could make it pass for
    another's), in Unicode normalization form C (one spelling for ids that look alike;
    a token's subject, which names the same person, is held to both too). Ids
    recorded before these rules are still read, withdrawn, relieved and erased: only new
    ones are checked."""
    person_id = check_label(field, value)
    if "/" in person_id:
        raise InvalidValue(field, value, "a person id without '/' (URLs name people by id)")
    if not person_id.isprintable() or person_id != person_id.strip():
        raise InvalidValue(
            field, value, "a person id of printable characters, without spaces around it"
        )
    if not unicodedata.is_normalized("NFC", person_id):
        raise InvalidValue(field, value, f"a person id in {composed_spelling(person_id)}")
    return person_id


def composed_spelling(text: str) -> str:
    """What a text that is not in Unicode normalization form C must be spelt as: ids
    that look alike but are spelt apart (an ``é`` as one code point, or an ``e`` and a
    combining accent) would name two people."""
    composed = unicodedata.normalize("NFC", text)
    spelt = composed.encode("ascii", "backslashreplace").decode("ascii")
    given = text.encode("ascii", "backslashreplace").decode("ascii")  # they look alike
    return f"Unicode normalization form C (as {composed!r}: {spelt}, not {given})"


def check_optional_text(field: str, value: object) -> str | None:
    return None if value is None else check_text(field, value)


def check_labels(field: str, values: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A list of one-line texts naming what was recorded (attendees: person ids)."""
    items = check_sequence(field, values, allow_empty=allow_empty)
    return tuple(check_label(f"{field}[{i}]", v, TITLE_MAX) for i, v in enumerate(items))


def check_sequence(field: str, values: object, *, allow_empty: bool = False) -> tuple[object, ...]:
    """A list or tuple of at most :data:`ITEMS_MAX` items, non-empty unless allowed."""
    # A tuple or list is taken at once: CPython's ABC cache never keeps ``tuple`` as a
    # Sequence, so ``isinstance(a_tuple, Sequence)`` runs two Python-level checks each
    # time (three times a recorded meeting: its topics, attendees and ratings).
    if (
        type(values) is not tuple
        and type(values) is not list
        and (isinstance(values, str) or not isinstance(values, Sequence))
    ):
        raise InvalidValue(field, values, "a list")
    if not values and not allow_empty:
        raise InvalidValue(field, values, "at least one item")
    if len(values) > ITEMS_MAX:
        raise InvalidValue(field, f"<{len(values)} items>", f"at most {ITEMS_MAX} items")
    return tuple(values)


def check_int(field: str, value: object, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, value, f"a whole number from {low} to {high}")
    if not low <= value <= high:
        raise InvalidValue(field, value, f"a whole number from {low} to {high}")
    return value


def check_seconds(field: str, value: object) -> float:
    """A wait, in seconds: a finite number above 0 (an int or a float). A wait of 0 or
    less returns at once (a loop around it reads in a busy loop); an endless one never
    looks again."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise InvalidValue(field, value, "a finite number of seconds above 0")
    return float(value)


MAX_NUMBER = 2**62
"""The largest log position, version or count a caller may give (``after``, ``limit``,
``expected_version``, a state's ``version``, ``page_size``): a number no store reaches,
below the largest one SQLite and PostgreSQL hold (2**63 - 1), so that a position or a
version one past it is still stored."""


def check_page_size(value: object) -> int:
    """A page size (records or events read at a time): a whole number from 1 to
    :data:`MAX_NUMBER`; 0 would read nothing, and say an empty store."""
    return check_int("page_size", value, 1, MAX_NUMBER)


def check_after_and_limit(after: object, limit: object) -> tuple[int, int | None]:
    """Where a read starts and how much it gives: ``after``, a position from 0 to
    :data:`MAX_NUMBER`, and ``limit``, None (all there is) or a whole number from 1 to it."""
    start = check_int("after", after, 0, MAX_NUMBER)
    return start, None if limit is None else check_int("limit", limit, 1, MAX_NUMBER)


_HUNDREDTH = Decimal("0.01")


def check_hundredths(field: str, value: object, high: Decimal | int, expected: str) -> Decimal:
    """A number from 0 to ``high`` with at most two decimal places (a Decimal, an int, or
    a decimal string), else :class:`InvalidValue` saying ``expected``. Any two such
    numbers subtract exactly in Decimal's 28 digits, where ``4.99999999999999999999999999999``
    less 0 would round to 5 and meet a minimum gap of 5."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidValue(field, value, expected)
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise InvalidValue(field, value, expected) from None
    if not number.is_finite() or not 0 <= number <= high or number != round(number, 2):
        raise InvalidValue(field, value, expected)
    plain = number + 0  # in plain notation: "1e1" is 10 (not 1E+1), "-0" is 0
    exponent = plain.as_tuple().exponent
    # written with at most two decimal places too: "2.500" is 2.50 (exact, as checked)
    return plain.quantize(_HUNDREDTH) if isinstance(exponent, int) and exponent < -2 else plain


def check_years(field: str, value: object, high: int = 80) -> Decimal:
    """A number of years from 0 to ``high`` with at most two decimal places."""
    expected = f"a number of years from 0 to {high} with at most two decimal places"
    return check_hundredths(field, value, high, expected)


def check_enum(field: str, value: object, cls: type[_E]) -> _E:
    """A member of the enumeration ``cls``."""
    if not isinstance(value, cls):
        names = ", ".join(str(m.value) for m in cls)
        raise InvalidValue(field, value, f"one of {names}")
    return value


def check_uuid(field: str, value: object) -> UUID:
    if not isinstance(value, UUID):
        raise InvalidValue(field, value, "a UUID")
    return value


def check_optional_uuid(field: str, value: object) -> UUID | None:
    return None if value is None else check_uuid(field, value)


def check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(field, value, "true or false")
    return value


def check_day(field: str, value: object) -> date:
    """A calendar day: a ``date``, not a ``datetime`` (which Python counts as a date, so a
    type checker lets it through, but which names no day without a rule for its zone)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(field, value, "a date (a calendar day, not a datetime)")
    return value


def check_date(field: str, value: object) -> date:
    """A calendar date (:func:`check_day`) no later than :data:`LATEST_DATE`."""
    day = check_day(field, value)
    if not EARLIEST.date() <= day <= LATEST_DATE:
        raise InvalidValue(field, day, f"a date from {EARLIEST.date()} to {LATEST_DATE}")
    return day


def check_aware(field: str, value: object) -> datetime:
    """A datetime with a time zone, converted to UTC."""
    if not isinstance(value, datetime):
        raise InvalidValue(field, value, "a datetime with a time zone")
    offset = value.utcoffset()
    if offset is None:
        raise InvalidValue(field, value, "a datetime with a time zone (this one is naive)")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # its UTC time is before year 1 or after 9999
        raise InvalidValue(
            field, value, "a moment whose UTC time falls within years 1 to 9999"
        ) from None


def check_now(value: object) -> datetime:
    """A moment to judge by (``now``): aware (:func:`check_aware`), before :data:`LATEST_NOW`."""
    moment = check_aware("now", value)
    if moment >= LATEST_NOW:
        raise InvalidValue("now", value, f"a moment before {LATEST_NOW.date().isoformat()}")
    return moment


def check_not_future(field: str, value: object, now: datetime) -> datetime:
    """An aware datetime no later than ``now`` (the service clock), in UTC."""
    moment = check_aware(field, value)
    if moment > now:
        raise InvalidValue(field, value, f"a moment not after now ({now.isoformat()})")
    return moment


def check_past(field: str, value: object, now: datetime) -> datetime:
    """An aware datetime no later than ``now`` (the service clock) and not before 1950."""
    moment = check_not_future(field, value, now)
    if moment < EARLIEST:
        raise InvalidValue(field, value, f"a moment not before {EARLIEST.date()}")
    return moment
