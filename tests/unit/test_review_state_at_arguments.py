"""``state_at`` takes exactly one of ``version``, ``recorded_by`` and ``occurred_by``; none,
or more than one, is refused with an ``InvalidValue`` (still a ``ValueError``) naming the
arguments given and the rule; it was a bare ``ValueError`` (review finding, defect 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scenarios import relationship_history
from strategies import NOW

from mentoring_core import InvalidValue
from mentoring_core.audit import state_at

RULE = "exactly one of version, recorded_by and occurred_by"


def test_no_point_is_refused_naming_the_three_arguments() -> None:
    events = relationship_history().events
    with pytest.raises(InvalidValue) as refused:
        state_at(events)
    assert isinstance(refused.value, ValueError)
    assert refused.value.field == "version, recorded_by, occurred_by"
    assert refused.value.expected == RULE
    assert str(refused.value) == (
        f"invalid version, recorded_by, occurred_by: nothing; expected {RULE}"
    )


def test_two_points_are_refused_naming_those_given_and_their_values() -> None:
    events = relationship_history().events
    with pytest.raises(InvalidValue) as refused:
        state_at(events, version=3, recorded_by=NOW)
    assert refused.value.field == "version, recorded_by"
    assert refused.value.value == (3, NOW)
    assert str(refused.value) == (
        f"invalid version, recorded_by: 3, {NOW.isoformat()}; expected {RULE}"
    )
    with pytest.raises(InvalidValue, match=r"^invalid version, recorded_by, occurred_by: "):
        state_at(events, version=1, recorded_by=NOW, occurred_by=NOW - timedelta(days=1))


def test_one_point_is_enough() -> None:
    events = relationship_history().events
    assert state_at(events, version=1).version == 1
    assert state_at(events, recorded_by=NOW).version == len(events)
    assert state_at(events, occurred_by=NOW).version == len(events)
