"""Person ids: a new one holds no '/', which no URL path segment could carry; ids
recorded before the rule still fold, and their people are still withdrawn and relieved."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from scenarios import programme_history

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.values import Role


@pytest.mark.parametrize(
    "command",
    [
        cmd.EnrolParticipant(person_id="team/ana", role=Role.MENTOR, experience_years=Decimal(9)),
        cmd.AppointCoordinator(person_id="team/cleo"),
    ],
    ids=["enrol", "appoint"],
)
def test_a_new_person_id_with_a_slash_is_refused(command: cmd.Command) -> None:
    programme_history().reject(command, "person_id", "without '/'")


@pytest.mark.parametrize(
    "person_id",
    ["\u202eadmin.ada", "ana\u200b", " ana", "ana ", "ana\u00a0lee", "\u2066ana\u2069"],
    ids=["right-to-left override", "zero-width space", "leading", "trailing", "nbsp", "isolate"],
)
@pytest.mark.parametrize("appoint", [False, True], ids=["enrol", "appoint"])
def test_a_new_person_id_that_no_token_could_name_is_refused(person_id: str, appoint: bool) -> None:
    """Invisible or direction-changing characters, and spaces around it: such an id could
    pass for another person's in a report, and no token's subject may hold them."""
    command = (
        cmd.AppointCoordinator(person_id=person_id)
        if appoint
        else cmd.EnrolParticipant(
            person_id=person_id, role=Role.MENTOR, experience_years=Decimal(9)
        )
    )
    programme_history().reject(command, "person_id", "printable characters")


@pytest.mark.parametrize(
    ("person_id", "composed"),
    [("jose\u0301", "jos\u00e9"), ("\u1100\u1161", "\uac00"), ("a\u030a.berg", "\u00e5.berg")],
    ids=["e acute", "hangul", "a ring"],
)
@pytest.mark.parametrize("appoint", [False, True], ids=["enrol", "appoint"])
def test_a_new_person_id_spelt_in_decomposed_unicode_is_refused_naming_its_composed_form(
    person_id: str, composed: str, appoint: bool
) -> None:
    """'josé' can be spelt two ways, one code point for the é or an e and a combining
    accent, which look the same everywhere. Both were taken, as two people: a subject
    access or an erasure asked for one spelling found nothing of the other, and a token
    naming one could not act as the other. A new id must be in Unicode normalization form
    C, which the refusal spells out."""
    command = (
        cmd.AppointCoordinator(person_id=person_id)
        if appoint
        else cmd.EnrolParticipant(
            person_id=person_id, role=Role.MENTOR, experience_years=Decimal(9)
        )
    )
    history = programme_history()
    refused = history.reject(command, "person_id", "normalization form C")
    assert repr(composed) in str(refused)


def test_the_refusal_spells_both_forms_in_ascii_escapes() -> None:
    """The two spellings look the same on screen, so the message also spells each one's
    code points out: the composed form to give, and the decomposed form that was given."""
    refused = programme_history().reject(
        cmd.AppointCoordinator(person_id="a\u030a.berg"), "person_id"
    )
    assert str(refused) == (
        "invalid person_id: 'a\u030a.berg'; expected a person id in Unicode normalization"
        " form C (as '\u00e5.berg': \\xe5.berg, not a\\u030a.berg)"
    )


def test_a_person_id_of_letters_of_any_script_is_accepted() -> None:
    history = programme_history()
    for person_id in ("ana.lópez", "المعلم", "田中 花子", "o'brien-2"):
        history.record(
            cmd.EnrolParticipant(person_id=person_id, role=Role.MENTEE, experience_years=Decimal(0))
        )
        assert history.state.participant(person_id) is not None


def test_a_person_id_with_a_slash_recorded_before_the_rule_still_folds_and_is_withdrawn() -> None:
    history = programme_history()
    enrolled = history.record(
        cmd.EnrolParticipant(person_id="zed", role=Role.MENTEE, experience_years=Decimal(1))
    )
    old = attrs.evolve(enrolled[0], person_id="team/ana", version=enrolled[0].version + 1)
    history.apply(old)  # as an event stored by an earlier version reads back
    assert history.state.participant("team/ana") is not None
    assert history.refold() == history.state
    withdrawn = history.record(cmd.WithdrawParticipant(person_id="team/ana", reason="Left"))
    assert [e.person_id for e in withdrawn] == ["team/ana"]
