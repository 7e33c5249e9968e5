"""The facts a compliance report needs, folded from events: the one fold both paths use.

A report is computed from these facts, never from events directly, so the
incremental projection (which stores the facts) and a straight fold over the
history (which builds them on the spot) cannot disagree on anything but the
events they were given.

The facts keep times, outcomes, durations, due dates, self-assessment scores and
goal judgements only: no free text, so the read model holds no personal data
beyond the pseudonymous person ids (scores and judgements are not sealed in the
events either).

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
from operator import attrgetter
from typing import Any, TypeVar, cast, get_args, get_origin
from uuid import UUID

import attrs

from ..domain.decider import Added
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
    """When each piece of feedback was given."""
    reflections: tuple[datetime, ...] = ()
    """When each self-assessment was recorded."""
    reviews: tuple[datetime, ...] = ()
    """When each progress evaluation took place."""
    activities: tuple[PlanItemFact, ...] = ()
    """The plan activities, in the order added."""
    milestones: tuple[PlanItemFact, ...] = ()
    """The milestones, in the order set."""
    self_assessments: tuple[SelfAssessmentFact, ...] = ()
    """Each self-assessment's scores, in the order recorded."""
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


@attrs.frozen
class _ItemsChanged:
    """What a completion, correction or goal change does: ``change`` made to each item of
    the facts' list ``field`` whose ``key`` is ``item_id`` (an id no item has changes
    nothing). A :class:`RelationshipDraft` finds the items by where it has seen each id."""

    field: str
    key: str
    item_id: UUID
    change: Callable[[Any], Any]


def _goals(goal_id: UUID, **changes: Any) -> _ItemsChanged:
    return _ItemsChanged("goals", "goal_id", goal_id, lambda g: attrs.evolve(g, **changes))


def _closed_pauses(facts: RelationshipFacts, at: datetime) -> list[PauseFact]:
    """The pauses with the one under way (if any) ended at ``at``."""
    pauses = list(facts.pauses)
    if pauses and pauses[-1].resumed_at is None:
        pauses[-1] = attrs.evolve(pauses[-1], resumed_at=at)
    return pauses


def _paired(facts: RelationshipFacts, event: PairingProposed | PairFormed) -> dict[str, Any]:
    at = event.occurred_at
    formed = isinstance(event, PairFormed)
    return {
        "relationship_id": event.aggregate_id,
        "programme_id": event.programme_id,
        "mentor_id": event.mentor_id,
        "mentee_id": event.mentee_id,
        "proposed_at": at,
        "status": RelationshipStatus.ACTIVE if formed else RelationshipStatus.PROPOSED,
        "formed_at": at if formed else None,
    }


def _accepted(facts: RelationshipFacts, event: PairingAccepted) -> dict[str, Any]:
    return {"status": RelationshipStatus.ACTIVE, "formed_at": event.occurred_at}


def _declined(facts: RelationshipFacts, event: PairingDeclined) -> dict[str, Any]:
    return {"status": RelationshipStatus.DECLINED, "declined_at": event.occurred_at}


def _scheduled(facts: RelationshipFacts, event: ScheduleAgreed | ScheduleChanged) -> dict[str, Any]:
    schedule = ScheduleFact(
        at=event.occurred_at,
        cadence=event.schedule.cadence,
        in_working_hours=event.schedule.in_working_hours,
    )
    return {"schedules": Added(schedule)}


def _scheduled_in_working_hours(facts: RelationshipFacts, at: datetime) -> bool:
    """What the schedule in force at ``at`` says of working hours (True before any)."""
    earlier = [s for s in facts.schedules if s.at <= at]
    return earlier[-1].in_working_hours if earlier else True


def _held(facts: RelationshipFacts, event: MeetingHeld) -> dict[str, Any]:
    flag = event.in_working_hours
    meeting = MeetingFact(
        meeting_id=event.meeting_id,
        outcome=MeetingOutcome.HELD,
        at=event.occurred_at,
        minutes=event.duration_minutes,
        in_working_hours=(
            _scheduled_in_working_hours(facts, event.occurred_at) if flag is None else flag
        ),
        group_session_id=event.group_session_id,
    )
    return {"meetings": Added(meeting)}


def _not_held(facts: RelationshipFacts, event: MeetingMissed | MeetingCancelled) -> dict[str, Any]:
    outcome = (
        MeetingOutcome.MISSED if isinstance(event, MeetingMissed) else MeetingOutcome.CANCELLED
    )
    meeting = MeetingFact(meeting_id=event.meeting_id, outcome=outcome, at=event.occurred_at)
    return {"meetings": Added(meeting)}


def _corrected(facts: RelationshipFacts, event: MeetingRecordCorrected) -> _ItemsChanged:
    return _ItemsChanged(
        "meetings",
        "meeting_id",
        event.meeting_id,
        lambda m: attrs.evolve(m, at=event.held_at, minutes=event.duration_minutes),
    )


def _goal_set(facts: RelationshipFacts, event: GoalSet) -> dict[str, Any]:
    goal = GoalFact(goal_id=event.goal_id, set_at=event.occurred_at, target_date=event.target_date)
    return {"goals": Added(goal)}


def _goal_revised(facts: RelationshipFacts, event: GoalRevised) -> _ItemsChanged:
    return _goals(event.goal_id, target_date=event.target_date)


def _goal_achieved(facts: RelationshipFacts, event: GoalAchieved) -> _ItemsChanged:
    return _goals(event.goal_id, status=GoalStatus.ACHIEVED, closed_at=event.occurred_at)


def _goal_abandoned(facts: RelationshipFacts, event: GoalAbandoned) -> _ItemsChanged:
    return _goals(event.goal_id, status=GoalStatus.ABANDONED, closed_at=event.occurred_at)


def _feedback(facts: RelationshipFacts, event: FeedbackGiven) -> dict[str, Any]:
    return {"feedback": Added(event.occurred_at)}


def _reflection(facts: RelationshipFacts, event: ReflectionRecorded) -> dict[str, Any]:
    at = event.occurred_at
    scored = SelfAssessmentFact(at=at, scores=tuple(r.score for r in event.ratings))
    return {
        "reflections": Added(at),
        "self_assessments": Added(scored),
    }


def _review(facts: RelationshipFacts, event: ProgressEvaluated) -> dict[str, Any]:
    at = event.occurred_at
    judged = EvaluationFact(at=at, judgements=tuple(g.status for g in event.goal_progress))
    return {"reviews": Added(at), "evaluations": Added(judged)}


def _activity_added(facts: RelationshipFacts, event: PlanActivityAdded) -> dict[str, Any]:
    activity = PlanItemFact(item_id=event.activity_id, due_date=event.due_date)
    return {"activities": Added(activity)}


def _activity_completed(facts: RelationshipFacts, event: PlanActivityCompleted) -> _ItemsChanged:
    return _done("activities", event.activity_id, event.occurred_at)


def _milestone_set(facts: RelationshipFacts, event: MilestoneSet) -> dict[str, Any]:
    milestone = PlanItemFact(item_id=event.milestone_id, due_date=event.target_date)
    return {"milestones": Added(milestone)}


def _milestone_reached(facts: RelationshipFacts, event: MilestoneReached) -> _ItemsChanged:
    return _done("milestones", event.milestone_id, event.occurred_at)


def _done(field: str, item_id: UUID, at: datetime) -> _ItemsChanged:
    return _ItemsChanged(field, "item_id", item_id, lambda i: attrs.evolve(i, done_at=at))


def _paused(facts: RelationshipFacts, event: RelationshipPaused) -> dict[str, Any]:
    pause = PauseFact(paused_at=event.occurred_at)
    return {"status": RelationshipStatus.PAUSED, "pauses": Added(pause)}


def _resumed(facts: RelationshipFacts, event: RelationshipResumed) -> dict[str, Any]:
    return {
        "status": RelationshipStatus.ACTIVE,
        "pauses": _closed_pauses(facts, event.occurred_at),
    }


def _ended(facts: RelationshipFacts, event: RelationshipEnded) -> dict[str, Any]:
    at = event.occurred_at
    return {
        "status": RelationshipStatus.ENDED,
        "ended_at": at,
        "end_reason": event.reason,
        "pauses": _closed_pauses(facts, at),
    }


_Changes = Callable[[RelationshipFacts, Any], dict[str, Any] | _ItemsChanged]
"""What an event changes in the facts: by field, a new value or an item added to a list
(the domain's :class:`~mentoring_core.domain.decider.Added`, as a state's fold says it);
or items of a list changed. It only reads the facts' fields: a
:class:`RelationshipDraft` hands it its own fields, as attributes of a plain object (its
lists as lists)."""

_CHANGES: dict[type[RelationshipEvent], _Changes] = {
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


def _relationship_changes(
    facts: RelationshipFacts, event: RelationshipEvent
) -> dict[str, Any] | _ItemsChanged:
    """What ``event`` changes in the facts."""
    changes = _CHANGES.get(type(event))
    return {} if changes is None else changes(facts, event)


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


class _Places:
    """Where each item of one of a draft's lists is, by its id's ``int`` (a ``UUID``'s
    ``==`` and hash are Python code).

    A fold only ever adds items at the end of a list, or puts an item in the place of one
    with the same id (a correction, a completion), so a place once known stays right and
    only the items added since are read. Scanning the whole list for each completion
    instead cost some 40 microseconds an event on a two-year plan (the items' ids
    scattered in memory), a quarter of a projection's folding."""

    def __init__(self, key: str) -> None:
        self._id_of = attrgetter(f"{key}.int")
        self._places: dict[int, list[int]] = {}
        self._known = 0

    def of(self, items: list[Any], item_id: UUID) -> list[int]:
        """The places in ``items`` of those whose id is ``item_id``."""
        places = self._places
        for at in range(self._known, len(items)):
            places.setdefault(self._id_of(items[at]), []).append(at)
        self._known = len(items)
        return places.get(item_id.int, [])


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
        self._places: dict[str, _Places] = {}

    @property
    def version(self) -> int:
        """The version of the last event folded in."""
        return self._fields.version

    def add(self, event: RelationshipEvent) -> None:
        """Fold ``event`` in; an event already folded in (by version) changes nothing."""
        fields = self._fields
        if event.version <= fields.version:
            return
        changes = _relationship_changes(cast(RelationshipFacts, fields), event)
        if isinstance(changes, _ItemsChanged):
            self._change_items(changes)
        else:
            for name, value in changes.items():
                if type(value) is Added:
                    getattr(fields, name).append(value.item)
                else:
                    setattr(fields, name, value)
        fields.version = event.version

    def _change_items(self, changed: _ItemsChanged) -> None:
        places = self._places.get(changed.field)
        if places is None:
            places = self._places[changed.field] = _Places(changed.key)
        items = getattr(self._fields, changed.field)
        for at in places.of(items, changed.item_id):
            items[at] = changed.change(items[at])

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
