"""A SQLite store written by the previous release (0.1.0, commit b313541) still opens,
reads, verifies, reports and takes new commands.

``tests/data/release-0.1.0.sqlite`` was written by that release's own code: a programme,
one pair, a goal, four meetings and feedback, with snapshots every 3 events.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from mentoring_core import MentoringService
from mentoring_core.domain.events import MeetingHeld, ParticipantEnrolled
from mentoring_core.projections import build_compliance_report
from mentoring_core.values import MeetingFormat, RelationshipStatus

STORE = Path(__file__).resolve().parent.parent / "data" / "release-0.1.0.sqlite"
PROGRAMME, PAIR = UUID(int=1), UUID(int=5)


def test_a_store_of_the_previous_release_opens_reads_verifies_reports_and_grows(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(STORE, copy)
    with MentoringService(f"sqlite:///{copy}") as service:
        assert service.verify().ok
        history = service.history(PAIR)
        state = service.relationship(PAIR)
        assert len(history) == 7
        assert state.status is RelationshipStatus.ACTIVE
        assert (state.mentor_id, state.mentee_id) == ("ana", "ben")
        assert len(state.meetings) == 4 and len(state.feedback) == 1
        assert sum(isinstance(e, MeetingHeld) for _, e in service.read()) == 4
        report = build_compliance_report(service, PROGRAMME, now=datetime(2026, 2, 1, tzinfo=UTC))
        assert report.programme.meetings_held == 4

        added = service.record_meeting_held(
            PAIR, 45, MeetingFormat.VIDEO, ["after the upgrade"], actor="ana"
        )
        assert added.version == 8
        assert service.verify().ok
        assert service.verify().records == len(list(service.read()))


def test_its_enrolments_read_back_without_a_display_name_or_contact(tmp_path: Path) -> None:
    """ParticipantEnrolled was stored as class version 1 there (before command ids), and is
    upcast to version 3: it names nobody and gives no contact; so is its snapshot."""
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(STORE, copy)
    with MentoringService(f"sqlite:///{copy}") as service:
        enrolments = [e for e in service.history(PROGRAMME) if isinstance(e, ParticipantEnrolled)]
        assert [e.person_id for e in enrolments] == ["ana", "ben"]
        assert {(e.display_name, e.contact) for e in enrolments} == {(None, None)}
        participants = service.programme(PROGRAMME).participants
        assert {(p.display_name, p.contact) for p in participants} == {(None, None)}
