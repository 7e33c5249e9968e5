"""The reminder process: one run over a programme (:func:`remind`), and runs on every
change in the event feed and every tick of the clock (:func:`follow_reminders`).

Each reminder is recorded before it is sent and marked after: ``ReminderIssued``, then
the notifier, then ``ReminderSent``. A run first sends again what an interrupted run
issued on its channel and did not mark, under the same id: delivery is at least once,
with a stable id the receiver can drop a repeat by, and a repeat is visible in the record
(``after_interruption``). See ``docs/cli.md``, "Reminders".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

import attrs

from ..application import MentoringService
from ..domain.commands import reminder_command_id
from ..domain.errors import ConcurrencyConflict, MentoringError, Rule, RuleViolation
from ..domain.events import ReminderAbandoned, ReminderIssued, ReminderSent
from ..domain.personal import ERASED
from ..domain.programme import ProgrammeState
from ..domain.relationship_state import RelationshipState
from ..domain.validation import check_actor, check_int, check_now, check_seconds, check_uuid
from ..projections import MAX_WINDOW_DAYS, due
from ..projections._due import check_within_days
from ..store import Held
from ._rules import Notice, Reminder, notice, owed, quiet


class NotSent(Exception):
    """A notifier could not hand a reminder over; it stays issued and unsent, and the
    next run tries again."""


class Notifier(Protocol):
    """Where reminders go: an adapter (e-mail, webhooks) with a channel name."""

    @property
    def channel(self) -> str:
        """The channel's name as recorded (``email``, ``webhook``)."""
        ...

    def reaches(self, address: str | None) -> bool:
        """Whether a person with this recorded contact (None: none) can be reached."""
        ...

    def send(self, notice: Notice) -> None:
        """Hand the reminder over, or raise :class:`NotSent` saying why."""
        ...


@attrs.frozen(kw_only=True)
class Run:
    """What one run did."""

    issued: tuple[UUID, ...] = ()
    sent: tuple[UUID, ...] = ()
    """Reminders handed over and recorded as sent (including those sent again)."""
    sent_again: tuple[UUID, ...] = ()
    """Reminders an interrupted run had issued and not marked, sent again."""
    unreachable: tuple[str, ...] = ()
    """People owed a reminder, or left one unsent, with no contact the notifier can use
    (none recorded, or erased since): nothing issued or sent to them."""
    failed: tuple[str, ...] = ()
    """Why reminders could not be sent (they stay issued; the next run tries again); and
    any handed over while a coordinator abandoned it, whose sending cannot be recorded."""
    left_unsent: tuple[UUID, ...] = ()
    """Reminders issued on another channel and not yet sent: left for a run on theirs,
    since a reminder is recorded with the channel that sends it."""
    busy: bool = False
    """Another run of the programme's reminders was in progress (in this process or
    another, on this store): this one read, recorded and sent nothing."""


_T = TypeVar("_T")
_ATTEMPTS = 5
_JOIN_SECONDS = 5.0
"""Longest :func:`follow_reminders` waits, once stopped, for its feed reader to end."""
_log = logging.getLogger(__name__)


def _retrying(record: Callable[[], _T]) -> _T:
    """Record, deciding again when another writer moved the programme on meanwhile."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return record()
        except ConcurrencyConflict:
            continue
    return record()


@attrs.define
class _Sender:
    """One run's recording and sending, and what it did."""

    service: MentoringService
    notifier: Notifier
    programme: ProgrammeState
    actor: str
    pairs: dict[UUID, RelationshipState]
    """The programme's relationships as loaded for the run; one formed since is loaded
    when a reminder needs it."""
    issued: list[UUID] = attrs.Factory(list)
    sent: list[UUID] = attrs.Factory(list)
    sent_again: list[UUID] = attrs.Factory(list)
    unreachable: list[str] = attrs.Factory(list)
    failed: list[str] = attrs.Factory(list)
    left_unsent: list[UUID] = attrs.Factory(list)

    @property
    def programme_id(self) -> UUID:
        assert self.programme.programme_id is not None
        return self.programme.programme_id

    def address(self, person_id: str) -> str | None:
        """The person's contact as the programme records it now, not as it was when the run
        began: an erasure made meanwhile is honoured as the service honours it (at once in
        this process, within ``KEY_CACHE_SECONDS`` from another; docs/privacy.md, Keys)."""
        return _address(self.service.programme(self.programme_id), person_id)

    def reachable(self, person_id: str) -> bool:
        """Whether the notifier can reach the person by their recorded contact (if not,
        they are listed as unreachable)."""
        if self.notifier.reaches(self.address(person_id)):
            return True
        self.unreachable.append(person_id)
        return False

    def issue(self, reminder: Reminder) -> ReminderIssued | None:
        """Record the reminder as issued; None if another run issued it meanwhile (or the
        person cannot be reached)."""
        if not self.reachable(reminder.person_id):
            return None
        recorded = _retrying(
            lambda: self.service.issue_reminder(
                self.programme_id,
                reminder.reminder_id,
                reminder.person_id,
                reminder.relationship_id,
                reminder.reason,
                reminder.item,
                reminder.due,
                self.notifier.channel,
                actor=self.actor,
            )
        )
        if recorded.already_recorded:
            return None  # another run issued it meanwhile: that run sends it
        (issued,) = recorded.events
        assert isinstance(issued, ReminderIssued)
        self.issued.append(issued.reminder_id)
        return issued

    def deliver(self, issued: ReminderIssued, *, again: bool) -> None:
        """Send the reminder, then record it as sent; a refusal leaves it unsent."""
        try:
            self.notifier.send(self.notice(issued))
        except NotSent as refused:
            self.failed.append(f"reminder {issued.reminder_id} to {issued.person_id}: {refused}")
            return
        try:
            _retrying(
                lambda: self.service.record_reminder_sent(
                    self.programme_id,
                    issued.reminder_id,
                    after_interruption=again,
                    actor=self.actor,
                )
            )
        except RuleViolation as refused:
            if refused.rule is not Rule.REMINDER_ISSUED:
                raise
            self.failed.append(  # a coordinator gave it up while it was handed over
                f"reminder {issued.reminder_id} to {issued.person_id}: handed over, but "
                "abandoned meanwhile: its sending is not recorded"
            )
            return
        self.sent.append(issued.reminder_id)
        if again:
            self.sent_again.append(issued.reminder_id)

    def notice(self, issued: ReminderIssued) -> Notice:
        """The message of a reminder: its event, the pair, the programme's name, the contact."""
        pair = self.pairs.get(issued.relationship_id)
        if pair is None:
            pair = self.pairs[issued.relationship_id] = self.service.relationship(
                issued.relationship_id
            )
        return notice(
            issued,
            programme_name=self.programme.name,
            mentor_id=pair.mentor_id,
            mentee_id=pair.mentee_id,
            address=self.address(issued.person_id),
        )

    def outcome(self) -> Run:
        return Run(
            issued=tuple(self.issued),
            sent=tuple(self.sent),
            sent_again=tuple(self.sent_again),
            unreachable=tuple(self.unreachable),
            failed=tuple(self.failed),
            left_unsent=tuple(self.left_unsent),
        )


def remind(
    service: MentoringService,
    notifier: Notifier,
    *,
    programme_id: UUID,
    actor: str,
    within_days: int = 2,
    quiet_days: int | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> Run:
    """Send what an earlier run left unsent in the programme, then what is owed now.

    One run of a programme's reminders at a time: a run holds the store's lock
    ``reminders-<programme id>`` (:meth:`~mentoring_core.store.Store.hold`), and a run
    that finds it held, in this process or another, does nothing and says so
    (:attr:`Run.busy`); otherwise two runs would both send what either had in hand. A
    run whose lock is let go while it goes on (its PostgreSQL connection cut:
    :attr:`~mentoring_core.store.Held.lost`) stops before its next reminder with a
    :class:`~mentoring_core.MentoringError` saying so.
    Once ``stop`` is set, the run ends before its next reminder (one begun is recorded,
    sent and marked); what it did not reach, the next run does. ``within_days`` (0 to
    :data:`MAX_WINDOW_DAYS`), ``quiet_days`` (None, or 1 to it), ``now`` (an aware
    moment) and ``actor`` (as every event's) are checked first.
    """
    _check_run(within_days, quiet_days, actor)
    now = None if now is None else check_now(now)
    lock = _run_lock_name(programme_id)
    with service.store.hold(lock) as held:
        if not held:
            return Run(busy=True)
        going_on = _going_on(stop, held, lock)
        return _remind(
            service, notifier, programme_id, actor, within_days, quiet_days, now, going_on
        )


def _run_lock_name(programme_id: UUID) -> str:
    """The name of the store's lock a reminder run of the programme holds
    (:meth:`~mentoring_core.store.Store.hold`)."""
    return f"reminders-{check_uuid('programme_id', programme_id)}"


def _going_on(stop: threading.Event | None, held: Held, lock: str) -> Callable[[], bool]:
    """Whether a run goes on to its next reminder: not once ``stop`` is set; and not if
    its lock ``lock`` was let go meanwhile (its connection to the store cut), which it
    refuses, with the error saying so: another run may have taken the lock, and would
    send what this one has in hand."""

    def going_on() -> bool:
        if held.lost():
            raise MentoringError(
                f"the reminder run stopped: its lock {lock!r} was let go (its connection to "
                "the store was cut), and another run may hold it now; the next run sends "
                "what this one did not"
            )
        return stop is None or not stop.is_set()

    return going_on


def _remind(
    service: MentoringService,
    notifier: Notifier,
    programme_id: UUID,
    actor: str,
    within_days: int,
    quiet_days: int | None,
    now: datetime | None,
    going_on: Callable[[], bool],
) -> Run:
    """:func:`remind`'s run, its lock held, asking ``going_on`` before each reminder."""
    moment = service.now() if now is None else now
    programme = service.programme(programme_id)
    relationships = service.relationships(programme_id)
    sender = _Sender(
        service=service,
        notifier=notifier,
        programme=programme,
        actor=actor,
        pairs={r.relationship_id: r for r in relationships if r.relationship_id is not None},
    )
    for unsent in programme.reminders_unsent:
        if not going_on():
            return sender.outcome()
        if unsent.channel != notifier.channel:
            sender.left_unsent.append(unsent.reminder_id)
        elif sender.reachable(unsent.person_id):  # not if their contact went since (erased)
            sender.deliver(unsent, again=True)
    items = due(service, programme_id=programme_id, within_days=within_days, now=moment)
    for reminder in owed(
        items,
        quiet(relationships),
        now=moment,
        within_days=within_days,
        quiet_days=quiet_days,
        already=_Issued(service, programme_id),
    ):
        if not going_on():
            break
        issued = sender.issue(reminder)
        if issued is not None:
            sender.deliver(issued, again=False)
    return sender.outcome()


class _Issued:
    """The reminders issued in a programme, asked one at a time: each is found by the id
    it was recorded under (:func:`reminder_command_id`), at a cost that does not grow
    with the reminders ever issued (the programme's state no longer holds them)."""

    def __init__(self, service: MentoringService, programme_id: UUID) -> None:
        self._service = service
        self._programme_id = programme_id

    def __contains__(self, reminder_id: object) -> bool:
        if not isinstance(reminder_id, UUID):
            return False
        found = self._service.find_command(self._programme_id, reminder_command_id(reminder_id))
        return found is not None


def _address(programme: ProgrammeState, person_id: str) -> str | None:
    participant = programme.participant(person_id)
    contact = None if participant is None else participant.contact
    return None if contact == ERASED else contact


def _check_run(within_days: object, quiet_days: object, actor: object) -> None:
    """A run's numbers and actor, checked before anything is sent (again) or recorded."""
    check_within_days(within_days)  # as due() checks it
    check_actor("actor", actor)  # as recording checks it, after sending again would be late
    if quiet_days is not None:
        check_int("quiet_days", quiet_days, 1, MAX_WINDOW_DAYS)


def follow_reminders(
    service: MentoringService,
    notifier: Notifier,
    *,
    programme_id: UUID,
    actor: str,
    stop: threading.Event,
    interval: float = 60.0,
    within_days: int = 2,
    quiet_days: int | None = None,
    on_run: Callable[[Run], None] = lambda run: None,
) -> None:
    """Run :func:`remind` now, then again on each change recorded in the store (the
    event feed, whoever writes) and at least every ``interval`` seconds (the clock),
    until ``stop`` is set: the run in progress ends before its next reminder, the wait
    at once. A failed read of the feed is logged and the feed read again (no change is
    missed); an error of a run ends the follow with it. ``interval`` and the runs'
    arguments are checked first, even with ``stop`` already set."""
    check_seconds("interval", interval)
    _check_run(within_days, quiet_days, actor)
    changed = threading.Event()
    start = service.store.recorder.max_notification_id() or 0  # the first run sees what is before
    watcher = threading.Thread(
        target=_watch,
        args=(service, start, stop, changed, min(interval, 0.5)),
        name="reminders-feed",
        daemon=True,
    )
    watcher.start()
    try:
        while not stop.is_set():
            changed.clear()
            on_run(
                remind(
                    service,
                    notifier,
                    programme_id=programme_id,
                    actor=actor,
                    within_days=within_days,
                    quiet_days=quiet_days,
                    stop=stop,
                )
            )
            _wait(changed, stop, interval)
    finally:
        stop.set()
        watcher.join(_JOIN_SECONDS)


def _watch(
    service: MentoringService,
    after: int,
    stop: threading.Event,
    changed: threading.Event,
    poll_interval: float,
) -> None:
    """Set ``changed`` on each event recorded after position ``after``, but the reminders'
    own, until ``stop`` is set. A read that fails (the store busy, the connection lost)
    is logged and the feed followed again, after ``poll_interval`` seconds, from the
    last event seen: no change is missed, and the clock's runs go on meanwhile."""
    while not stop.is_set():
        try:
            for position, event in service.follow(after, stop=stop, poll_interval=poll_interval):
                after = position  # where to resume should a read fail
                if not isinstance(event, ReminderIssued | ReminderSent | ReminderAbandoned):
                    changed.set()
        except Exception as error:
            _log.warning(
                "reading the event feed after position %s failed (%s); reading it again",
                after,
                error,
            )
            stop.wait(poll_interval)


def _wait(changed: threading.Event, stop: threading.Event, interval: float) -> None:
    """Until something changed, ``stop`` is set or ``interval`` seconds pass."""
    step = 0.05
    waited = 0.0
    while waited < interval and not changed.is_set() and not stop.is_set():
        changed.wait(step)
        waited += step
