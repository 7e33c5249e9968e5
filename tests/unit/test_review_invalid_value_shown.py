"""An ``InvalidValue``'s message shows the value as a user wrote it, not Python's repr of
it: ``invalid relationship_id: UUID('7330...')``, ``datetime.date(9999, 12, 31)`` or a
whole command's repr told a user nothing they typed (review finding, defect 2). The
value itself is kept as given, in ``InvalidValue.value``."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from scenarios import MEETING_ID, relationship_history

from mentoring_core import InvalidValue
from mentoring_core.domain import commands as cmd
from mentoring_core.domain.validation import check_aware, check_date, check_enum, check_uuid
from mentoring_core.reports import compliance_report
from mentoring_core.reports._facts import ProgrammeFacts
from mentoring_core.values import FocusArea, MeetingFormat

ID = UUID("73300000-0000-4000-8000-000000000001")
OTHER_ID = UUID("73300000-0000-4000-8000-000000000002")


class Size(enum.Enum):
    SMALL = 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("twelve", "'twelve'"),  # text quoted, as before
        ("a\nb", "'a\\nb'"),  # a hidden character shows
        (ID, "73300000-0000-4000-8000-000000000001"),
        (date(9999, 12, 31), "9999-12-31"),
        (datetime(2999, 1, 1, tzinfo=UTC), "2999-01-01T00:00:00+00:00"),
        (datetime(2026, 5, 20, 12), "2026-05-20T12:00:00"),  # naive: no offset shown
        (datetime(2026, 5, 20, 12, tzinfo=timezone(timedelta(hours=2))),
         "2026-05-20T12:00:00+02:00"),
        (time(9, 30), "09:30:00"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-1"), "-1"),
        (Decimal("10000000.01"), "10000000.01"),
        (FocusArea.COMMUNICATION, "communication"),  # a StrEnum's member by value, unquoted
        (Size.SMALL, "1"),
        ((date(2026, 3, 2), date(2026, 3, 1)), "2026-03-02, 2026-03-01"),
        ((ID, "x", FocusArea.WELLBEING), "73300000-0000-4000-8000-000000000001, 'x', wellbeing"),
        ((), "nothing"),
        ([ID, OTHER_ID], "[73300000-0000-4000-8000-000000000001, "
                         "73300000-0000-4000-8000-000000000002]"),
        ([1], "[1]"),
        ([], "nothing"),
        (12, "12"),
        (1.5, "1.5"),
        (True, "True"),
        (None, "None"),
        (int, "<class 'int'>"),  # a class, not an instance of one
    ],
)  # fmt: skip
def test_each_kind_of_value_is_shown_as_written(value: Any, shown: str) -> None:
    error = InvalidValue("field", value, "something else")
    assert str(error) == f"invalid field: {shown}; expected something else"
    assert error.value is value  # kept as given


def test_the_function_the_message_uses_is_the_one_adapters_can_call() -> None:
    from mentoring_core.domain.errors import SHOWN_MAX, shown

    assert shown(ID) == str(ID)
    assert shown(FocusArea.COMMUNICATION) == "communication"
    assert SHOWN_MAX == 80


def test_a_command_is_named_by_its_type_not_dumped_whole() -> None:
    command = cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="typo")
    error = InvalidValue("correction", command, "at least one corrected value")
    assert str(error) == (
        "invalid correction: a CorrectMeetingRecord; expected at least one corrected value"
    )
    assert error.value is command


def test_a_correction_correcting_nothing_says_so_without_the_commands_repr() -> None:
    history = relationship_history()
    history.record(
        cmd.RecordMeetingHeld(
            meeting_id=MEETING_ID,
            duration_minutes=60,
            format=MeetingFormat.ONE_ON_ONE,
            topics=("handover",),
        )
    )
    error = history.reject(cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="typo"),
                           "correction")  # fmt: skip
    assert "CorrectMeetingRecord(" not in str(error)
    assert str(error) == (
        "invalid correction: a CorrectMeetingRecord; expected at least one corrected value"
    )


def test_an_attrs_value_is_named_by_its_type() -> None:
    facts = ProgrammeFacts()
    with pytest.raises(InvalidValue) as refused:
        compliance_report(facts, (), as_of=datetime(2026, 5, 20, tzinfo=UTC))
    assert str(refused.value) == (
        "invalid programme: a ProgrammeFacts; expected the facts of a created programme"
    )
    assert refused.value.value is facts


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: check_uuid("relationship_id", str(ID)),
         f"invalid relationship_id: '{ID}'; expected a UUID"),
        (lambda: check_date("target_date", date(9999, 12, 31)),
         "invalid target_date: 9999-12-31; expected a date from 1950-01-01 to 2200-01-01"),
        (lambda: check_date("target_date", datetime(2999, 1, 1, tzinfo=UTC)),
         "invalid target_date: 2999-01-01T00:00:00+00:00; expected a date (a calendar day, "
         "not a datetime)"),
        (lambda: check_aware("held_at", datetime(2026, 5, 20, 12)),
         "invalid held_at: 2026-05-20T12:00:00; expected a datetime with a time zone "
         "(this one is naive)"),
        (lambda: check_enum("format", FocusArea.COMMUNICATION, MeetingFormat),
         "invalid format: communication; expected one of "
         + ", ".join(m.value for m in MeetingFormat)),
    ],
)  # fmt: skip
def test_the_domain_checks_name_values_as_written(check: Any, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check()
    assert str(refused.value) == message


def test_a_long_value_is_cut_to_80_characters() -> None:
    text = InvalidValue("reason", "x" * 200, "a text")
    assert str(text) == "invalid reason: '" + "x" * 76 + "...; expected a text"
    ids = tuple(UUID(int=i) for i in range(100))
    many = InvalidValue("relationship_ids", ids, "each relationship named once")
    shown = str(many).split(": ", 1)[1].split("; expected", 1)[0]
    assert len(shown) == 80 and shown.endswith("...")
    assert shown.startswith("00000000-0000-0000-0000-000000000000, 00000000-")


def test_a_value_that_holds_itself_or_a_huge_number_is_still_refused_with_a_message() -> None:
    itself: list[object] = []
    itself.append(itself)
    assert str(InvalidValue("topics", itself, "a list")).startswith("invalid topics: [[[[")
    huge = InvalidValue("duration_minutes", 10**5000, "a whole number from 1 to 1440")
    assert str(huge) == (
        "invalid duration_minutes: a value too long to show; expected a whole number from 1 to 1440"
    )
    assert huge.value == 10**5000
