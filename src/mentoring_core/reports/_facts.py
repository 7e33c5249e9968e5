"""The facts a compliance report needs, folded from events: the one fold both paths use.

A report is computed from these facts, never from events directly, so the
incremental projection (which stores the facts) and a straight fold over the
history (which builds them on the spot) cannot disagree on anything but the
events they were given.

The facts keep times, outcomes, durations, due dates, self-assessment scores and
goal judgements only: no free text, so the read model holds no personal data
beyond the pseudonymous person ids (scores and judgements are not sealed in the
events either). Private feedback and reflections are left out altogether: they are
the pair's, and the report is read by the programme's coordinators.

Folding is idempotent per aggregate: an event whose version the facts already
include is passed over. A projection that is handed an event twice (a restart
between writing the read model and noting the position cannot happen, but a
second projector racing on the same read model can) never counts it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from itertools import takewhile
from typing import Any, TypeVar, get_args, get_origin
from uuid import UUID

import attrs

from ..domain._collections import Places, in_force_at
from ..domain._replace import replaced
from ..domain.events import (
    Event,
    FeedbackGiven,
    GoalAbandoned,
    GoalAchieved,
    GoalRevised,
    GoalSet,
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    MentorRecognised,
    MilestoneReached,
    MilestoneSet,
    PairFormed,
    PairingAccepted,
    PairingDeclined,
    PairingProposed,
    PlanActivityAdded,
    PlanActivityCompleted,
    PolicySet,
    ProgrammeCreated,
    ProgrammeEvent,
    ProgressEvaluated,
    ReflectionRecorded,
    RelationshipEnded,
    RelationshipEvent,
    RelationshipOpened,
    RelationshipPaused,
    RelationshipResumed,
    ScheduleAgreed,
    ScheduleChanged,
)
from ..domain.values import (
    Cadence,
    EndReason,
    GoalStatus,
    MeetingOutcome,
    ProgrammePolicy,
    ProgressStatus,
    RecognitionKind,
    RelationshipStatus,
)

E = TypeVar("E", bound=Event)


@attrs.frozen(kw_only=True)
class MeetingFact:
    """A held, missed or cancelled meeting: when, and for held ones how long (as corrected)."""

    meeting_id: UUID
    outcome: MeetingOutcome
    at: datetime
    minutes: int | None = None
    in_working_hours: bool | None = None
    """For held ones: in paid working hours (as recorded, or as the schedule in force said)."""
    group_session_id: UUID | None = None
    """For held ones: the group session it was part of, if any."""


@attrs.frozen(kw_only=True)
class GoalFact:
    """A goal's dates and where it stands."""

    goal_id: UUID
    set_at: datetime
    target_date: date
    status: GoalStatus = GoalStatus.OPEN
    closed_at: datetime | None = None


@attrs.frozen(kw_only=True)
class PlanItemFact:
    """A plan activity or a milestone: its due (target) date, and when it was completed
    (reached), if it was."""

    item_id: UUID
    due_date: date
    done_at: datetime | None = None
    goal_id: UUID | None = None
    """The goal it is toward, if any."""


@attrs.frozen(kw_only=True)
class SelfAssessmentFact:
    """A self-assessment: when it took place and its scores (1 to 5), one per focus area."""

    at: datetime
    scores: tuple[int, ...]


@attrs.frozen(kw_only=True)
class EvaluationFact:
    """A progress evaluation: when it took place and its judgement of each goal judged."""

    at: datetime
    judgements: tuple[ProgressStatus, ...]


@attrs.frozen(kw_only=True)
class PauseFact:
    """A pause; ``resumed_at`` is None while it lasts."""

    paused_at: datetime
    resumed_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ScheduleFact:
    """The cadence the pair agreed, in force from ``at`` until the next agreement."""

    at: datetime
    cadence: Cadence
    in_working_hours: bool = True
    """Whether the schedule's meetings are held in paid working hours."""


@attrs.frozen(kw_only=True)
class PolicyFact:
    """A programme policy, in force from ``at`` until the next one."""

    at: datetime
    policy: ProgrammePolicy


@attrs.frozen(kw_only=True)
class RecognitionFact:
    """A recognition of a mentor's time (``MentorRecognised``), without its free text."""

    person_id: str
    kind: RecognitionKind
    period_start: date
    period_end: date
    amount: Decimal | None = None
    hours: Decimal | None = None
    recorded_at: datetime


@attrs.frozen(kw_only=True)
class RelationshipFacts:
    """What the reports need to know about one relationship, as of its ``version``."""

    relationship_id: UUID | None = None
    version: int = 0
    programme_id: UUID | None = None
    mentor_id: str = ""
    mentee_id: str = ""
    status: RelationshipStatus = RelationshipStatus.NEW
    proposed_at: datetime | None = None
    formed_at: datetime | None = None
    declined_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    schedules: tuple[ScheduleFact, ...] = ()
    pauses: tuple[PauseFact, ...] = ()
    meetings: tuple[MeetingFact, ...] = ()
    goals: tuple[GoalFact, ...] = ()
    feedback: tuple[datetime, ...] = ()
    """When each piece of feedback was given (private feedback left out)."""
    reflections: tuple[datetime, ...] = ()
    """When each self-assessment was recorded (private ones left out)."""
    reviews: tuple[datetime, ...] = ()
    """When each progress evaluation took place."""
    activities: tuple[PlanItemFact, ...] = ()
    """The plan activities, in the order added."""
    milestones: tuple[PlanItemFact, ...] = ()
    """The milestones, in the order set."""
    self_assessments: tuple[SelfAssessmentFact, ...] = ()
    """Each self-assessment's scores, in the order recorded (private ones left out)."""
    evaluations: tuple[EvaluationFact, ...] = ()
    """Each progress evaluation's judgements, in the order recorded."""


@attrs.frozen(kw_only=True)
class ProgrammeFacts:
    """What the reports need to know about a programme, as of its ``version``."""

    programme_id: UUID | None = None
    version: int = 0
    name: str = ""
    organisation: str = ""
    created_at: datetime | None = None
    policies: tuple[PolicyFact, ...] = ()
    """Every policy set, in the order recorded."""
    relationship_ids: tuple[UUID, ...] = ()
    recognitions: tuple[RecognitionFact, ...] = ()
    """Every recognition of a mentor's time, in the order recorded."""


def _goals(draft: RelationshipDraft, goal_id: UUID, **changes: Any) -> None:
    draft.change_items("goals", "goal_id", goal_id, lambda g: replaced(g, **changes))


def _closed_pauses(pauses: list[PauseFact], at: datetime) -> list[PauseFact]:
    """The pauses with the one under way (if any) ended at ``at``."""
    pauses = list(pauses)
    if pauses and pauses[-1].resumed_at is None:
        pauses[-1] = attrs.evolve(pauses[-1], resumed_at=at)
    return pauses


def _paired(draft: RelationshipDraft, event: PairingProposed | PairFormed) -> None:
    at = event.occurred_at
    formed = isinstance(event, PairFormed)
    draft.set(
        relationship_id=event.aggregate_id,
        programme_id=event.programme_id,
        mentor_id=event.mentor_id,
        mentee_id=event.mentee_id,
        proposed_at=at,
        status=RelationshipStatus.ACTIVE if formed else RelationshipStatus.PROPOSED,
        formed_at=at if formed else None,
    )


def _accepted(draft: RelationshipDraft, event: PairingAccepted) -> None:
    draft.set(status=RelationshipStatus.ACTIVE, formed_at=event.occurred_at)


def _declined(draft: RelationshipDraft, event: PairingDeclined) -> None:
    draft.set(status=RelationshipStatus.DECLINED, declined_at=event.occurred_at)


def _scheduled(draft: RelationshipDraft, event: ScheduleAgreed | ScheduleChanged) -> None:
    schedule = ScheduleFact(
        at=event.occurred_at,
        cadence=event.schedule.cadence,
        in_working_hours=event.schedule.in_working_hours,
    )
    draft.append("schedules", schedule)


def _scheduled_in_working_hours(schedules: list[ScheduleFact], at: datetime) -> bool:
    """What the schedule in force at ``at`` says of working hours (True before any)."""
    return in_force_at(((s.at, s.in_working_hours) for s in schedules), at, True)


def _held(draft: RelationshipDraft, event: MeetingHeld) -> None:
    flag = event.in_working_hours
    meeting = MeetingFact(
        meeting_id=event.meeting_id,
        outcome=MeetingOutcome.HELD,
        at=event.occurred_at,
        minutes=event.duration_minutes,
        in_working_hours=(
            _scheduled_in_working_hours(draft.items("schedules"), event.occurred_at)
            if flag is None
            else flag
        ),
        group_session_id=event.group_session_id,
    )
    draft.append("meetings", meeting)


def _not_held(draft: RelationshipDraft, event: MeetingMissed | MeetingCancelled) -> None:
    outcome = (
        MeetingOutcome.MISSED if isinstance(event, MeetingMissed) else MeetingOutcome.CANCELLED
    )
    meeting = MeetingFact(meeting_id=event.meeting_id, outcome=outcome, at=event.occurred_at)
    draft.append("meetings", meeting)


def _corrected(draft: RelationshipDraft, event: MeetingRecordCorrected) -> None:
    draft.change_items(
        "meetings",
        "meeting_id",
        event.meeting_id,
        lambda m: replaced(m, at=event.held_at, minutes=event.duration_minutes),
    )


def _goal_set(draft: RelationshipDraft, event: GoalSet) -> None:
    goal = GoalFact(goal_id=event.goal_id, set_at=event.occurred_at, target_date=event.target_date)
    draft.append("goals", goal)


def _goal_revised(draft: RelationshipDraft, event: GoalRevised) -> None:
    _goals(draft, event.goal_id, target_date=event.target_date)


def _goal_achieved(draft: RelationshipDraft, event: GoalAchieved) -> None:
    _goals(draft, event.goal_id, status=GoalStatus.ACHIEVED, closed_at=event.occurred_at)


def _goal_abandoned(draft: RelationshipDraft, event: GoalAbandoned) -> None:
    _goals(draft, event.goal_id, status=GoalStatus.ABANDONED, closed_at=event.occurred_at)


def _feedback(draft: RelationshipDraft, event: FeedbackGiven) -> None:
    if not event.private:
        draft.append("feedback", event.occurred_at)


def _reflection(draft: RelationshipDraft, event: ReflectionRecorded) -> None:
    """A private one is the pair's: the report, read by the coordinators, leaves it out."""
    if event.private:
        return
    at = event.occurred_at
    scored = SelfAssessmentFact(at=at, scores=tuple(r.score for r in event.ratings))
    draft.append("reflections", at)
    draft.append("self_assessments", scored)


def _review(draft: RelationshipDraft, event: ProgressEvaluated) -> None:
    at = event.occurred_at
    judged = EvaluationFact(at=at, judgements=tuple(g.status for g in event.goal_progress))
    draft.append("reviews", at)
    draft.append("evaluations", judged)


def _activity_added(draft: RelationshipDraft, event: PlanActivityAdded) -> None:
    activity = PlanItemFact(
        item_id=event.activity_id, due_date=event.due_date, goal_id=event.goal_id
    )
    draft.append("activities", activity)


def _activity_completed(draft: RelationshipDraft, event: PlanActivityCompleted) -> None:
    _done(draft, "activities", event.activity_id, event.occurred_at)


def _milestone_set(draft: RelationshipDraft, event: MilestoneSet) -> None:
    milestone = PlanItemFact(
        item_id=event.milestone_id, due_date=event.target_date, goal_id=event.goal_id
    )
    draft.append("milestones", milestone)


def _milestone_reached(draft: RelationshipDraft, event: MilestoneReached) -> None:
    _done(draft, "milestones", event.milestone_id, event.occurred_at)


def _done(draft: RelationshipDraft, field: str, item_id: UUID, at: datetime) -> None:
    draft.change_items(field, "item_id", item_id, lambda i: replaced(i, done_at=at))


def _paused(draft: RelationshipDraft, event: RelationshipPaused) -> None:
    pause = PauseFact(paused_at=event.occurred_at)
    draft.set(status=RelationshipStatus.PAUSED)
    draft.append("pauses", pause)


def _resumed(draft: RelationshipDraft, event: RelationshipResumed) -> None:
    at = event.occurred_at
    draft.set(status=RelationshipStatus.ACTIVE, pauses=_closed_pauses(draft.items("pauses"), at))


def _ended(draft: RelationshipDraft, event: RelationshipEnded) -> None:
    at = event.occurred_at
    draft.set(
        status=RelationshipStatus.ENDED,
        ended_at=at,
        end_reason=event.reason,
        pauses=_closed_pauses(draft.items("pauses"), at),
    )


_Change = Callable[["RelationshipDraft", Any], None]
"""What an event changes in a relationship's facts, made in place in their draft: fields
set, items added at the end of a list, items of a list changed. Not said first and then
applied, as the domain's folds say a change (a dict of fields, each item added wrapped in
:class:`~mentoring_core.domain.decider.Added`): making that dict and its wrappers for each
event, and reading them again, was a quarter of a projection's folding."""

_CHANGES: dict[type[RelationshipEvent], _Change] = {
    PairingProposed: _paired,
    PairFormed: _paired,
    PairingAccepted: _accepted,
    PairingDeclined: _declined,
    ScheduleAgreed: _scheduled,
    ScheduleChanged: _scheduled,
    MeetingHeld: _held,
    MeetingMissed: _not_held,
    MeetingCancelled: _not_held,
    MeetingRecordCorrected: _corrected,
    GoalSet: _goal_set,
    GoalRevised: _goal_revised,
    GoalAchieved: _goal_achieved,
    GoalAbandoned: _goal_abandoned,
    PlanActivityAdded: _activity_added,
    PlanActivityCompleted: _activity_completed,
    MilestoneSet: _milestone_set,
    MilestoneReached: _milestone_reached,
    FeedbackGiven: _feedback,
    ReflectionRecorded: _reflection,
    ProgressEvaluated: _review,
    RelationshipPaused: _paused,
    RelationshipResumed: _resumed,
    RelationshipEnded: _ended,
}
"""What each kind of event changes in the facts; the kinds not listed change nothing."""


_RELATIONSHIP_FIELDS = tuple(field.name for field in attrs.fields(RelationshipFacts))


def listed_item_types(cls: type) -> dict[str, Any]:
    """The item type of each of the facts class ``cls``'s lists (its tuple fields), by
    name."""
    return {
        field.name: get_args(field.type)[0]
        for field in attrs.fields(attrs.resolve_types(cls))
        if get_origin(field.type) is tuple
    }


_LISTED = tuple(listed_item_types(RelationshipFacts))
"""The facts' fields that are lists (tuples in the facts, lists in a draft)."""


class _Fields:
    """A draft's fields, as attributes that can be changed."""

    version: int

    def __init__(self, fields: dict[str, Any]) -> None:
        vars(self).update(fields)


class RelationshipDraft:
    """A relationship's facts while events are folded into them.

    Their fields are kept as attributes of a plain object, each event changing the few it
    changes in place, and the facts are built once, by :meth:`facts`: building new facts
    (some 25 fields) for each event cost more than the event's own changes. Their lists
    are lists, an item added or changed in place: a tuple made anew for each item copied
    the whole list, and the garbage collector then walked every item of each new copy (a
    young object), at a cost that grew with the history.
    """

    def __init__(self, facts: RelationshipFacts) -> None:
        fields = {name: getattr(facts, name) for name in _RELATIONSHIP_FIELDS}
        for name in _LISTED:
            fields[name] = list(fields[name])
        self._fields = _Fields(fields)
        self._places: dict[str, Places] = {}

    @property
    def version(self) -> int:
        """The version of the last event folded in."""
        return self._fields.version

    def add(self, event: RelationshipEvent) -> None:
        """Fold ``event`` in; an event already folded in (by version) changes nothing."""
        fields = self._fields
        if event.version <= fields.version:
            return
        change = _CHANGES.get(type(event))  # the kinds not listed change nothing
        if change is not None:
            change(self, event)
        fields.version = event.version

    def items(self, name: str) -> list[Any]:
        """The list ``name``, as folded so far (not to be changed but by this draft)."""
        items: list[Any] = getattr(self._fields, name)
        return items

    def set(self, **values: Any) -> None:
        """Set each field named to its value."""
        vars(self._fields).update(values)

    def append(self, name: str, item: Any) -> None:
        """Add ``item`` at the end of the list ``name``."""
        getattr(self._fields, name).append(item)

    def change_items(
        self, name: str, key: str, item_id: UUID, change: Callable[[Any], Any]
    ) -> None:
        """What a completion, correction or goal change does: ``change`` made to each item
        of the list ``name`` whose ``key`` is ``item_id`` (an id no item has changes
        nothing), found by where the draft has seen each id."""
        places = self._places.get(name)
        if places is None:
            places = self._places[name] = Places(key)
        items = self.items(name)
        for at in places.of(items, item_id):
            items[at] = change(items[at])

    def facts(self) -> RelationshipFacts:
        """The facts, as of the last event folded in."""
        fields = dict(vars(self._fields))
        for name in _LISTED:
            fields[name] = tuple(fields[name])
        return RelationshipFacts(**fields)


def evolve_relationship_facts(
    facts: RelationshipFacts, event: RelationshipEvent
) -> RelationshipFacts:
    """The facts after ``event``; an event already folded in (by version) changes nothing."""
    if event.version <= facts.version:
        return facts
    draft = RelationshipDraft(facts)
    draft.add(event)
    return draft.facts()


def evolve_programme_facts(facts: ProgrammeFacts, event: ProgrammeEvent) -> ProgrammeFacts:
    """The facts after ``event``; an event already folded in (by version) changes nothing."""
    if event.version <= facts.version:
        return facts
    facts = attrs.evolve(facts, version=event.version)
    match event:
        case ProgrammeCreated():
            return attrs.evolve(
                facts,
                programme_id=event.aggregate_id,
                name=event.name,
                organisation=event.organisation,
                created_at=event.occurred_at,
            )
        case PolicySet():
            policy = PolicyFact(at=event.occurred_at, policy=event.policy)
            return attrs.evolve(facts, policies=(*facts.policies, policy))
        case RelationshipOpened():
            return attrs.evolve(
                facts, relationship_ids=(*facts.relationship_ids, event.relationship_id)
            )
        case MentorRecognised():
            recognition = RecognitionFact(
                person_id=event.person_id,
                kind=event.kind,
                period_start=event.period_start,
                period_end=event.period_end,
                amount=event.amount,
                hours=event.hours,
                recorded_at=event.recorded_at,
            )
            return attrs.evolve(facts, recognitions=(*facts.recognitions, recognition))
    return facts


def fold_relationship_facts(events: Iterable[RelationshipEvent]) -> RelationshipFacts:
    """The facts of one relationship from its events, in version order."""
    draft = RelationshipDraft(RelationshipFacts())
    for event in events:
        draft.add(event)
    return draft.facts()


def fold_programme_facts(events: Iterable[ProgrammeEvent]) -> ProgrammeFacts:
    """The facts of one programme from its events, in version order."""
    return reduce(evolve_programme_facts, events, ProgrammeFacts())


def recorded_by(events: Iterable[E], moment: datetime) -> tuple[E, ...]:
    """The events of one history that were recorded by ``moment``, in order.

    The same rule as ``MentoringService.relationship_as_of``: the history up to
    the first event recorded after ``moment``.
    """
    return tuple(takewhile(lambda e: e.recorded_at <= moment, events))
