"""Deciding an erasure (``decide_erasure``), without a store: its checks name the field
at fault, a person no programme names is refused, and each programme naming the person
gets one event at its next version. (The erasure itself, keys destroyed and fields
reading as erased, is tested through the service in ``tests/contract/test_erasure*.py``.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import programme_history
from strategies import decision_context

from mentoring_core import InvalidValue, UnknownPerson
from mentoring_core.domain.erasure import PersonalDataErased, decide_erasure
from mentoring_core.domain.personal import ErasureRule
from mentoring_core.state import ProgrammeState

GOOD: dict[str, Any] = {"person_id": "ben", "rule": ErasureRule.REQUEST, "reason": "DSR-2026-14"}


def decide(programmes: list[ProgrammeState], **changes: Any) -> tuple[PersonalDataErased, ...]:
    arguments = {**GOOD, **changes}
    return decide_erasure(
        programmes,
        arguments["person_id"],
        arguments["rule"],
        arguments["reason"],
        decision_context(),
    )


def test_each_programme_naming_the_person_gets_one_event_at_its_next_version() -> None:
    first = programme_history().state
    second = attrs.evolve(first, programme_id=UUID(int=7), version=3)
    erased = decide([first, second], rule=ErasureRule.RETENTION)
    assert first.programme_id is not None
    assert [(e.aggregate_id, e.version) for e in erased] == [
        (first.programme_id, first.version + 1),
        (second.programme_id, 4),
    ]
    assert {(e.person_id, e.rule, e.reason) for e in erased} == {
        ("ben", ErasureRule.RETENTION, "DSR-2026-14")
    }


def test_a_programme_not_yet_created_gets_no_event() -> None:
    assert decide([ProgrammeState()]) == ()


def test_a_person_no_programme_names_is_refused_by_name() -> None:
    with pytest.raises(UnknownPerson) as refused:
        decide([], person_id="zoe")
    assert refused.value.person_id == "zoe"
    assert "'zoe'" in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("person_id", ""), ("reason", "x" * 100_000), ("rule", "forget-me")],
)
def test_a_value_not_of_its_kind_is_refused_by_its_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidValue) as refused:
        decide([programme_history().state], **{field: value})
    assert refused.value.field == field
    assert str(refused.value).startswith(f"invalid {field}: ")
