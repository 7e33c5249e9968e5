"""A compliance report as of a moment before its programme was created is refused as an
invalid ``as_of`` naming the programme and when it was created, on every store; it
was a ``NotFound`` saying no such programme is recorded, though it is (review finding,
defect 3). A programme never recorded is still not found."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from mentoring_core import InvalidValue, MentoringService, NotFound
from mentoring_core.projections import (
    build_compliance_report,
    facts_as_of,
    write_compliance_report,
)
from mentoring_core.values import Role

from .conftest import SteppingClock

CREATED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _created(service: MentoringService, clock: SteppingClock) -> tuple[UUID, datetime]:
    programme = service.create_programme("P", "Org", actor="coord").id
    (created,) = (e.recorded_at for e in service.history(programme))
    clock.now += timedelta(days=30)
    return programme, created


def test_a_report_as_of_before_the_programme_was_created_says_so(store_url: str) -> None:
    clock = SteppingClock(CREATED)
    with MentoringService(store_url, clock=clock) as service:
        programme, created = _created(service, clock)
        before = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
        expected = (
            f"a moment on or after the programme's creation: programme {programme} was not "
            f"yet created as of {before.isoformat()} (created {created.isoformat()})"
        )
        with pytest.raises(InvalidValue) as refused:
            write_compliance_report(
                service, programme, format="html", start=date(2026, 1, 1),
                end=date(2026, 3, 31), as_of=before,
            )  # fmt: skip
        assert (refused.value.field, refused.value.value) == ("as_of", before)
        assert refused.value.expected == expected
        assert str(refused.value) == f"invalid as_of: {before.isoformat()}; expected {expected}"
        with pytest.raises(InvalidValue, match="was not yet created as of"):
            build_compliance_report(service, programme, as_of=created - timedelta(microseconds=1))
        with pytest.raises(InvalidValue, match="was not yet created as of"):
            facts_as_of(service, programme, before)
        paris = before.astimezone(timezone(timedelta(hours=2)))  # shown as given, not in UTC
        with pytest.raises(InvalidValue, match=f"as of {re.escape(paris.isoformat())} "):
            build_compliance_report(service, programme, as_of=paris)
        # the very moment it was recorded, and after: the report is made
        assert build_compliance_report(service, programme, as_of=created).as_of == created
        assert write_compliance_report(service, programme, format="csv", as_of=created)


def test_a_programme_never_recorded_is_still_not_found(store_url: str) -> None:
    clock = SteppingClock(CREATED)
    with MentoringService(store_url, clock=clock) as service:
        programme, created = _created(service, clock)
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, "ana", "ben", actor="coord").id
        unknown = UUID(int=7)
        with pytest.raises(NotFound, match=str(unknown)):
            build_compliance_report(service, unknown, as_of=clock.now)
        with pytest.raises(NotFound, match=f"no programme with id {pair} is recorded"):
            build_compliance_report(service, pair, as_of=clock.now)
        with pytest.raises(NotFound, match=f"no programme with id {pair} is recorded"):
            build_compliance_report(service, pair, as_of=created)
