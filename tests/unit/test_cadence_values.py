"""The cadence values: how a cadence reads, which tier of a policy is in force, and the
marker for personal-data fields.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from mentoring_core.domain.personal import PERSONAL_DATA, PERSONAL_OWNER, personal
from mentoring_core.events import PersonalData, personal_fields
from mentoring_core.values import Cadence, CadenceKind, CadenceTier, Participation, ProgrammePolicy


def policy(*tiers: CadenceTier) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=tiers,
        minimum_meeting_minutes=30,
        participation=Participation.VOLUNTARY,
        minimum_experience_gap_years=Decimal(3),
        review_interval_days=90,
    )


class TestCadence:
    @pytest.mark.parametrize(
        ("cadence", "kind", "days"),
        [
            (Cadence.weekly(), CadenceKind.WEEKLY, None),
            (Cadence.fortnightly(), CadenceKind.FORTNIGHTLY, None),
            (Cadence.monthly(), CadenceKind.MONTHLY, None),
            (Cadence.every(10), CadenceKind.EVERY_N_DAYS, 10),
        ],
    )
    def test_the_named_constructors(
        self, cadence: Cadence, kind: CadenceKind, days: int | None
    ) -> None:
        assert (cadence.kind, cadence.every_days) == (kind, days)

    @pytest.mark.parametrize(
        ("cadence", "reads"),
        [
            (Cadence.weekly(), "weekly"),
            (Cadence.fortnightly(), "fortnightly"),
            (Cadence.monthly(), "monthly"),
            (Cadence.every(10), "every 10 days"),
            (Cadence.every(1), "every 1 days"),
        ],
    )
    def test_a_cadence_reads_as_its_kind_or_its_number_of_days(
        self, cadence: Cadence, reads: str
    ) -> None:
        assert cadence.describe() == reads


class TestTierInForce:
    WEEKLY_FORTNIGHTLY_MONTHLY = policy(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=28),
        CadenceTier(cadence=Cadence.fortnightly(), until_age_days=90),
        CadenceTier(cadence=Cadence.monthly()),
    )

    @pytest.mark.parametrize(
        ("age_days", "kind"),
        [
            (0, CadenceKind.WEEKLY),
            (27, CadenceKind.WEEKLY),
            (28, CadenceKind.FORTNIGHTLY),
            (89, CadenceKind.FORTNIGHTLY),
            (90, CadenceKind.MONTHLY),
            (5000, CadenceKind.MONTHLY),
        ],
    )
    def test_a_tier_is_in_force_until_the_day_it_ends(
        self, age_days: int, kind: CadenceKind
    ) -> None:
        assert self.WEEKLY_FORTNIGHTLY_MONTHLY.cadence_at_age(age_days).kind is kind

    def test_past_the_end_of_every_tier_the_last_tier_stays_in_force(self) -> None:
        """Only a policy built without ``check_policy`` ends its last tier; it keeps it."""
        bounded = policy(
            CadenceTier(cadence=Cadence.weekly(), until_age_days=28),
            CadenceTier(cadence=Cadence.fortnightly(), until_age_days=90),
            CadenceTier(cadence=Cadence.every(45), until_age_days=365),
        )
        assert bounded.cadence_at_age(364) == Cadence.every(45)
        assert bounded.cadence_at_age(365) == Cadence.every(45)
        assert bounded.cadence_at_age(1000) == Cadence.every(45)


class TestPersonalMarker:
    def test_a_marked_field_keeps_its_other_attrs_options(self) -> None:
        @attrs.frozen(kw_only=True)
        class Contact:
            person_id: str
            phone: str | None = personal(PersonalData.CONTACT, about="person_id", default=None)
            name: str = personal(PersonalData.NAME, about="person_id", repr=False)

        contact = Contact(person_id="ana", name="Ana Lopez")
        assert contact.phone is None
        assert "Ana Lopez" not in repr(contact)
        assert attrs.fields(Contact).phone.metadata == {
            PERSONAL_DATA: PersonalData.CONTACT,
            PERSONAL_OWNER: "person_id",
        }
        assert personal_fields(Contact) == {
            "phone": PersonalData.CONTACT,
            "name": PersonalData.NAME,
        }
