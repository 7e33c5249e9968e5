"""The clear personal fields an erasure names as staying: every record is looked at, a
damaged one (not a JSON object) passed over, not taken for a store enciphered whole."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from mentoring_core.privacy.erasure import unsealed_fields

PAIR = UUID(int=11)


def goal(version: int, state: bytes) -> Notification:
    return Notification(
        id=version, originator_id=PAIR, originator_version=version, topic="GoalSet", state=state
    )


def clear_goal(version: int) -> Notification:
    state = {"title": "Lead a case conference", "success_criteria": "Observed by a senior"}
    return goal(version, json.dumps(state).encode())


def ben(owner: str, data: dict[str, Any]) -> str:
    return "ben"


@pytest.mark.parametrize("damaged", [b"{not json", b'["a list"]', b"\xff\xfe", b"7"])
def test_a_damaged_record_does_not_hide_the_clear_fields_after_it(damaged: bytes) -> None:
    found = unsealed_fields([clear_goal(1), goal(2, damaged), clear_goal(3)], ben, "ben")
    assert any(f"{PAIR} v1:" in where for where in found)
    assert any(f"{PAIR} v3:" in where for where in found)


def test_a_store_enciphered_whole_holds_nothing_in_clear() -> None:
    enciphered = [goal(v, bytes([0x8F, v]) * 20) for v in (1, 2, 3)]
    assert unsealed_fields(enciphered, ben, "ben") == ()
