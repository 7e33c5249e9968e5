"""Turning command-line text into the core's values, or a one-line usage error.

Every parser raises :class:`typer.BadParameter` with a message that names the
value given and what is allowed; Typer adds the option's name. Range and
length checks are left to the core (it raises
:class:`~mentoring_core.InvalidValue`), so each rule lives in one place; a
:class:`WholeNumber` is bounded only by what the core does not check (a port, a
token's lifetime) or names as a constant (``MAX_WINDOW_DAYS``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

import typer

from mentoring_core.values import (
    Cadence,
    CadenceKind,
    CadenceTier,
    FocusArea,
    GoalProgress,
    ProgressStatus,
    Rating,
    StakeholderFeedback,
)

E = TypeVar("E", bound=enum.Enum)

MOMENT_FORMS = "an ISO 8601 date (2026-03-04, midnight UTC) or date and time with offset " + (
    "(2026-03-04T10:00+11:00, 2026-03-04T10:00Z)"
)
CADENCE_FORMS = "weekly, fortnightly, monthly or every_n_days=N"


def enum_names(cls: type[enum.Enum]) -> str:
    """The names a user may type for ``cls``, as the help and the errors list them."""
    return ", ".join(member.name.lower() for member in cls)


def _name_key(text: str) -> str:
    return text.strip().upper().replace("-", "_")


def named(names: Iterable[str], text: str) -> str | None:
    """The one of ``names`` that ``text`` names, as every name is read: case-insensitive,
    ``-`` and ``_`` alike, spaces around ignored; None if none."""
    key = _name_key(text)
    return next((name for name in names if _name_key(name) == key), None)


def parse_name(names: Iterable[str], text: str, expected: str) -> str:
    """The one of ``names`` that ``text`` names (see :func:`named`), or a usage error
    saying that ``expected`` (the names allowed) was."""
    found = named(names, text)
    if found is None:
        raise typer.BadParameter(f"{text!r}; expected one of {expected}")
    return found


def parse_enum(cls: type[E], text: str) -> E:
    """A member of ``cls`` by its name, case-insensitive; ``-`` may stand for ``_``."""
    return cls[parse_name(cls.__members__, text, enum_names(cls))]


def enum_parser(cls: type[E]) -> Callable[[str], E]:
    """A Typer ``parser=`` for an enumeration."""

    def parse(text: str) -> E:
        return parse_enum(cls, text)

    return parse


def parse_moment(text: str) -> datetime:
    """An aware datetime; a date alone means midnight UTC, a naive date and time is refused."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; expected {MOMENT_FORMS}") from None
    if moment.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no time zone; expected {MOMENT_FORMS}")
    try:  # 0001-01-01T00:00+14:00 is a moment before the first one Python can hold in UTC
        moment.astimezone(UTC)
    except OverflowError:
        raise typer.BadParameter(
            f"{text!r} is out of range: in UTC it falls outside the years 1 to 9999"
        ) from None
    return moment


def parse_date(text: str) -> date:
    """A calendar date, ISO 8601 (2026-03-04)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; expected an ISO 8601 date such as 2026-03-04"
        ) from None


def parse_period_day(text: str) -> date:
    """A day that bounds a period: an ISO 8601 date that has a next day (not 9999-12-31)."""
    day = parse_date(text)
    if day == date.max:
        raise typer.BadParameter(
            f"{text!r} is the last day of the calendar, so the period cannot end after it; "
            "expected an earlier date"
        )
    return day


def parse_cadence(text: str) -> Cadence:
    """``weekly``, ``fortnightly``, ``monthly`` or ``every_n_days=N``."""
    name, sep, days = text.partition("=")
    try:
        kind = CadenceKind[name.strip().upper().replace("-", "_")]
    except KeyError:
        raise typer.BadParameter(f"{text!r}; expected {CADENCE_FORMS}") from None
    if kind is CadenceKind.EVERY_N_DAYS:
        if not sep:
            raise typer.BadParameter(f"{text!r} needs a number of days: every_n_days=N")
        return Cadence.every(_whole_number(text, days))
    if sep:
        raise typer.BadParameter(f"{text!r}: only every_n_days takes a number of days")
    return Cadence(kind=kind)


def parse_cadence_tier(text: str) -> CadenceTier:
    """A policy tier: ``CADENCE`` or ``CADENCE,until=DAYS`` (until the relationship is that old)."""
    cadence_text, sep, until = text.partition(",")
    cadence = parse_cadence(cadence_text)
    if not sep:
        return CadenceTier(cadence=cadence)
    key, eq, days = until.partition("=")
    if key.strip() != "until" or not eq:
        raise typer.BadParameter(
            f"{text!r}; expected CADENCE or CADENCE,until=DAYS (e.g. weekly,until=90)"
        )
    return CadenceTier(cadence=cadence, until_age_days=_whole_number(text, days))


def parse_rating(text: str) -> Rating:
    """``FOCUS_AREA=SCORE``, e.g. ``communication=4``."""
    area, score = _pair(text, "FOCUS_AREA=SCORE, e.g. communication=4")
    return Rating(focus_area=parse_enum(FocusArea, area), score=_whole_number(text, score))


def parse_goal_progress(text: str) -> GoalProgress:
    """``GOAL_ID=STATUS``, e.g. ``3f2a...=on_track``."""
    goal, status = _pair(text, f"GOAL_ID=STATUS with STATUS one of {enum_names(ProgressStatus)}")
    try:
        goal_id = UUID(goal.strip())
    except ValueError:
        raise typer.BadParameter(f"{goal!r} in {text!r} is not a goal id (a UUID)") from None
    return GoalProgress(goal_id=goal_id, status=parse_enum(ProgressStatus, status))


def parse_stakeholder(text: str) -> StakeholderFeedback:
    """``SOURCE=TEXT``, e.g. ``team leader=Handles referrals confidently``."""
    source, said = _pair(text, "SOURCE=TEXT, e.g. 'team leader=Handles referrals well'")
    return StakeholderFeedback(source=source.strip(), text=said.strip())


def _pair(text: str, expected: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise typer.BadParameter(f"{text!r}; expected {expected}")
    return key, value


def _whole_number(text: str, digits: str) -> int:
    try:
        return WholeNumber()(digits)
    except typer.BadParameter:
        raise typer.BadParameter(f"{digits!r} in {text!r} is not a whole number") from None


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)


@dataclass(frozen=True)
class WholeNumber:
    """A parser of whole numbers from ``low`` to ``high`` (either may be open), written in
    ASCII digits: a value outside them is refused naming the text and the range, in this
    module's words rather than Typer's (whose ``min``/``max`` messages change with its
    releases, and since 0.29 name neither the value nor, alone, the range)."""

    low: int | None = None
    high: int | None = None

    @property
    def expected(self) -> str:
        """What a value must be, for the errors and the help."""
        low = "" if self.low is None else f" from {self.low}"
        return f"a whole number{low}" + ("" if self.high is None else f" to {self.high}")

    def __call__(self, text: str | int) -> int:
        """``text`` read; an option's default (an int) comes here too, as Typer passes it."""
        digits = str(text).strip()
        try:
            number = int(digits) if _WHOLE_NUMBER.fullmatch(digits) else None
        except ValueError:  # more digits than Python converts (4,300)
            number = None
        if (
            number is None
            or (self.low is not None and number < self.low)
            or (self.high is not None and number > self.high)
        ):
            raise typer.BadParameter(f"{text!r} is not {self.expected}")
        return number


@dataclass(frozen=True)
class Seconds:
    """A parser of a finite number of seconds, at least ``least``, as a float."""

    least: Decimal

    @property
    def expected(self) -> str:
        """What a value must be, for the errors and the help."""
        return f"a number of seconds from {self.least}"

    def __call__(self, text: str | float) -> float:
        """``text`` read; an option's default (a float) comes here too, as Typer passes it."""
        seconds = float(_decimal(str(text), self.expected))
        if not seconds >= self.least or seconds == float("inf"):
            raise typer.BadParameter(f"{text!r} is not {self.expected}")
        return seconds


def _decimal(text: str, expected: str) -> Decimal:
    """A finite Decimal, or a usage error saying what was ``expected``."""
    try:
        number = Decimal(text.strip())
    except ArithmeticError:
        raise typer.BadParameter(f"{text!r} is not {expected}") from None
    if not number.is_finite():
        raise typer.BadParameter(f"{text!r} is not {expected}")
    return number


def parse_years(text: str) -> Decimal:
    """A number of years as a Decimal (``2``, ``1.5``); the core checks its range."""
    return _decimal(text, "a number of years, e.g. 3 or 1.5")


def parse_quantity(text: str) -> Decimal:
    """An amount or a number of hours as a Decimal (``45``, ``12.50``); the core checks it."""
    return _decimal(text, "a number, e.g. 45 or 12.50")


def parse_uuid(text: str) -> UUID:
    """An id as the commands print them (a UUID)."""
    try:
        return UUID(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an id; expected a UUID such as 3f2a6c1e-8b1d-4c1e-9a6b-2d9c0e7f5a11"
        ) from None


parse_uuid.__name__ = "uuid"  # typer shows an argument's type by its parser's name in --help
