"""Hypothesis strategies shared by the tests, and a deterministic decision context.

Every strategy draws values the domain accepts (aware UTC datetimes, one-line
labels without control characters, scores from 1 to 5...), so a property that
fails points at the code under test, not at the data.
"""

from __future__ import annotations

import itertools
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from mentoring_core.domain import DecisionContext, programme, relationship_state
from mentoring_core.domain.decider import Decider
from mentoring_core.domain.events import Event
from mentoring_core.events import EVENT_TYPES, ErasureRule
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
    RecognitionKind,
    ReminderReason,
    Role,
    StakeholderFeedback,
)

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
"""The fixed 'now' of every test clock: a Friday morning in March 2025."""
EARLIEST_DRAWN = datetime(2000, 1, 1)

# --- Scalars -------------------------------------------------------------------------

_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
"""Any character the domain accepts in a free text, besides line breaks and tabs."""
ONE_LINE = st.characters(
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
"""Any character the domain accepts in a title or a label: no control characters, line
or paragraph separators, or text-direction embeddings, overrides and isolates."""


def aware_datetimes(
    min_value: datetime = EARLIEST_DRAWN, max_value: datetime = NOW
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes from 2000 up to the fixed :data:`NOW`."""
    return st.datetimes(
        min_value=min_value.replace(tzinfo=None),
        max_value=max_value.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


def dates() -> st.SearchStrategy[date]:
    """Target and due dates the domain accepts."""
    return st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def labels(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank one-line texts: titles, topics, names; each with a visible character (a
    text of spaces and zero-width format characters alone, a soft hyphen, is refused as
    blank by the domain's title rule)."""
    return st.text(ONE_LINE, min_size=1, max_size=max_size).filter(_visible)


def _visible(text: str) -> bool:
    return not all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def texts(max_size: int = 200) -> st.SearchStrategy[str]:
    """Non-blank free texts, which may hold line breaks and tabs."""
    return st.text(
        st.one_of(_PRINTABLE, st.sampled_from("\n\t")), min_size=1, max_size=max_size
    ).filter(str.strip)


def person_ids() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(("ana", "ben", "carla", "diego", "elif")), labels(30))


def uuids() -> st.SearchStrategy[UUID]:
    return st.uuids()


def experience_years() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=80, places=2)


def label_tuples(min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(labels(), min_size=min_size, max_size=4).map(tuple)


# --- Value objects -------------------------------------------------------------------


def cadences() -> st.SearchStrategy[Cadence]:
    return st.one_of(
        st.sampled_from((Cadence.weekly(), Cadence.fortnightly(), Cadence.monthly())),
        st.integers(1, 366).map(Cadence.every),
    )


@st.composite
def cadence_tiers(draw: st.DrawFn) -> tuple[CadenceTier, ...]:
    """A valid policy cadence: tiers by increasing age, the last one open-ended."""
    bounds = sorted(draw(st.sets(st.integers(1, 3660), max_size=3)))
    tiers = [CadenceTier(cadence=draw(cadences()), until_age_days=bound) for bound in bounds]
    return (*tiers, CadenceTier(cadence=draw(cadences())))


def programme_policies() -> st.SearchStrategy[ProgrammePolicy]:
    return st.builds(
        ProgrammePolicy,
        cadence=cadence_tiers(),
        minimum_meeting_minutes=st.integers(1, 1440),
        participation=st.sampled_from(Participation),
        minimum_experience_gap_years=st.decimals(min_value=0, max_value=50, places=1),
        review_interval_days=st.integers(1, 730),
    )


def meeting_schedules() -> st.SearchStrategy[MeetingSchedule]:
    return st.builds(
        MeetingSchedule,
        cadence=cadences(),
        duration_minutes=st.integers(1, 1440),
        format=st.sampled_from(MeetingFormat),
        in_working_hours=st.booleans(),
    )


def ratings() -> st.SearchStrategy[Rating]:
    return st.builds(Rating, focus_area=st.sampled_from(FocusArea), score=st.integers(1, 5))


def rating_sets() -> st.SearchStrategy[tuple[Rating, ...]]:
    """A self-assessment: at least one rating, each focus area rated once."""
    return st.lists(
        ratings(), min_size=1, max_size=len(FocusArea), unique_by=lambda r: r.focus_area
    ).map(tuple)


def goal_progress() -> st.SearchStrategy[GoalProgress]:
    return st.builds(GoalProgress, goal_id=uuids(), status=st.sampled_from(ProgressStatus))


def stakeholder_feedback() -> st.SearchStrategy[StakeholderFeedback]:
    return st.builds(StakeholderFeedback, source=labels(), text=texts())


# --- Events --------------------------------------------------------------------------


def _base_fields() -> dict[str, st.SearchStrategy]:
    return {
        "event_id": uuids(),
        "aggregate_id": uuids(),
        "version": st.integers(1, 100_000),
        "occurred_at": aware_datetimes(),
        "recorded_at": aware_datetimes(),
        "actor": person_ids(),
        "command_id": st.none() | uuids(),
    }


def _opening_fields() -> dict[str, st.SearchStrategy]:
    return {
        "programme_id": uuids(),
        "mentor_id": person_ids(),
        "mentee_id": person_ids(),
        "mentor_experience_years": experience_years(),
        "mentee_experience_years": experience_years(),
        "gap_override_reason": st.none() | texts(),
        "suggestion_rank": st.none() | st.integers(1, 1000),
        "suggestion_override_reason": st.none() | texts(),
    }


def focus_area_sets() -> st.SearchStrategy[tuple[FocusArea, ...]]:
    """Distinct focus areas, as expertise or development needs."""
    return st.lists(st.sampled_from(FocusArea), unique=True).map(tuple)


def _goal_fields() -> dict[str, st.SearchStrategy]:
    return {
        "goal_id": uuids(),
        "title": labels(),
        "focus_area": st.sampled_from(FocusArea),
        "success_measure": texts(),
        "target_date": dates(),
    }


EVENT_FIELDS: dict[str, dict[str, st.SearchStrategy]] = {
    "ProgrammeCreated": {"name": labels(), "organisation": labels()},
    "PolicySet": {"policy": programme_policies()},
    "ParticipantEnrolled": {
        "person_id": person_ids(),
        "role": st.sampled_from(Role),
        "experience_years": experience_years(),
        "display_name": st.none() | labels(),
        "contact": st.none() | labels(),
        "expertise": focus_area_sets(),
        "development_needs": focus_area_sets(),
    },
    "ParticipantWithdrawn": {"person_id": person_ids(), "reason": texts()},
    "ParticipantProfileUpdated": {
        "person_id": person_ids(),
        "expertise": focus_area_sets(),
        "development_needs": focus_area_sets(),
    },
    "PersonalDataErased": {
        "person_id": person_ids(),
        "rule": st.sampled_from(ErasureRule),
        "reason": texts(),
    },
    "CoordinatorAppointed": {"person_id": person_ids()},
    "CoordinatorRelieved": {"person_id": person_ids(), "reason": texts()},
    "MentorRecognised": {
        "person_id": person_ids(),
        "kind": st.sampled_from(RecognitionKind),
        "period_start": dates(),
        "period_end": dates(),
        "amount": st.none() | st.decimals(0, 10_000_000, places=2),
        "hours": st.none() | st.decimals(0, 10_000, places=2),
        "reason": texts(),
    },
    "ReminderIssued": {
        "reminder_id": uuids(),
        "person_id": person_ids(),
        "relationship_id": uuids(),
        "reason": st.sampled_from(ReminderReason),
        "item": st.sampled_from(["meeting", "review", "goal", "relationship"]),
        "due": aware_datetimes(),
        "channel": st.sampled_from(["email", "webhook"]),
    },
    "ReminderSent": {
        "reminder_id": uuids(),
        "person_id": person_ids(),
        "after_interruption": st.booleans(),
    },
    "ReminderAbandoned": {
        "reminder_id": uuids(),
        "person_id": person_ids(),
        "reason": texts(),
    },
    "RelationshipOpened": {
        "relationship_id": uuids(),
        "mentor_id": person_ids(),
        "mentee_id": person_ids(),
    },
    "PairingProposed": _opening_fields(),
    "PairingAccepted": {"accepted_by": person_ids()},
    "PairingDeclined": {
        "declined_by": person_ids(),
        "reason": st.sampled_from(DeclineReason),
        "explanation": texts(),
    },
    "PairFormed": _opening_fields(),
    "ExpectationsAgreed": {"expectations": label_tuples(min_size=1)},
    "GoalSet": _goal_fields(),
    "GoalRevised": {**_goal_fields(), "reason": texts()},
    "GoalAchieved": {"goal_id": uuids(), "evidence": texts()},
    "GoalAbandoned": {"goal_id": uuids(), "reason": texts()},
    "PlanActivityAdded": {
        "activity_id": uuids(),
        "description": texts(),
        "due_date": dates(),
        "goal_id": st.none() | uuids(),
    },
    "PlanActivityCompleted": {"activity_id": uuids(), "notes": texts()},
    "MilestoneSet": {
        "milestone_id": uuids(),
        "description": texts(),
        "target_date": dates(),
        "goal_id": st.none() | uuids(),
    },
    "MilestoneReached": {"milestone_id": uuids(), "notes": texts()},
    "ScheduleAgreed": {"schedule": meeting_schedules()},
    "ScheduleChanged": {"schedule": meeting_schedules(), "reason": texts()},
    "MeetingHeld": {
        "meeting_id": uuids(),
        "duration_minutes": st.integers(1, 1440),
        "format": st.sampled_from(MeetingFormat),
        "topics": label_tuples(),
        "attendees": st.lists(person_ids(), max_size=3).map(tuple),
        "in_working_hours": st.none() | st.booleans(),
        "group_session_id": st.none() | uuids(),
    },
    "MeetingMissed": {"meeting_id": uuids(), "missed_by": person_ids(), "reason": texts()},
    "MeetingCancelled": {"meeting_id": uuids(), "cancelled_by": person_ids(), "reason": texts()},
    "MeetingRecordCorrected": {
        "corrects_event_id": uuids(),
        "meeting_id": uuids(),
        "held_at": aware_datetimes(),
        "duration_minutes": st.integers(1, 1440),
        "format": st.sampled_from(MeetingFormat),
        "topics": label_tuples(),
        "reason": texts(),
    },
    "FeedbackGiven": {
        "feedback_id": uuids(),
        "from_person": person_ids(),
        "to_person": person_ids(),
        "kind": st.sampled_from(FeedbackKind),
        "about_goal_id": st.none() | uuids(),
        "about_meeting_id": st.none() | uuids(),
        "text": texts(),
        "private": st.booleans(),
    },
    "ReflectionRecorded": {
        "reflection_id": uuids(),
        "ratings": rating_sets(),
        "text": texts(),
        "private": st.booleans(),
    },
    "ProgressEvaluated": {
        "evaluation_id": uuids(),
        "goal_progress": st.lists(goal_progress(), max_size=3).map(tuple),
        "evidence": texts(),
        "stakeholder_feedback": st.lists(stakeholder_feedback(), max_size=3).map(tuple),
    },
    "RelationshipPaused": {"reason": texts()},
    "RelationshipResumed": {},
    "RelationshipEnded": {"reason": st.sampled_from(EndReason), "explanation": texts()},
}
"""The strategy of every field of every event class besides the base fields, by class name."""

EVENT_STRATEGIES: dict[str, st.SearchStrategy[Event]] = {
    name: st.builds(EVENT_TYPES[name], **_base_fields(), **fields)
    for name, fields in EVENT_FIELDS.items()
}
"""One ``st.builds`` per event class, every field given explicitly (nothing inferred)."""


def events(*types: type[Event]) -> st.SearchStrategy[Event]:
    """An instance of any event class (or of one of ``types``)."""
    names = [cls.__name__ for cls in types] if types else sorted(EVENT_STRATEGIES)
    return st.one_of(*(EVENT_STRATEGIES[name] for name in names))


FEW_IDS = st.integers(1, 3).map(lambda n: UUID(int=n))
FEW_PEOPLE = st.sampled_from(("ana", "ben", "cleo"))
NAMED = {
    "goal_id": FEW_IDS,
    "activity_id": FEW_IDS,
    "milestone_id": FEW_IDS,
    "meeting_id": FEW_IDS,
    "reminder_id": FEW_IDS,
    "person_id": FEW_PEOPLE,
}
"""The fields by which an event names a record of an earlier one, drawn from a few values."""


@st.composite
def histories(draw: st.DrawFn, kind: Decider[Any]) -> list[Event]:
    """Events of ``kind``'s types, numbered from version 1, naming each other's records by
    ids drawn from a few (:data:`NAMED`). Events are facts, which a fold never validates,
    so any sequence is one to fold."""
    drawn = draw(st.lists(events(*kind.event_types), max_size=30))
    history = []
    for version, event in enumerate(drawn, start=1):
        named = {f: draw(NAMED[f]) for f in attrs.fields_dict(type(event)) if f in NAMED}
        history.append(attrs.evolve(event, version=version, **named))
    return history


# --- State items -----------------------------------------------------------------------


def state_item_classes() -> tuple[type, ...]:
    """The attrs classes of the relationship's and the programme's state modules but the
    states: the items their folds build (a class added there is counted at once)."""
    return tuple(
        cls
        for module in (relationship_state, programme)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and attrs.has(cls)
        and cls.__module__ == module.__name__
        and cls not in (relationship_state.RelationshipState, programme.ProgrammeState)
    )


ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    uuids(),
    aware_datetimes(),
    st.tuples(st.integers(), st.text(max_size=3)),
)
"""Hashable values that pickle, of any of a few types: a class with no validator takes any."""


@st.composite
def item_arguments(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    """Keyword arguments for the attrs class ``cls``: every field without a default, and
    some of those with one, each of :data:`ANY_VALUE`."""
    return {
        field.alias: draw(ANY_VALUE)
        for field in attrs.fields(cls)
        if field.default is attrs.NOTHING or draw(st.booleans())
    }


# --- Deterministic decisions ---------------------------------------------------------


def decision_context(
    now: datetime = NOW, actor: str = "coordinator.cleo", first_id: int = 1
) -> DecisionContext:
    """A context with a fixed clock whose event ids count up: ``UUID(int=1)``, ``UUID(int=2)``..."""
    counter = itertools.count(first_id)
    return DecisionContext(actor=actor, now=now, new_id=lambda: UUID(int=next(counter)))
