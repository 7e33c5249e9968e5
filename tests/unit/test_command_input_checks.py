"""The checks of command input: which values each kind of field refuses, and the message.

Every command field goes through one of these checks before anything is recorded.
A refusal is an :class:`InvalidValue` naming the field, the value and what was
expected, in the message ``invalid <field>: <value>; expected <expected>``. The
limits are the ones ``validation`` documents: ids and actors at most 200
characters, titles and list items at most 500, free text at most 20,000, lists at
most 100 items, facts not before 1950, dates not after 2200-01-01.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import NOW

from mentoring_core import InvalidValue
from mentoring_core.domain.validation import (
    check_aware,
    check_bool,
    check_date,
    check_enum,
    check_int,
    check_label,
    check_labels,
    check_optional_text,
    check_optional_uuid,
    check_past,
    check_sequence,
    check_text,
    check_title,
    check_uuid,
    check_years,
)
from mentoring_core.values import CadenceKind, Participation, Role

YEARS_80 = "a number of years from 0 to 80 with at most two decimal places"


def refusal(check: Callable[[], object], field: str, expected: str, *value: object) -> InvalidValue:
    """Assert ``check`` refuses its value (``value`` when given) for ``field``, expecting
    exactly ``expected``."""
    with pytest.raises(InvalidValue) as info:
        check()
    error = info.value
    if value:
        assert error.value == value[0], str(error)
    assert (error.field, error.expected) == (field, expected), str(error)
    assert str(error).startswith(f"invalid {field}: ")
    assert str(error).endswith(f"; expected {expected}")
    return error


class TestFreeText:
    def test_a_text_is_kept_as_given_with_its_line_breaks_and_tabs(self) -> None:
        reason = "Moved to the night team.\nStill happy to help\twith handovers.\r\n"
        assert check_text("reason", reason) == reason

    def test_a_text_of_20000_characters_is_accepted(self) -> None:
        assert check_text("reason", "x" * 20_000) == "x" * 20_000

    def test_a_text_of_20001_characters_is_refused_with_its_length(self) -> None:
        error = refusal(
            lambda: check_text("reason", "x" * 20_001),
            "reason",
            "at most 20000 characters, got 20001",
        )
        assert error.value == "x" * 20_001

    def test_a_shorter_limit_counts_characters_up_to_it(self) -> None:
        assert check_text("title", "t" * 500, 500) == "t" * 500
        refusal(
            lambda: check_text("title", "t" * 501, 500), "title", "at most 500 characters, got 501"
        )

    @pytest.mark.parametrize("value", [None, 42, b"bytes", ["a list"]])
    def test_only_a_string_is_a_text(self, value: object) -> None:
        error = refusal(lambda: check_text("reason", value), "reason", "a text")
        assert error.value == value

    @pytest.mark.parametrize("value", ["", " ", "\n\t \r"])
    def test_a_blank_text_is_refused(self, value: str) -> None:
        refusal(lambda: check_text("reason", value), "reason", "a non-blank text", value)

    @pytest.mark.parametrize(
        "char", ["\x00", "\x07", "\x1b", "\x1f", "\x7f", "\x80", "\x9b", "\x9f"]
    )
    def test_control_characters_other_than_line_breaks_are_refused(self, char: str) -> None:
        refusal(
            lambda: check_text("reason", f"Left{char}"),
            "reason",
            "no control characters other than line breaks and tabs",
            f"Left{char}",
        )

    @pytest.mark.parametrize(
        "text", ["Ana Lopez", "Ana\xa0Lopez", "Çağla ~ Zoë", "日本", "\ud7ff\ue000"]
    )
    def test_spaces_and_printable_characters_of_any_script_are_accepted(self, text: str) -> None:
        assert check_text("reason", text) == text
        assert check_label("person_id", text) == text

    @pytest.mark.parametrize("surrogate", ["\ud800", "\udbff", "\udc00", "\udfff"])
    def test_a_lone_surrogate_cannot_be_stored_and_is_refused(self, surrogate: str) -> None:
        refusal(
            lambda: check_text("reason", f"Left {surrogate}"),
            "reason",
            "a text without lone surrogates (not valid UTF-8)",
            f"Left {surrogate}",
        )

    def test_an_optional_text_may_be_left_out_but_not_blank(self) -> None:
        assert check_optional_text("gap_override_reason", None) is None
        assert check_optional_text("gap_override_reason", "Approved") == "Approved"
        refusal(
            lambda: check_optional_text("gap_override_reason", " "),
            "gap_override_reason",
            "a non-blank text",
        )
        refusal(
            lambda: check_optional_text("gap_override_reason", "x" * 20_001),
            "gap_override_reason",
            "at most 20000 characters, got 20001",
        )


class TestLabels:
    def test_a_person_id_of_200_characters_is_accepted(self) -> None:
        assert check_label("person_id", "p" * 200) == "p" * 200

    def test_a_person_id_of_201_characters_is_refused(self) -> None:
        refusal(
            lambda: check_label("person_id", "p" * 201),
            "person_id",
            "at most 200 characters, got 201",
            "p" * 201,
        )

    @pytest.mark.parametrize("char", ["\n", "\r", "\t"])
    def test_a_label_is_a_single_line(self, char: str) -> None:
        error = refusal(
            lambda: check_label("name", f"Riverside{char}mentoring", 500),
            "name",
            "a single line without control characters",
        )
        assert error.value == f"Riverside{char}mentoring"

    def test_a_label_is_a_text_first(self) -> None:
        refusal(lambda: check_label("name", "  ", 500), "name", "a non-blank text", "  ")
        refusal(lambda: check_label("name", 7, 500), "name", "a text", 7)
        refusal(
            lambda: check_label("name", "Riverside\x00"),
            "name",
            "no control characters other than line breaks and tabs",
        )


class TestLists:
    def test_a_list_of_labels_is_kept_in_order_as_a_tuple(self) -> None:
        assert check_labels("topics", ["handover notes", "home visits"]) == (
            "handover notes",
            "home visits",
        )

    def test_each_item_is_named_by_its_position(self) -> None:
        refusal(
            lambda: check_labels("topics", ["handover notes", "two\nlines"]),
            "topics[1]",
            "a single line without control characters",
        )
        refusal(lambda: check_labels("topics", ["", "x"]), "topics[0]", "a non-blank text", "")

    def test_a_list_item_may_hold_500_characters_but_not_501(self) -> None:
        assert check_labels("topics", ["t" * 500]) == ("t" * 500,)
        refusal(
            lambda: check_labels("topics", ["t" * 501]),
            "topics[0]",
            "at most 500 characters, got 501",
        )

    def test_an_empty_list_of_labels_is_refused_unless_allowed(self) -> None:
        refusal(lambda: check_labels("expectations", []), "expectations", "at least one item", [])
        assert check_labels("topics", [], allow_empty=True) == ()

    @pytest.mark.parametrize("value", ["weekly", {"a", "b"}, 3, None, {"a": 1}])
    def test_only_a_list_or_tuple_is_a_list(self, value: object) -> None:
        error = refusal(lambda: check_sequence("topics", value), "topics", "a list")
        assert error.value == value

    def test_an_empty_list_is_refused_unless_allowed(self) -> None:
        error = refusal(lambda: check_sequence("ratings", []), "ratings", "at least one item")
        assert error.value == []
        assert check_sequence("topics", [], allow_empty=True) == ()
        assert check_sequence("topics", (), allow_empty=True) == ()

    def test_a_list_of_100_items_is_accepted_as_a_tuple(self) -> None:
        items = list(range(100))
        assert check_sequence("topics", items) == tuple(items)

    def test_a_list_of_101_items_is_refused_by_its_size_alone(self) -> None:
        error = refusal(
            lambda: check_sequence("topics", ["x"] * 101), "topics", "at most 100 items"
        )
        assert error.value == "<101 items>"
        assert str(error) == "invalid topics: '<101 items>'; expected at most 100 items"


class TestNumbers:
    @pytest.mark.parametrize("value", [1, 2, 1439, 1440])
    def test_a_whole_number_within_the_bounds_is_accepted(self, value: int) -> None:
        assert check_int("minutes", value, 1, 1440) == value

    @pytest.mark.parametrize("value", [0, -1, 1441, 30.0, "30", True, False, None, Decimal(30)])
    def test_other_values_are_refused_naming_the_bounds(self, value: object) -> None:
        error = refusal(
            lambda: check_int("minutes", value, 1, 1440), "minutes", "a whole number from 1 to 1440"
        )
        assert error.value == value

    @pytest.mark.parametrize(
        ("value", "years"),
        [
            (0, Decimal(0)),
            (Decimal("0.0"), Decimal(0)),
            ("12.5", Decimal("12.5")),
            (80, Decimal(80)),
            (Decimal("79.99"), Decimal("79.99")),
            ("1.500", Decimal("1.5")),  # trailing zeros are not places
            ("8E+1", Decimal(80)),
        ],
    )
    def test_years_from_0_to_80_are_accepted_as_decimals(
        self, value: object, years: Decimal
    ) -> None:
        checked = check_years("experience_years", value)
        assert checked == years
        assert isinstance(checked, Decimal)

    @pytest.mark.parametrize(
        "value",
        [
            Decimal("-0.01"),
            Decimal("80.01"),
            81,
            "",
            "twelve",
            "NaN",
            "sNaN",
            "-Infinity",
            12.5,
            True,
            "4.99999999999999999999999999999",  # rounded to 5 in a subtraction of 28 digits
            "1e-999999",
            "0.001",
        ],
    )
    def test_other_years_are_refused_naming_the_bounds(self, value: object) -> None:
        refusal(
            lambda: check_years("experience_years", value),
            "experience_years",
            YEARS_80,
            value,
        )

    def test_the_upper_bound_of_years_can_be_lowered(self) -> None:
        assert check_years("gap", 50, 50) == Decimal(50)
        refusal(
            lambda: check_years("gap", "50.5", 50),
            "gap",
            "a number of years from 0 to 50 with at most two decimal places",
            "50.5",
        )


class TestChoices:
    def test_a_member_of_the_enumeration_is_accepted(self) -> None:
        assert check_enum("role", Role.MENTEE, Role) is Role.MENTEE

    def test_anything_else_is_refused_listing_the_choices_in_order(self) -> None:
        refusal(
            lambda: check_enum("role", "mentee", Role), "role", "one of mentor, mentee", "mentee"
        )
        refusal(
            lambda: check_enum("kind", Participation.VOLUNTARY, CadenceKind),
            "kind",
            "one of weekly, fortnightly, monthly, every_n_days",
        )

    def test_a_yes_or_no_is_a_bool(self) -> None:
        assert check_bool("direct", True) is True
        assert check_bool("direct", False) is False
        for value in (0, 1, "yes", None):
            error = refusal(lambda v=value: check_bool("direct", v), "direct", "true or false")
            assert error.value == value

    def test_an_id_is_a_uuid(self) -> None:
        goal = UUID(int=7)
        assert check_uuid("goal_id", goal) is goal
        refusal(lambda: check_uuid("goal_id", str(goal)), "goal_id", "a UUID", str(goal))
        refusal(lambda: check_uuid("goal_id", None), "goal_id", "a UUID")

    def test_an_optional_id_may_be_left_out(self) -> None:
        assert check_optional_uuid("about_meeting_id", None) is None
        assert check_optional_uuid("about_meeting_id", UUID(int=3)) == UUID(int=3)
        refusal(lambda: check_optional_uuid("about_meeting_id", 3), "about_meeting_id", "a UUID", 3)


class TestDates:
    @pytest.mark.parametrize(
        "day", [date(1950, 1, 1), date(2025, 6, 30), date(2199, 12, 31), date(2200, 1, 1)]
    )
    def test_a_date_from_1950_to_2200_is_accepted(self, day: date) -> None:
        assert check_date("target_date", day) == day

    @pytest.mark.parametrize("day", [date(1949, 12, 31), date(2200, 1, 2), date(9999, 1, 1)])
    def test_a_date_outside_is_refused_naming_the_range(self, day: date) -> None:
        error = refusal(
            lambda: check_date("target_date", day),
            "target_date",
            "a date from 1950-01-01 to 2200-01-01",
        )
        assert error.value == day

    @pytest.mark.parametrize("value", [NOW, "2025-06-30", None])
    def test_only_a_calendar_date_is_a_date(self, value: object) -> None:
        error = refusal(
            lambda: check_date("target_date", value),
            "target_date",
            "a date (a calendar day, not a datetime)",
        )
        assert error.value == value


class TestMoments:
    def test_an_aware_moment_is_given_back_in_utc(self) -> None:
        auckland = datetime(2025, 3, 14, 21, 0, tzinfo=timezone(timedelta(hours=13)))
        moment = check_aware("occurred_at", auckland)
        assert moment == auckland
        assert moment.tzinfo is UTC

    def test_a_naive_moment_is_refused_saying_so(self) -> None:
        refusal(
            lambda: check_aware("occurred_at", datetime(2025, 3, 14, 9, 30)),
            "occurred_at",
            "a datetime with a time zone (this one is naive)",
            datetime(2025, 3, 14, 9, 30),
        )

    @pytest.mark.parametrize("value", [date(2025, 3, 14), "2025-03-14T09:30Z", None])
    def test_only_a_datetime_is_a_moment(self, value: object) -> None:
        refusal(
            lambda: check_aware("occurred_at", value),
            "occurred_at",
            "a datetime with a time zone",
            value,
        )

    def test_a_past_moment_may_be_exactly_now_but_not_later(self) -> None:
        assert check_past("held_at", NOW, NOW) == NOW
        later = NOW + timedelta(microseconds=1)
        error = refusal(
            lambda: check_past("held_at", later, NOW),
            "held_at",
            "a moment not after now (2025-03-14T09:30:00+00:00)",
        )
        assert error.value == later

    def test_a_past_moment_may_be_the_first_of_1950_but_not_earlier(self) -> None:
        first = datetime(1950, 1, 1, tzinfo=UTC)
        assert check_past("held_at", first, NOW) == first
        refusal(
            lambda: check_past("held_at", first - timedelta(microseconds=1), NOW),
            "held_at",
            "a moment not before 1950-01-01",
            first - timedelta(microseconds=1),
        )

    def test_a_past_moment_is_checked_in_utc(self) -> None:
        """09:30 UTC is 10:30 in Paris: 10:30+01:00 is now, 10:31+01:00 is the future."""
        paris = timezone(timedelta(hours=1))
        assert check_past("held_at", datetime(2025, 3, 14, 10, 30, tzinfo=paris), NOW) == NOW
        refusal(
            lambda: check_past("held_at", datetime(2025, 3, 14, 10, 31, tzinfo=paris), NOW),
            "held_at",
            "a moment not after now (2025-03-14T09:30:00+00:00)",
        )


class TestCharactersCheckedInCompiledCode:
    """The character classes searched in C refuse exactly the characters the checks of
    each code point in Python refused (kept here as the reference), for every code point
    alone and in any text."""

    @staticmethod
    def refused_before(value: str, *, label: bool) -> str | None:
        """What the checks of each character in Python refused ``value`` for, or None."""
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            return "surrogate"
        allowed = frozenset() if label else frozenset("\n\r\t")
        if any((ord(c) < 32 or 0x7F <= ord(c) < 0xA0) and c not in allowed for c in value):
            return "control"
        return None

    @staticmethod
    def refused_now(value: str, *, label: bool) -> str | None:
        try:
            (check_label if label else check_text)("f", value)
        except InvalidValue as error:
            return "surrogate" if "surrogates" in error.expected else "control"
        return None

    @pytest.mark.parametrize("label", [False, True])
    def test_every_code_point_alone_and_between_letters(self, label: bool) -> None:
        for code in range(0x110000):
            value = f"a{chr(code)}b"
            assert self.refused_now(value, label=label) == self.refused_before(
                value, label=label
            ), hex(code)

    @given(
        value=st.text(st.characters(exclude_categories=()), min_size=1),  # surrogates too
        label=st.booleans(),
    )
    def test_any_text(self, value: str, label: bool) -> None:
        if not value.strip():
            return  # refused as blank first, by both
        assert self.refused_now(value, label=label) == self.refused_before(value, label=label)


def test_a_title_refuses_exactly_a_label_s_characters_and_line_and_direction_ones() -> None:
    """Every code point up to U+2FFF (past every line separator and direction control)
    between letters: a title refuses what a label refuses, and the line and paragraph
    separators and the direction embeddings, overrides and isolates besides."""
    breakers = {0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
    for code in range(0x3000):
        value = f"a{chr(code)}b"
        try:
            check_label("f", value)
            label_refused = False
        except InvalidValue:
            label_refused = True
        try:
            check_title("f", value)
            title_refused = False
        except InvalidValue:
            title_refused = True
        assert title_refused is (label_refused or code in breakers), hex(code)


@pytest.mark.parametrize("value", ["\u200b", "\u200b \u2060", "\ufeff"])
def test_a_title_of_invisible_characters_alone_is_refused_as_blank(value: str) -> None:
    """A name or topic of zero-width characters shows as nothing, as a blank one does."""
    with pytest.raises(InvalidValue) as refused:
        check_title("display_name", value)
    assert refused.value.expected == "a non-blank text (a visible character at least)"
    assert check_title("display_name", "a\u200bb") == "a\u200bb"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("1e1", "10"),
        ("-0", "0"),
        ("1.5", "1.5"),
        (12, "12"),
        ("2.500", "2.50"),
        ("12.5000", "12.50"),
        ("0.000", "0.00"),
    ],
)
def test_years_are_kept_in_plain_notation(given: object, kept: str) -> None:
    """``"1e1"`` was recorded (and shown) as ``1E+1``, ``"-0"`` as ``-0``; ``"2.500"``
    (two decimal places and a zero) as ``2.500``, so a mentor-time CSV could mix
    ``121.500`` with ``0.00`` in one column: at most two decimal places are kept."""
    assert str(check_years("experience_years", given)) == kept
