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


def mean(total: int, count: int) -> Decimal | None:
    """``total`` ÷ ``count`` to two decimals (half up); None when ``count`` is 0."""
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(HUNDREDTH, ROUND_HALF_UP)


def month_key(moment: datetime) -> str:
    """The ``YYYY-MM`` of a moment."""
    return f"{moment.year:04d}-{moment.month:02d}"
