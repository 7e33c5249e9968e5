"""Matching by expertise (issue 14, item 6) on every store: enrolments keep expertise and
needs, ``suggest_mentors`` ranks from the stored states (snapshots and reopening included),
and an opening records the rank the same ranking gave."""

from __future__ import annotations

from uuid import UUID

from mentoring_core import MentoringService
from mentoring_core.events import PairFormed, PairingProposed
from mentoring_core.values import DeclineReason, FocusArea, Role

C, W, T = FocusArea.COMMUNICATION, FocusArea.WELLBEING, FocusArea.TEAMWORK


def seed(service: MentoringService) -> UUID:
    programme = service.create_programme("Riverside", "Care", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, expertise=[C], actor="coord")
    service.enrol(programme, "cy", Role.MENTOR, 8, expertise=[W, C], actor="coord")
    service.enrol(programme, "dee", Role.MENTOR, 20, expertise=[T], actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, development_needs=[C, W], actor="coord")
    service.enrol(programme, "fay", Role.MENTEE, 0, actor="coord")
    return programme


def test_suggestions_and_recorded_ranks_survive_reopening_the_store(store_url: str) -> None:
    with MentoringService(store_url, snapshot_interval=2) as service:
        programme = seed(service)
        before = service.suggest_mentors(programme, "ben")
        assert [(s.mentor_id, len(s.covered_needs)) for s in before] == [
            ("cy", 2),
            ("ana", 1),
            ("dee", 0),
        ]
        formed = service.form_pair(
            programme, "dee", "ben", suggestion_override_reason="Needs a senior", actor="coord"
        )
        proposed = service.propose_pairing(programme, "dee", "fay", actor="coord")
    if store_url == "memory://":
        return  # nothing outlives the service
    with MentoringService(store_url) as reopened:
        assert reopened.programme(programme).participant("ben").development_needs == (C, W)  # type: ignore[union-attr]
        (opened_ben,) = reopened.history(formed.aggregate_id)
        (opened_fay,) = reopened.history(proposed.aggregate_id)
        assert isinstance(opened_ben, PairFormed) and isinstance(opened_fay, PairingProposed)
        assert (opened_ben.suggestion_rank, opened_ben.suggestion_override_reason) == (
            3,
            "Needs a senior",
        )
        # dee already carries ben: after ana and cy, who carry none, at equal (no) fit
        assert (opened_fay.suggestion_rank, opened_fay.suggestion_override_reason) == (3, None)
        # dee is already paired with fay, so not suggested again; ana's lead is larger
        after = reopened.suggest_mentors(programme, "fay")
        assert [(s.mentor_id, s.open_mentees) for s in after] == [("ana", 0), ("cy", 0)]


def test_the_ranking_is_the_one_the_opening_records(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = seed(service)
        service.form_pair(programme, "cy", "fay", actor="coord")
        for suggestion in service.suggest_mentors(programme, "ben"):
            rank = suggestion.rank
            recorded = service.propose_pairing(programme, suggestion.mentor_id, "ben", actor="c")
            assert recorded.events[0].suggestion_rank == rank  # type: ignore[attr-defined]
            service.decline_pairing(
                recorded.id, "ben", DeclineReason.NOT_NEEDED, "Trying the next", actor="ben"
            )


def test_a_profile_update_changes_the_next_ranking(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = seed(service)
        service.update_profile(programme, "ben", development_needs=[T], actor="coord")
        service.update_profile(programme, "ana", expertise=[T, C], actor="coord")
        ranking = service.suggest_mentors(programme, "ben")
        assert [(s.mentor_id, s.covered_needs) for s in ranking] == [
            ("dee", (T,)),  # at equal fit and load, the larger lead (19 years, ana's 11)
            ("ana", (T,)),
            ("cy", ()),
        ]
        (event,) = service.history(programme)[-1:]
        assert (type(event).__name__, event.expertise) == (  # type: ignore[attr-defined]
            "ParticipantProfileUpdated",
            (T, C),
        )
