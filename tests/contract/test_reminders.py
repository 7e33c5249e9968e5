"""Reminders (issue 14, item 2) on every store: each reminder recorded before it is sent
and marked after, none twice, and one interrupted between sending and marking sent
again under the same id, visibly."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import attrs
import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from mentoring_core import InvalidValue, MentoringError, MentoringService
from mentoring_core.audit import verify
from mentoring_core.audit.derived import check_derived
from mentoring_core.domain.commands import reminder_command_id
from mentoring_core.domain.errors import Rule, RuleViolation
from mentoring_core.events import Event, ReminderIssued, ReminderSent
from mentoring_core.extend import CONVERTER
from mentoring_core.reminders import Notice, NotSent, Run, follow_reminders, remind
from mentoring_core.values import Cadence, MeetingFormat, MeetingSchedule, ReminderReason, Role

from .test_service_contract import FIRST_MEETING, seed


class Inbox:
    """A notifier that keeps what it is given (the real ones are tested with real
    servers in the command line's tests); it can refuse, or stop the run after sending
    (as a process killed between sending and recording would)."""

    def __init__(
        self, *, refuse: bool = False, crash_after: int | None = None, channel: str = "webhook"
    ) -> None:
        self.received: list[Notice] = []
        self.refuse = refuse
        self.crash_after = crash_after
        self.channel = channel

    def reaches(self, address: str | None) -> bool:
        return True

    def send(self, notice: Notice) -> None:
        if self.refuse:
            raise NotSent("the receiver is down")
        self.received.append(notice)
        if self.crash_after is not None and len(self.received) >= self.crash_after:
            raise KeyboardInterrupt  # the process dies before it records the reminder sent


@pytest.fixture
def service(store_url: str) -> MentoringService:
    return MentoringService(store_url)


def reminder_events(service: MentoringService, programme: object) -> list[object]:
    return [e for e in service.history(programme) if isinstance(e, ReminderIssued | ReminderSent)]  # type: ignore[arg-type]


def test_each_reminder_is_issued_sent_and_marked_once(service: MentoringService) -> None:
    programme = seed(service).programme
    inbox = Inbox()
    run = remind(service, inbox, programme_id=programme, actor="reminders", within_days=2)
    assert run.issued and run.sent == run.issued and not run.failed
    assert [n.reminder_id for n in inbox.received] == list(run.issued)
    assert {n.person_id for n in inbox.received} == {"ana", "ben"}
    again = remind(service, inbox, programme_id=programme, actor="reminders", within_days=2)
    assert again.issued == again.sent == ()
    logged = reminder_events(service, programme)
    issued = [e.reminder_id for e in logged if isinstance(e, ReminderIssued)]
    sent = [e.reminder_id for e in logged if isinstance(e, ReminderSent)]
    assert issued == sent == list(run.issued)
    assert all(e.actor == "reminders" for e in logged)  # type: ignore[attr-defined]
    assert service.programme(programme).reminders_unsent == ()
    assert verify(service.store.recorder).ok
    service.close()


def test_an_erasure_does_not_make_the_same_reminders_owed_again(
    service: MentoringService,
) -> None:
    programme = seed(service).programme  # its goal is overdue
    inbox = Inbox()
    run = remind(service, inbox, programme_id=programme, actor="reminders", within_days=2)
    assert {n.payload["item"] for n in inbox.received} >= {"goal"}
    service.erase_person("ben", "left the organisation", actor="dpo")  # the goal's title too
    again = remind(service, inbox, programme_id=programme, actor="reminders", within_days=2)
    assert run.issued and again.issued == ()
    service.close()


def test_a_run_interrupted_after_sending_is_sent_again_under_the_same_id(
    service: MentoringService,
) -> None:
    programme = seed(service).programme
    inbox = Inbox(crash_after=2)
    with pytest.raises(KeyboardInterrupt):
        remind(service, inbox, programme_id=programme, actor="reminders")
    interrupted = service.programme(programme).reminders_unsent
    assert [r.reminder_id for r in interrupted] == [inbox.received[1].reminder_id]
    inbox.crash_after = None
    run = remind(service, inbox, programme_id=programme, actor="reminders")
    assert run.sent_again == (inbox.received[1].reminder_id,)
    counts = Counter(n.reminder_id for n in inbox.received)
    issued = {
        e.reminder_id for e in reminder_events(service, programme) if isinstance(e, ReminderIssued)
    }
    assert set(counts) == issued  # none lost
    assert [i for i, n in counts.items() if n > 1] == [inbox.received[1].reminder_id]
    again = [
        e
        for e in reminder_events(service, programme)
        if isinstance(e, ReminderSent) and e.after_interruption
    ]
    assert [e.reminder_id for e in again] == [inbox.received[1].reminder_id]  # visible
    service.close()


def test_a_refused_reminder_stays_issued_and_the_next_run_sends_it(
    service: MentoringService,
) -> None:
    programme = seed(service).programme
    down = Inbox(refuse=True)
    run = remind(service, down, programme_id=programme, actor="reminders")
    assert run.issued and run.sent == () and len(run.failed) == len(run.issued)
    assert "the receiver is down" in run.failed[0]
    up = Inbox()
    later = remind(service, up, programme_id=programme, actor="reminders")
    assert later.issued == () and set(later.sent_again) == set(run.issued)
    assert [n.reminder_id for n in up.received] == list(run.issued)
    service.close()


def test_a_reminder_left_unsent_is_sent_again_on_its_own_channel_only(
    service: MentoringService,
) -> None:
    """A reminder is recorded with its channel: one issued by a webhook run whose receiver
    was down is left for the next webhook run, not sent by e-mail (nor counted as not
    sent by an e-mail run)."""
    programme = seed(service).programme
    down = Inbox(refuse=True)
    first = remind(service, down, programme_id=programme, actor="reminders")
    assert first.issued and first.sent == ()
    email = Inbox(channel="email")
    other = remind(service, email, programme_id=programme, actor="reminders")
    assert email.received == [] and other.sent == () and other.failed == ()
    assert other.left_unsent == first.issued
    unsent = service.programme(programme).reminders_unsent
    assert [(r.reminder_id, r.channel) for r in unsent] == [(i, "webhook") for i in first.issued]
    up = Inbox()
    later = remind(service, up, programme_id=programme, actor="reminders")
    assert [n.reminder_id for n in up.received] == list(first.issued)
    assert set(later.sent_again) == set(first.issued) and later.left_unsent == ()
    service.close()


def test_the_reminder_log_survives_snapshots_and_reopening(store_url: str) -> None:
    service = MentoringService(store_url, snapshot_interval=3)
    programme = seed(service).programme
    inbox = Inbox(crash_after=3)
    with pytest.raises(KeyboardInterrupt):
        remind(service, inbox, programme_id=programme, actor="reminders")
    state = service.programme(programme)
    assert check_derived(service).ok
    if not store_url.startswith("memory"):
        service.close()
        service = MentoringService(store_url, snapshot_interval=3)
    assert service.programme(programme) == state
    assert [r.reminder_id for r in state.reminders_unsent] == [inbox.received[-1].reminder_id]
    service.close()


class FeedFailingOnce(MentoringService):
    """A service whose event feed fails at its first read, as a SQLite store busy past
    its lock timeout under load, or a lost PostgreSQL connection, makes it fail."""

    failed = False

    def follow(self, after: int = 0, **options: Any) -> Iterator[tuple[int, Event]]:
        if not self.failed:
            self.failed = True
            raise OperationalError("database is locked")
        return super().follow(after, **options)


def test_following_survives_a_failed_feed_read_and_reminds_a_new_pair_at_once(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = FeedFailingOnce(store_url)
    programme = seed(service).programme
    inbox, stop, runs = Inbox(), threading.Event(), list[Run]()
    follower = threading.Thread(
        target=follow_reminders,
        args=(service, inbox),
        kwargs={
            "programme_id": programme,
            "actor": "reminders",
            "stop": stop,
            "interval": 300,  # the clock alone would come too late
            "on_run": runs.append,
        },
    )
    follower.start()
    try:
        deadline = time.monotonic() + 10
        while not (runs and service.failed) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert runs and service.failed
        enrolled = FIRST_MEETING - timedelta(days=30)
        for person, role, years in (("cy", Role.MENTOR, 9), ("dee", Role.MENTEE, 1)):
            service.enrol(programme, person, role, years, actor="coord", occurred_at=enrolled)
        service.form_pair(programme, "cy", "dee", actor="coord", occurred_at=enrolled)
        while {"cy", "dee"} - {n.person_id for n in inbox.received} and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
        assert {"cy", "dee"} <= {n.person_id for n in inbox.received}
    finally:
        stop.set()
        follower.join(10)
    assert not follower.is_alive()
    assert len({n.reminder_id for n in inbox.received}) == len(inbox.received)
    assert "reading the event feed after position" in caplog.text  # reported, not silent
    assert "database is locked" in caplog.text
    service.close()


def issue(service: MentoringService, programme: Any, pair: Any, reminder: Any, **kw: Any) -> Any:
    return service.issue_reminder(
        programme,
        reminder,
        kw.pop("person_id", "ana"),
        pair,
        ReminderReason.OVERDUE,
        "goal",
        FIRST_MEETING,
        "webhook",
        actor="reminders",
        **kw,
    )


def test_a_reminder_issued_or_sent_again_is_answered_as_already_recorded(
    service: MentoringService,
) -> None:
    """Each is recorded under an id made from the reminder's id, so a second is answered
    as a retry is (before: refused as `reminder-once`, which needed every id ever issued
    in the programme's state)."""
    seeded = seed(service)
    reminder = uuid4()
    first = issue(service, seeded.programme, seeded.relationship, reminder)
    again = issue(service, seeded.programme, seeded.relationship, reminder, person_id="ben")
    assert again.already_recorded and again.events == first.events
    assert first.command_id == reminder_command_id(reminder)
    sent = service.record_reminder_sent(seeded.programme, reminder, actor="reminders")
    resent = service.record_reminder_sent(seeded.programme, reminder, actor="reminders")
    assert resent.already_recorded and resent.events == sent.events
    assert [type(e).__name__ for e in reminder_events(service, seeded.programme)] == [
        "ReminderIssued",
        "ReminderSent",
    ]
    found = service.find_command(seeded.programme, reminder_command_id(reminder, sent=True))
    assert found is not None and found.events == sent.events
    assert service.find_command(seeded.programme, reminder_command_id(uuid4())) is None
    with pytest.raises(InvalidValue, match="command_id") as refused:
        issue(service, seeded.programme, seeded.relationship, uuid4(), command_id=uuid4())
    assert "reminder_id" in str(refused.value)
    service.close()


def test_the_programme_state_does_not_grow_with_the_reminders_sent(
    service: MentoringService,
) -> None:
    """Its snapshot and its cached copy stay the same size whatever the reminders ever
    sent (before: the id of every reminder issued, for ever)."""
    seeded = seed(service)

    def size_after(reminders: int) -> int:
        for _ in range(reminders):
            reminder = uuid4()
            issue(service, seeded.programme, seeded.relationship, reminder)
            service.record_reminder_sent(seeded.programme, reminder, actor="reminders")
        state = attrs.evolve(service.programme(seeded.programme), version=0)
        return len(json.dumps(CONVERTER.unstructure(state)))

    assert size_after(3) == size_after(30)
    service.close()


def test_a_reminder_is_not_dated_before_its_relationship_was_opened(
    service: MentoringService,
) -> None:
    """A reminder about a relationship dated before the pair was proposed or formed (after
    the programme was created) was recorded: a reminder about a pair that did not exist."""
    seeded = seed(service)
    opened = service.relationship(seeded.relationship).proposed_at
    assert opened is not None
    before = service.programme(seeded.programme).version
    early = opened - timedelta(seconds=1)
    with pytest.raises(RuleViolation) as refused:
        issue(service, seeded.programme, seeded.relationship, uuid4(), occurred_at=early)
    assert refused.value.rule is Rule.TIMELINE
    assert (
        f"IssueReminder dated {early.isoformat()} is before relationship "
        f"{seeded.relationship} was opened on {opened.isoformat()}" in str(refused.value)
    )
    assert service.programme(seeded.programme).version == before
    on_time = issue(service, seeded.programme, seeded.relationship, uuid4(), occurred_at=opened)
    assert not on_time.already_recorded
    service.close()


def test_a_reminder_to_someone_outside_its_relationship_is_refused(
    service: MentoringService,
) -> None:
    """A reminder about a relationship goes to its mentor or mentee: one to another person
    of the programme (enrolled, or no one) was recorded, and sent."""
    seeded = seed(service)
    service.enrol(seeded.programme, "cal", Role.MENTEE, 1, actor="coord")
    before = service.programme(seeded.programme).version
    for outsider in ("cal", "zed"):
        with pytest.raises(RuleViolation, match="person_id") as refused:
            issue(service, seeded.programme, seeded.relationship, uuid4(), person_id=outsider)
        assert refused.value.rule is Rule.PERSON_IN_RELATIONSHIP
        assert f"{outsider!r} is neither the mentor ('ana') nor the mentee ('ben')" in str(
            refused.value
        )
        assert str(seeded.relationship) in str(refused.value)
    with pytest.raises(InvalidValue, match="person_id"):
        issue(service, seeded.programme, seeded.relationship, uuid4(), person_id="x" * 10**7)
    assert service.programme(seeded.programme).version == before
    for member in ("ana", "ben"):
        assert not issue(
            service, seeded.programme, seeded.relationship, uuid4(), person_id=member
        ).already_recorded
    service.close()


class _Holding(Inbox):
    """An inbox whose first send waits until let go: a slow receiver, a run in hand."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.let_go = threading.Event()

    def send(self, notice: Notice) -> None:
        if not self.sending.is_set():
            self.sending.set()
            assert self.let_go.wait(30)
        super().send(notice)


def test_a_run_while_another_is_in_progress_sends_nothing(store_url: str) -> None:
    """Two runs at once (from cron, a slow receiver outlasting the period) both sent what
    the first had issued and not yet marked; the second now finds the programme's run in
    progress, on the store, and does nothing. Each reminder reaches its person once."""
    first_service = MentoringService(store_url)
    programme = seed(first_service).programme
    second_service = first_service if store_url == "memory://" else MentoringService(store_url)
    assert second_service.programme(programme).reminders_unsent == ()  # cached before the run
    slow, other = _Holding(), Inbox()
    runs: list[Run] = []
    first = threading.Thread(
        target=lambda: runs.append(remind(first_service, slow, programme_id=programme, actor="a"))
    )
    first.start()
    try:
        assert slow.sending.wait(30)
        second = remind(second_service, other, programme_id=programme, actor="b")
    finally:
        slow.let_go.set()
        first.join(60)
    assert second == Run(busy=True) and other.received == []
    (done,) = runs
    assert done.sent == done.issued and not done.busy and len(done.sent) >= 2
    assert sorted(n.reminder_id for n in slow.received) == sorted(done.sent)
    after = remind(second_service, other, programme_id=programme, actor="b")
    assert after == Run() and other.received == []  # the lock let go, nothing owed
    for service in {first_service, second_service}:
        service.close()


def test_an_abandoned_reminder_is_not_tried_again(service: MentoringService) -> None:
    programme = seed(service).programme
    first = remind(service, Inbox(refuse=True), programme_id=programme, actor="reminders")
    assert first.issued and len(first.failed) == len(first.issued)
    given_up = first.issued[0]
    service.abandon_reminder(programme, given_up, "the address is gone", actor="coord")
    unsent = service.programme(programme).reminders_unsent
    assert given_up not in {r.reminder_id for r in unsent}
    inbox = Inbox()
    later = remind(service, inbox, programme_id=programme, actor="reminders")
    assert later.failed == () and given_up not in later.sent
    assert sorted(later.sent_again) == sorted(first.issued[1:])
    assert given_up not in {n.reminder_id for n in inbox.received}
    with pytest.raises(RuleViolation) as refused:
        service.record_reminder_sent(programme, given_up, actor="reminders")
    assert refused.value.rule is Rule.REMINDER_ISSUED
    assert verify(service.store.recorder).ok
    service.close()


class _Abandoning(Inbox):
    """An inbox whose first delivery is abandoned by a coordinator while it is sent."""

    def __init__(self, service: MentoringService, programme: UUID) -> None:
        super().__init__()
        self.service, self.programme = service, programme

    def send(self, notice: Notice) -> None:
        if not self.received:
            self.service.abandon_reminder(self.programme, notice.reminder_id, "gone", actor="coord")
        super().send(notice)


def test_a_reminder_abandoned_while_it_is_sent_does_not_end_the_run(
    service: MentoringService,
) -> None:
    """It cannot be recorded sent once abandoned: the run lists it as sent and not
    recorded, and goes on with the others (it ended with the rule broken)."""
    programme = seed(service).programme
    inbox = _Abandoning(service, programme)
    run = remind(service, inbox, programme_id=programme, actor="reminders")
    first = inbox.received[0].reminder_id
    assert len(run.issued) >= 2 and set(run.sent) == set(run.issued) - {first}
    assert run.failed == (
        f"reminder {first} to {inbox.received[0].person_id}: handed over, but abandoned "
        "meanwhile: its sending is not recorded",
    )
    assert service.programme(programme).reminders_unsent == ()
    service.close()


class _Erasing(Inbox):
    """An e-mail inbox (it reaches those with a contact recorded) whose first delivery is
    followed by the erasure of ``person`` in the same service (an administrator's request
    answered by the process the run is in)."""

    def __init__(self, service: MentoringService, person: str) -> None:
        super().__init__(channel="email")
        self.service, self.person, self.erased_at = service, person, 0

    def reaches(self, address: str | None) -> bool:
        return address is not None

    def send(self, notice: Notice) -> None:
        super().send(notice)
        if not self.erased_at:
            self.service.erase_person(self.person, "DSAR-2026-077", actor="dpo")
            self.erased_at = len(self.received)


def test_a_person_erased_during_a_run_is_sent_nothing_more_at_their_address(
    service: MentoringService,
) -> None:
    """The erasing process forgets their contact at once (docs/privacy.md, Keys): a run
    in progress does not go on sending to the address it read when it began."""
    programme = seed(service).programme
    for person, role, years in (("cal", Role.MENTOR, 12), ("dee", Role.MENTEE, 1)):
        service.enrol(
            programme,
            person,
            role,
            years,
            actor="coord",
            contact=f"{person}@example.org",
            occurred_at=FIRST_MEETING - timedelta(days=30),
        )
    pair = service.form_pair(
        programme, "cal", "dee", actor="coord", occurred_at=FIRST_MEETING - timedelta(days=7)
    ).id
    weekly = MeetingSchedule(
        cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
    )
    service.agree_schedule(pair, weekly, actor="cal")
    service.record_meeting_held(
        pair, 60, MeetingFormat.ONE_ON_ONE, ["first visits"], actor="cal", occurred_at=FIRST_MEETING
    )  # the next is overdue: both are owed a reminder
    inbox = _Erasing(service, "dee")
    run = remind(service, inbox, programme_id=programme, actor="reminders")
    later = inbox.received[inbox.erased_at :]
    assert inbox.erased_at and later, "the run sent nothing after the erasure"
    assert "dee@example.org" not in {n.address for n in later}
    assert {n.person_id for n in later} == {"cal"} and "dee" in run.unreachable
    service.close()


class _CuttingTheLock(Inbox):
    """An inbox whose first send cuts the connection that holds the run's lock (as a
    network cut, or PostgreSQL restarted, would) and, while that send is in hand, lets
    ``meanwhile`` happen (another run of the programme, as a cron's next would)."""

    def __init__(self, url: str, lock: str, meanwhile: Callable[[], object]) -> None:
        super().__init__()
        self.url = url
        self.lock = lock
        self.meanwhile = meanwhile
        self.cut = 0

    def send(self, notice: Notice) -> None:
        if not self.received:
            self.cut = self.cut_holder()
            self.meanwhile()
        super().send(notice)

    def cut_holder(self) -> int:
        """Cut the connection holding the lock (the adapter's advisory lock on
        ``hashtext('mentoring-core:<schema>:<name>')``, as ``pg_locks`` shows it: the
        key's upper and lower 32 bits), waiting until its server process has ended and
        let the lock go (else a run started at once may still find it held); how many
        were cut."""
        schema = parse_qs(urlsplit(self.url).query)["schema"][0]
        key = f"mentoring-core:{schema}:{self.lock}"
        with psycopg.connect(self.url.split("?")[0], autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks"  # waits for its end
                " WHERE locktype = 'advisory'"
                " AND granted AND objsubid = 1"
                " AND classid::bigint = (hashtext(%(key)s)::bigint >> 32) & 4294967295"
                " AND objid::bigint = hashtext(%(key)s)::bigint & 4294967295",
                {"key": key},
            ).fetchall()
        return len(rows)


@pytest.mark.parametrize("another_run", [False, True], ids=["alone", "another-run-meanwhile"])
def test_a_run_whose_lock_s_connection_is_cut_stops_before_its_next_reminder(
    store_url: str, store_kind: str, another_run: bool
) -> None:
    """PostgreSQL lets an advisory lock go with its connection: a run whose lock's
    connection was cut went on sending without the lock (another run could take it and
    send what this one had in hand), and then ended with the error of letting go of the
    lock on the cut connection ("terminating connection due to administrator command").
    Now it stops before its next reminder, saying why, and the next run sends the rest;
    only the reminder in hand at the cut can reach its person twice (under one id)."""
    if store_kind != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    service, other_service = MentoringService(store_url), MentoringService(store_url)
    programme = seed(service).programme
    other = Inbox()
    others: list[Run] = []
    cutting = _CuttingTheLock(
        store_url,
        f"reminders-{programme}",
        lambda: (
            another_run
            and others.append(remind(other_service, other, programme_id=programme, actor="b"))
        ),
    )
    with pytest.raises(MentoringError) as stopped:
        remind(service, cutting, programme_id=programme, actor="a")
    assert cutting.cut == 1 and len(cutting.received) == 1
    assert str(stopped.value) == (
        f"the reminder run stopped: its lock 'reminders-{programme}' was let go (its "
        "connection to the store was cut), and another run may hold it now; the next run "
        "sends what this one did not"
    )
    after = remind(other_service, other, programme_id=programme, actor="b")
    assert after.failed == () and not after.busy  # the lock is free again
    assert [r.busy for r in others] == ([False] if another_run else [])
    counts = Counter(n.reminder_id for n in [*cutting.received, *other.received])
    assert sorted(counts.values())[:-1] == [1] * (len(counts) - 1)  # one at most twice
    issued = {
        e.reminder_id for e in reminder_events(service, programme) if isinstance(e, ReminderIssued)
    }
    assert set(counts) == issued and len(issued) >= 2  # none lost
    assert service.programme(programme).reminders_unsent == ()
    for each in (service, other_service):
        each.close()
