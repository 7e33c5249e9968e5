"""A person whose erasure is recorded is not due for it again, on every store, whatever
their key store holds: here a copy imported without its keys, which holds a withheld row
for them, not the source's tombstone (a key store restored from a backup older than the
erasure may hold no row: ``test_lost_keys.py``). Unless a role of theirs started after
the erasure, recorded after it: then they are due again a period after it ends.

Ben, enrolled on 5 January 2026 (his name sealed under his key), withdrew on 20
February; the programme keeps data a year, and he was erased under that rule on 1 March
2027."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest
from report_scenario import POLICY, SettableClock

from mentoring_core import MentoringService
from mentoring_core.audit import export_events, import_events
from mentoring_core.events import ERASED, EVENT_TYPES, PersonalDataErased
from mentoring_core.privacy.retention import apply_retention, due_for_erasure, past_due
from mentoring_core.values import Role

from .conftest import calls_of

PROGRAMME = UUID(int=70)
ENROLLED = datetime(2026, 1, 5, 9, tzinfo=UTC)
LEFT = datetime(2026, 2, 20, 9, tzinfo=UTC)
ERASED_ON = datetime(2027, 3, 1, 9, tzinfo=UTC)
FAR = date(2099, 1, 1)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def copy(
    store_url: str, fresh_url: str, tmp_path: Path, clock: SettableClock
) -> Iterator[MentoringService]:
    """The store where Ben was erased, imported without its keys into ``fresh_url``."""
    with MentoringService(store_url, clock=clock) as source:
        _erase_ben(source, clock)
        export = tmp_path / "export.jsonl"
        with export.open("w", encoding="utf-8") as out:
            export_events(source, out)
    with MentoringService(fresh_url, clock=clock) as copy:
        import_events(copy, export)
        yield copy


def _erase_ben(source: MentoringService, clock: SettableClock) -> None:
    clock.now = ENROLLED
    source.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
    source.set_policy(PROGRAMME, attrs.evolve(POLICY, retain_personal_data_years=1), actor="c")
    source.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben O")
    clock.now = LEFT
    source.withdraw(PROGRAMME, "ben", "moved away", actor="coord")
    clock.now = ERASED_ON
    apply_retention(source, due_for_erasure(source, ERASED_ON.date()), actor="dpo")


def test_a_person_whose_key_is_destroyed_is_left_off_without_reading_the_log(
    store_url: str, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Ben's tombstone is kept, it keeps him off the list, from the very moment
    his erasure was recorded, without the log read again for erasures."""
    with MentoringService(store_url, clock=clock) as source:
        _erase_ben(source, clock)
        read = calls_of(monkeypatch, source.store, "records")
        assert due_for_erasure(source, date(2027, 2, 19)) == ()  # no one due by the rule
        nobody_due = len(read)
        read.clear()
        (erasure,) = erasures(source)
        assert due_for_erasure(source, FAR) == ()
        assert due_for_erasure(source, FAR, at=erasure.recorded_at) == ()
        assert len(read) == 2 * nobody_due


def test_erasures_are_looked_up_in_the_records_of_the_types_that_name_them(
    copy: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics: list[object] = []
    records = copy.store.records

    def spied(*args: Any, **kwargs: Any) -> Any:
        topics.append(kwargs.get("topics"))
        return records(*args, **kwargs)

    monkeypatch.setattr(copy.store, "records", spied)
    assert due_for_erasure(copy, FAR) == ()
    looked_up = topics[-1]
    assert isinstance(looked_up, list)
    assert sorted(EVENT_TYPES[topic].__name__ for topic in looked_up) == [
        "CoordinatorAppointed",
        "MeetingCancelled",
        "ParticipantEnrolled",
        "PersonalDataErased",
        "RelationshipOpened",
    ]


def test_a_person_erased_in_the_source_is_not_due_again_in_a_copy_without_keys(
    copy: MentoringService,
) -> None:
    row = copy.store.keys.store.get("ben")
    assert row is not None and row.withheld and row.destroyed_at is None
    assert due_for_erasure(copy, FAR) == ()
    assert past_due(copy, PROGRAMME, FAR) == 0
    assert apply_retention(copy, due_for_erasure(copy, FAR), actor="dpo") == ()
    assert [e.person_id for e in erasures(copy)] == ["ben"]  # no second erasure


def erasures(service: MentoringService) -> list[PersonalDataErased]:
    return [e for e in service.history(PROGRAMME) if isinstance(e, PersonalDataErased)]


def test_as_recorded_before_the_erasure_the_person_is_due(copy: MentoringService) -> None:
    (erasure,) = erasures(copy)
    just_before = erasure.recorded_at - timedelta(microseconds=1)
    assert [d.person_id for d in due_for_erasure(copy, FAR, at=just_before)] == ["ben"]
    assert past_due(copy, PROGRAMME, FAR, at=just_before) == 1
    assert due_for_erasure(copy, FAR, at=erasure.recorded_at) == ()


def test_enrolled_again_after_the_erasure_the_person_is_due_a_period_after_leaving(
    copy: MentoringService, clock: SettableClock
) -> None:
    """Enrolled again and withdrawn (his withheld key lets nothing personal be recorded:
    no name, no reason): due a year after he left again, not before; and not as recorded before
    the new enrolment, which counts from when it was recorded, whatever day it is dated
    (here the day after he first left, before the erasure)."""
    clock.now = datetime(2027, 4, 1, 9, tzinfo=UTC)
    copy.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", occurred_at=LEFT + timedelta(1))
    clock.now = datetime(2027, 5, 3, 9, tzinfo=UTC)
    copy.withdraw(PROGRAMME, "ben", ERASED, actor="coord")  # no reason: nothing personal
    assert due_for_erasure(copy, date(2028, 5, 2)) == ()
    (due,) = due_for_erasure(copy, date(2028, 5, 3))
    assert (due.person_id, due.last_ended) == ("ben", date(2027, 5, 3))
    assert past_due(copy, PROGRAMME, date(2028, 5, 3)) == 1
    assert due_for_erasure(copy, FAR, at=datetime(2027, 3, 31, tzinfo=UTC)) == ()


def test_the_log_is_read_for_erasures_only_when_someone_is_due(
    copy: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking erasures up reads the log once more (the records of a few types): not when
    the rule lists no one, as on the day before Ben's."""
    read = calls_of(monkeypatch, copy.store, "records")
    assert due_for_erasure(copy, date(2027, 2, 19)) == ()
    nobody_due = len(read)
    read.clear()
    assert due_for_erasure(copy, FAR) == ()  # Ben, due by the rule, erased
    assert len(read) == nobody_due + 1
