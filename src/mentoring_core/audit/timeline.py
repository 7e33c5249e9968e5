"""Histories in domain words, states as of a moment, and what changed between two points.

Pure: works on events already read from a store, so an auditor's tools and tests can
use it on any history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import reduce
from typing import Any

import attrs

from ..domain.erasure import PersonalDataErased
from ..domain.errors import InvalidValue
from ..domain.events import (
    CoordinatorAppointed,
    CoordinatorRelieved,
    Event,
    ExpectationsAgreed,
    FeedbackGiven,
    GoalAbandoned,
    GoalAchieved,
    GoalRevised,
    GoalSet,
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    MilestoneReached,
    MilestoneSet,
    PairFormed,
    PairingAccepted,
    PairingDeclined,
    PairingProposed,
    ParticipantEnrolled,
    ParticipantProfileUpdated,
    ParticipantWithdrawn,
    PlanActivityAdded,
    PlanActivityCompleted,
    PolicySet,
    ProgrammeCreated,
    ProgressEvaluated,
    ReflectionRecorded,
    RelationshipEnded,
    RelationshipOpened,
    RelationshipPaused,
    RelationshipResumed,
    ReminderAbandoned,
    ReminderIssued,
    ReminderSent,
    ScheduleAgreed,
    ScheduleChanged,
)
from ..domain.kinds import kind_of
from ..domain.programme import ProgrammeState
from ..domain.relationship_state import RELATIONSHIP, RelationshipState
from ..domain.validation import check_aware
from ..serialisation import CONVERTER

State = RelationshipState | ProgrammeState
_DERIVED = ("latest_fact_at", "attended_until")
"""State fields that only index or summarise others: left out of diffs."""


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One event of a history, told in domain words."""

    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    description: str


@attrs.frozen(kw_only=True)
class Change:
    """One field that differs between two states; ``path`` like ``goals[0].status``."""

    path: str
    before: Any
    after: Any


def _goal_title(state: State, goal_id: Any) -> str:
    goal = state.goal(goal_id) if isinstance(state, RelationshipState) else None
    return repr(goal.title) if goal is not None else str(goal_id)


def _meeting_when(state: State, meeting_id: Any) -> str:
    meeting = state.meeting(meeting_id) if isinstance(state, RelationshipState) else None
    return meeting.occurred_at.date().isoformat() if meeting is not None else str(meeting_id)


Describer = Callable[[Any, State, str], str]
"""Tells one event type in a sentence: ``(event, state before it, "by <actor>") -> text``."""


def describe(event: Event, before: State) -> str:
    """What ``event`` did, in a sentence; ``before`` is the state it applied to.

    An event type with no sentence of its own (a new one) is told by its type's name.
    """
    by = f"by {event.actor}"
    describer = _DESCRIBERS.get(type(event))
    if describer is None:
        return f"{type(event).__name__} recorded {by}"
    return describer(event, before, by)


def _programme_created(event: ProgrammeCreated, before: State, by: str) -> str:
    return f"Programme {event.name!r} of {event.organisation} created {by}"


def _policy_set(event: PolicySet, before: State, by: str) -> str:
    p = event.policy
    cadence = ", then ".join(t.describe() for t in p.cadence)
    return (
        f"Policy set {by}: meetings {cadence}, at least {p.minimum_meeting_minutes} "
        f"minutes, {p.participation}, experience gap {p.minimum_experience_gap_years} "
        f"years, reviews every {p.review_interval_days} days"
    )


def _enrolled(event: ParticipantEnrolled, before: State, by: str) -> str:
    return (
        f"{event.person_id} enrolled as {event.role} with {event.experience_years} "
        f"years of experience {by}"
    )


def _profile_updated(event: ParticipantProfileUpdated, before: State, by: str) -> str:
    expertise = ", ".join(event.expertise) or "none"
    needs = ", ".join(event.development_needs) or "none"
    return (
        f"{event.person_id}'s profile updated {by}: expertise {expertise}; "
        f"development needs {needs}"
    )


def _withdrawn(event: ParticipantWithdrawn, before: State, by: str) -> str:
    return f"{event.person_id} withdrawn from the programme {by}"


def _erased(event: PersonalDataErased, before: State, by: str) -> str:
    return f"Personal data of {event.person_id} erased ({event.rule}: {event.reason}) {by}"


def _appointed(event: CoordinatorAppointed, before: State, by: str) -> str:
    return f"{event.person_id} appointed a coordinator of the programme {by}"


def _relieved(event: CoordinatorRelieved, before: State, by: str) -> str:
    return f"{event.person_id} relieved as a coordinator of the programme {by}"


def _reminder_issued(event: ReminderIssued, before: State, by: str) -> str:
    from ..reports import dated_day  # here: the command line's start imports no report

    day = dated_day(event.item, event.due)  # due at the end of a day: that day
    due = event.due.isoformat(timespec="minutes") if day is None else f"on {day} (by its end, UTC)"
    return (
        f"Reminder {event.reminder_id} to {event.person_id} issued ({event.reason}: "
        f"{event.item} of relationship {event.relationship_id}, due {due}; by {event.channel}) {by}"
    )


def _reminder_sent(event: ReminderSent, before: State, by: str) -> str:
    again = " again (after an interruption)" if event.after_interruption else ""
    return f"Reminder {event.reminder_id} to {event.person_id} sent{again} {by}"


def _reminder_abandoned(event: ReminderAbandoned, before: State, by: str) -> str:
    return f"Reminder {event.reminder_id} to {event.person_id} abandoned ({event.reason}) {by}"


def _opened(event: RelationshipOpened, before: State, by: str) -> str:
    pair = f"{event.mentor_id} and {event.mentee_id}"
    return f"Relationship {event.relationship_id} of {pair} opened {by}"


def _paired(event: PairingProposed | PairFormed, before: State, by: str) -> str:
    verb = "proposed" if isinstance(event, PairingProposed) else "formed"
    override = (
        f" (experience-gap override: {event.gap_override_reason})"
        if event.gap_override_reason
        else ""
    )
    pair = f"mentor {event.mentor_id} and mentee {event.mentee_id}"
    return f"Pair of {pair} {verb} {by}{override}"


def _accepted(event: PairingAccepted, before: State, by: str) -> str:
    return f"Pairing accepted by {event.accepted_by}, recorded {by}"


def _declined(event: PairingDeclined, before: State, by: str) -> str:
    return f"Pairing declined by {event.declined_by} ({event.reason}), recorded {by}"


def _expectations(event: ExpectationsAgreed, before: State, by: str) -> str:
    return f"{len(event.expectations)} expectations agreed, recorded {by}"


def _goal_set(event: GoalSet, before: State, by: str) -> str:
    return f"Goal {event.title!r} ({event.focus_area}, due {event.target_date}) set {by}"


def _goal_revised(event: GoalRevised, before: State, by: str) -> str:
    now = f"now {event.title!r}, due {event.target_date}"
    return f"Goal {_goal_title(before, event.goal_id)} revised {by}: {now}"


def _goal_achieved(event: GoalAchieved, before: State, by: str) -> str:
    return f"Goal {_goal_title(before, event.goal_id)} achieved, recorded {by}"


def _goal_abandoned(event: GoalAbandoned, before: State, by: str) -> str:
    return f"Goal {_goal_title(before, event.goal_id)} abandoned, recorded {by}"


def _activity_added(event: PlanActivityAdded, before: State, by: str) -> str:
    return f"Plan activity added (due {event.due_date}) {by}"


def _activity_completed(event: PlanActivityCompleted, before: State, by: str) -> str:
    return f"Plan activity {event.activity_id} completed, recorded {by}"


def _milestone_set(event: MilestoneSet, before: State, by: str) -> str:
    return f"Milestone set for {event.target_date} {by}"


def _milestone_reached(event: MilestoneReached, before: State, by: str) -> str:
    return f"Milestone {event.milestone_id} reached, recorded {by}"


def _schedule(event: ScheduleAgreed | ScheduleChanged, before: State, by: str) -> str:
    verb = "agreed" if isinstance(event, ScheduleAgreed) else "changed"
    s = event.schedule
    return (
        f"Meeting schedule {verb} {by}: {s.cadence.describe()}, "
        f"{s.duration_minutes} minutes, {s.format}"
    )


def _meeting_held(event: MeetingHeld, before: State, by: str) -> str:
    return f"Meeting held ({event.duration_minutes} minutes, {event.format}), recorded {by}"


def _meeting_missed(event: MeetingMissed, before: State, by: str) -> str:
    return f"Meeting missed by {event.missed_by}, recorded {by}"


def _meeting_cancelled(event: MeetingCancelled, before: State, by: str) -> str:
    return f"Meeting cancelled by {event.cancelled_by}, recorded {by}"


def _meeting_corrected(event: MeetingRecordCorrected, before: State, by: str) -> str:
    return (
        f"Record of the meeting of {_meeting_when(before, event.meeting_id)} corrected "
        f"{by}: {event.duration_minutes} minutes, {event.format}, held "
        f"{event.held_at.isoformat()}"
    )


def _feedback(event: FeedbackGiven, before: State, by: str) -> str:
    between = f"from {event.from_person} to {event.to_person}"
    private = "Private " + event.kind if event.private else event.kind.capitalize()
    return f"{private} feedback {between}, recorded {by}"


def _reflection(event: ReflectionRecorded, before: State, by: str) -> str:
    scores = ", ".join(f"{r.focus_area} {r.score}/5" for r in event.ratings)
    return f"{'Private reflection' if event.private else 'Reflection'} recorded {by} ({scores})"


def _evaluated(event: ProgressEvaluated, before: State, by: str) -> str:
    judged = ", ".join(f"{_goal_title(before, g.goal_id)} {g.status}" for g in event.goal_progress)
    return f"Progress evaluated {by}" + (f": {judged}" if judged else "")


def _paused(event: RelationshipPaused, before: State, by: str) -> str:
    return f"Relationship paused {by}"


def _resumed(event: RelationshipResumed, before: State, by: str) -> str:
    return f"Relationship resumed {by}"


def _ended(event: RelationshipEnded, before: State, by: str) -> str:
    return f"Relationship ended ({event.reason}) {by}"


def _initial(events: Sequence[Event]) -> State:
    """The empty state of the history's kind (a relationship's when there is no event)."""
    kind = kind_of(events[0]) if events else RELATIONSHIP
    initial: State = kind.initial
    return initial


def apply(state: State, event: Event) -> State:
    """The event's kind's ``evolve``; refuses an event of another kind than the state."""
    kind = kind_of(event)
    if not isinstance(state, type(kind.initial)):
        raise TypeError(f"{type(event).__name__} does not belong to a {type(state).__name__}")
    evolved: State = kind.evolve(state, event)
    return evolved


def timeline(events: Sequence[Event]) -> tuple[TimelineEntry, ...]:
    """A history, in order, each event told in domain words."""
    state = _initial(events)
    entries = []
    for event in events:
        entries.append(
            TimelineEntry(
                version=event.version,
                event_type=type(event).__name__,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                actor=event.actor,
                description=describe(event, state),
            )
        )
        state = apply(state, event)
    return tuple(entries)


def fold(events: Iterable[Event], initial: State) -> State:
    """``initial`` after ``events``, as :func:`apply` gives them one at a time, in one
    :meth:`~mentoring_core.domain.decider.Decider.fold`; events of another kind than the
    state are refused by :func:`apply`, naming the first."""
    batch = list(events)
    kind = kind_of(batch[0]) if batch else None
    if (
        kind is None
        or not isinstance(initial, type(kind.initial))
        or not all(map(kind.owns, {type(event) for event in batch}))  # each type once
    ):
        return reduce(apply, batch, initial)  # nothing to fold, or refused by apply
    folded: State = kind.fold(initial, batch)
    return folded


def fold_at_once(events: Sequence[Event], state: State | None) -> State | None:
    """``events`` (at least one) folded onto ``state``, or onto their kind's initial state
    if None, with :func:`fold`; None if that fails: the caller then applies them one at
    a time (:func:`apply`), to name the event that cannot be applied."""
    try:
        return fold(events, kind_of(events[0]).initial if state is None else state)
    except Exception:
        return None


def _check_one_point(**points: object) -> None:
    """Exactly one of ``points`` (the arguments of :func:`state_at` naming a point) is given."""
    given = {name: value for name, value in points.items() if value is not None}
    if len(given) != 1:
        raise InvalidValue(
            ", ".join(given or points),
            tuple(given.values()),
            "exactly one of version, recorded_by and occurred_by",
        )


def state_at(
    events: Sequence[Event],
    *,
    version: int | None = None,
    recorded_by: datetime | None = None,
    occurred_by: datetime | None = None,
) -> State:
    """The state after the first ``version`` events, or as recorded (or occurred) by a moment.

    By recorded time: the events recorded by then, which is how the store stood. By
    occurred time: the events that had happened in the world by then, including ones
    recorded later, folded in the order they happened. Exactly one of ``version``,
    ``recorded_by`` and ``occurred_by`` is given, else :class:`InvalidValue` names those
    given (all three if none); a version the history does not have (0 is the state before
    its first event) is refused too, naming the versions it has.
    """
    _check_one_point(version=version, recorded_by=recorded_by, occurred_by=occurred_by)
    if recorded_by is not None:  # compared with each event's UTC time: aware, or refused
        recorded_by = check_aware("recorded_by", recorded_by)
    if occurred_by is not None:
        occurred_by = check_aware("occurred_by", occurred_by)
    initial = _initial(events)
    if version is not None:
        last = events[-1].version if events else 0
        if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= last:
            raise InvalidValue("version", version, f"a version from 0 to {last}")
        return fold((e for e in events if e.version <= version), initial)
    if recorded_by is not None:
        chosen = []
        for event in events:
            if event.recorded_at > recorded_by:
                break
            chosen.append(event)
        return fold(chosen, initial)
    assert occurred_by is not None
    return fold(happened_by(events, occurred_by), initial)


def happened_by(events: Sequence[Event], at: datetime) -> tuple[Event, ...]:
    """Of ``events``, those that had happened in the world by ``at``, in the order they
    happened (as recorded where they happened at once): what :func:`state_at` folds on the
    occurred axis. A meeting held happened when the last correction of its record says
    (``held_at``), and its corrections, which only repair that record, with it: the
    meeting shows from its corrected time on, with its corrected values, whenever its
    record was corrected. ``at`` is an aware moment (else :class:`InvalidValue`)."""
    at = check_aware("at", at)
    held_at = {e.meeting_id: e.held_at for e in events if isinstance(e, MeetingRecordCorrected)}

    def when(event: Event) -> datetime:
        if isinstance(event, MeetingHeld | MeetingRecordCorrected):
            return held_at.get(event.meeting_id, event.occurred_at)
        return event.occurred_at

    return tuple(sorted((e for e in events if when(e) <= at), key=when))


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), into)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{path}[{i}]", into)
        if not value:
            into[path] = []
    else:
        into[path] = value


def diff(before: State, after: State) -> tuple[Change, ...]:
    """Every field that differs between two states of one aggregate, in field order."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    _flatten(CONVERTER.unstructure(before), "", old)
    _flatten(CONVERTER.unstructure(after), "", new)
    paths = list(dict.fromkeys([*old, *new]))
    return tuple(
        Change(path=p, before=old.get(p), after=new.get(p))
        for p in paths
        if old.get(p) != new.get(p) and not p.startswith(_DERIVED) and not _list_filled(p, old, new)
    )


def _list_filled(path: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """An empty list's own path on one side only: its items are listed as changes instead."""
    return (old.get(path) == [] and path not in new) or (new.get(path) == [] and path not in old)


_DESCRIBERS: dict[type[Event], Describer] = {
    ProgrammeCreated: _programme_created,
    PolicySet: _policy_set,
    ParticipantEnrolled: _enrolled,
    ParticipantProfileUpdated: _profile_updated,
    ParticipantWithdrawn: _withdrawn,
    PersonalDataErased: _erased,
    CoordinatorAppointed: _appointed,
    CoordinatorRelieved: _relieved,
    RelationshipOpened: _opened,
    ReminderIssued: _reminder_issued,
    ReminderSent: _reminder_sent,
    ReminderAbandoned: _reminder_abandoned,
    PairingProposed: _paired,
    PairFormed: _paired,
    PairingAccepted: _accepted,
    PairingDeclined: _declined,
    ExpectationsAgreed: _expectations,
    GoalSet: _goal_set,
    GoalRevised: _goal_revised,
    GoalAchieved: _goal_achieved,
    GoalAbandoned: _goal_abandoned,
    PlanActivityAdded: _activity_added,
    PlanActivityCompleted: _activity_completed,
    MilestoneSet: _milestone_set,
    MilestoneReached: _milestone_reached,
    ScheduleAgreed: _schedule,
    ScheduleChanged: _schedule,
    MeetingHeld: _meeting_held,
    MeetingMissed: _meeting_missed,
    MeetingCancelled: _meeting_cancelled,
    MeetingRecordCorrected: _meeting_corrected,
    FeedbackGiven: _feedback,
    ReflectionRecorded: _reflection,
    ProgressEvaluated: _evaluated,
    RelationshipPaused: _paused,
    RelationshipResumed: _resumed,
    RelationshipEnded: _ended,
}
