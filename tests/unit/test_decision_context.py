"""What every event carries from the decision context: actor, clock, fresh id, command id.

The application passes the domain who records, the clock's now, a source of new
ids and the caller's idempotency key (``command_id``); ``event_metadata`` checks
each before a command's events are made.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import attrs
import pytest
from scenarios import PROGRAMME_ID, YESTERDAY
from strategies import NOW, decision_context

from mentoring_core import InvalidValue
from mentoring_core.domain import DecisionContext
from mentoring_core.domain.context import event_metadata


def context(**change: object) -> DecisionContext:
    return attrs.evolve(decision_context(), **change)


ACTOR_CHARACTERS = "printable characters (no invisible, line-separator or text-direction one)"


class TestEventMetadata:
    def test_every_field_an_event_carries(self) -> None:
        key = UUID("c0ffee00-0000-4000-8000-000000000001")
        meta = event_metadata(context(command_id=key), PROGRAMME_ID, 4, YESTERDAY)
        assert meta == {
            "event_id": UUID(int=1),
            "aggregate_id": PROGRAMME_ID,
            "version": 4,
            "occurred_at": YESTERDAY,
            "recorded_at": NOW,
            "actor": "coordinator.cleo",
            "command_id": key,
        }

    def test_without_a_moment_it_happened_now_and_without_a_key_there_is_none(self) -> None:
        meta = event_metadata(context(), PROGRAMME_ID, 1, None)
        assert meta["occurred_at"] == meta["recorded_at"] == NOW
        assert meta["command_id"] is None

    def test_each_event_gets_a_fresh_id(self) -> None:
        ctx = context()
        ids = [event_metadata(ctx, PROGRAMME_ID, v, None)["event_id"] for v in (1, 2, 3)]
        assert ids == [UUID(int=1), UUID(int=2), UUID(int=3)]

    def test_a_clock_in_another_zone_records_in_utc(self) -> None:
        sydney = datetime(2025, 3, 14, 20, 30, tzinfo=timezone(timedelta(hours=11)))
        meta = event_metadata(context(now=sydney), PROGRAMME_ID, 1, None)
        assert meta["recorded_at"] == meta["occurred_at"] == NOW
        assert meta["recorded_at"].tzinfo is UTC
        assert meta["occurred_at"].tzinfo is UTC

    def test_a_moment_is_compared_with_the_clock_whatever_its_zone(self) -> None:
        sydney = datetime(2025, 3, 14, 20, 30, tzinfo=timezone(timedelta(hours=11)))
        meta = event_metadata(context(now=sydney), PROGRAMME_ID, 1, NOW)
        assert meta["occurred_at"] == NOW
        with pytest.raises(InvalidValue) as info:
            event_metadata(context(now=sydney), PROGRAMME_ID, 1, NOW + timedelta(microseconds=1))
        assert info.value.field == "occurred_at"
        assert info.value.expected == "a moment not after now (2025-03-14T09:30:00+00:00)"

    def test_an_actor_of_200_characters_is_recorded(self) -> None:
        meta = event_metadata(context(actor="a" * 200), PROGRAMME_ID, 1, None)
        assert meta["actor"] == "a" * 200

    @pytest.mark.parametrize(
        ("change", "field", "expected"),
        [
            ({"actor": "a" * 201}, "actor", "at most 200 characters, got 201"),
            ({"actor": "cleo\tsmith"}, "actor", "a single line without control characters"),
            # an audit trail's "who": nothing that reads as someone else, or as no one
            ({"actor": "cleo\u202eyrrab"}, "actor", ACTOR_CHARACTERS),
            ({"actor": "cleo\u2028barry"}, "actor", ACTOR_CHARACTERS),
            ({"actor": "\u200b"}, "actor", ACTOR_CHARACTERS),
            ({"actor": "coord.rhea "}, "actor", "an actor without spaces around it"),
            ({"actor": " coord.rhea"}, "actor", "an actor without spaces around it"),
            ({"command_id": "retry-1"}, "command_id", "a UUID"),
            ({"command_id": 7}, "command_id", "a UUID"),
            ({"now": "2025-03-14"}, "clock", "a datetime with a time zone"),
            (
                {"now": datetime(2025, 3, 14, 9, 30)},
                "clock",
                "a datetime with a time zone (this one is naive)",
            ),
        ],
    )
    def test_a_bad_context_is_refused_and_named(
        self, change: dict[str, object], field: str, expected: str
    ) -> None:
        with pytest.raises(InvalidValue) as info:
            event_metadata(context(**change), PROGRAMME_ID, 1, None)
        assert (info.value.field, info.value.expected) == (field, expected)

    def test_a_moment_before_1950_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as info:
            event_metadata(context(), PROGRAMME_ID, 1, datetime(1949, 12, 31, 23, 59, tzinfo=UTC))
        assert (info.value.field, info.value.expected) == (
            "occurred_at",
            "a moment not before 1950-01-01",
        )
