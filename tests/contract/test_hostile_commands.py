"""Every public command, fed arbitrary values: only the documented errors, nothing stored.

Values mix valid ones with huge strings, control characters, naive datetimes, far-future
dates, negative numbers, wrong types and unknown ids. A command either records (and the
store grows) or raises InvalidValue, RuleViolation, NotFound, UnknownPerson (an erasure
of a person no programme names) or ConcurrencyConflict and leaves the store exactly as
it was.
"""

from __future__ import annotations

import inspect
import os
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring_core import (
    ConcurrencyConflict,
    InvalidValue,
    MentoringService,
    NotFound,
    RuleViolation,
    UnknownPerson,
)
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ProgressStatus,
    Rating,
    Role,
    StakeholderFeedback,
)

DOCUMENTED = (InvalidValue, RuleViolation, NotFound, UnknownPerson, ConcurrencyConflict)
QUERIES = {
    "find_command",
    "programme",
    "relationship",
    "relationship_as_of",
    "history",
    "relationships",
    "programmes",
    "programme_ids",
    "suggest_mentors",
    "verify",
    "read",
    "follow",
    "close",
    "now",
}
COMMANDS = sorted(
    name
    for name, member in inspect.getmembers(MentoringService, inspect.isfunction)
    if not name.startswith("_") and name not in QUERIES
)
NOW = datetime.now(UTC)
EDGES = (
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
)
"""Moments Python can hold but not convert to UTC: a year before 1 or after 9999 there."""

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.just("x" * 100_000),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=10),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),
    st.just(datetime(9999, 12, 31, tzinfo=UTC)),
    st.sampled_from(EDGES),
    st.dates(),
    st.uuids(),
    st.decimals(allow_nan=True),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from([*Role, *FocusArea, *MeetingFormat, *FeedbackKind, *DeclineReason, *EndReason]),
)


def plausible(name: str, ids: dict[str, UUID]) -> st.SearchStrategy[Any]:
    """A valid value for a parameter, so commands get past their first checks sometimes."""
    by_name: dict[str, Any] = {
        "programme_id": st.just(ids["programme"]),
        "relationship_id": st.just(ids["relationship"]),
        "goal_id": st.just(ids["goal"]) | st.none(),
        "meeting_id": st.just(ids["meeting"]) | st.none(),
        "role": st.sampled_from(Role),
        "focus_area": st.sampled_from(FocusArea),
        "format": st.sampled_from(MeetingFormat),
        "kind": st.sampled_from(FeedbackKind),
        "reason": st.sampled_from([*DeclineReason, *EndReason]) | st.text(min_size=1, max_size=20),
        "experience_years": st.integers(0, 40),
        "duration_minutes": st.integers(1, 600),
        "target_date": st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 1, 1)),
        "due_date": st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 1, 1)),
        "occurred_at": st.none() | st.just(NOW - timedelta(days=1)),
        "topics": st.lists(st.text(min_size=1, max_size=10), max_size=3),
        "ratings": st.just([Rating(focus_area=FocusArea.TEAMWORK, score=4)]),
        "goal_progress": st.just(
            [GoalProgress(goal_id=ids["goal"], status=ProgressStatus.ON_TRACK)]
        ),
        "stakeholder_feedback": st.just([StakeholderFeedback(source="team leader", text="ok")]),
        "schedule": st.just(
            MeetingSchedule(
                cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.PHONE
            )
        ),
        "policy": st.just(
            ProgrammePolicy(
                cadence=(CadenceTier(cadence=Cadence.fortnightly()),),
                minimum_meeting_minutes=60,
                participation=Participation.VOLUNTARY,
                minimum_experience_gap_years=Decimal(2),
                review_interval_days=90,
            )
        ),
        "expectations": st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=2),
    }
    return by_name.get(name, st.text(min_size=1, max_size=12))


@pytest.fixture(scope="module")
def service() -> Any:
    with MentoringService("memory://") as service:
        programme = service.create_programme("Fuzzed", "Org", actor="coord").id
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
        relationship = service.form_pair(programme, "ana", "ben", actor="coord").id
        goal = service.set_goal(
            relationship, "Goal", FocusArea.OTHER, "Measure", date(2027, 1, 1), actor="ana"
        ).id
        meeting = service.record_meeting_held(
            relationship, 60, MeetingFormat.PHONE, ["t"], actor="ana"
        ).id
        service.ids = {  # type: ignore[attr-defined]
            "programme": programme,
            "relationship": relationship,
            "goal": goal,
            "meeting": meeting,
        }
        yield service


@settings(
    max_examples=1000 if os.environ.get("CI") else 300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_values_give_only_documented_errors_and_store_nothing(service: Any, data: Any) -> None:
    name = data.draw(st.sampled_from(COMMANDS), label="command")
    method = getattr(service, name)
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            for extra in ("occurred_at", "expected_version"):
                if data.draw(st.booleans(), label=f"give {extra}"):
                    kwargs[extra] = data.draw(HOSTILE | plausible(extra, service.ids), label=extra)
            continue
        required = parameter.default is inspect.Parameter.empty
        if required or data.draw(st.booleans(), label=f"give {parameter.name}"):
            kwargs[parameter.name] = data.draw(
                plausible(parameter.name, service.ids) | HOSTILE, label=parameter.name
            )
    kwargs.setdefault("actor", data.draw(st.sampled_from(["ana", "", "\x00", "x" * 500])))
    before = service.store.recorder.max_notification_id()
    try:
        method(**kwargs)
    except DOCUMENTED:
        assert service.store.recorder.max_notification_id() == before
    else:
        assert service.store.recorder.max_notification_id() > before


class _NoOffset(tzinfo):
    """A zone that gives no offset: a datetime holding it is naive by datetime's own
    definition (``utcoffset()`` is None), though its ``tzinfo`` is set."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize(
    "when",
    ["2026-01-01", 5, date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=_NoOffset())],
    ids=["text", "int", "date", "zone without offset"],
)
def test_a_date_of_another_type_is_refused_by_name_where_the_service_reads_it_first(
    service: Any, when: Any
) -> None:
    """A withdrawal, a meeting naming attendees and a correction moving a meeting have the
    service read their date to load what the decision needs (the meetings the person
    attended; who was enrolled then): a value that is no datetime with an offset is
    refused as the decision refuses it, naming the field, not met with an AttributeError
    (or, for a zone giving no offset, a TypeError comparing it with aware dates)."""
    ids = service.ids
    before = service.store.recorder.max_notification_id()
    calls = {
        "withdraw": lambda: service.withdraw(
            ids["programme"], "ben", "Left", actor="coord", occurred_at=when
        ),
        "meeting": lambda: service.record_meeting_held(
            ids["relationship"],
            60,
            MeetingFormat.PHONE,
            ["t"],
            attendees=["ben"],
            actor="ana",
            occurred_at=when,
        ),
        "correction": lambda: service.correct_meeting_record(
            ids["relationship"], ids["meeting"], "Wrong day", held_at=when, actor="ana"
        ),
    }
    for name, call in calls.items():
        with pytest.raises(InvalidValue) as refused:
            call()
        said = str(refused.value)
        field = "held_at" if name == "correction" else "occurred_at"
        assert said.startswith(f"invalid {field}: ") and "expected a datetime" in said, name
    assert service.store.recorder.max_notification_id() == before


@pytest.mark.parametrize("when", EDGES, ids=["year 1, UTC+1", "year 9999, UTC-5"])
def test_a_moment_beyond_utc_s_range_is_refused_by_name_by_commands_and_queries(
    service: Any, when: datetime
) -> None:
    """A moment whose UTC time would fall before year 1 or after 9999 is refused as any
    moment out of range is (InvalidValue naming the field), not met with the
    OverflowError its conversion to UTC raises."""
    ids = service.ids
    before = service.store.recorder.max_notification_id()
    calls = {
        "occurred_at": lambda: service.record_meeting_held(
            ids["relationship"], 60, MeetingFormat.PHONE, ["t"], actor="ana", occurred_at=when
        ),
        "held_at": lambda: service.correct_meeting_record(
            ids["relationship"], ids["meeting"], "Wrong day", held_at=when, actor="ana"
        ),
        "at": lambda: service.relationship_as_of(ids["relationship"], when),
    }
    for field, call in calls.items():
        with pytest.raises(InvalidValue) as refused:
            call()
        assert str(refused.value).startswith(f"invalid {field}: "), field
    assert service.store.recorder.max_notification_id() == before
