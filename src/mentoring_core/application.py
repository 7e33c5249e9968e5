"""The service developers embed: commands in, events stored, states and histories out.

The shell around the pure domain: it loads state through eventsourcing's
repository (with snapshots), asks ``decide_*`` for events, stores them in one
transaction and takes a snapshot every ``snapshot_interval`` events.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, NotRequired, Required, TypedDict, TypeVar, Unpack, cast
from uuid import UUID, uuid4

import attrs
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Notification

from .audit.timeline import state_at
from .audit.verify import Digest, Verification, verify
from .domain import commands as c
from .domain.context import DecisionContext
from .domain.errors import ConcurrencyConflict, InvalidValue, NotFound, StoredEventError
from .domain.events import (
    PROGRAMME_EVENT_TYPES,
    RELATIONSHIP_EVENT_TYPES,
    Event,
    ProgrammeCreated,
    ProgrammeEvent,
    RelationshipEvent,
)
from .domain.pairing import decide_pairing
from .domain.programme import ProgrammeState, decide_programme, evolve_programme
from .domain.relationship import decide_relationship
from .domain.relationship_state import RelationshipState, evolve_relationship
from .domain.validation import check_aware, check_int, check_sequence, check_uuid
from .domain.values import (
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    ProgrammePolicy,
    Rating,
    Role,
    StakeholderFeedback,
)
from .serialisation import SNAPSHOT_TOPIC_PREFIX, Snapshot
from .store import DEFAULT_STORE_URL, PAGE_SIZE, EventSourcedStore, Store, open_store

Clock = Callable[[], datetime]
"""Returns the current time, aware."""

_log = logging.getLogger(__name__)

DEFAULT_SNAPSHOT_INTERVAL = 100
_CACHE_SIZE = "1000"

S = TypeVar("S", RelationshipState, ProgrammeState)


def system_clock() -> datetime:
    """The default clock: the system's time in UTC."""
    return datetime.now(UTC)


class TimeAxis(enum.StrEnum):
    """Which time an as-of query reads: when facts were recorded, or when they happened."""

    RECORDED = "recorded"
    OCCURRED = "occurred"


class CommandOptions(TypedDict, total=False):
    """The keywords every relationship command method takes (typed, so a misspelt one is a
    type error): who records it, when it happened, the version the caller last saw, and an
    idempotency key. See ``docs/api.md``."""

    actor: Required[str]
    occurred_at: NotRequired[datetime | None]
    expected_version: NotRequired[int | None]
    command_id: NotRequired[UUID | None]


@attrs.frozen(kw_only=True)
class Recorded:
    """What a command recorded."""

    id: UUID
    """The id of what the command created (programme, relationship, goal, meeting...),
    otherwise the id of the programme or relationship it changed."""
    aggregate_id: UUID
    version: int
    """The aggregate's version after the command: pass it as ``expected_version`` next time."""
    events: tuple[Event, ...]
    positions: tuple[int, ...] = ()
    """Where ``events`` stand in the store's log (see :meth:`MentoringService.read`), one
    position each; empty when ``already_recorded`` (the earlier attempt's are not known)."""
    already_recorded: bool = False
    """True when the ``command_id`` was found already recorded: nothing new was stored,
    and ``events`` are the ones stored by the earlier attempt."""


@attrs.frozen
class _Kind:
    name: str
    event_type: type[Event]
    state_type: type[RelationshipState | ProgrammeState]
    evolve: Callable[[Any, Any], Any]


_RELATIONSHIP = _Kind("relationship", RelationshipEvent, RelationshipState, evolve_relationship)
_PROGRAMME = _Kind("programme", ProgrammeEvent, ProgrammeState, evolve_programme)
_TOPICS = {
    _PROGRAMME.name: tuple(t.__name__ for t in PROGRAMME_EVENT_TYPES),
    _RELATIONSHIP.name: tuple(t.__name__ for t in RELATIONSHIP_EVENT_TYPES),
}
"""The stored topics of each kind's events, for reading the log by kind."""
DEFAULT_POLL_INTERVAL = 0.5
"""Seconds :meth:`MentoringService.follow` waits before looking for new events again."""


def _projector(kind: _Kind, aggregate_id: UUID) -> Callable[[Any, Iterable[Any]], Any]:
    """The fold eventsourcing's repository runs: snapshot (if any) then events."""

    def project(state: Any, items: Iterable[Event | Snapshot]) -> Any:
        for item in items:
            if isinstance(item, Snapshot):
                state = item.state
            elif isinstance(item, kind.event_type):
                state = kind.evolve(state if state is not None else kind.state_type(), item)
            else:
                raise NotFound(kind.name, aggregate_id)
        return state

    return project


class MentoringService:
    """Records mentoring programmes and relationships in an event store.

    Open it with a store URL (see :mod:`mentoring_core.store`); use it as a
    context manager or call :meth:`close`. Every command method takes the
    ``actor`` who records it, an optional ``occurred_at`` (when it happened; now
    by default, never in the future) and an optional ``expected_version`` (the
    version the caller last saw: the command is refused with
    :class:`ConcurrencyConflict` if the history has moved on since).
    """

    def __init__(
        self,
        store_url: str = DEFAULT_STORE_URL,
        *,
        clock: Clock = system_clock,
        new_id: Callable[[], UUID] = uuid4,
        snapshot_interval: int | None = DEFAULT_SNAPSHOT_INTERVAL,
    ) -> None:
        if snapshot_interval is not None and snapshot_interval < 1:
            raise InvalidValue("snapshot_interval", snapshot_interval, "a positive number or None")
        env = {"AGGREGATE_CACHE_MAXSIZE": _CACHE_SIZE}
        env["DEEPCOPY_FROM_AGGREGATE_CACHE"] = "n"  # states are immutable
        if snapshot_interval is not None:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
        self.store_url = store_url
        self._clock = clock
        self._new_id = new_id
        self._snapshot_interval = snapshot_interval
        self._store: EventSourcedStore = open_store(store_url, env)

    # --- life cycle ------------------------------------------------------------------

    def close(self) -> None:
        """Release the store's connections."""
        self._store.close()

    def __enter__(self) -> MentoringService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def store(self) -> Store:
        """The store: its log and hash chain, the feed's decoding, the compliance read model."""
        return self._store

    # --- queries ---------------------------------------------------------------------

    def programme(self, programme_id: UUID, *, version: int | None = None) -> ProgrammeState:
        """The programme now, or as of ``version``."""
        return cast(ProgrammeState, self._load(_PROGRAMME, programme_id, version))

    def relationship(
        self, relationship_id: UUID, *, version: int | None = None
    ) -> RelationshipState:
        """The relationship now, or as of ``version``."""
        return cast(RelationshipState, self._load(_RELATIONSHIP, relationship_id, version))

    def relationship_as_of(
        self, relationship_id: UUID, at: datetime, *, axis: TimeAxis = TimeAxis.RECORDED
    ) -> RelationshipState:
        """The relationship as it stood at ``at``.

        ``TimeAxis.RECORDED`` (the default): as the store showed it then, from the
        events recorded by ``at``. ``TimeAxis.OCCURRED``: from the events whose
        ``occurred_at`` is not after ``at`` (including ones recorded later), folded
        in the order they happened. Before the first event, the state is empty
        (status ``new``, version 0).
        """
        moment = check_aware("at", at)
        history = self.history(relationship_id)
        if axis is TimeAxis.RECORDED:
            state = state_at(history, recorded_by=moment)
        else:
            state = state_at(history, occurred_by=moment)
        if not isinstance(state, RelationshipState):
            raise NotFound("relationship", relationship_id)
        return state

    def history(self, aggregate_id: UUID) -> tuple[Event, ...]:
        """Every event of a programme or relationship, in order, with all metadata."""
        check_uuid("aggregate_id", aggregate_id)
        events = tuple(cast(Iterable[Event], self._store.events.get(aggregate_id)))
        if not events:
            raise NotFound("programme or relationship", aggregate_id)
        return events

    def programmes(self) -> tuple[ProgrammeState, ...]:
        """The current state of every programme in the store, oldest first."""
        created = self.store.records(topics=[ProgrammeCreated.__name__])
        return tuple(self.programme(UUID(str(n.originator_id))) for n in created)

    def relationships(self, programme_id: UUID) -> tuple[RelationshipState, ...]:
        """The current state of every relationship opened in a programme, oldest first."""
        return tuple(self.relationship(r) for r in self.programme(programme_id).relationship_ids)

    def read(
        self, after: int = 0, *, kinds: Collection[str] = (), limit: int | None = None
    ) -> Iterator[tuple[int, Event]]:
        """The events recorded after log position ``after``, in the order they were stored.

        Every store keeps one log of all events, each at an increasing position (there
        may be gaps between positions, never a reordering). Yields ``(position, event)``;
        read again from the last position seen to get what was stored since: nothing is
        skipped and nothing comes twice. ``kinds`` keeps only ``"programme"`` or
        ``"relationship"`` events; ``limit`` stops after that many. Pages through the log,
        so memory stays constant however long it is.
        """
        start = check_int("after", after, 0, 2**62)
        wanted = None if limit is None else check_int("limit", limit, 1, 2**62)
        page_size = PAGE_SIZE if wanted is None else min(PAGE_SIZE, wanted)
        records = self.store.records(start, topics=self._topics(kinds), page_size=page_size)
        return self._decoded(records if wanted is None else islice(records, wanted))

    def _decoded(self, records: Iterable[Notification]) -> Iterator[tuple[int, Event]]:
        for record in records:
            yield record.id, self.store.decode(record)

    def follow(
        self,
        after: int = 0,
        *,
        kinds: Collection[str] = (),
        stop: threading.Event | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Iterator[tuple[int, Event]]:
        """Like :meth:`read`, then waits for more: yields each event as it is recorded.

        Looks for new events every ``poll_interval`` seconds (on every store, so a
        writer in another process is seen too) until ``stop`` is set, then returns.
        """
        self.read(after, kinds=kinds)  # refuses bad arguments now, not at the first event
        return self._following(after, kinds, stop or threading.Event(), poll_interval)

    def _following(
        self, after: int, kinds: Collection[str], stopping: threading.Event, interval: float
    ) -> Iterator[tuple[int, Event]]:
        while not stopping.is_set():
            for after, event in self.read(after, kinds=kinds):  # noqa: B020 (resume from here)
                yield after, event
                if stopping.is_set():
                    return
            stopping.wait(interval)

    def verify(self, against: Digest | None = None) -> Verification:
        """Re-read the whole store and check its hash chain (see ``docs/audit.md``).

        With ``against`` (a digest kept outside the store), also prove that the history
        up to it is unchanged and that everything after it extends it.
        """
        return verify(self.store.recorder, against)

    # --- programme commands ----------------------------------------------------------

    def create_programme(
        self,
        name: str,
        organisation: str,
        *,
        actor: str,
        programme_id: UUID | None = None,
        occurred_at: datetime | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        command = c.CreateProgramme(
            programme_id=programme_id or self._new_id(),
            name=name,
            organisation=organisation,
            occurred_at=occurred_at,
        )
        events = decide_programme(command, ProgrammeState(), self._context(actor, command_id))
        expected = {command.programme_id: (_PROGRAMME, 0)}
        return self._record(events, expected, ProgrammeState(), command.programme_id, command_id)

    def set_policy(
        self,
        programme_id: UUID,
        policy: ProgrammePolicy,
        *,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        command = c.SetPolicy(policy=policy, occurred_at=occurred_at)
        return self._programme_command(programme_id, command, actor, expected_version, command_id)

    def enrol(
        self,
        programme_id: UUID,
        person_id: str,
        role: Role,
        experience_years: Decimal | int | str,
        *,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        command = c.EnrolParticipant(
            person_id=person_id,
            role=role,
            experience_years=experience_years,  # type: ignore[arg-type]
            occurred_at=occurred_at,
        )
        return self._programme_command(programme_id, command, actor, expected_version, command_id)

    def withdraw(
        self,
        programme_id: UUID,
        person_id: str,
        reason: str,
        *,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        command = c.WithdrawParticipant(person_id=person_id, reason=reason, occurred_at=occurred_at)
        return self._programme_command(programme_id, command, actor, expected_version, command_id)

    # --- opening relationships -------------------------------------------------------

    def propose_pairing(
        self,
        programme_id: UUID,
        mentor_id: str,
        mentee_id: str,
        *,
        actor: str,
        gap_override_reason: str | None = None,
        relationship_id: UUID | None = None,
        occurred_at: datetime | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        """Propose a mentor to a mentee; the relationship starts when accepted."""
        return self._open(
            programme_id,
            mentor_id,
            mentee_id,
            False,
            actor,
            gap_override_reason,
            relationship_id,
            occurred_at,
            command_id,
        )

    def form_pair(
        self,
        programme_id: UUID,
        mentor_id: str,
        mentee_id: str,
        *,
        actor: str,
        gap_override_reason: str | None = None,
        relationship_id: UUID | None = None,
        occurred_at: datetime | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        """Form a pair directly (a coordinator's decision); the relationship is active at once."""
        return self._open(
            programme_id,
            mentor_id,
            mentee_id,
            True,
            actor,
            gap_override_reason,
            relationship_id,
            occurred_at,
            command_id,
        )

    # --- relationship commands -------------------------------------------------------

    def accept_pairing(
        self, relationship_id: UUID, accepted_by: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.AcceptPairing, accepted_by=accepted_by, **kw
        )

    def decline_pairing(
        self,
        relationship_id: UUID,
        declined_by: str,
        reason: DeclineReason,
        explanation: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.DeclinePairing,
            declined_by=declined_by,
            reason=reason,
            explanation=explanation,
            **kw,
        )

    def agree_expectations(
        self, relationship_id: UUID, expectations: Sequence[str], **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.AgreeExpectations,
            expectations=_items("expectations", expectations),
            **kw,
        )

    def set_goal(
        self,
        relationship_id: UUID,
        title: str,
        focus_area: FocusArea,
        success_measure: str,
        target_date: date,
        *,
        goal_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.SetGoal,
            creates="goal_id",
            goal_id=goal_id,
            title=title,
            focus_area=focus_area,
            success_measure=success_measure,
            target_date=target_date,
            **kw,
        )

    def revise_goal(
        self,
        relationship_id: UUID,
        goal_id: UUID,
        reason: str,
        *,
        title: str | None = None,
        focus_area: FocusArea | None = None,
        success_measure: str | None = None,
        target_date: date | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.ReviseGoal,
            goal_id=goal_id,
            reason=reason,
            title=title,
            focus_area=focus_area,
            success_measure=success_measure,
            target_date=target_date,
            **kw,
        )

    def achieve_goal(
        self, relationship_id: UUID, goal_id: UUID, evidence: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.AchieveGoal, goal_id=goal_id, evidence=evidence, **kw
        )

    def abandon_goal(
        self, relationship_id: UUID, goal_id: UUID, reason: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.AbandonGoal, goal_id=goal_id, reason=reason, **kw
        )

    def add_plan_activity(
        self,
        relationship_id: UUID,
        description: str,
        due_date: date,
        *,
        goal_id: UUID | None = None,
        activity_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.AddPlanActivity,
            creates="activity_id",
            activity_id=activity_id,
            description=description,
            due_date=due_date,
            goal_id=goal_id,
            **kw,
        )

    def complete_plan_activity(
        self, relationship_id: UUID, activity_id: UUID, notes: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.CompletePlanActivity, activity_id=activity_id, notes=notes, **kw
        )

    def set_milestone(
        self,
        relationship_id: UUID,
        description: str,
        target_date: date,
        *,
        goal_id: UUID | None = None,
        milestone_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.SetMilestone,
            creates="milestone_id",
            milestone_id=milestone_id,
            description=description,
            target_date=target_date,
            goal_id=goal_id,
            **kw,
        )

    def reach_milestone(
        self, relationship_id: UUID, milestone_id: UUID, notes: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.ReachMilestone, milestone_id=milestone_id, notes=notes, **kw
        )

    def agree_schedule(
        self, relationship_id: UUID, schedule: MeetingSchedule, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self._relationship_command(relationship_id, c.AgreeSchedule, schedule=schedule, **kw)

    def change_schedule(
        self,
        relationship_id: UUID,
        schedule: MeetingSchedule,
        reason: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.ChangeSchedule, schedule=schedule, reason=reason, **kw
        )

    def record_meeting_held(
        self,
        relationship_id: UUID,
        duration_minutes: int,
        format: MeetingFormat,
        topics: Sequence[str],
        *,
        attendees: Sequence[str] = (),
        meeting_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting that took place; ``occurred_at`` is when it started."""
        return self._relationship_command(
            relationship_id,
            c.RecordMeetingHeld,
            creates="meeting_id",
            meeting_id=meeting_id,
            duration_minutes=duration_minutes,
            format=format,
            topics=_items("topics", topics),
            attendees=_items("attendees", attendees),
            **kw,
        )

    def record_meeting_missed(
        self,
        relationship_id: UUID,
        missed_by: str,
        reason: str,
        *,
        meeting_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting that did not happen; ``occurred_at`` is when it was due."""
        return self._relationship_command(
            relationship_id,
            c.RecordMeetingMissed,
            creates="meeting_id",
            meeting_id=meeting_id,
            missed_by=missed_by,
            reason=reason,
            **kw,
        )

    def record_meeting_cancelled(
        self,
        relationship_id: UUID,
        cancelled_by: str,
        reason: str,
        *,
        meeting_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting called off beforehand; ``occurred_at`` is when it was due."""
        return self._relationship_command(
            relationship_id,
            c.RecordMeetingCancelled,
            creates="meeting_id",
            meeting_id=meeting_id,
            cancelled_by=cancelled_by,
            reason=reason,
            **kw,
        )

    def correct_meeting_record(
        self,
        relationship_id: UUID,
        meeting_id: UUID,
        reason: str,
        *,
        held_at: datetime | None = None,
        duration_minutes: int | None = None,
        format: MeetingFormat | None = None,
        topics: Sequence[str] | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Correct a mistake in a held meeting's record; the original event stays in the history."""
        return self._relationship_command(
            relationship_id,
            c.CorrectMeetingRecord,
            meeting_id=meeting_id,
            reason=reason,
            held_at=held_at,
            duration_minutes=duration_minutes,
            format=format,
            topics=None if topics is None else _items("topics", topics),
            **kw,
        )

    def give_feedback(
        self,
        relationship_id: UUID,
        from_person: str,
        to_person: str,
        kind: FeedbackKind,
        text: str,
        *,
        about_goal_id: UUID | None = None,
        about_meeting_id: UUID | None = None,
        feedback_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.GiveFeedback,
            creates="feedback_id",
            feedback_id=feedback_id,
            from_person=from_person,
            to_person=to_person,
            kind=kind,
            text=text,
            about_goal_id=about_goal_id,
            about_meeting_id=about_meeting_id,
            **kw,
        )

    def record_reflection(
        self,
        relationship_id: UUID,
        ratings: Sequence[Rating],
        text: str,
        *,
        reflection_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.RecordReflection,
            creates="reflection_id",
            reflection_id=reflection_id,
            ratings=_items("ratings", ratings),
            text=text,
            **kw,
        )

    def evaluate_progress(
        self,
        relationship_id: UUID,
        goal_progress: Sequence[GoalProgress],
        evidence: str,
        *,
        stakeholder_feedback: Sequence[StakeholderFeedback] = (),
        evaluation_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id,
            c.EvaluateProgress,
            creates="evaluation_id",
            evaluation_id=evaluation_id,
            goal_progress=_items("goal_progress", goal_progress),
            evidence=evidence,
            stakeholder_feedback=_items("stakeholder_feedback", stakeholder_feedback),
            **kw,
        )

    def pause(self, relationship_id: UUID, reason: str, **kw: Unpack[CommandOptions]) -> Recorded:
        return self._relationship_command(relationship_id, c.PauseRelationship, reason=reason, **kw)

    def resume(self, relationship_id: UUID, **kw: Unpack[CommandOptions]) -> Recorded:
        return self._relationship_command(relationship_id, c.ResumeRelationship, **kw)

    def end(
        self,
        relationship_id: UUID,
        reason: EndReason,
        explanation: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self._relationship_command(
            relationship_id, c.EndRelationship, reason=reason, explanation=explanation, **kw
        )

    # --- the shell -------------------------------------------------------------------

    @staticmethod
    def _topics(kinds: Collection[str]) -> list[str]:
        items = check_sequence("kinds", kinds, allow_empty=True)
        if not all(isinstance(k, str) and k in _TOPICS for k in items):
            raise InvalidValue("kinds", kinds, f"a list of {' or '.join(_TOPICS)}")
        return [topic for kind in sorted(set(kinds)) for topic in _TOPICS[kind]]

    def _context(self, actor: str, command_id: UUID | None) -> DecisionContext:
        return DecisionContext(
            actor=actor,
            now=check_aware("clock", self._clock()),
            new_id=self._new_id,
            command_id=command_id,
        )

    def _recorded_before(
        self, aggregate_id: UUID, command_id: UUID | None, after: int | None, created: UUID
    ) -> Recorded | None:
        """The events an earlier attempt of this command stored, if ``command_id`` shows one.

        Reads the aggregate's events after version ``after`` (all when None).
        """
        if command_id is None:
            return None
        check_uuid("command_id", command_id)
        found = tuple(
            e
            for e in cast(Iterable[Event], self._store.events.get(aggregate_id, gt=after or None))
            if e.command_id == command_id
        )
        if not found:
            return None
        return Recorded(
            id=created,
            aggregate_id=aggregate_id,
            version=found[-1].version,
            events=found,
            already_recorded=True,
        )

    def _load(self, kind: _Kind, aggregate_id: UUID, version: int | None = None) -> Any:
        check_uuid(f"{kind.name}_id", aggregate_id)
        project = _projector(kind, aggregate_id)
        try:
            state = self._store.repository.get(
                aggregate_id, version=version, projector_func=project
            )
        except AggregateNotFoundError:
            raise NotFound(kind.name, aggregate_id) from None
        except StoredEventError as error:
            if not error.topic.startswith(SNAPSHOT_TOPIC_PREFIX):
                raise
            # Snapshots are derived data: an unreadable one is passed over, not fatal.
            _log.warning(
                "passed over an unreadable snapshot of %s %s (%s); folding its events instead",
                kind.name,
                aggregate_id,
                error,
            )
            state = project(None, self._store.events.get(aggregate_id, lte=version))
            if state is None:
                raise NotFound(kind.name, aggregate_id) from None
        if not isinstance(state, kind.state_type):  # the cache holds both kinds
            raise NotFound(kind.name, aggregate_id)
        if version is None:
            self._remember(aggregate_id, state)
        return state

    def _remember(self, aggregate_id: UUID, state: Any) -> None:
        """Keep the newest state in the repository's cache.

        eventsourcing fast-forwards a cached aggregate by mutating it in place; our
        states are immutable, so the fast-forwarded state must be put back.
        """
        cache = self._store.repository.cache
        if cache is not None:
            cache.put(aggregate_id, state)

    def _programme_command(
        self,
        programme_id: UUID,
        command: c.ProgrammeCommand,
        actor: str,
        expected_version: int | None,
        command_id: UUID | None,
    ) -> Recorded:
        state: ProgrammeState = self._load(_PROGRAMME, programme_id)
        earlier = self._recorded_before(programme_id, command_id, expected_version, programme_id)
        if earlier is not None:
            return earlier
        _check_expected(_PROGRAMME, programme_id, expected_version, state.version)
        events = decide_programme(command, state, self._context(actor, command_id))
        expected = {programme_id: (_PROGRAMME, state.version)}
        return self._record(events, expected, state, programme_id, command_id)

    def _relationship_command(
        self,
        relationship_id: UUID,
        command_class: type[c.RelationshipCommand],
        *,
        creates: str | None = None,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
        **fields: Any,
    ) -> Recorded:
        state: RelationshipState = self._load(_RELATIONSHIP, relationship_id)
        if creates is not None and fields[creates] is None:
            fields[creates] = self._new_id()
        created = relationship_id if creates is None else fields[creates]
        earlier = self._recorded_before(relationship_id, command_id, expected_version, created)
        if earlier is not None:
            return earlier
        _check_expected(_RELATIONSHIP, relationship_id, expected_version, state.version)
        command = command_class(occurred_at=occurred_at, **fields)
        events = decide_relationship(command, state, self._context(actor, command_id))
        expected = {relationship_id: (_RELATIONSHIP, state.version)}
        return self._record(events, expected, state, created, command_id)

    def _open(
        self,
        programme_id: UUID,
        mentor_id: str,
        mentee_id: str,
        direct: bool,
        actor: str,
        gap_override_reason: str | None,
        relationship_id: UUID | None,
        occurred_at: datetime | None,
        command_id: UUID | None,
    ) -> Recorded:
        programme: ProgrammeState = self._load(_PROGRAMME, programme_id)
        command = c.OpenRelationship(
            relationship_id=relationship_id or self._new_id(),
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            direct=direct,
            gap_override_reason=gap_override_reason,
            occurred_at=occurred_at,
        )
        ctx = self._context(actor, command_id)
        events = decide_pairing(command, programme, RelationshipState(), ctx)
        expected = {
            command.relationship_id: (_RELATIONSHIP, 0),
            programme_id: (_PROGRAMME, programme.version),
        }
        created = command.relationship_id
        return self._record(events, expected, RelationshipState(), created, command_id)

    def _record(
        self,
        events: Sequence[Event],
        expected: dict[UUID, tuple[_Kind, int]],
        state: S,
        created: UUID,
        command_id: UUID | None,
    ) -> Recorded:
        """Store ``events`` in one transaction; ``expected``'s first aggregate is the commanded one.

        ``expected`` maps every aggregate written to its kind and the version the
        command was decided at; a clash on any of them is a :class:`ConcurrencyConflict`,
        unless the clash is this very command recorded by an earlier attempt whose
        acknowledgement was lost (same ``command_id``).
        """
        commanded = next(iter(expected))
        try:
            recordings = self._store.events.put(cast(Sequence[Any], events))
        except IntegrityError:
            decided_at = expected[commanded][1]
            earlier = self._recorded_before(commanded, command_id, decided_at, created)
            if earlier is not None:
                return earlier
            raise self._conflict(expected) from None
        own = tuple(e for e in events if e.aggregate_id == commanded)
        kind = expected[commanded][0]
        new_state = _projector(kind, commanded)(state, own)
        self._remember(commanded, new_state)
        self._snapshot(state.version, new_state, own[-1])
        return Recorded(
            id=created,
            aggregate_id=commanded,
            version=own[-1].version,
            events=tuple(events),
            positions=tuple(r.notification.id for r in recordings),
        )

    def _snapshot(self, previous_version: int, state: S, last: Event) -> None:
        """Store a snapshot of ``state`` when it crossed a multiple of the snapshot interval."""
        interval = self._snapshot_interval
        snapshots = self._store.snapshots
        if interval is None or snapshots is None:
            return
        if previous_version // interval == state.version // interval:
            return
        snapshot = Snapshot(
            aggregate_id=last.aggregate_id,
            version=last.version,
            taken_at=last.recorded_at,
            state=state,
        )
        snapshots.put([cast(Any, snapshot)])

    def _conflict(self, expected: dict[UUID, tuple[_Kind, int]]) -> ConcurrencyConflict:
        """Which aggregate moved on while the command was being decided, and to which version."""
        for aggregate_id, (kind, version) in expected.items():
            latest = list(self._store.recorder.select_events(aggregate_id, desc=True, limit=1))
            actual = latest[0].originator_version if latest else 0
            if actual != version:
                return ConcurrencyConflict(kind.name, aggregate_id, version, actual)
        aggregate_id, (kind, version) = next(iter(expected.items()))
        return ConcurrencyConflict(kind.name, aggregate_id, version, None)


def _items(field: str, values: Sequence[Any]) -> tuple[Any, ...]:
    """A list field as the tuple a command holds; refuses what is not a list."""
    return check_sequence(field, values, allow_empty=True)


def _check_expected(kind: _Kind, aggregate_id: UUID, expected: int | None, actual: int) -> None:
    if expected is not None:
        check_int("expected_version", expected, 0, 2**62)
    if expected is not None and expected != actual:
        raise ConcurrencyConflict(kind.name, aggregate_id, expected, actual)
