"""Retention on the report scenario: Carla and Dan's relationship ended on 20 February
2026, when Dan withdrew from it; Ana and Ben are still paired, Eve's proposal is open.
Here Carla and Dan also leave the programme then (the scenario keeps them enrolled, and
a person still enrolled is never due). The scenario's policy sets no retention period;
each test sets one, or gives ``years`` as an override."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from report_scenario import PAIR_B, POLICY, PROGRAMME, SettableClock, record

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.audit import export_events, import_events
from mentoring_core.events import ERASED, ErasureRule, PersonalDataErased, RelationshipEnded
from mentoring_core.privacy import copy_keys
from mentoring_core.privacy.retention import apply_retention, due_for_erasure
from mentoring_core.values import Role

PARTED = datetime(2026, 2, 20, 10, tzinfo=UTC)
"""When Carla and Dan's relationship ended."""


def parted(clock: SettableClock, *people: str) -> MentoringService:
    """The scenario, with ``people`` withdrawn from the programme when their relationship
    ended."""
    service = MentoringService("memory://", clock=clock)
    record(service, clock)
    for person in people:
        service.withdraw(PROGRAMME, person, "left", actor="coord", occurred_at=PARTED)
    return service


@pytest.fixture
def service() -> MentoringService:
    return parted(SettableClock(), "carla", "dan")


def test_a_person_still_enrolled_is_not_due_after_their_relationship_ended() -> None:
    """Carla and Dan stay enrolled after their relationship ended (they may be paired
    again): never due, whatever the day."""
    service = parted(SettableClock())
    keep(service, 1)
    assert due_for_erasure(service, date(2099, 1, 1)) == ()


def keep(service: MentoringService, years: int | None, programme: object = PROGRAMME) -> None:
    policy = attrs.evolve(POLICY, retain_personal_data_years=years)
    service.set_policy(programme, policy, actor="coord")  # type: ignore[arg-type]


def test_nobody_is_due_while_the_policy_sets_no_period(service: MentoringService) -> None:
    assert due_for_erasure(service, date(2099, 1, 1)) == ()


def test_nobody_is_due_before_the_period_runs_out(service: MentoringService) -> None:
    keep(service, 1)
    assert due_for_erasure(service, date(2027, 2, 19)) == ()


def test_those_whose_last_relationship_ended_are_due_and_erased_once() -> None:
    clock = SettableClock()
    service = parted(clock, "carla", "dan")
    keep(service, 1)
    clock.now = datetime(2027, 2, 20, 12, tzinfo=UTC)  # the day they are due
    due = due_for_erasure(service, date(2027, 2, 20))
    assert [(d.person_id, d.last_ended, d.years, d.due_on) for d in due] == [
        ("carla", date(2026, 2, 20), 1, date(2027, 2, 20)),
        ("dan", date(2026, 2, 20), 1, date(2027, 2, 20)),
    ]
    erased = apply_retention(service, due, actor="dpo")
    assert [e.person_id for e in erased] == ["carla", "dan"]
    recorded = [e for e in service.history(PROGRAMME) if isinstance(e, PersonalDataErased)]
    assert {(e.person_id, e.rule) for e in recorded} == {
        ("carla", ErasureRule.RETENTION),
        ("dan", ErasureRule.RETENTION),
    }
    assert recorded[0].reason == "retention: 1 years after 2026-02-20"
    assert due_for_erasure(service, date(2030, 1, 1)) == ()  # Ana, Ben, Eve: still open


def test_years_overrides_every_programme_policy(service: MentoringService) -> None:
    keep(service, 5)
    assert [d.person_id for d in due_for_erasure(service, date(2027, 2, 20), 1)] == [
        "carla",
        "dan",
    ]
    assert due_for_erasure(service, date(2027, 2, 20)) == ()
    assert [d.due_on for d in due_for_erasure(service, date(2031, 2, 20))] == [
        date(2031, 2, 20),
        date(2031, 2, 20),
    ]


@pytest.mark.parametrize(
    "as_of",
    [datetime(2027, 2, 20, tzinfo=UTC), "2027-02-20", None],
    ids=["datetime", "text", "none"],
)
def test_a_day_that_is_not_a_date_is_refused_by_name(
    service: MentoringService, as_of: object
) -> None:
    """``as_of`` is a day (UTC): a datetime, which a type checker lets through as a date,
    or a text was compared with each due day, a bare TypeError naming neither (and,
    with nobody due, no answer at all but an empty list)."""
    keep(service, 1)
    with pytest.raises(InvalidValue) as refused:
        due_for_erasure(service, as_of)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("as_of", as_of)
    keep(service, None)  # nobody due: refused all the same
    with pytest.raises(InvalidValue):
        due_for_erasure(service, as_of)  # type: ignore[arg-type]


def test_a_naive_moment_to_read_the_store_at_is_refused_by_name(service: MentoringService) -> None:
    keep(service, 1)
    naive = datetime(2027, 1, 1, 12)
    with pytest.raises(InvalidValue) as refused:
        due_for_erasure(service, date(2027, 2, 20), at=naive)
    assert (refused.value.field, refused.value.value) == ("at", naive)
    assert "naive" in str(refused.value)


@pytest.mark.parametrize("years", [0, 101])
def test_a_retention_period_out_of_range_is_refused(service: MentoringService, years: int) -> None:
    with pytest.raises(InvalidValue, match="years"):
        due_for_erasure(service, date(2027, 1, 1), years)


def test_the_programme_that_keeps_a_person_longest_decides(service: MentoringService) -> None:
    """Carla is also in a second programme keeping data 3 years, which she left on 1 March
    2026; Dan is also in a third that sets no period: he is never due."""
    keep(service, 1)
    opened, joined, left = (datetime(2026, m, 1, 9, tzinfo=UTC) for m in (1, 2, 3))
    longer = service.create_programme("Second", "Northside", actor="admin", occurred_at=opened).id
    keep(service, 3, longer)
    unset = service.create_programme("Third", "Northside", actor="admin", occurred_at=opened).id
    for programme, person, role in ((longer, "carla", Role.MENTOR), (unset, "dan", Role.MENTEE)):
        service.enrol(programme, person, role, 8, actor="coord", occurred_at=joined)
        service.withdraw(programme, person, "moved on", actor="coord", occurred_at=left)
    assert due_for_erasure(service, date(2029, 2, 28)) == ()
    due = due_for_erasure(service, date(2029, 3, 1))
    assert [(d.person_id, d.last_ended, d.years) for d in due] == [("carla", date(2026, 3, 1), 3)]


def test_a_person_enrolled_again_is_not_due_for_what_ended_before() -> None:
    """Dan's relationship ended on 20 February 2026; he withdrew on the 21st and was
    enrolled again on 1 March, never paired since. His data is not erased a period after
    the old ends while he is enrolled again (that enrolment's data, a name and a contact,
    has reached no end); once he withdraws again, the period runs from then."""
    clock = SettableClock()
    service = parted(clock, "carla")
    keep(service, 1)
    withdrew, again, left = (datetime(2026, m, d, tzinfo=UTC) for m, d in ((2, 21), (3, 1), (6, 1)))
    clock.now = left
    service.withdraw(PROGRAMME, "dan", "moved away", actor="coord", occurred_at=withdrew)
    assert [d.person_id for d in due_for_erasure(service, date(2027, 2, 21))] == ["carla", "dan"]
    service.enrol(PROGRAMME, "dan", Role.MENTEE, 1, actor="coord", occurred_at=again)
    assert [d.person_id for d in due_for_erasure(service, date(2027, 2, 21))] == ["carla"]
    assert [d.person_id for d in due_for_erasure(service, date(2099, 1, 1))] == ["carla"]
    service.withdraw(PROGRAMME, "dan", "moved again", actor="coord", occurred_at=left)
    assert [d.person_id for d in due_for_erasure(service, date(2027, 5, 31))] == ["carla"]
    dan = [d for d in due_for_erasure(service, date(2027, 6, 1)) if d.person_id == "dan"]
    assert [(d.last_ended, d.due_on) for d in dan] == [(date(2026, 6, 1), date(2027, 6, 1))]


def test_a_withdrawal_at_the_moment_of_the_new_enrolment_does_not_count() -> None:
    """Withdrawn as a mentee and enrolled as a mentor at the same moment: enrolled now, so
    never due for what ended then."""
    clock = SettableClock()
    service = parted(clock, "carla")
    keep(service, 1)
    moment = datetime(2026, 2, 21, tzinfo=UTC)
    clock.now = moment
    service.withdraw(PROGRAMME, "dan", "now mentors", actor="coord", occurred_at=moment)
    service.enrol(PROGRAMME, "dan", Role.MENTOR, 9, actor="coord", occurred_at=moment)
    assert [d.person_id for d in due_for_erasure(service, date(2099, 1, 1))] == ["carla"]


def test_people_whose_keys_an_import_withheld_are_due_and_erased_for_good(
    service: MentoringService, tmp_path: Path
) -> None:
    """A copy imported without its keys holds Dan's texts (his relationship's) under a key it
    withheld: still his personal data (copying the keys in opens it), so he is due there
    with Carla (no text of hers is sealed) as in the source, now as at any moment, and
    erasing him there writes the tombstone that keeps his key from being copied in."""
    keep(service, 1)
    export = tmp_path / "export.jsonl"
    with export.open("w") as out:
        export_events(service, out)
    copy = MentoringService("memory://", clock=lambda: datetime(2027, 2, 20, 12, tzinfo=UTC))
    import_events(copy, export)
    assert copy.store.keys.store.get("dan").withheld  # type: ignore[union-attr]
    due = due_for_erasure(copy, date(2027, 2, 20))
    assert [d.person_id for d in due] == ["carla", "dan"]
    assert due_for_erasure(copy, date(2027, 2, 20), at=copy.now()) == due
    apply_retention(copy, due, actor="dpo")
    copy_keys(service.store.keys.store, copy.store.keys.store)
    assert due_for_erasure(copy, date(2027, 2, 20)) == ()
    ended = [e for e in copy.history(PAIR_B) if isinstance(e, RelationshipEnded)]
    assert [e.explanation for e in ended] == [ERASED]  # Dan's key was not copied in
    assert service.store.keys.store.get("dan").key is not None  # type: ignore[union-attr]


def test_a_person_erased_at_the_very_moment_read_is_erased_by_then() -> None:
    """Read as recorded by the moment Carla's key was destroyed, she is erased already;
    a microsecond before, she is still due."""
    clock = SettableClock()
    service = parted(clock, "carla", "dan")
    keep(service, 1)
    clock.now += timedelta(days=1)
    service.erase_person("carla", "asked", actor="dpo")
    row = service.store.keys.store.get("carla")
    assert row is not None and row.destroyed_at is not None
    day = date(2027, 2, 20)
    assert [d.person_id for d in due_for_erasure(service, day, at=row.destroyed_at)] == ["dan"]
    before = row.destroyed_at - timedelta(microseconds=1)
    assert [d.person_id for d in due_for_erasure(service, day, at=before)] == ["carla", "dan"]
