"""Reminders (issue 14, item 2): which are owed (pure), and the programme's reminder log
(``ReminderIssued`` once per id, ``ReminderSent`` once, after it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from machine_zone import local_time_zone
from scenarios import PROGRAMME_ID, RELATIONSHIP_ID, History, programme_history
from strategies import NOW
from test_pairing import FORM_ANA_AND_BEN, open_relationship

from mentoring_core import InvalidValue, MentoringService, Rule
from mentoring_core.audit import timeline
from mentoring_core.authorisation import Principal, may, may_read_event
from mentoring_core.domain import commands as cmd
from mentoring_core.domain.events import ReminderIssued, ReminderSent
from mentoring_core.reminders import (
    QUIET_ITEM,
    Notice,
    Quiet,
    Reminder,
    notice,
    owed,
    quiet,
    reminder_id,
)
from mentoring_core.reports import DueItem, DueKind, end_of_day
from mentoring_core.values import EndReason, MeetingFormat, ReminderReason, Role

OTHER = UUID("a0a0b0b0-0000-4000-8000-000000000002")


def item(
    kind: DueKind,
    due: datetime,
    *,
    what: str = "weekly",
    rel: UUID = RELATIONSHIP_ID,
    item_id: UUID | None = None,
) -> DueItem:
    return DueItem(
        kind=kind,
        programme_id=PROGRAMME_ID,
        relationship_id=rel,
        mentor_id="ana",
        mentee_id="ben",
        what=what,
        due=due,
        overdue=due <= NOW,
        item_id=item_id,
    )


def pair(last_met: datetime, rel: UUID = RELATIONSHIP_ID) -> Quiet:
    return Quiet(
        programme_id=PROGRAMME_ID,
        relationship_id=rel,
        mentor_id="ana",
        mentee_id="ben",
        last_met=last_met,
    )


def reasons(found: tuple[object, ...]) -> list[tuple[str, ReminderReason, str]]:
    return [(r.person_id, r.reason, r.item) for r in found]  # type: ignore[attr-defined]


class TestWhatIsOwed:
    def test_overdue_and_due_soon_go_to_the_mentor_and_the_mentee(self) -> None:
        found = owed(
            [
                item(DueKind.MEETING, NOW - timedelta(days=3)),
                item(DueKind.REVIEW, NOW + timedelta(days=2)),
            ],
            [],
            now=NOW,
            within_days=2,
            quiet_days=None,
        )
        assert reasons(found) == [
            ("ana", ReminderReason.OVERDUE, "meeting"),
            ("ben", ReminderReason.OVERDUE, "meeting"),
            ("ana", ReminderReason.DUE_SOON, "review"),
            ("ben", ReminderReason.DUE_SOON, "review"),
        ]
        assert found[0].due == NOW - timedelta(days=3)

    def test_what_falls_due_after_the_window_is_not_owed_yet(self) -> None:
        # Two days from Friday 14 March take in what falls due on Sunday 16 March (at its
        # end), and not what falls due on Monday 17 March.
        sunday = item(DueKind.GOAL, end_of_day(date(2025, 3, 16)), what="Lead a huddle")
        monday = item(DueKind.GOAL, end_of_day(date(2025, 3, 17)), what="Lead a huddle")
        assert len(owed([sunday], [], now=NOW, within_days=2, quiet_days=None)) == 2
        assert owed([monday], [], now=NOW, within_days=2, quiet_days=None) == ()
        assert len(owed([monday], [], now=NOW, within_days=3, quiet_days=None)) == 2

    def test_a_pair_quiet_for_the_period_is_reminded_and_not_before(self) -> None:
        quiet_since = NOW - timedelta(days=21)
        found = owed([], [pair(quiet_since)], now=NOW, within_days=2, quiet_days=21)
        assert reasons(found) == [
            ("ana", ReminderReason.QUIET, QUIET_ITEM),
            ("ben", ReminderReason.QUIET, QUIET_ITEM),
        ]
        assert found[0].due == NOW  # it became quiet just now
        assert owed([], [pair(quiet_since)], now=NOW, within_days=2, quiet_days=22) == ()
        assert owed([], [pair(quiet_since)], now=NOW, within_days=2, quiet_days=None) == ()

    def test_what_was_issued_before_is_not_owed_again(self) -> None:
        overdue = item(DueKind.MEETING, NOW - timedelta(days=1))
        first = owed([overdue], [], now=NOW, within_days=2, quiet_days=None)
        later = owed(
            [overdue],
            [],
            now=NOW + timedelta(days=5),
            within_days=2,
            quiet_days=None,
            already={first[0].reminder_id},
        )
        assert [r.person_id for r in later] == ["ben"]

    def test_an_item_due_soon_then_overdue_gives_one_reminder_of_each(self) -> None:
        review = item(DueKind.REVIEW, NOW + timedelta(days=1))
        soon = owed([review], [], now=NOW, within_days=2, quiet_days=None)
        late = attrs.evolve(review, overdue=True)
        after = owed(
            [late],
            [],
            now=NOW + timedelta(days=2),
            within_days=2,
            quiet_days=None,
            already={r.reminder_id for r in soon},
        )
        assert {r.reason for r in soon} == {ReminderReason.DUE_SOON}
        assert {r.reason for r in after} == {ReminderReason.OVERDUE}

    def test_the_id_tells_items_people_reasons_and_dates_apart(self) -> None:
        base = ("ana", ReminderReason.OVERDUE, RELATIONSHIP_ID, "goal", NOW, "Lead a huddle")
        ids = {
            reminder_id(*base),
            reminder_id("ben", *base[1:]),
            reminder_id(base[0], ReminderReason.DUE_SOON, *base[2:]),
            reminder_id(*base[:2], OTHER, *base[3:]),
            reminder_id(*base[:3], "milestone", *base[4:]),
            reminder_id(*base[:4], NOW + timedelta(days=1), base[5]),
            reminder_id(*base[:5], "Write a care plan"),
        }
        assert len(ids) == 7
        assert reminder_id(*base) == reminder_id(*base[:4], NOW.astimezone(UTC), base[5])

    def test_a_dated_items_reminder_is_known_by_its_id_not_its_text(self) -> None:
        goal = item(DueKind.GOAL, NOW - timedelta(days=1), what="Lead a huddle", item_id=OTHER)
        erased = attrs.evolve(goal, what="[erased]")  # its title erased since
        first = owed([goal], [], now=NOW, within_days=2, quiet_days=None)
        assert [r.reminder_id for r in first] == [
            r.reminder_id for r in owed([erased], [], now=NOW, within_days=2, quiet_days=None)
        ]
        by_text = reminder_id(
            "ana", ReminderReason.OVERDUE, RELATIONSHIP_ID, "goal", goal.due, "Lead a huddle"
        )
        assert by_text not in {r.reminder_id for r in first}  # no hash of the title is kept

    def test_a_reminder_issued_under_its_texts_id_before_is_not_owed_again(self) -> None:
        goal = item(DueKind.GOAL, NOW - timedelta(days=1), what="Lead a huddle", item_id=OTHER)
        by_text = {
            reminder_id(
                person, ReminderReason.OVERDUE, RELATIONSHIP_ID, "goal", goal.due, "Lead a huddle"
            )
            for person in ("ana", "ben")
        }  # as earlier releases issued it
        assert owed([goal], [], now=NOW, within_days=2, quiet_days=None, already=by_text) == ()

    def test_two_dated_items_of_one_kind_and_day_are_told_apart_by_their_ids(self) -> None:
        due = NOW - timedelta(days=1)
        goals = [item(DueKind.GOAL, due, what="Lead", item_id=UUID(int=n)) for n in (1, 2)]
        found = owed(goals, [], now=NOW, within_days=2, quiet_days=None)
        assert len({r.reminder_id for r in found}) == 4

    def test_the_reminders_whole_with_the_ids_they_were_issued_under(self) -> None:
        """Each reminder whole, on a machine on New York time: its ``due`` in UTC, its id
        the one its key in UTC gives (a stored id must be derived again the same, or the
        reminder is owed twice; a quiet pair's key has an empty ``what``, the default)."""
        goal = item(DueKind.GOAL, NOW - timedelta(days=1), what="Lead", item_id=OTHER)
        quiet_since = NOW - timedelta(days=21)
        overdue, idle = ReminderReason.OVERDUE, ReminderReason.QUIET
        with local_time_zone("America/New_York"):
            found = owed([goal], [pair(quiet_since)], now=NOW, within_days=2, quiet_days=21)
            by_default = reminder_id("ben", idle, RELATIONSHIP_ID, QUIET_ITEM, NOW)
        expected = [
            ("ana", overdue, "goal", goal.due, "30ec0e42-a3c9-53f5-b936-ff3a8ae520e1"),
            ("ben", overdue, "goal", goal.due, "86f3a5d5-0361-5558-8b42-5162575fe4eb"),
            ("ana", idle, QUIET_ITEM, NOW, "2114fdbb-ee4b-53b1-a1fc-2864efbd470f"),
            ("ben", idle, QUIET_ITEM, NOW, "9550f0e5-7dce-5e52-8ab3-5d5307b1d469"),
        ]
        assert found == tuple(
            Reminder(
                reminder_id=UUID(rid),
                person_id=person,
                reason=reason,
                programme_id=PROGRAMME_ID,
                relationship_id=RELATIONSHIP_ID,
                item=kind,
                due=due,
            )
            for person, reason, kind, due, rid in expected
        )
        assert all(r.due.utcoffset() == timedelta(0) for r in found)
        assert by_default == found[3].reminder_id


DUE_ITEMS = st.builds(
    item,
    st.sampled_from(list(DueKind)),
    st.integers(-20, 20).map(lambda d: NOW + timedelta(days=d)),
    what=st.sampled_from(["weekly", "Lead a huddle", "Shadow a visit"]),
    rel=st.sampled_from([RELATIONSHIP_ID, OTHER]),
)
QUIET = st.builds(
    pair,
    st.integers(0, 60).map(lambda d: NOW - timedelta(days=d)),
    st.sampled_from([RELATIONSHIP_ID, OTHER]),
)


@settings(max_examples=60, deadline=None)
@given(
    runs=st.lists(
        st.tuples(st.lists(DUE_ITEMS, max_size=8), st.lists(QUIET, max_size=3), st.integers(0, 9)),
        min_size=1,
        max_size=5,
    ),
    quiet_days=st.none() | st.integers(1, 30),
)
def test_never_two_reminders_under_one_id_whatever_the_order_and_repeats(
    runs: list[tuple[list[DueItem], list[Quiet], int]], quiet_days: int | None
) -> None:
    issued: list[UUID] = []
    for items, pairs, later in runs:
        now = NOW + timedelta(hours=later)
        found = owed(
            items + items[::-1],  # repeated, and in another order
            pairs + pairs,
            now=now,
            within_days=3,
            quiet_days=quiet_days,
            already=set(issued),
        )
        same = owed(items[::-1], pairs[::-1], now=now, within_days=3, quiet_days=quiet_days)
        assert {r.reminder_id for r in found} == {r.reminder_id for r in same} - set(issued)
        issued += [r.reminder_id for r in found]
    assert len(issued) == len(set(issued))


def test_the_active_pairs_last_met_when_they_last_held_a_meeting_else_when_paired() -> None:
    """Ana and Ben's relationship ended (first, so the others are not left out after it);
    Ana and Cy held a meeting, then missed one and cancelled one; Eli and Dee never met."""
    formed = NOW - timedelta(days=30)
    with MentoringService("memory://", clock=lambda: NOW) as service:
        programme = service.create_programme("P", "Org", actor="coord", occurred_at=formed).id
        for person, role in (("ana", Role.MENTOR), ("eli", Role.MENTOR)):
            service.enrol(programme, person, role, 9, actor="coord", occurred_at=formed)
        for person in ("ben", "cy", "dee"):
            service.enrol(programme, person, Role.MENTEE, 1, actor="coord", occurred_at=formed)
        ended, cy, dee = (
            service.form_pair(programme, mentor, mentee, actor="coord", occurred_at=formed).id
            for mentor, mentee in (("ana", "ben"), ("ana", "cy"), ("eli", "dee"))
        )
        service.end(ended, EndReason.COMPLETED, "done", actor="coord", occurred_at=formed)
        met = formed + timedelta(days=5)
        service.record_meeting_held(
            cy, 60, MeetingFormat.ONE_ON_ONE, ["Rotas"], actor="ana", occurred_at=met
        )
        later = met + timedelta(days=7)
        service.record_meeting_missed(cy, "cy", "ill", actor="ana", occurred_at=later)
        service.record_meeting_cancelled(
            cy, "ana", "away", actor="ana", occurred_at=later + timedelta(days=1)
        )
        found = quiet(service.relationships(programme))
    assert found == (
        Quiet(programme_id=programme, relationship_id=cy, mentor_id="ana", mentee_id="cy",
              last_met=met),
        Quiet(programme_id=programme, relationship_id=dee, mentor_id="eli", mentee_id="dee",
              last_met=formed),
    )  # fmt: skip


def with_relationship() -> History:
    """Riverside's programme, with Ana and Ben's relationship opened in it."""
    history = programme_history()
    _, registered = open_relationship(FORM_ANA_AND_BEN, history.state)
    history.apply(registered)
    return history


ID = UUID("e1e10000-0000-4000-8000-000000000001")
ISSUE = cmd.IssueReminder(
    reminder_id=ID,
    person_id="ana",
    relationship_id=RELATIONSHIP_ID,
    reason=ReminderReason.OVERDUE,
    item="meeting",
    due=NOW - timedelta(days=2),
    channel="email",
)


class TestTheReminderLog:
    def test_issued_then_sent_once(self) -> None:
        history = with_relationship()
        (issued,) = history.record(ISSUE)
        assert isinstance(issued, ReminderIssued)
        assert (issued.person_id, issued.reason, issued.channel) == ("ana", ISSUE.reason, "email")
        assert history.state.reminders_unsent == (issued,)
        (sent,) = history.record(cmd.RecordReminderSent(reminder_id=ID, after_interruption=True))
        assert isinstance(sent, ReminderSent)
        assert (sent.person_id, sent.after_interruption) == ("ana", True)
        assert history.state.reminders_unsent == ()

    def test_a_reminder_is_marked_sent_once_and_only_once_issued(self) -> None:
        """Issued once and sent once under its id is the service's (each is recorded under
        an id made from the reminder id: tests/contract/test_reminders.py); deciding alone,
        only a reminder waiting to be sent is recorded as sent."""
        history = with_relationship()
        history.refuse(cmd.RecordReminderSent(reminder_id=ID), Rule.REMINDER_ISSUED, ID)
        history.record(ISSUE)
        history.record(cmd.RecordReminderSent(reminder_id=ID))
        history.refuse(cmd.RecordReminderSent(reminder_id=ID), Rule.REMINDER_ISSUED, ID)

    def test_each_reminder_has_its_own_command_ids(self) -> None:
        issued = cmd.natural_command_id(ISSUE)
        sent = cmd.natural_command_id(cmd.RecordReminderSent(reminder_id=ID))
        other = cmd.natural_command_id(attrs.evolve(ISSUE, reminder_id=OTHER))
        assert (
            issued
            == cmd.reminder_command_id(ID)
            == cmd.natural_command_id(attrs.evolve(ISSUE, person_id="ben"))
        )
        assert sent == cmd.reminder_command_id(ID, sent=True)
        assert len({issued, sent, other}) == 3
        assert (
            cmd.natural_command_id(
                cmd.RelieveCoordinator(programme_id=PROGRAMME_ID, person_id="x", reason="r")
            )
            is None
        )

    def test_the_relationship_must_be_the_programmes(self) -> None:
        history = with_relationship()
        history.refuse(attrs.evolve(ISSUE, relationship_id=OTHER), Rule.REFERENCE_EXISTS, OTHER)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("person_id", " "), ("item", "two\nlines"), ("channel", ""), ("reason", "late")],
    )
    def test_each_field_is_checked(self, field: str, value: object) -> None:
        history = with_relationship()
        history.reject(attrs.evolve(ISSUE, **{field: value}), field)

    def test_a_naive_due_moment_is_refused(self) -> None:
        with pytest.raises(InvalidValue):
            with_relationship().record(attrs.evolve(ISSUE, due=datetime(2026, 1, 1)))


def test_the_message_is_built_from_the_recorded_fact_alone() -> None:
    history = with_relationship()
    (issued,) = history.record(ISSUE)
    first = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address="a@x.org"
    )
    again = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address="a@x.org"
    )
    assert first == again
    assert "is overdue" in first.text and "(ana mentoring ben)" in first.text
    assert first.payload["reminder_id"] == str(ID)
    assert first.subject.startswith("Reminder (overdue): meeting")


def test_a_quiet_pairs_notice_whole_in_utc_whatever_the_machines_zone() -> None:
    """The subject, text and payload of a quiet pair's reminder, read on a machine on New
    York time: the moment it became quiet is named in UTC."""
    quiet_since = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
    (issued,) = with_relationship().record(
        attrs.evolve(ISSUE, reason=ReminderReason.QUIET, item=QUIET_ITEM, due=quiet_since)
    )
    with local_time_zone("America/New_York"):
        message = notice(
            issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben",
            address="ana@example.org",
        )  # fmt: skip
    assert message == Notice(
        reminder_id=ID,
        person_id="ana",
        address="ana@example.org",
        subject="Reminder (quiet): relationship, 2026-11-01 00:30 UTC",
        text=(
            "Hello ana,\n\nYour relationship (ana mentoring ben) in Riverside has been quiet:"
            f" no meeting held since 2026-11-01 00:30 UTC.\n\nReminder {ID}\n"
        ),
        payload={
            "type": "reminder",
            "reminder_id": str(ID),
            "person_id": "ana",
            "reason": "quiet",
            "item": "relationship",
            "due": "2026-11-01T00:30:00+00:00",
            "programme_id": str(PROGRAMME_ID),
            "relationship_id": str(RELATIONSHIP_ID),
            "mentor_id": "ana",
            "mentee_id": "ben",
        },
    )


def test_an_items_notice_names_it_in_the_pairs_relationship() -> None:
    (issued,) = with_relationship().record(
        attrs.evolve(ISSUE, reason=ReminderReason.DUE_SOON, due=datetime(2026, 11, 2, tzinfo=UTC))
    )
    message = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address=None
    )
    assert message.text == (
        "Hello ana,\n\nA meeting in your relationship (ana mentoring ben) in Riverside is due"
        f" on 2026-11-01 (by the end of that day, UTC).\n\nReminder {ID}\n"
    )
    assert message.address is None


@pytest.mark.parametrize("item", ["goal", "plan activity", "milestone"])
@pytest.mark.parametrize(
    ("reason", "says"),
    [(ReminderReason.OVERDUE, "is overdue: it was due on"), (ReminderReason.DUE_SOON, "is due on")],
)
def test_a_dated_items_message_names_its_day_not_the_midnight_after_it(
    item: str, reason: ReminderReason, says: str
) -> None:
    """A goal, plan activity or milestone of 5 December falls due at the end of that day
    (UTC), the moment recorded as the reminder's ``due``: 6 December 00:00 UTC. Its
    subject and text said "2026-12-06 00:00 UTC", a day its mentor and mentee never set;
    they name the day, and the payload keeps the moment."""
    end_of_the_day = datetime(2026, 12, 6, tzinfo=UTC)
    (issued,) = with_relationship().record(
        attrs.evolve(ISSUE, item=item, reason=reason, due=end_of_the_day)
    )
    message = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address=None
    )
    assert message.subject == f"Reminder ({reason.value}): {item}, 2026-12-05"
    assert f" {says} 2026-12-05 (by the end of that day, UTC).\n" in message.text
    assert "2026-12-06" not in message.subject + message.text
    assert message.payload["due"] == "2026-12-06T00:00:00+00:00"


def test_a_meetings_message_names_the_day_it_falls_due_on() -> None:
    (issued,) = with_relationship().record(
        attrs.evolve(ISSUE, due=datetime(2026, 11, 2, tzinfo=UTC))
    )
    message = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address=None
    )
    assert message.subject == "Reminder (overdue): meeting, 2026-11-01"
    assert " is overdue: it was due on 2026-11-01 (by the end of that day, UTC).\n" in (
        message.text
    )


def test_a_meeting_reminder_issued_at_another_moment_names_that_moment_in_utc() -> None:
    """A meeting's reminder issued by a release before meetings fell due at the end of a
    day, sent again after an interruption, names the moment it was issued for."""
    (issued,) = with_relationship().record(
        attrs.evolve(ISSUE, due=datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    )
    message = notice(
        issued, programme_name="Riverside", mentor_id="ana", mentee_id="ben", address=None
    )
    assert message.subject == "Reminder (overdue): meeting, 2026-11-01 00:30 UTC"
    assert " is overdue: it was due 2026-11-01 00:30 UTC.\n" in message.text


def test_the_timeline_tells_who_was_reminded_of_what_and_when_it_was_sent() -> None:
    history = with_relationship()
    history.record(ISSUE)
    history.record(cmd.RecordReminderSent(reminder_id=ID, after_interruption=True))
    issued, sent = (entry.description for entry in timeline(history.events)[-2:])
    assert issued == (
        f"Reminder {ID} to ana issued (overdue: meeting of relationship {RELATIONSHIP_ID}, "
        f"due {ISSUE.due.isoformat(timespec='minutes')}; by email) by coordinator.cleo"
    )
    assert sent == f"Reminder {ID} to ana sent again (after an interruption) by coordinator.cleo"


def test_the_timeline_tells_the_day_a_reminded_item_falls_due_on() -> None:
    """Due at the midnight after its day, a goal or a meeting is told on that day, not on
    the next, which its recorded moment reads as."""
    history = with_relationship()
    history.record(attrs.evolve(ISSUE, item="goal", due=datetime(2026, 12, 6, tzinfo=UTC)))
    (issued,) = (entry.description for entry in timeline(history.events)[-1:])
    assert ", due on 2026-12-05 (by its end, UTC); by email)" in issued


def test_a_participant_reads_their_own_reminders_only() -> None:
    history = with_relationship()
    history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
    (to_ana,) = history.record(ISSUE)
    programme = history.state
    assert may_read_event(Principal(subject="ana"), to_ana, programme=programme)
    assert not may_read_event(Principal(subject="ben"), to_ana, programme=programme)
    assert may_read_event(Principal(subject="coord.rhea"), to_ana, programme=programme)
    assert may(Principal(subject="coord.rhea"), cmd.IssueReminder, programme=programme)
    assert not may(Principal(subject="ana"), cmd.RecordReminderSent, programme=programme)
