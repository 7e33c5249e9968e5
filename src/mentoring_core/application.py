"""The service developers embed: commands in, events stored, states and histories out.

The shell around the pure domain: it loads state through eventsourcing's
repository (with snapshots), asks ``decide_*`` for events, stores them in one
transaction and takes a snapshot every ``snapshot_interval`` events.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4, uuid5

import attrs
from eventsourcing.application import AggregateNotFoundError, LRUCache
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
)

from ._command_methods import CommandMethods, Recorded
from ._new_files import check_path
from .audit.recorders import (
    COMMAND_IDS_KWARG,
    NO_COMMAND,
    READ_VERSIONS_KWARG,
    ReadVersionMoved,
    record_aggregate_id,
)
from .audit.timeline import state_at
from .audit.verify import Digest, Verification, verify
from .authorisation import Action, Principal, Refused, may
from .authorisation import Read as AuthorisedRead
from .domain import commands as c
from .domain import events as ev
from .domain._replace import replaced
from .domain.context import Attendance, DecisionContext, RelationshipRef
from .domain.decider import Decider
from .domain.erasure import PersonalDataErased, decide_erasure
from .domain.errors import (
    ConcurrencyConflict,
    ErasureUnfinished,
    InvalidValue,
    MentoringError,
    NotAllowed,
    NotFound,
    Rule,
    RuleViolation,
    StoreConfigurationError,
    StoredEventError,
    shown,
)
from .domain.events import Event, ProgrammeCreated
from .domain.group import decide_group_correction, decide_group_session
from .domain.kinds import kind_of, kind_of_command, kind_of_topic, needs_history
from .domain.matching import MentorSuggestion, rank_mentors
from .domain.pairing import decide_pairing
from .domain.personal import ErasureRule
from .domain.programme import PROGRAMME, ProgrammeState
from .domain.relationship_state import RELATIONSHIP, RelationshipState
from .domain.validation import (
    MAX_NUMBER,
    check_aware,
    check_bool,
    check_enum,
    check_int,
    check_label,
    check_not_future,
    check_sequence,
    check_uuid,
)
from .privacy.erasure import (
    Erasure,
    holds_data_of,
    named_people,
    owner_named_topics,
    sealing_topics,
    seals_for,
    unsealed_fields,
)
from .privacy.keys import Kept, OpenedStates
from .serialisation import SNAPSHOT_TOPIC_PREFIX, Snapshot
from .store import (
    DEFAULT_STORE_URL,
    KEY_FILE_SETTING,
    KEY_STORE_FILE_SETTING,
    EventSourcedStore,
    Store,
    follow_events,
    open_store,
    read_events,
)

Clock = Callable[[], datetime]
"""Returns the current time, aware."""

_log = logging.getLogger(__name__)

DEFAULT_SNAPSHOT_INTERVAL = 100
_CACHE_SIZE = "1000"
_PASSED_OVER_KEPT = int(_CACHE_SIZE)
"""At most this many aggregates whose snapshot was passed over are remembered (the most
recently passed over): after an upgrade, a long-running server that reads many
relationships does not hold an id for each of them."""
_NOTED_AT_ONCE = 1000
"""Events whose command is not kept are read, and their commands kept, this many at a time
(an imported relationship of a million events is not held in memory at once)."""
_UNCONDITIONAL_ATTEMPTS = 5
"""How many times a command given no expected version is decided on the state read from
the store, each time another writer stored a newer version first, before the conflict is
raised (:meth:`MentoringService._on_latest`)."""

_RECORDS: dict[type[c.Command], tuple[type[Event], ...]] = {
    c.CreateProgramme: (ev.ProgrammeCreated,),
    c.SetPolicy: (ev.PolicySet,),
    c.EnrolParticipant: (ev.ParticipantEnrolled,),
    c.UpdateProfile: (ev.ParticipantProfileUpdated,),
    c.WithdrawParticipant: (ev.ParticipantWithdrawn,),
    c.AppointCoordinator: (ev.CoordinatorAppointed,),
    c.RelieveCoordinator: (ev.CoordinatorRelieved,),
    c.IssueReminder: (ev.ReminderIssued,),
    c.RecordReminderSent: (ev.ReminderSent,),
    c.AbandonReminder: (ev.ReminderAbandoned,),
    c.RecogniseMentor: (ev.MentorRecognised,),
    c.RecordGroupSession: (ev.MeetingHeld,),
    c.CorrectGroupSession: (ev.MeetingRecordCorrected,),
    c.OpenRelationship: (ev.PairingProposed, ev.PairFormed, ev.RelationshipOpened),
    c.AcceptPairing: (ev.PairingAccepted,),
    c.DeclinePairing: (ev.PairingDeclined,),
    c.AgreeExpectations: (ev.ExpectationsAgreed,),
    c.SetGoal: (ev.GoalSet,),
    c.ReviseGoal: (ev.GoalRevised,),
    c.AchieveGoal: (ev.GoalAchieved,),
    c.AbandonGoal: (ev.GoalAbandoned,),
    c.AddPlanActivity: (ev.PlanActivityAdded,),
    c.CompletePlanActivity: (ev.PlanActivityCompleted,),
    c.SetMilestone: (ev.MilestoneSet,),
    c.ReachMilestone: (ev.MilestoneReached,),
    c.AgreeSchedule: (ev.ScheduleAgreed,),
    c.ChangeSchedule: (ev.ScheduleChanged,),
    c.RecordMeetingHeld: (ev.MeetingHeld,),
    c.RecordMeetingMissed: (ev.MeetingMissed,),
    c.RecordMeetingCancelled: (ev.MeetingCancelled,),
    c.CorrectMeetingRecord: (ev.MeetingRecordCorrected,),
    c.GiveFeedback: (ev.FeedbackGiven,),
    c.RecordReflection: (ev.ReflectionRecorded,),
    c.EvaluateProgress: (ev.ProgressEvaluated,),
    c.PauseRelationship: (ev.RelationshipPaused,),
    c.ResumeRelationship: (ev.RelationshipResumed,),
    c.EndRelationship: (ev.RelationshipEnded,),
}
"""The event types each command records (opening a relationship: either kind of opening,
:func:`_records` tells them apart; on the programme too):
what an id's events must be to answer a command under it as a retry (:func:`_retry_answer`);
a test holds it to every command class."""
_CREATED_AS = {"session_id": "group_session_id"}
"""A created field whose value its events hold under another name."""

S = TypeVar("S", RelationshipState, ProgrammeState)
C = TypeVar("C", bound=c.Command)


def system_clock() -> datetime:
    """The default clock: the system's time in UTC."""
    return datetime.now(UTC)


class TimeAxis(enum.StrEnum):
    """Which time an as-of query reads: when facts were recorded, or when they happened."""

    RECORDED = "recorded"
    OCCURRED = "occurred"


DEFAULT_POLL_INTERVAL = 0.5
"""Seconds :meth:`MentoringService.follow` waits before looking for new events again."""


Kind = Decider[Any]
Read = dict[UUID, tuple[Kind, int]]
"""What a decision read of aggregates it does not write: each one's kind and version."""
Asker = tuple[str, Principal | None]
"""Who records a command: the actor, and the principal to authorise (None: no one)."""


class _UntrustedSnapshot(Exception):
    """A snapshot whose chain hash is not the stored link's: it belongs to no stored history."""


def _projector(
    kind: Kind, aggregate_id: UUID, check: Callable[[Snapshot], None] | None = None
) -> Callable[[Any, Iterable[Any]], Any]:
    """The fold eventsourcing's repository runs: snapshot (if any, passed to ``check``
    first) then events, folded at once (:meth:`~.domain.decider.Decider.fold`)."""

    def project(state: Any, items: Iterable[Event | Snapshot]) -> Any:
        events: list[Event] = []
        for item in items:
            if isinstance(item, Snapshot):
                if check is not None:
                    check(item)
                state, events = item.state, []
            elif isinstance(item, kind.event_type):
                events.append(item)
            else:
                raise NotFound(kind.name, aggregate_id)
        return kind.fold(state if state is not None else kind.initial, events) if events else state

    return project


def _check_arguments(
    store_url: object,
    clock: object,
    new_id: object,
    snapshot_interval: object,
    trust_snapshots: object,
) -> None:
    """The service's arguments of the right kinds (:class:`InvalidValue` naming the first
    that is not), checked before anything is opened."""
    if not isinstance(store_url, str):
        raise InvalidValue("store_url", store_url, "a store URL, a str")
    for name, value in (("clock", clock), ("new_id", new_id)):
        if not callable(value):
            raise InvalidValue(name, value, "a function taking no argument")
    if snapshot_interval is not None:
        check_int("snapshot_interval", snapshot_interval, 1, MAX_NUMBER)
    check_bool("trust_snapshots", trust_snapshots)


class MentoringService(CommandMethods):
    """Records mentoring programmes and relationships in an event store.

    Open it with a store URL (see :mod:`mentoring_core.store`); use it as a
    context manager or call :meth:`close`. Every command method takes the
    ``actor`` who records it, an optional ``occurred_at`` (when it happened; now
    by default, never in the future) and an optional ``expected_version`` (the
    version the caller last saw: the command is refused with
    :class:`ConcurrencyConflict` if the history has moved on since).

    Snapshots are trusted only if they carry the chain hash of the event they were
    taken at; with ``trust_snapshots=False`` none is read at all: every state is
    folded from its events (what the CLI's audit commands do).

    ``cipher_key_file`` names the key file of a store encrypted at rest
    (docs/privacy.md, "Encryption at rest"); never put a key in the URL.
    ``key_store_file`` names a SQLite file that keeps people's data keys apart from the
    events (docs/privacy.md, "Keys"); by default they are kept in the store itself.
    """

    def __init__(
        self,
        store_url: str = DEFAULT_STORE_URL,
        *,
        clock: Clock = system_clock,
        new_id: Callable[[], UUID] = uuid4,
        snapshot_interval: int | None = DEFAULT_SNAPSHOT_INTERVAL,
        trust_snapshots: bool = True,
        cipher_key_file: str | os.PathLike[str] | None = None,
        key_store_file: str | os.PathLike[str] | None = None,
    ) -> None:
        _check_arguments(store_url, clock, new_id, snapshot_interval, trust_snapshots)
        files = {"cipher_key_file": cipher_key_file, "key_store_file": key_store_file}
        for name, path in files.items():
            if path is not None:
                check_path(name, path)
        env = {"AGGREGATE_CACHE_MAXSIZE": _CACHE_SIZE}
        env["DEEPCOPY_FROM_AGGREGATE_CACHE"] = "n"  # states are immutable
        if snapshot_interval is not None:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
        if cipher_key_file is not None:
            env[KEY_FILE_SETTING] = os.fspath(cipher_key_file)
        if key_store_file is not None:
            env[KEY_STORE_FILE_SETTING] = os.fspath(key_store_file)
        self.store_url = store_url
        self._clock = clock
        self._new_id = new_id
        self._snapshot_interval = snapshot_interval
        self.trust_snapshots = trust_snapshots
        self._store: EventSourcedStore = open_store(store_url, env)
        self._passed_over: OrderedDict[UUID, None] = OrderedDict()
        """Aggregates whose latest snapshot was passed over (unreadable, as after an upgrade
        that changed the snapshots' schema, or refused), the latest last, at most
        :data:`_PASSED_OVER_KEPT`: the next command recorded on each takes a new one,
        whatever the interval (:meth:`_snapshot`); one forgotten takes it at the next
        crossing of the interval, as before it was remembered."""
        self._wholes: LRUCache[UUID, Any] = LRUCache(maxsize=int(_CACHE_SIZE))
        """Whole states (with their history) as readers last saw them; the repository's
        cache holds states without it (see :meth:`_load`)."""
        self._opened = OpenedStates(self._store.keys, size=4 * int(_CACHE_SIZE))
        """Whose keys opened the texts of the states both caches keep: none is used longer
        than those keys are kept (:meth:`_kept_open`, docs/privacy.md, Keys)."""

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

    def now(self) -> datetime:
        """The time by the service's ``clock`` (what "now" means to every command, and to
        what is due, the live reports and reminder runs given no ``now`` of their own)."""
        return check_aware("clock", self._clock())

    # --- queries ---------------------------------------------------------------------

    def programme(self, programme_id: UUID, *, version: int | None = None) -> ProgrammeState:
        """The programme now, or as of ``version`` (one its history has reached)."""
        return _reached(cast(ProgrammeState, self._load(PROGRAMME, programme_id, version)), version)

    def relationship(
        self, relationship_id: UUID, *, version: int | None = None
    ) -> RelationshipState:
        """The relationship now, or as of ``version`` (one its history has reached)."""
        state = cast(RelationshipState, self._load(RELATIONSHIP, relationship_id, version))
        return _reached(state, version)

    def relationship_as_of(
        self, relationship_id: UUID, at: datetime, *, axis: TimeAxis = TimeAxis.RECORDED
    ) -> RelationshipState:
        """The relationship as it stood at ``at``, which must not be after now (what is
        recorded until then would change it), as a report's ``as_of``.

        ``TimeAxis.RECORDED`` (the default): as the store showed it then, from the
        events recorded by ``at``. ``TimeAxis.OCCURRED``: from the events whose
        ``occurred_at`` is not after ``at`` (including ones recorded later), folded
        in the order they happened. Before the first event, the state is empty
        (status ``new``, version 0).
        """
        moment = check_not_future("at", at, self.now())
        axis = check_enum("axis", axis, TimeAxis)
        history = self.history(relationship_id)
        if axis is TimeAxis.RECORDED:
            state = state_at(history, recorded_by=moment)
        else:
            state = state_at(history, occurred_by=moment)
        if not isinstance(state, RelationshipState):
            raise NotFound("relationship", relationship_id)
        return state

    def history(self, aggregate_id: UUID, *, personal: bool = True) -> tuple[Event, ...]:
        """Every event of a programme or relationship, in order, with all metadata.

        With ``personal`` false, no personal field is opened: each reads as ``SEALED``
        (see :meth:`~mentoring_core.store.Store.decode`), for a reader that needs none
        (the compliance reports); nothing is decrypted and no key is looked up."""
        check_uuid("aggregate_id", aggregate_id)
        store = self._store
        records = store.recorder.select_events(aggregate_id)
        events = tuple(store.decode(record, personal=personal) for record in records)
        if not events:
            raise NotFound("programme or relationship", aggregate_id)
        return events

    def programme_ids(self) -> tuple[UUID, ...]:
        """The id of every programme in the store, oldest first (no state is read)."""
        created = self.store.records(topics=[ProgrammeCreated.__name__])
        return tuple(record_aggregate_id(n) for n in created)

    def programmes(self) -> tuple[ProgrammeState, ...]:
        """The current state of every programme in the store, oldest first."""
        return tuple(self.programme(p) for p in self.programme_ids())

    def relationships(self, programme_id: UUID) -> tuple[RelationshipState, ...]:
        """The current state of every relationship opened in a programme, oldest first."""
        return tuple(self.relationship(r) for r in self.programme(programme_id).relationship_ids)

    def suggest_mentors(self, programme_id: UUID, mentee_id: str) -> tuple[MentorSuggestion, ...]:
        """The programme's mentors who could be paired with ``mentee_id``, best first, each
        with the figures of its rank (fit, experience gap, load against the policy's capacity;
        see :func:`~mentoring_core.matching.rank_mentors` and ``docs/cli.md``, "Matching").

        The ranking is the one a pairing records (``suggestion_rank`` on the opening event)
        when decided against the same states."""
        mentee_id = check_label("mentee_id", mentee_id)
        programme: ProgrammeState = self._load(PROGRAMME, programme_id)
        others = tuple(self._load(RELATIONSHIP, r, whole=False) for r in programme.relationship_ids)
        return rank_mentors(programme, others, mentee_id)

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
        return read_events(self.store, after, kinds, limit)

    def follow(
        self,
        after: int = 0,
        *,
        kinds: Collection[str] = (),
        stop: threading.Event | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Iterator[tuple[int, Event]]:
        """Like :meth:`read`, then waits for more: yields each event as it is recorded.

        Where the store tells of new events (PostgreSQL's LISTEN/NOTIFY) it wakes at
        once on a write; it looks again every ``poll_interval`` seconds anyway (on
        SQLite and memory that is how it sees writes, from any process), until ``stop``
        is set, then returns.
        """
        return follow_events(self.store, after, kinds, stop or threading.Event(), poll_interval)

    def verify(self, against: Digest | None = None) -> Verification:
        """Re-read the whole store and check its hash chain (see ``docs/audit.md``).

        With ``against`` (a digest kept outside the store), also prove that the history
        up to it is unchanged and that everything after it extends it.
        """
        return verify(self.store.recorder, against)

    # --- commands ------------------------------------------------------------------

    def execute(
        self,
        command: c.Command,
        *,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
        principal: Principal | None = None,
    ) -> Recorded:
        """Record ``command`` (any command of :mod:`mentoring_core.commands`) as ``actor``.

        The command names the programme or relationship it is for. ``occurred_at``: when
        it happened (or set it on the command; now by default, never in the future).
        ``expected_version``: the version the caller last saw; refused with
        :class:`ConcurrencyConflict` if the history moved on since (none: decided again).
        ``command_id``: an idempotency key; the same command retried with it is answered
        ``already_recorded``, not recorded twice, another is refused (:func:`_retry_answer`;
        a reminder's has its own, :func:`.commands.reminder_command_id`). A field the command
        declares as the id it creates (``goal_id``...) left ``None`` gets a new id.
        ``principal``: who asks (``actor`` is their subject): the policy must allow them
        on the states the command is decided on, each time (:meth:`_authorise`)."""
        _check_call(command, actor, expected_version, principal)
        given = _natural(command, command_id)
        command_id = self._command_id(given)
        kind = kind_of_command(command)
        whole = needs_history(command)  # asked before the service fills in new ids
        command = _new_ids(_dated(command, occurred_at), command_id)
        asker = (actor, principal)
        if isinstance(command, c.OpenRelationship):
            return self._open(command, asker, expected_version, (given, command_id))
        if isinstance(command, c.RecordGroupSession | c.CorrectGroupSession):
            return self._group_session(command, asker, expected_version, (given, command_id), whole)
        aggregate_id = check_uuid(kind.id_field, getattr(command, kind.id_field))
        creates = c.created_field(type(command))
        created = aggregate_id if creates is None else getattr(command, creates)
        state, cached = kind.initial, False
        if creates != kind.id_field:  # the command changes an aggregate that must exist
            state, cached = self._state_to_decide(kind, aggregate_id, whole)
        earlier = self._recorded_before(aggregate_id, given, expected_version, created)
        if earlier is not None:  # a retry is answered before any rule is asked again
            return _retry_answer(command, earlier)
        read: Read = {}  # what each decision read of other aggregates (see _needs)
        decide = functools.partial(
            self._decide, kind, aggregate_id, command, asker, expected_version, command_id, read
        )

        def record(events: Sequence[Event], on: Any) -> Recorded:
            at = {aggregate_id: (kind, on.version)}
            keyed = given is not None
            recorded = self._record(events, at, on, created, command_id, keyed=keyed, read=read)
            if not recorded.already_recorded:  # as nearly every command: no call more
                return recorded
            return _retry_answer(command, recorded)

        tries = _attempts(expected_version, creating=creates == kind.id_field)
        again = functools.partial(self._on_latest, kind, aggregate_id, whole, tries, decide, record)
        if not cached:
            return again(state)
        return self._on_cached_state(kind, aggregate_id, state, decide, record, again)

    def _on_cached_state(
        self,
        kind: Kind,
        aggregate_id: UUID,
        state: Any,
        decide: Callable[[Any], Sequence[Event]],
        record: Callable[[Sequence[Event], Any], Recorded],
        again: Callable[[Any], Recorded],
    ) -> Recorded:
        """A command decided and recorded on the cached ``state``, which may be behind the
        store (another service or process recorded since): refused on it, or clashing with
        a newer version stored (nothing of it is stored then), it is decided ``again`` on
        the state read from the store (:meth:`_on_latest`); refused again, it raises."""
        try:
            events = decide(state)
        except MentoringError:
            stored = self._load(kind, aggregate_id, whole=False)
            if stored.version == state.version:  # the cached state was the stored one
                raise
        else:
            try:
                return record(events, state)
            except ConcurrencyConflict:
                stored = self._load(kind, aggregate_id, whole=False)
        return again(stored)

    def _on_latest(
        self,
        kind: Kind,
        aggregate_id: UUID,
        whole: bool,
        tries: int,
        decide: Callable[[Any], Sequence[Event]],
        record: Callable[[Sequence[Event], Any], Recorded],
        state: Any,
    ) -> Recorded:
        """A command decided on ``state`` and recorded (once more if an aggregate the
        decision read moved on: :func:`_again_if_read_moved`). If another writer stored a
        newer version of its aggregate first (nothing of it is stored then), it is decided
        again on the state read from the store (``whole`` or not), up to ``tries`` times in
        all, then the conflict is raised: a command given no expected version records
        whatever the version (:data:`_UNCONDITIONAL_ATTEMPTS`); the rules are asked again
        each time, and a command they refuse on the new state is refused."""

        def attempt(on: Any) -> Recorded:
            return _again_if_read_moved(lambda: record(decide(on), on))

        for _ in range(tries - 1):
            try:
                return attempt(state)
            except ConcurrencyConflict as conflict:
                if conflict.read:  # another aggregate read moved on twice: not retried again
                    raise
            state = self._load(kind, aggregate_id, whole=whole)
        return attempt(state)

    def _state_to_decide(self, kind: Kind, aggregate_id: UUID, whole: bool) -> tuple[Any, bool]:
        """The state to decide a command on, and whether it is the cached one: the cached
        state (without its history, or whole for a kind whose states are always whole, a
        programme), taken without reading the store, if there is one and the command is
        not to be decided on the ``whole`` state; else the state read from the store.

        Deciding on the cached state spares reading the store first, as eventsourcing's
        repository does to bring a cached aggregate up to date (a sixth of a command). It
        may be behind the store; that is safe (see :meth:`_on_cached_state`): the
        command's first event takes the version after the cached one, which the store
        refuses if another writer stored it, and a command refused on the cached state
        (a rule, or an ``expected_version`` it is not at) is asked again of the stored state.
        A cached state is taken only while the keys that opened its texts are
        (:meth:`_kept_open`)."""
        cache = self._store.repository.cache
        if not whole and self.trust_snapshots and cache is not None:
            try:
                state = cache.get(aggregate_id)
            except KeyError:
                state = None
            if isinstance(state, type(kind.initial)) and (
                self._opened.kept(aggregate_id) or self._kept_open(aggregate_id, whole=False)
            ):
                return state, True
        return self._load(kind, aggregate_id, whole=whole), False

    def _decide(
        self,
        kind: Kind,
        aggregate_id: UUID,
        command: c.Command,
        asker: Asker,
        expected_version: int | None,
        command_id: UUID,
        read: Read,
        state: Any,
    ) -> Sequence[Event]:
        """The events recording ``command``, decided on ``state`` for ``asker`` (authorised
        first); ``read`` is filled with what the decision read of other aggregates (emptied
        first)."""
        read.clear()
        actor, principal = asker
        self._authorise(principal, command, state, read)
        _check_expected(kind, aggregate_id, expected_version, state.version)
        ctx = self._needs(command, state, self._context(actor, command_id), read)
        return kind.decide(command, state, ctx)

    def _authorise(
        self, principal: Principal | None, command: c.Command, state: Any, read: Read
    ) -> None:
        """Refuse ``command`` (:class:`NotAllowed`) unless ``principal`` (None: no one to
        check) may record it, asked on ``state``, what it is decided on, and for a
        relationship on its programme, read now and put in ``read``: if the programme
        moves on before the events are stored (a coordinator relieved), the store refuses
        them and the command is decided, and authorised, again."""
        if principal is None:
            return
        if not isinstance(state, RelationshipState):
            _allowed(principal, command, state)
            return
        programme = None
        if state.programme_id is not None:
            programme = self._read_programme(state.programme_id, read)
        _allowed(principal, command, programme, state)

    def _read_programme(self, programme_id: UUID, read: Read) -> ProgrammeState:
        """The programme now, put in ``read`` at the version read, unless the decision
        read it before: the store then refuses the events if it moved on since the first
        read (what was decided on it holds only for that version)."""
        programme: ProgrammeState = self._load(PROGRAMME, programme_id)
        read.setdefault(programme_id, (PROGRAMME, programme.version))
        return programme

    def erase_person(
        self,
        person_id: str,
        reason: str,
        *,
        actor: str,
        rule: ErasureRule = ErasureRule.REQUEST,
        command_id: UUID | None = None,
    ) -> Erasure:
        """Erase a person's personal data (see ``docs/privacy.md``).

        Records :class:`~mentoring_core.events.PersonalDataErased` on every programme the
        person was enrolled in or appointed to, or whose records hold personal data of
        theirs under a field naming them (a meeting they cancelled), destroys their data
        key (every field sealed under it then reads as ``ERASED``; ids, dates, durations
        and outcomes stay), drops the snapshots and the decrypted states this process holds,
        and rewrites the store's files so the key and the snapshots' plaintext cannot be
        recovered from them. Fields written in clear before sealing existed are listed in
        :attr:`Erasure.unsealed`.
        Retried with the ``command_id`` of an attempt whose answer was lost, it records
        nothing again (``already_recorded``) and completes the other steps.
        """
        person_id = check_label("person_id", person_id)  # before it is used to read
        ctx = self._context(actor, self._command_id(command_id))
        events, already, unread = self._record_erasure(person_id, reason, rule, ctx, command_id)
        destroyed = self._destroy_key(person_id, events, ctx.now)
        self._forget_erased()
        notes = unread + self._store.keys.store.scrub()
        unsealed = unsealed_fields(self.store.records(), self._store.mapper.owner_of, person_id)
        return Erasure(
            person_id=person_id,
            recorded=events,
            key_destroyed=destroyed,
            unsealed=unsealed,
            notes=notes,
            command_id=events[0].command_id or ctx.command_id,
            already_recorded=already,
        )

    def _destroy_key(
        self, person_id: str, recorded: Sequence[PersonalDataErased], at: datetime
    ) -> bool:
        """Destroy the person's key (see :meth:`KeyStore.destroy`), their erasure
        ``recorded``; whether it was live before. Read first, not taken from ``destroy``'s
        answer: a store that destroyed it, lost the answer with its connection and tried
        again, answers that no key was live. A store failing to destroy it (after its own
        retries) is told as :class:`ErasureUnfinished`, which says how to finish the
        erasure."""
        keys = self._store.keys.store
        try:
            row = keys.get(person_id)
            destroyed = keys.destroy(person_id, at)
            return destroyed or (row is not None and row.key is not None)
        except PersistenceError as error:
            reason = f"{type(error).__name__}: {error}"
            raise ErasureUnfinished(person_id, recorded[0].command_id, reason) from error

    def _record_erasure(
        self,
        person_id: str,
        reason: str,
        rule: ErasureRule,
        ctx: DecisionContext,
        given: UUID | None,
    ) -> tuple[tuple[PersonalDataErased, ...], bool, tuple[str, ...]]:
        """The erasure's facts, recorded now; or those an earlier attempt with the same
        command id recorded, or an unfinished erasure of the person (and True); and a note
        for each record that could not be read while looking for the person's data. If
        another writer recorded on one of the programmes first (nothing of the erasure is
        stored then), it is decided again on the programmes as stored, up to
        :data:`_UNCONDITIONAL_ATTEMPTS` times in all, as a command given no expected
        version is (:meth:`_on_latest`)."""
        attempt = functools.partial(self._erasure_attempt, person_id, reason, rule, ctx, given)
        for _ in range(_UNCONDITIONAL_ATTEMPTS - 1):
            with contextlib.suppress(ConcurrencyConflict):
                return attempt()
        return attempt()

    def _erasure_attempt(
        self,
        person_id: str,
        reason: str,
        rule: ErasureRule,
        ctx: DecisionContext,
        given: UUID | None,
    ) -> tuple[tuple[PersonalDataErased, ...], bool, tuple[str, ...]]:
        """One decision of :meth:`_record_erasure`, on the programmes as they are read now."""
        programmes = self.programmes()
        earlier = self._erased_before(programmes, given) or self._unfinished_erasure(person_id)
        if earlier:
            return earlier, True, ()
        holding, unread = self._holding(programmes, person_id)
        named = [p for p in programmes if p.programme_id in holding or self._names(p, person_id)]
        events = decide_erasure(named, person_id, rule, reason, ctx)
        expected: dict[UUID, tuple[Kind, int]] = {
            e.aggregate_id: (PROGRAMME, e.version - 1) for e in events
        }
        first = next(p for p in programmes if p.programme_id == events[0].aggregate_id)
        recorded = self._record(
            events, expected, first, events[0].aggregate_id, ctx.command_id, keyed=given is not None
        )
        if recorded.already_recorded:  # an earlier attempt, stored while this one decided
            erased = tuple(e for e in recorded.events if isinstance(e, PersonalDataErased))
            return erased, True, unread
        return events, False, unread

    def _erased_before(
        self, programmes: Sequence[ProgrammeState], command_id: UUID | None
    ) -> tuple[PersonalDataErased, ...]:
        """The facts an earlier attempt of an erasure with ``command_id`` recorded."""
        if command_id is None:
            return ()
        return tuple(
            e
            for p in programmes
            if p.programme_id is not None
            and (found := self._recorded_before(p.programme_id, command_id, None, p.programme_id))
            for e in found.events
            if isinstance(e, PersonalDataErased)
        )

    def _unfinished_erasure(self, person_id: str) -> tuple[PersonalDataErased, ...]:
        """The facts of the person's last recorded erasure if their key is not destroyed
        and nothing was sealed under it since (in the log's order): the erasure stopped
        before the key was (its process killed, the store failing), or the key store was
        restored from a copy taken before it. Erasing again finishes it. A field of
        theirs sealed after it is personal data that erasure did not concern (under their
        key brought back live from a backup): erasing again records a new erasure."""
        row = self._store.keys.fresh([person_id])[person_id]
        erased = [] if row and row.destroyed_at else self._store.erasures(person_id)
        if not erased:
            return ()
        position, last = erased[-1]
        since = self._store.records(position, topics=sealing_topics())
        if seals_for(since, self._store.mapper.stored_bytes, person_id):
            return ()
        return tuple(
            e for _, e in erased if last.command_id and e.command_id == last.command_id
        ) or (last,)

    # --- the shell -------------------------------------------------------------------

    def _names(self, programme: ProgrammeState, person_id: str) -> bool:
        """Whether the programme's history names the person: enrolled or appointed a
        coordinator at some time (a relieved coordinator is no longer in its state)."""
        if programme.participant(person_id) is not None or person_id in programme.coordinators:
            return True
        assert programme.programme_id is not None
        return any(
            getattr(e, "person_id", None) == person_id for e in self.history(programme.programme_id)
        )

    def _holding(
        self, programmes: Sequence[ProgrammeState], person_id: str
    ) -> tuple[set[UUID | None], tuple[str, ...]]:
        """The programmes whose records, their own or their relationships', hold personal
        data of the person under an event field naming them: a meeting they cancelled, who
        need not be enrolled (``cancelled_by`` is any person id). Reads only the records of
        the event types with such a field, opening no personal field. A record that cannot
        be read (damaged around the library; the chain forbids mending it) is passed over
        with a note: the erasure goes on, the person's key destroyed all the same, which
        makes whatever it seals of theirs unreadable."""
        programme_of = {r: p.programme_id for p in programmes for r in p.relationship_ids}
        holding: set[UUID | None] = set()
        unread: list[str] = []
        for record in self.store.records(topics=owner_named_topics()):
            try:
                event = self.store.decode(record, personal=False)
            except StoredEventError as error:
                unread.append(
                    f"{error}; whether it holds personal data of {person_id!r} is unknown, "
                    "and their key is destroyed all the same (audit verify names the damage)"
                )
                continue
            if holds_data_of(event, person_id):
                holding.add(programme_of.get(event.aggregate_id, event.aggregate_id))
        return holding, tuple(unread)

    def _forget_states(self) -> None:
        """Drop every state this process keeps (they hold opened personal data)."""
        self._wholes = LRUCache(maxsize=int(_CACHE_SIZE))
        self._opened.clear()
        cache = self._store.repository.cache
        if cache is not None:
            self._forget(list(cache.cache))

    def _forget_erased(self) -> None:
        """Drop every key and state this process keeps: after an erasure made here, or one
        found made by another process (a key whose texts a kept state holds, destroyed)."""
        self._store.keys.forget()
        self._forget_states()

    def _forget_aggregate(self, aggregate_id: UUID) -> None:
        """Drop every state of the aggregate this process keeps, and what it knew of them."""
        self._opened.drop(aggregate_id)
        with contextlib.suppress(KeyError):
            self._wholes.get(aggregate_id, evict=True)
        self._forget([aggregate_id])

    def _kept_open(self, aggregate_id: UUID, *, whole: bool) -> bool:
        """Whether the aggregate's kept state (``whole``: the one with its history, else the
        repository's cache's) may be used; if not, it is dropped, to be read again from the
        store. It may be used while the keys whose texts it holds are kept
        (``CachedKeys``, 30 seconds), then only once they are read again from the key store
        and found live; and one read from a snapshot, whose texts' people are not known,
        for as long after it was read (:class:`~.privacy.keys.OpenedStates`). So an erasure
        made by another process is honoured here as soon as it is by the keys."""
        verdict = self._opened.verdict(aggregate_id, whole=whole)
        if verdict == Kept.KEEP:
            return True
        if verdict == Kept.ERASED:
            self._forget_erased()
        elif verdict == Kept.DROP:
            self._forget_aggregate(aggregate_id)
        else:
            self._forget([aggregate_id])
        return False

    def _noting(
        self, aggregate_id: UUID, version: int | None, project: Callable[[Any, Iterable[Any]], Any]
    ) -> Callable[[Any, Iterable[Any]], Any]:
        """``project``, noting whose keys open the texts of the state it folds (from a
        snapshot or not), which is kept if it is the state now (``version`` None)."""
        if version is not None:
            return project
        keys, opened = self._store.keys, self._opened

        def noted(state: Any, items: Iterable[Any]) -> Any:
            snapshots: list[Snapshot] = []

            def watched() -> Iterator[Any]:
                for item in items:
                    if isinstance(item, Snapshot):
                        snapshots.append(item)
                    yield item

            folded, people = keys.sealing(lambda: project(state, watched()))
            opened.note(aggregate_id, people, from_snapshot=bool(snapshots))
            return folded

        return noted

    def _forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Drop the cached states of ``aggregate_ids`` (those cached): the next command on
        each is decided on its state read from the store."""
        cache = self._store.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregate_ids:
            with contextlib.suppress(KeyError):
                cache.get(aggregate_id, evict=True)

    def _context(self, actor: str, command_id: UUID | None) -> DecisionContext:
        return DecisionContext(
            actor=actor,
            now=check_aware("clock", self._clock()),  # self.now(), a call less a command
            new_id=self._new_id,
            command_id=command_id,
        )

    def _command_id(self, given: UUID | None) -> UUID:
        """The command's identity: the caller's, or a new one (so that an unknown outcome,
        such as a connection lost during the commit, can be looked up, never guessed)."""
        return self._new_id() if given is None else check_uuid("command_id", given)

    def _needs(
        self, command: c.Command, state: Any, ctx: DecisionContext, read: Read
    ) -> DecisionContext:
        """The context, with what the decision needs from other aggregates (decide stays
        pure): the programme's relationships when a participant is withdrawn, the one a
        reminder is about, the people
        enrolled in the programme when a meeting names attendees (at its date) or a
        correction moves a meeting (at the new date). Each aggregate read is put in
        ``read`` at the version read: the store refuses the events if it moved on since."""
        if isinstance(command, c.WithdrawParticipant) and isinstance(state, ProgrammeState):
            dated = _aware(ctx.now if command.occurred_at is None else command.occurred_at)
            withdrawing = None if dated is None else (command.person_id, dated)
            refs = self._relationship_refs(state.relationship_ids, read, withdrawing)
            return attrs.evolve(ctx, relationships=refs)
        if isinstance(command, c.IssueReminder) and isinstance(state, ProgrammeState):
            named = command.relationship_id  # checked by the decision; loaded if it is here
            about = (named,) if named in state.relationship_ids else ()
            return attrs.evolve(ctx, relationships=self._relationship_refs(about, read))
        if isinstance(command, c.RecordMeetingHeld) and command.attendees:
            # enrolled when the meeting took place
            at: object = ctx.now if command.occurred_at is None else command.occurred_at
        elif isinstance(command, c.CorrectMeetingRecord) and command.held_at is not None:
            at = command.held_at  # where the correction moves the meeting to
        else:
            return ctx
        if not isinstance(state, RelationshipState) or state.programme_id is None:
            return ctx
        if _aware(at) is None:
            return ctx  # refused by the decision, naming the field
        programme = self._read_programme(state.programme_id, read)
        return _with_enrolled(ctx, programme, at)

    def _relationship_refs(
        self,
        ids: Iterable[UUID],
        read: Read,
        withdrawing: tuple[object, datetime] | None = None,
    ) -> tuple[RelationshipRef, ...]:
        """The relationships ``ids`` as a programme decision knows them, each put in
        ``read``; ``withdrawing`` (a person and the withdrawal's date): with the latest
        meeting each names that the person attended besides the pair, read from the whole
        state of those alone whose ``attended_until`` says one may be dated on or after
        the withdrawal."""
        refs = []
        for r in (self._load(RELATIONSHIP, i, whole=False) for i in ids):
            relationship_id = r.relationship_id
            if relationship_id is None:
                continue
            read[relationship_id] = (RELATIONSHIP, r.version)
            refs.append(
                RelationshipRef(
                    relationship_id=relationship_id,
                    mentor_id=r.mentor_id,
                    mentee_id=r.mentee_id,
                    status=str(r.status),
                    opened_at=r.proposed_at,
                    closed_at=r.closed_at,
                    last_attended=self._last_attended(r, relationship_id, withdrawing),
                )
            )
        return tuple(refs)

    def _last_attended(
        self,
        state: RelationshipState,
        relationship_id: UUID,
        withdrawing: tuple[object, datetime] | None,
    ) -> dict[str, Attendance]:
        """What :meth:`_relationship_refs` says of one relationship, ``state`` without its
        history: where its bound reaches the withdrawal, the whole state's answer."""
        until = state.attended_until
        if withdrawing is None or until is None:
            return {}
        person, at = withdrawing
        pair = (state.mentor_id, state.mentee_id)
        if not isinstance(person, str) or person in pair or until < at:
            return {}
        whole: RelationshipState = self._load(RELATIONSHIP, relationship_id)
        meeting = whole.last_attended(person)
        if meeting is None:
            return {}
        return {person: Attendance(meeting_id=meeting.meeting_id, held_at=meeting.occurred_at)}

    def find_command(self, aggregate_id: UUID, command_id: UUID) -> Recorded | None:
        """What the command ``command_id`` recorded on the programme or relationship
        ``aggregate_id`` (as a retry of it is answered: ``already_recorded``), or None if
        it recorded nothing there; at a cost that does not grow with the history."""
        check_uuid("aggregate_id", aggregate_id)
        found = self._recorded_before(
            aggregate_id, check_uuid("command_id", command_id), None, aggregate_id
        )
        if found is None:
            return None
        held = (  # the first command that records such events and holds a created id
            _held_id(command, found.events[0])
            for command, types in _RECORDS.items()
            if all(isinstance(e, types) for e in found.events)
        )
        created = next((i for i in held if i is not None), None)
        return found if created is None else attrs.evolve(found, id=created)

    def _recorded_before(
        self, aggregate_id: UUID, command_id: UUID | None, after: int | None, created: UUID
    ) -> Recorded | None:
        """The events an earlier attempt of this command stored, if ``command_id`` shows one.

        Looks among the aggregate's events after version ``after`` (all when None), by the
        command ids kept beside their links (:meth:`ChainedRecorder.command_versions`),
        reading only the events they name, and those whose command is not kept yet (given
        no id, imported, or stored before ids were kept), whose commands it then keeps:
        a command with its own
        id costs the same on a relationship of 10,000 events as on one of 10. With
        ``trust_snapshots=False`` the kept ids are not trusted: every event is read.
        """
        if command_id is None:
            return None
        check_uuid("command_id", command_id)
        if self.trust_snapshots:
            found = self._found_by_kept_ids(aggregate_id, command_id, after or 0)
        else:  # the ids kept beside the links are derived data, trusted no more than snapshots
            read = cast(Iterable[Event], self._store.events.get(aggregate_id, gt=after or None))
            found = [e for e in read if e.command_id == command_id]
        if not found:
            return None
        return Recorded(
            id=created,
            aggregate_id=aggregate_id,
            version=found[-1].version,
            events=tuple(found),
            command_id=command_id,
            already_recorded=True,
        )

    def _found_by_kept_ids(self, aggregate_id: UUID, command_id: UUID, after: int) -> list[Event]:
        """The aggregate's events after version ``after`` that ``command_id`` recorded,
        found by the ids kept beside their links; the events whose command is not kept
        are read, and their commands kept."""
        recorder = self._store.recorder
        # every version whose command is not known, not those after ``after`` alone: noting
        # them moves the noted version to the highest, which says every link up to it keeps
        # one, the links at or before ``after`` too
        named, unknown = recorder.command_versions(aggregate_id, command_id, 0)
        named = [v for v in named if v > after]
        # the id beside a link is outside its hash: only the event itself says its command
        found = [e for e in self._events_at(aggregate_id, named) if e.command_id == command_id]
        for start in range(0, len(unknown), _NOTED_AT_ONCE):  # a page at a time: an import's
            read = self._events_at(aggregate_id, unknown[start : start + _NOTED_AT_ONCE])
            recorder.note_commands(
                aggregate_id, {e.version: e.command_id or NO_COMMAND for e in read}
            )
            found += [e for e in read if e.command_id == command_id and e.version > after]
        return sorted(found, key=lambda e: e.version)

    def _events_at(self, aggregate_id: UUID, versions: Sequence[int]) -> list[Event]:
        """The aggregate's events at ``versions`` (ascending), read in one range."""
        if not versions:
            return []
        wanted = set(versions)
        read = self._store.events.get(aggregate_id, gt=versions[0] - 1, lte=versions[-1])
        return [e for e in cast(Iterable[Event], read) if e.version in wanted]

    def _load(
        self, kind: Kind, aggregate_id: UUID, version: int | None = None, *, whole: bool = True
    ) -> Any:
        """The aggregate's state now, or as of ``version``; ``whole=False``: without its
        history (:meth:`Decider.without_history`), from a snapshot and the repository's cache,
        at a cost that does not grow with the history."""
        check_uuid(f"{kind.name}_id", aggregate_id)
        if version is not None:
            check_int("version", version, 1, MAX_NUMBER)
        if whole and kind.leaves_out_history:
            return self._whole_state(kind, aggregate_id, version)
        project = self._loading(kind, aggregate_id, version)
        if not self.trust_snapshots:
            return self._fold_events(kind, aggregate_id, version)
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
            self._pass_over(aggregate_id)
            state = self._fold_events(kind, aggregate_id, version)
        except _UntrustedSnapshot as refused:
            _log.warning(
                "refused the snapshot of %s %s at version %s: %s; folding its events instead",
                kind.name,
                aggregate_id,
                refused.args[0],
                refused.args[1],
            )
            self._pass_over(aggregate_id)
            state = self._fold_events(kind, aggregate_id, version)
        if not isinstance(state, type(kind.initial)):  # the cache holds both kinds
            raise NotFound(kind.name, aggregate_id)
        state = kind.without_history(state)
        if version is None:
            self._remember(aggregate_id, state)
        return state

    def _whole_state(self, kind: Kind, aggregate_id: UUID, version: int | None) -> Any:
        """The whole state, history and all: folded from every event, since snapshots hold
        states without their history; the last one read is kept, and brought up to date
        with the events recorded after it."""
        if version is not None or not self.trust_snapshots:
            return self._fold_events(kind, aggregate_id, version)
        try:
            kept = self._wholes.get(aggregate_id)
        except KeyError:
            kept = None
        if kept is not None and not self._kept_open(aggregate_id, whole=True):
            kept = None
        newer = self._store.events.get(aggregate_id, gt=kept.version if kept else None)
        state = self._noting(aggregate_id, None, _projector(kind, aggregate_id))(kept, newer)
        if not isinstance(state, type(kind.initial)):
            raise NotFound(kind.name, aggregate_id)
        self._wholes.put(aggregate_id, state)
        return state

    def _fold_events(self, kind: Kind, aggregate_id: UUID, version: int | None) -> Any:
        """The state folded from every event up to ``version``: no snapshot, no cache (whose
        texts' people are noted when it is the state now, which a caller may keep)."""
        state = self._noting(aggregate_id, version, _projector(kind, aggregate_id))(
            None, self._store.events.get(aggregate_id, lte=version)
        )
        if not isinstance(state, type(kind.initial)):
            raise NotFound(kind.name, aggregate_id)
        return state

    def _loading(
        self, kind: Kind, aggregate_id: UUID, version: int | None
    ) -> Callable[[Any, Iterable[Any]], Any]:
        """The fold :meth:`_load` gives eventsourcing's repository (snapshots checked, the
        texts' people noted); the state now (``version`` None) the repository's cache keeps
        is first dropped if it may no longer be used (:meth:`_kept_open`)."""
        if version is None:
            self._kept_open(aggregate_id, whole=False)
        project = _projector(kind, aggregate_id, self._check_snapshot)
        return self._noting(aggregate_id, version, project)

    def _check_snapshot(self, snapshot: Snapshot) -> None:
        """Refuse a snapshot that does not name the stored chain link of its version."""
        link = self._store.recorder.link_of(snapshot.aggregate_id, snapshot.version)
        if link is None or snapshot.chain_hash != link:
            why = (
                "no event is chained at its version"
                if link is None
                else "it records no chain hash"
                if snapshot.chain_hash is None
                else f"it records chain hash {snapshot.chain_hash}, the stored link is {link}"
            )
            raise _UntrustedSnapshot(snapshot.version, why)

    def _remember(self, aggregate_id: UUID, state: Any) -> None:
        """Keep the newest state, already :meth:`Decider.without_history`, in the
        repository's cache.

        eventsourcing fast-forwards a cached aggregate by mutating it in place; our
        states are immutable, so the fast-forwarded state must be put back.
        """
        cache = self._store.repository.cache
        if cache is not None:
            cache.put(aggregate_id, state)

    def _remember_after(
        self, kind: Kind, aggregate_id: UUID, state: Any, events: Sequence[Event]
    ) -> tuple[Any, tuple[Event, ...]]:
        """Keep ``state`` after its aggregate's own of ``events`` (just stored) in the
        cache, without its history: the next command on it is decided on it. That new
        state, and those events."""
        own = tuple(e for e in events if e.aggregate_id == aggregate_id)
        new_state = (
            kind.fold(state, own, without_history=True) if own else kind.without_history(state)
        )
        self._remember(aggregate_id, new_state)
        return new_state, own

    def _open(
        self,
        command: c.OpenRelationship,
        asker: Asker,
        expected_version: int | None,
        command_ids: tuple[UUID | None, UUID],
    ) -> Recorded:
        """Open a relationship: decided with its programme, stored with the programme's record.

        ``command_ids``: the id the caller gave (if any) and the command's own."""
        given, command_id = command_ids
        actor, principal = asker
        programme_id = check_uuid("programme_id", command.programme_id)
        relationship_id = check_uuid("relationship_id", command.relationship_id)
        if relationship_id == programme_id:  # both are written: one key, two kinds
            raise _a_programme_s_id(relationship_id)
        programme: ProgrammeState = self._load(PROGRAMME, programme_id)
        others = tuple(self._load(RELATIONSHIP, r, whole=False) for r in programme.relationship_ids)
        # Looked for after reading what the command is decided on: an earlier attempt
        # stored before is found here, one stored after makes the insert clash (and is
        # found then), so a retry is never refused by what its first attempt recorded.
        earlier = self._recorded_before(relationship_id, given, None, relationship_id)
        if earlier is not None:
            return _retry_answer(command, self._with_the_rest(earlier, {programme_id: None}))
        if principal is not None:  # on the programme written: it must not move on meanwhile
            _allowed(principal, command, programme)
        ctx = self._context(actor, command_id)
        if expected_version:  # a version of what is stored there, if anything is: named so
            self._refuse_a_stored_id(command, programme, ctx, others)
        _check_expected(RELATIONSHIP, relationship_id, expected_version, 0)
        events = decide_pairing(command, programme, RELATIONSHIP.initial, ctx, others)
        expected: dict[UUID, tuple[Kind, int]] = {
            relationship_id: (RELATIONSHIP, 0),
            programme_id: (PROGRAMME, programme.version),
        }
        try:
            recorded = self._record(
                events,
                expected,
                RELATIONSHIP.initial,
                relationship_id,
                command_id,
                keyed=given is not None,
            )
        except ConcurrencyConflict:
            self._refuse_a_stored_id(command, programme, ctx, others)
            raise
        if not recorded.already_recorded:  # the programme's next command decides on it
            self._remember_after(PROGRAMME, programme_id, programme, events)
        return _retry_answer(command, recorded)

    def _refuse_a_stored_id(
        self,
        command: c.OpenRelationship,
        programme: ProgrammeState,
        ctx: DecisionContext,
        others: Sequence[RelationshipState],
    ) -> None:
        """Refuse an opening whose clash is with what is already stored under its
        relationship id, as deciding on that would (a retry could never succeed); return
        if the clash was another's (a new relationship id, a programme moved on)."""
        relationship_id = check_uuid("relationship_id", command.relationship_id)
        stored = self._stored_kind(relationship_id)
        if stored is PROGRAMME:
            raise _a_programme_s_id(relationship_id) from None
        if stored is RELATIONSHIP:
            existing = self._load(RELATIONSHIP, relationship_id, whole=False)
            decide_pairing(command, programme, existing, ctx, others)  # raises, naming it

    def _group_session(
        self,
        command: c.RecordGroupSession | c.CorrectGroupSession,
        asker: Asker,
        expected_version: int | None,
        command_ids: tuple[UUID | None, UUID],
        whole: bool,
    ) -> Recorded:
        """:meth:`_group_session_once`, once more if the programme it read moved on; no
        ``expected_version`` may be given."""
        if expected_version is not None:
            raise InvalidValue(
                "expected_version",
                expected_version,
                "None for a group session (each relationship present is decided at the "
                "version read, and a concurrent change to any refuses it)",
            )
        return _again_if_read_moved(
            lambda: self._group_session_once(command, asker, command_ids, whole)
        )

    def _group_session_once(
        self,
        command: c.RecordGroupSession | c.CorrectGroupSession,
        asker: Asker,
        command_ids: tuple[UUID | None, UUID],
        whole: bool,
    ) -> Recorded:
        """Record a group session (a meeting on every relationship present), or correct
        one (a correction on each), in one transaction.

        ``command_ids``: the id the caller gave (if any) and the command's own; ``whole``:
        the relationships are loaded whole (to correct, or the caller gave the session's
        id, from which each meeting's id is derived, so only their histories show it
        unused)."""
        given, command_id = command_ids
        actor, principal = asker
        programme: ProgrammeState = self._load(
            PROGRAMME, check_uuid("programme_id", command.programme_id)
        )
        ids = check_sequence("relationship_ids", command.relationship_ids)
        session_id = check_uuid("session_id", command.session_id)
        first = check_uuid("relationship_ids[0]", ids[0])
        states = tuple(
            self._load(RELATIONSHIP, check_uuid(f"relationship_ids[{i}]", r), whole=whole)
            for i, r in enumerate(ids)
        )
        earlier = self._recorded_before(first, given, None, session_id)  # after, as in _open
        if earlier is not None:
            rest = {s.relationship_id: None for s in states[1:]}
            return _retry_answer(command, self._with_the_rest(earlier, rest))
        if principal is not None:  # on the programme read: it must not move on meanwhile
            _allowed(principal, command, programme)
            for state in states:  # else the domain's refusal would say who mentors it
                _allowed(principal, AuthorisedRead.RELATIONSHIP, programme, state)
        ctx = self._context(actor, command_id)
        if isinstance(command, c.RecordGroupSession):
            held = _with_enrolled(ctx, programme, command.occurred_at or ctx.now)
            events = decide_group_session(command, programme, states, held)
        else:  # the attendees were enrolled at the time the meetings move to, if they move
            moved = _with_enrolled(ctx, programme, command.held_at)
            events = decide_group_correction(command, programme, states, moved)
        expected: dict[UUID, tuple[Kind, int]] = {
            s.relationship_id: (RELATIONSHIP, s.version)
            for s in states
            if s.relationship_id is not None
        }
        read: Read = {}  # the programme, for who was enrolled: refused if it moved on
        if programme.programme_id is not None:
            read[programme.programme_id] = (PROGRAMME, programme.version)
        recorded = self._record(
            events, expected, states[0], session_id, command_id, keyed=given is not None, read=read
        )
        if recorded.already_recorded:  # an earlier attempt, stored while this one decided
            return _retry_answer(command, recorded)
        for state in states[1:]:  # the first's new state is cached by _record
            assert state.relationship_id is not None
            self._remember_after(RELATIONSHIP, state.relationship_id, state, events)
        return recorded

    def _with_the_rest(self, earlier: Recorded, after: Mapping[UUID, int | None]) -> Recorded:
        """``earlier`` (what an earlier attempt of a command stored in one aggregate) with
        what it stored in the others it wrote (each read after the version given): a retry
        is answered with all of it, as the first attempt was."""
        found = (self._recorded_before(a, earlier.command_id, v, a) for a, v in after.items())
        more = tuple(e for others in found if others is not None for e in others.events)
        return attrs.evolve(earlier, events=earlier.events + more)

    def _record(
        self,
        events: Sequence[Event],
        expected: dict[UUID, tuple[Kind, int]],
        state: S,
        created: UUID,
        command_id: UUID | None,
        *,
        keyed: bool,
        read: Read | None = None,
    ) -> Recorded:
        """Store ``events`` in one transaction; ``expected``'s first aggregate is the commanded one.

        ``expected`` maps every aggregate written to its kind and the version the
        command was decided at; a clash on any of them is a :class:`ConcurrencyConflict`,
        unless the clash is this very command recorded by an earlier attempt whose
        acknowledgement was lost (same ``command_id``). ``keyed``: the command's id was
        given (by the caller, or made from a reminder's id), and is kept beside its
        events' links, in the index that finds it at once; a command the service gave an
        id is written without it (one index page less to write and sync a commit: with
        it, recording on SQLite fell from 0.79 to 0.72 of plain eventsourcing), its id
        kept the first time a command with an id looks among its aggregate's events
        (:meth:`_found_by_kept_ids`).
        """
        commanded = next(iter(expected))
        kept: dict[str, Any] = {COMMAND_IDS_KWARG: [e.command_id for e in events]} if keyed else {}
        if read:
            kept[READ_VERSIONS_KWARG] = {a: version for a, (_, version) in read.items()}
        try:
            recordings = self._put(events, kept, expected)
        except ReadVersionMoved as moved:
            kind = (read or {})[moved.aggregate_id][0]
            raise ConcurrencyConflict(
                kind.name, moved.aggregate_id, moved.read, moved.stored, read=True
            ) from None
        except (IntegrityError, OperationalError, InterfaceError) as error:
            # The outcome is known only by looking: an insert retried after a lost
            # connection meets its own first attempt, which may have been committed.
            decided_at = expected[commanded][1]
            earlier = self._recorded_before(commanded, command_id, decided_at, created)
            if earlier is not None:
                # The store holds the earlier attempt's events, not these, and perhaps
                # others recorded meanwhile: no cached state of those written is known good.
                self._forget(expected)
                rest = {a: version for a, (_, version) in expected.items() if a != commanded}
                return self._with_the_rest(earlier, rest)
            if not isinstance(error, IntegrityError):
                raise
            raise self._conflict(expected, error) from None
        new_state, own = self._remember_after(expected[commanded][0], commanded, state, events)
        self._snapshot(state.version, new_state, own[-1])
        return Recorded(
            id=created,
            aggregate_id=commanded,
            version=own[-1].version,
            events=tuple(events),
            positions=tuple(r.notification.id for r in recordings),
            command_id=command_id,
        )

    def _put(
        self, events: Sequence[Event], kept: dict[str, Any], written: Iterable[UUID]
    ) -> Sequence[Any]:
        """Store ``events`` in one transaction (``kept``: what the recorder keeps beside
        them), noting whose keys sealed their texts: the kept states of the aggregates
        ``written`` will hold those texts (:meth:`_kept_open`). Their recordings."""
        store = self._store
        recordings, sealed = store.keys.sealing(store.events.put, events, **kept)
        for aggregate_id in written:
            self._opened.note(aggregate_id, sealed)
        return recordings

    def _stored_kind(self, aggregate_id: UUID) -> Kind | None:
        """The kind of the aggregate stored under ``aggregate_id``, by its first record."""
        first = self._store.recorder.select_events(aggregate_id, limit=1)
        return kind_of_topic(first[0].topic) if first else None

    def _pass_over(self, aggregate_id: UUID) -> None:
        """Remember that ``aggregate_id``'s latest snapshot was passed over, forgetting the
        aggregate passed over longest ago beyond :data:`_PASSED_OVER_KEPT`."""
        passed_over = self._passed_over
        passed_over.pop(aggregate_id, None)  # then added last (no lock: each call is atomic)
        passed_over[aggregate_id] = None
        while len(passed_over) > _PASSED_OVER_KEPT:
            passed_over.popitem(last=False)

    def _snapshot(self, previous_version: int, state: S, last: Event) -> None:
        """Store a snapshot of ``state`` when it crossed a multiple of the snapshot interval,
        or when the aggregate's latest snapshot was passed over."""
        interval = self._snapshot_interval
        snapshots = self._store.snapshots
        if interval is None or snapshots is None:
            return
        passed_over = last.aggregate_id in self._passed_over
        if previous_version // interval == state.version // interval and not passed_over:
            return
        try:
            clean = self._clean_to_snapshot(state, last)
            if clean is None:
                return
            state, people = clean
            snapshot = Snapshot(
                aggregate_id=last.aggregate_id,
                version=last.version,
                taken_at=last.recorded_at,
                state=state,
                chain_hash=self._store.recorder.link_of(last.aggregate_id, last.version),
            )
            snapshots.put([cast(Any, snapshot)])
            self._passed_over.pop(last.aggregate_id, None)
            self._after_snapshot(last, people)
        except (InvalidValue, PersistenceError, StoredEventError, StoreConfigurationError) as error:
            # Derived data, taken after the command's events were committed: too large to
            # read back, or a store that failed meanwhile (a connection cut), must not turn
            # a recorded command into an error, which a caller without a command id would
            # retry, recording it twice. The next crossing of the interval takes one.
            _log.warning(
                "skipped the snapshot of %s at version %s: %s",
                last.aggregate_id,
                last.version,
                error,
            )

    def _clean_to_snapshot(self, state: S, last: Event) -> tuple[S, frozenset[str]] | None:
        """``state`` (at ``last``) to be written as a snapshot, with the people whose keys
        opened its texts, if the key store (read now, not the cache) holds none of their
        keys destroyed: the people noted for it, and, if it was read from a snapshot
        (whose texts' people are not known), everyone it names. Else it may hold texts of
        a person erased since it was read: the kept states are dropped, and the state is
        folded again from the events with the keys as the store holds them now, kept and
        returned if none of its keys is destroyed (None if one is: no snapshot)."""
        aggregate_id, keys = last.aggregate_id, self._store.keys
        people, complete = self._opened.known(aggregate_id)
        named = people if complete else people | named_people(state)
        erased = keys.destroyed(named)  # their rows cached afresh: a fold opens none
        if not erased:
            return state, named
        if people.intersection(erased):  # opened with a key destroyed since: an erasure
            self._forget_erased()  # in another process, honoured here at once
        else:
            self._forget_aggregate(aggregate_id)
        kind = kind_of(last)
        rebuilt, opened = keys.sealing(
            lambda: kind.without_history(self._fold_events(kind, aggregate_id, last.version))
        )
        erased = keys.destroyed(opened)
        if erased:  # destroyed between the two reads: the next command takes one
            _log.warning(
                "skipped the snapshot of %s at version %s: it holds texts of %s, erased",
                aggregate_id,
                last.version,
                ", ".join(erased),
            )
            return None
        self._opened.note(aggregate_id, opened)
        self._remember(aggregate_id, rebuilt)
        return rebuilt, frozenset(opened)

    def _after_snapshot(self, last: Event, people: frozenset[str]) -> None:
        """Check, once the snapshot at ``last`` is written, that the keys of ``people``
        (whose texts it holds) are still live: one destroyed meanwhile was an erasure in
        another process, whose dropping of every snapshot may have run before this one
        was written. The store's snapshots are then dropped again (the erasure's clean-up:
        ``KeyStore.scrub``), with the states kept here."""
        erased = self._store.keys.destroyed(people)
        if not erased:
            return
        self._forget_erased()
        notes = self._store.keys.store.scrub()
        _log.warning(
            "dropped every snapshot again: %s erased while the snapshot of %s at version %s "
            "was written%s",
            ", ".join(erased),
            last.aggregate_id,
            last.version,
            "".join(f"; {note}" for note in notes),
        )

    def _conflict(
        self, expected: dict[UUID, tuple[Kind, int]], refusal: IntegrityError
    ) -> MentoringError:
        """Which aggregate moved on while the command was being decided, and to which version;
        or, for a new aggregate, that its id is already another kind's (never retryable); or,
        none having moved on, that the store's ``refusal`` was for something else stored
        around the library (a link holding the next position): no retry gets past that."""
        for aggregate_id, (kind, version) in expected.items():
            latest = list(self._store.recorder.select_events(aggregate_id, desc=True, limit=1))
            actual = latest[0].originator_version if latest else 0
            if actual != version:
                other = self._stored_kind(aggregate_id) if version == 0 else kind
                if other is not kind:
                    held = "records of an unknown type" if other is None else f"a {other.name}"
                    return InvalidValue(kind.id_field, aggregate_id, f"a new id, not {held}'s")
                return ConcurrencyConflict(kind.name, aggregate_id, version, actual, decided=True)
        aggregate_id, (kind, version) = next(iter(expected.items()))
        return MentoringError(
            f"the store refused the events of {kind.name} {aggregate_id} from version "
            f"{version + 1}, although no other writer stored any first ({refusal}): its log "
            "or chain was changed around the library, and mentoring audit verify (or "
            "MentoringService.verify) names where; nothing was recorded"
        )


def _with_enrolled(ctx: DecisionContext, programme: ProgrammeState, at: object) -> DecisionContext:
    """``ctx`` with the people enrolled in ``programme`` at ``at`` (as it is if ``at`` is
    no time with a zone: the decision refuses it, naming its field)."""
    moment = _aware(at)
    if moment is None:
        return ctx
    return attrs.evolve(ctx, enrolled=_enrolled_at(programme, moment))


def _check_call(
    command: object, actor: str, expected_version: int | None, principal: Principal | None
) -> None:
    """Refuse what :meth:`MentoringService.execute` cannot take, before reading the store:
    no command, an ``expected_version`` out of range, an ``actor`` other than the
    ``principal``'s subject (the policy would allow one person and record another)."""
    if not isinstance(command, c.Command):
        raise InvalidValue("command", command, "a mentoring_core command")
    if expected_version is not None:  # checked before it is used to read the store
        check_int("expected_version", expected_version, 0, MAX_NUMBER)
    if principal is not None and actor != principal.subject:
        raise InvalidValue(
            "actor",
            actor,
            f"the subject of the principal it is executed for, {principal.subject!r}",
        )


def _allowed(
    principal: Principal,
    action: Action,
    programme: ProgrammeState | None,
    relationship: RelationshipState | None = None,
) -> None:
    """Refuse ``action`` (:class:`NotAllowed`) unless the policy lets ``principal`` do it
    (record a command, read what a command names), given those states."""
    answer = may(principal, action, programme=programme, relationship=relationship)
    if isinstance(answer, Refused):
        raise NotAllowed(answer.reason, conceal=answer.conceal)


def _again_if_read_moved(attempt: Callable[[], Recorded]) -> Recorded:
    """``attempt()``, and once more if the store refused it because an aggregate the
    decision read moved on since (a :class:`ConcurrencyConflict` with ``read``): the
    second attempt reads it again; a conflict on what it writes is raised at once."""
    try:
        return attempt()
    except ConcurrencyConflict as conflict:
        if not conflict.read:
            raise
    return attempt()


def _reached(state: S, version: int | None) -> S:
    """``state``, read as of ``version``: refused if its history ends before ``version``
    (the state read is then the last one, not the one asked for)."""
    if version is not None and state.version < version:
        raise InvalidValue("version", version, f"a version from 1 to {state.version}")
    return state


def _attempts(expected_version: int | None, *, creating: bool) -> int:
    """How many times a command is decided: given no expected version, again on the
    stored state each time another writer stored first (:data:`_UNCONDITIONAL_ATTEMPTS`
    in all), a creation twice (the id found in use, its rule refuses it: no retry would
    succeed); else once, at the version expected."""
    if expected_version is not None:
        return 1
    return 2 if creating else _UNCONDITIONAL_ATTEMPTS


def _retry_answer(command: c.Command, recorded: Recorded) -> Recorded:
    """``recorded`` as ``command`` is answered: if it was already recorded (by an earlier
    attempt under the command's id), with the id the first answer gave (the one its events
    hold, not one the retry names), and refused if another kind of command recorded it."""
    if not recorded.already_recorded:
        return recorded
    first = recorded.events[0]
    types, name = _records(command)
    if not all(isinstance(e, types) for e in recorded.events):
        raise RuleViolation(
            Rule.UNIQUE_ID,
            f"command id {recorded.command_id} already recorded {type(first).__name__} at "
            f"version {first.version} of {kind_of(first).name} {first.aggregate_id}, not a "
            f"{name}: an id names one command; a new command needs a new command id",
        )
    held = _held_id(type(command), first)
    return recorded if held is None else attrs.evolve(recorded, id=held)


def _records(command: c.Command) -> tuple[tuple[type[Event], ...], str]:
    """The event types ``command`` records (:data:`_RECORDS`), and its name as a refusal
    gives it: an opening proposed records a proposal, one formed at once a formed pair
    (each with the programme's record of the opening)."""
    if isinstance(command, c.OpenRelationship):
        first, how = (
            (ev.PairFormed, "formed") if command.direct else (ev.PairingProposed, "proposed")
        )
        return (first, ev.RelationshipOpened), f"OpenRelationship ({how})"
    return _RECORDS.get(type(command), (Event,)), type(command).__name__


def _held_id(command: type[c.Command], first: Event) -> UUID | None:
    """The id ``command`` created, as the first event it recorded holds it; None if it
    creates none (or that event holds none: a plain meeting has no group session)."""
    field = c.created_field(command)
    held = getattr(first, _CREATED_AS.get(field, field), None) if field else None
    return held if isinstance(held, UUID) else None


def _aware(at: object) -> datetime | None:
    """A command's date as the service reads it to load what the decision needs; None if
    it is no datetime with an offset (the decision refuses it, naming its field): aware
    as datetime defines it, so a zone whose ``utcoffset`` gives None is naive here too."""
    return at if isinstance(at, datetime) and at.utcoffset() is not None else None


def _enrolled_at(programme: ProgrammeState, at: datetime) -> frozenset[str]:
    """The people enrolled in ``programme`` at ``at``."""
    return frozenset(
        p.person_id
        for p in programme.participants
        if p.enrolled_at <= at and (p.withdrawn_at is None or p.withdrawn_at > at)
    )


def _dated(command: C, occurred_at: datetime | None) -> C:
    """``command`` with ``occurred_at`` given to :meth:`MentoringService.execute` set on it."""
    if occurred_at is None or command.occurred_at == occurred_at:
        return command
    if command.occurred_at is not None:
        raise InvalidValue(
            "occurred_at",
            occurred_at,
            f"the command's own occurred_at, {shown(command.occurred_at)}",
        )
    return replaced(command, occurred_at=occurred_at)


def _natural(command: c.Command, given: UUID | None) -> UUID | None:
    """The command id a command is recorded under: its natural one
    (:func:`.domain.commands.natural_command_id`), else the one given; a given one that
    is not its natural one is refused."""
    natural = c.natural_command_id(command)
    if natural is None or given in (None, natural):
        return given if natural is None else natural
    raise InvalidValue(
        "command_id",
        given,
        f"none, or {natural}: a {type(command).__name__} is recorded once per reminder, "
        "under an id made from its reminder_id",
    )


def _new_ids(command: C, command_id: UUID) -> C:
    """``command`` with a new id in the field it declares it creates, if left ``None``.

    The id is derived from the command's own id, so a command retried with the same
    ``command_id`` names the same new thing, and is recognised as already recorded.
    """
    creates = c.created_field(type(command))
    if creates is None or getattr(command, creates) is not None:
        return command
    fresh: dict[str, Any] = {creates: uuid5(command_id, creates)}
    return replaced(command, **fresh)


def _a_programme_s_id(relationship_id: UUID) -> InvalidValue:
    """The refusal of a new relationship under a programme's id (one key, two kinds)."""
    return InvalidValue("relationship_id", relationship_id, "a new id, not a programme's")


def _check_expected(kind: Kind, aggregate_id: UUID, expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise ConcurrencyConflict(kind.name, aggregate_id, expected, actual)
