"""What the store accepts it can read back: one size budget, checked before storing.

Issue 11: a command within every input limit (a hundred stakeholder comments of 20,000
characters; an experience figure of a million digits) stored an event larger than the
reader's cap, and the relationship (or the whole programme) could never be loaded again.
Now the encoded event is measured against the reader's own limit before anything is
stored: the command is refused, and the aggregate stays as it was.
"""

from __future__ import annotations

import logging
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.audit import state_at
from mentoring_core.serialisation import MAX_EVENT_BYTES
from mentoring_core.state import RelationshipState
from mentoring_core.values import Role, StakeholderFeedback


def a_pair(service: MentoringService) -> tuple[UUID, UUID]:
    programme = service.create_programme("Budget", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 20, actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
    return programme, service.form_pair(programme, "ana", "ben", actor="coord").id


def comments(count: int, length: int) -> list[StakeholderFeedback]:
    return [StakeholderFeedback(source=f"s{i}", text="é" * length) for i in range(count)]


def test_an_event_larger_than_the_reader_accepts_is_refused_and_nothing_is_stored(
    store_url: str,
) -> None:
    with MentoringService(store_url) as service:
        _, pair = a_pair(service)
        with pytest.raises(InvalidValue) as info:
            service.evaluate_progress(
                pair, [], "Reviewed", stakeholder_feedback=comments(100, 20_000), actor="ana"
            )
        assert info.value.field == "event"
        assert "ProgressEvaluated" in str(info.value)
        assert f"{MAX_EVENT_BYTES:,}" in str(info.value)
        assert service.relationship(pair).version == 1
        assert len(service.history(pair)) == 1


def test_a_million_digit_experience_figure_cannot_poison_the_programme(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme, _ = a_pair(service)
        with pytest.raises(InvalidValue):
            service.enrol(programme, "eve", Role.MENTEE, "0." + "1" * 1_100_000, actor="coord")
        assert service.programme(programme).version == 4
        service.enrol(programme, "eve", Role.MENTEE, 1, actor="coord")


def test_a_snapshot_too_large_to_read_back_is_skipped_and_logged(
    store_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mentoring_core.serialisation.MAX_SNAPSHOT_BYTES", 200)
    with MentoringService(store_url, snapshot_interval=2) as service:
        _, pair = a_pair(service)
        with caplog.at_level(logging.WARNING, logger="mentoring_core"):
            service.agree_expectations(pair, ["Meet fortnightly"], actor="ana")
        assert any("snapshot" in r.getMessage() for r in caplog.records)
        assert service.relationship(pair).version == 2


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(count=st.integers(0, 100), length=st.sampled_from([1, 1_000, 5_000, 10_000, 20_000]))
def test_every_accepted_command_reads_back_and_folds(
    store_url: str, count: int, length: int
) -> None:
    with MentoringService(store_url) as service:
        _, pair = a_pair(service)
        try:
            service.evaluate_progress(
                pair, [], "Reviewed", stakeholder_feedback=comments(count, length), actor="ana"
            )
        except InvalidValue:
            assert service.relationship(pair).version == 1
            return
        history = service.history(pair)  # decoded from the stored records, not a cache
        state = state_at(history, version=len(history))
        assert isinstance(state, RelationshipState) and state.version == 2
        assert len(state.evaluations[0].stakeholder_feedback) == count
        assert [type(e).__name__ for _, e in service.read()][-1] == "ProgressEvaluated"
