"""The programme's profile and reminder commands: each refusal's field and whole message,
as a caller sees them; without a store. (A mutation run found the field names and the
wording of these refusals unchecked.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from scenarios import programme_history
from test_reminder_rules import ID, ISSUE, with_relationship

from mentoring_core import Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.values import FocusArea, ProgrammePolicy, Role

PROGRAMME = "'Riverside first-year mentoring'"


def profile(person_id: str = "ben", **change: Any) -> cmd.UpdateProfile:
    return cmd.UpdateProfile(person_id=person_id, **change)


class TestProfileUpdates:
    def test_the_other_roles_areas_are_refused_naming_them(self) -> None:
        error = programme_history().reject(
            profile("ana", development_needs=(FocusArea.WELLBEING, FocusArea.TEAMWORK)),
            "development_needs",
        )
        assert str(error) == (
            "invalid development_needs: 'wellbeing, teamwork'; "
            "expected nothing for a mentor (only a mentee has development_needs)"
        )

    def test_an_area_given_twice_is_refused_naming_the_areas(self) -> None:
        error = programme_history().reject(
            profile(development_needs=(FocusArea.WELLBEING, FocusArea.WELLBEING)),
            "development_needs",
        )
        assert str(error) == (
            "invalid development_needs: 'wellbeing, wellbeing'; "
            "expected each focus area at most once"
        )

    @pytest.mark.parametrize(
        ("person", "change", "field"),
        [
            ("ben", {"development_needs": ("juggling",)}, "development_needs[0]"),
            ("ben", {"development_needs": "wellbeing"}, "development_needs"),  # not a list
            ("ana", {"expertise": 7}, "expertise"),
            ("", {"development_needs": ()}, "person_id"),
        ],
    )
    def test_a_value_not_of_its_kind_is_refused_by_its_field(
        self, person: str, change: dict[str, Any], field: str
    ) -> None:
        programme_history().reject(profile(person, **change), field)

    def test_a_change_of_nothing_is_refused(self) -> None:
        error = programme_history().reject(profile(), "expertise")
        assert str(error) == (
            "invalid expertise: None; expected the expertise or development needs to record"
        )

    def test_someone_not_enrolled_is_refused_naming_the_programme(self) -> None:
        error = programme_history().refuse(
            profile("zoe", development_needs=()), Rule.PARTICIPANT_ENROLLED
        )
        assert str(error).endswith(f"'zoe' is not enrolled in programme {PROGRAMME}")


class TestReminders:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("reminder_id", "r-1"), ("relationship_id", 7), ("due", "tomorrow")],
    )
    def test_an_issue_refuses_each_field_by_its_name(self, field: str, value: object) -> None:
        with_relationship().reject(attrs.evolve(ISSUE, **{field: value}), field)

    @pytest.mark.parametrize(
        ("field", "value"), [("reminder_id", "r-1"), ("after_interruption", "yes")]
    )
    def test_a_sending_refuses_each_field_by_its_name(self, field: str, value: object) -> None:
        history = with_relationship()
        history.record(ISSUE)
        sent = cmd.RecordReminderSent(reminder_id=ID)
        history.reject(attrs.evolve(sent, **{field: value}), field)

    def test_a_sending_of_a_reminder_not_waiting_says_so(
        self,
    ) -> None:
        history = with_relationship()
        sent = cmd.RecordReminderSent(reminder_id=ID)
        said = (
            f"reminder {ID} is not waiting to be sent in {PROGRAMME}: it was never issued, "
            "or was already recorded as sent or abandoned"
        )
        assert str(history.refuse(sent, Rule.REMINDER_ISSUED)).endswith(said)
        history.record(ISSUE)
        history.record(sent)
        assert str(history.refuse(sent, Rule.REMINDER_ISSUED)).endswith(said)


@pytest.mark.parametrize("field", ["max_mentees_per_mentor", "max_active_mentors_per_mentee"])
def test_a_capacity_limit_is_at_most_1000(field: str) -> None:
    history = programme_history()
    policy: ProgrammePolicy = history.state.policy
    history.record(cmd.SetPolicy(policy=attrs.evolve(policy, **{field: 1000})))
    history.reject(cmd.SetPolicy(policy=attrs.evolve(policy, **{field: 1001})), f"policy.{field}")


@pytest.mark.parametrize("field", ["display_name", "contact"])
def test_a_name_or_contact_may_be_as_long_as_a_title(field: str) -> None:
    enrol = cmd.EnrolParticipant(
        person_id="hal", role=Role.MENTEE, experience_years=Decimal(1), **{field: "x" * 500}
    )
    history = programme_history()
    history.record(enrol)
    history.reject(attrs.evolve(enrol, person_id="ida", **{field: "x" * 501}), field)


class TestAbandonedReminders:
    """A coordinator gives up a reminder its channel refuses for good: it leaves the
    reminders waiting to be sent, so no run sends it again (nor can it be recorded sent)."""

    def test_an_issued_reminder_abandoned_is_no_longer_waiting(self) -> None:
        history = with_relationship()
        history.record(ISSUE)
        (abandoned,) = history.record(
            cmd.AbandonReminder(reminder_id=ID, reason="550 no such mailbox")
        )
        assert (abandoned.reminder_id, abandoned.person_id) == (ID, "ana")
        assert abandoned.reason == "550 no such mailbox"
        assert history.state.reminders_unsent == ()
        said = "it was never issued, or was already recorded as sent or abandoned"
        for again in (
            cmd.RecordReminderSent(reminder_id=ID),
            cmd.AbandonReminder(reminder_id=ID, reason="again"),
        ):
            assert str(history.refuse(again, Rule.REMINDER_ISSUED)).endswith(said)

    def test_a_reminder_sent_or_never_issued_is_not_abandoned(self) -> None:
        history = with_relationship()
        abandon = cmd.AbandonReminder(reminder_id=ID, reason="gone")
        history.refuse(abandon, Rule.REMINDER_ISSUED)
        history.record(ISSUE)
        history.record(cmd.RecordReminderSent(reminder_id=ID))
        history.refuse(abandon, Rule.REMINDER_ISSUED)

    @pytest.mark.parametrize(
        ("field", "value"), [("reminder_id", "r-1"), ("reason", ""), ("reason", 7)]
    )
    def test_an_abandonment_refuses_each_field_by_its_name(self, field: str, value: object) -> None:
        history = with_relationship()
        history.record(ISSUE)
        abandon = cmd.AbandonReminder(reminder_id=ID, reason="gone")
        history.reject(attrs.evolve(abandon, **{field: value}), field)

    def test_an_abandonment_dated_before_the_issue_is_refused(self) -> None:
        history = with_relationship()
        (issued,) = history.record(ISSUE)
        early = issued.occurred_at - timedelta(minutes=1)
        abandon = cmd.AbandonReminder(reminder_id=ID, reason="gone", occurred_at=early)
        history.refuse(abandon, Rule.TIMELINE)
