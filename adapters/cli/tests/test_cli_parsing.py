"""Command-line text to the core's values, and errors to one line (in process, no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
import typer
from mentoring_cli._parsing import (
    Seconds,
    WholeNumber,
    parse_cadence,
    parse_cadence_tier,
    parse_date,
    parse_enum,
    parse_goal_progress,
    parse_moment,
    parse_rating,
    parse_stakeholder,
    parse_uuid,
    parse_years,
)
from mentoring_cli.app import failure, option_for, redact_urls

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.values import Cadence, CadenceKind, FocusArea, ProgressStatus


class TestMoments:
    def test_a_date_alone_is_midnight_utc(self) -> None:
        assert parse_moment("2026-03-04") == datetime(2026, 3, 4, tzinfo=UTC)

    def test_an_offset_is_kept(self) -> None:
        moment = parse_moment("2026-03-04T10:00+11:00")
        assert moment.utcoffset() == timedelta(hours=11)
        assert moment.astimezone(UTC) == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)

    def test_z_means_utc(self) -> None:
        assert parse_moment("2026-03-04T10:00Z") == datetime(2026, 3, 4, 10, tzinfo=UTC)

    @pytest.mark.parametrize("text", ["2026-03-04T10:00", "2026-03-04 10:00:00"])
    def test_a_naive_date_and_time_is_refused(self, text: str) -> None:
        with pytest.raises(typer.BadParameter, match="no time zone"):
            parse_moment(text)

    @pytest.mark.parametrize("text", ["yesterday", "04/03/2026", ""])
    def test_other_text_is_refused(self, text: str) -> None:
        with pytest.raises(typer.BadParameter, match="is not a date"):
            parse_moment(text)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("2026-04-04T09:00", "'2026-04-04T09:00' has no time zone"),
            ("9999-12-31T23:00-05:00", "'9999-12-31T23:00-05:00' is out of range: in UTC"),
            ("0001-01-01T00:30+01:00", "'0001-01-01T00:30+01:00' is out of range: in UTC"),
        ],
    )
    def test_an_audit_point_that_is_a_moment_says_what_is_wrong_with_it(
        self, text: str, reason: str
    ) -> None:
        """``audit diff --from/--to`` take a version or a moment: a date and time refused as
        a moment (naive, out of range) was called "neither a version number nor a moment",
        which hid the rule it broke."""
        from mentoring_cli.commands.audit import parse_point

        with pytest.raises(typer.BadParameter) as refused:
            parse_point(text)
        assert str(refused.value).startswith(reason), str(refused.value)
        assert "neither" not in str(refused.value)

    def test_dates_are_calendar_dates(self) -> None:
        assert parse_date("2026-06-30") == date(2026, 6, 30)
        with pytest.raises(typer.BadParameter, match="'2026-02-30' is not a date"):
            parse_date("2026-02-30")


class TestNames:
    @pytest.mark.parametrize("text", ["problem_solving", "PROBLEM_SOLVING", "Problem-Solving"])
    def test_enums_by_name_case_insensitive(self, text: str) -> None:
        assert parse_enum(FocusArea, text) is FocusArea.PROBLEM_SOLVING

    def test_an_unknown_name_lists_the_valid_ones(self) -> None:
        with pytest.raises(typer.BadParameter) as raised:
            parse_enum(FocusArea, "leadership")
        assert raised.value.message == (
            "'leadership'; expected one of communication, problem_solving, teamwork, "
            "professional_development, performance, wellbeing, other"
        )

    def test_ids_are_uuids(self) -> None:
        assert parse_uuid(" 00000000-0000-0000-0000-000000000001 ") == UUID(int=1)
        with pytest.raises(typer.BadParameter, match="'abc' is not an id"):
            parse_uuid("abc")

    def test_years_are_decimals(self) -> None:
        assert parse_years("1.5") == Decimal("1.5")
        for text in ("many", "NaN", "inf"):
            with pytest.raises(typer.BadParameter, match="not a number of years"):
                parse_years(text)


class TestCompoundValues:
    def test_cadences(self) -> None:
        assert parse_cadence("Fortnightly") == Cadence.fortnightly()
        assert parse_cadence("every_n_days=10") == Cadence.every(10)
        for text, message in [
            ("daily", "expected weekly, fortnightly, monthly or every_n_days=N"),
            ("every_n_days", "needs a number of days"),
            ("weekly=3", "only every_n_days takes a number"),
            ("every_n_days=ten", "is not a whole number"),
        ]:
            with pytest.raises(typer.BadParameter, match=message):
                parse_cadence(text)

    def test_policy_tiers(self) -> None:
        tier = parse_cadence_tier("weekly,until=90")
        assert (tier.cadence.kind, tier.until_age_days) == (CadenceKind.WEEKLY, 90)
        assert parse_cadence_tier("monthly").until_age_days is None
        with pytest.raises(typer.BadParameter, match="CADENCE,until=DAYS"):
            parse_cadence_tier("weekly,for=90")

    def test_ratings_progress_and_stakeholders(self) -> None:
        rating = parse_rating("Wellbeing=4")
        assert (rating.focus_area, rating.score) == (FocusArea.WELLBEING, 4)
        progress = parse_goal_progress(f"{UUID(int=7)}=at-risk")
        assert (progress.goal_id, progress.status) == (UUID(int=7), ProgressStatus.AT_RISK)
        said = parse_stakeholder("team leader = Calmer on the phone = less rushed")
        assert (said.source, said.text) == ("team leader", "Calmer on the phone = less rushed")
        for parse, text in [(parse_rating, "wellbeing"), (parse_stakeholder, "=x")]:
            with pytest.raises(typer.BadParameter, match="expected"):
                parse(text)


class TestErrors:
    @pytest.mark.parametrize(
        ("field", "option"),
        [
            ("occurred_at", "--occurred-at"),
            ("person_id", "--person"),
            ("ratings[1].score", "--rating (item 2)"),
            ("policy.minimum_experience_gap_years", "--minimum-experience-gap"),
            ("policy.cadence[0].until_age_days", "--cadence (item 1) until=DAYS"),
            ("schedule.duration_minutes", "--duration"),
            ("topics[0]", "--topic (item 1)"),
        ],
    )
    def test_core_fields_are_named_as_options(self, field: str, option: str) -> None:
        assert option_for(field) == option

    def test_a_core_value_error_is_a_usage_error_naming_the_option(self) -> None:
        error = InvalidValue(
            "occurred_at",
            datetime(2999, 1, 1, tzinfo=UTC),
            "a moment not after now",
        )
        assert failure(error) == (
            2,
            "Invalid value for '--occurred-at': 2999-01-01T00:00:00+00:00; "
            "expected a moment not after now.",
        )

    def test_a_broken_rule_is_a_refusal(self) -> None:
        assert failure(RuleViolation(Rule.EXPERIENCE_GAP, "too close")) == (
            1,
            "rule 'experience-gap' broken: too close",
        )

    def test_passwords_in_store_urls_are_hidden(self) -> None:
        message = "cannot reach 'postgresql://mc:s3cret@db:5432/x?schema=a' now"
        assert redact_urls(message) == "cannot reach 'postgresql://mc:***@db:5432/x?schema=a' now"


class TestNumbers:
    @pytest.mark.parametrize(("text", "number"), [("0", 0), (" 7 ", 7), ("+3", 3), ("3660", 3660)])
    def test_a_whole_number_in_its_range_is_read(self, text: str, number: int) -> None:
        assert WholeNumber(0, 3660)(text) == number

    @pytest.mark.parametrize(
        "text", ["-1", "3661", "abc", "1.5", "", "1_000", "\u0663", "1e3", "9" * 5000]
    )
    def test_anything_else_names_the_text_and_the_range(self, text: str) -> None:
        with pytest.raises(typer.BadParameter) as refused:
            WholeNumber(0, 3660)(text)
        assert str(refused.value) == f"{text!r} is not a whole number from 0 to 3660"

    def test_a_number_with_no_bounds_is_any_whole_number(self) -> None:
        assert WholeNumber()("-12") == -12
        with pytest.raises(typer.BadParameter, match=r"^'12\.0' is not a whole number$"):
            WholeNumber()("12.0")

    def test_a_lower_bound_alone_is_named_alone(self) -> None:
        with pytest.raises(typer.BadParameter, match=r"^'-1' is not a whole number from 0$"):
            WholeNumber(0)("-1")

    @pytest.mark.parametrize(("text", "seconds"), [("0.1", 0.1), ("60", 60.0), (" 2.5 ", 2.5)])
    def test_seconds_from_their_least_are_read(self, text: str, seconds: float) -> None:
        assert Seconds(Decimal("0.1"))(text) == seconds

    @pytest.mark.parametrize("text", ["0", "0.09", "-1", "nan", "inf", "abc", "1e400", ""])
    def test_other_seconds_name_the_text_and_the_least(self, text: str) -> None:
        with pytest.raises(typer.BadParameter) as refused:
            Seconds(Decimal("0.1"))(text)
        assert str(refused.value) == f"{text!r} is not a number of seconds from 0.1"

    def test_a_default_given_as_a_number_is_read_as_its_text(self) -> None:
        assert WholeNumber(0, 3660)(14) == 14
        assert Seconds(Decimal("0.1"))(60.0) == 60.0

    def test_the_expected_values_are_said_for_the_help(self) -> None:
        assert WholeNumber(1, 65535).expected == "a whole number from 1 to 65535"
        assert Seconds(Decimal("0.1")).expected == "a number of seconds from 0.1"
