"""``state_at`` takes exactly one of ``version``, ``recorded_by`` and ``occurred_by``; none,
or more than one, is refused with an ``InvalidValue`` (still a ``ValueError``) naming the
arguments given and the rule; it was a bare ``ValueError`` (review finding, defect 4)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from scenarios import relationship_history
from strategies import NOW

from mentoring_core import InvalidValue
from mentoring_core.audit import happened_by, state_at

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


@pytest.mark.parametrize("axis", ["recorded_by", "occurred_by"])
@pytest.mark.parametrize(
    "moment",
    [NOW.replace(tzinfo=None), NOW.date(), NOW.isoformat()],
    ids=["naive", "date", "text"],
)
def test_a_moment_that_is_not_aware_is_refused_naming_the_axis(axis: str, moment: object) -> None:
    """An auditor's moment compared with each event's UTC time: a naive one (or a date, or
    a text) raised a bare TypeError ("can't compare offset-naive and offset-aware
    datetimes"), naming neither the argument nor the value, and on an empty history was
    taken without a word."""
    for events in (relationship_history().events, ()):
        with pytest.raises(InvalidValue) as refused:
            state_at(events, **{axis: moment})  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.value) == (axis, moment)
        assert str(refused.value).startswith(f"invalid {axis}: ")


def test_an_aware_moment_in_any_zone_is_the_same_instant() -> None:
    events = relationship_history().events
    plus_fourteen = NOW.astimezone(timezone(timedelta(hours=14)))
    assert state_at(events, recorded_by=plus_fourteen) == state_at(events, recorded_by=NOW)
    assert happened_by(events, plus_fourteen) == happened_by(events, NOW)


@pytest.mark.parametrize("moment", [NOW.replace(tzinfo=None), NOW.date()], ids=["naive", "date"])
def test_happened_by_refuses_a_moment_that_is_not_aware(moment: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        happened_by(relationship_history().events, moment)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("at", moment)


@pytest.mark.parametrize("version", [-1, "last"])
def test_a_version_the_history_does_not_have_is_refused_naming_its_range(
    version: object,
) -> None:
    """``state_at(version=99)`` of a shorter history gave its last state as if it were the
    one asked for (``service.relationship(version=99)`` and the command line refuse it);
    a negative version gave the state before the first event."""
    events = relationship_history().events
    last = events[-1].version
    for asked in (version, last + 1, True):
        with pytest.raises(InvalidValue) as refused:
            state_at(events, version=asked)  # type: ignore[arg-type]
        assert refused.value.field == "version"
        assert refused.value.expected == f"a version from 0 to {last}"
    assert state_at(events, version=last).version == last
    assert state_at(events, version=0).version == 0
