"""An erasure while another writer records on the person's programme (a coordinator
enrolling someone, a reminder run marking a reminder sent) is decided again on the
programme as stored, as any command given no expected version is: it is not refused
with a conflict, and a retention run erasing many people does not stop half-way.

The other writer is a second service on the same store, recording between the moment
the erasure read the programmes and the moment it records its facts (from the erasing
service's id factory, which the erasure calls once it has decided)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import attrs
import pytest
from mentoring_core_postgres.testing import postgres_store_url
from report_scenario import POLICY

from mentoring_core import MentoringService
from mentoring_core.events import ERASED, PersonalDataErased
from mentoring_core.privacy.retention import apply_retention, due_for_erasure
from mentoring_core.values import Role

PROGRAMME = UUID(int=40)
BEN_NAME = "Ben-name-5f0c Okafor"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A store two services open at once (a memory store lives in one service only)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/mentoring.db"
    else:
        with postgres_store_url("erasure_concurrent") as url:
            yield url


class Meanwhile:
    """An id factory that, armed, makes the ``nth`` id it is asked for only after running
    ``write``: another writer recording while the caller decides."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, Callable[[], object]]] = []

    def arm(self, nth: int, write: Callable[[], object]) -> None:
        self.writes.append((nth, write))

    def __call__(self) -> UUID:
        if self.writes:
            nth, write = self.writes.pop()
            if nth > 1:
                self.writes.append((nth - 1, write))
            else:
                write()
        return uuid4()


def _seed(url: str) -> None:
    with MentoringService(url) as service:
        service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
        service.set_policy(PROGRAMME, attrs.evolve(POLICY, retain_personal_data_years=1), actor="c")
        service.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord")
        service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", display_name=BEN_NAME)


def _erased_facts(service: MentoringService) -> list[str]:
    return [e.person_id for e in service.history(PROGRAMME) if isinstance(e, PersonalDataErased)]


def test_an_erasure_meeting_another_writer_on_its_programme_is_decided_again(
    shared_url: str,
) -> None:
    _seed(shared_url)
    ids = Meanwhile()
    with MentoringService(shared_url) as other, MentoringService(shared_url, new_id=ids) as dpo:
        # the erasure's second id is its fact's event id: made once the programme was read
        ids.arm(2, lambda: other.enrol(PROGRAMME, "cal", Role.MENTEE, 1, actor="coord"))

        erasure = dpo.erase_person("ben", "DSAR-2026-101", actor="dpo")

        assert erasure.key_destroyed and erasure.complete and not erasure.already_recorded
        assert _erased_facts(dpo) == ["ben"]  # recorded once, after the enrolment
        programme = dpo.programme(PROGRAMME)
        assert {p.person_id for p in programme.participants} == {"ana", "ben", "cal"}
        assert programme.participant("ben").display_name == ERASED  # type: ignore[union-attr]
        assert dpo.verify().ok


def test_a_retention_run_meeting_another_writer_erases_everyone_due(shared_url: str) -> None:
    _seed(shared_url)
    ids = Meanwhile()
    left = datetime.now(UTC)
    later = left + timedelta(days=800)  # the run's clock: their year's period has run out
    with (
        MentoringService(shared_url) as other,
        MentoringService(shared_url, new_id=ids, clock=lambda: later) as dpo,
    ):
        for person in ("ana", "ben"):
            dpo.withdraw(
                PROGRAMME, person, f"{person} left the service", actor="coord", occurred_at=left
            )
        due = due_for_erasure(dpo, later.date())
        assert [d.person_id for d in due] == ["ana", "ben"]
        # Ana's erasure takes two ids (its command's, its fact's), then Ben's: at his fact
        ids.arm(4, lambda: other.enrol(PROGRAMME, "cal", Role.MENTEE, 1, actor="coord"))

        erased = apply_retention(dpo, due, actor="dpo")

        assert [(e.person_id, e.key_destroyed, e.complete) for e in erased] == [
            ("ana", True, True),
            ("ben", True, True),
        ]
        assert _erased_facts(dpo) == ["ana", "ben"]
        assert other.programme(PROGRAMME).participant("cal") is not None
