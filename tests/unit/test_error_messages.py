"""The errors mentoring-core raises: their attributes and the message a log line shows.

``docs/api.md`` lists every error with its attributes; each message names those
values, so a log line alone says what went wrong.
"""

from __future__ import annotations

import pickle
from uuid import UUID

import pytest

from mentoring_core import (
    ConcurrencyConflict,
    ErasureUnfinished,
    InvalidValue,
    MentoringError,
    NotAllowed,
    NotFound,
    ReadModelError,
    Rule,
    RuleViolation,
    StoreConfigurationError,
    StoredEventError,
    UnknownPerson,
)

PROGRAMME = UUID("5a1e0000-0000-4000-8000-00000000c0de")


class TestInvalidValue:
    def test_it_names_field_value_and_what_was_expected(self) -> None:
        error = InvalidValue("experience_years", "many", "a number of years from 0 to 80")
        assert (error.field, error.value, error.expected) == (
            "experience_years",
            "many",
            "a number of years from 0 to 80",
        )
        assert str(error) == (
            "invalid experience_years: 'many'; expected a number of years from 0 to 80"
        )

    def test_a_value_shown_in_80_characters_is_shown_whole(self) -> None:
        value = "x" * 78  # its repr, quotes included, is 80 characters
        error = InvalidValue("reason", value, "a text")
        assert str(error) == f"invalid reason: '{value}'; expected a text"

    def test_a_longer_value_is_cut_to_77_characters_and_an_ellipsis(self) -> None:
        value = "x" * 79
        error = InvalidValue("reason", value, "a text")
        assert str(error) == "invalid reason: '" + "x" * 76 + "...; expected a text"
        assert error.value == value

    def test_it_is_a_value_error(self) -> None:
        assert issubclass(InvalidValue, ValueError)
        assert issubclass(InvalidValue, MentoringError)


class TestRuleViolation:
    def test_it_names_the_rule_and_the_details(self) -> None:
        error = RuleViolation(Rule.MENTOR_AND_MENTEE_DIFFER, "mentor and mentee are both 'ana'")
        assert error.rule is Rule.MENTOR_AND_MENTEE_DIFFER
        assert error.detail == "mentor and mentee are both 'ana'"
        assert str(error) == (
            "rule 'mentor-and-mentee-differ' broken: mentor and mentee are both 'ana'"
        )

    @pytest.mark.parametrize("rule", list(Rule), ids=lambda r: r.name)
    def test_a_rule_reads_as_its_name_in_lower_case_with_hyphens(self, rule: Rule) -> None:
        assert str(rule) == rule.name.lower().replace("_", "-")
        assert Rule(rule.name.lower().replace("_", "-")) is rule


class TestNotFound:
    def test_it_names_the_kind_and_the_id(self) -> None:
        error = NotFound("programme", PROGRAMME)
        assert (error.kind, error.aggregate_id) == ("programme", PROGRAMME)
        assert str(error) == f"no programme with id {PROGRAMME} is recorded"
        assert isinstance(error, LookupError)
        assert isinstance(error, MentoringError)


class TestConcurrencyConflict:
    def test_it_names_both_versions_and_says_nothing_was_recorded(self) -> None:
        error = ConcurrencyConflict("programme", PROGRAMME, 3, 5)
        assert (error.kind, error.aggregate_id, error.expected_version, error.actual_version) == (
            "programme",
            PROGRAMME,
            3,
            5,
        )
        assert str(error) == (
            f"conflict on programme {PROGRAMME}: the command expected version 3 but the "
            "stored history is now at version 5; nothing was recorded, reload and retry"
        )

    def test_an_unknown_current_version_is_said_to_be_unknown(self) -> None:
        error = ConcurrencyConflict("relationship", PROGRAMME, 0, None)
        assert error.actual_version is None
        assert str(error) == (
            f"conflict on relationship {PROGRAMME}: the command expected version 0 but the "
            "stored history is now at version unknown; nothing was recorded, reload and retry"
        )
        assert isinstance(error, MentoringError)

    def test_a_conflict_met_on_recording_names_the_version_decided_on(self) -> None:
        error = ConcurrencyConflict("relationship", PROGRAMME, 4, 6, decided=True)
        assert error.decided and not error.read
        assert str(error) == (
            f"conflict on relationship {PROGRAMME}: the command was decided on version 4 but "
            "the stored history is now at version 6; nothing was recorded, reload and retry"
        )


class TestStoredEventError:
    def test_it_names_the_record_and_the_reason(self) -> None:
        error = StoredEventError(PROGRAMME, 4, "mentoring_core:PolicySet", "unknown field 'x'")
        assert (error.aggregate_id, error.version, error.topic, error.reason) == (
            PROGRAMME,
            4,
            "mentoring_core:PolicySet",
            "unknown field 'x'",
        )
        assert str(error) == (
            f"stored event 'mentoring_core:PolicySet' of aggregate {PROGRAMME} at version 4 "
            "cannot be read: unknown field 'x'"
        )
        assert isinstance(error, MentoringError)


def test_store_and_read_model_errors_are_mentoring_errors() -> None:
    assert issubclass(StoreConfigurationError, ValueError)
    assert issubclass(StoreConfigurationError, MentoringError)
    assert issubclass(ReadModelError, MentoringError)


ERRORS: list[MentoringError] = [
    MentoringError("the store refused the events"),
    InvalidValue("duration_minutes", -5, "a whole number from 1 to 1440"),
    RuleViolation(next(iter(Rule)), "a detail"),
    NotFound("relationship", PROGRAMME),
    NotAllowed("only the mentee records reflections; 'coord.rhea' is a coordinator", conceal=False),
    UnknownPerson("ben"),
    UnknownPerson("bne", "no event of this store names them"),
    ConcurrencyConflict("relationship", PROGRAMME, 3, 5, read=True),
    ConcurrencyConflict("programme", PROGRAMME, 4, None, decided=True),
    StoredEventError(PROGRAMME, 2, "MeetingHeld", "not JSON"),
    StoreConfigurationError("the key store file k.db is empty", "key_store_file"),
    StoreConfigurationError("bad URL"),
    ReadModelError("a gap in the log"),
    ErasureUnfinished("ben", PROGRAMME, "the connection was lost"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_crosses_a_process_boundary_whole(error: MentoringError) -> None:
    """An error raised in another process (a replay worker, a process pool of the program
    embedding the library) is pickled there and rebuilt here. Rebuilt from its message
    alone, most could not be (``InvalidValue.__init__() missing 2 required positional
    arguments``: the pool's caller got that instead), and ``UnknownPerson`` took its
    message for the person's id."""
    copied = pickle.loads(pickle.dumps(error))
    assert type(copied) is type(error)
    assert str(copied) == str(error)
    assert vars(copied) == vars(error)
    assert copied.args == error.args
