"""A recognition states only the quantity its kind takes: an allowance its ``amount``,
time in lieu its ``hours``, a certificate or another kind neither. A quantity given to a
kind that does not take it was recorded, then ignored by the mentor-time report; it is
refused, naming the field and the kind that takes it (review finding, defect 1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from scenarios import programme_history
from test_recognition_rules import recognise, recorded

from mentoring_core.values import RecognitionKind

ALLOWANCE, TIME_IN_LIEU = RecognitionKind.ALLOWANCE, RecognitionKind.TIME_IN_LIEU
CERTIFICATE, OTHER = RecognitionKind.CERTIFICATE, RecognitionKind.OTHER


@pytest.mark.parametrize(
    ("changes", "field", "shown", "kind", "taker"),
    [
        ({"kind": CERTIFICATE, "amount": None, "hours": 3}, "hours", "3", CERTIFICATE,
         TIME_IN_LIEU),
        ({"kind": OTHER, "amount": Decimal("5"), "hours": None}, "amount", "5", OTHER,
         ALLOWANCE),
        ({"kind": ALLOWANCE, "amount": 5, "hours": 2}, "hours", "2", ALLOWANCE, TIME_IN_LIEU),
        ({"kind": TIME_IN_LIEU, "amount": "5", "hours": 2}, "amount", "'5'", TIME_IN_LIEU,
         ALLOWANCE),
    ],
)  # fmt: skip
def test_a_quantity_the_kind_does_not_take_is_refused_naming_the_kind_that_takes_it(
    changes: dict[str, Any],
    field: str,
    shown: str,
    kind: RecognitionKind,
    taker: RecognitionKind,
) -> None:
    error = programme_history().reject(recognise(**changes), field)
    assert error.value == changes[field]  # the value as given
    assert str(error) == (
        f"invalid {field}: {shown}; expected none for a recognition of kind {kind} "
        f"(only {taker} states {field})"
    )


def test_a_zero_is_still_a_quantity_given() -> None:
    programme_history().reject(recognise(kind=CERTIFICATE, amount=0), "amount")


@pytest.mark.parametrize(
    ("kind", "amount", "hours"),
    [
        (ALLOWANCE, Decimal("25.50"), None),
        (TIME_IN_LIEU, None, Decimal("1.5")),
        (CERTIFICATE, None, None),
        (OTHER, None, None),
    ],
)
def test_each_kind_is_recorded_with_its_own_quantity_only(
    kind: RecognitionKind, amount: Decimal | None, hours: Decimal | None
) -> None:
    event = recorded(kind=kind, amount=amount, hours=hours)
    assert (event.kind, event.amount, event.hours) == (kind, amount, hours)
