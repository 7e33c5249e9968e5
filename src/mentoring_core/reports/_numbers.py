"""Numbers as the reports write them: percentages, means and month keys."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, to one decimal (half up); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


def hours(minutes: int, places: Decimal = HUNDREDTH) -> Decimal:
    """Minutes as hours, to ``places`` (two decimals by default; the HTML shows one), half
    up, as every other figure of the reports is rounded."""
    return (Decimal(minutes) / 60).quantize(places, ROUND_HALF_UP)


def mean(total: int, count: int) -> Decimal | None:
    """``total`` ÷ ``count`` to two decimals (half up); None when ``count`` is 0."""
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(HUNDREDTH, ROUND_HALF_UP)


_MONTH_KEYS: dict[int, str] = {}
"""Each month's key once written, by ``year * 12 + month``: a report asks for the key of
every meeting, feedback and self-assessment (a million at 2,000 relationships over two
years), and formatting one cost four times looking it up."""


def month_key(moment: datetime) -> str:
    """The ``YYYY-MM`` of a moment."""
    index = moment.year * 12 + moment.month
    key = _MONTH_KEYS.get(index)
    if key is None:
        key = _MONTH_KEYS[index] = f"{moment.year:04d}-{moment.month:02d}"
    return key
